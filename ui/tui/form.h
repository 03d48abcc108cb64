/* form.h - the account form of the interactive UI: a new account or one of the config file, written with the config writer. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_FORM_H
#define PIGEON_FORM_H

#include "conf.h"

struct app;

/*
 * The form for a new account of the file whose accounts are c (a name
 * of theirs is refused); first: the first run (no account yet: it
 * becomes the default and the UI's).  Saved, it calls accounts_changed().
 */
void form_open_new(struct app *a, int first, const struct conf *c);
/* The form for the account ac of the file. */
void form_open_edit(struct app *a, const struct account *ac);

#endif
