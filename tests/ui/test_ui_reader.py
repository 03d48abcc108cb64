# SPDX-License-Identifier: ISC
"""test_ui_reader.py - the reader of the interactive UI: HTML-only mail through mailcap or the built-in converter, the header toggle."""

import os
import time

from tmuxui import UiTest

HTML_ONLY = (
    "From: Shop <shop@example.org>\n"
    "To: me@example.org\n"
    "Subject: Only HTML\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/html; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "<html><head><style>p { color: red }</style></head><body>"
    "<p>Hello <b>there</b> &amp; welcome.</p>"
    "<ul><li>first point</li></ul>"
    "<script>alert('no')</script></body></html>\n")


class UiReader(UiTest):

    def file_sent(self, text):
        cur = os.path.join(self.data, "sent", "cur")
        os.makedirs(cur, exist_ok=True)
        name = "%d.M1P%dR0123456789abcdef.test:2,S" % (time.time(),
                                                      os.getpid())
        with open(os.path.join(cur, name), "w") as f:
            f.write(text)
        for d in ("new", "tmp"):
            os.makedirs(os.path.join(self.data, "sent", d), exist_ok=True)
        return name

    def test_html_only_without_mailcap_uses_the_builtin_converter(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.file_sent(HTML_ONLY)
        empty = os.path.join(self.tmp, "mailcap")
        open(empty, "w").close()
        self.start(cfg, env={"MAILCAPS": empty})
        self.wait_screen("Only HTML")
        self.keys("Enter")
        s = self.wait_screen("pigeon's own converter")
        self.assertIn("Hello there & welcome.", s)
        self.assertIn("* first point", s)
        for never in ("<p>", "color: red", "alert("):
            self.assertNotIn(never, s)

    def test_html_only_through_the_mailcap_copiousoutput_entry(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.file_sent(HTML_ONLY)
        mailcap = os.path.join(self.tmp, "mailcap")
        with open(mailcap, "w") as f:
            # Not for the reader: it needs the terminal.
            f.write("text/html; false %s; needsterminal\n")
            f.write("text/html; sed -e 's/<[^>]*>//g' -e 's/^/RENDERED /' "
                    "%s; copiousoutput\n")
        self.start(cfg, env={"MAILCAPS": mailcap})
        self.wait_screen("Only HTML")
        self.keys("Enter")
        s = self.wait_screen("shown as text by sed (mailcap)")
        self.assertIn("RENDERED", s)
        self.assertIn("Hello there", s)

    def test_h_shows_every_header_field_in_the_reader(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.file_sent(HTML_ONLY.replace(
            "MIME-Version: 1.0\n", "MIME-Version: 1.0\nX-Mailer: nobody\n"))
        self.start(cfg)
        self.wait_screen("Only HTML")
        self.keys("Enter")
        s = self.wait_screen("Subject: Only HTML")
        self.assertNotIn("X-Mailer", s)
        self.keys("h")
        s = self.wait_screen("X-Mailer: nobody")
        self.keys("h")
        deadline = time.monotonic() + 10
        while "X-Mailer" in self.screen() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertNotIn("X-Mailer", self.screen())
