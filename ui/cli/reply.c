/* reply.c - "pigeon reply" and "pigeon forward": a stored message answered or passed on, with the options of "pigeon send". */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "charset.h"
#include "cli.h"
#include "draft.h"
#include "i18n.h"
#include "mimewalk.h"
#include "reply.h"
#include "util.h"

enum {
	OPT_ALL = CLI_OPT_LAST_ + 100,
	OPT_INLINE,
	OPT_AS_ATTACHMENT,
	OPT_NO_ATTACHMENTS,
};

struct answer {
	enum reply_kind kind;
	int no_attachments;        /* an inline forward without the original's attachments */
	struct reply_orig *orig;
	const char *what;          /* the file named, for messages */
};

static const struct option reply_opts[] = {
	{ "all", no_argument, NULL, OPT_ALL },
	{ NULL, 0, NULL, 0 },
};

static const struct option forward_opts[] = {
	{ "inline", no_argument, NULL, OPT_INLINE },
	/* Over send's --attach FILE: -a FILE still attaches a file. */
	{ "attach", no_argument, NULL, OPT_AS_ATTACHMENT },
	{ "no-attachments", no_argument, NULL, OPT_NO_ATTACHMENTS },
	{ NULL, 0, NULL, 0 },
};

static void
reply_help(FILE *fp)
{
	(void)fputs(_(
"Usage: pigeon reply [--all] [send options] FILE|- [RECIPIENT...]\n"
"Answer the stored message FILE (- : standard input): to its Reply-To or\n"
"From; with --all also to its To and Cc (or its Mail-Followup-To), without\n"
"your own addresses.  The subject gets one \"Re: \", the thread is kept\n"
"(In-Reply-To, References), the text is quoted under an attribution line.\n"
"Your text comes from --body FILE, or standard input when FILE is not -;\n"
"it goes below the quote, or above it with reply_style = top.\n"
"\n"
"  --all                   a group reply\n"
"\n"
"Every option of pigeon send works here too (pigeon send --help):\n"
"-s, -a, -c, -b, -H, --from, --body, --dry-run, --html and the others.\n"),
	    fp);
	cli_common_help(fp, 1);
}

static void
forward_help(FILE *fp)
{
	(void)fputs(_(
"Usage: pigeon forward [--inline|--attach] [send options] FILE|- RECIPIENT...\n"
"Pass the stored message FILE (- : standard input) on: its text in a\n"
"\"Forwarded message\" block under your text and its attachments attached\n"
"again (--inline, the default), or the whole message attached as\n"
"message/rfc822 (--attach).  The subject gets one \"Fwd: \".  Your text\n"
"comes from --body FILE, or standard input when FILE is not -.\n"
"\n"
"  --inline                the text, inline, and the attachments (the default)\n"
"  --no-attachments        inline, without the original's attachments\n"
"  --attach                the message as an attachment\n"
"\n"
"Every option of pigeon send works here too (pigeon send --help):\n"
"-s, -a FILE, -c, -b, -H, --from, --body, --dry-run and the others.\n"),
	    fp);
	cli_common_help(fp, 1);
}

static int
answer_option(void *arg, int opt)
{
	struct answer *a = arg;

	switch (opt) {
	case OPT_ALL:
		a->kind = REPLY_GROUP;
		return 1;
	case OPT_INLINE:
		a->kind = REPLY_FORWARD_INLINE;
		return 1;
	case OPT_AS_ATTACHMENT:
		a->kind = REPLY_FORWARD_ATTACH;
		return 1;
	case OPT_NO_ATTACHMENTS:
		a->no_attachments = 1;
		return 1;
	default:
		return 0;
	}
}

/* Recipients after the file (the locale's charset, or UTF-8): added to To. */
static int
add_to(struct draft *d, char **args, int n)
{
	struct buf u;
	char *joined, *why = NULL;
	enum err e;
	int i;

	for (i = 0; i < n; i++) {
		buf_init(&u, 1024 * 1024);
		if (charset_utf8_valid(args[i], strlen(args[i]), NULL))
			e = buf_addstr(&u, args[i]) < 0 ? ERR_NOMEM : ERR_OK;
		else
			e = charset_to_utf8(&u, args[i], strlen(args[i]),
			    charset_locale(), &why);
		if (e != ERR_OK) {
			cli_error(_("%s: %s"), "To", why != NULL ? why :
			    err_str(e));
			free(why);
			buf_free(&u);
			return err_exit_code(e);
		}
		joined = d->to == NULL ? strdup(buf_str(&u)) :
		    util_strf("%s, %s", d->to, buf_str(&u));
		buf_free(&u);
		if (joined == NULL)
			return EX_OSERR;
		free(d->to);
		d->to = joined;
	}
	return 0;
}

static int
answer_start(void *arg, struct cli *c, struct draft *d, char **args, int n,
    int *stdin_taken)
{
	struct answer *a = arg;
	const struct account *acct;
	struct buf flaws_text;
	const char *path;
	char *why = NULL;
	unsigned flaws = 0, flags = 0;
	enum err e;
	int fd, rc;

	if (n < 1) {
		cli_error(_("which message? give a file, or - for standard "
		    "input"));
		return EX_USAGE;
	}
	path = args[0];
	a->what = strcmp(path, "-") == 0 ? _("standard input") : path;
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		*stdin_taken = 1;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_error(_("cannot read '%s': %s"), path, strerror(errno));
		return EX_NOINPUT;
	}
	if (a->kind == REPLY_FORWARD_ATTACH)
		flags = REPLY_READ_COPY;
	else if (a->kind == REPLY_FORWARD_INLINE && !a->no_attachments)
		flags = REPLY_READ_ATTACHMENTS;
	e = reply_read(fd, fd == STDIN_FILENO ? NULL : path, flags, &a->orig,
	    &flaws, &why);
	if (fd != STDIN_FILENO)
		(void)close(fd);
	if (e != ERR_OK) {
		cli_error(_("%s: %s"), a->what, why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	if (flaws != 0) {
		buf_init(&flaws_text, 4096);
		if (mimewalk_flaws_text(&flaws_text, flaws, " ") == 0)
			cli_warn(_("%s is damaged, it is read as well as it "
			    "can be: %s"), a->what, buf_str(&flaws_text));
		buf_free(&flaws_text);
	}
	if ((rc = add_to(d, args + 1, n - 1)) != 0)
		return rc;
	/* Without --account: the account the message was for, or from. */
	if ((rc = cli_load_config(c)) != 0)
		return rc;
	if (c->account_name == NULL && (acct = reply_account(a->orig,
	    c->conf)) != NULL)
		c->acct = acct;
	return 0;
}

static int
answer_finish(void *arg, struct cli *c, struct draft *d)
{
	struct answer *a = arg;
	struct reply_opts ro;
	struct buf text;
	char *why = NULL;
	enum err e;

	/* What was read is the new text; the draft's text is made anew. */
	buf_init(&text, d->text.max);
	if (buf_add(&text, buf_str(&d->text), d->text.len) < 0) {
		buf_free(&text);
		return EX_OSERR;
	}
	memset(&ro, 0, sizeof(ro));
	ro.kind = a->kind;
	ro.acct = c->acct;
	ro.text = buf_str(&text);
	ro.textlen = text.len;
	e = reply_make(a->orig, &ro, d, &why);
	buf_free(&text);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return e == ERR_USAGE ? EX_USAGE : err_exit_code(e);
	}
	if (d->to == NULL && d->cc == NULL && d->bcc == NULL) {
		if (a->kind == REPLY_SENDER || a->kind == REPLY_GROUP)
			cli_error(_("%s names nobody to answer (no From, no "
			    "Reply-To): give the recipients after the file"),
			    a->what);
		else
			cli_error(_("no recipients: give at least one address "
			    "after the file"));
		return EX_USAGE;
	}
	return 0;
}

static int
run(int argc, char **argv, const char *cmd, enum reply_kind kind)
{
	struct answer a;
	struct cli_compose cc;
	int rc;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	memset(&cc, 0, sizeof(cc));
	cc.cmd = cmd;
	cc.opts = kind == REPLY_SENDER ? reply_opts : forward_opts;
	cc.help = kind == REPLY_SENDER ? reply_help : forward_help;
	cc.option = answer_option;
	cc.start = answer_start;
	cc.finish = answer_finish;
	cc.arg = &a;
	rc = cli_send_main(argc, argv, &cc);
	reply_orig_free(a.orig);
	return rc;
}

int
cmd_reply(int argc, char **argv)
{
	return run(argc, argv, "reply", REPLY_SENDER);
}

int
cmd_forward(int argc, char **argv)
{
	return run(argc, argv, "forward", REPLY_FORWARD_INLINE);
}
