/* candidates.h - the hosts to try, in order, to deliver to a domain: its MX records by preference, or the domain itself. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_CANDIDATES_H
#define PIGEON_CANDIDATES_H

#include <stddef.h>

#include "dns.h"
#include "err.h"
#include "url.h"

/*
 * RFC 5321 section 5.1: the MX records of the domain, lowest preference
 * first, those of equal preference in random order; no MX records at all
 * (but the name exists): the domain itself is the one host ("implicit
 * MX"); a single MX of "." (RFC 7505, "null MX"): the domain takes no
 * mail, a permanent failure.  Each host's addresses are looked up (AAAA
 * then A, or one family only), and a session tries them in this order.
 */
struct cand_host {
	char *name;              /* the MX exchange, or the domain (implicit MX) */
	unsigned pref;
	char **addrs;            /* numeric addresses, in the order to try */
	size_t naddrs;
	char *why;               /* no address: why (a failed look-up), or NULL */
	/*
	 * A server of a list (candidates_servers()): its URL as written,
	 * parsed into url; name is url.host, pref its place in the list,
	 * and there are no addresses (the connect resolves the name, or a
	 * proxy does).  NULL for a mail host.
	 */
	char *server;
	struct url url;
};

struct candidates {
	char *domain;
	int implicit;            /* no MX records: the domain's own addresses */
	int ad;                  /* every answer had the AD bit (DNSSEC, as the resolver says) */
	struct cand_host *hosts;
	size_t n;
};

/*
 * Is this set of MX records a null MX (a single record naming ".")?
 */
int candidates_null_mx(const struct dns_rr *mx, size_t n);

/*
 * Put the MX records mx[0..n) in the order to try: by preference, and
 * within one preference shuffled with rnd(arg, k), which returns a number
 * in 0..k-1 (NULL: getrandom()).  Records naming "." are dropped.
 * Returns the number left at the front of mx.
 */
size_t candidates_order(struct dns_rr *mx, size_t n,
    unsigned (*rnd)(void *arg, unsigned k), void *arg);

/*
 * The candidates of domain, asking d; family AF_UNSPEC, AF_INET or
 * AF_INET6 picks the addresses.  ERR_OK: c->n >= 1 and at least one host
 * has an address.  ERR_PERMFAIL with *errstr: a null MX, a domain that
 * does not exist, no host with an address of the family.  ERR_RESOLVE
 * with *errstr: the DNS did not answer (a temporary failure).
 * ERR_NOMEM.  c is filled as far as it got either way (for showing);
 * free it with candidates_free().
 */
enum err candidates_lookup(struct candidates *c, struct dns *d,
    const char *domain, int family, char **errstr);
/*
 * Append the server URLs of list (separated by commas or blanks) to c,
 * in that order: the servers a session tries one after the other when
 * the one before cannot be reached or its TLS fails (fallback_server).
 * Every URL is checked: ERR_CONFIG with *errstr naming the wrong one
 * (c is then as it was), ERR_NOMEM.  An empty list adds nothing.
 */
enum err candidates_servers(struct candidates *c, const char *list,
    char **errstr);
void candidates_free(struct candidates *c);

#endif
