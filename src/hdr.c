/* hdr.c - header fields for outgoing mail: RFC 2047, RFC 2231, folding. */
/* SPDX-License-Identifier: ISC */
#include "hdr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "charset.h"
#include "util.h"

/* RFC 5322 2.1.1: a line SHOULD stay within 78 octets, MUST within 998. */
#define LINE_SOFT 78
#define LINE_HARD 998
/* RFC 2047 2: an encoded-word is at most 75 characters. */
#define EW_MAX 75
/* "=?UTF-8?Q?" before the encoded text and "?=" after it. */
#define EW_HEAD "=?UTF-8?"
#define EW_OVERHEAD 12
/* The longest field or parameter name: "Name: " fits a 78-octet line. */
#define FIELD_NAME_MAX 76
/*
 * Start a run of encoded-words on a line that already holds text only
 * when the first word can be this long; a shorter one would be a stub
 * followed by a fold anyway.
 */
#define EW_MIN_FILL 30
/*
 * The longest display name written as a quoted string or atoms; a longer
 * one is encoded, so that it can fold.
 */
#define ITEM_MAX (LINE_HARD - LINE_SOFT)
/* The charset and (empty) language in front of an RFC 2231 value. */
static const char rfc2231_head[] = "utf-8''";
#define RFC2231_HEAD_LEN (sizeof(rfc2231_head) - 1)

/*
 * The writer of one field.  Every piece of the value is an item: a
 * word, an encoded-word, "<spec>,", "name=value;".  Items follow one
 * another after one or more spaces, and a fold (LF) may go before
 * those spaces, so unfolding gives back exactly what was written.  The
 * space after "Name:" counts as the first item's: when even the first
 * item does not fit the first line, the field starts "Name:" LF " ",
 * which unfolds to "Name: " all the same (RFC 5322 lets the body of
 * structured and unstructured fields start with folding white space).
 */
struct hw {
	struct buf *out;
	size_t start;           /* out->len before the field: undo point */
	size_t col;             /* octets on the current line */
	int first;              /* no item yet after "Name:" */
};

static int
is_print(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 atext, ASCII only. */
static int
is_atext(unsigned char c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~",
	    c) != NULL);
}

/* RFC 2045 token character: printable, no space, no tspecial. */
static int
is_token(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* RFC 2231 attribute-char: a token character other than '*', '\'', '%'. */
static int
is_attr(unsigned char c)
{
	return is_token(c) && c != '*' && c != '\'' && c != '%';
}

/*
 * The length of the UTF-8 character at s[0..n): 2 to 4 for a well-formed
 * sequence (no overlong forms, surrogates or values past U+10FFFF), else
 * 1, so that ASCII and stray bytes each count as one character.
 */
static size_t
char_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (u[0] < 0xc2 || u[0] > 0xf4)
		return 1;
	if (u[0] < 0xe0) {
		len = 2;
	} else if (u[0] < 0xf0) {
		len = 3;
		if (u[0] == 0xe0)
			lo = 0xa0;
		else if (u[0] == 0xed)
			hi = 0x9f;
	} else {
		len = 4;
		if (u[0] == 0xf0)
			lo = 0x90;
		else if (u[0] == 0xf4)
			hi = 0x8f;
	}
	if (len > n || u[1] < lo || u[1] > hi)
		return 1;
	for (i = 2; i < len; i++)
		if (u[i] < 0x80 || u[i] > 0xbf)
			return 1;
	return len;
}

/* Whether s[0..n) has "=?" or "?=": a decoder may see an encoded-word. */
static int
has_ew_mark(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if ((s[i] == '=' && s[i + 1] == '?') ||
		    (s[i] == '?' && s[i + 1] == '='))
			return 1;
	return 0;
}

/* The next word (run of non-spaces) at or after p: 1 with [*ws, *we), or 0. */
static int
next_word(const char *p, const char *end, const char **ws, const char **we)
{
	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return 0;
	*ws = p;
	while (p < end && *p != ' ')
		p++;
	*we = p;
	return 1;
}

/* Check the field name and write "Name:" (the space comes with an item). */
static int
hw_begin(struct hw *w, struct buf *out, const char *name)
{
	size_t n, i;

	if (out == NULL || name == NULL) {
		errno = EINVAL;
		return -1;
	}
	w->out = out;
	w->start = out->len;
	w->first = 1;
	n = strlen(name);
	if (n == 0 || n > FIELD_NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!is_print((unsigned char)name[i]) || name[i] == ' ' ||
		    name[i] == ':') {
			errno = EINVAL;
			return -1;
		}
	}
	if (buf_add(out, name, n) < 0 || buf_addch(out, ':') < 0) {
		buf_truncate(out, w->start);
		return -1;
	}
	w->col = n + 1;
	return 0;
}

/*
 * End the field with LF when r is 0 (after the space of "Name: " when
 * the value is empty); otherwise take it all back.
 */
static int
hw_finish(struct hw *w, int r)
{
	if (r == 0 && (!w->first || buf_addch(w->out, ' ') == 0) &&
	    buf_addch(w->out, '\n') == 0)
		return 0;
	/* buf_truncate() leaves errno alone: the cause stays visible. */
	buf_truncate(w->out, w->start);
	return -1;
}

/*
 * Begin an item of n octets after sp spaces, on a new line when fold is
 * set.  The first item always has one space, the one of "Name: "; every
 * later one needs at least one.  The caller then appends exactly the n
 * octets.  EINVAL when the line would pass 998.
 */
static int
hw_place(struct hw *w, int fold, size_t sp, size_t n)
{
	static const char spaces[] = "                                ";
	size_t col, k;

	if (w->first) {
		sp = 1;
	} else if (sp == 0) {
		errno = EINVAL;
		return -1;
	}
	col = fold ? 0 : w->col;
	if (n > LINE_HARD || sp > LINE_HARD - n || col > LINE_HARD - n - sp) {
		errno = EINVAL;
		return -1;
	}
	if (fold && buf_addch(w->out, '\n') < 0)
		return -1;
	w->col = col + sp + n;
	w->first = 0;
	while (sp > 0) {
		k = sp < sizeof(spaces) - 1 ? sp : sizeof(spaces) - 1;
		if (buf_add(w->out, spaces, k) < 0)
			return -1;
		sp -= k;
	}
	return 0;
}

/* Like hw_place(), folding when the item would pass 78 octets. */
static int
hw_start(struct hw *w, size_t sp, size_t n)
{
	if (w->first)
		sp = 1;
	return hw_place(w, w->col + sp + n > LINE_SOFT, sp, n);
}

/* hw_start() and the item's octets. */
static int
hw_item(struct hw *w, size_t sp, const char *p, size_t n)
{
	if (hw_start(w, sp, n) < 0 || buf_add(w->out, p, n) < 0)
		return -1;
	return 0;
}

/*
 * Encoded-words.  Q may show a character as itself when it is safe in
 * the context: in unstructured text (RFC 2047 5(1)) every printable
 * character but '=', '?' and '_'; in a phrase (5(3)) only letters,
 * digits and "!*+-/".  A space is '_' in both.
 */
static int
q_plain(unsigned char c, int phrase)
{
	if (phrase)
		return is_alnum(c) || (c != '\0' && strchr("!*+-/", c) != NULL);
	return c > 0x20 && c < 0x7f && c != '=' && c != '?' && c != '_';
}

static size_t
q_cost(unsigned char c, int phrase)
{
	return c == ' ' || q_plain(c, phrase) ? 1 : 3;
}

/* One encoded-word to write: its input, its length and its encoding. */
struct ew_plan {
	size_t used;            /* input bytes it holds */
	size_t len;             /* characters, "=?UTF-8?" to "?=" */
	int b;                  /* B, else Q */
};

/*
 * The encoded-word that holds the most whole characters of s[0..n) in
 * room characters (at most 75): Q or B, whichever holds more, the
 * shorter one when they hold the same, Q on a tie.  used is 0 when not
 * even one character fits.
 */
static void
ew_plan(const char *s, size_t n, size_t room, int phrase, struct ew_plan *pl)
{
	size_t q = 0, qlen = 0, b = 0, k, c, i;

	pl->used = 0;
	pl->len = 0;
	pl->b = 0;
	if (room > EW_MAX)
		room = EW_MAX;
	if (room <= EW_OVERHEAD)
		return;
	room -= EW_OVERHEAD;
	while (q < n) {
		k = char_len(s + q, n - q);
		for (c = 0, i = 0; i < k; i++)
			c += q_cost((unsigned char)s[q + i], phrase);
		if (qlen + c > room)
			break;
		qlen += c;
		q += k;
	}
	while (b < n) {
		k = char_len(s + b, n - b);
		if (BASE64_LEN(b + k) > room)
			break;
		b += k;
	}
	if (b > q || (b == q && BASE64_LEN(b) < qlen)) {
		pl->used = b;
		pl->len = EW_OVERHEAD + BASE64_LEN(b);
		pl->b = 1;
	} else {
		pl->used = q;
		pl->len = EW_OVERHEAD + qlen;
	}
}

/* Append the encoded-word pl plans for s. */
static int
ew_write(struct buf *out, const char *s, const struct ew_plan *pl, int phrase)
{
	static const char hex[] = "0123456789ABCDEF";
	char ew[EW_MAX];
	size_t o = sizeof(EW_HEAD) - 1, i;
	unsigned char c;

	memcpy(ew, EW_HEAD, o);
	ew[o++] = pl->b ? 'B' : 'Q';
	ew[o++] = '?';
	if (pl->b) {
		o += base64_encode(ew + o, s, pl->used);
	} else {
		for (i = 0; i < pl->used; i++) {
			c = (unsigned char)s[i];
			if (c == ' ') {
				ew[o++] = '_';
			} else if (q_plain(c, phrase)) {
				ew[o++] = (char)c;
			} else {
				ew[o++] = '=';
				ew[o++] = hex[c >> 4];
				ew[o++] = hex[c & 15];
			}
		}
	}
	ew[o++] = '?';
	ew[o++] = '=';
	return buf_add(out, ew, o);
}

/*
 * s[0..n) as a run of encoded-words, one space (or a fold) between
 * them.  The first one shares the current line when the whole run fits
 * there, or when it cannot fit a fresh line either and a good part of it
 * fits here; otherwise it starts a new line.
 */
static int
put_words(struct hw *w, const char *s, size_t n, int phrase)
{
	struct ew_plan here, fresh;
	const struct ew_plan *pl;
	size_t room;
	int fold;

	while (n > 0) {
		room = w->col + 1 < LINE_SOFT ? LINE_SOFT - w->col - 1 : 0;
		ew_plan(s, n, room, phrase, &here);
		ew_plan(s, n, LINE_SOFT - 1, phrase, &fresh);
		fold = !(here.used == n || (here.used > 0 && fresh.used < n &&
		    here.len >= EW_MIN_FILL));
		pl = fold ? &fresh : &here;
		if (pl->used == 0) {
			errno = EINVAL;
			return -1;
		}
		if (hw_place(w, fold, 1, pl->len) < 0 ||
		    ew_write(w->out, s, pl, phrase) < 0)
			return -1;
		s += pl->used;
		n -= pl->used;
	}
	return 0;
}

/*
 * Whether the word [ws, we) of an unstructured value, after sp spaces,
 * must be encoded: it has a byte outside printable ASCII or a mark of
 * an encoded-word, it is the first word after leading spaces or the last
 * before trailing ones, or it cannot fit a 998-octet line as it is.  So
 * is a word that would fit a 78-octet line after one space but not after
 * its sp: encoded, it takes all but one of them along (and can fold).
 */
static int
word_bad(const char *ws, const char *we, size_t sp, int first,
    const char *end)
{
	size_t n = (size_t)(we - ws), i;
	const char *p;

	if ((first && sp > 0) || (first ? 1 : sp) + n > LINE_HARD)
		return 1;
	if (sp > 1 && sp + n > LINE_SOFT && 1 + n <= LINE_SOFT)
		return 1;
	for (p = we; p < end && *p == ' '; p++)
		;
	if (p == end && we != end)
		return 1;
	for (i = 0; i < n; i++)
		if (!is_print((unsigned char)ws[i]))
			return 1;
	return has_ew_mark(ws, n);
}

static int
unstructured(struct hw *w, const char *v)
{
	const char *end = v + strlen(v), *p = v, *ws, *we, *a, *b, *q;
	int first = 1;

	while (next_word(p, end, &ws, &we)) {
		if (!word_bad(ws, we, (size_t)(ws - p), first, end)) {
			if (hw_item(w, (size_t)(ws - p), ws,
			    (size_t)(we - ws)) < 0)
				return -1;
			p = we;
			first = 0;
			continue;
		}
		/*
		 * A run of words to encode.  It takes the leading spaces
		 * when it is first, and all but one space of a gap to a
		 * literal word (which are then one literal space apart),
		 * or all trailing spaces when it is last.
		 */
		a = first ? v : p + 1;
		b = we;
		while (next_word(b, end, &ws, &we) &&
		    word_bad(ws, we, (size_t)(ws - b), 0, end))
			b = we;
		for (q = b; q < end && *q == ' '; q++)
			;
		b = q == end ? end : q - 1;
		if (put_words(w, a, (size_t)(b - a), 0) < 0)
			return -1;
		p = b;
		first = 0;
	}
	/* Nothing but spaces: they can only survive encoded. */
	if (first && p < end)
		return put_words(w, v, (size_t)(end - v), 0);
	return 0;
}

int
hdr_unstructured(struct buf *out, const char *name, const char *value)
{
	struct hw w;

	if (value == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (hw_begin(&w, out, name) < 0)
		return -1;
	return hw_finish(&w, unstructured(&w, value));
}

static int
structured(struct hw *w, const char *v)
{
	const char *end = v + strlen(v), *p, *ws, *we;

	for (p = v; p < end; p++) {
		if (!is_print((unsigned char)*p)) {
			errno = EINVAL;
			return -1;
		}
	}
	/* The spaces before the first word go: hw_place() drops them. */
	for (p = v; next_word(p, end, &ws, &we); p = we)
		if (hw_item(w, (size_t)(ws - p), ws, (size_t)(we - ws)) < 0)
			return -1;
	return 0;
}

int
hdr_structured(struct buf *out, const char *name, const char *value)
{
	struct hw w;

	if (value == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (hw_begin(&w, out, name) < 0)
		return -1;
	return hw_finish(&w, structured(&w, value));
}

/*
 * Whether s[0..n) can stand as an addr-spec in "<...>" and between
 * commas: printable ASCII, atext, '.' and '@' outside quotes, a domain
 * literal in brackets, quoted strings with their escapes, and an '@'
 * outside quotes.  Bytes of 0x80 and above are UTF-8 of an
 * internationalised address (RFC 6532), which needs SMTPUTF8 to travel.
 * Anything that could end the address early or start another one is
 * refused.
 */
static int
spec_ok(const char *s, size_t n)
{
	int quoted = 0, literal = 0, at = 0;
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x80 && !literal)
			continue;
		if (!is_print(c))
			return 0;
		if (quoted) {
			if (c == '\\' && ++i == n)
				return 0;
			if (c == '\\' && !is_print((unsigned char)s[i]))
				return 0;
			if (c == '"')
				quoted = 0;
		} else if (literal) {
			if (c == ']')
				literal = 0;
			else if (c == '[' || c == '\\' || c == ' ')
				return 0;
		} else if (c == '"') {
			quoted = 1;
		} else if (c == '[') {
			literal = 1;
		} else if (c == '@') {
			at = 1;
		} else if (!is_atext(c) && c != '.') {
			return 0;
		}
	}
	return !quoted && !literal && at;
}

enum phrase_kind { PHRASE_ATOMS, PHRASE_QUOTED, PHRASE_ENCODED };

static enum phrase_kind
phrase_kind(const char *s, size_t n)
{
	size_t i, qlen = 2, word = 0, longest = 0;
	int atoms = 1;
	unsigned char c;

	if (has_ew_mark(s, n))
		return PHRASE_ENCODED;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (!is_print(c))
			return PHRASE_ENCODED;
		if (c == ' ') {
			if (i == 0 || i + 1 == n || s[i - 1] == ' ')
				atoms = 0;
			word = 0;
		} else {
			if (!is_atext(c))
				atoms = 0;
			if (++word > longest)
				longest = word;
		}
		qlen += c == '"' || c == '\\' ? 2 : 1;
	}
	if (atoms && longest <= ITEM_MAX)
		return PHRASE_ATOMS;
	return qlen <= ITEM_MAX ? PHRASE_QUOTED : PHRASE_ENCODED;
}

/* A display name s[0..n), n > 0, as one or more items. */
static int
put_phrase(struct hw *w, const char *s, size_t n)
{
	const char *end = s + n, *p, *ws, *we;
	size_t qlen, i;

	switch (phrase_kind(s, n)) {
	case PHRASE_ATOMS:
		for (p = s; next_word(p, end, &ws, &we); p = we)
			if (hw_item(w, 1, ws, (size_t)(we - ws)) < 0)
				return -1;
		return 0;
	case PHRASE_QUOTED:
		for (qlen = 2, i = 0; i < n; i++)
			qlen += s[i] == '"' || s[i] == '\\' ? 2 : 1;
		if (hw_start(w, 1, qlen) < 0 || buf_addch(w->out, '"') < 0)
			return -1;
		for (i = 0; i < n; i++)
			if (((s[i] == '"' || s[i] == '\\') &&
			    buf_addch(w->out, '\\') < 0) ||
			    buf_addch(w->out, s[i]) < 0)
				return -1;
		return buf_addch(w->out, '"');
	case PHRASE_ENCODED:
		break;
	}
	return put_words(w, s, n, 1);
}

static int
addresses(struct hw *w, const struct addr *v, size_t n)
{
	size_t i, sl, comma;

	if (v == NULL || n == 0) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		comma = i + 1 < n;
		if (v[i].spec == NULL ||
		    !spec_ok(v[i].spec, sl = strlen(v[i].spec))) {
			errno = EINVAL;
			return -1;
		}
		if (v[i].name != NULL && v[i].name[0] != '\0') {
			if (put_phrase(w, v[i].name, strlen(v[i].name)) < 0 ||
			    hw_start(w, 1, sl + 2 + comma) < 0 ||
			    buf_addch(w->out, '<') < 0 ||
			    buf_add(w->out, v[i].spec, sl) < 0 ||
			    buf_addch(w->out, '>') < 0)
				return -1;
		} else if (hw_start(w, 1, sl + comma) < 0 ||
		    buf_add(w->out, v[i].spec, sl) < 0) {
			return -1;
		}
		if (comma && buf_addch(w->out, ',') < 0)
			return -1;
	}
	return 0;
}

int
hdr_addresses(struct buf *out, const char *name, const struct addr *v,
    size_t n)
{
	struct hw w;

	if (hw_begin(&w, out, name) < 0)
		return -1;
	return hw_finish(&w, addresses(&w, v, n));
}

/* Append s[0..n) with every byte that is not an attribute-char as %XX. */
static int
put_pct(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (is_attr(c)) {
			if (buf_addch(out, (char)c) < 0)
				return -1;
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		if (buf_add(out, e, 3) < 0)
			return -1;
	}
	return 0;
}

static size_t
pct_len(const char *s, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += is_attr((unsigned char)s[i]) ? 1 : 3;
	return len;
}

/*
 * An RFC 2231 value: name*=utf-8''... when it fits one line, else
 * sections name*0*=utf-8''..., name*1*=..., each sized to fill a line of
 * its own and holding whole UTF-8 characters (some decoders turn each
 * section into text on its own).  semi: a ';' follows the last section.
 */
static int
put_2231(struct hw *w, const char *name, size_t nl, const char *v, size_t vl,
    int semi)
{
	char num[32];
	size_t total = pct_len(v, vl), pos = 0, end, k, head, room, len, cl;
	int dl, more;

	head = nl + 2 + RFC2231_HEAD_LEN;
	if (1 + head + total + (size_t)semi <= LINE_SOFT) {
		if (hw_start(w, 1, head + total + (size_t)semi) < 0 ||
		    buf_add(w->out, name, nl) < 0 ||
		    buf_add(w->out, "*=", 2) < 0 ||
		    buf_add(w->out, rfc2231_head, RFC2231_HEAD_LEN) < 0 ||
		    put_pct(w->out, v, vl) < 0 ||
		    (semi && buf_addch(w->out, ';') < 0))
			return -1;
		return 0;
	}
	for (k = 0; pos < vl; k++) {
		dl = snprintf(num, sizeof(num), "*%zu*=", k);
		if (dl < 0 || (size_t)dl >= sizeof(num)) {
			errno = EINVAL;
			return -1;
		}
		head = nl + (size_t)dl + (k == 0 ? RFC2231_HEAD_LEN : 0);
		/* A space before, a ';' after, room for a 4-byte character. */
		room = 2 + head + 12 <= LINE_SOFT ? LINE_SOFT - 2 - head :
		    LINE_HARD - 2 - head;
		for (end = pos, len = 0; end < vl; end += cl) {
			cl = char_len(v + end, vl - end);
			if (len + pct_len(v + end, cl) > room)
				break;
			len += pct_len(v + end, cl);
		}
		if (end == pos) {
			errno = EINVAL;
			return -1;
		}
		more = end < vl || semi;
		if (hw_start(w, 1, head + len + (size_t)more) < 0 ||
		    buf_add(w->out, name, nl) < 0 ||
		    buf_add(w->out, num, (size_t)dl) < 0 ||
		    (k == 0 && buf_add(w->out, rfc2231_head,
		    RFC2231_HEAD_LEN) < 0) ||
		    put_pct(w->out, v + pos, end - pos) < 0 ||
		    (more && buf_addch(w->out, ';') < 0))
			return -1;
		pos = end;
	}
	return 0;
}

/* One parameter, followed by ';' when semi is set. */
static int
put_param(struct hw *w, const struct hdr_param *p, int semi)
{
	size_t nl, vl, qlen = 2, len, i;
	int ascii = 1, token, boundary;
	unsigned char c;

	if (p->name == NULL || p->value == NULL ||
	    (nl = strlen(p->name)) == 0 || nl > FIELD_NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < nl; i++) {
		if (!is_attr((unsigned char)p->name[i])) {
			errno = EINVAL;
			return -1;
		}
	}
	vl = strlen(p->value);
	token = vl > 0;
	for (i = 0; i < vl; i++) {
		c = (unsigned char)p->value[i];
		if (!is_print(c))
			ascii = 0;
		if (!is_token(c))
			token = 0;
		qlen += c == '"' || c == '\\' ? 2 : 1;
	}
	boundary = strcasecmp(p->name, "boundary") == 0;
	len = nl + 1 + (token ? vl : qlen) + (size_t)semi;
	if (ascii && (boundary || vl == 0 || 1 + len <= LINE_SOFT)) {
		if (hw_start(w, 1, len) < 0 ||
		    buf_add(w->out, p->name, nl) < 0 ||
		    buf_addch(w->out, '=') < 0)
			return -1;
		if (token) {
			if (buf_add(w->out, p->value, vl) < 0)
				return -1;
		} else {
			if (buf_addch(w->out, '"') < 0)
				return -1;
			for (i = 0; i < vl; i++)
				if (((p->value[i] == '"' ||
				    p->value[i] == '\\') &&
				    buf_addch(w->out, '\\') < 0) ||
				    buf_addch(w->out, p->value[i]) < 0)
					return -1;
			if (buf_addch(w->out, '"') < 0)
				return -1;
		}
		return semi ? buf_addch(w->out, ';') : 0;
	}
	if (boundary) {
		errno = EINVAL;
		return -1;
	}
	return put_2231(w, p->name, nl, p->value, vl, semi);
}

static int
params(struct hw *w, const char *value, const struct hdr_param *p, size_t np)
{
	size_t vl, i;

	if (value == NULL || (np > 0 && p == NULL) ||
	    (vl = strlen(value)) == 0) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < vl; i++) {
		if (!is_print((unsigned char)value[i]) || value[i] == ' ' ||
		    value[i] == ';' || value[i] == '"') {
			errno = EINVAL;
			return -1;
		}
	}
	if (hw_start(w, 0, vl + (np > 0)) < 0 ||
	    buf_add(w->out, value, vl) < 0 ||
	    (np > 0 && buf_addch(w->out, ';') < 0))
		return -1;
	for (i = 0; i < np; i++)
		if (put_param(w, &p[i], i + 1 < np) < 0)
			return -1;
	return 0;
}

int
hdr_params(struct buf *out, const char *name, const char *value,
    const struct hdr_param *p, size_t np)
{
	struct hw w;

	if (hw_begin(&w, out, name) < 0)
		return -1;
	return hw_finish(&w, params(&w, value, p, np));
}

int
hdr_autocrypt(struct buf *out, const char *attrs, const char *keydata)
{
	const char *end, *p, *ws, *we;
	struct hw w;
	size_t n;
	int r = 0;

	if (attrs == NULL || keydata == NULL) {
		errno = EINVAL;
		return -1;
	}
	for (p = attrs; *p != '\0'; p++)
		if (!is_print((unsigned char)*p))
			break;
	for (end = keydata; *end != '\0' && r == 0; end++)
		if (!is_print((unsigned char)*end) || *end == ' ')
			r = -1;
	if (*p != '\0' || r < 0) {
		errno = EINVAL;
		return -1;
	}
	if (hw_begin(&w, out, "Autocrypt") < 0)
		return -1;
	end = attrs + strlen(attrs);
	for (p = attrs; r == 0 && next_word(p, end, &ws, &we); p = we)
		r = hw_item(&w, (size_t)(ws - p), ws, (size_t)(we - ws));
	/* Pieces of a line each, after one space: readers drop the blanks. */
	for (p = keydata; r == 0 && *p != '\0'; p += n) {
		n = strlen(p) < HDR_KEYDATA_LINE ? strlen(p) : HDR_KEYDATA_LINE;
		r = hw_item(&w, 1, p, n);
	}
	return hw_finish(&w, r);
}
