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
 *   helo                 the name sent with EHLO: a domain or an address
 *                        literal, at most 255 characters
 *   source_address       local address to connect from
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
 *   send_charset         colon-separated charsets to try for a text
 *                        that is not ASCII; the first that holds it wins,
 *                        utf-8 when none does (default: utf-8 at once)
 * Yes/no values are yes, no, true, false, on, off, 1 or 0 in any case;
 * anything else is an error.  For tls_cafile, tls_cert, tls_key,
 * signature and aliases a leading "~/" stands for the home directory
 * ("~user/" is not expanded).
 *
 * Setting the same key twice in one section: the later value is used and
 * a warning names both lines.  An unknown key, in a section or before
 * the first one, is kept out of the result with the warning
 * "FILE:LINE: unknown key 'KEY' (ignored)".  A known account key before
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
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "smtp.h"
#include "tls.h"
#include "url.h"
#include "util.h"

#define CONF_LINE_MAX 4096
#define CONF_TIMEOUT_MAX 86400

static const char *const conf_auth_names[] = {
	"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "XOAUTH2",
	"OAUTHBEARER",
};

enum key_kind {
	KEY_TEXT,	/* any text */
	KEY_SECRET,	/* text that is wiped before it is freed */
	KEY_WORD,	/* text without blanks */
	KEY_SERVER,	/* a URL that url_parse() accepts */
	KEY_FILE,	/* a file name; "~/" is expanded */
	KEY_BOOL,
	KEY_TIMEOUT,
	KEY_AUTH,
	KEY_DSN_NOTIFY,
	KEY_DSN_RETURN,
	KEY_FINGERPRINT,	/* a SHA-256 certificate fingerprint */
	KEY_DAYS,	/* a whole number of days, 1 to 365 */
	KEY_HELO,	/* a name for EHLO */
};

static const struct conf_key {
	const char *name;
	enum key_kind kind;
	size_t off;	/* of the char * or int field in struct account */
} conf_keys[] = {
	{ "from",                 KEY_TEXT,   offsetof(struct account, from) },
	{ "server",               KEY_SERVER, offsetof(struct account, server) },
	{ "user",                 KEY_TEXT,   offsetof(struct account, user) },
	{ "password",             KEY_SECRET,
	    offsetof(struct account, password) },
	{ "password_command",     KEY_TEXT,
	    offsetof(struct account, password_command) },
	{ "auth",                 KEY_AUTH,   offsetof(struct account, auth) },
	{ "auth_allow_plaintext", KEY_BOOL,
	    offsetof(struct account, auth_allow_plaintext) },
	{ "tls_verify",           KEY_BOOL,
	    offsetof(struct account, tls_verify) },
	{ "tls_cafile",           KEY_FILE,
	    offsetof(struct account, tls_cafile) },
	{ "tls_fingerprint",      KEY_FINGERPRINT,
	    offsetof(struct account, tls_fingerprint) },
	{ "tls_cert",             KEY_FILE,
	    offsetof(struct account, tls_cert) },
	{ "tls_key",              KEY_FILE,   offsetof(struct account, tls_key) },
	{ "helo",                 KEY_HELO,   offsetof(struct account, helo) },
	{ "source_address",       KEY_TEXT,
	    offsetof(struct account, source_address) },
	{ "timeout",              KEY_TIMEOUT,
	    offsetof(struct account, timeout) },
	{ "connect_timeout",       KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_CONNECT]) },
	{ "greeting_timeout",      KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_GREETING]) },
	{ "ehlo_timeout",          KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_EHLO]) },
	{ "tls_timeout",           KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_TLS]) },
	{ "auth_timeout",          KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_AUTH]) },
	{ "mail_timeout",          KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_MAIL]) },
	{ "rcpt_timeout",          KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_RCPT]) },
	{ "data_timeout",          KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_DATA]) },
	{ "data_block_timeout",    KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_DATA_BLOCK]) },
	{ "data_done_timeout",     KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_DATA_DONE]) },
	{ "quit_timeout",          KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_QUIT]) },
	{ "session_timeout",       KEY_TIMEOUT,
	    offsetof(struct account, timeouts[SMTP_T_SESSION]) },
	{ "chunking",             KEY_BOOL,
	    offsetof(struct account, chunking) },
	{ "dsn_notify",           KEY_DSN_NOTIFY,
	    offsetof(struct account, dsn_notify) },
	{ "dsn_return",           KEY_DSN_RETURN,
	    offsetof(struct account, dsn_return) },
	{ "signature",            KEY_FILE,
	    offsetof(struct account, signature) },
	{ "aliases",              KEY_FILE,
	    offsetof(struct account, aliases) },
	{ "query_command",        KEY_TEXT,
	    offsetof(struct account, query_command) },
	{ "send_charset",         KEY_WORD,
	    offsetof(struct account, send_charset) },
	{ "queue_lifetime",       KEY_DAYS,
	    offsetof(struct account, queue_lifetime) },
	{ "flush_after_send",     KEY_BOOL,
	    offsetof(struct account, flush_after_send) },
};

#define CONF_NKEYS (sizeof conf_keys / sizeof conf_keys[0])

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
	unsigned long seen[CONF_NKEYS];	/* line each key was last set on */
	unsigned long default_line;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Take a string we own: wipe it first when it may be a secret. */
static void
free_str(char *s, int secret)
{
	if (s != NULL && secret)
		explicit_bzero(s, strlen(s));
	free(s);
}

static void
account_free(struct account *a)
{
	free(a->name);
	free(a->from);
	free(a->server);
	free(a->user);
	free_str(a->password, 1);
	free(a->password_command);
	free(a->auth);
	free(a->tls_cafile);
	free(a->tls_fingerprint);
	free(a->tls_cert);
	free(a->tls_key);
	free(a->helo);
	free(a->source_address);
	free(a->dsn_notify);
	free(a->dsn_return);
	free(a->signature);
	free(a->aliases);
	free(a->query_command);
	free(a->send_charset);
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

/* Add a warning about the current line; 0, or -1 when out of memory. */
static int __attribute__((format(printf, 2, 3)))
pwarn(struct parser *ps, const char *fmt, ...)
{
	struct conf *c = ps->conf;
	va_list ap;
	char **w;
	char *s;

	va_start(ap, fmt);
	s = located(ps, fmt, ap);
	va_end(ap);
	if (s == NULL) {
		nomem(ps);
		return -1;
	}
	w = realloc(c->warnings, (c->nwarnings + 1) * sizeof *w);
	if (w == NULL) {
		free(s);
		nomem(ps);
		return -1;
	}
	c->warnings = w;
	c->warnings[c->nwarnings++] = s;
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

static const char *
home_dir(void)
{
	const char *h;
	struct passwd *pw;

	h = getenv("HOME");
	if (h != NULL && *h != '\0')
		return h;
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && *pw->pw_dir != '\0')
		return pw->pw_dir;
	return NULL;
}

/* 1 or 0 for a yes/no word, -1 for anything else. */
static int
parse_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* Turn "failure , delay" into "FAILURE,DELAY" in out. */
static int
parse_dsn_notify(struct parser *ps, const char *v, struct buf *out)
{
	char *n = smtp_dsn_notify(v);

	buf_reset(out);
	if (n == NULL) {
		perr(ps, _("dsn_notify must be NEVER or a comma list of "
		    "SUCCESS, FAILURE and DELAY, each at most once, not '%s'"),
		    v);
		return -1;
	}
	if (buf_addstr(out, n) < 0) {
		free(n);
		nomem(ps);
		return -1;
	}
	free(n);
	return 0;
}

/* Store v, converted as key k wants it, in account a. */
static int
set_key(struct parser *ps, struct account *a, const struct conf_key *k,
    const char *v, struct buf *tmp)
{
	char **sp = (char **)(void *)((char *)a + k->off);
	int *ip = (int *)(void *)((char *)a + k->off);
	const char *store = v;
	struct url u;
	char *uerr = NULL, *end, *copy;
	const char *home;
	long l;
	size_t i;
	int b;

	if (*v == '\0' && (k->kind == KEY_BOOL || k->kind == KEY_TIMEOUT)) {
		perr(ps, _("'%s' needs a value"), k->name);
		return -1;
	}
	switch (k->kind) {
	case KEY_BOOL:
		b = parse_bool(v);
		if (b < 0) {
			perr(ps, _("'%s' must be yes or no, not '%s'"),
			    k->name, v);
			return -1;
		}
		*ip = b;
		return 0;
	case KEY_TIMEOUT:
		/* strtol alone would take blanks, a sign and "30s". */
		if (*v < '0' || *v > '9') {
			perr(ps, _("%s must be a whole number of "
			    "seconds, not '%s'"), k->name, v);
			return -1;
		}
		errno = 0;
		l = strtol(v, &end, 10);
		if (*end != '\0') {
			perr(ps, _("%s must be a whole number of "
			    "seconds, not '%s'"), k->name, v);
			return -1;
		}
		if (errno == ERANGE || l < 1 || l > CONF_TIMEOUT_MAX) {
			perr(ps, _("%s must be from 1 to %d seconds"),
			    k->name, CONF_TIMEOUT_MAX);
			return -1;
		}
		*ip = (int)l;
		return 0;
	case KEY_DAYS:
		errno = 0;
		l = *v >= '0' && *v <= '9' ? strtol(v, &end, 10) : -1;
		if (l < 1 || l > 365 || errno == ERANGE || *end != '\0') {
			perr(ps, _("%s must be a whole number of days from 1 "
			    "to 365, not '%s'"), k->name, v);
			return -1;
		}
		*ip = (int)l;
		return 0;
	case KEY_TEXT:
	case KEY_SECRET:
		break;
	case KEY_FINGERPRINT:
		if (*v != '\0' && !tls_fingerprint_ok(v)) {
			perr(ps, _("tls_fingerprint must be a SHA-256 "
			    "fingerprint, 64 hex digits (colons allowed), not "
			    "'%s'"), v);
			return -1;
		}
		break;
	case KEY_HELO:
		if (*v != '\0' && !smtp_helo_ok(v)) {
			perr(ps, _("helo must be a domain or an address "
			    "literal of at most 255 characters, without "
			    "spaces"));
			return -1;
		}
		break;
	case KEY_WORD:
		if (strpbrk(v, " \t") != NULL) {
			perr(ps, _("'%s' must be a single word"), k->name);
			return -1;
		}
		break;
	case KEY_SERVER:
		if (*v == '\0')
			break;
		if (url_parse(&u, v, &uerr) != ERR_OK) {
			if (uerr == NULL) {
				nomem(ps);
				return -1;
			}
			perr(ps, "%s", uerr);
			free(uerr);
			return -1;
		}
		url_free(&u);
		break;
	case KEY_FILE:
		if (strncmp(v, "~/", 2) != 0)
			break;
		home = home_dir();
		if (home == NULL) {
			perr(ps, _("cannot expand '~/' in '%s': HOME is not "
			    "set"), k->name);
			return -1;
		}
		buf_reset(tmp);
		if (buf_printf(tmp, "%s/%s", home, v + 2) < 0) {
			nomem(ps);
			return -1;
		}
		store = buf_str(tmp);
		break;
	case KEY_AUTH:
		if (*v == '\0')
			break;
		for (i = 0; i < sizeof conf_auth_names /
		    sizeof conf_auth_names[0]; i++)
			if (strcasecmp(v, conf_auth_names[i]) == 0)
				break;
		if (i == sizeof conf_auth_names / sizeof conf_auth_names[0]) {
			perr(ps, _("unknown auth mechanism '%s'; use PLAIN, "
			    "LOGIN, CRAM-MD5, SCRAM-SHA-256, XOAUTH2 or "
			    "OAUTHBEARER"), v);
			return -1;
		}
		store = conf_auth_names[i];
		break;
	case KEY_DSN_NOTIFY:
		if (*v == '\0')
			break;
		if (parse_dsn_notify(ps, v, tmp) < 0)
			return -1;
		store = buf_str(tmp);
		break;
	case KEY_DSN_RETURN:
		if (*v == '\0')
			break;
		if (strcasecmp(v, "FULL") == 0)
			store = "FULL";
		else if (strcasecmp(v, "HDRS") == 0)
			store = "HDRS";
		else {
			perr(ps, _("dsn_return must be FULL or HDRS, not '%s'"),
			    v);
			return -1;
		}
		break;
	}

	copy = NULL;
	if (*store != '\0' && (copy = strdup(store)) == NULL) {
		nomem(ps);
		return -1;
	}
	free_str(*sp, k->kind == KEY_SECRET);
	*sp = copy;
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
		if (strcmp(c->accounts[i].name, name) == 0) {
			perr(ps, _("account '%s' is defined twice (first on "
			    "line %lu)"), name, ps->acct_lines[i]);
			return -1;
		}
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
	ps->cur = (long)c->naccounts++;
	memset(ps->seen, 0, sizeof ps->seen);
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

static int
parse_setting(struct parser *ps, char *s, size_t n, struct buf *v,
    struct buf *tmp)
{
	const struct conf_key *k = NULL;
	char *eq, *ke, *vs;
	size_t i, slot;

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

	for (i = 0; i < CONF_NKEYS; i++)
		if (strcasecmp(s, conf_keys[i].name) == 0)
			k = &conf_keys[i];

	if (ps->cur < 0) {
		if (strcasecmp(s, "default") != 0) {
			if (k != NULL) {
				perr(ps, _("'%s' must be inside an [account "
				    "NAME] section"), s);
				return -1;
			}
			return pwarn(ps, _("unknown key '%s' (ignored)"), s);
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
		return pwarn(ps, _("unknown key '%s' (ignored)"), s);
	}
	slot = (size_t)(k - conf_keys);
	if (ps->seen[slot] != 0 && pwarn(ps, _("'%s' is set twice in "
	    "[account %s] (also on line %lu); the later value is used"),
	    k->name, ps->conf->accounts[ps->cur].name, ps->seen[slot]) < 0)
		return -1;
	ps->seen[slot] = ps->line;
	return set_key(ps, &ps->conf->accounts[ps->cur], k, buf_str(v), tmp);
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
	else if ((home = home_dir()) != NULL)
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

enum err
conf_load(struct conf **out, const char *path, char **errstr)
{
	struct parser ps;
	struct conf *c;
	struct stat st;
	enum err e;
	size_t i;
	int fd, explicit = path != NULL;

	*out = NULL;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return ERR_NOMEM;
	if (explicit)
		c->path = strdup(path);
	else if ((e = default_path(&c->path)) != ERR_OK || c->path == NULL) {
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

	fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (!explicit && (errno == ENOENT || errno == ENOTDIR)) {
			free(c->path);
			c->path = NULL;
			*out = c;
			return ERR_OK;
		}
		util_seterr(errstr, _("cannot open config file '%s': %s"),
		    c->path, strerror(errno));
		conf_free(c);
		return ERR_CONFIG;
	}
	if (fstat(fd, &st) != 0) {
		util_seterr(errstr, _("cannot read config file '%s': %s"),
		    c->path, strerror(errno));
		(void)close(fd);
		conf_free(c);
		return ERR_CONFIG;
	}
	if (S_ISDIR(st.st_mode)) {
		util_seterr(errstr, _("config file '%s' is a directory"),
		    c->path);
		(void)close(fd);
		conf_free(c);
		return ERR_CONFIG;
	}

	memset(&ps, 0, sizeof ps);
	ps.path = c->path;
	ps.conf = c;
	ps.errstr = errstr;
	ps.cur = -1;
	e = parse_file(&ps, fd);
	free(ps.acct_lines);
	(void)close(fd);
	if (e != ERR_OK) {
		conf_free(c);
		return e;
	}

	/*
	 * Like ssh and netrc readers, refuse rather than warn: a warning
	 * about a leaked password comes after the leak.
	 */
	if ((st.st_mode & 077) != 0) {
		for (i = 0; i < c->naccounts; i++)
			if (c->accounts[i].password != NULL)
				break;
		if (i < c->naccounts) {
			util_seterr(errstr, _("config file '%s' holds a "
			    "password and can be read by others; run: chmod "
			    "600 %s"), c->path, c->path);
			conf_free(c);
			return ERR_CONFIG;
		}
	}
	*out = c;
	return ERR_OK;
}
