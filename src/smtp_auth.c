/* smtp_auth.c - the engine's AUTH phase (RFC 4954): the mechanism chosen, challenges answered through sasl.c, each challenge and (on request) each answer told in words in the transcript. */
/* SPDX-License-Identifier: ISC */
#include "smtp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "sasl.h"
#include "saslshow.h"
#include "util.h"

/* Is name one of the words of the space-separated list? */
static int
offered(const char *list, const char *name)
{
	size_t n = strlen(name), w;

	while (list != NULL && *list != '\0') {
		w = strcspn(list, " ");
		if (w == n && strncasecmp(list, name, n) == 0)
			return 1;
		list += w;
		list += strspn(list, " ");
	}
	return 0;
}

/* The mechanism the account names, or the best offered; -1: none. */
static int
pick_mech(struct smtp *s)
{
	const char *list = s->caps.auth;
	int m;

	if (s->o->auth == NULL) {
		if (!(s->caps.flags & SMTP_CAP_AUTH))
			smtp_seterr(s, ERR_NOAUTH, _("a user name is configured, "
			    "but the server offers no authentication"));
		else if ((m = sasl_choose(list, s->o->oauth)) < 0 &&
		    s->o->oauth)
			smtp_seterr(s, ERR_NOAUTH, _("the server offers no "
			    "OAuth2 login (XOAUTH2 or OAUTHBEARER; it offers: "
			    "%s)"), list);
		else if (m < 0)
			smtp_seterr(s, ERR_NOAUTH, _("none of the server's "
			    "authentication mechanisms is supported (it "
			    "offers: %s)"), list);
		else
			return m;
		return -1;
	}
	m = sasl_mech_from_name(s->o->auth);
	if (m < 0)
		smtp_seterr(s, ERR_CONFIG, _("unknown authentication mechanism "
		    "'%s'"), s->o->auth);
	else if (!offered(list, sasl_mech_name((enum sasl_mech)m)))
		smtp_seterr(s, ERR_NOAUTH, _("the server does not offer AUTH %s "
		    "(it offers: %s)"), sasl_mech_name((enum sasl_mech)m),
		    list != NULL && *list != '\0' ? list : _("none"));
	else
		return m;
	return -1;
}

/* The mechanism to use, or -1 (the error set, QUIT sent). */
static int
choose_mech(struct smtp *s)
{
	int m = pick_mech(s);

	if (m >= 0 && sasl_mech_plaintext((enum sasl_mech)m) &&
	    !s->tls_active && !s->o->auth_allow_plaintext) {
		smtp_seterr(s, ERR_PLAINTEXT, _("refusing AUTH %s without TLS: it "
		    "would send the password readable to anyone on the path "
		    "(set auth_allow_plaintext = yes to allow it)"),
		    sasl_mech_name((enum sasl_mech)m));
		m = -1;
	}
	if (m < 0)
		smtp_send_quit(s);
	return m;
}

/* What a 334 says, in words, after its line (and a concern, if any). */
static void
explain_challenge(struct smtp *s, const char *chal, enum err verdict)
{
	struct buf note, warn;

	if (s->tr == NULL)
		return;
	buf_init(&note, 256 * 1024);
	buf_init(&warn, 4096);
	if (saslshow_challenge((enum sasl_mech)s->auth_mech, chal,
	    strlen(chal), verdict, &note, &warn) == 0) {
		if (note.len > 0)
			transcript_emit(s->tr, TR_INFO, smtp_tls_flag(s),
			    note.data, note.len);
		if (warn.len > 0)
			transcript_emit(s->tr, TR_WARN, smtp_tls_flag(s),
			    warn.data, warn.len);
	}
	buf_free(&note);
	buf_free(&warn);
}

/*
 * The client's answer in words, after its [redacted] line, when the
 * user asked (show_auth): never the secret itself unless show_auth is 2.
 * b64 is the answer as sent; step as saslshow_answer() counts.
 */
static void
show_answer(struct smtp *s, unsigned step, const char *b64, size_t len)
{
	struct buf note;
	int all = s->o->show_auth > 1;

	if (s->o->show_auth <= 0 || s->tr == NULL)
		return;
	buf_init(&note, 256 * 1024);
	if (buf_addstr(&note, all ? _("AUTH answer, secret included because "
	    "--show-auth=all was given: ") : _("AUTH answer, shown because "
	    "--show-auth was given: ")) == 0 &&
	    saslshow_answer((enum sasl_mech)s->auth_mech, step, b64, len, all,
	    &note) == 0)
		transcript_emit(s->tr, TR_INFO, smtp_tls_flag(s), note.data,
		    note.len);
	buf_free_secret(&note);
}

/*
 * AUTH with its initial response when the line stays within 512 octets;
 * else AUTH alone, and the response answers the server's empty
 * challenge (RFC 4954 4).
 */
void
smtp_start_auth(struct smtp *s)
{
	struct buf wire;
	char show[64];
	int has_ir, m = choose_mech(s);
	const char *name;

	if (m < 0)
		return;
	s->auth_mech = m;
	s->auth_steps = 0;
	name = sasl_mech_name((enum sasl_mech)m);
	s->sasl = sasl_new((enum sasl_mech)m, s->o->user,
	    s->secret != NULL ? s->secret : "", s->o->host, s->o->port);
	buf_init(&s->auth_ir, 64 * 1024);
	buf_init(&wire, SMTP_CMD_MAX);
	if (s->sasl == NULL ||
	    sasl_start(s->sasl, &s->auth_ir, &has_ir) != ERR_OK ||
	    buf_printf(&wire, "AUTH %s", name) < 0) {
		buf_free_secret(&wire);
		smtp_nomem(s);
		return;
	}
	if (!has_ir)
		buf_free_secret(&s->auth_ir);
	else if (wire.len + 1 + s->auth_ir.len + 2 <= SMTP_CMD_MAX &&
	    buf_printf(&wire, " %s", buf_str(&s->auth_ir)) == 0)
		buf_free_secret(&s->auth_ir);
	(void)snprintf(show, sizeof(show), "AUTH %s%s", name,
	    has_ir && s->auth_ir.len == 0 ? " [redacted]" : "");
	if (smtp_send_line(s, has_ir && s->auth_ir.len == 0 ? show : NULL,
	    buf_str(&wire), wire.len, SMTP_CMD_MAX) == 0) {
		smtp_set_state(s, S_AUTH);
		/* The response went in the line, after "AUTH NAME ". */
		if (has_ir && s->auth_ir.len == 0)
			show_answer(s, 0, wire.data + 6 + strlen(name),
			    wire.len - 6 - strlen(name));
	}
	buf_free_secret(&wire);
}

/* A 334: the next step of the exchange, or "*" to cancel it. */
static void
auth_challenge(struct smtp *s, const struct smtp_reply *r)
{
	const char *chal = smtp_reply_text(r);
	struct buf resp;
	char *why = NULL;
	enum err e;

	if (s->auth_ir.len > 0) {
		explain_challenge(s, chal, ERR_OK);
		if (smtp_send_line(s, "[redacted]", buf_str(&s->auth_ir),
		    s->auth_ir.len, 0) == 0)
			show_answer(s, 0, s->auth_ir.data, s->auth_ir.len);
		buf_free_secret(&s->auth_ir);
		return;
	}
	if (s->auth_err != ERR_OK) {
		explain_challenge(s, chal, s->auth_err);
		(void)smtp_send_line(s, NULL, "*", 1, 0);
		return;
	}
	buf_init(&resp, 64 * 1024);
	e = sasl_step(s->sasl, chal, strlen(chal), &resp, &why);
	explain_challenge(s, chal, e);
	s->auth_steps++;
	if (e == ERR_OK || e == ERR_AUTH) {
		/* ERR_AUTH: the mechanism's required answer to an error. */
		if (e == ERR_AUTH) {
			s->auth_err = e;
			s->auth_why = why;
			why = NULL;
		}
		if (smtp_send_line(s, "[redacted]", buf_str(&resp), resp.len,
		    0) == 0)
			show_answer(s, s->auth_steps, buf_str(&resp),
			    resp.len);
	} else {
		/* A broken server, not a refused login: put off, not failed. */
		s->auth_err = ERR_PROTOCOL;
		s->auth_why = util_strf(_("the server's challenge is invalid "
		    "(%s); authentication cancelled"),
		    why != NULL ? why : err_str(e));
		(void)smtp_send_line(s, NULL, "*", 1, 0);
	}
	free(why);
	buf_free_secret(&resp);
}

void
smtp_on_auth(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code == 334) {
		auth_challenge(s, r);
		return;
	}
	if (r->code == 235 && s->auth_err == ERR_OK) {
		if (sasl_finish(s->sasl) != ERR_OK) {
			smtp_seterr(s, ERR_AUTH, _("the server accepted the login "
			    "without proving it knows the password; not "
			    "trusting it"));
			smtp_send_quit(s);
			return;
		}
		transcript_emitf(s->tr, TR_INFO, smtp_tls_flag(s),
		    _("authenticated as %s with %s"), s->o->user,
		    sasl_mech_name((enum sasl_mech)s->auth_mech));
		smtp_become_ready(s);
		return;
	}
	if (s->auth_err != ERR_OK)
		smtp_seterr(s, s->auth_err, "%s", s->auth_why != NULL ?
		    s->auth_why : err_str(s->auth_err));
	else if (r->code / 100 == 4)
		smtp_seterr(s, ERR_TEMPFAIL, _("authentication failed for now "
		    "(AUTH %s): %s"), smtp_auth_mech(s), smtp_reply_line(r));
	else
		smtp_seterr(s, ERR_AUTH, _("authentication failed (AUTH %s): %s"),
		    smtp_auth_mech(s), smtp_reply_line(r));
	smtp_send_quit(s);
}
