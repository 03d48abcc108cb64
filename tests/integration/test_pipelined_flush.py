# SPDX-License-Identifier: ISC
"""test_pipelined_flush.py - a queue flush to a server with PIPELINING sends each next envelope behind the dot of the message before (RFC 2920) and files every outcome as if one went at a time: a refused dot, a put-off recipient, a connection dropped after a dot, kill -9 in between; without PIPELINING one at a time as before."""

import os
import signal
import subprocess
import time

from harness import (ALONE, EX_OK, GREETING, PigeonTest, ehlo, local_form,
                     message, pigeon_path)

RCPT = "bob@example.org"

OK = b"250 2.0.0 ok\r\n"
GO = b"354 go ahead\r\n"


def group_steps(dot_reply=None, rcpt_reply=b"250 2.1.5 ok\r\n",
                data_reply=GO, rset=True):
    """A message's envelope as one group (RSET, MAIL, RCPT, DATA, read
    before any reply), then its replies in one write: dot_reply first,
    the reply to the dot of the message before, if any."""
    steps = []
    if rset:
        steps += [("expect", rb"^RSET$")]
    steps += [("expect", rb"^MAIL FROM:<"), ("expect", rb"^RCPT TO:<"),
              ("expect", rb"^DATA$")]
    replies = (dot_reply or b"") + (b"250 2.0.0 reset\r\n" if rset else b"")
    replies += b"250 2.1.0 ok\r\n" + rcpt_reply + data_reply
    return steps + [("send", replies)]


class PipelinedFlush(PigeonTest):

    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.env["XDG_DATA_HOME"], "pigeon")

    def queue_msgs(self, n):
        """n messages queued (sendmail -odq), oldest first: [(id, bytes)].
        Each has lines that need dot-stuffing and one long line."""
        cfg = self.write_config("smtp://127.0.0.1:1")
        msgs = []
        for i in range(n):
            raw = message(["From: Tester <tester@example.org>",
                           "To: %s" % RCPT, "Subject: piped %d" % i],
                          ["message %d" % i, ".", "..dots %d" % i,
                           "x" * (900 + i), "end"])
            res = self.run_pigeon(["sendmail", "--config", cfg, "-odq",
                                   RCPT], input=raw)
            self.assertExit(res, EX_OK)
            msgs.append(raw)
            time.sleep(0.01)   # ids sort by time
        ids = sorted(self.folder("outbox"))
        self.assertEqual(len(ids), n)
        return list(zip(ids, [self.folder("outbox")[i] for i in ids]))

    def plain_config(self, srv):
        return self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                 user=None, password_command=None)

    def flush(self, srv, *extra):
        return self.run_pigeon(["queue", "--config", self.plain_config(srv),
                                "flush", "--all"] + list(extra))

    @staticmethod
    def wire(stored):
        """A stored (LF) message as it goes between DATA and the dot."""
        lines = stored.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        return b"".join((b"." + ln if ln.startswith(b".") else ln) + b"\r\n"
                        for ln in lines) + b".\r\n"

    def assertFolders(self, sent=(), outbox=(), failed=(), res=None):
        self.assertEqual(sorted(self.folder("sent")), sorted(sent), res)
        self.assertEqual(sorted(self.folder("outbox")), sorted(outbox), res)
        self.assertEqual(sorted(self.folder("failed")), sorted(failed), res)
        # A failed message keeps its envelope in queue/ (editable).
        self.assertEqual(self.envelopes(), sorted(list(outbox) +
                                                  list(failed)), res)

    def test_next_envelope_goes_behind_the_dot(self):
        """Three messages, one session: the next RSET/MAIL/RCPT/DATA reach
        the server before it answers the dot (in the same segment as the
        dot), every message arrives byte for byte, each is filed in
        sent/ with the queue id of its own reply."""
        q = self.queue_msgs(3)
        srv = self.start_script(
            [GREETING] + ehlo("PIPELINING", "8BITMIME") +
            group_steps(rset=False) + [("read_data",)] +
            group_steps(b"250 2.0.0 Ok: queued as P0\r\n") +
            [("read_data",)] +
            group_steps(b"250 2.0.0 Ok: queued as P1\r\n") +
            [("read_data",), ("send", b"250 2.0.0 Ok: queued as P2\r\n"),
             ("expect", rb"^QUIT$"), ("send", b"221 bye\r\n"), ("close",)],
            step_timeout=5.0)
        res = self.flush(srv)
        self.assertExit(res, EX_OK)
        self.assertScriptOk(srv, res)
        self.assertEqual(srv.data, [self.wire(m) for _, m in q], res)
        # The dot and the next envelope left in one write.
        self.assertTrue(any(b"\r\n.\r\nRSET\r\nMAIL FROM:<" in c
                            for _, c in srv.chunks), srv.describe())
        self.assertFolders(sent=[i for i, _ in q], res=res)
        for (i, m), qid in zip(q, (b"P0", b"P1", b"P2")):
            self.assertEqual(self.folder("sent")[i], m)
            log = self.run_pigeon(["queue", "--config",
                                   self.plain_config(srv), "log", i])
            self.assertExit(log, EX_OK)
            self.assertIn(qid, log.out + log.err)

    def test_refused_dot_fails_that_message_only(self):
        """A 554 to the second message's dot: it goes to failed/, the
        first and the third (whose envelope was answered after that 554)
        are sent."""
        q = self.queue_msgs(3)
        srv = self.start_script(
            [GREETING] + ehlo("PIPELINING") +
            group_steps(rset=False) + [("read_data",)] +
            group_steps(OK) + [("read_data",)] +
            group_steps(b"554 5.7.1 content refused\r\n") +
            [("read_data",), ("send", OK), ("expect", rb"^QUIT$"),
             ("send", b"221 bye\r\n"), ("close",)],
            step_timeout=5.0)
        res = self.flush(srv)
        self.assertScriptOk(srv, res)
        self.assertEqual(srv.data, [self.wire(m) for _, m in q], res)
        self.assertFolders(sent=[q[0][0], q[2][0]], failed=[q[1][0]],
                           res=res)
        self.assertIn(b"content refused", res.out + res.err)

    def test_put_off_recipient_of_a_later_message(self):
        """A 451 to the second message's RCPT (in the group behind the
        first one's dot) and 554 to its DATA: it stays queued, the first
        and third are sent; the third goes after the second's envelope
        failed, so not behind a dot."""
        q = self.queue_msgs(3)
        srv = self.start_script(
            [GREETING] + ehlo("PIPELINING") +
            group_steps(rset=False) + [("read_data",)] +
            group_steps(OK, rcpt_reply=b"451 4.3.0 try later\r\n",
                        data_reply=b"554 5.5.1 no valid recipients\r\n") +
            group_steps() + [("read_data",), ("send", OK),
                             ("expect", rb"^QUIT$"),
                             ("send", b"221 bye\r\n"), ("close",)],
            step_timeout=5.0)
        res = self.flush(srv)
        self.assertScriptOk(srv, res)
        self.assertEqual(srv.data, [self.wire(q[0][1]), self.wire(q[2][1])],
                         res)
        self.assertFolders(sent=[q[0][0], q[2][0]], outbox=[q[1][0]],
                           res=res)
        # The recipient's own reply is kept with it.
        with open(os.path.join(self.data, "queue", q[1][0] + ".env"),
                  "rb") as f:
            self.assertIn(b"451", f.read())

    def test_drop_after_a_dot_leaves_it_and_the_next_queued(self):
        """The server reads the first message and the envelope behind its
        dot, then closes without a word: no reply to the dot is not sent,
        so all three stay queued; a later flush sends each once."""
        q = self.queue_msgs(3)
        srv = self.start_script(
            [GREETING] + ehlo("PIPELINING") +
            group_steps(rset=False) + [("read_data",)] +
            [("expect", rb"^RSET$"), ("expect", rb"^MAIL FROM:<"),
             ("expect", rb"^RCPT TO:<"), ("expect", rb"^DATA$"),
             ("close",)], step_timeout=5.0)
        res = self.flush(srv)
        self.assertScriptOk(srv, res)
        self.assertFolders(outbox=[i for i, _ in q], res=res)
        good = self.start_smtpd(tls="none", user=None)
        res = self.run_pigeon(["queue", "--config", self.plain_config(good),
                               "flush", "--all"])
        self.assertExit(res, EX_OK)
        got = good.messages()
        self.assertEqual([local_form(raw) for _, raw in got],
                         [m for _, m in q], res)
        self.assertFolders(sent=[i for i, _ in q], res=res)

    def test_without_pipelining_one_at_a_time(self):
        """No PIPELINING offered: every command waits for its reply, and
        the next message starts only after the dot's reply."""
        q = self.queue_msgs(2)
        steps = [GREETING] + ehlo("8BITMIME")
        for k in range(2):
            if k:
                steps += [("expect", rb"^RSET$"),
                          ("send", b"250 reset\r\n")]
            steps += [("expect", rb"^MAIL FROM:<", ALONE),
                      ("send", b"250 ok\r\n"),
                      ("expect", rb"^RCPT TO:<", ALONE),
                      ("send", b"250 ok\r\n"),
                      ("expect", rb"^DATA$", ALONE), ("send", GO),
                      ("read_data",), ("send", OK)]
        steps += [("expect", rb"^QUIT$", ALONE), ("send", b"221 bye\r\n"),
                  ("close",)]
        srv = self.start_script(steps, step_timeout=5.0)
        res = self.flush(srv)
        self.assertExit(res, EX_OK)
        self.assertScriptOk(srv, res)
        self.assertEqual(srv.data, [self.wire(m) for _, m in q], res)
        self.assertFolders(sent=[i for i, _ in q], res=res)

    def test_many_to_aiosmtpd_byte_for_byte(self):
        """Twenty messages to a real server that offers PIPELINING: each
        once, in order, byte for byte, all in sent/, one connection."""
        q = self.queue_msgs(20)
        srv = self.start_smtpd(tls="none", user=None)
        h = srv.handler
        orig = h.handle_EHLO
        conns = []

        async def handle_EHLO(server, session, envelope, hostname,
                              responses):
            responses = await orig(server, session, envelope, hostname,
                                   responses)
            conns.append(hostname)
            return responses[:-1] + ["250-PIPELINING", responses[-1]]

        h.handle_EHLO = handle_EHLO
        res = self.flush(srv, "-v")
        self.assertExit(res, EX_OK)
        got = srv.messages()
        self.assertEqual([local_form(raw) for _, raw in got],
                         [m for _, m in q], res)
        self.assertEqual(len(conns), 1, res)
        self.assertFolders(sent=[i for i, _ in q], res=res)

    def test_kill_with_the_next_envelope_behind_the_dot(self):
        """kill -9 while the server holds its reply to the first dot, the
        second envelope behind it: nothing is in sent/, nothing lost, and
        a later flush sends each message once."""
        q = self.queue_msgs(3)
        srv = self.start_script(
            [GREETING] + ehlo("PIPELINING") +
            group_steps(rset=False) + [("read_data",),
                                        ("expect", rb"^DATA$"), ("hang",)],
            step_timeout=5.0)
        proc = subprocess.Popen([pigeon_path(), "queue", "--config",
                                 self.plain_config(srv), "flush", "--all"],
                                env=self.env, cwd=self.tmp,
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        for _ in range(400):
            if b"".join(c for _, c in srv.chunks).count(b"DATA\r\n") >= 2:
                break
            time.sleep(0.025)
        else:
            self.fail("the second envelope never came behind the dot\n" +
                      srv.describe())
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        srv.stop()
        self.assertFolders(outbox=[i for i, _ in q])
        good = self.start_smtpd(tls="none", user=None)
        res = self.run_pigeon(["queue", "--config", self.plain_config(good),
                               "flush", "--all"])
        self.assertExit(res, EX_OK)
        self.assertEqual([local_form(raw) for _, raw in good.messages()],
                         [m for _, m in q], res)
        self.assertFolders(sent=[i for i, _ in q], res=res)
