/* smtp_data.c - the message data on the wire: DATA or BDAT chunks fed from the session, the output handed out, the final reply taken. */
/* SPDX-License-Identifier: ISC */
#include "smtp_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

void
smtp_lmtp_expect(struct smtp *s)
{
	uint64_t end = s->out_base + s->out.len;
	size_t i;

	if (!s->o->lmtp || s->res.naccepted == 0 || s->state == S_DONE)
		return;
	s->res.lmtp = 1;
	s->lmtp_next = 0;
	s->lmtp_left = s->res.naccepted;
	s->lmtp_ok = s->lmtp_temp = 0;
	s->lmtp_first_bad = SIZE_MAX;
	for (i = 1; i < s->res.naccepted; i++)
		if (smtp_await(s, end) < 0) {
			smtp_nomem(s);
			return;
		}
}

/*
 * LMTP: every recipient has its reply after the data.  Delivered to
 * one: the message went (the others' verdicts are theirs); else put off
 * when any was put off, else refused for each recipient, as when every
 * RCPT is refused.
 */
static void
lmtp_end(struct smtp *s)
{
	const struct smtp_reply *decided = NULL;
	size_t i;

	for (i = 0; i < s->res.nrcpts && decided == NULL; i++)
		if (s->res.rcpt[i].code / 100 == 2)
			decided = &s->res.rcpt[i];
	if (s->lmtp_ok == 0)
		decided = &s->res.rcpt[s->lmtp_first_bad];
	smtp_message_end(s, s->lmtp_ok > 0 ? ERR_OK : s->lmtp_temp > 0 ?
	    ERR_TEMPFAIL : ERR_NOUSER, decided);
	smtp_become_ready(s);
}

/* LMTP: the reply after the data for the next accepted recipient. */
static void
on_lmtp_reply(struct smtp *s, const struct smtp_reply *r)
{
	size_t i = s->lmtp_next;
	const char *to;

	while (i < s->res.nrcpts && s->res.rcpt[i].code / 100 != 2)
		i++;
	if (i == s->res.nrcpts || smtp_reply_copy(&s->res.rcpt[i], r) < 0) {
		smtp_nomem(s);
		return;
	}
	s->lmtp_next = i + 1;
	s->lmtp_left--;
	to = s->env->rcpts[i];
	if (r->code / 100 == 2) {
		s->lmtp_ok++;
		transcript_emitf(s->tr, TR_INFO, smtp_tls_flag(s),
		    _("<%s>: delivered"), to);
	} else {
		if (s->lmtp_first_bad == SIZE_MAX)
			s->lmtp_first_bad = i;
		if (!smtp_rcpt_refused(r->code)) {
			s->lmtp_temp++;
			transcript_emitf(s->tr, TR_WARN, smtp_tls_flag(s),
			    _("<%s>: put off after the data: %s"), to,
			    smtp_reply_line(r));
		} else {
			transcript_emitf(s->tr, TR_ERROR, smtp_tls_flag(s),
			    _("<%s>: refused after the data: %s"), to,
			    smtp_reply_line(r));
		}
	}
	if (s->lmtp_left == 0)
		lmtp_end(s);
}

/* The reply to the end of the data, or to a BDAT chunk. */
void
smtp_on_final(struct smtp *s, const struct smtp_reply *r)
{
	const struct smtp_reply *failed = s->res.reply.code != 0 ?
	    &s->res.reply : NULL;

	if (smtp_use_bdat(s) && s->bdat_out > 0)
		s->bdat_out--;
	if (s->state == S_BODY || s->bdat_out > 0) {
		/* A chunk: the first refusal is the message's. */
		if (r->code / 100 != 2 && failed == NULL) {
			smtp_decided_by(s, r, "BDAT");
			transcript_emitf(s->tr, TR_ERROR, smtp_tls_flag(s),
			    _("the server refused the message data: %s"),
			    smtp_reply_line(r));
		}
		return;
	}
	if (s->res.lmtp && s->lmtp_left > 0) {
		on_lmtp_reply(s, r);
		return;
	}
	if (s->res.naccepted == 0) {
		smtp_message_end(s, smtp_envelope_failure(s), NULL);
	} else {
		if (failed == NULL)
			failed = r;
		smtp_message_end(s, failed->code / 100 == 2 ? ERR_OK :
		    failed->code / 100 == 4 ? ERR_TEMPFAIL : ERR_PERMFAIL,
		    failed);
	}
	smtp_become_ready(s);
}

const char *
smtp_output(const struct smtp *s, size_t *len)
{
	*len = smtp_out_pending(s);
	return *len > 0 ? s->out.data + s->out_off : NULL;
}

size_t
smtp_output_redact(const struct smtp *s, char *buf, size_t n)
{
	uint64_t base = s->out_base + s->out_off, lo, hi;
	size_t i, masked = 0;

	for (i = 0; i < s->nsecret_span; i++) {
		lo = s->secret_span[i].start > base ?
		    s->secret_span[i].start : base;
		hi = s->secret_span[i].end < base + n ?
		    s->secret_span[i].end : base + n;
		if (lo >= hi)
			continue;
		memset(buf + (lo - base), 'x', (size_t)(hi - lo));
		masked += (size_t)(hi - lo);
	}
	return masked;
}

void
smtp_consumed(struct smtp *s, size_t n)
{
	s->out_off += n;
	if (s->out_off >= s->out.len) {
		s->out_base += s->out.len;
		buf_reset(&s->out);
		s->out_off = 0;
	}
	/* Message data moving on: the data block timer starts again. */
	if (s->state == S_BODY || s->state == S_DOT)
		s->serial++;
}

static void
emit_data(struct smtp *s, const char *p, size_t n)
{
	s->res.bytes += n;
	transcript_emit(s->tr, TR_DATA, smtp_tls_flag(s), p, n);
}

/* Where the transcript leaves the data out, it says how much there was. */
static void
emit_data_summary(struct smtp *s)
{
	char lines[32], bytes[32];

	util_thousands(lines, sizeof(lines), s->res.lines);
	util_thousands(bytes, sizeof(bytes), s->res.bytes);
	transcript_emitf(s->tr, TR_INFO, smtp_tls_flag(s),
	    _("[data: %s lines, %s bytes]"), lines, bytes);
}

static void
bdat_chunk(struct smtp *s, int last)
{
	char head[48];

	(void)snprintf(head, sizeof(head), "BDAT %zu%s", s->stage.len,
	    last ? " LAST" : "");
	if (smtp_send_line(s, NULL, head, strlen(head), SMTP_CMD_MAX) < 0)
		return;
	if (buf_add(&s->out, buf_str(&s->stage), s->stage.len) < 0) {
		smtp_nomem(s);
		return;
	}
	/* The chunk's reply waits for the chunk, not only its command. */
	s->waits.end[(s->waits.head + s->waits.len - 1) % s->waits.cap] =
	    s->out_base + s->out.len;
	emit_data(s, buf_str(&s->stage), s->stage.len);
	buf_reset(&s->stage);
	s->bdat_out++;
	/* LMTP: BDAT LAST is the end of the data, unless a chunk failed. */
	if (last && s->res.reply.code == 0)
		smtp_lmtp_expect(s);
}

void
smtp_body(struct smtp *s, const char *buf, size_t len)
{
	size_t before;

	if (s->state != S_BODY || len == 0)
		return;
	/*
	 * What went out is cut off the front once it is half the buffer,
	 * not at every block: a write that took part of the output would
	 * have the rest moved each time.
	 */
	if (s->out_off > 0 && s->out_off >= s->out.len / 2) {
		buf_consume(&s->out, s->out_off);
		s->out_base += s->out_off;
		s->out_off = 0;
	}
	if (smtp_use_bdat(s)) {
		if (s->res.reply.code != 0)
			return;   /* a chunk was refused: the rest is not sent */
		if (crlf_convert(&s->crlf, &s->stage, buf, len) < 0)
			smtp_nomem(s);
		else
			bdat_chunk(s, 0);
		return;
	}
	before = s->out.len;
	if (crlf_convert(&s->crlf, &s->out, buf, len) < 0) {
		smtp_nomem(s);
		return;
	}
	emit_data(s, s->out.data + before, s->out.len - before);
}

void
smtp_body_end(struct smtp *s)
{
	struct buf *to = smtp_use_bdat(s) ? &s->stage : &s->out;
	size_t before = to->len;

	if (s->state != S_BODY)
		return;
	/* The message must end with a line break. */
	if (crlf_finish(&s->crlf, to) < 0) {
		smtp_nomem(s);
		return;
	}
	s->res.lines = s->crlf.lines;
	if (smtp_use_bdat(s)) {
		bdat_chunk(s, 1);
		emit_data_summary(s);
	} else {
		if (to->len > before)
			emit_data(s, to->data + before, to->len - before);
		emit_data_summary(s);
		/* The dot goes out with the last data (no Nagle stall). */
		if (smtp_send_line(s, NULL, ".", 1, SMTP_CMD_MAX) == 0)
			smtp_lmtp_expect(s);
	}
	if (s->state != S_DONE)
		smtp_set_state(s, S_DOT);
}
