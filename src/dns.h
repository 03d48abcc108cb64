/* dns.h - DNS look-ups over libresolv with a private resolver state: MX, A, AAAA, TXT, TLSA, and the AD bit. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_DNS_H
#define PIGEON_DNS_H

#include <stddef.h>

#include "err.h"

/*
 * getaddrinfo() says nothing of MX records, nor whether an answer was
 * authenticated; this module asks the name server itself.  Each struct
 * dns has its own resolver state (res_ninit), so look-ups in two threads
 * never share one.  The system's settings apply (/etc/resolv.conf, and
 * RES_OPTIONS from the environment, which glibc reads: "trust-ad" there
 * keeps the AD bit of answers, which glibc otherwise clears), unless a
 * name server is given: then only that one is asked.
 */

/* Record types, as on the wire. */
enum dns_type {
	DNS_A = 1,
	DNS_CNAME = 5,
	DNS_MX = 15,
	DNS_TXT = 16,
	DNS_AAAA = 28,
	DNS_TLSA = 52,
};

/* One record of an answer. */
struct dns_rr {
	unsigned type;           /* enum dns_type */
	unsigned long ttl;
	unsigned char *rdata;    /* the record data as on the wire */
	size_t rdlen;
	/*
	 * Decoded, by type: MX: pref and name (the exchange, "." for a null
	 * MX); A, AAAA: addr (numeric, inet_ntop()); CNAME: name.  Empty
	 * for the rest (TXT, TLSA: read rdata).
	 */
	unsigned pref;
	char name[1025];
	char addr[46];
};

/* What a query gave. */
struct dns_answer {
	int rcode;               /* 0 NOERROR, 3 NXDOMAIN, ... */
	int ad;                  /* the AD bit: the resolver validated it (DNSSEC) */
	struct dns_rr *rrs;      /* the records of the type asked for */
	size_t n;
};

struct dns;

/*
 * A resolver.  server: "ADDR" or "ADDR:PORT" (an IPv4 address, port 53
 * by default) of the one name server to ask, NULL or "": the system's.
 * ERR_CONFIG with *errstr for a server that is not an IPv4 address, or
 * when the resolver cannot be set up; ERR_NOMEM.
 */
enum err dns_new(struct dns **out, const char *server, char **errstr);
void dns_free(struct dns *d);
/* Check a name server setting as dns_new() reads it: 0, or -1 with *errstr. */
int dns_server_check(const char *server, char **errstr);

/*
 * Ask for the records of type of name.  ERR_OK with the answer filled
 * (a->n 0 when there are none: a->rcode tells "no such name", 3, from
 * "no such record", 0); ERR_RESOLVE with *errstr when no name server
 * answered or it failed (SERVFAIL, REFUSED): a temporary failure.
 * ERR_NOMEM.  The caller frees *a with dns_answer_free().
 */
enum err dns_query(struct dns *d, const char *name, enum dns_type type,
    struct dns_answer *a, char **errstr);

/*
 * Parse a whole DNS message (a reply as it came over the wire): its
 * rcode, AD bit and the answer records of type type.  ERR_DATA with
 * *errstr for a message that is not well-formed.  For tests and for
 * dns_query().
 */
enum err dns_parse(const unsigned char *msg, size_t len, enum dns_type type,
    struct dns_answer *a, char **errstr);
void dns_answer_free(struct dns_answer *a);

/* The name of a type ("MX"), "?" for one not listed. */
const char *dns_type_name(unsigned type);

#endif
