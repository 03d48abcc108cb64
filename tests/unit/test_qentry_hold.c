/* test_qentry_hold.c - the queue file's not-before field (send later): written only when set, read back, due and held. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "qentry.h"
#include "helper.h"

static void
one(struct qentry *e)
{
	qentry_init(e);
	e->id = strdup("1700000000.M1P2Q3.host");
	e->from = strdup("jane@example.org");
	assert_non_null(e->id);
	assert_non_null(e->from);
	assert_int_equal(qentry_add_rcpt(e, "bob@example.org"), ERR_OK);
	e->next_try = 1700000300;
}

static void
test_absent_when_zero(void **state)
{
	struct qentry e, back;
	struct buf b;
	char *why = NULL;

	(void)state;
	one(&e);
	buf_init(&b, 1 << 20);
	assert_int_equal(qentry_format(&e, &b), 0);
	/* A file an older pigeon reads: no line it would not know. */
	assert_null(strstr(buf_str(&b), "not-before"));
	assert_int_equal(qentry_parse(&back, b.data, b.len, &why), ERR_OK);
	assert_int_equal(back.not_before, 0);
	assert_false(qentry_held(&back, 1700000000));
	assert_int_equal(qentry_due(&back), 1700000300);
	qentry_free(&back);
	qentry_free(&e);
	buf_free(&b);
}

static void
test_round_trip(void **state)
{
	struct qentry e, back;
	struct buf b;
	char *why = NULL;

	(void)state;
	one(&e);
	e.not_before = 1798099200;
	buf_init(&b, 1 << 20);
	assert_int_equal(qentry_format(&e, &b), 0);
	assert_non_null(strstr(buf_str(&b),
	    "next-try 1700000300\nnot-before 1798099200\n"));
	assert_int_equal(qentry_parse(&back, b.data, b.len, &why), ERR_OK);
	assert_int_equal(back.not_before, 1798099200);
	/* Held until then; due then, not at the earlier next try. */
	assert_true(qentry_held(&back, 1798099199));
	assert_false(qentry_held(&back, 1798099200));
	assert_int_equal(qentry_due(&back), 1798099200);
	/* A later retry time wins over a hold that has passed. */
	back.next_try = 1798100000;
	assert_int_equal(qentry_due(&back), 1798100000);
	qentry_free(&back);
	qentry_free(&e);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_when_zero),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
