/* test_transcript.c - transcript events, history, formatting, file writer, and the sanitizer. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "buf.h"
#include "sanitize.h"
#include "transcript.h"
#include "helper.h"

#define SEED 0x7a11c0deu

/* A fixed pseudo-random sequence, so failures repeat. */
static uint32_t rng = SEED;


/* sanitize_append(s[0..n)) must give exactly want. */
static void
check_san(const char *s, size_t n, const char *want)
{
	struct buf out;

	buf_init(&out, 4096);
	assert_int_equal(sanitize_append(&out, s, n), 0);
	if (strcmp(buf_str(&out), want) != 0)
		fail_msg("sanitize '%s': got '%s', want '%s'", test_vis(s, n),
		    test_vis(buf_str(&out), out.len), test_vis(want, strlen(want)));
	buf_free(&out);
}

#define SAN(lit, want) check_san(lit, sizeof(lit) - 1, want)

static void
test_sanitize_c0_del_backslash(void **state)
{
	char in, want[8];
	int c;

	(void)state;
	for (c = 0; c < 0x20; c++) {
		in = (char)c;
		if (c == '\r' || c == '\n' || c == '\t' || c == 0x1b)
			snprintf(want, sizeof(want), "\\%c",
			    c == '\r' ? 'r' : c == '\n' ? 'n' :
			    c == '\t' ? 't' : 'e');
		else
			snprintf(want, sizeof(want), "\\x%02X", c);
		check_san(&in, 1, want);
	}
	SAN("\x7f", "\\x7F");
	SAN("\\", "\\\\");
	SAN("a\\nb", "a\\\\nb");
	SAN("250 ok\r\n", "250 ok\\r\\n");
	SAN("\x1b[2J\x1b]0;title\x07", "\\e[2J\\e]0;title\\x07");
}

static void
test_sanitize_printable(void **state)
{
	char all[95];
	int c;

	(void)state;
	for (c = 0x20; c < 0x7f; c++)
		all[c - 0x20] = (char)c;
	/* Everything but the backslash passes as it is. */
	check_san(all, sizeof(all),
	    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");
	SAN("", "");
}

static void
test_sanitize_utf8(void **state)
{
	(void)state;
	SAN("caf\xc3\xa9", "caf\xc3\xa9");
	SAN("\xe4\xb8\xad\xe6\x96\x87", "\xe4\xb8\xad\xe6\x96\x87");
	SAN("\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!");
	SAN("\xc2\xa0", "\xc2\xa0");                   /* U+00A0, just past C1 */
	SAN("\xef\xbf\xbd", "\xef\xbf\xbd");           /* U+FFFD */
	SAN("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");   /* U+10FFFF */
	SAN("\xe2\x80\xaf", "\xe2\x80\xaf");           /* U+202F, a visible space */
}

/* Valid UTF-8 that would act on the terminal or reorder text. */
static void
test_sanitize_hidden_controls(void **state)
{
	static const uint32_t bidi[] = {
		0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d,
		0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff,
	};
	char in[4], want[16];
	size_t i;
	uint32_t c;

	(void)state;
	for (c = 0x80; c <= 0x9f; c++) {
		in[0] = (char)(0xc0 | (c >> 6));
		in[1] = (char)(0x80 | (c & 0x3f));
		snprintf(want, sizeof(want), "\\u{%X}", (unsigned)c);
		check_san(in, 2, want);
	}
	for (i = 0; i < sizeof(bidi) / sizeof(bidi[0]); i++) {
		c = bidi[i];
		if (c < 0x800) {
			in[0] = (char)(0xc0 | (c >> 6));
			in[1] = (char)(0x80 | (c & 0x3f));
			snprintf(want, sizeof(want), "\\u{%X}", (unsigned)c);
			check_san(in, 2, want);
		} else {
			in[0] = (char)(0xe0 | (c >> 12));
			in[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			in[2] = (char)(0x80 | (c & 0x3f));
			snprintf(want, sizeof(want), "\\u{%X}", (unsigned)c);
			check_san(in, 3, want);
		}
	}
	SAN("abc\xe2\x80\xae" "cba", "abc\\u{202E}cba");
}

static void
test_sanitize_invalid_utf8(void **state)
{
	(void)state;
	SAN("\x80", "\\x80");                             /* lone continuation */
	SAN("a\xbf" "b", "a\\xBFb");
	SAN("\xe2\x82", "\\xE2\\x82");                    /* truncated at end */
	SAN("\xe2\x82" "A", "\\xE2\\x82A");               /* truncated inside */
	SAN("\xf0\x9f\x98", "\\xF0\\x9F\\x98");
	SAN("\xc3", "\\xC3");
	SAN("\xc0\x80", "\\xC0\\x80");                    /* overlong NUL */
	SAN("\xc1\xbf", "\\xC1\\xBF");
	SAN("\xe0\x80\xaf", "\\xE0\\x80\\xAF");           /* overlong '/' */
	SAN("\xf0\x80\x80\xaf", "\\xF0\\x80\\x80\\xAF");
	SAN("\xed\xa0\x80", "\\xED\\xA0\\x80");           /* surrogate */
	SAN("\xed\xbf\xbf", "\\xED\\xBF\\xBF");
	SAN("\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80");  /* > U+10FFFF */
	SAN("\xf5\x80\x80\x80", "\\xF5\\x80\\x80\\x80");
	SAN("\xf8\x88\x80\x80\x80", "\\xF8\\x88\\x80\\x80\\x80");
	SAN("\xfe\xff", "\\xFE\\xFF");
	/* A bad lead byte does not swallow the good character after it. */
	SAN("\xe2\xc3\xa9", "\\xE2\xc3\xa9");
}

/* A full buffer is reported. */
static void
test_sanitize_full(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 4);
	assert_int_equal(sanitize_append(&out, "abcd", 4), 0);
	assert_int_equal(sanitize_append(&out, "e", 1), -1);
	buf_free(&out);
	buf_init(&out, 3);
	assert_int_equal(sanitize_append(&out, "\x01", 1), -1);
	buf_free(&out);
}

/* Append the UTF-8 form of c. */
static void
put_utf8(struct buf *b, uint32_t c)
{
	if (c < 0x80) {
		buf_addch(b, (char)c);
	} else if (c < 0x800) {
		buf_addch(b, (char)(0xc0 | (c >> 6)));
		buf_addch(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_addch(b, (char)(0xe0 | (c >> 12)));
		buf_addch(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_addch(b, (char)(0x80 | (c & 0x3f)));
	} else {
		buf_addch(b, (char)(0xf0 | (c >> 18)));
		buf_addch(b, (char)(0x80 | ((c >> 12) & 0x3f)));
		buf_addch(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_addch(b, (char)(0x80 | (c & 0x3f)));
	}
}

/*
 * Undo the escapes; -1 on an escape sanitize never writes.  Checks that
 * the escaping is unambiguous: unescaping gives back the input.
 */
static int
unescape(const char *s, size_t n, struct buf *out)
{
	size_t i = 0;
	unsigned v;
	int k;

	while (i < n) {
		if (s[i] != '\\') {
			buf_addch(out, s[i++]);
			continue;
		}
		if (i + 1 >= n)
			return -1;
		switch (s[i + 1]) {
		case '\\': buf_addch(out, '\\'); i += 2; break;
		case 'r': buf_addch(out, '\r'); i += 2; break;
		case 'n': buf_addch(out, '\n'); i += 2; break;
		case 't': buf_addch(out, '\t'); i += 2; break;
		case 'e': buf_addch(out, 0x1b); i += 2; break;
		case 'x':
			if (i + 4 > n || sscanf(s + i + 2, "%2x", &v) != 1)
				return -1;
			buf_addch(out, (char)v);
			i += 4;
			break;
		case 'u':
			if (i + 3 > n || s[i + 2] != '{' ||
			    sscanf(s + i + 3, "%x%n", &v, &k) != 1 ||
			    s[i + 3 + (size_t)k] != '}')
				return -1;
			put_utf8(out, v);
			i += 3 + (size_t)k + 1;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* Decode one UTF-8 sequence or return 0; the checker's own decoder. */
static size_t
dec(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c < 0xe000))
		return 0;
	*cp = c;
	return len;
}

static int
is_hidden(uint32_t c)
{
	return (c >= 0x80 && c < 0xa0) || c == 0x61c || c == 0x200e ||
	    c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

/* Random bytes, random UTF-8 and hostile code points, all made safe. */
static void
test_sanitize_random(void **state)
{
	static const uint32_t cps[] = {
		0x1b, 0x0d, 0x0a, 0x5c, 0x7f, 0x85, 0x9b, 0xe9, 0x61c, 0x200e,
		0x202e, 0x2067, 0xfeff, 0x4e2d, 0x1f600, 0x10ffff, 0x41,
	};
	struct buf in, out, back;
	size_t i, len, k;
	uint32_t cp;
	int iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		buf_init(&in, 4096);
		buf_init(&out, 65536);
		buf_init(&back, 4096);
		len = test_rand(&rng) % 64;
		for (i = 0; i < len; i++) {
			if (test_rand(&rng) % 2)
				buf_addch(&in, (char)(test_rand(&rng) & 0xff));
			else
				put_utf8(&in, cps[test_rand(&rng) %
				    (sizeof(cps) / sizeof(cps[0]))]);
		}
		assert_int_equal(sanitize_append(&out, buf_str(&in), in.len),
		    0);
		for (i = 0; i < out.len; i += k) {
			const unsigned char *u =
			    (const unsigned char *)out.data + i;

			if (*u < 0x20 || *u == 0x7f)
				fail_msg("seed %#x iter %d: byte %02X in '%s' "
				    "from '%s'", SEED, iter, *u,
				    test_vis(out.data, out.len),
				    test_vis(in.data, in.len));
			k = dec(u, out.len - i, &cp);
			if (k == 0 || is_hidden(cp))
				fail_msg("seed %#x iter %d: bad or hidden "
				    "character at %zu in '%s' from '%s'", SEED,
				    iter, i, test_vis(out.data, out.len),
				    test_vis(in.data, in.len));
		}
		if (unescape(buf_str(&out), out.len, &back) < 0 ||
		    back.len != in.len ||
		    (in.len > 0 && memcmp(back.data, in.data, in.len) != 0))
			fail_msg("seed %#x iter %d: '%s' does not unescape to "
			    "'%s'", SEED, iter, test_vis(out.data, out.len),
			    test_vis(in.data, in.len));
		buf_free(&in);
		buf_free(&out);
		buf_free(&back);
	}
}

/* ---- transcript -------------------------------------------------------- */

struct rec_event {
	enum tr_kind kind;
	unsigned flags;
	unsigned conn;
	int64_t t_us, wall_us, latency_us;
	char text[128];
	size_t len;
};

/* A writer that keeps copies of what it is given. */
struct recorder {
	struct rec_event ev[64];
	size_t n;
};

static void
record(void *arg, const struct tr_event *ev)
{
	struct recorder *r = arg;
	struct rec_event *e;

	assert_true(r->n < sizeof(r->ev) / sizeof(r->ev[0]));
	e = &r->ev[r->n++];
	e->kind = ev->kind;
	e->flags = ev->flags;
	e->conn = ev->conn;
	e->t_us = ev->t_us;
	e->wall_us = ev->wall_us;
	e->latency_us = ev->latency_us;
	assert_true(ev->len < sizeof(e->text));
	memcpy(e->text, ev->text, ev->len);
	e->text[ev->len] = '\0';
	e->len = ev->len;
}

static void
emit_str(struct transcript *t, enum tr_kind kind, unsigned flags,
    const char *s)
{
	transcript_emit(t, kind, flags, s, strlen(s));
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* A writer that leaves after its first event, from inside the callback. */
struct leaver {
	struct transcript *t;
	int n;
};

static void
leave(void *arg, const struct tr_event *ev)
{
	struct leaver *l = arg;

	(void)ev;
	l->n++;
	transcript_unsubscribe(l->t, leave, l);
}

static void
test_unsubscribe_inside_writer(void **state)
{
	struct transcript *t;
	struct leaver l;
	struct recorder a = { .n = 0 }, b = { .n = 0 };

	(void)state;
	t = transcript_new(0);
	assert_non_null(t);
	l.t = t;
	l.n = 0;
	assert_int_equal(transcript_subscribe(t, leave, &l), 0);
	assert_int_equal(transcript_subscribe(t, record, &a), 0);
	assert_int_equal(transcript_subscribe(t, record, &b), 0);
	emit_str(t, TR_INFO, 0, "one");
	/* The writer after the one that left still saw the event. */
	assert_int_equal(l.n, 1);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 1);
	emit_str(t, TR_INFO, 0, "two");
	assert_int_equal(l.n, 1);
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 2);
	transcript_free(t);
}

static void
test_fanout_and_unsubscribe(void **state)
{
	struct transcript *t;
	struct recorder a = { .n = 0 }, b = { .n = 0 };
	struct recorder many[8];
	int i;

	(void)state;
	t = transcript_new(16);
	assert_non_null(t);
	assert_int_equal(transcript_subscribe(t, record, &a), 0);
	assert_int_equal(transcript_subscribe(t, record, &b), 0);
	emit_str(t, TR_CONNECT, 0, "connecting");
	emit_str(t, TR_CLIENT, TR_F_TLS, "EHLO x");
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.ev[1].text, "EHLO x");
	assert_int_equal(b.ev[1].kind, TR_CLIENT);
	assert_int_equal(b.ev[1].flags, TR_F_TLS);

	transcript_unsubscribe(t, record, &a);
	/* Not subscribed: nothing happens. */
	transcript_unsubscribe(t, record, &many[0]);
	emit_str(t, TR_SERVER, 0, "250 ok");
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 3);
	transcript_unsubscribe(t, record, &b);
	emit_str(t, TR_INFO, 0, "x");
	assert_int_equal(b.n, 3);

	/* At most eight writers. */
	for (i = 0; i < 8; i++) {
		many[i].n = 0;
		assert_int_equal(transcript_subscribe(t, record, &many[i]), 0);
	}
	assert_int_equal(transcript_subscribe(t, record, &a), -1);
	emit_str(t, TR_WARN, 0, "w");
	for (i = 0; i < 8; i++)
		assert_int_equal(many[i].n, 1);
	transcript_unsubscribe(t, record, &many[3]);
	assert_int_equal(transcript_subscribe(t, record, &a), 0);
	emit_str(t, TR_ERROR, 0, "e");
	assert_int_equal(many[3].n, 1);
	assert_int_equal(many[7].n, 2);
	assert_int_equal(a.n, 3);
	transcript_free(t);
}

static void
test_ring_bounded(void **state)
{
	struct transcript *t;
	const struct tr_event *ev;
	char text[32];
	int i;

	(void)state;
	t = transcript_new(3);
	assert_non_null(t);
	assert_int_equal(transcript_count(t), 0);
	assert_null(transcript_get(t, 0));
	for (i = 0; i < 7; i++) {
		snprintf(text, sizeof(text), "line %d", i);
		emit_str(t, TR_INFO, 0, text);
		/* The ring keeps a copy, not the caller's pointer. */
		memset(text, 'X', sizeof(text) - 1);
		assert_int_equal(transcript_count(t), i < 3 ? i + 1 : 3);
	}
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "line %d", i + 4);
		ev = transcript_get(t, (size_t)i);
		assert_non_null(ev);
		assert_int_equal(ev->len, strlen(text));
		assert_memory_equal(ev->text, text, ev->len);
	}
	assert_null(transcript_get(t, 3));
	transcript_free(t);

	/* No history at all. */
	t = transcript_new(0);
	assert_non_null(t);
	emit_str(t, TR_INFO, 0, "gone");
	assert_int_equal(transcript_count(t), 0);
	assert_null(transcript_get(t, 0));
	transcript_free(t);
}

/* Message data goes to writers but never into the history. */
static void
test_ring_skips_data(void **state)
{
	struct transcript *t;
	struct recorder r = { .n = 0 };

	(void)state;
	t = transcript_new(8);
	assert_non_null(t);
	assert_int_equal(transcript_subscribe(t, record, &r), 0);
	emit_str(t, TR_CLIENT, 0, "DATA");
	emit_str(t, TR_DATA, 0, "Subject: secret\r\n\r\nbody\r\n");
	emit_str(t, TR_DATA, 0, ".\r\n");
	transcript_emitf(t, TR_INFO, 0, "sent %d bytes", 30);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.ev[1].kind, TR_DATA);
	assert_int_equal(transcript_count(t), 2);
	assert_int_equal(transcript_get(t, 0)->kind, TR_CLIENT);
	assert_int_equal(transcript_get(t, 1)->kind, TR_INFO);
	assert_string_equal(transcript_get(t, 1)->text, "sent 30 bytes");
	transcript_free(t);
}

static void
test_latency_and_time(void **state)
{
	struct transcript *t;
	struct recorder r = { .n = 0 };
	size_t i;

	(void)state;
	t = transcript_new(8);
	assert_non_null(t);
	assert_int_equal(transcript_subscribe(t, record, &r), 0);
	emit_str(t, TR_SERVER, 0, "220 hello");     /* nothing sent yet */
	emit_str(t, TR_CLIENT, 0, "EHLO x");
	sleep_ms(3);
	emit_str(t, TR_SERVER, 0, "250-x");
	emit_str(t, TR_SERVER, 0, "250 ok");
	emit_str(t, TR_INFO, 0, "caps");
	emit_str(t, TR_DATA, 0, "x\r\n.\r\n");
	sleep_ms(2);
	emit_str(t, TR_SERVER, 0, "250 queued");
	assert_int_equal(r.n, 7);
	assert_int_equal(r.ev[0].latency_us, -1);
	assert_int_equal(r.ev[1].latency_us, -1);
	assert_true(r.ev[2].latency_us >= 3000);
	assert_true(r.ev[3].latency_us >= r.ev[2].latency_us);
	assert_int_equal(r.ev[4].latency_us, -1);
	assert_int_equal(r.ev[5].latency_us, -1);
	assert_true(r.ev[6].latency_us >= 2000);
	assert_true(r.ev[6].latency_us < r.ev[6].t_us - r.ev[1].t_us);
	for (i = 0; i < r.n; i++) {
		assert_true(r.ev[i].t_us >= 0);
		if (i > 0)
			assert_true(r.ev[i].t_us >= r.ev[i - 1].t_us);
	}
	/* The history has the same stamps. */
	assert_int_equal(transcript_get(t, 2)->latency_us, r.ev[2].latency_us);
	transcript_free(t);
}

/*
 * A second connection on one transcript: its stamps count from its own
 * start, and its greeting's latency from its connect, not from the
 * previous connection's QUIT.
 */
static void
test_second_connection(void **state)
{
	struct transcript *t;
	struct recorder r = { .n = 0 };
	struct timespec now;
	int64_t wall;

	(void)state;
	t = transcript_new(8);
	assert_non_null(t);
	assert_int_equal(transcript_conn(t), 0);
	assert_int_equal(transcript_subscribe(t, record, &r), 0);
	emit_str(t, TR_INFO, 0, "before");
	transcript_begin(t);
	assert_int_equal(transcript_conn(t), 1);
	transcript_connected(t);
	emit_str(t, TR_SERVER, 0, "220 one");
	emit_str(t, TR_CLIENT, 0, "QUIT");
	emit_str(t, TR_SERVER, 0, "221 bye");
	sleep_ms(60);
	transcript_begin(t);
	emit_str(t, TR_CONNECT, 0, "connecting");
	sleep_ms(5);
	transcript_connected(t);
	sleep_ms(2);
	emit_str(t, TR_SERVER, 0, "220 two");
	assert_int_equal(r.n, 6);
	assert_int_equal(r.ev[0].conn, 0);
	assert_int_equal(r.ev[1].conn, 1);
	assert_int_equal(r.ev[3].conn, 1);
	assert_int_equal(r.ev[4].conn, 2);
	assert_int_equal(r.ev[5].conn, 2);
	/* The first greeting has a latency too: from the connect. */
	assert_true(r.ev[1].latency_us >= 0);
	/* Times restart: the second greeting is 7 ms in, not 67. */
	assert_true(r.ev[4].t_us < 5000);
	assert_true(r.ev[5].t_us >= 7000 && r.ev[5].t_us < 60000);
	assert_true(r.ev[5].latency_us >= 2000);
	assert_true(r.ev[5].latency_us < 5000 + r.ev[4].t_us);
	/* The wall clock dates every event and never goes back here. */
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &now), 0);
	wall = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
	assert_true(r.ev[0].wall_us > wall - 10 * 1000000);
	assert_true(r.ev[0].wall_us <= wall);
	assert_true(r.ev[5].wall_us - r.ev[3].wall_us >= 60000);
	/* The history keeps the serials. */
	assert_int_equal(transcript_get(t, 0)->conn, 0);
	assert_int_equal(transcript_get(t, 5)->conn, 2);
	assert_int_equal(transcript_get(t, 5)->t_us, r.ev[5].t_us);
	transcript_begin(NULL);
	transcript_connected(NULL);
	assert_int_equal(transcript_conn(NULL), 0);
	transcript_free(t);
}

static void
test_null_transcript(void **state)
{
	(void)state;
	transcript_emit(NULL, TR_INFO, 0, "x", 1);
	transcript_emitf(NULL, TR_INFO, 0, "%s", "x");
	transcript_free(NULL);
}

/* Format a hand-made event and compare the whole line. */
static void
check_fmt(enum tr_kind kind, unsigned flags, int64_t t_us, int64_t lat,
    const char *text, size_t len, const char *want)
{
	struct tr_event ev;
	struct buf out;

	ev.kind = kind;
	ev.flags = flags;
	ev.t_us = t_us;
	ev.latency_us = lat;
	ev.text = text;
	ev.len = len;
	buf_init(&out, 4096);
	assert_int_equal(transcript_format(&ev, &out), 0);
	if (strcmp(buf_str(&out), want) != 0)
		fail_msg("format: got '%s', want '%s'",
		    test_vis(buf_str(&out), out.len), test_vis(want, strlen(want)));
	buf_free(&out);
}

#define FMT(k, f, t, l, s, want) check_fmt(k, f, t, l, s, strlen(s), want)

static void
test_format(void **state)
{
	(void)state;
	FMT(TR_CLIENT, 0, 0, -1, "EHLO x", "[  0.000] -> EHLO x");
	FMT(TR_CLIENT, TR_F_TLS, 0, -1, "EHLO x", "[  0.000] ~> EHLO x");
	FMT(TR_SERVER, 0, 0, -1, "220 hi", "[  0.000] <- 220 hi");
	FMT(TR_SERVER, TR_F_TLS, 0, -1, "220 hi", "[  0.000] <~ 220 hi");
	FMT(TR_DATA, 0, 0, -1, "Subject: x", "[  0.000] -> Subject: x");
	FMT(TR_DATA, TR_F_TLS, 0, -1, "x", "[  0.000] ~> x");
	FMT(TR_CONNECT, 0, 0, -1, "connected", "[  0.000] == connected");
	FMT(TR_TLS, TR_F_TLS, 0, -1, "TLSv1.3", "[  0.000] == TLSv1.3");
	FMT(TR_INFO, 0, 0, -1, "note", "[  0.000] == note");
	FMT(TR_WARN, 0, 0, -1, "careful", "[  0.000] !! careful");
	FMT(TR_ERROR, 0, 0, -1, "broke", "[  0.000] ** broke");
	FMT(TR_STATE, 0, 0, -1, "EHLO", "[  0.000] .. EHLO");
	FMT(TR_INFO, 0, 1234567, -1, "t", "[  1.234] == t");
	FMT(TR_INFO, 0, 999, -1, "t", "[  0.000] == t");
	FMT(TR_INFO, 0, 123456789, -1, "t", "[123.456] == t");
	FMT(TR_INFO, 0, 1234567890, -1, "t", "[1234.567] == t");
	FMT(TR_CLIENT, TR_F_REDACTED, 0, -1, "AUTH PLAIN [redacted]",
	    "[  0.000] -> AUTH PLAIN [redacted]");
	assert_string_equal(transcript_marker(TR_CLIENT, 0), "->");
	assert_string_equal(transcript_marker(TR_SERVER, TR_F_TLS), "<~");
}

/* The wait for a reply shows on its last line only. */
static void
test_format_latency(void **state)
{
	(void)state;
	FMT(TR_SERVER, 0, 0, 12345, "250 ok", "[  0.000] <- 250 ok  (12.3 ms)");
	FMT(TR_SERVER, 0, 0, 12345, "250-x", "[  0.000] <- 250-x");
	FMT(TR_SERVER, 0, 0, 12345, "250", "[  0.000] <- 250  (12.3 ms)");
	FMT(TR_SERVER, TR_F_TLS, 2000000, 999, "354 go",
	    "[  2.000] <~ 354 go  (0.9 ms)");
	FMT(TR_SERVER, 0, 0, 1500000, "221 bye",
	    "[  0.000] <- 221 bye  (1500.0 ms)");
	FMT(TR_SERVER, 0, 0, -1, "250 ok", "[  0.000] <- 250 ok");
	FMT(TR_CLIENT, 0, 0, 12345, "250 ok", "[  0.000] -> 250 ok");
}

static void
test_format_escapes(void **state)
{
	(void)state;
	FMT(TR_SERVER, 0, 0, -1, "250 \x1b[31mred\r",
	    "[  0.000] <- 250 \\e[31mred\\r");
	FMT(TR_SERVER, 0, 0, 5000, "250 a\xe2\x80\xae" "b",
	    "[  0.000] <- 250 a\\u{202E}b  (5.0 ms)");
	FMT(TR_ERROR, 0, 0, -1, "bad\nline\x7f\\",
	    "[  0.000] ** bad\\nline\\x7F\\\\");
	check_fmt(TR_SERVER, 0, 0, -1, "250 a\0b", 7,
	    "[  0.000] <- 250 a\\x00b");
}

/* Read everything written to fp so far, as one string. */
static char *
slurp(FILE *fp)
{
	static char text[8192];
	size_t n;

	assert_int_equal(fflush(fp), 0);
	rewind(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	return text;
}

/*
 * Drop the "[  0.000] " stamps, which depend on the clock: each line
 * must start with one.
 */
static void
strip_stamps(char *s)
{
	char *o = s, *p = s;

	while (*p != '\0') {
		char *close = strchr(p, ']');

		if (*p != '[' || close == NULL || close[1] != ' ')
			fail_msg("line without a stamp: '%s'", p);
		p = close + 2;
		while (*p != '\0' && *p != '\n')
			*o++ = *p++;
		if (*p == '\n')
			*o++ = *p++;
	}
	*o = '\0';
}

static void
test_file_writer(void **state)
{
	struct transcript *t;
	struct tr_file_writer w;
	FILE *fp;
	char *text;

	(void)state;
	t = transcript_new(8);
	assert_non_null(t);
	fp = tmpfile();
	assert_non_null(fp);
	tr_file_writer_init(&w, fp, 0);
	assert_int_equal(transcript_subscribe(t, tr_file_writer, &w), 0);
	/* No final reply line after a command: no clock-dependent latency. */
	emit_str(t, TR_SERVER, 0, "220 hi");
	emit_str(t, TR_STATE, 0, "DATA");
	emit_str(t, TR_CLIENT, 0, "DATA");
	emit_str(t, TR_SERVER, 0, "354-go");
	emit_str(t, TR_DATA, 0, "Subject: hidden\r\n\r\nbody\r\n.\r\n");
	emit_str(t, TR_SERVER, 0, "250-one\x1b");
	emit_str(t, TR_WARN, 0, "w");
	text = slurp(fp);
	strip_stamps(text);
	assert_string_equal(text,
	    "<- 220 hi\n"
	    "-> DATA\n"
	    "<- 354-go\n"
	    "<- 250-one\\e\n"
	    "!! w\n");
	tr_file_writer_fini(&w);
	transcript_free(t);
	fclose(fp);
}

/* Data lines are put together across chunks; the CR goes. */
static void
test_file_writer_data(void **state)
{
	struct transcript *t;
	struct tr_file_writer w;
	FILE *fp;
	char *text;

	(void)state;
	t = transcript_new(8);
	assert_non_null(t);
	fp = tmpfile();
	assert_non_null(fp);
	tr_file_writer_init(&w, fp, 1);
	w.show_state = 1;
	assert_int_equal(transcript_subscribe(t, tr_file_writer, &w), 0);
	emit_str(t, TR_STATE, 0, "DATA");
	emit_str(t, TR_DATA, TR_F_TLS, "Subj");
	emit_str(t, TR_DATA, TR_F_TLS, "ect: hi\r");
	emit_str(t, TR_DATA, TR_F_TLS, "\n\r\nbo");
	emit_str(t, TR_DATA, TR_F_TLS, "dy\r");
	emit_str(t, TR_DATA, TR_F_TLS, "\n");
	emit_str(t, TR_DATA, TR_F_TLS, "..dot\tx\r\n.\r\n");
	emit_str(t, TR_STATE, 0, "END");
	text = slurp(fp);
	strip_stamps(text);
	assert_string_equal(text,
	    ".. DATA\n"
	    "~> Subject: hi\n"
	    "~> \n"
	    "~> body\n"
	    "~> ..dot\\tx\n"
	    "~> .\n"
	    ".. END\n");
	tr_file_writer_fini(&w);
	transcript_free(t);
	fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_c0_del_backslash),
		cmocka_unit_test(test_sanitize_printable),
		cmocka_unit_test(test_sanitize_utf8),
		cmocka_unit_test(test_sanitize_hidden_controls),
		cmocka_unit_test(test_sanitize_invalid_utf8),
		cmocka_unit_test(test_sanitize_full),
		cmocka_unit_test(test_sanitize_random),
		cmocka_unit_test(test_fanout_and_unsubscribe),
		cmocka_unit_test(test_unsubscribe_inside_writer),
		cmocka_unit_test(test_ring_bounded),
		cmocka_unit_test(test_ring_skips_data),
		cmocka_unit_test(test_latency_and_time),
		cmocka_unit_test(test_second_connection),
		cmocka_unit_test(test_null_transcript),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_latency),
		cmocka_unit_test(test_format_escapes),
		cmocka_unit_test(test_file_writer),
		cmocka_unit_test(test_file_writer_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
