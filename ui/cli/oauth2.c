/* oauth2.c - "pigeon oauth2 login": the device authorization flow (RFC 8628) that gives an account its OAuth2 refresh token. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "i18n.h"
#include "oauth2.h"
#include "util.h"

enum {
	OPT_PRINT_REFRESH = CLI_OPT_LAST_,
};

static const struct option oauth2_longopts[] = {
	CLI_LONGOPTS,
	{ "print-refresh-token", no_argument, NULL, OPT_PRINT_REFRESH },
	{ NULL, 0, NULL, 0 },
};

static void
oauth2_help(FILE *fp)
{
	(void)fputs(_(
"Usage: pigeon oauth2 login [options] [ACCOUNT]\n"
"\n"
"Get an OAuth2 refresh token for the account (the default one if none is\n"
"named) by the device authorization flow (RFC 8628): pigeon asks the\n"
"account's oauth2_device_endpoint for a code and prints the page to open\n"
"and the code to enter there, on any device; once you have allowed it,\n"
"the refresh token is kept in pigeon's OAuth2 cache (mode 0600), and\n"
"pigeon renews its access tokens from it by itself.\n"
"\n"
"      --print-refresh-token\n"
"                       print the refresh token on standard output too\n"
"                       (to keep it in a password store of your own and\n"
"                       give it by password_command); never by default\n"), fp);
	cli_common_help(fp, 0);
}

/* Wait s seconds; 0, or -1 when a signal came. */
static int
wait_seconds(long long s)
{
	int r;

	r = poll(NULL, 0, (int)(s * 1000));
	return r < 0 && errno == EINTR ? -1 : 0;
}

static void
tell_user(const struct account *a, const struct oauth2_device *d)
{
	(void)printf(_("To let pigeon send mail as account '%s', open\n\n"
	    "    %s\n\nand enter the code\n\n    %s\n\n"), a->name,
	    d->verification_uri, d->user_code);
	if (d->verification_uri_complete != NULL)
		(void)printf(_("(or open this page, which has the code in "
		    "it:\n    %s )\n\n"), d->verification_uri_complete);
	(void)printf(_("Waiting for you to allow it (the code is good for "
	    "%lld minutes)...\n"), (d->expires_in + 59) / 60);
	(void)fflush(stdout);
}

static void
tell_done(const struct account *a, struct oauth2 *o)
{
	(void)printf(_("Done: the refresh token is in %s (mode 0600, only "
	    "for you); pigeon gets its access tokens with it from now on.\n"
	    "Account '%s' needs these lines in the config file, and no "
	    "password_command:\n\n"), oauth2_cache_path(o), a->name);
	if (a->auth != NULL)
		(void)printf("    auth = %s\n", a->auth);
	(void)printf("    oauth2_token_endpoint = %s\n"
	    "    oauth2_client_id = %s\n", a->oauth2_token_endpoint,
	    a->oauth2_client_id);
	(void)fflush(stdout);
}

/* Poll until the user allows it, refuses, or the code expires. */
static int
poll_loop(const struct account *a, struct oauth2 *o, struct cli *c,
    struct oauth2_device *d, int print_refresh)
{
	time_t end = time(NULL) + (time_t)d->expires_in;
	enum oauth2_poll p;
	char *why = NULL, *refresh = NULL;
	enum err e;

	for (;;) {
		if (time(NULL) >= end) {
			cli_error(_("the code expired before it was allowed; "
			    "run 'pigeon oauth2 login' again"));
			return EX_TEMPFAIL;
		}
		if (wait_seconds(d->interval) < 0)
			return EX_TEMPFAIL;
		p = oauth2_device_poll(o, c->tr, d, print_refresh ? &refresh :
		    NULL, &e, &why);
		if (p == OAUTH2_POLL_PENDING)
			continue;
		if (p == OAUTH2_POLL_SLOW_DOWN) {
			if (c->verbose)
				cli_note(_("the server asks pigeon to ask "
				    "less often: every %lld s now"),
				    d->interval);
			continue;
		}
		break;
	}
	if (p == OAUTH2_POLL_FAILED) {
		if (why != NULL && strstr(why, "access_denied") != NULL)
			cli_error(_("you (or the provider) refused the "
			    "access: %s"), why);
		else if (why != NULL && strstr(why, "expired_token") != NULL)
			cli_error(_("the code expired before it was allowed; "
			    "run 'pigeon oauth2 login' again: %s"), why);
		else
			cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	free(why);
	tell_done(a, o);
	if (refresh != NULL) {
		(void)printf(_("The refresh token (keep it secret):\n"));
		(void)printf("%s\n", refresh);
		explicit_bzero(refresh, strlen(refresh));
		free(refresh);
	}
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

static int
login(struct cli *c, int print_refresh)
{
	const struct account *a;
	struct oauth2_device d;
	struct oauth2 *o = NULL;
	char *why = NULL;
	enum err e;
	int rc;

	if ((rc = cli_setup_quiet(c, NULL, 0)) != 0)
		return rc;
	a = c->acct;
	if (a == NULL || a->oauth2_token_endpoint == NULL) {
		cli_error(_("the account has no oauth2_token_endpoint: set it, "
		    "oauth2_device_endpoint and oauth2_client_id to the "
		    "provider's (see pigeon.conf(5))"));
		return EX_CONFIG;
	}
	if ((e = oauth2_new(&o, a, &why)) == ERR_OK)
		e = oauth2_device_start(o, c->tr, &d, &why);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		if (o != NULL)
			oauth2_device_free(&d);
		oauth2_free(o);
		return err_exit_code(e);
	}
	tell_user(a, &d);
	rc = poll_loop(a, o, c, &d, print_refresh);
	oauth2_device_free(&d);
	oauth2_free(o);
	return rc;
}

int
cmd_oauth2(int argc, char **argv)
{
	struct cli c;
	int opt, print_refresh = 0, rc;

	memset(&c, 0, sizeof(c));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":v", oauth2_longopts,
	    NULL)) != -1) {
		if (cli_common_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_PRINT_REFRESH:
			print_refresh = 1;
			break;
		case CLI_OPT_HELP:
			oauth2_help(stdout);
			return EX_OK;
		case CLI_OPT_VERSION:
			cli_version();
			return EX_OK;
		default:
			return cli_bad_option("oauth2", argv, opt);
		}
	}
	if (optind >= argc || strcmp(argv[optind], "login") != 0 ||
	    argc - optind > 2) {
		cli_error(_("pigeon oauth2 takes 'login' and an account name; "
		    "try 'pigeon oauth2 --help'"));
		return EX_USAGE;
	}
	if (argc - optind == 2)
		c.account_name = argv[optind + 1];
	rc = login(&c, print_refresh);
	cli_cleanup(&c);
	return rc;
}
