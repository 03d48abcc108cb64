/* maildir.c - durable Maildir folders: write to tmp/, fsync, link into new/ or cur/. */
/* SPDX-License-Identifier: ISC */
/* renameat2() and RENAME_NOREPLACE (Linux 3.15+, glibc 2.28+): _GNU_SOURCE. */
#define _GNU_SOURCE 1
#include "maildir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "i18n.h"
#include "mdname.h"
#include "safefile.h"
#include "util.h"

/* The Maildir rule: what sat in tmp/ this long was left by a crash. */
#define STALE_SECONDS   (36 * 60 * 60)
/* How often maildir_open_msg() looks again for a message renamed meanwhile. */
#define OPEN_TRIES      3

enum { D_TMP, D_NEW, D_CUR, D_COUNT };

static const char *const subdirs[D_COUNT] = { "tmp", "new", "cur" };

struct maildir {
	char *path;
	int dirfd[D_COUNT];
	int lazy;               /* moves leave the directory syncs to maildir_sync() */
};

/* A growable array of malloc'd strings. */
struct strv {
	char **v;
	size_t n, cap;
};

/* --- the test hook ------------------------------------------------------ */

enum fault_kind { FAULT_NONE, FAULT_ENOSPC, FAULT_EROFS };

/*
 * Only a build configured with --enable-test-hooks reads PIGEON_TEST_FAULT;
 * in any other the hook is two constants and the environment is not read.
 */
#ifdef PIGEON_TEST_HOOKS

/*
 * The value of PIGEON_TEST_FAULT seen last, so a new value (set by a test
 * between cases) starts counting afresh.  Longer values are ignored.
 */
static struct {
	char seen[64];
	enum fault_kind kind;
	unsigned long target, count;
} fault;

static enum fault_kind
fault_get(void)
{
	const char *v = getenv("PIGEON_TEST_FAULT");
	unsigned long n;
	char *end;

	if (v == NULL || *v == '\0' || strlen(v) >= sizeof(fault.seen)) {
		fault.seen[0] = '\0';
		fault.kind = FAULT_NONE;
		return FAULT_NONE;
	}
	if (strcmp(v, fault.seen) == 0)
		return fault.kind;
	memcpy(fault.seen, v, strlen(v) + 1);
	fault.kind = FAULT_NONE;
	fault.count = 0;
	if (strcmp(v, "erofs") == 0) {
		fault.kind = FAULT_EROFS;
	} else if (strncmp(v, "enospc:", 7) == 0 && v[7] >= '0' &&
	    v[7] <= '9') {
		errno = 0;
		n = strtoul(v + 7, &end, 10);
		if (errno == 0 && *end == '\0' && n > 0) {
			fault.kind = FAULT_ENOSPC;
			fault.target = n;
		}
	}
	return fault.kind;
}

/* Count one write() or fsync(); true (errno ENOSPC) when it is to fail. */
static int
fault_hit(void)
{
	if (fault_get() != FAULT_ENOSPC)
		return 0;
	if (++fault.count != fault.target)
		return 0;
	errno = ENOSPC;
	return 1;
}

#else /* !PIGEON_TEST_HOOKS */

static enum fault_kind
fault_get(void)
{
	return FAULT_NONE;
}

static int
fault_hit(void)
{
	return 0;
}

#endif /* PIGEON_TEST_HOOKS */

/* fsync() of a message file, counted by the hook. */
static int
sync_file(int fd)
{
	int r;

	if (fault_hit())
		return -1;
	do
		r = fsync(fd);
	while (r < 0 && errno == EINTR);
	return r;
}

/*
 * fsync() of a directory, counted by the hook.  Some file systems cannot
 * sync a directory (EINVAL); they have nothing to sync then.
 */
static int
sync_dir(int fd)
{
	if (sync_file(fd) < 0 && errno != EINVAL)
		return -1;
	return 0;
}

/* --- small helpers ------------------------------------------------------ */

static enum err
bad_name(const char *name, char **errstr)
{
	char *v = mdname_vis(name != NULL ? name : "");

	util_seterr(errstr, _("invalid Maildir message name \"%s\""),
	    v != NULL ? v : "?");
	free(v);
	return ERR_USAGE;
}

static enum err
bad_flags(const char *flags, char **errstr)
{
	char *v = mdname_vis(flags);

	util_seterr(errstr, _("invalid Maildir flags \"%s\" (letters only)"),
	    v != NULL ? v : "?");
	free(v);
	return ERR_USAGE;
}

/* "PATH", "PATH/SUB" or "PATH/SUB/NAME" (sub < 0 for the first), malloc'd. */
static char *
subpath(const struct maildir *m, int sub, const char *name)
{
	if (sub < 0)
		return strdup(m->path);
	if (name == NULL)
		return util_strf("%s/%s", m->path, subdirs[sub]);
	return util_strf("%s/%s/%s", m->path, subdirs[sub], name);
}

/*
 * ERR_IO with *errstr = fmt filled with the path of sub/name and
 * strerror(err); fmt takes two %s.  ENOMEM gives ERR_NOMEM.
 */
static enum err
io_err(char **errstr, const char *fmt, const struct maildir *m, int sub,
    const char *name, int err)
{
	char *p = subpath(m, sub, name);

	util_seterr(errstr, fmt, p != NULL ? p : m->path, strerror(err));
	free(p);
	return err == ENOMEM ? ERR_NOMEM : ERR_IO;
}

static enum err
no_message(const struct maildir *m, const char *name, char **errstr)
{
	util_seterr(errstr, _("there is no message %s in %s"), name, m->path);
	return ERR_NOINPUT;
}

/* Take ownership of s (NULL means out of memory); 0 or -1. */
static int
strv_add(struct strv *a, char *s)
{
	char **nv;
	size_t cap;

	if (s == NULL)
		return -1;
	if (a->n == a->cap) {
		cap = a->cap == 0 ? 16 : 2 * a->cap;
		if (cap > SIZE_MAX / sizeof(*nv) ||
		    (nv = realloc(a->v, cap * sizeof(*nv))) == NULL) {
			free(s);
			return -1;
		}
		a->v = nv;
		a->cap = cap;
	}
	a->v[a->n++] = s;
	return 0;
}

/* A warning about the entry name in sub: "PATH/SUB/NAME: what". */
static int
strv_warn(struct strv *a, const struct maildir *m, int sub,
    const char *name, const char *what)
{
	char *p = subpath(m, sub, name), *v;
	int r;

	if (p == NULL)
		return -1;
	v = mdname_vis(p);
	free(p);
	if (v == NULL)
		return -1;
	r = strv_add(a, util_strf("%s: %s", v, what));
	free(v);
	return r;
}

/* Open sub for reading its entries, with a descriptor of its own. */
static DIR *
open_sub(const struct maildir *m, int sub)
{
	DIR *d;
	int fd;

	fd = openat(m->dirfd[sub], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if ((d = fdopendir(fd)) == NULL) {
		int saved = errno;

		(void)close(fd);
		errno = saved;
	}
	return d;
}

int
maildir_subfd(const struct maildir *m, int cur)
{
	return m->dirfd[cur ? D_CUR : D_NEW];
}

/* Is the directory entry e the message name, whatever its info part? */
static int
entry_is(const char *e, const char *name, size_t len)
{
	return strncmp(e, name, len) == 0 && (e[len] == '\0' || e[len] == ':');
}

/*
 * Where is the message name: *sub (D_NEW or D_CUR) and *entry, its file
 * name there (malloc'd); either may be NULL.  ERR_NOINPUT (with no
 * message set) when there is none.
 */
static enum err
locate(const struct maildir *m, const char *name, int *sub, char **entry,
    char **errstr)
{
	size_t len = strlen(name);
	struct dirent *de;
	struct stat st;
	DIR *d;
	int i, err;

	/* The usual case first: in new/ without flags, no directory scan. */
	if (fstatat(m->dirfd[D_NEW], name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode)) {
		if (sub != NULL)
			*sub = D_NEW;
		if (entry != NULL && (*entry = strdup(name)) == NULL)
			return ERR_NOMEM;
		return ERR_OK;
	}
	for (i = D_NEW; i <= D_CUR; i++) {
		if ((d = open_sub(m, i)) == NULL)
			return io_err(errstr, _("cannot read %s: %s"), m, i,
			    NULL, errno);
		for (;;) {
			errno = 0;
			if ((de = readdir(d)) == NULL)
				break;
			if (!entry_is(de->d_name, name, len))
				continue;
			if (sub != NULL)
				*sub = i;
			if (entry != NULL &&
			    (*entry = strdup(de->d_name)) == NULL) {
				(void)closedir(d);
				return ERR_NOMEM;
			}
			(void)closedir(d);
			return ERR_OK;
		}
		err = errno;
		(void)closedir(d);
		if (err != 0)
			return io_err(errstr, _("cannot read %s: %s"), m, i,
			    NULL, err);
	}
	return ERR_NOINPUT;
}

/* locate() for a name the caller gave: a bad name or none is an error. */
static enum err
find(const struct maildir *m, const char *name, int *sub, char **entry,
    char **errstr)
{
	enum err e;

	if (!mdname_ok(name))
		return bad_name(name, errstr);
	if ((e = locate(m, name, sub, entry, errstr)) == ERR_NOINPUT)
		return no_message(m, name, errstr);
	return e;
}

/* --- opening ------------------------------------------------------------ */

/*
 * Remove what crashes left in tmp/ (see maildir_open()).  This is
 * housekeeping: a file that cannot be examined or removed stays, and
 * opening goes on.
 */
static void
clean_tmp(struct maildir *m)
{
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	char *host = mdname_host();
	DIR *d;

	if (host == NULL || (d = open_sub(m, D_TMP)) == NULL) {
		free(host);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* Only our own leftovers: a link or another's file stays. */
		if (fstatat(m->dirfd[D_TMP], de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		if (now - st.st_mtime > STALE_SECONDS ||
		    mdname_dead(de->d_name, host))
			(void)unlinkat(m->dirfd[D_TMP], de->d_name, 0);
	}
	(void)closedir(d);
	free(host);
}

/* fsync the directory that holds path, after making an entry in it. */
static enum err
sync_parent(const struct maildir *m, char **errstr)
{
	char *parent, *slash;
	enum err e = ERR_OK;
	int fd;

	if ((parent = strdup(m->path)) == NULL)
		return ERR_NOMEM;
	slash = strrchr(parent, '/');
	if (slash == NULL)
		(void)snprintf(parent, strlen(parent) + 1, ".");
	else if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL)) {
		util_seterr(errstr, _("cannot save %s to disk: %s"), parent,
		    strerror(errno));
		e = ERR_IO;
	}
	if (fd >= 0)
		(void)close(fd);
	free(parent);
	return e;
}

enum err
maildir_open(struct maildir **out, const char *path, int create,
    char **errstr)
{
	struct maildir *m;
	size_t len;
	enum err e = ERR_NOMEM;
	int i, base = -1, made_dir = 0, made_sub = 0;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < D_COUNT; i++)
		m->dirfd[i] = -1;
	if ((m->path = strdup(path)) == NULL)
		goto fail;
	len = strlen(m->path);
	while (len > 1 && m->path[len - 1] == '/')
		m->path[--len] = '\0';
	if (len == 0) {
		util_seterr(errstr, _("empty Maildir folder name"));
		e = ERR_USAGE;
		goto fail;
	}
	/* Never through a link, and only a directory of this user's. */
	base = safefile_dir(AT_FDCWD, m->path, m->path, create, &made_dir, &e,
	    errstr);
	if (base < 0) {
		if (e == ERR_NOINPUT)
			util_seterr(errstr, _("there is no Maildir folder %s"),
			    m->path);
		goto fail;
	}
	for (i = 0; i < D_COUNT; i++) {
		char *sp = subpath(m, i, NULL);
		int made;

		if (sp == NULL) {
			e = ERR_NOMEM;
			goto fail;
		}
		m->dirfd[i] = safefile_dir(base, subdirs[i], sp, create, &made,
		    &e, errstr);
		free(sp);
		made_sub |= made;
		if (m->dirfd[i] < 0 && e == ERR_NOINPUT)
			util_seterr(errstr, _("%s is not a Maildir folder: it "
			    "has no %s/"), m->path, subdirs[i]);
		if (m->dirfd[i] < 0)
			goto fail;
	}
	/* What was made must survive a crash like the messages in it. */
	if (made_sub && fsync(base) < 0 && errno != EINVAL) {
		e = io_err(errstr, _("cannot save %s to disk: %s"), m, -1, NULL,
		    errno);
		goto fail;
	}
	if (made_dir && (e = sync_parent(m, errstr)) != ERR_OK)
		goto fail;
	(void)close(base);
	clean_tmp(m);
	*out = m;
	return ERR_OK;
fail:
	if (base >= 0)
		(void)close(base);
	maildir_close(m);
	return e;
}

void
maildir_close(struct maildir *m)
{
	int i;

	if (m == NULL)
		return;
	for (i = 0; i < D_COUNT; i++)
		if (m->dirfd[i] >= 0)
			(void)close(m->dirfd[i]);
	free(m->path);
	free(m);
}

const char *
maildir_path(const struct maildir *m)
{
	return m->path;
}

/* --- writing ------------------------------------------------------------ */

static void
tx_init(struct maildir_tx *tx)
{
	tx->fd = -1;
	tx->name = NULL;
	tx->tmpname = NULL;
	tx->replace = 0;
}

/* Create tmp/tx->tmpname for the message. */
static enum err
create_tmp(struct maildir *m, struct maildir_tx *tx, char **errstr)
{
	if (fault_get() == FAULT_EROFS) {
		return io_err(errstr, _("cannot create %s: %s"), m, D_TMP,
		    tx->tmpname, EROFS);
	}
	char *p = subpath(m, D_TMP, tx->tmpname);
	enum err e;

	if (p == NULL)
		return ERR_NOMEM;
	tx->fd = safefile_open(m->dirfd[D_TMP], tx->tmpname, p,
	    O_RDWR | O_CREAT | O_EXCL, &e, errstr);
	free(p);
	return tx->fd < 0 ? e : ERR_OK;
}

/* Undo a begin that failed half-way: tx as tx_init() left it. */
static void
tx_clear(struct maildir_tx *tx)
{
	free(tx->name);
	free(tx->tmpname);
	tx_init(tx);
}

enum err
maildir_begin(struct maildir *m, const char *name, struct maildir_tx *tx,
    char **errstr)
{
	enum err e;

	tx_init(tx);
	if (name != NULL && !mdname_ok(name))
		return bad_name(name, errstr);
	tx->name = name != NULL ? strdup(name) : mdname_unique();
	if (tx->name == NULL || (tx->tmpname = strdup(tx->name)) == NULL) {
		tx_clear(tx);
		return ERR_NOMEM;
	}
	if ((e = create_tmp(m, tx, errstr)) != ERR_OK)
		tx_clear(tx);
	return e;
}

ssize_t
maildir_write(struct maildir_tx *tx, const void *p, size_t n)
{
	const char *s = p;
	size_t left = n;
	ssize_t w;

	if (n > SSIZE_MAX) {
		errno = EINVAL;
		return -1;
	}
	while (left > 0) {
		if (fault_hit())
			return -1;
		w = write(tx->fd, s, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			/* Nothing written and no reason given: do not spin. */
			errno = EIO;
			return -1;
		}
		s += w;
		left -= (size_t)w;
	}
	return (ssize_t)n;
}

/* ERR_IO (EEXIST) for target in sub: the message is there already as entry. */
static enum err
exists_err(struct maildir *m, int sub, const char *target, int esub,
    const char *entry, char **errstr)
{
	char *want, *have;

	if (esub == sub && strcmp(entry, target) == 0)
		return io_err(errstr, _("cannot create %s: %s"), m, sub,
		    target, EEXIST);
	want = subpath(m, sub, target);
	have = subpath(m, esub, entry);
	if (want == NULL || have == NULL) {
		free(want);
		free(have);
		return ERR_NOMEM;
	}
	util_seterr(errstr, _("cannot create %s: %s (as %s)"), want,
	    strerror(EEXIST), have);
	free(want);
	free(have);
	return ERR_IO;
}

/* Could link() not work here because the file system has no hard links? */
static int
no_links(int err)
{
	return err == EPERM || err == ENOSYS || err == EOPNOTSUPP ||
	    err == ENOTSUP || err == EMLINK;
}

enum err
maildir_commit(struct maildir *m, struct maildir_tx *tx, const char *flags,
    char **errstr)
{
	char info[MDNAME_INFO_MAX], *target = NULL, *entry = NULL;
	enum err e;
	int sub = flags != NULL ? D_CUR : D_NEW, esub = D_NEW, linked = 1;
	int err;

	if (tx->replace || tx->fd < 0 || tx->tmpname == NULL) {
		util_seterr(errstr, _("internal error: no message is being "
		    "written"));
		return ERR_USAGE;
	}
	if (flags != NULL && mdname_info(flags, info) < 0)
		return bad_flags(flags, errstr);
	target = flags != NULL ? util_strf("%s%s", tx->name, info) :
	    strdup(tx->name);
	if (target == NULL)
		return ERR_NOMEM;
	e = locate(m, tx->name, &esub, &entry, errstr);
	if (e == ERR_OK) {
		e = exists_err(m, sub, target, esub, entry, errstr);
		goto out;
	}
	if (e != ERR_NOINPUT)
		goto out;
	if (sync_file(tx->fd) < 0) {
		e = io_err(errstr, _("cannot write %s: %s"), m, D_TMP,
		    tx->tmpname, errno);
		goto out;
	}
	/*
	 * link() fails where the name exists, so a message never replaces
	 * another; the rename fallback relies on the look above.
	 */
	if (linkat(m->dirfd[D_TMP], tx->tmpname, m->dirfd[sub], target,
	    0) < 0) {
		err = errno;
		if (!no_links(err)) {
			e = io_err(errstr, _("cannot create %s: %s"), m, sub,
			    target, err);
			goto out;
		}
		if (renameat(m->dirfd[D_TMP], tx->tmpname, m->dirfd[sub],
		    target) < 0) {
			e = io_err(errstr, _("cannot create %s: %s"), m, sub,
			    target, errno);
			goto out;
		}
		linked = 0;
	}
	if (sync_dir(m->dirfd[sub]) < 0) {
		err = errno;
		/*
		 * Not known to be on disk: take it back, so that a failed
		 * commit never leaves a message the caller thinks is not
		 * there.
		 */
		if (linked)
			(void)unlinkat(m->dirfd[sub], target, 0);
		else
			(void)renameat(m->dirfd[sub], target, m->dirfd[D_TMP],
			    tx->tmpname);
		e = io_err(errstr, _("cannot save %s to disk: %s"), m, sub,
		    NULL, err);
		goto out;
	}
	/*
	 * The message is committed.  Should the tmp/ name stay behind, the
	 * next maildir_open() after this process ends removes it.
	 */
	if (linked)
		(void)unlinkat(m->dirfd[D_TMP], tx->tmpname, 0);
	/* The data is on disk already; close() has nothing left to report. */
	(void)close(tx->fd);
	tx->fd = -1;
	free(tx->tmpname);
	tx->tmpname = NULL;
	e = ERR_OK;
out:
	free(target);
	free(entry);
	return e;
}

void
maildir_abort(struct maildir *m, struct maildir_tx *tx)
{
	if (tx->fd >= 0)
		(void)close(tx->fd);
	tx->fd = -1;
	if (tx->tmpname != NULL && m != NULL)
		(void)unlinkat(m->dirfd[D_TMP], tx->tmpname, 0);
	free(tx->tmpname);
	tx->tmpname = NULL;
	tx->replace = 0;
}

enum err
maildir_replace_begin(struct maildir *m, const char *name,
    struct maildir_tx *tx, char **errstr)
{
	enum err e;

	tx_init(tx);
	if ((e = find(m, name, NULL, NULL, errstr)) != ERR_OK)
		return e;
	/* A fresh name in tmp/, carrying this process's pid. */
	if ((tx->name = strdup(name)) == NULL ||
	    (tx->tmpname = mdname_unique()) == NULL) {
		tx_clear(tx);
		return ERR_NOMEM;
	}
	if ((e = create_tmp(m, tx, errstr)) != ERR_OK) {
		tx_clear(tx);
		return e;
	}
	tx->replace = 1;
	return ERR_OK;
}

enum err
maildir_replace_commit(struct maildir *m, struct maildir_tx *tx,
    char **errstr)
{
	char *entry = NULL, *what;
	enum err e;
	int sub = D_NEW;

	if (!tx->replace || tx->fd < 0 || tx->tmpname == NULL) {
		util_seterr(errstr, _("internal error: no message is being "
		    "replaced"));
		return ERR_USAGE;
	}
	if ((e = locate(m, tx->name, &sub, &entry, errstr)) == ERR_NOINPUT)
		return no_message(m, tx->name, errstr);
	if (e != ERR_OK)
		return e;
	if (sync_file(tx->fd) < 0) {
		e = io_err(errstr, _("cannot write %s: %s"), m, D_TMP,
		    tx->tmpname, errno);
		goto out;
	}
	if (renameat(m->dirfd[D_TMP], tx->tmpname, m->dirfd[sub],
	    entry) < 0) {
		e = io_err(errstr, _("cannot replace %s: %s"), m, sub, entry,
		    errno);
		goto out;
	}
	free(tx->tmpname);
	tx->tmpname = NULL;
	(void)close(tx->fd);
	tx->fd = -1;
	tx->replace = 0;
	if (sync_dir(m->dirfd[sub]) < 0) {
		e = io_err(errstr, _("cannot save %s to disk: %s"), m, sub,
		    NULL, errno);
		if ((what = subpath(m, sub, entry)) != NULL && errstr != NULL &&
		    *errstr != NULL) {
			char *s = util_strf(_("%s (%s has the new content)"),
			    *errstr, what);

			if (s != NULL) {
				free(*errstr);
				*errstr = s;
			}
		}
		free(what);
	}
out:
	free(entry);
	return e;
}

/* --- reading ------------------------------------------------------------ */

enum err
maildir_find(const struct maildir *m, const char *name, char **path,
    char **errstr)
{
	char *entry = NULL;
	enum err e;
	int sub = D_NEW;

	*path = NULL;
	if ((e = find(m, name, &sub, &entry, errstr)) != ERR_OK)
		return e;
	*path = subpath(m, sub, entry);
	free(entry);
	return *path != NULL ? ERR_OK : ERR_NOMEM;
}

enum err
maildir_open_msg(const struct maildir *m, const char *name, int *fd,
    char **errstr)
{
	char *entry, *path;
	enum err e;
	int sub = D_NEW, tries;

	*fd = -1;
	/* Another program may rename it (new/ to cur/, new flags) meanwhile. */
	for (tries = 0; tries < OPEN_TRIES; tries++) {
		entry = NULL;
		if ((e = find(m, name, &sub, &entry, errstr)) != ERR_OK)
			return e;
		if ((path = subpath(m, sub, entry)) == NULL) {
			free(entry);
			return ERR_NOMEM;
		}
		/* A link there is refused, never followed: see safefile.h. */
		*fd = safefile_open(m->dirfd[sub], entry, path, O_RDONLY, &e,
		    errstr);
		free(path);
		free(entry);
		if (*fd >= 0)
			return ERR_OK;
		if (e != ERR_NOINPUT)
			return e;
	}
	return no_message(m, name, errstr);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the messages of sub to names, and what is skipped to warn; 0 or ERR_*. */
static enum err
list_sub(const struct maildir *m, int sub, struct strv *names,
    struct strv *warn, char **errstr)
{
	struct dirent *de;
	struct stat st;
	const char *why;
	size_t len, i;
	DIR *d;
	int err;

	if ((d = open_sub(m, sub)) == NULL)
		return io_err(errstr, _("cannot read %s: %s"), m, sub, NULL,
		    errno);
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		why = NULL;
		len = strcspn(de->d_name, ":");
		for (i = 0; i < len; i++)
			if ((unsigned char)de->d_name[i] < 0x20 ||
			    de->d_name[i] == 0x7f)
				break;
		if (de->d_name[0] == '.') {
			why = _("skipped: the name starts with '.'");
		} else if (len == 0 || i < len) {
			why = _("skipped: not a Maildir message name");
		} else if (fstatat(m->dirfd[sub], de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) != 0) {
			/* Gone meanwhile (moved by someone): not an error. */
			if (errno == ENOENT)
				continue;
			why = _("skipped: cannot examine it");
		} else if (!S_ISREG(st.st_mode)) {
			why = _("skipped: not a regular file");
		} else if (st.st_uid != geteuid()) {
			why = _("skipped: it belongs to another user");
		}
		if (why != NULL) {
			if (strv_warn(warn, m, sub, de->d_name, why) < 0)
				goto nomem;
			continue;
		}
		if (strv_add(names, strndup(de->d_name, len)) < 0)
			goto nomem;
	}
	err = errno;
	(void)closedir(d);
	if (err != 0)
		return io_err(errstr, _("cannot read %s: %s"), m, sub, NULL,
		    err);
	return ERR_OK;
nomem:
	(void)closedir(d);
	return ERR_NOMEM;
}

enum err
maildir_list(const struct maildir *m, char ***names, size_t *n,
    char ***warnings, size_t *nwarn, char **errstr)
{
	struct strv v = { NULL, 0, 0 }, w = { NULL, 0, 0 };
	enum err e;
	size_t i, k;
	char *msg;

	*names = NULL;
	*n = 0;
	*warnings = NULL;
	*nwarn = 0;
	if ((e = list_sub(m, D_NEW, &v, &w, errstr)) != ERR_OK ||
	    (e = list_sub(m, D_CUR, &v, &w, errstr)) != ERR_OK)
		goto fail;
	if (v.n > 1)
		qsort(v.v, v.n, sizeof(*v.v), cmp_str);
	/* One message under two file names: list it once, and say so. */
	for (i = k = 0; i < v.n; i++) {
		if (k > 0 && strcmp(v.v[k - 1], v.v[i]) == 0) {
			msg = util_strf(_("%s: message %s is there more than "
			    "once"), m->path, v.v[i]);
			free(v.v[i]);
			if (strv_add(&w, msg) < 0) {
				/* Close the gap so that all is freed once. */
				for (i++; i < v.n; i++)
					v.v[k++] = v.v[i];
				v.n = k;
				e = ERR_NOMEM;
				goto fail;
			}
			continue;
		}
		v.v[k++] = v.v[i];
	}
	v.n = k;
	*names = v.v;
	*n = v.n;
	*warnings = w.v;
	*nwarn = w.n;
	return ERR_OK;
fail:
	maildir_free_list(v.v, v.n);
	maildir_free_list(w.v, w.n);
	return e;
}

void
maildir_free_list(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* --- moving and removing ------------------------------------------------ */

enum err
maildir_move(struct maildir *from, const char *name, struct maildir *to,
    const char *flags, char **errstr)
{
	char info[MDNAME_INFO_MAX], *entry = NULL, *target = NULL, *have = NULL;
	char *src = NULL, *dst = NULL;
	enum err e;
	int sub = D_NEW, tsub = flags != NULL ? D_CUR : D_NEW, esub = D_NEW;
	int err;

	if (!mdname_ok(name))
		return bad_name(name, errstr);
	if (flags != NULL && mdname_info(flags, info) < 0)
		return bad_flags(flags, errstr);
#ifdef RENAME_NOREPLACE
	/*
	 * A lazy move (queue flush) of a message in new/, the usual case: one
	 * call, which also refuses to replace a message of that name.
	 */
	if (from != to && (from->lazy || to->lazy) &&
	    (target = util_strf("%s%s", name, flags != NULL ? info : "")) !=
	    NULL) {
		if (renameat2(from->dirfd[D_NEW], name, to->dirfd[tsub], target,
		    RENAME_NOREPLACE) == 0) {
			free(target);
			return ERR_OK;
		}
		err = errno;
		if (err == EEXIST) {
			e = exists_err(to, tsub, target, tsub, target, errstr);
			free(target);
			return e;
		}
		/* Not in new/, or a file system without it: the long way. */
		free(target);
		target = NULL;
	}
#endif
	if ((e = locate(from, name, &sub, &entry, errstr)) == ERR_NOINPUT)
		return no_message(from, name, errstr);
	if (e != ERR_OK)
		return e;
	target = flags != NULL ? util_strf("%s%s", name, info) : strdup(name);
	if (target == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	/*
	 * Within one folder the only message of that name is this one.  A
	 * lazy folder (sent/, while a queue is flushed) may be large: only
	 * the exact target name is looked for there, which unique names make
	 * enough.
	 */
	if (from != to && to->lazy) {
		struct stat st;

		if (fstatat(to->dirfd[tsub], target, &st,
		    AT_SYMLINK_NOFOLLOW) == 0) {
			e = exists_err(to, tsub, target, tsub, target, errstr);
			goto out;
		}
	} else if (from != to) {
		e = locate(to, name, &esub, &have, errstr);
		if (e == ERR_OK)
			e = exists_err(to, tsub, target, esub, have, errstr);
		if (e != ERR_NOINPUT)
			goto out;
	}
	if (renameat(from->dirfd[sub], entry, to->dirfd[tsub], target) < 0) {
		err = errno;
		src = subpath(from, sub, entry);
		dst = subpath(to, tsub, target);
		if (src == NULL || dst == NULL) {
			e = ERR_NOMEM;
			goto out;
		}
		util_seterr(errstr, _("cannot move %s to %s: %s"), src, dst,
		    strerror(err));
		e = ERR_IO;
		goto out;
	}
	/* The message is in to now, whatever the syncs say. */
	e = ERR_OK;
	if (to->lazy || from->lazy)
		goto out;
	if (sync_dir(to->dirfd[tsub]) < 0)
		e = io_err(errstr, _("cannot save %s to disk: %s"), to, tsub,
		    NULL, errno);
	if (sync_dir(from->dirfd[sub]) < 0 && e == ERR_OK)
		e = io_err(errstr, _("cannot save %s to disk: %s"), from, sub,
		    NULL, errno);
out:
	free(entry);
	free(target);
	free(have);
	free(src);
	free(dst);
	return e;
}

enum err
maildir_link(struct maildir *from, const char *name, struct maildir *to,
    const char *flags, char **errstr)
{
	char info[MDNAME_INFO_MAX], *entry = NULL, *target = NULL, *have = NULL;
	struct maildir_tx tx;
	enum err e;
	int sub = D_NEW, esub = D_NEW, fd = -1, tsub = flags != NULL ? D_CUR :
	    D_NEW;
	char blk[65536];
	ssize_t n;

	if (!mdname_ok(name))
		return bad_name(name, errstr);
	if (flags != NULL && mdname_info(flags, info) < 0)
		return bad_flags(flags, errstr);
	if ((e = locate(to, name, &esub, &have, errstr)) != ERR_NOINPUT) {
		/* There already: nothing to do. */
		free(have);
		return e;
	}
	if ((e = locate(from, name, &sub, &entry, errstr)) == ERR_NOINPUT)
		return no_message(from, name, errstr);
	if (e != ERR_OK)
		return e;
	target = flags != NULL ? util_strf("%s%s", name, info) : strdup(name);
	if (target == NULL) {
		free(entry);
		return ERR_NOMEM;
	}
	if (linkat(from->dirfd[sub], entry, to->dirfd[tsub], target, 0) == 0) {
		e = sync_dir(to->dirfd[tsub]) < 0 ? io_err(errstr,
		    _("cannot save %s to disk: %s"), to, tsub, NULL, errno) :
		    ERR_OK;
		goto out;
	}
	if (!no_links(errno)) {
		e = io_err(errstr, _("cannot link a message into %s: %s"), to,
		    tsub, NULL, errno);
		goto out;
	}
	/* No hard links here: a copy, written the durable way. */
	if ((e = maildir_open_msg(from, name, &fd, errstr)) != ERR_OK ||
	    (e = maildir_begin(to, name, &tx, errstr)) != ERR_OK)
		goto out;
	while ((n = read(fd, blk, sizeof(blk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || maildir_write(&tx, blk, (size_t)n) < 0) {
			e = io_err(errstr, _("cannot copy a message into %s: %s"),
			    to, tsub, NULL, errno);
			maildir_abort(to, &tx);
			free(tx.name);
			goto out;
		}
	}
	if ((e = maildir_commit(to, &tx, flags, errstr)) != ERR_OK)
		maildir_abort(to, &tx);
	free(tx.name);
out:
	if (fd >= 0)
		(void)close(fd);
	free(entry);
	free(target);
	return e;
}

enum err
maildir_remove(struct maildir *m, const char *name, char **errstr)
{
	char *entry = NULL;
	enum err e;
	int sub = D_NEW;

	if ((e = find(m, name, &sub, &entry, errstr)) != ERR_OK)
		return e;
	if (unlinkat(m->dirfd[sub], entry, 0) < 0)
		e = io_err(errstr, _("cannot remove %s: %s"), m, sub, entry,
		    errno);
	else if (sync_dir(m->dirfd[sub]) < 0)
		e = io_err(errstr, _("cannot save %s to disk: %s"), m, sub,
		    NULL, errno);
	free(entry);
	return e;
}

void
maildir_lazy_sync(struct maildir *m, int on)
{
	m->lazy = on;
}

enum err
maildir_sync(struct maildir *m, char **errstr)
{
	int i;

	for (i = D_NEW; i <= D_CUR; i++)
		if (sync_dir(m->dirfd[i]) < 0)
			return io_err(errstr, _("cannot save %s to disk: %s"), m,
			    i, NULL, errno);
	return ERR_OK;
}
