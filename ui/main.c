/* main.c - pigeon's entry point: pick the subcommand (or sendmail mode) and run it. */
/* SPDX-License-Identifier: ISC */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"

static void
usage(FILE *fp)
{
	(void)fputs(_(
"Usage: pigeon [options]\n"
"       pigeon COMMAND [options]\n"
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
"  queue [list|flush|retry ID|edit ID|rm ID|log ID]\n"
"                       the outbox: what waits to be sent, and what failed\n"
"  probe [URL]          show what a submission server offers: TLS,\n"
"                       certificate, capabilities, authentication\n"
"\n"
"Run 'pigeon COMMAND --help' for the options of a command.\n"
"Common options:\n"), fp);
	cli_common_help(fp, 1);
}

/* Is the program being run under the name "sendmail"? */
static int
called_as_sendmail(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base != NULL ? base + 1 : argv0;
	return strcmp(base, "sendmail") == 0;
}

int
main(int argc, char **argv)
{
	(void)setlocale(LC_ALL, "");
#ifdef ENABLE_NLS
	(void)bindtextdomain(PACKAGE, LOCALEDIR);
	(void)textdomain(PACKAGE);
#endif
	/* A server that hangs up must give an error, not kill us. */
	(void)signal(SIGPIPE, SIG_IGN);

	if (argc > 0 && called_as_sendmail(argv[0]))
		return cmd_sendmail(argc, argv);
	/* No command (options at most): the interactive UI, on a terminal. */
	if (argc < 2 && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		usage(stderr);
		return EX_USAGE;
	}
	if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 &&
	    strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--version") != 0))
		return cmd_ui(argc, argv);
	if (strcmp(argv[1], "sendmail") == 0)
		return cmd_sendmail(argc - 1, argv + 1);
	if (strcmp(argv[1], "send") == 0)
		return cmd_send(argc - 1, argv + 1);
	if (strcmp(argv[1], "queue") == 0)
		return cmd_queue(argc - 1, argv + 1);
	if (strcmp(argv[1], "probe") == 0)
		return cmd_probe(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EX_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		(void)printf("pigeon %s\n", VERSION);
#ifdef PIGEON_TEST_HOOKS
		/*
		 * Not translated: the tests read this line to know whether
		 * the program they run has the fault injection they need.
		 */
		(void)printf("features: test-hooks\n");
#endif
		return EX_OK;
	}
	(void)fprintf(stderr, _("pigeon: unknown command '%s'\n\n"), argv[1]);
	usage(stderr);
	return EX_USAGE;
}
