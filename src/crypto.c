/* crypto.c - the SASL hashes over OpenSSL's libcrypto (part of the ssl module). */
/* SPDX-License-Identifier: ISC */
#include "crypto.h"

#include <limits.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

int
crypto_hmac(enum crypto_hash h, const void *key, size_t keylen,
    const void *d, size_t n, unsigned char *out)
{
	const EVP_MD *md = h == CRYPTO_MD5 ? EVP_md5() : EVP_sha256();
	size_t want = h == CRYPTO_MD5 ? CRYPTO_MD5_LEN : CRYPTO_SHA256_LEN;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	size_t i;

	if (md == NULL || keylen > INT_MAX ||
	    HMAC(md, key, (int)keylen, d, n, mac, &len) == NULL ||
	    len != want)
		return -1;
	for (i = 0; i < want; i++)
		out[i] = mac[i];
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

int
crypto_sha256(const void *d, size_t n, unsigned char out[CRYPTO_SHA256_LEN])
{
	unsigned int len = 0;

	if (EVP_Digest(d, n, out, &len, EVP_sha256(), NULL) != 1 ||
	    len != CRYPTO_SHA256_LEN)
		return -1;
	return 0;
}

int
crypto_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt,
    size_t saltlen, long iter, unsigned char out[CRYPTO_SHA256_LEN])
{
	if (passlen > INT_MAX || saltlen > INT_MAX || iter < 1 ||
	    iter > INT_MAX)
		return -1;
	return PKCS5_PBKDF2_HMAC(pass, (int)passlen, salt, (int)saltlen,
	    (int)iter, EVP_sha256(), CRYPTO_SHA256_LEN, out) == 1 ? 0 : -1;
}
