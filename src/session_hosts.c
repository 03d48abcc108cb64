/* session_hosts.c - the servers a session tries in turn: the MX hosts of a domain (RFC 5321 5.1) or the account's fallback servers, after a connection that failed before the server took us. */
/* SPDX-License-Identifier: ISC */
#include "session_int.h"

#include <stdlib.h>
#include <sysexits.h>

#include "buf.h"
#include "candidates.h"
#include "i18n.h"
#include "util.h"

/* The hosts found, in the transcript: what the DNS said, in the order they are tried. */
static void
tell_candidates(struct session *s)
{
	const struct candidates *c = &s->cand;
	struct buf b;
	size_t i, j;
	int r = 0;

	buf_init(&b, 64 * 1024);
	for (i = 0; i < c->n && r == 0; i++) {
		r = buf_printf(&b, "%s%u %s (", i > 0 ? ", " : "",
		    c->hosts[i].pref, c->hosts[i].name);
		for (j = 0; j < c->hosts[i].naddrs && r == 0; j++)
			r = buf_printf(&b, "%s%s", j > 0 ? " " : "",
			    c->hosts[i].addrs[j]);
		if (r == 0)
			r = buf_addstr(&b, c->hosts[i].naddrs == 0 ?
			    _("no address)") : ")");
	}
	if (r == 0 && c->implicit)
		transcript_emitf(s->tr, TR_INFO, 0, _("%s has no MX record: "
		    "mail goes to its own address (implicit MX): %s"),
		    c->domain, buf_str(&b));
	else if (r == 0)
		transcript_emitf(s->tr, TR_INFO, 0, _("MX of %s, in the order "
		    "to try: %s%s"), c->domain, buf_str(&b), c->ad ?
		    _(" (authenticated: the resolver set the AD bit)") : "");
	buf_free(&b);
}

/*
 * Connect to the next address of the MX hosts: 1 when a connection is
 * under way, 0 when none is left.  Every one after the first is a new
 * conversation: a new engine and a new connection in the transcript.
 */
static int
connect_next(struct session *s)
{
	const struct cand_host *h;
	struct smtp *ns;
	char *why = NULL;

	while (s->ch < s->cand.n) {
		h = &s->cand.hosts[s->ch];
		if (s->ca >= h->naddrs) {
			s->ch++;
			s->ca = 0;
			continue;
		}
		if (s->tries++ > 0) {
			if ((ns = smtp_new(&s->o->smtp, s->tr)) == NULL)
				return 0;
			smtp_free(s->smtp);
			s->smtp = ns;
			transcript_begin(s->tr);
		}
		s->tlso.servername = h->name;
		transcript_emitf(s->tr, TR_INFO, 0, _("mail host %s (MX "
		    "preference %u), address %s"), h->name, h->pref,
		    h->addrs[s->ca]);
		if (net_connect_start(&s->nc, h->addrs[s->ca++], s->o->port,
		    &s->o->net, s->tr, &why) == ERR_OK)
			return 1;
		transcript_emitf(s->tr, TR_ERROR, 0, "%s", why != NULL ? why :
		    err_str(ERR_NET));
		free(why);
		why = NULL;
	}
	return 0;
}

/*
 * A fallback server: connect to the next of o->servers, a new engine
 * with that URL's TLS, host and port: 1 when a connection is under way,
 * 0 when none is left.
 */
static int
connect_fallback(struct session *s)
{
	const struct cand_host *h;
	struct smtp *ns;
	char *why = NULL;
	enum err e;

	while (s->fb < s->o->servers->n) {
		h = &s->o->servers->hosts[s->fb++];
		s->fbo = s->o->smtp;
		s->fbo.tls = url_smtp_tls(&h->url);
		s->fbo.lmtp = h->url.scheme == URL_LMTP;
		s->fbo.host = h->url.host;
		s->fbo.port = (unsigned)strtoul(h->url.port, NULL, 10);
		s->fbo.auth_allow_plaintext = s->o->smtp.auth_allow_plaintext ||
		    h->url.local;
		if ((ns = smtp_new(&s->fbo, s->tr)) == NULL)
			return 0;
		smtp_free(s->smtp);
		s->smtp = ns;
		s->so = &s->fbo;
		s->host = h->url.host;
		s->port = h->url.port;
		s->tlso.servername = h->url.host;
		transcript_begin(s->tr);
		transcript_emitf(s->tr, TR_INFO, 0, _("trying the fallback "
		    "server %s (%zu of %zu)"), h->server, s->fb,
		    s->o->servers->n);
		if ((e = net_connect_start(&s->nc, h->url.host, h->url.port,
		    &s->o->net, s->tr, &why)) == ERR_OK)
			return 1;
		transcript_emitf(s->tr, TR_ERROR, 0, "%s", why != NULL ? why :
		    err_str(e));
		/* The engine holds the last failure: the session's error when none is left. */
		smtp_abort(s->smtp, e, why);
		free(why);
		why = NULL;
	}
	return 0;
}

/*
 * Did this connection fail before the server took us, or in its TLS?
 * Then a fallback server may do better.  A verdict of the server (a
 * refused login, sender, recipient or message) is not such a failure.
 */
static int
unreachable(const struct session *s, enum err e)
{
	enum smtp_stage st = smtp_stage(s->smtp);

	if (e == ERR_STOPPED || e == ERR_CANCEL || e == ERR_OK)
		return 0;
	if (e == ERR_TLS || e == ERR_TLS_VERIFY || e == ERR_NOTLS)
		return st <= SMTP_STAGE_EHLO;
	return st <= SMTP_STAGE_GREETING && err_exit_code(e) == EX_TEMPFAIL;
}

/*
 * Before a connection to another server: nothing waits for the last one,
 * and opportunistic TLS may fall back to plain text once more.
 */
static void
reconnect(struct session *s)
{
	s->rd_blocked = 0;
	s->rd_need = 0;
	s->wr_need = 0;
	s->plain_retry = 0;
	s->phase = P_CONNECT;
}

/* The session is DONE with e: on to the next fallback server, when this failure allows. */
void
session_try_fallback(struct session *s, enum err e)
{
	const char *why = NULL;

	if (!unreachable(s, e))
		return;
	if (s->fb >= s->o->servers->n) {
		if (s->fb > 0)
			transcript_emitf(s->tr, TR_ERROR, 0, _("no server of "
			    "the account took the connection"));
		return;
	}
	(void)smtp_error(s->smtp, &why);
	transcript_emitf(s->tr, TR_WARN, 0, _("the server %s port %s could "
	    "not be used (%s): trying the next one"), s->host, s->port,
	    why != NULL ? why : err_str(e));
	reconnect(s);
	if (connect_fallback(s))
		return;
	transcript_emitf(s->tr, TR_ERROR, 0, _("no server of the account "
	    "took the connection"));
	s->phase = P_DONE;
}

/*
 * Direct to MX: this connection failed before the server took us (it
 * could not be made, the greeting said 4xx, it closed): on to the next
 * host, as RFC 5321 5.1 says.  Called when the session is DONE; it goes
 * on with a new connection, or stays DONE when none is left.
 */
void
session_try_next(struct session *s)
{
	enum err e = smtp_error(s->smtp, NULL);

	if (s->o->servers != NULL && s->o->mx_domain == NULL) {
		session_try_fallback(s, e);
		return;
	}
	if (s->o->mx_domain == NULL || s->ch >= s->cand.n ||
	    e == ERR_STOPPED || e == ERR_CANCEL ||
	    smtp_stage(s->smtp) > SMTP_STAGE_GREETING ||
	    err_exit_code(e) != EX_TEMPFAIL)
		return;
	reconnect(s);
	if (connect_next(s))
		return;
	/* Each failure is in the transcript; the last one is the error. */
	if (smtp_error(s->smtp, NULL) == ERR_OK)
		smtp_abort(s->smtp, ERR_NET, _("no mail host could be "
		    "connected to"));
	transcript_emitf(s->tr, TR_ERROR, 0, _("no mail host of %s took the "
	    "connection"), s->o->mx_domain);
	s->phase = P_DONE;
}

/* Look up the mail hosts of o->mx_domain and connect to the first. */
enum err
session_open_mx(struct session *s, char **errstr)
{
	struct dns *d = NULL;
	enum err e;

	if ((e = dns_new(&d, s->o->dns_server, errstr)) != ERR_OK)
		return e;
	e = candidates_lookup(&s->cand, d, s->o->mx_domain, s->o->net.family,
	    errstr);
	dns_free(d);
	if (s->cand.n > 0)
		tell_candidates(s);
	if (e != ERR_OK)
		return e;
	if (!connect_next(s)) {
		util_seterr(errstr, _("no mail host of %s could be "
		    "connected to"), s->o->mx_domain);
		return ERR_NET;
	}
	return ERR_OK;
}
