/* gpgmod.c - the gpg module (module.h): signing, encryption and key export through GPGME; built into mod/gpg.so only. */
/* SPDX-License-Identifier: ISC */
#include "gpgmod.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gpgme.h>

#include "base64.h"
#include "buf.h"
#include "i18n.h"
#include "util.h"

#define IN_BLOCK (64 * 1024)
#define KEYS_MAX 256              /* recipients of one message, with self */

/* --- the input: LF lines read from a descriptor, given out as CRLF ------- */

struct crlf_src {
	int fd;
	char *blk;
	size_t pos, len;
	int cr_due;               /* a LF is owed after the CR given out */
};

static ssize_t
src_read(void *handle, void *buffer, size_t size)
{
	struct crlf_src *s = handle;
	char *out = buffer;
	size_t n = 0;
	ssize_t r;
	char c;

	while (n < size) {
		if (s->cr_due) {
			out[n++] = '\n';
			s->cr_due = 0;
			continue;
		}
		if (s->pos == s->len) {
			do
				r = read(s->fd, s->blk, IN_BLOCK);
			while (r < 0 && errno == EINTR);
			if (r < 0)
				return n > 0 ? (ssize_t)n : -1;
			if (r == 0)
				break;
			s->pos = 0;
			s->len = (size_t)r;
		}
		c = s->blk[s->pos++];
		if (c == '\n') {
			out[n++] = '\r';
			s->cr_due = 1;
		} else {
			out[n++] = c;
		}
	}
	return (ssize_t)n;
}

static struct gpgme_data_cbs src_cbs = { src_read, NULL, NULL, NULL };

/* --- a context and keys ------------------------------------------------- */

static enum err
gpg_fail(gpgme_error_t err, const char *what, char **errstr)
{
	if (gpgme_err_code(err) == GPG_ERR_ENOMEM)
		return ERR_NOMEM;
	util_seterr(errstr, "%s: %s", what, gpgme_strerror(err));
	return ERR_IO;
}

static enum err
ctx_new(gpgme_ctx_t *ctx, int armor, char **errstr)
{
	gpgme_error_t err;

	(void)gpgme_check_version(NULL);
	if ((err = gpgme_new(ctx)) != 0 ||
	    (err = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP)) != 0)
		return gpg_fail(err, _("GnuPG cannot be used"), errstr);
	gpgme_set_armor(*ctx, armor);
	gpgme_set_textmode(*ctx, 0);
	return ERR_OK;
}

static int
key_ok(gpgme_key_t k, int secret)
{
	if (k->revoked || k->expired || k->disabled || k->invalid)
		return 0;
	return secret ? k->can_sign && k->secret : k->can_encrypt;
}

/* Has k a user id of exactly addr, valid enough to encrypt to without asking? */
static int
uid_matches(gpgme_key_t k, const char *addr)
{
	gpgme_user_id_t u;

	for (u = k->uids; u != NULL; u = u->next)
		if (!u->revoked && !u->invalid && u->address != NULL &&
		    strcasecmp(u->address, addr) == 0 &&
		    u->validity >= GPGME_VALIDITY_MARGINAL)
			return 1;
	return 0;
}

/*
 * The first usable key for pattern.  secret: a secret key that can sign
 * (the user's own); else a public key that can encrypt to the address
 * pattern.  NULL when there is none (or on an error: the same answer).
 */
static gpgme_key_t
find_key(gpgme_ctx_t ctx, const char *pattern, int secret, int encrypt)
{
	gpgme_key_t k, found = NULL;

	if (gpgme_op_keylist_start(ctx, pattern, secret) != 0)
		return NULL;
	while (found == NULL && gpgme_op_keylist_next(ctx, &k) == 0) {
		if (secret ? key_ok(k, 1) && (!encrypt || k->can_encrypt) :
		    key_ok(k, 0) && uid_matches(k, pattern))
			found = k;
		else
			gpgme_key_unref(k);
	}
	(void)gpgme_op_keylist_end(ctx);
	return found;
}

static enum err
add_signer(gpgme_ctx_t ctx, const char *signer, char **errstr)
{
	gpgme_key_t k = find_key(ctx, signer, 1, 0);
	gpgme_error_t err;

	if (k == NULL) {
		util_seterr(errstr, _("no secret key to sign with for '%s' "
		    "(set pgp_key in the account)"), signer);
		return ERR_DATA;
	}
	err = gpgme_signers_add(ctx, k);
	gpgme_key_unref(k);
	return err != 0 ? gpg_fail(err, _("cannot sign"), errstr) : ERR_OK;
}

/* Data objects for in and out. */
static enum err
data_pair(gpgme_data_t *din, gpgme_data_t *dout, struct crlf_src *s, int in,
    int out, char **errstr)
{
	gpgme_error_t err;

	memset(s, 0, sizeof(*s));
	s->fd = in;
	if ((s->blk = malloc(IN_BLOCK)) == NULL)
		return ERR_NOMEM;
	if ((err = gpgme_data_new_from_cbs(din, &src_cbs, s)) != 0)
		return gpg_fail(err, _("GnuPG cannot be used"), errstr);
	if ((err = gpgme_data_new_from_fd(dout, out)) != 0) {
		gpgme_data_release(*din);
		*din = NULL;
		return gpg_fail(err, _("GnuPG cannot be used"), errstr);
	}
	return ERR_OK;
}

/* --- the table's functions ---------------------------------------------- */

static enum err
gpg_sign(const char *signer, int in, int out, char **micalg, char **errstr)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t din = NULL, dout = NULL;
	gpgme_sign_result_t sr;
	gpgme_error_t err;
	struct crlf_src s;
	const char *h;
	char *m = NULL;
	size_t i;
	enum err e;

	*micalg = NULL;
	memset(&s, 0, sizeof(s));
	if ((e = ctx_new(&ctx, 1, errstr)) != ERR_OK ||
	    (e = add_signer(ctx, signer, errstr)) != ERR_OK ||
	    (e = data_pair(&din, &dout, &s, in, out, errstr)) != ERR_OK)
		goto out;
	if ((err = gpgme_op_sign(ctx, din, dout, GPGME_SIG_MODE_DETACH)) != 0) {
		e = gpg_fail(err, _("signing failed"), errstr);
		goto out;
	}
	sr = gpgme_op_sign_result(ctx);
	if (sr == NULL || sr->signatures == NULL || (h =
	    gpgme_hash_algo_name(sr->signatures->hash_algo)) == NULL) {
		util_seterr(errstr, _("signing failed: %s"),
		    _("GnuPG made no signature"));
		e = ERR_IO;
		goto out;
	}
	if ((m = util_strf("pgp-%s", h)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	for (i = 0; m[i] != '\0'; i++)
		if (m[i] >= 'A' && m[i] <= 'Z')
			m[i] = (char)(m[i] - 'A' + 'a');
	*micalg = m;
out:
	gpgme_data_release(din);
	gpgme_data_release(dout);
	gpgme_release(ctx);
	free(s.blk);
	return e;
}

/* Append ", addr" (or "addr") to the list of addresses without a key. */
static int
note_missing(struct buf *b, const char *addr)
{
	if (b->len > 0 && buf_add(b, ", ", 2) < 0)
		return -1;
	return buf_add(b, addr, strlen(addr));
}

static enum err
gpg_encrypt(const char *const *rcpt, size_t n, const char *self,
    const char *signer, int in, int out, char **missing, char **errstr)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t din = NULL, dout = NULL;
	gpgme_key_t keys[KEYS_MAX + 2];
	gpgme_error_t err;
	struct crlf_src s;
	struct buf miss;
	size_t i, nk = 0;
	enum err e;

	*missing = NULL;
	memset(&s, 0, sizeof(s));
	buf_init(&miss, 64 * 1024);
	if (n > KEYS_MAX) {
		util_seterr(errstr, _("too many recipients to encrypt to "
		    "(at most %d)"), KEYS_MAX);
		return ERR_DATA;
	}
	if ((e = ctx_new(&ctx, 1, errstr)) != ERR_OK)
		goto out;
	for (i = 0; i < n; i++)
		if ((keys[nk] = find_key(ctx, rcpt[i], 0, 1)) != NULL)
			nk++;
		else if (note_missing(&miss, rcpt[i]) < 0) {
			e = ERR_NOMEM;
			goto out;
		}
	/* Encrypted to the sender too, so that the sent copy stays readable. */
	if ((keys[nk] = find_key(ctx, self, 1, 1)) != NULL)
		nk++;
	else if (note_missing(&miss, self) < 0) {
		e = ERR_NOMEM;
		goto out;
	}
	keys[nk] = NULL;
	if (miss.len > 0) {
		if ((*missing = strdup(miss.data)) == NULL)
			e = ERR_NOMEM;
		else
			e = ERR_DATA;
		goto out;
	}
	if ((signer != NULL && (e = add_signer(ctx, signer, errstr)) !=
	    ERR_OK) || (e = data_pair(&din, &dout, &s, in, out, errstr)) !=
	    ERR_OK)
		goto out;
	err = signer != NULL ? gpgme_op_encrypt_sign(ctx, keys, 0, din, dout) :
	    gpgme_op_encrypt(ctx, keys, 0, din, dout);
	if (err != 0)
		e = gpg_fail(err, _("encryption failed"), errstr);
out:
	for (i = 0; i < nk; i++)
		gpgme_key_unref(keys[i]);
	buf_free(&miss);
	gpgme_data_release(din);
	gpgme_data_release(dout);
	gpgme_release(ctx);
	free(s.blk);
	return e;
}

static enum err
gpg_export_min(const char *who, char **b64, char **errstr)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t d = NULL;
	gpgme_key_t keys[2] = { NULL, NULL };
	gpgme_error_t err;
	struct buf b;
	char *p = NULL;
	size_t len = 0;
	enum err e;

	*b64 = NULL;
	buf_init(&b, 1024 * 1024);
	if ((e = ctx_new(&ctx, 0, errstr)) != ERR_OK)
		goto out;
	if ((keys[0] = find_key(ctx, who, 1, 0)) == NULL) {
		util_seterr(errstr, _("no key of your own for '%s' to put in "
		    "the Autocrypt header (set pgp_key in the account)"), who);
		e = ERR_DATA;
		goto out;
	}
	if ((err = gpgme_data_new(&d)) != 0 ||
	    (err = gpgme_op_export_keys(ctx, keys, GPGME_EXPORT_MODE_MINIMAL,
	    d)) != 0) {
		e = gpg_fail(err, _("cannot export the key"), errstr);
		goto out;
	}
	p = gpgme_data_release_and_get_mem(d, &len);
	d = NULL;
	if (p == NULL || len == 0) {
		util_seterr(errstr, _("no key of your own for '%s' to put in "
		    "the Autocrypt header (set pgp_key in the account)"), who);
		e = ERR_DATA;
		goto out;
	}
	if (base64_encode_buf(&b, p, len) < 0) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((*b64 = strdup(b.data)) == NULL)
		e = ERR_NOMEM;
out:
	gpgme_free(p);
	gpgme_data_release(d);
	gpgme_key_unref(keys[0]);
	gpgme_release(ctx);
	buf_free(&b);
	return e;
}

extern const struct gpgmod pigeon_gpg_module;

const struct gpgmod pigeon_gpg_module = {
	GPGMOD_ABI,
	gpg_sign,
	gpg_encrypt,
	gpg_export_min,
};
