/* draft.c - a message being written, as data: built into MIME, saved to and read back from the drafts folder, the same for every front end. */
/* SPDX-License-Identifier: ISC */
#include "draft.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "charset.h"
#include "i18n.h"
#include "mimetype.h"
#include "msg.h"
#include "mimewalk.h"
#include "rfc822.h"
#include "password.h"
#include "util.h"

#define TEXT_MAX (64u * 1024 * 1024)
/* Longest name of an attachment's private copy, in bytes (NAME_MAX is 255). */
#define COPY_NAME_MAX 200

/* Fields a draft keeps as typed while they do not parse (yet). */
static const char *const kept_name[] = {
	"X-Pigeon-To", "X-Pigeon-Cc", "X-Pigeon-Bcc", "X-Pigeon-Reply-To",
	"X-Pigeon-From",
};
#define ACCOUNT_FIELD "X-Pigeon-Account"
/* "pgp sign encrypt", "smime sign", "none": how the draft goes. */
#define SECURITY_FIELD "X-Pigeon-Security"

/* How a draft goes, as X-Pigeon-Security says it. */
static const char *
security_text(const struct draft_security *s)
{
	static const char *const words[2][4] = {
		{ "none", "pgp sign", "pgp encrypt", "pgp sign encrypt" },
		{ "none", "smime sign", "smime encrypt", "smime sign encrypt" },
	};
	unsigned w = s->what & (PGPMIME_SIGN | PGPMIME_ENCRYPT);

	if (s->method == PGPMIME_NONE)
		w = 0;
	return words[s->method == PGPMIME_SMIME][w];
}

/* X-Pigeon-Security read back; anything not understood is "none". */
static void
security_parse(struct draft_security *s, const char *v)
{
	const char *p = v;
	size_t n;

	memset(s, 0, sizeof(*s));
	while (*p != '\0') {
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n == 3 && strncasecmp(p, "pgp", n) == 0)
			s->method = PGPMIME_PGP;
		else if (n == 5 && strncasecmp(p, "smime", n) == 0)
			s->method = PGPMIME_SMIME;
		else if (n == 4 && strncasecmp(p, "sign", n) == 0)
			s->what |= PGPMIME_SIGN;
		else if (n == 7 && strncasecmp(p, "encrypt", n) == 0)
			s->what |= PGPMIME_ENCRYPT;
		p += n;
	}
	if (s->method == PGPMIME_NONE || s->what == 0)
		memset(s, 0, sizeof(*s));
}

void
draft_init(struct draft *d)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->text, TEXT_MAX);
	buf_init(&d->html, TEXT_MAX);
}

static void
att_free(struct draft_att *a)
{
	if (a->owned && a->path != NULL)
		(void)unlink(a->path);
	free(a->path);
	free(a->name);
	free(a->type);
	free(a->desc);
}

void
draft_free(struct draft *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->natt; i++)
		att_free(&d->att[i]);
	free(d->att);
	for (i = 0; i < d->nextra; i++) {
		free((char *)d->extra[i].name);
		free((char *)d->extra[i].value);
	}
	free(d->extra);
	if (d->attdir != NULL)
		(void)rmdir(d->attdir);
	free(d->attdir);
	free(d->id);
	free(d->account);
	free(d->from);
	free(d->to);
	free(d->cc);
	free(d->bcc);
	free(d->reply_to);
	free(d->subject);
	free(d->in_reply_to);
	free(d->references);
	free(d->date);
	free(d->message_id);
	buf_free(&d->text);
	buf_free(&d->html);
	draft_init(d);
}

int
draft_set(char **field, const char *value)
{
	return util_set(field, value);
}

enum err
draft_add_field(struct draft *d, const char *name, const char *value,
    char **errstr)
{
	struct mime_field *v;
	enum err e;

	if ((e = mime_check_field(name, value, errstr)) != ERR_OK)
		return e;
	v = realloc(d->extra, (d->nextra + 1) * sizeof(*v));
	if (v == NULL)
		return ERR_NOMEM;
	d->extra = v;
	v[d->nextra].name = strdup(name);
	v[d->nextra].value = strdup(value);
	if (v[d->nextra].name == NULL || v[d->nextra].value == NULL) {
		free((char *)v[d->nextra].name);
		free((char *)v[d->nextra].value);
		return ERR_NOMEM;
	}
	d->nextra++;
	return ERR_OK;
}

enum err
draft_attach(struct draft *d, const char *path, const char *name,
    const char *type, int disp_inline, int message)
{
	struct draft_att *v = realloc(d->att, (d->natt + 1) * sizeof(*v));
	struct draft_att *a;

	if (v == NULL)
		return ERR_NOMEM;
	d->att = v;
	a = &v[d->natt];
	memset(a, 0, sizeof(*a));
	a->disp_inline = disp_inline;
	a->message = message;
	if ((a->path = strdup(path)) == NULL ||
	    (name != NULL && (a->name = strdup(name)) == NULL) ||
	    (type != NULL && (a->type = strdup(type)) == NULL)) {
		att_free(a);
		return ERR_NOMEM;
	}
	d->natt++;
	return ERR_OK;
}

void
draft_detach(struct draft *d, size_t i)
{
	if (i >= d->natt)
		return;
	att_free(&d->att[i]);
	memmove(d->att + i, d->att + i + 1, (d->natt - i - 1) *
	    sizeof(*d->att));
	d->natt--;
}

/* Text from a file or the terminal, in the locale's charset or UTF-8, appended as UTF-8. */
static enum err
add_utf8(struct buf *out, const char *p, size_t n, char **errstr)
{
	if (charset_utf8_valid(p, n, NULL))
		return buf_add(out, p, n) < 0 ? ERR_NOMEM : ERR_OK;
	return charset_to_utf8(out, p, n, charset_locale(), errstr);
}

enum err
draft_sign(struct draft *d, const char *path, char **errstr)
{
	struct buf raw, sig;
	size_t old = d->text.len;
	enum err e = ERR_OK;

	if (path == NULL || d->signed_text)
		return ERR_OK;
	buf_init(&raw, TEXT_MAX);
	buf_init(&sig, TEXT_MAX);
	if (buf_read_file(&raw, path) < 0) {
		util_seterr(errstr, _("cannot read the signature %s: %s"), path,
		    strerror(errno));
		e = errno == ENOMEM ? ERR_NOMEM : ERR_NOINPUT;
		goto out;
	}
	if ((e = add_utf8(&sig, buf_str(&raw), raw.len, errstr)) != ERR_OK)
		goto out;
	/* The text ends with a line end; the separator is "-- " alone. */
	if ((d->text.len > 0 && d->text.data[d->text.len - 1] != '\n' &&
	    buf_addch(&d->text, '\n') < 0) ||
	    (strncmp(buf_str(&sig), "-- \n", 4) != 0 &&
	    buf_addstr(&d->text, "-- \n") < 0) ||
	    buf_add(&d->text, buf_str(&sig), sig.len) < 0) {
		buf_truncate(&d->text, old);
		e = ERR_NOMEM;
		goto out;
	}
	d->signed_text = 1;
out:
	buf_free(&raw);
	buf_free(&sig);
	return e;
}

int
draft_mentions_attachment(const struct draft *d)
{
	const char *p = buf_str(&d->text);
	size_t n = d->text.len, i = 0, j, k;

	while (i < n) {
		for (j = i; j < n && p[j] != '\n'; j++)
			;
		/* Quoted lines and the signature speak of other things. */
		if (j - i == 3 && strncmp(p + i, "-- ", 3) == 0)
			return 0;
		if (p[i] != '>')
			for (k = i; k + 6 <= j; k++)
				if (strncasecmp(p + k, "attach", 6) == 0)
					return 1;
		i = j + 1;
	}
	return 0;
}

/* Is the address spec in the typed address list? */
static int
in_list(const char *list, const char *spec)
{
	struct addr_list l = { NULL, 0 };
	size_t i;
	int r = 0;

	if (list == NULL || addr_list_parse(&l, list, strlen(list), NULL) !=
	    ERR_OK) {
		addr_list_free(&l);
		return 0;
	}
	for (i = 0; i < l.n && !r; i++)
		r = strcasecmp(l.v[i].spec, spec) == 0;
	addr_list_free(&l);
	return r;
}

enum err
draft_add_bcc(struct draft *d, const char *const *rcpts, size_t n)
{
	struct buf bcc;
	size_t i;
	enum err e = ERR_OK;

	buf_init(&bcc, RFC822_HEADER_MAX);
	if (d->bcc != NULL && buf_addstr(&bcc, d->bcc) < 0)
		e = ERR_NOMEM;
	for (i = 0; i < n && e == ERR_OK; i++) {
		if (in_list(d->to, rcpts[i]) || in_list(d->cc, rcpts[i]) ||
		    in_list(d->bcc, rcpts[i]))
			continue;
		if ((bcc.len > 0 && buf_addstr(&bcc, ", ") < 0) ||
		    buf_addstr(&bcc, rcpts[i]) < 0)
			e = ERR_NOMEM;
	}
	if (e == ERR_OK && bcc.len > 0 && draft_set(&d->bcc, buf_str(&bcc)) <
	    0)
		e = ERR_NOMEM;
	buf_free(&bcc);
	return e;
}

/* --- building --------------------------------------------------------------- */

void
draft_built_free(struct draft_built *b)
{
	addr_list_free(&b->from);
	addr_list_free(&b->to);
	addr_list_free(&b->cc);
	addr_list_free(&b->bcc);
	addr_list_free(&b->reply_to);
	mime_free(b->mm.root);
	free(b->rcpts);
	free(b->msgid);
	free(b->fields);
	free(b->ac_attrs);
	free(b->ac_keydata);
	memset(b, 0, sizeof(*b));
}

/*
 * Parse what was typed for field into l (bare alias names expanded).  0;
 * 1 when it does not parse and may be kept as typed (use DRAFT_SAVE); -1
 * with *errstr.
 */
static int
parse_field(struct addr_list *l, const char *field, const char *typed,
    const struct aliases *al, enum draft_use use, char **errstr)
{
	char *x, *why = NULL;
	enum err e;

	if (typed == NULL || *typed == '\0')
		return 0;
	if ((x = al != NULL ? alias_expand(al, typed) : strdup(typed)) ==
	    NULL) {
		util_seterr(errstr, "%s", err_str(ERR_NOMEM));
		return -1;
	}
	e = addr_list_parse(l, x, strlen(x), &why);
	free(x);
	if (e == ERR_OK)
		return 0;
	addr_list_free(l);
	if (use == DRAFT_SAVE && e != ERR_NOMEM) {
		free(why);
		return 1;
	}
	/* L10N: the field name (To, Cc, ...) is not translated. */
	util_seterr(errstr, _("%s: %s"), field, why != NULL ? why :
	    err_str(e));
	free(why);
	return -1;
}

/* The envelope's recipients: To, Cc, Bcc, each address once (any case). */
static int
collect_rcpts(struct draft_built *b)
{
	const struct addr_list *l[3] = { &b->to, &b->cc, &b->bcc };
	size_t i, k, j, n = b->to.n + b->cc.n + b->bcc.n;

	if ((b->rcpts = calloc(n + 1, sizeof(*b->rcpts))) == NULL)
		return -1;
	for (k = 0; k < 3; k++)
		for (i = 0; i < l[k]->n; i++) {
			for (j = 0; j < b->nrcpts; j++)
				if (strcasecmp(b->rcpts[j], l[k]->v[i].spec) ==
				    0)
					break;
			if (j == b->nrcpts)
				b->rcpts[b->nrcpts++] = l[k]->v[i].spec;
		}
	return 0;
}

/* The attachments, after the text, under multipart/mixed. */
static enum err
build_attachments(const struct draft *d, struct mime_part **root,
    char **errstr)
{
	struct mimetypes *mt = NULL;
	struct mime_part *mixed = NULL, *p = NULL;
	const char *type;
	enum err e;
	size_t i;

	if ((e = mimetype_load(&mt, NULL, errstr)) != ERR_OK ||
	    (e = mime_multipart(&mixed, "mixed")) != ERR_OK)
		goto out;
	if ((e = mime_add(mixed, *root)) != ERR_OK)
		goto out;
	*root = mixed;
	for (i = 0; i < d->natt; i++) {
		const struct draft_att *a = &d->att[i];

		if (a->message) {
			e = mime_message(&p, a->path, errstr);
		} else {
			/* The type from the name the recipient sees. */
			type = a->type != NULL ? a->type : a->name != NULL ?
			    mimetype_lookup(mt, a->name) : NULL;
			e = mime_file(&p, a->path, type, a->disp_inline ?
			    MIME_INLINE : MIME_ATTACHMENT, mt, errstr);
		}
		if (e == ERR_OK && a->name != NULL &&
		    (e = mime_file_name(p, a->name)) == ERR_DATA)
			util_seterr(errstr, _("the name of %s is not UTF-8"),
			    a->path);
		if (e == ERR_OK && a->desc != NULL &&
		    (e = mime_file_description(p, a->desc)) == ERR_DATA)
			util_seterr(errstr, _("the description of %s is not "
			    "UTF-8"), a->path);
		if (e == ERR_OK)
			e = mime_add(mixed, p);
		if (e != ERR_OK) {
			mime_free(p);
			goto out;
		}
		p = NULL;
	}
out:
	mimetype_free(mt);
	return e;
}

/* The text [and its HTML alternative] [and the attachments]. */
static enum err
build_tree(const struct draft *d, const struct account *acct,
    struct mime_part **root, char **errstr)
{
	const char *cs = acct != NULL ? acct->send_charset : NULL;
	struct mime_part *text = NULL, *html = NULL, *alt = NULL;
	enum err e;

	*root = NULL;
	if ((e = acct != NULL && acct->text_flowed ?
	    mime_text_flowed(&text, buf_str(&d->text), d->text.len, cs,
	    errstr) :
	    mime_text(&text, "plain", buf_str(&d->text), d->text.len, cs,
	    errstr)) != ERR_OK)
		return e;
	if (d->has_html) {
		if ((e = mime_text(&html, "html", buf_str(&d->html),
		    d->html.len, cs, errstr)) != ERR_OK ||
		    (e = mime_multipart(&alt, "alternative")) != ERR_OK ||
		    (e = mime_add(alt, text)) != ERR_OK) {
			mime_free(text);
			mime_free(html);
			mime_free(alt);
			return e;
		}
		if ((e = mime_add(alt, html)) != ERR_OK) {
			mime_free(html);
			mime_free(alt);
			return e;
		}
		text = alt;
	}
	*root = text;
	if (d->natt > 0 && (e = build_attachments(d, root, errstr)) != ERR_OK) {
		mime_free(*root);
		*root = NULL;
	}
	return e;
}

/* Add a field to b->fields (pointers into d or static strings). */
static int
add_built_field(struct draft_built *b, const char *name, const char *value)
{
	struct mime_field *v = realloc(b->fields, (b->nfields + 1) *
	    sizeof(*v));

	if (v == NULL)
		return -1;
	b->fields = v;
	v[b->nfields].name = name;
	v[b->nfields++].value = value;
	return 0;
}

/* The header: addresses, subject, ids, fields; 0 or an error with *errstr. */
static enum err
build_header(const struct draft *d, const struct account *acct,
    const struct aliases *al, enum draft_use use, struct draft_built *b,
    char **errstr)
{
	struct addr_list *lists[5];
	const char *typed[5], *names[5] = { "To", "Cc", "Bcc", "Reply-To",
	    "From" };
	const char *at, *from = d->from != NULL ? d->from : acct != NULL ?
	    acct->from : NULL;
	size_t i;
	enum err e;
	int k, r;

	lists[0] = &b->to;
	lists[1] = &b->cc;
	lists[2] = &b->bcc;
	lists[3] = &b->reply_to;
	lists[4] = &b->from;
	typed[0] = d->to;
	typed[1] = d->cc;
	typed[2] = d->bcc;
	typed[3] = d->reply_to;
	typed[4] = from;
	for (k = 0; k < 5; k++) {
		if ((r = parse_field(lists[k], names[k], typed[k], al, use,
		    errstr)) < 0)
			return ERR_DATA;
		/* A draft keeps it as typed, to be put right later. */
		if (r == 1 && add_built_field(b, kept_name[k], typed[k]) < 0)
			return ERR_NOMEM;
	}
	if (from == NULL || *from == '\0') {
		if (use == DRAFT_SEND) {
			util_seterr(errstr, _("no sender: set 'from' in the "
			    "account or give one"));
			return ERR_USAGE;
		}
		/* A draft without one yet: the stand-in From is none. */
		if (add_built_field(b, kept_name[4], "") < 0)
			return ERR_NOMEM;
	}
	if (b->from.n > 1 || (use == DRAFT_SEND && b->from.n != 1)) {
		util_seterr(errstr, _("the sender must be one address, not "
		    "'%s'"), from);
		return ERR_DATA;
	}
	if (use == DRAFT_SEND && b->to.n + b->cc.n + b->bcc.n == 0) {
		util_seterr(errstr, _("no recipients: give at least one "
		    "address"));
		return ERR_USAGE;
	}
	if (d->subject != NULL && *d->subject != '\0' &&
	    (e = mime_check_value("Subject", d->subject, errstr)) != ERR_OK)
		return e;
	for (i = 0; i < d->nextra; i++)
		if (add_built_field(b, d->extra[i].name, d->extra[i].value) < 0)
			return ERR_NOMEM;
	if (use == DRAFT_SAVE) {
		if (d->account != NULL && add_built_field(b, ACCOUNT_FIELD,
		    d->account) < 0)
			return ERR_NOMEM;
		if (d->has_sec && add_built_field(b, SECURITY_FIELD,
		    security_text(&d->sec)) < 0)
			return ERR_NOMEM;
	}
	if (d->date != NULL)
		(void)snprintf(b->date, sizeof(b->date), "%s", d->date);
	else if (msg_date(b->date, sizeof(b->date)) < 0)
		return ERR_SOFTWARE;
	at = b->from.n == 1 ? strrchr(b->from.v[0].spec, '@') : NULL;
	if (d->message_id != NULL)
		b->msgid = strdup(d->message_id);
	else
		b->msgid = msg_make_id(at != NULL && charset_is_ascii(at + 1,
		    strlen(at + 1)) ? at + 1 : NULL);
	if (b->msgid == NULL)
		return ERR_NOMEM;
	(void)snprintf(b->ua, sizeof(b->ua), "pigeon/%s", VERSION);
	return ERR_OK;
}

enum err
draft_build(const struct draft *d, const struct account *acct,
    const struct aliases *al, enum draft_use use, struct draft_built *b,
    char **errstr)
{
	static const struct addr nobody = { NULL, (char *)"nobody@invalid" };
	enum err e;

	memset(b, 0, sizeof(*b));
	if ((e = build_header(d, acct, al, use, b, errstr)) != ERR_OK ||
	    (e = build_tree(d, acct, &b->mm.root, errstr)) != ERR_OK)
		goto fail;
	if (use == DRAFT_SEND && collect_rcpts(b) < 0) {
		e = ERR_NOMEM;
		goto fail;
	}
	/* A draft may have no From yet; the message needs one field. */
	b->mm.from = b->from.n == 1 ? &b->from.v[0] : &nobody;
	b->mm.to = b->to.v;
	b->mm.nto = b->to.n;
	b->mm.cc = b->cc.v;
	b->mm.ncc = b->cc.n;
	if (use == DRAFT_SAVE) {
		b->mm.bcc = b->bcc.v;
		b->mm.nbcc = b->bcc.n;
	}
	b->mm.reply_to = b->reply_to.v;
	b->mm.nreply_to = b->reply_to.n;
	b->mm.subject = d->subject != NULL && *d->subject != '\0' ?
	    d->subject : NULL;
	b->mm.date = b->date;
	b->mm.message_id = b->msgid;
	b->mm.in_reply_to = d->in_reply_to;
	b->mm.references = d->references;
	b->mm.user_agent = b->ua;
	b->mm.extra = b->fields;
	b->mm.nextra = b->nfields;
	return ERR_OK;
fail:
	draft_built_free(b);
	return e;
}

/* --- signing and encrypting (pgpmime.h) ------------------------------------- */

void
draft_security_default(struct draft_security *s, const struct account *acct)
{
	memset(s, 0, sizeof(*s));
	if (acct != NULL && (acct->pgp_sign || acct->pgp_encrypt)) {
		s->method = PGPMIME_PGP;
		s->what = (acct->pgp_sign ? PGPMIME_SIGN : 0) |
		    (acct->pgp_encrypt ? PGPMIME_ENCRYPT : 0);
	} else if (acct != NULL && (acct->smime_sign || acct->smime_encrypt)) {
		s->method = PGPMIME_SMIME;
		s->what = (acct->smime_sign ? PGPMIME_SIGN : 0) |
		    (acct->smime_encrypt ? PGPMIME_ENCRYPT : 0);
	}
}

enum pgpmime_method
draft_security_method(const struct account *acct)
{
	if (acct != NULL && (acct->pgp_sign || acct->pgp_encrypt))
		return PGPMIME_PGP;
	if (acct != NULL && (acct->smime_sign || acct->smime_encrypt ||
	    (acct->smime_cert != NULL && acct->pgp_key == NULL)))
		return PGPMIME_SMIME;
	return PGPMIME_PGP;
}

/*
 * The S/MIME side of r from the account: certificate, key, passphrase
 * (run now; *pass is freed by the caller), the recipients' folder.
 */
static enum err
smime_req(struct pgpmime_req *r, const struct account *acct, char **pass,
    char **certs, char **errstr)
{
	char *data;
	enum err e;

	*pass = *certs = NULL;
	if (acct == NULL)
		return ERR_OK;
	r->smime.cert = acct->smime_cert;
	r->smime.key = acct->smime_key;
	if ((r->what & PGPMIME_SIGN) &&
	    acct->smime_key_password_command != NULL &&
	    (e = password_run(acct->smime_key_password_command, pass,
	    errstr)) != ERR_OK)
		return e;
	r->smime.pass = *pass;
	if ((r->smime_certs = acct->smime_certs) != NULL)
		return ERR_OK;
	if ((data = util_xdg_dir("XDG_DATA_HOME", ".local/share")) == NULL)
		return ERR_NOMEM;
	*certs = util_strf("%s/smime", data);
	free(data);
	if ((r->smime_certs = *certs) == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
draft_secure(struct draft_built *b, const struct account *acct,
    const struct draft_security *s, const char *dir, char **missing,
    char **errstr)
{
	struct pgpmime_req r;
	const char *from = b->from.n == 1 ? b->from.v[0].spec : NULL;
	char *pass = NULL, *certs = NULL;
	enum err e;

	*missing = NULL;
	memset(&r, 0, sizeof(r));
	r.method = s->method;
	r.what = s->what;
	r.key = acct != NULL && acct->pgp_key != NULL ? acct->pgp_key : from;
	r.rcpt = b->rcpts;
	r.nrcpt = b->nrcpts;
	if (r.method == PGPMIME_SMIME && r.what != 0 &&
	    (e = smime_req(&r, acct, &pass, &certs, errstr)) != ERR_OK)
		goto out;
	if (acct != NULL && acct->autocrypt && from != NULL &&
	    b->ac_attrs == NULL) {
		if ((e = pgpmime_autocrypt(from, r.key != NULL ? r.key : from,
		    acct->autocrypt_prefer_encrypt, &b->ac_attrs,
		    &b->ac_keydata, errstr)) != ERR_OK)
			goto out;
		b->mm.autocrypt_attrs = b->ac_attrs;
		b->mm.autocrypt_keydata = b->ac_keydata;
	}
	e = pgpmime_apply(&b->mm.root, &r, dir, missing, errstr);
	if (e == ERR_DATA && *missing != NULL && s->plain_ok) {
		r.what &= ~PGPMIME_ENCRYPT;
		e = pgpmime_apply(&b->mm.root, &r, dir, &(char *){ NULL },
		    errstr);
		if (e != ERR_OK) {
			free(*missing);
			*missing = NULL;
		}
	}
out:
	util_free_secret(pass);
	free(certs);
	return e;
}

/* --- saving ------------------------------------------------------------------ */

enum err
draft_save(struct maildir *md, struct draft *d, const struct account *acct,
    char **errstr)
{
	struct draft_built b;
	struct maildir_tx tx;
	struct mime_result mr;
	enum err e;

	if ((e = draft_build(d, acct, NULL, DRAFT_SAVE, &b, errstr)) !=
	    ERR_OK)
		return e;
	if (d->id != NULL) {
		e = maildir_replace_begin(md, d->id, &tx, errstr);
		if (e == ERR_OK && (e = mime_write(&b.mm, tx.fd, 1, &mr,
		    errstr)) == ERR_OK)
			e = maildir_replace_commit(md, &tx, errstr);
		if (e != ERR_OK)
			maildir_abort(md, &tx);
		free(tx.name);
		if (e != ERR_NOINPUT)
			goto out;
		/* Not there (deleted meanwhile, or a new name): saved anew. */
	}
	if ((e = maildir_begin(md, d->id, &tx, errstr)) == ERR_OK &&
	    (e = mime_write(&b.mm, tx.fd, 1, &mr, errstr)) == ERR_OK)
		e = maildir_commit(md, &tx, "D", errstr);
	if (e != ERR_OK) {
		maildir_abort(md, &tx);
		free(tx.name);
		goto out;
	}
	free(d->id);
	d->id = tx.name;
out:
	draft_built_free(&b);
	return e;
}

/* --- reading back ----------------------------------------------------------- */

/* What draft_read() knows while the reader goes through a message. */
struct rd {
	struct draft *d;
	int have_text;             /* the text part was found */
	unsigned text_part;        /* its number, for its HTML sibling */
	const char *text_parent;
	unsigned html_part;        /* the part read as the HTML alternative */
	struct buf raw;            /* a text part's bytes, in its charset */
	char *charset;
	int fd;                    /* an attachment's copy being written */
	enum { INTO_NOTHING, INTO_TEXT, INTO_HTML, INTO_FILE } into;
	enum err err;
	char **errstr;
	unsigned flaws;
};

/* Fields that belong to the message's transport or MIME, not to what was written. */
static int
transport_field(const struct rfc822_field *f)
{
	static const char *const names[] = {
		"Date", "Message-ID", "MIME-Version", "User-Agent", "Received",
		"Return-Path", "Delivered-To", "Status", "X-Status",
		"X-Keywords", "X-UID", "Lines", "Content-Length",
		"DKIM-Signature", "Authentication-Results", "X-Mailer",
		"From", "To", "Cc", "Bcc", "Reply-To", "Subject",
		"In-Reply-To", "References", "Sender",
	};
	size_t i;

	if (f->namelen >= 8 && strncasecmp(f->p, "Content-", 8) == 0)
		return 1;
	if ((f->namelen >= 4 && strncasecmp(f->p, "ARC-", 4) == 0) ||
	    (f->namelen >= 9 && strncasecmp(f->p, "X-Pigeon-", 9) == 0))
		return 1;
	if (f->namelen >= 7 && strncasecmp(f->p, "Resent-", 7) == 0)
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (rfc822_field_is(f, names[i]))
			return 1;
	return 0;
}

/* The user's own fields of the message header, as text. */
static int
read_extra(struct draft *d, const char *h, size_t n)
{
	struct rfc822_field f;
	struct buf raw, text;
	size_t pos = 0, vlen;
	const char *v;
	char *name;
	int r = 0;

	buf_init(&raw, RFC822_HEADER_MAX);
	buf_init(&text, 4 * RFC822_HEADER_MAX);
	while (rfc822_next_field(h, n, &pos, &f) && r == 0) {
		if (f.namelen == f.len || f.namelen == 0 || transport_field(&f))
			continue;
		buf_reset(&raw);
		buf_reset(&text);
		v = rfc822_field_value(&f, &vlen);
		if ((name = strndup(f.p, f.namelen)) == NULL ||
		    rfc822_unfold(&raw, v, vlen) < 0 ||
		    rfc822_decode_words(&text, buf_str(&raw), raw.len) < 0 ||
		    buf_addstr(&text, "") < 0) {
			free(name);
			r = -1;
			break;
		}
		/* One the builder would refuse is left out (a bad name, say). */
		if (draft_add_field(d, name, buf_str(&text), NULL) == ERR_NOMEM)
			r = -1;
		free(name);
	}
	buf_free(&raw);
	buf_free(&text);
	return r;
}

/* The message header: the fields, what a draft kept as typed, its account. */
static enum err
read_header(struct rd *rd, const char *h, size_t n)
{
	struct draft *d = rd->d;
	char **dst[5] = { &d->to, &d->cc, &d->bcc, &d->reply_to, &d->from };
	static const char *const names[5] = { "To", "Cc", "Bcc", "Reply-To",
	    "From" };
	char *v, *sec;
	int k;

	for (k = 0; k < 5; k++) {
		free(*dst[k]);
		*dst[k] = rfc822_get_text(h, n, names[k]);
		/* What was kept as typed wins over the stand-in ("": none). */
		if ((v = rfc822_get_text(h, n, kept_name[k])) != NULL) {
			free(*dst[k]);
			*dst[k] = v;
			if (*v == '\0') {
				free(v);
				*dst[k] = NULL;
			}
		}
	}
	d->subject = rfc822_get_text(h, n, "Subject");
	d->in_reply_to = rfc822_get(h, n, "In-Reply-To");
	d->references = rfc822_get(h, n, "References");
	d->account = rfc822_get(h, n, ACCOUNT_FIELD);
	if ((sec = rfc822_get(h, n, SECURITY_FIELD)) != NULL) {
		security_parse(&d->sec, sec);
		d->has_sec = 1;
		free(sec);
	}
	/*
	 * A stored message's text is as it was written: resumed, edited or
	 * made new, it is never signed again (mutt's rule for postponed
	 * messages), whoever stored it.
	 */
	d->signed_text = 1;
	return read_extra(d, h, n) < 0 ? ERR_NOMEM : ERR_OK;
}

/* A name fit for a file in the private directory, from the shown one. */
static char *
copy_name(const char *name, unsigned number)
{
	char *s, *p;
	size_t n;

	if (name == NULL || *name == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return util_strf("part-%u", number);
	if ((s = strdup(name)) == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++)
		if (*p == '/' || (unsigned char)*p < 0x20)
			*p = '_';
	if (s[0] == '.')
		s[0] = '_';
	/* Shorter, at a character's edge. */
	n = strlen(s);
	if (n > COPY_NAME_MAX) {
		n = COPY_NAME_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		s[n] = '\0';
	}
	return s;
}

int
draft_copy_open(struct draft *d, const char *name, unsigned number,
    char **path, enum err *err, char **errstr)
{
	const char *tmp = getenv("TMPDIR");
	char *base, *dir;
	int fd, k;

	*path = NULL;
	if (d->attdir == NULL) {
		dir = util_strf("%s/pigeon-att-XXXXXX", tmp != NULL &&
		    *tmp == '/' ? tmp : "/tmp");
		if (dir == NULL || mkdtemp(dir) == NULL) {
			util_seterr(errstr, _("cannot make a directory for "
			    "the attachments: %s"), strerror(errno));
			free(dir);
			*err = ERR_IO;
			return -1;
		}
		d->attdir = dir;
	}
	if ((base = copy_name(name, number)) == NULL) {
		*err = ERR_NOMEM;
		return -1;
	}
	/* Two parts of the same name: the second gets a number in front. */
	for (k = 1; k < 1000; k++) {
		free(*path);
		*path = k == 1 ? util_strf("%s/%s", d->attdir, base) :
		    util_strf("%s/%d-%s", d->attdir, k, base);
		if (*path == NULL)
			break;
		fd = open(*path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
		if (fd >= 0 || errno != EEXIST) {
			free(base);
			if (fd < 0) {
				util_seterr(errstr, _("cannot write %s: %s"),
				    *path, strerror(errno));
				*err = ERR_IO;
			}
			return fd;
		}
	}
	free(base);
	free(*path);
	*path = NULL;
	*err = ERR_NOMEM;
	return -1;
}

/* Is p the text of the message: the first text/plain that is no attachment? */
static int
is_text(const struct rd *rd, const struct mimewalk_part *p)
{
	return !rd->have_text && strcmp(p->type, "text/plain") == 0 &&
	    !p->attachment && (p->parent[0] == '\0' ||
	    strcmp(p->parent, "multipart/mixed") == 0 ||
	    strcmp(p->parent, "multipart/alternative") == 0 ||
	    strcmp(p->parent, "multipart/related") == 0);
}

static enum mimewalk_want
rd_begin(void *arg, const struct mimewalk_part *p)
{
	struct rd *rd = arg;
	struct draft *d = rd->d;
	char *path = NULL;
	enum err e;

	if (p->depth == 0 && (e = read_header(rd, p->header, p->headerlen)) !=
	    ERR_OK) {
		rd->err = e;
		return MIMEWALK_STOP;
	}
	if (p->multipart)
		return MIMEWALK_RAW;
	buf_reset(&rd->raw);
	free(rd->charset);
	rd->charset = p->charset != NULL ? strdup(p->charset) : NULL;
	if (is_text(rd, p)) {
		rd->have_text = 1;
		rd->text_part = p->number;
		rd->text_parent = strcmp(p->parent, "multipart/alternative") ==
		    0 ? "alt" : "";
		rd->into = INTO_TEXT;
		return MIMEWALK_DECODE;
	}
	/* The HTML beside the text in an alternative. */
	if (!d->has_html && rd->have_text && rd->html_part == 0 &&
	    strcmp(p->type, "text/html") == 0 && !p->attachment &&
	    strcmp(p->parent, "multipart/alternative") == 0 &&
	    p->number == rd->text_part + 1) {
		rd->html_part = p->number;
		rd->into = INTO_HTML;
		return MIMEWALK_DECODE;
	}
	if ((rd->fd = draft_copy_open(d, p->name, p->number, &path,
	    &rd->err, rd->errstr)) < 0) {
		free(path);
		return MIMEWALK_STOP;
	}
	if ((e = draft_attach(d, path, p->name, strcmp(p->type,
	    "message/rfc822") == 0 ? NULL : p->type, p->disp_inline,
	    strcmp(p->type, "message/rfc822") == 0)) != ERR_OK) {
		(void)close(rd->fd);
		(void)unlink(path);
		free(path);
		rd->err = e;
		return MIMEWALK_STOP;
	}
	free(path);
	d->att[d->natt - 1].owned = 1;
	/* Its description comes back with it. */
	d->att[d->natt - 1].desc = rfc822_get_text(p->header, p->headerlen,
	    "Content-Description");
	rd->into = INTO_FILE;
	return MIMEWALK_DECODE;
}

static int
rd_data(void *arg, const struct mimewalk_part *p, const char *b, size_t n)
{
	struct rd *rd = arg;
	ssize_t w;

	(void)p;
	switch (rd->into) {
	case INTO_TEXT:
	case INTO_HTML:
		if (buf_add(&rd->raw, b, n) < 0) {
			util_seterr(rd->errstr, _("the text is larger than %u "
			    "MiB"), TEXT_MAX / 1024 / 1024);
			rd->err = ERR_DATA;
			return -1;
		}
		return 0;
	case INTO_FILE:
		while (n > 0) {
			w = write(rd->fd, b, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				util_seterr(rd->errstr, _("cannot write a copy "
				    "of an attachment: %s"), strerror(errno));
				rd->err = ERR_IO;
				return -1;
			}
			b += w;
			n -= (size_t)w;
		}
		return 0;
	default:
		return 0;
	}
}

/* A text in its charset, as UTF-8; bytes that cannot be read are a flaw, not a loss. */
static void
text_utf8(struct rd *rd, struct buf *out)
{
	buf_reset(out);
	if (charset_text_utf8(out, buf_str(&rd->raw), rd->raw.len,
	    rd->charset) == 1)
		rd->flaws |= MIMEWALK_F_ENCODING;
}

static void
rd_end(void *arg, const struct mimewalk_part *p)
{
	struct rd *rd = arg;

	(void)p;
	switch (rd->into) {
	case INTO_TEXT:
		text_utf8(rd, &rd->d->text);
		break;
	case INTO_HTML:
		text_utf8(rd, &rd->d->html);
		rd->d->has_html = 1;
		break;
	case INTO_FILE:
		if (close(rd->fd) < 0 && rd->err == ERR_OK) {
			util_seterr(rd->errstr, _("cannot write a copy of an "
			    "attachment: %s"), strerror(errno));
			rd->err = ERR_IO;
		}
		rd->fd = -1;
		break;
	default:
		break;
	}
	rd->into = INTO_NOTHING;
}

enum err
draft_read(int fd, struct draft *d, unsigned *flaws, char **errstr)
{
	static const struct mimewalk_ops ops = { rd_begin, rd_data, rd_end,
	    NULL };
	struct rd rd;
	unsigned f = 0;
	enum err e;

	memset(&rd, 0, sizeof(rd));
	rd.d = d;
	rd.fd = -1;
	rd.errstr = errstr;
	buf_init(&rd.raw, TEXT_MAX);
	e = mimewalk_fd(fd, &ops, &rd, &f, errstr);
	if (rd.fd >= 0)
		(void)close(rd.fd);
	if (rd.err != ERR_OK)
		e = rd.err;
	else if (e == ERR_CANCEL)
		e = ERR_OK;
	buf_free(&rd.raw);
	free(rd.charset);
	if (flaws != NULL)
		*flaws = f | rd.flaws;
	return e;
}

enum err
draft_load(struct maildir *md, const char *id, struct draft *d,
    unsigned *flaws, char **errstr)
{
	enum err e;
	int fd;

	if ((e = maildir_open_msg(md, id, &fd, errstr)) != ERR_OK)
		return e;
	e = draft_read(fd, d, flaws, errstr);
	(void)close(fd);
	if (e == ERR_OK && (d->id = strdup(id)) == NULL)
		e = ERR_NOMEM;
	return e;
}
