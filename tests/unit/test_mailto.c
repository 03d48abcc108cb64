/* test_mailto.c - mailto: URLs and addresses on the command line: RFC 6068's examples, and links that try to add header lines or be too big. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailto.h"

/* d from arg, which must parse. */
static void
parse_ok(struct draft *d, const char *arg, struct buf *ignored)
{
	char *errstr = NULL;

	draft_init(d);
	assert_int_equal(mailto_parse(d, arg, ignored, &errstr), ERR_OK);
	assert_null(errstr);
}

static void
assert_field(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got != NULL ? got : "(null)", want);
}

/* RFC 6068, 6.1 and 6.2: what each example gives. */
static void
test_rfc6068_examples(void **state)
{
	static const struct {
		const char *url, *to, *cc, *subject, *body, *irt;
	} v[] = {
		{ "mailto:chris@example.com", "chris@example.com", NULL,
		    NULL, "", NULL },
		{ "mailto:infobot@example.com?subject=current-issue",
		    "infobot@example.com", NULL, "current-issue", "", NULL },
		{ "mailto:infobot@example.com?body=send%20current-issue",
		    "infobot@example.com", NULL, NULL, "send current-issue",
		    NULL },
		{ "mailto:infobot@example.com?body=send%20current-issue%0D%0A"
		    "send%20index", "infobot@example.com", NULL, NULL,
		    "send current-issue\nsend index", NULL },
		{ "mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@"
		    "example.com%3E", "list@example.org", NULL, NULL, "",
		    "<3469A91.D10AF4C@example.com>" },
		{ "mailto:majordomo@example.com?body=subscribe%20bamboo-l",
		    "majordomo@example.com", NULL, NULL, "subscribe bamboo-l",
		    NULL },
		{ "mailto:joe@example.com?cc=bob@example.com&body=hello",
		    "joe@example.com", "bob@example.com", NULL, "hello", NULL },
		{ "mailto:gorby%25kremvax@example.com",
		    "gorby%kremvax@example.com", NULL, NULL, "", NULL },
		{ "mailto:unlikely%3Faddress@example.com?blat=foop",
		    "unlikely?address@example.com", NULL, NULL, "", NULL },
		{ "mailto:Mike%26family@example.org", "Mike&family@example.org",
		    NULL, NULL, "", NULL },
		{ "mailto:%22not%40me%22@example.org", "\"not@me\"@example.org",
		    NULL, NULL, "", NULL },
		{ "mailto:%22oh%5C%5Cno%22@example.org",
		    "\"oh\\\\no\"@example.org", NULL, NULL, "", NULL },
		{ "mailto:%22%5C%5C%5C%22it's%5C%20ugly%5C%5C%5C%22%22@example."
		    "org", "\"\\\\\\\"it's\\ ugly\\\\\\\"\"@example.org", NULL,
		    NULL, "", NULL },
		{ "mailto:user@example.org?subject=caf%C3%A9",
		    "user@example.org", NULL, "caf\xc3\xa9", "", NULL },
		{ "mailto:user@example.org?subject=%3D%3Futf-8%3FQ%3Fcaf%3DC3%3D"
		    "A9%3F%3D", "user@example.org", NULL,
		    "=?utf-8?Q?caf=C3=A9?=", "", NULL },
		{ "mailto:user@%E7%B4%8D%E8%B1%86.example.org?subject=Test&body="
		    "NATTO", "user@\xe7\xb4\x8d\xe8\xb1\x86.example.org", NULL,
		    "Test", "NATTO", NULL },
		/* 6.3: the addresses of the path and of "to" together. */
		{ "mailto:?to=addr1@an.example,addr2@an.example",
		    "addr1@an.example,addr2@an.example", NULL, NULL, "", NULL },
		{ "mailto:addr1@an.example?to=addr2@an.example",
		    "addr1@an.example, addr2@an.example", NULL, NULL, "", NULL },
		{ "MAILTO:?to=joe@example.com&cc=bob@example.com&body=hello",
		    "joe@example.com", "bob@example.com", NULL, "hello", NULL },
		/* '+' is not a space in a mailto: URL. */
		{ "mailto:a+tag@example.org?subject=1+1", "a+tag@example.org",
		    NULL, "1+1", "", NULL },
	};
	struct draft d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		print_message("%s\n", v[i].url);
		parse_ok(&d, v[i].url, NULL);
		assert_field(d.to, v[i].to);
		assert_field(d.cc, v[i].cc);
		assert_null(d.bcc);
		assert_field(d.subject, v[i].subject);
		assert_string_equal(buf_str(&d.text), v[i].body);
		assert_field(d.in_reply_to, v[i].irt);
		assert_null(d.from);
		draft_free(&d);
	}
}

/* "pigeon ADDRESS": addresses as typed; anything else is not one. */
static void
test_plain_addresses(void **state)
{
	struct draft d;

	(void)state;
	assert_true(mailto_is_target("bob@example.org"));
	assert_true(mailto_is_target("Bob <bob@example.org>, c@d.example"));
	assert_true(mailto_is_target("mailto:"));
	assert_true(mailto_is_target("MailTo:x@y"));
	assert_false(mailto_is_target("sendmial"));
	assert_false(mailto_is_target("root"));
	assert_false(mailto_is_target(""));
	assert_false(mailto_is_target("-t@x"));
	assert_false(mailto_is_target("bob@example.org\nBcc: eve@x"));
	assert_false(mailto_is_target("http://example.org/@x"));
	parse_ok(&d, "Bob <bob@example.org>", NULL);
	assert_string_equal(d.to, "Bob <bob@example.org>");
	/* Several arguments add up. */
	assert_int_equal(mailto_parse(&d, "carol@example.org", NULL, NULL),
	    ERR_OK);
	assert_int_equal(mailto_parse(&d, "mailto:dave@example.org?cc=e@x."
	    "example&subject=One", NULL, NULL), ERR_OK);
	assert_string_equal(d.to, "Bob <bob@example.org>, carol@example.org, "
	    "dave@example.org");
	assert_string_equal(d.cc, "e@x.example");
	assert_string_equal(d.subject, "One");
	assert_int_equal(mailto_parse(&d, "queue", NULL, NULL), ERR_USAGE);
	draft_free(&d);
}

/* A link must not add header lines, speak for someone or set what it may not. */
static void
test_hostile_fields(void **state)
{
	struct draft d;
	struct buf ign;

	(void)state;
	buf_init(&ign, 4096);
	parse_ok(&d, "mailto:bob@example.org?subject=Hi%0D%0ABcc:%20eve@evil."
	    "example%0D%0A%0D%0Abody&from=ceo@example.org&FROM=x@y&Sender=s@"
	    "t&reply-to=eve@evil.example&X-Mailer=x&received=r&to=%0D%0AX-Evil"
	    ":%201&cc=carol@example.org%0ABcc:%20eve@evil.example", &ign);
	assert_string_equal(d.subject, "Hi  Bcc: eve@evil.example    body");
	assert_null(strchr(d.subject, '\r'));
	assert_null(d.from);
	assert_null(d.reply_to);
	assert_null(d.bcc);
	assert_int_equal(d.nextra, 0);
	assert_string_equal(d.to, "bob@example.org, X-Evil: 1");
	assert_string_equal(d.cc, "carol@example.org Bcc: eve@evil.example");
	assert_string_equal(buf_str(&ign), "from, FROM, Sender, reply-to, "
	    "X-Mailer, received");
	draft_free(&d);
	/* Repeated ones: the first stays; an In-Reply-To that is not one id goes. */
	buf_reset(&ign);
	parse_ok(&d, "mailto:?subject=one&subject=two&body=a&body=b&in-reply-"
	    "to=%3Ca@b%3E%0D%0AX:%20y&in-reply-to=%3Cc@d%3E", &ign);
	assert_string_equal(d.subject, "one");
	assert_string_equal(buf_str(&d.text), "a");
	assert_string_equal(d.in_reply_to, "<c@d>");
	assert_string_equal(buf_str(&ign), "subject, body, in-reply-to");
	draft_free(&d);
	/* Other control characters: a space in a header, gone from the text. */
	parse_ok(&d, "mailto:?subject=a%1B%5B2Jb%C2%9Bc%7Fd&body=x%1B%5B2J%0Dy%"
	    "09z%C2%9B%0A%0A", NULL);
	assert_string_equal(d.subject, "a [2Jb c d");
	assert_string_equal(buf_str(&d.text), "x[2J\ny\tz\n\n");
	draft_free(&d);
	/* A field name that is shown is shown safely and cut. */
	buf_reset(&ign);
	parse_ok(&d, "mailto:?%1B%5B31m=1&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=2", &ign);
	assert_string_equal(buf_str(&ign), "?[31m, aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaa...");
	draft_free(&d);
	buf_free(&ign);
}

/* Broken URLs are errors that say why; big ones are bounded. */
static void
test_broken_and_big(void **state)
{
	static const char *bad[] = {
		"mailto:bob@example.org?subject=100%",
		"mailto:bob@example.org?subject=%4",
		"mailto:bob@example.org?subject=%zz",
		"mailto:bob%00@example.org",
		"mailto:bob@example.org?body=a%00b",
		"mailto:bob@example.org?subject=%FF%FE",
		"mailto:bob@example.org?subject=caf%E9",
	};
	struct draft d;
	struct buf ign;
	char *errstr = NULL, *big;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		draft_init(&d);
		assert_int_equal(mailto_parse(&d, bad[i], NULL, &errstr),
		    ERR_DATA);
		assert_non_null(errstr);
		assert_non_null(strstr(errstr, "mailto:"));
		free(errstr);
		errstr = NULL;
		draft_free(&d);
	}
	/* One byte over the limit: refused, not cut. */
	n = MAILTO_MAX + 1;
	big = malloc(n + 1);
	assert_non_null(big);
	memcpy(big, "mailto:b@c?body=", 16);
	memset(big + 16, 'x', n - 16);
	big[n] = '\0';
	draft_init(&d);
	assert_int_equal(mailto_parse(&d, big, NULL, &errstr), ERR_DATA);
	assert_non_null(strstr(errstr, "longer"));
	free(errstr);
	errstr = NULL;
	draft_free(&d);
	/* At the limit: taken whole. */
	big[n - 1] = '\0';
	parse_ok(&d, big, NULL);
	assert_int_equal(d.text.len, MAILTO_MAX - 16);
	draft_free(&d);
	free(big);
	/* Too many fields. */
	big = malloc(16 + 4 * (MAILTO_FIELDS_MAX + 1) + 1);
	assert_non_null(big);
	memcpy(big, "mailto:b@c?", 12);
	for (i = 0; i <= MAILTO_FIELDS_MAX; i++)
		memcpy(big + 11 + 4 * i, "x=1&", 5);
	draft_init(&d);
	assert_int_equal(mailto_parse(&d, big, NULL, &errstr), ERR_DATA);
	free(errstr);
	draft_free(&d);
	/* Many ignored names: the list stays short. */
	big[11 + 4 * MAILTO_FIELDS_MAX - 1] = '\0';
	buf_init(&ign, 4096);
	parse_ok(&d, big, &ign);
	assert_true(ign.len < 220);
	assert_non_null(strstr(buf_str(&ign), "..."));
	buf_free(&ign);
	draft_free(&d);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6068_examples),
		cmocka_unit_test(test_plain_addresses),
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_broken_and_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
