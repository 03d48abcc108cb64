/* compose_send.c - sending from the composer: the questions before, the account to send with, the hand-over to the outbox. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "compose.h"
#include "i18n.h"
#include "util.h"
#include "when.h"

/*
 * Does the account log in as an address of another domain than From's?
 * Many servers then refuse the message or put the login in From.
 */
static int
from_not_login(const struct app *a, const struct draft_built *b)
{
	const char *user = a->c.rt.user, *ua, *fa;

	if (user == NULL || (ua = strrchr(user, '@')) == NULL ||
	    b->from.n != 1 || (fa = strrchr(b->from.v[0].spec, '@')) == NULL)
		return 0;
	return strcasecmp(ua, fa) != 0;
}

/* The built message goes: queued, then sent in the background; the screen closes. */
static void
send_built(struct app *a, struct compose *cm)
{
	struct draft_built *b = cm->b;

	cm->b = NULL;
	if (sending_start_message(a, b, &cm->d, cm->at) == 0) {
		/* In the outbox now: the draft has served. */
		compose_drop_draft(a, cm);
		compose_close(a, cm);
	}
	draft_built_free(b);
	free(b);
}

static void ask_next(struct app *a, struct compose *cm);
static void plain_answered(struct app *a, void *arg, int yes);

/* --- signing and encrypting ------------------------------------------------ */

const char *
compose_security_words(const struct draft_security *s)
{
	unsigned w = s->method == PGPMIME_NONE ? 0 : s->what &
	    (PGPMIME_SIGN | PGPMIME_ENCRYPT);

	if (s->method == PGPMIME_SMIME)
		return w == PGPMIME_SIGN ? _("sign (S/MIME)") :
		    w == PGPMIME_ENCRYPT ? _("encrypt (S/MIME)") :
		    w != 0 ? _("sign, encrypt (S/MIME)") : _("none");
	switch (w) {
	case PGPMIME_SIGN:
		return _("sign (PGP)");
	case PGPMIME_ENCRYPT:
		return _("encrypt (PGP)");
	case PGPMIME_SIGN | PGPMIME_ENCRYPT:
		return _("sign, encrypt (PGP)");
	default:
		return _("none");
	}
}

/*
 * S: none, sign, encrypt, sign and encrypt with the account's method
 * (draft_security_method()), then the same with the other one when it is
 * built in, then none again.
 */
void
compose_security_next(struct app *a, struct compose *cm)
{
	enum pgpmime_method first = draft_security_method(a->c.acct), m;
	unsigned w = cm->sec.method == PGPMIME_NONE ? 0 : cm->sec.what;

	if (!pgpmime_built_in(first))
		first = PGPMIME_SMIME;
	m = w == 0 ? first : cm->sec.method;
	w = w == 0 ? PGPMIME_SIGN : w == PGPMIME_SIGN ? PGPMIME_ENCRYPT :
	    w == PGPMIME_ENCRYPT ? PGPMIME_SIGN | PGPMIME_ENCRYPT : 0;
	if (w == 0 && m == first) {
		/* On to the other method, if there is one. */
		m = first == PGPMIME_PGP ? PGPMIME_SMIME : PGPMIME_PGP;
		if (pgpmime_built_in(m))
			w = PGPMIME_SIGN;
	}
	cm->sec.method = w != 0 ? m : PGPMIME_NONE;
	cm->sec.what = w;
	cm->sec.plain_ok = 0;
	app_status(a, TUI_NORMAL, _("security: %s"),
	    compose_security_words(&cm->sec));
}

static void
drop_built(struct compose *cm)
{
	draft_built_free(cm->b);
	free(cm->b);
	cm->b = NULL;
}

/*
 * Sign and encrypt the built message as the composer says; 0 to go on,
 * 1 when a question was asked (plain_answered() goes on), -1 when the
 * message stays (the status says why).
 */
static int
secure_built(struct app *a, struct compose *cm)
{
	char *why = NULL, *missing = NULL, *q;
	enum err e;

	e = draft_secure(cm->b, a->c.acct, &cm->sec, outbox_dir(a->ob),
	    &missing, &why);
	if (e == ERR_OK && missing != NULL)
		app_status(a, TUI_NORMAL, cm->sec.method == PGPMIME_SMIME ?
		    _("sent unencrypted: no usable S/MIME certificate for %s") :
		    _("sent unencrypted: no usable key for %s"), missing);
	if (e == ERR_DATA && missing != NULL) {
		q = util_strf(cm->sec.method == PGPMIME_SMIME ?
		    _("No usable S/MIME certificate for %s. Send unencrypted? "
		    "(y/n) ") : _("No usable key for %s. Send unencrypted? "
		    "(y/n) "), missing);
		free(missing);
		free(why);
		if (q == NULL)
			return -1;
		prompt_yesno(a, q, 0, plain_answered, NULL);
		free(q);
		return 1;
	}
	if (e != ERR_OK)
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
	free(missing);
	free(why);
	return e == ERR_OK ? 0 : -1;
}

/* The answer to "send unencrypted?": y signs (if asked) and goes on. */
static void
plain_answered(struct app *a, void *arg, int yes)
{
	struct compose *cm = compose_find(a);
	struct draft_security s;
	char *why = NULL, *missing = NULL;
	enum err e;

	(void)arg;
	if (cm == NULL || cm->b == NULL)
		return;
	if (yes != 1) {
		app_status(a, TUI_NORMAL, _("not sent: the message stays here"));
		drop_built(cm);
		return;
	}
	s = cm->sec;
	s.what &= ~PGPMIME_ENCRYPT;
	if (s.what == 0)
		s.method = PGPMIME_NONE;
	e = draft_secure(cm->b, a->c.acct, &s, outbox_dir(a->ob), &missing,
	    &why);
	free(missing);
	if (e != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
		free(why);
		drop_built(cm);
		return;
	}
	ask_next(a, cm);
}

static void
answered(struct app *a, void *arg, int yes)
{
	struct compose *cm = compose_find(a);

	(void)arg;
	if (cm == NULL || cm->b == NULL)
		return;
	if (yes != 1) {
		draft_built_free(cm->b);
		free(cm->b);
		cm->b = NULL;
		return;
	}
	ask_next(a, cm);
}

/* The questions before a send, one after the other, for what looks like a slip. */
static void
ask_next(struct app *a, struct compose *cm)
{
	switch (cm->asked++) {
	case 0:
		if (cm->b->mm.subject == NULL) {
			prompt_yesno(a, _("No subject. Send anyway? (y/n) "), 0,
			    answered, NULL);
			return;
		}
		/* FALLTHROUGH */
	case 1:
		cm->asked = 2;
		if (from_not_login(a, cm->b)) {
			prompt_yesno(a, _("The From address is not the login's: "
			    "the server may refuse or rewrite it. Send anyway? "
			    "(y/n) "), 0, answered, NULL);
			return;
		}
		/* FALLTHROUGH */
	case 2:
		cm->asked = 3;
		if (draft_mentions_attachment(&cm->d) && cm->d.natt == 0) {
			prompt_yesno(a, _("The text speaks of an attachment, but "
			    "there is none. Send anyway? (y/n) "), 0, answered,
			    NULL);
			return;
		}
		/* FALLTHROUGH */
	default:
		send_built(a, cm);
		return;
	}
}

/* y: build, ask, queue, send in the background. */
void
compose_send(struct app *a, struct compose *cm)
{
	char *why = NULL;
	enum err e;

	if (compose_text_load(a, cm) < 0)
		return;
	/* The signature rule is the draft's: in the text once. */
	if (a->c.acct != NULL && (e = draft_sign(&cm->d, a->c.acct->signature,
	    &why)) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
		free(why);
		return;
	}
	if (cm->b != NULL || (cm->b = calloc(1, sizeof(*cm->b))) == NULL)
		return;
	if ((e = draft_build(&cm->d, a->c.acct, a->aliases, DRAFT_SEND, cm->b,
	    &why)) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
		free(why);
		draft_built_free(cm->b);
		free(cm->b);
		cm->b = NULL;
		return;
	}
	cm->asked = 0;
	switch (secure_built(a, cm)) {
	case 0:
		ask_next(a, cm);
		break;
	case -1:
		drop_built(cm);
		break;
	}
}

/* L: the time given. */
static void
later_given(struct app *a, void *arg, char *text)
{
	struct compose *cm = compose_find(a);
	char *why = NULL;
	int64_t at = 0;
	enum err e;

	(void)arg;
	if (cm == NULL || text == NULL || *text == '\0') {
		free(text);
		return;
	}
	e = when_parse(text, (int64_t)time(NULL), &at, &why);
	free(text);
	if (e != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
		free(why);
		return;
	}
	cm->at = at;
	compose_send(a, cm);
	/* Still here (a question, an error): the next y sends it now. */
	if ((cm = compose_find(a)) != NULL && cm->b == NULL)
		cm->at = 0;
}

void
compose_send_later(struct app *a, struct compose *cm)
{
	(void)cm;
	prompt_line(a, _("Send at (2026-12-24 09:00, 09:00, +2h): "), NULL,
	    NULL, later_given, NULL);
}

/* f: the account chosen. */
static void
account_picked(struct app *a, void *arg, int k)
{
	struct compose *cm = compose_find(a);
	const struct conf *c = a->c.conf;
	char *want;

	(void)arg;
	if (cm == NULL || k < 0 || c == NULL || (size_t)k >= c->naccounts ||
	    &c->accounts[k] == a->c.acct)
		return;
	/* c goes when the account changes: nothing of it is used after. */
	if ((want = strdup(c->accounts[k].name)) == NULL)
		return;
	if (app_use_account(a, want) < 0) {
		app_status(a, TUI_ERROR, "%s", a->account_error != NULL ?
		    a->account_error : "?");
	} else {
		/* Its From, unless one was typed. */
		(void)draft_set(&cm->d.account, want);
		draft_security_default(&cm->sec, a->c.acct);
		app_status(a, TUI_NORMAL, _("sending with %s now"), want);
		compose_changed(cm);
	}
	free(want);
}

void
compose_choose_account(struct app *a)
{
	const struct conf *c = a->c.conf;
	char **items;
	size_t i, n, cur = 0;

	if (sending_busy(a)) {
		app_status(a, TUI_ERROR, _("a message is being sent; choose "
		    "the account when it is done"));
		return;
	}
	if (c == NULL || c->naccounts < 2) {
		app_status(a, TUI_NORMAL, _("there is only this account (A on "
		    "the folders adds one)"));
		return;
	}
	n = c->naccounts;
	if ((items = calloc(n, sizeof(*items))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		items[i] = util_strf("%-16s %s", c->accounts[i].name,
		    c->accounts[i].from != NULL ? c->accounts[i].from : "");
		if (&c->accounts[i] == a->c.acct)
			cur = i;
	}
	prompt_pick(a, _("Send with the account"), items, n, cur,
	    account_picked, NULL);
}

