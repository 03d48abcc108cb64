/* smtp.h - the SMTP client protocol engine: bytes in, bytes out, events out; no I/O, no clock. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SMTP_H
#define PIGEON_SMTP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "transcript.h"

/*
 * How the engine is driven (session.c does this over a socket, the unit
 * tests over byte scripts):
 *
 *   s = smtp_new(&opts, tr);
 *   loop:
 *     w = smtp_want(s);
 *     SMTP_WANT_WRITE  send smtp_output(), then smtp_consumed(n)
 *     SMTP_WANT_READ   read from the server, smtp_feed(bytes); on end of
 *                      stream smtp_eof()
 *     SMTP_WANT_TLS    (output is empty) do the TLS handshake, then
 *                      smtp_tls_done(); read nothing before that
 *     SMTP_WANT_BODY   smtp_body(next block of the message) or
 *                      smtp_body_end() at its end
 *     SMTP_READY       idle: smtp_mail(envelope) or smtp_quit()
 *     SMTP_NEXT        (with PIPELINING) the message's data and dot are
 *                      queued, its reply awaited: the next message's
 *                      envelope may follow at once (smtp_mail())
 *     SMTP_DONE        the conversation is over: smtp_error() says how
 *   the phase timer expires: smtp_timeout()
 *
 * All input may arrive in any chunking, down to single bytes.
 */

enum smtp_tls {
	SMTP_TLS_NONE,       /* clear text; EHLO may fall back to HELO */
	SMTP_TLS_STARTTLS,   /* STARTTLS is required before anything else */
	SMTP_TLS_IMPLICIT,   /* the session did TLS before the greeting */
	/*
	 * STARTTLS when the server offers it; when it does not, or refuses
	 * it, clear text, said loudly (TR_WARN with TR_F_LOUD).  A failed
	 * handshake is the session's: it connects again in clear text.
	 */
	SMTP_TLS_OPPORTUNISTIC,
};

/*
 * The timers: each command's whole reply must come within its time (a
 * byte now and then does not restart it), the TLS handshake within its
 * own, and the session ends after SMTP_T_SESSION whatever it does.
 * Defaults: RFC 5321 4.5.3.2 where it gives one.
 */
#define SMTP_TIMER_TABLE(X) \
	X(SMTP_T_CONNECT,    "connect",    30) \
	X(SMTP_T_GREETING,   "greeting",   300) \
	X(SMTP_T_EHLO,       "ehlo",       300) \
	X(SMTP_T_TLS,        "tls",        300) \
	X(SMTP_T_AUTH,       "auth",       300) \
	X(SMTP_T_MAIL,       "mail",       300) \
	X(SMTP_T_RCPT,       "rcpt",       300) \
	X(SMTP_T_DATA,       "data",       120) \
	X(SMTP_T_DATA_BLOCK, "data_block", 180) \
	X(SMTP_T_DATA_DONE,  "data_done",  600) \
	X(SMTP_T_QUIT,       "quit",       60) \
	X(SMTP_T_SESSION,    "session",    3600)

#define SMTP_TIMER_ENUM_(name, key, sec) name,
enum smtp_timer { SMTP_TIMER_TABLE(SMTP_TIMER_ENUM_) SMTP_T_COUNT };
#undef SMTP_TIMER_ENUM_

/* "greeting": the config key is "greeting_timeout". */
const char *smtp_timer_name(enum smtp_timer t);
/* The seconds a timer gets when opts leave it 0. */
int smtp_timer_default(enum smtp_timer t);

/*
 * The stages of a conversation, in the order a stop point compares them
 * (--quit-after, --drop-after): each is over when its reply has come.
 * "connect" is the connection (TCP; for implicit TLS the handshake is
 * "tls"), "tls" STARTTLS and its handshake, "ehlo" the last EHLO (after
 * TLS), "dot" the reply to the end of the data.  QUIT is a stage of the
 * transcript only, never a stop point.
 */
#define SMTP_STAGE_TABLE(X) \
	X(SMTP_STAGE_NONE,     "") \
	X(SMTP_STAGE_CONNECT,  "connect") \
	X(SMTP_STAGE_GREETING, "greeting") \
	X(SMTP_STAGE_TLS,      "tls") \
	X(SMTP_STAGE_EHLO,     "ehlo") \
	X(SMTP_STAGE_AUTH,     "auth") \
	X(SMTP_STAGE_MAIL,     "mail") \
	X(SMTP_STAGE_RCPT,     "rcpt") \
	X(SMTP_STAGE_DATA,     "data") \
	X(SMTP_STAGE_DOT,      "dot") \
	X(SMTP_STAGE_QUIT,     "quit")

#define SMTP_STAGE_ENUM_(name, str) name,
enum smtp_stage { SMTP_STAGE_TABLE(SMTP_STAGE_ENUM_) SMTP_STAGE_COUNT_ };
#undef SMTP_STAGE_ENUM_

/* "rcpt"; "" for SMTP_STAGE_NONE.  Protocol words: never translated. */
const char *smtp_stage_name(enum smtp_stage st);
/*
 * A stop point by name, case ignored, with swaks' names too (banner =
 * greeting, helo and lhlo = ehlo, starttls = tls, from = mail, to =
 * rcpt).  0, or -1 when name is none of them (or "quit").
 */
int smtp_stage_parse(const char *name, enum smtp_stage *st);

struct smtp_opts {
	const char *helo;          /* EHLO/HELO argument; NULL: "localhost" */
	enum smtp_tls tls;
	const char *user;          /* NULL: no AUTH */
	const char *secret;        /* password or OAuth token */
	const char *auth;          /* forced mechanism name, NULL: choose */
	int oauth;                 /* secret is a bearer token: choose only
	                              XOAUTH2 or OAUTHBEARER */
	int auth_allow_plaintext;  /* allow PLAIN/LOGIN/OAuth without TLS */
	int show_auth;             /* decode the client's AUTH answers in the
	                              transcript: 0 no, 1 without the password,
	                              token, digest or proof, 2 all of it */
	int chunking;              /* BDAT when the server offers CHUNKING */
	/*
	 * LMTP (RFC 2033): LHLO instead of EHLO (no HELO to fall back to),
	 * and after the end of the data one reply per recipient whose RCPT
	 * was accepted, in RCPT order, each its own verdict.
	 */
	int lmtp;
	int no_pipelining;         /* never pipeline, even when offered */
	int timeouts[SMTP_T_COUNT];  /* seconds; 0: smtp_timer_default() */
	const char *host;          /* for OAUTHBEARER; may be NULL */
	unsigned port;
	/*
	 * A stop point: once stage stop_after is over (its reply taken),
	 * the conversation ends with QUIT, or with stop_drop by closing
	 * the connection without QUIT (nor TLS close_notify).  After the
	 * 354 to DATA a QUIT would be message data: it always drops.  The
	 * run is a test: a message that fails at any stage ends the
	 * session the same way, nothing goes on to the next stage, and
	 * pipelining is off while the stop point is in the envelope.
	 * SMTP_STAGE_NONE: no stop point.
	 */
	enum smtp_stage stop_after;
	int stop_drop;
	/*
	 * Step mode (hold): the engine pauses before each stage (after the
	 * connection, the greeting, each EHLO, STARTTLS, AUTH) and goes on
	 * one stage on smtp_step_go().  Once it would be ready (past TLS
	 * and AUTH, or past EHLO when neither is configured) it takes
	 * lines typed by the user (smtp_step_line()); smtp_step_go() there
	 * sends the next of MAIL FROM:<step_from>, RCPT TO:<step_rcpt>,
	 * DATA (when the address is set).  Not with a stop point.
	 */
	int hold;
	const char *step_from;     /* NULL: no MAIL suggested */
	const char *step_rcpt;     /* NULL: no RCPT suggested */
};

/* Capability flags from EHLO. */
#define SMTP_CAP_SIZE         0x0001u
#define SMTP_CAP_PIPELINING   0x0002u
#define SMTP_CAP_8BITMIME     0x0004u
#define SMTP_CAP_SMTPUTF8     0x0008u
#define SMTP_CAP_DSN          0x0010u
#define SMTP_CAP_ENHANCED     0x0020u
#define SMTP_CAP_CHUNKING     0x0040u
#define SMTP_CAP_STARTTLS     0x0080u
#define SMTP_CAP_AUTH         0x0100u
#define SMTP_CAP_EHLO         0x8000u  /* EHLO worked (not HELO) */

struct smtp_caps {
	unsigned flags;
	uint64_t size;             /* SIZE limit, 0: none given */
	/* LIMITS (RFC 9422); 0: none given */
	unsigned rcptmax;          /* recipients per transaction */
	unsigned mailmax;          /* transactions per connection */
	unsigned rcptdomainmax;    /* recipient domains per transaction */
	char *auth;                /* offered mechanisms, space separated */
	char *server;              /* the first EHLO line after the code */
	char **lines;              /* every EHLO keyword line, as sent */
	size_t nlines;
};

struct smtp_envelope {
	const char *from;          /* addr-spec, "" for the null sender */
	const char *const *rcpts;  /* addr-specs */
	size_t nrcpts;
	uint64_t size;             /* message bytes on the wire (CRLF), 0: unknown */
	int eightbit;              /* the message has 8-bit data */
	int smtputf8;              /* headers need SMTPUTF8 */
	const char *dsn_notify;    /* "NEVER", "SUCCESS,FAILURE,DELAY", NULL */
	const char *dsn_ret;       /* "FULL" or "HDRS", NULL */
	const char *dsn_envid;     /* any text, xtext-encoded on the wire */
	int abort_on_reject;       /* any rejected RCPT aborts the message */
};

struct smtp_reply {
	int code;                  /* 0 when no reply came */
	char enhanced[16];         /* "5.1.1" or "" */
	char *text;                /* all lines as sent, joined with '\n' */
};

struct smtp_result {
	enum err err;              /* ERR_OK: accepted for the accepted rcpts */
	struct smtp_reply reply;   /* the final reply, or the failing one */
	char *step;                /* what reply answered: "MAIL FROM:<a>",
	                              "RCPT TO:<b>", "DATA", "end of data";
	                              NULL when no reply decided */
	struct smtp_reply *rcpt;   /* one per envelope recipient: its reply
	                              to RCPT, or with lmtp set, for one
	                              RCPT accepted, its reply after the
	                              data (code 0: none came) */
	size_t nrcpts;
	size_t naccepted;          /* RCPT accepted; with lmtp, delivered */
	int lmtp;                  /* the per-recipient replies after the
	                              data (LMTP) began: a 2xx in rcpt[] is
	                              a delivery, whatever err says */
	int uncertain;             /* lost after the final dot: may have arrived */
	enum smtp_stage stage;     /* where its outcome was decided */
	uint64_t bytes;            /* message bytes put on the wire */
	uint64_t lines;
};

#define SMTP_WANT_READ   0x01u
#define SMTP_WANT_WRITE  0x02u
#define SMTP_WANT_TLS    0x04u
#define SMTP_WANT_BODY   0x08u
#define SMTP_READY       0x10u
#define SMTP_DONE        0x20u
/* Step mode: waiting for the user (smtp_step_go(), smtp_step_line()). */
#define SMTP_HELD        0x40u
/*
 * RFC 2920 lets the next transaction's RSET, MAIL, RCPT and DATA follow
 * the end of the data in one group (DATA last): offered when the server
 * has PIPELINING (not with no_pipelining, BDAT, LMTP or a stop point),
 * the data and dot of the message are queued and no next envelope is yet.
 * Its replies come after the dot's, in order; the message before ends
 * first, and its result stays readable with smtp_result_of().
 */
#define SMTP_NEXT        0x80u

struct smtp;

/*
 * A new conversation.  opts and its strings must outlive the engine, except
 * secret, which is copied and wiped.  With SMTP_TLS_IMPLICIT the caller has
 * finished the handshake before feeding the greeting.  NULL when out of
 * memory.
 */
struct smtp *smtp_new(const struct smtp_opts *opts, struct transcript *tr);
void smtp_free(struct smtp *s);

unsigned smtp_want(const struct smtp *s);

/* Pending output: a pointer to *len bytes to send (NULL when none). */
const char *smtp_output(const struct smtp *s, size_t *len);
/* n bytes of the output were sent. */
void smtp_consumed(struct smtp *s, size_t n);
/*
 * For a dump of the raw bytes: buf holds a copy of the first n bytes
 * smtp_output() gives now (before smtp_consumed() for them).  Every byte
 * of a secret among them (an AUTH initial response or answer, what the
 * transcript shows as [redacted]) becomes 'x'.  Returns how many did.
 */
size_t smtp_output_redact(const struct smtp *s, char *buf, size_t n);

/* Bytes from the server. */
void smtp_feed(struct smtp *s, const char *buf, size_t len);
/* The server closed the connection. */
void smtp_eof(struct smtp *s);
/* The handshake asked for with SMTP_WANT_TLS succeeded (ok) or failed. */
void smtp_tls_done(struct smtp *s, int ok);
/* The current wait's timer ran out. */
void smtp_timeout(struct smtp *s);
/* The timer of the current wait, and its milliseconds. */
enum smtp_timer smtp_timer(const struct smtp *s);
int smtp_timeout_ms(const struct smtp *s);
/*
 * Changes when a new wait begins: a reply was taken whole, the state
 * changed, or message data went out.  The driver starts the timer again
 * then, and only then: bytes trickling in do not restart it.
 */
unsigned long smtp_wait_serial(const struct smtp *s);
/* Give up: the connection is dropped, the current message is not sent. */
void smtp_abort(struct smtp *s, enum err e, const char *why);
/*
 * The user stops: ERR_CANCEL, the current message is not sent.  When no
 * message data can be under way (ready, or an envelope whose DATA has not
 * gone out, with PIPELINING or no reply awaited) a QUIT follows what is
 * in flight and the session ends cleanly; otherwise as smtp_abort().
 */
void smtp_stop(struct smtp *s, const char *why);

/*
 * Start a message (only when SMTP_READY).  Checked before anything is
 * sent: ERR_TOOBIG (size over the server's SIZE), ERR_NOUTF8 (non-ASCII
 * address without SMTPUTF8), ERR_DATA (an address with control
 * characters, spaces or angle brackets); the engine stays ready and
 * *errstr says why.  The envelope's strings must stay valid until the
 * message is finished.
 */
/*
 * Normalise a DSN NOTIFY list, "failure, delay" to "FAILURE,DELAY": NEVER
 * alone, or each of SUCCESS, FAILURE and DELAY at most once (RFC 3461,
 * 4.1).  malloc'd; NULL when v is not such a list (or out of memory).
 * smtp_mail() takes only the normalised form: nothing else reaches the
 * wire.
 */
char *smtp_dsn_notify(const char *v);

enum err smtp_mail(struct smtp *s, const struct smtp_envelope *env,
    char **errstr);
/*
 * smtp_mail() also takes an envelope when SMTP_NEXT is wanted: it goes
 * out behind the dot, and the engine turns to it once the message before
 * has its reply.  Each message smtp_mail() took has a number, from 0 in
 * the order taken: smtp_messages_begun() is the next one's.  Message k is
 * over when smtp_messages_done() > k.
 */
unsigned smtp_messages_begun(const struct smtp *s);
/*
 * The result of message k: the message in progress (a result without
 * verdicts for one whose envelope is queued but not answered yet), the
 * last one finished, or the one finished before it when a pipelined
 * message has begun since.  NULL for an older k.
 */
const struct smtp_result *smtp_result_of(const struct smtp *s, unsigned k);
/* Message data, any chunking; LF or CRLF line ends. */
void smtp_body(struct smtp *s, const char *buf, size_t len);
void smtp_body_end(struct smtp *s);
/* End the session politely (from SMTP_READY). */
void smtp_quit(struct smtp *s);

/* How the session ended (ERR_OK when it was QUIT as planned). */
enum err smtp_error(const struct smtp *s, const char **detail);
/* The outcome of the last message; valid from when it finishes. */
const struct smtp_result *smtp_result(const struct smtp *s);
/* The number of messages finished so far (success or not). */
unsigned smtp_messages_done(const struct smtp *s);
const struct smtp_caps *smtp_caps(const struct smtp *s);
/* 1 when the engine believes the channel is protected by TLS. */
int smtp_tls_active(const struct smtp *s);
/*
 * The connection is up: TCP for smtp:// and smtp+plain://, where the
 * greeting is awaited next; the TLS handshake follows for smtps:// (then
 * smtp_tls_done() when it is over).  A stop point at connect (drop) or,
 * for implicit TLS, at tls may end the session here (SMTP_DONE).
 */
void smtp_connected(struct smtp *s);
/*
 * The stage now in progress; once the session has failed, the stage at
 * which it failed; once it stopped at its stop point (smtp_error()
 * ERR_STOPPED), the stage after which it stopped.
 */
enum smtp_stage smtp_stage(const struct smtp *s);
/* The name of the state, for tests and the transcript. */
const char *smtp_state_name(const struct smtp *s);
/*
 * Step mode (opts.hold).  smtp_want() says SMTP_HELD while the engine
 * waits for the user: paused before a stage, or ready for a typed line.
 */
/*
 * What going on does next, for a prompt: "greeting", "EHLO", "STARTTLS",
 * "AUTH", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA"; NULL when nothing
 * (then only a typed line, or the end).  Valid until the next call into
 * the engine.
 */
const char *smtp_step_next(struct smtp *s);
/* Go on one stage (or send what smtp_step_next() names); 0, or -1 when nothing is held. */
int smtp_step_go(struct smtp *s);
/*
 * What the engine takes from the user now: SMTP_STEP_NONE (a stage is
 * held, or a reply is awaited), SMTP_STEP_COMMAND (a command line),
 * SMTP_STEP_DATA (a line of message data after a 354; "." ends it).
 */
enum smtp_step_typing {
	SMTP_STEP_NONE,
	SMTP_STEP_COMMAND,
	SMTP_STEP_DATA,
};
enum smtp_step_typing smtp_step_typing(const struct smtp *s);
/*
 * Can line[0..len) (without its line end) be sent as typed?  A command
 * (data 0): no CR, LF or NUL, not empty, at most SMTP's 512 octets with
 * CRLF (RFC 5321 4.5.3.1.4), and not STARTTLS, AUTH or BDAT, which
 * pigeon does itself (TLS and AUTH are done by the time lines are
 * taken, and a typed AUTH would put the secret in the transcript) or
 * cannot take from a line (BDAT's data).  A data line (data 1): no CR,
 * LF or NUL, at most 1000 octets with CRLF (4.5.3.1.6).  0, or -1 with
 * *why (translated, static) saying why not.
 */
int smtp_step_check(const char *line, size_t len, int data, const char **why);
/*
 * Send a typed line: a command (its reply is read, validated and
 * explained as any; MAIL, RCPT, DATA, RSET, EHLO and QUIT are tracked)
 * or, after a 354, a line of message data, dot-stuffed, up to a line
 * with a single dot.  ERR_USAGE with *errstr (malloc'd) when the line
 * fails smtp_step_check() or nothing is taken now (smtp_step_typing()):
 * nothing is sent then, and the session goes on.
 */
enum err smtp_step_line(struct smtp *s, const char *line, size_t len,
    char **errstr);
/*
 * The user ends the session: QUIT when the server can take one as a
 * command (the session ends ERR_OK), else (within message data, before
 * the greeting) the connection is closed: ERR_CANCEL.
 */
void smtp_step_quit(struct smtp *s);

/* The mechanism used for AUTH, or NULL. */
const char *smtp_auth_mech(const struct smtp *s);

/*
 * Can name go after EHLO: printable ASCII without spaces, at most 255
 * octets (a domain or an address literal; RFC 5321 4.1.1.1)?
 */
int smtp_helo_ok(const char *name);

/*
 * Is this reply to RCPT a refusal for good?  5xx, except 552, which RFC
 * 5321 4.5.3.1.10 says to take as 452: too many recipients for now.
 */
int smtp_rcpt_refused(int code);

/*
 * Parse one reply from buf[0..len): return the bytes it took (0 when
 * incomplete) and fill r (text malloc'd, free with smtp_reply_free).
 * -1 when the bytes cannot be a valid reply; *why says what is wrong.
 * Exposed for tests.
 */
long smtp_parse_reply(const char *buf, size_t len, struct smtp_reply *r,
    const char **why);
void smtp_reply_free(struct smtp_reply *r);

#endif
