/* cmd_queue.c - "pigeon queue": list, flush, retry, edit and remove queued messages. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "deliver.h"
#include "i18n.h"
#include "outbox.h"
#include "util.h"

enum {
	OPT_ALL = CLI_OPT_LAST_,
};

static const struct option queue_longopts[] = {
	CLI_LONGOPTS,
	CLI_LONGOPTS_SEND,
	{ "all", no_argument, NULL, OPT_ALL },
	{ NULL, 0, NULL, 0 },
};

static void
queue_help(FILE *fp)
{
	(void)fputs(_(
"Usage: pigeon queue [list]\n"
"       pigeon queue flush [--all]\n"
"       pigeon queue retry|edit|rm|log ID\n"
"The outbox: messages waiting to be sent, and those that failed.\n"
"\n"
"  list      each message: id, age, account, recipients, attempts, last\n"
"            error, next try\n"
"  flush     send every message that is due, one connection per account;\n"
"            with --all also those whose retry time has not come\n"
"  retry ID  send that message now\n"
"  edit ID   move a queued or failed message to the drafts folder\n"
"  rm ID     delete a queued or failed message (asks on a terminal)\n"
"  log ID    the transcript of every attempt to send that message\n"), fp);
	cli_common_help(fp, 1);
}

/* "3m", "2h", "5d" */
static void
age(char *b, size_t len, int64_t secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		(void)snprintf(b, len, "%llds", (long long)secs);
	else if (secs < 2 * 3600)
		(void)snprintf(b, len, "%lldm", (long long)secs / 60);
	else if (secs < 2 * 86400)
		(void)snprintf(b, len, "%lldh", (long long)secs / 3600);
	else
		(void)snprintf(b, len, "%lldd", (long long)secs / 86400);
}

static const char *
state_name(const struct qentry *e)
{
	switch (e->state) {
	case QENTRY_FAILED:
		return _("failed");
	case QENTRY_SENT:
		return _("sent (being filed)");
	default:
		return e->uncertain ? _("queued, delivery uncertain") :
		    _("queued");
	}
}

static int
do_list(struct outbox *ob)
{
	char **ids = NULL, **orph = NULL, *errstr = NULL, a[32], nt[32];
	size_t n = 0, no = 0, i, k;
	struct qentry e;
	int64_t now = (int64_t)time(NULL);
	int rc = 0;

	if (outbox_ids(ob, &ids, &n, &errstr) != ERR_OK ||
	    outbox_orphans(ob, &orph, &no, &errstr) != ERR_OK) {
		cli_error("%s", errstr != NULL ? errstr : "?");
		free(errstr);
		maildir_free_list(ids, n);
		return EX_IOERR;
	}
	for (i = 0; i < n; i++) {
		if (outbox_load(ob, ids[i], &e, &errstr) != ERR_OK) {
			cli_warn("%s", errstr != NULL ? errstr : ids[i]);
			rc = EX_DATAERR;
			continue;
		}
		if (e.state == QENTRY_QUEUED && outbox_was_sent(ob, e.id))
			e.state = QENTRY_SENT;
		age(a, sizeof(a), now - e.created);
		if (e.state == QENTRY_QUEUED)
			age(nt, sizeof(nt), e.next_try - now);
		(void)printf("%s  %s  %s  %s\n", e.id, a,
		    e.account != NULL ? e.account : _("(default account)"),
		    state_name(&e));
		(void)printf(_("    to:"));
		for (k = 0; k < e.nrcpts; k++)
			(void)printf(" %s%s", e.rcpts[k].addr,
			    e.rcpts[k].state == QRCPT_DONE ? _(" (done)") :
			    e.rcpts[k].state == QRCPT_FAILED ? _(" (refused)") :
			    "");
		(void)printf("\n");
		(void)printf(_("    attempts: %u"), e.attempts);
		if (e.state == QENTRY_QUEUED)
			(void)printf(_(", next try in %s"), e.next_try <= now ?
			    "0s" : nt);
		(void)printf("\n");
		if (e.last_error != NULL)
			cli_print_safe(_("    last error: "), e.last_error);
		qentry_free(&e);
	}
	for (i = 0; i < no; i++)
		cli_warn(_("%s is in the outbox without an envelope (pigeon was "
		    "stopped while queueing it): not sent; 'pigeon queue edit "
		    "%s' makes it a draft"), orph[i], orph[i]);
	if (n == 0 && no == 0)
		(void)printf(_("The outbox is empty.\n"));
	maildir_free_list(ids, n);
	maildir_free_list(orph, no);
	free(errstr);
	return rc;
}

/* Same account and server: one connection. */
static int
same_route(const struct qentry *a, const struct qentry *b)
{
	return ((a->account == NULL && b->account == NULL) ||
	    (a->account != NULL && b->account != NULL &&
	    strcmp(a->account, b->account) == 0)) &&
	    ((a->server == NULL && b->server == NULL) ||
	    (a->server != NULL && b->server != NULL &&
	    strcmp(a->server, b->server) == 0));
}

/* A message a stopped run sent: file it, under its lock. */
static void
finish(struct outbox *ob, const char *id)
{
	struct qentry e;
	char *errstr = NULL;
	int held = 0;

	if (outbox_lock(ob, id, &held, &errstr) == ERR_OK && held) {
		if (outbox_load(ob, id, &e, &errstr) == ERR_OK) {
			e.state = outbox_was_sent(ob, id) ? QENTRY_SENT :
			    e.state;
			if (outbox_recover(ob, &e, &errstr) != ERR_OK)
				cli_warn("%s", errstr != NULL ? errstr : "?");
			qentry_free(&e);
		}
		outbox_unlock(ob, id);
	}
	free(errstr);
}

/*
 * Send the entries that are due (or just `only`), grouped by route.  They
 * are read here without locks; deliver_group() locks each in turn and
 * leaves one that another pigeon is sending or has sent.
 */
static int
do_flush(const struct cli *opts, struct outbox *ob, const char *only, int all)
{
	char **ids = NULL, *errstr = NULL;
	size_t n = 0, i, j, ng, found = 0;
	struct qentry *v = NULL, **grp = NULL;
	struct deliver_hooks hooks;
	int *used = NULL, rc = 0, r;
	int64_t now = (int64_t)time(NULL);
	enum err e;

	if (outbox_ids(ob, &ids, &n, &errstr) != ERR_OK) {
		cli_error("%s", errstr != NULL ? errstr : "?");
		free(errstr);
		return EX_IOERR;
	}
	v = calloc(n + 1, sizeof(*v));
	used = calloc(n + 1, sizeof(*used));
	grp = calloc(n + 1, sizeof(*grp));
	if (v == NULL || used == NULL || grp == NULL) {
		rc = EX_OSERR;
		goto out;
	}
	for (i = 0; i < n; i++) {
		used[i] = 1;
		if (only != NULL && strcmp(ids[i], only) != 0)
			continue;
		found++;
		e = outbox_load(ob, ids[i], &v[i], &errstr);
		if (e == ERR_NOINPUT)
			continue;       /* filed as sent while we listed */
		if (e != ERR_OK) {
			cli_warn("%s", errstr != NULL ? errstr : ids[i]);
			rc = EX_DATAERR;
			continue;
		}
		if (v[i].state != QENTRY_QUEUED) {
			if (only != NULL)
				cli_warn(_("%s has failed; 'pigeon queue edit "
				    "%s' makes it a draft"), ids[i], ids[i]);
			continue;
		}
		if (only == NULL && !all && v[i].next_try > now) {
			/* Not due, but perhaps sent by a run that was stopped. */
			if (outbox_was_sent(ob, ids[i]))
				finish(ob, ids[i]);
			continue;
		}
		used[i] = 0;
	}
	if (only != NULL && found == 0) {
		cli_error(_("no message %s in the queue"), only);
		rc = EX_NOINPUT;
		goto out;
	}
	memset(&hooks, 0, sizeof(hooks));
	hooks.lock = 1;
	for (i = 0; i < n; i++) {
		struct cli c;

		if (used[i])
			continue;
		for (ng = 0, j = i; j < n; j++)
			if (!used[j] && same_route(&v[i], &v[j])) {
				grp[ng++] = &v[j];
				used[j] = 1;
			}
		c = *opts;
		c.account_name = v[i].account;
		c.server = v[i].server;
		c.chunking |= v[i].chunking;
		if ((r = cli_setup(&c, NULL, 1)) == 0)
			r = deliver_group(&c, ob, grp, ng, &hooks, 0);
		cli_cleanup(&c);
		if (rc == 0)
			rc = r;
	}
out:
	for (i = 0; i < n && v != NULL; i++)
		qentry_free(&v[i]);
	free(v);
	free(used);
	free(grp);
	maildir_free_list(ids, n);
	free(errstr);
	return rc;
}

/* Transcript text to stdout, control characters (but newline and tab) escaped. */
static void
put_safe(void *arg, const char *p, size_t n)
{
	size_t i, from = 0;
	unsigned char ch;

	(void)arg;
	for (i = 0; i < n; i++) {
		ch = (unsigned char)p[i];
		if ((ch >= 0x20 && ch != 0x7f) || ch == '\n' || ch == '\t')
			continue;
		(void)fwrite(p + from, 1, i - from, stdout);
		(void)printf("\\x%02x", ch);
		from = i + 1;
	}
	(void)fwrite(p + from, 1, n - from, stdout);
}

static int
do_log(struct outbox *ob, const char *id)
{
	char *errstr = NULL;
	size_t n = 0;
	enum err e = outbox_history(ob, id, put_safe, NULL, &n, &errstr);

	if (e != ERR_OK) {
		cli_error("%s", errstr != NULL ? errstr : err_str(e));
		free(errstr);
		return err_exit_code(e);
	}
	if (fflush(stdout) != 0) {
		cli_error(_("cannot write the transcript: %s"), strerror(errno));
		return EX_IOERR;
	}
	if (n == 0) {
		cli_error(_("no transcript of a message %s"), id);
		return EX_NOINPUT;
	}
	return EX_OK;
}

static int
confirm(const char *id)
{
	char line[16];

	if (!isatty(STDIN_FILENO))
		return 1;
	(void)fprintf(stderr, _("Delete message %s? [y/N] "), id);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static int
do_one(struct outbox *ob, const char *cmd, const char *id)
{
	char *errstr = NULL;
	int held = 0, rc = 0;
	enum err e;

	if ((e = outbox_lock(ob, id, &held, &errstr)) != ERR_OK || !held) {
		cli_error("%s", !held && e == ERR_OK ?
		    _("the message is being sent right now") :
		    errstr != NULL ? errstr : "?");
		free(errstr);
		return EX_TEMPFAIL;
	}
	if (strcmp(cmd, "rm") == 0) {
		if (!confirm(id))
			rc = EX_OK;
		else if ((e = outbox_remove(ob, id, &errstr)) != ERR_OK)
			rc = err_exit_code(e);
	} else if ((e = outbox_to_draft(ob, id, &errstr)) != ERR_OK) {
		rc = err_exit_code(e);
	} else {
		(void)printf(_("%s is now a draft in %s/drafts\n"), id,
		    outbox_dir(ob));
	}
	if (rc != 0)
		cli_error("%s", errstr != NULL ? errstr : err_str(e));
	outbox_unlock(ob, id);
	free(errstr);
	return rc;
}

int
cmd_queue(int argc, char **argv)
{
	struct cli c;
	struct outbox *ob = NULL;
	const char *cmd;
	int opt, rc, all = 0;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "v", queue_longopts, NULL)) !=
	    -1) {
		if (cli_common_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_ALL:
			all = 1;
			break;
		case CLI_OPT_HELP:
			queue_help(stdout);
			return EX_OK;
		case CLI_OPT_VERSION:
			(void)printf("pigeon %s\n", VERSION);
			return EX_OK;
		default:
			queue_help(stderr);
			return EX_USAGE;
		}
	}
	cmd = optind < argc ? argv[optind++] : "list";
	if ((strcmp(cmd, "list") == 0 || strcmp(cmd, "flush") == 0) ?
	    optind != argc : optind + 1 != argc ||
	    (strcmp(cmd, "retry") != 0 && strcmp(cmd, "edit") != 0 &&
	    strcmp(cmd, "rm") != 0 && strcmp(cmd, "log") != 0)) {
		queue_help(stderr);
		return EX_USAGE;
	}
	if ((rc = deliver_open(&ob)) != 0)
		return rc;
	if (strcmp(cmd, "list") == 0)
		rc = do_list(ob);
	else if (strcmp(cmd, "flush") == 0)
		rc = do_flush(&c, ob, NULL, all);
	else if (strcmp(cmd, "retry") == 0)
		rc = do_flush(&c, ob, argv[optind], 0);
	else if (strcmp(cmd, "log") == 0)
		rc = do_log(ob, argv[optind]);
	else
		rc = do_one(ob, cmd, argv[optind]);
	outbox_close(ob);
	return rc;
}
