/* draft.h - a message being written, as data: built into MIME, saved to and read back from the drafts folder, the same for every front end. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_DRAFT_H
#define PIGEON_DRAFT_H

#include <stddef.h>

#include "addr.h"
#include "alias.h"
#include "buf.h"
#include "conf.h"
#include "err.h"
#include "maildir.h"
#include "mime.h"
#include "pgpmime.h"

/*
 * What the user wrote, before it is a message: header lines as typed
 * (UTF-8), the text (UTF-8, LF), an HTML alternative, attachments with
 * the names shown to the recipient.  The composer of the interactive UI,
 * "pigeon send", a resumed draft and "queue edit" all fill one of these;
 * draft_build() makes the message of it and draft_save() files it in
 * drafts/, draft_read() fills one from any stored message.
 *
 * The signature rule is here and nowhere else: draft_sign() appends the
 * account's signature after a "-- " line once, when a composition
 * starts; a text read back from a stored message (a resumed draft, "queue
 * edit", a new message made of a sent one) counts as signed, so it never
 * gets it twice.
 */

/*
 * How a message is secured: the method (PGP/MIME or S/MIME)
 * and PGPMIME_SIGN | PGPMIME_ENCRYPT; plain_ok: a recipient without a
 * key means sending unencrypted (the user said so), not an error.
 */
struct draft_security {
	enum pgpmime_method method;
	unsigned what;
	int plain_ok;
};

struct draft_att {
	char *path;                /* the file it is read from */
	char *name;                /* shown to the recipient; NULL: path's base name */
	char *type;                /* "type/subtype"; NULL: from the name or content */
	char *desc;                /* its Content-Description; NULL: none */
	int disp_inline;           /* shown inline rather than as an attachment */
	int message;               /* a message forwarded as message/rfc822 */
	int owned;                 /* a private copy: removed with the draft */
};

struct draft {
	char *id;                  /* its name in drafts/; NULL: not saved yet */
	char *account;             /* the account to send with; NULL: default */
	char *from;                /* as typed; NULL: the account's from */
	char *to, *cc, *bcc, *reply_to;   /* as typed; NULL: none */
	char *subject;
	char *in_reply_to, *references;   /* message ids, ASCII */
	char *date, *message_id;   /* fixed ones (-H Date:); NULL: made when sent */
	struct mime_field *extra;  /* the user's own fields, names and values owned */
	size_t nextra;
	struct buf text;           /* UTF-8, LF */
	struct buf html;           /* the HTML alternative, UTF-8 */
	int has_html;
	struct draft_att *att;
	size_t natt;
	int signed_text;           /* the signature is in the text already */
	struct draft_security sec; /* how it is to be sent, when has_sec */
	int has_sec;               /* else: the account's defaults */
	char *attdir;              /* where owned copies are, removed with them */
};

/* An empty draft; draft_free() it. */
void draft_init(struct draft *d);
/* Free everything; owned attachment copies are removed from the disk. */
void draft_free(struct draft *d);

/* *field = a copy of value (NULL: none); 0, or -1 out of memory. */
int draft_set(char **field, const char *value);
/* Add a header field of the user's (checked as mime_check_field()); ERR_USAGE with *errstr. */
enum err draft_add_field(struct draft *d, const char *name,
    const char *value, char **errstr);
/*
 * Add an attachment.  name and type may be NULL.  The file is only
 * looked at when the draft is built (a missing file is reported then).
 * ERR_NOMEM.
 */
enum err draft_attach(struct draft *d, const char *path, const char *name,
    const char *type, int disp_inline, int message);
/*
 * The recipients of an envelope that To, Cc and Bcc do not name were
 * blind copies: they are added to Bcc (a message from the outbox made a
 * draft again keeps them).  ERR_NOMEM.
 */
enum err draft_add_bcc(struct draft *d, const char *const *rcpts, size_t n);
/*
 * A new private file (0600, created, never through a link) for a copy of
 * an attachment, in d->attdir (made under $TMPDIR when d has none yet),
 * named after name made fit for a file name (no '/', no control
 * character, no leading '.', at most 200 bytes; "part-NUMBER" when there
 * is no name), with a number in front when that name is taken.  Its fd
 * and *path (malloc'd, the caller frees it); -1 with *err ERR_IO (and
 * *errstr) or ERR_NOMEM.
 */
int draft_copy_open(struct draft *d, const char *name, unsigned number,
    char **path, enum err *err, char **errstr);
/* Remove attachment i (its private copy too). */
void draft_detach(struct draft *d, size_t i);

/*
 * Append the signature file path (in the locale's charset or UTF-8) after
 * a "-- " line (unless the file starts with one), once: nothing happens
 * when the draft is signed already or path is NULL.  ERR_NOINPUT naming
 * the file, ERR_DATA (not text in the locale's charset), ERR_NOMEM.
 */
enum err draft_sign(struct draft *d, const char *path, char **errstr);

/* Does the text speak of an attachment ("attach", "attached") outside quoted lines? */
int draft_mentions_attachment(const struct draft *d);

/* A draft built: the message and its envelope. */
struct draft_built {
	struct mime_msg mm;        /* mm.root and every pointer owned here */
	struct addr_list from, to, cc, bcc, reply_to;
	const char **rcpts;        /* To, Cc and Bcc addr-specs, each once */
	size_t nrcpts;
	char date[64], ua[64];
	char *msgid;
	struct mime_field *fields; /* extra, and what a draft keeps as typed */
	size_t nfields;
	char *ac_attrs, *ac_keydata; /* the Autocrypt header (draft_secure()) */
};

enum draft_use {
	DRAFT_SEND,                /* every address must parse; Bcc off the header */
	DRAFT_SAVE,                /* a draft: Bcc kept, fields that do not parse kept as typed */
};

/*
 * Make the message: addresses parsed (bare alias names of al expanded,
 * as mutt does; al may be NULL), From from the draft or else acct's, the
 * text in the first charset of acct's send_charset that holds it, the
 * HTML alternative, attachments (files opened now: ERR_NOINPUT naming one
 * that cannot be read), Date and Message-ID fixed.  ERR_USAGE (no From,
 * no recipient when sending) and ERR_DATA (an address or value that is
 * not right, naming the field) with *errstr in plain words.  On error b
 * is empty; draft_built_free() it either way.
 */
enum err draft_build(const struct draft *d, const struct account *acct,
    const struct aliases *al, enum draft_use use, struct draft_built *b,
    char **errstr);
void draft_built_free(struct draft_built *b);

/*
 * The account's defaults (pgp_sign, pgp_encrypt, else smime_sign,
 * smime_encrypt); acct may be NULL.
 */
void draft_security_default(struct draft_security *s,
    const struct account *acct);
/*
 * The method --sign and --encrypt mean for acct when none is said: the
 * one its defaults use, else S/MIME for an account with an smime_cert
 * and no pgp_key, else PGP.
 */
enum pgpmime_method draft_security_method(const struct account *acct);
/*
 * Sign and/or encrypt a message built for sending (DRAFT_SEND) as s
 * says, with the account's pgp_key or else the From address, encrypted
 * to every recipient and the sender; and add the Autocrypt header when
 * the account asks for it.  dir: where the temporary files go (the
 * outbox).  A recipient without a usable key is ERR_DATA with *missing
 * (malloc'd) naming them, and b unchanged; with plain_ok, encryption is
 * dropped instead (signing stays), ERR_OK with *missing set so that the
 * caller can say so.  Other errors as pgpmime_apply().
 */
enum err draft_secure(struct draft_built *b, const struct account *acct,
    const struct draft_security *s, const char *dir, char **missing,
    char **errstr);

/*
 * Save d in drafts/ (md): over the draft d->id when it is there, else as
 * a new one (named d->id when that is set, else d->id is set), atomically: a crash leaves the old draft or the
 * new one.  Kept: every field (Bcc too, and fields that do not parse yet
 * as typed), the account, the text, the HTML alternative, the
 * attachments under their names, how it is to be signed or encrypted
 * (has_sec: X-Pigeon-Security).  ERR_IO (a full
 * disk, a read-only folder) leaves what was there.
 */
enum err draft_save(struct maildir *md, struct draft *d,
    const struct account *acct, char **errstr);

/*
 * Fill d (draft_init()ed) from the stored message on fd: a draft being
 * resumed, a message filed in outbox/, sent/ or failed/ made into a new
 * one, or any message.  The header fields come back as text; the first
 * text/plain part (not an attachment) is the text, a text/html beside it
 * in a multipart/alternative the HTML alternative, every other part an
 * attachment, copied to a private file that d owns, with its name (RFC
 * 2231 and RFC 2047 read), type and disposition.  *flaws (may be NULL)
 * gets what was wrong with the message (RFC822_F_*): it is read as well
 * as it can be.  ERR_IO (a copy cannot be written: *errstr says where),
 * ERR_NOMEM.
 */
enum err draft_read(int fd, struct draft *d, unsigned *flaws,
    char **errstr);
/* The same for the draft id in md; d->id is set.  ERR_NOINPUT when it is not there. */
enum err draft_load(struct maildir *md, const char *id, struct draft *d,
    unsigned *flaws, char **errstr);

#endif
