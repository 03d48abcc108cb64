/* test_maildir.c - Maildir folders: durable commits, unique names, moves, junk, crash leftovers, full disks. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper.h"
#include "maildir.h"
#include "util.h"

#define SEED 0x6d61696cu

/* Everything the tests make lives under this directory. */
static char top[] = "/tmp/pigeon-test-maildir-XXXXXX";

static int
group_setup(void **state)
{
	(void)state;
	(void)umask(022);
	(void)unsetenv("PIGEON_TEST_FAULT");
	return mkdtemp(top) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	test_rm_rf(top);
	return 0;
}

/* A failed assertion must not leave the fault hook on for the next test. */
static int
teardown(void **state)
{
	(void)state;
	return unsetenv("PIGEON_TEST_FAULT");
}

/* top/FMT..., malloc'd. */
static char *
tpath(const char *fmt, ...)
{
	char rest[512], *p;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(rest));
	p = util_strf("%s/%s", top, rest);
	assert_non_null(p);
	return p;
}

/* A new Maildir top/name (created). */
static struct maildir *
make_md(const char *name)
{
	struct maildir *m = NULL;
	char *p = tpath("%s", name), *errstr = NULL;
	enum err e;

	e = maildir_open(&m, p, 1, &errstr);
	if (e != ERR_OK)
		fail_msg("maildir_open %s: %s", p,
		    errstr != NULL ? errstr : "?");
	free(p);
	return m;
}

/* How many entries besides . and .. the folder's sub/ has. */
static int
count(const struct maildir *m, const char *sub)
{
	char *p = util_strf("%s/%s", maildir_path(m), sub);
	struct dirent *de;
	DIR *d;
	int n = 0;

	assert_non_null(p);
	d = opendir(p);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	(void)closedir(d);
	free(p);
	return n;
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* All that fd holds from offset 0, NUL-terminated; its length in *len. */
static char *
read_all(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1), *nb;
	ssize_t r;

	assert_non_null(b);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			nb = realloc(b, cap + 1);
			assert_non_null(nb);
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		assert_true(r >= 0);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*len = n;
	return b;
}

/* Commit a message with content s; returns its name (malloc'd). */
static char *
put(struct maildir *m, const char *name, const char *s, const char *flags)
{
	struct maildir_tx tx;
	char *errstr = NULL;

	assert_int_equal(maildir_begin(m, name, &tx, &errstr), ERR_OK);
	assert_int_equal(maildir_write(&tx, s, strlen(s)), (ssize_t)strlen(s));
	if (maildir_commit(m, &tx, flags, &errstr) != ERR_OK)
		fail_msg("commit: %s", errstr != NULL ? errstr : "?");
	assert_int_equal(tx.fd, -1);
	return tx.name;
}

/* The content of message name, NUL-terminated. */
static char *
content(const struct maildir *m, const char *name)
{
	char *errstr = NULL, *s;
	size_t len;
	int fd;

	if (maildir_open_msg(m, name, &fd, &errstr) != ERR_OK)
		fail_msg("open_msg: %s", errstr != NULL ? errstr : "?");
	assert_true(fd >= 0);
	s = read_all(fd, &len);
	assert_int_equal(close(fd), 0);
	return s;
}

/* gethostname() escaped as mdname_unique() must do it. */
static char *
expected_host(void)
{
	char host[256], out[1100];
	size_t i, o = 0;

	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	if (host[0] == '\0')
		(void)snprintf(host, sizeof(host), "localhost");
	for (i = 0; host[i] != '\0'; i++) {
		if (host[i] == '/' || host[i] == ':') {
			memcpy(out + o, host[i] == '/' ? "\\057" : "\\072", 4);
			o += 4;
		} else {
			out[o++] = host[i];
		}
	}
	out[o] = '\0';
	return strdup(out);
}

static size_t
span(const char *s, const char *set)
{
	return strspn(s, set);
}

/* "SECONDS.M<6 digits>P<pid>R<16 hex>.<host>" with our pid and host. */
static void
check_shape(const char *s, const char *host)
{
	const char *p = s;
	char pid[32];
	size_t n;
	long secs;

	n = span(p, "0123456789");
	assert_true(n >= 10);
	secs = strtol(p, NULL, 10);
	assert_true(labs(secs - (long)time(NULL)) < 3600);
	p += n;
	assert_int_equal(*p++, '.');
	assert_int_equal(*p++, 'M');
	assert_int_equal(span(p, "0123456789"), 6);
	p += 6;
	assert_int_equal(*p++, 'P');
	n = span(p, "0123456789");
	(void)snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	assert_int_equal(n, strlen(pid));
	assert_memory_equal(p, pid, n);
	p += n;
	assert_int_equal(*p++, 'R');
	assert_int_equal(span(p, "0123456789abcdef"), 16);
	p += 16;
	assert_int_equal(*p++, '.');
	assert_string_equal(p, host);
	assert_null(strchr(s, '/'));
	assert_null(strchr(s, ':'));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* --- tests ---------------------------------------------------------------- */

static void
test_create_open(void **state)
{
	struct maildir *m = NULL;
	char *p = tpath("box"), *slash = tpath("box/"), *sub, *errstr = NULL;
	char *keep = tpath("keep"), *file = tpath("plainfile");
	const char *const subs[] = { "tmp", "new", "cur" };
	size_t i;
	int fd;

	(void)state;
	/* Not there and not to be made. */
	assert_int_equal(maildir_open(&m, p, 0, &errstr), ERR_NOINPUT);
	assert_null(m);
	assert_non_null(strstr(errstr, p));

	/* Made: folder and tmp/ new/ cur/ 0700 (umask 022 is in force). */
	assert_int_equal(maildir_open(&m, slash, 1, &errstr), ERR_OK);
	assert_string_equal(maildir_path(m), p);
	maildir_close(m);
	assert_int_equal(mode_of(p), 0700);
	for (i = 0; i < 3; i++) {
		sub = tpath("box/%s", subs[i]);
		assert_int_equal(mode_of(sub), 0700);
		free(sub);
	}
	/* Open again, without create. */
	assert_int_equal(maildir_open(&m, p, 0, &errstr), ERR_OK);
	maildir_close(m);
	maildir_close(NULL);

	/* An existing folder keeps its mode; what is missing is made. */
	assert_int_equal(mkdir(keep, 0755), 0);
	assert_int_equal(maildir_open(&m, keep, 1, &errstr), ERR_OK);
	maildir_close(m);
	assert_int_equal(mode_of(keep), 0755);
	sub = tpath("keep/cur");
	assert_int_equal(mode_of(sub), 0700);
	/* A folder without cur/ is no Maildir. */
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(maildir_open(&m, keep, 0, &errstr), ERR_NOINPUT);
	assert_non_null(strstr(errstr, "cur/"));
	free(sub);

	/* A file where the folder should be. */
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(maildir_open(&m, file, 1, &errstr), ERR_IO);
	assert_non_null(strstr(errstr, file));
	assert_non_null(strstr(errstr, strerror(ENOTDIR)));
	assert_null(m);

	free(errstr);
	free(p);
	free(slash);
	free(keep);
	free(file);
}

static void
test_unique(void **state)
{
	enum { N = 10000 };
	char **v = calloc(N, sizeof(*v)), *host = expected_host();
	size_t i;

	(void)state;
	assert_non_null(v);
	assert_non_null(host);
	for (i = 0; i < N; i++) {
		v[i] = mdname_unique();
		assert_non_null(v[i]);
		check_shape(v[i], host);
	}
	qsort(v, N, sizeof(*v), cmp_str);
	for (i = 1; i < N; i++)
		assert_string_not_equal(v[i - 1], v[i]);
	for (i = 0; i < N; i++)
		free(v[i]);
	free(v);
	free(host);
}

static void
test_commit_read(void **state)
{
	struct maildir *m = make_md("rw");
	struct maildir_tx tx;
	uint32_t rng = SEED;
	size_t n = 200 * 1024 + 3, i, len, nn, nw;
	char *data = malloc(n), *errstr = NULL, *path, *want, *back;
	char *second, **names, **warn;
	int fd;

	(void)state;
	assert_non_null(data);
	for (i = 0; i < n; i++)
		data[i] = (char)test_rand(&rng);

	/* Written in uneven pieces, committed to new/. */
	assert_int_equal(maildir_begin(m, NULL, &tx, &errstr), ERR_OK);
	assert_true(tx.fd >= 0);
	assert_int_equal(count(m, "tmp"), 1);
	for (i = 0; i < n; i += 7001) {
		size_t k = n - i < 7001 ? n - i : 7001;

		assert_int_equal(maildir_write(&tx, data + i, k), (ssize_t)k);
	}
	/* Nothing is visible before the commit. */
	assert_int_equal(count(m, "new"), 0);
	assert_int_equal(maildir_commit(m, &tx, NULL, &errstr), ERR_OK);
	assert_int_equal(tx.fd, -1);
	maildir_abort(m, &tx);          /* after a commit: does nothing */
	assert_int_equal(count(m, "tmp"), 0);
	assert_int_equal(count(m, "new"), 1);

	want = util_strf("%s/new/%s", maildir_path(m), tx.name);
	assert_int_equal(maildir_find(m, tx.name, &path, &errstr), ERR_OK);
	assert_string_equal(path, want);
	assert_int_equal(mode_of(path), 0600);
	free(want);
	free(path);

	assert_int_equal(maildir_open_msg(m, tx.name, &fd, &errstr), ERR_OK);
	back = read_all(fd, &len);
	assert_int_equal(close(fd), 0);
	assert_int_equal(len, n);
	assert_memory_equal(back, data, n);
	free(back);

	/* A second one with flags: sorted, each once, in cur/. */
	second = put(m, NULL, "second\n", "SDS");
	want = util_strf("%s/cur/%s:2,DS", maildir_path(m), second);
	assert_int_equal(maildir_find(m, second, &path, &errstr), ERR_OK);
	assert_string_equal(path, want);
	free(want);
	free(path);
	back = content(m, second);
	assert_string_equal(back, "second\n");
	free(back);

	/* Both listed, oldest first, no warnings. */
	assert_int_equal(maildir_list(m, &names, &nn, &warn, &nw, &errstr),
	    ERR_OK);
	assert_int_equal(nn, 2);
	assert_int_equal(nw, 0);
	assert_string_equal(names[0], tx.name);
	assert_string_equal(names[1], second);
	maildir_free_list(names, nn);
	maildir_free_list(warn, nw);

	/* Bad flags and bad names are refused, not used as paths. */
	free(tx.name);
	assert_int_equal(maildir_begin(m, NULL, &tx, &errstr), ERR_OK);
	assert_int_equal(maildir_commit(m, &tx, "S1", &errstr), ERR_USAGE);
	assert_int_equal(maildir_commit(m, &tx, "S/", &errstr), ERR_USAGE);
	maildir_abort(m, &tx);
	free(tx.name);
	assert_int_equal(maildir_find(m, "../x", &path, &errstr), ERR_USAGE);
	assert_null(path);
	assert_int_equal(maildir_begin(m, ".hidden", &tx, &errstr), ERR_USAGE);
	assert_int_equal(maildir_begin(m, "a:2,S", &tx, &errstr), ERR_USAGE);
	assert_int_equal(maildir_open_msg(m, "no-such", &fd, &errstr),
	    ERR_NOINPUT);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(errstr, "no-such"));
	assert_int_equal(count(m, "tmp"), 0);

	free(second);
	free(errstr);
	free(data);
	maildir_close(m);
}

static void
test_abort(void **state)
{
	struct maildir *m = make_md("abort");
	struct maildir_tx tx;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(maildir_begin(m, NULL, &tx, &errstr), ERR_OK);
	assert_int_equal(maildir_write(&tx, "half a mess", 11), 11);
	maildir_abort(m, &tx);
	assert_int_equal(tx.fd, -1);
	assert_non_null(tx.name);
	free(tx.name);
	assert_int_equal(count(m, "tmp"), 0);
	assert_int_equal(count(m, "new"), 0);
	assert_int_equal(count(m, "cur"), 0);
	/* Aborting a begin that failed is harmless. */
	assert_int_equal(maildir_begin(m, "bad/name", &tx, &errstr),
	    ERR_USAGE);
	maildir_abort(m, &tx);
	assert_null(tx.name);
	free(errstr);
	maildir_close(m);
}

static void
test_commit_exists(void **state)
{
	struct maildir *m = make_md("exists");
	struct maildir_tx tx;
	char *errstr = NULL, *name, *back;

	(void)state;
	name = put(m, NULL, "first\n", NULL);
	/* Same name again, to cur/ and to new/: refused, nothing replaced. */
	assert_int_equal(maildir_begin(m, name, &tx, &errstr), ERR_OK);
	assert_int_equal(maildir_write(&tx, "second\n", 7), 7);
	assert_int_equal(maildir_commit(m, &tx, "S", &errstr), ERR_IO);
	assert_non_null(strstr(errstr, strerror(EEXIST)));
	assert_non_null(strstr(errstr, name));
	assert_int_equal(maildir_commit(m, &tx, NULL, &errstr), ERR_IO);
	assert_non_null(strstr(errstr, strerror(EEXIST)));
	/* tmp/ as it was, for the caller to abort. */
	assert_true(tx.fd >= 0);
	assert_int_equal(count(m, "tmp"), 1);
	assert_int_equal(count(m, "new"), 1);
	assert_int_equal(count(m, "cur"), 0);
	maildir_abort(m, &tx);
	free(tx.name);
	assert_int_equal(count(m, "tmp"), 0);
	back = content(m, name);
	assert_string_equal(back, "first\n");
	free(back);
	free(name);
	free(errstr);
	maildir_close(m);
}

static void
test_replace(void **state)
{
	struct maildir *m = make_md("replace");
	struct maildir_tx tx;
	char *errstr = NULL, *name, *before, *after, *back;

	(void)state;
	name = put(m, NULL, "old content, 8bit\n", "S");
	assert_int_equal(maildir_find(m, name, &before, &errstr), ERR_OK);
	assert_int_equal(maildir_replace_begin(m, name, &tx, &errstr), ERR_OK);
	assert_string_equal(tx.name, name);
	assert_int_equal(maildir_write(&tx, "new\n", 4), 4);
	/* Until the commit readers see the old content. */
	back = content(m, name);
	assert_string_equal(back, "old content, 8bit\n");
	free(back);
	/* A replace is no new message. */
	assert_int_equal(maildir_commit(m, &tx, NULL, &errstr), ERR_USAGE);
	assert_int_equal(maildir_replace_commit(m, &tx, &errstr), ERR_OK);
	assert_int_equal(tx.fd, -1);
	free(tx.name);
	assert_int_equal(maildir_find(m, name, &after, &errstr), ERR_OK);
	assert_string_equal(before, after);       /* flags kept */
	back = content(m, name);
	assert_string_equal(back, "new\n");
	free(back);
	assert_int_equal(count(m, "tmp"), 0);
	assert_int_equal(count(m, "cur"), 1);

	/* Nothing to replace. */
	assert_int_equal(maildir_replace_begin(m, "1.M000001P1R1.nowhere", &tx,
	    &errstr), ERR_NOINPUT);
	assert_int_equal(tx.fd, -1);
	assert_null(tx.name);
	/* The message went away between begin and commit. */
	assert_int_equal(maildir_replace_begin(m, name, &tx, &errstr), ERR_OK);
	assert_int_equal(maildir_remove(m, name, &errstr), ERR_OK);
	assert_int_equal(maildir_replace_commit(m, &tx, &errstr), ERR_NOINPUT);
	maildir_abort(m, &tx);
	free(tx.name);
	assert_int_equal(count(m, "tmp"), 0);
	assert_int_equal(count(m, "cur"), 0);

	free(before);
	free(after);
	free(name);
	free(errstr);
	maildir_close(m);
}

static void
test_move_remove(void **state)
{
	struct maildir *a = make_md("move-a"), *b = make_md("move-b");
	char *errstr = NULL, *name, *other, *path, *want, *back;

	(void)state;
	name = put(a, NULL, "moving\n", NULL);
	assert_int_equal(maildir_move(a, name, b, "S", &errstr), ERR_OK);
	want = util_strf("%s/cur/%s:2,S", maildir_path(b), name);
	assert_true(exists(want));
	assert_int_equal(maildir_find(b, name, &path, &errstr), ERR_OK);
	assert_string_equal(path, want);
	free(path);
	free(want);
	assert_int_equal(maildir_find(a, name, &path, &errstr), ERR_NOINPUT);
	assert_int_equal(count(a, "new") + count(a, "cur"), 0);
	back = content(b, name);
	assert_string_equal(back, "moving\n");
	free(back);

	/* Back, into new/; then within one folder to cur/ with flags. */
	assert_int_equal(maildir_move(b, name, a, NULL, &errstr), ERR_OK);
	want = util_strf("%s/new/%s", maildir_path(a), name);
	assert_true(exists(want));
	free(want);
	assert_int_equal(maildir_move(a, name, a, "RS", &errstr), ERR_OK);
	want = util_strf("%s/cur/%s:2,RS", maildir_path(a), name);
	assert_true(exists(want));
	free(want);
	assert_int_equal(count(a, "new"), 0);

	/* A message of that name in the target: refused, nothing moves. */
	other = put(b, name, "other\n", NULL);
	assert_int_equal(maildir_move(a, name, b, "S", &errstr), ERR_IO);
	assert_non_null(strstr(errstr, strerror(EEXIST)));
	assert_int_equal(count(a, "cur"), 1);
	assert_int_equal(count(b, "new"), 1);
	assert_int_equal(count(b, "cur"), 0);
	assert_int_equal(maildir_move(a, "1.M000001P1R1.nowhere", b, NULL,
	    &errstr), ERR_NOINPUT);

	/* Remove. */
	assert_int_equal(maildir_remove(a, name, &errstr), ERR_OK);
	assert_int_equal(count(a, "cur"), 0);
	assert_int_equal(maildir_remove(a, name, &errstr), ERR_NOINPUT);
	assert_int_equal(maildir_remove(b, other, &errstr), ERR_OK);
	assert_int_equal(count(b, "new"), 0);

	free(other);
	free(name);
	free(errstr);
	maildir_close(a);
	maildir_close(b);
}

static void
make_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\n", 2), 2);
	assert_int_equal(close(fd), 0);
}

static void
test_list_junk(void **state)
{
	struct maildir *m = make_md("junk");
	char *errstr = NULL, *name, **names, **warn, *p[4];
	size_t nn, nw, i;
	int found;

	(void)state;
	name = put(m, NULL, "real\n", "S");
	p[0] = tpath("junk/cur/1700000000.M000001P1R1.host:2,S");
	assert_int_equal(mkdir(p[0], 0700), 0);
	p[1] = tpath("junk/cur/.hidden");
	make_file(p[1]);
	p[2] = tpath("junk/new/:2,S");
	make_file(p[2]);
	p[3] = tpath("junk/new/bad\x1b[2Jname");
	make_file(p[3]);

	assert_int_equal(maildir_list(m, &names, &nn, &warn, &nw, &errstr),
	    ERR_OK);
	assert_int_equal(nn, 1);
	assert_string_equal(names[0], name);
	assert_int_equal(nw, 4);
	for (i = 0; i < nw; i++) {
		const char *c;

		for (c = warn[i]; *c != '\0'; c++)
			assert_true(*c >= 0x20 && *c < 0x7f);
	}
	found = 0;
	for (i = 0; i < nw; i++)
		found |= (strstr(warn[i], ".hidden") != NULL) |
		    (strstr(warn[i], "not a regular file") != NULL) << 1 |
		    (strstr(warn[i], "bad\\x1B[2Jname") != NULL) << 2 |
		    (strstr(warn[i], "new/:2,S") != NULL) << 3;
	assert_int_equal(found, 15);
	maildir_free_list(names, nn);
	maildir_free_list(warn, nw);
	/* Reported, never deleted. */
	for (i = 0; i < 4; i++) {
		assert_true(exists(p[i]));
		free(p[i]);
	}
	/* The junk is no message to find either. */
	assert_int_equal(maildir_find(m, "bad", &p[0], &errstr), ERR_NOINPUT);
	maildir_free_list(NULL, 0);
	free(name);
	free(errstr);
	maildir_close(m);
}

/* mdname_unique() with pid put in place of ours. */
static char *
name_with_pid(long pid)
{
	char *u = mdname_unique(), *p, *r, *s;

	assert_non_null(u);
	p = strchr(u, 'P');
	r = strchr(u, 'R');
	assert_non_null(p);
	assert_non_null(r);
	s = util_strf("%.*sP%ldR%s", (int)(p - u), u, pid, r + 1);
	assert_non_null(s);
	free(u);
	return s;
}

static void
test_stale_tmp(void **state)
{
	struct maildir *m = make_md("stale");
	struct timeval tv[2];
	char *errstr = NULL, *old, *live, *dead, *foreign, *other, *olddir;
	char *n, *dot;
	pid_t child;
	int status;

	(void)state;
	maildir_close(m);
	/* A file not touched for 37 hours: removed, whatever its name. */
	old = tpath("stale/tmp/some-old-file");
	make_file(old);
	tv[0].tv_sec = tv[1].tv_sec = time(NULL) - 37 * 3600;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	assert_int_equal(utimes(old, tv), 0);
	/* ... but an old directory is not ours to remove. */
	olddir = tpath("stale/tmp/old-dir");
	assert_int_equal(mkdir(olddir, 0700), 0);
	assert_int_equal(utimes(olddir, tv), 0);
	/* Fresh, of a process that runs (this one): stays. */
	n = mdname_unique();
	assert_non_null(n);
	live = tpath("stale/tmp/%s", n);
	free(n);
	make_file(live);
	/* Fresh, of this host, by a process that has ended: removed. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, &status, 0), child);
	n = name_with_pid((long)child);
	dead = tpath("stale/tmp/%s", n);
	make_file(dead);
	/* The same from another host: not ours to judge, stays. */
	dot = strchr(strchr(n, 'R'), '.');
	assert_non_null(dot);
	foreign = tpath("stale/tmp/%.*s.elsewhere.example", (int)(dot - n), n);
	free(n);
	make_file(foreign);
	/* Fresh, any other name: stays. */
	other = tpath("stale/tmp/123.456.otherprogram");
	make_file(other);

	n = tpath("stale");
	assert_int_equal(maildir_open(&m, n, 0, &errstr), ERR_OK);
	free(n);
	assert_false(exists(old));
	assert_true(exists(olddir));
	assert_true(exists(live));
	assert_false(exists(dead));
	assert_true(exists(foreign));
	assert_true(exists(other));
	assert_int_equal(count(m, "tmp"), 4);
	maildir_close(m);

	free(old);
	free(olddir);
	free(live);
	free(dead);
	free(foreign);
	free(other);
	free(errstr);
}

static void
test_fault_enospc(void **state)
{
	struct maildir *m, *to;
	struct maildir_tx tx;
	char *errstr = NULL, *want, *name, *path;

	(void)state;
	TEST_NEED_HOOKS();
	m = make_md("full");
	to = make_md("full-to");
	/* The first write fails: no commit, nothing visible, abort cleans. */
	assert_int_equal(setenv("PIGEON_TEST_FAULT", "enospc:1", 1), 0);
	assert_int_equal(maildir_begin(m, NULL, &tx, &errstr), ERR_OK);
	errno = 0;
	assert_int_equal(maildir_write(&tx, "data\n", 5), -1);
	assert_int_equal(errno, ENOSPC);
	maildir_abort(m, &tx);
	free(tx.name);
	assert_int_equal(count(m, "tmp"), 0);
	assert_int_equal(count(m, "new"), 0);
	assert_int_equal(count(m, "cur"), 0);

	/* The file's fsync fails: commit says so, tmp/ kept for abort. */
	assert_int_equal(setenv("PIGEON_TEST_FAULT", "enospc:2", 1), 0);
	assert_int_equal(maildir_begin(m, NULL, &tx, &errstr), ERR_OK);
	assert_int_equal(maildir_write(&tx, "data\n", 5), 5);
	assert_int_equal(maildir_commit(m, &tx, NULL, &errstr), ERR_IO);
	want = util_strf("cannot write %s/tmp/%s: No space left on device",
	    maildir_path(m), tx.name);
	assert_string_equal(errstr, want);
	free(want);
	assert_int_equal(count(m, "new"), 0);
	assert_int_equal(count(m, "tmp"), 1);
	maildir_abort(m, &tx);
	free(tx.name);
	assert_int_equal(count(m, "tmp"), 0);

	/* The directory's fsync fails: the link is taken back. */
	assert_int_equal(setenv("PIGEON_TEST_FAULT", "enospc:3", 1), 0);
	assert_int_equal(maildir_begin(m, NULL, &tx, &errstr), ERR_OK);
	assert_int_equal(maildir_write(&tx, "data\n", 5), 5);
	assert_int_equal(maildir_commit(m, &tx, "S", &errstr), ERR_IO);
	want = util_strf("cannot save %s/cur to disk: No space left on device",
	    maildir_path(m));
	assert_string_equal(errstr, want);
	free(want);
	assert_int_equal(count(m, "new") + count(m, "cur"), 0);
	maildir_abort(m, &tx);
	free(tx.name);
	assert_int_equal(count(m, "tmp"), 0);

	/* A move whose fsync fails: ERR_IO, and the message is in to. */
	assert_int_equal(unsetenv("PIGEON_TEST_FAULT"), 0);
	name = put(m, NULL, "x\n", NULL);
	assert_int_equal(setenv("PIGEON_TEST_FAULT", "enospc:1", 1), 0);
	assert_int_equal(maildir_move(m, name, to, "S", &errstr), ERR_IO);
	assert_non_null(strstr(errstr, "No space left on device"));
	assert_int_equal(maildir_find(to, name, &path, &errstr), ERR_OK);
	free(path);
	assert_int_equal(maildir_find(m, name, &path, &errstr), ERR_NOINPUT);
	free(name);

	/* Without the variable all is well again. */
	assert_int_equal(unsetenv("PIGEON_TEST_FAULT"), 0);
	name = put(m, NULL, "fine\n", NULL);
	free(name);
	free(errstr);
	maildir_close(m);
	maildir_close(to);
}

static void
test_fault_erofs(void **state)
{
	struct maildir *m;
	struct maildir_tx tx;
	char *errstr = NULL, *want;

	(void)state;
	TEST_NEED_HOOKS();
	m = make_md("rofs");
	assert_int_equal(setenv("PIGEON_TEST_FAULT", "erofs", 1), 0);
	assert_int_equal(maildir_begin(m, "1.M000001P1R1.h", &tx, &errstr),
	    ERR_IO);
	want = util_strf("cannot create %s/tmp/1.M000001P1R1.h: Read-only "
	    "file system", maildir_path(m));
	assert_string_equal(errstr, want);
	free(want);
	assert_int_equal(tx.fd, -1);
	assert_null(tx.name);
	assert_int_equal(maildir_begin(m, NULL, &tx, &errstr), ERR_IO);
	assert_non_null(strstr(errstr, "Read-only file system"));
	assert_int_equal(count(m, "tmp"), 0);
	free(errstr);
	maildir_close(m);
}

/* A build without test hooks pays no heed to PIGEON_TEST_FAULT. */
static void
test_fault_ignored(void **state)
{
	struct maildir *m;
	struct maildir_tx tx;
	char *errstr = NULL, *name;

	(void)state;
#ifdef PIGEON_TEST_HOOKS
	print_message("skipped: this build has test hooks (configured with "
	    "--enable-test-hooks)\n");
	skip();
#endif
	m = make_md("nohooks");
	assert_int_equal(setenv("PIGEON_TEST_FAULT", "erofs", 1), 0);
	name = put(m, NULL, "kept\n", NULL);
	assert_int_equal(count(m, "new"), 1);
	free(name);
	assert_int_equal(setenv("PIGEON_TEST_FAULT", "enospc:1", 1), 0);
	assert_int_equal(maildir_begin(m, NULL, &tx, &errstr), ERR_OK);
	assert_int_equal(maildir_write(&tx, "data\n", 5), 5);
	assert_int_equal(maildir_commit(m, &tx, "S", &errstr), ERR_OK);
	free(tx.name);
	assert_int_equal(count(m, "cur"), 1);
	assert_null(errstr);
	maildir_close(m);
}

static void
test_readonly_dir(void **state)
{
	struct maildir *m;
	struct maildir_tx tx;
	char *errstr = NULL, *tmp;

	(void)state;
	/*
	 * root ignores permission bits, so a 0500 directory stops nobody
	 * there: the check means something for other users only.
	 */
	if (geteuid() == 0)
		skip();
	m = make_md("readonly");
	tmp = tpath("readonly/tmp");
	assert_int_equal(chmod(tmp, 0500), 0);
	assert_int_equal(maildir_begin(m, NULL, &tx, &errstr), ERR_IO);
	assert_int_equal(chmod(tmp, 0700), 0);
	assert_non_null(strstr(errstr, tmp));
	assert_non_null(strstr(errstr, strerror(EACCES)));
	assert_int_equal(tx.fd, -1);
	free(tmp);
	free(errstr);
	maildir_close(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_create_open, teardown),
		cmocka_unit_test_teardown(test_unique, teardown),
		cmocka_unit_test_teardown(test_commit_read, teardown),
		cmocka_unit_test_teardown(test_abort, teardown),
		cmocka_unit_test_teardown(test_commit_exists, teardown),
		cmocka_unit_test_teardown(test_replace, teardown),
		cmocka_unit_test_teardown(test_move_remove, teardown),
		cmocka_unit_test_teardown(test_list_junk, teardown),
		cmocka_unit_test_teardown(test_stale_tmp, teardown),
		cmocka_unit_test_teardown(test_fault_enospc, teardown),
		cmocka_unit_test_teardown(test_fault_erofs, teardown),
		cmocka_unit_test_teardown(test_fault_ignored, teardown),
		cmocka_unit_test_teardown(test_readonly_dir, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
