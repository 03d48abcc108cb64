/* test_sasl.c - unit tests for the SASL client mechanisms against the RFC examples. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base64.h"
#include "sasl.h"

/* RFC 7677 section 3. */
#define SCRAM_USER     "user"
#define SCRAM_PASS     "pencil"
#define SCRAM_CNONCE   "rOprNGfwEbeRWgbNEkqO"
#define SCRAM_SNONCE   SCRAM_CNONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define SCRAM_C_FIRST  "n,,n=user,r=" SCRAM_CNONCE
#define SCRAM_S_FIRST  "r=" SCRAM_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define SCRAM_C_FINAL  "c=biws,r=" SCRAM_SNONCE \
	",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define SCRAM_S_FINAL  "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

/* The state every test starts from: a response buffer and no detail. */
struct fixture {
	struct sasl *s;
	struct buf out;
	char *errstr;
};

static int
setup(void **state)
{
	struct fixture *f;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	buf_init(&f->out, 1 << 20);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	sasl_free(f->s);
	buf_free(&f->out);
	free(f->errstr);
	free(f);
	return 0;
}

/* Create the client and run sasl_start; return has_initial. */
static int
start(struct fixture *f, enum sasl_mech m, const char *user,
    const char *secret)
{
	int has_initial = -1;

	f->s = sasl_new(m, user, secret, NULL, 0);
	assert_non_null(f->s);
	assert_int_equal(sasl_start(f->s, &f->out, &has_initial), ERR_OK);
	assert_true(has_initial == 0 || has_initial == 1);
	return has_initial;
}

/* Answer a challenge given as plaintext; the output buffer is reset first. */
static enum err
step_plain(struct fixture *f, const char *plain, size_t n)
{
	char *enc;
	enum err e;

	enc = malloc(BASE64_LEN(n) + 1);
	assert_non_null(enc);
	enc[base64_encode(enc, plain, n)] = '\0';
	buf_reset(&f->out);
	e = sasl_step(f->s, enc, strlen(enc), &f->out, &f->errstr);
	free(enc);
	return e;
}

static enum err
step_str(struct fixture *f, const char *plain)
{
	return step_plain(f, plain, strlen(plain));
}

/* Answer a challenge given already encoded, as the server sent it. */
static enum err
step_raw(struct fixture *f, const char *encoded)
{
	buf_reset(&f->out);
	return sasl_step(f->s, encoded, strlen(encoded), &f->out, &f->errstr);
}

/* The response decoded must be exactly the n bytes at want. */
static void
assert_response(struct fixture *f, const void *want, size_t n)
{
	struct buf d;

	buf_init(&d, 1 << 20);
	assert_int_equal(base64_decode_buf(&d, f->out.data, f->out.len), 0);
	assert_int_equal(d.len, n);
	if (n > 0)
		assert_memory_equal(d.data, want, n);
	buf_free(&d);
}

static void
assert_response_str(struct fixture *f, const char *want)
{
	assert_response(f, want, strlen(want));
}

static void
test_plain_rfc4616(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(start(f, SASL_PLAIN, "tim", "tanstaaftanstaaf"), 1);
	assert_string_equal(buf_str(&f->out), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
	assert_response(f, "\0tim\0tanstaaftanstaaf", 21);
	assert_int_equal(sasl_finish(f->s), ERR_OK);
}

static void
test_plain_no_challenge(void **state)
{
	struct fixture *f = *state;

	start(f, SASL_PLAIN, "tim", "tanstaaftanstaaf");
	assert_int_equal(step_raw(f, ""), ERR_PROTOCOL);
	assert_int_equal(f->out.len, 0);
	assert_non_null(f->errstr);
}

static void
test_login(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(start(f, SASL_LOGIN, "tim", "secret"), 0);
	assert_int_equal(f->out.len, 0);
	assert_int_equal(step_raw(f, "VXNlcm5hbWU6"), ERR_OK);
	assert_string_equal(buf_str(&f->out), "dGlt");
	/* The wording of the prompt does not matter, only its order. */
	assert_int_equal(step_str(f, "Your secret word, please"), ERR_OK);
	assert_response_str(f, "secret");
	assert_int_equal(step_raw(f, "UGFzc3dvcmQ6"), ERR_PROTOCOL);
	assert_int_equal(f->out.len, 0);
	assert_non_null(f->errstr);
	assert_int_equal(sasl_finish(f->s), ERR_OK);
}

static void
test_login_bad_base64(void **state)
{
	struct fixture *f = *state;

	start(f, SASL_LOGIN, "tim", "secret");
	assert_int_equal(step_raw(f, "Username:"), ERR_PROTOCOL);
	assert_int_equal(f->out.len, 0);
	assert_non_null(f->errstr);
}

static void
test_cram_md5_rfc2195(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(start(f, SASL_CRAM_MD5, "tim", "tanstaaftanstaaf"),
	    0);
	assert_int_equal(f->out.len, 0);
	assert_int_equal(step_raw(f,
	    "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"),
	    ERR_OK);
	assert_string_equal(buf_str(&f->out),
	    "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
	assert_int_equal(step_raw(f, "PDE+"), ERR_PROTOCOL);
	assert_int_equal(sasl_finish(f->s), ERR_OK);
}

static void
test_cram_md5_bad_challenge(void **state)
{
	struct fixture *f = *state;

	start(f, SASL_CRAM_MD5, "tim", "tanstaaftanstaaf");
	assert_int_equal(buf_addstr(&f->out, "untouched"), 0);
	assert_int_equal(sasl_step(f->s, "<1896.697170952@postoffice>", 27,
	    &f->out, &f->errstr), ERR_PROTOCOL);
	assert_string_equal(buf_str(&f->out), "untouched");
	assert_non_null(f->errstr);
	/* An empty challenge has nothing to sign. */
	assert_int_equal(step_raw(f, ""), ERR_PROTOCOL);
}

/* Run the RFC 7677 exchange up to the client-final-message. */
static void
scram_to_final(struct fixture *f)
{
	f->s = sasl_new(SASL_SCRAM_SHA_256, SCRAM_USER, SCRAM_PASS, NULL, 0);
	assert_non_null(f->s);
	assert_int_equal(sasl_set_nonce(f->s, SCRAM_CNONCE), 0);
	{
		int has_initial = 0;

		assert_int_equal(sasl_start(f->s, &f->out, &has_initial),
		    ERR_OK);
		assert_int_equal(has_initial, 1);
	}
	assert_response_str(f, SCRAM_C_FIRST);
	assert_int_equal(step_str(f, SCRAM_S_FIRST), ERR_OK);
	assert_response_str(f, SCRAM_C_FINAL);
}

static void
test_scram_rfc7677(void **state)
{
	struct fixture *f = *state;

	scram_to_final(f);
	assert_int_equal(step_str(f, SCRAM_S_FINAL), ERR_OK);
	/* The answer to the server-final-message is an empty line. */
	assert_int_equal(f->out.len, 0);
	assert_null(f->errstr);
	assert_int_equal(sasl_finish(f->s), ERR_OK);
	/* Nothing more may be asked. */
	assert_int_equal(step_str(f, SCRAM_S_FINAL), ERR_PROTOCOL);
}

static void
test_scram_wrong_signature(void **state)
{
	struct fixture *f = *state;

	scram_to_final(f);
	assert_int_equal(step_str(f,
	    "v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), ERR_AUTH);
	assert_int_equal(f->out.len, 0);
	assert_non_null(f->errstr);
	assert_int_equal(sasl_finish(f->s), ERR_AUTH);
}

static void
test_scram_short_signature(void **state)
{
	struct fixture *f = *state;

	scram_to_final(f);
	assert_int_equal(step_str(f, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5n"),
	    ERR_AUTH);
	assert_int_equal(sasl_finish(f->s), ERR_AUTH);
}

static void
test_scram_no_server_final(void **state)
{
	struct fixture *f = *state;

	scram_to_final(f);
	assert_int_equal(sasl_finish(f->s), ERR_AUTH);
}

static void
test_scram_server_error(void **state)
{
	struct fixture *f = *state;

	scram_to_final(f);
	assert_int_equal(step_str(f, "e=invalid-proof\x1b[2J"), ERR_AUTH);
	assert_non_null(f->errstr);
	assert_non_null(strstr(f->errstr, "invalid-proof"));
	/* The terminal escape does not survive into the message. */
	assert_null(strchr(f->errstr, '\x1b'));
	assert_int_equal(sasl_finish(f->s), ERR_AUTH);
}

static void
test_scram_bad_final(void **state)
{
	struct fixture *f = *state;

	scram_to_final(f);
	assert_int_equal(step_str(f, "x=6rriTRBi23WpRR"), ERR_PROTOCOL);
	assert_int_equal(sasl_finish(f->s), ERR_AUTH);
}

static void
test_scram_foreign_nonce(void **state)
{
	struct fixture *f = *state;

	f->s = sasl_new(SASL_SCRAM_SHA_256, SCRAM_USER, SCRAM_PASS, NULL, 0);
	assert_non_null(f->s);
	assert_int_equal(sasl_set_nonce(f->s, SCRAM_CNONCE), 0);
	{
		int has_initial;

		assert_int_equal(sasl_start(f->s, &f->out, &has_initial),
		    ERR_OK);
	}
	assert_int_equal(step_str(f,
	    "r=xOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	    "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"), ERR_PROTOCOL);
	assert_int_equal(f->out.len, 0);
	assert_non_null(f->errstr);
	assert_int_equal(sasl_finish(f->s), ERR_AUTH);
}

/* Server-first-messages that must be refused, each on a fresh client. */
static void
test_scram_bad_first(void **state)
{
	static const struct {
		const char *msg;
		enum err want;
	} cases[] = {
		/* A prefix of our nonce. */
		{ "r=rOprNGfw,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		    ERR_PROTOCOL },
		{ "r=" SCRAM_SNONCE ",i=4096", ERR_PROTOCOL },
		{ "r=" SCRAM_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==", ERR_PROTOCOL },
		{ "r=" SCRAM_SNONCE ",s=,i=4096", ERR_PROTOCOL },
		{ "r=" SCRAM_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ,i=4096",
		    ERR_PROTOCOL },
		{ "r=" SCRAM_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",
		    ERR_PROTOCOL },
		{ "r=" SCRAM_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=04096",
		    ERR_PROTOCOL },
		{ "r=" SCRAM_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1",
		    ERR_PROTOCOL },
		{ "r=" SCRAM_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=",
		    ERR_PROTOCOL },
		/* Above the cap that protects against a CPU hog. */
		{ "r=" SCRAM_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=10000001",
		    ERR_PROTOCOL },
		{ "r=" SCRAM_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,"
		    "i=99999999999999999999999", ERR_PROTOCOL },
		/* A mandatory extension we do not know. */
		{ "m=foo,r=" SCRAM_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		    ERR_PROTOCOL },
		{ "r=" SCRAM_CNONCE "a,b,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		    ERR_PROTOCOL },
		{ "r=" SCRAM_CNONCE "\x7f,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		    ERR_PROTOCOL },
		{ "", ERR_PROTOCOL },
		{ "e=unknown-user", ERR_AUTH },
	};
	struct fixture *f = *state;
	size_t i;
	int has_initial;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f->s = sasl_new(SASL_SCRAM_SHA_256, SCRAM_USER, SCRAM_PASS,
		    NULL, 0);
		assert_non_null(f->s);
		assert_int_equal(sasl_set_nonce(f->s, SCRAM_CNONCE), 0);
		assert_int_equal(sasl_start(f->s, &f->out, &has_initial),
		    ERR_OK);
		free(f->errstr);
		f->errstr = NULL;
		if (step_str(f, cases[i].msg) != cases[i].want)
			fail_msg("case %zu: \"%s\"", i, cases[i].msg);
		assert_int_equal(f->out.len, 0);
		assert_non_null(f->errstr);
		sasl_free(f->s);
		f->s = NULL;
	}
}

static void
test_scram_extensions_ignored(void **state)
{
	struct fixture *f = *state;

	f->s = sasl_new(SASL_SCRAM_SHA_256, SCRAM_USER, SCRAM_PASS, NULL, 0);
	assert_non_null(f->s);
	assert_int_equal(sasl_set_nonce(f->s, SCRAM_CNONCE), 0);
	{
		int has_initial;

		assert_int_equal(sasl_start(f->s, &f->out, &has_initial),
		    ERR_OK);
	}
	/*
	 * An optional extension changes the AuthMessage, so the proof
	 * differs from the RFC's; only its shape is checked.
	 */
	assert_int_equal(step_str(f, SCRAM_S_FIRST ",x=whatever"), ERR_OK);
	assert_true(f->out.len > 0);
}

static void
test_scram_saslname(void **state)
{
	struct fixture *f = *state;

	f->s = sasl_new(SASL_SCRAM_SHA_256, "a,b=c", "pw", NULL, 0);
	assert_non_null(f->s);
	assert_int_equal(sasl_set_nonce(f->s, "abc"), 0);
	{
		int has_initial;

		assert_int_equal(sasl_start(f->s, &f->out, &has_initial),
		    ERR_OK);
	}
	assert_response_str(f, "n,,n=a=2Cb=3Dc,r=abc");
}

static void
test_scram_random_nonce(void **state)
{
	struct fixture *f = *state;
	struct buf d1, d2;
	const char *prefix = "n,,n=user,r=";
	size_t plen = strlen(prefix);
	int has_initial;

	start(f, SASL_SCRAM_SHA_256, "user", "pencil");
	buf_init(&d1, 1024);
	buf_init(&d2, 1024);
	assert_int_equal(base64_decode_buf(&d1, f->out.data, f->out.len), 0);
	/* A second start makes a fresh nonce: nonces are never reused. */
	buf_reset(&f->out);
	assert_int_equal(sasl_start(f->s, &f->out, &has_initial), ERR_OK);
	assert_int_equal(base64_decode_buf(&d2, f->out.data, f->out.len), 0);

	assert_true(d1.len >= plen + 24);
	assert_memory_equal(d1.data, prefix, plen);
	assert_null(strchr(d1.data + plen, ','));
	assert_int_equal(d1.len, d2.len);
	assert_memory_not_equal(d1.data, d2.data, d1.len);
	buf_free(&d1);
	buf_free(&d2);
}

static void
test_set_nonce_invalid(void **state)
{
	struct fixture *f = *state;

	f->s = sasl_new(SASL_SCRAM_SHA_256, "user", "pencil", NULL, 0);
	assert_non_null(f->s);
	assert_int_equal(sasl_set_nonce(f->s, ""), -1);
	assert_int_equal(sasl_set_nonce(f->s, "a,b"), -1);
	assert_int_equal(sasl_set_nonce(f->s, "a b"), -1);
	assert_int_equal(sasl_set_nonce(f->s, "\x01"), -1);
	assert_int_equal(sasl_set_nonce(f->s, "ok"), 0);
}

static void
test_xoauth2(void **state)
{
	struct fixture *f = *state;

	/* Google's example from the XOAUTH2 protocol page. */
	assert_int_equal(start(f, SASL_XOAUTH2, "someuser@example.com",
	    "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"), 1);
	assert_string_equal(buf_str(&f->out),
	    "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRm"
	    "dDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
	assert_int_equal(sasl_finish(f->s), ERR_OK);
}

static void
test_xoauth2_error(void **state)
{
	struct fixture *f = *state;

	start(f, SASL_XOAUTH2, "someuser@example.com", "token");
	assert_int_equal(step_raw(f,
	    "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoi"
	    "aHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0="), ERR_AUTH);
	/* The answer is an empty line. */
	assert_int_equal(f->out.len, 0);
	assert_non_null(f->errstr);
	assert_non_null(strstr(f->errstr,
	    "{\"status\":\"401\",\"schemes\":\"bearer mac\","
	    "\"scope\":\"https://mail.google.com/\"}"));
	assert_int_equal(step_raw(f, ""), ERR_PROTOCOL);
}

static void
test_oauthbearer_rfc7628(void **state)
{
	struct fixture *f = *state;
	int has_initial = 0;

	f->s = sasl_new(SASL_OAUTHBEARER, "user@example.com",
	    "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
	    "server.example.com", 143);
	assert_non_null(f->s);
	assert_int_equal(sasl_start(f->s, &f->out, &has_initial), ERR_OK);
	assert_int_equal(has_initial, 1);
	assert_string_equal(buf_str(&f->out),
	    "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBv"
	    "cnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1s"
	    "emRHRXVZMjl0Q2c9PQEB");
	assert_int_equal(sasl_finish(f->s), ERR_OK);
}

static void
test_oauthbearer_no_host(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(start(f, SASL_OAUTHBEARER, "a,b=c", "tok"), 1);
	assert_response_str(f, "n,a=a=2Cb=3Dc,\001auth=Bearer tok\001\001");
	sasl_free(f->s);

	/* Port without host, and an empty user leaves the authzid out. */
	f->s = sasl_new(SASL_OAUTHBEARER, "", "tok", NULL, 587);
	assert_non_null(f->s);
	{
		int has_initial;

		buf_reset(&f->out);
		assert_int_equal(sasl_start(f->s, &f->out, &has_initial),
		    ERR_OK);
	}
	assert_response_str(f, "n,,\001port=587\001auth=Bearer tok\001\001");
}

static void
test_oauthbearer_error(void **state)
{
	struct fixture *f = *state;

	start(f, SASL_OAUTHBEARER, "user@example.com", "tok");
	assert_int_equal(step_raw(f,
	    "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3Bl"
	    "Iiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53"
	    "ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0="), ERR_AUTH);
	/* The dummy response is a single ^A. */
	assert_string_equal(buf_str(&f->out), "AQ==");
	assert_non_null(f->errstr);
	assert_non_null(strstr(f->errstr, "\"status\":\"invalid_token\""));
}

static void
test_oauth_error_sanitised(void **state)
{
	struct fixture *f = *state;
	const char *p;

	start(f, SASL_XOAUTH2, "u", "t");
	assert_int_equal(step_str(f, "{\"status\":\n\"\x1b]0;owned\x07\xc3\xa9\"}"),
	    ERR_AUTH);
	assert_non_null(f->errstr);
	for (p = f->errstr; *p != '\0'; p++)
		assert_true(*p >= 0x20 && *p <= 0x7e);
	assert_non_null(strstr(f->errstr, "owned"));
}

static void
test_oauth_bad_base64(void **state)
{
	struct fixture *f = *state;

	start(f, SASL_OAUTHBEARER, "u", "t");
	assert_int_equal(step_raw(f, "{\"status\":\"401\"}"), ERR_PROTOCOL);
	assert_int_equal(f->out.len, 0);
	assert_non_null(f->errstr);
}

static void
test_challenge_too_long(void **state)
{
	struct fixture *f = *state;
	size_t n = BASE64_LEN(65536) + 4;
	char *big;

	start(f, SASL_LOGIN, "u", "p");
	big = malloc(n);
	assert_non_null(big);
	memset(big, 'A', n);
	assert_int_equal(sasl_step(f->s, big, n, &f->out, &f->errstr),
	    ERR_PROTOCOL);
	assert_int_equal(f->out.len, 0);
	free(big);
}

static void
test_step_before_start(void **state)
{
	struct fixture *f = *state;

	f->s = sasl_new(SASL_LOGIN, "u", "p", NULL, 0);
	assert_non_null(f->s);
	assert_int_equal(step_raw(f, "VXNlcm5hbWU6"), ERR_SOFTWARE);
}

static void
test_new_invalid(void **state)
{
	(void)state;
	errno = 0;
	assert_null(sasl_new(SASL_PLAIN, NULL, "p", NULL, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(sasl_new(SASL_PLAIN, "u", NULL, NULL, 0));
	assert_null(sasl_new(SASL_MECH_COUNT_, "u", "p", NULL, 0));
	/* ^A separates the OAuth fields and cannot be inside one. */
	assert_null(sasl_new(SASL_XOAUTH2, "u", "t\001", NULL, 0));
	assert_null(sasl_new(SASL_OAUTHBEARER, "u\001", "t", NULL, 0));
	assert_null(sasl_new(SASL_OAUTHBEARER, "u", "t", "h\001", 0));
	sasl_free(NULL);
}

static void
test_choose(void **state)
{
	static const struct {
		const char *offered;
		int oauth;
		int want;
	} cases[] = {
		{ "PLAIN LOGIN CRAM-MD5", 0, SASL_CRAM_MD5 },
		{ "LOGIN PLAIN", 0, SASL_PLAIN },
		{ "  login \t  plain  ", 0, SASL_PLAIN },
		{ "LOGIN", 0, SASL_LOGIN },
		{ "PLAIN SCRAM-SHA-256 XOAUTH2", 0, SASL_SCRAM_SHA_256 },
		{ "scram-sha-256 cram-md5", 0, SASL_SCRAM_SHA_256 },
		{ "CRAM-MD5 XOAUTH2 OAUTHBEARER", 0, SASL_CRAM_MD5 },
		{ "XOAUTH2 OAUTHBEARER", 0, -1 },
		{ "SCRAM-SHA-1 SCRAM-SHA-256-PLUS DIGEST-MD5 GSSAPI", 0, -1 },
		{ "PLAINX LOGINS XPLAIN", 0, -1 },
		{ "PLAIN XOAUTH2 OAUTHBEARER", 1, SASL_OAUTHBEARER },
		{ "PLAIN xoauth2 LOGIN", 1, SASL_XOAUTH2 },
		{ "PLAIN LOGIN SCRAM-SHA-256", 1, -1 },
		{ "", 0, -1 },
		{ "   ", 1, -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (sasl_choose(cases[i].offered, cases[i].oauth) !=
		    cases[i].want)
			fail_msg("case %zu: \"%s\"", i, cases[i].offered);
	assert_int_equal(sasl_choose(NULL, 0), -1);
}

static void
test_names(void **state)
{
	int m;

	(void)state;
	for (m = 0; m < SASL_MECH_COUNT_; m++)
		assert_int_equal(sasl_mech_from_name(sasl_mech_name(m)), m);
	assert_string_equal(sasl_mech_name(SASL_SCRAM_SHA_256),
	    "SCRAM-SHA-256");
	assert_int_equal(sasl_mech_from_name("plain"), SASL_PLAIN);
	assert_int_equal(sasl_mech_from_name("Cram-Md5"), SASL_CRAM_MD5);
	assert_int_equal(sasl_mech_from_name("scram-SHA-256"),
	    SASL_SCRAM_SHA_256);
	assert_int_equal(sasl_mech_from_name("xOAuth2"), SASL_XOAUTH2);
	assert_int_equal(sasl_mech_from_name("oauthbearer"), SASL_OAUTHBEARER);
	assert_int_equal(sasl_mech_from_name("PLAI"), -1);
	assert_int_equal(sasl_mech_from_name("PLAINS"), -1);
	assert_int_equal(sasl_mech_from_name(""), -1);
	assert_int_equal(sasl_mech_from_name(NULL), -1);
}

static void
test_plaintext(void **state)
{
	(void)state;
	assert_int_equal(sasl_mech_plaintext(SASL_PLAIN), 1);
	assert_int_equal(sasl_mech_plaintext(SASL_LOGIN), 1);
	assert_int_equal(sasl_mech_plaintext(SASL_XOAUTH2), 1);
	assert_int_equal(sasl_mech_plaintext(SASL_OAUTHBEARER), 1);
	assert_int_equal(sasl_mech_plaintext(SASL_CRAM_MD5), 0);
	assert_int_equal(sasl_mech_plaintext(SASL_SCRAM_SHA_256), 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plain_rfc4616),
		T(test_plain_no_challenge),
		T(test_login),
		T(test_login_bad_base64),
		T(test_cram_md5_rfc2195),
		T(test_cram_md5_bad_challenge),
		T(test_scram_rfc7677),
		T(test_scram_wrong_signature),
		T(test_scram_short_signature),
		T(test_scram_no_server_final),
		T(test_scram_server_error),
		T(test_scram_bad_final),
		T(test_scram_foreign_nonce),
		T(test_scram_bad_first),
		T(test_scram_extensions_ignored),
		T(test_scram_saslname),
		T(test_scram_random_nonce),
		T(test_set_nonce_invalid),
		T(test_xoauth2),
		T(test_xoauth2_error),
		T(test_oauthbearer_rfc7628),
		T(test_oauthbearer_no_host),
		T(test_oauthbearer_error),
		T(test_oauth_error_sanitised),
		T(test_oauth_bad_base64),
		T(test_challenge_too_long),
		T(test_step_before_start),
		cmocka_unit_test(test_new_invalid),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_plaintext),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
