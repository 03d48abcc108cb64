/* tlspeer.c - the parts of the TLS interface that need no OpenSSL: fingerprints as text, freeing a peer's description. */
/* SPDX-License-Identifier: ISC */
#include "tls.h"

#include <stdlib.h>

#include "util.h"

void
tls_peer_free(struct tls_peer *p)
{
	if (p == NULL)
		return;
	free(p->subject);
	free(p->issuer);
	free(p->common_name);
	free(p->names);
	free(p->not_before);
	free(p->not_after);
	free(p->problem);
	free(p);
}

int
tls_fingerprint_parse(const char *p, unsigned char out[TLS_FP_LEN])
{
	size_t i;
	int hi, lo;

	for (i = 0; i < TLS_FP_LEN; i++) {
		hi = util_hexval(p[0]);
		lo = hi < 0 ? -1 : util_hexval(p[1]);
		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
		p += 2;
		if (i + 1 < TLS_FP_LEN && *p == ':')
			p++;
	}
	return *p == '\0' ? 0 : -1;
}

int
tls_fingerprint_ok(const char *p)
{
	unsigned char fp[TLS_FP_LEN];

	return tls_fingerprint_parse(p, fp) == 0;
}
