/* smtp_int.h - what the engine's files share (smtp.c, smtp_hello.c, smtp_env.c, smtp_data.c, smtp_reply.c): the conversation's state and helpers; no other module includes it. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SMTP_INT_H
#define PIGEON_SMTP_INT_H

#include "buf.h"
#include "crlf.h"
#include "smtp.h"

/*
 * Bounds on what a server may send.  RFC 5321 allows 512 octets per reply
 * line; we take twice that from liberal servers and refuse the rest, as we
 * refuse replies of absurd length, so a hostile server cannot make us
 * buffer without limit.  Beyond a bound is a protocol error, never an
 * allocation failure.
 */
#define SMTP_LINE_MAX   1024
#define SMTP_LINES_MAX  200
#define SMTP_IN_MAX     (SMTP_LINE_MAX * SMTP_LINES_MAX + 4096)
#define SMTP_MECHS_MAX  64
/* Secret parts of the output awaiting the network (smtp_output_redact()). */
#define SMTP_SPANS_MAX  8

/*
 * What we send: RFC 5321 4.5.3.1.4 allows 512 octets per command line,
 * CRLF included; RFC 4954 4 raises it to 12288 for AUTH.
 */
#define SMTP_CMD_MAX       512
#define SMTP_AUTH_CMD_MAX  12288
/* RFC 5321 4.5.3.1.3: a path is at most 256 octets, "<" and ">" included. */
#define SMTP_ADDR_MAX      254
/* A domain is at most 255 octets (RFC 5321 4.5.3.1.2). */
#define SMTP_DOMAIN_MAX    255

/* smtp_reply.c */
void smtp_caps_clear(struct smtp_caps *c);
/*
 * The capabilities of a 250 reply to EHLO.  0; -1 out of memory; -2 more
 * than SMTP_MECHS_MAX authentication mechanisms.
 */
int smtp_caps_parse(struct smtp_caps *c, const struct smtp_reply *r);
/* The text after the code of the reply's first line ("" if none). */
const char *smtp_reply_text(const struct smtp_reply *r);

/* smtp_env.c */
/*
 * Is the envelope fit for this server (its capability flags and SIZE)?
 * ERR_OK, or the error smtp_mail() returns, with *errstr.  *nonascii: an
 * address needs SMTPUTF8.
 */
enum err smtp_env_check(const struct smtp_envelope *env,
    const struct smtp_caps *caps, int *nonascii, char **errstr);
/*
 * The MAIL FROM line (no CRLF) in b.  An optional parameter that would
 * make the line longer than SMTP_CMD_MAX is left out (ENVID, then RET,
 * then SIZE), and *dropped names it (NULL when none was).  0, or -1 when
 * out of memory.
 */
int smtp_mail_line(struct buf *b, const struct smtp_envelope *env,
    unsigned flags, int nonascii, const char **dropped);
/* The RCPT TO line of recipient i (no CRLF) in b; 0 or -1. */
int smtp_rcpt_line(struct buf *b, const struct smtp_envelope *env, size_t i,
    unsigned flags);

/* smtp.c, smtp_hello.c, smtp_env.c, smtp_data.c: the conversation */
/* Output: commands, plus message data the session feeds in blocks. */
#define SMTP_OUT_MAX    (8u * 1024 * 1024)
/* Ask for more message data while less than this is waiting to go out. */
#define SMTP_BODY_LOW   (256u * 1024)

/*
 * The phases of a conversation.  Each reply is taken by the handler of
 * the phase it arrives in; within the envelope, the number of replies
 * taken says which command a reply answers.
 */
#define STATE_TABLE(X) \
	X(S_GREETING, "greeting") \
	X(S_EHLO,     "ehlo") \
	X(S_HELO,     "helo") \
	X(S_STARTTLS, "starttls") \
	X(S_TLS,      "tls-handshake") \
	X(S_AUTH,     "auth") \
	X(S_READY,    "ready") \
	X(S_ENVELOPE, "envelope") \
	X(S_BODY,     "data") \
	X(S_DOT,      "data-end") \
	X(S_TYPED,    "typed") \
	X(S_TYPED_DATA, "typed-data") \
	X(S_QUIT,     "quit") \
	X(S_DONE,     "done")

#define STATE_ENUM_(name, str) name,
enum state { STATE_TABLE(STATE_ENUM_) };
#undef STATE_ENUM_

/* What a reply answers, with the timer that waits for it. */
#define CMD_TABLE(X) \
	X(C_NONE,     "",          SMTP_T_MAIL) \
	X(C_GREETING, "",          SMTP_T_GREETING) \
	X(C_EHLO,     "EHLO",      SMTP_T_EHLO) \
	X(C_HELO,     "HELO",      SMTP_T_EHLO) \
	X(C_STARTTLS, "STARTTLS",  SMTP_T_TLS) \
	X(C_AUTH,     "AUTH",      SMTP_T_AUTH) \
	X(C_RSET,     "RSET",      SMTP_T_MAIL) \
	X(C_MAIL,     "MAIL FROM", SMTP_T_MAIL) \
	X(C_RCPT,     "RCPT TO",   SMTP_T_RCPT) \
	X(C_DATA,     "DATA",      SMTP_T_DATA) \
	X(C_DOT,      "",          SMTP_T_DATA_DONE) \
	X(C_BDAT,     "BDAT",      SMTP_T_DATA_BLOCK) \
	X(C_QUIT,     "QUIT",      SMTP_T_QUIT) \
	X(C_TYPED,    "",          SMTP_T_MAIL)

#define CMD_ENUM_(name, word, timer) name,
enum cmd { CMD_TABLE(CMD_ENUM_) };
#undef CMD_ENUM_

/*
 * Where each command still unanswered ends in the output stream, oldest
 * first: a reply is an answer only once its command has gone out whole.
 */
struct waits {
	uint64_t *end;
	size_t head, len, cap;
};

/* Step mode: what going on from a pause does (smtp_step.c). */
enum hold {
	H_NONE,       /* not paused */
	H_READ,       /* read the greeting */
	H_EHLO,       /* send EHLO */
	H_AFTER_EHLO, /* STARTTLS, AUTH or ready, as after_ehlo() decides */
};

struct smtp {
	const struct smtp_opts *o;
	struct transcript *tr;
	char *secret;
	enum state state;
	int tls_active;
	int tls_skipped;          /* opportunistic TLS went on without it */
	struct smtp_caps caps;
	unsigned long serial;        /* see smtp_wait_serial() */

	struct buf in;
	struct buf out;
	size_t out_off;              /* of out, handed to the network */
	uint64_t out_base;           /* output bytes gone before out.data */
	struct waits waits;

	struct sasl *sasl;
	int auth_mech;
	enum err auth_err;           /* we cancelled or distrust the exchange */
	char *auth_why;
	struct buf auth_ir;          /* an initial response too long for AUTH */
	unsigned auth_steps;         /* challenges given to sasl_step() */
	/*
	 * Output bytes that carry a secret, as offsets in the output stream
	 * [start, end), for smtp_output_redact(); a few at most are pending.
	 */
	struct smtp_span { uint64_t start, end; } secret_span[SMTP_SPANS_MAX];
	size_t nsecret_span;

	enum err err;
	char *errstr;
	enum smtp_stage cur_stage;   /* in progress, see smtp_stage() */
	enum smtp_stage err_stage;   /* where err was set */

	/* The message in progress. */
	const struct smtp_envelope *env;
	struct smtp_result res;
	enum cmd last;               /* what the latest reply answered */
	unsigned nmsgs;
	int rset;                    /* the envelope starts with RSET */
	size_t queued;               /* envelope commands queued */
	size_t taken;                /* envelope replies taken */
	int mail_code;               /* the reply to MAIL FROM */
	unsigned bdat_out;           /* BDAT chunks not answered yet */
	struct crlf crlf;            /* line ends and dot-stuffing of data */
	/* LMTP: the replies after the data, one per accepted recipient. */
	size_t lmtp_next;            /* the recipient the next one is for */
	size_t lmtp_left;            /* replies still to come */
	size_t lmtp_ok, lmtp_temp;   /* delivered, put off so far */
	size_t lmtp_first_bad;       /* the first not delivered, or SIZE_MAX */
	struct buf stage;            /* BDAT chunk being built */
	/* Step mode (smtp_step.c). */
	enum hold hold;              /* paused, and what goes on */
	enum cmd typed;              /* what the typed command awaits */
	enum cmd typed_next;         /* the next of MAIL, RCPT, DATA */
	int step_quit;               /* the user ended before the greeting:
	                                QUIT once it has come */
	struct buf step_next;        /* smtp_step_next()'s text */
	/*
	 * The messages in their order: res is message res_seq's (the one
	 * in progress, or the last one over), prev the one before it, kept
	 * when a pipelined envelope took over (have_prev).
	 */
	unsigned begun;              /* envelopes smtp_mail() took */
	unsigned res_seq, prev_seq;
	int have_prev;
	struct smtp_result prev;
	/* The next envelope, queued behind the dot (SMTP_NEXT). */
	const struct smtp_envelope *env_next;
	struct smtp_reply *next_rcpt;  /* its verdicts, to be */
	size_t next_queued;          /* its commands queued */
};

/* smtp.c: what the three files share of the conversation */
void smtp_set_state(struct smtp *s, enum state st);
unsigned smtp_tls_flag(const struct smtp *s);
int smtp_piped(const struct smtp *s);
int smtp_use_bdat(const struct smtp *s);
size_t smtp_out_pending(const struct smtp *s);
const char *smtp_reply_line(const struct smtp_reply *r);
void smtp_seterr(struct smtp *s, enum err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int smtp_reply_copy(struct smtp_reply *dst, const struct smtp_reply *src);
void smtp_result_clear(struct smtp_result *res);
void smtp_decided_by(struct smtp *s, const struct smtp_reply *r,
    const char *step);
void smtp_message_end(struct smtp *s, enum err e,
    const struct smtp_reply *r);
void smtp_nomem(struct smtp *s);
int smtp_send_line(struct smtp *s, const char *show, const char *wire,
    size_t len, size_t max);
int smtp_send_cmdf(struct smtp *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void smtp_send_quit(struct smtp *s);
int smtp_data_sent(const struct smtp *s);
void smtp_become_ready(struct smtp *s);
/* smtp_auth.c: AUTH begins (after EHLO), and each reply to it. */
void smtp_start_auth(struct smtp *s);
void smtp_on_auth(struct smtp *s, const struct smtp_reply *r);
/* End at once: nothing more may be sent on this connection. */
void smtp_drop(struct smtp *s);
/*
 * smtp_stage.c: the stage the state makes, told to the transcript when it
 * changes; a stop point reached at stage reached, having passed stage
 * passed: 1 when the run stops there (QUIT sent or the connection
 * dropped), else 0.
 */
void smtp_sync_stage(struct smtp *s);
int smtp_stop_point(struct smtp *s, enum smtp_stage reached,
    enum smtp_stage passed);
int smtp_stop_wanted(const struct smtp *s, enum smtp_stage passed);
enum cmd smtp_envelope_cmd(const struct smtp *s, size_t k, size_t *i);

/* smtp_env.c: can the next envelope follow the dot now (SMTP_NEXT)? */
int smtp_next_ok(const struct smtp *s);
/* The message before ended: its pipelined successor's replies come next. */
void smtp_take_next(struct smtp *s);

/* smtp_env.c: the replies to the envelope */
enum err smtp_envelope_failure(const struct smtp *s);
void smtp_on_envelope(struct smtp *s, const struct smtp_reply *r);

/* smtp_data.c: the replies to the data */
void smtp_on_final(struct smtp *s, const struct smtp_reply *r);
/*
 * LMTP: the end of the data has just gone out; await one reply for each
 * accepted recipient (the first is awaited already).
 */
void smtp_lmtp_expect(struct smtp *s);
/*
 * smtp_step.c: step mode.  smtp_hold(): pause here when in step mode,
 * going on with h later: 1 when paused.  smtp_on_typed(): the reply to a
 * typed command (c what it was).
 */
int smtp_hold(struct smtp *s, enum hold h);
void smtp_on_typed(struct smtp *s, enum cmd c, const struct smtp_reply *r);
/* smtp.c: go on from a pause, as h says. */
void smtp_resume(struct smtp *s, enum hold h);
/*
 * smtp.c: the server broke the protocol; the message in progress is put
 * off, the session ends with QUIT or at once.
 */
void smtp_protocol_error(struct smtp *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * smtp_hello.c: the replies to the greeting, EHLO (LHLO), HELO and
 * STARTTLS; smtp_send_ehlo() sends EHLO (or LHLO); smtp_after_ehlo_go()
 * goes on after EHLO: STARTTLS, AUTH or ready.
 */
void smtp_on_greeting(struct smtp *s, const struct smtp_reply *r);
void smtp_on_ehlo(struct smtp *s, const struct smtp_reply *r);
void smtp_on_helo(struct smtp *s, const struct smtp_reply *r);
void smtp_on_starttls(struct smtp *s, const struct smtp_reply *r);
void smtp_send_ehlo(struct smtp *s);
void smtp_after_ehlo_go(struct smtp *s);
/* smtp_hello.c: what after_ehlo() would send next: "STARTTLS", "AUTH" or NULL. */
const char *smtp_after_ehlo_next(const struct smtp *s);
/* smtp.c: a reply is awaited when the output reaches end; 0 or -1. */
int smtp_await(struct smtp *s, uint64_t end);
/* The greeting word, "EHLO" or "LHLO". */
const char *smtp_hello_word(const struct smtp *s);

#endif
