/* trust.c - the trust store: the server certificates trusted on first use, per host and port, and how a new one differs. */
/* SPDX-License-Identifier: ISC */
#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "safefile.h"
#include "util.h"

#define TRUST_FILE "trust"
#define TRUST_TMP "trust.tmp"
#define TRUST_LOCK "trust.lock"
#define TRUST_MAX (4 * 1024 * 1024)     /* the whole file, at most */
#define NFIELDS 10

/*
 * Several pigeons may use the store at once (a flush, the UI, pigeon
 * trust).  Each keeps what it changed -- the records it made (changed[i]
 * for recs[i]) and the hosts it forgot -- and trust_save() applies just
 * that to the file as it is then, under an exclusive lock on trust.lock:
 * nobody's record is lost to another's save, and only one writes the
 * temporary file at a time.
 */
struct trust {
	char *dir;
	char *path;
	struct trust_rec *recs;
	unsigned char *changed;
	size_t n, cap;
	char **forgot;
	size_t nforgot;
};

static void
rec_clear(struct trust_rec *r)
{
	free(r->hostport);
	free(r->subject);
	free(r->issuer);
	free(r->names);
	free(r->not_before);
	free(r->not_after);
	free(r->key);
	memset(r, 0, sizeof(*r));
}

/* t without records, changes or forgotten hosts. */
static void
clear_records(struct trust *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		rec_clear(&t->recs[i]);
	free(t->recs);
	free(t->changed);
	for (i = 0; i < t->nforgot; i++)
		free(t->forgot[i]);
	free(t->forgot);
	t->recs = NULL;
	t->changed = NULL;
	t->forgot = NULL;
	t->n = t->cap = t->nforgot = 0;
}

void
trust_free(struct trust *t)
{
	if (t == NULL)
		return;
	clear_records(t);
	free(t->dir);
	free(t->path);
	free(t);
}

const char *
trust_path(const struct trust *t)
{
	return t->path;
}

size_t
trust_count(const struct trust *t)
{
	return t->n;
}

const struct trust_rec *
trust_get(const struct trust *t, size_t i)
{
	return i < t->n ? &t->recs[i] : NULL;
}

static struct trust_rec *
find(const struct trust *t, const char *hostport)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcasecmp(t->recs[i].hostport, hostport) == 0)
			return &t->recs[i];
	return NULL;
}

const struct trust_rec *
trust_find(const struct trust *t, const char *hostport)
{
	return find(t, hostport);
}

/* -- the file: one record per line, fields between tabs ----------------- */

/* Tabs, line ends and backslashes inside a value are written as \t \n \r \\. */
static int
add_escaped(struct buf *b, const char *s)
{
	int r = 0;

	for (; *s != '\0' && r == 0; s++) {
		switch (*s) {
		case '\t':
			r = buf_addstr(b, "\\t");
			break;
		case '\n':
			r = buf_addstr(b, "\\n");
			break;
		case '\r':
			r = buf_addstr(b, "\\r");
			break;
		case '\\':
			r = buf_addstr(b, "\\\\");
			break;
		default:
			r = buf_addch(b, *s);
			break;
		}
	}
	return r;
}

/* The field [p, p + n) unescaped, malloc'd; NULL when out of memory or malformed. */
static char *
unescape(const char *p, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (p[i] != '\\') {
			*o++ = p[i];
			continue;
		}
		if (++i == n) {
			free(out);
			return NULL;
		}
		*o++ = p[i] == 't' ? '\t' : p[i] == 'n' ? '\n' :
		    p[i] == 'r' ? '\r' : p[i];
	}
	*o = '\0';
	return out;
}

static int
parse_time(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* One line into r: 0, -1 malformed, -2 out of memory. */
static int
parse_line(const char *line, size_t len, struct trust_rec *r)
{
	char *f[NFIELDS] = { NULL };
	const char *p = line, *tab, *end = line + len;
	int i, ret = 0;

	for (i = 0; i < NFIELDS; i++) {
		tab = memchr(p, '\t', (size_t)(end - p));
		if ((tab == NULL) != (i == NFIELDS - 1)) {
			ret = -1;
			break;
		}
		if (tab == NULL)
			tab = end;
		if ((f[i] = unescape(p, (size_t)(tab - p))) == NULL) {
			ret = memchr(p, '\\', (size_t)(tab - p)) != NULL ? -1 : -2;
			break;
		}
		p = tab + 1;
	}
	if (ret == 0 && (*f[0] == '\0' || !tls_fingerprint_ok(f[1]) ||
	    strlen(f[1]) >= sizeof(r->fingerprint) ||
	    parse_time(f[2], &r->first_seen) < 0 ||
	    parse_time(f[3], &r->last_seen) < 0))
		ret = -1;
	if (ret == 0) {
		r->hostport = f[0];
		memcpy(r->fingerprint, f[1], strlen(f[1]) + 1);
		r->not_before = f[4];
		r->not_after = f[5];
		r->key = f[6];
		r->subject = f[7];
		r->issuer = f[8];
		r->names = f[9];
		f[0] = f[4] = f[5] = f[6] = f[7] = f[8] = f[9] = NULL;
	}
	for (i = 0; i < NFIELDS; i++)
		free(f[i]);
	return ret;
}

static int
grow(struct trust *t)
{
	struct trust_rec *nr;
	unsigned char *nc;
	size_t cap;

	if (t->n < t->cap)
		return 0;
	cap = t->cap ? t->cap * 2 : 8;
	nr = realloc(t->recs, cap * sizeof(*nr));
	if (nr == NULL)
		return -1;
	t->recs = nr;
	nc = realloc(t->changed, cap);
	if (nc == NULL)
		return -1;
	t->changed = nc;
	t->cap = cap;
	return 0;
}

static enum err
parse(struct trust *t, const struct buf *b, char **errstr)
{
	const char *p = b->data, *end = b->data + b->len, *nl;
	struct trust_rec r;
	unsigned long lineno = 0;
	int ret;

	while (p != NULL && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		lineno++;
		if (nl > p && *p != '#') {
			memset(&r, 0, sizeof(r));
			ret = parse_line(p, (size_t)(nl - p), &r);
			if (ret == -2 || (ret == 0 && grow(t) < 0)) {
				rec_clear(&r);
				return ERR_NOMEM;
			}
			if (ret < 0) {
				util_seterr(errstr, _("%s:%lu: not a record of the "
				    "trust store; remove the line (or forget the "
				    "host with pigeon trust --forget)"), t->path,
				    lineno);
				return ERR_CONFIG;
			}
			t->changed[t->n] = 0;
			t->recs[t->n++] = r;
		}
		p = nl + 1;
	}
	return ERR_OK;
}

/* The store's folder, open (made when missing); -1 with *e. */
static int
open_dir(const struct trust *t, enum err *e, char **errstr)
{
	char *parent = strdup(t->dir), *slash;

	/* ~/.local/state may be missing on a fresh account. */
	if (parent == NULL) {
		*e = ERR_NOMEM;
		return -1;
	}
	slash = strrchr(parent, '/');
	if (slash != NULL && slash != parent) {
		*slash = '\0';
		if (util_make_dirs(parent, errstr) < 0) {
			*e = errno == ENOMEM ? ERR_NOMEM : ERR_IO;
			free(parent);
			return -1;
		}
	}
	free(parent);
	return safefile_dir(AT_FDCWD, t->dir, t->dir, 1, NULL, e, errstr);
}

/* The records of the file in the folder dfd, added to t (empty); a missing file has none. */
static enum err
read_store(struct trust *t, int dfd, char **errstr)
{
	struct buf b;
	enum err e = ERR_OK;
	int fd;

	fd = safefile_open(dfd, TRUST_FILE, t->path, O_RDONLY, &e, errstr);
	if (fd < 0 && e != ERR_NOINPUT)
		return e;
	if (fd < 0) {
		/* No store yet: an empty one, and no error to tell. */
		if (errstr != NULL) {
			free(*errstr);
			*errstr = NULL;
		}
		return ERR_OK;
	}
	buf_init(&b, TRUST_MAX);
	if (buf_read_fd(&b, fd) < 0) {
		util_seterr(errstr, _("cannot read %s: %s"), t->path,
		    errno != 0 ? strerror(errno) : _("too large"));
		e = ERR_IO;
	} else {
		e = parse(t, &b, errstr);
	}
	buf_free(&b);
	(void)close(fd);
	return e;
}

enum err
trust_load(struct trust **out, const char *dir, char **errstr)
{
	struct trust *t;
	enum err e = ERR_OK;
	int dfd;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ERR_NOMEM;
	t->dir = dir != NULL ? strdup(dir) :
	    util_xdg_dir("XDG_STATE_HOME", ".local/state");
	if (t->dir == NULL) {
		trust_free(t);
		if (dir == NULL && util_home_dir() == NULL) {
			util_seterr(errstr, _("no state directory for the "
			    "trust store: set HOME or XDG_STATE_HOME"));
			return ERR_CONFIG;
		}
		return ERR_NOMEM;
	}
	if ((t->path = util_strf("%s/%s", t->dir, TRUST_FILE)) == NULL) {
		trust_free(t);
		return ERR_NOMEM;
	}
	if ((dfd = open_dir(t, &e, errstr)) < 0) {
		trust_free(t);
		return e;
	}
	e = read_store(t, dfd, errstr);
	(void)close(dfd);
	if (e != ERR_OK) {
		trust_free(t);
		return e;
	}
	*out = t;
	return ERR_OK;
}

static int
add_record(struct buf *b, const struct trust_rec *r)
{
	const char *f[] = { r->not_before, r->not_after, r->key, r->subject,
	    r->issuer, r->names };
	size_t i;
	int ret;

	ret = add_escaped(b, r->hostport);
	ret = ret < 0 ? ret : buf_printf(b, "\t%s\t%lld\t%lld",
	    r->fingerprint, (long long)r->first_seen, (long long)r->last_seen);
	for (i = 0; ret == 0 && i < sizeof(f) / sizeof(f[0]); i++) {
		ret = buf_addch(b, '\t');
		ret = ret < 0 ? ret : add_escaped(b, f[i] != NULL ? f[i] : "");
	}
	return ret < 0 ? ret : buf_addch(b, '\n');
}

/* Write t's records to the file through the temporary one (the lock held). */
static enum err
write_store(const struct trust *t, int dfd, char **errstr)
{
	struct buf b;
	enum err e = ERR_OK;
	size_t i;
	int fd, ok;

	buf_init(&b, TRUST_MAX);
	ok = buf_addstr(&b, "# pigeon trust store: host:port, SHA-256, first "
	    "and last seen, not before, not after, key, subject, issuer, "
	    "names (see pigeon trust)\n") == 0;
	for (i = 0; ok && i < t->n; i++)
		ok = add_record(&b, &t->recs[i]) == 0;
	if (!ok) {
		buf_free(&b);
		return ERR_NOMEM;
	}
	/* A link in place of the temporary file is refused, not followed. */
	fd = safefile_open(dfd, TRUST_TMP, t->path, O_WRONLY | O_CREAT |
	    O_TRUNC, &e, errstr);
	if (fd >= 0) {
		ok = util_write_all(fd, b.data, b.len) == 0 && fsync(fd) == 0;
		ok = close(fd) == 0 && ok;
		if (ok && renameat(dfd, TRUST_TMP, dfd, TRUST_FILE) == 0) {
			(void)fsync(dfd);
		} else {
			util_seterr(errstr, _("cannot write %s: %s"), t->path,
			    strerror(errno));
			(void)unlinkat(dfd, TRUST_TMP, 0);
			e = ERR_IO;
		}
	}
	buf_free(&b);
	return e;
}

static enum err put(struct trust *t, const struct trust_rec *r, int copy);

/* Apply what t changed to now (the file as it is), and write it. */
static enum err
merge_and_write(struct trust *t, struct trust *now, int dfd, char **errstr)
{
	size_t i;
	enum err e;

	for (i = 0; i < t->nforgot; i++)
		(void)trust_forget(now, t->forgot[i]);
	for (i = 0; i < t->n; i++)
		if (t->changed[i] && (e = put(now, &t->recs[i], 1)) != ERR_OK)
			return e;
	return write_store(now, dfd, errstr);
}

enum err
trust_save(struct trust *t, char **errstr)
{
	struct trust *now;
	enum err e = ERR_OK;
	char *lockpath;
	int dfd, lfd = -1;

	if ((now = calloc(1, sizeof(*now))) == NULL ||
	    (now->dir = strdup(t->dir)) == NULL ||
	    (now->path = strdup(t->path)) == NULL ||
	    (lockpath = util_strf("%s/%s", t->dir, TRUST_LOCK)) == NULL) {
		trust_free(now);
		return ERR_NOMEM;
	}
	if ((dfd = open_dir(t, &e, errstr)) >= 0) {
		lfd = safefile_open(dfd, TRUST_LOCK, lockpath, O_RDWR | O_CREAT,
		    &e, errstr);
		while (lfd >= 0 && flock(lfd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				util_seterr(errstr, _("cannot lock %s: %s"),
				    lockpath, strerror(errno));
				e = ERR_IO;
				break;
			}
		}
	}
	if (lfd >= 0 && e == ERR_OK &&
	    (e = read_store(now, dfd, errstr)) == ERR_OK &&
	    (e = merge_and_write(t, now, dfd, errstr)) == ERR_OK) {
		/* t becomes the store as written, with nothing left to save. */
		clear_records(t);
		t->recs = now->recs;
		t->changed = now->changed;
		t->n = now->n;
		t->cap = now->cap;
		if (t->changed != NULL)
			memset(t->changed, 0, t->cap);
		now->recs = NULL;
		now->changed = NULL;
		now->n = now->cap = 0;
	}
	if (lfd >= 0)
		(void)close(lfd);      /* the lock goes with it */
	if (dfd >= 0)
		(void)close(dfd);
	free(lockpath);
	trust_free(now);
	return e;
}

/* -- records ------------------------------------------------------------ */

static char *
dup0(const char *s, int *bad)
{
	char *c = strdup(s != NULL ? s : "");

	if (c == NULL)
		*bad = 1;
	return c;
}

/* Forget that hostport was forgotten (it is recorded again). */
static void
unforget(struct trust *t, const char *hostport)
{
	size_t i;

	for (i = 0; i < t->nforgot; i++)
		if (strcasecmp(t->forgot[i], hostport) == 0) {
			free(t->forgot[i]);
			t->forgot[i] = t->forgot[--t->nforgot];
			return;
		}
}

/*
 * r into t: a new record, or the old one of its host replaced, first_seen
 * kept when it is the same certificate (the earlier of the two), marked
 * changed.  copy: r's strings are copied, else taken (r is then cleared).
 */
static enum err
put(struct trust *t, const struct trust_rec *r, int copy)
{
	struct trust_rec c, *old;
	int bad = 0;

	c = *r;
	if (copy) {
		c.hostport = dup0(r->hostport, &bad);
		c.subject = dup0(r->subject, &bad);
		c.issuer = dup0(r->issuer, &bad);
		c.names = dup0(r->names, &bad);
		c.not_before = dup0(r->not_before, &bad);
		c.not_after = dup0(r->not_after, &bad);
		c.key = dup0(r->key, &bad);
	}
	old = find(t, c.hostport);
	if (bad || (old == NULL && grow(t) < 0)) {
		rec_clear(&c);
		return ERR_NOMEM;
	}
	if (old != NULL) {
		if (trust_fp_equal(old->fingerprint, c.fingerprint) &&
		    old->first_seen < c.first_seen)
			c.first_seen = old->first_seen;
		rec_clear(old);
		*old = c;
		t->changed[old - t->recs] = 1;
	} else {
		t->changed[t->n] = 1;
		t->recs[t->n++] = c;
	}
	return ERR_OK;
}

enum err
trust_record(struct trust *t, const char *hostport,
    const struct tls_peer *p, int64_t now)
{
	struct trust_rec r;
	int bad = 0;

	memset(&r, 0, sizeof(r));
	if (strlen(p->fingerprint) >= sizeof(r.fingerprint))
		return ERR_TLS;
	r.hostport = dup0(hostport, &bad);
	memcpy(r.fingerprint, p->fingerprint, strlen(p->fingerprint) + 1);
	r.subject = dup0(p->subject, &bad);
	r.issuer = dup0(p->issuer, &bad);
	r.names = dup0(p->names, &bad);
	r.not_before = dup0(p->not_before, &bad);
	r.not_after = dup0(p->not_after, &bad);
	r.key = dup0(p->key, &bad);
	r.first_seen = r.last_seen = now;
	if (bad) {
		rec_clear(&r);
		return ERR_NOMEM;
	}
	unforget(t, hostport);
	return put(t, &r, 0);
}

int
trust_forget(struct trust *t, const char *hostport)
{
	struct trust_rec *r = find(t, hostport);
	size_t i;
	char **nf;

	if (r == NULL)
		return 0;
	i = (size_t)(r - t->recs);
	/* Remembered for trust_save(), which forgets it in the file too. */
	nf = realloc(t->forgot, (t->nforgot + 1) * sizeof(*nf));
	if (nf == NULL)
		return -1;
	t->forgot = nf;
	if ((nf[t->nforgot] = strdup(r->hostport)) == NULL)
		return -1;
	t->nforgot++;
	rec_clear(r);
	memmove(r, r + 1, (t->n - i - 1) * sizeof(*r));
	memmove(t->changed + i, t->changed + i + 1, t->n - i - 1);
	t->n--;
	return 1;
}

char *
trust_hostport(const char *host, const char *port)
{
	char *s, *p;

	s = util_strf(strchr(host, ':') != NULL && *host != '[' ?
	    "[%s]:%s" : "%s:%s", host, port);
	for (p = s; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

int
trust_fp_equal(const char *a, const char *b)
{
	unsigned char x[TLS_FP_LEN], y[TLS_FP_LEN];

	return tls_fingerprint_parse(a, x) == 0 &&
	    tls_fingerprint_parse(b, y) == 0 && memcmp(x, y, sizeof(x)) == 0;
}

int
trust_same(const struct trust_rec *r, const struct tls_peer *p)
{
	return trust_fp_equal(r->fingerprint, p->fingerprint);
}

/* -- showing ------------------------------------------------------------ */

void
trust_time_str(char *out, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		(void)snprintf(out, len, "%lld", (long long)t);
}

/*
 * The bytes of s that fill at most width columns (a column per
 * character), at least one character; a value longer than that breaks
 * after its last ":" or " " in the second half, so that names
 * and fingerprints wrap between their parts.
 */
static size_t
cut(const char *s, int width)
{
	size_t i = 0, brk = 0;
	int cols = 0;

	while (s[i] != '\0') {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (cols == width)
				break;
			cols++;
		}
		if ((s[i] == ':' || s[i] == ' ') &&
		    cols > width / 2)
			brk = i + 1;
		i++;
	}
	if (s[i] != '\0' && brk > 0)
		return brk;
	return i;
}

static size_t
columns(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* Pad to width columns after n bytes of s. */
static int
add_padded(struct buf *b, const char *s, size_t n, int width)
{
	size_t c = columns(s, n);
	int r = buf_add(b, s, n);

	while (r == 0 && (int)c++ < width)
		r = buf_addch(b, ' ');
	return r;
}

/* "* label     old...   | new..." and its continuation lines. */
static int
diff_row(struct buf *b, const char *label, const char *old, const char *now,
    int width)
{
	int r = 0, first = 1, differ = strcmp(old, now) != 0;
	size_t a, c;

	if (*old == '\0')
		old = "-";
	if (*now == '\0')
		now = "-";
	while (r == 0 && (first || *old != '\0' || *now != '\0')) {
		a = cut(old, width);
		c = cut(now, width);
		r = buf_addstr(b, differ && first ? "* " : "  ");
		r = r < 0 ? r : add_padded(b, first ? label : "", first ?
		    strlen(label) : 0, 12);
		r = r < 0 ? r : add_padded(b, old, a, width);
		r = r < 0 ? r : buf_addstr(b, " | ");
		r = r < 0 ? r : buf_add(b, now, c);
		r = r < 0 ? r : buf_addch(b, '\n');
		old += a;
		now += c;
		first = 0;
	}
	return r;
}

int
trust_diff(struct buf *b, const struct trust_rec *r,
    const struct tls_peer *p, int width)
{
	char when[64], *head;
	int ret;

	if (width < 16)
		width = 16;
	trust_time_str(when, sizeof(when), r->first_seen);
	head = util_strf(_("trusted since %s"), when);
	if (head == NULL)
		return -1;
	ret = buf_addstr(b, "  ");
	ret = ret < 0 ? ret : add_padded(b, "", 0, 12);
	ret = ret < 0 ? ret : add_padded(b, head, strlen(head), width);
	ret = ret < 0 ? ret : buf_printf(b, " | %s\n", _("presented now"));
	free(head);
#define ROW(label, a, c) \
	ret = ret < 0 ? ret : diff_row(b, label, a != NULL ? a : "", \
	    c != NULL ? c : "", width)
	ROW(_("subject"), r->subject, p->subject);
	ROW(_("issuer"), r->issuer, p->issuer);
	ROW(_("valid from"), r->not_before, p->not_before);
	ROW(_("valid until"), r->not_after, p->not_after);
	ROW(_("key"), r->key, p->key);
	ROW(_("names"), r->names, p->names);
	ROW("SHA-256", r->fingerprint, p->fingerprint);
#undef ROW
	return ret;
}

int
trust_pin_remedy(struct buf *b, const char *lead, const char *fp)
{
	int r;

	r = buf_printf(b, _("%s with this line in the account: "), lead);
	r = r < 0 ? r : buf_addstr(b, "tls_fingerprint = ");
	return r < 0 ? r : buf_addstr(b, fp);
}

int
trust_tofu_remedy(struct buf *b, const char *hostport)
{
	return buf_printf(b, _("if the server's certificate was replaced, "
	    "accept the new one with \"pigeon trust %s\" (or on the "
	    "interactive UI's trust screen)"), hostport);
}
