# SPDX-License-Identifier: ISC
"""test_trust_info.py - an untrusted server certificate: what a trust prompt shows (fingerprint as tls_fingerprint takes it, names, issuer, dates, which check failed), and the pin that then lets the session through."""

import re
import subprocess

from harness import EX_OK, PigeonTest

FP = r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}"


def openssl_fingerprint(cert):
    out = subprocess.run(["openssl", "x509", "-in", cert, "-noout",
                          "-fingerprint", "-sha256"], check=True,
                         capture_output=True, text=True).stdout
    # "sha256 Fingerprint=AB:CD:..." (the label's case varies by version)
    return out.strip().split("=", 1)[1]


class TrustInfo(PigeonTest):

    def probe(self, srv, **keys):
        url = "smtps://127.0.0.1:%d" % srv.port
        cfg = self.write_config(url, **keys)
        return self.run_pigeon(["probe", "--config", cfg, url])

    def shown(self, res, label):
        m = re.search(r"(?m)^ *%s: +(.*)$" % label, res.stdout)
        self.assertTrue(m, "no %s line%s" % (label, res))
        return m.group(1)

    def test_self_signed_then_pinned(self):
        cert, key = self.pki.self_signed()
        srv = self.start_smtpd(tls="implicit", cert=cert, key=key)
        res = self.probe(srv)
        self.assertNotEqual(res.rc, EX_OK, res)
        fp = self.shown(res, "SHA-256")
        self.assertRegex(fp, "^%s$" % FP)
        self.assertEqual(fp, openssl_fingerprint(cert))
        self.assertIn("self-signed", self.shown(res, "Certificate"))
        self.assertEqual(self.shown(res, "Chain"), "NOT trusted (self-signed)")
        self.assertEqual(self.shown(res, "Name"), "matches")
        self.assertEqual(self.shown(res, "Names"), "127.0.0.1, localhost")
        self.assertEqual(self.shown(res, "Subject"), "CN=127.0.0.1")
        self.assertEqual(self.shown(res, "Issuer"), "CN=127.0.0.1")
        self.assertRegex(self.shown(res, "Valid"),
                         r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT \.\. "
                         r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT$")
        self.assertIn("tls_fingerprint = %s\n" % fp, res.stdout)
        # Accepting it (once, or pinned in the account) is that pin.
        res = self.probe(srv, tls_fingerprint=fp)
        self.assertExit(res, EX_OK)
        self.assertIn("certificate matches the pinned fingerprint %s" % fp,
                      res.stdout)
        # Lower case without colons is the same pin to the config.
        res = self.probe(srv, tls_fingerprint=fp.replace(":", "").lower())
        self.assertExit(res, EX_OK)

    def test_name_mismatch_says_which_check_failed(self):
        cert, key = self.pki.wrong_name()
        srv = self.start_smtpd(tls="implicit", cert=cert, key=key)
        res = self.probe(srv)
        self.assertNotEqual(res.rc, EX_OK, res)
        self.assertEqual(self.shown(res, "Chain"), "trusted")
        self.assertEqual(self.shown(res, "Name"), "NOT for 127.0.0.1")
        # Every value of the certificate's lines starts in one column.
        cols = {len(re.search(r"(?m)^ *%s: +" % k, res.stdout).group(0))
                for k in ("Subject", "Names", "Issuer", "Chain", "Name",
                          "SHA-256")}
        self.assertEqual(len(cols), 1, res)
        self.assertEqual(self.shown(res, "Names"), "other.example")
        self.assertEqual(self.shown(res, "Issuer"),
                         "CN=pigeon test CA (throw-away)")
        self.assertIn("not for 127.0.0.1", self.shown(res, "Certificate"))
        fp = self.shown(res, "SHA-256")
        self.assertEqual(fp, openssl_fingerprint(cert))
        res = self.probe(srv, tls_fingerprint=fp)
        self.assertExit(res, EX_OK)

    def test_trusted_certificate_shows_no_prompt(self):
        srv = self.start_smtpd(tls="implicit")
        res = self.probe(srv)
        self.assertExit(res, EX_OK)
        self.assertNotIn("SHA-256:", res.stdout)
        self.assertNotIn("tls_fingerprint", res.stdout)


if __name__ == "__main__":
    import unittest
    unittest.main()
