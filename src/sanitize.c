/* sanitize.c - make bytes from a server, file or header safe to show on a terminal. */
/* SPDX-License-Identifier: ISC */
#include "sanitize.h"

#include <stdint.h>
#include <stdio.h>

/*
 * Decode one UTF-8 sequence at s[0..n).  Return its length and the code
 * point in *cp, or 0 when the bytes are not a well-formed, shortest-form
 * sequence of a scalar value.
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters that are valid but change how a terminal shows what follows. */
static int
is_hidden_control(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) ||     /* C1 controls */
	    c == 0x061c ||                      /* Arabic letter mark */
	    c == 0x200e || c == 0x200f ||       /* LRM, RLM */
	    (c >= 0x202a && c <= 0x202e) ||     /* bidi embeddings, overrides */
	    (c >= 0x2066 && c <= 0x2069) ||     /* bidi isolates */
	    c == 0xfeff ||                      /* zero width no-break space */
	    c == 0x2028 || c == 0x2029 ||       /* line, paragraph separator */
	    c == 0x180e ||                      /* Mongolian vowel separator */
	    c == 0x200b ||                      /* zero width space */
	    c == 0x200c || c == 0x200d ||       /* ZWNJ, ZWJ (see passes()) */
	    (c >= 0x2060 && c <= 0x2064) ||     /* word joiner, invisible ops */
	    (c >= 0x206a && c <= 0x206f) ||     /* deprecated format controls */
	    (c >= 0xfff9 && c <= 0xfffb) ||     /* interlinear annotation */
	    c == 0xe0001 ||                     /* language tag */
	    (c >= 0xe0020 && c <= 0xe007f);     /* tag characters */
}

/* May c be shown as it is in text of this mode? */
static int
passes(uint32_t c, enum sanitize_mode mode)
{
	/* Joiners shape the letters of a body; in a label they only hide. */
	if (mode == SANITIZE_BODY && (c == 0x200c || c == 0x200d))
		return 1;
	return !is_hidden_control(c);
}

int
sanitize_append(struct buf *out, const char *s, size_t n)
{
	return sanitize_mode_append(out, s, n, SANITIZE_LABEL);
}

int
sanitize_mode_append(struct buf *out, const char *s, size_t n,
    enum sanitize_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, len;
	uint32_t cp;
	char esc[16];
	int r;

	/*
	 * Copy runs of harmless bytes in one go; stop at anything that needs
	 * an escape.
	 */
	while (i < n) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			i++;
			run++;
			continue;
		}
		len = c >= 0x80 ? utf8_decode(p + i, n - i, &cp) : 0;
		if (len > 0 && passes(cp, mode)) {
			i += len;
			run += len;
			continue;
		}
		if (run > 0 && buf_add(out, p + i - run, run) < 0)
			return -1;
		run = 0;
		if (len > 0) {
			r = snprintf(esc, sizeof(esc), "\\u{%X}", (unsigned)cp);
			i += len;
		} else {
			switch (c) {
			case '\\': r = snprintf(esc, sizeof(esc), "\\\\"); break;
			case '\r': r = snprintf(esc, sizeof(esc), "\\r"); break;
			case '\n': r = snprintf(esc, sizeof(esc), "\\n"); break;
			case '\t': r = snprintf(esc, sizeof(esc), "\\t"); break;
			case 0x1b: r = snprintf(esc, sizeof(esc), "\\e"); break;
			default:
				r = snprintf(esc, sizeof(esc), "\\x%02X", c);
				break;
			}
			i++;
		}
		if (r < 0 || buf_add(out, esc, (size_t)r) < 0)
			return -1;
	}
	if (run > 0 && buf_add(out, p + i - run, run) < 0)
		return -1;
	return 0;
}
