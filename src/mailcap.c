/* mailcap.c - the user's mailcap (RFC 1524): turn a part into text through its copiousoutput entry. */
/* SPDX-License-Identifier: ISC */
#include "mailcap.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "runcmd.h"
#include "util.h"

/* Debian's /etc/mailcap is some 20 KiB; a mailcap is never near this. */
#define MAILCAP_FILE_MAX (1024 * 1024)
/* A test command's output is thrown away; this bounds the reading. */
#define TEST_OUTPUT_MAX (64 * 1024)

void
mailcap_entry_free(struct mailcap_entry *e)
{
	free(e->type);
	free(e->view);
	free(e->test);
	free(e->nametemplate);
	memset(e, 0, sizeof(*e));
}

/* One logical line into line: continuations joined, the newline gone. */
static int
logical_line(const char *text, size_t n, size_t *pos, struct buf *line)
{
	const char *p, *eol;
	size_t len;

	buf_reset(line);
	while (*pos < n) {
		p = text + *pos;
		eol = memchr(p, '\n', n - *pos);
		len = eol != NULL ? (size_t)(eol - p) : n - *pos;
		*pos += len + (eol != NULL);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > 0 && p[len - 1] == '\\' && eol != NULL) {
			if (buf_add(line, p, len - 1) < 0)
				return -1;
			continue;
		}
		return buf_add(line, p, len);
	}
	return 0;
}

/* The field at *p up to an unescaped ';', trimmed; *p past the ';'. */
static char *
field(const char **p)
{
	const char *s = *p, *e;

	while (*s == ' ' || *s == '\t')
		s++;
	for (e = s; *e != '\0' && *e != ';'; e++)
		if (e[0] == '\\' && e[1] != '\0')
			e++;
	*p = *e == ';' ? e + 1 : e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return strndup(s, (size_t)(e - s));
}

/* Is f the flag name (case ignored), or "name = value" with *value set? */
static int
is_field(const char *f, const char *name, const char **value)
{
	size_t len = strlen(name);

	if (strncasecmp(f, name, len) != 0)
		return 0;
	f += len;
	while (*f == ' ' || *f == '\t')
		f++;
	if (value == NULL)
		return *f == '\0';
	if (*f != '=')
		return 0;
	for (f++; *f == ' ' || *f == '\t'; f++)
		;
	*value = f;
	return 1;
}

/* The fields after the view command: the flags and the named ones. */
static int
parse_fields(const char *p, struct mailcap_entry *e)
{
	const char *v;
	char *f, **dst;

	while (*p != '\0') {
		if ((f = field(&p)) == NULL)
			return -1;
		dst = NULL;
		if (is_field(f, "copiousoutput", NULL))
			e->copiousoutput = 1;
		else if (is_field(f, "needsterminal", NULL))
			e->needsterminal = 1;
		else if (is_field(f, "test", &v))
			dst = &e->test;
		else if (is_field(f, "nametemplate", &v))
			dst = &e->nametemplate;
		if (dst != NULL && *dst == NULL && (*dst = strdup(v)) == NULL) {
			free(f);
			return -1;
		}
		free(f);
	}
	return 0;
}

int
mailcap_parse(const char *text, size_t n, size_t *pos,
    struct mailcap_entry *e)
{
	struct buf line;
	const char *p;
	int r;

	memset(e, 0, sizeof(*e));
	buf_init(&line, MAILCAP_FILE_MAX);
	while ((r = logical_line(text, n, pos, &line)) >= 0 &&
	    (*pos < n || line.len > 0)) {
		for (p = buf_str(&line); *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '#' || *p == '\0' || strchr(p, ';') == NULL)
			continue;
		if ((e->type = field(&p)) == NULL ||
		    (e->view = field(&p)) == NULL || parse_fields(p, e) < 0) {
			r = -1;
			break;
		}
		if (*e->type != '\0' && strchr(e->type, ' ') == NULL) {
			buf_free(&line);
			return 1;
		}
		mailcap_entry_free(e);
	}
	buf_free(&line);
	mailcap_entry_free(e);
	return r < 0 ? -1 : 0;
}

int
mailcap_type_match(const char *pattern, const char *type)
{
	const char *slash = strchr(type, '/');
	size_t major = slash != NULL ? (size_t)(slash - type) : strlen(type);

	if (strcasecmp(pattern, type) == 0)
		return 1;
	/* "text", and "text/" with a '*', cover every text type. */
	return strncasecmp(pattern, type, major) == 0 &&
	    (pattern[major] == '\0' || strcmp(pattern + major, "/*") == 0);
}

/* A value that may stand anywhere in shell text: no quote, no space. */
static int
plain_token(const char *s, int slash)
{
	if (s == NULL || *s == '\0' || strlen(s) > 100)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("+-._", *s) == NULL &&
		    !(slash && *s == '/'))
			return 0;
	return 1;
}

/*
 * The command as a runcmd_script() template: mailcap's escapes resolved,
 * %t and %{charset} put in, a plain '%' written pct ("%%" for a template
 * that runcmd_script() reads, "%" for a script as it is).
 */
static enum err
template(const char *cmd, const char *type, const char *charset,
    const char *pct, struct buf *t, int *file)
{
	const char *p, *val;
	int r = 0;

	*file = 0;
	for (p = cmd; *p != '\0' && r == 0; p++) {
		if (p[0] == '\\' && p[1] != '\0') {
			p++;
			r = *p == '%' ? buf_addstr(t, pct) : buf_addch(t, *p);
			continue;
		}
		if (*p != '%') {
			r = buf_addch(t, *p);
			continue;
		}
		p++;
		val = NULL;
		if (*p == 's') {
			*file = 1;
			val = "%s";
		} else if (*p == '%') {
			val = pct;
		} else if (*p == 't' && plain_token(type, 1)) {
			val = type;
		} else if (strncasecmp(p, "{charset}", 9) == 0 &&
		    plain_token(charset, 0)) {
			val = charset;
			p += 8;
		}
		if (val == NULL)
			return ERR_DATA;
		r = buf_addstr(t, val);
	}
	return r == 0 ? ERR_OK : ERR_NOMEM;
}

enum err
mailcap_script(const char *cmd, const char *type, const char *charset,
    char **script, int *file)
{
	struct buf t;
	enum err e;

	*script = NULL;
	buf_init(&t, 64 * 1024);
	e = template(cmd, type, charset, "%%", &t, file);
	if (e == ERR_OK && *file)
		*script = runcmd_script(buf_str(&t));
	else if (e == ERR_OK) {
		/* Nothing to refer to: the command is the script as it is. */
		buf_reset(&t);
		e = template(cmd, type, charset, "%", &t, file);
		if (e == ERR_OK)
			*script = strdup(buf_str(&t));
	}
	buf_free(&t);
	if (e == ERR_OK && *script == NULL)
		e = ERR_NOMEM;
	return e;
}

char *
mailcap_path(void)
{
	const char *env = getenv("MAILCAPS"), *home = util_home_dir(), *p, *c;
	struct buf b;

	if (env == NULL || *env == '\0')
		env = "~/.mailcap:/etc/mailcap:/usr/etc/mailcap:"
		    "/usr/local/etc/mailcap";
	buf_init(&b, 64 * 1024);
	for (p = env; ; p = c + 1) {
		c = strchr(p, ':');
		if (p != env && buf_addch(&b, ':') < 0)
			goto fail;
		if (p[0] == '~' && p[1] == '/' && home != NULL) {
			if (buf_addstr(&b, home) < 0)
				goto fail;
			p++;
		}
		if (buf_add(&b, p, c != NULL ? (size_t)(c - p) : strlen(p)) < 0)
			goto fail;
		if (c == NULL)
			break;
	}
	if (buf_addch(&b, '\0') < 0)    /* b.data may still be NULL */
		goto fail;
	return b.data;
fail:
	buf_free(&b);
	return NULL;
}

/* The command's name: the first word's last path element. */
static char *
command_name(const char *view)
{
	const char *s, *e, *p;

	for (s = view; *s == ' ' || *s == '\t'; s++)
		;
	for (e = s; *e != '\0' && *e != ' ' && *e != '\t'; e++)
		;
	for (p = s; p < e; p++)
		if (*p == '/')
			s = p + 1;
	for (p = s; p < e; p++)
		if (!isalnum((unsigned char)*p) && strchr("+-._", *p) == NULL)
			return strdup("mailcap");
	return s < e ? strndup(s, (size_t)(e - s)) : strdup("mailcap");
}

/* A private file holding the data; its path in path (malloc'd). */
static enum err
temp_file(const struct mailcap_entry *me, const char *data, size_t n,
    int *fd, char **path, char **errstr)
{
	const char *dir = getenv("TMPDIR"), *suffix = "";
	size_t off;
	ssize_t w;

	if (dir == NULL || dir[0] != '/')
		dir = "/tmp";
	/* nametemplate=%s.html: some renderers go by the ending. */
	if (me->nametemplate != NULL &&
	    strncmp(me->nametemplate, "%s", 2) == 0 &&
	    me->nametemplate[2] == '.' && strlen(me->nametemplate) < 20 &&
	    plain_token(me->nametemplate + 2, 0))
		suffix = me->nametemplate + 2;
	if ((*path = util_strf("%s/pigeon-XXXXXX%s", dir, suffix)) == NULL)
		return ERR_NOMEM;
	if ((*fd = mkstemps(*path, (int)strlen(suffix))) < 0) {
		util_seterr(errstr, _("cannot create a temporary file in %s: "
		    "%s"), dir, strerror(errno));
		free(*path);
		*path = NULL;
		return ERR_IO;
	}
	for (off = 0; off < n; off += (size_t)w)
		if ((w = write(*fd, data + off, n - off)) < 0 && errno != EINTR) {
			util_seterr(errstr, _("cannot write %s: %s"), *path,
			    strerror(errno));
			(void)close(*fd);
			(void)unlink(*path);
			free(*path);
			*path = NULL;
			return ERR_IO;
		} else if (w < 0) {
			w = 0;
		}
	return ERR_OK;
}

/* The arguments of mailcap_render() that try_entry() passes on. */
struct part {
	const char *type, *charset, *data;
	size_t n;
};

/*
 * Run the entry's test, then its view command, on the part in a
 * temporary file.  ERR_NOINPUT: the entry is not usable after all.
 */
static enum err
try_entry(const struct runcmd_limits *rn, const struct mailcap_entry *me,
    const struct part *pt, struct buf *out, char **errstr)
{
	char *view = NULL, *test = NULL, *path = NULL;
	int file_view, file_test = 0, fd = -1, status;
	enum err e;

	e = mailcap_script(me->view, pt->type, pt->charset, &view, &file_view);
	if (e == ERR_OK && me->test != NULL)
		e = mailcap_script(me->test, pt->type, pt->charset, &test,
		    &file_test);
	if (e != ERR_OK) {
		/* An entry that cannot be substituted safely is passed over. */
		free(view);
		free(test);
		return e == ERR_DATA ? ERR_NOINPUT : e;
	}
	if ((e = temp_file(me, pt->data, pt->n, &fd, &path, errstr)) != ERR_OK)
		goto done;
	if (test != NULL) {
		e = runcmd_capture(rn, test, file_test ? path : NULL, RUNCMD_DEVNULL, NULL,
		    &status, errstr);
		/* A test that fails, hangs or cannot run: not this entry. */
		if (e != ERR_NOMEM && (e != ERR_OK || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0))
			e = ERR_NOINPUT;
		if (e != ERR_OK)
			goto done;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		util_seterr(errstr, "%s: %s", path, strerror(errno));
		e = ERR_IO;
		goto done;
	}
	e = runcmd_capture(rn, view, file_view ? path : NULL,
	    file_view ? RUNCMD_DEVNULL : fd, out, &status, errstr);
	if (e == ERR_OK && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		util_seterr(errstr, _("%s failed (%s %d)"), rn->name,
		    WIFEXITED(status) ? _("exit status") : _("signal"),
		    WIFEXITED(status) ? WEXITSTATUS(status) :
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		e = ERR_CONFIG;
	}
done:
	if (fd >= 0)
		(void)close(fd);
	if (path != NULL)
		(void)unlink(path);
	free(path);
	free(view);
	free(test);
	return e;
}

/* The first usable entry of the mailcap text[0..len) for the part. */
static enum err
search(struct runcmd_limits *rn, const char *text, size_t len, const struct part *pt,
    struct buf *out, char **which, char **errstr)
{
	struct mailcap_entry me;
	size_t pos = 0;
	enum err e = ERR_NOINPUT;
	int r;

	while (e == ERR_NOINPUT && (r = mailcap_parse(text, len, &pos, &me)) != 0) {
		if (r < 0)
			return ERR_NOMEM;
		if (mailcap_type_match(me.type, pt->type) && me.copiousoutput &&
		    !me.needsterminal && *me.view != '\0') {
			if ((*which = command_name(me.view)) == NULL)
				e = ERR_NOMEM;
			else {
				rn->name = *which;
				e = try_entry(rn, &me, pt, out, errstr);
			}
			if (e == ERR_NOINPUT) {
				free(*which);
				*which = NULL;
			}
		}
		mailcap_entry_free(&me);
	}
	return e;
}

enum err
mailcap_render_limited(const char *type, const char *charset,
    const char *data, size_t n, int timeout_ms, size_t max_output,
    struct buf *out, char **which, char **errstr)
{
	struct part pt = { type, charset != NULL ? charset : "utf-8", data, n };
	struct runcmd_limits rn = { timeout_ms, max_output, NULL };
	struct buf text;
	size_t start = out->len;
	char *path, *p, *c;
	enum err e = ERR_NOINPUT;

	*which = NULL;
	if ((path = mailcap_path()) == NULL)
		return ERR_NOMEM;
	buf_init(&text, MAILCAP_FILE_MAX);
	for (p = path; e == ERR_NOINPUT && p != NULL; p = c) {
		if ((c = strchr(p, ':')) != NULL)
			*c++ = '\0';
		buf_reset(&text);
		/* A file that is missing or unreadable holds no entry. */
		if (*p == '\0' || buf_read_file(&text, p) < 0)
			continue;
		e = search(&rn, buf_str(&text), text.len, &pt, out, which,
		    errstr);
	}
	buf_free(&text);
	free(path);
	if (e == ERR_NOINPUT)
		util_seterr(errstr, _("no mailcap entry shows %s as text"),
		    type);
	if (e != ERR_OK)
		buf_truncate(out, start);
	return e;
}

enum err
mailcap_render(const char *type, const char *charset, const char *data,
    size_t n, struct buf *out, char **which, char **errstr)
{
	return mailcap_render_limited(type, charset, data, n,
	    MAILCAP_TIMEOUT_MS, MAILCAP_OUTPUT_MAX, out, which, errstr);
}
