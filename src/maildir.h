/* maildir.h - durable Maildir folders that other mail programs can read. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MAILDIR_H
#define PIGEON_MAILDIR_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "mdname.h"

/*
 * A folder in the Maildir layout (https://cr.yp.to/proto/maildir.html):
 * tmp/, new/ and cur/ under one directory.  A message is written to tmp/,
 * fsync'ed, then linked (or renamed) into new/ or cur/ and that directory
 * is fsync'ed, so a crash leaves either nothing or the whole message
 * where other programs look.  Files in new/ are named by their unique
 * name alone; files in cur/ carry ":2,FLAGS" after it, FLAGS being
 * ASCII letters in ASCII order ("S" seen, "D" draft, ...).  Functions
 * take and give the unique name, never the flags part.
 *
 * Unique names are mdname.h's.
 *
 * Every function returning enum err gives ERR_NOMEM when memory runs
 * out and ERR_IO when the file system refuses something; then *errstr
 * (when errstr is not NULL) is a malloc'd sentence naming the path and
 * the reason, such as "cannot write /x/outbox/tmp/NAME: No space left on
 * device".  The caller frees *errstr.  A name that could not be a unique
 * name (empty, starting with '.', holding '/', ':' or a control
 * character) or flags that are not ASCII letters give ERR_USAGE.
 *
 * A struct maildir holds open descriptors of its directories; it is not
 * safe to share between threads.
 */
struct maildir;

/*
 * Open the Maildir at path.  With create set, make what is missing of
 * the folder and its tmp/, new/ and cur/ (mode 0700; an existing
 * directory keeps its mode); without it, a missing folder gives
 * ERR_NOINPUT.  Opening removes from tmp/ what a crash left behind and
 * nothing else: regular files not modified for 36 hours (the Maildir
 * rule), and regular files that carry this host's name and the pid of a
 * process that no longer runs.  The folder and its tmp/, new/ and cur/
 * are opened without following a symbolic link and must be directories
 * of this user that others cannot write to: anything else is ERR_UNSAFE
 * (see safefile.h).  *out is set on ERR_OK only.
 */
enum err maildir_open(struct maildir **out, const char *path, int create,
    char **errstr);
/* Close the folder's directories and free m; NULL is fine. */
void maildir_close(struct maildir *m);
/* The path the folder was opened with, trailing slashes removed. */
const char *maildir_path(const struct maildir *m);
/* The descriptor of its new/ (cur 0) or cur/ (cur 1) directory, for mdindex.c; the folder owns it. */
int maildir_subfd(const struct maildir *m, int cur);

/*
 * A message being written.  Only fd and name are for the caller; the
 * rest belongs to this module.
 */
struct maildir_tx {
	int fd;          /* the file in tmp/, open for reading and writing */
	char *name;      /* the message's unique name, malloc'd */
	char *tmpname;   /* private: the file's name in tmp/, NULL once gone */
	int replace;     /* private: set by maildir_replace_begin() */
};

/*
 * Start a message: create tmp/NAME (O_CREAT|O_EXCL, mode 0600), where
 * NAME is name or, when name is NULL, a new unique name.  The caller
 * writes the message with maildir_write() and then calls
 * maildir_commit() or maildir_abort().  tx is always initialised (on
 * error tx->fd is -1 and tx->name NULL), so maildir_abort() after a
 * failed begin is harmless.
 *
 * After commit or abort, whether they succeed or not, tx->name stays
 * valid and is the caller's to free (free(tx->name)).
 */
enum err maildir_begin(struct maildir *m, const char *name,
    struct maildir_tx *tx, char **errstr);
/*
 * Write all of p[0..n) to tx->fd, going on after EINTR and short writes.
 * Returns n, or -1 with errno set.  Message data must be written through
 * here, so that the test hook below applies to it.
 */
ssize_t maildir_write(struct maildir_tx *tx, const void *p, size_t n);
/*
 * Make the message visible: fsync the file, link (or, where the file
 * system has no hard links, rename) it to new/NAME when flags is NULL or
 * to cur/NAME:2,FLAGS otherwise ("" is no flag; flags are sorted and
 * duplicates dropped), fsync that directory, remove the tmp/ name and
 * close tx->fd.  When a message of that name is already in new/ or cur/,
 * ERR_IO with strerror(EEXIST) in *errstr.  On any error nothing is
 * visible in new/ or cur/, and tmp/ and tx->fd are as they were: call
 * maildir_abort() then.  ERR_USAGE for a tx from maildir_replace_begin().
 */
enum err maildir_commit(struct maildir *m, struct maildir_tx *tx,
    const char *flags, char **errstr);
/* Close tx->fd and remove the file from tmp/ (if they are still there). */
void maildir_abort(struct maildir *m, struct maildir_tx *tx);

/*
 * Replace the content of the existing message name: the new content is
 * written to a file in tmp/ under a new unique name (tx->name is a copy
 * of name), and maildir_replace_commit() fsyncs it, renames it over the
 * message wherever it is (new/ or cur/, its flags kept), fsyncs that
 * directory and closes tx->fd.  Readers see the old or the new content,
 * never a mix.  ERR_NOINPUT when there is no such message (at begin or
 * at commit; then call maildir_abort()).  When only the directory fsync
 * fails, ERR_IO is returned although the new content is in place.
 */
enum err maildir_replace_begin(struct maildir *m, const char *name,
    struct maildir_tx *tx, char **errstr);
enum err maildir_replace_commit(struct maildir *m, struct maildir_tx *tx,
    char **errstr);

/*
 * The full path of the message name in new/ or cur/ (whatever its
 * flags); *path is malloc'd.  ERR_NOINPUT when there is none.
 */
enum err maildir_find(const struct maildir *m, const char *name,
    char **path, char **errstr);
/*
 * Open the message name for reading: *fd (O_CLOEXEC) at offset 0, the
 * caller closes it.  ERR_NOINPUT when there is none; ERR_UNSAFE when what
 * is there is a symbolic link, not a regular file or another user's
 * (never followed, left as it is; *errstr says so).
 */
enum err maildir_open_msg(const struct maildir *m, const char *name,
    int *fd, char **errstr);
/*
 * The unique names of all messages in new/ and cur/, sorted by name
 * (which is by time for names from mdname_unique()), each once: *names
 * is a malloc'd array of *n malloc'd strings.  Entries that are not
 * regular files (symbolic links included) or are another user's, start
 * with '.', or have a name no Maildir program
 * makes (no unique part, control characters) are left alone: each is
 * described in *warnings (*nwarn malloc'd sentences, control characters
 * shown escaped) for the caller to report.  Free both arrays with
 * maildir_free_list().  On error all four outputs are empty.
 */
enum err maildir_list(const struct maildir *m, char ***names, size_t *n,
    char ***warnings, size_t *nwarn, char **errstr);
/* Free v[0..n) and v; NULL is fine. */
void maildir_free_list(char **v, size_t n);

/*
 * Move the message name to the folder to, which must be on the same
 * file system: rename it to to/cur/NAME:2,FLAGS, or to to/new/NAME when
 * flags is NULL, then fsync both directories.  The rename is atomic, so
 * the message is in exactly one of the folders at every moment.
 * ERR_NOINPUT when from has no such message; ERR_IO (EEXIST) when to
 * already has one.  When the rename happened but an fsync failed, the
 * result is ERR_IO and the message is in to.
 */
enum err maildir_move(struct maildir *from, const char *name,
    struct maildir *to, const char *flags, char **errstr);
/*
 * Put the message name of from into to as well (cur/NAME:2,FLAGS, or
 * new/NAME when flags is NULL): a hard link, or a durable copy where the
 * file system has none; the directory is synced.  ERR_OK when to has it
 * already; ERR_NOINPUT when from has no such message.
 */
enum err maildir_link(struct maildir *from, const char *name,
    struct maildir *to, const char *flags, char **errstr);
/* Remove the message name and fsync its directory; ERR_NOINPUT when missing. */
enum err maildir_remove(struct maildir *m, const char *name, char **errstr);

/*
 * For tests only: fault injection, compiled in only when configure was
 * given --enable-test-hooks (config.h defines PIGEON_TEST_HOOKS), and
 * inert even then unless the environment variable PIGEON_TEST_FAULT is set
 * when a call is made.  Other builds never read the variable.
 *
 *   PIGEON_TEST_FAULT=enospc:N  the Nth write() or fsync() counted from
 *       the moment the variable took this value fails with ENOSPC.  Counted
 *       are the write() calls of maildir_write() and the fsync() calls of
 *       maildir_commit(), maildir_replace_commit(), maildir_move() and
 *       maildir_remove() (files and directories), not those of
 *       maildir_open().
 *   PIGEON_TEST_FAULT=erofs  maildir_begin() and maildir_replace_begin()
 *       fail with EROFS, as on a read-only file system.
 *
 * Other values are ignored.  The counter is process-wide state and not
 * thread-safe; that is fine for tests.
 */

/*
 * Group commit: with on, maildir_move() into or out of m does not sync the
 * directories; maildir_sync() does, once, for many moves.  For callers
 * whose own records make an unsynced move safe to redo after a crash.
 */
void maildir_lazy_sync(struct maildir *m, int on);
enum err maildir_sync(struct maildir *m, char **errstr);

#endif
