/* probe.c - "pigeon probe": connect, greet, start TLS, show what the server offers, quit. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "cli.h"
#include "detect.h"
#include "i18n.h"
#include "probe.h"
#include "sanitize.h"
#include "sasl.h"
#include "smtpdoc.h"
#include "util.h"

enum {
	OPT_AUTH = CLI_OPT_LAST_,
	OPT_DETECT,
	OPT_MX,
	OPT_STEP,
	OPT_FROM,
	OPT_TO,
};

static const struct option probe_longopts[] = {
	CLI_LONGOPTS,
	CLI_LONGOPTS_STOP,
	CLI_LONGOPTS_TLS,
	{ "auth", no_argument, NULL, OPT_AUTH },
	{ "detect", required_argument, NULL, OPT_DETECT },
	{ "mx", required_argument, NULL, OPT_MX },
	{ "step", no_argument, NULL, OPT_STEP },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ NULL, 0, NULL, 0 },
};

static void
probe_help(FILE *fp)
{
	(void)fputs(_(
"Usage: pigeon probe [options] [URL]\n"
"       pigeon probe [options] --step [URL]\n"
"       pigeon probe [options] --detect HOST\n"
"       pigeon probe [options] --mx DOMAIN\n"
"Connect to a submission server and show what it offers: greeting, TLS,\n"
"certificate, capabilities and authentication mechanisms.  The URL\n"
"defaults to the account's server.\n"
"\n"
"  --auth               also log in with the account's credentials\n"
"  --detect HOST        find the port and security HOST takes mail on\n"
"                       (465 implicit TLS, 587 STARTTLS, 25 STARTTLS)\n"
"                       and print the account's server line\n"
"  --mx DOMAIN          show DOMAIN's MX hosts (preference, addresses) and\n"
"                       probe each on port 25, STARTTLS when offered\n"
"                       (--tls-required: STARTTLS and a valid certificate);\n"
"                       with the domain's MTA-STS and TLS-RPT records, each\n"
"                       host's DANE TLSA records, and verdicts in words\n"
"  --step               one stage at a time: Enter goes on (greeting,\n"
"                       EHLO, STARTTLS, EHLO, AUTH), then type SMTP\n"
"                       commands yourself; 'quit' or end of input ends\n"
"  --from ADDR          with --step: Enter sends MAIL FROM:<ADDR>, ...\n"
"  --to ADDR            ... then RCPT TO:<ADDR>, then DATA\n"
"  --quit-after STAGE   stop after STAGE (connect, greeting, ehlo, tls,\n"
"                       auth) with QUIT\n"
"  --drop-after STAGE   the same, closing the connection without QUIT\n"), fp);
	cli_common_help(fp, 0);
}

/*
 * label, then spaces up to width columns (none when it is wider):
 * printf's %-12s counts bytes, and a translated label in UTF-8 has more
 * bytes than columns.
 */
static void
print_padded(const char *label, size_t width)
{
	size_t w = util_width(label);

	(void)printf("%s%*s", label, w < width ? (int)(width - w) : 0, "");
}

/* Print a line from the server or the TLS layer, escaped. */
static void
print_safe(const char *label, const char *text, size_t len)
{
	struct buf b;

	buf_init(&b, 256 * 1024);
	if (sanitize_append(&b, text, len) == 0) {
		print_padded(label, 12);
		(void)printf(" %s\n", buf_str(&b));
	}
	buf_free(&b);
}

/* What a trust prompt shows of a certificate that was not trusted. */
static void
print_peer(const struct tls_peer *p, const char *host)
{
	if (p == NULL)
		return;
	if (p->problem != NULL)
		print_safe(_("Certificate:"), p->problem, strlen(p->problem));
	print_safe(_("  Subject:"), p->subject, strlen(p->subject));
	print_safe(_("  Names:"), p->names, strlen(p->names));
	print_safe(_("  Issuer:"), p->issuer, strlen(p->issuer));
	print_padded(_("  Valid:"), 12);
	(void)printf(" %s .. %s\n", p->not_before, p->not_after);
	print_padded(_("  Chain:"), 12);
	(void)printf(" %s\n", p->chain_ok ? _("trusted") : p->self_signed ?
	    _("NOT trusted (self-signed)") : _("NOT trusted"));
	if (p->name_ok) {
		print_padded(_("  Name:"), 12);
		(void)printf(" %s\n", _("matches"));
	} else {
		print_padded(_("  Name:"), 12);
		cli_print_safe(_(" NOT for "), host);
	}
	print_padded("  SHA-256:", 12);
	(void)printf(" %s\n", p->fingerprint);
	if (p->problem != NULL && *p->fingerprint != '\0')
		(void)printf(_("To trust this certificate all the same, pin it "
		    "in the account:\n  tls_fingerprint = %s\n"),
		    p->fingerprint);
}

/* Keep a capability line of the clear-text EHLO reply, "250-SIZE 10". */
static void
keep_cap(struct probe_view *v, const char *text, size_t len)
{
	char **lines, *line;

	if (len < 4 || v->nbefore >= 200)
		return;
	line = strndup(text + 4, len - 4);
	if (line == NULL)
		return;
	lines = realloc(v->before_tls, (v->nbefore + 1) * sizeof(*lines));
	if (lines == NULL) {
		free(line);
		return;
	}
	v->before_tls = lines;
	v->before_tls[v->nbefore++] = line;
}

/* Show the connection, the greeting and TLS as they happen. */
static void
probe_writer(void *arg, const struct tr_event *ev)
{
	struct probe_view *v = arg;

	switch (ev->kind) {
	case TR_CONNECT:
		print_safe(_("Connection:"), ev->text, ev->len);
		break;
	case TR_TLS:
		print_safe(_("TLS:"), ev->text, ev->len);
		break;
	case TR_WARN:
		print_safe(_("Warning:"), ev->text, ev->len);
		break;
	case TR_CLIENT:
		/* Only the clear-text EHLO: after TLS the engine has it all. */
		v->in_ehlo = !(ev->flags & TR_F_TLS) && ev->len >= 4 &&
		    strncasecmp(ev->text, "EHLO", 4) == 0;
		if (v->in_ehlo) {
			while (v->nbefore > 0)
				free(v->before_tls[--v->nbefore]);
		}
		break;
	case TR_SERVER:
		if (!v->greeting_seen)
			print_safe(_("Greeting:"), ev->text, ev->len);
		if (v->in_ehlo && ev->len >= 3 && ev->text[0] == '2')
			keep_cap(v, ev->text, ev->len);
		if (ev->len < 4 || ev->text[3] == ' ') {
			v->greeting_seen = 1;
			v->in_ehlo = 0;
		}
		break;
	default:
		break;
	}
	(void)fflush(stdout);
}

/* One capability line, with what it means in words (smtpdoc.h). */
static void
print_cap(const char *line)
{
	struct buf name, meaning;

	buf_init(&name, 64 * 1024);
	buf_init(&meaning, 64 * 1024);
	if (sanitize_append(&name, line, strlen(line)) == 0 &&
	    smtpdoc_keyword(line, &meaning) >= 0) {
		(void)printf("  ");
		print_padded(buf_str(&name), 32);
		(void)printf(" %s\n", buf_str(&meaning));
	}
	buf_free(&name);
	buf_free(&meaning);
}

static void
print_caps(struct session *s, const struct probe_view *v, int want_tls)
{
	const struct smtp_caps *caps = smtp_caps(session_smtp(s));
	int no_tls = want_tls && !smtp_tls_active(session_smtp(s));
	struct buf b;
	size_t i;
	int m;

	/*
	 * The first line of the clear-text reply is the server's name; the
	 * rest is what it offered before TLS (STARTTLS among it).
	 */
	if (smtp_tls_active(session_smtp(s)) && v->nbefore > 1) {
		(void)printf(_("Capabilities before TLS (forgotten once TLS "
		    "is up):\n"));
		for (i = 1; i < v->nbefore; i++)
			print_cap(v->before_tls[i]);
	}

	buf_init(&b, 64 * 1024);
	if (caps->server != NULL && sanitize_append(&b, caps->server,
	    strlen(caps->server)) == 0) {
		print_padded(_("Server:"), 12);
		(void)printf(" %s\n", buf_str(&b));
	}
	buf_free(&b);
	if (!(caps->flags & SMTP_CAP_EHLO)) {
		(void)printf(_("The server does not speak ESMTP (EHLO failed, "
		    "HELO worked): no extensions.\n"));
		return;
	}
	(void)printf(smtp_tls_active(session_smtp(s)) ?
	    _("Capabilities (after TLS):\n") : no_tls ?
	    _("Capabilities before TLS:\n") : _("Capabilities:\n"));
	for (i = 0; i < caps->nlines; i++)
		print_cap(caps->lines[i]);
	if (no_tls) {
		/* What comes after TLS was never asked: do not guess. */
		(void)printf(_("Capabilities after TLS: unknown, TLS did not "
		    "start (authentication mechanisms are often offered "
		    "only then)\n"));
	} else if (caps->auth != NULL && *caps->auth != '\0') {
		m = sasl_choose(caps->auth, 0);
		(void)printf(_("Authentication: %s"), caps->auth);
		if (m >= 0)
			(void)printf(_(" (pigeon would use %s)"),
			    sasl_mech_name((enum sasl_mech)m));
		(void)printf("\n");
	} else {
		(void)printf(_("Authentication: none offered\n"));
	}
}

/* Print the results from *shown on, as they come. */
static void
print_results(const struct detect *d, const char *host, size_t *shown)
{
	const struct detect_result *r;

	for (; *shown < detect_count(d); (*shown)++) {
		r = detect_result(d, *shown);
		cli_print_safe("", r->text);
		if (r->err == ERR_TLS_VERIFY)
			print_peer(r->peer, host);
		(void)fflush(stdout);
	}
}

/* pigeon probe --detect HOST */
static int
do_detect(struct cli *c, const char *host)
{
	struct detect_candidate tv[8];
	const struct detect_candidate *v = NULL;
	struct detect *d = NULL;
	struct pollfd p;
	char *url, *why = NULL;
	size_t n = 0, shown = 0;
	int rc, timeout, r;
	enum err e;

	url = util_strf(strchr(host, ':') != NULL ? "smtp://[%s]" :
	    "smtp://%s", host);
	if (url == NULL)
		return EX_OSERR;
	rc = cli_setup(c, url, 0);
	free(url);
	if (rc != 0)
		return rc;
	/* Test builds: the ports the tests name (none in a real build). */
	n = detect_test_candidates(tv, sizeof(tv) / sizeof(tv[0]));
	v = n > 0 ? tv : NULL;
	e = detect_new(&d, c->rt.url.host, v, n, &c->rt.so, c->tr, &why);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	while (!detect_done(d)) {
		print_results(d, c->rt.url.host, &shown);
		timeout = detect_pollfd(d, &p);
		r = poll(&p, p.fd >= 0 ? 1 : 0, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		detect_step(d, r > 0 ? p.revents : 0);
	}
	print_results(d, c->rt.url.host, &shown);
	url = detect_url(d);
	if (url != NULL) {
		(void)printf(_("Found: put this line in the account:\n"));
		cli_print_safe("  server = ", url);
		rc = EX_OK;
	} else {
		(void)printf(_("No way to send mail to %s was found.\n"),
		    c->rt.url.host);
		rc = EX_UNAVAILABLE;
	}
	free(url);
	detect_free(d);
	return rc;
}

/* How the probe ended, written once the after-hook has run. */
struct probe_end {
	int stop;               /* a stop point's outcome (cli_stop_outcome) */
	int stopped;
	const char *status;     /* else the JSON outcome's */
	const char *stage;
	const char *why;
};

/*
 * Connect to the route's server, show what it offers, QUIT (or stop at
 * the stop point).  The exit status.
 */
int
probe_one(struct cli *c, struct probe_view *v, int want_auth,
    const struct probe_after *after)
{
	const char *name = c->rt.so.tls.servername != NULL ?
	    c->rt.so.tls.servername : c->rt.url.host;
	struct probe_end end = { 0, 0, "done", "", NULL };
	const struct tls_peer *peer = NULL;
	struct session *s = NULL;
	const char *mech;
	int rc;

	(void)transcript_subscribe(c->tr, probe_writer, v);
	rc = cli_connect(c, &s);
	if (s != NULL && smtp_caps(session_smtp(s))->server != NULL)
		print_caps(s, v,
		    c->rt.so.smtp.tls == SMTP_TLS_STARTTLS ||
		    c->rt.so.smtp.tls == SMTP_TLS_OPPORTUNISTIC);
	if (c->stop_after != SMTP_STAGE_NONE && s != NULL &&
	    session_status(s) == SESSION_DONE) {
		enum err e = session_error(s, &end.why);

		if (e == ERR_TLS_VERIFY)
			print_peer(session_peer(s), name);
		end.stop = 1;
		end.stopped = e == ERR_STOPPED;
		end.stage = smtp_stage_name(smtp_stage(session_smtp(s)));
		goto done;
	}
	if (rc != 0) {
		if (s != NULL && session_error(s, NULL) == ERR_TLS_VERIFY)
			print_peer(session_peer(s), name);
		end.stop = c->stop_after != SMTP_STAGE_NONE;
		end.status = "failed";
		end.stage = end.stop || s == NULL ? "connect" :
		    smtp_stage_name(smtp_stage(session_smtp(s)));
		end.why = end.stop ? _("no connection") : NULL;
		goto done;
	}
	mech = smtp_auth_mech(session_smtp(s));
	if (want_auth)
		(void)printf(_("Login: succeeded as %s with %s\n"),
		    c->rt.so.smtp.user, mech != NULL ? mech : "?");
	session_quit(s);
	(void)session_wait(s);
	(void)printf(_("Done: the server works as shown.\n"));
done:
	transcript_unsubscribe(c->tr, probe_writer, v);
	if (s != NULL && (smtp_tls_active(session_smtp(s)) ||
	    session_error(s, NULL) == ERR_TLS_VERIFY))
		peer = session_peer(s);
	if (after != NULL)
		after->fn(c, rc, peer, after->arg);
	if (end.stop)
		cli_stop_outcome(c, end.stopped, end.stage, end.why, rc);
	else
		cli_json_outcome(c, end.status, end.stage, rc, NULL);
	session_free(s);
	while (v->nbefore > 0)
		free(v->before_tls[--v->nbefore]);
	free(v->before_tls);
	memset(v, 0, sizeof(*v));
	return rc;
}

/*
 * --step: the transcript prints live (-v at least), and a login is made
 * when a user is known.
 */
static int
probe_step(struct cli *c, const char *url, const char *from, const char *to)
{
	int rc;

	if (c->verbose == 0)
		c->verbose = 1;
	if ((rc = cli_setup(c, url, 1)) != 0)
		return rc;
	c->rt.so.smtp.hold = 1;
	c->rt.so.smtp.step_from = from;
	c->rt.so.smtp.step_rcpt = to;
	return cli_probe_step(c);
}

int
cmd_probe(int argc, char **argv)
{
	struct probe_view view = { 0 };
	struct cli c;
	const char *url = NULL, *detect = NULL, *mx = NULL;
	const char *from = NULL, *to = NULL;
	int opt, want_auth = 0, step = 0, rc;

	memset(&c, 0, sizeof(c));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":v46", probe_longopts,
	    NULL)) != -1) {
		if (cli_common_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_AUTH:
			want_auth = 1;
			break;
		case OPT_DETECT:
			detect = optarg;
			break;
		case OPT_MX:
			mx = optarg;
			break;
		case OPT_STEP:
			step = 1;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_TO:
			to = optarg;
			break;
		case CLI_OPT_HELP:
			probe_help(stdout);
			return EX_OK;
		case CLI_OPT_VERSION:
			cli_version();
			return EX_OK;
		default:
			return cli_bad_option("probe", argv, opt);
		}
	}
	if (optind < argc)
		url = argv[optind++];
	if (optind < argc) {
		cli_error(_("one server URL at most, not '%s' too; try 'pigeon "
		    "probe --help'"), argv[optind]);
		return EX_USAGE;
	}
	if ((from != NULL || to != NULL) && !step) {
		cli_error(_("--from and --to go with --step"));
		rc = EX_USAGE;
		goto out;
	}
	if (step && (detect != NULL || mx != NULL ||
	    c.stop_after != SMTP_STAGE_NONE)) {
		cli_error(_("--step goes neither with --detect, --mx, "
		    "--quit-after nor --drop-after: it stops where you say"));
		rc = EX_USAGE;
		goto out;
	}
	if (step) {
		rc = probe_step(&c, url, from, to);
		goto out;
	}
	if (detect != NULL) {
		if (url != NULL || want_auth) {
			cli_error(_("--detect takes a host name, and neither a "
			    "URL nor --auth"));
			rc = EX_USAGE;
		} else {
			rc = do_detect(&c, detect);
		}
		goto out;
	}
	if (mx != NULL) {
		if (url != NULL || want_auth || detect != NULL) {
			cli_error(_("--mx takes a domain, and neither a URL, "
			    "--auth nor --detect"));
			rc = EX_USAGE;
		} else {
			rc = probe_mx(&c, mx);
		}
		goto out;
	}
	if (c.stop_after > SMTP_STAGE_AUTH) {
		cli_error(_("pigeon probe sends no MAIL: it stops after connect, "
		    "greeting, ehlo, tls or auth, not %s (pigeon send "
		    "--quit-after %s sends a message and stops there)"),
		    c.stop_arg, c.stop_arg);
		rc = EX_USAGE;
		goto out;
	}
	if ((rc = cli_setup(&c, url, want_auth)) != 0)
		goto out;
	if (want_auth && c.rt.so.smtp.user == NULL) {
		cli_error(_("--auth needs a user name: in the URL "
		    "(smtp://user@host) or the account's 'user'"));
		rc = EX_USAGE;
		goto out;
	}
	rc = probe_one(&c, &view, want_auth, NULL);
out:
	cli_cleanup(&c);
	return rc;
}
