/* idnmod.c - the idn module (module.h): libidn2's IDNA2008 conversion of a domain to A-labels; built into mod/idn.so only. */
/* SPDX-License-Identifier: ISC */
#include "idnmod.h"

#include <stdlib.h>
#include <string.h>

#include <idn2.h>

static char *
idn_to_ascii(const char *d, const char **why, int *nomem)
{
	char *a = NULL, *r;
	int rc;

	*why = NULL;
	*nomem = 0;
	/*
	 * Non-transitional UTS #46 (what IDNA2008 registries and browsers
	 * do: "ß" stays a letter of its own), NFC first, and STD3 rules: a
	 * mail domain is a host name.
	 */
	rc = idn2_to_ascii_8z(d, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL |
	    IDN2_USE_STD3_ASCII_RULES);
	if (rc == IDN2_MALLOC) {
		*nomem = 1;
		return NULL;
	}
	if (rc != IDN2_OK) {
		*why = idn2_strerror(rc);
		return NULL;
	}
	/* libidn2's memory goes back to libidn2: the caller gets ours. */
	if ((r = strdup(a)) == NULL)
		*nomem = 1;
	idn2_free(a);
	return r;
}

extern const struct idnmod pigeon_idn_module;

const struct idnmod pigeon_idn_module = {
	IDNMOD_ABI,
	idn_to_ascii,
};
