/* formfields.c - the fields of the account form: labels, pigeon.conf keys, help, and the check of each value. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "formfields.h"
#include "i18n.h"
#include "smtp.h"
#include "tls.h"
#include "url.h"
#include "util.h"

/* In the order of enum url_scheme: the index is the scheme. */
_Static_assert(URL_LMTP + 1 == FORMFIELD_NSECURITY,
    "one choice of Security per URL scheme");
const char *const formfield_security[FORMFIELD_NSECURITY] = {
	"STARTTLS", "TLS", N_("none (clear text)"),
	N_("STARTTLS when offered, else clear text"),
	N_("LMTP (STARTTLS when offered)"),
};
const char *const formfield_scheme[FORMFIELD_NSECURITY] = {
	"smtp", "smtps", "smtp+plain", "smtp+opportunistic", "lmtp",
};
const char *const formfield_port[FORMFIELD_NSECURITY] = {
	"587", "465", "25", "25", "24",
};
const char *const formfield_auth[FORMFIELD_NAUTH] = {
	N_("automatic"), "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256",
	"XOAUTH2", "OAUTHBEARER",
};
const char *const formfield_pwsrc[2] = {
	N_("password_command"), N_("~/.netrc, else asked at start"),
};

enum check {
	CHECK_NONE,
	CHECK_FROM,
	CHECK_FILE,
	CHECK_PIN,
	CHECK_HELO,
};

static const struct fielddef {
	const char *label;         /* N_() */
	const char *name;          /* N_(): for messages */
	const char *key;           /* pigeon.conf(5) */
	enum check check;
	const char *help;          /* N_() */
} fields[F_COUNT] = {
	{ N_("Name"), N_("Name"), NULL, CHECK_NONE,
	  N_("the account's name in the file: one word") },
	{ N_("From"), N_("From"), "from", CHECK_FROM,
	  N_("your address: Name <you@example.org>, or just the address") },
	{ N_("Server (host:port)"), N_("Server"), "server", CHECK_NONE,
	  N_("the submission server; without a port, s and d find the port "
	  "and the security") },
	{ N_("Security"), N_("Security"), NULL, CHECK_NONE,
	  N_("STARTTLS (port 587), TLS from the start (465), none, STARTTLS "
	  "when offered (25), or LMTP (24; the server a socket's path)") },
	{ N_("Login method"), N_("Login method"), "auth", CHECK_NONE,
	  N_("automatic: the strongest method the server offers") },
	{ N_("User"), N_("User"), "user", CHECK_NONE,
	  N_("the login name; empty: no login") },
	{ N_("Password from"), N_("Password from"), NULL, CHECK_NONE,
	  N_("where the password comes from when a send needs it") },
	{ N_("Password command"), N_("Password command"), "password_command",
	  CHECK_NONE, N_("a command that prints the password, e.g. pass "
	  "show mail/work") },
	{ N_("CA certificates"), N_("CA certificates"), "tls_cafile",
	  CHECK_FILE,
	  N_("the CA certificates (PEM) to trust; empty: the system's") },
	{ N_("Certificate pin"), N_("Certificate pin"), "tls_fingerprint",
	  CHECK_PIN, N_("the SHA-256 fingerprint of the server's certificate, "
	  "trusted instead of a CA") },
	{ N_("Client certificate"), N_("Client certificate"), "tls_cert",
	  CHECK_FILE, N_("a certificate (PEM) to log in with; empty: none") },
	{ N_("Client key"), N_("Client key"), "tls_key", CHECK_FILE,
	  N_("its key (PEM, not encrypted); empty: in the certificate file") },
	{ N_("EHLO name"), N_("EHLO name"), "helo", CHECK_HELO,
	  N_("the name sent with EHLO; empty: this host's full name") },
	{ N_("Signature file"), N_("Signature file"), "signature", CHECK_FILE,
	  N_("a file put under your text after a \"-- \" line") },
};

const char *
formfield_label(enum form_field f)
{
	return _(fields[f].label);
}

const char *
formfield_name(enum form_field f)
{
	return _(fields[f].name);
}

const char *
formfield_key(enum form_field f)
{
	return fields[f].key;
}

const char *
formfield_help(enum form_field f)
{
	return _(fields[f].help);
}

int
formfield_is_file(enum form_field f)
{
	return fields[f].check == CHECK_FILE;
}

char *
formfield_path(const char *v)
{
	const char *home;

	if (strncmp(v, "~/", 2) != 0 || (home = util_home_dir()) == NULL)
		return strdup(v);
	return util_strf("%s/%s", home, v + 2);
}

/* Can the file be read, and is it one (not a directory)? */
static char *
file_problem(const char *name, const char *v)
{
	char *path = formfield_path(v), *why = NULL;
	struct stat st;
	int fd, err;

	if (path == NULL)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		err = errno;
		why = util_strf(_("%s: cannot read %s: %s"), name, path,
		    strerror(err));
	} else {
		if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
			why = util_strf(_("%s: %s is not a file"), name, path);
		(void)close(fd);
	}
	free(path);
	return why;
}

static char *
from_problem(const char *name, const char *v)
{
	struct addr_list from = { NULL, 0 };
	char *why = NULL, *msg;

	if (*v == '\0')
		return util_strf(_("%s: the account needs your address"), name);
	if (addr_list_parse(&from, v, strlen(v), &why) == ERR_OK &&
	    from.n == 1) {
		addr_list_free(&from);
		return NULL;
	}
	msg = util_strf(_("%s: must be one address: %s"), name, why != NULL ?
	    why : v);
	free(why);
	addr_list_free(&from);
	return msg;
}

char *
formfield_problem(enum form_field f, const char *v)
{
	const char *name = formfield_name(f);

	if (v == NULL)
		v = "";
	if (fields[f].check == CHECK_FROM)
		return from_problem(name, v);
	if (*v == '\0')
		return NULL;
	switch (fields[f].check) {
	case CHECK_FILE:
		return file_problem(name, v);
	case CHECK_PIN:
		if (tls_fingerprint_ok(v))
			return NULL;
		return util_strf(_("%s: '%s' is not a SHA-256 fingerprint: 64 "
		    "hex digits, colons allowed between pairs (openssl x509 "
		    "-noout -fingerprint -sha256 shows it)"), name, v);
	case CHECK_HELO:
		if (smtp_helo_ok(v))
			return NULL;
		return util_strf(_("%s: '%s' cannot go after EHLO: a domain or "
		    "an address literal like [192.0.2.1], without spaces, at "
		    "most 255 characters"), name, v);
	case CHECK_NONE:
	case CHECK_FROM:
		break;
	}
	return NULL;
}
