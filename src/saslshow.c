/* saslshow.c - an AUTH exchange decoded into words for the transcript: what the server asks, what the client answers without its secrets. */
/* SPDX-License-Identifier: ISC */
#include "saslshow.h"

#include <string.h>

#include "base64.h"
#include "i18n.h"

/* Longest decoded challenge or answer looked at (as sasl.c accepts). */
#define SHOW_MAX 65536
/* RFC 7677 5.1: at least 4096 iterations of PBKDF2 for SCRAM-SHA-256. */
#define SCRAM_ITER_MIN 4096

/* The errors a SCRAM server may send in "e=" (RFC 5802 7), in words. */
static const struct {
	const char *value;
	const char *words;
} scram_errors[] = {
	{ "invalid-encoding", N_("the server could not decode the client's "
	    "message") },
	{ "extensions-not-supported", N_("the client asked for an extension "
	    "the server does not support") },
	{ "invalid-proof", N_("the proof is wrong: wrong password (or user "
	    "name)") },
	{ "channel-bindings-dont-match", N_("the channel bindings do not "
	    "match: something between client and server ends the TLS") },
	{ "server-does-support-channel-binding", N_("the server supports "
	    "channel binding, which the client said it did not: a downgrade "
	    "on the way?") },
	{ "channel-binding-not-supported", N_("the server does not support "
	    "channel binding") },
	{ "unsupported-channel-binding-type", N_("the server does not "
	    "support this type of channel binding") },
	{ "unknown-user", N_("no such user") },
	{ "invalid-username-encoding", N_("the user name is not valid UTF-8 "
	    "or not allowed by SASLprep") },
	{ "no-resources", N_("the server is out of resources") },
	{ "other-error", N_("some other error") },
};

/* OAuth "status" values (RFC 7628 3.2.2, RFC 6750 3.1, and Google's numbers). */
static const struct {
	const char *value;
	const char *words;
} oauth_statuses[] = {
	{ "invalid_token", N_("the token is not valid: expired, revoked or "
	    "for another account") },
	{ "401", N_("the token is not valid: expired, revoked or for another "
	    "account") },
	{ "insufficient_scope", N_("the token does not grant the scope mail "
	    "needs") },
	{ "403", N_("the token does not grant the scope mail needs") },
	{ "invalid_request", N_("the server could not understand the "
	    "request") },
	{ "400", N_("the server could not understand the request, or the "
	    "token is not valid") },
};

/* Do the n bytes at p spell s exactly? */
static int
equals(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(p, s, n) == 0;
}

/* label, then the n bytes at p as they are, in double quotes. */
static int
add_quoted(struct buf *note, const char *label, const char *p, size_t n)
{
	if (buf_addstr(note, label) < 0 || buf_addch(note, '"') < 0 ||
	    buf_add(note, p, n) < 0 || buf_addch(note, '"') < 0)
		return -1;
	return 0;
}

/* A secret of some kind: itself when all is set, else its kind and size. */
static int
add_secret(struct buf *note, const char *label, const char *kind,
    const char *p, size_t n, int all)
{
	if (all)
		return add_quoted(note, label, p, n);
	if (buf_addstr(note, label) < 0 || buf_addch(note, '[') < 0 ||
	    buf_printf(note, P_("%s, %zu byte", "%s, %zu bytes", n), kind,
	    n) < 0 || buf_addch(note, ']') < 0)
		return -1;
	return 0;
}

/* base64 text into d; 0, or -1 when it is not base64 (or too long). */
static int
decode(struct buf *d, const char *b64, size_t len)
{
	buf_init(d, SHOW_MAX);
	if (len > BASE64_LEN(SHOW_MAX))
		return -1;
	return base64_decode_buf(d, b64, len);
}

/*
 * The value of attribute name ("r", "s", ...) in a SCRAM message: the
 * text after "name=" up to the next ','.  0, or -1 when it is missing.
 */
static int
scram_attr(const char *p, size_t n, char name, const char **v, size_t *vlen)
{
	const char *end = p + n, *q;

	while (p < end) {
		q = memchr(p, ',', (size_t)(end - p));
		if (q == NULL)
			q = end;
		if (q - p >= 2 && p[0] == name && p[1] == '=') {
			*v = p + 2;
			*vlen = (size_t)(q - p - 2);
			return 0;
		}
		p = q < end ? q + 1 : end;
	}
	return -1;
}

/* A decimal count of at most nine digits; -1 when it is not one. */
static long
count_of(const char *p, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 9)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static int
scram_first(const char *p, size_t n, struct buf *note, struct buf *warn)
{
	const char *r = "", *s = "", *i = "";
	size_t rlen = 0, slen = 0, ilen = 0;
	struct buf salt;
	size_t saltlen = 0;
	long iter;

	(void)scram_attr(p, n, 'r', &r, &rlen);
	(void)scram_attr(p, n, 's', &s, &slen);
	(void)scram_attr(p, n, 'i', &i, &ilen);
	iter = count_of(i, ilen);
	if (decode(&salt, s, slen) == 0)
		saltlen = salt.len;
	buf_free(&salt);
	if (buf_printf(note, _("SCRAM server-first: nonce r=%.*s, salt s=%.*s "),
	    (int)rlen, r, (int)slen, s) < 0)
		return -1;
	if (saltlen > 0 ? buf_printf(note, P_("(%zu byte)", "(%zu bytes)",
	    saltlen), saltlen) < 0 :
	    buf_addstr(note, _("(not valid base64)")) < 0)
		return -1;
	if (buf_printf(note, _(", iterations i=%.*s"), (int)ilen, i) < 0)
		return -1;
	if (iter < 0)
		return buf_addstr(note, _(" (not a count)"));
	if (iter < SCRAM_ITER_MIN && buf_printf(warn, _("the server asks for "
	    "only %ld SCRAM iterations; RFC 7677 asks for at least %d, so "
	    "its stored keys are cheap to attack if they leak"), iter,
	    SCRAM_ITER_MIN) < 0)
		return -1;
	return 0;
}

static int
scram_final(const char *p, size_t n, enum err verdict, struct buf *note)
{
	const char *v = "";
	size_t vlen = 0;

	(void)scram_attr(p, n, 'v', &v, &vlen);
	if (buf_printf(note, _("SCRAM server-final: signature v=%.*s "),
	    (int)vlen, v) < 0)
		return -1;
	if (verdict == ERR_OK)
		return buf_addstr(note, _("matches: the server knows the "
		    "password"));
	if (verdict == ERR_AUTH)
		return buf_addstr(note, _("does NOT match: this server does "
		    "not know the password; it is not the server you think"));
	return buf_addstr(note, _("could not be checked"));
}

static int
scram_error(const char *p, size_t n, struct buf *note)
{
	const char *words = N_("not an error RFC 5802 defines");
	size_t i;

	for (i = 0; i < sizeof(scram_errors) / sizeof(scram_errors[0]); i++)
		if (equals(p, n, scram_errors[i].value))
			words = scram_errors[i].words;
	return buf_printf(note, _("SCRAM server error e=%.*s: %s"), (int)n, p,
	    _(words));
}

static int
scram_challenge(const char *p, size_t n, enum err verdict, struct buf *note,
    struct buf *warn)
{
	if (n >= 2 && p[1] == '=') {
		if (p[0] == 'e')
			return scram_error(p + 2, n - 2, note);
		if (p[0] == 'v')
			return scram_final(p, n, verdict, note);
		if (p[0] == 'r')
			return scram_first(p, n, note, warn);
	}
	return add_quoted(note, _("SCRAM challenge, not understood: "), p, n);
}

/*
 * The string value of "key" in a JSON object at p: the bytes between
 * its quotes, escapes left as they are.  Enough for the flat objects of
 * OAuth errors; 0, or -1 when there is none.
 */
static int
json_string(const char *p, size_t n, const char *key, const char **v,
    size_t *vlen)
{
	const char *end = p + n, *q;
	size_t klen = strlen(key);

	for (q = p; q + klen + 2 <= end; q++) {
		if (*q != '"' || memcmp(q + 1, key, klen) != 0 ||
		    q[klen + 1] != '"')
			continue;
		q += klen + 2;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' ||
		    *q == '\n' || *q == ':'))
			q++;
		if (q >= end || *q != '"')
			return -1;
		*v = ++q;
		while (q < end && *q != '"')
			q += *q == '\\' && q + 1 < end ? 2 : 1;
		*vlen = (size_t)((q < end ? q : end) - *v);
		return 0;
	}
	return -1;
}

static int
oauth_error(const char *p, size_t n, struct buf *note)
{
	static const char *const keys[] = { "schemes", "scope" };
	const char *v, *words = NULL;
	size_t vlen, i;

	if (json_string(p, n, "status", &v, &vlen) < 0)
		return add_quoted(note, _("OAuth error, not understood: "), p,
		    n);
	for (i = 0; i < sizeof(oauth_statuses) / sizeof(oauth_statuses[0]);
	    i++)
		if (equals(v, vlen, oauth_statuses[i].value))
			words = oauth_statuses[i].words;
	if (buf_printf(note, _("OAuth error: status %.*s"), (int)vlen, v) < 0 ||
	    (words != NULL && buf_printf(note, " (%s)", _(words)) < 0))
		return -1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_string(p, n, keys[i], &v, &vlen) == 0 &&
		    buf_printf(note, ", %s %.*s", keys[i], (int)vlen, v) < 0)
			return -1;
	return 0;
}

int
saslshow_challenge(enum sasl_mech m, const char *chal, size_t len,
    enum err verdict, struct buf *note, struct buf *warn)
{
	struct buf d;
	int r;

	if (decode(&d, chal, len) < 0) {
		buf_free(&d);
		return buf_addstr(note, _("the challenge is not valid base64"));
	}
	if (d.len == 0)
		r = buf_addstr(note, _("an empty challenge: the server waits "
		    "for the client's first message"));
	else if (m == SASL_SCRAM_SHA_256)
		r = scram_challenge(d.data, d.len, verdict, note, warn);
	else if (m == SASL_XOAUTH2 || m == SASL_OAUTHBEARER)
		r = oauth_error(d.data, d.len, note);
	else if (m == SASL_CRAM_MD5)
		r = add_quoted(note, _("CRAM-MD5 challenge: "), d.data, d.len);
	else if (m == SASL_LOGIN)
		r = add_quoted(note, _("LOGIN prompt: "), d.data, d.len);
	else
		r = add_quoted(note, _("challenge, decoded: "), d.data, d.len);
	buf_free(&d);
	return r;
}

/* -- the client's answers ---------------------------------------------- */

/* PLAIN: authzid NUL authcid NUL password (RFC 4616). */
static int
plain_answer(const char *p, size_t n, int all, struct buf *note)
{
	const char *end = p + n, *z1, *z2 = NULL;

	z1 = memchr(p, '\0', n);
	if (z1 != NULL)
		z2 = memchr(z1 + 1, '\0', (size_t)(end - z1 - 1));
	if (z2 == NULL)
		return buf_addstr(note, _("PLAIN: not the three fields of "
		    "RFC 4616"));
	if (add_quoted(note, _("PLAIN: user name "), z1 + 1,
	    (size_t)(z2 - z1 - 1)) < 0)
		return -1;
	if (z1 > p && add_quoted(note, _(", acting for "), p,
	    (size_t)(z1 - p)) < 0)
		return -1;
	return add_secret(note, _(", password "), _("password"), z2 + 1,
	    (size_t)(end - z2 - 1), all);
}

/* CRAM-MD5: the user name, a space, the digest in hex (RFC 2195). */
static int
cram_answer(const char *p, size_t n, int all, struct buf *note)
{
	const char *sp = NULL, *q;

	for (q = p; q < p + n; q++)
		if (*q == ' ')
			sp = q;
	if (sp == NULL)
		return add_quoted(note, _("CRAM-MD5, not understood: "), p, n);
	if (add_quoted(note, _("CRAM-MD5: user name "), p,
	    (size_t)(sp - p)) < 0)
		return -1;
	return add_secret(note, _(", HMAC-MD5 digest "), _("digest"), sp + 1,
	    (size_t)(p + n - sp - 1), all);
}

/* SCRAM client-first (no secret) and client-final (the proof). */
static int
scram_answer(unsigned step, const char *p, size_t n, int all,
    struct buf *note)
{
	const char *proof = NULL, *q;

	if (step == 0)
		return add_quoted(note, _("SCRAM client-first: "), p, n);
	for (q = p; q + 3 <= p + n; q++)
		if (memcmp(q, ",p=", 3) == 0)
			proof = q;
	if (proof == NULL)
		return add_quoted(note, _("SCRAM answer: "), p, n);
	if (add_quoted(note, _("SCRAM client-final: "), p,
	    (size_t)(proof - p)) < 0)
		return -1;
	proof += 3;
	return add_secret(note, _(", proof p="), _("proof"), proof,
	    (size_t)(p + n - proof), all);
}

/*
 * XOAUTH2 ("user=U^Aauth=Bearer T^A^A") and OAUTHBEARER ("n,a=U,^A
 * host=H^Aport=P^Aauth=Bearer T^A^A", RFC 7628): the user and the token.
 */
static int
oauth_answer(const char *p, size_t n, int all, struct buf *note)
{
	const char *end = p + n, *f, *q, *user = NULL, *tok = NULL;
	size_t ulen = 0, tlen = 0;

	for (f = p; f < end; f = q + 1) {
		q = memchr(f, '\001', (size_t)(end - f));
		if (q == NULL)
			q = end;
		if (q - f > 5 && memcmp(f, "user=", 5) == 0) {
			user = f + 5;
			ulen = (size_t)(q - user);
		} else if (q - f > 4 && memcmp(f, "n,a=", 4) == 0) {
			user = f + 4;
			ulen = (size_t)(q - user);
			if (ulen > 0 && user[ulen - 1] == ',')
				ulen--;
		} else if (q - f > 5 && memcmp(f, "auth=", 5) == 0) {
			tok = f + 5;
			tlen = (size_t)(q - tok);
			if (tlen > 7 && memcmp(tok, "Bearer ", 7) == 0) {
				tok += 7;
				tlen -= 7;
			}
		}
	}
	if (n == 1 && p[0] == '\001')
		return buf_addstr(note, _("the answer that ends a failed "
		    "exchange"));
	if (user != NULL && add_quoted(note, _("user name "), user, ulen) < 0)
		return -1;
	if (tok == NULL)
		return 0;
	return add_secret(note, user != NULL ? _(", token ") : _("token "),
	    _("token"), tok, tlen, all);
}

int
saslshow_answer(enum sasl_mech m, unsigned step, const char *resp,
    size_t len, int all, struct buf *note)
{
	struct buf d;
	int r;

	if (decode(&d, resp, len) < 0) {
		buf_free_secret(&d);
		return buf_addstr(note, _("not valid base64"));
	}
	if (d.len == 0)
		r = buf_addstr(note, _("an empty answer"));
	else if (m == SASL_PLAIN)
		r = plain_answer(d.data, d.len, all, note);
	else if (m == SASL_LOGIN && step == 1)
		r = add_quoted(note, _("LOGIN: user name "), d.data, d.len);
	else if (m == SASL_LOGIN)
		r = add_secret(note, _("LOGIN: password "), _("password"),
		    d.data, d.len, all);
	else if (m == SASL_CRAM_MD5)
		r = cram_answer(d.data, d.len, all, note);
	else if (m == SASL_SCRAM_SHA_256)
		r = scram_answer(step, d.data, d.len, all, note);
	else
		r = oauth_answer(d.data, d.len, all, note);
	buf_free_secret(&d);
	return r;
}
