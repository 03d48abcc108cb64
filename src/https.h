/* https.h - one HTTPS request over OpenSSL (HTTP/1.1, certificate and host name verified, no redirects followed); in the ssl module. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_HTTPS_H
#define PIGEON_HTTPS_H

#include <stddef.h>

#include "err.h"
#include "transcript.h"

/*
 * A small client for what pigeon fetches over HTTPS: the MTA-STS policy
 * of a domain (RFC 8461), OAuth2 token endpoints.  One request per
 * connection ("Connection: close"), blocking with a deadline (the
 * callers are one-shot commands); the certificate is always verified,
 * with the URL's host name checked; a redirect (3xx) is returned as it
 * came, never followed (RFC 8461 section 3.3 forbids following one for
 * the policy; a token endpoint has no business redirecting a POST with
 * a secret either).  Response bodies are read by Content-Length, by
 * chunks (Transfer-Encoding: chunked), or to the end of the connection.
 */
struct https_header {
	char *name;
	char *value;
};

struct https_request {
	const char *method;       /* "GET", "POST", ... */
	const char *url;          /* https://host[:port]/path?query */
	/* Extra request headers ("Accept", "Authorization", ...), or NULL. */
	const struct https_header *headers;
	size_t nheaders;
	const void *body;         /* sent with Content-Length; NULL: none */
	size_t bodylen;
	size_t max_body;          /* larger response bodies fail; 0: 1 MiB */
	int timeout_ms;           /* the whole request; <= 0: 30000 */
	const char *cafile;       /* PEM bundle; NULL: the system store (SSL_CERT_FILE) */
	/*
	 * The address to connect to (numeric), when the caller resolved
	 * the host itself (with its own DNS settings); NULL: the URL's host
	 * through getaddrinfo().  The certificate is checked against the
	 * URL's host either way.
	 */
	const char *connect_addr;
	int family;               /* AF_UNSPEC, AF_INET, AF_INET6 */
	/* Connection and TLS events (TR_CONNECT, TR_TLS), the request and
	 * status lines (TR_CLIENT, TR_SERVER); NULL: none. */
	struct transcript *tr;
};

struct https_response {
	int status;               /* 200, 301, 404, ... */
	char *reason;             /* "OK" */
	struct https_header *headers;
	size_t nheaders;
	char *body;               /* NUL-terminated (a NUL inside stays) */
	size_t bodylen;
};

/*
 * Send rq and read the whole response into *rs (any status: the caller
 * judges it).  ERR_CONFIG with *errstr: not an https:// URL.
 * ERR_RESOLVE, ERR_NET, ERR_TIMEOUT: no connection, or too slow.
 * ERR_TLS, ERR_TLS_VERIFY: the handshake failed, or the certificate is
 * not trusted for the host (*errstr in words).  ERR_PROTOCOL: not an
 * HTTP/1.x response, or a body larger than the cap.  ERR_NOMEM.  *rs is
 * empty on error; free it with https_response_free() either way.
 */
enum err https_request(const struct https_request *rq,
    struct https_response *rs, char **errstr);
void https_response_free(struct https_response *rs);

/* The value of a response header (the first of that name, any case), or NULL. */
const char *https_header(const struct https_response *rs, const char *name);

#define HTTPS_MAX_BODY_DEFAULT (1024 * 1024)
#define HTTPS_MAX_HEAD (64 * 1024)    /* status line and headers, at most */

/*
 * Parse a response from the len bytes read so far (httpmsg.c, no I/O:
 * https_request() calls it after each read, and the unit tests).  eof:
 * the connection has ended.  0: complete, *rs filled; 1: more bytes
 * needed; -1: malformed, or larger than max_body (0: the default) or
 * HTTPS_MAX_HEAD, with *errstr (NULL when out of memory).
 */
int https_parse_response(const char *p, size_t len, int eof, size_t max_body,
    struct https_response *rs, char **errstr);

#endif
