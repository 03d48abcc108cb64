/* qid.h - message ids for people: a short form of each, and which id an abbreviation names. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_QID_H
#define PIGEON_QID_H

#include <stddef.h>

/*
 * A message's id is its Maildir name, "SECONDS.M<usec>P<pid>R<hex>.<host>"
 * (mdname.h): long, and alike at the start for messages of the same
 * minute.  Its short form is the start of the random hex after the 'R',
 * as git shows an abbreviated hash: QID_SHORT_MIN digits, more when
 * another id needs them to tell the two apart.  A user may name a
 * message by its whole id, by a prefix of it, or by a prefix of its
 * random hex (in either case), of at least QID_PREFIX_MIN characters.
 */
#define QID_SHORT_MIN 8
#define QID_PREFIX_MIN 4
/* Room for any short form qid_short() makes of a random part. */
#define QID_SHORT_MAX 64

/*
 * Which of ids[0..n) does arg name?  The one that is arg, when there is
 * one; else every id that starts with arg or whose random hex does, arg
 * being at least QID_PREFIX_MIN characters.  The indexes of the first
 * max of them go to found (may be NULL when max is 0), in the order of
 * ids; the number of them all is returned: 0 none, 1 that one, more:
 * arg is ambiguous.  An id listed twice counts once.
 */
size_t qid_match(const char *const *ids, size_t n, const char *arg,
    size_t *found, size_t max);

/*
 * The short form of ids[i] among ids[0..n): the fewest digits of its
 * random hex, at least QID_SHORT_MIN, that qid_match() gives for ids[i]
 * alone.  A pointer into ids[i] (which must outlive it) and its length
 * in *len; the whole id when it has no random part or all of it would
 * not be enough.
 */
const char *qid_short(const char *const *ids, size_t n, size_t i,
    size_t *len);

#endif
