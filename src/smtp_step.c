/* smtp_step.c - step mode of the engine: pauses before each stage, and SMTP lines the user types once TLS and AUTH are done, checked, sent, and followed through MAIL, RCPT and DATA. */
/* SPDX-License-Identifier: ISC */
#include "smtp_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "util.h"

/* RFC 5321 4.5.3.1.6: a line of message data, CRLF included. */
#define STEP_DATA_MAX  1000

int
smtp_hold(struct smtp *s, enum hold h)
{
	if (!s->o->hold || s->err != ERR_OK || s->state == S_QUIT ||
	    s->state == S_DONE)
		return 0;
	if (s->step_quit) {
		/* Instead of the next stage. */
		smtp_send_quit(s);
		return 1;
	}
	s->hold = h;
	s->serial++;
	return 1;
}

const char *
smtp_step_next(struct smtp *s)
{
	const char *addr;
	int r;

	switch (s->hold) {
	case H_READ:
		return "greeting";
	case H_EHLO:
		return smtp_hello_word(s);
	case H_AFTER_EHLO:
		return smtp_after_ehlo_next(s);
	case H_NONE:
		break;
	}
	if (smtp_step_typing(s) != SMTP_STEP_COMMAND)
		return NULL;
	buf_reset(&s->step_next);
	switch (s->typed_next) {
	case C_MAIL:
		addr = s->o->step_from;
		r = addr == NULL ? -1 : (buf_addstr(&s->step_next,
		    "MAIL FROM:<") < 0 || buf_addstr(&s->step_next, addr) < 0 ||
		    buf_addch(&s->step_next, '>') < 0) ? -1 : 0;
		break;
	case C_RCPT:
		addr = s->o->step_rcpt;
		r = addr == NULL ? -1 : (buf_addstr(&s->step_next,
		    "RCPT TO:<") < 0 || buf_addstr(&s->step_next, addr) < 0 ||
		    buf_addch(&s->step_next, '>') < 0) ? -1 : 0;
		break;
	case C_DATA:
		r = buf_addstr(&s->step_next, "DATA");
		break;
	default:
		r = -1;
		break;
	}
	return r < 0 ? NULL : buf_str(&s->step_next);
}

int
smtp_step_go(struct smtp *s)
{
	enum hold h = s->hold;
	const char *next;
	char *line, *why = NULL;
	enum err e;

	if (h != H_NONE) {
		s->hold = H_NONE;
		s->serial++;
		smtp_resume(s, h);
		return 0;
	}
	if ((next = smtp_step_next(s)) == NULL)
		return -1;
	/* step_next is the engine's: take a copy before sending. */
	if ((line = strdup(next)) == NULL) {
		smtp_nomem(s);
		return -1;
	}
	e = smtp_step_line(s, line, strlen(line), &why);
	free(line);
	free(why);
	return e == ERR_OK ? 0 : -1;
}

enum smtp_step_typing
smtp_step_typing(const struct smtp *s)
{
	if (!s->o->hold || s->hold != H_NONE || s->waits.len > 0)
		return SMTP_STEP_NONE;
	if (s->state == S_READY)
		return SMTP_STEP_COMMAND;
	if (s->state == S_TYPED_DATA)
		return SMTP_STEP_DATA;
	return SMTP_STEP_NONE;
}

/* Is the command's first word w (case ignored)? */
static int
word_is(const char *line, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && strncasecmp(line, w, n) == 0 &&
	    (len == n || line[n] == ' ');
}

int
smtp_step_check(const char *line, size_t len, int data, const char **why)
{
	if (memchr(line, '\r', len) != NULL || memchr(line, '\n', len) != NULL ||
	    memchr(line, '\0', len) != NULL) {
		*why = _("a line may not hold CR, LF or NUL: pigeon ends each "
		    "line with CRLF itself");
		return -1;
	}
	if (data) {
		if (len + 2 > STEP_DATA_MAX) {
			*why = _("a line of message data may have at most 1000 "
			    "octets with its CRLF (RFC 5321 4.5.3.1.6)");
			return -1;
		}
		return 0;
	}
	if (len == 0) {
		*why = _("an empty line is no command");
		return -1;
	}
	if (len + 2 > SMTP_CMD_MAX) {
		*why = _("a command line may have at most 512 octets with its "
		    "CRLF (RFC 5321 4.5.3.1.4): not sent");
		return -1;
	}
	if (word_is(line, len, "STARTTLS")) {
		*why = _("pigeon starts TLS itself before it takes typed "
		    "commands (use an smtp:// URL for STARTTLS); a second "
		    "STARTTLS is not allowed (RFC 3207 4.2)");
		return -1;
	}
	if (word_is(line, len, "AUTH")) {
		*why = _("pigeon logs in itself with the account's credentials "
		    "(the exchange is shown decoded, secrets redacted); a "
		    "typed AUTH would put the secret in the transcript, and a "
		    "second AUTH is not allowed (RFC 4954 4)");
		return -1;
	}
	if (word_is(line, len, "BDAT")) {
		*why = _("BDAT carries its data right after the command, which "
		    "a typed line cannot give: use DATA");
		return -1;
	}
	return 0;
}

/* What a typed command is, for following the transaction. */
static enum cmd
typed_cmd(const char *line, size_t len)
{
	static const struct {
		const char *word;
		enum cmd c;
	} words[] = {
		{ "MAIL", C_MAIL }, { "RCPT", C_RCPT }, { "DATA", C_DATA },
		{ "RSET", C_RSET }, { "QUIT", C_QUIT }, { "EHLO", C_EHLO },
		{ "HELO", C_EHLO }, { "LHLO", C_EHLO },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (word_is(line, len, words[i].word))
			return words[i].c;
	return C_TYPED;
}

/* A line of typed message data, dot-stuffed; a lone dot ends it. */
static enum err
typed_data(struct smtp *s, const char *line, size_t len)
{
	size_t start = s->out.len;
	int end = len == 1 && line[0] == '.';

	if ((!end && len > 0 && line[0] == '.' &&
	    buf_addch(&s->out, '.') < 0) || buf_add(&s->out, line, len) < 0 ||
	    buf_add(&s->out, "\r\n", 2) < 0 ||
	    (end && smtp_await(s, s->out_base + s->out.len) < 0)) {
		smtp_nomem(s);
		return ERR_NOMEM;
	}
	transcript_emit(s->tr, TR_CLIENT, smtp_tls_flag(s),
	    s->out.data + start, s->out.len - start - 2);
	if (end) {
		s->typed = C_DOT;
		smtp_set_state(s, S_TYPED);
	}
	s->serial++;
	return ERR_OK;
}

enum err
smtp_step_line(struct smtp *s, const char *line, size_t len, char **errstr)
{
	enum smtp_step_typing t = smtp_step_typing(s);
	const char *why;
	enum cmd c;

	*errstr = NULL;
	if (t == SMTP_STEP_NONE) {
		why = _("pigeon takes typed commands once TLS and AUTH are done "
		    "and while no reply is awaited");
		transcript_emitf(s->tr, TR_WARN, 0, _("not sent: %s"), why);
		*errstr = strdup(why);
		return ERR_USAGE;
	}
	if (smtp_step_check(line, len, t == SMTP_STEP_DATA, &why) < 0) {
		transcript_emitf(s->tr, TR_WARN, 0, _("not sent: %s"), why);
		*errstr = strdup(why);
		return ERR_USAGE;
	}
	if (t == SMTP_STEP_DATA)
		return typed_data(s, line, len);
	c = typed_cmd(line, len);
	if (smtp_send_line(s, NULL, line, len, SMTP_CMD_MAX) < 0)
		return s->err;
	s->typed = c;
	smtp_set_state(s, c == C_QUIT ? S_QUIT : S_TYPED);
	return ERR_OK;
}

/* A reply to a typed command in words, after the server's. */
static void
typed_verdict(struct smtp *s, enum cmd c, int code)
{
	const char *m;

	if (c == C_DATA && code == 354)
		m = _("the server waits for the message: type its lines "
		    "(headers, an empty line, the text), then a line with a "
		    "single dot");
	else if (code == 500 || code == 502)
		m = _("the server does not know this command, or does not "
		    "take it now");
	else if (code == 501)
		m = _("the server does not take these arguments");
	else if (code == 503)
		m = _("bad sequence of commands: something else must come "
		    "first (MAIL, then RCPT, then DATA)");
	else if (code / 100 == 5)
		m = _("refused for good: the same command will fail again");
	else if (code / 100 == 4)
		m = _("refused for now: a temporary failure, it may work "
		    "later");
	else if (c == C_DOT)
		m = _("the server accepted the message");
	else
		return;
	transcript_emit(s->tr, TR_INFO, smtp_tls_flag(s), m, strlen(m));
}

void
smtp_on_typed(struct smtp *s, enum cmd c, const struct smtp_reply *r)
{
	int ok = r->code / 100 == 2;

	typed_verdict(s, c, r->code);
	if (c == C_DATA && r->code == 354) {
		smtp_set_state(s, S_TYPED_DATA);
		return;
	}
	if (c == C_MAIL && ok)
		s->typed_next = C_RCPT;
	else if (c == C_RCPT && ok)
		s->typed_next = C_DATA;
	else if (c == C_DOT || ((c == C_RSET || c == C_EHLO) && ok))
		s->typed_next = C_MAIL;
	smtp_set_state(s, S_READY);
}

void
smtp_step_quit(struct smtp *s)
{
	if (s->state == S_DONE || s->state == S_QUIT)
		return;
	/* Within the data a QUIT would be a line of the message. */
	if (s->state == S_TYPED_DATA || (s->state == S_TYPED &&
	    s->typed == C_DOT)) {
		smtp_abort(s, ERR_CANCEL, _("ended by the user within the "
		    "message data: the connection is closed, the message is "
		    "not sent"));
		return;
	}
	/* QUIT may only follow the greeting: read it first. */
	if (s->hold == H_READ) {
		s->step_quit = 1;
		s->hold = H_NONE;
		s->serial++;
		smtp_resume(s, H_READ);
		return;
	}
	s->hold = H_NONE;
	/* A reply is awaited: it cannot be told from the one to QUIT. */
	if (s->waits.len > 0) {
		smtp_abort(s, ERR_CANCEL, _("ended by the user"));
		return;
	}
	smtp_send_quit(s);
}
