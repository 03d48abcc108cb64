/* fuzz_smtp_reply.c - libFuzzer target: smtp_parse_reply() on server bytes, reply after reply. */
/* SPDX-License-Identifier: ISC */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *why;
	struct smtp_reply r;
	size_t pos = 0;
	long n;

	/* As the engine does: parse replies off the front until one fails. */
	while (pos < size) {
		why = NULL;
		n = smtp_parse_reply(p + pos, size - pos, &r, &why);
		if (n <= 0) {
			/* Incomplete or refused: nothing is handed out. */
			if (n < 0 && why == NULL)
				abort();
			if (r.text != NULL)
				abort();
			break;
		}
		/* A reply takes whole lines, never more than it was given. */
		if ((size_t)n > size - pos || p[pos + (size_t)n - 1] != '\n')
			abort();
		if (r.code < 200 || r.code > 599 || r.text == NULL)
			abort();
		if (memchr(r.enhanced, '\0', sizeof(r.enhanced)) == NULL)
			abort();
		smtp_reply_free(&r);
		pos += (size_t)n;
	}
	return 0;
}
