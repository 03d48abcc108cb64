/* qlog.c - the transcripts of deliveries: a log per connection in log/, an index of attempts, a message's history. */
/* SPDX-License-Identifier: ISC */
#include "qlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "maildir.h"
#include "safefile.h"
#include "util.h"

/* A connection's log is written when this much is pending, or per message. */
#define LOG_PEND (64 * 1024)
/* Longest index line read back. */
#define INDEX_LINE 4096

struct qlog {
	char *dir;
	int dirfd;                 /* log/, where every file is opened */
	int indexfd;               /* log/index, opened when first needed */
	struct qlog_conn *open;    /* the open connection log, NULL: none */
};

struct qlog_conn {
	struct qlog *l;
	char *name;                /* session-UNIQUE.log */
	int fd;
	struct buf pend;           /* not written yet */
	struct buf idx;            /* index lines not written yet */
	uint64_t size, prelude;    /* size counts pend too */
	char *err;                 /* the first error, NULL: none */
};

static void logs_flush(struct qlog_conn *lg);

enum err
qlog_open(struct qlog **out, const char *dir, int dirfd)
{
	struct qlog *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (l == NULL || (l->dir = strdup(dir)) == NULL) {
		free(l);
		return ERR_NOMEM;
	}
	if ((l->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		free(l->dir);
		free(l);
		return errno == ENOMEM || errno == EMFILE ? ERR_NOMEM : ERR_IO;
	}
	l->indexfd = -1;
	*out = l;
	return ERR_OK;
}

void
qlog_close(struct qlog *l)
{
	if (l == NULL)
		return;
	if (l->indexfd >= 0)
		(void)close(l->indexfd);
	(void)close(l->dirfd);
	free(l->dir);
	free(l);
}

const char *
qlog_dir(const struct qlog *l)
{
	return l->dir;
}

void
qlog_flush(struct qlog *l)
{
	if (l->open != NULL)
		logs_flush(l->open);
}

/* Keep the first error; later writes are skipped. */
static void
log_fail(struct qlog_conn *lg, const char *what, const char *name)
{
	const char *why = strerror(errno);

	if (lg->err == NULL)
		lg->err = util_strf(_("cannot %s %s/%s: %s (the transcript "
		    "is not complete)"), what, lg->l->dir, name, why);
}

/* The same with safefile's sentence (a refusal), taken over. */
static void
log_refused(struct qlog_conn *lg, char *why)
{
	if (lg->err == NULL && why != NULL)
		lg->err = util_strf(_("%s (the transcript is not complete)"),
		    why);
	free(why);
}

enum err
qlog_conn_open(struct qlog *l, struct qlog_conn **out, char **errstr)
{
	struct qlog_conn *lg;
	char *u = mdname_unique(), *path = NULL;
	enum err e = ERR_NOMEM;

	*out = NULL;
	if (u == NULL || (lg = calloc(1, sizeof(*lg))) == NULL) {
		free(u);
		return ERR_NOMEM;
	}
	lg->l = l;
	buf_init(&lg->pend, 2 * LOG_PEND);
	buf_init(&lg->idx, 2 * LOG_PEND);
	if ((lg->name = util_strf("session-%s.log", u)) == NULL ||
	    (path = util_strf("%s/%s", l->dir, lg->name)) == NULL)
		goto fail;
	lg->fd = safefile_open(l->dirfd, lg->name, path, O_WRONLY | O_CREAT |
	    O_EXCL | O_APPEND, &e, errstr);
	if (lg->fd < 0)
		goto fail;
	free(u);
	free(path);
	l->open = lg;
	*out = lg;
	return ERR_OK;
fail:
	free(u);
	free(path);
	free(lg->name);
	buf_free(&lg->pend);
	buf_free(&lg->idx);
	free(lg);
	return e;
}

/* Write what is pending. */
static void
log_flush(struct qlog_conn *lg)
{
	const char *p = buf_str(&lg->pend);
	size_t n = lg->pend.len;
	ssize_t w;

	while (n > 0 && lg->err == NULL) {
		w = write(lg->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			log_fail(lg, _("write"), lg->name);
		else {
			p += w;
			n -= (size_t)w;
		}
	}
	buf_reset(&lg->pend);
}

void
qlog_write(struct qlog_conn *lg, const char *p, size_t n)
{
	if (lg == NULL || lg->err != NULL || n == 0)
		return;
	if (buf_add(&lg->pend, p, n) < 0) {
		log_flush(lg);
		errno = ENOMEM;
		log_fail(lg, _("write"), lg->name);
		return;
	}
	lg->size += n;
	if (lg->pend.len >= LOG_PEND)
		log_flush(lg);
}

uint64_t
qlog_size(const struct qlog_conn *lg)
{
	return lg != NULL ? lg->size : 0;
}

void
qlog_prelude(struct qlog_conn *lg)
{
	if (lg != NULL)
		lg->prelude = lg->size;
}

enum err
qlog_conn_close(struct qlog_conn *lg, char **errstr)
{
	enum err e = ERR_OK;

	if (lg == NULL)
		return ERR_OK;
	logs_flush(lg);
	if (lg->l->open == lg)
		lg->l->open = NULL;
	if (close(lg->fd) < 0)
		log_fail(lg, _("write"), lg->name);
	if (lg->err != NULL) {
		util_seterr(errstr, "%s", lg->err);
		e = ERR_IO;
	}
	free(lg->err);
	free(lg->name);
	buf_free(&lg->pend);
	buf_free(&lg->idx);
	free(lg);
	return e;
}

/*
 * Write what is pending of lg and its log/index lines, the lines in one
 * write: appends of other processes never mix into them.
 */
static void
logs_flush(struct qlog_conn *lg)
{
	struct qlog *l = lg->l;
	char *path, *why = NULL;
	enum err e;

	log_flush(lg);
	if (lg->idx.len == 0)
		return;
	/* A link there is refused, never written through. */
	if (l->indexfd < 0 &&
	    (path = util_strf("%s/index", l->dir)) != NULL) {
		l->indexfd = safefile_open(l->dirfd, "index", path, O_WRONLY |
		    O_CREAT | O_APPEND, &e, &why);
		free(path);
		if (l->indexfd < 0 && e == ERR_UNSAFE) {
			log_refused(lg, why);
			why = NULL;
		}
		free(why);
	}
	if (lg->err == NULL && (l->indexfd < 0 ||
	    write(l->indexfd, buf_str(&lg->idx), lg->idx.len) !=
	    (ssize_t)lg->idx.len))
		log_fail(lg, _("write"), "index");
	buf_reset(&lg->idx);
}

/* Copy [off, off + len) of fd to out; the bytes short of it when the file ends first. */
static uint64_t
copy_range(int fd, uint64_t off, uint64_t len,
    void (*out)(void *, const char *, size_t), void *arg)
{
	char block[64 * 1024];
	size_t want;
	ssize_t r;

	while (len > 0) {
		want = len < sizeof(block) ? (size_t)len : sizeof(block);
		r = pread(fd, block, want, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		out(arg, block, (size_t)r);
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return len;
}

static void
out_str(void (*out)(void *, const char *, size_t), void *arg, const char *s)
{
	out(arg, s, strlen(s));
}

/* One line of log/index: "ID SESSION START FROM LENGTH"; 0 or -1. */
static int
parse_index(char *line, char **id, char **session, uint64_t v[3])
{
	char *f[5], *save = NULL, *end;
	size_t i, len;

	for (i = 0; i < 5; i++)
		if ((f[i] = strtok_r(i == 0 ? line : NULL, " \n", &save)) ==
		    NULL)
			return -1;
	if (strtok_r(NULL, " \n", &save) != NULL)
		return -1;
	len = strlen(f[1]);
	if (strncmp(f[1], "session-", 8) != 0 || strchr(f[1], '/') != NULL ||
	    len < 13 || strcmp(f[1] + len - 4, ".log") != 0)
		return -1;
	for (i = 0; i < 3; i++) {
		if (f[i + 2][0] < '0' || f[i + 2][0] > '9')
			return -1;
		errno = 0;
		v[i] = strtoull(f[i + 2], &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
	}
	*id = f[0];
	*session = f[1];
	return 0;
}

enum err
qlog_history(struct qlog *l, const char *id,
    void (*out)(void *arg, const char *p, size_t n), void *arg, size_t *n,
    char **errstr)
{
	char line[INDEX_LINE], *lid, *session, *path, head[INDEX_LINE + 64];
	uint64_t v[3], left;
	FILE *f;
	size_t len;
	int fd, skip = 0;
	enum err e;

	*n = 0;
	if ((path = util_strf("%s/index", l->dir)) == NULL)
		return ERR_NOMEM;
	fd = safefile_open(l->dirfd, "index", path, O_RDONLY, &e, errstr);
	if (fd < 0 || (f = fdopen(fd, "r")) == NULL) {
		if (fd >= 0) {
			util_seterr(errstr, _("cannot read %s: %s"), path,
			    strerror(errno));
			(void)close(fd);
			e = ERR_IO;
		}
		free(path);
		if (e == ERR_NOINPUT) {
			/* No index yet: nothing was ever tried. */
			if (errstr != NULL) {
				free(*errstr);
				*errstr = NULL;
			}
			return ERR_OK;
		}
		return e;
	}
	free(path);
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strlen(line);
		/* The rest of a line too long to be ours. */
		if (skip || len == 0 || line[len - 1] != '\n') {
			skip = len == 0 || line[len - 1] != '\n';
			continue;
		}
		if (parse_index(line, &lid, &session, v) < 0 ||
		    strcmp(lid, id) != 0)
			continue;
		++*n;
		/* Written when shown: in the reader's language. */
		(void)snprintf(head, sizeof(head), "== ");
		(void)snprintf(head + 3, sizeof(head) - 3, _("attempt %zu: "
		    "%s/%s\n"), *n, l->dir, session);
		out_str(out, arg, head);
		if ((path = util_strf("%s/%s", l->dir, session)) == NULL) {
			(void)fclose(f);
			return ERR_NOMEM;
		}
		fd = safefile_open(l->dirfd, session, path, O_RDONLY, &e,
		    NULL);
		free(path);
		if (fd < 0) {
			out_str(out, arg, "== ");
			out_str(out, arg, e == ERR_UNSAFE ? _("(that log is "
			    "not a file of pigeon's: left unread)\n") :
			    _("(that log is gone)\n"));
			continue;
		}
		left = copy_range(fd, 0, v[0], out, arg);
		if (left == 0 && v[1] > v[0])
			out_str(out, arg, "...\n");
		if (left == 0)
			left = copy_range(fd, v[1], v[2], out, arg);
		if (left > 0) {
			out_str(out, arg, "== ");
			out_str(out, arg, _("(that log ends early)\n"));
		}
		(void)close(fd);
	}
	if (ferror(f)) {
		util_seterr(errstr, _("cannot read %s/index: %s"), l->dir,
		    strerror(errno));
		(void)fclose(f);
		return ERR_IO;
	}
	(void)fclose(f);
	return ERR_OK;
}

void
qlog_note(struct qlog_conn *lg, const char *id, const char *summary,
    size_t n, uint64_t from, int lazy)
{
	if (lg == NULL)
		return;
	if (from > lg->size)
		from = lg->size;
	qlog_write(lg, summary, n);
	if (lg->err == NULL && buf_printf(&lg->idx, "%s %s %llu %llu %llu\n",
	    id, lg->name, (unsigned long long)(lg->prelude < from ?
	    lg->prelude : from), (unsigned long long)from,
	    (unsigned long long)(lg->size - from)) < 0)
		log_fail(lg, _("write"), "index");
	if (!lazy)
		logs_flush(lg);
}
