/* editor.h - the built-in text editor of the interactive UI, for when neither $VISUAL nor $EDITOR is set. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_EDITOR_H
#define PIGEON_EDITOR_H

struct app;

/* How the editor ended: 0 saved, 1 left unsaved, -1 the file could not be read or written. */
typedef void (*editor_done_fn)(struct app *a, void *arg, int result);

/*
 * Edit the text file path on a screen of its own: arrows, Home, End,
 * PgUp, PgDn, Enter, Backspace, Delete, C-k; C-x saves and leaves, C-g
 * leaves without saving (asks when something changed).  The file is
 * read and written in the locale's charset.  0, or -1 when it cannot be
 * read (done is not called then).
 */
int editor_open(struct app *a, const char *path, const char *title,
    editor_done_fn done, void *arg);

#endif
