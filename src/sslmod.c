/* sslmod.c - the ssl module's table (module.h): built into mod/ssl.so only, never into the program. */
/* SPDX-License-Identifier: ISC */
#include "sslmod.h"

extern const struct sslmod pigeon_ssl_module;

const struct sslmod pigeon_ssl_module = {
	SSLMOD_ABI,
	tls_new,
	tls_handshake,
	tls_transport,
	tls_quiet,
	tls_free,
	tls_peer_take,
	tls_cipher_list_ok,
	crypto_hmac,
	crypto_sha256,
	crypto_pbkdf2_sha256,
	https_request,
	smime_sign,
	smime_encrypt,
};
