/* test_tls.c - unit tests for the TLS client against an in-process OpenSSL server over a socketpair. */
/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE 1   /* memmem */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls.h"
#include "transcript.h"
#include "helper.h"

/*
 * Everything is made at run time: keys, a CA, leaf certificates for the
 * cases under test.  The server is a plain OpenSSL server on the other
 * end of a socketpair, stepped in turn with the client in this one
 * thread, so every run takes the same path.  Nothing here ignores
 * SIGPIPE: a write to a closed peer that raised it would kill the test.
 */

struct pki {
	char dir[64];
	EVP_PKEY *ca_key;
	EVP_PKEY *key;          /* shared by every leaf */
	X509 *ca;
	X509 *other_ca;         /* a CA that signed nothing we use */
	X509 *good;             /* localhost, IP 127.0.0.1 */
	X509 *expired;
	X509 *wrong;            /* wrong.example.test, other.example.test */
	X509 *wild;             /* *.example.test */
	X509 *partial;          /* f*.example.test */
	X509 *self;             /* self-signed localhost */
	X509 *client;           /* a client certificate */
	char ca_pem[128];
	char other_ca_pem[128];
	char client_pem[128];
	char client_key_pem[128];
	char garbage_pem[128];
};

static struct pki pki;

static EVP_PKEY *
gen_key(void)
{
	EVP_PKEY_CTX *pc;
	EVP_PKEY *k = NULL;

	pc = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	if (pc == NULL)
		return NULL;
	if (EVP_PKEY_keygen_init(pc) != 1 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(pc,
	    NID_X9_62_prime256v1) != 1 ||
	    EVP_PKEY_keygen(pc, &k) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(pc);
	return k;
}

static int
add_ext(X509 *x, X509V3_CTX *v, int nid, const char *value)
{
	X509_EXTENSION *ext;
	int r;

	ext = X509V3_EXT_conf_nid(NULL, v, nid, value);
	if (ext == NULL)
		return -1;
	r = X509_add_ext(x, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return r;
}

enum cert_kind { CERT_CA, CERT_LEAF, CERT_SELF };

/* A certificate for cn valid from..until days from now, signed by ca (or itself). */
static X509 *
make_cert(enum cert_kind kind, const char *cn, const char *san, X509 *ca,
    EVP_PKEY *ca_key, EVP_PKEY *key, long from, long until)
{
	static long serial = 1;
	X509V3_CTX v;
	X509_NAME *name;
	X509 *x;
	int ok;

	x = X509_new();
	if (x == NULL)
		return NULL;
	name = X509_get_subject_name(x);
	ok = X509_set_version(x, 2) == 1 &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) == 1 &&
	    X509_gmtime_adj(X509_getm_notBefore(x), from * 86400) != NULL &&
	    X509_gmtime_adj(X509_getm_notAfter(x), until * 86400) != NULL &&
	    X509_set_pubkey(x, key) == 1 &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) == 1 &&
	    X509_set_issuer_name(x, ca != NULL ? X509_get_subject_name(ca) :
	    name) == 1;
	X509V3_set_ctx(&v, ca != NULL ? ca : x, x, NULL, NULL, 0);
	if (ok && kind == CERT_CA)
		ok = add_ext(x, &v, NID_basic_constraints, "critical,CA:TRUE") == 0 &&
		    add_ext(x, &v, NID_key_usage, "critical,keyCertSign,cRLSign") == 0 &&
		    add_ext(x, &v, NID_subject_key_identifier, "hash") == 0;
	if (ok && kind == CERT_LEAF)
		ok = add_ext(x, &v, NID_basic_constraints, "CA:FALSE") == 0 &&
		    add_ext(x, &v, NID_key_usage, "critical,digitalSignature") == 0 &&
		    add_ext(x, &v, NID_ext_key_usage, "serverAuth,clientAuth") == 0 &&
		    add_ext(x, &v, NID_authority_key_identifier, "keyid:always") == 0;
	/* CERT_SELF stays minimal, like a quick "openssl req -x509". */
	if (ok && san != NULL)
		ok = add_ext(x, &v, NID_subject_alt_name, san) == 0;
	if (ok)
		ok = X509_sign(x, ca_key != NULL ? ca_key : key,
		    EVP_sha256()) > 0;
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int
write_pem(char *path, size_t pathlen, const char *name, X509 *x,
    EVP_PKEY *k)
{
	FILE *fp;
	int ok;

	(void)snprintf(path, pathlen, "%s/%s", pki.dir, name);
	fp = fopen(path, "w");
	if (fp == NULL)
		return -1;
	ok = x != NULL ? PEM_write_X509(fp, x) == 1 :
	    PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL) == 1;
	if (fclose(fp) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static int
setup_pki(void **state)
{
	EVP_PKEY *other_key;
	FILE *fp;

	(void)state;
	(void)snprintf(pki.dir, sizeof(pki.dir), "/tmp/pigeon-test-tls-XXXXXX");
	if (mkdtemp(pki.dir) == NULL)
		return -1;
	pki.ca_key = gen_key();
	pki.key = gen_key();
	other_key = gen_key();
	if (pki.ca_key == NULL || pki.key == NULL || other_key == NULL)
		return -1;
	pki.ca = make_cert(CERT_CA, "Pigeon Test CA", NULL, NULL, NULL,
	    pki.ca_key, -1, 30);
	pki.other_ca = make_cert(CERT_CA, "Some Other CA", NULL, NULL, NULL,
	    other_key, -1, 30);
	EVP_PKEY_free(other_key);
	if (pki.ca == NULL || pki.other_ca == NULL)
		return -1;
	pki.good = make_cert(CERT_LEAF, "localhost",
	    "DNS:localhost,IP:127.0.0.1", pki.ca, pki.ca_key, pki.key, -1, 30);
	pki.expired = make_cert(CERT_LEAF, "localhost", "DNS:localhost",
	    pki.ca, pki.ca_key, pki.key, -30, -2);
	pki.wrong = make_cert(CERT_LEAF, "wrong.example.test",
	    "DNS:wrong.example.test,DNS:other.example.test", pki.ca,
	    pki.ca_key, pki.key, -1, 30);
	pki.wild = make_cert(CERT_LEAF, "*.example.test", "DNS:*.example.test",
	    pki.ca, pki.ca_key, pki.key, -1, 30);
	pki.partial = make_cert(CERT_LEAF, "f*.example.test",
	    "DNS:f*.example.test", pki.ca, pki.ca_key, pki.key, -1, 30);
	pki.self = make_cert(CERT_SELF, "localhost", "DNS:localhost", NULL,
	    NULL, pki.key, -1, 30);
	pki.client = make_cert(CERT_LEAF, "pigeon client", NULL, pki.ca,
	    pki.ca_key, pki.key, -1, 30);
	if (pki.good == NULL || pki.expired == NULL || pki.wrong == NULL ||
	    pki.wild == NULL || pki.partial == NULL || pki.self == NULL ||
	    pki.client == NULL)
		return -1;
	if (write_pem(pki.ca_pem, sizeof(pki.ca_pem), "ca.pem", pki.ca,
	    NULL) < 0 ||
	    write_pem(pki.other_ca_pem, sizeof(pki.other_ca_pem),
	    "other-ca.pem", pki.other_ca, NULL) < 0 ||
	    write_pem(pki.client_pem, sizeof(pki.client_pem), "client.pem",
	    pki.client, NULL) < 0 ||
	    write_pem(pki.client_key_pem, sizeof(pki.client_key_pem),
	    "client-key.pem", NULL, pki.key) < 0)
		return -1;
	(void)snprintf(pki.garbage_pem, sizeof(pki.garbage_pem),
	    "%s/garbage.pem", pki.dir);
	fp = fopen(pki.garbage_pem, "w");
	if (fp == NULL)
		return -1;
	(void)fputs("this is not a certificate\n", fp);
	if (fclose(fp) != 0)
		return -1;
	return 0;
}

static int
teardown_pki(void **state)
{
	(void)state;
	(void)unlink(pki.ca_pem);
	(void)unlink(pki.other_ca_pem);
	(void)unlink(pki.client_pem);
	(void)unlink(pki.client_key_pem);
	(void)unlink(pki.garbage_pem);
	(void)rmdir(pki.dir);
	X509_free(pki.ca);
	X509_free(pki.other_ca);
	X509_free(pki.good);
	X509_free(pki.expired);
	X509_free(pki.wrong);
	X509_free(pki.wild);
	X509_free(pki.partial);
	X509_free(pki.self);
	X509_free(pki.client);
	EVP_PKEY_free(pki.ca_key);
	EVP_PKEY_free(pki.key);
	return 0;
}

/* One client and one server, joined by a socketpair. */
struct pair {
	int sv[2];
	SSL_CTX *sctx;
	SSL *srv;
	int srv_state;           /* 0 running, 1 done, -1 failed */
	struct tls *cli;
	struct transcript *tr;
};

static SSL_CTX *
server_ctx(X509 *cert, X509 *chain)
{
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_use_certificate(ctx, cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, pki.key), 1);
	if (chain != NULL)
		assert_int_equal(SSL_CTX_add1_chain_cert(ctx, chain), 1);
	return ctx;
}

/* Connect a server using sctx (taken over) and a client with o. */
static enum err
pair_open(struct pair *p, SSL_CTX *sctx, const struct tls_opts *o,
    char **errstr)
{
	enum err e;

	memset(p, 0, sizeof(*p));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    p->sv), 0);
	p->sctx = sctx;
	p->srv = SSL_new(sctx);
	assert_non_null(p->srv);
	assert_int_equal(SSL_set_fd(p->srv, p->sv[1]), 1);
	SSL_set_accept_state(p->srv);
	p->tr = transcript_new(256);
	assert_non_null(p->tr);
	e = tls_new(&p->cli, p->sv[0], o, p->tr, errstr);
	if (e != ERR_OK)
		assert_null(p->cli);
	return e;
}

static void
pair_close(struct pair *p)
{
	tls_free(p->cli);
	p->cli = NULL;
	SSL_free(p->srv);
	SSL_CTX_free(p->sctx);
	if (p->sv[0] >= 0)
		close(p->sv[0]);
	if (p->sv[1] >= 0)
		close(p->sv[1]);
	transcript_free(p->tr);
	ERR_clear_error();
}

static void
server_step(struct pair *p)
{
	int r, code;

	if (p->srv_state != 0)
		return;
	ERR_clear_error();
	r = SSL_do_handshake(p->srv);
	if (r == 1) {
		p->srv_state = 1;
		return;
	}
	code = SSL_get_error(p->srv, r);
	if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE)
		return;
	/* The alert is already on its way; closing lets the client see EOF after it. */
	p->srv_state = -1;
	ERR_clear_error();
	(void)shutdown(p->sv[1], SHUT_WR);
}

/* Step client and server in turn until the client's handshake ends. */
static enum err
pair_handshake(struct pair *p, char **errstr)
{
	enum err e;
	int i, want;

	for (i = 0; i < 200; i++) {
		e = tls_handshake(p->cli, &want, errstr);
		if (e != ERR_OK)
			return e;
		if (want == 0)
			break;
		assert_true(want == POLLIN || want == POLLOUT);
		server_step(p);
	}
	assert_true(i < 200);
	/* With TLS 1.3 the server still has the client's Finished to read. */
	for (i = 0; i < 10 && p->srv_state == 0; i++)
		server_step(p);
	return ERR_OK;
}

static void
fingerprint(X509 *x, char *out, size_t outlen, int colons, int lower)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	size_t off = 0;

	assert_int_equal(X509_digest(x, EVP_sha256(), md, &n), 1);
	assert_int_equal(n, 32);
	for (i = 0; i < n; i++) {
		assert_true(off + 4 < outlen);
		off += (size_t)snprintf(out + off, outlen - off,
		    lower ? "%s%02x" : "%s%02X", colons && i > 0 ? ":" : "",
		    md[i]);
	}
}

/* Run a whole handshake against cert and return the client's verdict. */
static enum err
try_cert(X509 *cert, X509 *chain, const struct tls_opts *o, char **errstr,
    struct pair *p)
{
	enum err e;

	e = pair_open(p, server_ctx(cert, chain), o, errstr);
	if (e != ERR_OK)
		return e;
	return pair_handshake(p, errstr);
}

static struct tls_opts
opts(const char *name, const char *cafile)
{
	struct tls_opts o;

	memset(&o, 0, sizeof(o));
	o.servername = name;
	o.verify = 1;
	o.cafile = cafile;
	return o;
}

/* Tests. */

static void
test_valid(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct pair p;
	char *errstr = NULL, fp[128], line[256];
	int want = -1;

	(void)state;
	assert_int_equal(try_cert(pki.good, pki.ca, &o, &errstr, &p), ERR_OK);
	assert_null(errstr);
	assert_true(test_has_event(p.tr, TR_TLS, "TLS 1.3, cipher TLS_"));
	assert_true(test_has_event(p.tr, TR_TLS,
	    "certificate 0: subject CN=localhost, issuer CN=Pigeon Test CA, valid from "));
	assert_true(test_has_event(p.tr, TR_TLS,
	    "SAN DNS:localhost, IP:127.0.0.1"));
	assert_true(test_has_event(p.tr, TR_TLS, "key EC 256 bits"));
	fingerprint(pki.good, fp, sizeof(fp), 1, 0);
	(void)snprintf(line, sizeof(line), "SHA-256 %s", fp);
	assert_true(test_has_event(p.tr, TR_TLS, line));
	assert_true(test_has_event(p.tr, TR_TLS,
	    "certificate 1: subject CN=Pigeon Test CA"));
	assert_true(test_has_event(p.tr, TR_TLS, "certificate verified for localhost"));
	assert_false(test_has_event(p.tr, TR_WARN, ""));
	assert_false(test_has_event(p.tr, TR_ERROR, ""));
	/* SNI carried the name. */
	assert_string_equal(SSL_get_servername(p.srv, TLSEXT_NAMETYPE_host_name),
	    "localhost");
	/* Done is done. */
	assert_int_equal(tls_handshake(p.cli, &want, &errstr), ERR_OK);
	assert_int_equal(want, 0);
	pair_close(&p);
}

/* An IP literal: no SNI, and the IP SAN is what gets checked. */
static void
test_ip_literal(void **state)
{
	struct tls_opts o = opts("127.0.0.1", pki.ca_pem);
	struct pair p;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(try_cert(pki.good, NULL, &o, &errstr, &p), ERR_OK);
	assert_null(SSL_get_servername(p.srv, TLSEXT_NAMETYPE_host_name));
	assert_true(test_has_event(p.tr, TR_TLS, "certificate verified for 127.0.0.1"));
	pair_close(&p);

	o.servername = "127.0.0.2";
	assert_int_equal(try_cert(pki.good, NULL, &o, &errstr, &p),
	    ERR_TLS_VERIFY);
	assert_non_null(strstr(errstr, "localhost, 127.0.0.1"));
	assert_non_null(strstr(errstr, "not for 127.0.0.2"));
	pair_close(&p);
	free(errstr);
}

static void
test_wrong_name(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct pair p;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(try_cert(pki.wrong, NULL, &o, &errstr, &p),
	    ERR_TLS_VERIFY);
	assert_non_null(errstr);
	{
		static const char says[] = "the certificate is for "
		    "wrong.example.test, other.example.test, not for "
		    "localhost; to trust this certificate all the same, pin "
		    "it with this line in the account: tls_fingerprint = ";
		const char *fp = errstr + sizeof(says) - 1;

		/* The remedy: the line that pins what the server showed. */
		assert_int_equal(strncmp(errstr, says, sizeof(says) - 1), 0);
		assert_int_equal(strlen(fp), 95);
		assert_true(tls_fingerprint_ok(fp));
	}
	assert_false(test_has_event(p.tr, TR_ERROR, ""));
	assert_false(test_has_event(p.tr, TR_TLS, "certificate verified"));
	/* A failed handshake stays failed. */
	{
		int want;

		assert_int_equal(tls_handshake(p.cli, &want, &errstr),
		    ERR_TLS_VERIFY);
	}
	pair_close(&p);
	free(errstr);
}

static void
test_expired(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct pair p;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(try_cert(pki.expired, NULL, &o, &errstr, &p),
	    ERR_TLS_VERIFY);
	assert_non_null(errstr);
	assert_non_null(strstr(errstr, "expired"));
	assert_non_null(strstr(errstr, "certificate 0: CN=localhost"));
	pair_close(&p);
	free(errstr);
}

static void
test_self_signed(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct pair p;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(try_cert(pki.self, NULL, &o, &errstr, &p),
	    ERR_TLS_VERIFY);
	assert_non_null(errstr);
	assert_non_null(strstr(errstr, "self-signed"));
	pair_close(&p);
	free(errstr);
}

/* Signed by a CA the client does not trust. */
static void
test_unknown_ca(void **state)
{
	struct tls_opts o = opts("localhost", pki.other_ca_pem);
	struct pair p;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(try_cert(pki.good, NULL, &o, &errstr, &p),
	    ERR_TLS_VERIFY);
	assert_non_null(strstr(errstr, "unknown authority, CN=Pigeon Test CA"));
	pair_close(&p);
	free(errstr);
}

static void
test_verify_off(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct pair p;
	char *errstr = NULL;

	(void)state;
	o.verify = 0;
	assert_int_equal(try_cert(pki.self, NULL, &o, &errstr, &p), ERR_OK);
	assert_null(errstr);
	assert_true(test_has_event(p.tr, TR_WARN,
	    "certificate NOT verified (tls_verify = no): the certificate is self-signed"));
	pair_close(&p);

	assert_int_equal(try_cert(pki.good, NULL, &o, &errstr, &p), ERR_OK);
	assert_true(test_has_event(p.tr, TR_WARN,
	    "certificate NOT verified (tls_verify = no): it would have passed"));
	pair_close(&p);

	/* Without verification no server name is needed. */
	o.servername = NULL;
	assert_int_equal(try_cert(pki.wrong, NULL, &o, &errstr, &p), ERR_OK);
	assert_true(test_has_event(p.tr, TR_WARN, "no host name to check"));
	pair_close(&p);
}

static void
test_pin(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct pair p;
	char *errstr = NULL, fp[128], fp2[128];

	(void)state;
	/* The pin replaces CA trust: a self-signed certificate passes. */
	fingerprint(pki.self, fp, sizeof(fp), 1, 1);
	o.fingerprint = fp;
	assert_int_equal(try_cert(pki.self, NULL, &o, &errstr, &p), ERR_OK);
	assert_null(errstr);
	assert_true(test_has_event(p.tr, TR_TLS,
	    "certificate matches the pinned fingerprint"));
	pair_close(&p);

	/* Without colons, upper case, and for a name the cert lacks. */
	fingerprint(pki.wrong, fp, sizeof(fp), 0, 0);
	o.fingerprint = fp;
	assert_int_equal(try_cert(pki.wrong, NULL, &o, &errstr, &p), ERR_OK);
	pair_close(&p);

	/* A wrong pin fails even for a certificate the CA vouches for. */
	fingerprint(pki.self, fp, sizeof(fp), 1, 0);
	fingerprint(pki.good, fp2, sizeof(fp2), 1, 0);
	o.fingerprint = fp;
	assert_int_equal(try_cert(pki.good, NULL, &o, &errstr, &p),
	    ERR_TLS_VERIFY);
	assert_non_null(errstr);
	assert_non_null(strstr(errstr, "certificate fingerprint mismatch: expected "));
	assert_non_null(strstr(errstr, fp));
	assert_non_null(strstr(errstr, fp2));
	assert_false(test_has_event(p.tr, TR_ERROR, ""));
	pair_close(&p);
	free(errstr);
}

static void
test_bad_pin_syntax(void **state)
{
	static const char *bad[] = {
		"",
		"abc",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
		"01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:",
		"01::23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd",
		"0:123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"sha1:0123456789abcdef0123456789abcdef01234567",
	};
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct tls *s = (struct tls *)&s;
	char *errstr = NULL;
	size_t i;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.fingerprint = bad[i];
		assert_int_equal(tls_new(&s, sv[0], &o, NULL, &errstr), ERR_CONFIG);
		assert_null(s);
		assert_non_null(strstr(errstr, "fingerprint"));
	}
	o.fingerprint =
	    "01:23:45:67:89:AB:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef";
	assert_int_equal(tls_new(&s, sv[0], &o, NULL, &errstr), ERR_OK);
	tls_free(s);
	free(errstr);
	close(sv[0]);
	close(sv[1]);
}

/* A wildcard stands for exactly one whole left-most label. */
static void
test_wildcard(void **state)
{
	static const struct {
		X509 **cert;
		const char *name;
		enum err want;
	} cases[] = {
		{ &pki.wild, "a.example.test", ERR_OK },
		{ &pki.wild, "mail.example.test", ERR_OK },
		{ &pki.wild, "a.b.example.test", ERR_TLS_VERIFY },
		{ &pki.wild, "example.test", ERR_TLS_VERIFY },
		{ &pki.wild, "a.example.testx", ERR_TLS_VERIFY },
		{ &pki.partial, "foo.example.test", ERR_TLS_VERIFY },
	};
	struct tls_opts o = opts(NULL, pki.ca_pem);
	struct pair p;
	char *errstr = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o.servername = cases[i].name;
		assert_int_equal(try_cert(*cases[i].cert, NULL, &o, &errstr,
		    &p), cases[i].want);
		if (cases[i].want != ERR_OK) {
			assert_non_null(strstr(errstr, "the certificate is for "));
			assert_non_null(strstr(errstr, cases[i].name));
		}
		pair_close(&p);
	}
	free(errstr);
}

/* Move bytes both ways through the transport. */
static void
test_round_trip(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct transport t;
	struct pair p;
	static char big[200000], got[200000];
	char *errstr = NULL, buf[64];
	size_t sent = 0, recvd = 0, i;
	ssize_t n;
	int r, k;

	(void)state;
	assert_int_equal(try_cert(pki.good, NULL, &o, &errstr, &p), ERR_OK);
	assert_int_equal(p.srv_state, 1);
	tls_transport(&t, p.cli);
	assert_int_equal(t.tls, 1);
	assert_int_equal(t.fd, p.sv[0]);
	assert_ptr_equal(t.ctx, p.cli);

	/* Nothing there yet (the session tickets are not data). */
	assert_int_equal(t.ops->read(t.ctx, buf, sizeof(buf)),
	    TRANSPORT_WANT_READ);

	assert_int_equal(t.ops->write(t.ctx, "EHLO test\r\n", 11), 11);
	r = SSL_read(p.srv, buf, sizeof(buf));
	assert_int_equal(r, 11);
	assert_memory_equal(buf, "EHLO test\r\n", 11);

	assert_int_equal(SSL_write(p.srv, "250 hello\r\n", 11), 11);
	n = t.ops->read(t.ctx, buf, 3);
	assert_int_equal(n, 3);
	assert_int_equal(t.ops->pending(t.ctx), 8);
	n = t.ops->read(t.ctx, buf + 3, sizeof(buf) - 3);
	assert_int_equal(n, 8);
	assert_memory_equal(buf, "250 hello\r\n", 11);
	assert_int_equal(t.ops->pending(t.ctx), 0);

	/* More than the socket holds: partial writes and WANT_WRITE. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	for (k = 0; k < 10000 && recvd < sizeof(big); k++) {
		if (sent < sizeof(big)) {
			n = t.ops->write(t.ctx, big + sent, sizeof(big) - sent);
			assert_true(n > 0 || n == TRANSPORT_WANT_WRITE);
			if (n > 0)
				sent += (size_t)n;
		}
		r = SSL_read(p.srv, got + recvd, (int)(sizeof(got) - recvd));
		if (r > 0)
			recvd += (size_t)r;
		else
			assert_int_equal(SSL_get_error(p.srv, r),
			    SSL_ERROR_WANT_READ);
	}
	assert_int_equal(recvd, sizeof(big));
	assert_memory_equal(got, big, sizeof(big));

	/* A close_notify from the server is the end of the stream. */
	assert_true(SSL_shutdown(p.srv) >= 0);
	assert_int_equal(t.ops->read(t.ctx, buf, sizeof(buf)), 0);
	assert_false(test_has_event(p.tr, TR_WARN, "close_notify"));
	pair_close(&p);
	free(errstr);
}

/* The server just closes the socket: end of stream, noted, and no SIGPIPE. */
static void
test_unclean_close(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct transport t;
	struct pair p;
	char *errstr = NULL, buf[64];

	(void)state;
	assert_int_equal(try_cert(pki.good, NULL, &o, &errstr, &p), ERR_OK);
	tls_transport(&t, p.cli);
	SSL_free(p.srv);
	p.srv = NULL;
	close(p.sv[1]);
	p.sv[1] = -1;
	assert_int_equal(t.ops->read(t.ctx, buf, sizeof(buf)), 0);
	assert_true(test_has_event(p.tr, TR_WARN, "without a TLS close_notify"));
	/* Writing to the dead peer is an error with a message, not a signal. */
	assert_int_equal(t.ops->write(t.ctx, "QUIT\r\n", 6), -1);
	assert_true(strlen(t.ops->errmsg(t.ctx)) > 0);
	pair_close(&p);
	free(errstr);
}

static void
test_write_to_closed_peer(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct transport t;
	struct pair p;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(try_cert(pki.good, NULL, &o, &errstr, &p), ERR_OK);
	tls_transport(&t, p.cli);
	SSL_free(p.srv);
	p.srv = NULL;
	close(p.sv[1]);
	p.sv[1] = -1;
	assert_int_equal(t.ops->write(t.ctx, "QUIT\r\n", 6), -1);
	assert_string_equal(t.ops->errmsg(t.ctx), strerror(EPIPE));
	/* tls_free() still tries its close_notify: also no SIGPIPE. */
	pair_close(&p);
	free(errstr);
}

static void
test_closed_during_handshake(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct pair p;
	char *errstr = NULL, buf[4096];
	int want;

	(void)state;
	/* The server reads the ClientHello, then hangs up: a clean EOF. */
	assert_int_equal(pair_open(&p, server_ctx(pki.good, NULL), &o,
	    &errstr), ERR_OK);
	assert_int_equal(tls_handshake(p.cli, &want, &errstr), ERR_OK);
	assert_int_equal(want, POLLIN);
	assert_true(read(p.sv[1], buf, sizeof(buf)) > 0);
	close(p.sv[1]);
	p.sv[1] = -1;
	assert_int_equal(tls_handshake(p.cli, &want, &errstr), ERR_CLOSED);
	assert_string_equal(errstr,
	    "server closed the connection during the TLS handshake");
	assert_false(test_has_event(p.tr, TR_ERROR, ""));
	pair_close(&p);

	/* It hangs up without reading: the kernel resets the connection. */
	assert_int_equal(pair_open(&p, server_ctx(pki.good, NULL), &o,
	    &errstr), ERR_OK);
	assert_int_equal(tls_handshake(p.cli, &want, &errstr), ERR_OK);
	close(p.sv[1]);
	p.sv[1] = -1;
	assert_int_equal(tls_handshake(p.cli, &want, &errstr), ERR_CLOSED);
	assert_non_null(strstr(errstr,
	    "server closed the connection during the TLS handshake"));
	pair_close(&p);
	free(errstr);
}

/* smtps:// to a port where the server greets in plain text. */
static void
test_not_tls(void **state)
{
	static const char greeting[] = "220 mail.example.test ESMTP ready\r\n";
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct pair p;
	char *errstr = NULL;
	int want;

	(void)state;
	assert_int_equal(pair_open(&p, server_ctx(pki.good, NULL), &o,
	    &errstr), ERR_OK);
	assert_int_equal(write(p.sv[1], greeting, sizeof(greeting) - 1),
	    (ssize_t)(sizeof(greeting) - 1));
	assert_int_equal(tls_handshake(p.cli, &want, &errstr), ERR_TLS);
	assert_non_null(strstr(errstr, "TLS handshake failed: "));
	assert_non_null(strstr(errstr, "did not answer in TLS"));
	pair_close(&p);
	free(errstr);
}

/*
 * A server that speaks at most TLS 1.1.  OpenSSL 3 only agrees to build
 * one at security level 0; a client allowing TLS 1.1 proves it works,
 * then pigeon's client must refuse it.
 */
static void
test_old_server(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	SSL_CTX *sctx, *cctx;
	SSL *c;
	struct pair p;
	char *errstr = NULL;
	int i, r = 0, code;

	(void)state;
	sctx = server_ctx(pki.good, NULL);
	SSL_CTX_set_security_level(sctx, 0);
	if (SSL_CTX_set_max_proto_version(sctx, TLS1_1_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(sctx, "DEFAULT:@SECLEVEL=0") != 1) {
		SSL_CTX_free(sctx);
		skip();
	}

	/* The control: an old-fashioned client gets through. */
	assert_int_equal(pair_open(&p, sctx, &o, &errstr), ERR_OK);
	cctx = SSL_CTX_new(TLS_client_method());
	assert_non_null(cctx);
	SSL_CTX_set_security_level(cctx, 0);
	assert_int_equal(SSL_CTX_set_min_proto_version(cctx, TLS1_1_VERSION), 1);
	assert_int_equal(SSL_CTX_set_cipher_list(cctx, "DEFAULT:@SECLEVEL=0"), 1);
	c = SSL_new(cctx);
	assert_non_null(c);
	assert_int_equal(SSL_set_fd(c, p.sv[0]), 1);
	SSL_set_connect_state(c);
	for (i = 0; i < 100; i++) {
		ERR_clear_error();
		r = SSL_do_handshake(c);
		if (r == 1)
			break;
		code = SSL_get_error(c, r);
		if (code != SSL_ERROR_WANT_READ && code != SSL_ERROR_WANT_WRITE)
			break;
		server_step(&p);
	}
	if (r != 1) {
		/* This OpenSSL cannot do TLS 1.1 at all: nothing to test. */
		SSL_free(c);
		SSL_CTX_free(cctx);
		pair_close(&p);
		skip();
	}
	assert_int_equal(SSL_version(c), TLS1_1_VERSION);
	SSL_free(c);
	SSL_CTX_free(cctx);
	/* Keep the server context for the second round. */
	assert_int_equal(SSL_CTX_up_ref(sctx), 1);
	pair_close(&p);

	/* pigeon's client requires TLS 1.2. */
	assert_int_equal(pair_open(&p, sctx, &o, &errstr), ERR_OK);
	assert_int_equal(pair_handshake(&p, &errstr), ERR_TLS);
	assert_non_null(strstr(errstr, "TLS handshake failed: "));
	assert_non_null(strstr(errstr, "TLS 1.2 or newer"));
	assert_false(test_has_event(p.tr, TR_ERROR, ""));
	pair_close(&p);
	free(errstr);
}

static void
test_files(void **state)
{
	struct tls_opts o = opts("localhost", NULL);
	struct tls *s = NULL;
	char *errstr = NULL, missing[160];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);

	/* The system store. */
	assert_int_equal(tls_new(&s, sv[0], &o, NULL, &errstr), ERR_OK);
	tls_free(s);
	tls_free(NULL);

	(void)snprintf(missing, sizeof(missing), "%s/missing.pem", pki.dir);
	o.cafile = missing;
	assert_int_equal(tls_new(&s, sv[0], &o, NULL, &errstr), ERR_CONFIG);
	assert_null(s);
	assert_non_null(strstr(errstr, missing));
	assert_non_null(strstr(errstr, strerror(ENOENT)));

	o.cafile = pki.garbage_pem;
	assert_int_equal(tls_new(&s, sv[0], &o, NULL, &errstr), ERR_CONFIG);
	assert_non_null(strstr(errstr, pki.garbage_pem));

	/* Client certificate and key, in two files or one. */
	o.cafile = pki.ca_pem;
	o.cert = pki.client_pem;
	o.key = pki.client_key_pem;
	assert_int_equal(tls_new(&s, sv[0], &o, NULL, &errstr), ERR_OK);
	tls_free(s);

	o.key = NULL;   /* the certificate file holds no key */
	assert_int_equal(tls_new(&s, sv[0], &o, NULL, &errstr), ERR_CONFIG);
	assert_non_null(strstr(errstr, pki.client_pem));

	o.key = pki.ca_pem;   /* not a key at all */
	assert_int_equal(tls_new(&s, sv[0], &o, NULL, &errstr), ERR_CONFIG);
	assert_non_null(strstr(errstr, pki.ca_pem));

	o.cert = missing;
	o.key = pki.client_key_pem;
	assert_int_equal(tls_new(&s, sv[0], &o, NULL, &errstr), ERR_CONFIG);
	assert_non_null(strstr(errstr, missing));

	o.cert = NULL;
	assert_int_equal(tls_new(&s, sv[0], &o, NULL, &errstr), ERR_CONFIG);
	assert_non_null(strstr(errstr, pki.client_key_pem));

	/* Verification without a name to check is refused up front. */
	o = opts(NULL, pki.ca_pem);
	assert_int_equal(tls_new(&s, sv[0], &o, NULL, &errstr), ERR_CONFIG);
	assert_non_null(strstr(errstr, "server name"));

	free(errstr);
	close(sv[0]);
	close(sv[1]);
}

/* A server asking for a client certificate gets ours. */
static void
test_client_cert(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	SSL_CTX *sctx;
	X509 *peer;
	X509_STORE *st;
	struct pair p;
	char *errstr = NULL;

	(void)state;
	o.cert = pki.client_pem;
	o.key = pki.client_key_pem;
	sctx = server_ctx(pki.good, NULL);
	st = SSL_CTX_get_cert_store(sctx);
	assert_int_equal(X509_STORE_add_cert(st, pki.ca), 1);
	SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	assert_int_equal(pair_open(&p, sctx, &o, &errstr), ERR_OK);
	assert_int_equal(pair_handshake(&p, &errstr), ERR_OK);
	assert_int_equal(p.srv_state, 1);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	peer = SSL_get1_peer_certificate(p.srv);
#else
	peer = SSL_get_peer_certificate(p.srv);
#endif
	assert_non_null(peer);
	assert_int_equal(X509_cmp(peer, pki.client), 0);
	X509_free(peer);
	pair_close(&p);
	free(errstr);
}

/* A NULL transcript is fine everywhere. */
static void
test_no_transcript(void **state)
{
	struct tls_opts o = opts("localhost", pki.ca_pem);
	struct pair p;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(pair_open(&p, server_ctx(pki.wrong, NULL), &o,
	    &errstr), ERR_OK);
	transcript_free(p.tr);
	p.tr = NULL;
	tls_free(p.cli);
	assert_int_equal(tls_new(&p.cli, p.sv[0], &o, NULL, &errstr), ERR_OK);
	assert_int_equal(pair_handshake(&p, &errstr), ERR_TLS_VERIFY);
	pair_close(&p);
	free(errstr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_ip_literal),
		cmocka_unit_test(test_wrong_name),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_self_signed),
		cmocka_unit_test(test_unknown_ca),
		cmocka_unit_test(test_verify_off),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_bad_pin_syntax),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_unclean_close),
		cmocka_unit_test(test_write_to_closed_peer),
		cmocka_unit_test(test_closed_during_handshake),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_old_server),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_client_cert),
		cmocka_unit_test(test_no_transcript),
	};

	return cmocka_run_group_tests(tests, setup_pki, teardown_pki);
}
