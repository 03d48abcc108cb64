/* cliopts.c - the options every subcommand takes: reading them, their --help, --version, and the line for a wrong one. */
/* SPDX-License-Identifier: ISC */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include "i18n.h"
#include "pgpmime.h"
#include "smtp.h"

int
cli_common_option(struct cli *c, int opt, const char *arg)
{
	switch (opt) {
	case CLI_OPT_CONFIG:
		c->config_path = arg;
		return 1;
	case CLI_OPT_ACCOUNT:
		c->account_name = arg;
		return 1;
	case CLI_OPT_SERVER:
		c->server = arg;
		return 1;
	case CLI_OPT_TRANSCRIPT:
		if (arg == NULL || *arg == '\0')
			c->verbose = 1;
		else
			c->transcript_path = arg;
		return 1;
	case CLI_OPT_TRANSCRIPT_DATA:
		c->transcript_data = 1;
		return 1;
	case CLI_OPT_CHUNKING:
		c->chunking = 1;
		return 1;
	case CLI_OPT_NO_QUEUE:
		c->no_queue = 1;
		return 1;
	case CLI_OPT_TRANSCRIPT_JSON:
		c->json_path = arg;
		return 1;
	case CLI_OPT_QUIT_AFTER:
	case CLI_OPT_DROP_AFTER:
		if (smtp_stage_parse(arg, &c->stop_after) < 0) {
			cli_error(_("%s takes one of connect, greeting, ehlo, "
			    "tls, auth, mail, rcpt, data, dot, not '%s'"),
			    opt == CLI_OPT_QUIT_AFTER ? "--quit-after" :
			    "--drop-after", arg);
			c->usage_error = 1;
		}
		c->stop_drop = opt == CLI_OPT_DROP_AFTER;
		c->stop_arg = arg;
		return 1;
	case CLI_OPT_HEX:
		c->hex = 1;
		return 1;
	case CLI_OPT_SHOW_AUTH:
		if (arg == NULL)
			c->show_auth = 1;
		else if (strcmp(arg, "all") == 0)
			c->show_auth = 2;
		else
			c->show_auth = -1;  /* refused by cli_setup() */
		return 1;
	case CLI_OPT_TLS_MIN:
		c->tls_min_version = arg;
		return 1;
	case CLI_OPT_TLS_MAX:
		c->tls_max_version = arg;
		return 1;
	case CLI_OPT_TLS_CIPHERS:
		c->tls_ciphers = arg;
		return 1;
	case CLI_OPT_TLS_CIPHERSUITES:
		c->tls_ciphersuites = arg;
		return 1;
	case CLI_OPT_TLS_LEGACY:
		c->tls_allow_legacy = 1;
		return 1;
	case CLI_OPT_TLS_REQUIRED:
		c->tls_required = 1;
		return 1;
	case CLI_OPT_DNS_SERVER:
		c->dns_server = arg;
		return 1;
	case CLI_OPT_PROXY:
		c->proxy = arg;
		return 1;
	case CLI_OPT_DIRECT:
		c->direct = 1;
		return 1;
	case '4':
		c->family = AF_INET;
		return 1;
	case '6':
		c->family = AF_INET6;
		return 1;
	case 'v':
		c->verbose++;
		return 1;
	default:
		return 0;
	}
}

void
cli_common_help(FILE *fp, int sending)
{
	(void)fputs(_(
"  --config FILE        read FILE instead of ~/.config/pigeon/config\n"
"  --account NAME       use account NAME instead of the default one\n"
"  --server URL         smtp://[user@]host[:port] (STARTTLS), smtps://...\n"
"                       (implicit TLS), smtp+plain://... (no TLS),\n"
"                       lmtp://host[:port] or lmtp:///path/to/socket (LMTP)\n"
"  -v, --transcript     show the SMTP dialogue live on standard error\n"
"  --transcript=FILE    write the SMTP dialogue to FILE\n"
"  --transcript-json=FILE  write it to FILE as JSON lines, one event a line\n"
"  -vv                  also show the engine's states\n"
"  --hex, -vvv          also dump every byte read and written in hex\n"
"                       (inside TLS: decrypted); secrets stay masked\n"
"  --show-auth[=all]    decode what the client answers in AUTH: the user\n"
"                       name; the password too only with =all\n"
"  --tls-min-version V, --tls-max-version V\n"
"                       TLS versions to allow: 1.2 or 1.3 (1.0 and 1.1\n"
"                       only with --tls-allow-legacy)\n"
"  --tls-ciphers LIST   TLS 1.2 ciphers, in OpenSSL's syntax\n"
"  --tls-ciphersuites LIST\n"
"                       TLS 1.3 ciphersuites, in OpenSSL's syntax\n"
"  -4, -6               connect over IPv4 only, or IPv6 only\n"
"  --dns-server ADDR[:PORT]\n"
"                       ask this name server (IPv4) for MX records and\n"
"                       the mail hosts' addresses\n"), fp);
	(void)fputs(_(
"  --proxy URL          connect through the SOCKS5 proxy\n"
"                       socks5://[user@]host:port (names resolved by it);\n"
"                       'none': not the account's proxy\n"), fp);
	if (sending)
		(void)fputs(_(
"  --transcript-data    include the message data in the transcript\n"
"  --no-queue           deliver now or fail (exit 75); keep nothing queued\n"),
		    fp);
	if (sending)
		(void)fputs(_(
"  --quit-after STAGE   a test: stop after STAGE (connect, greeting, ehlo,\n"
"                       tls, auth, mail, rcpt, data, dot) with QUIT; the\n"
"                       message is not kept unless the server took it (dot)\n"
"  --drop-after STAGE   the same, closing the connection without QUIT\n"),
		    fp);
	(void)fputs(_("  --help, --version\n"), fp);
	(void)fputs("\n", fp);
#ifdef PIGEON_BUGREPORT
	/* L10N: %s is where to report bugs: an address or a web page. */
	(void)fprintf(fp, _("Report bugs to %s.\n"), PIGEON_BUGREPORT);
#else
	(void)fputs(_("Report bugs to the pigeon issue tracker, with the "
	    "output of 'pigeon --version'\nand, for a sending problem, "
	    "the transcript that -v shows.\n"), fp);
#endif
}

void
cli_version(void)
{
	(void)printf("pigeon %s\n", VERSION);
	(void)printf(_("Copyright (C) the pigeon authors.\n"
	    "License ISC: see the LICENSE file or "
	    "<https://opensource.org/license/isc-license-txt>.\n"
	    "This is free software: you are free to change and redistribute "
	    "it.\nThere is NO WARRANTY, to the extent permitted by law.\n"));
	/*
	 * Not translated: the tests read this line to know whether the
	 * program they run has the fault injection or the parts they need.
	 */
#ifdef PIGEON_TEST_HOOKS
	(void)printf("features: test-hooks%s smime\n",
	    pgpmime_built_in(PGPMIME_PGP) ? " pgp" : "");
#else
	(void)printf("features:%s smime\n",
	    pgpmime_built_in(PGPMIME_PGP) ? " pgp" : "");
#endif
}

int
cli_bad_option(const char *cmd, char *const *argv, int opt)
{
	const char *w = optind > 0 ? argv[optind - 1] : "?";
	char shortopt[3] = { '-', 0, 0 };
	size_t n;

	/*
	 * getopt tells a short option by optopt; a long one only by the
	 * word it stopped after ("--acount=x": the name without the value).
	 */
	if (optopt > 0 && optopt < 0x100) {
		shortopt[1] = (char)optopt;
		w = shortopt;
		n = 2;
	} else {
		n = strcspn(w, "=");
	}
	if (cmd != NULL && opt == ':')
		cli_error(_("option '%.*s' needs a value; try 'pigeon %s "
		    "--help'"), (int)n, w, cmd);
	else if (cmd != NULL)
		cli_error(_("unknown option '%.*s'; try 'pigeon %s --help'"),
		    (int)n, w, cmd);
	else if (opt == ':')
		cli_error(_("option '%.*s' needs a value; try 'pigeon "
		    "--help'"), (int)n, w);
	else
		cli_error(_("unknown option '%.*s'; try 'pigeon --help'"),
		    (int)n, w);
	return EX_USAGE;
}
