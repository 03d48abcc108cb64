/* cms.c - S/MIME signing and encryption through OpenSSL's CMS (smime.h): built into the ssl module only. */
/* SPDX-License-Identifier: ISC */
#include "smime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "i18n.h"
#include "safefile.h"
#include "util.h"

/* A certificate file bigger than this is not one. */
#define CERT_FILE_MAX (1024 * 1024)

/* OpenSSL's reason for the newest error, cleared. */
static const char *
ossl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	ERR_clear_error();
	return r != NULL ? r : _("unknown OpenSSL error");
}

/* "2027-01-31", the day of an ASN.1 time (UTC). */
static void
day(const ASN1_TIME *t, char *out, size_t n)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(out, n, "%Y-%m-%d", &tm) == 0)
		(void)snprintf(out, n, "?");
}

/* Valid now: after its notBefore, before its notAfter. */
static int
valid_now(X509 *x)
{
	return X509_cmp_current_time(X509_get0_notBefore(x)) < 0 &&
	    X509_cmp_current_time(X509_get0_notAfter(x)) > 0;
}

/*
 * May x be used for mail, to sign (sign set) or to encrypt to?  Its key
 * usage and extended key usage, when it has them, must allow it (RFC
 * 8550 4.4): key encipherment (RSA) or key agreement (EC) to encrypt.
 */
static int
fit_for(X509 *x, int sign)
{
	uint32_t ku = X509_get_key_usage(x), xku;

	xku = X509_get_extended_key_usage(x);
	if (xku != UINT32_MAX && (xku & (XKU_SMIME | XKU_ANYEKU)) == 0)
		return 0;
	if (ku == UINT32_MAX)
		return 1;
	if (sign)
		return (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
	return (ku & (KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT)) != 0;
}

/* The passphrase callback: what the account gave, or a note that one was wanted. */
struct pass {
	const char *pass;
	int asked;
};

static int
give_pass(char *buf, int size, int rwflag, void *arg)
{
	struct pass *p = arg;
	size_t n;

	(void)rwflag;
	p->asked = 1;
	if (p->pass == NULL || size <= 0)
		return -1;
	n = strlen(p->pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, p->pass, n);
	return (int)n;
}

/* The user's certificate, its chain, and (need_key) the private key, checked. */
struct self {
	X509 *cert;
	STACK_OF(X509) *chain;
	EVP_PKEY *key;
};

static void
self_free(struct self *s)
{
	X509_free(s->cert);
	sk_X509_pop_free(s->chain, X509_free);
	EVP_PKEY_free(s->key);
	memset(s, 0, sizeof(*s));
}

static enum err
read_certs(struct self *s, const char *path, char **errstr)
{
	BIO *b;
	X509 *x;

	if ((b = BIO_new_file(path, "r")) == NULL) {
		util_seterr(errstr, _("cannot read your S/MIME certificate "
		    "'%s': %s"), path, ossl_reason());
		return ERR_CONFIG;
	}
	s->cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (s->cert == NULL) {
		BIO_free(b);
		ERR_clear_error();
		util_seterr(errstr, _("'%s' holds no certificate (PEM, "
		    "\"-----BEGIN CERTIFICATE-----\")"), path);
		return ERR_CONFIG;
	}
	if ((s->chain = sk_X509_new_null()) == NULL) {
		BIO_free(b);
		return ERR_NOMEM;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(s->chain, x) <= 0) {
			X509_free(x);
			BIO_free(b);
			return ERR_NOMEM;
		}
	/* The end of the file is an "error" too. */
	ERR_clear_error();
	BIO_free(b);
	return ERR_OK;
}

static enum err
read_key(struct self *s, const char *path, const char *pass,
    char **errstr)
{
	struct pass p = { pass, 0 };
	BIO *b;

	if ((b = BIO_new_file(path, "r")) == NULL) {
		util_seterr(errstr, _("cannot read your S/MIME key '%s': %s"),
		    path, ossl_reason());
		return ERR_CONFIG;
	}
	s->key = PEM_read_bio_PrivateKey(b, NULL, give_pass, &p);
	BIO_free(b);
	if (s->key != NULL) {
		ERR_clear_error();
		return ERR_OK;
	}
	ERR_clear_error();
	if (p.asked && pass == NULL)
		util_seterr(errstr, _("your S/MIME key '%s' is protected by a "
		    "passphrase: give it with smime_key_password_command"),
		    path);
	else if (p.asked)
		util_seterr(errstr, _("your S/MIME key '%s' cannot be opened "
		    "with the passphrase of smime_key_password_command"), path);
	else
		util_seterr(errstr, _("'%s' holds no private key (PEM)"), path);
	return ERR_CONFIG;
}

static enum err
load_self(const struct smime_self *in, int need_key, struct self *s,
    char **errstr)
{
	const char *keyfile = in->key != NULL ? in->key : in->cert;
	char when[32];
	enum err e;

	memset(s, 0, sizeof(*s));
	if (in->cert == NULL || *in->cert == '\0') {
		util_seterr(errstr, _("no S/MIME certificate of yours: set "
		    "smime_cert in the account"));
		return ERR_CONFIG;
	}
	if ((e = read_certs(s, in->cert, errstr)) != ERR_OK)
		goto fail;
	e = ERR_CONFIG;
	if (X509_cmp_current_time(X509_get0_notAfter(s->cert)) <= 0) {
		day(X509_get0_notAfter(s->cert), when, sizeof(when));
		util_seterr(errstr, _("your S/MIME certificate '%s' expired "
		    "on %s"), in->cert, when);
		goto fail;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(s->cert)) >= 0) {
		day(X509_get0_notBefore(s->cert), when, sizeof(when));
		util_seterr(errstr, _("your S/MIME certificate '%s' is not "
		    "valid before %s"), in->cert, when);
		goto fail;
	}
	if (!need_key)
		return ERR_OK;
	if (!fit_for(s->cert, 1)) {
		util_seterr(errstr, _("your S/MIME certificate '%s' is not "
		    "for signing mail (its key usage says so)"), in->cert);
		goto fail;
	}
	if ((e = read_key(s, keyfile, in->pass, errstr)) != ERR_OK)
		goto fail;
	if (X509_check_private_key(s->cert, s->key) != 1) {
		ERR_clear_error();
		util_seterr(errstr, _("the S/MIME key '%s' does not belong to "
		    "the certificate '%s'"), keyfile, in->cert);
		e = ERR_CONFIG;
		goto fail;
	}
	return ERR_OK;
fail:
	self_free(s);
	return e;
}

/* out, through a base64 filter (lines of 64, LF); NULL: no memory. */
static BIO *
base64_to(int fd)
{
	BIO *b64 = BIO_new(BIO_f_base64()), *f = BIO_new_fd(fd, BIO_NOCLOSE);

	if (b64 == NULL || f == NULL) {
		BIO_free(b64);
		BIO_free(f);
		return NULL;
	}
	return BIO_push(b64, f);
}

/* Write cms (streaming the content from data when stream is set); ERR_IO with *errstr. */
static enum err
write_out(CMS_ContentInfo *cms, BIO *data, int stream, int out,
    char **errstr)
{
	BIO *o = base64_to(out);
	int ok;

	if (o == NULL)
		return ERR_NOMEM;
	errno = 0;
	ok = stream ? i2d_CMS_bio_stream(o, cms, data, CMS_BINARY |
	    CMS_STREAM) : i2d_CMS_bio(o, cms);
	if (ok == 1)
		ok = BIO_flush(o);
	BIO_free_all(o);
	if (ok == 1)
		return ERR_OK;
	util_seterr(errstr, _("cannot write the S/MIME part: %s"),
	    errno != 0 ? strerror(errno) : ossl_reason());
	ERR_clear_error();
	return ERR_IO;
}

enum err
smime_sign(const struct smime_self *self, int in, int out, char **errstr)
{
	unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL;
	CMS_ContentInfo *cms = NULL;
	struct self s;
	BIO *data = NULL;
	enum err e;

	if ((e = load_self(self, 1, &s, errstr)) != ERR_OK)
		return e;
	e = ERR_NOMEM;
	if ((data = BIO_new_fd(in, BIO_NOCLOSE)) == NULL)
		goto done;
	if ((cms = CMS_sign(NULL, NULL, s.chain, NULL, flags)) == NULL ||
	    CMS_add1_signer(cms, s.cert, s.key, EVP_sha256(), flags) ==
	    NULL) {
		util_seterr(errstr, _("cannot sign with your S/MIME key: %s"),
		    ossl_reason());
		e = ERR_CONFIG;
		goto done;
	}
	errno = 0;
	if (CMS_final(cms, data, NULL, flags & ~CMS_PARTIAL) != 1) {
		util_seterr(errstr, _("cannot sign the message: %s"),
		    errno != 0 ? strerror(errno) : ossl_reason());
		e = ERR_IO;
		goto done;
	}
	e = write_out(cms, NULL, 0, out, errstr);
done:
	CMS_ContentInfo_free(cms);
	BIO_free(data);
	self_free(&s);
	ERR_clear_error();
	return e;
}

/* --- the recipients' certificates -------------------------------------------- */

/* Does one of x's e-mail addresses (subjectAltName, subject) equal addr? */
static int
names(X509 *x, const char *addr)
{
	STACK_OF(OPENSSL_STRING) *v = X509_get1_email(x);
	int i, yes = 0;

	for (i = 0; v != NULL && i < sk_OPENSSL_STRING_num(v) && !yes; i++)
		yes = strcasecmp(sk_OPENSSL_STRING_value(v, i), addr) == 0;
	X509_email_free(v);
	return yes;
}

/* Take x for each address it is good for and that has none better yet. */
static void
consider(X509 *x, const char *const *rcpt, size_t n, X509 **best)
{
	size_t i;

	if (!valid_now(x) || !fit_for(x, 0))
		return;
	for (i = 0; i < n; i++) {
		if (!names(x, rcpt[i]))
			continue;
		if (best[i] != NULL && ASN1_TIME_compare(X509_get0_notAfter(
		    best[i]), X509_get0_notAfter(x)) >= 0)
			continue;
		if (X509_up_ref(x) != 1)
			continue;
		X509_free(best[i]);
		best[i] = x;
	}
}

/* The certificates of one file of the folder (PEM, or one DER): each considered. */
static void
read_file(int dir, const char *name, const char *const *rcpt, size_t n,
    X509 **best)
{
	const unsigned char *q;
	struct stat st;
	struct buf raw;
	enum err e;
	BIO *b;
	X509 *x;
	int fd, any = 0;

	if ((fd = safefile_open(dir, name, name, O_RDONLY, &e, NULL)) < 0)
		return;
	buf_init(&raw, CERT_FILE_MAX);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    buf_read_fd(&raw, fd) < 0 || raw.len == 0 ||
	    (b = BIO_new_mem_buf(raw.data, (int)raw.len)) == NULL)
		goto out;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		any = 1;
		consider(x, rcpt, n, best);
		X509_free(x);
	}
	BIO_free(b);
	q = (const unsigned char *)raw.data;
	if (!any && (x = d2i_X509(NULL, &q, (long)raw.len)) != NULL) {
		consider(x, rcpt, n, best);
		X509_free(x);
	}
out:
	ERR_clear_error();
	buf_free(&raw);
	(void)close(fd);
}

/*
 * best[i]: the certificate for rcpt[i], or NULL (all NULL without a
 * folder, certdir -1); ERR_IO when the folder cannot be read.
 */
static enum err
find_certs(int certdir, const char *const *rcpt, size_t n, X509 **best,
    char **errstr)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (certdir < 0)
		return ERR_OK;
	if ((fd = dup(certdir)) < 0 || (d = fdopendir(fd)) == NULL) {
		util_seterr(errstr, _("cannot read the folder of S/MIME "
		    "certificates: %s"), strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		return ERR_IO;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			read_file(certdir, de->d_name, rcpt, n, best);
	(void)closedir(d);
	return ERR_OK;
}

/* The addresses of rcpt without a certificate, comma-separated (malloc'd); NULL: all have one. */
static char *
without(const char *const *rcpt, size_t n, X509 *const *best, enum err *e)
{
	struct buf b;
	char *s = NULL;
	size_t i;

	buf_init(&b, 64 * 1024);
	*e = ERR_OK;
	for (i = 0; i < n; i++)
		if (best[i] == NULL && buf_printf(&b, "%s%s", b.len > 0 ?
		    ", " : "", rcpt[i]) < 0)
			*e = ERR_NOMEM;
	if (*e == ERR_OK && b.len > 0 && (s = strdup(buf_str(&b))) == NULL)
		*e = ERR_NOMEM;
	buf_free(&b);
	return s;
}

enum err
smime_encrypt(const char *const *rcpt, size_t n, int certdir,
    const struct smime_self *self, int in, int out, char **missing,
    char **errstr)
{
	unsigned flags = CMS_BINARY | CMS_STREAM;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(X509) *to = NULL;
	X509 **best;
	struct self s;
	BIO *data = NULL;
	size_t i;
	enum err e;

	*missing = NULL;
	if ((e = load_self(self, 0, &s, errstr)) != ERR_OK)
		return e;
	if ((best = calloc(n > 0 ? n : 1, sizeof(*best))) == NULL) {
		self_free(&s);
		return ERR_NOMEM;
	}
	if ((e = find_certs(certdir, rcpt, n, best, errstr)) != ERR_OK)
		goto done;
	if ((*missing = without(rcpt, n, best, &e)) != NULL || e != ERR_OK) {
		if (e == ERR_OK) {
			util_seterr(errstr, _("no usable S/MIME certificate "
			    "for %s"), *missing);
			e = ERR_DATA;
		}
		goto done;
	}
	e = ERR_NOMEM;
	if ((to = sk_X509_new_null()) == NULL ||
	    (data = BIO_new_fd(in, BIO_NOCLOSE)) == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		if (sk_X509_push(to, best[i]) <= 0)
			goto done;
		best[i] = NULL;
	}
	if (sk_X509_push(to, s.cert) <= 0)
		goto done;
	s.cert = NULL;
	if ((cms = CMS_encrypt(to, data, EVP_aes_256_cbc(), flags)) == NULL) {
		util_seterr(errstr, _("cannot encrypt the message: %s"),
		    ossl_reason());
		e = ERR_CONFIG;
		goto done;
	}
	e = write_out(cms, data, 1, out, errstr);
done:
	for (i = 0; i < n; i++)
		X509_free(best[i]);
	free(best);
	sk_X509_pop_free(to, X509_free);
	CMS_ContentInfo_free(cms);
	BIO_free(data);
	self_free(&s);
	ERR_clear_error();
	return e;
}
