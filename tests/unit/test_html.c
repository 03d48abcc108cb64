/* test_html.c - the built-in HTML to text converter, and html_render()'s choice between mailcap and it. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "helper.h"
#include "html.h"
#include "util.h"

/* html_to_text() of in must be want. */
static void
check(const char *in, const char *want)
{
	struct buf out;

	buf_init(&out, 1024 * 1024);
	assert_int_equal(html_to_text(in, strlen(in), &out), ERR_OK);
	if (strcmp(buf_str(&out), want) != 0)
		fail_msg("%s\ngave  %s\nwanted %s", test_vis(in, strlen(in)),
		    test_vis(out.data, out.len), test_vis(want, strlen(want)));
	buf_free(&out);
}

static void
test_text_and_whitespace(void **state)
{
	(void)state;
	check("", "");
	check("plain", "plain\n");
	check("  a \t\r\n b  ", "a b\n");
	check("a<b> bold </b>c", "a bold c\n");
	check("a <i>b</i><i>c</i>", "a bc\n");
	check("x\x01y\x7fz", "xyz\n");
	check("caf\xc3\xa9", "caf\xc3\xa9\n");
	check("3 < 4 && 5 > 4", "3 < 4 && 5 > 4\n");
	check("a<3 b", "a<3 b\n");
}

static void
test_blocks(void **state)
{
	(void)state;
	check("<p>one</p><p>two</p>", "one\n\ntwo\n");
	check("<h1>Title</h1>text", "Title\n\ntext\n");
	check("<div>a</div><div>b</div>", "a\nb\n");
	check("a<br>b<br/>c<br />d", "a\nb\nc\nd\n");
	check("a<br><br>b", "a\n\nb\n");
	check("a<br><br><br><br>b", "a\n\nb\n");
	check("<p></p><p></p><p>x</p><p></p>", "x\n");
	check("<br><br>x", "x\n");
	check("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr>"
	    "</table>", "a b\nc\n");
	check("a<hr>b", "a\n----------------------------------------\nb\n");
}

static void
test_lists_and_quotes(void **state)
{
	(void)state;
	check("<ul><li>one<li>two</ul>after", "* one\n* two\n\nafter\n");
	check("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b\n");
	check("<ul><li>x<ul><li>y</li></ul></li><li>z</li></ul>",
	    "* x\n  * y\n* z\n");
	check("<li>loose</li>", "* loose\n");
	check("<blockquote>q<br>r</blockquote>s", "> q\n> r\n\ns\n");
	check("<blockquote><blockquote>deep</blockquote></blockquote>",
	    "> > deep\n");
	check("<blockquote><pre>a\nb</pre></blockquote>", "> a\n> b\n");
}

static void
test_pre(void **state)
{
	(void)state;
	check("<pre>\n  a   b\n\tc\r\n</pre>after", "  a   b\n\tc\n\nafter\n");
	check("x<pre>  keep  </pre>y", "x\n\n  keep  \n\ny\n");
	check("<pre>a &lt;tag&gt;</pre>", "a <tag>\n");
}

static void
test_hidden(void **state)
{
	(void)state;
	check("<html><head><title>T</title><style>p{x}</style>"
	    "<meta charset=utf-8></head><body>shown</body></html>", "shown\n");
	check("<script>if (a<b) document.write('<p>x</p>')</script>ok",
	    "ok\n");
	check("<SCRIPT type=x>a</script >b", "b\n");
	check("<style>p{}</style>", "");
	check("a<!-- <p>hidden</p> -->b", "ab\n");
	check("a<!---->b<!--->c-->d", "abd\n");
	check("<!DOCTYPE html>x<?xml version='1.0'?>y", "xy\n");
	check("<head><div>no head end</div>", "no head end\n");
	check("<unknown-tag attr=1>t</unknown-tag><o:p></o:p>", "t\n");
}

static void
test_links_and_images(void **state)
{
	(void)state;
	check("see <a href=\"https://a.example/?x=1&amp;y=2\">this</a>.",
	    "see this [1].\n\nLinks:\n[1] https://a.example/?x=1&y=2\n");
	check("<a href='https://b.example/'>https://b.example/</a>",
	    "https://b.example/\n");
	check("<a href=\"mailto:u@example.org\">u@example.org</a>",
	    "u@example.org\n");
	check("<a href=#top>top</a> <a href=\"javascript:x()\">js</a>",
	    "top js\n");
	check("<a href=x>one</a> <a href=y>two</a>",
	    "one [1] two [2]\n\nLinks:\n[1] x\n[2] y\n");
	check("<a href=x><img src=i alt=\"A &amp; B\"></a>",
	    "[A & B] [1]\n\nLinks:\n[1] x\n");
	check("<a href=x><img src=i></a>", "[1]\n\nLinks:\n[1] x\n");
	check("<a href=\" https://c.example/\n  p \">t</a>",
	    "t [1]\n\nLinks:\n[1] https://c.example/p\n");
	check("<a href=x>open", "open [1]\n\nLinks:\n[1] x\n");
	check("<a href=x>a<a href=y>b</a>",
	    "a [1]b [2]\n\nLinks:\n[1] x\n[2] y\n");
	check("<img alt=\"\">x", "x\n");
}

static void
test_references(void **state)
{
	(void)state;
	check("&amp;&lt;&gt;&quot;&apos;", "&<>\"'\n");
	check("a&nbsp;&nbsp;b", "a  b\n");
	check("&eacute;&Eacute;&szlig;&yuml;&copy;&euro;&mdash;&hellip;",
	    "\xc3\xa9\xc3\x89\xc3\x9f\xc3\xbf\xc2\xa9\xe2\x82\xac\xe2\x80\x94"
	    "\xe2\x80\xa6\n");
	check("&#65;&#x42;&#X43;&#0068;", "ABCD\n");
	check("&#x1F600;", "\xf0\x9f\x98\x80\n");
	check("&#146;&#x80;", "\xe2\x80\x99\xe2\x82\xac\n");
	check("&#0;&#xD800;&#x110000;&#99999999999999999999;&#1;",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\n");
	check("&#;&#x;&bogus;&amp", "&#;&#x;&bogus;&\n");
	check("AT&T &copy 2024", "AT&T &copy 2024\n");
	check("soft&shy;hyphen &lrm;x", "softhyphen x\n");
	check("a&#32;&#32;b&#10;c", "a b c\n");
}

/* Unclosed markup ends the document, as in HTML5; nothing breaks. */
static void
test_unclosed(void **state)
{
	(void)state;
	check("text<b", "text\n");
	check("text<a href=\"x>more", "text\n");
	check("text<!-- no end", "text\n");
	check("text<script>no end", "text\n");
	check("text</", "text</\n");
	check("text<", "text<\n");
	check("text&", "text&\n");
	check("text&#x", "text&#x\n");
}

/* Deep nesting, huge values and many references stay linear and bounded. */
static void
test_hostile(void **state)
{
	static const char *units[] = {
		"<blockquote>", "<ul><li>", "<a href=x>", "<pre>", "&#x", "&a",
		"<!--", "<a href='", "<", "</", "<p>&nbsp;", "<br>",
	};
	const size_t count = 200000;
	struct buf in, out;
	int64_t t0;
	size_t i, j;
	enum err e;

	(void)state;
	for (j = 0; j < sizeof(units) / sizeof(units[0]); j++) {
		buf_init(&in, 64 * 1024 * 1024);
		for (i = 0; i < count; i++)
			assert_int_equal(buf_addstr(&in, units[j]), 0);
		assert_int_equal(buf_addstr(&in, "end"), 0);
		buf_init(&out, 64 * 1024 * 1024);
		t0 = util_now_us();
		e = html_to_text(in.data, in.len, &out);
		assert_int_equal(e, ERR_OK);
		if (util_now_us() - t0 > 5000000)
			fail_msg("%s x %zu took %lld us", units[j], count,
			    (long long)(util_now_us() - t0));
		/* No line holds more than a few bytes of prefix. */
		assert_true(out.len < 20 * in.len + 100);
		buf_free(&in);
		buf_free(&out);
	}
	/* A huge attribute value. */
	buf_init(&in, 64 * 1024 * 1024);
	assert_int_equal(buf_addstr(&in, "<a title=\""), 0);
	for (i = 0; i < 1000000; i++)
		assert_int_equal(buf_addch(&in, 'x'), 0);
	assert_int_equal(buf_addstr(&in, "\" href=y>z</a>"), 0);
	buf_init(&out, 1024);
	assert_int_equal(html_to_text(in.data, in.len, &out), ERR_OK);
	assert_string_equal(buf_str(&out), "z [1]\n\nLinks:\n[1] y\n");
	buf_free(&in);
	buf_free(&out);
}

/* Output past out's maximum: ERR_DATA, and out holds what fitted. */
static void
test_output_bound(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 10);
	assert_int_equal(html_to_text("<p>0123456789</p><p>abc</p>", 27, &out),
	    ERR_DATA);
	assert_string_equal(buf_str(&out), "0123456789");
	buf_free(&out);
}

/* Write a mailcap in the test directory and point $MAILCAPS at it. */
static void
use_mailcap(const char *text)
{
	char path[256];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/mailcap", test_dir);
	assert_non_null(f = fopen(path, "w"));
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(setenv("MAILCAPS", path, 1), 0);
}

/* The mailcap entry when there is one, else the converter: and which. */
static void
test_render_choice(void **state)
{
	static const char html[] = "<p>Hello</p>";
	struct buf out;
	char *which, *note;

	(void)state;
	use_mailcap("text/html; sed -e s/Hello/Hi/ %s; copiousoutput\n");
	buf_init(&out, 1024 * 1024);
	assert_int_equal(html_render(html, strlen(html), &out, &which, &note),
	    ERR_OK);
	assert_string_equal(which, "sed");
	assert_null(note);
	assert_string_equal(buf_str(&out), "<p>Hi</p>");
	free(which);
	buf_free(&out);
	/* None: the built-in converter. */
	use_mailcap("text/plain; cat; copiousoutput\n");
	buf_init(&out, 1024 * 1024);
	assert_int_equal(html_render(html, strlen(html), &out, &which, &note),
	    ERR_OK);
	assert_null(which);
	assert_null(note);
	assert_string_equal(buf_str(&out), "Hello\n");
	buf_free(&out);
	/* One that fails: the converter, and a note why. */
	use_mailcap("text/html; false; copiousoutput\n");
	buf_init(&out, 1024 * 1024);
	assert_int_equal(html_render(html, strlen(html), &out, &which, &note),
	    ERR_OK);
	assert_null(which);
	assert_non_null(note);
	assert_non_null(strstr(note, "false"));
	assert_string_equal(buf_str(&out), "Hello\n");
	free(note);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_whitespace),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_lists_and_quotes),
		cmocka_unit_test(test_pre),
		cmocka_unit_test(test_hidden),
		cmocka_unit_test(test_links_and_images),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_unclosed),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_output_bound),
		cmocka_unit_test(test_render_choice),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
