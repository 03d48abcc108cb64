/* crypto.h - the hashes SASL needs (HMAC-MD5, HMAC-SHA-256, SHA-256, PBKDF2), from OpenSSL's libcrypto. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_CRYPTO_H
#define PIGEON_CRYPTO_H

#include <stddef.h>

#define CRYPTO_MD5_LEN    16
#define CRYPTO_SHA256_LEN 32

enum crypto_hash { CRYPTO_MD5, CRYPTO_SHA256 };

/*
 * HMAC of d[0..n) under key[0..keylen) into out (16 or 32 bytes as the
 * hash says).  0, or -1 when the hash is not available (a FIPS provider
 * without MD5) or the module cannot be loaded.  Lengths up to INT_MAX.
 */
int crypto_hmac(enum crypto_hash h, const void *key, size_t keylen,
    const void *d, size_t n, unsigned char *out);
/* SHA-256 of d[0..n): 0 or -1. */
int crypto_sha256(const void *d, size_t n, unsigned char out[CRYPTO_SHA256_LEN]);
/* PBKDF2 with HMAC-SHA-256 (RFC 8018), one 32-byte block: 0 or -1. */
int crypto_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt,
    size_t saltlen, long iter, unsigned char out[CRYPTO_SHA256_LEN]);

#endif
