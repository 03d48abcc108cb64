/* magicmod.c - the magic module (module.h): libmagic's guess at a content type; built into mod/magic.so only. */
/* SPDX-License-Identifier: ISC */
#include "magicmod.h"

#include <stdlib.h>
#include <string.h>

#include <magic.h>

/*
 * The cookie is opened per call: an attachment is rare, and nothing of
 * libmagic's stays in the process.  MAGIC_MIME_TYPE alone: no
 * decompression, and magic_buffer() reads no file, so no link can be
 * followed.
 */
static char *
magic_type(const char *p, size_t n, int *nomem)
{
	magic_t m;
	const char *t;
	char *r = NULL;

	*nomem = 0;
	if (n == 0 || (m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) == NULL)
		return NULL;
	if (magic_load(m, NULL) == 0 && (t = magic_buffer(m, p, n)) != NULL &&
	    (r = strdup(t)) == NULL)
		*nomem = 1;
	magic_close(m);
	return r;
}

extern const struct magicmod pigeon_magic_module;

const struct magicmod pigeon_magic_module = {
	MAGICMOD_ABI,
	magic_type,
};
