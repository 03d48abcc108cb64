/* drafts.c - drafts in the drafts/ Maildir: saved atomically, loaded, listed, deleted. */
#include "drafts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

enum err
drafts_save(struct maildir *md, char **id, const char *p, size_t n,
    char **errstr)
{
	struct maildir_tx tx;
	enum err e;

	e = *id == NULL ? maildir_begin(md, NULL, &tx, errstr) :
	    maildir_replace_begin(md, *id, &tx, errstr);
	if (e != ERR_OK)
		return e;
	if (maildir_write(&tx, p, n) < 0) {
		util_seterr(errstr, _("cannot save the draft: %s"),
		    strerror(errno));
		maildir_abort(md, &tx);
		free(tx.name);
		return errno == ENOMEM ? ERR_NOMEM : ERR_IO;
	}
	e = *id == NULL ? maildir_commit(md, &tx, "D", errstr) :
	    maildir_replace_commit(md, &tx, errstr);
	if (e != ERR_OK) {
		maildir_abort(md, &tx);
		free(tx.name);
		return e;
	}
	if (*id == NULL)
		*id = tx.name;
	else
		free(tx.name);
	return ERR_OK;
}

enum err
drafts_load(struct maildir *md, const char *id, struct buf *out,
    char **errstr)
{
	enum err e;
	int fd, err;

	if ((e = maildir_open_msg(md, id, &fd, errstr)) != ERR_OK)
		return e;
	if (buf_read_fd(out, fd) < 0) {
		err = errno;
		(void)close(fd);
		if (err == E2BIG) {
			util_seterr(errstr, _("the draft %s is too large"), id);
			return ERR_DATA;
		}
		util_seterr(errstr, _("cannot read the draft %s: %s"), id,
		    strerror(err));
		return ERR_IO;
	}
	(void)close(fd);
	return ERR_OK;
}

enum err
drafts_list(struct maildir *md, char ***ids, size_t *n, char **errstr)
{
	char **warn = NULL;
	size_t nw = 0;
	enum err e;

	e = maildir_list(md, ids, n, &warn, &nw, errstr);
	maildir_free_list(warn, nw);
	return e;
}

enum err
drafts_delete(struct maildir *md, const char *id, char **errstr)
{
	return maildir_remove(md, id, errstr);
}
