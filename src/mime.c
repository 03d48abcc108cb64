/* mime.c - the MIME builder's serializer: it picks the encodings and boundaries of a tree of parts and streams it out; the parts are made in mimepart.c. */
/* SPDX-License-Identifier: ISC */
#include "mime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "charset.h"
#include "crlf.h"
#include "hdr.h"
#include "i18n.h"
#include "mime_int.h"
#include "msg.h"
#include "qp.h"
#include "util.h"

#define LINE_MAX_OCTETS 998                   /* RFC 5322 2.1.1 */
/* Input per block: whole base64 lines, about 64 KiB. */
#define IN_BLOCK       (BASE64_LINE_IN * 1150)
#define OUT_FLUSH      (256 * 1024)          /* write out from this size */
#define OUT_MAX        (8 * 1024 * 1024)     /* a header may be long */
#define BOUNDARY_TRIES 8

/* prepare()'s allow8: STRICT7 is 7bit with no trailing white space on a line and no line beginning "From " (RFC 3156 3, 5). */
#define STRICT7 2

static const char *const enc_names[] = {
	"7bit", "8bit", "quoted-printable", "base64",
};

/* --- the first pass: what is in the parts ----------------------------- */

static void
scan_init(struct scan *s, char *const *bnd, size_t nbnd)
{
	memset(s, 0, sizeof(*s));
	s->bnd = bnd;
	s->nbnd = nbnd;
}

/* A line ended: does it begin with "--" and one of the boundaries? */
static void
scan_line_end(struct scan *s)
{
	size_t i, len;

	if (s->col > 0 && (s->lastc == ' ' || s->lastc == '\t'))
		s->ws_end = 1;
	if (s->nhead >= 5 && memcmp(s->head, "From ", 5) == 0)
		s->from_bol = 1;
	if (s->nhead >= 2 && s->head[0] == '-' && s->head[1] == '-')
		for (i = 0; i < s->nbnd; i++) {
			len = strlen(s->bnd[i]);
			if (s->nhead >= 2 + len &&
			    memcmp(s->head + 2, s->bnd[i], len) == 0)
				s->collide = 1;
		}
	s->col = 0;
	s->nhead = 0;
}

static void
scan_bytes(struct scan *s, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = u[i];
		if (s->cr) {
			s->cr = 0;
			if (c == '\n') {
				scan_line_end(s);
				continue;
			}
			s->lone_cr = 1;
		}
		if (c == '\r') {
			s->cr = 1;
			continue;
		}
		if (c == '\n') {
			scan_line_end(s);
			continue;
		}
		if (++s->col > s->maxline)
			s->maxline = s->col;
		s->lastc = c;
		if (s->nhead < sizeof(s->head))
			s->head[s->nhead++] = (char)c;
		if (c == 0)
			s->nul = 1;
		/* UTF-8, checked as it streams by (RFC 3629 ranges). */
		if (s->need > 0) {
			if (c < s->lo || c > s->hi)
				s->bad_utf8 = 1;
			s->need--;
			s->lo = 0x80;
			s->hi = 0xbf;
			continue;
		}
		if (c < 0x80)
			continue;
		s->eight = 1;
		s->lo = 0x80;
		s->hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			s->need = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			s->need = 2;
			if (c == 0xe0)
				s->lo = 0xa0;
			else if (c == 0xed)
				s->hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			s->need = 3;
			if (c == 0xf0)
				s->lo = 0x90;
			else if (c == 0xf4)
				s->hi = 0x8f;
		} else
			s->bad_utf8 = 1;
	}
}

static void
scan_finish(struct scan *s)
{
	if (s->cr)
		s->lone_cr = 1;
	if (s->need > 0)
		s->bad_utf8 = 1;
	scan_line_end(s);
}

/* Read a file part from its start; cb gets each block. */
static enum err
each_block(struct mime_part *p, char *blk, enum err (*cb)(void *,
    const char *, size_t), void *arg, char **errstr)
{
	uint64_t total = 0;
	ssize_t n;
	enum err e;

	if (lseek(p->fd, 0, SEEK_SET) < 0)
		goto fail;
	for (;;) {
		n = mime_read_full(p->fd, blk, IN_BLOCK);
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		total += (uint64_t)n;
		if ((e = cb(arg, blk, (size_t)n)) != ERR_OK)
			return e;
		if ((size_t)n < IN_BLOCK)
			break;
	}
	if (total != p->size) {
		util_seterr(errstr, _("'%s' changed while the message was "
		    "being written (%llu bytes, then %llu)"), p->path,
		    (unsigned long long)p->size, (unsigned long long)total);
		return ERR_IO;
	}
	return ERR_OK;
fail:
	util_seterr(errstr, _("cannot read '%s': %s"), p->path,
	    strerror(errno));
	return ERR_IO;
}

static enum err
scan_cb(void *arg, const char *p, size_t n)
{
	scan_bytes(arg, p, n);
	return ERR_OK;
}

static int
is_text_type(const char *t)
{
	return strncasecmp(t, "text/", 5) == 0;
}

/* Collect the boundaries of the tree. */
static int
boundaries(struct mime_part *p, char ***v, size_t *n)
{
	char **nv;
	size_t i;

	if (p->kind != P_MULTI)
		return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (nv == NULL)
		return -1;
	*v = nv;
	nv[(*n)++] = p->boundary;
	for (i = 0; i < p->nkids; i++)
		if (boundaries(p->kids[i], v, n) < 0)
			return -1;
	return 0;
}

static void
renew_boundaries(struct mime_part *p)
{
	size_t i;

	if (p->kind != P_MULTI)
		return;
	(void)mime_new_boundary(p->boundary, sizeof(p->boundary));
	for (i = 0; i < p->nkids; i++)
		renew_boundaries(p->kids[i]);
}

/* Look through every part that may go out unencoded; pick encodings. */
static enum err
prepare(struct mime_part *p, char *const *bnd, size_t nbnd, int allow8,
    char *blk, int *collide, char **errstr)
{
	struct scan *s = &p->sc;
	size_t i;
	enum err e;
	int raw_ok;

	switch (p->kind) {
	case P_MULTI:
		p->enc = ENC_7BIT;
		for (i = 0; i < p->nkids; i++) {
			e = prepare(p->kids[i], bnd, nbnd, allow8, blk, collide,
			    errstr);
			if (e != ERR_OK)
				return e;
			if (p->kids[i]->enc == ENC_8BIT)
				p->enc = ENC_8BIT;
		}
		return ERR_OK;
	case P_TEXT:
		scan_init(s, bnd, nbnd);
		scan_bytes(s, p->text.data != NULL ? p->text.data : "",
		    p->text.len);
		scan_finish(s);
		break;
	case P_FILE:
		if (!is_text_type(p->type)) {
			p->enc = ENC_BASE64;
			return ERR_OK;
		}
		/* FALLTHROUGH */
	case P_MESSAGE:
	case P_RAW:
		scan_init(s, bnd, nbnd);
		if ((e = each_block(p, blk, scan_cb, s, errstr)) != ERR_OK)
			return e;
		scan_finish(s);
		break;
	}
	if (p->kind == P_RAW) {
		/* Made 7bit on purpose (signed or encrypted): sent as it is. */
		*collide |= s->collide;
		p->enc = s->eight ? ENC_8BIT : ENC_7BIT;
		return ERR_OK;
	}
	*collide |= s->collide;
	raw_ok = !s->nul && !s->lone_cr && s->maxline <= LINE_MAX_OCTETS;
	if (p->kind == P_MESSAGE) {
		/* RFC 2046 5.2.1: message/rfc822 is 7bit or 8bit, never encoded. */
		p->as_octets = !raw_ok || (s->eight && allow8 != 1);
		p->enc = p->as_octets ? ENC_BASE64 : s->eight ? ENC_8BIT :
		    ENC_7BIT;
		return ERR_OK;
	}
	if (p->kind == P_FILE) {
		/* A text file we cannot label with a charset goes as bytes. */
		if (s->nul || s->lone_cr || s->bad_utf8) {
			p->enc = ENC_BASE64;
			return ERR_OK;
		}
		free(p->charset);
		p->charset = strdup(s->eight ? "utf-8" : "us-ascii");
		if (p->charset == NULL)
			return ERR_NOMEM;
	}
	/*
	 * Signed (RFC 3156 3): no blank at a line's end, and no line that
	 * begins "From ", which an mbox on the way may turn into ">From "
	 * and so break the signature; quoted-printable writes =46rom.
	 */
	if (raw_ok && !s->eight && !(allow8 == STRICT7 && (s->ws_end ||
	    s->from_bol)))
		p->enc = ENC_7BIT;
	else if (raw_ok && allow8 == 1)
		p->enc = ENC_8BIT;
	else
		p->enc = ENC_QP;
	return ERR_OK;
}

/* --- the second pass: writing ------------------------------------------ */

struct wr {
	int fd;
	struct buf b;
	uint64_t total;
	uint64_t lines;          /* line ends written: CRLF on the wire */
	size_t counted;          /* bytes of b whose line ends are counted */
	char last[2];            /* the last two bytes written */
	uint64_t wb_mark;        /* started to the disk up to here */
	char **errstr;
	void (*written)(void *arg, const char *p, size_t n);
	void *arg;
};

static enum err
wr_out(struct wr *w, const char *p, size_t n)
{
	const char *p0 = p;
	size_t n0 = n;
	ssize_t r;

	while (n > 0) {
		r = write(w->fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			util_seterr(w->errstr, _("cannot write the message: %s"),
			    strerror(errno));
			return ERR_IO;
		}
		p += r;
		n -= (size_t)r;
		w->total += (uint64_t)r;
	}
	util_writeback(w->fd, &w->wb_mark, w->total);
	if (w->written != NULL && n0 > 0)
		w->written(w->arg, p0, n0);
	return ERR_OK;
}

static void
note_last(struct wr *w, const char *p, size_t n)
{
	if (n >= 2) {
		memcpy(w->last, p + n - 2, 2);
	} else if (n == 1) {
		w->last[0] = w->last[1];
		w->last[1] = p[0];
	}
}

static uint64_t
count_lf(const char *p, size_t n)
{
	const char *end = p + n;
	uint64_t k = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

/* Count the line ends of what was appended to the buffer since the last count. */
static void
wr_count(struct wr *w)
{
	if (w->b.len > w->counted)
		w->lines += count_lf(w->b.data + w->counted, w->b.len -
		    w->counted);
	w->counted = w->b.len;
}

static enum err
wr_flush(struct wr *w)
{
	enum err e;

	if (w->b.len == 0)
		return ERR_OK;
	wr_count(w);
	note_last(w, w->b.data, w->b.len);
	e = wr_out(w, w->b.data, w->b.len);
	buf_reset(&w->b);
	w->counted = 0;
	return e;
}

/* Flush when the buffer has grown past OUT_FLUSH. */
static enum err
wr_maybe_flush(struct wr *w)
{
	return w->b.len >= OUT_FLUSH ? wr_flush(w) : ERR_OK;
}

/*
 * Append p[0..n), whose line ends are lines when that is known (base64
 * lines), or -1 to count them.
 */
static enum err
wr_add_lines(struct wr *w, const char *p, size_t n, int64_t lines)
{
	enum err e;

	if (w->b.len + n > OUT_FLUSH && (e = wr_flush(w)) != ERR_OK)
		return e;
	wr_count(w);
	w->lines += lines >= 0 ? (uint64_t)lines : count_lf(p, n);
	if (n >= OUT_FLUSH) {
		note_last(w, p, n);
		return wr_out(w, p, n);
	}
	if (buf_add(&w->b, p, n) < 0)
		return ERR_NOMEM;
	w->counted = w->b.len;
	return ERR_OK;
}

static enum err
wr_add(struct wr *w, const char *p, size_t n)
{
	return wr_add_lines(w, p, n, -1);
}

static enum err
wr_str(struct wr *w, const char *s)
{
	return wr_add(w, s, strlen(s));
}

/* A header function's result: -1 is out of memory or a value too long to fold. */
static enum err
hdr_done(struct wr *w, int r, const char *field)
{
	if (r < 0) {
		if (errno == ENOMEM)
			return ERR_NOMEM;
		util_seterr(w->errstr, _("the %s field cannot be written "
		    "within the line limits of RFC 5322"), field);
		return ERR_DATA;
	}
	return wr_maybe_flush(w);
}

/* The Content-* fields of a part. */
static enum err
part_headers(struct wr *w, const struct mime_part *p)
{
	struct hdr_param prm[4];
	size_t np = 0;
	const char *type = p->type;
	enum err e;

	if (p->kind == P_MULTI) {
		for (np = 0; np < p->nprm; np++)
			prm[np] = p->prm[np];
		prm[np].name = "boundary";
		prm[np++].value = p->boundary;
	} else if (p->kind == P_MESSAGE && p->as_octets) {
		type = "application/octet-stream";
		prm[np].name = "name";
		prm[np++].value = p->name;
	} else if (p->charset != NULL && (p->kind == P_TEXT ||
	    p->enc != ENC_BASE64)) {
		prm[np].name = "charset";
		prm[np++].value = p->charset;
		if (p->flowed) {
			prm[np].name = "format";
			prm[np++].value = "flowed";
		}
		if (p->flowed == 2) {
			prm[np].name = "delsp";
			prm[np++].value = "yes";
		}
	}
	if (p->kind == P_FILE) {
		prm[np].name = "name";
		prm[np++].value = p->name;
	}
	if ((e = hdr_done(w, hdr_params(&w->b, "Content-Type", type, prm, np),
	    "Content-Type")) != ERR_OK)
		return e;
	if (p->kind == P_FILE || p->kind == P_MESSAGE) {
		prm[0].name = "filename";
		prm[0].value = p->name;
		e = hdr_done(w, hdr_params(&w->b, "Content-Disposition",
		    p->disp == MIME_INLINE ? "inline" : "attachment", prm, 1),
		    "Content-Disposition");
		if (e == ERR_OK && p->desc != NULL && *p->desc != '\0')
			e = hdr_done(w, hdr_unstructured(&w->b,
			    "Content-Description", p->desc),
			    "Content-Description");
		if (e != ERR_OK)
			return e;
	}
	if (p->kind != P_MULTI || p->enc == ENC_8BIT)
		return hdr_done(w, hdr_structured(&w->b,
		    "Content-Transfer-Encoding", enc_names[p->enc]),
		    "Content-Transfer-Encoding");
	return ERR_OK;
}

/* Body writers, one block at a time. */
struct body {
	struct wr *w;
	struct crlf crlf;
	struct qp qp;
	char *out;               /* base64 lines */
};

static enum err
raw_cb(void *arg, const char *p, size_t n)
{
	struct body *b = arg;

	if (crlf_convert(&b->crlf, &b->w->b, p, n) < 0)
		return ERR_NOMEM;
	return wr_maybe_flush(b->w);
}

static enum err
qp_cb(void *arg, const char *p, size_t n)
{
	struct body *b = arg;

	if (qp_encode(&b->qp, &b->w->b, p, n) < 0)
		return ERR_NOMEM;
	return wr_maybe_flush(b->w);
}

static enum err
b64_cb(void *arg, const char *p, size_t n)
{
	struct body *b = arg;
	size_t len = base64_encode_lines(b->out, p, n);

	return wr_add_lines(b->w, b->out, len, (int64_t)((n + BASE64_LINE_IN -
	    1) / BASE64_LINE_IN));
}

static enum err write_part(struct wr *w, struct mime_part *p, char *blk,
    char *b64, int depth);

static enum err
write_body(struct wr *w, struct mime_part *p, char *blk, char *b64,
    int depth)
{
	struct body b;
	enum err (*cb)(void *, const char *, size_t);
	enum err e;
	size_t i;

	memset(&b, 0, sizeof(b));
	b.w = w;
	b.out = b64;
	if (p->kind == P_MULTI) {
		/* For readers that know no MIME, at the top only. */
		if (depth == 0 && (e = wr_str(w, "This is a multi-part message "
		    "in MIME format.\n")) != ERR_OK)
			return e;
		for (i = 0; i < p->nkids; i++) {
			if ((e = wr_str(w, "\n--")) != ERR_OK ||
			    (e = wr_str(w, p->boundary)) != ERR_OK ||
			    (e = wr_str(w, "\n")) != ERR_OK ||
			    (e = write_part(w, p->kids[i], blk, b64,
			    depth + 1)) != ERR_OK)
				return e;
		}
		if ((e = wr_str(w, "\n--")) != ERR_OK ||
		    (e = wr_str(w, p->boundary)) != ERR_OK)
			return e;
		return wr_str(w, "--\n");
	}
	switch (p->enc) {
	case ENC_7BIT:
	case ENC_8BIT:
		crlf_init_lf(&b.crlf, 0);
		cb = raw_cb;
		break;
	case ENC_QP:
		qp_init(&b.qp, 1);
		cb = qp_cb;
		break;
	default:
		cb = b64_cb;
		break;
	}
	if (p->kind == P_TEXT) {
		/* In blocks, so that the output buffer stays small. */
		for (i = 0, e = ERR_OK; i < p->text.len && e == ERR_OK;
		    i += IN_BLOCK)
			e = cb(&b, p->text.data + i, p->text.len - i < IN_BLOCK ?
			    p->text.len - i : IN_BLOCK);
	} else {
		e = each_block(p, blk, cb, &b, w->errstr);
	}
	if (e != ERR_OK)
		return e;
	if (p->enc == ENC_QP && qp_finish(&b.qp, &w->b) < 0)
		return ERR_NOMEM;
	return wr_maybe_flush(w);
}

static enum err
write_part(struct wr *w, struct mime_part *p, char *blk, char *b64, int depth)
{
	enum err e;

	if (p->kind == P_RAW)
		return write_body(w, p, blk, b64, depth);
	if ((e = part_headers(w, p)) != ERR_OK ||
	    (e = wr_str(w, "\n")) != ERR_OK)
		return e;
	return write_body(w, p, blk, b64, depth);
}

/* Has this address list a non-ASCII address (RFC 6532)? */
static int
any_8bit(const struct addr *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!charset_is_ascii(v[i].spec, strlen(v[i].spec)))
			return 1;
	return 0;
}

static enum err
message_headers(struct wr *w, const struct mime_msg *m)
{
	char date[64], *id = NULL, *domain = NULL;
	const char *at;
	size_t i;
	enum err e;

	if (m->date == NULL && msg_date(date, sizeof(date)) < 0)
		return ERR_SOFTWARE;
	if ((e = hdr_done(w, hdr_structured(&w->b, "Date", m->date != NULL ?
	    m->date : date), "Date")) != ERR_OK)
		return e;
	if ((e = hdr_done(w, hdr_addresses(&w->b, "From", m->from, 1),
	    "From")) != ERR_OK)
		return e;
	if (m->nto > 0 && (e = hdr_done(w, hdr_addresses(&w->b, "To", m->to,
	    m->nto), "To")) != ERR_OK)
		return e;
	if (m->ncc > 0 && (e = hdr_done(w, hdr_addresses(&w->b, "Cc", m->cc,
	    m->ncc), "Cc")) != ERR_OK)
		return e;
	if (m->nbcc > 0 && (e = hdr_done(w, hdr_addresses(&w->b, "Bcc",
	    m->bcc, m->nbcc), "Bcc")) != ERR_OK)
		return e;
	if (m->nto == 0 && m->ncc == 0 && (e = hdr_done(w,
	    hdr_structured(&w->b, "To", "undisclosed-recipients:;"), "To")) !=
	    ERR_OK)
		return e;
	if (m->nreply_to > 0 && (e = hdr_done(w, hdr_addresses(&w->b,
	    "Reply-To", m->reply_to, m->nreply_to), "Reply-To")) != ERR_OK)
		return e;
	if (m->subject != NULL && (e = hdr_done(w, hdr_unstructured(&w->b,
	    "Subject", m->subject), "Subject")) != ERR_OK)
		return e;
	if (m->message_id == NULL) {
		at = strrchr(m->from->spec, '@');
		if (at != NULL && charset_is_ascii(at + 1, strlen(at + 1)) &&
		    (domain = strdup(at + 1)) == NULL)
			return ERR_NOMEM;
		id = msg_make_id(domain);
		free(domain);
		if (id == NULL)
			return ERR_NOMEM;
	}
	e = hdr_done(w, hdr_structured(&w->b, "Message-ID", m->message_id !=
	    NULL ? m->message_id : id), "Message-ID");
	free(id);
	if (e != ERR_OK)
		return e;
	if (m->in_reply_to != NULL && (e = hdr_done(w, hdr_structured(&w->b,
	    "In-Reply-To", m->in_reply_to), "In-Reply-To")) != ERR_OK)
		return e;
	if (m->references != NULL && (e = hdr_done(w, hdr_structured(&w->b,
	    "References", m->references), "References")) != ERR_OK)
		return e;
	if (m->user_agent != NULL && (e = hdr_done(w, hdr_unstructured(&w->b,
	    "User-Agent", m->user_agent), "User-Agent")) != ERR_OK)
		return e;
	for (i = 0; i < m->nextra; i++)
		if ((e = hdr_done(w, hdr_unstructured(&w->b, m->extra[i].name,
		    m->extra[i].value), m->extra[i].name)) != ERR_OK)
			return e;
	if (m->autocrypt_attrs != NULL && m->autocrypt_keydata != NULL &&
	    (e = hdr_done(w, hdr_autocrypt(&w->b, m->autocrypt_attrs,
	    m->autocrypt_keydata), "Autocrypt")) != ERR_OK)
		return e;
	return hdr_done(w, hdr_structured(&w->b, "MIME-Version", "1.0"),
	    "MIME-Version");
}

enum err
mime_write(const struct mime_msg *m, int fd, int allow8bit,
    struct mime_result *r, char **errstr)
{
	return mime_write_to(m, fd, allow8bit, NULL, NULL, r, errstr);
}

/* Pick encodings; new boundaries until none begins a line. */
static enum err
choose(struct mime_part *root, int allow8, char *blk, char **errstr)
{
	char **bnd = NULL;
	size_t nbnd = 0;
	int collide, tries = 0;
	enum err e;

	if (boundaries(root, &bnd, &nbnd) < 0)
		return ERR_NOMEM;
	do {
		collide = 0;
		e = prepare(root, bnd, nbnd, allow8, blk, &collide, errstr);
		if (e != ERR_OK)
			break;
		if (collide)
			renew_boundaries(root);
	} while (collide && ++tries < BOUNDARY_TRIES);
	free(bnd);
	if (e == ERR_OK && collide) {
		util_seterr(errstr, _("no MIME boundary could be found that "
		    "does not occur in the message"));
		e = ERR_SOFTWARE;
	}
	return e;
}

static void
wr_init(struct wr *w, int fd, char **errstr)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->errstr = errstr;
	buf_init(&w->b, OUT_MAX);
	/*
	 * Blocks are gathered up to OUT_FLUSH and written together (fewer,
	 * larger writes to the spool file); the room is made once, not by
	 * doubling through every size on the way.
	 */
	(void)buf_reserve(&w->b, OUT_FLUSH + BASE64_LINES_LEN(IN_BLOCK));
}

enum err
mime_write_to(const struct mime_msg *m, int fd, int allow8bit,
    void (*written)(void *arg, const char *p, size_t n), void *arg,
    struct mime_result *r, char **errstr)
{
	struct wr w;
	char *blk = NULL, *b64 = NULL;
	enum err e;

	memset(r, 0, sizeof(*r));
	wr_init(&w, fd, errstr);
	w.written = written;
	w.arg = arg;
	blk = malloc(IN_BLOCK);
	b64 = malloc(BASE64_LINES_LEN(IN_BLOCK));
	if (blk == NULL || b64 == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = choose(m->root, allow8bit ? 1 : 0, blk, errstr)) != ERR_OK)
		goto out;
	if ((e = message_headers(&w, m)) != ERR_OK ||
	    (e = write_part(&w, m->root, blk, b64, 0)) != ERR_OK)
		goto out;
	/* The message ends with a line end. */
	if ((e = wr_flush(&w)) != ERR_OK)
		goto out;
	if (w.total > 0 && w.last[1] != '\n') {
		if ((e = wr_out(&w, "\n", 1)) != ERR_OK)
			goto out;
		w.lines++;
	}
	r->size = w.total;
	r->wire_size = w.total + w.lines;
	r->eightbit = m->root->enc == ENC_8BIT || any_8bit(m->from, 1) ||
	    any_8bit(m->to, m->nto) || any_8bit(m->cc, m->ncc) ||
	    any_8bit(m->reply_to, m->nreply_to);
out:
	buf_free(&w.b);
	free(blk);
	free(b64);
	return e;
}

/* --- entities for PGP/MIME (pgpmime.h) ------------------------------------ */

enum err
mime_write_part(struct mime_part *p, int fd, char **errstr)
{
	struct wr w;
	char *blk = NULL, *b64 = NULL;
	enum err e;

	wr_init(&w, fd, errstr);
	blk = malloc(IN_BLOCK);
	b64 = malloc(BASE64_LINES_LEN(IN_BLOCK));
	if (blk == NULL || b64 == NULL)
		e = ERR_NOMEM;
	else if ((e = choose(p, STRICT7, blk, errstr)) == ERR_OK &&
	    (e = write_part(&w, p, blk, b64, 1)) == ERR_OK)
		e = wr_flush(&w);
	buf_free(&w.b);
	free(blk);
	free(b64);
	return e;
}
