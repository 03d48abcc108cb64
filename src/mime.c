/* mime.c - the MIME builder: a tree of parts and a serializer that streams it out. */
/* SPDX-License-Identifier: ISC */
#include "mime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "charset.h"
#include "crlf.h"
#include "flowed.h"
#include "hdr.h"
#include "i18n.h"
#include "msg.h"
#include "qp.h"
#include "util.h"

#define TEXT_MAX       (64u * 1024 * 1024)   /* a text part in memory */
#define LINE_MAX_OCTETS 998                   /* RFC 5322 2.1.1 */
/* Input per block: whole base64 lines, about 64 KiB. */
#define IN_BLOCK       (BASE64_LINE_IN * 1150)
#define OUT_FLUSH      (256 * 1024)          /* write out from this size */
#define OUT_MAX        (8 * 1024 * 1024)     /* a header may be long */
#define BOUNDARY_TRIES 8

/* P_RAW: an entity written before (mime_entity()), headers and all. */
enum kind { P_TEXT, P_FILE, P_MESSAGE, P_MULTI, P_RAW };

/* prepare()'s allow8: STRICT7 is 7bit with no trailing white space on a line and no line beginning "From " (RFC 3156 3, 5). */
#define STRICT7 2

enum enc { ENC_7BIT, ENC_8BIT, ENC_QP, ENC_BASE64 };

static const char *const enc_names[] = {
	"7bit", "8bit", "quoted-printable", "base64",
};

/* What a look through a part's bytes found. */
struct scan {
	uint64_t col, maxline;
	int eight, nul, lone_cr, bad_utf8, collide;
	int ws_end;              /* a line ends in a blank */
	int from_bol;            /* a line begins with "From " */
	unsigned char lastc;     /* the last byte of the line so far */
	int cr;                  /* the last byte was a CR */
	int need;                /* UTF-8 continuation bytes still due */
	unsigned char lo, hi;    /* the range of the next one */
	char head[76];           /* the start of the current line */
	size_t nhead;
	char *const *bnd;        /* boundaries that may not start a line */
	size_t nbnd;
};

struct mime_part {
	enum kind kind;
	char *type;              /* "text/plain", "image/png", "multipart/mixed" */
	char *charset;           /* texts: the MIME charset name */
	int flowed;              /* texts: 1 format=flowed, 2 and DelSp=yes */
	char *name;              /* files: the name shown, UTF-8 */
	char *desc;              /* files: Content-Description, UTF-8; NULL: none */
	enum mime_disp disp;
	struct buf text;         /* P_TEXT: in charset, LF line ends */
	int fd;                  /* P_FILE, P_MESSAGE */
	char *path;
	uint64_t size;
	char boundary[80];       /* P_MULTI */
	struct hdr_param prm[2]; /* P_MULTI: more Content-Type parameters */
	size_t nprm;
	struct mime_part **kids;
	size_t nkids;
	/* Decided by mime_write()'s first pass. */
	struct scan sc;
	enum enc enc;
	int as_octets;           /* a message file that must go as base64 */
};

/* --- parts ---------------------------------------------------------- */


static struct mime_part *
part_new(enum kind k)
{
	struct mime_part *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->kind = k;
	p->fd = -1;
	buf_init(&p->text, TEXT_MAX);
	return p;
}

void
mime_free(struct mime_part *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nkids; i++)
		mime_free(p->kids[i]);
	free(p->kids);
	if (p->fd >= 0)
		(void)close(p->fd);
	buf_free(&p->text);
	free(p->type);
	free(p->charset);
	free(p->name);
	free(p->desc);
	free(p->path);
	for (i = 0; i < p->nprm; i++) {
		free((char *)p->prm[i].name);
		free((char *)p->prm[i].value);
	}
	free(p);
}

/* A boundary: "=_pigeon_" and 24 random hex digits.  "=_" cannot appear in base64 or quoted-printable output, so only raw parts can collide. */
static int
new_boundary(char *b, size_t len)
{
	unsigned char r[12];
	size_t i, n;

	if (util_random(r, sizeof(r)) < 0)
		return -1;
	n = (size_t)snprintf(b, len, "=_pigeon_");
	for (i = 0; i < sizeof(r) && n + 3 <= len; i++)
		n += (size_t)snprintf(b + n, len - n, "%02x", r[i]);
	return 0;
}

enum err
mime_multipart(struct mime_part **out, const char *subtype)
{
	struct mime_part *p;

	*out = NULL;
	if ((p = part_new(P_MULTI)) == NULL)
		return ERR_NOMEM;
	p->type = util_strf("multipart/%s", subtype);
	if (p->type == NULL || new_boundary(p->boundary,
	    sizeof(p->boundary)) < 0) {
		mime_free(p);
		return ERR_NOMEM;
	}
	*out = p;
	return ERR_OK;
}

enum err
mime_add(struct mime_part *mp, struct mime_part *child)
{
	struct mime_part **v;

	if (mp->kind != P_MULTI)
		return ERR_SOFTWARE;
	v = realloc(mp->kids, (mp->nkids + 1) * sizeof(*v));
	if (v == NULL)
		return ERR_NOMEM;
	mp->kids = v;
	v[mp->nkids++] = child;
	return ERR_OK;
}

/* Append text to b with every CRLF and lone CR turned into LF. */
static int
add_lf(struct buf *b, const char *p, size_t n)
{
	const char *end = p + n, *cr;

	while (p < end) {
		cr = memchr(p, '\r', (size_t)(end - p));
		if (cr == NULL)
			return buf_add(b, p, (size_t)(end - p));
		if (buf_add(b, p, (size_t)(cr - p)) < 0 ||
		    buf_addch(b, '\n') < 0)
			return -1;
		p = cr + 1;
		if (p < end && *p == '\n')
			p++;
	}
	return 0;
}

enum err
mime_text(struct mime_part **out, const char *subtype, const char *text,
    size_t len, const char *charsets, char **errstr)
{
	struct mime_part *p;
	struct buf lf, conv;
	char csbuf[64], *list = NULL, *cs, *save;
	size_t bad;
	enum err e = ERR_OK;
	int done = 0;

	*out = NULL;
	if (len > TEXT_MAX) {
		util_seterr(errstr, _("the text is larger than %u MiB; attach "
		    "it as a file instead"), TEXT_MAX / (1024 * 1024));
		return ERR_DATA;
	}
	if (memchr(text, '\0', len) != NULL) {
		util_seterr(errstr, _("the text contains a NUL byte"));
		return ERR_DATA;
	}
	if (!charset_utf8_valid(text, len, &bad)) {
		util_seterr(errstr, _("the text is not valid UTF-8 (at byte "
		    "%zu)"), bad + 1);
		return ERR_DATA;
	}
	if ((p = part_new(P_TEXT)) == NULL)
		return ERR_NOMEM;
	buf_init(&lf, TEXT_MAX);
	buf_init(&conv, TEXT_MAX + TEXT_MAX / 2);
	p->type = util_strf("text/%s", subtype);
	if (p->type == NULL || add_lf(&lf, text, len) < 0) {
		e = ERR_NOMEM;
		goto out;
	}
	if (charset_is_ascii(lf.data != NULL ? lf.data : "", lf.len)) {
		p->charset = strdup("us-ascii");
		done = 1;
	} else if (charsets != NULL && *charsets != '\0') {
		/* The first charset of the list that holds the text exactly. */
		if ((list = strdup(charsets)) == NULL) {
			e = ERR_NOMEM;
			goto out;
		}
		for (cs = strtok_r(list, ":, ", &save); cs != NULL && !done;
		    cs = strtok_r(NULL, ":, ", &save)) {
			buf_reset(&conv);
			e = charset_from_utf8(&conv, buf_str(&lf), lf.len, cs,
			    errstr);
			if (e == ERR_DATA) {
				e = ERR_OK;
				continue;
			}
			if (e != ERR_OK)
				goto out;
			if (charset_mime_name(cs, csbuf, sizeof(csbuf)) ==
			    NULL) {
				util_seterr(errstr, _("the charset '%s' has no "
				    "MIME name"), cs);
				e = ERR_CONFIG;
				goto out;
			}
			p->charset = strdup(charset_mime_name(cs, csbuf,
			    sizeof(csbuf)));
			if (p->charset == NULL || buf_add(&p->text,
			    conv.data != NULL ? conv.data : "", conv.len) < 0) {
				e = ERR_NOMEM;
				goto out;
			}
			done = 2;
		}
	}
	if (!done)
		p->charset = strdup("utf-8");
	if (p->charset == NULL || (done != 2 &&
	    buf_add(&p->text, buf_str(&lf), lf.len) < 0))
		e = ERR_NOMEM;
out:
	free(list);
	buf_free(&lf);
	buf_free(&conv);
	if (e != ERR_OK) {
		mime_free(p);
		return e;
	}
	*out = p;
	return ERR_OK;
}

enum err
mime_text_flowed(struct mime_part **out, const char *text, size_t len,
    const char *charsets, char **errstr)
{
	struct buf lf, fl;
	enum err e;
	int delsp = 0;

	*out = NULL;
	/* mime_text() says what is wrong with such a text. */
	if (len > TEXT_MAX || memchr(text, '\0', len) != NULL)
		return mime_text(out, "plain", text, len, charsets, errstr);
	buf_init(&lf, TEXT_MAX);
	buf_init(&fl, TEXT_MAX);
	if (add_lf(&lf, text, len) < 0) {
		e = ERR_NOMEM;
	} else if (flowed_encode(&fl, buf_str(&lf), lf.len, FLOWED_WIDTH,
	    &delsp) < 0) {
		/* Only a text near the limit grows past it. */
		e = ERR_DATA;
		util_seterr(errstr, _("the text is larger than %u MiB once cut "
		    "into flowed lines; attach it as a file instead"),
		    TEXT_MAX / (1024 * 1024));
	} else if ((e = mime_text(out, "plain", buf_str(&fl), fl.len,
	    charsets, errstr)) == ERR_OK) {
		(*out)->flowed = delsp ? 2 : 1;
	}
	buf_free(&lf);
	buf_free(&fl);
	return e;
}

/* A name without anything a terminal or a mail reader could trip over; "attachment" when nothing is left. */
static char *
clean_name(const char *name, size_t n)
{
	const unsigned char *s = (const unsigned char *)name;
	struct buf clean;
	size_t i;
	char *r = NULL;

	buf_init(&clean, 4096);
	for (i = 0; i < n; i++) {
		/* C0, DEL, C1 (U+0080..U+009F), bidi embeddings and isolates. */
		if (s[i] < 0x20 || s[i] == 0x7f)
			continue;
		if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 &&
		    s[i + 1] <= 0x9f) {
			i++;
			continue;
		}
		if (s[i] == 0xe2 && i + 2 < n && ((s[i + 1] == 0x80 &&
		    s[i + 2] >= 0xaa && s[i + 2] <= 0xae) ||
		    (s[i + 1] == 0x81 && s[i + 2] >= 0xa6 &&
		    s[i + 2] <= 0xa9))) {
			i += 2;
			continue;
		}
		if (buf_addch(&clean, (char)s[i]) < 0)
			goto out;
	}
	r = strdup(clean.len > 0 ? buf_str(&clean) : "attachment");
out:
	buf_free(&clean);
	return r;
}

/* The base name of path as UTF-8, cleaned. */
static char *
shown_name(const char *path, char **errstr)
{
	const char *base = strrchr(path, '/');
	struct buf u;
	size_t n;
	char *r = NULL;

	base = base != NULL ? base + 1 : path;
	buf_init(&u, 4096);
	n = strlen(base);
	if (charset_utf8_valid(base, n, NULL)) {
		if (buf_add(&u, base, n) < 0)
			goto out;
	} else if (charset_to_utf8(&u, base, n, charset_locale(), errstr) !=
	    ERR_OK) {
		goto out;
	}
	r = clean_name(buf_str(&u), u.len);
out:
	buf_free(&u);
	return r;
}

enum err
mime_file_name(struct mime_part *p, const char *name)
{
	char *c;

	if (p->kind != P_FILE && p->kind != P_MESSAGE)
		return ERR_SOFTWARE;
	if (!charset_utf8_valid(name, strlen(name), NULL))
		return ERR_DATA;
	if ((c = clean_name(name, strlen(name))) == NULL)
		return ERR_NOMEM;
	free(p->name);
	p->name = c;
	return ERR_OK;
}

enum err
mime_file_description(struct mime_part *p, const char *desc)
{
	char *c, *q;

	if (p->kind != P_FILE && p->kind != P_MESSAGE)
		return ERR_SOFTWARE;
	if (!charset_utf8_valid(desc, strlen(desc), NULL))
		return ERR_DATA;
	if ((c = strdup(desc)) == NULL)
		return ERR_NOMEM;
	/* One line: a control character cannot start another field. */
	for (q = c; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = ' ';
	free(p->desc);
	p->desc = c;
	return ERR_OK;
}

static enum err
open_file(struct mime_part *p, const char *path, char **errstr)
{
	struct stat st;

	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0) {
		util_seterr(errstr, _("cannot read '%s': %s"), path,
		    strerror(errno));
		return ERR_NOINPUT;
	}
	if (fstat(p->fd, &st) < 0) {
		util_seterr(errstr, _("cannot read '%s': %s"), path,
		    strerror(errno));
		return ERR_NOINPUT;
	}
	if (!S_ISREG(st.st_mode)) {
		util_seterr(errstr, _("cannot attach '%s': %s"), path,
		    S_ISDIR(st.st_mode) ? _("it is a directory") :
		    _("not a regular file"));
		return ERR_NOINPUT;
	}
	p->size = (uint64_t)st.st_size;
	if ((p->path = strdup(path)) == NULL)
		return ERR_NOMEM;
	if ((p->name = shown_name(path, errstr)) == NULL)
		return ERR_DATA;
	return ERR_OK;
}

/* Read up to n bytes, retrying short reads: n bytes, fewer at the end, -1. */
static ssize_t
read_full(int fd, char *b, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, b + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

enum err
mime_file(struct mime_part **out, const char *path, const char *type,
    enum mime_disp disp, const struct mimetypes *mt, char **errstr)
{
	struct mime_part *p;
	const char *t = type;
	char *head = NULL;
	ssize_t n;
	enum err e;

	*out = NULL;
	if ((p = part_new(P_FILE)) == NULL)
		return ERR_NOMEM;
	p->disp = disp;
	if ((e = open_file(p, path, errstr)) != ERR_OK) {
		mime_free(p);
		return e;
	}
	if (t == NULL && mt != NULL)
		t = mimetype_lookup(mt, p->name);
	if (t == NULL) {
		/* Sniff the first block. */
		if ((head = malloc(64 * 1024)) == NULL) {
			mime_free(p);
			return ERR_NOMEM;
		}
		n = read_full(p->fd, head, 64 * 1024);
		if (n < 0) {
			util_seterr(errstr, _("cannot read '%s': %s"), path,
			    strerror(errno));
			free(head);
			mime_free(p);
			return ERR_NOINPUT;
		}
		e = mimetype_content(head, (size_t)n, (uint64_t)n == p->size,
		    &p->type);
	} else {
		p->type = strdup(t);
	}
	free(head);
	if (p->type == NULL) {
		mime_free(p);
		return ERR_NOMEM;
	}
	*out = p;
	return ERR_OK;
}

enum err
mime_message(struct mime_part **out, const char *path, char **errstr)
{
	struct mime_part *p;
	enum err e;

	*out = NULL;
	if ((p = part_new(P_MESSAGE)) == NULL)
		return ERR_NOMEM;
	p->disp = MIME_ATTACHMENT;
	if ((e = open_file(p, path, errstr)) != ERR_OK) {
		mime_free(p);
		return e;
	}
	if ((p->type = strdup("message/rfc822")) == NULL) {
		mime_free(p);
		return ERR_NOMEM;
	}
	*out = p;
	return ERR_OK;
}

enum err
mime_check_field(const char *name, const char *value, char **errstr)
{
	static const struct {
		const char *name;
		const char *use;
	} own[] = {
		{ "From", "--from" }, { "To", "RCPT" }, { "Cc", "-c" },
		{ "Bcc", "-b" }, { "Subject", "-s" },
		{ "MIME-Version", NULL }, { "Content-Type", NULL },
		{ "Content-Transfer-Encoding", NULL },
		{ "Content-Disposition", NULL },
	};
	const unsigned char *u;
	size_t i;

	if (*name == '\0') {
		util_seterr(errstr, _("a header field needs a name"));
		return ERR_USAGE;
	}
	for (u = (const unsigned char *)name; *u != '\0'; u++)
		if (*u <= ' ' || *u >= 0x7f || *u == ':') {
			util_seterr(errstr, _("invalid header field name "
			    "'%s'"), name);
			return ERR_USAGE;
		}
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strcasecmp(name, own[i].name) == 0 ||
		    (own[i].use == NULL && strncasecmp(name, "Content-", 8) ==
		    0)) {
			if (own[i].use != NULL)
				util_seterr(errstr, _("set %s with %s, not as a "
				    "header field"), own[i].name, own[i].use);
			else
				util_seterr(errstr, _("pigeon writes %s "
				    "itself"), name);
			return ERR_USAGE;
		}
	return mime_check_value(name, value, errstr);
}

enum err
mime_check_value(const char *name, const char *value, char **errstr)
{
	const unsigned char *u;

	for (u = (const unsigned char *)value; *u != '\0'; u++)
		if ((*u < 0x20 && *u != '\t') || *u == 0x7f) {
			util_seterr(errstr, _("the value of header field %s "
			    "holds a line break or control character: each "
			    "field must be one line"), name);
			return ERR_USAGE;
		}
	if (!charset_utf8_valid(value, strlen(value), NULL)) {
		util_seterr(errstr, _("the value of header field %s is not "
		    "valid UTF-8"), name);
		return ERR_USAGE;
	}
	return ERR_OK;
}

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
		n = read_full(p->fd, blk, IN_BLOCK);
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
	(void)new_boundary(p->boundary, sizeof(p->boundary));
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

enum err
mime_entity(struct mime_part **out, int fd, char **errstr)
{
	struct mime_part *p;
	struct stat st;

	*out = NULL;
	if (fstat(fd, &st) < 0) {
		util_seterr(errstr, _("cannot read a temporary file: %s"),
		    strerror(errno));
		(void)close(fd);
		return ERR_IO;
	}
	if ((p = part_new(P_RAW)) == NULL ||
	    (p->path = strdup(_("a temporary file"))) == NULL ||
	    (p->type = strdup("application/octet-stream")) == NULL) {
		mime_free(p);
		(void)close(fd);
		return ERR_NOMEM;
	}
	p->fd = fd;
	p->size = (uint64_t)st.st_size;
	*out = p;
	return ERR_OK;
}

enum err
mime_multipart_param(struct mime_part *p, const char *name,
    const char *value)
{
	char *n, *v;

	if (p->kind != P_MULTI || p->nprm >= 2)
		return ERR_SOFTWARE;
	n = strdup(name);
	v = strdup(value);
	if (n == NULL || v == NULL) {
		free(n);
		free(v);
		return ERR_NOMEM;
	}
	p->prm[p->nprm].name = n;
	p->prm[p->nprm++].value = v;
	return ERR_OK;
}
