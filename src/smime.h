/* smime.h - S/MIME (RFC 8551) through OpenSSL's CMS, in the ssl module: a detached signature, and enveloped data for certificates found in a folder. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SMIME_H
#define PIGEON_SMIME_H

#include <stddef.h>

#include "err.h"

/*
 * The user's side: the certificate (PEM, the user's own first, then any
 * chain to send along with a signature), the private key (PEM, in the
 * same file when key is NULL) and its passphrase (NULL: none).
 */
struct smime_self {
	const char *cert;
	const char *key;
	const char *pass;
};

/*
 * The data to sign or encrypt is read from in, in its canonical form
 * (CRLF line ends: RFC 8551 3.1.1), in blocks, so memory does not grow
 * with its size.  What comes out is the DER of the CMS object in base64,
 * in lines of 64 characters with LF ends, written to out.
 *
 * smime_sign(): a detached SignedData (SHA-256, so micalg is "sha-256")
 * by the user's key, carrying the certificate and its chain.
 *
 * smime_encrypt(): EnvelopedData (AES-256-CBC) for the certificate of
 * each address of rcpt[0..n) and for self's certificate (so that the sent
 * copy can be read).  A recipient's certificate is a file in the folder
 * open as certdir (PEM, any number in a file, or one DER): one whose
 * subjectAltName (or subject e-mail address) is the address, valid now
 * and fit for e-mail encryption; of several, the one valid the longest.
 * The folder is the user's list of whom to trust; links in it are not
 * followed.  certdir -1: there is no folder, so no certificates.  When an address has none, ERR_DATA with *missing (malloc'd)
 * the addresses without one, comma-separated, and nothing written.
 *
 * Errors: ERR_CONFIG (the user's certificate or key cannot be read, do
 * not match, have expired, or the key needs a passphrase not given),
 * ERR_IO (reading or writing failed), ERR_NOMEM; *errstr says why.
 */
enum err smime_sign(const struct smime_self *self, int in, int out,
    char **errstr);
enum err smime_encrypt(const char *const *rcpt, size_t n, int certdir,
    const struct smime_self *self, int in, int out, char **missing,
    char **errstr);

#endif
