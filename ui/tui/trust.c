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
#include "trust.h"
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
	    "certificate passes from now on), or, with tls_trust = tofu, "
	    "recorded in the trust store") },
	{ 0, 0, NULL, NULL },
};

struct trust_screen {
	struct screen s;
	struct tls_peer *peer;     /* a copy: the session that saw it may be gone */
	char *account;
	char *host;
	char *hostport;            /* the trust store's key */
	int tofu;                  /* the account has tls_trust = tofu */
	struct trust *store;       /* then: the store, as it was read (NULL: unreadable) */
	char *store_error;         /* why it could not be read */
	trust_fn done;
	void *arg;
	struct buf b;              /* scratch: a value made safe to draw */
};

/*
 * label, then value (raw, from the certificate) made safe and wrapped at
 * width w from VALUE_COL, in at most VALUE_LINES lines above row last.
 * Returns the row after it.
 */
static int
field(struct trust_screen *t, int y, int last, const char *label, const char *value,
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

/*
 * tls_trust = tofu and the store has another certificate for the host:
 * both side by side (trust_diff()), the lines that differ in the error
 * colour.  1 when drawn (*y: the row after), 0 when there is nothing to
 * compare with (the fields are drawn as for a CA refusal).
 */
static int
tofu_draw(struct trust_screen *t, int last, int *y)
{
	const struct trust_rec *r;
	struct buf d;
	const char *p, *nl;
	int row = 3, w = (tui_cols() - 22) / 2;

	if (t->store == NULL)
		return 0;
	r = trust_find(t->store, t->hostport);
	if (r == NULL || trust_same(r, t->peer))
		return 0;
	(void)tui_str_cut(row++, 2, tui_cols() - 4, _("It is NOT the "
	    "certificate trusted on first use; lines marked * differ:"),
	    TUI_ERROR);
	buf_init(&d, 256 * 1024);
	if (trust_diff(&d, r, t->peer, w) < 0 || buf_addstr(&d, "") < 0) {
		buf_free(&d);
		return 0;
	}
	for (p = buf_str(&d); (nl = strchr(p, '\n')) != NULL && row <= last;
	    p = nl + 1) {
		buf_reset(&t->b);
		if (sanitize_append(&t->b, p, (size_t)(nl - p)) == 0)
			(void)tui_str_cut(row, 2, tui_cols() - 3, buf_str(&t->b),
			    *p == '*' ? TUI_ERROR : TUI_NORMAL);
		row++;
	}
	buf_free(&d);
	*y = row + 1;
	return 1;
}

static void
trust_draw(struct app *a, struct screen *s)
{
	struct trust_screen *t = (struct trust_screen *)s;
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
	if (t->tofu && tofu_draw(t, last, &y))
		goto hint;
	y = field(t, 3, last, _("Why:"), t->store_error != NULL ?
	    t->store_error : p->problem != NULL ? p->problem : "", w,
	    TUI_ERROR) + 1;
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
hint:
	line = t->tofu ? util_strf(_("o trusts it once; a trusts it from now "
	    "on for %s (the trust store of tls_trust = tofu)."), t->hostport) :
	    util_strf(_("o trusts it once; a pins it in account %s "
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
pin(struct app *a, struct trust_screen *t)
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

/* a, with tls_trust = tofu: the certificate into the trust store; 0, or -1 (status set). */
static int
record(struct app *a, struct trust_screen *t)
{
	char *why = NULL;
	enum err e;

	if (t->store == NULL) {
		app_status(a, TUI_ERROR, "%s", t->store_error != NULL ?
		    t->store_error : err_str(ERR_IO));
		return -1;
	}
	e = trust_record(t->store, t->hostport, t->peer, (int64_t)time(NULL));
	if (e == ERR_OK)
		e = trust_save(t->store, &why);
	if (e != ERR_OK) {
		app_status(a, TUI_ERROR, _("the trust store could not be "
		    "written: %s"), why != NULL ? why : err_str(e));
		free(why);
		return -1;
	}
	app_status(a, TUI_NORMAL, _("%s: certificate %s trusted from now on"),
	    t->hostport, t->peer->fingerprint);
	return 0;
}

static int
trust_act(struct app *a, struct screen *s, int action, int key)
{
	struct trust_screen *t = (struct trust_screen *)s;
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
		if (action == TR_ALWAYS && (t->tofu ? record(a, t) : pin(a, t)) <
		    0)
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
trust_screen_free(struct screen *s)
{
	struct trust_screen *t = (struct trust_screen *)s;

	tls_peer_free(t->peer);
	free(t->account);
	free(t->host);
	free(t->hostport);
	trust_free(t->store);
	free(t->store_error);
	buf_free(&t->b);
	free(t);
}

static const struct screen_ops trust_ops = {
	.title = N_("Server certificate"),
	.keys = trust_keys,
	.flags = SCREEN_NOPANE,
	.draw = trust_draw,
	.act = trust_act,
	.free = trust_screen_free,
};

void
trust_open(struct app *a, const char *account, const char *host,
    const char *port, const struct tls_peer *peer, trust_fn done,
    void *arg)
{
	struct trust_screen *t = calloc(1, sizeof(*t));
	const struct account *acct = a->c.conf != NULL ?
	    conf_account(a->c.conf, account) : NULL;

	if (t == NULL || (t->peer = tls_peer_dup(peer)) == NULL ||
	    (t->account = strdup(account)) == NULL ||
	    (t->host = strdup(host != NULL ? host : "?")) == NULL ||
	    (t->hostport = trust_hostport(t->host, port != NULL ? port :
	    "")) == NULL) {
		if (t != NULL) {
			tls_peer_free(t->peer);
			free(t->account);
			free(t->host);
			free(t);
		}
		app_status(a, TUI_ERROR, "%s", err_str(ERR_NOMEM));
		done(a, arg, TRUST_REJECT, "");
		return;
	}
	t->tofu = acct != NULL && acct->tls_trust == CONF_TRUST_TOFU;
	if (t->tofu && trust_load(&t->store, NULL, &t->store_error) != ERR_OK &&
	    t->store_error == NULL)
		t->store_error = strdup(err_str(ERR_IO));
	t->s.ops = &trust_ops;
	t->done = done;
	t->arg = arg;
	buf_init(&t->b, 64 * 1024);
	screen_push(a, &t->s);
}
