/* test_forward.c - an inline forward's attachments: which parts go, the names they get, their copies read from a real file and handed to the draft. */
/* SPDX-License-Identifier: ISC */
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
#include <unistd.h>

#include <cmocka.h>

#include "draft.h"
#include "helper.h"
#include "reply.h"
#include "reply_int.h"
#include "util.h"

static const char original[] =
    "From: Ann <ann@example.org>\n"
    "Subject: the report\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=B\n"
    "\n"
    "--B\n"
    "Content-Type: text/plain\n"
    "\n"
    "Here it is.\n"
    "--B\n"
    "Content-Type: application/pdf; name=\"../../r.pdf\"\n"
    "Content-Description: the report\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "JVBERi0xLjQK\n"
    "--B\n"
    "Content-Type: text/plain; name=notes.txt\n"
    "Content-Disposition: attachment; filename=notes.txt\n"
    "\n"
    "notes\n"
    "--B\n"
    "Content-Type: text/plain\n"
    "\n"
    "an inline text stays out\n"
    "--B\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: inner\n"
    "\n"
    "inner text\n"
    "--B--\n";

static struct mimewalk_part
part(const char *type, const char *parent, int attachment)
{
	struct mimewalk_part p;

	memset(&p, 0, sizeof(p));
	p.type = type;
	p.parent = parent;
	p.attachment = attachment;
	p.number = 1;
	return p;
}

static void
test_wanted(void **state)
{
	struct mimewalk_part p;

	(void)state;
	p = part("application/pdf", "multipart/mixed", 0);
	assert_true(forward_att_wanted(&p));
	p = part("image/png", "multipart/related", 0);
	assert_true(forward_att_wanted(&p));
	p = part("message/rfc822", "multipart/mixed", 0);
	assert_true(forward_att_wanted(&p));
	/* Texts: only those attached. */
	p = part("text/plain", "multipart/mixed", 0);
	assert_false(forward_att_wanted(&p));
	p = part("text/html", "multipart/alternative", 0);
	assert_false(forward_att_wanted(&p));
	p = part("text/csv", "multipart/mixed", 1);
	assert_true(forward_att_wanted(&p));
	/* What only made sense in the signed or encrypted whole. */
	p = part("application/pgp-signature", "multipart/signed", 0);
	assert_false(forward_att_wanted(&p));
	p = part("application/pkcs7-signature", "multipart/signed", 0);
	assert_false(forward_att_wanted(&p));
	p = part("application/pgp-encrypted", "multipart/encrypted", 0);
	assert_false(forward_att_wanted(&p));
	p = part("application/octet-stream", "multipart/encrypted", 0);
	assert_true(forward_att_wanted(&p));
	/* A signature file attached to a plain message goes. */
	p = part("application/pgp-signature", "multipart/mixed", 1);
	assert_true(forward_att_wanted(&p));
	p = part("multipart/mixed", "", 0);
	p.multipart = 1;
	assert_false(forward_att_wanted(&p));
}

static void
check_name(const char *in, const char *want)
{
	int nomem = 1;
	char *r = forward_att_name(in, &nomem);

	assert_false(nomem);
	if (want == NULL) {
		assert_null(r);
		return;
	}
	assert_non_null(r);
	assert_string_equal(r, want);
	free(r);
}

static void
test_names(void **state)
{
	char longname[400], *r;
	size_t i;
	int nomem;

	(void)state;
	check_name(NULL, NULL);
	check_name("", NULL);
	check_name("report.pdf", "report.pdf");
	check_name("../../../etc/passwd", "passwd");
	check_name("C:\\Users\\ann\\evil.png", "evil.png");
	check_name("dir/", NULL);
	check_name("..", NULL);
	check_name("a/..", NULL);
	check_name("red\x1b[31m\x07line\x7f.png", "red[31mline.png");
	check_name("Gr\xc3\xbc\xc3\x9f" "e.txt", "Gr\xc3\xbc\xc3\x9f" "e.txt");
	/* Long: cut at a character's edge, the extension kept. */
	for (i = 0; i + 2 < 300; i += 2)
		memcpy(longname + i, "\xc3\xa9", 2);
	memcpy(longname + i, ".pdf", 5);
	r = forward_att_name(longname, &nomem);
	assert_non_null(r);
	assert_true(strlen(r) <= FORWARD_NAME_MAX);
	assert_true(strlen(r) > FORWARD_NAME_MAX - 6);
	assert_string_equal(r + strlen(r) - 4, ".pdf");
	/* Whole characters only: an even number of bytes before ".pdf". */
	assert_int_equal((strlen(r) - 4) % 2, 0);
	free(r);
}

/* The file at path as a string (freed by the caller). */
static char *
slurp(const char *path)
{
	struct buf b;
	char *s;

	buf_init(&b, 4096);
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_non_null(s = strdup(buf_str(&b)));
	buf_free(&b);
	return s;
}

static struct reply_orig *
read_orig(unsigned flags)
{
	char *p = util_strf("%s/orig.eml", test_dir), *errstr = NULL;
	struct reply_orig *o = NULL;
	FILE *f;
	int fd;

	assert_non_null(p);
	assert_non_null(f = fopen(p, "wb"));
	assert_int_equal(fwrite(original, 1, sizeof(original) - 1, f),
	    sizeof(original) - 1);
	assert_int_equal(fclose(f), 0);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(reply_read(fd, p, flags, &o, NULL, &errstr), ERR_OK);
	(void)close(fd);
	free(p);
	return o;
}

static void
check_atts(const struct draft *d, size_t first)
{
	struct stat st;
	char *b;

	assert_int_equal(d->natt, first + 3);
	assert_string_equal(d->att[first].name, "r.pdf");
	assert_string_equal(d->att[first].type, "application/pdf");
	assert_string_equal(d->att[first].desc, "the report");
	b = slurp(d->att[first].path);
	assert_string_equal(b, "%PDF-1.4\n");
	free(b);
	assert_int_equal(stat(d->att[first].path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_string_equal(d->att[first + 1].name, "notes.txt");
	assert_string_equal(d->att[first + 1].type, "text/plain");
	b = slurp(d->att[first + 1].path);
	/* The line end before a delimiter is the delimiter's. */
	assert_string_equal(b, "notes");
	free(b);
	/* The message whole, as message/rfc822. */
	assert_true(d->att[first + 2].message);
	assert_null(d->att[first + 2].type);
	b = slurp(d->att[first + 2].path);
	assert_string_equal(b, "Subject: inner\n\ninner text");
	free(b);
	for (; first < d->natt; first++)
		assert_true(d->att[first].owned);
}

static void
test_read_and_take(void **state)
{
	struct reply_opts ro;
	struct reply_orig *o;
	struct draft d;
	char *errstr = NULL, *path, *dir, *tmp;
	DIR *dp;
	struct dirent *de;
	int left = 0;

	(void)state;
	/* Every private copy is made here, so that what is left shows. */
	assert_non_null(tmp = util_strf("%s/tmp", test_dir));
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(setenv("TMPDIR", tmp, 1), 0);
	memset(&ro, 0, sizeof(ro));
	ro.kind = REPLY_FORWARD_INLINE;
	/* A draft without a directory takes theirs. */
	o = read_orig(REPLY_READ_ATTACHMENTS);
	draft_init(&d);
	assert_int_equal(reply_make(o, &ro, &d, &errstr), ERR_OK);
	reply_orig_free(o);
	check_atts(&d, 0);
	path = strdup(d.att[0].path);
	dir = strdup(d.attdir);
	draft_free(&d);
	/* Gone with the draft, and their directory too. */
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_not_equal(access(dir, F_OK), 0);
	free(path);
	free(dir);
	/* A draft with copies of its own: moved in, no name taken twice. */
	o = read_orig(REPLY_READ_ATTACHMENTS);
	draft_init(&d);
	{
		enum err e = ERR_OK;
		int fd = draft_copy_open(&d, "r.pdf", 1, &path, &e, &errstr);

		assert_true(fd >= 0);
		(void)close(fd);
		assert_int_equal(draft_attach(&d, path, "r.pdf", NULL, 0, 0),
		    ERR_OK);
		d.att[0].owned = 1;
		free(path);
	}
	assert_int_equal(reply_make(o, &ro, &d, &errstr), ERR_OK);
	check_atts(&d, 1);
	assert_string_not_equal(d.att[0].path, d.att[1].path);
	assert_int_equal(strncmp(d.att[1].path, d.attdir, strlen(d.attdir)),
	    0);
	/* Their old directory went with the original. */
	reply_orig_free(o);
	draft_free(&d);
	/* Not asked for: none. */
	o = read_orig(0);
	draft_init(&d);
	assert_int_equal(reply_make(o, &ro, &d, &errstr), ERR_OK);
	assert_int_equal(d.natt, 0);
	reply_orig_free(o);
	draft_free(&d);
	/* Read, but the forward is a reply: the copies go with the original. */
	o = read_orig(REPLY_READ_ATTACHMENTS);
	ro.kind = REPLY_SENDER;
	draft_init(&d);
	assert_int_equal(reply_make(o, &ro, &d, &errstr), ERR_OK);
	assert_int_equal(d.natt, 0);
	reply_orig_free(o);
	draft_free(&d);
	free(errstr);
	assert_non_null(dp = opendir(tmp));
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			left++;
	assert_int_equal(closedir(dp), 0);
	assert_int_equal(left, 0);
	assert_int_equal(unsetenv("TMPDIR"), 0);
	free(tmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_read_and_take),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
