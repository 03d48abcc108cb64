/* qid.c - message ids for people: a short form of each, and which id an abbreviation names. */
/* SPDX-License-Identifier: ISC */
#include "qid.h"

#include <string.h>

#include "mdname.h"
#include "util.h"

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* How many characters a and b (b of length bn) have in common at the start, hex in any case when fold. */
static size_t
common(const char *a, size_t an, const char *b, size_t bn, int fold)
{
	size_t i;

	for (i = 0; i < an && i < bn; i++)
		if (fold ? util_hexval((unsigned char)a[i]) !=
		    util_hexval((unsigned char)b[i]) || !is_hex(a[i]) ||
		    !is_hex(b[i]) : a[i] != b[i])
			break;
	return i;
}

/* Does arg abbreviate id? */
static int
abbreviates(const char *arg, size_t an, const char *id)
{
	const char *r;
	size_t rn = 0;

	if (an < QID_PREFIX_MIN)
		return 0;
	if (strncmp(id, arg, an) == 0)
		return 1;
	r = mdname_random(id, &rn);
	return r != NULL && an <= rn && common(arg, an, r, rn, 1) == an;
}

/* Is ids[i] the same as one before it? */
static int
seen(const char *const *ids, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(ids[j], ids[i]) == 0)
			return 1;
	return 0;
}

size_t
qid_match(const char *const *ids, size_t n, const char *arg, size_t *found,
    size_t max)
{
	size_t i, k = 0, an = strlen(arg);

	for (i = 0; i < n; i++)
		if (strcmp(ids[i], arg) == 0) {
			if (max > 0)
				found[0] = i;
			return 1;
		}
	for (i = 0; i < n; i++) {
		if (!abbreviates(arg, an, ids[i]) || seen(ids, i))
			continue;
		if (k < max)
			found[k] = i;
		k++;
	}
	return k;
}

const char *
qid_short(const char *const *ids, size_t n, size_t i, size_t *len)
{
	const char *r, *o;
	size_t rn = 0, on = 0, need = QID_SHORT_MIN, c, j;

	*len = strlen(ids[i]);
	if ((r = mdname_random(ids[i], &rn)) == NULL)
		return ids[i];
	for (j = 0; j < n; j++) {
		if (j == i || strcmp(ids[j], ids[i]) == 0)
			continue;
		/* One digit more than it shares with the other's hex or name. */
		if ((o = mdname_random(ids[j], &on)) != NULL &&
		    (c = common(r, rn, o, on, 1) + 1) > need)
			need = c;
		if ((c = common(r, rn, ids[j], strlen(ids[j]), 0) + 1) > need)
			need = c;
	}
	if (need > rn || need >= QID_SHORT_MAX)
		return ids[i];
	*len = need;
	return r;
}
