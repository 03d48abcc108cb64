/* smtp_env.c - the client's command lines as data: the envelope checked against the server's capabilities, MAIL and RCPT built within 512 octets, the EHLO name checked. */
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
