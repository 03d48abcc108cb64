/* cmd_send.c - "pigeon send": compose a MIME message from options and a body, and send it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "charset.h"
#include "cli.h"
#include "deliver.h"
#include "i18n.h"
#include "mime.h"
#include "mimetype.h"
#include "msg.h"
#include "sanitize.h"
#include "util.h"

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
};

static const struct option send_longopts[] = {
	CLI_LONGOPTS,
	CLI_LONGOPTS_SEND,
	{ "subject", required_argument, NULL, 's' },
	{ "attach", required_argument, NULL, 'a' },
	{ "cc", required_argument, NULL, 'c' },
	{ "bcc", required_argument, NULL, 'b' },
	{ "header", required_argument, NULL, 'H' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "attach-message", required_argument, NULL, OPT_ATTACH_MESSAGE },
	{ "body", required_argument, NULL, OPT_BODY },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "7bit", no_argument, NULL, OPT_7BIT },
	{ "reply-to", required_argument, NULL, OPT_REPLY_TO },
	{ "in-reply-to", required_argument, NULL, OPT_IN_REPLY_TO },
	{ "references", required_argument, NULL, OPT_REFERENCES },
	{ "abort-on-reject", no_argument, NULL, OPT_ABORT_ON_REJECT },
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
"  --attach-message FILE   forward a message file as an attachment (repeat)\n"
"  --body FILE             read the text from FILE, not standard input\n"
"  --dry-run               print the message as it would be sent; send nothing\n"
"  --7bit                  no 8bit parts even if the server offers 8BITMIME\n"
"  --abort-on-reject       send nothing if any recipient is rejected\n"
"  --chunking              use BDAT when the server offers CHUNKING\n"), fp);
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

static int
add_addrs(struct addr_list *l, const char *what, const char *arg)
{
	char *u, *why = NULL;
	int rc;
	enum err e;

	if ((u = arg_utf8(what, arg, &rc)) == NULL)
		return rc;
	e = addr_list_parse(l, u, strlen(u), &why);
	free(u);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
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

struct attach {
	const char *arg;
	int message;           /* --attach-message */
};

struct send_opts {
	const char *subject, *from, *html, *body_path;
	const char *reply_to, *in_reply_to, *references;
	const char *date, *message_id;
	char **headers;        /* -H arguments */
	size_t nheaders;
	struct attach *att;
	size_t natt;
	int dry_run, no8bit, abort_on_reject;
};

static int
push_str(char ***v, size_t *n, char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (nv == NULL)
		return -1;
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

/* -a FILE[;type=TYPE][;inline]: the options only when FILE;... is no file. */
static int
attach_file(struct mime_part *mixed, const char *arg,
    const struct mimetypes *mt)
{
	char *path, *semi, *type = NULL, *opt;
	enum mime_disp disp = MIME_ATTACHMENT;
	struct mime_part *p;
	char *why = NULL;
	enum err e;

	if ((path = strdup(arg)) == NULL)
		return EX_OSERR;
	while (access(path, F_OK) != 0 && (semi = strrchr(path, ';')) != NULL) {
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
			disp = MIME_INLINE;
		} else {
			break;
		}
		*semi = '\0';
	}
	if (type != NULL && (type = strdup(type)) == NULL) {
		free(path);
		return EX_OSERR;
	}
	e = mime_file(&p, path, type, disp, mt, &why);
	free(path);
	free(type);
	if (e == ERR_OK && (e = mime_add(mixed, p)) != ERR_OK)
		mime_free(p);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	return 0;
}

/* The text: the body, the signature after "-- ", as UTF-8. */
static int
read_text(const struct send_opts *so, const struct account *a,
    struct buf *text)
{
	struct buf raw, sig;
	int rc;

	buf_init(&raw, BODY_MAX);
	buf_init(&sig, BODY_MAX);
	rc = slurp(so->body_path, &raw);
	/* Cut short by a signal: a character may be cut in two. */
	if (rc == 0 && stop_signal &&
	    !charset_utf8_valid(buf_str(&raw), raw.len, NULL)) {
		size_t k;

		for (k = 1; k <= 3 && k <= raw.len; k++)
			if (charset_utf8_valid(buf_str(&raw), raw.len - k,
			    NULL)) {
				buf_truncate(&raw, raw.len - k);
				break;
			}
	}
	if (rc == 0)
		rc = to_utf8(so->body_path != NULL ? so->body_path :
		    _("standard input"), buf_str(&raw), raw.len, text);
	if (rc == 0 && a != NULL && a->signature != NULL) {
		buf_reset(&raw);
		if ((rc = slurp(a->signature, &raw)) == 0)
			rc = to_utf8(a->signature, buf_str(&raw), raw.len, &sig);
		if (rc == 0 && ((text->len > 0 &&
		    text->data[text->len - 1] != '\n' &&
		    buf_addch(text, '\n') < 0) ||
		    (strncmp(buf_str(&sig), "-- \n", 4) != 0 &&
		    buf_addstr(text, "-- \n") < 0) ||
		    buf_add(text, buf_str(&sig), sig.len) < 0))
			rc = EX_DATAERR;
	}
	buf_free(&raw);
	buf_free(&sig);
	return rc;
}

/*
 * Save m, Bcc included, as a new draft (the composition was stopped by a
 * signal); 0 or an exit code, the user told either way.
 */
static int
save_draft(struct mime_msg *m, const struct addr_list *bcc)
{
	struct outbox *ob = NULL;
	struct maildir *md;
	struct maildir_tx tx;
	struct mime_result mr;
	char *why = NULL;
	enum err e;
	int rc;

	if ((rc = deliver_open(&ob)) != 0)
		return rc;
	md = outbox_folder(ob, OUTBOX_DRAFTS);
	m->bcc = bcc->v;
	m->nbcc = bcc->n;
	if ((e = maildir_begin(md, NULL, &tx, &why)) == ERR_OK &&
	    (e = mime_write(m, tx.fd, 1, &mr, &why)) == ERR_OK)
		e = maildir_commit(md, &tx, "D", &why);
	m->bcc = NULL;
	m->nbcc = 0;
	if (e != ERR_OK) {
		maildir_abort(md, &tx);
		cli_error(_("stopped by a signal, and the message could not be "
		    "saved as a draft: %s"), why != NULL ? why : err_str(e));
		rc = err_exit_code(e);
	} else {
		cli_warn(_("stopped by a signal: the message so far is saved as "
		    "draft %s in %s/drafts"), tx.name, outbox_dir(ob));
	}
	free(tx.name);
	free(why);
	outbox_close(ob);
	return rc;
}

/* The tree: text [+ html alternative] [+ attachments]. */
static int
build(const struct send_opts *so, const struct account *a,
    struct mime_part **root)
{
	struct mime_part *text = NULL, *html = NULL, *alt = NULL, *mixed = NULL;
	struct mimetypes *mt = NULL;
	struct buf body, hbuf, hutf;
	const char *cs = a != NULL ? a->send_charset : NULL;
	char *why = NULL;
	size_t i;
	enum err e;
	int rc;

	*root = NULL;
	buf_init(&body, BODY_MAX);
	buf_init(&hbuf, BODY_MAX);
	buf_init(&hutf, BODY_MAX);
	if ((rc = read_text(so, a, &body)) != 0)
		goto out;
	e = mime_text(&text, "plain", buf_str(&body), body.len, cs, &why);
	if (e != ERR_OK)
		goto fail;
	if (so->html != NULL) {
		if ((rc = slurp(so->html, &hbuf)) != 0 ||
		    (rc = to_utf8(so->html, buf_str(&hbuf), hbuf.len, &hutf)) !=
		    0)
			goto out;
		if ((e = mime_text(&html, "html", buf_str(&hutf), hutf.len, cs,
		    &why)) != ERR_OK ||
		    (e = mime_multipart(&alt, "alternative")) != ERR_OK)
			goto fail;
		if ((e = mime_add(alt, text)) != ERR_OK)
			goto fail;
		text = NULL;
		if ((e = mime_add(alt, html)) != ERR_OK)
			goto fail;
		html = NULL;
	}
	if (so->natt > 0) {
		if ((e = mimetype_load(&mt, NULL, &why)) != ERR_OK ||
		    (e = mime_multipart(&mixed, "mixed")) != ERR_OK ||
		    (e = mime_add(mixed, alt != NULL ? alt : text)) != ERR_OK)
			goto fail;
		alt = text = NULL;
		for (i = 0; i < so->natt; i++) {
			if (so->att[i].message) {
				struct mime_part *p;

				e = mime_message(&p, so->att[i].arg, &why);
				if (e == ERR_OK && (e = mime_add(mixed, p)) !=
				    ERR_OK)
					mime_free(p);
				if (e != ERR_OK)
					goto fail;
			} else if ((rc = attach_file(mixed, so->att[i].arg,
			    mt)) != 0) {
				goto out;
			}
		}
	}
	*root = mixed != NULL ? mixed : alt != NULL ? alt : text;
	mixed = alt = text = NULL;
	goto out;
fail:
	cli_error("%s", why != NULL ? why : err_str(e));
	rc = err_exit_code(e);
out:
	free(why);
	mime_free(text);
	mime_free(html);
	mime_free(alt);
	mime_free(mixed);
	mimetype_free(mt);
	buf_free(&body);
	buf_free(&hbuf);
	buf_free(&hutf);
	return rc;
}

/* -H 'Name: value': fields pigeon knows go to their place, others are added. */
static int
header_arg(struct send_opts *so, struct mime_field **extra, size_t *nextra,
    char *arg)
{
	char *colon = strchr(arg, ':'), *name = arg, *value, *end, *why = NULL;
	struct mime_field *v;
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
		so->date = value;
	else if (strcasecmp(name, "Message-ID") == 0)
		so->message_id = value;
	else if (strcasecmp(name, "In-Reply-To") == 0)
		so->in_reply_to = value;
	else if (strcasecmp(name, "References") == 0)
		so->references = value;
	else if (strcasecmp(name, "Reply-To") == 0)
		so->reply_to = value;
	else {
		if ((e = mime_check_field(name, value, &why)) != ERR_OK) {
			cli_error("%s", why != NULL ? why : err_str(e));
			free(why);
			return err_exit_code(e);
		}
		v = realloc(*extra, (*nextra + 1) * sizeof(*v));
		if (v == NULL)
			return EX_OSERR;
		*extra = v;
		v[*nextra].name = name;
		v[(*nextra)++].value = value;
		return 0;
	}
	return ascii_value(name, value);
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
			(void)sanitize_append(&safe, p, (size_t)(nl - p) -
			    (nl > p && nl < end && nl[-1] == '\r'));
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

/* What the hook needs to write the message again. */
struct rewrite {
	struct mime_msg *m;
	int no8bit;
	struct transcript *tr;
};

/*
 * The server has no 8BITMIME: the queued message is written again with
 * quoted-printable instead of 8bit (same Date, Message-ID, everything).
 */
static int
rewrite_7bit(void *arg, struct session *s, struct outbox *ob,
    struct qentry *e)
{
	struct rewrite *rw = arg;
	struct maildir *md = outbox_folder(ob, OUTBOX_OUTBOX);
	struct maildir_tx tx;
	struct mime_result mr;
	char *why = NULL;
	enum err r;

	if (!e->eightbit ||
	    (smtp_caps(session_smtp(s))->flags & SMTP_CAP_8BITMIME))
		return 0;
	transcript_emitf(rw->tr, TR_INFO, 0, _("the server does not offer "
	    "8BITMIME: 8-bit text goes quoted-printable"));
	r = maildir_replace_begin(md, e->id, &tx, &why);
	if (r == ERR_OK) {
		r = mime_write(rw->m, tx.fd, 0, &mr, &why);
		if (r == ERR_OK)
			r = maildir_replace_commit(md, &tx, &why);
		else
			maildir_abort(md, &tx);
		free(tx.name);
	}
	if (r == ERR_OK) {
		e->eightbit = mr.eightbit;
		e->size = (int64_t)mr.wire_size;
		r = outbox_save(ob, e, &why);
	}
	if (r != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(r));
		free(why);
		return err_exit_code(r);
	}
	return 0;
}

int
cmd_send(int argc, char **argv)
{
	struct cli c;
	struct send_opts so;
	struct addr_list to = { NULL, 0 }, cc = { NULL, 0 }, bcc = { NULL, 0 };
	struct addr_list from = { NULL, 0 }, rt = { NULL, 0 };
	struct mime_field *extra = NULL;
	struct mime_msg mm;
	struct mime_result mr;
	struct outbox *ob = NULL;
	struct outbox_item it;
	struct qentry q, *qp;
	struct deliver_hooks hooks;
	struct deliver_env de;
	struct rewrite rw;
	const char **rv = NULL;
	char **cc_args = NULL, **bcc_args = NULL, *subject = NULL, *why = NULL;
	char ua[64], date[64], *msgid = NULL;
	size_t ncc_args = 0, nbcc_args = 0, nextra = 0, i, n;
	int opt, rc = 0, fd = -1, begun = 0;
	enum err e;

	memset(&c, 0, sizeof(c));
	memset(&so, 0, sizeof(so));
	memset(&mm, 0, sizeof(mm));
	memset(&hooks, 0, sizeof(hooks));
	qentry_init(&q);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "s:a:c:b:H:v", send_longopts,
	    NULL)) != -1) {
		if (cli_common_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case 's':
			so.subject = optarg;
			break;
		case 'a':
		case OPT_ATTACH_MESSAGE: {
			struct attach *v = realloc(so.att, (so.natt + 1) *
			    sizeof(*v));

			if (v == NULL) {
				rc = EX_OSERR;
				goto out;
			}
			so.att = v;
			v[so.natt].arg = optarg;
			v[so.natt++].message = opt == OPT_ATTACH_MESSAGE;
			break;
		}
		case 'c':
			if (push_str(&cc_args, &ncc_args, optarg) < 0) {
				rc = EX_OSERR;
				goto out;
			}
			break;
		case 'b':
			if (push_str(&bcc_args, &nbcc_args, optarg) < 0) {
				rc = EX_OSERR;
				goto out;
			}
			break;
		case 'H':
			if (push_str(&so.headers, &so.nheaders, optarg) < 0) {
				rc = EX_OSERR;
				goto out;
			}
			break;
		case OPT_FROM:
			so.from = optarg;
			break;
		case OPT_HTML:
			so.html = optarg;
			break;
		case OPT_BODY:
			so.body_path = optarg;
			break;
		case OPT_DRY_RUN:
			so.dry_run = 1;
			break;
		case OPT_7BIT:
			so.no8bit = 1;
			break;
		case OPT_REPLY_TO:
			so.reply_to = optarg;
			break;
		case OPT_IN_REPLY_TO:
			so.in_reply_to = optarg;
			break;
		case OPT_REFERENCES:
			so.references = optarg;
			break;
		case OPT_ABORT_ON_REJECT:
			so.abort_on_reject = 1;
			break;
		case CLI_OPT_HELP:
			send_help(stdout);
			rc = EX_OK;
			goto out;
		case CLI_OPT_VERSION:
			(void)printf("pigeon %s\n", VERSION);
			rc = EX_OK;
			goto out;
		default:
			send_help(stderr);
			rc = EX_USAGE;
			goto out;
		}
	}

	/* Everything the user typed is checked before any connection. */
	for (i = 0; i < so.nheaders; i++)
		if ((rc = header_arg(&so, &extra, &nextra, so.headers[i])) != 0)
			goto out;
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if ((rc = add_addrs(&to, _("recipient"), argv[i])) != 0)
			goto out;
	for (i = 0; i < ncc_args; i++)
		if ((rc = add_addrs(&cc, "-c", cc_args[i])) != 0)
			goto out;
	for (i = 0; i < nbcc_args; i++)
		if ((rc = add_addrs(&bcc, "-b", bcc_args[i])) != 0)
			goto out;
	if (so.reply_to != NULL &&
	    (rc = add_addrs(&rt, "--reply-to", so.reply_to)) != 0)
		goto out;
	if (to.n + cc.n + bcc.n == 0) {
		cli_error(_("no recipients: give at least one address"));
		rc = EX_USAGE;
		goto out;
	}
	if ((so.in_reply_to != NULL &&
	    (rc = ascii_value("In-Reply-To", so.in_reply_to)) != 0) ||
	    (so.references != NULL &&
	    (rc = ascii_value("References", so.references)) != 0))
		goto out;
	if (so.subject != NULL &&
	    (subject = arg_utf8("-s", so.subject, &rc)) == NULL)
		goto out;
	if (subject != NULL && (e = mime_check_value("Subject", subject,
	    &why)) != ERR_OK) {
		cli_error("%s", why);
		rc = err_exit_code(e);
		goto out;
	}

	if ((rc = so.dry_run ? cli_load_config(&c) : cli_setup(&c, NULL, 1)) !=
	    0)
		goto out;
	if (so.from == NULL && c.acct != NULL)
		so.from = c.acct->from;
	if (so.from == NULL) {
		cli_error(_("no sender: give --from ADDR, or set 'from' in the "
		    "account"));
		rc = EX_USAGE;
		goto out;
	}
	if ((rc = add_addrs(&from, "--from", so.from)) != 0)
		goto out;
	if (from.n != 1) {
		cli_error(_("the sender must be one address, not '%s'"),
		    so.from);
		rc = EX_USAGE;
		goto out;
	}
	catch_stop(1);
	if ((rc = build(&so, c.acct, &mm.root)) != 0)
		goto out;

	(void)snprintf(ua, sizeof(ua), "pigeon/%s", VERSION);
	mm.from = &from.v[0];
	mm.to = to.v;
	mm.nto = to.n;
	mm.cc = cc.v;
	mm.ncc = cc.n;
	mm.reply_to = rt.v;
	mm.nreply_to = rt.n;
	mm.subject = subject;
	mm.date = so.date;
	mm.message_id = so.message_id;
	mm.in_reply_to = so.in_reply_to;
	mm.references = so.references;
	mm.user_agent = ua;
	mm.extra = extra;
	mm.nextra = nextra;
	if (stop_signal) {
		rc = save_draft(&mm, &bcc);
		goto out;
	}

	if (so.dry_run && !isatty(STDOUT_FILENO)) {
		/* As it would go to a server that offers 8BITMIME. */
		e = mime_write(&mm, STDOUT_FILENO, !so.no8bit, &mr, &why);
		if (e != ERR_OK) {
			cli_error("%s", why != NULL ? why : err_str(e));
			rc = err_exit_code(e);
		}
		goto out;
	}
	if (so.dry_run) {
		/* On a terminal: through a spool, shown safe. */
		if ((fd = msg_open_spool(NULL)) < 0) {
			cli_error(_("cannot create a spool file: %s"),
			    strerror(errno));
			rc = EX_CANTCREAT;
			goto out;
		}
		e = mime_write(&mm, fd, !so.no8bit, &mr, &why);
		if (e != ERR_OK) {
			cli_error("%s", why != NULL ? why : err_str(e));
			rc = err_exit_code(e);
			goto out;
		}
		rc = print_message(fd);
		goto out;
	}

	/* Fixed now, so that a rewrite without 8bit parts keeps them. */
	if (mm.date == NULL) {
		if (msg_date(date, sizeof(date)) < 0) {
			rc = EX_SOFTWARE;
			goto out;
		}
		mm.date = date;
	}
	if (mm.message_id == NULL) {
		const char *at = strrchr(from.v[0].spec, '@');

		if ((msgid = msg_make_id(at != NULL && charset_is_ascii(at + 1,
		    strlen(at + 1)) ? at + 1 : NULL)) == NULL) {
			rc = EX_OSERR;
			goto out;
		}
		mm.message_id = msgid;
	}

	if (stop_signal) {
		rc = save_draft(&mm, &bcc);
		goto out;
	}
	/* Into the outbox, on disk before any network I/O. */
	if ((rc = deliver_open(&ob)) != 0)
		goto out;
	if ((e = outbox_begin(ob, &it, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		rc = err_exit_code(e);
		goto out;
	}
	begun = 1;
	if ((e = mime_write(&mm, it.tx.fd, !so.no8bit, &mr, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		rc = err_exit_code(e);
		goto out;
	}
	n = to.n + cc.n + bcc.n;
	if ((rv = calloc(n, sizeof(*rv))) == NULL) {
		rc = EX_OSERR;
		goto out;
	}
	n = 0;
	for (i = 0; i < to.n; i++)
		rv[n++] = to.v[i].spec;
	for (i = 0; i < cc.n; i++)
		rv[n++] = cc.v[i].spec;
	for (i = 0; i < bcc.n; i++)
		rv[n++] = bcc.v[i].spec;
	n = cli_dedupe(rv, n);
	memset(&de, 0, sizeof(de));
	de.from = from.v[0].spec;
	de.rcpts = rv;
	de.nrcpts = n;
	de.notify = c.acct != NULL ? c.acct->dsn_notify : NULL;
	de.ret = c.acct != NULL ? c.acct->dsn_return : NULL;
	de.eightbit = mr.eightbit;
	de.size = mr.wire_size;
	if ((rc = deliver_enqueue(&c, ob, &it, &q, &de)) != 0)
		goto out;
	if (stop_signal) {
		cli_warn(_("stopped by a signal: %s is queued; 'pigeon queue "
		    "flush' sends it"), q.id);
		rc = EX_TEMPFAIL;
		goto out;
	}
	/* Queued: from here on a signal loses nothing. */
	catch_stop(0);
	rw.m = &mm;
	rw.no8bit = so.no8bit;
	rw.tr = c.tr;
	hooks.before = rewrite_7bit;
	hooks.arg = &rw;
	hooks.abort_on_reject = so.abort_on_reject;
	qp = &q;
	rc = deliver_group(&c, ob, &qp, 1, &hooks, 1);
out:
	if (begun)
		outbox_release(ob, &it);
	outbox_close(ob);
	qentry_free(&q);
	free(msgid);
	if (fd >= 0)
		(void)close(fd);
	mime_free(mm.root);
	free(rv);
	free(why);
	free(subject);
	free(extra);
	free(cc_args);
	free(bcc_args);
	free(so.headers);
	free(so.att);
	addr_list_free(&to);
	addr_list_free(&cc);
	addr_list_free(&bcc);
	addr_list_free(&from);
	addr_list_free(&rt);
	cli_cleanup(&c);
	if (stop_signal)
		die_of_stop();
	return rc;
}
