/* cli.h - what the command-line subcommands share: options, accounts, passwords, transcripts. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_CLI_H
#define PIGEON_CLI_H

#include <stdio.h>

#include "conf.h"
#include "outbox.h"
#include "route.h"
#include "submit.h"
#include "transcript.h"
#include "trjson.h"

/* Options every subcommand takes. */
struct cli {
	const char *config_path;
	const char *account_name;
	const char *server;          /* --server URL */
	int verbose;                 /* -v: transcript to stderr */
	const char *transcript_path; /* --transcript=FILE */
	int transcript_data;         /* --transcript-data */
	int chunking;                /* --chunking */
	int no_queue;                /* --no-queue: deliver now or fail */
	int hex;                     /* --hex (or -vvv): dump every read and write */
	int show_auth;               /* --show-auth: 1, =all: 2, a bad value: -1 */
	/* --tls-min-version and the rest: over the account's tls_* keys. */
	const char *tls_min_version;
	const char *tls_max_version;
	const char *tls_ciphers;
	const char *tls_ciphersuites;
	int tls_allow_legacy;
	int tls_required;            /* --tls-required: direct to MX with STARTTLS only */
	int family;                  /* -4: AF_INET, -6: AF_INET6, else 0 */
	const char *dns_server;      /* --dns-server ADDR[:PORT] */
	const char *proxy;           /* --proxy URL: over the account's proxy */
	int direct;                  /* --direct: to each recipient domain's MX */
	struct transcript *tr_shared; /* the events go here (the UI's pane), not freed */
	const char *json_path;       /* --transcript-json=FILE */
	enum smtp_stage stop_after;  /* --quit-after/--drop-after STAGE */
	int stop_drop;               /* --drop-after */
	const char *stop_arg;        /* the STAGE as given */
	int usage_error;             /* a shared option was wrong (told) */

	/* Filled by cli_setup(). */
	struct conf *conf;
	const struct account *acct;
	struct route rt;           /* rt.so: what the session is given */
	struct transcript *tr;
	struct tr_file_writer err_writer;
	struct tr_file_writer file_writer;
	FILE *transcript_fp;
	struct trjson json_writer;
	FILE *json_fp;
};

/* Long options shared by the subcommands, for getopt_long tables. */
enum {
	CLI_OPT_CONFIG = 0x100,
	CLI_OPT_ACCOUNT,
	CLI_OPT_SERVER,
	CLI_OPT_TRANSCRIPT,
	CLI_OPT_TRANSCRIPT_DATA,
	CLI_OPT_CHUNKING,
	CLI_OPT_NO_QUEUE,
	CLI_OPT_HELP,
	CLI_OPT_VERSION,
	CLI_OPT_TRANSCRIPT_JSON,
	CLI_OPT_QUIT_AFTER,
	CLI_OPT_DROP_AFTER,
	CLI_OPT_HEX,
	CLI_OPT_SHOW_AUTH,
	CLI_OPT_TLS_MIN,
	CLI_OPT_TLS_MAX,
	CLI_OPT_TLS_CIPHERS,
	CLI_OPT_TLS_CIPHERSUITES,
	CLI_OPT_TLS_LEGACY,
	CLI_OPT_DNS_SERVER,
	CLI_OPT_DIRECT,
	CLI_OPT_TLS_REQUIRED,
	CLI_OPT_PROXY,
	CLI_OPT_LAST_,
};

/* The long options every subcommand takes, for its getopt_long table. */
#define CLI_LONGOPTS \
	{ "config", required_argument, NULL, CLI_OPT_CONFIG }, \
	{ "account", required_argument, NULL, CLI_OPT_ACCOUNT }, \
	{ "server", required_argument, NULL, CLI_OPT_SERVER }, \
	{ "transcript", optional_argument, NULL, CLI_OPT_TRANSCRIPT }, \
	{ "transcript-json", required_argument, NULL, CLI_OPT_TRANSCRIPT_JSON }, \
	{ "hex", no_argument, NULL, CLI_OPT_HEX }, \
	{ "show-auth", optional_argument, NULL, CLI_OPT_SHOW_AUTH }, \
	{ "dns-server", required_argument, NULL, CLI_OPT_DNS_SERVER }, \
	{ "proxy", required_argument, NULL, CLI_OPT_PROXY }, \
	{ "help", no_argument, NULL, CLI_OPT_HELP }, \
	{ "version", no_argument, NULL, CLI_OPT_VERSION }
/* And those of the subcommands that send a message. */
#define CLI_LONGOPTS_SEND \
	{ "transcript-data", no_argument, NULL, CLI_OPT_TRANSCRIPT_DATA }, \
	{ "chunking", no_argument, NULL, CLI_OPT_CHUNKING }, \
	{ "no-queue", no_argument, NULL, CLI_OPT_NO_QUEUE }, \
	{ "direct", no_argument, NULL, CLI_OPT_DIRECT }

/* The stop points, for the commands that talk to a server (send, sendmail, probe). */
#define CLI_LONGOPTS_STOP \
	{ "quit-after", required_argument, NULL, CLI_OPT_QUIT_AFTER }, \
	{ "drop-after", required_argument, NULL, CLI_OPT_DROP_AFTER }
/* And those of the subcommands that talk to a server: TLS versions and ciphers. */
#define CLI_LONGOPTS_TLS \
	{ "tls-min-version", required_argument, NULL, CLI_OPT_TLS_MIN }, \
	{ "tls-max-version", required_argument, NULL, CLI_OPT_TLS_MAX }, \
	{ "tls-ciphers", required_argument, NULL, CLI_OPT_TLS_CIPHERS }, \
	{ "tls-ciphersuites", required_argument, NULL, \
	    CLI_OPT_TLS_CIPHERSUITES }, \
	{ "tls-allow-legacy", no_argument, NULL, CLI_OPT_TLS_LEGACY }, \
	{ "tls-required", no_argument, NULL, CLI_OPT_TLS_REQUIRED }

/* Handle a shared option from getopt_long; 1 if it was one, 0 if not. */
int cli_common_option(struct cli *c, int opt, const char *arg);

/* Load the config and pick the account (once); 0 or an exit code, shown. */
int cli_load_config(struct cli *c);

/*
 * Load the config, pick the account, make its route (url_arg overrides
 * --server and the account), get the password when auth is wanted and a
 * user is known (asking on the terminal when nothing else has it, unless
 * no_prompt), open the transcript writers.  Prints the error and returns a
 * sysexits code on failure, 0 on success.
 */
int cli_setup(struct cli *c, const char *url_arg, int want_auth);
/*
 * Another route of the same run over server (route_init(): "mx:DOMAIN"
 * too), with the options given (stop point, TLS, -4/-6, --dns-server)
 * as cli_setup() applies them to c->rt; no login.  0 or an exit code,
 * shown; route_free() it either way.
 */
int cli_route(struct cli *c, struct route *rt, const char *server);
int cli_setup_quiet(struct cli *c, const char *url_arg, int want_auth);
void cli_cleanup(struct cli *c);

/*
 * Delivery as a command shows it: a subscriber of the pipeline's events
 * that tells the user on stderr (and "sent ID" on stdout unless quiet)
 * and works out the exit status by the table of pigeon(1): 0 delivered
 * or safely queued, the sysexit of the cause for what failed for good,
 * EX_TEMPFAIL for a temporary failure with --no-queue, EX_IOERR when an
 * outcome could not be filed.
 */
struct cli_report {
	int rc;
	int quiet;                 /* no line for a message that went */
	int loud_left;             /* say so when another pigeon has one */
	int no_queue;
	size_t bulk;               /* messages put off by one failure */
	size_t delivered;          /* messages sent (to some recipients at least) */
	const struct cli *c;       /* its stop point, if any: the run is a test */
	const char *stage;         /* where the last message stopped or failed */
	int stopped;               /* it stopped at the stop point, as asked */
	char *why;                 /* why the last message failed (malloc'd) */
};
/* The report's end: the JSON outcome, with a stop point the last line; rc back. */
int cli_report_end(struct cli *c, struct cli_report *r, int rc);
void cli_report_init(struct cli_report *r, int quiet, int no_queue);
void cli_report_event(void *arg, const struct submit_event *ev);

/*
 * A stop point was given: the line that ends the run, on stderr, naming
 * the stage ("stopped after RCPT as asked (--quit-after rcpt)" or
 * "failed at stage rcpt: why"), and the last line of the JSON transcript.
 * rc is the exit status the run ends with.
 */
void cli_stop_outcome(struct cli *c, int stopped, const char *stage,
    const char *why, int rc);
/* Without a stop point: the last line of the JSON transcript only. */
void cli_json_outcome(struct cli *c, const char *status, const char *stage,
    int rc, const char *why);

/* Open the outbox in the data directory; 0 or an exit code (shown). */
int cli_open_outbox(struct outbox **ob);
/*
 * After a send that reached the server: due messages of the account wait
 * in the outbox?  Then a detached process flushes them (the caller never
 * waits for it, and its exit status is about its own message).  Output is
 * flushed first.
 */
void cli_flush_behind(const struct cli *c, struct outbox *ob);

/* "pigeon: " + message on stderr, control characters escaped. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "pigeon: " + a note the user asked for (-v), as cli_error() writes it. */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open the session and wait until it is ready; 0 or a sysexits code. */
int cli_connect(struct cli *c, struct session **out);
/* Report how a session ended badly; returns the exit code. */
int cli_session_failed(struct session *s);
/* probe --step (probestep.c): the session of c->rt (smtp.hold set) driven from the terminal; the exit code. */
int cli_probe_step(struct cli *c);

/* Drop repeated recipients (any case): the server would deliver twice. */
size_t cli_dedupe(const char **v, size_t n);

/*
 * Flush the queue: every message (due_only 0) or those due (1), of the
 * account named (NULL: all), one connection per route.  The exit status.
 */
int cli_flush(const struct cli *opts, struct outbox *ob, int due_only,
    const char *account, int quiet);

/* prefix and text on standard output, text with control characters escaped. */
void cli_print_safe(const char *prefix, const char *text);

/*
 * A command that writes a message as "pigeon send" does, from something
 * else (reply, forward): send's options, its own, and these hooks.
 */
struct draft;
struct option;
struct cli_compose {
	const char *cmd;             /* "reply", for messages */
	const struct option *opts;   /* its long options (first), up to a NULL name */
	void (*help)(FILE *fp);
	int (*option)(void *arg, int opt);   /* 1: its own option, taken */
	/*
	 * The options read (d has what they gave), before the connection
	 * is set up: the operands args[0..n).  It may load the config
	 * (cli_load_config()) and choose c->acct.  *stdin_taken: the text
	 * is not on standard input (without --body it is empty then).  0
	 * or an exit status, told.
	 */
	int (*start)(void *arg, struct cli *c, struct draft *d, char **args,
	    int n, int *stdin_taken);
	/* The new text is in d->text: make the whole text.  0 or an exit status, told. */
	int (*finish)(void *arg, struct cli *c, struct draft *d);
	void *arg;
};
/* "pigeon send" with cc (NULL: send itself). */
int cli_send_main(int argc, char **argv, const struct cli_compose *cc);

int cmd_reply(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_sendmail(int argc, char **argv);
int cmd_queue(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_oauth2(int argc, char **argv);
/* The interactive UI: "pigeon" without a command. */
int cmd_ui(int argc, char **argv);

/*
 * Common help text for the shared options; sending adds the data ones.
 * It ends every --help, so it ends with where to report bugs (the
 * address in PIGEON_BUGREPORT when the build defines one).
 */
void cli_common_help(FILE *fp, int sending);

/* --version: the version, copyright and licence lines, on stdout. */
void cli_version(void);

/*
 * A wrong option, as getopt_long (with opterr 0 and ':' leading the
 * short options) returned it in opt ('?' or ':'): one line on stderr
 * naming it and "pigeon CMD --help" (cmd NULL: "pigeon --help"), never
 * the whole usage.  Returns EX_USAGE.
 */
int cli_bad_option(const char *cmd, char *const *argv, int opt);

/* "pigeon sendmail -bp" and the program run as "mailq": the queue. */
int cli_queue_list(struct outbox *ob);
int cmd_mailq(int argc, char **argv);

#endif
