/* fuzz_hdr.c - libFuzzer target: RFC 2047 words and RFC 2231 parameters read back (rfc822.h), and hdr_unstructured()'s promise that they come back exactly. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "hdr.h"
#include "rfc822.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bounded so that a run stays quick; the parsers have their own limits. */
#define IN_MAX (64 * 1024)

static void
fail(const char *what, const char *value, const char *got)
{
	(void)fprintf(stderr, "%s\nvalue: [%s]\ngot:   [%s]\n", what, value,
	    got != NULL ? got : "(null)");
	abort();
}

/*
 * A value hdr_unstructured() takes (UTF-8 text without CR, LF or NUL) is
 * written as a Subject field and read back with rfc822_get_text(): the
 * same text must come back, whatever its words and spaces.
 */
static void
round_trip(const char *value, size_t n)
{
	struct buf field;
	char *back;

	if (memchr(value, '\r', n) != NULL || memchr(value, '\n', n) != NULL ||
	    !charset_utf8_valid(value, n, NULL))
		return;
	buf_init(&field, 1 << 22);
	if (hdr_unstructured(&field, "Subject", value) < 0) {
		if (errno != E2BIG && errno != ENOMEM)
			fail("hdr_unstructured refused a valid value", value,
			    NULL);
		buf_free(&field);
		return;
	}
	back = rfc822_get_text(buf_str(&field), field.len, "Subject");
	if (back == NULL || strcmp(back, value) != 0)
		fail("Subject does not read back as written", value, back);
	free(back);
	buf_free(&field);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	char *value, type[64];

	if (size > IN_MAX)
		return 0;
	/* The raw bytes, as a header value may hold anything. */
	buf_init(&out, 1 << 22);
	(void)rfc822_decode_words(&out, (const char *)data, size);
	buf_reset(&out);
	(void)rfc822_unfold(&out, (const char *)data, size);
	buf_free(&out);

	/* The C-string interfaces see the bytes up to the first NUL. */
	value = malloc(size + 1);
	if (value == NULL)
		return 0;
	memcpy(value, data, size);
	value[size] = '\0';
	rfc822_mime_type(value, type, sizeof(type));
	if (memchr(type, '\0', sizeof(type)) == NULL)
		abort();
	buf_init(&out, 1 << 22);
	(void)rfc822_param(value, "filename", &out);
	buf_reset(&out);
	(void)rfc822_param(value, "boundary", &out);
	buf_free(&out);
	round_trip(value, strlen(value));
	free(value);
	return 0;
}
