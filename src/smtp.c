/* smtp.c - the SMTP client protocol engine: bytes in, bytes out, events out; no I/O, no clock. */
#include "smtp.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "crlf.h"
#include "i18n.h"
#include "sasl.h"
#include "util.h"

/*
 * Bounds on what a server may send.  RFC 5321 allows 512 octets per reply
 * line; we take twice that from liberal servers and refuse the rest, as we
 * refuse replies of absurd length, so a hostile server cannot make us
 * buffer without limit.
 */
#define SMTP_LINE_MAX   1024
#define SMTP_LINES_MAX  200
#define SMTP_IN_MAX     (SMTP_LINE_MAX * SMTP_LINES_MAX + 4096)
/* Output: commands, plus message data the session feeds in blocks. */
#define SMTP_OUT_MAX    (8u * 1024 * 1024)
/* Ask for more message data while less than this is waiting to go out. */
#define SMTP_BODY_LOW   (256u * 1024)

/* RFC 5321 4.5.3.2 minimum timeouts, in seconds. */
#define TO_GREETING     300
#define TO_COMMAND      300
#define TO_DATA_INIT    120
#define TO_DATA_BLOCK   180
#define TO_DATA_TERM    600

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
	X(S_QUIT,     "quit") \
	X(S_DONE,     "done")

#define STATE_ENUM_(name, str) name,
enum state { STATE_TABLE(STATE_ENUM_) };
#undef STATE_ENUM_
#define STATE_NAME_(name, str) str,
static const char *const state_names[] = { STATE_TABLE(STATE_NAME_) };
#undef STATE_NAME_

/* What each expected reply answers. */
enum cmd {
	C_GREETING,
	C_EHLO,
	C_HELO,
	C_STARTTLS,
	C_AUTH,
	C_RSET,
	C_MAIL,
	C_RCPT,
	C_DATA,
	C_DOT,          /* end of data: the final reply */
	C_DOT_DISCARD,  /* an empty message ended only to get out of DATA */
	C_BDAT,
	C_BDAT_LAST,
	C_QUIT,
};

struct pending {
	enum cmd cmd;
	size_t idx;     /* recipient index for C_RCPT */
};

struct smtp {
	const struct smtp_opts *o;
	struct transcript *tr;
	char *secret;
	enum state state;
	int tls_active;
	int ehlo_done;               /* the last EHLO/HELO got its 250 */
	struct smtp_caps caps;

	struct buf in;
	struct buf out;
	size_t out_off;

	struct pending *pend;        /* FIFO of replies expected */
	size_t pend_head, pend_len, pend_cap;

	struct sasl *sasl;
	int auth_mech;
	enum err auth_local_err;     /* we cancelled or distrust the exchange */
	char *auth_local_why;

	enum err err;
	char *errstr;

	/* The message in progress. */
	const struct smtp_envelope *env;
	struct smtp_result res;
	unsigned nmsgs;
	int need_rset;
	int pipelining;
	int mail_ok;
	size_t rcpt_replies;
	int data_sent;               /* DATA (or first BDAT) went out */
	int body_ended;
	int use_bdat;
	unsigned bdat_outstanding;
	int bdat_failed;
	struct crlf crlf;            /* line ends and dot-stuffing of data */
	struct buf stage;            /* BDAT chunk being built */
};

static void process_input(struct smtp *s);

/* -- small helpers ---------------------------------------------------- */

static void
set_state(struct smtp *s, enum state st)
{
	if (s->state == st)
		return;
	s->state = st;
	transcript_emit(s->tr, TR_STATE, 0, state_names[st],
	    strlen(state_names[st]));
}

static unsigned
tls_flag(const struct smtp *s)
{
	return s->tls_active ? TR_F_TLS : 0;
}

static int
pend_push(struct smtp *s, enum cmd c, size_t idx)
{
	struct pending *p;
	size_t cap, i;

	if (s->pend_len == s->pend_cap) {
		cap = s->pend_cap ? s->pend_cap * 2 : 8;
		p = calloc(cap, sizeof(*p));
		if (p == NULL)
			return -1;
		for (i = 0; i < s->pend_len; i++)
			p[i] = s->pend[(s->pend_head + i) % s->pend_cap];
		free(s->pend);
		s->pend = p;
		s->pend_cap = cap;
		s->pend_head = 0;
	}
	s->pend[(s->pend_head + s->pend_len) % s->pend_cap].cmd = c;
	s->pend[(s->pend_head + s->pend_len) % s->pend_cap].idx = idx;
	s->pend_len++;
	return 0;
}

static struct pending
pend_pop(struct smtp *s)
{
	struct pending p = s->pend[s->pend_head];

	s->pend_head = (s->pend_head + 1) % s->pend_cap;
	s->pend_len--;
	return p;
}

static void
seterr(struct smtp *s, enum err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Remember the first error of the session; later ones only add noise. */
static void
seterr(struct smtp *s, enum err e, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	if (s->err != ERR_OK)
		return;
	s->err = e;
	buf_init(&b, 64 * 1024);
	va_start(ap, fmt);
	if (buf_vprintf(&b, fmt, ap) == 0) {
		free(s->errstr);
		s->errstr = b.data;
		transcript_emit(s->tr, TR_ERROR, 0, buf_str(&b), b.len);
	} else {
		buf_free(&b);
	}
	va_end(ap);
}

/* The reply as one line for messages: "550 5.1.1 no such user | more". */
static const char *
reply_line(const struct smtp_reply *r)
{
	return r->text != NULL ? r->text : "";
}

/*
 * Queue a command.  wire is what goes out (without CRLF); show is what the
 * transcript may see, which differs only when wire carries a secret.
 */
static int
send_cmd(struct smtp *s, enum cmd c, size_t idx, const char *show,
    const char *wire, size_t wirelen)
{
	if (buf_add(&s->out, wire, wirelen) < 0 ||
	    buf_add(&s->out, "\r\n", 2) < 0 ||
	    pend_push(s, c, idx) < 0) {
		seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
		set_state(s, S_DONE);
		return -1;
	}
	if (show != NULL)
		transcript_emit(s->tr, TR_CLIENT, tls_flag(s) | TR_F_REDACTED,
		    show, strlen(show));
	else
		transcript_emit(s->tr, TR_CLIENT, tls_flag(s), wire, wirelen);
	return 0;
}

static int
send_cmdf(struct smtp *s, enum cmd c, size_t idx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
send_cmdf(struct smtp *s, enum cmd c, size_t idx, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int r;

	buf_init(&b, 64 * 1024);
	va_start(ap, fmt);
	r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r < 0) {
		buf_free(&b);
		seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
		set_state(s, S_DONE);
		return -1;
	}
	r = send_cmd(s, c, idx, NULL, buf_str(&b), b.len);
	buf_free(&b);
	return r;
}

/* End politely: QUIT, then done once it is answered or the line drops. */
static void
quit(struct smtp *s)
{
	if (s->state == S_QUIT || s->state == S_DONE)
		return;
	if (send_cmdf(s, C_QUIT, 0, "QUIT") == 0)
		set_state(s, S_QUIT);
}

/* End at once: nothing more may be sent on this connection. */
static void
drop(struct smtp *s)
{
	buf_reset(&s->out);
	s->out_off = 0;
	s->pend_len = 0;
	set_state(s, S_DONE);
}

static void
caps_clear(struct smtp_caps *c)
{
	size_t i;

	free(c->auth);
	free(c->server);
	for (i = 0; i < c->nlines; i++)
		free(c->lines[i]);
	free(c->lines);
	memset(c, 0, sizeof(*c));
}

/* -- replies ---------------------------------------------------------- */

void
smtp_reply_free(struct smtp_reply *r)
{
	free(r->text);
	r->text = NULL;
	r->code = 0;
	r->enhanced[0] = '\0';
}

/* "5.1.1 text": copy the enhanced status code if text starts with one. */
static void
parse_enhanced(struct smtp_reply *r, const char *t, size_t n)
{
	size_t i = 0, start, parts = 0, digits;

	if (n < 5 || t[0] != '0' + r->code / 100)
		return;
	while (parts < 3) {
		start = i;
		while (i < n && isdigit((unsigned char)t[i]) && i - start < 3)
			i++;
		digits = i - start;
		if (digits == 0 || (parts == 0 && digits != 1))
			return;
		parts++;
		if (parts < 3) {
			if (i >= n || t[i] != '.')
				return;
			i++;
		}
	}
	if (i < n && t[i] != ' ')
		return;
	if (i >= sizeof(r->enhanced))
		return;
	memcpy(r->enhanced, t, i);
	r->enhanced[i] = '\0';
}

long
smtp_parse_reply(const char *buf, size_t len, struct smtp_reply *r,
    const char **why)
{
	size_t pos = 0, linelen, nlines = 0, i, textstart = 0;
	const char *nl, *line;
	int code = -1, c;
	char sep;
	struct buf text;

	memset(r, 0, sizeof(*r));
	for (;;) {
		size_t avail = len - pos;
		size_t scan = avail < SMTP_LINE_MAX + 2 ? avail : SMTP_LINE_MAX + 2;

		nl = memchr(buf + pos, '\n', scan);
		if (nl == NULL) {
			if (avail > SMTP_LINE_MAX + 1) {
				*why = _("reply line too long");
				return -1;
			}
			return 0;
		}
		line = buf + pos;
		linelen = (size_t)(nl - line);
		if (linelen > 0 && line[linelen - 1] == '\r')
			linelen--;
		if (linelen > SMTP_LINE_MAX) {
			*why = _("reply line too long");
			return -1;
		}
		if (linelen < 3 || line[0] < '2' || line[0] > '5' ||
		    line[1] < '0' || line[1] > '9' ||
		    line[2] < '0' || line[2] > '9') {
			*why = _("reply does not start with a code from 200 to 599");
			return -1;
		}
		sep = linelen > 3 ? line[3] : ' ';
		if (sep != ' ' && sep != '-') {
			*why = _("reply code not followed by a space or '-'");
			return -1;
		}
		c = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
		    (line[2] - '0');
		if (code >= 0 && c != code) {
			*why = _("lines of one reply carry different codes");
			return -1;
		}
		code = c;
		for (i = 4; i < linelen; i++) {
			unsigned char ch = (unsigned char)line[i];

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
				*why = _("control character in reply");
				return -1;
			}
		}
		if (++nlines > SMTP_LINES_MAX) {
			*why = _("reply has too many lines");
			return -1;
		}
		pos = (size_t)(nl - buf) + 1;
		if (sep == ' ')
			break;
	}

	/* Complete: collect the text of every line. */
	buf_init(&text, SMTP_IN_MAX);
	r->code = code;
	for (i = 0; i < pos; i = textstart) {
		nl = memchr(buf + i, '\n', pos - i);
		linelen = (size_t)(nl - (buf + i));
		if (linelen > 0 && buf[i + linelen - 1] == '\r')
			linelen--;
		if ((text.len > 0 && buf_addch(&text, '\n') < 0) ||
		    buf_add(&text, buf + i, linelen) < 0) {
			buf_free(&text);
			*why = err_str(ERR_NOMEM);
			return -1;
		}
		textstart = (size_t)(nl - buf) + 1;
	}
	r->text = text.data != NULL ? text.data : strdup("");
	if (r->text == NULL) {
		*why = err_str(ERR_NOMEM);
		return -1;
	}
	if (text.len > 4)
		parse_enhanced(r, r->text + 4, strcspn(r->text + 4, "\n"));
	return (long)pos;
}

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
		transcript_emit(s->tr, TR_SERVER, tls_flag(s), p, n);
		p = nl + 1;
	}
}

/* -- EHLO capabilities ------------------------------------------------ */

static int
caps_add_auth(struct smtp_caps *c, const char *list)
{
	struct buf b;

	buf_init(&b, 4096);
	if (c->auth != NULL && buf_addstr(&b, c->auth) < 0)
		goto fail;
	if (*list != '\0') {
		if (b.len > 0 && buf_addch(&b, ' ') < 0)
			goto fail;
		if (buf_addstr(&b, list) < 0)
			goto fail;
	}
	free(c->auth);
	c->auth = b.data != NULL ? b.data : strdup("");
	return c->auth != NULL ? 0 : -1;
fail:
	buf_free(&b);
	return -1;
}

/* Does a keyword line start with kw (case-insensitive) as a whole word? */
static const char *
keyword(const char *line, const char *kw, char sepch)
{
	size_t n = strlen(kw);

	if (strncasecmp(line, kw, n) != 0)
		return NULL;
	if (line[n] == '\0')
		return line + n;
	if (line[n] == ' ' || line[n] == sepch)
		return line + n + 1;
	return NULL;
}

static int
parse_caps(struct smtp *s, const struct smtp_reply *r)
{
	struct smtp_caps *c = &s->caps;
	const char *p = r->text, *nl, *arg;
	char *line, **lines;
	size_t n;
	int first = 1;

	caps_clear(c);
	c->flags = SMTP_CAP_EHLO;
	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		line = strndup(n > 4 ? p + 4 : "", n > 4 ? n - 4 : 0);
		if (line == NULL)
			return -1;
		if (first) {
			/* The first line names the server; it is no capability. */
			c->server = line;
			first = 0;
		} else {
			lines = realloc(c->lines, (c->nlines + 1) * sizeof(*lines));
			if (lines == NULL) {
				free(line);
				return -1;
			}
			c->lines = lines;
			c->lines[c->nlines++] = line;
			if ((arg = keyword(line, "SIZE", 0)) != NULL) {
				char *end;
				unsigned long long v;

				c->flags |= SMTP_CAP_SIZE;
				v = strtoull(arg, &end, 10);
				if (end != arg && *end == '\0')
					c->size = v;
			} else if (keyword(line, "PIPELINING", 0)) {
				c->flags |= SMTP_CAP_PIPELINING;
			} else if (keyword(line, "8BITMIME", 0)) {
				c->flags |= SMTP_CAP_8BITMIME;
			} else if (keyword(line, "SMTPUTF8", 0)) {
				c->flags |= SMTP_CAP_SMTPUTF8;
			} else if (keyword(line, "DSN", 0)) {
				c->flags |= SMTP_CAP_DSN;
			} else if (keyword(line, "ENHANCEDSTATUSCODES", 0)) {
				c->flags |= SMTP_CAP_ENHANCED;
			} else if (keyword(line, "CHUNKING", 0)) {
				c->flags |= SMTP_CAP_CHUNKING;
			} else if (keyword(line, "STARTTLS", 0)) {
				c->flags |= SMTP_CAP_STARTTLS;
			} else if ((arg = keyword(line, "AUTH", '=')) != NULL) {
				/* "AUTH=LOGIN PLAIN" is what old servers say. */
				c->flags |= SMTP_CAP_AUTH;
				if (caps_add_auth(c, arg) < 0)
					return -1;
			}
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	if (c->server == NULL && (c->server = strdup("")) == NULL)
		return -1;
	return 0;
}

/* -- the conversation ------------------------------------------------- */

static void
send_ehlo(struct smtp *s)
{
	s->ehlo_done = 0;
	if (send_cmdf(s, C_EHLO, 0, "EHLO %s",
	    s->o->helo != NULL ? s->o->helo : "localhost") == 0)
		set_state(s, S_EHLO);
}

static void
become_ready(struct smtp *s)
{
	set_state(s, S_READY);
}

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

static void
start_auth(struct smtp *s)
{
	struct buf resp, wire;
	char show[64];
	int has_initial, m;
	enum err e;

	if (s->o->auth != NULL) {
		m = sasl_mech_from_name(s->o->auth);
		if (m < 0) {
			seterr(s, ERR_CONFIG, _("unknown authentication "
			    "mechanism '%s'"), s->o->auth);
			quit(s);
			return;
		}
		if (!offered(s->caps.auth, sasl_mech_name((enum sasl_mech)m))) {
			seterr(s, ERR_NOAUTH, _("the server does not offer AUTH "
			    "%s (it offers: %s)"),
			    sasl_mech_name((enum sasl_mech)m),
			    s->caps.auth != NULL && *s->caps.auth != '\0' ?
			    s->caps.auth : _("none"));
			quit(s);
			return;
		}
	} else {
		if (!(s->caps.flags & SMTP_CAP_AUTH)) {
			seterr(s, ERR_NOAUTH, _("a user name is configured, but "
			    "the server offers no authentication"));
			quit(s);
			return;
		}
		m = sasl_choose(s->caps.auth, 0);
		if (m < 0) {
			seterr(s, ERR_NOAUTH, _("none of the server's "
			    "authentication mechanisms is supported (it "
			    "offers: %s)"), s->caps.auth);
			quit(s);
			return;
		}
	}
	if (sasl_mech_plaintext((enum sasl_mech)m) && !s->tls_active &&
	    !s->o->auth_allow_plaintext) {
		seterr(s, ERR_PLAINTEXT, _("refusing AUTH %s without TLS: it "
		    "would send the password readable to anyone on the "
		    "path (set auth_allow_plaintext = yes to allow it)"),
		    sasl_mech_name((enum sasl_mech)m));
		quit(s);
		return;
	}
	s->auth_mech = m;
	s->sasl = sasl_new((enum sasl_mech)m, s->o->user,
	    s->secret != NULL ? s->secret : "", s->o->host, s->o->port);
	if (s->sasl == NULL) {
		seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
		drop(s);
		return;
	}
	buf_init(&resp, 64 * 1024);
	buf_init(&wire, 64 * 1024);
	e = sasl_start(s->sasl, &resp, &has_initial);
	if (e == ERR_OK &&
	    buf_printf(&wire, "AUTH %s", sasl_mech_name((enum sasl_mech)m)) == 0 &&
	    (!has_initial || buf_printf(&wire, " %s", buf_str(&resp)) == 0)) {
		(void)snprintf(show, sizeof(show), "AUTH %s%s",
		    sasl_mech_name((enum sasl_mech)m),
		    has_initial ? " [redacted]" : "");
		if (send_cmd(s, C_AUTH, 0, has_initial ? show : NULL,
		    buf_str(&wire), wire.len) == 0)
			set_state(s, S_AUTH);
	} else {
		seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
		drop(s);
	}
	buf_free_secret(&resp);
	buf_free_secret(&wire);
}

/* After a successful EHLO/HELO: TLS first, then AUTH, then ready. */
static void
after_greeting_exchange(struct smtp *s)
{
	if (s->o->tls == SMTP_TLS_STARTTLS && !s->tls_active) {
		if (!(s->caps.flags & SMTP_CAP_STARTTLS)) {
			seterr(s, ERR_NOTLS, _("the server does not offer "
			    "STARTTLS, and this account requires TLS; "
			    "nothing was sent"));
			quit(s);
			return;
		}
		if (send_cmdf(s, C_STARTTLS, 0, "STARTTLS") == 0)
			set_state(s, S_STARTTLS);
		return;
	}
	if (s->o->user != NULL && s->sasl == NULL) {
		start_auth(s);
		return;
	}
	become_ready(s);
}

static void
on_greeting(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code == 220) {
		send_ehlo(s);
	} else if (r->code == 554) {
		seterr(s, ERR_PERMFAIL, _("the server refuses service: %s"),
		    reply_line(r));
		quit(s);
	} else if (r->code / 100 == 4) {
		seterr(s, ERR_TEMPFAIL, _("the server is not available: %s"),
		    reply_line(r));
		quit(s);
	} else {
		seterr(s, ERR_PROTOCOL, _("unexpected greeting: %s"),
		    reply_line(r));
		drop(s);
	}
}

static void
on_ehlo(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code == 250) {
		if (parse_caps(s, r) < 0) {
			seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
			drop(s);
			return;
		}
		s->ehlo_done = 1;
		after_greeting_exchange(s);
		return;
	}
	if (r->code / 100 == 5 &&
	    (s->o->tls == SMTP_TLS_NONE || s->tls_active)) {
		/* Ancient servers know only HELO; fine when TLS is not needed. */
		if (send_cmdf(s, C_HELO, 0, "HELO %s",
		    s->o->helo != NULL ? s->o->helo : "localhost") == 0)
			set_state(s, S_HELO);
		return;
	}
	if (r->code / 100 == 5)
		seterr(s, ERR_NOTLS, _("the server rejected EHLO, so it "
		    "cannot offer STARTTLS, and this account requires TLS: "
		    "%s"), reply_line(r));
	else
		seterr(s, r->code / 100 == 4 ? ERR_TEMPFAIL : ERR_PROTOCOL,
		    _("EHLO failed: %s"), reply_line(r));
	quit(s);
}

static void
on_helo(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code != 250) {
		seterr(s, r->code / 100 == 4 ? ERR_TEMPFAIL : ERR_PERMFAIL,
		    _("HELO failed: %s"), reply_line(r));
		quit(s);
		return;
	}
	caps_clear(&s->caps);
	s->caps.server = strdup(r->text != NULL && strlen(r->text) > 4 ?
	    r->text + 4 : "");
	if (s->caps.server == NULL) {
		seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
		drop(s);
		return;
	}
	s->ehlo_done = 1;
	after_greeting_exchange(s);
}

static void
on_starttls(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code == 220) {
		/*
		 * Anything the server sent after its 220 was sent in clear
		 * text and would be read as if it came through TLS: that is
		 * the STARTTLS command injection attack.  Refuse it.
		 */
		if (s->in.len > 0) {
			seterr(s, ERR_PROTOCOL, _("the server sent %zu bytes "
			    "after its 220 reply to STARTTLS, before TLS "
			    "started; they could be injected by an attacker, "
			    "so the connection was dropped"), s->in.len);
			buf_reset(&s->in);
			drop(s);
			return;
		}
		set_state(s, S_TLS);
		return;
	}
	if (r->code / 100 == 4)
		seterr(s, ERR_TLS, _("the server cannot start TLS now: %s"),
		    reply_line(r));
	else
		seterr(s, ERR_NOTLS, _("the server refused STARTTLS: %s"),
		    reply_line(r));
	quit(s);
}

static void
on_auth(struct smtp *s, const struct smtp_reply *r)
{
	struct buf resp;
	char *why = NULL;
	const char *chal;
	enum err e;

	if (r->code == 334) {
		/* A challenge after we cancelled or distrusted: answer "*". */
		if (s->auth_local_err != ERR_OK) {
			(void)send_cmd(s, C_AUTH, 0, NULL, "*", 1);
			return;
		}
		chal = r->text != NULL && strlen(r->text) > 4 ? r->text + 4 : "";
		buf_init(&resp, 64 * 1024);
		e = sasl_step(s->sasl, chal, strlen(chal), &resp, &why);
		if (e == ERR_OK) {
			(void)send_cmd(s, C_AUTH, 0, "[redacted]",
			    buf_str(&resp), resp.len);
		} else if (e == ERR_AUTH) {
			/* The mechanism's required answer to an error. */
			s->auth_local_err = e;
			s->auth_local_why = why;
			why = NULL;
			(void)send_cmd(s, C_AUTH, 0, "[redacted]",
			    buf_str(&resp), resp.len);
		} else {
			s->auth_local_err = ERR_AUTH;
			s->auth_local_why = util_strf(_("the server's challenge "
			    "is invalid (%s); authentication cancelled"),
			    why != NULL ? why : err_str(e));
			(void)send_cmd(s, C_AUTH, 0, NULL, "*", 1);
		}
		free(why);
		buf_free_secret(&resp);
		return;
	}
	if (r->code == 235 && s->auth_local_err == ERR_OK) {
		e = sasl_finish(s->sasl);
		if (e != ERR_OK) {
			seterr(s, ERR_AUTH, _("the server accepted the login "
			    "without proving it knows the password; not "
			    "trusting it"));
			quit(s);
			return;
		}
		transcript_emitf(s->tr, TR_INFO, tls_flag(s),
		    _("authenticated as %s with %s"), s->o->user,
		    sasl_mech_name((enum sasl_mech)s->auth_mech));
		become_ready(s);
		return;
	}
	if (s->auth_local_err != ERR_OK)
		seterr(s, s->auth_local_err, "%s", s->auth_local_why != NULL ?
		    s->auth_local_why : err_str(s->auth_local_err));
	else if (r->code / 100 == 4)
		seterr(s, ERR_TEMPFAIL, _("authentication failed for now: %s"),
		    reply_line(r));
	else if (r->code / 100 == 5)
		seterr(s, ERR_AUTH, _("authentication failed: %s"),
		    reply_line(r));
	else
		seterr(s, ERR_PROTOCOL, _("unexpected reply to AUTH: %s"),
		    reply_line(r));
	quit(s);
}

/* -- messages --------------------------------------------------------- */

static void
result_clear(struct smtp_result *res)
{
	size_t i;

	smtp_reply_free(&res->reply);
	for (i = 0; i < res->nrcpts; i++)
		smtp_reply_free(&res->rcpt[i]);
	free(res->rcpt);
	memset(res, 0, sizeof(*res));
}

static int
reply_copy(struct smtp_reply *dst, const struct smtp_reply *src)
{
	smtp_reply_free(dst);
	dst->code = src->code;
	memcpy(dst->enhanced, src->enhanced, sizeof(dst->enhanced));
	dst->text = strdup(src->text != NULL ? src->text : "");
	return dst->text != NULL ? 0 : -1;
}

static void
finish_message(struct smtp *s, enum err e, const struct smtp_reply *r)
{
	s->res.err = e;
	if (r != NULL && reply_copy(&s->res.reply, r) < 0)
		s->res.err = ERR_NOMEM;
	if (e == ERR_OK)
		transcript_emitf(s->tr, TR_INFO, tls_flag(s),
		    _("message accepted for %zu of %zu recipients"),
		    s->res.naccepted, s->res.nrcpts);
	s->nmsgs++;
	s->need_rset = 1;
	s->env = NULL;
	buf_free(&s->stage);
	if (s->state != S_QUIT && s->state != S_DONE)
		become_ready(s);
}

/*
 * Can a go between "<" and ">" on the wire?  No control characters, no
 * angle brackets, and a space only inside a quoted local part
 * ("john doe"@example.org is a valid RFC 5321 path).
 */
static int
addr_ok(const char *a, int *nonascii)
{
	const unsigned char *p;
	int quoted = 0;

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

static int
send_rcpt(struct smtp *s, size_t i)
{
	const char *notify = s->env->dsn_notify;

	if (notify != NULL && (s->caps.flags & SMTP_CAP_DSN))
		return send_cmdf(s, C_RCPT, i, "RCPT TO:<%s> NOTIFY=%s",
		    s->env->rcpts[i], notify);
	return send_cmdf(s, C_RCPT, i, "RCPT TO:<%s>", s->env->rcpts[i]);
}

static void
start_body(struct smtp *s)
{
	crlf_init(&s->crlf, !s->use_bdat, 0);
	s->body_ended = 0;
	set_state(s, S_BODY);
}

static void
send_data_cmd(struct smtp *s)
{
	s->data_sent = 1;
	if (s->use_bdat) {
		/* BDAT needs no go-ahead: the data itself follows. */
		start_body(s);
		return;
	}
	(void)send_cmdf(s, C_DATA, 0, "DATA");
}

enum err
smtp_mail(struct smtp *s, const struct smtp_envelope *env, char **errstr)
{
	struct buf mail;
	int nonascii = 0, pipe;
	size_t i;

	if (s->state != S_READY) {
		util_seterr(errstr, _("the connection is not ready for a "
		    "message (state %s)"), state_names[s->state]);
		return ERR_SOFTWARE;
	}
	if (env->nrcpts == 0) {
		util_seterr(errstr, _("no recipients"));
		return ERR_USAGE;
	}
	if (!dsn_ok(env, errstr))
		return ERR_USAGE;
	if (!addr_ok(env->from, &nonascii)) {
		util_seterr(errstr, _("invalid sender address '%s'"), env->from);
		return ERR_DATA;
	}
	for (i = 0; i < env->nrcpts; i++) {
		int na = 0;

		if (!addr_ok(env->rcpts[i], &na) || env->rcpts[i][0] == '\0') {
			util_seterr(errstr, _("invalid recipient address '%s'"),
			    env->rcpts[i]);
			return ERR_DATA;
		}
		if (na && !(s->caps.flags & SMTP_CAP_SMTPUTF8)) {
			util_seterr(errstr, _("the recipient address '%s' is "
			    "not plain ASCII and the server does not offer "
			    "SMTPUTF8"), env->rcpts[i]);
			return ERR_NOUTF8;
		}
		nonascii |= na;
	}
	if (nonascii && !(s->caps.flags & SMTP_CAP_SMTPUTF8)) {
		util_seterr(errstr, _("the sender address '%s' is not plain "
		    "ASCII and the server does not offer SMTPUTF8"), env->from);
		return ERR_NOUTF8;
	}
	if (env->smtputf8 && !(s->caps.flags & SMTP_CAP_SMTPUTF8)) {
		util_seterr(errstr, _("the message needs SMTPUTF8, which the "
		    "server does not offer"));
		return ERR_NOUTF8;
	}
	if (s->caps.size > 0 && env->size > s->caps.size) {
		util_seterr(errstr, _("the message is %llu bytes, but the "
		    "server accepts at most %llu bytes"),
		    (unsigned long long)env->size,
		    (unsigned long long)s->caps.size);
		return ERR_TOOBIG;
	}

	result_clear(&s->res);
	s->res.rcpt = calloc(env->nrcpts, sizeof(*s->res.rcpt));
	if (s->res.rcpt == NULL)
		return ERR_NOMEM;
	s->res.nrcpts = env->nrcpts;
	s->env = env;
	s->mail_ok = 0;
	s->rcpt_replies = 0;
	s->data_sent = 0;
	s->body_ended = 0;
	s->bdat_outstanding = 0;
	s->bdat_failed = 0;
	s->use_bdat = s->o->chunking && (s->caps.flags & SMTP_CAP_CHUNKING);
	s->pipelining = !s->o->no_pipelining &&
	    (s->caps.flags & SMTP_CAP_PIPELINING);
	buf_init(&s->stage, SMTP_OUT_MAX);

	if (env->eightbit && !(s->caps.flags & SMTP_CAP_8BITMIME))
		transcript_emitf(s->tr, TR_WARN, tls_flag(s), _("the message "
		    "has 8-bit data but the server does not offer 8BITMIME"));
	if ((env->dsn_notify || env->dsn_ret || env->dsn_envid) &&
	    !(s->caps.flags & SMTP_CAP_DSN))
		transcript_emitf(s->tr, TR_WARN, tls_flag(s), _("the server "
		    "does not offer DSN: no delivery notifications requested"));

	buf_init(&mail, 64 * 1024);
	if (buf_printf(&mail, "MAIL FROM:<%s>", env->from) < 0 ||
	    ((s->caps.flags & SMTP_CAP_SIZE) && env->size > 0 &&
	     buf_printf(&mail, " SIZE=%llu",
	     (unsigned long long)env->size) < 0) ||
	    ((env->eightbit || nonascii || env->smtputf8) &&
	     (s->caps.flags & SMTP_CAP_8BITMIME) &&
	     buf_addstr(&mail, " BODY=8BITMIME") < 0) ||
	    ((nonascii || env->smtputf8) &&
	     buf_addstr(&mail, " SMTPUTF8") < 0) ||
	    ((s->caps.flags & SMTP_CAP_DSN) && env->dsn_ret != NULL &&
	     buf_printf(&mail, " RET=%s", env->dsn_ret) < 0) ||
	    ((s->caps.flags & SMTP_CAP_DSN) && env->dsn_envid != NULL &&
	     (buf_addstr(&mail, " ENVID=") < 0 ||
	      xtext(&mail, env->dsn_envid) < 0))) {
		buf_free(&mail);
		return ERR_NOMEM;
	}

	set_state(s, S_ENVELOPE);
	if (s->need_rset) {
		if (send_cmdf(s, C_RSET, 0, "RSET") < 0)
			goto fail;
		s->need_rset = 0;
	}
	if (send_cmd(s, C_MAIL, 0, NULL, buf_str(&mail), mail.len) < 0)
		goto fail;
	buf_free(&mail);
	if (s->pipelining) {
		/*
		 * RFC 2920: the whole envelope in one flight.  DATA joins it
		 * only when a rejected recipient may not abort the message,
		 * because once DATA has its 354 the only way out is to send
		 * the message or to drop the line.
		 */
		for (i = 0; i < env->nrcpts; i++)
			if (send_rcpt(s, i) < 0)
				goto fail;
		pipe = !env->abort_on_reject && !s->use_bdat;
		if (pipe) {
			s->data_sent = 1;
			if (send_cmdf(s, C_DATA, 0, "DATA") < 0)
				goto fail;
		}
	}
	return ERR_OK;
fail:
	buf_free(&mail);
	return s->err != ERR_OK ? s->err : ERR_NOMEM;
}

/* Every recipient has answered: go on, or give up on this message. */
static void
after_rcpts(struct smtp *s)
{
	size_t i, nrej = 0, ntemp = 0;

	for (i = 0; i < s->res.nrcpts; i++) {
		if (s->res.rcpt[i].code / 100 != 2) {
			nrej++;
			if (s->res.rcpt[i].code / 100 == 4)
				ntemp++;
		}
	}
	if (s->res.naccepted == 0 ||
	    (nrej > 0 && s->env->abort_on_reject)) {
		enum err e = ntemp > 0 ? ERR_TEMPFAIL : ERR_NOUSER;

		if (s->res.naccepted > 0)
			transcript_emitf(s->tr, TR_ERROR, tls_flag(s),
			    _("%zu recipients rejected: message not sent"),
			    nrej);
		if (s->data_sent)
			return;   /* DATA's reply comes next and ends it. */
		finish_message(s, e, NULL);
		return;
	}
	if (!s->data_sent)
		send_data_cmd(s);
}

static void
on_mail(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code / 100 == 2) {
		s->mail_ok = 1;
		if (!s->pipelining && send_rcpt(s, 0) < 0)
			return;
		return;
	}
	(void)reply_copy(&s->res.reply, r);
	transcript_emitf(s->tr, TR_ERROR, tls_flag(s),
	    _("sender rejected: %s"), reply_line(r));
	if (!s->pipelining)
		finish_message(s, r->code / 100 == 4 ? ERR_TEMPFAIL :
		    ERR_PERMFAIL, r);
	/* Pipelined: the RCPT and DATA replies still have to come in. */
}

static void
on_rcpt(struct smtp *s, size_t idx, const struct smtp_reply *r)
{
	if (reply_copy(&s->res.rcpt[idx], r) < 0) {
		seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
		drop(s);
		return;
	}
	s->rcpt_replies++;
	if (s->mail_ok) {
		if (r->code / 100 == 2) {
			s->res.naccepted++;
		} else {
			transcript_emitf(s->tr, r->code / 100 == 4 ? TR_WARN :
			    TR_ERROR, tls_flag(s),
			    _("recipient <%s> rejected: %s"),
			    s->env->rcpts[idx], reply_line(r));
		}
	}
	if (!s->mail_ok) {
		if (s->rcpt_replies == s->res.nrcpts && !s->data_sent)
			finish_message(s, s->res.reply.code / 100 == 4 ?
			    ERR_TEMPFAIL : ERR_PERMFAIL, NULL);
		return;
	}
	if (!s->pipelining && idx + 1 < s->res.nrcpts) {
		(void)send_rcpt(s, idx + 1);
		return;
	}
	if (s->rcpt_replies == s->res.nrcpts)
		after_rcpts(s);
}

/* Why the message failed before its data, for the DATA reply's handler. */
static enum err
envelope_failure(const struct smtp *s)
{
	size_t i;

	if (!s->mail_ok)
		return s->res.reply.code / 100 == 4 ? ERR_TEMPFAIL :
		    ERR_PERMFAIL;
	for (i = 0; i < s->res.nrcpts; i++)
		if (s->res.rcpt[i].code / 100 == 4)
			return ERR_TEMPFAIL;
	return ERR_NOUSER;
}

static void
on_data(struct smtp *s, const struct smtp_reply *r)
{
	int envelope_ok = s->mail_ok && s->res.naccepted > 0;

	if (r->code == 354) {
		if (envelope_ok) {
			start_body(s);
			return;
		}
		/*
		 * A pipelined DATA got its go-ahead although no recipient
		 * was accepted.  With nobody to deliver to, an empty
		 * message is harmless and ends the transaction cleanly.
		 */
		(void)send_cmd(s, C_DOT_DISCARD, 0, NULL, ".", 1);
		return;
	}
	if (!envelope_ok) {
		finish_message(s, envelope_failure(s), NULL);
		return;
	}
	finish_message(s, r->code / 100 == 4 ? ERR_TEMPFAIL : ERR_PERMFAIL, r);
}

static void
on_final(struct smtp *s, const struct smtp_reply *r)
{
	if (r->code / 100 == 2)
		finish_message(s, s->bdat_failed ? ERR_PERMFAIL : ERR_OK, r);
	else
		finish_message(s, r->code / 100 == 4 ? ERR_TEMPFAIL :
		    ERR_PERMFAIL, r);
}

static void
on_bdat(struct smtp *s, const struct smtp_reply *r)
{
	s->bdat_outstanding--;
	if (r->code / 100 != 2 && !s->bdat_failed) {
		s->bdat_failed = 1;
		(void)reply_copy(&s->res.reply, r);
		transcript_emitf(s->tr, TR_ERROR, tls_flag(s),
		    _("message data rejected: %s"), reply_line(r));
	}
}

static void
on_bdat_last(struct smtp *s, const struct smtp_reply *r)
{
	s->bdat_outstanding--;
	if (s->bdat_failed) {
		on_final(s, &s->res.reply);
		s->res.err = s->res.reply.code / 100 == 4 ? ERR_TEMPFAIL :
		    ERR_PERMFAIL;
		return;
	}
	on_final(s, r);
}

/* -- input ------------------------------------------------------------ */

static void
handle_reply(struct smtp *s, const struct smtp_reply *r)
{
	struct pending p;

	if (s->pend_len == 0) {
		if (r->code == 421) {
			seterr(s, ERR_TEMPFAIL, _("the server is closing the "
			    "connection: %s"), reply_line(r));
		} else {
			seterr(s, ERR_PROTOCOL, _("unexpected reply from the "
			    "server: %s"), reply_line(r));
		}
		drop(s);
		return;
	}
	p = pend_pop(s);
	if (s->state == S_QUIT) {
		if (p.cmd == C_QUIT)
			set_state(s, S_DONE);
		return;
	}
	if (r->code == 421 && p.cmd != C_QUIT) {
		/* RFC 5321 3.8: 421 means the server is going away. */
		if (s->env != NULL) {
			if (p.cmd == C_DOT || p.cmd == C_BDAT_LAST)
				(void)reply_copy(&s->res.reply, r);
			s->res.err = ERR_TEMPFAIL;
			s->nmsgs++;
			s->env = NULL;
		}
		seterr(s, ERR_TEMPFAIL, _("the server is closing the "
		    "connection: %s"), reply_line(r));
		drop(s);
		return;
	}
	switch (p.cmd) {
	case C_GREETING:
		on_greeting(s, r);
		break;
	case C_EHLO:
		on_ehlo(s, r);
		break;
	case C_HELO:
		on_helo(s, r);
		break;
	case C_STARTTLS:
		on_starttls(s, r);
		break;
	case C_AUTH:
		on_auth(s, r);
		break;
	case C_RSET:
		if (r->code / 100 != 2) {
			seterr(s, ERR_PROTOCOL, _("RSET failed: %s"),
			    reply_line(r));
			quit(s);
		}
		break;
	case C_MAIL:
		on_mail(s, r);
		break;
	case C_RCPT:
		on_rcpt(s, p.idx, r);
		break;
	case C_DATA:
		on_data(s, r);
		break;
	case C_DOT:
		on_final(s, r);
		break;
	case C_DOT_DISCARD:
		finish_message(s, envelope_failure(s), NULL);
		break;
	case C_BDAT:
		on_bdat(s, r);
		break;
	case C_BDAT_LAST:
		on_bdat_last(s, r);
		break;
	case C_QUIT:
		set_state(s, S_DONE);
		break;
	}
}

static void
process_input(struct smtp *s)
{
	struct smtp_reply r;
	const char *why = NULL;
	long n;

	while (s->in.len > 0 && s->state != S_DONE) {
		if (s->state == S_TLS) {
			seterr(s, ERR_PROTOCOL, _("the server sent data before "
			    "the TLS handshake"));
			drop(s);
			return;
		}
		n = smtp_parse_reply(s->in.data, s->in.len, &r, &why);
		if (n < 0) {
			/* Show what we refused, escaped, then stop. */
			emit_reply_lines(s, s->in.data,
			    s->in.len < SMTP_LINE_MAX ? s->in.len : SMTP_LINE_MAX);
			seterr(s, ERR_PROTOCOL, _("invalid reply from the "
			    "server: %s"), why);
			buf_reset(&s->in);
			drop(s);
			return;
		}
		if (n == 0)
			return;
		emit_reply_lines(s, s->in.data, (size_t)n);
		buf_consume(&s->in, (size_t)n);
		handle_reply(s, &r);
		smtp_reply_free(&r);
	}
}

void
smtp_feed(struct smtp *s, const char *buf, size_t len)
{
	if (s->state == S_DONE || len == 0)
		return;
	if (buf_add(&s->in, buf, len) < 0) {
		seterr(s, ERR_PROTOCOL, _("the server sent too much without "
		    "finishing a reply"));
		drop(s);
		return;
	}
	process_input(s);
}

void
smtp_eof(struct smtp *s)
{
	if (s->state == S_DONE)
		return;
	if (s->state == S_QUIT) {
		set_state(s, S_DONE);
		return;
	}
	if (s->env != NULL) {
		int after_dot = s->body_ended && s->pend_len > 0;

		s->res.err = ERR_CLOSED;
		s->res.uncertain = after_dot;
		s->nmsgs++;
		s->env = NULL;
		seterr(s, ERR_CLOSED, after_dot ?
		    _("the server closed the connection after the message "
		    "was sent but before it confirmed it: it may or may not "
		    "have been delivered") :
		    _("the server closed the connection in the middle of the "
		    "message"));
	} else {
		seterr(s, ERR_CLOSED, _("the server closed the connection "
		    "(state %s)"), state_names[s->state]);
	}
	drop(s);
}

void
smtp_tls_done(struct smtp *s, int ok)
{
	if (s->state != S_TLS)
		return;
	if (!ok) {
		seterr(s, ERR_TLS, _("the TLS handshake failed"));
		drop(s);
		return;
	}
	/* RFC 3207: forget everything learned in clear text. */
	s->tls_active = 1;
	caps_clear(&s->caps);
	buf_reset(&s->in);
	send_ehlo(s);
}

void
smtp_timeout(struct smtp *s)
{
	if (s->state == S_DONE)
		return;
	if (s->state == S_QUIT) {
		set_state(s, S_DONE);
		return;
	}
	if (s->env != NULL) {
		s->res.err = ERR_TIMEOUT;
		s->res.uncertain = s->body_ended && s->pend_len > 0;
		s->nmsgs++;
		s->env = NULL;
	}
	seterr(s, ERR_TIMEOUT, _("the server did not answer in time "
	    "(state %s)"), state_names[s->state]);
	drop(s);
}

void
smtp_abort(struct smtp *s, enum err e, const char *why)
{
	if (s->state == S_DONE)
		return;
	if (s->env != NULL) {
		s->res.err = e;
		s->res.uncertain = s->body_ended && s->pend_len > 0;
		s->nmsgs++;
		s->env = NULL;
	}
	seterr(s, e, "%s", why != NULL ? why : err_str(e));
	drop(s);
}

void
smtp_stop(struct smtp *s, const char *why)
{
	if (s->state == S_DONE || s->state == S_QUIT)
		return;
	if (s->state == S_READY || (s->state == S_ENVELOPE && !s->data_sent &&
	    (s->pipelining || s->pend_len == 0))) {
		if (s->env != NULL) {
			s->res.err = ERR_CANCEL;
			s->nmsgs++;
			s->env = NULL;
		}
		seterr(s, ERR_CANCEL, "%s", why != NULL ? why :
		    err_str(ERR_CANCEL));
		quit(s);
		return;
	}
	smtp_abort(s, ERR_CANCEL, why);
}

int
smtp_timeout_ms(const struct smtp *s)
{
	int sec;

	if (s->o->timeout_s > 0)
		sec = s->o->timeout_s;
	else if (s->state == S_GREETING)
		sec = TO_GREETING;
	else if (s->state == S_BODY)
		sec = TO_DATA_BLOCK;
	else if (s->pend_len > 0 && s->pend[s->pend_head].cmd == C_DATA)
		sec = TO_DATA_INIT;
	else if (s->state == S_DOT)
		sec = TO_DATA_TERM;
	else
		sec = TO_COMMAND;
	return sec * 1000;
}

/* -- output and message data ------------------------------------------ */

const char *
smtp_output(const struct smtp *s, size_t *len)
{
	*len = s->out.len - s->out_off;
	return *len > 0 ? s->out.data + s->out_off : NULL;
}

void
smtp_consumed(struct smtp *s, size_t n)
{
	s->out_off += n;
	if (s->out_off >= s->out.len) {
		buf_reset(&s->out);
		s->out_off = 0;
	}
}

/* Bytes of output not yet handed to the network. */
static size_t
out_pending(const struct smtp *s)
{
	return s->out.len - s->out_off;
}

static void
emit_data(struct smtp *s, const char *p, size_t n)
{
	s->res.bytes += n;
	transcript_emit(s->tr, TR_DATA, tls_flag(s), p, n);
}

/* Where the transcript leaves the data out, it says how much there was. */
static void
emit_data_summary(struct smtp *s)
{
	char lines[32], bytes[32];

	util_thousands(lines, sizeof(lines), s->res.lines);
	util_thousands(bytes, sizeof(bytes), s->res.bytes);
	transcript_emitf(s->tr, TR_INFO, tls_flag(s),
	    _("[data: %s lines, %s bytes]"), lines, bytes);
}

static void
bdat_chunk(struct smtp *s, int last)
{
	char head[48];
	int n;

	n = snprintf(head, sizeof(head), "BDAT %zu%s", s->stage.len,
	    last ? " LAST" : "");
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    send_cmd(s, last ? C_BDAT_LAST : C_BDAT, 0, NULL, head,
	    (size_t)n) < 0 ||
	    buf_add(&s->out, s->stage.data != NULL ? s->stage.data : "",
	    s->stage.len) < 0) {
		seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
		drop(s);
		return;
	}
	emit_data(s, buf_str(&s->stage), s->stage.len);
	buf_reset(&s->stage);
	s->bdat_outstanding++;
}

void
smtp_body(struct smtp *s, const char *buf, size_t len)
{
	size_t before;

	if (s->state != S_BODY || s->body_ended || len == 0)
		return;
	if (s->out_off > 0) {
		buf_consume(&s->out, s->out_off);
		s->out_off = 0;
	}
	if (s->use_bdat) {
		if (s->bdat_failed)
			return;
		if (crlf_convert(&s->crlf, &s->stage, buf, len) < 0) {
			seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
			drop(s);
			return;
		}
		bdat_chunk(s, 0);
		return;
	}
	before = s->out.len;
	if (crlf_convert(&s->crlf, &s->out, buf, len) < 0) {
		seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
		drop(s);
		return;
	}
	emit_data(s, s->out.data + before, s->out.len - before);
}

void
smtp_body_end(struct smtp *s)
{
	size_t before;

	if (s->state != S_BODY || s->body_ended)
		return;
	s->body_ended = 1;
	if (s->use_bdat) {
		/* The message must end with a line break. */
		if (crlf_finish(&s->crlf, &s->stage) < 0) {
			seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
			drop(s);
			return;
		}
		s->res.lines = s->crlf.lines;
		bdat_chunk(s, 1);
		emit_data_summary(s);
		set_state(s, S_DOT);
		return;
	}
	before = s->out.len;
	if (crlf_finish(&s->crlf, &s->out) < 0) {
		seterr(s, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
		drop(s);
		return;
	}
	s->res.lines = s->crlf.lines;
	if (s->out.len > before)
		emit_data(s, s->out.data + before, s->out.len - before);
	emit_data_summary(s);
	/* The dot goes out together with the last data (no Nagle stall). */
	if (send_cmd(s, C_DOT, 0, NULL, ".", 1) == 0)
		set_state(s, S_DOT);
}

void
smtp_quit(struct smtp *s)
{
	if (s->state == S_READY)
		quit(s);
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
	if (opts->secret != NULL && (s->secret = strdup(opts->secret)) == NULL) {
		free(s);
		return NULL;
	}
	s->state = S_GREETING;
	if (pend_push(s, C_GREETING, 0) < 0) {
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
	if (s->secret != NULL) {
		explicit_bzero(s->secret, strlen(s->secret));
		free(s->secret);
	}
	sasl_free(s->sasl);
	free(s->auth_local_why);
	caps_clear(&s->caps);
	buf_free(&s->in);
	/* The output may hold an AUTH response. */
	buf_free_secret(&s->out);
	buf_free(&s->stage);
	free(s->pend);
	free(s->errstr);
	result_clear(&s->res);
	free(s);
}

unsigned
smtp_want(const struct smtp *s)
{
	unsigned w = 0;

	if (s->state == S_DONE)
		return SMTP_DONE;
	if (out_pending(s) > 0)
		w |= SMTP_WANT_WRITE;
	if (s->state == S_TLS) {
		/* The handshake starts once the STARTTLS line is out. */
		return w ? w : SMTP_WANT_TLS;
	}
	if (s->pend_len > 0)
		w |= SMTP_WANT_READ;
	if (s->state == S_BODY && !s->body_ended &&
	    out_pending(s) < SMTP_BODY_LOW &&
	    !(s->use_bdat && !s->pipelining && s->bdat_outstanding > 0) &&
	    !s->bdat_failed)
		w |= SMTP_WANT_BODY;
	if (s->state == S_BODY && s->bdat_failed && !s->body_ended)
		w |= SMTP_WANT_BODY;   /* to be told the end, data ignored */
	if (s->state == S_READY && s->pend_len == 0)
		w |= SMTP_READY;
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
