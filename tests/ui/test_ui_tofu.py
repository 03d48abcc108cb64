# SPDX-License-Identifier: ISC
"""test_ui_tofu.py - the trust screen with tls_trust = tofu: a changed certificate shown side by side with the one trusted on first use, and "a" records the new one in the trust store instead of pinning it in the account."""

import os

from harness import free_port
from tmuxui import UiTest

MSG = (b"From: Tester <tester@example.org>\nTo: bob@example.org\n"
       b"Subject: first\n\nhello\n")


class UiTofu(UiTest):

    def fingerprints(self):
        path = os.path.join(self.env["XDG_STATE_HOME"], "pigeon", "trust")
        with open(path, encoding="utf-8") as f:
            return [line.split("\t")[1] for line in f
                    if not line.startswith("#")]

    def test_changed_certificate_diff_and_accept(self):
        srv = self.start_smtpd(tls="implicit", port=free_port())
        port = srv.port
        cfg = self.write_config("smtps://127.0.0.1:%d" % port,
                                tls_trust="tofu")
        with open(cfg) as f:
            before = f.read()
        res = self.run_pigeon(["sendmail", "--config", cfg,
                               "bob@example.org"], input=MSG)
        self.assertEqual(res.rc, 0, res)
        old = self.fingerprints()
        srv.stop()
        cert, key = self.pki.server_cn("changed.example")
        self.start_smtpd(tls="implicit", cert=cert, key=key, port=port)
        self.start(cfg, rows=30)
        self.keys("A")
        self.wait_screen("Accounts (* default, > in use)")
        self.keys("t")
        s = self.wait_screen("trusted on first use; lines marked")
        self.assertRegex(s, r"\* subject +CN=127\.0\.0\.1 +\| "
                         r"CN=changed\.example")
        self.assertRegex(s, r"\n +issuer +CN=pigeon test CA")
        self.assertRegex(s, r"\* SHA-256 ")
        self.assertIn("a trusts it from now on for 127.0.0.1:%d" % port, s)
        self.keys("a")
        self.wait_screen("test works")
        new = self.fingerprints()
        self.assertEqual(len(new), 1)
        self.assertNotEqual(new, old)
        # Recorded in the store, not pinned in the account.
        with open(cfg) as f:
            self.assertEqual(f.read(), before)
