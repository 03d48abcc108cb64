/* mimewalk.c - the MIME tree of a stored message, walked as it streams in: parts, their names and contents, decoded, bounded. */
/* SPDX-License-Identifier: ISC */
#include "mimewalk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base64.h"
#include "crlf.h"
#include "i18n.h"
#include "qp.h"
#include "util.h"

/* A boundary is at most 70 characters (RFC 2046 5.1.1); longer ones are read too. */
#define BOUNDARY_MAX 200
/* A line is kept while it may still be a delimiter: "--", boundary, "--", blanks. */
#define HEAD_MAX (2 + BOUNDARY_MAX + 2 + 64)
#define READ_BLOCK (64 * 1024)
/* Content is handed on in blocks of about this size. */
#define OUT_BLOCK (64 * 1024)
#define TYPE_MAX 128

/* --- the MIME tree ---------------------------------------------------------- */

/* One level of the tree being read: a part, or a multipart around parts. */
struct entity {
	struct mimewalk_part part;
	char type[TYPE_MAX];
	char parent[TYPE_MAX];
	char cte[32];
	char *charset, *name;
	struct buf header;
	char *boundary;            /* a multipart being walked */
	size_t blen;
	int closed;                /* its close delimiter came: the epilogue */
	enum mimewalk_want want;     /* of a leaf; of a multipart: walk or not */
	int begun;                 /* begin() was called: end() is due */
};

/* Where content goes. */
enum sink { SINK_NONE, SINK_STRUCT, SINK_RAW, SINK_DECODE };

struct mimewalk {
	const struct mimewalk_ops *ops;
	void *arg;
	struct entity ent[MIMEWALK_DEPTH_MAX + 2];
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
cur(struct mimewalk *r)
{
	return &r->ent[r->depth];
}

/* Hand the content gathered so far on. */
static void
out_flush(struct mimewalk *r)
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
emit(struct mimewalk *r, const char *p, size_t n)
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
emit_struct(struct mimewalk *r, const char *p, size_t n)
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
release_eol(struct mimewalk *r)
{
	size_t n = r->neol;

	r->neol = 0;
	emit(r, r->eol, n);
}

static void
end_entity(struct mimewalk *r)
{
	struct entity *e = cur(r);

	if (e->part.multipart == 0 && r->sink == SINK_DECODE && !r->stop) {
		int rc = 0;

		if (r->decoder == 1) {
			base64_dec_finish(&r->b64);
			if (r->b64.bad > 0)
				e->part.flaws |= MIMEWALK_F_ENCODING;
		} else if (r->decoder == 2) {
			rc = qp_dec_finish(&r->qp, &r->out);
			if (r->qp.bad > 0)
				e->part.flaws |= MIMEWALK_F_ENCODING;
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
	e->part.flowed = 0;
	buf_free(&e->header);
}

/* After a leaf or a nested multipart ends: what its parent's content is now. */
static void
parent_sink(struct mimewalk *r)
{
	struct entity *e = cur(r);

	r->sink = e->boundary != NULL ? SINK_STRUCT : e->want == MIMEWALK_SKIP ?
	    SINK_NONE : e->want == MIMEWALK_DECODE ? SINK_DECODE : SINK_RAW;
}

static enum mimewalk_cte
cte_of(const char *s)
{
	if (*s == '\0' || strcmp(s, "7bit") == 0)
		return MIMEWALK_7BIT;
	if (strcmp(s, "8bit") == 0)
		return MIMEWALK_8BIT;
	if (strcmp(s, "binary") == 0)
		return MIMEWALK_BINARY;
	if (strcmp(s, "quoted-printable") == 0)
		return MIMEWALK_QP;
	if (strcmp(s, "base64") == 0)
		return MIMEWALK_BASE64;
	return MIMEWALK_CTE_OTHER;
}

/* Fill the part's description from its header. */
static int
describe(struct mimewalk *r, struct entity *e)
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
	if (strcmp(e->type, "text/plain") == 0 &&
	    rfc822_param(ct, "format", &b) == 1 &&
	    strcasecmp(buf_str(&b), "flowed") == 0) {
		buf_reset(&b);
		e->part.flowed = rfc822_param(ct, "delsp", &b) == 1 &&
		    strcasecmp(buf_str(&b), "yes") == 0 ? 2 : 1;
	}
	buf_reset(&b);
	if ((rfc822_param(cd, "filename", &b) == 1 ||
	    (buf_reset(&b), rfc822_param(ct, "name", &b) == 1)) &&
	    (e->name = strdup(buf_str(&b))) == NULL)
		goto out;
	buf_reset(&b);
	if (strncmp(e->type, "multipart/", 10) == 0 && r->depth <
	    MIMEWALK_DEPTH_MAX) {
		if (rfc822_param(ct, "boundary", &b) == 1 && b.len > 0 &&
		    b.len <= BOUNDARY_MAX && memchr(b.data, '\n', b.len) ==
		    NULL) {
			if ((e->boundary = strdup(buf_str(&b))) == NULL)
				goto out;
			e->blen = b.len;
		} else {
			e->part.flaws |= MIMEWALK_F_BOUNDARY;
		}
	} else if (strncmp(e->type, "multipart/", 10) == 0) {
		e->part.flaws |= MIMEWALK_F_DEPTH;
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
header_done(struct mimewalk *r)
{
	struct entity *e = cur(r);
	enum mimewalk_want w;
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
			e->part.flaws |= MIMEWALK_F_NUL;
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
		if (++r->leaves > MIMEWALK_PARTS_MAX) {
			r->flaws |= MIMEWALK_F_PARTS;
			e->want = MIMEWALK_SKIP;
			r->sink = SINK_NONE;
			return;
		}
		e->part.number = r->leaves;
	}
	w = r->ops->begin != NULL ? r->ops->begin(r->arg, &e->part) :
	    MIMEWALK_SKIP;
	e->begun = 1;
	if (w == MIMEWALK_STOP) {
		r->stop = 1;
		return;
	}
	e->want = w;
	if (e->part.multipart) {
		if (w == MIMEWALK_SKIP) {
			/* Not walked: its body is one piece of nothing. */
			free(e->boundary);
			e->boundary = NULL;
			r->sink = SINK_NONE;
		} else {
			r->sink = SINK_STRUCT;    /* the preamble */
		}
		return;
	}
	r->sink = w == MIMEWALK_SKIP ? SINK_NONE : w == MIMEWALK_RAW ? SINK_RAW :
	    SINK_DECODE;
	r->decoder = 0;
	if (r->sink != SINK_DECODE)
		return;
	if (e->part.cte == MIMEWALK_BASE64) {
		r->decoder = 1;
		base64_dec_init(&r->b64);
	} else if (e->part.cte == MIMEWALK_QP) {
		r->decoder = 2;
		qp_dec_init(&r->qp, strncmp(e->type, "text/", 5) == 0);
	} else if (strncmp(e->type, "text/", 5) == 0) {
		r->decoder = 3;
		crlf_init_lf(&r->lf, 0);
	}
}

/* A new entity (the message, or a part after a delimiter), its header to read. */
static void
open_entity(struct mimewalk *r, unsigned depth)
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
delimiter(struct mimewalk *r, const char *line, size_t len, int *close)
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
at_delimiter(struct mimewalk *r, unsigned k, int close, const char *line,
    size_t n)
{
	/* The line end before the delimiter belongs to it (RFC 2046 5.1.1). */
	emit_struct(r, r->eol, r->neol);
	r->neol = 0;
	while (r->depth > k) {
		/* A multipart inside that never saw its close delimiter. */
		if (cur(r)->boundary != NULL && !cur(r)->closed)
			cur(r)->part.flaws |= MIMEWALK_F_TRUNCATED;
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
header_line(struct mimewalk *r)
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
		e->part.flaws |= MIMEWALK_F_TRUNCATED;
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
header_bytes(struct mimewalk *r, const char *p, size_t n)
{
	struct entity *e = cur(r);
	const char *nl = memchr(p, '\n', n);
	size_t take = nl != NULL ? (size_t)(nl - p) + 1 : n;

	if (buf_add(&e->header, p, take) < 0) {
		/* Over the limit: what there is is the header. */
		e->part.flaws |= MIMEWALK_F_HEADER;
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
head_line(struct mimewalk *r)
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
maybe_delimiter(const struct mimewalk *r, const char *s, size_t take)
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
body_bytes(struct mimewalk *r, const char *p, size_t n)
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
finish(struct mimewalk *r)
{
	if (r->stop)
		return;
	if (r->in_header) {
		/* A message of header alone is fine; a part cut there is not. */
		if (r->depth > 0)
			cur(r)->part.flaws |= MIMEWALK_F_TRUNCATED;
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
				cur(r)->part.flaws |= MIMEWALK_F_TRUNCATED;
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
			e->part.flaws |= MIMEWALK_F_TRUNCATED;
		end_entity(r);
		if (r->depth == 0 || r->stop)
			break;
		r->depth--;
		parent_sink(r);
	}
}

struct mimewalk *
mimewalk_new(const struct mimewalk_ops *ops, void *arg)
{
	struct mimewalk *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->ops = ops;
	r->arg = arg;
	buf_init(&r->out, 8 * OUT_BLOCK);
	open_entity(r, 0);
	return r;
}

void
mimewalk_free(struct mimewalk *r)
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
mimewalk_feed(struct mimewalk *r, const char *p, size_t n)
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
mimewalk_finish(struct mimewalk *r, unsigned *flaws)
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
mimewalk_mem(const char *p, size_t n, const struct mimewalk_ops *ops,
    void *arg, unsigned *flaws)
{
	struct mimewalk *r = mimewalk_new(ops, arg);
	enum err e;

	if (r == NULL)
		return ERR_NOMEM;
	(void)mimewalk_feed(r, p, n);
	e = mimewalk_finish(r, flaws);
	mimewalk_free(r);
	return e;
}

enum err
mimewalk_fd(int fd, const struct mimewalk_ops *ops, void *arg,
    unsigned *flaws, char **errstr)
{
	struct mimewalk *r = mimewalk_new(ops, arg);
	char *blk = malloc(READ_BLOCK);
	ssize_t n;
	enum err e = ERR_OK;

	if (r == NULL || blk == NULL) {
		mimewalk_free(r);
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
		(void)mimewalk_feed(r, blk, (size_t)n);
	}
	if (e == ERR_OK)
		e = mimewalk_finish(r, flaws);
	else if (flaws != NULL)
		*flaws = r->flaws;
	mimewalk_free(r);
	free(blk);
	return e;
}

int
mimewalk_flaws_text(struct buf *out, unsigned flaws, const char *sep)
{
	static const struct {
		unsigned flag;
		const char *text;
	} words[] = {
		{ MIMEWALK_F_TRUNCATED, N_("The message ends early: a part is "
		    "cut off.") },
		{ MIMEWALK_F_ENCODING, N_("Some content is not valid base64 or "
		    "quoted-printable; the bad bytes were skipped.") },
		{ MIMEWALK_F_PARTS, N_("The message has more parts than pigeon "
		    "shows; the rest are left out.") },
		{ MIMEWALK_F_DEPTH, N_("Parts are nested too deep; the innermost "
		    "are shown as one.") },
		{ MIMEWALK_F_HEADER, N_("A header is too long and was cut.") },
		{ MIMEWALK_F_BOUNDARY, N_("A multipart has no boundary; it is "
		    "shown as one part.") },
		{ MIMEWALK_F_NUL, N_("A header holds NUL bytes (shown as '?').") },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if ((flaws & words[i].flag) &&
		    buf_printf(out, "%s%s", _(words[i].text), sep) < 0)
			return -1;
	return 0;
}
