/* alias.h - mutt alias files: short names for addresses, for completing and expanding what the user types. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_ALIAS_H
#define PIGEON_ALIAS_H

#include <stddef.h>

#include "err.h"

/*
 * The lines "alias KEY ADDRESS[, ADDRESS...]" of a mutt alias file
 * ("alias -group NAME KEY ..." too; the group is not kept).  Other lines,
 * blank ones and "#" comments are skipped; a value may end in a "#"
 * comment.  Keys compare without regard to case.
 */
struct aliases;

/*
 * Read path; a missing file gives an empty table.  ERR_IO (unreadable),
 * ERR_DATA (a line that starts "alias" but has no key or no address,
 * naming file and line), ERR_NOMEM, with *errstr.
 */
enum err alias_load(struct aliases **out, const char *path, char **errstr);
void alias_free(struct aliases *a);
size_t alias_count(const struct aliases *a);

/*
 * Tab on an address list being typed: its last element (after the last
 * comma) as the start of a key.  One key starts so, or the element is a
 * key: the element becomes that alias's addresses.  Several: it becomes
 * the longest start they share, when that is longer.  Returns the whole
 * new text (malloc'd), or NULL when there is nothing to add.
 */
char *alias_complete(const struct aliases *a, const char *text);

/*
 * Every element of the address list text that is a key (no "@", no
 * angle brackets) replaced by its addresses, as mutt does on sending.
 * Returns the new text (malloc'd; a copy when nothing changed), NULL for
 * want of memory.
 */
char *alias_expand(const struct aliases *a, const char *text);

#endif
