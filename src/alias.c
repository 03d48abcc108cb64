/* alias.c - mutt alias files: short names for addresses, for completing and expanding what the user types. */
/* SPDX-License-Identifier: ISC */
#include "alias.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

#define ALIAS_FILE_MAX (16 * 1024 * 1024)

struct alias {
	char *key;
	char *value;
};

struct aliases {
	struct alias *v;
	size_t n;
};

void
alias_free(struct aliases *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		free(a->v[i].key);
		free(a->v[i].value);
	}
	free(a->v);
	free(a);
}

size_t
alias_count(const struct aliases *a)
{
	return a != NULL ? a->n : 0;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

static char
tolower_ascii(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The next white-space separated word of [*p, end); NULL at the end. */
static const char *
word(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *w;

	while (s < end && blank(*s))
		s++;
	if (s == end)
		return NULL;
	w = s;
	while (s < end && !blank(*s))
		s++;
	*len = (size_t)(s - w);
	*p = s;
	return w;
}

/* The value: the rest of the line, a trailing "# comment" and blanks gone. */
static char *
value_of(const char *p, const char *end)
{
	const char *hash;
	int quoted = 0;

	while (p < end && blank(*p))
		p++;
	/* A '#' outside quotes starts a comment. */
	for (hash = p; hash < end; hash++) {
		if (*hash == '"')
			quoted = !quoted;
		else if (*hash == '#' && !quoted && (hash == p ||
		    blank(hash[-1])))
			break;
	}
	while (hash > p && blank(hash[-1]))
		hash--;
	return strndup(p, (size_t)(hash - p));
}

static enum err
add(struct aliases *a, const char *key, size_t klen, char *value)
{
	struct alias *v;
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strlen(a->v[i].key) == klen &&
		    strncasecmp(a->v[i].key, key, klen) == 0) {
			/* The later line wins, as in mutt. */
			free(a->v[i].value);
			a->v[i].value = value;
			return ERR_OK;
		}
	if ((v = realloc(a->v, (a->n + 1) * sizeof(*v))) == NULL)
		return ERR_NOMEM;
	a->v = v;
	if ((v[a->n].key = strndup(key, klen)) == NULL)
		return ERR_NOMEM;
	v[a->n++].value = value;
	return ERR_OK;
}

enum err
alias_load(struct aliases **out, const char *path, char **errstr)
{
	struct aliases *a;
	struct buf b;
	const char *p, *end, *eol, *s, *w;
	unsigned long line = 0;
	size_t len;
	char *value;
	enum err e = ERR_OK;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return ERR_NOMEM;
	buf_init(&b, ALIAS_FILE_MAX);
	if (path != NULL && buf_read_file(&b, path) < 0 && errno != ENOENT) {
		util_seterr(errstr, _("cannot read %s: %s"), path,
		    strerror(errno));
		buf_free(&b);
		alias_free(a);
		return ERR_IO;
	}
	for (p = buf_str(&b), end = p + b.len; p < end && e == ERR_OK;
	    p = eol + 1) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		s = p;
		if ((w = word(&s, eol, &len)) == NULL || len != 5 ||
		    strncmp(w, "alias", 5) != 0)
			continue;
		w = word(&s, eol, &len);
		if (w != NULL && len == 6 && strncmp(w, "-group", 6) == 0) {
			(void)word(&s, eol, &len);
			w = word(&s, eol, &len);
		}
		if (w == NULL || (value = value_of(s, eol)) == NULL ||
		    *value == '\0') {
			if (w != NULL && value != NULL)
				free(value);
			util_seterr(errstr, _("%s:%lu: an alias needs a name "
			    "and an address"), path, line);
			e = ERR_DATA;
			break;
		}
		e = add(a, w, len, value);
		if (e != ERR_OK)
			free(value);
	}
	buf_free(&b);
	if (e != ERR_OK) {
		alias_free(a);
		return e;
	}
	*out = a;
	return ERR_OK;
}

/* The alias whose key is k[0..n), or NULL. */
static const struct alias *
find(const struct aliases *a, const char *k, size_t n)
{
	size_t i;

	for (i = 0; a != NULL && i < a->n; i++)
		if (strlen(a->v[i].key) == n &&
		    strncasecmp(a->v[i].key, k, n) == 0)
			return &a->v[i];
	return NULL;
}

char *
alias_complete(const struct aliases *a, const char *text)
{
	const char *comma = strrchr(text, ','), *el;
	const struct alias *only = NULL;
	size_t el_len, common = 0, i, k, matches = 0;
	char *best = NULL, *out;

	el = comma != NULL ? comma + 1 : text;
	while (blank(*el))
		el++;
	el_len = strlen(el);
	while (el_len > 0 && blank(el[el_len - 1]))
		el_len--;
	if (a == NULL || el_len == 0)
		return NULL;
	if ((only = find(a, el, el_len)) == NULL) {
		for (i = 0; i < a->n; i++) {
			if (strncasecmp(a->v[i].key, el, el_len) != 0)
				continue;
			if (matches++ == 0) {
				only = &a->v[i];
				best = a->v[i].key;
				common = strlen(best);
				continue;
			}
			for (k = 0; k < common && tolower_ascii(a->v[i].key[k]) ==
			    tolower_ascii(best[k]); k++)
				;
			common = k;
		}
		if (matches == 0)
			return NULL;
		if (matches > 1) {
			if (common <= el_len)
				return NULL;
			return util_strf("%.*s%.*s", (int)(el - text), text,
			    (int)common, best);
		}
	}
	out = util_strf("%.*s%s", (int)(el - text), text, only->value);
	return out;
}

char *
alias_expand(const struct aliases *a, const char *text)
{
	struct buf out;
	const char *p = text, *e, *s, *t;
	const struct alias *al;
	int quoted;

	buf_init(&out, 1024 * 1024);
	while (*p != '\0') {
		/* One element: up to a comma outside quotes. */
		for (e = p, quoted = 0; *e != '\0' && (quoted || *e != ','); e++)
			if (*e == '"')
				quoted = !quoted;
		for (s = p; s < e && blank(*s); s++)
			;
		for (t = e; t > s && blank(t[-1]); t--)
			;
		al = memchr(s, '@', (size_t)(t - s)) == NULL &&
		    memchr(s, '<', (size_t)(t - s)) == NULL ?
		    find(a, s, (size_t)(t - s)) : NULL;
		if ((al != NULL ? buf_add(&out, p, (size_t)(s - p)) < 0 ||
		    buf_addstr(&out, al->value) < 0 ||
		    buf_add(&out, t, (size_t)(e - t)) < 0 :
		    buf_add(&out, p, (size_t)(e - p)) < 0) ||
		    (*e == ',' && buf_addch(&out, ',') < 0)) {
			buf_free(&out);
			return NULL;
		}
		p = *e == ',' ? e + 1 : e;
	}
	return out.data != NULL ? out.data : strdup("");
}

/* The first char of line [p, eol) that is not blank, or eol. */
static const char *
skip_blank(const char *p, const char *eol)
{
	while (p < eol && blank(*p))
		p++;
	return p;
}

enum err
alias_load_system(struct aliases **out, const char *path, char **errstr)
{
	struct aliases *a;
	struct buf b, val;
	const char *p, *end, *eol, *s, *colon, *k;
	unsigned long line = 0, at = 0;
	char *key = NULL, *v;
	enum err e = ERR_OK;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return ERR_NOMEM;
	buf_init(&b, ALIAS_FILE_MAX);
	buf_init(&val, ALIAS_FILE_MAX);
	if (path != NULL && buf_read_file(&b, path) < 0 && errno != ENOENT) {
		util_seterr(errstr, _("cannot read %s: %s"), path,
		    strerror(errno));
		e = ERR_IO;
		goto out;
	}
	/* One pass more than there are lines: the last entry ends there. */
	for (p = buf_str(&b), end = p + b.len; e == ERR_OK; p = eol + 1) {
		if (p < end) {
			line++;
			if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
				eol = end;
			s = skip_blank(p, eol);
			if (s == eol || *s == '#')
				continue;
			if (s > p && key != NULL) {
				/* A continuation of the entry above. */
				if ((v = value_of(s, eol)) == NULL ||
				    buf_printf(&val, "%s%s", val.len > 0 ?
				    " " : "", v) < 0)
					e = ERR_NOMEM;
				free(v);
				continue;
			}
		} else {
			eol = end;
		}
		if (key != NULL) {
			/* The entry above is complete. */
			if ((v = strdup(buf_str(&val))) == NULL)
				e = ERR_NOMEM;
			else if (*skip_blank(v, v + strlen(v)) == '\0') {
				util_seterr(errstr, _("%s:%lu: an alias needs "
				    "a name and an address"), path, at);
				free(v);
				e = ERR_DATA;
			} else if ((e = add(a, key, strlen(key), v)) !=
			    ERR_OK)
				free(v);
			free(key);
			key = NULL;
			buf_reset(&val);
		}
		if (p >= end || e != ERR_OK)
			break;
		colon = memchr(s, ':', (size_t)(eol - s));
		if (colon == NULL || colon == s) {
			util_seterr(errstr, _("%s:%lu: expected 'name: "
			    "address, ...'"), path, line);
			e = ERR_DATA;
			break;
		}
		for (k = colon; k > s && blank(k[-1]); k--)
			;
		at = line;
		if ((key = strndup(s, (size_t)(k - s))) == NULL ||
		    (v = value_of(colon + 1, eol)) == NULL) {
			e = ERR_NOMEM;
			break;
		}
		if (buf_addstr(&val, v) < 0)
			e = ERR_NOMEM;
		free(v);
	}
out:
	free(key);
	buf_free(&b);
	buf_free(&val);
	if (e != ERR_OK) {
		alias_free(a);
		return e;
	}
	*out = a;
	return ERR_OK;
}

const char *
alias_lookup(const struct aliases *a, const char *key)
{
	const struct alias *al = find(a, key, strlen(key));

	return al != NULL ? al->value : NULL;
}

/* Does an element of the value name a command, a file or an include? */
static const char *
not_an_address(const char *value)
{
	const char *p = value;

	for (;;) {
		while (blank(*p))
			p++;
		if (*p == '|' || *p == '/' || (*p == '"' && (p[1] == '|' ||
		    p[1] == '/')) || strncasecmp(p, ":include:", 9) == 0)
			return p;
		if ((p = strchr(p, ',')) == NULL)
			return NULL;
		p++;
	}
}

#define ALIAS_DEPTH_MAX 10

struct resolver {
	const struct alias_sources *src;
	const char *chain[ALIAS_DEPTH_MAX + 1];   /* names being expanded */
	struct addr_list *out;
	struct buf *notes;
	char **errstr;
};

static int
in_chain(const struct resolver *r, int depth, const char *name)
{
	int i;

	for (i = 0; i < depth; i++)
		if (strcasecmp(r->chain[i], name) == 0)
			return 1;
	return 0;
}

static enum err
resolve(struct resolver *r, const char *name, int depth)
{
	const struct alias_sources *src = r->src;
	struct addr_list l = { NULL, 0 };
	const char *v = NULL, *key = NULL, *bad;
	enum err e = ERR_OK;
	size_t i;

	if (strchr(name, '@') != NULL)
		return addr_list_add(r->out, NULL, name);
	if (depth >= ALIAS_DEPTH_MAX) {
		util_seterr(r->errstr, _("the aliases of '%s' go deeper than "
		    "%d levels (a loop?)"), r->chain[0], ALIAS_DEPTH_MAX);
		return ERR_DATA;
	}
	if (!src->no_alias && !in_chain(r, depth, name)) {
		if ((v = alias_lookup(src->sys, name)) != NULL)
			key = "sendmail_aliases";
		else if ((v = alias_lookup(src->mutt, name)) != NULL)
			key = "aliases";
		else if (!in_chain(r, depth, "default") &&
		    (v = alias_lookup(src->sys, "default")) != NULL) {
			key = "sendmail_aliases";
			name = "default";
		}
	}
	if (v == NULL) {
		if (src->domain == NULL) {
			util_seterr(r->errstr, _("'%s' has no domain and no "
			    "alias: set qualify_domain (the domain to add) or "
			    "sendmail_aliases (a file like /etc/aliases) in the "
			    "account"), name);
			return ERR_CONFIG;
		}
		if (r->notes != NULL && buf_printf(r->notes, _("recipient "
		    "'%s' has no domain: %s@%s (qualify_domain)\n"), name,
		    name, src->domain) < 0)
			return ERR_NOMEM;
		{
			char *q = util_strf("%s@%s", name, src->domain);

			if (q == NULL)
				return ERR_NOMEM;
			e = addr_list_add(r->out, NULL, q);
			free(q);
		}
		return e;
	}
	if ((bad = not_an_address(v)) != NULL) {
		util_seterr(r->errstr, _("the alias '%s' leads to '%s': pigeon "
		    "sends to addresses only, not to commands or files"),
		    name, bad);
		return ERR_DATA;
	}
	if (r->notes != NULL && buf_printf(r->notes, _("recipient '%s' is "
	    "'%s' (%s)\n"), name, v, key) < 0)
		return ERR_NOMEM;
	if ((e = addr_list_parse_local(&l, v, strlen(v), 1, r->errstr)) !=
	    ERR_OK)
		return e;
	r->chain[depth] = name;
	for (i = 0; i < l.n && e == ERR_OK; i++)
		e = resolve(r, l.v[i].spec, depth + 1);
	addr_list_free(&l);
	return e;
}

enum err
alias_resolve(const struct alias_sources *src, const char *name,
    struct addr_list *out, struct buf *notes, char **errstr)
{
	struct resolver r;

	memset(&r, 0, sizeof(r));
	r.src = src;
	r.out = out;
	r.notes = notes;
	r.errstr = errstr;
	return resolve(&r, name, 0);
}
