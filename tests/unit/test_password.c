/* test_password.c - password_run(): the first line of a command's output, and every way it can fail. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "password.h"
#include "helper.h"

/*
 * A command that misbehaves must not hang the test run: past this many
 * seconds check_ends() kills what it started and fails the test, and
 * elsewhere SIGALRM ends the program, which make check counts as failed.
 */
#define HANG_SECONDS 60

/*
 * What the commands print as a secret.  They get it from the environment
 * as $PW, so that it is never part of a command's text (which error
 * messages may quote) and any copy of it in a message is a leak.
 */
#define SECRET "Zq8-p4ss-w0rd"

/* The path of name in the test directory; valid until the next call. */
static const char *
path_of(const char *name)
{
	static char path[512];

	(void)snprintf(path, sizeof path, "%s/%s", test_dir, name);
	return path;
}

/* Write text to name with this mode; its path. */
static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	const char *path = path_of(name);
	FILE *f;

	(void)unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* cmd must give exactly want (n bytes) and leave errstr alone. */
static void
check_mem(const char *cmd, const char *want, size_t n)
{
	char *out = NULL, *err = NULL;
	enum err e;

	alarm(HANG_SECONDS);
	e = password_run(cmd, &out, &err);
	alarm(0);
	if (e != ERR_OK)
		fail_msg("'%s': %s (%s)", test_vis(cmd, strlen(cmd)),
		    err_name(e), err != NULL ? err : "no message");
	assert_null(err);
	assert_non_null(out);
	if (strlen(out) != n || memcmp(out, want, n) != 0)
		fail_msg("'%s' gave '%s', not '%s'", test_vis(cmd, strlen(cmd)),
		    test_vis(out, strlen(out)), test_vis(want, n));
	free(out);
}

static void
check_ok(const char *cmd, const char *want)
{
	check_mem(cmd, want, strlen(want));
}

/*
 * cmd must fail with want, *out NULL, and a message that holds why and
 * never the secret the command may have printed.
 */
static void
check_fail(const char *cmd, enum err want, const char *why)
{
	char *out = (char *)"unset", *err = NULL;
	enum err e;

	alarm(HANG_SECONDS);
	e = password_run(cmd, &out, &err);
	alarm(0);
	if (e != want)
		fail_msg("'%s': %s, not %s (%s)",
		    cmd != NULL ? test_vis(cmd, strlen(cmd)) : "(null)",
		    err_name(e), err_name(want),
		    err != NULL ? err : "no message");
	assert_null(out);
	assert_non_null(err);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'",
		    cmd != NULL ? test_vis(cmd, strlen(cmd)) : "(null)",
		    test_vis(err, strlen(err)), why);
	if (strstr(err, SECRET) != NULL || strstr(err, "Zq8") != NULL)
		fail_msg("'%s': the secret shows in '%s'", cmd,
		    test_vis(err, strlen(err)));
	free(err);
}

/*
 * password_run(cmd) in a child process that leads its own process group,
 * so that a run that hangs can be ended with everything it started: the
 * group is killed after HANG_SECONDS and the test fails.  Otherwise the
 * result must be want, with *out equal to text on success, or the
 * message holding text (and not the secret) on failure.
 */
static void
check_ends(const char *cmd, enum err want, const char *text)
{
	struct buf got;
	struct pollfd pfd;
	char chunk[4096];
	int fds[2], status, ms;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	/* Else the command would inherit the write end and hold it open. */
	assert_int_equal(fcntl(fds[0], F_SETFD, FD_CLOEXEC), 0);
	assert_int_equal(fcntl(fds[1], F_SETFD, FD_CLOEXEC), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *out = NULL, *err = NULL, code;
		const char *res;
		enum err e;

		(void)close(fds[0]);
		(void)setpgid(0, 0);
		e = password_run(cmd, &out, &err);
		code = (char)e;
		res = e == ERR_OK ? out : err != NULL ? err : "";
		if (write(fds[1], &code, 1) != 1 ||
		    write(fds[1], res, strlen(res)) != (ssize_t)strlen(res))
			_exit(1);
		_exit(0);
	}
	(void)setpgid(pid, pid);
	(void)close(fds[1]);
	buf_init(&got, 65536 + 1024);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	for (ms = 0; ms < HANG_SECONDS * 1000; ms += 100) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fds[0], chunk, sizeof chunk);
		if (n <= 0)
			break;
		assert_int_equal(buf_add(&got, chunk, (size_t)n), 0);
	}
	(void)close(fds[0]);
	if (ms >= HANG_SECONDS * 1000) {
		(void)kill(-pid, SIGKILL);
		(void)waitpid(pid, &status, 0);
		buf_free(&got);
		fail_msg("'%s' did not end in %d seconds", cmd, HANG_SECONDS);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* Whatever the command left behind in its group goes too. */
	(void)kill(-pid, SIGKILL);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(got.len >= 1);
	if ((enum err)got.data[0] != want)
		fail_msg("'%s': %s, not %s (%s)", cmd,
		    err_name((enum err)got.data[0]), err_name(want),
		    got.data + 1);
	if (want == ERR_OK ? strcmp(got.data + 1, text) != 0 :
	    strstr(got.data + 1, text) == NULL ||
	    strstr(got.data + 1, SECRET) != NULL)
		fail_msg("'%s' gave '%s', want %s'%s'", cmd,
		    test_vis(got.data + 1, got.len - 1),
		    want == ERR_OK ? "" : "a message with ", text);
	buf_free(&got);
}

/* The first line, without its LF or CR LF; nothing else is cut. */
static void
test_password_first_line(void **state)
{
	(void)state;
	check_ok("echo s3cret", "s3cret");
	check_ok("printf 'pw\\n'", "pw");
	check_ok("printf pw", "pw");
	check_ok("printf 'pw\\r\\n'", "pw");
	check_ok("printf 'pw\\r'", "pw");
	check_ok("printf 'first\\nsecond\\n'", "first");
	check_ok("printf 'first\\r\\nsecond'", "first");
	check_ok("printf 'pw\\n\\n\\n'", "pw");
	/* Blanks are part of a password, at either end. */
	check_ok("printf '  pw  \\n'", "  pw  ");
	check_ok("printf '\\tpw\\t\\n'", "\tpw\t");
	/* Only the line end goes: an inner CR, or a second one, stays. */
	check_ok("printf 'p\\rw\\n'", "p\rw");
	check_ok("printf 'pw\\r\\r\\n'", "pw\r");
	/* Bytes are bytes: quotes, backslashes, non-ASCII. */
	check_ok("printf '%s\\n' 'a\"b\\c'", "a\"b\\c");
	check_ok("printf 'p\\303\\244ss\\342\\202\\254\\n'",
	    "p\xc3\xa4ss\xe2\x82\xac");
	/* A NUL after the first line does not matter. */
	check_ok("printf 'pw\\n\\000rest\\n'", "pw");
}

/*
 * Without shell syntax the command is split at blanks and run directly;
 * with it, /bin/sh -c runs it.  Both see the environment.
 */
static void
test_password_direct_and_shell(void **state)
{
	char *home;

	(void)state;
	/* Direct: runs of blanks and tabs separate words, at either end too. */
	check_ok("echo  a \t  b", "a b");
	check_ok("  \techo lead", "lead");
	check_ok("echo trail \t ", "trail");
	/* Each character in the list sends the command to the shell. */
	check_ok("echo $PW", SECRET);
	check_ok("echo \"$PW\"", SECRET);
	check_ok("echo 'two  blanks'", "two  blanks");
	check_ok("echo one; echo two", "one");
	check_ok("echo one && echo two", "one");
	check_ok("echo x | tr x y", "y");
	check_ok("(echo sub)", "sub");
	check_ok("echo `echo back`", "back");
	check_ok("echo a=b", "a=b");
	check_ok("echo first\necho second", "first");
	check_ok("cat </dev/null; echo redir", "redir");
	check_ok("echo hash # not printed", "hash");
	home = getenv("HOME");
	if (home != NULL)
		check_ok("echo ~", home);
	check_ok("printf '%s\\n' percent", "percent");
	check_ok("printf '%s\\n' \\\\", "\\");
	check_ok("echo 'glob? *[x]'", "glob? *[x]");
}

static void
test_password_empty_command(void **state)
{
	(void)state;
	check_fail(NULL, ERR_CONFIG, "password_command is empty");
	check_fail("", ERR_CONFIG, "password_command is empty");
	check_fail("  \t ", ERR_CONFIG, "password_command is empty");
}

/* A failing command is an error even when it printed something. */
static void
test_password_exit_status(void **state)
{
	(void)state;
	check_fail("false", ERR_CONFIG, "'false' failed with exit status 1");
	check_fail("(exit 3)", ERR_CONFIG, "failed with exit status 3");
	check_fail("(exit 255)", ERR_CONFIG, "failed with exit status 255");
	check_fail("echo $PW; exit 1", ERR_CONFIG, "failed with exit status 1");
	check_fail("echo $PW >&2; exit 2", ERR_CONFIG,
	    "failed with exit status 2");
	/* 126 and 127 are how a shell says the program could not be run. */
	check_fail("(exit 126)", ERR_CONFIG,
	    "could not be run (exit status 126)");
	check_fail("pigeon-no-such-program-xyz 2>/dev/null", ERR_CONFIG,
	    "could not be run (exit status 127)");
}

/* A program that does not exist or cannot be executed, run directly. */
static void
test_password_cannot_run(void **state)
{
	const char *path;

	(void)state;
	check_fail("/nonexistent/pigeon-no-such-program", ERR_CONFIG,
	    "/nonexistent/pigeon-no-such-program");
	check_fail("pigeon-no-such-program-xyz --flag", ERR_CONFIG,
	    "pigeon-no-such-program-xyz");
	/* Without shell syntax there is no shell, so no shell builtins. */
	check_fail("exit 3", ERR_CONFIG,
	    "cannot run password_command 'exit 3'");
	path = write_file("not-executable", "#!/bin/sh\necho " SECRET "\n",
	    0600);
	check_fail(path, ERR_CONFIG, path);
	/* A directory is not a program either. */
	check_fail(test_dir, ERR_CONFIG, test_dir);
}

static void
test_password_no_output(void **state)
{
	(void)state;
	check_fail("true", ERR_CONFIG, "'true' printed nothing");
	check_fail("printf ''", ERR_CONFIG, "printed nothing");
	check_fail("printf '\\n'", ERR_CONFIG, "printed an empty first line");
	check_fail("printf '\\r\\n'", ERR_CONFIG,
	    "printed an empty first line");
	/* The password is not looked for on a later line. */
	check_fail("printf '\\n%s\\n' \"$PW\"", ERR_CONFIG,
	    "printed an empty first line");
}

/* A NUL in the first line would cut the password short: an error. */
static void
test_password_nul(void **state)
{
	(void)state;
	check_fail("printf '%s\\000-tail\\n' \"$PW\"", ERR_CONFIG,
	    "printed a NUL byte");
	check_fail("printf '\\000\\n'", ERR_CONFIG, "printed a NUL byte");
	check_fail("printf '%s\\000' \"$PW\"", ERR_CONFIG,
	    "printed a NUL byte");
}

static void
test_password_signal(void **state)
{
	(void)state;
	check_fail("kill -TERM $$", ERR_CONFIG, "was killed by signal 15");
	check_fail("echo $PW; kill -KILL $$", ERR_CONFIG,
	    "was killed by signal 9");
}

/* 64 KiB of output is the most; one byte more is an error. */
static void
test_password_too_much_output(void **state)
{
	char *want;

	(void)state;
	want = malloc(65536);
	assert_non_null(want);
	memset(want, 'a', 65536);
	check_mem("head -c 65536 /dev/zero | tr '\\000' a", want, 65536);
	check_mem("head -c 65535 /dev/zero | tr '\\000' a; echo", want, 65535);
	check_fail("head -c 65537 /dev/zero | tr '\\000' a", ERR_CONFIG,
	    "printed more than 65536 bytes");
	free(want);
	/* One short line, then too much: still an error. */
	check_fail("echo $PW; head -c 100000 /dev/zero", ERR_CONFIG,
	    "printed more than 65536 bytes");
	/* A command that never stops is stopped, not waited for forever. */
	check_ends("yes", ERR_CONFIG, "printed more than 65536 bytes");
	check_ends("yes $PW", ERR_CONFIG, "printed more than 65536 bytes");
	check_ends("while :; do echo $PW; done", ERR_CONFIG,
	    "printed more than 65536 bytes");
	/*
	 * One that goes on without writing is not ended by SIGPIPE: it
	 * must be told to stop, or the wait for it never ends.
	 */
	check_ends("head -c 70000 /dev/zero; sleep 600", ERR_CONFIG,
	    "printed more than 65536 bytes");
	/* Even when it ignores SIGTERM, SIGPIPE ends it. */
	check_ends("trap '' TERM; while :; do echo $PW; done", ERR_CONFIG,
	    "printed more than 65536 bytes");
}

/* Redirect fd to a new file at path (or from it, for reading); the old fd. */
static int
redirect(int fd, const char *path, int flags)
{
	int saved, f;

	saved = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	assert_true(saved >= 0);
	f = open(path, flags, 0600);
	assert_true(f >= 0);
	assert_int_equal(dup2(f, fd), fd);
	assert_int_equal(close(f), 0);
	return saved;
}

static void
restore(int fd, int saved)
{
	assert_int_equal(dup2(saved, fd), fd);
	assert_int_equal(close(saved), 0);
}

/*
 * Standard error is the caller's, so a command can explain itself, and
 * nothing it writes there becomes part of the password.
 */
static void
test_password_stderr_inherited(void **state)
{
	const char *script;
	struct buf b;
	char *out = NULL, *err = NULL, *cmd;
	enum err e;
	int saved;

	(void)state;
	script = write_file("warns", "#!/bin/sh\necho 'gpg: warning' >&2\n"
	    "echo " SECRET "\n", 0700);
	cmd = strdup(script);
	assert_non_null(cmd);
	fflush(stderr);
	saved = redirect(STDERR_FILENO, path_of("stderr"),
	    O_WRONLY | O_CREAT | O_TRUNC);
	alarm(HANG_SECONDS);
	e = password_run(cmd, &out, &err);
	alarm(0);
	restore(STDERR_FILENO, saved);
	assert_int_equal(e, ERR_OK);
	assert_string_equal(out, SECRET);
	free(out);
	buf_init(&b, 4096);
	assert_int_equal(buf_read_file(&b, path_of("stderr")), 0);
	assert_string_equal(buf_str(&b), "gpg: warning\n");
	buf_free(&b);

	/* A failure's stderr is the user's to read; it is not in errstr. */
	fflush(stderr);
	saved = redirect(STDERR_FILENO, path_of("stderr"),
	    O_WRONLY | O_CREAT | O_TRUNC);
	out = (char *)"unset";
	alarm(HANG_SECONDS);
	e = password_run("echo \"$PW\" >&2; exit 2", &out, &err);
	alarm(0);
	restore(STDERR_FILENO, saved);
	assert_int_equal(e, ERR_CONFIG);
	assert_null(out);
	assert_non_null(err);
	assert_null(strstr(err, SECRET));
	assert_non_null(strstr(err, "exit status 2"));
	free(err);
	buf_init(&b, 4096);
	assert_int_equal(buf_read_file(&b, path_of("stderr")), 0);
	assert_string_equal(buf_str(&b), SECRET "\n");
	buf_free(&b);
	free(cmd);
}

/* Standard input is the caller's too, so a command can read a passphrase. */
static void
test_password_stdin_inherited(void **state)
{
	char *out = NULL, *err = NULL;
	const char *in;
	enum err e;
	int saved;

	(void)state;
	in = write_file("stdin", "typed " SECRET "\nsecond line\n", 0600);
	saved = redirect(STDIN_FILENO, in, O_RDONLY);
	alarm(HANG_SECONDS);
	e = password_run("head -n 1", &out, &err);
	alarm(0);
	restore(STDIN_FILENO, saved);
	assert_int_equal(e, ERR_OK);
	assert_string_equal(out, "typed " SECRET);
	free(out);
	out = NULL;

	saved = redirect(STDIN_FILENO, in, O_RDONLY);
	alarm(HANG_SECONDS);
	e = password_run("read -r a b; echo \"$b\"", &out, &err);
	alarm(0);
	restore(STDIN_FILENO, saved);
	assert_int_equal(e, ERR_OK);
	assert_null(err);
	assert_string_equal(out, SECRET);
	free(out);
}

/*
 * A caller that closed stdin, stdout and stderr: the pipe then lands on
 * fds 0 and 1, and must still carry the command's output to us.
 */
static void
test_password_closed_std_fds(void **state)
{
	char *out = NULL, *err = NULL;
	int saved[3], fd;
	enum err e;

	(void)state;
	fflush(stdout);
	fflush(stderr);
	for (fd = 0; fd < 3; fd++) {
		saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 10);
		assert_true(saved[fd] >= 0);
		(void)close(fd);
	}
	alarm(HANG_SECONDS);
	e = password_run("echo " SECRET, &out, &err);
	alarm(0);
	for (fd = 0; fd < 3; fd++) {
		(void)dup2(saved[fd], fd);
		(void)close(saved[fd]);
	}
	/* Only now can a failure be reported. */
	for (fd = 0; fd < 3; fd++)
		assert_true(fcntl(fd, F_GETFD) >= 0);
	if (e != ERR_OK)
		fail_msg("%s (%s)", err_name(e), err != NULL ? err : "");
	assert_string_equal(out, SECRET);
	free(out);
}

/* The caller's SIGPIPE action and signal mask, put back after the test. */
static struct sigaction saved_pipe;
static sigset_t saved_mask;

static int
restore_signals(void **state)
{
	(void)state;
	(void)sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	(void)sigaction(SIGPIPE, &saved_pipe, NULL);
	return 0;
}

/*
 * A caller that ignores SIGPIPE and blocks SIGTERM (as the UI's event
 * loop may): the command must still start with the defaults, or a
 * pipeline that is cut short, or one stopped for printing too much,
 * never ends.
 */
static void
test_password_signals_reset(void **state)
{
	struct sigaction ign;
	sigset_t block;

	(void)state;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	assert_int_equal(sigemptyset(&ign.sa_mask), 0);
	assert_int_equal(sigaction(SIGPIPE, &ign, &saved_pipe), 0);
	assert_int_equal(sigemptyset(&block), 0);
	assert_int_equal(sigaddset(&block, SIGTERM), 0);
	assert_int_equal(sigaddset(&block, SIGPIPE), 0);
	assert_int_equal(sigaddset(&block, SIGINT), 0);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, &saved_mask), 0);

	check_ends("while :; do echo y; done | head -n 1", ERR_OK, "y");
	check_ends("yes $PW | head -n 1", ERR_OK, SECRET);
	check_ends("while :; do echo $PW; done", ERR_CONFIG,
	    "printed more than 65536 bytes");
}

/* How many of fds 0..1023 are open. */
static int
count_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* Whatever happens, no descriptor stays open and no child is left over. */
static void
test_password_no_leaks(void **state)
{
	static const char *const cmds[] = {
		"echo pw", "printf 'pw\\r\\n'", "false", "true",
		"kill -KILL $$",
		"yes", "printf 'a\\000\\n'", "(exit 127)", "printf '\\n'",
		"/nonexistent/pigeon-no-such-program",
	};
	char *out, *err;
	size_t i;
	int before, round;
	pid_t w;

	(void)state;
	before = count_fds();
	for (round = 0; round < 3; round++) {
		for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
			out = NULL;
			err = NULL;
			alarm(HANG_SECONDS);
			(void)password_run(cmds[i], &out, &err);
			alarm(0);
			free(out);
			free(err);
			if (count_fds() != before)
				fail_msg("'%s' left %d descriptors open",
				    cmds[i], count_fds() - before);
			w = waitpid(-1, NULL, WNOHANG);
			if (w != -1 || errno != ECHILD)
				fail_msg("'%s' left a child (%ld)", cmds[i],
				    (long)w);
		}
	}
}

/* The pipe's ends are close-on-exec: a command sees only 0, 1 and 2. */
static void
test_password_no_fds_to_child(void **state)
{
	int fd, flags;

	(void)state;
	if (access("/proc/self/fd", R_OK) != 0)
		skip();
	/*
	 * Whatever this program inherited (from make, say) is not
	 * password_run()'s to close; keep it from the command here.
	 */
	for (fd = 3; fd < 1024; fd++)
		if ((flags = fcntl(fd, F_GETFD)) >= 0)
			assert_int_equal(fcntl(fd, F_SETFD,
			    flags | FD_CLOEXEC), 0);
	/* ls lists 0, 1 and 2, and the one it opened to read the list. */
	check_ok("ls /proc/self/fd | tr '\\n' ' '", "0 1 2 3 ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_first_line),
		cmocka_unit_test(test_password_direct_and_shell),
		cmocka_unit_test(test_password_empty_command),
		cmocka_unit_test(test_password_exit_status),
		cmocka_unit_test(test_password_cannot_run),
		cmocka_unit_test(test_password_no_output),
		cmocka_unit_test(test_password_nul),
		cmocka_unit_test(test_password_signal),
		cmocka_unit_test(test_password_too_much_output),
		cmocka_unit_test(test_password_stderr_inherited),
		cmocka_unit_test(test_password_stdin_inherited),
		cmocka_unit_test(test_password_closed_std_fds),
		cmocka_unit_test_teardown(test_password_signals_reset,
		    restore_signals),
		cmocka_unit_test(test_password_no_leaks),
		cmocka_unit_test(test_password_no_fds_to_child),
	};

	if (setenv("PW", SECRET, 1) != 0)
		return 1;
	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
