# SPDX-License-Identifier: ISC
"""test_tls.py - TLS and STARTTLS safety: certificate checks, no AUTH in clear, STARTTLS failures and tricks."""

import re
import unittest

from harness import (ALONE, EX_NOPERM, EX_OK, EX_PROTOCOL, EX_TEMPFAIL,
                     EX_UNAVAILABLE, GREETING, PASSWORD, USER, PigeonTest,
                     b64, data_steps, ehlo, envelope_steps, message,
                     starttls_steps, transcript)

MSG = message(["From: Tester <tester@example.org>", "To: bob@example.org",
               "Subject: tls test"], ["hello"])


def commands_after_starttls_in_clear(srv):
    """Command lines the client sent in clear text after its STARTTLS."""
    seen, after = False, []
    for tls, line in srv.lines:
        if tls:
            continue
        if seen:
            after.append(line)
        elif line.strip().upper() == b"STARTTLS":
            seen = True
    return after


class Certificates(PigeonTest):

    def test_untrusted_self_signed_certificate(self):
        cert, key = self.pki.self_signed()
        srv = self.start_smtpd(cert=cert, key=key)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        # Trying again would not help: failed/ until the user acts,
        # with what to do about it.
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertRegex(res.stderr, r"(?i)certificate")
        self.assertRegex(res.stderr, r"(?m)^pigeon: ")
        self.assertIn("tls_cafile", res.stderr)
        self.assertIn("pigeon queue retry", res.stderr)
        self.spool_empty(srv, res)
        self.assertEqual(len(self.folder("failed")), 1)
        self.assertEqual(self.outbox(), [])

    def test_untrusted_certificate_with_verification_off(self):
        cert, key = self.pki.self_signed()
        srv = self.start_smtpd(cert=cert, key=key)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                tls_verify="no")
        res = self.sendmail(cfg, MSG, "-v", "bob@example.org")
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(srv, res)
        self.assertEqual(meta["tls"], "yes")
        warnings = [t for m, t in transcript(res.stderr) if m == "!!"]
        self.assertTrue(warnings, "no !! warning line in the transcript%s"
                        % res)

    def test_implicit_tls_untrusted_certificate(self):
        cert, key = self.pki.self_signed()
        srv = self.start_smtpd(tls="implicit", cert=cert, key=key)
        cfg = self.write_config("smtps://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertRegex(res.stderr, r"(?i)certificate")
        self.spool_empty(srv, res)

    def test_wrong_host_name(self):
        cert, key = self.pki.wrong_name()
        srv = self.start_smtpd(cert=cert, key=key)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        errors = "\n".join(l for l in res.stderr.splitlines()
                           if l.startswith("pigeon: "))
        self.assertRegex(errors, r"other\.example|127\.0\.0\.1",
                         "the error does not name the host or the "
                         "certificate's name%s" % res)
        self.spool_empty(srv, res)


class NoAuthInClear(PigeonTest):

    def test_auth_refused_without_tls(self):
        srv = self.start_script(
            [GREETING] + ehlo("AUTH PLAIN LOGIN", "8BITMIME"))
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_NOPERM)
        self.script_done(srv, res)
        self.assertFalse(srv.sent("AUTH"), "AUTH sent in clear text\n%s%s"
                         % (srv.describe(), res))
        self.assertFalse(srv.sent("MAIL"), srv.describe())
        for form in (PASSWORD, b64(PASSWORD).rstrip("=")):
            self.assertNotIn(form.encode(), srv.received())


class Starttls(PigeonTest):

    def test_server_without_starttls(self):
        srv = self.start_script(
            [GREETING] + ehlo("AUTH PLAIN LOGIN", "SIZE 1000000"))
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.script_done(srv, res)
        self.assertTrue(srv.sent("QUIT"), "no QUIT\n%s%s"
                        % (srv.describe(), res))
        for verb in ("AUTH", "MAIL", "RCPT", "DATA"):
            self.assertFalse(srv.sent(verb), "%s sent\n%s" % (
                verb, srv.describe()))
        self.assertIn("STARTTLS", res.stderr.upper())

    def test_starttls_refused_with_454(self):
        srv = self.start_script(
            [GREETING] + ehlo("STARTTLS", "AUTH PLAIN") +
            [("expect", rb"^STARTTLS$", ALONE),
             ("send", b"454 4.7.0 TLS not available due to local problem\r\n")])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "--no-queue", "bob@example.org")
        self.assertExit(res, EX_TEMPFAIL)
        self.script_done(srv, res)
        self.assertTrue(srv.sent("QUIT"), "no QUIT\n%s" % srv.describe())
        for verb in ("AUTH", "MAIL", "RCPT"):
            self.assertFalse(srv.sent(verb), srv.describe())
        self.assertIn("454", res.stderr)

    def test_bytes_injected_after_starttls_220(self):
        srv = self.start_script(
            [GREETING] + ehlo("STARTTLS", "AUTH PLAIN") +
            [("expect", rb"^STARTTLS$", ALONE),
             ("starttls_inject", b"250 injected\r\n")])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "--no-queue", "bob@example.org")
        self.assertExit(res, EX_PROTOCOL)
        self.script_done(srv, res)
        self.assertEqual(commands_after_starttls_in_clear(srv), [],
                         "commands sent in clear text after STARTTLS\n%s"
                         % srv.describe())
        for verb in ("AUTH", "MAIL", "RCPT"):
            self.assertFalse(srv.sent(verb), srv.describe())

    def test_capabilities_are_forgotten_after_starttls(self):
        # Before TLS: AUTH PLAIN and SIZE 100.  After: AUTH LOGIN only and
        # SIZE 100000.  The client must ask again (EHLO), log in with LOGIN
        # and send the ~500-byte message.
        body = ["Line %02d of a message of about five hundred bytes." % i
                for i in range(8)]
        msg = message(["From: Tester <tester@example.org>",
                       "To: bob@example.org",
                       "Subject: capabilities after STARTTLS"], body)
        srv = self.start_script(
            [GREETING] + ehlo("STARTTLS", "AUTH PLAIN", "SIZE 100") +
            starttls_steps("AUTH LOGIN", "SIZE 100000") +
            [("expect", rb"^AUTH LOGIN$", ALONE),
             ("send", b"334 VXNlcm5hbWU6\r\n"),
             ("expect", rb"^%s$" % re.escape(b64(USER).encode()), ALONE),
             ("send", b"334 UGFzc3dvcmQ6\r\n"),
             ("expect", rb"^%s$" % re.escape(b64(PASSWORD).encode()), ALONE),
             ("send", b"235 2.7.0 Authentication successful\r\n")] +
            envelope_steps(["bob@example.org"]) + data_steps())
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, msg, "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertScriptOk(srv, res)
        ehlos = [(tls, l) for tls, l in srv.lines if l.upper().startswith(b"EHLO")]
        self.assertEqual([tls for tls, _ in ehlos], [False, True])
        self.assertEqual(commands_after_starttls_in_clear(srv), [])
        self.assertGreater(len(msg), 400)
        mail = [l for l in srv.commands() if l.upper().startswith("MAIL")]
        m = re.search(r"(?i)\bSIZE=(\d+)", mail[0])
        if m:
            self.assertLessEqual(int(m.group(1)), 100000)


if __name__ == "__main__":
    unittest.main()
