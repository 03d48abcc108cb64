/* conf.h - the config file: accounts and their settings. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_CONF_H
#define PIGEON_CONF_H

#include <stddef.h>

#include "err.h"
#include "smtp.h"

/* tls_trust: who vouches for a server's certificate. */
enum conf_tls_trust {
	CONF_TRUST_CA = 0,        /* the CA store (or tls_fingerprint), the default */
	CONF_TRUST_TOFU,          /* the certificate first seen (src/trust.h) */
};

/* reply_style: where a reply's new text goes. */
enum conf_reply_style {
	CONF_REPLY_BOTTOM = 0,    /* below the quoted text (the default) */
	CONF_REPLY_TOP,           /* above it: top-posting */
};

/* signature_position: where the signature of a reply or forward goes. */
enum conf_sig_position {
	CONF_SIG_END = 0,         /* at the end of the message (the default) */
	CONF_SIG_TEXT,            /* right after the new text, above a quote below it */
};

struct account {
	char *name;
	char *from;
	char *server;             /* URL as written */
	char *user;
	char *password;           /* only if the file has one (discouraged) */
	char *password_command;
	char *auth;               /* mechanism name, NULL: choose */
	int auth_allow_plaintext; /* 0 unless "yes" */
	int tls_verify;           /* 1 unless "no" */
	char *tls_cafile;
	char *tls_fingerprint;
	char *tls_cert;
	char *tls_key;
	int tls_min_version;      /* enum tls_version; 0: 1.2 */
	int tls_max_version;      /* enum tls_version; 0: the newest */
	char *tls_ciphers;        /* TLS 1.2 cipher list, NULL: OpenSSL's */
	char *tls_ciphersuites;   /* TLS 1.3 ciphersuites, NULL: OpenSSL's */
	int tls_allow_legacy;     /* 0 unless "yes": TLS 1.0 and 1.1 allowed */
	int tls_trust;            /* enum conf_tls_trust */
	char *helo;
	char *source_address;
	char *dns_server;         /* "ADDR[:PORT]" of the name server for MX look-ups, NULL: the system's */
	int timeout;              /* seconds, 0: RFC 5321 defaults */
	int timeouts[SMTP_T_COUNT]; /* "greeting_timeout"...; 0: timeout */
	int chunking;             /* use BDAT when offered */
	char *dsn_notify;         /* e.g. "FAILURE,DELAY", NULL: none */
	char *dsn_return;         /* "FULL" or "HDRS", NULL: none */
	char *signature;          /* file appended after "-- " (draft_sign) */
	char *aliases;            /* mutt alias file for address completion */
	char *query_command;      /* mutt query_command for address completion */
	char *send_charset;       /* "us-ascii:iso-8859-1:utf-8", NULL: utf-8 */
	int text_flowed;          /* 0 unless "yes": text/plain as format=flowed */
	char *html_command;       /* makes the HTML alternative from the text (htmlcmd.h) */
	int queue_lifetime;       /* days to retry, 0: the default (5) */
	int flush_after_send;     /* 1 unless "no": flush due mail after a send */
	int send_delay;           /* seconds a send from the UI waits (undo), 0: none */
	char *sent;               /* Maildir for a copy of sent mail, NULL: none */
	char *drafts;             /* Maildir for drafts, NULL: pigeon's drafts/ */
	char *from_addresses;     /* more senders of the account: "*@x, me@y" */
	char *sendmail_aliases;   /* /etc/aliases-style file for local names */
	char *qualify_domain;     /* domain for recipients without one */
	int reply_style;          /* enum conf_reply_style: the quote above or below */
	int signature_position;   /* enum conf_sig_position: in a reply or forward */
	char *template_file;      /* "template": a draft starts from it (reply.h) */
	char *proxy;              /* socks5://[user[:password]@]host[:port], NULL: none */
	char *proxy_password_command; /* prints the proxy's password */
	char *fallback_server;    /* server URLs to try when server cannot be reached */
	int pgp_sign;             /* 0 unless "yes": sign what is sent (pgpmime.h) */
	int pgp_encrypt;          /* 0 unless "yes": encrypt what is sent */
	char *pgp_key;            /* the user's OpenPGP key, NULL: the From address */
	int smime_sign;           /* 0 unless "yes": sign with S/MIME (smime.h) */
	int smime_encrypt;        /* 0 unless "yes": encrypt with S/MIME */
	char *smime_cert;         /* the user's certificate (PEM, chain after it) */
	char *smime_key;          /* its private key, NULL: in smime_cert's file */
	char *smime_key_password_command; /* prints the key's passphrase */
	char *smime_certs;        /* recipients' certificates, NULL: DATA/smime */
	int autocrypt;            /* 0 unless "yes": an Autocrypt header */
	int autocrypt_prefer_encrypt; /* "yes": prefer-encrypt=mutual */
	/* OAuth2 (oauth2.h): with these, password_command gives the refresh token. */
	char *oauth2_token_endpoint;  /* https:// URL */
	char *oauth2_device_endpoint; /* https:// URL, for pigeon oauth2 login */
	char *oauth2_client_id;
	char *oauth2_client_secret;   /* only if the file has one */
	char *oauth2_client_secret_command;
	char *oauth2_scope;
};

struct conf {
	char *path;               /* the user's file read, NULL if none */
	char *system_path;        /* the system-wide file read, NULL if none */
	char *default_account;
	struct account *accounts;
	size_t naccounts;
	char **warnings;          /* "file:line: unknown key 'foo'" */
	size_t nwarnings;
};

/*
 * Read path, or $XDG_CONFIG_HOME/pigeon/config (default
 * ~/.config/pigeon/config) when path is NULL.  A missing default file
 * gives an empty config; a missing explicit one is ERR_CONFIG.  Syntax
 * errors are ERR_CONFIG with "file:line: what" in *errstr.  A file
 * holding a password that group or others can read is refused.
 */
enum err conf_load(struct conf **out, const char *path, char **errstr);
/*
 * The system-wide file SYSCONFDIR/pigeon/config (configure's
 * --sysconfdir, /usr/local/etc by default, /etc for Debian), read by
 * conf_load() before the user's file, which goes over it: an account
 * named in both gets the user's value for each key the user's file sets
 * and the system file's for the others; accounts named in one file only
 * are taken as they are.  The account used when none is chosen: the
 * user's "default", else the first account the user's file names, else
 * the system file's choice.  A missing system file is no error, one
 * this user may not read is a warning; one that anybody but root (or
 * this user) owns or may write is refused (ERR_CONFIG): its
 * password_command would run as this user.
 */
const char *conf_system_path(void);
/* conf_load() with the system file named (NULL: none). */
enum err conf_load_files(struct conf **out, const char *system,
    const char *path, char **errstr);
/* Where the config file is looked for without --config (malloc'd; NULL: nowhere). */
enum err conf_default_path(char **out);
void conf_free(struct conf *c);

/* The named account, or the default (or only) one when name is NULL. */
const struct account *conf_account(const struct conf *c, const char *name);

/*
 * The account that sends as sender (an addr-spec), as msmtp picks one by
 * its from: the first whose from is sender, or sender without its
 * "+detail"; else the first that lists it in from_addresses, where
 * "*", "?" and "[...]" are wildcards (any case).  NULL: none does, the
 * default account is the one then.
 */
const struct account *conf_account_for_sender(const struct conf *c,
    const char *sender);

/*
 * Is addr (an addr-spec) one of a's own: its from (also with a
 * "+detail"), or one that from_addresses lists or matches?  1 or 0.
 */
int conf_account_owns(const struct account *a, const char *addr);

#endif
