/* probemx.c - "pigeon probe --mx DOMAIN": the domain's mail hosts, each probed in turn, and its transport security policy judged (probepol.c). */
/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "candidates.h"
#include "cli.h"
#include "dns.h"
#include "i18n.h"
#include "probe.h"
#include "probepol.h"

/* The hosts of c, as the DNS gave them and in the order a delivery tries them. */
static void
print_candidates(const struct candidates *c)
{
	size_t i, j;

	if (c->implicit)
		cli_print_safe(_("No MX record: mail goes to the domain's own "
		    "address (implicit MX): "), c->domain);
	else
		cli_print_safe(_("MX records, in the order a delivery tries "
		    "them: "), c->domain);
	(void)printf(c->ad ? _("DNSSEC: the resolver says the answers are "
	    "authenticated (AD bit)\n") : _("DNSSEC: not authenticated (no "
	    "AD bit from the resolver)\n"));
	for (i = 0; i < c->n; i++) {
		struct buf b;

		buf_init(&b, 64 * 1024);
		if (buf_printf(&b, "  %5u %s ", c->hosts[i].pref,
		    c->hosts[i].name) == 0) {
			for (j = 0; j < c->hosts[i].naddrs; j++)
				(void)buf_printf(&b, " %s",
				    c->hosts[i].addrs[j]);
			if (c->hosts[i].naddrs == 0)
				(void)buf_printf(&b, " %s",
				    c->hosts[i].why != NULL ? c->hosts[i].why :
				    _("no address"));
			cli_print_safe("", buf_str(&b));
		}
		buf_free(&b);
	}
}

/* What the policy checks of one host need in probe_one()'s after-hook. */
struct mx_host {
	struct probepol *pol;
	struct tlspolicy_dane *dn;
	const char *name;
	const char *domain;
	int last;                /* the host's last address: judge it even when it failed */
	int last_host;           /* and the domain's last host: the summary too */
	int summed;
};

static void
mx_after(struct cli *c, int rc, const struct tls_peer *peer, void *arg)
{
	struct mx_host *m = arg;

	/* A failed address is judged only when no other is left to try. */
	if (rc != 0 && !m->last)
		return;
	probepol_host_after(c, m->pol, m->name, m->dn, peer);
	/* Before the connection's JSON outcome, which ends the transcript. */
	if (m->last_host) {
		probepol_summary(c, m->pol, m->domain);
		m->summed = 1;
	}
}

/*
 * pigeon probe --mx DOMAIN: the hosts; the domain's MTA-STS and TLS-RPT;
 * then each host probed in turn, its TLSA records checked against what
 * it presents; a line for the domain's policy at the end.
 */
int
probe_mx(struct cli *c, const char *domain)
{
	struct probe_view view = { 0 };
	struct candidates cand;
	struct probepol pol;
	struct tlspolicy_dane dn;
	struct mx_host m = { &pol, &dn, NULL, domain, 0, 0, 0 };
	struct probe_after after = { mx_after, &m };
	struct dns *d = NULL;
	const struct cand_host *h;
	char *server, *why = NULL;
	size_t i, j;
	int rc, r;
	enum err e;

	if ((server = route_direct(domain, c->tls_required)) == NULL)
		return EX_OSERR;
	rc = cli_setup(c, server, 0);
	free(server);
	if (rc != 0)
		return rc;
	memset(&cand, 0, sizeof(cand));
	memset(&pol, 0, sizeof(pol));
	if ((e = dns_new(&d, c->rt.so.dns_server, &why)) == ERR_OK)
		e = candidates_lookup(&cand, d, domain, c->rt.so.net.family,
		    &why);
	if (cand.n > 0)
		print_candidates(&cand);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		candidates_free(&cand);
		dns_free(d);
		return err_exit_code(e);
	}
	if (probepol_domain(c, d, domain, &pol) < 0) {
		rc = EX_OSERR;
		goto out;
	}
	/* Each host as a server of its own: its first address that answers. */
	c->rt.so.mx_domain = NULL;
	for (i = 0; i < cand.n; i++) {
		h = &cand.hosts[i];
		r = EX_NOHOST;
		(void)printf("\n");
		cli_print_safe(_("Mail host: "), h->name);
		if (probepol_host_before(c, d, h->name, &dn) < 0) {
			rc = EX_OSERR;
			goto out;
		}
		m.name = h->name;
		m.last_host = i + 1 == cand.n;
		for (j = 0; j < h->naddrs; j++) {
			if (j > 0) {
				(void)printf("\n");
				cli_print_safe(_("Mail host: "), h->name);
			}
			c->rt.so.host = h->addrs[j];
			c->rt.so.tls.servername = h->name;
			m.last = j + 1 == h->naddrs;
			if ((r = probe_one(c, &view, 0, &after)) == 0)
				break;
		}
		if (h->naddrs == 0)
			probepol_host_after(c, &pol, h->name, &dn, NULL);
		tlspolicy_dane_free(&dn);
		if (rc == 0)
			rc = r;
	}
	if (!m.summed)
		probepol_summary(c, &pol, domain);
out:
	probepol_free(&pol);
	candidates_free(&cand);
	dns_free(d);
	return rc;
}
