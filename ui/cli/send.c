/* send.c - "pigeon send": compose a MIME message from the options (sendopts.c) and a body, and send it. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "charset.h"
#include "cli.h"
#include "draft.h"
#include "htmlcmd.h"
#include "i18n.h"
#include "mime.h"
#include "senddry.h"
#include "sendopts.h"
#include "submit.h"
#include "util.h"
#include "when.h"

#define BODY_MAX (64u * 1024 * 1024)

/*
 * SIGHUP (the terminal or SSH link went away) or SIGTERM while the message
 * is being composed: what there is of it is saved as a draft, then the
 * signal takes its course.
 */
static volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
	stop_signal = sig;
}

/* No SA_RESTART: reading the text stops at the signal. */
static void
catch_stop(int on)
{
	util_catch_stop(on ? on_stop : NULL);
}

/* Die of the signal that stopped us, as if it had not been caught. */
static void
die_of_stop(void)
{
	int sig = stop_signal;

	catch_stop(0);
	(void)raise(sig);
}

/* Read a whole file (or fd 0) into b; 0 or an exit code (the error shown). */
static int
slurp(const char *path, struct buf *b)
{
	const char *name = path != NULL ? path : _("standard input");
	int fd = STDIN_FILENO, err = 0;

	if (path != NULL && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_error(_("cannot read '%s': %s"), path, strerror(errno));
		return EX_NOINPUT;
	}
	if (buf_read_fd_stop(b, fd, &stop_signal) < 0 &&
	    !(errno == EINTR && stop_signal))
		err = errno;
	if (path != NULL)
		(void)close(fd);
	if (err == 0)
		return 0;
	if (err == E2BIG)
		cli_error(_("'%s' is larger than %u MiB"), name,
		    BODY_MAX / 1024 / 1024);
	else
		cli_error(_("cannot read '%s': %s"), name, strerror(err));
	return path != NULL ? EX_NOINPUT : EX_IOERR;
}

/* The text: the body (a signal may cut a character in two), as UTF-8. */
static int
read_text(const char *body_path, struct draft *d)
{
	struct buf raw;
	size_t k;
	int rc;

	buf_init(&raw, BODY_MAX);
	rc = slurp(body_path, &raw);
	if (rc == 0 && stop_signal &&
	    !charset_utf8_valid(buf_str(&raw), raw.len, NULL))
		for (k = 1; k <= 3 && k <= raw.len; k++)
			if (charset_utf8_valid(buf_str(&raw), raw.len - k,
			    NULL)) {
				buf_truncate(&raw, raw.len - k);
				break;
			}
	if (rc == 0)
		rc = sendopts_to_utf8(body_path != NULL ? body_path :
		    _("standard input"), buf_str(&raw), raw.len, &d->text);
	buf_free(&raw);
	return rc;
}

/*
 * Save d as a new draft (the composition was stopped by a signal); 0 or an
 * exit code, the user told either way.
 */
static int
save_draft(const struct cli *c, struct draft *d, int refused)
{
	struct outbox *ob = NULL;
	struct maildir *md = NULL;
	char *why = NULL;
	enum err e;
	int rc;

	if ((rc = cli_open_outbox(&ob)) != 0)
		return rc;
	if ((e = outbox_drafts_open(ob, c->acct, &md, &why)) == ERR_OK)
		e = draft_save(md, d, c->acct, &why);
	if (e != ERR_OK) {
		if (refused)
			cli_error(_("the message could not be saved as a "
			    "draft: %s"), why != NULL ? why : err_str(e));
		else
			cli_error(_("stopped by a signal, and the message "
			    "could not be saved as a draft: %s"), why != NULL ?
			    why : err_str(e));
		rc = err_exit_code(e);
	} else if (refused) {
		cli_warn(_("nothing was sent: the message is saved as draft "
		    "%s in %s"), d->id, maildir_path(md));
	} else {
		cli_warn(_("stopped by a signal: the message so far is saved as "
		    "draft %s in %s"), d->id, maildir_path(md));
	}
	if (md != NULL)
		outbox_drafts_close(ob, md);
	free(why);
	outbox_close(ob);
	return rc;
}

/*
 * Sign and encrypt as the options (o->sign, o->encrypt: -1 when not
 * given) and the account say.
 * 0, or an exit code with the user told; a recipient without a key
 * keeps the message in drafts, and nothing is sent.
 */
static int
secure(const struct cli *c, struct draft *d, struct draft_built *b,
    const struct send_opts *o)
{
	struct draft_security s;
	struct outbox *ob = NULL;
	char *why = NULL, *missing = NULL;
	enum err e;
	int rc;

	draft_security_default(&s, c->acct);
	if (o->sign >= 0)
		s.what = o->sign ? s.what | PGPMIME_SIGN : s.what & ~PGPMIME_SIGN;
	if (o->encrypt >= 0)
		s.what = o->encrypt ? s.what | PGPMIME_ENCRYPT :
		    s.what & ~PGPMIME_ENCRYPT;
	if (o->method != PGPMIME_NONE)
		s.method = o->method;
	else if (s.what != 0 && s.method == PGPMIME_NONE)
		s.method = draft_security_method(c->acct);
	if (s.what == 0)
		s.method = PGPMIME_NONE;
	s.plain_ok = o->plain_ok;
	if (s.what == 0 && (c->acct == NULL || !c->acct->autocrypt))
		return 0;
	if ((rc = cli_open_outbox(&ob)) != 0)
		return rc;
	e = draft_secure(b, c->acct, &s, outbox_dir(ob), &missing, &why);
	if (e == ERR_OK && missing != NULL)
		cli_warn(s.method == PGPMIME_SMIME ? _("sent unencrypted, as "
		    "asked: no usable S/MIME certificate for %s") : _("sent "
		    "unencrypted, as asked: no usable key for %s"), missing);
	else if (e == ERR_DATA && missing != NULL && s.method == PGPMIME_SMIME)
		cli_error(_("cannot encrypt: no usable S/MIME certificate for "
		    "%s (put it in the folder of smime_certs, or send with "
		    "--encrypt-or-plain or --no-encrypt)"), missing);
	else if (e == ERR_DATA && missing != NULL)
		cli_error(_("cannot encrypt: no usable OpenPGP key for %s "
		    "(import the key, or send with --encrypt-or-plain or "
		    "--no-encrypt)"), missing);
	else if (e != ERR_OK)
		cli_error("%s", why != NULL ? why : err_str(e));
	outbox_close(ob);
	free(why);
	if (e == ERR_OK) {
		free(missing);
		return 0;
	}
	rc = err_exit_code(e);
	/*
	 * Nothing goes out; what was written is kept, and how it should go:
	 * a missing key, a wrong passphrase or an expired certificate put
	 * right, the draft goes as it is.
	 */
	d->sec = s;
	d->has_sec = 1;
	if (!o->dry && e != ERR_NOMEM && save_draft(c, d, 1) != 0)
		rc = EX_CANTCREAT;
	free(missing);
	return rc;
}

/* mime_write_to() wrote a block to the outbox: the session takes it. */
static void
spooled(void *arg, const char *p, size_t n)
{
	submit_stream_grown(arg, p, n);
}

/* The envelope of b for rcpts[0..n), to server (NULL: the account's). */
static void
envelope(const struct cli *c, const struct draft_built *b, const char *server,
    const char **rcpts, size_t n, struct submit_env *env)
{
	memset(env, 0, sizeof(*env));
	env->account = c->acct != NULL ? c->acct->name : NULL;
	env->server = server;
	env->from = b->from.v[0].spec;
	env->rcpts = rcpts;
	env->nrcpts = n;
	env->dsn_notify = c->acct != NULL ? c->acct->dsn_notify : NULL;
	env->dsn_ret = c->acct != NULL ? c->acct->dsn_return : NULL;
	env->chunking = c->chunking;
}

/*
 * --at: b goes into the outbox held until at; no connection now.  A
 * flush sends it once that time has come (the timer's within minutes).
 */
static int
queue_held(struct cli *c, const struct draft_built *b, int no8bit,
    const char *server, const char **rcpts, size_t n, int64_t at)
{
	struct outbox *ob = NULL;
	struct outbox_item it;
	struct submit_env env;
	struct qentry q;
	char *why = NULL, when[64];
	enum err e;
	int rc;

	if ((rc = cli_open_outbox(&ob)) != 0)
		return rc;
	envelope(c, b, server, rcpts, n, &env);
	env.not_before = at;
	qentry_init(&q);
	if ((e = submit_queue_built(ob, b, &env, no8bit, &it, &q, &why)) !=
	    ERR_OK) {
		cli_error(_("the message could not be put in the outbox: %s"),
		    why != NULL ? why : err_str(e));
		free(why);
		qentry_free(&q);
		outbox_close(ob);
		return err_exit_code(e);
	}
	outbox_release(ob, &it);
	when_format(at, when, sizeof(when));
	(void)printf(_("%s queued: held until %s ('pigeon queue retry %s' "
	    "sends it now, 'pigeon queue edit %s' makes it a draft)\n"),
	    q.id, when, q.id, q.id);
	qentry_free(&q);
	outbox_close(ob);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/*
 * Queue b for rcpts[0..n) over rt (its server as the entry's: NULL, the
 * account's) and deliver it; the exit status by the table of pigeon(1).
 */
static int
queue_one(struct cli *c, const struct draft_built *b, int no8bit,
    int abort_on_reject, struct route *rt, const char *server,
    const char **rcpts, size_t n, int64_t at)
{
	struct outbox *ob = NULL;
	struct outbox_item it;
	struct qentry q;
	struct submit_env env;
	struct submit_opts so;
	struct cli_report rep;
	struct submit *s = NULL;
	struct mime_result mr;
	char *why = NULL;
	enum err e;
	int rc;

	if (at != 0)
		return queue_held(c, b, no8bit, server, rcpts, n, at);
	qentry_init(&q);
	if ((rc = cli_open_outbox(&ob)) != 0)
		return rc;
	envelope(c, b, server, rcpts, n, &env);
	cli_report_init(&rep, 1, c->no_queue);
	rep.c = c;
	memset(&so, 0, sizeof(so));
	so.rt = rt;
	so.abort_on_reject = abort_on_reject;
	so.no_queue = c->no_queue;
	so.test = c->stop_after != SMTP_STAGE_NONE;
	so.event = cli_report_event;
	so.arg = &rep;
	/*
	 * Into the outbox and to the server at once: the session connects
	 * and takes the message as it is written; its end goes only once
	 * the outbox copy is durable (submit_stream_commit()).
	 */
	e = outbox_begin(ob, &it, &why);
	if (e == ERR_OK && (submit_fill(&q, &env, 0) != ERR_OK ||
	    (q.id = strdup(it.tx.name)) == NULL ||
	    submit_new_stream(&s, ob, &so, c->tr, &q, it.tx.fd) != ERR_OK))
		e = ERR_NOMEM;
	if (e == ERR_OK)
		e = mime_write_to(&b->mm, it.tx.fd, !no8bit, spooled, s, &mr,
		    &why);
	if (e == ERR_OK && stop_signal) {
		/* Stopped: queued as it is, nothing sent now. */
		submit_stream_abandon(s);
		submit_free(s);
		s = NULL;
		qentry_free(&q);
		qentry_init(&q);
		e = submit_commit(ob, &it, &q, &env, mr.eightbit, mr.wire_size,
		    0, &why);
	} else if (e == ERR_OK) {
		e = submit_stream_commit(s, &it, mr.eightbit, mr.wire_size,
		    &why);
	} else if (s != NULL) {
		submit_stream_abandon(s);
	}
	if (e != ERR_OK) {
		cli_error(_("the message could not be put in the outbox, "
		    "nothing was sent: %s"), why != NULL ? why : err_str(e));
		free(why);
		submit_free(s);
		outbox_release(ob, &it);
		qentry_free(&q);
		outbox_close(ob);
		return err_exit_code(e);
	}
	free(why);
	if (s == NULL) {
		cli_warn(_("stopped by a signal: %s is queued; 'pigeon queue "
		    "flush' sends it"), q.id);
		outbox_release(ob, &it);
		qentry_free(&q);
		outbox_close(ob);
		return EX_OK;
	}
	/* Queued: from here on a signal loses nothing. */
	catch_stop(0);
	submit_run(s);
	rc = cli_report_end(c, &rep, rep.rc);
	submit_free(s);
	outbox_release(ob, &it);
	/* The server took this one: older mail may go now too. */
	if (rep.delivered > 0)
		cli_flush_behind(c, ob);
	outbox_close(ob);
	return rc;
}

/* The domain of an addr-spec: after its last '@', NULL when it has none. */
static const char *
domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

/*
 * --direct: one entry and one session per recipient domain, to its MX
 * hosts.  The exit status is the first failure's, else 0.
 */
static int
send_direct(struct cli *c, const struct draft_built *b, int no8bit,
    int abort_on_reject, int64_t at)
{
	const char **v;
	const char *d;
	struct route rt;
	char *server;
	size_t i, j, n;
	int rc = 0, r;

	for (i = 0; i < b->nrcpts; i++)
		if (domain_of(b->rcpts[i]) == NULL) {
			cli_error(_("--direct needs a domain in every "
			    "recipient, not '%s'"), b->rcpts[i]);
			return EX_USAGE;
		}
	if ((v = calloc(b->nrcpts, sizeof(*v))) == NULL)
		return EX_OSERR;
	for (i = 0; i < b->nrcpts && !stop_signal; i++) {
		d = domain_of(b->rcpts[i]);
		/* The first recipient of each domain gathers the others. */
		for (j = 0; j < i; j++)
			if (strcasecmp(domain_of(b->rcpts[j]), d) == 0)
				break;
		if (j < i)
			continue;
		for (n = 0, j = i; j < b->nrcpts; j++)
			if (strcasecmp(domain_of(b->rcpts[j]), d) == 0)
				v[n++] = b->rcpts[j];
		memset(&rt, 0, sizeof(rt));
		if ((server = route_direct(d, c->tls_required)) == NULL) {
			r = EX_OSERR;
		} else if ((r = cli_route(c, &rt, server)) == 0) {
			r = queue_one(c, b, no8bit, abort_on_reject, &rt,
			    server, v, n, at);
		}
		route_free(&rt);
		free(server);
		if (rc == 0)
			rc = r;
	}
	free(v);
	return rc;
}

/* Queue b and deliver it; the exit status by the table of pigeon(1). */
static int
queue_and_send(struct cli *c, const struct draft_built *b, int no8bit,
    int abort_on_reject, int64_t at)
{
	if (c->direct)
		return send_direct(c, b, no8bit, abort_on_reject, at);
	return queue_one(c, b, no8bit, abort_on_reject, &c->rt, c->server,
	    b->rcpts, b->nrcpts, at);
}

/* --html-auto: the account's html_command makes the HTML from the text (signature included). */
static int
html_from_text(struct cli *c, struct draft *d)
{
	const char *cmd = c->acct != NULL ? c->acct->html_command : NULL;
	char *why = NULL;
	enum err e;

	if (cmd == NULL || *cmd == '\0') {
		cli_error(_("--html-auto: the account has no html_command"));
		return EX_CONFIG;
	}
	if (d->has_html) {
		cli_error(_("--html and --html-auto: give one"));
		return EX_USAGE;
	}
	buf_reset(&d->html);
	e = htmlcmd_run(cmd, buf_str(&d->text), d->text.len, &d->html, &why);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return e == ERR_NOMEM ? EX_OSERR : EX_CONFIG;
	}
	d->has_html = 1;
	return 0;
}

int
cmd_send(int argc, char **argv)
{
	return cli_send_main(argc, argv, NULL);
}

int
cli_send_main(int argc, char **argv, const struct cli_compose *cc)
{
	struct cli c;
	struct send_opts o;
	struct draft d;
	struct draft_built b;
	char *why = NULL;
	int rc = 0;
	enum err e;
	int stdin_taken = 0;

	memset(&c, 0, sizeof(c));
	memset(&b, 0, sizeof(b));
	draft_init(&d);
	if ((rc = sendopts_parse(&o, &c, &d, argc, argv, cc)) != 0) {
		if (rc == SENDOPTS_DONE)
			rc = EX_OK;
		goto out;
	}
	if (o.html != NULL) {
		struct buf raw;

		buf_init(&raw, BODY_MAX);
		if ((rc = slurp(o.html, &raw)) == 0)
			rc = sendopts_to_utf8(o.html, buf_str(&raw), raw.len,
			    &d.html);
		buf_free(&raw);
		if (rc != 0)
			goto out;
		d.has_html = 1;
	}
	if (cc != NULL && (rc = cc->start(cc->arg, &c, &d, argv + optind,
	    argc - optind, &stdin_taken)) != 0)
		goto out;
	/* Held for later: the flush that sends it gets the password then. */
	if ((rc = o.dry ? cli_load_config(&c) : cli_setup(&c, NULL, o.at == 0))
	    != 0)
		goto out;
	if (c.acct != NULL && (rc = draft_set(&d.account, c.acct->name) < 0 ?
	    EX_OSERR : 0) != 0)
		goto out;
	catch_stop(1);
	if ((o.body_path != NULL || !stdin_taken) &&
	    (rc = read_text(o.body_path, &d)) != 0)
		goto out;
	if (cc != NULL) {
		if ((rc = cc->finish(cc->arg, &c, &d)) != 0)
			goto out;
	/* The signature rule is the draft's: after "-- ", once. */
	} else if (c.acct != NULL && (e = draft_sign(&d, c.acct->signature,
	    &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		rc = err_exit_code(e);
		goto out;
	}
	if (o.html_auto && (rc = html_from_text(&c, &d)) != 0)
		goto out;
	if (stop_signal) {
		rc = save_draft(&c, &d, 0);
		goto out;
	}
	/* Everything the user typed is checked before any connection. */
	if ((e = draft_build(&d, c.acct, NULL, DRAFT_SEND, &b, &why)) !=
	    ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		rc = e == ERR_USAGE ? EX_USAGE : err_exit_code(e);
		goto out;
	}
	if ((rc = secure(&c, &d, &b, &o)) != 0)
		goto out;
	if (o.dry)
		rc = senddry_run(&b, o.no8bit);
	else if (stop_signal)
		rc = save_draft(&c, &d, 0);
	else
		rc = queue_and_send(&c, &b, o.no8bit, o.abort_on_reject,
		    o.at);
out:
	draft_built_free(&b);
	draft_free(&d);
	free(why);
	cli_cleanup(&c);
	if (stop_signal)
		die_of_stop();
	return rc;
}
