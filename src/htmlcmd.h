/* htmlcmd.h - the HTML alternative of a message made from its text by the user's html_command (pandoc, a Markdown converter). */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_HTMLCMD_H
#define PIGEON_HTMLCMD_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* How long html_command may run, and how much HTML it may print. */
#define HTMLCMD_TIMEOUT_MS 20000
#define HTMLCMD_MAX (16 * 1024 * 1024)

/*
 * Run cmd (the account's html_command, the user's own line: through
 * /bin/sh -c, as password_command with shell characters and the editor
 * are) with text[0..n) (UTF-8) on its standard input, and append what it
 * prints to html.  It must exit 0 and print UTF-8 (an empty result is
 * refused too).  ERR_CONFIG (it cannot start or failed: its exit status
 * said), ERR_TIMEOUT, ERR_DATA (too much, not UTF-8, nothing), ERR_IO
 * (the text cannot be handed over), ERR_NOMEM; each with *errstr.
 */
enum err htmlcmd_run(const char *cmd, const char *text, size_t n,
    struct buf *html, char **errstr);

/*
 * What to call cmd for the user: the last path element of its first word
 * ("pandoc" for "/usr/bin/pandoc -f markdown"), malloc'd; NULL when
 * memory runs out.
 */
char *htmlcmd_name(const char *cmd);

#endif
