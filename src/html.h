/* html.h - HTML parts as text for the reader: a built-in converter, and the choice between mailcap and it. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_HTML_H
#define PIGEON_HTML_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * The text of the HTML document in[0..n) (UTF-8; the caller converted
 * the charset), appended to out as UTF-8 lines ending in LF, for a
 * reader that wraps them:
 *
 * - script, style, title, template, comments and what stands in head
 *   are left out; so are tags the converter does not know;
 * - block elements (p, div, h1-h6, blockquote, pre, lists, tables...)
 *   begin and end lines, p-like ones with a blank line between; br ends
 *   a line; no more than one blank line in a row outside pre;
 * - li begins "* " in ul, "1. " in ol, indented two spaces per level;
 *   lines in a blockquote begin "> " per level;
 * - whitespace runs are one space, except in pre;
 * - a link is its text followed by " [N]", and a list "[N] URL" follows
 *   the text under "Links:"; a link whose text is its URL, or an in-page
 *   or javascript: link, gets no number;
 * - img shows its alt text in brackets, hr a line of dashes;
 * - character references: the HTML 4 named ones (Latin-1, the
 *   typographic ones, arrows, a few symbols), decimal and hexadecimal
 *   numbers (0x80-0x9F read as windows-1252, as browsers do); invalid
 *   numbers give U+FFFD; an unknown name stays as written;
 * - control characters are dropped; bytes of invalid UTF-8 pass as they
 *   came (the reader's sanitizer shows them).
 *
 * Linear in n; memory is the output plus the links.  Hostile input
 * (unclosed tags, quotes or comments, which end the document as in
 * HTML5, huge attribute values, deep nesting) is safe.  ERR_OK;
 * ERR_DATA when out's maximum was reached (out holds what fitted);
 * ERR_NOMEM.
 */
enum err html_to_text(const char *in, size_t n, struct buf *out);

/*
 * What the reader shows for an HTML part html[0..n) (UTF-8): the output
 * of the user's mailcap copiousoutput entry for text/html
 * (mailcap_render(), charset utf-8), else html_to_text().  *which is
 * the mailcap command's name ("w3m"; malloc'd, the caller frees it), or
 * NULL when the built-in converter made the text: the reader says which.
 * *note (may be NULL) is NULL, or says why the mailcap entry gave no
 * text when there was one (it timed out, failed, printed too much);
 * malloc'd.  ERR_OK, or html_to_text()'s errors.
 */
enum err html_render(const char *html, size_t n, struct buf *out,
    char **which, char **note);

#endif
