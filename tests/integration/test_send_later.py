# SPDX-License-Identifier: ISC
"""test_send_later.py - send --at: held in the outbox until its time, flushes leave it, retry sends it early, bad times refused."""

import calendar
import os
import re
import time
import zlib

from harness import EX_OK, EX_USAGE, PigeonTest, short_id

BODY = b"see you then\n"

# Central European time as a POSIX rule (no tzdata needed).
TZ_CET = "CET-1CEST,M3.5.0,M10.5.0/3"


class SendLater(PigeonTest):

    def setUp(self):
        super().setUp()
        self.srv = self.start_smtpd()
        self.cfg = self.write_config("smtp://127.0.0.1:%d" % self.srv.port)

    def send(self, *args):
        return self.run_pigeon(["send", "--config", self.cfg, "-s", "later"]
                               + list(args) + ["bob@example.org"],
                               input=BODY)

    def queue(self, *args):
        return self.run_pigeon(["queue", "--config", self.cfg] + list(args))

    def env_path(self, mid):
        return os.path.join(self.env["XDG_DATA_HOME"], "pigeon", "queue",
                            mid + ".env")

    def env_lines(self, mid):
        with open(self.env_path(mid), "rb") as f:
            return f.read().splitlines()

    def not_before(self, mid):
        got = [int(ln.split()[1]) for ln in self.env_lines(mid)
               if ln.startswith(b"not-before ")]
        self.assertEqual(len(got), 1, self.env_lines(mid))
        return got[0]

    def make_held_due(self, mid, ago=60):
        """As harness.make_due() for the next try: the envelope's
        not-before line set ago seconds back (its checksum made again),
        and the file time, which mirrors when it is due."""
        path = self.env_path(mid)
        when = int(time.time()) - ago
        with open(path, "rb") as f:
            lines = f.read().splitlines(True)
        body = b"".join(b"not-before %d\n" % when
                        if ln.startswith(b"not-before ") else ln
                        for ln in lines[:-1])
        with open(path, "wb") as f:
            f.write(body + b"end %08x\n" % zlib.crc32(body))
        os.utime(path, (when, when))

    def held_one(self, *args):
        """send --at ARGS: exit 0, one message held; its id and result."""
        before = time.time()
        res = self.send(*args)
        self.assertExit(res, EX_OK)
        out = self.outbox()
        self.assertEqual(len(out), 1, res)
        mid = out[0]
        self.assertIn(b"queued: held until ", res.out)
        self.assertIn(mid.encode(), res.out)
        self.spool_empty(self.srv, res)
        self.assertEqual(self.envelopes(), [mid])
        # The file time says when it is due: no reading to find out.
        self.assertEqual(int(os.stat(self.env_path(mid)).st_mtime),
                         self.not_before(mid))
        self.assertGreater(self.not_before(mid), before)
        return mid, res

    def test_flushes_leave_it_until_due(self):
        mid, res = self.held_one("--at", "+1h")
        # About an hour from now (the parse and the check a moment apart).
        self.assertAlmostEqual(self.not_before(mid), time.time() + 3600,
                               delta=30)
        # Neither flush sends it before its time; the plain one says why.
        fl = self.queue("flush")
        self.assertExit(fl, EX_OK)
        self.assertIn(b"is held until ", fl.err)
        self.assertIn(b"pigeon queue retry " + mid.encode(), fl.err)
        self.assertExit(self.queue("flush", "--due"), EX_OK)
        self.spool_empty(self.srv)
        # Nor does the flush after another send.
        other = self.run_pigeon(["send", "--config", self.cfg, "-s", "now",
                                 "carol@example.org"], input=b"now\n")
        self.assertExit(other, EX_OK)
        time.sleep(1.0)     # the flush behind a send runs detached
        msgs = self.srv.messages()
        self.assertEqual([m["rcpt_tos"] for m, _ in msgs],
                         [["carol@example.org"]], other)
        self.assertEqual(self.outbox(), [mid])
        # The list shows the time it will go.
        lst = self.queue("list")
        self.assertExit(lst, EX_OK)
        shown = time.strftime("%Y-%m-%d %H:%M",
                              time.gmtime(self.not_before(mid)))
        self.assertIn(b"held until " + shown.encode(), lst.out)
        self.assertIn(short_id(mid).encode(), lst.out)
        # Its time has come: the next flush sends it.
        self.make_held_due(mid)
        fl = self.queue("flush", "--due")
        self.assertExit(fl, EX_OK)
        msgs = self.srv.messages()
        self.assertEqual(len(msgs), 2, fl)
        self.assertEqual(msgs[1][0]["rcpt_tos"], ["bob@example.org"])
        self.assertIn(BODY.rstrip(), msgs[1][1])
        self.assertEqual(self.outbox(), [])
        self.assertIn(mid, self.folder("sent"))

    def test_retry_sends_it_early(self):
        mid, _ = self.held_one("--at", "+1d")
        res = self.queue("retry", short_id(mid))
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(self.srv, res)
        self.assertEqual(meta["rcpt_tos"], ["bob@example.org"])
        self.assertEqual(self.outbox(), [])
        self.assertEqual(self.envelopes(), [])
        self.assertIn(mid, self.folder("sent"))

    def test_edit_makes_it_a_draft(self):
        mid, _ = self.held_one("--at", "+2h")
        res = self.queue("edit", mid)
        self.assertExit(res, EX_OK)
        self.assertEqual(self.outbox(), [])
        self.assertEqual(self.envelopes(), [])
        self.assertEqual(len(self.folder("drafts")), 1)
        self.spool_empty(self.srv, res)

    def test_day_and_time_in_the_local_zone(self):
        self.env["TZ"] = TZ_CET
        mid, res = self.held_one("--at", "2099-12-24 09:00")
        # 09:00 in Berlin in winter is 08:00 UTC.
        want = calendar.timegm((2099, 12, 24, 8, 0, 0))
        self.assertEqual(self.not_before(mid), want)
        self.assertIn(b"held until 2099-12-24 09:00", res.out)
        lst = self.queue("list")
        self.assertIn(b"held until 2099-12-24 09:00", lst.out)
        # Seen from UTC the same instant is 08:00.
        self.env["TZ"] = "UTC"
        self.assertIn(b"held until 2099-12-24 08:00", self.queue("list").out)

    def test_not_held_writes_no_field(self):
        # A message not held keeps the file an older pigeon can read.
        res = self.run_pigeon(["send", "--config",
                               self.write_config("smtp://127.0.0.1:1"),
                               "bob@example.org"], input=BODY)
        self.assertExit(res, EX_OK)
        mid = self.outbox()[0]
        self.assertFalse([ln for ln in self.env_lines(mid)
                          if ln.startswith(b"not-before")])

    def test_bad_times_are_usage_errors(self):
        for arg, why in (
                ("tomorrow", b"'tomorrow' is not a time"),
                ("+2", b"'+2' is not a time"),
                ("+1h1h", b"'+1h1h': give each unit once"),
                ("2026-02-30 09:00", b"'2026-02-30 09:00' is no such day or time"),
                ("2020-01-01 09:00", b"2020-01-01 09:00 is in the past "
                                     b"(it is "),
                ("+0m", b"'+0m' is now")):
            res = self.send("--at", arg)
            self.assertExit(res, EX_USAGE, arg)
            self.assertIn(b"--at: " + why, res.err)
        res = self.send("--at", "+1h", "--no-queue")
        self.assertExit(res, EX_USAGE)
        self.assertIn(b"--no-queue", res.err)
        self.assertEqual(self.outbox(), [])
        self.spool_empty(self.srv)

    def test_reply_takes_it_too(self):
        # cli_send_main() is shared: reply and forward have --at as well.
        orig = os.path.join(self.tmp, "orig.eml")
        with open(orig, "wb") as f:
            f.write(b"From: Bob <bob@example.org>\nTo: a@example.org\n"
                    b"Subject: plans\nMessage-ID: <p1@example.org>\n\n"
                    b"Lunch?\n")
        res = self.run_pigeon(["reply", "--config", self.cfg, "--at",
                               "+3h", "--body", "/dev/null", orig])
        self.assertExit(res, EX_OK)
        self.assertRegex(res.out, rb"queued: held until [0-9-]+ [0-9:]+")
        self.assertEqual(len(self.outbox()), 1)
        self.spool_empty(self.srv, res)


if __name__ == "__main__":
    import unittest
    unittest.main()
