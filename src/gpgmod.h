/* gpgmod.h - the table the gpg module exports (module.h): OpenPGP signing, encryption and key export through GPGME. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_GPGMOD_H
#define PIGEON_GPGMOD_H

#include <stddef.h>

#include "config.h"
#include "err.h"

#define GPGMOD_ABI "pigeon " VERSION " gpg 1"

/*
 * Keys are looked up in GnuPG's key ring ($GNUPGHOME or ~/.gnupg); a
 * passphrase is gpg-agent's business (pinentry), never pigeon's.  The
 * data to sign or encrypt is read from a file descriptor with LF line
 * ends and handed to GnuPG with CRLF ones (the canonical form, RFC 3156
 * section 5), in blocks: memory does not grow with its size.  What comes
 * out is ASCII armour with LF line ends, written to a descriptor.
 * Errors: ERR_DATA (a key missing or unusable: *errstr names it),
 * ERR_IO (reading, writing, or GnuPG failed: *errstr says why), ERR_NOMEM.
 */
struct gpgmod {
	const char *abi;          /* first: module_get() checks it */
	/*
	 * A detached, armoured signature of in, by the secret key signer
	 * (a fingerprint, key id or address), to out; *micalg (malloc'd)
	 * is the RFC 3156 name of the hash used ("pgp-sha256").
	 */
	enum err (*sign)(const char *signer, int in, int out, char **micalg,
	    char **errstr);
	/*
	 * The armoured ciphertext of in to out, for each address of
	 * rcpt[0..n) (a key with a user id of exactly that address, valid
	 * and certified enough for GnuPG's trust model) and for self (a
	 * key of the user's own, as signer), signed by signer too unless it
	 * is NULL.  When a recipient has no usable key, ERR_DATA with
	 * *missing (malloc'd) the addresses that have none, comma-separated,
	 * and nothing written.
	 */
	enum err (*encrypt)(const char *const *rcpt, size_t n,
	    const char *self, const char *signer, int in, int out,
	    char **missing, char **errstr);
	/*
	 * The public key of the secret key who (as signer), exported
	 * minimal (GPGME_EXPORT_MODE_MINIMAL: no signatures of others), in
	 * binary, as one line of base64 (malloc'd): Autocrypt's keydata.
	 */
	enum err (*export_min)(const char *who, char **b64, char **errstr);
};

#endif
