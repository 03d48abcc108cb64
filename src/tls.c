/* tls.c - OpenSSL client side: handshake, verification, details, and the TLS transport. */
/* SPDX-License-Identifier: ISC */
#include "tls.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "i18n.h"
#include "tls_int.h"
#include "trust.h"
#include "util.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/*
 * The socket BIO.  OpenSSL's own socket BIO writes with write(), which
 * raises SIGPIPE when the server has gone; this one sends with
 * MSG_NOSIGNAL, so the library is safe whatever the program does with
 * the signal.  It also records errno for errmsg().  The method is made
 * once per process: BIO type indexes are a small, never recycled range.
 */
static CRYPTO_ONCE bio_once = CRYPTO_ONCE_STATIC_INIT;
static BIO_METHOD *bio_method;

static int
bio_sock_write(BIO *b, const char *p, int n)
{
	struct tls *s = BIO_get_data(b);
	ssize_t r;

	BIO_clear_retry_flags(b);
	if (n <= 0)
		return 0;
	do
		r = send(s->fd, p, (size_t)n, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r >= 0)
		return (int)r;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		BIO_set_retry_write(b);
	else
		s->sys_errno = errno;
	return -1;
}

static int
bio_sock_read(BIO *b, char *p, int n)
{
	struct tls *s = BIO_get_data(b);
	ssize_t r;

	BIO_clear_retry_flags(b);
	if (n <= 0)
		return 0;
	do
		r = recv(s->fd, p, (size_t)n, 0);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		return (int)r;
	if (r == 0) {
		s->eof = 1;
		return 0;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		BIO_set_retry_read(b);
	else
		s->sys_errno = errno;
	return -1;
}

static long
bio_sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tls *s = BIO_get_data(b);

	(void)num;
	switch (cmd) {
	case BIO_C_GET_FD:
		if (s == NULL)
			return -1;
		if (ptr != NULL)
			*(int *)ptr = s->fd;
		return s->fd;
	case BIO_CTRL_EOF:
		return s != NULL && s->eof;
	case BIO_CTRL_FLUSH:
	case BIO_CTRL_DUP:
		return 1;
	case BIO_CTRL_GET_CLOSE:
		return BIO_NOCLOSE;
	case BIO_CTRL_SET_CLOSE:
		return 1;
	default:
		return 0;
	}
}

static void
bio_method_init(void)
{
	BIO_METHOD *m;
	int idx;

	idx = BIO_get_new_index();
	if (idx == -1)
		return;
	m = BIO_meth_new(idx | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
	    "pigeon socket");
	if (m == NULL)
		return;
	if (BIO_meth_set_write(m, bio_sock_write) != 1 ||
	    BIO_meth_set_read(m, bio_sock_read) != 1 ||
	    BIO_meth_set_ctrl(m, bio_sock_ctrl) != 1) {
		BIO_meth_free(m);
		return;
	}
	bio_method = m;
}

/* Move OpenSSL's queued errors into out as "reason; reason". */
static void
ssl_errors(struct buf *out)
{
	unsigned long e;
	const char *r;
	char tmp[256];
	size_t start = out->len;

	while ((e = ERR_get_error()) != 0) {
		r = ERR_reason_error_string(e);
		if (r == NULL) {
			ERR_error_string_n(e, tmp, sizeof(tmp));
			r = tmp;
		}
		if (buf_printf(out, "%s%s", out->len > start ? "; " : "", r) < 0)
			break;
	}
	ERR_clear_error();
	if (out->len == start)
		(void)buf_addstr(out, _("unknown OpenSSL error"));
}

/* Set *errstr to fmt followed by ": " and OpenSSL's reasons. */
static enum err
fail_ssl(char **errstr, enum err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum err
fail_ssl(char **errstr, enum err e, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int r;

	buf_init(&b, TLS_TEXT_MAX);
	va_start(ap, fmt);
	r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r == 0 && buf_addstr(&b, ": ") == 0)
		ssl_errors(&b);
	else
		ERR_clear_error();
	util_seterr(errstr, "%s", buf_str(&b));
	buf_free(&b);
	return e;
}

static X509 *
peer_cert(SSL *ssl)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	return SSL_get1_peer_certificate(ssl);
#else
	return SSL_get_peer_certificate(ssl);
#endif
}

static int
is_name_err(long err)
{
	return err == X509_V_ERR_HOSTNAME_MISMATCH ||
	    err == X509_V_ERR_IP_ADDRESS_MISMATCH;
}

/*
 * Remember the first problem and let the handshake go on: the decision
 * is taken afterwards in decide(), which knows the pin and the verify
 * setting and can say in plain words what is wrong.
 */
static int
verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl;
	struct tls *s;
	X509 *cert;

	ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	s = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	if (!ok && s != NULL && is_name_err(X509_STORE_CTX_get_error(xs))) {
		/* Kept apart: a trust prompt says which of the two failed. */
		s->name_err = X509_STORE_CTX_get_error(xs);
	} else if (!ok && s != NULL && s->verify_err == X509_V_OK) {
		s->verify_err = X509_STORE_CTX_get_error(xs);
		s->verify_depth = X509_STORE_CTX_get_error_depth(xs);
		cert = X509_STORE_CTX_get_current_cert(xs);
		if (cert != NULL && X509_up_ref(cert) == 1)
			s->verify_cert = cert;
	}
	return 1;
}

/* "the certificate is for a, b, not for host" */
static int
add_name_problem(struct tls *s, X509 *leaf, struct buf *b)
{
	int r;

	r = buf_addstr(b, _("the certificate is for "));
	r = r < 0 ? r : tls_add_cert_names(b, leaf);
	r = r < 0 ? r : buf_printf(b, _(", not for %s"),
	    s->servername != NULL ? s->servername : "?");
	return r;
}

/*
 * Describe why the peer would not be trusted by the CA store and name
 * check, into b: the chain's first problem, then the name's.  Returns 1
 * when there is a problem, 0 when verification passed, -1 when out of
 * memory.
 */
static int
verify_problem(struct tls *s, X509 *leaf, struct buf *b)
{
	X509 *cert = s->verify_cert;
	long err = s->verify_err;
	int depth = s->verify_depth;
	int r;

	if (err == X509_V_OK && s->name_err == X509_V_OK) {
		err = SSL_get_verify_result(s->ssl);
		depth = 0;
		if (is_name_err(err)) {
			s->name_err = err;
			err = X509_V_OK;
		}
	}
	if (err == X509_V_OK && s->name_err == X509_V_OK)
		return 0;
	if (err == X509_V_OK)
		return add_name_problem(s, leaf, b) < 0 ? -1 : 1;
	if (cert == NULL)
		cert = leaf;

	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		r = buf_addstr(b, _("the certificate has expired: it was valid until "));
		r = r < 0 ? r : tls_add_time(b, X509_get0_notAfter(cert));
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		r = buf_addstr(b, _("the certificate is not valid yet: it is valid from "));
		r = r < 0 ? r : tls_add_time(b, X509_get0_notBefore(cert));
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		r = buf_addstr(b, _("the certificate is self-signed and not trusted"));
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		r = buf_addstr(b, _("the chain ends in a self-signed certificate that is not trusted"));
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		r = buf_addstr(b, _("the certificate was issued by an unknown authority, "));
		r = r < 0 ? r : tls_add_name(b, X509_get_issuer_name(cert));
		break;
	default:
		r = buf_addstr(b, X509_verify_cert_error_string(err));
		break;
	}
	r = r < 0 ? r : buf_printf(b, _(" (certificate %d: "), depth);
	r = r < 0 ? r : tls_add_name(b, X509_get_subject_name(cert));
	r = r < 0 ? r : buf_addch(b, ')');
	if (r == 0 && s->name_err != X509_V_OK) {
		r = buf_addstr(b, "; ");
		r = r < 0 ? r : add_name_problem(s, leaf, b);
	}
	return r < 0 ? -1 : 1;
}

/*
 * Set *errstr.  No TR_ERROR here: the caller hands the error to the
 * engine, which reports it once for the whole session.
 */
static enum err
fail_event(struct tls *s, char **errstr, enum err e, const char *text)
{
	(void)s;
	util_seterr(errstr, "%s", text);
	return e;
}

/*
 * Append lead and the account line that pins the certificate whose
 * SHA-256 digest is md, as pigeon.conf(5) takes it: the certificate is
 * wrong until the user acts, and this is one way to act (tls_cafile,
 * with the CA that signed it, the other).  The words are the trust
 * module's, which tofu shares.
 */
static int
add_pin_remedy(struct buf *b, const char *lead, const unsigned char *md)
{
	struct buf fp;
	int r;

	buf_init(&fp, 128);
	r = tls_add_hex(&fp, md, TLS_FP_LEN);
	r = r < 0 ? r : trust_pin_remedy(b, lead, buf_str(&fp));
	buf_free(&fp);
	return r;
}

/* Trust on first use: the CA check only informs; the caller's store decides. */
static void
tofu_note(struct tls *s, int problem, const struct buf *why)
{
	if (problem)
		transcript_emitf(s->tr, TR_TLS, TR_F_TLS,
		    _("trust on first use: the CA store does NOT vouch for "
		    "this certificate (%s); the trust store decides"),
		    buf_str(why));
	else
		transcript_emitf(s->tr, TR_TLS, TR_F_TLS,
		    _("trust on first use: the CA store vouches for this "
		    "certificate too; the trust store decides"));
}

/* After a completed handshake: trust the peer or not, and say why. */
static enum err
decide(struct tls *s, char **errstr)
{
	unsigned char md[TLS_FP_LEN];
	struct buf why, pin, got;
	enum err e = ERR_OK;
	X509 *leaf;
	int problem;

	leaf = peer_cert(s->ssl);
	if (leaf == NULL)
		return fail_event(s, errstr, ERR_TLS_VERIFY,
		    _("the server sent no certificate"));
	buf_init(&why, TLS_TEXT_MAX);
	buf_init(&pin, 128);
	buf_init(&got, 128);
	problem = verify_problem(s, leaf, &why);
	if (problem >= 0)
		tls_keep_peer(s, leaf, problem ? buf_str(&why) : NULL);
	if (problem >= 0 && s->ntlsa > 0)
		tls_dane_check(s, leaf);
	if (problem < 0) {
		e = ERR_NOMEM;
	} else if (s->have_pin) {
		/* The pin replaces CA trust and the name check, as in msmtp. */
		if (tls_cert_sha256(leaf, md) < 0) {
			e = fail_event(s, errstr, ERR_TLS,
			    _("cannot compute the certificate fingerprint"));
		} else if (tls_add_hex(&pin, s->pin, sizeof(s->pin)) < 0 ||
		    tls_add_hex(&got, md, sizeof(md)) < 0) {
			e = ERR_NOMEM;
		} else if (memcmp(md, s->pin, sizeof(md)) == 0) {
			transcript_emitf(s->tr, TR_TLS, TR_F_TLS,
			    _("certificate matches the pinned fingerprint %s"),
			    buf_str(&pin));
			if (problem)
				transcript_emitf(s->tr, TR_TLS, TR_F_TLS,
				    _("the CA check is replaced by the pin; it said: %s"),
				    buf_str(&why));
		} else {
			buf_reset(&why);
			if (buf_printf(&why, _("certificate fingerprint mismatch: expected %s, got %s"),
			    buf_str(&pin), buf_str(&got)) < 0 ||
			    add_pin_remedy(&why, _("; if the server's "
			    "certificate was replaced, pin the new one"), md) < 0)
				e = ERR_NOMEM;
			else
				e = fail_event(s, errstr, ERR_TLS_VERIFY,
				    buf_str(&why));
		}
	} else if (s->tofu) {
		tofu_note(s, problem, &why);
	} else if (s->verify) {
		if (problem && (tls_cert_sha256(leaf, md) < 0 ||
		    add_pin_remedy(&why, _("; to trust this certificate all "
		    "the same, pin it"), md) == 0))
			e = fail_event(s, errstr, ERR_TLS_VERIFY, buf_str(&why));
		else if (problem)
			e = ERR_NOMEM;
		else
			transcript_emitf(s->tr, TR_TLS, TR_F_TLS,
			    _("certificate verified for %s"), s->servername);
	} else if (problem && s->opportunistic) {
		transcript_emitf(s->tr, TR_WARN, 0,
		    _("certificate not verified (opportunistic TLS to a mail "
		    "host takes any certificate, as MTAs do; --tls-required "
		    "checks it): %s"), buf_str(&why));
	} else if (problem) {
		transcript_emitf(s->tr, TR_WARN, 0,
		    _("certificate NOT verified (tls_verify = no): %s"),
		    buf_str(&why));
	} else if (s->opportunistic && s->servername != NULL) {
		transcript_emitf(s->tr, TR_TLS, TR_F_TLS,
		    _("certificate valid for %s (not required: opportunistic "
		    "TLS)"), s->servername);
	} else if (s->servername != NULL) {
		transcript_emitf(s->tr, TR_WARN, 0,
		    _("certificate NOT verified (tls_verify = no): it would have passed"));
	} else {
		transcript_emitf(s->tr, TR_WARN, 0,
		    _("certificate NOT verified (tls_verify = no): the chain would have passed; there was no host name to check"));
	}
	buf_free(&why);
	buf_free(&pin);
	buf_free(&got);
	X509_free(leaf);
	return e;
}

/* Did OpenSSL fail only because the peer closed the socket? */
static int
ssl_saw_eof(struct tls *s, int code)
{
	unsigned long e = ERR_peek_error();

	if (code == SSL_ERROR_ZERO_RETURN)
		return 1;
	/* The errno may be from the alert OpenSSL tried to send after the EOF. */
	if (code == SSL_ERROR_SYSCALL)
		return e == 0 && (s->sys_errno == 0 || s->eof);
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
	/* OpenSSL 3 reports an EOF without close_notify as an error. */
	if (code == SSL_ERROR_SSL && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return 1;
#endif
	return 0;
}

/* OpenSSL's words for the common failures are terse; say what they mean. */
static const char *
handshake_hint(struct tls *s, unsigned long e)
{
	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return NULL;
	switch (ERR_GET_REASON(e)) {
	case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
	case SSL_R_UNSUPPORTED_PROTOCOL:
		if (s->min_version == TLS_V_DEFAULT &&
		    s->max_version == TLS_V_DEFAULT)
			return _("the server offers no TLS version pigeon accepts; pigeon needs TLS 1.2 or newer");
		(void)snprintf(s->hint, sizeof(s->hint),
		    _("the server offers no TLS version from %s to %s, which "
		    "tls_min_version and tls_max_version allow"),
		    s->min_version != TLS_V_DEFAULT ?
		    tls_version_str(s->min_version) : "1.2",
		    s->max_version != TLS_V_DEFAULT ?
		    tls_version_str(s->max_version) : "1.3");
		return s->hint;
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
		return _("the server did not answer in TLS; it may expect STARTTLS or plain text on this port");
	default:
		return NULL;
	}
}

enum err
tls_handshake(struct tls *s, int *want, char **errstr)
{
	const char *hint;
	struct buf b;
	enum err e;
	int r, code, eof;

	*want = 0;
	if (s->state == TLS_HS_DONE)
		return ERR_OK;
	if (s->state == TLS_HS_FAILED) {
		util_seterr(errstr, _("the TLS handshake has already failed"));
		return s->failed;
	}
	ERR_clear_error();
	s->sys_errno = 0;
	r = SSL_connect(s->ssl);
	if (r == 1) {
		tls_report(s);
		e = decide(s, errstr);
		s->state = e == ERR_OK ? TLS_HS_DONE : TLS_HS_FAILED;
		s->failed = e;
		return e;
	}
	code = SSL_get_error(s->ssl, r);
	if (code == SSL_ERROR_WANT_READ) {
		*want = POLLIN;
		return ERR_OK;
	}
	if (code == SSL_ERROR_WANT_WRITE) {
		*want = POLLOUT;
		return ERR_OK;
	}
	s->state = TLS_HS_FAILED;
	s->fatal = 1;
	buf_init(&b, TLS_TEXT_MAX);
	eof = ssl_saw_eof(s, code);
	if (eof || (code == SSL_ERROR_SYSCALL &&
	    (s->sys_errno == ECONNRESET || s->sys_errno == EPIPE))) {
		/*
		 * A reset is a close too: a server that hangs up without
		 * reading the ClientHello makes the kernel send one.
		 */
		ERR_clear_error();
		if (eof)
			r = buf_addstr(&b, _("server closed the connection during the TLS handshake"));
		else
			r = buf_printf(&b, _("server closed the connection during the TLS handshake (%s)"),
			    strerror(s->sys_errno));
		r = r < 0 ? r : tls_explain_certreq(s, &b);
		s->failed = r < 0 ? ERR_NOMEM :
		    fail_event(s, errstr, ERR_CLOSED, buf_str(&b));
		buf_free(&b);
		return s->failed;
	}
	hint = handshake_hint(s, ERR_peek_error());
	if (buf_addstr(&b, _("TLS handshake failed: ")) < 0) {
		ERR_clear_error();
		s->failed = ERR_NOMEM;
	} else {
		if (code == SSL_ERROR_SYSCALL && s->sys_errno != 0) {
			ERR_clear_error();
			(void)buf_addstr(&b, strerror(s->sys_errno));
		} else {
			ssl_errors(&b);
		}
		if (hint != NULL)
			(void)buf_printf(&b, " (%s)", hint);
		(void)tls_explain_certreq(s, &b);
		s->failed = fail_event(s, errstr, ERR_TLS, buf_str(&b));
	}
	buf_free(&b);
	return s->failed;
}

static int
is_ip_literal(const char *name)
{
	unsigned char a[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, name, a) == 1 ||
	    inet_pton(AF_INET6, name, a) == 1;
}

/* Encrypted keys would make OpenSSL prompt on the terminal; refuse them. */
static int
no_password_cb(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

/* A readable file, or a message saying why not. */
static int
check_file(const char *path, const char *what, char **errstr)
{
	if (access(path, R_OK) == 0)
		return 0;
	util_seterr(errstr, _("cannot read the %s %s: %s"), what, path,
	    strerror(errno));
	return -1;
}

static enum err
setup_ctx(struct tls *s, const struct tls_opts *o, char **errstr)
{
	const char *key;
	enum err e;

	s->ctx = SSL_CTX_new(TLS_client_method());
	if (s->ctx == NULL)
		return fail_ssl(errstr, ERR_TLS, _("cannot create a TLS context"));
	if ((e = tls_conf_apply(s->ctx, o, errstr)) != ERR_OK)
		return e;
	/*
	 * The session retries a write with whatever is left of its buffer,
	 * which may have moved; partial writes let it stream without
	 * holding whole records back.
	 */
	(void)SSL_CTX_set_mode(s->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, verify_cb);
	SSL_CTX_set_default_passwd_cb(s->ctx, no_password_cb);

	if (o->cafile != NULL) {
		if (check_file(o->cafile, _("CA file"), errstr) < 0)
			return ERR_CONFIG;
		if (SSL_CTX_load_verify_locations(s->ctx, o->cafile,
		    NULL) != 1)
			return fail_ssl(errstr, ERR_CONFIG,
			    _("cannot load the CA file %s"), o->cafile);
	} else if (SSL_CTX_set_default_verify_paths(s->ctx) != 1) {
		return fail_ssl(errstr, ERR_CONFIG,
		    _("cannot load the system's trusted certificates"));
	}

	if (o->cert == NULL && o->key != NULL) {
		util_seterr(errstr, _("the client key %s has no certificate"),
		    o->key);
		return ERR_CONFIG;
	}
	if (o->cert != NULL) {
		key = o->key != NULL ? o->key : o->cert;
		if (check_file(o->cert, _("client certificate"), errstr) < 0 ||
		    check_file(key, _("client key"), errstr) < 0)
			return ERR_CONFIG;
		if (SSL_CTX_use_certificate_chain_file(s->ctx, o->cert) != 1)
			return fail_ssl(errstr, ERR_CONFIG,
			    _("cannot load the client certificate %s"),
			    o->cert);
		if (SSL_CTX_use_PrivateKey_file(s->ctx, key,
		    SSL_FILETYPE_PEM) != 1)
			return fail_ssl(errstr, ERR_CONFIG,
			    _("cannot load the client key %s (encrypted keys are not supported)"),
			    key);
		if (SSL_CTX_check_private_key(s->ctx) != 1)
			return fail_ssl(errstr, ERR_CONFIG,
			    _("the client key %s does not belong to the certificate %s"),
			    key, o->cert);
	}
	return ERR_OK;
}

static enum err
setup_ssl(struct tls *s, char **errstr)
{
	BIO *bio;

	s->ssl = SSL_new(s->ctx);
	if (s->ssl == NULL)
		return fail_ssl(errstr, ERR_TLS, _("cannot create a TLS connection"));
	if (SSL_set_app_data(s->ssl, s) != 1)
		return fail_ssl(errstr, ERR_TLS, _("cannot create a TLS connection"));
	bio = BIO_new(bio_method);
	if (bio == NULL)
		return fail_ssl(errstr, ERR_TLS, _("cannot create a TLS connection"));
	BIO_set_data(bio, s);
	BIO_set_init(bio, 1);
	/* The SSL now owns the BIO (one reference serves both directions). */
	SSL_set_bio(s->ssl, bio, bio);

	if (s->servername != NULL) {
		if (is_ip_literal(s->servername)) {
			/* RFC 6066 forbids SNI with an address; check the IP SAN. */
			if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s->ssl),
			    s->servername) != 1)
				return fail_ssl(errstr, ERR_TLS,
				    _("cannot check the certificate for %s"),
				    s->servername);
		} else {
			if (SSL_set_tlsext_host_name(s->ssl,
			    s->servername) != 1)
				return fail_ssl(errstr, ERR_TLS,
				    _("cannot send the server name %s"),
				    s->servername);
			/* A wildcard may only be the whole left-most label. */
			SSL_set_hostflags(s->ssl,
			    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
			if (SSL_set1_host(s->ssl, s->servername) != 1)
				return fail_ssl(errstr, ERR_TLS,
				    _("cannot check the certificate for %s"),
				    s->servername);
		}
	}
	if (tls_info_setup(s) < 0)
		return fail_ssl(errstr, ERR_TLS, _("cannot create a TLS connection"));
	SSL_set_connect_state(s->ssl);
	return ERR_OK;
}

enum err
tls_new(struct tls **out, int fd, const struct tls_opts *o,
    struct transcript *tr, char **errstr)
{
	struct tls *s;
	enum err e;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ERR_NOMEM;
	s->fd = fd;
	s->tr = tr;
	s->verify = o->verify;
	s->tofu = o->tofu;
	s->opportunistic = o->opportunistic;
	s->have_cert = o->cert != NULL;
	s->min_version = o->min_version;
	s->max_version = o->max_version;
	s->verify_err = X509_V_OK;
	s->state = TLS_HS_RUNNING;
	(void)snprintf(s->errbuf, sizeof(s->errbuf), "%s", _("no error"));
	if (o->servername != NULL && *o->servername != '\0') {
		s->servername = strdup(o->servername);
		if (s->servername == NULL) {
			tls_free(s);
			return ERR_NOMEM;
		}
	}
	if (tls_dane_copy(s, o) < 0) {
		tls_free(s);
		return ERR_NOMEM;
	}
	if (o->fingerprint != NULL) {
		if (tls_fingerprint_parse(o->fingerprint, s->pin) < 0) {
			util_seterr(errstr,
			    _("invalid certificate fingerprint \"%s\": expected a SHA-256 fingerprint, 64 hex digits (colons allowed)"),
			    o->fingerprint);
			tls_free(s);
			return ERR_CONFIG;
		}
		s->have_pin = 1;
	}
	if (s->verify && !s->have_pin && !s->tofu && s->servername == NULL) {
		util_seterr(errstr,
		    _("no server name to verify the certificate against"));
		tls_free(s);
		return ERR_CONFIG;
	}
	ERR_clear_error();
	if (CRYPTO_THREAD_run_once(&bio_once, bio_method_init) != 1 ||
	    bio_method == NULL) {
		e = fail_ssl(errstr, ERR_TLS, _("cannot set up OpenSSL"));
		tls_free(s);
		return e;
	}
	e = setup_ctx(s, o, errstr);
	if (e == ERR_OK)
		e = setup_ssl(s, errstr);
	if (e != ERR_OK) {
		tls_free(s);
		return e;
	}
	*out = s;
	return ERR_OK;
}

/*
 * With TLS 1.3 the server judges the client's certificate after the
 * client's handshake is over: a server that wanted one and got none
 * ends the connection at the first read.  Say so instead of "closed".
 */
static ssize_t
certreq_failure(struct tls *s, int code)
{
	struct buf b;

	buf_init(&b, TLS_TEXT_MAX);
	if (ssl_saw_eof(s, code))
		(void)buf_addstr(&b, _("server closed the connection"));
	else if (code == SSL_ERROR_SYSCALL && s->sys_errno != 0)
		(void)buf_addstr(&b, strerror(s->sys_errno));
	else
		ssl_errors(&b);
	ERR_clear_error();
	(void)tls_explain_certreq(s, &b);
	(void)snprintf(s->errbuf, sizeof(s->errbuf), "%s", buf_str(&b));
	buf_free(&b);
	return -1;
}

/* Turn a failed SSL_read/SSL_write into a transport result. */
static ssize_t
io_result(struct tls *s, int n, int reading)
{
	struct buf b;
	int code;

	code = SSL_get_error(s->ssl, n);
	if (code == SSL_ERROR_WANT_READ)
		return TRANSPORT_WANT_READ;
	if (code == SSL_ERROR_WANT_WRITE)
		return TRANSPORT_WANT_WRITE;
	if (code != SSL_ERROR_ZERO_RETURN)
		s->fatal = 1;
	if (!s->app_read && s->cert_requested && !s->have_cert)
		return certreq_failure(s, code);
	if (ssl_saw_eof(s, code)) {
		ERR_clear_error();
		if (code != SSL_ERROR_ZERO_RETURN && !s->eof_warned) {
			/*
			 * Many servers just close the socket.  SMTP has its
			 * own end markers, so a cut-off is seen there; this
			 * only notes it for whoever reads the transcript.
			 */
			transcript_emitf(s->tr, TR_WARN, 0,
			    _("the server closed the connection without a TLS close_notify"));
			s->eof_warned = 1;
		}
		if (reading)
			return 0;
		(void)snprintf(s->errbuf, sizeof(s->errbuf), "%s",
		    _("server closed the connection"));
		return -1;
	}
	if (code == SSL_ERROR_SYSCALL && s->sys_errno != 0) {
		ERR_clear_error();
		(void)snprintf(s->errbuf, sizeof(s->errbuf), "%s",
		    strerror(s->sys_errno));
		return -1;
	}
	buf_init(&b, sizeof(s->errbuf) * 4);
	ssl_errors(&b);
	(void)snprintf(s->errbuf, sizeof(s->errbuf), "%s", buf_str(&b));
	buf_free(&b);
	return -1;
}

static ssize_t
tls_read_op(void *ctx, void *buf, size_t len)
{
	struct tls *s = ctx;
	int n;

	if (len == 0)
		return 0;
	ERR_clear_error();
	s->sys_errno = 0;
	n = SSL_read(s->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (n > 0) {
		s->app_read = 1;
		return n;
	}
	return io_result(s, n, 1);
}

static ssize_t
tls_write_op(void *ctx, const void *buf, size_t len)
{
	struct tls *s = ctx;
	int n;

	if (len == 0)
		return 0;
	ERR_clear_error();
	s->sys_errno = 0;
	n = SSL_write(s->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (n > 0)
		return n;
	return io_result(s, n, 0);
}

static size_t
tls_pending_op(void *ctx)
{
	struct tls *s = ctx;
	int n;

	n = SSL_pending(s->ssl);
	return n > 0 ? (size_t)n : 0;
}

static const char *
tls_errmsg_op(void *ctx)
{
	struct tls *s = ctx;

	return s->errbuf;
}

static const struct transport_ops tls_ops = {
	tls_read_op,
	tls_write_op,
	tls_pending_op,
	tls_errmsg_op,
};

void
tls_transport(struct transport *t, struct tls *s)
{
	t->ops = &tls_ops;
	t->ctx = s;
	t->fd = s->fd;
	t->tls = 1;
}

void
tls_quiet(struct tls *s)
{
	if (s != NULL && s->ssl != NULL)
		SSL_set_quiet_shutdown(s->ssl, 1);
}

void
tls_free(struct tls *s)
{
	if (s == NULL)
		return;
	if (s->ssl != NULL) {
		/*
		 * One close_notify, without waiting for the answer: the
		 * socket is non-blocking and the caller closes it next.
		 * After a fatal error OpenSSL forbids a shutdown.
		 */
		if (!s->fatal && SSL_is_init_finished(s->ssl)) {
			ERR_clear_error();
			(void)SSL_shutdown(s->ssl);
		}
		SSL_free(s->ssl);
	}
	SSL_CTX_free(s->ctx);
	X509_free(s->verify_cert);
	free(s->cert_cas);
	tls_peer_free(s->peer);
	tls_dane_free(s);
	free(s->servername);
	ERR_clear_error();
	free(s);
}
