/* report.c - what delivery looks like from a command: the pipeline's events as lines on stderr, the exit status by pigeon(1)'s table, the queue flushed behind a send. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "smtpdoc.h"

void
cli_report_init(struct cli_report *r, int quiet, int no_queue)
{
	memset(r, 0, sizeof(*r));
	r->quiet = quiet;
	r->no_queue = no_queue;
}

/* "14:05", or "Mon 14:05" when it is not today. */
static void
when(char *b, size_t len, int64_t t)
{
	time_t now = time(NULL), tt = (time_t)t;
	struct tm a, c;

	if (localtime_r(&tt, &a) == NULL || localtime_r(&now, &c) == NULL) {
		(void)snprintf(b, len, "?");
		return;
	}
	if (strftime(b, len, a.tm_yday == c.tm_yday && a.tm_year == c.tm_year ?
	    "%H:%M" : "%a %H:%M", &a) == 0)
		(void)snprintf(b, len, "?");
}

/* What the user can do about a message that failed for good. */
static const char *
remedy(enum err e)
{
	switch (e) {
	case ERR_AUTH:
		return _("the server refused the login: check the user and "
		    "the password (password_command, ~/.netrc)");
	case ERR_TLS_VERIFY:
		return _("the server's certificate is not trusted, and that "
		    "does not mend itself: check the server name; to trust "
		    "the certificate, do as the line above says (the "
		    "tls_fingerprint line for the account, or pigeon trust "
		    "for a certificate trusted on first use), or set "
		    "tls_cafile = FILE with the certificate of the CA that "
		    "signed it (see pigeon.conf(5))");
	case ERR_NOTLS:
		return _("the server offers no STARTTLS: use smtps:// if it "
		    "has implicit TLS (smtp+plain:// would send the login in "
		    "clear text)");
	case ERR_PLAINTEXT:
		return _("there is no safe way to log in there: use TLS "
		    "(smtp:// or smtps://), or allow it with "
		    "auth_allow_plaintext = yes");
	case ERR_NOAUTH:
		return _("log in with a mechanism the server offers: change "
		    "auth in the account, or leave it out to let pigeon "
		    "choose");
	case ERR_AUTHREQ:
		return _("the server takes mail only after a login: set user "
		    "(and password_command) for this account, or use the "
		    "server's submission port, 587 or 465");
	case ERR_TOOBIG:
		return _("the message is too big for this server");
	case ERR_NOUTF8:
		return _("the server takes no addresses with non-ASCII "
		    "characters");
	default:
		return _("check the recipients and the message");
	}
}

/*
 * Each recipient refused or put off, with the server's words.  Only a
 * recipient the server refused itself (a 5xx to its RCPT) is "rejected":
 * when the message as a whole failed (a certificate, a login, a reply to
 * MAIL or DATA), the line about the message says why, and a recipient
 * the server had accepted is not called refused.  Returns the number of
 * recipients put off that were told.
 */
static size_t
recipients(const struct qentry *e, enum outbox_outcome oc)
{
	char code[16];
	size_t i, told = 0;

	for (i = 0; i < e->nrcpts; i++) {
		const struct qrcpt *q = &e->rcpts[i];
		char *said;
		const char *reply, *why;

		/* The message failed; the line about it says why. */
		if (q->state == QRCPT_FAILED && q->code / 100 != 2 &&
		    q->code / 100 != 5 && oc == OUTCOME_FAILED)
			continue;
		/* The server's words, with what its status code means. */
		said = q->reply != NULL ? smtpdoc_explained(q->reply) : NULL;
		reply = said != NULL ? said : q->reply;
		why = reply != NULL ? reply : e->last_error != NULL ?
		    e->last_error : "";
		/* A reply's text starts with its code already. */
		if (q->code > 0 && q->reply == NULL)
			(void)snprintf(code, sizeof(code), "%d ", q->code);
		else
			code[0] = '\0';
		if (q->state == QRCPT_FAILED && q->code / 100 == 2)
			cli_error(_("<%s> was accepted (%s%s), but the message "
			    "was not sent"), q->addr, code, reply != NULL ?
			    reply : "");
		else if (q->state == QRCPT_FAILED && oc != OUTCOME_FAILED)
			cli_warn(_("not delivered to <%s>: %s%s"), q->addr, code,
			    why);
		else if (q->state == QRCPT_FAILED)
			cli_error(_("recipient <%s> rejected: %s%s"), q->addr,
			    code, why);
		else if (q->state == QRCPT_PENDING && q->code >= 400 &&
		    !smtp_rcpt_refused(q->code)) {
			cli_warn(_("recipient <%s> put off: %s%s"), q->addr,
			    code, why);
			told++;
		}
		free(said);
	}
	return told;
}

/* How many recipients have their message. */
static size_t
delivered_to(const struct qentry *e)
{
	size_t i, n = 0;

	for (i = 0; i < e->nrcpts; i++)
		n += e->rcpts[i].state == QRCPT_DONE;
	return n;
}

static void
filed(struct cli_report *r, const struct submit_event *ev)
{
	const struct qentry *e = ev->q;
	const char *why = e->last_error != NULL ? e->last_error :
	    err_str(ev->err);
	char next[32];
	size_t put_off;
	int rc = 0;

	if (ev->io) {
		cli_error(_("%s: the outcome could not be filed: %s"), e->id,
		    ev->text != NULL ? ev->text : "?");
		if (r->rc == 0)
			r->rc = EX_IOERR;
		return;
	}
	if (ev->bulk) {
		r->bulk++;
		return;
	}
	r->stage = ev->stage != NULL ? ev->stage : "";
	free(r->why);
	r->why = strdup(why);
	if (r->c != NULL && r->c->stop_after != SMTP_STAGE_NONE &&
	    (ev->err == ERR_STOPPED || ev->outcome != OUTCOME_SENT)) {
		/* A test: cli_report_end() says how it ended. */
		if (ev->err == ERR_STOPPED) {
			r->stopped = 1;
			return;
		}
		(void)recipients(e, ev->outcome);
		rc = err_exit_code(ev->err);
		if (rc == EX_OK)
			rc = EX_TEMPFAIL;
		if (r->rc == 0)
			r->rc = rc;
		return;
	}
	if (r->c != NULL && r->c->stop_after != SMTP_STAGE_NONE)
		r->stopped = 1;    /* after the dot: sent, as below */
	put_off = recipients(e, ev->outcome);
	switch (ev->outcome) {
	case OUTCOME_SENT:
	case OUTCOME_PARTIAL:
		r->delivered++;
		if (ev->dropped || (r->no_queue && ev->err != ERR_OK)) {
			cli_error(_("not sent to everyone: %s; those left are "
			    "not kept (--no-queue)"), why);
			rc = EX_TEMPFAIL;
		}
		if (!r->quiet)
			(void)printf(_("sent %s%s%s%s\n"), e->id,
			    e->queue_id != NULL ? _(" (server queue id ") : "",
			    e->queue_id != NULL ? e->queue_id : "",
			    e->queue_id != NULL ? ")" : "");
		break;
	case OUTCOME_QUEUED:
		if (ev->dropped) {
			cli_error(_("not sent: %s; nothing was kept "
			    "(--no-queue)"), why);
			/* The class of the cause, for a tester: 75, 76, ... */
			rc = err_exit_code(ev->err);
			if (rc == EX_OK)
				rc = EX_TEMPFAIL;
			break;
		}
		when(next, sizeof(next), e->next_try);
		/* Put off by the server: the lines above have its words. */
		if (ev->err != ERR_OK || put_off == 0)
			cli_warn(_("not sent yet: %s"), why);
		else if (delivered_to(e) > 0)
			cli_warn(_("delivered to %zu of %zu recipients; the "
			    "server put off the others"), delivered_to(e),
			    e->nrcpts);
		cli_warn(_("%s is queued, next try at %s%s; do not send it "
		    "again ('pigeon queue flush' tries now)"), e->id, next,
		    e->uncertain ? _(" (delivery uncertain: it may have "
		    "arrived)") : "");
		break;
	case OUTCOME_FAILED:
		cli_error(_("not sent: %s"), why);
		if (ev->err == ERR_AUTH && r->c != NULL &&
		    r->c->rt.oauth2 != NULL)
			cli_error(_("the server refused the OAuth2 access "
			    "token, a new one too: check user, oauth2_scope "
			    "and that the account may send with OAuth2 (or "
			    "log in again: pigeon oauth2 login)"));
		else
			cli_error("%s", remedy(ev->err));
		cli_error(_("%s is in the failed folder: once that is put "
		    "right, 'pigeon queue retry %s' sends it, 'pigeon queue "
		    "edit %s' makes it a draft"), e->id, e->id, e->id);
		rc = err_exit_code(ev->err);
		/* Failed for good is never "try again later". */
		if (rc == EX_OK || rc == EX_TEMPFAIL)
			rc = EX_UNAVAILABLE;
		break;
	}
	if (r->rc == 0)
		r->rc = rc;
}

void
cli_report_event(void *arg, const struct submit_event *ev)
{
	struct cli_report *r = arg;

	switch (ev->kind) {
	case SUBMIT_FILED:
		filed(r, ev);
		break;
	case SUBMIT_LEFT:
		if (r->loud_left && ev->q != NULL)
			cli_warn(_("%s is being sent by another pigeon"),
			    ev->q->id);
		break;
	case SUBMIT_PROBLEM:
		cli_warn("%s", ev->text != NULL ? ev->text : "?");
		/*
		 * A message refused (a link in its place, a file of another
		 * user): the caller must know the queue was not all tried;
		 * EX_NOPERM, as pigeon(1) says.
		 */
		if (ev->err == ERR_UNSAFE && r->rc == 0)
			r->rc = err_exit_code(ev->err);
		break;
	case SUBMIT_DONE:
		if (r->bulk > 0)
			cli_warn(_("%zu messages stay queued; 'pigeon queue "
			    "flush' tries them again"), r->bulk);
		r->bulk = 0;
		break;
	default:
		break;
	}
}

int
cli_report_end(struct cli *c, struct cli_report *r, int rc)
{
	const char *stage = r->stage != NULL ? r->stage : "";

	if (c->stop_after != SMTP_STAGE_NONE)
		cli_stop_outcome(c, r->stopped && rc == 0, stage, r->why, rc);
	else
		cli_json_outcome(c, rc != 0 ? "failed" : r->delivered > 0 ?
		    "sent" : "queued", rc != 0 ? stage : "", rc,
		    rc != 0 ? r->why : NULL);
	free(r->why);
	r->why = NULL;
	return rc;
}

int
cli_open_outbox(struct outbox **ob)
{
	char *why = NULL;
	enum err e = outbox_open(ob, NULL, &why);

	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	return 0;
}

/* Is a message of the account due in the outbox (besides what was just sent)? */
static int
any_due(struct outbox *ob, const char *account)
{
	char **ids = NULL;
	size_t n = 0, i;
	struct qentry e;
	int found = 0;

	if (outbox_due(ob, (int64_t)time(NULL), &ids, &n, NULL) != ERR_OK)
		return 0;
	for (i = 0; i < n && !found; i++) {
		if (outbox_load(ob, ids[i], &e, NULL) != ERR_OK)
			continue;
		found = e.state == QENTRY_QUEUED && ((account == NULL &&
		    e.account == NULL) || (account != NULL && e.account !=
		    NULL && strcmp(account, e.account) == 0));
		qentry_free(&e);
	}
	maildir_free_list(ids, n);
	return found;
}

void
cli_flush_behind(const struct cli *c, struct outbox *ob)
{
	const char *account = c->acct != NULL ? c->acct->name : NULL;
	struct cli opts;
	struct outbox *fresh = NULL;
	pid_t pid;
	int fd;

	if (c->no_queue || (c->acct != NULL && !c->acct->flush_after_send) ||
	    !any_due(ob, account))
		return;
	(void)fflush(stdout);
	(void)fflush(stderr);
	if ((pid = fork()) != 0)
		return;    /* the parent, or no child: the timer will see to it */
	/* Detached: no terminal, no pipe of the caller held open. */
	(void)setsid();
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			(void)close(fd);
	}
	memset(&opts, 0, sizeof(opts));
	opts.config_path = c->config_path;
	opts.server = NULL;
	/* Its own outbox handle: locks of its own. */
	if (outbox_open(&fresh, NULL, NULL) == ERR_OK)
		(void)cli_flush(&opts, fresh, 1, account, 1);
	outbox_close(fresh);
	_exit(0);
}
