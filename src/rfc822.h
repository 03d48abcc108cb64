/* rfc822.h - the one reader of stored messages: header fields, RFC 2047 words, RFC 2231 parameters, the MIME tree, streamed and bounded. */
#ifndef PIGEON_RFC822_H
#define PIGEON_RFC822_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * Everything in pigeon that reads a message back (the message list, the
 * reader, drafts being resumed, queue edit, the 8-bit downgrade before a
 * send, the tests) reads it here.  Messages may come with LF (how pigeon
 * stores them) or CRLF line ends (older files, other programs), from
 * anyone, damaged or hostile: nothing here trusts them.  Memory is
 * bounded whatever the input: a header is kept up to RFC822_HEADER_MAX,
 * a line only as far as it could be a MIME delimiter, contents stream
 * through in blocks.
 */
#define RFC822_HEADER_MAX (1024 * 1024)
#define RFC822_DEPTH_MAX 16        /* multiparts inside multiparts */
#define RFC822_PARTS_MAX 1000      /* parts handed to the caller */

/* --- a header in memory ------------------------------------------------ */

/*
 * Where does the header of p[0..n) end?  At the first empty line, or at
 * the first line that is neither a field nor a continuation (then the
 * body starts with that line, as Postfix reads it).  Returns the header's
 * length (its fields, without the empty line); *body is where the body
 * starts; *complete is 0 when the input ended inside the header.
 */
size_t rfc822_header_end(const char *p, size_t n, size_t *body,
    int *complete);

/* One field of a header: its bytes up to and including its last line end. */
struct rfc822_field {
	const char *p;
	size_t len;
	size_t namelen;            /* up to the ':' (or len when there is none) */
};

/* The next field of h[0..n) from *pos (start at 0); 0 at the end. */
int rfc822_next_field(const char *h, size_t n, size_t *pos,
    struct rfc822_field *f);
/*
 * Is f the field name (any case)?  White space before the colon is the
 * obsolete syntax of RFC 5322 4.5, still met: "Bcc : x" is a Bcc field.
 */
int rfc822_field_is(const struct rfc822_field *f, const char *name);
/* The value of f, after the colon, as it is stored (folded). */
const char *rfc822_field_value(const struct rfc822_field *f, size_t *len);
/*
 * Append a folded value unfolded: line ends go (the white space after
 * them stays, RFC 5322 2.2.3), white space at both ends goes.  0, or -1
 * with out as it was (full).
 */
int rfc822_unfold(struct buf *out, const char *v, size_t n);
/* The first field name of h[0..n), unfolded (malloc'd); NULL: none. */
char *rfc822_get(const char *h, size_t n, const char *name);
/* The same with its RFC 2047 encoded-words decoded: UTF-8 text. */
char *rfc822_get_text(const char *h, size_t n, const char *name);

/*
 * Read an unfolded header value back: every RFC 2047 encoded-word
 * ("=?charset?Q?...?=" or "=?charset?B?...?=", charset possibly with
 * "*lang") becomes the UTF-8 text it stands for, the white space between
 * two adjacent encoded-words goes, everything else stays as it is.  An
 * encoded-word that cannot be decoded (unknown charset, bad base64 or
 * hex, text that is not valid in its charset) stays as written.  Appends
 * to out; 0, or -1 (E2BIG, ENOMEM) with out as it was.
 */
int rfc822_decode_words(struct buf *out, const char *value, size_t n);

/* --- MIME parameters ---------------------------------------------------- */

/*
 * The "type/subtype" of a Content-Type value, lower case, into out[len];
 * "" when the value has none that is well-formed.
 */
void rfc822_mime_type(const char *value, char *out, size_t len);
/*
 * The parameter name of a Content-Type or Content-Disposition value,
 * appended to out as UTF-8: RFC 2231 (name*=charset'lang'%XX, and
 * continuations name*0, name*1*, ... put together in order, each part
 * percent-decoded or not by its own '*'), else RFC 2045 (a token or a
 * quoted-string), whose RFC 2047 encoded-words are decoded too, as many
 * mail programs write file names that way.  Text in another charset is
 * converted; where that cannot be done the bytes are kept if they are
 * UTF-8, else the parameter counts as missing.  1 when found, 0 when
 * not, -1 when out is full.
 */
int rfc822_param(const char *value, const char *name, struct buf *out);

/* --- the MIME tree, streamed -------------------------------------------- */

enum rfc822_cte {
	RFC822_7BIT,
	RFC822_8BIT,
	RFC822_BINARY,
	RFC822_QP,
	RFC822_BASE64,
	RFC822_CTE_OTHER,          /* unknown: its content is given as stored */
};

/* What a part is, as its header says. */
struct rfc822_part {
	unsigned depth;            /* 0: the message itself */
	unsigned number;           /* leaves in order, from 1; 0: a multipart */
	int multipart;             /* its parts follow (begin .. end around them) */
	const char *header;        /* the header as stored, and the empty line */
	size_t headerlen;
	const char *type;          /* "text/plain", lower case; the default if none */
	const char *parent;        /* the enclosing multipart's type; "" at the top */
	const char *charset;       /* NULL: none given */
	const char *name;          /* filename or name, UTF-8; NULL: none */
	int attachment;            /* Content-Disposition: attachment */
	int disp_inline;           /* Content-Disposition: inline */
	enum rfc822_cte cte;
	const char *cte_name;      /* as written, lower case; "" when none */
	unsigned flaws;            /* RFC822_F_* found in this part so far */
};

/* What begin() says about the content of a part. */
enum rfc822_want {
	RFC822_SKIP,               /* not wanted (a multipart: its parts neither) */
	RFC822_RAW,                /* as stored (a multipart: walk its parts) */
	RFC822_DECODE,             /* transfer encoding undone; texts with LF */
	RFC822_STOP,               /* stop reading: ERR_OK, nothing more */
};

struct rfc822_ops {
	/* A header was read (a leaf, or a multipart whose parts follow). */
	enum rfc822_want (*begin)(void *arg, const struct rfc822_part *p);
	/* Content, in blocks; non-zero stops the reading. */
	int (*data)(void *arg, const struct rfc822_part *p, const char *b,
	    size_t n);
	/* The end of a part begun (p->flaws final for it). */
	void (*end)(void *arg, const struct rfc822_part *p);
	/*
	 * Everything else in order, for a caller that copies the message:
	 * preambles, delimiter lines with the line end before them,
	 * epilogues.  Headers (in begin()), RAW contents and these together
	 * are the input, byte for byte.  NULL: not wanted.  Non-zero stops.
	 */
	int (*raw)(void *arg, const char *b, size_t n);
};

/* Flaws, for a note that the message is shown as well as it could be. */
#define RFC822_F_TRUNCATED 0x01u   /* it ends inside a multipart or a header */
#define RFC822_F_ENCODING  0x02u   /* bad base64 or quoted-printable skipped */
#define RFC822_F_PARTS     0x04u   /* over RFC822_PARTS_MAX parts: not all given */
#define RFC822_F_DEPTH     0x08u   /* nested too deep: the inside as one part */
#define RFC822_F_HEADER    0x10u   /* a header over RFC822_HEADER_MAX: cut */
#define RFC822_F_BOUNDARY  0x20u   /* a multipart without a boundary: one part */
#define RFC822_F_NUL       0x40u   /* NUL bytes in a header (shown as '?') */

/*
 * A reader fed by the caller, in any chunking (down to single bytes): the
 * same calls and results as below.  rfc822_feed() and rfc822_finish()
 * return ERR_OK, or what stopped the reading (ERR_NOMEM, ERR_CANCEL when
 * a callback said stop); after that, feeding does nothing.  NULL when out
 * of memory.
 */
struct rfc822_reader;
struct rfc822_reader *rfc822_reader_new(const struct rfc822_ops *ops,
    void *arg);
enum err rfc822_feed(struct rfc822_reader *r, const char *p, size_t n);
enum err rfc822_finish(struct rfc822_reader *r, unsigned *flaws);
void rfc822_reader_free(struct rfc822_reader *r);

/*
 * Read a message and call ops as it goes.  *flaws (may be NULL) gets the
 * RFC822_F_* of the whole message.  ERR_OK (even when flawed: what could
 * be read was given), ERR_IO when reading fd fails, ERR_NOMEM; a non-zero
 * return of a callback stops the reading with ERR_CANCEL.
 */
enum err rfc822_read_fd(int fd, const struct rfc822_ops *ops, void *arg,
    unsigned *flaws, char **errstr);
enum err rfc822_read_mem(const char *p, size_t n,
    const struct rfc822_ops *ops, void *arg, unsigned *flaws);

/* The flaws in plain words, one sentence each, appended to out. */
int rfc822_flaws_text(struct buf *out, unsigned flaws);

#endif
