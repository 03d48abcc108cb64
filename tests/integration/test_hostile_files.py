# SPDX-License-Identifier: ISC
"""test_hostile_files.py - the data folder is never used through a link: a symlinked message is not sent, a symlinked log is not written through, a symlinked folder is refused; what pigeon makes there is private."""

import os
import stat

from harness import EX_NOPERM, EX_OK, PigeonTest

MARKER = b"SECRET-MARKER-4f1c9e"


class HostileFiles(PigeonTest):

    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.env["XDG_DATA_HOME"], "pigeon")
        self.state = os.path.join(self.env["XDG_STATE_HOME"], "pigeon")
        self.secret = os.path.join(self.tmp, "secret.txt")
        with open(self.secret, "wb") as f:
            f.write(b"Subject: not yours\n\n" + MARKER + b"\n")

    def send(self, cfg, *args, body=b"hello\n"):
        return self.run_pigeon(["send", "--config", cfg] + list(args),
                               input=body)

    def queue(self, cfg, *args):
        return self.run_pigeon(["queue", "--config", cfg] + list(args))

    def queue_two(self):
        """Two messages queued for a server that is down; their ids."""
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.assertExit(self.send(cfg, "-s", "one", "bob@example.org"), EX_OK)
        self.assertExit(self.send(cfg, "-s", "two", "bob@example.org"), EX_OK)
        ids = self.envelopes()
        self.assertEqual(len(ids), 2)
        return ids

    def message_path(self, folder, mid):
        for sub in ("new", "cur"):
            d = os.path.join(self.data, folder, sub)
            for f in os.listdir(d):
                if f.split(":")[0] == mid:
                    return os.path.join(d, f)
        self.fail("no message %s in %s" % (mid, folder))

    def test_symlinked_outbox_message_is_not_sent_the_rest_is(self):
        ids = self.queue_two()
        path = self.message_path("outbox", ids[0])
        os.unlink(path)
        os.symlink(self.secret, path)
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.queue(cfg, "flush")
        # The secret never reached the server; the other message went.
        msgs = srv.messages()
        for _, raw in msgs:
            self.assertNotIn(MARKER, raw)
        self.assertEqual(len(msgs), 1, res)
        self.assertIn(b"Subject: two", msgs[0][1])
        # Refused, said in plain words, and the exit status says so.
        self.assertExit(res, EX_NOPERM)
        self.assertIn(b"refusing " + path.encode(), res.err)
        self.assertIn(b"symbolic link", res.err)
        # Left exactly as it was: the link, its target, its envelope.
        self.assertTrue(os.path.islink(path))
        with open(self.secret, "rb") as f:
            self.assertIn(MARKER, f.read())
        self.assertEqual(self.envelopes(), [ids[0]])
        # queue edit does not read it into a draft either.
        res = self.queue(cfg, "edit", ids[0])
        self.assertExit(res, EX_NOPERM)
        self.assertIn(b"symbolic link", res.err)
        self.assertTrue(os.path.islink(path))
        for raw in self.folder("drafts").values():
            self.assertNotIn(MARKER, raw)

    def test_fifo_in_place_of_a_message_does_not_hang_the_flush(self):
        ids = self.queue_two()
        path = self.message_path("outbox", ids[1])
        os.unlink(path)
        os.mkfifo(path, 0o600)
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.queue(cfg, "flush")
        self.assertExit(res, EX_NOPERM)
        self.assertIn(b"a FIFO", res.err)
        self.assertEqual(len(srv.messages()), 1)
        self.assertTrue(stat.S_ISFIFO(os.lstat(path).st_mode))

    def test_symlinked_envelope_is_not_read(self):
        ids = self.queue_two()
        env = os.path.join(self.data, "queue", ids[0] + ".env")
        os.rename(env, os.path.join(self.tmp, "moved.env"))
        os.symlink(os.path.join(self.tmp, "moved.env"), env)
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.queue(cfg, "flush")
        self.assertExit(res, EX_NOPERM)
        self.assertIn(b"refusing " + env.encode(), res.err)
        self.assertEqual(len(srv.messages()), 1)
        self.assertTrue(os.path.islink(env))

    def test_symlinked_log_index_is_not_written_through(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.assertExit(self.send(cfg, "-s", "first", "bob@example.org"),
                        EX_OK)
        index = os.path.join(self.state, "log", "index")
        self.assertTrue(os.path.isfile(index))
        target = os.path.join(self.tmp, "precious")
        with open(target, "wb") as f:
            f.write(b"keep me\n")
        os.unlink(index)
        os.symlink(target, index)
        res = self.send(cfg, "-s", "second", "bob@example.org")
        with open(target, "rb") as f:
            self.assertEqual(f.read(), b"keep me\n")
        # The message went all the same; the log's trouble is told.
        self.assertExit(res, EX_OK)
        self.assertEqual(len(srv.messages()), 2)
        self.assertIn(b"refusing " + index.encode(), res.err)
        self.assertTrue(os.path.islink(index))
        # A dangling link is not followed to make a file either.
        os.unlink(index)
        made = os.path.join(self.tmp, "made-by-pigeon")
        os.symlink(made, index)
        self.assertExit(self.send(cfg, "-s", "third", "bob@example.org"),
                        EX_OK)
        self.assertFalse(os.path.exists(made))

    def test_symlinked_data_directories_are_refused(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        # A first run makes the data folder.
        self.assertExit(self.send(cfg, "-s", "one", "bob@example.org"), EX_OK)
        for name in ("outbox", "queue", "log", "sent"):
            with self.subTest(directory=name):
                real = os.path.join(self.state if name == "log" else
                                    self.data, name)
                away = os.path.join(self.tmp, "away-" + name)
                os.rename(real, away)
                os.symlink(away, real)
                before = sorted(os.walk(away))
                res = self.send(cfg, "-s", "two", "bob@example.org")
                self.assertExit(res, EX_NOPERM)
                self.assertIn(b"refusing " + real.encode(), res.err)
                self.assertIn(b"symbolic link", res.err)
                self.assertEqual(sorted(os.walk(away)), before)
                os.unlink(real)
                os.rename(away, real)
        # A folder others may write to is refused too.
        os.chmod(os.path.join(self.data, "outbox"), 0o777)
        res = self.queue(cfg, "list")
        self.assertExit(res, EX_NOPERM)
        self.assertIn(b"chmod 700", res.err)

    def test_what_pigeon_makes_is_private(self):
        # A umask that would leave everything open to all.
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        old = os.umask(0)
        try:
            res = self.send(cfg, "-s", "one", "bob@example.org")
            down = self.write_config("smtp://127.0.0.1:1")
            res2 = self.send(down, "-s", "two", "bob@example.org")
        finally:
            os.umask(old)
        self.assertExit(res, EX_OK)
        self.assertExit(res2, EX_OK)
        seen_dirs = seen_files = 0
        # The one link: queue/lock, which keeps older pigeons out.
        lock = os.path.join(self.data, "queue", "lock")
        self.assertEqual(os.readlink(lock), os.path.join(self.state, "lock"))
        for top, dirs, files in [w for t in (self.data, self.state)
                                 for w in os.walk(t)]:
            for d in dirs:
                m = stat.S_IMODE(os.lstat(os.path.join(top, d)).st_mode)
                self.assertEqual(m, 0o700, os.path.join(top, d))
                seen_dirs += 1
            for f in files:
                p = os.path.join(top, f)
                if p == lock:
                    continue
                self.assertTrue(stat.S_ISREG(os.lstat(p).st_mode), p)
                self.assertEqual(stat.S_IMODE(os.lstat(p).st_mode), 0o600,
                                 p)
                seen_files += 1
        # drafts outbox sent failed (each with tmp new cur), queue, log.
        self.assertEqual(seen_dirs, 4 * 4 + 2)
        # A sent message, its envelope and log, the index, a queued one
        # and its envelope, the lock.
        self.assertGreaterEqual(seen_files, 7)
