# SPDX-License-Identifier: ISC
"""test_forward_attach_ui.py - an inline forward from the reader, in tmux: the original's attachments are in the composer's list, one is detached there, the rest reach a real server byte for byte."""

import base64
import email
import email.policy
import os
import time

from tmuxui import UiTest

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8 + b"%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 4

ORIGINAL = (
    "From: Ann Example <ann@example.org>\n"
    "To: Tester <tester@example.org>\n"
    "Date: Fri, 4 Dec 2026 09:30:00 +0100\n"
    "Subject: quarterly report\n"
    "Message-ID: <fq@example.org>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=B\n"
    "\n"
    "--B\n"
    "Content-Type: text/plain\n"
    "\n"
    "The figures, as promised.\n"
    "--B\n"
    "Content-Type: application/pdf\n"
    "Content-Disposition: attachment; filename=figures.pdf\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + base64.encodebytes(PDF).decode("ascii") +
    "--B\n"
    "Content-Type: image/png\n"
    "Content-Disposition: attachment; filename=chart.png\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + base64.encodebytes(PNG).decode("ascii") +
    "--B--\n")


class UiForwardAttach(UiTest):

    def file_sent(self, text):
        cur = os.path.join(self.data, "sent", "cur")
        os.makedirs(cur, exist_ok=True)
        name = "%d.M1P%dR0123456789abcdef.test:2,S" % (time.time(),
                                                      os.getpid())
        with open(os.path.join(cur, name), "w") as f:
            f.write(text)
        for d in ("new", "tmp"):
            os.makedirs(os.path.join(self.data, "sent", d), exist_ok=True)

    def test_inline_forward_lists_and_sends_the_attachments(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.file_sent(ORIGINAL)
        self.start(cfg, rows=40)
        self.wait_screen("quarterly report")
        self.keys("Enter")
        self.wait_screen("f:forward")
        self.keys("f")
        s = self.wait_screen("Fwd: quarterly report")
        self.assertIn("---------- Forwarded message ----------", s)
        # Both in the composer's list, with their types.
        self.assertIn("figures.pdf", s)
        self.assertIn("(application/pdf, attachment)", s)
        self.assertIn("chart.png", s)
        self.assertIn("(image/png, attachment)", s)
        # The marked one (the first) is detached there.
        self.keys("D")
        deadline = time.time() + 10
        while "figures.pdf" in self.screen() and time.time() < deadline:
            time.sleep(0.1)
        s = self.screen()
        self.assertNotIn("figures.pdf", s)
        self.assertIn("chart.png", s)
        self.keys("t")
        self.wait_screen("To: ")
        self.type("fred@example.net")
        self.keys("Enter")
        self.wait_screen("fred@example.net")
        self.keys("y")
        self.wait_status("sent ")
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1)
        meta, raw = msgs[0]
        self.assertEqual(meta["rcpt_tos"], ["fred@example.net"])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg["Subject"], "Fwd: quarterly report")
        parts = list(msg.iter_attachments())
        self.assertEqual([(p.get_filename(), p.get_content_type())
                          for p in parts], [("chart.png", "image/png")])
        self.assertEqual(parts[0].get_payload(decode=True), PNG)
        self.assertIn("The figures, as promised.",
                      msg.get_body(("plain",)).get_content())
