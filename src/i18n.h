/* i18n.h - gettext macros shared by the library and the front ends. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_I18N_H
#define PIGEON_I18N_H

#include "config.h"

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s) dgettext(PACKAGE, s)
/* The form for n of a message with a singular and a plural form. */
#define P_(s, p, n) dngettext(PACKAGE, s, p, (unsigned long)(n))
#else
#define _(s) ((const char *)(s))
#define P_(s, p, n) ((const char *)((n) == 1 ? (s) : (p)))
#endif
/* Marks a string for translation where it is stored, not where it is shown. */
#define N_(s) s

#endif
