/* compose_reply.c - reply, group reply and forward from the reader and the message list: the draft made by src/reply.c, on the compose screen. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "compose.h"
#include "i18n.h"
#include "mimewalk.h"
#include "reply.h"

void
compose_reply(struct app *a, struct maildir *md, const char *id,
    enum reply_kind kind)
{
	struct reply_orig *o = NULL;
	struct reply_opts ro;
	const struct account *mine = NULL;
	struct draft *d;
	char *why = NULL;
	unsigned flaws = 0;
	enum err e;
	int fd;

	if (compose_find(a) != NULL) {
		app_status(a, TUI_ERROR, _("a message is being composed "
		    "already: send or postpone it first"));
		return;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return;
	draft_init(d);
	if ((e = maildir_open_msg(md, id, &fd, &why)) == ERR_OK) {
		/*
		 * A forward as an attachment takes a private copy, the
		 * draft's; an inline one the original's attachments.
		 */
		e = reply_read(fd, NULL, kind == REPLY_FORWARD_ATTACH ?
		    REPLY_READ_COPY : kind == REPLY_FORWARD_INLINE ?
		    REPLY_READ_ATTACHMENTS : 0, &o, &flaws, &why);
		(void)close(fd);
	}
	if (e == ERR_OK) {
		/* The account it belongs to knows which addresses are the user's. */
		mine = reply_account(o, a->c.conf);
		memset(&ro, 0, sizeof(ro));
		ro.kind = kind;
		ro.acct = mine != NULL ? mine : a->c.acct;
		e = reply_make(o, &ro, d, &why);
	}
	reply_orig_free(o);
	if (e != ERR_OK) {
		app_status(a, TUI_ERROR, _("cannot answer %s: %s"), id,
		    why != NULL ? why : err_str(e));
		free(why);
		draft_free(d);
		free(d);
		return;
	}
	compose_with(a, d, NULL);
	if (compose_find(a) == NULL)
		return;
	if (mine != NULL && a->c.acct != NULL &&
	    strcmp(mine->name, a->c.acct->name) != 0)
		app_status(a, TUI_ERROR, _("this message is for account %s; f "
		    "chooses the account to send with"), mine->name);
	else if (kind == REPLY_FORWARD_INLINE || kind == REPLY_FORWARD_ATTACH)
		app_status(a, TUI_NORMAL, _("forward: t: To, e: write the "
		    "text, y: send, q: abort"));
	else if (flaws != 0)
		app_status(a, TUI_ERROR, _("the message is damaged, the quote "
		    "is what could be read; e: write the text, y: send"));
	else
		app_status(a, TUI_NORMAL, _("reply: e: write the text, y: "
		    "send, q: abort"));
}
