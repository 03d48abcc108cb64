/* netrc.c - look a login and password up in ~/.netrc. */
/* SPDX-License-Identifier: ISC */

/*
 * The format is the one ftp(1) and curl read.  Tokens are separated by
 * any white space, line breaks included; a token may be double-quoted,
 * and inside the quotes a backslash takes the next character literally,
 * so passwords can hold blanks and quotes.  Keywords:
 *
 *   machine NAME   starts an entry for host NAME (compared ignoring case)
 *   default        starts the entry used when no machine entry matches
 *   login NAME     the entry's user name
 *   password WORD  the entry's password
 *   account WORD   read and ignored
 *   macdef NAME    a macro: the rest of the file up to the next line that
 *                  is empty or all blanks is skipped
 *
 * Where a keyword is expected, a token starting with '#' begins a comment
 * that runs to the end of the line (as Python's netrc module reads it); a
 * '#' in a value position is part of the value.  Unknown keywords are
 * skipped, as ftp does.
 *
 * The first machine entry for the host wins, and when a user was asked
 * for, only an entry with that login or with no login at all.  An entry
 * without a password is passed over.  "default" counts only when no
 * machine entry matched.  Like ftp and curl, a file that holds any
 * password is refused when group or others may read it.
 */

#include "netrc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

/* A netrc file is a few lines; this only stops reading a huge mistake. */
#define NETRC_MAX (1024 * 1024)

struct lexer {
	const char *p;
	const char *end;
	unsigned long line;
	unsigned long tok_line;	/* where the current token starts */
	struct buf tok;		/* the current token, unquoted */
};

struct entry {
	int open;		/* inside a machine or default entry */
	int is_default;
	int host_match;
	char *login;
	char *password;
};

struct search {
	const char *host;
	const char *user;
	struct entry cur;
	struct entry found;	/* the machine entry that matched */
	struct entry fallback;	/* the first default entry that fits */
	int has_password;	/* any password in the file */
};

static void
entry_clear(struct entry *e)
{
	util_free_secret(e->login);
	util_free_secret(e->password);
	memset(e, 0, sizeof *e);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/*
 * Read the next token into lx->tok.  1: a token; 0: end of file;
 * -1: a quoted token without its closing quote; -2: out of memory.
 */
static int
next_token(struct lexer *lx, int keyword)
{
	buf_reset(&lx->tok);
	for (;;) {
		while (lx->p < lx->end && is_space(*lx->p)) {
			if (*lx->p == '\n')
				lx->line++;
			lx->p++;
		}
		if (lx->p == lx->end)
			return 0;
		if (!keyword || *lx->p != '#')
			break;
		/* A comment: skip to the end of its line. */
		while (lx->p < lx->end && *lx->p != '\n')
			lx->p++;
	}
	lx->tok_line = lx->line;
	if (*lx->p != '"') {
		for (; lx->p < lx->end && !is_space(*lx->p); lx->p++)
			if (buf_addch(&lx->tok, *lx->p) < 0)
				return -2;
		return 1;
	}
	for (lx->p++; lx->p < lx->end && *lx->p != '"'; lx->p++) {
		if (*lx->p == '\\' && lx->p + 1 < lx->end)
			lx->p++;
		if (*lx->p == '\n')
			lx->line++;
		if (buf_addch(&lx->tok, *lx->p) < 0)
			return -2;
	}
	if (lx->p == lx->end)
		return -1;
	lx->p++;
	return 1;
}

/* Skip a macro body: everything up to and including a blank line. */
static void
skip_macdef(struct lexer *lx)
{
	const char *q;
	int blank;

	/* The rest of the "macdef NAME" line is not part of the body. */
	while (lx->p < lx->end && *lx->p != '\n')
		lx->p++;
	while (lx->p < lx->end) {
		lx->p++;	/* the '\n' */
		lx->line++;
		q = lx->p;
		while (q < lx->end && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		blank = q == lx->end || *q == '\n';
		lx->p = q;
		while (lx->p < lx->end && *lx->p != '\n')
			lx->p++;
		if (blank)
			return;
	}
}

/* The current entry is complete: keep it if it is the one we want. */
static void
end_entry(struct search *s)
{
	struct entry *e = &s->cur;

	if (e->open && e->password != NULL && (s->user == NULL ||
	    e->login == NULL || strcmp(e->login, s->user) == 0)) {
		if (!e->is_default && e->host_match && !s->found.open) {
			s->found = *e;
			memset(e, 0, sizeof *e);
		} else if (e->is_default && !s->fallback.open) {
			s->fallback = *e;
			memset(e, 0, sizeof *e);
		}
	}
	entry_clear(e);
}

/* Store a copy of the token in *dst, wiping what was there. */
static int
take(char **dst, const struct buf *tok)
{
	char *copy;

	copy = strdup(buf_str(tok));
	if (copy == NULL)
		return -1;
	util_free_secret(*dst);
	*dst = copy;
	return 0;
}

/* 0, -1 for an unterminated quote (lx->line says where), -2 no memory. */
static int
parse(struct lexer *lx, struct search *s)
{
	const char *kw;
	int r;

	while ((r = next_token(lx, 1)) > 0) {
		kw = buf_str(&lx->tok);
		if (strcmp(kw, "machine") == 0 || strcmp(kw, "default") == 0) {
			end_entry(s);
			if (s->found.open)
				return 0;
			s->cur.open = 1;
			if (strcmp(kw, "default") == 0) {
				s->cur.is_default = 1;
				continue;
			}
			if ((r = next_token(lx, 0)) <= 0)
				break;
			s->cur.host_match = s->host != NULL &&
			    strcasecmp(buf_str(&lx->tok), s->host) == 0;
		} else if (strcmp(kw, "login") == 0) {
			if ((r = next_token(lx, 0)) <= 0)
				break;
			if (s->cur.open && take(&s->cur.login, &lx->tok) < 0)
				return -2;
		} else if (strcmp(kw, "password") == 0) {
			if ((r = next_token(lx, 0)) <= 0)
				break;
			s->has_password = 1;
			if (s->cur.open && take(&s->cur.password, &lx->tok) < 0)
				return -2;
		} else if (strcmp(kw, "account") == 0) {
			if ((r = next_token(lx, 0)) <= 0)
				break;
		} else if (strcmp(kw, "macdef") == 0) {
			if ((r = next_token(lx, 0)) <= 0)
				break;
			skip_macdef(lx);
		}
	}
	if (r < 0)
		return r;
	end_entry(s);
	return 0;
}

enum err
netrc_lookup(const char *path, const char *host, const char *user,
    char **login, char **password, char **errstr)
{
	struct search s;
	struct lexer lx;
	struct stat st;
	struct buf file;
	char *def_path = NULL;
	const char *env, *home;
	enum err e = ERR_OK;
	int fd, r;

	*login = NULL;
	*password = NULL;
	if (path == NULL) {
		env = getenv("NETRC");
		if (env != NULL && *env != '\0')
			path = env;
		else if ((home = util_home_dir()) != NULL) {
			def_path = util_strf("%s/.netrc", home);
			if (def_path == NULL)
				return ERR_NOMEM;
			path = def_path;
		} else {
			return ERR_OK;
		}
	}

	/* O_NONBLOCK: a FIFO put there must not hang the lookup. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			util_seterr(errstr, _("cannot open netrc file '%s': "
			    "%s"), path, strerror(errno));
			e = ERR_CONFIG;
		}
		free(def_path);
		return e;
	}
	buf_init(&file, NETRC_MAX);
	if (fstat(fd, &st) != 0) {
		util_seterr(errstr, _("cannot read netrc file '%s': %s"), path,
		    strerror(errno));
		e = ERR_CONFIG;
	} else if (S_ISDIR(st.st_mode)) {
		util_seterr(errstr, _("netrc file '%s' is a directory"), path);
		e = ERR_CONFIG;
	} else if (!S_ISREG(st.st_mode)) {
		util_seterr(errstr, _("netrc file '%s' is not a regular file"),
		    path);
		e = ERR_CONFIG;
	} else if (buf_read_fd(&file, fd) < 0) {
		int saved = errno;

		if (saved == E2BIG)
			util_seterr(errstr, _("netrc file '%s' is larger than "
			    "%d bytes"), path, NETRC_MAX);
		else
			util_seterr(errstr, _("cannot read netrc file '%s': "
			    "%s"), path, strerror(saved));
		e = saved == ENOMEM ? ERR_NOMEM : ERR_CONFIG;
	} else if (memchr(buf_str(&file), '\0', file.len) != NULL) {
		util_seterr(errstr, _("netrc file '%s' contains a NUL byte"),
		    path);
		e = ERR_CONFIG;
	}
	(void)close(fd);
	if (e != ERR_OK) {
		buf_free_secret(&file);
		free(def_path);
		return e;
	}

	memset(&s, 0, sizeof s);
	s.host = host;
	s.user = user;
	lx.p = buf_str(&file);
	lx.end = lx.p + file.len;
	lx.line = 1;
	lx.tok_line = 1;
	buf_init(&lx.tok, NETRC_MAX);
	r = parse(&lx, &s);
	if (r == -1) {
		util_seterr(errstr, _("netrc file '%s', line %lu: a quoted "
		    "token has no closing quote"), path, lx.tok_line);
		e = ERR_CONFIG;
	} else if (r == -2) {
		e = ERR_NOMEM;
	} else if (s.has_password && (st.st_mode & 077) != 0) {
		util_seterr(errstr, _("netrc file '%s' holds passwords and can "
		    "be read or changed by others; run: chmod 600 %s"), path, path);
		e = ERR_CONFIG;
	} else if (s.found.open || s.fallback.open) {
		struct entry *hit = s.found.open ? &s.found : &s.fallback;

		*login = hit->login;
		*password = hit->password;
		hit->login = NULL;
		hit->password = NULL;
	}
	entry_clear(&s.cur);
	entry_clear(&s.found);
	entry_clear(&s.fallback);
	buf_free_secret(&lx.tok);
	buf_free_secret(&file);
	free(def_path);
	return e;
}
