/* addr.c - RFC 5322 address lists as users and mail programs write them. */
#include "addr.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

#define ADDR_MAX 4096

enum err
addr_list_add(struct addr_list *list, const char *name, const char *spec)
{
	struct addr *v;

	v = realloc(list->v, (list->n + 1) * sizeof(*v));
	if (v == NULL)
		return ERR_NOMEM;
	list->v = v;
	v[list->n].name = name != NULL && *name != '\0' ? strdup(name) : NULL;
	v[list->n].spec = strdup(spec);
	if (v[list->n].spec == NULL ||
	    (name != NULL && *name != '\0' && v[list->n].name == NULL)) {
		free(v[list->n].name);
		free(v[list->n].spec);
		return ERR_NOMEM;
	}
	list->n++;
	return ERR_OK;
}

void
addr_list_free(struct addr_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		free(list->v[i].name);
		free(list->v[i].spec);
	}
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* Parser state over one header value. */
struct ap {
	const char *p, *end;
	const char *elem;       /* start of the current element, for errors */
	char **errstr;
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static enum err
bad(struct ap *a, const char *what)
{
	const char *e = a->p < a->end ? a->p : a->end;
	size_t n = (size_t)(e - a->elem);
	const char *comma = memchr(a->elem, ',', (size_t)(a->end - a->elem));

	/* Name the element in question, up to its comma. */
	if (comma != NULL && comma > e)
		n = (size_t)(comma - a->elem);
	else if (comma == NULL)
		n = (size_t)(a->end - a->elem);
	if (n > 200)
		n = 200;
	util_seterr(a->errstr, _("invalid address '%.*s': %s"), (int)n,
	    a->elem, what);
	return ERR_DATA;
}

/* Skip white space and (nested) comments. */
static enum err
skip_cfws(struct ap *a)
{
	int depth;

	for (;;) {
		while (a->p < a->end && is_space(*a->p))
			a->p++;
		if (a->p >= a->end || *a->p != '(')
			return ERR_OK;
		depth = 0;
		while (a->p < a->end) {
			if (*a->p == '\\' && a->p + 1 < a->end) {
				a->p += 2;
				continue;
			}
			if (*a->p == '(')
				depth++;
			else if (*a->p == ')' && --depth == 0)
				break;
			a->p++;
		}
		if (a->p >= a->end)
			return bad(a, _("unclosed comment"));
		a->p++;
	}
}

/* A quoted string: append its content (without quotes) to out. */
static enum err
quoted(struct ap *a, struct buf *out, int keep_quotes)
{
	a->p++;
	if (keep_quotes && buf_addch(out, '"') < 0)
		return ERR_NOMEM;
	while (a->p < a->end && *a->p != '"') {
		if (*a->p == '\\' && a->p + 1 < a->end) {
			if (keep_quotes && buf_addch(out, '\\') < 0)
				return ERR_NOMEM;
			a->p++;
		}
		if (buf_addch(out, *a->p) < 0)
			return ERR_NOMEM;
		a->p++;
	}
	if (a->p >= a->end)
		return bad(a, _("unclosed quote"));
	a->p++;
	if (keep_quotes && buf_addch(out, '"') < 0)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
check_spec(struct ap *a, const char *spec)
{
	const char *at = strrchr(spec, '@');
	const unsigned char *u;

	for (u = (const unsigned char *)spec; *u != '\0'; u++)
		if (*u < 0x20 || *u == 0x7f)
			return bad(a, _("control character"));
	if (*spec == '\0')
		return bad(a, _("empty address"));
	if (*spec == '-')
		return bad(a, _("an address may not start with '-'"));
	if (at == NULL)
		return bad(a, _("no '@' and domain"));
	if (at == spec)
		return bad(a, _("empty local part"));
	if (at[1] == '\0')
		return bad(a, _("empty domain"));
	if (strchr(at + 1, ' ') != NULL || strchr(at + 1, '"') != NULL)
		return bad(a, _("invalid domain"));
	return ERR_OK;
}

/* The inside of <...>: an optional obsolete route, then the addr-spec. */
static enum err
angle(struct ap *a, struct buf *spec)
{
	enum err e;

	a->p++;
	if ((e = skip_cfws(a)) != ERR_OK)
		return e;
	if (a->p < a->end && *a->p == '@') {
		/* "<@relay1,@relay2:user@host>": the route is dropped. */
		const char *colon = memchr(a->p, ':', (size_t)(a->end - a->p));

		if (colon == NULL)
			return bad(a, _("broken source route"));
		a->p = colon + 1;
	}
	while (a->p < a->end && *a->p != '>') {
		if (*a->p == '"') {
			if ((e = quoted(a, spec, 1)) != ERR_OK)
				return e;
			continue;
		}
		if (*a->p == '(') {
			if ((e = skip_cfws(a)) != ERR_OK)
				return e;
			continue;
		}
		if (*a->p == '<' || *a->p == ',' || *a->p == ';')
			return bad(a, _("unexpected character inside <>"));
		if (is_space(*a->p)) {
			a->p++;
			continue;
		}
		if (buf_addch(spec, *a->p) < 0)
			return ERR_NOMEM;
		a->p++;
	}
	if (a->p >= a->end)
		return bad(a, _("unclosed '<'"));
	a->p++;
	return ERR_OK;
}

static void
trim(struct buf *b)
{
	size_t n = b->len;

	while (n > 0 && is_space(b->data[n - 1]))
		n--;
	buf_truncate(b, n);
}

enum err
addr_list_parse(struct addr_list *list, const char *s, size_t len,
    char **errstr)
{
	struct ap a = { s, s + len, s, errstr };
	struct buf name, spec;
	enum err e = ERR_OK;
	int has_angle, in_group = 0, had_space;

	if (memchr(s, '\0', len) != NULL) {
		util_seterr(errstr, _("invalid address: NUL byte"));
		return ERR_DATA;
	}
	buf_init(&name, ADDR_MAX);
	buf_init(&spec, ADDR_MAX);
	while (a.p < a.end && e == ERR_OK) {
		buf_reset(&name);
		buf_reset(&spec);
		has_angle = 0;
		had_space = 0;
		if ((e = skip_cfws(&a)) != ERR_OK)
			break;
		a.elem = a.p;
		/* One element: up to a ',' or ';' outside quotes and <>. */
		while (a.p < a.end && *a.p != ',' && *a.p != ';') {
			char c = *a.p;

			if (c == '"') {
				if (had_space && name.len > 0 &&
				    buf_addch(&name, ' ') < 0) {
					e = ERR_NOMEM;
					break;
				}
				if ((e = quoted(&a, &name, 0)) != ERR_OK)
					break;
				had_space = 0;
				continue;
			}
			if (c == '(') {
				if ((e = skip_cfws(&a)) != ERR_OK)
					break;
				had_space = 1;
				continue;
			}
			if (c == '<') {
				if (has_angle) {
					e = bad(&a, _("two '<' in one address"));
					break;
				}
				has_angle = 1;
				if ((e = angle(&a, &spec)) != ERR_OK)
					break;
				continue;
			}
			if (c == ':' && !has_angle && !in_group) {
				/* "group name:" starts a group; the name is dropped. */
				in_group = 1;
				a.p++;
				buf_reset(&name);
						if ((e = skip_cfws(&a)) != ERR_OK)
					break;
				a.elem = a.p;
				continue;
			}
			if (c == '>') {
				e = bad(&a, _("'>' without '<'"));
				break;
			}
			if (is_space(c)) {
				had_space = 1;
				a.p++;
				continue;
			}
			if (has_angle) {
				e = bad(&a, _("text after '>'"));
				break;
			}
			if (had_space && name.len > 0 && buf_addch(&name, ' ') < 0) {
				e = ERR_NOMEM;
				break;
			}
			had_space = 0;
			if (buf_addch(&name, c) < 0) {
				e = ERR_NOMEM;
				break;
			}
			a.p++;
		}
		if (e != ERR_OK)
			break;
		trim(&name);
		if (has_angle) {
			if (spec.len == 0) {
				/* "<>" is the null sender, not a recipient. */
				e = bad(&a, _("empty address"));
				break;
			}
			if ((e = check_spec(&a, buf_str(&spec))) != ERR_OK)
				break;
			e = addr_list_add(list, buf_str(&name), buf_str(&spec));
		} else if (name.len > 0) {
			/*
			 * A bare addr-spec.  A quoted local part came through
			 * quoted() without its quotes; parse it again keeping
			 * them so "\"john doe\"@x" stays one address.
			 */
			struct ap b = { a.elem, a.p, a.elem, errstr };

			buf_reset(&spec);
			while (b.p < b.end && e == ERR_OK) {
				if (*b.p == '"') {
					e = quoted(&b, &spec, 1);
				} else if (*b.p == '(') {
					e = skip_cfws(&b);
				} else if (is_space(*b.p)) {
					b.p++;
				} else {
					if (buf_addch(&spec, *b.p) < 0)
						e = ERR_NOMEM;
					b.p++;
				}
			}
			if (e == ERR_OK)
				e = check_spec(&a, buf_str(&spec));
			if (e == ERR_OK)
				e = addr_list_add(list, NULL, buf_str(&spec));
		}
		if (e != ERR_OK)
			break;
		if (a.p < a.end) {
			if (*a.p == ';') {
				if (!in_group) {
					e = bad(&a, _("';' outside a group"));
					break;
				}
				in_group = 0;
			}
			a.p++;
		}
	}
	buf_free(&name);
	buf_free(&spec);
	return e;
}
