/* htmlref.c - HTML character references (&amp; &eacute; &#8217; &#x1F600;) to characters, and those to UTF-8. */
/* SPDX-License-Identifier: ISC */
#include "htmlref.h"

#include <ctype.h>
#include <string.h>

#include "util.h"

#define REPLACEMENT 0xFFFD

/* The HTML 4 Latin-1 names, U+00A0 to U+00FF in order. */
static const char *const latin1[96] = {
	"nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect",
	"uml", "copy", "ordf", "laquo", "not", "shy", "reg", "macr",
	"deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot",
	"cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34",
	"iquest", "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring",
	"AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave",
	"Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute",
	"Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute",
	"Ucirc", "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute",
	"acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave",
	"eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth",
	"ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide",
	"oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn",
	"yuml",
};

/* Other names that mail uses; 0 means "nothing to show". */
static const struct {
	const char *name;
	uint32_t cp;
} named[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "OElig", 0x152 }, { "oelig", 0x153 },
	{ "Scaron", 0x160 }, { "scaron", 0x161 }, { "Yuml", 0x178 },
	{ "fnof", 0x192 }, { "circ", 0x2C6 }, { "tilde", 0x2DC },
	{ "ensp", ' ' }, { "emsp", ' ' }, { "thinsp", ' ' },
	{ "zwnj", 0x200C }, { "zwj", 0x200D }, { "lrm", 0 }, { "rlm", 0 },
	{ "ndash", 0x2013 }, { "mdash", 0x2014 }, { "lsquo", 0x2018 },
	{ "rsquo", 0x2019 }, { "sbquo", 0x201A }, { "ldquo", 0x201C },
	{ "rdquo", 0x201D }, { "bdquo", 0x201E }, { "dagger", 0x2020 },
	{ "Dagger", 0x2021 }, { "bull", 0x2022 }, { "hellip", 0x2026 },
	{ "permil", 0x2030 }, { "prime", 0x2032 }, { "Prime", 0x2033 },
	{ "lsaquo", 0x2039 }, { "rsaquo", 0x203A }, { "oline", 0x203E },
	{ "frasl", 0x2044 }, { "euro", 0x20AC }, { "trade", 0x2122 },
	{ "larr", 0x2190 }, { "uarr", 0x2191 }, { "rarr", 0x2192 },
	{ "darr", 0x2193 }, { "harr", 0x2194 }, { "minus", 0x2212 },
	{ "ne", 0x2260 }, { "le", 0x2264 }, { "ge", 0x2265 },
	{ "infin", 0x221E }, { "hearts", 0x2665 },
};

/* Numeric references 0x80-0x9F mean windows-1252 (0: undefined there). */
static const uint16_t cp1252[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* A numeric reference's value as a character to show. */
static uint32_t
checked(uint32_t v)
{
	if (v >= 0x80 && v < 0xA0 && cp1252[v - 0x80] != 0)
		return cp1252[v - 0x80];
	if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v < 0xE000) ||
	    (v < 0x20 && v != '\t' && v != '\n' && v != '\r' && v != '\f') ||
	    (v >= 0x7F && v < 0xA0))
		return REPLACEMENT;
	return v;
}

/* The name s[0..n) as a character; -1 when unknown. */
static long
lookup(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < 96; i++)
		if (strlen(latin1[i]) == n && memcmp(latin1[i], s, n) == 0)
			return i == 0x0D ? 0 : (long)(0xA0 + i);  /* shy: none */
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strlen(named[i].name) == n && memcmp(named[i].name, s, n) == 0)
			return (long)named[i].cp;
	return -1;
}

size_t
htmlref_read(const char *s, size_t n, uint32_t *cp)
{
	size_t i = 1, start;
	uint32_t v = 0;
	int hex, d;
	long k;

	if (i < n && s[i] == '#') {
		hex = ++i < n && (s[i] == 'x' || s[i] == 'X');
		i += (size_t)hex;
		for (start = i; i < n; i++) {
			d = hex ? util_hexval((unsigned char)s[i]) :
			    isdigit((unsigned char)s[i]) ? s[i] - '0' : -1;
			if (d < 0)
				break;
			if (v <= 0x10FFFF)
				v = v * (hex ? 16 : 10) + (uint32_t)d;
		}
		if (i == start)
			return 0;
		*cp = checked(v);
		return i + (i < n && s[i] == ';');
	}
	for (start = i; i < n && i - start < 32 &&
	    isalnum((unsigned char)s[i]); i++)
		;
	if ((k = lookup(s + start, i - start)) < 0)
		return 0;
	*cp = (uint32_t)k;
	if (i < n && s[i] == ';')
		return i + 1;
	/* Without the ';' only the oldest names count, as browsers do. */
	return k == '&' || k == '<' || k == '>' || k == '"' || k == 0xA0 ?
	    i : 0;
}

size_t
htmlref_utf8(uint32_t cp, char u[4])
{
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return n;
}
