/* tlspolicy.h - a domain's SMTP transport security policy looked up: DANE TLSA records per host, MTA-STS (TXT and the HTTPS policy file), TLS-RPT. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_TLSPOLICY_H
#define PIGEON_TLSPOLICY_H

#include <stddef.h>

#include "dns.h"
#include "mtasts.h"
#include "tls.h"
#include "transcript.h"

/*
 * What the DNS (and the domain's policy web server) say; judging the
 * server against it is the caller's (the probe's).  Texts are UTF-8 as
 * received, not escaped: escape them where they are shown.
 */

/* The TLSA records of _25._tcp.HOST. */
struct tlspolicy_dane {
	char *qname;             /* "_25._tcp.mx.example.org" */
	int ad;                  /* the answer had the AD bit (DNSSEC) */
	char *why;               /* the look-up failed: why; NULL when it answered */
	struct tls_tlsa *rec;    /* every record, as published (data owned) */
	size_t n;
	struct tls_tlsa *smtp;   /* those an SMTP client may use (RFC 7672 section 3.1.3: DANE-TA, DANE-EE), data shared with rec */
	size_t nsmtp;
};

/* Look up host's TLSA records (port 25): 0, or -1 out of memory. */
int tlspolicy_dane(struct dns *d, const char *host, struct tlspolicy_dane *out);
void tlspolicy_dane_free(struct tlspolicy_dane *p);

/* "DANE-EE", "SPKI", "SHA2-256" ("?" for a number not assigned). */
const char *tlspolicy_usage_name(unsigned u);
const char *tlspolicy_selector_name(unsigned s);
const char *tlspolicy_mtype_name(unsigned m);

/* How the policy file is fetched. */
struct tlspolicy_fetch {
	const char *cafile;      /* NULL: the system store (SSL_CERT_FILE) */
	int family;              /* AF_UNSPEC, AF_INET, AF_INET6 */
	int timeout_ms;
	struct transcript *tr;   /* the fetch's connection events, or NULL */
};

enum tlspolicy_state {
	TLSPOLICY_NONE,          /* no record: the domain has no such policy */
	TLSPOLICY_BAD,           /* a record (or the policy file) that does not count: why says */
	TLSPOLICY_OK,
};

struct tlspolicy_sts {
	enum tlspolicy_state txt;    /* the _mta-sts TXT record */
	char *txt_text;          /* it, as published (the first, when several) */
	char *id;
	int txt_ad;
	enum tlspolicy_state policy; /* the policy file (NONE: not fetched, no valid TXT) */
	char *url;               /* https://mta-sts.DOMAIN/.well-known/mta-sts.txt */
	int status;              /* the HTTP status, 0 none */
	char *why;               /* what went wrong with the TXT or the policy */
	struct mtasts_policy pol;
};

/* MTA-STS of domain: 0, or -1 out of memory. */
int tlspolicy_sts(struct dns *d, const char *domain,
    const struct tlspolicy_fetch *f, struct tlspolicy_sts *out);
void tlspolicy_sts_free(struct tlspolicy_sts *p);

struct tlspolicy_rpt {
	enum tlspolicy_state state;
	char *text;              /* the record (the first, when several) */
	char *why;
	struct mtasts_tlsrpt rpt;
};

/* TLS-RPT of domain: 0, or -1 out of memory. */
int tlspolicy_rpt(struct dns *d, const char *domain, struct tlspolicy_rpt *out);
void tlspolicy_rpt_free(struct tlspolicy_rpt *p);

#endif
