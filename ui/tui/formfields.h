/* formfields.h - the fields of the account form: labels, pigeon.conf keys, help, and the check of each value. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_FORMFIELDS_H
#define PIGEON_FORMFIELDS_H

/* In the order the form shows them. */
enum form_field {
	F_NAME,
	F_FROM,
	F_HOST,
	F_SECURITY,
	F_AUTH,
	F_USER,
	F_PWSRC,
	F_PWCMD,
	F_CAFILE,
	F_PIN,
	F_CERT,
	F_KEY,
	F_HELO,
	F_SIGNATURE,
	F_COUNT
};

/* The choices of Security (N_()), one per enum url_scheme in its order: STARTTLS, TLS, none, STARTTLS when offered, LMTP; their URL schemes and ports. */
#define FORMFIELD_NSECURITY 5   /* one per enum url_scheme */
extern const char *const formfield_security[FORMFIELD_NSECURITY];
extern const char *const formfield_scheme[FORMFIELD_NSECURITY];
extern const char *const formfield_port[FORMFIELD_NSECURITY];
/* The choices of Login method: [0] automatic (N_()), then the mechanisms. */
#define FORMFIELD_NAUTH 7
extern const char *const formfield_auth[FORMFIELD_NAUTH];
/* The choices of Password from (N_()): [0] password_command, [1] netrc. */
extern const char *const formfield_pwsrc[2];

/* What the form shows before its value (translated). */
const char *formfield_label(enum form_field f);
/* The field's word in a message: "Server: ..." (translated). */
const char *formfield_name(enum form_field f);
/* Its pigeon.conf key ("tls_cafile"), NULL for a field that is not one key. */
const char *formfield_key(enum form_field f);
/* A line saying what goes there (translated). */
const char *formfield_help(enum form_field f);
/* Is the value a file name (Tab completes it)? */
int formfield_is_file(enum form_field f);

/*
 * What is wrong with v, the value of f, as the config file would take
 * it: a file that cannot be read (a leading "~/" is the home directory),
 * a pin that is not a SHA-256 fingerprint, an EHLO name that is not a
 * domain or an address literal, a From that is not one address.  The
 * message names the field ("CA file: cannot read ..."), malloc'd; NULL
 * when v is fine, when it is empty (an empty value removes the key; but
 * an account needs a From), or when f has no check of its own.
 */
char *formfield_problem(enum form_field f, const char *v);

/* v with a leading "~/" made the home directory, as the config reader does (malloc'd; NULL: out of memory). */
char *formfield_path(const char *v);

#endif
