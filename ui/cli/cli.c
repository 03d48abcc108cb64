/* cli.c - what the command-line subcommands share: accounts, passwords, transcripts, messages (the options: cliopts.c). */
/* SPDX-License-Identifier: ISC */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "dns.h"
#include "i18n.h"
#include "sanitize.h"
#include "util.h"

static void
vmessage(const char *prefix, const char *fmt, va_list ap)
{
	struct buf raw, safe;

	buf_init(&raw, 1024 * 1024);
	buf_init(&safe, 4 * 1024 * 1024);
	if (buf_vprintf(&raw, fmt, ap) == 0 &&
	    sanitize_append(&safe, raw.data, raw.len) == 0)
		(void)fprintf(stderr, "pigeon: %s%s\n", prefix, buf_str(&safe));
	buf_free(&raw);
	buf_free(&safe);
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void
cli_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(_("warning: "), fmt, ap);
	va_end(ap);
}

/* Read a password from the terminal with echo off. */
static char *
prompt_password(const char *user, const char *host)
{
	struct termios old, noecho;
	struct buf b;
	char c;
	int fd, restore = 0;
	ssize_t n;
	FILE *fp;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	fp = fdopen(fd, "r+");
	if (fp == NULL) {
		(void)close(fd);
		return NULL;
	}
	(void)fprintf(fp, _("Password for %s at %s: "), user, host);
	(void)fflush(fp);
	if (tcgetattr(fd, &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		if (tcsetattr(fd, TCSAFLUSH, &noecho) == 0)
			restore = 1;
	}
	buf_init(&b, 4096);
	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n' || c == '\r')
			break;
		if (buf_addch(&b, c) < 0)
			break;
	}
	if (restore)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	(void)fputc('\n', fp);
	(void)fclose(fp);
	if (b.data == NULL && buf_addstr(&b, "") < 0)
		return NULL;
	return b.data;
}

/* Without -v, the warnings that must be seen all the same (plain text after all). */
static void
loud_writer(void *arg, const struct tr_event *ev)
{
	(void)arg;
	if (ev->kind == TR_WARN && (ev->flags & TR_F_LOUD))
		cli_warn("%.*s", (int)(ev->len > 4096 ? 4096 : ev->len),
		    ev->text);
	/* An error explained over several lines (a changed certificate). */
	else if (ev->kind == TR_ERROR && (ev->flags & TR_F_LOUD))
		cli_note("%.*s", (int)(ev->len > 4096 ? 4096 : ev->len),
		    ev->text);
}

static int
open_transcripts(struct cli *c)
{
	int fd;

	c->tr = c->tr_shared != NULL ? c->tr_shared : transcript_new(0);
	if (c->tr == NULL)
		return EX_OSERR;
	/* -vvv is -vv with the dump; --hex alone shows it with -v. */
	if (c->verbose >= 3)
		c->hex = 1;
	if (c->hex && !c->verbose && c->transcript_path == NULL)
		c->verbose = 1;
	if (c->hex)
		transcript_set_raw(c->tr, 1);
	if (c->verbose) {
		tr_file_writer_init(&c->err_writer, stderr, c->transcript_data);
		c->err_writer.show_state = c->verbose > 1;
		(void)transcript_subscribe(c->tr, tr_file_writer, &c->err_writer);
	} else {
		(void)transcript_subscribe(c->tr, loud_writer, NULL);
	}
	if (c->transcript_path != NULL) {
		/* A transcript may hold message data: keep it private. */
		fd = open(c->transcript_path,
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || (c->transcript_fp = fdopen(fd, "w")) == NULL) {
			cli_error(_("cannot write the transcript to '%s': %s"),
			    c->transcript_path, strerror(errno));
			if (fd >= 0)
				(void)close(fd);
			return EX_CANTCREAT;
		}
		tr_file_writer_init(&c->file_writer, c->transcript_fp,
		    c->transcript_data);
		(void)transcript_subscribe(c->tr, tr_file_writer, &c->file_writer);
	}
	if (c->json_path != NULL) {
		fd = open(c->json_path,
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || (c->json_fp = fdopen(fd, "w")) == NULL) {
			cli_error(_("cannot write the transcript to '%s': %s"),
			    c->json_path, strerror(errno));
			if (fd >= 0)
				(void)close(fd);
			return EX_CANTCREAT;
		}
		trjson_init(&c->json_writer, c->json_fp, c->tr,
		    c->transcript_data);
		(void)transcript_subscribe(c->tr, trjson_writer, &c->json_writer);
	}
	return 0;
}

int
cli_load_config(struct cli *c)
{
	char *why = NULL;
	enum err e;
	size_t i;

	if (c->conf != NULL)
		return 0;
	e = conf_load(&c->conf, c->config_path, &why);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	for (i = 0; i < c->conf->nwarnings; i++)
		cli_warn("%s", c->conf->warnings[i]);
	c->acct = conf_account(c->conf, c->account_name);
	if (c->account_name != NULL && c->acct == NULL) {
		cli_error(_("no account named '%s' in the config file"),
		    c->account_name);
		return EX_CONFIG;
	}
	return 0;
}

/* The --tls-* options over the route's TLS settings; 0 or an exit code, shown. */
static int
tls_overrides(struct cli *c, struct route *rt)
{
	struct tls_opts *o = &rt->so.tls;
	const char *bad = NULL;
	char *why = NULL;
	int v;

	if (c->tls_min_version != NULL) {
		if ((v = tls_version_parse(c->tls_min_version)) < 0)
			bad = c->tls_min_version;
		o->min_version = v;
	}
	if (c->tls_max_version != NULL) {
		if ((v = tls_version_parse(c->tls_max_version)) < 0)
			bad = c->tls_max_version;
		o->max_version = v;
	}
	if (bad != NULL) {
		cli_error(_("a TLS version is 1.0, 1.1, 1.2 or 1.3, not '%s'"),
		    bad);
		return EX_USAGE;
	}
	if (c->tls_ciphers != NULL)
		o->ciphers = c->tls_ciphers;
	if (c->tls_ciphersuites != NULL)
		o->ciphersuites = c->tls_ciphersuites;
	if (c->tls_allow_legacy)
		o->allow_legacy = 1;
	if (tls_opts_check(o, &why) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(ERR_CONFIG));
		free(why);
		return EX_CONFIG;
	}
	return 0;
}

int
cli_route(struct cli *c, struct route *rt, const char *server)
{
	char *why = NULL;
	enum err e;

	if ((e = route_init(rt, c->acct, server, c->chunking, &why)) !=
	    ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	rt->so.smtp.stop_after = c->stop_after;
	rt->so.smtp.stop_drop = c->stop_drop;
	rt->so.smtp.show_auth = c->show_auth;
	if (c->family != 0)
		rt->so.net.family = c->family;
	if (c->dns_server != NULL) {
		if (dns_server_check(c->dns_server, &why) < 0) {
			cli_error("%s", why != NULL ? why : err_str(ERR_USAGE));
			free(why);
			return EX_USAGE;
		}
		rt->so.dns_server = c->dns_server;
	}
	if (c->proxy != NULL && (e = route_set_proxy(rt, c->proxy, c->acct,
	    &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	return tls_overrides(c, rt);
}

/* cli_setup() and cli_setup_quiet(): prompt or not. */
static int
setup(struct cli *c, const char *url_arg, int want_auth, int prompt)
{
	char *why = NULL, *pw;
	enum err e;
	int r;

	if (c->usage_error)
		return EX_USAGE;
	if (c->show_auth < 0) {
		cli_error(_("--show-auth takes no value or '=all'"));
		return EX_USAGE;
	}
	if ((r = cli_load_config(c)) != 0)
		return r;
	/* --direct: the routes are made per domain (cli_route()); this one is their template. */
	if (c->direct && url_arg == NULL && c->server == NULL)
		url_arg = c->tls_required ? "mx+tls:" : "mx:";
	if ((r = cli_route(c, &c->rt, url_arg != NULL ? url_arg :
	    c->server)) != 0)
		return r;
	if (want_auth && (e = route_secret(&c->rt, c->acct, &why)) !=
	    ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	if (want_auth && c->rt.need_secret) {
		pw = prompt ? prompt_password(c->rt.user, c->rt.url.host) :
		    NULL;
		if (pw == NULL) {
			cli_error(_("no password for %s at %s: set "
			    "password_command in the account, add it to "
			    "~/.netrc, or run pigeon on a terminal"),
			    c->rt.user, c->rt.url.host);
			return EX_CONFIG;
		}
		route_set_secret(&c->rt, pw);
	}
	return open_transcripts(c);
}

int
cli_setup(struct cli *c, const char *url_arg, int want_auth)
{
	return setup(c, url_arg, want_auth, 1);
}

int
cli_setup_quiet(struct cli *c, const char *url_arg, int want_auth)
{
	return setup(c, url_arg, want_auth, 0);
}

void
cli_cleanup(struct cli *c)
{
	if (c->tr != NULL) {
		/* A shared transcript lives on: our writers leave it. */
		transcript_unsubscribe(c->tr, tr_file_writer, &c->err_writer);
		transcript_unsubscribe(c->tr, tr_file_writer, &c->file_writer);
		transcript_unsubscribe(c->tr, trjson_writer, &c->json_writer);
		transcript_unsubscribe(c->tr, loud_writer, NULL);
		if (c->tr != c->tr_shared)
			transcript_free(c->tr);
		c->tr = NULL;
		if (c->verbose)
			tr_file_writer_fini(&c->err_writer);
		if (c->transcript_fp != NULL) {
			tr_file_writer_fini(&c->file_writer);
			if (fclose(c->transcript_fp) != 0)
				cli_error(_("cannot write the transcript to "
				    "'%s': %s"), c->transcript_path,
				    strerror(errno));
		}
		if (c->json_fp != NULL) {
			trjson_fini(&c->json_writer);
			if (fclose(c->json_fp) != 0 || c->json_writer.failed)
				cli_error(_("cannot write the transcript to "
				    "'%s': %s"), c->json_path,
				    strerror(errno));
			c->json_fp = NULL;
		}
	}
	route_free(&c->rt);
	conf_free(c->conf);
	c->conf = NULL;
}

/*
 * The error e with its detail, on one line: "what: detail", unless the
 * detail says what already ("authentication failed: 535 ..." once, not
 * "authentication failed: authentication failed: 535 ...").
 */
static void
error_with_detail(enum err e, const char *detail)
{
	const char *what = err_str(e);
	size_t n = strlen(what);

	if (detail == NULL || *detail == '\0' || strcmp(detail, what) == 0)
		cli_error("%s", what);
	else if (strncmp(detail, what, n) == 0 && (detail[n] == ':' ||
	    detail[n] == ' ' || detail[n] == ','))
		cli_error("%s", detail);
	else
		cli_error("%s: %s", what, detail);
}

int
cli_session_failed(struct session *s)
{
	const char *detail;
	enum err e;

	e = session_error(s, &detail);
	if (e == ERR_STOPPED)
		return EX_OK;    /* at the stop point: the caller says so */
	if (e == ERR_OK) {
		cli_error(_("the connection ended unexpectedly"));
		return EX_TEMPFAIL;
	}
	error_with_detail(e, detail);
	return err_exit_code(e);
}

int
cli_connect(struct cli *c, struct session **out)
{
	char *why = NULL;
	enum err e;

	/* An OAuth2 account: its access token first (oauth2.h). */
	e = route_token(&c->rt, c->tr, 0, &why);
	if (e == ERR_OK)
		e = session_open(out, &c->rt.so, c->tr, &why);
	if (e != ERR_OK) {
		error_with_detail(e, why);
		free(why);
		return err_exit_code(e);
	}
	if (session_wait(*out) != SESSION_READY)
		return cli_session_failed(*out);
	return 0;
}

size_t
cli_dedupe(const char **v, size_t n)
{
	size_t i, j, out = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < out; j++)
			if (strcasecmp(v[i], v[j]) == 0)
				break;
		if (j == out)
			v[out++] = v[i];
	}
	return out;
}

void
cli_print_safe(const char *prefix, const char *text)
{
	struct buf b;

	buf_init(&b, 1024 * 1024);
	if (sanitize_append(&b, text, strlen(text)) == 0)
		(void)printf("%s%s\n", prefix, buf_str(&b));
	buf_free(&b);
}

void
cli_json_outcome(struct cli *c, const char *status, const char *stage,
    int rc, const char *why)
{
	if (c->json_fp != NULL)
		(void)trjson_outcome(&c->json_writer, status, stage, rc, why);
}

void
cli_stop_outcome(struct cli *c, int stopped, const char *stage,
    const char *why, int rc)
{
	char upper[16];
	size_t i;

	for (i = 0; stage[i] != '\0' && i + 1 < sizeof(upper); i++)
		upper[i] = (char)(stage[i] >= 'a' && stage[i] <= 'z' ?
		    stage[i] - 'a' + 'A' : stage[i]);
	upper[i] = '\0';
	if (stopped)
		/* L10N: "stopped after RCPT as asked (--quit-after rcpt)" */
		cli_note(_("stopped after %s as asked (%s %s)"), upper,
		    c->stop_drop ? "--drop-after" : "--quit-after", c->stop_arg);
	else
		cli_error(_("failed at stage %s: %s"), *stage != '\0' ? stage :
		    "?", why != NULL ? why : "?");
	if (c->json_fp != NULL)
		(void)trjson_outcome(&c->json_writer, stopped ?
		    "stopped" : "failed", stage, rc, why);
}
