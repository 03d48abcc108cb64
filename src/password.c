/* password.c - get a secret from a password_command. */
/* SPDX-License-Identifier: ISC */
#include "password.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "runcmd.h"
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
 * Start the command with its stdout on wfd; stdin and stderr stay the
 * caller's so that pass, gpg or a pinentry can ask for a passphrase.
 * The command takes no value of pigeon's: it is the user's own line.
 * Returns 0 or an errno value.
 */
static int
spawn(pid_t *pid, const char *cmd, int wfd)
{
	char **argv, *copy = NULL;
	int r;

	if (strpbrk(cmd, PASSWORD_SHELL_CHARS) != NULL)
		return runcmd_sh(pid, cmd, NULL, -1, wfd);
	if ((argv = split_words(cmd, &copy)) == NULL)
		return ENOMEM;
	r = runcmd_argv(pid, argv, -1, wfd);
	free(argv);
	free(copy);
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
	if (runcmd_pipe(fds) != 0) {
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
	if (buf_read_fd(&output, fds[0]) < 0)
		read_errno = errno;
	(void)close(fds[0]);
	/*
	 * We stopped reading early, so the command may be blocked writing
	 * or may ignore EPIPE: end it so that waiting cannot hang.
	 */
	if (read_errno != 0)
		(void)kill(pid, SIGTERM);
	if (runcmd_wait(pid, &status) < 0) {
		util_seterr(errstr, _("cannot wait for password_command '%s': "
		    "%s"), cmd, strerror(errno));
		goto done;
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
