# SPDX-License-Identifier: ISC
"""test_stop_points.py - --quit-after and --drop-after STAGE on send, sendmail and probe, checked by what aiosmtpd saw."""

import threading
import time
import unittest

from harness import (EX_NOUSER, EX_OK, EX_USAGE, PigeonTest, message)

MSG = message(["From: Tester <tester@example.org>", "To: bob@example.org",
               "Subject: stop points"], ["a test"])


def record(srv):
    """Make srv's handler note the commands it sees (aiosmtpd's handler
    hooks, taken per connection): a list of words, in order."""
    seen = []
    lock = threading.Lock()
    h = srv.handler
    orig_ehlo, orig_rcpt, orig_data = h.handle_EHLO, h.handle_RCPT, \
        h.handle_DATA

    def note(word):
        with lock:
            seen.append(word)

    async def handle_EHLO(server, session, envelope, hostname, responses):
        note("EHLO")
        return await orig_ehlo(server, session, envelope, hostname, responses)

    async def handle_MAIL(server, session, envelope, address, options):
        note("MAIL")
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(server, session, envelope, address, options):
        note("RCPT")
        return await orig_rcpt(server, session, envelope, address, options)

    async def handle_DATA(server, session, envelope):
        note("DOT")
        return await orig_data(server, session, envelope)

    async def handle_QUIT(server, session, envelope):
        note("QUIT")
        return "221 2.0.0 Bye"

    def handle_STARTTLS(server, session, envelope):
        note("TLS")
        return True

    for name, fn in list(locals().items()):
        if name.startswith("handle_"):
            setattr(h, name, fn)
    return seen


def settle(seen, last, timeout=3.0):
    """The server handles the last command a little after pigeon exits."""
    end = time.time() + timeout
    while time.time() < end and (not seen or seen[-1] != last):
        time.sleep(0.02)
    time.sleep(0.1)
    return list(seen)


class StopPoints(PigeonTest):

    def send(self, cfg, *args, rcpts=("bob@example.org",)):
        return self.run_pigeon(["send", "--config", cfg, "-s", "stop"] +
                               list(args) + ["--"] + list(rcpts),
                               input=b"a test\n")

    def setup_server(self, **kw):
        srv = self.start_smtpd(**kw)
        return srv, record(srv), self.write_config(
            "smtp://127.0.0.1:%d" % srv.port)

    def last_line(self, res):
        lines = res.stderr.strip().splitlines()
        return lines[-1] if lines else ""

    def nothing_kept(self, res):
        self.assertEqual(self.outbox(), [], "left in the outbox%s" % res)
        self.assertEqual(self.folder("failed"), {}, "put in failed%s" % res)
        self.assertEqual(self.folder("sent"), {}, "put in sent%s" % res)

    def test_quit_after_each_stage(self):
        want = {
            "connect": ["QUIT"],
            "greeting": ["QUIT"],
            "ehlo": ["EHLO", "TLS", "EHLO", "QUIT"],
            "tls": ["EHLO", "TLS", "QUIT"],
            "auth": ["EHLO", "TLS", "EHLO", "QUIT"],
            "mail": ["EHLO", "TLS", "EHLO", "MAIL", "QUIT"],
            "rcpt": ["EHLO", "TLS", "EHLO", "MAIL", "RCPT", "QUIT"],
        }
        for stage, seen_want in want.items():
            with self.subTest(stage=stage):
                srv, seen, cfg = self.setup_server()
                res = self.send(cfg, "--quit-after", stage)
                self.assertExit(res, EX_OK)
                self.assertEqual(settle(seen, "QUIT"), seen_want, res)
                self.spool_empty(srv, res)
                self.nothing_kept(res)
                upper = {"connect": "GREETING"}.get(stage, stage.upper())
                self.assertEqual(self.last_line(res),
                                 "pigeon: stopped after %s as asked "
                                 "(--quit-after %s)" % (upper, stage))

    def test_quit_after_data_drops_without_a_message(self):
        srv, seen, cfg = self.setup_server()
        res = self.send(cfg, "--quit-after", "data")
        self.assertExit(res, EX_OK)
        self.assertEqual(settle(seen, "RCPT"),
                         ["EHLO", "TLS", "EHLO", "MAIL", "RCPT"], res)
        self.spool_empty(srv, res)
        self.nothing_kept(res)
        self.assertIn("stopped after DATA as asked", self.last_line(res))

    def test_quit_after_dot_delivers(self):
        srv, seen, cfg = self.setup_server()
        res = self.send(cfg, "--quit-after", "dot")
        self.assertExit(res, EX_OK)
        self.assertEqual(settle(seen, "QUIT"), ["EHLO", "TLS", "EHLO", "MAIL",
                                                "RCPT", "DOT", "QUIT"], res)
        self.one_message(srv, res)
        self.assertEqual(self.outbox(), [])
        self.assertEqual(len(self.folder("sent")), 1, res)
        self.assertIn("stopped after DOT as asked", self.last_line(res))

    def test_drop_after(self):
        want = {
            "connect": [],
            "greeting": [],
            "ehlo": ["EHLO", "TLS", "EHLO"],
            "tls": ["EHLO", "TLS"],
            "rcpt": ["EHLO", "TLS", "EHLO", "MAIL", "RCPT"],
            "dot": ["EHLO", "TLS", "EHLO", "MAIL", "RCPT", "DOT"],
        }
        for stage, seen_want in want.items():
            with self.subTest(stage=stage):
                srv, seen, cfg = self.setup_server()
                res = self.send(cfg, "--drop-after", stage)
                self.assertExit(res, EX_OK)
                got = settle(seen, seen_want[-1] if seen_want else "")
                self.assertEqual(got, seen_want, res)
                self.assertNotIn("QUIT", got)
                self.assertIn("as asked (--drop-after %s)" % stage,
                              self.last_line(res))
                if stage == "dot":
                    self.one_message(srv, res)
                else:
                    self.spool_empty(srv, res)
                    self.nothing_kept(res)

    def test_implicit_tls(self):
        for flag, stage, want in (("--quit-after", "tls", ["QUIT"]),
                                  ("--drop-after", "tls", []),
                                  ("--drop-after", "connect", []),
                                  ("--quit-after", "ehlo", ["EHLO", "QUIT"])):
            with self.subTest(flag=flag, stage=stage):
                srv = self.start_smtpd(tls="implicit")
                seen = record(srv)
                cfg = self.write_config("smtps://127.0.0.1:%d" % srv.port)
                res = self.send(cfg, flag, stage, "-v")
                self.assertExit(res, EX_OK)
                self.assertEqual(settle(seen, want[-1] if want else ""),
                                 want, res)
                tls_up = "== TLS 1." in res.stderr
                self.assertEqual(tls_up, stage != "connect", res)
                self.nothing_kept(res)

    def test_refused_recipient_fails_at_rcpt(self):
        srv = self.start_smtpd(reject=("nobody@example.org",))
        seen = record(srv)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.send(cfg, "--quit-after", "rcpt",
                        rcpts=("bob@example.org", "nobody@example.org"))
        self.assertExit(res, EX_NOUSER)
        self.assertEqual(settle(seen, "QUIT"), ["EHLO", "TLS", "EHLO", "MAIL",
                                                "RCPT", "RCPT", "QUIT"], res)
        self.assertTrue(self.last_line(res).startswith(
            "pigeon: failed at stage rcpt: "), res)
        self.nothing_kept(res)

    def test_sendmail_quit_after_mail(self):
        srv, seen, cfg = self.setup_server()
        res = self.sendmail(cfg, MSG, "--quit-after", "from",
                            "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertEqual(settle(seen, "QUIT"),
                         ["EHLO", "TLS", "EHLO", "MAIL", "QUIT"], res)
        self.nothing_kept(res)
        self.assertIn("stopped after MAIL as asked (--quit-after from)",
                      self.last_line(res))

    def test_options_before_the_command_word(self):
        """As mutt and git put them: the new common options work before
        "sendmail" as after it."""
        srv, seen, cfg = self.setup_server()
        res = self.run_pigeon(["--config", cfg, "--quit-after", "mail",
                               "--hex", "--show-auth",
                               "--tls-max-version", "1.3",
                               "--transcript-json",
                               "%s/t.jsonl" % self.tmp, "sendmail",
                               "bob@example.org"], input=MSG)
        self.assertExit(res, EX_OK)
        self.assertEqual(settle(seen, "QUIT"),
                         ["EHLO", "TLS", "EHLO", "MAIL", "QUIT"], res)
        self.assertIn("stopped after MAIL as asked (--quit-after mail)",
                      self.last_line(res))
        self.assertRegex(res.stderr, r"C> \d+ bytes")
        with open("%s/t.jsonl" % self.tmp) as f:
            self.assertIn('"stage":"mail"', f.read())

    def test_probe(self):
        srv, seen, cfg = self.setup_server()
        res = self.run_pigeon(["probe", "--config", cfg, "--quit-after",
                               "tls"])
        self.assertExit(res, EX_OK)
        self.assertEqual(settle(seen, "QUIT"), ["EHLO", "TLS", "QUIT"], res)
        res = self.run_pigeon(["probe", "--config", cfg, "--quit-after",
                               "rcpt"])
        self.assertExit(res, EX_USAGE)
        self.assertIn("sends no MAIL", res.stderr)
        res = self.run_pigeon(["probe", "--config", cfg, "--quit-after",
                               "lunch"])
        self.assertExit(res, EX_USAGE)


if __name__ == "__main__":
    unittest.main()
