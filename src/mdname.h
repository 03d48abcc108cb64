/* mdname.h - Maildir message names: unique ones, what a name may be, the info part with its flags, whose a name is. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MDNAME_H
#define PIGEON_MDNAME_H

#include <stddef.h>

/*
 * Unique names look like "SECONDS.M<usec>P<pid>R<hex>.<host>", where the
 * microseconds have six digits (so names sort by time) and host is
 * gethostname() with '/' written "\057" and ':' written "\072"
 * (https://cr.yp.to/proto/maildir.html).  A file in cur/ carries the
 * info part ":2,FLAGS" after its name.
 */

/* ":2," plus at most 52 letters plus NUL. */
#define MDNAME_INFO_MAX 64

/* A new unique name (malloc'd, the caller frees it); NULL on failure. */
char *mdname_unique(void);
/*
 * Could s be a unique name (not empty, no leading '.', no '/', ':' or
 * control character)?  Then it is safe as a file name too.  1 or 0.
 */
int mdname_ok(const char *s);
/*
 * The info part ":2,FLAGS" for flags into out: letters only, put in
 * ASCII order, each once (the Maildir convention).  0, or -1 when flags
 * holds anything else.
 */
int mdname_info(const char *flags, char out[MDNAME_INFO_MAX]);
/* s with every byte outside printable ASCII as \xHH, safe to show; malloc'd. */
char *mdname_vis(const char *s);
/* This host's part of a unique name, escaped; malloc'd. */
char *mdname_host(void);
/*
 * Is name a unique name that a process of this host (host: mdname_host())
 * made and that no longer runs?  1 or 0.
 */
int mdname_dead(const char *name, const char *host);
/* The random hex of a unique name, *len long; NULL when there is none. */
const char *mdname_random(const char *name, size_t *len);

#endif
