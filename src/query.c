/* query.c - mutt's query_command: ask a program (an address book, LDAP) for the addresses that match. */
/* SPDX-License-Identifier: ISC */
#include "query.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "runcmd.h"
#include "util.h"

#define QUERY_OUTPUT_MAX (1024 * 1024)

void
query_free(struct query_match *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].addr);
		free(v[i].name);
	}
	free(v);
}

static enum err
parse(const char *p, size_t len, struct query_match **v, size_t *n)
{
	const char *end = p + len, *eol, *tab, *tab2;
	struct query_match *nv;
	int first = 1;

	for (; p < end; p = eol + 1, first = 0) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (first)
			continue;   /* mutt's note line */
		tab = memchr(p, '\t', (size_t)(eol - p));
		if (memchr(p, '@', (size_t)((tab != NULL ? tab : eol) - p)) ==
		    NULL)
			continue;
		if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL)
			return ERR_NOMEM;
		*v = nv;
		nv[*n].addr = strndup(p, (size_t)((tab != NULL ? tab : eol) -
		    p));
		if (tab != NULL) {
			tab2 = memchr(tab + 1, '\t', (size_t)(eol - tab - 1));
			nv[*n].name = strndup(tab + 1, (size_t)((tab2 != NULL ?
			    tab2 : eol) - tab - 1));
		} else {
			nv[*n].name = strdup("");
		}
		if (nv[*n].addr == NULL || nv[*n].name == NULL) {
			free(nv[*n].addr);
			free(nv[*n].name);
			return ERR_NOMEM;
		}
		/* A CR before the line end is not part of the name. */
		if (*nv[*n].name != '\0' &&
		    nv[*n].name[strlen(nv[*n].name) - 1] == '\r')
			nv[*n].name[strlen(nv[*n].name) - 1] = '\0';
		++*n;
	}
	return ERR_OK;
}

enum err
query_run(const char *cmd, const char *q, struct query_match **v,
    size_t *n, char **errstr)
{
	struct buf out;
	char *script, chunk[4096];
	int fds[2], status = 0, too_big = 0, r0;
	ssize_t r;
	pid_t pid;
	enum err e;

	*v = NULL;
	*n = 0;
	/* q is the script's "$1": never a part of the script itself. */
	if ((script = runcmd_script(cmd)) == NULL)
		return ERR_NOMEM;
	if (runcmd_pipe(fds) < 0) {
		util_seterr(errstr, _("cannot run query_command: %s"),
		    strerror(errno));
		free(script);
		return ERR_CONFIG;
	}
	/* Standard input is not the terminal: the UI has it. */
	r0 = runcmd_sh(&pid, script, q, RUNCMD_DEVNULL, fds[1]);
	(void)close(fds[1]);
	free(script);
	if (r0 != 0) {
		util_seterr(errstr, _("cannot run query_command: %s"),
		    strerror(r0));
		(void)close(fds[0]);
		return r0 == ENOMEM ? ERR_NOMEM : ERR_CONFIG;
	}
	buf_init(&out, QUERY_OUTPUT_MAX);
	for (;;) {
		r = read(fds[0], chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (buf_add(&out, chunk, (size_t)r) < 0) {
			too_big = 1;
			(void)kill(pid, SIGTERM);
			break;
		}
	}
	(void)close(fds[0]);
	(void)runcmd_wait(pid, &status);
	if (too_big) {
		util_seterr(errstr, _("query_command printed more than %d "
		    "bytes"), QUERY_OUTPUT_MAX);
		buf_free(&out);
		return ERR_CONFIG;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		util_seterr(errstr, _("query_command failed (%s %d)"),
		    WIFEXITED(status) ? _("exit status") : _("signal"),
		    WIFEXITED(status) ? WEXITSTATUS(status) :
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		buf_free(&out);
		return ERR_CONFIG;
	}
	e = parse(buf_str(&out), out.len, v, n);
	buf_free(&out);
	if (e != ERR_OK) {
		query_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
	return e;
}

char *
query_format(const struct query_match *m)
{
	struct buf b;
	const char *p;
	int special = 0;

	if (m->name == NULL || *m->name == '\0')
		return strdup(m->addr);
	for (p = m->name; *p != '\0'; p++)
		if (strchr("()<>[]:;@\\,.\"", *p) != NULL)
			special = 1;
	if (!special)
		return util_strf("%s <%s>", m->name, m->addr);
	buf_init(&b, 4096);
	if (buf_addch(&b, '"') < 0)
		goto fail;
	for (p = m->name; *p != '\0'; p++)
		if (((*p == '"' || *p == '\\') && buf_addch(&b, '\\') < 0) ||
		    buf_addch(&b, *p) < 0)
			goto fail;
	if (buf_printf(&b, "\" <%s>", m->addr) < 0)
		goto fail;
	return b.data;
fail:
	buf_free(&b);
	return NULL;
}
