/* qp.c - quoted-printable (RFC 2045 6.7): a streaming encoder for MIME bodies and a strict decoder. */
/* SPDX-License-Identifier: ISC */
#include "qp.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/*
 * The encoder works in two stages.  The first cuts the input, byte by
 * byte, into units: a byte, a well-formed UTF-8 sequence, or in text mode
 * a line break.  The second holds units in a short queue and writes the
 * oldest one as soon as what follows it is known well enough to place it.
 * Both stages depend only on the bytes seen so far, never on where one
 * call ended, so any split of the input gives the same output.
 */

/* The longest encoded line, the line end not counted. */
#define LINE_LEN 76
/* A unit length that marks a hard line break. */
#define BREAK 0

static const char hexdig[] = "0123456789ABCDEF";

/* Bytes that may stand for themselves, at least in the middle of a line. */
static int
is_literal(unsigned char c)
{
	return c >= 33 && c <= 126 && c != '=';
}

/* Length of the UTF-8 sequence that c starts, or 0 if c is no lead byte. */
static unsigned
utf8_len(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

void
qp_init(struct qp *q, int text)
{
	memset(q, 0, sizeof(*q));
	q->text = text != 0;
}

/*
 * Does "rom " follow the 'F' at the head of the queue?  1 yes, 0 no, -1
 * not known yet.  At the end of the input (eof) what is missing is no.
 */
static int
from_follows(const struct qp *q, int eof)
{
	static const char rest[] = "rom ";
	unsigned i;

	for (i = 1; i <= 4; i++) {
		if (i >= q->nunit)
			return eof ? 0 : -1;
		if (q->unitlen[i] != 1 ||
		    q->unit[i][0] != (unsigned char)rest[i - 1])
			return 0;
	}
	return 1;
}

/*
 * Is the single byte c written as =XX?  bol: it starts an output line;
 * last: a hard break or the end of the input follows it; from: it is the
 * 'F' of "From ".
 */
static int
must_encode(unsigned char c, int bol, int last, int from)
{
	if (c == ' ' || c == '\t')
		return last;
	if (!is_literal(c))
		return 1;
	/* A "." line ends SMTP DATA; "From " starts a new message in mbox. */
	return bol && (c == '.' || (c == 'F' && from));
}

static char *
put_hex(char *o, unsigned char c)
{
	o[0] = '=';
	o[1] = hexdig[c >> 4];
	o[2] = hexdig[c & 0x0f];
	return o + 3;
}

/* Drop the oldest unit from the queue. */
static void
shift(struct qp *q)
{
	q->nunit--;
	memmove(q->unit[0], q->unit[1], q->nunit * sizeof(q->unit[0]));
	memmove(q->unitlen, q->unitlen + 1, q->nunit);
}

/*
 * Write the oldest unit at *op if it can be placed now; return 1 if it was
 * written, 0 if it must wait for more input.  Nothing is written before
 * the decision is complete, so waiting leaves no trace.
 */
static int
place(struct qp *q, char **op, int eof)
{
	const unsigned char *u = q->unit[0];
	unsigned len = q->unitlen[0], i;
	size_t w;
	int last, bol, from = 0, soft = 0;
	char *o = *op;

	if (len == BREAK) {
		*o++ = '\n';
		q->col = 0;
		goto done;
	}
	if (q->nunit < 2 && !eof) {
		/*
		 * What follows is not known yet.  It matters only for white
		 * space, for the last column and at a line start, so a byte
		 * that stands for itself in mid-line, with room before column
		 * 76, can go now.  (This is what lets the bulk path in
		 * qp_encode() find the queue empty.)
		 */
		if (len != 1 || !is_literal(u[0]) || q->col == 0 ||
		    q->col >= LINE_LEN - 1)
			return 0;
	}
	last = q->nunit < 2 ? eof : q->unitlen[1] == BREAK;
	bol = q->col == 0;

	/*
	 * A unit may take the last column only if nothing but a hard break
	 * or the end follows; otherwise column 76 is for the soft break's
	 * "=".  A UTF-8 sequence moves to the next line as a whole.  The
	 * width of a single byte at the start of a line can only grow ('.',
	 * "From "), and at most to 3, which always fits there.
	 */
	if (len > 1)
		w = 3 * (size_t)len;
	else
		w = must_encode(u[0], bol, last, 0) ? 3 : 1;
	if (!bol && q->col + w > (last ? LINE_LEN : LINE_LEN - 1)) {
		soft = 1;
		bol = 1;
	}
	if (len == 1 && bol && u[0] == 'F') {
		from = from_follows(q, eof);
		if (from < 0)
			return 0;
	}

	if (soft) {
		*o++ = '=';
		*o++ = '\n';
		q->col = 0;
	}
	if (len > 1) {
		for (i = 0; i < len; i++)
			o = put_hex(o, u[i]);
		q->col += w;
	} else if (must_encode(u[0], bol, last, from)) {
		o = put_hex(o, u[0]);
		q->col += 3;
	} else {
		*o++ = (char)u[0];
		q->col++;
	}
done:
	shift(q);
	*op = o;
	return 1;
}

/*
 * Queue a unit (len 0: a line break) and write what can be placed.  With
 * a full queue the oldest unit can always be placed (all the lookahead
 * it may need is there), so after this at most QP_QUEUE - 1 units wait.
 */
static void
push(struct qp *q, char **op, const unsigned char *p, unsigned len)
{
	if (len > 0)
		memcpy(q->unit[q->nunit], p, len);
	q->unitlen[q->nunit] = (unsigned char)len;
	q->nunit++;
	while (q->nunit > 0 && place(q, op, 0))
		continue;
}

/* An unfinished UTF-8 sequence turned out malformed: queue its bytes singly. */
static void
flush_part(struct qp *q, char **op)
{
	unsigned i;

	for (i = 0; i < q->partlen; i++)
		push(q, op, &q->part[i], 1);
	q->partlen = 0;
}

/* The first stage: one input byte. */
static void
feed(struct qp *q, char **op, unsigned char c)
{
	unsigned need;

	if (q->partlen > 0) {
		if ((c & 0xc0) == 0x80) {
			q->part[q->partlen++] = c;
			if (q->partlen == q->partneed) {
				push(q, op, q->part, q->partlen);
				q->partlen = 0;
			}
			return;
		}
		flush_part(q, op);
	}
	if (q->text) {
		if (c == '\n' && q->after_cr) {
			q->after_cr = 0;
			return;
		}
		q->after_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			push(q, op, NULL, BREAK);
			return;
		}
	}
	need = utf8_len(c);
	if (need > 0) {
		q->part[0] = c;
		q->partlen = 1;
		q->partneed = need;
		return;
	}
	push(q, op, &c, 1);
}

/*
 * The bound behind QP_ROOM(n).  A call writes the units it was holding
 * (at most four single bytes, or one unit of up to four bytes, plus three
 * bytes of an unfinished sequence: 19 bytes, and up to four line breaks)
 * and those of the n new bytes.  A byte gives at most 3 characters, a line
 * break 2.  A soft break is written only at column 64 or later, since no
 * unit is wider than 12, and a line starts with at most 12 characters
 * after one, so there is one per 52 characters and one more: in all at
 * most 3 * (n + 19) + 8 + 3 * (1 + 3 * (n + 19) / 52) < 4 * n + 128.
 */
static int
reserve(struct buf *out, size_t n)
{
	if (n > (SIZE_MAX - 128) / 4) {
		errno = E2BIG;
		return -1;
	}
	return buf_reserve(out, QP_ROOM(n));
}

/* The length of the run of bytes at p that may stand for themselves. */
static size_t
literal_run(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && is_literal(p[i]); i++)
		continue;
	return i;
}

/*
 * The number of bytes, at most max, at the start of p[0..n) that are
 * written as they are in mid-line whatever comes after p[n - 1]: bytes
 * that stand for themselves, and white space with something other than a
 * line break after it in p.
 */
static size_t
plain_run(const unsigned char *p, size_t n, size_t max, int text)
{
	size_t i;

	if (n > max)
		n = max + 1;
	for (i = 0; i < n && i < max; i++) {
		if (is_literal(p[i]))
			continue;
		if (p[i] != ' ' && p[i] != '\t')
			break;
		if (i + 1 == n || (text && (p[i + 1] == '\r' ||
		    p[i + 1] == '\n')))
			break;
	}
	return i;
}

int
qp_encode(struct qp *q, struct buf *out, const char *in, size_t n)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, run;
	char *o;

	if (reserve(out, n) < 0)
		return -1;
	o = out->data + out->len;
	while (i < n) {
		/*
		 * The common case, in bulk: with nothing held back and the
		 * line already started, a byte that stands for itself, or
		 * white space that is not last, goes on the line as long as
		 * it leaves column 76 free.  This is exactly what the unit
		 * queue would do with it.
		 */
		if (q->nunit == 0 && q->partlen == 0 && !q->after_cr &&
		    q->col > 0 && q->col < LINE_LEN - 1) {
			run = plain_run(p + i, n - i, LINE_LEN - 1 - q->col,
			    q->text);
			if (run > 0) {
				memcpy(o, p + i, run);
				o += run;
				q->col += run;
				i += run;
				continue;
			}
		}
		feed(q, &o, p[i]);
		i++;
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	return 0;
}

int
qp_finish(struct qp *q, struct buf *out)
{
	char *o;

	if (reserve(out, 0) < 0)
		return -1;
	o = out->data + out->len;
	flush_part(q, &o);
	while (q->nunit > 0 && place(q, &o, 1))
		continue;
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	qp_init(q, q->text);
	return 0;
}

int
qp_decode(struct buf *out, const char *in, size_t n, int text)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t start = out->len, i = 0, j;
	int hi, lo;

	while (i < n) {
		if (p[i] == '=') {
			if (i + 1 < n && p[i + 1] == '\n') {
				i += 2;
				continue;
			}
			if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n') {
				i += 3;
				continue;
			}
			if (i + 2 >= n)
				goto invalid;
			hi = util_hexval(p[i + 1]);
			lo = util_hexval(p[i + 2]);
			if (hi < 0 || lo < 0)
				goto invalid;
			if (buf_addch(out, (char)(hi << 4 | lo)) < 0)
				goto fail;
			i += 3;
		} else if (p[i] == '\r' || p[i] == '\n') {
			if (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n'))
				goto invalid;
			i += p[i] == '\r' ? 2 : 1;
			if (text ? buf_addch(out, '\n') < 0 :
			    buf_add(out, "\r\n", 2) < 0)
				goto fail;
		} else if (p[i] == ' ' || p[i] == '\t') {
			for (j = i; j < n && (p[j] == ' ' || p[j] == '\t'); j++)
				continue;
			/* Trailing white space was added in transit. */
			if (j < n && p[j] != '\r' && p[j] != '\n' &&
			    buf_add(out, p + i, j - i) < 0)
				goto fail;
			i = j;
		} else {
			j = i + literal_run(p + i, n - i);
			if (j == i)
				goto invalid;
			if (buf_add(out, p + i, j - i) < 0)
				goto fail;
			i = j;
		}
	}
	return 0;

invalid:
	errno = EINVAL;
fail:
	buf_truncate(out, start);
	return -1;
}

/* qp_dec states: after what the input has ended so far. */
enum {
	QD_TEXT,                 /* anywhere else */
	QD_EQ,                   /* '=' */
	QD_EQ_HEX,               /* '=' and one hex digit (in hex) */
	QD_EQ_WS,                /* '=' and white space: a soft break to come */
	QD_CR,                   /* a CR, its LF not seen yet */
};

void
qp_dec_init(struct qp_dec *d, int text)
{
	memset(d, 0, sizeof(*d));
	d->text = text;
	d->state = QD_TEXT;
}

/* White space held back goes out after all: something follows it on its line. */
static int
ws_out(struct qp_dec *d, struct buf *out)
{
	if (d->nws > 0 && buf_add(out, d->ws, d->nws) < 0)
		return -1;
	d->nws = 0;
	return 0;
}

static int
line_end(struct qp_dec *d, struct buf *out)
{
	d->nws = 0;
	return d->text ? buf_addch(out, '\n') : buf_add(out, "\r\n", 2);
}

/* One byte in the QD_TEXT state. */
static int
dec_text(struct qp_dec *d, struct buf *out, unsigned char c)
{
	if (c == ' ' || c == '\t') {
		if (d->nws == sizeof(d->ws) && ws_out(d, out) < 0)
			return -1;
		d->ws[d->nws++] = c;
		return 0;
	}
	if (c == '\n')
		return line_end(d, out);
	if (c == '\r') {
		d->state = QD_CR;
		return 0;
	}
	if (ws_out(d, out) < 0)
		return -1;
	if (c == '=') {
		d->state = QD_EQ;
		return 0;
	}
	return buf_addch(out, (char)c);
}

int
qp_dec_feed(struct qp_dec *d, struct buf *out, const char *in, size_t n)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t start = out->len, i, run;
	int hi;

	for (i = 0; i < n; i++) {
		switch (d->state) {
		case QD_TEXT:
			/* The bulk of a line in one piece. */
			if (d->nws == 0 && (run = literal_run(p + i, n - i)) >
			    0) {
				if (buf_add(out, p + i, run) < 0)
					goto full;
				i += run - 1;
				continue;
			}
			if (dec_text(d, out, p[i]) < 0)
				goto full;
			continue;
		case QD_CR:
			d->state = QD_TEXT;
			if (p[i] == '\n') {
				if (line_end(d, out) < 0)
					goto full;
				continue;
			}
			/* A bare CR: kept as it is. */
			d->bad++;
			if (ws_out(d, out) < 0 || buf_addch(out, '\r') < 0 ||
			    dec_text(d, out, p[i]) < 0)
				goto full;
			continue;
		case QD_EQ:
			if (util_hexval(p[i]) >= 0) {
				d->hex = p[i];
				d->state = QD_EQ_HEX;
				continue;
			}
			if (p[i] == '\n') {
				d->state = QD_TEXT;
				continue;
			}
			if (p[i] == '\r' || p[i] == ' ' || p[i] == '\t') {
				d->state = QD_EQ_WS;
				continue;
			}
			d->bad++;
			d->state = QD_TEXT;
			if (buf_addch(out, '=') < 0 || dec_text(d, out, p[i]) <
			    0)
				goto full;
			continue;
		case QD_EQ_HEX:
			d->state = QD_TEXT;
			if ((hi = util_hexval(d->hex)) >= 0 &&
			    util_hexval(p[i]) >= 0) {
				if (buf_addch(out, (char)(hi << 4 |
				    util_hexval(p[i]))) < 0)
					goto full;
				continue;
			}
			d->bad++;
			if (buf_addch(out, '=') < 0 || buf_addch(out,
			    (char)d->hex) < 0 || dec_text(d, out, p[i]) < 0)
				goto full;
			continue;
		case QD_EQ_WS:
			/* "=", white space a sender added, then the soft break. */
			if (p[i] == '\n') {
				d->state = QD_TEXT;
			} else if (p[i] != '\r' && p[i] != ' ' &&
			    p[i] != '\t') {
				d->bad++;
				d->state = QD_TEXT;
				if (buf_addch(out, '=') < 0 ||
				    dec_text(d, out, p[i]) < 0)
					goto full;
			}
			continue;
		}
	}
	return 0;
full:
	buf_truncate(out, start);
	return -1;
}

int
qp_dec_finish(struct qp_dec *d, struct buf *out)
{
	size_t start = out->len;
	int r = 0;

	/* White space at the very end was added in transit, like before a line end. */
	d->nws = 0;
	switch (d->state) {
	case QD_EQ:
	case QD_EQ_WS:
		/* "=" at the end is a soft break that lost its line end. */
		break;
	case QD_EQ_HEX:
		d->bad++;
		r = buf_addch(out, '=') < 0 || buf_addch(out, (char)d->hex) < 0 ?
		    -1 : 0;
		break;
	case QD_CR:
		d->bad++;
		r = buf_addch(out, '\r');
		break;
	default:
		break;
	}
	if (r < 0)
		buf_truncate(out, start);
	d->state = QD_TEXT;
	return r;
}
