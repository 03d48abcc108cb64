/* httpmsg.c - the HTTP/1.1 response of https.h read from bytes: status, headers, a body by length, by chunks or to the end; no I/O. */
/* SPDX-License-Identifier: ISC */
#include "https.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

#define HTTPS_MAX_HEADERS 200

void
https_response_free(struct https_response *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nheaders; i++) {
		free(rs->headers[i].name);
		free(rs->headers[i].value);
	}
	free(rs->headers);
	free(rs->reason);
	free(rs->body);
	memset(rs, 0, sizeof(*rs));
}

const char *
https_header(const struct https_response *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nheaders; i++)
		if (strcasecmp(rs->headers[i].name, name) == 0)
			return rs->headers[i].value;
	return NULL;
}

/* The end of the head (just past its empty line), or 0 when not there yet. */
static size_t
head_end(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] == '\r' && i + 2 < len && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* A copy of (p, n) without white space around it. */
static char *
trimmed(const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r'))
		n--;
	return strndup(p, n);
}

static int
status_line(const char *p, size_t n, struct https_response *rs,
    char **errstr)
{
	if (n < 12 || strncmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ' ||
	    p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' ||
	    p[11] < '0' || p[11] > '9' || (n > 12 && p[12] != ' ' &&
	    p[12] != '\r')) {
		util_seterr(errstr, _("the server's answer is not an HTTP/1.x "
		    "response"));
		return -1;
	}
	rs->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	rs->reason = trimmed(p + 12, n - 12);
	return rs->reason != NULL ? 0 : -1;
}

static int
header_line(const char *p, size_t n, struct https_response *rs,
    char **errstr)
{
	const char *colon = memchr(p, ':', n);
	struct https_header *h;

	if (colon == NULL || colon == p || *p == ' ' || *p == '\t' ||
	    rs->nheaders >= HTTPS_MAX_HEADERS) {
		util_seterr(errstr, _("the server's HTTP headers are "
		    "malformed"));
		return -1;
	}
	h = realloc(rs->headers, (rs->nheaders + 1) * sizeof(*h));
	if (h == NULL)
		return -1;
	rs->headers = h;
	h += rs->nheaders;
	h->name = strndup(p, (size_t)(colon - p));
	h->value = trimmed(colon + 1, n - (size_t)(colon + 1 - p));
	if (h->name == NULL || h->value == NULL) {
		free(h->name);
		free(h->value);
		return -1;
	}
	rs->nheaders++;
	return 0;
}

/* Status line and headers of p[0..end). */
static int
parse_head(const char *p, size_t end, struct https_response *rs,
    char **errstr)
{
	const char *line = p, *nl;
	size_t n;
	int first = 1;

	while (line < p + end && (nl = memchr(line, '\n',
	    (size_t)(p + end - line))) != NULL) {
		n = (size_t)(nl - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		if (memchr(line, '\0', n) != NULL) {
			util_seterr(errstr, _("the server's HTTP headers hold "
			    "a NUL byte"));
			return -1;
		}
		if ((first ? status_line(line, n, rs, errstr) :
		    header_line(line, n, rs, errstr)) < 0)
			return -1;
		first = 0;
		line = nl + 1;
	}
	return 0;
}

static int
too_big(size_t max, char **errstr)
{
	util_seterr(errstr, _("the server's answer is larger than %zu bytes"),
	    max);
	return -1;
}

/*
 * Decode the chunks of p[0..len) into b: 0 done, 1 more needed, -1
 * malformed (or over max).
 */
static int
unchunk(const char *p, size_t len, size_t max, struct buf *b, char **errstr)
{
	size_t i = 0, size, digits;
	int v;

	for (;;) {
		for (size = 0, digits = 0; i < len &&
		    (v = util_hexval((unsigned char)p[i])) >= 0; i++) {
			if (++digits > 8)
				goto bad;
			size = size * 16 + (size_t)v;
		}
		while (i < len && p[i] != '\n')    /* chunk extensions */
			i++;
		if (i >= len)
			return 1;
		if (digits == 0)
			goto bad;
		i++;
		if (size == 0)
			break;
		if (b->len + size > max)
			return too_big(max, errstr);
		if (len - i < size + 1)
			return 1;
		if (buf_add(b, p + i, size) < 0)
			return -1;
		i += size;
		if (p[i] == '\r')
			i++;
		if (i >= len)
			return 1;
		if (p[i++] != '\n')
			goto bad;
	}
	/* Trailers, up to the empty line. */
	for (;;) {
		const char *nl = memchr(p + i, '\n', len - i);

		if (nl == NULL)
			return 1;
		if (nl == p + i || (nl == p + i + 1 && p[i] == '\r'))
			return 0;
		i = (size_t)(nl - p) + 1;
	}
bad:
	util_seterr(errstr, _("the server's chunked body is malformed"));
	return -1;
}

/* Content-Length as a number, or -1 when it is none. */
static long long
content_length(const char *v)
{
	long long n = 0;

	if (*v == '\0' || strlen(v) > 15)
		return -1;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		n = n * 10 + (*v - '0');
	}
	return n;
}

/* The body after the head, into b: 0 whole, 1 more needed, -1 with *errstr. */
static int
read_body(const struct https_response *rs, const char *p, size_t len,
    int eof, size_t max_body, struct buf *b, char **errstr)
{
	const char *te = https_header(rs, "Transfer-Encoding");
	const char *cl = https_header(rs, "Content-Length");
	long long clen;

	if (te != NULL && strcasecmp(te, "identity") != 0) {
		if (strcasecmp(te, "chunked") == 0)
			return unchunk(p, len, max_body, b, errstr);
		util_seterr(errstr, _("the server sent a body encoded as '%s', "
		    "which pigeon does not read"), te);
		return -1;
	}
	if (rs->status < 200 || rs->status == 204 || rs->status == 304)
		return 0;
	if (cl != NULL) {
		if ((clen = content_length(cl)) < 0) {
			util_seterr(errstr, _("the server's Content-Length "
			    "'%s' is not a number"), cl);
			return -1;
		}
		if ((unsigned long long)clen > max_body)
			return too_big(max_body, errstr);
		return len < (size_t)clen ? 1 : buf_add(b, p, (size_t)clen);
	}
	if (len > max_body)
		return too_big(max_body, errstr);
	return !eof ? 1 : buf_add(b, p, len);
}

int
https_parse_response(const char *p, size_t len, int eof, size_t max_body,
    struct https_response *rs, char **errstr)
{
	size_t end;
	struct buf b;
	int r;

	memset(rs, 0, sizeof(*rs));
	if (max_body == 0)
		max_body = HTTPS_MAX_BODY_DEFAULT;
	if ((end = head_end(p, len)) == 0) {
		if (len > HTTPS_MAX_HEAD) {
			util_seterr(errstr, _("the server's HTTP headers are "
			    "longer than %d bytes"), HTTPS_MAX_HEAD);
			return -1;
		}
		if (!eof)
			return 1;
		util_seterr(errstr, len == 0 ? _("the server closed the "
		    "connection without an answer") : _("the server's answer "
		    "ended inside its headers"));
		return -1;
	}
	if (parse_head(p, end, rs, errstr) < 0 || rs->reason == NULL) {
		if (rs->reason == NULL && errstr != NULL && *errstr == NULL)
			util_seterr(errstr, _("the server's answer is not an "
			    "HTTP/1.x response"));
		https_response_free(rs);
		return -1;
	}
	buf_init(&b, max_body + 1);
	r = read_body(rs, p + end, len - end, eof, max_body, &b, errstr);
	if (r == 1 && eof) {
		util_seterr(errstr, _("the connection ended before the whole "
		    "body came"));
		r = -1;
	}
	if (r == 0 && (rs->body = malloc(b.len + 1)) == NULL)
		r = -1;
	if (r == 0) {
		if (b.len > 0)
			memcpy(rs->body, b.data, b.len);
		rs->body[b.len] = '\0';
		rs->bodylen = b.len;
	} else {
		https_response_free(rs);
	}
	buf_free(&b);
	return r;
}
