# SPDX-License-Identifier: ISC
"""test_protocol.py - SMTP protocol handling against scripted servers: bad replies, drops, pipelining, dot-stuffing, BDAT."""

import os
import re
import unittest

from harness import (ALONE, EX_DATAERR, EX_OK, EX_PROTOCOL, EX_TEMPFAIL,
                     EX_UNAVAILABLE, FROM_ADDR, GREETING, PigeonTest,
                     bare_line_ends, data_steps, ehlo, envelope_steps,
                     message, reply, server_lines)

MSG = message(["From: Tester <tester@example.org>", "To: bob@example.org",
               "Subject: protocol test"], ["hello", "bye"])


class ScriptedTest(PigeonTest):
    """Scripted servers speak smtp+plain without AUTH unless said otherwise."""

    def plain_config(self, srv, **keys):
        keys.setdefault("user", None)
        keys.setdefault("password_command", None)
        keys.setdefault("timeout", "3")
        return self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                 **keys)

    def assertNoTransaction(self, srv, res=None):
        for verb in ("MAIL", "RCPT", "DATA", "BDAT"):
            self.assertFalse(srv.sent(verb), "%s sent\n%s%s" % (
                verb, srv.describe(), res or ""))


class MalformedReplies(ScriptedTest):

    BAD_EHLO_REPLIES = [
        ("garbage", b"abc\r\n"),
        ("four-digit code", b"2500 x\r\n"),
        ("code out of range", b"600 oops\r\n"),
        ("continuation with another code", b"250-a\r\n251 b\r\n"),
        ("line over 2048 bytes", b"250 " + b"x" * 3000 + b"\r\n"),
        ("1000-line reply", b"250-x\r\n" * 999 + b"250 x\r\n"),
    ]

    BAD_GREETINGS = [
        ("garbage greeting", b"abc\r\n"),
        ("four-digit greeting", b"2200 hi\r\n"),
    ]

    def test_malformed_ehlo_replies(self):
        for name, bad in self.BAD_EHLO_REPLIES:
            with self.subTest(reply=name):
                srv = self.start_script(
                    [GREETING, ("expect", rb"^EHLO "), ("send", bad)])
                # --no-queue: the exit status names the class.
                res = self.sendmail(self.plain_config(srv), MSG,
                                    "--no-queue", "bob@example.org")
                self.assertExit(res, EX_PROTOCOL, name)
                self.script_done(srv, res)
                self.assertNoTransaction(srv, res)
                self.assertFalse(srv.sent("HELO"), srv.describe())
                srv.stop()

    def test_malformed_greetings(self):
        for name, bad in self.BAD_GREETINGS:
            with self.subTest(reply=name):
                srv = self.start_script([("send", bad)])
                # --no-queue: the exit status names the class.
                res = self.sendmail(self.plain_config(srv), MSG,
                                    "--no-queue", "bob@example.org")
                self.assertExit(res, EX_PROTOCOL, name)
                self.script_done(srv, res)
                self.assertNoTransaction(srv, res)
                srv.stop()

    def test_malformed_reply_to_mail(self):
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            [("expect", rb"^MAIL FROM:"), ("send", b"25O ok\r\n")])
        res = self.sendmail(self.plain_config(srv), MSG, "--no-queue",
                            "bob@example.org")
        self.assertExit(res, EX_PROTOCOL)
        self.script_done(srv, res)
        self.assertFalse(srv.sent("RCPT"), srv.describe())
        self.assertFalse(srv.sent("DATA"), srv.describe())

    def test_malformed_reply_keeps_the_message_queued(self):
        """A broken server is trouble for now, not a verdict on the
        message: it stays queued and the caller is told 0."""
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            [("expect", rb"^MAIL FROM:"), ("send", b"25O ok\r\n")])
        res = self.sendmail(self.plain_config(srv), MSG, "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertIn("queued, next try at", res.stderr)
        self.assertIn("invalid reply", res.stderr)
        self.script_done(srv, res)
        self.assertEqual(len(self.outbox()), 1)


class Failures(ScriptedTest):

    def test_connection_dropped_during_data(self):
        big = message(["From: Tester <tester@example.org>",
                       "To: bob@example.org", "Subject: big"],
                      ["%05d %s" % (i, "z" * 64) for i in range(1500)])
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            envelope_steps(["bob@example.org"]) +
            [("expect", rb"^DATA$"),
             ("send", b"354 go ahead\r\n"),
             ("read_bytes", 100),
             ("close",)])
        res = self.sendmail(self.plain_config(srv), big, "--no-queue",
                            "bob@example.org")
        self.assertExit(res, EX_TEMPFAIL)
        self.assertRegex(res.stderr, r"(?m)^pigeon: ")
        self.assertEqual(self.outbox(), [])

    def test_server_never_greets(self):
        srv = self.start_script([("hang",)])
        res = self.sendmail(self.plain_config(srv, timeout="2"), MSG,
                            "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertRegex(res.stderr, r"(?i)time")
        self.assertIn("queued", res.stderr)
        self.assertEqual(len(self.outbox()), 1)

    def test_554_greeting(self):
        srv = self.start_script(
            [("send", b"554 5.3.2 script.test is not accepting mail\r\n")])
        res = self.sendmail(self.plain_config(srv), MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.script_done(srv, res)
        self.assertIn("not accepting mail", res.stderr)
        for verb in ("EHLO", "HELO", "MAIL"):
            self.assertFalse(srv.sent(verb), srv.describe())
        other = [c for c in srv.commands() if c.upper() != "QUIT"]
        self.assertEqual(other, [], srv.describe())

    def test_mail_from_rejected(self):
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            [("expect", rb"^MAIL FROM:"),
             ("send", b"553 5.7.1 <tester@example.org>: Sender address "
                      b"rejected: not owned by user\r\n")])
        res = self.sendmail(self.plain_config(srv), MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.script_done(srv, res)
        self.assertIn("Sender address rejected", res.stderr)
        self.assertFalse(srv.sent("DATA"), srv.describe())

    def test_data_rejected_after_dot(self):
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            envelope_steps(["bob@example.org"]) +
            data_steps(final=b"554 5.7.1 Message rejected as spam\r\n"))
        res = self.sendmail(self.plain_config(srv), MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertIn("rejected as spam", res.stderr)

    def test_data_tempfailed_after_dot(self):
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            envelope_steps(["bob@example.org"]) +
            data_steps(final=b"451 4.3.0 Try again later\r\n"))
        res = self.sendmail(self.plain_config(srv), MSG, "--no-queue",
                            "bob@example.org")
        self.assertExit(res, EX_TEMPFAIL)
        self.assertIn("Try again later", res.stderr)


class Escapes(ScriptedTest):
    """Control characters in replies never reach the terminal raw.

    pigeon may deliver anyway or refuse such a reply as malformed
    (EX_PROTOCOL); either way the transcript shows it escaped.
    """

    EVIL = [
        ("greeting", "greeting",
         b"220 \x1b[31mEVIL\x1b[0m \x07 hello\r\n", "\\e[31mEVIL\\e[0m"),
        ("EHLO reply", "ehlo",
         reply(250, "script.test", "8BITMIME", "X-\x1b]0;title\x07"),
         "\\e]0;title"),
        ("final reply", "final",
         b"250 2.0.0 queued \x1b[2J\x1b[H as \x9b31m X\r\n", "\\e[2J"),
    ]

    def script(self, where, evil):
        steps = [("send", evil) if where == "greeting" else GREETING]
        if where == "ehlo":
            steps += [("expect", rb"^EHLO \S+$"), ("send", evil)]
        else:
            steps += ehlo("8BITMIME")
        steps += envelope_steps(["bob@example.org"])
        if where == "final":
            steps += data_steps(final=evil)
        else:
            steps += data_steps()
        return steps

    def test_control_characters_from_server_are_escaped(self):
        for name, where, evil, escaped in self.EVIL:
            with self.subTest(reply=name):
                srv = self.start_script(self.script(where, evil))
                tfile = os.path.join(self.tmp, "transcript-" + where)
                res = self.sendmail(self.plain_config(srv), MSG, "-v",
                                    "--transcript=" + tfile,
                                    "bob@example.org")
                self.assertIn(res.rc, (EX_OK, EX_PROTOCOL),
                              "expected exit 0 or 76%s" % res)
                self.assertNotIn(b"\x1b", res.out + res.err)
                self.assertNotIn(b"\x07", res.out + res.err)
                self.assertNoRawControls(res, files=[tfile])
                for blob in (res.out, res.err):
                    text = blob.decode("utf-8", "surrogateescape")
                    self.assertNotIn("\udc9b", text,
                                     "raw C1 CSI byte 0x9b shown%s" % res)
                    self.assertNotIn("\x9b", text, "U+009B shown%s" % res)
                self.assertTrue(any(escaped in t
                                    for t in server_lines(res.stderr)),
                                "the reply is not shown escaped as %r%s"
                                % (escaped, res))
                srv.stop()


class Pipelining(ScriptedTest):

    RCPTS = ["bob@example.org", "carol@example.org"]

    def test_pipelined_envelope(self):
        srv = self.start_script(
            [GREETING] + ehlo("PIPELINING", "8BITMIME") +
            [("expect", rb"^MAIL FROM:<%s>( .*)?$" % re.escape(
                FROM_ADDR.encode())),
             ("expect", rb"^RCPT TO:<bob@example\.org>( .*)?$"),
             ("expect", rb"^RCPT TO:<carol@example\.org>( .*)?$"),
             ("expect", rb"^DATA$"),
             ("send", b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
                      b"354 End data with <CR><LF>.<CR><LF>\r\n"),
             ("read_data",),
             ("send", b"250 2.0.0 Ok: queued\r\n")])
        res = self.sendmail(self.plain_config(srv), MSG, *self.RCPTS)
        self.assertExit(res, EX_OK)
        self.assertScriptOk(srv, res)
        self.assertEqual(len(srv.data), 1)

    def test_no_pipelining_without_the_extension(self):
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            envelope_steps(self.RCPTS) + data_steps())
        res = self.sendmail(self.plain_config(srv), MSG, *self.RCPTS)
        self.assertExit(res, EX_OK)
        self.assertScriptOk(srv, res)

    def test_pipelined_first_recipient_rejected(self):
        srv = self.start_script(
            [GREETING] + ehlo("PIPELINING", "8BITMIME") +
            [("expect", rb"^MAIL FROM:"),
             ("expect", rb"^RCPT TO:<nobody@example\.org>"),
             ("expect", rb"^RCPT TO:<bob@example\.org>"),
             ("expect", rb"^RCPT TO:<carol@example\.org>"),
             ("expect", rb"^DATA$"),
             ("send", b"250 2.1.0 Ok\r\n"
                      b"550 5.1.1 <nobody@example.org>: Recipient address "
                      b"rejected: User unknown\r\n"
                      b"250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
                      b"354 End data with <CR><LF>.<CR><LF>\r\n"),
             ("read_data",),
             ("send", b"250 2.0.0 Ok: queued\r\n")])
        res = self.sendmail(self.plain_config(srv), MSG, "nobody@example.org",
                            "bob@example.org", "carol@example.org")
        self.assertExit(res, EX_OK)
        self.assertScriptOk(srv, res)
        self.assertIn("nobody@example.org", res.stderr)
        self.assertIn("550", res.stderr)


class DotStuffing(ScriptedTest):

    def deliver(self, msg, *args):
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            envelope_steps(["bob@example.org"]) + data_steps())
        res = self.sendmail(self.plain_config(srv), msg, *args,
                            "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertScriptOk(srv, res)
        self.assertEqual(len(srv.data), 1, srv.describe())
        return srv.data[0], res

    def check_wire(self, data, res):
        self.assertTrue(data.endswith(b"\r\n.\r\n"))
        self.assertEqual(bare_line_ends(data), [],
                         "bare CR/LF on the wire: %r%s" % (data, res))
        self.assertIn(b"\r\n..\r\n", data)
        self.assertIn(b"\r\n...x\r\n", data)
        self.assertIn(b"\r\n..end\r\n", data)
        # Only the terminating dot line is a lone dot.
        self.assertEqual(data.count(b"\r\n.\r\n"), 1)
        self.assertFalse(re.search(rb"\r\n\.[^.\r]", data),
                         "a line starting with one dot was not stuffed")

    def test_dot_stuffing_and_bare_cr_lf_input(self):
        msg = message(["From: Tester <tester@example.org>",
                       "To: bob@example.org", "Subject: dots"],
                      ["first", ".", "..x", ".end",
                       "bare CR here:\rinside the line", "last"])
        data, res = self.deliver(msg)
        self.check_wire(data, res)

    def test_dot_stuffing_crlf_input_with_bare_lf_and_cr(self):
        msg = message(["From: Tester <tester@example.org>",
                       "To: bob@example.org", "Subject: dots"],
                      ["first", ".", "..x", ".end",
                       "bare LF here:\ninside the line",
                       "bare CR here:\rinside too", "last"], eol="\r\n")
        data, res = self.deliver(msg, "-i")
        self.check_wire(data, res)

    def test_dot_line_without_i_does_not_end_input(self):
        msg = message(["From: Tester <tester@example.org>",
                       "To: bob@example.org", "Subject: dots"],
                      ["before", ".", "after the lone dot"])
        data, res = self.deliver(msg)
        self.assertIn(b"\r\n..\r\nafter the lone dot\r\n.\r\n", data)


class Helo(ScriptedTest):

    def test_ehlo_rejected_falls_back_to_helo(self):
        srv = self.start_script(
            [GREETING,
             ("expect", rb"^EHLO \S+$", ALONE),
             ("send", b"502 5.5.2 Error: command not recognized\r\n"),
             ("expect", rb"^HELO \S+$", ALONE),
             ("send", b"250 script.test\r\n"),
             # After HELO there are no ESMTP parameters.
             ("expect", rb"^MAIL FROM:<tester@example\.org>$", ALONE),
             ("send", b"250 Ok\r\n"),
             ("expect", rb"^RCPT TO:<bob@example\.org>$", ALONE),
             ("send", b"250 Ok\r\n")] + data_steps())
        res = self.sendmail(self.plain_config(srv), MSG, "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertScriptOk(srv, res)

    def test_ehlo_rejected_when_tls_is_required(self):
        srv = self.start_script(
            [GREETING,
             ("expect", rb"^EHLO \S+$", ALONE),
             ("send", b"502 5.5.2 Error: command not recognized\r\n")])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                timeout="3")
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.script_done(srv, res)
        for verb in ("HELO", "AUTH", "MAIL"):
            self.assertFalse(srv.sent(verb), srv.describe())


class Size(ScriptedTest):

    def test_too_big_refused_before_mail(self):
        msg = message(["From: Tester <tester@example.org>",
                       "To: bob@example.org", "Subject: big"],
                      ["y" * 70] * 70)
        srv = self.start_script([GREETING] + ehlo("SIZE 1000", "8BITMIME"))
        res = self.sendmail(self.plain_config(srv), msg, "bob@example.org")
        self.assertExit(res, EX_DATAERR)
        self.script_done(srv, res)
        self.assertNoTransaction(srv, res)
        self.assertIn("1000", res.stderr)


class Chunking(ScriptedTest):

    def test_bdat(self):
        headers = ["From: Tester <tester@example.org>",
                   "To: bob@example.org",
                   "Date: Tue, 01 Jul 2025 10:00:00 +0200",
                   "Message-ID: <bdat.1@example.org>",
                   "Subject: chunking"]
        body = ["BDAT sends bytes as they are:", ".", ".dot", "..two dots",
                "end"]
        srv = self.start_script(
            [GREETING] + ehlo("CHUNKING", "8BITMIME") +
            envelope_steps(["bob@example.org"]) +
            [("bdat", b"250 2.0.0 Ok: chunk accepted\r\n")])
        res = self.sendmail(self.plain_config(srv, chunking="yes"),
                            message(headers, body), "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertScriptOk(srv, res)
        self.assertFalse(srv.sent("DATA"), srv.describe())
        self.assertEqual(len(srv.data), 1)
        data = srv.data[0]
        self.assertEqual(bare_line_ends(data), [], repr(data))
        want_body = ("\r\n".join(body) + "\r\n").encode()
        self.assertTrue(data.endswith(b"\r\n\r\n" + want_body),
                        "the chunks are not the message as it is "
                        "(no dot-stuffing, CRLF): %r" % data)
        for h in headers:
            self.assertIn(h.encode() + b"\r\n", data)


if __name__ == "__main__":
    unittest.main()
