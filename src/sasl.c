/* sasl.c - SASL client mechanisms for SMTP AUTH: pure, no I/O, no output. */
/* SPDX-License-Identifier: ISC */
#include "sasl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "crypto.h"
#include "i18n.h"
#include "saslshow.h"
#include "util.h"

/*
 * Longest user name, secret or host name accepted.  Real ones are far
 * shorter (an OAuth token is a few KiB at most); the bound keeps every
 * length sum below overflow and fits OpenSSL's int lengths.
 */
#define SASL_FIELD_MAX     65536
/* Longest decoded challenge; anything longer is not a sane server. */
#define SASL_CHALLENGE_MAX 65536
/* How much of a server's error text goes into errstr. */
#define SASL_DETAIL_MAX    512

/*
 * SCRAM iteration counts.  RFC 7677 asks servers for at least 4096, but
 * older servers use less and the count is the server's choice, so any
 * positive count is accepted.  The cap stops a hostile server from making
 * the client spin for minutes: PBKDF2 with 10,000,000 rounds takes about
 * two seconds on a current x86 core.
 */
#define SCRAM_ITER_MAX     10000000L
/* Raw random bytes in a client nonce: 24 bytes make 32 base64 characters. */
#define SCRAM_NONCE_BYTES  24
/* SHA-256 output size, the size of every SCRAM key and signature. */
#define SCRAM_HASH_LEN     32

struct sasl {
	enum sasl_mech mech;
	char *user;
	char *secret;            /* password or OAuth token; wiped on free */
	size_t secret_len;
	char *host;              /* OAUTHBEARER only; may be NULL */
	unsigned port;
	int started;             /* sasl_start() has run */
	unsigned steps;          /* challenges answered since sasl_start() */
	int verified;            /* SCRAM: the server signature was right */
	char *nonce;             /* SCRAM client nonce */
	int nonce_fixed;         /* set by sasl_set_nonce(): keep it */
	char *first_bare;        /* SCRAM client-first-message-bare */
	unsigned char server_sig[SCRAM_HASH_LEN]; /* SCRAM: what to expect */
};

static const char *const mech_names[SASL_MECH_COUNT_] = {
	[SASL_PLAIN] = "PLAIN",
	[SASL_LOGIN] = "LOGIN",
	[SASL_CRAM_MD5] = "CRAM-MD5",
	[SASL_SCRAM_SHA_256] = "SCRAM-SHA-256",
	[SASL_XOAUTH2] = "XOAUTH2",
	[SASL_OAUTHBEARER] = "OAUTHBEARER",
};

/* Password mechanisms, strongest first. */
static const enum sasl_mech password_order[] = {
	SASL_SCRAM_SHA_256, SASL_CRAM_MD5, SASL_PLAIN, SASL_LOGIN
};
/* OAuth mechanisms: the standard one first. */
static const enum sasl_mech oauth_order[] = {
	SASL_OAUTHBEARER, SASL_XOAUTH2
};

/*
 * Protocol tokens are ASCII.  strcasecmp() follows the locale, and in a
 * Turkish locale "plain" and "PLAIN" need not compare equal.
 */
static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* 1 when the n bytes at tok spell name, ignoring ASCII case. */
static int
token_is(const char *tok, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (name[i] == '\0' || ascii_lower((unsigned char)tok[i]) !=
		    ascii_lower((unsigned char)name[i]))
			return 0;
	}
	return name[n] == '\0';
}

const char *
sasl_mech_name(enum sasl_mech m)
{
	if ((unsigned)m >= SASL_MECH_COUNT_)
		return "UNKNOWN";
	return mech_names[m];
}

int
sasl_mech_from_name(const char *name)
{
	int m;

	if (name == NULL)
		return -1;
	for (m = 0; m < SASL_MECH_COUNT_; m++)
		if (token_is(name, strlen(name), mech_names[m]))
			return m;
	return -1;
}

int
sasl_mech_plaintext(enum sasl_mech m)
{
	switch (m) {
	case SASL_CRAM_MD5:
	case SASL_SCRAM_SHA_256:
		return 0;
	case SASL_PLAIN:
	case SASL_LOGIN:
	case SASL_XOAUTH2:
	case SASL_OAUTHBEARER:
	default:
		/* Unknown mechanisms are treated as the unsafe kind. */
		return 1;
	}
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\f' || c == '\v';
}

/* 1 when the space-separated list offered names mech. */
static int
offers(const char *offered, enum sasl_mech mech)
{
	const char *p = offered, *tok;

	for (;;) {
		while (is_space(*p))
			p++;
		if (*p == '\0')
			return 0;
		tok = p;
		while (*p != '\0' && !is_space(*p))
			p++;
		if (token_is(tok, (size_t)(p - tok), mech_names[mech]))
			return 1;
	}
}

int
sasl_choose(const char *offered, int oauth)
{
	const enum sasl_mech *order;
	size_t i, n;

	if (offered == NULL)
		return -1;
	if (oauth) {
		order = oauth_order;
		n = sizeof(oauth_order) / sizeof(oauth_order[0]);
	} else {
		order = password_order;
		n = sizeof(password_order) / sizeof(password_order[0]);
	}
	for (i = 0; i < n; i++)
		if (offers(offered, order[i]))
			return (int)order[i];
	return -1;
}

/* Free a string after overwriting it. */
static void
free_secret(char *s, size_t len)
{
	if (s != NULL) {
		explicit_bzero(s, len);
		free(s);
	}
}

static void
free_string_secret(char *s)
{
	if (s != NULL)
		free_secret(s, strlen(s));
}

/*
 * A scratch buffer for plaintext that holds a secret.  It gets all its
 * memory at once and its limit equals that size, so it is never
 * reallocated: realloc() could leave an unwiped copy in freed memory.  An
 * append past max fails instead.  Release with buf_free_secret().
 */
static int
secret_buf(struct buf *b, size_t max)
{
	buf_init(b, max);
	return buf_reserve(b, max);
}

/* A copy of s, refused (EINVAL) when longer than SASL_FIELD_MAX. */
static char *
copy_field(const char *s)
{
	size_t n;
	char *p;

	n = strlen(s);
	if (n > SASL_FIELD_MAX) {
		errno = EINVAL;
		return NULL;
	}
	p = malloc(n + 1);
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(p, s, n + 1);
	return p;
}

struct sasl *
sasl_new(enum sasl_mech m, const char *user, const char *secret,
    const char *host, unsigned port)
{
	struct sasl *s;
	int oauth;

	if ((unsigned)m >= SASL_MECH_COUNT_ || user == NULL || secret == NULL) {
		errno = EINVAL;
		return NULL;
	}
	/* The OAuth formats separate their fields with ^A. */
	oauth = m == SASL_XOAUTH2 || m == SASL_OAUTHBEARER;
	if (oauth && (strchr(user, '\001') != NULL ||
	    strchr(secret, '\001') != NULL ||
	    (host != NULL && strchr(host, '\001') != NULL))) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	s->mech = m;
	s->port = port;
	if ((s->user = copy_field(user)) == NULL ||
	    (s->secret = copy_field(secret)) == NULL)
		goto fail;
	s->secret_len = strlen(s->secret);
	if (m == SASL_OAUTHBEARER && host != NULL &&
	    (s->host = copy_field(host)) == NULL)
		goto fail;
	return s;

fail:
	sasl_free(s);
	return NULL;
}

void
sasl_free(struct sasl *s)
{
	int saved = errno;

	if (s == NULL)
		return;
	free_string_secret(s->user);
	free_secret(s->secret, s->secret_len);
	free(s->host);
	free(s->nonce);
	free(s->first_bare);
	explicit_bzero(s, sizeof(*s));
	free(s);
	errno = saved;
}

/* Printable ASCII except ',', as RFC 5802 wants in a nonce. */
static int
nonce_char(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ',';
}

int
sasl_set_nonce(struct sasl *s, const char *nonce)
{
	const char *p;
	char *copy;

	if (nonce == NULL || *nonce == '\0') {
		errno = EINVAL;
		return -1;
	}
	for (p = nonce; *p != '\0'; p++) {
		if (!nonce_char((unsigned char)*p)) {
			errno = EINVAL;
			return -1;
		}
	}
	if ((copy = copy_field(nonce)) == NULL)
		return -1;
	free(s->nonce);
	s->nonce = copy;
	s->nonce_fixed = 1;
	return 0;
}

/*
 * Append a SCRAM saslname (also used by OAUTHBEARER's gs2-header): ','
 * and '=' would end or confuse the attribute, so they become "=2C" and
 * "=3D".
 *
 * SASLprep (RFC 4013) is not applied to the name or the password: they go
 * on the wire as the UTF-8 bytes the user typed.  For ASCII that is
 * exactly what SASLprep would give, except for the rare control and space
 * characters it maps or refuses; a non-ASCII password works only if the
 * server stored it in the same normalisation form.
 */
static int
add_saslname(struct buf *b, const char *name)
{
	const char *p;
	int r = 0;

	for (p = name; *p != '\0' && r == 0; p++) {
		if (*p == ',')
			r = buf_add(b, "=2C", 3);
		else if (*p == '=')
			r = buf_add(b, "=3D", 3);
		else
			r = buf_addch(b, *p);
	}
	return r;
}

/*
 * base64-encode plaintext onto out, leaving out as it was on failure.  A
 * full out buffer (E2BIG) is reported like a failed allocation: either way
 * there is no room for the response.
 */
static enum err
add_encoded(struct buf *out, const struct buf *plain)
{
	if (base64_encode_buf(out, buf_str(plain), plain->len) < 0)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
start_plain(struct sasl *s, struct buf *out)
{
	struct buf m;
	enum err e = ERR_NOMEM;

	/* authzid empty: act as the user we authenticate as (RFC 4616). */
	if (secret_buf(&m, strlen(s->user) + s->secret_len + 2) == 0 &&
	    buf_addch(&m, '\0') == 0 &&
	    buf_addstr(&m, s->user) == 0 &&
	    buf_addch(&m, '\0') == 0 &&
	    buf_add(&m, s->secret, s->secret_len) == 0)
		e = add_encoded(out, &m);
	buf_free_secret(&m);
	return e;
}

static enum err
start_xoauth2(struct sasl *s, struct buf *out)
{
	struct buf m;
	enum err e = ERR_NOMEM;

	if (secret_buf(&m, strlen(s->user) + s->secret_len + 32) == 0 &&
	    buf_add(&m, "user=", 5) == 0 &&
	    buf_addstr(&m, s->user) == 0 &&
	    buf_addstr(&m, "\001auth=Bearer ") == 0 &&
	    buf_add(&m, s->secret, s->secret_len) == 0 &&
	    buf_add(&m, "\001\001", 2) == 0)
		e = add_encoded(out, &m);
	buf_free_secret(&m);
	return e;
}

static enum err
start_oauthbearer(struct sasl *s, struct buf *out)
{
	struct buf m;
	char port[32];
	size_t max;
	enum err e = ERR_NOMEM;
	int n;

	port[0] = '\0';
	if (s->port != 0) {
		n = snprintf(port, sizeof(port), "\001port=%u", s->port);
		if (n < 0 || (size_t)n >= sizeof(port))
			return ERR_SOFTWARE;
	}
	/* Escaping at most triples the name; the rest is short and fixed. */
	max = 3 * strlen(s->user) + s->secret_len + strlen(port) + 32;
	if (s->host != NULL)
		max += strlen(s->host) + 6;
	/*
	 * The gs2-header names the user as authzid.  Its syntax has no empty
	 * authzid, so an empty user name leaves it out.
	 */
	if (secret_buf(&m, max) == 0 &&
	    buf_add(&m, "n,", 2) == 0 &&
	    (s->user[0] == '\0' || (buf_add(&m, "a=", 2) == 0 &&
	    add_saslname(&m, s->user) == 0)) &&
	    buf_addch(&m, ',') == 0 &&
	    (s->host == NULL || (buf_add(&m, "\001host=", 6) == 0 &&
	    buf_addstr(&m, s->host) == 0)) &&
	    buf_addstr(&m, port) == 0 &&
	    buf_addstr(&m, "\001auth=Bearer ") == 0 &&
	    buf_add(&m, s->secret, s->secret_len) == 0 &&
	    buf_add(&m, "\001\001", 2) == 0)
		e = add_encoded(out, &m);
	buf_free_secret(&m);
	return e;
}

static enum err
start_scram(struct sasl *s, struct buf *out)
{
	unsigned char raw[SCRAM_NONCE_BYTES];
	struct buf m;
	char *nonce;
	enum err e;

	s->verified = 0;
	explicit_bzero(s->server_sig, sizeof(s->server_sig));
	if (!s->nonce_fixed) {
		if (util_random(raw, sizeof(raw)) < 0)
			return ERR_SOFTWARE;
		nonce = malloc(BASE64_LEN(sizeof(raw)) + 1);
		if (nonce == NULL)
			return ERR_NOMEM;
		nonce[base64_encode(nonce, raw, sizeof(raw))] = '\0';
		explicit_bzero(raw, sizeof(raw));
		free(s->nonce);
		s->nonce = nonce;
	}

	/* client-first-message-bare, kept for the AuthMessage. */
	buf_init(&m, 3 * strlen(s->user) + strlen(s->nonce) + 16);
	if (buf_add(&m, "n=", 2) < 0 || add_saslname(&m, s->user) < 0 ||
	    buf_add(&m, ",r=", 3) < 0 || buf_addstr(&m, s->nonce) < 0) {
		buf_free(&m);
		return ERR_NOMEM;
	}
	free(s->first_bare);
	s->first_bare = m.data;

	/* No channel binding and no authzid: the gs2-header is "n,,". */
	buf_init(&m, strlen(s->first_bare) + 3);
	if (buf_add(&m, "n,,", 3) < 0 || buf_addstr(&m, s->first_bare) < 0) {
		buf_free(&m);
		return ERR_NOMEM;
	}
	e = add_encoded(out, &m);
	buf_free(&m);
	return e;
}

enum err
sasl_start(struct sasl *s, struct buf *out, int *has_initial)
{
	size_t len0 = out->len;
	enum err e;

	s->started = 1;
	s->steps = 0;
	s->verified = 0;
	*has_initial = 1;
	switch (s->mech) {
	case SASL_PLAIN:
		e = start_plain(s, out);
		break;
	case SASL_XOAUTH2:
		e = start_xoauth2(s, out);
		break;
	case SASL_OAUTHBEARER:
		e = start_oauthbearer(s, out);
		break;
	case SASL_SCRAM_SHA_256:
		e = start_scram(s, out);
		break;
	case SASL_LOGIN:
	case SASL_CRAM_MD5:
	default:
		/* LOGIN and CRAM-MD5 speak only when spoken to. */
		*has_initial = 0;
		e = ERR_OK;
		break;
	}
	if (e != ERR_OK) {
		buf_truncate(out, len0);
		s->started = 0;
		*has_initial = 0;
	}
	return e;
}

/*
 * Server text for errstr: printable ASCII only, so that a hostile server
 * cannot send terminal escapes, and bounded.
 */
static void
set_server_error(char **errstr, const char *what, const char *p, size_t n)
{
	char text[SASL_DETAIL_MAX + 4];
	size_t i, k = 0;

	for (i = 0; i < n && k < SASL_DETAIL_MAX; i++) {
		unsigned char c = (unsigned char)p[i];

		/* JSON arrives pretty-printed; fold its lines into spaces. */
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		text[k++] = c >= 0x20 && c <= 0x7e ? (char)c : '?';
	}
	if (i < n) {
		memcpy(text + k, "...", 3);
		k += 3;
	}
	text[k] = '\0';
	util_seterr(errstr, "%s: %s", what, text);
}

/* Hex of n bytes in lower case, appended to b. */
static int
add_hex(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++)
		if (buf_addch(b, hex[p[i] >> 4]) < 0 ||
		    buf_addch(b, hex[p[i] & 0x0f]) < 0)
			return -1;
	return 0;
}

static enum err
step_login(struct sasl *s, struct buf *out, char **errstr)
{
	/*
	 * The prompts are normally "Username:" and "Password:", but servers
	 * word them differently, so only their order counts.
	 */
	switch (s->steps) {
	case 1:
		if (base64_encode_buf(out, s->user, strlen(s->user)) < 0)
			return ERR_NOMEM;
		return ERR_OK;
	case 2:
		if (base64_encode_buf(out, s->secret, s->secret_len) < 0)
			return ERR_NOMEM;
		return ERR_OK;
	default:
		util_seterr(errstr,
		    "%s", _("the server asked for more than user name and password"));
		return ERR_PROTOCOL;
	}
}

static enum err
step_cram_md5(struct sasl *s, const struct buf *chal, struct buf *out,
    char **errstr)
{
	unsigned char mac[CRYPTO_MD5_LEN];
	size_t maclen = sizeof(mac);
	struct buf m;
	enum err e = ERR_NOMEM;

	if (s->steps != 1) {
		util_seterr(errstr, "%s", _("unexpected second CRAM-MD5 challenge"));
		return ERR_PROTOCOL;
	}
	if (chal->len == 0) {
		util_seterr(errstr, "%s", _("empty CRAM-MD5 challenge"));
		return ERR_PROTOCOL;
	}
	if (crypto_hmac(CRYPTO_MD5, s->secret, s->secret_len, buf_str(chal),
	    chal->len, mac) < 0) {
		explicit_bzero(mac, sizeof(mac));
		util_seterr(errstr, "%s", _("HMAC-MD5 is not available"));
		return ERR_SOFTWARE;
	}
	if (secret_buf(&m, strlen(s->user) + 1 + 2 * maclen) == 0 &&
	    buf_addstr(&m, s->user) == 0 &&
	    buf_addch(&m, ' ') == 0 &&
	    add_hex(&m, mac, maclen) == 0)
		e = add_encoded(out, &m);
	buf_free_secret(&m);
	explicit_bzero(mac, sizeof(mac));
	return e;
}

/*
 * One "x=value" attribute of a SCRAM message at *p (up to end): check the
 * name, return the value as (*v, *vlen) and move *p past the ',' that
 * follows, if any.  0, or -1 when the attribute is not there.
 */
static int
scram_attr(const char **p, const char *end, char name, const char **v,
    size_t *vlen)
{
	const char *q;

	if (end - *p < 2 || (*p)[0] != name || (*p)[1] != '=')
		return -1;
	*v = *p + 2;
	q = memchr(*v, ',', (size_t)(end - *v));
	if (q == NULL)
		q = end;
	*vlen = (size_t)(q - *v);
	*p = q < end ? q + 1 : end;
	return 0;
}

/* RFC 5802 posit-number: no sign, no leading zero, within the cap. */
static long
scram_iterations(const char *p, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || p[0] == '0')
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
		if (v > SCRAM_ITER_MAX)
			return -1;
	}
	return v;
}

/* a[0..n) == b[0..n), in a time that does not depend on where they differ. */
static int
same_secret(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

static int
hmac256(const void *key, size_t keylen, const void *d, size_t n,
    unsigned char out[SCRAM_HASH_LEN])
{
	return crypto_hmac(CRYPTO_SHA256, key, keylen, d, n, out);
}

/*
 * The keys of RFC 5802 section 3, from the salted password: fill proof
 * (ClientProof) and s->server_sig (ServerSignature) for authmsg.
 */
static int
scram_keys(struct sasl *s, const unsigned char *salt, size_t saltlen,
    long iter, const struct buf *authmsg, unsigned char *proof)
{
	unsigned char salted[SCRAM_HASH_LEN], client_key[SCRAM_HASH_LEN];
	unsigned char stored_key[SCRAM_HASH_LEN], server_key[SCRAM_HASH_LEN];
	unsigned char client_sig[SCRAM_HASH_LEN];
	size_t i;
	int r = -1;

	if (crypto_pbkdf2_sha256(s->secret, s->secret_len, salt, saltlen,
	    iter, salted) < 0)
		goto out;
	if (hmac256(salted, sizeof(salted), "Client Key", 10,
	    client_key) < 0)
		goto out;
	if (crypto_sha256(client_key, sizeof(client_key), stored_key) < 0)
		goto out;
	if (hmac256(stored_key, sizeof(stored_key), authmsg->data,
	    authmsg->len, client_sig) < 0)
		goto out;
	for (i = 0; i < SCRAM_HASH_LEN; i++)
		proof[i] = client_key[i] ^ client_sig[i];
	if (hmac256(salted, sizeof(salted), "Server Key", 10,
	    server_key) < 0)
		goto out;
	if (hmac256(server_key, sizeof(server_key), authmsg->data,
	    authmsg->len, s->server_sig) < 0)
		goto out;
	r = 0;
out:
	explicit_bzero(salted, sizeof(salted));
	explicit_bzero(client_key, sizeof(client_key));
	explicit_bzero(stored_key, sizeof(stored_key));
	explicit_bzero(server_key, sizeof(server_key));
	explicit_bzero(client_sig, sizeof(client_sig));
	return r;
}

/* server-first-message in, client-final-message out. */
static enum err
scram_first(struct sasl *s, const struct buf *chal, struct buf *out,
    char **errstr)
{
	const char *p = buf_str(chal), *end = p + chal->len;
	const char *r, *salt64, *iters;
	size_t rlen, salt64len, iterslen, noncelen, i;
	unsigned char proof[SCRAM_HASH_LEN];
	struct buf salt, authmsg, final;
	long iter;
	enum err e;
	int nomem;

	if (chal->len >= 2 && p[0] == 'e' && p[1] == '=') {
		set_server_error(errstr, _("SCRAM server error"), p + 2,
		    chal->len - 2);
		return ERR_AUTH;
	}
	if (memchr(p, '\0', chal->len) != NULL)
		goto bad;
	/* "m=" would announce an extension the client must understand. */
	if (scram_attr(&p, end, 'r', &r, &rlen) < 0 ||
	    scram_attr(&p, end, 's', &salt64, &salt64len) < 0 ||
	    scram_attr(&p, end, 'i', &iters, &iterslen) < 0)
		goto bad;
	/* Anything after i= is an optional extension and is ignored. */

	noncelen = strlen(s->nonce);
	if (rlen < noncelen || memcmp(r, s->nonce, noncelen) != 0) {
		util_seterr(errstr,
		    "%s", _("the SCRAM server nonce does not extend ours"));
		return ERR_PROTOCOL;
	}
	for (i = noncelen; i < rlen; i++)
		if (!nonce_char((unsigned char)r[i]))
			goto bad;
	if ((iter = scram_iterations(iters, iterslen)) < 0) {
		set_server_error(errstr, _("bad SCRAM iteration count"), iters,
		    iterslen);
		return ERR_PROTOCOL;
	}
	buf_init(&salt, SASL_CHALLENGE_MAX);
	if (salt64len == 0 || base64_decode_buf(&salt, salt64, salt64len) < 0) {
		nomem = salt64len > 0 && errno == ENOMEM;
		buf_free(&salt);
		if (nomem)
			return ERR_NOMEM;
		goto bad;
	}

	/* client-final-message-without-proof, then the AuthMessage. */
	buf_init(&final, rlen + 16 + BASE64_LEN(SCRAM_HASH_LEN));
	buf_init(&authmsg, strlen(s->first_bare) + chal->len + rlen + 16);
	e = ERR_NOMEM;
	if (buf_add(&final, "c=biws,r=", 9) < 0 ||
	    buf_add(&final, r, rlen) < 0 ||
	    buf_addstr(&authmsg, s->first_bare) < 0 ||
	    buf_addch(&authmsg, ',') < 0 ||
	    buf_add(&authmsg, chal->data, chal->len) < 0 ||
	    buf_addch(&authmsg, ',') < 0 ||
	    buf_add(&authmsg, final.data, final.len) < 0)
		goto done;
	if (scram_keys(s, (unsigned char *)salt.data, salt.len, iter,
	    &authmsg, proof) < 0) {
		util_seterr(errstr, "%s", _("SCRAM key derivation failed"));
		e = ERR_SOFTWARE;
		goto done;
	}
	if (buf_add(&final, ",p=", 3) < 0 ||
	    base64_encode_buf(&final, proof, sizeof(proof)) < 0)
		goto done;
	e = add_encoded(out, &final);
done:
	explicit_bzero(proof, sizeof(proof));
	buf_free(&salt);
	buf_free(&authmsg);
	buf_free_secret(&final);
	return e;

bad:
	util_seterr(errstr, "%s", _("malformed SCRAM server-first-message"));
	return ERR_PROTOCOL;
}

/* server-final-message: check the server knows the password too. */
static enum err
scram_final(struct sasl *s, const struct buf *chal, char **errstr)
{
	const char *p = buf_str(chal), *end = p + chal->len, *v;
	size_t vlen;
	struct buf sig;
	int ok, nomem;

	if (chal->len >= 2 && p[0] == 'e' && p[1] == '=') {
		set_server_error(errstr, _("SCRAM server error"), p + 2,
		    chal->len - 2);
		return ERR_AUTH;
	}
	if (memchr(p, '\0', chal->len) != NULL ||
	    scram_attr(&p, end, 'v', &v, &vlen) < 0) {
		util_seterr(errstr,
		    "%s", _("malformed SCRAM server-final-message"));
		return ERR_PROTOCOL;
	}
	buf_init(&sig, SCRAM_HASH_LEN);
	if (base64_decode_buf(&sig, v, vlen) < 0) {
		nomem = errno == ENOMEM;
		buf_free(&sig);
		if (nomem)
			return ERR_NOMEM;
		util_seterr(errstr,
		    "%s", _("malformed SCRAM server-final-message"));
		return ERR_PROTOCOL;
	}
	ok = sig.len == SCRAM_HASH_LEN &&
	    same_secret(sig.data, s->server_sig, SCRAM_HASH_LEN);
	buf_free(&sig);
	if (!ok) {
		util_seterr(errstr, "%s", _("the server could not prove it knows "
		    "the password (wrong SCRAM server signature)"));
		return ERR_AUTH;
	}
	/* Proven: the answer is an empty line, so nothing is appended. */
	s->verified = 1;
	return ERR_OK;
}

static enum err
step_scram(struct sasl *s, const struct buf *chal, struct buf *out,
    char **errstr)
{
	switch (s->steps) {
	case 1:
		return scram_first(s, chal, out, errstr);
	case 2:
		return scram_final(s, chal, errstr);
	default:
		util_seterr(errstr, "%s", _("unexpected SCRAM challenge"));
		return ERR_PROTOCOL;
	}
}

/*
 * A 334 after an OAuth initial response carries the server's JSON error
 * (RFC 7628 section 3.2.2).  The exchange must still be finished with a
 * dummy response, after which the server sends its failure reply.
 */
static enum err
step_oauth(struct sasl *s, const char *b64, size_t b64len,
    const struct buf *chal, struct buf *out, char **errstr)
{
	struct buf words, unused;
	char *raw;
	size_t i;

	if (s->steps != 1) {
		util_seterr(errstr, "%s", _("unexpected OAuth challenge"));
		return ERR_PROTOCOL;
	}
	/* XOAUTH2 answers with an empty line, OAUTHBEARER with ^A. */
	if (s->mech == SASL_OAUTHBEARER &&
	    base64_encode_buf(out, "\001", 1) < 0)
		return ERR_NOMEM;
	/*
	 * The error in words, as the transcript has it, then the JSON as
	 * sent: "OAuth error: status 401 (the token is not valid: ...),
	 * scope S -- OAuth error: {...}".
	 */
	buf_init(&words, SASL_DETAIL_MAX);
	buf_init(&unused, SASL_DETAIL_MAX);
	set_server_error(errstr, _("OAuth error"), buf_str(chal), chal->len);
	if (errstr != NULL && *errstr != NULL &&
	    saslshow_challenge(s->mech, b64, b64len, ERR_AUTH, &words,
	    &unused) == 0 && words.len > 0) {
		for (i = 0; i < words.len; i++)
			if ((unsigned char)words.data[i] < 0x20 ||
			    (unsigned char)words.data[i] > 0x7e)
				words.data[i] = '?';
		raw = *errstr;
		*errstr = NULL;
		util_seterr(errstr, "%s -- %s", buf_str(&words), raw);
		free(raw);
	}
	buf_free(&words);
	buf_free(&unused);
	return ERR_AUTH;
}

enum err
sasl_step(struct sasl *s, const char *challenge, size_t len,
    struct buf *out, char **errstr)
{
	size_t len0 = out->len;
	struct buf chal;
	enum err e;
	int nomem;

	if (!s->started) {
		util_seterr(errstr, "%s", _("SASL challenge before the start"));
		return ERR_SOFTWARE;
	}
	s->steps++;
	if (len > BASE64_LEN(SASL_CHALLENGE_MAX)) {
		util_seterr(errstr, "%s", _("SASL challenge too long"));
		return ERR_PROTOCOL;
	}
	buf_init(&chal, SASL_CHALLENGE_MAX);
	if (base64_decode_buf(&chal, challenge, len) < 0) {
		nomem = errno == ENOMEM;
		buf_free(&chal);
		if (nomem)
			return ERR_NOMEM;
		util_seterr(errstr, "%s", _("SASL challenge is not valid base64"));
		return ERR_PROTOCOL;
	}
	switch (s->mech) {
	case SASL_LOGIN:
		e = step_login(s, out, errstr);
		break;
	case SASL_CRAM_MD5:
		e = step_cram_md5(s, &chal, out, errstr);
		break;
	case SASL_SCRAM_SHA_256:
		e = step_scram(s, &chal, out, errstr);
		break;
	case SASL_XOAUTH2:
	case SASL_OAUTHBEARER:
		e = step_oauth(s, challenge, len, &chal, out, errstr);
		break;
	case SASL_PLAIN:
	default:
		/* PLAIN said everything in its initial response. */
		util_seterr(errstr, _("unexpected %s challenge"),
		    mech_names[s->mech]);
		e = ERR_PROTOCOL;
		break;
	}
	buf_free(&chal);
	/* The OAuth error path has a response to send; others send nothing. */
	if (e != ERR_OK && !(e == ERR_AUTH && (s->mech == SASL_XOAUTH2 ||
	    s->mech == SASL_OAUTHBEARER)))
		buf_truncate(out, len0);
	return e;
}

enum err
sasl_finish(struct sasl *s)
{
	if (s->mech == SASL_SCRAM_SHA_256 && !s->verified)
		return ERR_AUTH;
	return ERR_OK;
}
