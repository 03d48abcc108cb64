/* cli.h - what the command-line subcommands share: options, accounts, passwords, transcripts. */
#ifndef PIGEON_CLI_H
#define PIGEON_CLI_H

#include <stdio.h>

#include "conf.h"
#include "session.h"
#include "transcript.h"
#include "url.h"

/* Options every subcommand takes. */
struct cli {
	const char *config_path;
	const char *account_name;
	const char *server;          /* --server URL */
	int verbose;                 /* -v: transcript to stderr */
	const char *transcript_path; /* --transcript=FILE */
	int transcript_data;         /* --transcript-data */
	int chunking;                /* --chunking */

	/* Filled by cli_setup(). */
	struct conf *conf;
	const struct account *acct;
	struct url url;
	char *secret;
	char *helo;
	struct session_opts so;
	struct transcript *tr;
	struct tr_file_writer err_writer;
	struct tr_file_writer file_writer;
	FILE *transcript_fp;
};

/* Long options shared by the subcommands, for getopt_long tables. */
enum {
	CLI_OPT_CONFIG = 0x100,
	CLI_OPT_ACCOUNT,
	CLI_OPT_SERVER,
	CLI_OPT_TRANSCRIPT,
	CLI_OPT_TRANSCRIPT_DATA,
	CLI_OPT_CHUNKING,
	CLI_OPT_HELP,
	CLI_OPT_VERSION,
	CLI_OPT_LAST_,
};

/* The long options every subcommand takes, for its getopt_long table. */
#define CLI_LONGOPTS \
	{ "config", required_argument, NULL, CLI_OPT_CONFIG }, \
	{ "account", required_argument, NULL, CLI_OPT_ACCOUNT }, \
	{ "server", required_argument, NULL, CLI_OPT_SERVER }, \
	{ "transcript", optional_argument, NULL, CLI_OPT_TRANSCRIPT }, \
	{ "help", no_argument, NULL, CLI_OPT_HELP }, \
	{ "version", no_argument, NULL, CLI_OPT_VERSION }
/* And those of the subcommands that send a message. */
#define CLI_LONGOPTS_SEND \
	{ "transcript-data", no_argument, NULL, CLI_OPT_TRANSCRIPT_DATA }, \
	{ "chunking", no_argument, NULL, CLI_OPT_CHUNKING }

/* Handle a shared option from getopt_long; 1 if it was one, 0 if not. */
int cli_common_option(struct cli *c, int opt, const char *arg);

/* Load the config and pick the account (once); 0 or an exit code, shown. */
int cli_load_config(struct cli *c);

/*
 * Load the config, pick the account, resolve the server URL (url_arg
 * overrides --server and the account), get the password when auth is
 * wanted and a user is known, open the transcript writers, and fill
 * c->so.  Prints the error and returns a sysexits code on failure, 0 on
 * success.
 */
int cli_setup(struct cli *c, const char *url_arg, int want_auth);
void cli_cleanup(struct cli *c);

/* "pigeon: " + message on stderr, control characters escaped. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open the session and wait until it is ready; 0 or a sysexits code. */
int cli_connect(struct cli *c, struct session **out);
/* Report how a session ended badly; returns the exit code. */
int cli_session_failed(struct session *s);

/* Drop repeated recipients (any case): the server would deliver twice. */
size_t cli_dedupe(const char **v, size_t n);

/* prefix and text on standard output, text with control characters escaped. */
void cli_print_safe(const char *prefix, const char *text);

int cmd_sendmail(int argc, char **argv);
int cmd_queue(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_probe(int argc, char **argv);
/* The interactive UI: "pigeon" without a command. */
int cmd_ui(int argc, char **argv);

/* Common help text for the shared options; sending adds the data ones. */
void cli_common_help(FILE *fp, int sending);

#endif
