/* idnmod.h - the table the idn module exports (module.h): libidn2's IDNA2008 conversion of a domain to A-labels. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_IDNMOD_H
#define PIGEON_IDNMOD_H

#include "config.h"

#define IDNMOD_ABI "pigeon " VERSION " idn 1"

struct idnmod {
	const char *abi;          /* first: module_get() checks it */
	/*
	 * The non-ASCII domain d as A-labels (idn.h says how), malloc'd;
	 * NULL when it cannot be converted, with *why libidn2's reason (a
	 * static string, English), or with *nomem set for want of memory.
	 */
	char *(*to_ascii)(const char *d, const char **why, int *nomem);
};

#endif
