/* tlsdane.c - DANE (RFC 6698, RFC 7672): the presented chain checked against TLSA records with OpenSSL's own DANE code; in the ssl module. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "i18n.h"
#include "tls_int.h"

int
tls_dane_copy(struct tls *s, const struct tls_opts *o)
{
	size_t i;

	if (o->ntlsa == 0)
		return 0;
	if ((s->tlsa = calloc(o->ntlsa, sizeof(*s->tlsa))) == NULL)
		return -1;
	for (i = 0; i < o->ntlsa; i++) {
		unsigned char *d = malloc(o->tlsa[i].len + 1);

		if (d == NULL)
			return -1;
		memcpy(d, o->tlsa[i].data, o->tlsa[i].len);
		s->tlsa[i] = o->tlsa[i];
		s->tlsa[i].data = d;
		s->ntlsa = i + 1;
	}
	return 0;
}

void
tls_dane_free(struct tls *s)
{
	size_t i;

	for (i = 0; i < s->ntlsa; i++)
		free((void *)s->tlsa[i].data);
	free(s->tlsa);
	s->tlsa = NULL;
	s->ntlsa = 0;
}

/* The index of the record OpenSSL says matched, or -1. */
static int
matched_record(struct tls *s, SSL *ssl)
{
	uint8_t usage, selector, mtype;
	unsigned const char *data;
	size_t len, i;

	if (SSL_get0_dane_tlsa(ssl, &usage, &selector, &mtype, &data,
	    &len) < 0)
		return -1;
	for (i = 0; i < s->ntlsa; i++)
		if (s->tlsa[i].usage == usage &&
		    s->tlsa[i].selector == selector &&
		    s->tlsa[i].mtype == mtype && s->tlsa[i].len == len &&
		    memcmp(s->tlsa[i].data, data, len) == 0)
			return (int)i;
	return -1;
}

/*
 * OpenSSL matches TLSA records only while it verifies a chain for an SSL
 * with DANE enabled (SSL_dane_enable(3)).  The connection's own
 * verification stays the CA store's (the account's rules decide), so
 * the check runs apart: a second SSL, never connected, holds the
 * records, and the presented chain is verified against them with its
 * DANE state, as OpenSSL itself does during a handshake.
 */
void
tls_dane_check(struct tls *s, X509 *leaf)
{
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	X509_STORE_CTX *xs = NULL;
	size_t i, usable = 0;
	int ok = 0, depth = -1, match = -1;

	/* DANE names the server: without a name there is nothing to check. */
	if (s->peer == NULL || s->servername == NULL)
		return;
	s->peer->dane_match = -1;
	s->peer->dane_depth = -1;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_dane_enable(ctx) <= 0 || (ssl = SSL_new(ctx)) == NULL ||
	    SSL_dane_enable(ssl, s->servername) <= 0)
		goto out;
	for (i = 0; i < s->ntlsa; i++) {
		if (SSL_dane_tlsa_add(ssl, s->tlsa[i].usage,
		    s->tlsa[i].selector, s->tlsa[i].mtype, s->tlsa[i].data,
		    s->tlsa[i].len) > 0)
			usable++;
		else if (i < 32)
			s->peer->dane_unusable |= 1UL << i;
	}
	s->peer->dane_checked = 1;
	if (usable == 0)
		goto out;
	if ((xs = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(xs, SSL_CTX_get_cert_store(ctx), leaf,
	    SSL_get_peer_cert_chain(s->ssl)) != 1 ||
	    X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(xs),
	    SSL_get0_param(ssl)) != 1)
		goto out;
	X509_STORE_CTX_set0_dane(xs, SSL_get0_dane(ssl));
	ok = X509_verify_cert(xs) == 1;
	if (ok && (depth = SSL_get0_dane_authority(ssl, NULL, NULL)) >= 0)
		match = matched_record(s, ssl);
	s->peer->dane_match = match;
	s->peer->dane_depth = match >= 0 ? depth : -1;
out:
	if (s->peer->dane_checked && match >= 0)
		transcript_emitf(s->tr, TR_TLS, TR_F_TLS, _("DANE: certificate "
		    "%d of the chain matches TLSA record %u %u %u"), depth,
		    s->tlsa[match].usage, s->tlsa[match].selector,
		    s->tlsa[match].mtype);
	else if (s->peer->dane_checked)
		transcript_emitf(s->tr, TR_TLS, TR_F_TLS, _("DANE: the chain "
		    "matches none of the %zu TLSA records (%zu usable)%s%s"),
		    s->ntlsa, usable, xs != NULL && !ok ? ": " : "",
		    xs != NULL && !ok ? X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(xs)) : "");
	X509_STORE_CTX_free(xs);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
}
