/* test_hdr.c - header field writer: exact output, round trips, line rules. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "hdr.h"
#include "rfc822.h"
#include "helper.h"

/* The seed of the random tests; printed when a check fails. */
#define SEED 0x4d2047a1u
#define OUT_MAX (1024 * 1024)
/* Mailboxes the test parser takes from one field. */
#define MAXADDR 8

/* A fixed pseudo-random sequence, so failures repeat. */
static uint32_t rng = SEED;

/*
 * Whether the decoders insist that every encoded-word and RFC 2231
 * section is valid UTF-8 by itself; off only for input that is not.
 */
static int strict_utf8 = 1;

/*
 * Lines over 78 octets, per test.  The writer may only leave one where a
 * line holds a single item it must not break (a long literal word, a
 * quoted name, an addr-spec): check_field() fails on any other, and the
 * allowed ones are counted and reported here.
 */
struct over {
	const char *what;
	size_t fields;
	size_t long_fields;
	char example[120];
};

static void
over_report(const struct over *o)
{
	if (o->long_fields == 0)
		print_message("%s: all %zu fields within 78 octets a line\n",
		    o->what, o->fields);
	else
		print_message("%s: %zu of %zu fields have a line over 78 "
		    "octets, each a single unbreakable item, e.g. \"%s\"\n",
		    o->what, o->long_fields, o->fields, o->example);
}

/* --- small decoders, independent of the code under test ----------------- */

/* Strict UTF-8: no overlong forms, surrogates or values past U+10FFFF. */
static int
utf8_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k, len;
	uint32_t cp;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf) {
			len = 2;
			cp = u[i] & 0x1f;
		} else if (u[i] >= 0xe0 && u[i] <= 0xef) {
			len = 3;
			cp = u[i] & 0x0f;
		} else if (u[i] >= 0xf0 && u[i] <= 0xf4) {
			len = 4;
			cp = u[i] & 0x07;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (u[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += len;
	}
	return 1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strict base64, padding required. */
static int
b64_decode(const char *s, size_t n, struct buf *out)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc;
	size_t i, k, pad;
	const char *p;
	char b[3];

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		acc = 0;
		pad = 0;
		for (k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == n && k >= 2) {
				pad++;
				acc <<= 6;
				continue;
			}
			if (pad > 0 || s[i + k] == '\0' ||
			    (p = strchr(alpha, s[i + k])) == NULL)
				return -1;
			acc = acc << 6 | (uint32_t)(p - alpha);
		}
		b[0] = (char)(acc >> 16);
		b[1] = (char)(acc >> 8);
		b[2] = (char)acc;
		if (buf_add(out, b, 3 - pad) < 0)
			return -1;
	}
	return 0;
}

/* Characters RFC 2047 5(3) lets a Q-encoded word in a phrase show as such. */
static int
phrase_safe(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!*+-/=_", c));
}

static int
looks_ew(const char *s, size_t n)
{
	return n >= 4 && s[0] == '=' && s[1] == '?' && s[n - 2] == '?' &&
	    s[n - 1] == '=';
}

/*
 * Decode one encoded-word, strictly: UTF-8 only, B or Q, at most 75
 * characters, Q with "=XX" in upper case and no '?' or space.  With
 * phrase set, Q may only use the 5(3) characters.
 */
static int
ew_decode(const char *s, size_t n, int phrase, struct buf *out)
{
	size_t i, start = out->len;
	const char *t;
	int hi, lo;

	if (n > 75 || n < 12 || !looks_ew(s, n) ||
	    strncasecmp(s, "=?UTF-8?", 8) != 0 || s[9] != '?')
		return -1;
	t = s + 10;
	n -= 12;
	if (s[8] == 'B' || s[8] == 'b') {
		if (b64_decode(t, n, out) < 0)
			return -1;
	} else if (s[8] == 'Q' || s[8] == 'q') {
		for (i = 0; i < n; i++) {
			if (t[i] == '?' || t[i] <= ' ' || t[i] >= 0x7f ||
			    (phrase && !phrase_safe(t[i])))
				return -1;
			if (t[i] == '_') {
				if (buf_addch(out, ' ') < 0)
					return -1;
			} else if (t[i] == '=') {
				if (i + 2 >= n ||
				    (hi = hexval(t[i + 1])) < 0 ||
				    (lo = hexval(t[i + 2])) < 0)
					return -1;
				if (buf_addch(out, (char)(hi << 4 | lo)) < 0)
					return -1;
				i += 2;
			} else if (buf_addch(out, t[i]) < 0) {
				return -1;
			}
		}
	} else {
		return -1;
	}
	/* Every encoded-word holds whole characters. */
	return !strict_utf8 || utf8_ok(out->data + start, out->len - start) ?
	    0 : -1;
}

/* Remove every LF that is followed by a space or TAB. */
static void
unfold(const char *s, size_t n, struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		if (s[i] == '\n' && i + 1 < n &&
		    (s[i + 1] == ' ' || s[i + 1] == '\t'))
			continue;
		assert_int_equal(buf_addch(out, s[i]), 0);
	}
}

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * RFC 2047 decoding of unstructured text: a word that is an
 * encoded-word is decoded, white space between two encoded-words is
 * dropped, everything else stays.  -1 for a word that looks like an
 * encoded-word but is not a good one.
 */
static int
decode_text(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, j, k;
	int prev_ew = 0;

	buf_reset(out);
	while (i < n) {
		for (j = i; j < n && is_wsp(s[j]); j++)
			;
		for (k = j; k < n && !is_wsp(s[k]); k++)
			;
		if (k > j && looks_ew(s + j, k - j)) {
			if (!prev_ew && buf_add(out, s + i, j - i) < 0)
				return -1;
			if (ew_decode(s + j, k - j, 0, out) < 0)
				return -1;
			prev_ew = 1;
		} else {
			if (buf_add(out, s + i, k - i) < 0)
				return -1;
			prev_ew = 0;
		}
		i = k;
	}
	return 0;
}

/*
 * Check what every field must be: "Name: " first (or "Name:" and a fold),
 * LF last, LF only as folding (followed by a space, with something on
 * the continuation line), ASCII only, no line over 998, no white space
 * right after "Name: " or before the end unless the value is empty, every
 * encoded-word good on its own.  A line over 78 must hold a single item
 * (quoted strings count as one) after one space; those are counted in o.
 */
static void
check_field(const char *f, size_t n, const char *name, int phrase,
    struct over *o)
{
	size_t nl = strlen(name), i, ls, le, t, k, items;
	int long_line = 0, q;
	struct buf u, d;

	o->fields++;
	if (n < nl + 3 || strncmp(f, name, nl) != 0 || f[nl] != ':' ||
	    (f[nl + 1] != ' ' && strncmp(f + nl + 1, "\n ", 2) != 0) ||
	    f[n - 1] != '\n')
		fail_msg("bad field frame: \"%s\"", test_vis(f, n));
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f[i];

		if (c == '\r') {
			fail_msg("CR in the local form: \"%s\"",
			    test_vis(f, n));
		} else if (c == '\n') {
			if (i + 1 < n && f[i + 1] != ' ')
				fail_msg("LF not folding: \"%s\"",
				    test_vis(f, n));
		} else if (c < 0x20 || c > 0x7e) {
			fail_msg("byte %#x in \"%s\"", c, test_vis(f, n));
		}
	}
	buf_init(&u, OUT_MAX);
	buf_init(&d, OUT_MAX);
	unfold(f + nl + 1, n - nl - 2, &u);
	if (u.len == 0 || u.data[0] != ' ' || (u.len > 1 &&
	    (is_wsp(u.data[1]) || is_wsp(u.data[u.len - 1]))))
		fail_msg("white space at the edge: \"%s\"", test_vis(f, n));
	for (ls = 0; ls < n; ls = le + 1) {
		for (le = ls; f[le] != '\n'; le++)
			;
		if (le - ls > 998)
			fail_msg("line of %zu octets: \"%s\"", le - ls,
			    test_vis(f, n));
		t = ls == 0 ? (nl + 2 < le ? nl + 2 : le) : ls;
		if (ls > 0) {
			while (t < le && f[t] == ' ')
				t++;
			if (t == le)
				fail_msg("white space line: \"%s\"",
				    test_vis(f, n));
		}
		if (le - ls <= 78)
			continue;
		/* Not made long by a run of spaces. */
		if (ls > 0 && t > ls + 1)
			fail_msg("line of %zu octets starts with %zu spaces: "
			    "\"%s\"", le - ls, t - ls,
			    test_vis(f + ls, le - ls));
		/* Count the items on the long line. */
		for (items = 0, q = 0, k = t; k < le; k++) {
			if (k == t || (!q && f[k - 1] == ' ' && f[k] != ' '))
				items++;
			if (q && f[k] == '\\')
				k++;
			else if (f[k] == '"')
				q = !q;
		}
		if (items > 1)
			fail_msg("line of %zu octets with %zu items: \"%s\"",
			    le - ls, items, test_vis(f + ls, le - ls));
		if (!long_line)
			snprintf(o->example, sizeof(o->example), "%s",
			    test_vis(f + ls, le - ls > 60 ? 60 : le - ls));
		long_line = 1;
	}
	o->long_fields += (size_t)long_line;
	/* Each encoded-word decodes by itself. */
	for (i = 0; i < u.len; i = k) {
		while (i < u.len && u.data[i] == ' ')
			i++;
		for (k = i; k < u.len && u.data[k] != ' '; k++)
			;
		if (k > i && looks_ew(u.data + i, k - i)) {
			buf_reset(&d);
			if (ew_decode(u.data + i, k - i, phrase, &d) < 0)
				fail_msg("bad encoded-word \"%s\" in \"%s\"",
				    test_vis(u.data + i, k - i),
				    test_vis(f, n));
		}
	}
	buf_free(&u);
	buf_free(&d);
}

/* The value of a field as a reader sees it: unfolded, after "Name: ". */
static void
field_body(const struct buf *f, const char *name, struct buf *body)
{
	size_t nl = strlen(name);

	assert_true(f->len >= nl + 3);
	unfold(f->data, f->len - 1, body);
	assert_true(body->len >= nl + 2);
	assert_memory_equal(body->data + nl, ": ", 2);
	buf_consume(body, nl + 2);
}

/*
 * A parser for what hdr_addresses() writes: mailboxes separated by
 * commas, each "phrase <spec>" or a bare spec.  A phrase is words
 * (atoms, quoted strings, encoded-words), joined by one space except
 * between two encoded-words.
 */
static int
parse_addrs(const char *s, size_t n, struct buf *names, struct buf *specs,
    size_t *count)
{
	size_t i = 0, j, start, last = 0, words;
	int prev_ew;

	*count = 0;
	for (;;) {
		struct buf *nm, *sp;

		if (*count == MAXADDR)
			return -1;
		nm = &names[*count];
		sp = &specs[*count];
		buf_reset(nm);
		buf_reset(sp);
		while (i < n && s[i] == ' ')
			i++;
		start = i;
		words = 0;
		prev_ew = 0;
		while (i < n && s[i] != '<' && s[i] != ',') {
			if (s[i] == '"') {
				if (words > 0 && buf_addch(nm, ' ') < 0)
					return -1;
				for (i++; i < n && s[i] != '"'; i++) {
					if (s[i] == '\\')
						i++;
					if (i == n || buf_addch(nm, s[i]) < 0)
						return -1;
				}
				if (i == n)
					return -1;
				i++;
				prev_ew = 0;
			} else {
				for (j = i; j < n && s[j] != ' ' &&
				    s[j] != '<' && s[j] != ','; j++)
					;
				if (looks_ew(s + i, j - i)) {
					if (words > 0 && !prev_ew &&
					    buf_addch(nm, ' ') < 0)
						return -1;
					if (ew_decode(s + i, j - i, 1, nm) < 0)
						return -1;
					prev_ew = 1;
				} else {
					if (words > 0 && buf_addch(nm, ' ') < 0)
						return -1;
					if (buf_add(nm, s + i, j - i) < 0)
						return -1;
					prev_ew = 0;
				}
				i = j;
			}
			words++;
			last = i;
			while (i < n && s[i] == ' ')
				i++;
		}
		if (i < n && s[i] == '<') {
			for (j = i + 1; j < n && s[j] != '>'; j++)
				;
			if (j == n || words == 0 ||
			    buf_add(sp, s + i + 1, j - i - 1) < 0)
				return -1;
			i = j + 1;
		} else {
			/* A bare spec, taken as written. */
			buf_reset(nm);
			if (words != 1 || buf_add(sp, s + start,
			    last - start) < 0)
				return -1;
		}
		(*count)++;
		while (i < n && s[i] == ' ')
			i++;
		if (i == n)
			return 0;
		if (s[i] != ',')
			return -1;
		i++;
	}
}

/*
 * RFC 2231 parameters.  find_param() gives the raw value of attribute
 * attr (quoted strings unescaped, *quoted set), get_param() the decoded
 * value of parameter want, joining name*0*, name*1*, ... sections.
 */
static int
find_param(const char *s, size_t n, const char *attr, struct buf *raw,
    int *quoted)
{
	size_t i, a, ae;

	for (i = 0; i < n && s[i] != ';'; i++)
		;
	while (i < n) {
		i++;                                    /* the ';' */
		while (i < n && s[i] == ' ')
			i++;
		for (a = i; i < n && s[i] != '='; i++)
			;
		if (i == n)
			return -1;
		ae = i++;
		buf_reset(raw);
		*quoted = i < n && s[i] == '"';
		if (*quoted) {
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\')
					i++;
				if (i == n || buf_addch(raw, s[i]) < 0)
					return -1;
			}
			if (i == n)
				return -1;
			i++;
		} else {
			for (; i < n && s[i] != ';' && s[i] != ' '; i++)
				if (buf_addch(raw, s[i]) < 0)
					return -1;
		}
		while (i < n && s[i] == ' ')
			i++;
		if (i < n && s[i] != ';')
			return -1;
		if (ae - a == strlen(attr) && strncasecmp(s + a, attr,
		    ae - a) == 0)
			return 0;
	}
	return -1;
}

/* Percent-decode s[0..n) (after charset'language' when head is set). */
static int
pct_decode(const char *s, size_t n, int head, struct buf *out)
{
	size_t i = 0, start = out->len;
	int hi, lo;

	if (head) {
		if (n < 7 || strncasecmp(s, "utf-8'", 6) != 0)
			return -1;
		for (i = 6; i < n && s[i] != '\''; i++)
			;
		if (i == n)
			return -1;
		i++;
	}
	for (; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return -1;
			if (buf_addch(out, (char)(hi << 4 | lo)) < 0)
				return -1;
			i += 2;
		} else if (s[i] <= ' ' || s[i] >= 0x7f ||
		    strchr("*'()<>@,;:\\\"/[]?=", s[i]) != NULL) {
			return -1;
		} else if (buf_addch(out, s[i]) < 0) {
			return -1;
		}
	}
	/* Each section holds whole characters. */
	return !strict_utf8 || utf8_ok(out->data + start, out->len - start) ?
	    0 : -1;
}

static int
get_param(const char *s, size_t n, const char *want, struct buf *out,
    int *sections)
{
	char attr[128];
	struct buf raw;
	size_t k;
	int quoted, r = -1;

	buf_reset(out);
	buf_init(&raw, OUT_MAX);
	*sections = 0;
	if (find_param(s, n, want, &raw, &quoted) == 0) {
		r = buf_add(out, raw.data != NULL ? raw.data : "", raw.len);
		goto done;
	}
	snprintf(attr, sizeof(attr), "%s*", want);
	if (find_param(s, n, attr, &raw, &quoted) == 0) {
		r = quoted ? -1 : pct_decode(raw.data, raw.len, 1, out);
		goto done;
	}
	for (k = 0;; k++) {
		snprintf(attr, sizeof(attr), "%s*%zu*", want, k);
		if (find_param(s, n, attr, &raw, &quoted) != 0)
			break;
		if (quoted || pct_decode(raw.data, raw.len, k == 0, out) < 0)
			goto done;
		(*sections)++;
	}
	r = k > 0 ? 0 : -1;
done:
	buf_free(&raw);
	return r;
}

/* --- round-trip checks ------------------------------------------------- */

static void
roundtrip_text(const char *name, const char *value, struct over *o)
{
	struct buf f, body, dec;

	buf_init(&f, OUT_MAX);
	buf_init(&body, OUT_MAX);
	buf_init(&dec, OUT_MAX);
	if (hdr_unstructured(&f, name, value) != 0)
		fail_msg("seed %#x: hdr_unstructured(\"%s\") failed: %s",
		    SEED, test_vis(value, strlen(value)), strerror(errno));
	check_field(f.data, f.len, name, 0, o);
	field_body(&f, name, &body);
	if (decode_text(body.data != NULL ? body.data : "", body.len,
	    &dec) < 0 || dec.len != strlen(value) ||
	    memcmp(buf_str(&dec), value, dec.len) != 0)
		fail_msg("seed %#x: \"%s\" came back as \"%s\" from \"%s\"",
		    SEED, test_vis(value, strlen(value)),
		    test_vis(dec.data, dec.len), test_vis(f.data, f.len));
	buf_free(&f);
	buf_free(&body);
	buf_free(&dec);
}

/* The project's own parser must read the field back the same way. */
static void
crosscheck_addr(const char *body, size_t len, const struct addr *v, size_t n)
{
	struct addr_list l = { NULL, 0 };
	struct buf dec;
	size_t i;

	buf_init(&dec, OUT_MAX);
	assert_int_equal(addr_list_parse(&l, body, len, NULL), ERR_OK);
	assert_int_equal(l.n, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(l.v[i].spec, v[i].spec);
		if (l.v[i].name == NULL) {
			assert_true(v[i].name == NULL || v[i].name[0] == '\0');
			continue;
		}
		assert_int_equal(decode_text(l.v[i].name,
		    strlen(l.v[i].name), &dec), 0);
		assert_string_equal(buf_str(&dec), v[i].name);
	}
	addr_list_free(&l);
	buf_free(&dec);
}

static void
roundtrip_addrs(const struct addr *v, size_t n, int cross, struct over *o)
{
	struct buf f, body, names[MAXADDR], specs[MAXADDR];
	size_t i, got;

	buf_init(&f, OUT_MAX);
	buf_init(&body, OUT_MAX);
	for (i = 0; i < MAXADDR; i++) {
		buf_init(&names[i], OUT_MAX);
		buf_init(&specs[i], OUT_MAX);
	}
	if (hdr_addresses(&f, "To", v, n) != 0)
		fail_msg("seed %#x: hdr_addresses(\"%s\") failed: %s", SEED,
		    test_vis(v[0].name != NULL ? v[0].name : "",
		    v[0].name != NULL ? strlen(v[0].name) : 0),
		    strerror(errno));
	check_field(f.data, f.len, "To", 1, o);
	field_body(&f, "To", &body);
	if (parse_addrs(buf_str(&body), body.len, names, specs, &got) < 0 ||
	    got != n)
		fail_msg("seed %#x: cannot read back \"%s\"", SEED,
		    test_vis(f.data, f.len));
	for (i = 0; i < n; i++) {
		const char *want = v[i].name != NULL ? v[i].name : "";

		if (strcmp(buf_str(&names[i]), want) != 0 ||
		    strcmp(buf_str(&specs[i]), v[i].spec) != 0)
			fail_msg("seed %#x: \"%s\" <%s> came back as \"%s\" "
			    "<%s> from \"%s\"", SEED,
			    test_vis(want, strlen(want)), v[i].spec,
			    test_vis(names[i].data, names[i].len),
			    buf_str(&specs[i]), test_vis(f.data, f.len));
	}
	if (cross)
		crosscheck_addr(buf_str(&body), body.len, v, n);
	buf_free(&f);
	buf_free(&body);
	for (i = 0; i < MAXADDR; i++) {
		buf_free(&names[i]);
		buf_free(&specs[i]);
	}
}

static void
roundtrip_name(const char *name, struct over *o)
{
	struct addr a[3];

	a[0].name = (char *)name;
	a[0].spec = (char *)"first@example.org";
	roundtrip_addrs(a, 1, strlen(name) < 1500, o);
	/* Between other addresses, too. */
	a[1] = a[0];
	a[1].spec = (char *)"second@example.org";
	a[0].name = NULL;
	a[2].name = (char *)"Plain Name";
	a[2].spec = (char *)"third@example.org";
	roundtrip_addrs(a, 3, strlen(name) < 1500, o);
}

/* fname as filename= of Content-Disposition and name= of Content-Type. */
static void
roundtrip_file(const char *fname, struct over *o)
{
	struct hdr_param p[2];
	struct buf f, body, dec;
	int sections;

	buf_init(&f, OUT_MAX);
	buf_init(&body, OUT_MAX);
	buf_init(&dec, OUT_MAX);
	p[0].name = "filename";
	p[0].value = fname;
	if (hdr_params(&f, "Content-Disposition", "attachment", p, 1) != 0)
		fail_msg("hdr_params(\"%s\") failed: %s",
		    test_vis(fname, strlen(fname)), strerror(errno));
	check_field(f.data, f.len, "Content-Disposition", 0, o);
	field_body(&f, "Content-Disposition", &body);
	if (strncmp(buf_str(&body), "attachment", 10) != 0 ||
	    get_param(buf_str(&body), body.len, "filename", &dec,
	    &sections) < 0 || strcmp(buf_str(&dec), fname) != 0)
		fail_msg("seed %#x: \"%s\" came back as \"%s\" from \"%s\"",
		    SEED, test_vis(fname, strlen(fname)),
		    test_vis(dec.data, dec.len), test_vis(f.data, f.len));
	buf_reset(&f);
	p[0].name = "charset";
	p[0].value = "utf-8";
	p[1].name = "name";
	p[1].value = fname;
	assert_int_equal(hdr_params(&f, "Content-Type", "text/plain", p, 2),
	    0);
	check_field(f.data, f.len, "Content-Type", 0, o);
	field_body(&f, "Content-Type", &body);
	assert_int_equal(get_param(buf_str(&body), body.len, "charset", &dec,
	    &sections), 0);
	assert_string_equal(buf_str(&dec), "utf-8");
	if (get_param(buf_str(&body), body.len, "name", &dec,
	    &sections) < 0 || strcmp(buf_str(&dec), fname) != 0)
		fail_msg("seed %#x: \"%s\" came back as \"%s\" from \"%s\"",
		    SEED, test_vis(fname, strlen(fname)),
		    test_vis(dec.data, dec.len), test_vis(f.data, f.len));
	buf_free(&f);
	buf_free(&body);
	buf_free(&dec);
}

/* --- exact output -------------------------------------------------------- */

static void
expect_text(const char *name, const char *value, const char *want)
{
	struct buf f;

	buf_init(&f, OUT_MAX);
	assert_int_equal(hdr_unstructured(&f, name, value), 0);
	assert_string_equal(buf_str(&f), want);
	buf_free(&f);
}

static void
test_exact_unstructured(void **state)
{
	(void)state;
	expect_text("Subject", "Hello world", "Subject: Hello world\n");
	/* 7 bytes: B (24 characters) beats Q (27). */
	expect_text("Subject", "Gr\xc3\xbc\xc3\x9f" "e",
	    "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\n");
	/* Q (23 characters) beats B (24). */
	expect_text("Subject", "M\xc3\xbcller",
	    "Subject: =?UTF-8?Q?M=C3=BCller?=\n");
	/* Only the words that need it are encoded. */
	expect_text("Subject", "Re: [list] caf\xc3\xa9 au lait",
	    "Subject: Re: [list] =?UTF-8?B?Y2Fmw6k=?= au lait\n");
	/* Adjacent words to encode are one run, their space inside. */
	expect_text("Subject", "a \xc3\xa9 \xc3\xa9 b",
	    "Subject: a =?UTF-8?B?w6kgw6k=?= b\n");
	/* A word that could pass for an encoded-word is encoded. */
	expect_text("Subject", "x =?a?b?= y",
	    "Subject: x =?UTF-8?B?PT9hP2I/PQ==?= y\n");
	/* Leading and trailing spaces make the edge words one encoded run. */
	expect_text("Subject", " a b ", "Subject: =?UTF-8?Q?_a_b_?=\n");
	/* Two spaces between literal words stay literal. */
	expect_text("Subject", "a  b", "Subject: a  b\n");
	/* Next to an encoded run all but one space join the run. */
	expect_text("Subject", "a   \xc3\xa9",
	    "Subject: a =?UTF-8?Q?__=C3=A9?=\n");
	expect_text("Subject", "", "Subject: \n");
	expect_text("Subject", "  ", "Subject: =?UTF-8?Q?__?=\n");
	/* Folding at white space, the first line exactly 78 octets. */
	expect_text("Subject", "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd "
	    "eeeeeeeee fffffffff ggggggggg hhhhhhhhh",
	    "Subject: aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee "
	    "fffffffff ggggggggg\n hhhhhhhhh\n");
	/* Two encoded-words, each within 75 characters and whole letters. */
	expect_text("Subject", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5"
	    "\xd1\x82, \xd0\xbc\xd0\xb8\xd1\x80! \xd0\xad\xd1\x82\xd0\xbe "
	    "\xd0\xb4\xd0\xbb\xd0\xb8\xd0\xbd\xd0\xbd\xd0\xb0\xd1\x8f "
	    "\xd1\x82\xd0\xb5\xd0\xbc\xd0\xb0 \xd0\xbf\xd0\xb8\xd1\x81"
	    "\xd1\x8c\xd0\xbc\xd0\xb0 \xd0\xbf\xd0\xbe-\xd1\x80\xd1\x83"
	    "\xd1\x81\xd1\x81\xd0\xba\xd0\xb8",
	    "Subject: =?UTF-8?B?0J/RgNC40LLQtdGCLCDQvNC40YAhINCt0YLQviDQtNC7"
	    "0LjQvdC90LA=?=\n"
	    " =?UTF-8?B?0Y8g0YLQtdC80LAg0L/QuNGB0YzQvNCwINC/0L4t0YDRg9GB0YHQ"
	    "utC4?=\n");
	/* When not even the first word fits the first line, fold after ':'. */
	expect_text("X-A-Rather-Long-Field-Name-Someone-Made-Up-For-Testing-"
	    "Folding", "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln",
	    "X-A-Rather-Long-Field-Name-Someone-Made-Up-For-Testing-Folding:"
	    "\n =?UTF-8?B?R3LDvMOfZQ==?= aus =?UTF-8?B?S8O2bG4=?=\n");
}

static void
expect_addrs(const struct addr *v, size_t n, const char *want)
{
	struct buf f;

	buf_init(&f, OUT_MAX);
	assert_int_equal(hdr_addresses(&f, "To", v, n), 0);
	assert_string_equal(buf_str(&f), want);
	buf_free(&f);
}

static void
test_exact_addresses(void **state)
{
	struct addr a[4];

	(void)state;
	a[0].name = (char *)"Doe, John";
	a[0].spec = (char *)"j@d.org";
	expect_addrs(a, 1, "To: \"Doe, John\" <j@d.org>\n");
	a[0].name = (char *)"J\xc3\xb6rg M\xc3\xbcller";
	a[0].spec = (char *)"j@ex.de";
	/* Q would be =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=, one longer. */
	expect_addrs(a, 1,
	    "To: =?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <j@ex.de>\n");
	a[0].name = (char *)"M\xc3\xbcller";
	expect_addrs(a, 1, "To: =?UTF-8?Q?M=C3=BCller?= <j@ex.de>\n");
	a[0].name = (char *)"Alice Smith";
	a[0].spec = (char *)"alice@example.org";
	a[1].name = NULL;
	a[1].spec = (char *)"bob@example.org";
	a[2].name = (char *)"";
	a[2].spec = (char *)"carol@example.org";
	a[3].name = (char *)"John Q. Public \"JQ\" \\o/";
	a[3].spec = (char *)"jqp@example.org";
	expect_addrs(a, 4, "To: Alice Smith <alice@example.org>, "
	    "bob@example.org, carol@example.org,\n"
	    " \"John Q. Public \\\"JQ\\\" \\\\o/\" <jqp@example.org>\n");
	/*
	 * In a phrase Q may not show '(' or ',' as such, which makes it 31
	 * characters against B's 28.
	 */
	a[0].name = (char *)"M\xc3\xbcller (Firma), K.";
	a[0].spec = (char *)"k@x.de";
	expect_addrs(a, 1, "To: =?UTF-8?B?TcO8bGxlciAoRmlybWEpLCBLLg==?= "
	    "<k@x.de>\n");
	a[0].name = (char *)"M\xc3\xbcller-L\xc3\xbc" "denscheid";
	expect_addrs(a, 1, "To: =?UTF-8?Q?M=C3=BCller-L=C3=BCdenscheid?= "
	    "<k@x.de>\n");
	/* An ASCII name that could be taken for an encoded-word. */
	a[0].name = (char *)"=?UTF-8?Q?x?=";
	a[0].spec = (char *)"x@y.z";
	expect_addrs(a, 1, "To: =?UTF-8?B?PT9VVEYtOD9RP3g/PQ==?= <x@y.z>\n");
}

static void
expect_params(const char *name, const char *value, const struct hdr_param *p,
    size_t np, const char *want)
{
	struct buf f;

	buf_init(&f, OUT_MAX);
	assert_int_equal(hdr_params(&f, name, value, p, np), 0);
	assert_string_equal(buf_str(&f), want);
	buf_free(&f);
}

static void
test_exact_params(void **state)
{
	struct hdr_param p[3];

	(void)state;
	p[0].name = "filename";
	p[0].value = "report.pdf";
	expect_params("Content-Disposition", "attachment", p, 1,
	    "Content-Disposition: attachment; filename=report.pdf\n");
	p[0].value = "my report (final).pdf";
	expect_params("Content-Disposition", "attachment", p, 1,
	    "Content-Disposition: attachment; "
	    "filename=\"my report (final).pdf\"\n");
	p[0].value = "the quarterly report of the sales department.pdf";
	expect_params("Content-Disposition", "attachment", p, 1,
	    "Content-Disposition: attachment;\n"
	    " filename=\"the quarterly report of the sales department.pdf\""
	    "\n");
	p[0].name = "charset";
	p[0].value = "utf-8";
	p[1].name = "name";
	p[1].value = "a \"b\".txt";
	expect_params("Content-Type", "text/plain", p, 2,
	    "Content-Type: text/plain; charset=utf-8; name=\"a \\\"b\\\".txt\""
	    "\n");
	p[0].name = "filename";
	p[0].value = "this-is-a-rather-long-file-name-for-an-attachment-"
	    "that-does-not-fit.tar.gz";
	expect_params("Content-Disposition", "attachment", p, 1,
	    "Content-Disposition: attachment;\n"
	    " filename*0*=utf-8''this-is-a-rather-long-file-name-for-an-"
	    "attachment-that-do;\n"
	    " filename*1*=es-not-fit.tar.gz\n");
	p[0].value = "\xc3\xa9t\xc3\xa9.txt";
	expect_params("Content-Disposition", "inline", p, 1,
	    "Content-Disposition: inline; filename*=utf-8''%C3%A9t%C3%A9.txt"
	    "\n");
	p[0].value = "\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82 \xd0\xb7\xd0"
	    "\xb0 \xd0\xbc\xd0\xb0\xd1\x80\xd1\x82 2024.pdf";
	expect_params("Content-Disposition", "attachment", p, 1,
	    "Content-Disposition: attachment;\n"
	    " filename*0*=utf-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%20%D0%B7%D0%B0"
	    "%20%D0%BC;\n"
	    " filename*1*=%D0%B0%D1%80%D1%82%202024.pdf\n");
	/* A boundary is never RFC 2231, however long. */
	p[0].name = "boundary";
	p[0].value = "=_pigeon_0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123";
	expect_params("Content-Type", "multipart/mixed", p, 1,
	    "Content-Type: multipart/mixed;\n"
	    " boundary=\"=_pigeon_0123456789abcdef0123456789abcdef0123456789"
	    "abcdef0123\"\n");
}

/* --- round trips ------------------------------------------------------- */

/* Text in many scripts and shapes, for subjects, names and file names. */
static const char *const samples[] = {
	"Hello, world!",
	"Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln",
	"\xc3\x89t\xc3\xa9 \xc3\xa0 la plage, \xc3\xa7" "a va? Na\xc3\xafve "
	    "fa\xc3\xa7" "ade, cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e",
	"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, \xd0\xbc\xd0"
	    "\xb8\xd1\x80! \xd0\xad\xd1\x82\xd0\xbe \xd0\xb4\xd0\xbb\xd0\xb8"
	    "\xd0\xbd\xd0\xbd\xd0\xb0\xd1\x8f \xd1\x82\xd0\xb5\xd0\xbc\xd0"
	    "\xb0 \xd0\xbf\xd0\xb8\xd1\x81\xd1\x8c\xd0\xbc\xd0\xb0 \xd0\xbf"
	    "\xd0\xbe-\xd1\x80\xd1\x83\xd1\x81\xd1\x81\xd0\xba\xd0\xb8",
	"\xe6\xbc\xa2\xe5\xad\x97\xe3\x81\x8b\xe3\x81\xaa\xe4\xba\xa4\xe3\x81"
	    "\x98\xe3\x82\x8a\xe6\x96\x87",
	"\xe6\xbc\xa2\xe5\xad\x97\xe3\x81\x8b\xe3\x81\xaa\xe4\xba\xa4\xe3\x81"
	    "\x98\xe3\x82\x8a\xe6\x96\x87\xe6\xbc\xa2\xe5\xad\x97\xe3\x81\x8b"
	    "\xe3\x81\xaa\xe4\xba\xa4\xe3\x81\x98\xe3\x82\x8a\xe6\x96\x87\xe6"
	    "\xbc\xa2\xe5\xad\x97\xe3\x81\x8b\xe3\x81\xaa\xe4\xba\xa4\xe3\x81"
	    "\x98\xe3\x82\x8a\xe6\x96\x87\xe6\xbc\xa2\xe5\xad\x97\xe3\x81\x8b"
	    "\xe3\x81\xaa\xe4\xba\xa4\xe3\x81\x98\xe3\x82\x8a\xe6\x96\x87",
	"\xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",
	/* Family and rainbow flag: ZWJ sequences. */
	"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91"
	    "\xa7\xe2\x80\x8d\xf0\x9f\x91\xa6 \xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2"
	    "\x80\x8d\xf0\x9f\x8c\x88 party \xf0\x9f\x8e\x89\xf0\x9f\x8e\x89"
	    "\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89"
	    "\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89"
	    "\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89",
	"Re: Fwd: [team] \xce\x9a\xce\xb1\xce\xbb\xce\xb7\xce\xbc\xce\xad\xcf"
	    "\x81\xce\xb1 / \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d / \xd9\x85\xd8\xb1"
	    "\xd8\xad\xd8\xa8\xd8\xa7 / \xe4\xbd\xa0\xe5\xa5\xbd / \xec\x95\x88"
	    "\xeb\x85\x95 / \xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d"
	    "\xe0\xa4\xa4\xe0\xa5\x87 and some plain English words at the end",
	"=?UTF-8?B?SGk=?=",
	"a =?x ?= b =? c ?= d",
	"price?=5 and x=?y",
	"trailing =?",
	"?= leading",
	"under_score and = equals ? question",
	"double  spaces  between  words",
	"  leading spaces",
	"trailing spaces  ",
	" ",
	"   ",
	" \xc3\xa9 ",
	"\xc3\xa9  \xc3\xa9   x    \xc3\xa9",
	"x                                                                  "
	    "                                                         y",
	"quote \" and backslash \\ and (parens) <angle> [brackets] a@b, c;d:e",
	"tab\there and esc\x1b[31m too",
	"Doe, John",
	"John Q. Public",
	"a",
	"\xc3\xa9",
	"a.b",
	"!#$%&'*+-/=^_`{|}~",
	"ends with dot.",
	".starts with dot",
	"word-with-a-length-of-exactly-seventy-eight-characters-xxxxxxxxxxxxxx"
	    "xxxxxxxxx",
	"https://example.org/a/very/long/url/that/goes/on/and/on/and/on/past/"
	    "the/seventy/eight/octet/limit?query=value&other=thing",
};

/* Strings of n copies of unit, for words longer than a line may be. */
static char *
repeat(const char *unit, size_t n)
{
	size_t ul = strlen(unit), i;
	char *s = malloc(ul * n + 1);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	s[ul * n] = '\0';
	return s;
}

static char **
long_samples(size_t *n)
{
	static const char *const units[] = { "x", "\xc3\xa9", "\xe6\xbc\xa2",
	    "\xf0\x9f\x98\x80", "ab\xc3\xa9" };
	static const size_t counts[] = { 997, 999, 1500, 600, 400, 300, 500 };
	char **v, *w, *s;
	size_t i, k = 0;

	v = calloc(16, sizeof(*v));
	assert_non_null(v);
	v[k++] = repeat("x", counts[0]);
	v[k++] = repeat("x", counts[1]);
	v[k++] = repeat("x", counts[2]);
	for (i = 1; i < 5; i++)
		v[k++] = repeat(units[i], counts[i + 2]);
	/* A long word between ordinary ones. */
	w = repeat("y", 1200);
	s = malloc(strlen(w) + 32);
	assert_non_null(s);
	snprintf(s, strlen(w) + 32, "Re: %s and more", w);
	free(w);
	v[k++] = s;
	*n = k;
	return v;
}

static void
free_samples(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
test_roundtrip_subjects(void **state)
{
	static const char *const names[] = { "Subject", "X",
	    "X-A-Rather-Long-Field-Name-Someone-Made-Up-For-Testing-Folding" };
	struct over o = { "subjects", 0, 0, "" };
	struct over ol = { "subjects, words over 998 octets", 0, 0, "" };
	char **lv;
	size_t i, k, nl;

	(void)state;
	lv = long_samples(&nl);
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
			roundtrip_text(names[k], samples[i], &o);
		for (i = 0; i < nl; i++)
			roundtrip_text(names[k], lv[i], &ol);
	}
	free_samples(lv, nl);
	over_report(&o);
	over_report(&ol);
}

static void
test_roundtrip_names(void **state)
{
	struct over o = { "display names", 0, 0, "" };
	struct over ol = { "display names over 998 octets", 0, 0, "" };
	char **lv;
	size_t i, nl;

	(void)state;
	lv = long_samples(&nl);
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		roundtrip_name(samples[i], &o);
	for (i = 0; i < nl; i++)
		roundtrip_name(lv[i], &ol);
	free_samples(lv, nl);
	over_report(&o);
	over_report(&ol);
}

static void
test_roundtrip_filenames(void **state)
{
	struct over o = { "file names", 0, 0, "" };
	struct over ol = { "file names over 998 octets", 0, 0, "" };
	char **lv;
	size_t i, nl;

	(void)state;
	lv = long_samples(&nl);
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		roundtrip_file(samples[i], &o);
	for (i = 0; i < nl; i++)
		roundtrip_file(lv[i], &ol);
	free_samples(lv, nl);
	over_report(&o);
	over_report(&ol);
}

/* --- random strings ---------------------------------------------------- */

static size_t
put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A code point: spaces and ASCII often, every plane sometimes. */
static uint32_t
rand_cp(int ascii_heavy)
{
	uint32_t cp, r = test_rand(&rng) % (ascii_heavy ? 24 : 12);

	switch (r) {
	case 0:
	case 1:
		return ' ';
	case 2:
		return (uint32_t)"=?_\"\\"[test_rand(&rng) % 5];
	case 3:
		return 0xa0 + test_rand(&rng) % 0x180;
	case 4:
		return 0x400 + test_rand(&rng) % 0x100;
	case 5:
		return 0x4e00 + test_rand(&rng) % 0x5200;
	case 6:
		return 0x1f300 + test_rand(&rng) % 0x400;
	case 7:
		return test_rand(&rng) % 2 ? 0x200d : 0x1f3fb +
		    test_rand(&rng) % 5;
	case 8:
		cp = 0x80 + test_rand(&rng) % (0x10000 - 0x80);
		return cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp;
	case 9:
		return 0x10000 + test_rand(&rng) % 0x100000;
	default:
		return 0x21 + test_rand(&rng) % 94;
	}
}

static void
rand_string(char *s, size_t max, int ascii_heavy)
{
	size_t n = test_rand(&rng) % 301, i, o = 0;

	for (i = 0; i < n && o + 5 < max; i++)
		o += put_utf8(s + o, rand_cp(ascii_heavy));
	s[o] = '\0';
}

static void
test_random(void **state)
{
	struct over ot = { "random subjects", 0, 0, "" };
	struct over on = { "random display names", 0, 0, "" };
	struct over of = { "random file names", 0, 0, "" };
	char s[301 * 4 + 8];
	int iter;

	(void)state;
	for (iter = 0; iter < 3000; iter++) {
		rand_string(s, sizeof(s), iter % 2);
		assert_true(utf8_ok(s, strlen(s)));
		roundtrip_text("Subject", s, &ot);
		roundtrip_name(s, &on);
		roundtrip_file(s, &of);
	}
	over_report(&ot);
	over_report(&on);
	over_report(&of);
}

/*
 * Bytes that are not UTF-8 (the caller should not pass them): no crash,
 * ASCII out, and the same bytes back from a decoder that does not insist
 * on UTF-8.
 */
static void
test_not_utf8(void **state)
{
	static const char *const bad[] = { "\x80", "a\377b", "\xc3",
	    "\xe6\xbc", "\xf0\x9f\x98", "\xc0\xaf", "\xed\xa0\x80",
	    "\xf4\x90\x80\x80", "x \xfe\xfe\xfe y", "\xc3\xa9\x80\xc3\xa9",
	    "\xe6\xbc\xa2\xe6\xbc" };
	struct over o = { "invalid UTF-8", 0, 0, "" };
	size_t i;

	(void)state;
	strict_utf8 = 0;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(utf8_ok(bad[i], strlen(bad[i])));
		roundtrip_text("Subject", bad[i], &o);
		roundtrip_name(bad[i], &o);
		roundtrip_file(bad[i], &o);
	}
	strict_utf8 = 1;
	over_report(&o);
}

/* --- structured fields and errors --------------------------------------- */

static void
test_structured(void **state)
{
	static const char *const bad[] = { "caf\xc3\xa9", "a\tb", "a\x01",
	    "a\x7f", "<x@y>\r\nBcc: evil@example.org", "a\nb" };
	struct over o = { "structured", 0, 0, "" };
	struct buf f, body;
	char refs[2048], *big;
	size_t i, o2 = 0;

	(void)state;
	buf_init(&f, OUT_MAX);
	buf_init(&body, OUT_MAX);
	assert_int_equal(hdr_structured(&f, "MIME-Version", "1.0"), 0);
	assert_string_equal(buf_str(&f), "MIME-Version: 1.0\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(hdr_structured(&f, "Message-ID", bad[i]), -1);
		assert_int_equal(errno, EINVAL);
		assert_string_equal(buf_str(&f), "MIME-Version: 1.0\n");
	}
	/* Leading and trailing spaces carry no meaning and go. */
	buf_reset(&f);
	assert_int_equal(hdr_structured(&f, "In-Reply-To", "  <a@b>  "), 0);
	assert_string_equal(buf_str(&f), "In-Reply-To: <a@b>\n");
	buf_reset(&f);
	assert_int_equal(hdr_structured(&f, "In-Reply-To", ""), 0);
	assert_string_equal(buf_str(&f), "In-Reply-To: \n");
	/* A long References value folds before the spaces. */
	refs[0] = '\0';
	for (i = 0; i < 20; i++)
		o2 += (size_t)snprintf(refs + o2, sizeof(refs) - o2,
		    "%s<%zu.%08zx@mail.example.org>", i > 0 ? " " : "",
		    1700000000 + i, i * 0x9e3779b9u);
	buf_reset(&f);
	assert_int_equal(hdr_structured(&f, "References", refs), 0);
	check_field(f.data, f.len, "References", 0, &o);
	assert_true(strstr(f.data, "\n <") != NULL);
	assert_int_equal(o.long_fields, 0);
	field_body(&f, "References", &body);
	assert_string_equal(buf_str(&body), refs);
	/* Double spaces survive; the fold goes before the first. */
	buf_reset(&f);
	assert_int_equal(hdr_structured(&f, "References",
	    "<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x>  "
	    "<bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@x>"), 0);
	assert_string_equal(buf_str(&f), "References: "
	    "<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x>\n  "
	    "<bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@x>\n");
	/* A token must fit a line: 998 - 1 octets after a fold is the most. */
	big = malloc(1200);
	assert_non_null(big);
	memset(big, 'x', 1200);
	memcpy(big, "<a> ", 4);
	big[4 + 997] = '\0';
	buf_reset(&f);
	assert_int_equal(hdr_structured(&f, "References", big), 0);
	check_field(f.data, f.len, "References", 0, &o);
	big[4 + 997] = 'x';
	big[4 + 998] = '\0';
	errno = 0;
	buf_reset(&f);
	assert_int_equal(hdr_structured(&f, "References", big), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(f.len, 0);
	free(big);
	buf_free(&f);
	buf_free(&body);
	over_report(&o);
}

/* A failed call leaves out exactly as it was. */
static void
expect_einval_text(const char *name, const char *value)
{
	struct buf f;

	buf_init(&f, OUT_MAX);
	assert_int_equal(buf_addstr(&f, "Keep: me\r\n"), 0);
	errno = 0;
	assert_int_equal(hdr_unstructured(&f, name, value), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(buf_str(&f), "Keep: me\r\n");
	buf_free(&f);
}

static void
expect_einval_addr(const char *name, const char *spec, size_t n)
{
	struct addr a[2] = { { (char *)"Ok", (char *)"ok@example.org" },
	    { (char *)name, (char *)spec } };
	struct buf f;

	buf_init(&f, OUT_MAX);
	assert_int_equal(buf_addstr(&f, "Keep: me\r\n"), 0);
	errno = 0;
	assert_int_equal(hdr_addresses(&f, "To", a, n), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(buf_str(&f), "Keep: me\r\n");
	buf_free(&f);
}

static void
expect_einval_param(const char *value, const char *pname, const char *pvalue)
{
	struct hdr_param p = { pname, pvalue };
	struct buf f;

	buf_init(&f, OUT_MAX);
	assert_int_equal(buf_addstr(&f, "Keep: me\r\n"), 0);
	errno = 0;
	assert_int_equal(hdr_params(&f, "Content-Type", value, &p, 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(buf_str(&f), "Keep: me\r\n");
	buf_free(&f);
}

static void
test_errors(void **state)
{
	char name77[78];
	struct buf f;
	size_t i, len;
	int r;

	(void)state;
	memset(name77, 'X', 77);
	name77[77] = '\0';
	expect_einval_text("", "x");
	expect_einval_text("Sub ject", "x");
	expect_einval_text("Subject:", "x");
	expect_einval_text("Subj\xc3\xa9" "ct", "x");
	expect_einval_text("Sub\tject", "x");
	expect_einval_text(name77, "x");
	expect_einval_text(NULL, "x");
	expect_einval_text("Subject", NULL);
	/* 76 characters is the longest name: "Name: " is 78 octets. */
	name77[76] = '\0';
	{
		struct over o = { "76-character field name", 0, 0, "" };

		roundtrip_text(name77, "x", &o);
		roundtrip_text(name77, "\xc3\xa9t\xc3\xa9 \xc3\xa9t\xc3\xa9",
		    &o);
		over_report(&o);
	}
	expect_einval_addr("x", "no-at-sign", 2);
	expect_einval_addr("x", "a b@c", 2);
	expect_einval_addr("x", "a@b, evil@c", 2);
	expect_einval_addr("x", "a@b>", 2);
	expect_einval_addr("x", "<a@b", 2);
	/* RFC 6532: a UTF-8 address goes as it is (it needs SMTPUTF8). */
	{
		struct addr u = { NULL, (char *)"j\xc3\xb6rg@example.de" };
		struct buf f;

		buf_init(&f, OUT_MAX);
		assert_int_equal(hdr_addresses(&f, "To", &u, 1), 0);
		assert_string_equal(buf_str(&f),
		    "To: j\xc3\xb6rg@example.de\n");
		buf_free(&f);
	}
	expect_einval_addr("x", "a@b\r\nBcc: c@d", 2);
	expect_einval_addr("x", "\"unclosed@b", 2);
	expect_einval_addr("x", "", 2);
	expect_einval_addr("x", NULL, 2);
	expect_einval_addr("x", "a@b", 0);
	expect_einval_param("text/plain", "charset", NULL);
	expect_einval_param("", "charset", "utf-8");
	expect_einval_param("text/plain; x=y", "charset", "utf-8");
	expect_einval_param("text/pl\xc3\xa4in", "charset", "utf-8");
	expect_einval_param("text/plain", "", "utf-8");
	expect_einval_param("text/plain", "char set", "utf-8");
	expect_einval_param("text/plain", "charset*", "utf-8");
	expect_einval_param("text/plain", "char'set", "utf-8");
	expect_einval_param("text/plain", "name=x", "utf-8");
	expect_einval_param("multipart/mixed", "boundary", "\xc3\xa9");
	/* A full buffer: E2BIG at any size short of the field, nothing kept. */
	buf_init(&f, OUT_MAX);
	assert_int_equal(hdr_unstructured(&f, "Subject", samples[8]), 0);
	len = f.len;
	buf_free(&f);
	for (i = 0; i < len; i++) {
		buf_init(&f, i);
		errno = 0;
		r = hdr_unstructured(&f, "Subject", samples[8]);
		assert_int_equal(r, -1);
		assert_int_equal(errno, E2BIG);
		assert_int_equal(f.len, 0);
		buf_free(&f);
	}
	buf_init(&f, len);
	assert_int_equal(hdr_unstructured(&f, "Subject", samples[8]), 0);
	buf_free(&f);
	for (i = 0; i < 60; i++) {
		struct hdr_param p = { "filename", samples[3] };
		struct addr a = { (char *)samples[3], (char *)"a@b.c" };

		buf_init(&f, i);
		errno = 0;
		assert_int_equal(hdr_params(&f, "Content-Disposition",
		    "attachment", &p, 1), -1);
		assert_int_equal(errno, E2BIG);
		errno = 0;
		assert_int_equal(hdr_addresses(&f, "From", &a, 1), -1);
		assert_int_equal(errno, E2BIG);
		assert_int_equal(f.len, 0);
		buf_free(&f);
	}
}

/* rfc822_decode_words() reads back what hdr_unstructured() writes, for every kind of text. */
static void
test_decode_round_trip(void **state)
{
	static const char *const texts[] = {
		"", "plain ASCII", "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln",
		"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae"
		    "\xe4\xbb\xb6\xe5\x90\x8d",
		"emoji \xf0\x9f\x98\x80 in the middle \xf0\x9f\x90\xa6",
		"=?looks?Q?encoded?= but is not", "two  spaces and\ttab",
		"trailing space ", " leading", "a_b=c?d",
	};
	struct buf f, body, dec;
	size_t i;

	(void)state;
	buf_init(&f, 1 << 20);
	buf_init(&body, 1 << 20);
	buf_init(&dec, 1 << 20);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		buf_reset(&f);
		buf_reset(&dec);
		assert_int_equal(hdr_unstructured(&f, "Subject", texts[i]), 0);
		field_body(&f, "Subject", &body);
		assert_int_equal(rfc822_decode_words(&dec, buf_str(&body), body.len), 0);
		if (strcmp(buf_str(&dec), texts[i]) != 0)
			fail_msg("'%s' came back as '%s'", texts[i],
			    buf_str(&dec));
	}
	/* Long texts, folded over many lines. */
	{
		size_t n, k;
		char **v = long_samples(&n);

		for (k = 0; k < n; k++) {
			buf_reset(&f);
			buf_reset(&dec);
			if (hdr_unstructured(&f, "Subject", v[k]) != 0)
				continue;
			field_body(&f, "Subject", &body);
			assert_int_equal(rfc822_decode_words(&dec, buf_str(&body),
			    body.len), 0);
			assert_string_equal(buf_str(&dec), v[k]);
			free(v[k]);
		}
		free(v);
	}
	/* The samples the encoder is tested with. */
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		buf_reset(&f);
		buf_reset(&dec);
		if (hdr_unstructured(&f, "Subject", samples[i]) != 0)
			continue;
		field_body(&f, "Subject", &body);
		assert_int_equal(rfc822_decode_words(&dec, buf_str(&body), body.len), 0);
		assert_string_equal(buf_str(&dec), samples[i]);
	}
	buf_free(&f);
	buf_free(&body);
	buf_free(&dec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_unstructured),
		cmocka_unit_test(test_exact_addresses),
		cmocka_unit_test(test_exact_params),
		cmocka_unit_test(test_roundtrip_subjects),
		cmocka_unit_test(test_roundtrip_names),
		cmocka_unit_test(test_roundtrip_filenames),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_structured),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_decode_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
