/* idn.c - internationalised domain names (IDNA2008 with UTS #46) turned into A-labels for a server without SMTPUTF8. */
/* SPDX-License-Identifier: ISC */
#include "idn.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "idnmod.h"
#include "module.h"
#include "util.h"

int
idn_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/*
 * What a mail domain (a host name) cannot have, in UTF-8 or in A-labels:
 * an empty label, a label over 63 octets, an ASCII character other than
 * letters, digits and '-'.  libidn2 lets some of it through.  The
 * lengths count in A-labels only (with lengths set).  NULL when a is
 * fine.
 */
static const char *
host_name_ok(const char *a, int lengths)
{
	const char *p, *label = a;

	for (p = a; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label && (*p != '\0' || p == a))
				return _("a label is empty");
			if (lengths && p - label > 63)
				return _("a label is longer than 63 octets");
			if (*p == '\0')
				break;
			label = p + 1;
		} else if ((unsigned char)*p < 0x80 &&
		    !((*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-')) {
			return _("it holds a character other than letters, "
			    "digits and '-'");
		}
	}
	return lengths && p - a > 253 ? _("it is longer than 253 octets") : NULL;
}

enum err
idn_domain(const char *d, char **out, char **errstr)
{
	const struct idnmod *m;
	const char *why = NULL;
	char *merr = NULL;
	int nomem = 0;

	*out = NULL;
	if (d[0] == '[' || idn_ascii(d, strlen(d))) {
		if ((*out = strdup(d)) == NULL)
			return ERR_NOMEM;
		return ERR_OK;
	}
	/*
	 * libidn2 2.3 drops an ASCII character that STD3 forbids (a space,
	 * '_') instead of refusing it, which would send the mail elsewhere.
	 */
	if ((why = host_name_ok(d, 0)) != NULL) {
		util_seterr(errstr, _("the domain '%s' is not a valid "
		    "internationalised domain name: %s"), d, why);
		return ERR_DATA;
	}
	if ((m = module_get("idn", IDNMOD_ABI, &merr)) == NULL) {
		util_seterr(errstr, _("cannot convert the domain '%s' for a "
		    "server without SMTPUTF8: %s"), d, merr != NULL ? merr :
		    err_str(ERR_NOMEM));
		free(merr);
		return ERR_SOFTWARE;
	}
	if ((*out = m->to_ascii(d, &why, &nomem)) != NULL) {
		if ((why = host_name_ok(*out, 1)) == NULL)
			return ERR_OK;
		free(*out);
		*out = NULL;
	} else if (nomem) {
		return ERR_NOMEM;
	}
	/* L10N: %s: the domain; then libidn2's reason, in English. */
	util_seterr(errstr, _("the domain '%s' is not a valid "
	    "internationalised domain name: %s"), d, why);
	return ERR_DATA;
}

enum err
idn_addr(const char *a, char **out, char **errstr)
{
	const char *at = strrchr(a, '@');
	char *dom = NULL;
	size_t ln;
	enum err e;

	*out = NULL;
	if (at == NULL || idn_ascii(at + 1, strlen(at + 1))) {
		if ((*out = strdup(a)) == NULL)
			return ERR_NOMEM;
		return ERR_OK;
	}
	ln = (size_t)(at - a);
	if (!idn_ascii(a, ln)) {
		util_seterr(errstr, _("the address '%s' has a local part that "
		    "is not plain ASCII, and the server does not offer "
		    "SMTPUTF8: only its domain could be converted"), a);
		return ERR_NOUTF8;
	}
	if ((e = idn_domain(at + 1, &dom, errstr)) != ERR_OK)
		return e;
	if ((*out = malloc(ln + 1 + strlen(dom) + 1)) == NULL) {
		free(dom);
		return ERR_NOMEM;
	}
	memcpy(*out, a, ln + 1);
	memcpy(*out + ln + 1, dom, strlen(dom) + 1);
	free(dom);
	return ERR_OK;
}

/* Ends the local part before an '@' when met outside quotes and comments. */
static int
is_delim(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '<' ||
	    c == '>' || c == ',' || c == ':' || c == ';' || c == ')';
}

/* Ends a domain. */
static int
domain_end(char c)
{
	return is_delim(c) || c == '(' || c == '"' || c == '\0';
}

/* The domain at v[i..n) (after an '@'): its end. */
static size_t
domain_span(const char *v, size_t i, size_t n)
{
	if (i < n && v[i] == '[') {
		while (i < n && v[i] != ']')
			i++;
		return i < n ? i + 1 : n;
	}
	while (i < n && !domain_end(v[i]))
		i++;
	return i;
}

/* One domain d[0..n) as A-labels onto b. */
static enum err
put_domain(struct buf *b, const char *d, size_t n, char **errstr)
{
	char *s, *a = NULL;
	enum err e;

	if ((s = strndup(d, n)) == NULL)
		return ERR_NOMEM;
	e = idn_domain(s, &a, errstr);
	free(s);
	if (e == ERR_OK && buf_addstr(b, a) < 0)
		e = ERR_NOMEM;
	free(a);
	return e;
}

enum err
idn_header(const char *v, size_t n, char **out, int *changed, char **errstr)
{
	struct buf b;
	size_t i = 0, tok = 0, end;
	int quoted = 0, comment = 0;
	enum err e = ERR_OK;
	char c;

	*out = NULL;
	*changed = 0;
	buf_init(&b, 4 * n + 1024);
	while (i < n && e == ERR_OK) {
		c = v[i];
		if (c == '\\' && (quoted || comment) && i + 1 < n) {
			if (buf_add(&b, v + i, 2) < 0)
				e = ERR_NOMEM;
			i += 2;
			continue;
		}
		if (buf_addch(&b, c) < 0) {
			e = ERR_NOMEM;
			break;
		}
		i++;
		if (quoted) {
			quoted = c != '"';
			continue;
		}
		if (comment) {
			comment += c == '(' ? 1 : c == ')' ? -1 : 0;
			if (comment == 0)
				tok = i;
			continue;
		}
		if (c == '"') {
			quoted = 1;
		} else if (c == '(') {
			comment = 1;
		} else if (is_delim(c)) {
			tok = i;
		} else if (c == '@') {
			end = domain_span(v, i, n);
			if (!idn_ascii(v + i, end - i) &&
			    idn_ascii(v + tok, i - 1 - tok)) {
				e = put_domain(&b, v + i, end - i, errstr);
				*changed = 1;
				i = end;
			}
		}
	}
	if (e != ERR_OK) {
		buf_free(&b);
		return e;
	}
	if ((*out = strdup(buf_str(&b))) == NULL) {
		buf_free(&b);
		return ERR_NOMEM;
	}
	buf_free(&b);
	return ERR_OK;
}
