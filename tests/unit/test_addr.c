/* test_addr.c - the RFC 5322 address list parser on real-world and hostile input. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "err.h"
#include "helper.h"

/* The seed of the random test; printed when a check fails. */
#define SEED 0x5eed0addu

/* An expected mailbox: display name (NULL for none) and addr-spec. */
struct want {
	const char *name;
	const char *spec;
};

#define MAXWANT 4

struct good_case {
	const char *in;
	size_t n;                   /* expected count */
	struct want w[MAXWANT];
};

/* Inputs that must parse, and exactly what they must give. */
static const struct good_case good[] = {
	{ "Name <a@b>", 1, { { "Name", "a@b" } } },
	{ "a@b", 1, { { NULL, "a@b" } } },
	{ "<a@b>", 1, { { NULL, "a@b" } } },
	{ "\"Doe, John\" <j@d.org>", 1, { { "Doe, John", "j@d.org" } } },
	{ "a@b (Alice)", 1, { { NULL, "a@b" } } },
	{ "(c) Alice <a@b>", 1, { { "Alice", "a@b" } } },
	{ "Alice (x) Smith <a@b>", 1, { { "Alice Smith", "a@b" } } },
	{ "Name <a@b> (work)", 1, { { "Name", "a@b" } } },
	{ "a@b (x, y), c@d", 2, { { NULL, "a@b" }, { NULL, "c@d" } } },
	{ "a@b (x (nested) y)", 1, { { NULL, "a@b" } } },
	{ "a@b (x \\) y)", 1, { { NULL, "a@b" } } },
	{ "\"(not a comment)\" <a@b>", 1, { { "(not a comment)", "a@b" } } },
	{ "\"a \\\"b\\\" c\" <x@y>", 1, { { "a \"b\" c", "x@y" } } },
	{ "\"\" <a@b>", 1, { { NULL, "a@b" } } },
	{ "team: a@b, c@d;", 2, { { NULL, "a@b" }, { NULL, "c@d" } } },
	{ "team:a@b;", 1, { { NULL, "a@b" } } },
	{ "\"My Team\": Alice <a@b>, c@d;", 2,
	    { { "Alice", "a@b" }, { NULL, "c@d" } } },
	{ "team: \"Doe, J\" <j@d>, k@l;, m@n", 3,
	    { { "Doe, J", "j@d" }, { NULL, "k@l" }, { NULL, "m@n" } } },
	{ "a@b, team: c@d;, \"X\" <e@f>", 3,
	    { { NULL, "a@b" }, { NULL, "c@d" }, { "X", "e@f" } } },
	{ "undisclosed-recipients:;", 0, { { NULL, NULL } } },
	{ "undisclosed-recipients: ;, a@b", 1, { { NULL, "a@b" } } },
	{ "  a@b ,c@d,\r\n\te@f  ", 3,
	    { { NULL, "a@b" }, { NULL, "c@d" }, { NULL, "e@f" } } },
	{ "Alice <a@b>,\r\n Bob <b@c>,\n\tCarol\r\n <c@d>", 3,
	    { { "Alice", "a@b" }, { "Bob", "b@c" }, { "Carol", "c@d" } } },
	{ "John\r\n Doe <j@d>", 1, { { "John Doe", "j@d" } } },
	{ "Name\t<a@b>", 1, { { "Name", "a@b" } } },
	{ " a@b\r\n", 1, { { NULL, "a@b" } } },
	{ "\"john doe\"@x.org", 1, { { NULL, "\"john doe\"@x.org" } } },
	{ "<\"john doe\"@x.org>", 1, { { NULL, "\"john doe\"@x.org" } } },
	{ "\"a@b\"@c", 1, { { NULL, "\"a@b\"@c" } } },
	{ "<@r1,@r2:u@h>", 1, { { NULL, "u@h" } } },
	{ "Relay <@r1,@r2:u@h>", 1, { { "Relay", "u@h" } } },
	{ ",,", 0, { { NULL, NULL } } },
	{ "a@b,,c@d", 2, { { NULL, "a@b" }, { NULL, "c@d" } } },
	{ ", a@b ,", 1, { { NULL, "a@b" } } },
	{ "", 0, { { NULL, NULL } } },
	{ "   \r\n ", 0, { { NULL, NULL } } },
	{ "(only a comment)", 0, { { NULL, NULL } } },
	{ "x@[127.0.0.1]", 1, { { NULL, "x@[127.0.0.1]" } } },
	{ "Foo.Bar+tag@Example.COM", 1, { { NULL, "Foo.Bar+tag@Example.COM" } } },
	{ "J\xc3\xb6rg M\xc3\xbcller <j@ex.de>", 1,
	    { { "J\xc3\xb6rg M\xc3\xbcller", "j@ex.de" } } },
	{ "a@b <c@d>", 1, { { "a@b", "c@d" } } },
};

struct bad_case {
	const char *in;
	size_t len;            /* 0: strlen(in) */
	const char *named;     /* must appear in *errstr */
};

/*
 * Inputs that must be refused with ERR_DATA and an errstr naming them,
 * with control characters shown as visible escapes, never raw.
 */
static const struct bad_case bad[] = {
	{ "alice", 0, "alice" },
	{ "Alice <alice>", 0, "Alice <alice>" },
	{ "@b", 0, "@b" },
	{ "<@b>", 0, "<@b>" },
	{ "Name <@b>", 0, "Name <@b>" },
	{ "a@", 0, "a@" },
	{ "Name <a@>", 0, "Name <a@>" },
	{ "-oProxyCommand=x@y", 0, "-oProxyCommand=x@y" },
	{ "Name <-x@y>", 0, "Name <-x@y>" },
	{ "a\x1b@b", 0, "a\\e@b" },
	{ "<a\x1b[31m@b>", 0, "<a\\e[31m@b>" },
	{ "\"a\r\nb\"@c", 0, "\"a\\r\\nb\"@c" },
	{ "<\"a\nb\"@c>", 0, "<\"a\\nb\"@c>" },
	{ "a\x7f@b", 0, "a\\x7F@b" },
	{ "\"abc <a@b>", 0, "\"abc <a@b>" },
	{ "a@b (x", 0, "a@b (x" },
	{ "Name <a@b", 0, "Name <a@b" },
	{ "Name <a@b, c@d>", 0, "Name <a@b" },
	{ "<a@b> <c@d>", 0, "<a@b> <c@d>" },
	{ "<a@b> x", 0, "<a@b> x" },
	{ "<a@b>x", 0, "<a@b>x" },
	{ "a@b>", 0, "a@b>" },
	{ "a@b; c@d", 0, "a@b" },
	{ "<>", 0, "<>" },
	{ "Name <>", 0, "Name <>" },
	{ "ok@x, bad", 0, "'bad'" },
	{ "ok@x, Bad Guy <bad>, c@d", 0, "'Bad Guy <bad>'" },
	{ "team: ok@x, bad;", 0, "bad" },
	{ "a@b, \"unclosed", 0, "\"unclosed" },
	{ "<a@b> x, c@d", 0, "'<a@b> x'" },
	{ "a@b>, c@d", 0, "'a@b>'" },
	{ "x@y, <a@b> <c@d>, e@f", 0, "'<a@b> <c@d>'" },
	{ "a@b!c", 0, "a@b!c" },
	{ "a@b..c", 0, "a@b..c" },
	{ "a@.b", 0, "a@.b" },
	{ "\"a>b\"@c", 0, "\"a>b\"@c" },
	{ "<\"a<b\"@c>", 0, "<\"a<b\"@c>" },
	{ "Name\x1b[2J <a@b>", 0, "Name\\e[2J <a@b>" },
	{ "Bob (\x1b]0;x\x07) <a@b>", 0, "Bob (\\e]0;x\\x07) <a@b>" },
	{ "a@b)", 0, "a@b)" },
	{ "team: a@b, other: c@d;", 0, "other" },
};


static void
free_errstr(char **e)
{
	free(*e);
	*e = NULL;
}

static void
check_good(const struct good_case *c)
{
	struct addr_list l = { NULL, 0 };
	char *errstr = NULL;
	const char *in = test_vis(c->in, strlen(c->in));
	enum err e;
	size_t i;

	e = addr_list_parse(&l, c->in, strlen(c->in), &errstr);
	if (e != ERR_OK)
		fail_msg("'%s': %s (%s)", in, err_name(e),
		    errstr != NULL ? errstr : "no errstr");
	if (l.n != c->n)
		fail_msg("'%s': %zu addresses, want %zu", in, l.n, c->n);
	for (i = 0; i < c->n; i++) {
		if (strcmp(l.v[i].spec, c->w[i].spec) != 0)
			fail_msg("'%s' #%zu: spec '%s', want '%s'", in, i,
			    l.v[i].spec, c->w[i].spec);
		if (c->w[i].name == NULL && l.v[i].name != NULL)
			fail_msg("'%s' #%zu: name '%s', want none", in, i,
			    l.v[i].name);
		if (c->w[i].name != NULL && (l.v[i].name == NULL ||
		    strcmp(l.v[i].name, c->w[i].name) != 0))
			fail_msg("'%s' #%zu: name '%s', want '%s'", in, i,
			    l.v[i].name != NULL ? l.v[i].name : "(none)",
			    c->w[i].name);
	}
	assert_null(errstr);
	addr_list_free(&l);
}

/* Report a bad case that was not refused; return 1 when it failed. */
static int
check_bad(const char *in, size_t len, const char *named)
{
	struct addr_list l = { NULL, 0 };
	char *errstr = NULL;
	enum err e;
	size_t i;
	int failed = 0;

	e = addr_list_parse(&l, in, len, &errstr);
	if (e != ERR_DATA) {
		print_error("'%s': %s, want ERR_DATA\n", test_vis(in, len),
		    err_name(e));
		for (i = 0; i < l.n; i++)
			print_error("  got '%s' <%s>\n",
			    l.v[i].name != NULL ? l.v[i].name : "",
			    test_vis(l.v[i].spec, strlen(l.v[i].spec)));
		failed = 1;
	} else if (errstr == NULL) {
		print_error("'%s': ERR_DATA without errstr\n", test_vis(in, len));
		failed = 1;
	} else if (named != NULL && strstr(errstr, named) == NULL) {
		print_error("'%s': errstr \"%s\" does not name \"%s\"\n",
		    test_vis(in, len), test_vis(errstr, strlen(errstr)),
		    test_vis(named, strlen(named)));
		failed = 1;
	}
	free_errstr(&errstr);
	addr_list_free(&l);
	return failed;
}

static void
test_good_inputs(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		check_good(&good[i]);
}

static void
test_bad_inputs(void **state)
{
	size_t i;

	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		failed += check_bad(bad[i].in, bad[i].len != 0 ? bad[i].len :
		    strlen(bad[i].in), bad[i].named);
	assert_int_equal(failed, 0);
}

/* NUL can only arrive with an explicit length; it must not cut the value. */
static void
test_nul_byte(void **state)
{
	static const char s1[] = "a@b\0c";
	static const char s2[] = "ok@x, Name <a\0@b>";
	struct addr_list l = { NULL, 0 };
	char *errstr = NULL;

	(void)state;
	assert_int_equal(addr_list_parse(&l, s1, sizeof(s1) - 1, &errstr),
	    ERR_DATA);
	assert_non_null(errstr);
	assert_non_null(strstr(errstr, "NUL"));
	free_errstr(&errstr);
	assert_int_equal(addr_list_parse(&l, s2, sizeof(s2) - 1, &errstr),
	    ERR_DATA);
	assert_non_null(errstr);
	free_errstr(&errstr);
	addr_list_free(&l);
	/* A NUL past len is not looked at. */
	assert_int_equal(addr_list_parse(&l, s1, 3, &errstr), ERR_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].spec, "a@b");
	addr_list_free(&l);
}

/* Only the first len bytes count, with no NUL after them. */
static void
test_explicit_length(void **state)
{
	static const char s[] = "a@b, c@d, e@f";
	struct addr_list l = { NULL, 0 };
	char *copy;

	(void)state;
	/* A heap copy without terminator lets ASan catch reads past len. */
	copy = malloc(8);
	assert_non_null(copy);
	memcpy(copy, s, 8);
	assert_int_equal(addr_list_parse(&l, copy, 8, NULL), ERR_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].spec, "a@b");
	assert_string_equal(l.v[1].spec, "c@d");
	addr_list_free(&l);
	free(copy);
}

/* A second parse appends; errstr may be NULL. */
static void
test_append_and_null_errstr(void **state)
{
	struct addr_list l = { NULL, 0 };

	(void)state;
	assert_int_equal(addr_list_parse(&l, "a@b", 3, NULL), ERR_OK);
	assert_int_equal(addr_list_parse(&l, "X <c@d>", 7, NULL), ERR_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].name, "X");
	assert_int_equal(addr_list_parse(&l, "nope", 4, NULL), ERR_DATA);
	addr_list_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	addr_list_free(&l);
}

static void
test_add(void **state)
{
	struct addr_list l = { NULL, 0 };

	(void)state;
	assert_int_equal(addr_list_add(&l, NULL, "a@b"), ERR_OK);
	assert_int_equal(addr_list_add(&l, "", "c@d"), ERR_OK);
	assert_int_equal(addr_list_add(&l, "Eve", "e@f"), ERR_OK);
	assert_int_equal(l.n, 3);
	assert_null(l.v[0].name);
	assert_null(l.v[1].name);
	assert_string_equal(l.v[2].name, "Eve");
	assert_string_equal(l.v[2].spec, "e@f");
	addr_list_free(&l);
}

/*
 * White space between two words of a bare address or inside <> is not
 * folding around '@' or '.': "john smith@x.org" is two words, and gluing
 * them into "johnsmith@x.org" would send the mail to somebody else.  A
 * lone CR or LF is a control character, not folding.
 */
static void
test_space_inside_address(void **state)
{
	int failed = 0;

	(void)state;
	failed += check_bad("john smith@example.com", 22,
	    "john smith@example.com");
	failed += check_bad("Alice alice@example.com", 23,
	    "Alice alice@example.com");
	failed += check_bad("a@b c@d", 7, "a@b c@d");
	failed += check_bad("<john smith@x.org>", 18, "<john smith@x.org>");
	failed += check_bad("a\rb@c", 5, NULL);
	failed += check_bad("a\nb@c", 5, NULL);
	failed += check_bad("<a\rb@c>", 7, NULL);
	failed += check_bad("a@b\rc", 5, NULL);
	assert_int_equal(failed, 0);
}

/* An unquoted '@' in the local part is the old %-hack style of relaying. */
static void
test_two_at_signs(void **state)
{
	int failed = 0;

	(void)state;
	failed += check_bad("a@b@c", 5, "a@b@c");
	failed += check_bad("<a@b@c>", 7, "<a@b@c>");
	assert_int_equal(failed, 0);
}

/* A source route ends at its ':' before the '>'; it may not run past it. */
static void
test_route_past_angle(void **state)
{
	int failed = 0;

	(void)state;
	failed += check_bad("<@r1>, x:y@z>", 13, "<@r1>");
	assert_int_equal(failed, 0);
}

/* A quoted string after '>' is text after '>' just like an atom. */
static void
test_quoted_after_angle(void **state)
{
	int failed = 0;

	(void)state;
	failed += check_bad("<a@b> \"x\"", 9, "<a@b>");
	assert_int_equal(failed, 0);
}

/* RFC 5321 caps a path at 256 octets: 254 for the address itself. */
static void
test_spec_length(void **state)
{
	struct addr_list l = { NULL, 0 };
	char s[300];
	int failed;

	(void)state;
	memset(s, 'x', sizeof(s));
	memcpy(s + 250, "@b.c", 4);     /* 254 octets: the most allowed */
	assert_int_equal(addr_list_parse(&l, s, 254, NULL), ERR_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(strlen(l.v[0].spec), 254);
	addr_list_free(&l);
	memset(s, 'x', sizeof(s));
	memcpy(s + 251, "@b.c", 4);
	failed = check_bad(s, 255, "254");
	assert_int_equal(failed, 0);
}

/* An over-long element is bad data, not an out-of-memory condition. */
static void
test_long_element(void **state)
{
	struct addr_list l = { NULL, 0 };
	char *errstr = NULL;
	char *s;
	size_t n = 10000;
	enum err e;

	(void)state;
	s = malloc(n + 16);
	assert_non_null(s);
	memset(s, 'x', n);
	memcpy(s + n, " <a@b>", 6);
	e = addr_list_parse(&l, s, n + 6, &errstr);
	free(s);
	addr_list_free(&l);
	if (e != ERR_DATA || errstr == NULL) {
		print_error("10000-byte display name: %s, want ERR_DATA (%s)\n",
		    err_name(e), errstr != NULL ? errstr : "no errstr");
		free_errstr(&errstr);
		fail();
	}
	free_errstr(&errstr);
}

/* A fixed pseudo-random sequence, so failures repeat. */
static uint32_t rng = SEED;

/* What every accepted spec must be, whatever the input was. */
static void
check_spec_shape(const char *in, size_t len, const char *spec)
{
	const unsigned char *u;
	const char *at = strrchr(spec, '@');

	for (u = (const unsigned char *)spec; *u != '\0'; u++)
		if (*u < 0x20 || *u == 0x7f)
			fail_msg("seed %#x: '%s' gave '%s' with a control "
			    "character", SEED, test_vis(in, len),
			    test_vis(spec, strlen(spec)));
	if (at == NULL || at == spec || at[1] == '\0' || spec[0] == '-')
		fail_msg("seed %#x: '%s' gave malformed '%s'", SEED,
		    test_vis(in, len), test_vis(spec, strlen(spec)));
}

/*
 * Random strings over the characters the grammar cares about: no crash,
 * no leak, ERR_OK or ERR_DATA only, and sane specs when accepted.
 */
static void
test_random(void **state)
{
	static const char alpha[] = "a@b.<>\"(),;:\\ \r\n\t-\x1b\x80";
	char s[48];
	size_t len, i, k;
	int iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		struct addr_list l = { NULL, 0 };
		char *errstr = NULL;
		enum err e;

		len = test_rand(&rng) % sizeof(s);
		for (i = 0; i < len; i++)
			s[i] = alpha[test_rand(&rng) % (sizeof(alpha) - 1)];
		e = addr_list_parse(&l, s, len, &errstr);
		if (e != ERR_OK && e != ERR_DATA)
			fail_msg("seed %#x iter %d: '%s': %s", SEED, iter,
			    test_vis(s, len), err_name(e));
		if (e == ERR_DATA && errstr == NULL)
			fail_msg("seed %#x iter %d: '%s': no errstr", SEED,
			    iter, test_vis(s, len));
		if (errstr != NULL)
			for (k = 0; errstr[k] != '\0'; k++)
				if ((unsigned char)errstr[k] < 0x20 ||
				    errstr[k] == 0x7f)
					fail_msg("seed %#x iter %d: '%s': raw "
					    "control character in '%s'", SEED,
					    iter, test_vis(s, len), test_vis(errstr,
					    strlen(errstr)));
		if (e == ERR_OK)
			for (k = 0; k < l.n; k++)
				check_spec_shape(s, len, l.v[k].spec);
		free(errstr);
		addr_list_free(&l);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_inputs),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_explicit_length),
		cmocka_unit_test(test_append_and_null_errstr),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_space_inside_address),
		cmocka_unit_test(test_two_at_signs),
		cmocka_unit_test(test_route_past_angle),
		cmocka_unit_test(test_quoted_after_angle),
		cmocka_unit_test(test_long_element),
		cmocka_unit_test(test_spec_length),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
