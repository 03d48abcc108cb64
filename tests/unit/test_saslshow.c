/* test_saslshow.c - AUTH challenges and answers in words: every mechanism, the SCRAM verdicts and warnings, secrets kept out. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base64.h"
#include "buf.h"
#include "saslshow.h"
#include "helper.h"

/* The base64 of n bytes at p, in a static buffer. */
static const char *
b64(const char *p, size_t n)
{
	static char out[4096];

	assert_true(BASE64_LEN(n) < sizeof(out));
	out[base64_encode(out, p, n)] = '\0';
	return out;
}

#define B64(lit) b64(lit, sizeof(lit) - 1)

/* The challenge's note must be want and its warning wantw. */
static void
chal(enum sasl_mech m, const char *c, enum err verdict, const char *want,
    const char *wantw)
{
	struct buf note, warn;

	buf_init(&note, 65536);
	buf_init(&warn, 65536);
	assert_int_equal(saslshow_challenge(m, c, strlen(c), verdict, &note,
	    &warn), 0);
	if (strcmp(buf_str(&note), want) != 0)
		fail_msg("note: got '%s', want '%s'",
		    test_vis(note.data, note.len), want);
	if (strcmp(buf_str(&warn), wantw) != 0)
		fail_msg("warning: got '%s', want '%s'",
		    test_vis(warn.data, warn.len), wantw);
	buf_free(&note);
	buf_free(&warn);
}

/* The answer's note must be want. */
static void
answer(enum sasl_mech m, unsigned step, const char *a, int all,
    const char *want)
{
	struct buf note;

	buf_init(&note, 65536);
	assert_int_equal(saslshow_answer(m, step, a, strlen(a), all, &note), 0);
	if (strcmp(buf_str(&note), want) != 0)
		fail_msg("answer: got '%s', want '%s'",
		    test_vis(note.data, note.len), want);
	buf_free(&note);
}

static void
test_login_and_cram(void **state)
{
	(void)state;
	chal(SASL_LOGIN, "VXNlcm5hbWU6", ERR_OK, "LOGIN prompt: \"Username:\"",
	    "");
	chal(SASL_LOGIN, "UGFzc3dvcmQ6", ERR_OK, "LOGIN prompt: \"Password:\"",
	    "");
	chal(SASL_CRAM_MD5, B64("<1896.697170952@postoffice.example.net>"),
	    ERR_OK, "CRAM-MD5 challenge: "
	    "\"<1896.697170952@postoffice.example.net>\"", "");
	chal(SASL_PLAIN, "", ERR_OK, "an empty challenge: the server waits "
	    "for the client's first message", "");
	chal(SASL_LOGIN, "not base64!", ERR_OK,
	    "the challenge is not valid base64", "");
	answer(SASL_LOGIN, 1, B64("alice"), 0, "LOGIN: user name \"alice\"");
	answer(SASL_LOGIN, 2, B64("s3cret-pa55"), 0,
	    "LOGIN: password [password, 11 bytes]");
	answer(SASL_LOGIN, 2, B64("s3cret-pa55"), 1,
	    "LOGIN: password \"s3cret-pa55\"");
	answer(SASL_CRAM_MD5, 1,
	    B64("tim b913a602c7eda7a495b4e6e7334d3890"), 0,
	    "CRAM-MD5: user name \"tim\", HMAC-MD5 digest [digest, 32 bytes]");
}

static void
test_plain(void **state)
{
	(void)state;
	answer(SASL_PLAIN, 0, B64("\0alice\0s3cret-pa55"), 0,
	    "PLAIN: user name \"alice\", password [password, 11 bytes]");
	answer(SASL_PLAIN, 0, B64("boss\0alice\0pw"), 0,
	    "PLAIN: user name \"alice\", acting for \"boss\", "
	    "password [password, 2 bytes]");
	answer(SASL_PLAIN, 0, B64("\0alice\0s3cret-pa55"), 1,
	    "PLAIN: user name \"alice\", password \"s3cret-pa55\"");
	answer(SASL_PLAIN, 0, B64("no nul"), 0,
	    "PLAIN: not the three fields of RFC 4616");
	answer(SASL_PLAIN, 0, "", 0, "an empty answer");
}

static void
test_scram(void **state)
{
	(void)state;
	/* RFC 7677 3's example, then with too few iterations. */
	chal(SASL_SCRAM_SHA_256, B64("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxF"
	    "Ilj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"), ERR_OK,
	    "SCRAM server-first: nonce r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAf"
	    "uxFIlj)hNlF$k0, salt s=W22ZaJ0SNY7soEsUEjb6gQ== (16 bytes), "
	    "iterations i=4096", "");
	chal(SASL_SCRAM_SHA_256, B64("r=abc,s=c2FsdA==,i=1000"), ERR_OK,
	    "SCRAM server-first: nonce r=abc, salt s=c2FsdA== (4 bytes), "
	    "iterations i=1000", "the server asks for only 1000 SCRAM "
	    "iterations; RFC 7677 asks for at least 4096, so its stored keys "
	    "are cheap to attack if they leak");
	chal(SASL_SCRAM_SHA_256, B64("r=abc,s=!!,i=x"), ERR_PROTOCOL,
	    "SCRAM server-first: nonce r=abc, salt s=!! (not valid base64), "
	    "iterations i=x (not a count)", "");
	chal(SASL_SCRAM_SHA_256, B64("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl"
	    "95G4="), ERR_OK, "SCRAM server-final: signature v=6rriTRBi23WpRR/"
	    "wtup+mMhUZUn/dB5nLTJRsjl95G4= matches: the server knows the "
	    "password", "");
	chal(SASL_SCRAM_SHA_256, B64("v=AAAA"), ERR_AUTH, "SCRAM server-final: "
	    "signature v=AAAA does NOT match: this server does not know the "
	    "password; it is not the server you think", "");
	chal(SASL_SCRAM_SHA_256, B64("e=invalid-proof"), ERR_AUTH,
	    "SCRAM server error e=invalid-proof: the proof is wrong: wrong "
	    "password (or user name)", "");
	chal(SASL_SCRAM_SHA_256, B64("e=made-up"), ERR_AUTH,
	    "SCRAM server error e=made-up: not an error RFC 5802 defines", "");
	answer(SASL_SCRAM_SHA_256, 0, B64("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"),
	    0, "SCRAM client-first: \"n,,n=user,r=rOprNGfwEbeRWgbNEkqO\"");
	answer(SASL_SCRAM_SHA_256, 1, B64("c=biws,r=abcdef,p=dHzbZapWIk4jUhN+"
	    "Ute9ytag9zjfMHgsqmmiz7AndVQ="), 0, "SCRAM client-final: "
	    "\"c=biws,r=abcdef\", proof p=[proof, 44 bytes]");
	answer(SASL_SCRAM_SHA_256, 2, "", 0, "an empty answer");
}

static void
test_oauth(void **state)
{
	(void)state;
	chal(SASL_XOAUTH2, B64("{\"status\":\"401\",\"schemes\":\"bearer mac\","
	    "\"scope\":\"https://mail.google.com/\"}"), ERR_AUTH,
	    "OAuth error: status 401 (the token is not valid: expired, "
	    "revoked or for another account), schemes bearer mac, scope "
	    "https://mail.google.com/", "");
	chal(SASL_OAUTHBEARER, B64("{\n  \"status\" : \"insufficient_scope\",\n"
	    "  \"scope\": \"mail\"\n}"), ERR_AUTH, "OAuth error: status "
	    "insufficient_scope (the token does not grant the scope mail "
	    "needs), scope mail", "");
	chal(SASL_XOAUTH2, B64("oops"), ERR_AUTH,
	    "OAuth error, not understood: \"oops\"", "");
	answer(SASL_XOAUTH2, 0, B64("user=alice@example.org\001auth=Bearer "
	    "ya29.token\001\001"), 0, "user name \"alice@example.org\", "
	    "token [token, 10 bytes]");
	answer(SASL_OAUTHBEARER, 0, B64("n,a=alice,\001host=mx\001port=587"
	    "\001auth=Bearer ya29.token\001\001"), 0, "user name \"alice\", "
	    "token [token, 10 bytes]");
	answer(SASL_OAUTHBEARER, 1, B64("\001"), 0,
	    "the answer that ends a failed exchange");
}

/* Hostile bytes pass as they are (the writers escape them), never cut. */
static void
test_hostile_text_kept_whole(void **state)
{
	struct buf note, warn;
	const char *c = B64("<\033[2J\0x@host>");

	(void)state;
	buf_init(&note, 65536);
	buf_init(&warn, 65536);
	assert_int_equal(saslshow_challenge(SASL_CRAM_MD5, c, strlen(c), ERR_OK,
	    &note, &warn), 0);
	assert_int_equal(note.len, strlen("CRAM-MD5 challenge: \"\"") + 13);
	assert_memory_equal(note.data + 21, "<\033[2J\0x@host>", 13);
	buf_free(&note);
	buf_free(&warn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_and_cram),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_scram),
		cmocka_unit_test(test_oauth),
		cmocka_unit_test(test_hostile_text_kept_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
