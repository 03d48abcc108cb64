/* mdindex.c - the messages of a big Maildir folder for a reader: listed once, newest first, without a look at each file, each opened where it lies. */
/* SPDX-License-Identifier: ISC */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "mdindex.h"
#include "safefile.h"
#include "util.h"

#define NAME_MAX_LEN 255

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
	struct mdindex_ent *v;
	size_t cap, ulen = strcspn(name, ":");
	char *p;

	if (ulen > UINT16_MAX || ix->len + len + 1 > UINT32_MAX)
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
	if ((ix->n & (ix->n - 1)) == 0 || ix->n == 0) {
		/* A power of two: double the room. */
		if ((v = realloc(ix->v, (ix->n ? ix->n * 2 : 1024) *
		    sizeof(*v))) == NULL)
			return -1;
		ix->v = v;
	}
	memcpy(ix->names + ix->len, name, len + 1);
	ix->v[ix->n].off = (uint32_t)ix->len;
	ix->v[ix->n].ulen = (uint16_t)ulen;
	ix->v[ix->n].cur = (uint8_t)cur;
	ix->v[ix->n].key = sort_key(name);
	ix->n++;
	ix->len += len + 1;
	return 0;
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
