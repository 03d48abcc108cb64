/* smtp_env.c - the envelope: checked against the server's capabilities, MAIL and RCPT lines within 512 octets (and the EHLO name), sent in one flight or one by one, and the replies to them. */
/* SPDX-License-Identifier: ISC */
#include "smtp_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "util.h"

/*
 * Can a go between "<" and ">" on the wire?  No control characters, no
 * angle brackets, a space only inside a quoted local part ("john
 * doe"@example.org is a valid RFC 5321 path), at most SMTP_ADDR_MAX
 * octets.
 */
static int
addr_ok(const char *a, int *nonascii)
{
	const unsigned char *p;
	int quoted = 0;

	if (strlen(a) > SMTP_ADDR_MAX)
		return 0;
	for (p = (const unsigned char *)a; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '<' || *p == '>')
			return 0;
		if (*p == ' ' && !quoted)
			return 0;
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '\\' && quoted && p[1] != '\0')
			p++;
		if (*p >= 0x80)
			*nonascii = 1;
	}
	return !quoted;
}

char *
smtp_dsn_notify(const char *v)
{
	static const char *const words[] = { "SUCCESS", "FAILURE", "DELAY" };
	const char *p, *e, *next;
	unsigned used = 0;
	size_t i, n;
	struct buf out;

	if (strcasecmp(v, "NEVER") == 0)
		return strdup("NEVER");
	buf_init(&out, 64);
	for (p = v; ; p = next + 1) {
		next = strchr(p, ',');
		e = next != NULL ? next : p + strlen(p);
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		n = (size_t)(e - p);
		for (i = 0; i < sizeof words / sizeof words[0]; i++)
			if (n == strlen(words[i]) &&
			    strncasecmp(p, words[i], n) == 0)
				break;
		if (i == sizeof words / sizeof words[0] || (used & (1u << i)))
			break;
		used |= 1u << i;
		if ((out.len > 0 && buf_addch(&out, ',') < 0) ||
		    buf_addstr(&out, words[i]) < 0)
			break;
		if (next == NULL) {
			char *r = strdup(buf_str(&out));

			buf_free(&out);
			return r;
		}
	}
	buf_free(&out);
	return NULL;
}

/* Are the DSN parameters something RFC 3461 allows on the wire? */
static int
dsn_ok(const struct smtp_envelope *env, char **errstr)
{
	const unsigned char *p;
	char *n;

	if (env->dsn_notify != NULL) {
		n = smtp_dsn_notify(env->dsn_notify);
		if (n == NULL || strcmp(n, env->dsn_notify) != 0) {
			free(n);
			util_seterr(errstr, _("invalid DSN NOTIFY value: give "
			    "NEVER, or a comma list of SUCCESS, FAILURE and "
			    "DELAY"));
			return 0;
		}
		free(n);
	}
	if (env->dsn_ret != NULL && strcmp(env->dsn_ret, "FULL") != 0 &&
	    strcmp(env->dsn_ret, "HDRS") != 0) {
		util_seterr(errstr, _("invalid DSN RET value: give FULL or "
		    "HDRS"));
		return 0;
	}
	if (env->dsn_envid != NULL) {
		for (p = (const unsigned char *)env->dsn_envid; *p != '\0'; p++)
			if (*p < 0x20 || *p >= 0x7f)
				break;
		if (*p != '\0' || strlen(env->dsn_envid) > 100) {
			util_seterr(errstr, _("invalid DSN envelope id: at most "
			    "100 printable ASCII characters"));
			return 0;
		}
	}
	return 1;
}

/* The recipients: well-formed, and plain ASCII unless SMTPUTF8 is there. */
static enum err
rcpts_ok(const struct smtp_envelope *env, unsigned flags, int *nonascii,
    char **errstr)
{
	size_t i;
	int na;

	for (i = 0; i < env->nrcpts; i++) {
		na = 0;
		if (!addr_ok(env->rcpts[i], &na) || env->rcpts[i][0] == '\0') {
			util_seterr(errstr, _("invalid recipient address '%s'"),
			    env->rcpts[i]);
			return ERR_DATA;
		}
		if (na && !(flags & SMTP_CAP_SMTPUTF8)) {
			util_seterr(errstr, _("the recipient address '%s' is "
			    "not plain ASCII and the server does not offer "
			    "SMTPUTF8"), env->rcpts[i]);
			return ERR_NOUTF8;
		}
		*nonascii |= na;
	}
	return ERR_OK;
}

enum err
smtp_env_check(const struct smtp_envelope *env, const struct smtp_caps *caps,
    int *nonascii, char **errstr)
{
	unsigned flags = caps->flags;
	enum err e;

	*nonascii = 0;
	if (env->nrcpts == 0) {
		util_seterr(errstr, _("no recipients"));
		return ERR_USAGE;
	}
	if (!dsn_ok(env, errstr))
		return ERR_USAGE;
	if (!addr_ok(env->from, nonascii)) {
		util_seterr(errstr, _("invalid sender address '%s'"), env->from);
		return ERR_DATA;
	}
	if ((e = rcpts_ok(env, flags, nonascii, errstr)) != ERR_OK)
		return e;
	if (*nonascii && !(flags & SMTP_CAP_SMTPUTF8)) {
		util_seterr(errstr, _("the sender address '%s' is not plain "
		    "ASCII and the server does not offer SMTPUTF8"), env->from);
		return ERR_NOUTF8;
	}
	if (env->smtputf8 && !(flags & SMTP_CAP_SMTPUTF8)) {
		util_seterr(errstr, _("the message needs SMTPUTF8, which the "
		    "server does not offer"));
		return ERR_NOUTF8;
	}
	if (caps->size > 0 && env->size > caps->size) {
		util_seterr(errstr, _("the message is %llu bytes, but the "
		    "server accepts at most %llu bytes: nothing was sent"),
		    (unsigned long long)env->size,
		    (unsigned long long)caps->size);
		return ERR_TOOBIG;
	}
	return ERR_OK;
}

/* RFC 3461 xtext: "+" and "=" and anything outside '!'..'~' become +HH. */
static int
xtext(struct buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < '!' || *p > '~' || *p == '+' || *p == '=') {
			if (buf_printf(b, "+%02X", *p) < 0)
				return -1;
		} else if (buf_addch(b, (char)*p) < 0) {
			return -1;
		}
	}
	return 0;
}

/* The optional MAIL parameters, in the order they are given up. */
enum { P_SIZE, P_RET, P_ENVID, P_COUNT };

static int
add_param(struct buf *b, int which, const struct smtp_envelope *env)
{
	switch (which) {
	case P_SIZE:
		return buf_printf(b, " SIZE=%llu",
		    (unsigned long long)env->size);
	case P_RET:
		return buf_printf(b, " RET=%s", env->dsn_ret);
	default:
		if (buf_addstr(b, " ENVID=") < 0)
			return -1;
		return xtext(b, env->dsn_envid);
	}
}

int
smtp_mail_line(struct buf *b, const struct smtp_envelope *env,
    unsigned flags, int nonascii, const char **dropped)
{
	static const char *const names[P_COUNT] = { "SIZE", "RET", "ENVID" };
	int want[P_COUNT], i;
	size_t base;

	want[P_SIZE] = (flags & SMTP_CAP_SIZE) && env->size > 0;
	want[P_RET] = (flags & SMTP_CAP_DSN) && env->dsn_ret != NULL;
	want[P_ENVID] = (flags & SMTP_CAP_DSN) && env->dsn_envid != NULL;
	*dropped = NULL;
	if (buf_printf(b, "MAIL FROM:<%s>", env->from) < 0 ||
	    ((env->eightbit || nonascii || env->smtputf8) &&
	    (flags & SMTP_CAP_8BITMIME) &&
	    buf_addstr(b, " BODY=8BITMIME") < 0) ||
	    ((nonascii || env->smtputf8) && buf_addstr(b, " SMTPUTF8") < 0))
		return -1;
	base = b->len;
	for (;;) {
		for (i = 0; i < P_COUNT; i++)
			if (want[i] && add_param(b, i, env) < 0)
				return -1;
		if (b->len + 2 <= SMTP_CMD_MAX)
			return 0;
		/* Too long: give up the last parameter still wanted. */
		buf_truncate(b, base);
		for (i = P_COUNT - 1; i >= 0 && !want[i]; i--)
			;
		if (i < 0)
			return 0;
		want[i] = 0;
		*dropped = names[i];
	}
}

int
smtp_rcpt_line(struct buf *b, const struct smtp_envelope *env, size_t i,
    unsigned flags)
{
	if (env->dsn_notify != NULL && (flags & SMTP_CAP_DSN))
		return buf_printf(b, "RCPT TO:<%s> NOTIFY=%s", env->rcpts[i],
		    env->dsn_notify);
	return buf_printf(b, "RCPT TO:<%s>", env->rcpts[i]);
}

int
smtp_helo_ok(const char *name)
{
	const unsigned char *p;
	size_t n = strlen(name);

	if (n == 0 || n > SMTP_DOMAIN_MAX)
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

/* -- the replies to the envelope -------------------------------------- */

/* Queue an envelope command, counted in *n (s->queued, or the next one's). */
static int
queue_cmd_to(struct smtp *s, const char *line, size_t *n)
{
	if (smtp_send_cmdf(s, "%s", line) < 0)
		return -1;
	(*n)++;
	return 0;
}

static int
queue_envelope_cmd(struct smtp *s, const char *line)
{
	return queue_cmd_to(s, line, &s->queued);
}

static int
rcpt_to(struct smtp *s, const struct smtp_envelope *env, size_t i, size_t *n)
{
	struct buf b;
	int r;

	buf_init(&b, SMTP_CMD_MAX);
	if (smtp_rcpt_line(&b, env, i, s->caps.flags) < 0) {
		buf_free(&b);
		smtp_nomem(s);
		return -1;
	}
	r = queue_cmd_to(s, buf_str(&b), n);
	buf_free(&b);
	return r;
}

static int
send_rcpt(struct smtp *s, size_t i)
{
	return rcpt_to(s, s->env, i, &s->queued);
}

static void
start_body(struct smtp *s)
{
	crlf_init(&s->crlf, !smtp_use_bdat(s), 0);
	smtp_set_state(s, S_BODY);
}

static void
send_data_cmd(struct smtp *s)
{
	if (smtp_use_bdat(s)) {
		/* BDAT needs no go-ahead: the data itself follows. */
		if (smtp_stop_point(s, SMTP_STAGE_DATA, SMTP_STAGE_DATA))
			return;
		s->queued++;
		start_body(s);
		return;
	}
	(void)queue_envelope_cmd(s, "DATA");
}

/* A MAIL FROM refusal as an error: a login wanted, for now, for good. */
static enum err
mail_err(int code)
{
	if (code == 530)
		return ERR_AUTHREQ;
	return code / 100 == 4 ? ERR_TEMPFAIL : ERR_PERMFAIL;
}

/* Why the message failed before its data, for the DATA reply's handler. */
enum err
smtp_envelope_failure(const struct smtp *s)
{
	size_t i;

	if (s->mail_code / 100 != 2)
		return mail_err(s->mail_code);
	for (i = 0; i < s->res.nrcpts; i++)
		if (s->res.rcpt[i].code / 100 == 4 ||
		    s->res.rcpt[i].code == 552)
			return ERR_TEMPFAIL;
	return ERR_NOUSER;
}

static void
on_rset(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code / 100 == 2)
		return;
	smtp_message_end(s, ERR_TEMPFAIL, NULL);
	smtp_seterr(s, ERR_PROTOCOL, _("the server refused RSET: %s"),
	    smtp_reply_line(r));
	smtp_send_quit(s);
}

static void
on_mail(struct smtp *s, const struct smtp_reply *r)
{
	char *step;

	s->mail_code = r->code;
	if (r->code / 100 == 2) {
		if (!smtp_piped(s) &&
		    !smtp_stop_point(s, SMTP_STAGE_MAIL, SMTP_STAGE_MAIL))
			(void)send_rcpt(s, 0);
		return;
	}
	step = util_strf("MAIL FROM:<%s>", s->env->from);
	smtp_decided_by(s, r, step != NULL ? step : "MAIL FROM");
	free(step);
	if (r->code == 530)
		transcript_emitf(s->tr, TR_ERROR, smtp_tls_flag(s), _("the server "
		    "takes mail only after a login (it answered MAIL FROM "
		    "with %s): set user and a password for this account"),
		    smtp_reply_line(r));
	else
		transcript_emitf(s->tr, TR_ERROR, smtp_tls_flag(s), _("the server "
		    "refused the sender (MAIL FROM:<%s>): %s"), s->env->from,
		    smtp_reply_line(r));
	if (!smtp_piped(s)) {
		smtp_message_end(s, mail_err(r->code), NULL);
		smtp_become_ready(s);
	}
	/* Pipelined: the RCPT and DATA replies still have to come in. */
}

/* Every recipient has answered: go on, or give up on this message. */
static void
after_rcpts(struct smtp *s)
{
	size_t i, nrej = 0, ntemp = 0, first = 0;
	char *step;

	for (i = 0; i < s->res.nrcpts; i++)
		if (s->res.rcpt[i].code / 100 != 2) {
			if (nrej++ == 0)
				first = i;
			ntemp += !smtp_rcpt_refused(s->res.rcpt[i].code);
		}
	/* A test stopping before the data: every recipient must pass. */
	if (nrej > 0 && s->mail_code / 100 == 2 && !smtp_data_sent(s) &&
	    smtp_stop_wanted(s, SMTP_STAGE_DATA)) {
		step = util_strf("RCPT TO:<%s>", s->env->rcpts[first]);
		smtp_decided_by(s, &s->res.rcpt[first], step != NULL ? step :
		    "RCPT TO");
		free(step);
		smtp_message_end(s, ntemp > 0 ? ERR_TEMPFAIL : ERR_NOUSER,
		    NULL);
		smtp_become_ready(s);
		return;
	}
	if (nrej == 0 && s->mail_code / 100 == 2 &&
	    smtp_stop_point(s, SMTP_STAGE_RCPT, SMTP_STAGE_RCPT))
		return;
	if (s->mail_code / 100 == 2 && s->res.naccepted > 0 &&
	    (nrej == 0 || !s->env->abort_on_reject)) {
		if (!smtp_data_sent(s))
			send_data_cmd(s);
		return;
	}
	if (s->mail_code / 100 == 2 && s->res.naccepted > 0) {
		transcript_emitf(s->tr, TR_ERROR, smtp_tls_flag(s), P_("%zu "
		    "recipient refused, and any refusal stops the message: "
		    "not sent to the others either", "%zu recipients "
		    "refused, and any refusal stops the message: not sent "
		    "to the others either", nrej), nrej);
		step = util_strf("RCPT TO:<%s>", s->env->rcpts[first]);
		smtp_decided_by(s, &s->res.rcpt[first], step != NULL ? step :
		    "RCPT TO");
		free(step);
	}
	if (smtp_data_sent(s))
		return;   /* DATA's reply comes next and ends it. */
	smtp_message_end(s, s->mail_code / 100 != 2 ? mail_err(s->mail_code) :
	    ntemp > 0 ? ERR_TEMPFAIL : ERR_NOUSER, NULL);
	smtp_become_ready(s);
}

static void
on_rcpt(struct smtp *s, size_t i, const struct smtp_reply *r)
{
	/* After a refused MAIL, the replies say nothing of the recipient. */
	if (s->mail_code / 100 == 2) {
		if (smtp_reply_copy(&s->res.rcpt[i], r) < 0) {
			smtp_nomem(s);
			return;
		}
		if (r->code / 100 == 2)
			s->res.naccepted++;
		else if (smtp_rcpt_refused(r->code))
			transcript_emitf(s->tr, TR_ERROR, smtp_tls_flag(s),
			    _("the server refused the recipient (RCPT "
			    "TO:<%s>): %s"), s->env->rcpts[i], smtp_reply_line(r));
		else
			transcript_emitf(s->tr, TR_WARN, smtp_tls_flag(s),
			    _("the server put off the recipient (RCPT "
			    "TO:<%s>): %s"), s->env->rcpts[i], smtp_reply_line(r));
	}
	if (s->mail_code / 100 == 2 && !smtp_piped(s) && i + 1 < s->res.nrcpts)
		(void)send_rcpt(s, i + 1);
	else if (i + 1 == s->res.nrcpts)
		after_rcpts(s);
}

static void
on_data(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code == 354) {
		if (s->mail_code / 100 == 2 && s->res.naccepted > 0) {
			if (smtp_stop_point(s, SMTP_STAGE_DATA,
			    SMTP_STAGE_DATA))
				return;
			start_body(s);
			return;
		}
		/*
		 * A pipelined DATA got its go-ahead although nobody can
		 * get the message: an empty one ends the transaction.
		 */
		if (smtp_send_line(s, NULL, ".", 1, SMTP_CMD_MAX) == 0)
			smtp_set_state(s, S_DOT);
		return;
	}
	if (s->mail_code / 100 != 2 || s->res.naccepted == 0 ||
	    s->res.reply.code != 0) {
		smtp_message_end(s, smtp_envelope_failure(s), NULL);
	} else {
		transcript_emitf(s->tr, TR_ERROR, smtp_tls_flag(s), _("the server "
		    "refused DATA: %s"), smtp_reply_line(r));
		smtp_message_end(s, r->code / 100 == 4 ? ERR_TEMPFAIL :
		    ERR_PERMFAIL, r);
	}
	smtp_become_ready(s);
}

void
smtp_on_envelope(struct smtp *s, const struct smtp_reply *r)
{
	size_t i = 0;

	switch (smtp_envelope_cmd(s, s->taken++, &i)) {
	case C_RSET:
		on_rset(s, r);
		break;
	case C_MAIL:
		on_mail(s, r);
		break;
	case C_RCPT:
		on_rcpt(s, i, r);
		break;
	default:
		on_data(s, r);
		break;
	}
}

/*
 * The MAIL line and what goes with it in one flight: RSET first when
 * rset, counted in *n.  The state is the caller's.
 */
static enum err
queue_envelope(struct smtp *s, const struct smtp_envelope *env, int rset,
    int nonascii, size_t *n)
{
	const char *dropped;
	struct buf mail;
	size_t i;

	buf_init(&mail, SMTP_CMD_MAX * 2);
	if (smtp_mail_line(&mail, env, s->caps.flags, nonascii,
	    &dropped) < 0) {
		buf_free(&mail);
		return ERR_NOMEM;
	}
	if (dropped != NULL)
		transcript_emitf(s->tr, TR_WARN, smtp_tls_flag(s), _("MAIL FROM "
		    "goes without %s: with it the line would be longer "
		    "than SMTP allows"), dropped);
	if ((rset && queue_cmd_to(s, "RSET", n) < 0) ||
	    queue_cmd_to(s, buf_str(&mail), n) < 0) {
		buf_free(&mail);
		return s->err;
	}
	buf_free(&mail);
	if (!smtp_piped(s))
		return ERR_OK;
	/*
	 * RFC 2920: the whole envelope in one flight.  DATA joins it only
	 * when a refused recipient may not stop the message, because once
	 * DATA has its 354 the only way out is to send the message or to
	 * drop the line.
	 */
	for (i = 0; i < env->nrcpts; i++)
		if (rcpt_to(s, env, i, n) < 0)
			return s->err;
	if (!env->abort_on_reject && !smtp_use_bdat(s) &&
	    queue_cmd_to(s, "DATA", n) < 0)
		return s->err;
	return ERR_OK;
}

int
smtp_next_ok(const struct smtp *s)
{
	return s->state == S_DOT && s->env != NULL && s->env_next == NULL &&
	    s->err == ERR_OK && smtp_piped(s) && !smtp_use_bdat(s) &&
	    !s->o->lmtp && s->o->stop_after == SMTP_STAGE_NONE;
}

/* Warnings the envelope earns on this server. */
static void
envelope_warnings(struct smtp *s, const struct smtp_envelope *env)
{
	if (env->eightbit && !(s->caps.flags & SMTP_CAP_8BITMIME))
		transcript_emitf(s->tr, TR_WARN, smtp_tls_flag(s), _("the message "
		    "has 8-bit data but the server does not offer 8BITMIME"));
	if ((env->dsn_notify || env->dsn_ret || env->dsn_envid) &&
	    !(s->caps.flags & SMTP_CAP_DSN))
		transcript_emitf(s->tr, TR_WARN, smtp_tls_flag(s), _("the server "
		    "does not offer DSN: no delivery notifications requested"));
}

/*
 * The next envelope behind the dot (RFC 2920 3: RSET, MAIL and RCPT may
 * be anywhere in a group, DATA ends it).  Its replies follow the dot's;
 * smtp_take_next() makes it the message in progress when the one before
 * has ended.  A RSET opens it, as every envelope after the first.
 */
static enum err
mail_next(struct smtp *s, const struct smtp_envelope *env, int nonascii)
{
	if ((s->next_rcpt = calloc(env->nrcpts, sizeof(*s->next_rcpt))) ==
	    NULL)
		return ERR_NOMEM;
	envelope_warnings(s, env);
	s->env_next = env;
	s->next_queued = 0;
	s->begun++;
	return queue_envelope(s, env, 1, nonascii, &s->next_queued);
}

void
smtp_take_next(struct smtp *s)
{
	const struct smtp_envelope *env = s->env_next;

	smtp_result_clear(&s->prev);
	s->prev = s->res;
	s->prev_seq = s->res_seq;
	s->have_prev = 1;
	memset(&s->res, 0, sizeof(s->res));
	s->res.rcpt = s->next_rcpt;
	s->res.nrcpts = env->nrcpts;
	s->res_seq = s->prev_seq + 1;
	s->next_rcpt = NULL;
	s->env_next = NULL;
	s->env = env;
	s->rset = 1;
	s->queued = s->next_queued;
	s->taken = 0;
	s->mail_code = 0;
	s->bdat_out = 0;
	buf_init(&s->stage, SMTP_OUT_MAX);
	smtp_set_state(s, S_ENVELOPE);
}

enum err
smtp_mail(struct smtp *s, const struct smtp_envelope *env, char **errstr)
{
	int nonascii;
	enum err e;

	if (s->state != S_READY && !smtp_next_ok(s)) {
		util_seterr(errstr, _("the connection is not ready for a "
		    "message (state %s)"), smtp_state_name(s));
		return ERR_SOFTWARE;
	}
	if ((e = smtp_env_check(env, &s->caps, &nonascii, errstr)) != ERR_OK)
		return e;
	if (s->state == S_DOT)
		return mail_next(s, env, nonascii);
	smtp_result_clear(&s->res);
	if ((s->res.rcpt = calloc(env->nrcpts, sizeof(*s->res.rcpt))) == NULL)
		return ERR_NOMEM;
	s->res.nrcpts = env->nrcpts;
	s->res_seq = s->begun++;
	s->env = env;
	s->rset = s->nmsgs > 0;
	s->queued = s->taken = 0;
	s->mail_code = 0;
	s->bdat_out = 0;
	buf_init(&s->stage, SMTP_OUT_MAX);
	envelope_warnings(s, env);
	smtp_set_state(s, S_ENVELOPE);
	return queue_envelope(s, env, s->rset, nonascii, &s->queued);
}
