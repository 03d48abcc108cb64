/* probepol.h - "pigeon probe --mx": the domain's transport security policy (DANE, MTA-STS, TLS-RPT) shown and judged against what each host presents. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_PROBEPOL_H
#define PIGEON_PROBEPOL_H

#include "cli.h"
#include "dns.h"
#include "tlspolicy.h"

struct probepol {
	struct tlspolicy_sts sts;
	struct tlspolicy_rpt rpt;
	/* Counts over the hosts, for the summary line. */
	size_t hosts;
	size_t dane_hosts, dane_valid, dane_match;
	size_t sts_pass;
};

/* Look up and show the domain's MTA-STS and TLS-RPT (0, or -1 out of memory). */
int probepol_domain(struct cli *c, struct dns *d, const char *domain,
    struct probepol *p);
/* Look up and show host's TLSA records; they go into c's TLS options for the probe. */
int probepol_host_before(struct cli *c, struct dns *d, const char *host,
    struct tlspolicy_dane *dn);
/* The verdicts for host, from what its probe saw (peer: NULL when TLS did not start). */
void probepol_host_after(struct cli *c, struct probepol *p, const char *host,
    const struct tlspolicy_dane *dn, const struct tls_peer *peer);
/* One line for the domain. */
void probepol_summary(struct cli *c, const struct probepol *p,
    const char *domain);
void probepol_free(struct probepol *p);

#endif
