/* test_base64.c - unit tests for the base64 encoder and strict decoder. */
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

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 4648 section 10. */
static const struct {
	const char *plain;
	const char *encoded;
} rfc_vectors[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

#define NVECTORS (sizeof(rfc_vectors) / sizeof(rfc_vectors[0]))

/* A fixed pseudo-random sequence (xorshift64), so failures repeat. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static unsigned char
rng_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned char)(rng_state >> 32);
}

static void
fill_random(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rng_byte();
}

/*
 * A slow, obviously correct encoder, one bit at a time, to check the
 * table-driven one against.
 */
static size_t
reference_encode(char *out, const unsigned char *in, size_t n)
{
	size_t bit, nbits = n * 8, o = 0;
	unsigned v;
	int k;

	for (bit = 0; bit < nbits; bit += 6) {
		v = 0;
		for (k = 0; k < 6; k++) {
			size_t b = bit + (size_t)k;

			v <<= 1;
			if (b < nbits && (in[b / 8] >> (7 - b % 8)) & 1)
				v |= 1;
		}
		out[o++] = alphabet[v];
	}
	while (o % 4 != 0)
		out[o++] = '=';
	return o;
}

/* Expect the decoder to refuse s and leave the buffer as it was. */
static void
assert_rejected_n(const char *s, size_t n)
{
	struct buf b;

	buf_init(&b, 1024);
	assert_int_equal(buf_addstr(&b, "keep"), 0);
	errno = 0;
	if (base64_decode_buf(&b, s, n) != -1)
		fail_msg("accepted invalid base64 \"%.*s\"", (int)n, s);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "keep");
	buf_free(&b);
}

static void
assert_rejected(const char *s)
{
	assert_rejected_n(s, strlen(s));
}

static void
assert_decodes(const char *s, const void *plain, size_t n)
{
	struct buf b;

	buf_init(&b, 1024);
	if (base64_decode_buf(&b, s, strlen(s)) != 0)
		fail_msg("rejected valid base64 \"%s\"", s);
	assert_int_equal(b.len, n);
	if (n > 0)
		assert_memory_equal(b.data, plain, n);
	buf_free(&b);
}

static void
test_rfc_encode(void **state)
{
	char out[16];
	struct buf b;
	size_t i, n;

	(void)state;
	for (i = 0; i < NVECTORS; i++) {
		n = strlen(rfc_vectors[i].plain);
		assert_int_equal(BASE64_LEN(n), strlen(rfc_vectors[i].encoded));
		memset(out, '#', sizeof(out));
		assert_int_equal(base64_encode(out, rfc_vectors[i].plain, n),
		    BASE64_LEN(n));
		assert_memory_equal(out, rfc_vectors[i].encoded, BASE64_LEN(n));
		/* Exactly BASE64_LEN(n) bytes are written, no NUL. */
		assert_int_equal(out[BASE64_LEN(n)], '#');

		buf_init(&b, 64);
		assert_int_equal(base64_encode_buf(&b, rfc_vectors[i].plain, n),
		    0);
		assert_string_equal(buf_str(&b), rfc_vectors[i].encoded);
		assert_int_equal(b.len, BASE64_LEN(n));
		buf_free(&b);
	}
}

static void
test_rfc_decode(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NVECTORS; i++)
		assert_decodes(rfc_vectors[i].encoded, rfc_vectors[i].plain,
		    strlen(rfc_vectors[i].plain));
}

/* Every length from 0 to 300 exercises every path through the encoder. */
static void
test_round_trip_lengths(void **state)
{
	unsigned char in[300];
	char enc[BASE64_LEN(300)], ref[BASE64_LEN(300)];
	struct buf b;
	size_t n, len, i;

	(void)state;
	for (n = 0; n <= sizeof(in); n++) {
		fill_random(in, n);
		len = base64_encode(enc, in, n);
		assert_int_equal(len, BASE64_LEN(n));
		assert_int_equal(reference_encode(ref, in, n), len);
		assert_memory_equal(enc, ref, len);
		for (i = 0; i < len; i++)
			assert_true(enc[i] == '=' ||
			    memchr(alphabet, enc[i], 64) != NULL);

		buf_init(&b, n);
		assert_int_equal(base64_decode_buf(&b, enc, len), 0);
		assert_int_equal(b.len, n);
		if (n > 0)
			assert_memory_equal(b.data, in, n);
		buf_free(&b);
	}
}

/* All 256 byte values through both directions. */
static void
test_all_bytes(void **state)
{
	unsigned char in[256];
	char enc[BASE64_LEN(256)], ref[BASE64_LEN(256)];
	struct buf b;
	size_t len;
	int i;

	(void)state;
	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	len = base64_encode(enc, in, sizeof(in));
	assert_int_equal(reference_encode(ref, in, sizeof(in)), len);
	assert_memory_equal(enc, ref, len);
	buf_init(&b, 256);
	assert_int_equal(base64_decode_buf(&b, enc, len), 0);
	assert_int_equal(b.len, 256);
	assert_memory_equal(b.data, in, 256);
	buf_free(&b);
}

static void
test_empty(void **state)
{
	struct buf b;
	char out[1];

	(void)state;
	assert_int_equal(base64_encode(out, "", 0), 0);
	buf_init(&b, 16);
	assert_int_equal(base64_decode_buf(&b, "", 0), 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(base64_encode_buf(&b, "", 0), 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
}

/* Every byte outside the alphabet, in every position of a quantum. */
static void
test_reject_bad_chars(void **state)
{
	char s[9];
	int c, pos;

	(void)state;
	for (c = 0; c < 256; c++) {
		if (c != 0 && strchr(alphabet, c) != NULL)
			continue;
		for (pos = 0; pos < 8; pos++) {
			memcpy(s, "Zm9vYmFy", 8);
			/* '=' in the last two places is padding, tested apart. */
			if (c == '=' && pos >= 6)
				continue;
			s[pos] = (char)c;
			assert_rejected_n(s, 8);
		}
	}
}

static void
test_reject_padding(void **state)
{
	static const char *const bad[] = {
		"=", "==", "===", "====",
		"Zg=", "Zg", "Z", "Zm9", "Zm9vY", "Zm9vYg=", "Zm9vYg===",
		"Z===", "=Zg=", "==Zg", "Zg=a", "Z=g=", "Zm=v",
		"Zg==Zm9v", "Zm8=Zm9v", "Zm9v====", "Zm9v=", "Zm9vZg==Zg==",
		"Zm9v\n", "Zm9v\r\n", " Zm9v", "Zm 9v", "Zm9\tv", "Zm9v ",
		"Zm9\nvYmFy",
		"Zh==", "Zm9=", "Zm/=", "Z/==", "Zm9vYmF=",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_rejected(bad[i]);
}

/*
 * In the last quantum, the bits after the data must be zero: exactly one
 * encoding is accepted for each value.
 */
static void
test_trailing_bits(void **state)
{
	char s[5];
	unsigned char want[2];
	int v;

	(void)state;
	for (v = 0; v < 64; v++) {
		memcpy(s, "Q?==", 5);
		s[1] = alphabet[v];
		want[0] = (unsigned char)(16 << 2 | v >> 4);
		if ((v & 0x0f) == 0)
			assert_decodes(s, want, 1);
		else
			assert_rejected(s);

		memcpy(s, "QU?=", 5);
		s[2] = alphabet[v];
		want[0] = 'A';
		want[1] = (unsigned char)((20 & 0x0f) << 4 | v >> 2);
		if ((v & 0x03) == 0)
			assert_decodes(s, want, 2);
		else
			assert_rejected(s);
	}
}

static void
test_appends(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(buf_addstr(&b, "x:"), 0);
	assert_int_equal(base64_encode_buf(&b, "foo", 3), 0);
	assert_string_equal(buf_str(&b), "x:Zm9v");
	assert_int_equal(base64_decode_buf(&b, "Zm9vYmE=", 8), 0);
	assert_string_equal(buf_str(&b), "x:Zm9vfooba");
	assert_int_equal(b.len, 11);
	buf_free(&b);
}

static void
test_buffer_limit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 7);
	errno = 0;
	assert_int_equal(base64_encode_buf(&b, "foobar", 6), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(b.len, 0);
	assert_int_equal(base64_encode_buf(&b, "foo", 3), 0);
	assert_int_equal(base64_decode_buf(&b, "Zm9v", 4), 0);
	assert_string_equal(buf_str(&b), "Zm9vfoo");
	errno = 0;
	assert_int_equal(base64_decode_buf(&b, "Zg==", 4), -1);
	assert_int_equal(errno, E2BIG);
	assert_string_equal(buf_str(&b), "Zm9vfoo");
	buf_free(&b);

	/* A size whose encoded length would not fit in size_t. */
	buf_init(&b, SIZE_MAX - 1);
	errno = 0;
	assert_int_equal(base64_encode_buf(&b, "", SIZE_MAX / 4 * 3 + 1), -1);
	assert_int_equal(errno, E2BIG);
	buf_free(&b);
}

static void
test_large(void **state)
{
	const size_t n = 8 * 1024 * 1024 + 1;
	unsigned char *in;
	struct buf enc, dec;

	(void)state;
	in = malloc(n);
	assert_non_null(in);
	fill_random(in, n);
	buf_init(&enc, BASE64_LEN(n));
	buf_init(&dec, n);
	assert_int_equal(base64_encode_buf(&enc, in, n), 0);
	assert_int_equal(enc.len, BASE64_LEN(n));
	assert_int_equal(strlen(enc.data), enc.len);
	assert_int_equal(base64_decode_buf(&dec, enc.data, enc.len), 0);
	assert_int_equal(dec.len, n);
	assert_memory_equal(dec.data, in, n);
	buf_free(&enc);
	buf_free(&dec);
	free(in);
}

/*
 * MIME lines: 76 characters and CRLF each, every length 0..300 and a
 * stream in chunks of whole lines gives the same as one call; the lines
 * joined decode back to the input.
 */
static void
test_lines(void **state)
{
	unsigned char in[700];
	char out[BASE64_LINES_LEN(700)], one[BASE64_LINES_LEN(700)];
	struct buf dec;
	size_t n, i, len, pos, k, chunk;
	const char *line, *end, *nl;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 151u + 7u);
	buf_init(&dec, 4096);
	for (n = 0; n <= 300; n++) {
		len = base64_encode_lines(out, in, n);
		assert_int_equal(len, BASE64_LINES_LEN(n));
		/* Every line 76 characters but the last, each with LF, no CR. */
		assert_null(memchr(out, '\r', len));
		buf_reset(&dec);
		for (line = out, end = out + len; line < end; line = nl + 1) {
			nl = memchr(line, '\n', (size_t)(end - line));
			assert_non_null(nl);
			if (nl + 1 < end)
				assert_int_equal(nl - line, 76);
			else
				assert_true(nl - line <= 76 && nl - line > 0);
			assert_int_equal(base64_decode_buf(&dec, line,
			    (size_t)(nl - line)), 0);
		}
		assert_int_equal(dec.len, n);
		assert_memory_equal(dec.data != NULL ? dec.data : "", in, n);
		/* Streaming in whole lines gives the same bytes. */
		for (chunk = BASE64_LINE_IN; chunk <= 3 * BASE64_LINE_IN;
		    chunk += BASE64_LINE_IN) {
			for (pos = 0, k = 0; pos < n; pos += chunk) {
				size_t m = n - pos < chunk ? n - pos : chunk;

				k += base64_encode_lines(one + k, in + pos, m);
			}
			assert_int_equal(k, len);
			assert_memory_equal(one, out, len);
		}
	}
	buf_free(&dec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_encode),
		cmocka_unit_test(test_rfc_decode),
		cmocka_unit_test(test_round_trip_lengths),
		cmocka_unit_test(test_all_bytes),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_reject_bad_chars),
		cmocka_unit_test(test_reject_padding),
		cmocka_unit_test(test_trailing_bits),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_buffer_limit),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
