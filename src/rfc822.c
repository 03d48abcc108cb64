/* rfc822.c - the one reader of stored messages: header fields, RFC 2047 words, RFC 2231 parameters, the MIME tree, streamed and bounded. */
#include "rfc822.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base64.h"
#include "charset.h"
#include "crlf.h"
#include "i18n.h"
#include "qp.h"
#include "util.h"

/* RFC 2047 2: an encoded-word is at most 75 characters (read: a little more). */
#define EW_READ_MAX 256
/* A boundary is at most 70 characters (RFC 2046 5.1.1); longer ones are read too. */
#define BOUNDARY_MAX 200
/* A line is kept while it may still be a delimiter: "--", boundary, "--", blanks. */
#define HEAD_MAX (2 + BOUNDARY_MAX + 2 + 64)
#define READ_BLOCK (64 * 1024)
/* Content is handed on in blocks of about this size. */
#define OUT_BLOCK (64 * 1024)
#define TYPE_MAX 128

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
		if (!charset_utf8_valid(out->data + old, out->len - old,
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

/* --- the MIME tree ---------------------------------------------------------- */

/* One level of the tree being read: a part, or a multipart around parts. */
struct entity {
	struct rfc822_part part;
	char type[TYPE_MAX];
	char parent[TYPE_MAX];
	char cte[32];
	char *charset, *name;
	struct buf header;
	char *boundary;            /* a multipart being walked */
	size_t blen;
	int closed;                /* its close delimiter came: the epilogue */
	enum rfc822_want want;     /* of a leaf; of a multipart: walk or not */
	int begun;                 /* begin() was called: end() is due */
};

/* Where content goes. */
enum sink { SINK_NONE, SINK_STRUCT, SINK_RAW, SINK_DECODE };

struct rfc822_reader {
	const struct rfc822_ops *ops;
	void *arg;
	struct entity ent[RFC822_DEPTH_MAX + 2];
	unsigned depth;            /* the innermost open entity */
	int in_header;             /* reading ent[depth]'s header */
	size_t line_start;         /* in the header: where the current line starts */
	unsigned flaws, leaves;
	int stop;
	int finished;
	enum err err;
	/* The body, line by line. */
	int bol;                   /* the next byte starts a line */
	int content;               /* the current line is content for sure */
	char head[HEAD_MAX];       /* the start of a line that may be a delimiter */
	size_t nhead;
	char eol[2];               /* the line end held back from the content */
	size_t neol;
	int held_cr;               /* a CR at the end of a piece: a line end's? */
	/* The content of the current leaf. */
	enum sink sink;
	struct buf out;
	int decoder;               /* 0 none, 1 base64, 2 qp, 3 LF */
	struct base64_dec b64;
	struct qp_dec qp;
	struct crlf lf;
};

static struct entity *
cur(struct rfc822_reader *r)
{
	return &r->ent[r->depth];
}

/* Hand the content gathered so far on. */
static void
out_flush(struct rfc822_reader *r)
{
	struct entity *e = cur(r);

	if (r->out.len > 0 && !r->stop && r->ops->data != NULL &&
	    r->ops->data(r->arg, &e->part, buf_str(&r->out), r->out.len) != 0) {
		r->stop = 1;
		r->err = ERR_CANCEL;
	}
	buf_reset(&r->out);
}

/* Content bytes of the current position, to where they belong. */
static void
emit(struct rfc822_reader *r, const char *p, size_t n)
{
	int rc = 0;

	if (n == 0 || r->stop)
		return;
	switch (r->sink) {
	case SINK_NONE:
		return;
	case SINK_STRUCT:
		if (r->ops->raw != NULL && r->ops->raw(r->arg, p, n) != 0) {
			r->stop = 1;
			r->err = ERR_CANCEL;
		}
		return;
	case SINK_RAW:
		rc = buf_add(&r->out, p, n);
		break;
	case SINK_DECODE:
		switch (r->decoder) {
		case 1:
			rc = base64_dec_feed(&r->b64, &r->out, p, n);
			break;
		case 2:
			rc = qp_dec_feed(&r->qp, &r->out, p, n);
			break;
		case 3:
			rc = crlf_convert(&r->lf, &r->out, p, n);
			break;
		default:
			rc = buf_add(&r->out, p, n);
			break;
		}
		break;
	}
	if (rc < 0) {
		r->stop = 1;
		r->err = ERR_NOMEM;
		return;
	}
	if (r->out.len >= OUT_BLOCK)
		out_flush(r);
}

/* Structure bytes (a delimiter line, the line end before it) for the copy. */
static void
emit_struct(struct rfc822_reader *r, const char *p, size_t n)
{
	enum sink s = r->sink;

	/* The content before it goes first: a copy keeps the order. */
	if (n > 0 && r->out.len > 0)
		out_flush(r);
	r->sink = SINK_STRUCT;
	emit(r, p, n);
	r->sink = s;
}

/* The line end held back is content after all: the line after it is. */
static void
release_eol(struct rfc822_reader *r)
{
	size_t n = r->neol;

	r->neol = 0;
	emit(r, r->eol, n);
}

static void
end_entity(struct rfc822_reader *r)
{
	struct entity *e = cur(r);

	if (e->part.multipart == 0 && r->sink == SINK_DECODE && !r->stop) {
		int rc = 0;

		if (r->decoder == 1) {
			base64_dec_finish(&r->b64);
			if (r->b64.bad > 0)
				e->part.flaws |= RFC822_F_ENCODING;
		} else if (r->decoder == 2) {
			rc = qp_dec_finish(&r->qp, &r->out);
			if (r->qp.bad > 0)
				e->part.flaws |= RFC822_F_ENCODING;
		}
		if (rc < 0) {
			r->stop = 1;
			r->err = ERR_NOMEM;
		}
	}
	if (r->sink == SINK_RAW || r->sink == SINK_DECODE)
		out_flush(r);
	r->flaws |= e->part.flaws;
	if (e->begun && r->ops->end != NULL)
		r->ops->end(r->arg, &e->part);
	e->begun = 0;
	free(e->charset);
	free(e->name);
	free(e->boundary);
	e->charset = e->name = e->boundary = NULL;
	buf_free(&e->header);
}

/* After a leaf or a nested multipart ends: what its parent's content is now. */
static void
parent_sink(struct rfc822_reader *r)
{
	struct entity *e = cur(r);

	r->sink = e->boundary != NULL ? SINK_STRUCT : e->want == RFC822_SKIP ?
	    SINK_NONE : e->want == RFC822_DECODE ? SINK_DECODE : SINK_RAW;
}

static enum rfc822_cte
cte_of(const char *s)
{
	if (*s == '\0' || strcmp(s, "7bit") == 0)
		return RFC822_7BIT;
	if (strcmp(s, "8bit") == 0)
		return RFC822_8BIT;
	if (strcmp(s, "binary") == 0)
		return RFC822_BINARY;
	if (strcmp(s, "quoted-printable") == 0)
		return RFC822_QP;
	if (strcmp(s, "base64") == 0)
		return RFC822_BASE64;
	return RFC822_CTE_OTHER;
}

/* Fill the part's description from its header. */
static int
describe(struct rfc822_reader *r, struct entity *e)
{
	const char *h = buf_str(&e->header);
	size_t hn = e->header.len;
	char *ct = rfc822_get(h, hn, "Content-Type");
	char *cd = rfc822_get(h, hn, "Content-Disposition");
	char *cte = rfc822_get(h, hn, "Content-Transfer-Encoding");
	char disp[16];
	struct buf b;
	size_t i;
	int rc = -1;

	buf_init(&b, RFC822_HEADER_MAX);
	rfc822_mime_type(ct, e->type, sizeof(e->type));
	if (e->type[0] == '\0')
		(void)strcpy(e->type, strcmp(e->parent, "multipart/digest") ==
		    0 ? "message/rfc822" : "text/plain");
	if (rfc822_param(ct, "charset", &b) == 1 &&
	    (e->charset = strdup(buf_str(&b))) == NULL)
		goto out;
	buf_reset(&b);
	if ((rfc822_param(cd, "filename", &b) == 1 ||
	    (buf_reset(&b), rfc822_param(ct, "name", &b) == 1)) &&
	    (e->name = strdup(buf_str(&b))) == NULL)
		goto out;
	buf_reset(&b);
	if (strncmp(e->type, "multipart/", 10) == 0 && r->depth <
	    RFC822_DEPTH_MAX) {
		if (rfc822_param(ct, "boundary", &b) == 1 && b.len > 0 &&
		    b.len <= BOUNDARY_MAX && memchr(b.data, '\n', b.len) ==
		    NULL) {
			if ((e->boundary = strdup(buf_str(&b))) == NULL)
				goto out;
			e->blen = b.len;
		} else {
			e->part.flaws |= RFC822_F_BOUNDARY;
		}
	} else if (strncmp(e->type, "multipart/", 10) == 0) {
		e->part.flaws |= RFC822_F_DEPTH;
	}
	/* The disposition: its first word, lower case. */
	for (i = 0; cd != NULL && cd[i] != '\0' && cd[i] != ';' &&
	    cd[i] != ' ' && cd[i] != '\t' && i + 1 < sizeof(disp); i++)
		disp[i] = (char)(cd[i] >= 'A' && cd[i] <= 'Z' ? cd[i] + 32 :
		    cd[i]);
	disp[i] = '\0';
	e->part.attachment = strcmp(disp, "attachment") == 0;
	e->part.disp_inline = strcmp(disp, "inline") == 0;
	for (i = 0; cte != NULL && cte[i] != '\0' && cte[i] != ' ' &&
	    cte[i] != ';' && cte[i] != '(' && i + 1 < sizeof(e->cte); i++)
		e->cte[i] = (char)(cte[i] >= 'A' && cte[i] <= 'Z' ? cte[i] +
		    32 : cte[i]);
	e->cte[i] = '\0';
	rc = 0;
out:
	free(ct);
	free(cd);
	free(cte);
	buf_free(&b);
	return rc;
}

/* The header of the current entity is complete: tell the caller, set the sink. */
static void
header_done(struct rfc822_reader *r)
{
	struct entity *e = cur(r);
	enum rfc822_want w;
	size_t i;

	r->in_header = 0;
	r->bol = 1;
	r->content = 0;
	r->nhead = 0;
	r->neol = 0;
	r->held_cr = 0;
	/* NUL bytes would cut the strings made of the header. */
	for (i = 0; i < e->header.len; i++)
		if (e->header.data[i] == '\0') {
			e->header.data[i] = '?';
			e->part.flaws |= RFC822_F_NUL;
		}
	if (describe(r, e) < 0) {
		r->stop = 1;
		r->err = ERR_NOMEM;
		return;
	}
	e->part.depth = r->depth;
	e->part.header = buf_str(&e->header);
	e->part.headerlen = e->header.len;
	e->part.type = e->type;
	e->part.parent = e->parent;
	e->part.charset = e->charset;
	e->part.name = e->name;
	e->part.cte_name = e->cte;
	e->part.cte = cte_of(e->cte);
	e->part.multipart = e->boundary != NULL;
	if (!e->part.multipart) {
		if (++r->leaves > RFC822_PARTS_MAX) {
			r->flaws |= RFC822_F_PARTS;
			e->want = RFC822_SKIP;
			r->sink = SINK_NONE;
			return;
		}
		e->part.number = r->leaves;
	}
	w = r->ops->begin != NULL ? r->ops->begin(r->arg, &e->part) :
	    RFC822_SKIP;
	e->begun = 1;
	if (w == RFC822_STOP) {
		r->stop = 1;
		return;
	}
	e->want = w;
	if (e->part.multipart) {
		if (w == RFC822_SKIP) {
			/* Not walked: its body is one piece of nothing. */
			free(e->boundary);
			e->boundary = NULL;
			r->sink = SINK_NONE;
		} else {
			r->sink = SINK_STRUCT;    /* the preamble */
		}
		return;
	}
	r->sink = w == RFC822_SKIP ? SINK_NONE : w == RFC822_RAW ? SINK_RAW :
	    SINK_DECODE;
	r->decoder = 0;
	if (r->sink != SINK_DECODE)
		return;
	if (e->part.cte == RFC822_BASE64) {
		r->decoder = 1;
		base64_dec_init(&r->b64);
	} else if (e->part.cte == RFC822_QP) {
		r->decoder = 2;
		qp_dec_init(&r->qp, strncmp(e->type, "text/", 5) == 0);
	} else if (strncmp(e->type, "text/", 5) == 0) {
		r->decoder = 3;
		crlf_init_lf(&r->lf, 0);
	}
}

/* A new entity (the message, or a part after a delimiter), its header to read. */
static void
open_entity(struct rfc822_reader *r, unsigned depth)
{
	struct entity *e = &r->ent[depth];
	memset(e, 0, sizeof(*e));
	buf_init(&e->header, RFC822_HEADER_MAX);
	/* Both are TYPE_MAX long: the parent's type always fits. */
	if (depth > 0)
		memcpy(e->parent, r->ent[depth - 1].type, sizeof(e->parent));
	r->depth = depth;
	r->in_header = 1;
	r->line_start = 0;
	r->sink = SINK_NONE;
}

/*
 * Is line[0..len) (without its line end) a delimiter of a multipart being
 * walked?  Returns the level (innermost first) or -1; *close for "--".
 */
static int
delimiter(struct rfc822_reader *r, const char *line, size_t len, int *close)
{
	unsigned k;
	size_t rest;

	if (len < 3 || line[0] != '-' || line[1] != '-')
		return -1;
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
	    line[len - 1] == '\r'))
		len--;
	for (k = r->depth + 1; k-- > 0;) {
		const struct entity *e = &r->ent[k];

		/* After its close delimiter a multipart has none. */
		if (e->boundary == NULL || e->closed)
			continue;
		if (len < 2 + e->blen || memcmp(line + 2, e->boundary,
		    e->blen) != 0)
			continue;
		rest = len - 2 - e->blen;
		if (rest == 0 || (rest == 2 && line[len - 2] == '-' &&
		    line[len - 1] == '-')) {
			*close = rest == 2;
			return (int)k;
		}
	}
	return -1;
}

/*
 * A delimiter of ent[k] (the line end before it in eol, the line in
 * line[0..n) with its own line end): parts inside end, the next begins.
 */
static void
at_delimiter(struct rfc822_reader *r, unsigned k, int close, const char *line,
    size_t n)
{
	/* The line end before the delimiter belongs to it (RFC 2046 5.1.1). */
	emit_struct(r, r->eol, r->neol);
	r->neol = 0;
	while (r->depth > k) {
		/* A multipart inside that never saw its close delimiter. */
		if (cur(r)->boundary != NULL && !cur(r)->closed)
			cur(r)->part.flaws |= RFC822_F_TRUNCATED;
		end_entity(r);
		r->depth--;
		parent_sink(r);
	}
	emit_struct(r, line, n);
	if (close) {
		cur(r)->closed = 1;
		r->sink = SINK_STRUCT;    /* the epilogue */
		r->bol = 1;
		r->content = 0;
		return;
	}
	open_entity(r, k + 1);
}

/* A complete line of a header, at line_start of the header buffer. */
static void
header_line(struct rfc822_reader *r)
{
	struct entity *e = cur(r);
	const char *l = e->header.data + r->line_start;
	size_t n = e->header.len - r->line_start, len = n, body, k;
	int complete, close;
	int lvl;

	if (len > 0 && l[len - 1] == '\n')
		len--;
	if (len > 0 && l[len - 1] == '\r')
		len--;
	if (len == 0) {
		header_done(r);
		return;
	}
	if (r->depth > 0 && (lvl = delimiter(r, l, len, &close)) >= 0) {
		char line[HEAD_MAX];

		/* No empty line: the part has a header and no body at all. */
		k = n < sizeof(line) ? n : sizeof(line);
		memcpy(line, l, k);
		buf_truncate(&e->header, r->line_start);
		e->part.flaws |= RFC822_F_TRUNCATED;
		header_done(r);
		at_delimiter(r, (unsigned)lvl, close, line, k);
		return;
	}
	/* Neither a field nor a continuation: the body starts here. */
	if (rfc822_header_end(l, n, &body, &complete) == 0 && complete &&
	    body == 0 && l[0] != ' ' && l[0] != '\t') {
		char *rest = malloc(n);

		if (rest == NULL) {
			r->stop = 1;
			r->err = ERR_NOMEM;
			return;
		}
		memcpy(rest, l, n);
		buf_truncate(&e->header, r->line_start);
		header_done(r);
		if (!r->stop) {
			/* That line is the first of the body. */
			r->bol = 0;
			r->content = 1;
			emit(r, rest, len);
			if (n > len) {
				memcpy(r->eol, rest + len, n - len);
				r->neol = n - len;
			}
			r->bol = 1;
			r->content = 0;
		}
		free(rest);
		return;
	}
	r->line_start = e->header.len;
}

/* Header bytes of the current entity; returns how many were taken. */
static size_t
header_bytes(struct rfc822_reader *r, const char *p, size_t n)
{
	struct entity *e = cur(r);
	const char *nl = memchr(p, '\n', n);
	size_t take = nl != NULL ? (size_t)(nl - p) + 1 : n;

	if (buf_add(&e->header, p, take) < 0) {
		/* Over the limit: what there is is the header. */
		e->part.flaws |= RFC822_F_HEADER;
		buf_truncate(&e->header, r->line_start);
		header_done(r);
		return 0;
	}
	if (nl != NULL)
		header_line(r);
	return take;
}

/* The line in head[] is complete (with its line end): a delimiter, or content. */
static void
head_line(struct rfc822_reader *r)
{
	size_t len = r->nhead;
	int close, lvl;

	if (len > 0 && r->head[len - 1] == '\n')
		len--;
	if (len > 0 && r->head[len - 1] == '\r')
		len--;
	if ((lvl = delimiter(r, r->head, len, &close)) >= 0) {
		char line[HEAD_MAX];
		size_t n = r->nhead;

		memcpy(line, r->head, n);
		r->nhead = 0;
		r->bol = 1;
		at_delimiter(r, (unsigned)lvl, close, line, n);
		return;
	}
	/* Content: its line end is held back in turn. */
	release_eol(r);
	emit(r, r->head, len);
	memcpy(r->eol, r->head + len, r->nhead - len);
	r->neol = r->nhead - len;
	r->nhead = 0;
	r->bol = 1;
}

/*
 * Can the line begun in head[] and going on with s[0..take) still be a
 * delimiter?  It must start with "--" and be short.
 */
static int
maybe_delimiter(const struct rfc822_reader *r, const char *s, size_t take)
{
	size_t have = r->nhead + take;
	char c0, c1;

	if (have > sizeof(r->head))
		return 0;
	c0 = r->nhead > 0 ? r->head[0] : s[0];
	if (c0 != '-')
		return 0;
	if (have < 2)
		return 1;
	c1 = r->nhead > 1 ? r->head[1] : s[1 - r->nhead];
	return c1 == '-';
}

/*
 * Body bytes: lines that may be delimiters are gathered in head[], the
 * rest goes to the content as it comes.  Returns how many were taken (less
 * than n when a delimiter started a new header).
 */
static size_t
body_bytes(struct rfc822_reader *r, const char *p, size_t n)
{
	const char *s = p, *end = p + n, *nl;
	size_t take, len;

	while (s < end && !r->stop && !r->in_header) {
		if (r->bol) {
			r->bol = 0;
			r->content = 0;
			r->nhead = 0;
		}
		if (!r->content) {
			nl = memchr(s, '\n', (size_t)(end - s));
			take = nl != NULL ? (size_t)(nl - s) + 1 :
			    (size_t)(end - s);
			if (maybe_delimiter(r, s, take)) {
				/* Kept whole until its end shows what it is. */
				memcpy(r->head + r->nhead, s, take);
				r->nhead += take;
				s += take;
				if (nl != NULL)
					head_line(r);
				continue;
			}
			/* Content for sure: what was kept goes first. */
			release_eol(r);
			if (r->nhead > 0) {
				emit(r, r->head, r->nhead);
				r->nhead = 0;
			}
			r->content = 1;
		}
		/* The rest of a content line; a CR held back goes first. */
		if (r->held_cr) {
			r->held_cr = 0;
			if (s[0] == '\n') {
				memcpy(r->eol, "\r\n", 2);
				r->neol = 2;
				s++;
				r->bol = 1;
				continue;
			}
			emit(r, "\r", 1);
		}
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL) {
			len = (size_t)(end - s);
			/* A CR at the end may be the first half of a line end. */
			if (len > 0 && s[len - 1] == '\r') {
				emit(r, s, len - 1);
				r->held_cr = 1;
			} else {
				emit(r, s, len);
			}
			s = end;
			break;
		}
		len = (size_t)(nl - s);
		if (len > 0 && s[len - 1] == '\r') {
			emit(r, s, len - 1);
			memcpy(r->eol, "\r\n", 2);
			r->neol = 2;
		} else {
			emit(r, s, len);
			r->eol[0] = '\n';
			r->neol = 1;
		}
		s = nl + 1;
		r->bol = 1;
	}
	return (size_t)(s - p);
}

/* The end of the input: close what is open. */
static void
finish(struct rfc822_reader *r)
{
	if (r->stop)
		return;
	if (r->in_header) {
		/* A message of header alone is fine; a part cut there is not. */
		if (r->depth > 0)
			cur(r)->part.flaws |= RFC822_F_TRUNCATED;
		header_done(r);
	}
	if (!r->stop && r->nhead > 0) {
		/* A last line without a line end: "--boundary--" often is one. */
		size_t len = r->nhead;
		int close, lvl;

		while (len > 0 && (r->head[len - 1] == '\r' ||
		    r->head[len - 1] == '\n'))
			len--;
		if (!r->in_header && (lvl = delimiter(r, r->head, len,
		    &close)) >= 0) {
			char line[HEAD_MAX];
			size_t n = r->nhead;

			memcpy(line, r->head, n);
			r->nhead = 0;
			at_delimiter(r, (unsigned)lvl, close, line, n);
			if (r->in_header) {
				cur(r)->part.flaws |= RFC822_F_TRUNCATED;
				header_done(r);
			}
		} else {
			release_eol(r);
			emit(r, r->head, r->nhead);
			r->nhead = 0;
		}
	}
	if (r->held_cr) {
		release_eol(r);
		emit(r, "\r", 1);
		r->held_cr = 0;
	}
	/* The last line end is content (of the part, or of the epilogue). */
	release_eol(r);
	for (;;) {
		struct entity *e = cur(r);

		if (e->boundary != NULL && !e->closed)
			e->part.flaws |= RFC822_F_TRUNCATED;
		end_entity(r);
		if (r->depth == 0 || r->stop)
			break;
		r->depth--;
		parent_sink(r);
	}
}

struct rfc822_reader *
rfc822_reader_new(const struct rfc822_ops *ops, void *arg)
{
	struct rfc822_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->ops = ops;
	r->arg = arg;
	buf_init(&r->out, 8 * OUT_BLOCK);
	open_entity(r, 0);
	return r;
}

void
rfc822_reader_free(struct rfc822_reader *r)
{
	unsigned k;

	if (r == NULL)
		return;
	/* After a stop: what is still open is freed without telling anyone. */
	for (k = 0; k <= r->depth; k++) {
		free(r->ent[k].charset);
		free(r->ent[k].name);
		free(r->ent[k].boundary);
		buf_free(&r->ent[k].header);
	}
	buf_free(&r->out);
	free(r);
}

enum err
rfc822_feed(struct rfc822_reader *r, const char *p, size_t n)
{
	size_t k;

	while (n > 0 && !r->stop) {
		k = r->in_header ? header_bytes(r, p, n) : body_bytes(r, p, n);
		p += k;
		n -= k;
	}
	return r->err;
}

enum err
rfc822_finish(struct rfc822_reader *r, unsigned *flaws)
{
	if (!r->finished) {
		r->finished = 1;
		finish(r);
	}
	if (flaws != NULL)
		*flaws = r->flaws;
	return r->err;
}

enum err
rfc822_read_mem(const char *p, size_t n, const struct rfc822_ops *ops,
    void *arg, unsigned *flaws)
{
	struct rfc822_reader *r = rfc822_reader_new(ops, arg);
	enum err e;

	if (r == NULL)
		return ERR_NOMEM;
	(void)rfc822_feed(r, p, n);
	e = rfc822_finish(r, flaws);
	rfc822_reader_free(r);
	return e;
}

enum err
rfc822_read_fd(int fd, const struct rfc822_ops *ops, void *arg,
    unsigned *flaws, char **errstr)
{
	struct rfc822_reader *r = rfc822_reader_new(ops, arg);
	char *blk = malloc(READ_BLOCK);
	ssize_t n;
	enum err e = ERR_OK;

	if (r == NULL || blk == NULL) {
		rfc822_reader_free(r);
		free(blk);
		return ERR_NOMEM;
	}
	while (!r->stop) {
		n = read(fd, blk, READ_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			util_seterr(errstr, _("cannot read the message: %s"),
			    strerror(errno));
			e = ERR_IO;
			break;
		}
		if (n == 0)
			break;
		(void)rfc822_feed(r, blk, (size_t)n);
	}
	if (e == ERR_OK)
		e = rfc822_finish(r, flaws);
	else if (flaws != NULL)
		*flaws = r->flaws;
	rfc822_reader_free(r);
	free(blk);
	return e;
}

int
rfc822_flaws_text(struct buf *out, unsigned flaws)
{
	static const struct {
		unsigned flag;
		const char *text;
	} words[] = {
		{ RFC822_F_TRUNCATED, N_("The message ends early: a part is "
		    "cut off.") },
		{ RFC822_F_ENCODING, N_("Some content is not valid base64 or "
		    "quoted-printable; the bad bytes were skipped.") },
		{ RFC822_F_PARTS, N_("The message has more parts than pigeon "
		    "shows; the rest are left out.") },
		{ RFC822_F_DEPTH, N_("Parts are nested too deep; the innermost "
		    "are shown as one.") },
		{ RFC822_F_HEADER, N_("A header is too long and was cut.") },
		{ RFC822_F_BOUNDARY, N_("A multipart has no boundary; it is "
		    "shown as one part.") },
		{ RFC822_F_NUL, N_("A header holds NUL bytes (shown as '?').") },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if ((flaws & words[i].flag) &&
		    buf_printf(out, "%s\n", _(words[i].text)) < 0)
			return -1;
	return 0;
}
