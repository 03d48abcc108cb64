/* outbox.c - the durable outbox: every message and its envelope on disk before it is sent. */
#include "outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

#define ENV_MAX (16 * 1024 * 1024)
/* A message in outbox/ without an envelope younger than this is being queued. */
#define ORPHAN_AGE 60

struct outbox {
	char *dir;
	char *qdir;                /* queue/ */
	char *logdir;              /* log/ */
	struct maildir *md[4];
};

static const char *const folder_names[] = {
	"drafts", "outbox", "sent", "failed",
};

static enum err
sys_err(char **errstr, const char *what, const char *path)
{
	util_seterr(errstr, _("cannot %s %s: %s"), what, path,
	    strerror(errno));
	return errno == ENOMEM ? ERR_NOMEM : ERR_IO;
}

static enum err
make_dir(const char *path, char **errstr)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return sys_err(errstr, _("create"), path);
	return ERR_OK;
}

/* Make path and the directories above it that are missing (0700). */
static enum err
make_dirs(const char *path, char **errstr)
{
	char *p = strdup(path), *q;
	enum err e = ERR_OK;

	if (p == NULL)
		return ERR_NOMEM;
	for (q = p + 1; *q != '\0' && e == ERR_OK; q++)
		if (*q == '/') {
			*q = '\0';
			e = make_dir(p, errstr);
			*q = '/';
		}
	if (e == ERR_OK)
		e = make_dir(p, errstr);
	free(p);
	return e;
}

static char *
data_dir(void)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (x != NULL && *x == '/')
		return util_strf("%s/pigeon", x);
	if (home == NULL || *home == '\0')
		return NULL;
	return util_strf("%s/.local/share/pigeon", home);
}

enum err
outbox_open(struct outbox **out, const char *dir, char **errstr)
{
	struct outbox *ob;
	char *p = NULL;
	enum err e = ERR_NOMEM;
	size_t i;

	*out = NULL;
	if ((ob = calloc(1, sizeof(*ob))) == NULL)
		return ERR_NOMEM;
	ob->dir = dir != NULL ? strdup(dir) : data_dir();
	if (ob->dir == NULL) {
		util_seterr(errstr, _("no data directory: set HOME or "
		    "XDG_DATA_HOME"));
		e = ERR_CONFIG;
		goto fail;
	}
	/* ~/.local/share may be missing on a fresh account. */
	if ((e = make_dirs(ob->dir, errstr)) != ERR_OK)
		goto fail;
	e = ERR_NOMEM;
	ob->qdir = util_strf("%s/queue", ob->dir);
	ob->logdir = util_strf("%s/log", ob->dir);
	if (ob->qdir == NULL || ob->logdir == NULL)
		goto fail;
	if ((e = make_dir(ob->qdir, errstr)) != ERR_OK ||
	    (e = make_dir(ob->logdir, errstr)) != ERR_OK)
		goto fail;
	for (i = 0; i < 4; i++) {
		free(p);
		if ((p = util_strf("%s/%s", ob->dir, folder_names[i])) == NULL) {
			e = ERR_NOMEM;
			goto fail;
		}
		if ((e = maildir_open(&ob->md[i], p, 1, errstr)) != ERR_OK)
			goto fail;
	}
	free(p);
	*out = ob;
	return ERR_OK;
fail:
	free(p);
	outbox_close(ob);
	return e;
}

void
outbox_close(struct outbox *ob)
{
	size_t i;

	if (ob == NULL)
		return;
	for (i = 0; i < 4; i++)
		maildir_close(ob->md[i]);
	free(ob->dir);
	free(ob->qdir);
	free(ob->logdir);
	free(ob);
}

const char *
outbox_dir(const struct outbox *ob)
{
	return ob->dir;
}

struct maildir *
outbox_folder(struct outbox *ob, enum outbox_folder f)
{
	return ob->md[f];
}

/* queue/ID.SUFFIX or log/ID.SUFFIX. */
static char *
qpath(const struct outbox *ob, int log, const char *id, const char *suffix)
{
	return util_strf("%s/%s.%s", log ? ob->logdir : ob->qdir, id, suffix);
}

static enum err
fsync_dir(const char *dir, char **errstr)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return sys_err(errstr, _("open"), dir);
	if (fsync(fd) < 0 && errno != EINVAL) {
		(void)close(fd);
		return sys_err(errstr, _("sync"), dir);
	}
	(void)close(fd);
	return ERR_OK;
}

/* Write path atomically: a temporary file, fsync, rename, fsync of the directory. */
static enum err
write_atomic(const char *dir, const char *path, const char *p, size_t n,
    char **errstr)
{
	char *tmp = util_strf("%s.tmp%ld", path, (long)getpid());
	ssize_t w;
	int fd;

	if (tmp == NULL)
		return ERR_NOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail_fd;
		p += w;
		n -= (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail_fd;
	if (close(fd) < 0) {
		fd = -1;
		goto fail_fd;
	}
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return fsync_dir(dir, errstr);
fail_fd:
	if (fd >= 0)
		(void)close(fd);
fail:
	(void)sys_err(errstr, _("write"), path);
	(void)unlink(tmp);
	free(tmp);
	return ERR_IO;
}

enum err
outbox_save(struct outbox *ob, const struct qentry *e, char **errstr)
{
	struct buf b;
	char *path;
	enum err r;

	if ((path = qpath(ob, 0, e->id, "env")) == NULL)
		return ERR_NOMEM;
	buf_init(&b, ENV_MAX);
	if (qentry_format(e, &b) < 0) {
		r = errno == ENOMEM ? ERR_NOMEM : ERR_SOFTWARE;
		util_seterr(errstr, _("cannot record message %s: %s"), e->id,
		    strerror(errno));
		buf_free(&b);
		free(path);
		return r;
	}
	r = write_atomic(ob->qdir, path, buf_str(&b), b.len, errstr);
	buf_free(&b);
	free(path);
	return r;
}

/* Does queue/ID.sent say the server took the message? */
static int
has_sent_mark(const struct outbox *ob, const char *id)
{
	char *p = qpath(ob, 0, id, "sent");
	struct stat st;
	int r;

	if (p == NULL)
		return 0;
	r = stat(p, &st) == 0;
	free(p);
	return r;
}

/*
 * The one durable step after the server's 250: an empty queue/ID.sent
 * and a sync of queue/.  Everything after it (the envelope, the move to
 * sent/) may be lost in a crash and is then done again, never the send.
 */
static enum err
mark_sent(struct outbox *ob, const char *id, char **errstr)
{
	char *p = qpath(ob, 0, id, "sent"), *lock = qpath(ob, 0, id, "lock");
	int fd = -1;

	if (p == NULL || lock == NULL) {
		free(p);
		free(lock);
		return ERR_NOMEM;
	}
	/* A second name for the lock file: far cheaper than a new file. */
	if (link(lock, p) < 0 && errno != EEXIST &&
	    (fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		(void)sys_err(errstr, _("create"), p);
		free(p);
		free(lock);
		return ERR_IO;
	}
	if (fd >= 0)
		(void)close(fd);
	free(p);
	free(lock);
	return fsync_dir(ob->qdir, errstr);
}

void
outbox_batch(struct outbox *ob, int on)
{
	maildir_lazy_sync(ob->md[OUTBOX_OUTBOX], on);
	maildir_lazy_sync(ob->md[OUTBOX_SENT], on);
}

enum err
outbox_sync(struct outbox *ob, char **errstr)
{
	enum err e;

	if ((e = maildir_sync(ob->md[OUTBOX_SENT], errstr)) != ERR_OK ||
	    (e = maildir_sync(ob->md[OUTBOX_OUTBOX], errstr)) != ERR_OK ||
	    (e = fsync_dir(ob->logdir, errstr)) != ERR_OK)
		return e;
	return fsync_dir(ob->qdir, errstr);
}

static enum err
read_file(const char *path, struct buf *b, char **errstr)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0) {
		err = errno;
		(void)sys_err(errstr, _("read"), path);
		return err == ENOENT ? ERR_NOINPUT : ERR_IO;
	}
	if (buf_read_fd(b, fd) < 0) {
		err = errno;
		(void)close(fd);
		if (err == E2BIG) {
			util_seterr(errstr, _("%s is too large"), path);
			return ERR_DATA;
		}
		errno = err;
		return sys_err(errstr, _("read"), path);
	}
	(void)close(fd);
	return ERR_OK;
}

enum err
outbox_load(struct outbox *ob, const char *id, struct qentry *e,
    char **errstr)
{
	struct buf b;
	char *path, *why = NULL;
	enum err r;

	qentry_init(e);
	if ((path = qpath(ob, 0, id, "env")) == NULL)
		return ERR_NOMEM;
	buf_init(&b, ENV_MAX);
	r = read_file(path, &b, errstr);
	if (r == ERR_OK) {
		r = qentry_parse(e, buf_str(&b), b.len, &why);
		if (r == ERR_DATA)
			util_seterr(errstr, _("%s: %s (skipped, left as it is)"),
			    path, why != NULL ? why : "");
		else if (r == ERR_OK && strcmp(e->id, id) != 0) {
			util_seterr(errstr, _("%s: it names another message "
			    "(%s) (skipped, left as it is)"), path, e->id);
			qentry_free(e);
			r = ERR_DATA;
		} else if (r == ERR_OK && has_sent_mark(ob, id)) {
			/* A crash came between the mark and the envelope. */
			e->state = QENTRY_SENT;
		}
	}
	free(why);
	buf_free(&b);
	free(path);
	return r;
}

/* Is name a plausible id (what maildir_unique() makes)? */
static int
id_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || (unsigned char)s[i] < 0x20)
			return 0;
	return 1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum err
outbox_ids(struct outbox *ob, char ***ids, size_t *n, char **errstr)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL, **nv;
	size_t len, k = 0;

	*ids = NULL;
	*n = 0;
	if ((d = opendir(ob->qdir)) == NULL)
		return sys_err(errstr, _("read"), ob->qdir);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 4 || strcmp(de->d_name + len - 4, ".env") != 0 ||
		    !id_ok(de->d_name, len - 4))
			continue;
		nv = realloc(v, (k + 1) * sizeof(*v));
		if (nv == NULL || (nv[k] = strndup(de->d_name, len - 4)) ==
		    NULL) {
			if (nv != NULL)
				v = nv;
			maildir_free_list(v, k);
			(void)closedir(d);
			return ERR_NOMEM;
		}
		v = nv;
		k++;
	}
	(void)closedir(d);
	if (k > 1)
		qsort(v, k, sizeof(*v), cmp_str);
	*ids = v;
	*n = k;
	return ERR_OK;
}

enum err
outbox_orphans(struct outbox *ob, char ***ids, size_t *n, char **errstr)
{
	char **names = NULL, **warn = NULL, **v = NULL, *path;
	size_t nn = 0, nw = 0, i, k = 0;
	struct stat st;
	enum err e;
	long long born;

	*ids = NULL;
	*n = 0;
	e = maildir_list(ob->md[OUTBOX_OUTBOX], &names, &nn, &warn, &nw,
	    errstr);
	if (e != ERR_OK)
		return e;
	maildir_free_list(warn, nw);
	if ((v = calloc(nn + 1, sizeof(*v))) == NULL) {
		maildir_free_list(names, nn);
		return ERR_NOMEM;
	}
	for (i = 0; i < nn; i++) {
		if ((path = qpath(ob, 0, names[i], "env")) == NULL)
			break;
		born = strtoll(names[i], NULL, 10);
		if (stat(path, &st) < 0 && errno == ENOENT &&
		    (long long)time(NULL) - born > ORPHAN_AGE) {
			v[k++] = names[i];
			names[i] = NULL;
		}
		free(path);
	}
	maildir_free_list(names, nn);
	*ids = v;
	*n = k;
	return ERR_OK;
}

enum err
outbox_lock(struct outbox *ob, const char *id, int *fd, char **errstr)
{
	char *path = qpath(ob, 0, id, "lock");

	*fd = -1;
	if (path == NULL)
		return ERR_NOMEM;
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0) {
		(void)sys_err(errstr, _("create"), path);
		free(path);
		return ERR_IO;
	}
	free(path);
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		(void)close(*fd);
		*fd = -1;
		if (errno == EWOULDBLOCK)
			return ERR_OK;
		util_seterr(errstr, _("cannot lock message %s: %s"), id,
		    strerror(errno));
		return ERR_IO;
	}
	return ERR_OK;
}

void
outbox_unlock(int fd)
{
	if (fd >= 0)
		(void)close(fd);
}

void
outbox_drop_lock(struct outbox *ob, const char *id, int fd)
{
	char *path = qpath(ob, 0, id, "lock");

	/* Still holding it: nobody else can be relying on this file. */
	if (path != NULL)
		(void)unlink(path);
	free(path);
	outbox_unlock(fd);
}

enum err
outbox_begin(struct outbox *ob, struct outbox_item *it, char **errstr)
{
	enum err e;
	char *id;

	memset(it, 0, sizeof(*it));
	it->lockfd = -1;
	it->tx.fd = -1;
	if ((id = maildir_unique()) == NULL)
		return ERR_NOMEM;
	e = outbox_lock(ob, id, &it->lockfd, errstr);
	if (e == ERR_OK && it->lockfd < 0) {
		util_seterr(errstr, _("message id %s is taken"), id);
		e = ERR_SOFTWARE;
	}
	if (e == ERR_OK)
		e = maildir_begin(ob->md[OUTBOX_OUTBOX], id, &it->tx, errstr);
	free(id);
	if (e != ERR_OK) {
		outbox_unlock(it->lockfd);
		it->lockfd = -1;
	}
	return e;
}

enum err
outbox_commit(struct outbox *ob, struct outbox_item *it, struct qentry *e,
    char **errstr)
{
	enum err r;

	free(e->id);
	if ((e->id = strdup(it->tx.name)) == NULL)
		return ERR_NOMEM;
	if ((r = maildir_commit(ob->md[OUTBOX_OUTBOX], &it->tx, NULL,
	    errstr)) != ERR_OK)
		return r;
	it->committed = 1;
	if ((r = outbox_save(ob, e, errstr)) != ERR_OK) {
		/* No envelope: take the message back rather than strand it. */
		(void)maildir_remove(ob->md[OUTBOX_OUTBOX], e->id, NULL);
		it->committed = 0;
		return r;
	}
	return ERR_OK;
}

void
outbox_release(struct outbox *ob, struct outbox_item *it)
{
	char *path;

	if (!it->committed && it->tx.name != NULL) {
		maildir_abort(ob->md[OUTBOX_OUTBOX], &it->tx);
		/* The lock file of a message that never was. */
		if ((path = qpath(ob, 0, it->tx.name, "lock")) != NULL) {
			(void)unlink(path);
			free(path);
		}
	}
	free(it->tx.name);
	it->tx.name = NULL;
	outbox_unlock(it->lockfd);
	it->lockfd = -1;
}

enum err
outbox_message(struct outbox *ob, const struct qentry *e, int *fd,
    char **errstr)
{
	return maildir_open_msg(ob->md[e->state == QENTRY_FAILED ?
	    OUTBOX_FAILED : OUTBOX_OUTBOX], e->id, fd, errstr);
}

size_t
outbox_pending(const struct qentry *e, const char **v, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < e->nrcpts && k < max; i++)
		if (e->rcpts[i].state == QRCPT_PENDING)
			v[k++] = e->rcpts[i].addr;
	return k;
}

/* The server's queue id in a final reply: "queued as X", "id=X". */
static char *
reply_queue_id(const char *text)
{
	const char *p, *q;

	if (text == NULL)
		return NULL;
	if ((p = strstr(text, "queued as ")) != NULL)
		p += 10;
	else if ((p = strstr(text, "id=")) != NULL)
		p += 3;
	else
		return NULL;
	for (q = p; *q != '\0' && *q != ' ' && *q != '\n' && *q != ')' &&
	    *q != ',' && *q != ';' && *q > 0x20 && *q < 0x7f; q++)
		;
	return q > p ? strndup(p, (size_t)(q - p)) : NULL;
}

static int
replace_str(char **dst, const char *s)
{
	char *c = NULL;

	if (s != NULL && (c = strdup(s)) == NULL)
		return -1;
	free(*dst);
	*dst = c;
	return 0;
}

/* Errors that sending again cannot mend: the message fails. */
static int
permanent(enum err e)
{
	return e == ERR_PERMFAIL || e == ERR_NOUSER || e == ERR_TOOBIG ||
	    e == ERR_NOUTF8 || e == ERR_DATA;
}

/* Write path in place, without syncs: for records a crash may cut short. */
static enum err
write_plain(const char *path, const char *p, size_t n, char **errstr)
{
	ssize_t w;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return sys_err(errstr, _("write"), path);
	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			(void)sys_err(errstr, _("write"), path);
			(void)close(fd);
			return ERR_IO;
		}
		p += w;
		n -= (size_t)w;
	}
	if (close(fd) < 0)
		return sys_err(errstr, _("write"), path);
	return ERR_OK;
}

/* What became of each recipient, and the server's queue id, for the log. */
static int
summary(const struct qentry *e, struct buf *b)
{
	size_t i;

	if (buf_printf(b, "== filed as sent: %s%s\n", e->id,
	    e->uncertain ? " (delivery was uncertain once)" : "") < 0)
		return -1;
	for (i = 0; i < e->nrcpts; i++)
		if (buf_printf(b, "== %s <%s>%s%s\n",
		    e->rcpts[i].state == QRCPT_DONE ? "delivered to" :
		    e->rcpts[i].state == QRCPT_FAILED ? "refused:" : "not sent to",
		    e->rcpts[i].addr, e->rcpts[i].state == QRCPT_FAILED &&
		    e->rcpts[i].reply != NULL ? " " : "",
		    e->rcpts[i].state == QRCPT_FAILED &&
		    e->rcpts[i].reply != NULL ? e->rcpts[i].reply : "") < 0)
			return -1;
	if (e->queue_id != NULL &&
	    buf_printf(b, "== server queue id: %s\n", e->queue_id) < 0)
		return -1;
	return 0;
}

/*
 * A sent message's record goes to log/ID.log: this attempt's transcript
 * (or, after a crash, the one kept in queue/) and what became of each
 * recipient; queue/ID.{env,log,sent,lock} go.  No syncs: whatever a crash
 * loses here is redone from the sent mark.
 */
static enum err
to_log(struct outbox *ob, const struct qentry *e, const char *transcript,
    size_t tlen, char **errstr)
{
	static const char *const drop[] = { "env", "log", "sent", "lock" };
	struct buf b;
	char *from = NULL, *to = NULL;
	size_t i;
	enum err r = ERR_NOMEM;

	buf_init(&b, ENV_MAX + tlen);
	if ((to = qpath(ob, 1, e->id, "log")) == NULL ||
	    (from = qpath(ob, 0, e->id, "log")) == NULL)
		goto out;
	if (transcript == NULL) {
		/* The transcript an earlier run kept, if any. */
		r = read_file(from, &b, NULL);
		if (r != ERR_OK && r != ERR_NOINPUT)
			buf_reset(&b);
	} else if (buf_add(&b, transcript, tlen) < 0) {
		r = ERR_NOMEM;
		goto out;
	}
	if (summary(e, &b) < 0) {
		r = ERR_NOMEM;
		goto out;
	}
	if ((r = write_plain(to, buf_str(&b), b.len, errstr)) != ERR_OK)
		goto out;
	for (i = 0; i < 4; i++) {
		free(from);
		if ((from = qpath(ob, 0, e->id, drop[i])) != NULL)
			(void)unlink(from);
	}
out:
	buf_free(&b);
	free(from);
	free(to);
	return r;
}

static enum err
file_sent(struct outbox *ob, const struct qentry *e, const char *transcript,
    size_t tlen, char **errstr)
{
	char *path = NULL;
	enum err r;

	r = maildir_find(ob->md[OUTBOX_OUTBOX], e->id, &path, NULL);
	free(path);
	if (r == ERR_OK && (r = maildir_move(ob->md[OUTBOX_OUTBOX], e->id,
	    ob->md[OUTBOX_SENT], "S", errstr)) != ERR_OK)
		return r;
	return to_log(ob, e, transcript, tlen, errstr);
}

enum err
outbox_recover(struct outbox *ob, const struct qentry *e, char **errstr)
{
	if (e->state != QENTRY_SENT)
		return ERR_OK;
	return file_sent(ob, e, NULL, 0, errstr);
}

enum err
outbox_record(struct outbox *ob, struct qentry *e,
    const struct smtp_result *r, enum err err, const char *why,
    const char *transcript, size_t tlen, int64_t now, int64_t lifetime,
    enum outbox_outcome *outcome, char **errstr)
{
	size_t i, k = 0, pending = 0, done = 0, failed = 0;
	struct qrcpt *q;
	const char *text = NULL;
	char *logpath;
	int code;
	enum err res;

	e->attempts++;
	if (r != NULL) {
		err = r->err;
		text = r->reply.text;
		e->uncertain |= r->uncertain;
	}
	for (i = 0; i < e->nrcpts; i++) {
		q = &e->rcpts[i];
		if (q->state != QRCPT_PENDING)
			continue;
		code = r != NULL && k < r->nrcpts ? r->rcpt[k].code : 0;
		if (r != NULL && k < r->nrcpts && r->rcpt[k].text != NULL &&
		    replace_str(&q->reply, r->rcpt[k].text) < 0)
			return ERR_NOMEM;
		k++;
		q->code = code;
		if (code / 100 == 5) {
			q->state = QRCPT_FAILED;
		} else if (code / 100 == 2 && err == ERR_OK && r != NULL &&
		    !r->uncertain) {
			q->state = QRCPT_DONE;
		} else if (permanent(err) && code / 100 != 4) {
			/* Refused for good: the message, not the recipient. */
			q->state = QRCPT_FAILED;
			if (text != NULL && replace_str(&q->reply, text) < 0)
				return ERR_NOMEM;
		}
	}
	if (err == ERR_OK && r != NULL && !r->uncertain) {
		free(e->queue_id);
		e->queue_id = reply_queue_id(text);
	}
	if (replace_str(&e->last_error, err == ERR_OK ? NULL : why != NULL ?
	    why : text != NULL ? text : err_str(err)) < 0)
		return ERR_NOMEM;
	for (i = 0; i < e->nrcpts; i++) {
		pending += e->rcpts[i].state == QRCPT_PENDING;
		done += e->rcpts[i].state == QRCPT_DONE;
		failed += e->rcpts[i].state == QRCPT_FAILED;
	}
	if (pending > 0 && lifetime > 0 && now - e->created > lifetime) {
		for (i = 0; i < e->nrcpts; i++)
			if (e->rcpts[i].state == QRCPT_PENDING) {
				e->rcpts[i].state = QRCPT_FAILED;
				failed++;
			}
		pending = 0;
		if (replace_str(&e->last_error, _("gave up: not delivered "
		    "within the queue lifetime")) < 0)
			return ERR_NOMEM;
	}
	if (pending == 0 && done > 0) {
		e->state = QENTRY_SENT;
		*outcome = failed > 0 ? OUTCOME_PARTIAL : OUTCOME_SENT;
		if ((res = mark_sent(ob, e->id, errstr)) != ERR_OK)
			return res;
		return file_sent(ob, e, transcript, tlen, errstr);
	}
	/* The transcript of this attempt stays with the message. */
	if (transcript != NULL && (logpath = qpath(ob, 0, e->id, "log")) !=
	    NULL) {
		res = write_plain(logpath, transcript, tlen, errstr);
		free(logpath);
		if (res != ERR_OK)
			return res;
	}
	if (pending > 0) {
		e->state = QENTRY_QUEUED;
		e->next_try = qentry_backoff(e->attempts, now);
		*outcome = OUTCOME_QUEUED;
		return outbox_save(ob, e, errstr);
	}
	e->state = QENTRY_FAILED;
	*outcome = OUTCOME_FAILED;
	if ((res = outbox_save(ob, e, errstr)) != ERR_OK)
		return res;
	return maildir_move(ob->md[OUTBOX_OUTBOX], e->id,
	    ob->md[OUTBOX_FAILED], "", errstr);
}

/* Drop queue/ID.{env,log,lock}. */
static void
drop_envelope(struct outbox *ob, const char *id)
{
	static const char *const sfx[] = { "env", "log", "lock" };
	char *p;
	size_t i;

	for (i = 0; i < 3; i++)
		if ((p = qpath(ob, 0, id, sfx[i])) != NULL) {
			(void)unlink(p);
			free(p);
		}
	(void)fsync_dir(ob->qdir, NULL);
}

/* Where the message of an entry is: outbox/ or failed/. */
static struct maildir *
home_of(struct outbox *ob, const char *id)
{
	char *path = NULL;

	if (maildir_find(ob->md[OUTBOX_OUTBOX], id, &path, NULL) == ERR_OK) {
		free(path);
		return ob->md[OUTBOX_OUTBOX];
	}
	if (maildir_find(ob->md[OUTBOX_FAILED], id, &path, NULL) == ERR_OK) {
		free(path);
		return ob->md[OUTBOX_FAILED];
	}
	return NULL;
}

enum err
outbox_remove(struct outbox *ob, const char *id, char **errstr)
{
	struct maildir *m = home_of(ob, id);
	enum err e;

	if (m != NULL && (e = maildir_remove(m, id, errstr)) != ERR_OK)
		return e;
	drop_envelope(ob, id);
	return ERR_OK;
}

enum err
outbox_to_draft(struct outbox *ob, const char *id, char **errstr)
{
	struct maildir *m = home_of(ob, id);
	enum err e;

	if (m == NULL) {
		util_seterr(errstr, _("message %s is not in the outbox"), id);
		return ERR_NOINPUT;
	}
	if ((e = maildir_move(m, id, ob->md[OUTBOX_DRAFTS], "D", errstr)) !=
	    ERR_OK)
		return e;
	drop_envelope(ob, id);
	return ERR_OK;
}
