/* trust.c - the trust screen of the interactive UI: a server certificate that was not trusted, shown whole, to reject, accept once, or pin in the account, as mutt asks. */
/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "conf.h"
#include "confedit.h"
#include "i18n.h"
#include "sanitize.h"
#include "tls.h"
#include "util.h"

/* Where the values start, and how many lines a long one may take. */
#define VALUE_COL 16
#define VALUE_LINES 3
/* A fingerprint is cut after 16 of its 32 bytes ("AB:" each): two lines of the same shape. */
#define FP_HALF 48

enum {
	TR_REJECT = 1,
	TR_ONCE,
	TR_ALWAYS,
};

/* mutt's letters: (r)eject, accept (o)nce, (a)ccept always. */
static const struct keydef trust_keys[] = {
	{ 'r', TR_REJECT, N_("reject"), N_("reject the certificate: no "
	    "connection with it, nothing is written") },
	{ 'q', 0, NULL, NULL },
	{ KEY_ESC, 0, NULL, NULL },
	{ KEY_CTRL('g'), 0, NULL, NULL },
	{ 'o', TR_ONCE, N_("accept once"), N_("accept it for this connection "
	    "only: the next one asks again") },
	{ 'a', TR_ALWAYS, N_("always"), N_("always accept it: its fingerprint "
	    "is written to the account as tls_fingerprint (a pin: only this "
	    "certificate passes from now on)") },
	{ 0, 0, NULL, NULL },
};

struct trust {
	struct screen s;
	struct tls_peer *peer;     /* a copy: the session that saw it may be gone */
	char *account;
	char *host;
	trust_fn done;
	void *arg;
	struct buf b;              /* scratch: a value made safe to draw */
};

/* A copy of p (the core's strings are raw text: they stay raw here). */
static struct tls_peer *
peer_copy(const struct tls_peer *p)
{
	struct tls_peer *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	memcpy(c->fingerprint, p->fingerprint, sizeof(c->fingerprint));
	c->fingerprint[sizeof(c->fingerprint) - 1] = '\0';
	c->subject = strdup(p->subject != NULL ? p->subject : "");
	c->issuer = strdup(p->issuer != NULL ? p->issuer : "");
	c->common_name = strdup(p->common_name != NULL ? p->common_name : "");
	c->names = strdup(p->names != NULL ? p->names : "");
	c->not_before = strdup(p->not_before != NULL ? p->not_before : "");
	c->not_after = strdup(p->not_after != NULL ? p->not_after : "");
	c->problem = p->problem != NULL ? strdup(p->problem) : NULL;
	c->chain_ok = p->chain_ok;
	c->name_ok = p->name_ok;
	c->self_signed = p->self_signed;
	if (c->subject == NULL || c->issuer == NULL || c->common_name == NULL ||
	    c->names == NULL || c->not_before == NULL || c->not_after == NULL ||
	    (p->problem != NULL && c->problem == NULL)) {
		tls_peer_free(c);
		return NULL;
	}
	return c;
}

/*
 * label, then value (raw, from the certificate) made safe and wrapped at
 * width w from VALUE_COL, in at most VALUE_LINES lines above row last.
 * Returns the row after it.
 */
static int
field(struct trust *t, int y, int last, const char *label, const char *value,
    int w, enum tui_attr attr)
{
	size_t off = 0, n;
	int lines = 0;

	if (y > last)
		return y;
	(void)tui_str(y, 2, VALUE_COL - 3, label, TUI_LABEL);
	buf_reset(&t->b);
	if (*value == '\0')
		value = _("(none)");
	if (sanitize_append(&t->b, value, strlen(value)) < 0) {
		(void)tui_str(y, VALUE_COL, w, "?", attr);
		return y + 1;
	}
	while (off < t->b.len && y <= last && lines++ < VALUE_LINES) {
		n = tui_fit(buf_str(&t->b) + off, t->b.len - off, w);
		if (n == 0)
			break;
		(void)tui_escaped_n(y++, VALUE_COL, w, buf_str(&t->b) + off, n,
		    attr);
		off += n;
	}
	return y;
}

/* "(expired)", "(not valid yet)" or "": the dates as they are now (their format sorts as text). */
static const char *
dates(const struct tls_peer *p)
{
	char now[32];
	time_t tt = time(NULL);
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S GMT", &tm) == 0 ||
	    strlen(p->not_after) != strlen(now) ||
	    strlen(p->not_before) != strlen(now))
		return "";
	if (strcmp(p->not_after, now) < 0)
		return _("  EXPIRED");
	if (strcmp(p->not_before, now) > 0)
		return _("  NOT valid yet");
	return "";
}

static void
trust_draw(struct app *a, struct screen *s)
{
	struct trust *t = (struct trust *)s;
	const struct tls_peer *p = t->peer;
	int rows = tui_rows(), last = rows - 3, w = tui_cols() - VALUE_COL - 1;
	int y;
	char *line;

	if (w < 8)
		w = 8;
	for (y = 1; y < rows - 2; y++)
		tui_clear_line(y, TUI_NORMAL);
	line = util_strf(_("The certificate of %s is not trusted."), t->host);
	(void)tui_str_cut(2, 2, tui_cols() - 4, line != NULL ? line : "",
	    TUI_ERROR);
	free(line);
	y = field(t, 3, last, _("Why:"), p->problem != NULL ? p->problem : "",
	    w, TUI_ERROR) + 1;
	y = field(t, y, last, _("Holder:"), p->subject, w, TUI_NORMAL);
	y = field(t, y, last, _("Common name:"), p->common_name, w,
	    TUI_NORMAL);
	y = field(t, y, last, _("Names:"), p->names, w, TUI_NORMAL);
	y = field(t, y, last, _("Issuer:"), p->issuer, w, TUI_NORMAL);
	line = util_strf("%s .. %s%s", p->not_before, p->not_after, dates(p));
	y = field(t, y, last, _("Valid:"), line != NULL ? line : "", w,
	    *dates(p) != '\0' ? TUI_ERROR : TUI_NORMAL);
	free(line);
	y = field(t, y, last, "SHA-256:", p->fingerprint, w > FP_HALF ?
	    FP_HALF : w, TUI_NORMAL) + 1;
	y = field(t, y, last, _("Chain:"), p->chain_ok ? _("trusted") :
	    p->self_signed ? _("NOT trusted (self-signed)") :
	    _("NOT trusted"), w, p->chain_ok ? TUI_NORMAL : TUI_ERROR);
	line = util_strf(p->name_ok ? _("matches %s") :
	    _("does NOT match %s"), t->host);
	y = field(t, y, last, _("Name:"), line != NULL ? line : "", w,
	    p->name_ok ? TUI_NORMAL : TUI_ERROR) + 1;
	free(line);
	line = util_strf(_("o trusts it once; a pins it in account %s "
	    "(tls_fingerprint)."), t->account);
	if (y <= last)
		(void)tui_str_cut(y, 2, tui_cols() - 4, line != NULL ? line : "",
		    TUI_INFO);
	free(line);
	app_bars(a, s, _("Server certificate"));
}

/* The file the account is in: --config, else the default. */
static char *
config_path(const struct app *a)
{
	char *path = NULL;

	if (a->c.config_path != NULL)
		return strdup(a->c.config_path);
	if (conf_default_path(&path) != ERR_OK)
		return NULL;
	return path;
}

/* a: tls_fingerprint = the fingerprint in the account; 0, or -1 (status set). */
static int
pin(struct app *a, struct trust *t)
{
	const char *keys[] = { "tls_fingerprint" };
	const char *values[] = { t->peer->fingerprint };
	char *path = config_path(a), *why = NULL;
	enum err e;

	if (path == NULL) {
		app_status(a, TUI_ERROR, "%s", err_str(ERR_NOMEM));
		return -1;
	}
	e = confedit_set(path, t->account, keys, values, 1, &why);
	free(path);
	if (e != ERR_OK) {
		app_status(a, TUI_ERROR, _("the pin could not be written: %s"),
		    why != NULL ? why : err_str(e));
		free(why);
		return -1;
	}
	app_status(a, TUI_NORMAL, _("account %s: tls_fingerprint = %s"),
	    t->account, t->peer->fingerprint);
	/* The account in use takes it now, or once its sends are over. */
	if (a->c.acct != NULL && strcmp(a->c.acct->name, t->account) == 0) {
		if (sending_busy(a))
			a->account_stale = 1;
		else if (app_use_account(a, a->account) < 0)
			app_status(a, TUI_ERROR, "%s", a->account_error != NULL ?
			    a->account_error : "?");
	}
	return 0;
}

static int
trust_act(struct app *a, struct screen *s, int action, int key)
{
	struct trust *t = (struct trust *)s;
	enum trust_choice c;
	char fp[TLS_FINGERPRINT_MAX];
	trust_fn done = t->done;
	void *arg = t->arg;

	(void)key;
	switch (action) {
	case TR_REJECT:
		c = TRUST_REJECT;
		break;
	case TR_ONCE:
	case TR_ALWAYS:
		if (!tls_fingerprint_ok(t->peer->fingerprint)) {
			app_status(a, TUI_ERROR, _("the certificate's fingerprint "
			    "is not known: it can only be rejected"));
			return 1;
		}
		if (action == TR_ALWAYS && pin(a, t) < 0)
			return 1;
		c = action == TR_ONCE ? TRUST_ONCE : TRUST_ALWAYS;
		break;
	default:
		return 0;
	}
	memcpy(fp, t->peer->fingerprint, sizeof(fp));
	screen_close(a, s);
	done(a, arg, c, fp);
	return 1;
}

static void
trust_free(struct screen *s)
{
	struct trust *t = (struct trust *)s;

	tls_peer_free(t->peer);
	free(t->account);
	free(t->host);
	buf_free(&t->b);
	free(t);
}

static const struct screen_ops trust_ops = {
	.title = N_("Server certificate"),
	.keys = trust_keys,
	.flags = SCREEN_NOPANE,
	.draw = trust_draw,
	.act = trust_act,
	.free = trust_free,
};

void
trust_open(struct app *a, const char *account, const char *host,
    const struct tls_peer *peer, trust_fn done, void *arg)
{
	struct trust *t = calloc(1, sizeof(*t));

	if (t == NULL || (t->peer = peer_copy(peer)) == NULL ||
	    (t->account = strdup(account)) == NULL ||
	    (t->host = strdup(host != NULL ? host : "?")) == NULL) {
		if (t != NULL) {
			tls_peer_free(t->peer);
			free(t->account);
			free(t);
		}
		app_status(a, TUI_ERROR, "%s", err_str(ERR_NOMEM));
		done(a, arg, TRUST_REJECT, "");
		return;
	}
	t->s.ops = &trust_ops;
	t->done = done;
	t->arg = arg;
	buf_init(&t->b, 64 * 1024);
	screen_push(a, &t->s);
}
