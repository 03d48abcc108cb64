/* editor.h - the built-in text editor of the interactive UI, for when neither $VISUAL nor $EDITOR is set. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_EDITOR_H
#define PIGEON_EDITOR_H

/*
 * Edit the text file path on the whole screen: arrows, Home, End, PgUp,
 * PgDn, Enter, Backspace, Delete, C-k; C-x saves and leaves, C-g leaves
 * without saving (asks when something changed).  The file is read and
 * written in the locale's charset.  0 saved, 1 left unsaved (or a stop
 * signal came: what was typed is saved), -1 when the file could not be
 * read or written.
 */
int ui_edit_text(const char *path, const char *title);

#endif
