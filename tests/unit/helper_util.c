/* helper_util.c - small things every unit test wants: repeatable randomness, readable bytes. */
#include "helper.h"

#include <stdio.h>

uint32_t
test_rand(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

const char *
test_vis(const char *in, size_t n)
{
	static char bufs[4][2100];
	static int k;
	char *o = bufs[k++ % 4];
	size_t i, j = 0;

	for (i = 0; i < n && j < 2000; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\r' || c == '\n') {
			o[j++] = '\\';
			o[j++] = c == '\r' ? 'r' : 'n';
		} else if (c < 0x20 || c >= 0x7f) {
			j += (size_t)snprintf(o + j, 5, "\\x%02X", c);
		} else {
			o[j++] = (char)c;
		}
	}
	if (i < n)
		j += (size_t)snprintf(o + j, 4, "...");
	o[j] = '\0';
	return o;
}
