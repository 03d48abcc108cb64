/* i18n.h - gettext macros shared by the library and the front ends. */
#ifndef PIGEON_I18N_H
#define PIGEON_I18N_H

#include "config.h"

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s) dgettext(PACKAGE, s)
#else
#define _(s) ((const char *)(s))
#endif
/* Marks a string for translation where it is stored, not where it is shown. */
#define N_(s) s

#endif
