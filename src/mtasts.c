/* mtasts.c - MTA-STS (RFC 8461) and TLS-RPT (RFC 8460): the TXT records, the policy file and its mx patterns, parsed and matched; no I/O. */
/* SPDX-License-Identifier: ISC */
#include "mtasts.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "util.h"

#define MTASTS_TEXT_MAX (64 * 1024)  /* a policy file, a TXT record: at most */
#define MTASTS_MX_MAX 256            /* mx lines kept */

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* A NUL-terminated copy of (p, len): NULL when out of memory or when it holds a NUL. */
static char *
copy_text(const char *p, size_t len, char **why)
{
	char *s;

	if (len > MTASTS_TEXT_MAX || memchr(p, '\0', len) != NULL) {
		util_seterr(why, _("the text is too long or holds a NUL byte"));
		return NULL;
	}
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/*
 * The next field of a TXT record's "f1; f2; f3": *cur moves past it,
 * white space around it is cut (in place).  NULL at the end.
 */
static char *
next_field(char **cur)
{
	char *p = *cur, *start, *end;

	if (p == NULL)
		return NULL;
	while (is_wsp((unsigned char)*p))
		p++;
	start = p;
	end = strchr(p, ';');
	if (end != NULL) {
		*end = '\0';
		*cur = end + 1;
	} else {
		*cur = NULL;
		end = p + strlen(p);
	}
	while (end > start && is_wsp((unsigned char)end[-1]))
		*--end = '\0';
	/* A trailing ";" leaves an empty last field: there is none. */
	if (*start == '\0' && *cur == NULL)
		return NULL;
	return start;
}

static int
id_ok(const char *id)
{
	size_t n = strlen(id), i;

	if (n < 1 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= '0' && id[i] <= '9')))
			return 0;
	return 1;
}

int
mtasts_txt_parse(const char *txt, size_t len, char **id, char **why)
{
	char *s, *cur, *f;
	int r = -1;

	*id = NULL;
	if ((s = copy_text(txt, len, why)) == NULL)
		return -1;
	cur = s;
	f = next_field(&cur);
	if (f == NULL || strcmp(f, "v=STSv1") != 0) {
		util_seterr(why, _("it does not start with v=STSv1"));
		goto out;
	}
	while ((f = next_field(&cur)) != NULL) {
		if (strncmp(f, "id=", 3) != 0)
			continue;      /* an extension: ignored */
		if (*id != NULL) {
			util_seterr(why, _("it has two id fields"));
			goto out;
		}
		if (!id_ok(f + 3)) {
			util_seterr(why, _("its id '%s' is not 1 to 32 letters "
			    "and digits"), f + 3);
			goto out;
		}
		if ((*id = strdup(f + 3)) == NULL)
			goto out;
	}
	if (*id == NULL)
		util_seterr(why, _("it has no id field"));
	else
		r = 0;
out:
	if (r < 0) {
		free(*id);
		*id = NULL;
	}
	free(s);
	return r;
}

const char *
mtasts_mode_name(enum mtasts_mode m)
{
	switch (m) {
	case MTASTS_MODE_ENFORCE:
		return "enforce";
	case MTASTS_MODE_TESTING:
		return "testing";
	case MTASTS_MODE_NONE:
		return "none";
	default:
		return "?";
	}
}

void
mtasts_policy_free(struct mtasts_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nmx; i++)
		free(p->mx[i]);
	free(p->mx);
	memset(p, 0, sizeof(*p));
}

/* A max_age value: digits only, at most a year. */
static int
parse_max_age(const char *v, unsigned long *out)
{
	unsigned long n = 0;

	if (*v == '\0' || strlen(v) > 10)
		return -1;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		n = n * 10 + (unsigned long)(*v - '0');
	}
	if (n > MTASTS_MAX_AGE_MAX)
		return -1;
	*out = n;
	return 0;
}

static int
add_mx(struct mtasts_policy *p, const char *v, char **why)
{
	char **mx;

	if (p->nmx >= MTASTS_MX_MAX) {
		util_seterr(why, _("it has more than %d mx lines"),
		    MTASTS_MX_MAX);
		return -1;
	}
	if (*v == '\0' || strchr(v, ' ') != NULL || strchr(v, '\t') != NULL ||
	    (strchr(v + 1, '*') != NULL) || (v[0] == '*' && v[1] != '.')) {
		util_seterr(why, _("its mx '%s' is not a host name nor "
		    "*.domain"), v);
		return -1;
	}
	if ((mx = realloc(p->mx, (p->nmx + 1) * sizeof(*mx))) == NULL)
		return -1;
	p->mx = mx;
	if ((p->mx[p->nmx] = strdup(v)) == NULL)
		return -1;
	p->nmx++;
	return 0;
}

/* One "key: value" line of a policy; 0, or -1 with *why. */
static int
policy_line(struct mtasts_policy *p, char *line, int *version, char **why)
{
	char *colon = strchr(line, ':'), *v, *end;

	if (colon == NULL) {
		util_seterr(why, _("the line '%s' is not 'key: value'"), line);
		return -1;
	}
	*colon = '\0';
	for (v = colon + 1; is_wsp((unsigned char)*v); v++)
		;
	end = v + strlen(v);
	while (end > v && is_wsp((unsigned char)end[-1]))
		*--end = '\0';
	if (strcmp(line, "version") == 0) {
		if (strcmp(v, "STSv1") != 0) {
			util_seterr(why, _("its version is '%s', not STSv1"), v);
			return -1;
		}
		*version = 1;
	} else if (strcmp(line, "mode") == 0) {
		p->mode = strcmp(v, "enforce") == 0 ? MTASTS_MODE_ENFORCE :
		    strcmp(v, "testing") == 0 ? MTASTS_MODE_TESTING :
		    strcmp(v, "none") == 0 ? MTASTS_MODE_NONE :
		    MTASTS_MODE_UNSET;
		if (p->mode == MTASTS_MODE_UNSET) {
			util_seterr(why, _("its mode '%s' is none of enforce, "
			    "testing, none"), v);
			return -1;
		}
	} else if (strcmp(line, "max_age") == 0) {
		if (parse_max_age(v, &p->max_age) < 0) {
			util_seterr(why, _("its max_age '%s' is not a number of "
			    "seconds up to 31557600 (a year)"), v);
			return -1;
		}
	} else if (strcmp(line, "mx") == 0) {
		return add_mx(p, v, why);
	}
	return 0;          /* an extension: ignored */
}

int
mtasts_policy_parse(const char *text, size_t len, struct mtasts_policy *p,
    char **why)
{
	char *s, *line, *next;
	int version = 0, have_age = 0, r = -1;

	memset(p, 0, sizeof(*p));
	p->max_age = MTASTS_MAX_AGE_MAX + 1;
	if ((s = copy_text(text, len, why)) == NULL)
		return -1;
	for (line = s; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (*line == '\0')
			continue;
		if (policy_line(p, line, &version, why) < 0)
			goto out;
	}
	have_age = p->max_age <= MTASTS_MAX_AGE_MAX;
	if (!version)
		util_seterr(why, _("it has no 'version: STSv1' line"));
	else if (p->mode == MTASTS_MODE_UNSET)
		util_seterr(why, _("it has no mode line"));
	else if (!have_age)
		util_seterr(why, _("it has no max_age line"));
	else if (p->nmx == 0 && p->mode != MTASTS_MODE_NONE)
		util_seterr(why, _("it has no mx line"));
	else
		r = 0;
out:
	if (r < 0)
		mtasts_policy_free(p);
	free(s);
	return r;
}

/* The length of s without a final dot. */
static size_t
name_len(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

int
mtasts_mx_match(const char *pattern, const char *host)
{
	size_t pn = name_len(pattern), hn = name_len(host);
	const char *dot;

	if (pn == 0 || hn == 0)
		return 0;
	if (pattern[0] != '*')
		return pn == hn && strncasecmp(pattern, host, pn) == 0;
	/* "*.example.org": one label, then ".example.org" exactly. */
	dot = memchr(host, '.', hn);
	if (dot == NULL || dot == host)
		return 0;
	return (size_t)(host + hn - dot) == pn - 1 &&
	    strncasecmp(dot, pattern + 1, pn - 1) == 0;
}

const char *
mtasts_policy_match(const struct mtasts_policy *p, const char *host)
{
	size_t i;

	for (i = 0; i < p->nmx; i++)
		if (mtasts_mx_match(p->mx[i], host))
			return p->mx[i];
	return NULL;
}

void
mtasts_tlsrpt_free(struct mtasts_tlsrpt *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nrua; i++)
		free(r->rua[i]);
	free(r->rua);
	memset(r, 0, sizeof(*r));
}

/* The rua= value: URIs separated by commas, each mailto: or https:. */
static int
parse_rua(struct mtasts_tlsrpt *r, char *v, char **why)
{
	char *uri, *next, *end, **rua;

	if (*v == '\0') {
		util_seterr(why, _("its rua= is empty"));
		return -1;
	}
	for (uri = v; uri != NULL; uri = next) {
		next = strchr(uri, ',');
		if (next != NULL)
			*next++ = '\0';
		while (is_wsp((unsigned char)*uri))
			uri++;
		end = uri + strlen(uri);
		while (end > uri && is_wsp((unsigned char)end[-1]))
			*--end = '\0';
		if (strncasecmp(uri, "mailto:", 7) != 0 &&
		    strncasecmp(uri, "https:", 6) != 0) {
			util_seterr(why, _("its rua '%s' is neither a mailto: "
			    "nor an https: URI"), uri);
			return -1;
		}
		if ((strncasecmp(uri, "mailto:", 7) == 0 &&
		    strchr(uri + 7, '@') == NULL) ||
		    (strncasecmp(uri, "https:", 6) == 0 &&
		    strncmp(uri + 6, "//", 2) != 0)) {
			util_seterr(why, _("its rua '%s' has no address"), uri);
			return -1;
		}
		if ((rua = realloc(r->rua, (r->nrua + 1) * sizeof(*rua))) ==
		    NULL)
			return -1;
		r->rua = rua;
		if ((r->rua[r->nrua] = strdup(uri)) == NULL)
			return -1;
		r->nrua++;
	}
	return 0;
}

int
mtasts_tlsrpt_parse(const char *txt, size_t len, struct mtasts_tlsrpt *r,
    char **why)
{
	char *s, *cur, *f;
	int seen = 0, ret = -1;

	memset(r, 0, sizeof(*r));
	if ((s = copy_text(txt, len, why)) == NULL)
		return -1;
	cur = s;
	f = next_field(&cur);
	if (f == NULL || strcmp(f, "v=TLSRPTv1") != 0) {
		util_seterr(why, _("it does not start with v=TLSRPTv1"));
		goto out;
	}
	while ((f = next_field(&cur)) != NULL) {
		if (strncmp(f, "rua=", 4) != 0)
			continue;      /* an extension: ignored */
		if (seen++) {
			util_seterr(why, _("it has two rua= fields"));
			goto out;
		}
		if (parse_rua(r, f + 4, why) < 0)
			goto out;
	}
	if (!seen)
		util_seterr(why, _("it has no rua= field: nowhere to send "
		    "reports"));
	else
		ret = 0;
out:
	if (ret < 0)
		mtasts_tlsrpt_free(r);
	free(s);
	return ret;
}
