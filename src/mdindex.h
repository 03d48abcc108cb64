/* mdindex.h - the messages of a big Maildir folder for a reader: listed once, newest first, without a look at each file, each opened where it lies. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MDINDEX_H
#define PIGEON_MDINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "maildir.h"

/*
 * A list of the messages of new/ and cur/ for showing them: a folder of
 * 100,000 messages is listed in tens of milliseconds.  Unlike
 * maildir_list(), nothing is examined but the directory entries (their
 * type where the file system gives it): a link, another user's file or
 * anything else unsafe is refused when it is opened (mdindex_open(),
 * which goes through safefile.h), not when it is listed.  The names sit
 * in one block of memory, a few dozen bytes a message.
 */
struct mdindex {
	char *names;               /* the file names, each NUL-ended */
	size_t len, cap;
	struct mdindex_ent *v;
	size_t n, vcap;
};

struct mdindex_ent {
	uint64_t key;              /* its order: the seconds of its name * 10^6 + the microseconds */
	uint32_t off;              /* the file name at names + off */
	uint16_t ulen;             /* its unique part: up to the ':' */
	uint8_t cur;               /* in cur/ (else new/) */
};

/* List m into ix (empty it first with mdindex_free()); ERR_OK, ERR_NOMEM or ERR_IO with *errstr. */
enum err mdindex_load(const struct maildir *m, struct mdindex *ix,
    char **errstr);
void mdindex_free(struct mdindex *ix);
/*
 * mdindex_load() through a cache file name in the directory cachefd (-1:
 * none): when the modification times of new/ and cur/ are those the
 * cache was written with, the list is read from it (no directory scan,
 * no sort); else it is made and written there for the next time -- but
 * not when new/ or cur/ changed in the last two seconds (a change in the
 * same clock tick would not show in the times: "racy git").  A cache
 * that cannot be read or written is only a slower start.
 */
enum err mdindex_load_cached(const struct maildir *m, struct mdindex *ix,
    int cachefd, const char *name, char **errstr);
/*
 * The newest messages only, from the first block of a cache that is
 * up to date (ERR_NOINPUT when there is none): what a first screen
 * shows, before mdindex_load_cached() reads the rest.  *total: how many
 * the folder holds.
 */
enum err mdindex_load_head(const struct maildir *m, struct mdindex *ix,
    int cachefd, const char *name, size_t *total);
/* The file name of message i, and its unique part (what maildir_*() take) into id[0..idlen). */
const char *mdindex_file(const struct mdindex *ix, size_t i);
int mdindex_id(const struct mdindex *ix, size_t i, char *id, size_t idlen);
/*
 * Open message i for reading where it was listed; moved meanwhile (new/
 * to cur/, other flags), it is looked for by its name.  As
 * maildir_open_msg().
 */
enum err mdindex_open(const struct maildir *m, const struct mdindex *ix,
    size_t i, int *fd, char **errstr);

#endif
