/* msglist.c - the messages of one or more Maildir folders as the UI lists them: newest first, header fields read only for what is shown. */
/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msglist.h"
#include "rfc822.h"

#define HEAD_READ 8192       /* bytes of a message read for its list line */
#define ID_MAX 256

/* The cache file of folder md: named by a hash of its path. */
static void
cache_name(const struct maildir *md, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)maildir_path(md);
	uint64_t h = 0xcbf29ce484222325u;

	for (; *p != '\0'; p++)
		h = (h ^ *p) * 0x100000001b3u;
	(void)snprintf(out, n, "folder-%016llx", (unsigned long long)h);
}

size_t
msglist_count(struct maildir *md, int cachefd)
{
	struct mdindex ix;
	char name[64];
	size_t n;

	cache_name(md, name, sizeof(name));
	/* An up-to-date kept list says how many in its first line. */
	if (mdindex_load_head(md, &ix, cachefd, name, &n) == ERR_OK) {
		mdindex_free(&ix);
		return n;
	}
	if (mdindex_load_cached(md, &ix, cachefd, name, NULL) != ERR_OK)
		return 0;
	n = ix.n;
	mdindex_free(&ix);
	return n;
}

static const struct mdindex_ent *
ent(const struct msglist *l, size_t k)
{
	return &l->ix[l->v[k].src].v[l->v[k].i];
}

/* Is message a of folder sa newer than message b of folder sb (by key, then name)? */
static int
newer(const struct msglist *l, size_t sa, size_t a, size_t sb, size_t b)
{
	const struct mdindex_ent *x = &l->ix[sa].v[a], *y = &l->ix[sb].v[b];

	if (x->key != y->key)
		return x->key > y->key;
	return strcmp(mdindex_file(&l->ix[sa], a), mdindex_file(&l->ix[sb], b)) >
	    0;
}

void
msglist_load(struct msglist *l, struct maildir **md, size_t n)
{
	size_t k, best, *next, total = 0;
	char name[64];

	if ((l->ix = calloc(n, sizeof(*l->ix))) == NULL ||
	    (l->src = calloc(n, sizeof(*l->src))) == NULL)
		return;
	for (k = 0; k < n; k++) {
		cache_name(md[k], name, sizeof(name));
		if (mdindex_load_cached(md[k], &l->ix[l->nsrc], l->cachefd, name,
		    NULL) != ERR_OK)
			continue;
		l->src[l->nsrc] = md[k];
		total += l->ix[l->nsrc++].n;
	}
	if (total == 0 || (l->v = calloc(total, sizeof(*l->v))) == NULL ||
	    (next = calloc(l->nsrc, sizeof(*next))) == NULL)
		return;
	/* Each folder's list is sorted: merge them, the newest head first. */
	for (l->n = 0; l->n < total; l->n++) {
		best = l->nsrc;
		for (k = 0; k < l->nsrc; k++)
			if (next[k] < l->ix[k].n && (best == l->nsrc ||
			    newer(l, k, next[k], best, next[best])))
				best = k;
		l->v[l->n].src = (uint32_t)best;
		l->v[l->n].i = (uint32_t)next[best]++;
	}
	free(next);
}

int
msglist_load_head(struct msglist *l, struct maildir *md, size_t *total)
{
	char name[64];
	size_t i;

	if ((l->ix = calloc(1, sizeof(*l->ix))) == NULL ||
	    (l->src = calloc(1, sizeof(*l->src))) == NULL)
		return -1;
	cache_name(md, name, sizeof(name));
	if (mdindex_load_head(md, &l->ix[0], l->cachefd, name, total) !=
	    ERR_OK || (l->v = calloc(l->ix[0].n + 1, sizeof(*l->v))) == NULL) {
		msglist_free(l);
		return -1;
	}
	l->src[0] = md;
	l->nsrc = 1;
	for (i = 0; i < l->ix[0].n; i++)
		l->v[i].i = (uint32_t)i;
	l->n = l->ix[0].n;
	return 0;
}

void
msglist_free(struct msglist *l)
{
	size_t k;

	for (k = 0; k < MSGLIST_CACHE; k++) {
		free(l->cache[k].who);
		free(l->cache[k].subject);
		free(l->cache[k].note);
		memset(&l->cache[k], 0, sizeof(l->cache[k]));
	}
	for (k = 0; k < l->nsrc; k++)
		mdindex_free(&l->ix[k]);
	free(l->ix);
	free(l->src);
	free(l->v);
	l->ix = NULL;
	l->src = NULL;
	l->v = NULL;
	l->nsrc = l->n = 0;
}

int
msglist_id(const struct msglist *l, size_t k, char *id, size_t n)
{
	if (k >= l->n)
		return -1;
	return mdindex_id(&l->ix[l->v[k].src], l->v[k].i, id, n);
}

struct maildir *
msglist_folder(const struct msglist *l, size_t k)
{
	return k < l->n ? l->src[l->v[k].src] : NULL;
}

const struct msglist_fields *
msglist_fields(struct msglist *l, size_t k)
{
	struct msglist_fields *c = &l->cache[k % MSGLIST_CACHE];
	char head[HEAD_READ], id[ID_MAX];
	ssize_t r;
	int fd;

	if (c->at == k + 1 || k >= l->n)
		return c;
	free(c->who);
	free(c->subject);
	free(c->note);
	memset(c, 0, sizeof(*c));
	c->at = k + 1;
	if (mdindex_open(l->src[l->v[k].src], &l->ix[l->v[k].src], l->v[k].i,
	    &fd, NULL) != ERR_OK)
		return c;
	r = read(fd, head, sizeof(head));
	(void)close(fd);
	if (r <= 0)
		return c;
	/* The folders of the UI hold our own mail: who it is to. */
	c->who = rfc822_get_text(head, (size_t)r, "To");
	if (c->who == NULL)
		c->who = rfc822_get_text(head, (size_t)r, "Bcc");
	c->subject = rfc822_get_text(head, (size_t)r, "Subject");
	/* No To or Bcc (sendmail -t of a list, say): whom the envelope had. */
	if (c->who == NULL && l->no_to != NULL && msglist_id(l, k, id,
	    sizeof(id)) == 0)
		c->who = l->no_to(l->arg, id);
	if (l->note != NULL && msglist_id(l, k, id, sizeof(id)) == 0)
		c->note = l->note(l->arg, id);
	return c;
}

void
msglist_date(const struct msglist *l, size_t k, char *out, size_t n)
{
	time_t t = k < l->n ? (time_t)(ent(l, k)->key / 1000000) : 0;
	struct tm tm;

	if (t <= 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(out, n, "%b %d %H:%M", &tm) == 0)
		(void)snprintf(out, n, "-");
}
