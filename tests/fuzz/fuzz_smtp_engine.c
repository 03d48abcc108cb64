/* fuzz_smtp_engine.c - libFuzzer target: the whole SMTP engine (smtp.h) driven with a fixed envelope and fed the input as the server's bytes. */
/* SPDX-License-Identifier: ISC */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "smtp.h"
#include "transcript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input: two bytes of settings, then what the server says.
 *
 *   byte 0  bits 0-1  TLS: none, STARTTLS, implicit (3: none)
 *           bit 2     a user and password: AUTH
 *           bit 3     chunking (BDAT) allowed
 *           bit 4     no pipelining
 *           bit 5     the TLS handshake the engine asks for succeeds
 *                     (else it fails, as with a server that cannot)
 *           bit 6     a second message after the first
 *           bit 7     the user stops the session halfway (smtp_stop)
 *   byte 1           how the server's bytes are cut: pieces of 1 to 32
 *                    bytes, or whole (0)
 *
 * Everything the engine wants is given at once: all its output taken, the
 * body in pieces, the end of the server's bytes as an end of stream.
 */

static const char *const rcpts[] = {
	"bob@example.org", "carol@example.net", "dave@example.com",
};

static const char body[] =
    "From: Tester <tester@example.org>\n"
    "To: bob@example.org\n"
    "Subject: fuzz\n"
    "\n"
    "A line.\n"
    ".a line that starts with a dot\n"
    ".\n"
    "\n"
    "the end, without a line end";

/* Bare CR or LF must never leave the client, however the server behaves. */
struct wire {
	char prev;
};

static void
check_output(struct wire *w, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n' && w->prev != '\r') {
			(void)fprintf(stderr, "bare LF in the client's output\n");
			abort();
		}
		if (w->prev == '\r' && p[i] != '\n') {
			(void)fprintf(stderr, "bare CR in the client's output\n");
			abort();
		}
		w->prev = p[i];
	}
}

/* A transcript writer that formats every event, as the pane would. */
static void
format_event(void *arg, const struct tr_event *ev)
{
	struct buf *line = arg;

	buf_reset(line);
	(void)transcript_format(ev, line);
}

static void
give_body(struct smtp *s, size_t *sent)
{
	size_t left = sizeof(body) - 1 - *sent, n = left < 23 ? left : 23;

	if (n == 0) {
		smtp_body_end(s);
		return;
	}
	smtp_body(s, body + *sent, n);
	*sent += n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum smtp_tls tls[4] = { SMTP_TLS_NONE,
	    SMTP_TLS_STARTTLS, SMTP_TLS_IMPLICIT, SMTP_TLS_NONE };
	struct smtp_opts o;
	struct smtp_envelope env;
	struct transcript *tr;
	struct smtp *s;
	struct wire wire = { 0 };
	struct buf line;
	const char *in, *out, *detail;
	char *why;
	size_t inlen, pos = 0, piece, len, sent = 0;
	unsigned want, mails = 0, flags, steps;

	if (size < 2 || size > 64 * 1024)
		return 0;
	flags = data[0];
	piece = data[1] % 33;
	in = (const char *)data + 2;
	inlen = size - 2;

	memset(&o, 0, sizeof(o));
	o.helo = "client.example.org";
	o.tls = tls[flags & 3];
	if (flags & 4) {
		o.user = "alice";
		o.secret = "s3cret";
		o.auth_allow_plaintext = 1;
	}
	o.chunking = (flags & 8) != 0;
	o.no_pipelining = (flags & 16) != 0;
	o.host = "mail.example.org";
	o.port = 587;

	memset(&env, 0, sizeof(env));
	env.from = "tester@example.org";
	env.rcpts = rcpts;
	env.nrcpts = sizeof(rcpts) / sizeof(rcpts[0]);
	env.size = sizeof(body) - 1;
	env.dsn_notify = "SUCCESS,FAILURE";
	env.dsn_ret = "HDRS";
	env.dsn_envid = "fuzz+id=1";

	tr = transcript_new(64);
	buf_init(&line, 1 << 20);
	if (tr == NULL || transcript_subscribe(tr, format_event, &line) < 0)
		abort();
	s = smtp_new(&o, tr);
	if (s == NULL)
		abort();
	/* Every step consumes something; far more steps than that is a loop. */
	for (steps = 0; steps < 1000000; steps++) {
		want = smtp_want(s);
		if (want & SMTP_DONE)
			break;
		if ((flags & 128) && pos > inlen / 2) {
			smtp_stop(s, "stopped");
			flags &= ~128u;
		} else if (want & SMTP_WANT_WRITE) {
			out = smtp_output(s, &len);
			if (out == NULL || len == 0)
				abort();
			check_output(&wire, out, len);
			smtp_consumed(s, len);
		} else if (want & SMTP_WANT_TLS) {
			smtp_tls_done(s, (flags & 32) != 0);
		} else if (want & SMTP_WANT_BODY) {
			give_body(s, &sent);
		} else if (want & SMTP_READY) {
			if (mails < ((flags & 64) ? 2u : 1u)) {
				why = NULL;
				sent = 0;
				mails++;
				/* Refused before a byte went out: say goodbye. */
				if (smtp_mail(s, &env, &why) != ERR_OK)
					smtp_quit(s);
				free(why);
			} else {
				smtp_quit(s);
			}
		} else if (want & SMTP_WANT_READ) {
			if (pos == inlen) {
				smtp_eof(s);
				continue;
			}
			len = piece == 0 || inlen - pos < piece ? inlen - pos :
			    piece;
			smtp_feed(s, in + pos, len);
			pos += len;
		} else {
			(void)fprintf(stderr, "smtp_want() is 0x%x in %s\n", want,
			    smtp_state_name(s));
			abort();
		}
	}
	if (steps == 1000000) {
		(void)fprintf(stderr, "the engine never finishes (%s)\n",
		    smtp_state_name(s));
		abort();
	}
	(void)smtp_error(s, &detail);
	(void)smtp_result(s);
	(void)smtp_caps(s);
	smtp_free(s);
	transcript_free(tr);
	buf_free(&line);
	return 0;
}
