/* test_smtp_lmtp.c - the engine speaking LMTP where a script file cannot say it: BDAT LAST with a reply per recipient, and what the result and the transcript hold of each. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "smtp.h"
#include "transcript.h"
#include "helper.h"

static const char *rcpts3[] = {
	"bob@example.org", "carol@example.org", "dave@example.org",
};

/* All the client has to send now, as one string (static until the next call). */
static const char *
out(struct smtp *s)
{
	static struct buf b;
	const char *p;
	size_t n;

	buf_free(&b);
	buf_init(&b, 1 << 20);
	while ((p = smtp_output(s, &n)) != NULL) {
		assert_int_equal(buf_add(&b, p, n), 0);
		smtp_consumed(s, n);
	}
	return buf_str(&b);
}

static void
feed(struct smtp *s, const char *text)
{
	smtp_feed(s, text, strlen(text));
}

#define ENVELOPE "MAIL FROM:<a@example.org>\r\n" \
	"RCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\n" \
	"RCPT TO:<dave@example.org>\r\n"

/* Up to the envelope accepted for all three; it went out as want. */
static struct smtp *
start(const struct smtp_opts *o, const struct smtp_envelope *env,
    struct transcript *tr, const char *caps, const char *want)
{
	struct smtp *s = smtp_new(o, tr);
	char *why = NULL;

	assert_non_null(s);
	feed(s, "220 lmtp.test LMTP\r\n");
	assert_string_equal(out(s), "LHLO client.test\r\n");
	feed(s, caps);
	assert_true(smtp_want(s) & SMTP_READY);
	assert_int_equal(smtp_mail(s, env, &why), ERR_OK);
	assert_string_equal(out(s), want);
	feed(s, "250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n");
	return s;
}

/*
 * CHUNKING: the BDAT chunks get a reply each, BDAT LAST one per
 * recipient; their verdicts stand in the result in RCPT order.
 */
static void
test_lmtp_bdat_last(void **state)
{
	struct smtp_opts o = { .helo = "client.test", .lmtp = 1,
	    .chunking = 1 };
	struct smtp_envelope env = { .from = "a@example.org",
	    .rcpts = rcpts3, .nrcpts = 3 };
	const struct smtp_result *res;
	struct smtp *s;

	(void)state;
	s = start(&o, &env, NULL, "250-lmtp.test\r\n250-PIPELINING\r\n"
	    "250 CHUNKING\r\n", ENVELOPE);
	assert_true(smtp_want(s) & SMTP_WANT_BODY);
	smtp_body(s, "hello\n", 6);
	smtp_body_end(s);
	assert_string_equal(out(s), "BDAT 7\r\nhello\r\nBDAT 0 LAST\r\n");
	feed(s, "250 chunk ok\r\n");
	feed(s, "250 2.0.0 bob ok\r\n");
	assert_false(smtp_want(s) & SMTP_READY);
	feed(s, "452 4.2.2 carol full\r\n");
	assert_false(smtp_want(s) & SMTP_READY);
	feed(s, "550 5.1.1 dave gone\r\n");
	assert_true(smtp_want(s) & SMTP_READY);
	res = smtp_result(s);
	assert_int_equal(res->err, ERR_OK);
	assert_true(res->lmtp);
	assert_int_equal(res->naccepted, 1);
	assert_int_equal(res->rcpt[0].code, 250);
	assert_int_equal(res->rcpt[1].code, 452);
	assert_string_equal(res->rcpt[2].text, "550 5.1.1 dave gone");
	smtp_free(s);
}

/* Each reply after the dot is tied to its recipient in the transcript. */
static void
test_lmtp_transcript_names_recipients(void **state)
{
	struct smtp_opts o = { .helo = "client.test", .lmtp = 1 };
	struct smtp_envelope env = { .from = "a@example.org",
	    .rcpts = rcpts3, .nrcpts = 3 };
	struct transcript *tr = transcript_new(256);
	struct smtp *s;

	(void)state;
	assert_non_null(tr);
	s = start(&o, &env, tr, "250-lmtp.test\r\n250 PIPELINING\r\n",
	    ENVELOPE "DATA\r\n");
	feed(s, "354 go\r\n");
	smtp_body(s, "hi\n", 3);
	smtp_body_end(s);
	assert_string_equal(out(s), "hi\r\n.\r\n");
	feed(s, "250 ok\r\n451 later\r\n554 no\r\n");
	assert_true(smtp_want(s) & SMTP_READY);
	assert_true(test_has_event(tr, TR_INFO, "<bob@example.org>: "
	    "delivered"));
	assert_true(test_has_event(tr, TR_WARN, "<carol@example.org>: put "
	    "off after the data: 451 later"));
	assert_true(test_has_event(tr, TR_ERROR, "<dave@example.org>: "
	    "refused after the data: 554 no"));
	assert_true(test_has_event(tr, TR_INFO, "accepted for 1 of 3"));
	smtp_free(s);
	transcript_free(tr);
}

/* A reply more than the recipients is a protocol error. */
static void
test_lmtp_extra_reply(void **state)
{
	struct smtp_opts o = { .helo = "client.test", .lmtp = 1 };
	struct smtp_envelope env = { .from = "a@example.org",
	    .rcpts = rcpts3, .nrcpts = 3 };
	struct smtp *s;

	(void)state;
	s = start(&o, &env, NULL, "250-lmtp.test\r\n250 PIPELINING\r\n",
	    ENVELOPE "DATA\r\n");
	feed(s, "354 go\r\n");
	smtp_body_end(s);
	(void)out(s);
	feed(s, "250 a\r\n250 b\r\n250 c\r\n250 d\r\n");
	assert_int_equal(smtp_result(s)->err, ERR_OK);
	assert_int_equal(smtp_error(s, NULL), ERR_PROTOCOL);
	smtp_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lmtp_bdat_last),
		cmocka_unit_test(test_lmtp_transcript_names_recipients),
		cmocka_unit_test(test_lmtp_extra_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
