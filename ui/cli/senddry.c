/* senddry.c - "pigeon send --dry-run": the message written out instead of sent, shown safe on a terminal. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "i18n.h"
#include "mime.h"
#include "msg.h"
#include "sanitize.h"
#include "senddry.h"

/* Copy the spool to standard output (a terminal), control characters escaped. */
static int
print_message(int fd)
{
	char blk[65536], *p, *end, *nl;
	struct buf safe;
	ssize_t n;
	int rc = 0;

	buf_init(&safe, 8 * sizeof(blk));
	if (lseek(fd, 0, SEEK_SET) < 0)
		return EX_IOERR;
	while ((n = read(fd, blk, sizeof(blk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = EX_IOERR;
			break;
		}
		/* Line by line: the line ends stay, the rest is shown safe. */
		buf_reset(&safe);
		for (p = blk, end = blk + n; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end;
			(void)sanitize_mode_append(&safe, p, (size_t)(nl - p),
			    SANITIZE_BODY);
			if (nl < end)
				(void)buf_addch(&safe, '\n');
		}
		if (fwrite(safe.data, 1, safe.len, stdout) != safe.len) {
			rc = EX_IOERR;
			break;
		}
	}
	buf_free(&safe);
	if (fflush(stdout) != 0 || rc != 0) {
		cli_error(_("cannot write the message: %s"), strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

/* --dry-run: the message as it would go to a server with 8BITMIME. */
int
senddry_run(const struct draft_built *b, int no8bit)
{
	struct mime_result mr;
	char *why = NULL;
	enum err e;
	int fd, rc;

	if (!isatty(STDOUT_FILENO)) {
		if ((e = mime_write(&b->mm, STDOUT_FILENO, !no8bit, &mr,
		    &why)) == ERR_OK)
			return 0;
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	/* On a terminal: through a spool, shown safe. */
	if ((fd = msg_open_spool(NULL)) < 0) {
		cli_error(_("cannot create a spool file: %s"), strerror(errno));
		return EX_CANTCREAT;
	}
	if ((e = mime_write(&b->mm, fd, !no8bit, &mr, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		(void)close(fd);
		return err_exit_code(e);
	}
	rc = print_message(fd);
	(void)close(fd);
	return rc;
}
