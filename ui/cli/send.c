/* cmd_send.c - "pigeon send": compose a MIME message from options and a body, and send it. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "charset.h"
#include "cli.h"
#include "draft.h"
#include "htmlcmd.h"
#include "i18n.h"
#include "mime.h"
#include "mimetype.h"
#include "msg.h"
#include "sanitize.h"
#include "submit.h"
#include "util.h"
#include "when.h"

#define BODY_MAX (64u * 1024 * 1024)

enum {
	OPT_FROM = CLI_OPT_LAST_,
	OPT_HTML,
	OPT_ATTACH_MESSAGE,
	OPT_BODY,
	OPT_DRY_RUN,
	OPT_7BIT,
	OPT_REPLY_TO,
	OPT_IN_REPLY_TO,
	OPT_REFERENCES,
	OPT_ABORT_ON_REJECT,
	OPT_SIGN,
	OPT_NO_SIGN,
	OPT_ENCRYPT,
	OPT_NO_ENCRYPT,
	OPT_ENCRYPT_OR_PLAIN,
	OPT_SMIME,
	OPT_PGP,
	OPT_HTML_AUTO,
	OPT_AT,
};

static const struct option send_longopts[] = {
	CLI_LONGOPTS,
	CLI_LONGOPTS_TLS,
	CLI_LONGOPTS_SEND,
	CLI_LONGOPTS_STOP,
	{ "subject", required_argument, NULL, 's' },
	{ "attach", required_argument, NULL, 'a' },
	{ "cc", required_argument, NULL, 'c' },
	{ "bcc", required_argument, NULL, 'b' },
	{ "header", required_argument, NULL, 'H' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "html-auto", no_argument, NULL, OPT_HTML_AUTO },
	{ "attach-message", required_argument, NULL, OPT_ATTACH_MESSAGE },
	{ "body", required_argument, NULL, OPT_BODY },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "7bit", no_argument, NULL, OPT_7BIT },
	{ "reply-to", required_argument, NULL, OPT_REPLY_TO },
	{ "in-reply-to", required_argument, NULL, OPT_IN_REPLY_TO },
	{ "references", required_argument, NULL, OPT_REFERENCES },
	{ "abort-on-reject", no_argument, NULL, OPT_ABORT_ON_REJECT },
	{ "sign", no_argument, NULL, OPT_SIGN },
	{ "no-sign", no_argument, NULL, OPT_NO_SIGN },
	{ "encrypt", no_argument, NULL, OPT_ENCRYPT },
	{ "no-encrypt", no_argument, NULL, OPT_NO_ENCRYPT },
	{ "encrypt-or-plain", no_argument, NULL, OPT_ENCRYPT_OR_PLAIN },
	{ "smime", no_argument, NULL, OPT_SMIME },
	{ "pgp", no_argument, NULL, OPT_PGP },
	{ "at", required_argument, NULL, OPT_AT },
	{ NULL, 0, NULL, 0 },
};

static void
send_help(FILE *fp)
{
	(void)fputs(_(
"Usage: pigeon send [options] [--] RECIPIENT...\n"
"Compose a MIME message and send it.  The text comes from --body FILE or\n"
"standard input, in the locale's character set.\n"
"\n"
"  -s, --subject TEXT      the subject\n"
"  -a, --attach FILE       attach a file (repeat); FILE;type=TYPE sets the\n"
"                          content type, FILE;inline shows it inline\n"
"  -c, --cc ADDRS          carbon copies (repeat)\n"
"  -b, --bcc ADDRS         blind copies: envelope only, never in the message\n"
"  -H, --header 'N: V'     add a header field (repeat)\n"
"  --from ADDR             the sender (default: the account's from)\n"
"  --reply-to ADDRS        where replies should go\n"
"  --in-reply-to ID        the message this one answers\n"
"  --references IDS        the thread it belongs to\n"
"  --html FILE             an HTML alternative to the text\n"
"  --html-auto             one made from the text by the account's html_command\n"
"  --attach-message FILE   forward a message file as an attachment (repeat)\n"
"  --body FILE             read the text from FILE, not standard input\n"
"  --dry-run               print the message as it would be sent; send nothing\n"
"  --7bit                  no 8bit parts even if the server offers 8BITMIME\n"
"  --abort-on-reject       send nothing if any recipient is rejected\n"
"  --sign, --no-sign       sign, or not (default: the account's pgp_sign or\n"
"                          smime_sign)\n"
"  --encrypt, --no-encrypt encrypt to every recipient and to yourself, or\n"
"                          not (default: the account's pgp_encrypt or\n"
"                          smime_encrypt)\n"
"  --encrypt-or-plain      encrypt, but send unencrypted when a recipient\n"
"                          has no key (else nothing is sent)\n"
"  --pgp, --smime          sign and encrypt with OpenPGP (PGP/MIME) or with\n"
"                          S/MIME (default: as the account's keys say)\n"
"  --at TIME               send later: hold it in the outbox until TIME\n"
"                          ('2026-12-24 09:00', '09:00', '+2h', '+1h30m')\n"
"  --chunking              use BDAT when the server offers CHUNKING\n"
"  --direct                deliver to each recipient domain's MX hosts\n"
"                          (port 25, no login), not to the account's server\n"
"  --tls-required          with --direct: STARTTLS and a valid certificate\n"
"                          for each host, else no delivery\n"), fp);
	cli_common_help(fp, 1);
}

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

/* Text in the locale's charset (or already UTF-8) as UTF-8 in out. */
static int
to_utf8(const char *what, const char *p, size_t n, struct buf *out)
{
	char *why = NULL;
	enum err e;

	if (charset_utf8_valid(p, n, NULL))
		return buf_add(out, p, n) < 0 ? EX_OSERR : 0;
	e = charset_to_utf8(out, p, n, charset_locale(), &why);
	if (e != ERR_OK) {
		cli_error(_("%s: %s"), what, why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	return 0;
}

/* An argument in the locale's charset, as a malloc'd UTF-8 string. */
static char *
arg_utf8(const char *what, const char *arg, int *rc)
{
	struct buf b;
	char *r = NULL;

	buf_init(&b, 1024 * 1024);
	if ((*rc = to_utf8(what, arg, strlen(arg), &b)) == 0 &&
	    (r = strdup(buf_str(&b))) == NULL)
		*rc = EX_OSERR;
	buf_free(&b);
	return r;
}

/* Add the address list arg (locale charset) to the typed field *field. */
static int
add_addrs(char **field, const char *what, const char *arg)
{
	char *u, *joined;
	int rc;

	if ((u = arg_utf8(what, arg, &rc)) == NULL)
		return rc;
	joined = *field == NULL ? u : util_strf("%s, %s", *field, u);
	if (joined != u)
		free(u);
	if (joined == NULL)
		return EX_OSERR;
	free(*field);
	*field = joined;
	return 0;
}

/* A value for a structured field: printable ASCII only. */
static int
ascii_value(const char *name, const char *v)
{
	const unsigned char *u;

	for (u = (const unsigned char *)v; *u != '\0'; u++)
		if (*u < 0x20 || *u >= 0x7f) {
			cli_error(_("the %s field must be printable ASCII"),
			    name);
			return EX_USAGE;
		}
	return 0;
}

/* -a FILE[;type=TYPE][;inline]: the options only when FILE;... is no file. */
static int
attach_arg(struct draft *d, const char *arg, int message)
{
	char *path, *semi, *type = NULL, *opt;
	int disp_inline = 0;
	enum err e;

	if ((path = strdup(arg)) == NULL)
		return EX_OSERR;
	while (!message && access(path, F_OK) != 0 &&
	    (semi = strrchr(path, ';')) != NULL) {
		opt = semi + 1;
		if (strncasecmp(opt, "type=", 5) == 0 && type == NULL &&
		    mimetype_valid(opt + 5)) {
			/* Those need structure the builder makes itself. */
			if (strncasecmp(opt + 5, "multipart/", 10) == 0 ||
			    strncasecmp(opt + 5, "message/", 8) == 0) {
				cli_error(_("-a cannot set the type %s (use "
				    "--attach-message for a message)"), opt + 5);
				free(path);
				return EX_USAGE;
			}
			type = opt + 5;
		} else if (strcasecmp(opt, "inline") == 0) {
			disp_inline = 1;
		} else {
			break;
		}
		*semi = '\0';
	}
	e = draft_attach(d, path, NULL, type, disp_inline, message);
	free(path);
	return e == ERR_OK ? 0 : EX_OSERR;
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
		rc = to_utf8(body_path != NULL ? body_path :
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

/* -H 'Name: value': fields pigeon knows go to their place, others are added. */
static int
header_arg(struct draft *d, char *arg)
{
	char *colon = strchr(arg, ':'), *name = arg, *value, *end, *why = NULL;
	char **dst = NULL;
	int rc;
	enum err e;

	if (colon == NULL) {
		cli_error(_("-H takes 'Name: value', not '%s'"), arg);
		return EX_USAGE;
	}
	*colon = '\0';
	value = colon + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (strcasecmp(name, "Date") == 0)
		dst = &d->date;
	else if (strcasecmp(name, "Message-ID") == 0)
		dst = &d->message_id;
	else if (strcasecmp(name, "In-Reply-To") == 0)
		dst = &d->in_reply_to;
	else if (strcasecmp(name, "References") == 0)
		dst = &d->references;
	else if (strcasecmp(name, "Reply-To") == 0)
		return add_addrs(&d->reply_to, "Reply-To", value);
	if (dst != NULL) {
		if ((rc = ascii_value(name, value)) != 0)
			return rc;
		return draft_set(dst, value) < 0 ? EX_OSERR : 0;
	}
	if ((e = draft_add_field(d, name, value, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	return 0;
}

/* Copy the spool to standard output (a terminal), control characters escaped. */
static int
print_message(int fd)
{
	char blk[65536], *p, *end, *nl;
	struct buf safe;
	ssize_t n;
	int rc = 0;

	buf_init(&safe, 8 * sizeof(blk));
	if (lseek(fd, 0, SEEK_SET) < 0)
		return EX_IOERR;
	while ((n = read(fd, blk, sizeof(blk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = EX_IOERR;
			break;
		}
		/* Line by line: the line ends stay, the rest is shown safe. */
		buf_reset(&safe);
		for (p = blk, end = blk + n; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end;
			(void)sanitize_mode_append(&safe, p, (size_t)(nl - p),
			    SANITIZE_BODY);
			if (nl < end)
				(void)buf_addch(&safe, '\n');
		}
		if (fwrite(safe.data, 1, safe.len, stdout) != safe.len) {
			rc = EX_IOERR;
			break;
		}
	}
	buf_free(&safe);
	if (fflush(stdout) != 0 || rc != 0) {
		cli_error(_("cannot write the message: %s"), strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

/*
 * Sign and encrypt as the options (-1: not given) and the account say.
 * 0, or an exit code with the user told; a recipient without a key
 * keeps the message in drafts, and nothing is sent.
 */
static int
secure(const struct cli *c, struct draft *d, struct draft_built *b,
    int sign, int encrypt, int plain_ok, enum pgpmime_method method,
    int dry)
{
	struct draft_security s;
	struct outbox *ob = NULL;
	char *why = NULL, *missing = NULL;
	enum err e;
	int rc;

	draft_security_default(&s, c->acct);
	if (sign >= 0)
		s.what = sign ? s.what | PGPMIME_SIGN : s.what & ~PGPMIME_SIGN;
	if (encrypt >= 0)
		s.what = encrypt ? s.what | PGPMIME_ENCRYPT :
		    s.what & ~PGPMIME_ENCRYPT;
	if (method != PGPMIME_NONE)
		s.method = method;
	else if (s.what != 0 && s.method == PGPMIME_NONE)
		s.method = draft_security_method(c->acct);
	if (s.what == 0)
		s.method = PGPMIME_NONE;
	s.plain_ok = plain_ok;
	if (s.what == 0 && (c->acct == NULL || !c->acct->autocrypt))
		return 0;
	if ((rc = cli_open_outbox(&ob)) != 0)
		return rc;
	e = draft_secure(b, c->acct, &s, outbox_dir(ob), &missing, &why);
	if (e == ERR_OK && missing != NULL)
		cli_warn(_("sent unencrypted, as asked: no usable key for %s"),
		    missing);
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
	/* Nothing goes out; what was written is kept, and how it should go. */
	d->sec = s;
	d->has_sec = 1;
	if (missing != NULL && !dry && save_draft(c, d, 1) != 0)
		rc = EX_CANTCREAT;
	free(missing);
	return rc;
}

/* --dry-run: the message as it would go to a server with 8BITMIME. */
static int
dry_run(const struct draft_built *b, int no8bit)
{
	struct mime_result mr;
	char *why = NULL;
	enum err e;
	int fd, rc;

	if (!isatty(STDOUT_FILENO)) {
		if ((e = mime_write(&b->mm, STDOUT_FILENO, !no8bit, &mr,
		    &why)) == ERR_OK)
			return 0;
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	/* On a terminal: through a spool, shown safe. */
	if ((fd = msg_open_spool(NULL)) < 0) {
		cli_error(_("cannot create a spool file: %s"), strerror(errno));
		return EX_CANTCREAT;
	}
	if ((e = mime_write(&b->mm, fd, !no8bit, &mr, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		(void)close(fd);
		return err_exit_code(e);
	}
	rc = print_message(fd);
	(void)close(fd);
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

/* send's options and cc's (first: they win a name both have), or NULL. */
static struct option *
longopts_with(const struct cli_compose *cc)
{
	struct option *all;
	size_t n = 0, m = sizeof(send_longopts) / sizeof(send_longopts[0]);

	while (cc->opts[n].name != NULL)
		n++;
	if ((all = calloc(n + m, sizeof(*all))) == NULL)
		return NULL;
	memcpy(all, cc->opts, n * sizeof(*all));
	memcpy(all + n, send_longopts, m * sizeof(*all));
	return all;
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
	struct draft d;
	struct draft_built b;
	const char *body_path = NULL, *html = NULL, *from = NULL;
	char *why = NULL, *subject = NULL;
	int opt, rc = 0, dry = 0, no8bit = 0, abort_on_reject = 0;
	int sign = -1, encrypt = -1, plain_ok = 0, html_auto = 0;
	enum pgpmime_method method = PGPMIME_NONE;
	int64_t at = 0;
	size_t i;
	enum err e;
	struct option *longopts = NULL;
	int stdin_taken = 0;

	memset(&c, 0, sizeof(c));
	memset(&b, 0, sizeof(b));
	draft_init(&d);
	if (cc != NULL && (longopts = longopts_with(cc)) == NULL) {
		rc = EX_OSERR;
		goto out;
	}
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":s:a:c:b:H:v46", cc != NULL ?
	    longopts : send_longopts, NULL)) != -1) {
		if (cli_common_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case 's':
			free(subject);
			if ((subject = arg_utf8("-s", optarg, &rc)) == NULL)
				goto out;
			break;
		case 'a':
		case OPT_ATTACH_MESSAGE:
			if ((rc = attach_arg(&d, optarg, opt ==
			    OPT_ATTACH_MESSAGE)) != 0)
				goto out;
			break;
		case 'c':
			if ((rc = add_addrs(&d.cc, "Cc", optarg)) != 0)
				goto out;
			break;
		case 'b':
			if ((rc = add_addrs(&d.bcc, "Bcc", optarg)) != 0)
				goto out;
			break;
		case 'H':
			if ((rc = header_arg(&d, optarg)) != 0)
				goto out;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_HTML:
			html = optarg;
			break;
		case OPT_HTML_AUTO:
			html_auto = 1;
			break;
		case OPT_BODY:
			body_path = optarg;
			break;
		case OPT_DRY_RUN:
			dry = 1;
			break;
		case OPT_7BIT:
			no8bit = 1;
			break;
		case OPT_REPLY_TO:
			if ((rc = add_addrs(&d.reply_to, "Reply-To", optarg)) !=
			    0)
				goto out;
			break;
		case OPT_IN_REPLY_TO:
			if ((rc = ascii_value("In-Reply-To", optarg)) != 0 ||
			    (rc = draft_set(&d.in_reply_to, optarg) < 0 ?
			    EX_OSERR : 0) != 0)
				goto out;
			break;
		case OPT_REFERENCES:
			if ((rc = ascii_value("References", optarg)) != 0 ||
			    (rc = draft_set(&d.references, optarg) < 0 ?
			    EX_OSERR : 0) != 0)
				goto out;
			break;
		case OPT_ABORT_ON_REJECT:
			abort_on_reject = 1;
			break;
		case OPT_SIGN:
		case OPT_NO_SIGN:
			sign = opt == OPT_SIGN;
			break;
		case OPT_ENCRYPT_OR_PLAIN:
			plain_ok = 1;
			/* FALLTHROUGH */
		case OPT_ENCRYPT:
		case OPT_NO_ENCRYPT:
			encrypt = opt != OPT_NO_ENCRYPT;
			break;
		case OPT_SMIME:
		case OPT_PGP:
			method = opt == OPT_SMIME ? PGPMIME_SMIME : PGPMIME_PGP;
			break;
		case OPT_AT:
			if ((e = when_parse(optarg, (int64_t)time(NULL), &at,
			    &why)) != ERR_OK) {
				cli_error(_("--at: %s"), why != NULL ? why :
				    err_str(e));
				rc = err_exit_code(e);
				goto out;
			}
			break;
		case CLI_OPT_HELP:
			if (cc != NULL)
				cc->help(stdout);
			else
				send_help(stdout);
			rc = EX_OK;
			goto out;
		case CLI_OPT_VERSION:
			cli_version();
			rc = EX_OK;
			goto out;
		default:
			if (cc != NULL && cc->option(cc->arg, opt))
				break;
			rc = cli_bad_option(cc != NULL ? cc->cmd : "send", argv,
			    opt);
			goto out;
		}
	}
	/* The operands of a reply or forward are its to say. */
	for (i = (size_t)optind; cc == NULL && i < (size_t)argc; i++)
		if ((rc = add_addrs(&d.to, "To", argv[i])) != 0)
			goto out;
	if (c.direct && c.server != NULL) {
		cli_error(_("--direct and --server exclude each other: the "
		    "one goes to the MX hosts, the other to one server"));
		rc = EX_USAGE;
		goto out;
	}
	if (at != 0 && (c.no_queue || c.stop_after != SMTP_STAGE_NONE)) {
		cli_error(_("--at holds the message in the outbox: it cannot "
		    "go with --no-queue or a stop point"));
		rc = EX_USAGE;
		goto out;
	}
	if (cc == NULL && d.to == NULL && d.cc == NULL && d.bcc == NULL) {
		cli_error(_("no recipients: give at least one address"));
		rc = EX_USAGE;
		goto out;
	}
	d.subject = subject;
	subject = NULL;
	if (from != NULL && (rc = add_addrs(&d.from, "From", from)) != 0)
		goto out;
	if (html != NULL) {
		struct buf raw;

		buf_init(&raw, BODY_MAX);
		if ((rc = slurp(html, &raw)) == 0)
			rc = to_utf8(html, buf_str(&raw), raw.len, &d.html);
		buf_free(&raw);
		if (rc != 0)
			goto out;
		d.has_html = 1;
	}
	if (cc != NULL && (rc = cc->start(cc->arg, &c, &d, argv + optind,
	    argc - optind, &stdin_taken)) != 0)
		goto out;
	/* Held for later: the flush that sends it gets the password then. */
	if ((rc = dry ? cli_load_config(&c) : cli_setup(&c, NULL, at == 0)) !=
	    0)
		goto out;
	if (c.acct != NULL && (rc = draft_set(&d.account, c.acct->name) < 0 ?
	    EX_OSERR : 0) != 0)
		goto out;
	catch_stop(1);
	if ((body_path != NULL || !stdin_taken) &&
	    (rc = read_text(body_path, &d)) != 0)
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
	if (html_auto && (rc = html_from_text(&c, &d)) != 0)
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
	if ((rc = secure(&c, &d, &b, sign, encrypt, plain_ok, method,
	    dry)) != 0)
		goto out;
	if (dry)
		rc = dry_run(&b, no8bit);
	else if (stop_signal)
		rc = save_draft(&c, &d, 0);
	else
		rc = queue_and_send(&c, &b, no8bit, abort_on_reject, at);
out:
	draft_built_free(&b);
	draft_free(&d);
	free(subject);
	free(why);
	free(longopts);
	cli_cleanup(&c);
	if (stop_signal)
		die_of_stop();
	return rc;
}
