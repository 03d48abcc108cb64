/* pgpmime.h - signed and encrypted mail: PGP/MIME (RFC 3156) and S/MIME (RFC 8551) structures over a built MIME tree, and the Autocrypt header. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_PGPMIME_H
#define PIGEON_PGPMIME_H

#include <stddef.h>

#include "err.h"
#include "mime.h"
#include "smime.h"

/*
 * The security of a message: a method and what it does.  PGP/MIME and
 * S/MIME go through the same switches, so front ends keep one state and
 * one toggle.
 */
enum pgpmime_method {
	PGPMIME_NONE,
	PGPMIME_PGP,
	PGPMIME_SMIME,
};

#define PGPMIME_SIGN    1u
#define PGPMIME_ENCRYPT 2u

struct pgpmime_req {
	enum pgpmime_method method;
	unsigned what;            /* PGPMIME_SIGN | PGPMIME_ENCRYPT */
	const char *key;          /* the user's key: fingerprint, id or address */
	const char *const *rcpt;  /* every To, Cc and Bcc address */
	size_t nrcpt;
	/* S/MIME: the user's certificate and key; the recipients' certificates */
	struct smime_self smime;
	const char *smime_certs;  /* a folder (smime.h) */
};

/*
 * Is the method built in?  0 when pigeon was built without it (then
 * pgpmime_apply() says so in words).
 */
int pgpmime_built_in(enum pgpmime_method m);

/*
 * Replace *root by its signed, encrypted or signed and encrypted form:
 *   sign:    multipart/signed; micalg=pgp-...; protocol=
 *            "application/pgp-signature" of the part (7bit, RFC 3156 5)
 *            and a detached armoured signature;
 *   encrypt: multipart/encrypted; protocol="application/pgp-encrypted",
 *            the "Version: 1" part and the armoured ciphertext, to every
 *            recipient and to the user's own key (the sent copy stays
 *            readable); sign and encrypt together is one OpenPGP message
 *            signed and encrypted (RFC 3156 6.2).
 * S/MIME (RFC 8551):
 *   sign:    multipart/signed; protocol="application/pkcs7-signature";
 *            micalg=sha-256 of the part (7bit) and smime.p7s;
 *   encrypt: application/pkcs7-mime; smime-type=enveloped-data, the
 *            part encrypted to every recipient's certificate and the
 *            user's own; sign and encrypt together is the signed
 *            multipart encrypted (RFC 8551 3.7).
 * The part is written to unlinked temporary files in the directory dir
 * (the outbox: private, never a link) and read from them in blocks when
 * the message is written.  Nothing to do (what 0) leaves *root.
 * Errors leave *root as it was: ERR_DATA when a recipient has no usable
 * key or certificate, with *missing (malloc'd) the addresses without one;
 * ERR_DATA for no key of the user's; ERR_CONFIG when the method is not
 * built in or its module cannot be loaded, or the user's certificate or
 * key cannot be used; ERR_IO, ERR_NOMEM; *errstr says why.
 */
enum err pgpmime_apply(struct mime_part **root, const struct pgpmime_req *r,
    const char *dir, char **missing, char **errstr);

/*
 * The Autocrypt header of addr (Level 1): *attrs "addr=ADDR;
 * [prefer-encrypt=mutual; ]keydata=" and *keydata the base64 of key's
 * minimal public key, both malloc'd (mime_msg autocrypt_attrs and
 * autocrypt_keydata).  Errors as pgpmime_apply()'s.
 */
enum err pgpmime_autocrypt(const char *addr, const char *key,
    int prefer_encrypt, char **attrs, char **keydata, char **errstr);

#endif
