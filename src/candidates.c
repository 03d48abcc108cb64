/* candidates.c - the hosts to try, in order, to deliver to a domain: its MX records by preference, or the domain itself. */
/* SPDX-License-Identifier: ISC */
#include "candidates.h"

#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

int
candidates_null_mx(const struct dns_rr *mx, size_t n)
{
	return n == 1 && strcmp(mx[0].name, ".") == 0;
}

static unsigned
system_random(void *arg, unsigned k)
{
	unsigned v = 0;

	(void)arg;
	if (util_random(&v, sizeof(v)) < 0)
		return 0;    /* no randomness: the order the DNS gave */
	return v % k;
}

static int
by_pref(const void *a, const void *b)
{
	const struct dns_rr *x = a, *y = b;

	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

size_t
candidates_order(struct dns_rr *mx, size_t n,
    unsigned (*rnd)(void *arg, unsigned k), void *arg)
{
	struct dns_rr t;
	size_t i, j, k, out = 0;

	if (rnd == NULL)
		rnd = system_random;
	for (i = 0; i < n; i++) {
		if (strcmp(mx[i].name, ".") == 0)
			continue;
		if (out != i) {
			t = mx[out];
			mx[out] = mx[i];
			mx[i] = t;
		}
		out++;
	}
	if (out == 0)
		return 0;   /* no MX (mx may be NULL): nothing to sort */
	qsort(mx, out, sizeof(*mx), by_pref);
	/* Fisher-Yates within each run of one preference. */
	for (i = 0; i < out; i = j) {
		for (j = i + 1; j < out && mx[j].pref == mx[i].pref; j++)
			;
		for (k = j - i; k > 1; k--) {
			size_t r = rnd(arg, (unsigned)k) % k;

			t = mx[i + k - 1];
			mx[i + k - 1] = mx[i + r];
			mx[i + r] = t;
		}
	}
	return out;
}

static int
add_host(struct candidates *c, const char *name, unsigned pref)
{
	struct cand_host *v;

	v = realloc(c->hosts, (c->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	c->hosts = v;
	memset(&v[c->n], 0, sizeof(v[c->n]));
	if ((v[c->n].name = strdup(name)) == NULL)
		return -1;
	v[c->n].pref = pref;
	c->n++;
	return 0;
}

/* The addresses of type of h; ERR_OK, ERR_RESOLVE (h->why set) or ERR_NOMEM. */
static enum err
add_addrs(struct candidates *c, struct dns *d, struct cand_host *h,
    enum dns_type type)
{
	struct dns_answer a;
	char *why = NULL, **v;
	enum err e;
	size_t i;

	e = dns_query(d, h->name, type, &a, &why);
	if (e != ERR_OK) {
		if (h->why == NULL)
			h->why = why;
		else
			free(why);
		return e;
	}
	if (!a.ad)
		c->ad = 0;
	for (i = 0; i < a.n; i++) {
		v = realloc(h->addrs, (h->naddrs + 1) * sizeof(*v));
		if (v == NULL)
			break;
		h->addrs = v;
		if ((v[h->naddrs] = strdup(a.rrs[i].addr)) == NULL)
			break;
		h->naddrs++;
	}
	e = i < a.n ? ERR_NOMEM : ERR_OK;
	dns_answer_free(&a);
	return e;
}

/* The MX records of c->domain into c->hosts (or the domain itself). */
static enum err
find_hosts(struct candidates *c, struct dns *d, char **errstr)
{
	struct dns_answer a;
	enum err e;
	size_t i, n;

	if ((e = dns_query(d, c->domain, DNS_MX, &a, errstr)) != ERR_OK)
		return e;
	c->ad = a.ad;
	if (a.rcode == 3) {
		util_seterr(errstr, _("the domain %s does not exist (the DNS "
		    "says NXDOMAIN)"), c->domain);
		dns_answer_free(&a);
		return ERR_PERMFAIL;
	}
	if (candidates_null_mx(a.rrs, a.n)) {
		util_seterr(errstr, _("%s takes no mail: its only MX record "
		    "is \".\" (a null MX, RFC 7505)"), c->domain);
		dns_answer_free(&a);
		return ERR_PERMFAIL;
	}
	n = candidates_order(a.rrs, a.n, NULL, NULL);
	e = ERR_OK;
	for (i = 0; i < n && e == ERR_OK; i++)
		if (add_host(c, a.rrs[i].name, a.rrs[i].pref) < 0)
			e = ERR_NOMEM;
	if (e == ERR_OK && a.n == 0) {
		/* RFC 5321 5.1: no MX, the name's own address. */
		c->implicit = 1;
		if (add_host(c, c->domain, 0) < 0)
			e = ERR_NOMEM;
	} else if (e == ERR_OK && n == 0) {
		util_seterr(errstr, _("%s has MX records, but none names a "
		    "host"), c->domain);
		e = ERR_PERMFAIL;
	}
	dns_answer_free(&a);
	return e;
}

enum err
candidates_lookup(struct candidates *c, struct dns *d, const char *domain,
    int family, char **errstr)
{
	struct cand_host *h;
	const char *failed = NULL;
	size_t i, with = 0;
	enum err e;

	memset(c, 0, sizeof(*c));
	if ((c->domain = strdup(domain)) == NULL)
		return ERR_NOMEM;
	if ((e = find_hosts(c, d, errstr)) != ERR_OK)
		return e;
	for (i = 0; i < c->n; i++) {
		h = &c->hosts[i];
		e = ERR_OK;
		if (family != AF_INET)
			e = add_addrs(c, d, h, DNS_AAAA);
		if (e != ERR_NOMEM && family != AF_INET6)
			e = add_addrs(c, d, h, DNS_A);
		if (e == ERR_NOMEM)
			return e;
		if (h->naddrs > 0)
			with++;
		else if (h->why != NULL && failed == NULL)
			failed = h->why;
	}
	if (with > 0)
		return ERR_OK;
	if (failed != NULL) {
		util_seterr(errstr, "%s", failed);
		return ERR_RESOLVE;
	}
	util_seterr(errstr, family == AF_INET ? _("no mail host of %s has an "
	    "IPv4 address") : family == AF_INET6 ? _("no mail host of %s has "
	    "an IPv6 address") : _("no mail host of %s has an address"),
	    domain);
	return ERR_PERMFAIL;
}

enum err
candidates_servers(struct candidates *c, const char *list, char **errstr)
{
	const char *p = list, *end;
	struct cand_host *h;
	char *one, *why = NULL;
	size_t n0 = c->n, i;
	enum err e = ERR_OK;

	while (p != NULL && e == ERR_OK) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		end = p + strcspn(p, ", \t");
		if ((one = strndup(p, (size_t)(end - p))) == NULL) {
			e = ERR_NOMEM;
			break;
		}
		p = end;
		if (add_host(c, "", (unsigned)(c->n - n0)) < 0) {
			free(one);
			e = ERR_NOMEM;
			break;
		}
		h = &c->hosts[c->n - 1];
		h->server = one;
		e = url_parse(&h->url, one, &why);
		if (e == ERR_CONFIG)
			util_seterr(errstr, _("fallback server %s: %s"), one,
			    why != NULL ? why : err_str(e));
		free(why);
		why = NULL;
		if (e == ERR_OK) {
			free(h->name);
			if ((h->name = strdup(h->url.host)) == NULL)
				e = ERR_NOMEM;
		}
	}
	if (e != ERR_OK) {
		/* As it was: drop what this list added. */
		for (i = n0; i < c->n; i++) {
			free(c->hosts[i].name);
			free(c->hosts[i].server);
			url_free(&c->hosts[i].url);
		}
		c->n = n0;
	}
	return e;
}

void
candidates_free(struct candidates *c)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		for (j = 0; j < c->hosts[i].naddrs; j++)
			free(c->hosts[i].addrs[j]);
		free(c->hosts[i].addrs);
		free(c->hosts[i].name);
		free(c->hosts[i].why);
		free(c->hosts[i].server);
		url_free(&c->hosts[i].url);
	}
	free(c->hosts);
	free(c->domain);
	memset(c, 0, sizeof(*c));
}
