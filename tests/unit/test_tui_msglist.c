/* test_tui_msglist.c - the UI's message list without curses: folders merged newest first, header fields read for the rows shown, the envelope for a message without To. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper.h"
#include "msglist.h"
#include "util.h"

static void
put(const char *dir, const char *name, const char *text)
{
	char *p = util_strf("%s/cur/%s", dir, name);
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

	*path = util_strf("%s/%s", test_dir, name);
	assert_int_equal(maildir_open(&m, *path, 1, NULL), ERR_OK);
	return m;
}

static int asked;

static char *
envelope(void *arg, const char *id)
{
	(void)arg;
	asked++;
	return strcmp(id, "1700000003.M1P1Rc.h") == 0 ?
	    strdup("list@example.org") : NULL;
}

static void
test_two_folders_merged_newest_first(void **state)
{
	struct msglist l;
	struct maildir *md[2];
	char *p0, *p1, id[64], date[32];
	const struct msglist_fields *f;

	(void)state;
	md[0] = folder("a", &p0);
	md[1] = folder("b", &p1);
	put(p0, "1700000001.M1P1Ra.h:2,S", "To: one@example.org\n"
	    "Subject: first\n\ntext\n");
	put(p1, "1700000002.M1P1Rb.h:2,S", "To: two@example.org\n"
	    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n\ntext\n");
	put(p0, "1700000003.M1P1Rc.h:2,S", "Subject: third, no To\n\ntext\n");
	memset(&l, 0, sizeof(l));
	l.cachefd = -1;
	l.no_to = envelope;
	msglist_load(&l, md, 2);
	assert_int_equal(l.n, 3);
	assert_int_equal(msglist_id(&l, 0, id, sizeof(id)), 0);
	assert_string_equal(id, "1700000003.M1P1Rc.h");
	assert_ptr_equal(msglist_folder(&l, 0), md[0]);
	assert_int_equal(msglist_id(&l, 1, id, sizeof(id)), 0);
	assert_string_equal(id, "1700000002.M1P1Rb.h");
	assert_ptr_equal(msglist_folder(&l, 1), md[1]);
	assert_int_equal(msglist_id(&l, 2, id, sizeof(id)), 0);
	assert_string_equal(id, "1700000001.M1P1Ra.h");
	/* Fields: decoded, read once, the envelope asked only without To. */
	f = msglist_fields(&l, 1);
	assert_string_equal(f->who, "two@example.org");
	assert_string_equal(f->subject, "Grüße");
	assert_int_equal(asked, 0);
	f = msglist_fields(&l, 0);
	assert_string_equal(f->who, "list@example.org");
	assert_int_equal(asked, 1);
	f = msglist_fields(&l, 0);
	assert_int_equal(asked, 1);
	msglist_date(&l, 2, date, sizeof(date));
	assert_true(strlen(date) > 5);
	/* Past the end: nothing, no crash. */
	assert_int_equal(msglist_id(&l, 3, id, sizeof(id)), -1);
	assert_null(msglist_folder(&l, 3));
	msglist_free(&l);
	assert_int_equal(l.n, 0);
	assert_int_equal(msglist_count(md[0], -1), 2);
	maildir_close(md[0]);
	maildir_close(md[1]);
	free(p0);
	free(p1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_folders_merged_newest_first),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
