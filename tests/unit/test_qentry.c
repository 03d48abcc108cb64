/* test_qentry.c - the queue file: exact round trips, every error, damaged and random input. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "qentry.h"
#include "util.h"
#include "helper.h"

/* The seed of the random tests; printed when a check fails. */
#define SEED 0x9e0e17e5u

#define FILE_MAX (64u * 1024 * 1024)

/* A string literal and its length, NUL bytes and all. */
#define LIT(s) (s), sizeof(s) - 1

#define HEADER "pigeon-queue 1\n"

/*
 * Every byte from 0x01 to 0x1f and 0x7f, a backslash before what looks
 * like an escape, UTF-8 of every length, bytes that are not UTF-8,
 * things that look like lines of the file, and blanks at both ends.
 */
static const char hostile[] =
    "  \x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f"
    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
    "\x7f \\ \\\\ \\n \\x41 \\x00 \\"
    " Gr\xc3\xbc\xc3\x9f""e \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\xa6"
    " \xff \xc0\xaf \x80 \xed\xa0\x80 \xf4\x90\x80\x80 \xe6\x97"
    "\nend 00000000\nrcpt pending 0 evil@example.org\n"
    "trailing \t ";

/* ---- a CRC-32 of our own, to seal hand-written files ---- */

static uint32_t crc_table[256];

static void
crc_init(void)
{
	uint32_t c;
	unsigned i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t
crc(const char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	size_t i;

	if (crc_table[1] == 0)
		crc_init();
	for (i = 0; i < n; i++)
		c = crc_table[(c ^ (unsigned char)p[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

/* Append the "end" line for what b holds. */
static void
seal(struct buf *b)
{
	assert_int_equal(buf_printf(b, "end %08lx\n",
	    (unsigned long)crc(b->data, b->len)), 0);
}

/* The header, body and a correct "end" line, in b (initialised here). */
static void
sealed(struct buf *b, const char *body)
{
	buf_init(b, FILE_MAX);
	assert_int_equal(buf_addstr(b, HEADER), 0);
	assert_int_equal(buf_addstr(b, body), 0);
	seal(b);
}

/* ---- comparing entries ---- */

#define assert_str_or_null(a, b) assert_str_or_null_((a), (b), __FILE__, \
	__LINE__)

static void
assert_str_or_null_(const char *a, const char *b, const char *file, int line)
{
	if (a == NULL && b == NULL)
		return;
	if (a == NULL || b == NULL || strcmp(a, b) != 0) {
		print_error("'%s' != '%s'\n",
		    a == NULL ? "(null)" : test_vis(a, strlen(a)),
		    b == NULL ? "(null)" : test_vis(b, strlen(b)));
		_fail(file, line);
	}
}

/* Are a and b the same, with the flags as the file keeps them (0 or 1)? */
static int
same_entry(const struct qentry *a, const struct qentry *b)
{
	size_t i;

#define SAME(x, y) ((x) == NULL ? (y) == NULL : (y) != NULL && \
	strcmp((x), (y)) == 0)
	if (!SAME(a->id, b->id) || !SAME(a->account, b->account) ||
	    !SAME(a->server, b->server) || !SAME(a->from, b->from) ||
	    !SAME(a->dsn_notify, b->dsn_notify) ||
	    !SAME(a->dsn_ret, b->dsn_ret) ||
	    !SAME(a->dsn_envid, b->dsn_envid) ||
	    !SAME(a->last_error, b->last_error) ||
	    !SAME(a->queue_id, b->queue_id) ||
	    !a->eightbit != !b->eightbit || !a->chunking != !b->chunking ||
	    !a->as_given != !b->as_given || a->size != b->size ||
	    !a->uncertain != !b->uncertain || a->state != b->state ||
	    a->created != b->created || a->next_try != b->next_try ||
	    a->attempts != b->attempts || a->nrcpts != b->nrcpts)
		return 0;
	for (i = 0; i < a->nrcpts; i++)
		if (!SAME(a->rcpts[i].addr, b->rcpts[i].addr) ||
		    !SAME(a->rcpts[i].reply, b->rcpts[i].reply) ||
		    a->rcpts[i].state != b->rcpts[i].state ||
		    a->rcpts[i].code != b->rcpts[i].code)
			return 0;
	return 1;
#undef SAME
}

/* Field by field, so that a failure says which one differs. */
static void
assert_same_entry(const struct qentry *a, const struct qentry *b)
{
	size_t i;

	assert_str_or_null(a->id, b->id);
	assert_str_or_null(a->account, b->account);
	assert_str_or_null(a->server, b->server);
	assert_str_or_null(a->from, b->from);
	assert_int_equal(a->nrcpts, b->nrcpts);
	for (i = 0; i < a->nrcpts; i++) {
		assert_str_or_null(a->rcpts[i].addr, b->rcpts[i].addr);
		assert_str_or_null(a->rcpts[i].reply, b->rcpts[i].reply);
		assert_int_equal(a->rcpts[i].state, b->rcpts[i].state);
		assert_int_equal(a->rcpts[i].code, b->rcpts[i].code);
	}
	assert_str_or_null(a->dsn_notify, b->dsn_notify);
	assert_str_or_null(a->dsn_ret, b->dsn_ret);
	assert_str_or_null(a->dsn_envid, b->dsn_envid);
	assert_int_equal(!a->eightbit, !b->eightbit);
	assert_int_equal(!a->chunking, !b->chunking);
	assert_int_equal(!a->as_given, !b->as_given);
	assert_true(a->size == b->size);
	assert_int_equal(a->state, b->state);
	assert_true(a->created == b->created);
	assert_true(a->next_try == b->next_try);
	assert_int_equal(a->attempts, b->attempts);
	assert_int_equal(!a->uncertain, !b->uncertain);
	assert_str_or_null(a->last_error, b->last_error);
	assert_str_or_null(a->queue_id, b->queue_id);
	assert_true(same_entry(a, b));
}

/* What qentry_parse() must leave behind when it fails. */
static void
assert_empty(const struct qentry *e)
{
	static const struct qentry zero;

	assert_memory_equal(e, &zero, sizeof zero);
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

/* A small entry with every field set: the base of the damage tests. */
static void
make_small(struct qentry *e)
{
	qentry_init(e);
	e->id = xstrdup("1700000000.M123456P789Q1.host");
	e->account = xstrdup("work");
	e->server = xstrdup("smtps://mail.example.org:465");
	e->from = xstrdup("jane@example.org");
	assert_int_equal(qentry_add_rcpt(e, "bob@example.org"), ERR_OK);
	assert_int_equal(qentry_add_rcpt(e, "j\xc3\xb6rg@b\xc3\xbc"
	    "cher.example"), ERR_OK);
	assert_int_equal(qentry_add_rcpt(e, "\"odd \\\\ one\"@x"), ERR_OK);
	e->rcpts[0].state = QRCPT_DONE;
	e->rcpts[0].code = 250;
	e->rcpts[0].reply = xstrdup("2.1.5 ok");
	e->rcpts[1].state = QRCPT_FAILED;
	e->rcpts[1].code = 550;
	e->rcpts[1].reply = xstrdup("5.1.1 no such user\nreally not");
	e->rcpts[2].code = 451;
	e->dsn_notify = xstrdup("SUCCESS,FAILURE");
	e->dsn_ret = xstrdup("HDRS");
	e->dsn_envid = xstrdup("QQ314159");
	e->eightbit = 1;
	e->as_given = 1;
	e->size = 123456789012LL;
	e->chunking = 1;
	e->state = QENTRY_QUEUED;
	e->created = 1700000000;
	e->next_try = 1700000300;
	e->attempts = 2;
	e->uncertain = 1;
	e->last_error = xstrdup("connection reset\nafter the dot");
	e->queue_id = xstrdup("4Xy7Zq");
}

static void
format_ok(const struct qentry *e, struct buf *b)
{
	buf_init(b, FILE_MAX);
	assert_int_equal(qentry_format(e, b), 0);
}

/* Parse p[0..n): ERR_OK and an entry equal to want. */
static void
expect_same(const char *p, size_t n, const struct qentry *want)
{
	struct qentry got;
	char *err = NULL;
	enum err r;

	r = qentry_parse(&got, p, n, &err);
	if (r != ERR_OK)
		print_error("%s: %s\n", err_name(r), err ? err : "(none)");
	assert_int_equal(r, ERR_OK);
	assert_null(err);
	assert_same_entry(&got, want);
	qentry_free(&got);
}

/* Parse p[0..n): ERR_DATA with exactly the message why. */
static void
expect_error(const char *p, size_t n, const char *why)
{
	struct qentry e;
	char *err = NULL;
	enum err r;

	r = qentry_parse(&e, p, n, &err);
	if (r != ERR_DATA || err == NULL || strcmp(err, why) != 0)
		print_error("input '%s'\ngot %s '%s'\nwant '%s'\n",
		    test_vis(p, n), err_name(r), err ? err : "(none)", why);
	assert_int_equal(r, ERR_DATA);
	assert_non_null(err);
	assert_string_equal(err, why);
	assert_empty(&e);
	free(err);
}

/* A sealed file of HEADER and body must fail with why. */
static void
expect_body_error(const char *body, const char *why)
{
	struct buf b;

	sealed(&b, body);
	expect_error(b.data, b.len, why);
	buf_free(&b);
}

/* ---- tests ---- */

static void
test_crc(void **state)
{
	struct qentry e;
	struct buf b;
	const char *end;
	char want[32];

	(void)state;
	/* Our table CRC is the standard one ... */
	assert_int_equal(crc("123456789", 9), 0xcbf43926u);
	/* ... and so is the one in the file. */
	make_small(&e);
	format_ok(&e, &b);
	end = b.data + b.len - 13;
	assert_int_equal(snprintf(want, sizeof want, "end %08lx\n",
	    (unsigned long)crc(b.data, (size_t)(end - b.data))), 13);
	assert_string_equal(end, want);
	assert_int_equal(end[-1], '\n');
	buf_free(&b);
	qentry_free(&e);
}

/* The example in qentry.h, byte for byte. */
static void
test_doc_example(void **state)
{
	static const char text[] =
	    "pigeon-queue 1\n"
	    "id 1700000000.M12P345Q1.host\n"
	    "account work\n"
	    "from jane@example.org\n"
	    "rcpt done 250 bob@example.org\n"
	    "rcpt pending 451 carol@example.org\n"
	    "rcpt-reply 4.3.0 try again\\nlater\n"
	    "eightbit 0\n"
	    "as-given 0\n"
	    "size 1234\n"
	    "chunking 0\n"
	    "state queued\n"
	    "created 1700000000\n"
	    "next-try 1700000300\n"
	    "attempts 1\n"
	    "uncertain 0\n"
	    "end 9889d076\n";
	struct qentry e;
	struct buf b;

	(void)state;
	assert_int_equal(qentry_parse(&e, LIT(text), NULL), ERR_OK);
	assert_string_equal(e.id, "1700000000.M12P345Q1.host");
	assert_string_equal(e.account, "work");
	assert_null(e.server);
	assert_int_equal(e.nrcpts, 2);
	assert_int_equal(e.rcpts[0].state, QRCPT_DONE);
	assert_int_equal(e.rcpts[0].code, 250);
	assert_null(e.rcpts[0].reply);
	assert_int_equal(e.rcpts[1].code, 451);
	assert_string_equal(e.rcpts[1].reply, "4.3.0 try again\nlater");
	assert_int_equal(qentry_pending(&e), 1);
	assert_true(e.next_try == 1700000300);
	assert_int_equal(e.attempts, 1);
	format_ok(&e, &b);
	assert_string_equal(buf_str(&b), text);
	buf_free(&b);
	qentry_free(&e);
}

static void
test_minimal(void **state)
{
	struct qentry e, got;
	struct buf b, want;
	char *err = NULL;

	(void)state;
	qentry_init(&e);
	e.id = xstrdup("m1");
	e.from = xstrdup("");
	assert_int_equal(qentry_add_rcpt(&e, "a@b"), ERR_OK);
	format_ok(&e, &b);
	sealed(&want, "id m1\nfrom\nrcpt pending 0 a@b\neightbit 0\n"
	    "as-given 0\nsize 0\nchunking 0\nstate queued\ncreated 0\nnext-try 0\nattempts 0\n"
	    "uncertain 0\n");
	assert_string_equal(buf_str(&b), buf_str(&want));
	expect_same(b.data, b.len, &e);
	buf_free(&want);
	buf_free(&b);

	/* The fields the file may leave out are zero or NULL. */
	sealed(&b, "rcpt pending 0 a@b\nfrom\nid m1\n");
	assert_int_equal(qentry_parse(&got, b.data, b.len, &err), ERR_OK);
	assert_same_entry(&got, &e);
	assert_null(got.account);
	assert_null(got.rcpts[0].reply);
	assert_int_equal(got.state, QENTRY_QUEUED);
	qentry_free(&got);
	buf_free(&b);

	/* The null sender is "" and survives; an empty account too. */
	assert_string_equal(e.from, "");
	e.account = xstrdup("");
	format_ok(&e, &b);
	assert_non_null(strstr(buf_str(&b), "\naccount\n"));
	expect_same(b.data, b.len, &e);
	buf_free(&b);
	qentry_free(&e);
	assert_null(err);
}

static void
test_roundtrip_full(void **state)
{
	struct qentry e, got;
	struct buf b, again;
	char addr[64];
	size_t i;
	int n;

	(void)state;
	qentry_init(&e);
	e.id = xstrdup("1700000000.M999999P4242Q77.h\xc3\xb6st");
	e.account = xstrdup(hostile);
	e.server = xstrdup(" smtp://user@[::1]:2525 ");
	e.from = xstrdup(hostile + 2);
	for (i = 0; i < 1000; i++) {
		n = snprintf(addr, sizeof addr, "user%zu@\xe4\xbe\x8b"
		    "\xe3\x81\x88.jp", i);
		assert_true(n > 0 && (size_t)n < sizeof addr);
		assert_int_equal(qentry_add_rcpt(&e, i == 7 ? hostile : addr),
		    ERR_OK);
		e.rcpts[i].state = (enum qrcpt_state)(i % 3);
		e.rcpts[i].code = i % 3 == 0 ? 0 : i % 2 ? 999 : 250;
		if (i % 5 == 0)
			e.rcpts[i].reply = xstrdup("550-5.1.1 first line\n"
			    "550-5.1.1 second \\ line\n550 5.1.1 last ");
		else if (i % 5 == 1)
			e.rcpts[i].reply = xstrdup(i == 1 ? hostile : "");
	}
	e.dsn_notify = xstrdup("NEVER");
	e.dsn_ret = xstrdup("FULL");
	e.dsn_envid = xstrdup(" +2B envid ");
	e.eightbit = 7;	/* written and read back as 1 */
	e.chunking = 1;
	e.state = QENTRY_FAILED;
	e.created = INT64_MIN;
	e.next_try = INT64_MAX;
	e.attempts = UINT_MAX;
	e.uncertain = 1;
	e.last_error = xstrdup(hostile);
	e.queue_id = xstrdup("\\");

	format_ok(&e, &b);
	assert_int_equal(qentry_parse(&got, b.data, b.len, NULL), ERR_OK);
	assert_same_entry(&got, &e);
	assert_int_equal(got.eightbit, 1);
	assert_int_equal(qentry_pending(&got), 334);

	/* Writing what was read gives the same bytes. */
	format_ok(&got, &again);
	assert_int_equal(again.len, b.len);
	assert_memory_equal(again.data, b.data, b.len);
	buf_free(&again);
	qentry_free(&got);
	buf_free(&b);

	/* Each of the three states, the other flags off. */
	e.state = QENTRY_SENT;
	e.eightbit = e.chunking = e.uncertain = 0;
	e.created = 0;
	e.next_try = -1;
	e.attempts = 0;
	format_ok(&e, &b);
	expect_same(b.data, b.len, &e);
	buf_free(&b);
	e.state = QENTRY_QUEUED;
	format_ok(&e, &b);
	expect_same(b.data, b.len, &e);
	buf_free(&b);
	qentry_free(&e);
}

/* The file stays readable text: no control byte but LF, only valid UTF-8. */
static void
test_text(void **state)
{
	struct qentry e;
	struct buf b;
	const unsigned char *u;
	size_t i;

	(void)state;
	qentry_init(&e);
	e.id = xstrdup("x");
	e.from = xstrdup(" a\\b\nc\x01\x7f\xff\xc3\xa9 ");
	e.last_error = xstrdup(hostile);
	assert_int_equal(qentry_add_rcpt(&e, " "), ERR_OK);
	format_ok(&e, &b);
	assert_non_null(strstr(buf_str(&b), "\nfrom \\x20a\\\\b\\nc\\x01\\x7f"
	    "\\xff\xc3\xa9\\x20\n"));
	assert_non_null(strstr(buf_str(&b), "\nrcpt pending 0 \\x20\n"));
	u = (const unsigned char *)b.data;
	for (i = 0; i < b.len; i++) {
		assert_true(u[i] == '\n' || (u[i] >= 0x20 && u[i] != 0x7f));
		/* Every line's last byte before LF is not a blank. */
		if (u[i] == '\n' && i > 0)
			assert_true(u[i - 1] != ' ' && u[i - 1] != '\t');
	}
	/* The only UTF-8 in there is what was valid to begin with. */
	assert_null(strstr(buf_str(&b), "\xff"));
	assert_null(strstr(buf_str(&b), "\xc0"));
	assert_null(strstr(buf_str(&b), "\xed\xa0"));
	expect_same(b.data, b.len, &e);
	buf_free(&b);
	qentry_free(&e);
}

static void
test_format_refuses(void **state)
{
	struct qentry e;
	struct buf b;

	(void)state;
	make_small(&e);
	buf_init(&b, FILE_MAX);
	assert_int_equal(buf_addstr(&b, "before"), 0);

	/* Appends, and the checksum covers only its own file. */
	assert_int_equal(qentry_format(&e, &b), 0);
	assert_memory_equal(b.data, "before", 6);
	expect_same(b.data + 6, b.len - 6, &e);
	buf_truncate(&b, 6);

#define REFUSED(what, err) do { \
	what; \
	errno = 0; \
	assert_int_equal(qentry_format(&e, &b), -1); \
	assert_int_equal(errno, err); \
	assert_int_equal(b.len, 6); \
	assert_string_equal(buf_str(&b), "before"); \
	qentry_free(&e); \
	make_small(&e); \
} while (0)
	REFUSED(free(e.id); e.id = NULL, EINVAL);
	REFUSED(e.id[0] = '\0', EINVAL);
	REFUSED(free(e.from); e.from = NULL, EINVAL);
	REFUSED(e.rcpts[1].code = 1000, EINVAL);
	REFUSED(e.rcpts[1].code = -1, EINVAL);
	REFUSED(e.rcpts[2].addr[0] = '\0', EINVAL);
	REFUSED(e.rcpts[2].state = (enum qrcpt_state)3, EINVAL);
	REFUSED(e.state = (enum qentry_state)3, EINVAL);
	REFUSED(while (e.nrcpts > 0) { e.nrcpts--;
	    free(e.rcpts[e.nrcpts].addr); free(e.rcpts[e.nrcpts].reply); },
	    EINVAL);
#undef REFUSED
	buf_free(&b);

	/* Too big for the buffer: nothing of it stays. */
	buf_init(&b, 100);
	assert_int_equal(buf_addstr(&b, "before"), 0);
	errno = 0;
	assert_int_equal(qentry_format(&e, &b), -1);
	assert_int_equal(errno, E2BIG);
	assert_string_equal(buf_str(&b), "before");
	buf_free(&b);
	qentry_free(&e);
}

static void
test_rcpt_helpers(void **state)
{
	struct qentry e;

	(void)state;
	qentry_init(&e);
	assert_int_equal(qentry_pending(&e), 0);
	assert_int_equal(qentry_add_rcpt(&e, ""), ERR_DATA);
	assert_int_equal(qentry_add_rcpt(&e, NULL), ERR_DATA);
	assert_int_equal(e.nrcpts, 0);
	assert_int_equal(qentry_add_rcpt(&e, "a@b"), ERR_OK);
	assert_int_equal(qentry_add_rcpt(&e, "c@d"), ERR_OK);
	assert_int_equal(qentry_add_rcpt(&e, "e@f"), ERR_OK);
	assert_int_equal(e.nrcpts, 3);
	assert_string_equal(e.rcpts[1].addr, "c@d");
	assert_int_equal(e.rcpts[1].state, QRCPT_PENDING);
	assert_int_equal(e.rcpts[1].code, 0);
	assert_null(e.rcpts[1].reply);
	assert_int_equal(qentry_pending(&e), 3);
	e.rcpts[0].state = QRCPT_DONE;
	e.rcpts[2].state = QRCPT_FAILED;
	assert_int_equal(qentry_pending(&e), 1);
	e.rcpts[1].state = QRCPT_DONE;
	assert_int_equal(qentry_pending(&e), 0);
	qentry_free(&e);
	assert_empty(&e);
	/* Usable again, and free twice or of NULL is harmless. */
	assert_int_equal(qentry_add_rcpt(&e, "g@h"), ERR_OK);
	qentry_free(&e);
	qentry_free(&e);
	qentry_free(NULL);
}

/* Body lines before which the errors go: lines 2 to 4. */
#define BASE "id x\nfrom a@b\nrcpt pending 0 c@d\n"

static void
test_errors_frame(void **state)
{
	static const char nul[] = HEADER BASE "account a\0b\nend 00000000\n";
	struct qentry e;
	struct buf b;
	char *err = NULL;
	size_t i;

	(void)state;
	expect_error("", 0, "the file ends before its 'end' line "
	    "(truncated?)");
	expect_error(HEADER, strlen(HEADER), "the file ends before its 'end' "
	    "line (truncated?)");
	expect_error(HEADER BASE, strlen(HEADER BASE), "the file ends before "
	    "its 'end' line (truncated?)");
	expect_error(LIT("From: a@b\nSubject: hi\n\nbody\n"),
	    "not a pigeon queue file");
	expect_error(LIT("\x7f" "ELF\x02\x01\x01\0\0\0"),
	    "not a pigeon queue file");
	expect_error(LIT("PIGEON-QUEUE 1\n"), "not a pigeon queue file");
	expect_error(LIT("pigeon-queue 1 \n"), "not a pigeon queue file");
	expect_error(LIT("pigeon-queue 1\r\n"), "not a pigeon queue file");
	expect_error(LIT("pigeon-queue x\n"), "not a pigeon queue file");
	expect_error(LIT("pigeon-queue 2\nid x\n"), "line 1: version 2 of the "
	    "queue file format is not supported (written by a newer "
	    "pigeon?)");
	expect_error(LIT("pigeon-queue 10\n"), "line 1: version 10 of the "
	    "queue file format is not supported (written by a newer "
	    "pigeon?)");
	/* A NUL byte is found before the (here wrong) checksum. */
	expect_error(nul, sizeof nul - 1, "line 5: the file contains a NUL "
	    "byte");
	expect_error(LIT("pigeon-queue 1\n\0"), "line 2: the file contains a "
	    "NUL byte");

	/* The end line itself. */
	expect_error(HEADER BASE "end\n", strlen(HEADER BASE "end\n"),
	    "line 5: the 'end' line must be 'end' and eight lowercase hex "
	    "digits");
	expect_error(HEADER BASE "end 123\n", strlen(HEADER BASE "end 123\n"),
	    "line 5: the 'end' line must be 'end' and eight lowercase hex "
	    "digits");
	expect_error(HEADER BASE "end 0123456789\n",
	    strlen(HEADER BASE "end 0123456789\n"), "line 5: the 'end' line "
	    "must be 'end' and eight lowercase hex digits");
	expect_error(HEADER BASE "end 0000000G\n",
	    strlen(HEADER BASE "end 0000000G\n"), "line 5: the 'end' line "
	    "must be 'end' and eight lowercase hex digits");
	expect_error(HEADER BASE "end 00000000\n",
	    strlen(HEADER BASE "end 00000000\n"), "checksum mismatch: the "
	    "file is damaged");

	/* Upper case hex digits are not what the writer writes. */
	sealed(&b, BASE);
	for (i = b.len - 9; i < b.len - 1; i++)
		if (b.data[i] >= 'a' && b.data[i] <= 'f') {
			b.data[i] = (char)(b.data[i] - 'a' + 'A');
			expect_error(b.data, b.len, "line 5: the 'end' line "
			    "must be 'end' and eight lowercase hex digits");
			break;
		}
	buf_free(&b);

	/* A good file, then its last LF missing, then more after it. */
	sealed(&b, BASE);
	assert_int_equal(qentry_parse(&e, b.data, b.len, &err), ERR_OK);
	qentry_free(&e);
	expect_error(b.data, b.len - 1, "the file ends before its 'end' line "
	    "(truncated?)");
	assert_int_equal(buf_addstr(&b, "x\n"), 0);
	expect_error(b.data, b.len, "line 6: there are lines after the 'end' "
	    "line");
	assert_int_equal(buf_addstr(&b, "y"), 0);
	expect_error(b.data, b.len, "the file ends before its 'end' line "
	    "(truncated?)");
	buf_free(&b);
	/* Two files in one, the first one's end line counted in the second. */
	sealed(&b, BASE);
	seal(&b);
	expect_error(b.data, b.len, "line 6: there are lines after the 'end' "
	    "line");
	buf_free(&b);

	/* CR LF line ends: the end line is not one. */
	sealed(&b, BASE);
	b.data[b.len - 1] = '\r';
	assert_int_equal(buf_addch(&b, '\n'), 0);
	expect_error(b.data, b.len, "line 5: the 'end' line must be 'end' and "
	    "eight lowercase hex digits");
	buf_free(&b);
	assert_null(err);

	/* errstr may be NULL; the entry is still emptied. */
	assert_int_equal(qentry_parse(&e, "junk", 4, NULL), ERR_DATA);
	assert_empty(&e);
	assert_int_equal(qentry_parse(&e, NULL, 0, NULL), ERR_DATA);
	assert_empty(&e);
}

static void
test_errors_body(void **state)
{
	(void)state;
	/* Required fields. */
	expect_body_error("from a@b\nrcpt pending 0 c@d\n",
	    "the file has no 'id' line");
	expect_body_error("id x\nrcpt pending 0 c@d\n",
	    "the file has no 'from' line");
	expect_body_error("id x\nfrom a@b\n", "the file has no 'rcpt' line");
	expect_body_error("", "the file has no 'id' line");
	expect_body_error("id\nfrom a@b\nrcpt pending 0 c@d\n",
	    "line 2: the id is empty");

	/* Keys. */
	expect_body_error(BASE "color blue\n", "line 5: unknown key 'color': "
	    "the file was written by a newer pigeon, or is not a queue file");
	expect_body_error(BASE "priority\n", "line 5: unknown key "
	    "'priority': the file was written by a newer pigeon, or is not a "
	    "queue file");
	expect_body_error(BASE "State queued\n", "line 5: expected a 'key "
	    "value' line");
	expect_body_error(BASE "\n", "line 5: expected a 'key value' line");
	expect_body_error(BASE " state queued\n", "line 5: expected a 'key "
	    "value' line");
	expect_body_error(BASE "id y\n", "line 5: 'id' is given twice (first "
	    "on line 2)");
	expect_body_error(BASE "state sent\nstate sent\n", "line 6: 'state' "
	    "is given twice (first on line 5)");
	expect_body_error(BASE "queue-id a\nqueue-id\n", "line 6: 'queue-id' "
	    "is given twice (first on line 5)");
	expect_body_error(BASE "end 12345678\n", "line 6: there are lines "
	    "after the 'end' line");

	/* States and flags. */
	expect_body_error(BASE "state x\n", "line 5: unknown state 'x'");
	expect_body_error(BASE "state Queued\n", "line 5: unknown state "
	    "'Queued'");
	expect_body_error(BASE "state\n", "line 5: unknown state ''");
	expect_body_error(BASE "state queued \n", "line 5: unknown state "
	    "'queued '");
	expect_body_error(BASE "state 0123456789012345678901234567890123456789"
	    "xyz\n", "line 5: unknown state "
	    "'0123456789012345678901234567890123456789...'");
	expect_body_error(BASE "eightbit 2\n", "line 5: 'eightbit' must be 0 "
	    "or 1, not '2'");
	expect_body_error(BASE "chunking yes\n", "line 5: 'chunking' must be "
	    "0 or 1, not 'yes'");
	expect_body_error(BASE "uncertain 01\n", "line 5: 'uncertain' must be "
	    "0 or 1, not '01'");
	expect_body_error(BASE "uncertain\n", "line 5: 'uncertain' must be 0 "
	    "or 1, not ''");

	/* Numbers. */
	expect_body_error(BASE "attempts 4294967296\n", "line 5: 'attempts' "
	    "is out of range (at most 4294967295): 4294967296");
	expect_body_error(BASE "attempts 99999999999999999999999\n",
	    "line 5: 'attempts' is out of range (at most 4294967295): "
	    "99999999999999999999999");
	expect_body_error(BASE "attempts -1\n", "line 5: 'attempts' cannot "
	    "be negative: -1");
	expect_body_error(BASE "attempts 12x\n", "line 5: 'attempts' must be "
	    "a whole number, not '12x'");
	expect_body_error(BASE "attempts +1\n", "line 5: 'attempts' must be "
	    "a whole number, not '+1'");
	expect_body_error(BASE "attempts  1\n", "line 5: 'attempts' must be "
	    "a whole number, not ' 1'");
	expect_body_error(BASE "attempts\n", "line 5: 'attempts' must be a "
	    "whole number, not ''");
	expect_body_error(BASE "attempts --1\n", "line 5: 'attempts' must be "
	    "a whole number, not '--1'");
	expect_body_error(BASE "created 9223372036854775808\n", "line 5: "
	    "'created' is out of range: 9223372036854775808");
	expect_body_error(BASE "created -9223372036854775809\n", "line 5: "
	    "'created' is out of range: -9223372036854775809");
	expect_body_error(BASE "next-try 1.5\n", "line 5: 'next-try' must be "
	    "a whole number, not '1.5'");
	expect_body_error(BASE "next-try -\n", "line 5: 'next-try' must be a "
	    "whole number, not '-'");
	expect_body_error(BASE "next-try 0x10\n", "line 5: 'next-try' must be "
	    "a whole number, not '0x10'");

	/* Recipients. */
	expect_body_error("id x\nfrom a@b\nrcpt sent 250 c@d\n",
	    "line 4: unknown recipient state 'sent'");
	expect_body_error("id x\nfrom a@b\nrcpt pending 0\n",
	    "line 4: expected 'rcpt STATE CODE ADDRESS'");
	expect_body_error("id x\nfrom a@b\nrcpt\n",
	    "line 4: expected 'rcpt STATE CODE ADDRESS'");
	expect_body_error("id x\nfrom a@b\nrcpt pending 0 \n",
	    "line 4: the recipient address is missing");
	expect_body_error("id x\nfrom a@b\nrcpt done 1000 c@d\n",
	    "line 4: 'reply code' is out of range (at most 999): 1000");
	expect_body_error("id x\nfrom a@b\nrcpt done -250 c@d\n",
	    "line 4: 'reply code' cannot be negative: -250");
	expect_body_error("id x\nfrom a@b\nrcpt done 25O c@d\n",
	    "line 4: 'reply code' must be a whole number, not '25O'");
	expect_body_error("id x\nfrom a@b\nrcpt done  250 c@d\n",
	    "line 4: 'reply code' must be a whole number, not ''");
	expect_body_error("id x\nfrom a@b\nrcpt-reply hi\nrcpt pending 0 c@d\n",
	    "line 4: 'rcpt-reply' must follow a 'rcpt' line");
	expect_body_error(BASE "state queued\nrcpt-reply hi\n",
	    "line 6: 'rcpt-reply' must follow a 'rcpt' line");
	expect_body_error(BASE "rcpt-reply hi\nrcpt-reply again\n",
	    "line 6: a second 'rcpt-reply' for one recipient");

	/* Escapes. */
	expect_body_error(BASE "account a\\\n", "line 5: the value of "
	    "'account' ends in a lone backslash");
	expect_body_error(BASE "account a\\q\n", "line 5: bad escape sequence "
	    "in the value of 'account': use \\\\, \\n or \\xHH");
	expect_body_error(BASE "account \\x4\n", "line 5: bad escape sequence "
	    "in the value of 'account': use \\\\, \\n or \\xHH");
	expect_body_error(BASE "account \\xg0\n", "line 5: bad escape "
	    "sequence in the value of 'account': use \\\\, \\n or \\xHH");
	expect_body_error(BASE "account \\N\n", "line 5: bad escape sequence "
	    "in the value of 'account': use \\\\, \\n or \\xHH");
	expect_body_error(BASE "last-error a\\x00b\n", "line 5: the value of "
	    "'last-error' holds \\x00, a NUL byte");
	expect_body_error("id x\nfrom a@b\nrcpt pending 0 c\\x00\n",
	    "line 4: the value of 'rcpt' holds \\x00, a NUL byte");
	expect_body_error(BASE "rcpt-reply \\\n", "line 5: the value of "
	    "'rcpt-reply' ends in a lone backslash");

	/* Bytes the writer never leaves raw. */
	expect_body_error(BASE "account a\tb\n", "line 5: control character "
	    "0x09 (write it as \\x09)");
	expect_body_error(BASE "account a\rb\n", "line 5: control character "
	    "0x0d (write it as \\x0d)");
	expect_body_error(BASE "account \x7f\n", "line 5: control character "
	    "0x7f (write it as \\x7f)");
	expect_body_error(BASE "account a\x1b[31m\n", "line 5: control "
	    "character 0x1b (write it as \\x1b)");
	expect_body_error(BASE "account ab\xff\n", "line 5: invalid UTF-8 at "
	    "byte 11 of the line");
	expect_body_error(BASE "account \xc0\xaf\n", "line 5: invalid UTF-8 "
	    "at byte 9 of the line");
	expect_body_error(BASE "account \xed\xa0\x80\n", "line 5: invalid "
	    "UTF-8 at byte 9 of the line");
	expect_body_error(BASE "account \xe6\x97\n", "line 5: invalid UTF-8 "
	    "at byte 9 of the line");
	expect_body_error(BASE "account \xf4\x90\x80\x80\n", "line 5: invalid "
	    "UTF-8 at byte 9 of the line");

	/* Accepted: both cases of hex digits, any escaped byte. */
	{
		struct qentry e;
		struct buf b;

		sealed(&b, BASE "account \\x41\\x4a\\xC3\\xa9\\x20\n");
		assert_int_equal(qentry_parse(&e, b.data, b.len, NULL),
		    ERR_OK);
		assert_string_equal(e.account, "AJ\xc3\xa9 ");
		qentry_free(&e);
		buf_free(&b);
	}
}

/* Every proper prefix of a file is refused, and says so. */
static void
test_truncation(void **state)
{
	struct qentry e;
	struct buf b;
	char *err = NULL;
	size_t n;

	(void)state;
	make_small(&e);
	format_ok(&e, &b);
	qentry_free(&e);
	for (n = 0; n < b.len; n++) {
		if (qentry_parse(&e, b.data, n, &err) != ERR_DATA) {
			print_error("prefix of %zu bytes accepted: '%s'\n", n,
			    test_vis(b.data, n));
			fail();
		}
		assert_empty(&e);
		assert_non_null(err);
		/* In the first line or later: truncated either way. */
		assert_string_equal(err, "the file ends before its 'end' line "
		    "(truncated?)");
		free(err);
		err = NULL;
	}
	assert_int_equal(qentry_parse(&e, b.data, n, &err), ERR_OK);
	qentry_free(&e);
	buf_free(&b);
}

/* A change of any one byte, any bits of it, is refused. */
static void
test_flip(void **state)
{
	static const unsigned char masks[] = {
		0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff, 0x21,
	};
	struct qentry e, got;
	struct buf b;
	char *err = NULL;
	size_t i, m, refused = 0, total = 0;
	enum err r;

	(void)state;
	make_small(&e);
	format_ok(&e, &b);
	for (i = 0; i < b.len; i++) {
		for (m = 0; m < sizeof masks; m++) {
			b.data[i] = (char)(b.data[i] ^ masks[m]);
			r = qentry_parse(&got, b.data, b.len, &err);
			b.data[i] = (char)(b.data[i] ^ masks[m]);
			total++;
			if (r == ERR_OK) {
				/* Allowed only if it changed nothing. */
				if (!same_entry(&got, &e))
					print_error("byte %zu ^ 0x%02x gave "
					    "another entry\n", i, masks[m]);
				assert_true(same_entry(&got, &e));
				qentry_free(&got);
				continue;
			}
			assert_int_equal(r, ERR_DATA);
			assert_empty(&got);
			assert_non_null(err);
			free(err);
			err = NULL;
			refused++;
		}
	}
	/* CRC-32 finds every such change; nothing slips through. */
	assert_int_equal(refused, total);
	expect_same(b.data, b.len, &e);
	buf_free(&b);
	qentry_free(&e);
}

/* Random text in the shape of a queue file, mostly. */
static void
random_body(struct buf *b, uint32_t *rs)
{
	static const char *const keys[] = {
		"id", "account", "server", "from", "rcpt", "rcpt-reply",
		"dsn-notify", "dsn-ret", "dsn-envid", "eightbit", "chunking",
		"state", "created", "next-try", "attempts", "uncertain",
		"last-error", "queue-id", "end", "x", "",
	};
	static const char *const values[] = {
		"", "0", "1", "2", "-1", "queued", "failed", "sent", "pending",
		"done", "pending 0 a@b", "done 250 c@d", "failed 550 \\x20",
		"pending 0", "\\", "\\n", "\\x00", "\\x41", "\\xzz", "a b c",
		"4294967295", "4294967296", "9223372036854775807",
		"-9223372036854775808", "99999999999999999999", "\xc3\xa9",
		"\xff", "\t", "end 00000000", " ",
	};
	size_t lines, i, k;
	char c;

	lines = test_rand(rs) % 14;
	for (i = 0; i < lines; i++) {
		k = test_rand(rs) % (sizeof keys / sizeof keys[0]);
		assert_int_equal(buf_addstr(b, keys[k]), 0);
		if (test_rand(rs) % 8 != 0)
			assert_int_equal(buf_addch(b, ' '), 0);
		k = test_rand(rs) % (sizeof values / sizeof values[0]);
		assert_int_equal(buf_addstr(b, values[k]), 0);
		/* Now and then a raw byte of any value. */
		if (test_rand(rs) % 6 == 0) {
			c = (char)(test_rand(rs) & 0xff);
			assert_int_equal(buf_add(b, &c, 1), 0);
		}
		assert_int_equal(buf_addch(b, '\n'), 0);
	}
}

/* If p[0..n) is accepted, writing and reading it again gives the same. */
static void
check_input(const char *p, size_t n, uint32_t seed)
{
	struct qentry e, again;
	struct buf b;
	char *err = NULL;
	enum err r;

	r = qentry_parse(&e, p, n, &err);
	if (r != ERR_OK) {
		if (r != ERR_DATA || err == NULL)
			print_error("seed 0x%08x: %s for '%s'\n", seed,
			    err_name(r), test_vis(p, n));
		assert_int_equal(r, ERR_DATA);
		assert_non_null(err);
		assert_empty(&e);
		free(err);
		return;
	}
	assert_null(err);
	assert_non_null(e.id);
	assert_non_null(e.from);
	assert_true(e.nrcpts > 0);
	format_ok(&e, &b);
	assert_int_equal(qentry_parse(&again, b.data, b.len, &err), ERR_OK);
	assert_same_entry(&again, &e);
	qentry_free(&again);
	qentry_free(&e);
	buf_free(&b);
}

static void
test_random(void **state)
{
	struct qentry small;
	struct buf b, base;
	uint32_t rs = SEED, seed;
	size_t i, k, len, pos, ok = 0;
	int kind;
	char c;

	(void)state;
	make_small(&small);
	format_ok(&small, &base);
	qentry_free(&small);
	for (i = 0; i < 10000; i++) {
		seed = rs;
		buf_init(&b, FILE_MAX);
		kind = (int)(test_rand(&rs) % 4);
		if (kind == 0) {
			/* Bytes of any value, sometimes after the header. */
			if (test_rand(&rs) % 2)
				assert_int_equal(buf_addstr(&b, HEADER), 0);
			len = test_rand(&rs) % 300;
			for (k = 0; k < len; k++) {
				c = (char)(test_rand(&rs) & 0xff);
				assert_int_equal(buf_add(&b, &c, 1), 0);
			}
		} else if (kind == 1) {
			/* Lines of keys and values, correctly sealed. */
			assert_int_equal(buf_addstr(&b, HEADER), 0);
			if (test_rand(&rs) % 2)
				assert_int_equal(buf_addstr(&b, BASE), 0);
			random_body(&b, &rs);
			if (test_rand(&rs) % 8 != 0)
				seal(&b);
		} else {
			/* A good file with a few random edits ... */
			assert_int_equal(buf_add(&b, base.data, base.len -
			    13), 0);
			for (k = test_rand(&rs) % 4 + 1; k > 0; k--) {
				pos = test_rand(&rs) % b.len;
				c = (char)(test_rand(&rs) & 0xff);
				if (test_rand(&rs) % 3 == 0 && pos > 15)
					buf_truncate(&b, pos);
				else
					b.data[pos] = c;
			}
			/* ... resealed (the parser must cope) or not. */
			if (kind == 2)
				seal(&b);
			else
				assert_int_equal(buf_add(&b, base.data +
				    base.len - 13, 13), 0);
		}
		check_input(b.data, b.len, seed);
		/* Unsealed edits are refused, unless they changed nothing. */
		if (kind == 3 && (b.len != base.len ||
		    memcmp(b.data, base.data, b.len) != 0)) {
			struct qentry e;

			assert_int_equal(qentry_parse(&e, b.data, b.len, NULL),
			    ERR_DATA);
		}
		if (qentry_parse(&small, b.data, b.len, NULL) == ERR_OK) {
			ok++;
			qentry_free(&small);
		}
		buf_free(&b);
	}
	/* The sealed inputs reached past the frame checks now and then. */
	assert_true(ok > 10);
	buf_free(&base);
}

static void
test_backoff(void **state)
{
	const int64_t now = 1700000000;
	int64_t v, prev, base;
	unsigned a;
	int round, varied = 0;
	int64_t first = -1;

	(void)state;
	for (round = 0; round < 200; round++) {
		/* After the first failed try (and before any): 5 to 5.5 min. */
		v = qentry_backoff(0, now) - now;
		assert_true(v >= 300 && v <= 330);
		v = qentry_backoff(1, now) - now;
		assert_true(v >= 300 && v <= 330);

		/* Doubling, each within its 10%, never going down ... */
		prev = 0;
		for (a = 1; a <= 7; a++) {
			base = a < 7 ? (int64_t)300 << (a - 1) : 4 * 3600;
			v = qentry_backoff(a, now) - now;
			assert_true(v >= base && v <= base + base / 10);
			assert_true(v >= prev);
			prev = v;
		}
		/* ... up to the cap: 4 hours, 4.4 with jitter. */
		for (a = 7; a < 100; a++) {
			v = qentry_backoff(a, now) - now;
			assert_true(v >= 14400 && v <= 15840);
		}
		v = qentry_backoff(UINT_MAX, now) - now;
		assert_true(v >= 14400 && v <= 15840);
		v = qentry_backoff(UINT_MAX - 1, 0);
		assert_true(v >= 14400 && v <= 15840);
		if (first < 0)
			first = v;
		else if (v != first)
			varied = 1;

		/* No overflow at the end of time, nor before its start. */
		assert_true(qentry_backoff(UINT_MAX, INT64_MAX) == INT64_MAX);
		v = qentry_backoff(3, INT64_MAX - 1000);
		assert_true(v >= INT64_MAX - 1000 + 1000 || v == INT64_MAX);
		v = qentry_backoff(1, INT64_MIN);
		assert_true(v >= INT64_MIN + 300 && v <= INT64_MIN + 330);
	}
	/* The jitter is there. */
	assert_true(varied);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc),
		cmocka_unit_test(test_doc_example),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_roundtrip_full),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_rcpt_helpers),
		cmocka_unit_test(test_errors_frame),
		cmocka_unit_test(test_errors_body),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_flip),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests_name("qentry", tests, NULL, NULL);
}
