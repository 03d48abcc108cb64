# SPDX-License-Identifier: ISC
"""test_hostile_servers.py - servers that misbehave on purpose where a tests/smtp script cannot say it: drip-fed replies against the clock, huge capability lists, long command lines, --no-queue, probe; every message kept and every verdict true."""

from harness import (EX_CONFIG, EX_NOUSER, EX_OK, EX_PROTOCOL, GREETING,
                     ehlo, envelope_steps, message)
from test_protocol import MSG, ScriptedTest

TWO = message(["From: Tester <tester@example.org>",
               "To: bob@example.org, carol@example.org",
               "Subject: two"], ["hello"])


class Deadlines(ScriptedTest):

    def test_drip_fed_greeting_times_out(self):
        """A byte every half second never restarts the timer: the whole
        greeting must come within greeting_timeout."""
        srv = self.start_script(
            [("drip", b"220-slow\r\n220-slower\r\n220 ready\r\n", 0.3)])
        cfg = self.plain_config(srv, timeout="30", greeting_timeout="1")
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertIn("greeting_timeout", res.stderr)
        self.assertIn("queued", res.stderr)
        self.assertEqual(len(self.outbox()), 1)
        self.assertFalse(srv.sent("EHLO"), srv.describe())

    def test_drip_fed_reply_to_rcpt_times_out(self):
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            [("expect", rb"^MAIL FROM:"), ("send", b"250 ok\r\n"),
             ("expect", rb"^RCPT TO:"),
             ("drip", b"250 2.1.5 o" + b"k" * 40 + b"\r\n", 0.1)])
        cfg = self.plain_config(srv, timeout="30", rcpt_timeout="1")
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertIn("RCPT TO", res.stderr)
        self.assertIn("rcpt_timeout", res.stderr)
        self.assertEqual(len(self.outbox()), 1)
        self.assertFalse(srv.sent("DATA"), srv.describe())


class StrayReplies(ScriptedTest):

    def test_extra_reply_with_no_queue_says_protocol(self):
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            [("expect", rb"^MAIL FROM:"),
             ("send", b"250 ok\r\n250 extra\r\n")])
        res = self.sendmail(self.plain_config(srv), MSG, "--no-queue",
                            "bob@example.org")
        self.assertExit(res, EX_PROTOCOL)
        self.assertIn("nothing asked for", res.stderr)
        self.script_done(srv, res)
        self.assertFalse(srv.sent("DATA"), srv.describe())


class Bounds(ScriptedTest):

    def test_thousands_of_auth_mechanisms(self):
        lines = ["AUTH " + " ".join("M%d" % j for j in range(i * 100,
                 i * 100 + 100)) for i in range(150)]
        srv = self.start_script([GREETING] + ehlo(*lines) + [("finish",)])
        cfg = self.plain_config(srv, user="alice",
                                password_command="echo secret",
                                auth_allow_plaintext="yes")
        res = self.sendmail(cfg, MSG, "--no-queue", "bob@example.org")
        self.assertExit(res, EX_PROTOCOL)
        self.assertIn("authentication mechanisms", res.stderr)
        self.assertNotIn("out of memory", res.stderr)

    def test_ehlo_name_over_255_refused_before_connecting(self):
        srv = self.start_script([("hang",)])
        cfg = self.plain_config(srv, helo="h" * 600)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_CONFIG)
        self.assertIn("helo", res.stderr)
        self.assertEqual(srv.connections, 0)
        self.assertEqual(self.outbox(), [])

    def test_long_envelope_lines_stay_within_512(self):
        to = "l" * 240 + "@example.org"
        sender = "f" * 240 + "@example.org"
        msg = message(["From: Tester <tester@example.org>",
                       "To: " + to, "Subject: long"], ["hi"])
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME", "DSN", "SIZE 100000000") +
            envelope_steps([to], mail_from=sender) +
            [("expect", rb"^DATA$"), ("send", b"354 go\r\n"),
             ("read_data",), ("send", b"250 ok\r\n")])
        res = self.sendmail(self.plain_config(srv), msg,
                            "-f", sender,
                            "-N", "success,failure,delay", "-R", "hdrs",
                            "-V", "+" * 100, to)
        self.assertExit(res, EX_OK)
        for tls, line in srv.lines:
            self.assertLessEqual(len(line), 512, line[:80])
        self.assertEqual(len(srv.data), 1)


class Verdicts(ScriptedTest):
    """Every error line names the command and the reply behind it."""

    def test_abort_on_reject_names_the_refused_recipient(self):
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            [("expect", rb"^MAIL FROM:"), ("send", b"250 ok\r\n"),
             ("expect", rb"^RCPT TO:<bob@"), ("send", b"250 2.1.5 ok\r\n"),
             ("expect", rb"^RCPT TO:<carol@"),
             ("send", b"550 5.1.1 no such user\r\n"), ("finish",)])
        res = self.sendmail(self.plain_config(srv), TWO, "-t",
                            "--abort-on-reject")
        self.assertExit(res, EX_NOUSER)
        self.assertIn("RCPT TO:<carol@example.org>: 550 5.1.1", res.stderr)
        self.assertNotIn("<bob@example.org> rejected", res.stderr)
        self.assertIn("bob@example.org", res.stderr)
        self.assertEqual(srv.data, [])


class Probe(ScriptedTest):

    def test_probe_after_failed_starttls_does_not_guess(self):
        srv = self.start_script(
            [GREETING] + ehlo("STARTTLS", "8BITMIME") +
            [("expect", rb"^STARTTLS$"),
             ("send", b"454 4.7.0 TLS not available\r\n"), ("finish",)])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None)
        res = self.run_pigeon(["probe", "--config", cfg])
        self.assertNotEqual(res.rc, 0)
        self.assertNotIn("none offered", res.stdout)
        self.assertIn("after TLS: unknown", res.stdout)


if __name__ == "__main__":
    import unittest
    unittest.main()
