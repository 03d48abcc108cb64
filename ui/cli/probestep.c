/* probestep.c - "pigeon probe --step": a live session advanced one stage at a time from the terminal, then SMTP commands typed by the user; the transcript prints as it happens. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "cli.h"
#include "i18n.h"
#include "session.h"
#include "smtp.h"

static volatile sig_atomic_t step_interrupted;

static void
on_sigint(int sig)
{
	(void)sig;
	step_interrupted = 1;
}

/*
 * Poll and step until the session waits for the user or is over.  Ctrl-C
 * here ends it: QUIT when the protocol allows, else the line drops.
 */
static enum session_status
step_wait(struct session *s)
{
	enum session_status st;
	struct pollfd pfd;
	int timeout, n, asked = 0;

	while ((st = session_status(s)) == SESSION_BUSY) {
		if (step_interrupted && !asked) {
			asked = 1;
			smtp_step_quit(session_smtp(s));
			session_resume(s);
			continue;
		}
		timeout = session_pollfd(s, &pfd);
		n = poll(&pfd, pfd.fd >= 0 ? 1 : 0, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			session_abort(s, ERR_IO, strerror(errno));
			break;
		}
		session_step(s, n == 0 ? 0 : pfd.revents);
	}
	return session_status(s);
}

/* What the prompt offers, on stderr with the transcript. */
static void
prompt(struct smtp *sm)
{
	enum smtp_step_typing t = smtp_step_typing(sm);
	const char *next = smtp_step_next(sm);

	if (t == SMTP_STEP_DATA)
		(void)fprintf(stderr, "%s\n", _("message data: type its lines, "
		    "a line with a single '.' ends it"));
	else if (next != NULL && t == SMTP_STEP_COMMAND)
		(void)fprintf(stderr, _("next: %s  [Enter] go on, or type an "
		    "SMTP command, 'quit' to end\n"), next);
	else if (next != NULL)
		(void)fprintf(stderr, _("next: %s  [Enter] go on, 'quit' to "
		    "end\n"), next);
	else
		(void)fprintf(stderr, "%s\n", _("type an SMTP command, 'quit' "
		    "to end"));
	(void)fflush(stderr);
}

/*
 * A line from the terminal (or a pipe) without its line end, malloc'd in
 * *line; -1 at the end of input, on an error or Ctrl-C.
 */
static ssize_t
read_line(char **line, size_t *cap)
{
	ssize_t n;

	errno = 0;
	n = getline(line, cap, stdin);
	if (n < 0) {
		clearerr(stdin);
		return -1;
	}
	if (n > 0 && (*line)[n - 1] == '\n')
		(*line)[--n] = '\0';
	if (n > 0 && (*line)[n - 1] == '\r')
		(*line)[--n] = '\0';
	return n;
}

/* One thing the user said: go on, a line to send, or the end. */
static void
take_line(struct session *s, const char *line, size_t len, int eof)
{
	struct smtp *sm = session_smtp(s);
	enum smtp_step_typing t = smtp_step_typing(sm);
	char *why = NULL;

	if (eof || (t != SMTP_STEP_DATA && strcasecmp(line, "quit") == 0)) {
		/* pigeon's word for the end; "QUIT" typed is the same. */
		smtp_step_quit(sm);
	} else if (t != SMTP_STEP_DATA && len == 0) {
		if (smtp_step_go(sm) < 0)
			cli_warn("%s", _("nothing to go on to: type an SMTP "
			    "command (MAIL FROM:<address>, RCPT TO:<address>, "
			    "DATA), or 'quit'"));
	} else if (smtp_step_line(sm, line, len, &why) != ERR_OK) {
		/* The transcript said why (a warning line). */
		free(why);
	}
	session_resume(s);
}

int
cli_probe_step(struct cli *c)
{
	struct sigaction sa, old;
	struct session *s = NULL;
	char *why = NULL, *line = NULL;
	const char *detail = NULL;
	size_t cap = 0;
	ssize_t n;
	enum err e;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	(void)sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: Ctrl-C interrupts the read of a line. */
	if (sigaction(SIGINT, &sa, &old) < 0) {
		cli_error("sigaction: %s", strerror(errno));
		return EX_OSERR;
	}
	step_interrupted = 0;
	/* An OAuth2 account: its access token first (oauth2.h). */
	e = route_token(&c->rt, c->tr, 0, &why);
	if (e == ERR_OK)
		e = session_open(&s, &c->rt.so, c->tr, &why);
	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		rc = err_exit_code(e);
		goto out;
	}
	while (step_wait(s) == SESSION_READY) {
		prompt(session_smtp(s));
		n = step_interrupted ? -1 : read_line(&line, &cap);
		take_line(s, n >= 0 ? line : "", n >= 0 ? (size_t)n : 0, n < 0);
	}
	e = session_error(s, &detail);
	if (e == ERR_OK) {
		(void)printf("%s\n", _("Done: the session ended with QUIT."));
		rc = EX_OK;
	} else {
		rc = cli_session_failed(s);
	}
out:
	free(line);
	session_free(s);
	(void)sigaction(SIGINT, &old, NULL);
	return rc;
}
