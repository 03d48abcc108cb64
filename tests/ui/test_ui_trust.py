# SPDX-License-Identifier: ISC
"""test_ui_trust.py - the trust screen of the interactive UI: a server certificate that is not trusted, shown whole, rejected, accepted once or pinned in the account (the account test and a send)."""

import re
import subprocess

from tmuxui import UiTest

FP = r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}"


def openssl_fingerprint(cert):
    out = subprocess.run(["openssl", "x509", "-in", cert, "-noout",
                          "-fingerprint", "-sha256"], check=True,
                         capture_output=True, text=True).stdout
    return out.strip().split("=", 1)[1]


class UiTrust(UiTest):

    def untrusted(self):
        """A server whose self-signed certificate the account does not
        trust; its config file and the certificate's fingerprint."""
        cert, key = self.pki.self_signed()
        self.srv = self.start_smtpd(tls="implicit", cert=cert, key=key)
        cfg = self.write_config("smtps://127.0.0.1:%d" % self.srv.port)
        with open(cfg) as f:
            self.before = f.read()
        return cfg, openssl_fingerprint(cert)

    def config(self):
        with open(self.cfg) as f:
            return f.read()

    def shown_fingerprint(self, s):
        """The fingerprint on the trust screen: two lines after SHA-256."""
        lines = s.split("\n")
        for i, line in enumerate(lines):
            if "SHA-256:" in line:
                fp = line.split("SHA-256:", 1)[1].strip() + \
                    lines[i + 1].strip()
                self.assertRegex(fp, "^%s$" % FP, s)
                return fp
        self.fail("no SHA-256 on the screen:\n" + s)

    def test_account_test_reject_once_always(self):
        self.cfg, fp = self.untrusted()
        self.start(self.cfg, rows=30)
        self.keys("A")
        self.wait_screen("Accounts (* default, > in use)")
        # The test meets the certificate: the trust screen shows it.
        self.keys("t")
        s = self.wait_screen("is not trusted")
        self.assertIn("The certificate of 127.0.0.1 is not trusted.", s)
        self.assertEqual(self.shown_fingerprint(s), fp)
        self.assertRegex(s, r"Names: +127\.0\.0\.1, localhost")
        self.assertRegex(s, r"Common name: +127\.0\.0\.1")
        self.assertRegex(s, r"Holder: +CN=127\.0\.0\.1")
        self.assertRegex(s, r"Chain: +NOT trusted \(self-signed\)")
        self.assertRegex(s, r"Name: +matches 127\.0\.0\.1")
        self.assertRegex(s, r"Valid: +\d{4}-\d\d-\d\d .* GMT \.\. \d{4}")
        for hint in ("r:reject", "o:accept once", "a:always"):
            self.assertIn(hint, s)
        # r: the test fails, nothing is written.
        self.keys("r")
        self.wait_screen("the certificate was rejected")
        self.wait_screen("Accounts (* default, > in use)")
        self.assertEqual(self.config(), self.before)
        # o: this test only works, nothing is written.
        self.keys("t")
        self.wait_screen("is not trusted")
        self.keys("o")
        self.wait_screen("test works")
        self.assertEqual(self.config(), self.before)
        # The next test asks again.
        self.keys("t")
        self.wait_screen("is not trusted")
        # a: pinned in the account (comments kept), and the test works.
        self.keys("a")
        self.wait_screen("test works")
        text = self.config()
        self.assertIn("tls_fingerprint = %s\n" % fp, text)
        self.assertIn("# pigeon integration test config", text)
        self.assertEqual(text.replace("tls_fingerprint = %s\n" % fp, ""),
                         self.before)
        # A send from the UI goes through without asking.
        self.keys("q")
        self.wait_screen("m:compose")
        self.compose("bob@example.org", "Pinned")
        self.keys("y")
        self.wait_status("sent ")
        self.assertNotIn("is not trusted", self.screen())
        self.assertEqual(len(self.srv.messages()), 1)

    def test_send_to_an_untrusted_server_asks_then_sends_once(self):
        self.cfg, fp = self.untrusted()
        self.start(self.cfg, rows=30)
        self.compose("bob@example.org", "Not trusted yet")
        self.keys("y")
        s = self.wait_screen("is not trusted")
        self.assertEqual(self.shown_fingerprint(s), fp)
        # Nothing went; the message is kept (failed/, as for "pigeon send").
        self.assertEqual(self.srv.messages(), [])
        kept = self.folder("failed")
        self.assertEqual(len(kept), 1)
        self.assertIn(b"Subject: Not trusted yet", list(kept.values())[0])
        # o: sent now, over a connection that trusts this certificate.
        self.keys("o")
        self.wait_status("sent ")
        msgs = self.srv.messages()
        self.assertEqual(len(msgs), 1)
        self.assertIn(b"Subject: Not trusted yet", msgs[0][1])
        self.assertEqual(self.folder("failed"), {})
        self.assertEqual(len(self.folder("sent")), 1)
        self.assertEqual(self.config(), self.before)
        # Once only: the next send asks again; r leaves it in failed/.
        self.compose("bob@example.org", "Second")
        self.keys("y")
        self.wait_screen("is not trusted")
        self.keys("r")
        self.wait_screen("certificate rejected")
        self.assertEqual(len(self.srv.messages()), 1)
        self.assertEqual(len(self.folder("failed")), 1)
        self.assertEqual(self.config(), self.before)

    def test_send_then_always_pins_and_sends(self):
        self.cfg, fp = self.untrusted()
        self.start(self.cfg, rows=30)
        self.compose("bob@example.org", "Pin it")
        self.keys("y")
        self.wait_screen("is not trusted")
        self.keys("a")
        self.wait_status("sent ")
        self.assertIn("tls_fingerprint = %s\n" % fp, self.config())
        # The account in use has the pin now: no more questions.
        self.compose("bob@example.org", "Pinned already")
        self.keys("y")
        self.wait_status("sent ")
        self.assertNotIn("is not trusted", self.screen())
        self.assertEqual(len(self.srv.messages()), 2)


if __name__ == "__main__":
    import unittest
    unittest.main()
