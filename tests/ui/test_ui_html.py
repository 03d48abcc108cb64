# SPDX-License-Identifier: ISC
"""test_ui_html.py - the composer's HTML alternative: h makes it from the text with html_command (made again after each edit) or takes a file, H removes it; the message at the server is multipart/alternative."""

import email
import email.policy
import os
import unittest

from harness import EX_CONFIG, EX_OK
from tmuxui import UiTest

# A converter as pandoc would be: the text on stdin, HTML on stdout.
CONVERTER = r"""#!/bin/sh
printf '<html><body>\n'
sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/.*/<p>&<\/p>/'
printf '</body></html>\n'
"""

# An editor that adds a line each time it runs, as a person editing again.
EDITOR = r"""#!/bin/sh
n=$(grep -c '^Line ' "$1")
printf 'Line %d of the <text>.\n' $((n + 1)) >>"$1"
"""


def parts(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return (msg, plain.get_content().replace("\r\n", "\n"),
            html.get_content().replace("\r\n", "\n") if html else None)


class Html(UiTest):

    def setUp(self):
        super().setUp()
        self.editor = os.path.join(self.tmp, "editor-again.sh")
        with open(self.editor, "w") as f:
            f.write(EDITOR)
        os.chmod(self.editor, 0o700)
        self.conv = os.path.join(self.tmp, "tohtml")
        with open(self.conv, "w") as f:
            f.write(CONVERTER)
        os.chmod(self.conv, 0o700)

    def config(self, srv, **keys):
        return self.write_config("smtp://127.0.0.1:%d" % srv.port, **keys)

    def test_made_by_html_command_and_again_after_an_edit(self):
        srv = self.start_smtpd()
        self.start(self.config(srv, html_command=self.conv + " --fragment"))
        self.compose("bob@example.org", "HTML")
        self.wait_screen("Line 1 of the <text>.")
        self.keys("h")
        self.wait_screen("HTML from file (empty: made from the text by "
                         "html_command):")
        self.keys("Enter")
        s = self.wait_screen("HTML: yes (from tohtml)")
        self.assertIn("HTML alternative made by tohtml", s)
        # Edited again: the HTML follows the text.
        self.keys("e")
        self.wait_screen("Line 2 of the <text>.")
        self.keys("y")
        self.wait_status("sent ")
        meta, raw = self.one_message(srv)
        msg, plain, html = parts(raw)
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        self.assertEqual([p.get_content_type() for p in msg.iter_parts()],
                         ["text/plain", "text/html"])
        self.assertEqual(plain, "Line 1 of the <text>.\n"
                         "Line 2 of the <text>.\n")
        self.assertEqual(html, "<html><body>\n"
                         "<p>Line 1 of the &lt;text>.</p>\n"
                         "<p>Line 2 of the &lt;text>.</p>\n"
                         "</body></html>\n")

    def test_from_a_file_and_removed(self):
        srv = self.start_smtpd()
        page = os.path.join(self.tmp, "page.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write("<p>Grüße, <b>reich</b>.</p>\n")
        self.start(self.config(srv))
        self.compose("bob@example.org", "HTML file")
        self.wait_screen("Line 1")
        self.keys("h")
        self.wait_screen("HTML from file:")
        self.type(page)
        self.keys("Enter")
        self.wait_screen("HTML: yes (from page.html)")
        self.keys("y")
        self.wait_status("sent ")
        meta, raw = self.one_message(srv)
        msg, plain, html = parts(raw)
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        self.assertEqual(html, "<p>Grüße, <b>reich</b>.</p>\n")
        self.assertEqual(plain, "Line 1 of the <text>.\n")
        # H takes it away again: the next message is text alone.
        self.compose("carol@example.org", "no HTML")
        self.wait_screen("Line 1")
        self.keys("h")
        self.wait_screen("HTML from file:")
        self.type(page)
        self.keys("Enter")
        self.wait_screen("HTML: yes")
        self.keys("H")
        s = self.wait_screen("HTML alternative removed")
        self.assertNotIn("HTML: yes", s)
        self.keys("y")
        self.wait_status("sent ")
        msgs = srv.messages()
        self.assertEqual(len(msgs), 2)
        msg, plain, html = parts(msgs[1][1])
        self.assertEqual(msg.get_content_type(), "text/plain")
        self.assertIsNone(html)

    def test_failing_command_says_why_and_adds_nothing(self):
        srv = self.start_smtpd()
        self.start(self.config(srv, html_command="exit 3"))
        self.compose("bob@example.org", "HTML fails")
        self.wait_screen("Line 1")
        self.keys("h")
        self.wait_screen("HTML from file (empty:")
        self.keys("Enter")
        s = self.wait_screen("no HTML alternative: html_command failed "
                             "(exit status 3)")
        self.assertNotIn("HTML: yes", s)

    def test_send_html_auto_uses_the_same_command(self):
        cfg = self.write_config("smtp://127.0.0.1:9", html_command=self.conv)
        res = self.run_pigeon(["send", "--config", cfg, "--dry-run",
                               "--html-auto", "bob@example.org"],
                              input=b"a < b\n")
        self.assertExit(res, EX_OK)
        msg, plain, html = parts(res.out)
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        self.assertEqual(plain, "a < b\n")
        self.assertEqual(html, "<html><body>\n<p>a &lt; b</p>\n"
                         "</body></html>\n")
        # Without html_command it says so, and sends nothing.
        cfg = self.write_config("smtp://127.0.0.1:9")
        res = self.run_pigeon(["send", "--config", cfg, "--dry-run",
                               "--html-auto", "bob@example.org"],
                              input=b"x\n")
        self.assertExit(res, EX_CONFIG)
        self.assertIn(b"no html_command", res.err)


if __name__ == "__main__":
    unittest.main()
