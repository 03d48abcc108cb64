/* main.c - pigeon's entry point: pick the subcommand (or sendmail mode) and run it. */
/* SPDX-License-Identifier: ISC */
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "mailto.h"

static void
usage(void)
{
	(void)fputs(_(
"Usage: pigeon [options]\n"
"       pigeon [options] COMMAND [options]\n"
"\n"
"Without a command pigeon opens its interactive composer on the terminal.\n"
"\n"
"Commands:\n"
"  sendmail [-t] [-i] [-f FROM] [RCPT...]\n"
"                       send the message on standard input (sendmail\n"
"                       compatible; also when pigeon is run as 'sendmail')\n"
"  send [-s SUBJECT] [-a FILE]... [-c CC] [-b BCC] RCPT...\n"
"                       compose a MIME message (text from standard input)\n"
"                       and send it; --dry-run prints it instead\n"
"  reply [--all] FILE|- answer a stored message (send's options too)\n"
"  forward [--inline|--attach] FILE|- RCPT...\n"
"                       pass a stored message on (send's options too)\n"
"  queue [list|flush|retry ID|edit ID|rm ID|log ID]\n"
"                       the outbox: what waits to be sent, and what failed\n"
"  probe [URL]          show what a submission server offers: TLS,\n"
"                       certificate, capabilities, authentication;\n"
"                       --mx DOMAIN: a domain's mail hosts and policy;\n"
"                       --step: a session one stage at a time\n"
"  trust HOST[:PORT]    trust a server's new certificate (tls_trust = tofu);\n"
"                       --list, --forget HOST\n"
"  oauth2 login [ACCOUNT]\n"
"                       get an OAuth2 refresh token (device flow)\n"
"\n"
"Run 'pigeon COMMAND --help' for the options of a command.\n"
"Common options, before or after the command:\n"), stdout);
	cli_common_help(stdout, 1);
}

/* Is the program being run under the name name ("sendmail", "mailq")? */
static int
called_as(const char *argv0, const char *name)
{
	const char *base = strrchr(argv0, '/');

	base = base != NULL ? base + 1 : argv0;
	return strcmp(base, name) == 0;
}

/*
 * How many words the common option at v[0] takes (1 or 2), 0 when it is
 * not one: these may come before the command as well as after it.
 */
static int
common_words(const char *arg, const char *next)
{
	static const char *const with_value[] = {
		"--config", "--account", "--server", "--transcript-json",
		"--quit-after", "--drop-after", "--tls-min-version",
		"--tls-max-version", "--tls-ciphers", "--tls-ciphersuites",
		"--dns-server", "--proxy",
	};
	static const char *const alone[] = {
		"--transcript", "--transcript-data", "--chunking",
		"--no-queue", "--hex", "--show-auth", "--show-auth=all",
		"--tls-allow-legacy", "--tls-required", "-4", "-6",
	};
	size_t i, n;

	if (arg[0] == '-' && arg[1] == 'v' && arg[strspn(arg + 1, "v") + 1] ==
	    '\0')
		return 1;
	if (strncmp(arg, "--transcript=", 13) == 0)
		return 1;
	for (i = 0; i < sizeof(alone) / sizeof(alone[0]); i++)
		if (strcmp(arg, alone[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++) {
		n = strlen(with_value[i]);
		if (strncmp(arg, with_value[i], n) != 0)
			continue;
		if (arg[n] == '=')
			return 1;
		if (arg[n] == '\0')
			return next != NULL ? 2 : 1;
	}
	return 0;
}

static const char *const commands[] = {
	"sendmail", "send", "queue", "probe", "trust", "reply", "forward",
	"oauth2",
};

static int
is_command(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(w, commands[i]) == 0)
			return 1;
	return 0;
}

/*
 * "pigeon --account home sendmail -oi -t" (mutt and git put the common
 * options first) becomes "pigeon sendmail --account home -oi -t": the
 * command word first, then the options that came before it, then the rest, so
 * that each command parses them as its own.  Nothing changes when no
 * command follows the common options.  The new vector is never freed:
 * it lives as long as the program.
 */
static char **
command_first(int argc, char **argv)
{
	char **v;
	int i = 1, n, k = 0, j;

	while (i < argc && (n = common_words(argv[i], i + 1 < argc ?
	    argv[i + 1] : NULL)) > 0)
		i += n;
	if (i == 1 || i >= argc || !is_command(argv[i]))
		return argv;
	if ((v = calloc((size_t)argc + 1, sizeof(*v))) == NULL)
		return argv;
	v[k++] = argv[0];
	v[k++] = argv[i];
	for (j = 1; j < i; j++)
		v[k++] = argv[j];
	for (j = i + 1; j < argc; j++)
		v[k++] = argv[j];
	v[k] = NULL;
	return v;
}

int
main(int argc, char **argv)
{
	(void)setlocale(LC_ALL, "");
#ifdef ENABLE_NLS
	{
		const char *dir = LOCALEDIR;
#ifdef PIGEON_TEST_HOOKS
		/* Test builds: the tests use the build tree's catalogues. */
		if (getenv("PIGEON_TEST_LOCALEDIR") != NULL)
			dir = getenv("PIGEON_TEST_LOCALEDIR");
#endif
		(void)bindtextdomain(PACKAGE, dir);
	}
	(void)textdomain(PACKAGE);
#endif
	/* A server that hangs up must give an error, not kill us. */
	(void)signal(SIGPIPE, SIG_IGN);

	if (argc > 0 && called_as(argv[0], "sendmail"))
		return cmd_sendmail(argc, argv);
	if (argc > 0 && called_as(argv[0], "mailq"))
		return cmd_mailq(argc, argv);
	argv = command_first(argc, argv);
	/* No command (options at most): the interactive UI, on a terminal. */
	if (argc < 2 && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		cli_error(_("no command given, and the composer needs a "
		    "terminal; try 'pigeon --help'"));
		return EX_USAGE;
	}
	if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 &&
	    strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--version") != 0))
		return cmd_ui(argc, argv);
	if (strcmp(argv[1], "sendmail") == 0)
		return cmd_sendmail(argc - 1, argv + 1);
	if (strcmp(argv[1], "send") == 0)
		return cmd_send(argc - 1, argv + 1);
	if (strcmp(argv[1], "reply") == 0)
		return cmd_reply(argc - 1, argv + 1);
	if (strcmp(argv[1], "forward") == 0)
		return cmd_forward(argc - 1, argv + 1);
	if (strcmp(argv[1], "queue") == 0)
		return cmd_queue(argc - 1, argv + 1);
	if (strcmp(argv[1], "probe") == 0)
		return cmd_probe(argc - 1, argv + 1);
	if (strcmp(argv[1], "trust") == 0)
		return cmd_trust(argc - 1, argv + 1);
	if (strcmp(argv[1], "oauth2") == 0)
		return cmd_oauth2(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage();
		return EX_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		cli_version();
		return EX_OK;
	}
	/* "pigeon bob@example.org", "pigeon mailto:...": the composer. */
	if (mailto_is_target(argv[1]))
		return cmd_ui(argc, argv);
	cli_error(_("unknown command '%s'; try 'pigeon --help'"), argv[1]);
	return EX_USAGE;
}
