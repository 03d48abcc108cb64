/* json.h - a small strict JSON reader for one flat object of strings, numbers and booleans (OAuth2 token and device answers). */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_JSON_H
#define PIGEON_JSON_H

#include <stddef.h>

#include "err.h"

/*
 * What an OAuth2 server answers (RFC 6749 sections 5.1 and 5.2, RFC 8628
 * section 3.2) is one object whose members are strings, numbers and
 * booleans.  This reads exactly that: the top level must be an object;
 * a member whose value is an array or an object is kept with its type
 * but not its content (a provider may add one), and nesting deeper than
 * JSON_MAX_DEPTH is refused, as are duplicate names (which of two
 * access_token members would count?), raw control characters in
 * strings, lone surrogates, bytes that are not UTF-8, anything after the
 * object but white space, and more than JSON_MAX_MEMBERS members.
 * Strings are decoded to UTF-8 (a \u0000 is kept, with the length); a
 * number is kept as its text, checked against the grammar of RFC 8259.
 */
#define JSON_MAX_DEPTH 16
#define JSON_MAX_MEMBERS 256

enum json_type {
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL,
	JSON_NESTED,              /* an array or an object, content skipped */
};

struct json_member {
	char *name;               /* decoded; without NUL (else refused) */
	enum json_type type;
	char *value;              /* STRING: decoded, NUMBER: its text; else NULL */
	size_t len;               /* of value */
};

struct json_object {
	struct json_member *v;
	size_t n;
};

/*
 * Parse p[0..len) into *o (its strings are malloc'd; free it with
 * json_object_free() in any case).  ERR_DATA with *errstr saying what
 * and at which byte; ERR_NOMEM.
 */
enum err json_parse_object(const char *p, size_t len, struct json_object *o,
    char **errstr);
/* The member named name, or NULL. */
const struct json_member *json_get(const struct json_object *o,
    const char *name);
/* The value of a string member without a NUL in it, or NULL. */
const char *json_string(const struct json_object *o, const char *name);
/*
 * A number member that is an integer in [min, max] (no fraction, no
 * exponent) into *out: 0, or -1 when there is none, or it is not such.
 */
int json_int(const struct json_object *o, const char *name, long long min,
    long long max, long long *out);
/* Free the strings, wiped first (they may be tokens); o is left empty. */
void json_object_free(struct json_object *o);

#endif
