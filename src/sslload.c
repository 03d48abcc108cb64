/* sslload.c - the program's side of the ssl module: the TLS, hash, HTTPS and S/MIME functions, called through its table once it is loaded. */
/* SPDX-License-Identifier: ISC */
#include "sslmod.h"

#include <stddef.h>

#include "module.h"

static const struct sslmod *
ssl(char **errstr)
{
	return module_get("ssl", SSLMOD_ABI, errstr);
}

enum err
tls_new(struct tls **out, int fd, const struct tls_opts *o,
    struct transcript *tr, char **errstr)
{
	const struct sslmod *m = ssl(errstr);

	*out = NULL;
	return m != NULL ? m->tls_new(out, fd, o, tr, errstr) : ERR_TLS;
}

/*
 * The rest take a struct tls, which only a loaded module can have made:
 * the table is there.
 */
enum err
tls_handshake(struct tls *s, int *want, char **errstr)
{
	return ssl(NULL)->tls_handshake(s, want, errstr);
}

void
tls_transport(struct transport *t, struct tls *s)
{
	ssl(NULL)->tls_transport(t, s);
}

void
tls_quiet(struct tls *s)
{
	if (s != NULL)
		ssl(NULL)->tls_quiet(s);
}

void
tls_free(struct tls *s)
{
	if (s != NULL)
		ssl(NULL)->tls_free(s);
}

struct tls_peer *
tls_peer_take(struct tls *s)
{
	return s != NULL ? ssl(NULL)->tls_peer_take(s) : NULL;
}

int
tls_cipher_list_ok(const char *list, int tls13)
{
	const struct sslmod *m = ssl(NULL);

	return m != NULL ? m->tls_cipher_list_ok(list, tls13) : -1;
}

int
crypto_hmac(enum crypto_hash h, const void *key, size_t keylen,
    const void *d, size_t n, unsigned char *out)
{
	const struct sslmod *m = ssl(NULL);

	return m != NULL ? m->crypto_hmac(h, key, keylen, d, n, out) : -1;
}

int
crypto_sha256(const void *d, size_t n, unsigned char out[CRYPTO_SHA256_LEN])
{
	const struct sslmod *m = ssl(NULL);

	return m != NULL ? m->crypto_sha256(d, n, out) : -1;
}

int
crypto_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt,
    size_t saltlen, long iter, unsigned char out[CRYPTO_SHA256_LEN])
{
	const struct sslmod *m = ssl(NULL);

	return m != NULL ?
	    m->crypto_pbkdf2_sha256(pass, passlen, salt, saltlen, iter, out) :
	    -1;
}

enum err
https_request(const struct https_request *rq, struct https_response *rs,
    char **errstr)
{
	const struct sslmod *m = ssl(errstr);

	if (m == NULL) {
		rs->status = 0;
		rs->reason = NULL;
		rs->headers = NULL;
		rs->nheaders = 0;
		rs->body = NULL;
		rs->bodylen = 0;
		return ERR_TLS;
	}
	return m->https_request(rq, rs, errstr);
}

enum err
smime_sign(const struct smime_self *self, int in, int out, char **errstr)
{
	const struct sslmod *m = ssl(errstr);

	return m != NULL ? m->smime_sign(self, in, out, errstr) : ERR_CONFIG;
}

enum err
smime_encrypt(const char *const *rcpt, size_t n, int certdir,
    const struct smime_self *self, int in, int out, char **missing,
    char **errstr)
{
	const struct sslmod *m = ssl(errstr);

	*missing = NULL;
	return m != NULL ? m->smime_encrypt(rcpt, n, certdir, self, in, out,
	    missing, errstr) : ERR_CONFIG;
}
