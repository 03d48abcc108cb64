/* deliver.h - sending queued messages: one connection per account, each result filed in the outbox. */
#ifndef PIGEON_DELIVER_H
#define PIGEON_DELIVER_H

#include "cli.h"
#include "outbox.h"

struct deliver_hooks {
	/*
	 * Called on a READY session before each message is sent (pigeon send
	 * rewrites its message without 8bit parts for a server without
	 * 8BITMIME).  Non-zero: an exit code, the message is skipped.
	 */
	int (*before)(void *arg, struct session *s, struct outbox *ob,
	    struct qentry *e);
	void *arg;
	int abort_on_reject;       /* send nothing if a recipient is refused */
	/*
	 * The entries are not locked (queue flush): each is locked and read
	 * again just before it is sent, and unlocked once it is filed; one
	 * that another pigeon holds or has sent meanwhile is left alone.
	 */
	int lock;
};

/*
 * Send the entries v[0..n), all of one account and server and locked by
 * the caller (unless h->lock), over one connection (c set up with cli_setup()); file each
 * result in the outbox and tell the user.  quiet: no line for a message
 * that went.  Returns the first non-zero exit code (75 when a message
 * stays queued), 0 when all went.
 */
int deliver_group(struct cli *c, struct outbox *ob, struct qentry **v,
    size_t n, const struct deliver_hooks *h, int quiet);

/* The envelope of a message being queued. */
struct deliver_env {
	const char *from;
	const char *const *rcpts;
	size_t nrcpts;
	const char *notify, *ret, *envid;   /* DSN, NULL: none */
	int eightbit;
	uint64_t size;             /* on the wire (CRLF), 0: unknown */
};

/*
 * Fill q (after qentry_init) from c's account and server and d, and
 * commit the message written to it->tx with it: then it is queued.  0, or
 * an exit code with the error shown.
 */
int deliver_enqueue(const struct cli *c, struct outbox *ob,
    struct outbox_item *it, struct qentry *q, const struct deliver_env *d);

/* Open the outbox in the data directory; 0 or an exit code (shown). */
int deliver_open(struct outbox **ob);

#endif
