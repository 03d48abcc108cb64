/* fuzz_alias.c - libFuzzer target: alias_load() on mutt alias files, then completing and expanding what a user types with them. */
/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE 1
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "fuzz_memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl;
	struct aliases *a = NULL;
	char *errstr = NULL, *typed, *s;
	size_t tlen;

	if (size > 256 * 1024)
		return 0;
	/* The first line is what the user typed; the rest is the file. */
	nl = memchr(data, '\n', size);
	tlen = nl != NULL ? (size_t)(nl - data) : 0;
	typed = malloc(tlen + 1);
	if (typed == NULL)
		return 0;
	memcpy(typed, data, tlen);
	typed[tlen] = '\0';
	if (nl != NULL) {
		data = nl + 1;
		size -= tlen + 1;
	}
	if (alias_load(&a, fuzz_memfile("aliases", data, size), &errstr) ==
	    ERR_OK) {
		if (a == NULL)
			abort();
		(void)alias_count(a);
		s = alias_complete(a, typed);
		free(s);
		s = alias_expand(a, typed);
		free(s);
	} else if (a != NULL) {
		abort();
	}
	alias_free(a);
	free(typed);
	free(errstr);
	return 0;
}
