/* downgrade.c - a stored message made fit for a server without 8BITMIME: 8bit parts rewritten as quoted-printable or base64. */
/* SPDX-License-Identifier: ISC */
#include "downgrade.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "crlf.h"
#include "hdr.h"
#include "i18n.h"
#include "idn.h"
#include "qp.h"
#include "mimewalk.h"
#include "rfc822.h"
#include "util.h"

#define OUT_FLUSH (256 * 1024)
/* Bytes for whole base64 lines, about 64 KiB. */
#define B64_IN (BASE64_LINE_IN * 1150)

enum mode { COPY, QP, B64 };

struct dg {
	int out;
	struct crlf lf;            /* every line end written as LF */
	struct buf b;              /* output not written yet */
	struct buf tmp;            /* a part's encoded block, before lf */
	uint64_t total;
	int eight;
	enum mode mode;
	struct qp qp;
	unsigned char *b64;        /* base64 input held for whole lines */
	size_t nb64;
	char *b64out;
	enum err err;
	char **errstr;
};

static int
has_8bit(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return 1;
	return 0;
}

static int
flush(struct dg *d)
{
	const char *p = buf_str(&d->b);
	size_t n = d->b.len;
	ssize_t w;

	if (d->err != ERR_OK)
		return -1;
	d->eight |= has_8bit(p, n);
	while (n > 0) {
		w = write(d->out, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			util_seterr(d->errstr, _("cannot write the message: %s"),
			    strerror(errno));
			d->err = ERR_IO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		d->total += (uint64_t)w;
	}
	buf_reset(&d->b);
	return 0;
}

/* Bytes out, their line ends made LF. */
static int
put(struct dg *d, const char *p, size_t n)
{
	if (d->err != ERR_OK)
		return -1;
	if (crlf_convert(&d->lf, &d->b, p, n) < 0) {
		d->err = ERR_NOMEM;
		return -1;
	}
	return d->b.len >= OUT_FLUSH ? flush(d) : 0;
}

/*
 * The header h[0..n) again, with Content-Transfer-Encoding cte (NULL: as
 * it is) and, when ctype is set, Content-Type ctype with the name name.
 */
static int
put_header(struct dg *d, const char *h, size_t n, const char *cte,
    const char *ctype, const char *name)
{
	struct rfc822_field f;
	struct hdr_param prm = { "name", name };
	struct buf line;
	size_t pos = 0;
	int r = 0;

	buf_init(&line, RFC822_HEADER_MAX);
	while (r == 0 && rfc822_next_field(h, n, &pos, &f)) {
		buf_reset(&line);
		if (cte != NULL && rfc822_field_is(&f,
		    "Content-Transfer-Encoding"))
			r = hdr_structured(&line, "Content-Transfer-Encoding",
			    cte) < 0 ? -1 : put(d, line.data, line.len);
		else if (ctype != NULL && rfc822_field_is(&f, "Content-Type"))
			r = hdr_params(&line, "Content-Type", ctype, &prm,
			    name != NULL) < 0 ? -1 : put(d, line.data, line.len);
		else
			r = put(d, f.p, f.len);
	}
	if (r < 0 && d->err == ERR_OK)
		d->err = ERR_NOMEM;
	buf_free(&line);
	return r;
}

static int
is_8bit(const struct mimewalk_part *p)
{
	return p->cte == MIMEWALK_8BIT || p->cte == MIMEWALK_BINARY;
}

static enum mimewalk_want
dg_begin(void *arg, const struct mimewalk_part *p)
{
	struct dg *d = arg;

	d->mode = COPY;
	if (p->multipart) {
		(void)put_header(d, p->header, p->headerlen, is_8bit(p) ?
		    "7bit" : NULL, NULL, NULL);
		return d->err == ERR_OK ? MIMEWALK_RAW : MIMEWALK_STOP;
	}
	if (!is_8bit(p)) {
		(void)put_header(d, p->header, p->headerlen, NULL, NULL, NULL);
		return d->err == ERR_OK ? MIMEWALK_RAW : MIMEWALK_STOP;
	}
	if (strncmp(p->type, "text/", 5) == 0) {
		d->mode = QP;
		qp_init(&d->qp, 1);
		(void)put_header(d, p->header, p->headerlen,
		    "quoted-printable", NULL, NULL);
	} else {
		/* RFC 2046 5.2.1: a message part is never base64; bytes, then. */
		d->mode = B64;
		d->nb64 = 0;
		(void)put_header(d, p->header, p->headerlen, "base64",
		    strncmp(p->type, "message/", 8) == 0 ?
		    "application/octet-stream" : NULL, p->name);
	}
	return d->err == ERR_OK ? MIMEWALK_DECODE : MIMEWALK_STOP;
}

/* Whole base64 lines of what is held; all of it at the end. */
static int
b64_out(struct dg *d, int last)
{
	size_t n = last ? d->nb64 : d->nb64 - d->nb64 % BASE64_LINE_IN;
	size_t len;

	if (n == 0)
		return 0;
	len = base64_encode_lines(d->b64out, d->b64, n);
	memmove(d->b64, d->b64 + n, d->nb64 - n);
	d->nb64 -= n;
	return put(d, d->b64out, len);
}

static int
dg_data(void *arg, const struct mimewalk_part *p, const char *b, size_t n)
{
	struct dg *d = arg;
	size_t k;

	(void)p;
	switch (d->mode) {
	case QP:
		buf_reset(&d->tmp);
		if (qp_encode(&d->qp, &d->tmp, b, n) < 0) {
			d->err = ERR_NOMEM;
			return -1;
		}
		return put(d, d->tmp.data, d->tmp.len);
	case B64:
		while (n > 0) {
			k = B64_IN - d->nb64 < n ? B64_IN - d->nb64 : n;
			memcpy(d->b64 + d->nb64, b, k);
			d->nb64 += k;
			b += k;
			n -= k;
			if (d->nb64 == B64_IN && b64_out(d, 0) < 0)
				return -1;
		}
		return 0;
	default:
		return put(d, b, n);
	}
}

static void
dg_end(void *arg, const struct mimewalk_part *p)
{
	struct dg *d = arg;

	(void)p;
	if (d->mode == QP) {
		buf_reset(&d->tmp);
		if (qp_finish(&d->qp, &d->tmp) < 0)
			d->err = ERR_NOMEM;
		else
			(void)put(d, d->tmp.data, d->tmp.len);
	} else if (d->mode == B64) {
		(void)b64_out(d, 1);
	}
	d->mode = COPY;
}

static int
dg_raw(void *arg, const char *b, size_t n)
{
	return put(arg, b, n);
}

enum err
downgrade_8bit(int in, int out, uint64_t *size, int *eightbit,
    char **errstr)
{
	static const struct mimewalk_ops ops = { dg_begin, dg_data, dg_end,
	    dg_raw };
	struct dg d;
	enum err e;

	memset(&d, 0, sizeof(d));
	d.out = out;
	d.errstr = errstr;
	crlf_init_lf(&d.lf, 0);
	buf_init(&d.b, 4 * OUT_FLUSH + 2 * RFC822_HEADER_MAX);
	buf_init(&d.tmp, 8 * OUT_FLUSH);
	d.b64 = malloc(B64_IN);
	d.b64out = malloc(BASE64_LINES_LEN(B64_IN));
	if (d.b64 == NULL || d.b64out == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	e = mimewalk_fd(in, &ops, &d, NULL, errstr);
	if (d.err != ERR_OK)
		e = d.err;
	if (e == ERR_OK && crlf_finish(&d.lf, &d.b) < 0)
		e = ERR_NOMEM;
	if (e == ERR_OK && flush(&d) < 0)
		e = d.err;
	*size = d.total + d.lf.lines;
	*eightbit = d.eight;
out:
	buf_free(&d.b);
	buf_free(&d.tmp);
	free(d.b64);
	free(d.b64out);
	return e;
}

/* --- internationalised domains in the header ------------------------------ */

/* The fields that hold addresses (RFC 5322 3.6.2, 3.6.3, 3.6.6). */
static int
address_field(const char *name, size_t n)
{
	static const char *const names[] = { "From", "Sender", "Reply-To",
	    "To", "Cc", "Bcc", "Mail-Followup-To", "Mail-Reply-To" };
	size_t i;

	if (n > 7 && strncasecmp(name, "Resent-", 7) == 0) {
		name += 7;
		n -= 7;
	}
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == n && strncasecmp(name, names[i], n) == 0)
			return 1;
	return 0;
}

/* Write p[0..n) to fd whole, counting its bytes on the wire; *eight: any of 0x80 or above. */
static enum err
idn_write(int fd, const char *p, size_t n, uint64_t *size, int *eight,
    char **errstr)
{
	ssize_t w;
	size_t i;

	for (i = 0; i < n; i++) {
		*size += 1 + (p[i] == '\n');
		*eight |= (unsigned char)p[i] >= 0x80;
	}
	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			util_seterr(errstr, _("cannot write the message: %s"),
			    strerror(errno));
			return ERR_IO;
		}
		p += w;
		n -= (size_t)w;
	}
	return ERR_OK;
}

/* One read of up to 64 KiB from in onto b: the bytes, 0 at EOF, -1 with errno. */
static ssize_t
read_some(int in, struct buf *b)
{
	ssize_t r;

	if (buf_reserve(b, BUF_READ_BLOCK) < 0)
		return -1;
	do
		r = read(in, b->data + b->len, BUF_READ_BLOCK);
	while (r < 0 && errno == EINTR);
	if (r > 0) {
		b->len += (size_t)r;
		b->data[b->len] = '\0';
	}
	return r;
}

/* Read from in onto b until the header's end ("\n\n") or EOF; where it ends, or 0. */
static enum err
idn_read_header(int in, struct buf *b, size_t *end, char **errstr)
{
	const char *p, *blank;
	size_t from = 0;
	ssize_t r;

	*end = 0;
	for (;;) {
		p = buf_str(b);
		if (b->len > 0 && p[0] == '\n') {
			*end = 1;
			return ERR_OK;
		}
		for (blank = p + from; (blank = memchr(blank, '\n',
		    b->len - (size_t)(blank - p))) != NULL &&
		    (size_t)(blank - p) + 1 < b->len && blank[1] != '\n';
		    blank++)
			;
		if (blank != NULL && (size_t)(blank - p) + 1 < b->len) {
			*end = (size_t)(blank - p) + 2;
			return ERR_OK;
		}
		from = b->len > 0 ? b->len - 1 : 0;
		if (b->len > RFC822_HEADER_MAX)
			return ERR_OK;
		if ((r = read_some(in, b)) < 0) {
			if (errno == ENOMEM)
				return ERR_NOMEM;
			util_seterr(errstr, _("cannot read the message: %s"),
			    strerror(errno));
			return ERR_IO;
		}
		if (r == 0) {
			*end = b->len;
			return ERR_OK;
		}
	}
}

/* The header h[0..n) onto out with the address fields converted. */
static enum err
idn_fields(const char *h, size_t n, struct buf *out, int *changed)
{
	const char *p = h, *end = h + n, *eol, *colon;
	char *v = NULL, *errstr = NULL;
	int ch;
	enum err e;

	while (p < end) {
		/* One field: up to a line end not followed by a space or tab. */
		for (eol = p; eol < end; eol++)
			if (*eol == '\n' && (eol + 1 == end ||
			    (eol[1] != ' ' && eol[1] != '\t')))
				break;
		if (eol < end)
			eol++;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon == NULL || !address_field(p, (size_t)(colon - p))) {
			if (buf_add(out, p, (size_t)(eol - p)) < 0)
				return ERR_NOMEM;
			p = eol;
			continue;
		}
		colon++;
		e = idn_header(colon, (size_t)(eol - colon), &v, &ch, &errstr);
		free(errstr);
		errstr = NULL;
		if (e == ERR_NOMEM)
			return e;
		/* A field that cannot be converted goes as it is. */
		if (buf_add(out, p, (size_t)(colon - p)) < 0 ||
		    (e == ERR_OK ? buf_addstr(out, v) :
		    buf_add(out, colon, (size_t)(eol - colon))) < 0) {
			free(v);
			return ERR_NOMEM;
		}
		*changed |= e == ERR_OK && ch;
		free(v);
		v = NULL;
		p = eol;
	}
	return ERR_OK;
}

enum err
downgrade_idn(int in, int out, uint64_t *size, int *changed, int *eightbit,
    char **errstr)
{
	struct buf b, h;
	size_t end;
	ssize_t r;
	enum err e;

	*size = 0;
	*changed = 0;
	*eightbit = 0;
	buf_init(&b, 2 * RFC822_HEADER_MAX);
	buf_init(&h, 2 * RFC822_HEADER_MAX);
	e = idn_read_header(in, &b, &end, errstr);
	if (e == ERR_OK && end > 0)
		e = idn_fields(buf_str(&b), end, &h, changed);
	if (e != ERR_OK || !*changed)
		goto out;
	if ((e = idn_write(out, buf_str(&h), h.len, size, eightbit, errstr)) != ERR_OK ||
	    (e = idn_write(out, buf_str(&b) + end, b.len - end, size,
	    eightbit, errstr)) != ERR_OK)
		goto out;
	/* The body, as it is. */
	for (;;) {
		buf_reset(&b);
		if ((r = read_some(in, &b)) < 0) {
			util_seterr(errstr, _("cannot read the message: %s"),
			    strerror(errno));
			e = ERR_IO;
			break;
		}
		if (r == 0 || (e = idn_write(out, buf_str(&b), b.len, size,
		    eightbit, errstr)) != ERR_OK)
			break;
	}
out:
	buf_free(&b);
	buf_free(&h);
	return e;
}
