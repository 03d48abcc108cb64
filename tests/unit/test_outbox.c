/* test_outbox.c - the outbox's bookkeeping: each attempt filed, crashes finished, nothing lost or sent twice. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "helper.h"
#include "outbox.h"
#include "util.h"

#define DAY 86400

static int
exists(const char *fmt, const char *id)
{
	char *p = util_strf(fmt, test_dir, id);
	struct stat st;
	int r;

	assert_non_null(p);
	r = stat(p, &st) == 0;
	free(p);
	return r;
}

static int
in_folder(struct outbox *ob, enum outbox_folder f, const char *id)
{
	char *path = NULL;
	enum err e = maildir_find(outbox_folder(ob, f), id, &path, NULL);

	free(path);
	return e == ERR_OK;
}

/* Is id among the messages due by the time by? */
static int
is_due(struct outbox *ob, const char *id, int64_t by)
{
	char **ids = NULL, *errstr = NULL;
	size_t n = 0, i;
	int r = 0;

	assert_int_equal(outbox_due(ob, by, &ids, &n, &errstr), ERR_OK);
	for (i = 0; i < n; i++)
		r |= strcmp(ids[i], id) == 0;
	maildir_free_list(ids, n);
	free(errstr);
	return r;
}

/* qlog_history() into a buffer. */
static void
collect(void *arg, const char *p, size_t n)
{
	struct buf *b = arg;

	assert_int_equal(buf_add(b, p, n), 0);
}

/* The transcripts of id, as one string (free it). */
static char *
history(struct outbox *ob, const char *id, size_t *n)
{
	struct buf b;
	char *errstr = NULL;

	buf_init(&b, 1 << 20);
	assert_int_equal(qlog_history(outbox_logs(ob), id, collect, &b, n,
	    &errstr),
	    ERR_OK);
	assert_int_equal(buf_addch(&b, '\0'), 0);
	free(errstr);
	return b.data;
}

/* A connection's log with text in it. */
static struct qlog_conn *
log_with(struct outbox *ob, const char *text)
{
	struct qlog_conn *lg = NULL;
	char *errstr = NULL;

	assert_int_equal(qlog_conn_open(outbox_logs(ob), &lg, &errstr), ERR_OK);
	qlog_write(lg, text, strlen(text));
	free(errstr);
	return lg;
}

/* Queue a message to the given recipients; returns the entry. */
static void
enqueue(struct outbox *ob, struct qentry *e, const char *const *rcpts,
    size_t n)
{
	struct outbox_item it;
	char *errstr = NULL;
	size_t i;
	static const char msg[] = "Subject: t\r\n\r\nbody\r\n";

	qentry_init(e);
	assert_int_equal(outbox_begin(ob, &it, &errstr), ERR_OK);
	assert_int_equal(maildir_write(&it.tx, msg, sizeof(msg) - 1),
	    (ssize_t)(sizeof(msg) - 1));
	e->from = strdup("a@example.org");
	assert_non_null(e->from);
	for (i = 0; i < n; i++)
		assert_int_equal(qentry_add_rcpt(e, rcpts[i]), ERR_OK);
	e->created = 1000000;
	assert_int_equal(outbox_commit(ob, &it, e, &errstr), ERR_OK);
	outbox_release(ob, &it);
	free(errstr);
}

static void
test_partial_then_sent(void **state)
{
	static const char *const rc[] = { "ok@x", "later@x", "no@x" };
	struct smtp_reply rr[3] = {
		{ 250, "2.1.5", (char *)"ok" },
		{ 450, "4.2.0", (char *)"greylisted" },
		{ 550, "5.1.1", (char *)"no such user" },
	};
	struct smtp_result r;
	struct outbox *ob;
	static const char *const want[] = {
		"== attempt 1: ", "greeting\nlog1\n", "stays queued, attempt 1",
		"not sent to yet: <later@x> greylisted", "== attempt 2: ",
		"hello again\n...\nlog2\n", "filed as sent",
		"delivered to <ok@x>", "delivered to <later@x>",
		"refused: <no@x> no such user", "server queue id: 4XyZ9",
	};
	struct qlog_conn *lg;
	struct qentry e, back;
	enum outbox_outcome oc;
	char *errstr = NULL, *id, *h;
	const char *pend[3];
	size_t n, k;

	(void)state;
	assert_int_equal(outbox_open(&ob, test_dir, &errstr), ERR_OK);
	enqueue(ob, &e, rc, 3);
	id = strdup(e.id);
	assert_non_null(id);
	assert_true(in_folder(ob, OUTBOX_OUTBOX, id));
	assert_true(exists("%s/queue/%s.env", id));

	memset(&r, 0, sizeof(r));
	r.err = ERR_OK;
	r.reply.code = 250;
	r.reply.text = (char *)"2.0.0 Ok: queued as 4XyZ9";
	r.rcpt = rr;
	r.nrcpts = 3;
	r.naccepted = 1;
	lg = log_with(ob, "greeting\n");
	qlog_prelude(lg);
	qlog_write(lg, "log1\n", 5);
	assert_int_equal(outbox_record(ob, &e, &r, ERR_OK, NULL, lg,
	    qlog_size(lg) - 5, 1000100, 5 * DAY, &oc, &errstr), ERR_OK);
	assert_int_equal(qlog_conn_close(lg, &errstr), ERR_OK);
	assert_int_equal(oc, OUTCOME_QUEUED);
	assert_int_equal(e.rcpts[0].state, QRCPT_DONE);
	assert_int_equal(e.rcpts[1].state, QRCPT_PENDING);
	assert_int_equal(e.rcpts[2].state, QRCPT_FAILED);
	assert_true(e.next_try >= 1000100 + 300);
	/* Filed in sent/ for the one who has it, queued for the rest. */
	assert_true(in_folder(ob, OUTBOX_OUTBOX, id));
	assert_true(in_folder(ob, OUTBOX_SENT, id));
	assert_false(outbox_was_sent(ob, id));
	/* What is on disk says the same. */
	assert_int_equal(outbox_load(ob, id, &back, &errstr), ERR_OK);
	assert_int_equal(back.rcpts[0].state, QRCPT_DONE);
	assert_int_equal(back.attempts, 1);
	assert_int_equal(outbox_pending(&back, pend, 3), 1);
	assert_string_equal(pend[0], "later@x");
	qentry_free(&back);

	/* The next attempt has only the put-off recipient. */
	r.rcpt = &rr[0];
	r.nrcpts = 1;
	lg = log_with(ob, "hello again\n");
	qlog_prelude(lg);
	qlog_write(lg, "other message\n", 14);
	qlog_write(lg, "log2\n", 5);
	assert_int_equal(outbox_record(ob, &e, &r, ERR_OK, NULL, lg,
	    qlog_size(lg) - 5, 1000900, 5 * DAY, &oc, &errstr), ERR_OK);
	assert_int_equal(qlog_conn_close(lg, &errstr), ERR_OK);
	assert_int_equal(oc, OUTCOME_PARTIAL);
	assert_string_equal(e.queue_id, "4XyZ9");
	assert_false(in_folder(ob, OUTBOX_OUTBOX, id));
	assert_true(in_folder(ob, OUTBOX_SENT, id));
	assert_false(exists("%s/queue/%s.env", id));
	/* The envelope is kept with the final state of each recipient. */
	assert_true(exists("%s/log/%s.env", id));
	{
		char *p = util_strf("%s/log/%s.env", test_dir, id), buf[4096];
		FILE *f = fopen(p, "r");
		size_t k;
		struct qentry rec;

		assert_non_null(f);
		k = fread(buf, 1, sizeof(buf), f);
		(void)fclose(f);
		free(p);
		assert_int_equal(qentry_parse(&rec, buf, k, NULL), ERR_OK);
		assert_int_equal(rec.state, QENTRY_SENT);
		assert_int_equal(rec.rcpts[1].state, QRCPT_DONE);
		assert_int_equal(rec.rcpts[2].state, QRCPT_FAILED);
		assert_string_equal(rec.queue_id, "4XyZ9");
		qentry_free(&rec);
	}
	/* Both attempts' transcripts: the connection's start, its part, the outcome. */
	h = history(ob, id, &n);
	assert_int_equal(n, 2);
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		if (strstr(h, want[k]) == NULL)
			fail_msg("no '%s' in:\n%s", want[k], h);
	assert_null(strstr(h, "other message"));
	free(h);
	h = history(ob, "1.nothing.here", &n);
	assert_int_equal(n, 0);
	free(h);
	qentry_free(&e);
	free(id);
	free(errstr);
	outbox_close(ob);
}

static void
test_no_connection_then_give_up(void **state)
{
	static const char *const rc[] = { "a@x", "b@x" };
	struct outbox *ob;
	struct qentry e;
	enum outbox_outcome oc;
	char *errstr = NULL, *id;

	(void)state;
	assert_int_equal(outbox_open(&ob, test_dir, &errstr), ERR_OK);
	enqueue(ob, &e, rc, 2);
	assert_int_equal(outbox_record(ob, &e, NULL, ERR_NET,
	    "connection refused", NULL, 0, 1000010, 5 * DAY, &oc, &errstr),
	    ERR_OK);
	assert_int_equal(oc, OUTCOME_QUEUED);
	assert_string_equal(e.last_error, "connection refused");
	assert_int_equal(e.rcpts[0].state, QRCPT_PENDING);
	/* Due at its next try, not before: the file time says so. */
	assert_false(is_due(ob, e.id, e.next_try - 1));
	assert_true(is_due(ob, e.id, e.next_try));
	/* Past the lifetime: failed, in failed/, the envelope kept. */
	assert_int_equal(outbox_record(ob, &e, NULL, ERR_NET, "refused",
	    NULL, 0, 1000000 + 5 * DAY + 1, 5 * DAY, &oc, &errstr), ERR_OK);
	assert_int_equal(oc, OUTCOME_FAILED);
	assert_true(in_folder(ob, OUTBOX_FAILED, e.id));
	assert_false(in_folder(ob, OUTBOX_OUTBOX, e.id));
	assert_true(exists("%s/queue/%s.env", e.id));
	/* Never due by itself. */
	assert_false(is_due(ob, e.id, INT64_C(4000000000)));
	/* queue retry: back to the outbox, both waiting again, due now. */
	assert_int_equal(outbox_requeue(ob, e.id, &errstr), ERR_OK);
	assert_true(in_folder(ob, OUTBOX_OUTBOX, e.id));
	assert_false(in_folder(ob, OUTBOX_FAILED, e.id));
	id = strdup(e.id);
	assert_non_null(id);
	qentry_free(&e);
	assert_int_equal(outbox_load(ob, id, &e, &errstr), ERR_OK);
	free(id);
	assert_int_equal(e.state, QENTRY_QUEUED);
	assert_int_equal(e.rcpts[0].state, QRCPT_PENDING);
	assert_int_equal(e.rcpts[1].state, QRCPT_PENDING);
	assert_true(is_due(ob, e.id, 1));
	/* Not failed: nothing to do. */
	assert_int_equal(outbox_requeue(ob, e.id, &errstr), ERR_NOINPUT);
	qentry_free(&e);
	free(errstr);
	outbox_close(ob);
}

/* Lost after the dot: the recipients stay to do, marked uncertain. */
static void
test_uncertain(void **state)
{
	static const char *const rc[] = { "a@x" };
	struct smtp_reply rr = { 250, "", (char *)"ok" };
	struct smtp_result r;
	struct outbox *ob;
	struct qentry e;
	enum outbox_outcome oc;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(outbox_open(&ob, test_dir, &errstr), ERR_OK);
	enqueue(ob, &e, rc, 1);
	memset(&r, 0, sizeof(r));
	r.err = ERR_CLOSED;
	r.uncertain = 1;
	r.rcpt = &rr;
	r.nrcpts = 1;
	assert_int_equal(outbox_record(ob, &e, &r, ERR_OK, "closed", NULL, 0,
	    1000010, 5 * DAY, &oc, &errstr), ERR_OK);
	assert_int_equal(oc, OUTCOME_QUEUED);
	assert_true(e.uncertain);
	assert_int_equal(e.rcpts[0].state, QRCPT_PENDING);
	assert_true(in_folder(ob, OUTBOX_OUTBOX, e.id));
	qentry_free(&e);
	free(errstr);
	outbox_close(ob);
}

/*
 * Stopped right after the move to sent/: the envelope is still in
 * queue/, and the move alone says the message went.
 */
static void
test_recover_after_move(void **state)
{
	static const char *const rc[] = { "a@x" };
	struct outbox *ob;
	struct qentry e, back;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(outbox_open(&ob, test_dir, &errstr), ERR_OK);
	enqueue(ob, &e, rc, 1);
	assert_false(outbox_was_sent(ob, e.id));
	assert_int_equal(maildir_move(outbox_folder(ob, OUTBOX_OUTBOX), e.id,
	    outbox_folder(ob, OUTBOX_SENT), "S", &errstr), ERR_OK);
	assert_true(outbox_was_sent(ob, e.id));
	assert_int_equal(outbox_load(ob, e.id, &back, &errstr), ERR_OK);
	back.state = QENTRY_SENT;
	assert_int_equal(outbox_recover(ob, &back, &errstr), ERR_OK);
	assert_true(in_folder(ob, OUTBOX_SENT, e.id));
	assert_false(in_folder(ob, OUTBOX_OUTBOX, e.id));
	assert_false(exists("%s/queue/%s.env", e.id));
	assert_true(exists("%s/log/%s.env", e.id));
	qentry_free(&back);
	qentry_free(&e);
	free(errstr);
	outbox_close(ob);
}

/* Locks: a second holder is told, the first keeps it. */
static void
test_lock(void **state)
{
	static const char *const rc[] = { "a@x" };
	struct outbox *ob, *other;
	struct qentry e;
	char *errstr = NULL;
	int a, b;

	(void)state;
	assert_int_equal(outbox_open(&ob, test_dir, &errstr), ERR_OK);
	/* Another handle stands for another pigeon. */
	assert_int_equal(outbox_open(&other, test_dir, &errstr), ERR_OK);
	enqueue(ob, &e, rc, 1);
	assert_int_equal(outbox_lock(ob, e.id, &a, &errstr), ERR_OK);
	assert_int_equal(a, 1);
	assert_int_equal(outbox_lock(other, e.id, &b, &errstr), ERR_OK);
	assert_int_equal(b, 0);
	/* Another id is free. */
	assert_int_equal(outbox_lock(other, "1.other.id", &b, &errstr), ERR_OK);
	assert_int_equal(b, 1);
	outbox_unlock(other, "1.other.id");
	outbox_unlock(ob, e.id);
	assert_int_equal(outbox_lock(other, e.id, &b, &errstr), ERR_OK);
	assert_int_equal(b, 1);
	outbox_unlock(other, e.id);
	outbox_close(other);
	assert_int_equal(outbox_remove(ob, e.id, &errstr), ERR_OK);
	assert_false(in_folder(ob, OUTBOX_OUTBOX, e.id));
	assert_false(exists("%s/queue/%s.env", e.id));
	qentry_free(&e);
	free(errstr);
	outbox_close(ob);
}

/* A message without an envelope is an orphan: listed, never sent, kept. */
static void
test_orphan_and_damage(void **state)
{
	struct outbox *ob;
	struct maildir_tx tx;
	struct qentry e;
	char **ids = NULL, *errstr = NULL, *p;
	size_t n = 0;
	FILE *f;

	(void)state;
	assert_int_equal(outbox_open(&ob, test_dir, &errstr), ERR_OK);
	assert_int_equal(maildir_begin(outbox_folder(ob, OUTBOX_OUTBOX),
	    "1000000000.M1P1R1.old", &tx, &errstr), ERR_OK);
	assert_int_equal(maildir_write(&tx, "x\r\n", 3), 3);
	assert_int_equal(maildir_commit(outbox_folder(ob, OUTBOX_OUTBOX), &tx,
	    NULL, &errstr), ERR_OK);
	free(tx.name);
	assert_int_equal(outbox_orphans(ob, &ids, &n, &errstr), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "1000000000.M1P1R1.old");
	maildir_free_list(ids, n);
	/* A damaged envelope: refused with a message, left where it is. */
	p = util_strf("%s/queue/1000000000.M1P1R1.old.env", test_dir);
	assert_non_null(p);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_true(fputs("pigeon-queue 1\nid 1000000000.M1P1R1.old\n", f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(outbox_load(ob, "1000000000.M1P1R1.old", &e,
	    &errstr), ERR_DATA);
	assert_non_null(strstr(errstr, "skipped"));
	assert_true(access(p, F_OK) == 0);
	free(p);
	free(errstr);
	outbox_close(ob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partial_then_sent),
		cmocka_unit_test(test_no_connection_then_give_up),
		cmocka_unit_test(test_uncertain),
		cmocka_unit_test(test_recover_after_move),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_orphan_and_damage),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
