/* sendmail.c - "pigeon sendmail": a whole message on stdin, sent with sendmail's exit codes (its options: sendmailopts.c). */
/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "addr.h"
#include "alias.h"
#include "buf.h"
#include "cli.h"
#include "i18n.h"
#include "msg.h"
#include "sendmailopts.h"
#include "smtp.h"
#include "util.h"

/* Parse one address list argument and add its addresses to list. */
static int
add_addresses(struct addr_list *list, const char *arg)
{
	char *why = NULL;
	enum err e;

	e = addr_list_parse(list, arg, strlen(arg), &why);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	return 0;
}

/* The addr-spec of a From value: "Jane <j@x>" gives "j@x"; "<>" gives "". */
static char *
sender_spec(const char *from, int *rc)
{
	struct addr_list l = { NULL, 0 };
	char *spec;

	*rc = 0;
	if (strcmp(from, "<>") == 0 || *from == '\0')
		return strdup("");
	if ((*rc = add_addresses(&l, from)) != 0)
		return NULL;
	if (l.n != 1) {
		cli_error(_("the sender must be one address, not '%s'"), from);
		addr_list_free(&l);
		*rc = EX_USAGE;
		return NULL;
	}
	spec = strdup(l.v[0].spec);
	addr_list_free(&l);
	if (spec == NULL)
		*rc = EX_OSERR;
	return spec;
}

/*
 * "Name <spec>", the name quoted when it holds anything but atoms and
 * spaces (a comma would otherwise split it into two addresses).  A
 * non-ASCII name is left as UTF-8 (RFC 6532), as sendmail -F does.
 */
static char *
from_field(const char *name, const char *spec)
{
	struct buf b;
	const char *p;
	char *r;
	int plain = 1;

	for (p = name; *p != '\0'; p++)
		if (strchr("()<>[]:;@\\,.\"", *p) != NULL)
			plain = 0;
	buf_init(&b, 4096);
	if (plain) {
		if (buf_printf(&b, "%s <%s>", name, spec) < 0)
			goto fail;
	} else {
		if (buf_addch(&b, '"') < 0)
			goto fail;
		for (p = name; *p != '\0'; p++)
			if (((*p == '"' || *p == '\\') &&
			    buf_addch(&b, '\\') < 0) || buf_addch(&b, *p) < 0)
				goto fail;
		if (buf_printf(&b, "\" <%s>", spec) < 0)
			goto fail;
	}
	r = strdup(buf_str(&b));
	buf_free(&b);
	return r;
fail:
	buf_free(&b);
	return NULL;
}

/*
 * Recipients without a domain ("root" from cron) through the account's
 * aliases and qualify_domain; the others as they are.  Each step is a
 * note in the transcript.  0 or an exit status (shown).
 */
static int
resolve_local(struct cli *c, const struct sm_opts *o, struct addr_list *in,
    struct addr_list *out)
{
	struct aliases *sys = NULL, *mutt = NULL;
	struct alias_sources src;
	struct buf notes;
	const char *p, *nl;
	char *why = NULL;
	enum err e = ERR_OK;
	size_t i;
	int rc = 0;

	memset(&src, 0, sizeof(src));
	buf_init(&notes, 1024 * 1024);
	for (i = 0; i < in->n && strchr(in->v[i].spec, '@') != NULL; i++)
		;
	if (i < in->n && c->acct != NULL && !o->no_alias) {
		if (c->acct->sendmail_aliases != NULL)
			e = alias_load_system(&sys, c->acct->sendmail_aliases,
			    &why);
		if (e == ERR_OK && c->acct->aliases != NULL)
			e = alias_load(&mutt, c->acct->aliases, &why);
	}
	src.sys = sys;
	src.mutt = mutt;
	src.domain = c->acct != NULL ? c->acct->qualify_domain : NULL;
	src.no_alias = o->no_alias;
	for (i = 0; i < in->n && e == ERR_OK; i++)
		e = alias_resolve(&src, in->v[i].spec, out, &notes, &why);
	for (p = buf_str(&notes); (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		transcript_emit(c->tr, TR_INFO, 0, p, (size_t)(nl - p));
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		rc = err_exit_code(e);
	}
	free(why);
	buf_free(&notes);
	alias_free(sys);
	alias_free(mutt);
	return rc;
}

/*
 * No --account: the sender picks one (-f first, then the message's own
 * From), as msmtp does; else the default account stays.
 */
static void
account_by_sender(struct cli *c, const char *spec)
{
	const struct account *a;

	if (c->account_name != NULL || spec == NULL)
		return;
	if ((a = conf_account_for_sender(c->conf, spec)) != NULL)
		c->acct = a;
}

/* The From field to add when the message has none; NULL for want of memory. */
static char *
from_to_add(const struct cli *c, const struct sm_opts *o, const char *sender)
{
	if (o->fullname != NULL && *sender != '\0')
		return from_field(o->fullname, sender);
	if (c->acct != NULL && c->acct->from != NULL && o->from_arg == NULL)
		return strdup(c->acct->from);
	return strdup(*sender != '\0' ? sender : "MAILER-DAEMON");
}

/*
 * --direct: the route to the MX hosts of the recipients' one domain
 * (a message given whole is queued once: one domain a run).  0 or an
 * exit status, shown.
 */
static int
direct_route(struct cli *c, const char **rv, size_t n, struct route *rt,
    char **server)
{
	const char *d = NULL, *at;
	size_t i;

	for (i = 0; i < n; i++) {
		at = strrchr(rv[i], '@');
		if (at == NULL || at[1] == '\0') {
			cli_error(_("--direct needs a domain in every "
			    "recipient, not '%s'"), rv[i]);
			return EX_USAGE;
		}
		if (d != NULL && strcasecmp(d, at + 1) != 0) {
			cli_error(_("sendmail --direct takes the recipients of "
			    "one domain a run, not %s and %s ('pigeon send "
			    "--direct' splits them)"), d, at + 1);
			return EX_USAGE;
		}
		d = at + 1;
	}
	if (d == NULL || (*server = route_direct(d, c->tls_required)) == NULL)
		return EX_OSERR;
	return cli_route(c, rt, *server);
}

/* One run of sendmail: what the steps below share. */
struct sm_run {
	struct cli c;
	struct sm_opts o;
	struct msg m;
	struct addr_list given, rcpts;
	struct outbox *ob;
	struct outbox_item it;
	struct qentry q;
	struct submit_env env_q;
	struct submit_opts so;
	struct cli_report rep;
	struct submit *sub;
	const char **rv;
	char *sender, *why, *dserver;
	struct route drt;
	size_t nr;
	int rc;
	int enveloped;             /* envelope() ran */
	int streamed;              /* sub was started before the commit */
};

/*
 * The envelope, once the header is read (m has its recipients and its
 * From): the account, the sender, the recipients, the route.  0 or an
 * exit status, shown.
 */
static int
envelope(struct sm_run *r)
{
	struct cli *c = &r->c;
	struct sm_opts *o = &r->o;
	size_t i;
	int rc = 0;

	r->enveloped = 1;
	/* Without -f, the message's own From may pick the account. */
	if (o->from_arg == NULL && !r->m.added_from) {
		account_by_sender(c, r->m.from);
		if (c->acct != NULL && c->acct->from != NULL) {
			free(r->sender);
			if ((r->sender = sender_spec(c->acct->from, &rc)) ==
			    NULL)
				return rc;
		}
	}
	if (r->sender == NULL) {
		cli_error(_("no sender: give -f ADDR, or set 'from' in the "
		    "account"));
		return EX_USAGE;
	}
	if (o->env.dsn_ret == NULL && c->acct != NULL)
		o->env.dsn_ret = c->acct->dsn_return;
	if (o->env.dsn_notify == NULL && c->acct != NULL)
		o->env.dsn_notify = c->acct->dsn_notify;
	/* -odq needs no login now: the flush that sends it will. */
	if ((rc = o->queue_only ? cli_setup_quiet(c, NULL, 0) :
	    cli_setup(c, NULL, 1)) != 0)
		return rc;
	for (i = 0; i < r->m.rcpts.n; i++)
		if (addr_list_add(&r->given, NULL, r->m.rcpts.v[i].spec) !=
		    ERR_OK)
			return EX_OSERR;
	if (r->given.n == 0) {
		cli_error(o->extract ? _("no recipients: none given and none "
		    "in the To, Cc or Bcc fields") : _("no recipients given "
		    "(use -t to take them from the message)"));
		return EX_USAGE;
	}
	if ((rc = resolve_local(c, o, &r->given, &r->rcpts)) != 0)
		return rc;
	if ((r->rv = calloc(r->rcpts.n, sizeof(*r->rv))) == NULL)
		return EX_OSERR;
	for (i = 0; i < r->rcpts.n; i++)
		r->rv[i] = r->rcpts.v[i].spec;
	r->nr = cli_dedupe(r->rv, r->rcpts.n);

	if (c->direct && c->server != NULL) {
		cli_error(_("--direct and --server exclude each other: the "
		    "one goes to the MX hosts, the other to one server"));
		return EX_USAGE;
	}
	if (c->direct && (rc = direct_route(c, r->rv, r->nr, &r->drt,
	    &r->dserver)) != 0)
		return rc;
	memset(&r->env_q, 0, sizeof(r->env_q));
	r->env_q.account = c->acct != NULL ? c->acct->name : NULL;
	r->env_q.server = c->direct ? r->dserver : c->server;
	r->env_q.from = r->sender;
	r->env_q.rcpts = r->rv;
	r->env_q.nrcpts = r->nr;
	r->env_q.dsn_notify = o->env.dsn_notify;
	r->env_q.dsn_ret = o->env.dsn_ret;
	r->env_q.dsn_envid = o->env.dsn_envid;
	r->env_q.chunking = c->chunking;
	cli_report_init(&r->rep, 1, c->no_queue);
	r->rep.c = c;
	memset(&r->so, 0, sizeof(r->so));
	r->so.rt = c->direct ? &r->drt : &c->rt;
	r->so.abort_on_reject = o->abort_on_reject;
	r->so.no_queue = c->no_queue;
	r->so.test = c->stop_after != SMTP_STAGE_NONE;
	r->so.event = cli_report_event;
	r->so.arg = &r->rep;
	return 0;
}

/*
 * msg_prepare() wrote a block to the outbox.  The first time (the header
 * is in it) the envelope is made and the session started: the message
 * goes to the server while the rest is read and spooled (issue 16: spool
 * and send at once); its end waits for the commit in cmd_sendmail().
 */
static int
spooled(void *arg, const struct msg *m, const char *p, size_t n)
{
	struct sm_run *r = arg;

	/* m is r->m: envelope() reads what msg_prepare() knows so far. */
	(void)m;
	if (!r->enveloped) {
		/*
		 * Wrong as it is (no recipient, say): the input is still read
		 * to its end, as before, and the error told after it.
		 */
		r->rc = envelope(r);
		if (r->rc != 0 || r->o.queue_only)
			return 0;
		if (submit_fill(&r->q, &r->env_q, 1) != ERR_OK ||
		    (r->q.id = strdup(r->it.tx.name)) == NULL ||
		    submit_new_stream(&r->sub, r->ob, &r->so, r->c.tr, &r->q,
		    r->it.tx.fd) != ERR_OK) {
			r->rc = EX_OSERR;
			return -1;
		}
		r->streamed = 1;
	}
	if (r->sub != NULL)
		submit_stream_grown(r->sub, p, n);
	return 0;
}

/* Before each read of a pipe: the session goes on while the input waits. */
static void
input_wait(void *arg, int fd)
{
	struct sm_run *r = arg;

	if (r->sub != NULL)
		submit_stream_wait(r->sub, fd);
}

int
cmd_sendmail(int argc, char **argv)
{
	struct sm_run *r;
	struct msg_opts mo;
	struct stat st;
	const char *from_arg;
	char *from_hdr = NULL, *notify = NULL;
	int rc = 0, begun = 0;
	size_t i;
	enum err e;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		cli_error("%s", err_str(ERR_NOMEM));
		return EX_OSERR;
	}
	buf_init(&r->o.ignored, 4096);
	qentry_init(&r->q);
	r->m.fd = -1;
	if ((rc = sendmailopts_parse(argc, argv, &r->c, &r->o)) >= 0)
		goto out;
	rc = 0;
	if (r->o.mode != SM_SEND) {
		rc = sendmailopts_queue(&r->c, &r->o);
		goto out;
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		e = addr_list_parse_local(&r->given, argv[i], strlen(argv[i]),
		    1, &r->why);
		if (e != ERR_OK) {
			cli_error("%s", r->why != NULL ? r->why : err_str(e));
			rc = err_exit_code(e);
			goto out;
		}
	}
	if ((rc = sendmailopts_check(&r->o, &notify)) != 0 ||
	    (rc = cli_load_config(&r->c)) != 0)
		goto out;
	if (r->o.from_arg != NULL) {
		if ((r->sender = sender_spec(r->o.from_arg, &rc)) == NULL)
			goto out;
		account_by_sender(&r->c, r->sender);
	}
	from_arg = r->o.from_arg != NULL ? r->o.from_arg : r->c.acct != NULL ?
	    r->c.acct->from : NULL;
	if (from_arg != NULL && r->sender == NULL &&
	    (r->sender = sender_spec(from_arg, &rc)) == NULL)
		goto out;
	/* The From field to add: none is added when the message has one. */
	if ((from_hdr = from_to_add(&r->c, &r->o, r->sender != NULL ?
	    r->sender : "")) == NULL) {
		rc = EX_OSERR;
		goto out;
	}
	/* Into the outbox, durable before the server may take it. */
	if ((rc = cli_open_outbox(&r->ob)) != 0)
		goto out;
	if ((e = outbox_begin(r->ob, &r->it, &r->why)) != ERR_OK) {
		cli_error("%s", r->why != NULL ? r->why : err_str(e));
		rc = err_exit_code(e);
		goto out;
	}
	begun = 1;
	memset(&mo, 0, sizeof(mo));
	mo.extract = r->o.extract;
	mo.local_ok = 1;
	mo.from = from_hdr;
	mo.use_out_fd = 1;
	mo.out_fd = r->it.tx.fd;
	mo.written = spooled;
	/* A file never keeps a read waiting: no poll() for each block. */
	if (fstat(STDIN_FILENO, &st) < 0 || !S_ISREG(st.st_mode))
		mo.before_read = input_wait;
	mo.arg = r;
	e = msg_prepare(STDIN_FILENO, &mo, &r->m, &r->why);
	if (e == ERR_OK && !r->enveloped)
		r->rc = envelope(r);
	if (e != ERR_OK || r->rc != 0) {
		/* Not committed: the server takes nothing, nothing is filed. */
		if (r->sub != NULL)
			submit_stream_abandon(r->sub);
		if (e != ERR_CANCEL && e != ERR_OK) {
			cli_error("%s", r->why != NULL ? r->why : err_str(e));
			rc = err_exit_code(e);
		} else {
			rc = r->rc;
		}
		goto out;
	}
	/* A whole message from a caller goes as given: never rewritten. */
	if (r->streamed)
		e = submit_stream_commit(r->sub, &r->it, r->m.eightbit,
		    r->m.wire_size, &r->why);
	else
		e = submit_commit(r->ob, &r->it, &r->q, &r->env_q,
		    r->m.eightbit, r->m.wire_size, 1, &r->why);
	if (e != ERR_OK) {
		cli_error(_("the message could not be put in the outbox, "
		    "nothing was sent: %s"), r->why != NULL ? r->why :
		    err_str(e));
		rc = err_exit_code(e);
		goto out;
	}
	if (r->o.queue_only) {
		/* -odq: queued is all; a flush or the timer sends it. */
		if (r->c.verbose)
			cli_note(_("queued as %s, not sent now (-odq)"),
			    r->q.id);
		goto out;
	}
	if (!r->streamed && submit_new(&r->sub, r->ob, &r->so, r->c.tr,
	    &r->q, 1) != ERR_OK) {
		rc = EX_OSERR;
		goto out;
	}
	submit_run(r->sub);
	rc = cli_report_end(&r->c, &r->rep, r->rep.rc);
	submit_free(r->sub);
	r->sub = NULL;
	outbox_release(r->ob, &r->it);
	begun = 0;
	/* The server took this one: older mail may go now too. */
	if (r->rep.delivered > 0)
		cli_flush_behind(&r->c, r->ob);
out:
	submit_free(r->sub);
	if (begun)
		outbox_release(r->ob, &r->it);
	qentry_free(&r->q);
	outbox_close(r->ob);
	free(notify);
	free(r->why);
	free(r->rv);
	route_free(&r->drt);
	free(r->dserver);
	free(r->sender);
	free(from_hdr);
	addr_list_free(&r->given);
	addr_list_free(&r->rcpts);
	msg_free(&r->m);
	buf_free(&r->o.ignored);
	cli_cleanup(&r->c);
	free(r);
	return rc;
}
