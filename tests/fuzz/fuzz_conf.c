/* fuzz_conf.c - libFuzzer target: conf_load() on config files. */
/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE 1
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz_memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c = NULL;
	char *errstr = NULL;
	size_t i;

	if (size > 256 * 1024)
		return 0;
	if (conf_load(&c, fuzz_memfile("config", data, size), &errstr) ==
	    ERR_OK) {
		if (c == NULL)
			abort();
		(void)conf_account(c, NULL);
		(void)conf_account(c, "nonesuch");
		for (i = 0; i < c->naccounts; i++)
			if (c->accounts[i].name == NULL ||
			    conf_account(c, c->accounts[i].name) == NULL)
				abort();
		if (c->default_account != NULL &&
		    conf_account(c, c->default_account) == NULL)
			abort();
	} else if (c != NULL) {
		abort();
	}
	conf_free(c);
	free(errstr);
	return 0;
}
