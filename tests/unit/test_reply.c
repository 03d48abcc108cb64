/* test_reply.c - replies and forwards as drafts: recipients, subject, thread, quoting, attribution, signature, styles, templates, hostile messages. */
/* SPDX-License-Identifier: ISC */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "draft.h"
#include "helper.h"
#include "reply.h"
#include "util.h"

static char *
path_in(const char *name)
{
	char *p = util_strf("%s/%s", test_dir, name);

	assert_non_null(p);
	return p;
}

static char *
make_file(const char *name, const char *data)
{
	char *p = path_in(name);
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
	assert_int_equal(fclose(f), 0);
	return p;
}

static struct reply_orig *
orig(const char *msg)
{
	struct reply_orig *o = NULL;

	assert_int_equal(reply_read_mem(msg, strlen(msg), &o), ERR_OK);
	assert_non_null(o);
	return o;
}

/* The draft of kind for msg, with acct (may be NULL) and a new text. */
static void
answer(struct draft *d, const char *msg, enum reply_kind kind,
    const struct account *acct, const char *text)
{
	struct reply_orig *o = orig(msg);
	struct reply_opts ro;
	char *errstr = NULL;

	memset(&ro, 0, sizeof(ro));
	ro.kind = kind;
	ro.acct = acct;
	ro.text = text;
	ro.textlen = text != NULL ? strlen(text) : 0;
	ro.now = "Sun, 6 Dec 2026 10:00:00 +0000";
	assert_int_equal(reply_make(o, &ro, d, &errstr), ERR_OK);
	assert_null(errstr);
	reply_orig_free(o);
}

static const char plain[] =
    "From: Ann Example <ann@example.org>\n"
    "To: Me <me@example.net>, Bob <bob@example.com>\n"
    "Cc: carol@example.com, ME@example.net\n"
    "Date: Fri, 4 Dec 2026 09:30:00 +0100\n"
    "Subject: Re: RE: Aw: Fwd: lunch\n"
    "Message-ID: <m2@example.org>\n"
    "References: <m0@example.org> <m1@example.org>\n"
    "\n"
    "Shall we?\n"
    "> earlier\n"
    "\n"
    "Ann\n";

static void
test_subject(void **state)
{
	static const struct {
		const char *in, *prefix, *out;
	} t[] = {
		{ "lunch", "Re: ", "Re: lunch" },
		{ "Re: lunch", "Re: ", "Re: lunch" },
		{ "RE: re: Aw: AW: lunch", "Re: ", "Re: lunch" },
		{ "Fwd: Fw: FW: lunch", "Fwd: ", "Fwd: lunch" },
		{ "Re: lunch", "Fwd: ", "Fwd: lunch" },
		{ "Re[2]: lunch", "Re: ", "Re: lunch" },
		{ "[list] Re: lunch", "Re: ", "Re: [list] lunch" },
		{ "Re: [list] Re: lunch", "Re: ", "Re: [list] lunch" },
		{ "Re: Re:", "Re: ", "Re:" },
		{ "", "Re: ", "Re:" },
		{ NULL, "Fwd: ", "Fwd:" },
		{ "Reply needed", "Re: ", "Re: Reply needed" },
		{ "Re:lunch", "Re: ", "Re: lunch" },
		{ "Réunion", "Re: ", "Re: Réunion" },
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = reply_subject(t[i].in, t[i].prefix);
		assert_non_null(s);
		assert_string_equal(s, t[i].out);
		free(s);
	}
}

/* A flowed original is quoted as its paragraphs, not as its wire lines. */
static void
test_flowed_original_quoted_as_paragraphs(void **state)
{
	struct reply_orig *o;
	const char *t;
	size_t n;

	(void)state;
	o = orig("From: ann@example.org\n"
	    "Content-Type: text/plain; charset=utf-8; format=flowed\n"
	    "\n"
	    "One paragraph that was cut for the wire \n"
	    "into three lines \n"
	    "by a flowed writer.\n"
	    "> a quote cut \n"
	    "> in two\n"
	    " From stuffed\n");
	t = reply_orig_text(o, &n);
	assert_string_equal(t, "One paragraph that was cut for the wire into "
	    "three lines by a flowed writer.\n> a quote cut in two\n"
	    "From stuffed\n");
	reply_orig_free(o);
	/* DelSp=yes: the space of each soft break goes. */
	o = orig("From: ann@example.org\n"
	    "Content-Type: text/plain; charset=utf-8; format=flowed; "
	    "delsp=yes\n"
	    "\n"
	    "\xe6\x97\xa5\xe6\x9c\xac \n"
	    "\xe8\xaa\x9e\n");
	t = reply_orig_text(o, &n);
	assert_string_equal(t, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n");
	reply_orig_free(o);
	/* Without format=flowed, lines stay as they are. */
	o = orig("From: ann@example.org\n\nkept \nas is\n");
	t = reply_orig_text(o, &n);
	assert_string_equal(t, "kept \nas is\n");
	reply_orig_free(o);
}

static void
test_quote(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(reply_quote(&b, "a\n> b\n>> c\n\nd", 13), 0);
	assert_string_equal(buf_str(&b), "> a\n>> b\n>>> c\n>\n> d\n");
	buf_reset(&b);
	assert_int_equal(reply_quote(&b, "x\r\n\r\n", 5), 0);
	assert_string_equal(buf_str(&b), "> x\n>\n");
	buf_reset(&b);
	assert_int_equal(reply_quote(&b, "", 0), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
test_references(void **state)
{
	char *r;
	int nomem;
	struct buf refs;
	size_t i, n;

	(void)state;
	r = reply_references("<a@x> <b@x>", NULL, "<c@x>", &nomem);
	assert_string_equal(r, "<a@x> <b@x> <c@x>");
	free(r);
	/* No References: the In-Reply-To (RFC 5322 3.6.4). */
	r = reply_references(NULL, "<p@x>", "<c@x>", &nomem);
	assert_string_equal(r, "<p@x> <c@x>");
	free(r);
	/* Junk between ids, and ids that are no ids. */
	r = reply_references("junk <a@x> <not an id> <no-at> <b@x", NULL,
	    "<c@x>", &nomem);
	assert_string_equal(r, "<a@x> <c@x>");
	free(r);
	assert_null(reply_references(NULL, NULL, NULL, &nomem));
	assert_int_equal(nomem, 0);
	/* 10,000 deep: the first and the newest, REPLY_REFS_MAX in all. */
	buf_init(&refs, 1 << 24);
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_printf(&refs, "<%zu@deep>\n ", i), 0);
	r = reply_references(buf_str(&refs), NULL, "<last@deep>", &nomem);
	assert_non_null(r);
	assert_true(strncmp(r, "<0@deep> <9982@deep> ", 21) == 0);
	assert_non_null(strstr(r, "<9999@deep> <last@deep>"));
	for (n = 1, i = 0; r[i] != '\0'; i++)
		n += r[i] == ' ';
	assert_int_equal(n, REPLY_REFS_MAX);
	free(r);
	buf_free(&refs);
}

static void
test_reply_sender(void **state)
{
	struct draft d;

	(void)state;
	draft_init(&d);
	answer(&d, plain, REPLY_SENDER, NULL, "Yes!\n");
	assert_string_equal(d.to, "Ann Example <ann@example.org>");
	assert_null(d.cc);
	assert_string_equal(d.subject, "Re: lunch");
	assert_string_equal(d.in_reply_to, "<m2@example.org>");
	assert_string_equal(d.references,
	    "<m0@example.org> <m1@example.org> <m2@example.org>");
	/* The quote above the new text, by default. */
	assert_string_equal(buf_str(&d.text),
	    "On Fri, 4 Dec 2026 09:30:00 +0100, Ann Example wrote:\n"
	    "> Shall we?\n"
	    ">> earlier\n"
	    ">\n"
	    "> Ann\n"
	    "\n"
	    "Yes!\n");
	draft_free(&d);
}

static void
test_reply_to(void **state)
{
	struct draft d;
	static const char msg[] =
	    "From: ann@example.org\n"
	    "Reply-To: list@example.org\n"
	    "To: me@example.net\n"
	    "Subject: x\n\nhi\n";

	(void)state;
	draft_init(&d);
	answer(&d, msg, REPLY_SENDER, NULL, NULL);
	assert_string_equal(d.to, "list@example.org");
	draft_free(&d);
}

static void
test_group(void **state)
{
	struct account a;
	struct draft d;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.from = (char *)"Me <me@example.net>";
	a.from_addresses = (char *)"*@old.example";
	draft_init(&d);
	answer(&d, plain, REPLY_GROUP, &a, NULL);
	assert_string_equal(d.to, "Ann Example <ann@example.org>");
	/* Me (twice, any case) removed; nobody twice. */
	assert_string_equal(d.cc, "Bob <bob@example.com>, carol@example.com");
	draft_free(&d);

	/* from_addresses count as the user's own too. */
	draft_init(&d);
	answer(&d, "From: a@x.example\nTo: me@old.example, b@x.example\n"
	    "\nhi\n", REPLY_GROUP, &a, NULL);
	assert_string_equal(d.to, "a@x.example");
	assert_string_equal(d.cc, "b@x.example");
	draft_free(&d);
}

static void
test_followup_to(void **state)
{
	struct account a;
	struct draft d;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.from = (char *)"me@example.net";
	draft_init(&d);
	answer(&d, "From: ann@example.org\nTo: list@example.org\n"
	    "Cc: me@example.net\n"
	    "Mail-Followup-To: list@example.org, me@example.net\n\nhi\n",
	    REPLY_GROUP, &a, NULL);
	assert_string_equal(d.to, "list@example.org");
	assert_null(d.cc);
	draft_free(&d);
	/* A reply to the sender alone does not follow it. */
	draft_init(&d);
	answer(&d, "From: ann@example.org\nTo: list@example.org\n"
	    "Mail-Followup-To: list@example.org\n\nhi\n", REPLY_SENDER, &a,
	    NULL);
	assert_string_equal(d.to, "ann@example.org");
	draft_free(&d);
}

static void
test_own_message(void **state)
{
	struct account a;
	struct draft d;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.from = (char *)"me@example.net";
	/* A message from the sent folder: the answer goes where it went. */
	draft_init(&d);
	answer(&d, "From: Me <me+lists@example.net>\nTo: ann@example.org\n"
	    "Cc: bob@example.com\n\nhi\n", REPLY_GROUP, &a, NULL);
	assert_string_equal(d.to, "ann@example.org");
	assert_string_equal(d.cc, "bob@example.com");
	draft_free(&d);
}

static void
test_encoded_words(void **state)
{
	struct draft d;
	static const char msg[] =
	    "From: =?UTF-8?Q?Doe=2C_J=C3=BCrgen?= <j@example.de>\n"
	    "Subject: =?ISO-8859-1?Q?Re=3A_Gr=FC=DFe?=\n"
	    "Content-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "Sch=F6ne Gr=FC=DFe\n";

	(void)state;
	draft_init(&d);
	answer(&d, msg, REPLY_SENDER, NULL, NULL);
	/* A name with a comma comes out quoted, decoded. */
	assert_string_equal(d.to, "\"Doe, Jürgen\" <j@example.de>");
	assert_string_equal(d.subject, "Re: Grüße");
	assert_non_null(strstr(buf_str(&d.text), "Doe, Jürgen wrote:\n"));
	assert_non_null(strstr(buf_str(&d.text), "> Schöne Grüße\n"));
	draft_free(&d);
}

static void
test_html_only(void **state)
{
	struct draft d;
	static const char msg[] =
	    "From: a@x.example\n"
	    "Content-Type: multipart/mixed; boundary=b\n"
	    "\n"
	    "--b\n"
	    "Content-Type: text/html; charset=utf-8\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "PHA+SGVsbG8gPGI+d29ybGQ8L2I+PC9wPjxwPnR3bzwvcD4=\n"
	    "--b\n"
	    "Content-Type: text/plain\n"
	    "Content-Disposition: attachment; filename=a.txt\n"
	    "\n"
	    "not this\n"
	    "--b--\n";

	(void)state;
	draft_init(&d);
	answer(&d, msg, REPLY_SENDER, NULL, NULL);
	assert_non_null(strstr(buf_str(&d.text), "> Hello world\n>\n> two\n"));
	assert_null(strstr(buf_str(&d.text), "not this"));
	assert_null(strstr(buf_str(&d.text), "<p>"));
	draft_free(&d);
}

static void
test_hostile(void **state)
{
	struct draft d;
	struct reply_orig *o;

	(void)state;
	/* No From, a Subject of prefixes only, no Date, no Message-ID. */
	draft_init(&d);
	answer(&d, "Subject: Re: Re:\n\nhi\n", REPLY_SENDER, NULL, NULL);
	assert_null(d.to);
	assert_string_equal(d.subject, "Re:");
	assert_null(d.in_reply_to);
	assert_null(d.references);
	assert_string_equal(buf_str(&d.text), "an unknown sender wrote:\n"
	    "> hi\n\n");
	draft_free(&d);
	/* Not a message at all, and nothing at all. */
	draft_init(&d);
	answer(&d, "\x01\x02 garbage", REPLY_GROUP, NULL, NULL);
	assert_null(d.to);
	draft_free(&d);
	assert_int_equal(reply_read_mem("", 0, &o), ERR_OK);
	reply_orig_free(o);
	/* Addresses that do not parse, a Message-ID that is none. */
	draft_init(&d);
	answer(&d, "From: <<<@@>\nTo: \"unclosed <a@b>\n"
	    "Message-ID: not-an-id\n\nhi\n", REPLY_GROUP, NULL, NULL);
	assert_null(d.in_reply_to);
	draft_free(&d);
	/* 10,000 References, folded: the first and the newest kept. */
	{
		struct buf m;
		size_t i;

		buf_init(&m, 1 << 24);
		assert_int_equal(buf_addstr(&m, "From: a@x.example\n"
		    "Message-ID: <p@x>\nReferences:"), 0);
		for (i = 0; i < 10000; i++)
			assert_int_equal(buf_printf(&m, " <%zu@deep>\n", i), 0);
		assert_int_equal(buf_addstr(&m, "\nhi\n"), 0);
		draft_init(&d);
		answer(&d, buf_str(&m), REPLY_SENDER, NULL, NULL);
		assert_true(strncmp(d.references, "<0@deep> <9982@deep> ",
		    21) == 0);
		assert_non_null(strstr(d.references, "<9999@deep> <p@x>"));
		assert_string_equal(d.in_reply_to, "<p@x>");
		draft_free(&d);
		buf_free(&m);
	}
}

static void
test_forward(void **state)
{
	struct draft d;

	(void)state;
	draft_init(&d);
	answer(&d, plain, REPLY_FORWARD_INLINE, NULL, "FYI\n");
	assert_null(d.to);
	assert_string_equal(d.subject, "Fwd: lunch");
	assert_null(d.in_reply_to);
	assert_string_equal(buf_str(&d.text),
	    "FYI\n"
	    "\n"
	    "---------- Forwarded message ----------\n"
	    "From: Ann Example <ann@example.org>\n"
	    "Date: Fri, 4 Dec 2026 09:30:00 +0100\n"
	    "Subject: Re: RE: Aw: Fwd: lunch\n"
	    "To: Me <me@example.net>, Bob <bob@example.com>\n"
	    "Cc: carol@example.com, ME@example.net\n"
	    "\n"
	    "Shall we?\n"
	    "> earlier\n"
	    "\n"
	    "Ann\n");
	assert_int_equal(d.natt, 0);
	draft_free(&d);
}

static void
test_forward_attach(void **state)
{
	struct draft d;
	struct reply_orig *o;
	struct reply_opts ro;
	char *p = make_file("orig.eml", plain), *errstr = NULL;
	int fd;

	(void)state;
	memset(&ro, 0, sizeof(ro));
	ro.kind = REPLY_FORWARD_ATTACH;
	/* From a file: that file is attached. */
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(reply_read(fd, p, 0, &o, NULL, &errstr), ERR_OK);
	(void)close(fd);
	draft_init(&d);
	assert_int_equal(reply_make(o, &ro, &d, &errstr), ERR_OK);
	assert_int_equal(d.natt, 1);
	assert_true(d.att[0].message);
	assert_string_equal(d.att[0].path, p);
	assert_string_equal(d.subject, "Fwd: lunch");
	draft_free(&d);
	reply_orig_free(o);
	/* From a pipe: a private copy the draft owns. */
	fd = open(p, O_RDONLY);
	assert_int_equal(reply_read(fd, NULL, 1, &o, NULL, &errstr), ERR_OK);
	(void)close(fd);
	draft_init(&d);
	assert_int_equal(reply_make(o, &ro, &d, &errstr), ERR_OK);
	reply_orig_free(o);
	assert_int_equal(d.natt, 1);
	assert_true(d.att[0].owned);
	assert_int_equal(access(d.att[0].path, R_OK), 0);
	free(p);
	p = strdup(d.att[0].path);
	draft_free(&d);
	assert_int_not_equal(access(p, F_OK), 0);
	/* From memory: there is nothing to attach. */
	draft_init(&d);
	o = orig(plain);
	assert_int_equal(reply_make(o, &ro, &d, &errstr), ERR_USAGE);
	assert_non_null(errstr);
	reply_orig_free(o);
	draft_free(&d);
	free(errstr);
	free(p);
}

static void
test_styles(void **state)
{
	struct account a;
	struct draft d;
	char *sig = make_file("sig", "Me\n");

	(void)state;
	memset(&a, 0, sizeof(a));
	a.signature = sig;
	/* Bottom: quote, new text, signature. */
	draft_init(&d);
	answer(&d, "From: a@x.example\n\nq\n", REPLY_SENDER, &a, "new\n");
	assert_string_equal(buf_str(&d.text),
	    "a@x.example wrote:\n> q\n\nnew\n-- \nMe\n");
	draft_free(&d);
	/* Top-posting, the signature at the end. */
	a.reply_style = CONF_REPLY_TOP;
	draft_init(&d);
	answer(&d, "From: a@x.example\n\nq\n", REPLY_SENDER, &a, "new");
	assert_string_equal(buf_str(&d.text),
	    "new\n\na@x.example wrote:\n> q\n-- \nMe\n");
	draft_free(&d);
	/* Top-posting, the signature after the new text. */
	a.signature_position = CONF_SIG_TEXT;
	draft_init(&d);
	answer(&d, "From: a@x.example\n\nq\n", REPLY_SENDER, &a, "new\n");
	assert_string_equal(buf_str(&d.text),
	    "new\n-- \nMe\n\na@x.example wrote:\n> q\n");
	assert_true(d.signed_text);
	draft_free(&d);
	free(sig);
}

static void
test_template(void **state)
{
	struct account a;
	struct draft d;
	char *tpl = make_file("tpl",
	    "Cc: team@example.org\n"
	    "X-Mood: %{name} %%{name}\n"
	    "\n"
	    "Hello %{name},\n"
	    "%{text}\n"
	    "%{quote}"
	    "-- sent %{date}, about %{subject}, %{unknown}\n");

	(void)state;
	memset(&a, 0, sizeof(a));
	a.template_file = tpl;
	draft_init(&d);
	answer(&d, "From: Ann <ann@example.org>\nSubject: hi\n"
	    "Date: Mon, 1 Dec 2026 08:00:00 +0000\n\nq\n", REPLY_SENDER, &a,
	    "Thanks.\n");
	assert_string_equal(d.to, "Ann <ann@example.org>");
	assert_string_equal(d.cc, "team@example.org");
	assert_int_equal(d.nextra, 1);
	assert_string_equal(d.extra[0].name, "X-Mood");
	assert_string_equal(d.extra[0].value, "Ann %{name}");
	assert_string_equal(buf_str(&d.text),
	    "Hello Ann,\n"
	    "Thanks.\n\n"
	    "On Mon, 1 Dec 2026 08:00:00 +0000, Ann wrote:\n> q\n"
	    "-- sent Sun, 6 Dec 2026 10:00:00 +0000, about hi, %{unknown}\n");
	draft_free(&d);
	free(tpl);
	/* A body alone, and a header line that is no field. */
	tpl = make_file("tpl2", "Dear %{name}\n");
	a.template_file = tpl;
	draft_init(&d);
	answer(&d, "From: b@x.example\n\nq\n", REPLY_SENDER, &a, NULL);
	assert_string_equal(buf_str(&d.text), "Dear b@x.example\n");
	draft_free(&d);
	free(tpl);
	{
		struct reply_vars v;
		char *errstr = NULL;

		memset(&v, 0, sizeof(v));
		draft_init(&d);
		assert_int_equal(reply_template("To: a@b\nno field\n\nx", 19,
		    &v, &d, &errstr), ERR_DATA);
		assert_non_null(errstr);
		free(errstr);
		draft_free(&d);
	}
}

static void
test_template_new(void **state)
{
	struct account a;
	struct draft d;
	char *errstr = NULL;
	char *tpl = make_file("tpl-new", "Reply-To: desk@example.org\n\n"
	    "Dear %{name},\n%{text}\nRegards (%{subject}, %{date})%{quote}\n");

	(void)state;
	memset(&a, 0, sizeof(a));
	draft_init(&d);
	/* No template: nothing changes. */
	assert_int_equal(reply_template_new(&a, &d, NULL, &errstr), ERR_OK);
	assert_int_equal(d.text.len, 0);
	a.template_file = tpl;
	assert_int_equal(draft_set(&d.to, "\"Doe, J\" <j@x.example>"), 0);
	assert_int_equal(draft_set(&d.subject, "Plans"), 0);
	assert_int_equal(buf_addstr(&d.text, "typed\n"), 0);
	assert_int_equal(reply_template_new(&a, &d, "NOW", &errstr), ERR_OK);
	assert_string_equal(d.reply_to, "desk@example.org");
	assert_string_equal(buf_str(&d.text),
	    "Dear Doe, J,\ntyped\n\nRegards (Plans, NOW)\n");
	assert_false(d.signed_text);
	draft_free(&d);
	free(tpl);
	/* A template that is not there: told, the text kept. */
	a.template_file = (char *)"/nonexistent/tpl";
	draft_init(&d);
	assert_int_equal(buf_addstr(&d.text, "kept\n"), 0);
	assert_int_equal(reply_template_new(&a, &d, NULL, &errstr),
	    ERR_NOINPUT);
	assert_non_null(strstr(errstr, "/nonexistent/tpl"));
	assert_string_equal(buf_str(&d.text), "kept\n");
	free(errstr);
	draft_free(&d);
}

static void
test_account(void **state)
{
	struct account acc[2];
	struct conf c;
	struct reply_orig *o;

	(void)state;
	memset(acc, 0, sizeof(acc));
	memset(&c, 0, sizeof(c));
	acc[0].from = (char *)"home@example.net";
	acc[1].from = (char *)"Work <me@work.example>";
	acc[1].from_addresses = (char *)"*@lists.work.example";
	c.accounts = acc;
	c.naccounts = 2;
	o = orig("From: a@x.example\nTo: b@x.example\n"
	    "Cc: ME@work.example\n\nhi\n");
	assert_ptr_equal(reply_account(o, &c), &acc[1]);
	reply_orig_free(o);
	o = orig("From: a@x.example\nTo: team@lists.work.example\n"
	    "Delivered-To: home@example.net\n\nhi\n");
	assert_ptr_equal(reply_account(o, &c), &acc[0]);
	reply_orig_free(o);
	/* One of the user's own: its From. */
	o = orig("From: home@example.net\nTo: me@work.example\n\nhi\n");
	assert_ptr_equal(reply_account(o, &c), &acc[0]);
	reply_orig_free(o);
	o = orig("From: a@x.example\nTo: b@x.example\n\nhi\n");
	assert_null(reply_account(o, &c));
	assert_null(reply_account(o, NULL));
	reply_orig_free(o);
}

static void
test_keeps_given(void **state)
{
	struct draft d;

	(void)state;
	draft_init(&d);
	assert_int_equal(draft_set(&d.subject, "my own"), 0);
	assert_int_equal(draft_set(&d.to, "x@y.example"), 0);
	answer(&d, plain, REPLY_SENDER, NULL, NULL);
	assert_string_equal(d.subject, "my own");
	assert_string_equal(d.to, "x@y.example, Ann Example <ann@example.org>");
	draft_free(&d);
}

static void
test_conf_keys(void **state)
{
	struct conf *c = NULL;
	const struct account *a;
	char *p, *errstr = NULL;

	(void)state;
	p = make_file("config", "[account a]\nfrom = a@x.example\n"
	    "reply_style = top\nsignature_position = text\n"
	    "template = /tmp/reply.tpl\n");
	assert_int_equal(conf_load(&c, p, &errstr), ERR_OK);
	a = conf_account(c, NULL);
	assert_int_equal(a->reply_style, CONF_REPLY_TOP);
	assert_int_equal(a->signature_position, CONF_SIG_TEXT);
	assert_string_equal(a->template_file, "/tmp/reply.tpl");
	assert_true(conf_account_owns(a, "A@x.example"));
	assert_false(conf_account_owns(a, "b@x.example"));
	conf_free(c);
	free(p);
	p = make_file("config2", "[account a]\nreply_style = sideways\n");
	assert_int_equal(conf_load(&c, p, &errstr), ERR_CONFIG);
	assert_non_null(strstr(errstr, "reply_style must be bottom or top"));
	free(errstr);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_flowed_original_quoted_as_paragraphs),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_reply_sender),
		cmocka_unit_test(test_reply_to),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_followup_to),
		cmocka_unit_test(test_own_message),
		cmocka_unit_test(test_encoded_words),
		cmocka_unit_test(test_html_only),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_forward),
		cmocka_unit_test(test_forward_attach),
		cmocka_unit_test(test_styles),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_keeps_given),
		cmocka_unit_test(test_template_new),
		cmocka_unit_test(test_account),
		cmocka_unit_test(test_conf_keys),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
