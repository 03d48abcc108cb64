/* outbox.h - the durable outbox: every message and its envelope on disk before it is sent. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_OUTBOX_H
#define PIGEON_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "maildir.h"
#include "qentry.h"
#include "qlog.h"
#include "smtp.h"

struct account;

/*
 * The data directory ($XDG_DATA_HOME/pigeon, default
 * ~/.local/share/pigeon) holds four Maildir folders that other mail
 * programs can read -- drafts/, outbox/, sent/, failed/ -- and one
 * directory of pigeon's own:
 *
 *   queue/ID.env   the envelope and delivery state of each message in
 *                  outbox/ or failed/ (see qentry.h);
 *   queue/lock     a symbolic link to the lock, which no pigeon follows:
 *                  it keeps older ones, which kept the lock here, out.
 *
 * The state directory ($XDG_STATE_HOME/pigeon, default
 * ~/.local/state/pigeon) holds
 *
 *   lock           an empty file: a message is locked by a byte-range
 *                  lock on it at an offset made from its id;
 *   log/           the transcripts of deliveries (qlog.h);
 *   log/ID.env     the envelope of a sent message, with what became of
 *                  each recipient and the server's queue id.
 *
 * In the old layout (an explicit directory, or a state directory on
 * another file system than the data directory's old lock) the lock is
 * queue/lock and log/ is in the data directory.
 *
 * Every directory here is 0700 and every file 0600; nothing is opened
 * through a symbolic link, and only what belongs to this user is used
 * (safefile.h): a refused file gives ERR_UNSAFE and is left as it is.
 *
 * A message is queued in this order: its id is locked, the message is
 * written to outbox/tmp and committed to outbox/new (fsync, rename,
 * fsync), then its envelope is written the same way.  A crash in between
 * leaves a message in the outbox without an envelope: it is reported,
 * never sent, never deleted.
 *
 * Messages are stored in the local form (LF line ends), in outbox/ too:
 * the move of a sent message to sent/ is a rename, and the SMTP engine
 * makes every line end a CRLF in the same pass as the dot-stuffing, so
 * keeping the wire form in the spool would save no pass over the data.
 *
 * After the server's 250 the message moves to sent/: that rename is the
 * mark that it was sent.  A message that some recipients have and others
 * not yet is linked into sent/ as well and stays in outbox/ for the rest;
 * when the last one has it, the outbox/ copy goes, and that is the mark.
 * An envelope in queue/ whose message is in sent/ belongs to a message
 * sent by a run that was stopped before it could move the envelope to
 * log/; it is never sent again, and the next flush finishes the filing.
 * With outbox_batch() on, the moves are made durable together (see
 * there).
 */
struct outbox;

enum outbox_folder {
	OUTBOX_DRAFTS,
	OUTBOX_OUTBOX,
	OUTBOX_SENT,
	OUTBOX_FAILED,
};

/*
 * dir NULL: the data folder $XDG_DATA_HOME/pigeon (~/.local/share/pigeon)
 * and the state folder $XDG_STATE_HOME/pigeon (~/.local/state/pigeon);
 * else everything in dir.  Creates what is missing (0700).
 */
enum err outbox_open(struct outbox **out, const char *dir, char **errstr);
/*
 * The data folder dir and the state folder state (NULL: the old layout,
 * all in dir).  The state folder holds log/ and the lock; the first open
 * moves them there from an old layout in dir (see outbox.c for how an
 * older pigeon is kept from flushing along), waiting until no message is
 * being sent.  When state is on another file system they stay in dir.
 */
enum err outbox_open_dirs(struct outbox **out, const char *dir,
    const char *state, char **errstr);
/*
 * The account's copy of a sent message: the message id of sent/ is put
 * into the Maildir folder (NULL: none, nothing to do), made when
 * missing.  The one place that decides where sent mail goes besides
 * sent/.  folder may be a link of the user's: it is resolved here, once
 * (realpath), and what it leads to must be this user's directory that
 * others cannot write to; nothing inside it is opened through a link
 * (maildir.h).  The message is linked, or copied to another file system.
 */
enum err outbox_copy_sent(struct outbox *ob, const char *id,
    const char *folder, char **errstr);
/*
 * The drafts folder of the account acct (NULL: the default one) into
 * *md: its own Maildir when it sets drafts (made when missing, resolved
 * and checked as outbox_copy_sent() does its folder), else drafts/.  The
 * one place that decides where an account's drafts are.  Give *md back
 * with outbox_drafts_close().
 */
enum err outbox_drafts_open(struct outbox *ob, const struct account *acct,
    struct maildir **md, char **errstr);
void outbox_drafts_close(struct outbox *ob, struct maildir *md);
/* Where log/ and the lock are: the state folder, or the data folder. */
const char *outbox_state_dir(const struct outbox *ob);
void outbox_close(struct outbox *ob);
const char *outbox_dir(const struct outbox *ob);
struct maildir *outbox_folder(struct outbox *ob, enum outbox_folder f);

/* A message being queued. */
struct outbox_item {
	struct maildir_tx tx;      /* write the message to tx.fd (maildir_write) */
	int locked;                /* its id is locked until outbox_release() */
	int committed;
};

/* Start queueing: a new id, its lock held, the message file open. */
enum err outbox_begin(struct outbox *ob, struct outbox_item *it, char **errstr);
/*
 * Commit the message, then the envelope e (e->id is set to the id).  When
 * this returns ERR_OK the message is queued; the lock is still held.
 */
enum err outbox_commit(struct outbox *ob, struct outbox_item *it,
    struct qentry *e, char **errstr);
/* Give up on a message not yet committed (nothing stays), or release the lock. */
void outbox_release(struct outbox *ob, struct outbox_item *it);

/* The ids with an envelope in queue/, sorted (oldest first). */
enum err outbox_ids(struct outbox *ob, char ***ids, size_t *n,
    char **errstr);
/*
 * Those due by the time by (seconds; -1: all): an envelope's file time is
 * when it is next due (qentry_due(): a message held for later is not due
 * before its time), so this reads no envelope.  Failed ones never are.
 */
enum err outbox_due(struct outbox *ob, int64_t by, char ***ids, size_t *n,
    char **errstr);
/* Does e mean the message cannot go until the user acts (failed/)? */
int outbox_permanent(enum err e);
/* Messages in outbox/ without an envelope: what a crash while queueing left. */
enum err outbox_orphans(struct outbox *ob, char ***ids, size_t *n,
    char **errstr);
enum err outbox_load(struct outbox *ob, const char *id, struct qentry *e,
    char **errstr);
enum err outbox_save(struct outbox *ob, const struct qentry *e,
    char **errstr);
/* Is the envelope on disk still the one e was loaded from (a cheap stat)? */
int outbox_unchanged(const struct outbox *ob, const struct qentry *e);
/*
 * Was the message id sent?  Its move to sent/ is the mark: an envelope
 * left in queue/ with its message in sent/ is what a run stopped just
 * after sending leaves; outbox_recover() files it.
 */
int outbox_was_sent(const struct outbox *ob, const char *id);

/*
 * Lock an entry for sending, without waiting: *held is 1 when this
 * outbox handle has it now, 0 when another one holds it (ERR_OK either
 * way; a handle must not lock an id it holds).  The lock goes with the
 * process.  Reload the entry after locking: its state may have changed.
 */
enum err outbox_lock(struct outbox *ob, const char *id, int *held,
    char **errstr);
void outbox_unlock(struct outbox *ob, const char *id);

/* The message of an entry, open for reading at offset 0. */
enum err outbox_message(struct outbox *ob, const struct qentry *e, int *fd,
    char **errstr);

/* The transcripts of deliveries in log/ (see qlog.h). */
struct qlog *outbox_logs(struct outbox *ob);

/*
 * Record one delivery attempt (the engine's result r for the recipients
 * that were pending, in the order outbox_pending() gave them, or r ==
 * NULL with err/why when no transaction happened) and file the message:
 * every recipient done or failed -> sent/ (when any got it) or failed/;
 * else it stays queued with a retry time.  lg (NULL: none) is the
 * connection's log, whose part from the offset from on belongs to this
 * message: a summary is added to it and the attempt to log/index.  now:
 * the time; lifetime: seconds after which a message that still has
 * pending recipients fails.  Returns the outcome.
 */
enum outbox_outcome {
	OUTCOME_SENT,              /* every recipient accepted */
	OUTCOME_PARTIAL,           /* sent, some recipients refused for good */
	OUTCOME_QUEUED,            /* to be retried */
	OUTCOME_FAILED,            /* refused for good, or gave up */
};
enum err outbox_record(struct outbox *ob, struct qentry *e,
    const struct smtp_result *r, enum err err, const char *why,
    struct qlog_conn *lg, uint64_t from, int64_t now, int64_t lifetime,
    enum outbox_outcome *outcome, char **errstr);

/*
 * outbox_record() in two steps, for a caller that starts the next message
 * in between: outbox_assess() works out the outcome in memory (copying
 * what it needs from r, which may go then), outbox_file() files it.
 */
enum err outbox_assess(struct qentry *e, const struct smtp_result *r,
    enum err err, const char *why, int64_t now, int64_t lifetime,
    enum outbox_outcome *outcome);
enum err outbox_file(struct outbox *ob, struct qentry *e,
    enum outbox_outcome oc, struct qlog_conn *lg, uint64_t from,
    char **errstr);

/*
 * Many messages in a row (queue flush).  With on, the move of a sent
 * message and its envelope is not synced at once: outbox_record() syncs
 * after every OUTBOX_SYNC_EVERY messages or OUTBOX_SYNC_MS milliseconds,
 * and outbox_sync() at the end.  A process that is killed loses nothing
 * by this; a crash of the whole system (power, kernel) can undo the last
 * moves, and those messages are then sent again.
 *
 * Why that is the choice, crash by crash.  Filing a sent message is two
 * renames (the message outbox/ -> sent/, its envelope queue/ -> log/)
 * and the final record written into the moved envelope; nothing is
 * copied, so nothing can be lost at any point: a rename is atomic, the
 * message is in outbox/ or in sent/, never in neither.
 *   - kill -9 at any point: the kernel has every rename done so far, so
 *     a message whose 250 was filed is never sent again, and one whose
 *     250 was not filed yet (a window of microseconds) is sent again
 *     once, as without batching.
 *   - a system crash between the renames and the batched directory
 *     sync: they may be undone, the message is back in outbox/ with its
 *     envelope and is sent again by the next flush: a duplicate, never
 *     a loss.  Syncing each move (about 2 ms of fsync per message here)
 *     would shrink that window from OUTBOX_SYNC_MS to the time of one
 *     fsync, but not close it: the 250 always comes before any filing
 *     can be durable (RFC 5321 has no way to confirm the confirmation),
 *     so every client has such a window; a duplicate after a power cut
 *     is accepted, a per-message sync is not worth its cost.  One move
 *     undone and not the other: the message in sent/, its envelope in
 *     queue/ marked queued -- the sent-mark check (outbox_was_sent())
 *     and outbox_recover() file it, never resend it; or the message in
 *     outbox/ without its envelope -- an orphan, listed by queue list,
 *     never sent by itself.  Neither is a loss.
 * Pipelining the next envelope behind a dot changes none of this: the
 * server takes a message at the reply to its dot, and each is filed as
 * soon as that reply is read.
 */
#define OUTBOX_SYNC_EVERY 64
#define OUTBOX_SYNC_MS 50
void outbox_batch(struct outbox *ob, int on);
enum err outbox_sync(struct outbox *ob, char **errstr);

/* Finish what a crash interrupted: an entry marked sent whose message is still in outbox/. */
enum err outbox_recover(struct outbox *ob, const struct qentry *e,
    char **errstr);

/* Is there a message (outbox/ or failed/) or an envelope for id? */
int outbox_has(struct outbox *ob, const char *id);
/*
 * queue rm: the message and its envelope go (the message to no folder).
 * ERR_NOINPUT with *errstr when there is neither (an id not queued).
 */
enum err outbox_remove(struct outbox *ob, const char *id, char **errstr);
/*
 * queue retry of a failed message: back to outbox/, due now; recipients
 * that failed with the message wait again (all of them when each was
 * refused on its own).  ERR_NOINPUT when it has not failed.
 */
enum err outbox_requeue(struct outbox *ob, const char *id, char **errstr);

/*
 * queue retry of a message held (send later): it may go at now.  The
 * caller holds its lock.  ERR_NOINPUT when it is not held.
 */
enum err outbox_release_hold(struct outbox *ob, const char *id, int64_t now,
    char **errstr);

/* The addresses still pending, in order (pointers into e). */
size_t outbox_pending(const struct qentry *e, const char **v, size_t max);

#endif
