/* keys.c - the key tables of the interactive UI's screens: finding a key's action, naming keys, writing the help from the tables. */
/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "keys.h"

/* Column where the help text starts after the key names. */
#define HELP_COL 16

int
keys_action(const struct keydef *t, int key)
{
	int action = 0;

	for (; t != NULL && t->key != 0; t++) {
		/* An alias takes the action of the line it follows. */
		if (t->action != 0)
			action = t->action;
		if (t->key == key)
			return action;
	}
	return 0;
}

void
keys_name(int key, char *out, size_t n)
{
	static const char *const func[] = {
		"Up", "Down", "Left", "Right", "Home", "End", "Backspace",
		"Delete", "Enter", "PgUp", "PgDn",
	};

	if (n == 0)
		return;
	if (key > TUI_KEY_FUNC && key < TUI_KEY_OTHER) {
		(void)snprintf(out, n, "%s", func[key - TUI_KEY_FUNC - 1]);
		return;
	}
	switch (key) {
	case '\r':
	case '\n':
		(void)snprintf(out, n, "Enter");
		return;
	case '\t':
		(void)snprintf(out, n, "Tab");
		return;
	case ' ':
		(void)snprintf(out, n, "Space");
		return;
	case KEY_ESC:
		(void)snprintf(out, n, "Esc");
		return;
	case 127:
		(void)snprintf(out, n, "Backspace");
		return;
	default:
		break;
	}
	if (key > 0 && key < 0x20)
		(void)snprintf(out, n, "C-%c", key + 'a' - 1);
	else if (key > 0x20 && key < 0x7f)
		(void)snprintf(out, n, "%c", key);
	else
		/* The tables hold ASCII keys; anything else by its number. */
		(void)snprintf(out, n, "#%d", key);
}

int
keys_hint(struct buf *out, const struct keydef *t)
{
	char name[32];
	int first = 1;

	for (; t != NULL && t->key != 0; t++) {
		if (t->hint == NULL)
			continue;
		keys_name(t->key, name, sizeof(name));
		if (buf_printf(out, "%s%s:%s", first ? "" : "  ", name,
		    _(t->hint)) < 0)
			return -1;
		first = 0;
	}
	return 0;
}

/* Has the key of k a name the same as one of t..k (aliases of one action)? */
static int
named_before(const struct keydef *t, const struct keydef *k)
{
	char a[32], b[32];

	keys_name(k->key, b, sizeof(b));
	for (; t < k; t++) {
		keys_name(t->key, a, sizeof(a));
		if (strcmp(a, b) == 0)
			return 1;
	}
	return 0;
}

int
keys_help(struct buf *out, const char *heading, const struct keydef *t)
{
	const struct keydef *k;
	char name[32];
	size_t start;
	int cols;

	if (buf_printf(out, "%s\n", heading) < 0)
		return -1;
	for (; t != NULL && t->key != 0; t = k) {
		/* The keys of one action: this line and its aliases. */
		start = out->len;
		if (buf_addstr(out, "  ") < 0)
			return -1;
		for (k = t; k->key != 0 && (k == t || k->action == 0); k++) {
			/* Enter is \r, \n and the keypad's key: named once. */
			if (named_before(t, k))
				continue;
			keys_name(k->key, name, sizeof(name));
			if (buf_printf(out, "%s%s", k == t ? "" : " ", name) < 0)
				return -1;
		}
		if (t->help == NULL) {
			buf_truncate(out, start);
			continue;
		}
		/* Names are ASCII: their bytes are their columns. */
		cols = (int)(out->len - start);
		/* Two blanks at least: the names end where the text starts. */
		if (buf_printf(out, "%*s%s\n", cols < HELP_COL - 1 ? HELP_COL -
		    cols : 2, "", _(t->help)) < 0)
			return -1;
	}
	return buf_addch(out, '\n');
}
