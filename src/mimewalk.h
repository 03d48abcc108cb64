/* mimewalk.h - the MIME tree of a stored message, walked as it streams in: parts, their names and contents, decoded, bounded. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MIMEWALK_H
#define PIGEON_MIMEWALK_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "rfc822.h"

/*
 * A push parser: bytes in any chunking, callbacks as parts begin, their
 * contents come and they end.  Memory is bounded whatever the input: a
 * header is kept up to RFC822_HEADER_MAX, a line only as far as it could
 * be a MIME delimiter, contents stream through in blocks, the nesting and
 * the number of parts are bounded.
 */
#define MIMEWALK_DEPTH_MAX 16      /* multiparts inside multiparts */
#define MIMEWALK_PARTS_MAX 1000    /* parts handed to the caller */

enum mimewalk_cte {
	MIMEWALK_7BIT,
	MIMEWALK_8BIT,
	MIMEWALK_BINARY,
	MIMEWALK_QP,
	MIMEWALK_BASE64,
	MIMEWALK_CTE_OTHER,          /* unknown: its content is given as stored */
};

/* What a part is, as its header says. */
struct mimewalk_part {
	unsigned depth;            /* 0: the message itself */
	unsigned number;           /* leaves in order, from 1; 0: a multipart */
	int multipart;             /* its parts follow (begin .. end around them) */
	const char *header;        /* the header as stored, and the empty line */
	size_t headerlen;
	const char *type;          /* "text/plain", lower case; the default if none */
	const char *parent;        /* the enclosing multipart's type; "" at the top */
	const char *charset;       /* NULL: none given */
	int flowed;                /* text/plain; format=flowed: 1, and delsp=yes: 2 */
	const char *name;          /* filename or name, UTF-8; NULL: none */
	int attachment;            /* Content-Disposition: attachment */
	int disp_inline;           /* Content-Disposition: inline */
	enum mimewalk_cte cte;
	const char *cte_name;      /* as written, lower case; "" when none */
	unsigned flaws;            /* MIMEWALK_F_* found in this part so far */
};

/* What begin() says about the content of a part. */
enum mimewalk_want {
	MIMEWALK_SKIP,               /* not wanted (a multipart: its parts neither) */
	MIMEWALK_RAW,                /* as stored (a multipart: walk its parts) */
	MIMEWALK_DECODE,             /* transfer encoding undone; texts with LF */
	MIMEWALK_STOP,               /* stop reading: ERR_OK, nothing more */
};

struct mimewalk_ops {
	/* A header was read (a leaf, or a multipart whose parts follow). */
	enum mimewalk_want (*begin)(void *arg, const struct mimewalk_part *p);
	/* Content, in blocks; non-zero stops the reading. */
	int (*data)(void *arg, const struct mimewalk_part *p, const char *b,
	    size_t n);
	/* The end of a part begun (p->flaws final for it). */
	void (*end)(void *arg, const struct mimewalk_part *p);
	/*
	 * Everything else in order, for a caller that copies the message:
	 * preambles, delimiter lines with the line end before them,
	 * epilogues.  Headers (in begin()), RAW contents and these together
	 * are the input, byte for byte.  NULL: not wanted.  Non-zero stops.
	 */
	int (*raw)(void *arg, const char *b, size_t n);
};

/* Flaws, for a note that the message is shown as well as it could be. */
#define MIMEWALK_F_TRUNCATED 0x01u   /* it ends inside a multipart or a header */
#define MIMEWALK_F_ENCODING  0x02u   /* bad base64 or quoted-printable skipped */
#define MIMEWALK_F_PARTS     0x04u   /* over MIMEWALK_PARTS_MAX parts: not all given */
#define MIMEWALK_F_DEPTH     0x08u   /* nested too deep: the inside as one part */
#define MIMEWALK_F_HEADER    0x10u   /* a header over RFC822_HEADER_MAX: cut */
#define MIMEWALK_F_BOUNDARY  0x20u   /* a multipart without a boundary: one part */
#define MIMEWALK_F_NUL       0x40u   /* NUL bytes in a header (shown as '?') */

/*
 * A reader fed by the caller, in any chunking (down to single bytes): the
 * same calls and results as below.  mimewalk_feed() and mimewalk_finish()
 * return ERR_OK, or what stopped the reading (ERR_NOMEM, ERR_CANCEL when
 * a callback said stop); after that, feeding does nothing.  NULL when out
 * of memory.
 */
struct mimewalk;
struct mimewalk *mimewalk_new(const struct mimewalk_ops *ops,
    void *arg);
enum err mimewalk_feed(struct mimewalk *r, const char *p, size_t n);
enum err mimewalk_finish(struct mimewalk *r, unsigned *flaws);
void mimewalk_free(struct mimewalk *r);

/*
 * Read a message and call ops as it goes.  *flaws (may be NULL) gets the
 * MIMEWALK_F_* of the whole message.  ERR_OK (even when flawed: what could
 * be read was given), ERR_IO when reading fd fails, ERR_NOMEM; a non-zero
 * return of a callback stops the reading with ERR_CANCEL.
 */
enum err mimewalk_fd(int fd, const struct mimewalk_ops *ops, void *arg,
    unsigned *flaws, char **errstr);
enum err mimewalk_mem(const char *p, size_t n,
    const struct mimewalk_ops *ops, void *arg, unsigned *flaws);

/*
 * The flaws in plain words, one sentence each, appended to out with sep
 * after each ("\n" for a page, " " for a status line).
 */
int mimewalk_flaws_text(struct buf *out, unsigned flaws, const char *sep);

#endif
