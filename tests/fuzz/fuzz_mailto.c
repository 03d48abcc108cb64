/* fuzz_mailto.c - libFuzzer target: mailto_parse() on what a link or a command line gives; no header value may hold a control character. */
/* SPDX-License-Identifier: ISC */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A header value as the parser must leave it: no control character. */
static void
check_value(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct draft d;
	struct buf ignored;
	char *arg, *errstr = NULL;
	size_t i;

	if ((arg = malloc(size + 1)) == NULL)
		return 0;
	memcpy(arg, data, size);
	arg[size] = '\0';
	draft_init(&d);
	buf_init(&ignored, 4096);
	(void)mailto_is_target(arg);
	if (mailto_parse(&d, arg, &ignored, &errstr) == ERR_OK) {
		check_value(d.to);
		check_value(d.cc);
		check_value(d.bcc);
		check_value(d.subject);
		check_value(d.in_reply_to);
		check_value(buf_str(&ignored));
		if (d.from != NULL || d.reply_to != NULL || d.nextra != 0)
			abort();
		for (i = 0; i < d.text.len; i++)
			if ((unsigned char)d.text.data[i] < 0x20 &&
			    d.text.data[i] != '\n' && d.text.data[i] != '\t')
				abort();
	}
	free(errstr);
	buf_free(&ignored);
	draft_free(&d);
	free(arg);
	return 0;
}
