/* tlspolicy.c - a domain's SMTP transport security policy looked up: DANE TLSA records per host, MTA-STS (TXT and the HTTPS policy file), TLS-RPT. */
/* SPDX-License-Identifier: ISC */
#include "tlspolicy.h"

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "https.h"
#include "i18n.h"
#include "util.h"

#define TLSPOLICY_MAX_RECORDS 64
#define TLSPOLICY_MAX_FILE (64 * 1024)   /* RFC 8461 section 3.3 */

const char *
tlspolicy_usage_name(unsigned u)
{
	static const char *const n[] = { "PKIX-TA", "PKIX-EE", "DANE-TA",
	    "DANE-EE" };

	return u < 4 ? n[u] : "?";
}

const char *
tlspolicy_selector_name(unsigned s)
{
	return s == 0 ? "Cert" : s == 1 ? "SPKI" : "?";
}

const char *
tlspolicy_mtype_name(unsigned m)
{
	return m == 0 ? "Full" : m == 1 ? "SHA2-256" : m == 2 ? "SHA2-512" :
	    "?";
}

void
tlspolicy_dane_free(struct tlspolicy_dane *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		free((void *)p->rec[i].data);
	free(p->rec);
	free(p->smtp);
	free(p->qname);
	free(p->why);
	memset(p, 0, sizeof(*p));
}

int
tlspolicy_dane(struct dns *d, const char *host, struct tlspolicy_dane *out)
{
	struct dns_answer a;
	unsigned char *data;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	if ((out->qname = util_strf("_25._tcp.%s", host)) == NULL)
		return -1;
	if (dns_query(d, out->qname, DNS_TLSA, &a, &out->why) != ERR_OK)
		return out->why != NULL ? 0 : -1;
	out->ad = a.ad;
	if (a.n > 0 && ((out->rec = calloc(a.n, sizeof(*out->rec))) == NULL ||
	    (out->smtp = calloc(a.n, sizeof(*out->smtp))) == NULL))
		goto nomem;
	for (i = 0; i < a.n && out->n < TLSPOLICY_MAX_RECORDS; i++) {
		const struct dns_rr *r = &a.rrs[i];

		if (r->rdlen < 3)
			continue;
		if ((data = malloc(r->rdlen - 3 + 1)) == NULL)
			goto nomem;
		memcpy(data, r->rdata + 3, r->rdlen - 3);
		out->rec[out->n].usage = r->rdata[0];
		out->rec[out->n].selector = r->rdata[1];
		out->rec[out->n].mtype = r->rdata[2];
		out->rec[out->n].data = data;
		out->rec[out->n].len = r->rdlen - 3;
		if (r->rdata[0] == 2 || r->rdata[0] == 3)
			out->smtp[out->nsmtp++] = out->rec[out->n];
		out->n++;
	}
	dns_answer_free(&a);
	return 0;
nomem:
	dns_answer_free(&a);
	tlspolicy_dane_free(out);
	return -1;
}

/* A TXT record's strings joined, into b. */
static int
txt_join(const struct dns_rr *r, struct buf *b)
{
	size_t i = 0, n;

	buf_reset(b);
	while (i < r->rdlen) {
		n = r->rdata[i++];
		if (n > r->rdlen - i)
			n = r->rdlen - i;
		if (buf_add(b, r->rdata + i, n) < 0)
			return -1;
		i += n;
	}
	return buf_addstr(b, "");
}

/*
 * The TXT records of name that start with prefix (the others are not
 * ours, RFC 8461 section 3.1): *count of them, the first into *text.
 * 0; -1 out of memory; 1 the look-up failed (*why).
 */
static int
txt_find(struct dns *d, const char *name, const char *prefix, char **text,
    size_t *count, int *ad, char **why)
{
	struct dns_answer a;
	struct buf b;
	size_t i, pl = strlen(prefix);
	int r = 0;

	*text = NULL;
	*count = 0;
	memset(&a, 0, sizeof(a));
	if (dns_query(d, name, DNS_TXT, &a, why) != ERR_OK)
		return *why != NULL ? 1 : -1;
	*ad = a.ad;
	buf_init(&b, 64 * 1024);
	for (i = 0; i < a.n && r == 0; i++) {
		if (txt_join(&a.rrs[i], &b) < 0) {
			r = -1;
		} else if (strncmp(buf_str(&b), prefix, pl) == 0 &&
		    (b.data[pl] == ';' || b.data[pl] == ' ' ||
		    b.data[pl] == '\t' || b.data[pl] == '\0')) {
			if ((*count)++ == 0 &&
			    (*text = strndup(b.data, b.len)) == NULL)
				r = -1;
		}
	}
	buf_free(&b);
	dns_answer_free(&a);
	return r;
}

/* The address to fetch the policy from, through d as the probe resolves; NULL with *why. */
static char *
policy_addr(struct dns *d, const char *host, int family, char **why)
{
	static const enum dns_type types[2] = { DNS_A, DNS_AAAA };
	struct dns_answer a;
	char *addr = NULL;
	size_t i, k;

	for (k = 0; k < 2 && addr == NULL; k++) {
		if ((family == AF_INET6 && types[k] == DNS_A) ||
		    (family == AF_INET && types[k] == DNS_AAAA))
			continue;
		memset(&a, 0, sizeof(a));
		free(*why);
		*why = NULL;
		if (dns_query(d, host, types[k], &a, why) != ERR_OK)
			continue;
		for (i = 0; i < a.n && addr == NULL; i++)
			if (a.rrs[i].addr[0] != '\0')
				addr = strdup(a.rrs[i].addr);
		dns_answer_free(&a);
	}
	if (addr == NULL && *why == NULL)
		util_seterr(why, _("%s has no address"), host);
	return addr;
}

static void
fetch_policy(struct dns *d, const char *domain,
    const struct tlspolicy_fetch *f, struct tlspolicy_sts *out)
{
	struct https_request rq;
	struct https_response rs;
	const char *loc;
	char *host, *addr = NULL, *why = NULL;

	memset(&rs, 0, sizeof(rs));
	out->policy = TLSPOLICY_BAD;
	if ((host = util_strf("mta-sts.%s", domain)) == NULL ||
	    (addr = policy_addr(d, host, f->family, &out->why)) == NULL)
		goto out;
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.url = out->url;
	rq.max_body = TLSPOLICY_MAX_FILE;
	rq.timeout_ms = f->timeout_ms;
	rq.cafile = f->cafile;
	rq.connect_addr = addr;
	rq.family = f->family;
	rq.tr = f->tr;
	if (https_request(&rq, &rs, &out->why) != ERR_OK)
		goto out;
	out->status = rs.status;
	if (rs.status >= 300 && rs.status < 400) {
		loc = https_header(&rs, "Location");
		util_seterr(&out->why, _("the policy server answered %d, a "
		    "redirect to %s: RFC 8461 forbids following it"),
		    rs.status, loc != NULL ? loc : "?");
	} else if (rs.status != 200) {
		util_seterr(&out->why, _("the policy server answered %d %s"),
		    rs.status, rs.reason);
	} else if (mtasts_policy_parse(rs.body, rs.bodylen, &out->pol,
	    &why) < 0) {
		util_seterr(&out->why, _("the policy file is not valid: %s"),
		    why != NULL ? why : err_str(ERR_NOMEM));
	} else {
		out->policy = TLSPOLICY_OK;
	}
out:
	free(why);
	https_response_free(&rs);
	free(addr);
	free(host);
}

int
tlspolicy_sts(struct dns *d, const char *domain,
    const struct tlspolicy_fetch *f, struct tlspolicy_sts *out)
{
	char *name;
	size_t count;
	int r;

	memset(out, 0, sizeof(*out));
	if ((name = util_strf("_mta-sts.%s", domain)) == NULL ||
	    (out->url = util_strf("https://mta-sts.%s/.well-known/"
	    "mta-sts.txt", domain)) == NULL) {
		free(name);
		return -1;
	}
	r = txt_find(d, name, "v=STSv1", &out->txt_text, &count,
	    &out->txt_ad, &out->why);
	free(name);
	if (r < 0)
		return -1;
	if (r > 0 || count == 0) {
		/* No answer: as good as no record (section 5.1). */
		out->txt = TLSPOLICY_NONE;
		return 0;
	}
	out->txt = TLSPOLICY_BAD;
	if (count > 1)
		util_seterr(&out->why, _("there are %zu v=STSv1 records: "
		    "none counts (RFC 8461 section 3.1)"), count);
	else if (mtasts_txt_parse(out->txt_text, strlen(out->txt_text),
	    &out->id, &out->why) == 0)
		out->txt = TLSPOLICY_OK;
	if (out->txt == TLSPOLICY_OK)
		fetch_policy(d, domain, f, out);
	return 0;
}

void
tlspolicy_sts_free(struct tlspolicy_sts *p)
{
	if (p == NULL)
		return;
	free(p->txt_text);
	free(p->id);
	free(p->url);
	free(p->why);
	mtasts_policy_free(&p->pol);
	memset(p, 0, sizeof(*p));
}

int
tlspolicy_rpt(struct dns *d, const char *domain, struct tlspolicy_rpt *out)
{
	char *name;
	size_t count;
	int r, ad;

	memset(out, 0, sizeof(*out));
	if ((name = util_strf("_smtp._tls.%s", domain)) == NULL)
		return -1;
	r = txt_find(d, name, "v=TLSRPTv1", &out->text, &count, &ad,
	    &out->why);
	free(name);
	if (r < 0)
		return -1;
	if (r > 0 || count == 0) {
		out->state = TLSPOLICY_NONE;
		return 0;
	}
	out->state = TLSPOLICY_BAD;
	if (count > 1)
		util_seterr(&out->why, _("there are %zu v=TLSRPTv1 records: "
		    "none counts (RFC 8460 section 3)"), count);
	else if (mtasts_tlsrpt_parse(out->text, strlen(out->text), &out->rpt,
	    &out->why) == 0)
		out->state = TLSPOLICY_OK;
	return 0;
}

void
tlspolicy_rpt_free(struct tlspolicy_rpt *p)
{
	if (p == NULL)
		return;
	free(p->text);
	free(p->why);
	mtasts_tlsrpt_free(&p->rpt);
	memset(p, 0, sizeof(*p));
}
