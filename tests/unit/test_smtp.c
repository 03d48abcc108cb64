/* test_smtp.c - the SMTP engine fed scripts of server replies, checked against the exact client bytes. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "base64.h"
#include "buf.h"
#include "helper.h"
#include "smtp.h"
#include "transcript.h"
#include "util.h"

/*
 * A script is a list of steps.  S: the server sends these bytes.  C: the
 * client must have sent exactly these bytes since the last C: step.  The
 * other steps call the engine's API.  Every script runs twice: with each
 * S: step fed whole, and fed one byte at a time.
 */
enum kind {
	S,          /* server bytes */
	C,          /* expected client bytes */
	MAIL,       /* smtp_mail(env) must succeed */
	BODY,       /* smtp_body(text) */
	BODY_END,
	QUIT,
	TLS,        /* the engine must want TLS; tell it the handshake is done */
	EOF_,       /* the server closes */
	TIMEOUT,
	STOP,       /* smtp_stop(): the user stops */
	TAKE,       /* the client bytes so far go to taken, unchecked */
	CL,         /* a script file's "C:": the next client line, starting
	               the message or QUIT first when the engine is ready */
	DATA_,      /* a script file's "D:": the message data and the dot */
	END,
};

struct step {
	enum kind k;
	const char *data;
};

/* What the last TAKE step took. */
static struct buf taken;
/* The message a DATA_ step sends, and what it must put out (NULL: any
 * data up to the lone dot). */
static const char *script_body = "";
static const char *script_data;

struct run {
	struct smtp *s;
	struct buf got;      /* client bytes not yet matched by a C: step */
	int bytewise;
};

static void
drain(struct run *r)
{
	const char *p;
	size_t n;

	while ((p = smtp_output(r->s, &n)) != NULL) {
		/* Take the output in two pieces to exercise partial writes. */
		size_t take = n > 3 && r->bytewise ? n / 2 : n;

		assert_int_equal(buf_add(&r->got, p, take), 0);
		smtp_consumed(r->s, take);
	}
}

static void
feed(struct run *r, const char *data, size_t len, int body)
{
	size_t i;

	if (!r->bytewise) {
		if (body)
			smtp_body(r->s, data, len);
		else
			smtp_feed(r->s, data, len);
		return;
	}
	for (i = 0; i < len; i++) {
		if (body)
			smtp_body(r->s, data + i, 1);
		else
			smtp_feed(r->s, data + i, 1);
	}
}

/* "C:" of a script file: the next line the client writes. */
static void
client_line(struct run *r, const struct smtp_envelope *env, const char *want)
{
	size_t n = strlen(want);
	char *why = NULL;
	enum err e;

	drain(r);
	if (r->got.len == 0 && (smtp_want(r->s) & SMTP_READY)) {
		if (strcmp(want, "QUIT\r\n") == 0) {
			smtp_quit(r->s);
		} else {
			e = smtp_mail(r->s, env, &why);
			if (e != ERR_OK)
				fail_msg("smtp_mail: %s: %s", err_name(e),
				    why ? why : "");
		}
		drain(r);
	}
	if (r->got.len < n || memcmp(r->got.data, want, n) != 0)
		fail_msg("%s: the client sent\n[%s]\nexpected\n[%s]",
		    r->bytewise ? "bytewise" : "whole", buf_str(&r->got), want);
	buf_consume(&r->got, n);
}

/* "D:" of a script file: the message goes out, up to the lone dot. */
static void
client_data(struct run *r)
{
	const char *end;

	drain(r);
	if (smtp_want(r->s) & SMTP_WANT_BODY) {
		feed(r, script_body, strlen(script_body), 1);
		smtp_body_end(r->s);
		drain(r);
	}
	end = strstr(buf_str(&r->got), "\r\n.\r\n");
	if (end == NULL)
		fail_msg("no message data ending in a lone dot: [%s]",
		    buf_str(&r->got));
	if (script_data != NULL &&
	    ((size_t)(end - r->got.data) + 5 != strlen(script_data) ||
	    memcmp(r->got.data, script_data, strlen(script_data)) != 0))
		fail_msg("%s: the message data was\n[%.*s]\nexpected\n[%s]",
		    r->bytewise ? "bytewise" : "whole",
		    (int)(end - r->got.data) + 5, r->got.data, script_data);
	buf_consume(&r->got, (size_t)(end - r->got.data) + 5);
}

/* Run a script; return the engine for the caller's checks (caller frees). */
static struct smtp *
run_script(const struct step *script, const struct smtp_opts *o,
    const struct smtp_envelope *env, int bytewise, struct transcript *tr)
{
	struct run r;
	const struct step *st;
	char *why = NULL;
	enum err e;

	memset(&r, 0, sizeof(r));
	r.bytewise = bytewise;
	buf_init(&r.got, 1 << 24);
	r.s = smtp_new(o, tr);
	assert_non_null(r.s);
	for (st = script; st->k != END; st++) {
		drain(&r);
		switch (st->k) {
		case S:
			feed(&r, st->data, strlen(st->data), 0);
			break;
		case C:
			if (r.got.len != strlen(st->data) ||
			    memcmp(buf_str(&r.got), st->data, r.got.len) != 0)
				fail_msg("step %d (%s): client sent\n[%s]\nexpected\n"
				    "[%s]", (int)(st - script),
				    bytewise ? "bytewise" : "whole",
				    buf_str(&r.got), st->data);
			buf_reset(&r.got);
			break;
		case MAIL:
			assert_true(smtp_want(r.s) & SMTP_READY);
			e = smtp_mail(r.s, env, &why);
			if (e != ERR_OK)
				fail_msg("smtp_mail: %s: %s", err_name(e),
				    why ? why : "");
			break;
		case BODY:
			assert_true(smtp_want(r.s) & SMTP_WANT_BODY);
			feed(&r, st->data, strlen(st->data), 1);
			break;
		case BODY_END:
			smtp_body_end(r.s);
			break;
		case QUIT:
			smtp_quit(r.s);
			break;
		case TLS:
			assert_int_equal(smtp_want(r.s), SMTP_WANT_TLS);
			smtp_tls_done(r.s, 1);
			break;
		case EOF_:
			smtp_eof(r.s);
			break;
		case TIMEOUT:
			smtp_timeout(r.s);
			break;
		case STOP:
			smtp_stop(r.s, "stopped");
			break;
		case CL:
			client_line(&r, env, st->data);
			break;
		case DATA_:
			client_data(&r);
			break;
		case TAKE:
			buf_free(&taken);
			buf_init(&taken, 1 << 24);
			assert_int_equal(buf_add(&taken, buf_str(&r.got),
			    r.got.len), 0);
			buf_reset(&r.got);
			break;
		case END:
			break;
		}
	}
	drain(&r);
	if (r.got.len != 0)
		fail_msg("unexpected client bytes at the end: [%s]",
		    buf_str(&r.got));
	buf_free(&r.got);
	free(why);
	return r.s;
}

/* Run whole and bytewise; check the final error both times. */
static void
check_script(const struct step *script, const struct smtp_opts *o,
    const struct smtp_envelope *env, enum err want_err, unsigned want)
{
	struct smtp *s;
	int bytewise;

	for (bytewise = 0; bytewise <= 1; bytewise++) {
		s = run_script(script, o, env, bytewise, NULL);
		if (smtp_error(s, NULL) != want_err)
			fail_msg("%s: error %s, expected %s",
			    bytewise ? "bytewise" : "whole",
			    err_name(smtp_error(s, NULL)), err_name(want_err));
		assert_int_equal(smtp_want(s), want);
		smtp_free(s);
	}
}

static const char *rcpt1[] = { "bob@example.org" };

#define EHLO_PLAIN "250-mx.example.org hello\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"

/*
 * The connection lost in the middle of the message: it has not arrived
 * (not uncertain).  A script cannot say this: its D: sends the whole
 * message.  After the dot: tests/smtp/eof_after_dot_is_uncertain.script.
 */
static void
test_eof_in_body_is_not_uncertain(void **state)
{
	struct smtp_opts o = { .helo = "h", .tls = SMTP_TLS_NONE };
	struct smtp_envelope env = { .from = "a@x.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	const struct step middle[] = {
		{ S, "220 x\r\n" },
		{ C, "EHLO h\r\n" },
		{ S, "250 x\r\n" },
		{ MAIL, NULL },
		{ C, "MAIL FROM:<a@x.org>\r\n" },
		{ S, "250 ok\r\n" },
		{ C, "RCPT TO:<bob@example.org>\r\n" },
		{ S, "250 ok\r\n" },
		{ C, "DATA\r\n" },
		{ S, "354 go\r\n" },
		{ BODY, "hello\r\n" },
		{ C, "hello\r\n" },
		{ EOF_, NULL },
		{ END, NULL },
	};
	struct smtp *s;

	(void)state;
	s = run_script(middle, &o, &env, 0, NULL);
	assert_int_equal(smtp_result(s)->err, ERR_CLOSED);
	assert_int_equal(smtp_result(s)->uncertain, 0);
	smtp_free(s);
}

/* The timer of each step; the conversation: greeting_timeout.script. */
static void
test_timeout(void **state)
{
	struct smtp_opts o = { .helo = "h", .tls = SMTP_TLS_NONE };
	struct smtp_opts o2 = { .helo = "h", .tls = SMTP_TLS_NONE,
	    .timeouts[SMTP_T_GREETING] = 7 };
	struct smtp *s;

	(void)state;
	s = smtp_new(&o, NULL);
	assert_int_equal(smtp_timeout_ms(s), 300000);
	smtp_free(s);
	s = smtp_new(&o2, NULL);
	assert_int_equal(smtp_timeout_ms(s), 7000);
	smtp_free(s);
}

static void
test_size_and_utf8_refused_before_mail(void **state)
{
	struct smtp_opts o = { .helo = "h", .tls = SMTP_TLS_NONE };
	const char *utf8[] = { "j\xc3\xb6rg@example.org" };
	const char *evil[] = { "bob@example.org>\r\nRSET" };
	struct smtp_envelope big = { .from = "a@x.org", .rcpts = rcpt1,
	    .nrcpts = 1, .size = 5000 };
	struct smtp_envelope u = { .from = "a@x.org", .rcpts = utf8,
	    .nrcpts = 1 };
	struct smtp_envelope inj = { .from = "a@x.org", .rcpts = evil,
	    .nrcpts = 1 };
	const struct step script[] = {
		{ S, "220 x\r\n" },
		{ C, "EHLO h\r\n" },
		{ S, EHLO_PLAIN },
		{ END, NULL },
	};
	struct smtp *s;
	char *why = NULL;

	(void)state;
	s = run_script(script, &o, NULL, 0, NULL);
	assert_int_equal(smtp_mail(s, &big, &why), ERR_TOOBIG);
	assert_non_null(strstr(why, "5000"));
	assert_non_null(strstr(why, "1000"));
	assert_int_equal(smtp_mail(s, &u, &why), ERR_NOUTF8);
	assert_non_null(strstr(why, "j\xc3\xb6rg@example.org"));
	assert_int_equal(smtp_mail(s, &inj, &why), ERR_DATA);
	/* Nothing went out, and the engine is still ready. */
	assert_int_equal(smtp_want(s), SMTP_READY);
	free(why);
	smtp_free(s);
}

/*
 * Parameters that reach MAIL and RCPT lines are checked like addresses:
 * a NOTIFY, RET or ENVID carrying CR LF must never become a second
 * command, and a quoted local part may hold a space but not "<" or ">"
 * (the space: tests/smtp/quoted_local_part_with_space.script).
 */
static void
test_envelope_injection_refused(void **state)
{
	struct smtp_opts o = { .helo = "h", .tls = SMTP_TLS_NONE };
	const char *bad_rcpts[][1] = {
		{ "john doe@example.org" },
		{ "\"john doe@example.org" },
		{ "\"a>b\"@example.org" },
		{ "a\tb@example.org" },
	};
	struct smtp_envelope env = { .from = "a@x.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	const struct step script[] = {
		{ S, "220 x\r\n" },
		{ C, "EHLO h\r\n" },
		{ S, "250-x\r\n250 DSN\r\n" },
		{ END, NULL },
	};
	struct smtp *s;
	struct smtp_envelope e;
	char *why = NULL;
	size_t i;

	(void)state;
	s = run_script(script, &o, NULL, 0, NULL);
	e = env;
	e.dsn_notify = "SUCCESS\r\nRCPT TO:<evil@x>";
	assert_int_equal(smtp_mail(s, &e, &why), ERR_USAGE);
	assert_non_null(strstr(why, "NOTIFY"));
	e.dsn_notify = "success";       /* not normalised: refused too */
	assert_int_equal(smtp_mail(s, &e, &why), ERR_USAGE);
	e = env;
	e.dsn_ret = "FULL\r\nRSET";
	assert_int_equal(smtp_mail(s, &e, &why), ERR_USAGE);
	assert_non_null(strstr(why, "RET"));
	e = env;
	e.dsn_envid = "x\r\nRSET";
	assert_int_equal(smtp_mail(s, &e, &why), ERR_USAGE);
	assert_non_null(strstr(why, "envelope id"));
	for (i = 0; i < sizeof(bad_rcpts) / sizeof(bad_rcpts[0]); i++) {
		e = env;
		e.rcpts = bad_rcpts[i];
		assert_int_equal(smtp_mail(s, &e, &why), ERR_DATA);
	}
	/* Nothing went out, and the engine is still ready. */
	assert_int_equal(smtp_want(s), SMTP_READY);
	free(why);
	smtp_free(s);
}

static void
test_dsn_notify_normalise(void **state)
{
	static const char *const good[][2] = {
		{ "never", "NEVER" },
		{ "failure, delay", "FAILURE,DELAY" },
		{ "Delay,Success ,FAILURE", "DELAY,SUCCESS,FAILURE" },
	};
	static const char *const bad[] = {
		"", "never,success", "failure,,delay", "delay,DELAY", "bogus",
		"success\r\nRSET", "success,",
	};
	size_t i;
	char *n;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		n = smtp_dsn_notify(good[i][0]);
		assert_non_null(n);
		assert_string_equal(n, good[i][1]);
		free(n);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if ((n = smtp_dsn_notify(bad[i])) != NULL)
			fail_msg("'%s' gave '%s'", bad[i], n);
}

static void
test_bdat(void **state)
{
	struct smtp_opts o = { .helo = "h", .tls = SMTP_TLS_NONE,
	    .chunking = 1 };
	struct smtp_envelope env = { .from = "a@x.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	const struct step script[] = {
		{ S, "220 x\r\n" },
		{ C, "EHLO h\r\n" },
		{ S, "250-x\r\n250 CHUNKING\r\n" },
		{ MAIL, NULL },
		{ C, "MAIL FROM:<a@x.org>\r\n" },
		{ S, "250 ok\r\n" },
		{ C, "RCPT TO:<bob@example.org>\r\n" },
		{ S, "250 ok\r\n" },
		{ BODY, ".a\nb" },
		{ BODY_END, NULL },
		{ C, "BDAT 5\r\n.a\r\nbBDAT 2 LAST\r\n\r\n" },
		{ S, "250 chunk\r\n250 queued\r\n" },
		{ END, NULL },
	};
	struct smtp *s;

	(void)state;
	/* Whole only: bytewise feeding makes one BDAT chunk per byte. */
	s = run_script(script, &o, &env, 0, NULL);
	assert_int_equal(smtp_result(s)->err, ERR_OK);
	assert_int_equal(smtp_want(s), SMTP_READY);
	smtp_free(s);
}

static void
test_reply_parser(void **state)
{
	struct smtp_reply r;
	const char *why = NULL;
	long n;

	(void)state;
	n = smtp_parse_reply("250-a\r\n250-b\r\n250 5.0.0 c\r\nrest", 31,
	    &r, &why);
	assert_int_equal(n, 27);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.text, "250-a\n250-b\n250 5.0.0 c");
	/* The class of the enhanced code must match the reply's. */
	assert_string_equal(r.enhanced, "");
	smtp_reply_free(&r);

	n = smtp_parse_reply("550 5.1.1 <x>: unknown\r\n", 24, &r, &why);
	assert_int_equal(n, 24);
	assert_string_equal(r.enhanced, "5.1.1");
	smtp_reply_free(&r);

	/* Framing: CRLF only; no NUL, no bare CR. */
	why = NULL;
	assert_int_equal(smtp_parse_reply("250 ok\n", 7, &r, &why), -1);
	assert_non_null(why);
	why = NULL;
	assert_int_equal(smtp_parse_reply("250 o\0k\r\n", 9, &r, &why), -1);
	assert_non_null(why);
	why = NULL;
	assert_int_equal(smtp_parse_reply("250 o\rk\r\n", 9, &r, &why), -1);
	assert_non_null(why);

	n = smtp_parse_reply("250-a\r\n250 b", 12, &r, &why);
	assert_int_equal(n, 0);

	n = smtp_parse_reply("250\r\n", 5, &r, &why);
	assert_int_equal(n, 5);
	assert_string_equal(r.text, "250");
	smtp_reply_free(&r);

	n = smtp_parse_reply("251 x\r\n", 7, &r, &why);
	assert_int_equal(n, 7);
	smtp_reply_free(&r);

	n = smtp_parse_reply("250_x\r\n", 7, &r, &why);
	assert_int_equal(n, -1);
	assert_non_null(why);
}


/*
 * RFC 5321 4.5.3.1.10: 552 to RCPT is "too many recipients" for now, not
 * a refusal (the conversation: tests/smtp/rcpt_552_*.script).
 */
static void
test_rcpt_refused_codes(void **state)
{
	(void)state;
	assert_false(smtp_rcpt_refused(552));
	assert_true(smtp_rcpt_refused(550));
	assert_false(smtp_rcpt_refused(452));
	assert_false(smtp_rcpt_refused(250));
}

/* Every line the client writes: at most 512 octets with its CRLF. */
static void
assert_lines_within_512(const char *out)
{
	const char *p = out, *nl;

	for (; (nl = strstr(p, "\r\n")) != NULL; p = nl + 2)
		if (nl - p + 2 > 512)
			fail_msg("a line of %d octets: %.60s...",
			    (int)(nl - p + 2), p);
}

/* Long addresses with every parameter: ENVID goes, the line stays <= 512. */
static void
test_mail_line_within_512(void **state)
{
	static char from[255], rcpt[255], envid[101], big[300];
	const char *rcpts[] = { rcpt };
	struct smtp_opts o = { .helo = "h", .tls = SMTP_TLS_NONE };
	struct smtp_envelope env = { .from = from, .rcpts = rcpts,
	    .nrcpts = 1, .size = 12345678901234ULL, .eightbit = 1,
	    .dsn_ret = "HDRS", .dsn_envid = envid,
	    .dsn_notify = "SUCCESS,FAILURE,DELAY" };
	struct smtp_envelope toolong;
	const struct step ehlo[] = {
		{ S, "220 x\r\n" },
		{ C, "EHLO h\r\n" },
		{ S, "250-x\r\n250-DSN\r\n250-SIZE\r\n250 8BITMIME\r\n" },
		{ MAIL, NULL },
		{ TAKE, NULL },
		{ S, "250 ok\r\n" },
		{ TAKE, NULL },
		{ END, NULL },
	};
	const struct step greet[] = {
		{ S, "220 x\r\n" },
		{ C, "EHLO h\r\n" },
		{ S, "250 x\r\n" },
		{ END, NULL },
	};
	struct transcript *tr = transcript_new(256);
	const char *out;
	char *why = NULL;
	struct smtp *s;
	size_t n;

	(void)state;
	memset(from, 'f', 242);
	memcpy(from + 242, "@example.org", 13);
	memset(rcpt, 'r', 242);
	memcpy(rcpt + 242, "@example.org", 13);
	memset(envid, '+', 100);
	assert_int_equal(strlen(from), 254);
	s = run_script(ehlo, &o, &env, 0, tr);
	/* The last TAKE: the RCPT line; MAIL's was taken before. */
	out = buf_str(&taken);
	assert_lines_within_512(out);
	assert_non_null(strstr(out, "NOTIFY=SUCCESS,FAILURE,DELAY"));
	smtp_free(s);
	{
		const struct step mailonly[] = {
			{ S, "220 x\r\n" },
			{ C, "EHLO h\r\n" },
			{ S, "250-x\r\n250-DSN\r\n250-SIZE\r\n250 8BITMIME"
			    "\r\n" },
			{ MAIL, NULL },
			{ TAKE, NULL },
			{ S, "550 no\r\n" },
			{ END, NULL },
		};

		s = run_script(mailonly, &o, &env, 0, tr);
	}
	out = buf_str(&taken);
	assert_lines_within_512(out);
	assert_non_null(strstr(out, "MAIL FROM:<"));
	assert_null(strstr(out, "ENVID="));
	assert_non_null(strstr(out, " SIZE=12345678901234"));
	assert_non_null(strstr(out, " RET=HDRS"));
	assert_true(test_has_event(tr, TR_WARN, "without ENVID"));
	smtp_free(s);
	transcript_free(tr);

	/* An address over 254 octets is refused before anything is sent. */
	memset(big, 'b', 280);
	memcpy(big + 280, "@example.org", 13);
	toolong = env;
	toolong.from = big;
	s = run_script(greet, &o, NULL, 0, NULL);
	assert_int_equal(smtp_mail(s, &toolong, &why), ERR_DATA);
	assert_null(smtp_output(s, &n));
	free(why);
	smtp_free(s);
}

/* What may follow EHLO; a 600-character name: ehlo_name_too_long.script. */
static void
test_helo_ok(void **state)
{
	static char name[601];

	(void)state;
	memset(name, 'h', 600);
	assert_false(smtp_helo_ok(name));
	assert_true(smtp_helo_ok("mail.example.org"));
	assert_true(smtp_helo_ok("[192.0.2.1]"));
	assert_false(smtp_helo_ok("two words"));
	assert_false(smtp_helo_ok(""));
}

/* Thousands of mechanisms: a protocol error, never out of memory. */
static void
test_too_many_auth_mechanisms(void **state)
{
	struct smtp_opts o = { .helo = "h", .tls = SMTP_TLS_NONE,
	    .user = "u", .secret = "p", .auth_allow_plaintext = 1 };
	struct step script[] = {
		{ S, "220 x\r\n" },
		{ C, "EHLO h\r\n" },
		{ S, NULL },
		{ C, "QUIT\r\n" },
		{ S, "221 bye\r\n" },
		{ END, NULL },
	};
	struct buf b;
	const char *detail;
	struct smtp *s;
	int i, j;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_addstr(&b, "250-x\r\n"), 0);
	for (i = 0; i < 150; i++) {
		assert_int_equal(buf_addstr(&b, "250-AUTH"), 0);
		for (j = 0; j < 100; j++)
			assert_int_equal(buf_printf(&b, " M%d", j), 0);
		assert_int_equal(buf_addstr(&b, "\r\n"), 0);
	}
	assert_int_equal(buf_addstr(&b, "250 PLAIN\r\n"), 0);
	script[2].data = buf_str(&b);
	check_script(script, &o, NULL, ERR_PROTOCOL, SMTP_DONE);
	s = run_script(script, &o, NULL, 0, NULL);
	assert_int_equal(smtp_error(s, &detail), ERR_PROTOCOL);
	assert_non_null(strstr(detail, "authentication mechanisms"));
	smtp_free(s);
	buf_free(&b);
}

/* An initial response too long for the AUTH line answers the empty 334. */
static void
test_auth_long_initial_response(void **state)
{
	static char token[901];
	struct smtp_opts o = { .helo = "h", .tls = SMTP_TLS_IMPLICIT,
	    .user = "alice", .secret = token, .auth = "XOAUTH2" };
	struct step script[] = {
		{ S, "220 x\r\n" },
		{ C, "EHLO h\r\n" },
		{ S, "250-x\r\n250 AUTH XOAUTH2\r\n" },
		{ C, "AUTH XOAUTH2\r\n" },
		{ S, "334 \r\n" },
		{ C, NULL },
		{ S, "235 ok\r\n" },
		{ END, NULL },
	};
	struct transcript *tr = transcript_new(256);
	struct buf raw, want;
	struct smtp *s;

	(void)state;
	memset(token, 't', 900);
	buf_init(&raw, 1 << 16);
	buf_init(&want, 1 << 16);
	assert_int_equal(buf_printf(&raw, "user=alice\001auth=Bearer %s"
	    "\001\001", token), 0);
	assert_int_equal(base64_encode_buf(&want, raw.data, raw.len), 0);
	assert_int_equal(buf_addstr(&want, "\r\n"), 0);
	script[5].data = buf_str(&want);
	check_script(script, &o, NULL, ERR_OK, SMTP_READY);
	s = run_script(script, &o, NULL, 0, tr);
	/* The token is never in the transcript. */
	assert_false(test_has_event(tr, TR_CLIENT, "tttttttt"));
	assert_true(test_has_event(tr, TR_CLIENT, "AUTH XOAUTH2"));
	smtp_free(s);
	transcript_free(tr);
	buf_free(&raw);
	buf_free(&want);
}

/* -- tests/smtp/NAME.script: the format both sides of the tests share - */

#define SCRIPT_SUBDIR "tests/smtp"
#define SCRIPT_DIR script_dir()
#define SCRIPT_MAX_RCPTS 16

/* One script file, parsed. */
struct sfile {
	char *name;
	struct step steps[256];
	size_t nsteps;
	char *text[256];        /* step data, unescaped, owned */
	struct smtp_opts o;
	struct smtp_envelope env;
	const char *rcpts[SCRIPT_MAX_RCPTS];
	char *opt[64];          /* option values, owned */
	size_t nopt;
	const char *body;
	enum err error, result;
	int check_result;
	unsigned want;
	int skip;
	const char *detail;     /* in the session's error detail */
	const char *data;       /* the D: step's bytes, exactly */
	long accepted;          /* result naccepted, -1: unchecked */
	int uncertain;          /* result uncertain, -1: unchecked */
	long messages;          /* smtp_messages_done, -1: unchecked */
};

/*
 * Where the scripts are: under $TOP_SRCDIR (the Makefile exports the
 * source directory, which an out-of-tree build runs the tests outside
 * of), else relative to the current directory.
 */
static const char *
script_dir(void)
{
	static char dir[4096];
	const char *top = getenv("TOP_SRCDIR");
	int n;

	if (top == NULL || *top == '\0')
		return SCRIPT_SUBDIR;
	n = snprintf(dir, sizeof(dir), "%s/%s", top, SCRIPT_SUBDIR);
	assert_true(n > 0 && (size_t)n < sizeof(dir));
	return dir;
}

/* \r \n \t \\ \xHH; a malloc'd copy. */
static char *
unescape(const char *in)
{
	char *out = malloc(strlen(in) + 1), *o = out;
	unsigned v;

	assert_non_null(out);
	for (; *in != '\0'; in++) {
		if (*in != '\\' || in[1] == '\0') {
			*o++ = *in;
			continue;
		}
		in++;
		if (*in == 'r')
			*o++ = '\r';
		else if (*in == 'n')
			*o++ = '\n';
		else if (*in == 't')
			*o++ = '\t';
		else if (*in == 'x' && sscanf(in + 1, "%2x", &v) == 1) {
			*o++ = (char)v;
			in += 2;
		} else
			*o++ = *in;
	}
	*o = '\0';
	return out;
}

static enum err
err_by_name(const char *name)
{
	int e;

	for (e = 0; e < ERR_COUNT_; e++)
		if (strcmp(err_name((enum err)e), name) == 0)
			return (enum err)e;
	fail_msg("unknown error name %s", name);
	return ERR_SOFTWARE;
}

static int
yes(const char *v)
{
	return strcmp(v, "yes") == 0;
}

/* "= key value": the engine's options and what to expect. */
static void
sfile_option(struct sfile *f, const char *key, char *v)
{
	f->opt[f->nopt++] = v;
	if (strcmp(key, "helo") == 0)
		f->o.helo = v;
	else if (strcmp(key, "tls") == 0) {
		/* lmtp: lmtp://, STARTTLS when offered (route.c) */
		f->o.tls = strcmp(v, "starttls") == 0 ? SMTP_TLS_STARTTLS :
		    strcmp(v, "lmtp") == 0 ? SMTP_TLS_OPPORTUNISTIC :
		    SMTP_TLS_NONE;
		f->o.lmtp = strcmp(v, "lmtp") == 0;
	}
	else if (strcmp(key, "user") == 0)
		f->o.user = v;
	else if (strcmp(key, "secret") == 0)
		f->o.secret = v;
	else if (strcmp(key, "auth") == 0)
		f->o.auth = v;
	else if (strcmp(key, "plaintext") == 0)
		f->o.auth_allow_plaintext = yes(v);
	else if (strcmp(key, "no_pipelining") == 0)
		f->o.no_pipelining = yes(v);
	else if (strcmp(key, "chunking") == 0)
		f->o.chunking = yes(v);
	else if (strcmp(key, "from") == 0)
		f->env.from = v;
	else if (strcmp(key, "rcpt") == 0 &&
	    f->env.nrcpts < SCRIPT_MAX_RCPTS)
		f->rcpts[f->env.nrcpts++] = v;
	else if (strcmp(key, "size") == 0)
		f->env.size = strtoull(v, NULL, 10);
	else if (strcmp(key, "eightbit") == 0)
		f->env.eightbit = yes(v);
	else if (strcmp(key, "smtputf8") == 0)
		f->env.smtputf8 = yes(v);
	else if (strcmp(key, "abort_on_reject") == 0)
		f->env.abort_on_reject = yes(v);
	else if (strcmp(key, "notify") == 0)
		f->env.dsn_notify = v;
	else if (strcmp(key, "ret") == 0)
		f->env.dsn_ret = v;
	else if (strcmp(key, "envid") == 0)
		f->env.dsn_envid = v;
	else if (strcmp(key, "body") == 0)
		f->body = v;
	else if (strcmp(key, "error") == 0)
		f->error = err_by_name(v);
	else if (strcmp(key, "result") == 0) {
		f->result = err_by_name(v);
		f->check_result = 1;
	} else if (strcmp(key, "want") == 0)
		f->want = strcmp(v, "ready") == 0 ? SMTP_READY :
		    strcmp(v, "read") == 0 ? SMTP_WANT_READ : SMTP_DONE;
	else if (strcmp(key, "detail") == 0)
		f->detail = v;
	else if (strcmp(key, "data") == 0)
		f->data = v;
	else if (strcmp(key, "accepted") == 0)
		f->accepted = strtol(v, NULL, 10);
	else if (strcmp(key, "uncertain") == 0)
		f->uncertain = yes(v);
	else if (strcmp(key, "messages") == 0)
		f->messages = strtol(v, NULL, 10);
	else if (strcmp(key, "only") == 0)
		f->skip = strcmp(v, "engine") != 0;
	/* exit, queued, received, says, timeout: the binary's */
}

/* One line of a script file into a step (or an option). */
static void
sfile_line(struct sfile *f, char *line)
{
	static const struct { const char *word; enum kind k; } bare[] = {
		{ "D:", DATA_ }, { "TLS", TLS }, { "CLOSE", EOF_ },
		{ "WAIT", TIMEOUT }, { "STOP", STOP },
	};
	struct step *st = &f->steps[f->nsteps];
	char *sp;
	size_t i;

	line[strcspn(line, "\n")] = '\0';
	if (line[0] == '\0' || line[0] == '#')
		return;
	assert_true(f->nsteps + 1 < sizeof(f->steps) / sizeof(f->steps[0]));
	if (strncmp(line, "= ", 2) == 0) {
		sp = strchr(line + 2, ' ');
		assert_non_null(sp);
		*sp = '\0';
		sfile_option(f, line + 2, unescape(sp + 1));
		return;
	}
	for (i = 0; i < sizeof(bare) / sizeof(bare[0]); i++)
		if (strcmp(line, bare[i].word) == 0) {
			st->k = bare[i].k;
			f->nsteps++;
			return;
		}
	if (strncmp(line, "S: ", 3) == 0 || strncmp(line, "C: ", 3) == 0) {
		st->k = line[0] == 'S' ? S : CL;
		f->text[f->nsteps] = util_strf("%s\r\n", line + 3);
	} else if (strncmp(line, "S< ", 3) == 0) {
		st->k = S;
		f->text[f->nsteps] = strdup(line + 3);
	} else {
		fail_msg("%s: cannot read the line [%s]", f->name, line);
	}
	assert_non_null(f->text[f->nsteps]);
	{
		char *u = unescape(f->text[f->nsteps]);

		free(f->text[f->nsteps]);
		f->text[f->nsteps] = u;
	}
	st->data = f->text[f->nsteps];
	/* Server lines in a row go out together. */
	if (st->k == S && f->nsteps > 0 && st[-1].k == S) {
		char *both = util_strf("%s%s", st[-1].data, st->data);

		assert_non_null(both);
		free(f->text[f->nsteps - 1]);
		free(f->text[f->nsteps]);
		f->text[f->nsteps] = NULL;
		f->text[f->nsteps - 1] = both;
		st[-1].data = both;
		return;
	}
	f->nsteps++;
}

static void
sfile_load(struct sfile *f, const char *dir, const char *name)
{
	char path[512], line[4096];
	FILE *fp;

	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	f->o.helo = "client.test";
	f->env.from = "a@example.org";
	f->env.rcpts = f->rcpts;
	f->body = "Subject: script\n\nhello\n";
	f->want = SMTP_DONE;
	f->accepted = -1;
	f->uncertain = -1;
	f->messages = -1;
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		sfile_line(f, line);
	assert_int_equal(fclose(fp), 0);
	if (f->env.nrcpts == 0)
		f->rcpts[f->env.nrcpts++] = "bob@example.org";
	f->steps[f->nsteps].k = END;
}

static void
sfile_free(struct sfile *f)
{
	size_t i;

	for (i = 0; i < f->nsteps; i++)
		free(f->text[i]);
	for (i = 0; i < f->nopt; i++)
		free(f->opt[i]);
	free(f->name);
}

/* One run of a loaded script; the engine for the caller (who frees it). */
static struct smtp *
sfile_run(struct sfile *f, int bytewise, struct transcript *tr)
{
	script_body = f->body;
	script_data = f->data;
	return run_script(f->steps, &f->o, &f->env, bytewise, tr);
}

/* What the script's "=" lines say of the engine at the end. */
static void
sfile_check(const struct sfile *f, struct smtp *s, int bytewise)
{
	const char *how = bytewise ? "bytewise" : "whole";
	const char *detail = NULL;
	enum err e = smtp_error(s, &detail);

	if (e != f->error)
		fail_msg("%s (%s): session ended with %s, not %s", f->name, how,
		    err_name(e), err_name(f->error));
	if (f->detail != NULL &&
	    (detail == NULL || strstr(detail, f->detail) == NULL))
		fail_msg("%s (%s): error detail [%s] lacks [%s]", f->name, how,
		    detail ? detail : "", f->detail);
	if (f->check_result && smtp_result(s)->err != f->result)
		fail_msg("%s (%s): message %s, not %s", f->name, how,
		    err_name(smtp_result(s)->err), err_name(f->result));
	if (f->accepted >= 0 &&
	    smtp_result(s)->naccepted != (size_t)f->accepted)
		fail_msg("%s (%s): %zu recipients accepted, not %ld", f->name,
		    how, smtp_result(s)->naccepted, f->accepted);
	if (f->uncertain >= 0 && smtp_result(s)->uncertain != f->uncertain)
		fail_msg("%s (%s): uncertain %d, not %d", f->name, how,
		    smtp_result(s)->uncertain, f->uncertain);
	if (f->messages >= 0 && (long)smtp_messages_done(s) != f->messages)
		fail_msg("%s (%s): %u messages done, not %ld", f->name, how,
		    smtp_messages_done(s), f->messages);
	if (smtp_want(s) != f->want)
		fail_msg("%s (%s): the engine wants 0x%x, not 0x%x", f->name,
		    how, smtp_want(s), f->want);
}

/* Every script of tests/smtp, whole and byte by byte. */
static void
test_script_files(void **state)
{
	struct dirent *de;
	struct sfile f;
	struct smtp *s;
	size_t n = 0;
	int bytewise;
	DIR *d;

	(void)state;
	d = opendir(SCRIPT_DIR);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < 8 || strcmp(de->d_name + len - 7, ".script") != 0)
			continue;
		sfile_load(&f, SCRIPT_DIR, de->d_name);
		for (bytewise = 0; !f.skip && bytewise <= 1; bytewise++) {
			print_message("script %s (%s)\n", f.name,
			    bytewise ? "bytewise" : "whole");
			s = sfile_run(&f, bytewise, NULL);
			sfile_check(&f, s, bytewise);
			smtp_free(s);
		}
		n++;
		sfile_free(&f);
	}
	assert_int_equal(closedir(d), 0);
	assert_true(n > 0);
}

/* A script of tests/smtp run once, for the checks a script cannot say. */
static struct smtp *
play_file(struct sfile *f, const char *name, int bytewise,
    struct transcript *tr)
{
	sfile_load(f, SCRIPT_DIR, name);
	return sfile_run(f, bytewise, tr);
}

/* The final reply in full, the server's name and its SIZE limit. */
static void
test_basic_send_details(void **state)
{
	struct sfile f;
	struct smtp *s;

	(void)state;
	s = play_file(&f, "basic_send.script", 0, NULL);
	assert_int_equal(smtp_result(s)->reply.code, 250);
	assert_string_equal(smtp_result(s)->reply.enhanced, "2.0.0");
	assert_string_equal(smtp_result(s)->reply.text,
	    "250 2.0.0 Ok: queued as 4F1x");
	assert_int_equal(smtp_caps(s)->size, 1000);
	assert_string_equal(smtp_caps(s)->server, "mx.example.org hello");
	smtp_free(s);
	sfile_free(&f);
}

/* Each recipient's own reply, in envelope order. */
static void
test_pipelined_rcpt_replies(void **state)
{
	struct sfile f;
	struct smtp *s;

	(void)state;
	s = play_file(&f, "pipelined_one_recipient_refused.script", 1, NULL);
	assert_int_equal(smtp_result(s)->nrcpts, 2);
	assert_int_equal(smtp_result(s)->rcpt[0].code, 550);
	assert_string_equal(smtp_result(s)->rcpt[0].enhanced, "5.1.1");
	assert_int_equal(smtp_result(s)->rcpt[1].code, 250);
	smtp_free(s);
	sfile_free(&f);
}

/* After STARTTLS: TLS on, the second EHLO's SIZE and AUTH in force. */
static void
test_starttls_caps_details(void **state)
{
	struct sfile f;
	struct smtp *s;

	(void)state;
	s = play_file(&f, "starttls_caps_forgotten.script", 0, NULL);
	assert_true(smtp_tls_active(s));
	assert_int_equal(smtp_caps(s)->size, 100000);
	assert_string_equal(smtp_auth_mech(s), "LOGIN");
	smtp_free(s);
	sfile_free(&f);
}

/* AUTH PLAIN without TLS: the transcript shows it redacted, never the
 * password nor its base64. */
static void
test_auth_plain_redacted(void **state)
{
	struct transcript *tr;
	struct sfile f;
	struct smtp *s;
	size_t i;
	int seen = 0;

	(void)state;
	tr = transcript_new(100);
	assert_non_null(tr);
	s = play_file(&f, "auth_plain_allowed_without_tls.script", 1, tr);
	for (i = 0; i < transcript_count(tr); i++) {
		const struct tr_event *ev = transcript_get(tr, i);

		assert_null(strstr(ev->text, "AGFsaWNlAHMzY3JldA"));
		assert_null(strstr(ev->text, "s3cret"));
		if (ev->kind == TR_CLIENT &&
		    strcmp(ev->text, "AUTH PLAIN [redacted]") == 0)
			seen = 1;
	}
	assert_true(seen);
	smtp_free(s);
	sfile_free(&f);
	transcript_free(tr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eof_in_body_is_not_uncertain),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_size_and_utf8_refused_before_mail),
		cmocka_unit_test(test_envelope_injection_refused),
		cmocka_unit_test(test_dsn_notify_normalise),
		cmocka_unit_test(test_bdat),
		cmocka_unit_test(test_reply_parser),
		cmocka_unit_test(test_rcpt_refused_codes),
		cmocka_unit_test(test_mail_line_within_512),
		cmocka_unit_test(test_helo_ok),
		cmocka_unit_test(test_too_many_auth_mechanisms),
		cmocka_unit_test(test_auth_long_initial_response),
		cmocka_unit_test(test_script_files),
		cmocka_unit_test(test_basic_send_details),
		cmocka_unit_test(test_pipelined_rcpt_replies),
		cmocka_unit_test(test_starttls_caps_details),
		cmocka_unit_test(test_auth_plain_redacted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
