/* tlsconf.c - the TLS knobs of an account or a command: protocol versions and cipher lists, checked and put on an OpenSSL context. */
/* SPDX-License-Identifier: ISC */
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "i18n.h"
#include "tls_int.h"
#include "util.h"

/* OpenSSL's TLS1_x_VERSION for v; dflt for TLS_V_DEFAULT. */
static int
proto_of(int v, int dflt)
{
	switch (v) {
	case TLS_V_1_0:
		return TLS1_VERSION;
	case TLS_V_1_1:
		return TLS1_1_VERSION;
	case TLS_V_1_2:
		return TLS1_2_VERSION;
	case TLS_V_1_3:
		return TLS1_3_VERSION;
	default:
		return dflt;
	}
}

int
tls_cipher_list_ok(const char *list, int tls13)
{
	SSL_CTX *ctx;
	int ok;

	if (list == NULL || *list == '\0')
		return 0;
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		ERR_clear_error();
		return 0;
	}
	ok = tls13 ? SSL_CTX_set_ciphersuites(ctx, list) == 1 :
	    SSL_CTX_set_cipher_list(ctx, list) == 1;
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

enum err
tls_conf_apply(SSL_CTX *ctx, const struct tls_opts *o, char **errstr)
{
	enum err e;
	int lo, hi;

	if ((e = tls_opts_check(o, errstr)) != ERR_OK)
		return e;
	lo = proto_of(o->min_version, TLS1_2_VERSION);
	hi = proto_of(o->max_version, 0);
	if (SSL_CTX_set_min_proto_version(ctx, lo) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, hi) != 1) {
		ERR_clear_error();
		util_seterr(errstr, _("OpenSSL cannot limit TLS to versions "
		    "%s to %s"), tls_version_str(o->min_version),
		    tls_version_str(o->max_version));
		return ERR_TLS;
	}
	/*
	 * OpenSSL's default security level forbids TLS 1.0 and 1.1 (and
	 * their SHA-1 signatures); whoever allowed them for a test wants
	 * them to work.
	 */
	if (o->allow_legacy && lo < TLS1_2_VERSION)
		SSL_CTX_set_security_level(ctx, 0);
	if ((o->ciphers != NULL &&
	    SSL_CTX_set_cipher_list(ctx, o->ciphers) != 1) ||
	    (o->ciphersuites != NULL &&
	    SSL_CTX_set_ciphersuites(ctx, o->ciphersuites) != 1)) {
		ERR_clear_error();
		util_seterr(errstr, _("OpenSSL does not take the cipher list"));
		return ERR_CONFIG;
	}
	return ERR_OK;
}
