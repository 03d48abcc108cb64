/* tls_int.h - what the TLS files share (tls.c, tlsinfo.c, tlsconf.c): the connection's state and helpers; no other module includes it. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_TLS_INT_H
#define PIGEON_TLS_INT_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "tls.h"

#define TLS_TEXT_MAX (64 * 1024)    /* one transcript line or message */
#define TLS_ERRBUF_MAX 1024         /* what errmsg() returns, at most */

enum tls_state {
	TLS_HS_RUNNING,
	TLS_HS_DONE,
	TLS_HS_FAILED,
};

struct tls {
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
	struct transcript *tr;
	char *servername;            /* NULL: no SNI and no name check */
	int verify;
	int tofu;                    /* tls_opts.tofu: the CA check only informs */
	int opportunistic;           /* tls_opts.opportunistic */
	int have_pin;
	unsigned char pin[TLS_FP_LEN];
	enum tls_state state;
	enum err failed;             /* why, once state is TLS_HS_FAILED */
	int fatal;                   /* OpenSSL reported a fatal error */
	int eof_warned;              /* the missing close_notify was noted */
	int sys_errno;               /* errno of the last failed socket call */
	int eof;                     /* the socket reached end of stream */
	/* The first problem the chain verification met, from verify_cb(). */
	long verify_err;
	int verify_depth;
	X509 *verify_cert;
	long name_err;               /* the host name check's, apart */
	struct tls_peer *peer;       /* what the certificate says, after the handshake */
	struct tls_tlsa *tlsa;       /* tls_opts' TLSA records, copied (data too) */
	size_t ntlsa;
	/* A client certificate: did the server ask, and for which CAs. */
	int have_cert;               /* the account gave one (tls_cert) */
	int cert_requested;          /* the server sent a CertificateRequest */
	char *cert_cas;              /* the CA names it accepts, "; " between ("" none) */
	int app_read;                /* application data came through */
	int min_version, max_version; /* enum tls_version, as tls_opts */
	char hint[256];              /* handshake_hint()'s words */
	char errbuf[TLS_ERRBUF_MAX]; /* what errmsg() returns */
};

/* tlsinfo.c: what a certificate and a handshake say, in words. */
int tls_add_name(struct buf *b, X509_NAME *name);
int tls_add_time(struct buf *b, const ASN1_TIME *t);
int tls_add_hex(struct buf *b, const unsigned char *p, size_t n);
/* The names a certificate is for: its DNS and IP SANs, else its CNs. */
int tls_add_cert_names(struct buf *b, X509 *cert);
int tls_cert_sha256(X509 *cert, unsigned char md[TLS_FP_LEN]);
/* Ask for what the report shows (OCSP stapling, client certificate requests). */
int tls_info_setup(struct tls *s);
/* After the handshake: version, cipher, chain and the session's facts, as TR_TLS events. */
void tls_report(struct tls *s);
/* Keep what a trust prompt shows about leaf; problem: why it is not trusted, or NULL. */
void tls_keep_peer(struct tls *s, X509 *leaf, const char *problem);
/*
 * When the server asked for a client certificate and none was sent,
 * replace b's text by the explanation, OpenSSL's words (b's text) after
 * it; 1 when it did, 0 when it does not apply, -1 out of memory.
 */
int tls_explain_certreq(struct tls *s, struct buf *b);

/* tlsdane.c: copy o's TLSA records into s (-1 out of memory), free them. */
int tls_dane_copy(struct tls *s, const struct tls_opts *o);
void tls_dane_free(struct tls *s);
/* Check the presented chain against s's TLSA records: s->peer's dane_* and a TR_TLS line. */
void tls_dane_check(struct tls *s, X509 *leaf);

/* tlsconf.c: the account's TLS versions and ciphers on a context. */
enum err tls_conf_apply(SSL_CTX *ctx, const struct tls_opts *o,
    char **errstr);

#endif
