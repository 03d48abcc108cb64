/* form.c - application/x-www-form-urlencoded bodies (the HTML form encoding that OAuth2 requests use). */
/* SPDX-License-Identifier: ISC */
#include "form.h"

#include <string.h>

static int
encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char pct[3];
	int r = 0;

	for (p = (const unsigned char *)s; r == 0 && *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("*-._", *p) != NULL) {
			r = buf_addch(b, (char)*p);
		} else if (*p == ' ') {
			r = buf_addch(b, '+');
		} else {
			pct[0] = '%';
			pct[1] = hex[*p >> 4];
			pct[2] = hex[*p & 15];
			r = buf_add(b, pct, 3);
		}
	}
	return r;
}

int
form_add(struct buf *b, const char *name, const char *value)
{
	size_t len = b->len;

	if ((len > 0 && buf_addch(b, '&') < 0) || encode(b, name) < 0 ||
	    buf_addch(b, '=') < 0 || encode(b, value) < 0) {
		/* A secret half written must not stay. */
		if (b->data != NULL && b->len > len)
			explicit_bzero(b->data + len, b->len - len);
		buf_truncate(b, len);
		return -1;
	}
	return 0;
}
