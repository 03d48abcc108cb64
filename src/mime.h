/* mime.h - the MIME builder: a tree of parts and a serializer that streams it out. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MIME_H
#define PIGEON_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"
#include "mimetype.h"

/*
 * A message is a header plus a tree of parts.  Leaves are texts (held in
 * memory, converted to their charset when made), files and message files
 * (opened when made, so a missing file is reported before anything is
 * sent, and read only while the message is written).  mime_write()
 * streams the whole message to a file descriptor in large blocks: memory
 * does not grow with the size of an attachment.
 */
struct mime_part;

enum mime_disp {
	MIME_ATTACHMENT,
	MIME_INLINE,
};

/*
 * A text part, text/SUBTYPE ("plain", "html"), from UTF-8 text; CRLF and
 * CR line ends become LF.  charsets: an account's send_charset list
 * ("iso-8859-1:utf-8"); a text that is not ASCII goes out in the first
 * of them that represents it exactly, else in UTF-8.  ERR_DATA for
 * invalid UTF-8, a NUL byte or a text over 64 MiB; ERR_CONFIG for a
 * charset iconv does not know.
 */
enum err mime_text(struct mime_part **out, const char *subtype,
    const char *text, size_t len, const char *charsets, char **errstr);
/*
 * text/plain as format=flowed (RFC 3676; flowed.h): the text cut into
 * flowed lines of at most FLOWED_WIDTH characters, then as mime_text();
 * Content-Type gets format=flowed (and delsp=yes when a script without
 * spaces had to be cut).
 */
enum err mime_text_flowed(struct mime_part **out, const char *text, size_t len,
    const char *charsets, char **errstr);

/*
 * A file attachment.  type: "type/subtype" or NULL to look the name up
 * in mt (may be NULL) and else sniff the content.  The file is opened
 * now; ERR_NOINPUT naming it when it cannot be read or is not a regular
 * file.  The name shown to the recipient is the base name, with control
 * characters removed.
 */
enum err mime_file(struct mime_part **out, const char *path, const char *type,
    enum mime_disp disp, const struct mimetypes *mt, char **errstr);

/*
 * The name shown for a file or message part, UTF-8 (a draft keeps names
 * apart from the files it holds them in); control characters and bidi
 * controls are removed as from a base name.  ERR_DATA for invalid UTF-8.
 */
enum err mime_file_name(struct mime_part *p, const char *name);
/*
 * Its description (Content-Description, RFC 2045 8), UTF-8, encoded as
 * an unstructured field; control characters become blanks.  ERR_DATA
 * for invalid UTF-8.
 */
enum err mime_file_description(struct mime_part *p, const char *desc);

/* A message file attached as message/rfc822 (a forward); opened now. */
enum err mime_message(struct mime_part **out, const char *path,
    char **errstr);

/* multipart/SUBTYPE ("mixed", "alternative") with a fresh random boundary. */
enum err mime_multipart(struct mime_part **out, const char *subtype);
/* Add child to a multipart, which then owns it. */
enum err mime_add(struct mime_part *multipart, struct mime_part *child);
void mime_free(struct mime_part *p);

struct mime_field {
	const char *name;
	const char *value;        /* UTF-8 */
};

struct mime_msg {
	const struct addr *from;
	const struct addr *to, *cc, *reply_to;
	size_t nto, ncc, nreply_to;
	const struct addr *bcc;   /* written for a draft only; NULL to send */
	size_t nbcc;
	const char *subject;      /* UTF-8, NULL: none */
	const char *date;         /* NULL: now */
	const char *message_id;   /* NULL: a new one */
	const char *in_reply_to;  /* message ids, or NULL */
	const char *references;
	const char *user_agent;   /* NULL: none */
	const struct mime_field *extra;  /* the user's own fields */
	size_t nextra;
	/* Autocrypt: "addr=...; keydata=" and the key's base64; NULL: none */
	const char *autocrypt_attrs, *autocrypt_keydata;
	struct mime_part *root;
};

/*
 * Is this a field the user may add (-H 'Name: value')?  The name must be
 * printable ASCII without ':' and white space; the value may not hold CR,
 * LF, NUL or other control characters (but tab), and must be UTF-8.
 * Fields the builder writes itself (MIME-Version, Content-*, From, To,
 * Cc, Bcc, Subject) are refused with a pointer to the right option.
 * ERR_USAGE with *errstr.
 */
enum err mime_check_field(const char *name, const char *value,
    char **errstr);
/* The value part of that check alone, for fields the builder writes (Subject). */
enum err mime_check_value(const char *name, const char *value,
    char **errstr);

struct mime_result {
	uint64_t size;            /* bytes written */
	uint64_t wire_size;       /* its size on the wire: every LF a CRLF */
	int eightbit;             /* an 8bit part was written */
};

/*
 * Write the message to fd in the local form: line ends are LF, as pigeon
 * stores messages (drafts/, outbox/, sent/); the SMTP engine makes them
 * CRLF and dot-stuffs the lines on the wire.
 * allow8bit: texts with 8-bit data may go as 8bit (the server offers
 * 8BITMIME); else they are quoted-printable.  Boundaries are checked not
 * to begin any line of any part, and replaced when one does.  ERR_IO
 * (write failed, e.g. a full disk, or an attachment changed or became
 * unreadable) with *errstr, ERR_NOMEM.
 */
enum err mime_write(const struct mime_msg *m, int fd, int allow8bit,
    struct mime_result *r, char **errstr);
/*
 * The same, and after each block written to fd, written(arg, p, n) with
 * the n bytes of it (spool and send at once: the session takes them).
 */
enum err mime_write_to(const struct mime_msg *m, int fd, int allow8bit,
    void (*written)(void *arg, const char *p, size_t n), void *arg,
    struct mime_result *r, char **errstr);

/*
 * For PGP/MIME (RFC 3156): write the part p alone (its Content-* fields,
 * a blank line, its body; LF line ends) to fd, 7bit as section 5 wants
 * of a part to be signed: 8-bit texts and texts with a line ending in
 * white space quoted-printable, 8-bit message parts base64.  ERR_IO with
 * *errstr, ERR_NOMEM.
 */
enum err mime_write_part(struct mime_part *p, int fd, char **errstr);
/*
 * A part that is written as it is: the entity (header fields, a blank
 * line, the body, LF line ends) in the file fd, read from its start when
 * the message is written.  The part owns fd (closed by mime_free(), and
 * here on an error).  ERR_IO (cannot stat fd), ERR_NOMEM.
 */
enum err mime_entity(struct mime_part **out, int fd, char **errstr);
/* A Content-Type parameter of a multipart before its boundary ("protocol"); at most two. */
enum err mime_multipart_param(struct mime_part *p, const char *name,
    const char *value);

#endif
