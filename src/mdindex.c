/* mdindex.c - the messages of a big Maildir folder for a reader: listed once, newest first, without a look at each file, each opened where it lies. */
/* SPDX-License-Identifier: ISC */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "mdindex.h"
#include "safefile.h"
#include "util.h"

#define NAME_MAX_LEN 255

static uint64_t sort_key(const char *name);

/* Entry for the name at ix->names + off (len bytes, NUL-ended there). */
static int
add_entry(struct mdindex *ix, size_t off, size_t len, int cur)
{
	const char *name = ix->names + off, *colon = memchr(name, ':', len);
	size_t ulen = colon != NULL ? (size_t)(colon - name) : len, cap;
	struct mdindex_ent *v;

	if (ulen > UINT16_MAX || off > UINT32_MAX)
		return 0;
	if (ix->n == ix->vcap) {
		cap = ix->vcap ? ix->vcap * 2 : 1024;
		if ((v = realloc(ix->v, cap * sizeof(*v))) == NULL)
			return -1;
		ix->v = v;
		ix->vcap = cap;
	}
	ix->v[ix->n].off = (uint32_t)off;
	ix->v[ix->n].ulen = (uint16_t)ulen;
	ix->v[ix->n].cur = (uint8_t)cur;
	ix->v[ix->n].key = sort_key(name);
	ix->n++;
	return 0;
}

/*
 * The order of a name: its seconds, and the microseconds of an
 * "SECS.M<usec>" name (mdname_unique() and most Maildir programs), in
 * one number, so that sorting 100,000 names compares numbers, seldom
 * strings.
 */
static uint64_t
sort_key(const char *name)
{
	uint64_t secs = 0, usec = 0;
	int k;

	for (k = 0; k < 12 && *name >= '0' && *name <= '9'; k++)
		secs = secs * 10 + (uint64_t)(*name++ - '0');
	if (name[0] == '.' && name[1] == 'M')
		for (name += 2, k = 0; k < 6 && *name >= '0' && *name <= '9'; k++)
			usec = usec * 10 + (uint64_t)(*name++ - '0');
	return secs * 1000000 + usec;
}

static int
add_name(struct mdindex *ix, const char *name, size_t len, int cur)
{
	size_t cap, off = ix->len;
	char *p;

	if (ix->len + len + 1 > UINT32_MAX)
		return 0;
	if (ix->len + len + 1 > ix->cap) {
		cap = ix->cap ? ix->cap * 2 : 64 * 1024;
		while (cap < ix->len + len + 1)
			cap *= 2;
		if ((p = realloc(ix->names, cap)) == NULL)
			return -1;
		ix->names = p;
		ix->cap = cap;
	}
	memcpy(ix->names + ix->len, name, len + 1);
	ix->len += len + 1;
	return add_entry(ix, off, len, cur);
}

/* One of new/ and cur/. */
static enum err
load_sub(const struct maildir *m, struct mdindex *ix, int cur, char **errstr)
{
	struct dirent *de;
	size_t len, i;
	DIR *d;
	int fd, err;

	fd = openat(maildir_subfd(m, cur), ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		err = errno;
		if (fd >= 0)
			(void)close(fd);
		util_seterr(errstr, _("cannot read %s/%s: %s"), maildir_path(m),
		    cur ? "cur" : "new", strerror(err));
		return ERR_IO;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		/* Only what can be a message: no dot files, no links, no directories. */
		if (de->d_name[0] == '.' || (de->d_type != DT_REG &&
		    de->d_type != DT_UNKNOWN))
			continue;
		len = strlen(de->d_name);
		for (i = 0; i < len; i++)
			if ((unsigned char)de->d_name[i] < 0x20 ||
			    de->d_name[i] == 0x7f || de->d_name[i] == '/')
				break;
		if (i < len || de->d_name[0] == ':')
			continue;
		if (add_name(ix, de->d_name, len, cur) < 0) {
			(void)closedir(d);
			return ERR_NOMEM;
		}
	}
	err = errno;
	(void)closedir(d);
	if (err != 0) {
		util_seterr(errstr, _("cannot read %s/%s: %s"), maildir_path(m),
		    cur ? "cur" : "new", strerror(err));
		return ERR_IO;
	}
	return ERR_OK;
}

/*
 * Newest first: by key, then by name.  A radix sort on the key (four
 * passes of 16 bits, linear: the names come in hash order, and a
 * comparison sort of 100,000 of them is most of the listing's time),
 * then the few runs of equal keys by name.
 */
static int
sort_newest_first(struct mdindex *ix)
{
	struct mdindex_ent *tmp, *from = ix->v, *to, *t, e;
	size_t *count, i, k, sum, start;
	int pass;

	if (ix->n < 2)
		return 0;
	if ((tmp = malloc(ix->n * sizeof(*tmp))) == NULL ||
	    (count = malloc(65536 * sizeof(*count))) == NULL) {
		free(tmp);
		return -1;
	}
	to = tmp;
	for (pass = 0; pass < 4; pass++) {
		memset(count, 0, 65536 * sizeof(*count));
		for (i = 0; i < ix->n; i++)
			count[(~from[i].key >> (16 * pass)) & 0xffff]++;
		for (k = 0, sum = 0; k < 65536; k++) {
			size_t c = count[k];

			count[k] = sum;
			sum += c;
		}
		/* Stable, on the complement: the largest key first. */
		for (i = 0; i < ix->n; i++)
			to[count[(~from[i].key >> (16 * pass)) & 0xffff]++] =
			    from[i];
		t = from;
		from = to;
		to = t;
	}
	/* Four passes: the result is back in ix->v. */
	free(count);
	free(tmp);
	for (start = 0; start < ix->n; start = i) {
		for (i = start + 1; i < ix->n && ix->v[i].key ==
		    ix->v[start].key; i++)
			;
		/* Equal keys: the greater name first, by insertion. */
		for (k = start + 1; k < i; k++) {
			e = ix->v[k];
			for (sum = k; sum > start && strcmp(ix->names +
			    ix->v[sum - 1].off, ix->names + e.off) < 0; sum--)
				ix->v[sum] = ix->v[sum - 1];
			ix->v[sum] = e;
		}
	}
	return 0;
}

enum err
mdindex_load(const struct maildir *m, struct mdindex *ix, char **errstr)
{
	enum err e;
	char *p;

	memset(ix, 0, sizeof(*ix));
	if ((e = load_sub(m, ix, 0, errstr)) != ERR_OK ||
	    (e = load_sub(m, ix, 1, errstr)) != ERR_OK) {
		mdindex_free(ix);
		return e;
	}
	if (sort_newest_first(ix) < 0) {
		mdindex_free(ix);
		return ERR_NOMEM;
	}
	/* What the doubling left over goes back. */
	if (ix->len > 0 && ix->len < ix->cap && (p = realloc(ix->names,
	    ix->len)) != NULL) {
		ix->names = p;
		ix->cap = ix->len;
	}
	return ERR_OK;
}

void
mdindex_free(struct mdindex *ix)
{
	free(ix->names);
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}

const char *
mdindex_file(const struct mdindex *ix, size_t i)
{
	return i < ix->n ? ix->names + ix->v[i].off : NULL;
}

int
mdindex_id(const struct mdindex *ix, size_t i, char *id, size_t idlen)
{
	if (i >= ix->n || ix->v[i].ulen >= idlen)
		return -1;
	memcpy(id, ix->names + ix->v[i].off, ix->v[i].ulen);
	id[ix->v[i].ulen] = '\0';
	return 0;
}

enum err
mdindex_open(const struct maildir *m, const struct mdindex *ix, size_t i,
    int *fd, char **errstr)
{
	char id[NAME_MAX_LEN + 1], *path;
	enum err e;

	*fd = -1;
	if (mdindex_id(ix, i, id, sizeof(id)) < 0)
		return ERR_NOINPUT;
	path = util_strf("%s/%s/%s", maildir_path(m), ix->v[i].cur ? "cur" :
	    "new", mdindex_file(ix, i));
	if (path == NULL)
		return ERR_NOMEM;
	/* A link, another's file, a FIFO: refused here, never followed. */
	*fd = safefile_open(maildir_subfd(m, ix->v[i].cur), mdindex_file(ix,
	    i), path, O_RDONLY, &e, errstr);
	free(path);
	if (*fd >= 0)
		return ERR_OK;
	if (e != ERR_NOINPUT)
		return e;
	/* Moved meanwhile: where is it now? */
	return maildir_open_msg(m, id, fd, errstr);
}

/* --- the cache ------------------------------------------------------------- */

#define CACHE_MAGIC "pigeon-mdindex 1"
#define CACHE_MAX (256 * 1024 * 1024)
#define CACHE_BLOCK (64 * 1024)
/* A directory changed this recently may change again within its clock tick: no cache of it. */
#define RACY_SECONDS 2

struct stamps {
	long long sec[2], nsec[2];
};

static int
stamps_of(const struct maildir *m, struct stamps *st)
{
	struct stat s;
	int k;

	for (k = 0; k < 2; k++) {
		if (fstat(maildir_subfd(m, k), &s) < 0)
			return -1;
		st->sec[k] = (long long)s.st_mtim.tv_sec;
		st->nsec[k] = (long long)s.st_mtim.tv_nsec;
	}
	return 0;
}

/*
 * The cache file's list into ix when its stamps are the folder's; 0, or
 * -1.  head: only the first block of it (the newest messages; *total
 * says how many there are in all).
 */
static int
cache_read(int dirfd, const char *name, const struct stamps *now,
    struct mdindex *ix, int head_only, size_t *total)
{
	struct stamps was;
	struct stat st;
	char head[160], *data = NULL;
	const char *p, *end, *nl;
	size_t count, got = 0, want;
	ssize_t r;
	enum err e;
	int fd, rc = -1;

	if ((fd = safefile_open(dirfd, name, name, O_RDONLY, &e, NULL)) < 0)
		return -1;
	/* One read into a block of the file's size (or of the head's). */
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > CACHE_MAX)
		goto out;
	want = (size_t)st.st_size;
	if (head_only && want > CACHE_BLOCK)
		want = CACHE_BLOCK;
	if ((data = malloc(want + 1)) == NULL)
		goto out;
	while (got < want && (r = read(fd, data + got, want - got)) > 0)
		got += (size_t)r;
	if (got != want)
		goto out;
	data[got] = '\0';
	end = data + got;
	/* The first line alone: sscanf() would measure the whole file. */
	if ((nl = memchr(data, '\n', got)) == NULL || (size_t)(nl - data) >=
	    sizeof(head))
		goto out;
	memcpy(head, data, (size_t)(nl - data));
	head[nl - data] = '\0';
	if (sscanf(head, CACHE_MAGIC " %lld %lld %lld %lld %zu", &was.sec[0],
	    &was.nsec[0], &was.sec[1], &was.nsec[1], &count) != 5 ||
	    memcmp(&was, now, sizeof(was)) != 0)
		goto out;
	/* The file's block is the names' block: each newline becomes the end of a name. */
	if ((ix->v = malloc((count + 1) * sizeof(*ix->v))) == NULL)
		goto out;
	ix->names = data;
	ix->cap = ix->len = got + 1;
	ix->vcap = count + 1;
	data = NULL;
	for (p = nl + 1; p < end; p = nl + 1) {
		/* The head ends inside a line: that one is for the whole read. */
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL &&
		    want < (size_t)st.st_size)
			break;
		if (nl == NULL || nl - p < 2 || (p[0] != 'n' && p[0] != 'c') ||
		    ix->n >= count)
			goto out;
		ix->names[nl - ix->names] = '\0';
		if (add_entry(ix, (size_t)(p + 1 - ix->names), (size_t)(nl - p - 1),
		    p[0] == 'c') < 0)
			goto out;
	}
	*total = count;
	rc = ix->n == count || want < (size_t)st.st_size ? 0 : -1;
out:
	(void)close(fd);
	free(data);
	if (rc < 0)
		mdindex_free(ix);
	return rc;
}

/* Write ix as the cache file: a new file, in blocks, renamed over the old one. */
static void
cache_write(int dirfd, const char *name, const struct stamps *st,
    const struct mdindex *ix)
{
	char tmp[NAME_MAX_LEN + 32];
	struct buf b;
	size_t i;
	enum err e;
	int fd, ok;

	(void)snprintf(tmp, sizeof(tmp), ".%s.%ld", name, (long)getpid());
	(void)unlinkat(dirfd, tmp, 0);
	if ((fd = safefile_open(dirfd, tmp, tmp, O_WRONLY | O_CREAT | O_EXCL,
	    &e, NULL)) < 0)
		return;
	buf_init(&b, 2 * CACHE_BLOCK);
	ok = buf_printf(&b, CACHE_MAGIC " %lld %lld %lld %lld %zu\n",
	    st->sec[0], st->nsec[0], st->sec[1], st->nsec[1], ix->n) == 0;
	for (i = 0; ok && i <= ix->n; i++) {
		if (i < ix->n)
			ok = buf_printf(&b, "%c%s\n", ix->v[i].cur ? 'c' : 'n',
			    mdindex_file(ix, i)) == 0;
		/* A block at a time: the list is not held twice. */
		if (ok && (b.len >= CACHE_BLOCK || i == ix->n)) {
			ok = write(fd, buf_str(&b), b.len) == (ssize_t)b.len;
			buf_reset(&b);
		}
	}
	ok = close(fd) == 0 && ok;
	buf_free(&b);
	if (!ok || renameat(dirfd, tmp, dirfd, name) < 0)
		(void)unlinkat(dirfd, tmp, 0);
}

enum err
mdindex_load_cached(const struct maildir *m, struct mdindex *ix,
    int cachefd, const char *name, char **errstr)
{
	struct stamps st;
	enum err e;
	time_t now = time(NULL);
	size_t total;
	int k, racy = 0;

	memset(ix, 0, sizeof(*ix));
	if (cachefd < 0 || stamps_of(m, &st) < 0)
		return mdindex_load(m, ix, errstr);
	if (cache_read(cachefd, name, &st, ix, 0, &total) == 0)
		return ERR_OK;
	if ((e = mdindex_load(m, ix, errstr)) != ERR_OK)
		return e;
	/* Listed now: kept for the next start, unless a change may be under way. */
	for (k = 0; k < 2; k++)
		racy |= now - (time_t)st.sec[k] < RACY_SECONDS;
	if (!racy)
		cache_write(cachefd, name, &st, ix);
	return ERR_OK;
}

enum err
mdindex_load_head(const struct maildir *m, struct mdindex *ix, int cachefd,
    const char *name, size_t *total)
{
	struct stamps st;

	memset(ix, 0, sizeof(*ix));
	if (cachefd < 0 || stamps_of(m, &st) < 0 || cache_read(cachefd, name,
	    &st, ix, 1, total) < 0)
		return ERR_NOINPUT;
	return ERR_OK;
}
