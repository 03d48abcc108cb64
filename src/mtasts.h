/* mtasts.h - MTA-STS (RFC 8461) and TLS-RPT (RFC 8460): the TXT records, the policy file and its mx patterns, parsed and matched; no I/O. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MTASTS_H
#define PIGEON_MTASTS_H

#include <stddef.h>

/*
 * A domain that publishes MTA-STS has a TXT record at _mta-sts.DOMAIN
 * ("v=STSv1; id=20250101T000000") and a policy file at
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt.  The probe fetches
 * both; this module only reads them.  Texts in *why are plain words
 * (translated), malloc'd, for the caller to free.
 */

/* The TXT record: 0 with *id (malloc'd) set, or -1 with *why (a record that does not count). */
int mtasts_txt_parse(const char *txt, size_t len, char **id, char **why);

enum mtasts_mode {
	MTASTS_MODE_UNSET = 0,
	MTASTS_MODE_ENFORCE,
	MTASTS_MODE_TESTING,
	MTASTS_MODE_NONE,
};

/* "enforce", "testing", "none" (protocol words); "?" for UNSET. */
const char *mtasts_mode_name(enum mtasts_mode m);

#define MTASTS_MAX_AGE_MAX 31557600UL   /* RFC 8461 section 3.2: one year */

struct mtasts_policy {
	enum mtasts_mode mode;
	unsigned long max_age;   /* seconds */
	char **mx;               /* the mx patterns as written ("*.example.org") */
	size_t nmx;
};

/*
 * Parse a policy file (lines "key: value", CRLF or LF).  version must be
 * STSv1; mode and max_age are required, and at least one mx unless the
 * mode is none; unknown keys are ignored (section 3.2).  0, or -1 with
 * *why (the whole policy is then invalid, and p is empty); an
 * allocation failure is -1 with *why NULL.  Free p with
 * mtasts_policy_free().
 */
int mtasts_policy_parse(const char *text, size_t len, struct mtasts_policy *p,
    char **why);
void mtasts_policy_free(struct mtasts_policy *p);

/*
 * Does host match pattern (section 4.1)?  Case does not matter, nor a
 * final dot; "*.example.org" stands for exactly one more label on the
 * left ("mx.example.org", not "example.org" nor "a.b.example.org").
 */
int mtasts_mx_match(const char *pattern, const char *host);

/* The first mx pattern of p that host matches, or NULL when none does. */
const char *mtasts_policy_match(const struct mtasts_policy *p,
    const char *host);

/*
 * TLS-RPT: the TXT record at _smtp._tls.DOMAIN,
 * "v=TLSRPTv1; rua=mailto:tls@example.org,https://r.example.org/v1":
 * where senders send their daily reports of TLS failures.
 */
struct mtasts_tlsrpt {
	char **rua;              /* the addresses, as written */
	size_t nrua;
};

/*
 * Parse the record (its TXT strings joined).  v=TLSRPTv1 must come
 * first, then rua= with one or more mailto: or https: URIs separated by
 * commas; other fields (extensions) are ignored, a repeated rua is an
 * error.  0, or -1 with *why in plain words (NULL when out of memory),
 * r then empty.  Free r with mtasts_tlsrpt_free().
 */
int mtasts_tlsrpt_parse(const char *txt, size_t len, struct mtasts_tlsrpt *r,
    char **why);
void mtasts_tlsrpt_free(struct mtasts_tlsrpt *r);

#endif
