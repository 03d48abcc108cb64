/* test_smtp_next.c - the SMTP engine with the next envelope behind the dot (RFC 2920): the bytes in one flight, the replies matched to their messages, each message's result kept apart. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smtp.h"

static const char *const rcpt1[] = { "b@example.org" };
static const char *const rcpt2[] = { "d@example.org" };
static const struct smtp_envelope env1 = {
	.from = "a@example.org", .rcpts = rcpt1, .nrcpts = 1,
};
static const struct smtp_envelope env2 = {
	.from = "c@example.org", .rcpts = rcpt2, .nrcpts = 1,
};

/* Feed the server's bytes, whole or one at a time. */
static void
feed(struct smtp *s, const char *bytes, int bytewise)
{
	size_t i, n = strlen(bytes);

	if (!bytewise) {
		smtp_feed(s, bytes, n);
		return;
	}
	for (i = 0; i < n; i++)
		smtp_feed(s, bytes + i, 1);
}

/* The client's output must be exactly want; it is taken as sent. */
static void
expect_out(struct smtp *s, const char *want)
{
	size_t len;
	const char *p = smtp_output(s, &len);

	assert_int_equal(len, strlen(want));
	assert_memory_equal(p, want, len);
	smtp_consumed(s, len);
}

/* Greeted and ready, the server offering caps (a "250 " line). */
static struct smtp *
ready(const struct smtp_opts *o, const char *caps, int bytewise)
{
	struct smtp *s = smtp_new(o, NULL);

	assert_non_null(s);
	feed(s, "220 test ESMTP\r\n", bytewise);
	expect_out(s, "EHLO localhost\r\n");
	feed(s, caps, bytewise);
	assert_true(smtp_want(s) & SMTP_READY);
	return s;
}

/* The first message's envelope and data, up to its dot (not sent yet). */
static void
first_message(struct smtp *s, int bytewise)
{
	char *why = NULL;

	assert_int_equal(smtp_mail(s, &env1, &why), ERR_OK);
	expect_out(s, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
	    "DATA\r\n");
	feed(s, "250 ok\r\n250 ok\r\n354 go\r\n", bytewise);
	assert_true(smtp_want(s) & SMTP_WANT_BODY);
	smtp_body(s, "one\n", 4);
	smtp_body_end(s);
}

static void
next_behind_dot(int bytewise)
{
	struct smtp_opts o = { .tls = SMTP_TLS_NONE };
	struct smtp *s = ready(&o, "250-test\r\n250 PIPELINING\r\n", bytewise);
	const struct smtp_result *r;
	char *why = NULL;

	first_message(s, bytewise);
	assert_true(smtp_want(s) & SMTP_NEXT);
	assert_int_equal(smtp_messages_begun(s), 1);
	assert_int_equal(smtp_mail(s, &env2, &why), ERR_OK);
	assert_false(smtp_want(s) & SMTP_NEXT);
	assert_int_equal(smtp_messages_begun(s), 2);
	/* One flight: the data, the dot, the next envelope with DATA last. */
	expect_out(s, "one\r\n.\r\nRSET\r\nMAIL FROM:<c@example.org>\r\n"
	    "RCPT TO:<d@example.org>\r\nDATA\r\n");
	r = smtp_result_of(s, 1);
	assert_non_null(r);
	assert_int_equal(r->nrcpts, 0);
	/* The first is refused at its dot; the second's envelope is fine. */
	feed(s, "554 5.7.1 no\r\n250 reset\r\n250 ok\r\n250 ok\r\n354 go\r\n",
	    bytewise);
	assert_int_equal(smtp_messages_done(s), 1);
	r = smtp_result_of(s, 0);
	assert_int_equal(r->err, ERR_PERMFAIL);
	assert_int_equal(r->reply.code, 554);
	r = smtp_result_of(s, 1);
	assert_int_equal(r->nrcpts, 1);
	assert_int_equal(r->rcpt[0].code, 250);
	assert_true(smtp_want(s) & SMTP_WANT_BODY);
	smtp_body(s, "two\n", 4);
	smtp_body_end(s);
	assert_true(smtp_want(s) & SMTP_NEXT);
	expect_out(s, "two\r\n.\r\n");
	feed(s, "250 2.0.0 queued\r\n", bytewise);
	assert_int_equal(smtp_messages_done(s), 2);
	assert_int_equal(smtp_result_of(s, 1)->err, ERR_OK);
	assert_int_equal(smtp_result_of(s, 1)->naccepted, 1);
	/* The one before is still there to read. */
	assert_int_equal(smtp_result_of(s, 0)->err, ERR_PERMFAIL);
	assert_true(smtp_want(s) & SMTP_READY);
	smtp_free(s);
}

static void
test_next_behind_dot(void **state)
{
	(void)state;
	next_behind_dot(0);
	next_behind_dot(1);
}

static void
test_no_pipelining_no_next(void **state)
{
	struct smtp_opts o = { .tls = SMTP_TLS_NONE };
	struct smtp_opts off = { .tls = SMTP_TLS_NONE, .no_pipelining = 1 };
	struct smtp *s;
	char *why = NULL;

	(void)state;
	s = ready(&o, "250 test\r\n", 0);
	assert_int_equal(smtp_mail(s, &env1, &why), ERR_OK);
	expect_out(s, "MAIL FROM:<a@example.org>\r\n");
	feed(s, "250 ok\r\n", 0);
	expect_out(s, "RCPT TO:<b@example.org>\r\n");
	feed(s, "250 ok\r\n", 0);
	expect_out(s, "DATA\r\n");
	feed(s, "354 go\r\n", 0);
	smtp_body(s, "one\n", 4);
	smtp_body_end(s);
	assert_false(smtp_want(s) & SMTP_NEXT);
	assert_int_equal(smtp_mail(s, &env2, &why), ERR_SOFTWARE);
	free(why);
	why = NULL;
	smtp_free(s);
	/* Offered, but not to be used. */
	s = ready(&off, "250-test\r\n250 PIPELINING\r\n", 0);
	assert_int_equal(smtp_mail(s, &env1, &why), ERR_OK);
	expect_out(s, "MAIL FROM:<a@example.org>\r\n");
	smtp_free(s);
}

static void
test_eof_after_dot(void **state)
{
	struct smtp_opts o = { .tls = SMTP_TLS_NONE };
	struct smtp *s = ready(&o, "250-test\r\n250 PIPELINING\r\n", 0);
	const struct smtp_result *r;
	char *why = NULL;

	(void)state;
	first_message(s, 0);
	assert_int_equal(smtp_mail(s, &env2, &why), ERR_OK);
	expect_out(s, "one\r\n.\r\nRSET\r\nMAIL FROM:<c@example.org>\r\n"
	    "RCPT TO:<d@example.org>\r\nDATA\r\n");
	smtp_eof(s);
	assert_true(smtp_want(s) & SMTP_DONE);
	/* The first ended unconfirmed; the second never began. */
	assert_int_equal(smtp_messages_done(s), 1);
	r = smtp_result_of(s, 0);
	assert_int_equal(r->err, ERR_CLOSED);
	assert_int_equal(r->uncertain, 1);
	r = smtp_result_of(s, 1);
	assert_non_null(r);
	assert_int_equal(r->nrcpts, 0);
	smtp_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_behind_dot),
		cmocka_unit_test(test_no_pipelining_no_next),
		cmocka_unit_test(test_eof_after_dot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
