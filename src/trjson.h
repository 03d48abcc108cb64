/* trjson.h - the transcript as JSON lines: one object per event, for bug reports and scripts. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_TRJSON_H
#define PIGEON_TRJSON_H

#include <stdio.h>

#include "buf.h"
#include "transcript.h"

/*
 * One line per event (JSON Lines), each an object:
 *
 *   {"time":"2025-01-31T14:05:09.123456Z","t_us":231000,"conn":1,
 *    "kind":"server","marker":"<-","stage":"rcpt","tls":true,
 *    "text":"250 2.1.5 ok","latency_us":1234}
 *
 * time is the wall clock (RFC 3339, UTC, microseconds), t_us the time
 * since the connection began; latency_us only on server lines; redacted
 * true when part of the line was replaced by [redacted] (secrets are
 * redacted before any event exists, so no writer can show them);
 * tls_version and tls_cipher on TLS events once known.  kind is client,
 * server, connect, tls, data, state, info, warn or error; a kind this
 * writer does not know is named by its marker.  Message data (kind
 * data) is written only when asked for.
 */
struct trjson {
	FILE *fp;
	const struct transcript *tr;  /* for the TLS facts; may be NULL */
	int show_data;
	int failed;                   /* a write failed (errno kept) */
	struct buf line;
};

void trjson_init(struct trjson *w, FILE *fp, const struct transcript *tr,
    int show_data);
void trjson_fini(struct trjson *w);
/* The tr_writer_fn: subscribe it with the struct trjson as arg. */
void trjson_writer(void *arg, const struct tr_event *ev);
/*
 * The last line: {"kind":"outcome","status":...,"stage":...,
 * "exit":N,"text":...}.  status: "stopped" (at the stop point, as
 * asked), "failed", "sent" or "queued"; stage: where it stopped or
 * failed (may be ""); exit: the program's exit status; text (may be
 * NULL) in words.  0, or -1 when it cannot be written.
 */
int trjson_outcome(struct trjson *w, const char *status, const char *stage,
    int exit_code, const char *text);

/*
 * Append p[0..len) to out as a JSON string, quotes included.  Valid
 * UTF-8 stays as it is, except U+2028 and U+2029 (\u2028, \u2029: they
 * end lines in JavaScript); ", \ and control characters are escaped
 * (\n, \t, \u001b ...); a byte that is not part of valid UTF-8 becomes
 * \u00XX, the character of the same number (as Latin-1 reads it), so
 * the line is always valid UTF-8 and valid JSON.  0, or -1 when out of
 * room.
 */
int trjson_string(struct buf *out, const char *p, size_t len);

#endif
