/* confkeys.c - the settings of an account: each key's name and kind, the check and storing of a value, and what to say of a key pigeon does not know. */
/* SPDX-License-Identifier: ISC */
#include "confkeys.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "candidates.h"
#include "dns.h"
#include "i18n.h"
#include "smtp.h"
#include "socks5.h"
#include "tls.h"
#include "url.h"
#include "util.h"

#define CONF_TIMEOUT_MAX 86400
/* The longest undo window of a send from the UI (send_delay). */
#define CONF_SEND_DELAY_MAX 300

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
	KEY_DELAY,	/* a whole number of seconds, 0 to CONF_SEND_DELAY_MAX */
	KEY_HELO,	/* a name for EHLO */
	KEY_TLS_VERSION,	/* 1.0, 1.1, 1.2 or 1.3 (an int, enum tls_version) */
	KEY_CIPHERS,	/* a TLS 1.2 cipher list OpenSSL takes */
	KEY_CIPHERSUITES,	/* TLS 1.3 ciphersuites OpenSSL takes */
	KEY_DNS_SERVER,	/* an IPv4 name server, ADDR[:PORT] (dns.h) */
	KEY_TLS_TRUST,	/* ca or tofu (an int, enum conf_tls_trust) */
	KEY_REPLY_STYLE,	/* bottom or top (an int, enum conf_reply_style) */
	KEY_SIG_POSITION,	/* end or text (an int, enum conf_sig_position) */
	KEY_PROXY,	/* socks5://[user[:password]@]host[:port]; a secret when it has a password */
	KEY_SERVERS,	/* server URLs separated by commas or blanks */
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
	{ "tls_min_version",      KEY_TLS_VERSION,
	    offsetof(struct account, tls_min_version) },
	{ "tls_max_version",      KEY_TLS_VERSION,
	    offsetof(struct account, tls_max_version) },
	{ "tls_ciphers",          KEY_CIPHERS,
	    offsetof(struct account, tls_ciphers) },
	{ "tls_ciphersuites",     KEY_CIPHERSUITES,
	    offsetof(struct account, tls_ciphersuites) },
	{ "tls_allow_legacy",     KEY_BOOL,
	    offsetof(struct account, tls_allow_legacy) },
	{ "tls_trust",            KEY_TLS_TRUST,
	    offsetof(struct account, tls_trust) },
	{ "helo",                 KEY_HELO,   offsetof(struct account, helo) },
	{ "source_address",       KEY_TEXT,
	    offsetof(struct account, source_address) },
	{ "dns_server",           KEY_DNS_SERVER,
	    offsetof(struct account, dns_server) },
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
	{ "text_flowed",          KEY_BOOL,
	    offsetof(struct account, text_flowed) },
	{ "html_command",         KEY_TEXT,
	    offsetof(struct account, html_command) },
	{ "queue_lifetime",       KEY_DAYS,
	    offsetof(struct account, queue_lifetime) },
	{ "flush_after_send",     KEY_BOOL,
	    offsetof(struct account, flush_after_send) },
	/* The undo window of a send from the UI (ui/tui/sending.c). */
	{ "send_delay",           KEY_DELAY,
	    offsetof(struct account, send_delay) },
	/* A copy of each sent message (outbox.h: outbox_copy_sent()). */
	{ "sent",                 KEY_FILE,   offsetof(struct account, sent) },
	/* Where its drafts are (outbox.h: outbox_drafts_open()). */
	{ "drafts",               KEY_FILE,   offsetof(struct account, drafts) },
	{ "from_addresses",       KEY_TEXT,
	    offsetof(struct account, from_addresses) },
	{ "sendmail_aliases",     KEY_FILE,
	    offsetof(struct account, sendmail_aliases) },
	{ "qualify_domain",       KEY_WORD,
	    offsetof(struct account, qualify_domain) },
	/* Replies and forwards (reply.h). */
	{ "reply_style",          KEY_REPLY_STYLE,
	    offsetof(struct account, reply_style) },
	{ "signature_position",   KEY_SIG_POSITION,
	    offsetof(struct account, signature_position) },
	{ "template",             KEY_FILE,
	    offsetof(struct account, template_file) },
	/* A SOCKS5 proxy for the connections (socks5.h). */
	{ "proxy",                KEY_PROXY,  offsetof(struct account, proxy) },
	{ "proxy_password_command", KEY_TEXT,
	    offsetof(struct account, proxy_password_command) },
	/* Servers to try when the server cannot be reached (route.h). */
	{ "fallback_server",      KEY_SERVERS,
	    offsetof(struct account, fallback_server) },
	/* Signed and encrypted mail (pgpmime.h): PGP/MIME, S/MIME, Autocrypt. */
	{ "pgp_sign",             KEY_BOOL,
	    offsetof(struct account, pgp_sign) },
	{ "pgp_encrypt",          KEY_BOOL,
	    offsetof(struct account, pgp_encrypt) },
	{ "pgp_key",              KEY_WORD,
	    offsetof(struct account, pgp_key) },
	{ "smime_sign",           KEY_BOOL,
	    offsetof(struct account, smime_sign) },
	{ "smime_encrypt",        KEY_BOOL,
	    offsetof(struct account, smime_encrypt) },
	{ "smime_cert",           KEY_FILE,
	    offsetof(struct account, smime_cert) },
	{ "smime_key",            KEY_FILE,
	    offsetof(struct account, smime_key) },
	{ "smime_key_password_command", KEY_TEXT,
	    offsetof(struct account, smime_key_password_command) },
	{ "smime_certs",          KEY_FILE,
	    offsetof(struct account, smime_certs) },
	{ "autocrypt",            KEY_BOOL,
	    offsetof(struct account, autocrypt) },
	{ "autocrypt_prefer_encrypt", KEY_BOOL,
	    offsetof(struct account, autocrypt_prefer_encrypt) },
	/* OAuth2 that renews its access token (oauth2.h). */
	{ "oauth2_token_endpoint", KEY_WORD,
	    offsetof(struct account, oauth2_token_endpoint) },
	{ "oauth2_device_endpoint", KEY_WORD,
	    offsetof(struct account, oauth2_device_endpoint) },
	{ "oauth2_client_id",     KEY_TEXT,
	    offsetof(struct account, oauth2_client_id) },
	{ "oauth2_client_secret", KEY_SECRET,
	    offsetof(struct account, oauth2_client_secret) },
	{ "oauth2_client_secret_command", KEY_TEXT,
	    offsetof(struct account, oauth2_client_secret_command) },
	{ "oauth2_scope",         KEY_TEXT,
	    offsetof(struct account, oauth2_scope) },
};

#define CONF_NKEYS (sizeof conf_keys / sizeof conf_keys[0])

/*
 * Other programs' names for settings pigeon has, so that a line copied
 * from ~/.msmtprc, ~/.muttrc or aerc's accounts.conf is told what to
 * become instead of only "unknown".  ours: the key to write instead; or
 * how: what to do (translated where it is shown) when there is no one
 * key for it.  Names pigeon shares with them (from, user, auth, timeout,
 * tls_fingerprint, dsn_notify, signature, query_command...) are keys of
 * conf_keys and never looked up here.
 */
static const struct foreign_key {
	const char *name;
	const char *program;
	const char *ours;
	const char *how;
} foreign_keys[] = {
	{ "host",                     "msmtp", NULL,
	    N_("pigeon takes the server as one URL: server = smtp://HOST:PORT") },
	{ "port",                     "msmtp", NULL,
	    N_("the port is part of the server URL: server = smtp://host:PORT") },
	{ "tls",                      "msmtp", NULL,
	    N_("TLS comes from the server URL: smtps:// (TLS), smtp:// "
	    "(STARTTLS) or smtp+plain:// (none)") },
	{ "tls_starttls",             "msmtp", NULL,
	    N_("TLS comes from the server URL: smtps:// (TLS), smtp:// "
	    "(STARTTLS) or smtp+plain:// (none)") },
	{ "tls_trust_file",           "msmtp", "tls_cafile", NULL },
	{ "tls_cert_file",            "msmtp", "tls_cert", NULL },
	{ "tls_key_file",             "msmtp", "tls_key", NULL },
	{ "tls_certcheck",            "msmtp", "tls_verify", NULL },
	{ "passwordeval",             "msmtp", "password_command", NULL },
	{ "domain",                   "msmtp", "helo", NULL },
	{ "logfile",                  "msmtp", NULL,
	    N_("pigeon logs every delivery by itself (pigeon queue log ID)") },
	{ "syslog",                   "msmtp", NULL,
	    N_("pigeon logs every delivery by itself (pigeon queue log ID)") },
	{ "account",                  "msmtp", NULL,
	    N_("accounts are sections: [account NAME]") },
	{ "proxy_host",               "msmtp", NULL,
	    N_("the proxy is one URL: proxy = socks5://HOST:PORT") },
	{ "proxy_port",               "msmtp", NULL,
	    N_("the proxy is one URL: proxy = socks5://HOST:PORT") },
	{ "smtp_url",                 "mutt",  "server", NULL },
	{ "smtp_user",                "mutt",  "user", NULL },
	{ "smtp_pass",                "mutt",  "password", NULL },
	{ "smtp_authenticators",      "mutt",  "auth", NULL },
	{ "ssl_ca_certificates_file", "mutt",  "tls_cafile", NULL },
	{ "ssl_force_tls",            "mutt",  NULL,
	    N_("TLS comes from the server URL: smtps:// (TLS), smtp:// "
	    "(STARTTLS) or smtp+plain:// (none)") },
	{ "ssl_starttls",             "mutt",  NULL,
	    N_("TLS comes from the server URL: smtps:// (TLS), smtp:// "
	    "(STARTTLS) or smtp+plain:// (none)") },
	{ "hostname",                 "mutt",  "helo", NULL },
	{ "alias_file",               "mutt",  "aliases", NULL },
	{ "record",                   "mutt",  "sent", NULL },
	{ "postponed",                "mutt",  "drafts", NULL },
	{ "realname",                 "mutt",  NULL,
	    N_("the name is part of from: from = Name <address>") },
	{ "outgoing",                 "aerc",  "server", NULL },
	{ "copy-to",                  "aerc",  "sent", NULL },
	{ "postpone",                 "aerc",  "drafts", NULL },
};

size_t
confkey_count(void)
{
	return CONF_NKEYS;
}

const struct conf_key *
confkey_find(const char *name, size_t *slot)
{
	size_t i;

	for (i = 0; i < CONF_NKEYS; i++)
		if (strcasecmp(name, conf_keys[i].name) == 0) {
			if (slot != NULL)
				*slot = i;
			return &conf_keys[i];
		}
	return NULL;
}

const char *
confkey_name(const struct conf_key *k)
{
	return k->name;
}

int
confkey_secret(const struct conf_key *k, const char *v)
{
	struct socks5_url u;
	int r;

	if (k->kind != KEY_PROXY)
		return k->kind == KEY_SECRET;
	if (socks5_url_parse(&u, v, NULL) != ERR_OK)
		return 0;
	r = u.password != NULL;
	socks5_url_free(&u);
	return r;
}

/*
 * Does key k hold a string (char *) in struct account?  Every kind is
 * named, no default: a new kind left out is a compiler warning, never
 * an int freed as a pointer.
 */
static int
holds_string(const struct conf_key *k)
{
	switch (k->kind) {
	case KEY_BOOL:
	case KEY_TIMEOUT:
	case KEY_DAYS:
	case KEY_DELAY:
	case KEY_TLS_VERSION:
	case KEY_TLS_TRUST:
	case KEY_REPLY_STYLE:
	case KEY_SIG_POSITION:
		return 0;
	case KEY_TEXT:
	case KEY_SECRET:
	case KEY_WORD:
	case KEY_SERVER:
	case KEY_FILE:
	case KEY_AUTH:
	case KEY_DSN_NOTIFY:
	case KEY_DSN_RETURN:
	case KEY_FINGERPRINT:
	case KEY_HELO:
	case KEY_CIPHERS:
	case KEY_CIPHERSUITES:
	case KEY_DNS_SERVER:
	case KEY_PROXY:
	case KEY_SERVERS:
		return 1;
	}
	return 0;
}

/* Take a string we own: wipe it first when it may be a secret. */
static void
free_str(char *s, int secret)
{
	if (s != NULL && secret)
		explicit_bzero(s, strlen(s));
	free(s);
}

void
confkey_free_values(struct account *a)
{
	size_t i;
	char **sp;

	for (i = 0; i < CONF_NKEYS; i++)
		if (holds_string(&conf_keys[i])) {
			sp = (char **)(void *)((char *)a + conf_keys[i].off);
			free_str(*sp, conf_keys[i].kind == KEY_SECRET ||
			    conf_keys[i].kind == KEY_PROXY);
			*sp = NULL;
		}
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
parse_dsn_notify(const char *v, struct buf *out, char **why)
{
	char *n = smtp_dsn_notify(v);

	buf_reset(out);
	if (n == NULL) {
		util_seterr(why, _("dsn_notify must be NEVER or a comma list of "
		    "SUCCESS, FAILURE and DELAY, each at most once, not '%s'"),
		    v);
		return -1;
	}
	if (buf_addstr(out, n) < 0) {
		free(n);
		return -1;
	}
	free(n);
	return 0;
}

/* A list of server URLs (fallback_server): 0, or -1 with *why naming the wrong one. */
static int
servers_check(const char *v, char **why)
{
	struct candidates c;
	enum err e;

	memset(&c, 0, sizeof(c));
	e = candidates_servers(&c, v, why);
	candidates_free(&c);
	return e == ERR_OK ? 0 : -1;
}

int
confkey_set(struct account *a, const struct conf_key *k, const char *v,
    struct buf *tmp, char **why)
{
	char **sp = (char **)(void *)((char *)a + k->off);
	int *ip = (int *)(void *)((char *)a + k->off);
	const char *store = v;
	struct url u;
	struct socks5_url pu;
	char *uerr = NULL, *end, *copy;
	const char *home;
	long l;
	size_t i;
	int b;

	if (*v == '\0' && (k->kind == KEY_BOOL || k->kind == KEY_TIMEOUT ||
	    k->kind == KEY_DELAY ||
	    k->kind == KEY_TLS_VERSION || k->kind == KEY_TLS_TRUST ||
	    k->kind == KEY_REPLY_STYLE || k->kind == KEY_SIG_POSITION)) {
		util_seterr(why, _("'%s' needs a value"), k->name);
		return -1;
	}
	switch (k->kind) {
	case KEY_BOOL:
		b = parse_bool(v);
		if (b < 0) {
			util_seterr(why, _("'%s' must be yes or no, not '%s'"),
			    k->name, v);
			return -1;
		}
		*ip = b;
		return 0;
	case KEY_TIMEOUT:
		/* strtol alone would take blanks, a sign and "30s". */
		if (*v < '0' || *v > '9') {
			util_seterr(why, _("%s must be a whole number of "
			    "seconds, not '%s'"), k->name, v);
			return -1;
		}
		errno = 0;
		l = strtol(v, &end, 10);
		if (*end != '\0') {
			util_seterr(why, _("%s must be a whole number of "
			    "seconds, not '%s'"), k->name, v);
			return -1;
		}
		if (errno == ERANGE || l < 1 || l > CONF_TIMEOUT_MAX) {
			util_seterr(why, _("%s must be from 1 to %d seconds"),
			    k->name, CONF_TIMEOUT_MAX);
			return -1;
		}
		*ip = (int)l;
		return 0;
	case KEY_DELAY:
		errno = 0;
		l = *v >= '0' && *v <= '9' ? strtol(v, &end, 10) : -1;
		if (l < 0 || l > CONF_SEND_DELAY_MAX || errno == ERANGE ||
		    *end != '\0') {
			util_seterr(why, _("%s must be a whole number of seconds "
			    "from 0 to %d, not '%s'"), k->name,
			    CONF_SEND_DELAY_MAX, v);
			return -1;
		}
		*ip = (int)l;
		return 0;
	case KEY_DAYS:
		errno = 0;
		l = *v >= '0' && *v <= '9' ? strtol(v, &end, 10) : -1;
		if (l < 1 || l > 365 || errno == ERANGE || *end != '\0') {
			util_seterr(why, _("%s must be a whole number of days from 1 "
			    "to 365, not '%s'"), k->name, v);
			return -1;
		}
		*ip = (int)l;
		return 0;
	case KEY_TLS_VERSION:
		b = tls_version_parse(v);
		if (b < 0) {
			util_seterr(why, _("%s must be 1.0, 1.1, 1.2 or 1.3, not '%s'"),
			    k->name, v);
			return -1;
		}
		*ip = b;
		return 0;
	case KEY_TLS_TRUST:
		if (strcasecmp(v, "ca") == 0)
			*ip = CONF_TRUST_CA;
		else if (strcasecmp(v, "tofu") == 0)
			*ip = CONF_TRUST_TOFU;
		else {
			util_seterr(why, _("tls_trust must be ca or tofu, not '%s'"), v);
			return -1;
		}
		return 0;
	case KEY_REPLY_STYLE:
		if (strcasecmp(v, "bottom") == 0)
			*ip = CONF_REPLY_BOTTOM;
		else if (strcasecmp(v, "top") == 0)
			*ip = CONF_REPLY_TOP;
		else {
			util_seterr(why, _("reply_style must be bottom or top, "
			    "not '%s'"), v);
			return -1;
		}
		return 0;
	case KEY_SIG_POSITION:
		if (strcasecmp(v, "end") == 0)
			*ip = CONF_SIG_END;
		else if (strcasecmp(v, "text") == 0)
			*ip = CONF_SIG_TEXT;
		else {
			util_seterr(why, _("signature_position must be end or "
			    "text, not '%s'"), v);
			return -1;
		}
		return 0;
	case KEY_CIPHERS:
	case KEY_CIPHERSUITES:
		if (*v != '\0' && tls_cipher_list_ok(v,
		    k->kind == KEY_CIPHERSUITES) == 0) {
			util_seterr(why, k->kind == KEY_CIPHERS ?
			    _("%s: OpenSSL knows no TLS 1.2 cipher in '%s' "
			    "(see ciphers(1))") :
			    _("%s: '%s' is not a list of TLS 1.3 ciphersuites "
			    "OpenSSL knows, such as TLS_AES_256_GCM_SHA384"),
			    k->name, v);
			return -1;
		}
		break;
	case KEY_TEXT:
	case KEY_SECRET:
		break;
	case KEY_FINGERPRINT:
		if (*v != '\0' && !tls_fingerprint_ok(v)) {
			util_seterr(why, _("tls_fingerprint must be a SHA-256 "
			    "fingerprint, 64 hex digits (colons allowed), not "
			    "'%s'"), v);
			return -1;
		}
		break;
	case KEY_HELO:
		if (*v != '\0' && !smtp_helo_ok(v)) {
			util_seterr(why, _("helo must be a domain or an address "
			    "literal of at most 255 characters, without "
			    "spaces"));
			return -1;
		}
		break;
	case KEY_DNS_SERVER:
		if (dns_server_check(v, &uerr) < 0) {
			if (uerr == NULL) {
				return -1;
			}
			util_seterr(why, "%s", uerr);
			free(uerr);
			return -1;
		}
		break;
	case KEY_WORD:
		if (strpbrk(v, " \t") != NULL) {
			util_seterr(why, _("'%s' must be a single word"), k->name);
			return -1;
		}
		break;
	case KEY_PROXY:
		if (*v == '\0')
			break;
		if (socks5_url_parse(&pu, v, &uerr) != ERR_OK) {
			if (uerr == NULL)
				return -1;
			util_seterr(why, "%s", uerr);
			free(uerr);
			return -1;
		}
		socks5_url_free(&pu);
		break;
	case KEY_SERVERS:
		if (servers_check(v, why) < 0)
			return -1;
		break;
	case KEY_SERVER:
		if (*v == '\0')
			break;
		if (url_parse(&u, v, &uerr) != ERR_OK) {
			if (uerr == NULL) {
				return -1;
			}
			util_seterr(why, "%s", uerr);
			free(uerr);
			return -1;
		}
		url_free(&u);
		break;
	case KEY_FILE:
		if (strncmp(v, "~/", 2) != 0)
			break;
		home = util_home_dir();
		if (home == NULL) {
			util_seterr(why, _("cannot expand '~/' in '%s': HOME is not "
			    "set"), k->name);
			return -1;
		}
		buf_reset(tmp);
		if (buf_printf(tmp, "%s/%s", home, v + 2) < 0) {
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
			util_seterr(why, _("unknown auth mechanism '%s'; use PLAIN, "
			    "LOGIN, CRAM-MD5, SCRAM-SHA-256, XOAUTH2 or "
			    "OAUTHBEARER"), v);
			return -1;
		}
		store = conf_auth_names[i];
		break;
	case KEY_DSN_NOTIFY:
		if (*v == '\0')
			break;
		if (parse_dsn_notify(v, tmp, why) < 0)
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
			util_seterr(why, _("dsn_return must be FULL or HDRS, not '%s'"),
			    v);
			return -1;
		}
		break;
	}

	copy = NULL;
	if (*store != '\0' && (copy = strdup(store)) == NULL) {
		return -1;
	}
	free_str(*sp, k->kind == KEY_SECRET);
	*sp = copy;
	return 0;
}

/*
 * Edit distance of a and b without regard to ASCII case, an adjacent
 * swap counting as one edit ("form" -> "from"); keys are short, longer
 * strings are simply far (CONF_FAR).
 */
#define CONF_FAR 99
static size_t
distance(const char *a, const char *b)
{
	size_t d[3][33], la = strlen(a), lb = strlen(b), i, j, c, m;
	int x, y;

	if (la > 32 || lb > 32)
		return CONF_FAR;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		size_t *row = d[i % 3], *up = d[(i - 1) % 3];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			x = tolower((unsigned char)a[i - 1]);
			y = tolower((unsigned char)b[j - 1]);
			c = x != y;
			m = up[j - 1] + c;
			if (up[j] + 1 < m)
				m = up[j] + 1;
			if (row[j - 1] + 1 < m)
				m = row[j - 1] + 1;
			if (i > 1 && j > 1 && c &&
			    x == tolower((unsigned char)b[j - 2]) &&
			    y == tolower((unsigned char)a[i - 2]) &&
			    d[(i - 2) % 3][j - 2] + 1 < m)
				m = d[(i - 2) % 3][j - 2] + 1;
			row[j] = m;
		}
	}
	return d[la % 3][lb];
}

/*
 * The known key closest to the unknown key k, when it is close enough to
 * be a slip of the keyboard: at most one edit per three characters of the
 * key, and at most three.  NULL when none is.
 */
static const char *
closest_key(const char *k, int before_sections)
{
	const char *best = NULL;
	size_t i, d, bestd = CONF_FAR, len;

	for (i = 0; i <= CONF_NKEYS; i++) {
		const char *name = i < CONF_NKEYS ? conf_keys[i].name :
		    "default";

		if (before_sections != (i == CONF_NKEYS))
			continue;
		len = strlen(name);
		d = distance(k, name);
		if (d < bestd && d * 3 <= (len < 9 ? len : 9)) {
			bestd = d;
			best = name;
		}
	}
	return best;
}

char *
confkey_unknown(const char *k, int before_sections)
{
	const struct foreign_key *f;
	const char *near;
	size_t i;

	for (i = 0; i < sizeof foreign_keys / sizeof foreign_keys[0]; i++) {
		f = &foreign_keys[i];
		if (strcasecmp(k, f->name) != 0)
			continue;
		if (f->ours != NULL)
			/* L10N: '%1$s' is msmtp's name: pigeon calls it %3$s;
			   %2$s is msmtp, mutt or aerc. */
			return util_strf(_("'%s' is %s's name: pigeon calls it "
			    "%s (ignored)"), k, f->program, f->ours);
		/* L10N: '%1$s' is msmtp's name: (how to write it here). */
		return util_strf(_("'%s' is %s's name: %s (ignored)"), k,
		    f->program, _(f->how));
	}
	near = closest_key(k, before_sections);
	if (near != NULL)
		return util_strf(_("unknown key '%s' (ignored); did you mean "
		    "%s?"), k, near);
	return util_strf(_("unknown key '%s' (ignored)"), k);
}
