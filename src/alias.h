/* alias.h - mutt alias files: short names for addresses, for completing and expanding what the user types. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_ALIAS_H
#define PIGEON_ALIAS_H

#include <stddef.h>

#include "addr.h"
#include "buf.h"
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

/*
 * An aliases file as /etc/aliases and msmtp's "aliases" write it: lines
 * "name: address, address", an entry going on over lines that start
 * with a blank, "#" comments, blank lines.  The entry "default" is kept
 * like any other (alias_resolve() gives it its meaning).  A missing file
 * gives an empty table; ERR_IO, ERR_DATA ("file:line: ..."), ERR_NOMEM.
 */
enum err alias_load_system(struct aliases **out, const char *path,
    char **errstr);

/* The value of key (any case) in a (NULL: none), or NULL. */
const char *alias_lookup(const struct aliases *a, const char *key);

/* Where a recipient without a domain ("root", as cron gives it) is looked up. */
struct alias_sources {
	const struct aliases *sys;   /* sendmail_aliases; NULL: none */
	const struct aliases *mutt;  /* the account's aliases; NULL: none */
	const char *domain;          /* qualify_domain; NULL: none */
	int no_alias;                /* sendmail -n: no alias lookup */
};

/*
 * The addresses of recipient name, appended to out: an address with a
 * domain as it is; a name found in sys, else in mutt, replaced by its
 * addresses, these resolved again (a name met again on the way, "root:
 * root", is not looked up again); a name found in neither takes the
 * "default" entry of sys when there is one, as msmtp's aliases do; what
 * is left gets "@domain".  Each step adds a line to notes (NULL: none),
 * for the transcript: a domain is never added silently.  ERR_CONFIG when
 * a name is left and there is no domain (*errstr names the keys to set),
 * ERR_DATA when an alias leads to a command or file ("|prog", "/file",
 * ":include:") or nests deeper than 10 levels, ERR_NOMEM.
 */
enum err alias_resolve(const struct alias_sources *src, const char *name,
    struct addr_list *out, struct buf *notes, char **errstr);

#endif
