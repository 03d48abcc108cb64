/* test_smtpdoc.c - enhanced status codes and EHLO keywords put in words, and the engine's note after a coded reply. */
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
#include "smtpdoc.h"
#include "transcript.h"
#include "helper.h"

/* What smtpdoc_status() says of code; the result lives until the next call. */
static const char *
status(const char *code)
{
	static struct buf b;

	buf_free(&b);
	buf_init(&b, 4096);
	if (smtpdoc_status(code, &b) < 0)
		return NULL;
	return buf_str(&b);
}

static const char *
keyword(const char *line, int *known)
{
	static struct buf b;

	buf_free(&b);
	buf_init(&b, 4096);
	*known = smtpdoc_keyword(line, &b);
	return buf_str(&b);
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (hay == NULL || strstr(hay, needle) == NULL)
		fail_msg("'%s' not in '%s'", needle, hay != NULL ? hay :
		    "(null)");
}

static void
test_code_parse(void **state)
{
	unsigned c, s, d;

	(void)state;
	assert_int_equal(smtpdoc_code_parse("5.1.1", 5, &c, &s, &d), 5);
	assert_int_equal(c, 5);
	assert_int_equal(s, 1);
	assert_int_equal(d, 1);
	assert_int_equal(smtpdoc_code_parse("4.7.123 text", 12, &c, &s, &d),
	    7);
	assert_int_equal(d, 123);
	/* Not codes: class 3, four digits, a missing part, glued text. */
	assert_int_equal(smtpdoc_code_parse("3.1.1", 5, NULL, NULL, NULL), 0);
	assert_int_equal(smtpdoc_code_parse("5.1.1234", 8, NULL, NULL, NULL),
	    0);
	assert_int_equal(smtpdoc_code_parse("5.1. ", 5, NULL, NULL, NULL), 0);
	assert_int_equal(smtpdoc_code_parse("5.1.1x", 6, NULL, NULL, NULL), 0);
	assert_int_equal(smtpdoc_code_parse("5..1.1", 6, NULL, NULL, NULL), 0);
	assert_int_equal(smtpdoc_code_parse("5.1", 3, NULL, NULL, NULL), 0);
}

/* Registered codes, from RFC 3463 and the later additions. */
static void
test_registered(void **state)
{
	(void)state;
	assert_contains(status("5.1.1"), "mailbox does not exist");
	assert_contains(status("4.2.2"), "mailbox is full");
	assert_contains(status("5.1.10"), "null MX");
	assert_contains(status("5.5.6"), "too long");
	assert_contains(status("5.6.7"), "non-ASCII addresses");
	assert_contains(status("5.7.8"), "wrong credentials");
	assert_contains(status("5.7.9"), "too weak");
	assert_contains(status("5.7.10"), "encryption is required");
	assert_contains(status("5.7.11"), "encrypted connection");
	assert_contains(status("4.7.12"), "password must be changed");
	assert_contains(status("5.7.20"), "DKIM");
	assert_contains(status("5.7.23"), "SPF check failed");
	assert_contains(status("5.7.25"), "reverse DNS");
	assert_contains(status("5.7.27"), "null MX");
	assert_contains(status("5.7.30"), "REQUIRETLS");
	assert_contains(status("2.1.5"), "address is valid");
	/* A success with no detail says no more than success. */
	assert_string_equal(status("2.0.0"), "success");
	assert_contains(status("2.1.0"), "success; addressing");
}

/* Unregistered: the class and subject, and a word that it is so. */
static void
test_fallback(void **state)
{
	(void)state;
	assert_string_equal(status("4.2.9"), "unknown detail; mailbox "
	    "status, temporary failure");
	assert_string_equal(status("5.7.999"), "unknown detail; security or "
	    "policy status, permanent failure");
	assert_string_equal(status("5.9.1"), "unknown subject; permanent "
	    "failure");
	assert_null(status("5.1"));
	assert_null(status("6.1.1"));
}

static void
test_reply(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(smtpdoc_reply("550 5.1.1 <b@example.org>: no",
	    &b), 1);
	assert_string_equal(buf_str(&b), "5.1.1: the recipient's mailbox "
	    "does not exist");
	buf_reset(&b);
	assert_int_equal(smtpdoc_reply("550-5.7.1 first\n550 5.7.1 last", &b),
	    1);
	assert_contains(buf_str(&b), "5.7.1: refused");
	buf_reset(&b);
	/* A code of another class than the reply's is no code of it. */
	assert_int_equal(smtpdoc_reply("550 2.1.1 odd", &b), 0);
	assert_int_equal(smtpdoc_reply("550 mailbox unavailable", &b), 0);
	assert_int_equal(smtpdoc_reply("550", &b), 0);
	assert_int_equal(smtpdoc_reply(NULL, &b), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
test_keywords(void **state)
{
	const char *t;
	int known;

	(void)state;
	t = keyword("SIZE 35882577", &known);
	assert_int_equal(known, 1);
	assert_contains(t, "34.2 MiB");
	assert_contains(t, "RFC 1870");
	assert_contains(keyword("SIZE", &known), "no fixed limit");
	t = keyword("LIMITS RCPTMAX=50 MAILMAX=1 RCPTDOMAINMAX=3 FOO=2",
	    &known);
	assert_int_equal(known, 1);
	assert_contains(t, "at most 50 recipients per message");
	assert_contains(t, "at most 1 message per connection");
	assert_contains(t, "recipients in at most 3 domains per message");
	assert_contains(t, "FOO=2 (not known to pigeon)");
	assert_contains(t, "RFC 9422");
	assert_contains(keyword("requiretls", &known), "RFC 8689");
	assert_int_equal(known, 1);
	assert_contains(keyword("MT-PRIORITY MIXER", &known), "X.400");
	assert_contains(keyword("DELIVERBY 120", &known), "120 seconds");
	t = keyword("FUTURERELEASE 604800 2030-01-01T00:00:00Z", &known);
	assert_contains(t, "7.0 days");
	assert_contains(t, "2030-01-01T00:00:00Z");
	t = keyword("AUTH PLAIN SCRAM-SHA-256 LOGIN XFOO", &known);
	assert_contains(t, "sends the password itself: PLAIN LOGIN");
	assert_contains(t, "without sending it: SCRAM-SHA-256");
	assert_contains(t, "not known to pigeon: XFOO");
	/* The old form, "AUTH=LOGIN PLAIN". */
	assert_contains(keyword("AUTH=LOGIN PLAIN", &known), "LOGIN PLAIN");
	assert_contains(keyword("XCLIENT NAME ADDR", &known),
	    "not registered with IANA");
	assert_int_equal(known, 1);
	assert_contains(keyword("PIPECONNECT", &known), "Exim");
	assert_string_equal(keyword("FROBNICATE", &known),
	    "not known to pigeon");
	assert_int_equal(known, 0);
	assert_contains(keyword("X-WHATEVER", &known), "private extension");
	assert_int_equal(known, 0);
}

/* What the server says in a parameter is escaped. */
static void
test_keyword_escaped(void **state)
{
	int known;

	(void)state;
	assert_contains(keyword("BURL im\033ap", &known), "im\\eap");
	assert_null(strchr(keyword("LIMITS X=\033", &known), '\033'));
}

/* Every keyword the registry lists is known. */
static void
test_registry_complete(void **state)
{
	static const char *const iana[] = {
		"SEND", "SOML", "SAML", "VRFY", "EXPN", "HELP", "TURN",
		"8BITMIME", "SIZE", "VERB", "ONEX", "CHUNKING", "BINARYMIME",
		"CHECKPOINT", "DELIVERBY", "PIPELINING", "DSN", "ETRN",
		"ENHANCEDSTATUSCODES", "STARTTLS", "NO-SOLICITING", "MTRK",
		"ATRN", "AUTH", "BURL", "FUTURERELEASE", "CONPERM", "CONNEG",
		"UTF8SMTP", "SMTPUTF8", "MT-PRIORITY", "RRVS", "REQUIRETLS",
		"LIMITS",
	};
	size_t i;
	int known;

	(void)state;
	for (i = 0; i < sizeof(iana) / sizeof(iana[0]); i++) {
		const char *t = keyword(iana[i], &known);

		if (known != 1 || (strstr(t, "RFC ") == NULL &&
		    strstr(t, "Sendmail") == NULL))
			fail_msg("%s: %d '%s'", iana[i], known, t);
	}
}

static void
feed(struct smtp *s, const char *text)
{
	smtp_feed(s, text, strlen(text));
}

/*
 * The engine: after the last line of a reply with an enhanced status
 * code, a note says what the code means; a plain 2.x.0 gets none.
 */
static void
test_engine_note(void **state)
{
	static const char *const rcpts[] = { "b@example.org" };
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpts,
	    .nrcpts = 1 };
	struct smtp_opts opts = { .helo = "client.test" };
	struct transcript *tr = transcript_new(100);
	const struct tr_event *ev, *note = NULL;
	struct smtp *s;
	char *why = NULL;
	size_t i, len, notes = 0, at = 0;

	(void)state;
	assert_non_null(tr);
	s = smtp_new(&opts, tr);
	assert_non_null(s);
	feed(s, "220 mx ESMTP\r\n");
	(void)smtp_output(s, &len);
	smtp_consumed(s, len);
	feed(s, "250-mx\r\n250 ENHANCEDSTATUSCODES\r\n");
	assert_true(smtp_want(s) & SMTP_READY);
	assert_int_equal(smtp_mail(s, &env, &why), ERR_OK);
	(void)smtp_output(s, &len);
	smtp_consumed(s, len);
	feed(s, "250 2.1.0 Ok\r\n");
	(void)smtp_output(s, &len);
	smtp_consumed(s, len);
	feed(s, "550-5.1.1 <b@example.org>: no\r\n"
	    "550 5.1.1 <b@example.org>: Recipient address rejected\r\n");
	for (i = 0; i < transcript_count(tr); i++) {
		ev = transcript_get(tr, i);
		if (ev->kind == TR_INFO && memchr(ev->text, '.', ev->len) &&
		    ev->len > 6 && ev->text[1] == '.') {
			notes++;
			note = ev;
			at = i;
		}
	}
	assert_int_equal(notes, 1);
	assert_true(note->len == strlen("5.1.1: the recipient's mailbox does "
	    "not exist") && memcmp(note->text, "5.1.1: the recipient's "
	    "mailbox does not exist", note->len) == 0);
	/* Right after the reply's last line. */
	ev = transcript_get(tr, at - 1);
	assert_int_equal(ev->kind, TR_SERVER);
	assert_true(ev->len > 4 && memcmp(ev->text, "550 5.1.1", 9) == 0);
	smtp_free(s);
	transcript_free(tr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_parse),
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_keyword_escaped),
		cmocka_unit_test(test_registry_complete),
		cmocka_unit_test(test_engine_note),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
