/* probepol.c - "pigeon probe --mx": the domain's transport security policy (DANE, MTA-STS, TLS-RPT) shown and judged against what each host presents. */
/* SPDX-License-Identifier: ISC */
#include "probepol.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

/*
 * A line of the policy report: printed (escaped) and added to the
 * transcript as a note, so --transcript-json and the pane carry it too.
 */
static void
say(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = util_vstrf(fmt, ap);
	va_end(ap);
	if (s == NULL)
		return;
	cli_print_safe("", s);
	transcript_emit(c->tr, TR_INFO, 0, s, strlen(s));
	free(s);
}

/*
 * "DANE-EE(3) SPKI(1) SHA2-256(1) 4f0a...c217" of r into b: the data's
 * first and last two bytes tell two records of a key roll-over apart.
 */
static int
tlsa_words(const struct tls_tlsa *r, struct buf *b)
{
	size_t i;
	int rc;

	rc = buf_printf(b, "%s(%u) %s(%u) %s(%u) ",
	    tlspolicy_usage_name(r->usage), r->usage,
	    tlspolicy_selector_name(r->selector), r->selector,
	    tlspolicy_mtype_name(r->mtype), r->mtype);
	for (i = 0; rc == 0 && i < r->len; i++) {
		if (r->len > 8 && i == 2) {
			rc = buf_addstr(b, "...");
			i = r->len - 2;
		}
		rc = rc < 0 ? rc : buf_printf(b, "%02x", r->data[i]);
	}
	if (rc == 0 && r->len == 0)
		rc = buf_addstr(b, _("(no data)"));
	return rc;
}

int
probepol_domain(struct cli *c, struct dns *d, const char *domain,
    struct probepol *p)
{
	struct tlspolicy_fetch f = { c->rt.so.tls.cafile, c->rt.so.net.family,
	    10000, c->tr };
	size_t i;

	memset(p, 0, sizeof(*p));
	(void)printf("\n");
	if (tlspolicy_sts(d, domain, &f, &p->sts) < 0 ||
	    tlspolicy_rpt(d, domain, &p->rpt) < 0)
		return -1;
	switch (p->sts.txt) {
	case TLSPOLICY_NONE:
		say(c, _("MTA-STS: no v=STSv1 TXT record at _mta-sts.%s: the "
		    "domain has no MTA-STS policy"), domain);
		break;
	case TLSPOLICY_BAD:
		say(c, _("MTA-STS: the TXT record at _mta-sts.%s does not "
		    "count: %s"), domain, p->sts.why);
		break;
	case TLSPOLICY_OK:
		say(c, _("MTA-STS: TXT _mta-sts.%s \"%s\" (policy id %s)"),
		    domain, p->sts.txt_text, p->sts.id);
		if (p->sts.policy != TLSPOLICY_OK) {
			say(c, _("MTA-STS: the policy %s cannot be used: %s; "
			    "senders treat the domain as having no policy "
			    "(RFC 8461 section 5)"), p->sts.url, p->sts.why);
			break;
		}
		say(c, _("MTA-STS: policy %s: mode %s, max_age %lu seconds"),
		    p->sts.url, mtasts_mode_name(p->sts.pol.mode),
		    p->sts.pol.max_age);
		for (i = 0; i < p->sts.pol.nmx; i++)
			say(c, "  mx: %s", p->sts.pol.mx[i]);
		break;
	}
	switch (p->rpt.state) {
	case TLSPOLICY_NONE:
		say(c, _("TLS-RPT: no v=TLSRPTv1 TXT record at _smtp._tls.%s: "
		    "senders send no reports of TLS failures"), domain);
		break;
	case TLSPOLICY_BAD:
		say(c, _("TLS-RPT: the record at _smtp._tls.%s \"%s\" does not "
		    "count: %s"), domain, p->rpt.text, p->rpt.why);
		break;
	case TLSPOLICY_OK:
		say(c, _("TLS-RPT: senders report TLS failures to:"));
		for (i = 0; i < p->rpt.rpt.nrua; i++)
			say(c, "  %s", p->rpt.rpt.rua[i]);
		break;
	}
	return 0;
}

int
probepol_host_before(struct cli *c, struct dns *d, const char *host,
    struct tlspolicy_dane *dn)
{
	struct buf b;
	size_t i;

	c->rt.so.tls.tlsa = NULL;
	c->rt.so.tls.ntlsa = 0;
	if (tlspolicy_dane(d, host, dn) < 0)
		return -1;
	if (dn->why != NULL) {
		say(c, _("DANE: the TLSA look-up of %s failed: %s; a "
		    "DANE-aware sender puts mail for this host off until it "
		    "answers (RFC 7672 section 2.2)"), dn->qname, dn->why);
		return 0;
	}
	if (dn->n == 0) {
		say(c, _("DANE: no TLSA records at %s"), dn->qname);
		return 0;
	}
	say(c, dn->ad ? _("DANE: TLSA records at %s (validated by DNSSEC):") :
	    _("DANE: TLSA records at %s (NOT validated by DNSSEC):"),
	    dn->qname);
	buf_init(&b, 64 * 1024);
	for (i = 0; i < dn->n; i++) {
		buf_reset(&b);
		if (tlsa_words(&dn->rec[i], &b) < 0)
			continue;
		say(c, "  %u %u %u  %s", dn->rec[i].usage, dn->rec[i].selector,
		    dn->rec[i].mtype, buf_str(&b));
		if (dn->rec[i].usage < 2)
			say(c, _("    unusable: %s(%u) is not for SMTP, a "
			    "sender ignores it (RFC 7672 section 3.1.3)"),
			    tlspolicy_usage_name(dn->rec[i].usage),
			    dn->rec[i].usage);
	}
	buf_free(&b);
	c->rt.so.tls.tlsa = dn->smtp;
	c->rt.so.tls.ntlsa = dn->nsmtp;
	return 0;
}

static void
dane_verdict(struct cli *c, struct probepol *p, const struct tlspolicy_dane *dn,
    const struct tls_peer *peer)
{
	const struct tls_tlsa *m;
	size_t i;

	if (dn->why != NULL || dn->n == 0)
		return;
	p->dane_hosts++;
	if (dn->ad)
		p->dane_valid++;
	for (i = 0; i < dn->nsmtp && i < 32; i++)
		if (peer != NULL && peer->dane_checked &&
		    (peer->dane_unusable & (1UL << i)))
			say(c, _("DANE: TLSA record %u %u %u is unusable: "
			    "OpenSSL does not take it (an unknown selector or "
			    "matching type, or data of the wrong length)"),
			    dn->smtp[i].usage, dn->smtp[i].selector,
			    dn->smtp[i].mtype);
	if (!dn->ad)
		say(c, _("DANE records found but not DNSSEC-validated: they "
		    "do not count (RFC 7672)"));
	if (peer == NULL) {
		if (dn->ad)
			say(c, _("DANE: TLS did not start: a DANE-aware sender "
			    "would refuse this server"));
		return;
	}
	if (dn->nsmtp == 0) {
		say(c, _("DANE: none of the %zu TLSA records is usable for "
		    "SMTP: a sender treats the host as having no DANE"),
		    dn->n);
		return;
	}
	if (peer->dane_checked && peer->dane_match >= 0 &&
	    (size_t)peer->dane_match < dn->nsmtp) {
		m = &dn->smtp[peer->dane_match];
		if (dn->ad)
			p->dane_match++;
		say(c, dn->ad ? _("DANE: the certificate matches TLSA record "
		    "%u %u %u (validated by DNSSEC)") : _("DANE: the "
		    "certificate matches TLSA record %u %u %u (but the record "
		    "is not validated)"), m->usage, m->selector, m->mtype);
	} else if (dn->ad) {
		say(c, _("DANE: the certificate matches none of the %zu TLSA "
		    "records: a DANE-aware sender would refuse this server"),
		    dn->nsmtp);
	} else {
		say(c, _("DANE: the certificate matches none of the %zu TLSA "
		    "records"), dn->nsmtp);
	}
}

static void
sts_verdict(struct cli *c, struct probepol *p, const char *host,
    const struct tls_peer *peer)
{
	const char *mode = mtasts_mode_name(p->sts.pol.mode);
	const char *pat;
	int testing = p->sts.pol.mode == MTASTS_MODE_TESTING;

	if (p->sts.policy != TLSPOLICY_OK)
		return;
	if (p->sts.pol.mode == MTASTS_MODE_NONE) {
		say(c, _("MTA-STS none: the domain has withdrawn its policy; "
		    "senders deliver to %s as without one"), host);
		return;
	}
	pat = mtasts_policy_match(&p->sts.pol, host);
	if (pat == NULL) {
		if (testing)
			say(c, _("MTA-STS testing: %s is not listed in the "
			    "policy: a sender would deliver anyway and report "
			    "the failure"), host);
		else
			say(c, _("MTA-STS %s: %s is not listed in the policy: "
			    "a sender that enforces MTA-STS would not deliver "
			    "to it"), mode, host);
		return;
	}
	if (peer == NULL) {
		say(c, _("MTA-STS %s: %s is listed (as %s) but TLS did not "
		    "start: %s"), mode, host, pat, testing ? _("a sender would "
		    "deliver anyway and report the failure") : _("a sender "
		    "that enforces MTA-STS would not deliver"));
		return;
	}
	if (!peer->chain_ok || !peer->name_ok) {
		say(c, _("MTA-STS %s: %s is listed (as %s) but its certificate "
		    "is not valid (%s): %s"), mode, host, pat,
		    peer->problem != NULL ? peer->problem : "?", testing ?
		    _("a sender would deliver anyway and report the failure") :
		    _("a sender that enforces MTA-STS would not deliver"));
		return;
	}
	p->sts_pass++;
	say(c, _("MTA-STS %s: %s is listed and its certificate is valid: a "
	    "sender that enforces MTA-STS would deliver"), mode, host);
}

void
probepol_host_after(struct cli *c, struct probepol *p, const char *host,
    const struct tlspolicy_dane *dn, const struct tls_peer *peer)
{
	c->rt.so.tls.tlsa = NULL;
	c->rt.so.tls.ntlsa = 0;
	p->hosts++;
	dane_verdict(c, p, dn, peer);
	sts_verdict(c, p, host, peer);
}

void
probepol_summary(struct cli *c, const struct probepol *p, const char *domain)
{
	struct buf b;

	buf_init(&b, 64 * 1024);
	(void)printf("\n");
	if (p->dane_valid == 0)
		(void)buf_printf(&b, _("DANE no"));
	else
		(void)buf_printf(&b, _("DANE %zu of %zu hosts match"),
		    p->dane_match, p->hosts);
	if (p->sts.policy == TLSPOLICY_OK &&
	    p->sts.pol.mode != MTASTS_MODE_NONE)
		(void)buf_printf(&b, _(", MTA-STS %s: %zu of %zu hosts pass"),
		    mtasts_mode_name(p->sts.pol.mode), p->sts_pass, p->hosts);
	else
		(void)buf_printf(&b, p->sts.txt == TLSPOLICY_NONE ?
		    _(", MTA-STS no") : _(", MTA-STS not usable"));
	(void)buf_printf(&b, p->rpt.state == TLSPOLICY_OK ? _(", TLS-RPT yes") :
	    p->rpt.state == TLSPOLICY_BAD ? _(", TLS-RPT malformed") :
	    _(", TLS-RPT no"));
	say(c, _("Policy of %s: %s"), domain, buf_str(&b));
	buf_free(&b);
}

void
probepol_free(struct probepol *p)
{
	tlspolicy_sts_free(&p->sts);
	tlspolicy_rpt_free(&p->rpt);
}
