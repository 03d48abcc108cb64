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
