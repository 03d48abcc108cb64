/* conf.c - read the config file: accounts and their settings. */
/* SPDX-License-Identifier: ISC */

/*
 * The file format, exactly (doc/pigeon.conf.5 is written from this).
 *
 * Location.  --config FILE, or $XDG_CONFIG_HOME/pigeon/config.  When
 * XDG_CONFIG_HOME is unset, empty or not an absolute path (the XDG Base
 * Directory spec says to ignore relative values), $HOME/.config/pigeon/
 * config; when HOME is unset or empty, the home directory from the
 * password database.  A missing default file is an empty configuration;
 * a missing --config file is an error.
 *
 * The system file.  SYSCONFDIR/pigeon/config (see conf.h) is read first,
 * in the same format, and the user's file (default or --config) over it:
 * an [account NAME] the user's file names too is the same account, whose
 * keys the user's file sets take the user's values, the others keep the
 * system file's; naming it twice in one file is still an error.  The
 * user's "default" wins; without one, the first account the user's file
 * names is used, and only when it names none, the system file's choice.
 * Every message names the file it is about.
 *
 * Encoding.  UTF-8; a byte order mark at the very start is skipped.  A
 * NUL byte, invalid UTF-8 (including overlong forms, surrogates and code
 * points past U+10FFFF) or a control character other than TAB anywhere
 * is an error.  Lines end in LF or CR LF.  A line may hold at most 4096
 * bytes, not counting its line ending.
 *
 * Lines.  Leading and trailing blanks (spaces and tabs) never matter.
 * Each line is one of:
 *   - empty;
 *   - a comment: its first non-blank character is '#' or ';'.  There are
 *     no comments at the end of other lines: "key = a # b" sets "a # b";
 *   - a section header "[account NAME]": the word "account" (any case),
 *     at least one blank, then NAME up to the closing ']', which must end
 *     the line.  NAME is trimmed, must not be empty and cannot contain
 *     ']'; inside it, spaces and any other printable characters are
 *     kept.  Names are case-sensitive.  Any other [section] is an error.
 *     Defining the same NAME twice is an error;
 *   - a setting "key = value".  The key is letters, digits, '_' and '-',
 *     and is case-insensitive.  The value is everything after the first
 *     '=', trimmed.  To keep leading or trailing blanks, double-quote the
 *     whole value: inside the quotes \" stands for " and \\ for \, any
 *     other backslash is an error, and nothing but blanks may follow the
 *     closing quote.  Unquoted values are taken literally, quotes and
 *     backslashes included.  An empty value ("key =" or "key = """)
 *     leaves a text setting unset; yes/no and number settings need a
 *     value.
 *
 * Before the first section only "default = NAME" is allowed: the account
 * used when none is chosen.  It must name an account defined somewhere in
 * the file.  Without it, the first account in the file is used (which
 * is the only one when there is just one).
 *
 * Keys of an [account NAME] section:
 *   from                 the From: address, "Name <addr>" or "addr"
 *   server               smtp://[user@]host[:port] (STARTTLS, port 587),
 *                        smtps:// (TLS, 465), smtp+plain:// (none, 25), or
 *                        a bare host[:port] meaning smtp://; checked when
 *                        the file is read
 *   user                 the login name for AUTH
 *   password             the password itself (discouraged; the file must
 *                        then not be readable by group or others, or it
 *                        is refused with a chmod 600 hint)
 *   password_command     a command whose first line of output is the
 *                        password, e.g. "pass show mail/work"
 *   auth                 PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256, XOAUTH2
 *                        or OAUTHBEARER, any case; unset: pick the
 *                        strongest one the server offers
 *   auth_allow_plaintext yes/no (default no): allow AUTH over smtp+plain://
 *   tls_verify           yes/no (default yes): check the server certificate
 *   tls_cafile           file of trusted CA certificates
 *   tls_fingerprint      pin the server certificate by its fingerprint
 *   tls_cert, tls_key    client certificate and key files
 *   tls_min_version, tls_max_version
 *                        1.0, 1.1, 1.2 or 1.3 (default: 1.2 to the newest);
 *                        below 1.2 only with tls_allow_legacy = yes
 *   tls_ciphers          TLS 1.2 cipher list (OpenSSL's syntax)
 *   tls_ciphersuites     TLS 1.3 ciphersuites (OpenSSL's syntax)
 *   tls_allow_legacy     yes/no (default no): allow TLS 1.0 and 1.1
 *   tls_trust            ca (default: the CA store vouches) or tofu
 *                        (trust on first use: the certificate first seen
 *                        is recorded, a different one refused)
 *   helo                 the name sent with EHLO: a domain or an address
 *                        literal, at most 255 characters
 *   source_address       local address to connect from
 *   dns_server           ADDR[:PORT], an IPv4 name server to ask for MX
 *                        records and addresses (direct to MX) instead of
 *                        the system's
 *   timeout              seconds, a whole number from 1 to 86400; unset:
 *                        the RFC 5321 timeouts
 *   NAME_timeout         the same for one wait (NAME: connect, greeting,
 *                        ehlo, tls, auth, mail, rcpt, data, data_block,
 *                        data_done, quit; see smtp.h), over timeout;
 *                        session_timeout bounds the whole session
 *   chunking             yes/no (default no): use BDAT when the server offers CHUNKING
 *   dsn_notify           NEVER, or a comma list of SUCCESS, FAILURE, DELAY
 *                        (any case, blanks around commas allowed)
 *   dsn_return           FULL or HDRS (any case)
 *   signature            a file appended to the text "pigeon send" sends,
 *                        after a "-- " line
 *   aliases              a file of mutt "alias" lines, for completing
 *                        addresses in the interactive composer
 *   query_command        a program asked for matching addresses when no
 *                        alias matches (mutt's query_command, %s the query)
 *   queue_lifetime       days a queued message is retried before it
 *                        fails (default 5)
 *   flush_after_send     yes/no (default yes): after a send, due messages
 *                        of the account go out in a detached process
 *   send_delay           seconds (0 to 300, default 0) a message sent
 *                        from the UI waits, held in the outbox, before it
 *                        goes: the time to take it back (undo)
 *   from_addresses       more sender addresses of the account, comma
 *                        separated, wildcards allowed ("*@example.org"):
 *                        sendmail -f and a From field pick the account
 *   sendmail_aliases     an /etc/aliases-style file ("name: address,
 *                        ...", a "default:" entry) for recipients without
 *                        a domain, as cron gives them
 *   qualify_domain       the domain given to such a recipient that no
 *                        alias has
 *   send_charset         colon-separated charsets to try for a text
 *                        that is not ASCII; the first that holds it wins,
 *                        utf-8 when none does (default: utf-8 at once)
 *   text_flowed          yes/no (default no): the text as format=flowed
 *                        (RFC 3676), as mutt's text_flowed
 *   html_command         a command (sh -c) that reads the text and prints
 *                        the HTML alternative (pandoc -f markdown -t html)
 *   sent                 a Maildir folder that gets a copy of every
 *                        message the account sends (mutt's record,
 *                        aerc's copy-to), made when missing; it may be
 *                        a link of the user's (resolved once)
 *   drafts               the Maildir folder of the account's drafts
 *                        (mutt's postponed, aerc's postpone) instead of
 *                        pigeon's drafts/, made when missing; it may be
 *                        a link of the user's (resolved once)
 * Yes/no values are yes, no, true, false, on, off, 1 or 0 in any case;
 * anything else is an error.  For tls_cafile, tls_cert, tls_key,
 * signature, aliases, sent and drafts a leading "~/" stands for the home
 * directory ("~user/" is not expanded).
 *
 * Setting the same key twice in one section: the later value is used and
 * a warning names both lines.  An unknown key, in a section or before
 * the first one, is kept out of the result with the warning
 * "FILE:LINE: unknown key 'KEY' (ignored)", followed by "; did you mean
 * NAME?" when a known key is a slip of the keyboard away; msmtp's,
 * mutt's and aerc's names for our settings get "FILE:LINE: 'KEY' is
 * msmtp's name: pigeon calls it NAME (ignored)" or what to write instead
 * (foreign_keys in confkeys.c).  A known account key before
 * the first section, or "default" inside one, is an error.  Every error
 * reads "FILE:LINE: what is wrong".
 *
 * The auth names are checked here against our own list rather than with
 * sasl_mech_from_name(): that keeps the config reader free of the SASL
 * code and its crypto.  The list must follow enum sasl_mech in sasl.h.
 */

#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "confkeys.h"
#include "i18n.h"
#include "tls.h"
#include "util.h"

#define CONF_LINE_MAX 4096

/* configure writes SYSCONFDIR into config.h; a build without it looks in /etc. */
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define CONF_SYSTEM_FILE SYSCONFDIR "/pigeon/config"
/* Reads the file in chunks so that a NUL byte is seen, not swallowed. */
struct reader {
	int fd;
	size_t pos;
	size_t len;
	char chunk[4096];
};

#define READ_EOF (-1)
#define READ_ERROR (-2)

struct parser {
	const char *path;
	unsigned long line;
	struct conf *conf;
	char **errstr;
	enum err err;
	long cur;			/* current account, -1 before any */
	unsigned long *acct_lines;	/* the line each account starts on */
	unsigned long *seen;		/* line each key was last set on */
	unsigned long default_line;
	size_t nsys;			/* accounts of the system file */
	size_t first_own;		/* the first account this file names */
	int secret;			/* this file set a password */
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
account_free(struct account *a)
{
	free(a->name);
	confkey_free_values(a);
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->naccounts; i++)
		account_free(&c->accounts[i]);
	free(c->accounts);
	for (i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c->default_account);
	free(c->path);
	free(c->system_path);
	free(c);
}

const struct account *
conf_account(const struct conf *c, const char *name)
{
	size_t i;

	if (c == NULL || c->naccounts == 0)
		return NULL;
	if (name == NULL)
		name = c->default_account;
	if (name == NULL)
		return &c->accounts[0];
	for (i = 0; i < c->naccounts; i++)
		if (strcmp(c->accounts[i].name, name) == 0)
			return &c->accounts[i];
	return NULL;
}

/* The addr-spec of a from value ("Jane <j@x>": "j@x"), malloc'd, or NULL. */
static char *
spec_of(const char *from)
{
	struct addr_list l = { NULL, 0 };
	char *spec = NULL;

	if (from != NULL && addr_list_parse(&l, from, strlen(from), NULL) ==
	    ERR_OK && l.n == 1)
		spec = strdup(l.v[0].spec);
	addr_list_free(&l);
	return spec;
}

/* Is sender the address a (any case), or a's local part plus "+detail"? */
static int
same_sender(const char *a, const char *sender)
{
	const char *at = strrchr(a, '@'), *sat = strrchr(sender, '@');
	const char *plus;

	if (strcasecmp(a, sender) == 0)
		return 1;
	if (at == NULL || sat == NULL || strcasecmp(at, sat) != 0)
		return 0;
	plus = memchr(sender, '+', (size_t)(sat - sender));
	return plus != NULL && plus - sender == at - a &&
	    strncasecmp(a, sender, (size_t)(at - a)) == 0;
}

/* An ASCII lower-case copy of s[0..n) into out (size n + 1). */
static void
lower(char *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') :
		    s[i];
	out[n] = '\0';
}

/*
 * Does an element of list (comma separated) match sender?  wild: the
 * patterns only (fnmatch on lower-case copies: FNM_CASEFOLD is not
 * POSIX), else the plain addresses only.
 */
static int
listed(const char *list, const char *sender, int wild)
{
	const char *p = list, *e, *s;
	char pat[512], who[512];
	size_t n;
	int is_wild;

	if (strlen(sender) >= sizeof(who))
		return 0;
	lower(who, sender, strlen(sender));

	while (p != NULL && *p != '\0') {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		for (s = p; n > 0 && (*s == ' ' || *s == '\t'); s++, n--)
			;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		p = e != NULL ? e + 1 : NULL;
		if (n == 0 || n >= sizeof(pat))
			continue;
		lower(pat, s, n);
		is_wild = strpbrk(pat, "*?[") != NULL;
		if (wild && is_wild && fnmatch(pat, who, 0) == 0)
			return 1;
		if (!wild && !is_wild && same_sender(pat, sender))
			return 1;
	}
	return 0;
}

int
conf_account_owns(const struct account *a, const char *addr)
{
	char *spec;
	int hit = 0;

	if (a == NULL || addr == NULL || *addr == '\0')
		return 0;
	if ((spec = spec_of(a->from)) != NULL) {
		hit = same_sender(spec, addr);
		free(spec);
	}
	if (!hit && a->from_addresses != NULL)
		hit = listed(a->from_addresses, addr, 0) ||
		    listed(a->from_addresses, addr, 1);
	return hit;
}

const struct account *
conf_account_for_sender(const struct conf *c, const char *sender)
{
	const struct account *a;
	char *spec;
	size_t i;
	int pass, hit;

	if (c == NULL || sender == NULL || *sender == '\0')
		return NULL;
	/* Addresses first, in the order of the file; then patterns. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < c->naccounts; i++) {
			a = &c->accounts[i];
			hit = 0;
			if (pass == 0 && (spec = spec_of(a->from)) != NULL) {
				hit = same_sender(spec, sender);
				free(spec);
			}
			if (!hit && a->from_addresses != NULL)
				hit = listed(a->from_addresses, sender,
				    pass == 1);
			if (hit)
				return a;
		}
	}
	return NULL;
}

/*
 * Format "FILE:LINE: " followed by fmt (already translated) into a
 * malloc'd string, or NULL when memory runs out.
 */
static char *
located(const struct parser *ps, const char *fmt, va_list ap)
{
	struct buf b;
	char *s;

	buf_init(&b, (size_t)-1 / 2);
	if (buf_printf(&b, "%s:%lu: ", ps->path, ps->line) < 0 ||
	    buf_vprintf(&b, fmt, ap) < 0) {
		buf_free(&b);
		return NULL;
	}
	s = strdup(buf_str(&b));
	buf_free(&b);
	return s;
}

/* Report a syntax error on the current line. */
static void __attribute__((format(printf, 2, 3)))
perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = located(ps, fmt, ap);
	va_end(ap);
	if (s == NULL) {
		ps->err = ERR_NOMEM;
		return;
	}
	ps->err = ERR_CONFIG;
	if (ps->errstr != NULL) {
		free(*ps->errstr);
		*ps->errstr = s;
	} else {
		free(s);
	}
}

static void
nomem(struct parser *ps)
{
	ps->err = ERR_NOMEM;
	util_seterr(ps->errstr, "%s", err_str(ERR_NOMEM));
}

/* Keep the warning s (malloc'd, may be NULL); 0, or -1 when out of memory. */
static int
add_warning(struct conf *c, char *s)
{
	char **w;

	if (s == NULL)
		return -1;
	w = realloc(c->warnings, (c->nwarnings + 1) * sizeof *w);
	if (w == NULL) {
		free(s);
		return -1;
	}
	c->warnings = w;
	c->warnings[c->nwarnings++] = s;
	return 0;
}

/* Add a warning about the current line; 0, or -1 when out of memory. */
static int __attribute__((format(printf, 2, 3)))
pwarn(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = located(ps, fmt, ap);
	va_end(ap);
	if (add_warning(ps->conf, s) < 0) {
		nomem(ps);
		return -1;
	}
	return 0;
}

static int
reader_getc(struct reader *r)
{
	ssize_t n;

	if (r->pos == r->len) {
		do
			n = read(r->fd, r->chunk, sizeof r->chunk);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return READ_ERROR;
		if (n == 0)
			return READ_EOF;
		r->pos = 0;
		r->len = (size_t)n;
	}
	return (unsigned char)r->chunk[r->pos++];
}

/*
 * Length of the well-formed UTF-8 sequence at s (n bytes left), or 0.
 * Overlong forms, UTF-16 surrogates and values past U+10FFFF are not
 * well-formed (RFC 3629).
 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned long cp, min;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Read the next line into line, without its LF or CR LF, and check its
 * bytes.  1: a line; 0: end of file; -1: error (reported).
 */
static int
read_line(struct parser *ps, struct reader *r, struct buf *line)
{
	const unsigned char *s;
	size_t i, n;
	int c;

	buf_reset(line);
	c = reader_getc(r);
	if (c == READ_EOF)
		return 0;
	ps->line++;
	for (; c != READ_EOF && c != '\n'; c = reader_getc(r)) {
		if (c == READ_ERROR) {
			perr(ps, _("cannot read the file: %s"), strerror(errno));
			if (ps->err == ERR_CONFIG)
				ps->err = ERR_IO;
			return -1;
		}
		if (c == '\0') {
			perr(ps, _("the line contains a NUL byte"));
			return -1;
		}
		/* One byte of room beyond the limit for a CR before the LF. */
		if (buf_addch(line, (char)c) < 0) {
			if (errno != E2BIG) {
				nomem(ps);
				return -1;
			}
			perr(ps, _("the line is longer than %d bytes"),
			    CONF_LINE_MAX);
			return -1;
		}
	}
	if (line->len > 0 && line->data[line->len - 1] == '\r')
		buf_truncate(line, line->len - 1);
	if (line->len > CONF_LINE_MAX) {
		perr(ps, _("the line is longer than %d bytes"), CONF_LINE_MAX);
		return -1;
	}
	if (ps->line == 1 && line->len >= 3 &&
	    memcmp(line->data, "\xef\xbb\xbf", 3) == 0)
		buf_consume(line, 3);

	s = (const unsigned char *)buf_str(line);
	for (i = 0; i < line->len; i += n) {
		n = utf8_len(s + i, line->len - i);
		if (n == 0) {
			perr(ps, _("invalid UTF-8 at byte %zu of the line"),
			    i + 1);
			return -1;
		}
		if (n == 1 && s[i] != '\t' && (s[i] < 0x20 || s[i] == 0x7f)) {
			perr(ps, _("control character 0x%02x in the line"),
			    s[i]);
			return -1;
		}
	}
	return 1;
}

/* Decode the value s[0..n): plain, or double-quoted with \" and \\. */
static int
parse_value(struct parser *ps, const char *s, size_t n, struct buf *v)
{
	size_t i;
	int r = 0;

	buf_reset(v);
	if (n == 0 || s[0] != '"')
		r = buf_add(v, s, n);
	else {
		for (i = 1; i < n && r == 0; i++) {
			if (s[i] == '"') {
				if (i + 1 != n) {
					perr(ps, _("only blanks may follow "
					    "the closing quote"));
					return -1;
				}
				return 0;
			}
			if (s[i] == '\\') {
				if (i + 1 == n ||
				    (s[i + 1] != '"' && s[i + 1] != '\\')) {
					perr(ps, _("inside quotes a backslash "
					    "must be followed by \" or \\"));
					return -1;
				}
				i++;
			}
			r = buf_addch(v, s[i]);
		}
		if (r == 0) {
			perr(ps, _("the closing quote is missing"));
			return -1;
		}
	}
	if (r < 0) {
		nomem(ps);
		return -1;
	}
	return 0;
}

static int
add_account(struct parser *ps, const char *name)
{
	struct conf *c = ps->conf;
	struct account *a;
	unsigned long *lines;
	size_t i;

	for (i = 0; i < c->naccounts; i++) {
		if (strcmp(c->accounts[i].name, name) != 0)
			continue;
		if (i >= ps->nsys || ps->acct_lines[i] != 0) {
			perr(ps, _("account '%s' is defined twice (first on "
			    "line %lu)"), name, ps->acct_lines[i]);
			return -1;
		}
		/* The system file's account: this file's keys go over it. */
		if (ps->first_own == (size_t)-1)
			ps->first_own = i;
		ps->acct_lines[i] = ps->line;
		ps->cur = (long)i;
		memset(ps->seen, 0, confkey_count() * sizeof *ps->seen);
		return 0;
	}
	a = realloc(c->accounts, (c->naccounts + 1) * sizeof *a);
	if (a == NULL) {
		nomem(ps);
		return -1;
	}
	c->accounts = a;
	lines = realloc(ps->acct_lines, (c->naccounts + 1) * sizeof *lines);
	if (lines == NULL) {
		nomem(ps);
		return -1;
	}
	ps->acct_lines = lines;
	a = &c->accounts[c->naccounts];
	memset(a, 0, sizeof *a);
	a->tls_verify = 1;
	a->chunking = 0;
	a->flush_after_send = 1;
	a->name = strdup(name);
	if (a->name == NULL) {
		nomem(ps);
		return -1;
	}
	ps->acct_lines[c->naccounts] = ps->line;
	if (ps->first_own == (size_t)-1)
		ps->first_own = c->naccounts;
	ps->cur = (long)c->naccounts++;
	memset(ps->seen, 0, confkey_count() * sizeof *ps->seen);
	return 0;
}

/* s[0..n) is a trimmed line starting with '['. */
static int
parse_section(struct parser *ps, char *s, size_t n)
{
	char *p, *e;

	if (s[n - 1] != ']' || n < 2) {
		perr(ps, _("a section line must end with ']'"));
		return -1;
	}
	p = s + 1;
	e = s + n - 1;
	while (p < e && is_blank(*p))
		p++;
	while (e > p && is_blank(e[-1]))
		e--;
	if (e - p < 7 || strncasecmp(p, "account", 7) != 0 ||
	    (e - p > 7 && !is_blank(p[7]))) {
		*e = '\0';
		perr(ps, _("unknown section '[%s]'; sections are written "
		    "[account NAME]"), p);
		return -1;
	}
	p += 7;
	while (p < e && is_blank(*p))
		p++;
	if (p == e) {
		perr(ps, _("the account name is missing: write [account "
		    "NAME]"));
		return -1;
	}
	*e = '\0';
	if (strchr(p, ']') != NULL) {
		perr(ps, _("an account name cannot contain ']'"));
		return -1;
	}
	return add_account(ps, p);
}

static int
key_name_ok(const char *k)
{
	for (; *k != '\0'; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		    (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
			return 0;
	return 1;
}

/*
 * Warn of an unknown key and name what was probably meant: another
 * program's name for a key of ours, or a known key a slip away.
 */
static int
unknown_key(struct parser *ps, const char *k)
{
	char *w = confkey_unknown(k, ps->cur < 0);
	int r;

	if (w == NULL) {
		nomem(ps);
		return -1;
	}
	r = pwarn(ps, "%s", w);
	free(w);
	return r;
}

static int
parse_setting(struct parser *ps, char *s, size_t n, struct buf *v,
    struct buf *tmp)
{
	const struct conf_key *k;
	char *eq, *ke, *vs, *why = NULL;
	size_t slot = 0;

	eq = memchr(s, '=', n);
	if (eq == NULL) {
		perr(ps, _("expected 'key = value', '[account NAME]' or a "
		    "comment"));
		return -1;
	}
	for (ke = eq; ke > s && is_blank(ke[-1]); ke--)
		;
	*ke = '\0';
	if (ke == s) {
		perr(ps, _("the key before '=' is missing"));
		return -1;
	}
	if (!key_name_ok(s)) {
		perr(ps, _("'%s' is not a key name: keys are letters, digits, "
		    "'_' and '-'"), s);
		return -1;
	}
	for (vs = eq + 1; vs < s + n && is_blank(*vs); vs++)
		;
	if (parse_value(ps, vs, (size_t)(s + n - vs), v) < 0)
		return -1;

	k = confkey_find(s, &slot);

	if (ps->cur < 0) {
		if (strcasecmp(s, "default") != 0) {
			if (k != NULL) {
				perr(ps, _("'%s' must be inside an [account "
				    "NAME] section"), s);
				return -1;
			}
			return unknown_key(ps, s);
		}
		if (ps->default_line != 0 && pwarn(ps, _("'default' is set "
		    "twice (also on line %lu); the later value is used"),
		    ps->default_line) < 0)
			return -1;
		ps->default_line = ps->line;
		free(ps->conf->default_account);
		ps->conf->default_account = NULL;
		if (v->len > 0 && (ps->conf->default_account =
		    strdup(buf_str(v))) == NULL) {
			nomem(ps);
			return -1;
		}
		return 0;
	}

	if (k == NULL) {
		if (strcasecmp(s, "default") == 0) {
			perr(ps, _("'default' must come before the first "
			    "[account NAME] section"));
			return -1;
		}
		return unknown_key(ps, s);
	}
	if (ps->seen[slot] != 0 && pwarn(ps, _("'%s' is set twice in "
	    "[account %s] (also on line %lu); the later value is used"),
	    confkey_name(k), ps->conf->accounts[ps->cur].name,
	    ps->seen[slot]) < 0)
		return -1;
	ps->seen[slot] = ps->line;
	if (v->len > 0 && confkey_secret(k, buf_str(v)))
		ps->secret = 1;
	if (confkey_set(&ps->conf->accounts[ps->cur], k, buf_str(v), tmp,
	    &why) < 0) {
		if (why == NULL) {
			nomem(ps);
			return -1;
		}
		perr(ps, "%s", why);
		free(why);
		return -1;
	}
	return 0;
}

static int
parse_line(struct parser *ps, struct buf *line, struct buf *v,
    struct buf *tmp)
{
	char *s, *e;

	if (line->len == 0)
		return 0;
	s = line->data;
	e = s + line->len;
	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	if (s == e || *s == '#' || *s == ';')
		return 0;
	*e = '\0';
	if (*s == '[')
		return parse_section(ps, s, (size_t)(e - s));
	return parse_setting(ps, s, (size_t)(e - s), v, tmp);
}

/* Parse the open file fd into ps->conf. */
static enum err
parse_file(struct parser *ps, int fd)
{
	struct reader *r;
	struct buf line, v, tmp;
	size_t i;
	int got;

	r = malloc(sizeof *r);
	if (r == NULL) {
		nomem(ps);
		return ps->err;
	}
	r->fd = fd;
	r->pos = 0;
	r->len = 0;
	buf_init(&line, CONF_LINE_MAX + 1);
	buf_init(&v, CONF_LINE_MAX);
	buf_init(&tmp, (size_t)-1 / 2);
	ps->err = ERR_OK;
	while ((got = read_line(ps, r, &line)) > 0)
		if (parse_line(ps, &line, &v, &tmp) < 0)
			break;
	if (got == 0 && ps->err == ERR_OK && ps->conf->default_account) {
		for (i = 0; i < ps->conf->naccounts; i++)
			if (strcmp(ps->conf->accounts[i].name,
			    ps->conf->default_account) == 0)
				break;
		if (i == ps->conf->naccounts) {
			ps->line = ps->default_line;
			perr(ps, _("default account '%s' is not defined"),
			    ps->conf->default_account);
		}
	}
	/* Every copy of the file's bytes may hold a password. */
	explicit_bzero(r, sizeof *r);
	free(r);
	buf_free_secret(&line);
	buf_free_secret(&v);
	buf_free_secret(&tmp);
	return ps->err;
}

static enum err
default_path(char **out)
{
	const char *xdg, *home;

	*out = NULL;
	xdg = getenv("XDG_CONFIG_HOME");
	if (xdg != NULL && xdg[0] == '/')
		*out = util_strf("%s/pigeon/config", xdg);
	else if ((home = util_home_dir()) != NULL)
		*out = util_strf("%s/.config/pigeon/config", home);
	else
		return ERR_OK;	/* nowhere to look: no config */
	return *out != NULL ? ERR_OK : ERR_NOMEM;
}

enum err
conf_default_path(char **out)
{
	return default_path(out);
}

const char *
conf_system_path(void)
{
#ifdef PIGEON_TEST_HOOKS
	/* Test builds only: the tests cannot write to SYSCONFDIR. */
	const char *t = getenv("PIGEON_TEST_SYSCONFIG");

	if (t != NULL)
		return *t != '\0' ? t : NULL;
#endif
	return CONF_SYSTEM_FILE;
}

/*
 * Parse the open file fd, shown as path, into c; system: it is the
 * system-wide file.  Then the checks of the file's mode.
 */
static enum err
load_fd(struct conf *c, int fd, const char *path, int system,
    char **errstr)
{
	struct parser ps;
	struct stat st;
	char *sys_default = NULL;
	enum err e;

	if (fstat(fd, &st) != 0) {
		util_seterr(errstr, _("cannot read config file '%s': %s"),
		    path, strerror(errno));
		return ERR_CONFIG;
	}
	if (S_ISDIR(st.st_mode)) {
		util_seterr(errstr, _("config file '%s' is a directory"), path);
		return ERR_CONFIG;
	}
	/*
	 * Its password_command runs as this user: a system file that
	 * someone other than root or this user could have written is not
	 * read at all.
	 */
	if (system && ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022) != 0)) {
		util_seterr(errstr, _("refusing system config file '%s': it "
		    "must belong to root and be writable by no one else; run: "
		    "chmod go-w %s"), path, path);
		return ERR_CONFIG;
	}

	memset(&ps, 0, sizeof ps);
	ps.path = path;
	ps.conf = c;
	ps.errstr = errstr;
	ps.cur = -1;
	ps.first_own = (size_t)-1;
	ps.nsys = c->naccounts;
	if ((ps.nsys > 0 &&
	    (ps.acct_lines = calloc(ps.nsys, sizeof *ps.acct_lines)) == NULL) ||
	    (ps.seen = calloc(confkey_count(), sizeof *ps.seen)) == NULL) {
		free(ps.acct_lines);
		return ERR_NOMEM;
	}
	sys_default = c->default_account;
	c->default_account = NULL;
	e = parse_file(&ps, fd);
	free(ps.acct_lines);
	free(ps.seen);
	if (e != ERR_OK) {
		free(sys_default);
		return e;
	}
	/*
	 * The account used when none is named: this file's default, else
	 * (when it names accounts) its first one, else the system file's
	 * choice.  Only a file read over the system file needs this.
	 */
	if (ps.default_line == 0 && ps.nsys > 0) {
		if (ps.first_own != (size_t)-1) {
			free(sys_default);
			sys_default = strdup(c->accounts[ps.first_own].name);
			if (sys_default == NULL)
				return ERR_NOMEM;
		}
		c->default_account = sys_default;
	} else {
		free(sys_default);
	}

	/*
	 * Like ssh and netrc readers, refuse rather than warn: a warning
	 * about a leaked password comes after the leak.
	 */
	if ((st.st_mode & 077) != 0 && ps.secret) {
		util_seterr(errstr, _("config file '%s' holds a password and "
		    "can be read by others; run: chmod 600 %s"), path, path);
		return ERR_CONFIG;
	}
	return ERR_OK;
}

/*
 * Open and read path into c.  A missing file is fine when may_miss, and
 * a system file that cannot be read is a warning.
 */
static enum err
load_path(struct conf *c, const char *path, int system, int may_miss,
    char **errstr)
{
	enum err e;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && may_miss && (errno == ENOENT || errno == ENOTDIR))
		return ERR_NOINPUT;
	if (fd < 0 && system && errno == EACCES)
		return add_warning(c, util_strf(_("cannot read the system "
		    "config file '%s': %s (ignored)"), path,
		    strerror(EACCES))) < 0 ? ERR_NOMEM : ERR_NOINPUT;
	if (fd < 0) {
		util_seterr(errstr, _("cannot open config file '%s': %s"),
		    path, strerror(errno));
		return ERR_CONFIG;
	}
	e = load_fd(c, fd, path, system, errstr);
	(void)close(fd);
	return e;
}

/*
 * The TLS settings of each account, together: tls_min_version = 1.0
 * needs tls_allow_legacy, wherever in the section (or in which file)
 * either is.
 */
static enum err
check_tls(const struct conf *c, char **errstr)
{
	const struct account *a;
	struct tls_opts o;
	char *why = NULL;
	size_t i;

	for (i = 0; i < c->naccounts; i++) {
		a = &c->accounts[i];
		memset(&o, 0, sizeof o);
		o.min_version = a->tls_min_version;
		o.max_version = a->tls_max_version;
		o.allow_legacy = a->tls_allow_legacy;
		if (tls_opts_check(&o, &why) == ERR_OK)
			continue;
		util_seterr(errstr, _("%s: account '%s': %s"),
		    c->path != NULL ? c->path : c->system_path, a->name,
		    why != NULL ? why : err_str(ERR_CONFIG));
		free(why);
		return ERR_CONFIG;
	}
	return ERR_OK;
}

enum err
conf_load_files(struct conf **out, const char *system, const char *path,
    char **errstr)
{
	struct conf *c;
	enum err e;
	int explicit = path != NULL;

	*out = NULL;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return ERR_NOMEM;
	if (system != NULL) {
		e = load_path(c, system, 1, 1, errstr);
		if (e == ERR_OK && (c->system_path = strdup(system)) == NULL)
			e = ERR_NOMEM;
		if (e != ERR_OK && e != ERR_NOINPUT) {
			conf_free(c);
			return e;
		}
	}
	if (explicit)
		c->path = strdup(path);
	else if ((e = default_path(&c->path)) != ERR_OK || c->path == NULL) {
		if (e == ERR_OK)
			e = check_tls(c, errstr);
		if (e == ERR_OK)
			*out = c;
		else
			conf_free(c);
		return e;
	}
	if (c->path == NULL) {
		conf_free(c);
		return ERR_NOMEM;
	}
	e = load_path(c, c->path, 0, !explicit, errstr);
	if (e == ERR_NOINPUT) {
		free(c->path);
		c->path = NULL;
		e = ERR_OK;
	}
	if (e == ERR_OK)
		e = check_tls(c, errstr);
	if (e != ERR_OK) {
		conf_free(c);
		return e;
	}
	*out = c;
	return ERR_OK;
}

enum err
conf_load(struct conf **out, const char *path, char **errstr)
{
	return conf_load_files(out, conf_system_path(), path, errstr);
}
