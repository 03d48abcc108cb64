/* addr.h - RFC 5322 address lists as users and mail programs write them. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_ADDR_H
#define PIGEON_ADDR_H

#include <stddef.h>

#include "err.h"

struct addr {
	char *name;   /* display name as written (quotes removed), or NULL */
	char *spec;   /* addr-spec: local@domain, without angle brackets */
};

struct addr_list {
	struct addr *v;
	size_t n;
};

/*
 * Parse s[0..len) (an unfolded or folded header value, or what a user
 * typed) and append every mailbox to list: "Name <a@b>", "a@b",
 * "\"Doe, J\" <j@d>", comments, groups ("team: a@b, c@d;"), separated by
 * commas outside quotes.  Empty elements and empty groups are skipped.
 * ERR_DATA with *errstr naming the offending address when one is
 * malformed: no '@', empty local part or domain, control characters, an
 * unclosed quote, comment or angle bracket, a leading '-'.
 */
enum err addr_list_parse(struct addr_list *list, const char *s, size_t len,
    char **errstr);
/*
 * The same, and with local_ok a bare local part ("root", as cron and
 * /etc/aliases write it) is an address too: its spec has no '@'.
 */
enum err addr_list_parse_local(struct addr_list *list, const char *s,
    size_t len, int local_ok, char **errstr);
/* Append a copy of spec (already an addr-spec) to list. */
enum err addr_list_add(struct addr_list *list, const char *name,
    const char *spec);
void addr_list_free(struct addr_list *list);

#endif
