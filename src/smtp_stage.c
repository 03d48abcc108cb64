/* smtp_stage.c - the stages of the conversation as a user names them (connect ... dot), kept in the transcript, and the stop points of a test run (--quit-after, --drop-after). */
/* SPDX-License-Identifier: ISC */
#include "smtp_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "util.h"

#define STAGE_NAME_(name, str) str,
static const char *const stage_names[] = { SMTP_STAGE_TABLE(STAGE_NAME_) };
#undef STAGE_NAME_

const char *
smtp_stage_name(enum smtp_stage st)
{
	return (unsigned)st < SMTP_STAGE_COUNT_ ? stage_names[st] : "";
}

int
smtp_stage_parse(const char *name, enum smtp_stage *st)
{
	static const struct {
		const char *alias;
		enum smtp_stage st;
	} aliases[] = {
		{ "banner", SMTP_STAGE_GREETING },
		{ "helo", SMTP_STAGE_EHLO },
		{ "lhlo", SMTP_STAGE_EHLO },
		{ "starttls", SMTP_STAGE_TLS },
		{ "from", SMTP_STAGE_MAIL },
		{ "to", SMTP_STAGE_RCPT },
	};
	size_t i;

	for (i = SMTP_STAGE_CONNECT; i < SMTP_STAGE_QUIT; i++)
		if (strcasecmp(name, stage_names[i]) == 0) {
			*st = (enum smtp_stage)i;
			return 0;
		}
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcasecmp(name, aliases[i].alias) == 0) {
			*st = aliases[i].st;
			return 0;
		}
	return -1;
}

/* The stage the state and the next reply awaited make. */
static enum smtp_stage
stage_now(const struct smtp *s)
{
	size_t i;

	switch (s->state) {
	case S_GREETING:
		return s->cur_stage == SMTP_STAGE_CONNECT ? SMTP_STAGE_CONNECT :
		    s->cur_stage == SMTP_STAGE_TLS ? SMTP_STAGE_TLS :
		    SMTP_STAGE_GREETING;
	case S_EHLO:
	case S_HELO:
		return SMTP_STAGE_EHLO;
	case S_STARTTLS:
	case S_TLS:
		return SMTP_STAGE_TLS;
	case S_AUTH:
		return SMTP_STAGE_AUTH;
	case S_ENVELOPE:
		switch (smtp_envelope_cmd(s, s->taken, &i)) {
		case C_RCPT:
			return SMTP_STAGE_RCPT;
		case C_DATA:
			return SMTP_STAGE_DATA;
		default:
			return SMTP_STAGE_MAIL;
		}
	case S_BODY:
		return SMTP_STAGE_DATA;
	case S_DOT:
		return SMTP_STAGE_DOT;
	case S_TYPED:
		return s->typed == C_MAIL ? SMTP_STAGE_MAIL :
		    s->typed == C_RCPT ? SMTP_STAGE_RCPT :
		    s->typed == C_DATA ? SMTP_STAGE_DATA :
		    s->typed == C_DOT ? SMTP_STAGE_DOT : s->cur_stage;
	case S_TYPED_DATA:
		return SMTP_STAGE_DATA;
	case S_QUIT:
		return SMTP_STAGE_QUIT;
	default:
		return s->cur_stage;
	}
}

/* The transcript learns of each new stage. */
void
smtp_sync_stage(struct smtp *s)
{
	enum smtp_stage st = stage_now(s);

	if (st == s->cur_stage)
		return;
	s->cur_stage = st;
	transcript_set_stage(s->tr, stage_names[st]);
}

/* Is the stop point at passed or before it? */
int
smtp_stop_wanted(const struct smtp *s, enum smtp_stage passed)
{
	return s->o->stop_after != SMTP_STAGE_NONE &&
	    s->o->stop_after <= passed;
}

/*
 * Stop here if the stop point is at passed or before it (a stage this
 * connection does not have, like tls on a plain one, is passed by the
 * next one there is).  reached names where: the session ends with
 * ERR_STOPPED, after QUIT or dropped; a message in progress ends with
 * ERR_STOPPED too.  1 when it stopped.
 */
int
smtp_stop_point(struct smtp *s, enum smtp_stage reached,
    enum smtp_stage passed)
{
	/* After the 354 a QUIT would be message data: drop. */
	int hard = s->o->stop_drop ||
	    (reached == SMTP_STAGE_DATA && !smtp_use_bdat(s));
	char *m;

	if (!smtp_stop_wanted(s, passed) || s->err != ERR_OK)
		return 0;
	smtp_message_end(s, ERR_STOPPED, NULL);
	s->cur_stage = reached;
	s->err = ERR_STOPPED;
	s->err_stage = reached;
	m = util_strf(hard ? _("stopped after %s as asked: the connection "
	    "is closed without QUIT") : _("stopped after %s as asked: QUIT"),
	    smtp_stage_name(reached));
	if (m != NULL) {
		free(s->errstr);
		s->errstr = m;
		transcript_emit(s->tr, TR_INFO, smtp_tls_flag(s), m, strlen(m));
	}
	if (hard)
		smtp_drop(s);
	else
		smtp_send_quit(s);
	return 1;
}
