/* smtp_hello.c - the start of the SMTP conversation: the greeting, EHLO (or LHLO, or HELO) and STARTTLS, and what follows them: TLS, AUTH or ready. */
/* SPDX-License-Identifier: ISC */
#include "smtp_int.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

/* -- the greeting, EHLO, STARTTLS ------------------------------------- */

void
smtp_on_greeting(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code == 220) {
		/* A QUIT needs the greeting: connect stops here too. */
		if (!smtp_stop_point(s, SMTP_STAGE_GREETING,
		    s->o->tls == SMTP_TLS_IMPLICIT ? SMTP_STAGE_TLS :
		    SMTP_STAGE_GREETING) && !smtp_hold(s, H_EHLO))
			smtp_send_ehlo(s);
	} else if (r->code == 554) {
		smtp_seterr(s, ERR_PERMFAIL, _("the server refuses service: %s"),
		    smtp_reply_line(r));
		smtp_send_quit(s);
	} else {
		smtp_seterr(s, r->code / 100 == 4 ? ERR_TEMPFAIL : ERR_PROTOCOL,
		    _("the server is not available: %s"), smtp_reply_line(r));
		smtp_send_quit(s);
	}
}

void
smtp_send_ehlo(struct smtp *s)
{
	const char *name = s->o->helo != NULL ? s->o->helo : "localhost";

	if (!smtp_helo_ok(name)) {
		smtp_seterr(s, ERR_CONFIG, _("the %s name must be a domain or an "
		    "address literal of at most %d characters, without "
		    "spaces: set helo in pigeon.conf"), smtp_hello_word(s),
		    SMTP_DOMAIN_MAX);
		smtp_send_quit(s);
		return;
	}
	if (smtp_send_cmdf(s, "%s %s", smtp_hello_word(s), name) == 0)
		smtp_set_state(s, S_EHLO);
}


/* Opportunistic TLS goes on without TLS: say so, loudly. */
static void
plain_fallback(struct smtp *s, const char *why)
{
	s->tls_skipped = 1;
	transcript_emitf(s->tr, TR_WARN, TR_F_LOUD, _("%s: continuing "
	    "WITHOUT TLS, everything in plain text (opportunistic TLS)"), why);
}

/* What smtp_after_ehlo_go() sends: "STARTTLS", "AUTH", or NULL (ready, or an error). */
const char *
smtp_after_ehlo_next(const struct smtp *s)
{
	if (s->o->tls == SMTP_TLS_OPPORTUNISTIC && !s->tls_active &&
	    !s->tls_skipped && (s->caps.flags & SMTP_CAP_STARTTLS))
		return "STARTTLS";
	if (s->o->tls == SMTP_TLS_STARTTLS && !s->tls_active)
		return (s->caps.flags & SMTP_CAP_STARTTLS) ? "STARTTLS" : NULL;
	if (s->o->user != NULL && s->sasl == NULL)
		return "AUTH";
	return NULL;
}

/* After a successful EHLO/HELO; step mode pauses before STARTTLS or AUTH. */
static void
after_ehlo(struct smtp *s)
{
	if (smtp_after_ehlo_next(s) != NULL && smtp_hold(s, H_AFTER_EHLO))
		return;
	smtp_after_ehlo_go(s);
}

/* TLS first, then AUTH, then ready. */
void
smtp_after_ehlo_go(struct smtp *s)
{
	if (s->o->tls == SMTP_TLS_OPPORTUNISTIC && !s->tls_active &&
	    !s->tls_skipped) {
		if (s->caps.flags & SMTP_CAP_STARTTLS) {
			if (smtp_send_cmdf(s, "STARTTLS") == 0)
				smtp_set_state(s, S_STARTTLS);
			return;
		}
		plain_fallback(s, _("the server does not offer STARTTLS"));
	}
	if (s->o->tls == SMTP_TLS_STARTTLS && !s->tls_active) {
		if (!(s->caps.flags & SMTP_CAP_STARTTLS)) {
			smtp_seterr(s, ERR_NOTLS, _("the server does not offer "
			    "STARTTLS, and this account requires TLS; "
			    "nothing was sent"));
			smtp_send_quit(s);
		} else if (smtp_send_cmdf(s, "STARTTLS") == 0) {
			smtp_set_state(s, S_STARTTLS);
		}
		return;
	}
	if (s->o->user != NULL && s->sasl == NULL) {
		if (!smtp_stop_point(s, SMTP_STAGE_EHLO, SMTP_STAGE_EHLO))
			smtp_start_auth(s);
	} else {
		smtp_become_ready(s);
	}
}

void
smtp_on_ehlo(struct smtp *s, const struct smtp_reply *r)
{
	const char *name = s->o->helo != NULL ? s->o->helo : "localhost";
	int rc;

	if (r->code == 250) {
		rc = smtp_caps_parse(&s->caps, r);
		if (rc == -2)
			smtp_protocol_error(s, _("the server lists more than %d "
			    "authentication mechanisms"), SMTP_MECHS_MAX);
		else if (rc < 0)
			smtp_nomem(s);
		else
			after_ehlo(s);
		return;
	}
	if (r->code / 100 == 5 && s->o->lmtp) {
		/* LMTP has no HELO (RFC 2033 4.1). */
		smtp_seterr(s, ERR_PERMFAIL, _("the server refused LHLO: %s"),
		    smtp_reply_line(r));
		smtp_send_quit(s);
		return;
	}
	if (r->code / 100 == 5 &&
	    (s->o->tls == SMTP_TLS_NONE ||
	    s->o->tls == SMTP_TLS_OPPORTUNISTIC || s->tls_active)) {
		/* Ancient servers know only HELO; fine when TLS is not needed. */
		if (smtp_send_cmdf(s, "HELO %s", name) == 0)
			smtp_set_state(s, S_HELO);
		return;
	}
	if (r->code / 100 == 5)
		smtp_seterr(s, ERR_NOTLS, _("the server refused EHLO, so it "
		    "cannot offer STARTTLS, and this account requires TLS: "
		    "%s"), smtp_reply_line(r));
	else
		smtp_seterr(s, ERR_TEMPFAIL, _("the server refused %s for now: "
		    "%s"), smtp_hello_word(s), smtp_reply_line(r));
	smtp_send_quit(s);
}

void
smtp_on_helo(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code / 100 != 2) {
		smtp_seterr(s, r->code / 100 == 4 ? ERR_TEMPFAIL : ERR_PERMFAIL,
		    _("the server refused HELO: %s"), smtp_reply_line(r));
		smtp_send_quit(s);
		return;
	}
	smtp_caps_clear(&s->caps);
	if ((s->caps.server = strdup(smtp_reply_text(r))) == NULL) {
		smtp_nomem(s);
		return;
	}
	after_ehlo(s);
}

void
smtp_on_starttls(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code != 220 && s->o->tls == SMTP_TLS_OPPORTUNISTIC) {
		char *why = util_strf(_("the server refused STARTTLS (%s)"),
		    smtp_reply_line(r));

		/* The server stays in the command state: go on as before. */
		plain_fallback(s, why != NULL ? why :
		    _("the server refused STARTTLS"));
		free(why);
		after_ehlo(s);
		return;
	}
	if (r->code != 220) {
		if (r->code / 100 == 4)
			smtp_seterr(s, ERR_TLS, _("the server cannot start TLS now: "
			    "%s"), smtp_reply_line(r));
		else
			smtp_seterr(s, ERR_NOTLS, _("the server refused STARTTLS: "
			    "%s"), smtp_reply_line(r));
		smtp_send_quit(s);
		return;
	}
	/*
	 * Anything the server sent after its 220 was sent in clear text
	 * and would be read as if it came through TLS: that is the
	 * STARTTLS command injection attack.  Refuse it.
	 */
	if (s->in.len > 0) {
		smtp_seterr(s, ERR_PROTOCOL, _("the server sent %zu bytes after its "
		    "220 reply to STARTTLS, before TLS started; they could be "
		    "injected by an attacker, so the connection was dropped"),
		    s->in.len);
		buf_reset(&s->in);
		smtp_drop(s);
		return;
	}
	smtp_set_state(s, S_TLS);
}
