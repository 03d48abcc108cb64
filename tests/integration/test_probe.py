# SPDX-License-Identifier: ISC
"""test_probe.py - pigeon probe against a real server: capabilities, TLS details, AUTH check."""

import unittest

from harness import EX_NOPERM, EX_OK, PigeonTest

SIZE = 35882577      # shown as 34.2 MiB


class Probe(PigeonTest):

    def probe(self, url, cfg, *args):
        # Options first: that works with every option parser.  The order
        # of the contract (URL first) has its own test below.
        return self.run_pigeon(["probe", "--config", cfg] + list(args) +
                               [url])

    def check_capabilities(self, res, starttls):
        out = res.stdout
        self.assertIn("smtpd.pigeon.test", out, "no greeting shown%s" % res)
        if starttls:
            self.assertIn("STARTTLS", out, "STARTTLS not shown%s" % res)
        self.assertRegex(out, r"(?m)^.*TLS.*$")
        self.assertRegex(out, r"TLSv1\.[23]|TLS ?1\.[23]",
                         "no TLS version shown%s" % res)
        auth = [l for l in out.splitlines() if "AUTH" in l and "PLAIN" in l]
        self.assertTrue(auth, "no AUTH line listing mechanisms%s" % res)
        for mech in ("PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"):
            self.assertIn(mech, auth[0], "%s missing from %r%s"
                          % (mech, auth[0], res))
        self.assertIn("8BITMIME", out)
        self.assertIn("SMTPUTF8", out)
        self.assertRegex(out, r"SIZE %d .*34\.2 MiB" % SIZE,
                         "SIZE not decoded%s" % res)

    def test_probe_starttls(self):
        srv = self.start_smtpd(size=SIZE)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.probe("smtp://127.0.0.1:%d" % srv.port, cfg)
        self.assertExit(res, EX_OK)
        self.check_capabilities(res, starttls=True)
        self.spool_empty(srv, res)

    def test_probe_implicit_tls(self):
        srv = self.start_smtpd(tls="implicit", size=SIZE)
        cfg = self.write_config("smtps://127.0.0.1:%d" % srv.port)
        res = self.probe("smtps://127.0.0.1:%d" % srv.port, cfg)
        self.assertExit(res, EX_OK)
        self.check_capabilities(res, starttls=False)

    def test_probe_auth_right_password(self):
        srv = self.start_smtpd(size=SIZE)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.probe("smtp://127.0.0.1:%d" % srv.port, cfg,
                         "--account", "test", "--auth")
        self.assertExit(res, EX_OK)
        self.spool_empty(srv, res)

    def test_probe_auth_wrong_password(self):
        srv = self.start_smtpd(size=SIZE)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                password_command="echo not-the-password")
        res = self.probe("smtp://127.0.0.1:%d" % srv.port, cfg,
                         "--account", "test", "--auth")
        self.assertExit(res, EX_NOPERM)
        self.assertIn("535", res.stdout + res.stderr)

    def test_probe_options_after_url(self):
        # The documented form: pigeon probe URL [--config FILE]
        # [--account NAME] [--auth] [-v].
        srv = self.start_smtpd(size=SIZE)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.run_pigeon(["probe", "smtp://127.0.0.1:%d" % srv.port,
                               "--config", cfg, "--account", "test",
                               "--auth", "-v"])
        self.assertExit(res, EX_OK)
        self.assertIn("STARTTLS", res.stdout + res.stderr)


if __name__ == "__main__":
    unittest.main()
