/* err.c - messages and exit codes for enum err. */
/* SPDX-License-Identifier: ISC */
#include "err.h"

#include <sysexits.h>

#include "i18n.h"

#define ERR_ROW_(name, ex, msg) { #name, ex, msg },
static const struct {
	const char *name;
	int exit_code;
	const char *msg;
} err_rows[] = { ERR_TABLE(ERR_ROW_) };
#undef ERR_ROW_

const char *
err_str(enum err e)
{
	if ((unsigned)e >= ERR_COUNT_)
		e = ERR_SOFTWARE;
	return _(err_rows[e].msg);
}

const char *
err_name(enum err e)
{
	if ((unsigned)e >= ERR_COUNT_)
		e = ERR_SOFTWARE;
	return err_rows[e].name;
}

int
err_exit_code(enum err e)
{
	if ((unsigned)e >= ERR_COUNT_)
		e = ERR_SOFTWARE;
	return err_rows[e].exit_code;
}
