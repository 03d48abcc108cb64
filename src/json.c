/* json.c - a small strict JSON reader for one flat object of strings, numbers and booleans (OAuth2 token and device answers). */
/* SPDX-License-Identifier: ISC */
#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

/* A string or a number longer than this is not an OAuth2 answer. */
#define JSON_MAX_STRING (256 * 1024)

struct jp {
	const unsigned char *p;
	size_t len, i;
	char **errstr;
	enum err e;               /* ERR_OK until the first failure */
};

static int
fail(struct jp *j, const char *what)
{
	if (j->e == ERR_OK) {
		j->e = ERR_DATA;
		util_seterr(j->errstr, _("not a JSON object as expected: %s "
		    "at byte %zu"), what, j->i);
	}
	return -1;
}

static int
nomem(struct jp *j)
{
	j->e = ERR_NOMEM;
	return -1;
}

static void
skip_ws(struct jp *j)
{
	while (j->i < j->len && (j->p[j->i] == ' ' || j->p[j->i] == '\t' ||
	    j->p[j->i] == '\n' || j->p[j->i] == '\r'))
		j->i++;
}

static int
hex4(struct jp *j, unsigned *out)
{
	unsigned v = 0, k;
	int c;

	if (j->len - j->i < 4)
		return fail(j, _("a cut \\u escape"));
	for (k = 0; k < 4; k++) {
		c = j->p[j->i + k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return fail(j, _("a wrong \\u escape"));
	}
	j->i += 4;
	*out = v;
	return 0;
}

/* The code point cp as UTF-8 into b. */
static int
put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_add(b, u, n);
}

/* A \u escape (after the "\u"), with the second half of a surrogate pair. */
static int
unicode_escape(struct jp *j, struct buf *b)
{
	unsigned cp, lo;

	if (hex4(j, &cp) < 0)
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(j, _("a lone surrogate"));
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (j->len - j->i < 2 || j->p[j->i] != '\\' ||
		    j->p[j->i + 1] != 'u')
			return fail(j, _("a lone surrogate"));
		j->i += 2;
		if (hex4(j, &lo) < 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(j, _("a lone surrogate"));
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (put_utf8(b, cp) < 0)
		return errno == E2BIG ? fail(j, _("a string too long")) :
		    nomem(j);
	return 0;
}

/* The length of a valid UTF-8 sequence at p[0..n) (not ASCII), or 0. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t k, want;
	unsigned cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		want = 2, cp = p[0] & 0x1fu;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		want = 3, cp = p[0] & 0x0fu;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		want = 4, cp = p[0] & 0x07u;
	else
		return 0;
	if (n < want)
		return 0;
	for (k = 1; k < want; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3fu);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((want == 3 && cp < 0x800) || (want == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return want;
}

/* A string (at its opening quote) decoded into b. */
static int
string(struct jp *j, struct buf *b)
{
	static const char esc_in[] = "\"\\/bfnrt";
	static const char esc_out[] = "\"\\/\b\f\n\r\t";
	const char *q;
	size_t n;
	int c;

	j->i++;
	for (;;) {
		if (j->i >= j->len)
			return fail(j, _("a string without its end"));
		c = j->p[j->i];
		if (c == '"') {
			j->i++;
			return 0;
		}
		if (c < 0x20)
			return fail(j, _("a control character in a string"));
		if (c == '\\') {
			if (++j->i >= j->len)
				return fail(j, _("a string without its end"));
			c = j->p[j->i++];
			if (c == 'u') {
				if (unicode_escape(j, b) < 0)
					return -1;
				continue;
			}
			if (c == '\0' || (q = strchr(esc_in, c)) == NULL)
				return fail(j, _("a wrong escape"));
			if (buf_addch(b, esc_out[q - esc_in]) < 0)
				return nomem(j);
			continue;
		}
		n = c < 0x80 ? 1 : utf8_len(j->p + j->i, j->len - j->i);
		if (n == 0)
			return fail(j, _("a byte that is not UTF-8"));
		if (buf_add(b, j->p + j->i, n) < 0)
			return errno == E2BIG ?
			    fail(j, _("a string too long")) : nomem(j);
		j->i += n;
	}
}

static size_t
digits(struct jp *j)
{
	size_t s = j->i;

	while (j->i < j->len && j->p[j->i] >= '0' && j->p[j->i] <= '9')
		j->i++;
	return j->i - s;
}

/* A number by RFC 8259's grammar; its text is p[start..i). */
static int
number(struct jp *j)
{
	if (j->i < j->len && j->p[j->i] == '-')
		j->i++;
	if (j->i < j->len && j->p[j->i] == '0')
		j->i++;
	else if (digits(j) == 0)
		return fail(j, _("a wrong number"));
	if (j->i < j->len && j->p[j->i] == '.') {
		j->i++;
		if (digits(j) == 0)
			return fail(j, _("a wrong number"));
	}
	if (j->i < j->len && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
		j->i++;
		if (j->i < j->len && (j->p[j->i] == '+' || j->p[j->i] == '-'))
			j->i++;
		if (digits(j) == 0)
			return fail(j, _("a wrong number"));
	}
	return 0;
}

static int
word(struct jp *j, const char *w)
{
	size_t n = strlen(w);

	if (j->len - j->i < n || memcmp(j->p + j->i, w, n) != 0)
		return fail(j, _("an unknown word"));
	j->i += n;
	return 0;
}

static int skip_value(struct jp *j, int depth);

/* An array or object (at its bracket) read and forgotten. */
static int
skip_nested(struct jp *j, int depth)
{
	int obj = j->p[j->i] == '{', first = 1;
	char close = obj ? '}' : ']';
	struct buf b;

	if (depth >= JSON_MAX_DEPTH)
		return fail(j, _("nesting too deep"));
	j->i++;
	for (;;) {
		skip_ws(j);
		if (j->i < j->len && j->p[j->i] == close && first) {
			j->i++;
			return 0;
		}
		if (obj) {
			if (j->i >= j->len || j->p[j->i] != '"')
				return fail(j, _("a member without a name"));
			buf_init(&b, JSON_MAX_STRING);
			if (string(j, &b) < 0) {
				buf_free(&b);
				return -1;
			}
			buf_free(&b);
			skip_ws(j);
			if (j->i >= j->len || j->p[j->i++] != ':')
				return fail(j, _("a missing ':'"));
		}
		if (skip_value(j, depth + 1) < 0)
			return -1;
		first = 0;
		skip_ws(j);
		if (j->i < j->len && j->p[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->len && j->p[j->i] == close) {
			j->i++;
			return 0;
		}
		return fail(j, _("a missing ',' or end"));
	}
}

static int
skip_value(struct jp *j, int depth)
{
	struct buf b;
	int r;

	skip_ws(j);
	if (j->i >= j->len)
		return fail(j, _("a missing value"));
	switch (j->p[j->i]) {
	case '"':
		buf_init(&b, JSON_MAX_STRING);
		r = string(j, &b);
		buf_free(&b);
		return r;
	case '{':
	case '[':
		return skip_nested(j, depth);
	case 't':
		return word(j, "true");
	case 'f':
		return word(j, "false");
	case 'n':
		return word(j, "null");
	default:
		return number(j);
	}
}

/* The value of a member of the top object into m. */
static int
member_value(struct jp *j, struct json_member *m)
{
	struct buf b;
	size_t start;
	int c;

	skip_ws(j);
	if (j->i >= j->len)
		return fail(j, _("a missing value"));
	c = j->p[j->i];
	if (c == '"') {
		buf_init(&b, JSON_MAX_STRING);
		if (string(j, &b) < 0) {
			buf_free_secret(&b);
			return -1;
		}
		m->type = JSON_STRING;
		m->len = b.len;
		m->value = malloc(b.len + 1);
		if (m->value == NULL) {
			buf_free_secret(&b);
			return nomem(j);
		}
		memcpy(m->value, buf_str(&b), b.len + 1);
		buf_free_secret(&b);
		return 0;
	}
	if (c == '{' || c == '[') {
		m->type = JSON_NESTED;
		return skip_nested(j, 1);
	}
	if (c == 't' || c == 'f' || c == 'n') {
		m->type = c == 't' ? JSON_TRUE : c == 'f' ? JSON_FALSE :
		    JSON_NULL;
		return word(j, c == 't' ? "true" : c == 'f' ? "false" :
		    "null");
	}
	start = j->i;
	if (number(j) < 0)
		return -1;
	if (j->i - start > JSON_MAX_STRING)
		return fail(j, _("a number too long"));
	m->type = JSON_NUMBER;
	m->len = j->i - start;
	if ((m->value = malloc(m->len + 1)) == NULL)
		return nomem(j);
	memcpy(m->value, j->p + start, m->len);
	m->value[m->len] = '\0';
	return 0;
}

/* One "name": value of the top object, appended to o. */
static int
member(struct jp *j, struct json_object *o)
{
	struct json_member *m;
	struct buf b;
	size_t k;

	if (j->i >= j->len || j->p[j->i] != '"')
		return fail(j, _("a member without a name"));
	if (o->n >= JSON_MAX_MEMBERS)
		return fail(j, _("too many members"));
	buf_init(&b, JSON_MAX_STRING);
	if (string(j, &b) < 0) {
		buf_free(&b);
		return -1;
	}
	if (memchr(buf_str(&b), '\0', b.len) != NULL) {
		buf_free(&b);
		return fail(j, _("a name with a NUL"));
	}
	for (k = 0; k < o->n; k++)
		if (strcmp(o->v[k].name, buf_str(&b)) == 0) {
			buf_free(&b);
			return fail(j, _("a name given twice"));
		}
	m = realloc(o->v, (o->n + 1) * sizeof(*m));
	if (m == NULL) {
		buf_free(&b);
		return nomem(j);
	}
	o->v = m;
	m = &o->v[o->n];
	memset(m, 0, sizeof(*m));
	m->name = strdup(buf_str(&b));
	buf_free(&b);
	if (m->name == NULL)
		return nomem(j);
	o->n++;
	skip_ws(j);
	if (j->i >= j->len || j->p[j->i++] != ':')
		return fail(j, _("a missing ':'"));
	return member_value(j, m);
}

enum err
json_parse_object(const char *p, size_t len, struct json_object *o,
    char **errstr)
{
	struct jp j = { (const unsigned char *)p, len, 0, errstr, ERR_OK };

	memset(o, 0, sizeof(*o));
	skip_ws(&j);
	if (j.i >= j.len || j.p[j.i] != '{') {
		(void)fail(&j, _("no '{'"));
		return j.e;
	}
	j.i++;
	skip_ws(&j);
	if (j.i < j.len && j.p[j.i] == '}') {
		j.i++;
	} else {
		for (;;) {
			skip_ws(&j);
			if (member(&j, o) < 0)
				return j.e;
			skip_ws(&j);
			if (j.i < j.len && j.p[j.i] == ',') {
				j.i++;
				continue;
			}
			if (j.i < j.len && j.p[j.i] == '}') {
				j.i++;
				break;
			}
			(void)fail(&j, _("a missing ',' or '}'"));
			return j.e;
		}
	}
	skip_ws(&j);
	if (j.i != j.len)
		(void)fail(&j, _("more after the object"));
	return j.e;
}

const struct json_member *
json_get(const struct json_object *o, const char *name)
{
	size_t k;

	for (k = 0; k < o->n; k++)
		if (strcmp(o->v[k].name, name) == 0)
			return &o->v[k];
	return NULL;
}

const char *
json_string(const struct json_object *o, const char *name)
{
	const struct json_member *m = json_get(o, name);

	if (m == NULL || m->type != JSON_STRING ||
	    memchr(m->value, '\0', m->len) != NULL)
		return NULL;
	return m->value;
}

int
json_int(const struct json_object *o, const char *name, long long min,
    long long max, long long *out)
{
	const struct json_member *m = json_get(o, name);
	long long v;
	char *end;

	if (m == NULL || m->type != JSON_NUMBER ||
	    strpbrk(m->value, ".eE") != NULL)
		return -1;
	errno = 0;
	v = strtoll(m->value, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void
json_object_free(struct json_object *o)
{
	size_t k;

	for (k = 0; k < o->n; k++) {
		free(o->v[k].name);
		if (o->v[k].value != NULL) {
			explicit_bzero(o->v[k].value, o->v[k].len);
			free(o->v[k].value);
		}
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}
