# SPDX-License-Identifier: ISC
"""test_detect.py - pigeon probe --detect: the port and security of a new account's server, found by trying 465, 587, 25 in turn."""

import re

from harness import EX_OK, EX_UNAVAILABLE, PigeonTest
from harness import free_port as closed_port


class Detect(PigeonTest):

    def detect(self, candidates, *args, timeout_ms=None):
        """pigeon probe --detect 127.0.0.1 with the candidates
        [(port, "implicit"|"starttls")] in place of 465, 587, 25."""
        self.need_test_hooks()
        self.env["PIGEON_TEST_DETECT"] = ",".join(
            "%d/%s" % c for c in candidates)
        if timeout_ms is not None:
            self.env["PIGEON_TEST_DETECT_TIMEOUT_MS"] = str(timeout_ms)
        cfg = self.write_config("smtp://127.0.0.1:1")
        return self.run_pigeon(["probe", "--config", cfg] + list(args) +
                               ["--detect", "127.0.0.1"])

    def test_refused_implicit_then_starttls_works(self):
        down = closed_port()
        srv = self.start_smtpd(tls="starttls")
        res = self.detect([(down, "implicit"), (srv.port, "starttls")])
        self.assertExit(res, EX_OK)
        self.assertRegex(res.stdout, r"(?m)^%d \(implicit TLS\): .*"
                         r"[Cc]onnection refused" % down)
        works = re.search(r"(?m)^%d \(STARTTLS\): works; AUTH (.*)$"
                          % srv.port, res.stdout)
        self.assertTrue(works, res)
        self.assertIn("PLAIN", works.group(1).split())
        self.assertIn("LOGIN", works.group(1).split())
        self.assertIn("server = smtp://127.0.0.1:%d\n" % srv.port,
                      res.stdout)
        # Found is not logged in: the server saw no AUTH, and a QUIT.
        self.assertEqual(srv.messages(), [])

    def test_implicit_first_and_the_rest_untried(self):
        tls = self.start_smtpd(tls="implicit")
        other = self.start_smtpd(tls="starttls")
        res = self.detect([(tls.port, "implicit"), (other.port, "starttls")])
        self.assertExit(res, EX_OK)
        self.assertRegex(res.stdout, r"(?m)^%d \(implicit TLS\): works; "
                         r"AUTH " % tls.port)
        self.assertNotIn(str(other.port), res.stdout)
        self.assertIn("server = smtps://127.0.0.1:%d\n" % tls.port,
                      res.stdout)

    def test_untrusted_certificate_is_shown_and_the_next_tried(self):
        cert, key = self.pki.self_signed()
        bad = self.start_smtpd(tls="implicit", cert=cert, key=key)
        good = self.start_smtpd(tls="starttls")
        res = self.detect([(bad.port, "implicit"), (good.port, "starttls")])
        self.assertExit(res, EX_OK)
        self.assertRegex(res.stdout, r"(?m)^%d \(implicit TLS\): .*"
                         r"self-signed" % bad.port)
        self.assertRegex(res.stdout, r"tls_fingerprint = ([0-9A-F]{2}:){31}"
                         r"[0-9A-F]{2}")
        self.assertIn("server = smtp://127.0.0.1:%d\n" % good.port,
                      res.stdout)

    def test_wrong_security_on_a_port(self):
        """STARTTLS expected on an implicit TLS port and the other way
        round: both are said, and nothing is found."""
        tls = self.start_smtpd(tls="implicit")
        plain = self.start_smtpd(tls="starttls")
        res = self.detect([(tls.port, "starttls"), (plain.port, "implicit")],
                          timeout_ms=1500)
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertRegex(res.stdout, r"(?m)^%d \(STARTTLS\): " % tls.port)
        self.assertRegex(res.stdout, r"(?m)^%d \(implicit TLS\): .*TLS"
                         % plain.port)
        self.assertIn("No way to send mail to 127.0.0.1 was found", res.stdout)
        self.assertNotIn("server = ", res.stdout)

    def test_nothing_listens(self):
        res = self.detect([(closed_port(), "implicit"),
                           (closed_port(), "starttls")])
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertEqual(len(re.findall(r"(?m)^\d+ \(.*\): .*refused",
                                        res.stdout)), 2, res)

    def test_transcript_shows_every_try(self):
        down = closed_port()
        srv = self.start_smtpd(tls="starttls")
        res = self.detect([(down, "implicit"), (srv.port, "starttls")], "-v")
        self.assertExit(res, EX_OK)
        err = res.stderr
        self.assertIn("port %d" % down, err)
        self.assertIn("-> EHLO", err)
        self.assertIn("-> STARTTLS", err)
        self.assertIn("~> EHLO", err)
        self.assertIn("~> QUIT", err)
        # Finding the way in is not logging in.
        self.assertNotRegex(err, r"[-~]> AUTH")

    def test_detect_takes_no_url(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        res = self.run_pigeon(["probe", "--config", cfg, "--detect",
                               "127.0.0.1", "smtp://127.0.0.1"])
        self.assertExit(res, 64)


if __name__ == "__main__":
    import unittest
    unittest.main()
