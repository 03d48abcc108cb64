/* msg.h - prepare a whole message given on input (sendmail mode) for sending. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MSG_H
#define PIGEON_MSG_H

#include <stdint.h>

#include "addr.h"
#include "err.h"

struct msg;

struct msg_opts {
	int extract;               /* -t: recipients from To, Cc, Bcc */
	const char *from;          /* From: to add when missing ("Name <a@b>") */
	const char *domain;        /* for Message-ID; NULL: from the From address */
	const char *tmpdir;        /* NULL: $TMPDIR or /tmp */
	int local_ok;              /* -t: "root" (no domain) is a recipient too */
	int use_out_fd;           /* write to out_fd, not to a new spool file */
	int out_fd;
	/*
	 * NULL, or called after each block written to the spool, the first
	 * with the whole header: p holds the n bytes as written, m what is
	 * known so far (rcpts, from, added_*; not size, eightbit).  Non-zero
	 * stops msg_prepare() with ERR_CANCEL (the hook says why).
	 */
	int (*written)(void *arg, const struct msg *m, const char *p,
	    size_t n);
	/*
	 * NULL, or called before each read of the body from in_fd: it may
	 * wait there until in_fd is readable, doing other work meanwhile.
	 */
	void (*before_read)(void *arg, int in_fd);
	void *arg;
};

struct msg {
	int fd;                    /* spooled message, LF, at offset 0 */
	uint64_t size;             /* its bytes */
	uint64_t wire_size;        /* its bytes on the wire (every LF a CRLF) */
	int eightbit;              /* it holds bytes >= 0x80 */
	struct addr_list rcpts;    /* from the headers, with extract */
	char *from;                /* addr-spec of the message's own From, or NULL */
	int added_date, added_msgid, added_from;
	int borrowed;              /* fd is the caller's out_fd: not closed */
};

/*
 * Read a message from in_fd to its end and spool it in the local form:
 * line ends (CRLF, LF, a bare CR) become LF, Bcc and Resent-Bcc fields are removed (after taking their
 * recipients when extracting), Date, Message-ID and From are added when
 * missing.  Memory stays small whatever the size: only the header is
 * held.  ERR_DATA (header too large, bad address in a recipient field),
 * ERR_IO (spool write failure, e.g. a full disk), ERR_NOINPUT.
 */
enum err msg_prepare(int in_fd, const struct msg_opts *o, struct msg *m,
    char **errstr);
void msg_free(struct msg *m);

/*
 * An unnamed temporary file for a message in dir (NULL: $TMPDIR, else
 * /tmp), read-write, already unlinked: it vanishes with its descriptor.
 * -1 with errno.
 */
int msg_open_spool(const char *dir);

/* Append an RFC 5322 date for now in the local zone (C locale names). */
int msg_date(char *buf, size_t len);
/* A new Message-ID "<...@domain>"; malloc'd, NULL on failure. */
char *msg_make_id(const char *domain);

#endif
