/* smtp_reply.c - the server's side of SMTP as data: replies framed and parsed, bounded, and the EHLO capabilities read from them. */
/* SPDX-License-Identifier: ISC */
#include "smtp_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"

void
smtp_reply_free(struct smtp_reply *r)
{
	free(r->text);
	r->text = NULL;
	r->code = 0;
	r->enhanced[0] = '\0';
}

const char *
smtp_reply_text(const struct smtp_reply *r)
{
	return r->text != NULL && strlen(r->text) > 4 ? r->text + 4 : "";
}

int
smtp_rcpt_refused(int code)
{
	return code / 100 == 5 && code != 552;
}

/* "5.1.1 text": copy the enhanced status code if text starts with one. */
static void
parse_enhanced(struct smtp_reply *r, const char *t, size_t n)
{
	size_t i = 0, start, parts = 0, digits;

	if (n < 5 || t[0] != '0' + r->code / 100)
		return;
	while (parts < 3) {
		start = i;
		while (i < n && isdigit((unsigned char)t[i]) && i - start < 3)
			i++;
		digits = i - start;
		if (digits == 0 || (parts == 0 && digits != 1))
			return;
		parts++;
		if (parts < 3) {
			if (i >= n || t[i] != '.')
				return;
			i++;
		}
	}
	if (i < n && t[i] != ' ')
		return;
	if (i >= sizeof(r->enhanced))
		return;
	memcpy(r->enhanced, t, i);
	r->enhanced[i] = '\0';
}

/*
 * Check the framing of one line (CRLF at linelen) and its code; the code,
 * or -1 with *why.  Only what breaks the framing is refused: a NUL, a
 * bare CR, a missing CR.  Other control characters are the server's
 * text: the transcript shows them escaped.
 */
static int
check_line(const char *line, size_t linelen, char *sep, const char **why)
{
	if (linelen == 0 || line[linelen - 1] != '\r') {
		*why = _("reply line ends in a bare LF, not CRLF");
		return -1;
	}
	linelen--;
	if (memchr(line, '\0', linelen) != NULL) {
		*why = _("NUL byte in reply");
		return -1;
	}
	if (memchr(line, '\r', linelen) != NULL) {
		*why = _("bare CR in reply");
		return -1;
	}
	if (linelen < 3 || line[0] < '2' || line[0] > '5' ||
	    line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9') {
		*why = _("reply does not start with a code from 200 to 599");
		return -1;
	}
	*sep = linelen > 3 ? line[3] : ' ';
	if (*sep != ' ' && *sep != '-') {
		*why = _("reply code not followed by a space or '-'");
		return -1;
	}
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* The lines of a complete reply, joined with '\n', CRLFs removed. */
static char *
join_lines(const char *buf, size_t len)
{
	struct buf text;
	const char *p = buf, *nl;

	buf_init(&text, SMTP_IN_MAX);
	while (p < buf + len) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		if ((text.len > 0 && buf_addch(&text, '\n') < 0) ||
		    buf_add(&text, p, (size_t)(nl - p) - 1) < 0) {
			buf_free(&text);
			return NULL;
		}
		p = nl + 1;
	}
	return text.data != NULL ? text.data : strdup("");
}

long
smtp_parse_reply(const char *buf, size_t len, struct smtp_reply *r,
    const char **why)
{
	size_t pos = 0, nlines = 0, avail, scan;
	const char *nl;
	int code = -1, c;
	char sep = ' ';

	memset(r, 0, sizeof(*r));
	do {
		avail = len - pos;
		scan = avail < SMTP_LINE_MAX + 2 ? avail : SMTP_LINE_MAX + 2;
		nl = memchr(buf + pos, '\n', scan);
		if (nl == NULL) {
			if (avail <= SMTP_LINE_MAX + 1)
				return 0;
			*why = _("reply line too long");
			return -1;
		}
		c = check_line(buf + pos, (size_t)(nl - buf) - pos, &sep, why);
		if (c < 0)
			return -1;
		if (code >= 0 && c != code) {
			*why = _("lines of one reply carry different codes");
			return -1;
		}
		code = c;
		if (++nlines > SMTP_LINES_MAX) {
			*why = _("reply has too many lines");
			return -1;
		}
		pos = (size_t)(nl - buf) + 1;
	} while (sep == '-');

	r->text = join_lines(buf, pos);
	if (r->text == NULL) {
		*why = err_str(ERR_NOMEM);
		return -1;
	}
	r->code = code;
	if (strlen(r->text) > 4)
		parse_enhanced(r, r->text + 4, strcspn(r->text + 4, "\n"));
	return (long)pos;
}

/* -- EHLO capabilities ------------------------------------------------ */

void
smtp_caps_clear(struct smtp_caps *c)
{
	size_t i;

	free(c->auth);
	free(c->server);
	for (i = 0; i < c->nlines; i++)
		free(c->lines[i]);
	free(c->lines);
	memset(c, 0, sizeof(*c));
}

/* Add the mechanisms of one AUTH line; -1 out of memory, -2 too many. */
static int
add_mechs(struct smtp_caps *c, const char *list, size_t *nmechs)
{
	struct buf b;
	const char *p;

	for (p = list; *p != '\0'; p += strcspn(p, " ")) {
		p += strspn(p, " ");
		if (*p != '\0' && ++*nmechs > SMTP_MECHS_MAX)
			return -2;
	}
	buf_init(&b, SMTP_IN_MAX);
	if ((c->auth != NULL && buf_addstr(&b, c->auth) < 0) ||
	    (*list != '\0' && b.len > 0 && buf_addch(&b, ' ') < 0) ||
	    buf_addstr(&b, list) < 0) {
		buf_free(&b);
		return -1;
	}
	free(c->auth);
	c->auth = b.data != NULL ? b.data : strdup("");
	return c->auth != NULL ? 0 : -1;
}

/* Does a keyword line start with kw (case-insensitive) as a whole word? */
static const char *
keyword(const char *line, const char *kw, char sepch)
{
	size_t n = strlen(kw);

	if (strncasecmp(line, kw, n) != 0)
		return NULL;
	if (line[n] == '\0')
		return line + n;
	if (line[n] == ' ' || line[n] == sepch)
		return line + n + 1;
	return NULL;
}

static const struct {
	const char *kw;
	unsigned flag;
} cap_words[] = {
	{ "PIPELINING", SMTP_CAP_PIPELINING },
	{ "8BITMIME", SMTP_CAP_8BITMIME },
	{ "SMTPUTF8", SMTP_CAP_SMTPUTF8 },
	{ "DSN", SMTP_CAP_DSN },
	{ "ENHANCEDSTATUSCODES", SMTP_CAP_ENHANCED },
	{ "CHUNKING", SMTP_CAP_CHUNKING },
	{ "STARTTLS", SMTP_CAP_STARTTLS },
};

/*
 * LIMITS NAME=value ... (RFC 9422): the three a client must honour; an
 * unknown name, a malformed pair or a value out of range is ignored, as
 * the RFC asks (a limit of 0 would mean no mail at all: ignored too).
 */
static void
add_limits(struct smtp_caps *c, const char *arg)
{
	static const char *const names[] = {
		"RCPTMAX", "MAILMAX", "RCPTDOMAINMAX",
	};
	unsigned *field[] = { &c->rcptmax, &c->mailmax, &c->rcptdomainmax };
	const char *p = arg, *eq;
	unsigned long v;
	char *end;
	size_t i, n;

	while (*p != '\0') {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		eq = memchr(p, '=', n);
		if (eq != NULL && eq[1] >= '1' && eq[1] <= '9') {
			errno = 0;
			v = strtoul(eq + 1, &end, 10);
			for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (end == p + n && errno == 0 && v <= 1000000 &&
				    strlen(names[i]) == (size_t)(eq - p) &&
				    strncasecmp(p, names[i], (size_t)(eq - p)) ==
				    0)
					*field[i] = (unsigned)v;
		}
		p += n;
	}
}

/* What one keyword line says; -1 out of memory, -2 too many mechanisms. */
static int
add_keyword(struct smtp_caps *c, const char *line, size_t *nmechs)
{
	const char *arg;
	char *end;
	unsigned long long v;
	size_t i;

	if ((arg = keyword(line, "SIZE", 0)) != NULL) {
		c->flags |= SMTP_CAP_SIZE;
		v = strtoull(arg, &end, 10);
		if (end != arg && *end == '\0')
			c->size = v;
		return 0;
	}
	if ((arg = keyword(line, "LIMITS", 0)) != NULL) {
		add_limits(c, arg);
		return 0;
	}
	if ((arg = keyword(line, "AUTH", '=')) != NULL) {
		/* "AUTH=LOGIN PLAIN" is what old servers say. */
		c->flags |= SMTP_CAP_AUTH;
		return add_mechs(c, arg, nmechs);
	}
	for (i = 0; i < sizeof cap_words / sizeof cap_words[0]; i++)
		if (keyword(line, cap_words[i].kw, 0) != NULL)
			c->flags |= cap_words[i].flag;
	return 0;
}

int
smtp_caps_parse(struct smtp_caps *c, const struct smtp_reply *r)
{
	const char *p = r->text != NULL ? r->text : "", *nl;
	size_t n, nmechs = 0;
	char *line;
	int rc;

	smtp_caps_clear(c);
	c->flags = SMTP_CAP_EHLO;
	/* Each line is one allocation: the reply's bounds limit them. */
	c->lines = calloc(SMTP_LINES_MAX, sizeof(*c->lines));
	if (c->lines == NULL)
		return -1;
	for (; *p != '\0'; p += n + (p[n] == '\n')) {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		line = strndup(n > 4 ? p + 4 : "", n > 4 ? n - 4 : 0);
		if (line == NULL)
			return -1;
		if (c->server == NULL) {
			/* The first line names the server; it is no capability. */
			c->server = line;
			continue;
		}
		c->lines[c->nlines++] = line;
		if ((rc = add_keyword(c, line, &nmechs)) < 0)
			return rc;
	}
	if (c->server == NULL && (c->server = strdup("")) == NULL)
		return -1;
	return 0;
}
