/* msglist.h - the messages of one or more Maildir folders as the UI lists them: newest first, header fields read only for what is shown. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MSGLIST_H
#define PIGEON_MSGLIST_H

#include <stddef.h>
#include <stdint.h>

#include "maildir.h"
#include "mdindex.h"

/* The header fields of the messages shown lately: a list of 100,000 is never read whole. */
#define MSGLIST_CACHE 512

struct msglist_fields {
	size_t at;                 /* the message (+1; 0: an empty slot) */
	char *who, *subject;
	char *note;                /* what the list adds (the outbox: "held until ..."), NULL */
};

struct msglist {
	struct maildir **src;      /* the folders listed (several for drafts) */
	struct mdindex *ix;        /* their messages, newest first */
	size_t nsrc;
	struct { uint32_t src, i; } *v;   /* the list: message i of folder src */
	size_t n;
	struct msglist_fields cache[MSGLIST_CACHE];
	int cachefd;               /* where the folders' sorted lists are kept (-1: nowhere) */
	/* Who a message without To and Bcc went to (its envelope), or NULL; may be NULL. */
	char *(*no_to)(void *arg, const char *id);
	/* A note on the message (malloc'd), or NULL; may be NULL. */
	char *(*note)(void *arg, const char *id);
	void *arg;
};

/*
 * List the folders md[0..n) into l (zeroed but for cachefd, no_to and
 * arg), newest first, merged; a folder that cannot be listed is left
 * out.  The folders must stay open while l is used.
 */
void msglist_load(struct msglist *l, struct maildir **md, size_t n);
/*
 * The newest messages of folder md only, when its cache is up to date:
 * what the first frame shows, before msglist_load() reads them all.
 * 0 (*total: how many it holds), or -1 (nothing loaded).
 */
int msglist_load_head(struct msglist *l, struct maildir *md, size_t *total);
void msglist_free(struct msglist *l);
/* How many messages folder md holds (through the cache of cachefd). */
size_t msglist_count(struct maildir *md, int cachefd);
/* Who message k is to and its subject (either may be NULL), read the first time. */
const struct msglist_fields *msglist_fields(struct msglist *l, size_t k);
/* The unique name of message k into id; 0, or -1. */
int msglist_id(const struct msglist *l, size_t k, char *id, size_t n);
/* The folder message k is in. */
struct maildir *msglist_folder(const struct msglist *l, size_t k);
/* "Dec 05 14:05", the time its name was made. */
void msglist_date(const struct msglist *l, size_t k, char *out, size_t n);

#endif
