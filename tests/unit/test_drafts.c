/* test_drafts.c - drafts: save, replace atomically, load, list, delete, and a full disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "drafts.h"
#include "helper.h"

static void
test_drafts(void **state)
{
	struct maildir *md;
	struct buf b;
	char *id = NULL, *id2 = NULL, **ids = NULL, *errstr = NULL, path[128];
	size_t n = 0;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/drafts", test_dir);
	assert_int_equal(maildir_open(&md, path, 1, &errstr), ERR_OK);
	buf_init(&b, 1024 * 1024);
	assert_int_equal(drafts_save(md, &id, "one", 3, &errstr), ERR_OK);
	assert_non_null(id);
	assert_int_equal(drafts_save(md, &id2, "two", 3, &errstr), ERR_OK);
	assert_int_equal(drafts_list(md, &ids, &n, &errstr), ERR_OK);
	assert_int_equal(n, 2);
	maildir_free_list(ids, n);
	/* Replace: the same id, the new text only. */
	assert_int_equal(drafts_save(md, &id, "one, longer", 11, &errstr),
	    ERR_OK);
	assert_int_equal(drafts_load(md, id, &b, &errstr), ERR_OK);
	assert_string_equal(buf_str(&b), "one, longer");
	/* A full disk while replacing keeps the old draft whole. */
	assert_int_equal(setenv("PIGEON_TEST_FAULT", "enospc:1", 1), 0);
	assert_int_equal(drafts_save(md, &id, "lost", 4, &errstr), ERR_IO);
	assert_int_equal(unsetenv("PIGEON_TEST_FAULT"), 0);
	assert_non_null(strstr(errstr, "No space left"));
	buf_reset(&b);
	assert_int_equal(drafts_load(md, id, &b, &errstr), ERR_OK);
	assert_string_equal(buf_str(&b), "one, longer");
	/* Delete. */
	assert_int_equal(drafts_delete(md, id2, &errstr), ERR_OK);
	buf_reset(&b);
	assert_int_equal(drafts_load(md, id2, &b, &errstr), ERR_NOINPUT);
	assert_int_equal(drafts_list(md, &ids, &n, &errstr), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], id);
	maildir_free_list(ids, n);
	buf_free(&b);
	free(id);
	free(id2);
	free(errstr);
	maildir_close(md);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drafts),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
