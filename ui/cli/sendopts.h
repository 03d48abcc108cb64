/* sendopts.h - the options of "pigeon send" (reply and forward take them too), read for send.c. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SENDOPTS_H
#define PIGEON_SENDOPTS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cli.h"
#include "draft.h"

/* What the options say that does not go into the draft as it is read. */
struct send_opts {
	const char *body_path;     /* --body FILE (NULL: standard input) */
	const char *html;          /* --html FILE, read by send.c */
	int html_auto;             /* --html-auto */
	int dry;                   /* --dry-run */
	int no8bit;                /* --7bit */
	int abort_on_reject;       /* --abort-on-reject */
	int sign;                  /* --sign 1, --no-sign 0, neither -1 */
	int encrypt;               /* --encrypt 1, --no-encrypt 0, neither -1 */
	int plain_ok;              /* --encrypt-or-plain */
	enum pgpmime_method method; /* --pgp, --smime; PGPMIME_NONE: neither */
	int64_t at;                /* --at: held until then (0: send now) */
};

/* sendopts_parse() read --help or --version: the run ends, with 0. */
#define SENDOPTS_DONE (-1)

/*
 * Read argv as "pigeon send" (cc NULL) or as cc's command (its options
 * first, its help, its operands) does: the shared options into c, the
 * message's fields (-s, -a, -c, -b, -H, --from, --reply-to...) into d,
 * the rest into o; send's operands are recipients.  Then the options
 * that exclude each other are refused.  0 to go on, SENDOPTS_DONE, or
 * an exit status with the user told.
 */
int sendopts_parse(struct send_opts *o, struct cli *c, struct draft *d,
    int argc, char **argv, const struct cli_compose *cc);

/*
 * Text p[0..n) in the locale's character set (or already UTF-8) added
 * to out as UTF-8; 0 or an exit status, told with what naming the text.
 */
int sendopts_to_utf8(const char *what, const char *p, size_t n,
    struct buf *out);

#endif
