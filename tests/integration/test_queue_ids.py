# SPDX-License-Identifier: ISC
"""test_queue_ids.py - short queue ids: "queue list" shows them, and every queue command takes one, the whole id, or the start of either when no other message's starts so."""

import os
import re

from harness import EX_NOINPUT, EX_OK, EX_USAGE, PigeonTest, short_id

SHORT = re.compile(rb"^([0-9a-f]{8,})  ", re.M)


class QueueIds(PigeonTest):

    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.env["XDG_DATA_HOME"], "pigeon")
        self.down = self.write_config("smtp://127.0.0.1:1")

    def queue(self, cfg, *args):
        return self.run_pigeon(["queue", "--config", cfg] + list(args))

    def queued(self, n):
        """n messages queued (the server is down); their ids, oldest first."""
        for i in range(n):
            res = self.run_pigeon(["send", "--config", self.down, "-s",
                                   "message %d" % i, "bob@example.org"],
                                  input=b"hello\n")
            self.assertExit(res, EX_OK)
        return self.envelopes()

    def test_list_shows_short_ids_that_name_each_message(self):
        ids = self.queued(3)
        lst = self.queue(self.down, "list")
        self.assertExit(lst, EX_OK)
        shown = [m.decode() for m in SHORT.findall(lst.out)]
        self.assertEqual(shown, [short_id(i) for i in ids])
        for mid in ids:
            self.assertNotIn(mid.encode(), lst.out)
        # Each short id, the start of one and the whole id: that message.
        for mid in ids:
            for name in (short_id(mid), short_id(mid)[:5].upper(), mid,
                         mid[:-3]):
                with self.subTest(name=name):
                    log = self.queue(self.down, "log", name)
                    self.assertExit(log, EX_OK)
                    self.assertIn(b"== attempt 1: ", log.out)
        # retry, edit and rm take them too.
        srv = self.start_smtpd()
        up = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.queue(up, "retry", short_id(ids[1])[:6])
        self.assertExit(res, EX_OK)
        self.assertEqual(len(srv.messages()), 1)
        self.assertIn(b"Subject: message 1", srv.messages()[0][1])
        self.assertEqual(self.envelopes(), [ids[0], ids[2]])
        res = self.queue(self.down, "edit", short_id(ids[2]))
        self.assertExit(res, EX_OK)
        self.assertIn(ids[2].encode() + b" is now a draft", res.out)
        res = self.queue(self.down, "rm", short_id(ids[0])[:4])
        self.assertExit(res, EX_OK)
        self.assertEqual(self.envelopes(), [])
        self.assertIn(b"The outbox is empty", self.queue(self.down,
                                                         "list").out)
        # A sent message's log by its short id.
        log = self.queue(self.down, "log", short_id(ids[1]))
        self.assertExit(log, EX_OK)
        self.assertIn(b"filed as sent", log.out)

    def test_an_ambiguous_start_lists_the_candidates(self):
        ids = self.queued(2)
        # Every id starts with the time in seconds: its first digits.
        for cmd in ("rm", "retry", "edit", "log"):
            with self.subTest(cmd=cmd):
                res = self.queue(self.down, cmd, ids[0][:4])
                self.assertExit(res, EX_USAGE)
                self.assertIn(b"pigeon: " + ids[0][:4].encode() +
                              b" is ambiguous: it names 2 messages", res.err)
                for mid in ids:
                    self.assertIn(("  %s  %s" % (short_id(mid), mid)).encode(),
                                  res.err)
                self.assertEqual(self.envelopes(), ids)
        self.assertEqual(len(os.listdir(os.path.join(self.data, "drafts",
                                                     "new"))), 0)

    def test_unknown_and_too_short_ids_are_not_in_the_queue(self):
        ids = self.queued(1)
        for name in ("deadbeef", short_id(ids[0])[:3], ids[0] + "x",
                     "../" + ids[0]):
            with self.subTest(name=name):
                res = self.queue(self.down, "rm", name)
                self.assertExit(res, EX_NOINPUT)
                self.assertIn(b"no message", res.err)
        self.assertEqual(self.envelopes(), ids)
