/* accounts.c - the accounts screen of the interactive UI: list, add, edit, delete, test. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "accounts.h"
#include "addr.h"
#include "buf.h"
#include "cli.h"
#include "conf.h"
#include "confedit.h"
#include "i18n.h"
#include "session.h"
#include "transcript.h"
#include "tui.h"
#include "url.h"
#include "util.h"

#define PROBE_LINES 200

enum field {
	F_NAME,
	F_FROM,
	F_HOST,
	F_SECURITY,
	F_AUTH,
	F_USER,
	F_PWSRC,
	F_PWCMD,
	F_COUNT
};

static const char *const security_label[] = {
	"STARTTLS", "TLS", N_("none (clear text)"),
};
static const char *const security_scheme[] = { "smtp", "smtps", "smtp+plain" };

static const char *const auth_label[] = {
	N_("automatic"), "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256",
	"XOAUTH2", "OAUTHBEARER",
};
#define NAUTH (sizeof(auth_label) / sizeof(auth_label[0]))

static const char *const pwsrc_label[] = {
	N_("password_command"), N_("~/.netrc, else asked at start"),
};

/* The account being added or edited. */
struct form {
	char *text[F_COUNT];       /* name, from, host[:port], user, command */
	int security, auth, pwsrc;
	int cur;
	int is_new;
	int changed;
};

/* What the screen shows besides the list: a test's transcript. */
struct screen {
	const char *path;          /* the file written */
	char *line[PROBE_LINES];
	size_t nline;
	char status[512];
	int status_error;
};

static void
form_free(struct form *f)
{
	int i;

	for (i = 0; i < F_COUNT; i++)
		free(f->text[i]);
}

static void
status(struct screen *sc, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
status(struct screen *sc, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(sc->status, sizeof(sc->status), fmt, ap);
	va_end(ap);
	sc->status_error = error;
}

static void
bars(const struct screen *sc, const char *title, const char *help)
{
	int rows = tui_rows();

	tui_bars(title, help);
	tui_clear_line(rows - 1, TUI_NORMAL);
	(void)tui_str(rows - 1, 0, tui_cols(), sc->status, sc->status_error ?
	    TUI_ERROR : TUI_NORMAL);
}

/* --- the form ------------------------------------------------------------- */

static const char *
field_label(int f)
{
	static const char *const l[F_COUNT] = {
		N_("Name"), N_("From"), N_("Server (host:port)"),
		N_("Security"), N_("Login method"), N_("User"),
		N_("Password from"), N_("Password command"),
	};

	return _(l[f]);
}

static const char *
field_value(const struct form *fm, int f)
{
	switch (f) {
	case F_SECURITY:
		return _(security_label[fm->security]);
	case F_AUTH:
		return _(auth_label[fm->auth]);
	case F_PWSRC:
		return _(pwsrc_label[fm->pwsrc]);
	default:
		return fm->text[f] != NULL ? fm->text[f] : "";
	}
}

/* The password command field means something only with that source. */
static int
field_shown(const struct form *fm, int f)
{
	return f != F_PWCMD || fm->pwsrc == 0;
}

static void
draw_form(const struct screen *sc, const struct form *fm)
{
	int y, f, x;

	for (y = 1; y < tui_rows() - 2; y++)
		tui_clear_line(y, TUI_NORMAL);
	for (f = 0, y = 2; f < F_COUNT; f++) {
		if (!field_shown(fm, f))
			continue;
		if (f == fm->cur)
			tui_clear_line(y, TUI_SELECTED);
		x = tui_str(y, 2, 24, field_label(f), f == fm->cur ?
		    TUI_SELECTED : TUI_LABEL);
		(void)x;
		(void)tui_str(y, 26, tui_cols() - 27, field_value(fm, f),
		    f == fm->cur ? TUI_SELECTED : TUI_NORMAL);
		y++;
	}
	(void)tui_str(y + 1, 2, tui_cols() - 4, _("Passwords are never "
	    "written to the config file."), TUI_INFO);
	bars(sc, fm->is_new ? _("New account") : _("Edit account"),
	    _("j/k:field  Enter:change  s:save  q:back"));
	tui_flush();
}

/* The URL of the form's server and security; NULL with the status set when it is not one. */
static char *
form_url(struct screen *sc, const struct form *fm)
{
	struct url u;
	char *s, *why = NULL;

	if (fm->text[F_HOST] == NULL || *fm->text[F_HOST] == '\0') {
		status(sc, 1, _("the server is missing"));
		return NULL;
	}
	s = util_strf("%s://%s", security_scheme[fm->security],
	    fm->text[F_HOST]);
	if (s == NULL)
		return NULL;
	memset(&u, 0, sizeof(u));
	if (url_parse(&u, s, &why) != ERR_OK) {
		status(sc, 1, "%s", why != NULL ? why : _("not a server"));
		free(why);
		free(s);
		return NULL;
	}
	url_free(&u);
	return s;
}

/* Write the form to the file; 0, or -1 with the status set. */
static int
form_save(struct screen *sc, struct form *fm, int make_default)
{
	static const char *const keys[] = {
		"from", "server", "user", "auth", "password_command",
	};
	const char *values[5];
	struct addr_list from = { NULL, 0 };
	char *why = NULL, *url, *dir, *slash;
	enum err e;

	if (fm->text[F_NAME] == NULL || *fm->text[F_NAME] == '\0') {
		status(sc, 1, _("the account needs a name"));
		return -1;
	}
	if (fm->text[F_FROM] == NULL || addr_list_parse(&from,
	    fm->text[F_FROM], strlen(fm->text[F_FROM]), &why) != ERR_OK ||
	    from.n != 1) {
		status(sc, 1, _("From must be one address: %s"), why != NULL ?
		    why : fm->text[F_FROM] != NULL ? fm->text[F_FROM] : "");
		free(why);
		addr_list_free(&from);
		return -1;
	}
	addr_list_free(&from);
	if (fm->pwsrc == 0 && (fm->text[F_PWCMD] == NULL ||
	    *fm->text[F_PWCMD] == '\0')) {
		status(sc, 1, _("give the password command, or take the "
		    "password from ~/.netrc"));
		return -1;
	}
	if ((url = form_url(sc, fm)) == NULL)
		return -1;
	values[0] = fm->text[F_FROM];
	values[1] = url;
	values[2] = fm->text[F_USER] != NULL && *fm->text[F_USER] != '\0' ?
	    fm->text[F_USER] : NULL;
	values[3] = fm->auth > 0 ? auth_label[fm->auth] : NULL;
	values[4] = fm->pwsrc == 0 ? fm->text[F_PWCMD] : NULL;
	/* A first config file: its directory may be missing. */
	if ((dir = strdup(sc->path)) != NULL &&
	    (slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			char *up = strrchr(dir, '/');

			if (up != NULL && up != dir) {
				*up = '\0';
				(void)mkdir(dir, 0700);
				*up = '/';
			}
			(void)mkdir(dir, 0700);
		}
	}
	free(dir);
	e = confedit_set(sc->path, fm->text[F_NAME], keys, values, 5, &why);
	if (e == ERR_OK && make_default)
		e = confedit_default(sc->path, fm->text[F_NAME], &why);
	free(url);
	if (e != ERR_OK) {
		status(sc, 1, "%s", why != NULL ? why : err_str(e));
		free(why);
		return -1;
	}
	status(sc, 0, _("account %s saved in %s"), fm->text[F_NAME],
	    sc->path);
	fm->changed = 0;
	return 0;
}

/* Fill the form from an account of the file. */
static void
form_from(struct form *fm, const struct account *a)
{
	struct url u;
	char *why = NULL;
	size_t i;

	memset(fm, 0, sizeof(*fm));
	fm->text[F_NAME] = strdup(a->name);
	fm->text[F_FROM] = a->from != NULL ? strdup(a->from) : NULL;
	fm->text[F_USER] = a->user != NULL ? strdup(a->user) : NULL;
	fm->text[F_PWCMD] = a->password_command != NULL ?
	    strdup(a->password_command) : NULL;
	fm->pwsrc = a->password_command != NULL ? 0 : 1;
	for (i = 1; i < NAUTH; i++)
		if (a->auth != NULL && strcasecmp(a->auth, auth_label[i]) == 0)
			fm->auth = (int)i;
	memset(&u, 0, sizeof(u));
	if (a->server != NULL && url_parse(&u, a->server, &why) == ERR_OK) {
		fm->security = u.scheme == URL_SMTPS ? 1 :
		    u.scheme == URL_SMTP ? 0 : 2;
		fm->text[F_HOST] = util_strf(strchr(u.host, ':') != NULL ?
		    "[%s]:%s" : "%s:%s", u.host, u.port);
		if (u.user != NULL && fm->text[F_USER] == NULL)
			fm->text[F_USER] = strdup(u.user);
		url_free(&u);
	}
	free(why);
	fm->cur = F_FROM;
}

/*
 * Edit fm until it is saved (1), or the user leaves it (0), or a stop
 * signal comes (-1).
 */
static int
form_run(struct screen *sc, struct form *fm, int make_default)
{
	enum tui_event ev;
	short rev;
	int key, next, r;
	char *v;

	for (;;) {
		draw_form(sc, fm);
		ev = tui_wait(-1, 0, -1, &key, &rev);
		if (ev == TUI_EV_STOP)
			return -1;
		if (ev != TUI_EV_KEY)
			continue;
		switch (key) {
		case 'j':
		case TUI_KEY_DOWN:
		case '\t':
			for (next = fm->cur + 1; next < F_COUNT &&
			    !field_shown(fm, next); next++)
				;
			if (next < F_COUNT)
				fm->cur = next;
			break;
		case 'k':
		case TUI_KEY_UP:
			for (next = fm->cur - 1; next >= 0 &&
			    !field_shown(fm, next); next--)
				;
			if (next >= 0 && (next != F_NAME || fm->is_new))
				fm->cur = next;
			break;
		case '\r':
		case '\n':
		case ' ':
		case TUI_KEY_ENTER:
		case 'e':
			fm->changed = 1;
			if (fm->cur == F_SECURITY) {
				fm->security = (fm->security + 1) % 3;
				break;
			}
			if (fm->cur == F_AUTH) {
				fm->auth = (fm->auth + 1) % (int)NAUTH;
				break;
			}
			if (fm->cur == F_PWSRC) {
				fm->pwsrc = !fm->pwsrc;
				break;
			}
			if (fm->cur == F_NAME && !fm->is_new)
				break;
			v = tui_readline(tui_rows() - 1, field_label(fm->cur),
			    fm->text[fm->cur]);
			if (v == NULL) {
				if (tui_stop_signal() != 0)
					return -1;
				break;
			}
			free(fm->text[fm->cur]);
			fm->text[fm->cur] = v;
			break;
		case 's':
			if (form_save(sc, fm, make_default) == 0)
				return 1;
			break;
		case 'q':
		case 27:
		case 7:
			if (!fm->changed)
				return 0;
			r = tui_yesno(tui_rows() - 1, _("Leave without saving? "
			    "(y/n) "), 0);
			if (r < 0 && tui_stop_signal() != 0)
				return -1;
			if (r == 1)
				return 0;
			break;
		default:
			break;
		}
	}
}

/* --- testing an account --------------------------------------------------- */

static void
probe_writer(void *arg, const struct tr_event *ev)
{
	struct screen *sc = arg;
	struct buf b;

	if (ev->kind == TR_DATA || ev->kind == TR_STATE)
		return;
	buf_init(&b, 64 * 1024);
	if (transcript_format(ev, &b) == 0) {
		if (sc->nline == PROBE_LINES) {
			free(sc->line[0]);
			memmove(sc->line, sc->line + 1,
			    (PROBE_LINES - 1) * sizeof(*sc->line));
			sc->nline--;
		}
		if ((sc->line[sc->nline] = strndup(buf_str(&b), b.len)) !=
		    NULL)
			sc->nline++;
	}
	buf_free(&b);
}

static void
probe_clear(struct screen *sc)
{
	while (sc->nline > 0)
		free(sc->line[--sc->nline]);
}

static void draw_list(struct screen *sc, const struct conf *c, size_t cur,
    const char *current);

/*
 * t: connect with the account's settings (TLS, EHLO, and AUTH when the
 * password comes without asking), then QUIT, the dialogue on the screen.
 * Keys still work: C-g stops it.  -1 for a stop signal.
 */
static int
probe(struct screen *sc, const char *config_path, const struct account *a,
    const struct conf *c, size_t cur, const char *current)
{
	struct cli pc;
	struct session *s = NULL;
	struct pollfd pfd;
	enum tui_event ev;
	const char *detail = NULL;
	char *why = NULL;
	short rev;
	int key, timeout, rc = 0, quitting = 0;
	enum err e;

	probe_clear(sc);
	memset(&pc, 0, sizeof(pc));
	pc.config_path = config_path;
	pc.account_name = a->name;
	/* Never a password prompt here: only what comes without asking. */
	if (cli_setup(&pc, NULL, a->password != NULL ||
	    a->password_command != NULL) != 0) {
		status(sc, 1, _("the account cannot be used as it is (see "
		    "pigeon.conf(5))"));
		cli_cleanup(&pc);
		return 0;
	}
	(void)transcript_subscribe(pc.tr, probe_writer, sc);
	status(sc, 0, _("testing %s... (C-g: stop)"), a->name);
	if ((e = session_open(&s, &pc.rt.so, pc.tr, &why)) != ERR_OK) {
		status(sc, 1, _("test failed: %s"), why != NULL ? why :
		    err_str(e));
		goto out;
	}
	for (;;) {
		draw_list(sc, c, cur, current);
		if (session_status(s) == SESSION_READY && !quitting) {
			quitting = 1;
			session_quit(s);
			continue;
		}
		if (session_status(s) == SESSION_DONE)
			break;
		timeout = session_pollfd(s, &pfd);
		ev = tui_wait(pfd.fd, pfd.events, timeout, &key, &rev);
		if (ev == TUI_EV_STOP) {
			rc = -1;
			goto out;
		}
		if (ev == TUI_EV_KEY && (key == 7 || key == 3)) {
			session_stop(s);
			continue;
		}
		if (ev == TUI_EV_FD || ev == TUI_EV_TIMEOUT)
			session_step(s, ev == TUI_EV_FD ? rev : 0);
	}
	e = session_error(s, &detail);
	if (quitting && (e == ERR_OK || e == ERR_CLOSED))
		status(sc, 0, _("%s works: the server answered%s"), a->name,
		    pc.rt.so.smtp.user != NULL ? _(" and took the login") : "");
	else
		status(sc, 1, _("test failed: %s"), detail != NULL ? detail :
		    err_str(e != ERR_OK ? e : ERR_CLOSED));
out:
	transcript_unsubscribe(pc.tr, probe_writer, sc);
	session_free(s);
	free(why);
	cli_cleanup(&pc);
	return rc;
}

/* --- the list ------------------------------------------------------------- */

static void
draw_list(struct screen *sc, const struct conf *c, size_t cur,
    const char *current)
{
	int rows = tui_rows(), y, top;
	size_t i;
	char mark[8];

	for (y = 1; y < rows - 2; y++)
		tui_clear_line(y, TUI_NORMAL);
	for (i = 0, y = 2; c != NULL && i < c->naccounts && y < rows - 3;
	    i++, y++) {
		const struct account *a = &c->accounts[i];
		enum tui_attr at = i == cur ? TUI_SELECTED : TUI_NORMAL;
		int x;

		if (i == cur)
			tui_clear_line(y, TUI_SELECTED);
		(void)snprintf(mark, sizeof(mark), "%s%s",
		    c->default_account != NULL &&
		    strcmp(c->default_account, a->name) == 0 ? "*" : " ",
		    current != NULL && strcmp(current, a->name) == 0 ? ">" :
		    " ");
		x = tui_str(y, 1, 3, mark, at);
		x += tui_str(y, 1 + x, 16, a->name, at) + 1;
		x = 20;
		x += tui_str(y, x, 30, a->from != NULL ? a->from : "", at) + 1;
		(void)tui_str(y, 52, tui_cols() - 53, a->server != NULL ?
		    a->server : "", at);
	}
	if (c == NULL || c->naccounts == 0)
		(void)tui_str(2, 2, tui_cols() - 4, _("(no accounts yet: a adds "
		    "one)"), TUI_INFO);
	/* A test's dialogue, below. */
	top = y + 1;
	if (sc->nline > 0 && top < rows - 3) {
		size_t first = sc->nline > (size_t)(rows - 3 - top) ?
		    sc->nline - (size_t)(rows - 3 - top) : 0;

		tui_clear_line(top, TUI_BAR);
		(void)tui_str(top, 1, tui_cols() - 2, _("connection test"),
		    TUI_BAR);
		for (i = first, y = top + 1; i < sc->nline && y < rows - 2;
		    i++, y++)
			(void)tui_escaped(y, 0, tui_cols(), sc->line[i],
			    TUI_INFO);
	}
	bars(sc, _("Accounts (* default, > in use)"), _("a:add  e:edit  "
	    "d:delete  D:default  t:test  q:back"));
	tui_flush();
}

/* 1 when a change of the file went well; else its error is on the status line. */
static int
edited(struct screen *sc, enum err e, char **why)
{
	if (e == ERR_OK)
		return 1;
	status(sc, 1, "%s", *why != NULL ? *why : err_str(e));
	free(*why);
	*why = NULL;
	return 0;
}

/* A fresh screen for the config file written: --config, else the default (malloc'd). */
static char *
file_path(struct screen *sc, const char *config_path)
{
	char *path = NULL;

	memset(sc, 0, sizeof(*sc));
	if (config_path != NULL)
		path = strdup(config_path);
	else if (conf_default_path(&path) != ERR_OK)
		path = NULL;
	sc->path = path;
	return path;
}

static struct conf *
reload(struct screen *sc, const char *config_path)
{
	struct conf *c = NULL;
	char *why = NULL;

	if (conf_load(&c, config_path, &why) != ERR_OK) {
		status(sc, 1, "%s", why != NULL ? why : "?");
		free(why);
		return NULL;
	}
	return c;
}

int
ui_accounts(const char *config_path, const char *current)
{
	struct screen sc;
	struct conf *c;
	struct form fm;
	enum tui_event ev;
	char *path = NULL, *why = NULL;
	size_t cur = 0;
	short rev;
	int key, r, changed = 0, rc = 0;
	enum err e;

	if ((path = file_path(&sc, config_path)) == NULL)
		return 0;
	c = reload(&sc, config_path);
	for (;;) {
		if (c != NULL && cur >= c->naccounts && c->naccounts > 0)
			cur = c->naccounts - 1;
		draw_list(&sc, c, cur, current);
		ev = tui_wait(-1, 0, -1, &key, &rev);
		if (ev == TUI_EV_STOP) {
			rc = -1;
			break;
		}
		if (ev != TUI_EV_KEY)
			continue;
		if (key == 'q' || key == 27 || key == 7)
			break;
		if ((key == 'j' || key == TUI_KEY_DOWN) && c != NULL &&
		    cur + 1 < c->naccounts)
			cur++;
		else if ((key == 'k' || key == TUI_KEY_UP) && cur > 0)
			cur--;
		else if (key == 'a') {
			memset(&fm, 0, sizeof(fm));
			fm.is_new = 1;
			fm.pwsrc = 1;
			r = form_run(&sc, &fm, c == NULL || c->naccounts == 0);
			form_free(&fm);
			if (r < 0) {
				rc = -1;
				break;
			}
			changed |= r;
		} else if ((key == 'e' || key == '\r' || key == '\n') &&
		    c != NULL && cur < c->naccounts) {
			form_from(&fm, &c->accounts[cur]);
			r = form_run(&sc, &fm, 0);
			form_free(&fm);
			if (r < 0) {
				rc = -1;
				break;
			}
			changed |= r;
		} else if (key == 'd' && c != NULL && cur < c->naccounts) {
			char q[256];

			(void)snprintf(q, sizeof(q), _("Delete account %s? (y/n) "),
			    c->accounts[cur].name);
			r = tui_yesno(tui_rows() - 1, q, 0);
			if (r < 0 && tui_stop_signal() != 0) {
				rc = -1;
				break;
			}
			if (r != 1)
				continue;
			e = confedit_remove(path, c->accounts[cur].name, &why);
			if (edited(&sc, e, &why))
				status(&sc, 0, _("account %s deleted"),
				    c->accounts[cur].name);
			changed |= e == ERR_OK;
		} else if (key == 'D' && c != NULL && cur < c->naccounts) {
			e = confedit_default(path, c->accounts[cur].name, &why);
			if (edited(&sc, e, &why))
				status(&sc, 0, _("%s is the default account now"),
				    c->accounts[cur].name);
			changed |= e == ERR_OK;
		} else if (key == 't' && c != NULL && cur < c->naccounts) {
			if (probe(&sc, config_path, &c->accounts[cur], c, cur,
			    current) < 0) {
				rc = -1;
				break;
			}
			continue;
		} else {
			continue;
		}
		if (changed) {
			conf_free(c);
			c = reload(&sc, config_path);
		}
	}
	probe_clear(&sc);
	conf_free(c);
	free(path);
	if (rc < 0)
		return -1;
	return changed;
}

int
ui_first_account(const char *config_path)
{
	struct screen sc;
	struct form fm;
	char *path = NULL;
	int r;

	if ((path = file_path(&sc, config_path)) == NULL)
		return 0;
	status(&sc, 0, _("No account yet: fill this in, s saves it, q leaves "
	    "('make demo-ui' in pigeon's sources tries a local test server)."));
	memset(&fm, 0, sizeof(fm));
	fm.is_new = 1;
	fm.pwsrc = 1;
	r = form_run(&sc, &fm, 1);
	form_free(&fm);
	free(path);
	return r;
}
