/* test_downgrade.c - 8bit parts rewritten for a server without 8BITMIME: the same message, readable the same, 7-bit on the wire. */
/* SPDX-License-Identifier: ISC */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "downgrade.h"
#include "helper.h"
#include "mime.h"
#include "mimewalk.h"
#include "rfc822.h"

/* The leaves of a message as the reader decodes them: type, name, content. */
struct leaves {
	size_t n;
	char type[16][64];
	char name[16][128];
	struct buf content[16];
};

static enum mimewalk_want
lv_begin(void *arg, const struct mimewalk_part *p)
{
	struct leaves *l = arg;

	if (p->multipart)
		return MIMEWALK_RAW;
	assert_true(l->n < 16);
	(void)snprintf(l->type[l->n], sizeof(l->type[0]), "%s", p->type);
	(void)snprintf(l->name[l->n], sizeof(l->name[0]), "%s",
	    p->name != NULL ? p->name : "");
	buf_init(&l->content[l->n], 1 << 24);
	l->n++;
	return MIMEWALK_DECODE;
}

static int
lv_data(void *arg, const struct mimewalk_part *p, const char *b, size_t n)
{
	struct leaves *l = arg;

	(void)p;
	return buf_add(&l->content[l->n - 1], b, n);
}

static void
read_leaves(int fd, struct leaves *l)
{
	static const struct mimewalk_ops ops = { lv_begin, lv_data, NULL, NULL };
	unsigned flaws = 99;

	memset(l, 0, sizeof(*l));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(mimewalk_fd(fd, &ops, l, &flaws, NULL), ERR_OK);
	assert_int_equal(flaws, 0);
}

static void
free_leaves(struct leaves *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		buf_free(&l->content[i]);
}

static int
tmpfile_in(const char *name)
{
	char path[300];
	int fd;

	(void)snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	return fd;
}

static void
whole(int fd, struct buf *b)
{
	buf_reset(b);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(buf_read_fd(b, fd), 0);
}

static void
test_downgrade(void **state)
{
	static const char text[] = "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln!\n"
	    ".a dot\nFrom here\n";
	static const char fwd[] = "From: a@b\nSubject: alt\n\nS\xc3\xa9"
	    "bastien\n";
	struct addr from = { NULL, (char *)"me@example.org" };
	struct mime_part *mixed, *t, *h, *alt, *m, *f;
	struct mime_msg mm;
	struct mime_result mr;
	struct leaves a, b;
	struct buf raw, out;
	char *errstr = NULL, path[300];
	unsigned char bin[2000];
	uint64_t size = 0;
	int in, o, eight = 1, fd;
	size_t i, lines;

	(void)state;
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 13);
	(void)snprintf(path, sizeof(path), "%s/fwd.eml", test_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, fwd, sizeof(fwd) - 1), sizeof(fwd) - 1);
	(void)close(fd);
	assert_int_equal(mime_multipart(&mixed, "mixed"), ERR_OK);
	assert_int_equal(mime_multipart(&alt, "alternative"), ERR_OK);
	assert_int_equal(mime_text(&t, "plain", text, strlen(text), NULL,
	    &errstr), ERR_OK);
	assert_int_equal(mime_text(&h, "html", "<p>K\xc3\xb6ln</p>\n",
	    strlen("<p>K\xc3\xb6ln</p>\n"), NULL, &errstr), ERR_OK);
	assert_int_equal(mime_add(alt, t), ERR_OK);
	assert_int_equal(mime_add(alt, h), ERR_OK);
	assert_int_equal(mime_add(mixed, alt), ERR_OK);
	assert_int_equal(mime_message(&m, path, &errstr), ERR_OK);
	assert_int_equal(mime_add(mixed, m), ERR_OK);
	(void)snprintf(path, sizeof(path), "%s/data.bin", test_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, bin, sizeof(bin)), sizeof(bin));
	(void)close(fd);
	assert_int_equal(mime_file(&f, path, NULL, MIME_ATTACHMENT, NULL,
	    &errstr), ERR_OK);
	assert_int_equal(mime_add(mixed, f), ERR_OK);
	memset(&mm, 0, sizeof(mm));
	mm.from = &from;
	mm.subject = "K\xc3\xb6ln";
	mm.root = mixed;
	in = tmpfile_in("in");
	assert_int_equal(mime_write(&mm, in, 1, &mr, &errstr), ERR_OK);
	assert_true(mr.eightbit);

	o = tmpfile_in("out");
	assert_int_equal(lseek(in, 0, SEEK_SET), 0);
	assert_int_equal(downgrade_8bit(in, o, &size, &eight, &errstr), ERR_OK);
	assert_false(eight);
	buf_init(&raw, 1 << 24);
	buf_init(&out, 1 << 24);
	whole(in, &raw);
	whole(o, &out);
	/* 7-bit only, LF only, and its size on the wire counted right. */
	for (i = 0, lines = 0; i < out.len; i++) {
		assert_true((unsigned char)out.data[i] < 0x80);
		assert_true(out.data[i] != '\r');
		lines += out.data[i] == '\n';
	}
	assert_int_equal(size, out.len + lines);
	assert_null(strstr(buf_str(&out), "8bit"));
	assert_non_null(strstr(buf_str(&out), "Content-Transfer-Encoding: "
	    "quoted-printable"));
	/* The forward becomes bytes, as the builder makes it without 8BITMIME. */
	assert_non_null(strstr(buf_str(&out), "Content-Type: "
	    "application/octet-stream; name=fwd.eml"));
	/* The same header fields, ids and boundaries. */
	assert_memory_equal(out.data, raw.data, (size_t)(strstr(raw.data,
	    "MIME-Version") - raw.data));
	/* Read back, every part is what it was. */
	read_leaves(in, &a);
	read_leaves(o, &b);
	assert_int_equal(a.n, 4);
	assert_int_equal(b.n, a.n);
	for (i = 0; i < a.n; i++) {
		assert_string_equal(a.name[i], b.name[i]);
		assert_int_equal(a.content[i].len, b.content[i].len);
		assert_memory_equal(a.content[i].data, b.content[i].data,
		    a.content[i].len);
	}
	assert_string_equal(b.type[2], "application/octet-stream");
	free_leaves(&a);
	free_leaves(&b);

	/* A message that is 7-bit already comes out byte for byte. */
	(void)close(o);
	o = tmpfile_in("again");
	assert_int_equal(lseek(in, 0, SEEK_SET), 0);
	{
		int x = tmpfile_in("seven");

		assert_int_equal(mime_write(&mm, x, 0, &mr, &errstr), ERR_OK);
		assert_false(mr.eightbit);
		assert_int_equal(lseek(x, 0, SEEK_SET), 0);
		assert_int_equal(downgrade_8bit(x, o, &size, &eight, &errstr),
		    ERR_OK);
		whole(x, &raw);
		whole(o, &out);
		assert_int_equal(out.len, raw.len);
		assert_memory_equal(out.data, raw.data, raw.len);
		assert_int_equal(size, mr.wire_size);
		(void)close(x);
	}
	(void)close(in);
	(void)close(o);
	buf_free(&raw);
	buf_free(&out);
	mime_free(mixed);
	free(errstr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_downgrade),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
