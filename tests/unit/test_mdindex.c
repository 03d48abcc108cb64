/* test_mdindex.c - the listing of big Maildir folders for the UI: newest first, links refused when opened, moved messages found. */
/* SPDX-License-Identifier: ISC */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper.h"
#include "maildir.h"
#include "mdindex.h"
#include "util.h"

/* A message file sub/name in the folder at dir holding text. */
static void
put(const char *dir, const char *sub, const char *name, const char *text)
{
	char *p = util_strf("%s/%s/%s", dir, sub, name);
	FILE *fp;

	assert_non_null(p);
	assert_non_null(fp = fopen(p, "w"));
	assert_int_not_equal(fputs(text, fp), EOF);
	assert_int_equal(fclose(fp), 0);
	free(p);
}

static struct maildir *
folder(const char *name, char **path)
{
	struct maildir *m = NULL;
	char *why = NULL;

	*path = util_strf("%s/%s", test_dir, name);
	assert_non_null(*path);
	assert_int_equal(maildir_open(&m, *path, 1, &why), ERR_OK);
	return m;
}

static void
test_newest_first(void **state)
{
	struct mdindex ix;
	struct maildir *m;
	char *path, id[256];

	(void)state;
	m = folder("order", &path);
	/* Same second: the microseconds decide; then the name. */
	put(path, "cur", "1700000000.M000002P1Rb.h:2,S", "b");
	put(path, "new", "1700000000.M000010P1Ra.h", "a");
	put(path, "cur", "1600000000.M999999P1Rc.h:2,S", "c");
	put(path, "cur", "1700000000.M000002P1Rz.h:2,S", "z");
	put(path, "cur", ".hidden", "x");
	put(path, "cur", "other-program-name", "o");
	assert_int_equal(mdindex_load(m, &ix, NULL), ERR_OK);
	assert_int_equal(ix.n, 5);
	assert_int_equal(mdindex_id(&ix, 0, id, sizeof(id)), 0);
	assert_string_equal(id, "1700000000.M000010P1Ra.h");
	assert_int_equal(mdindex_id(&ix, 1, id, sizeof(id)), 0);
	assert_string_equal(id, "1700000000.M000002P1Rz.h");
	assert_int_equal(mdindex_id(&ix, 2, id, sizeof(id)), 0);
	assert_string_equal(id, "1700000000.M000002P1Rb.h");
	assert_int_equal(mdindex_id(&ix, 3, id, sizeof(id)), 0);
	assert_string_equal(id, "1600000000.M999999P1Rc.h");
	/* A name of another program: listed, last (no time in it). */
	assert_string_equal(mdindex_file(&ix, 4), "other-program-name");
	/* Too small a buffer for the id: refused, not cut. */
	assert_int_equal(mdindex_id(&ix, 0, id, 5), -1);
	mdindex_free(&ix);
	maildir_close(m);
	free(path);
}

static void
test_open_where_it_lies_and_after_a_move(void **state)
{
	struct mdindex ix;
	struct maildir *m;
	char *path, *from, *to, buf[16];
	ssize_t r;
	int fd;

	(void)state;
	m = folder("moves", &path);
	put(path, "new", "1700000001.M1P1Rm.h", "moved text");
	put(path, "cur", "1700000000.M1P1Rs.h:2,S", "still");
	assert_int_equal(mdindex_load(m, &ix, NULL), ERR_OK);
	assert_int_equal(ix.n, 2);
	assert_int_equal(mdindex_open(m, &ix, 1, &fd, NULL), ERR_OK);
	r = read(fd, buf, sizeof(buf));
	assert_int_equal(r, 5);
	(void)close(fd);
	/* Another program moves it to cur/ with flags: still found. */
	from = util_strf("%s/new/1700000001.M1P1Rm.h", path);
	to = util_strf("%s/cur/1700000001.M1P1Rm.h:2,S", path);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(mdindex_open(m, &ix, 0, &fd, NULL), ERR_OK);
	r = read(fd, buf, sizeof(buf));
	assert_int_equal(r, 10);
	(void)close(fd);
	mdindex_free(&ix);
	free(from);
	free(to);
	maildir_close(m);
	free(path);
}

static void
test_links_are_never_followed(void **state)
{
	struct mdindex ix;
	struct maildir *m;
	char *path, *link, *target, *why = NULL;
	int fd = -1;

	(void)state;
	m = folder("links", &path);
	target = util_strf("%s/secret", test_dir);
	put(test_dir, ".", "secret", "not mail");
	link = util_strf("%s/cur/1700000000.M1P1Rl.h:2,S", path);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(mdindex_load(m, &ix, NULL), ERR_OK);
	/* The file system says it is a link: not even listed. */
	assert_int_equal(ix.n, 0);
	mdindex_free(&ix);
	/* A regular file replaced by a link after the listing: refused when opened. */
	assert_int_equal(unlink(link), 0);
	put(path, "cur", "1700000000.M1P1Rl.h:2,S", "mail");
	assert_int_equal(mdindex_load(m, &ix, NULL), ERR_OK);
	assert_int_equal(ix.n, 1);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_not_equal(mdindex_open(m, &ix, 0, &fd, &why), ERR_OK);
	assert_int_equal(fd, -1);
	free(why);
	mdindex_free(&ix);
	free(link);
	free(target);
	maildir_close(m);
	free(path);
}

static void age(const char *path, int secs);

static void
test_many(void **state)
{
	struct mdindex ix, head;
	struct maildir *m;
	char *path, *cdir, name[64], id[64], prev[64] = "";
	uint32_t seed = 7;
	size_t i, total = 0;
	int cfd;

	(void)state;
	m = folder("many", &path);
	for (i = 0; i < 3000; i++) {
		(void)snprintf(name, sizeof(name), "%u.M%06uP1R%04zx.h:2,S",
		    1700000000u + test_rand(&seed) % 50, test_rand(&seed) %
		    1000000, i);
		put(path, "cur", name, "x");
	}
	assert_int_equal(mdindex_load(m, &ix, NULL), ERR_OK);
	assert_int_equal(ix.n, 3000);
	/* Each one not newer than the one before. */
	for (i = 0; i < ix.n; i++) {
		assert_int_equal(mdindex_id(&ix, i, id, sizeof(id)), 0);
		if (i > 0)
			assert_true(strcmp(id, prev) <= 0 ||
			    ix.v[i].key < ix.v[i - 1].key);
		if (i > 0)
			assert_true(ix.v[i].key <= ix.v[i - 1].key);
		(void)snprintf(prev, sizeof(prev), "%s", id);
	}
	/* Kept, then read back by its head: the newest, the same order. */
	cdir = util_strf("%s/cache-many", test_dir);
	assert_int_equal(mkdir(cdir, 0700), 0);
	assert_true((cfd = open(cdir, O_RDONLY | O_DIRECTORY)) >= 0);
	age(path, 60);
	mdindex_free(&ix);
	assert_int_equal(mdindex_load_cached(m, &ix, cfd, "many", NULL),
	    ERR_OK);
	assert_int_equal(mdindex_load_head(m, &head, cfd, "many", &total),
	    ERR_OK);
	assert_int_equal(total, 3000);
	assert_true(head.n > 100 && head.n < 3000);
	for (i = 0; i < head.n; i++)
		assert_string_equal(mdindex_file(&head, i), mdindex_file(&ix, i));
	mdindex_free(&head);
	/* No cache: no head. */
	assert_int_equal(mdindex_load_head(m, &head, cfd, "other", &total),
	    ERR_NOINPUT);
	(void)close(cfd);
	free(cdir);
	mdindex_free(&ix);
	maildir_close(m);
	free(path);
}

/* Set the modification time of path's new/ and cur/ to secs ago. */
static void
age(const char *path, int secs)
{
	struct timespec ts[2];
	char *d;
	int k;

	(void)clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= secs;
	ts[1] = ts[0];
	for (k = 0; k < 2; k++) {
		d = util_strf("%s/%s", path, k ? "cur" : "new");
		assert_int_equal(utimensat(AT_FDCWD, d, ts, 0), 0);
		free(d);
	}
}

static void
test_cache(void **state)
{
	struct mdindex ix;
	struct maildir *m;
	char *path, *cdir, id[64];
	struct stat st;
	int cfd, fd;

	(void)state;
	m = folder("cached", &path);
	cdir = util_strf("%s/cache", test_dir);
	assert_int_equal(mkdir(cdir, 0700), 0);
	assert_true((cfd = open(cdir, O_RDONLY | O_DIRECTORY)) >= 0);
	put(path, "cur", "1700000000.M1P1Ra.h:2,S", "a");
	put(path, "new", "1700000002.M1P1Rb.h", "b");
	/* Just changed: listed, but no cache of it (a change may follow in the same tick). */
	assert_int_equal(mdindex_load_cached(m, &ix, cfd, "f", NULL), ERR_OK);
	assert_int_equal(ix.n, 2);
	mdindex_free(&ix);
	assert_int_equal(fstatat(cfd, "f", &st, 0), -1);
	/* Settled: the cache is written, and read back the same. */
	age(path, 60);
	assert_int_equal(mdindex_load_cached(m, &ix, cfd, "f", NULL), ERR_OK);
	mdindex_free(&ix);
	assert_int_equal(fstatat(cfd, "f", &st, 0), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(mdindex_load_cached(m, &ix, cfd, "f", NULL), ERR_OK);
	assert_int_equal(ix.n, 2);
	assert_int_equal(mdindex_id(&ix, 0, id, sizeof(id)), 0);
	assert_string_equal(id, "1700000002.M1P1Rb.h");
	assert_int_equal(ix.v[0].cur, 0);
	assert_string_equal(mdindex_file(&ix, 1), "1700000000.M1P1Ra.h:2,S");
	assert_int_equal(ix.v[1].cur, 1);
	mdindex_free(&ix);
	/* A new message changes cur/'s time: the cache is not used. */
	put(path, "cur", "1700000009.M1P1Rc.h:2,S", "c");
	assert_int_equal(mdindex_load_cached(m, &ix, cfd, "f", NULL), ERR_OK);
	assert_int_equal(ix.n, 3);
	assert_int_equal(mdindex_id(&ix, 0, id, sizeof(id)), 0);
	assert_string_equal(id, "1700000009.M1P1Rc.h");
	mdindex_free(&ix);
	/* A cache that is a link is never read (nor followed when written). */
	age(path, 60);
	assert_int_equal(unlinkat(cfd, "f", 0), 0);
	assert_int_equal(symlinkat("/etc/passwd", cfd, "f"), 0);
	assert_int_equal(mdindex_load_cached(m, &ix, cfd, "f", NULL), ERR_OK);
	assert_int_equal(ix.n, 3);
	mdindex_free(&ix);
	/* A damaged cache (cut short) is ignored. */
	assert_int_equal(unlinkat(cfd, "f", 0), 0);
	assert_int_equal(mdindex_load_cached(m, &ix, cfd, "f", NULL), ERR_OK);
	mdindex_free(&ix);
	assert_int_equal(fstatat(cfd, "f", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(ftruncate(fd = openat(cfd, "f", O_WRONLY), st.st_size -
	    5), 0);
	(void)close(fd);
	assert_int_equal(mdindex_load_cached(m, &ix, cfd, "f", NULL), ERR_OK);
	assert_int_equal(ix.n, 3);
	mdindex_free(&ix);
	(void)close(cfd);
	free(cdir);
	maildir_close(m);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newest_first),
		cmocka_unit_test(test_open_where_it_lies_and_after_a_move),
		cmocka_unit_test(test_links_are_never_followed),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
