/* base64.c - RFC 4648 base64: a table-driven block encoder and a strict decoder. */
/* SPDX-License-Identifier: ISC */
#include "base64.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/*
 * The tables are built by the preprocessor so that they are constant data,
 * shared and ready before the first call, with no initialisation race.  The
 * arithmetic assumes ASCII, which the protocols using base64 require anyway.
 */

/* The base64 character for a 6-bit value. */
#define B64_CHAR(v) ((char)((v) < 26 ? 'A' + (v) : \
	(v) < 52 ? 'a' + ((v) - 26) : \
	(v) < 62 ? '0' + ((v) - 52) : \
	(v) == 62 ? '+' : '/'))

/*
 * The encoder looks up 12 bits at a time: each entry holds the two
 * characters for one 12-bit value.  The 8 KiB table stays in L1 cache, and
 * two lookups per three input bytes beat four lookups plus shifting.
 */
#define E1_(v)    { B64_CHAR((v) >> 6), B64_CHAR((v) & 63) }
#define E4_(v)    E1_(v), E1_((v) + 1), E1_((v) + 2), E1_((v) + 3)
#define E16_(v)   E4_(v), E4_((v) + 4), E4_((v) + 8), E4_((v) + 12)
#define E64_(v)   E16_(v), E16_((v) + 16), E16_((v) + 32), E16_((v) + 48)
#define E256_(v)  E64_(v), E64_((v) + 64), E64_((v) + 128), E64_((v) + 192)
#define E1024_(v) E256_(v), E256_((v) + 256), E256_((v) + 512), \
	E256_((v) + 768)

static const char enc12[4096][2] = {
	E1024_(0), E1024_(1024), E1024_(2048), E1024_(3072)
};

/* Only the partial quantum at the end uses single characters. */
static const char enc6[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The value of a character, or 0xff for anything outside the alphabet. */
#define B64_VALUE(c) ((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' : \
	(c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 : \
	(c) >= '0' && (c) <= '9' ? (c) - '0' + 52 : \
	(c) == '+' ? 62 : (c) == '/' ? 63 : 0xff)

#define D1_(c)  ((uint8_t)B64_VALUE(c))
#define D4_(c)  D1_(c), D1_((c) + 1), D1_((c) + 2), D1_((c) + 3)
#define D16_(c) D4_(c), D4_((c) + 4), D4_((c) + 8), D4_((c) + 12)
#define D64_(c) D16_(c), D16_((c) + 16), D16_((c) + 32), D16_((c) + 48)

static const uint8_t dec[256] = {
	D64_(0), D64_(64), D64_(128), D64_(192)
};

/* Set when a dec[] value is not a 6-bit value, i.e. the byte is invalid. */
#define BAD 0x80u

size_t
base64_encode(char *out, const void *in, size_t n)
{
	const unsigned char *p = in;
	char *o = out;
	uint64_t x;
	uint32_t w;

	/*
	 * Six bytes become eight characters through four table lookups.  The
	 * loop has no data-dependent branches; compilers turn the byte
	 * assembly into one load and a byte swap.  Twelve bytes per round
	 * give the CPU two independent chains to overlap.
	 */
	while (n >= 12) {
		x = (uint64_t)p[0] << 40 | (uint64_t)p[1] << 32 |
		    (uint64_t)p[2] << 24 | (uint64_t)p[3] << 16 |
		    (uint64_t)p[4] << 8 | (uint64_t)p[5];
		memcpy(o, enc12[x >> 36], 2);
		memcpy(o + 2, enc12[(x >> 24) & 0xfff], 2);
		memcpy(o + 4, enc12[(x >> 12) & 0xfff], 2);
		memcpy(o + 6, enc12[x & 0xfff], 2);
		x = (uint64_t)p[6] << 40 | (uint64_t)p[7] << 32 |
		    (uint64_t)p[8] << 24 | (uint64_t)p[9] << 16 |
		    (uint64_t)p[10] << 8 | (uint64_t)p[11];
		memcpy(o + 8, enc12[x >> 36], 2);
		memcpy(o + 10, enc12[(x >> 24) & 0xfff], 2);
		memcpy(o + 12, enc12[(x >> 12) & 0xfff], 2);
		memcpy(o + 14, enc12[x & 0xfff], 2);
		p += 12;
		o += 16;
		n -= 12;
	}
	while (n >= 3) {
		w = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
		memcpy(o, enc12[w >> 12], 2);
		memcpy(o + 2, enc12[w & 0xfff], 2);
		p += 3;
		o += 4;
		n -= 3;
	}
	if (n == 2) {
		o[0] = enc6[p[0] >> 2];
		o[1] = enc6[(p[0] & 0x03) << 4 | p[1] >> 4];
		o[2] = enc6[(p[1] & 0x0f) << 2];
		o[3] = '=';
		o += 4;
	} else if (n == 1) {
		o[0] = enc6[p[0] >> 2];
		o[1] = enc6[(p[0] & 0x03) << 4];
		o[2] = '=';
		o[3] = '=';
		o += 4;
	}
	return (size_t)(o - out);
}

size_t
base64_encode_lines(char *out, const void *in, size_t n)
{
	const unsigned char *p = in;
	char *o = out;
	size_t k;

	while (n > 0) {
		k = n < BASE64_LINE_IN ? n : BASE64_LINE_IN;
		o += base64_encode(o, p, k);
		*o++ = '\n';
		p += k;
		n -= k;
	}
	return (size_t)(o - out);
}

int
base64_encode_buf(struct buf *b, const void *in, size_t n)
{
	size_t len;

	/* BASE64_LEN(n) must not wrap around. */
	if (n > (SIZE_MAX - 3) / 4 * 3) {
		errno = E2BIG;
		return -1;
	}
	len = BASE64_LEN(n);
	if (buf_reserve(b, len) < 0)
		return -1;
	base64_encode(b->data + b->len, in, n);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
base64_decode_buf(struct buf *b, const char *in, size_t n)
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned char *o;
	unsigned a, c1, c2, c3, bad;
	uint32_t v;
	size_t full, i, outlen;

	if (n % 4 != 0) {
		errno = EINVAL;
		return -1;
	}
	if (n == 0)
		return 0;

	/*
	 * Everything but the last quantum must be four alphabet characters;
	 * the last one may end in "=" or "==".  Decoding goes straight into
	 * the reserved space, and len moves only once all input has proved
	 * valid, so a failure leaves the content as it was.
	 */
	full = n / 4 - 1;
	outlen = full * 3;
	if (p[n - 1] != '=')
		outlen += 3;
	else if (p[n - 2] != '=')
		outlen += 2;
	else
		outlen += 1;
	if (buf_reserve(b, outlen) < 0)
		return -1;
	o = (unsigned char *)b->data + b->len;

	bad = 0;
	for (i = 0; i < full; i++) {
		a = dec[p[0]];
		c1 = dec[p[1]];
		c2 = dec[p[2]];
		c3 = dec[p[3]];
		bad |= a | c1 | c2 | c3;
		v = (uint32_t)a << 18 | (uint32_t)c1 << 12 |
		    (uint32_t)c2 << 6 | c3;
		o[0] = (unsigned char)(v >> 16);
		o[1] = (unsigned char)(v >> 8);
		o[2] = (unsigned char)v;
		p += 4;
		o += 3;
	}
	if (bad & BAD)
		goto invalid;

	/* The last quantum: '=' only at its end, and no stray bits before it. */
	a = dec[p[0]];
	c1 = dec[p[1]];
	if ((a | c1) & BAD)
		goto invalid;
	o[0] = (unsigned char)(a << 2 | c1 >> 4);
	if (p[2] == '=') {
		if (p[3] != '=' || (c1 & 0x0f) != 0)
			goto invalid;
	} else {
		c2 = dec[p[2]];
		if (c2 & BAD)
			goto invalid;
		o[1] = (unsigned char)(c1 << 4 | c2 >> 2);
		if (p[3] == '=') {
			if ((c2 & 0x03) != 0)
				goto invalid;
		} else {
			c3 = dec[p[3]];
			if (c3 & BAD)
				goto invalid;
			o[2] = (unsigned char)(c2 << 6 | c3);
		}
	}
	b->len += outlen;
	b->data[b->len] = '\0';
	return 0;

invalid:
	b->data[b->len] = '\0';
	errno = EINVAL;
	return -1;
}

void
base64_dec_init(struct base64_dec *d)
{
	memset(d, 0, sizeof(*d));
}

int
base64_dec_feed(struct base64_dec *d, struct buf *out, const char *in,
    size_t n)
{
	const unsigned char *p = (const unsigned char *)in, *end = p + n;
	unsigned char *o;
	unsigned v;
	size_t start;

	/* Three bytes at most for every four characters, and what was held. */
	if (buf_reserve(out, n / 4 * 3 + 4) < 0)
		return -1;
	start = out->len;
	o = (unsigned char *)out->data + start;
	for (; p < end; p++) {
		v = dec[*p];
		if (!(v & BAD)) {
			d->acc = (d->acc << 6 | v) & 0xffffff;
			d->nbits += 6;
			if (d->nbits >= 8) {
				d->nbits -= 8;
				*o++ = (unsigned char)(d->acc >> d->nbits);
			}
		} else if (*p == '=') {
			/* Padding: the quantum ends; leftover bits are zero. */
			d->nbits = 0;
			d->acc = 0;
		} else if (*p != '\n' && *p != '\r' && *p != ' ' &&
		    *p != '\t') {
			d->bad++;
		}
	}
	out->len = (size_t)(o - (unsigned char *)out->data);
	out->data[out->len] = '\0';
	return 0;
}

void
base64_dec_finish(struct base64_dec *d)
{
	/* Six bits or more left: a character that makes no byte. */
	if (d->nbits >= 6)
		d->bad++;
	d->nbits = 0;
	d->acc = 0;
}
