# SPDX-License-Identifier: ISC
"""test_ui_pgp.py - the composer's security state in tmux: the Security line, the S key that cycles it, a signed message sent and verified with gpg, and the question when a recipient has no key."""

import os
import shutil
import subprocess
import tempfile
import unittest

from harness import FROM_ADDR, build_features
from test_pgp import GPG, fingerprint, gpg, new_home, parse, wire
from tmuxui import UiTest


def security_line(test, screen):
    """What the composer's Security: line says."""
    for line in screen.splitlines():
        if line.strip().startswith("Security:"):
            return line.split(":", 1)[1].strip()
    test.fail("no Security line:\n" + screen)


@unittest.skipUnless(GPG, "gpg is not installed")
@unittest.skipUnless("pgp" in build_features(),
                     "pigeon was built without GPGME")
class UiPgp(UiTest):

    @classmethod
    def setUpClass(cls):
        cls.keys_dir = tempfile.mkdtemp(prefix="pgpui-")
        cls.me = new_home(cls.keys_dir, "me", FROM_ADDR)

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["gpgconf", "--kill", "all"], timeout=30,
                       env=dict(os.environ, GNUPGHOME=cls.me),
                       capture_output=True)
        shutil.rmtree(cls.keys_dir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.env["GNUPGHOME"] = self.me

    def security(self, screen):
        return security_line(self, screen)

    def test_s_cycles_the_security_state(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.start(cfg)
        s = self.compose("bob@example.org", "plans")
        self.assertEqual(self.security(s), "none")
        # PGP first (the account has no smime_cert), then S/MIME.
        for want in ("sign (PGP)", "encrypt (PGP)", "sign, encrypt (PGP)",
                     "sign (S/MIME)", "encrypt (S/MIME)",
                     "sign, encrypt (S/MIME)", "none"):
            self.keys("S")
            self.wait_status("security: " + want)
            self.assertEqual(self.security(self.screen()), want)

    def test_account_default_shown(self):
        cfg = self.write_config("smtp://127.0.0.1:1", pgp_sign="yes",
                                pgp_encrypt="yes")
        self.start(cfg)
        s = self.compose("bob@example.org", "plans")
        self.assertEqual(self.security(s), "sign, encrypt (PGP)")

    def test_signed_send_verifies(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg)
        self.compose("bob@example.org", "signed from the UI")
        self.keys("S")
        self.wait_status("security: sign (PGP)")
        self.keys("e")
        self.wait_screen("Hello from the UI.")
        self.keys("y")
        self.wait_status("sent ")
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1)
        raw = wire(msgs[0][1])
        m = parse(msgs[0][1])
        self.assertEqual(m.get_content_type(), "multipart/signed")
        signed, sig = m.get_payload()
        delim = b"\r\n--" + m.get_boundary().encode()
        part = raw.split(b"\r\n\r\n", 1)[1].split(delim + b"\r\n", 1)[1] \
            .split(delim, 1)[0]
        self.assertIn(b"Hello from the UI.", part)
        with open(os.path.join(self.tmp, "sig"), "wb") as f:
            f.write(sig.get_payload(decode=True))
        with open(os.path.join(self.tmp, "part"), "wb") as f:
            f.write(part)
        r = gpg(self.me, "--status-fd", "1", "--verify",
                os.path.join(self.tmp, "sig"), os.path.join(self.tmp, "part"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(fingerprint(self.me, FROM_ADDR).encode(), r.stdout)

    def test_no_key_asks_before_sending_unencrypted(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg)
        self.compose("erin@example.org", "for erin")
        self.keys("S", "S")
        self.wait_status("security: encrypt (PGP)")
        self.keys("y")
        self.wait_status("No usable key for erin@example.org. Send "
                         "unencrypted? (y/n)")
        self.keys("n")
        self.wait_status("not sent: the message stays here")
        self.assertEqual(srv.messages(), [])
        self.assertIn("for erin", self.screen())
        self.keys("y")
        self.wait_status("No usable key for erin@example.org.")
        self.keys("y")
        self.wait_status("sent ")
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(parse(msgs[0][1]).get_content_type(), "text/plain")


if __name__ == "__main__":
    unittest.main()
