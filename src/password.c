/* password.c - get a secret from a password_command. */
#include "password.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

/* A password is one line; this much output means something is wrong. */
#define PASSWORD_OUTPUT_MAX (64 * 1024)

/*
 * Any of these means the command needs a shell to mean what it says:
 * pipes, redirections, quoting, variables, globs, comments, "~" and
 * assignments.  Without them, splitting on blanks gives the same words
 * sh would, and running the program directly saves a process.
 */
#define PASSWORD_SHELL_CHARS "|&;<>()$`\\\"'*?[#~=%\n"

extern char **environ;

/* Split a copy of cmd on blanks into a NULL-terminated argv. */
static char **
split_words(const char *cmd, char **copy)
{
	char **argv, *p;
	size_t n = 0, i = 0;

	*copy = strdup(cmd);
	if (*copy == NULL)
		return NULL;
	for (p = *copy; *p != '\0'; p++)
		if ((p == *copy || p[-1] == ' ' || p[-1] == '\t') &&
		    *p != ' ' && *p != '\t')
			n++;
	argv = calloc(n + 1, sizeof *argv);
	if (argv == NULL) {
		free(*copy);
		*copy = NULL;
		return NULL;
	}
	for (p = *copy; *p != '\0'; ) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		argv[i++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
	argv[i] = NULL;
	return argv;
}

/*
 * Move fd above the standard descriptors and mark it close-on-exec.  A
 * pipe end that landed on 0, 1 or 2 (because the caller closed them)
 * would otherwise be clobbered by, or survive as, the child's stdout.
 */
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

static int
make_pipe(int fds[2])
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

/*
 * Start the command with its stdout on wfd; stdin and stderr stay the
 * caller's so that pass, gpg or a pinentry can ask for a passphrase.
 * Returns 0 or an errno value.
 */
static int
spawn(pid_t *pid, const char *cmd, int wfd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	char sh_name[] = "sh", sh_opt[] = "-c";
	char *sh_argv[] = { sh_name, sh_opt, NULL, NULL };
	char **argv, *copy = NULL;
	int r, direct;

	direct = strpbrk(cmd, PASSWORD_SHELL_CHARS) == NULL;
	if (direct) {
		argv = split_words(cmd, &copy);
		if (argv == NULL)
			return ENOMEM;
	} else {
		sh_argv[2] = (char *)cmd;
		argv = sh_argv;
	}

	if ((r = posix_spawn_file_actions_init(&fa)) != 0)
		goto out;
	if ((r = posix_spawnattr_init(&attr)) != 0) {
		(void)posix_spawn_file_actions_destroy(&fa);
		goto out;
	}
	/*
	 * The caller may block signals or ignore SIGPIPE; the command
	 * should start as if from a shell, or "yes | head -1" never ends.
	 */
	(void)sigemptyset(&none);
	(void)sigemptyset(&dflt);
	(void)sigaddset(&dflt, SIGPIPE);
	if ((r = posix_spawn_file_actions_adddup2(&fa, wfd,
	    STDOUT_FILENO)) == 0 &&
	    (r = posix_spawnattr_setsigmask(&attr, &none)) == 0 &&
	    (r = posix_spawnattr_setsigdefault(&attr, &dflt)) == 0 &&
	    (r = posix_spawnattr_setflags(&attr,
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0) {
		if (direct)
			r = posix_spawnp(pid, argv[0], &fa, &attr, argv,
			    environ);
		else
			r = posix_spawn(pid, "/bin/sh", &fa, &attr, argv,
			    environ);
	}
	(void)posix_spawnattr_destroy(&attr);
	(void)posix_spawn_file_actions_destroy(&fa);
out:
	if (direct) {
		free(argv);
		free(copy);
	}
	return r;
}

/* Read fd to the end into out; 0, or -1 with errno (E2BIG: too much). */
static int
read_output(int fd, struct buf *out)
{
	char chunk[4096];
	ssize_t n;
	int r = 0;

	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -1 : 0;
			break;
		}
		if (buf_add(out, chunk, (size_t)n) < 0) {
			r = -1;
			break;
		}
	}
	explicit_bzero(chunk, sizeof chunk);
	return r;
}

enum err
password_run(const char *cmd, char **out, char **errstr)
{
	struct buf output;
	const char *nl;
	size_t len;
	pid_t pid;
	int fds[2], r, status, read_errno = 0;
	enum err e = ERR_CONFIG;

	*out = NULL;
	if (cmd == NULL || cmd[strspn(cmd, " \t")] == '\0') {
		util_seterr(errstr, _("password_command is empty"));
		return ERR_CONFIG;
	}
	if (make_pipe(fds) != 0) {
		util_seterr(errstr, _("cannot run password_command '%s': %s"),
		    cmd, strerror(errno));
		return ERR_CONFIG;
	}
	r = spawn(&pid, cmd, fds[1]);
	(void)close(fds[1]);
	if (r != 0) {
		(void)close(fds[0]);
		util_seterr(errstr, _("cannot run password_command '%s': %s"),
		    cmd, strerror(r));
		return r == ENOMEM ? ERR_NOMEM : ERR_CONFIG;
	}

	buf_init(&output, PASSWORD_OUTPUT_MAX);
	if (read_output(fds[0], &output) < 0)
		read_errno = errno;
	(void)close(fds[0]);
	/*
	 * We stopped reading early, so the command may be blocked writing
	 * or may ignore EPIPE: end it so that waiting cannot hang.
	 */
	if (read_errno != 0)
		(void)kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			util_seterr(errstr, _("cannot wait for "
			    "password_command '%s': %s"), cmd, strerror(errno));
			goto done;
		}
	}

	if (read_errno == E2BIG) {
		util_seterr(errstr, _("password_command '%s' printed more "
		    "than %d bytes"), cmd, PASSWORD_OUTPUT_MAX);
		goto done;
	}
	if (read_errno != 0) {
		util_seterr(errstr, _("cannot read the output of "
		    "password_command '%s': %s"), cmd, strerror(read_errno));
		e = read_errno == ENOMEM ? ERR_NOMEM : ERR_CONFIG;
		goto done;
	}
	if (WIFSIGNALED(status)) {
		util_seterr(errstr, _("password_command '%s' was killed by "
		    "signal %d"), cmd, WTERMSIG(status));
		goto done;
	}
	if (!WIFEXITED(status)) {
		util_seterr(errstr, _("password_command '%s' ended in an "
		    "unknown way"), cmd);
		goto done;
	}
	/* The shell, or posix_spawnp on some systems, says 126 or 127. */
	if (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127) {
		util_seterr(errstr, _("password_command '%s' could not be run "
		    "(exit status %d)"), cmd, WEXITSTATUS(status));
		goto done;
	}
	if (WEXITSTATUS(status) != 0) {
		util_seterr(errstr, _("password_command '%s' failed with exit "
		    "status %d"), cmd, WEXITSTATUS(status));
		goto done;
	}

	if (output.len == 0) {
		util_seterr(errstr, _("password_command '%s' printed nothing"),
		    cmd);
		goto done;
	}
	nl = memchr(output.data, '\n', output.len);
	len = nl != NULL ? (size_t)(nl - output.data) : output.len;
	if (len > 0 && output.data[len - 1] == '\r')
		len--;
	if (len == 0) {
		util_seterr(errstr, _("password_command '%s' printed an empty "
		    "first line"), cmd);
		goto done;
	}
	/* A NUL would silently cut the password short. */
	if (memchr(output.data, '\0', len) != NULL) {
		util_seterr(errstr, _("password_command '%s' printed a NUL "
		    "byte"), cmd);
		goto done;
	}
	*out = malloc(len + 1);
	if (*out == NULL) {
		e = ERR_NOMEM;
		goto done;
	}
	memcpy(*out, output.data, len);
	(*out)[len] = '\0';
	e = ERR_OK;
done:
	buf_free_secret(&output);
	return e;
}
