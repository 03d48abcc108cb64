/* socks5.h - a SOCKS5 proxy (RFC 1928, login RFC 1929): its URL, and the handshake as a state machine of bytes in and bytes out. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SOCKS5_H
#define PIGEON_SOCKS5_H

#include <stddef.h>

#include "err.h"
#include "transcript.h"

/*
 * socks5://[user[:password]@]host[:port] (socks5h:// is the same): the
 * port defaults to 1080, user and password are percent-decoded.  The
 * destination's name is always sent to the proxy to resolve (RFC 1928
 * ATYP 3), never resolved here; an IPv4 or IPv6 literal goes as such.
 */
struct socks5_url {
	char *host;         /* without brackets for an IPv6 literal */
	char port[8];
	char *user;         /* NULL: no login */
	char *password;     /* NULL: none in the URL; wiped by socks5_url_free() */
};

/*
 * Parse s into u.  ERR_CONFIG with *errstr naming what is wrong (never
 * quoting the password), ERR_NOMEM.  u is empty on an error.
 */
enum err socks5_url_parse(struct socks5_url *u, const char *s, char **errstr);
void socks5_url_free(struct socks5_url *u);

/*
 * The handshake over a connection to the proxy: the greeting with the
 * methods (no login, or user/password when user is set), the login, and
 * CONNECT host port.  No I/O here: the caller writes what
 * socks5_output() gives and reads exactly socks5_need() bytes at a time
 * into socks5_feed(), so nothing after the proxy's last reply (the mail
 * server's greeting) is ever taken.  Each step is a TR_CONNECT event;
 * a refusal is a TR_ERROR in words.
 */
struct socks5;

enum socks5_state {
	SOCKS5_WRITE,       /* socks5_output() has bytes to send */
	SOCKS5_READ,        /* waiting for socks5_need() bytes */
	SOCKS5_DONE,        /* the proxy is connected to the destination */
	SOCKS5_FAILED,      /* socks5_error() says why */
};

/*
 * NULL when out of memory, or (with *errstr) when host, user or password
 * are longer than the protocol carries (255 bytes).  The strings are
 * copied; password is wiped on socks5_free().
 */
struct socks5 *socks5_new(const char *user, const char *password,
    const char *host, const char *port, struct transcript *tr,
    char **errstr);
void socks5_free(struct socks5 *s);

enum socks5_state socks5_state(const struct socks5 *s);
/* The bytes to send now and their number (0 unless SOCKS5_WRITE). */
const unsigned char *socks5_output(const struct socks5 *s, size_t *len);
/* n bytes of the output were sent. */
void socks5_sent(struct socks5 *s, size_t n);
/* How many bytes to read now (0 unless SOCKS5_READ). */
size_t socks5_need(const struct socks5 *s);
/* n (at most socks5_need()) bytes read from the proxy. */
void socks5_feed(struct socks5 *s, const void *buf, size_t n);
/*
 * SOCKS5_FAILED: the error (ERR_NET for a refusal of the proxy or a
 * broken reply, a temporary failure; ERR_CONFIG when it refused the
 * login or takes no method offered: the account's settings are wrong)
 * and *why in words.
 */
enum err socks5_error(const struct socks5 *s, const char **why);
/* The words for a reply code of RFC 1928 section 6 (untranslated N_ text). */
const char *socks5_reply_str(unsigned rep);

#endif
