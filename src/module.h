/* module.h - the parts of pigeon that need a heavy library (OpenSSL, libmagic), loaded when first needed. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MODULE_H
#define PIGEON_MODULE_H

/*
 * Why modules: starting a program linked with libssl and libcrypto costs
 * about 150 page faults (their relocations), 3 ms on a small VM, before
 * main() runs; the curses program's first frame, a plain-text sendmail
 * and "pigeon queue list" need neither.  So TLS and the SASL hashes live
 * in the module "ssl", content sniffing in "magic", each a shared object
 * that links its library and exports one table, pigeon_module, whose
 * first member is the ABI string the program was built with.  The
 * program calls through the table (src/sslload.c, src/mimetype.c); unit
 * tests link the real code directly.
 *
 * Where a module is looked for: first mod/NAME.so next to the running
 * program (the build tree: ./pigeon and ./mod/), then PIGEON_MODDIR
 * (config.h; $(libdir)/pigeon when installed).  A directory writable by
 * others is refused, and so is a module that is not owned by root or by
 * the user, or is writable by others: loading code is running it.
 */

/*
 * The table of module name ("ssl"), checked against abi; NULL when it
 * cannot be loaded, with *errstr (malloc'd, may be NULL) saying why in
 * words.  A module is loaded once and stays; a failure is remembered and
 * given again (with the same words) to the next caller.
 */
const void *module_get(const char *name, const char *abi, char **errstr);

#endif
