/* password.h - get a secret from a password_command. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_PASSWORD_H
#define PIGEON_PASSWORD_H

#include "err.h"

/*
 * Run cmd and return the first line of its output (without the newline)
 * in *out.  A command without shell syntax is split into words and run
 * directly; otherwise through /bin/sh -c.  Non-zero exit, empty output
 * or a failure to run: ERR_CONFIG with *errstr saying which.
 */
enum err password_run(const char *cmd, char **out, char **errstr);

#endif
