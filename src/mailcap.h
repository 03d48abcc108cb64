/* mailcap.h - the user's mailcap (RFC 1524): turn a part into text through its copiousoutput entry. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MAILCAP_H
#define PIGEON_MAILCAP_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* One mailcap entry, its fields as written (backslashes kept). */
struct mailcap_entry {
	char *type;          /* "text/html", or "text" or "text/" '*' */
	char *view;          /* the view command ("" when empty) */
	char *test;          /* the test= command, NULL when none */
	char *nametemplate;  /* the nametemplate= value, NULL when none */
	int copiousoutput;   /* the flag is there */
	int needsterminal;   /* the flag is there */
};

/* Free what e holds and clear it; e may be all zero. */
void mailcap_entry_free(struct mailcap_entry *e);

/*
 * The next entry of the mailcap text[0..n) from *pos on, which it
 * advances: a backslash at a line end joins the next line, lines that
 * begin with '#' and blank lines are skipped, and so is a line without a
 * type and a view command.  Fields are split at ';' unless a backslash
 * precedes it, and trimmed.  Pure: nothing is run.  1 with *e filled
 * (free it with mailcap_entry_free()), 0 at the end, -1 when memory ran
 * out.
 */
int mailcap_parse(const char *text, size_t n, size_t *pos,
    struct mailcap_entry *e);

/*
 * Does the entry's type pattern cover type ("text/html")?  A pattern is
 * a type, or a major type alone: "text", or "text/" followed by '*'.
 * Case does not matter.  1 or 0.
 */
int mailcap_type_match(const char *pattern, const char *type);

/*
 * The sh(1) script for a view or test command: a backslash makes the
 * next character plain (a "\%" is a '%'); %s becomes a reference to the
 * script's "$1" (runcmd_script(), so the file name is never shell text,
 * however the entry quotes %s); %t becomes type and %{charset} charset,
 * each only when it is a plain token (letters, digits, "+-._", and '/'
 * in a type).  *file says whether the command names the file (%s); a
 * command without %s is to read the data on standard input.  ERR_OK;
 * ERR_DATA when the command asks for anything else (%{name}, %n, %F, a
 * type or charset that is no plain token): the entry is not to be used;
 * ERR_NOMEM.
 */
enum err mailcap_script(const char *cmd, const char *type,
    const char *charset, char **script, int *file);

/*
 * The mailcap files, colon-separated: $MAILCAPS, else
 * ~/.mailcap:/etc/mailcap:/usr/etc/mailcap:/usr/local/etc/mailcap; a
 * leading "~/" is the home directory.  malloc'd, NULL when memory runs
 * out.
 */
char *mailcap_path(void);

/* The limits mailcap_render() puts on a command. */
#define MAILCAP_TIMEOUT_MS 10000
#define MAILCAP_OUTPUT_MAX (16u * 1024 * 1024)

/*
 * Render data[0..n), a part of MIME type type (lower case, "text/html")
 * in charset (its charset parameter; NULL means "utf-8"), to text with
 * the first usable entry of the mailcap files (mailcap_path()): one for
 * the type that has copiousoutput, lacks needsterminal, substitutes
 * safely (mailcap_script()) and whose test command, if any, exits 0.
 * The data is written to a private temporary file (mode 0600, in
 * $TMPDIR or /tmp, with the entry's nametemplate suffix when that is a
 * plain one); the command gets its name as "$1" or, without %s, the
 * file on standard input.  Test and view commands run with standard
 * error to /dev/null, in their own process group, and are killed with
 * all they started after MAILCAP_TIMEOUT_MS; the view's output may not
 * pass MAILCAP_OUTPUT_MAX.  Nothing is printed.
 *
 * ERR_OK: out (appended to; the command's output, as it printed it)
 * and *which, the command's name for "rendered by w3m" (malloc'd, the
 * caller frees it).  ERR_NOINPUT: no usable entry.  ERR_TIMEOUT,
 * ERR_DATA (too much output), ERR_CONFIG (the command failed or could
 * not start), ERR_IO (the temporary file), ERR_NOMEM: the entry found
 * did not give text; *which names it all the same.  *errstr (may be
 * NULL) says why, for every error.
 */
enum err mailcap_render(const char *type, const char *charset,
    const char *data, size_t n, struct buf *out, char **which,
    char **errstr);

/* mailcap_render() with other limits (tests use short ones). */
enum err mailcap_render_limited(const char *type, const char *charset,
    const char *data, size_t n, int timeout_ms, size_t max_output,
    struct buf *out, char **which, char **errstr);

#endif
