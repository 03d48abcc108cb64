# SPDX-License-Identifier: ISC
"""test_step.py - pigeon probe --step against aiosmtpd with STARTTLS and AUTH, driven through a pipe: each stage on an empty line, typed commands verbatim, a typed message stored byte for byte, refusals before anything is sent, the transcript file saved."""

import os
import threading

from harness import (EX_OK, EX_USAGE, PASSWORD, USER, PigeonTest,
                     client_lines, secret_forms, transcript)


def record(srv):
    """Make srv's handler note NOOP and VRFY arguments as it gets them
    (aiosmtpd's handler hooks): a list of (word, argument)."""
    seen = []
    lock = threading.Lock()

    async def handle_NOOP(server, session, envelope, arg):
        with lock:
            seen.append(("NOOP", arg))
        return "250 2.0.0 OK"

    async def handle_VRFY(server, session, envelope, address):
        with lock:
            seen.append(("VRFY", address))
        return "252 2.1.5 Cannot VRFY user"

    srv.handler.handle_NOOP = handle_NOOP
    srv.handler.handle_VRFY = handle_VRFY
    return seen


class Step(PigeonTest):

    def setup_server(self):
        srv = self.start_smtpd()
        seen = record(srv)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        return srv, seen, cfg

    def step(self, cfg, lines, *args):
        data = "".join(l + "\n" for l in lines).encode()
        return self.run_pigeon(["probe", "--config", cfg, "--step"] +
                               list(args), input=data)

    def test_stages_then_typed_commands(self):
        srv, seen, cfg = self.setup_server()
        tr = os.path.join(self.tmp, "step.txt")
        # greeting, EHLO, STARTTLS, EHLO, AUTH: five empty lines.
        res = self.step(cfg, ["", "", "", "", "",
                              "NOOP hello  there",
                              "VRFY <alice@example.org>",
                              "quit"], "--transcript=" + tr)
        self.assertExit(res, EX_OK)
        sent = client_lines(res.stderr)
        self.assertEqual(sent[:3], ["EHLO localhost", "STARTTLS",
                                    "EHLO localhost"], res)
        self.assertTrue(sent[3].startswith("AUTH "), res)
        self.assertEqual(sent[-3:], ["NOOP hello  there",
                                    "VRFY <alice@example.org>", "QUIT"], res)
        # What the server got, verbatim.
        self.assertEqual(seen, [("NOOP", "hello  there"),
                                ("VRFY", "alice@example.org")], res)
        self.assertIn("next: STARTTLS", res.stderr)
        self.assertIn("next: AUTH", res.stderr)
        with open(tr, encoding="utf-8") as f:
            saved = f.read()
        self.assertIn(("~>", "NOOP hello  there"), transcript(saved))
        for form in secret_forms():
            self.assertNotIn(form, saved)
            self.assertNotIn(form, res.stderr)

    def test_long_and_refused_commands_never_sent(self):
        srv, seen, cfg = self.setup_server()
        long_cmd = "NOOP " + "x" * 595        # 600 octets, 602 with CRLF
        res = self.step(cfg, ["", "", "", "", "", long_cmd, "STARTTLS",
                              "AUTH PLAIN AGFsaWNlAHg=", "NOOP ok",
                              "quit"])
        self.assertExit(res, EX_OK)
        self.assertEqual(seen, [("NOOP", "ok")], res)
        sent = client_lines(res.stderr)
        self.assertNotIn(long_cmd, sent)
        self.assertNotIn("STARTTLS", sent[2:])
        self.assertIn("512 octets", res.stderr)
        self.assertIn("RFC 3207", res.stderr)
        self.assertIn("RFC 4954", res.stderr)

    def test_typed_data_stored_byte_for_byte(self):
        srv, seen, cfg = self.setup_server()
        body = ["From: tester@example.org", "To: bob@example.org",
                "Subject: typed", "", "first line", ".leading dot",
                "..two dots", "QUIT", "last"]
        res = self.step(cfg, ["", "", "", "", "",
                              "MAIL FROM:<tester@example.org>",
                              "RCPT TO:<bob@example.org>",
                              "DATA"] + body + [".", "quit"])
        self.assertExit(res, EX_OK)
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1, res)
        meta, eml = msgs[0]
        self.assertEqual(meta["mail_from"], "tester@example.org")
        self.assertEqual(meta["rcpt_tos"], ["bob@example.org"])
        self.assertEqual(meta["auth_user"], USER)
        self.assertEqual(meta["tls"], "yes")
        self.assertEqual(eml, "".join(l + "\r\n" for l in body).encode())
        # On the wire the dots were doubled.
        sent = client_lines(res.stderr)
        self.assertIn("..leading dot", sent)
        self.assertIn("...two dots", sent)
        self.assertIn("the server accepted the message", res.stderr)

    def test_enter_walks_the_envelope(self):
        srv, seen, cfg = self.setup_server()
        res = self.step(cfg, ["", "", "", "", "", "", "", "",
                              "Subject: walked", "", "hi", "."],
                        "--from", "tester@example.org",
                        "--to", "bob@example.org")
        # End of input after the message: QUIT.
        self.assertExit(res, EX_OK)
        self.assertIn("next: MAIL FROM:<tester@example.org>", res.stderr)
        self.assertIn("next: RCPT TO:<bob@example.org>", res.stderr)
        self.assertIn("next: DATA", res.stderr)
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1, res)
        self.assertEqual(msgs[0][1], b"Subject: walked\r\n\r\nhi\r\n")
        self.assertEqual(client_lines(res.stderr)[-1], "QUIT")

    def test_eof_before_tls_quits(self):
        srv, seen, cfg = self.setup_server()
        res = self.step(cfg, ["", ""])
        self.assertExit(res, EX_OK)
        self.assertEqual(client_lines(res.stderr), ["EHLO localhost",
                                                    "QUIT"], res)

    def test_step_refuses_stop_points(self):
        srv, seen, cfg = self.setup_server()
        res = self.step(cfg, [], "--quit-after", "ehlo")
        self.assertExit(res, EX_USAGE)
        res = self.run_pigeon(["probe", "--config", cfg, "--from", "a@b"])
        self.assertExit(res, EX_USAGE)

    def test_implicit_tls(self):
        srv = self.start_smtpd(tls="implicit")
        seen = record(srv)
        cfg = self.write_config("smtps://127.0.0.1:%d" % srv.port)
        # greeting, EHLO, AUTH; then a command.
        res = self.step(cfg, ["", "", "", "NOOP over tls", "quit"])
        self.assertExit(res, EX_OK)
        self.assertIn("next: greeting", res.stderr)
        self.assertNotIn("next: STARTTLS", res.stderr)
        self.assertEqual(seen, [("NOOP", "over tls")], res)
        sent = client_lines(res.stderr)
        self.assertEqual(sent[0], "EHLO localhost", res)
        self.assertTrue(sent[1].startswith("AUTH "), res)

    def test_eof_at_once_reads_the_greeting_then_quits(self):
        srv, seen, cfg = self.setup_server()
        res = self.step(cfg, [])
        self.assertExit(res, EX_OK)
        self.assertEqual(client_lines(res.stderr), ["QUIT"], res)

    def test_typed_before_tls_is_not_sent(self):
        srv, seen, cfg = self.setup_server()
        res = self.step(cfg, ["", "NOOP early", "quit"])
        self.assertExit(res, EX_OK)
        self.assertIn("not sent: pigeon takes typed commands once TLS",
                      res.stderr)
        self.assertEqual(seen, [], res)
        self.assertEqual(client_lines(res.stderr), ["QUIT"], res)
