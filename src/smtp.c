/* smtp.c - the SMTP client protocol engine: bytes in, bytes out, events out; no I/O, no clock.  The replies told apart, the ways it ends; the greeting, EHLO and STARTTLS are in smtp_hello.c, AUTH in smtp_auth.c, the envelope in smtp_env.c, the data in smtp_data.c, reply parsing in smtp_reply.c. */
/* SPDX-License-Identifier: ISC */
#include "smtp_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crlf.h"
#include "i18n.h"
#include "sasl.h"
#include "smtpdoc.h"
#include "util.h"


#define STATE_NAME_(name, str) str,
static const char *const state_names[] = { STATE_TABLE(STATE_NAME_) };
#undef STATE_NAME_

#define CMD_WORD_(name, word, timer) word,
static const char *const cmd_words[] = { CMD_TABLE(CMD_WORD_) };
#undef CMD_WORD_
#define CMD_TIMER_(name, word, timer) timer,
static const enum smtp_timer cmd_timers[] = { CMD_TABLE(CMD_TIMER_) };
#undef CMD_TIMER_

#define TIMER_NAME_(name, key, sec) key,
static const char *const timer_names[] = { SMTP_TIMER_TABLE(TIMER_NAME_) };
#undef TIMER_NAME_
#define TIMER_SEC_(name, key, sec) sec,
static const int timer_defaults[] = { SMTP_TIMER_TABLE(TIMER_SEC_) };
#undef TIMER_SEC_

static void process_input(struct smtp *s);

const char *
smtp_hello_word(const struct smtp *s)
{
	return s->o->lmtp ? "LHLO" : "EHLO";
}

/* -- small helpers ---------------------------------------------------- */

const char *
smtp_timer_name(enum smtp_timer t)
{
	return timer_names[t];
}

int
smtp_timer_default(enum smtp_timer t)
{
	return timer_defaults[t];
}

static int
timer_seconds(const struct smtp *s, enum smtp_timer t)
{
	return s->o->timeouts[t] > 0 ? s->o->timeouts[t] : timer_defaults[t];
}



void
smtp_set_state(struct smtp *s, enum state st)
{
	if (s->state == st)
		return;
	s->state = st;
	s->serial++;
	transcript_emit(s->tr, TR_STATE, 0, state_names[st],
	    strlen(state_names[st]));
	smtp_sync_stage(s);
}



unsigned
smtp_tls_flag(const struct smtp *s)
{
	return s->tls_active ? TR_F_TLS : 0;
}

int
smtp_piped(const struct smtp *s)
{
	/* A stop point in the envelope: each command waits for its reply. */
	if (s->o->stop_after >= SMTP_STAGE_MAIL &&
	    s->o->stop_after <= SMTP_STAGE_DATA)
		return 0;
	return !s->o->no_pipelining && (s->caps.flags & SMTP_CAP_PIPELINING);
}

int
smtp_use_bdat(const struct smtp *s)
{
	return s->o->chunking && (s->caps.flags & SMTP_CAP_CHUNKING);
}

size_t
smtp_out_pending(const struct smtp *s)
{
	return s->out.len - s->out_off;
}

/* The reply as one line for messages: "550 5.1.1 no such user | more". */
const char *
smtp_reply_line(const struct smtp_reply *r)
{
	return r->text != NULL ? r->text : "";
}

/* "the greeting", "RCPT TO", "the end of the data": for messages. */
static const char *
cmd_label(const struct smtp *s, enum cmd c)
{
	if (c == C_GREETING)
		return _("the greeting");
	if (c == C_DOT)
		return _("the end of the data");
	if (c == C_EHLO && s->o->lmtp)
		return "LHLO";
	return cmd_words[c];
}

static int
waits_push(struct waits *w, uint64_t end)
{
	uint64_t *p;
	size_t cap, i;

	if (w->len == w->cap) {
		cap = w->cap ? w->cap * 2 : 8;
		if ((p = calloc(cap, sizeof(*p))) == NULL)
			return -1;
		for (i = 0; i < w->len; i++)
			p[i] = w->end[(w->head + i) % w->cap];
		free(w->end);
		w->end = p;
		w->cap = cap;
		w->head = 0;
	}
	w->end[(w->head + w->len++) % w->cap] = end;
	return 0;
}

int
smtp_await(struct smtp *s, uint64_t end)
{
	return waits_push(&s->waits, end);
}

static void
waits_pop(struct waits *w)
{
	w->head = (w->head + 1) % w->cap;
	w->len--;
}

/* Remember the first error of the session; later ones only add noise. */
void
smtp_seterr(struct smtp *s, enum err e, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (s->err != ERR_OK)
		return;
	s->err = e;
	s->err_stage = s->cur_stage;
	va_start(ap, fmt);
	m = util_vstrf(fmt, ap);
	va_end(ap);
	if (m != NULL) {
		free(s->errstr);
		s->errstr = m;
		transcript_emit(s->tr, TR_ERROR, 0, m, strlen(m));
	}
}

int
smtp_reply_copy(struct smtp_reply *dst, const struct smtp_reply *src)
{
	smtp_reply_free(dst);
	dst->code = src->code;
	memcpy(dst->enhanced, src->enhanced, sizeof(dst->enhanced));
	dst->text = strdup(src->text != NULL ? src->text : "");
	return dst->text != NULL ? 0 : -1;
}

void
smtp_result_clear(struct smtp_result *res)
{
	size_t i;

	smtp_reply_free(&res->reply);
	free(res->step);
	for (i = 0; i < res->nrcpts; i++)
		smtp_reply_free(&res->rcpt[i]);
	free(res->rcpt);
	memset(res, 0, sizeof(*res));
}

/* The reply that decides the message, and the command it answered. */
void
smtp_decided_by(struct smtp *s, const struct smtp_reply *r, const char *step)
{
	free(s->res.step);
	s->res.step = strdup(step);
	if (smtp_reply_copy(&s->res.reply, r) < 0)
		s->res.err = ERR_NOMEM;
}

/* What the latest reply answered, for smtp_decided_by(). */
static const char *
last_step(const struct smtp *s)
{
	if (s->last == C_DOT)
		return _("end of data");
	return cmd_words[s->last];
}

/*
 * LMTP: the recipients whose reply after the data never came have no
 * verdict (code 0), so that their RCPT's 250 is not taken for a
 * delivery; naccepted counts the deliveries.
 */
static void
lmtp_unanswered(struct smtp *s)
{
	size_t i;

	for (i = s->lmtp_next; s->lmtp_left > 0 && i < s->res.nrcpts; i++) {
		if (s->res.rcpt[i].code / 100 != 2)
			continue;
		smtp_reply_free(&s->res.rcpt[i]);
		s->lmtp_left--;
	}
	s->res.naccepted = s->lmtp_ok;
}

/*
 * The one way a message ends, whatever ended it: e and the reply that
 * said so (NULL when none did).  Lost after the whole message went out
 * and before the server confirmed it, it may have arrived: uncertain.
 */
void
smtp_message_end(struct smtp *s, enum err e, const struct smtp_reply *r)
{
	if (s->env == NULL)
		return;
	s->res.err = e;
	/* Pipelined, a refused MAIL is only told by the replies after it. */
	s->res.stage = s->mail_code != 0 && s->mail_code / 100 != 2 ?
	    SMTP_STAGE_MAIL : s->cur_stage;
	if (r != NULL)
		smtp_decided_by(s, r, last_step(s));
	if (r == NULL && e != ERR_OK)
		s->res.uncertain = s->state == S_DOT && smtp_out_pending(s) == 0 &&
		    s->res.naccepted > 0;
	if (s->res.lmtp)
		lmtp_unanswered(s);
	if (e == ERR_OK)
		transcript_emitf(s->tr, TR_INFO, smtp_tls_flag(s),
		    _("message accepted for %zu of %zu recipients"),
		    s->res.naccepted, s->res.nrcpts);
	s->nmsgs++;
	s->env = NULL;
	buf_free(&s->stage);
}

/* End at once: nothing more may be sent on this connection. */
void
smtp_drop(struct smtp *s)
{
	s->out_base += s->out.len;
	buf_reset(&s->out);
	s->out_off = 0;
	s->waits.len = 0;
	smtp_set_state(s, S_DONE);
}

/* Out of memory: the one way out of it. */
void
smtp_nomem(struct smtp *s)
{
	smtp_message_end(s, ERR_NOMEM, NULL);
	smtp_seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	smtp_drop(s);
}

/*
 * wire[p..len) is about to join the output and carries a secret: note
 * where, forgetting the spans already sent.  When all slots are taken
 * (never, with a handful of AUTH lines pending), the last one grows to
 * cover the new span: more is masked, never less.
 */
static void
note_secret(struct smtp *s, size_t p, size_t len)
{
	uint64_t sent = s->out_base + s->out_off;
	uint64_t start = s->out_base + s->out.len + p;
	uint64_t end = s->out_base + s->out.len + len;
	size_t i, k = 0;

	if (p >= len)
		return;
	for (i = 0; i < s->nsecret_span; i++)
		if (s->secret_span[i].end > sent)
			s->secret_span[k++] = s->secret_span[i];
	s->nsecret_span = k;
	if (k == SMTP_SPANS_MAX) {
		s->secret_span[k - 1].end = end;
		return;
	}
	s->secret_span[k].start = start;
	s->secret_span[k].end = end;
	s->nsecret_span++;
}

/* How much of wire a redacted show keeps: their common start. */
static size_t
shown_prefix(const char *show, const char *wire, size_t len)
{
	size_t i;

	for (i = 0; i < len && show[i] != '\0' && show[i] == wire[i]; i++)
		;
	return i;
}

/*
 * Queue a line.  wire is what goes out (without CRLF); show is what the
 * transcript may see, which differs only when wire carries a secret.  A
 * command (max > 0) longer than max octets with its CRLF never goes out.
 */
int
smtp_send_line(struct smtp *s, const char *show, const char *wire, size_t len,
    size_t max)
{
	if (max > 0 && len + 2 > max) {
		smtp_message_end(s, ERR_SOFTWARE, NULL);
		smtp_seterr(s, ERR_SOFTWARE, _("refusing to send a command of %zu "
		    "octets, over the %zu that SMTP allows: %.40s..."),
		    len + 2, max, show != NULL ? show : wire);
		smtp_drop(s);
		return -1;
	}
	if (show != NULL)
		note_secret(s, shown_prefix(show, wire, len), len);
	if (buf_add(&s->out, wire, len) < 0 ||
	    buf_add(&s->out, "\r\n", 2) < 0 ||
	    waits_push(&s->waits, s->out_base + s->out.len) < 0) {
		smtp_nomem(s);
		return -1;
	}
	transcript_emit(s->tr, TR_CLIENT, smtp_tls_flag(s) |
	    (show != NULL ? TR_F_REDACTED : 0), show != NULL ? show : wire,
	    show != NULL ? strlen(show) : len);
	return 0;
}

int
smtp_send_cmdf(struct smtp *s, const char *fmt, ...)
{
	va_list ap;
	char *line;
	int r;

	va_start(ap, fmt);
	line = util_vstrf(fmt, ap);
	va_end(ap);
	if (line == NULL) {
		smtp_nomem(s);
		return -1;
	}
	r = smtp_send_line(s, NULL, line, strlen(line), SMTP_CMD_MAX);
	free(line);
	return r;
}

/* End politely: QUIT, then done once it is answered or the line drops. */
void
smtp_send_quit(struct smtp *s)
{
	if (s->state == S_QUIT || s->state == S_DONE)
		return;
	if (smtp_send_cmdf(s, "QUIT") == 0)
		smtp_set_state(s, S_QUIT);
}

/* Has the DATA command (or the first BDAT) of the envelope gone out? */
int
smtp_data_sent(const struct smtp *s)
{
	return s->state == S_BODY || s->state == S_DOT ||
	    (s->env != NULL && s->queued > s->rset + 1 + s->env->nrcpts);
}

/*
 * The server broke the protocol: the message in progress is put off (a
 * temporary failure), the session ends with QUIT when the server can
 * still read one as a command, else at once.
 */
void
smtp_protocol_error(struct smtp *s, const char *fmt, ...)
{
	va_list ap;
	char *m;
	int sane = (s->state == S_GREETING || s->state == S_EHLO ||
	    s->state == S_HELO || s->state == S_READY ||
	    (s->state == S_TYPED && s->typed != C_DOT) ||
	    s->state == S_ENVELOPE) && !smtp_data_sent(s) && s->out_off == 0;

	va_start(ap, fmt);
	m = util_vstrf(fmt, ap);
	va_end(ap);
	smtp_message_end(s, ERR_PROTOCOL, NULL);
	smtp_seterr(s, ERR_PROTOCOL, "%s", m != NULL ? m : err_str(ERR_PROTOCOL));
	free(m);
	buf_reset(&s->in);
	if (!sane) {
		smtp_drop(s);
		return;
	}
	s->out_base += s->out.len;
	buf_reset(&s->out);
	s->waits.len = 0;
	smtp_send_quit(s);
}

/* The replies cannot be told apart any more: the session ends at once. */
static void
framing_error(struct smtp *s, const char *why)
{
	smtp_message_end(s, ERR_PROTOCOL, NULL);
	smtp_seterr(s, ERR_PROTOCOL, _("invalid reply from the server: %s"), why);
	buf_reset(&s->in);
	smtp_drop(s);
}

/* -- what a reply answers -------------------------------------------- */

/*
 * The engine would go idle.  With a stop point the run is a test: before
 * any message this is after EHLO or AUTH; after a message the test is
 * over, stopped as asked after the dot, or ended by the failure.
 */
void
smtp_become_ready(struct smtp *s)
{
	if (s->state == S_QUIT || s->state == S_DONE)
		return;
	if (s->env_next != NULL && s->env == NULL) {
		/* Pipelined behind the dot: its replies come next. */
		smtp_take_next(s);
		return;
	}
	if (s->o->stop_after != SMTP_STAGE_NONE && s->nmsgs == 0 &&
	    smtp_stop_point(s, s->state == S_AUTH ? SMTP_STAGE_AUTH :
	    SMTP_STAGE_EHLO, SMTP_STAGE_AUTH))
		return;
	if (s->o->stop_after != SMTP_STAGE_NONE && s->nmsgs > 0) {
		if (s->res.err != ERR_OK ||
		    !smtp_stop_point(s, SMTP_STAGE_DOT, SMTP_STAGE_DOT)) {
			if (s->o->stop_drop)
				smtp_drop(s);
			else
				smtp_send_quit(s);
		}
		return;
	}
	smtp_set_state(s, S_READY);
}



/* What the envelope reply number k answers: RSET, MAIL, RCPT *i, DATA. */
enum cmd
smtp_envelope_cmd(const struct smtp *s, size_t k, size_t *i)
{
	if (s->rset && k-- == 0)
		return C_RSET;
	if (k == 0)
		return C_MAIL;
	*i = k - 1;
	return k <= s->env->nrcpts ? C_RCPT : C_DATA;
}

/* What the next reply answers, from the phase and its progress. */
static enum cmd
expected(const struct smtp *s)
{
	size_t i;

	switch (s->state) {
	case S_GREETING:
		return C_GREETING;
	case S_EHLO:
		return C_EHLO;
	case S_HELO:
		return C_HELO;
	case S_STARTTLS:
		return C_STARTTLS;
	case S_AUTH:
		return C_AUTH;
	case S_ENVELOPE:
		return smtp_envelope_cmd(s, s->taken, &i);
	case S_BODY:
		return C_BDAT;
	case S_DOT:
		return smtp_use_bdat(s) && s->bdat_out > 1 ? C_BDAT : C_DOT;
	case S_TYPED:
		return s->typed;
	case S_QUIT:
		return C_QUIT;
	default:
		return C_NONE;
	}
}

/* Does the reply code fit the command (RFC 5321 4.3.2)? */
static int
fits(enum cmd c, int code)
{
	if (code / 100 >= 4 || c == C_TYPED)
		return 1;
	switch (c) {
	case C_GREETING:
	case C_STARTTLS:
		return code == 220;
	case C_AUTH:
		return code == 235 || code == 334;
	case C_DATA:
		return code == 354;
	default:
		return code / 100 == 2;
	}
}

/* -- input ------------------------------------------------------------ */

/* Emit each line of a reply as a TR_SERVER event. */
static void
emit_reply_lines(struct smtp *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t n;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		transcript_emit(s->tr, TR_SERVER, smtp_tls_flag(s), p, n);
		p = nl + 1;
	}
}

/*
 * After the last line of a reply that carries an enhanced status code
 * (RFC 3463, at the start of its text, of the reply's class), a note
 * saying what the code means: "5.1.1: the recipient's mailbox does not
 * exist".  A 2.x.0 says no more than its 250 and gets none.
 */
static void
explain_reply(struct smtp *s, const struct smtp_reply *r)
{
	unsigned cls, detail;
	struct buf b;

	if (s->tr == NULL || r->enhanced[0] == '\0' ||
	    smtpdoc_code_parse(r->enhanced, strlen(r->enhanced), &cls, NULL,
	    &detail) == 0 || (cls == 2 && detail == 0))
		return;
	buf_init(&b, SMTP_LINE_MAX);
	if (smtpdoc_reply(r->text, &b) == 1)
		transcript_emit(s->tr, TR_INFO, smtp_tls_flag(s), buf_str(&b),
		    b.len);
	buf_free(&b);
}

/* RFC 5321 3.8: 421 means the server is going away. */
static void
on_421(struct smtp *s, enum cmd c, const struct smtp_reply *r)
{
	smtp_message_end(s, ERR_TEMPFAIL, c == C_DOT ? r : NULL);
	smtp_seterr(s, ERR_TEMPFAIL, _("the server is closing the connection: "
	    "%s"), smtp_reply_line(r));
	smtp_drop(s);
}

static void take_reply_(struct smtp *s, const struct smtp_reply *r);

static void
take_reply(struct smtp *s, const struct smtp_reply *r)
{
	take_reply_(s, r);
	if (s->err == ERR_OK)
		smtp_sync_stage(s);
}

static void
take_reply_(struct smtp *s, const struct smtp_reply *r)
{
	enum cmd c = expected(s);

	if (s->waits.len == 0 ||
	    s->waits.end[s->waits.head] > s->out_base + s->out_off) {
		/* In QUIT, what was on its way before it does not matter. */
		if (s->state != S_QUIT)
			smtp_protocol_error(s, _("the server sent a reply nothing "
			    "asked for: %s"), smtp_reply_line(r));
		return;
	}
	waits_pop(&s->waits);
	s->serial++;
	s->last = c;
	if (c == C_QUIT)
		smtp_set_state(s, S_DONE);
	else if (r->code == 421)
		on_421(s, c, r);
	else if (!fits(c, r->code))
		smtp_protocol_error(s, _("the server answered %s with a reply that "
		    "does not fit it: %s"), cmd_label(s, c), smtp_reply_line(r));
	else if (s->state == S_GREETING)
		smtp_on_greeting(s, r);
	else if (s->state == S_EHLO)
		smtp_on_ehlo(s, r);
	else if (s->state == S_HELO)
		smtp_on_helo(s, r);
	else if (s->state == S_STARTTLS)
		smtp_on_starttls(s, r);
	else if (s->state == S_AUTH)
		smtp_on_auth(s, r);
	else if (s->state == S_ENVELOPE)
		smtp_on_envelope(s, r);
	else if (s->state == S_TYPED)
		smtp_on_typed(s, c, r);
	else
		smtp_on_final(s, r);
}

static void
process_input(struct smtp *s)
{
	struct smtp_reply r;
	const char *why = NULL;
	long n;

	while (s->in.len > 0 && s->state != S_DONE && s->hold == H_NONE) {
		if (s->state == S_TLS) {
			smtp_protocol_error(s, _("the server sent data before the "
			    "TLS handshake"));
			return;
		}
		n = smtp_parse_reply(s->in.data, s->in.len, &r, &why);
		if (n < 0) {
			/* Show what we refused, escaped, then stop. */
			emit_reply_lines(s, s->in.data, s->in.len <
			    SMTP_LINE_MAX ? s->in.len : SMTP_LINE_MAX);
			framing_error(s, why);
			return;
		}
		if (n == 0)
			return;
		emit_reply_lines(s, s->in.data, (size_t)n);
		explain_reply(s, &r);
		buf_consume(&s->in, (size_t)n);
		take_reply(s, &r);
		smtp_reply_free(&r);
	}
}

void
smtp_feed(struct smtp *s, const char *buf, size_t len)
{
	if (s->state == S_DONE || len == 0)
		return;
	if (buf_add(&s->in, buf, len) < 0) {
		framing_error(s, _("too many bytes without the end of a "
		    "reply"));
		return;
	}
	process_input(s);
}

/* -- the ways a session ends early ------------------------------------ */

void
smtp_eof(struct smtp *s)
{
	if (s->state == S_DONE)
		return;
	if (s->state == S_QUIT) {
		smtp_set_state(s, S_DONE);
		return;
	}
	if (s->env != NULL) {
		smtp_message_end(s, ERR_CLOSED, NULL);
		smtp_seterr(s, ERR_CLOSED, s->res.uncertain ?
		    _("the server closed the connection after the message "
		    "was sent but before it confirmed it: it may or may not "
		    "have been delivered") :
		    _("the server closed the connection in the middle of the "
		    "message"));
	} else {
		smtp_seterr(s, ERR_CLOSED, _("the server closed the connection "
		    "(state %s)"), state_names[s->state]);
	}
	smtp_drop(s);
}

void
smtp_connected(struct smtp *s)
{
	if (s->state != S_GREETING || s->cur_stage != SMTP_STAGE_CONNECT)
		return;
	if (s->o->stop_drop && smtp_stop_point(s, SMTP_STAGE_CONNECT,
	    SMTP_STAGE_CONNECT))
		return;
	s->cur_stage = s->o->tls == SMTP_TLS_IMPLICIT ? SMTP_STAGE_TLS :
	    SMTP_STAGE_GREETING;
	transcript_set_stage(s->tr, smtp_stage_name(s->cur_stage));
	/* Implicit TLS pauses after its handshake instead. */
	if (s->o->tls != SMTP_TLS_IMPLICIT)
		(void)smtp_hold(s, H_READ);
}

void
smtp_resume(struct smtp *s, enum hold h)
{
	switch (h) {
	case H_EHLO:
		smtp_send_ehlo(s);
		break;
	case H_AFTER_EHLO:
		smtp_after_ehlo_go(s);
		break;
	case H_READ:
	case H_NONE:
		break;
	}
	if (s->err == ERR_OK)
		smtp_sync_stage(s);
	process_input(s);
}

void
smtp_tls_done(struct smtp *s, int ok)
{
	if (s->state == S_GREETING && s->cur_stage == SMTP_STAGE_TLS) {
		/* Implicit TLS: the greeting comes next. */
		if (ok && s->o->stop_drop && smtp_stop_point(s, SMTP_STAGE_TLS,
		    SMTP_STAGE_TLS))
			return;
		if (ok) {
			s->cur_stage = SMTP_STAGE_GREETING;
			transcript_set_stage(s->tr, smtp_stage_name(s->cur_stage));
			(void)smtp_hold(s, H_READ);
		}
		return;
	}
	if (s->state != S_TLS)
		return;
	if (!ok) {
		smtp_seterr(s, ERR_TLS, _("the TLS handshake failed"));
		smtp_drop(s);
		return;
	}
	/* RFC 3207: forget everything learned in clear text. */
	s->tls_active = 1;
	smtp_caps_clear(&s->caps);
	buf_reset(&s->in);
	if (!smtp_stop_point(s, SMTP_STAGE_TLS, SMTP_STAGE_TLS) &&
	    !smtp_hold(s, H_EHLO))
		smtp_send_ehlo(s);
}

void
smtp_timeout(struct smtp *s)
{
	enum smtp_timer t = smtp_timer(s);
	enum cmd c = expected(s);
	int sec = timer_seconds(s, t);

	if (s->state == S_DONE || s->state == S_QUIT) {
		smtp_set_state(s, S_DONE);
		return;
	}
	smtp_message_end(s, ERR_TIMEOUT, NULL);
	if (t == SMTP_T_DATA_BLOCK)
		smtp_seterr(s, ERR_TIMEOUT, _("the server took no message data "
		    "for %d seconds (%s_timeout)"), sec, timer_names[t]);
	else if (t == SMTP_T_TLS && s->state == S_TLS)
		smtp_seterr(s, ERR_TIMEOUT, _("the TLS handshake did not end within "
		    "%d seconds (%s_timeout)"), sec, timer_names[t]);
	else
		smtp_seterr(s, ERR_TIMEOUT, _("no complete reply to %s within %d "
		    "seconds (%s_timeout)"), cmd_label(s, c), sec,
		    timer_names[t]);
	smtp_drop(s);
}

void
smtp_abort(struct smtp *s, enum err e, const char *why)
{
	if (s->state == S_DONE)
		return;
	smtp_message_end(s, e, NULL);
	smtp_seterr(s, e, "%s", why != NULL ? why : err_str(e));
	smtp_drop(s);
}

void
smtp_stop(struct smtp *s, const char *why)
{
	if (s->state == S_DONE || s->state == S_QUIT)
		return;
	if (s->state == S_READY || (s->state == S_ENVELOPE && !smtp_data_sent(s) &&
	    (smtp_piped(s) || s->waits.len == 0))) {
		smtp_message_end(s, ERR_CANCEL, NULL);
		smtp_seterr(s, ERR_CANCEL, "%s", why != NULL ? why :
		    err_str(ERR_CANCEL));
		smtp_send_quit(s);
		return;
	}
	smtp_abort(s, ERR_CANCEL, why);
}

enum smtp_timer
smtp_timer(const struct smtp *s)
{
	if (s->state == S_TLS)
		return SMTP_T_TLS;
	if (s->state == S_BODY || (s->state == S_DOT && smtp_out_pending(s) > 0))
		return SMTP_T_DATA_BLOCK;
	return cmd_timers[expected(s)];
}

int
smtp_timeout_ms(const struct smtp *s)
{
	return timer_seconds(s, smtp_timer(s)) * 1000;
}

unsigned long
smtp_wait_serial(const struct smtp *s)
{
	return s->serial;
}

void
smtp_quit(struct smtp *s)
{
	if (s->state == S_READY)
		smtp_send_quit(s);
}

/* -- life cycle and queries ------------------------------------------- */

struct smtp *
smtp_new(const struct smtp_opts *opts, struct transcript *tr)
{
	struct smtp *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->o = opts;
	s->tr = tr;
	s->auth_mech = -1;
	s->tls_active = opts->tls == SMTP_TLS_IMPLICIT;
	buf_init(&s->in, SMTP_IN_MAX);
	buf_init(&s->out, SMTP_OUT_MAX);
	buf_init(&s->stage, SMTP_OUT_MAX);
	buf_init(&s->auth_ir, 64 * 1024);
	buf_init(&s->step_next, 1024);
	s->typed_next = C_MAIL;
	s->state = S_GREETING;
	s->cur_stage = SMTP_STAGE_CONNECT;
	transcript_set_stage(tr, smtp_stage_name(s->cur_stage));
	/* The greeting is the answer to connecting: it waits for nothing. */
	if ((opts->secret != NULL &&
	    (s->secret = strdup(opts->secret)) == NULL) ||
	    waits_push(&s->waits, 0) < 0) {
		smtp_free(s);
		return NULL;
	}
	return s;
}

void
smtp_free(struct smtp *s)
{
	if (s == NULL)
		return;
	util_free_secret(s->secret);
	sasl_free(s->sasl);
	free(s->auth_why);
	buf_free_secret(&s->auth_ir);
	smtp_caps_clear(&s->caps);
	buf_free(&s->in);
	/* The output may hold an AUTH response. */
	buf_free_secret(&s->out);
	buf_free(&s->stage);
	buf_free(&s->step_next);
	free(s->waits.end);
	free(s->errstr);
	smtp_result_clear(&s->res);
	smtp_result_clear(&s->prev);
	free(s->next_rcpt);
	free(s);
}

unsigned
smtp_want(const struct smtp *s)
{
	unsigned w = 0;

	if (s->state == S_DONE)
		return SMTP_DONE;
	if (smtp_out_pending(s) > 0)
		w |= SMTP_WANT_WRITE;
	/* Step mode: paused, input left unread until the user goes on. */
	if (s->hold != H_NONE || s->state == S_TYPED_DATA ||
	    (s->o->hold && s->state == S_READY && s->waits.len == 0))
		return w | SMTP_HELD;
	if (s->state == S_TLS) {
		/* The handshake starts once the STARTTLS line is out. */
		return w ? w : SMTP_WANT_TLS;
	}
	if (s->waits.len > 0)
		w |= SMTP_WANT_READ;
	/* After a refused chunk, only to be told the end; data ignored. */
	if (s->state == S_BODY && (s->res.reply.code != 0 ||
	    (smtp_out_pending(s) < SMTP_BODY_LOW &&
	    !(smtp_use_bdat(s) && !smtp_piped(s) && s->bdat_out > 0))))
		w |= SMTP_WANT_BODY;
	if (s->state == S_READY && s->waits.len == 0)
		w |= SMTP_READY;
	if (smtp_next_ok(s))
		w |= SMTP_NEXT;
	return w;
}

enum err
smtp_error(const struct smtp *s, const char **detail)
{
	if (detail != NULL)
		*detail = s->errstr != NULL ? s->errstr : err_str(s->err);
	return s->err;
}

const struct smtp_result *
smtp_result(const struct smtp *s)
{
	return &s->res;
}

unsigned
smtp_messages_done(const struct smtp *s)
{
	return s->nmsgs;
}

unsigned
smtp_messages_begun(const struct smtp *s)
{
	return s->begun;
}

const struct smtp_result *
smtp_result_of(const struct smtp *s, unsigned k)
{
	/* A queued envelope with no reply yet: no verdicts. */
	static const struct smtp_result none;

	if (s->begun > 0 && k == s->res_seq)
		return &s->res;
	if (s->have_prev && k == s->prev_seq)
		return &s->prev;
	if (s->env_next != NULL && k == s->res_seq + 1)
		return &none;
	return NULL;
}

const struct smtp_caps *
smtp_caps(const struct smtp *s)
{
	return &s->caps;
}

int
smtp_tls_active(const struct smtp *s)
{
	return s->tls_active;
}

enum smtp_stage
smtp_stage(const struct smtp *s)
{
	return s->err != ERR_OK ? s->err_stage : s->cur_stage;
}

const char *
smtp_state_name(const struct smtp *s)
{
	return state_names[s->state];
}

const char *
smtp_auth_mech(const struct smtp *s)
{
	return s->auth_mech >= 0 ?
	    sasl_mech_name((enum sasl_mech)s->auth_mech) : NULL;
}
