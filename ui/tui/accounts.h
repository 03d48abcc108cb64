/* accounts.h - the accounts screen of the interactive UI: list, add, edit, delete, test. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_ACCOUNTS_H
#define PIGEON_ACCOUNTS_H

/*
 * The accounts of the config file (config_path, NULL: the default one)
 * until the user leaves (q).  a adds, e or Enter edits, d deletes (asks),
 * D makes one the default, t tests the connection (the dialogue shows in
 * the lower half).  Every change is written at once with confedit (see
 * src/confedit.h); passwords are never written.  current: the account
 * the UI sends with, marked.  Returns 1 when the file changed, else 0;
 * -1 when a stop signal came (the caller saves what it must and dies).
 */
int ui_accounts(const char *config_path, const char *current);

/*
 * The form for a new account, for a first run without a config file;
 * 1 when one was saved (and made the default), 0 when the user left,
 * -1 for a stop signal.
 */
int ui_first_account(const char *config_path);

#endif
