/* test_runcmd.c - command templates: the user's value is "$1", never shell code, however the template quotes %s. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "helper.h"
#include "runcmd.h"
#include "util.h"

static void
test_script_rewriting(void **state)
{
	static const struct {
		const char *tmpl, *script;
	} cases[] = {
		{ "echo %s", "echo \"${1}\"" },
		{ "echo '%s'", "echo \"${1}\"" },
		{ "echo \"%s\"", "echo \"${1}\"" },
		{ "echo", "echo \"${1}\"" },
		{ "echo 100%%", "echo 100% \"${1}\"" },
		{ "echo %%s %s", "echo %s \"${1}\"" },
		{ "lookup 'name: %s' x", "lookup 'name: '\"${1}\" x" },
		{ "lookup '%s, more'", "lookup \"${1}\"', more'" },
		{ "lookup 'before %s'", "lookup 'before '\"${1}\"" },
		{ "lookup '%s%s'", "lookup \"${1}\"\"${1}\"" },
		{ "lookup \"name: %s.\"", "lookup \"name: ${1}.\"" },
		{ "lookup \\'%s", "lookup \\'\"${1}\"" },
		{ "lookup \\%s", "lookup \"${1}\"" },
		{ "lookup \"\\%s\"", "lookup \"\\\\${1}\"" },
		{ "lookup \"a\\\"%s\"", "lookup \"a\\\"${1}\"" },
		{ "a '%s' | b \"%s\" && c %s", "a \"${1}\" | b \"${1}\" && "
		    "c \"${1}\"" },
		{ "", " \"${1}\"" },
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = runcmd_script(cases[i].tmpl);
		assert_non_null(s);
		if (strcmp(s, cases[i].script) != 0)
			fail_msg("template %s: %s, not %s", cases[i].tmpl, s,
			    cases[i].script);
		free(s);
	}
}

/* Run tmpl with value; what it printed (malloc'd), its exit status in *rc. */
static char *
run(const char *tmpl, const char *value, int *rc)
{
	struct buf out;
	char *script = runcmd_script(tmpl), *s;
	int fds[2], st = 0;
	pid_t pid;

	assert_non_null(script);
	assert_int_equal(runcmd_pipe(fds), 0);
	assert_int_equal(runcmd_sh(&pid, script, value, RUNCMD_DEVNULL,
	    fds[1]), 0);
	(void)close(fds[1]);
	buf_init(&out, 1 << 20);
	assert_int_equal(buf_read_fd(&out, fds[0]), 0);
	(void)close(fds[0]);
	assert_int_equal(runcmd_wait(pid, &st), 0);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	s = strdup(buf_str(&out));
	buf_free(&out);
	free(script);
	return s;
}

/*
 * The real thing: a value built to break out of every kind of quoting is
 * printed back byte for byte, and the file it tries to create is not there.
 */
static void
test_hostile_values_stay_words(void **state)
{
	static const char *const tmpls[] = {
		"printf '[%%s]' %s", "printf '[%%s]' '%s'",
		"printf '[%%s]' \"%s\"", "printf '[%%s]'",
		"printf '[%%s]' 'x%sy'", "printf '[%%s]' \"x%sy\"",
	};
	char marker[600], *v[6], *out, *want;
	size_t i, k;
	int rc;

	(void)state;
	(void)snprintf(marker, sizeof(marker), "%s/pwned", test_dir);
	v[0] = strdup("$(touch MARK)");
	v[1] = strdup("`touch MARK`");
	v[2] = strdup("'; touch MARK; echo '");
	v[3] = strdup("\"; touch MARK; echo \"");
	v[4] = strdup("x\ntouch MARK\n");
	v[5] = strdup("a' \"$(touch MARK)\" '${IFS}`touch MARK`\\");
	for (k = 0; k < 6; k++) {
		char *p, *q;

		assert_non_null(v[k]);
		/* MARK is the marker's path. */
		while ((p = strstr(v[k], "MARK")) != NULL) {
			*p = '\0';
			q = util_strf("%s%s%s", v[k], marker, p + 4);
			assert_non_null(q);
			free(v[k]);
			v[k] = q;
		}
	}
	for (i = 0; i < sizeof(tmpls) / sizeof(tmpls[0]); i++)
		for (k = 0; k < 6; k++) {
			out = run(tmpls[i], v[k], &rc);
			assert_int_equal(rc, 0);
			want = util_strf(strstr(tmpls[i], "x%sy") != NULL ?
			    "[x%sy]" : "[%s]", v[k]);
			assert_non_null(want);
			if (strcmp(out, want) != 0)
				fail_msg("%s with %s: %s", tmpls[i],
				    test_vis(v[k], strlen(v[k])),
				    test_vis(out, strlen(out)));
			if (access(marker, F_OK) == 0)
				fail_msg("%s with %s ran the value",
				    tmpls[i], test_vis(v[k], strlen(v[k])));
			free(want);
			free(out);
		}
	for (k = 0; k < 6; k++)
		free(v[k]);
}

/* mutt's way with $EDITOR: a command with its own arguments, then the file. */
static void
test_editor_style_command(void **state)
{
	char *out;
	int rc, st = 0, fds[2];
	struct buf b;
	pid_t pid;

	(void)state;
	assert_int_equal(runcmd_pipe(fds), 0);
	assert_int_equal(runcmd_sh(&pid, "printf '<%s>' -c 'set x' \"$1\"",
	    "/tmp/a b;$(id)", -1, fds[1]), 0);
	(void)close(fds[1]);
	buf_init(&b, 4096);
	assert_int_equal(buf_read_fd(&b, fds[0]), 0);
	(void)close(fds[0]);
	assert_int_equal(runcmd_wait(pid, &st), 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_string_equal(buf_str(&b), "<-c><set x></tmp/a b;$(id)>");
	buf_free(&b);
	/* A template's own shell code still works: pipes, variables. */
	out = run("printf '%%s\\n' %s | tr a-z A-Z", "abc", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "ABC\n");
	free(out);
}

static void
test_argv_and_devnull(void **state)
{
	char a0[] = "sh", a1[] = "-c", a2[] = "cat; echo \"$0\"";
	char *argv[] = { a0, a1, a2, NULL };
	struct buf b;
	int fds[2], st = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(runcmd_pipe(fds), 0);
	assert_true(fds[0] > STDERR_FILENO && fds[1] > STDERR_FILENO);
	assert_int_equal(runcmd_argv(&pid, argv, RUNCMD_DEVNULL, fds[1]), 0);
	(void)close(fds[1]);
	buf_init(&b, 4096);
	assert_int_equal(buf_read_fd(&b, fds[0]), 0);
	(void)close(fds[0]);
	assert_int_equal(runcmd_wait(pid, &st), 0);
	assert_string_equal(buf_str(&b), "sh\n");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_script_rewriting),
		cmocka_unit_test(test_hostile_values_stay_words),
		cmocka_unit_test(test_editor_style_command),
		cmocka_unit_test(test_argv_and_devnull),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
