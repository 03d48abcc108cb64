/* tlsconf.c - the TLS knobs of an account or a command: protocol versions and cipher lists, checked and put on an OpenSSL context. */
/* SPDX-License-Identifier: ISC */
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "i18n.h"
#include "tls_int.h"
#include "util.h"

static const struct {
	const char *name;
	int v;
	int proto;      /* OpenSSL's TLS1_x_VERSION */
} versions[] = {
	{ "1.0", TLS_V_1_0, TLS1_VERSION },
	{ "1.1", TLS_V_1_1, TLS1_1_VERSION },
	{ "1.2", TLS_V_1_2, TLS1_2_VERSION },
	{ "1.3", TLS_V_1_3, TLS1_3_VERSION },
};
#define NVERSIONS (sizeof(versions) / sizeof(versions[0]))

int
tls_version_parse(const char *s)
{
	size_t i;

	if (strncasecmp(s, "TLSv", 4) == 0)
		s += 4;
	else if (strncasecmp(s, "TLS", 3) == 0)
		s += 3;
	for (i = 0; i < NVERSIONS; i++)
		if (strcmp(s, versions[i].name) == 0)
			return versions[i].v;
	return -1;
}

const char *
tls_version_str(int v)
{
	size_t i;

	for (i = 0; i < NVERSIONS; i++)
		if (versions[i].v == v)
			return versions[i].name;
	return "default";
}

static int
proto_of(int v, int dflt)
{
	size_t i;

	for (i = 0; i < NVERSIONS; i++)
		if (versions[i].v == v)
			return versions[i].proto;
	return dflt;
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
tls_opts_check(const struct tls_opts *o, char **errstr)
{
	int lo = o->min_version, hi = o->max_version;

	if ((lo != TLS_V_DEFAULT && tls_version_parse(tls_version_str(lo)) < 0) ||
	    (hi != TLS_V_DEFAULT && tls_version_parse(tls_version_str(hi)) < 0)) {
		util_seterr(errstr, _("tls_min_version and tls_max_version "
		    "must be 1.0, 1.1, 1.2 or 1.3"));
		return ERR_CONFIG;
	}
	if (!o->allow_legacy && ((lo != TLS_V_DEFAULT && lo < TLS_V_1_2) ||
	    (hi != TLS_V_DEFAULT && hi < TLS_V_1_2))) {
		util_seterr(errstr, _("%s = %s goes below TLS 1.2, which "
		    "pigeon refuses unless tls_allow_legacy = yes (or "
		    "--tls-allow-legacy) says so explicitly"),
		    lo != TLS_V_DEFAULT && lo < TLS_V_1_2 ? "tls_min_version" :
		    "tls_max_version",
		    tls_version_str(lo != TLS_V_DEFAULT && lo < TLS_V_1_2 ?
		    lo : hi));
		return ERR_CONFIG;
	}
	if (hi != TLS_V_DEFAULT && hi < (lo != TLS_V_DEFAULT ? lo : TLS_V_1_2)) {
		util_seterr(errstr, _("tls_max_version = %s is below "
		    "tls_min_version = %s: no TLS version is left"),
		    tls_version_str(hi), tls_version_str(lo != TLS_V_DEFAULT ?
		    lo : TLS_V_1_2));
		return ERR_CONFIG;
	}
	if (o->ciphers != NULL && !tls_cipher_list_ok(o->ciphers, 0)) {
		util_seterr(errstr, _("tls_ciphers = %s: OpenSSL knows no "
		    "TLS 1.2 cipher in that list (see ciphers(1))"),
		    o->ciphers);
		return ERR_CONFIG;
	}
	if (o->ciphersuites != NULL && !tls_cipher_list_ok(o->ciphersuites,
	    1)) {
		util_seterr(errstr, _("tls_ciphersuites = %s: not a list of "
		    "TLS 1.3 ciphersuites OpenSSL knows, such as "
		    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"),
		    o->ciphersuites);
		return ERR_CONFIG;
	}
	return ERR_OK;
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
