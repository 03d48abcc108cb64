/* smtpdoc.c - what SMTP's codes and keywords mean, in words: enhanced status codes and EHLO keywords. */
/* SPDX-License-Identifier: ISC */
#include "smtpdoc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "sanitize.h"
#include "util.h"

/* -- enhanced status codes -------------------------------------------- */

/* The classes (the X of X.Y.Z). */
static const char *
class_word(unsigned cls)
{
	switch (cls) {
	case 2:
		return _("success");
	case 4:
		return _("temporary failure");
	default:
		return _("permanent failure");
	}
}

/* The subjects (the Y), RFC 3463 section 3. */
static const char *const subjects[] = {
	N_("other or undefined status"),
	N_("addressing status"),
	N_("mailbox status"),
	N_("mail system status"),
	N_("network and routing status"),
	N_("mail delivery protocol status"),
	N_("message content or media status"),
	N_("security or policy status"),
};

/*
 * The registered codes (subject, detail), each in our own words.  The
 * same detail means the same under class 4 (for now) and 5 (for good);
 * the reply's code says which.
 */
static const struct {
	unsigned char subject, detail;
	const char *meaning;
} statuses[] = {
	{ 0, 0, N_("no detail given") },
	{ 1, 0, N_("a problem with an address, no detail given") },
	{ 1, 1, N_("the recipient's mailbox does not exist") },
	{ 1, 2, N_("the recipient's domain does not exist or takes no mail") },
	{ 1, 3, N_("the recipient's address is not valid syntax") },
	{ 1, 4, N_("the recipient's address is ambiguous") },
	{ 1, 5, N_("the recipient's address is valid") },
	{ 1, 6, N_("the mailbox has moved, with no forwarding address") },
	{ 1, 7, N_("the sender's address is not valid syntax") },
	{ 1, 8, N_("the sender's domain does not exist or takes no mail") },
	{ 1, 9, N_("passed on to a mail system that does not follow the "
	    "standards") },
	{ 1, 10, N_("the recipient's domain takes no mail (null MX)") },
	{ 2, 0, N_("a problem with the mailbox, no detail given") },
	{ 2, 1, N_("the mailbox is disabled and takes no mail") },
	{ 2, 2, N_("the mailbox is full") },
	{ 2, 3, N_("the message is over the mailbox's size limit") },
	{ 2, 4, N_("a mailing list could not be expanded") },
	{ 3, 0, N_("a problem with the mail system, no detail given") },
	{ 3, 1, N_("the mail system is full") },
	{ 3, 2, N_("the system takes no mail now") },
	{ 3, 3, N_("the system cannot do a feature the message needs") },
	{ 3, 4, N_("the message is too big for this system") },
	{ 3, 5, N_("the mail system is configured wrongly") },
	{ 3, 6, N_("the message's priority was changed") },
	{ 4, 0, N_("a problem of network or routing, no detail given") },
	{ 4, 1, N_("the next host did not answer") },
	{ 4, 2, N_("the connection to the next host broke") },
	{ 4, 3, N_("a directory server (DNS) failed") },
	{ 4, 4, N_("no route to the destination") },
	{ 4, 5, N_("the mail system is congested") },
	{ 4, 6, N_("a routing loop: the message went round in a circle") },
	{ 4, 7, N_("the message expired before it could be delivered") },
	{ 5, 0, N_("a problem in the SMTP exchange, no detail given") },
	{ 5, 1, N_("the command is unknown or not allowed now") },
	{ 5, 2, N_("syntax error in the command") },
	{ 5, 3, N_("too many recipients") },
	{ 5, 4, N_("the command's arguments are wrong") },
	{ 5, 5, N_("wrong protocol version") },
	{ 5, 6, N_("a line of the login exchange is too long") },
	{ 6, 0, N_("a problem with the content, no detail given") },
	{ 6, 1, N_("a media type of the message is not supported") },
	{ 6, 2, N_("a conversion was needed but is prohibited") },
	{ 6, 3, N_("a conversion was needed but is not supported") },
	{ 6, 4, N_("the message was converted, and some of it was lost") },
	{ 6, 5, N_("a conversion failed") },
	{ 6, 6, N_("the message's content could not be fetched (BURL)") },
	{ 6, 7, N_("non-ASCII addresses are not allowed for this sender or "
	    "recipient") },
	{ 6, 8, N_("a UTF-8 reply is needed, but the client did not allow "
	    "it") },
	{ 6, 9, N_("UTF-8 headers cannot be passed on to a recipient") },
	{ 6, 10, N_("a withdrawn duplicate of X.6.8") },
	{ 7, 0, N_("a security or policy problem, no detail given") },
	{ 7, 1, N_("refused: not authorized, by policy") },
	{ 7, 2, N_("expanding the mailing list is not allowed") },
	{ 7, 3, N_("a security conversion was needed but is not possible") },
	{ 7, 4, N_("the security features asked for are not supported") },
	{ 7, 5, N_("a cryptographic operation failed") },
	{ 7, 6, N_("the cryptographic algorithm is not supported") },
	{ 7, 7, N_("the message failed an integrity check") },
	{ 7, 8, N_("wrong credentials (user name or password)") },
	{ 7, 9, N_("the login mechanism is too weak for this server") },
	{ 7, 10, N_("encryption is required") },
	{ 7, 11, N_("this login mechanism needs an encrypted connection") },
	{ 7, 12, N_("the password must be changed first") },
	{ 7, 13, N_("the user's account is disabled") },
	{ 7, 14, N_("a trust relationship is required") },
	{ 7, 15, N_("the message's priority is too low") },
	{ 7, 16, N_("the message is too big for its priority") },
	{ 7, 17, N_("the mailbox has changed owner since the given date "
	    "(RRVS)") },
	{ 7, 18, N_("the domain has changed owner since the given date "
	    "(RRVS)") },
	{ 7, 19, N_("the RRVS check could not be done") },
	{ 7, 20, N_("no DKIM signature passed") },
	{ 7, 21, N_("no acceptable DKIM signature") },
	{ 7, 22, N_("no valid DKIM signature of the author's domain") },
	{ 7, 23, N_("the SPF check failed") },
	{ 7, 24, N_("the SPF check could not be done") },
	{ 7, 25, N_("the reverse DNS check failed") },
	{ 7, 26, N_("several authentication checks failed") },
	{ 7, 27, N_("the sender's domain takes no mail (null MX)") },
	{ 7, 28, N_("a flood of mail was detected") },
	{ 7, 29, N_("the ARC check failed") },
	{ 7, 30, N_("the REQUIRETLS extension is required") },
};

/* One to three digits at *p: their value, or -1; *p moves past them. */
static long
digits(const char **p, const char *end)
{
	long v = 0;
	int n = 0;

	while (*p < end && isdigit((unsigned char)**p) && n < 4) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n >= 1 && n <= 3 ? v : -1;
}

size_t
smtpdoc_code_parse(const char *text, size_t len, unsigned *cls,
    unsigned *subject, unsigned *detail)
{
	const char *p = text, *end = text + len;
	long s, d;

	if (len < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') ||
	    text[1] != '.')
		return 0;
	p += 2;
	if ((s = digits(&p, end)) < 0 || p >= end || *p++ != '.' ||
	    (d = digits(&p, end)) < 0 || (p < end && *p != ' '))
		return 0;
	if (cls != NULL)
		*cls = (unsigned)(text[0] - '0');
	if (subject != NULL)
		*subject = (unsigned)s;
	if (detail != NULL)
		*detail = (unsigned)d;
	return (size_t)(p - text);
}

int
smtpdoc_status(const char *code, struct buf *out)
{
	unsigned c, s, d;
	size_t i;

	if (smtpdoc_code_parse(code, strlen(code), &c, &s, &d) !=
	    strlen(code))
		return -1;
	/* "2.1.0 Ok" says no more than the 250 before it. */
	if (c == 2 && d == 0)
		return s == 0 ? buf_addstr(out, _("success")) :
		    buf_printf(out, _("success; %s"), _(subjects[s < 8 ? s : 0]));
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].subject == s && statuses[i].detail == d)
			return buf_addstr(out, _(statuses[i].meaning));
	if (s >= sizeof(subjects) / sizeof(subjects[0]))
		return buf_printf(out, _("unknown subject; %s"),
		    class_word(c));
	return buf_printf(out, _("unknown detail; %s, %s"), _(subjects[s]),
	    class_word(c));
}

int
smtpdoc_reply(const char *reply, struct buf *out)
{
	char code[16];
	size_t n, len;

	if (reply == NULL || strlen(reply) < 5 ||
	    !isdigit((unsigned char)reply[0]) ||
	    (reply[3] != ' ' && reply[3] != '-'))
		return 0;
	len = strcspn(reply + 4, "\n");
	n = smtpdoc_code_parse(reply + 4, len, NULL, NULL, NULL);
	if (n == 0 || n >= sizeof(code) || reply[4] != reply[0])
		return 0;
	memcpy(code, reply + 4, n);
	code[n] = '\0';
	if (buf_printf(out, "%s: ", code) < 0 || smtpdoc_status(code, out) < 0)
		return -1;
	return 1;
}

char *
smtpdoc_explained(const char *reply)
{
	struct buf b;
	size_t len;
	int r;

	buf_init(&b, strlen(reply) + 4096);
	if (buf_addstr(&b, reply) < 0 || buf_addstr(&b, " (") < 0) {
		buf_free(&b);
		return NULL;
	}
	len = b.len;
	r = smtpdoc_reply(reply, &b);
	if (r < 0 || (r == 1 && buf_addch(&b, ')') < 0)) {
		buf_free(&b);
		return NULL;
	}
	if (r == 0)
		buf_truncate(&b, len - 2);
	return b.data;
}

/* -- EHLO keywords ---------------------------------------------------- */

/* The server's word w[0..n), escaped. */
static int
add_word(struct buf *out, const char *w, size_t n)
{
	return sanitize_append(out, w, n);
}

/* The next space-separated word of *p: its length; *p moves to it. */
static size_t
next_word(const char **p)
{
	*p += strspn(*p, " ");
	return strcspn(*p, " ");
}

/* An unsigned decimal number making up all of w[0..n), or -1. */
static long long
number(const char *w, size_t n)
{
	char tmp[24], *end;
	unsigned long long v;

	if (n == 0 || n >= sizeof(tmp) || !isdigit((unsigned char)w[0]))
		return -1;
	memcpy(tmp, w, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoull(tmp, &end, 10);
	if (*end != '\0' || errno != 0 || v > (unsigned long long)LLONG_MAX)
		return -1;
	return (long long)v;
}

/* SIZE [limit] (RFC 1870): the limit in bytes a person reads. */
static int
param_size(const char *args, struct buf *out)
{
	size_t n = next_word(&args);
	long long v = number(args, n);
	char size[64];

	if (v <= 0)
		return buf_printf(out, ": %s", _("no fixed limit stated"));
	util_human_size(size, sizeof(size), (unsigned long long)v);
	return buf_printf(out, ": %s", size);
}

/* How a login mechanism treats the password. */
static const char *
mech_kind(const char *m, size_t n)
{
	static const struct {
		const char *name;
		const char *kind;
	} kinds[] = {
		{ "PLAIN", N_("sends the password itself") },
		{ "LOGIN", N_("sends the password itself") },
		{ "CRAM-MD5", N_("proves the password without sending it") },
		{ "DIGEST-MD5", N_("proves the password without sending it") },
		{ "SCRAM-", N_("proves the password without sending it") },
		{ "NTLM", N_("proves the password without sending it") },
		{ "XOAUTH2", N_("sends an OAuth token") },
		{ "OAUTHBEARER", N_("sends an OAuth token") },
		{ "GSSAPI", N_("Kerberos") },
		{ "EXTERNAL", N_("uses the TLS client certificate") },
		{ "ANONYMOUS", N_("no login at all") },
	};
	size_t i, k;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		k = strlen(kinds[i].name);
		if ((k == n || (kinds[i].name[k - 1] == '-' && n > k)) &&
		    strncasecmp(m, kinds[i].name, k) == 0)
			return _(kinds[i].kind);
	}
	return _("not known to pigeon");
}

/*
 * AUTH mech... (RFC 4954): the mechanisms grouped by what they do with
 * the password, "; sends the password itself: PLAIN LOGIN; ...", the
 * groups in the order their first mechanism came.
 */
static int
param_auth(const char *args, struct buf *out)
{
	const char *p, *q, *kind;
	size_t n, m;

	for (p = args; (n = next_word(&p)) > 0; p += n) {
		kind = mech_kind(p, n);
		/* A kind already listed with an earlier mechanism. */
		for (q = args; q < p; q += m) {
			m = next_word(&q);
			if (q < p && strcmp(mech_kind(q, m), kind) == 0)
				break;
		}
		if (q < p)
			continue;
		if (buf_printf(out, "; %s:", kind) < 0)
			return -1;
		for (q = p; (m = next_word(&q)) > 0; q += m)
			if (strcmp(mech_kind(q, m), kind) == 0 &&
			    (buf_addch(out, ' ') < 0 || add_word(out, q, m) < 0))
				return -1;
	}
	return 0;
}

/* One LIMITS pair, NAME=value (RFC 9422 and its registry), in words. */
static int
limit_words(const char *w, size_t n, struct buf *out)
{
	const char *eq = memchr(w, '=', n);
	size_t k = eq != NULL ? (size_t)(eq - w) : n;
	long long v = eq != NULL ? number(eq + 1, n - k - 1) : -1;

	if (v >= 0 && k == 7 && strncasecmp(w, "RCPTMAX", 7) == 0)
		return buf_printf(out, P_("at most %lld recipient per message",
		    "at most %lld recipients per message", v), v);
	if (v >= 0 && k == 7 && strncasecmp(w, "MAILMAX", 7) == 0)
		return buf_printf(out, P_("at most %lld message per connection",
		    "at most %lld messages per connection", v), v);
	if (v >= 0 && k == 13 && strncasecmp(w, "RCPTDOMAINMAX", 13) == 0)
		return buf_printf(out, P_("recipients in at most %lld domain "
		    "per message", "recipients in at most %lld domains per "
		    "message", v), v);
	if (add_word(out, w, n) < 0)
		return -1;
	return buf_printf(out, " (%s)", _("not known to pigeon"));
}

/* LIMITS NAME=value... (RFC 9422). */
static int
param_limits(const char *args, struct buf *out)
{
	const char *p = args;
	size_t n;
	int first = 1;

	while ((n = next_word(&p)) > 0) {
		if (buf_addstr(out, first ? ": " : ", ") < 0 ||
		    limit_words(p, n, out) < 0)
			return -1;
		first = 0;
		p += n;
	}
	return first ? buf_printf(out, ": %s", _("none stated")) : 0;
}

/* MT-PRIORITY [policy] (RFC 6710 and its policy registry). */
static int
param_priority(const char *args, struct buf *out)
{
	static const struct {
		const char *name;
		const char *words;
	} policies[] = {
		{ "MIXER", N_("the priorities of X.400 and MIXER") },
		{ "STANAG4406", N_("military messaging, STANAG 4406") },
		{ "NSEP", N_("US national security and emergency "
		    "preparedness") },
	};
	const char *p = args;
	size_t n = next_word(&p), i;

	if (n == 0)
		return buf_printf(out, ": %s", _("policy not stated"));
	if (buf_printf(out, ": %s ", _("policy")) < 0 || add_word(out, p, n) < 0)
		return -1;
	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (strlen(policies[i].name) == n &&
		    strncasecmp(p, policies[i].name, n) == 0)
			return buf_printf(out, " (%s)", _(policies[i].words));
	return buf_printf(out, " (%s)", _("not known to pigeon"));
}

/* DELIVERBY [min-by-time] (RFC 2852): the shortest deadline taken. */
static int
param_deliverby(const char *args, struct buf *out)
{
	size_t n = next_word(&args);
	long long v = number(args, n);

	if (v <= 0)
		return 0;
	return buf_printf(out, P_("; the shortest deadline accepted is %lld "
	    "second", "; the shortest deadline accepted is %lld seconds", v),
	    v);
}

/* FUTURERELEASE max-interval max-date-time (RFC 4865). */
static int
param_release(const char *args, struct buf *out)
{
	const char *p = args;
	size_t n = next_word(&p);
	long long v = number(p, n);

	if (v > 0 && buf_printf(out, P_("; for at most %lld second (%.1f days)",
	    "; for at most %lld seconds (%.1f days)", v), v,
	    (double)v / 86400) < 0)
		return -1;
	p += n;
	if ((n = next_word(&p)) == 0)
		return 0;
	if (buf_printf(out, "; %s ", _("until at most")) < 0)
		return -1;
	return add_word(out, p, n);
}

/* BURL [schemes] (RFC 4468), NO-SOLICITING [keywords] (RFC 3865). */
static int
param_list(const char *args, struct buf *out)
{
	const char *p = args;
	size_t n;
	int first = 1;

	while ((n = next_word(&p)) > 0) {
		if (buf_addstr(out, first ? ": " : " ") < 0 ||
		    add_word(out, p, n) < 0)
			return -1;
		first = 0;
		p += n;
	}
	return 0;
}

/*
 * The keywords.  ref is the defining document (never translated); an
 * entry not in the IANA registry has registered 0 and says whose it is.
 */
static const struct keyword_doc {
	const char *kw;
	const char *ref;
	int registered;
	const char *meaning;
	int (*params)(const char *args, struct buf *out);
} keywords[] = {
	{ "SEND", "RFC 821", 1, N_("delivers to a user's terminal; "
	    "obsolete"), NULL },
	{ "SOML", "RFC 821", 1, N_("delivers to a terminal, or as mail; "
	    "obsolete"), NULL },
	{ "SAML", "RFC 821", 1, N_("delivers to a terminal and as mail; "
	    "obsolete"), NULL },
	{ "VRFY", "RFC 821", 1, N_("checks whether an address exists"), NULL },
	{ "EXPN", "RFC 821", 1, N_("shows the members of a mailing list"), NULL },
	{ "HELP", "RFC 821", 1, N_("help text about the commands"), NULL },
	{ "TURN", "RFC 821", 1, N_("swaps the roles of client and server; "
	    "obsolete and unsafe"), NULL },
	{ "8BITMIME", "RFC 6152", 1, N_("accepts 8-bit message text"), NULL },
	{ "SIZE", "RFC 1870", 1, N_("largest message accepted"), param_size },
	{ "VERB", "Sendmail", 1, N_("verbose mode: the server tells what it "
	    "does with the message"), NULL },
	{ "ONEX", "Sendmail", 1, N_("one message per connection"), NULL },
	{ "CHUNKING", "RFC 3030", 1, N_("BDAT: data in counted chunks, "
	    "without dot-stuffing"), NULL },
	{ "BINARYMIME", "RFC 3030", 1, N_("accepts binary message data "
	    "with BDAT"), NULL },
	{ "CHECKPOINT", "RFC 1845", 1, N_("an interrupted transfer can be "
	    "resumed"), NULL },
	{ "DELIVERBY", "RFC 2852", 1, N_("delivery deadlines with BY"),
	    param_deliverby },
	{ "PIPELINING", "RFC 2920", 1, N_("commands may be sent in "
	    "batches"), NULL },
	{ "DSN", "RFC 3461", 1, N_("delivery status notifications: NOTIFY, "
	    "RET, ENVID"), NULL },
	{ "ETRN", "RFC 1985", 1, N_("a client may ask for the queue of a "
	    "domain to be delivered"), NULL },
	{ "ENHANCEDSTATUSCODES", "RFC 2034", 1, N_("replies carry detailed "
	    "status codes, X.Y.Z"), NULL },
	{ "STARTTLS", "RFC 3207", 1, N_("can switch to TLS"), NULL },
	{ "NO-SOLICITING", "RFC 3865", 1, N_("refuses solicitations marked "
	    "with keywords"), param_list },
	{ "MTRK", "RFC 3885", 1, N_("message tracking"), NULL },
	{ "ATRN", "RFC 2645", 1, N_("authenticated TURN: a client on a "
	    "dial-up link may fetch its mail"), NULL },
	{ "AUTH", "RFC 4954", 1, N_("login"), param_auth },
	{ "BURL", "RFC 4468", 1, N_("can fetch the message from a URL "
	    "instead of receiving it"), param_list },
	{ "FUTURERELEASE", "RFC 4865", 1, N_("holds a message to release "
	    "it later"), param_release },
	{ "CONPERM", "RFC 4141", 1, N_("content conversion permissions"),
	    NULL },
	{ "CONNEG", "RFC 4141", 1, N_("content negotiation"), NULL },
	{ "UTF8SMTP", "RFC 5336", 1, N_("UTF-8 addresses, the experiment "
	    "that SMTPUTF8 replaced; obsolete"), NULL },
	{ "SMTPUTF8", "RFC 6531", 1, N_("accepts UTF-8 addresses and "
	    "headers"), NULL },
	{ "SUBMITTER", "RFC 4405", 1, N_("takes the responsible submitter "
	    "of Sender ID; experimental"), NULL },
	{ "MT-PRIORITY", "RFC 6710", 1, N_("message priorities"),
	    param_priority },
	{ "RRVS", "RFC 7293", 1, N_("refuses a recipient whose mailbox "
	    "changed owner since a given date"), NULL },
	{ "REQUIRETLS", "RFC 8689", 1, N_("can require TLS on every hop to "
	    "the recipient"), NULL },
	{ "LIMITS", "RFC 9422", 1, N_("limits the server applies"),
	    param_limits },
	/* Widespread, but not registered. */
	{ "XCLIENT", "Postfix", 0, N_("a trusted client may pass on the "
	    "original client's name and address"), NULL },
	{ "XFORWARD", "Postfix", 0, N_("a trusted client may pass on the "
	    "original client's details for the logs"), NULL },
	{ "XVERP", "Postfix, qmail", 0, N_("a bounce address per recipient, "
	    "VERP"), NULL },
	{ "PIPECONNECT", "Exim", 0, N_("early pipelining: the client may "
	    "send EHLO before the greeting next time"), NULL },
	{ "X_PIPE_CONNECT", "Exim", 0, N_("early pipelining: the client may "
	    "send EHLO before the greeting next time"), NULL },
	{ "X-EXPS", "Microsoft Exchange", 0, N_("Exchange's own login with "
	    "GSSAPI or NTLM"), NULL },
	{ "X-LINK2STATE", "Microsoft Exchange", 0, N_("routing state "
	    "between Exchange servers"), NULL },
	{ "XEXCH50", "Microsoft Exchange", 0, N_("message properties between "
	    "Exchange servers"), NULL },
	{ "X-ANONYMOUSTLS", "Microsoft Exchange", 0, N_("TLS without "
	    "certificates between Exchange servers"), NULL },
};

static const struct keyword_doc *
find_keyword(const char *kw, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].kw) == n &&
		    strncasecmp(kw, keywords[i].kw, n) == 0)
			return &keywords[i];
	return NULL;
}

int
smtpdoc_keyword(const char *line, struct buf *out)
{
	size_t n = strcspn(line, " =");
	const struct keyword_doc *k = find_keyword(line, n);
	const char *args = line[n] != '\0' ? line + n + 1 : line + n;

	if (k == NULL) {
		/* RFC 5321 2.2.2: X names are private agreements. */
		return buf_addstr(out, n > 0 && (line[0] == 'X' ||
		    line[0] == 'x') ? _("a private extension, not known to "
		    "pigeon") : _("not known to pigeon")) < 0 ? -1 : 0;
	}
	if (buf_addstr(out, _(k->meaning)) < 0 ||
	    (k->params != NULL && k->params(args, out) < 0))
		return -1;
	if (k->registered)
		return buf_printf(out, " (%s)", k->ref) < 0 ? -1 : 1;
	return buf_printf(out, " (%s; %s)", k->ref, _("not registered with "
	    "IANA")) < 0 ? -1 : 1;
}
