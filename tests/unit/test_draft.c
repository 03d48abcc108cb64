/* test_draft.c - the draft as data: every field through drafts/ and back, names in several scripts, the signature once, bad stored messages. */
/* SPDX-License-Identifier: ISC */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "draft.h"
#include "helper.h"
#include "mimewalk.h"
#include "rfc822.h"

static struct account account_;

static char *
path_in(const char *name)
{
	char *p = malloc(strlen(test_dir) + strlen(name) + 2);

	assert_non_null(p);
	(void)sprintf(p, "%s/%s", test_dir, name);
	return p;
}

static char *
make_file(const char *name, const void *data, size_t n)
{
	char *p = path_in(name);
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return p;
}

static struct maildir *
drafts_dir(void)
{
	struct maildir *md;
	char *p = path_in("drafts"), *errstr = NULL;

	assert_int_equal(maildir_open(&md, p, 1, &errstr), ERR_OK);
	free(p);
	return md;
}

/* The bytes of a file. */
static void
slurp(const char *path, struct buf *b)
{
	buf_reset(b);
	assert_int_equal(buf_read_file(b, path), 0);
}

static const char *const names[] = {
	"Bericht M\xc3\xa4rz.pdf",
	"\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82.txt",
	"\xe5\xa0\xb1\xe5\x91\x8a\xe6\x9b\xb8.png",
	"\xd8\xaa\xd9\x82\xd8\xb1\xd9\x8a\xd8\xb1.bin",
	"\xf0\x9f\x90\xa6 and a name long enough to need RFC 2231 "
	    "continuations on more than one line.dat",
};

static void
setup_account(void)
{
	memset(&account_, 0, sizeof(account_));
	account_.name = (char *)"work";
	account_.from = (char *)"Jane Doe <jane@example.org>";
}

/* Every field, through drafts/ and back. */
static void
test_round_trip(void **state)
{
	struct draft d, r;
	struct maildir *md = drafts_dir();
	struct buf want, got;
	char *errstr = NULL, *fwd;
	unsigned char bin[3000];
	char fn[32];
	size_t i;
	unsigned flaws = 1;

	(void)state;
	setup_account();
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7 + 3);
	draft_init(&d);
	assert_int_equal(draft_set(&d.account, "work"), 0);
	assert_int_equal(draft_set(&d.to, "\"Doe, John\" <john@example.org>, "
	    "J\xc3\xb6rg <joerg@example.de>"), 0);
	assert_int_equal(draft_set(&d.cc, "carol@example.org"), 0);
	assert_int_equal(draft_set(&d.bcc, "blind@example.org"), 0);
	assert_int_equal(draft_set(&d.reply_to, "list@example.org"), 0);
	assert_int_equal(draft_set(&d.subject, "Gr\xc3\xbc\xc3\x9f" "e, "
	    "\xe4\xb8\x96\xe7\x95\x8c!"), 0);
	assert_int_equal(draft_set(&d.in_reply_to, "<parent@example.org>"), 0);
	assert_int_equal(draft_set(&d.references, "<root@example.org> "
	    "<parent@example.org>"), 0);
	assert_int_equal(draft_add_field(&d, "X-Project", "P\xc3\xbc" "ffel",
	    &errstr), ERR_OK);
	assert_int_equal(buf_addstr(&d.text, "Hello,\n.a dot\nFrom here\n"),
	    0);
	assert_int_equal(buf_addstr(&d.html, "<p>Hello</p>\n"), 0);
	d.has_html = 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p;

		(void)snprintf(fn, sizeof(fn), "att%zu", i);
		p = make_file(fn, bin, sizeof(bin) - 100 * i);
		assert_int_equal(draft_attach(&d, p, names[i], i == 2 ?
		    "image/png" : NULL, i == 2, 0), ERR_OK);
		free(p);
	}
	fwd = make_file("old.eml", "From: a@b\nSubject: old\n\nold text\n",
	    33);
	assert_int_equal(draft_attach(&d, fwd, NULL, NULL, 0, 1), ERR_OK);
	/* A description (NeoMutt's d), not ASCII, with a line break typed in. */
	assert_int_equal(draft_set(&d.att[1].desc, "Die Gr\xc3\xbc\xc3\x9f" "e\n"
	    "Bcc: x@evil"), 0);
	d.signed_text = 1;
	assert_int_equal(draft_save(md, &d, &account_, &errstr), ERR_OK);
	assert_non_null(d.id);

	draft_init(&r);
	assert_int_equal(draft_load(md, d.id, &r, &flaws, &errstr), ERR_OK);
	assert_int_equal(flaws, 0);
	assert_string_equal(r.id, d.id);
	assert_string_equal(r.account, "work");
	assert_string_equal(r.from, "Jane Doe <jane@example.org>");
	assert_non_null(strstr(r.to, "\"Doe, John\" <john@example.org>"));
	assert_non_null(strstr(r.to, "J\xc3\xb6rg <joerg@example.de>"));
	assert_string_equal(r.cc, "carol@example.org");
	assert_string_equal(r.bcc, "blind@example.org");
	assert_string_equal(r.reply_to, "list@example.org");
	assert_string_equal(r.subject, d.subject);
	assert_string_equal(r.in_reply_to, d.in_reply_to);
	assert_string_equal(r.references, d.references);
	assert_int_equal(r.nextra, 1);
	assert_string_equal(r.extra[0].name, "X-Project");
	assert_string_equal(r.extra[0].value, "P\xc3\xbc" "ffel");
	assert_string_equal(buf_str(&r.text), buf_str(&d.text));
	assert_true(r.has_html);
	assert_string_equal(buf_str(&r.html), "<p>Hello</p>\n");
	assert_true(r.signed_text);
	assert_int_equal(r.natt, d.natt);
	buf_init(&want, 1 << 20);
	buf_init(&got, 1 << 20);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_string_equal(r.att[i].name, names[i]);
		assert_true(r.att[i].owned);
		assert_false(r.att[i].message);
		slurp(d.att[i].path, &want);
		slurp(r.att[i].path, &got);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.data, want.data, want.len);
	}
	assert_int_equal(r.att[2].disp_inline, 1);
	assert_string_equal(r.att[2].type, "image/png");
	/* The description comes back, on one line; the others have none. */
	assert_string_equal(r.att[1].desc, "Die Gr\xc3\xbc\xc3\x9f" "e Bcc: "
	    "x@evil");
	assert_null(r.att[0].desc);
	if (!r.att[5].message)
		fail_msg("the forward came back as %s, %s",
		    r.att[5].type != NULL ? r.att[5].type : "-",
		    r.att[5].name != NULL ? r.att[5].name : "-");
	slurp(r.att[5].path, &got);
	assert_string_equal(buf_str(&got), "From: a@b\nSubject: old\n\n"
	    "old text\n");
	/* Saved again from what was read: the same once more. */
	assert_int_equal(draft_save(md, &r, &account_, &errstr), ERR_OK);
	assert_string_equal(r.id, d.id);
	{
		struct draft again;

		draft_init(&again);
		assert_int_equal(draft_load(md, d.id, &again, NULL, &errstr),
		    ERR_OK);
		assert_string_equal(buf_str(&again.text), buf_str(&d.text));
		assert_int_equal(again.natt, d.natt);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			assert_string_equal(again.att[i].name, names[i]);
		assert_true(again.att[i].message);
		draft_free(&again);
	}
	/* The private copies go with the draft. */
	{
		char *copy = strdup(r.att[0].path);

		draft_free(&r);
		assert_int_equal(access(copy, F_OK), -1);
		free(copy);
	}
	buf_free(&want);
	buf_free(&got);
	free(fwd);
	free(errstr);
	draft_free(&d);
	maildir_close(md);
}

/* The signature: after "-- ", once, also when the draft is resumed. */
static void
test_signature_once(void **state)
{
	struct draft d, r;
	struct maildir *md = drafts_dir();
	char *sig = make_file("sig", "Jane\n", 5);
	char *sig2 = make_file("sig2", "-- \nJane\n", 9);
	char *errstr = NULL;
	const char *t;

	(void)state;
	setup_account();
	draft_init(&d);
	assert_int_equal(draft_set(&d.to, "bob@example.org"), 0);
	assert_int_equal(buf_addstr(&d.text, "text without line end"), 0);
	assert_int_equal(draft_sign(&d, sig, &errstr), ERR_OK);
	assert_string_equal(buf_str(&d.text), "text without line end\n-- \n"
	    "Jane\n");
	assert_int_equal(draft_sign(&d, sig, &errstr), ERR_OK);
	assert_int_equal(draft_save(md, &d, &account_, &errstr), ERR_OK);
	draft_init(&r);
	assert_int_equal(draft_load(md, d.id, &r, NULL, &errstr), ERR_OK);
	assert_true(r.signed_text);
	assert_int_equal(draft_sign(&r, sig, &errstr), ERR_OK);
	t = buf_str(&r.text);
	assert_string_equal(t, "text without line end\n-- \nJane\n");
	draft_free(&r);
	draft_free(&d);
	/* A signature file with its own separator gets no second one. */
	draft_init(&d);
	assert_int_equal(draft_sign(&d, sig2, &errstr), ERR_OK);
	assert_string_equal(buf_str(&d.text), "-- \nJane\n");
	draft_free(&d);
	/* A missing file is an error that names it; the text is unchanged. */
	draft_init(&d);
	assert_int_equal(buf_addstr(&d.text, "x\n"), 0);
	assert_int_equal(draft_sign(&d, "/nonexistent/sig", &errstr),
	    ERR_NOINPUT);
	assert_non_null(strstr(errstr, "/nonexistent/sig"));
	assert_string_equal(buf_str(&d.text), "x\n");
	assert_false(d.signed_text);
	draft_free(&d);
	free(sig);
	free(sig2);
	free(errstr);
	maildir_close(md);
}

/* Addresses that do not parse yet are kept as typed, and refused for sending. */
static void
test_kept_as_typed(void **state)
{
	struct draft d, r;
	struct draft_built b;
	struct maildir *md = drafts_dir();
	char *errstr = NULL;

	(void)state;
	setup_account();
	draft_init(&d);
	assert_int_equal(draft_set(&d.to, "john smith@, <unfinished"), 0);
	assert_int_equal(draft_set(&d.cc, "carol@example.org"), 0);
	assert_int_equal(draft_build(&d, &account_, NULL, DRAFT_SEND, &b,
	    &errstr), ERR_DATA);
	assert_non_null(strstr(errstr, "To: "));
	draft_built_free(&b);
	assert_int_equal(draft_save(md, &d, &account_, &errstr), ERR_OK);
	draft_init(&r);
	assert_int_equal(draft_load(md, d.id, &r, NULL, &errstr), ERR_OK);
	assert_string_equal(r.to, "john smith@, <unfinished");
	assert_string_equal(r.cc, "carol@example.org");
	draft_free(&r);
	/* No From anywhere: a draft is still saved, and comes back without one. */
	assert_int_equal(draft_save(md, &d, NULL, &errstr), ERR_OK);
	draft_init(&r);
	assert_int_equal(draft_load(md, d.id, &r, NULL, &errstr), ERR_OK);
	assert_null(r.from);
	draft_free(&r);
	free(errstr);
	draft_free(&d);
	maildir_close(md);
}

/* How a draft is to be secured comes back as it was saved, "none" too. */
static void
test_security_kept(void **state)
{
	static const struct draft_security cases[] = {
		{ PGPMIME_SMIME, PGPMIME_SIGN, 0 },
		{ PGPMIME_SMIME, PGPMIME_SIGN | PGPMIME_ENCRYPT, 0 },
		{ PGPMIME_PGP, PGPMIME_ENCRYPT, 0 },
		{ PGPMIME_NONE, 0, 0 },
	};
	struct draft d, r;
	struct maildir *md = drafts_dir();
	char *errstr = NULL;
	size_t i;

	(void)state;
	setup_account();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		draft_init(&d);
		assert_int_equal(draft_set(&d.to, "carol@example.org"), 0);
		d.sec = cases[i];
		d.has_sec = 1;
		assert_int_equal(draft_save(md, &d, &account_, &errstr),
		    ERR_OK);
		draft_init(&r);
		assert_int_equal(draft_load(md, d.id, &r, NULL, &errstr),
		    ERR_OK);
		assert_true(r.has_sec);
		assert_int_equal(r.sec.method, cases[i].method);
		assert_int_equal(r.sec.what, cases[i].what);
		/* Not one of the user's own fields. */
		assert_int_equal(r.nextra, 0);
		draft_free(&r);
		draft_free(&d);
	}
	/* A draft saved without it leaves the choice to the account. */
	draft_init(&d);
	assert_int_equal(draft_save(md, &d, &account_, &errstr), ERR_OK);
	draft_init(&r);
	assert_int_equal(draft_load(md, d.id, &r, NULL, &errstr), ERR_OK);
	assert_false(r.has_sec);
	draft_free(&r);
	draft_free(&d);
	free(errstr);
	maildir_close(md);
}

/* Account defaults: PGP first, then S/MIME; the method --sign means. */
static void
test_security_defaults(void **state)
{
	struct account a;
	struct draft_security s;

	(void)state;
	memset(&a, 0, sizeof(a));
	draft_security_default(&s, NULL);
	assert_int_equal(s.method, PGPMIME_NONE);
	assert_int_equal(draft_security_method(NULL), PGPMIME_PGP);
	a.smime_sign = 1;
	draft_security_default(&s, &a);
	assert_int_equal(s.method, PGPMIME_SMIME);
	assert_int_equal(s.what, PGPMIME_SIGN);
	assert_int_equal(draft_security_method(&a), PGPMIME_SMIME);
	a.pgp_encrypt = 1;
	draft_security_default(&s, &a);
	assert_int_equal(s.method, PGPMIME_PGP);
	assert_int_equal(s.what, PGPMIME_ENCRYPT);
	assert_int_equal(draft_security_method(&a), PGPMIME_PGP);
	memset(&a, 0, sizeof(a));
	a.smime_cert = "me.pem";
	assert_int_equal(draft_security_method(&a), PGPMIME_SMIME);
	a.pgp_key = "0xABCD";
	assert_int_equal(draft_security_method(&a), PGPMIME_PGP);
}

/* Building for sending: the envelope, Bcc off the header, errors in words. */
static void
test_build(void **state)
{
	struct draft d;
	struct draft_built b;
	char *errstr = NULL, *missing = path_in("missing.pdf");

	(void)state;
	setup_account();
	draft_init(&d);
	assert_int_equal(draft_build(&d, &account_, NULL, DRAFT_SEND, &b,
	    &errstr), ERR_USAGE);
	assert_non_null(strstr(errstr, "no recipients"));
	draft_built_free(&b);
	assert_int_equal(draft_set(&d.to, "a@example.org, B@example.org"), 0);
	assert_int_equal(draft_set(&d.cc, "b@EXAMPLE.org"), 0);
	assert_int_equal(draft_set(&d.bcc, "c@example.org"), 0);
	assert_int_equal(draft_build(&d, &account_, NULL, DRAFT_SEND, &b,
	    &errstr), ERR_OK);
	assert_int_equal(b.nrcpts, 3);
	assert_string_equal(b.rcpts[0], "a@example.org");
	assert_string_equal(b.rcpts[1], "B@example.org");
	assert_string_equal(b.rcpts[2], "c@example.org");
	assert_string_equal(b.from.v[0].spec, "jane@example.org");
	assert_null(b.mm.bcc);
	assert_non_null(b.msgid);
	assert_non_null(strstr(b.msgid, "@example.org>"));
	draft_built_free(&b);
	/* No account, no From. */
	assert_int_equal(draft_build(&d, NULL, NULL, DRAFT_SEND, &b, &errstr),
	    ERR_USAGE);
	draft_built_free(&b);
	/* A Subject that could inject a field. */
	assert_int_equal(draft_set(&d.subject, "hi\nBcc: spy@example.org"), 0);
	assert_int_equal(draft_build(&d, &account_, NULL, DRAFT_SEND, &b,
	    &errstr), ERR_USAGE);
	draft_built_free(&b);
	assert_int_equal(draft_set(&d.subject, "ok"), 0);
	/* An attachment that is gone is named. */
	assert_int_equal(draft_attach(&d, missing, "x.pdf", NULL, 0, 0),
	    ERR_OK);
	assert_int_equal(draft_build(&d, &account_, NULL, DRAFT_SEND, &b,
	    &errstr), ERR_NOINPUT);
	assert_non_null(strstr(errstr, "missing.pdf"));
	draft_built_free(&b);
	draft_detach(&d, 0);
	assert_int_equal(d.natt, 0);
	/* "attach" in the text, not in quotes or the signature. */
	assert_int_equal(buf_addstr(&d.text, "> I attach it\n"), 0);
	assert_false(draft_mentions_attachment(&d));
	assert_int_equal(buf_addstr(&d.text, "-- \nattached signature\n"), 0);
	assert_false(draft_mentions_attachment(&d));
	buf_reset(&d.text);
	assert_int_equal(buf_addstr(&d.text, "See the Attached file.\n"), 0);
	assert_true(draft_mentions_attachment(&d));
	free(missing);
	free(errstr);
	draft_free(&d);
}

/* Messages from elsewhere: CRLF, other charsets, RFC 2231 names, damage. */
static void
test_read_foreign(void **state)
{
	static const char m[] =
	    "From: Other <other@example.net>\r\n"
	    "To: =?iso-8859-1?q?J=F6rg?= <j@example.de>\r\n"
	    "Subject: =?ISO-8859-1?Q?Bericht_f=FCr_M=E4rz?=\r\n"
	    "Received: from somewhere\r\n"
	    "Organization: Acme\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
	    "\r\n"
	    "--b1\r\n"
	    "Content-Type: text/plain; charset=iso-8859-1\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "Gr=FC=DFe\r\n"
	    "--b1\r\n"
	    "Content-Type: application/pdf\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename*0*=iso-8859-1''Bericht%20M%E4rz;\r\n"
	    " filename*1=\".pdf\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "JVBERi0xLjQK\r\n"
	    "--b1--\r\n";
	struct draft d;
	struct buf got;
	char *p = make_file("foreign.eml", m, sizeof(m) - 1), *errstr = NULL;
	char *sig;
	unsigned flaws = 99;
	int fd = open(p, O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	draft_init(&d);
	assert_int_equal(draft_read(fd, &d, &flaws, &errstr), ERR_OK);
	(void)close(fd);
	assert_int_equal(flaws, 0);
	assert_string_equal(d.subject, "Bericht f\xc3\xbcr M\xc3\xa4rz");
	assert_string_equal(d.to, "J\xc3\xb6rg <j@example.de>");
	assert_string_equal(buf_str(&d.text), "Gr\xc3\xbc\xc3\x9f" "e");
	/* Trace fields stay behind, the user's own come along. */
	assert_int_equal(d.nextra, 1);
	assert_string_equal(d.extra[0].name, "Organization");
	assert_int_equal(d.natt, 1);
	assert_string_equal(d.att[0].name, "Bericht M\xc3\xa4rz.pdf");
	assert_string_equal(d.att[0].type, "application/pdf");
	buf_init(&got, 4096);
	slurp(d.att[0].path, &got);
	assert_string_equal(buf_str(&got), "%PDF-1.4\n");
	buf_free(&got);
	/* Resumed, it is never signed: its text is as its writer left it. */
	assert_true(d.signed_text);
	sig = make_file("sig-foreign", "Jane\n", 5);
	assert_int_equal(draft_sign(&d, sig, &errstr), ERR_OK);
	assert_string_equal(buf_str(&d.text), "Gr\xc3\xbc\xc3\x9f" "e");
	free(sig);
	draft_free(&d);

	/* Cut in the middle: read as far as it goes, the flaw is told. */
	free(p);
	p = make_file("cut.eml", m, strstr(m, "JVBER") - m + 4);
	fd = open(p, O_RDONLY);
	draft_init(&d);
	assert_int_equal(draft_read(fd, &d, &flaws, &errstr), ERR_OK);
	(void)close(fd);
	assert_true(flaws & MIMEWALK_F_TRUNCATED);
	assert_string_equal(buf_str(&d.text), "Gr\xc3\xbc\xc3\x9f" "e");
	assert_int_equal(d.natt, 1);
	draft_free(&d);
	free(p);
	free(errstr);
}

/* 10,000 parts: no crash, the first ones kept, the rest noted. */
static void
test_many_parts(void **state)
{
	struct buf m;
	struct draft d;
	char *p, *errstr = NULL;
	unsigned flaws = 0;
	int fd, i;

	(void)state;
	buf_init(&m, 64 * 1024 * 1024);
	assert_int_equal(buf_addstr(&m, "Subject: many\nContent-Type: "
	    "multipart/mixed; boundary=b\n\n--b\n\ntext\n"), 0);
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_printf(&m, "--b\nContent-Type: "
		    "application/octet-stream; name=p%d\n\nx\n", i), 0);
	assert_int_equal(buf_addstr(&m, "--b--\n"), 0);
	p = make_file("many.eml", m.data, m.len);
	fd = open(p, O_RDONLY);
	draft_init(&d);
	assert_int_equal(draft_read(fd, &d, &flaws, &errstr), ERR_OK);
	(void)close(fd);
	assert_true(flaws & MIMEWALK_F_PARTS);
	assert_string_equal(buf_str(&d.text), "text");
	assert_int_equal(d.natt, MIMEWALK_PARTS_MAX - 1);
	draft_free(&d);
	buf_free(&m);
	free(p);
	free(errstr);
}

/* A full disk while a draft is replaced keeps the old one whole. */
static void
test_full_disk(void **state)
{
	struct draft d, r;
	struct maildir *md;
	char *errstr = NULL, *id;

	(void)state;
	TEST_NEED_HOOKS();
	md = drafts_dir();
	setup_account();
	draft_init(&d);
	assert_int_equal(buf_addstr(&d.text, "first\n"), 0);
	assert_int_equal(draft_save(md, &d, &account_, &errstr), ERR_OK);
	id = strdup(d.id);
	buf_reset(&d.text);
	assert_int_equal(buf_addstr(&d.text, "second\n"), 0);
	assert_int_equal(setenv("PIGEON_TEST_FAULT", "enospc:1", 1), 0);
	assert_int_equal(draft_save(md, &d, &account_, &errstr), ERR_IO);
	assert_int_equal(unsetenv("PIGEON_TEST_FAULT"), 0);
	assert_non_null(strstr(errstr, "No space left"));
	assert_string_equal(d.id, id);
	draft_init(&r);
	assert_int_equal(draft_load(md, id, &r, NULL, &errstr), ERR_OK);
	assert_string_equal(buf_str(&r.text), "first\n");
	draft_free(&r);
	/* Deleted meanwhile: saved anew, under its name. */
	assert_int_equal(maildir_remove(md, id, &errstr), ERR_OK);
	assert_int_equal(draft_save(md, &d, &account_, &errstr), ERR_OK);
	assert_string_equal(d.id, id);
	draft_init(&r);
	assert_int_equal(draft_load(md, id, &r, NULL, &errstr), ERR_OK);
	assert_string_equal(buf_str(&r.text), "second\n");
	draft_free(&r);
	free(id);
	free(errstr);
	draft_free(&d);
	maildir_close(md);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_signature_once),
		cmocka_unit_test(test_kept_as_typed),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_security_kept),
		cmocka_unit_test(test_security_defaults),
		cmocka_unit_test(test_read_foreign),
		cmocka_unit_test(test_many_parts),
		cmocka_unit_test(test_full_disk),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
