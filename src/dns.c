/* dns.c - DNS look-ups over libresolv with a private resolver state: MX, A, AAAA, TXT, TLSA, and the AD bit. */
/* SPDX-License-Identifier: ISC */
#include "dns.h"

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

/* A reply over TCP may be this long; over UDP it is much less. */
#define DNS_MSG_MAX 65535
/* Records of one type kept from an answer: more is no answer to use. */
#define DNS_RR_MAX 256

struct dns {
	struct __res_state rs;
	char server[64];         /* "ADDR port N" when one was given, for messages */
};

/*
 * "ADDR" or "ADDR:PORT" into sin.  IPv4 only: glibc keeps IPv6 name
 * servers in private fields of its resolver state.
 */
static int
parse_server(const char *server, struct sockaddr_in *sin, char **errstr)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strchr(server, ':');
	size_t n = colon != NULL ? (size_t)(colon - server) : strlen(server);
	unsigned long port = 53;
	char *end;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (server[0] == '[' || (colon != NULL && strchr(colon + 1, ':') !=
	    NULL)) {
		n = 0;    /* an IPv6 address: said below */
	} else if (colon != NULL) {
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (colon[1] < '0' || colon[1] > '9' || *end != '\0' ||
		    errno != 0 || port == 0 || port > 65535) {
			util_seterr(errstr, _("dns_server '%s': the port after "
			    "':' is a number from 1 to 65535"), server);
			return -1;
		}
	}
	if (n == 0 || n >= sizeof(host)) {
		util_seterr(errstr, _("dns_server '%s' is not an IPv4 address "
		    "(ADDR or ADDR:PORT; IPv6 name servers are not supported)"),
		    server);
		return -1;
	}
	memcpy(host, server, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		util_seterr(errstr, _("dns_server '%s' is not an IPv4 address "
		    "(ADDR or ADDR:PORT; IPv6 name servers are not supported)"),
		    server);
		return -1;
	}
	sin->sin_port = htons((unsigned short)port);
	return 0;
}

int
dns_server_check(const char *server, char **errstr)
{
	struct sockaddr_in sin;

	return server == NULL || *server == '\0' ? 0 :
	    parse_server(server, &sin, errstr);
}

enum err
dns_new(struct dns **out, const char *server, char **errstr)
{
	struct sockaddr_in sin;
	struct dns *d;

	*out = NULL;
	if (server != NULL && *server != '\0' &&
	    parse_server(server, &sin, errstr) < 0)
		return ERR_CONFIG;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return ERR_NOMEM;
	/* Reads /etc/resolv.conf and RES_OPTIONS ("trust-ad"). */
	if (res_ninit(&d->rs) != 0) {
		util_seterr(errstr, _("cannot set up the DNS resolver"));
		free(d);
		return ERR_CONFIG;
	}
	if (server != NULL && *server != '\0') {
		/*
		 * Only this one.  An entry of family 0 would send glibc to
		 * its private IPv6 copy; ours is IPv4, so it uses this.
		 */
		d->rs.nsaddr_list[0] = sin;
		d->rs.nscount = 1;
		(void)snprintf(d->server, sizeof(d->server), "%s port %u",
		    inet_ntoa(sin.sin_addr), (unsigned)ntohs(sin.sin_port));
	}
	*out = d;
	return ERR_OK;
}

void
dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	res_nclose(&d->rs);
	free(d);
}

const char *
dns_type_name(unsigned type)
{
	switch (type) {
	case DNS_A:
		return "A";
	case DNS_CNAME:
		return "CNAME";
	case DNS_MX:
		return "MX";
	case DNS_TXT:
		return "TXT";
	case DNS_AAAA:
		return "AAAA";
	case DNS_TLSA:
		return "TLSA";
	default:
		return "?";
	}
}

/*
 * The decoded fields of r, by its type, from p, its data inside the
 * message (names may point back into it); -1 when the data is not what
 * the type holds.
 */
static int
decode(const ns_msg *h, const unsigned char *p, struct dns_rr *r)
{
	int n;

	switch (r->type) {
	case DNS_MX:
		if (r->rdlen < 3)
			return -1;
		r->pref = ns_get16(p);
		/* The name must fill the rest of the data, no more, no less. */
		n = dn_expand(ns_msg_base(*h), ns_msg_end(*h), p + 2, r->name,
		    (int)sizeof(r->name));
		if (n < 0 || (size_t)n + 2 != r->rdlen)
			return -1;
		break;
	case DNS_CNAME:
		n = dn_expand(ns_msg_base(*h), ns_msg_end(*h), p, r->name,
		    (int)sizeof(r->name));
		if (n < 0 || (size_t)n != r->rdlen)
			return -1;
		break;
	case DNS_A:
		if (r->rdlen != 4 || inet_ntop(AF_INET, p, r->addr,
		    sizeof(r->addr)) == NULL)
			return -1;
		return 0;
	case DNS_AAAA:
		if (r->rdlen != 16 || inet_ntop(AF_INET6, p, r->addr,
		    sizeof(r->addr)) == NULL)
			return -1;
		return 0;
	default:
		return 0;
	}
	/* The root is "" to dn_expand(); a null MX names it ".". */
	if (r->name[0] == '\0')
		memcpy(r->name, ".", 2);
	return 0;
}

/* Append record i of section an to a when it is of type; 0 or -1. */
static int
add_rr(const ns_msg *h, int i, enum dns_type type, struct dns_answer *a)
{
	struct dns_rr *v, *r;
	ns_rr rr;

	if (ns_parserr((ns_msg *)h, ns_s_an, i, &rr) < 0)
		return -1;
	if (ns_rr_type(rr) != (unsigned)type || ns_rr_class(rr) != ns_c_in ||
	    a->n >= DNS_RR_MAX)
		return 0;
	v = realloc(a->rrs, (a->n + 1) * sizeof(*v));
	if (v == NULL)
		return -2;
	a->rrs = v;
	r = &v[a->n];
	memset(r, 0, sizeof(*r));
	r->type = ns_rr_type(rr);
	r->ttl = ns_rr_ttl(rr);
	r->rdlen = ns_rr_rdlen(rr);
	if ((r->rdata = malloc(r->rdlen + 1)) == NULL)
		return -2;
	memcpy(r->rdata, ns_rr_rdata(rr), r->rdlen);
	a->n++;
	return decode(h, ns_rr_rdata(rr), r);
}

enum err
dns_parse(const unsigned char *msg, size_t len, enum dns_type type,
    struct dns_answer *a, char **errstr)
{
	ns_msg h;
	int i, count, r;

	memset(a, 0, sizeof(*a));
	if (len > DNS_MSG_MAX || ns_initparse(msg, (int)len, &h) < 0) {
		util_seterr(errstr, _("the name server's answer is not a "
		    "well-formed DNS message"));
		return ERR_DATA;
	}
	a->rcode = ns_msg_getflag(h, ns_f_rcode);
	a->ad = ns_msg_getflag(h, ns_f_ad);
	count = ns_msg_count(h, ns_s_an);
	for (i = 0; i < count; i++) {
		if ((r = add_rr(&h, i, type, a)) == 0)
			continue;
		dns_answer_free(a);
		if (r == -2)
			return ERR_NOMEM;
		util_seterr(errstr, _("the name server's answer is not a "
		    "well-formed DNS message (record %d of %d)"), i + 1,
		    count);
		return ERR_DATA;
	}
	return ERR_OK;
}

void
dns_answer_free(struct dns_answer *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->rrs[i].rdata);
	free(a->rrs);
	memset(a, 0, sizeof(*a));
}

/* Who was asked, for messages. */
static const char *
asked(const struct dns *d)
{
	return d->server[0] != '\0' ? d->server : _("the system's name server");
}

enum err
dns_query(struct dns *d, const char *name, enum dns_type type,
    struct dns_answer *a, char **errstr)
{
	unsigned char q[NS_PACKETSZ], *ans;
	int qlen, n;
	enum err e;

	memset(a, 0, sizeof(*a));
	qlen = res_nmkquery(&d->rs, ns_o_query, name, ns_c_in, (int)type,
	    NULL, 0, NULL, q, (int)sizeof(q));
	if (qlen < 0) {
		util_seterr(errstr, _("'%s' is not a name the DNS can be "
		    "asked for"), name);
		return ERR_RESOLVE;
	}
	if ((ans = malloc(DNS_MSG_MAX)) == NULL)
		return ERR_NOMEM;
	/* Not res_nquery(): it hides the rcode of an empty answer. */
	n = res_nsend(&d->rs, q, qlen, ans, DNS_MSG_MAX);
	if (n < 0) {
		util_seterr(errstr, _("no answer from %s for the %s records "
		    "of %s"), asked(d), dns_type_name(type), name);
		free(ans);
		return ERR_RESOLVE;
	}
	e = dns_parse(ans, (size_t)n, type, a, errstr);
	free(ans);
	if (e == ERR_DATA)
		return ERR_RESOLVE;
	if (e != ERR_OK)
		return e;
	if (a->rcode != ns_r_noerror && a->rcode != ns_r_nxdomain) {
		util_seterr(errstr, _("%s failed to answer for the %s records "
		    "of %s (rcode %d%s)"), asked(d), dns_type_name(type),
		    name, a->rcode, a->rcode == ns_r_servfail ? ", SERVFAIL" :
		    a->rcode == ns_r_refused ? ", REFUSED" : "");
		dns_answer_free(a);
		return ERR_RESOLVE;
	}
	return ERR_OK;
}
