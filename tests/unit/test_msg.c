/* test_msg.c - msg_prepare on messages read from a pipe or a file and spooled. */
/* SPDX-License-Identifier: ISC */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "msg.h"
#include "helper.h"

#define SEED 0x3e55a9e5u

/* Headers that stop msg_prepare from adding its own. */
#define FIXED "From: Sender <s@example.org>\n" \
	"Date: Mon, 1 Jan 2024 00:00:00 +0000\n" \
	"Message-ID: <fixed@example.org>\n"

/* The spool directory of the current test (also $TMPDIR). */
static char spooldir[64];
/* Every directory made, so main() can remove those a failed test left. */
static char made[64][64];
static size_t nmade;

static int
setup(void **state)
{
	(void)state;
	snprintf(spooldir, sizeof(spooldir), "/tmp/pigeon-test-msg-XXXXXX");
	if (mkdtemp(spooldir) == NULL || nmade == sizeof(made) / sizeof(made[0]))
		return -1;
	memcpy(made[nmade++], spooldir, sizeof(spooldir));
	return setenv("TMPDIR", spooldir, 1);
}

/*
 * How many entries besides . and .. are in dir; with unlink_them set,
 * they are removed too.
 */
static int
count_files(const char *dir, int unlink_them)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[320];
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		if (unlink_them) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			(void)unlink(path);
		}
	}
	closedir(d);
	return n;
}

/* The spool must be gone: msg_prepare unlinks it at once. */
static int
teardown(void **state)
{
	int n = count_files(spooldir, 1);

	(void)state;
	(void)unsetenv("TMPDIR");
	(void)rmdir(spooldir);
	if (n != 0) {
		print_error("%d file(s) were left in %s\n", n, spooldir);
		return -1;
	}
	return 0;
}

/* Remove what tests that failed before their teardown left behind. */
static void
cleanup_dirs(void)
{
	size_t i;

	for (i = 0; i < nmade; i++) {
		(void)count_files(made[i], 1);
		(void)rmdir(made[i]);
	}
}

/* A fixed pseudo-random sequence, so failures repeat. */
static uint32_t rng = SEED;

/* An unlinked file outside the spool directory holding p[0..n), at 0. */
static int
input_file(const char *p, size_t n)
{
	char path[] = "/tmp/pigeon-test-in-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		assert_true(w > 0);
		p += w;
		n -= (size_t)w;
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* A pipe already holding p[0..n) (n < 64 KiB) and closed for writing. */
static int
input_pipe(const char *p, size_t n)
{
	int fds[2];

	assert_true(n < 65536);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], p, n), (ssize_t)n);
	close(fds[1]);
	return fds[0];
}

/*
 * The whole spool, checked for what every successful msg_prepare must
 * give: offset 0, m->size bytes (as fstat says), a header ending in an
 * empty line, LF line ends only (the local form), and wire_size the
 * size with every LF a CRLF.  malloc'd, NUL-terminated.
 */
static char *
read_spool(const struct msg *m)
{
	struct stat st;
	char *s;
	size_t got = 0, i;
	uint64_t lines;
	ssize_t r;

	assert_true(m->fd >= 0);
	assert_int_equal(lseek(m->fd, 0, SEEK_CUR), 0);
	assert_int_equal(fstat(m->fd, &st), 0);
	assert_int_equal((uint64_t)st.st_size, m->size);
	s = malloc(m->size + 1);
	assert_non_null(s);
	while ((r = read(m->fd, s + got, m->size - got)) > 0)
		got += (size_t)r;
	assert_int_equal(got, m->size);
	s[got] = '\0';
	assert_int_equal(lseek(m->fd, 0, SEEK_SET), 0);
	assert_non_null(strstr(s, "\n\n"));
	for (i = 0, lines = 0; i < got; i++) {
		if (s[i] == '\r')
			fail_msg("CR at %zu", i);
		lines += s[i] == '\n';
	}
	assert_int_equal(m->wire_size, m->size + lines);
	return s;
}

/* Run msg_prepare on a string through a pipe; expect ERR_OK. */
static char *
prepare_ok(const char *in, const struct msg_opts *o, struct msg *m)
{
	char *errstr = NULL;
	enum err e;
	int fd = input_pipe(in, strlen(in));

	e = msg_prepare(fd, o, m, &errstr);
	close(fd);
	if (e != ERR_OK)
		fail_msg("msg_prepare: %s: %s", err_name(e),
		    errstr != NULL ? errstr : "(no errstr)");
	assert_null(errstr);
	return read_spool(m);
}

/* The spool header only (up to and including the empty line). */
static size_t
header_len(const char *s)
{
	const char *e = strstr(s, "\n\n");

	assert_non_null(e);
	return (size_t)(e - s) + 2;
}

/* How often does a line starting with name (e.g. "Date:") occur? */
static int
count_field(const char *s, size_t hlen, const char *name)
{
	size_t n = strlen(name), i;
	int c = 0;

	for (i = 0; i + n <= hlen; i++)
		if ((i == 0 || s[i - 1] == '\n') && strncasecmp(s + i, name, n) == 0)
			c++;
	return c;
}

/* The value of the first field called name, up to its line end; static. */
static const char *
field_value(const char *s, const char *name)
{
	static char v[512];
	size_t n = strlen(name);
	const char *p = s, *end;

	for (;;) {
		if (strncasecmp(p, name, n) == 0)
			break;
		p = strchr(p, '\n');
		if (p == NULL || p[1] == '\n')
			return NULL;
		p += 1;
	}
	p += n;
	while (*p == ' ')
		p++;
	end = strchr(p, '\n');
	assert_non_null(end);
	assert_true((size_t)(end - p) < sizeof(v));
	memcpy(v, p, (size_t)(end - p));
	v[end - p] = '\0';
	return v;
}

/* Does s end with suffix? */
static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* "Mon, 1 Jan 2024 00:00:00 +0000" (RFC 5322 3.3), without a regex. */
static int
date_shaped(const char *d)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *p = d;
	char tok[4];
	int i;

	memcpy(tok, p, 3);
	tok[3] = '\0';
	if (strlen(p) < 3 || strstr(days, tok) == NULL ||
	    (strstr(days, tok) - days) % 3 != 0)
		return 0;
	p += 3;
	if (strncmp(p, ", ", 2) != 0)
		return 0;
	p += 2;
	if (!isdig(*p))
		return 0;
	p += isdig(p[1]) ? 2 : 1;
	if (*p++ != ' ' || strlen(p) < 4)
		return 0;
	memcpy(tok, p, 3);
	if (strstr(months, tok) == NULL || (strstr(months, tok) - months) % 3)
		return 0;
	p += 3;
	if (*p++ != ' ')
		return 0;
	for (i = 0; i < 4; i++)
		if (!isdig(*p++))
			return 0;
	if (*p++ != ' ')
		return 0;
	for (i = 0; i < 8; i++, p++)
		if (i == 2 || i == 5 ? *p != ':' : !isdig(*p))
			return 0;
	if (*p++ != ' ' || (*p != '+' && *p != '-'))
		return 0;
	p++;
	for (i = 0; i < 4; i++)
		if (!isdig(*p++))
			return 0;
	return *p == '\0';
}

static void
test_line_ends_to_lf(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	char *s;

	(void)state;
	s = prepare_ok(FIXED "To: a@b\nSubject: hi\n\nline1\n\nline3\n.\n", &o,
	    &m);
	assert_string_equal(s, FIXED "To: a@b\nSubject: hi\n\n"
	    "line1\n\nline3\n.\n");
	assert_int_equal(m.added_date, 0);
	assert_int_equal(m.added_msgid, 0);
	assert_int_equal(m.added_from, 0);
	assert_int_equal(m.eightbit, 0);
	assert_int_equal(m.rcpts.n, 0);
	free(s);
	msg_free(&m);

	/* CRLF and a bare CR become LF, a last line gets its end. */
	s = prepare_ok(FIXED "To: a@b\r\n\r\nx\r\ny\rz", &o, &m);
	assert_string_equal(s, FIXED "To: a@b\n\nx\ny\nz\n");
	free(s);
	msg_free(&m);
	/* msg_free twice is harmless. */
	msg_free(&m);
}

static void
test_bcc_removed(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	char *s;

	(void)state;
	s = prepare_ok(FIXED
	    "To: a@b\n"
	    "Bcc: secret1@x\n"
	    "Cc: c@d,\n e@f\n"
	    "BCC: secret2@x,\n"
	    "  secret3@x,\n"
	    "\tsecret4@x\n"
	    "Resent-Bcc: secret5@x\n"
	    "bcc:\n"
	    "X-Bcc: kept@x\n"
	    "Subject: Bcc: in the subject\n"
	    "\n"
	    "Bcc: in the body stays\n", &o, &m);
	assert_string_equal(s, FIXED
	    "To: a@b\n"
	    "Cc: c@d,\n e@f\n"
	    "X-Bcc: kept@x\n"
	    "Subject: Bcc: in the subject\n"
	    "\n"
	    "Bcc: in the body stays\n");
	assert_null(strstr(s, "secret"));
	assert_int_equal(m.rcpts.n, 0);
	free(s);
	msg_free(&m);
}

static void
test_extract(void **state)
{
	static const char *const want[] = {
		"a@x", "b@x", "c@x", "d@x", "e@x", "f@x", "g@x", "i@x",
	};
	struct msg_opts o = { 0 };
	struct msg m;
	char *s;
	size_t i;

	(void)state;
	o.extract = 1;
	s = prepare_ok(FIXED
	    "To: Alice <a@x>, team: b@x, \"Doe, C\" <c@x>;\n"
	    "Subject: x\n"
	    "cc: d@x,\n"
	    " Eve\n"
	    "  <e@x>\n"
	    "Bcc: f@x (Fred),\n\tg@x\n"
	    "To: undisclosed-recipients:;\n"
	    "Reply-To: nobody@x\n"
	    "CC: i@x\n"
	    "\n"
	    "To: body@x\n", &o, &m);
	assert_int_equal(m.rcpts.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < m.rcpts.n; i++)
		assert_string_equal(m.rcpts.v[i].spec, want[i]);
	assert_string_equal(m.rcpts.v[0].name, "Alice");
	assert_string_equal(m.rcpts.v[2].name, "Doe, C");
	assert_string_equal(m.rcpts.v[4].name, "Eve");
	assert_null(strstr(s, "f@x"));
	assert_non_null(strstr(s, "To: Alice <a@x>"));
	free(s);
	msg_free(&m);
	assert_int_equal(m.rcpts.n, 0);
}

/* Message-IDs: the RFC 5322 shape, the domain given, never repeated. */
static void
test_message_ids(void **state)
{
	enum { N = 2000 };
	char **ids;
	size_t i, j;

	(void)state;
	ids = calloc(N, sizeof(*ids));
	assert_non_null(ids);
	for (i = 0; i < N; i++) {
		ids[i] = msg_make_id("example.org");
		assert_non_null(ids[i]);
		assert_int_equal(ids[i][0], '<');
		assert_non_null(strstr(ids[i], "@example.org>"));
		assert_int_equal(strcspn(ids[i], " \t\r\n\"()"), strlen(ids[i]));
		for (j = 0; j < i; j++)
			if (strcmp(ids[i], ids[j]) == 0)
				fail_msg("%s came twice", ids[i]);
	}
	for (i = 0; i < N; i++)
		free(ids[i]);
	free(ids);
	ids = NULL;
	/* Without a domain, one that is still a valid id. */
	{
		char *id = msg_make_id(NULL);

		assert_non_null(id);
		assert_non_null(strstr(id, "@localhost>"));
		free(id);
	}
}

/*
 * A resent message goes to the newest (first) block of Resent- fields
 * only; every Bcc and Resent-Bcc leaves the message all the same.
 */
static void
test_extract_resent(void **state)
{
	static const char *const want[] = { "r1@x", "r2@x", "r3@x" };
	struct msg_opts o = { 0 };
	struct msg m;
	char *s;
	size_t i;

	(void)state;
	o.extract = 1;
	s = prepare_ok(
	    "Resent-From: me@x\n"
	    "Resent-To: r1@x\n"
	    "Resent-Bcc: r2@x\n"
	    "Resent-Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
	    "resent-cc: r3@x\n"
	    "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\n"
	    "Resent-To: old@x\n"
	    "Resent-Bcc: oldbcc@x\n"
	    FIXED
	    "To: a@x\n"
	    "Bcc: b@x\n"
	    "\n"
	    "body\n", &o, &m);
	assert_int_equal(m.rcpts.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < m.rcpts.n; i++)
		assert_string_equal(m.rcpts.v[i].spec, want[i]);
	assert_null(strstr(s, "r2@x"));
	assert_null(strstr(s, "oldbcc@x"));
	assert_null(strstr(s, "b@x\n"));
	assert_non_null(strstr(s, "Resent-To: r1@x\n"));
	assert_non_null(strstr(s, "Resent-To: old@x\n"));
	assert_non_null(strstr(s, "To: a@x\n"));
	free(s);
	msg_free(&m);
}

static void
test_added_headers(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	const char *v;
	char *s;
	size_t h;

	(void)state;
	o.from = "Pigeon User <user@example.net>";
	s = prepare_ok("To: a@b\nSubject: x\n\nbody\n", &o, &m);
	h = header_len(s);
	assert_int_equal(m.added_date, 1);
	assert_int_equal(m.added_msgid, 1);
	assert_int_equal(m.added_from, 1);
	assert_int_equal(count_field(s, h, "Date:"), 1);
	assert_int_equal(count_field(s, h, "Message-ID:"), 1);
	assert_int_equal(count_field(s, h, "From:"), 1);
	assert_string_equal(field_value(s, "From:"), o.from);
	v = field_value(s, "Date:");
	if (!date_shaped(v))
		fail_msg("Date '%s' is not RFC 5322 shaped", v);
	v = field_value(s, "Message-ID:");
	assert_true(v[0] == '<');
	assert_true(strlen(v) > 14);
	assert_true(ends_with(v, "@example.net>"));
	assert_null(strchr(v + 1, '<'));
	assert_string_equal(s + h, "body\n");
	free(s);
	msg_free(&m);

	/* The header's own From names the domain; o->from is not used. */
	s = prepare_ok("From: A <a@from.example>\nTo: a@b\n\nx\n", &o, &m);
	h = header_len(s);
	assert_int_equal(m.added_from, 0);
	assert_int_equal(m.added_date, 1);
	assert_int_equal(m.added_msgid, 1);
	assert_int_equal(count_field(s, h, "From:"), 1);
	assert_string_equal(field_value(s, "From:"), "A <a@from.example>");
	v = field_value(s, "Message-ID:");
	assert_true(ends_with(v, "@from.example>"));
	free(s);
	msg_free(&m);

	/* o->domain wins. */
	o.domain = "mid.example";
	s = prepare_ok("From: a@from.example\n\nx\n", &o, &m);
	v = field_value(s, "Message-ID:");
	assert_true(ends_with(v, "@mid.example>"));
	free(s);
	msg_free(&m);

	/* Present in any case: nothing is added. */
	o.domain = NULL;
	s = prepare_ok("FROM: a@b\nDATE: Tue, 2 Jan 2024 10:00:00 +0100\n"
	    "message-id: <x@y>\n\nx\n", &o, &m);
	h = header_len(s);
	assert_int_equal(m.added_date + m.added_msgid + m.added_from, 0);
	assert_int_equal(count_field(s, h, "Date:"), 1);
	assert_int_equal(count_field(s, h, "Message-ID:"), 1);
	assert_int_equal(count_field(s, h, "From:"), 1);
	free(s);
	msg_free(&m);

	/* No From anywhere: none is made up. */
	o.from = NULL;
	s = prepare_ok("To: a@b\n\nx\n", &o, &m);
	h = header_len(s);
	assert_int_equal(m.added_from, 0);
	assert_int_equal(count_field(s, h, "From:"), 0);
	assert_int_equal(count_field(s, h, "Message-ID:"), 1);
	free(s);
	msg_free(&m);
}

static void
test_mbox_from_line(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	char *s;

	(void)state;
	s = prepare_ok("From sender@x Mon Jan  1 00:00:00 2024\n" FIXED
	    "To: a@b\n\nFrom the body\n", &o, &m);
	assert_string_equal(s, FIXED "To: a@b\n\nFrom the body\n");
	free(s);
	msg_free(&m);
}

/* No empty line at all: everything is header, and the body is empty. */
static void
test_header_only(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	char *s;

	(void)state;
	s = prepare_ok(FIXED "To: a@b\nSubject: no body", &o, &m);
	assert_string_equal(s, FIXED "To: a@b\nSubject: no body\n"
	    "\n");
	free(s);
	msg_free(&m);
	s = prepare_ok(FIXED "To: a@b\n", &o, &m);
	assert_string_equal(s, FIXED "To: a@b\n\n");
	free(s);
	msg_free(&m);
}

/* A line that is no field ends the header; the body starts with it. */
static void
test_body_without_blank_line(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	char *s;

	(void)state;
	s = prepare_ok(FIXED "To: a@b\nSubject: x\n folded\nHello there,\n"
	    "how: are you\n", &o, &m);
	assert_string_equal(s, FIXED "To: a@b\nSubject: x\n folded\n"
	    "\nHello there,\nhow: are you\n");
	free(s);
	msg_free(&m);
}

/* A header of more than 1 MiB is refused, and nothing is left behind. */
static void
test_header_too_big(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	char *in, *errstr = NULL;
	size_t n = 0, want = 1100 * 1024;
	int fd;

	(void)state;
	in = malloc(want + 64);
	assert_non_null(in);
	while (n < want)
		n += (size_t)snprintf(in + n, 64, "X-Pad-%07zu: %s\n", n,
		    "0123456789abcdef0123456789abcdef");
	memcpy(in + n, "\nbody\n", 6);
	fd = input_file(in, n + 6);
	assert_int_equal(msg_prepare(fd, &o, &m, &errstr), ERR_DATA);
	assert_non_null(errstr);
	assert_int_equal(m.fd, -1);
	free(errstr);
	msg_free(&m);
	close(fd);
	free(in);
}

static void
test_nul_in_header(void **state)
{
	static const char in[] = "To: a@b\nX-Bad: a\0b\n\nbody\n";
	struct msg_opts o = { 0 };
	struct msg m;
	char *errstr = NULL;
	int fd;

	(void)state;
	fd = input_pipe(in, sizeof(in) - 1);
	assert_int_equal(msg_prepare(fd, &o, &m, &errstr), ERR_DATA);
	assert_non_null(errstr);
	assert_int_equal(m.fd, -1);
	free(errstr);
	msg_free(&m);
	close(fd);
}

static void
test_bad_address_extract(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	char *errstr = NULL, *s;
	int fd;
	static const char in[] = FIXED "To: ok@x, alice\nCc: c@d\n\nbody\n";

	(void)state;
	o.extract = 1;
	fd = input_pipe(in, sizeof(in) - 1);
	assert_int_equal(msg_prepare(fd, &o, &m, &errstr), ERR_DATA);
	close(fd);
	assert_non_null(errstr);
	assert_non_null(strstr(errstr, "alice"));
	assert_int_equal(m.fd, -1);
	assert_int_equal(m.rcpts.n, 0);
	free(errstr);
	msg_free(&m);

	/* Without extract the header is not the envelope: no check. */
	o.extract = 0;
	s = prepare_ok(in, &o, &m);
	free(s);
	msg_free(&m);
}

static void
test_eightbit(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	char *s;

	(void)state;
	s = prepare_ok(FIXED "To: a@b\n\ncaf\xc3\xa9\n", &o, &m);
	assert_int_equal(m.eightbit, 1);
	free(s);
	msg_free(&m);
	s = prepare_ok(FIXED "Subject: caf\xc3\xa9\n\nplain\n", &o, &m);
	assert_int_equal(m.eightbit, 1);
	free(s);
	msg_free(&m);
	s = prepare_ok(FIXED "Subject: plain\n\nplain\n", &o, &m);
	assert_int_equal(m.eightbit, 0);
	free(s);
	msg_free(&m);
}

/* The spool directory given in the options is used, and cleaned up. */
static void
test_tmpdir_option(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	char dir[] = "/tmp/pigeon-test-spool-XXXXXX";
	char *errstr = NULL, *s;
	int fd, n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	o.tmpdir = dir;
	s = prepare_ok(FIXED "\nx\n", &o, &m);
	free(s);
	n = count_files(dir, 1);
	msg_free(&m);
	(void)rmdir(dir);
	assert_int_equal(n, 0);
	/* A spool directory that is not there. */
	fd = input_pipe("To: a@b\n\nx\n", 11);
	assert_int_equal(msg_prepare(fd, &o, &m, &errstr), ERR_IO);
	assert_non_null(errstr);
	assert_int_equal(m.fd, -1);
	free(errstr);
	close(fd);
}

/* ---- a large body through a pipe --------------------------------------- */

#define BIG_BYTES (20u * 1024 * 1024)

/*
 * Line i of the generated body, into p; returns its length.  Odd lines
 * end in CRLF, even ones in LF; some start with a dot.  With lf set,
 * every line ends in LF (what the spool must hold).
 */
static size_t
gen_line(unsigned i, char *p, int lf)
{
	size_t n;
	unsigned k, len = i % 97;

	n = (size_t)snprintf(p, 32, "%s%08u ", i % 13 == 0 ? "." : "", i);
	for (k = 0; k < len; k++)
		p[n++] = (char)('a' + (i + k) % 26);
	if (!lf && i % 2 == 1)
		p[n++] = '\r';
	p[n++] = '\n';
	return n;
}

/* The writer side: the body in chunks of random sizes, then EOF. */
static void
big_writer(int fd, uint32_t seed)
{
	static char buf[256 * 1024];
	size_t have = 0, off, chunk;
	unsigned i = 0;
	uint64_t total = 0;
	static const char head[] = FIXED "To: a@b\nSubject: big\n\n";

	rng = seed;
	memcpy(buf, head, sizeof(head) - 1);
	have = sizeof(head) - 1;
	while (total < BIG_BYTES) {
		while (have < sizeof(buf) - 256 && total + have < BIG_BYTES)
			have += gen_line(i++, buf + have, 0);
		for (off = 0; off < have; off += chunk) {
			chunk = 1 + test_rand(&rng) % 70000;
			if (chunk > have - off)
				chunk = have - off;
			if (write(fd, buf + off, chunk) != (ssize_t)chunk)
				_exit(1);
		}
		total += have;
		have = 0;
	}
	_exit(0);
}

static void
test_large_body_pipe(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	char *errstr = NULL, *s, line[256];
	const char *p, *end;
	int fds[2], status;
	pid_t pid;
	unsigned i = 0;
	size_t n;
	enum err e;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		big_writer(fds[1], SEED);
	}
	close(fds[1]);
	e = msg_prepare(fds[0], &o, &m, &errstr);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (e != ERR_OK)
		fail_msg("msg_prepare: %s: %s", err_name(e),
		    errstr != NULL ? errstr : "");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Half the lines lost their CR: a little less than was written. */
	assert_true(m.size > BIG_BYTES / 100 * 98);
	assert_int_equal(m.eightbit, 0);
	s = read_spool(&m);
	assert_int_equal(header_len(s), strlen(FIXED "To: a@b\n"
	    "Subject: big\n\n"));
	assert_memory_equal(s, FIXED "To: a@b\nSubject: big\n\n",
	    header_len(s));
	p = s + header_len(s);
	end = s + m.size;
	while (p < end) {
		n = gen_line(i, line, 1);
		if ((size_t)(end - p) < n || memcmp(p, line, n) != 0)
			fail_msg("seed %#x: body line %u differs at offset %zu",
			    SEED, i, (size_t)(p - s));
		p += n;
		i++;
	}
	free(s);
	msg_free(&m);
}

/* ---- cases that msg.c gets wrong (see the report) ---------------------- */

/*
 * With an mbox "From " line first, the header must still be read to its
 * end: a Bcc past the first 64 KiB block may not end up in the body.
 */
static void
test_mbox_from_long_header(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	struct buf in;
	char *errstr = NULL, *s;
	const char *leak;
	enum err e;
	int fd, k, ok;

	(void)state;
	buf_init(&in, 1024 * 1024);
	assert_int_equal(buf_addstr(&in, "From sender@x Mon Jan  1 00:00:00 "
	    "2024\n" FIXED "To: a@b\n"), 0);
	for (k = 0; k < 1500; k++)
		assert_int_equal(buf_printf(&in, "X-Pad-%04d: %s\n", k,
		    "0123456789abcdef0123456789abcdef"), 0);
	assert_int_equal(buf_addstr(&in, "Bcc: secret@x\n\nbody\n"), 0);
	o.extract = 1;
	fd = input_file(in.data, in.len);
	e = msg_prepare(fd, &o, &m, &errstr);
	close(fd);
	buf_free(&in);
	if (e != ERR_OK)
		fail_msg("msg_prepare: %s: %s", err_name(e),
		    errstr != NULL ? errstr : "");
	s = read_spool(&m);
	leak = strstr(s, "secret@x");
	if (leak != NULL)
		print_error("the Bcc field is in the spooled message at offset "
		    "%zu (header ends at %zu)\n", (size_t)(leak - s),
		    header_len(s));
	ok = leak == NULL && m.rcpts.n == 2 &&
	    strcmp(m.rcpts.v[1].spec, "secret@x") == 0 &&
	    strcmp(s + header_len(s), "body\n") == 0;
	free(s);
	msg_free(&m);
	assert_true(ok);
}

/* The same with a header over the limit: it must be refused. */
static void
test_mbox_from_header_too_big(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	struct buf in;
	char *errstr = NULL;
	enum err e;
	int fd;

	(void)state;
	buf_init(&in, 2 * 1024 * 1024);
	assert_int_equal(buf_addstr(&in, "From sender@x Mon Jan  1 00:00:00 "
	    "2024\nTo: a@b\n"), 0);
	while (in.len < 1100 * 1024)
		assert_int_equal(buf_printf(&in, "X-Pad-%07zu: %s\n", in.len,
		    "0123456789abcdef0123456789abcdef"), 0);
	assert_int_equal(buf_addstr(&in, "\nbody\n"), 0);
	fd = input_file(in.data, in.len);
	e = msg_prepare(fd, &o, &m, &errstr);
	close(fd);
	buf_free(&in);
	free(errstr);
	msg_free(&m);
	if (e != ERR_DATA)
		fail_msg("a 1.1 MiB header after a \"From \" line: %s, want "
		    "ERR_DATA", err_name(e));
}

/*
 * A long field well under the 1 MiB header limit (700 KB of folded
 * References, say) is a valid message, not an out-of-memory error.
 */
static void
test_long_header_field(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	struct buf in;
	char *errstr = NULL, *s;
	enum err e;
	int fd;

	(void)state;
	buf_init(&in, 1024 * 1024);
	assert_int_equal(buf_addstr(&in, FIXED "To: a@b\nReferences:"), 0);
	while (in.len < 700 * 1000)
		assert_int_equal(buf_printf(&in, "\n <%010zu@example.org>",
		    in.len), 0);
	assert_int_equal(buf_addstr(&in, "\n\nbody\n"), 0);
	fd = input_file(in.data, in.len);
	e = msg_prepare(fd, &o, &m, &errstr);
	close(fd);
	buf_free(&in);
	if (e != ERR_OK)
		fail_msg("a 700 KB header field: %s (%s), want ERR_OK",
		    err_name(e), errstr != NULL ? errstr : "no errstr");
	s = read_spool(&m);
	assert_string_equal(s + header_len(s), "body\n");
	free(s);
	msg_free(&m);
}

/*
 * A NUL in the body is treated the same wherever it is: the first read
 * block (which msg_prepare scans with the header) or later.
 */
static void
test_nul_in_body_consistent(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m1, m2;
	struct buf in;
	char *errstr1 = NULL, *errstr2 = NULL;
	enum err e1, e2;
	int fd;

	(void)state;
	buf_init(&in, 1024 * 1024);
	assert_int_equal(buf_addstr(&in, FIXED "To: a@b\n\nearly "), 0);
	assert_int_equal(buf_add(&in, "\0", 1), 0);
	assert_int_equal(buf_addstr(&in, " nul\n"), 0);
	fd = input_file(in.data, in.len);
	e1 = msg_prepare(fd, &o, &m1, &errstr1);
	close(fd);

	buf_reset(&in);
	assert_int_equal(buf_addstr(&in, FIXED "To: a@b\n\n"), 0);
	while (in.len < 200 * 1000)
		assert_int_equal(buf_addstr(&in, "filler line\n"), 0);
	assert_int_equal(buf_addstr(&in, "late "), 0);
	assert_int_equal(buf_add(&in, "\0", 1), 0);
	assert_int_equal(buf_addstr(&in, " nul\n"), 0);
	fd = input_file(in.data, in.len);
	e2 = msg_prepare(fd, &o, &m2, &errstr2);
	close(fd);
	buf_free(&in);
	if (e1 != e2)
		print_error("NUL at body offset 6: %s (%s); at offset 200000: "
		    "%s\n", err_name(e1), errstr1 != NULL ? errstr1 : "",
		    err_name(e2));
	free(errstr1);
	free(errstr2);
	if (e1 == ERR_OK)
		msg_free(&m1);
	if (e2 == ERR_OK)
		msg_free(&m2);
	assert_int_equal(e1, e2);
	assert_int_equal(e1, ERR_DATA);
}

/*
 * RFC 5322 4.5 (obs-bcc, obs-optional) allows white space before the
 * colon, and section 4 says such fields must be accepted.  "Bcc :" must
 * not end the header and land, address and all, in the body.
 */
static void
test_bcc_space_before_colon(void **state)
{
	struct msg_opts o = { 0 };
	struct msg m;
	char *s;
	int ok;

	(void)state;
	o.extract = 1;
	s = prepare_ok(FIXED "To: a@b\nBcc : secret@x\nSubject: s\n\nbody\n",
	    &o, &m);
	if (strstr(s, "secret@x") != NULL)
		print_error("spooled:\n%s\n", s);
	ok = strstr(s, "secret@x") == NULL &&
	    strcmp(s + header_len(s), "body\n") == 0 && m.rcpts.n == 2;
	free(s);
	msg_free(&m);
	assert_true(ok);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_line_ends_to_lf),
		T(test_bcc_removed),
		T(test_extract),
		T(test_added_headers),
		T(test_mbox_from_line),
		T(test_header_only),
		T(test_body_without_blank_line),
		T(test_header_too_big),
		T(test_nul_in_header),
		T(test_bad_address_extract),
		T(test_eightbit),
		T(test_tmpdir_option),
		T(test_large_body_pipe),
		T(test_mbox_from_long_header),
		T(test_mbox_from_header_too_big),
		T(test_long_header_field),
		T(test_nul_in_body_consistent),
		T(test_bcc_space_before_colon),
		T(test_extract_resent),
		T(test_message_ids),
	};

	int r;

	/* A writer whose reader is gone must see EPIPE, not die. */
	signal(SIGPIPE, SIG_IGN);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	cleanup_dirs();
	return r;
}
