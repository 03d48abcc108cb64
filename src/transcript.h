/* transcript.h - typed, timestamped events of an SMTP conversation, and their writers. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_TRANSCRIPT_H
#define PIGEON_TRANSCRIPT_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#include "buf.h"

enum tr_kind {
	TR_CONNECT,   /* connection attempts and their results */
	TR_TLS,       /* handshake, protocol, cipher, certificates, verification */
	TR_CLIENT,    /* a command line the client sent, without CRLF, redacted */
	TR_SERVER,    /* a reply line the server sent, without CRLF, raw bytes */
	TR_DATA,      /* message bytes on the wire (after dot-stuffing) */
	TR_STATE,     /* the engine entered a new state; text is its name */
	TR_INFO,      /* a note: decoded capabilities, a data summary, verdicts */
	TR_WARN,      /* something the user should know (verification off, ...) */
	TR_ERROR,     /* what went wrong, in plain words */
	TR_RAW_OUT,   /* bytes as written to the connection (inside TLS: before
	                 encryption); only when transcript_set_raw() asked */
	TR_RAW_IN,    /* bytes as read from it (inside TLS: decrypted) */
	TR_KIND_COUNT_
};

/* Event flags. */
#define TR_F_TLS      0x01u  /* the line travelled inside TLS */
#define TR_F_REDACTED 0x02u  /* part of the line was replaced by [redacted]
                               (TR_RAW_OUT: secret bytes by as many 'x') */
#define TR_F_LOUD     0x04u  /* a warning to show even without -v (clear text after all);
                               TR_ERROR: a line of an explanation shown with the error */

/*
 * Times.  A transcript may live for hours (the UI's) and carry many
 * connections one after another; each starts with transcript_begin(), and
 * t_us counts from there, so "[  0.231]" means 231 ms into this
 * connection wherever it is shown.  conn tells the connections apart in
 * the history (1, 2, ...; 0 before the first one), wall_us dates an event
 * on the clock.  latency_us of a reply counts from the last line sent, and
 * for the greeting from the moment the connection was up
 * (transcript_connected(): TCP for smtp, the TLS handshake for smtps),
 * so it measures the server, never the previous connection's QUIT.
 */
struct tr_event {
	enum tr_kind kind;
	unsigned flags;
	unsigned conn;       /* connection serial: transcript_begin() count */
	int64_t t_us;        /* microseconds since its connection began */
	int64_t wall_us;     /* microseconds since the Unix epoch (CLOCK_REALTIME) */
	int64_t latency_us;  /* TR_SERVER: see above; else -1 */
	const char *text;    /* raw bytes, not escaped, not necessarily NUL-ended */
	size_t len;
	const char *stage;   /* the stage of the conversation then ("rcpt"), "" before any */
};

typedef void (*tr_writer_fn)(void *arg, const struct tr_event *ev);

struct transcript;

/* A transcript keeping at most ring_max events of history (0: none). */
struct transcript *transcript_new(size_t ring_max);
void transcript_free(struct transcript *t);

/*
 * A new connection starts (the session calls this before it connects):
 * the time base (t_us) restarts at 0, conn counts up, and the latency
 * base is now until transcript_connected() moves it.  One connection at
 * a time per transcript.  t may be NULL (no-op).
 */
void transcript_begin(struct transcript *t);
/*
 * The connection is up and the server's greeting is awaited: the TCP
 * connect for STARTTLS and plain connections, the end of the TLS
 * handshake for implicit TLS.  The greeting's latency counts from here.
 */
void transcript_connected(struct transcript *t);
/* The serial of the current connection (0: none begun yet). */
unsigned transcript_conn(const struct transcript *t);

/*
 * The stage of the conversation from now on (a protocol word the engine
 * names: "connect", "ehlo", "rcpt" ...), recorded in each event.  stage
 * must be a string that outlives the transcript (a literal).
 * transcript_begin() sets "".  t may be NULL (no-op).
 */
void transcript_set_stage(struct transcript *t, const char *stage);
const char *transcript_stage(const struct transcript *t);
/*
 * What the TLS layer agreed on this connection (copied; NULL: unknown),
 * for writers that show facts apart from the text; transcript_begin()
 * forgets them.  transcript_tls() gives "" for what is not known.
 */
void transcript_set_tls(struct transcript *t, const char *version,
    const char *cipher);
void transcript_tls(const struct transcript *t, const char **version,
    const char **cipher);

/* The clock time in microseconds since the epoch, as events are dated. */
int64_t transcript_wall_now_us(void);
/*
 * Raw events: with on set, the session emits TR_RAW_OUT and TR_RAW_IN
 * with the bytes of every write and read (a hex dump for the user),
 * secret bytes already masked; they are kept in the history like any
 * event.  Off by default.  t may be NULL (no-op; transcript_raw() 0).
 */
void transcript_set_raw(struct transcript *t, int on);
int transcript_raw(const struct transcript *t);

/* Call fn for every event from now on; 0, or -1 when full (8 writers). */
int transcript_subscribe(struct transcript *t, tr_writer_fn fn, void *arg);
void transcript_unsubscribe(struct transcript *t, tr_writer_fn fn, void *arg);

/*
 * Stamp and deliver one event.  Redaction happens before this call: the
 * caller passes the line as it may be shown.  t may be NULL (no-op).
 */
void transcript_emit(struct transcript *t, enum tr_kind kind, unsigned flags,
    const char *text, size_t len);
void transcript_emitf(struct transcript *t, enum tr_kind kind, unsigned flags,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* History: events oldest first (TR_DATA is never kept). */
size_t transcript_count(const struct transcript *t);
const struct tr_event *transcript_get(const struct transcript *t, size_t i);

/* The short marker of a kind ("C:", "S:", "~>" ...). */
const char *transcript_marker(enum tr_kind kind, unsigned flags);

/*
 * Append ev as one human-readable line (no newline), control bytes
 * escaped.  A raw event is a line saying its direction and size
 * ("C> 28 bytes") followed, after a newline each, by the lines of its
 * hex dump (see hexdump.h), indented by two spaces.
 */
int transcript_format(const struct tr_event *ev, struct buf *out);

/* A writer printing formatted lines to a stdio stream. */
struct tr_file_writer {
	FILE *fp;
	int show_data;     /* print TR_DATA lines instead of skipping them */
	int show_state;    /* print TR_STATE events */
	struct buf line;   /* scratch, initialise with buf_init() */
	struct buf partial;/* an unfinished TR_DATA line */
};
void tr_file_writer_init(struct tr_file_writer *w, FILE *fp, int show_data);
void tr_file_writer_fini(struct tr_file_writer *w);
void tr_file_writer(void *arg, const struct tr_event *ev);

#endif
