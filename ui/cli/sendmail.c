/* cmd_sendmail.c - "pigeon sendmail": a whole message on stdin, sendmail's options and exit codes. */
/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "cli.h"
#include "i18n.h"
#include "msg.h"
#include "smtp.h"
#include "util.h"

enum {
	OPT_ABORT_ON_REJECT = CLI_OPT_LAST_,
};

static const struct option sendmail_longopts[] = {
	CLI_LONGOPTS,
	CLI_LONGOPTS_SEND,
	{ "abort-on-reject", no_argument, NULL, OPT_ABORT_ON_REJECT },
	{ NULL, 0, NULL, 0 },
};

static void
sendmail_help(FILE *fp)
{
	(void)fputs(_(
"Usage: pigeon sendmail [options] [--] [RECIPIENT...]\n"
"Send the message on standard input, like sendmail.\n"
"\n"
"  -t                   take recipients from the To, Cc and Bcc fields too\n"
"  -f ADDR, -r ADDR     envelope sender (default: the account's From)\n"
"  -F NAME              full name for a From field that has to be added\n"
"  -i, -oi              accepted; a lone '.' never ends the input\n"
"  -N NOTIFY            DSN: never, or success,failure,delay\n"
"  -R RET               DSN: full or hdrs\n"
"  -V ENVID             DSN envelope id\n"
"  --abort-on-reject    send nothing if any recipient is rejected\n"
"  --chunking           use BDAT when the server offers CHUNKING\n"), fp);
	cli_common_help(fp, 1);
}

/* Parse one address list argument and add its addresses to list. */
static int
add_addresses(struct addr_list *list, const char *arg)
{
	char *why = NULL;
	enum err e;

	e = addr_list_parse(list, arg, strlen(arg), &why);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	return 0;
}

/* The addr-spec of a From value: "Jane <j@x>" gives "j@x"; "<>" gives "". */
static char *
sender_spec(const char *from, int *rc)
{
	struct addr_list l = { NULL, 0 };
	char *spec;

	*rc = 0;
	if (strcmp(from, "<>") == 0 || *from == '\0')
		return strdup("");
	if ((*rc = add_addresses(&l, from)) != 0)
		return NULL;
	if (l.n != 1) {
		cli_error(_("the sender must be one address, not '%s'"), from);
		addr_list_free(&l);
		*rc = EX_USAGE;
		return NULL;
	}
	spec = strdup(l.v[0].spec);
	addr_list_free(&l);
	if (spec == NULL)
		*rc = EX_OSERR;
	return spec;
}

/* RFC 3461 ENVID: printable ASCII, at most 100 characters. */
static int
envid_ok(const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return 0;
	return p - (const unsigned char *)v <= 100;
}

/* A name for the From field: any text, but no control characters. */
static int
fullname_ok(const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/*
 * "Name <spec>", the name quoted when it holds anything but atoms and
 * spaces (a comma would otherwise split it into two addresses).  A
 * non-ASCII name is left as UTF-8 (RFC 6532), as sendmail -F does.
 */
static char *
from_field(const char *name, const char *spec)
{
	struct buf b;
	const char *p;
	char *r;
	int plain = 1;

	for (p = name; *p != '\0'; p++)
		if (strchr("()<>[]:;@\\,.\"", *p) != NULL)
			plain = 0;
	buf_init(&b, 4096);
	if (plain) {
		if (buf_printf(&b, "%s <%s>", name, spec) < 0)
			goto fail;
	} else {
		if (buf_addch(&b, '"') < 0)
			goto fail;
		for (p = name; *p != '\0'; p++)
			if (((*p == '"' || *p == '\\') &&
			    buf_addch(&b, '\\') < 0) || buf_addch(&b, *p) < 0)
				goto fail;
		if (buf_printf(&b, "\" <%s>", spec) < 0)
			goto fail;
	}
	r = strdup(buf_str(&b));
	buf_free(&b);
	return r;
fail:
	buf_free(&b);
	return NULL;
}

int
cmd_sendmail(int argc, char **argv)
{
	struct cli c;
	struct msg m;
	struct msg_opts mo;
	struct smtp_envelope env;
	struct addr_list rcpts = { NULL, 0 };
	struct outbox *ob = NULL;
	struct outbox_item it;
	struct qentry q;
	struct submit_env env_q;
	struct submit_opts so;
	struct cli_report rep;
	struct submit *sub = NULL;
	const char *from_arg = NULL, *fullname = NULL, **rv = NULL;
	char *sender = NULL, *from_hdr = NULL, *why = NULL, *notify = NULL;
	int opt, extract = 0, abort_on_reject = 0, rc = 0, begun = 0;
	size_t i, nr;
	enum err e;

	memset(&c, 0, sizeof(c));
	qentry_init(&q);
	memset(&env, 0, sizeof(env));
	memset(&m, 0, sizeof(m));
	m.fd = -1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+tif:r:F:vo:B:N:R:V:b:",
	    sendmail_longopts, NULL)) != -1) {
		if (cli_common_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case 't':
			extract = 1;
			break;
		case 'i':
			break;
		case 'f':
		case 'r':
			from_arg = optarg;
			break;
		case 'F':
			fullname = optarg;
			break;
		case 'o':
			/* -oi, -oem, -odb...: sendmail tuning we need not do. */
			break;
		case 'B':
			break;
		case 'b':
			if (strcmp(optarg, "m") != 0) {
				cli_error(_("mode -b%s is not supported"), optarg);
				return EX_USAGE;
			}
			break;
		case 'N':
			env.dsn_notify = optarg;
			break;
		case 'R':
			env.dsn_ret = optarg;
			break;
		case 'V':
			env.dsn_envid = optarg;
			break;
		case OPT_ABORT_ON_REJECT:
			abort_on_reject = 1;
			break;
		case CLI_OPT_HELP:
			sendmail_help(stdout);
			return EX_OK;
		case CLI_OPT_VERSION:
			(void)printf("pigeon %s\n", VERSION);
			return EX_OK;
		default:
			sendmail_help(stderr);
			return EX_USAGE;
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if ((rc = add_addresses(&rcpts, argv[i])) != 0)
			goto out;

	if ((rc = cli_setup(&c, NULL, 1)) != 0)
		goto out;
	if (from_arg == NULL && c.acct != NULL && c.acct->from != NULL)
		from_arg = c.acct->from;
	if (from_arg == NULL) {
		cli_error(_("no sender: give -f ADDR, or set 'from' in the "
		    "account"));
		rc = EX_USAGE;
		goto out;
	}
	if ((sender = sender_spec(from_arg, &rc)) == NULL)
		goto out;
	if (env.dsn_ret != NULL) {
		if (strcasecmp(env.dsn_ret, "full") == 0)
			env.dsn_ret = "FULL";
		else if (strcasecmp(env.dsn_ret, "hdrs") == 0)
			env.dsn_ret = "HDRS";
		else {
			cli_error(_("-R takes 'full' or 'hdrs', not '%s'"),
			    env.dsn_ret);
			rc = EX_USAGE;
			goto out;
		}
	}
	if (env.dsn_notify != NULL) {
		if ((notify = smtp_dsn_notify(env.dsn_notify)) == NULL) {
			cli_error(_("-N takes 'never', or a comma list of "
			    "'success', 'failure' and 'delay', not '%s'"),
			    env.dsn_notify);
			rc = EX_USAGE;
			goto out;
		}
		env.dsn_notify = notify;
	}
	if (env.dsn_envid != NULL && !envid_ok(env.dsn_envid)) {
		cli_error(_("-V takes at most 100 printable ASCII characters, "
		    "not '%s'"), env.dsn_envid);
		rc = EX_USAGE;
		goto out;
	}
	if (fullname != NULL && !fullname_ok(fullname)) {
		cli_error(_("-F takes a name without control characters, not "
		    "'%s'"), fullname);
		rc = EX_USAGE;
		goto out;
	}
	if (env.dsn_ret == NULL && c.acct != NULL)
		env.dsn_ret = c.acct->dsn_return;
	if (env.dsn_notify == NULL && c.acct != NULL)
		env.dsn_notify = c.acct->dsn_notify;

	/* The From field to add when the message has none. */
	if (fullname != NULL && *sender != '\0')
		from_hdr = from_field(fullname, sender);
	else if (c.acct != NULL && c.acct->from != NULL && from_arg == c.acct->from)
		from_hdr = strdup(c.acct->from);
	else
		from_hdr = strdup(*sender != '\0' ? sender : "MAILER-DAEMON");
	if (from_hdr == NULL) {
		rc = EX_OSERR;
		goto out;
	}
	/* Into the outbox, on disk before any network I/O. */
	if ((rc = cli_open_outbox(&ob)) != 0)
		goto out;
	if ((e = outbox_begin(ob, &it, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		rc = err_exit_code(e);
		goto out;
	}
	begun = 1;
	memset(&mo, 0, sizeof(mo));
	mo.extract = extract;
	mo.from = from_hdr;
	mo.use_out_fd = 1;
	mo.out_fd = it.tx.fd;
	e = msg_prepare(STDIN_FILENO, &mo, &m, &why);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		rc = err_exit_code(e);
		goto out;
	}
	for (i = 0; i < m.rcpts.n; i++)
		if (addr_list_add(&rcpts, NULL, m.rcpts.v[i].spec) != ERR_OK) {
			rc = EX_OSERR;
			goto out;
		}
	if (rcpts.n == 0) {
		cli_error(extract ? _("no recipients: none given and none in "
		    "the To, Cc or Bcc fields") : _("no recipients given "
		    "(use -t to take them from the message)"));
		rc = EX_USAGE;
		goto out;
	}
	rv = calloc(rcpts.n, sizeof(*rv));
	if (rv == NULL) {
		rc = EX_OSERR;
		goto out;
	}
	for (i = 0; i < rcpts.n; i++)
		rv[i] = rcpts.v[i].spec;
	nr = cli_dedupe(rv, rcpts.n);

	memset(&env_q, 0, sizeof(env_q));
	env_q.account = c.acct != NULL ? c.acct->name : NULL;
	env_q.server = c.server;
	env_q.from = sender;
	env_q.rcpts = rv;
	env_q.nrcpts = nr;
	env_q.dsn_notify = env.dsn_notify;
	env_q.dsn_ret = env.dsn_ret;
	env_q.dsn_envid = env.dsn_envid;
	env_q.chunking = c.chunking;
	/* A whole message from a caller goes as given: never rewritten. */
	if ((e = submit_commit(ob, &it, &q, &env_q, m.eightbit, m.wire_size, 1,
	    &why)) != ERR_OK) {
		cli_error(_("the message could not be put in the outbox, "
		    "nothing was sent: %s"), why != NULL ? why : err_str(e));
		rc = err_exit_code(e);
		goto out;
	}
	cli_report_init(&rep, 1, c.no_queue);
	memset(&so, 0, sizeof(so));
	so.rt = &c.rt;
	so.abort_on_reject = abort_on_reject;
	so.no_queue = c.no_queue;
	so.event = cli_report_event;
	so.arg = &rep;
	if (submit_new(&sub, ob, &so, c.tr, &q, 1) != ERR_OK) {
		rc = EX_OSERR;
		goto out;
	}
	submit_run(sub);
	rc = rep.rc;
	submit_free(sub);
	sub = NULL;
	outbox_release(ob, &it);
	begun = 0;
	/* The server took this one: older mail may go now too. */
	if (rep.delivered > 0)
		cli_flush_behind(&c, ob);
out:
	if (begun)
		outbox_release(ob, &it);
	qentry_free(&q);
	outbox_close(ob);
	free(notify);
	free(why);
	free(rv);
	free(sender);
	free(from_hdr);
	addr_list_free(&rcpts);
	msg_free(&m);
	cli_cleanup(&c);
	return rc;
}
