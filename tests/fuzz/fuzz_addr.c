/* fuzz_addr.c - libFuzzer target: addr_list_parse() on what users and mail programs write, and back out through hdr_addresses(). */
/* SPDX-License-Identifier: ISC */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_list list = { NULL, 0 };
	struct buf out;
	char *errstr = NULL;
	size_t i;
	enum err e;

	e = addr_list_parse(&list, (const char *)data, size, &errstr);
	if (e == ERR_OK) {
		for (i = 0; i < list.n; i++)
			if (list.v[i].spec == NULL || list.v[i].spec[0] == '\0' ||
			    strchr(list.v[i].spec, '@') == NULL)
				abort();
		/* What was parsed must be writable again, or refused cleanly. */
		if (list.n > 0) {
			buf_init(&out, 1 << 20);
			(void)hdr_addresses(&out, "To", list.v, list.n);
			buf_free(&out);
		}
	}
	addr_list_free(&list);
	free(errstr);
	return 0;
}
