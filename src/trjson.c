/* trjson.c - the transcript as JSON lines: one object per event, for bug reports and scripts. */
/* SPDX-License-Identifier: ISC */
#include "trjson.h"

#include <string.h>
#include <time.h>

/* A JSON line is cut (its text) well before this; nothing legitimate is near it. */
#define TRJSON_LINE_MAX (8 * 1024 * 1024)

/*
 * The length of the valid UTF-8 sequence at p (1 to 4), or 0 when the
 * bytes there are not one: overlong forms, surrogates and code points
 * over U+10FFFF are not valid (RFC 3629).  *cp gets the code point.
 */
static size_t
utf8_seq(const unsigned char *p, size_t left, unsigned long *cp)
{
	size_t n, i;
	unsigned long c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return n;
}

int
trjson_string(struct buf *out, const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	unsigned long cp;
	size_t i = 0, n;
	int r = buf_addch(out, '"');

	while (r == 0 && i < len) {
		n = utf8_seq(u + i, len - i, &cp);
		if (n == 0) {
			r = buf_printf(out, "\\u%04x", u[i]);
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			r = buf_printf(out, "\\%c", (char)cp);
		else if (cp == '\n')
			r = buf_add(out, "\\n", 2);
		else if (cp == '\r')
			r = buf_add(out, "\\r", 2);
		else if (cp == '\t')
			r = buf_add(out, "\\t", 2);
		else if (cp < 0x20 || cp == 0x7f || cp == 0x2028 ||
		    cp == 0x2029)
			r = buf_printf(out, "\\u%04lx", cp);
		else
			r = buf_add(out, u + i, n);
		i += n;
	}
	return r == 0 ? buf_addch(out, '"') : -1;
}

void
trjson_init(struct trjson *w, FILE *fp, const struct transcript *tr,
    int show_data)
{
	memset(w, 0, sizeof(*w));
	w->fp = fp;
	w->tr = tr;
	w->show_data = show_data;
	buf_init(&w->line, TRJSON_LINE_MAX);
}

void
trjson_fini(struct trjson *w)
{
	buf_free(&w->line);
}

/* The kind as a word; a kind added later is named by its marker. */
static const char *
kind_name(const struct tr_event *ev)
{
	switch (ev->kind) {
	case TR_CONNECT:
		return "connect";
	case TR_TLS:
		return "tls";
	case TR_CLIENT:
		return "client";
	case TR_SERVER:
		return "server";
	case TR_DATA:
		return "data";
	case TR_STATE:
		return "state";
	case TR_INFO:
		return "info";
	case TR_WARN:
		return "warn";
	case TR_ERROR:
		return "error";
	default:
		return transcript_marker(ev->kind, ev->flags);
	}
}

/* "2025-01-31T14:05:09.123456Z" */
static int
add_time(struct buf *b, int64_t wall_us)
{
	time_t sec = (time_t)(wall_us / 1000000);
	struct tm tm;
	char s[32];

	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return buf_add(b, "null", 4);
	return buf_printf(b, "\"%s.%06lldZ\"", s,
	    (long long)(wall_us % 1000000));
}

/* A field, "name":"value", the value escaped. */
static int
add_field(struct buf *b, const char *name, const char *v, size_t len)
{
	if (buf_printf(b, ",\"%s\":", name) < 0)
		return -1;
	return trjson_string(b, v, len);
}

static int
format_event(struct trjson *w, const struct tr_event *ev)
{
	struct buf *b = &w->line;
	const char *kind = kind_name(ev), *version = "", *cipher = "";
	const char *marker = transcript_marker(ev->kind, ev->flags);

	if (buf_add(b, "{\"time\":", 8) < 0 || add_time(b, ev->wall_us) < 0 ||
	    buf_printf(b, ",\"t_us\":%lld,\"conn\":%u", (long long)ev->t_us,
	    ev->conn) < 0 ||
	    add_field(b, "kind", kind, strlen(kind)) < 0 ||
	    add_field(b, "marker", marker, strlen(marker)) < 0 ||
	    add_field(b, "stage", ev->stage != NULL ? ev->stage : "",
	    ev->stage != NULL ? strlen(ev->stage) : 0) < 0 ||
	    buf_printf(b, ",\"tls\":%s", ev->flags & TR_F_TLS ? "true" :
	    "false") < 0)
		return -1;
	if ((ev->flags & TR_F_REDACTED) &&
	    buf_addstr(b, ",\"redacted\":true") < 0)
		return -1;
	if (add_field(b, "text", ev->text, ev->len) < 0)
		return -1;
	if (ev->kind == TR_SERVER && ev->latency_us >= 0 &&
	    buf_printf(b, ",\"latency_us\":%lld",
	    (long long)ev->latency_us) < 0)
		return -1;
	if (ev->kind == TR_TLS && w->tr != NULL)
		transcript_tls(w->tr, &version, &cipher);
	if (*version != '\0' &&
	    add_field(b, "tls_version", version, strlen(version)) < 0)
		return -1;
	if (*cipher != '\0' &&
	    add_field(b, "tls_cipher", cipher, strlen(cipher)) < 0)
		return -1;
	return buf_add(b, "}\n", 2);
}

static void
put_line(struct trjson *w)
{
	if (!w->failed && fwrite(w->line.data, 1, w->line.len, w->fp) !=
	    w->line.len)
		w->failed = 1;
	buf_reset(&w->line);
}

void
trjson_writer(void *arg, const struct tr_event *ev)
{
	struct trjson *w = arg;

	if (ev->kind == TR_DATA && !w->show_data)
		return;
	buf_reset(&w->line);
	if (format_event(w, ev) < 0) {
		/* Too long a text: the event is told, its text cut. */
		struct tr_event cut = *ev;

		buf_reset(&w->line);
		cut.len = 4096 < ev->len ? 4096 : ev->len;
		if (format_event(w, &cut) < 0)
			return;
	}
	put_line(w);
}

int
trjson_outcome(struct trjson *w, const char *status, const char *stage,
    int exit_code, const char *text)
{
	struct buf *b = &w->line;

	buf_reset(b);
	if (buf_add(b, "{\"time\":", 8) < 0 ||
	    add_time(b, transcript_wall_now_us()) < 0 ||
	    add_field(b, "kind", "outcome", 7) < 0 ||
	    add_field(b, "status", status, strlen(status)) < 0 ||
	    add_field(b, "stage", stage != NULL ? stage : "", stage != NULL ?
	    strlen(stage) : 0) < 0 ||
	    buf_printf(b, ",\"exit\":%d", exit_code) < 0 ||
	    (text != NULL && add_field(b, "text", text, strlen(text)) < 0) ||
	    buf_add(b, "}\n", 2) < 0)
		return -1;
	put_line(w);
	return w->failed ? -1 : 0;
}
