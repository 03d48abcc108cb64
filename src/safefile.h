/* safefile.h - open the files and directories of the data folder without following links: a private file of this user, or a refusal in plain words. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SAFEFILE_H
#define PIGEON_SAFEFILE_H

#include "err.h"

/*
 * Everything in pigeon's data folder (drafts/, outbox/, sent/, failed/,
 * queue/, log/) is opened through here.  A symbolic link put in place of
 * a queued message would otherwise make pigeon send the file it points
 * to, and one in place of log/index would have the log written through
 * it; so nothing there is opened through a link, and only what belongs
 * to this user (effective uid) is used.  What is refused is left exactly
 * as it is -- never read, written, sent or deleted -- and described in
 * *errstr: what was found, where, and what to do about it.
 *
 * Errors: ERR_UNSAFE (a symbolic link, something that is not a regular
 * file or directory, one of another user, a directory others may write
 * to); ERR_NOINPUT (nothing there, and no O_CREAT); ERR_NOMEM; ERR_IO
 * (the system's reason, with the path).  *errstr is malloc'd when errstr
 * is not NULL; the caller frees it.
 */

/*
 * Open name in the directory dirfd (AT_FDCWD: name is a path; then only
 * its last component must not be a link), shown as path in messages.
 * flags: O_RDONLY, O_WRONLY or O_RDWR, with any of O_CREAT, O_EXCL,
 * O_APPEND and O_TRUNC; O_NOFOLLOW, O_CLOEXEC and O_NOCTTY are added, a
 * file made has mode 0600, and a FIFO never blocks the open.  The
 * descriptor, or -1 with *e set.
 */
int safefile_open(int dirfd, const char *name, const char *path, int flags,
    enum err *e, char **errstr);

/*
 * The directory name in dirfd (as above), made with mode 0700 when
 * create is set and it is missing, open for *at() calls (O_DIRECTORY,
 * O_NOFOLLOW, O_CLOEXEC): it must be this user's and not writable by
 * group or others.  *made (may be NULL) says whether it was made now.
 * The descriptor, or -1 with *e set (ERR_NOINPUT: missing, no create).
 */
int safefile_dir(int dirfd, const char *name, const char *path, int create,
    int *made, enum err *e, char **errstr);

/*
 * The checks of safefile_dir() on a directory already open (the data
 * folder itself, which may be reached through a link of the user's):
 * ERR_OK or ERR_UNSAFE (with *errstr), ERR_IO.
 */
enum err safefile_check_dir(int fd, const char *path, char **errstr);

#endif
