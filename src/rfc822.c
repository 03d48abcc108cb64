/* rfc822.c - reading header fields back: unfolding, RFC 2047 words, RFC 2231 parameters. */
/* SPDX-License-Identifier: ISC */
#include "rfc822.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "charset.h"
#include "i18n.h"
#include "util.h"

/* RFC 2047 2: an encoded-word is at most 75 characters (read: a little more). */
#define EW_READ_MAX 256

/* --- a header in memory ---------------------------------------------------- */

size_t
rfc822_header_end(const char *h, size_t len, size_t *body, int *complete)
{
	size_t pos = 0, n, i, j;
	const char *nl;

	*complete = 0;
	while (pos < len) {
		nl = memchr(h + pos, '\n', len - pos);
		if (nl == NULL)
			break;
		n = (size_t)(nl - (h + pos));
		if (n == 0 || (n == 1 && h[pos] == '\r')) {
			*body = pos + n + 1;
			*complete = 1;
			return pos;
		}
		if (h[pos] != ' ' && h[pos] != '\t') {
			for (i = 0; i < n; i++) {
				unsigned char c = (unsigned char)h[pos + i];

				if (c == ':' || c <= ' ' || c >= 0x7f)
					break;
			}
			for (j = i; j < n && (h[pos + j] == ' ' ||
			    h[pos + j] == '\t'); j++)
				;
			if (i == 0 || j >= n || h[pos + j] != ':') {
				*body = pos;
				*complete = 1;
				return pos;
			}
		}
		pos += n + 1;
	}
	*body = pos;
	return pos;
}

int
rfc822_next_field(const char *h, size_t len, size_t *pos,
    struct rfc822_field *f)
{
	const char *nl, *colon;
	size_t start = *pos, p = *pos;

	if (p >= len)
		return 0;
	do {
		nl = memchr(h + p, '\n', len - p);
		p = nl != NULL ? (size_t)(nl - h) + 1 : len;
	} while (p < len && (h[p] == ' ' || h[p] == '\t'));
	f->p = h + start;
	f->len = p - start;
	colon = memchr(f->p, ':', f->len);
	f->namelen = colon != NULL ? (size_t)(colon - f->p) : f->len;
	*pos = p;
	return 1;
}

int
rfc822_field_is(const struct rfc822_field *f, const char *name)
{
	size_t n = f->namelen;

	if (n == f->len)
		return 0;
	while (n > 0 && (f->p[n - 1] == ' ' || f->p[n - 1] == '\t'))
		n--;
	return strlen(name) == n && strncasecmp(f->p, name, n) == 0;
}

const char *
rfc822_field_value(const struct rfc822_field *f, size_t *len)
{
	if (f->namelen >= f->len) {
		*len = 0;
		return f->p + f->len;
	}
	*len = f->len - f->namelen - 1;
	return f->p + f->namelen + 1;
}

int
rfc822_unfold(struct buf *out, const char *v, size_t n)
{
	size_t old = out->len, i = 0, end = n, run;
	const char *cr, *lf;

	while (i < end && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' ||
	    v[i] == '\n'))
		i++;
	while (end > i && (v[end - 1] == ' ' || v[end - 1] == '\t' ||
	    v[end - 1] == '\r' || v[end - 1] == '\n'))
		end--;
	while (i < end) {
		cr = memchr(v + i, '\r', end - i);
		lf = memchr(v + i, '\n', end - i);
		if (cr == NULL || (lf != NULL && lf < cr))
			cr = lf;
		run = cr != NULL ? (size_t)(cr - (v + i)) : end - i;
		if (buf_add(out, v + i, run) < 0) {
			buf_truncate(out, old);
			return -1;
		}
		i += run + (cr != NULL);
	}
	if (out->data == NULL && buf_addstr(out, "") < 0)
		return -1;
	return 0;
}

/* The first field name of h[0..n), unfolded, into out; 1 found, 0 not, -1 full. */
static int
get_field(const char *h, size_t n, const char *name, struct buf *out)
{
	struct rfc822_field f;
	size_t pos = 0, vlen;
	const char *v;

	while (rfc822_next_field(h, n, &pos, &f)) {
		if (f.len == 0 || f.p[0] == '\n' || (f.p[0] == '\r' &&
		    f.len > 1 && f.p[1] == '\n'))
			break;    /* the empty line: the header is over */
		if (!rfc822_field_is(&f, name))
			continue;
		v = rfc822_field_value(&f, &vlen);
		return rfc822_unfold(out, v, vlen) < 0 ? -1 : 1;
	}
	return 0;
}

char *
rfc822_get(const char *h, size_t n, const char *name)
{
	struct buf b;

	buf_init(&b, RFC822_HEADER_MAX);
	if (get_field(h, n, name, &b) != 1) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

char *
rfc822_get_text(const char *h, size_t n, const char *name)
{
	struct buf out;
	char *raw = rfc822_get(h, n, name);

	if (raw == NULL)
		return NULL;
	buf_init(&out, 4 * RFC822_HEADER_MAX);
	if (rfc822_decode_words(&out, raw, strlen(raw)) < 0 ||
	    buf_addstr(&out, "") < 0) {
		buf_free(&out);
		return raw;
	}
	free(raw);
	return out.data;
}

/* --- RFC 2047 encoded-words ------------------------------------------------- */

/* Text in charset cs appended to out as UTF-8; 0, or -1 with out as it was. */
static int
to_utf8(struct buf *out, const char *p, size_t n, const char *cs)
{
	if (cs == NULL || *cs == '\0' || strcasecmp(cs, "utf-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0 || strcasecmp(cs, "us-ascii") == 0)
		return charset_utf8_valid(p, n, NULL) && buf_add(out, p, n) ==
		    0 ? 0 : -1;
	return charset_to_utf8(out, p, n, cs, NULL) == ERR_OK ? 0 : -1;
}

/*
 * The encoded-word at p[0..n) if one starts there: its length in *len and
 * its decoded text appended to out (UTF-8).  1 when it was one and could
 * be decoded, 0 otherwise (out as it was).
 */
static int
decode_word(struct buf *out, const char *p, size_t n, size_t *len)
{
	const char *cs, *enc, *text, *end, *star;
	char charset[64];
	struct buf raw;
	size_t csl, i, old = out->len;
	int ok = 0, hi, lo;

	if (n < 8 || p[0] != '=' || p[1] != '?')
		return 0;
	if (n > EW_READ_MAX)
		n = EW_READ_MAX;
	cs = p + 2;
	if ((enc = memchr(cs, '?', n - 2)) == NULL || enc + 3 > p + n ||
	    enc[2] != '?')
		return 0;
	text = enc + 3;
	/* The end: the first "?=" after the text starts. */
	for (end = text; end + 1 < p + n; end++)
		if (end[0] == '?' && end[1] == '=')
			break;
	if (end + 1 >= p + n)
		return 0;
	csl = (size_t)(enc - cs);
	if ((star = memchr(cs, '*', csl)) != NULL)
		csl = (size_t)(star - cs);
	if (csl == 0 || csl >= sizeof(charset))
		return 0;
	memcpy(charset, cs, csl);
	charset[csl] = '\0';
	for (i = 0; i < (size_t)(end - text); i++)
		if (text[i] == ' ' || text[i] == '\t')
			return 0;
	buf_init(&raw, EW_READ_MAX * 4 + 16);
	if (enc[1] == 'B' || enc[1] == 'b') {
		ok = base64_decode_buf(&raw, text, (size_t)(end - text)) == 0;
	} else if (enc[1] == 'Q' || enc[1] == 'q') {
		ok = 1;
		for (i = 0; ok && i < (size_t)(end - text); i++) {
			if (text[i] == '_') {
				ok = buf_addch(&raw, ' ') == 0;
			} else if (text[i] == '=') {
				if (i + 2 >= (size_t)(end - text) ||
				    (hi = util_hexval(text[i + 1])) < 0 ||
				    (lo = util_hexval(text[i + 2])) < 0) {
					ok = 0;
					break;
				}
				ok = buf_addch(&raw, (char)(hi * 16 + lo)) == 0;
				i += 2;
			} else {
				ok = buf_addch(&raw, text[i]) == 0;
			}
		}
	}
	if (ok)
		ok = to_utf8(out, buf_str(&raw), raw.len, charset) == 0;
	buf_free(&raw);
	if (!ok) {
		buf_truncate(out, old);
		return 0;
	}
	*len = (size_t)(end + 2 - p);
	return 1;
}

int
rfc822_decode_words(struct buf *out, const char *value, size_t n)
{
	size_t old = out->len, i = 0, len, ws;
	int prev_word = 0;

	while (i < n) {
		if (decode_word(out, value + i, n - i, &len)) {
			i += len;
			prev_word = 1;
			continue;
		}
		/* White space between two encoded-words is not part of the text. */
		if (prev_word && (value[i] == ' ' || value[i] == '\t')) {
			for (ws = i; ws < n && (value[ws] == ' ' ||
			    value[ws] == '\t'); ws++)
				;
			if (ws < n && value[ws] == '=' && ws + 1 < n &&
			    value[ws + 1] == '?') {
				size_t mark = out->len;

				if (decode_word(out, value + ws, n - ws, &len)) {
					i = ws + len;
					continue;
				}
				buf_truncate(out, mark);
			}
		}
		prev_word = 0;
		if (buf_addch(out, value[i]) < 0) {
			buf_truncate(out, old);
			return -1;
		}
		i++;
	}
	return 0;
}

/* --- MIME parameters -------------------------------------------------------- */

static int
is_tspecial_or_space(unsigned char c)
{
	return c <= ' ' || c >= 0x7f || strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

void
rfc822_mime_type(const char *v, char *out, size_t len)
{
	size_t i = 0, k = 0;
	int slash = 0;

	out[0] = '\0';
	if (v == NULL || len == 0)
		return;
	while (v[i] == ' ' || v[i] == '\t')
		i++;
	for (; v[i] != '\0' && v[i] != ';' && v[i] != ' ' && v[i] != '\t' &&
	    v[i] != '('; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '/' && !slash && k > 0) {
			slash = 1;
		} else if (is_tspecial_or_space(c)) {
			out[0] = '\0';
			return;
		}
		if (k + 1 >= len) {
			out[0] = '\0';
			return;
		}
		out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[k] = '\0';
	if (!slash || out[k - 1] == '/')
		out[0] = '\0';
}

/* One parameter of a value: its name, RFC 2231 section and form, its value. */
struct param {
	const char *name;
	size_t namelen;
	long section;              /* -1: none */
	int extended;              /* a '*' at the end: charset'lang'%XX */
	struct buf value;          /* unquoted */
};

/*
 * Read the parameter at v[*i] (after its ';'): 1 with pm filled, 0 at the
 * end, -1 out of memory.  Malformed parts are skipped up to the next ';'.
 */
static int
next_param(const char *v, size_t *i, struct param *pm)
{
	size_t p = *i, ns, ne, k;
	const char *star;

	for (;;) {
		while (v[p] != '\0' && v[p] != ';')
			p++;
		if (v[p] == '\0') {
			*i = p;
			return 0;
		}
		p++;
		while (v[p] == ' ' || v[p] == '\t')
			p++;
		ns = p;
		while (v[p] != '\0' && v[p] != '=' && v[p] != ';' &&
		    v[p] != ' ' && v[p] != '\t')
			p++;
		ne = p;
		while (v[p] == ' ' || v[p] == '\t')
			p++;
		if (ne > ns && v[p] == '=')
			break;
	}
	p++;
	while (v[p] == ' ' || v[p] == '\t')
		p++;
	pm->name = v + ns;
	pm->namelen = ne - ns;
	pm->section = -1;
	pm->extended = 0;
	if (pm->namelen > 0 && pm->name[pm->namelen - 1] == '*') {
		pm->extended = 1;
		pm->namelen--;
	}
	star = memchr(pm->name, '*', pm->namelen);
	if (star != NULL) {
		/* name*N: a section, digits only. */
		pm->section = 0;
		for (k = (size_t)(star - pm->name) + 1; k < pm->namelen; k++) {
			if (v[ns + k] < '0' || v[ns + k] > '9' ||
			    pm->section > 100000) {
				pm->section = -2;
				break;
			}
			pm->section = pm->section * 10 + (v[ns + k] - '0');
		}
		pm->namelen = (size_t)(star - pm->name);
	}
	buf_reset(&pm->value);
	if (v[p] == '"') {
		for (p++; v[p] != '\0' && v[p] != '"'; p++) {
			if (v[p] == '\\' && v[p + 1] != '\0')
				p++;
			if (buf_addch(&pm->value, v[p]) < 0)
				return -1;
		}
		if (v[p] == '"')
			p++;
	} else {
		for (; v[p] != '\0' && v[p] != ';' && v[p] != ' ' &&
		    v[p] != '\t'; p++)
			if (buf_addch(&pm->value, v[p]) < 0)
				return -1;
	}
	if (buf_addstr(&pm->value, "") < 0)
		return -1;
	*i = p;
	return 1;
}

/* %XX decoded; malformed escapes stay as they are. */
static int
percent_decode(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (hi = util_hexval(s[i + 1])) >= 0 &&
		    (lo = util_hexval(s[i + 2])) >= 0) {
			if (buf_addch(out, (char)(hi * 16 + lo)) < 0)
				return -1;
			i += 2;
		} else if (buf_addch(out, s[i]) < 0) {
			return -1;
		}
	}
	return 0;
}

/* The sections of an RFC 2231 parameter, at most this many. */
#define SECTIONS_MAX 64

int
rfc822_param(const char *value, const char *name, struct buf *out)
{
	struct param pm;
	struct buf raw, plain, *sec[SECTIONS_MAX];
	int ext[SECTIONS_MAX];
	char charset[64] = "";
	size_t i = 0, nl = strlen(name), k, nsec = 0, old = out->len;
	int r, found_plain = 0, found_2231 = 0, res = 0;

	if (value == NULL)
		return 0;
	memset(sec, 0, sizeof(sec));
	buf_init(&pm.value, RFC822_HEADER_MAX);
	buf_init(&plain, RFC822_HEADER_MAX);
	buf_init(&raw, RFC822_HEADER_MAX);
	while ((r = next_param(value, &i, &pm)) == 1) {
		if (pm.namelen != nl || strncasecmp(pm.name, name, nl) != 0)
			continue;
		if (pm.section == -1 && pm.extended) {
			/* name*=charset'lang'text: one piece, section 0. */
			pm.section = 0;
		} else if (pm.section == -1) {
			if (!found_plain) {
				found_plain = 1;
				buf_reset(&plain);
				if (buf_add(&plain, buf_str(&pm.value),
				    pm.value.len) < 0)
					goto full;
			}
			continue;
		}
		if (pm.section < 0 || pm.section >= SECTIONS_MAX ||
		    sec[pm.section] != NULL)
			continue;
		if ((sec[pm.section] = malloc(sizeof(struct buf))) == NULL)
			goto full;
		buf_init(sec[pm.section], RFC822_HEADER_MAX);
		if (buf_add(sec[pm.section], buf_str(&pm.value),
		    pm.value.len) < 0)
			goto full;
		ext[pm.section] = pm.extended;
		found_2231 = 1;
		if ((size_t)pm.section + 1 > nsec)
			nsec = (size_t)pm.section + 1;
	}
	if (r < 0)
		goto full;
	if (found_2231 && sec[0] != NULL) {
		/* Sections in order, up to the first one missing. */
		for (k = 0; k < nsec && sec[k] != NULL; k++) {
			const char *s = buf_str(sec[k]);
			size_t n = sec[k]->len;

			if (k == 0 && ext[0]) {
				const char *q1 = memchr(s, '\'', n), *q2;

				q2 = q1 != NULL ? memchr(q1 + 1, '\'', n -
				    (size_t)(q1 + 1 - s)) : NULL;
				if (q2 != NULL) {
					size_t cl = (size_t)(q1 - s);

					if (cl < sizeof(charset)) {
						memcpy(charset, s, cl);
						charset[cl] = '\0';
					}
					n -= (size_t)(q2 + 1 - s);
					s = q2 + 1;
				}
			}
			if ((ext[k] ? percent_decode(&raw, s, n) :
			    buf_add(&raw, s, n)) < 0)
				goto full;
		}
		/* A charset iconv does not know: UTF-8 bytes are kept. */
		if (to_utf8(out, buf_str(&raw), raw.len, charset) == 0 ||
		    to_utf8(out, buf_str(&raw), raw.len, NULL) == 0) {
			res = 1;
			goto out;
		}
		buf_truncate(out, old);
	}
	if (found_plain) {
		/* Encoded-words in a quoted name: not the standard, but common. */
		if (rfc822_decode_words(out, buf_str(&plain), plain.len) < 0)
			goto full;
		/* buf_str(): out may still have no data at all. */
		if (!charset_utf8_valid(buf_str(out) + old, out->len - old,
		    NULL)) {
			buf_truncate(out, old);
			goto out;
		}
		res = 1;
	}
	goto out;
full:
	buf_truncate(out, old);
	res = -1;
out:
	if (res == 1 && out->data == NULL && buf_addstr(out, "") < 0)
		res = -1;
	for (k = 0; k < SECTIONS_MAX; k++)
		if (sec[k] != NULL) {
			buf_free(sec[k]);
			free(sec[k]);
		}
	buf_free(&pm.value);
	buf_free(&plain);
	buf_free(&raw);
	return res;
}
