/* fuzz_socks5.c - libFuzzer target: the SOCKS5 handshake fed what a hostile proxy answers, in any chunks, and socks5_url_parse() on what users write. */
/* SPDX-License-Identifier: ISC */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "socks5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The proxy's bytes, data[1..], in chunks of at most data[0] % 8 + 1 bytes. */
static void
handshake(const uint8_t *data, size_t size, int login)
{
	struct socks5 *s;
	const unsigned char *out;
	size_t chunk, i = 1, len, need, k;

	s = socks5_new(login ? "user" : NULL, login ? "secret" : NULL,
	    "mail.example.org", "587", NULL, NULL);
	if (s == NULL)
		return;
	chunk = (size_t)(data[0] % 8) + 1;
	while (i < size) {
		enum socks5_state st = socks5_state(s);

		if (st == SOCKS5_WRITE) {
			out = socks5_output(s, &len);
			if (len == 0 || out == NULL)
				abort();
			socks5_sent(s, len);
			continue;
		}
		if (st != SOCKS5_READ)
			break;
		need = socks5_need(s);
		if (need == 0)
			abort();
		k = need < chunk ? need : chunk;
		if (k > size - i)
			k = size - i;
		socks5_feed(s, data + i, k);
		i += k;
	}
	if (socks5_state(s) == SOCKS5_FAILED &&
	    socks5_error(s, NULL) == ERR_OK)
		abort();
	socks5_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct socks5_url u;
	char *str, *errstr = NULL;

	if (size < 1)
		return 0;
	switch (data[0] >> 6) {
	case 0:
		handshake(data, size, 0);
		break;
	case 1:
		handshake(data, size, 1);
		break;
	default:
		if ((str = malloc(size)) == NULL)
			return 0;
		memcpy(str, data + 1, size - 1);
		str[size - 1] = '\0';
		if (socks5_url_parse(&u, str, &errstr) == ERR_OK) {
			if (u.host == NULL || u.host[0] == '\0' ||
			    u.port[0] == '\0')
				abort();
			socks5_url_free(&u);
		} else if (u.host != NULL || u.user != NULL ||
		    u.password != NULL) {
			abort();
		}
		free(errstr);
		free(str);
		break;
	}
	return 0;
}
