/* test_pgpmime.c - the pure parts of PGP/MIME: a part written alone and 7bit for signing, entities written as they are, multipart parameters, the Autocrypt header's folding, and what is refused before GnuPG is asked. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "hdr.h"
#include "mime.h"
#include "pgpmime.h"

/* Everything written to a temporary file, as a string (malloc'd). */
static char *
slurp(FILE *f)
{
	long n;
	char *s;

	assert_int_equal(fflush(f), 0);
	assert_true((n = ftell(f)) >= 0);
	assert_non_null(s = calloc(1, (size_t)n + 1));
	rewind(f);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	return s;
}

static char *
part_as_signed(const char *text)
{
	struct mime_part *p;
	FILE *f = tmpfile();
	char *s, *why = NULL;

	assert_non_null(f);
	assert_int_equal(mime_text(&p, "plain", text, strlen(text), "utf-8",
	    &why), ERR_OK);
	assert_int_equal(mime_write_part(p, fileno(f), &why), ERR_OK);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	s = slurp(f);
	(void)fclose(f);
	mime_free(p);
	return s;
}

static void
only_7bit_and_no_trailing_blank(const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++) {
		assert_true((unsigned char)*p < 128);
		if (*p == '\n' && p > s)
			assert_true(p[-1] != ' ' && p[-1] != '\t');
	}
}

static void
test_part_ascii_stays_7bit(void **state)
{
	char *s = part_as_signed("hello\nworld\n");

	(void)state;
	assert_string_equal(s, "Content-Type: text/plain; charset=us-ascii\n"
	    "Content-Transfer-Encoding: 7bit\n\nhello\nworld\n");
	free(s);
}

/* RFC 3156 5: 8-bit text and lines ending in a blank are encoded. */
static void
test_part_8bit_or_trailing_blank_is_qp(void **state)
{
	char *s = part_as_signed("Gr\xc3\xbc\xc3\x9f" "e\n");

	(void)state;
	assert_non_null(strstr(s, "Content-Transfer-Encoding: "
	    "quoted-printable\n"));
	only_7bit_and_no_trailing_blank(s);
	free(s);
	s = part_as_signed("a line with a blank at the end \nnext\n");
	assert_non_null(strstr(s, "quoted-printable"));
	assert_non_null(strstr(s, "the end=20\n"));
	only_7bit_and_no_trailing_blank(s);
	free(s);
}

/* A multipart part is written with its boundary, no preamble. */
static void
test_part_multipart(void **state)
{
	struct mime_part *mp, *t;
	FILE *f = tmpfile();
	char *s, *why = NULL;

	(void)state;
	assert_non_null(f);
	assert_int_equal(mime_multipart(&mp, "mixed"), ERR_OK);
	assert_int_equal(mime_text(&t, "plain", "x\n", 2, NULL, &why), ERR_OK);
	assert_int_equal(mime_add(mp, t), ERR_OK);
	assert_int_equal(mime_write_part(mp, fileno(f), &why), ERR_OK);
	s = slurp(f);
	assert_true(strncmp(s, "Content-Type: multipart/mixed;", 30) == 0);
	assert_null(strstr(s, "This is a multi-part message"));
	free(s);
	(void)fclose(f);
	mime_free(mp);
}

static int
entity_fd(const char *text)
{
	FILE *f = tmpfile();
	int fd;

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fflush(f), 0);
	assert_true((fd = dup(fileno(f))) >= 0);
	(void)fclose(f);
	return fd;
}

/* multipart/signed: the parameters in order, the entities byte for byte. */
static void
test_signed_structure(void **state)
{
	static const char e1[] = "Content-Type: text/plain\n\nsigned text\n";
	static const char e2[] = "Content-Type: application/pgp-signature\n\n"
	    "-----BEGIN PGP SIGNATURE-----\nAAAA\n-----END PGP SIGNATURE-----\n";
	static const struct addr from = { NULL, (char *)"a@example.org" };
	struct mime_part *mp, *p1, *p2;
	struct mime_msg m;
	struct mime_result r;
	FILE *f = tmpfile();
	char *s, *why = NULL, *b, want[256];

	(void)state;
	assert_non_null(f);
	assert_int_equal(mime_multipart(&mp, "signed"), ERR_OK);
	assert_int_equal(mime_multipart_param(mp, "micalg", "pgp-sha256"),
	    ERR_OK);
	assert_int_equal(mime_multipart_param(mp, "protocol",
	    "application/pgp-signature"), ERR_OK);
	assert_int_equal(mime_multipart_param(mp, "x", "y"), ERR_SOFTWARE);
	assert_int_equal(mime_entity(&p1, entity_fd(e1), &why), ERR_OK);
	assert_int_equal(mime_entity(&p2, entity_fd(e2), &why), ERR_OK);
	assert_int_equal(mime_add(mp, p1), ERR_OK);
	assert_int_equal(mime_add(mp, p2), ERR_OK);
	memset(&m, 0, sizeof(m));
	m.from = &from;
	m.date = "Sun, 6 Dec 2026 04:00:00 +0000";
	m.message_id = "<x@example.org>";
	m.root = mp;
	assert_int_equal(mime_write(&m, fileno(f), 1, &r, &why), ERR_OK);
	assert_int_equal(r.eightbit, 0);
	s = slurp(f);
	assert_non_null(strstr(s, "Content-Type: multipart/signed; "
	    "micalg=pgp-sha256;\n protocol=\"application/pgp-signature\";\n"
	    " boundary=\""));
	assert_null(strstr(s, "Content-Transfer-Encoding"));
	assert_non_null(b = strstr(s, "boundary=\"") + 10);
	*strchr(b, '"') = '\0';
	(void)snprintf(want, sizeof(want), "\n--%s\n%s\n--%s\n%s\n--%s--\n", b,
	    e1, b, e2, b);
	assert_non_null(strstr(b + strlen(b) + 1, want));
	free(s);
	(void)fclose(f);
	mime_free(mp);
}

/* Autocrypt: keydata cut into lines within 78 octets; blanks only. */
static void
test_autocrypt_folding(void **state)
{
	struct buf b;
	char key[1001], *joined, *p, *line;
	size_t i, j;

	(void)state;
	for (i = 0; i < 1000; i++)
		key[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/"[i % 64];
	key[1000] = '\0';
	buf_init(&b, 64 * 1024);
	assert_int_equal(hdr_autocrypt(&b, "addr=a@example.org; "
	    "prefer-encrypt=mutual; keydata=", key), 0);
	assert_true(strncmp(b.data, "Autocrypt: addr=a@example.org; "
	    "prefer-encrypt=mutual; keydata=\n ", 63) == 0);
	assert_int_equal(b.data[b.len - 1], '\n');
	for (line = b.data; *line != '\0'; line = p + 1) {
		p = strchr(line, '\n');
		assert_true(p - line <= 78);
	}
	/* Without the line ends and blanks, the key comes back whole. */
	assert_non_null(joined = calloc(1, b.len + 1));
	p = strstr(b.data, "keydata=") + 8;
	for (j = 0; *p != '\0'; p++)
		if (*p != ' ' && *p != '\n')
			joined[j++] = *p;
	assert_string_equal(joined, key);
	free(joined);
	/* A blank or a control in keydata is refused, and nothing written. */
	buf_reset(&b);
	errno = 0;
	assert_int_equal(hdr_autocrypt(&b, "addr=a@example.org; keydata=",
	    "AB CD"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(b.len, 0);
	assert_int_equal(hdr_autocrypt(&b, "addr=a@example.org;\n",
	    "ABCD"), -1);
	buf_free(&b);
}

/* Nothing asked, nothing done; no key at all is refused in words. */
static void
test_apply_nothing_and_no_key(void **state)
{
	struct pgpmime_req r;
	struct mime_part *t, *before;
	char *why = NULL, *missing = NULL;

	(void)state;
	assert_int_equal(mime_text(&t, "plain", "x\n", 2, NULL, &why), ERR_OK);
	before = t;
	memset(&r, 0, sizeof(r));
	r.method = PGPMIME_PGP;
	assert_int_equal(pgpmime_apply(&t, &r, "/nonexistent", &missing,
	    &why), ERR_OK);
	assert_ptr_equal(t, before);
	r.method = PGPMIME_NONE;
	r.what = PGPMIME_SIGN;
	assert_int_equal(pgpmime_apply(&t, &r, "/nonexistent", &missing,
	    &why), ERR_OK);
	assert_ptr_equal(t, before);
	if (pgpmime_built_in(PGPMIME_PGP)) {
		r.method = PGPMIME_PGP;
		assert_int_equal(pgpmime_apply(&t, &r, "/nonexistent",
		    &missing, &why), ERR_DATA);
		assert_non_null(strstr(why, "pgp_key"));
		assert_ptr_equal(t, before);
		free(why);
	}
	assert_null(missing);
	mime_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_part_ascii_stays_7bit),
		cmocka_unit_test(test_part_8bit_or_trailing_blank_is_qp),
		cmocka_unit_test(test_part_multipart),
		cmocka_unit_test(test_signed_structure),
		cmocka_unit_test(test_autocrypt_folding),
		cmocka_unit_test(test_apply_nothing_and_no_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
