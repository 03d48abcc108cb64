/* trust.c - "pigeon trust": the certificates trusted on first use (tls_trust = tofu): accept a server's new one, list them, forget one. */
/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "trust.h"
#include "url.h"
#include "util.h"

enum {
	OPT_YES = CLI_OPT_LAST_,
	OPT_LIST,
	OPT_FORGET,
};

static const struct option trust_longopts[] = {
	CLI_LONGOPTS,
	CLI_LONGOPTS_TLS,
	{ "yes", no_argument, NULL, OPT_YES },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "forget", no_argument, NULL, OPT_FORGET },
	{ NULL, 0, NULL, 0 },
};

/* The width of a value column in the side by side view (80 columns in all). */
#define DIFF_WIDTH 34

static void
trust_help(FILE *fp)
{
	(void)fputs(_(
"Usage: pigeon trust [options] HOST[:PORT]|URL\n"
"       pigeon trust --list\n"
"       pigeon trust --forget HOST[:PORT]\n"
"\n"
"The certificates trusted on first use (accounts with tls_trust = tofu).\n"
"With a host, connect to it (STARTTLS or implicit TLS as the account's\n"
"server says, or as the URL says), show the certificate it presents and,\n"
"when the trust store holds another one for it, both side by side; then\n"
"ask whether to trust the new one from now on.\n"
"\n"
"  -y, --yes            trust it without asking\n"
"      --list           list the trust store\n"
"      --forget         remove the host's certificate (every port of the\n"
"                       host when no port is given)\n"), fp);
	cli_common_help(fp, 0);
}

/* "host", "host:port", "[v6]:port" or "v6" into host and port ("" none); -1 when out of memory. */
static int
split_hostport(const char *arg, char **host, char **port)
{
	const char *colon = strrchr(arg, ':'), *close;

	*host = *port = NULL;
	if (*arg == '[' && (close = strchr(arg, ']')) != NULL) {
		*host = strndup(arg + 1, (size_t)(close - arg - 1));
		*port = strdup(close[1] == ':' ? close + 2 : "");
	} else if (colon != NULL && strchr(arg, ':') == colon) {
		*host = strndup(arg, (size_t)(colon - arg));
		*port = strdup(colon + 1);
	} else {
		*host = strdup(arg);
		*port = strdup("");
	}
	if (*host == NULL || *port == NULL) {
		free(*host);
		free(*port);
		return -1;
	}
	return 0;
}

static const char *
scheme_prefix(enum url_scheme s)
{
	switch (s) {
	case URL_SMTPS:
		return "smtps://";
	case URL_SMTP_PLAIN:
		return "smtp+plain://";
	case URL_SMTP_OPPORTUNISTIC:
		return "smtp+opportunistic://";
	default:
		return "smtp://";
	}
}

/*
 * The URL to connect to for arg: arg itself when it is one; else the
 * account's server when it is that host (and port), else that host with
 * the scheme of the account's server (smtp:// without one).
 */
static char *
target_url(const struct cli *c, const char *arg)
{
	struct url u;
	char *host, *port, *out;
	int have = 0;

	if (strstr(arg, "://") != NULL)
		return strdup(arg);
	if (split_hostport(arg, &host, &port) < 0)
		return NULL;
	memset(&u, 0, sizeof(u));
	if (c->acct != NULL && c->acct->server != NULL &&
	    url_parse(&u, c->acct->server, NULL) == ERR_OK)
		have = 1;
	if (have && strcasecmp(u.host, host) == 0 &&
	    (*port == '\0' || strcmp(port, u.port) == 0))
		out = strdup(c->acct->server);
	else
		out = util_strf(strchr(host, ':') != NULL ? "%s[%s]%s%s" :
		    "%s%s%s%s", have ? scheme_prefix(u.scheme) : "smtp://",
		    host, *port != '\0' ? ":" : "", port);
	if (have)
		url_free(&u);
	free(host);
	free(port);
	return out;
}

static void
show(const char *label, const char *value)
{
	char *pre = util_strf("  %-12s ", label);

	cli_print_safe(pre != NULL ? pre : "  ", *value != '\0' ? value :
	    _("(none)"));
	free(pre);
}

static void
show_peer(const char *hostport, const struct tls_peer *p)
{
	char *v;

	(void)printf(_("The certificate %s presents:\n"), hostport);
	show(_("subject"), p->subject);
	show(_("issuer"), p->issuer);
	show(_("names"), p->names);
	v = util_strf("%s .. %s", p->not_before, p->not_after);
	show(_("valid"), v != NULL ? v : "");
	free(v);
	show(_("key"), p->key != NULL ? p->key : "");
	show("SHA-256", p->fingerprint);
	show(_("CA store"), p->problem == NULL ? _("vouches for it") :
	    p->problem);
}

/* Print the side by side view, line by line, escaped. */
static int
show_diff(const struct trust_rec *r, const struct tls_peer *p)
{
	struct buf b;
	char *line, *nl;

	buf_init(&b, 256 * 1024);
	if (trust_diff(&b, r, p, DIFF_WIDTH) < 0 || buf_addstr(&b, "") < 0) {
		buf_free(&b);
		return -1;
	}
	(void)printf(_("It is NOT the certificate trusted for %s (lines "
	    "marked * differ):\n"), r->hostport);
	for (line = b.data; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		cli_print_safe("", line);
	}
	buf_free(&b);
	return 0;
}

/* y/N on the terminal; 1 yes. */
static int
ask(const char *hostport)
{
	char line[64];

	(void)printf(_("Trust this certificate for %s from now on? [y/N] "),
	    hostport);
	(void)fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	line[strcspn(line, "\n")] = '\0';
	return util_yesno(line) == 1;
}

static int
do_list(void)
{
	struct trust *t = NULL;
	const struct trust_rec *r;
	char *why = NULL, a[64], b[64], *v;
	enum err e;
	size_t i;

	if ((e = trust_load(&t, NULL, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	if (trust_count(t) == 0)
		(void)printf(_("The trust store %s is empty.\n"), trust_path(t));
	for (i = 0; (r = trust_get(t, i)) != NULL; i++) {
		cli_print_safe("", r->hostport);
		show("SHA-256", r->fingerprint);
		show(_("subject"), r->subject);
		show(_("issuer"), r->issuer);
		show(_("names"), r->names);
		v = util_strf("%s .. %s", r->not_before, r->not_after);
		show(_("valid"), v != NULL ? v : "");
		free(v);
		show(_("key"), r->key);
		trust_time_str(a, sizeof(a), r->first_seen);
		trust_time_str(b, sizeof(b), r->last_seen);
		v = util_strf(_("%s, last seen %s"), a, b);
		show(_("first seen"), v != NULL ? v : "");
		free(v);
	}
	trust_free(t);
	return EX_OK;
}

static int
do_forget(const char *arg)
{
	struct trust *t = NULL;
	char *why = NULL, *host, *port, *key;
	size_t i, n = 0;
	enum err e;
	int rc = EX_OK;

	if (split_hostport(arg, &host, &port) < 0)
		return EX_OSERR;
	if ((e = trust_load(&t, NULL, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		free(host);
		free(port);
		return err_exit_code(e);
	}
	/* Without a port: every port of the host. */
	for (i = 0; i < trust_count(t); i++) {
		const struct trust_rec *r = trust_get(t, i);

		key = *port != '\0' ? trust_hostport(host, port) :
		    trust_hostport(host, "");
		if (key == NULL) {
			rc = EX_OSERR;
			break;
		}
		if (*port != '\0' ? strcasecmp(r->hostport, key) == 0 :
		    strncasecmp(r->hostport, key, strlen(key)) == 0) {
			cli_note(_("forgot the certificate of %s (SHA-256 %s)"),
			    r->hostport, r->fingerprint);
			if (trust_forget(t, r->hostport) < 0) {
				free(key);
				rc = EX_OSERR;
				break;
			}
			n++;
			i--;
		}
		free(key);
	}
	if (rc == EX_OK && n == 0) {
		cli_error(_("the trust store has no certificate of %s"), arg);
		rc = EX_NOINPUT;
	} else if (rc == EX_OK && (e = trust_save(t, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		rc = err_exit_code(e);
	}
	free(why);
	free(host);
	free(port);
	trust_free(t);
	return rc;
}

/* Accept (or not) what the server presents now. */
static int
judge(struct cli *c, const struct tls_peer *p, int yes)
{
	struct trust *t = NULL;
	const struct trust_rec *r;
	char *why = NULL, *key;
	enum err e;
	int rc = EX_OK;

	key = trust_hostport(c->rt.so.host, c->rt.so.port);
	if (key == NULL)
		return EX_OSERR;
	if ((e = trust_load(&t, NULL, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		free(key);
		return err_exit_code(e);
	}
	show_peer(key, p);
	r = trust_find(t, key);
	if (r != NULL && trust_same(r, p)) {
		(void)printf(_("It is the certificate already trusted for %s; "
		    "nothing to do.\n"), key);
		goto out;
	}
	if (r != NULL && show_diff(r, p) < 0) {
		rc = EX_OSERR;
		goto out;
	}
	if (!yes && !isatty(STDIN_FILENO)) {
		cli_error(_("not on a terminal: nothing trusted (give --yes to "
		    "trust it without asking)"));
		rc = EX_NOPERM;
		goto out;
	}
	if (!yes && !ask(key)) {
		(void)printf(_("Nothing trusted.\n"));
		rc = EX_NOPERM;
		goto out;
	}
	e = trust_record(t, key, p, (int64_t)time(NULL));
	if (e == ERR_OK)
		e = trust_save(t, &why);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		rc = err_exit_code(e);
		goto out;
	}
	(void)printf(_("Trusted for %s: SHA-256 %s (in %s).\n"), key,
	    p->fingerprint, trust_path(t));
	if (c->acct != NULL && c->acct->tls_trust != CONF_TRUST_TOFU)
		cli_warn(_("account %s has tls_trust = ca: it does not use the "
		    "trust store (set tls_trust = tofu)"), c->acct->name);
out:
	free(why);
	free(key);
	trust_free(t);
	return rc;
}

static int
do_connect(struct cli *c, const char *arg, int yes)
{
	struct session *s = NULL;
	const struct tls_peer *p;
	char *url;
	int rc;

	if ((rc = cli_load_config(c)) != 0)
		return rc;
	if ((url = target_url(c, arg)) == NULL)
		return EX_OSERR;
	rc = cli_setup_quiet(c, url, 0);
	free(url);
	if (rc != 0)
		return rc;
	if (c->rt.so.smtp.tls == SMTP_TLS_NONE) {
		cli_error(_("%s is reached without TLS: there is no certificate "
		    "to trust"), arg);
		return EX_USAGE;
	}
	/* Whatever the CA store says: the user judges, seeing it all. */
	c->rt.so.tofu = 0;
	c->rt.so.tls.tofu = 1;
	c->rt.so.tls.fingerprint = NULL;
	c->rt.so.smtp.stop_after = SMTP_STAGE_TLS;
	rc = cli_connect(c, &s);
	p = s != NULL ? session_peer(s) : NULL;
	if (p == NULL || p->fingerprint[0] == '\0') {
		if (rc == EX_OK) {
			cli_error(_("%s presented no certificate"), arg);
			rc = EX_PROTOCOL;
		}
	} else {
		rc = judge(c, p, yes);
	}
	session_free(s);
	return rc;
}

int
cmd_trust(int argc, char **argv)
{
	struct cli c;
	int opt, yes = 0, list = 0, forget = 0, rc;

	memset(&c, 0, sizeof(c));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":vy", trust_longopts,
	    NULL)) != -1) {
		if (cli_common_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case 'y':
		case OPT_YES:
			yes = 1;
			break;
		case OPT_LIST:
			list = 1;
			break;
		case OPT_FORGET:
			forget = 1;
			break;
		case CLI_OPT_HELP:
			trust_help(stdout);
			return EX_OK;
		case CLI_OPT_VERSION:
			cli_version();
			return EX_OK;
		default:
			return cli_bad_option("trust", argv, opt);
		}
	}
	if (list + forget > 1 || (list && optind < argc) ||
	    (!list && optind + 1 != argc)) {
		cli_error(_("pigeon trust takes one HOST[:PORT] (or --list); "
		    "try 'pigeon trust --help'"));
		return EX_USAGE;
	}
	if (list)
		rc = do_list();
	else if (forget)
		rc = do_forget(argv[optind]);
	else
		rc = do_connect(&c, argv[optind], yes);
	cli_cleanup(&c);
	return rc;
}
