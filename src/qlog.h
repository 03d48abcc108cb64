/* qlog.h - the transcripts of deliveries: a log per connection in log/, an index of attempts, a message's history. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_QLOG_H
#define PIGEON_QLOG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * In the data directory, log/ holds
 *
 *   session-UNIQUE.log  the transcript of one connection, with a summary
 *                       of what became of each message after its part;
 *   index               a line per attempt: "ID SESSION START FROM LENGTH",
 *                       the connection's start [0, START) and the
 *                       message's own part [FROM, FROM + LENGTH) of
 *                       log/SESSION.
 *
 * A connection's log is appended to as the connection goes.  Writing
 * errors are kept: the first is given by qlog_conn_close() and later
 * writes are skipped.  Index lines go out in one write each batch, so
 * appends of other processes never mix into them.
 */
struct qlog;                 /* the log/ directory */
struct qlog_conn;            /* one connection's log */

/*
 * The log/ directory dir, open as dirfd (checked by the caller; a copy
 * is kept): every file in it is opened there without following links
 * (safefile.h).  ERR_NOMEM, ERR_IO.
 */
enum err qlog_open(struct qlog **out, const char *dir, int dirfd);
void qlog_close(struct qlog *l);
const char *qlog_dir(const struct qlog *l);

/* A new connection's log; ERR_IO (with *errstr) when it cannot be made. */
enum err qlog_conn_open(struct qlog *l, struct qlog_conn **out,
    char **errstr);
void qlog_write(struct qlog_conn *c, const char *p, size_t n);
/* Where the next write goes: the offset of a message's part. */
uint64_t qlog_size(const struct qlog_conn *c);
/* What was written so far is the connection's start (greeting, EHLO, TLS, AUTH). */
void qlog_prelude(struct qlog_conn *c);
/*
 * An attempt of the message id: its summary written after its part
 * [from, now), and its index line, written now or with qlog_flush()
 * (lazy: many messages in a row).
 */
void qlog_note(struct qlog_conn *c, const char *id, const char *summary,
    size_t n, uint64_t from, int lazy);
/* Write what is pending of the open connection's log and index lines. */
void qlog_flush(struct qlog *l);
/* Close; ERR_OK, or the first error (in *errstr) that lost part of the log. */
enum err qlog_conn_close(struct qlog_conn *c, char **errstr);

/*
 * Every recorded attempt of id, oldest first: for each, out() gets a
 * header line, the connection's start and the message's part of its
 * transcript, in pieces.  *n is the number of attempts found.  ERR_IO
 * when the index cannot be read; a session log that is missing or
 * shorter than the index says is shown as such.
 */
enum err qlog_history(struct qlog *l, const char *id,
    void (*out)(void *arg, const char *p, size_t n), void *arg, size_t *n,
    char **errstr);

#endif
