/* drafts.h - drafts in the drafts/ Maildir: saved atomically, loaded, listed, deleted. */
#ifndef PIGEON_DRAFTS_H
#define PIGEON_DRAFTS_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "maildir.h"

/*
 * Save p[0..n) as a draft.  *id NULL: a new draft, *id becomes its id
 * (malloc'd); else the draft *id is replaced as a whole, atomically: a
 * crash leaves the old draft or the new one, never a mix.  New drafts
 * carry the Maildir flag D.  ERR_IO (a full disk, say) leaves what was
 * there before.
 */
enum err drafts_save(struct maildir *md, char **id, const char *p, size_t n,
    char **errstr);
/* Append the draft id to out.  ERR_NOINPUT when there is none. */
enum err drafts_load(struct maildir *md, const char *id, struct buf *out,
    char **errstr);
/* The ids, oldest first; files that are no draft are skipped (see maildir_list). */
enum err drafts_list(struct maildir *md, char ***ids, size_t *n,
    char **errstr);
enum err drafts_delete(struct maildir *md, const char *id, char **errstr);

#endif
