/* test_safefile.c - the data folder's files: never through a link, only regular files and private directories of this user; the Maildir reader and drafts use it. */
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
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "draft.h"
#include "helper.h"
#include "maildir.h"
#include "safefile.h"
#include "util.h"

#define SECRET "SECRET-MARKER-77a1"

static char *
tpath(const char *name)
{
	char *p = util_strf("%s/%s", test_dir, name);

	assert_non_null(p);
	return p;
}

static void
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

static char *
read_all(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	(void)close(fd);
	return strdup(buf);
}

/* Refused, with the path and want in the sentence. */
static void
assert_refused(int fd, enum err e, char **errstr, const char *path,
    const char *want)
{
	assert_int_equal(fd, -1);
	assert_int_equal(e, ERR_UNSAFE);
	assert_non_null(*errstr);
	if (strstr(*errstr, path) == NULL || strstr(*errstr, want) == NULL)
		fail_msg("not said: %s", *errstr);
	free(*errstr);
	*errstr = NULL;
}

static void
test_open_refuses_what_is_not_a_private_file(void **state)
{
	char *reg = tpath("reg"), *lnk = tpath("lnk"), *dang = tpath("dang");
	char *gone = tpath("gone"), *fifo = tpath("fifo"), *dir = tpath("dir");
	char *errstr = NULL, *s;
	struct stat st;
	enum err e;
	int fd;

	(void)state;
	write_file(reg, SECRET);
	assert_int_equal(symlink(reg, lnk), 0);
	assert_int_equal(symlink(gone, dang), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mkdir(dir, 0700), 0);

	fd = safefile_open(AT_FDCWD, reg, reg, O_RDONLY, &e, &errstr);
	assert_true(fd >= 0);
	assert_int_equal(e, ERR_OK);
	/* Blocking again: only the open itself was not to wait. */
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_true((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	(void)close(fd);

	/* A link to a good file, for reading or writing: refused. */
	fd = safefile_open(AT_FDCWD, lnk, lnk, O_RDONLY, &e, &errstr);
	assert_refused(fd, e, &errstr, lnk, "symbolic link");
	fd = safefile_open(AT_FDCWD, lnk, lnk, O_WRONLY | O_APPEND | O_CREAT,
	    &e, &errstr);
	assert_refused(fd, e, &errstr, lnk, "symbolic link");
	s = read_all(reg);
	assert_string_equal(s, SECRET);
	free(s);
	/* A dangling one is not followed to make a file. */
	fd = safefile_open(AT_FDCWD, dang, dang, O_WRONLY | O_CREAT, &e,
	    &errstr);
	assert_refused(fd, e, &errstr, dang, "symbolic link");
	assert_int_equal(access(gone, F_OK), -1);
	/* A FIFO neither hangs a read nor a write open. */
	fd = safefile_open(AT_FDCWD, fifo, fifo, O_RDONLY, &e, &errstr);
	assert_refused(fd, e, &errstr, fifo, "FIFO");
	fd = safefile_open(AT_FDCWD, fifo, fifo, O_WRONLY, &e, &errstr);
	assert_refused(fd, e, &errstr, fifo, "FIFO");
	fd = safefile_open(AT_FDCWD, dir, dir, O_RDONLY, &e, &errstr);
	assert_refused(fd, e, &errstr, dir, "directory");
	/* Missing: not a refusal. */
	fd = safefile_open(AT_FDCWD, gone, gone, O_RDONLY, &e, &errstr);
	assert_int_equal(fd, -1);
	assert_int_equal(e, ERR_NOINPUT);
	free(errstr);
	errstr = NULL;
	/* Made private whatever the umask. */
	{
		mode_t old = umask(0);

		fd = safefile_open(AT_FDCWD, gone, gone, O_WRONLY | O_CREAT |
		    O_EXCL, &e, &errstr);
		(void)umask(old);
	}
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	(void)close(fd);
	/* Another user's file, where the test can make one (as root). */
	if (geteuid() == 0) {
		assert_int_equal(chown(reg, 65534, 65534), 0);
		fd = safefile_open(AT_FDCWD, reg, reg, O_RDONLY, &e, &errstr);
		assert_refused(fd, e, &errstr, reg, "another user");
	}
	free(reg);
	free(lnk);
	free(dang);
	free(gone);
	free(fifo);
	free(dir);
}

static void
test_dir_made_private_and_links_refused(void **state)
{
	char *made = tpath("made"), *away = tpath("away"), *lnk = tpath("dlnk");
	char *open_ = tpath("open"), *file = tpath("file"), *errstr = NULL;
	struct stat st;
	mode_t old;
	enum err e;
	int fd, m = 0;

	(void)state;
	old = umask(0);
	fd = safefile_dir(AT_FDCWD, made, made, 1, &m, &e, &errstr);
	(void)umask(old);
	assert_true(fd >= 0);
	assert_int_equal(m, 1);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	(void)close(fd);
	fd = safefile_dir(AT_FDCWD, made, made, 1, &m, &e, &errstr);
	assert_true(fd >= 0);
	assert_int_equal(m, 0);
	(void)close(fd);

	assert_int_equal(mkdir(away, 0700), 0);
	assert_int_equal(symlink(away, lnk), 0);
	fd = safefile_dir(AT_FDCWD, lnk, lnk, 1, NULL, &e, &errstr);
	assert_refused(fd, e, &errstr, lnk, "symbolic link");
	fd = safefile_dir(AT_FDCWD, lnk, lnk, 0, NULL, &e, &errstr);
	assert_refused(fd, e, &errstr, lnk, "symbolic link");

	assert_int_equal(mkdir(open_, 0700), 0);
	assert_int_equal(chmod(open_, 0777), 0);
	fd = safefile_dir(AT_FDCWD, open_, open_, 0, NULL, &e, &errstr);
	assert_refused(fd, e, &errstr, open_, "chmod 700");

	/* A file where the directory belongs: the system's word for it. */
	write_file(file, "x");
	fd = safefile_dir(AT_FDCWD, file, file, 1, NULL, &e, &errstr);
	assert_int_equal(fd, -1);
	assert_int_equal(e, ERR_IO);
	assert_non_null(strstr(errstr, strerror(ENOTDIR)));
	free(errstr);
	errstr = NULL;
	fd = safefile_dir(AT_FDCWD, "nothere-xyz", "nothere-xyz", 0, NULL, &e,
	    &errstr);
	assert_int_equal(e, ERR_NOINPUT);
	free(errstr);
	free(made);
	free(away);
	free(lnk);
	free(open_);
	free(file);
}

/* A Maildir with one message, whose file is then replaced by a link to secret. */
static struct maildir *
box_with_link(const char *name, const char *sub, char **id, char **secret)
{
	struct maildir *m = NULL;
	struct maildir_tx tx;
	char *p = tpath(name), *errstr = NULL, *file;

	assert_int_equal(maildir_open(&m, p, 1, &errstr), ERR_OK);
	assert_int_equal(maildir_begin(m, NULL, &tx, &errstr), ERR_OK);
	assert_int_equal(maildir_write(&tx, "Subject: mine\n\nhello\n", 21),
	    21);
	assert_int_equal(maildir_commit(m, &tx, strcmp(sub, "cur") == 0 ?
	    "D" : NULL, &errstr), ERR_OK);
	*id = tx.name;
	*secret = tpath("secret");
	write_file(*secret, "Subject: not yours\n\n" SECRET "\n");
	file = util_strf("%s/%s/%s%s", p, sub, *id, strcmp(sub, "cur") == 0 ?
	    ":2,D" : "");
	assert_non_null(file);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(symlink(*secret, file), 0);
	free(file);
	free(p);
	return m;
}

static void
test_maildir_never_reads_through_a_link(void **state)
{
	char *id, *secret, *errstr = NULL, **names, **warn;
	size_t n, nw;
	struct maildir *m = box_with_link("outbox", "new", &id, &secret);
	int fd = 5;

	(void)state;
	assert_int_equal(maildir_open_msg(m, id, &fd, &errstr), ERR_UNSAFE);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(errstr, "symbolic link"));
	assert_non_null(strstr(errstr, id));
	free(errstr);
	errstr = NULL;
	/* Listed as skipped, with the reason. */
	assert_int_equal(maildir_list(m, &names, &n, &warn, &nw, &errstr),
	    ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(nw, 1);
	assert_non_null(strstr(warn[0], "not a regular file"));
	maildir_free_list(names, n);
	maildir_free_list(warn, nw);
	maildir_close(m);
	free(id);
	free(secret);
}

static void
test_symlinked_draft_is_not_read(void **state)
{
	char *id, *secret, *errstr = NULL, *s;
	struct maildir *m = box_with_link("drafts", "cur", &id, &secret);
	struct draft d;

	(void)state;
	draft_init(&d);
	assert_int_equal(draft_load(m, id, &d, NULL, &errstr), ERR_UNSAFE);
	assert_true(d.subject == NULL || strstr(d.subject, "not yours") ==
	    NULL);
	assert_null(strstr(buf_str(&d.text), SECRET));
	assert_non_null(strstr(errstr, "symbolic link"));
	free(errstr);
	draft_free(&d);
	/* The link and what it points to are as they were. */
	s = read_all(secret);
	assert_non_null(strstr(s, SECRET));
	free(s);
	maildir_close(m);
	free(id);
	free(secret);
}

static void
test_maildir_refuses_linked_subdirectory(void **state)
{
	struct maildir *m = NULL;
	char *box = tpath("linked"), *away = tpath("elsewhere-new");
	char *sub = tpath("linked/new"), *errstr = NULL;

	(void)state;
	assert_int_equal(maildir_open(&m, box, 1, &errstr), ERR_OK);
	maildir_close(m);
	m = NULL;
	assert_int_equal(rename(sub, away), 0);
	assert_int_equal(symlink(away, sub), 0);
	assert_int_equal(maildir_open(&m, box, 1, &errstr), ERR_UNSAFE);
	assert_null(m);
	assert_non_null(strstr(errstr, sub));
	free(errstr);
	free(box);
	free(away);
	free(sub);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_refuses_what_is_not_a_private_file),
		cmocka_unit_test(test_dir_made_private_and_links_refused),
		cmocka_unit_test(test_maildir_never_reads_through_a_link),
		cmocka_unit_test(test_symlinked_draft_is_not_read),
		cmocka_unit_test(test_maildir_refuses_linked_subdirectory),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
