/* confedit.h - change the config file as a person would: one account's lines, everything else kept. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_CONFEDIT_H
#define PIGEON_CONFEDIT_H

#include <stddef.h>

#include "err.h"

/*
 * Set keys[i] = values[i] in the section "[account name]" of the config
 * file path (the format of pigeon.conf(5)).  A missing file is created
 * (mode 0600), a missing section is added at the end.  A key already in
 * the section has its line replaced where it stands; a new key goes after
 * the section's last setting; a NULL value removes the key's lines.
 * Comments, blank lines, other sections, unknown keys: all kept as they
 * are.  Values are quoted when the format needs it.  The file is replaced
 * atomically (written beside it, synced, renamed) and keeps mode 0600.
 * ERR_DATA for a value or name that cannot be written (a line break or
 * other control character, ']' in a name); ERR_IO with *errstr.
 */
enum err confedit_set(const char *path, const char *name,
    const char *const *keys, const char *const *values, size_t n,
    char **errstr);

/* Remove the section "[account name]" and its lines; ERR_NOINPUT when there is none. */
enum err confedit_remove(const char *path, const char *name, char **errstr);

/*
 * Make name the default account: "default = name" before the first
 * section, replacing an existing one.
 */
enum err confedit_default(const char *path, const char *name, char **errstr);

#endif
