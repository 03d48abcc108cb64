/* smtp_int.h - what the engine's three files share (smtp.c, smtp_reply.c, smtp_env.c); no other module includes it. */
#ifndef PIGEON_SMTP_INT_H
#define PIGEON_SMTP_INT_H

#include "buf.h"
#include "smtp.h"

/*
 * Bounds on what a server may send.  RFC 5321 allows 512 octets per reply
 * line; we take twice that from liberal servers and refuse the rest, as we
 * refuse replies of absurd length, so a hostile server cannot make us
 * buffer without limit.  Beyond a bound is a protocol error, never an
 * allocation failure.
 */
#define SMTP_LINE_MAX   1024
#define SMTP_LINES_MAX  200
#define SMTP_IN_MAX     (SMTP_LINE_MAX * SMTP_LINES_MAX + 4096)
#define SMTP_MECHS_MAX  64

/*
 * What we send: RFC 5321 4.5.3.1.4 allows 512 octets per command line,
 * CRLF included; RFC 4954 4 raises it to 12288 for AUTH.
 */
#define SMTP_CMD_MAX       512
#define SMTP_AUTH_CMD_MAX  12288
/* RFC 5321 4.5.3.1.3: a path is at most 256 octets, "<" and ">" included. */
#define SMTP_ADDR_MAX      254
/* A domain is at most 255 octets (RFC 5321 4.5.3.1.2). */
#define SMTP_DOMAIN_MAX    255

/* smtp_reply.c */
void smtp_caps_clear(struct smtp_caps *c);
/*
 * The capabilities of a 250 reply to EHLO.  0; -1 out of memory; -2 more
 * than SMTP_MECHS_MAX authentication mechanisms.
 */
int smtp_caps_parse(struct smtp_caps *c, const struct smtp_reply *r);
/* The text after the code of the reply's first line ("" if none). */
const char *smtp_reply_text(const struct smtp_reply *r);

/* smtp_env.c */
/*
 * Is the envelope fit for this server (its capability flags and SIZE)?
 * ERR_OK, or the error smtp_mail() returns, with *errstr.  *nonascii: an
 * address needs SMTPUTF8.
 */
enum err smtp_env_check(const struct smtp_envelope *env,
    const struct smtp_caps *caps, int *nonascii, char **errstr);
/*
 * The MAIL FROM line (no CRLF) in b.  An optional parameter that would
 * make the line longer than SMTP_CMD_MAX is left out (ENVID, then RET,
 * then SIZE), and *dropped names it (NULL when none was).  0, or -1 when
 * out of memory.
 */
int smtp_mail_line(struct buf *b, const struct smtp_envelope *env,
    unsigned flags, int nonascii, const char **dropped);
/* The RCPT TO line of recipient i (no CRLF) in b; 0 or -1. */
int smtp_rcpt_line(struct buf *b, const struct smtp_envelope *env, size_t i,
    unsigned flags);

#endif
