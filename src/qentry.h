/* qentry.h - the on-disk record of one queued message's envelope and delivery state. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_QENTRY_H
#define PIGEON_QENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/*
 * The message itself lives in a Maildir; this is what goes with it: the
 * envelope (sender, recipients, DSN parameters) and what happened so far.
 * The file is text, one field per line, so that a human can read it:
 *
 *	pigeon-queue 1
 *	id 1700000000.M12P345Q1.host
 *	account work
 *	from jane@example.org
 *	rcpt done 250 bob@example.org
 *	rcpt pending 451 carol@example.org
 *	rcpt-reply 4.3.0 try again\nlater
 *	eightbit 0
 *	as-given 0
 *	size 1234
 *	chunking 0
 *	state queued
 *	created 1700000000
 *	next-try 1700000300
 *	not-before 1700086400
 *	attempts 1
 *	uncertain 0
 *	end 9889d076
 *
 * Every line ends in LF.  A line is a key, a space and a value running to
 * the end of the line; a key alone means an empty value.  Text values are
 * escaped: \\ is a backslash, \n a line feed, \xHH any byte.  Control
 * characters, DEL, bytes that are not part of well-formed UTF-8, and a
 * space at the start or end of a value are always written as \xHH, so the
 * file is valid UTF-8 without control characters and every string comes
 * back exactly.  Optional fields that are NULL have no line; an empty
 * string has one.  "rcpt STATE CODE ADDRESS" lines keep the recipients in
 * order; a "rcpt-reply" line right after one holds its last reply text.
 * "not-before" (send later) is written only when it is not 0, so that a
 * message not held stays readable by a pigeon from before it.
 * The last line, "end" and the CRC-32 (IEEE 802.3, as zlib computes it) of
 * every byte before that line in eight lowercase hex digits, catches a
 * truncated or damaged file: any change of up to four consecutive bytes
 * is found for certain.
 *
 * The reader refuses, with ERR_DATA and a reason, a different first
 * line, an unknown key (a file from a newer pigeon, or not ours), a key
 * given twice, a missing id, from or rcpt, a bad number, state or
 * escape, \x00 (the fields are C strings), a raw NUL byte, a control
 * character, invalid UTF-8, a missing or wrong "end" line, and lines
 * after it.  It takes the keys in any order and hex digits of escapes in
 * either case; fields other than id, from and rcpt may be missing and
 * are then zero or NULL.
 */

enum qrcpt_state { QRCPT_PENDING, QRCPT_DONE, QRCPT_FAILED };

struct qrcpt {
	char *addr;              /* addr-spec, UTF-8 allowed; never empty */
	enum qrcpt_state state;
	int code;                /* last reply code, 0: none yet; 0 to 999 */
	char *reply;             /* last reply text (may hold newlines), NULL: none */
};

enum qentry_state { QENTRY_QUEUED, QENTRY_FAILED, QENTRY_SENT };

struct qentry {
	char *id;                /* the Maildir unique name of the message */
	char *account;           /* account name, NULL: default */
	char *server;            /* server URL override (--server), NULL: the account's */
	char *from;              /* MAIL FROM addr-spec, "" for the null sender */
	struct qrcpt *rcpts;
	size_t nrcpts;
	char *dsn_notify, *dsn_ret, *dsn_envid;   /* NULL: none */
	int eightbit;            /* the message has 8bit parts */
	int as_given;            /* a whole message from a caller: never rewritten */
	int64_t size;            /* its size on the wire (CRLF), 0: unknown */
	int chunking;            /* use BDAT */
	enum qentry_state state;
	int64_t created;         /* seconds since the epoch */
	int64_t next_try;        /* when to try again, 0: now */
	int64_t not_before;      /* send later: held until then, 0: not held */
	unsigned attempts;
	int uncertain;           /* lost after the final dot: may have arrived */
	char *last_error;        /* plain words, may hold newlines, NULL: none */
	char *queue_id;          /* the server's queue id from the final 250, NULL */
	/* The file it was read from (outbox_load): has it been replaced since? */
	uint64_t file_ino;
	int64_t file_ctime_ns;
	uint64_t file_size;
};

/* All fields zero or NULL. */
void qentry_init(struct qentry *e);
/* Free the strings and recipients and set e as qentry_init() does; NULL is a no-op. */
void qentry_free(struct qentry *e);

/*
 * Append a copy of addr as a PENDING recipient with no reply yet.
 * ERR_NOMEM; ERR_DATA when addr is NULL or empty.  e is unchanged on error.
 */
enum err qentry_add_rcpt(struct qentry *e, const char *addr);

/*
 * Append the file text for e to out.  The flags eightbit, chunking and
 * uncertain are written as 0 or 1.  0, or -1 with out unchanged and
 * errno: E2BIG or ENOMEM when out cannot take it, EINVAL when e could
 * not be read back (id or from NULL, no recipients, a recipient address
 * NULL or empty, a reply code outside 0 to 999, a state out of range).
 */
int qentry_format(const struct qentry *e, struct buf *out);

/*
 * Read the file text p[0..n) into e, which is overwritten (not freed
 * first).  ERR_OK; ERR_DATA with a reason in *errstr ("line 7: unknown
 * state 'x'", "checksum mismatch: the file is damaged"); ERR_NOMEM.  On
 * error e is left as qentry_init() makes it.  *errstr is replaced
 * (freed first) only on error; errstr may be NULL.
 */
enum err qentry_parse(struct qentry *e, const char *p, size_t n,
    char **errstr);

/*
 * When e may go next: the later of next_try and not_before.  A flush
 * sends no message before this; "queue retry" does, on purpose.
 */
int64_t qentry_due(const struct qentry *e);

/* Is e held (send later) at the time now? */
int qentry_held(const struct qentry *e, int64_t now);

/* How many recipients are still PENDING: 0 when none is. */
size_t qentry_pending(const struct qentry *e);

/*
 * When to try again after the attempts-th failed try, counted from now:
 * 5 minutes after the first (and for 0), doubling with each further one,
 * at most 4 hours, plus up to 10% random jitter so that many queued
 * messages do not all come due in the same second.  Never overflows:
 * the result is at most INT64_MAX.  For the tests, a build configured
 * with --enable-test-hooks waits PIGEON_TEST_BACKOFF seconds instead (1
 * to 14400, no jitter) when that variable is set.
 */
int64_t qentry_backoff(unsigned attempts, int64_t now);

#endif
