# SPDX-License-Identifier: ISC
"""test_pipeline.py - queued mail handed over by sendmail is accepted, goes out later by itself, and never twice."""

import email
import email.policy
import os
import signal
import subprocess
import time

from harness import (EX_DATAERR, EX_OK, EX_TEMPFAIL, FROM_HEADER, PigeonTest,
                     free_port, pigeon_path, short_id)

QUEUED = rb"queued, next try at ([A-Za-z]+ )?[0-9]{2}:[0-9]{2}"


def mutt_message(subject, msgid):
    """A message as mutt hands it to "sendmail -oi -t": Bcc in the header,
    LF line ends, a line with a lone dot in the text."""
    return ("From: %s\n"
            "To: Bob <bob@example.org>\n"
            "Cc: carol@example.org\n"
            "Bcc: hidden@example.org\n"
            "Subject: %s\n"
            "Message-ID: <%s>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: 8bit\n"
            "\n"
            "Grüße.\n"
            ".\n"
            "The end.\n" % (FROM_HEADER, subject, msgid)).encode()


class Handover(PigeonTest):
    """pigeon as the sendmail of mutt, git send-email and cron."""

    def setUp(self):
        super().setUp()
        self.port = free_port()
        self.cfg = self.write_config("smtp://127.0.0.1:%d" % self.port)
        # A flush behind a send runs detached: it must not outlive the
        # test and write into a directory that is being removed.
        self.addCleanup(self.end_leftovers)

    def pigeons_left(self):
        """Pids of pigeon processes still running in this test's directory
        (each run has it as its working directory; a detached flush keeps
        it)."""
        exe = os.path.realpath(pigeon_path())
        here = os.path.realpath(self.tmp)
        pids = []
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                if os.readlink("/proc/%s/cwd" % p) == here and \
                        os.readlink("/proc/%s/exe" % p) == exe:
                    pids.append(int(p))
            except OSError:
                pass
        return pids

    def end_leftovers(self):
        for pid in self.pigeons_left():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while self.pigeons_left() and time.monotonic() < deadline:
            time.sleep(0.02)

    def mutt(self, subject, msgid):
        return self.sendmail(self.cfg, mutt_message(subject, msgid),
                             "-oi", "-t")

    def ids_at(self, srv):
        """The Message-ID of each message the server received, in order."""
        return [email.message_from_bytes(raw)["Message-ID"]
                for _, raw in srv.messages()]

    def wait_messages(self, srv, n, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(srv.messages()) < n:
            time.sleep(0.05)
        return srv.messages()

    def test_server_down_is_accepted_then_delivered_once(self):
        res = self.mutt("while down", "down.1@example.org")
        # Accepted: mutt and git report success and never send it again.
        self.assertExit(res, EX_OK)
        self.assertRegex(res.err, QUEUED)
        self.assertEqual(res.out, b"")
        self.assertEqual(len(self.outbox()), 1)
        mid = self.outbox()[0]
        srv = self.start_smtpd(port=self.port)
        # What the timer runs: nothing is due yet, nothing goes.
        flush = ["queue", "--config", self.cfg, "flush", "--due"]
        self.assertExit(self.run_pigeon(flush), EX_OK)
        self.spool_empty(srv)
        self.make_due(mid)
        res = self.run_pigeon(flush)
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["bob@example.org", "carol@example.org",
                          "hidden@example.org"])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertIsNone(msg["Bcc"])
        self.assertEqual(msg["Message-ID"], "<down.1@example.org>")
        self.assertEqual(msg.get_content().replace("\r\n", "\n"),
                         "Grüße.\n.\nThe end.\n")
        # Filed in sent/ in the local form: LF only, no CR anywhere.
        sent = self.folder("sent")
        self.assertEqual(list(sent), [mid])
        self.assertNotIn(b"\r", sent[mid])
        self.assertIn(b"\nGr\xc3\xbc\xc3\x9fe.\n.\nThe end.\n", sent[mid])
        # Every later run, due or not, finds nothing to send.
        self.assertExit(self.run_pigeon(flush), EX_OK)
        self.assertExit(self.run_pigeon(
            ["queue", "--config", self.cfg, "flush"]), EX_OK)
        self.assertEqual(len(srv.messages()), 1)

    def test_next_send_takes_due_mail_along_behind_it(self):
        self.assertExit(self.mutt("first", "first@example.org"), EX_OK)
        self.make_due(self.outbox()[0])
        srv = self.start_smtpd(port=self.port)
        res = self.mutt("second", "second@example.org")
        self.assertExit(res, EX_OK)
        # Its own message is delivered before it exits; the older one
        # follows from a detached process, once.
        self.assertEqual(self.ids_at(srv)[0], "<second@example.org>")
        self.wait_messages(srv, 2)
        time.sleep(0.5)
        self.assertEqual(sorted(self.ids_at(srv)),
                         ["<first@example.org>", "<second@example.org>"])
        deadline = time.monotonic() + 10
        while self.outbox() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.outbox(), [])
        self.assertEqual(len(self.folder("sent")), 2)
        for raw in self.folder("sent").values():
            self.assertNotIn(b"\r", raw)
        # And the background run ends by itself.
        deadline = time.monotonic() + 10
        while self.pigeons_left() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.pigeons_left(), [])

    def test_flush_after_send_off_leaves_the_queue_alone(self):
        self.cfg = self.write_config("smtp://127.0.0.1:%d" % self.port,
                                     flush_after_send="no")
        self.assertExit(self.mutt("first", "first@example.org"), EX_OK)
        self.make_due(self.outbox()[0])
        srv = self.start_smtpd(port=self.port)
        self.assertExit(self.mutt("second", "second@example.org"), EX_OK)
        time.sleep(1.5)
        self.assertEqual(self.ids_at(srv), ["<second@example.org>"])
        self.assertEqual(len(self.outbox()), 1)

    def test_a_send_that_queues_flushes_nothing(self):
        # A due message and a server still down: the new one is queued
        # too, and no background run starts (it would only fail again).
        self.assertExit(self.mutt("first", "first@example.org"), EX_OK)
        first = self.outbox()[0]
        self.make_due(first)
        res = self.mutt("second", "second@example.org")
        self.assertExit(res, EX_OK)
        self.assertRegex(res.err, QUEUED)
        self.assertEqual(len(self.outbox()), 2)
        time.sleep(1)
        lst = self.run_pigeon(["queue", "--config", self.cfg, "list"])
        self.assertExit(lst, EX_OK)
        # Its entry: the id line, then "to:", then "attempts:".
        lines = lst.out.split(b"\n")
        at = [i for i, ln in enumerate(lines)
              if ln.startswith(short_id(first).encode())]
        self.assertEqual(len(at), 1, lst.out)
        self.assertTrue(lines[at[0] + 2].startswith(b"    attempts: 1,"),
                        lst.out)

    def test_no_queue_exits_75_and_keeps_nothing(self):
        res = self.sendmail(self.cfg, mutt_message("now or never",
                                                   "nq@example.org"),
                            "-oi", "-t", "--no-queue")
        self.assertExit(res, EX_TEMPFAIL)
        self.assertNotRegex(res.err, QUEUED)
        self.assertEqual(self.outbox(), [])
        self.assertEqual(self.envelopes(), [])
        self.assertEqual(self.folder("failed"), {})

    def test_concurrent_timer_runs_send_once(self):
        for i in range(5):
            self.assertExit(self.mutt("m%d" % i, "m%d@example.org" % i),
                            EX_OK)
        for mid in self.outbox():
            self.make_due(mid)
        srv = self.start_smtpd(port=self.port)
        argv = [pigeon_path(), "queue", "--config", self.cfg, "flush",
                "--due"]
        procs = [subprocess.Popen(argv, env=self.env, cwd=self.tmp,
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
                 for _ in range(3)]
        for p in procs:
            self.assertEqual(p.wait(timeout=60), EX_OK)
        self.assertEqual(sorted(self.ids_at(srv)),
                         ["<m%d@example.org>" % i for i in range(5)])
        self.assertEqual(self.outbox(), [])

    def test_edit_of_a_damaged_message_keeps_it(self):
        # Given whole to sendmail, sent as given: a multipart cut off.
        parts = b"".join(b"--b\nContent-Type: text/plain\n\npart %d\n" % i
                         for i in range(10000))
        msg = (b"From: " + FROM_HEADER.encode() + b"\n"
               b"To: bob@example.org\nSubject: cut\nMIME-Version: 1.0\n"
               b"Content-Type: multipart/mixed; boundary=b\n\n" + parts)
        self.assertExit(self.sendmail(self.cfg, msg, "-oi", "-t"), EX_OK)
        mid = self.outbox()[0]
        before = self.folder("outbox")[mid]
        res = self.run_pigeon(["queue", "--config", self.cfg, "edit", mid])
        self.assertExit(res, EX_DATAERR)
        self.assertIn(b"cannot be read whole", res.err)
        self.assertIn(b"ends early", res.err)
        self.assertIn(b"more parts than pigeon", res.err)
        self.assertIn(b"stays where it is", res.err)
        # Nothing lost: the message and its envelope are as they were,
        # and what could be read is a draft of its own.
        self.assertEqual(self.folder("outbox"), {mid: before})
        self.assertEqual(self.envelopes(), [mid])
        drafts = self.folder("drafts")
        self.assertEqual(len(drafts), 1)
        self.assertNotIn(mid, drafts)
        self.assertIn(b"Subject: cut\n", list(drafts.values())[0])
        self.assertNoRawControls(res)

    def test_greylisted_then_flushed_never_twice(self):
        """mutt runs "sendmail -oi -t", takes a non-zero exit for "not
        sent" and sends again: a queued message must exit 0."""
        srv = self.start_smtpd(tempfail=["bob@example.org"])
        self.cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.mutt("mutt one", "one@example.org")
        # carol and hidden have it; bob is put off: still accepted.
        self.assertExit(res, EX_OK)
        self.assertRegex(res.err, QUEUED)
        self.assertIn(b"450", res.err)
        meta, _ = self.one_message(srv, res)
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["carol@example.org", "hidden@example.org"])
        self.assertEqual(len(self.outbox()), 1)
        # Greylisting over: the server takes bob now, and only bob.
        srv.handler.tempfail.clear()
        flush = ["queue", "--config", self.cfg, "flush"]
        self.assertExit(self.run_pigeon(flush), EX_OK)
        self.assertEqual(self.ids_at(srv), ["<one@example.org>"] * 2)
        self.assertEqual(srv.messages()[1][0]["rcpt_tos"],
                         ["bob@example.org"])
        self.assertEqual(self.outbox(), [])
        # Sent at once: filed as sent, never queued, never again.
        res = self.mutt("mutt two", "two@example.org")
        self.assertExit(res, EX_OK)
        self.assertNotIn(b"queued", res.err)
        for args in (["flush", "--due"], ["flush"]):
            self.assertExit(self.run_pigeon(
                ["queue", "--config", self.cfg] + args), EX_OK)
        self.assertEqual(self.ids_at(srv), ["<one@example.org>"] * 2 +
                         ["<two@example.org>"])
        self.assertEqual(self.outbox(), [])
        self.assertEqual(self.envelopes(), [])
        self.assertEqual(len(self.folder("sent")), 2)

    def test_queue_edit_keeps_bcc(self):
        self.assertExit(self.mutt("with a blind copy", "bcc@example.org"),
                        EX_OK)
        mid = self.outbox()[0]
        res = self.run_pigeon(["queue", "--config", self.cfg, "edit", mid])
        self.assertExit(res, EX_OK)
        drafts = self.folder("drafts")
        self.assertEqual(list(drafts), [mid])
        raw = drafts[mid]
        self.assertNotIn(b"\r", raw)
        draft = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(str(draft["To"]), "Bob <bob@example.org>")
        self.assertEqual(str(draft["Cc"]), "carol@example.org")
        self.assertEqual(str(draft["Bcc"]), "hidden@example.org")
        self.assertEqual(str(draft["Subject"]), "with a blind copy")
        self.assertEqual(str(draft["From"]), FROM_HEADER)
        self.assertEqual(draft.get_content(), "Grüße.\n.\nThe end.\n")
        self.assertEqual(str(draft["X-Pigeon-Account"]), "test")
        self.assertEqual(self.outbox(), [])
        self.assertEqual(self.envelopes(), [])

    def test_8bit_queued_message_downgraded_for_a_server_without_8bitmime(
            self):
        text = "Grüße aus Köln,\n€ 100 für 東京.\n"
        res = self.run_pigeon(["send", "--config", self.cfg, "-s", "Grüße",
                               "bob@example.org"], input=text.encode())
        self.assertExit(res, EX_OK)
        self.assertRegex(res.err, QUEUED)
        mid = self.outbox()[0]
        # Queued as it would go to a server with 8BITMIME: 8bit.
        self.assertIn("Grüße aus Köln".encode(), self.folder("outbox")[mid])
        srv = self.start_smtpd(port=self.port, no_8bitmime=True)
        res = self.run_pigeon(["queue", "--config", self.cfg, "flush"])
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertNotIn("BODY=8BITMIME", meta["mail_options"])
        self.assertFalse(any(c >= 0x80 for c in raw), raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg["Content-Transfer-Encoding"], "quoted-printable")
        self.assertEqual(msg.get_content().replace("\r\n", "\n"), text)
        self.assertEqual(str(msg["Subject"]), "Grüße")
        self.assertNotIn(b"\r", self.folder("sent")[mid])
