/* test_step.c - step mode of the SMTP engine: the check of typed lines, and a session advanced one stage at a time, then typed MAIL, RCPT, DATA, checked against the exact client bytes. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "smtp.h"
#include "transcript.h"

static void
test_check_lines(void **state)
{
	char big[600];
	const char *why = NULL;

	(void)state;
	assert_int_equal(smtp_step_check("NOOP", 4, 0, &why), 0);
	assert_int_equal(smtp_step_check("MAIL FROM:<a@b>", 15, 0, &why), 0);
	assert_int_equal(smtp_step_check("NOOP\r\nRSET", 10, 0, &why), -1);
	assert_non_null(why);
	why = NULL;
	assert_int_equal(smtp_step_check("NO\nOP", 5, 0, &why), -1);
	assert_non_null(why);
	assert_int_equal(smtp_step_check("NO\0OP", 5, 0, &why), -1);
	assert_int_equal(smtp_step_check("", 0, 0, &why), -1);
	/* 510 octets and CRLF are 512: allowed; one more is not. */
	memset(big, 'A', sizeof(big));
	memcpy(big, "NOOP ", 5);
	assert_int_equal(smtp_step_check(big, 510, 0, &why), 0);
	assert_int_equal(smtp_step_check(big, 511, 0, &why), -1);
	assert_int_equal(smtp_step_check(big, 600, 0, &why), -1);
	/* pigeon does TLS and AUTH itself; BDAT's data cannot be typed. */
	assert_int_equal(smtp_step_check("STARTTLS", 8, 0, &why), -1);
	assert_int_equal(smtp_step_check("starttls", 8, 0, &why), -1);
	assert_int_equal(smtp_step_check("AUTH PLAIN AGFiAGM=", 19, 0, &why),
	    -1);
	assert_int_equal(smtp_step_check("BDAT 10 LAST", 12, 0, &why), -1);
	/* A word that only starts like one is fine. */
	assert_int_equal(smtp_step_check("AUTHX", 5, 0, &why), 0);
	/* Data: empty lines and 998 octets are fine, 999 are not. */
	assert_int_equal(smtp_step_check("", 0, 1, &why), 0);
	assert_int_equal(smtp_step_check("AUTH is fine in data", 20, 1, &why),
	    0);
	{
		char line[1000];

		memset(line, 'x', sizeof(line));
		assert_int_equal(smtp_step_check(line, 998, 1, &why), 0);
		assert_int_equal(smtp_step_check(line, 999, 1, &why), -1);
		assert_int_equal(smtp_step_check("a\rb", 3, 1, &why), -1);
	}
}

struct run {
	struct smtp *s;
	struct buf out;
};

/* Take all the output there is. */
static void
drain(struct run *r)
{
	const char *p;
	size_t n;

	while ((p = smtp_output(r->s, &n)) != NULL && n > 0) {
		assert_int_equal(buf_add(&r->out, p, n), 0);
		smtp_consumed(r->s, n);
	}
}

/* The client must have sent exactly want since the last check. */
static void
expect(struct run *r, const char *want)
{
	drain(r);
	assert_string_equal(buf_str(&r->out), want);
	buf_reset(&r->out);
}

static void
server(struct run *r, const char *bytes)
{
	drain(r);
	smtp_feed(r->s, bytes, strlen(bytes));
}

/* Held, and going on does next. */
static void
held(struct run *r, const char *next)
{
	const char *n;

	assert_true(smtp_want(r->s) & SMTP_HELD);
	assert_false(smtp_want(r->s) & SMTP_WANT_READ);
	n = smtp_step_next(r->s);
	if (next == NULL) {
		assert_null(n);
	} else {
		assert_non_null(n);
		assert_string_equal(n, next);
	}
}

static void
test_stages_one_at_a_time(void **state)
{
	struct smtp_opts o = { 0 };
	struct transcript *tr = transcript_new(1000);
	struct run r;
	char *why = NULL;

	(void)state;
	o.tls = SMTP_TLS_STARTTLS;
	o.user = "u";
	o.secret = "pw";
	o.auth = "PLAIN";
	o.hold = 1;
	o.step_from = "a@example.org";
	o.step_rcpt = "b@example.org";
	buf_init(&r.out, 1 << 20);
	assert_non_null(tr);
	r.s = smtp_new(&o, tr);
	assert_non_null(r.s);
	smtp_connected(r.s);
	held(&r, "greeting");
	/* Nothing is typed before TLS and AUTH. */
	assert_int_equal(smtp_step_typing(r.s), SMTP_STEP_NONE);
	assert_int_equal(smtp_step_line(r.s, "NOOP", 4, &why), ERR_USAGE);
	assert_non_null(why);
	free(why);
	/* The greeting waits unread while held. */
	server(&r, "220 mx ESMTP\r\n");
	held(&r, "greeting");
	assert_int_equal(smtp_step_go(r.s), 0);
	held(&r, "EHLO");
	expect(&r, "");
	assert_int_equal(smtp_step_go(r.s), 0);
	expect(&r, "EHLO localhost\r\n");
	server(&r, "250-mx\r\n250 STARTTLS\r\n");
	held(&r, "STARTTLS");
	expect(&r, "");
	assert_int_equal(smtp_step_go(r.s), 0);
	expect(&r, "STARTTLS\r\n");
	server(&r, "220 go ahead\r\n");
	assert_true(smtp_want(r.s) & SMTP_WANT_TLS);
	smtp_tls_done(r.s, 1);
	held(&r, "EHLO");
	assert_int_equal(smtp_step_go(r.s), 0);
	expect(&r, "EHLO localhost\r\n");
	server(&r, "250-mx\r\n250 AUTH PLAIN\r\n");
	held(&r, "AUTH");
	assert_int_equal(smtp_step_go(r.s), 0);
	expect(&r, "AUTH PLAIN AHUAcHc=\r\n");
	server(&r, "235 2.7.0 ok\r\n");
	/* Ready: typed lines now, and one key walks the envelope. */
	held(&r, "MAIL FROM:<a@example.org>");
	assert_int_equal(smtp_step_typing(r.s), SMTP_STEP_COMMAND);
	assert_int_equal(smtp_step_line(r.s, "STARTTLS", 8, &why), ERR_USAGE);
	free(why);
	assert_int_equal(smtp_step_line(r.s, "NOOP\r\nQUIT", 10, &why),
	    ERR_USAGE);
	free(why);
	expect(&r, "");
	assert_int_equal(smtp_step_line(r.s, "NOOP", 4, &why), ERR_OK);
	assert_int_equal(smtp_step_typing(r.s), SMTP_STEP_NONE);
	expect(&r, "NOOP\r\n");
	server(&r, "250 2.0.0 ok\r\n");
	held(&r, "MAIL FROM:<a@example.org>");
	assert_int_equal(smtp_step_go(r.s), 0);
	expect(&r, "MAIL FROM:<a@example.org>\r\n");
	server(&r, "250 2.1.0 ok\r\n");
	held(&r, "RCPT TO:<b@example.org>");
	/* A refused RCPT leaves RCPT next. */
	assert_int_equal(smtp_step_line(r.s, "RCPT TO:<x@y>", 13, &why),
	    ERR_OK);
	expect(&r, "RCPT TO:<x@y>\r\n");
	server(&r, "550 5.1.1 no such user\r\n");
	held(&r, "RCPT TO:<b@example.org>");
	assert_int_equal(smtp_step_go(r.s), 0);
	server(&r, "250 2.1.5 ok\r\n");
	held(&r, "DATA");
	expect(&r, "RCPT TO:<b@example.org>\r\n");
	assert_int_equal(smtp_step_go(r.s), 0);
	expect(&r, "DATA\r\n");
	server(&r, "354 go ahead\r\n");
	held(&r, NULL);
	assert_int_equal(smtp_step_typing(r.s), SMTP_STEP_DATA);
	assert_int_equal(smtp_step_line(r.s, "Subject: t", 10, &why), ERR_OK);
	assert_int_equal(smtp_step_line(r.s, "", 0, &why), ERR_OK);
	assert_int_equal(smtp_step_line(r.s, ".hidden", 7, &why), ERR_OK);
	assert_int_equal(smtp_step_line(r.s, "..", 2, &why), ERR_OK);
	assert_int_equal(smtp_step_line(r.s, "QUIT", 4, &why), ERR_OK);
	assert_int_equal(smtp_step_line(r.s, ".", 1, &why), ERR_OK);
	expect(&r, "Subject: t\r\n\r\n..hidden\r\n...\r\nQUIT\r\n.\r\n");
	assert_true(smtp_want(r.s) & SMTP_WANT_READ);
	server(&r, "250 2.0.0 queued as X\r\n");
	held(&r, "MAIL FROM:<a@example.org>");
	smtp_step_quit(r.s);
	expect(&r, "QUIT\r\n");
	server(&r, "221 bye\r\n");
	assert_true(smtp_want(r.s) & SMTP_DONE);
	assert_int_equal(smtp_error(r.s, NULL), ERR_OK);
	smtp_free(r.s);
	buf_free(&r.out);
	transcript_free(tr);
}

/* Within the data, ending closes the connection: QUIT would be data. */
static void
test_quit_in_data_drops(void **state)
{
	struct smtp_opts o = { 0 };
	struct transcript *tr = transcript_new(1000);
	struct run r;
	char *why = NULL;

	(void)state;
	o.hold = 1;
	buf_init(&r.out, 1 << 20);
	r.s = smtp_new(&o, tr);
	assert_non_null(r.s);
	smtp_connected(r.s);
	assert_int_equal(smtp_step_go(r.s), 0);
	server(&r, "220 mx\r\n");
	/* Plain, no AUTH: typing starts right after EHLO. */
	assert_int_equal(smtp_step_go(r.s), 0);
	expect(&r, "EHLO localhost\r\n");
	server(&r, "250 mx\r\n");
	held(&r, NULL);
	assert_int_equal(smtp_step_typing(r.s), SMTP_STEP_COMMAND);
	assert_int_equal(smtp_step_go(r.s), -1);
	assert_int_equal(smtp_step_line(r.s, "data", 4, &why), ERR_OK);
	server(&r, "354 go\r\n");
	assert_int_equal(smtp_step_typing(r.s), SMTP_STEP_DATA);
	smtp_step_quit(r.s);
	/* Typed commands go out verbatim. */
	expect(&r, "data\r\n");
	assert_true(smtp_want(r.s) & SMTP_DONE);
	assert_int_equal(smtp_error(r.s, NULL), ERR_CANCEL);
	smtp_free(r.s);
	buf_free(&r.out);
	transcript_free(tr);
}

/* Ending before the greeting: the greeting is read, then QUIT. */
static void
test_quit_before_greeting(void **state)
{
	struct smtp_opts o = { 0 };
	struct transcript *tr = transcript_new(1000);
	struct run r;

	(void)state;
	o.hold = 1;
	buf_init(&r.out, 1 << 20);
	r.s = smtp_new(&o, tr);
	assert_non_null(r.s);
	smtp_connected(r.s);
	held(&r, "greeting");
	smtp_step_quit(r.s);
	assert_true(smtp_want(r.s) & SMTP_WANT_READ);
	expect(&r, "");
	server(&r, "220 mx\r\n");
	expect(&r, "QUIT\r\n");
	server(&r, "221 bye\r\n");
	assert_true(smtp_want(r.s) & SMTP_DONE);
	assert_int_equal(smtp_error(r.s, NULL), ERR_OK);
	smtp_free(r.s);
	buf_free(&r.out);
	transcript_free(tr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_lines),
		cmocka_unit_test(test_stages_one_at_a_time),
		cmocka_unit_test(test_quit_in_data_drops),
		cmocka_unit_test(test_quit_before_greeting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
