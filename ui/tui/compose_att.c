/* compose_att.c - the composer's attachments: add, detach, type, disposition, name, order. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "compose.h"
#include "i18n.h"
#include "mimetype.h"
#include "util.h"

/* The name the recipient sees. */
const char *
compose_att_name(const struct draft_att *at)
{
	const char *slash;

	if (at->name != NULL)
		return at->name;
	slash = strrchr(at->path, '/');
	return slash != NULL ? slash + 1 : at->path;
}

/* a: a file given; it must be a regular file we can read. */
static void
attach_given(struct app *a, void *arg, char *path)
{
	struct compose *cm = compose_find(a);
	struct stat st;
	const char *home = util_home_dir(), *why = NULL;
	char *full;

	(void)arg;
	if (cm == NULL || path == NULL || *path == '\0') {
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
	if (why == NULL && draft_attach(&cm->d, full, NULL, NULL, 0, 0) !=
	    ERR_OK)
		why = err_str(ERR_NOMEM);
	if (why != NULL) {
		app_status(a, TUI_ERROR, _("cannot attach %s: %s"), full, why);
	} else {
		cm->sel = cm->d.natt - 1;
		app_status(a, TUI_NORMAL, _("attached %s"), full);
		compose_changed(cm);
	}
	free(full);
}

/* C-t: the type of the marked attachment. */
static void
type_given(struct app *a, void *arg, char *t)
{
	struct compose *cm = compose_find(a);
	struct draft_att *at;

	(void)arg;
	if (cm == NULL || t == NULL || cm->sel >= cm->d.natt) {
		free(t);
		return;
	}
	if (*t != '\0' && !mimetype_valid(t)) {
		app_status(a, TUI_ERROR, _("'%s' is not a type/subtype"), t);
		free(t);
		return;
	}
	at = &cm->d.att[cm->sel];
	free(at->type);
	at->type = *t != '\0' ? t : NULL;
	if (*t == '\0')
		free(t);
	compose_changed(cm);
}

/* R: the name the recipient sees. */
static void
name_given(struct app *a, void *arg, char *name)
{
	struct compose *cm = compose_find(a);
	struct draft_att *at;

	(void)arg;
	if (cm == NULL || name == NULL || cm->sel >= cm->d.natt) {
		free(name);
		return;
	}
	at = &cm->d.att[cm->sel];
	free(at->name);
	at->name = *name != '\0' ? name : NULL;
	if (*name == '\0')
		free(name);
	compose_changed(cm);
}

/* d: its description (Content-Description). */
static void
desc_given(struct app *a, void *arg, char *desc)
{
	struct compose *cm = compose_find(a);
	struct draft_att *at;

	(void)arg;
	if (cm == NULL || desc == NULL || cm->sel >= cm->d.natt) {
		free(desc);
		return;
	}
	at = &cm->d.att[cm->sel];
	free(at->desc);
	at->desc = *desc != '\0' ? desc : NULL;
	if (*desc == '\0')
		free(desc);
	compose_changed(cm);
}

/* + and -: the marked attachment one place down or up. */
static void
move_att(struct compose *cm, int down)
{
	struct draft_att t;
	size_t other;

	if (cm->d.natt < 2 || (down && cm->sel + 1 >= cm->d.natt) ||
	    (!down && cm->sel == 0))
		return;
	other = down ? cm->sel + 1 : cm->sel - 1;
	t = cm->d.att[cm->sel];
	cm->d.att[cm->sel] = cm->d.att[other];
	cm->d.att[other] = t;
	cm->sel = other;
	compose_changed(cm);
}

int
compose_att_act(struct app *a, struct compose *cm, int action)
{
	struct draft_att *at = cm->sel < cm->d.natt ? &cm->d.att[cm->sel] :
	    NULL;

	switch (action) {
	case C_ATTACH:
		prompt_line(a, _("Attach file: "), NULL, prompt_complete_path,
		    attach_given, NULL);
		return 1;
	case C_DETACH:
		if (at != NULL) {
			draft_detach(&cm->d, cm->sel);
			if (cm->sel > 0 && cm->sel >= cm->d.natt)
				cm->sel--;
			compose_changed(cm);
		}
		return 1;
	case C_TYPE:
		if (at != NULL)
			prompt_line(a, _("Content-Type: "), at->type, NULL,
			    type_given, NULL);
		return 1;
	case C_DISPOSITION:
		if (at != NULL) {
			at->disp_inline = !at->disp_inline;
			compose_changed(cm);
		}
		return 1;
	case C_RENAME:
		if (at != NULL)
			prompt_line(a, _("Name for the recipient: "),
			    compose_att_name(at), NULL, name_given, NULL);
		return 1;
	case C_DESCRIBE:
		if (at != NULL)
			prompt_line(a, _("Description: "), at->desc, NULL,
			    desc_given, NULL);
		return 1;
	case C_NEXT_ATT:
		if (cm->sel + 1 < cm->d.natt)
			cm->sel++;
		return 1;
	case C_PREV_ATT:
		if (cm->sel > 0)
			cm->sel--;
		return 1;
	case C_MOVE_DOWN:
	case C_MOVE_UP:
		move_att(cm, action == C_MOVE_DOWN);
		return 1;
	default:
		return 0;
	}
}
