/* query.h - mutt's query_command: ask a program (an address book, LDAP) for the addresses that match. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_QUERY_H
#define PIGEON_QUERY_H

#include <stddef.h>

#include "err.h"

struct query_match {
	char *addr;
	char *name;                /* may be "" */
};

/*
 * Run cmd through /bin/sh with q as its "$1" and every "%s" a reference
 * to it, however the user quoted it (see spawn_script(): no "%s", q is
 * the last argument; "%%" is a '%'; q never becomes shell code), standard
 * input /dev/null, and read what it prints as
 * mutt does: the first line is a note for the user, each further line
 * "address<TAB>name[<TAB>anything]".  Lines without an '@' in the
 * address are skipped.  *v (malloc'd, *n entries; free with
 * query_free()).  ERR_CONFIG with *errstr when the program cannot be run,
 * fails or prints more than 1 MiB.
 */
enum err query_run(const char *cmd, const char *q, struct query_match **v,
    size_t *n, char **errstr);
void query_free(struct query_match *v, size_t n);

/* "name <addr>", the name quoted when it needs it; addr alone without a name. */
char *query_format(const struct query_match *m);

#endif
