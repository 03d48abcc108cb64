/* runcmd.h - run a configured command: what the user typed goes in as an argument, never as shell code. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_RUNCMD_H
#define PIGEON_RUNCMD_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "err.h"

/*
 * The sh(1) script for a command template from the configuration
 * (query_command): each "%s" becomes a reference to the first positional
 * parameter, quoted for the place where it stands -- "${1}" outside
 * quotes, ${1} inside double quotes, and inside single quotes the quote
 * is closed around "${1}" -- so '%s', "%s" and %s all give "${1}".  "%%"
 * is a '%'; a backslash before a '%' outside quotes is dropped.  A
 * template without "%s" gets " "${1}"" at its end.  The value itself is
 * never part of the script, so whatever it holds ($(...), backquotes,
 * quotes, ';', newlines) cannot become shell syntax: it reaches the
 * command as one word.  malloc'd; NULL when memory runs out.
 */
char *runcmd_script(const char *tmpl);

/* in_fd for runcmd_argv() and runcmd_sh(): the child reads /dev/null. */
#define RUNCMD_DEVNULL (-2)

/*
 * Start argv[0] (looked up in $PATH when it holds no '/') with argv.
 * The child's standard input is in_fd (-1: this process's,
 * RUNCMD_DEVNULL: /dev/null), its standard output out_fd (-1: this
 * process's); standard error is inherited.  It starts with no signal
 * blocked and SIGPIPE at its default, as if run from a shell, whatever
 * the caller blocks or ignores.  Returns 0, or an errno value.
 */
int runcmd_argv(pid_t *pid, char *const argv[], int in_fd, int out_fd);

/*
 * /bin/sh -c script sh arg: arg (NULL: none) is the script's "$1".
 * Otherwise as runcmd_argv().
 */
int runcmd_sh(pid_t *pid, const char *script, const char *arg, int in_fd,
    int out_fd);

/*
 * runcmd_sh() with flags: RUNCMD_OWN_GROUP starts the child as the leader
 * of a new process group, so that kill(-pid, sig) reaches whatever the
 * script started too (a command that must be stopped after a time);
 * RUNCMD_NO_STDERR gives it /dev/null as standard error.
 */
#define RUNCMD_OWN_GROUP 1
#define RUNCMD_NO_STDERR 2
int runcmd_sh_flags(pid_t *pid, const char *script, const char *arg,
    int in_fd, int out_fd, int flags);

/*
 * A pipe for talking to a child: both ends close-on-exec and above the
 * standard descriptors (a caller that closed 0, 1 or 2 would otherwise
 * get an end that the child's dup2() clobbers).  0, or -1 with errno.
 */
int runcmd_pipe(int fds[2]);

/* The limits of runcmd_capture(). */
struct runcmd_limits {
	int timeout_ms;
	size_t max;         /* bytes of output at most */
	const char *name;   /* the command's name for messages */
};

/*
 * Run script (/bin/sh -c, in a process group of its own, standard error
 * to /dev/null) with arg as "$1" (or NULL), in_fd as standard input; its
 * output onto out (NULL: thrown away) until it ends.  ERR_OK with *status
 * (waitpid's); ERR_TIMEOUT when it ran over lim->timeout_ms (then it and
 * what it started are killed), ERR_DATA when it printed more than
 * lim->max, ERR_CONFIG when it cannot be started, ERR_NOMEM; each with
 * *errstr naming lim->name.
 */
enum err runcmd_capture(const struct runcmd_limits *lim, const char *script,
    const char *arg, int in_fd, struct buf *out, int *status, char **errstr);

/* Wait for pid to end, going on after EINTR; 0 with *status, or -1 with errno. */
int runcmd_wait(pid_t pid, int *status);

#endif
