/* sendmailopts.c - the command line of "pigeon sendmail": its options, their checks, and what sends no message (-bp, -q, -bi, mailq). */
/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "i18n.h"
#include "sendmailopts.h"
#include "smtp.h"

enum {
	OPT_ABORT_ON_REJECT = CLI_OPT_LAST_,
};

static const struct option sendmail_longopts[] = {
	CLI_LONGOPTS,
	CLI_LONGOPTS_TLS,
	CLI_LONGOPTS_SEND,
	CLI_LONGOPTS_STOP,
	{ "abort-on-reject", no_argument, NULL, OPT_ABORT_ON_REJECT },
	{ NULL, 0, NULL, 0 },
};

static void
sendmail_help(FILE *fp)
{
	(void)fputs(_(
"Usage: pigeon sendmail [options] [--] [RECIPIENT...]\n"
"       pigeon sendmail -bp | -q\n"
"Send the message on standard input, like sendmail.\n"
"\n"
"  -t                   take recipients from the To, Cc and Bcc fields too\n"
"  -f ADDR, -r ADDR     envelope sender (default: the account's From);\n"
"                       it picks the account when none is named, as the\n"
"                       message's From does\n"
"  -F NAME              full name for a From field that has to be added\n"
"  -i, -oi              accepted; a lone '.' never ends the input\n"
"  -N NOTIFY            DSN: never, or success,failure,delay\n"
"  -R RET               DSN: full or hdrs\n"
"  -V ENVID             DSN envelope id\n"
"  -n                   no aliases for recipients without a domain\n"
"  -odq                 queue only: send at the next flush, not now\n"
"  -odi, -odb           deliver now (the default)\n"
"  -bm                  send the message on standard input (the default)\n"
"  -bp                  list the queue, as mailq does\n"
"  -q                   send the whole queue now\n"
"  -B TYPE, -C FILE, -G, -h N, -L TAG, -m, -O OPT=VAL, -oeX, -om, -U,\n"
"  -X FILE, -Am, -Ac    accepted for sendmail's callers and ignored (-v\n"
"                       names them)\n"
"  --abort-on-reject    send nothing if any recipient is rejected\n"
"  --chunking           use BDAT when the server offers CHUNKING\n"
"  --direct             deliver to the recipients' MX hosts (one domain a\n"
"                       run; port 25, no login), not the account's server\n"
"  --tls-required       with --direct: STARTTLS and a valid certificate\n"), fp);
	cli_common_help(fp, 1);
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

/* Note a flag that means nothing to pigeon (named under -v). */
static void
ignore(struct sm_opts *o, int opt, const char *arg)
{
	(void)buf_printf(&o->ignored, " -%c%s", opt, arg != NULL ? arg : "");
}

/* -o: sendmail's old option letters. */
static int
dash_o(struct sm_opts *o, const char *arg)
{
	if (strcmp(arg, "i") == 0)
		return 0;                       /* -oi: as -i */
	if (strcmp(arg, "dq") == 0)
		o->queue_only = 1;
	else if (strcmp(arg, "di") == 0 || strcmp(arg, "db") == 0)
		o->queue_only = 0;
	else
		ignore(o, 'o', arg);    /* -oem, -oep, -oeq, -om, -o7... */
	return 0;
}

/* -b: the mode. */
static int
dash_b(struct sm_opts *o, const char *arg)
{
	if (strcmp(arg, "m") == 0)
		o->mode = SM_SEND;
	else if (strcmp(arg, "p") == 0)
		o->mode = SM_LIST;
	else if (strcmp(arg, "i") == 0)
		o->mode = SM_NOTHING;
	else {
		cli_error(_("mode -b%s is not supported: pigeon sends (-bm) "
		    "and lists the queue (-bp); try 'pigeon sendmail --help'"),
		    arg);
		return EX_USAGE;
	}
	return 0;
}

/* Parse the flags; -1 to go on, else the exit status. */
int
sendmailopts_parse(int argc, char **argv, struct cli *c, struct sm_opts *o)
{
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv,
	    "+:tif:r:F:vo:B:N:R:V:b:C:GL:O:UX:h:mnA:q::46", sendmail_longopts,
	    NULL)) != -1) {
		if (cli_common_option(c, opt, optarg))
			continue;
		rc = 0;
		switch (opt) {
		case 't':
			o->extract = 1;
			break;
		case 'i':
			break;
		case 'f':
		case 'r':
			o->from_arg = optarg;
			break;
		case 'F':
			o->fullname = optarg;
			break;
		case 'o':
			rc = dash_o(o, optarg);
			break;
		case 'b':
			rc = dash_b(o, optarg);
			break;
		case 'n':
			o->no_alias = 1;
			break;
		case 'q':
			/* -q1h would be a daemon: one flush is what we do. */
			o->mode = SM_FLUSH;
			if (optarg != NULL)
				ignore(o, 'q', optarg);
			break;
		case 'N':
			o->env.dsn_notify = optarg;
			break;
		case 'R':
			o->env.dsn_ret = optarg;
			break;
		case 'V':
			o->env.dsn_envid = optarg;
			break;
		case 'B': case 'C': case 'L': case 'O': case 'X': case 'h':
		case 'A':
			ignore(o, opt, optarg);
			break;
		case 'G': case 'U': case 'm':
			ignore(o, opt, NULL);
			break;
		case OPT_ABORT_ON_REJECT:
			o->abort_on_reject = 1;
			break;
		case CLI_OPT_HELP:
			sendmail_help(stdout);
			return EX_OK;
		case CLI_OPT_VERSION:
			cli_version();
			return EX_OK;
		default:
			return cli_bad_option("sendmail", argv, opt);
		}
		if (rc != 0)
			return rc;
	}
	if (c->verbose && o->ignored.len > 0)
		cli_note(_("ignored (they mean nothing to pigeon):%s"),
		    buf_str(&o->ignored));
	return -1;
}

/* Check and normalise the DSN flags and -F; 0 or EX_USAGE (shown). */
int
sendmailopts_check(struct sm_opts *o, char **notify)
{
	struct smtp_envelope *env = &o->env;

	if (env->dsn_ret != NULL) {
		if (strcasecmp(env->dsn_ret, "full") == 0)
			env->dsn_ret = "FULL";
		else if (strcasecmp(env->dsn_ret, "hdrs") == 0)
			env->dsn_ret = "HDRS";
		else {
			cli_error(_("-R takes 'full' or 'hdrs', not '%s'"),
			    env->dsn_ret);
			return EX_USAGE;
		}
	}
	if (env->dsn_notify != NULL) {
		if ((*notify = smtp_dsn_notify(env->dsn_notify)) == NULL) {
			cli_error(_("-N takes 'never', or a comma list of "
			    "'success', 'failure' and 'delay', not '%s'"),
			    env->dsn_notify);
			return EX_USAGE;
		}
		env->dsn_notify = *notify;
	}
	if (env->dsn_envid != NULL && !envid_ok(env->dsn_envid)) {
		cli_error(_("-V takes at most 100 printable ASCII characters, "
		    "not '%s'"), env->dsn_envid);
		return EX_USAGE;
	}
	if (o->fullname != NULL && !fullname_ok(o->fullname)) {
		cli_error(_("-F takes a name without control characters, not "
		    "'%s'"), o->fullname);
		return EX_USAGE;
	}
	return 0;
}

/* -bp, -q, -bi: the queue, not a message. */
int
sendmailopts_queue(struct cli *c, const struct sm_opts *o)
{
	struct outbox *ob = NULL;
	int rc;

	if (o->mode == SM_NOTHING)
		return EX_OK;
	if ((rc = cli_open_outbox(&ob)) != 0)
		return rc;
	if (o->mode == SM_LIST)
		rc = cli_queue_list(ob);
	else
		rc = cli_flush(c, ob, 0, NULL, 0);
	outbox_close(ob);
	return rc;
}

int
cmd_mailq(int argc, char **argv)
{
	struct cli c;
	int opt;

	memset(&c, 0, sizeof(c));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":v", sendmail_longopts, NULL))
	    != -1) {
		if (cli_common_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case CLI_OPT_HELP:
			(void)printf(_("Usage: mailq [options]\nThe messages in "
			    "pigeon's queue, as 'pigeon queue list' shows "
			    "them.\n\n"));
			cli_common_help(stdout, 0);
			return EX_OK;
		case CLI_OPT_VERSION:
			cli_version();
			return EX_OK;
		default:
			return cli_bad_option("queue", argv, opt);
		}
	}
	{
		struct sm_opts o;

		memset(&o, 0, sizeof(o));
		o.mode = SM_LIST;
		return sendmailopts_queue(&c, &o);
	}
}
