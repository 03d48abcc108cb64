/* test_json.c - unit tests for the JSON object reader of OAuth2 answers: what it keeps, and hostile input it refuses. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static enum err
parse(const char *s, struct json_object *o)
{
	char *why = NULL;
	enum err e = json_parse_object(s, strlen(s), o, &why);

	if (e == ERR_DATA)
		assert_non_null(why);
	free(why);
	return e;
}

static void
refused(const char *s)
{
	struct json_object o;

	if (parse(s, &o) != ERR_DATA)
		fail_msg("accepted: %s", s);
	json_object_free(&o);
}

static void
token_answer(void **state)
{
	struct json_object o;
	long long v = 0;

	(void)state;
	assert_int_equal(parse(" {\"access_token\":\"ya29.a0-_~+/=\",\n"
	    "\t\"token_type\" : \"Bearer\", \"expires_in\": 3599,"
	    "\"scope\":[\"a\",{\"b\":[1,2.5e-3]}], \"id\":null,"
	    "\"ok\":true,\"no\":false} ", &o), ERR_OK);
	assert_int_equal(o.n, 7);
	assert_string_equal(json_string(&o, "access_token"), "ya29.a0-_~+/=");
	assert_string_equal(json_string(&o, "token_type"), "Bearer");
	assert_int_equal(json_int(&o, "expires_in", 0, 100000, &v), 0);
	assert_int_equal(v, 3599);
	assert_int_equal(json_get(&o, "scope")->type, JSON_NESTED);
	assert_int_equal(json_get(&o, "id")->type, JSON_NULL);
	assert_int_equal(json_get(&o, "ok")->type, JSON_TRUE);
	assert_int_equal(json_get(&o, "no")->type, JSON_FALSE);
	assert_null(json_string(&o, "expires_in"));
	assert_null(json_string(&o, "missing"));
	assert_int_equal(json_int(&o, "access_token", 0, 10, &v), -1);
	json_object_free(&o);
	assert_int_equal(o.n, 0);
	assert_int_equal(parse("{}", &o), ERR_OK);
	assert_int_equal(o.n, 0);
	json_object_free(&o);
}

static void
escapes(void **state)
{
	struct json_object o;
	const struct json_member *m;

	(void)state;
	assert_int_equal(parse("{\"a\":\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\","
	    "\"u\":\"\\u00e9\\u20AC\\ud83d\\ude00\",\"raw\":\"\xc3\xa9\"}",
	    &o), ERR_OK);
	assert_string_equal(json_string(&o, "a"), "q\"b\\s/\b\f\n\r\t");
	assert_string_equal(json_string(&o, "u"),
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_string_equal(json_string(&o, "raw"), "\xc3\xa9");
	json_object_free(&o);
	/* \u0000 is kept with its length, but is no usable string. */
	assert_int_equal(parse("{\"t\":\"ab\\u0000cd\"}", &o), ERR_OK);
	m = json_get(&o, "t");
	assert_non_null(m);
	assert_int_equal(m->len, 5);
	assert_memory_equal(m->value, "ab\0cd", 5);
	assert_null(json_string(&o, "t"));
	json_object_free(&o);
	/* A name with a NUL is refused outright. */
	refused("{\"a\\u0000b\":1}");
}

static void
numbers(void **state)
{
	struct json_object o;
	long long v = 0;

	(void)state;
	assert_int_equal(parse("{\"big\":123456789012345678901234567890,"
	    "\"neg\":-5,\"frac\":1.5,\"exp\":1e3,\"max\":9223372036854775807,"
	    "\"zero\":0}", &o), ERR_OK);
	/* Kept as text; too big for an integer. */
	assert_string_equal(json_get(&o, "big")->value,
	    "123456789012345678901234567890");
	assert_int_equal(json_int(&o, "big", 0, 1000, &v), -1);
	assert_int_equal(json_int(&o, "max", 0, 1000, &v), -1);
	assert_int_equal(json_int(&o, "neg", 0, 1000, &v), -1);
	assert_int_equal(json_int(&o, "neg", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(json_int(&o, "frac", 0, 1000, &v), -1);
	assert_int_equal(json_int(&o, "exp", 0, 1000, &v), -1);
	assert_int_equal(json_int(&o, "zero", 0, 1000, &v), 0);
	assert_int_equal(v, 0);
	json_object_free(&o);
	refused("{\"n\":01}");
	refused("{\"n\":1.}");
	refused("{\"n\":.5}");
	refused("{\"n\":1e}");
	refused("{\"n\":+1}");
	refused("{\"n\":-}");
	refused("{\"n\":0x10}");
	refused("{\"n\":NaN}");
	refused("{\"n\":Infinity}");
}

static void
hostile(void **state)
{
	char deep[200], *huge;
	size_t i, n;

	(void)state;
	refused("");
	refused("   ");
	refused("[]");
	refused("\"x\"");
	refused("{");
	refused("{\"a\"}");
	refused("{\"a\":}");
	refused("{\"a\":1,}");
	refused("{,}");
	refused("{\"a\":1}{}");
	refused("{\"a\":1} x");
	refused("{a:1}");
	refused("{'a':1}");
	refused("{\"a\":tru}");
	refused("{\"a\":\"unterminated}");
	refused("{\"a\":\"\\x41\"}");
	refused("{\"a\":\"\\u12G4\"}");
	refused("{\"a\":\"\\u12\"}");
	refused("{\"a\":\"tab\there\"}");
	refused("{\"a\":\"nl\nhere\"}");
	refused("{\"a\":\"\\ud800\"}");
	refused("{\"a\":\"\\udc00\"}");
	refused("{\"a\":\"\\ud800\\u0041\"}");
	refused("{\"a\":\"\xff\"}");
	refused("{\"a\":\"\xc0\xaf\"}");            /* overlong '/' */
	refused("{\"a\":\"\xed\xa0\x80\"}");        /* a surrogate in UTF-8 */
	refused("{\"a\":\"\xc3\"}");                /* cut */
	refused("{\"a\":1,\"a\":2}");               /* which one? */
	refused("{\"a\":[1,]}");
	refused("{\"a\":{\"b\"}}");
	refused("{\"a\":[1 2]}");
	/* Nesting: a little is skipped, a lot is refused. */
	n = 0;
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{\"a\":");
	for (i = 0; i < JSON_MAX_DEPTH + 2; i++)
		deep[n++] = '[';
	for (i = 0; i < JSON_MAX_DEPTH + 2; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	refused(deep);
	/* Without its end: refused, however deep, without running away. */
	huge = malloc(1000001);
	assert_non_null(huge);
	memcpy(huge, "{\"a\":", 5);
	memset(huge + 5, '[', 1000000 - 5);
	huge[1000000] = '\0';
	refused(huge);
	free(huge);
}

static void
embedded_nul(void **state)
{
	struct json_object o;
	char *why = NULL;
	static const char s[] = "{\"a\":\"b\0c\"}";

	(void)state;
	/* A raw NUL is a control character: refused. */
	assert_int_equal(json_parse_object(s, sizeof(s) - 1, &o, &why),
	    ERR_DATA);
	free(why);
	json_object_free(&o);
}

static void
many_members(void **state)
{
	char *s;
	size_t i, n = 0, cap = (JSON_MAX_MEMBERS + 2) * 16 + 4;
	struct json_object o;

	(void)state;
	s = malloc(cap);
	assert_non_null(s);
	s[n++] = '{';
	for (i = 0; i < JSON_MAX_MEMBERS + 1; i++)
		n += (size_t)snprintf(s + n, cap - n, "%s\"k%zu\":1",
		    i > 0 ? "," : "", i);
	s[n++] = '}';
	s[n] = '\0';
	assert_int_equal(parse(s, &o), ERR_DATA);
	json_object_free(&o);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(token_answer),
		cmocka_unit_test(escapes),
		cmocka_unit_test(numbers),
		cmocka_unit_test(hostile),
		cmocka_unit_test(embedded_nul),
		cmocka_unit_test(many_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
