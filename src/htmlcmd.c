/* htmlcmd.c - the HTML alternative of a message made from its text by the user's html_command (pandoc, a Markdown converter). */
/* SPDX-License-Identifier: ISC */
#include "htmlcmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "charset.h"
#include "i18n.h"
#include "runcmd.h"
#include "util.h"

/*
 * The text goes to the command as a file it reads from the start: an
 * unlinked temporary file, so that a command that prints before it has
 * read all of its input cannot stall on a full pipe.
 */
static enum err
text_file(const char *text, size_t n, int *fd, char **errstr)
{
	FILE *f = tmpfile();

	*fd = -1;
	if (f == NULL || (n > 0 && fwrite(text, 1, n, f) != n) ||
	    fflush(f) != 0 || (*fd = dup(fileno(f))) < 0 ||
	    lseek(*fd, 0, SEEK_SET) < 0) {
		util_seterr(errstr, _("cannot hand the text to html_command: "
		    "%s"), strerror(errno));
		if (*fd >= 0)
			(void)close(*fd);
		*fd = -1;
		if (f != NULL)
			(void)fclose(f);
		return ERR_IO;
	}
	(void)fclose(f);
	return ERR_OK;
}

enum err
htmlcmd_run(const char *cmd, const char *text, size_t n, struct buf *html,
    char **errstr)
{
	struct runcmd_limits lim = { HTMLCMD_TIMEOUT_MS, HTMLCMD_MAX,
	    "html_command" };
	struct buf out;
	int fd, status = 0;
	enum err e;

	if ((e = text_file(text, n, &fd, errstr)) != ERR_OK)
		return e;
	buf_init(&out, HTMLCMD_MAX + 1);
	e = runcmd_capture(&lim, cmd, NULL, fd, &out, &status, errstr);
	(void)close(fd);
	if (e == ERR_OK && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		if (WIFEXITED(status))
			util_seterr(errstr, _("html_command failed (exit "
			    "status %d)"), WEXITSTATUS(status));
		else
			util_seterr(errstr, _("html_command was killed by "
			    "signal %d"), WTERMSIG(status));
		e = ERR_CONFIG;
	} else if (e == ERR_OK && out.len == 0) {
		util_seterr(errstr, _("html_command printed nothing"));
		e = ERR_DATA;
	} else if (e == ERR_OK && !charset_utf8_valid(buf_str(&out), out.len,
	    NULL)) {
		util_seterr(errstr, _("what html_command printed is not "
		    "UTF-8"));
		e = ERR_DATA;
	}
	if (e == ERR_OK && buf_add(html, buf_str(&out), out.len) < 0)
		e = ERR_NOMEM;
	buf_free(&out);
	return e;
}

char *
htmlcmd_name(const char *cmd)
{
	const char *s, *e, *p;

	for (s = cmd; *s == ' ' || *s == '\t'; s++)
		;
	for (e = s; *e != '\0' && *e != ' ' && *e != '\t'; e++)
		;
	for (p = s; p < e; p++)
		if (*p == '/')
			s = p + 1;
	return strndup(s, (size_t)(e - s));
}
