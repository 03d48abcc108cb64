/* flowed.h - format=flowed (RFC 3676): text written as flowed lines, and flowed lines read back as paragraphs. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_FLOWED_H
#define PIGEON_FLOWED_H

#include <stddef.h>

#include "buf.h"

/* The longest flowed line pigeon writes, in characters (RFC 3676 4.2 suggests 66 to 72; 78 is the limit). */
#define FLOWED_WIDTH 72

/*
 * Write text (UTF-8, LF line ends) to out as format=flowed: each line of
 * text is a paragraph that ends in a hard break; one longer than width
 * characters is cut at spaces into lines that end in a space (soft
 * breaks), each with the paragraph's quote marks.  A quoted line
 * (">" marks, then text) keeps its depth; a line that starts with a
 * space, ">" or "From " is space-stuffed; spaces at the end of a
 * paragraph are dropped (they would make it flow into the next); the
 * signature separator "-- " is kept as it is.  A word too long for a
 * line is left whole -- a URL must not be cut -- except in a script
 * without spaces (a run of non-ASCII characters), which is cut between
 * characters with an added space: then *delsp is 1 and the part needs
 * DelSp=yes, and every soft break carries a space of its own.
 * Returns 0, or -1 when out runs out of room.
 */
int flowed_encode(struct buf *out, const char *text, size_t len, size_t width,
    int *delsp);

/*
 * Read format=flowed text (LF line ends) back into paragraphs: soft
 * breaks joined (their last space removed when delsp), space-stuffing
 * undone, each paragraph one line with its quote marks written as ">"
 * marks and a space ("> > " is not made: ">> text").  0, or -1.
 */
int flowed_decode(struct buf *out, const char *text, size_t len, int delsp);

#endif
