/* confedit.c - change the config file as a person would: one account's lines, everything else kept. */
/* SPDX-License-Identifier: ISC */
#include "confedit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

#define CONF_MAX (4 * 1024 * 1024)

/* The file as lines, each without its line end. */
struct lines {
	char **v;
	size_t n;
};

static void
lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
lines_insert(struct lines *l, size_t at, char *s)
{
	char **v;

	if (s == NULL || (v = realloc(l->v, (l->n + 1) * sizeof(*v))) ==
	    NULL) {
		free(s);
		return -1;
	}
	l->v = v;
	memmove(v + at + 1, v + at, (l->n - at) * sizeof(*v));
	v[at] = s;
	l->n++;
	return 0;
}

static void
lines_delete(struct lines *l, size_t at)
{
	free(l->v[at]);
	memmove(l->v + at, l->v + at + 1, (l->n - at - 1) * sizeof(*l->v));
	l->n--;
}

static enum err
read_lines(const char *path, struct lines *l, char **errstr)
{
	struct buf b;
	const char *p, *end, *eol;
	size_t len;

	memset(l, 0, sizeof(*l));
	buf_init(&b, CONF_MAX);
	if (buf_read_file(&b, path) < 0) {
		int err = errno;

		buf_free(&b);
		if (err == ENOENT)
			return ERR_OK;
		util_seterr(errstr, _("cannot read %s: %s"), path,
		    strerror(err));
		return ERR_IO;
	}
	for (p = buf_str(&b), end = p + b.len; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		len = (size_t)(eol - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (lines_insert(l, l->n, strndup(p, len)) < 0) {
			buf_free(&b);
			lines_free(l);
			return ERR_NOMEM;
		}
	}
	buf_free(&b);
	return ERR_OK;
}

static enum err
write_lines(const char *path, const struct lines *l, char **errstr)
{
	char *tmp = util_strf("%s.tmp%ld", path, (long)getpid());
	size_t i, len;
	int fd, ok = 1;

	if (tmp == NULL)
		return ERR_NOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		ok = 0;
	for (i = 0; ok && i < l->n; i++) {
		len = strlen(l->v[i]);
		if (write(fd, l->v[i], len) != (ssize_t)len ||
		    write(fd, "\n", 1) != 1)
			ok = 0;
	}
	if (fd >= 0) {
		if (ok && (fchmod(fd, 0600) < 0 || fsync(fd) < 0))
			ok = 0;
		if (close(fd) < 0)
			ok = 0;
	}
	if (ok && rename(tmp, path) < 0)
		ok = 0;
	if (!ok) {
		util_seterr(errstr, _("cannot write %s: %s"), path,
		    strerror(errno));
		(void)unlink(tmp);
		free(tmp);
		return ERR_IO;
	}
	free(tmp);
	return ERR_OK;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *
skip_blanks(const char *s)
{
	while (blank(*s))
		s++;
	return s;
}

/* Is line the header of [account name]? */
static int
is_section(const char *line, const char *name)
{
	const char *p = skip_blanks(line), *end;
	size_t nl = strlen(name);

	if (*p != '[' || strncasecmp(p + 1, "account", 7) != 0 ||
	    !blank(p[8]))
		return 0;
	p = skip_blanks(p + 9);
	if ((end = strchr(p, ']')) == NULL)
		return 0;
	while (end > p && blank(end[-1]))
		end--;
	return (size_t)(end - p) == nl && strncmp(p, name, nl) == 0;
}

static int
is_any_section(const char *line)
{
	return *skip_blanks(line) == '[';
}

/* Does line set key (any case)? */
static int
sets_key(const char *line, const char *key)
{
	const char *p = skip_blanks(line);
	size_t kl = strlen(key);

	if (strncasecmp(p, key, kl) != 0)
		return 0;
	p = skip_blanks(p + kl);
	return *p == '=';
}

static int
is_setting(const char *line)
{
	const char *p = skip_blanks(line);

	return *p != '\0' && *p != '#' && *p != ';' && *p != '[' &&
	    strchr(p, '=') != NULL;
}

/* Can s be written on one line? */
static int
writable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return 0;
		else if ((unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

/* "key = value", quoted when blanks at either end or a leading quote ask for it. */
static char *
setting(const char *key, const char *value)
{
	size_t n = strlen(value);
	struct buf b;

	if (n == 0 || (!blank(value[0]) && !blank(value[n - 1]) &&
	    value[0] != '"'))
		return util_strf("%s = %s", key, value);
	buf_init(&b, 8192);
	if (buf_printf(&b, "%s = \"", key) < 0) {
		buf_free(&b);
		return NULL;
	}
	for (; *value != '\0'; value++)
		if (((*value == '"' || *value == '\\') &&
		    buf_addch(&b, '\\') < 0) || buf_addch(&b, *value) < 0) {
			buf_free(&b);
			return NULL;
		}
	if (buf_addch(&b, '"') < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* The section of name: [*start, *end) (start: the header line); 0 or -1 if none. */
static int
find_section(const struct lines *l, const char *name, size_t *start,
    size_t *end)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (is_section(l->v[i], name))
			break;
	if (i == l->n)
		return -1;
	*start = i;
	for (i++; i < l->n && !is_any_section(l->v[i]); i++)
		;
	*end = i;
	return 0;
}

enum err
confedit_set(const char *path, const char *name, const char *const *keys,
    const char *const *values, size_t n, char **errstr)
{
	struct lines l;
	size_t start, end, i, j, last;
	enum err e;
	int found;

	if (!writable(name) || strchr(name, ']') != NULL ||
	    *skip_blanks(name) == '\0') {
		util_seterr(errstr, _("'%s' cannot be an account name"), name);
		return ERR_DATA;
	}
	for (i = 0; i < n; i++)
		if (values[i] != NULL && !writable(values[i])) {
			util_seterr(errstr, _("the value of %s cannot hold a "
			    "line break or control character"), keys[i]);
			return ERR_DATA;
		}
	if ((e = read_lines(path, &l, errstr)) != ERR_OK)
		return e;
	if (find_section(&l, name, &start, &end) < 0) {
		if (l.n > 0 && *skip_blanks(l.v[l.n - 1]) != '\0' &&
		    lines_insert(&l, l.n, strdup("")) < 0)
			goto nomem;
		if (lines_insert(&l, l.n, util_strf("[account %s]", name)) < 0)
			goto nomem;
		start = l.n - 1;
		end = l.n;
	}
	for (i = 0; i < n; i++) {
		found = 0;
		for (j = start + 1; j < end; j++) {
			if (!sets_key(l.v[j], keys[i]))
				continue;
			if (values[i] == NULL || found) {
				/* Removed, or a second setting of it. */
				lines_delete(&l, j);
				end--;
				j--;
				continue;
			}
			free(l.v[j]);
			if ((l.v[j] = setting(keys[i], values[i])) == NULL) {
				l.v[j] = strdup("");
				goto nomem;
			}
			found = 1;
		}
		if (found || values[i] == NULL)
			continue;
		/* After the last setting of the section (or its header). */
		for (last = start, j = start + 1; j < end; j++)
			if (is_setting(l.v[j]))
				last = j;
		if (lines_insert(&l, last + 1, setting(keys[i], values[i])) < 0)
			goto nomem;
		end++;
	}
	e = write_lines(path, &l, errstr);
	lines_free(&l);
	return e;
nomem:
	lines_free(&l);
	return ERR_NOMEM;
}

enum err
confedit_remove(const char *path, const char *name, char **errstr)
{
	struct lines l;
	size_t start, end;
	enum err e;

	if ((e = read_lines(path, &l, errstr)) != ERR_OK)
		return e;
	if (find_section(&l, name, &start, &end) < 0) {
		lines_free(&l);
		util_seterr(errstr, _("no account named '%s' in %s"), name,
		    path);
		return ERR_NOINPUT;
	}
	/* The blank line before it goes too. */
	if (start > 0 && *skip_blanks(l.v[start - 1]) == '\0')
		start--;
	while (end > start) {
		lines_delete(&l, start);
		end--;
	}
	/* A default naming it names nothing now. */
	for (end = 0; end < l.n && !is_any_section(l.v[end]); end++)
		if (sets_key(l.v[end], "default")) {
			const char *v = skip_blanks(strchr(l.v[end], '=') + 1);

			if (strcmp(v, name) == 0) {
				lines_delete(&l, end);
				end--;
			}
		}
	e = write_lines(path, &l, errstr);
	lines_free(&l);
	return e;
}

enum err
confedit_default(const char *path, const char *name, char **errstr)
{
	struct lines l;
	size_t i;
	enum err e;

	if (!writable(name)) {
		util_seterr(errstr, _("'%s' cannot be an account name"), name);
		return ERR_DATA;
	}
	if ((e = read_lines(path, &l, errstr)) != ERR_OK)
		return e;
	for (i = 0; i < l.n && !is_any_section(l.v[i]); i++)
		if (sets_key(l.v[i], "default")) {
			free(l.v[i]);
			if ((l.v[i] = setting("default", name)) == NULL) {
				l.v[i] = strdup("");
				lines_free(&l);
				return ERR_NOMEM;
			}
			break;
		}
	if ((i == l.n || is_any_section(l.v[i])) &&
	    (lines_insert(&l, i, setting("default", name)) < 0 ||
	    (i + 1 < l.n && lines_insert(&l, i + 1, strdup("")) < 0))) {
		lines_free(&l);
		return ERR_NOMEM;
	}
	e = write_lines(path, &l, errstr);
	lines_free(&l);
	return e;
}
