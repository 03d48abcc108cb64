# SPDX-License-Identifier: ISC
"""test_ui_smime.py - S/MIME from the composer in tmux: an account with a certificate cycles S/MIME first with S, shows its default, and a signed and encrypted message sent from the UI decrypts and verifies with openssl cms."""

import email
import email.policy
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import FROM_ADDR
from test_smime import Certs, wire, x509
from test_ui_pgp import security_line
from tmuxui import UiTest


@unittest.skipUnless(x509 is not None, "python3-cryptography is missing")
class UiSmime(UiTest):

    @classmethod
    def setUpClass(cls):
        cls.keys_dir = tempfile.mkdtemp(prefix="smimeui-")
        cls.certs = Certs(cls.keys_dir)
        cls.me = cls.certs.issue(FROM_ADDR)
        cls.bob = cls.certs.issue("bob@example.org")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.keys_dir, ignore_errors=True)

    def config(self, server, **keys):
        return self.write_config(server, smime_cert=self.me[0],
                                 smime_key=self.me[1], **keys)

    def security(self, screen):
        return security_line(self, screen)

    def test_s_cycles_smime_first(self):
        self.start(self.config("smtp://127.0.0.1:1"))
        s = self.compose("bob@example.org", "plans")
        self.assertEqual(self.security(s), "none")
        for want in ("sign (S/MIME)", "encrypt (S/MIME)",
                     "sign, encrypt (S/MIME)"):
            self.keys("S")
            self.wait_status("security: " + want)
            self.assertEqual(self.security(self.screen()), want)

    def test_account_default_shown(self):
        self.start(self.config("smtp://127.0.0.1:1", smime_sign="yes"))
        s = self.compose("bob@example.org", "plans")
        self.assertEqual(self.security(s), "sign (S/MIME)")

    def test_postponed_draft_keeps_it(self):
        """Chosen with S, postponed, resumed: still S/MIME signed, though
        the account's default is none."""
        self.start(self.config("smtp://127.0.0.1:1"))
        self.compose("bob@example.org", "for later")
        self.keys("S")
        self.wait_status("security: sign (S/MIME)")
        self.keys("P")
        self.wait_screen("saved as draft")
        self.keys("R")
        s = self.wait_screen("resumed")
        self.assertEqual(self.security(s), "sign (S/MIME)")

    def test_no_certificate_asks_before_sending_unencrypted(self):
        srv = self.start_smtpd()
        self.start(self.config("smtp://127.0.0.1:%d" % srv.port))
        self.compose("erin@example.org", "for erin")
        self.keys("S", "S")
        self.wait_status("security: encrypt (S/MIME)")
        self.keys("y")
        self.wait_status("No usable S/MIME certificate for "
                         "erin@example.org. Send unencrypted? (y/n)")
        self.keys("n")
        self.wait_status("not sent: the message stays here")
        self.assertEqual(srv.messages(), [])

    def test_signed_and_encrypted_send(self):
        certdir = os.path.join(self.env["XDG_DATA_HOME"], "pigeon", "smime")
        os.makedirs(certdir, mode=0o700)
        shutil.copy(self.bob[0], certdir)
        srv = self.start_smtpd()
        self.start(self.config("smtp://127.0.0.1:%d" % srv.port))
        self.compose("bob@example.org", "sealed from the UI")
        self.keys("S", "S", "S")
        self.wait_status("security: sign, encrypt (S/MIME)")
        self.keys("e")
        self.wait_screen("Hello from the UI.")
        self.keys("y")
        self.wait_status("sent ")
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1)
        eml = wire(msgs[0][1])
        self.assertNotIn(b"Hello from the UI.", eml)
        path = os.path.join(self.tmp, "in.eml")
        with open(path, "wb") as f:
            f.write(eml)
        r = subprocess.run(["openssl", "cms", "-decrypt", "-recip",
                            self.bob[0], "-inkey", self.bob[1], "-in", path],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        inner = os.path.join(self.tmp, "inner.eml")
        with open(inner, "wb") as f:
            f.write(r.stdout)
        r = subprocess.run(["openssl", "cms", "-verify", "-CAfile",
                            self.certs.ca_file, "-in", inner],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = email.message_from_bytes(r.stdout, policy=email.policy.default)
        self.assertIn("Hello from the UI.", m.get_content())


if __name__ == "__main__":
    unittest.main()
