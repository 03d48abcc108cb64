/* sslmod.h - the table the ssl module exports (module.h): TLS, the SASL hashes, HTTPS and S/MIME. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SSLMOD_H
#define PIGEON_SSLMOD_H

#include "config.h"
#include "crypto.h"
#include "https.h"
#include "smime.h"
#include "tls.h"

/* Changes whenever the table or a type it uses changes. */
#define SSLMOD_ABI "pigeon " VERSION " ssl 5"

struct sslmod {
	const char *abi;          /* first: module_get() checks it */
	enum err (*tls_new)(struct tls **out, int fd, const struct tls_opts *o,
	    struct transcript *tr, char **errstr);
	enum err (*tls_handshake)(struct tls *s, int *want, char **errstr);
	void (*tls_transport)(struct transport *t, struct tls *s);
	void (*tls_quiet)(struct tls *s);
	void (*tls_free)(struct tls *s);
	struct tls_peer *(*tls_peer_take)(struct tls *s);
	int (*tls_cipher_list_ok)(const char *list, int tls13);
	int (*crypto_hmac)(enum crypto_hash h, const void *key, size_t keylen,
	    const void *d, size_t n, unsigned char *out);
	int (*crypto_sha256)(const void *d, size_t n, unsigned char *out);
	int (*crypto_pbkdf2_sha256)(const void *pass, size_t passlen,
	    const void *salt, size_t saltlen, long iter, unsigned char *out);
	enum err (*https_request)(const struct https_request *rq,
	    struct https_response *rs, char **errstr);
	enum err (*smime_sign)(const struct smime_self *self, int in, int out,
	    char **errstr);
	enum err (*smime_encrypt)(const char *const *rcpt, size_t n,
	    int certdir, const struct smime_self *self, int in, int out,
	    char **missing, char **errstr);
};

#endif
