/* outbox.c - the durable outbox: every message and its envelope on disk before it is sent. */
/* SPDX-License-Identifier: ISC */
/* F_OFD_SETLK: Linux since 3.15, POSIX.1-2024; glibc shows it with _GNU_SOURCE. */
#define _GNU_SOURCE 1
#include "outbox_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "i18n.h"
#include "safefile.h"
#include "util.h"

/* The file time of an envelope that is not due at all (2100-01-01). */
#define NEVER_DUE INT64_C(4102444800)
/* A message in outbox/ without an envelope younger than this is being queued. */
#define ORPHAN_AGE 60

#ifdef F_OFD_SETLK
#define LOCK_CMD F_OFD_SETLK
#define LOCK_WAIT_CMD F_OFD_SETLKW
#else
/* Locks of the process: right as long as it opens queue/lock only once. */
#define LOCK_CMD F_SETLK
#define LOCK_WAIT_CMD F_SETLKW
#endif

static const char *const folder_names[] = {
	"drafts", "outbox", "sent", "failed",
};

enum err
outbox_sys_err(char **errstr, const char *what, const char *path)
{
	util_seterr(errstr, _("cannot %s %s: %s"), what, path,
	    strerror(errno));
	return errno == ENOMEM ? ERR_NOMEM : ERR_IO;
}

/*
 * path resolved, made first when it is missing (mode 0700, like
 * everything of ours), malloc'd; NULL with *e and *errstr set.
 */
static char *
resolve_dir(const char *path, enum err *e, char **errstr)
{
	char *real;

	if (util_make_dirs(path, errstr) < 0) {
		*e = errno == ENOMEM ? ERR_NOMEM : ERR_IO;
		return NULL;
	}
	if ((real = realpath(path, NULL)) == NULL)
		*e = outbox_sys_err(errstr, _("open"), path);
	return real;
}

/*
 * Make the directory path if it is missing and open it.  The directory
 * itself may be a link of the user's (to another disk); what is in it is
 * opened without following any.
 */
static int
open_top(char **path, enum err *e, char **errstr)
{
	char *real;
	int fd;

	/*
	 * ~/.local/share may be missing on a fresh account.  A link of the
	 * user's is resolved once, here: every later path (drafts/, the
	 * messages shown) is the real one, so the link is not followed
	 * again, whatever it is changed to meanwhile.
	 */
	if ((real = resolve_dir(*path, e, errstr)) == NULL)
		return -1;
	free(*path);
	*path = real;
	if ((fd = open(*path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		*e = outbox_sys_err(errstr, _("open"), *path);
		return -1;
	}
	if ((*e = safefile_check_dir(fd, *path, errstr)) != ERR_OK) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/*
 * Moving log/ and the lock from the data folder to the state folder.
 *
 * A message is flushed by the process that holds the byte-range lock of
 * its id in the lock file; two processes exclude each other only when
 * they lock the same file (the same inode).  An older pigeon locks
 * DATA/queue/lock, this one STATE/lock: were they two files, an older
 * and a newer process could both send the same message.  So:
 *
 *  1. DATA/queue/lock is opened and locked whole (F_OFD_SETLKW).  That
 *     waits until no process, old or new, is sending a message (each
 *     holds its message's byte while it sends), and while it is held no
 *     one can start sending one (their non-blocking lock fails and they
 *     pass the message by).  Then it checks that the name still is that
 *     file: a newer process may have moved it while this one waited.
 *  2. The same file is linked as STATE/lock (link(2): same inode).  A
 *     process that opened DATA/queue/lock before, and keeps it open (the
 *     composer runs for hours), still locks the very file new processes
 *     lock, so it and they still exclude each other.
 *  3. log/ is renamed into the state folder; a process that has it open
 *     writes on into the moved directory (qlog.c works relative to it).
 *  4. DATA/queue/lock is replaced, in one rename(2), by a symbolic link
 *     to STATE/lock.  An older pigeon starting after that refuses the
 *     link (it never opens anything in the data folder through one) and
 *     stops before it could lock anything; at no moment is the name
 *     missing, so it can never make a new, separate lock file there.
 *     The same link is made when there is no DATA/queue/lock at all (a
 *     new data folder), for the same reason.
 *
 * When the state folder is on another file system, step 2 fails (EXDEV)
 * and nothing is moved: log/ and the lock stay in the data folder, where
 * both kinds of pigeon find them.  A crash after step 2 leaves both
 * names on the one file; the next start sees that and finishes.  Two
 * different files at both places is what only a hand could make: that
 * is refused, rather than guessed at.
 *
 * *legacy is set when the old layout stays.  ERR_OK or an error.
 */
static enum err
migrate_state(struct outbox *ob, int *legacy, char **errstr)
{
	struct stat old, now, st;
	struct flock fl;
	char *q = NULL, *target = NULL;
	enum err e = ERR_OK;
	int fd = -1, r;

	*legacy = 0;
	if ((q = util_strf("%s/lock", ob->qdir)) == NULL ||
	    (target = util_strf("%s/lock", ob->sdir)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	for (;;) {
		if (fstatat(ob->qfd, "lock", &now, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT) {
				e = outbox_sys_err(errstr, _("read"), q);
				goto out;
			}
			/*
			 * A new data folder: the link keeps old pigeons out.
			 * symlinkat() makes it only where nothing is, so a
			 * lock file an old pigeon made meanwhile is found
			 * (EEXIST) and moved the long way.
			 */
			if (symlinkat(target, ob->qfd, "lock") == 0)
				goto out;
			if (errno != EEXIST) {
				e = outbox_sys_err(errstr, _("create"), q);
				goto out;
			}
			continue;
		}
		if (S_ISLNK(now.st_mode))
			goto out;		/* moved before */
		if (fd >= 0 && now.st_dev == old.st_dev &&
		    now.st_ino == old.st_ino)
			break;			/* locked, and still the one */
		if (fd >= 0)
			(void)close(fd);
		if ((fd = safefile_open(ob->qfd, "lock", q, O_RDWR, &e,
		    errstr)) < 0) {
			if (e != ERR_NOINPUT)	/* gone meanwhile: again */
				goto out;
			e = ERR_OK;
			continue;
		}
		memset(&fl, 0, sizeof fl);
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;	/* l_start 0, l_len 0: all of it */
		while ((r = fcntl(fd, LOCK_WAIT_CMD, &fl)) < 0 && errno == EINTR)
			;
		if (r < 0 || fstat(fd, &old) < 0) {
			e = outbox_sys_err(errstr, _("lock"), q);
			goto out;
		}
	}

	/* 2: the same file in the state folder. */
	if (linkat(ob->qfd, "lock", ob->sfd, "lock", 0) < 0) {
		if (errno == EXDEV) {
			*legacy = 1;
			goto out;
		}
		if (errno != EEXIST) {
			e = outbox_sys_err(errstr, _("link"), target);
			goto out;
		}
		if (fstatat(ob->sfd, "lock", &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_dev != old.st_dev || st.st_ino != old.st_ino) {
			util_seterr(errstr, _("both %s and %s are pigeon's "
			    "queue lock: remove %s once no older pigeon runs"),
			    q, target, q);
			e = ERR_UNSAFE;
			goto out;
		}
	}
	/* 3: the logs. */
	if (fstatat(ob->dfd, "log", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode) && fstatat(ob->sfd, "log", &st,
	    AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
	    renameat(ob->dfd, "log", ob->sfd, "log") < 0) {
		e = outbox_sys_err(errstr, _("move"), ob->logdir);
		goto out;
	}
	/* 4: the old name becomes a link no pigeon follows. */
	(void)unlinkat(ob->qfd, "lock.moved", 0);
	if (symlinkat(target, ob->qfd, "lock.moved") < 0 ||
	    renameat(ob->qfd, "lock.moved", ob->qfd, "lock") < 0) {
		e = outbox_sys_err(errstr, _("replace"), q);
		goto out;
	}
	(void)outbox_fsync_dir(ob->qfd, ob->qdir, NULL);
	(void)outbox_fsync_dir(ob->sfd, ob->sdir, NULL);
	/* And one for log/, to be found; nothing depends on it. */
	free(q);
	if ((q = util_strf("%s/log", ob->sdir)) != NULL)
		(void)symlinkat(q, ob->dfd, "log");
out:
	if (fd >= 0)
		(void)close(fd);	/* releases the whole-file lock */
	free(q);
	free(target);
	return e;
}

enum err
outbox_open(struct outbox **out, const char *dir, char **errstr)
{
	char *data = NULL, *state = NULL;
	enum err e;

	if (dir != NULL)
		return outbox_open_dirs(out, dir, NULL, errstr);
	*out = NULL;
	if ((data = util_xdg_dir("XDG_DATA_HOME", ".local/share")) == NULL ||
	    (state = util_xdg_dir("XDG_STATE_HOME", ".local/state")) == NULL) {
		free(data);
		free(state);
		util_seterr(errstr, _("no data directory: set HOME or "
		    "XDG_DATA_HOME and XDG_STATE_HOME"));
		return ERR_CONFIG;
	}
	e = outbox_open_dirs(out, data, state, errstr);
	free(data);
	free(state);
	return e;
}

enum err
outbox_open_dirs(struct outbox **out, const char *dir, const char *state,
    char **errstr)
{
	struct outbox *ob;
	char *p = NULL;
	enum err e = ERR_NOMEM;
	size_t i;
	int legacy = 1, lfd_parent;

	*out = NULL;
	if ((ob = calloc(1, sizeof(*ob))) == NULL)
		return ERR_NOMEM;
	ob->lockfd = ob->dfd = ob->sfd = ob->qfd = ob->lfd = -1;
	if ((ob->dir = strdup(dir)) == NULL ||
	    (state != NULL && (ob->sdir = strdup(state)) == NULL))
		goto fail;
	if ((ob->dfd = open_top(&ob->dir, &e, errstr)) < 0)
		goto fail;
	e = ERR_NOMEM;
	if ((ob->qdir = util_strf("%s/queue", ob->dir)) == NULL)
		goto fail;
	if ((ob->qfd = safefile_dir(ob->dfd, "queue", ob->qdir, 1, NULL, &e,
	    errstr)) < 0)
		goto fail;
	if (ob->sdir != NULL) {
		if ((ob->sfd = open_top(&ob->sdir, &e, errstr)) < 0 ||
		    (e = migrate_state(ob, &legacy, errstr)) != ERR_OK)
			goto fail;
	}
	if (legacy) {
		free(ob->sdir);
		ob->sdir = NULL;
	}
	lfd_parent = legacy ? ob->dfd : ob->sfd;
	e = ERR_NOMEM;
	if ((ob->logdir = util_strf("%s/log", legacy ? ob->dir :
	    ob->sdir)) == NULL)
		goto fail;
	if ((ob->lfd = safefile_dir(lfd_parent, "log", ob->logdir, 1, NULL,
	    &e, errstr)) < 0 ||
	    (e = qlog_open(&ob->logs, ob->logdir, ob->lfd)) != ERR_OK)
		goto fail;
	for (i = 0; i < 4; i++) {
		free(p);
		if ((p = util_strf("%s/%s", ob->dir, folder_names[i])) == NULL) {
			e = ERR_NOMEM;
			goto fail;
		}
		if ((e = maildir_open(&ob->md[i], p, 1, errstr)) != ERR_OK)
			goto fail;
	}
	free(p);
	if ((p = util_strf("%s/lock", legacy ? ob->qdir : ob->sdir)) == NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
	ob->lockfd = safefile_open(legacy ? ob->qfd : ob->sfd, "lock", p,
	    O_RDWR | O_CREAT, &e, errstr);
	if (ob->lockfd < 0)
		goto fail;
	free(p);
	*out = ob;
	return ERR_OK;
fail:
	free(p);
	outbox_close(ob);
	return e;
}

void
outbox_close(struct outbox *ob)
{
	size_t i;

	if (ob == NULL)
		return;
	for (i = 0; i < 4; i++)
		maildir_close(ob->md[i]);
	if (ob->lockfd >= 0)
		(void)close(ob->lockfd);
	if (ob->dfd >= 0)
		(void)close(ob->dfd);
	if (ob->sfd >= 0)
		(void)close(ob->sfd);
	if (ob->qfd >= 0)
		(void)close(ob->qfd);
	if (ob->lfd >= 0)
		(void)close(ob->lfd);
	qlog_close(ob->logs);
	free(ob->dir);
	free(ob->sdir);
	free(ob->qdir);
	free(ob->logdir);
	free(ob);
}

const char *
outbox_dir(const struct outbox *ob)
{
	return ob->dir;
}

/*
 * An account's own Maildir folder (sent, drafts): made when missing, the
 * path resolved once (it may be a link of the user's), nothing inside it
 * opened through a link (maildir_open()).
 */
static enum err
open_user_folder(const char *folder, struct maildir **md, char **errstr)
{
	char *real;
	enum err e;

	*md = NULL;
	if ((real = resolve_dir(folder, &e, errstr)) == NULL)
		return e;
	e = maildir_open(md, real, 1, errstr);
	free(real);
	return e;
}

enum err
outbox_copy_sent(struct outbox *ob, const char *id, const char *folder,
    char **errstr)
{
	struct maildir *md = NULL;
	enum err e;

	if (folder == NULL)
		return ERR_OK;
	if ((e = open_user_folder(folder, &md, errstr)) == ERR_OK)
		e = maildir_link(ob->md[OUTBOX_SENT], id, md, "S", errstr);
	maildir_close(md);
	return e;
}

enum err
outbox_drafts_open(struct outbox *ob, const struct account *acct,
    struct maildir **md, char **errstr)
{
	if (acct == NULL || acct->drafts == NULL) {
		*md = ob->md[OUTBOX_DRAFTS];
		return ERR_OK;
	}
	return open_user_folder(acct->drafts, md, errstr);
}

void
outbox_drafts_close(struct outbox *ob, struct maildir *md)
{
	if (md != ob->md[OUTBOX_DRAFTS])
		maildir_close(md);
}

const char *
outbox_state_dir(const struct outbox *ob)
{
	return ob->sdir != NULL ? ob->sdir : ob->dir;
}

struct qlog *
outbox_logs(struct outbox *ob)
{
	return ob->logs;
}

struct maildir *
outbox_folder(struct outbox *ob, enum outbox_folder f)
{
	return ob->md[f];
}

/* queue/ID.SUFFIX or log/ID.SUFFIX, as the user sees it. */
char *
outbox_qpath(const struct outbox *ob, int log, const char *id,
    const char *suffix)
{
	return util_strf("%s/%s.%s", log ? ob->logdir : ob->qdir, id, suffix);
}

/* ID.SUFFIX: its name in queue/ or log/. */
char *
outbox_qname(const char *id, const char *suffix)
{
	return util_strf("%s.%s", id, suffix);
}

/* fsync the directory fd, shown as dir. */
enum err
outbox_fsync_dir(int fd, const char *dir, char **errstr)
{
	if (fsync(fd) < 0 && errno != EINVAL)
		return outbox_sys_err(errstr, _("sync"), dir);
	return ERR_OK;
}

/*
 * Write queue/name (shown as path) atomically: a temporary file, fsync,
 * rename, fsync of the directory.  Its modification time is mtime
 * (seconds), when that is not -1.
 */
static enum err
write_atomic(struct outbox *ob, const char *name, const char *path,
    const char *p, size_t n, int64_t mtime, char **errstr)
{
	struct timespec ts[2];
	char *tmp = util_strf("%s.tmp%ld", name, (long)getpid());
	char *shown = util_strf("%s.tmp%ld", path, (long)getpid());
	enum err e = ERR_IO;
	ssize_t w;
	int fd = -1;

	if (tmp == NULL || shown == NULL) {
		free(tmp);
		free(shown);
		return ERR_NOMEM;
	}
	fd = safefile_open(ob->qfd, tmp, shown, O_WRONLY | O_CREAT | O_TRUNC,
	    &e, errstr);
	if (fd < 0) {
		free(tmp);
		free(shown);
		return e;
	}
	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		p += w;
		n -= (size_t)w;
	}
	if (mtime >= 0) {
		ts[0].tv_sec = 0;
		ts[0].tv_nsec = UTIME_NOW;
		ts[1].tv_sec = (time_t)mtime;
		ts[1].tv_nsec = 0;
		if (futimens(fd, ts) < 0)
			goto fail;
	}
	if (fsync(fd) < 0)
		goto fail;
	e = close(fd) < 0 ? ERR_IO : ERR_OK;
	fd = -1;
	if (e != ERR_OK || renameat(ob->qfd, tmp, ob->qfd, name) < 0)
		goto fail;
	free(tmp);
	free(shown);
	return outbox_fsync_dir(ob->qfd, ob->qdir, errstr);
fail:
	if (fd >= 0)
		(void)close(fd);
	(void)outbox_sys_err(errstr, _("write"), path);
	(void)unlinkat(ob->qfd, tmp, 0);
	free(tmp);
	free(shown);
	return ERR_IO;
}

enum err
outbox_save(struct outbox *ob, const struct qentry *e, char **errstr)
{
	struct buf b;
	char *path, *name;
	enum err r;

	if ((path = outbox_qpath(ob, 0, e->id, "env")) == NULL)
		return ERR_NOMEM;
	if ((name = outbox_qname(e->id, "env")) == NULL) {
		free(path);
		return ERR_NOMEM;
	}
	buf_init(&b, ENV_MAX);
	if (qentry_format(e, &b) < 0) {
		r = errno == ENOMEM ? ERR_NOMEM : ERR_SOFTWARE;
		util_seterr(errstr, _("cannot record message %s: %s"), e->id,
		    strerror(errno));
		buf_free(&b);
		free(path);
		free(name);
		return r;
	}
	/*
	 * The time of an envelope's file is when its message is due, as in
	 * Postfix's deferred queue: finding what is due needs no reading.
	 */
	r = write_atomic(ob, name, path, buf_str(&b), b.len,
	    e->state == QENTRY_QUEUED ? qentry_due(e) : NEVER_DUE, errstr);
	buf_free(&b);
	free(path);
	free(name);
	return r;
}

/*
 * Its move from outbox/ to sent/ says that a message was sent.  Looked
 * for in sent/ only when it is not in outbox/ (one stat), which is rare.
 */
int
outbox_was_sent(const struct outbox *ob, const char *id)
{
	char *path = NULL;
	int r;

	if (maildir_find(ob->md[OUTBOX_OUTBOX], id, &path, NULL) == ERR_OK) {
		free(path);
		return 0;
	}
	r = maildir_find(ob->md[OUTBOX_SENT], id, &path, NULL) == ERR_OK;
	free(path);
	return r;
}

void
outbox_batch(struct outbox *ob, int on)
{
	ob->batch = on;
	ob->unsynced = 0;
	(void)clock_gettime(CLOCK_MONOTONIC, &ob->synced);
	maildir_lazy_sync(ob->md[OUTBOX_OUTBOX], on);
	maildir_lazy_sync(ob->md[OUTBOX_SENT], on);
}

enum err
outbox_sync(struct outbox *ob, char **errstr)
{
	enum err e;

	ob->unsynced = 0;
	(void)clock_gettime(CLOCK_MONOTONIC, &ob->synced);
	qlog_flush(ob->logs);
	if ((e = maildir_sync(ob->md[OUTBOX_SENT], errstr)) != ERR_OK ||
	    (e = maildir_sync(ob->md[OUTBOX_OUTBOX], errstr)) != ERR_OK ||
	    (e = outbox_fsync_dir(ob->qfd, ob->qdir, errstr)) != ERR_OK)
		return e;
	return outbox_fsync_dir(ob->lfd, ob->logdir, errstr);
}

/* One more move in a batch: sync when enough of them or enough time went by. */
enum err
outbox_batch_sync(struct outbox *ob, char **errstr)
{
	struct timespec now;
	long long ms;
	enum err e;

	if (!ob->batch)
		return ERR_OK;
	ob->unsynced++;
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(now.tv_sec - ob->synced.tv_sec) * 1000 +
	    (now.tv_nsec - ob->synced.tv_nsec) / 1000000;
	if (ob->unsynced < OUTBOX_SYNC_EVERY && ms < OUTBOX_SYNC_MS)
		return ERR_OK;
	/* The moves are the marks; queue/ and log/ can wait for the end. */
	ob->unsynced = 0;
	ob->synced = now;
	qlog_flush(ob->logs);
	if ((e = maildir_sync(ob->md[OUTBOX_SENT], errstr)) != ERR_OK)
		return e;
	return maildir_sync(ob->md[OUTBOX_OUTBOX], errstr);
}

static int64_t
ctime_ns(const struct stat *st)
{
	return (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

/* The identity of a file's content: a replaced envelope is a new inode. */
static void
stamp(struct qentry *e, const struct stat *st)
{
	e->file_ino = (uint64_t)st->st_ino;
	e->file_ctime_ns = ctime_ns(st);
	e->file_size = (uint64_t)st->st_size;
}

/* name in the directory dirfd (shown as path) into b; its status in *st. */
static enum err
read_file(int dirfd, const char *name, const char *path, struct buf *b,
    struct stat *st, char **errstr)
{
	enum err e;
	int fd, err;

	if ((fd = safefile_open(dirfd, name, path, O_RDONLY, &e, errstr)) < 0)
		return e;
	if (st != NULL && fstat(fd, st) < 0) {
		err = errno;
		(void)close(fd);
		errno = err;
		return outbox_sys_err(errstr, _("read"), path);
	}
	/*
	 * A file of known size in one read: asked for a byte more, a read
	 * that returns less has met the end (the rest, if it grew, below).
	 */
	if (st != NULL && S_ISREG(st->st_mode) && st->st_size >= 0 &&
	    (uint64_t)st->st_size < b->max &&
	    buf_reserve(b, (size_t)st->st_size + 1) == 0) {
		ssize_t r;

		do
			r = read(fd, b->data + b->len, (size_t)st->st_size + 1);
		while (r < 0 && errno == EINTR);
		if (r >= 0) {
			b->len += (size_t)r;
			b->data[b->len] = '\0';
			if (r <= st->st_size) {
				(void)close(fd);
				return ERR_OK;
			}
		}
	}
	if (buf_read_fd(b, fd) < 0) {
		err = errno;
		(void)close(fd);
		if (err == E2BIG) {
			util_seterr(errstr, _("%s is too large"), path);
			return ERR_DATA;
		}
		errno = err;
		return outbox_sys_err(errstr, _("read"), path);
	}
	(void)close(fd);
	return ERR_OK;
}

enum err
outbox_load(struct outbox *ob, const char *id, struct qentry *e,
    char **errstr)
{
	struct buf b;
	struct stat st;
	char *path, *name, *why = NULL;
	enum err r;

	qentry_init(e);
	if ((path = outbox_qpath(ob, 0, id, "env")) == NULL)
		return ERR_NOMEM;
	if ((name = outbox_qname(id, "env")) == NULL) {
		free(path);
		return ERR_NOMEM;
	}
	buf_init(&b, ENV_MAX);
	r = read_file(ob->qfd, name, path, &b, &st, errstr);
	free(name);
	if (r == ERR_OK) {
		r = qentry_parse(e, buf_str(&b), b.len, &why);
		if (r == ERR_DATA)
			util_seterr(errstr, _("%s: %s (skipped, left as it is)"),
			    path, why != NULL ? why : "");
		else if (r == ERR_OK && strcmp(e->id, id) != 0) {
			util_seterr(errstr, _("%s: it names another message "
			    "(%s) (skipped, left as it is)"), path, e->id);
			qentry_free(e);
			r = ERR_DATA;
		} else if (r == ERR_OK) {
			stamp(e, &st);
		}
	}
	free(why);
	buf_free(&b);
	free(path);
	return r;
}

int
outbox_unchanged(const struct outbox *ob, const struct qentry *e)
{
	struct stat st;
	char *path;
	int r;

	if (e->file_ino == 0 || (path = outbox_qname(e->id, "env")) == NULL)
		return 0;
	r = fstatat(ob->qfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && (uint64_t)st.st_ino == e->file_ino &&
	    ctime_ns(&st) == e->file_ctime_ns &&
	    (uint64_t)st.st_size == e->file_size;
	free(path);
	return r;
}

/* Is name a plausible id (what mdname_unique() makes)? */
static int
id_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || (unsigned char)s[i] < 0x20)
			return 0;
	return 1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum err
outbox_ids(struct outbox *ob, char ***ids, size_t *n, char **errstr)
{
	return outbox_due(ob, -1, ids, n, errstr);
}

enum err
outbox_due(struct outbox *ob, int64_t by, char ***ids, size_t *n,
    char **errstr)
{
	DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	char **v = NULL, **nv;
	size_t len, k = 0;
	int fd;

	*ids = NULL;
	*n = 0;
	/* A descriptor of its own: readdir() moves its offset. */
	if ((fd = openat(ob->qfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
	    0 || (d = fdopendir(fd)) == NULL) {
		enum err e = outbox_sys_err(errstr, _("read"), ob->qdir);

		if (fd >= 0)
			(void)close(fd);
		return e;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 4 || strcmp(de->d_name + len - 4, ".env") != 0 ||
		    !id_ok(de->d_name, len - 4))
			continue;
		if (by >= 0 && (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) < 0 ||
		    (int64_t)st.st_mtime > by))
			continue;
		nv = realloc(v, (k + 1) * sizeof(*v));
		if (nv == NULL || (nv[k] = strndup(de->d_name, len - 4)) ==
		    NULL) {
			if (nv != NULL)
				v = nv;
			maildir_free_list(v, k);
			(void)closedir(d);
			return ERR_NOMEM;
		}
		v = nv;
		k++;
	}
	(void)closedir(d);
	if (k > 1)
		qsort(v, k, sizeof(*v), cmp_str);
	*ids = v;
	*n = k;
	return ERR_OK;
}

enum err
outbox_orphans(struct outbox *ob, char ***ids, size_t *n, char **errstr)
{
	char **names = NULL, **warn = NULL, **v = NULL, *path;
	size_t nn = 0, nw = 0, i, k = 0;
	struct stat st;
	enum err e;
	long long born;

	*ids = NULL;
	*n = 0;
	e = maildir_list(ob->md[OUTBOX_OUTBOX], &names, &nn, &warn, &nw,
	    errstr);
	if (e != ERR_OK)
		return e;
	maildir_free_list(warn, nw);
	if ((v = calloc(nn + 1, sizeof(*v))) == NULL) {
		maildir_free_list(names, nn);
		return ERR_NOMEM;
	}
	for (i = 0; i < nn; i++) {
		if ((path = outbox_qname(names[i], "env")) == NULL)
			break;
		born = strtoll(names[i], NULL, 10);
		if (fstatat(ob->qfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno == ENOENT &&
		    (long long)time(NULL) - born > ORPHAN_AGE) {
			v[k++] = names[i];
			names[i] = NULL;
		}
		free(path);
	}
	maildir_free_list(names, nn);
	*ids = v;
	*n = k;
	return ERR_OK;
}

/* Where in queue/lock the lock of id lies: FNV-1a, as many bits as off_t holds less two. */
static off_t
lock_offset(const char *id)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *id != '\0'; id++) {
		h ^= (unsigned char)*id;
		h *= 1099511628211ULL;
	}
	return (off_t)(h >> (2 + 64 - 8 * sizeof(off_t)));
}

static int
set_lock(const struct outbox *ob, const char *id, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = lock_offset(id);
	fl.l_len = 1;
	return fcntl(ob->lockfd, LOCK_CMD, &fl);
}

enum err
outbox_lock(struct outbox *ob, const char *id, int *held, char **errstr)
{
	*held = 0;
	while (set_lock(ob, id, F_WRLCK) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EACCES)
			return ERR_OK;
		util_seterr(errstr, _("cannot lock message %s: %s"), id,
		    strerror(errno));
		return ERR_IO;
	}
	*held = 1;
	return ERR_OK;
}

void
outbox_unlock(struct outbox *ob, const char *id)
{
	(void)set_lock(ob, id, F_UNLCK);
}

enum err
outbox_begin(struct outbox *ob, struct outbox_item *it, char **errstr)
{
	enum err e;
	char *id;

	memset(it, 0, sizeof(*it));
	it->tx.fd = -1;
	if ((id = mdname_unique()) == NULL)
		return ERR_NOMEM;
	e = outbox_lock(ob, id, &it->locked, errstr);
	if (e == ERR_OK && !it->locked) {
		util_seterr(errstr, _("message id %s is taken"), id);
		e = ERR_SOFTWARE;
	}
	if (e == ERR_OK)
		e = maildir_begin(ob->md[OUTBOX_OUTBOX], id, &it->tx, errstr);
	if (e != ERR_OK && it->locked) {
		outbox_unlock(ob, id);
		it->locked = 0;
	}
	free(id);
	return e;
}

enum err
outbox_commit(struct outbox *ob, struct outbox_item *it, struct qentry *e,
    char **errstr)
{
	enum err r;

	free(e->id);
	if ((e->id = strdup(it->tx.name)) == NULL)
		return ERR_NOMEM;
	if ((r = maildir_commit(ob->md[OUTBOX_OUTBOX], &it->tx, NULL,
	    errstr)) != ERR_OK)
		return r;
	it->committed = 1;
	if ((r = outbox_save(ob, e, errstr)) != ERR_OK) {
		/* No envelope: take the message back rather than strand it. */
		(void)maildir_remove(ob->md[OUTBOX_OUTBOX], e->id, NULL);
		it->committed = 0;
		return r;
	}
	return ERR_OK;
}

void
outbox_release(struct outbox *ob, struct outbox_item *it)
{
	if (!it->committed && it->tx.name != NULL)
		maildir_abort(ob->md[OUTBOX_OUTBOX], &it->tx);
	if (it->locked && it->tx.name != NULL)
		outbox_unlock(ob, it->tx.name);
	it->locked = 0;
	free(it->tx.name);
	it->tx.name = NULL;
}

enum err
outbox_message(struct outbox *ob, const struct qentry *e, int *fd,
    char **errstr)
{
	return maildir_open_msg(ob->md[e->state == QENTRY_FAILED ?
	    OUTBOX_FAILED : OUTBOX_OUTBOX], e->id, fd, errstr);
}

size_t
outbox_pending(const struct qentry *e, const char **v, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < e->nrcpts && k < max; i++)
		if (e->rcpts[i].state == QRCPT_PENDING)
			v[k++] = e->rcpts[i].addr;
	return k;
}

/* Drop queue/ID.env. */
static void
drop_envelope(struct outbox *ob, const char *id)
{
	char *p = outbox_qname(id, "env");

	if (p != NULL)
		(void)unlinkat(ob->qfd, p, 0);
	free(p);
	(void)outbox_fsync_dir(ob->qfd, ob->qdir, NULL);
}

/* Where the message of an entry is: outbox/ or failed/. */
static struct maildir *
home_of(struct outbox *ob, const char *id)
{
	char *path = NULL;

	if (maildir_find(ob->md[OUTBOX_OUTBOX], id, &path, NULL) == ERR_OK) {
		free(path);
		return ob->md[OUTBOX_OUTBOX];
	}
	if (maildir_find(ob->md[OUTBOX_FAILED], id, &path, NULL) == ERR_OK) {
		free(path);
		return ob->md[OUTBOX_FAILED];
	}
	return NULL;
}

enum err
outbox_requeue(struct outbox *ob, const char *id, char **errstr)
{
	struct qentry e;
	size_t i, pending = 0;
	enum err r;

	if ((r = outbox_load(ob, id, &e, errstr)) != ERR_OK)
		return r;
	if (e.state != QENTRY_FAILED) {
		qentry_free(&e);
		return ERR_NOINPUT;
	}
	/* Those refused with the message, not for themselves, wait again. */
	for (i = 0; i < e.nrcpts; i++)
		if (e.rcpts[i].state == QRCPT_FAILED &&
		    !smtp_rcpt_refused(e.rcpts[i].code)) {
			e.rcpts[i].state = QRCPT_PENDING;
			pending++;
		}
	/* Refused one by one: the user says it is put right, all of them. */
	for (i = 0; i < e.nrcpts && pending == 0; i++)
		if (e.rcpts[i].state == QRCPT_FAILED)
			e.rcpts[i].state = QRCPT_PENDING;
	e.state = QENTRY_QUEUED;
	e.next_try = 0;
	/* The message first: an envelope that says queued finds it there. */
	if ((r = maildir_move(ob->md[OUTBOX_FAILED], id, ob->md[OUTBOX_OUTBOX],
	    NULL, errstr)) == ERR_OK || r == ERR_NOINPUT)
		r = outbox_save(ob, &e, errstr);
	qentry_free(&e);
	return r;
}

enum err
outbox_release_hold(struct outbox *ob, const char *id, int64_t now,
    char **errstr)
{
	struct qentry e;
	enum err r;

	if ((r = outbox_load(ob, id, &e, errstr)) != ERR_OK)
		return r;
	if (e.state != QENTRY_QUEUED || e.not_before <= now) {
		qentry_free(&e);
		return ERR_NOINPUT;
	}
	/* Now, not 0: its lifetime still counts from when it could go. */
	e.not_before = now;
	r = outbox_save(ob, &e, errstr);
	qentry_free(&e);
	return r;
}

int
outbox_has(struct outbox *ob, const char *id)
{
	char *env;
	int there;

	if (home_of(ob, id) != NULL)
		return 1;
	/* An envelope without its message counts: rm tidies it away. */
	if ((env = outbox_qpath(ob, 0, id, "env")) == NULL)
		return 1;
	there = access(env, F_OK) == 0 || errno != ENOENT;
	free(env);
	return there;
}

enum err
outbox_remove(struct outbox *ob, const char *id, char **errstr)
{
	struct maildir *m = home_of(ob, id);
	enum err e;

	/* Neither message nor envelope: nothing was removed, say so. */
	if (m == NULL && !outbox_has(ob, id)) {
		util_seterr(errstr, _("no message %s in the queue"), id);
		return ERR_NOINPUT;
	}
	if (m != NULL && (e = maildir_remove(m, id, errstr)) != ERR_OK)
		return e;
	drop_envelope(ob, id);
	return ERR_OK;
}
