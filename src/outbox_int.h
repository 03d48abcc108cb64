/* outbox_int.h - what the outbox's files share (outbox.c, outbox_filing.c): the outbox's state and helpers; no other module includes it. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_OUTBOX_INT_H
#define PIGEON_OUTBOX_INT_H

#include <time.h>

#include "outbox.h"

/* The largest envelope or summary read or written. */
#define ENV_MAX (16 * 1024 * 1024)

struct outbox {
	char *dir;
	char *sdir;                /* the state directory, NULL: dir */
	char *qdir;                /* queue/ */
	char *logdir;              /* log/ */
	int dfd, sfd, qfd, lfd;    /* the data and state directories, queue/, log/ */
	struct maildir *md[4];
	int lockfd;                /* the lock (queue/lock in the old layout) */
	struct qlog *logs;         /* log/ */
	int batch;                 /* outbox_batch() */
	unsigned unsynced;         /* moves since the last sync */
	struct timespec synced;    /* when that was */
};

/* outbox.c */
/* "cannot WHAT PATH: strerror(errno)" in *errstr; ERR_NOMEM or ERR_IO. */
enum err outbox_sys_err(char **errstr, const char *what, const char *path);
/* queue/ID.SUFFIX or log/ID.SUFFIX, as the user sees it; malloc'd. */
char *outbox_qpath(const struct outbox *ob, int log, const char *id,
    const char *suffix);
/* ID.SUFFIX: its name in queue/ or log/; malloc'd. */
char *outbox_qname(const char *id, const char *suffix);
/* fsync the directory fd, shown as dir. */
enum err outbox_fsync_dir(int fd, const char *dir, char **errstr);
/* One more move in a batch: sync when enough of them or enough time went by. */
enum err outbox_batch_sync(struct outbox *ob, char **errstr);

#endif
