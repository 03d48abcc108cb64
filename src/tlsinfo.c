/* tlsinfo.c - what a TLS session says, in words: the peer's certificates, the handshake's facts (key exchange, signature, client certificate request, OCSP, resumption, ALPN). */
/* SPDX-License-Identifier: ISC */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "i18n.h"
#include "tls_int.h"
#include "transcript.h"

/*
 * Add text from a certificate as it is: whoever shows it escapes it,
 * once (sanitize_append() in the transcript writer, the error line, the
 * status line).  Escaping here too showed a backslash as "\\x5C".  Only
 * a NUL, which would end the string early and hide what follows it (a
 * name "good.example\0.evil.example"), becomes U+FFFD.
 */
static int
add_safe(struct buf *b, const unsigned char *p, size_t n)
{
	const unsigned char *nul;

	while ((nul = memchr(p, '\0', n)) != NULL) {
		if (buf_add(b, p, (size_t)(nul - p)) < 0 ||
		    buf_addstr(b, "\xef\xbf\xbd") < 0)
			return -1;
		n -= (size_t)(nul - p) + 1;
		p = nul + 1;
	}
	return buf_add(b, p, n);
}

int
tls_add_name(struct buf *b, X509_NAME *name)
{
	BIO *m;
	char *p;
	long n;
	int r = -1;

	if (name == NULL)
		return buf_addstr(b, "-");
	m = BIO_new(BIO_s_mem());
	if (m == NULL)
		return -1;
	/*
	 * RFC 2253 order and separators, the values as UTF-8, but none of
	 * its escapes (a backslash before "\\", ",", control and non-ASCII
	 * bytes): the text is escaped where it is shown, and only there.
	 */
	if (X509_NAME_print_ex(m, name, 0, XN_FLAG_RFC2253 &
	    ~(unsigned long)(ASN1_STRFLGS_ESC_2253 | ASN1_STRFLGS_ESC_CTRL |
	    ASN1_STRFLGS_ESC_MSB)) >= 0) {
		n = BIO_get_mem_data(m, &p);
		if (n >= 0)
			r = add_safe(b, (const unsigned char *)p, (size_t)n);
	}
	BIO_free(m);
	return r;
}

int
tls_add_time(struct buf *b, const ASN1_TIME *t)
{
	struct tm tm;
	char s[64];

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S GMT", &tm) == 0)
		return buf_addstr(b, "?");
	return buf_addstr(b, s);
}

int
tls_add_hex(struct buf *b, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (buf_printf(b, "%s%02X", i > 0 ? ":" : "", p[i]) < 0)
			return -1;
	return 0;
}

/*
 * Append the subjectAltName entries ("DNS:a, IP:b" with prefixes, or
 * "a, b" without); only DNS and IP names when names_only.  Returns the
 * number added, or -1.
 */
static int
add_sans(struct buf *b, X509 *cert, int names_only)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	const unsigned char *p;
	char ip[INET6_ADDRSTRLEN];
	const char *prefix;
	int i, n, count = 0, r = 0;
	int len;

	gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return 0;
	n = sk_GENERAL_NAME_num(gens);
	for (i = 0; i < n && r == 0; i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		switch (g->type) {
		case GEN_DNS:
			prefix = "DNS:";
			break;
		case GEN_IPADD:
			prefix = "IP:";
			break;
		case GEN_EMAIL:
			prefix = "email:";
			break;
		case GEN_URI:
			prefix = "URI:";
			break;
		default:
			continue;
		}
		if (names_only && g->type != GEN_DNS && g->type != GEN_IPADD)
			continue;
		r = buf_printf(b, "%s%s", count > 0 ? ", " : "",
		    names_only ? "" : prefix);
		if (r < 0)
			break;
		p = ASN1_STRING_get0_data(g->d.ia5);
		len = ASN1_STRING_length(g->d.ia5);
		if (g->type == GEN_IPADD) {
			if ((len == 4 && inet_ntop(AF_INET, p, ip,
			    sizeof(ip)) != NULL) || (len == 16 &&
			    inet_ntop(AF_INET6, p, ip, sizeof(ip)) != NULL))
				r = buf_addstr(b, ip);
			else
				r = tls_add_hex(b, p, (size_t)len);
		} else {
			r = add_safe(b, p, (size_t)len);
		}
		count++;
	}
	GENERAL_NAMES_free(gens);
	return r < 0 ? -1 : count;
}

/* The names a certificate is for: its DNS and IP SANs, else its CNs. */
int
tls_add_cert_names(struct buf *b, X509 *cert)
{
	X509_NAME *subj;
	const ASN1_STRING *d;
	int i, n, count;

	count = add_sans(b, cert, 1);
	if (count != 0)
		return count < 0 ? -1 : 0;
	subj = X509_get_subject_name(cert);
	i = -1;
	while (subj != NULL &&
	    (i = X509_NAME_get_index_by_NID(subj, NID_commonName, i)) >= 0) {
		d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i));
		n = ASN1_STRING_length(d);
		if ((count > 0 && buf_addstr(b, ", ") < 0) ||
		    add_safe(b, ASN1_STRING_get0_data(d), (size_t)n) < 0)
			return -1;
		count++;
	}
	if (count == 0)
		return buf_addstr(b, _("no name at all"));
	return 0;
}

static int
add_key(struct buf *b, X509 *cert)
{
	EVP_PKEY *pk;
	const char *name;
	int id;

	pk = X509_get0_pubkey(cert);
	if (pk == NULL)
		return buf_addstr(b, "?");
	id = EVP_PKEY_base_id(pk);
	switch (id) {
	case EVP_PKEY_RSA:
		name = "RSA";
		break;
	case EVP_PKEY_EC:
		name = "EC";
		break;
	case EVP_PKEY_ED25519:
		name = "Ed25519";
		break;
	case EVP_PKEY_ED448:
		name = "Ed448";
		break;
	default:
		name = OBJ_nid2sn(id);
		break;
	}
	return buf_printf(b, _("%s %d bits"), name != NULL ? name : "?",
	    EVP_PKEY_bits(pk));
}

int
tls_cert_sha256(X509 *cert, unsigned char md[TLS_FP_LEN])
{
	unsigned int n = 0;

	if (X509_digest(cert, EVP_sha256(), md, &n) != 1 || n != TLS_FP_LEN)
		return -1;
	return 0;
}

/* One transcript line for certificate i of the peer's chain. */
static void
report_cert(struct tls *s, int i, X509 *cert)
{
	unsigned char md[TLS_FP_LEN];
	struct buf b;
	size_t mark;
	int r;

	buf_init(&b, TLS_TEXT_MAX);
	r = buf_printf(&b, _("certificate %d: subject "), i);
	r = r < 0 ? r : tls_add_name(&b, X509_get_subject_name(cert));
	r = r < 0 ? r : buf_addstr(&b, _(", issuer "));
	r = r < 0 ? r : tls_add_name(&b, X509_get_issuer_name(cert));
	r = r < 0 ? r : buf_addstr(&b, _(", valid from "));
	r = r < 0 ? r : tls_add_time(&b, X509_get0_notBefore(cert));
	r = r < 0 ? r : buf_addstr(&b, _(" until "));
	r = r < 0 ? r : tls_add_time(&b, X509_get0_notAfter(cert));
	if (r == 0) {
		mark = b.len;
		r = buf_addstr(&b, ", SAN ");
		if (r == 0) {
			r = add_sans(&b, cert, 0);
			if (r == 0)
				buf_truncate(&b, mark);
			r = r < 0 ? r : 0;
		}
	}
	r = r < 0 ? r : buf_addstr(&b, _(", key "));
	r = r < 0 ? r : add_key(&b, cert);
	if (r == 0 && tls_cert_sha256(cert, md) == 0) {
		r = buf_addstr(&b, ", SHA-256 ");
		r = r < 0 ? r : tls_add_hex(&b, md, sizeof(md));
	}
	if (r < 0)
		(void)buf_addstr(&b, " ...");
	transcript_emit(s->tr, TR_TLS, TR_F_TLS, buf_str(&b), b.len);
	buf_free(&b);
}

static const char *
version_name(SSL *ssl)
{
	switch (SSL_version(ssl)) {
	case TLS1_3_VERSION:
		return "TLS 1.3";
	case TLS1_2_VERSION:
		return "TLS 1.2";
	case TLS1_1_VERSION:
		return "TLS 1.1";
	case TLS1_VERSION:
		return "TLS 1.0";
	default:
		return SSL_get_version(ssl);
	}
}

static void report_kex(struct tls *s);
static void report_certreq(struct tls *s);
static void report_session(struct tls *s);

void
tls_report(struct tls *s)
{
	STACK_OF(X509) *chain;
	int i, n;

	transcript_set_tls(s->tr, version_name(s->ssl),
	    SSL_get_cipher_name(s->ssl));
	transcript_emitf(s->tr, TR_TLS, TR_F_TLS, _("%s, cipher %s"),
	    version_name(s->ssl), SSL_get_cipher_name(s->ssl));
	chain = SSL_get_peer_cert_chain(s->ssl);
	n = chain != NULL ? sk_X509_num(chain) : 0;
	for (i = 0; i < n; i++)
		report_cert(s, i, sk_X509_value(chain, i));
	report_kex(s);
	report_certreq(s);
	report_session(s);
}

/* The subject's common names, ", " between them. */
static int
add_cns(struct buf *b, X509 *cert)
{
	X509_NAME *subj = X509_get_subject_name(cert);
	const ASN1_STRING *d;
	int i = -1, count = 0;

	while (subj != NULL &&
	    (i = X509_NAME_get_index_by_NID(subj, NID_commonName, i)) >= 0) {
		d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i));
		if ((count++ > 0 && buf_addstr(b, ", ") < 0) ||
		    add_safe(b, ASN1_STRING_get0_data(d),
		    (size_t)ASN1_STRING_length(d)) < 0)
			return -1;
	}
	return 0;
}

/* One field of the peer: what add() appends, as a string of its own. */
static char *
peer_text(struct buf *b, int r)
{
	char *p;

	if (r < 0 || (b->data == NULL && buf_addstr(b, "") < 0)) {
		buf_reset(b);
		return NULL;
	}
	p = strdup(buf_str(b));
	buf_reset(b);
	return p;
}

/* Keep what a trust prompt shows about leaf; problem: why text, or NULL. */
void
tls_keep_peer(struct tls *s, X509 *leaf, const char *problem)
{
	unsigned char md[TLS_FP_LEN];
	struct tls_peer *p;
	struct buf b;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return;
	buf_init(&b, TLS_TEXT_MAX);
	if (tls_cert_sha256(leaf, md) == 0 && tls_add_hex(&b, md, sizeof(md)) == 0 &&
	    b.len < sizeof(p->fingerprint))
		memcpy(p->fingerprint, buf_str(&b), b.len + 1);
	buf_reset(&b);
	p->subject = peer_text(&b, tls_add_name(&b, X509_get_subject_name(leaf)));
	p->issuer = peer_text(&b, tls_add_name(&b, X509_get_issuer_name(leaf)));
	p->common_name = peer_text(&b, add_cns(&b, leaf));
	p->names = peer_text(&b, add_sans(&b, leaf, 1) < 0 ? -1 : 0);
	p->not_before = peer_text(&b, tls_add_time(&b, X509_get0_notBefore(leaf)));
	p->not_after = peer_text(&b, tls_add_time(&b, X509_get0_notAfter(leaf)));
	p->key = peer_text(&b, add_key(&b, leaf));
	p->problem = problem != NULL ? strdup(problem) : NULL;
	buf_free(&b);
	if (p->subject == NULL || p->issuer == NULL || p->common_name == NULL ||
	    p->names == NULL || p->not_before == NULL || p->not_after == NULL ||
	    p->key == NULL || (problem != NULL && p->problem == NULL)) {
		tls_peer_free(p);
		return;
	}
	p->chain_ok = s->verify_err == X509_V_OK &&
	    !(problem != NULL && s->name_err == X509_V_OK);
	p->name_ok = s->name_err == X509_V_OK;
	/* Its own issuer, signed by its own key (whatever its key usage says). */
	p->self_signed = X509_NAME_cmp(X509_get_subject_name(leaf),
	    X509_get_issuer_name(leaf)) == 0 && X509_get0_pubkey(leaf) != NULL &&
	    X509_verify(leaf, X509_get0_pubkey(leaf)) == 1;
	ERR_clear_error();
	tls_peer_free(s->peer);
	s->peer = p;
}

struct tls_peer *
tls_peer_take(struct tls *s)
{
	struct tls_peer *p;

	if (s == NULL)
		return NULL;
	p = s->peer;
	s->peer = NULL;
	return p;
}

/* -- the handshake's facts -------------------------------------------- */

/*
 * OpenSSL calls this when the server asks for a client certificate (a
 * CertificateRequest), whether the account has one or not: remember
 * that it asked, and the CAs it names.  Returning 1 lets the handshake
 * go on, with the account's certificate or with none.
 */
static int
cert_cb(SSL *ssl, void *arg)
{
	struct tls *s = SSL_get_app_data(ssl);
	const STACK_OF(X509_NAME) *cas;
	struct buf b;
	int i, n, r = 0;

	(void)arg;
	if (s == NULL || s->cert_requested)
		return 1;
	s->cert_requested = 1;
	cas = SSL_get0_peer_CA_list(ssl);
	n = cas != NULL ? sk_X509_NAME_num(cas) : 0;
	buf_init(&b, TLS_TEXT_MAX);
	for (i = 0; i < n && r == 0; i++) {
		r = i > 0 ? buf_addstr(&b, "; ") : 0;
		r = r < 0 ? r : tls_add_name(&b, sk_X509_NAME_value(cas, i));
	}
	if (r == 0 && (b.data != NULL || buf_addstr(&b, "") == 0))
		s->cert_cas = strdup(buf_str(&b));
	buf_free(&b);
	return 1;
}

int
tls_info_setup(struct tls *s)
{
	SSL_set_cert_cb(s->ssl, cert_cb, NULL);
	/* Ask for a stapled OCSP response, to say whether there was one. */
	if (SSL_set_tlsext_status_type(s->ssl, TLSEXT_STATUSTYPE_ocsp) != 1)
		return -1;
	return 0;
}

/* The peer's signature scheme by its key type, as people name it. */
static const char *
sig_name(int nid)
{
	switch (nid) {
	case EVP_PKEY_RSA:
		return "RSA PKCS#1";
	case EVP_PKEY_RSA_PSS:
		return "RSA-PSS";
	case EVP_PKEY_EC:
		return "ECDSA";
	case EVP_PKEY_ED25519:
		return "Ed25519";
	case EVP_PKEY_ED448:
		return "Ed448";
	default:
		return OBJ_nid2sn(nid);
	}
}

/* "key exchange X25519, server signature ECDSA with SHA256" */
static void
report_kex(struct tls *s)
{
	const char *group = NULL, *sig = NULL, *hash = NULL;
	int nid = 0;

	nid = SSL_get_negotiated_group(s->ssl);
	if (nid > 0)
		group = SSL_group_to_name(s->ssl, nid);
	if (SSL_get_peer_signature_type_nid(s->ssl, &nid) == 1)
		sig = sig_name(nid);
	if (SSL_get_peer_signature_nid(s->ssl, &nid) == 1 && nid != NID_undef)
		hash = OBJ_nid2sn(nid);
	ERR_clear_error();
	/* L10N: %s is a TLS group name such as X25519 or secp256r1. */
	transcript_emitf(s->tr, TR_TLS, TR_F_TLS, _("key exchange group %s"),
	    group != NULL ? group : _("none (no ephemeral key)"));
	if (sig != NULL && hash != NULL &&
	    strcmp(sig, "Ed25519") != 0 && strcmp(sig, "Ed448") != 0)
		/* L10N: "ECDSA with SHA256": a signature scheme and its hash. */
		transcript_emitf(s->tr, TR_TLS, TR_F_TLS,
		    _("server signature %s with %s"), sig, hash);
	else
		transcript_emitf(s->tr, TR_TLS, TR_F_TLS,
		    _("server signature %s"), sig != NULL ? sig : _("unknown"));
}

/* "the server asked for a client certificate (accepted CAs: ...)" */
static int
add_certreq(struct tls *s, struct buf *b)
{
	return buf_printf(b, _("the server asked for a client certificate "
	    "(accepted CAs: %s)"), s->cert_cas != NULL && *s->cert_cas != '\0' ?
	    s->cert_cas : _("any"));
}

static void
report_certreq(struct tls *s)
{
	struct buf b;
	int r;

	if (!s->cert_requested) {
		transcript_emitf(s->tr, TR_TLS, TR_F_TLS,
		    _("client certificate: not requested"));
		return;
	}
	buf_init(&b, TLS_TEXT_MAX);
	r = add_certreq(s, &b);
	r = r < 0 ? r : buf_addstr(&b, s->have_cert ?
	    _("; pigeon sent the account's (tls_cert)") :
	    _("; pigeon sent none (the account has no tls_cert)"));
	if (r == 0)
		transcript_emit(s->tr, s->have_cert ? TR_TLS : TR_WARN,
		    TR_F_TLS, buf_str(&b), b.len);
	buf_free(&b);
}

int
tls_explain_certreq(struct tls *s, struct buf *b)
{
	struct buf tmp;
	int r;

	if (!s->cert_requested || s->have_cert)
		return 0;
	buf_init(&tmp, TLS_TEXT_MAX);
	r = add_certreq(s, &tmp);
	r = r < 0 ? r : buf_addstr(&tmp, _(" and closed the connection when "
	    "none was sent; give one with tls_cert and tls_key in the "
	    "account"));
	if (r == 0 && b->len > 0)
		r = buf_printf(&tmp, _(" (OpenSSL said: %s)"), buf_str(b));
	if (r == 0) {
		buf_reset(b);
		r = buf_add(b, tmp.data, tmp.len);
	}
	buf_free(&tmp);
	return r < 0 ? -1 : 1;
}

/* The stapled OCSP response, when the server sent one: its verdict on the leaf. */
static int
add_ocsp(struct tls *s, struct buf *b)
{
	unsigned char *raw = NULL;
	const unsigned char *p;
	STACK_OF(X509) *chain;
	OCSP_RESPONSE *resp;
	OCSP_BASICRESP *bs = NULL;
	OCSP_CERTID *id = NULL;
	X509 *leaf, *issuer;
	long n;
	int st, status = -1, reason, ok, r;

	n = SSL_get_tlsext_status_ocsp_resp(s->ssl, &raw);
	if (n <= 0 || raw == NULL)
		return buf_addstr(b, _("OCSP: not stapled"));
	p = raw;
	resp = d2i_OCSP_RESPONSE(NULL, &p, n);
	if (resp == NULL) {
		ERR_clear_error();
		return buf_addstr(b, _("OCSP: stapled, but not a valid OCSP response"));
	}
	st = OCSP_response_status(resp);
	if (st != OCSP_RESPONSE_STATUS_SUCCESSFUL ||
	    (bs = OCSP_response_get1_basic(resp)) == NULL) {
		r = buf_printf(b, _("OCSP: stapled, response status %s"),
		    OCSP_response_status_str(st));
		OCSP_RESPONSE_free(resp);
		ERR_clear_error();
		return r;
	}
	chain = SSL_get_peer_cert_chain(s->ssl);
	leaf = chain != NULL && sk_X509_num(chain) > 0 ?
	    sk_X509_value(chain, 0) : NULL;
	issuer = chain != NULL && sk_X509_num(chain) > 1 ?
	    sk_X509_value(chain, 1) : NULL;
	if (leaf != NULL && issuer != NULL)
		id = OCSP_cert_to_id(NULL, leaf, issuer);
	if (id == NULL || OCSP_resp_find_status(bs, id, &status, &reason,
	    NULL, NULL, NULL) != 1)
		status = -1;
	ok = OCSP_basic_verify(bs, chain, SSL_CTX_get_cert_store(s->ctx),
	    0) == 1;
	if (status < 0)
		r = buf_addstr(b, _("OCSP: stapled, but it does not name this certificate"));
	else
		/* L10N: the first %s is good, revoked or unknown (not translated). */
		r = buf_printf(b, _("OCSP: stapled, certificate %s"),
		    OCSP_cert_status_str(status));
	r = r < 0 ? r : buf_addstr(b, ok ?
	    _(" (response signature verified)") :
	    _(" (response signature NOT verified)"));
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
	return r;
}

/* "OCSP: not stapled; session: new (not resumed); ALPN: none offered" */
static void
report_session(struct tls *s)
{
	const unsigned char *alpn = NULL;
	unsigned alpn_len = 0;
	struct buf b;
	int r;

	buf_init(&b, TLS_TEXT_MAX);
	r = add_ocsp(s, &b);
	r = r < 0 ? r : buf_addstr(&b, SSL_session_reused(s->ssl) ?
	    _("; session: resumed") : _("; session: new (not resumed)"));
	SSL_get0_alpn_selected(s->ssl, &alpn, &alpn_len);
	/* pigeon offers no ALPN protocol: SMTP has none registered. */
	if (r == 0 && alpn_len == 0)
		r = buf_addstr(&b, _("; ALPN: none offered"));
	else if (r == 0)
		r = buf_printf(&b, _("; ALPN: %.*s"), (int)alpn_len,
		    (const char *)alpn);
	if (r == 0)
		transcript_emit(s->tr, TR_TLS, TR_F_TLS, buf_str(&b), b.len);
	buf_free(&b);
}
