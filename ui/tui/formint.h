/* formint.h - what the files of the account form share: the form, and how it is checked, saved and its server found. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_FORMINT_H
#define PIGEON_FORMINT_H

#include <stddef.h>

#include "conf.h"
#include "formfields.h"
#include "screen.h"
#include "url.h"

struct app;
struct finder;

/* The account being added or edited. */
struct form {
	struct screen s;
	struct app *a;
	char *text[F_COUNT];       /* the fields typed in (the choices are numbers) */
	int security, auth, pwsrc;
	int cur;
	int top;                   /* the first field shown when they do not all fit */
	int is_new;
	int changed;
	int make_default;
	int first;                 /* the first run: no account yet */
	char *path;                /* the config file written */
	char **names;              /* the accounts there are (a new one must not take a name of them) */
	size_t nnames;
	int bad;                   /* the field in error (marked until it changes), -1: none */
	char *bad_msg;             /* what is wrong with it */
	struct finder *finder;     /* finding the port and security, NULL: not now */
	char *tried;               /* the server text that was looked into last */
	char *report;              /* what was found then, a line per port tried */
};

/* form.c */
/* The text of field f ("" when empty). */
const char *form_text(const struct form *fm, int f);
/* Field f is wrong: why (taken) in the status line and under the fields, the cursor on it, until it changes. */
void form_error(struct app *a, struct form *fm, int f, char *why);
/* Field f has changed (by the user or what was found): its mark goes. */
void form_touched(struct form *fm, int f);

/* formsave.c */
/* Does the server text name a port ("host:587", "[::1]:587")? */
int form_has_port(const char *t);
/* The form's server as a URL (malloc'd), parsed into u (url_free() it); NULL with *why ("Server: ...") when it is not one. */
char *form_server_url(const struct form *fm, struct url *u, char **why);
/* Every field as the file would take it, in the order shown; 0, or -1 with the one in error marked. */
int form_check(struct app *a, struct form *fm);
/* Write the form to the file (checked first); 0, or -1 with the status set. */
int form_save(struct app *a, struct form *fm);
/* Fill the form from an account of the file. */
void form_from(struct form *fm, const struct account *a);

/* formfind.c */
/*
 * Find how the form's server takes mail (465 with TLS, then 587 with
 * STARTTLS) with the form's trust settings, as a source of the loop, the
 * tries in the transcript pane; when it is over the form takes the port
 * and security found.  0, or -1 with the field in error marked.
 */
int form_find_start(struct app *a, struct form *fm);
/* d again: stop trying (what was tried shows). */
void form_find_stop(struct form *fm);
/* The form goes: the finding too, at once. */
void form_find_free(struct app *a, struct form *fm);
/* The lines of what was tried so far, or of the last finding; NULL: none. */
const char *form_find_report(const struct form *fm);

#endif
