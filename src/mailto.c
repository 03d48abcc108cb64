/* mailto.c - "pigeon ADDRESS" and "pigeon mailto:..." (RFC 6068): what a link asks for, made into a draft's fields. */
/* SPDX-License-Identifier: ISC */
#include "mailto.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "charset.h"
#include "i18n.h"
#include "util.h"

/* What *ignored may grow to, and the part of one name shown. */
#define IGNORED_MAX 200
#define IGNORED_NAME_MAX 40

int
mailto_is_url(const char *s)
{
	return s != NULL && strncasecmp(s, "mailto:", 7) == 0;
}

/* Addresses as a person types them on the command line. */
static int
plain_addresses(const char *s)
{
	struct addr_list l = { NULL, 0 };
	size_t n = strnlen(s, MAILTO_MAX + 1), i;
	int ok;

	if (n == 0 || n > MAILTO_MAX || strchr(s, '@') == NULL)
		return 0;
	/* No groups ("name: a@b;"): "http://x/@y" is no address. */
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == ':')
			return 0;
	ok = addr_list_parse(&l, s, n, NULL) == ERR_OK && l.n > 0;
	addr_list_free(&l);
	return ok;
}

int
mailto_is_target(const char *s)
{
	return s != NULL && (mailto_is_url(s) || plain_addresses(s));
}

/* p[0..n) percent-decoded into out, which must then be UTF-8 without NUL. */
static enum err
decode(struct buf *out, const char *p, size_t n, char **errstr)
{
	size_t i;
	int hi, lo;
	char c;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		c = p[i];
		if (c == '%') {
			hi = i + 2 < n ? util_hexval((unsigned char)p[i + 1]) :
			    -1;
			lo = hi >= 0 ? util_hexval((unsigned char)p[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				util_seterr(errstr, _("not a mailto: URL: '%%' "
				    "must be followed by two hexadecimal "
				    "digits"));
				return ERR_DATA;
			}
			if ((c = (char)(hi * 16 + lo)) == '\0') {
				util_seterr(errstr, _("not a mailto: URL: it "
				    "holds %%00"));
				return ERR_DATA;
			}
			i += 2;
		}
		if (buf_addch(out, c) < 0)
			return ERR_NOMEM;
	}
	if (!charset_utf8_valid(buf_str(out), out->len, NULL)) {
		util_seterr(errstr, _("not a mailto: URL: its text is not "
		    "UTF-8"));
		return ERR_DATA;
	}
	return ERR_OK;
}

/*
 * Control characters out of b, in place: in a header value (text 0)
 * each one becomes a space and the ends are trimmed; in the text CR LF
 * and a lone CR become LF, tab and LF stay, the others go.  C1 controls
 * (U+0080 to U+009F, two bytes in UTF-8) count as control characters.
 */
static void
clean(struct buf *b, int text)
{
	unsigned char *s = (unsigned char *)b->data;
	size_t i, o = 0, n = b->len, skip;
	unsigned char c;

	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		c = s[i];
		skip = c == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 &&
		    s[i + 1] <= 0x9f ? 1 : 0;
		if (c >= 0x20 && c != 0x7f && !skip) {
			s[o++] = c;
			continue;
		}
		i += skip;
		if (!text)
			s[o++] = ' ';
		else if (c == '\r' || c == '\n' || c == '\t')
			s[o++] = c == '\r' ? '\n' : c;
		if (text && c == '\r' && i + 1 < n && s[i + 1] == '\n')
			i++;
	}
	if (!text) {
		while (o > 0 && s[o - 1] == ' ')
			o--;
		for (i = 0; i < o && s[i] == ' '; i++)
			;
		memmove(s, s + i, o - i);
		o -= i;
	}
	buf_truncate(b, o);
}

/* Add the addresses v to the field, after a comma when it has some. */
static enum err
add_addrs(char **field, const char *v)
{
	char *s;

	if (*v == '\0')
		return ERR_OK;
	s = *field == NULL ? strdup(v) : util_strf("%s, %s", *field, v);
	if (s == NULL)
		return ERR_NOMEM;
	free(*field);
	*field = s;
	return ERR_OK;
}

/* One message id, "<left@right>", printable ASCII without spaces? */
static int
one_msgid(const char *v)
{
	size_t n = strlen(v), i;

	if (n < 5 || n > 900 || v[0] != '<' || v[n - 1] != '>' ||
	    strchr(v, '@') == NULL)
		return 0;
	for (i = 1; i + 1 < n; i++)
		if (v[i] <= ' ' || v[i] > '~' || v[i] == '<' || v[i] == '>')
			return 0;
	return 1;
}

/* The name of a field not taken, shown safely, to *ignored. */
static void
note_ignored(struct buf *ignored, const char *name)
{
	size_t i;
	char c;

	if (ignored == NULL)
		return;
	if (ignored->len >= IGNORED_MAX) {
		if (ignored->len > 3 && strcmp(buf_str(ignored) +
		    ignored->len - 3, "...") != 0)
			(void)buf_addstr(ignored, ", ...");
		return;
	}
	if (ignored->len > 0)
		(void)buf_addstr(ignored, ", ");
	for (i = 0; name[i] != '\0' && i < IGNORED_NAME_MAX; i++) {
		c = name[i];
		(void)buf_addch(ignored, c > ' ' && c <= '~' && c != ',' ? c :
		    '?');
	}
	if (name[i] != '\0')
		(void)buf_addstr(ignored, "...");
}

/* One hfield of the URL, name and value decoded. */
static enum err
take_field(struct draft *d, const char *name, struct buf *v,
    struct buf *ignored)
{
	const char *s;
	int taken = 0;

	clean(v, strcasecmp(name, "body") == 0);
	s = buf_str(v);
	if (strcasecmp(name, "to") == 0)
		return add_addrs(&d->to, s);
	if (strcasecmp(name, "cc") == 0)
		return add_addrs(&d->cc, s);
	if (strcasecmp(name, "bcc") == 0)
		return add_addrs(&d->bcc, s);
	if (*s == '\0')
		return ERR_OK;
	if (strcasecmp(name, "subject") == 0 && d->subject == NULL) {
		if (draft_set(&d->subject, s) < 0)
			return ERR_NOMEM;
		taken = 1;
	} else if (strcasecmp(name, "body") == 0 && d->text.len == 0) {
		if (buf_add(&d->text, s, v->len) < 0)
			return ERR_NOMEM;
		taken = 1;
	} else if (strcasecmp(name, "in-reply-to") == 0 &&
	    d->in_reply_to == NULL && one_msgid(s)) {
		if (draft_set(&d->in_reply_to, s) < 0)
			return ERR_NOMEM;
		taken = 1;
	}
	if (!taken)
		note_ignored(ignored, name);
	return ERR_OK;
}

/* The hfields after the '?': "name=value&name=value". */
static enum err
fields(struct draft *d, const char *p, const char *end,
    struct buf *ignored, char **errstr)
{
	struct buf name, value;
	const char *amp, *eq;
	size_t count = 0;
	enum err e = ERR_OK;

	buf_init(&name, MAILTO_MAX);
	buf_init(&value, MAILTO_MAX);
	for (; p < end && e == ERR_OK; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p)
			continue;
		if (++count > MAILTO_FIELDS_MAX) {
			util_seterr(errstr, _("a mailto: URL with more than %d "
			    "fields is not taken"), MAILTO_FIELDS_MAX);
			e = ERR_DATA;
			break;
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if ((e = decode(&name, p, (size_t)(eq - p), errstr)) !=
		    ERR_OK || (e = decode(&value, eq < amp ? eq + 1 : amp,
		    eq < amp ? (size_t)(amp - eq - 1) : 0, errstr)) != ERR_OK)
			break;
		e = take_field(d, buf_str(&name), &value, ignored);
	}
	buf_free(&name);
	buf_free(&value);
	return e;
}

enum err
mailto_parse(struct draft *d, const char *arg, struct buf *ignored,
    char **errstr)
{
	struct buf to;
	const char *p, *q, *end;
	size_t n;
	enum err e;

	if (!mailto_is_url(arg))
		return plain_addresses(arg) ? add_addrs(&d->to, arg) :
		    ERR_USAGE;
	if ((n = strnlen(arg, MAILTO_MAX + 1)) > MAILTO_MAX) {
		util_seterr(errstr, _("a mailto: URL longer than %d bytes is "
		    "not taken"), MAILTO_MAX);
		return ERR_DATA;
	}
	p = arg + 7;
	end = arg + n;
	if ((q = strchr(p, '?')) == NULL)
		q = end;
	buf_init(&to, MAILTO_MAX);
	if ((e = decode(&to, p, (size_t)(q - p), errstr)) == ERR_OK) {
		clean(&to, 0);
		e = add_addrs(&d->to, buf_str(&to));
	}
	buf_free(&to);
	if (e == ERR_OK && q < end)
		e = fields(d, q + 1, end, ignored, errstr);
	return e;
}
