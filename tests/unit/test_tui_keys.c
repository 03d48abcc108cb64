/* test_tui_keys.c - the UI's key tables and list cursor without curses: actions, aliases, names, the help and the key line they write, page moves and searches. */
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
#include "keys.h"
#include "list.h"

enum { A_ONE = 1, A_TWO };

static const struct keydef table[] = {
	{ 'a', A_ONE, "one", "the first thing" },
	{ TUI_KEY_DOWN, 0, NULL, NULL },
	{ KEY_CTRL('x'), 0, NULL, NULL },
	{ '\r', A_TWO, NULL, "the second thing" },
	{ 0, 0, NULL, NULL },
};

static void
test_actions_and_aliases(void **state)
{
	(void)state;
	assert_int_equal(keys_action(table, 'a'), A_ONE);
	assert_int_equal(keys_action(table, TUI_KEY_DOWN), A_ONE);
	assert_int_equal(keys_action(table, KEY_CTRL('x')), A_ONE);
	assert_int_equal(keys_action(table, '\r'), A_TWO);
	assert_int_equal(keys_action(table, 'z'), 0);
	assert_int_equal(keys_action(NULL, 'a'), 0);
}

static void
test_names(void **state)
{
	char n[32];

	(void)state;
	keys_name('j', n, sizeof(n));
	assert_string_equal(n, "j");
	keys_name(TUI_KEY_PGDN, n, sizeof(n));
	assert_string_equal(n, "PgDn");
	keys_name(KEY_CTRL('g'), n, sizeof(n));
	assert_string_equal(n, "C-g");
	keys_name(' ', n, sizeof(n));
	assert_string_equal(n, "Space");
	keys_name('\t', n, sizeof(n));
	assert_string_equal(n, "Tab");
	keys_name(0x20ac, n, sizeof(n));
	assert_string_equal(n, "#8364");
}

static void
test_help_and_hint_come_from_the_table(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(keys_help(&b, "Things", table), 0);
	/* One line per action, its aliases named with it. */
	assert_non_null(strstr(buf_str(&b), "Things\n"));
	assert_non_null(strstr(buf_str(&b), "  a Down C-x"));
	assert_non_null(strstr(buf_str(&b), "the first thing\n"));
	assert_non_null(strstr(buf_str(&b), "  Enter"));
	assert_non_null(strstr(buf_str(&b), "the second thing\n"));
	buf_reset(&b);
	assert_int_equal(keys_hint(&b, table), 0);
	assert_string_equal(buf_str(&b), "a:one");
	buf_free(&b);
}

static void
test_every_list_key_has_help(void **state)
{
	const struct keydef *k;

	(void)state;
	/* A key with an action of its own says what it does. */
	for (k = list_keys; k->key != 0; k++)
		if (k->action != 0)
			assert_non_null(k->help);
	assert_int_equal(keys_action(list_keys, ' '), LIST_PGDN);
	assert_int_equal(keys_action(list_keys, '-'), LIST_PGUP);
	assert_int_equal(keys_action(list_keys, KEY_CTRL('f')), LIST_PGDN);
	assert_int_equal(keys_action(list_keys, KEY_CTRL('b')), LIST_PGUP);
	assert_int_equal(keys_action(list_keys, 'G'), LIST_END);
	assert_int_equal(keys_action(list_keys, 'g'), LIST_HOME);
	assert_int_equal(keys_action(list_keys, 'N'), LIST_PREV);
}

static void
test_page_moves(void **state)
{
	struct list l = { 100, 0, 0, 0, NULL };

	(void)state;
	list_fit(&l, 10);
	assert_int_equal(list_move(&l, LIST_PGDN), 1);
	assert_int_equal(l.cur, 9);
	assert_int_equal(l.top, 9);
	assert_int_equal(list_move(&l, LIST_END), 1);
	assert_int_equal(l.cur, 99);
	assert_int_equal(l.top, 90);
	/* Nothing more below. */
	assert_int_equal(list_move(&l, LIST_DOWN), 0);
	assert_int_equal(list_move(&l, LIST_PGUP), 1);
	assert_int_equal(l.cur, 90);
	assert_int_equal(list_move(&l, LIST_HOME), 1);
	assert_int_equal(l.cur, 0);
	assert_int_equal(l.top, 0);
	assert_int_equal(list_move(&l, LIST_UP), 0);
	/* Fewer entries than rows: no blank page. */
	list_resize(&l, 3);
	assert_int_equal(list_move(&l, LIST_PGDN), 1);
	assert_int_equal(l.cur, 2);
	assert_int_equal(l.top, 0);
	/* An empty list moves nowhere. */
	list_resize(&l, 0);
	assert_int_equal(list_move(&l, LIST_END), 0);
}

static const char *const words[] = {
	"alpha", "Beta", "gamma", "beta two", "delta",
};

static const char *
word(void *arg, size_t i, struct buf *scratch)
{
	(void)arg;
	(void)scratch;
	return words[i];
}

static void
test_search_both_ways_and_round(void **state)
{
	struct list l = { 5, 0, 0, 0, NULL };

	(void)state;
	list_fit(&l, 3);
	/* Lower case: any case matches, from the line after the cursor. */
	assert_int_equal(list_find(&l, "beta", 1, word, NULL), 1);
	assert_int_equal(l.cur, 1);
	assert_int_equal(list_find(&l, "beta", 1, word, NULL), 1);
	assert_int_equal(l.cur, 3);
	/* Round the end, back to the top. */
	assert_int_equal(list_find(&l, "beta", 1, word, NULL), 1);
	assert_int_equal(l.cur, 1);
	/* Upwards, round the top. */
	assert_int_equal(list_find(&l, "beta", -1, word, NULL), 1);
	assert_int_equal(l.cur, 3);
	/* A capital letter: the case counts. */
	assert_int_equal(list_find(&l, "Beta", 1, word, NULL), 1);
	assert_int_equal(l.cur, 1);
	assert_int_equal(list_find(&l, "Beta", 1, word, NULL), 1);
	assert_int_equal(l.cur, 1);
	assert_int_equal(list_find(&l, "nothing", 1, word, NULL), 0);
	assert_int_equal(l.cur, 1);
	/* The cursor stays in view. */
	assert_int_equal(list_find(&l, "delta", 1, word, NULL), 1);
	assert_true(l.cur >= l.top && l.cur < l.top + 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions_and_aliases),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_help_and_hint_come_from_the_table),
		cmocka_unit_test(test_every_list_key_has_help),
		cmocka_unit_test(test_page_moves),
		cmocka_unit_test(test_search_both_ways_and_round),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
