/* transcript.c - stamp events, keep a bounded history, fan out to writers, format lines. */
/* SPDX-License-Identifier: ISC */
#include "transcript.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hexdump.h"
#include "i18n.h"
#include "sanitize.h"
#include "util.h"

#define TR_MAX_WRITERS 8
/* A formatted event line is cut here; nothing legitimate is this long. */
#define TR_LINE_MAX (64 * 1024)

struct tr_writer {
	tr_writer_fn fn;
	void *arg;
};

struct transcript {
	int64_t t0;                /* when the current connection began */
	int64_t last_client;       /* the latency base: last line sent, or -1 */
	unsigned conn;             /* transcript_begin() calls so far */
	const char *stage;         /* see transcript_set_stage() */
	char tls_version[32];      /* see transcript_set_tls() */
	char tls_cipher[128];
	struct tr_writer writers[TR_MAX_WRITERS];
	size_t nwriters;
	int emitting;              /* inside the writers' loop */
	int dead;                  /* writers unsubscribed during it */
	int raw;                   /* raw events wanted */
	struct tr_event *ring;     /* ring_max slots, texts owned */
	size_t ring_max;
	size_t ring_start;
	size_t ring_len;
};

struct transcript *
transcript_new(size_t ring_max)
{
	struct transcript *t;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	if (ring_max > 0) {
		t->ring = calloc(ring_max, sizeof(*t->ring));
		if (t->ring == NULL) {
			free(t);
			return NULL;
		}
	}
	t->ring_max = ring_max;
	t->t0 = util_now_us();
	t->last_client = -1;
	t->stage = "";
	return t;
}

void
transcript_free(struct transcript *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ring_max; i++)
		free((char *)t->ring[i].text);
	free(t->ring);
	free(t);
}

void
transcript_begin(struct transcript *t)
{
	if (t == NULL)
		return;
	t->conn++;
	t->t0 = util_now_us();
	t->last_client = t->t0;
	t->stage = "";
	t->tls_version[0] = t->tls_cipher[0] = '\0';
}

void
transcript_set_stage(struct transcript *t, const char *stage)
{
	if (t != NULL)
		t->stage = stage != NULL ? stage : "";
}

const char *
transcript_stage(const struct transcript *t)
{
	return t != NULL ? t->stage : "";
}

void
transcript_set_tls(struct transcript *t, const char *version,
    const char *cipher)
{
	if (t == NULL)
		return;
	(void)snprintf(t->tls_version, sizeof(t->tls_version), "%s",
	    version != NULL ? version : "");
	(void)snprintf(t->tls_cipher, sizeof(t->tls_cipher), "%s",
	    cipher != NULL ? cipher : "");
}

void
transcript_tls(const struct transcript *t, const char **version,
    const char **cipher)
{
	*version = t != NULL ? t->tls_version : "";
	*cipher = t != NULL ? t->tls_cipher : "";
}

void
transcript_connected(struct transcript *t)
{
	if (t != NULL)
		t->last_client = util_now_us();
}

unsigned
transcript_conn(const struct transcript *t)
{
	return t != NULL ? t->conn : 0;
}

int64_t
transcript_wall_now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
transcript_set_raw(struct transcript *t, int on)
{
	if (t != NULL)
		t->raw = on != 0;
}

int
transcript_raw(const struct transcript *t)
{
	return t != NULL && t->raw;
}

int
transcript_subscribe(struct transcript *t, tr_writer_fn fn, void *arg)
{
	if (t->nwriters == TR_MAX_WRITERS)
		return -1;
	t->writers[t->nwriters].fn = fn;
	t->writers[t->nwriters].arg = arg;
	t->nwriters++;
	return 0;
}

void
transcript_unsubscribe(struct transcript *t, tr_writer_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < t->nwriters; i++) {
		if (t->writers[i].fn == fn && t->writers[i].arg == arg) {
			if (t->emitting) {
				/* Removed after the loop: no writer is skipped. */
				t->writers[i].fn = NULL;
				t->dead = 1;
				return;
			}
			memmove(&t->writers[i], &t->writers[i + 1],
			    (t->nwriters - i - 1) * sizeof(t->writers[0]));
			t->nwriters--;
			return;
		}
	}
}

/* Keep a copy of ev in the history; when memory is short, skip it. */
static void
ring_push(struct transcript *t, const struct tr_event *ev)
{
	struct tr_event *slot;
	char *copy;

	if (t->ring_max == 0 || ev->kind == TR_DATA)
		return;
	copy = malloc(ev->len + 1);
	if (copy == NULL)
		return;
	memcpy(copy, ev->text, ev->len);
	copy[ev->len] = '\0';
	if (t->ring_len == t->ring_max) {
		slot = &t->ring[t->ring_start];
		free((char *)slot->text);
		t->ring_start = (t->ring_start + 1) % t->ring_max;
		t->ring_len--;
	}
	slot = &t->ring[(t->ring_start + t->ring_len) % t->ring_max];
	*slot = *ev;
	slot->text = copy;
	t->ring_len++;
}

void
transcript_emit(struct transcript *t, enum tr_kind kind, unsigned flags,
    const char *text, size_t len)
{
	struct tr_event ev;
	int64_t now;
	size_t i;

	if (t == NULL)
		return;
	now = util_now_us();
	ev.kind = kind;
	ev.flags = flags;
	ev.conn = t->conn;
	ev.t_us = now - t->t0;
	ev.wall_us = transcript_wall_now_us();
	ev.latency_us = -1;
	ev.text = text;
	ev.len = len;
	ev.stage = t->stage;
	if (kind == TR_CLIENT || kind == TR_DATA)
		t->last_client = now;
	else if (kind == TR_SERVER && t->last_client >= 0)
		ev.latency_us = now - t->last_client;
	ring_push(t, &ev);
	t->emitting++;
	for (i = 0; i < t->nwriters; i++)
		if (t->writers[i].fn != NULL)
			t->writers[i].fn(t->writers[i].arg, &ev);
	if (--t->emitting == 0 && t->dead) {
		size_t j = 0;

		for (i = 0; i < t->nwriters; i++)
			if (t->writers[i].fn != NULL)
				t->writers[j++] = t->writers[i];
		t->nwriters = j;
		t->dead = 0;
	}
}

void
transcript_emitf(struct transcript *t, enum tr_kind kind, unsigned flags,
    const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int r;

	if (t == NULL)
		return;
	buf_init(&b, TR_LINE_MAX);
	va_start(ap, fmt);
	r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r == 0)
		transcript_emit(t, kind, flags, buf_str(&b), b.len);
	buf_free(&b);
}

size_t
transcript_count(const struct transcript *t)
{
	return t->ring_len;
}

const struct tr_event *
transcript_get(const struct transcript *t, size_t i)
{
	if (i >= t->ring_len)
		return NULL;
	return &t->ring[(t->ring_start + i) % t->ring_max];
}

const char *
transcript_marker(enum tr_kind kind, unsigned flags)
{
	int tls = (flags & TR_F_TLS) != 0;

	switch (kind) {
	case TR_CLIENT:
	case TR_DATA:
		return tls ? "~>" : "->";
	case TR_SERVER:
		return tls ? "<~" : "<-";
	case TR_STATE:
		return "..";
	case TR_WARN:
		return "!!";
	case TR_ERROR:
		return "**";
	case TR_RAW_OUT:
		return "C>";
	case TR_RAW_IN:
		return "S<";
	case TR_CONNECT:
	case TR_TLS:
	case TR_INFO:
	case TR_KIND_COUNT_:
		break;
	}
	return "==";
}

/* A reply's last line ("250 ok", or a bare "250") ends the wait for it. */
static int
is_final_reply_line(const char *s, size_t n)
{
	return n == 3 || (n > 3 && s[3] == ' ');
}

/*
 * transcript_format() dumps this much of a raw event and counts the
 * rest: a pane or a log keeps the line; the file writer dumps it all.
 */
#define TR_RAW_FORMAT_MAX 4096
/* The file writer dumps a raw event in slices of this many bytes. */
#define TR_RAW_SLICE 4096

static int
is_raw(const struct tr_event *ev)
{
	return ev->kind == TR_RAW_OUT || ev->kind == TR_RAW_IN;
}

/* A raw event's line: its size, where it travelled, whether masked. */
static int
format_raw_head(const struct tr_event *ev, struct buf *out)
{
	if (buf_printf(out, P_("%zu byte", "%zu bytes", ev->len),
	    ev->len) < 0)
		return -1;
	if ((ev->flags & TR_F_TLS) && buf_addstr(out, ev->kind == TR_RAW_OUT ?
	    _(", inside TLS (before encryption)") :
	    _(", inside TLS (decrypted)")) < 0)
		return -1;
	if ((ev->flags & TR_F_REDACTED) && buf_addstr(out,
	    _(", secret bytes shown as x")) < 0)
		return -1;
	return 0;
}

/* The dump of ev's bytes [off, off + n), each line after a newline. */
static int
format_raw_dump(const struct tr_event *ev, size_t off, size_t n,
    struct buf *out)
{
	if (n == 0)
		return 0;
	if (buf_addch(out, '\n') < 0)
		return -1;
	return hexdump_append(out, "  ", ev->text + off, n, off);
}

static int
format_raw(const struct tr_event *ev, struct buf *out)
{
	size_t n = ev->len < TR_RAW_FORMAT_MAX ? ev->len : TR_RAW_FORMAT_MAX;

	if (format_raw_head(ev, out) < 0 ||
	    format_raw_dump(ev, 0, n, out) < 0)
		return -1;
	if (n < ev->len && (buf_addstr(out, "\n  [") < 0 ||
	    buf_printf(out, P_("%zu more byte, dumped whole by -v and "
	    "--transcript", "%zu more bytes, dumped whole by -v and "
	    "--transcript", ev->len - n), ev->len - n) < 0 ||
	    buf_addch(out, ']') < 0))
		return -1;
	return 0;
}

int
transcript_format(const struct tr_event *ev, struct buf *out)
{
	long long ms = ev->t_us / 1000;

	if (buf_printf(out, "[%3lld.%03lld] %s ", ms / 1000, ms % 1000,
	    transcript_marker(ev->kind, ev->flags)) < 0)
		return -1;
	if (is_raw(ev))
		return format_raw(ev, out);
	if (sanitize_append(out, ev->text, ev->len) < 0)
		return -1;
	if (ev->kind == TR_SERVER && ev->latency_us >= 0 &&
	    is_final_reply_line(ev->text, ev->len)) {
		if (buf_printf(out, "  (%lld.%lld ms)",
		    (long long)(ev->latency_us / 1000),
		    (long long)(ev->latency_us % 1000 / 100)) < 0)
			return -1;
	}
	return 0;
}

void
tr_file_writer_init(struct tr_file_writer *w, FILE *fp, int show_data)
{
	w->fp = fp;
	w->show_data = show_data;
	w->show_state = 0;
	buf_init(&w->line, TR_LINE_MAX);
	buf_init(&w->partial, TR_LINE_MAX);
}

void
tr_file_writer_fini(struct tr_file_writer *w)
{
	buf_free(&w->line);
	buf_free(&w->partial);
}

static void
write_line(struct tr_file_writer *w, const struct tr_event *ev)
{
	buf_reset(&w->line);
	if (transcript_format(ev, &w->line) < 0 || buf_addch(&w->line, '\n') < 0)
		return;
	/* A transcript writer has nobody to report a failed write to. */
	(void)fwrite(w->line.data, 1, w->line.len, w->fp);
}

/* The whole dump of a raw event, a slice at a time (no size limit). */
static void
write_raw(struct tr_file_writer *w, const struct tr_event *ev)
{
	long long ms = ev->t_us / 1000;
	size_t off, n;

	buf_reset(&w->line);
	if (buf_printf(&w->line, "[%3lld.%03lld] %s ", ms / 1000, ms % 1000,
	    transcript_marker(ev->kind, ev->flags)) < 0 ||
	    format_raw_head(ev, &w->line) < 0)
		return;
	for (off = 0; off < ev->len; off += n) {
		n = ev->len - off < TR_RAW_SLICE ? ev->len - off : TR_RAW_SLICE;
		if (format_raw_dump(ev, off, n, &w->line) < 0)
			return;
		(void)fwrite(w->line.data, 1, w->line.len, w->fp);
		buf_reset(&w->line);
	}
	if (buf_addch(&w->line, '\n') == 0)
		(void)fwrite(w->line.data, 1, w->line.len, w->fp);
}

/* Print message data line by line, carrying an unfinished line over. */
static void
write_data(struct tr_file_writer *w, const struct tr_event *ev)
{
	struct tr_event line = *ev;
	const char *p = ev->text, *end = ev->text + ev->len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			if (buf_add(&w->partial, p, (size_t)(end - p)) < 0)
				buf_reset(&w->partial);
			return;
		}
		if (w->partial.len > 0) {
			if (buf_add(&w->partial, p, (size_t)(nl - p)) < 0)
				buf_reset(&w->partial);
			line.text = w->partial.data;
			line.len = w->partial.len;
		} else {
			line.text = p;
			line.len = (size_t)(nl - p);
		}
		if (line.len > 0 && line.text[line.len - 1] == '\r')
			line.len--;
		write_line(w, &line);
		buf_reset(&w->partial);
		p = nl + 1;
	}
}

void
tr_file_writer(void *arg, const struct tr_event *ev)
{
	struct tr_file_writer *w = arg;

	if (ev->kind == TR_DATA) {
		if (w->show_data)
			write_data(w, ev);
	} else if (is_raw(ev)) {
		write_raw(w, ev);
	} else if (ev->kind != TR_STATE || w->show_state) {
		write_line(w, ev);
	}
	(void)fflush(w->fp);
}
