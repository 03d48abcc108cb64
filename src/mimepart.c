/* mimepart.c - the MIME builder's parts: texts, files, messages and multiparts made and checked; mime.c writes them out. */
/* SPDX-License-Identifier: ISC */
#include "mime_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "charset.h"
#include "flowed.h"
#include "i18n.h"
#include "util.h"

#define TEXT_MAX       (64u * 1024 * 1024)   /* a text part in memory */

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
int
mime_new_boundary(char *b, size_t len)
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
	if (p->type == NULL || mime_new_boundary(p->boundary,
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
ssize_t
mime_read_full(int fd, char *b, size_t n)
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
		n = mime_read_full(p->fd, head, 64 * 1024);
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

/* --- entities for PGP/MIME (pgpmime.h) ------------------------------------ */

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
