/* sendopts.c - the options of "pigeon send", which reply and forward take too: their table, their --help, and what they set in the draft. */
/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "charset.h"
#include "i18n.h"
#include "mimetype.h"
#include "sendopts.h"
#include "util.h"
#include "when.h"

/*
 * A new option: its value here, its line in send_longopts and in
 * send_help(), its field in struct send_opts (sendopts.h), its case in
 * sendopts_parse().
 */
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

/* Text in the locale's charset (or already UTF-8) as UTF-8 in out. */
int
sendopts_to_utf8(const char *what, const char *p, size_t n, struct buf *out)
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
	if ((*rc = sendopts_to_utf8(what, arg, strlen(arg), &b)) == 0 &&
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

/*
 * Read the options of send (and cc's) into o, c and d, then the
 * operands (send's recipients), and check what goes together.
 */
int
sendopts_parse(struct send_opts *o, struct cli *c, struct draft *d, int argc,
    char **argv, const struct cli_compose *cc)
{
	struct option *longopts = NULL;
	const char *from = NULL;
	char *why = NULL, *subject = NULL;
	int opt, rc = 0;
	size_t i;
	enum err e;

	memset(o, 0, sizeof(*o));
	o->sign = -1;
	o->encrypt = -1;
	if (cc != NULL && (longopts = longopts_with(cc)) == NULL)
		return EX_OSERR;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":s:a:c:b:H:v46", cc != NULL ?
	    longopts : send_longopts, NULL)) != -1) {
		if (cli_common_option(c, opt, optarg))
			continue;
		switch (opt) {
		case 's':
			free(subject);
			if ((subject = arg_utf8("-s", optarg, &rc)) == NULL)
				goto out;
			break;
		case 'a':
		case OPT_ATTACH_MESSAGE:
			if ((rc = attach_arg(d, optarg, opt ==
			    OPT_ATTACH_MESSAGE)) != 0)
				goto out;
			break;
		case 'c':
			if ((rc = add_addrs(&d->cc, "Cc", optarg)) != 0)
				goto out;
			break;
		case 'b':
			if ((rc = add_addrs(&d->bcc, "Bcc", optarg)) != 0)
				goto out;
			break;
		case 'H':
			if ((rc = header_arg(d, optarg)) != 0)
				goto out;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_HTML:
			o->html = optarg;
			break;
		case OPT_HTML_AUTO:
			o->html_auto = 1;
			break;
		case OPT_BODY:
			o->body_path = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry = 1;
			break;
		case OPT_7BIT:
			o->no8bit = 1;
			break;
		case OPT_REPLY_TO:
			if ((rc = add_addrs(&d->reply_to, "Reply-To", optarg)) !=
			    0)
				goto out;
			break;
		case OPT_IN_REPLY_TO:
			if ((rc = ascii_value("In-Reply-To", optarg)) != 0 ||
			    (rc = draft_set(&d->in_reply_to, optarg) < 0 ?
			    EX_OSERR : 0) != 0)
				goto out;
			break;
		case OPT_REFERENCES:
			if ((rc = ascii_value("References", optarg)) != 0 ||
			    (rc = draft_set(&d->references, optarg) < 0 ?
			    EX_OSERR : 0) != 0)
				goto out;
			break;
		case OPT_ABORT_ON_REJECT:
			o->abort_on_reject = 1;
			break;
		case OPT_SIGN:
		case OPT_NO_SIGN:
			o->sign = opt == OPT_SIGN;
			break;
		case OPT_ENCRYPT_OR_PLAIN:
			o->plain_ok = 1;
			/* FALLTHROUGH */
		case OPT_ENCRYPT:
		case OPT_NO_ENCRYPT:
			o->encrypt = opt != OPT_NO_ENCRYPT;
			break;
		case OPT_SMIME:
		case OPT_PGP:
			o->method = opt == OPT_SMIME ? PGPMIME_SMIME :
			    PGPMIME_PGP;
			break;
		case OPT_AT:
			if ((e = when_parse(optarg, (int64_t)time(NULL), &o->at,
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
			rc = SENDOPTS_DONE;
			goto out;
		case CLI_OPT_VERSION:
			cli_version();
			rc = SENDOPTS_DONE;
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
		if ((rc = add_addrs(&d->to, "To", argv[i])) != 0)
			goto out;
	if (c->direct && c->server != NULL) {
		cli_error(_("--direct and --server exclude each other: the "
		    "one goes to the MX hosts, the other to one server"));
		rc = EX_USAGE;
		goto out;
	}
	if (o->at != 0 && (c->no_queue || c->stop_after != SMTP_STAGE_NONE)) {
		cli_error(_("--at holds the message in the outbox: it cannot "
		    "go with --no-queue or a stop point"));
		rc = EX_USAGE;
		goto out;
	}
	if (cc == NULL && d->to == NULL && d->cc == NULL && d->bcc == NULL) {
		cli_error(_("no recipients: give at least one address"));
		rc = EX_USAGE;
		goto out;
	}
	d->subject = subject;
	subject = NULL;
	if (from != NULL && (rc = add_addrs(&d->from, "From", from)) != 0)
		goto out;
out:
	free(subject);
	free(why);
	free(longopts);
	return rc;
}
