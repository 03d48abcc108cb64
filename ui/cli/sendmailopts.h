/* sendmailopts.h - the command line of "pigeon sendmail", read for sendmail.c. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SENDMAILOPTS_H
#define PIGEON_SENDMAILOPTS_H

#include "buf.h"
#include "cli.h"
#include "smtp.h"

/* What the command line asks for. */
enum sm_mode {
	SM_SEND,        /* -bm: the message on stdin */
	SM_LIST,        /* -bp, mailq */
	SM_FLUSH,       /* -q */
	SM_NOTHING,     /* -bi: the aliases need no database */
};

struct sm_opts {
	enum sm_mode mode;
	const char *from_arg, *fullname;
	int extract, abort_on_reject, no_alias, queue_only;
	struct smtp_envelope env;
	struct buf ignored;      /* flags taken and ignored, for -v */
};

/*
 * Read sendmail's flags and the shared options into o and c (o->ignored
 * initialised by the caller); -1 to go on with the operands at optind,
 * else the exit status (0 after --help or --version), told.
 */
int sendmailopts_parse(int argc, char **argv, struct cli *c,
    struct sm_opts *o);
/*
 * Check and normalise the DSN flags and -F; 0 or EX_USAGE (shown).
 * *notify: the -N value as it goes to the server, malloc'd.
 */
int sendmailopts_check(struct sm_opts *o, char **notify);
/* -bp, -q, -bi: the queue, not a message; the exit status. */
int sendmailopts_queue(struct cli *c, const struct sm_opts *o);

#endif
