/* safefile.c - open the files and directories of the data folder without following links: a private file of this user, or a refusal in plain words. */
/* SPDX-License-Identifier: ISC */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

/* What st is, for a sentence: "a symbolic link", "a directory", ... */
static const char *
kind(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return _("a symbolic link");
	if (S_ISDIR(st->st_mode))
		return _("a directory");
	if (S_ISREG(st->st_mode))
		return _("a regular file");
	if (S_ISFIFO(st->st_mode))
		return _("a FIFO");
	if (S_ISSOCK(st->st_mode))
		return _("a socket");
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return _("a device");
	return _("something unknown");
}

static enum err
refuse_kind(const char *path, const struct stat *st, int dir,
    char **errstr)
{
	if (dir)
		util_seterr(errstr, _("refusing %s: it is %s, where pigeon "
		    "keeps a directory of its own; it is left as it is: "
		    "remove it, or put the real directory there (only the data "
		    "folder itself may be a link)"), path, kind(st));
	else
		util_seterr(errstr, _("refusing %s: it is %s, where pigeon "
		    "keeps a regular file of its own; it is left as it is, "
		    "neither read nor sent: remove it, or put the real file "
		    "there"), path, kind(st));
	return ERR_UNSAFE;
}

static enum err
refuse_owner(const char *path, const struct stat *st, char **errstr)
{
	util_seterr(errstr, _("refusing %s: it belongs to another user (uid "
	    "%ld), not to you (uid %ld); it is left as it is, neither read "
	    "nor sent: find out who put it there, then remove it"), path,
	    (long)st->st_uid, (long)geteuid());
	return ERR_UNSAFE;
}

static enum err
sys_err(const char *what, const char *path, int err, char **errstr)
{
	util_seterr(errstr, what, path, strerror(err));
	return err == ENOMEM ? ERR_NOMEM : err == ENOENT ? ERR_NOINPUT :
	    ERR_IO;
}

/*
 * An open or mkdir of name failed with err: is something of the wrong
 * kind there (a link, a FIFO, a socket, a file where a directory
 * belongs)?  ERR_UNSAFE then, else the system's error.
 */
static enum err
open_failed(int dirfd, const char *name, const char *path, int dir, int err,
    char **errstr)
{
	struct stat st;

	if (err != ENOENT && err != ENOMEM &&
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (S_ISLNK(st.st_mode) || (dir ? !S_ISDIR(st.st_mode) &&
	    !S_ISREG(st.st_mode) : !S_ISREG(st.st_mode))))
		return refuse_kind(path, &st, dir, errstr);
	return sys_err(_("cannot open %s: %s"), path, err, errstr);
}

int
safefile_open(int dirfd, const char *name, const char *path, int flags,
    enum err *e, char **errstr)
{
	struct stat st;
	int fd, err;

	/* O_NONBLOCK: a FIFO put there must not hang the open. */
	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK, 0600);
	if (fd < 0) {
		*e = open_failed(dirfd, name, path, 0, errno, errstr);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err = errno;
		(void)close(fd);
		*e = sys_err(_("cannot open %s: %s"), path, err, errstr);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		(void)close(fd);
		*e = !S_ISREG(st.st_mode) ? refuse_kind(path, &st, 0, errstr) :
		    refuse_owner(path, &st, errstr);
		return -1;
	}
	/*
	 * F_SETFL sets only the status flags: of those asked for, O_APPEND
	 * is the one to keep (no F_GETFL needed: a system call per file).
	 */
	if (fcntl(fd, F_SETFL, flags & O_APPEND) < 0) {
		err = errno;
		(void)close(fd);
		*e = sys_err(_("cannot open %s: %s"), path, err, errstr);
		return -1;
	}
	*e = ERR_OK;
	return fd;
}

enum err
safefile_check_dir(int fd, const char *path, char **errstr)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return sys_err(_("cannot open %s: %s"), path, errno, errstr);
	if (!S_ISDIR(st.st_mode))
		return refuse_kind(path, &st, 1, errstr);
	if (st.st_uid != geteuid()) {
		util_seterr(errstr, _("refusing the directory %s: it belongs "
		    "to another user (uid %ld), not to you (uid %ld); find out "
		    "who made it, then remove it"), path, (long)st.st_uid,
		    (long)geteuid());
		return ERR_UNSAFE;
	}
	/* Others could put links in it: just what all this keeps out. */
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		util_seterr(errstr, _("refusing the directory %s: others may "
		    "write to it (mode %04o); make it yours alone with "
		    "\"chmod 700 %s\""), path, (unsigned)(st.st_mode & 07777),
		    path);
		return ERR_UNSAFE;
	}
	return ERR_OK;
}

int
safefile_dir(int dirfd, const char *name, const char *path, int create,
    int *made, enum err *e, char **errstr)
{
	int fd;

	if (made != NULL)
		*made = 0;
	if (create) {
		if (mkdirat(dirfd, name, 0700) == 0) {
			if (made != NULL)
				*made = 1;
		} else if (errno != EEXIST) {
			*e = sys_err(_("cannot create %s: %s"), path, errno,
			    errstr);
			return -1;
		}
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0) {
		*e = open_failed(dirfd, name, path, 1, errno, errstr);
		return -1;
	}
	if ((*e = safefile_check_dir(fd, path, errstr)) != ERR_OK) {
		(void)close(fd);
		return -1;
	}
	return fd;
}
