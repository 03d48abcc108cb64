/* test_dns.c - unit tests for the DNS answer parser and the order of the hosts to try for a domain. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "candidates.h"
#include "dns.h"
#include "helper.h"

/* A DNS message built by hand, as a name server would send it. */
struct wire {
	unsigned char b[2048];
	size_t n;
	size_t ancount_at;
};

static void
put8(struct wire *w, unsigned v)
{
	assert_true(w->n < sizeof(w->b));
	w->b[w->n++] = (unsigned char)v;
}

static void
put16(struct wire *w, unsigned v)
{
	put8(w, v >> 8);
	put8(w, v & 0xff);
}

static void
put32(struct wire *w, unsigned long v)
{
	put16(w, (unsigned)(v >> 16));
	put16(w, (unsigned)(v & 0xffff));
}

/* A name as labels ("mx1.example.test" -> 3mx1 7example 4test 0); "." is the root. */
static void
put_name(struct wire *w, const char *name)
{
	const char *p = name, *dot;
	size_t len;

	while (*p != '\0' && strcmp(p, ".") != 0) {
		dot = strchr(p, '.');
		len = dot != NULL ? (size_t)(dot - p) : strlen(p);
		put8(w, (unsigned)len);
		assert_true(w->n + len < sizeof(w->b));
		memcpy(w->b + w->n, p, len);
		w->n += len;
		p += len;
		if (*p == '.')
			p++;
	}
	put8(w, 0);
}

/* Header and question: flags (QR, RD, RA, and ad), rcode; no answers yet. */
static void
begin(struct wire *w, const char *qname, unsigned qtype, int ad, int rcode)
{
	memset(w, 0, sizeof(*w));
	put16(w, 0x1234);
	put16(w, 0x8180 | (ad ? 0x20 : 0) | (unsigned)rcode);
	put16(w, 1);
	w->ancount_at = w->n;
	put16(w, 0);
	put16(w, 0);
	put16(w, 0);
	put_name(w, qname);
	put16(w, qtype);
	put16(w, 1);
}

/* Start an answer for the question's name (a pointer to offset 12); returns where rdlength goes. */
static size_t
answer(struct wire *w, unsigned type)
{
	size_t at;

	put16(w, 0xc00c);
	put16(w, type);
	put16(w, 1);
	put32(w, 3600);
	at = w->n;
	put16(w, 0);
	w->b[w->ancount_at + 1]++;
	return at;
}

static void
end_rdata(struct wire *w, size_t at)
{
	size_t len = w->n - at - 2;

	w->b[at] = (unsigned char)(len >> 8);
	w->b[at + 1] = (unsigned char)(len & 0xff);
}

static void
add_mx(struct wire *w, unsigned pref, const char *host)
{
	size_t at = answer(w, DNS_MX);

	put16(w, pref);
	put_name(w, host);
	end_rdata(w, at);
}

static void
add_bytes(struct wire *w, unsigned type, const void *p, size_t len)
{
	size_t at = answer(w, type);

	assert_true(w->n + len < sizeof(w->b));
	memcpy(w->b + w->n, p, len);
	w->n += len;
	end_rdata(w, at);
}

static void
test_parse_mx(void **state)
{
	struct dns_answer a;
	struct wire w;

	(void)state;
	begin(&w, "example.test", DNS_MX, 0, 0);
	add_mx(&w, 20, "mx2.example.test");
	add_mx(&w, 10, "mx1.example.test");
	assert_int_equal(dns_parse(w.b, w.n, DNS_MX, &a, NULL), ERR_OK);
	assert_int_equal(a.rcode, 0);
	assert_int_equal(a.ad, 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.rrs[0].type, DNS_MX);
	assert_int_equal(a.rrs[0].pref, 20);
	assert_string_equal(a.rrs[0].name, "mx2.example.test");
	assert_int_equal(a.rrs[1].pref, 10);
	assert_string_equal(a.rrs[1].name, "mx1.example.test");
	assert_int_equal(a.rrs[1].ttl, 3600);
	dns_answer_free(&a);
}

/* The AD bit and the rcode come through; NXDOMAIN has no records. */
static void
test_parse_flags(void **state)
{
	struct dns_answer a;
	struct wire w;

	(void)state;
	begin(&w, "example.test", DNS_MX, 1, 0);
	add_mx(&w, 10, "mx1.example.test");
	assert_int_equal(dns_parse(w.b, w.n, DNS_MX, &a, NULL), ERR_OK);
	assert_int_equal(a.ad, 1);
	assert_int_equal(a.n, 1);
	dns_answer_free(&a);

	begin(&w, "nowhere.test", DNS_MX, 0, 3);
	assert_int_equal(dns_parse(w.b, w.n, DNS_MX, &a, NULL), ERR_OK);
	assert_int_equal(a.rcode, 3);
	assert_int_equal(a.n, 0);
	dns_answer_free(&a);
}

/* A and AAAA as text; records of another type (a CNAME) are left out. */
static void
test_parse_addresses(void **state)
{
	static const unsigned char v4[4] = { 192, 0, 2, 25 };
	static const unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x25 };
	struct dns_answer a;
	struct wire w;
	size_t at;

	(void)state;
	begin(&w, "www.example.test", DNS_A, 0, 0);
	at = answer(&w, DNS_CNAME);
	put_name(&w, "host.example.test");
	end_rdata(&w, at);
	add_bytes(&w, DNS_A, v4, sizeof(v4));
	add_bytes(&w, DNS_AAAA, v6, sizeof(v6));
	assert_int_equal(dns_parse(w.b, w.n, DNS_A, &a, NULL), ERR_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.rrs[0].addr, "192.0.2.25");
	dns_answer_free(&a);
	assert_int_equal(dns_parse(w.b, w.n, DNS_AAAA, &a, NULL), ERR_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.rrs[0].addr, "2001:db8::25");
	dns_answer_free(&a);
	assert_int_equal(dns_parse(w.b, w.n, DNS_CNAME, &a, NULL), ERR_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.rrs[0].name, "host.example.test");
	dns_answer_free(&a);
}

/* TXT and TLSA: the record data as it came, for the callers to read. */
static void
test_parse_txt_tlsa(void **state)
{
	static const unsigned char txt[] = "\x0dv=STSv1; id=1";
	static const unsigned char tlsa[] = { 3, 1, 1, 0xab, 0xcd, 0xef };
	struct dns_answer a;
	struct wire w;

	(void)state;
	begin(&w, "_mta-sts.example.test", DNS_TXT, 0, 0);
	add_bytes(&w, DNS_TXT, txt, sizeof(txt) - 1);
	assert_int_equal(dns_parse(w.b, w.n, DNS_TXT, &a, NULL), ERR_OK);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.rrs[0].rdlen, sizeof(txt) - 1);
	assert_memory_equal(a.rrs[0].rdata, txt, sizeof(txt) - 1);
	dns_answer_free(&a);

	begin(&w, "_25._tcp.mx1.example.test", DNS_TLSA, 1, 0);
	add_bytes(&w, DNS_TLSA, tlsa, sizeof(tlsa));
	assert_int_equal(dns_parse(w.b, w.n, DNS_TLSA, &a, NULL), ERR_OK);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.ad, 1);
	assert_int_equal(a.rrs[0].rdlen, sizeof(tlsa));
	assert_memory_equal(a.rrs[0].rdata, tlsa, sizeof(tlsa));
	dns_answer_free(&a);
}

/* Cut short, or an MX whose data is too short: refused, nothing kept. */
static void
test_parse_malformed(void **state)
{
	static const unsigned char v4[3] = { 192, 0, 2 };
	struct dns_answer a;
	struct wire w;
	char *why = NULL;
	size_t cut;

	(void)state;
	begin(&w, "example.test", DNS_MX, 0, 0);
	add_mx(&w, 10, "mx1.example.test");
	for (cut = 0; cut < w.n; cut++) {
		assert_int_equal(dns_parse(w.b, cut, DNS_MX, &a, &why),
		    ERR_DATA);
		assert_non_null(why);
		assert_int_equal(a.n, 0);
		free(why);
		why = NULL;
	}
	begin(&w, "example.test", DNS_A, 0, 0);
	add_bytes(&w, DNS_A, v4, sizeof(v4));
	assert_int_equal(dns_parse(w.b, w.n, DNS_A, &a, NULL), ERR_DATA);
	assert_null(a.rrs);
}

static void
test_null_mx(void **state)
{
	struct dns_answer a;
	struct wire w;

	(void)state;
	begin(&w, "nullmx.test", DNS_MX, 0, 0);
	add_mx(&w, 0, ".");
	assert_int_equal(dns_parse(w.b, w.n, DNS_MX, &a, NULL), ERR_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.rrs[0].name, ".");
	assert_true(candidates_null_mx(a.rrs, a.n));
	assert_int_equal(candidates_order(a.rrs, a.n, NULL, NULL), 0);
	dns_answer_free(&a);

	/* "." among real hosts is no null MX: it is only left out. */
	begin(&w, "mixed.test", DNS_MX, 0, 0);
	add_mx(&w, 0, ".");
	add_mx(&w, 10, "mx.mixed.test");
	assert_int_equal(dns_parse(w.b, w.n, DNS_MX, &a, NULL), ERR_OK);
	assert_false(candidates_null_mx(a.rrs, a.n));
	assert_int_equal(candidates_order(a.rrs, a.n, NULL, NULL), 1);
	assert_string_equal(a.rrs[0].name, "mx.mixed.test");
	dns_answer_free(&a);
}

static unsigned
seq_rand(void *arg, unsigned k)
{
	return test_rand(arg) % k;
}

/* By preference; equal preferences in every order over many tries, never another. */
static void
test_order(void **state)
{
	struct dns_answer a;
	struct wire w;
	struct dns_rr v[4];
	uint32_t seed = 7;
	int first_b = 0, first_c = 0, i;
	size_t n;

	(void)state;
	begin(&w, "example.test", DNS_MX, 0, 0);
	add_mx(&w, 30, "d.example.test");
	add_mx(&w, 20, "c.example.test");
	add_mx(&w, 10, "a.example.test");
	add_mx(&w, 20, "b.example.test");
	assert_int_equal(dns_parse(w.b, w.n, DNS_MX, &a, NULL), ERR_OK);
	assert_int_equal(a.n, 4);
	for (i = 0; i < 200; i++) {
		memcpy(v, a.rrs, sizeof(v));
		n = candidates_order(v, 4, seq_rand, &seed);
		assert_int_equal(n, 4);
		assert_string_equal(v[0].name, "a.example.test");
		assert_int_equal(v[1].pref, 20);
		assert_int_equal(v[2].pref, 20);
		assert_string_equal(v[3].name, "d.example.test");
		if (strcmp(v[1].name, "b.example.test") == 0)
			first_b++;
		else if (strcmp(v[1].name, "c.example.test") == 0)
			first_c++;
		assert_string_not_equal(v[1].name, v[2].name);
	}
	/* Random, not fixed: each of the two comes first now and then. */
	assert_true(first_b > 40);
	assert_true(first_c > 40);
	dns_answer_free(&a);
}

static void
test_server_check(void **state)
{
	char *why = NULL;

	(void)state;
	assert_int_equal(dns_server_check(NULL, NULL), 0);
	assert_int_equal(dns_server_check("", NULL), 0);
	assert_int_equal(dns_server_check("127.0.0.1", NULL), 0);
	assert_int_equal(dns_server_check("192.0.2.53:5353", NULL), 0);
	assert_int_equal(dns_server_check("127.0.0.1:0", &why), -1);
	assert_non_null(why);
	free(why);
	why = NULL;
	assert_int_equal(dns_server_check("127.0.0.1:x", NULL), -1);
	assert_int_equal(dns_server_check("127.0.0.1:70000", NULL), -1);
	assert_int_equal(dns_server_check("ns.example.test", NULL), -1);
	assert_int_equal(dns_server_check("::1", &why), -1);
	assert_non_null(strstr(why, "IPv6"));
	free(why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_mx),
		cmocka_unit_test(test_parse_flags),
		cmocka_unit_test(test_parse_addresses),
		cmocka_unit_test(test_parse_txt_tlsa),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_null_mx),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_server_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
