/* test_mime.c - the MIME builder: encodings chosen, boundaries that never collide, streaming files. */
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

#include "base64.h"
#include "buf.h"
#include "helper.h"
#include "mime.h"
#include "qp.h"

static const struct addr from = { "Tester", "t@example.org" };
static const struct addr to[] = { { NULL, "bob@example.org" } };

static char *
make_file(const char *name, const void *p, size_t n)
{
	char *path = malloc(strlen(test_dir) + strlen(name) + 2);
	FILE *f;

	assert_non_null(path);
	(void)snprintf(path, strlen(test_dir) + strlen(name) + 2, "%s/%s", test_dir,
	    name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Write the message and return it as a string (NUL-free in these tests). */
static char *
write_msg(struct mime_part *root, int allow8, struct mime_result *r)
{
	struct mime_msg m;
	char *errstr = NULL, *s;
	FILE *f = tmpfile();
	long n;

	assert_non_null(f);
	memset(&m, 0, sizeof(m));
	m.from = &from;
	m.to = to;
	m.nto = 1;
	m.subject = "test";
	m.date = "Mon, 1 Jan 2024 00:00:00 +0000";
	m.message_id = "<x@example.org>";
	m.root = root;
	if (mime_write(&m, fileno(f), allow8, r, &errstr) != ERR_OK)
		fail_msg("mime_write: %s", errstr != NULL ? errstr : "?");
	n = lseek(fileno(f), 0, SEEK_END);
	assert_true(n > 0);
	assert_int_equal((uint64_t)n, r->size);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(pread(fileno(f), s, (size_t)n, 0), n);
	s[n] = '\0';
	(void)fclose(f);
	return s;
}

/*
 * The local form: LF line ends and no CR at all, lines <= 998, ends with
 * LF.  On the wire every LF becomes CRLF: wire_size counts that.
 */
static void
check_wire(const char *s, const struct mime_result *r)
{
	const char *p = s, *nl;
	uint64_t lines = 0;

	assert_null(strchr(s, '\r'));
	for (; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(nl - p <= 998);
		lines++;
	}
	assert_int_equal(r->wire_size, r->size + lines);
}

static const char *
boundary_of(const char *s, char *out, size_t len)
{
	const char *b = strstr(s, "boundary=\"");
	const char *e;

	assert_non_null(b);
	b += 10;
	e = strchr(b, '"');
	assert_non_null(e);
	assert_true((size_t)(e - b) < len);
	memcpy(out, b, (size_t)(e - b));
	out[e - b] = '\0';
	return out;
}

static void
test_text_encodings(void **state)
{
	struct mime_part *p;
	struct mime_result r;
	char *s, *errstr = NULL, longline[1200];
	const char *utf8 = "Gr\xc3\xbc\xc3\x9f" "e\r\nline two\n";

	(void)state;
	/* ASCII: 7bit us-ascii, LF made CRLF. */
	assert_int_equal(mime_text(&p, "plain", "a\nb\n", 4, NULL, &errstr),
	    ERR_OK);
	s = write_msg(p, 1, &r);
	check_wire(s, &r);
	assert_non_null(strstr(s, "charset=us-ascii"));
	assert_non_null(strstr(s, "Content-Transfer-Encoding: 7bit\n\n"
	    "a\nb\n"));
	assert_false(r.eightbit);
	free(s);
	mime_free(p);

	/* 8-bit: 8bit with 8BITMIME, quoted-printable without. */
	assert_int_equal(mime_text(&p, "plain", utf8, strlen(utf8), NULL,
	    &errstr), ERR_OK);
	s = write_msg(p, 1, &r);
	assert_non_null(strstr(s, "charset=utf-8"));
	assert_non_null(strstr(s, "8bit\n\nGr\xc3\xbc\xc3\x9f" "e\n"));
	assert_true(r.eightbit);
	free(s);
	s = write_msg(p, 0, &r);
	check_wire(s, &r);
	assert_non_null(strstr(s, "quoted-printable\n\nGr=C3=BC=C3=9Fe"));
	assert_false(r.eightbit);
	free(s);
	mime_free(p);

	/* A line over 998 octets: quoted-printable even for ASCII. */
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\n';
	assert_int_equal(mime_text(&p, "plain", longline, sizeof(longline),
	    NULL, &errstr), ERR_OK);
	s = write_msg(p, 1, &r);
	check_wire(s, &r);
	assert_non_null(strstr(s, "quoted-printable"));
	free(s);
	mime_free(p);

	/* send_charset: the first that holds the text. */
	assert_int_equal(mime_text(&p, "plain", utf8, strlen(utf8),
	    "us-ascii:iso-8859-1:utf-8", &errstr), ERR_OK);
	s = write_msg(p, 1, &r);
	assert_non_null(strstr(s, "charset=iso-8859-1"));
	assert_non_null(strstr(s, "Gr\xfc\xdf" "e\n"));
	free(s);
	mime_free(p);

	/* Refused: invalid UTF-8, NUL, an unknown charset. */
	assert_int_equal(mime_text(&p, "plain", "a\xff", 2, NULL, &errstr),
	    ERR_DATA);
	assert_int_equal(mime_text(&p, "plain", "a\0b", 3, NULL, &errstr),
	    ERR_DATA);
	assert_int_equal(mime_text(&p, "plain", utf8, strlen(utf8),
	    "no-such-charset-x", &errstr), ERR_CONFIG);
	free(errstr);
}

/* How many lines start with "--" and b. */
static int
count_lines(const char *s, const char *b)
{
	const char *p = s;
	int n = 0;

	for (; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL)
		if (p[0] == '-' && p[1] == '-' && strncmp(p + 2, b,
		    strlen(b)) == 0)
			n++;
	return n;
}

/* A boundary that some part has at the start of a line is replaced. */
static void
test_boundary_collision(void **state)
{
	struct mime_part *mixed, *t1, *t2;
	struct mime_result r;
	char *s, *s2, *errstr = NULL, b1[80], b2[80], evil[200];
	int i;

	(void)state;
	assert_int_equal(mime_multipart(&mixed, "mixed"), ERR_OK);
	assert_int_equal(mime_text(&t1, "plain", "hello\n", 6, NULL, &errstr),
	    ERR_OK);
	assert_int_equal(mime_add(mixed, t1), ERR_OK);
	s = write_msg(mixed, 1, &r);
	(void)boundary_of(s, b1, sizeof(b1));
	assert_true(strlen(b1) <= 70);
	free(s);
	/* Now a text holds exactly that delimiter line (and a close one). */
	(void)snprintf(evil, sizeof(evil), "x\n--%s\n--%s--\n", b1, b1);
	assert_int_equal(mime_text(&t2, "plain", evil, strlen(evil), NULL,
	    &errstr), ERR_OK);
	assert_int_equal(mime_add(mixed, t2), ERR_OK);
	for (i = 0; i < 20; i++) {
		s2 = write_msg(mixed, 1, &r);
		check_wire(s2, &r);
		(void)boundary_of(s2, b2, sizeof(b2));
		assert_string_not_equal(b1, b2);
		/* The text is there, and the real boundary only as delimiters. */
		(void)snprintf(evil, sizeof(evil), "\n--%s\n--%s--\n",
		    b1, b1);
		assert_non_null(strstr(s2, evil));
		assert_int_equal(count_lines(s2, b2), 3);
		free(s2);
	}
	mime_free(mixed);
}

/* Files: base64 streamed in blocks, text files as text, types. */
static void
test_files(void **state)
{
	struct mime_part *mixed, *t, *f1, *f2, *f3;
	struct mime_result r;
	unsigned char *bin;
	uint32_t rng = 0x12345678u;
	size_t n = 3 * 65536 + 17, i;
	char *p1, *p2, *p3, *s, *errstr = NULL, *b64, *at;
	struct buf dec;

	(void)state;
	bin = malloc(n);
	assert_non_null(bin);
	for (i = 0; i < n; i++)
		bin[i] = (unsigned char)test_rand(&rng);
	p1 = make_file("data.bin", bin, n);
	p2 = make_file("notes.txt", "caf\xc3\xa9\nline\n", 11);
	p3 = make_file("weird\x1b[31mname\n.txt", "plain\n", 6);
	assert_int_equal(mime_multipart(&mixed, "mixed"), ERR_OK);
	assert_int_equal(mime_text(&t, "plain", "see attached\n", 13, NULL,
	    &errstr), ERR_OK);
	assert_int_equal(mime_add(mixed, t), ERR_OK);
	assert_int_equal(mime_file(&f1, p1, NULL, MIME_ATTACHMENT, NULL,
	    &errstr), ERR_OK);
	assert_int_equal(mime_add(mixed, f1), ERR_OK);
	assert_int_equal(mime_file(&f2, p2, "text/plain", MIME_INLINE, NULL,
	    &errstr), ERR_OK);
	assert_int_equal(mime_add(mixed, f2), ERR_OK);
	assert_int_equal(mime_file(&f3, p3, NULL, MIME_ATTACHMENT, NULL,
	    &errstr), ERR_OK);
	assert_int_equal(mime_add(mixed, f3), ERR_OK);
	s = write_msg(mixed, 0, &r);
	check_wire(s, &r);
	/* The binary file: sniffed, base64, decodes to the same bytes. */
	at = strstr(s, "filename=data.bin\nContent-Transfer-Encoding: "
	    "base64\n\n");
	assert_non_null(at);
	assert_non_null(strstr(s, "Content-Type: application/octet-stream; "
	    "name=data.bin"));
	b64 = strchr(at, '\n') + 1;
	b64 = strstr(b64, "\n\n") + 2;
	buf_init(&dec, 2 * n);
	while (*b64 != '\n' && *b64 != '-') {
		char *e = strchr(b64, '\n');

		assert_int_equal(base64_decode_buf(&dec, b64,
		    (size_t)(e - b64)), 0);
		b64 = e + 1;
	}
	assert_int_equal(dec.len, n);
	assert_memory_equal(dec.data, bin, n);
	buf_free(&dec);
	/* The UTF-8 text file: quoted-printable without 8BITMIME, inline. */
	assert_non_null(strstr(s, "Content-Type: text/plain; charset=utf-8; "
	    "name=notes.txt"));
	assert_non_null(strstr(s, "Content-Disposition: inline; "
	    "filename=notes.txt"));
	assert_non_null(strstr(s, "caf=C3=A9\nline\n"));
	/* Control characters never reach the shown name. */
	assert_null(strchr(s, '\x1b'));
	assert_non_null(strstr(s, "weird[31mname.txt"));
	free(s);
	mime_free(mixed);

	/* Missing file and directory: refused when the part is made. */
	assert_int_equal(mime_file(&f1, "/nonexistent/x.pdf", NULL,
	    MIME_ATTACHMENT, NULL, &errstr), ERR_NOINPUT);
	assert_non_null(strstr(errstr, "/nonexistent/x.pdf"));
	assert_int_equal(mime_file(&f1, test_dir, NULL, MIME_ATTACHMENT, NULL,
	    &errstr), ERR_NOINPUT);
	free(errstr);
	free(bin);
	free(p1);
	free(p2);
	free(p3);
}

/* A file that changes size between the look and the write is an error. */
static void
test_file_changed(void **state)
{
	struct mime_part *f;
	struct mime_msg m;
	struct mime_result r;
	char *p, *errstr = NULL;
	FILE *out;
	int fd;

	(void)state;
	p = make_file("grows.bin", "\x01\x02\x03", 3);
	assert_int_equal(mime_file(&f, p, NULL, MIME_ATTACHMENT, NULL,
	    &errstr), ERR_OK);
	fd = open(p, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "more", 4), 4);
	(void)close(fd);
	memset(&m, 0, sizeof(m));
	m.from = &from;
	m.to = to;
	m.nto = 1;
	m.root = f;
	out = tmpfile();
	assert_non_null(out);
	assert_int_equal(mime_write(&m, fileno(out), 1, &r, &errstr), ERR_IO);
	assert_non_null(strstr(errstr, "changed"));
	(void)fclose(out);
	free(errstr);
	mime_free(f);
	free(p);
}

static void
test_check_field(void **state)
{
	char *errstr = NULL;

	(void)state;
	assert_int_equal(mime_check_field("X-Ok", "fine \xc3\xa9", &errstr),
	    ERR_OK);
	assert_int_equal(mime_check_field("X-Bad", "a\r\nBcc: x", &errstr),
	    ERR_USAGE);
	assert_int_equal(mime_check_field("X-Bad", "a\nb", &errstr),
	    ERR_USAGE);
	assert_int_equal(mime_check_field("X-Bad", "a\x1b[2J", &errstr),
	    ERR_USAGE);
	assert_int_equal(mime_check_field("X-Bad", "\xff", &errstr),
	    ERR_USAGE);
	assert_int_equal(mime_check_field("Bad Name", "x", &errstr),
	    ERR_USAGE);
	assert_int_equal(mime_check_field("X:Y", "x", &errstr), ERR_USAGE);
	assert_int_equal(mime_check_field("content-type", "x", &errstr),
	    ERR_USAGE);
	assert_int_equal(mime_check_field("Bcc", "x@y", &errstr), ERR_USAGE);
	assert_non_null(strstr(errstr, "-b"));
	free(errstr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_encodings),
		cmocka_unit_test(test_boundary_collision),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_file_changed),
		cmocka_unit_test(test_check_field),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
