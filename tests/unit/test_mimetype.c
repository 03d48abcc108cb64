/* test_mimetype.c - unit tests for mime.types lookups, content sniffing and type syntax. */
/* SPDX-License-Identifier: ISC */
#include <dirent.h>
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
#include "err.h"
#include "helper.h"
#include "mimetype.h"
#include "util.h"

#define TEXT "text/plain"
#define BINARY "application/octet-stream"

/* The scratch directory of the running test. */
static char tmpdir[] = "/tmp/pigeon-test-mimetype-XXXXXX";
static const char tmpdir_template[] = "/tmp/pigeon-test-mimetype-XXXXXX";

/* Remove path and everything under it; the tests make only plain files. */
static int
setup(void **state)
{
	(void)state;
	memcpy(tmpdir, tmpdir_template, sizeof tmpdir);
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	test_rm_rf(tmpdir);
	return 0;
}

/* A malloc'd path inside the scratch directory. */
static char *
tpath(const char *name)
{
	char *p = util_strf("%s/%s", tmpdir, name);

	assert_non_null(p);
	return p;
}

/* Write data[0..len) to the scratch file name; its malloc'd path. */
static char *
write_bytes(const char *name, const char *data, size_t len)
{
	char *path = tpath(name);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

static struct mimetypes *
load_ok(const char *path)
{
	struct mimetypes *m = NULL;
	char *errstr = NULL;
	enum err e;

	e = mimetype_load(&m, path, &errstr);
	if (e != ERR_OK)
		fail_msg("loading %s: %s (%s)", path != NULL ? path :
		    "the default file", err_name(e),
		    errstr != NULL ? errstr : "");
	assert_non_null(m);
	assert_null(errstr);
	return m;
}

#define assert_type(m, name, want) \
	assert_type_((m), (name), (want), __FILE__, __LINE__)

static void
assert_type_(const struct mimetypes *m, const char *name, const char *want,
    const char *file, int line)
{
	const char *got = mimetype_lookup(m, name);

	if (want == NULL && got == NULL)
		return;
	if (want != NULL && got != NULL && strcmp(want, got) == 0)
		return;
	print_error("'%s': got %s, want %s\n", name,
	    got != NULL ? got : "NULL", want != NULL ? want : "NULL");
	_fail(file, line);
}

static const char sample[] =
    "# A mime.types file with the usual things in it.\n"
    "   # an indented comment\n"
    "\n"
    " \t \n"
    "text/plain\t\t\t\ttxt text  TXT\n"
    "application/x-Foo foo bar\tbaz qux # zzz is a comment\n"
    "image/png\t\tpng\n"
    "image/x-other\tPNG other\n"
    "text/x-dup foo\n"
    "application/x-nothing\n"
    "#image/commented  cmt\n"
    "bad-type-no-slash abc\n"
    "text/plain;charset=utf-8 xyz\n"
    "text/ plain2 sp\n"
    "application/gzip gz\r\n"
    "video/mp4 mp4 mp4v mpg4\r\n"
    "application/x-tar\ttar\n"
    "  application/x-indented ind\n"
    "application/x-dots tar.gz with/slash ok\n"
    "application/x-nul nul\0after\n"
    "APPLICATION/X-CASE Kase\n"
    "application/x-noeol neol";

static void
test_load_sample(void **state)
{
	struct mimetypes *m;
	char *path;

	(void)state;
	path = write_bytes("mime.types", sample, sizeof sample - 1);
	m = load_ok(path);

	assert_type(m, "a.txt", "text/plain");
	assert_type(m, "A.TXT", "text/plain");
	assert_type(m, "notes.Text", "text/plain");
	assert_type(m, "x.foo", "application/x-Foo");
	assert_type(m, "x.BAZ", "application/x-Foo");
	assert_type(m, "x.qux", "application/x-Foo");
	/* The first line that names an extension wins, in any case. */
	assert_type(m, "x.png", "image/png");
	assert_type(m, "x.PNG", "image/png");
	assert_type(m, "x.other", "image/x-other");
	/* Comments, bad types and what follows them count for nothing. */
	assert_type(m, "x.zzz", NULL);
	assert_type(m, "x.cmt", NULL);
	assert_type(m, "x.abc", NULL);
	assert_type(m, "x.xyz", NULL);
	assert_type(m, "x.plain2", NULL);
	assert_type(m, "x.sp", NULL);
	assert_type(m, "x.nul", NULL);
	assert_type(m, "x.after", NULL);
	/* A CR before the LF is not part of the last field. */
	assert_type(m, "x.gz", "application/gzip");
	assert_type(m, "x.mpg4", "video/mp4");
	assert_type(m, "x.mp4", "video/mp4");
	assert_type(m, "x.ind", "application/x-indented");
	assert_type(m, "x.ok", "application/x-dots");
	assert_type(m, "x.kase", "APPLICATION/X-CASE");
	assert_type(m, "x.neol", "application/x-noeol");

	/* The extension is what follows the last dot of the base name. */
	assert_type(m, "a.tar.gz", "application/gzip");
	assert_type(m, "a.gz.tar", "application/x-tar");
	assert_type(m, "dir.d/file", NULL);
	assert_type(m, "dir.txt/file", NULL);
	assert_type(m, "dir.d/file.txt", "text/plain");
	assert_type(m, "/abs/path.d/Report.TXT", "text/plain");
	assert_type(m, "noext", NULL);
	assert_type(m, ".hidden", NULL);
	assert_type(m, ".txt", NULL);
	assert_type(m, "dir/.txt", NULL);
	assert_type(m, ".hidden.txt", "text/plain");
	assert_type(m, "..txt", "text/plain");
	assert_type(m, "file.", NULL);
	assert_type(m, "dir.txt/", NULL);
	assert_type(m, "", NULL);
	assert_type(m, ".", NULL);
	assert_type(m, "x.tx", NULL);
	assert_type(m, "x.txtx", NULL);
	assert_type(m, "x.", NULL);
	assert_type(m, "x.tar.GZ", "application/gzip");

	mimetype_free(m);
	free(path);
}

static void
test_missing_and_empty(void **state)
{
	struct mimetypes *m;
	char *path;

	(void)state;
	path = tpath("does-not-exist");
	m = load_ok(path);
	assert_type(m, "x.txt", NULL);
	assert_type(m, "x", NULL);
	mimetype_free(m);
	free(path);

	path = write_bytes("empty", "", 0);
	m = load_ok(path);
	assert_type(m, "x.txt", NULL);
	mimetype_free(m);
	free(path);

	path = write_bytes("comments", "# nothing\n\n#\n", 13);
	m = load_ok(path);
	assert_type(m, "x.txt", NULL);
	mimetype_free(m);
	free(path);

	assert_null(mimetype_lookup(NULL, "x.txt"));
	mimetype_free(NULL);
}

static void
expect_io(const char *path, const char *what)
{
	/* Any non-NULL value, to see that it is cleared. */
	struct mimetypes *m = (struct mimetypes *)&m;
	char *errstr = NULL;

	assert_int_equal(mimetype_load(&m, path, &errstr), ERR_IO);
	assert_null(m);
	assert_non_null(errstr);
	if (strstr(errstr, what) == NULL)
		fail_msg("'%s' does not contain '%s'", errstr, what);
	free(errstr);
	/* errstr is optional. */
	assert_int_equal(mimetype_load(&m, path, NULL), ERR_IO);
}

static void
test_unreadable(void **state)
{
	char *path, *sub;

	(void)state;
	/* A directory. */
	expect_io(tmpdir, "directory");

	/* A path through a file: ENOTDIR, not a missing file. */
	path = write_bytes("plain", "text/plain txt\n", 15);
	sub = util_strf("%s/mime.types", path);
	assert_non_null(sub);
	expect_io(sub, "plain/mime.types");
	free(sub);

	/* No permission (root reads anything, so only when not root). */
	if (geteuid() != 0) {
		assert_int_equal(chmod(path, 0), 0);
		expect_io(path, "plain");
	}
	free(path);
}

/* Many types and extensions: every one is found, and fast. */
static void
test_many(void **state)
{
	const size_t ntypes = 2000;
	struct mimetypes *m;
	struct buf file;
	char name[64], want[64], *path;
	uint32_t rng = 0x9e3779b9u;
	int64_t t0, t1;
	size_t i, k;

	(void)state;
	buf_init(&file, 1 << 20);
	for (i = 0; i < ntypes; i++)
		assert_int_equal(buf_printf(&file,
		    "application/x-t%zu\te%zu E%zuB f%zu\n", i, i, i, i), 0);
	path = write_bytes("many", file.data, file.len);
	buf_free(&file);
	m = load_ok(path);

	for (i = 0; i < ntypes; i++) {
		assert_int_equal(snprintf(want, sizeof want,
		    "application/x-t%zu", i) > 0, 1);
		assert_int_equal(snprintf(name, sizeof name, "d.x/n.e%zu", i)
		    > 0, 1);
		assert_type(m, name, want);
		assert_int_equal(snprintf(name, sizeof name, "N.F%zu", i) > 0,
		    1);
		assert_type(m, name, want);
		assert_int_equal(snprintf(name, sizeof name, "n.e%zub", i) > 0,
		    1);
		assert_type(m, name, want);
		assert_int_equal(snprintf(name, sizeof name, "n.g%zu", i) > 0,
		    1);
		assert_type(m, name, NULL);
	}

	/*
	 * A million lookups take milliseconds with a binary search and
	 * minutes with a linear one; the bound is loose for slow machines
	 * and sanitizers.
	 */
	t0 = util_now_us();
	for (k = 0; k < 1000000; k++) {
		i = test_rand(&rng) % ntypes;
		assert_int_equal(snprintf(name, sizeof name, "n.e%zu", i) > 0,
		    1);
		assert_non_null(mimetype_lookup(m, name));
	}
	t1 = util_now_us();
	if (t1 - t0 > 10 * 1000000)
		fail_msg("a million lookups took %lld ms",
		    (long long)(t1 - t0) / 1000);

	mimetype_free(m);
	free(path);
}

/* The media-types package's file, when this system has it. */
static void
test_system_file(void **state)
{
	struct mimetypes *m;

	(void)state;
	if (access("/etc/mime.types", R_OK) != 0)
		skip();
	m = load_ok(NULL);
	assert_type(m, "x.pdf", "application/pdf");
	assert_type(m, "Report.PDF", "application/pdf");
	assert_type(m, "x.png", "image/png");
	assert_type(m, "dir/x.txt", "text/plain");
	assert_type(m, "x.no-such-extension-here", NULL);
	mimetype_free(m);

	/* The explicit path gives the same. */
	m = load_ok("/etc/mime.types");
	assert_type(m, "x.png", "image/png");
	mimetype_free(m);
}

#define assert_sniff(p, n, whole, want) \
	assert_sniff_((p), (n), (whole), (want), __FILE__, __LINE__)

static void
assert_sniff_(const char *p, size_t n, int whole, const char *want,
    const char *file, int line)
{
	const char *got = mimetype_sniff(p, n, whole);

	if (strcmp(got, want) == 0)
		return;
	print_error("'%s' (whole %d): got %s, want %s\n", test_vis(p, n),
	    whole, got, want);
	_fail(file, line);
}

static void
test_sniff(void **state)
{
	static const struct {
		const char *p;
		size_t n;
		const char *whole, *part;
	} v[] = {
		{ "", 0, TEXT, TEXT },
		{ "hello, world\n", 13, TEXT, TEXT },
		{ "\x1b[1mbold\x1b[0m\r\n\t\f", 16, TEXT, TEXT },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa6\n", 15, TEXT, TEXT },
		/* Latin-1 is not UTF-8 ... */
		{ "caf\xe9 au lait", 12, BINARY, BINARY },
		/* ... but at the end of a partial read it might be. */
		{ "caf\xe9", 4, BINARY, TEXT },
		{ "a\0b", 3, BINARY, BINARY },
		{ "\0", 1, BINARY, BINARY },
		{ "text then NUL\0", 14, BINARY, BINARY },
		{ "\xff\xd8\xff\xe0", 4, BINARY, BINARY },	/* JPEG */
		{ "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 15, BINARY, BINARY },
		/* Sequences cut off by the end of the read. */
		{ "abc\xc3", 4, BINARY, TEXT },
		{ "abc\xe2", 4, BINARY, TEXT },
		{ "abc\xe2\x82", 5, BINARY, TEXT },
		{ "abc\xf0", 4, BINARY, TEXT },
		{ "abc\xf0\x9f", 5, BINARY, TEXT },
		{ "abc\xf0\x9f\x90", 6, BINARY, TEXT },
		{ "\xe2\x82", 2, BINARY, TEXT },
		/* Cut off, but not the start of anything well-formed. */
		{ "abc\xc0", 4, BINARY, BINARY },
		{ "abc\xc1", 4, BINARY, BINARY },
		{ "abc\xe0\x80", 5, BINARY, BINARY },
		{ "abc\xe0\x9f", 5, BINARY, BINARY },
		{ "abc\xed\xa0", 5, BINARY, BINARY },
		{ "abc\xf0\x8f", 5, BINARY, BINARY },
		{ "abc\xf4\x90", 5, BINARY, BINARY },
		{ "abc\xf4\x8f\xc0", 6, BINARY, BINARY },
		{ "abc\xf5", 4, BINARY, BINARY },
		{ "abc\x80", 4, BINARY, BINARY },
		{ "abc\xe2\x82\xac\x80", 7, BINARY, BINARY },
		/* Broken before the end. */
		{ "\xe2\x82z", 3, BINARY, BINARY },
		{ "\xe2z\xe2", 3, BINARY, BINARY },
		{ "\xc3\xa9\xc3", 3, BINARY, TEXT },
		/* Complete but ill-formed. */
		{ "\xc0\x80", 2, BINARY, BINARY },
		{ "\xed\xa0\x80", 3, BINARY, BINARY },
		{ "\xf4\x90\x80\x80", 4, BINARY, BINARY },
		/* A NUL decides even when a cut sequence follows. */
		{ "a\0\xe2\x82", 4, BINARY, BINARY },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		assert_sniff(v[i].p, v[i].n, 1, v[i].whole);
		assert_sniff(v[i].p, v[i].n, 0, v[i].part);
	}
}

/* 64 KiB of multi-byte text cut at every place near its end. */
static void
test_sniff_cut_everywhere(void **state)
{
	static const char unit[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xa6\n";
	const size_t n = 65536;
	char *p;
	size_t i, cut;

	(void)state;
	p = malloc(n);
	assert_non_null(p);
	for (i = 0; i < n; i++)
		p[i] = unit[i % (sizeof unit - 1)];
	for (cut = n - 2 * (sizeof unit - 1); cut <= n; cut++) {
		/* Only a cut at a character boundary is whole text. */
		i = cut % (sizeof unit - 1);
		assert_sniff(p, cut, 0, TEXT);
		assert_sniff(p, cut, 1,
		    i == 0 || i == 1 || i == 3 || i == 6 || i == 10 ?
		    TEXT : BINARY);
	}
	free(p);
}

/*
 * A file whose name says nothing gets its type from its content: a PDF
 * is application/pdf (with libmagic), never text/plain although its
 * first bytes are ASCII; a text stays text/plain; what libmagic cannot
 * name falls back to the text/binary guess.
 */
static void
test_content(void **state)
{
	static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog "
	    "/Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
	static const char text[] = "Dear Bob,\nthe minutes are below.\n";
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0"
	    "\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
	static const char bin[] = "\0\x01\x02\x03\xff\xfe";
	char *t;

	(void)state;
	assert_int_equal(mimetype_content(text, sizeof text - 1, 1, &t),
	    ERR_OK);
	assert_string_equal(t, TEXT);
	free(t);
	assert_int_equal(mimetype_content("", 0, 1, &t), ERR_OK);
	assert_string_equal(t, TEXT);
	free(t);
	assert_int_equal(mimetype_content(bin, sizeof bin - 1, 1, &t), ERR_OK);
	assert_string_equal(t, BINARY);
	free(t);
	assert_int_equal(mimetype_content(pdf, sizeof pdf - 1, 1, &t), ERR_OK);
	if (!mimetype_have_magic()) {
		/* The old guess: ASCII is text.  What libmagic is for. */
		assert_string_equal(t, TEXT);
		free(t);
		skip();
	}
	assert_string_equal(t, "application/pdf");
	free(t);
	assert_int_equal(mimetype_content(png, sizeof png - 1, 1, &t), ERR_OK);
	assert_string_equal(t, "image/png");
	free(t);
}

static void
test_valid(void **state)
{
	static const char *const good[] = {
		"text/plain", "TEXT/PLAIN", "application/octet-stream",
		"application/vnd.ms-excel", "image/svg+xml", "x-foo/x-bar",
		"application/vnd.openxmlformats-officedocument.spreadsheetml."
		"sheet", "a/b", "message/rfc822", "multipart/mixed",
		"x/{weird}!#$%&'*+-.^_`|~",
	};
	static const char *const bad[] = {
		"", "text", "text/", "/plain", "/", "//",
		"text/plain; charset=utf-8", "text/plain;x", "text/plain;",
		" text/plain", "text/plain ", "text /plain", "text/ plain",
		"text/pl ain", "text/plain/x", "text//plain", "te(xt/plain",
		"text/pla\"in", "text/plain\n", "text/plain\r", "te\txt/plain",
		"t\x80/x", "a/\xc3\xa9", "a/b=c", "a@b/c", "a/b?", "a/[b]",
		"a:b/c", "a/b,c", "a\\b/c", "a/<b>", "a/b\x7f", "a\x01/b",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!mimetype_valid(good[i]))
			fail_msg("'%s' refused", good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (mimetype_valid(bad[i]))
			fail_msg("'%s' accepted", test_vis(bad[i],
			    strlen(bad[i])));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_sample, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_empty, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unreadable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test(test_system_file),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_sniff_cut_everywhere),
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
