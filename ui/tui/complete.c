/* complete.c - addresses completed in the UI's prompts: the aliases, then the account's query_command, a pick list when several match. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "compose.h"
#include "i18n.h"
#include "query.h"
#include "util.h"

/* --- addresses: aliases, then query_command ------------------------------------ */

struct query_pick {
	struct screen *prompt;
	char *text;                /* what was typed */
	size_t at;                 /* where the element asked for starts */
	char **lines;              /* the matches as they go in */
	size_t n;
};

static void
picked(struct app *a, void *arg, int k)
{
	struct query_pick *q = arg;
	char *out;
	size_t i;

	/* The prompt is under the pick list: it is on top again now. */
	if (k >= 0 && a->top == q->prompt && q->lines[k] != NULL &&
	    (out = util_strf("%.*s%s%s", (int)q->at, q->text, q->at > 0 ?
	    " " : "", q->lines[k])) != NULL) {
		prompt_line_set(q->prompt, out);
		free(out);
	}
	for (i = 0; i < q->n; i++)
		free(q->lines[i]);
	free(q->lines);
	free(q->text);
	free(q);
}

/* Ask query_command for the element of text from at on; several: a pick list. */
static void
query_complete(struct app *a, struct screen *p, const char *text, size_t at)
{
	struct query_match *v = NULL;
	struct query_pick *q;
	const char *el = text + at;
	char **items, *why = NULL;
	size_t n = 0, i;

	while (*el == ' ' || *el == '\t')
		el++;
	if (*el == '\0')
		return;
	if (query_run(a->c.acct->query_command, el, &v, &n, &why) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : "?");
		free(why);
		return;
	}
	if (n == 0) {
		app_status(a, TUI_NORMAL, _("query_command found nothing for "
		    "'%s'"), el);
		query_free(v, n);
		return;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL || (q->text = strdup(text)) ==
	    NULL || (q->lines = calloc(n, sizeof(*q->lines))) == NULL ||
	    (items = calloc(n, sizeof(*items))) == NULL) {
		if (q != NULL) {
			free(q->text);
			free(q->lines);
		}
		free(q);
		query_free(v, n);
		return;
	}
	q->prompt = p;
	q->at = at;
	q->n = n;
	for (i = 0; i < n; i++) {
		q->lines[i] = query_format(&v[i]);
		items[i] = strdup(q->lines[i] != NULL ? q->lines[i] : "?");
	}
	query_free(v, n);
	if (n == 1) {
		free(items[0]);
		free(items);
		picked(a, q, 0);
		return;
	}
	prompt_pick(a, _("Addresses found"), items, n, 0, picked, q);
}

/* Tab in an address prompt: an alias, else the account's query_command. */
void
compose_complete_addr(struct app *a, struct screen *p, const char *text)
{
	char *r = alias_complete(a->aliases, text);
	const char *comma;

	if (r != NULL) {
		prompt_line_set(p, r);
		free(r);
		return;
	}
	if (a->c.acct == NULL || a->c.acct->query_command == NULL)
		return;
	comma = strrchr(text, ',');
	query_complete(a, p, text, comma != NULL ? (size_t)(comma - text) + 1 :
	    0);
}

