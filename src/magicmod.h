/* magicmod.h - the table the magic module exports (module.h): libmagic's guess at a content type. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MAGICMOD_H
#define PIGEON_MAGICMOD_H

#include <stddef.h>

#include "config.h"

#define MAGICMOD_ABI "pigeon " VERSION " magic 1"

struct magicmod {
	const char *abi;          /* first: module_get() checks it */
	/*
	 * libmagic's MIME type for p[0..n) (n > 0), malloc'd; NULL when it
	 * has none, with *nomem set when that is for want of memory.
	 */
	char *(*type)(const char *p, size_t n, int *nomem);
};

#endif
