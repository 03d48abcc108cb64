/* form.h - application/x-www-form-urlencoded bodies (the HTML form encoding that OAuth2 requests use). */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_FORM_H
#define PIGEON_FORM_H

#include "buf.h"

/*
 * Append name=value to b, with "&" before it when b is not empty, both
 * encoded as the WHATWG URL standard's application/x-www-form-urlencoded
 * serializer does and RFC 6749 appendix B asks: ASCII letters, digits
 * and "*-._" stay, a space becomes "+", every other byte %XX (upper
 * case hex).  0, or -1 (b unchanged) as buf_add().
 */
int form_add(struct buf *b, const char *name, const char *value);

#endif
