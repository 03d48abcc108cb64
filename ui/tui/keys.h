/* keys.h - the key tables of the interactive UI's screens: finding a key's action, naming keys, writing the help from the tables. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_KEYS_H
#define PIGEON_KEYS_H

#include <stddef.h>

#include "buf.h"

/* Function keys: above every character (what the loop hands to screens). */
#define TUI_KEY_FUNC 0x40000000
enum {
	TUI_KEY_UP = TUI_KEY_FUNC + 1,
	TUI_KEY_DOWN,
	TUI_KEY_LEFT,
	TUI_KEY_RIGHT,
	TUI_KEY_HOME,
	TUI_KEY_END,
	TUI_KEY_BACKSPACE,
	TUI_KEY_DELETE,
	TUI_KEY_ENTER,
	TUI_KEY_PGUP,
	TUI_KEY_PGDN,
	TUI_KEY_OTHER,
};

/* Control-c as a key. */
#define KEY_CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27

/*
 * One line of a screen's key table.  A key that does the same as the
 * line before it (Down for j) has action 0 and no help of its own: help
 * writes the two together ("j Down").  The table ends with a zero key.
 */
struct keydef {
	int key;
	int action;                /* the screen's own number for it, > 0; 0: as the line before */
	const char *hint;          /* N_(): a word or two for the bottom line; NULL: not there */
	const char *help;          /* N_(): what it does, for '?'; NULL: as the line before */
};

/* The action of key in table t, or 0. */
int keys_action(const struct keydef *t, int key);
/* The key's name as help writes it: "j", "Down", "C-g", "Enter", "Space". */
void keys_name(int key, char *out, size_t n);
/* The bottom line of a screen: "key:hint" for each line with a hint, two blanks between, translated. */
int keys_hint(struct buf *out, const struct keydef *t);
/* The help of a table under a heading: a line per action, its keys first ("j Down   next line"), translated. */
int keys_help(struct buf *out, const char *heading, const struct keydef *t);

#endif
