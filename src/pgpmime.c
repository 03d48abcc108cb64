/* pgpmime.c - signed and encrypted mail: PGP/MIME (RFC 3156) and S/MIME (RFC 8551) structures over a built MIME tree, and the Autocrypt header. */
/* SPDX-License-Identifier: ISC */
#include "pgpmime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "crlf.h"
#include "gpgmod.h"
#include "i18n.h"
#include "module.h"
#include "safefile.h"
#include "smime.h"
#include "util.h"

/* Blocks read when a part is made canonical. */
#define BLOCK (64 * 1024)

/* The head of each part pigeon writes itself (RFC 3156 4, 5). */
static const char sig_head[] =
    "Content-Type: application/pgp-signature; name=\"signature.asc\"\n"
    "Content-Description: OpenPGP digital signature\n"
    "Content-Disposition: attachment; filename=\"signature.asc\"\n\n";
static const char version_part[] =
    "Content-Type: application/pgp-encrypted\n"
    "Content-Description: PGP/MIME version identification\n\n"
    "Version: 1\n";
static const char enc_head[] =
    "Content-Type: application/octet-stream; name=\"encrypted.asc\"\n"
    "Content-Description: OpenPGP encrypted message\n"
    "Content-Disposition: inline; filename=\"encrypted.asc\"\n\n";

/* S/MIME (RFC 8551 3.4.3.2, 3.3) */
static const char p7s_head[] =
    "Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\n"
    "Content-Transfer-Encoding: base64\n"
    "Content-Disposition: attachment; filename=\"smime.p7s\"\n"
    "Content-Description: S/MIME Cryptographic Signature\n\n";
static const char p7m_head[] =
    "Content-Type: application/pkcs7-mime; smime-type=enveloped-data;\n"
    " name=\"smime.p7m\"\n"
    "Content-Transfer-Encoding: base64\n"
    "Content-Disposition: attachment; filename=\"smime.p7m\"\n"
    "Content-Description: S/MIME Encrypted Message\n\n";

int
pgpmime_built_in(enum pgpmime_method m)
{
	/* OpenSSL is always there (the ssl module); GPGME may not be. */
	if (m == PGPMIME_SMIME)
		return 1;
#ifdef HAVE_GPGME
	return m == PGPMIME_PGP;
#else
	return 0;
#endif
}

static const struct gpgmod *
gpg(char **errstr)
{
#ifdef HAVE_GPGME
	const struct gpgmod *g;
	char *why = NULL;

	if ((g = module_get("gpg", GPGMOD_ABI, &why)) == NULL)
		util_seterr(errstr, _("signing and encryption cannot be used: "
		    "%s"), why != NULL ? why : _("the gpg module cannot be "
		    "loaded"));
	free(why);
	return g;
#else
	util_seterr(errstr, _("this pigeon was built without GPGME, so it "
	    "cannot sign or encrypt mail (on Debian: apt-get install "
	    "libgpgme-dev, then build it again)"));
	return NULL;
#endif
}

/*
 * A new private file in dir, unlinked at once: it lives as long as its
 * descriptor (the part that holds it).  -1 with *errstr.
 */
static int
tmp_file(const char *dir, char **errstr)
{
	unsigned char r[8];
	char name[40];
	enum err e;
	int dfd, fd = -1, tries;

	if ((dfd = safefile_dir(AT_FDCWD, dir, dir, 0, NULL, &e, errstr)) < 0)
		return -1;
	for (tries = 0; fd < 0 && tries < 8; tries++) {
		if (util_random(r, sizeof(r)) < 0)
			break;
		(void)snprintf(name, sizeof(name),
		    ".pgp-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
		    r[3], r[4], r[5], r[6], r[7]);
		fd = safefile_open(dfd, name, name, O_RDWR | O_CREAT | O_EXCL,
		    &e, tries < 7 ? NULL : errstr);
		if (fd >= 0 && unlinkat(dfd, name, 0) < 0) {
			util_seterr(errstr, _("cannot remove '%s/%s': %s"), dir,
			    name, strerror(errno));
			(void)close(fd);
			fd = -1;
			break;
		}
	}
	(void)close(dfd);
	return fd;
}

static enum err
put(int fd, const char *s, char **errstr)
{
	size_t n = strlen(s);
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			util_seterr(errstr, _("cannot write a temporary file: "
			    "%s"), strerror(errno));
			return ERR_IO;
		}
		s += w;
		n -= (size_t)w;
	}
	return ERR_OK;
}

static enum err
rewind_fd(int fd, char **errstr)
{
	if (lseek(fd, 0, SEEK_SET) < 0) {
		util_seterr(errstr, _("cannot read a temporary file: %s"),
		    strerror(errno));
		return ERR_IO;
	}
	return ERR_OK;
}

/* A file with head, then what fill writes; -1 on an error. */
static int
head_file(const char *dir, const char *head, char **errstr)
{
	int fd = tmp_file(dir, errstr);

	if (fd >= 0 && put(fd, head, errstr) != ERR_OK) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* multipart/SUBTYPE with its parameters and the two parts in fd1, fd2 (taken). */
static enum err
wrap(struct mime_part **out, const char *subtype, const char *p1,
    const char *v1, const char *p2, const char *v2, int fd1, int fd2,
    char **errstr)
{
	struct mime_part *mp = NULL, *a = NULL, *b = NULL;
	enum err e;

	*out = NULL;
	e = mime_entity(&a, fd1, errstr);
	fd1 = -1;
	if (e == ERR_OK) {
		e = mime_entity(&b, fd2, errstr);
		fd2 = -1;
	}
	if (e == ERR_OK && (e = mime_multipart(&mp, subtype)) == ERR_OK &&
	    (p1 == NULL || (e = mime_multipart_param(mp, p1, v1)) == ERR_OK) &&
	    (e = mime_multipart_param(mp, p2, v2)) == ERR_OK &&
	    (e = mime_add(mp, a)) == ERR_OK) {
		a = NULL;
		if ((e = mime_add(mp, b)) == ERR_OK) {
			b = NULL;
			*out = mp;
			mp = NULL;
		}
	}
	if (fd2 >= 0)
		(void)close(fd2);
	mime_free(a);
	mime_free(b);
	mime_free(mp);
	return e;
}

static enum err
do_sign(const struct gpgmod *g, struct mime_part **root,
    const struct pgpmime_req *r, int part, const char *dir, char **errstr)
{
	struct mime_part *mp;
	char *micalg = NULL;
	int sig;
	enum err e;

	if ((sig = head_file(dir, sig_head, errstr)) < 0) {
		(void)close(part);
		return ERR_IO;
	}
	if ((e = rewind_fd(part, errstr)) != ERR_OK ||
	    (e = g->sign(r->key, part, sig, &micalg, errstr)) != ERR_OK) {
		(void)close(part);
		(void)close(sig);
		return e;
	}
	e = wrap(&mp, "signed", "micalg", micalg, "protocol",
	    "application/pgp-signature", part, sig, errstr);
	free(micalg);
	if (e == ERR_OK) {
		mime_free(*root);
		*root = mp;
	}
	return e;
}

static enum err
do_encrypt(const struct gpgmod *g, struct mime_part **root,
    const struct pgpmime_req *r, int part, const char *dir, char **missing,
    char **errstr)
{
	struct mime_part *mp;
	int ver = -1, enc;
	enum err e;

	if ((enc = head_file(dir, enc_head, errstr)) < 0) {
		(void)close(part);
		return ERR_IO;
	}
	e = rewind_fd(part, errstr);
	if (e == ERR_OK)
		e = g->encrypt(r->rcpt, r->nrcpt, r->key, r->what &
		    PGPMIME_SIGN ? r->key : NULL, part, enc, missing, errstr);
	(void)close(part);
	if (e == ERR_OK && (ver = head_file(dir, version_part, errstr)) < 0)
		e = ERR_IO;
	if (e != ERR_OK) {
		(void)close(enc);
		return e;
	}
	if ((e = wrap(&mp, "encrypted", NULL, NULL, "protocol",
	    "application/pgp-encrypted", ver, enc, errstr)) == ERR_OK) {
		mime_free(*root);
		*root = mp;
	}
	return e;
}

/* --- S/MIME ------------------------------------------------------------------ */

/*
 * A new file holding the LF file fd (read from its start) with CRLF line
 * ends: the canonical form that S/MIME signs and encrypts (RFC 8551
 * 3.1.1), the same bytes the part becomes on the wire.  Rewound; -1 on
 * an error.
 */
static int
canonical(int fd, const char *dir, char **errstr)
{
	struct crlf c;
	struct buf out;
	char *blk;
	ssize_t n;
	int cfd;

	if ((cfd = tmp_file(dir, errstr)) < 0)
		return -1;
	if (rewind_fd(fd, errstr) != ERR_OK || (blk = malloc(BLOCK)) ==
	    NULL) {
		(void)close(cfd);
		return -1;
	}
	crlf_init(&c, 0, 0);
	buf_init(&out, 2 * BLOCK + 4);   /* crlf_convert() wants 2n + 4 */
	for (;;) {
		n = read(fd, blk, BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_reset(&out);
		if (crlf_convert(&c, &out, blk, (size_t)n) < 0 ||
		    util_write_all(cfd, out.data, out.len) < 0) {
			n = -1;
			break;
		}
	}
	if (n < 0)
		util_seterr(errstr, _("cannot copy a temporary file: %s"),
		    strerror(errno));
	free(blk);
	buf_free(&out);
	if (n < 0 || rewind_fd(cfd, errstr) != ERR_OK) {
		(void)close(cfd);
		return -1;
	}
	return cfd;
}

/*
 * The folder of the recipients' certificates, open; -1 when there is none
 * (no certificates, then); -2 with *errstr when it cannot be used.
 */
static int
certs_dir(const char *path, char **errstr)
{
	enum err e;
	char *why = NULL;
	int fd;

	fd = safefile_dir(AT_FDCWD, path, path, 0, NULL, &e, &why);
	if (fd < 0 && e != ERR_NOINPUT) {
		util_seterr(errstr, "%s", why != NULL ? why : err_str(e));
		fd = -2;
	}
	free(why);
	return fd;
}

/* The part in fd (LF, taken), S/MIME-signed: multipart/signed. */
static enum err
smime_signed(struct mime_part **out, const struct pgpmime_req *r, int part,
    const char *dir, char **errstr)
{
	int canon, sig;
	enum err e;

	*out = NULL;
	if ((canon = canonical(part, dir, errstr)) < 0) {
		(void)close(part);
		return ERR_IO;
	}
	if ((sig = head_file(dir, p7s_head, errstr)) < 0) {
		(void)close(canon);
		(void)close(part);
		return ERR_IO;
	}
	e = smime_sign(&r->smime, canon, sig, errstr);
	(void)close(canon);
	if (e != ERR_OK) {
		(void)close(part);
		(void)close(sig);
		return e;
	}
	return wrap(out, "signed", "protocol", "application/pkcs7-signature",
	    "micalg", "sha-256", part, sig, errstr);
}

/* The entity in fd (LF, taken) encrypted: application/pkcs7-mime. */
static enum err
smime_enveloped(struct mime_part **out, const struct pgpmime_req *r,
    int part, const char *dir, char **missing, char **errstr)
{
	int canon, enc, certdir;
	enum err e;

	*out = NULL;
	canon = canonical(part, dir, errstr);
	(void)close(part);
	if (canon < 0)
		return ERR_IO;
	if ((certdir = certs_dir(r->smime_certs, errstr)) == -2) {
		(void)close(canon);
		return ERR_CONFIG;
	}
	if ((enc = head_file(dir, p7m_head, errstr)) < 0)
		e = ERR_IO;
	else
		e = smime_encrypt(r->rcpt, r->nrcpt, certdir, &r->smime, canon,
		    enc, missing, errstr);
	if (certdir >= 0)
		(void)close(certdir);
	(void)close(canon);
	if (e == ERR_OK)
		return mime_entity(out, enc, errstr);
	if (enc >= 0)
		(void)close(enc);
	return e;
}

static enum err
smime_apply(struct mime_part **root, const struct pgpmime_req *r, int part,
    const char *dir, char **missing, char **errstr)
{
	struct mime_part *mp = NULL, *env = NULL;
	enum err e;

	if (r->what & PGPMIME_SIGN) {
		if ((e = smime_signed(&mp, r, part, dir, errstr)) != ERR_OK)
			return e;
		if (!(r->what & PGPMIME_ENCRYPT)) {
			mime_free(*root);
			*root = mp;
			return ERR_OK;
		}
		/* Then the signed multipart is what is encrypted. */
		if ((part = tmp_file(dir, errstr)) < 0) {
			mime_free(mp);
			return ERR_IO;
		}
		if ((e = mime_write_part(mp, part, errstr)) != ERR_OK) {
			(void)close(part);
			mime_free(mp);
			return e;
		}
	}
	e = smime_enveloped(&env, r, part, dir, missing, errstr);
	mime_free(mp);
	if (e == ERR_OK) {
		mime_free(*root);
		*root = env;
	}
	return e;
}

enum err
pgpmime_apply(struct mime_part **root, const struct pgpmime_req *r,
    const char *dir, char **missing, char **errstr)
{
	const struct gpgmod *g;
	enum err e;
	int part;

	*missing = NULL;
	if (r->method == PGPMIME_NONE || (r->what & (PGPMIME_SIGN |
	    PGPMIME_ENCRYPT)) == 0)
		return ERR_OK;
	if (r->method == PGPMIME_SMIME) {
		if ((part = tmp_file(dir, errstr)) < 0)
			return ERR_IO;
		if ((e = mime_write_part(*root, part, errstr)) != ERR_OK) {
			(void)close(part);
			return e;
		}
		return smime_apply(root, r, part, dir, missing, errstr);
	}
	if (r->method != PGPMIME_PGP || (g = gpg(errstr)) == NULL)
		return ERR_CONFIG;
	if (r->key == NULL || *r->key == '\0') {
		util_seterr(errstr, _("no key to sign or encrypt with: the "
		    "message has no From address and the account no "
		    "pgp_key"));
		return ERR_DATA;
	}
	/* The part as it will be signed or encrypted: 7bit, in a file. */
	if ((part = tmp_file(dir, errstr)) < 0)
		return ERR_IO;
	if ((e = mime_write_part(*root, part, errstr)) != ERR_OK) {
		(void)close(part);
		return e;
	}
	if (r->what & PGPMIME_ENCRYPT)
		return do_encrypt(g, root, r, part, dir, missing, errstr);
	return do_sign(g, root, r, part, dir, errstr);
}

enum err
pgpmime_autocrypt(const char *addr, const char *key, int prefer_encrypt,
    char **attrs, char **keydata, char **errstr)
{
	const struct gpgmod *g;
	enum err e;

	*attrs = *keydata = NULL;
	if ((g = gpg(errstr)) == NULL)
		return ERR_CONFIG;
	if ((e = g->export_min(key, keydata, errstr)) != ERR_OK)
		return e;
	*attrs = util_strf("addr=%s; %skeydata=", addr, prefer_encrypt ?
	    "prefer-encrypt=mutual; " : "");
	if (*attrs == NULL) {
		free(*keydata);
		*keydata = NULL;
		return ERR_NOMEM;
	}
	return ERR_OK;
}
