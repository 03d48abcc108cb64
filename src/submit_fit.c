/* submit_fit.c - a message and its envelope fitted to what the server offers: 8-bit text and IDN domains rewritten for a server without 8BITMIME or SMTPUTF8, recipients cut to its LIMITS. */
/* SPDX-License-Identifier: ISC */
#include "submit_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "downgrade.h"
#include "i18n.h"
#include "idn.h"

/*
 * For a server without 8BITMIME: the queued message, if pigeon made it,
 * rewritten without 8bit parts (in place, atomically), its envelope too.
 */
enum err
submit_downgrade(struct submit *s, struct qentry *q, char **errstr)
{
	struct maildir *md = outbox_folder(s->ob, OUTBOX_OUTBOX);
	struct maildir_tx tx;
	uint64_t size = 0;
	int in, eight = 1;
	enum err e;

	if (!q->eightbit || q->as_given ||
	    (smtp_caps(session_smtp(s->s))->flags & SMTP_CAP_8BITMIME))
		return ERR_OK;
	transcript_emitf(s->tr, TR_INFO, 0, _("the server does not offer "
	    "8BITMIME: 8-bit text goes quoted-printable"));
	if ((e = outbox_message(s->ob, q, &in, errstr)) != ERR_OK)
		return e;
	e = maildir_replace_begin(md, q->id, &tx, errstr);
	if (e == ERR_OK) {
		e = downgrade_8bit(in, tx.fd, &size, &eight, errstr);
		if (e == ERR_OK)
			e = maildir_replace_commit(md, &tx, errstr);
		else
			maildir_abort(md, &tx);
		free(tx.name);
	}
	(void)close(in);
	if (e != ERR_OK)
		return e;
	q->eightbit = eight;
	q->size = (int64_t)size;
	return outbox_save(s->ob, q, errstr);
}

/*
 * For a server without SMTPUTF8 (RFC 6531 3.2): the domains of the
 * addresses in the header of a message pigeon made as A-labels, in place
 * (atomically) when there is one to convert.  Not a message given whole
 * (sendmail): that is never rewritten.
 */
enum err
submit_idn_downgrade(struct submit *s, struct qentry *q, char **errstr)
{
	struct maildir *md = outbox_folder(s->ob, OUTBOX_OUTBOX);
	struct maildir_tx tx;
	uint64_t size = 0;
	int in, changed = 0, eight = 1;
	enum err e;

	if (!q->eightbit || q->as_given ||
	    (smtp_caps(session_smtp(s->s))->flags & SMTP_CAP_SMTPUTF8))
		return ERR_OK;
	if ((e = outbox_message(s->ob, q, &in, errstr)) != ERR_OK)
		return e;
	e = maildir_replace_begin(md, q->id, &tx, errstr);
	if (e == ERR_OK) {
		e = downgrade_idn(in, tx.fd, &size, &changed, &eight, errstr);
		if (e == ERR_OK && changed)
			e = maildir_replace_commit(md, &tx, errstr);
		else
			maildir_abort(md, &tx);
		free(tx.name);
	}
	(void)close(in);
	if (e != ERR_OK || !changed)
		return e;
	transcript_emitf(s->tr, TR_INFO, 0, _("the server does not offer "
	    "SMTPUTF8: the domains of the addresses in the header go as "
	    "A-labels (punycode)"));
	q->eightbit = eight;
	q->size = (int64_t)size;
	return outbox_save(s->ob, q, errstr);
}

/* The A-label forms held for fl's envelope go. */
void
submit_idn_clear(struct flight *fl)
{
	size_t i;

	for (i = 0; i < fl->nidn; i++)
		free(fl->idn[i]);
	free(fl->idn);
	fl->idn = NULL;
	fl->nidn = 0;
	fl->idn_err = ERR_OK;
	free(fl->idn_why);
	fl->idn_why = NULL;
}

/* *a, when its domain is not ASCII, in its A-label form that fl keeps. */
static enum err
idn_one(struct submit *s, struct flight *fl, const char **a, char **why)
{
	char **v, *conv = NULL;
	enum err e;

	if (idn_ascii(*a, strlen(*a)))
		return ERR_OK;
	if ((e = idn_addr(*a, &conv, why)) != ERR_OK)
		return e;
	if ((v = realloc(fl->idn, (fl->nidn + 1) * sizeof(*v))) == NULL) {
		free(conv);
		return ERR_NOMEM;
	}
	fl->idn = v;
	fl->idn[fl->nidn++] = conv;
	if (strcmp(*a, conv) != 0)
		transcript_emitf(s->tr, TR_INFO, 0, _("the server does not "
		    "offer SMTPUTF8: %s goes as %s"), *a, conv);
	*a = conv;
	return ERR_OK;
}

/*
 * For a server without SMTPUTF8: MAIL FROM and every RCPT TO with its
 * domain as A-labels.  An address that cannot go (a local part that is
 * not ASCII, a domain that is not a valid IDN) refuses the message
 * before MAIL: fl->idn_err and fl->idn_why say why.
 */
void
submit_idn_envelope(struct submit *s, struct flight *fl)
{
	size_t i;
	enum err e;

	submit_idn_clear(fl);
	if (s->s == NULL ||
	    (smtp_caps(session_smtp(s->s))->flags & SMTP_CAP_SMTPUTF8))
		return;
	e = idn_one(s, fl, &fl->env.from, &fl->idn_why);
	for (i = 0; e == ERR_OK && i < fl->env.nrcpts; i++)
		e = idn_one(s, fl, &fl->rcpts[i], &fl->idn_why);
	fl->idn_err = e;
	if (e != ERR_OK && fl->idn_why == NULL)
		fl->idn_why = strdup(err_str(e));
}

/* The domain of an address (after its last '@'; "" without one). */
static const char *
domain_of(const char *a)
{
	const char *at = strrchr(a, '@');

	return at != NULL ? at + 1 : "";
}

/*
 * How many of v[0..n) one transaction may take: at most RCPTMAX, from at
 * most RCPTDOMAINMAX domains (RFC 9422), always at least one.  The first
 * ones, in order, so the replies map onto the recipients as they always
 * do; the rest go in the next transaction.  Not with --abort-on-reject:
 * a refusal in a later transaction could not stop the earlier one, so
 * the message goes whole and the server's refusals decide.
 */
size_t
submit_within_limits(const struct smtp_caps *c, const char *const *v,
    size_t n)
{
	size_t k, j, ndom = 0;

	if (c->rcptmax > 0 && n > c->rcptmax)
		n = c->rcptmax;
	if (c->rcptdomainmax == 0)
		return n;
	for (k = 0; k < n; k++) {
		for (j = 0; j < k; j++)
			if (strcasecmp(domain_of(v[j]), domain_of(v[k])) == 0)
				break;
		if (j == k && ++ndom > c->rcptdomainmax)
			break;
	}
	return k > 0 ? k : 1;
}
