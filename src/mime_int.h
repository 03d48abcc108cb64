/* mime_int.h - what the MIME builder's files share (mime.c, mimepart.c): a part's fields; no other module includes it. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MIME_INT_H
#define PIGEON_MIME_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "hdr.h"
#include "mime.h"

/* P_RAW: an entity written before (mime_entity()), headers and all. */
enum kind { P_TEXT, P_FILE, P_MESSAGE, P_MULTI, P_RAW };

enum enc { ENC_7BIT, ENC_8BIT, ENC_QP, ENC_BASE64 };

/* What a look through a part's bytes found. */
struct scan {
	uint64_t col, maxline;
	int eight, nul, lone_cr, bad_utf8, collide;
	int ws_end;              /* a line ends in a blank */
	int from_bol;            /* a line begins with "From " */
	unsigned char lastc;     /* the last byte of the line so far */
	int cr;                  /* the last byte was a CR */
	int need;                /* UTF-8 continuation bytes still due */
	unsigned char lo, hi;    /* the range of the next one */
	char head[76];           /* the start of the current line */
	size_t nhead;
	char *const *bnd;        /* boundaries that may not start a line */
	size_t nbnd;
};

struct mime_part {
	enum kind kind;
	char *type;              /* "text/plain", "image/png", "multipart/mixed" */
	char *charset;           /* texts: the MIME charset name */
	int flowed;              /* texts: 1 format=flowed, 2 and DelSp=yes */
	char *name;              /* files: the name shown, UTF-8 */
	char *desc;              /* files: Content-Description, UTF-8; NULL: none */
	enum mime_disp disp;
	struct buf text;         /* P_TEXT: in charset, LF line ends */
	int fd;                  /* P_FILE, P_MESSAGE */
	char *path;
	uint64_t size;
	char boundary[80];       /* P_MULTI */
	struct hdr_param prm[2]; /* P_MULTI: more Content-Type parameters */
	size_t nprm;
	struct mime_part **kids;
	size_t nkids;
	/* Decided by mime_write()'s first pass. */
	struct scan sc;
	enum enc enc;
	int as_octets;           /* a message file that must go as base64 */
};

/*
 * mimepart.c, for the writer: mime_new_boundary() makes a fresh boundary,
 * mime_read_full() reads a block, retrying short reads.
 */
int mime_new_boundary(char *b, size_t len);
ssize_t mime_read_full(int fd, char *b, size_t n);

#endif
