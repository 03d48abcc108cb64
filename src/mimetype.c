/* mimetype.c - attachment content types: by file name from mime.types, else by content (libmagic, or a text/binary guess). */
/* SPDX-License-Identifier: ISC */
#include "config.h"
#include "mimetype.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "charset.h"
#include "i18n.h"
#include "magicmod.h"
#include "module.h"
#include "util.h"

#define MIMETYPE_DEFAULT_PATH "/etc/mime.types"
/* media-types' file is about 80 KB; anything this big is not one. */
#define MIMETYPE_FILE_MAX (16 * 1024 * 1024)

struct entry {
	const char *ext;	/* NUL-terminated inside text */
	const char *type;
};

struct mimetypes {
	char *text;		/* the file; its fields are cut out in place */
	struct entry *v;	/* sorted by ext, each ext once */
	size_t n;
	size_t cap;
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* strcmp() without regard to ASCII case, the same in every locale. */
static int
ascii_casecmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x != '\0' && lower(*x) == lower(*y)) {
		x++;
		y++;
	}
	return lower(*x) - lower(*y);
}

/*
 * Sort by extension; entries with the same extension keep the order of
 * the file (their ext pointers all point into the one text array), so
 * that the first of them is the one that stays.
 */
static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = ascii_casecmp(x->ext, y->ext);

	if (c != 0)
		return c;
	return x->ext < y->ext ? -1 : x->ext > y->ext;
}

static int
key_cmp(const void *key, const void *e)
{
	return ascii_casecmp(key, ((const struct entry *)e)->ext);
}

void
mimetype_free(struct mimetypes *m)
{
	if (m == NULL)
		return;
	free(m->v);
	free(m->text);
	free(m);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* An extension we can ever match: printable ASCII without '.' and '/'. */
static int
ext_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~' || *s == '.' || *s == '/')
			return 0;
	return 1;
}

static int
add_entry(struct mimetypes *m, const char *ext, const char *type)
{
	struct entry *v;
	size_t cap;

	if (m->n == m->cap) {
		cap = m->cap != 0 ? m->cap * 2 : 256;
		if (cap > SIZE_MAX / sizeof *v)
			return -1;
		v = realloc(m->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n].ext = ext;
	m->v[m->n].type = type;
	m->n++;
	return 0;
}

/*
 * Cut the line s[0..len) into NUL-terminated fields in place (s[len] is
 * a byte we may overwrite: the LF or the buffer's NUL) and add its
 * extensions.  0, or -1 when out of memory.
 */
static int
parse_line(struct mimetypes *m, char *s, size_t len)
{
	const char *type = NULL;
	char *hash, *end, *f;

	if (memchr(s, '\0', len) != NULL)
		return 0;
	hash = memchr(s, '#', len);
	end = hash != NULL ? hash : s + len;
	while (s < end) {
		while (s < end && is_blank(*s))
			s++;
		if (s == end)
			break;
		f = s;
		while (s < end && !is_blank(*s))
			s++;
		/* Either a blank, the '#', the LF or the final NUL. */
		if (s < end)
			*s++ = '\0';
		else
			*s = '\0';
		if (type == NULL) {
			if (!mimetype_valid(f))
				return 0;
			type = f;
		} else if (ext_ok(f) && add_entry(m, f, type) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Read path into file; ERR_OK (file empty when path is missing) or an error. */
static enum err
load_text(struct buf *file, const char *path, char **errstr)
{
	struct stat st;
	enum err e = ERR_OK;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return ERR_OK;
		util_seterr(errstr, _("cannot open '%s': %s"), path,
		    strerror(errno));
		return ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		util_seterr(errstr, _("cannot read '%s': %s"), path,
		    strerror(errno));
		e = ERR_IO;
	} else if (S_ISDIR(st.st_mode)) {
		util_seterr(errstr, _("'%s' is a directory"), path);
		e = ERR_IO;
	} else if (buf_read_fd(file, fd) < 0) {
		saved = errno;
		if (saved == ENOMEM) {
			e = ERR_NOMEM;
		} else if (saved == E2BIG) {
			util_seterr(errstr, _("'%s' is larger than %d bytes"),
			    path, MIMETYPE_FILE_MAX);
			e = ERR_IO;
		} else {
			util_seterr(errstr, _("cannot read '%s': %s"), path,
			    strerror(saved));
			e = ERR_IO;
		}
	}
	(void)close(fd);
	return e;
}

enum err
mimetype_load(struct mimetypes **out, const char *path, char **errstr)
{
	struct mimetypes *m;
	struct buf file;
	char *s, *nl, *end;
	size_t i, k;
	enum err e;

	*out = NULL;
	if (path == NULL)
		path = MIMETYPE_DEFAULT_PATH;
	m = calloc(1, sizeof *m);
	if (m == NULL)
		return ERR_NOMEM;
	buf_init(&file, MIMETYPE_FILE_MAX);
	e = load_text(&file, path, errstr);
	if (e != ERR_OK) {
		buf_free(&file);
		free(m);
		return e;
	}
	/*
	 * The buffer's memory becomes the table's string pool, without the
	 * room reads left at its end (fields point into it, so before
	 * parsing).
	 */
	m->text = file.data;
	if (m->text != NULL) {
		s = realloc(m->text, file.len + 1);
		if (s != NULL)
			m->text = s;
		end = m->text + file.len;
		for (s = m->text; s < end; s = nl + 1) {
			nl = memchr(s, '\n', (size_t)(end - s));
			if (nl == NULL)
				nl = end;
			if (parse_line(m, s, (size_t)(nl - s)) < 0) {
				mimetype_free(m);
				return ERR_NOMEM;
			}
		}
	}
	if (m->n > 0) {
		qsort(m->v, m->n, sizeof *m->v, entry_cmp);
		for (i = 1, k = 1; i < m->n; i++)
			if (ascii_casecmp(m->v[i].ext, m->v[k - 1].ext) != 0)
				m->v[k++] = m->v[i];
		m->n = k;
	}
	*out = m;
	return ERR_OK;
}

const char *
mimetype_lookup(const struct mimetypes *m, const char *filename)
{
	const struct entry *e;
	const char *base, *dot;

	if (m == NULL || m->n == 0)
		return NULL;
	base = strrchr(filename, '/');
	base = base != NULL ? base + 1 : filename;
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base || dot[1] == '\0')
		return NULL;
	e = bsearch(dot + 1, m->v, m->n, sizeof *m->v, key_cmp);
	return e != NULL ? e->type : NULL;
}

/*
 * Is p[0..n) (1 to 3 bytes) the start of a well-formed UTF-8 sequence
 * that is missing its last bytes?  A valid lead byte alone always is;
 * with its second byte there, padding with 0x80 completes the sequence
 * if anything does.
 */
static int
cut_sequence(const char *p, size_t n)
{
	unsigned char c = (unsigned char)p[0];
	char full[4];
	size_t len, i;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n >= len)
		return 0;
	if (n == 1)
		return 1;
	memcpy(full, p, n);
	for (i = n; i < len; i++)
		full[i] = (char)0x80;
	return charset_utf8_valid(full, len, NULL);
}

const char *
mimetype_sniff(const char *p, size_t n, int whole)
{
	static const char text[] = "text/plain";
	static const char binary[] = "application/octet-stream";
	size_t bad;

	if (n == 0)
		return text;
	if (memchr(p, '\0', n) != NULL)
		return binary;
	if (charset_utf8_valid(p, n, &bad))
		return text;
	if (!whole && n - bad < 4 && cut_sequence(p + bad, n - bad))
		return text;
	return binary;
}

int
mimetype_have_magic(void)
{
#ifdef HAVE_LIBMAGIC
	return 1;
#else
	return 0;
#endif
}

#ifdef HAVE_LIBMAGIC
/*
 * libmagic's answer for p[0..n), malloc'd, or NULL when it has none we
 * take (see mimetype_content()), or when the magic module cannot be
 * loaded: then the guess below decides, as in a build without libmagic.
 */
static char *
magic_type(const char *p, size_t n, int *nomem)
{
	const struct magicmod *m;
	char *t;

	*nomem = 0;
	if (n == 0 ||
	    (m = module_get("magic", MAGICMOD_ABI, NULL)) == NULL ||
	    (t = m->type(p, n, nomem)) == NULL)
		return NULL;
	if (mimetype_valid(t) && strncasecmp(t, "text/", 5) != 0 &&
	    strncasecmp(t, "message/", 8) != 0 &&
	    strncasecmp(t, "multipart/", 10) != 0 &&
	    strncasecmp(t, "inode/", 6) != 0 &&
	    strcasecmp(t, "application/octet-stream") != 0 &&
	    strcasecmp(t, "application/x-empty") != 0)
		return t;
	free(t);
	return NULL;
}
#endif

enum err
mimetype_content(const char *p, size_t n, int whole, char **out)
{
#ifdef HAVE_LIBMAGIC
	int nomem;

	if ((*out = magic_type(p, n, &nomem)) != NULL)
		return ERR_OK;
	if (nomem)
		return ERR_NOMEM;
#endif
	*out = strdup(mimetype_sniff(p, n, whole));
	return *out != NULL ? ERR_OK : ERR_NOMEM;
}

/* Is c allowed in an RFC 2045 token? */
static int
token_char(char c)
{
	return c > ' ' && c <= '~' && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

int
mimetype_valid(const char *s)
{
	const char *t;

	for (t = s; token_char(*t); t++)
		;
	if (t == s || *t != '/')
		return 0;
	for (s = ++t; token_char(*t); t++)
		;
	return t != s && *t == '\0';
}
