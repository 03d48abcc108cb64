/* cmd_ui.c - "pigeon" without a command: the folders, compose, and sending with the live transcript pane. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "addr.h"
#include "alias.h"
#include "buf.h"
#include "charset.h"
#include "cli.h"
#include "conf.h"
#include "drafts.h"
#include "editor.h"
#include "hdr.h"
#include "qp.h"
#include "query.h"
#include "rfc822.h"
#include "base64.h"
#include "i18n.h"
#include "maildir.h"
#include "mime.h"
#include "mimetype.h"
#include "msg.h"
#include "netrc.h"
#include "outbox.h"
#include "session.h"
#include "transcript.h"
#include "tui.h"
#include "url.h"
#include "util.h"

#define PANE_LINES 2000      /* transcript lines kept for the pane */
#define BODY_MAX (64 * 1024 * 1024)
#define LIST_MAX 500         /* messages listed per folder */
#define HEAD_READ 8192       /* bytes of a message read for its list line */
#define DAY (24 * 60 * 60)

static const struct option ui_longopts[] = {
	CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* The transcript pane: the newest lines of the conversations, as they come. */
struct pane {
	char *line[PANE_LINES];
	enum tui_attr attr[PANE_LINES];
	size_t head, n;            /* ring */
	int shown;
	int full;                  /* the whole screen (V) */
	size_t scroll;             /* lines up from the newest */
	int height;
};

/* The message being composed. */
struct attach {
	char *path;
	char *type;                /* NULL: from the name or the content */
	int show_inline;
	int owned;                 /* a copy taken out of a draft: removed after */
};

struct compose {
	char *to, *cc, *bcc, *subject, *reply_to;
	char *body_path;           /* the text, in a private temporary file */
	struct attach *att;
	size_t natt, sel;          /* sel: the attachment D, T and d act on */
	char *draft_id;            /* the draft it is saved in, NULL: none yet */
	struct buf shown;          /* the start of the text as drawn (UTF-8) */
	int shown_ok;              /* shown is the text as it is now */
	int dirty;                 /* changed since it was last saved */
	int64_t changed_us;        /* when (util_now_us()) */
};

/* Autosave this long after the last change. */
#define AUTOSAVE_US (3 * 1000000)

/* A send in progress, driven from the main loop. */
struct sending {
	struct outbox_item it;
	struct qentry q;
	struct session *s;
	struct outbox_log *lg;
	struct buf logb;           /* transcript not yet in lg */
	const char **rcpts;
	struct smtp_envelope env;
	int fd;                    /* the message */
	int started;               /* session_send() was called */
	unsigned long long sent0;  /* bytes on the wire before it */
	int64_t t0;                /* when it started (util_now_us()) */
	int recorded;              /* the attempt is filed */
	int cancelled;             /* C-g: it stays queued */
	unsigned done0;
	uint64_t from;             /* its part of lg */
};

struct folder_line {
	char *id;
	char *who, *subject;
};

struct app {
	struct cli c;
	struct outbox *ob;
	int folder;                /* enum outbox_folder */
	size_t count[4];
	struct folder_line *list;
	size_t nlist, cursor;
	struct compose *cmp;       /* the compose screen is open */
	struct sending *snd;
	struct pane pane;
	char status[1024];
	enum tui_attr status_attr;
	char *search;              /* the last search in the pane */
	char *account;             /* the account chosen with f, NULL: as started */
	int quit;
};

/* The account's aliases, for Tab in address prompts (one UI per process). */
static struct aliases *ui_aliases;
/* The UI, for a completion that must ask (see complete_addr()). */
static struct app *ui_app;

static char *query_pick(struct app *a, const char *text, size_t at);

/*
 * Tab in an address prompt: an alias, else the account's query_command
 * (a list to choose from when it finds several).
 */
static char *
complete_addr(const char *text)
{
	char *r = alias_complete(ui_aliases, text);
	const char *comma;

	if (r != NULL || ui_app == NULL || ui_app->c.acct == NULL ||
	    ui_app->c.acct->query_command == NULL)
		return r;
	comma = strrchr(text, ',');
	return query_pick(ui_app, text, comma != NULL ? (size_t)(comma -
	    text) + 1 : 0);
}

static const char *const folder_label[] = {
	N_("drafts"), N_("outbox"), N_("sent"), N_("failed"),
};

static void
set_status(struct app *a, enum tui_attr attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_status(struct app *a, enum tui_attr attr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
	a->status_attr = attr;
}

/* --- the transcript pane -------------------------------------------------- */

static void
pane_add(struct pane *p, const char *s, size_t n, enum tui_attr attr)
{
	size_t slot = (p->head + p->n) % PANE_LINES;
	char *copy = strndup(s, n);

	if (copy == NULL)
		return;
	if (p->n == PANE_LINES) {
		free(p->line[p->head]);
		p->line[p->head] = copy;
		p->attr[p->head] = attr;
		p->head = (p->head + 1) % PANE_LINES;
		return;
	}
	p->line[slot] = copy;
	p->attr[slot] = attr;
	p->n++;
}

static void
pane_free(struct pane *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->line[(p->head + i) % PANE_LINES]);
	p->n = 0;
}

/* A transcript writer: every event but the data as a line of the pane. */
static void
pane_writer(void *arg, const struct tr_event *ev)
{
	struct pane *p = arg;
	struct buf b;
	enum tui_attr attr;

	if (ev->kind == TR_DATA || ev->kind == TR_STATE)
		return;
	buf_init(&b, 64 * 1024);
	if (transcript_format(ev, &b) == 0) {
		switch (ev->kind) {
		case TR_CLIENT:
			attr = TUI_CLIENT;
			break;
		case TR_SERVER:
			attr = TUI_SERVER;
			break;
		case TR_WARN:
		case TR_ERROR:
			attr = TUI_ERROR;
			break;
		default:
			attr = TUI_INFO;
			break;
		}
		pane_add(p, buf_str(&b), b.len, attr);
	}
	buf_free(&b);
}

/* A transcript writer for the connection's log in the outbox. */
static void
log_writer(void *arg, const struct tr_event *ev)
{
	struct sending *sn = arg;
	size_t len = sn->logb.len;

	if (ev->kind == TR_DATA)
		return;
	if (transcript_format(ev, &sn->logb) < 0 ||
	    buf_addch(&sn->logb, '\n') < 0)
		buf_truncate(&sn->logb, len);
}

static void
log_flush(struct sending *sn)
{
	outbox_log_write(sn->lg, buf_str(&sn->logb), sn->logb.len);
	buf_reset(&sn->logb);
}

/* --- the folders ---------------------------------------------------------- */

static void
list_free(struct app *a)
{
	size_t i;

	for (i = 0; i < a->nlist; i++) {
		free(a->list[i].id);
		free(a->list[i].who);
		free(a->list[i].subject);
	}
	free(a->list);
	a->list = NULL;
	a->nlist = 0;
}

/* The value of the first field name in the header of h[0..n), unfolded; NULL: none. */
static char *
header_value(const char *h, size_t n, const char *name)
{
	size_t nl = strlen(name), i = 0, j;
	struct buf v;

	while (i < n) {
		if (h[i] == '\n' || (h[i] == '\r' && i + 1 < n && h[i + 1] ==
		    '\n'))
			return NULL;  /* the end of the header */
		if (n - i > nl && strncasecmp(h + i, name, nl) == 0 &&
		    h[i + nl] == ':') {
			buf_init(&v, 2048);
			/* The value without the white space around it. */
			for (j = i + nl + 1; j < n && (h[j] == ' ' ||
			    h[j] == '\t'); j++)
				;
			for (; j < n; j++) {
				if (h[j] == '\r')
					continue;
				if (h[j] == '\n') {
					if (j + 1 < n && (h[j + 1] == ' ' ||
					    h[j + 1] == '\t'))
						continue;
					break;
				}
				if (buf_addch(&v, h[j]) < 0)
					break;
			}
			while (v.len > 0 && (v.data[v.len - 1] == ' ' ||
			    v.data[v.len - 1] == '\t'))
				buf_truncate(&v, v.len - 1);
			return v.data != NULL ? v.data : strdup("");
		}
		while (i < n && h[i] != '\n')
			i++;
		i++;
	}
	return NULL;
}

static char *field(const char *h, size_t n, const char *name);

static void
load_folder(struct app *a)
{
	struct maildir *md;
	char **names = NULL, **warn = NULL, *path = NULL, head[HEAD_READ];
	size_t n = 0, nw = 0, i, k, first;
	ssize_t r;
	int f, fd;

	list_free(a);
	a->cursor = 0;
	for (f = 0; f < 4; f++) {
		md = outbox_folder(a->ob, (enum outbox_folder)f);
		if (maildir_list(md, &names, &n, &warn, &nw, NULL) != ERR_OK)
			continue;
		maildir_free_list(warn, nw);
		a->count[f] = n;
		if (f != a->folder) {
			maildir_free_list(names, n);
			continue;
		}
		/* The newest first, at most LIST_MAX of them. */
		first = n > LIST_MAX ? n - LIST_MAX : 0;
		if ((a->list = calloc(n - first + 1, sizeof(*a->list))) ==
		    NULL) {
			maildir_free_list(names, n);
			continue;
		}
		for (i = n; i > first; i--) {
			k = a->nlist;
			a->list[k].id = names[i - 1];
			names[i - 1] = NULL;
			a->nlist++;
			if (maildir_find(md, a->list[k].id, &path, NULL) !=
			    ERR_OK)
				continue;
			fd = open(path, O_RDONLY | O_CLOEXEC);
			free(path);
			path = NULL;
			if (fd < 0)
				continue;
			r = read(fd, head, sizeof(head));
			(void)close(fd);
			if (r <= 0)
				continue;
			/* Every folder here holds our own mail: who it is to. */
			a->list[k].who = field(head, (size_t)r, "To");
			a->list[k].subject = field(head, (size_t)r,
			    "Subject");
		}
		maildir_free_list(names, n);
	}
}

/* --- drawing -------------------------------------------------------------- */

static int
pane_height(const struct app *a)
{
	int h = a->pane.height;

	if (!a->pane.shown)
		return 0;
	if (a->pane.full)
		return tui_rows() - 3;
	if (h > tui_rows() - 6)
		h = tui_rows() - 6;
	return h > 2 ? h : 0;
}

static void
draw_pane(const struct app *a, int top, int h)
{
	size_t first, i;
	int y;

	if (h <= 0)
		return;
	tui_clear_line(top, TUI_BAR);
	(void)tui_str(top, 1, tui_cols() - 2, _("SMTP transcript (v: hide, "
	    "V: full screen, +/-: size)"), TUI_BAR);
	first = a->pane.n > (size_t)(h - 1) ? a->pane.n - (size_t)(h - 1) : 0;
	first = first > a->pane.scroll ? first - a->pane.scroll : 0;
	for (y = top + 1; y < top + h; y++) {
		tui_clear_line(y, TUI_NORMAL);
		i = first + (size_t)(y - top - 1);
		if (i < a->pane.n)
			(void)tui_escaped(y, 0, tui_cols(),
			    a->pane.line[(a->pane.head + i) % PANE_LINES],
			    a->pane.attr[(a->pane.head + i) % PANE_LINES]);
	}
}

/* While the data goes: bytes sent of the total, the rate, a bar. */
static void
draw_progress(const struct app *a, int y)
{
	const struct sending *sn = a->snd;
	unsigned long long done = session_bytes_sent(sn->s) - sn->sent0;
	double secs = (double)(util_now_us() - sn->t0) / 1e6;
	char line[256], bar[41];
	int filled, i, x;

	if (done > sn->env.size)
		done = sn->env.size;
	filled = (int)((double)done * 40.0 / (double)sn->env.size);
	for (i = 0; i < 40; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[40] = '\0';
	(void)snprintf(line, sizeof(line), _("sending: %.1f of %.1f MB, "
	    "%.1f MB/s "), (double)done / 1e6, (double)sn->env.size / 1e6,
	    secs > 0.001 ? (double)done / 1e6 / secs : 0.0);
	x = tui_str(y, 0, tui_cols(), line, TUI_NORMAL);
	(void)tui_str(y, x, tui_cols() - x, bar, TUI_INFO);
}

static void
draw_bars(const struct app *a, const char *title, const char *help)
{
	int rows = tui_rows();

	tui_bars(title, help);
	tui_clear_line(rows - 1, TUI_NORMAL);
	if (a->snd != NULL && a->snd->started && !a->snd->recorded &&
	    a->snd->env.size > 0)
		draw_progress(a, rows - 1);
	else
		(void)tui_str(rows - 1, 0, tui_cols(), a->status,
		    a->status_attr);
}

static void
draw_main(const struct app *a)
{
	char title[512], line[128];
	int rows = tui_rows(), ph = pane_height(a), y, f, x;
	size_t i;

	(void)snprintf(title, sizeof(title), _("pigeon %s  account %s  %s"),
	    VERSION, a->c.acct != NULL ? a->c.acct->name : "-",
	    a->c.acct != NULL && a->c.acct->from != NULL ? a->c.acct->from :
	    "");
	for (y = 1; y < rows - 2 - ph; y++)
		tui_clear_line(y, TUI_NORMAL);
	x = 1;
	for (f = 0; f < 4; f++) {
		(void)snprintf(line, sizeof(line), " %s (%zu) ",
		    _(folder_label[f]), a->count[f]);
		x += tui_str(1, x, tui_cols() - x, line, f == a->folder ?
		    TUI_SELECTED : TUI_NORMAL) + 1;
	}
	y = 3;
	/* Keep the cursor line in view. */
	i = a->cursor >= (size_t)(rows - 5 - ph) && rows - 5 - ph > 0 ?
	    a->cursor - (size_t)(rows - 6 - ph) : 0;
	for (; i < a->nlist && y < rows - 2 - ph; i++, y++) {
		enum tui_attr at = i == a->cursor ? TUI_SELECTED : TUI_NORMAL;

		if (i == a->cursor)
			tui_clear_line(y, TUI_SELECTED);
		(void)tui_str(y, 1, 30, a->list[i].who != NULL ?
		    a->list[i].who : "", at);
		(void)tui_str(y, 33, tui_cols() - 34, a->list[i].subject !=
		    NULL ? a->list[i].subject : _("(no subject)"), at);
	}
	if (a->nlist == 0 && y < rows - 2 - ph)
		(void)tui_str(y, 1, tui_cols() - 2, _("(no messages)"),
		    TUI_INFO);
	draw_pane(a, rows - 2 - ph, ph);
	draw_bars(a, title, _("m:compose  R:resume draft  Tab:folder  "
	    "j/k:message  Enter:open  ?:help  q:quit"));
}

static void
draw_field(int y, const char *label, const char *value)
{
	int x;

	tui_clear_line(y, TUI_NORMAL);
	x = tui_str(y, 1, 12, label, TUI_LABEL);
	(void)tui_str(y, 1 + (x > 11 ? x : 11), tui_cols() - 14,
	    value != NULL ? value : "", TUI_NORMAL);
}

/* The start of the text, read once after each edit, not at every redraw. */
static void
load_shown(struct compose *cm)
{
	struct buf b, u;
	int fd;

	buf_init(&b, 64 * 1024);
	if ((fd = open(cm->body_path, O_RDONLY | O_CLOEXEC)) >= 0) {
		/* The beginning is enough to show. */
		(void)buf_read_fd(&b, fd);
		(void)close(fd);
	}
	/* Written in the locale's charset: shown as the UTF-8 it stands for. */
	buf_free(&cm->shown);
	buf_init(&cm->shown, 4 * 64 * 1024);
	buf_init(&u, 4 * 64 * 1024);
	if (!charset_utf8_valid(buf_str(&b), b.len, NULL) &&
	    charset_to_utf8(&u, buf_str(&b), b.len, charset_locale(), NULL) ==
	    ERR_OK)
		(void)buf_add(&cm->shown, buf_str(&u), u.len);
	else
		(void)buf_add(&cm->shown, buf_str(&b), b.len);
	buf_free(&u);
	buf_free(&b);
	cm->shown_ok = 1;
}

static void
draw_compose(const struct app *a)
{
	/* Not const: the shown text is loaded when needed. */
	struct compose *cm = a->cmp;
	int rows = tui_rows(), ph = pane_height(a), y, top;
	const char *line, *end;
	size_t i;

	draw_field(1, _("From:"), a->c.acct != NULL ? a->c.acct->from : "");
	draw_field(2, _("To:"), cm->to);
	draw_field(3, _("Cc:"), cm->cc);
	draw_field(4, _("Bcc:"), cm->bcc);
	draw_field(5, _("Subject:"), cm->subject);
	draw_field(6, _("Reply-To:"), cm->reply_to);
	for (y = 7; y < rows - 2 - ph; y++)
		tui_clear_line(y, TUI_NORMAL);
	/* The attachments, the one D, T and d act on marked. */
	for (i = 0, y = 7; i < cm->natt && y < rows - 3 - ph; i++, y++) {
		char info[256];
		int x;

		x = tui_str(y, 1, 3, i == cm->sel ? ">" : " ", TUI_LABEL);
		(void)snprintf(info, sizeof(info), "[%zu] ", i + 1);
		x += tui_str(y, 1 + x, 8, info, TUI_NORMAL);
		x += tui_str(y, 1 + x, tui_cols() - 30 - x, cm->att[i].path,
		    i == cm->sel ? TUI_SELECTED : TUI_NORMAL);
		(void)snprintf(info, sizeof(info), "  (%s, %s)",
		    cm->att[i].type != NULL ? cm->att[i].type : _("type from "
		    "the name"), cm->att[i].show_inline ? _("inline") :
		    _("attachment"));
		(void)tui_str(y, 1 + x, tui_cols() - 2 - x, info, TUI_INFO);
	}
	(void)tui_str(y, 1, tui_cols() - 2, _("-- text --"), TUI_INFO);
	top = y + 1;
	if (!cm->shown_ok)
		load_shown(cm);
	/* Each line of the text, empty ones too. */
	for (y = top, line = cm->shown.data; line != NULL && *line != '\0' &&
	    y < rows - 2 - ph; y++) {
		end = strchr(line, '\n');
		(void)tui_text(y, 1, tui_cols() - 2, line, end != NULL ?
		    (size_t)(end - line) : strlen(line), TUI_NORMAL);
		line = end != NULL ? end + 1 : NULL;
	}
	draw_pane(a, rows - 2 - ph, ph);
	draw_bars(a, a->snd != NULL ? _("Sending... (C-g: stop)") :
	    _("Compose"), _("y:send  tcbsr:header  e:text  a:attach  "
	    "p:preview  P:postpone  q:abort  ?:help"));
}

static void
draw(const struct app *a)
{
	if (a->cmp != NULL)
		draw_compose(a);
	else
		draw_main(a);
	tui_flush();
}

static void pager(struct app *a, const char *title, const char *text,
    size_t n);

static void
show_help(struct app *a)
{
	static const char *const lines[] = {
		N_("Folders"),
		N_("  m        compose a new message"),
		N_("  R        resume a draft (the marked one in drafts, else "
		    "the newest)"),
		N_("  A        the accounts: add, edit, delete, test"),
		N_("  Tab      next folder (Left, Right too)"),
		N_("  j k      next / previous message (Up, Down too)"),
		N_("  Enter    read the message, with its transcripts"),
		N_("  H        the message as it is filed (raw MIME)"),
		N_("  e        a new message from this one (a draft: edit it)"),
		N_("  d        delete the message (asks)"),
		N_("  r        send a queued message now (outbox)"),
		N_("  v        show or hide the SMTP transcript"),
		N_("  V        the transcript on the whole screen"),
		N_("  + -      a bigger or smaller transcript pane"),
		N_("  PgUp PgDn  scroll the transcript"),
		N_("  / n      search the transcript (older lines), again"),
		N_("  S        save the transcript to a file"),
		N_("  q        quit"),
		"",
		N_("Compose"),
		N_("  t c b    To, Cc, Bcc"),
		N_("  s r      Subject, Reply-To"),
		N_("  e        edit the text again ($VISUAL, $EDITOR)"),
		N_("  a        attach a file (Tab completes the path)"),
		N_("  D T d    detach, set the type, inline or not (the"
		    " marked one; Up and Down move the mark)"),
		N_("  p        preview the message as it will go out"),
		N_("  f        send with another account (From, server, login)"),
		N_("  y        send (the message goes to the outbox first)"),
		N_("  P        postpone: save it as a draft"),
		N_("  q        abort (keeps a draft unless you say no)"),
		N_("  C-g      stop a send in progress (it stays queued)"),
		"",
		N_("Line editing: C-a C-e C-b C-f C-d C-h C-k C-u C-w,"
		    " arrows; C-g cancels"),
	};
	struct buf b;
	size_t i;

	/* In the pager: at 80x24 it is longer than the screen. */
	buf_init(&b, 64 * 1024);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		(void)buf_printf(&b, "%s\n", lines[i][0] != '\0' ?
		    _(lines[i]) : "");
	pager(a, _("Keys"), buf_str(&b), b.len);
	buf_free(&b);
}

/* --- composing ------------------------------------------------------------ */

static void
compose_free(struct compose *cm)
{
	if (cm == NULL)
		return;
	if (cm->body_path != NULL)
		(void)unlink(cm->body_path);
	free(cm->to);
	free(cm->cc);
	free(cm->bcc);
	free(cm->subject);
	free(cm->reply_to);
	free(cm->body_path);
	while (cm->natt > 0) {
		cm->natt--;
		if (cm->att[cm->natt].owned)
			(void)unlink(cm->att[cm->natt].path);
		free(cm->att[cm->natt].path);
		free(cm->att[cm->natt].type);
	}
	free(cm->att);
	free(cm->draft_id);
	buf_free(&cm->shown);
	free(cm);
}

/* A private file for the text: $TMPDIR/pigeon-text-XXXXXX, mode 0600. */
static char *
body_file(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = util_strf("%s/pigeon-text-XXXXXX", dir != NULL &&
	    *dir == '/' ? dir : "/tmp");
	int fd;

	if (path == NULL)
		return NULL;
	if ((fd = mkstemp(path)) < 0) {
		free(path);
		return NULL;
	}
	(void)close(fd);
	return path;
}

/* $VISUAL, else $EDITOR, else the built-in one, on path; 0, or -1 with the status line set. */
static int
run_editor(struct app *a, const char *path)
{
	const char *ed = getenv("VISUAL");
	char *cmd;
	pid_t pid;
	int st = 0;

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0') {
		if (ui_edit_text(path, _("The text (no $VISUAL or $EDITOR: "
		    "pigeon's own editor)")) < 0) {
			set_status(a, TUI_ERROR, _("cannot keep the text in %s: "
			    "%s"), path, strerror(errno));
			return -1;
		}
		return 0;
	}
	/* As mutt does: the editor setting is a shell command. */
	if ((cmd = util_strf("%s \"$1\"", ed)) == NULL)
		return -1;
	tui_suspend();
	pid = fork();
	if (pid == 0) {
		(void)execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	tui_resume();
	free(cmd);
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		set_status(a, TUI_ERROR, _("the editor (%s) failed; the text "
		    "is kept"), ed);
		return -1;
	}
	return 0;
}

/* The composition changed: autosave it soon. */
static void
changed(struct app *a)
{
	a->cmp->dirty = 1;
	a->cmp->changed_us = util_now_us();
}

/* The text in an editor; the compose screen shows it anew, autosave follows. */
static void
edit_text(struct app *a)
{
	(void)run_editor(a, a->cmp->body_path);
	a->cmp->shown_ok = 0;
	changed(a);
}

/*
 * Edit a header line; the old value stays when the user cancels.  addrs:
 * Tab completes aliases.
 */
static void
edit_field(struct app *a, char **field, const char *label, int addrs)
{
	char *v = tui_readline_complete(tui_rows() - 1, label, *field,
	    addrs ? complete_addr : NULL);

	if (v == NULL) {
		if (tui_stop_signal() == 0)
			set_status(a, TUI_NORMAL, "%s", "");
		return;
	}
	if (*field == NULL || strcmp(*field, v) != 0)
		changed(a);
	free(*field);
	*field = v;
}

/* Parse a list of addresses typed by the user; 0, or -1 with the status line set. */
static int
parse_addrs(struct app *a, struct addr_list *l, const char *what,
    const char *s)
{
	char *why = NULL, *x;

	if (s == NULL || *s == '\0')
		return 0;
	/* A bare alias name stands for its addresses, as in mutt. */
	if ((x = alias_expand(ui_aliases, s)) == NULL)
		return -1;
	if (addr_list_parse(l, x, strlen(x), &why) != ERR_OK) {
		set_status(a, TUI_ERROR, "%s: %s", what, why != NULL ? why :
		    _("not an address"));
		free(why);
		free(x);
		return -1;
	}
	free(x);
	return 0;
}

/* The envelope and header of the message being composed. */
struct built {
	struct addr_list from, to, cc, bcc, rt;
	struct mime_msg mm;
	char date[64], ua[64], *msgid;
	int attach_word;           /* the text speaks of an attachment */
	/* A draft keeps address fields that do not parse (yet) as X-Pigeon-*. */
	struct mime_field kept[4];
	size_t nkept;
};

/* The header fields a draft keeps as typed when they do not parse. */
static const char *const kept_name[] = {
	"X-Pigeon-To", "X-Pigeon-Cc", "X-Pigeon-Bcc", "X-Pigeon-Reply-To",
};

/* Does the text say "attach" (attached, attachment) outside quoted lines? */
static int
text_mentions_attach(const char *p, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		j = i;
		while (j < n && p[j] != '\n')
			j++;
		if (p[i] != '>') {
			size_t k;

			for (k = i; k + 6 <= j; k++)
				if (strncasecmp(p + k, "attach", 6) == 0)
					return 1;
		}
		i = j + 1;
	}
	return 0;
}

/* The text and the attachments under one multipart/mixed; 0 or -1 (status set). */
static int
add_attachments(struct app *a, struct built *b)
{
	const struct compose *cm = a->cmp;
	struct mimetypes *mt = NULL;
	struct mime_part *mixed = NULL, *p = NULL;
	char *why = NULL;
	enum err e;
	size_t i;

	if ((e = mimetype_load(&mt, NULL, &why)) != ERR_OK ||
	    (e = mime_multipart(&mixed, "mixed")) != ERR_OK ||
	    (e = mime_add(mixed, b->mm.root)) != ERR_OK)
		goto fail;
	b->mm.root = mixed;
	for (i = 0; i < cm->natt; i++) {
		if ((e = mime_file(&p, cm->att[i].path, cm->att[i].type,
		    cm->att[i].show_inline ? MIME_INLINE : MIME_ATTACHMENT, mt,
		    &why)) != ERR_OK || (e = mime_add(mixed, p)) != ERR_OK) {
			mime_free(p);
			mixed = NULL;
			goto fail;
		}
		p = NULL;
	}
	mimetype_free(mt);
	return 0;
fail:
	if (mixed != NULL && b->mm.root != mixed)
		mime_free(mixed);
	mimetype_free(mt);
	set_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
	free(why);
	return -1;
}

static void
built_free(struct built *b)
{
	addr_list_free(&b->from);
	addr_list_free(&b->to);
	addr_list_free(&b->cc);
	addr_list_free(&b->bcc);
	addr_list_free(&b->rt);
	mime_free(b->mm.root);
	free(b->msgid);
}

/*
 * Check what was composed and make the MIME message of it; 0, or -1 with
 * the status line set (nothing is lost: the compose screen stays).
 */
static int
build(struct app *a, struct built *b, int for_draft)
{
	const struct compose *cm = a->cmp;
	struct addr_list *lists[4];
	const char *typed[4], *what[4];
	struct buf text, utf;
	char *why = NULL;
	const char *at;
	enum err e;
	int fd, r = -1, k;

	memset(b, 0, sizeof(*b));
	if (a->c.acct == NULL || a->c.acct->from == NULL) {
		set_status(a, TUI_ERROR, _("the account has no From address "
		    "(set from in the config file)"));
		return -1;
	}
	if (parse_addrs(a, &b->from, _("From"), a->c.acct->from) < 0)
		return -1;
	lists[0] = &b->to;
	lists[1] = &b->cc;
	lists[2] = &b->bcc;
	lists[3] = &b->rt;
	typed[0] = cm->to;
	typed[1] = cm->cc;
	typed[2] = cm->bcc;
	typed[3] = cm->reply_to;
	what[0] = _("To");
	what[1] = _("Cc");
	what[2] = _("Bcc");
	what[3] = _("Reply-To");
	for (k = 0; k < 4; k++) {
		if (parse_addrs(a, lists[k], what[k], typed[k]) == 0)
			continue;
		/* Not for sending; a draft keeps it as typed, to fix later. */
		addr_list_free(lists[k]);
		if (!for_draft)
			return -1;
		b->kept[b->nkept].name = kept_name[k];
		b->kept[b->nkept++].value = typed[k];
	}
	b->mm.extra = b->kept;
	b->mm.nextra = b->nkept;
	if (b->from.n != 1) {
		set_status(a, TUI_ERROR, _("the sender must be one address"));
		return -1;
	}
	buf_init(&text, BODY_MAX);
	buf_init(&utf, BODY_MAX);
	if ((fd = open(cm->body_path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    buf_read_fd(&text, fd) < 0) {
		set_status(a, TUI_ERROR, _("cannot read the text: %s"),
		    strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		goto out;
	}
	(void)close(fd);
	if (charset_utf8_valid(buf_str(&text), text.len, NULL))
		e = buf_add(&utf, buf_str(&text), text.len) < 0 ? ERR_NOMEM :
		    ERR_OK;
	else
		e = charset_to_utf8(&utf, buf_str(&text), text.len,
		    charset_locale(), &why);
	if (e == ERR_OK)
		e = mime_text(&b->mm.root, "plain", buf_str(&utf), utf.len,
		    a->c.acct->send_charset, &why);
	if (e != ERR_OK) {
		set_status(a, TUI_ERROR, _("the text: %s"), why != NULL ? why :
		    err_str(e));
		goto out;
	}
	if (cm->natt > 0 && add_attachments(a, b) < 0)
		goto out;
	b->attach_word = text_mentions_attach(buf_str(&utf), utf.len);
	if (cm->subject != NULL && *cm->subject != '\0' &&
	    mime_check_value("Subject", cm->subject, &why) != ERR_OK) {
		set_status(a, TUI_ERROR, "%s", why != NULL ? why : "?");
		goto out;
	}
	if (msg_date(b->date, sizeof(b->date)) < 0)
		goto out;
	at = strrchr(b->from.v[0].spec, '@');
	if ((b->msgid = msg_make_id(at != NULL && charset_is_ascii(at + 1,
	    strlen(at + 1)) ? at + 1 : NULL)) == NULL)
		goto out;
	(void)snprintf(b->ua, sizeof(b->ua), "pigeon/%s", VERSION);
	b->mm.from = &b->from.v[0];
	b->mm.to = b->to.v;
	b->mm.nto = b->to.n;
	b->mm.cc = b->cc.v;
	b->mm.ncc = b->cc.n;
	b->mm.reply_to = b->rt.v;
	b->mm.nreply_to = b->rt.n;
	b->mm.subject = cm->subject != NULL && *cm->subject != '\0' ?
	    cm->subject : NULL;
	b->mm.date = b->date;
	b->mm.message_id = b->msgid;
	b->mm.user_agent = b->ua;
	r = 0;
out:
	free(why);
	buf_free(&text);
	buf_free(&utf);
	return r;
}

/* Write the draft: over the one it was saved in before, else as a new one. */
static enum err
write_draft(struct app *a, struct built *b, char **why)
{
	struct maildir *md = outbox_folder(a->ob, OUTBOX_DRAFTS);
	struct compose *cm = a->cmp;
	struct maildir_tx tx;
	struct mime_result mr;
	enum err e = ERR_NOINPUT;

	if (cm->draft_id != NULL) {
		e = maildir_replace_begin(md, cm->draft_id, &tx, why);
		if (e == ERR_OK &&
		    (e = mime_write(&b->mm, tx.fd, 1, &mr, why)) == ERR_OK)
			e = maildir_replace_commit(md, &tx, why);
		if (e != ERR_OK)
			maildir_abort(md, &tx);
		free(tx.name);
		if (e != ERR_NOINPUT)
			return e;
		/* Deleted meanwhile: a new one. */
		free(*why);
		*why = NULL;
	}
	if ((e = maildir_begin(md, NULL, &tx, why)) == ERR_OK &&
	    (e = mime_write(&b->mm, tx.fd, 1, &mr, why)) == ERR_OK)
		e = maildir_commit(md, &tx, "D", why);
	if (e != ERR_OK) {
		maildir_abort(md, &tx);
		free(tx.name);
		return e;
	}
	free(cm->draft_id);
	cm->draft_id = tx.name;
	return ERR_OK;
}

/*
 * Save the message as a draft, Bcc kept; 0, or -1 with the status line
 * set.  quietly: an autosave, said in fewer words.
 */
static int
postpone(struct app *a, int quietly)
{
	struct built b;
	char *why = NULL;
	enum err e;

	/* Addresses that do not parse yet do not keep a draft from being saved. */
	if (build(a, &b, 1) < 0) {
		built_free(&b);
		return -1;
	}
	b.mm.bcc = b.bcc.v;
	b.mm.nbcc = b.bcc.n;
	e = write_draft(a, &b, &why);
	if (e != ERR_OK)
		set_status(a, TUI_ERROR, _("the draft could not be saved: %s"),
		    why != NULL ? why : err_str(e));
	else if (quietly)
		set_status(a, TUI_NORMAL, _("draft saved"));
	else
		set_status(a, TUI_NORMAL, _("saved as draft %s"),
		    a->cmp->draft_id);
	if (e == ERR_OK)
		a->cmp->dirty = 0;
	free(why);
	built_free(&b);
	return e == ERR_OK ? 0 : -1;
}

/* The draft of a composition that was sent or thrown away goes. */
static void
drop_draft(struct app *a)
{
	if (a->cmp->draft_id != NULL)
		(void)drafts_delete(outbox_folder(a->ob, OUTBOX_DRAFTS),
		    a->cmp->draft_id, NULL);
}

static void
compose_close(struct app *a)
{
	compose_free(a->cmp);
	a->cmp = NULL;
	load_folder(a);
}

/* --- sending -------------------------------------------------------------- */

static int64_t
lifetime(const struct app *a)
{
	int days = a->c.acct != NULL && a->c.acct->queue_lifetime > 0 ?
	    a->c.acct->queue_lifetime : 5;

	return (int64_t)days * DAY;
}

static void
sending_free(struct app *a)
{
	struct sending *sn = a->snd;
	char *why = NULL;

	if (sn == NULL)
		return;
	transcript_unsubscribe(a->c.tr, log_writer, sn);
	log_flush(sn);
	(void)outbox_log_close(sn->lg, &why);
	free(why);
	session_free(sn->s);
	if (sn->fd >= 0)
		(void)close(sn->fd);
	outbox_release(a->ob, &sn->it);
	qentry_free(&sn->q);
	free(sn->rcpts);
	buf_free(&sn->logb);
	free(sn);
	a->snd = NULL;
}

/* File the attempt and tell the user. */
static void
sending_record(struct app *a, const struct smtp_result *r, enum err err,
    const char *why)
{
	struct sending *sn = a->snd;
	enum outbox_outcome oc;
	char *errstr = NULL;

	if (sn->recorded)
		return;
	sn->recorded = 1;
	log_flush(sn);
	if (outbox_record(a->ob, &sn->q, r, err, why, sn->lg, sn->from,
	    (int64_t)time(NULL), lifetime(a), &oc, &errstr) != ERR_OK) {
		set_status(a, TUI_ERROR, _("the result could not be filed: %s"),
		    errstr != NULL ? errstr : "?");
		free(errstr);
		return;
	}
	free(errstr);
	switch (oc) {
	case OUTCOME_SENT:
		set_status(a, TUI_NORMAL, _("sent %s%s%s%s"), sn->q.id,
		    sn->q.queue_id != NULL ? _(" (server queue id ") : "",
		    sn->q.queue_id != NULL ? sn->q.queue_id : "",
		    sn->q.queue_id != NULL ? ")" : "");
		break;
	case OUTCOME_PARTIAL:
		set_status(a, TUI_ERROR, _("sent %s, but some recipients were "
		    "refused (see the transcript)"), sn->q.id);
		break;
	case OUTCOME_QUEUED:
		set_status(a, TUI_ERROR, _("queued, not sent yet: %s"),
		    sn->q.last_error != NULL ? sn->q.last_error : err_str(err));
		break;
	case OUTCOME_FAILED:
		set_status(a, TUI_ERROR, _("failed, in the failed folder: %s"),
		    sn->q.last_error != NULL ? sn->q.last_error : err_str(err));
		break;
	}
}

static void start_session(struct app *a);

/*
 * Does the account log in as an address of another domain than From's?
 * Many servers then refuse the message or put the login in From.
 */
static int
from_not_login(const struct app *a, const struct built *b)
{
	const char *user = a->c.rt.so.smtp.user, *ua, *fa;

	if (user == NULL || (ua = strrchr(user, '@')) == NULL ||
	    b->from.n != 1 || (fa = strrchr(b->from.v[0].spec, '@')) == NULL)
		return 0;
	return strcasecmp(ua, fa) != 0;
}

/* Queue what was composed and start sending it; the compose screen closes. */
static void
send_now(struct app *a)
{
	struct sending *sn;
	struct mime_result mr;
	struct built b;
	char *why = NULL;
	size_t i, n = 0;
	enum err e;
	int ok;

	if (a->snd != NULL) {
		set_status(a, TUI_ERROR, _("a message is being sent; wait for "
		    "it or stop it with C-g"));
		return;
	}
	if (build(a, &b, 0) < 0) {
		built_free(&b);
		return;
	}
	if (b.to.n + b.cc.n + b.bcc.n == 0) {
		set_status(a, TUI_ERROR, _("no recipients"));
		built_free(&b);
		return;
	}
	if (b.mm.subject == NULL) {
		ok = tui_yesno(tui_rows() - 1, _("No subject. Send anyway? "
		    "(y/n) "), 0);
		if (ok != 1) {
			built_free(&b);
			return;
		}
	}
	if (from_not_login(a, &b)) {
		ok = tui_yesno(tui_rows() - 1, _("The From address is not the "
		    "login's: the server may refuse or rewrite it. Send anyway? "
		    "(y/n) "), 0);
		if (ok != 1) {
			built_free(&b);
			return;
		}
	}
	if (b.attach_word && a->cmp->natt == 0) {
		ok = tui_yesno(tui_rows() - 1, _("The text speaks of an "
		    "attachment, but there is none. Send anyway? (y/n) "), 0);
		if (ok != 1) {
			built_free(&b);
			return;
		}
	}
	if ((sn = calloc(1, sizeof(*sn))) == NULL) {
		built_free(&b);
		return;
	}
	sn->fd = -1;
	qentry_init(&sn->q);
	buf_init(&sn->logb, 4 * 1024 * 1024);
	a->snd = sn;
	/* Into the outbox, on disk before any network I/O; no 8bit, no rewrite. */
	if ((e = outbox_begin(a->ob, &sn->it, &why)) != ERR_OK ||
	    (e = mime_write(&b.mm, sn->it.tx.fd, 0, &mr, &why)) != ERR_OK)
		goto fail;
	if ((sn->rcpts = calloc(b.to.n + b.cc.n + b.bcc.n, sizeof(char *))) ==
	    NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
	for (i = 0; i < b.to.n; i++)
		sn->rcpts[n++] = b.to.v[i].spec;
	for (i = 0; i < b.cc.n; i++)
		sn->rcpts[n++] = b.cc.v[i].spec;
	for (i = 0; i < b.bcc.n; i++)
		sn->rcpts[n++] = b.bcc.v[i].spec;
	n = cli_dedupe(sn->rcpts, n);
	e = ERR_NOMEM;
	if ((sn->q.account = strdup(a->c.acct->name)) == NULL ||
	    (sn->q.from = strdup(b.from.v[0].spec)) == NULL ||
	    (a->c.acct->dsn_notify != NULL && (sn->q.dsn_notify =
	    strdup(a->c.acct->dsn_notify)) == NULL) ||
	    (a->c.acct->dsn_return != NULL && (sn->q.dsn_ret =
	    strdup(a->c.acct->dsn_return)) == NULL))
		goto fail;
	for (i = 0; i < n; i++)
		if ((e = qentry_add_rcpt(&sn->q, sn->rcpts[i])) != ERR_OK)
			goto fail;
	sn->q.created = (int64_t)time(NULL);
	sn->q.size = (int64_t)mr.wire_size;
	if ((e = outbox_commit(a->ob, &sn->it, &sn->q, &why)) != ERR_OK)
		goto fail;
	built_free(&b);
	/* In the outbox now: the draft has served. */
	drop_draft(a);
	/* The recipients of the envelope point into the entry now. */
	sn->env.nrcpts = outbox_pending(&sn->q, sn->rcpts, n);
	sn->env.from = sn->q.from;
	sn->env.rcpts = sn->rcpts;
	sn->env.dsn_notify = sn->q.dsn_notify;
	sn->env.dsn_ret = sn->q.dsn_ret;
	compose_close(a);
	free(why);
	start_session(a);
	return;
fail:
	set_status(a, TUI_ERROR, _("the message could not be queued: %s"),
	    why != NULL ? why : err_str(e));
	free(why);
	built_free(&b);
	sending_free(a);
}

/* The entry of a->snd is queued and locked: connect, with the pane open. */
static void
start_session(struct app *a)
{
	struct sending *sn = a->snd;
	char *why = NULL;
	enum err e;

	a->pane.shown = 1;
	pane_add(&a->pane, "", 0, TUI_INFO);
	if (outbox_log_open(a->ob, &sn->lg, &why) != ERR_OK) {
		free(why);
		why = NULL;
		sn->lg = NULL;
	}
	(void)transcript_subscribe(a->c.tr, log_writer, sn);
	set_status(a, TUI_NORMAL, _("sending %s... (C-g: stop; it stays "
	    "queued)"), sn->q.id);
	if ((e = session_open(&sn->s, &a->c.rt.so, a->c.tr, &why)) != ERR_OK) {
		sending_record(a, NULL, e, why);
		sending_free(a);
	}
	free(why);
}

/* The session moved on: start the message, file its result, finish. */
static void
sending_progress(struct app *a)
{
	struct sending *sn = a->snd;
	enum session_status st = session_status(sn->s);
	const char *detail = NULL;
	char *why = NULL;
	struct stat sb;
	enum err e;

	if (st == SESSION_READY && !sn->started) {
		sn->started = 1;
		if ((e = outbox_message(a->ob, &sn->q, &sn->fd, &why)) !=
		    ERR_OK || fstat(sn->fd, &sb) < 0) {
			sending_record(a, NULL, e != ERR_OK ? e : ERR_IO, why);
			free(why);
			session_quit(sn->s);
			return;
		}
		sn->env.size = sn->q.size > 0 ? (uint64_t)sn->q.size :
		    (uint64_t)sb.st_size;
		log_flush(sn);
		outbox_log_prelude(sn->lg);
		sn->from = outbox_log_size(sn->lg);
		sn->done0 = smtp_messages_done(session_smtp(sn->s));
		sn->sent0 = session_bytes_sent(sn->s);
		sn->t0 = util_now_us();
		if ((e = session_send(sn->s, &sn->env, sn->fd, &why)) !=
		    ERR_OK) {
			sending_record(a, NULL, e, why);
			session_quit(sn->s);
		}
		free(why);
		return;
	}
	if (st == SESSION_READY && !sn->recorded) {
		sending_record(a, smtp_result(session_smtp(sn->s)), ERR_OK,
		    NULL);
		session_quit(sn->s);
		return;
	}
	if (st != SESSION_DONE)
		return;
	if (!sn->recorded) {
		e = session_error(sn->s, &detail);
		if (sn->cancelled) {
			e = ERR_CANCEL;
			detail = _("stopped by the user");
		} else if (e == ERR_OK) {
			e = ERR_CLOSED;
		}
		if (sn->started && smtp_messages_done(session_smtp(sn->s)) !=
		    sn->done0) {
			struct smtp_result res = *smtp_result(
			    session_smtp(sn->s));

			sending_record(a, &res, ERR_OK, detail);
		} else if (sn->started) {
			struct smtp_result res = *smtp_result(
			    session_smtp(sn->s));

			res.err = e;
			sending_record(a, &res, ERR_OK, detail);
		} else {
			sending_record(a, NULL, e, detail);
		}
	}
	sending_free(a);
	load_folder(a);
}

/* A send goes on behind prompts and pagers (see tui_background()). */
static int
bg_pollfd(void *arg, int *fd, short *events)
{
	struct app *a = arg;
	struct pollfd p;
	int t;

	*fd = -1;
	*events = 0;
	if (a->snd == NULL || a->snd->s == NULL)
		return -1;
	t = session_pollfd(a->snd->s, &p);
	*fd = p.fd;
	*events = p.events;
	return t;
}

static void
bg_step(void *arg, short revents)
{
	struct app *a = arg;

	if (a->snd == NULL || a->snd->s == NULL)
		return;
	session_step(a->snd->s, revents);
	sending_progress(a);
}

/* --- keys ----------------------------------------------------------------- */

static void
start_compose(struct app *a)
{
	struct compose *cm = calloc(1, sizeof(*cm));
	char *to, *subject;

	if (cm == NULL)
		return;
	if ((to = tui_readline_complete(tui_rows() - 1, _("To: "), NULL,
	    complete_addr)) == NULL ||
	    *to == '\0') {
		free(to);
		free(cm);
		return;
	}
	cm->to = to;
	if ((subject = tui_readline(tui_rows() - 1, _("Subject: "), NULL)) ==
	    NULL) {
		compose_free(cm);
		return;
	}
	cm->subject = subject;
	if ((cm->body_path = body_file()) == NULL) {
		set_status(a, TUI_ERROR, _("cannot create a file for the text: "
		    "%s"), strerror(errno));
		compose_free(cm);
		return;
	}
	a->cmp = cm;
	edit_text(a);
}

/* Tab on a path: the entries of its directory that start with its last part. */
static char *
complete_path(const char *text)
{
	const char *home = getenv("HOME"), *slash;
	char *dirpart, *dir, *best = NULL, *out = NULL;
	size_t plen, blen = 0, k, matches = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	slash = strrchr(text, '/');
	dirpart = slash != NULL ? strndup(text, (size_t)(slash - text) + 1) :
	    strdup("");
	if (dirpart == NULL)
		return NULL;
	if (strncmp(dirpart, "~/", 2) == 0 && home != NULL)
		dir = util_strf("%s%s", home, dirpart + 1);
	else
		dir = strdup(*dirpart != '\0' ? dirpart : "./");
	plen = strlen(slash != NULL ? slash + 1 : text);
	if (dir == NULL || (d = opendir(dir)) == NULL) {
		free(dir);
		free(dirpart);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strncmp(de->d_name, slash != NULL ? slash + 1 : text, plen) !=
		    0)
			continue;
		if (matches++ == 0) {
			best = strdup(de->d_name);
			blen = best != NULL ? strlen(best) : 0;
			continue;
		}
		/* Several: what they have in common. */
		for (k = 0; k < blen && de->d_name[k] == best[k]; k++)
			;
		blen = k;
	}
	(void)closedir(d);
	if (best != NULL && blen > plen) {
		best[blen] = '\0';
		out = util_strf("%s%s", dirpart, best);
		if (out != NULL && matches == 1) {
			char *full = util_strf("%s%s", dir, best);

			if (full != NULL && stat(full, &st) == 0 &&
			    S_ISDIR(st.st_mode)) {
				char *with = util_strf("%s/", out);

				if (with != NULL) {
					free(out);
					out = with;
				}
			}
			free(full);
		}
	}
	free(best);
	free(dir);
	free(dirpart);
	return out;
}

/* a: ask for a file and add it; it must be a regular file we can read. */
static void
attach_file(struct app *a)
{
	struct compose *cm = a->cmp;
	struct attach *v;
	struct stat st;
	const char *home = getenv("HOME"), *why = NULL;
	char *path = tui_readline_complete(tui_rows() - 1, _("Attach file: "),
	    NULL, complete_path), *full;

	if (path == NULL || *path == '\0') {
		free(path);
		return;
	}
	full = strncmp(path, "~/", 2) == 0 && home != NULL ?
	    util_strf("%s%s", home, path + 1) : strdup(path);
	free(path);
	if (full == NULL)
		return;
	if (stat(full, &st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = _("not a regular file");
	else if (access(full, R_OK) < 0)
		why = strerror(errno);
	if (why != NULL) {
		set_status(a, TUI_ERROR, _("cannot attach %s: %s"), full, why);
		free(full);
		return;
	}
	if ((v = realloc(cm->att, (cm->natt + 1) * sizeof(*v))) == NULL) {
		free(full);
		return;
	}
	cm->att = v;
	memset(&v[cm->natt], 0, sizeof(*v));
	v[cm->natt].path = full;
	cm->sel = cm->natt++;
	set_status(a, TUI_NORMAL, _("attached %s"), full);
}

/* T: the type of the selected attachment. */
static void
set_type(struct app *a)
{
	struct compose *cm = a->cmp;
	char *t;

	if (cm->natt == 0)
		return;
	t = tui_readline(tui_rows() - 1, _("Content-Type: "),
	    cm->att[cm->sel].type);
	if (t == NULL)
		return;
	if (*t != '\0' && !mimetype_valid(t)) {
		set_status(a, TUI_ERROR, _("'%s' is not a type/subtype"), t);
		free(t);
		return;
	}
	free(cm->att[cm->sel].type);
	cm->att[cm->sel].type = *t != '\0' ? t : NULL;
	if (*t == '\0')
		free(t);
}

/* D: drop the selected attachment. */
static void
detach(struct app *a)
{
	struct compose *cm = a->cmp;

	if (cm->natt == 0)
		return;
	free(cm->att[cm->sel].path);
	free(cm->att[cm->sel].type);
	memmove(cm->att + cm->sel, cm->att + cm->sel + 1,
	    (cm->natt - cm->sel - 1) * sizeof(*cm->att));
	cm->natt--;
	if (cm->sel > 0 && cm->sel >= cm->natt)
		cm->sel--;
}

/* --- the pager ------------------------------------------------------------ */

/* Show text[0..n) page by page (j k Space b g G, q to leave). */
static void
pager(struct app *a, const char *title, const char *text, size_t n)
{
	const char **lines = NULL, **nl, *p = text, *end = text + n;
	size_t *lens = NULL, *nlen, count = 0, top = 0, i;
	int rows, h, key, y;
	short rev;
	enum tui_event ev;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t len = e != NULL ? (size_t)(e - p) : (size_t)(end - p);

		if (len > 0 && p[len - 1] == '\r')
			len--;
		nl = realloc(lines, (count + 1) * sizeof(*lines));
		nlen = nl != NULL ? realloc(lens, (count + 1) * sizeof(*lens)) :
		    NULL;
		if (nl != NULL)
			lines = nl;
		if (nlen == NULL)
			break;
		lens = nlen;
		lines[count] = p;
		lens[count++] = len;
		p = e != NULL ? e + 1 : end;
	}
	for (;;) {
		rows = tui_rows();
		h = rows - 3;
		for (y = 1; y < rows - 2; y++) {
			tui_clear_line(y, TUI_NORMAL);
			i = top + (size_t)(y - 1);
			if (i < count)
				(void)tui_text(y, 0, tui_cols(), lines[i],
				    lens[i], TUI_NORMAL);
		}
		draw_bars(a, title, _("j/k:line  Space/b:page  g/G:top/end  "
		    "q:back"));
		tui_flush();
		ev = tui_wait(-1, 0, -1, &key, &rev);
		if (ev == TUI_EV_STOP)
			break;
		if (ev != TUI_EV_KEY)
			continue;
		if (key == 'q' || key == 27 || key == 7)
			break;
		if ((key == 'j' || key == TUI_KEY_DOWN || key == '\r') &&
		    top + 1 < count)
			top++;
		else if ((key == 'k' || key == TUI_KEY_UP) && top > 0)
			top--;
		else if (key == ' ' || key == TUI_KEY_PGDN)
			top = top + (size_t)h < count ? top + (size_t)h : top;
		else if (key == 'b' || key == TUI_KEY_PGUP)
			top = top > (size_t)h ? top - (size_t)h : 0;
		else if (key == 'g' || key == TUI_KEY_HOME)
			top = 0;
		else if (key == 'G' || key == TUI_KEY_END)
			top = count > (size_t)h ? count - (size_t)h : 0;
	}
	free(lines);
	free(lens);
}

/* p: the exact message as it would go out (without Bcc), in the pager. */
static void
preview(struct app *a)
{
	struct mime_result mr;
	struct built b;
	struct buf text;
	char *why = NULL;
	enum err e;
	int fd;

	if (build(a, &b, 0) < 0) {
		built_free(&b);
		return;
	}
	if ((fd = msg_open_spool(NULL)) < 0) {
		set_status(a, TUI_ERROR, _("cannot create a spool file: %s"),
		    strerror(errno));
		built_free(&b);
		return;
	}
	buf_init(&text, BODY_MAX);
	if ((e = mime_write(&b.mm, fd, 0, &mr, &why)) != ERR_OK ||
	    lseek(fd, 0, SEEK_SET) < 0 || buf_read_fd(&text, fd) < 0)
		set_status(a, TUI_ERROR, "%s", why != NULL ? why :
		    strerror(errno));
	else
		pager(a, _("Preview: the message as it will be sent"),
		    buf_str(&text), text.len);
	(void)close(fd);
	buf_free(&text);
	free(why);
	built_free(&b);
}

/* S: the whole transcript pane to a file (asks before replacing one). */
static void
save_transcript(struct app *a)
{
	char *path = tui_readline_complete(tui_rows() - 1, _("Save the "
	    "transcript to: "), NULL, complete_path);
	const char *line;
	struct stat st;
	size_t i;
	FILE *fp;
	int fd, ok = 1;

	if (path == NULL || *path == '\0') {
		free(path);
		return;
	}
	if (stat(path, &st) == 0 && tui_yesno(tui_rows() - 1, _("The file "
	    "exists. Replace it? (y/n) "), 0) != 1) {
		free(path);
		return;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		set_status(a, TUI_ERROR, _("cannot write %s: %s"), path,
		    strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		free(path);
		return;
	}
	for (i = 0; i < a->pane.n; i++) {
		line = a->pane.line[(a->pane.head + i) % PANE_LINES];
		if (fputs(line, fp) == EOF || fputc('\n', fp) == EOF)
			ok = 0;
	}
	if (fclose(fp) != 0)
		ok = 0;
	if (ok)
		set_status(a, TUI_NORMAL, _("transcript saved to %s (%zu "
		    "lines)"), path, a->pane.n);
	else
		set_status(a, TUI_ERROR, _("cannot write %s: %s"), path,
		    strerror(errno));
	free(path);
}

/* / and n: the next older line of the pane that holds the search text, in view. */
static void
search_pane(struct app *a)
{
	size_t bottom, i;

	if (a->search == NULL || *a->search == '\0' || a->pane.n == 0)
		return;
	/* The line at the bottom of the view now; search above it. */
	bottom = a->pane.n - 1 - (a->pane.scroll < a->pane.n ?
	    a->pane.scroll : a->pane.n - 1);
	for (i = bottom; i-- > 0;)
		if (strstr(a->pane.line[(a->pane.head + i) % PANE_LINES],
		    a->search) != NULL) {
			/* That line at the bottom of the view. */
			a->pane.scroll = a->pane.n - 1 - i;
			set_status(a, TUI_NORMAL, _("found at line %zu"), i + 1);
			return;
		}
	set_status(a, TUI_ERROR, _("not found above: %s"), a->search);
}

/* Choose one of items[0..n) in a list (j, k, Enter; q or C-g: none); -1 for none. */
static int
pick(struct app *a, const char *title, const char *const *items, size_t n,
    size_t cur)
{
	enum tui_event ev;
	short rev;
	int key, y;
	size_t i, top;

	if (n == 0)
		return -1;
	for (;;) {
		top = cur >= (size_t)(tui_rows() - 5) ? cur - (size_t)(tui_rows()
		    - 6) : 0;
		for (y = 1; y < tui_rows() - 2; y++)
			tui_clear_line(y, TUI_NORMAL);
		for (i = top, y = 2; i < n && y < tui_rows() - 2; i++, y++) {
			if (i == cur)
				tui_clear_line(y, TUI_SELECTED);
			(void)tui_str(y, 2, tui_cols() - 4, items[i], i == cur ?
			    TUI_SELECTED : TUI_NORMAL);
		}
		draw_bars(a, title, _("j/k:move  Enter:choose  q:cancel"));
		tui_flush();
		ev = tui_wait(-1, 0, -1, &key, &rev);
		if (ev == TUI_EV_STOP)
			return -1;
		if (ev != TUI_EV_KEY)
			continue;
		if ((key == 'j' || key == TUI_KEY_DOWN) && cur + 1 < n)
			cur++;
		else if ((key == 'k' || key == TUI_KEY_UP) && cur > 0)
			cur--;
		else if (key == '\r' || key == '\n' || key == TUI_KEY_ENTER)
			return (int)cur;
		else if (key == 'q' || key == 27 || key == 7)
			return -1;
	}
}

/*
 * Ask query_command for the element of text from at on; the text with it
 * replaced by the match (the one chosen, when several), or NULL.
 */
static char *
query_pick(struct app *a, const char *text, size_t at)
{
	struct query_match *v = NULL;
	const char *el = text + at;
	const char **items = NULL;
	char **lines = NULL, *why = NULL, *out = NULL, *one;
	size_t n = 0, i;
	int k = 0;

	while (*el == ' ' || *el == '\t')
		el++;
	if (*el == '\0')
		return NULL;
	if (query_run(a->c.acct->query_command, el, &v, &n, &why) != ERR_OK) {
		set_status(a, TUI_ERROR, "%s", why != NULL ? why : "?");
		free(why);
		return NULL;
	}
	if (n == 0) {
		set_status(a, TUI_NORMAL, _("query_command found nothing for "
		    "'%s'"), el);
		query_free(v, n);
		return NULL;
	}
	if (n > 1) {
		items = calloc(n, sizeof(*items));
		lines = calloc(n, sizeof(*lines));
		for (i = 0; items != NULL && lines != NULL && i < n; i++) {
			lines[i] = query_format(&v[i]);
			items[i] = lines[i] != NULL ? lines[i] : v[i].addr;
		}
		k = items != NULL && lines != NULL ? pick(a, _("Addresses "
		    "found"), items, n, 0) : -1;
		for (i = 0; lines != NULL && i < n; i++)
			free(lines[i]);
		free(lines);
		free(items);
		/* What was under the list. */
		draw(a);
	}
	if (k >= 0 && (one = query_format(&v[k])) != NULL) {
		out = util_strf("%.*s%s%s", (int)at, text, at > 0 ? " " : "",
		    one);
		free(one);
	}
	query_free(v, n);
	return out;
}

/* Can the account log in without a question (no login, or a password that comes by itself)? */
static int
logs_in_quietly(const struct account *ac)
{
	struct url u;
	const char *user;
	char *login = NULL, *pw = NULL;
	int r;

	if (ac->password != NULL || ac->password_command != NULL)
		return 1;
	memset(&u, 0, sizeof(u));
	if (ac->server == NULL || url_parse(&u, ac->server, NULL) != ERR_OK)
		return 0;
	user = u.user != NULL ? u.user : ac->user;
	r = user == NULL || (netrc_lookup(NULL, u.host, user, &login, &pw,
	    NULL) == ERR_OK && pw != NULL);
	if (pw != NULL)
		explicit_bzero(pw, strlen(pw));
	free(pw);
	free(login);
	url_free(&u);
	return r;
}

/* Set up a->c for the account name; 0, or -1 (a->c is then unusable). */
static int
use_account(struct app *a, const char *name)
{
	int r;

	transcript_unsubscribe(a->c.tr, pane_writer, &a->pane);
	cli_cleanup(&a->c);
	a->c.account_name = name;
	r = cli_setup(&a->c, NULL, 1);
	if (a->c.tr != NULL)
		(void)transcript_subscribe(a->c.tr, pane_writer, &a->pane);
	return r == 0 && a->c.acct != NULL ? 0 : -1;
}

/* f: send with another account (its From, server and login). */
static void
choose_identity(struct app *a)
{
	const struct conf *c = a->c.conf;
	const char **items;
	char **lines, *old, *why = NULL;
	size_t i, n, cur = 0;
	int k;

	if (a->snd != NULL) {
		set_status(a, TUI_ERROR, _("a message is being sent; choose "
		    "the account when it is done"));
		return;
	}
	if (c == NULL || c->naccounts < 2) {
		set_status(a, TUI_NORMAL, _("there is only this account (A on "
		    "the folders adds one)"));
		return;
	}
	/* c goes when the account changes: nothing of it is used after. */
	n = c->naccounts;
	items = calloc(n, sizeof(*items));
	lines = calloc(n, sizeof(*lines));
	if (items == NULL || lines == NULL) {
		free(items);
		free(lines);
		return;
	}
	for (i = 0; i < n; i++) {
		lines[i] = util_strf("%-16s %s", c->accounts[i].name,
		    c->accounts[i].from != NULL ? c->accounts[i].from : "");
		items[i] = lines[i] != NULL ? lines[i] : "?";
		if (&c->accounts[i] == a->c.acct)
			cur = i;
	}
	k = pick(a, _("Send with the account"), items, n, cur);
	if (k >= 0 && &c->accounts[k] != a->c.acct) {
		const struct account *ac = &c->accounts[k];
		char *want = strdup(ac->name);

		/* No account in use (a failed switch): nothing to go back to. */
		old = strdup(a->c.acct != NULL ? a->c.acct->name : ac->name);
		if (want == NULL || old == NULL) {
			free(want);
			free(old);
		} else if (!logs_in_quietly(ac)) {
			set_status(a, TUI_ERROR, _("the password of %s is asked "
			    "for at start: run pigeon --account %s"), want,
			    want);
			free(want);
			free(old);
		} else if (use_account(a, want) < 0) {
			/* Back to the one that worked. */
			(void)use_account(a, old);
			free(a->account);
			a->account = old;
			free(want);
			set_status(a, TUI_ERROR, _("the account cannot be used "
			    "as it is (see pigeon.conf(5))"));
		} else {
			free(a->account);
			a->account = want;
			free(old);
			alias_free(ui_aliases);
			ui_aliases = NULL;
			if (a->c.acct->aliases != NULL &&
			    alias_load(&ui_aliases, a->c.acct->aliases, &why) !=
			    ERR_OK)
				free(why);
			set_status(a, TUI_NORMAL, _("sending with %s now"),
			    a->c.acct->name);
		}
	}
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(items);
}

/* v, V, + and - work on every screen; 1 when key was one of them. */
static int
key_pane(struct app *a, int key)
{
	switch (key) {
	case 'v':
		a->pane.shown = !a->pane.shown;
		a->pane.full = 0;
		return 1;
	case 'V':
		a->pane.full = !a->pane.full || !a->pane.shown;
		a->pane.shown = 1;
		return 1;
	case '+':
		if (a->pane.height < tui_rows() - 6)
			a->pane.height++;
		a->pane.shown = 1;
		return 1;
	case '-':
		if (a->pane.height > 3)
			a->pane.height--;
		return 1;
	case 'S':
		save_transcript(a);
		return 1;
	case '/':
	case 'n':
		if (key == '/') {
			char *q = tui_readline(tui_rows() - 1, _("Search the "
			    "transcript: "), a->search);

			if (q == NULL)
				return 1;
			free(a->search);
	free(a->account);
			a->search = q;
			a->pane.shown = 1;
		}
		search_pane(a);
		return 1;
	case TUI_KEY_PGUP:
		if (a->pane.shown && a->pane.scroll + 1 < a->pane.n)
			a->pane.scroll += (size_t)(pane_height(a) / 2 + 1);
		if (a->pane.scroll >= a->pane.n)
			a->pane.scroll = a->pane.n > 0 ? a->pane.n - 1 : 0;
		return 1;
	case TUI_KEY_PGDN:
		a->pane.scroll = a->pane.scroll > (size_t)(pane_height(a) / 2 +
		    1) ? a->pane.scroll - (size_t)(pane_height(a) / 2 + 1) : 0;
		return 1;
	default:
		return 0;
	}
}

static void
key_compose(struct app *a, int key)
{
	struct compose *cm = a->cmp;
	int r;

	switch (key) {
	case 't':
		edit_field(a, &cm->to, _("To: "), 1);
		break;
	case 'c':
		edit_field(a, &cm->cc, _("Cc: "), 1);
		break;
	case 'b':
		edit_field(a, &cm->bcc, _("Bcc: "), 1);
		break;
	case 's':
		edit_field(a, &cm->subject, _("Subject: "), 0);
		break;
	case 'r':
		edit_field(a, &cm->reply_to, _("Reply-To: "), 1);
		break;
	case 'e':
		edit_text(a);
		break;
	case 'a':
		attach_file(a);
		changed(a);
		break;
	case 'D':
		detach(a);
		changed(a);
		break;
	case 'T':
		set_type(a);
		changed(a);
		break;
	case 'd':
		if (cm->natt > 0)
			cm->att[cm->sel].show_inline =
			    !cm->att[cm->sel].show_inline;
		changed(a);
		break;
	case TUI_KEY_UP:
		if (cm->sel > 0)
			cm->sel--;
		break;
	case TUI_KEY_DOWN:
		if (cm->sel + 1 < cm->natt)
			cm->sel++;
		break;
	case 'p':
		preview(a);
		break;
	case 'f':
		choose_identity(a);
		changed(a);
		break;
	case 'y':
		send_now(a);
		break;
	case 'P':
		if (postpone(a, 0) == 0)
			compose_close(a);
		break;
	case 'q':
		r = tui_yesno(tui_rows() - 1, _("Abort this message. Keep it as "
		    "a draft? (y/n) "), 1);
		if (r == 1 && postpone(a, 0) < 0)
			break;
		if (r >= 0) {
			if (r == 0) {
				drop_draft(a);
				set_status(a, TUI_NORMAL, _("message "
				    "discarded"));
			}
			compose_close(a);
		}
		break;
	case '?':
		show_help(a);
		break;
	default:
		(void)key_pane(a, key);
		break;
	}
}

/* The value of parameter name in a Content-Type or -Disposition value; NULL: none. */
static char *
param_value(const char *v, const char *name)
{
	size_t nl = strlen(name);
	const char *p = v, *q;
	struct buf out;

	if (v == NULL)
		return NULL;
	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, name, nl) != 0 || p[nl] != '=')
			continue;
		p += nl + 1;
		buf_init(&out, 4096);
		if (*p == '"') {
			for (q = p + 1; *q != '\0' && *q != '"'; q++) {
				if (*q == '\\' && q[1] != '\0')
					q++;
				if (buf_addch(&out, *q) < 0)
					break;
			}
		} else {
			for (q = p; *q != '\0' && *q != ';' && *q != ' ' &&
			    *q != '\t'; q++)
				if (buf_addch(&out, *q) < 0)
					break;
		}
		return out.data != NULL ? out.data : strdup("");
	}
	return NULL;
}

/* Where the header of p[0..n) ends and its body starts. */
static size_t
body_start(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] == '\n' && p[i + 1] == '\n')
			return i + 2;
		if (p[i] == '\n' && i + 2 < n && p[i + 1] == '\r' &&
		    p[i + 2] == '\n')
			return i + 3;
	}
	return n;
}

/* A field of header h[0..n), unfolded and with encoded-words decoded; NULL: none. */
static char *
field(const char *h, size_t n, const char *name)
{
	char *raw = header_value(h, n, name);
	struct buf out;

	if (raw == NULL)
		return NULL;
	buf_init(&out, 64 * 1024);
	if (rfc822_decode_words(&out, raw, strlen(raw)) < 0 || out.data == NULL) {
		buf_free(&out);
		return raw;
	}
	free(raw);
	return out.data;
}

/* typed (a field a draft kept as it was typed) in place of *dst, if there is one. */
static void
kept(char **dst, char *typed)
{
	if (typed == NULL)
		return;
	free(*dst);
	*dst = typed;
}

/* The content of a part body[0..n) whose header is h[0..hn), transfer encoding undone. */
static int
part_content(const char *h, size_t hn, const char *body, size_t n,
    struct buf *out)
{
	char *cte = header_value(h, hn, "Content-Transfer-Encoding");
	struct buf clean;
	size_t i;
	int r;

	if (cte != NULL && strncasecmp(cte, "quoted-printable", 16) == 0) {
		r = qp_decode(out, body, n, 1);
	} else if (cte != NULL && strncasecmp(cte, "base64", 6) == 0) {
		buf_init(&clean, BODY_MAX);
		r = 0;
		for (i = 0; i < n && r == 0; i++)
			if (body[i] != '\r' && body[i] != '\n' &&
			    body[i] != ' ' && body[i] != '\t')
				r = buf_addch(&clean, body[i]);
		if (r == 0)
			r = base64_decode_buf(out, buf_str(&clean), clean.len);
		buf_free(&clean);
	} else {
		r = 0;
		for (i = 0; i < n && r == 0; i++)
			if (!(body[i] == '\r' && i + 1 < n && body[i + 1] == '\n'))
				r = buf_addch(out, body[i]);
	}
	free(cte);
	return r;
}

/* A private copy of an attachment of a draft; the path, or NULL. */
static char *
save_part(const char *name, const struct buf *content)
{
	const char *dir = getenv("TMPDIR");
	char *d = util_strf("%s/pigeon-att-XXXXXX", dir != NULL && *dir == '/' ?
	    dir : "/tmp"), *base, *path = NULL, *slash;
	int fd;

	if (d == NULL || mkdtemp(d) == NULL) {
		free(d);
		return NULL;
	}
	base = strdup(name != NULL && *name != '\0' ? name : "attachment");
	if (base != NULL) {
		/* The name only, no way out of the directory. */
		while ((slash = strchr(base, '/')) != NULL)
			*slash = '_';
		if (strcmp(base, "..") == 0 || strcmp(base, ".") == 0)
			base[0] = '_';
		path = util_strf("%s/%s", d, base);
	}
	free(base);
	if (path != NULL) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, buf_str(content), content->len) !=
		    (ssize_t)content->len) {
			if (fd >= 0)
				(void)close(fd);
			(void)unlink(path);
			free(path);
			path = NULL;
		} else if (close(fd) < 0) {
			(void)unlink(path);
			free(path);
			path = NULL;
		}
	}
	if (path == NULL)
		(void)rmdir(d);
	free(d);
	return path;
}

/* Add part h/body of a draft as an attachment of cm; 0 or -1. */
static int
restore_attachment(struct compose *cm, const char *h, size_t hn,
    const char *body, size_t n)
{
	char *ct = header_value(h, hn, "Content-Type");
	char *cd = header_value(h, hn, "Content-Disposition");
	char *name = param_value(cd, "filename"), *type = NULL, *semi;
	struct attach *v;
	struct buf content;
	int r = -1;

	if (name == NULL)
		name = param_value(ct, "name");
	buf_init(&content, BODY_MAX);
	if (part_content(h, hn, body, n, &content) == 0 &&
	    (v = realloc(cm->att, (cm->natt + 1) * sizeof(*v))) != NULL) {
		cm->att = v;
		memset(&v[cm->natt], 0, sizeof(*v));
		if ((v[cm->natt].path = save_part(name, &content)) != NULL) {
			if (ct != NULL && (type = strdup(ct)) != NULL &&
			    (semi = strchr(type, ';')) != NULL)
				*semi = '\0';
			v[cm->natt].type = type;
			v[cm->natt].owned = 1;
			v[cm->natt].show_inline = cd != NULL &&
			    strncasecmp(cd, "inline", 6) == 0;
			cm->natt++;
			r = 0;
		}
	}
	buf_free(&content);
	free(ct);
	free(cd);
	free(name);
	return r;
}

/* What a message is made of, read back (one level of multipart). */
struct parts {
	struct buf text;           /* its first text/plain part, UTF-8 */
	int have_text;
	int lost;                  /* a part could not be read */
	/* Every other part; -1 counts as lost. */
	int (*other)(void *arg, const char *h, size_t hn, const char *body,
	    size_t bn);
	void *arg;
	int depth;                 /* multiparts inside multiparts, bounded */
};

static void read_parts(const char *msg, size_t n, struct parts *ps);

static void
take_part(struct parts *ps, const char *h, size_t hn, const char *body,
    size_t bn)
{
	char *ct = header_value(h, hn, "Content-Type"), *cs;
	struct buf raw;

	/* A multipart inside (alternative, related): its parts, in turn. */
	if (ct != NULL && strncasecmp(ct, "multipart/", 10) == 0 &&
	    ps->depth < 8 && body == h + hn) {
		ps->depth++;
		read_parts(h, hn + bn, ps);
		ps->depth--;
		free(ct);
		return;
	}
	if (!ps->have_text && (ct == NULL ||
	    strncasecmp(ct, "text/plain", 10) == 0)) {
		ps->have_text = 1;
		buf_init(&raw, BODY_MAX);
		if (part_content(h, hn, body, bn, &raw) < 0)
			ps->lost = 1;
		cs = param_value(ct, "charset");
		if (cs == NULL || strcasecmp(cs, "utf-8") == 0 ||
		    strcasecmp(cs, "us-ascii") == 0 ||
		    charset_to_utf8(&ps->text, buf_str(&raw), raw.len, cs,
		    NULL) != ERR_OK) {
			buf_reset(&ps->text);
			(void)buf_add(&ps->text, buf_str(&raw), raw.len);
		}
		free(cs);
		buf_free(&raw);
	} else if (ps->other != NULL && ps->other(ps->arg, h, hn, body, bn) <
	    0) {
		ps->lost = 1;
	}
	free(ct);
}

/* Each part of msg[0..n) through take_part(): after a "--boundary" line, up to the next one. */
static void
read_parts(const char *msg, size_t n, struct parts *ps)
{
	size_t hn = body_start(msg, n), bl, pn;
	char *ct = header_value(msg, hn, "Content-Type"), *bnd = NULL;
	const char *body = msg + hn, *end = msg + n, *p, *next, *part = NULL;

	if (ct == NULL || strncasecmp(ct, "multipart/", 10) != 0 ||
	    (bnd = param_value(ct, "boundary")) == NULL || *bnd == '\0') {
		take_part(ps, msg, hn, body, n - hn);
		free(ct);
		free(bnd);
		return;
	}
	bl = strlen(bnd);
	for (p = body; p < end; p = next) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		next = eol != NULL ? eol + 1 : end;
		if ((size_t)(end - p) < bl + 2 || p[0] != '-' || p[1] != '-' ||
		    memcmp(p + 2, bnd, bl) != 0)
			continue;
		if (part != NULL) {
			/* The part ends at the line end before p. */
			pn = (size_t)(p - part);
			if (pn > 0 && part[pn - 1] == '\n')
				pn--;
			if (pn > 0 && part[pn - 1] == '\r')
				pn--;
			hn = body_start(part, pn);
			take_part(ps, part, hn, part + hn, pn - hn);
		}
		if ((size_t)(end - p) >= bl + 4 && p[bl + 2] == '-' &&
		    p[bl + 3] == '-')
			break;
		part = next;
	}
	free(ct);
	free(bnd);
}

static int
restore_other(void *arg, const char *h, size_t hn, const char *body,
    size_t bn)
{
	return restore_attachment(arg, h, hn, body, bn);
}

/*
 * A draft back on the compose screen: its header fields, its text (the
 * first text part, in UTF-8) and its attachments (as private copies).
 * NULL with the status line set when it cannot be read.
 */
static struct compose *
compose_from_draft(struct app *a, enum outbox_folder folder, const char *id)
{
	struct maildir *md = outbox_folder(a->ob, folder);
	struct compose *cm = NULL;
	struct parts ps;
	struct buf msg, text, utf;
	char *path = NULL, *why = NULL;
	const char *h;
	size_t hn;
	int fd = -1, lost = 0;

	buf_init(&msg, BODY_MAX);
	buf_init(&text, BODY_MAX);
	buf_init(&utf, BODY_MAX);
	memset(&ps, 0, sizeof(ps));
	buf_init(&ps.text, BODY_MAX);
	if (maildir_find(md, id, &path, &why) != ERR_OK ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    buf_read_fd(&msg, fd) < 0) {
		set_status(a, TUI_ERROR, _("cannot read draft %s: %s"), id,
		    why != NULL ? why : strerror(errno));
		goto out;
	}
	(void)close(fd);
	fd = -1;
	/* A draft is edited in place; any other message gives a new one. */
	if ((cm = calloc(1, sizeof(*cm))) == NULL ||
	    (folder == OUTBOX_DRAFTS && (cm->draft_id = strdup(id)) == NULL) ||
	    (cm->body_path = body_file()) == NULL)
		goto fail;
	h = buf_str(&msg);
	hn = body_start(h, msg.len);
	cm->to = field(h, hn, "To");
	cm->cc = field(h, hn, "Cc");
	cm->bcc = field(h, hn, "Bcc");
	cm->subject = field(h, hn, "Subject");
	cm->reply_to = field(h, hn, "Reply-To");
	/* What a draft kept as typed, not parsed, wins over what stands in for it. */
	kept(&cm->to, field(h, hn, "X-Pigeon-To"));
	kept(&cm->cc, field(h, hn, "X-Pigeon-Cc"));
	kept(&cm->bcc, field(h, hn, "X-Pigeon-Bcc"));
	kept(&cm->reply_to, field(h, hn, "X-Pigeon-Reply-To"));
	ps.other = restore_other;
	ps.arg = cm;
	read_parts(buf_str(&msg), msg.len, &ps);
	lost = ps.lost;
	(void)buf_add(&utf, buf_str(&ps.text), ps.text.len);
	/* For the editor: in the locale's charset, when that holds it all. */
	if (strcasecmp(charset_locale(), "UTF-8") != 0) {
		buf_reset(&text);
		if (charset_from_utf8(&text, buf_str(&utf), utf.len,
		    charset_locale(), NULL) == ERR_OK) {
			buf_reset(&utf);
			(void)buf_add(&utf, buf_str(&text), text.len);
		}
	}
	if ((fd = open(cm->body_path, O_WRONLY | O_TRUNC | O_CLOEXEC)) < 0 ||
	    write(fd, buf_str(&utf), utf.len) != (ssize_t)utf.len ||
	    close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	set_status(a, lost ? TUI_ERROR : TUI_NORMAL, lost ? _("draft %s: "
	    "part of it could not be read back") : _("draft %s resumed"), id);
	goto out;
fail:
	set_status(a, TUI_ERROR, _("cannot resume draft %s: %s"), id,
	    strerror(errno));
	compose_free(cm);
	cm = NULL;
out:
	if (fd >= 0)
		(void)close(fd);
	buf_free(&ps.text);
	buf_free(&msg);
	buf_free(&text);
	buf_free(&utf);
	free(path);
	free(why);
	return cm;
}

/* R: the draft under the cursor (in drafts), else the newest one, back on the compose screen. */
static void
resume(struct app *a)
{
	struct maildir *md = outbox_folder(a->ob, OUTBOX_DRAFTS);
	char **ids = NULL, *id = NULL;
	size_t n = 0;

	if (a->folder == OUTBOX_DRAFTS && a->cursor < a->nlist) {
		id = strdup(a->list[a->cursor].id);
	} else if (drafts_list(md, &ids, &n, NULL) == ERR_OK && n > 0) {
		id = ids[n - 1];
		ids[n - 1] = NULL;
	}
	maildir_free_list(ids, n);
	if (id == NULL) {
		set_status(a, TUI_NORMAL, _("no drafts"));
		return;
	}
	a->cmp = compose_from_draft(a, OUTBOX_DRAFTS, id);
	free(id);
}

static void
collect(void *arg, const char *p, size_t n)
{
	(void)buf_add(arg, p, n);
}

/* An attachment of a message being read, as one line of the list after its text. */
static int
describe_other(void *arg, const char *h, size_t hn, const char *body,
    size_t bn)
{
	struct buf *att = arg, content;
	char *ct = header_value(h, hn, "Content-Type");
	char *cd = header_value(h, hn, "Content-Disposition");
	char *name = param_value(cd, "filename"), *semi;
	int r;

	if (name == NULL)
		name = param_value(ct, "name");
	if (ct != NULL && (semi = strchr(ct, ';')) != NULL)
		*semi = '\0';
	buf_init(&content, BODY_MAX);
	r = part_content(h, hn, body, bn, &content);
	(void)buf_printf(att, _("[attachment: %s, %s, %zu bytes]\n"),
	    name != NULL ? name : "-", ct != NULL ? ct : "text/plain",
	    content.len);
	buf_free(&content);
	free(ct);
	free(cd);
	free(name);
	return r;
}

/*
 * Enter: the message under the cursor as a person reads it (header fields
 * decoded, its text, a line per attachment); H: as it is filed.  Then
 * every transcript of it.  Both in the pager.
 */
static void
open_message(struct app *a, int raw)
{
	static const char *const shown[] = {
		"Date", "From", "To", "Cc", "Bcc", "Reply-To", "Subject",
	};
	struct maildir *md = outbox_folder(a->ob, (enum outbox_folder)a->folder);
	struct buf b, msg, att;
	struct parts ps;
	char *path = NULL, *why = NULL, *v;
	size_t n = 0, hn, i;
	int fd;

	if (a->cursor >= a->nlist)
		return;
	buf_init(&b, BODY_MAX);
	buf_init(&msg, BODY_MAX);
	buf_init(&att, 1024 * 1024);
	memset(&ps, 0, sizeof(ps));
	buf_init(&ps.text, BODY_MAX);
	if (maildir_find(md, a->list[a->cursor].id, &path, &why) != ERR_OK ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		set_status(a, TUI_ERROR, "%s", why != NULL ? why :
		    strerror(errno));
		goto out;
	}
	if (buf_read_fd(&msg, fd) < 0 && errno != E2BIG)
		set_status(a, TUI_ERROR, _("cannot read %s: %s"), path,
		    strerror(errno));
	(void)close(fd);
	if (raw) {
		(void)buf_add(&b, buf_str(&msg), msg.len);
	} else {
		hn = body_start(buf_str(&msg), msg.len);
		for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
			if ((v = field(buf_str(&msg), hn, shown[i])) != NULL) {
				(void)buf_printf(&b, "%s: %s\n", shown[i], v);
				free(v);
			}
		(void)buf_addch(&b, '\n');
		ps.other = describe_other;
		ps.arg = &att;
		read_parts(buf_str(&msg), msg.len, &ps);
		(void)buf_add(&b, buf_str(&ps.text), ps.text.len);
		if (att.len > 0) {
			(void)buf_addch(&b, '\n');
			(void)buf_add(&b, buf_str(&att), att.len);
		}
	}
	(void)buf_addstr(&b, _("\n-- transcript --\n"));
	if (outbox_history(a->ob, a->list[a->cursor].id, collect, &b, &n,
	    NULL) != ERR_OK || n == 0)
		(void)buf_addstr(&b, _("(none)\n"));
	pager(a, a->list[a->cursor].id, buf_str(&b), b.len);
out:
	buf_free(&b);
	buf_free(&msg);
	buf_free(&att);
	buf_free(&ps.text);
	free(path);
	free(why);
}

static void stopped(struct app *a);

/* e on a message: a new message made from it (a draft: that draft, edited). */
static void
edit_as_new(struct app *a)
{
	if (a->cursor >= a->nlist)
		return;
	if (a->cmp != NULL)
		return;
	a->cmp = compose_from_draft(a, (enum outbox_folder)a->folder,
	    a->list[a->cursor].id);
	if (a->cmp != NULL && a->folder != OUTBOX_DRAFTS)
		set_status(a, TUI_NORMAL, _("a new message made from %s"),
		    a->list[a->cursor].id);
}

/* d on a message: delete it, after asking; a queued one with its envelope. */
static void
delete_message(struct app *a)
{
	const char *id;
	char q[256], *why = NULL;
	int held = 0;
	enum err e;

	if (a->cursor >= a->nlist)
		return;
	id = a->list[a->cursor].id;
	(void)snprintf(q, sizeof(q), _("Delete %s? (y/n) "), id);
	if (tui_yesno(tui_rows() - 1, q, 0) != 1)
		return;
	switch (a->folder) {
	case OUTBOX_DRAFTS:
		e = drafts_delete(outbox_folder(a->ob, OUTBOX_DRAFTS), id, &why);
		break;
	case OUTBOX_SENT:
		e = maildir_remove(outbox_folder(a->ob, OUTBOX_SENT), id, &why);
		break;
	default:
		/* Not while another pigeon sends it. */
		if ((e = outbox_lock(a->ob, id, &held, &why)) == ERR_OK &&
		    !held) {
			set_status(a, TUI_ERROR, _("%s is being sent right now"),
			    id);
			return;
		}
		if (e == ERR_OK) {
			e = outbox_remove(a->ob, id, &why);
			outbox_unlock(a->ob, id);
		}
		break;
	}
	if (e != ERR_OK)
		set_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
	else
		set_status(a, TUI_NORMAL, _("%s deleted"), id);
	free(why);
	load_folder(a);
}

/* r on a queued message: send it now, over the account in use. */
static void
retry_now(struct app *a)
{
	struct sending *sn;
	const char *id;
	char *why = NULL;
	int held = 0;
	enum err e;

	if (a->folder != OUTBOX_OUTBOX || a->cursor >= a->nlist)
		return;
	if (a->c.acct == NULL || a->c.tr == NULL) {
		set_status(a, TUI_ERROR, _("no usable account (A shows them)"));
		return;
	}
	if (a->snd != NULL) {
		set_status(a, TUI_ERROR, _("a message is being sent; wait for "
		    "it or stop it with C-g"));
		return;
	}
	id = a->list[a->cursor].id;
	if ((sn = calloc(1, sizeof(*sn))) == NULL)
		return;
	sn->fd = -1;
	qentry_init(&sn->q);
	buf_init(&sn->logb, 4 * 1024 * 1024);
	if ((e = outbox_lock(a->ob, id, &held, &why)) != ERR_OK || !held) {
		set_status(a, TUI_ERROR, "%s", why != NULL ? why :
		    _("it is being sent right now"));
		goto fail;
	}
	/* Held: sending_free() unlocks it through the item. */
	sn->it.locked = 1;
	sn->it.committed = 1;
	sn->it.tx.name = strdup(id);
	a->snd = sn;
	if ((e = outbox_load(a->ob, id, &sn->q, &why)) != ERR_OK ||
	    sn->q.state != QENTRY_QUEUED) {
		set_status(a, TUI_ERROR, "%s", why != NULL ? why :
		    _("it is not queued (see pigeon queue list)"));
		goto fail;
	}
	if (sn->q.account != NULL &&
	    strcmp(sn->q.account, a->c.acct->name) != 0) {
		set_status(a, TUI_ERROR, _("%s is queued for account %s; "
		    "'pigeon queue retry %s' sends it"), id, sn->q.account, id);
		goto fail;
	}
	if ((sn->rcpts = calloc(sn->q.nrcpts + 1, sizeof(char *))) == NULL)
		goto fail;
	sn->env.nrcpts = outbox_pending(&sn->q, sn->rcpts, sn->q.nrcpts);
	sn->env.from = sn->q.from;
	sn->env.rcpts = sn->rcpts;
	sn->env.eightbit = sn->q.eightbit;
	sn->env.dsn_notify = sn->q.dsn_notify;
	sn->env.dsn_ret = sn->q.dsn_ret;
	sn->env.dsn_envid = sn->q.dsn_envid;
	free(why);
	start_session(a);
	return;
fail:
	free(why);
	if (a->snd == sn)
		sending_free(a);
	else {
		qentry_free(&sn->q);
		buf_free(&sn->logb);
		free(sn);
	}
}

static void
key_main(struct app *a, int key)
{
	switch (key) {
	case 'm':
		start_compose(a);
		break;
	case 'R':
		resume(a);
		break;
	case 'e':
		edit_as_new(a);
		break;
	case 'd':
		delete_message(a);
		break;
	case 'r':
		retry_now(a);
		break;
	case 'A':
		switch (ui_accounts(a->c.config_path, a->c.acct != NULL ?
		    a->c.acct->name : NULL)) {
		case -1:
			stopped(a);
			break;
		case 1:
			set_status(a, TUI_NORMAL, _("accounts saved; a change "
			    "to the account in use counts from the next "
			    "start"));
			break;
		default:
			break;
		}
		break;
	case '\t':
	case TUI_KEY_RIGHT:
		a->folder = (a->folder + 1) % 4;
		load_folder(a);
		break;
	case TUI_KEY_LEFT:
		a->folder = (a->folder + 3) % 4;
		load_folder(a);
		break;
	case 'j':
	case TUI_KEY_DOWN:
		if (a->cursor + 1 < a->nlist)
			a->cursor++;
		break;
	case 'k':
	case TUI_KEY_UP:
		if (a->cursor > 0)
			a->cursor--;
		break;
	case '\r':
	case '\n':
	case TUI_KEY_ENTER:
		open_message(a, 0);
		break;
	case 'H':
		open_message(a, 1);
		break;
	case '?':
		show_help(a);
		break;
	case 'q':
		if (a->snd != NULL) {
			set_status(a, TUI_ERROR, _("a message is being sent; "
			    "C-g stops it"));
			break;
		}
		a->quit = 1;
		break;
	default:
		(void)key_pane(a, key);
		break;
	}
}

/* SIGHUP or SIGTERM: what is being composed becomes a draft, then we go. */
static void
stopped(struct app *a)
{
	/* No draft (a full disk, say): the text file stays where it is. */
	if (a->cmp != NULL && postpone(a, 0) < 0) {
		free(a->cmp->body_path);
		a->cmp->body_path = NULL;
	}
	if (a->snd != NULL)
		sending_free(a);   /* it is queued: nothing is lost */
	compose_free(a->cmp);
	a->cmp = NULL;
	tui_die();
}

static void
loop(struct app *a)
{
	struct pollfd pfd;
	enum tui_event ev;
	short rev;
	int key, timeout;

	while (!a->quit) {
		draw(a);
		pfd.fd = -1;
		pfd.events = 0;
		timeout = -1;
		if (a->snd != NULL && a->snd->s != NULL)
			timeout = session_pollfd(a->snd->s, &pfd);
		if (a->cmp != NULL && a->cmp->dirty) {
			int64_t left = a->cmp->changed_us + AUTOSAVE_US -
			    util_now_us();
			int ms = left <= 0 ? 0 : (int)(left / 1000) + 1;

			if (timeout < 0 || ms < timeout)
				timeout = ms;
		}
		ev = tui_wait(pfd.fd, pfd.events, timeout, &key, &rev);
		switch (ev) {
		case TUI_EV_STOP:
			stopped(a);
			return;
		case TUI_EV_RESIZE:
			break;
		case TUI_EV_FD:
		case TUI_EV_TIMEOUT:
			if (a->snd != NULL) {
				session_step(a->snd->s, ev == TUI_EV_FD ? rev :
				    0);
				sending_progress(a);
			}
			break;
		case TUI_EV_KEY:
			if ((key == 7 || key == 3) && a->snd != NULL) {
				/* A QUIT where the protocol allows one. */
				session_stop(a->snd->s);
				a->snd->cancelled = 1;
				sending_progress(a);
				break;
			}
			if (a->cmp != NULL)
				key_compose(a, key);
			else
				key_main(a, key);
			if (tui_stop_signal() != 0) {
				stopped(a);
				return;
			}
			break;
		}
		/* A few seconds after the last change: autosave. */
		if (a->cmp != NULL && a->cmp->dirty && util_now_us() >=
		    a->cmp->changed_us + AUTOSAVE_US && postpone(a, 1) < 0)
			a->cmp->changed_us = util_now_us();
		/* The session may have moved without a poll (data in TLS buffers). */
		if (a->snd != NULL && a->snd->s != NULL &&
		    session_status(a->snd->s) != SESSION_BUSY)
			sending_progress(a);
	}
}

/* Is there no config file yet, or one without accounts? */
static int
no_accounts(const char *path)
{
	struct conf *c = NULL;
	int r;

	if (conf_load(&c, path, NULL) != ERR_OK)
		return 0;
	r = c->naccounts == 0;
	conf_free(c);
	return r;
}

int
cmd_ui(int argc, char **argv)
{
	struct app *a;
	char *why = NULL;
	int opt, rc;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return EX_OSERR;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "v", ui_longopts, NULL)) != -1) {
		if (cli_common_option(&a->c, opt, optarg))
			continue;
		switch (opt) {
		case CLI_OPT_HELP:
			(void)printf(_("Usage: pigeon [options]\n"
			    "The interactive mail composer; '?' in it lists the "
			    "keys.\n"));
			cli_common_help(stdout, 1);
			free(a);
			return EX_OK;
		case CLI_OPT_VERSION:
			(void)printf("pigeon %s\n", VERSION);
			free(a);
			return EX_OK;
		default:
			free(a);
			return EX_USAGE;
		}
	}
	/* A first run: no account yet, so ask for one. */
	if (a->c.server == NULL && no_accounts(a->c.config_path)) {
		if (tui_init(&why) < 0) {
			cli_error("%s", why != NULL ? why : "?");
			free(why);
			free(a);
			return EX_UNAVAILABLE;
		}
		rc = ui_first_account(a->c.config_path);
		if (rc < 0)
			tui_die();
		tui_end();
		if (rc == 0) {
			cli_error(_("no account: pigeon needs one to send "
			    "mail (see pigeon.conf(5))"));
			free(a);
			return EX_CONFIG;
		}
	}
	/* Before the screen: a password prompt still has a plain terminal. */
	a->c.verbose = 0;
	if ((rc = cli_setup(&a->c, NULL, 1)) != 0) {
		cli_cleanup(&a->c);
		free(a);
		return rc;
	}
	{
		enum err e = outbox_open(&a->ob, NULL, &why);

		if (e != ERR_OK) {
			cli_error("%s", why != NULL ? why : err_str(e));
			free(why);
			cli_cleanup(&a->c);
			free(a);
			return err_exit_code(e);
		}
	}
	if (a->c.acct != NULL && a->c.acct->aliases != NULL &&
	    alias_load(&ui_aliases, a->c.acct->aliases, &why) != ERR_OK) {
		/* Composing works without them: say so and go on. */
		cli_warn("%s", why != NULL ? why : "?");
		free(why);
		why = NULL;
	}
	a->pane.height = 10;
	(void)transcript_subscribe(a->c.tr, pane_writer, &a->pane);
	if (tui_init(&why) < 0) {
		cli_error("%s", why != NULL ? why : "?");
		free(why);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	tui_background(bg_pollfd, bg_step, a);
	ui_app = a;
	a->folder = OUTBOX_SENT;
	load_folder(a);
	if (a->count[OUTBOX_DRAFTS] > 0)
		set_status(a, TUI_NORMAL, _("unsent drafts: %zu; R resumes the "
		    "newest"), a->count[OUTBOX_DRAFTS]);
	else
		set_status(a, TUI_NORMAL, _("m: compose a message, ?: all "
		    "keys"));
	loop(a);
	ui_app = NULL;
	tui_background(NULL, NULL, NULL);
	tui_end();
	rc = EX_OK;
out:
	transcript_unsubscribe(a->c.tr, pane_writer, &a->pane);
	list_free(a);
	pane_free(&a->pane);
	free(a->search);
	outbox_close(a->ob);
	alias_free(ui_aliases);
	ui_aliases = NULL;
	cli_cleanup(&a->c);
	free(a);
	return rc;
}
