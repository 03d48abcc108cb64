/* sending.h - what the files of the UI's sending share: starting a pipeline, the undo window, the trust screen after a send. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SENDING_H
#define PIGEON_SENDING_H

#include "app.h"

/*
 * Start the pipeline over v[0..n) with the account in use (lock: it locks
 * each entry itself); sn is taken over.  0, or -1 (status set, sn freed).
 */
int sending_start(struct app *a, struct sending *sn, struct qentry *v,
    size_t n, int lock);
/* The undo window is over (or cut short): the message goes now. */
void sending_undo_go(struct app *a);
/* A message of sn failed for the certificate: the trust screen, while its peer is known. */
void sending_offer_trust(struct app *a, struct sending *sn);
/* Does a flush with the account mine send q (when it is due)? */
int sending_flush_takes(const struct qentry *q, const char *mine);
/* sending_due.c: a flush took what was due by the time by (seconds). */
void sending_due_flushed(struct app *a, int64_t by);

#endif
