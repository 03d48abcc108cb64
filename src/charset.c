/* charset.c - UTF-8 checks, conversion to and from UTF-8 (iconv), MIME charset names. */
/* SPDX-License-Identifier: ISC */
#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <langinfo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "util.h"

/* Longest charset name we compare against our tables (after name_key()). */
#define KEY_MAX 64

/* How a run of iconv() ended. */
enum conv {
	CONV_OK,
	CONV_ILSEQ,	/* an invalid sequence, or no representation */
	CONV_INCOMPLETE,	/* the input ends inside a character */
	CONV_NOMEM,	/* malloc failed */
	CONV_FULL,	/* out would grow past its maximum */
	CONV_FAILED,	/* any other errno from iconv() */
};

/* Spellings of the MIME names, keyed by name_key(). */
static const struct {
	const char *key;
	const char *mime;
} mime_names[] = {
	{ "ansix341968", "us-ascii" },
	{ "ansix341986", "us-ascii" },
	{ "usascii", "us-ascii" },
	{ "ascii", "us-ascii" },
	{ "iso646us", "us-ascii" },
	{ "iso646irv1991", "us-ascii" },
	{ "isoir6", "us-ascii" },
	{ "csascii", "us-ascii" },
	{ "ibm367", "us-ascii" },
	{ "cp367", "us-ascii" },
	{ "us", "us-ascii" },
	{ "utf8", "utf-8" },
	{ "iso10646utf8", "utf-8" },
	{ "utf7", "utf-7" },
	{ "utf16", "utf-16" },
	{ "utf16be", "utf-16be" },
	{ "utf16le", "utf-16le" },
	{ "utf32", "utf-32" },
	{ "utf32be", "utf-32be" },
	{ "utf32le", "utf-32le" },
	{ "iso88591", "iso-8859-1" },
	{ "iso88592", "iso-8859-2" },
	{ "iso88593", "iso-8859-3" },
	{ "iso88594", "iso-8859-4" },
	{ "iso88595", "iso-8859-5" },
	{ "iso88596", "iso-8859-6" },
	{ "iso88597", "iso-8859-7" },
	{ "iso88598", "iso-8859-8" },
	{ "iso88599", "iso-8859-9" },
	{ "iso885910", "iso-8859-10" },
	{ "iso885911", "iso-8859-11" },
	{ "iso885913", "iso-8859-13" },
	{ "iso885914", "iso-8859-14" },
	{ "iso885915", "iso-8859-15" },
	{ "iso885916", "iso-8859-16" },
	{ "latin1", "iso-8859-1" },
	{ "latin2", "iso-8859-2" },
	{ "latin3", "iso-8859-3" },
	{ "latin4", "iso-8859-4" },
	{ "latin5", "iso-8859-9" },
	{ "latin6", "iso-8859-10" },
	{ "latin7", "iso-8859-13" },
	{ "latin8", "iso-8859-14" },
	{ "latin9", "iso-8859-15" },
	{ "latin10", "iso-8859-16" },
	{ "cp1250", "windows-1250" },
	{ "cp1251", "windows-1251" },
	{ "cp1252", "windows-1252" },
	{ "cp1253", "windows-1253" },
	{ "cp1254", "windows-1254" },
	{ "cp1255", "windows-1255" },
	{ "cp1256", "windows-1256" },
	{ "cp1257", "windows-1257" },
	{ "cp1258", "windows-1258" },
	{ "windows1250", "windows-1250" },
	{ "windows1251", "windows-1251" },
	{ "windows1252", "windows-1252" },
	{ "windows1253", "windows-1253" },
	{ "windows1254", "windows-1254" },
	{ "windows1255", "windows-1255" },
	{ "windows1256", "windows-1256" },
	{ "windows1257", "windows-1257" },
	{ "windows1258", "windows-1258" },
	{ "koi8r", "koi8-r" },
	{ "koi8u", "koi8-u" },
	{ "eucjp", "euc-jp" },
	{ "euckr", "euc-kr" },
	{ "sjis", "shift_jis" },
	{ "shiftjis", "shift_jis" },
	{ "mskanji", "shift_jis" },
	{ "cp932", "windows-31j" },
	{ "windows31j", "windows-31j" },
	{ "iso2022jp", "iso-2022-jp" },
	{ "iso2022kr", "iso-2022-kr" },
	{ "big5hkscs", "big5-hkscs" },
	{ "tis620", "tis-620" },
};

#define NMIME_NAMES (sizeof mime_names / sizeof mime_names[0])

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * cs lower-cased with everything but letters and digits left out
 * ("ISO_8859-1" -> "iso88591"), into key[KEY_MAX]: 0, or -1 when it is
 * too long to be one of the names we know.
 */
static int
name_key(const char *cs, char *key)
{
	size_t k = 0;

	for (; *cs != '\0'; cs++) {
		char c = lower(*cs);

		if ((c < 'a' || c > 'z') && (c < '0' || c > '9'))
			continue;
		if (k + 1 >= KEY_MAX)
			return -1;
		key[k++] = c;
	}
	key[k] = '\0';
	return 0;
}

/* The MIME name of cs when our table knows it, else NULL. */
static const char *
known_name(const char *cs)
{
	char key[KEY_MAX];
	size_t i;

	if (name_key(cs, key) < 0)
		return NULL;
	for (i = 0; i < NMIME_NAMES; i++)
		if (strcmp(mime_names[i].key, key) == 0)
			return mime_names[i].mime;
	return NULL;
}

static int
is_utf8_name(const char *cs)
{
	const char *m = known_name(cs);

	return m != NULL && strcmp(m, "utf-8") == 0;
}

static int
is_ascii_name(const char *cs)
{
	const char *m = known_name(cs);

	return m != NULL && strcmp(m, "us-ascii") == 0;
}

/*
 * Refuse names that would make iconv inexact ("//TRANSLIT", "//IGNORE")
 * or that glibc reads as "the locale's charset" (the empty name).
 */
static enum err
check_name(const char *cs, char **errstr)
{
	if (*cs == '\0') {
		util_seterr(errstr, "%s", _("empty character set name"));
		return ERR_CONFIG;
	}
	if (strstr(cs, "//") != NULL) {
		util_seterr(errstr, _("character set '%s': \"//\" suffixes "
		    "are not allowed"), cs);
		return ERR_CONFIG;
	}
	return ERR_OK;
}

const char *
charset_locale(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && *cs != '\0' ? cs : "US-ASCII";
}

/*
 * Length of the well-formed UTF-8 sequence at s (n > 0 bytes left), or
 * 0 when it is ill-formed or cut off.  The ranges of the second byte
 * are those of RFC 3629 section 4: they exclude overlong forms,
 * surrogates and values past U+10FFFF.
 */
size_t
charset_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	if (s[0] < 0xe0)
		len = 2;
	else if (s[0] < 0xf0)
		len = 3;
	else
		len = 4;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * Is s[0..n) the start of a well-formed sequence that the end of the
 * input cut off?  n is at least 1.
 */
static int
utf8_cut(const unsigned char *s, size_t n)
{
	unsigned char full[4];
	size_t len, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n >= len)
		return 0;
	/*
	 * Every valid lead byte has some continuation.  Once the second
	 * byte is there, 0x80 completes the rest if anything does.
	 */
	memcpy(full, s, n);
	for (i = n; i < len; i++)
		full[i] = 0x80;
	return n == 1 || charset_utf8_seq(full, len) == len;
}

int
charset_utf8_valid(const char *p, size_t n, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)p;
	uint64_t w;
	size_t i = 0, len;

	while (i < n) {
		/* Text is mostly ASCII: skip it eight bytes at a time. */
		if (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & UINT64_C(0x8080808080808080)) == 0) {
				i += 8;
				continue;
			}
		}
		len = charset_utf8_seq(s + i, n - i);
		if (len == 0) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		i += len;
	}
	return 1;
}

int
charset_is_ascii(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	uint64_t w;
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		if ((w & UINT64_C(0x8080808080808080)) != 0)
			return 0;
	}
	for (; i < n; i++)
		if (s[i] >= 0x80)
			return 0;
	return 1;
}

/* The offset of the first byte >= 0x80 in p[0..n), or n. */
static size_t
first_8bit(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			break;
	return i;
}

/*
 * Report the bad sequence that starts at p[off] in charset cs, with its
 * 1-based line (counted by LF bytes) and byte within that line.
 */
static void
report_bad(char **errstr, const char *p, size_t off, const char *cs,
    int incomplete)
{
	unsigned long long line = 1, col;
	const char *q = p, *end = p + off, *nl;

	if (errstr == NULL)
		return;
	while ((nl = memchr(q, '\n', (size_t)(end - q))) != NULL) {
		line++;
		q = nl + 1;
	}
	col = (unsigned long long)(end - q) + 1;
	if (incomplete)
		util_seterr(errstr, _("incomplete %s sequence at line %llu, "
		    "byte %llu (0x%02X)"), cs, line, col,
		    (unsigned)(unsigned char)p[off]);
	else
		util_seterr(errstr, _("invalid %s at line %llu, byte %llu "
		    "(0x%02X)"), cs, line, col,
		    (unsigned)(unsigned char)p[off]);
}

/* Free space in b past len, not counting the byte kept for the NUL. */
static size_t
room(const struct buf *b)
{
	return b->cap > b->len ? b->cap - b->len - 1 : 0;
}

/*
 * Make room for more output after iconv() said E2BIG: at least double
 * the free space, never past b->max.  CONV_OK, CONV_FULL or CONV_NOMEM.
 */
static enum conv
grow(struct buf *b, size_t want)
{
	size_t have = room(b), limit = b->max - b->len;
	size_t least = have > SIZE_MAX / 4 ? SIZE_MAX / 2 : have * 2 + 64;

	if (want < least)
		want = least;
	if (want > limit)
		want = limit;
	if (want <= have)
		return CONV_FULL;
	if (buf_reserve(b, want) < 0)
		return errno == ENOMEM ? CONV_NOMEM : CONV_FULL;
	return CONV_OK;
}

/*
 * Run all of p[0..n) through cd in one loop, appending to out, then put
 * the output back into its initial shift state.  hint is how many bytes
 * of output to make room for first.  On CONV_ILSEQ and CONV_INCOMPLETE
 * *off is where the bad input starts; *irrev counts the characters iconv
 * converted in a non-reversible way.  out may hold partial output when
 * this fails; the caller cuts it back.
 */
static enum conv
run_iconv(iconv_t cd, struct buf *out, const char *p, size_t n, size_t hint,
    size_t *off, size_t *irrev)
{
	char *in = (char *)p;	/* iconv() does not write through it */
	char *o;
	size_t inleft = n, have, oleft, r;
	int flushing = 0;
	enum conv c;

	*irrev = 0;
	if (hint > out->max - out->len)
		hint = out->max - out->len;
	if (buf_reserve(out, hint) < 0)
		return errno == ENOMEM ? CONV_NOMEM : CONV_FULL;
	for (;;) {
		have = room(out);
		o = out->data + out->len;
		oleft = have;
		if (!flushing)
			r = iconv(cd, &in, &inleft, &o, &oleft);
		else
			r = iconv(cd, NULL, NULL, &o, &oleft);
		out->len += have - oleft;
		out->data[out->len] = '\0';
		if (r != (size_t)-1) {
			*irrev += r;
			if (flushing)
				return CONV_OK;
			flushing = 1;
			continue;
		}
		switch (errno) {
		case E2BIG:
			c = grow(out, inleft + inleft / 2);
			if (c != CONV_OK)
				return c;
			break;
		case EILSEQ:
			*off = (size_t)(in - p);
			return CONV_ILSEQ;
		case EINVAL:
			*off = (size_t)(in - p);
			return CONV_INCOMPLETE;
		default:
			return CONV_FAILED;
		}
	}
}

/* Open a converter, reporting an unknown charset as ERR_CONFIG. */
static enum err
open_conv(iconv_t *cd, const char *to, const char *from, const char *name,
    char **errstr)
{
	*cd = iconv_open(to, from);
	if (*cd != (iconv_t)-1)
		return ERR_OK;
	if (errno == ENOMEM)
		return ERR_NOMEM;
	if (errno == EINVAL) {
		util_seterr(errstr, _("unknown character set '%s'"), name);
		return ERR_CONFIG;
	}
	util_seterr(errstr, _("cannot convert to or from '%s': %s"), name,
	    strerror(errno));
	return ERR_IO;
}

/* Map the end of a failed conversion other than a bad sequence. */
static enum err
conv_err(enum conv c, const struct buf *out, const char *cs, char **errstr)
{
	switch (c) {
	case CONV_NOMEM:
		return ERR_NOMEM;
	case CONV_FULL:
		util_seterr(errstr, _("the text is longer than %zu bytes "
		    "after conversion"), out->max);
		return ERR_NOMEM;
	default:
		util_seterr(errstr, _("cannot convert '%s': %s"), cs,
		    strerror(errno));
		return ERR_SOFTWARE;
	}
}

/* Append p[0..n) as it is, turning a full buffer into ERR_NOMEM. */
static enum err
copy(struct buf *out, const char *p, size_t n, char **errstr)
{
	if (buf_add(out, p, n) == 0)
		return ERR_OK;
	if (errno == ENOMEM)
		return ERR_NOMEM;
	util_seterr(errstr, _("the text is longer than %zu bytes after "
	    "conversion"), out->max);
	return ERR_NOMEM;
}

enum err
charset_to_utf8(struct buf *out, const char *p, size_t n, const char *from,
    char **errstr)
{
	size_t start = out->len, off = 0, irrev;
	iconv_t cd;
	enum conv c;
	enum err e;

	e = check_name(from, errstr);
	if (e != ERR_OK)
		return e;
	if (is_utf8_name(from)) {
		if (!charset_utf8_valid(p, n, &off)) {
			report_bad(errstr, p, off, from,
			    utf8_cut((const unsigned char *)p + off, n - off));
			return ERR_DATA;
		}
		return copy(out, p, n, errstr);
	}
	if (is_ascii_name(from)) {
		off = first_8bit(p, n);
		if (off < n) {
			report_bad(errstr, p, off, from, 0);
			return ERR_DATA;
		}
		return copy(out, p, n, errstr);
	}

	e = open_conv(&cd, "UTF-8", from, from, errstr);
	if (e != ERR_OK)
		return e;
	/* Most text is mostly ASCII; growth takes care of the rest. */
	c = run_iconv(cd, out, p, n, n + n / 4 + 64, &off, &irrev);
	(void)iconv_close(cd);
	if (c == CONV_OK)
		return ERR_OK;
	buf_truncate(out, start);
	if (c == CONV_ILSEQ || c == CONV_INCOMPLETE) {
		report_bad(errstr, p, off, from, c == CONV_INCOMPLETE);
		return ERR_DATA;
	}
	return conv_err(c, out, from, errstr);
}

/* The code point of the well-formed UTF-8 sequence at s. */
static unsigned long
utf8_decode(const unsigned char *s)
{
	if (s[0] < 0x80)
		return s[0];
	if (s[0] < 0xe0)
		return (unsigned long)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	if (s[0] < 0xf0)
		return (unsigned long)(s[0] & 0x0f) << 12 |
		    (unsigned long)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	return (unsigned long)(s[0] & 0x07) << 18 |
	    (unsigned long)(s[1] & 0x3f) << 12 |
	    (unsigned long)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

/* Report that the character at p[off] has no representation in cs. */
static void
report_unmappable(char **errstr, const char *p, size_t off, const char *cs)
{
	util_seterr(errstr, _("U+%04lX cannot be represented in %s"),
	    utf8_decode((const unsigned char *)p + off), cs);
}

enum err
charset_from_utf8(struct buf *out, const char *p, size_t n, const char *to,
    char **errstr)
{
	size_t start = out->len, off = 0, irrev;
	iconv_t cd;
	enum conv c;
	enum err e;

	e = check_name(to, errstr);
	if (e != ERR_OK)
		return e;
	if (!charset_utf8_valid(p, n, &off)) {
		report_bad(errstr, p, off, "UTF-8",
		    utf8_cut((const unsigned char *)p + off, n - off));
		return ERR_DATA;
	}
	if (is_utf8_name(to))
		return copy(out, p, n, errstr);
	if (is_ascii_name(to)) {
		off = first_8bit(p, n);
		if (off < n) {
			report_unmappable(errstr, p, off, to);
			return ERR_DATA;
		}
		return copy(out, p, n, errstr);
	}

	e = open_conv(&cd, to, "UTF-8", to, errstr);
	if (e != ERR_OK)
		return e;
	c = run_iconv(cd, out, p, n, n + 64, &off, &irrev);
	(void)iconv_close(cd);
	if (c == CONV_OK && irrev == 0)
		return ERR_OK;
	buf_truncate(out, start);
	if (c == CONV_OK) {
		util_seterr(errstr, _("some characters cannot be represented "
		    "exactly in %s"), to);
		return ERR_DATA;
	}
	if (c == CONV_ILSEQ) {
		report_unmappable(errstr, p, off, to);
		return ERR_DATA;
	}
	if (c == CONV_INCOMPLETE) {
		/* Cannot happen: the input was checked to be whole. */
		util_seterr(errstr, _("cannot convert '%s': %s"), to,
		    strerror(EINVAL));
		return ERR_SOFTWARE;
	}
	return conv_err(c, out, to, errstr);
}

/* May c appear in a MIME charset name (RFC 2978 mime-charset-chars)? */
static int
mime_charset_char(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'+-^_`{}~", c) != NULL;
}

const char *
charset_mime_name(const char *cs, char *buf, size_t len)
{
	const char *m;
	size_t i;

	if (*cs == '\0')
		return NULL;
	m = known_name(cs);
	if (m != NULL)
		return m;
	for (i = 0; cs[i] != '\0'; i++) {
		if (!mime_charset_char(cs[i]) || i + 1 >= len)
			return NULL;
		buf[i] = lower(cs[i]);
	}
	buf[i] = '\0';
	return buf;
}

int
charset_text_utf8(struct buf *out, const char *p, size_t n,
    const char *charset)
{
	size_t mark = out->len;

	if (charset_utf8_valid(p, n, NULL) && (charset == NULL ||
	    strcasecmp(charset, "utf-8") == 0 ||
	    strcasecmp(charset, "us-ascii") == 0))
		return buf_add(out, p, n) < 0 ? -1 : 0;
	if (charset != NULL && charset_to_utf8(out, p, n, charset,
	    NULL) == ERR_OK)
		return 0;
	buf_truncate(out, mark);
	if (charset_utf8_valid(p, n, NULL))
		return buf_add(out, p, n) < 0 ? -1 : 0;
	/* An unknown or wrong charset: Latin-1 keeps every byte readable. */
	if (charset_to_utf8(out, p, n, "ISO-8859-1", NULL) != ERR_OK) {
		buf_truncate(out, mark);
		return -1;
	}
	return 1;
}
