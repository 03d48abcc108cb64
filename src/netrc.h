/* netrc.h - look a login and password up in ~/.netrc. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_NETRC_H
#define PIGEON_NETRC_H

#include "err.h"

/*
 * Look host (and user, if not NULL) up in the netrc file (NULL:
 * $NETRC or ~/.netrc).  ERR_OK with *password set (and *login if
 * found), ERR_OK with *password NULL when no entry matches; ERR_CONFIG
 * when the file is not a regular file, or holds passwords and has any
 * group or other permission bit set.
 */
enum err netrc_lookup(const char *path, const char *host, const char *user,
    char **login, char **password, char **errstr);

#endif
