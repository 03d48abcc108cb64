/* tlspeer.c - the parts of the TLS interface that need no OpenSSL: fingerprints as text, a peer's description freed, versions and the knobs checked. */
/* SPDX-License-Identifier: ISC */
#include "tls.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "util.h"

void
tls_peer_free(struct tls_peer *p)
{
	if (p == NULL)
		return;
	free(p->subject);
	free(p->issuer);
	free(p->common_name);
	free(p->names);
	free(p->not_before);
	free(p->not_after);
	free(p->key);
	free(p->problem);
	free(p);
}

static char *
dup_text(const char *s, int *bad)
{
	char *c = strdup(s != NULL ? s : "");

	if (c == NULL)
		*bad = 1;
	return c;
}

struct tls_peer *
tls_peer_dup(const struct tls_peer *p)
{
	struct tls_peer *c = calloc(1, sizeof(*c));
	int bad = 0;

	if (c == NULL)
		return NULL;
	memcpy(c->fingerprint, p->fingerprint, sizeof(c->fingerprint));
	c->fingerprint[sizeof(c->fingerprint) - 1] = '\0';
	c->subject = dup_text(p->subject, &bad);
	c->issuer = dup_text(p->issuer, &bad);
	c->common_name = dup_text(p->common_name, &bad);
	c->names = dup_text(p->names, &bad);
	c->not_before = dup_text(p->not_before, &bad);
	c->not_after = dup_text(p->not_after, &bad);
	c->key = dup_text(p->key, &bad);
	if (p->problem != NULL)
		c->problem = dup_text(p->problem, &bad);
	c->chain_ok = p->chain_ok;
	c->name_ok = p->name_ok;
	c->self_signed = p->self_signed;
	c->dane_checked = p->dane_checked;
	c->dane_match = p->dane_match;
	c->dane_depth = p->dane_depth;
	c->dane_unusable = p->dane_unusable;
	if (bad) {
		tls_peer_free(c);
		return NULL;
	}
	return c;
}

int
tls_fingerprint_parse(const char *p, unsigned char out[TLS_FP_LEN])
{
	size_t i;
	int hi, lo;

	for (i = 0; i < TLS_FP_LEN; i++) {
		hi = util_hexval(p[0]);
		lo = hi < 0 ? -1 : util_hexval(p[1]);
		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
		p += 2;
		if (i + 1 < TLS_FP_LEN && *p == ':')
			p++;
	}
	return *p == '\0' ? 0 : -1;
}

int
tls_fingerprint_ok(const char *p)
{
	unsigned char fp[TLS_FP_LEN];

	return tls_fingerprint_parse(p, fp) == 0;
}

static const struct {
	const char *name;
	int v;
} versions[] = {
	{ "1.0", TLS_V_1_0 },
	{ "1.1", TLS_V_1_1 },
	{ "1.2", TLS_V_1_2 },
	{ "1.3", TLS_V_1_3 },
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
	if (o->ciphers != NULL && tls_cipher_list_ok(o->ciphers, 0) == 0) {
		util_seterr(errstr, _("tls_ciphers = %s: OpenSSL knows no "
		    "TLS 1.2 cipher in that list (see ciphers(1))"),
		    o->ciphers);
		return ERR_CONFIG;
	}
	if (o->ciphersuites != NULL && tls_cipher_list_ok(o->ciphersuites,
	    1) == 0) {
		util_seterr(errstr, _("tls_ciphersuites = %s: not a list of "
		    "TLS 1.3 ciphersuites OpenSSL knows, such as "
		    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"),
		    o->ciphersuites);
		return ERR_CONFIG;
	}
	return ERR_OK;
}
