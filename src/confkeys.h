/* confkeys.h - the settings of an account: each key's name and kind, the check and storing of a value, and what to say of a key pigeon does not know. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_CONFKEYS_H
#define PIGEON_CONFKEYS_H

#include <stddef.h>

#include "buf.h"
#include "conf.h"

/*
 * The keys of an [account NAME] section, as conf.c parses them (the file
 * format is described there, the keys in pigeon.conf(5)).  A key is
 * found by name without regard to case; its slot (0 .. confkey_count()
 * - 1) lets the parser remember where each was set.
 */
struct conf_key;

size_t confkey_count(void);
/* The key called name, or NULL; *slot (may be NULL) gets its slot. */
const struct conf_key *confkey_find(const char *name, size_t *slot);
const char *confkey_name(const struct conf_key *k);
/*
 * Is the value v of k a secret (a file holding it must be private)?
 * password, and a proxy URL with a password in it.
 */
int confkey_secret(const struct conf_key *k, const char *v);

/*
 * Check v as key k takes it and store it, converted, in a (an empty
 * value removes a text setting); tmp is scratch space.  0, or -1 with
 * *why the reason (translated, without the file and line), or *why NULL
 * when memory ran out.
 */
int confkey_set(struct account *a, const struct conf_key *k, const char *v,
    struct buf *tmp, char **why);
/* Free every setting of a that is a string (secrets wiped first). */
void confkey_free_values(struct account *a);

/*
 * The warning for the key k pigeon does not know (malloc'd, NULL when
 * out of memory): another program's name for one of ours and what to
 * write instead, else a known key a slip of the keyboard away
 * ("default" only before the first section), else just unknown.
 */
char *confkey_unknown(const char *k, int before_sections);

#endif
