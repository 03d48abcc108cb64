/* err.h - the one error enum, its messages and its sysexits.h exit codes. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_ERR_H
#define PIGEON_ERR_H

/*
 * X(name, exit code, message).  The message is marked for translation and
 * fetched translated by err_str().  Detail (the server's words, a file name)
 * travels separately in a char *errstr owned by the caller.
 */
#define ERR_TABLE(X) \
	X(ERR_OK,        EX_OK,          N_("success")) \
	X(ERR_NOMEM,     EX_OSERR,       N_("out of memory")) \
	X(ERR_USAGE,     EX_USAGE,       N_("invalid usage")) \
	X(ERR_CONFIG,    EX_CONFIG,      N_("configuration error")) \
	X(ERR_IO,        EX_IOERR,       N_("input/output error")) \
	X(ERR_NOINPUT,   EX_NOINPUT,     N_("cannot read input")) \
	X(ERR_DATA,      EX_DATAERR,     N_("invalid message data")) \
	X(ERR_RESOLVE,   EX_TEMPFAIL,    N_("cannot resolve host name")) \
	X(ERR_NET,       EX_TEMPFAIL,    N_("network error")) \
	X(ERR_TIMEOUT,   EX_TEMPFAIL,    N_("timed out")) \
	X(ERR_CLOSED,    EX_TEMPFAIL,    N_("server closed the connection")) \
	X(ERR_TLS,       EX_TEMPFAIL,    N_("TLS error")) \
	X(ERR_TLS_VERIFY, EX_UNAVAILABLE, N_("server certificate not trusted")) \
	X(ERR_PROTOCOL,  EX_PROTOCOL,    N_("SMTP protocol error")) \
	X(ERR_NOTLS,     EX_UNAVAILABLE, N_("server does not offer STARTTLS")) \
	X(ERR_PLAINTEXT, EX_NOPERM,      N_("refusing to send credentials without TLS")) \
	X(ERR_NOAUTH,    EX_UNAVAILABLE, N_("no usable authentication mechanism")) \
	X(ERR_AUTH,      EX_NOPERM,      N_("authentication failed")) \
	X(ERR_AUTHREQ,   EX_NOPERM,      N_("the server takes mail only after a login")) \
	X(ERR_TEMPFAIL,  EX_TEMPFAIL,    N_("temporary failure, try again later")) \
	X(ERR_PERMFAIL,  EX_UNAVAILABLE, N_("server refused the message")) \
	X(ERR_NOUSER,    EX_NOUSER,      N_("recipient rejected")) \
	X(ERR_TOOBIG,    EX_DATAERR,     N_("message too big for the server")) \
	X(ERR_NOUTF8,    EX_DATAERR,     N_("server cannot take non-ASCII addresses")) \
	X(ERR_UNSAFE,    EX_NOPERM,      N_("refused: not a private file of this user")) \
	X(ERR_CANCEL,    EX_TEMPFAIL,    N_("cancelled")) \
	X(ERR_STOPPED,   EX_OK,          N_("stopped at the stop point, as asked")) \
	X(ERR_SOFTWARE,  EX_SOFTWARE,    N_("internal error"))

#define ERR_ENUM_(name, ex, msg) name,
enum err { ERR_TABLE(ERR_ENUM_) ERR_COUNT_ };
#undef ERR_ENUM_

/* The translated message for e; never NULL. */
const char *err_str(enum err e);
/* The untranslated name ("ERR_TLS"), for logs and tests. */
const char *err_name(enum err e);
/* The sysexits.h exit status for e. */
int err_exit_code(enum err e);

#endif
