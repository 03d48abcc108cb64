/* htmlref.h - HTML character references (&amp; &eacute; &#8217; &#x1F600;) to characters, and those to UTF-8. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_HTMLREF_H
#define PIGEON_HTMLREF_H

#include <stddef.h>
#include <stdint.h>

/*
 * The character reference at s[0..n) (s[0] is '&'): the bytes it takes,
 * with its character in *cp, or 0 when there is none and the '&' is
 * plain text.  Known are the HTML 4 names (Latin-1, the typographic
 * ones, arrows and a few symbols; case matters), with their ';' (only
 * amp, lt, gt, quot and nbsp may go without, as browsers allow), and
 * decimal and hexadecimal numbers, ';' optional.  A number 0x80-0x9F is
 * read as windows-1252, as browsers do; 0, a surrogate, one past
 * U+10FFFF or a control character other than whitespace gives U+FFFD.
 * *cp is 0 for what is not to be shown (shy, lrm, rlm).
 */
size_t htmlref_read(const char *s, size_t n, uint32_t *cp);

/* cp (at most U+10FFFF) in UTF-8 into u: how many bytes. */
size_t htmlref_utf8(uint32_t cp, char u[4]);

#endif
