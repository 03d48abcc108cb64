# SPDX-License-Identifier: ISC
"""test_tls_knobs.py - the TLS settings of an account and a command (versions, ciphers, the legacy switch) and opportunistic STARTTLS (smtp+opportunistic://) against a real aiosmtpd."""

import unittest

from harness import (EX_CONFIG, EX_OK, EX_USAGE, PigeonTest, message)

MSG = message(["From: Tester <tester@example.org>", "To: bob@example.org",
               "Subject: knobs"], ["hello"])


class ConfigErrors(PigeonTest):
    """Wrong TLS settings are config errors that name the key (exit 78)."""

    def probe(self, *args, **keys):
        cfg = self.write_config("smtps://127.0.0.1:9", **keys)
        return self.run_pigeon(["probe", "--config", cfg] + list(args))

    def assertConfigError(self, res, *words):
        self.assertExit(res, EX_CONFIG)
        for w in words:
            self.assertIn(w, res.stderr)
        self.assertNotIn("connecting", res.stdout)

    def test_legacy_version_needs_the_switch(self):
        self.assertConfigError(self.probe(tls_min_version="1.0"),
                               "tls_min_version", "tls_allow_legacy")

    def test_legacy_switch_after_the_version_is_fine(self):
        res = self.probe(tls_min_version="1.0", tls_allow_legacy="yes")
        self.assertNotEqual(res.rc, EX_CONFIG, str(res))
        self.assertIn("connecting", res.stdout)

    def test_legacy_max_version_needs_the_switch(self):
        self.assertConfigError(self.probe(tls_max_version="1.1"),
                               "tls_max_version", "tls_allow_legacy")

    def test_unknown_version(self):
        self.assertConfigError(self.probe(tls_min_version="1.4"),
                               "tls_min_version", "'1.4'")

    def test_max_below_min(self):
        self.assertConfigError(self.probe(tls_min_version="1.3",
                                          tls_max_version="1.2"),
                               "tls_max_version", "tls_min_version")

    def test_bad_cipher_list(self):
        self.assertConfigError(self.probe(tls_ciphers="NO-SUCH-CIPHER"),
                               "tls_ciphers", "NO-SUCH-CIPHER")

    def test_bad_ciphersuites(self):
        self.assertConfigError(self.probe(tls_ciphersuites="TLS_NOPE"),
                               "tls_ciphersuites", "TLS_NOPE")

    def test_legacy_from_the_command_line(self):
        self.assertConfigError(self.probe("--tls-min-version", "1.1"),
                               "--tls-allow-legacy")

    def test_command_line_switch_allows_legacy(self):
        res = self.probe("--tls-min-version", "1.0", "--tls-allow-legacy")
        self.assertNotEqual(res.rc, EX_CONFIG, str(res))
        self.assertIn("connecting", res.stdout)

    def test_bad_version_on_the_command_line(self):
        res = self.probe("--tls-max-version", "2")
        self.assertExit(res, EX_USAGE)
        self.assertIn("'2'", res.stderr)


class Opportunistic(PigeonTest):
    """smtp+opportunistic://: STARTTLS when it works, loudly plain when not."""

    def send(self, srv, *args, **keys):
        cfg = self.write_config("smtp+opportunistic://127.0.0.1:%d"
                                % srv.port, **keys)
        return self.sendmail(cfg, MSG, "--no-queue", *args,
                             "bob@example.org")

    def test_no_starttls_offered_delivers_in_plain_text_loudly(self):
        srv = self.start_smtpd(tls="none")
        res = self.send(srv, user=None, password_command=None)
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(srv, res)
        self.assertEqual(meta["tls"], "no")
        # Said on stderr without -v.
        self.assertRegex(res.stderr, r"(?m)^pigeon: warning: the server "
                         r"does not offer STARTTLS: continuing WITHOUT TLS")

    def test_no_auth_in_plain_text_after_the_fallback(self):
        # SCRAM and CRAM-MD5 keep the password off the wire; PLAIN does not.
        srv = self.start_smtpd(tls="none")
        res = self.send(srv, auth="PLAIN")
        self.assertNotEqual(res.rc, EX_OK, str(res))
        self.assertIn("WITHOUT TLS", res.stderr)
        self.assertIn("refusing AUTH PLAIN without TLS", res.stderr)
        self.spool_empty(srv, res)

    def test_starttls_offered_is_used(self):
        srv = self.start_smtpd(tls="starttls")
        res = self.send(srv, "-v")
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(srv, res)
        self.assertEqual(meta["tls"], "yes")
        self.assertNotIn("WITHOUT TLS", res.stderr)

    def test_failed_handshake_connects_again_in_plain_text(self):
        # Python's ssl refuses TLS 1.1: the handshake fails, and pigeon
        # tries again without TLS (this server then wants STARTTLS).
        srv = self.start_smtpd(tls="starttls")
        res = self.send(srv, "--tls-allow-legacy", "--tls-min-version",
                        "1.0", "--tls-max-version", "1.1", user=None,
                        password_command=None)
        self.assertIn("connecting again to continue WITHOUT TLS",
                      res.stderr)
        self.assertRegex(res.stderr, r"(?m)^pigeon: warning: the TLS "
                         r"handshake failed")
        self.spool_empty(srv, res)


if __name__ == "__main__":
    unittest.main()
