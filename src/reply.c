/* reply.c - a reply to or a forward of a stored message, made as a draft: recipients, subject, thread, quoted text, signature, template. */
/* SPDX-License-Identifier: ISC */
#include "reply_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "charset.h"
#include "flowed.h"
#include "html.h"
#include "i18n.h"
#include "mimewalk.h"
#include "msg.h"
#include "rfc822.h"
#include "util.h"

static struct reply_orig *
orig_new(void)
{
	struct reply_orig *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	buf_init(&o->text, REPLY_TEXT_MAX);
	buf_init(&o->html, REPLY_TEXT_MAX);
	buf_init(&o->raw, REPLY_TEXT_MAX);
	o->copy_fd = -1;
	o->att_fd = -1;
	return o;
}

void
reply_orig_free(struct reply_orig *o)
{
	if (o == NULL)
		return;
	free(o->from);
	free(o->reply_to);
	free(o->to);
	free(o->cc);
	free(o->mft);
	free(o->delivered_to);
	free(o->subject);
	free(o->date);
	free(o->msgid);
	free(o->refs);
	free(o->irt);
	buf_free(&o->text);
	buf_free(&o->html);
	buf_free(&o->raw);
	free(o->charset);
	if (o->copy_fd >= 0)
		(void)close(o->copy_fd);
	if (o->copy != NULL)
		(void)unlink(o->copy);
	if (o->copydir != NULL)
		(void)rmdir(o->copydir);
	free(o->copy);
	free(o->copydir);
	if (o->att_fd >= 0)
		(void)close(o->att_fd);
	draft_free(o->att);
	free(o->att);
	free(o->att_why);
	free(o->path);
	free(o);
}

const char *
reply_orig_text(const struct reply_orig *o, size_t *len)
{
	*len = o->text.len;
	return buf_str(&o->text);
}

/* --- reading ---------------------------------------------------------------- */

static void
read_header(struct reply_orig *o, const char *h, size_t n)
{
	o->from = rfc822_get(h, n, "From");
	o->reply_to = rfc822_get(h, n, "Reply-To");
	o->to = rfc822_get(h, n, "To");
	o->cc = rfc822_get(h, n, "Cc");
	o->mft = rfc822_get(h, n, "Mail-Followup-To");
	o->delivered_to = rfc822_get(h, n, "Delivered-To");
	o->subject = rfc822_get_text(h, n, "Subject");
	o->date = rfc822_get_text(h, n, "Date");
	o->msgid = rfc822_get(h, n, "Message-ID");
	o->refs = rfc822_get(h, n, "References");
	o->irt = rfc822_get(h, n, "In-Reply-To");
}

/* A part that is shown as the message's text, not attached to it. */
static int
body_part(const struct mimewalk_part *p)
{
	return !p->attachment && (p->parent[0] == '\0' ||
	    strcmp(p->parent, "multipart/mixed") == 0 ||
	    strcmp(p->parent, "multipart/alternative") == 0 ||
	    strcmp(p->parent, "multipart/related") == 0);
}

static enum mimewalk_want
rd_begin(void *arg, const struct mimewalk_part *p)
{
	struct reply_orig *o = arg;

	if (p->depth == 0)
		read_header(o, p->header, p->headerlen);
	if (p->multipart)
		return MIMEWALK_RAW;
	o->into = INTO_NOTHING;
	if (!o->have_text && body_part(p) && strcmp(p->type, "text/plain") == 0)
		o->into = INTO_TEXT;
	else if (!o->have_text && body_part(p) &&
	    strcmp(p->type, "text/html") == 0 && !o->have_html)
		o->into = INTO_HTML;
	else if (o->att != NULL && forward_att_wanted(p))
		return forward_att_begin(o, p);
	else
		return MIMEWALK_SKIP;
	buf_reset(&o->raw);
	free(o->charset);
	o->charset = p->charset != NULL ? strdup(p->charset) : NULL;
	o->flowed = p->flowed;
	return MIMEWALK_DECODE;
}

static int
rd_data(void *arg, const struct mimewalk_part *p, const char *b, size_t n)
{
	struct reply_orig *o = arg;

	(void)p;
	if (o->into == INTO_FILE)
		return forward_att_data(o, b, n);
	/* A text over the limit is cut: an answer quotes what fits. */
	if (o->into != INTO_NOTHING && buf_add(&o->raw, b, n) < 0)
		o->flaws |= MIMEWALK_F_TRUNCATED;
	return 0;
}

static void
rd_end(void *arg, const struct mimewalk_part *p)
{
	struct reply_orig *o = arg;
	struct buf *out;
	int r;

	(void)p;
	if (o->into == INTO_FILE)
		forward_att_end(o);
	if (o->into == INTO_NOTHING || o->into == INTO_FILE) {
		o->into = INTO_NOTHING;
		return;
	}
	out = o->into == INTO_TEXT ? &o->text : &o->html;
	buf_reset(out);
	r = charset_text_utf8(out, buf_str(&o->raw), o->raw.len, o->charset);
	/*
	 * Flowed text (RFC 3676) read back into its paragraphs, so that it
	 * is quoted as the writer wrote it and not as the lines it was cut
	 * into for the wire.
	 */
	if (r >= 0 && o->into == INTO_TEXT && o->flowed) {
		buf_reset(&o->raw);
		if (flowed_decode(&o->raw, buf_str(out), out->len,
		    o->flowed == 2) < 0) {
			r = -1;
		} else {
			buf_reset(out);
			if (buf_add(out, buf_str(&o->raw), o->raw.len) < 0)
				r = -1;
		}
	}
	if (r < 0)
		o->nomem = 1;
	else if (r > 0)
		o->flaws |= MIMEWALK_F_ENCODING;
	if (o->into == INTO_TEXT)
		o->have_text = 1;
	else
		o->have_html = 1;
	o->into = INTO_NOTHING;
}

static const struct mimewalk_ops reply_ops = { rd_begin, rd_data, rd_end,
    NULL };

/* After the walk: the HTML as text when there is no text part. */
static enum err
finish_text(struct reply_orig *o)
{
	enum err e;

	buf_free(&o->raw);
	if (o->nomem)
		return ERR_NOMEM;
	if (o->have_text || !o->have_html)
		return ERR_OK;
	e = html_to_text(buf_str(&o->html), o->html.len, &o->text);
	if (e == ERR_DATA) {
		o->flaws |= MIMEWALK_F_TRUNCATED;
		e = ERR_OK;
	}
	return e;
}

/* Feed the walker from fd, copying the bytes when asked. */
static enum err
read_fd(struct reply_orig *o, struct mimewalk *w, int fd, char **errstr)
{
	char blk[65536];
	ssize_t n;
	enum err e;

	for (;;) {
		n = read(fd, blk, sizeof(blk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			util_seterr(errstr, _("cannot read the message: %s"),
			    strerror(errno));
			return ERR_IO;
		}
		if (n == 0)
			return ERR_OK;
		if (o->copy_fd >= 0 && (e = forward_write_copy(o, blk,
		    (size_t)n, errstr)) != ERR_OK)
			return e;
		if ((e = mimewalk_feed(w, blk, (size_t)n)) != ERR_OK)
			return e;
	}
}

enum err
reply_read(int fd, const char *path, unsigned flags,
    struct reply_orig **out, unsigned *flaws, char **errstr)
{
	struct reply_orig *o;
	struct mimewalk *w = NULL;
	unsigned f = 0;
	enum err e = ERR_OK;

	*out = NULL;
	if ((o = orig_new()) == NULL)
		return ERR_NOMEM;
	if (path != NULL && (o->path = strdup(path)) == NULL)
		e = ERR_NOMEM;
	if (e == ERR_OK && path == NULL && (flags & REPLY_READ_COPY))
		e = forward_open_copy(o, errstr);
	if (e == ERR_OK && (flags & REPLY_READ_ATTACHMENTS)) {
		if ((o->att = malloc(sizeof(*o->att))) == NULL)
			e = ERR_NOMEM;
		else
			draft_init(o->att);
	}
	if (e == ERR_OK && (w = mimewalk_new(&reply_ops, o)) == NULL)
		e = ERR_NOMEM;
	if (e == ERR_OK)
		e = read_fd(o, w, fd, errstr);
	if (w != NULL) {
		if (e == ERR_OK)
			e = mimewalk_finish(w, &f);
		mimewalk_free(w);
	}
	if (o->att_err != ERR_OK) {
		/* A copy that could not be written stopped the walk. */
		e = o->att_err;
		if (errstr != NULL) {
			free(*errstr);
			*errstr = o->att_why;
			o->att_why = NULL;
		}
	}
	if (o->copy_fd >= 0 && close(o->copy_fd) < 0 && e == ERR_OK) {
		util_seterr(errstr, _("cannot write %s: %s"), o->copy,
		    strerror(errno));
		e = ERR_IO;
	}
	o->copy_fd = -1;
	if (e == ERR_OK)
		e = finish_text(o);
	if (e != ERR_OK) {
		reply_orig_free(o);
		return e;
	}
	if (flaws != NULL)
		*flaws = f | o->flaws;
	*out = o;
	return ERR_OK;
}

enum err
reply_read_mem(const char *p, size_t n, struct reply_orig **out)
{
	struct reply_orig *o;
	enum err e;

	*out = NULL;
	if ((o = orig_new()) == NULL)
		return ERR_NOMEM;
	e = mimewalk_mem(p, n, &reply_ops, o, NULL);
	if (e == ERR_OK)
		e = finish_text(o);
	if (e != ERR_OK) {
		reply_orig_free(o);
		return e;
	}
	*out = o;
	return ERR_OK;
}

/* --- subject ---------------------------------------------------------------- */

/* The length of an answer prefix at s ("Re:", "AW:", "Fwd:", "Re[2]:"), 0: none. */
static size_t
prefix_len(const char *s)
{
	static const char *const words[] = { "re", "aw", "fwd", "fw" };
	size_t i, n, k;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i]);
		if (strncasecmp(s, words[i], n) != 0)
			continue;
		k = n;
		if (s[k] == '[') {
			while (s[++k] >= '0' && s[k] <= '9')
				;
			if (k == n + 1 || s[k] != ']')
				continue;
			k++;
		}
		if (s[k] == ':')
			return k + 1;
	}
	return 0;
}

static const char *
skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Past every prefix at s. */
static const char *
strip_prefixes(const char *s)
{
	size_t k;

	for (s = skip_blanks(s); (k = prefix_len(s)) > 0; )
		s = skip_blanks(s + k);
	return s;
}

char *
reply_subject(const char *subject, const char *prefix)
{
	const char *s = strip_prefixes(subject != NULL ? subject : ""), *end;
	const char *tag = NULL;
	size_t taglen = 0, n;
	char *r;

	/* A "[list]" tag stays where lists put it, the prefixes after it go. */
	if (*s == '[' && (end = strchr(s, ']')) != NULL) {
		tag = s;
		taglen = (size_t)(end - s) + 1;
		s = strip_prefixes(end + 1);
	}
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (tag != NULL)
		r = util_strf("%s%.*s%s%.*s", prefix, (int)taglen, tag,
		    n > 0 ? " " : "", (int)n, s);
	else
		r = util_strf("%s%.*s", prefix, (int)n, s);
	/* "Re: " alone: no blank at the end of the field. */
	if (r != NULL)
		for (n = strlen(r); n > 0 && r[n - 1] == ' '; n--)
			r[n - 1] = '\0';
	return r;
}

/* --- the thread ---------------------------------------------------------- */

/* The next "<...>" id of s from *pos; its start and length, 0 at the end. */
static int
next_id(const char *s, size_t *pos, const char **id, size_t *len)
{
	const char *p = s + *pos, *lt, *gt;
	size_t k;

	for (;;) {
		if ((lt = strchr(p, '<')) == NULL ||
		    (gt = strchr(lt, '>')) == NULL) {
			*pos = strlen(s);
			return 0;
		}
		p = gt + 1;
		*pos = (size_t)(p - s);
		/* Printable ASCII without blanks or a second '<', and an '@'. */
		for (k = 1; lt + k < gt; k++)
			if ((unsigned char)lt[k] <= 0x20 ||
			    (unsigned char)lt[k] >= 0x7f || lt[k] == '<')
				break;
		if (lt + k == gt && k > 1 && (size_t)(gt - lt) < REPLY_ID_MAX &&
		    memchr(lt, '@', (size_t)(gt - lt)) != NULL) {
			*id = lt;
			*len = (size_t)(gt - lt) + 1;
			return 1;
		}
	}
}

char *
reply_references(const char *refs, const char *in_reply_to,
    const char *msgid, int *nomem)
{
	const char **ids = NULL, *id, *src[2];
	size_t *lens = NULL, n = 0, cap = 0, pos, len, i, j;
	struct buf b;
	char *r = NULL;
	int s;

	if (nomem != NULL)
		*nomem = 0;
	src[0] = refs != NULL && *refs != '\0' ? refs : in_reply_to;
	src[1] = msgid;
	for (s = 0; s < 2; s++) {
		pos = 0;
		while (src[s] != NULL && next_id(src[s], &pos, &id, &len)) {
			if (n == cap) {
				const char **ni;
				size_t *nl;

				cap = cap == 0 ? 32 : cap * 2;
				ni = realloc(ids, cap * sizeof(*ids));
				if (ni != NULL)
					ids = ni;
				nl = realloc(lens, cap * sizeof(*lens));
				if (nl != NULL)
					lens = nl;
				if (ni == NULL || nl == NULL)
					goto nomem;
			}
			ids[n] = id;
			lens[n++] = len;
			/* One id from the parent's Message-ID field. */
			if (s == 1)
				break;
		}
	}
	if (n == 0)
		goto out;
	buf_init(&b, (size_t)(REPLY_REFS_MAX + 1) * (REPLY_ID_MAX + 2));
	for (i = 0; i < n; i++) {
		/* The first of the thread, then the newest. */
		if (n > REPLY_REFS_MAX && i > 0 && i < n - (REPLY_REFS_MAX - 1))
			continue;
		for (j = 0; j < i; j++)
			if (lens[j] == lens[i] &&
			    memcmp(ids[j], ids[i], lens[i]) == 0 &&
			    (n <= REPLY_REFS_MAX || j == 0 ||
			    j >= n - (REPLY_REFS_MAX - 1)))
				break;
		if (j < i)
			continue;
		if ((b.len > 0 && buf_addch(&b, ' ') < 0) ||
		    buf_add(&b, ids[i], lens[i]) < 0) {
			buf_free(&b);
			goto nomem;
		}
	}
	r = strdup(buf_str(&b));
	buf_free(&b);
	if (r == NULL)
		goto nomem;
out:
	free(ids);
	free(lens);
	return r;
nomem:
	if (nomem != NULL)
		*nomem = 1;
	free(ids);
	free(lens);
	return NULL;
}

/* The one id of a Message-ID field, malloc'd; NULL: none (*nomem says why). */
static char *
first_id(const char *v, int *nomem)
{
	const char *id;
	size_t pos = 0, len;
	char *r;

	*nomem = 0;
	if (v == NULL || !next_id(v, &pos, &id, &len))
		return NULL;
	if ((r = strndup(id, len)) == NULL)
		*nomem = 1;
	return r;
}

/* --- quoting ---------------------------------------------------------------- */

int
reply_quote(struct buf *out, const char *text, size_t n)
{
	const char *p = text, *end = text + n, *nl;
	size_t mark = out->len, len;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (buf_addstr(out, len == 0 || p[0] == '>' ? ">" : "> ") < 0 ||
		    buf_add(out, p, len) < 0 || buf_addch(out, '\n') < 0) {
			buf_truncate(out, mark);
			return -1;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
}

/* --- addresses --------------------------------------------------------------- */

/* Parse a raw (not decoded) address field; the names decoded.  0 or -1 (memory). */
static int
parse_raw(struct addr_list *l, const char *raw)
{
	struct addr_list tmp = { NULL, 0 };
	struct buf name;
	size_t i;
	int r = 0;

	if (raw == NULL)
		return 0;
	/* A field that does not parse gives what parsed before the fault. */
	(void)addr_list_parse(&tmp, raw, strlen(raw), NULL);
	buf_init(&name, 64 * 1024);
	for (i = 0; i < tmp.n && r == 0; i++) {
		buf_reset(&name);
		if (tmp.v[i].name != NULL &&
		    (rfc822_decode_words(&name, tmp.v[i].name,
		    strlen(tmp.v[i].name)) < 0 || buf_addstr(&name, "") < 0))
			r = -1;
		else if (addr_list_add(l, tmp.v[i].name != NULL ?
		    buf_str(&name) : NULL, tmp.v[i].spec) != ERR_OK)
			r = -1;
	}
	buf_free(&name);
	addr_list_free(&tmp);
	return r;
}

/* Append one address, as a user would type it, to the field *field. */
static int
add_typed(char **field, const struct addr *a)
{
	struct buf b;
	const char *p;
	char *joined;
	int quote = 0, r = -1;

	buf_init(&b, 64 * 1024);
	if (*field != NULL && buf_printf(&b, "%s, ", *field) < 0)
		goto out;
	if (a->name != NULL && *a->name != '\0') {
		quote = strpbrk(a->name, "()<>[]:;@\\,.\"") != NULL;
		if (quote && buf_addch(&b, '"') < 0)
			goto out;
		for (p = a->name; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x20 &&
			    (((*p == '"' || *p == '\\') && buf_addch(&b, '\\') < 0) ||
			    buf_addch(&b, *p) < 0))
				goto out;
		if ((quote && buf_addch(&b, '"') < 0) ||
		    buf_printf(&b, " <%s>", a->spec) < 0)
			goto out;
	} else if (buf_addstr(&b, a->spec) < 0) {
		goto out;
	}
	if ((joined = strdup(buf_str(&b))) == NULL)
		goto out;
	free(*field);
	*field = joined;
	r = 0;
out:
	buf_free(&b);
	return r;
}

/* Is spec in l already? */
static int
has_spec(const struct addr_list *l, const char *spec)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i].spec, spec) == 0)
			return 1;
	return 0;
}

/* Is spec the user's: the account's, or the From the user gave? */
static int
own(const struct reply_opts *ro, const struct addr_list *mine,
    const char *spec)
{
	return conf_account_owns(ro->acct, spec) || has_spec(mine, spec);
}

/*
 * Add the addresses of l to *field, but not those in seen (to which
 * they are added), and not the user's own when drop_own.
 */
static int
add_list(char **field, const struct addr_list *l, struct addr_list *seen,
    const struct reply_opts *ro, const struct addr_list *mine, int drop_own)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (has_spec(seen, l->v[i].spec) ||
		    (drop_own && own(ro, mine, l->v[i].spec)))
			continue;
		if (addr_list_add(seen, NULL, l->v[i].spec) != ERR_OK ||
		    add_typed(field, &l->v[i]) < 0)
			return -1;
	}
	return 0;
}

/* To and Cc of the answer, added to what d has. */
static enum err
recipients(const struct reply_orig *o, const struct reply_opts *ro,
    struct draft *d)
{
	struct addr_list from = { 0 }, rt = { 0 }, to = { 0 }, cc = { 0 };
	struct addr_list mft = { 0 }, mine = { 0 }, seen = { 0 };
	const struct addr_list *first;
	int r = -1, self;

	if (parse_raw(&from, o->from) < 0 || parse_raw(&rt, o->reply_to) < 0 ||
	    parse_raw(&to, o->to) < 0 || parse_raw(&cc, o->cc) < 0 ||
	    parse_raw(&mft, o->mft) < 0 || parse_raw(&mine, d->from) < 0 ||
	    parse_raw(&seen, d->to) < 0 || parse_raw(&seen, d->cc) < 0)
		goto out;
	/* A message of the user's own: the answer goes where it went. */
	self = rt.n == 0 && from.n > 0 && own(ro, &mine, from.v[0].spec);
	first = rt.n > 0 ? &rt : self ? &to : &from;
	if (ro->kind == REPLY_GROUP && mft.n > 0) {
		r = add_list(&d->to, &mft, &seen, ro, &mine, 1);
		goto out;
	}
	if (add_list(&d->to, first, &seen, ro, &mine, ro->kind ==
	    REPLY_GROUP && !self) < 0)
		goto out;
	if (ro->kind == REPLY_GROUP &&
	    ((first != &to && add_list(&d->cc, &to, &seen, ro, &mine, 1) < 0) ||
	    add_list(&d->cc, &cc, &seen, ro, &mine, 1) < 0))
		goto out;
	r = 0;
out:
	addr_list_free(&from);
	addr_list_free(&rt);
	addr_list_free(&to);
	addr_list_free(&cc);
	addr_list_free(&mft);
	addr_list_free(&mine);
	addr_list_free(&seen);
	return r < 0 ? ERR_NOMEM : ERR_OK;
}

const struct account *
reply_account(const struct reply_orig *o, const struct conf *c)
{
	const char *fields[4] = { o->from, o->delivered_to, o->to, o->cc };
	const struct account *found = NULL;
	struct addr_list l = { NULL, 0 };
	size_t k, i, j;

	if (c == NULL)
		return NULL;
	for (k = 0; k < 4 && found == NULL; k++) {
		addr_list_free(&l);
		if (parse_raw(&l, fields[k]) < 0)
			break;
		for (i = 0; i < l.n && found == NULL; i++)
			for (j = 0; j < c->naccounts && found == NULL; j++)
				if (conf_account_owns(&c->accounts[j],
				    l.v[i].spec))
					found = &c->accounts[j];
	}
	addr_list_free(&l);
	return found;
}

/* The sender's name for the attribution: the display name, else the address. */
static char *
sender_name(const struct reply_orig *o)
{
	struct addr_list l = { NULL, 0 };
	char *r;

	if (parse_raw(&l, o->from) < 0)
		return NULL;
	if (l.n == 0)
		r = strdup(_("an unknown sender"));
	else
		r = strdup(l.v[0].name != NULL && *l.v[0].name != '\0' ?
		    l.v[0].name : l.v[0].spec);
	addr_list_free(&l);
	return r;
}

/* The quoted block of a reply, or the forwarded block of an inline forward. */
static enum err
quote_block(const struct reply_orig *o, enum reply_kind kind, struct buf *b)
{
	char *name;
	int r = 0;

	if (kind == REPLY_FORWARD_ATTACH)
		return ERR_OK;
	if (kind == REPLY_FORWARD_INLINE)
		return forward_block(o, b);
	if ((name = sender_name(o)) == NULL)
		return ERR_NOMEM;
	if (o->date != NULL)
		r = buf_printf(b, _("On %s, %s wrote:"), o->date, name);
	else
		r = buf_printf(b, _("%s wrote:"), name);
	free(name);
	if (r < 0 || buf_addch(b, '\n') < 0 ||
	    reply_quote(b, buf_str(&o->text), o->text.len) < 0)
		return ERR_NOMEM;
	return ERR_OK;
}

/* --- templates ------------------------------------------------------------- */

/* Append s[0..n) with the placeholders filled in. */
static int
expand(struct buf *out, const char *s, size_t n, const struct reply_vars *v)
{
	static const struct {
		const char *name;
		size_t off;
	} vars[] = {
		{ "date", offsetof(struct reply_vars, date) },
		{ "name", offsetof(struct reply_vars, name) },
		{ "quote", offsetof(struct reply_vars, quote) },
		{ "text", offsetof(struct reply_vars, text) },
		{ "subject", offsetof(struct reply_vars, subject) },
		{ "from", offsetof(struct reply_vars, from) },
	};
	const char *end = s + n, *rb, *val;
	size_t i, len;

	while (s < end) {
		if (*s == '%' && s + 1 < end && s[1] == '%') {
			if (buf_addch(out, '%') < 0)
				return -1;
			s += 2;
			continue;
		}
		if (*s == '%' && s + 1 < end && s[1] == '{' &&
		    (rb = memchr(s, '}', (size_t)(end - s))) != NULL) {
			len = (size_t)(rb - s) - 2;
			for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
				if (strlen(vars[i].name) == len &&
				    memcmp(vars[i].name, s + 2, len) == 0)
					break;
			if (i < sizeof(vars) / sizeof(vars[0])) {
				val = *(const char *const *)(const void *)
				    ((const char *)v + vars[i].off);
				if (val != NULL && buf_addstr(out, val) < 0)
					return -1;
				s = rb + 1;
				continue;
			}
		}
		if (buf_addch(out, *s++) < 0)
			return -1;
	}
	return 0;
}

/* Is line[0..n) a header field "Name: value"? */
static int
field_line(const char *line, size_t n)
{
	size_t k;

	for (k = 0; k < n && line[k] > 0x20 && line[k] < 0x7f &&
	    line[k] != ':'; k++)
		;
	return k > 0 && k < n && line[k] == ':';
}

/* One "Name: value" line of a template's header into d. */
static enum err
template_field(struct draft *d, const char *name, char *value,
    char **errstr)
{
	static const char *const names[] = { "To", "Cc", "Bcc", "Reply-To" };
	char **dst[] = { &d->to, &d->cc, &d->bcc, &d->reply_to };
	char *joined;
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcasecmp(name, names[i]) == 0) {
			if (*value == '\0')
				return ERR_OK;
			joined = *dst[i] == NULL ? strdup(value) :
			    util_strf("%s, %s", *dst[i], value);
			if (joined == NULL)
				return ERR_NOMEM;
			free(*dst[i]);
			*dst[i] = joined;
			return ERR_OK;
		}
	if (strcasecmp(name, "Subject") == 0)
		return draft_set(&d->subject, value) < 0 ? ERR_NOMEM : ERR_OK;
	if (strcasecmp(name, "From") == 0)
		return d->from != NULL || draft_set(&d->from, value) == 0 ?
		    ERR_OK : ERR_NOMEM;
	return draft_add_field(d, name, value, errstr);
}

enum err
reply_template(const char *tpl, size_t n, const struct reply_vars *v,
    struct draft *d, char **errstr)
{
	const char *p = tpl, *end = tpl + n, *nl;
	struct buf line;
	char *name, *value, *colon;
	size_t len;
	enum err e = ERR_OK;

	buf_init(&line, 1024 * 1024);
	/* A header only when the template starts with a field. */
	nl = memchr(p, '\n', n);
	if (field_line(p, nl != NULL ? (size_t)(nl - p) : n)) {
		while (p < end && e == ERR_OK) {
			nl = memchr(p, '\n', (size_t)(end - p));
			len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
			if (len == 0) {
				p++;
				break;
			}
			if (!field_line(p, len)) {
				util_seterr(errstr, _("the template's header "
				    "has a line that is no field: '%.*s'"),
				    (int)(len > 60 ? 60 : len), p);
				e = ERR_DATA;
				break;
			}
			buf_reset(&line);
			if (expand(&line, p, len, v) < 0 ||
			    buf_addstr(&line, "") < 0) {
				e = ERR_NOMEM;
				break;
			}
			name = line.data;
			colon = strchr(name, ':');
			*colon = '\0';
			for (value = colon + 1; *value == ' ' ||
			    *value == '\t'; value++)
				;
			e = template_field(d, name, value, errstr);
			p = nl != NULL ? nl + 1 : end;
		}
	}
	buf_free(&line);
	if (e == ERR_OK && expand(&d->text, p, (size_t)(end - p), v) < 0)
		e = ERR_NOMEM;
	return e;
}

/* --- the answer ------------------------------------------------------------ */

/* The name of the first recipient for %{name}: display name, else address. */
static char *
recipient_name(const struct draft *d)
{
	struct addr_list l = { NULL, 0 };
	char *r;

	if (d->to != NULL)
		(void)addr_list_parse(&l, d->to, strlen(d->to), NULL);
	r = strdup(l.n == 0 ? "" : l.v[0].name != NULL && *l.v[0].name !=
	    '\0' ? l.v[0].name : l.v[0].spec);
	addr_list_free(&l);
	return r;
}

/* Read the account's template as UTF-8. */
static enum err
read_template(const char *path, struct buf *out, char **errstr)
{
	struct buf raw;
	enum err e = ERR_OK;

	buf_init(&raw, REPLY_TEXT_MAX);
	if (buf_read_file(&raw, path) < 0) {
		util_seterr(errstr, _("cannot read the template %s: %s"), path,
		    strerror(errno));
		e = errno == ENOMEM ? ERR_NOMEM : ERR_NOINPUT;
	} else if (charset_utf8_valid(buf_str(&raw), raw.len, NULL)) {
		if (buf_add(out, buf_str(&raw), raw.len) < 0)
			e = ERR_NOMEM;
	} else {
		e = charset_to_utf8(out, buf_str(&raw), raw.len,
		    charset_locale(), errstr);
	}
	buf_free(&raw);
	return e;
}

/* The text from the template, the signature at its end. */
static enum err
text_from_template(const struct reply_orig *o, const struct reply_opts *ro,
    const char *quote, struct draft *d, char **errstr)
{
	struct reply_vars v;
	struct buf tpl, text;
	char date[64], *name, *sname;
	enum err e;

	buf_init(&tpl, REPLY_TEXT_MAX);
	buf_init(&text, REPLY_TEXT_MAX);
	if ((e = read_template(ro->acct->template_file, &tpl, errstr)) !=
	    ERR_OK)
		goto out;
	if (ro->now == NULL && msg_date(date, sizeof(date)) < 0)
		date[0] = '\0';
	name = recipient_name(d);
	sname = sender_name(o);
	if (name == NULL || sname == NULL ||
	    (ro->text != NULL && buf_add(&text, ro->text, ro->textlen) < 0) ||
	    buf_addstr(&text, "") < 0) {
		free(name);
		free(sname);
		e = ERR_NOMEM;
		goto out;
	}
	memset(&v, 0, sizeof(v));
	v.date = ro->now != NULL ? ro->now : date;
	v.name = name;
	v.quote = quote;
	v.text = buf_str(&text);
	v.subject = o->subject != NULL ? o->subject : "";
	v.from = sname;
	e = reply_template(buf_str(&tpl), tpl.len, &v, d, errstr);
	free(name);
	free(sname);
	if (e == ERR_OK && ro->acct->signature != NULL)
		e = draft_sign(d, ro->acct->signature, errstr);
out:
	buf_free(&tpl);
	buf_free(&text);
	return e;
}

enum err
reply_template_new(const struct account *acct, struct draft *d,
    const char *now, char **errstr)
{
	struct reply_vars v;
	struct buf tpl, text;
	char date[64], *name;
	enum err e;

	if (acct == NULL || acct->template_file == NULL)
		return ERR_OK;
	buf_init(&tpl, REPLY_TEXT_MAX);
	buf_init(&text, REPLY_TEXT_MAX);
	if ((e = read_template(acct->template_file, &tpl, errstr)) != ERR_OK)
		goto out;
	if (now == NULL && msg_date(date, sizeof(date)) < 0)
		date[0] = '\0';
	if ((name = recipient_name(d)) == NULL ||
	    buf_add(&text, buf_str(&d->text), d->text.len) < 0 ||
	    buf_addstr(&text, "") < 0) {
		free(name);
		e = ERR_NOMEM;
		goto out;
	}
	memset(&v, 0, sizeof(v));
	v.date = now != NULL ? now : date;
	v.name = name;
	v.quote = "";
	v.text = buf_str(&text);
	v.subject = d->subject != NULL ? d->subject : "";
	v.from = "";
	buf_reset(&d->text);
	if ((e = reply_template(buf_str(&tpl), tpl.len, &v, d, errstr)) !=
	    ERR_OK) {
		buf_reset(&d->text);
		(void)buf_add(&d->text, buf_str(&text), text.len);
	}
	free(name);
out:
	buf_free(&tpl);
	buf_free(&text);
	return e;
}

/* The new text with a line end. */
static int
add_new_text(struct draft *d, const struct reply_opts *ro)
{
	if (ro->text == NULL || ro->textlen == 0)
		return 0;
	if (buf_add(&d->text, ro->text, ro->textlen) < 0 ||
	    (ro->text[ro->textlen - 1] != '\n' && buf_addch(&d->text, '\n') < 0))
		return -1;
	return 0;
}

/*
 * The text without a template.  Below the quote (a reply's default): the
 * quote, a blank line, the new text, the signature.  Above it
 * (top-posting, and every forward): the new text, the signature when its
 * place is the text, a blank line, the quote, else the signature.
 */
static enum err
lay_out(const struct reply_opts *ro, const struct buf *quote,
    struct draft *d, char **errstr)
{
	const struct account *a = ro->acct;
	const char *sig = a != NULL ? a->signature : NULL;
	int top = ro->kind == REPLY_FORWARD_INLINE ||
	    ro->kind == REPLY_FORWARD_ATTACH ||
	    (a != NULL && a->reply_style == CONF_REPLY_TOP);
	enum err e;

	if (!top) {
		if (buf_add(&d->text, buf_str(quote), quote->len) < 0 ||
		    buf_addch(&d->text, '\n') < 0 || add_new_text(d, ro) < 0)
			return ERR_NOMEM;
		return draft_sign(d, sig, errstr);
	}
	if (add_new_text(d, ro) < 0 || (d->text.len == 0 &&
	    buf_addch(&d->text, '\n') < 0))
		return ERR_NOMEM;
	if (a != NULL && a->signature_position == CONF_SIG_TEXT &&
	    (e = draft_sign(d, sig, errstr)) != ERR_OK)
		return e;
	if (quote->len > 0 && (buf_addch(&d->text, '\n') < 0 ||
	    buf_add(&d->text, buf_str(quote), quote->len) < 0))
		return ERR_NOMEM;
	return draft_sign(d, sig, errstr);
}

/* Subject, In-Reply-To and References. */
static enum err
thread(const struct reply_orig *o, const struct reply_opts *ro,
    struct draft *d)
{
	int fwd = ro->kind == REPLY_FORWARD_INLINE ||
	    ro->kind == REPLY_FORWARD_ATTACH, nomem = 0;

	if (d->subject == NULL && (d->subject = reply_subject(o->subject,
	    fwd ? "Fwd: " : "Re: ")) == NULL)
		return ERR_NOMEM;
	if (fwd)
		return ERR_OK;
	if (d->in_reply_to == NULL &&
	    (d->in_reply_to = first_id(o->msgid, &nomem)) == NULL && nomem)
		return ERR_NOMEM;
	if (d->references == NULL && (d->references = reply_references(o->refs,
	    o->irt, o->msgid, &nomem)) == NULL && nomem)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
reply_make(struct reply_orig *o, const struct reply_opts *ro,
    struct draft *d, char **errstr)
{
	struct buf quote;
	char *given = NULL;
	enum err e;

	/* A subject the user gave wins over the template's. */
	if (d->subject != NULL && (given = strdup(d->subject)) == NULL)
		return ERR_NOMEM;
	buf_init(&quote, REPLY_TEXT_MAX);
	if ((ro->kind == REPLY_SENDER || ro->kind == REPLY_GROUP) &&
	    (e = recipients(o, ro, d)) != ERR_OK)
		goto out;
	if ((e = thread(o, ro, d)) != ERR_OK ||
	    (e = quote_block(o, ro->kind, &quote)) != ERR_OK)
		goto out;
	if (ro->kind == REPLY_FORWARD_ATTACH &&
	    (e = forward_attach_orig(o, d, errstr)) != ERR_OK)
		goto out;
	if (ro->kind == REPLY_FORWARD_INLINE &&
	    (e = forward_take_atts(o, d, errstr)) != ERR_OK)
		goto out;
	d->signed_text = 0;
	buf_reset(&d->text);
	if (ro->acct != NULL && ro->acct->template_file != NULL) {
		if (buf_addstr(&quote, "") < 0) {
			e = ERR_NOMEM;
			goto out;
		}
		e = text_from_template(o, ro, buf_str(&quote), d, errstr);
		if (e == ERR_OK && given != NULL) {
			free(d->subject);
			d->subject = given;
			given = NULL;
		}
	} else {
		e = lay_out(ro, &quote, d, errstr);
	}
out:
	free(given);
	buf_free(&quote);
	return e;
}
