/* compose_html.c - the composer's HTML alternative: from a file, or made from the text by the account's html_command; removed; made again after each edit. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "charset.h"
#include "compose.h"
#include "htmlcmd.h"
#include "i18n.h"
#include "util.h"

/* The account's html_command, or NULL. */
static const char *
html_command(struct app *a)
{
	const char *c = a->c.acct != NULL ? a->c.acct->html_command : NULL;

	return c != NULL && *c != '\0' ? c : NULL;
}

/* The HTML is set (taken over from html) and where it came from. */
static void
html_set(struct compose *cm, struct buf *html, char *from, int generated)
{
	buf_reset(&cm->d.html);
	(void)buf_add(&cm->d.html, buf_str(html), html->len);
	cm->d.has_html = 1;
	free(cm->html_from);
	cm->html_from = from;
	cm->html_generated = generated;
	compose_changed(cm);
}

/* Made from the text by html_command; 0, or -1 with the status set. */
static int
generate(struct app *a, struct compose *cm)
{
	const char *cmd = html_command(a);
	struct buf html;
	char *why = NULL, *name;
	enum err e;

	if (cmd == NULL || compose_text_load(a, cm) < 0)
		return -1;
	buf_init(&html, HTMLCMD_MAX);
	app_status(a, TUI_NORMAL, _("running html_command..."));
	e = htmlcmd_run(cmd, buf_str(&cm->d.text), cm->d.text.len, &html,
	    &why);
	if (e != ERR_OK) {
		app_status(a, TUI_ERROR, _("no HTML alternative: %s"),
		    why != NULL ? why : err_str(e));
		free(why);
		buf_free(&html);
		return -1;
	}
	if ((name = htmlcmd_name(cmd)) == NULL) {
		buf_free(&html);
		return -1;
	}
	html_set(cm, &html, name, 1);
	buf_free(&html);
	app_status(a, TUI_NORMAL, _("HTML alternative made by %s (%zu bytes)"),
	    cm->html_from, cm->d.html.len);
	return 0;
}

/* An HTML file, in UTF-8 (or the locale's charset). */
static void
from_file(struct app *a, struct compose *cm, const char *path)
{
	const char *home = util_home_dir(), *slash;
	struct buf raw, html;
	char *full, *why = NULL, *name;

	full = strncmp(path, "~/", 2) == 0 && home != NULL ?
	    util_strf("%s%s", home, path + 1) : strdup(path);
	if (full == NULL)
		return;
	buf_init(&raw, HTMLCMD_MAX);
	buf_init(&html, HTMLCMD_MAX);
	if (buf_read_file(&raw, full) < 0) {
		app_status(a, TUI_ERROR, _("cannot read %s: %s"), full,
		    strerror(errno));
	} else if (!charset_utf8_valid(buf_str(&raw), raw.len, NULL) &&
	    charset_to_utf8(&html, buf_str(&raw), raw.len, charset_locale(),
	    &why) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s: %s", full, why != NULL ? why :
		    "?");
	} else {
		if (html.len == 0)
			(void)buf_add(&html, buf_str(&raw), raw.len);
		slash = strrchr(full, '/');
		if ((name = strdup(slash != NULL ? slash + 1 : full)) != NULL) {
			html_set(cm, &html, name, 0);
			app_status(a, TUI_NORMAL, _("HTML alternative from %s"),
			    full);
		}
	}
	free(why);
	free(full);
	buf_free(&raw);
	buf_free(&html);
}

/* h: a file typed, or nothing (html_command). */
static void
html_given(struct app *a, void *arg, char *path)
{
	struct compose *cm = compose_find(a);

	(void)arg;
	if (cm != NULL && path != NULL) {
		if (*path != '\0')
			from_file(a, cm, path);
		else if (html_command(a) != NULL)
			(void)generate(a, cm);
	}
	free(path);
}

int
compose_html_act(struct app *a, struct compose *cm, int action)
{
	if (action == C_NO_HTML) {
		if (!cm->d.has_html) {
			app_status(a, TUI_NORMAL, _("there is no HTML "
			    "alternative"));
			return 1;
		}
		buf_reset(&cm->d.html);
		cm->d.has_html = 0;
		free(cm->html_from);
		cm->html_from = NULL;
		cm->html_generated = 0;
		compose_changed(cm);
		app_status(a, TUI_NORMAL, _("HTML alternative removed"));
		return 1;
	}
	prompt_line(a, html_command(a) != NULL ? _("HTML from file (empty: "
	    "made from the text by html_command): ") : _("HTML from file: "),
	    NULL, prompt_complete_path, html_given, NULL);
	return 1;
}

void
compose_html_edited(struct app *a, struct compose *cm)
{
	if (!cm->d.has_html || !cm->html_generated)
		return;
	if (generate(a, cm) < 0) {
		/* An HTML part that says something else than the text: never. */
		buf_reset(&cm->d.html);
		cm->d.has_html = 0;
		cm->html_generated = 0;
		free(cm->html_from);
		cm->html_from = NULL;
		compose_changed(cm);
	}
}

const char *
compose_html_state(const struct compose *cm, char *out, size_t len)
{
	if (!cm->d.has_html)
		return _("HTML: no");
	if (cm->html_from == NULL)
		return _("HTML: yes");
	(void)snprintf(out, len, _("HTML: yes (from %s)"), cm->html_from);
	return out;
}
