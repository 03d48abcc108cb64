# SPDX-License-Identifier: ISC
"""test_verdicts.py - what pigeon says about a server and a delivery: text from the server shown escaped, certificate names escaped once, verdicts that say what happened, queue commands that say what they did."""

import re
import subprocess
import time
import unittest

from harness import (ALONE, EX_DATAERR, EX_NOINPUT, EX_NOPERM, EX_OK, EX_UNAVAILABLE, FROM_ADDR,
                     GREETING, PigeonTest, data_steps, ehlo, message,
                     quit_steps, reply, starttls_steps, transcript)

MSG = message(["From: Tester <tester@example.org>", "To: bob@example.org",
               "Subject: verdicts"], ["hello"])

ZWSP, ZWNJ, ZWJ = "\u200b", "\u200c", "\u200d"


class ServerText(PigeonTest):
    """Zero width characters from a server are labels: all three escaped."""

    def test_probe_escapes_zero_width_characters(self):
        greeting = ("220 mail%s.example ESMTP%s%s ready\r\n"
                    % (ZWSP, ZWNJ, ZWJ)).encode()
        caps = ("X-A%sB" % ZWSP, "X-C%sD" % ZWNJ, "X-E%sF" % ZWJ)
        srv = self.start_script(
            [("send", greeting)] + ehlo("STARTTLS", *caps) +
            starttls_steps("AUTH PLAIN", *caps))
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.run_pigeon(["probe", "--config", cfg, "-v"])
        self.assertExit(res, EX_OK)
        for out in (res.stdout, res.stderr):
            for c in (ZWSP, ZWNJ, ZWJ):
                self.assertNotIn(c, out, "U+%04X shown raw%s" % (ord(c),
                                                                  res))
        self.assertIn("mail\\u{200B}.example ESMTP\\u{200C}\\u{200D} ready",
                      res.stdout)
        for cap in ("X-A\\u{200B}B", "X-C\\u{200C}D", "X-E\\u{200D}F"):
            self.assertIn(cap, res.stdout, "capability %s%s" % (cap, res))
        # The transcript (-v) escapes them the same way (a reply's last
        # line ends with its latency, the greeting's too).
        got = [re.sub(r"  \(\d+\.\d ms\)$", "", t)
               for m, t in transcript(res.stderr) if m in ("<-", "<~")]
        self.assertIn("220 mail\\u{200B}.example ESMTP\\u{200C}\\u{200D} "
                      "ready", got, res)


class CertificateNames(PigeonTest):
    """A certificate's names are escaped once, where they are shown."""

    CN = "back\\slash\x01ctl"
    SHOWN = "CN=back\\\\slash\\x01ctl"

    def test_probe_shows_a_certificate_name_escaped_once(self):
        cert, key = self.pki.server_cn(self.CN)
        srv = self.start_smtpd(cert=cert, key=key)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.run_pigeon(["probe", "--config", cfg, "-v"])
        self.assertExit(res, EX_OK)
        lines = [l for l in res.stdout.splitlines()
                 if "certificate 0: subject" in l]
        self.assertEqual(len(lines), 1, res)
        self.assertIn("subject " + self.SHOWN + ", issuer", lines[0], res)
        self.assertNotIn("x5C", res.stdout + res.stderr, res)
        tls = [t for m, t in transcript(res.stderr) if "certificate 0:" in t]
        self.assertTrue(tls, res)
        self.assertIn("subject " + self.SHOWN + ", issuer", tls[0], res)

    def test_untrusted_certificate_name_escaped_once_in_the_error(self):
        # Signed by the CA, but the account trusts no CA file: the system
        # store does not know it, and the error names the certificate.
        cert, key = self.pki.server_cn(self.CN)
        srv = self.start_smtpd(cert=cert, key=key)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                tls_cafile=None)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        errors = [l for l in res.stderr.splitlines()
                  if l.startswith("pigeon: ") and "certificate 0" in l]
        self.assertTrue(errors, res)
        self.assertIn("(certificate 0: " + self.SHOWN + ")", errors[0], res)
        self.assertNotIn("x5C", res.stderr, res)



def login_steps():
    return (starttls_steps("AUTH PLAIN") +
            [("expect", rb"^AUTH PLAIN", ALONE),
             ("send", b"235 2.7.0 ok\r\n")])


class Wording(PigeonTest):
    """Each line says what happened, once, with the server's reply."""

    def errors(self, res):
        return [l for l in res.stderr.splitlines() if l.startswith("pigeon:")]

    def test_refused_login_is_said_once(self):
        srv = self.start_script(
            [GREETING] + ehlo("STARTTLS") + starttls_steps("AUTH PLAIN") +
            [("expect", rb"^AUTH PLAIN", ALONE),
             ("send", b"535 5.7.8 bad credentials\r\n")])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.run_pigeon(["probe", "--config", cfg, "--auth"])
        self.assertExit(res, EX_NOPERM)
        self.assertIn("pigeon: authentication failed (AUTH PLAIN): "
                      "535 5.7.8 bad credentials\n", res.stderr)
        self.assertEqual(res.stderr.count("authentication failed"), 1, res)

    def test_recipient_put_off_is_not_success(self):
        srv = self.start_script(
            [GREETING] + ehlo("STARTTLS") + login_steps() +
            [("expect", rb"^MAIL FROM:<%s>" % FROM_ADDR.encode(), ALONE),
             ("send", b"250 2.1.0 ok\r\n"),
             ("expect", rb"^RCPT TO:<bob@example.org>", ALONE),
             ("send", b"250 2.1.5 ok\r\n"),
             ("expect", rb"^RCPT TO:<carol@example.org>", ALONE),
             ("send", b"450 4.2.0 carol is greylisted\r\n")] +
            data_steps() + quit_steps())
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "bob@example.org", "carol@example.org")
        self.assertExit(res, EX_OK)
        self.assertScriptOk(srv, res)
        self.assertNotIn("success", res.stderr, res)
        self.assertIn("recipient <carol@example.org> put off: 450 4.2.0 "
                      "carol is greylisted", res.stderr)
        self.assertIn("delivered to 1 of 2 recipients", res.stderr)
        lst = self.run_pigeon(["queue", "--config", cfg, "list"])
        self.assertIn("last error: recipient <carol@example.org> put off: "
                      "450 4.2.0 carol is greylisted", lst.stdout, lst)

    def test_size_preflight_is_not_a_refused_recipient(self):
        srv = self.start_script(
            [GREETING] + ehlo("STARTTLS") +
            starttls_steps("AUTH PLAIN", "SIZE 100") +
            [("expect", rb"^AUTH PLAIN", ALONE),
             ("send", b"235 2.7.0 ok\r\n")] + quit_steps())
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        big = message(["From: Tester <tester@example.org>",
                       "To: bob@example.org", "Subject: big"], ["x" * 300])
        res = self.sendmail(cfg, big, "bob@example.org")
        self.assertExit(res, EX_DATAERR)
        self.assertNotRegex(res.stderr, r"(?i)recipient.*rejected", res)
        self.assertRegex(res.stderr, r"not sent: the message is \d+ bytes, "
                         r"but the server accepts at most 100 bytes", res)
        self.assertFalse(srv.sent("MAIL"), srv.describe())

    def test_certificate_failure_is_not_a_refused_recipient(self):
        cert, key = self.pki.self_signed()
        srv = self.start_smtpd(cert=cert, key=key)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertNotRegex(res.stderr, r"(?i)recipient.*rejected", res)
        self.assertRegex(res.stderr, r"not sent: the certificate is "
                         r"self-signed", res)



def fingerprint(cert):
    """The SHA-256 fingerprint of a PEM certificate, as openssl prints it."""
    out = subprocess.run(["openssl", "x509", "-in", cert, "-noout",
                          "-fingerprint", "-sha256"], check=True,
                         capture_output=True, text=True).stdout
    return out.strip().split("=", 1)[1].upper()


class CertificateVerdicts(PigeonTest):
    """A certificate that is not trusted is wrong until the user acts: not
    retried, not lost, and the error gives the line that pins it."""

    def pin_line(self, res):
        m = re.search(r"tls_fingerprint = ([0-9A-F:]{95})", res.stderr)
        self.assertTrue(m, "no tls_fingerprint line%s" % res)
        return m.group(1)

    def test_self_signed_gives_the_pin_and_the_pin_sends_it(self):
        cert, key = self.pki.self_signed()
        srv = self.start_smtpd(cert=cert, key=key)
        url = "smtp://127.0.0.1:%d" % srv.port
        cfg = self.write_config(url)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertEqual(self.pin_line(res), fingerprint(cert))
        self.assertIn("tls_cafile", res.stderr)
        self.assertEqual(self.outbox(), [])
        failed = list(self.folder("failed"))
        self.assertEqual(len(failed), 1, res)
        self.spool_empty(srv, res)
        # The user acts: the line as given goes into the account.
        cfg = self.write_config(url, tls_fingerprint=self.pin_line(res))
        again = self.run_pigeon(["queue", "--config", cfg, "retry",
                                 failed[0]])
        self.assertExit(again, EX_OK)
        self.one_message(srv, again)

    def test_wrong_name_gives_the_pin(self):
        cert, key = self.pki.wrong_name()
        srv = self.start_smtpd(cert=cert, key=key)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertEqual(self.pin_line(res), fingerprint(cert))
        self.assertEqual(len(self.folder("failed")), 1, res)

    def test_probe_of_an_untrusted_certificate_is_not_temporary(self):
        cert, key = self.pki.self_signed()
        srv = self.start_smtpd(cert=cert, key=key)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.run_pigeon(["probe", "--config", cfg])
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertEqual(self.pin_line(res), fingerprint(cert))

    def test_pin_mismatch_gives_the_new_pin(self):
        cert, key = self.pki.self_signed()
        srv = self.start_smtpd(cert=cert, key=key)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                tls_fingerprint="00" * 32)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertEqual(self.pin_line(res), fingerprint(cert))



class QueueCommands(PigeonTest):
    """The queue commands say what they did, with times a person reads."""

    def queue_one(self):
        """A message queued after a 421 greeting; its id and the config."""
        srv = self.start_script([("send", b"421 4.3.2 try later\r\n"),
                                 ("close",)])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_OK)
        ids = self.outbox()
        self.assertEqual(len(ids), 1, res)
        return ids[0], cfg

    def test_log_shows_the_next_try_as_local_time(self):
        before = time.time()
        mid, cfg = self.queue_one()
        res = self.run_pigeon(["queue", "--config", cfg, "log", mid])
        self.assertExit(res, EX_OK)
        self.assertNotRegex(res.stdout, r"next at \d{9,}", res)
        m = re.search(r"stays queued, attempt 1, next try "
                      r"(\d{4}-\d\d-\d\d \d\d:\d\d): ", res.stdout)
        self.assertTrue(m, "no local next try time%s" % res)
        # TZ=UTC in the tests: the time is that of the queued entry.
        shown = time.mktime(time.strptime(m.group(1) + " UTC",
                                          "%Y-%m-%d %H:%M %Z"))
        self.assertTrue(before - 120 <= shown <= time.time() + 86400, res)

    def test_rm_of_an_id_not_queued_is_an_error(self):
        mid, cfg = self.queue_one()
        res = self.run_pigeon(["queue", "--config", cfg, "rm", "nosuchid"])
        self.assertExit(res, EX_NOINPUT)
        self.assertIn("pigeon: no message nosuchid in the queue", res.stderr)
        self.assertEqual(self.outbox(), [mid])
        # The one that is queued goes, once; then it is not there either.
        res = self.run_pigeon(["queue", "--config", cfg, "rm", mid])
        self.assertExit(res, EX_OK)
        self.assertEqual(self.outbox(), [])
        res = self.run_pigeon(["queue", "--config", cfg, "rm", mid])
        self.assertExit(res, EX_NOINPUT)

    def test_edit_of_an_id_not_queued_is_a_clear_error(self):
        _, cfg = self.queue_one()
        res = self.run_pigeon(["queue", "--config", cfg, "edit", "nosuchid"])
        self.assertExit(res, EX_NOINPUT)
        self.assertEqual(res.stderr,
                         "pigeon: no message nosuchid in the queue\n", res)

    def test_flush_honours_server(self):
        mid, cfg = self.queue_one()
        srv = self.start_smtpd()
        res = self.run_pigeon(["queue", "--config", cfg, "flush",
                               "--server", "smtp://127.0.0.1:%d" % srv.port])
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        self.assertEqual(self.outbox(), [])
        self.assertIn(mid, self.folder("sent"))


if __name__ == "__main__":
    unittest.main()
