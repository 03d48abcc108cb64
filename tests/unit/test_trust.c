/* test_trust.c - the trust store of tls_trust = tofu: records written and read back, escaping, malformed lines, comparing, the side by side lines, links refused. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
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
#include "helper.h"
#include "tls.h"
#include "trust.h"
#include "util.h"

#define FP_A "A9:02:14:54:93:79:2D:A6:F4:4A:33:84:FB:EC:8C:34:" \
	"91:2E:39:54:AF:74:3B:E2:E9:06:C0:03:2D:8B:08:5F"
#define FP_B "B6:16:D8:86:AF:85:1A:27:58:13:2F:56:63:9A:9E:5E:" \
	"8C:1D:41:F2:D9:2A:32:45:DD:F2:97:FB:80:FB:A9:DA"

/* A fresh folder under the group's directory. */
static char *
subdir(const char *name)
{
	char *p = util_strf("%s/%s", test_dir, name);

	assert_non_null(p);
	test_rm_rf(p);
	assert_int_equal(mkdir(p, 0700), 0);
	return p;
}

static struct tls_peer
peer(const char *fp, const char *subject)
{
	struct tls_peer p;

	memset(&p, 0, sizeof(p));
	(void)snprintf(p.fingerprint, sizeof(p.fingerprint), "%s", fp);
	p.subject = (char *)subject;
	p.issuer = (char *)"CN=Test CA";
	p.names = (char *)"mail.example.org, example.org";
	p.not_before = (char *)"2025-01-01 00:00:00 GMT";
	p.not_after = (char *)"2026-01-01 00:00:00 GMT";
	p.key = (char *)"EC 256 bits";
	return p;
}

static void
test_record_save_load(void **state)
{
	char *dir = subdir("rw"), *path, *why = NULL;
	struct tls_peer a = peer(FP_A, "CN=tab\there\\, new\nline");
	struct tls_peer b = peer(FP_B, "CN=other");
	const struct trust_rec *r;
	struct trust *t;
	struct stat st;

	(void)state;
	assert_int_equal(trust_load(&t, dir, &why), ERR_OK);
	assert_int_equal(trust_count(t), 0);
	assert_int_equal(trust_record(t, "mail.example.org:587", &a, 1000),
	    ERR_OK);
	assert_int_equal(trust_record(t, "[::1]:25", &b, 2000), ERR_OK);
	assert_int_equal(trust_save(t, &why), ERR_OK);
	trust_free(t);

	path = util_strf("%s/trust", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(trust_load(&t, dir, &why), ERR_OK);
	assert_int_equal(trust_count(t), 2);
	r = trust_find(t, "MAIL.example.org:587");
	assert_non_null(r);
	assert_string_equal(r->fingerprint, FP_A);
	assert_string_equal(r->subject, "CN=tab\there\\, new\nline");
	assert_string_equal(r->names, "mail.example.org, example.org");
	assert_string_equal(r->key, "EC 256 bits");
	assert_int_equal(r->first_seen, 1000);
	assert_true(trust_same(r, &a));
	assert_false(trust_same(r, &b));

	/* Seen again: first_seen stays; replaced: it starts again. */
	assert_int_equal(trust_record(t, "mail.example.org:587", &a, 5000),
	    ERR_OK);
	r = trust_find(t, "mail.example.org:587");
	assert_int_equal(r->first_seen, 1000);
	assert_int_equal(r->last_seen, 5000);
	assert_int_equal(trust_record(t, "mail.example.org:587", &b, 6000),
	    ERR_OK);
	r = trust_find(t, "mail.example.org:587");
	assert_int_equal(r->first_seen, 6000);
	assert_string_equal(r->fingerprint, FP_B);

	assert_int_equal(trust_forget(t, "[::1]:25"), 1);
	assert_int_equal(trust_forget(t, "[::1]:25"), 0);
	assert_int_equal(trust_count(t), 1);
	trust_free(t);
	free(path);
	free(dir);
}

/* Two stores loaded from the same file: neither save loses the other's change. */
static void
test_two_writers_merge(void **state)
{
	char *dir = subdir("two"), *why = NULL;
	struct tls_peer a = peer(FP_A, "CN=a"), b = peer(FP_B, "CN=b");
	struct trust *t, *u, *v;

	(void)state;
	assert_int_equal(trust_load(&t, dir, &why), ERR_OK);
	assert_int_equal(trust_record(t, "old.example:25", &a, 100), ERR_OK);
	assert_int_equal(trust_save(t, &why), ERR_OK);
	trust_free(t);

	assert_int_equal(trust_load(&t, dir, &why), ERR_OK);
	assert_int_equal(trust_load(&u, dir, &why), ERR_OK);
	assert_int_equal(trust_record(t, "one.example:25", &a, 1000), ERR_OK);
	assert_int_equal(trust_record(u, "two.example:587", &b, 2000), ERR_OK);
	assert_int_equal(trust_forget(u, "old.example:25"), 1);
	assert_int_equal(trust_save(t, &why), ERR_OK);
	/* t now holds the file as written: its record and the old one. */
	assert_int_equal(trust_count(t), 2);
	assert_int_equal(trust_save(u, &why), ERR_OK);
	assert_int_equal(trust_count(u), 2);
	assert_non_null(trust_find(u, "one.example:25"));

	assert_int_equal(trust_load(&v, dir, &why), ERR_OK);
	assert_int_equal(trust_count(v), 2);
	assert_non_null(trust_find(v, "one.example:25"));
	assert_non_null(trust_find(v, "two.example:587"));
	assert_null(trust_find(v, "old.example:25"));
	trust_free(v);

	/* A later save of t writes nothing of its own: u's forget stands. */
	assert_int_equal(trust_save(t, &why), ERR_OK);
	assert_int_equal(trust_load(&v, dir, &why), ERR_OK);
	assert_null(trust_find(v, "old.example:25"));
	assert_int_equal(trust_count(v), 2);
	trust_free(v);

	/* Forgotten, then recorded again before the save: recorded. */
	assert_int_equal(trust_forget(t, "one.example:25"), 1);
	assert_int_equal(trust_record(t, "one.example:25", &b, 3000), ERR_OK);
	assert_int_equal(trust_save(t, &why), ERR_OK);
	assert_int_equal(trust_load(&v, dir, &why), ERR_OK);
	assert_string_equal(trust_find(v, "one.example:25")->fingerprint, FP_B);
	trust_free(v);
	trust_free(t);
	trust_free(u);
	free(dir);
}

/* Processes saving at once: every record arrives, the file stays whole. */
static void
test_concurrent_saves(void **state)
{
	char *dir = subdir("many"), *why = NULL;
	struct tls_peer a = peer(FP_A, "CN=a");
	struct trust *t;
	pid_t pids[4];
	char host[64];
	int i, k, status;

	(void)state;
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			for (k = 0; k < 25; k++) {
				(void)snprintf(host, sizeof(host),
				    "h%d-%d.example:25", i, k);
				if (trust_load(&t, dir, NULL) != ERR_OK ||
				    trust_record(t, host, &a, 1) != ERR_OK ||
				    trust_save(t, NULL) != ERR_OK)
					_exit(1);
				trust_free(t);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(trust_load(&t, dir, &why), ERR_OK);
	assert_int_equal(trust_count(t), 100);
	trust_free(t);
	free(dir);
}

static void
test_malformed_line_named(void **state)
{
	char *dir = subdir("bad"), *path, *why = NULL;
	struct trust *t = NULL;
	FILE *f;

	(void)state;
	path = util_strf("%s/trust", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	(void)fprintf(f, "# comment\nhost:25\t" FP_A "\t1\t2\ta\tb\tc\td\te\tf\n"
	    "host:26\tnot-a-fingerprint\t1\t2\ta\tb\tc\td\te\tf\n");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(trust_load(&t, dir, &why), ERR_CONFIG);
	assert_null(t);
	assert_non_null(why);
	assert_non_null(strstr(why, "/trust:3:"));
	free(why);
	free(path);
	free(dir);
}

static void
test_link_refused(void **state)
{
	char *dir = subdir("link"), *path, *target, *why = NULL;
	struct trust *t = NULL;

	(void)state;
	path = util_strf("%s/trust", dir);
	target = util_strf("%s/elsewhere", test_dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(trust_load(&t, dir, &why), ERR_UNSAFE);
	assert_null(t);
	free(why);
	why = NULL;
	/* A link in place of the temporary file is not written through either. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(trust_load(&t, dir, &why), ERR_OK);
	free(path);
	path = util_strf("%s/trust.tmp", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(trust_save(t, &why), ERR_UNSAFE);
	assert_int_equal(access(target, F_OK), -1);
	trust_free(t);
	free(why);
	free(path);
	free(target);
	free(dir);
}

static void
test_diff_lines(void **state)
{
	char *dir = subdir("diff"), *why = NULL;
	struct tls_peer a = peer(FP_A, "CN=mail.example.org");
	struct tls_peer b = peer(FP_B, "CN=changed.example.org");
	const struct trust_rec *r;
	struct trust *t;
	struct buf out;
	const char *s;

	(void)state;
	assert_int_equal(trust_load(&t, dir, &why), ERR_OK);
	assert_int_equal(trust_record(t, "h:25", &a, 0), ERR_OK);
	r = trust_find(t, "h:25");
	buf_init(&out, 64 * 1024);
	assert_int_equal(trust_diff(&out, r, &b, 30), 0);
	s = buf_str(&out);
	assert_non_null(strstr(s, "trusted since 1970-01-01 00:00 UTC"));
	assert_non_null(strstr(s, "\n* subject     CN=mail.example.org           "
	    " | CN=changed.example.org\n"));
	assert_non_null(strstr(s, "\n  issuer      CN=Test CA                    "
	    " | CN=Test CA\n"));
	assert_non_null(strstr(s, "\n  key         EC 256 bits"));
	/* The fingerprints wrap after a colon, both columns. */
	assert_non_null(strstr(s, "\n* SHA-256     A9:02:14:54:93:79:2D:A6:F4:4A:"
	    " | B6:16:D8:86:AF:85:1A:27:58:13:\n"));
	assert_non_null(strstr(s, "\n              33:84:FB:EC:8C:34:91:2E:39:54:"
	    " | 2F:56:63:9A:9E:5E:8C:1D:41:F2:\n"));
	buf_free(&out);
	trust_free(t);
	free(dir);
}

/* A fresh account: ~/.local/state is missing; the store's folder is made, parents too. */
static void
test_missing_parents_made(void **state)
{
	char *top = subdir("fresh"), *dir, *why = NULL;
	struct tls_peer a = peer(FP_A, "CN=a");
	struct trust *t = NULL;
	struct stat st;

	(void)state;
	dir = util_strf("%s/.local/state/pigeon", top);
	assert_int_equal(trust_load(&t, dir, &why), ERR_OK);
	assert_int_equal(trust_record(t, "h:25", &a, 1), ERR_OK);
	assert_int_equal(trust_save(t, &why), ERR_OK);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	trust_free(t);
	free(why);
	free(dir);
	free(top);
}

static void
test_hostport_and_fingerprints(void **state)
{
	char *s;

	(void)state;
	s = trust_hostport("Mail.Example.ORG", "587");
	assert_string_equal(s, "mail.example.org:587");
	free(s);
	s = trust_hostport("::1", "25");
	assert_string_equal(s, "[::1]:25");
	free(s);
	assert_true(trust_fp_equal(FP_A, "a902145493792da6f44a3384fbec8c34"
	    "912e3954af743be2e906c0032d8b085f"));
	assert_false(trust_fp_equal(FP_A, FP_B));
	assert_false(trust_fp_equal(FP_A, "nonsense"));
}

static void
test_remedies(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(trust_pin_remedy(&b, "; pin it", FP_A), 0);
	assert_string_equal(buf_str(&b), "; pin it with this line in the "
	    "account: tls_fingerprint = " FP_A);
	buf_reset(&b);
	assert_int_equal(trust_tofu_remedy(&b, "h:25"), 0);
	assert_non_null(strstr(buf_str(&b), "\"pigeon trust h:25\""));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_save_load),
		cmocka_unit_test(test_two_writers_merge),
		cmocka_unit_test(test_concurrent_saves),
		cmocka_unit_test(test_malformed_line_named),
		cmocka_unit_test(test_link_refused),
		cmocka_unit_test(test_diff_lines),
		cmocka_unit_test(test_missing_parents_made),
		cmocka_unit_test(test_hostport_and_fingerprints),
		cmocka_unit_test(test_remedies),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
