# SPDX-License-Identifier: ISC
"""test_queue.py - the durable outbox: queueing, retries, partial deliveries, concurrent flushes, crashes, damaged files."""

import email
import email.policy
import os
import shutil
import signal
import subprocess
import time

from harness import (EX_OK, EX_TEMPFAIL, GREETING, PigeonTest, ehlo,
                     local_form,
                     pigeon_path, short_id)

MSG_ARGS = ["-s", "queued", "bob@example.org"]


class Queue(PigeonTest):

    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.env["XDG_DATA_HOME"], "pigeon")
        self.state = os.path.join(self.env["XDG_STATE_HOME"], "pigeon")

    def send(self, cfg, *args, body=b"hello\n"):
        return self.run_pigeon(["send", "--config", cfg] + list(args),
                               input=body)

    def queue(self, cfg, *args):
        return self.run_pigeon(["queue", "--config", cfg] + list(args))

    def test_server_down_queues_then_retry_sends(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        res = self.send(cfg, *MSG_ARGS)
        # Queued is accepted: exit 0 and when the next try is.
        self.assertExit(res, EX_OK)
        self.assertRegex(res.err, rb"is queued, next try at "
                         rb"([A-Za-z]+ )?[0-9]{2}:[0-9]{2}")
        self.assertNotIn(b"sent ", res.out)
        out = self.folder("outbox")
        self.assertEqual(len(out), 1)
        mid = list(out)[0]
        self.assertEqual(self.envelopes(), [mid])
        self.assertEqual(self.folder("sent"), {})
        lst = self.queue(cfg, "list")
        self.assertExit(lst, EX_OK)
        self.assertIn(short_id(mid).encode(), lst.out)
        self.assertIn(b"bob@example.org", lst.out)
        self.assertIn(b"attempts: 1", lst.out)
        # Not due yet: flush --due leaves it; retry sends it now.
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.assertExit(self.queue(cfg, "flush", "--due"), EX_OK)
        self.assertEqual(srv.messages(), [])
        res = self.queue(cfg, "retry", mid)
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(meta["rcpt_tos"], ["bob@example.org"])
        self.assertEqual(self.folder("outbox"), {})
        self.assertEqual(self.folder("sent")[mid], local_form(raw))
        self.assertEqual(self.envelopes(), [])
        # The envelope is kept with the sent message, and both attempts'
        # transcripts are there: the refused connection, then the send.
        self.assertTrue(os.path.exists(os.path.join(self.state, "log",
                                                    mid + ".env")))
        log = self.queue(cfg, "log", mid)
        self.assertExit(log, EX_OK)
        self.assertIn(b"== attempt 1: ", log.out)
        self.assertIn(b"stays queued, attempt 1", log.out)
        self.assertIn(b"== attempt 2: ", log.out)
        self.assertIn(b"> MAIL FROM:", log.out)
        self.assertIn(b"filed as sent", log.out)
        self.assertIn(b"delivered to <bob@example.org>", log.out)
        self.assertIn(b"The outbox is empty", self.queue(cfg, "list").out)

    def test_systemd_service_sends_what_is_due(self):
        # The unit "make" writes runs "pigeon queue flush --due" with the
        # default config and nothing else: run its ExecStart line as
        # systemd would, with the installed path pointed at this build.
        top = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        unit = os.path.join(top, "doc", "pigeon-queue.service")
        with open(unit, encoding="utf-8") as f:
            execs = [ln.split("=", 1)[1].split()
                     for ln in f.read().splitlines()
                     if ln.startswith("ExecStart=")]
        self.assertEqual(len(execs), 1)
        argv = execs[0]
        self.assertEqual(os.path.basename(argv[0]), "pigeon")
        self.assertEqual(argv[1:], ["queue", "flush", "--due"])
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.assertExit(self.send(cfg, *MSG_ARGS), EX_OK)
        # The server is up now; the default config names it.
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        conf_dir = os.path.join(self.env["XDG_CONFIG_HOME"], "pigeon")
        os.makedirs(conf_dir, mode=0o700, exist_ok=True)
        shutil.copy(cfg, os.path.join(conf_dir, "config"))
        # Not yet due: the timer's run sends nothing and succeeds.
        res = self.run_pigeon(argv[1:])
        self.assertExit(res, EX_OK)
        self.assertEqual(srv.messages(), [])
        # Due, as if five minutes had passed: it goes.
        self.make_due(self.envelopes()[0])
        res = self.run_pigeon(argv[1:])
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(meta["rcpt_tos"], ["bob@example.org"])
        self.assertEqual(self.folder("outbox"), {})
        self.assertEqual(self.envelopes(), [])

    def test_sent_message_is_filed_with_transcript(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.send(cfg, *MSG_ARGS)
        self.assertExit(res, EX_OK)
        _, raw = self.one_message(srv, res)
        sent = self.folder("sent")
        # Filed in the local form: LF line ends, no CR anywhere.
        self.assertEqual(list(sent.values()), [local_form(raw)])
        self.assertNotIn(b"\r", list(sent.values())[0])
        mid = list(sent)[0]
        res = self.queue(cfg, "log", mid)
        self.assertExit(res, EX_OK)
        log = res.out
        self.assertIn(b"<- 220 ", log)
        self.assertIn(b"MAIL FROM:", log)
        self.assertIn(b"[redacted]", log)
        self.assertIn(b"filed as sent", log)
        self.assertNotIn(b"s3cret", log)
        # Nothing in the logs shows the password either.
        for f in os.listdir(os.path.join(self.state, "log")):
            with open(os.path.join(self.state, "log", f), "rb") as fh:
                self.assertNotIn(b"s3cret", fh.read())
        self.assertEqual(self.folder("outbox"), {})
        res = self.queue(cfg, "log", "1.no.such")
        self.assertNotEqual(res.rc, EX_OK)
        self.assertIn(b"no transcript", res.err)

    def test_mixed_recipients(self):
        srv = self.start_smtpd(reject=["no@example.org"],
                               tempfail=["later@example.org"])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.send(cfg, "-s", "mixed", "yes@example.org",
                        "no@example.org", "later@example.org")
        self.assertExit(res, EX_OK)
        self.assertIn(b"no@example.org", res.err)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(meta["rcpt_tos"], ["yes@example.org"])
        mid = list(self.folder("outbox"))[0]
        # In sent/ for the one who has it, in the outbox for the rest.
        self.assertEqual(self.folder("sent"), {mid: local_form(raw)})
        srv.stop()
        srv2 = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv2.port)
        res = self.queue(cfg, "retry", mid)
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(srv2, res)
        # Only the one that was put off: never yes@ again, never no@.
        self.assertEqual(meta["rcpt_tos"], ["later@example.org"])
        self.assertIn(mid, self.folder("sent"))
        self.assertEqual(self.folder("outbox"), {})

    def test_all_refused_goes_to_failed_and_back_to_drafts(self):
        srv = self.start_smtpd(reject=["bob@example.org"])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.send(cfg, *MSG_ARGS)
        self.assertNotIn(res.rc, (EX_OK, EX_TEMPFAIL))
        self.assertIn(b"failed", res.err)
        failed = self.folder("failed")
        self.assertEqual(len(failed), 1)
        mid = list(failed)[0]
        self.assertIn(b"failed", self.queue(cfg, "list").out)
        res = self.queue(cfg, "edit", mid)
        self.assertExit(res, EX_OK)
        self.assertIn(mid, self.folder("drafts"))
        self.assertEqual(self.folder("failed"), {})
        self.assertEqual(self.envelopes(), [])

    def test_concurrent_flushes_send_each_message_once(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        for i in range(6):
            self.assertExit(self.send(cfg, "-s", "m%d" % i,
                                      "bob@example.org"), EX_OK)
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        argv = [pigeon_path(), "queue", "--config", cfg, "flush", "--all"]
        procs = [subprocess.Popen(argv, env=self.env, cwd=self.tmp,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
                 for _ in range(2)]
        for p in procs:
            p.communicate(timeout=60)
        subjects = sorted(m[1].split(b"Subject: ")[1].split(b"\r\n")[0]
                          for m in srv.messages())
        self.assertEqual(subjects, [b"m%d" % i for i in range(6)])
        self.assertEqual(len(self.folder("sent")), 6)
        self.assertEqual(self.folder("outbox"), {})

    def test_damaged_envelope_is_reported_and_kept(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.assertExit(self.send(cfg, *MSG_ARGS), EX_OK)
        self.assertExit(self.send(cfg, "-s", "two", "bob@example.org"),
                        EX_OK)
        ids = self.envelopes()
        bad = os.path.join(self.data, "queue", ids[0] + ".env")
        with open(bad, "r+b") as f:
            data = f.read()
            f.seek(0)
            f.write(data[:len(data) // 2])
            f.truncate()
        res = self.queue(cfg, "list")
        self.assertIn(ids[0].encode(), res.err)
        self.assertIn(short_id(ids[1]).encode(), res.out)
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.queue(cfg, "flush", "--all")
        self.assertEqual(len(srv.messages()), 1)
        self.assertTrue(os.path.exists(bad))
        self.assertIn(ids[0], self.folder("outbox"))

    def test_kill_during_data_loses_nothing(self):
        """kill -9 while the server has not answered the final dot."""
        srv = self.start_script([GREETING] + ehlo("8BITMIME") + [
            ("expect", rb"^MAIL FROM:"), ("send", b"250 ok\r\n"),
            ("expect", rb"^RCPT TO:"), ("send", b"250 ok\r\n"),
            ("expect", rb"^DATA"), ("send", b"354 go\r\n"),
            ("read_data",), ("hang",)])
        proc = self.spawn(["send", "--config", self.plain_config(srv), "-s",
                           "killed", "bob@example.org"], b"body\n")
        self.wait_for(lambda: srv.data, "the data at the server")
        raw = self.kill_then_retry(proc, srv)
        self.assertIn(b"Subject: killed", raw)

    def test_flush_files_each_outcome_with_its_own_transcript(self):
        """One connection, three messages: sent, refused, put off.  Each
        is filed where it belongs, and pigeon queue log shows each its own
        part of the connection (the one before it is filed while the next
        is on its way)."""
        offline = self.write_config("smtp://127.0.0.1:1")
        for sub, rcpt in (("m0", "yes@example.org"), ("m1", "no@example.org"),
                          ("m2", "later@example.org")):
            self.assertExit(self.send(offline, "-s", sub, rcpt), EX_OK)
            time.sleep(0.01)
        ids = sorted(self.folder("outbox"))
        srv = self.start_smtpd(reject=["no@example.org"],
                               tempfail=["later@example.org"])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.queue(cfg, "flush", "--all")
        # The status of the first trouble: the refused recipient.
        self.assertNotIn(res.rc, (EX_OK, EX_TEMPFAIL))
        # The server's words once, with their code once.
        self.assertIn(b"<no@example.org> rejected: 550 5.1.1", res.err)
        self.assertIn(b"put off: 450 4.2.0", res.err)
        self.assertEqual([m[0]["rcpt_tos"] for m in srv.messages()],
                         [["yes@example.org"]])
        self.assertEqual(set(self.folder("sent")), {ids[0]})
        self.assertEqual(set(self.folder("failed")), {ids[1]})
        self.assertEqual(set(self.folder("outbox")), {ids[2]})
        self.assertEqual(self.envelopes(), ids[1:])
        logs = [self.queue(cfg, "log", i).out for i in ids]
        self.assertIn(b"filed as sent", logs[0])
        self.assertIn(b"delivered to <yes@example.org>", logs[0])
        self.assertIn(b"failed: ", logs[1])
        self.assertIn(b"refused: <no@example.org>", logs[1])
        self.assertIn(b"stays queued, attempt 2", logs[2])
        self.assertIn(b"<later@example.org>", logs[2])
        # Each has its own part of the connection's transcript only.
        for k, log in enumerate(logs):
            attempt = log.split(b"== attempt 2: ")[1]
            for j in range(3):
                if j != k:
                    self.assertNotIn(ids[j].encode() + b":", attempt)
            self.assertIn(ids[k].encode() + b":", attempt)

    # -- kill -9 at more points of a send --------------------------------

    def spawn(self, args, body=None):
        """pigeon ARGS in the background, BODY on its standard input."""
        proc = subprocess.Popen([pigeon_path()] + args, env=self.env,
                                cwd=self.tmp, stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        if body is not None:
            proc.stdin.write(body)
        proc.stdin.close()
        return proc

    def wait_for(self, cond, what):
        for _ in range(400):
            if cond():
                return
            time.sleep(0.025)
        self.fail("never happened: " + what)

    def kill(self, proc):
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def plain_config(self, srv):
        return self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                 user=None, password_command=None)

    def kill_then_retry(self, proc, srv):
        """kill -9 proc: its one message must be queued, not sent; retry
        it at a good server.  Returns what that server got."""
        self.kill(proc)
        srv.stop()
        out = self.folder("outbox")
        self.assertEqual(len(out), 1)
        mid = list(out)[0]
        self.assertEqual(self.envelopes(), [mid])
        self.assertEqual(self.folder("sent"), {})
        good = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % good.port)
        res = self.queue(cfg, "retry", mid)
        self.assertExit(res, EX_OK)
        _, raw = self.one_message(good, res)
        self.assertEqual(self.folder("sent"), {mid: local_form(raw)})
        self.assertEqual(self.folder("outbox"), {})
        self.assertEqual(self.envelopes(), [])
        return raw

    def test_kill_after_ehlo_loses_nothing(self):
        """kill -9 after EHLO, while the server holds its reply to MAIL."""
        srv = self.start_script([GREETING] + ehlo("8BITMIME") + [("hang",)])
        proc = self.spawn(["send", "--config", self.plain_config(srv), "-s",
                           "after ehlo", "bob@example.org"], b"body\n")
        self.wait_for(lambda: any(b"MAIL FROM:" in c for _, c in srv.chunks),
                      "MAIL FROM after EHLO")
        raw = self.kill_then_retry(proc, srv)
        self.assertIn(b"Subject: after ehlo", raw)

    def test_kill_mid_data_loses_nothing(self):
        """kill -9 part way through the message: the server has read 64 KiB
        of 12 MiB and reads no more, so pigeon is blocked writing."""
        srv = self.start_script([GREETING] + ehlo("8BITMIME") + [
            ("expect", rb"^MAIL FROM:"), ("send", b"250 ok\r\n"),
            ("expect", rb"^RCPT TO:"), ("send", b"250 ok\r\n"),
            ("expect", rb"^DATA"), ("send", b"354 go\r\n"),
            ("read_bytes", 65536), ("stall",)])
        line = b"x" * 75 + b"\n"
        body = b"Subject: big\n\n" + line * (12 * 1024 * 1024 // len(line))
        proc = self.spawn(["sendmail", "--config", self.plain_config(srv),
                           "bob@example.org"], body)
        self.wait_for(lambda: srv.data, "the first 64 KiB at the server")
        time.sleep(0.1)
        self.assertIsNone(proc.poll(), "pigeon did not wait for the server")
        raw = self.kill_then_retry(proc, srv)
        self.assertEqual(raw.count(b"x" * 75), len(body) // len(line))

    def queue_three(self):
        """Three messages queued while the server is down, oldest first."""
        offline = self.write_config("smtp://127.0.0.1:1")
        for i in range(3):
            self.assertExit(self.send(offline, "-s", "m%d" % i,
                                      "bob@example.org"), EX_OK)
            # Ids sort by time: keep them apart.
            time.sleep(0.01)
        ids = sorted(self.folder("outbox"))
        self.assertEqual(len(ids), 3)
        return ids

    @staticmethod
    def one_transaction(reply):
        return [("expect", rb"^MAIL FROM:"), ("send", b"250 ok\r\n"),
                ("expect", rb"^RCPT TO:"), ("send", b"250 ok\r\n"),
                ("expect", rb"^DATA"), ("send", b"354 go\r\n"),
                ("read_data",)] + ([("send", reply)] if reply else [])

    def flush_to_good_server(self, expect_subjects):
        """Flush the rest to a good server; it must get exactly these."""
        good = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % good.port)
        res = self.queue(cfg, "flush", "--all")
        self.assertExit(res, EX_OK)
        got = sorted(m[1].split(b"Subject: ")[1].split(b"\r\n")[0].decode()
                     for m in good.messages())
        self.assertEqual(got, sorted(expect_subjects))
        self.assertEqual(self.folder("outbox"), {})
        self.assertEqual(self.envelopes(), [])
        return res

    def test_kill_flush_waiting_for_a_reply_after_the_dot(self):
        """pigeon queue flush killed while the server holds its reply to
        the second message's dot: the first is sent and never again, the
        second (the one window where a duplicate is allowed) and third go
        at the next flush."""
        ids = self.queue_three()
        srv = self.start_script(
            [GREETING] + ehlo("8BITMIME") +
            self.one_transaction(b"250 2.0.0 Ok: queued as A1\r\n") +
            [("expect", rb"^RSET"), ("send", b"250 ok\r\n")] +
            self.one_transaction(None) + [("hang",)])
        proc = self.spawn(["queue", "--config", self.plain_config(srv),
                           "flush", "--all"])
        self.wait_for(lambda: len(srv.data) == 2, "two messages' data")
        self.kill(proc)
        srv.stop()
        self.assertEqual(set(self.folder("sent")), {ids[0]})
        self.assertEqual(set(self.folder("outbox")), set(ids[1:]))
        self.assertEqual(self.envelopes(), ids[1:])
        self.flush_to_good_server(["m1", "m2"])
        self.assertEqual(set(self.folder("sent")), set(ids))

    def test_kill_flush_around_a_250(self):
        """pigeon queue flush killed at several moments after the server's
        250 for the first message: every message ends in sent/ exactly
        once, and nothing is lost."""
        for delay in (0.0, 0.02, 0.3):
            with self.subTest(delay=delay):
                ids = self.queue_three()
                srv = self.start_script(
                    [GREETING] + ehlo("8BITMIME") +
                    self.one_transaction(b"250 2.0.0 Ok: queued as B1\r\n")
                    + [("hang",)])
                proc = self.spawn(["queue", "--config",
                                   self.plain_config(srv), "flush", "--all"])
                self.wait_for(lambda: len(srv.data) == 1, "the first data")
                time.sleep(delay)
                self.kill(proc)
                srv.stop()
                out, sent = self.folder("outbox"), self.folder("sent")
                self.assertEqual(set(out) | set(sent), set(ids))
                self.assertEqual(set(out) & set(sent), set())
                self.assertTrue(set(ids[1:]) <= set(out))
                rest = ["m%d" % i for i in range(3) if ids[i] in out]
                self.flush_to_good_server(rest)
                self.assertEqual(set(self.folder("sent")), set(ids))
                # Each message once in sent/, with its envelope in log/.
                for i in ids:
                    self.assertTrue(os.path.exists(
                        os.path.join(self.state, "log", i + ".env")))
                shutil.rmtree(self.data)

    def test_disk_full_queues_nothing(self):
        self.need_test_hooks()
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.env["PIGEON_TEST_FAULT"] = "enospc:1"
        res = self.send(cfg, *MSG_ARGS)
        del self.env["PIGEON_TEST_FAULT"]
        self.assertNotIn(res.rc, (EX_OK, EX_TEMPFAIL))
        self.assertIn(b"No space left on device", res.err)
        self.assertEqual(self.folder("outbox"), {})
        self.assertEqual(self.envelopes(), [])

    def test_read_only_outbox_queues_nothing(self):
        self.need_test_hooks()
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.env["PIGEON_TEST_FAULT"] = "erofs"
        res = self.send(cfg, *MSG_ARGS)
        del self.env["PIGEON_TEST_FAULT"]
        self.assertNotIn(res.rc, (EX_OK, EX_TEMPFAIL))
        self.assertIn(b"Read-only file system", res.err)
        self.assertNotIn(b"queued", res.err)
        self.assertEqual(self.folder("outbox"), {})

    def test_kill_before_the_greeting_loses_nothing(self):
        """kill -9 while the server has not even said hello."""
        srv = self.start_script([("hang",)])
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None)
        proc = subprocess.Popen([pigeon_path(), "sendmail", "--config", cfg,
                                 "bob@example.org"],
                                env=self.env, cwd=self.tmp,
                                stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        proc.stdin.write(b"Subject: early\n\nbody\n")
        proc.stdin.close()
        for _ in range(100):
            if self.envelopes():
                break
            time.sleep(0.05)
        time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        srv.stop()
        out = self.folder("outbox")
        self.assertEqual(len(out), 1)
        self.assertIn(b"Subject: early", list(out.values())[0])
        self.assertEqual(self.envelopes(), list(out))
        lst = self.queue(self.write_config("smtp://127.0.0.1:1"), "list")
        self.assertIn(short_id(list(out)[0]).encode(), lst.out)

    def test_kill_after_the_250_files_it_once(self):
        """kill -9 around the server's 250 to the data: in exactly one of
        outbox/ and sent/, and a flush finishes the job."""
        for delay in (0.0, 0.05, 0.3):
            with self.subTest(delay=delay):
                srv = self.start_script([GREETING] + ehlo("8BITMIME") + [
                    ("expect", rb"^MAIL FROM:"), ("send", b"250 ok\r\n"),
                    ("expect", rb"^RCPT TO:"), ("send", b"250 ok\r\n"),
                    ("expect", rb"^DATA"), ("send", b"354 go\r\n"),
                    ("read_data",),
                    ("send", b"250 2.0.0 Ok: queued as K1\r\n"),
                    ("hang",)])
                cfg = self.write_config(
                    "smtp+plain://127.0.0.1:%d" % srv.port, user=None,
                    password_command=None)
                proc = subprocess.Popen(
                    [pigeon_path(), "send", "--config", cfg, "-s",
                     "k%s" % delay, "bob@example.org"],
                    env=self.env, cwd=self.tmp, stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                proc.stdin.write(b"body\n")
                proc.stdin.close()
                for _ in range(100):
                    if srv.data:
                        break
                    time.sleep(0.05)
                time.sleep(delay)
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
                srv.stop()
                out, sent = self.folder("outbox"), self.folder("sent")
                self.assertEqual(len(out) + len(sent), 1, (out, sent))
                self.assertEqual(set(out) & set(sent), set())
                good = self.start_smtpd()
                gcfg = self.write_config("smtp://127.0.0.1:%d" % good.port)
                self.assertExit(self.queue(gcfg, "flush", "--all"), EX_OK)
                self.assertEqual(self.folder("outbox"), {})
                self.assertEqual(len(self.folder("sent")), 1)
                self.assertEqual(self.envelopes(), [])
                # Start the next round from nothing.
                good.stop()
                shutil.rmtree(self.data)


class StoppedWhileComposing(PigeonTest):
    """SIGHUP (the SSH link dropped) or SIGTERM while pigeon send is still
    reading the text: what was typed is saved as a draft."""

    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.env["XDG_DATA_HOME"], "pigeon")
        self.state = os.path.join(self.env["XDG_STATE_HOME"], "pigeon")

    def drafts(self):
        out = {}
        for sub in ("new", "cur"):
            d = os.path.join(self.data, "drafts", sub)
            for f in os.listdir(d) if os.path.isdir(d) else []:
                with open(os.path.join(d, f), "rb") as fh:
                    out[f] = fh.read()
        return out

    def wait_reading_stdin(self, proc):
        """Until pigeon waits in read(0, ...): what we wrote is in."""
        path = "/proc/%d/syscall" % proc.pid
        for _ in range(400):
            try:
                with open(path) as f:
                    fields = f.read().split()
            except OSError:
                fields = []
            if len(fields) > 1 and fields[0] == "0" and \
                    int(fields[1], 16) == 0:
                return
            time.sleep(0.025)
        self.fail("pigeon never waited for more text")

    def stop_while_typing(self, sig, typed, use_pty):
        cfg = self.write_config("smtp://127.0.0.1:1")
        argv = [pigeon_path(), "send", "--config", cfg, "-s", "Grüße",
                "-c", "carol@example.org", "-b", "hidden@example.org",
                "bob@example.org"]
        if use_pty:
            import pty
            master, slave = pty.openpty()
            proc = subprocess.Popen(argv, env=self.env, cwd=self.tmp,
                                    stdin=slave, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            os.close(slave)
            os.write(master, typed.replace(b"\n", b"\r"))
        else:
            proc = subprocess.Popen(argv, env=self.env, cwd=self.tmp,
                                    stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            proc.stdin.write(typed)
            proc.stdin.flush()
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        self.wait_reading_stdin(proc)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
        if use_pty:
            os.close(master)
        else:
            proc.stdin.close()
        return proc.returncode, err

    def check_draft(self, text):
        drafts = self.drafts()
        self.assertEqual(len(drafts), 1)
        name, raw = list(drafts.items())[0]
        self.assertTrue(name.endswith(":2,D"), name)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(str(msg["Subject"]), "Grüße")
        self.assertEqual(str(msg["To"]), "bob@example.org")
        self.assertEqual(str(msg["Cc"]), "carol@example.org")
        # A draft keeps its Bcc, as mutt's do.
        self.assertEqual(str(msg["Bcc"]), "hidden@example.org")
        self.assertEqual(msg.get_content().replace("\r\n", "\n"), text)
        # Nothing was queued or sent.
        self.assertFalse(os.listdir(os.path.join(self.data, "outbox",
                                                 "new")))

    def test_sigterm_saves_the_text_so_far(self):
        rc, err = self.stop_while_typing(signal.SIGTERM,
                                         b"Hello Bob,\n\nhalf a", False)
        self.assertEqual(rc, -signal.SIGTERM)
        self.assertIn(b"saved as draft", err)
        self.check_draft("Hello Bob,\n\nhalf a\n")

    def test_sighup_on_a_terminal_saves_the_text_so_far(self):
        # The terminal's line discipline hands over whole lines.
        rc, _ = self.stop_while_typing(
            signal.SIGHUP, "Grüße,\nhalb geschrieben\n".encode(), True)
        self.assertEqual(rc, -signal.SIGHUP)
        self.check_draft("Grüße,\nhalb geschrieben\n")

    def test_cut_character_is_dropped(self):
        rc, _ = self.stop_while_typing(
            signal.SIGTERM, "schö".encode()[:-1], False)
        self.assertEqual(rc, -signal.SIGTERM)
        self.check_draft("sch\n")
