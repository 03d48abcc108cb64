/* mimetype.h - attachment content types: by file name from mime.types, else by content (libmagic, or a text/binary guess). */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MIMETYPE_H
#define PIGEON_MIMETYPE_H

#include <stddef.h>

#include "err.h"

/* A loaded mime.types table; opaque. */
struct mimetypes;

/*
 * Load a mime.types file: lines "type/subtype ext1 ext2 ...", fields
 * separated by spaces or tabs, '#' starts a comment that runs to the end
 * of the line, blank lines are skipped, a line may end in CR LF.  A line
 * whose first field is not a valid type (mimetype_valid()) is skipped
 * whole, and so is an extension holding '.', '/' or a byte outside
 * printable ASCII.  When an extension appears more than once, in any
 * case, its first line wins (as in mutt; media-types lists "sh" under
 * application/x-sh before text/x-sh).  path NULL means "/etc/mime.types".
 *
 * *out receives the table (free it with mimetype_free()).  A missing file
 * is not an error: an empty table, and callers fall back to sniffing.
 * ERR_OK; ERR_NOMEM; ERR_IO with *errstr when the file exists but cannot
 * be read, is a directory or is larger than 16 MiB.  *out is NULL on
 * error.
 */
enum err mimetype_load(struct mimetypes **out, const char *path,
    char **errstr);
/* Free a table; NULL is a no-op. */
void mimetype_free(struct mimetypes *m);

/*
 * The type for a file name by its extension: the part after the last '.'
 * of the base name (after the last '/'), compared without regard to
 * ASCII case ("dir.d/Report.PDF" -> "application/pdf"); "a.tar.gz" looks
 * up "gz".  NULL when the extension is unknown, when m is NULL and when
 * there is no extension: no '.', a name ending in '.', or a name whose
 * only '.' is its first character (".hidden").  The string belongs to m.
 * O(log n): a sorted array searched with bsearch().
 */
const char *mimetype_lookup(const struct mimetypes *m, const char *filename);

/*
 * The type for a file by its first bytes p[0..n) (the caller reads up to
 * 64 KiB; whole says whether that is the entire file): "text/plain" when
 * they are well-formed UTF-8 without a NUL byte, else
 * "application/octet-stream".  When whole is 0, a UTF-8 sequence cut
 * off at the end of p is not held against the text.  An empty file is
 * "text/plain".  Returns a static string.
 */
const char *mimetype_sniff(const char *p, size_t n, int whole);

/*
 * The type for a file's content, when its name says nothing: libmagic's
 * MIME type for p[0..n) (the first bytes, already read from the opened
 * file, so nothing is looked up by name and no link is followed), and
 * mimetype_sniff() when libmagic is not built in, cannot load its
 * database or has nothing better to say: a text type (a text attachment
 * is always text/plain, with the charset pigeon finds), message/ or
 * multipart/ (those need a structure pigeon does not check),
 * application/octet-stream, an empty file or a type that is not valid.
 * *out is malloc'd.  ERR_OK or ERR_NOMEM.
 */
enum err mimetype_content(const char *p, size_t n, int whole, char **out);
/* Was libmagic built in (1 or 0)?  For the tests and --version. */
int mimetype_have_magic(void);

/*
 * Is s a syntactically valid "type/subtype": two RFC 2045 tokens (ASCII
 * printable characters other than space and tspecials) around one '/',
 * no parameters and no blanks?  1 or 0.  For the user's override
 * -a 'FILE;type=...'.  Whether a type makes sense for an attachment
 * (multipart/..., message/...) is not checked here.
 */
int mimetype_valid(const char *s);

#endif
