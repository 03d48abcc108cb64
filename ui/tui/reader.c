/* reader.c - the reader of the interactive UI: a filed message as a person reads it, its envelope and transcripts, in the pager. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "charset.h"
#include "html.h"
#include "i18n.h"
#include "mimewalk.h"
#include "qentry.h"
#include "qlog.h"
#include "rfc822.h"
#include "safefile.h"
#include "util.h"

#define VIEW_MAX (64 * 1024 * 1024)

enum {
	R_HEADERS = 1,
	R_RAW,
	R_REPLY,
	R_GROUP,
	R_FORWARD,
	R_FORWARD_ATT,
};

static const struct keydef reader_keys[] = {
	{ 'h', R_HEADERS, N_("headers"), N_("all header fields, or the "
	    "usual ones") },
	{ 'H', R_RAW, N_("raw"), N_("the message as it is filed, or as a "
	    "person reads it") },
	{ 'r', R_REPLY, N_("reply"), N_("reply to the sender (Reply-To, "
	    "else From)") },
	{ 'a', 0, NULL, NULL },
	{ 'L', R_GROUP, NULL, N_("reply to all: the sender, To and Cc "
	    "(or Mail-Followup-To), without your own addresses") },
	{ 'f', R_FORWARD, N_("forward"), N_("forward the text inline") },
	{ 'F', R_FORWARD_ATT, NULL, N_("forward the whole message as an "
	    "attachment") },
	{ 0, 0, NULL, NULL },
};

/* What the reader shows, and how. */
struct reading {
	struct maildir *md;
	char *id;
	int all_headers;
	int raw;
};

/* A message as a person reads it, put together by the walker's callbacks. */
struct view {
	const struct reading *r;
	struct buf out;            /* header fields, then the text parts */
	struct buf att;            /* a line per other part */
	struct buf raw;            /* the text part's bytes, in its charset */
	struct buf html;           /* the first HTML part, in UTF-8 */
	char *charset;
	int in_text, in_html, texts;
	size_t size;               /* of the part being counted */
};

static void
header_fields(struct view *v, const struct mimewalk_part *p)
{
	static const char *const usual[] = {
		"Date", "From", "To", "Cc", "Bcc", "Reply-To", "Subject",
	};
	size_t i;
	char *f;

	if (v->r->all_headers) {
		/* Every field, unfolded, as it came. */
		(void)buf_add(&v->out, p->header, p->headerlen);
		return;
	}
	for (i = 0; i < sizeof(usual) / sizeof(usual[0]); i++)
		if ((f = rfc822_get_text(p->header, p->headerlen, usual[i])) !=
		    NULL) {
			(void)buf_printf(&v->out, "%s: %s\n", usual[i], f);
			free(f);
		}
}

static enum mimewalk_want
view_begin(void *arg, const struct mimewalk_part *p)
{
	struct view *v = arg;

	if (p->depth == 0) {
		header_fields(v, p);
		(void)buf_addch(&v->out, '\n');
	}
	if (p->multipart)
		return MIMEWALK_RAW;
	v->size = 0;
	/* Every text/plain part that is not an attachment shows inline. */
	v->in_text = strcmp(p->type, "text/plain") == 0 && !p->attachment;
	/* HTML: shown when the message has no plain text (see render()). */
	v->in_html = !v->in_text && v->html.len == 0 &&
	    strcmp(p->type, "text/html") == 0 && !p->attachment;
	if (v->in_text || v->in_html) {
		free(v->charset);
		v->charset = p->charset != NULL ? strdup(p->charset) : NULL;
		buf_reset(&v->raw);
	}
	return MIMEWALK_DECODE;
}

static int
view_data(void *arg, const struct mimewalk_part *p, const char *b, size_t n)
{
	struct view *v = arg;

	(void)p;
	v->size += n;
	if (v->in_text || v->in_html)
		(void)buf_add(&v->raw, b, n);
	return 0;
}

static void
view_end(void *arg, const struct mimewalk_part *p)
{
	struct view *v = arg;

	if (p->multipart)
		return;
	if (v->in_html) {
		if (v->charset == NULL || charset_to_utf8(&v->html,
		    buf_str(&v->raw), v->raw.len, v->charset, NULL) != ERR_OK)
			(void)buf_add(&v->html, buf_str(&v->raw), v->raw.len);
		v->in_html = 0;
	}
	/* The HTML is listed as a part too: shown as text only when alone. */
	if (!v->in_text) {
		(void)buf_printf(&v->att, _("[attachment: %s, %s, %zu bytes]\n"),
		    p->name != NULL ? p->name : "-", p->type, v->size);
		return;
	}
	if (v->texts++ > 0)
		(void)buf_printf(&v->out, "\n[%s]\n", p->name != NULL ? p->name :
		    p->type);
	/* In UTF-8: its own charset, else as it is (shown escaped where bad). */
	if (v->charset == NULL || charset_to_utf8(&v->out, buf_str(&v->raw),
	    v->raw.len, v->charset, NULL) != ERR_OK)
		(void)buf_add(&v->out, buf_str(&v->raw), v->raw.len);
	v->in_text = 0;
}

/*
 * An HTML-only message: its HTML as text, through the user's mailcap
 * (w3m, lynx...) or pigeon's own converter, and a line saying which.
 */
static void
html_text(struct view *v)
{
	struct buf text, u;
	char *which = NULL, *note = NULL;

	buf_init(&text, VIEW_MAX);
	buf_init(&u, VIEW_MAX);
	(void)html_render(buf_str(&v->html), v->html.len, &text, &which,
	    &note);
	if (which != NULL)
		(void)buf_printf(&v->out, _("[HTML, shown as text by %s "
		    "(mailcap)]\n\n"), which);
	else if (note != NULL)
		(void)buf_printf(&v->out, _("[HTML, shown as text by pigeon's "
		    "own converter: %s]\n\n"), note);
	else
		(void)buf_addstr(&v->out, _("[HTML, shown as text by pigeon's "
		    "own converter]\n\n"));
	/* A mailcap command writes the locale's charset. */
	if (which != NULL && !charset_utf8_valid(buf_str(&text), text.len,
	    NULL) && charset_to_utf8(&u, buf_str(&text), text.len,
	    charset_locale(), NULL) == ERR_OK)
		(void)buf_add(&v->out, buf_str(&u), u.len);
	else
		(void)buf_add(&v->out, buf_str(&text), text.len);
	buf_free(&u);
	buf_free(&text);
	free(which);
	free(note);
}

static void
collect(void *arg, const char *p, size_t n)
{
	(void)buf_add(arg, p, n);
}

/*
 * The recipients of our own sent message id from its envelope
 * (log/ID.env): who it really went to, the blind copies too.  A
 * malloc'd list "a, b, c", or NULL when there is no envelope.
 */
char *
reader_envelope(struct app *a, const char *id)
{
	struct qlog *ql = outbox_logs(a->ob);
	struct qentry e;
	struct buf b, out;
	char *name;
	enum err err;
	size_t i;
	int fd;

	if (ql == NULL || (name = util_strf("%s/%s.env", qlog_dir(ql), id)) ==
	    NULL)
		return NULL;
	buf_init(&b, 1024 * 1024);
	buf_init(&out, 1024 * 1024);
	qentry_init(&e);
	fd = safefile_open(AT_FDCWD, name, name, O_RDONLY, &err, NULL);
	free(name);
	if (fd >= 0 && buf_read_fd(&b, fd) == 0 && qentry_parse(&e,
	    buf_str(&b), b.len, NULL) == ERR_OK)
		for (i = 0; i < e.nrcpts; i++)
			(void)buf_printf(&out, "%s%s", i > 0 ? ", " : "",
			    e.rcpts[i].addr);
	if (fd >= 0)
		(void)close(fd);
	qentry_free(&e);
	buf_free(&b);
	if (out.len == 0) {
		buf_free(&out);
		return NULL;
	}
	return out.data;
}

/* The text of the message r as it is to be shown. */
static int
render(struct app *a, const struct reading *r, struct buf *out)
{
	static const struct mimewalk_ops ops = { view_begin, view_data,
	    view_end, NULL };
	struct view v;
	char *why = NULL, *env;
	unsigned flaws = 0;
	size_t n = 0;
	int fd, rc = 0;

	memset(&v, 0, sizeof(v));
	v.r = r;
	buf_init(&v.out, VIEW_MAX);
	buf_init(&v.att, 1024 * 1024);
	buf_init(&v.raw, VIEW_MAX);
	buf_init(&v.html, VIEW_MAX);
	if (maildir_open_msg(r->md, r->id, &fd, &why) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : "?");
		rc = -1;
		goto out;
	}
	if (r->raw) {
		if (buf_read_fd(&v.out, fd) < 0 && errno != E2BIG)
			app_status(a, TUI_ERROR, _("cannot read %s: %s"), r->id,
			    strerror(errno));
	} else if (mimewalk_fd(fd, &ops, &v, &flaws, &why) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : "?");
	}
	(void)close(fd);
	if (!r->raw && v.texts == 0 && v.html.len > 0)
		html_text(&v);
	if (v.att.len > 0) {
		(void)buf_addch(&v.out, '\n');
		(void)buf_add(&v.out, buf_str(&v.att), v.att.len);
	}
	if (flaws != 0) {
		(void)buf_addstr(&v.out, _("\n-- shown as well as it could be "
		    "--\n"));
		(void)mimewalk_flaws_text(&v.out, flaws, "\n");
	}
	if ((env = reader_envelope(a, r->id)) != NULL) {
		(void)buf_printf(&v.out, _("\n-- envelope: who it went to (Bcc "
		    "too) --\n%s\n"), env);
		free(env);
	}
	(void)buf_addstr(&v.out, _("\n-- transcript --\n"));
	if (qlog_history(outbox_logs(a->ob), r->id, collect, &v.out, &n,
	    NULL) != ERR_OK || n == 0)
		(void)buf_addstr(&v.out, _("(none)\n"));
	*out = v.out;
	memset(&v.out, 0, sizeof(v.out));
out:
	buf_free(&v.out);
	buf_free(&v.att);
	buf_free(&v.raw);
	buf_free(&v.html);
	free(v.charset);
	free(why);
	return rc;
}

static int
reader_act(struct app *a, struct screen *pg, int action, void *arg)
{
	struct reading *r = arg;
	struct buf text;

	switch (action) {
	case R_HEADERS:
		r->all_headers = !r->all_headers;
		r->raw = 0;
		break;
	case R_RAW:
		r->raw = !r->raw;
		break;
	case R_REPLY:
	case R_GROUP:
	case R_FORWARD:
	case R_FORWARD_ATT:
		compose_reply(a, r->md, r->id, action == R_REPLY ?
		    REPLY_SENDER : action == R_GROUP ? REPLY_GROUP :
		    action == R_FORWARD ? REPLY_FORWARD_INLINE :
		    REPLY_FORWARD_ATTACH);
		return 1;
	default:
		return 0;
	}
	if (render(a, r, &text) == 0)
		pager_set_text(pg, NULL, &text);
	return 1;
}

static void
reading_free(void *arg)
{
	struct reading *r = arg;

	free(r->id);
	free(r);
}

void
reader_open(struct app *a, struct maildir *md, const char *id, int raw)
{
	struct reading *r = calloc(1, sizeof(*r));
	char head[8192], *subject = NULL;
	struct buf text;
	ssize_t n;
	int fd;

	if (r == NULL || (r->id = strdup(id)) == NULL) {
		free(r);
		return;
	}
	r->md = md;
	r->raw = raw;
	if (render(a, r, &text) < 0) {
		reading_free(r);
		return;
	}
	/* Titled by what the user knows it by. */
	if (maildir_open_msg(md, id, &fd, NULL) == ERR_OK) {
		if ((n = read(fd, head, sizeof(head))) > 0)
			subject = rfc822_get_text(head, (size_t)n, "Subject");
		(void)close(fd);
	}
	(void)pager_push_with(a, subject != NULL ? subject : _("(no subject)"),
	    &text, reader_keys, reader_act, r, reading_free);
	free(subject);
}
