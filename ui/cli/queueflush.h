/* queueflush.h - flushing the queue, for queue.c (cli_flush() in cli.h is the whole flush). */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_QUEUEFLUSH_H
#define PIGEON_QUEUEFLUSH_H

#include "cli.h"
#include "outbox.h"

/*
 * cli_flush() with only: that message alone (NULL: as cli_flush()),
 * sent even when it is held for later.  The exit status, told.
 */
int queueflush_some(const struct cli *opts, struct outbox *ob, int due_only,
    const char *account, const char *only, int quiet);

#endif
