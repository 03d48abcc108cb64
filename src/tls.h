/* tls.h - OpenSSL client side: handshake, verification, details, and the TLS transport. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_TLS_H
#define PIGEON_TLS_H

#include "err.h"
#include "transcript.h"
#include "transport.h"

/* A TLSA record (RFC 6698): which certificate, what of it, how compared. */
struct tls_tlsa {
	unsigned char usage;      /* 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE */
	unsigned char selector;   /* 0 the whole certificate, 1 its public key (SPKI) */
	unsigned char mtype;      /* 0 exact, 1 SHA2-256, 2 SHA2-512 */
	const unsigned char *data;
	size_t len;
};

struct tls_opts {
	const char *servername;   /* the host the user typed: SNI and name check */
	int verify;               /* verify chain and name (1, the default) */
	const char *cafile;       /* PEM bundle; NULL: the system store */
	const char *fingerprint;  /* SHA-256 of the leaf cert (hex, colons ok) */
	const char *cert;         /* client certificate (PEM), or NULL */
	const char *key;          /* its key (PEM); NULL: in cert */
	int min_version;          /* enum tls_version; TLS_V_DEFAULT: 1.2 */
	int max_version;          /* enum tls_version; TLS_V_DEFAULT: the newest */
	const char *ciphers;      /* TLS 1.2 and older (OpenSSL's cipher list), NULL: OpenSSL's */
	const char *ciphersuites; /* TLS 1.3 (OpenSSL's ciphersuites), NULL: OpenSSL's */
	int allow_legacy;         /* versions below TLS 1.2 may be set */
	/*
	 * Trust on first use (tls_trust = tofu): the CA and name checks
	 * only inform (a TR_TLS line says whether the CA store vouches for
	 * the certificate), and the handshake passes whatever they say;
	 * the caller judges the peer against its trust store (src/trust.h;
	 * the session does).  A fingerprint pin still decides alone.
	 */
	int tofu;
	/*
	 * verify is off because this is a mail host found by MX, where any
	 * TLS beats clear text (RFC 7435): the warnings say so instead of
	 * naming tls_verify = no.
	 */
	int opportunistic;
	/*
	 * DANE (RFC 7672): the presented chain is also checked against
	 * these records with OpenSSL's DANE code, the reference name being
	 * servername; the result is in the peer (tls_peer.dane_*) and a
	 * TR_TLS line.  It only informs: the checks above still decide.
	 */
	const struct tls_tlsa *tlsa;
	size_t ntlsa;
};

/* TLS versions as the config and the command line spell them (1.0 ... 1.3). */
enum tls_version {
	TLS_V_DEFAULT = 0,
	TLS_V_1_0 = 10,
	TLS_V_1_1,
	TLS_V_1_2,
	TLS_V_1_3,
};

/* "1.2" (also "TLSv1.2", "tls1.2", any case) to TLS_V_1_2; -1 when it is none. */
int tls_version_parse(const char *s);
/* TLS_V_1_2 to "1.2"; "default" for TLS_V_DEFAULT. */
const char *tls_version_str(int v);
/*
 * Does OpenSSL take list as a TLS 1.2 cipher list (tls13 0) or as TLS
 * 1.3 ciphersuites (tls13 1)?  1 yes, 0 no, -1 cannot tell (the ssl
 * module cannot be loaded: tls_new() will say why).
 */
int tls_cipher_list_ok(const char *list, int tls13);
/*
 * Are o's versions and cipher lists usable together?  ERR_CONFIG with
 * *errstr naming the setting (by its config key and its option): a
 * version below TLS 1.2 without allow_legacy, a minimum above the
 * maximum, a cipher list OpenSSL does not take.
 */
enum err tls_opts_check(const struct tls_opts *o, char **errstr);

struct tls;

/*
 * Prepare a client over the connected non-blocking fd.  Errors:
 * ERR_TLS (bad cafile, cert or key: *errstr says which; a malformed
 * fingerprint; verify on without a pin and without a servername),
 * ERR_NOMEM.  Encrypted client keys are refused, never prompted for.
 *
 * The socket is read and written through pigeon's own BIO, which sends
 * with MSG_NOSIGNAL: a server that has gone away gives an error, never
 * SIGPIPE, whatever the program does with that signal.
 */
enum err tls_new(struct tls **out, int fd, const struct tls_opts *o,
    struct transcript *tr, char **errstr);

/*
 * Drive the handshake.  ERR_OK with *want == 0: done, and the version,
 * cipher, peer chain and verification result were emitted as TR_TLS
 * events.  ERR_OK with *want == POLLIN or POLLOUT: poll for that and call
 * again.  ERR_TLS_VERIFY: the peer is not trusted (*errstr says why in
 * plain words: expired, self-signed, name mismatch listing the names the
 * certificate holds, fingerprint mismatch showing both).  ERR_TLS or
 * ERR_CLOSED for the rest.  Failures are returned, not emitted: the
 * caller reports them (once) through the engine; with verify off a
 * TR_WARN says what verification would have found.  A fingerprint pin replaces both CA and name checks.
 */
enum err tls_handshake(struct tls *s, int *want, char **errstr);

/*
 * A transport through the TLS connection (after the handshake); t->ctx is
 * s, valid until tls_free(s).  After WANT_*, repeat a write with at least
 * the bytes not yet taken (the buffer may move).  A server closing the
 * socket without close_notify reads as end of stream, noted as TR_WARN.
 */
void tls_transport(struct transport *t, struct tls *s);

/*
 * The connection is to be dropped, not closed: tls_free() sends no
 * close_notify (a stop point's --drop-after; a client that vanished).
 */
void tls_quiet(struct tls *s);
/*
 * Send close_notify (best effort, never blocks) and free; NULL is a no-op.
 * The fd is not closed: it belongs to the caller, who closes it after.
 */
void tls_free(struct tls *s);

/*
 * What the server's certificate (the leaf) says, for a trust prompt:
 * "reject, accept once, or pin", as mutt offers.  Texts are UTF-8 as the
 * certificate has them (a NUL becomes U+FFFD), not escaped: escape them
 * where they are shown (sanitize_append()).
 *
 * To accept once, give fingerprint as tls_opts.fingerprint to one
 * session; to pin, write it as the account's tls_fingerprint.  Either
 * replaces both the CA and the name check, and only this certificate
 * passes.
 */
#define TLS_FINGERPRINT_MAX 96
struct tls_peer {
	/* SHA-256 of the leaf, "AB:CD:...": what tls_fingerprint takes, and what "openssl x509 -fingerprint -sha256" prints; "" if unknown. */
	char fingerprint[TLS_FINGERPRINT_MAX];
	char *subject;        /* RFC 2253: "CN=mail.example.org,O=Example" */
	char *issuer;
	char *common_name;    /* the subject's CNs, ", " between ("" none) */
	char *names;          /* DNS and IP subjectAltNames, ", " between ("" none) */
	char *not_before;     /* "2025-01-31 12:00:00 GMT" */
	char *not_after;
	char *key;            /* the public key: "RSA 2048 bits" ("" unknown) */
	int chain_ok;         /* a CA of the store vouches for it, and its dates are right */
	int name_ok;          /* it is for the server's name (1 too when there was no name to check) */
	int self_signed;      /* issued by itself */
	char *problem;        /* why it is not trusted, in words (chain first, then name); NULL when trusted */
	/* DANE, when tls_opts gave TLSA records: */
	int dane_checked;     /* they were checked */
	int dane_match;       /* the index of the record that matched, -1 none */
	int dane_depth;       /* the certificate it matched: 0 the server's, 1... up the chain */
	unsigned long dane_unusable; /* bit i: OpenSSL cannot use record i (of the first 32) */
};

/*
 * After a handshake that got as far as the server's certificate (ERR_OK,
 * or ERR_TLS_VERIFY): what it says, which the caller now owns (free with
 * tls_peer_free()).  NULL before, after a failure that came earlier, when
 * out of memory, or when already taken.
 */
struct tls_peer *tls_peer_take(struct tls *s);
void tls_peer_free(struct tls_peer *p);
/* A copy of p (its own strings; a NULL string of p becomes ""); NULL when out of memory. */
struct tls_peer *tls_peer_dup(const struct tls_peer *p);

/* Is p a SHA-256 fingerprint: 64 hex digits, colons between bytes allowed? */
int tls_fingerprint_ok(const char *p);
/* The same, as 32 bytes into out: 0, or -1 when it is not one. */
#define TLS_FP_LEN 32
int tls_fingerprint_parse(const char *p, unsigned char out[TLS_FP_LEN]);

#endif
