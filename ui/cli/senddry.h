/* senddry.h - "pigeon send --dry-run": the built message shown, not sent. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SENDDRY_H
#define PIGEON_SENDDRY_H

#include "draft.h"

/*
 * The message b as it would go to a server with 8BITMIME (no8bit: as to
 * one without), on standard output: as it is into a file or a pipe, with
 * control characters escaped on a terminal.  0 or an exit status, told.
 */
int senddry_run(const struct draft_built *b, int no8bit);

#endif
