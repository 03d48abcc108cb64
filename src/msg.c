/* msg.c - prepare a whole message given on input (sendmail mode) for sending. */
/* SPDX-License-Identifier: ISC */
#include "msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "crlf.h"
#include "rfc822.h"
#include "i18n.h"
#include "util.h"

#define MSG_BLOCK       (64 * 1024)
#define MSG_HEADER_MAX  (1024 * 1024)

int
msg_date(char *buf, size_t len)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	struct tm tm;
	time_t now = time(NULL);
	long off;
	int n;

	if (localtime_r(&now, &tm) == NULL)
		return -1;
	off = tm.tm_gmtoff / 60;
	n = snprintf(buf, len, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

char *
msg_make_id(const char *domain)
{
	unsigned char rnd[12];
	char hex[sizeof(rnd) * 2 + 1];
	size_t i;

	if (util_random(rnd, sizeof(rnd)) < 0)
		return NULL;
	for (i = 0; i < sizeof(rnd); i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	return util_strf("<%llx.%s@%s>", (unsigned long long)time(NULL), hex,
	    domain != NULL && *domain != '\0' ? domain : "localhost");
}

/* Write all of b to fd; ERR_IO with the reason (a full disk says so). */
static enum err
write_all(int fd, const char *p, size_t n, char **errstr)
{
	if (util_write_all(fd, p, n) < 0) {
		util_seterr(errstr, _("cannot write the spool file: %s"),
		    strerror(errno));
		return ERR_IO;
	}
	return ERR_OK;
}

int
msg_open_spool(const char *dir)
{
	struct buf path;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	buf_init(&path, 4096);
	if (buf_printf(&path, "%s/pigeon-spool-XXXXXX", dir) < 0)
		return -1;
	fd = mkstemp(path.data);
	if (fd >= 0) {
		(void)unlink(path.data);
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	buf_free(&path);
	return fd;
}

/* The addr-spec of the first address in a From value (malloc'd), or NULL. */
static char *
from_spec(const char *v, size_t len)
{
	struct addr_list l = { NULL, 0 };
	char *spec = NULL;

	if (addr_list_parse(&l, v, len, NULL) == ERR_OK && l.n > 0)
		spec = strdup(l.v[0].spec);
	addr_list_free(&l);
	return spec;
}

/* The domain of the first address in a From value, for Message-ID. */
static char *
from_domain(const char *v, size_t len)
{
	struct addr_list l = { NULL, 0 };
	char *d = NULL, *at;

	if (addr_list_parse(&l, v, len, NULL) == ERR_OK && l.n > 0 &&
	    (at = strrchr(l.v[0].spec, '@')) != NULL)
		d = strdup(at + 1);
	addr_list_free(&l);
	return d;
}

static enum err
emit_headers(const struct msg_opts *o, struct msg *m, const char *h,
    size_t hlen, struct buf *out, char **errstr)
{
	struct rfc822_field f;
	struct crlf c;
	struct addr_list resent = { NULL, 0 };
	size_t pos = 0;
	int has_date = 0, has_msgid = 0, has_from = 0, has_resent = 0;
	int block = 0;          /* 0: before, 1: in, 2: after the first Resent- block */
	char *domain = NULL, *id;
	char date[64];
	enum err e = ERR_NOMEM;

	crlf_init_lf(&c, 1);
	while (rfc822_next_field(h, hlen, &pos, &f)) {
		size_t vlen;
		const char *val = rfc822_field_value(&f, &vlen);
		int resent_field = f.namelen >= 7 &&
		    strncasecmp(f.p, "Resent-", 7) == 0;
		int is_rs, is_bcc;

		/*
		 * With -t, a message that was resent goes to the Resent-To,
		 * -Cc and -Bcc of its newest (first) block of Resent- fields
		 * only, as sendmail and msmtp do it; else to To, Cc and Bcc.
		 * Both are read, one is kept at the end.
		 */
		if (resent_field && block == 0)
			block = 1;
		else if (!resent_field && block == 1)
			block = 2;
		is_rs = block == 1 && (rfc822_field_is(&f, "Resent-To") ||
		    rfc822_field_is(&f, "Resent-Cc") ||
		    rfc822_field_is(&f, "Resent-Bcc"));
		is_bcc = rfc822_field_is(&f, "Bcc") ||
		    rfc822_field_is(&f, "Resent-Bcc");
		if (is_bcc && !is_rs && rfc822_field_is(&f, "Resent-Bcc")) {
			/* An older block's blind copies: removed, not used. */
			continue;
		}
		if (o->extract && (is_rs || is_bcc ||
		    rfc822_field_is(&f, "To") ||
		    rfc822_field_is(&f, "Cc"))) {
			e = addr_list_parse_local(is_rs ? &resent :
			    &m->rcpts, val, vlen, o->local_ok, errstr);
			if (e != ERR_OK)
				goto fail;
			has_resent |= is_rs;
		}
		if (rfc822_field_is(&f, "Date"))
			has_date = 1;
		else if (rfc822_field_is(&f, "Message-ID"))
			has_msgid = 1;
		else if (rfc822_field_is(&f, "From")) {
			has_from = 1;
			if (domain == NULL)
				domain = from_domain(val, vlen);
			if (m->from == NULL)
				m->from = from_spec(val, vlen);
		}
		/* Blind copies are for the envelope only. */
		if (is_bcc)
			continue;
		if (crlf_convert(&c, out, f.p, f.len) < 0 ||
		    crlf_finish(&c, out) < 0)
			goto nomem;
	}
	if (has_resent) {
		addr_list_free(&m->rcpts);
		m->rcpts = resent;
		resent.v = NULL;
		resent.n = 0;
	}
	if (!has_from && o->from != NULL) {
		if (buf_printf(out, "From: %s\n", o->from) < 0)
			goto nomem;
		if (domain == NULL)
			domain = from_domain(o->from, strlen(o->from));
		m->added_from = 1;
	}
	if (!has_date) {
		if (msg_date(date, sizeof(date)) < 0 ||
		    buf_printf(out, "Date: %s\n", date) < 0)
			goto nomem;
		m->added_date = 1;
	}
	if (!has_msgid) {
		id = msg_make_id(o->domain != NULL ? o->domain : domain);
		if (id == NULL || buf_printf(out, "Message-ID: %s\n", id) < 0) {
			free(id);
			goto nomem;
		}
		free(id);
		m->added_msgid = 1;
	}
	if (buf_addch(out, '\n') < 0)
		goto nomem;
	m->eightbit = c.eightbit;
	free(domain);
	return ERR_OK;
nomem:
	e = ERR_NOMEM;
fail:
	addr_list_free(&resent);
	free(domain);
	return e;
}

enum err
msg_prepare(int in_fd, const struct msg_opts *o, struct msg *m,
    char **errstr)
{
	struct buf head, out;
	struct crlf c;
	size_t hlen, body = 0, skip = 0;
	char *raw = NULL, *nl;
	ssize_t n;
	enum err e = ERR_OK;
	int complete = 0, eof = 0, skip_known = 0;
	uint64_t wb_mark = 0;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	buf_init(&head, MSG_HEADER_MAX + 2 * MSG_BLOCK);
	/* Room for the header, a few fields added and a block of the body. */
	buf_init(&out, 2 * MSG_HEADER_MAX + 8 * MSG_BLOCK);

	/* Read until the header is complete (or the input ends). */
	while (!complete && !eof) {
		if (head.len - skip > MSG_HEADER_MAX ||
		    buf_reserve(&head, MSG_BLOCK) < 0) {
			util_seterr(errstr, _("the message header is larger "
			    "than %d bytes"), MSG_HEADER_MAX);
			e = ERR_DATA;
			goto out;
		}
		n = read(in_fd, head.data + head.len, MSG_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			util_seterr(errstr, _("cannot read the message: %s"),
			    strerror(errno));
			e = ERR_NOINPUT;
			goto out;
		}
		if (n == 0)
			eof = 1;
		head.len += (size_t)n;
		head.data[head.len] = '\0';
		/*
		 * An mbox "From " line is no header; it is dropped as Postfix
		 * does.  Know where it ends before looking for the header's.
		 */
		if (!skip_known) {
			const char *nl;

			if (head.len < 5 && !eof)
				continue;
			if (head.len >= 5 && memcmp(head.data, "From ", 5) == 0) {
				nl = memchr(head.data, '\n', head.len);
				if (nl == NULL && !eof)
					continue;
				skip = nl != NULL ?
				    (size_t)(nl - head.data) + 1 : head.len;
			}
			skip_known = 1;
		}
		(void)rfc822_header_end(head.data + skip, head.len - skip, &body,
		    &complete);
	}
	hlen = rfc822_header_end(head.data != NULL ? head.data + skip : "",
	    head.len - skip, &body, &complete);
	if (!complete) {
		/* No body at all: it is all header. */
		hlen = head.len - skip;
		body = head.len - skip;
	}
	if (memchr(head.data != NULL ? head.data + skip : "", '\0', hlen)) {
		util_seterr(errstr, _("the message header contains a NUL "
		    "byte"));
		e = ERR_DATA;
		goto out;
	}
	if (hlen > MSG_HEADER_MAX) {
		util_seterr(errstr, _("the message header is larger than %d "
		    "bytes"), MSG_HEADER_MAX);
		e = ERR_DATA;
		goto out;
	}
	e = emit_headers(o, m, buf_str(&head) + skip, hlen, &out, errstr);
	if (e != ERR_OK)
		goto out;
	body += skip;
	if (memchr(head.data != NULL ? head.data + body : "", '\0',
	    head.len - body) != NULL)
		goto nul;
	if (o->use_out_fd) {
		m->fd = o->out_fd;
		m->borrowed = 1;
	} else if ((m->fd = msg_open_spool(o->tmpdir)) < 0) {
		util_seterr(errstr, _("cannot create a spool file: %s"),
		    strerror(errno));
		e = ERR_IO;
		goto out;
	}
	/* Each line end of the header becomes a CRLF on the wire. */
	for (nl = out.data; nl != NULL && (nl = memchr(nl, '\n', out.len -
	    (size_t)(nl - out.data))) != NULL; nl++)
		m->wire_size++;
	crlf_init_lf(&c, 1);
	if (crlf_convert(&c, &out, head.data + body, head.len - body) < 0) {
		e = ERR_NOMEM;
		goto out;
	}
	buf_free(&head);
	/* The body streams through in blocks: memory stays flat. */
	if ((raw = malloc(MSG_BLOCK)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	while (!eof) {
		if ((e = write_all(m->fd, out.data, out.len, errstr)) != ERR_OK)
			goto out;
		m->size += out.len;
		util_writeback(m->fd, &wb_mark, m->size);
		if (o->written != NULL && o->written(o->arg, m, out.data,
		    out.len) != 0) {
			e = ERR_CANCEL;
			goto out;
		}
		buf_reset(&out);
		if (o->before_read != NULL)
			o->before_read(o->arg, in_fd);
		n = read(in_fd, raw, MSG_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			util_seterr(errstr, _("cannot read the message: %s"),
			    strerror(errno));
			e = ERR_NOINPUT;
			goto out;
		}
		if (n == 0)
			break;
		if (memchr(raw, '\0', (size_t)n) != NULL)
			goto nul;
		if (crlf_convert(&c, &out, raw, (size_t)n) < 0) {
			e = ERR_NOMEM;
			goto out;
		}
	}
	if (crlf_finish(&c, &out) < 0) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = write_all(m->fd, out.data, out.len, errstr)) != ERR_OK)
		goto out;
	m->size += out.len;
	if (o->written != NULL && out.len > 0 && o->written(o->arg, m,
	    out.data, out.len) != 0) {
		e = ERR_CANCEL;
		goto out;
	}
	m->wire_size += m->size + c.lines;
	m->eightbit |= c.eightbit;
	if (lseek(m->fd, 0, SEEK_SET) < 0) {
		util_seterr(errstr, _("cannot rewind the spool file: %s"),
		    strerror(errno));
		e = ERR_IO;
	}
	goto out;
nul:
	/* SMTP cannot carry NUL (RFC 5321 4.5.2, RFC 6152). */
	util_seterr(errstr, _("the message body contains a NUL byte, which "
	    "SMTP cannot carry (send binary data as a MIME attachment)"));
	e = ERR_DATA;
out:
	free(raw);
	buf_free(&head);
	buf_free(&out);
	if (e != ERR_OK)
		msg_free(m);
	return e;
}

void
msg_free(struct msg *m)
{
	if (m->fd >= 0 && !m->borrowed)
		(void)close(m->fd);
	m->fd = -1;
	addr_list_free(&m->rcpts);
	free(m->from);
	m->from = NULL;
}
