/* runcmd.c - run a configured command: what the user typed goes in as an argument, never as shell code. */
/* SPDX-License-Identifier: ISC */
#include "runcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

/* A command line from the configuration is short; this is plenty. */
#define SCRIPT_MAX (64 * 1024)

extern char **environ;

/* Where a "%s" stands in the template, as sh reads it. */
enum quoting { Q_NONE, Q_SINGLE, Q_DOUBLE };

/*
 * The reference to "$1" for a "%s" at *p (p[2] is what follows it) in the
 * quoting q; open is where in b the quote now open began.  A quoted "%s"
 * alone in its quotes loses them.  Returns how many template bytes past
 * the "%s" it used (the closing quote), or -1.
 */
static int
add_ref(struct buf *b, const char *p, enum quoting *q, size_t *open)
{
	switch (*q) {
	case Q_NONE:
		return buf_addstr(b, "\"${1}\"") < 0 ? -1 : 0;
	case Q_DOUBLE:
		/* Expanded inside double quotes: one word, not split. */
		return buf_addstr(b, "${1}") < 0 ? -1 : 0;
	case Q_SINGLE:
		break;
	}
	/* Nothing expands within '...': close it around the reference. */
	if (b->len == *open + 1)
		buf_truncate(b, *open);
	else if (buf_addch(b, '\'') < 0)
		return -1;
	if (buf_addstr(b, "\"${1}\"") < 0)
		return -1;
	if (p[2] == '\'') {
		*q = Q_NONE;
		return 1;
	}
	*open = b->len;
	return buf_addch(b, '\'') < 0 ? -1 : 0;
}

char *
runcmd_script(const char *tmpl)
{
	enum quoting q = Q_NONE;
	struct buf b;
	const char *p;
	size_t open = 0;
	int used = 0, skip;
	char *s;

	buf_init(&b, SCRIPT_MAX);
	for (p = tmpl; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == '%') {
			if (buf_addch(&b, '%') < 0)
				goto fail;
			p++;
			continue;
		}
		if (p[0] == '%' && p[1] == 's') {
			if ((skip = add_ref(&b, p, &q, &open)) < 0)
				goto fail;
			used = 1;
			p += 1 + skip;
			continue;
		}
		if (q == Q_NONE && p[0] == '\\' && p[1] == '%')
			continue;       /* sh reads \% as %; the % is ours */
		if (q == Q_DOUBLE && p[0] == '\\' && p[1] == '%') {
			/* A backslash that stays, not one escaping our "$". */
			if (buf_addstr(&b, "\\\\") < 0)
				goto fail;
			continue;
		}
		if (p[0] == '\\' && q != Q_SINGLE && p[1] != '\0') {
			/* An escaped character is no quote of ours to count. */
			if (buf_add(&b, p, 2) < 0)
				goto fail;
			p++;
			continue;
		}
		if ((q == Q_NONE && (*p == '\'' || *p == '"')) ||
		    (q == Q_SINGLE && *p == '\'') || (q == Q_DOUBLE && *p == '"')) {
			if (q == Q_NONE)
				open = b.len;
			q = q != Q_NONE ? Q_NONE : *p == '\'' ? Q_SINGLE : Q_DOUBLE;
		}
		if (buf_addch(&b, *p) < 0)
			goto fail;
	}
	if (!used && buf_addstr(&b, " \"${1}\"") < 0)
		goto fail;
	s = strdup(buf_str(&b));
	buf_free(&b);
	return s;
fail:
	buf_free(&b);
	return NULL;
}

/* Move fd above the standard descriptors and make it close-on-exec. */
static int
safe_fd(int fd)
{
	int nfd;

	if (fd > STDERR_FILENO)
		return fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 ? fd : -1;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	(void)close(fd);
	return nfd;
}

int
runcmd_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	fds[0] = safe_fd(fds[0]);
	fds[1] = safe_fd(fds[1]);
	if (fds[0] < 0 || fds[1] < 0) {
		if (fds[0] >= 0)
			(void)close(fds[0]);
		if (fds[1] >= 0)
			(void)close(fds[1]);
		return -1;
	}
	return 0;
}

/* The child's standard input and output. */
static int
set_fds(posix_spawn_file_actions_t *fa, int in_fd, int out_fd, int flags)
{
	int r = 0;

	if (in_fd == RUNCMD_DEVNULL)
		r = posix_spawn_file_actions_addopen(fa, STDIN_FILENO,
		    "/dev/null", O_RDONLY, 0);
	else if (in_fd >= 0)
		r = posix_spawn_file_actions_adddup2(fa, in_fd, STDIN_FILENO);
	if (r == 0 && out_fd >= 0)
		r = posix_spawn_file_actions_adddup2(fa, out_fd,
		    STDOUT_FILENO);
	if (r == 0 && (flags & RUNCMD_NO_STDERR))
		r = posix_spawn_file_actions_addopen(fa, STDERR_FILENO,
		    "/dev/null", O_WRONLY, 0);
	return r;
}

static int
start(pid_t *pid, const char *path, char *const argv[], int in_fd,
    int out_fd, int flags)
{
	short sflags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	int r;

	if ((r = posix_spawn_file_actions_init(&fa)) != 0)
		return r;
	if ((r = posix_spawnattr_init(&attr)) != 0) {
		(void)posix_spawn_file_actions_destroy(&fa);
		return r;
	}
	/*
	 * The caller may block signals or ignore SIGPIPE; the command
	 * should start as if from a shell, or "yes | head -1" never ends.
	 */
	(void)sigemptyset(&none);
	(void)sigemptyset(&dflt);
	(void)sigaddset(&dflt, SIGPIPE);
	if (flags & RUNCMD_OWN_GROUP)
		sflags |= POSIX_SPAWN_SETPGROUP;    /* group 0: its own */
	if ((r = set_fds(&fa, in_fd, out_fd, flags)) == 0 &&
	    (r = posix_spawnattr_setsigmask(&attr, &none)) == 0 &&
	    (r = posix_spawnattr_setsigdefault(&attr, &dflt)) == 0 &&
	    (r = posix_spawnattr_setpgroup(&attr, 0)) == 0 &&
	    (r = posix_spawnattr_setflags(&attr, sflags)) == 0) {
		if (path != NULL)
			r = posix_spawn(pid, path, &fa, &attr, argv, environ);
		else
			r = posix_spawnp(pid, argv[0], &fa, &attr, argv,
			    environ);
	}
	(void)posix_spawnattr_destroy(&attr);
	(void)posix_spawn_file_actions_destroy(&fa);
	return r;
}

int
runcmd_argv(pid_t *pid, char *const argv[], int in_fd, int out_fd)
{
	return start(pid, NULL, argv, in_fd, out_fd, 0);
}

int
runcmd_sh(pid_t *pid, const char *script, const char *arg, int in_fd,
    int out_fd)
{
	return runcmd_sh_flags(pid, script, arg, in_fd, out_fd, 0);
}

int
runcmd_sh_flags(pid_t *pid, const char *script, const char *arg, int in_fd,
    int out_fd, int flags)
{
	char sh[] = "sh", opt[] = "-c";
	char *argv[] = { sh, opt, (char *)script, sh, (char *)arg, NULL };

	/* "sh" again is $0, for the shell's own messages. */
	if (arg == NULL)
		argv[3] = NULL;
	return start(pid, "/bin/sh", argv, in_fd, out_fd, flags);
}

int
runcmd_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* --- a command run to its end, its output kept --------------------------- */

/* Output thrown away (out == NULL) is read up to this much. */
#define DISCARD_MAX (64 * 1024)

/* What a run of a command came to. */
enum outcome { RUN_EXITED, RUN_TIMEOUT, RUN_TOOBIG };

/* Has pid ended?  It stays a zombie, so its group id stays ours. */
static int
ended(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno != EINTR;
	return si.si_pid == pid;
}

/* Milliseconds left before deadline (microseconds), at least 0. */
static int
left_ms(int64_t deadline)
{
	int64_t d = deadline - util_now_us();

	return d <= 0 ? 0 : (int)((d + 999) / 1000);
}

/*
 * Read fd (the command's output) into out until its end, the deadline
 * or max bytes; then wait for pid to end until the deadline.
 */
static enum outcome
collect(pid_t pid, int fd, struct buf *out, size_t max, int64_t deadline)
{
	char chunk[16384];
	struct pollfd pfd;
	size_t got = 0;
	ssize_t r;
	int pr;

	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if ((pr = poll(&pfd, 1, left_ms(deadline))) < 0 &&
		    errno != EINTR)
			return RUN_EXITED;  /* cannot happen: one valid fd */
		if (pr == 0)
			return RUN_TIMEOUT;
		if (pr < 0)
			continue;
		if ((r = read(fd, chunk, sizeof(chunk))) < 0 &&
		    errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got > max || buf_add(out, chunk, (size_t)r) < 0)
			return RUN_TOOBIG;
	}
	while (!ended(pid)) {
		if (left_ms(deadline) == 0)
			return RUN_TIMEOUT;
		(void)poll(NULL, 0, 10);
	}
	return RUN_EXITED;
}

enum err
runcmd_capture(const struct runcmd_limits *rn, const char *script, const char *path,
    int in_fd, struct buf *out, int *status, char **errstr)
{
	struct buf discard;
	enum outcome o;
	pid_t pid;
	int fds[2], r;

	if (runcmd_pipe(fds) < 0) {
		util_seterr(errstr, "%s", strerror(errno));
		return ERR_CONFIG;
	}
	r = runcmd_sh_flags(&pid, script, path, in_fd, fds[1],
	    RUNCMD_OWN_GROUP | RUNCMD_NO_STDERR);
	(void)close(fds[1]);
	if (r != 0) {
		(void)close(fds[0]);
		util_seterr(errstr, _("cannot run %s: %s"), rn->name,
		    strerror(r));
		return r == ENOMEM ? ERR_NOMEM : ERR_CONFIG;
	}
	buf_init(&discard, DISCARD_MAX);
	o = collect(pid, fds[0], out != NULL ? out : &discard,
	    out != NULL ? rn->max : DISCARD_MAX,
	    util_now_us() + (int64_t)rn->timeout_ms * 1000);
	buf_free(&discard);
	(void)close(fds[0]);
	/* Whatever it started goes with it (the leader is not yet reaped). */
	(void)kill(-pid, SIGKILL);
	if (runcmd_wait(pid, status) < 0)
		*status = 0;
	if (o == RUN_TIMEOUT) {
		util_seterr(errstr, _("%s did not finish within %d ms and was "
		    "stopped"), rn->name, rn->timeout_ms);
		return ERR_TIMEOUT;
	}
	if (o == RUN_TOOBIG) {
		util_seterr(errstr, _("%s printed more than %zu bytes"),
		    rn->name, rn->max);
		return ERR_DATA;
	}
	return ERR_OK;
}
