/* addr.c - RFC 5322 address lists as users and mail programs write them. */
/* SPDX-License-Identifier: ISC */
#include "addr.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "sanitize.h"
#include "util.h"

/* Longest element (one mailbox as written, with its display name). */
#define ELEM_MAX 4096
/* Longest addr-spec: RFC 5321's 256-octet path less the angle brackets. */
#define SPEC_MAX 254

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

/*
 * The parser works in two steps.  A tokenizer turns the value into
 * words (atoms, quoted strings, domain literals) and the specials
 * < > @ , ; : . while it drops white space, folding and comments, noting
 * only that they were there.  Then the tokens of one element (up to a
 * ',' or ';' outside <>, or a group's ':') are collected and read
 * against the grammar.  Anything the tokenizer cannot place (a control
 * character, a bare CR or LF, an unclosed quote) is an error: guessing
 * is how a mail goes to the wrong person.
 */
enum tkind { T_END, T_ATOM, T_QSTR, T_DLIT, T_SPECIAL };

struct tok {
	enum tkind kind;
	char c;                 /* the character of a T_SPECIAL */
	const char *p;          /* raw text, quotes and brackets included */
	size_t len;
	int sp;                 /* white space or a comment came before it */
};

struct ap {
	const char *p, *end;
	const char *elem;       /* start of the current element, for errors */
	char **errstr;
	int local_ok;           /* a bare local part ("root") is an address */
	struct tok *tk;         /* the current element's tokens */
	size_t ntk, captk;
};

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_ctl(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 0x20 || u == 0x7f;
}

static int
is_special(char c)
{
	return strchr("<>@,;:.", c) != NULL && c != '\0';
}

/* A character that may appear in an atom (bytes >= 0x80 too: UTF-8). */
static int
is_atext(char c)
{
	return !is_ctl(c) && c != ' ' && strchr("()<>[]:;@\\,.\"", c) == NULL;
}

/*
 * Report what is wrong with the current element, naming it from its
 * start up to the first ',' at or after where things went wrong, with
 * anything a terminal could act on made visible.
 */
static enum err
bad_at(struct ap *a, const char *at, const char *what)
{
	const char *e, *comma;
	struct buf vis;

	if (at < a->elem)
		at = a->elem;
	if (at > a->end)
		at = a->end;
	comma = memchr(at, ',', (size_t)(a->end - at));
	e = comma != NULL ? comma : a->end;
	while (e > a->elem && (is_wsp(e[-1]) || e[-1] == '\r' ||
	    e[-1] == '\n'))
		e--;
	if (e - a->elem > 200)
		e = a->elem + 200;
	buf_init(&vis, 1024);
	if (sanitize_append(&vis, a->elem, (size_t)(e - a->elem)) < 0)
		buf_reset(&vis);
	util_seterr(a->errstr, _("invalid address '%s': %s"), buf_str(&vis),
	    what);
	buf_free(&vis);
	return ERR_DATA;
}

/* Skip a comment starting at a->p, nested ones and quoted pairs too. */
static enum err
skip_comment(struct ap *a)
{
	const char *start = a->p;
	int depth = 0;

	while (a->p < a->end) {
		char c = *a->p;

		if (c == '\\' && a->p + 1 < a->end) {
			if (is_ctl(a->p[1]) && !is_wsp(a->p[1]))
				return bad_at(a, a->p, _("control character"));
			a->p += 2;
			continue;
		}
		if (c == '\r' || c == '\n') {
			const char *q = a->p + (c == '\r' && a->p + 1 < a->end &&
			    a->p[1] == '\n' ? 2 : 1);

			if (q >= a->end || !is_wsp(*q))
				return bad_at(a, a->p,
				    _("line break inside a comment"));
			a->p = q;
			continue;
		}
		if (is_ctl(c) && !is_wsp(c))
			return bad_at(a, a->p, _("control character"));
		if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0) {
			a->p++;
			return ERR_OK;
		}
		a->p++;
	}
	return bad_at(a, start, _("unclosed comment"));
}

/* A quoted string or a domain literal starting at a->p. */
static enum err
scan_quoted(struct ap *a, char close)
{
	const char *start = a->p;

	a->p++;
	while (a->p < a->end && *a->p != close) {
		char c = *a->p;

		if (c == '\\' && a->p + 1 < a->end) {
			if (is_ctl(a->p[1]) && !is_wsp(a->p[1]))
				return bad_at(a, a->p, _("control character"));
			a->p += 2;
			continue;
		}
		if (c == '\r' || c == '\n')
			return bad_at(a, a->p, _("line break inside quotes"));
		if (is_ctl(c) && !is_wsp(c))
			return bad_at(a, a->p, c == '\0' ? _("NUL byte") :
			    _("control character"));
		if (close == ']' && (c == '[' || c == '\\'))
			return bad_at(a, a->p, _("invalid domain literal"));
		a->p++;
	}
	if (a->p >= a->end)
		return bad_at(a, start, close == '"' ? _("unclosed quote") :
		    _("unclosed '['"));
	a->p++;
	return ERR_OK;
}

static enum err
next_tok(struct ap *a, struct tok *t)
{
	enum err e;
	char c;

	t->sp = 0;
	t->c = '\0';
	for (;;) {
		if (a->p >= a->end) {
			t->kind = T_END;
			t->p = a->end;
			t->len = 0;
			return ERR_OK;
		}
		c = *a->p;
		if (is_wsp(c)) {
			a->p++;
		} else if (c == '\r' && a->p + 1 < a->end && a->p[1] == '\n' &&
		    (a->p + 2 == a->end || is_wsp(a->p[2]))) {
			a->p += 2;      /* folding, or the header's line end */
		} else if (c == '\n' && (a->p + 1 == a->end ||
		    is_wsp(a->p[1]))) {
			a->p++;
		} else if (c == '(') {
			if ((e = skip_comment(a)) != ERR_OK)
				return e;
		} else {
			break;
		}
		t->sp = 1;
	}
	t->p = a->p;
	if (c == '"' || c == '[') {
		if ((e = scan_quoted(a, c == '"' ? '"' : ']')) != ERR_OK)
			return e;
		t->kind = c == '"' ? T_QSTR : T_DLIT;
	} else if (is_special(c)) {
		t->kind = T_SPECIAL;
		t->c = c;
		a->p++;
	} else if (is_atext(c)) {
		while (a->p < a->end && is_atext(*a->p))
			a->p++;
		t->kind = T_ATOM;
	} else if (c == '\0') {
		return bad_at(a, a->p, _("NUL byte"));
	} else if (c == '\r' || c == '\n') {
		return bad_at(a, a->p, _("line break inside an address"));
	} else if (is_ctl(c)) {
		return bad_at(a, a->p, _("control character"));
	} else if (c == ')') {
		return bad_at(a, a->p, _("')' without '('"));
	} else {
		return bad_at(a, a->p, _("unexpected character"));
	}
	t->len = (size_t)(a->p - t->p);
	return ERR_OK;
}

static int
is_sp(const struct tok *t, char c)
{
	return t->kind == T_SPECIAL && t->c == c;
}

static int
is_word(const struct tok *t)
{
	return t->kind == T_ATOM || t->kind == T_QSTR;
}

/* Append the content of a quoted string, without quotes and escapes. */
static int
add_unquoted(struct buf *b, const struct tok *t)
{
	size_t i;

	for (i = 1; i + 1 < t->len; i++) {
		if (t->p[i] == '\\' && i + 2 < t->len)
			i++;
		if (buf_addch(b, t->p[i]) < 0)
			return -1;
	}
	return 0;
}

/* A domain character: letter, digit, '-', '_', or a UTF-8 byte. */
static int
is_dchar(char c)
{
	unsigned char u = (unsigned char)c;

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || u >= 0x80;
}

/*
 * tk[i..n) must be exactly one addr-spec; write it to spec.  White space
 * may stand next to '.' and '@' (RFC 5322's obsolete forms allow it) but
 * never between two words: "john smith@x" is not "johnsmith@x".
 */
static enum err
addr_spec(struct ap *a, size_t i, size_t n, struct buf *spec)
{
	struct tok *tk = a->tk;
	const struct tok *prev = NULL;
	size_t k;

	buf_reset(spec);
	/* Local part: words and dots. */
	for (; i < n && !is_sp(&tk[i], '@'); i++) {
		if (tk[i].kind == T_SPECIAL && tk[i].c != '.') {
			return bad_at(a, tk[i].p, tk[i].c == '>' ?
			    _("'>' without '<'") : tk[i].c == '<' ?
			    _("two '<' in one address") :
			    _("unexpected character"));
		}
		if (tk[i].kind == T_DLIT)
			return bad_at(a, tk[i].p, _("invalid local part"));
		if (is_word(&tk[i]) && prev != NULL && is_word(prev))
			return bad_at(a, tk[i].p, tk[i].sp ?
			    _("space inside the address (quote it, or add "
			    "<> around the address)") :
			    _("invalid local part"));
		if (tk[i].kind == T_QSTR) {
			for (k = 1; k + 1 < tk[i].len; k++)
				if (tk[i].p[k] == '<' || tk[i].p[k] == '>')
					return bad_at(a, tk[i].p,
					    _("'<' or '>' inside the address"));
		}
		if (buf_add(spec, tk[i].p, tk[i].len) < 0)
			goto toolong;
		prev = &tk[i];
	}
	if (spec->len == 0)
		return bad_at(a, i < n ? tk[i].p : a->elem,
		    i < n ? _("empty local part") : _("empty address"));
	if (i >= n && a->local_ok)
		goto checks;
	if (i >= n)
		return bad_at(a, a->elem, _("no '@' and domain"));
	if (buf_addch(spec, '@') < 0)
		goto toolong;
	i++;
	/* Domain: a literal, or dot-separated labels. */
	if (i < n && tk[i].kind == T_DLIT) {
		if (buf_add(spec, tk[i].p, tk[i].len) < 0)
			goto toolong;
		i++;
	} else {
		for (;;) {
			if (i >= n || tk[i].kind != T_ATOM)
				return bad_at(a, i < n ? tk[i].p : a->elem,
				    i >= n && is_sp(&tk[i - 1], '@') ?
				    _("empty domain") : _("invalid domain"));
			for (k = 0; k < tk[i].len; k++)
				if (!is_dchar(tk[i].p[k]))
					return bad_at(a, tk[i].p,
					    _("invalid character in the "
					    "domain"));
			if (buf_add(spec, tk[i].p, tk[i].len) < 0)
				goto toolong;
			i++;
			if (i >= n || !is_sp(&tk[i], '.'))
				break;
			if (buf_addch(spec, '.') < 0)
				goto toolong;
			i++;
		}
	}
	if (i < n)
		return bad_at(a, tk[i].p, is_sp(&tk[i], '@') ?
		    _("more than one '@'") : is_word(&tk[i]) && tk[i].sp ?
		    _("space inside the address (quote it, or add <> around "
		    "the address)") : is_sp(&tk[i], '>') ?
		    _("'>' without '<'") : _("text after the address"));
checks:
	if (spec->data[0] == '-')
		return bad_at(a, a->elem, _("an address may not start with "
		    "'-'"));
	if (spec->len > SPEC_MAX)
		goto toolong;
	return ERR_OK;
toolong:
	return bad_at(a, a->elem, _("address longer than 254 characters"));
}

/* tk[0..n) as a display name (words, dots, and leniently '@'). */
static enum err
phrase(struct ap *a, size_t n, struct buf *name)
{
	struct tok *tk = a->tk;
	size_t i;

	buf_reset(name);
	for (i = 0; i < n; i++) {
		if (!is_word(&tk[i]) && !is_sp(&tk[i], '.') &&
		    !is_sp(&tk[i], '@'))
			return bad_at(a, tk[i].p, tk[i].kind == T_DLIT ?
			    _("'[' in a name (quote the name)") :
			    _("unexpected character in the name (quote the "
			    "name)"));
		if (tk[i].sp && name->len > 0 && buf_addch(name, ' ') < 0)
			return ERR_NOMEM;
		if (tk[i].kind == T_QSTR ? add_unquoted(name, &tk[i]) < 0 :
		    buf_add(name, tk[i].p, tk[i].len) < 0)
			return ERR_NOMEM;
	}
	return ERR_OK;
}

/* [phrase] "<" [route ":"] addr-spec ">", with '<' at tk[lt]. */
static enum err
name_addr(struct ap *a, size_t lt, struct buf *name, struct buf *spec)
{
	struct tok *tk = a->tk;
	size_t i = lt + 1, gt;
	enum err e;

	if ((e = phrase(a, lt, name)) != ERR_OK)
		return e;
	for (gt = i; gt < a->ntk && !is_sp(&tk[gt], '>'); gt++)
		;
	/* The collector saw the '>'; an obsolete route is dropped. */
	if (i < gt && is_sp(&tk[i], '@')) {
		while (i < gt && !is_sp(&tk[i], ':'))
			i++;
		if (i >= gt)
			return bad_at(a, tk[lt].p, _("broken source route"));
		i++;
	}
	if (i == gt)
		return bad_at(a, tk[gt].p, _("empty address"));
	if ((e = addr_spec(a, i, gt, spec)) != ERR_OK)
		return e;
	if (gt + 1 < a->ntk)
		return bad_at(a, tk[gt + 1].p, is_sp(&tk[gt + 1], '<') ?
		    _("two '<' in one address") : _("text after '>'"));
	return ERR_OK;
}

static enum err
push_tok(struct ap *a, const struct tok *t)
{
	if (a->ntk == a->captk) {
		size_t cap = a->captk != 0 ? 2 * a->captk : 16;
		struct tok *v = realloc(a->tk, cap * sizeof(*v));

		if (v == NULL)
			return ERR_NOMEM;
		a->tk = v;
		a->captk = cap;
	}
	a->tk[a->ntk++] = *t;
	return ERR_OK;
}

/*
 * Collect one element's tokens into a->tk; *stop gets the token that
 * ended it (',' ';' ':' outside <>, or T_END).
 */
static enum err
collect(struct ap *a, struct tok *stop)
{
	struct tok t;
	int in_angle = 0;
	enum err e;

	a->ntk = 0;
	for (;;) {
		if ((e = next_tok(a, &t)) != ERR_OK)
			return e;
		if (a->ntk == 0)
			a->elem = t.p;
		if (t.kind == T_END) {
			if (in_angle)
				return bad_at(a, a->elem, _("unclosed '<'"));
			break;
		}
		if (!in_angle && t.kind == T_SPECIAL &&
		    (t.c == ',' || t.c == ';' || t.c == ':'))
			break;
		if (is_sp(&t, '<')) {
			if (in_angle)
				return bad_at(a, t.p,
				    _("unexpected '<' inside <>"));
			in_angle = 1;
		} else if (is_sp(&t, '>')) {
			if (!in_angle)
				return bad_at(a, t.p, _("'>' without '<'"));
			in_angle = 0;
		}
		if ((size_t)(a->p - a->elem) > ELEM_MAX)
			return bad_at(a, a->elem, _("too long"));
		if ((e = push_tok(a, &t)) != ERR_OK)
			return e;
	}
	*stop = t;
	return ERR_OK;
}

enum err
addr_list_parse(struct addr_list *list, const char *s, size_t len,
    char **errstr)
{
	return addr_list_parse_local(list, s, len, 0, errstr);
}

enum err
addr_list_parse_local(struct addr_list *list, const char *s, size_t len,
    int local_ok, char **errstr)
{
	struct ap a;
	struct buf name, spec;
	struct tok stop;
	enum err e = ERR_OK;
	int in_group = 0;
	size_t i;

	memset(&a, 0, sizeof(a));
	memset(&stop, 0, sizeof(stop));
	a.p = a.elem = s;
	a.end = s + len;
	a.errstr = errstr;
	a.local_ok = local_ok;
	buf_init(&name, ELEM_MAX);
	buf_init(&spec, ELEM_MAX);
	for (;;) {
		if ((e = collect(&a, &stop)) != ERR_OK)
			break;
		if (is_sp(&stop, ':')) {
			/* "group name:" opens a group; the name is dropped. */
			if (in_group) {
				e = bad_at(&a, stop.p, _("a group inside a "
				    "group"));
				break;
			}
			if ((e = phrase(&a, a.ntk, &name)) != ERR_OK)
				break;
			in_group = 1;
			continue;
		}
		if (a.ntk > 0) {
			for (i = 0; i < a.ntk && !is_sp(&a.tk[i], '<'); i++)
				;
			if (i < a.ntk) {
				e = name_addr(&a, i, &name, &spec);
			} else {
				buf_reset(&name);
				e = addr_spec(&a, 0, a.ntk, &spec);
			}
			if (e == ERR_OK)
				e = addr_list_add(list, buf_str(&name),
				    buf_str(&spec));
			if (e != ERR_OK)
				break;
		}
		if (stop.kind == T_END)
			break;
		if (is_sp(&stop, ';')) {
			if (!in_group) {
				e = bad_at(&a, stop.p, _("';' outside a "
				    "group"));
				break;
			}
			in_group = 0;
		}
	}
	free(a.tk);
	buf_free(&name);
	buf_free(&spec);
	return e;
}
