/* outbox.h - the durable outbox: every message and its envelope on disk before it is sent. */
#ifndef PIGEON_OUTBOX_H
#define PIGEON_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "maildir.h"
#include "qentry.h"
#include "smtp.h"

/*
 * The data directory ($XDG_DATA_HOME/pigeon, default
 * ~/.local/share/pigeon) holds four Maildir folders that other mail
 * programs can read -- drafts/, outbox/, sent/, failed/ -- and two
 * directories of pigeon's own: queue/ with the envelope and delivery
 * state of each message in outbox/ or failed/ (ID.env, see qentry.h)
 * plus its lock file (ID.lock) and last transcript (ID.log), and log/
 * with ID.log for each message in sent/: the transcript of the attempt
 * that sent it and what became of each recipient.
 *
 * A message is queued in this order: its lock file is created and
 * locked, the message is written to outbox/tmp and committed to
 * outbox/new (fsync, rename, fsync), then its envelope is written the
 * same way.  A crash in between leaves a message in the outbox without
 * an envelope: it is reported, never sent, never deleted.  On success
 * a sent mark (ID.sent, a link to the lock file) is made and synced
 * first, then the message moves to sent/ and the record to log/; a
 * crash anywhere after the mark is finished by the next flush, and the
 * message is not sent again.
 */
struct outbox;

enum outbox_folder {
	OUTBOX_DRAFTS,
	OUTBOX_OUTBOX,
	OUTBOX_SENT,
	OUTBOX_FAILED,
};

/* dir NULL: $XDG_DATA_HOME/pigeon or ~/.local/share/pigeon.  Creates what is missing (0700). */
enum err outbox_open(struct outbox **out, const char *dir, char **errstr);
void outbox_close(struct outbox *ob);
const char *outbox_dir(const struct outbox *ob);
struct maildir *outbox_folder(struct outbox *ob, enum outbox_folder f);

/* A message being queued. */
struct outbox_item {
	struct maildir_tx tx;      /* write the message to tx.fd (maildir_write) */
	int lockfd;                /* held until outbox_release() */
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
/* Messages in outbox/ without an envelope: what a crash while queueing left. */
enum err outbox_orphans(struct outbox *ob, char ***ids, size_t *n,
    char **errstr);
enum err outbox_load(struct outbox *ob, const char *id, struct qentry *e,
    char **errstr);
enum err outbox_save(struct outbox *ob, const struct qentry *e,
    char **errstr);

/*
 * Lock an entry for sending, without waiting: *fd >= 0 when this process
 * has it, -1 when another one holds it (ERR_OK either way).  Reload the
 * entry after locking: its state may have changed.
 */
enum err outbox_lock(struct outbox *ob, const char *id, int *fd,
    char **errstr);
void outbox_unlock(int fd);
/* Unlock and remove the lock file of an id that has no entry (any more). */
void outbox_drop_lock(struct outbox *ob, const char *id, int fd);

/* The message of an entry, open for reading at offset 0. */
enum err outbox_message(struct outbox *ob, const struct qentry *e, int *fd,
    char **errstr);

/*
 * Record one delivery attempt (the engine's result r for the recipients
 * that were pending, in the order qentry_pending_list() gave them, or
 * r == NULL with err/why when no transaction happened) and file the
 * message: every recipient done or failed -> sent/ (when any got it) or
 * failed/; else it stays queued with a retry time.  transcript is kept
 * with it.  now: the time; lifetime: seconds after which a message that
 * still has pending recipients fails.  Returns the outcome.
 */
enum outbox_outcome {
	OUTCOME_SENT,              /* every recipient accepted */
	OUTCOME_PARTIAL,           /* sent, some recipients refused for good */
	OUTCOME_QUEUED,            /* to be retried */
	OUTCOME_FAILED,            /* refused for good, or gave up */
};
enum err outbox_record(struct outbox *ob, struct qentry *e,
    const struct smtp_result *r, enum err err, const char *why,
    const char *transcript, size_t tlen, int64_t now, int64_t lifetime,
    enum outbox_outcome *outcome, char **errstr);

/*
 * Many messages in a row (queue flush): with on, moving a sent message is
 * not synced each time; outbox_sync() syncs it all at the end.  Only the
 * mark that a message was sent is synced at once.
 */
void outbox_batch(struct outbox *ob, int on);
enum err outbox_sync(struct outbox *ob, char **errstr);

/* Finish what a crash interrupted: an entry marked sent whose message is still in outbox/. */
enum err outbox_recover(struct outbox *ob, const struct qentry *e,
    char **errstr);

/* queue rm: the message and its envelope go (the message to no folder). */
enum err outbox_remove(struct outbox *ob, const char *id, char **errstr);
/* queue edit: the message moves to drafts/, its envelope goes. */
enum err outbox_to_draft(struct outbox *ob, const char *id, char **errstr);

/* The addresses still pending, in order (pointers into e). */
size_t outbox_pending(const struct qentry *e, const char **v, size_t max);

#endif
