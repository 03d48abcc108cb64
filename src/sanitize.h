/* sanitize.h - make bytes from a server, file or header safe to show on a terminal. */
#ifndef PIGEON_SANITIZE_H
#define PIGEON_SANITIZE_H

#include <stddef.h>

#include "buf.h"

/*
 * Append s[0..n) to out so that nothing in it can act on a terminal:
 * printable ASCII and well-formed UTF-8 of printable characters pass;
 * C0 controls, DEL, C1 controls, bidi overrides and isolates, and invalid
 * UTF-8 become visible escapes (\r \n \t \e \xHH \u{202E}).  A backslash
 * becomes "\\" so escapes are unambiguous.  0 or -1 (buffer full).
 */
int sanitize_append(struct buf *out, const char *s, size_t n);

#endif
