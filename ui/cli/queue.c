/* queue.c - "pigeon queue": list, flush, retry, edit and remove queued messages. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "buf.h"
#include "draft.h"
#include "i18n.h"
#include "mimewalk.h"
#include "outbox.h"
#include "qid.h"
#include "queueflush.h"
#include "util.h"
#include "when.h"

enum {
	OPT_ALL = CLI_OPT_LAST_,
	OPT_DUE,
};

static const struct option queue_longopts[] = {
	CLI_LONGOPTS,
	CLI_LONGOPTS_TLS,
	CLI_LONGOPTS_SEND,
	{ "all", no_argument, NULL, OPT_ALL },
	{ "due", no_argument, NULL, OPT_DUE },
	{ NULL, 0, NULL, 0 },
};

static void
queue_help(FILE *fp)
{
	(void)fputs(_(
"Usage: pigeon queue [list]\n"
"       pigeon queue flush [--due] [--server URL]\n"
"       pigeon queue retry|edit|rm|log ID\n"
"The outbox: messages waiting to be sent, and those that failed.\n"
"\n"
"  list      each message: id, age, account, recipients, attempts, last\n"
"            error, next try\n"
"  flush     send every queued message now, one connection per account\n"
"            (--all means the same); with --due only those whose retry\n"
"            time has come (what the UI, a send and the timer do);\n"
"            with --server URL through that server instead of each\n"
"            message's own\n"
"  retry ID  send that message now, a failed one too once its cause is\n"
"            put right (--server URL as for flush)\n"
"  edit ID   make a queued or failed message a draft again (Bcc kept)\n"
"  rm ID     delete a queued or failed message (asks on a terminal)\n"
"  log ID    the transcript of every attempt to send that message\n"
"ID is the short id that list shows, the whole id, or the start of either\n"
"(4 characters at least) when no other message's starts so.\n"), fp);
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

/* How many ambiguous ids an error lists. */
#define CANDIDATES_MAX 10

/* Add the names of the messages in folder f to (*v)[0..*n); -1 out of memory. */
static int
add_folder(struct outbox *ob, enum outbox_folder f, char ***v, size_t *n)
{
	char **names = NULL, **warn = NULL, **nv;
	size_t nn = 0, nw = 0, i;

	/* A folder that cannot be read: the command itself says why. */
	if (maildir_list(outbox_folder(ob, f), &names, &nn, &warn, &nw,
	    NULL) != ERR_OK)
		return 0;
	maildir_free_list(warn, nw);
	if ((nv = realloc(*v, (*n + nn + 1) * sizeof(**v))) == NULL) {
		maildir_free_list(names, nn);
		return -1;
	}
	*v = nv;
	for (i = 0; i < nn; i++)
		nv[(*n)++] = names[i];
	free(names);
	return 0;
}

/*
 * Every id a queue command may be given: those with an envelope first
 * (*nq of them), then the messages in outbox/ and failed/, and with
 * sent those in sent/ too (their logs).  NULL when memory runs out.
 */
static char **
known_ids(struct outbox *ob, int sent, size_t *n, size_t *nq)
{
	char **v = NULL;

	*n = *nq = 0;
	if (outbox_ids(ob, &v, n, NULL) != ERR_OK) {
		v = NULL;
		*n = 0;
	}
	*nq = *n;
	if (add_folder(ob, OUTBOX_OUTBOX, &v, n) < 0 ||
	    add_folder(ob, OUTBOX_FAILED, &v, n) < 0 ||
	    (sent && add_folder(ob, OUTBOX_SENT, &v, n) < 0)) {
		maildir_free_list(v, *n);
		return NULL;
	}
	if (v == NULL)
		v = calloc(1, sizeof(*v));
	return v;
}

/*
 * The id arg names: a whole id, or an abbreviation of one (qid.h).  One
 * that names none is taken as it is: the command then says there is no
 * such message.  0 with *id (malloc'd), or the exit status: EX_USAGE
 * for an abbreviation of several, which are listed.
 */
static int
resolve(struct outbox *ob, const char *arg, int sent, char **id)
{
	size_t found[CANDIDATES_MAX], n = 0, nq, k, i, len;
	char **v = known_ids(ob, sent, &n, &nq);
	const char *s;

	if (v == NULL)
		return EX_OSERR;
	k = qid_match((const char *const *)v, n, arg, found, CANDIDATES_MAX);
	if (k > 1) {
		cli_error(_("%s is ambiguous: it names %zu messages"), arg, k);
		for (i = 0; i < k && i < CANDIDATES_MAX; i++) {
			s = qid_short((const char *const *)v, n, found[i], &len);
			(void)fprintf(stderr, "  %.*s  %s\n", (int)len, s,
			    v[found[i]]);
		}
		if (k > CANDIDATES_MAX)
			(void)fprintf(stderr, "  ...\n");
		maildir_free_list(v, n);
		return EX_USAGE;
	}
	*id = strdup(k == 1 ? v[found[0]] : arg);
	maildir_free_list(v, n);
	return *id != NULL ? 0 : EX_OSERR;
}

int
cli_queue_list(struct outbox *ob)
{
	char **ids = NULL, **orph = NULL, **known, *errstr = NULL, a[32],
	    nt[64];
	size_t n = 0, no = 0, i, k, nk = 0, nq = 0, len;
	struct qentry e;
	int64_t now = (int64_t)time(NULL);
	int rc = 0;
	const char *shown;

	if (outbox_ids(ob, &ids, &n, &errstr) != ERR_OK ||
	    outbox_orphans(ob, &orph, &no, &errstr) != ERR_OK) {
		cli_error("%s", errstr != NULL ? errstr : "?");
		free(errstr);
		maildir_free_list(ids, n);
		return EX_IOERR;
	}
	/* Short ids, each long enough to name its message for any command. */
	if ((known = known_ids(ob, 1, &nk, &nq)) == NULL) {
		maildir_free_list(ids, n);
		maildir_free_list(orph, no);
		return EX_OSERR;
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
		/* known[0..nq) are ids[] read again: look it up. */
		for (k = 0; k < nq && strcmp(known[k], e.id) != 0; k++)
			;
		shown = e.id;
		len = strlen(e.id);
		if (k < nq)
			shown = qid_short((const char *const *)known, nk, k,
			    &len);
		(void)printf("%.*s  %s  %s  %s\n", (int)len, shown, a,
		    e.account != NULL ? e.account : _("(default account)"),
		    state_name(&e));
		(void)printf(_("    to:"));
		for (k = 0; k < e.nrcpts; k++)
			(void)printf(" %s%s", e.rcpts[k].addr,
			    e.rcpts[k].state == QRCPT_DONE ? _(" (done)") :
			    e.rcpts[k].state == QRCPT_FAILED &&
			    e.rcpts[k].code / 100 == 5 ? _(" (refused)") :
			    e.rcpts[k].state == QRCPT_FAILED ? _(" (not sent)") :
			    "");
		(void)printf("\n");
		(void)printf(_("    attempts: %u"), e.attempts);
		if (e.state == QENTRY_QUEUED && qentry_held(&e, now)) {
			when_format(e.not_before, nt, sizeof(nt));
			(void)printf(_(", held until %s"), nt);
		} else if (e.state == QENTRY_QUEUED)
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
	maildir_free_list(known, nk);
	free(errstr);
	return rc;
}

/* Lock the message id for a command on it; 0, or the exit status (said). */
static int
lock_one(struct outbox *ob, const char *id)
{
	char *errstr = NULL;
	int held = 0;
	enum err e;

	if ((e = outbox_lock(ob, id, &held, &errstr)) == ERR_OK && held)
		return 0;
	cli_error("%s", e == ERR_OK ? _("the message is being sent right now") :
	    errstr != NULL ? errstr : "?");
	free(errstr);
	return EX_TEMPFAIL;
}

/*
 * retry ID: a queued message now; a failed one goes back to the outbox
 * first (its recipients refused for good stay refused).
 */
static int
do_retry(const struct cli *opts, struct outbox *ob, const char *id)
{
	char *errstr = NULL;
	int rc;
	enum err e;

	if ((rc = lock_one(ob, id)) != 0)
		return rc;
	e = outbox_requeue(ob, id, &errstr);
	/* Held for later: the user sends it now, on purpose. */
	if (e == ERR_NOINPUT)
		e = outbox_release_hold(ob, id, (int64_t)time(NULL), &errstr);
	outbox_unlock(ob, id);
	if (e != ERR_OK && e != ERR_NOINPUT) {
		cli_error("%s", errstr != NULL ? errstr : err_str(e));
		free(errstr);
		return err_exit_code(e);
	}
	free(errstr);
	return queueflush_some(opts, ob, 0, NULL, id, 0);
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
	enum err e = qlog_history(outbox_logs(ob), id, put_safe, NULL, &n,
	    &errstr);

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
	return util_yesno(line) == 1;
}

/*
 * edit ID: the message read back into a draft with every field -- the
 * recipients of the envelope that are not in To or Cc are its Bcc, its
 * account goes along -- saved in that account's drafts folder (*where,
 * malloc'd) under its id; then it leaves the queue.  One that cannot be
 * read whole (*flaws set) stays where it is: what could be read becomes a
 * new draft, *copy its id.
 */
static enum err
to_draft(struct outbox *ob, const struct conf *conf, const char *id,
    unsigned *flaws, char **copy, char **where, char **errstr)
{
	struct qentry e;
	struct draft d;
	struct maildir *md = NULL;
	const char **rcpts = NULL;
	enum err r;
	size_t i;
	int fd = -1;

	draft_init(&d);
	if ((r = outbox_load(ob, id, &e, errstr)) != ERR_OK)
		return r;
	if ((rcpts = calloc(e.nrcpts + 1, sizeof(*rcpts))) == NULL) {
		qentry_free(&e);
		return ERR_NOMEM;
	}
	if (e.state == QENTRY_QUEUED && outbox_was_sent(ob, id)) {
		util_seterr(errstr, _("message %s was sent already"), id);
		r = ERR_USAGE;
		goto out;
	}
	if ((r = outbox_message(ob, &e, &fd, errstr)) != ERR_OK ||
	    (r = draft_read(fd, &d, flaws, errstr)) != ERR_OK)
		goto out;
	for (i = 0; i < e.nrcpts; i++)
		rcpts[i] = e.rcpts[i].addr;
	if ((r = draft_add_bcc(&d, rcpts, e.nrcpts)) != ERR_OK)
		goto out;
	if ((e.account != NULL && d.account == NULL &&
	    draft_set(&d.account, e.account) < 0) ||
	    (*flaws == 0 && draft_set(&d.id, id) < 0)) {
		r = ERR_NOMEM;
		goto out;
	}
	if ((r = outbox_drafts_open(ob, conf_account(conf, d.account), &md,
	    errstr)) != ERR_OK ||
	    (r = draft_save(md, &d, NULL, errstr)) != ERR_OK)
		goto out;
	if ((*where = strdup(maildir_path(md))) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	if (*flaws == 0)
		r = outbox_remove(ob, id, errstr);
	else if ((*copy = strdup(d.id)) == NULL)
		r = ERR_NOMEM;
out:
	if (md != NULL)
		outbox_drafts_close(ob, md);
	if (fd >= 0)
		(void)close(fd);
	qentry_free(&e);
	draft_free(&d);
	free(rcpts);
	return r;
}

static int
do_one(struct outbox *ob, const struct conf *conf, const char *cmd,
    const char *id)
{
	struct buf note;
	char *errstr = NULL, *copy = NULL, *where = NULL;
	unsigned flaws = 0;
	int rc;
	enum err e = ERR_OK;

	/* Like rm(1) of a missing file: an error, not a silent success. */
	if (!outbox_has(ob, id)) {
		cli_error(_("no message %s in the queue"), id);
		return EX_NOINPUT;
	}
	if ((rc = lock_one(ob, id)) != 0)
		return rc;
	if (strcmp(cmd, "rm") == 0) {
		if (!confirm(id))
			rc = EX_OK;
		else if ((e = outbox_remove(ob, id, &errstr)) != ERR_OK)
			rc = err_exit_code(e);
	} else if ((e = to_draft(ob, conf, id, &flaws, &copy, &where,
	    &errstr)) != ERR_OK) {
		rc = err_exit_code(e);
	} else if (flaws != 0) {
		buf_init(&note, 4096);
		(void)mimewalk_flaws_text(&note, flaws, " ");
		cli_warn(_("%s cannot be read whole: %sWhat could be read is "
		    "the new draft %s in %s; %s stays where it is "
		    "('pigeon queue rm %s' deletes it)."), id, buf_str(&note),
		    copy, where, id, id);
		buf_free(&note);
		rc = EX_DATAERR;
	} else {
		(void)printf(_("%s is now a draft in %s\n"), id, where);
	}
	free(copy);
	free(where);
	if (e == ERR_NOINPUT && !outbox_has(ob, id))
		cli_error(_("no message %s in the queue"), id);
	else if (e != ERR_OK)
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
	char *id = NULL;
	int opt, rc, due = 0;

	memset(&c, 0, sizeof(c));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":v46", queue_longopts, NULL)) !=
	    -1) {
		if (cli_common_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_ALL:
			/* "Every message" is what flush does anyway. */
			due = 0;
			break;
		case OPT_DUE:
			due = 1;
			break;
		case CLI_OPT_HELP:
			queue_help(stdout);
			return EX_OK;
		case CLI_OPT_VERSION:
			cli_version();
			return EX_OK;
		default:
			return cli_bad_option("queue", argv, opt);
		}
	}
	if (c.direct) {
		cli_error(_("--direct is for send and sendmail: a queued "
		    "message goes the way it was sent"));
		return EX_USAGE;
	}
	cmd = optind < argc ? argv[optind++] : "list";
	if ((strcmp(cmd, "list") == 0 || strcmp(cmd, "flush") == 0) ?
	    optind != argc : optind + 1 != argc ||
	    (strcmp(cmd, "retry") != 0 && strcmp(cmd, "edit") != 0 &&
	    strcmp(cmd, "rm") != 0 && strcmp(cmd, "log") != 0)) {
		cli_error(_("'%s' is not a queue command, or it wants another "
		    "number of arguments; try 'pigeon queue --help'"), cmd);
		return EX_USAGE;
	}
	if ((rc = cli_open_outbox(&ob)) != 0)
		return rc;
	if (strcmp(cmd, "list") == 0)
		rc = cli_queue_list(ob);
	else if (strcmp(cmd, "flush") == 0)
		rc = cli_flush(&c, ob, due, NULL, 0);
	else if ((rc = resolve(ob, argv[optind], strcmp(cmd, "log") == 0,
	    &id)) != 0)
		;
	else if (strcmp(cmd, "retry") == 0)
		rc = do_retry(&c, ob, id);
	else if (strcmp(cmd, "log") == 0)
		rc = do_log(ob, id);
	else if (strcmp(cmd, "edit") == 0 && (rc = cli_load_config(&c)) != 0)
		;
	else
		rc = do_one(ob, c.conf, cmd, id);
	free(id);
	conf_free(c.conf);
	outbox_close(ob);
	return rc;
}
