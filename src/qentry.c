/* qentry.c - write and read the envelope and delivery state of a queued message. */
/* SPDX-License-Identifier: ISC */
#include "qentry.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "i18n.h"
#include "util.h"

/* The first line; a new format gets a new number here. */
#define QE_MAGIC "pigeon-queue 1\n"
#define QE_MAGIC_LEN (sizeof QE_MAGIC - 1)
#define QE_MAGIC_WORD "pigeon-queue "
#define QE_END "end"

/* Retry schedule, in seconds. */
#define QE_BACKOFF_FIRST 300
#define QE_BACKOFF_MAX (4 * 3600)

/* How much of a bad value an error message quotes. */
#define QE_SHOWN_MAX 40

#define QE_CODE_MAX 999

enum qe_kind {
	QE_TEXT,	/* an optional escaped string */
	QE_RCPT,	/* "rcpt STATE CODE ADDRESS" */
	QE_RCPT_REPLY,	/* the reply text of the rcpt line before */
	QE_FLAG,	/* 0 or 1, in an int */
	QE_STATE,	/* enum qentry_state */
	QE_TIME,	/* int64_t, sign allowed (times, sizes) */
	QE_TIME0,	/* the same, its line left out when it is 0 */
	QE_COUNT,	/* unsigned */
};

/* The keys, in the order they are written. */
static const struct qe_key {
	const char *name;
	enum qe_kind kind;
	size_t off;	/* of the field in struct qentry */
} qe_keys[] = {
	{ "id",         QE_TEXT,       offsetof(struct qentry, id) },
	{ "account",    QE_TEXT,       offsetof(struct qentry, account) },
	{ "server",     QE_TEXT,       offsetof(struct qentry, server) },
	{ "from",       QE_TEXT,       offsetof(struct qentry, from) },
	{ "rcpt",       QE_RCPT,       0 },
	{ "rcpt-reply", QE_RCPT_REPLY, 0 },
	{ "dsn-notify", QE_TEXT,       offsetof(struct qentry, dsn_notify) },
	{ "dsn-ret",    QE_TEXT,       offsetof(struct qentry, dsn_ret) },
	{ "dsn-envid",  QE_TEXT,       offsetof(struct qentry, dsn_envid) },
	{ "eightbit",   QE_FLAG,       offsetof(struct qentry, eightbit) },
	{ "as-given",   QE_FLAG,       offsetof(struct qentry, as_given) },
	{ "size",       QE_TIME,       offsetof(struct qentry, size) },
	{ "chunking",   QE_FLAG,       offsetof(struct qentry, chunking) },
	{ "state",      QE_STATE,      offsetof(struct qentry, state) },
	{ "created",    QE_TIME,       offsetof(struct qentry, created) },
	{ "next-try",   QE_TIME,       offsetof(struct qentry, next_try) },
	{ "not-before", QE_TIME0,      offsetof(struct qentry, not_before) },
	{ "attempts",   QE_COUNT,      offsetof(struct qentry, attempts) },
	{ "uncertain",  QE_FLAG,       offsetof(struct qentry, uncertain) },
	{ "last-error", QE_TEXT,       offsetof(struct qentry, last_error) },
	{ "queue-id",   QE_TEXT,       offsetof(struct qentry, queue_id) },
};

#define QE_NKEYS (sizeof qe_keys / sizeof qe_keys[0])

/* Indexed by enum qentry_state and enum qrcpt_state. */
static const char *const qe_states[] = { "queued", "failed", "sent" };
static const char *const qe_rcpt_states[] = { "pending", "done", "failed" };

#define QE_NSTATES (sizeof qe_states / sizeof qe_states[0])
#define QE_NRCPT_STATES (sizeof qe_rcpt_states / sizeof qe_rcpt_states[0])

struct qe_parser {
	struct qentry *e;
	char **errstr;
	unsigned long line;		/* the line being read, from 1 */
	unsigned long seen[QE_NKEYS];	/* the line each key was on */
	unsigned long rcpt_line;	/* the line of the last rcpt */
	size_t cap;			/* of e->rcpts */
};

/* The field of e a key stands for. */
#define QE_FIELD(e, k, type) ((type *)(void *)((char *)(e) + (k)->off))
#define QE_CFIELD(e, k, type) \
	((const type *)(const void *)((const char *)(e) + (k)->off))

void
qentry_init(struct qentry *e)
{
	memset(e, 0, sizeof *e);
}

void
qentry_free(struct qentry *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nrcpts; i++) {
		free(e->rcpts[i].addr);
		free(e->rcpts[i].reply);
	}
	free(e->rcpts);
	free(e->id);
	free(e->account);
	free(e->server);
	free(e->from);
	free(e->dsn_notify);
	free(e->dsn_ret);
	free(e->dsn_envid);
	free(e->last_error);
	free(e->queue_id);
	qentry_init(e);
}

enum err
qentry_add_rcpt(struct qentry *e, const char *addr)
{
	struct qrcpt *v;
	char *copy;

	if (addr == NULL || *addr == '\0')
		return ERR_DATA;
	if (e->nrcpts >= SIZE_MAX / sizeof *v - 1)
		return ERR_NOMEM;
	if ((copy = strdup(addr)) == NULL)
		return ERR_NOMEM;
	v = realloc(e->rcpts, (e->nrcpts + 1) * sizeof *v);
	if (v == NULL) {
		free(copy);
		return ERR_NOMEM;
	}
	e->rcpts = v;
	v[e->nrcpts].addr = copy;
	v[e->nrcpts].state = QRCPT_PENDING;
	v[e->nrcpts].code = 0;
	v[e->nrcpts].reply = NULL;
	e->nrcpts++;
	return ERR_OK;
}

int64_t
qentry_due(const struct qentry *e)
{
	return e->not_before > e->next_try ? e->not_before : e->next_try;
}

int
qentry_held(const struct qentry *e, int64_t now)
{
	return e->not_before > now;
}

size_t
qentry_pending(const struct qentry *e)
{
	size_t i, k = 0;

	for (i = 0; i < e->nrcpts; i++)
		if (e->rcpts[i].state == QRCPT_PENDING)
			k++;
	return k;
}

int64_t
qentry_backoff(unsigned attempts, int64_t now)
{
	int64_t delay = QE_BACKOFF_FIRST;
	uint32_t r;
	unsigned i;

#ifdef PIGEON_TEST_HOOKS
	/* A test build may make every wait this short, to see a retry come due. */
	const char *t = getenv("PIGEON_TEST_BACKOFF");
	char *end;
	long v;

	if (t != NULL && *t != '\0') {
		errno = 0;
		v = strtol(t, &end, 10);
		if (errno == 0 && *end == '\0' && v > 0 && v <= QE_BACKOFF_MAX &&
		    now <= INT64_MAX - v)
			return now + v;
	}
#endif
	/* The loop stops at the cap, long before attempts could overflow it. */
	for (i = 1; i < attempts && delay < QE_BACKOFF_MAX; i++)
		delay *= 2;
	if (delay > QE_BACKOFF_MAX)
		delay = QE_BACKOFF_MAX;
	/* Without randomness the schedule still works, only in lockstep. */
	if (util_random(&r, sizeof r) == 0)
		delay += (int64_t)(r % (uint32_t)(delay / 10 + 1));
	if (now > INT64_MAX - delay)
		return INT64_MAX;
	return now + delay;
}

/*
 * CRC-32 as in IEEE 802.3 and zlib (reflected polynomial 0xedb88320), a
 * byte at a time from a table made at the first call: every envelope is
 * checked when it is read and summed when it is written, several times
 * per message in a flush, and bit by bit that was a sixth of the flush's
 * instructions.
 */
static uint32_t
crc32_of(const char *p, size_t n)
{
	static uint32_t table[256];
	static int ready;
	const unsigned char *s = (const unsigned char *)p;
	uint32_t crc = 0xffffffffu, c;
	int i, bit;

	if (!ready) {
		for (i = 0; i < 256; i++) {
			c = (uint32_t)i;
			for (bit = 0; bit < 8; bit++)
				c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
			table[i] = c;
		}
		ready = 1;
	}
	while (n-- > 0)
		crc = (crc >> 8) ^ table[(crc ^ *s++) & 0xffu];
	return crc ^ 0xffffffffu;
}

/* Write the byte c as \xHH. */
static int
put_hex(struct buf *b, unsigned char c)
{
	static const char digits[] = "0123456789abcdef";
	char esc[4];

	esc[0] = '\\';
	esc[1] = 'x';
	esc[2] = digits[c >> 4];
	esc[3] = digits[c & 0x0f];
	return buf_add(b, esc, sizeof esc);
}

/* Write s escaped so that qe_unescape() gives it back exactly. */
static int
put_escaped(struct buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k, len = strlen(s);
	int r;

	for (i = 0; i < len; i += k) {
		k = 1;
		if (u[i] == '\\')
			r = buf_add(b, "\\\\", 2);
		else if (u[i] == '\n')
			r = buf_add(b, "\\n", 2);
		else if (u[i] < 0x20 || u[i] == 0x7f ||
		    (u[i] == ' ' && (i == 0 || i + 1 == len)))
			/* Blanks at the ends get lost to editors and eyes. */
			r = put_hex(b, u[i]);
		else if (u[i] < 0x80)
			r = buf_addch(b, s[i]);
		else if ((k = charset_utf8_seq(u + i, len - i)) > 0)
			r = buf_add(b, s + i, k);
		else {
			k = 1;
			r = put_hex(b, u[i]);
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

/* "key" for an empty value, else "key VALUE", and the LF. */
static int
put_text(struct buf *b, const char *key, const char *v)
{
	if (buf_addstr(b, key) < 0)
		return -1;
	if (*v != '\0' && (buf_addch(b, ' ') < 0 || put_escaped(b, v) < 0))
		return -1;
	return buf_addch(b, '\n');
}

/* Could qentry_parse() read back what qentry_format() would write for e? */
static int
format_ok(const struct qentry *e)
{
	size_t i;

	if (e->id == NULL || *e->id == '\0' || e->from == NULL ||
	    e->nrcpts == 0 || e->rcpts == NULL ||
	    (unsigned)e->state >= QE_NSTATES)
		return 0;
	for (i = 0; i < e->nrcpts; i++)
		if (e->rcpts[i].addr == NULL || *e->rcpts[i].addr == '\0' ||
		    e->rcpts[i].code < 0 || e->rcpts[i].code > QE_CODE_MAX ||
		    (unsigned)e->rcpts[i].state >= QE_NRCPT_STATES)
			return 0;
	return 1;
}

static int
put_rcpts(struct buf *b, const struct qentry *e)
{
	const struct qrcpt *q;
	size_t i;

	for (i = 0; i < e->nrcpts; i++) {
		q = &e->rcpts[i];
		if (buf_printf(b, "rcpt %s %d ", qe_rcpt_states[q->state],
		    q->code) < 0 || put_escaped(b, q->addr) < 0 ||
		    buf_addch(b, '\n') < 0)
			return -1;
		if (q->reply != NULL && put_text(b, "rcpt-reply", q->reply) < 0)
			return -1;
	}
	return 0;
}

static int
put_key(struct buf *b, const struct qentry *e, const struct qe_key *k)
{
	const char *s;

	switch (k->kind) {
	case QE_TEXT:
		s = *QE_CFIELD(e, k, char *);
		return s == NULL ? 0 : put_text(b, k->name, s);
	case QE_RCPT:
		return put_rcpts(b, e);
	case QE_RCPT_REPLY:
		return 0;
	case QE_FLAG:
		return buf_printf(b, "%s %d\n", k->name,
		    *QE_CFIELD(e, k, int) != 0);
	case QE_STATE:
		return buf_printf(b, "%s %s\n", k->name, qe_states[e->state]);
	case QE_TIME0:
		if (*QE_CFIELD(e, k, int64_t) == 0)
			return 0;
		/* FALLTHROUGH */
	case QE_TIME:
		return buf_printf(b, "%s %lld\n", k->name,
		    (long long)*QE_CFIELD(e, k, int64_t));
	case QE_COUNT:
		return buf_printf(b, "%s %u\n", k->name,
		    *QE_CFIELD(e, k, unsigned));
	}
	return -1;
}

int
qentry_format(const struct qentry *e, struct buf *out)
{
	size_t start = out->len, i;
	int saved;

	if (!format_ok(e)) {
		errno = EINVAL;
		return -1;
	}
	if (buf_addstr(out, QE_MAGIC) < 0)
		goto fail;
	for (i = 0; i < QE_NKEYS; i++)
		if (put_key(out, e, &qe_keys[i]) < 0)
			goto fail;
	if (buf_printf(out, QE_END " %08lx\n", (unsigned long)crc32_of(
	    out->data + start, out->len - start)) < 0)
		goto fail;
	return 0;
fail:
	saved = errno;
	buf_truncate(out, start);
	errno = saved;
	return -1;
}

/* ---- reading ---- */

/* Bytes of s[0..n) to quote: up to QE_SHOWN_MAX, whole UTF-8 characters. */
static int
shown_len(const char *s, size_t n)
{
	if (n <= QE_SHOWN_MAX)
		return (int)n;
	n = QE_SHOWN_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return (int)n;
}

/* Arguments for "%.*s%s": a value quoted in a message, cut when long. */
#define QE_SHOWN(s, n) shown_len((s), (n)), (s), \
	(n) > QE_SHOWN_MAX ? "..." : ""

static enum err
nomem(struct qe_parser *ps)
{
	util_seterr(ps->errstr, "%s", err_str(ERR_NOMEM));
	return ERR_NOMEM;
}

/*
 * Report what is wrong (fmt, already translated) on line `line`, or with
 * no line when it is 0.  Returns ERR_DATA, or ERR_NOMEM.
 */
static enum err __attribute__((format(printf, 3, 4)))
bad(struct qe_parser *ps, unsigned long line, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int r = 0;

	if (ps->errstr == NULL)
		return ERR_DATA;
	buf_init(&b, (size_t)-1 / 2);
	if (line > 0)
		r = buf_printf(&b, _("line %lu: "), line);
	if (r == 0) {
		va_start(ap, fmt);
		r = buf_vprintf(&b, fmt, ap);
		va_end(ap);
	}
	if (r < 0) {
		buf_free(&b);
		return nomem(ps);
	}
	util_seterr(ps->errstr, "%s", buf_str(&b));
	buf_free(&b);
	if (*ps->errstr == NULL)
		return ERR_NOMEM;
	return ERR_DATA;
}

/* The line number of offset off in p. */
static unsigned long
line_at(const char *p, size_t off)
{
	unsigned long line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (p[i] == '\n')
			line++;
	return line;
}

/* Is the line s[0..n) (without its LF) an "end" line, right or wrong? */
static int
is_end_line(const char *s, size_t n)
{
	size_t k = sizeof QE_END - 1;

	return n >= k && memcmp(s, QE_END, k) == 0 && (n == k || s[k] == ' ');
}

static enum err
truncated(struct qe_parser *ps)
{
	return bad(ps, 0, "%s", _("the file ends before its 'end' line "
	    "(truncated?)"));
}

/* Check the first line. */
static enum err
check_magic(struct qe_parser *ps, const char *p, size_t n)
{
	size_t w = sizeof QE_MAGIC_WORD - 1, i;

	if (n >= QE_MAGIC_LEN && memcmp(p, QE_MAGIC, QE_MAGIC_LEN) == 0)
		return ERR_OK;
	if (n < QE_MAGIC_LEN && memcmp(p, QE_MAGIC, n) == 0)
		return truncated(ps);
	/* "pigeon-queue N" with another N: ours, from another version. */
	if (n > w && memcmp(p, QE_MAGIC_WORD, w) == 0) {
		for (i = w; i < n && i < w + 9 && p[i] >= '0' && p[i] <= '9';
		    i++)
			;
		if (i > w && i < n && p[i] == '\n')
			return bad(ps, 1, _("version %.*s of the queue file "
			    "format is not supported (written by a newer "
			    "pigeon?)"), (int)(i - w), p + w);
	}
	return bad(ps, 0, "%s", _("not a pigeon queue file"));
}

/*
 * Check the frame of the file: the first line, no NUL byte, the "end"
 * line last and its checksum.  *body_end is set to where the end line
 * starts.
 */
static enum err
check_frame(struct qe_parser *ps, const char *p, size_t n, size_t *body_end)
{
	const char *nul, *s;
	size_t last, i, k;
	unsigned long want;
	enum err r;

	if ((r = check_magic(ps, p, n)) != ERR_OK)
		return r;
	if ((nul = memchr(p, '\0', n)) != NULL)
		return bad(ps, line_at(p, (size_t)(nul - p)), "%s",
		    _("the file contains a NUL byte"));
	if (p[n - 1] != '\n' || n == QE_MAGIC_LEN)
		return truncated(ps);
	/* The last line starts after the LF before the final one. */
	for (last = n - 1; last > 0 && p[last - 1] != '\n'; last--)
		;
	s = p + last;
	k = n - 1 - last;
	if (!is_end_line(s, k)) {
		/* Lines after an "end" line, or no "end" line at all? */
		for (i = QE_MAGIC_LEN; i < last; i += k + 1) {
			k = (size_t)((const char *)memchr(p + i, '\n',
			    n - i) - (p + i));
			if (is_end_line(p + i, k))
				return bad(ps, line_at(p, i + k + 1), "%s",
				    _("there are lines after the 'end' line"));
		}
		return truncated(ps);
	}
	want = 0;
	for (i = 4; i < k; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			want = want << 4 | (unsigned long)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			want = want << 4 | (unsigned long)(s[i] - 'a' + 10);
		else
			break;
	}
	if (k != 12 || i != k)
		return bad(ps, line_at(p, last), "%s", _("the 'end' line must "
		    "be 'end' and eight lowercase hex digits"));
	if (crc32_of(p, last) != (uint32_t)want)
		return bad(ps, 0, "%s", _("checksum mismatch: the file is "
		    "damaged"));
	*body_end = last;
	return ERR_OK;
}

/* Every byte of the line s[0..n) is printable ASCII or well-formed UTF-8. */
static enum err
check_bytes(struct qe_parser *ps, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k;

	for (i = 0; i < n; i += k) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return bad(ps, ps->line, _("control character 0x%02x "
			    "(write it as \\x%02x)"), u[i], u[i]);
		if ((k = charset_utf8_seq(u + i, n - i)) == 0)
			return bad(ps, ps->line, _("invalid UTF-8 at byte %zu "
			    "of the line"), i + 1);
	}
	return ERR_OK;
}

/* Decode the escaped value s[0..n) of key into a new string *out. */
static enum err
unescape(struct qe_parser *ps, const char *key, const char *s, size_t n,
    char **out)
{
	size_t i, k = 0;
	char *d;
	int hi, lo;

	if ((d = malloc(n + 1)) == NULL)
		return nomem(ps);
	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			d[k++] = s[i];
			continue;
		}
		if (++i == n) {
			free(d);
			return bad(ps, ps->line, _("the value of '%s' ends "
			    "in a lone backslash"), key);
		}
		if (s[i] == '\\')
			d[k++] = '\\';
		else if (s[i] == 'n')
			d[k++] = '\n';
		else if (s[i] == 'x' && n - i > 2 &&
		    (hi = util_hexval(s[i + 1])) >= 0 &&
		    (lo = util_hexval(s[i + 2])) >= 0) {
			if (hi == 0 && lo == 0) {
				free(d);
				return bad(ps, ps->line, _("the value of '%s' "
				    "holds \\x00, a NUL byte"), key);
			}
			d[k++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			free(d);
			return bad(ps, ps->line, _("bad escape sequence in "
			    "the value of '%s': use \\\\, \\n or \\xHH"),
			    key);
		}
	}
	d[k] = '\0';
	*out = d;
	return ERR_OK;
}

/*
 * The digits s[0..n) as a number of at most max.  0; -1: not digits;
 * -2: too big.
 */
static int
digits_val(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;
	unsigned d;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	for (i = 0; i < n; i++) {
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Read an unsigned number of at most max for key from s[0..n). */
static enum err
get_count(struct qe_parser *ps, const char *key, const char *s, size_t n,
    uint64_t max, uint64_t *out)
{
	switch (digits_val(s, n, max, out)) {
	case 0:
		return ERR_OK;
	case -2:
		return bad(ps, ps->line, _("'%s' is out of range (at most "
		    "%llu): %.*s%s"), key, (unsigned long long)max,
		    QE_SHOWN(s, n));
	}
	if (n > 1 && s[0] == '-' && digits_val(s + 1, n - 1, UINT64_MAX,
	    out) != -1)
		return bad(ps, ps->line, _("'%s' cannot be negative: %.*s%s"),
		    key, QE_SHOWN(s, n));
	return bad(ps, ps->line, _("'%s' must be a whole number, not "
	    "'%.*s%s'"), key, QE_SHOWN(s, n));
}

/* Read a signed 64-bit number for key from s[0..n). */
static enum err
get_time(struct qe_parser *ps, const char *key, const char *s, size_t n,
    int64_t *out)
{
	uint64_t mag;
	int neg = n > 0 && s[0] == '-';
	int r;

	r = digits_val(s + neg, n - (size_t)neg, (uint64_t)INT64_MAX +
	    (uint64_t)neg, &mag);
	if (r == -1)
		return bad(ps, ps->line, _("'%s' must be a whole number, not "
		    "'%.*s%s'"), key, QE_SHOWN(s, n));
	if (r == -2)
		return bad(ps, ps->line, _("'%s' is out of range: %.*s%s"),
		    key, QE_SHOWN(s, n));
	if (!neg)
		*out = (int64_t)mag;
	else if (mag == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)mag;
	return ERR_OK;
}

/* The index of s[0..n) in the table v of m words, or -1. */
static int
word_index(const char *const *v, size_t m, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < m; i++)
		if (strlen(v[i]) == n && memcmp(v[i], s, n) == 0)
			return (int)i;
	return -1;
}

/* "rcpt STATE CODE ADDRESS", the part after "rcpt " in s[0..n). */
static enum err
get_rcpt(struct qe_parser *ps, const char *s, size_t n)
{
	struct qentry *e = ps->e;
	struct qrcpt *q;
	const char *sp1, *sp2, *end = s + n;
	uint64_t code;
	size_t cap;
	enum err r;
	int st;

	sp1 = memchr(s, ' ', n);
	sp2 = sp1 == NULL ? NULL : memchr(sp1 + 1, ' ', (size_t)(end -
	    sp1 - 1));
	if (sp2 == NULL)
		return bad(ps, ps->line, "%s", _("expected 'rcpt STATE CODE "
		    "ADDRESS'"));
	st = word_index(qe_rcpt_states, QE_NRCPT_STATES, s, (size_t)(sp1 -
	    s));
	if (st < 0)
		return bad(ps, ps->line, _("unknown recipient state "
		    "'%.*s%s'"), QE_SHOWN(s, (size_t)(sp1 - s)));
	if ((r = get_count(ps, _("reply code"), sp1 + 1, (size_t)(sp2 - sp1 -
	    1), QE_CODE_MAX, &code)) != ERR_OK)
		return r;
	if (sp2 + 1 == end)
		return bad(ps, ps->line, "%s", _("the recipient address is "
		    "missing"));

	if (e->nrcpts == ps->cap) {
		if (ps->cap > SIZE_MAX / 2 / sizeof *q)
			return nomem(ps);
		cap = ps->cap == 0 ? 8 : ps->cap * 2;
		if ((q = realloc(e->rcpts, cap * sizeof *q)) == NULL)
			return nomem(ps);
		e->rcpts = q;
		ps->cap = cap;
	}
	q = &e->rcpts[e->nrcpts];
	q->state = (enum qrcpt_state)st;
	q->code = (int)code;
	q->reply = NULL;
	if ((r = unescape(ps, "rcpt", sp2 + 1, (size_t)(end - sp2 - 1),
	    &q->addr)) != ERR_OK)
		return r;
	e->nrcpts++;
	ps->rcpt_line = ps->line;
	return ERR_OK;
}

/* One line of the body, s[0..n) without its LF. */
static enum err
parse_line(struct qe_parser *ps, const char *s, size_t n)
{
	struct qentry *e = ps->e;
	const struct qe_key *k = NULL;
	const char *v, *sp;
	size_t kn, vn, i;
	uint64_t u;
	enum err r;
	char **sf;
	int st;

	if ((r = check_bytes(ps, s, n)) != ERR_OK)
		return r;
	sp = memchr(s, ' ', n);
	kn = sp == NULL ? n : (size_t)(sp - s);
	v = sp == NULL ? s + n : sp + 1;
	vn = (size_t)(s + n - v);
	for (i = 0; i < QE_NKEYS; i++)
		if (strlen(qe_keys[i].name) == kn &&
		    memcmp(qe_keys[i].name, s, kn) == 0)
			k = &qe_keys[i];
	if (k == NULL) {
		if (is_end_line(s, n))
			return bad(ps, ps->line + 1, "%s", _("there are "
			    "lines after the 'end' line"));
		for (i = 0; i < kn; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-' ||
			    (s[i] >= '0' && s[i] <= '9')))
				break;
		if (kn == 0 || i < kn || kn > 32)
			return bad(ps, ps->line, "%s", _("expected a "
			    "'key value' line"));
		return bad(ps, ps->line, _("unknown key '%.*s': the file was "
		    "written by a newer pigeon, or is not a queue file"),
		    (int)kn, s);
	}

	i = (size_t)(k - qe_keys);
	if (k->kind != QE_RCPT && k->kind != QE_RCPT_REPLY) {
		if (ps->seen[i] != 0)
			return bad(ps, ps->line, _("'%s' is given twice (first "
			    "on line %lu)"), k->name, ps->seen[i]);
		ps->seen[i] = ps->line;
	}

	switch (k->kind) {
	case QE_TEXT:
		sf = QE_FIELD(e, k, char *);
		if ((r = unescape(ps, k->name, v, vn, sf)) != ERR_OK)
			return r;
		if (sf == &e->id && **sf == '\0')
			return bad(ps, ps->line, "%s", _("the id is empty"));
		return ERR_OK;
	case QE_RCPT:
		return get_rcpt(ps, v, vn);
	case QE_RCPT_REPLY:
		if (ps->rcpt_line == 0 || e->nrcpts == 0)
			return bad(ps, ps->line, "%s", _("'rcpt-reply' must "
			    "follow a 'rcpt' line"));
		if (ps->rcpt_line + 1 != ps->line)
			return bad(ps, ps->line, "%s", e->rcpts[e->nrcpts -
			    1].reply != NULL ? _("a second 'rcpt-reply' for "
			    "one recipient") : _("'rcpt-reply' must follow "
			    "a 'rcpt' line"));
		return unescape(ps, k->name, v, vn,
		    &e->rcpts[e->nrcpts - 1].reply);
	case QE_FLAG:
		if (vn != 1 || (v[0] != '0' && v[0] != '1'))
			return bad(ps, ps->line, _("'%s' must be 0 or 1, not "
			    "'%.*s%s'"), k->name, QE_SHOWN(v, vn));
		*QE_FIELD(e, k, int) = v[0] == '1';
		return ERR_OK;
	case QE_STATE:
		if ((st = word_index(qe_states, QE_NSTATES, v, vn)) < 0)
			return bad(ps, ps->line, _("unknown state '%.*s%s'"),
			    QE_SHOWN(v, vn));
		e->state = (enum qentry_state)st;
		return ERR_OK;
	case QE_TIME:
	case QE_TIME0:
		return get_time(ps, k->name, v, vn, QE_FIELD(e, k, int64_t));
	case QE_COUNT:
		if ((r = get_count(ps, k->name, v, vn, UINT_MAX, &u)) !=
		    ERR_OK)
			return r;
		*QE_FIELD(e, k, unsigned) = (unsigned)u;
		return ERR_OK;
	}
	return bad(ps, ps->line, "%s", err_str(ERR_SOFTWARE));
}

static enum err
parse_body(struct qe_parser *ps, const char *p, size_t body_end)
{
	const char *s, *lf;
	size_t off;
	enum err r;

	ps->line = 1;
	for (off = QE_MAGIC_LEN; off < body_end; off += (size_t)(lf - s) + 1) {
		s = p + off;
		/* check_frame() made sure every body line ends in LF. */
		lf = memchr(s, '\n', body_end - off);
		ps->line++;
		if ((r = parse_line(ps, s, (size_t)(lf - s))) != ERR_OK)
			return r;
	}
	ps->line = 0;
	if (ps->e->id == NULL)
		return bad(ps, 0, "%s", _("the file has no 'id' line"));
	if (ps->e->from == NULL)
		return bad(ps, 0, "%s", _("the file has no 'from' line"));
	if (ps->e->nrcpts == 0)
		return bad(ps, 0, "%s", _("the file has no 'rcpt' line"));
	return ERR_OK;
}

enum err
qentry_parse(struct qentry *e, const char *p, size_t n, char **errstr)
{
	struct qe_parser ps;
	size_t body_end = 0;
	enum err r;

	qentry_init(e);
	memset(&ps, 0, sizeof ps);
	ps.e = e;
	ps.errstr = errstr;
	if (p == NULL)
		n = 0;
	r = check_frame(&ps, p == NULL ? "" : p, n, &body_end);
	if (r == ERR_OK)
		r = parse_body(&ps, p, body_end);
	if (r != ERR_OK)
		qentry_free(e);
	return r;
}
