/* test_idn.c - internationalised domains as A-labels: domains, envelope addresses, address header fields. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "idn.h"
#include "url.h"

#define ALABEL "xn--mnchen-3ya.example"

static void
domain_is(const char *in, const char *want)
{
	char *out = NULL, *errstr = NULL;

	assert_int_equal(idn_domain(in, &out, &errstr), ERR_OK);
	assert_null(errstr);
	assert_string_equal(out, want);
	free(out);
}

static void
test_domain_to_a_labels(void **state)
{
	(void)state;
	domain_is("münchen.example", "xn--mnchen-3ya.example");
	/* UTS #46 maps case: the same A-label for MÜNCHEN. */
	domain_is("MÜNCHEN.Example", "xn--mnchen-3ya.example");
	domain_is("bücher.münchen.example",
	    "xn--bcher-kva.xn--mnchen-3ya.example");
	/* Non-transitional: ß is a letter of its own, not "ss". */
	domain_is("straße.example", "xn--strae-oqa.example");
	/* Decomposed u + combining diaeresis: NFC first. */
	domain_is("mu\xcc\x88nchen.example", "xn--mnchen-3ya.example");
	domain_is("例え.テスト", "xn--r8jz45g.xn--zckzah");
}

static void
test_ascii_and_literals_untouched(void **state)
{
	(void)state;
	domain_is("Example.ORG", "Example.ORG");
	domain_is("xn--mnchen-3ya.example", "xn--mnchen-3ya.example");
	domain_is("[1.2.3.4]", "[1.2.3.4]");
	domain_is("[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]");
}

static void
refused(const char *in)
{
	char *out = NULL, *errstr = NULL;

	assert_int_equal(idn_domain(in, &out, &errstr), ERR_DATA);
	assert_null(out);
	assert_non_null(errstr);
	/* The message names the domain and gives a reason after it. */
	assert_non_null(strstr(errstr, in));
	assert_true(strlen(strstr(errstr, in)) > strlen(in) + 4);
	free(errstr);
}

#define L16 "aaaaaaaaaaaaaaaa"

static void
test_invalid_refused_with_reason(void **state)
{
	(void)state;
	refused("münchen-.example");       /* hyphen at a label's end */
	refused("-münchen.example");       /* ... or start */
	refused("\xcc\x88" "ab.münchen");   /* a leading combining mark */
	refused("a\xe2\x80\x8d" "b.münchen"); /* ZERO WIDTH JOINER, no context */
	refused("\xd9\xa0ü.example");       /* Arabic digit and Latin: bidi */
	refused("xn--ü.example");          /* an A-label prefix, bad punycode */
	refused("ü..example");             /* an empty label */
	refused("ü_x.example");            /* not a host name */
	/* A label of 64 octets. */
	refused("münchen." L16 L16 L16 L16);
}

static void
test_addr(void **state)
{
	char *out = NULL, *errstr = NULL;

	(void)state;
	assert_int_equal(idn_addr("user@münchen.example", &out, &errstr),
	    ERR_OK);
	assert_string_equal(out, "user@xn--mnchen-3ya.example");
	free(out);
	assert_int_equal(idn_addr("user@example.org", &out, &errstr), ERR_OK);
	assert_string_equal(out, "user@example.org");
	free(out);
	/* RFC 6531: a UTF-8 local part needs SMTPUTF8, nothing converts it. */
	assert_int_equal(idn_addr("jörg@münchen.example", &out, &errstr),
	    ERR_NOUTF8);
	assert_null(out);
	assert_non_null(strstr(errstr, "jörg@münchen.example"));
	assert_non_null(strstr(errstr, "local part"));
	free(errstr);
	errstr = NULL;
	assert_int_equal(idn_addr("user@bad-.münchen", &out, &errstr),
	    ERR_DATA);
	assert_non_null(strstr(errstr, "bad-.münchen"));
	free(errstr);
}

static void
header_is(const char *in, const char *want, int want_changed)
{
	char *out = NULL, *errstr = NULL;
	int changed = -1;

	assert_int_equal(idn_header(in, strlen(in), &out, &changed, &errstr),
	    ERR_OK);
	assert_string_equal(out, want);
	assert_int_equal(changed, want_changed);
	free(out);
}

static void
test_header(void **state)
{
	(void)state;
	header_is("=?UTF-8?Q?J=C3=B6rg?= <jorg@münchen.example>",
	    "=?UTF-8?Q?J=C3=B6rg?= <jorg@xn--mnchen-3ya.example>", 1);
	header_is("a@münchen.example, \"x@y (z)\" <b@bücher.example>,\n"
	    " c@example.org (Müller @ home)",
	    "a@xn--mnchen-3ya.example, \"x@y (z)\" "
	    "<b@xn--bcher-kva.example>,\n c@example.org (Müller @ home)", 1);
	header_is("team: a@münchen.example;",
	    "team: a@xn--mnchen-3ya.example;", 1);
	/* A UTF-8 local part keeps its domain: it goes whole or not at all. */
	header_is("jörg@münchen.example, a@[1.2.3.4]",
	    "jörg@münchen.example, a@[1.2.3.4]", 0);
	header_is("Plain <p@example.org>", "Plain <p@example.org>", 0);
}

static void
url_host_is(const char *s, const char *want)
{
	struct url u;
	char *errstr = NULL;

	memset(&u, 0, sizeof(u));
	assert_int_equal(url_parse(&u, s, &errstr), ERR_OK);
	assert_string_equal(u.host, want);
	url_free(&u);
}

/* The server's name: DNS, SNI and the certificate check see A-labels. */
static void
test_server_url_host(void **state)
{
	struct url u;
	char *errstr = NULL;

	(void)state;
	url_host_is("smtp://münchen.example:587", ALABEL);
	url_host_is("smtps://user@MÜNCHEN.example", ALABEL);
	url_host_is("münchen.example.", ALABEL ".");
	url_host_is("smtp://mx.example.org", "mx.example.org");
	memset(&u, 0, sizeof(u));
	assert_int_equal(url_parse(&u, "smtp://-münchen.example", &errstr),
	    ERR_CONFIG);
	assert_non_null(strstr(errstr, "-münchen.example"));
	assert_non_null(strstr(errstr, "hyphen"));
	free(errstr);
	url_free(&u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_to_a_labels),
		cmocka_unit_test(test_ascii_and_literals_untouched),
		cmocka_unit_test(test_invalid_refused_with_reason),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_server_url_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
