# SPDX-License-Identifier: ISC
"""test_config_layout.py - where pigeon reads its settings and keeps its files: the system-wide config under the user's, hints for unknown keys, logs and the lock in XDG_STATE_HOME (and the move there from the old layout), per-account drafts and sent folders, folder paths that are links."""

import fcntl
import os
import shutil
import subprocess
import time

from harness import (EX_CONFIG, EX_OK, PigeonTest, pigeon_path)


class ConfigLayout(PigeonTest):

    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.env["XDG_DATA_HOME"], "pigeon")
        self.state = os.path.join(self.env["XDG_STATE_HOME"], "pigeon")

    def send(self, cfg, *args, body=b"hello\n"):
        return self.run_pigeon(["send", "--config", cfg] + list(args),
                               input=body)

    def queue(self, cfg, *args):
        return self.run_pigeon(["queue", "--config", cfg] + list(args))

    def write_text(self, name, text, mode=0o600):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    # -- the config files ---------------------------------------------------

    def test_system_config_under_the_user_config(self):
        self.need_test_hooks()
        srv = self.start_smtpd()
        acc = self.account("smtp://127.0.0.1:%d" % srv.port)
        # The administrator's file names the server and how to log in;
        # the user's file only says who is writing.
        system = self.write_text("system-config", "default = test\n\n"
                                 "[account test]\n" +
                                 "".join("%s = %s\n" % kv for kv in
                                         acc.items() if kv[0] != "from") +
                                 "from = root@example.org\n", 0o644)
        user = self.write_text("config", "[account test]\n"
                               "from = Jane <jane@example.org>\n")
        self.env["PIGEON_TEST_SYSCONFIG"] = system
        res = self.send(user, "-s", "layered", "bob@example.org")
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(meta["mail_from"], "jane@example.org")
        self.assertIn(b"From: Jane <jane@example.org>", raw)
        # Without the user's file the system's account is used whole.
        res = self.send(os.path.join(self.tmp, "no-such-config-of-mine"),
                        "-s", "x", "bob@example.org")
        self.assertExit(res, EX_CONFIG)
        os.unlink(user)
        res = self.run_pigeon(["send", "-s", "system only",
                               "bob@example.org"], input=b"hi\n")
        self.assertExit(res, EX_OK)
        self.assertEqual(len(srv.messages()), 2)
        self.assertEqual(srv.messages()[1][0]["mail_from"],
                         "root@example.org")
        # A system file that others may write to is not used at all.
        os.chmod(system, 0o666)
        res = self.run_pigeon(["send", "-s", "x", "bob@example.org"],
                              input=b"hi\n")
        self.assertExit(res, EX_CONFIG)
        self.assertIn(b"refusing system config file '" + system.encode(),
                      res.err)
        self.assertEqual(len(srv.messages()), 2)

    def test_unknown_keys_name_what_was_meant(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        with open(cfg, "a", encoding="utf-8") as f:
            f.write("tls_trust_file = /etc/ssl/certs/ca-certificates.crt\n"
                    "smtp_url = smtps://mail.example.org\n"
                    "tls_cafle = /etc/ssl/certs/ca-certificates.crt\n")
        res = self.send(cfg, "-s", "hints", "bob@example.org")
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        err = res.err.decode()
        self.assertIn("'tls_trust_file' is msmtp's name: pigeon calls it "
                      "tls_cafile (ignored)", err)
        self.assertIn("'smtp_url' is mutt's name: pigeon calls it server "
                      "(ignored)", err)
        self.assertIn("unknown key 'tls_cafle' (ignored); did you mean "
                      "tls_cafile?", err)

    # -- the state folder -------------------------------------------------

    def old_layout(self):
        """Make what an older pigeon left: log/ and queue/lock in the data
        folder, nothing in the state folder."""
        os.unlink(os.path.join(self.data, "queue", "lock"))
        os.rename(os.path.join(self.state, "lock"),
                  os.path.join(self.data, "queue", "lock"))
        if os.path.islink(os.path.join(self.data, "log")):
            os.unlink(os.path.join(self.data, "log"))
        os.rename(os.path.join(self.state, "log"),
                  os.path.join(self.data, "log"))
        shutil.rmtree(self.state)

    def assert_moved(self):
        lock = os.path.join(self.data, "queue", "lock")
        self.assertTrue(os.path.islink(lock))
        self.assertEqual(os.readlink(lock), os.path.join(self.state, "lock"))
        self.assertTrue(os.path.isfile(os.path.join(self.state, "lock")))
        self.assertTrue(os.path.isdir(os.path.join(self.state, "log")))
        self.assertTrue(os.path.isfile(os.path.join(self.state, "log",
                                                    "index")))

    def test_old_layout_moves_and_its_queue_is_flushed_once(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.assertExit(self.send(cfg, "-s", "queued", "bob@example.org"),
                        EX_OK)
        mid = self.outbox()[0]
        self.old_layout()
        with open(os.path.join(self.data, "log", "index"), "rb") as f:
            old_index = f.read()
        self.assertIn(mid.encode(), old_index)
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.queue(cfg, "flush")
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        self.assert_moved()
        self.assertEqual(self.outbox(), [])
        self.assertIn(mid, self.folder("sent"))
        with open(os.path.join(self.state, "log", "index"), "rb") as f:
            self.assertTrue(f.read().startswith(old_index))
        # The history from before the move is there: both attempts.
        log = self.queue(cfg, "log", mid)
        self.assertExit(log, EX_OK)
        self.assertIn(b"== attempt 1: ", log.out)
        self.assertIn(b"== attempt 2: ", log.out)
        self.assertTrue(os.path.isfile(os.path.join(self.state, "log",
                                                    mid + ".env")))
        # Flushing again sends nothing twice.
        self.assertExit(self.queue(cfg, "flush"), EX_OK)
        self.assertEqual(len(srv.messages()), 1)

    def test_move_waits_for_an_older_pigeon_that_is_sending(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.assertExit(self.send(cfg, "-s", "queued", "bob@example.org"),
                        EX_OK)
        self.old_layout()
        old_lock = os.path.join(self.data, "queue", "lock")
        # An older pigeon in the middle of sending a message: it holds
        # that message's byte of the old lock file.
        fd = os.open(old_lock, os.O_RDWR)
        self.addCleanup(os.close, fd)
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 12345)
        proc = subprocess.Popen(
            [pigeon_path(), "queue", "--config", cfg, "list"], cwd=self.tmp,
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True)
        try:
            time.sleep(1.0)
            # It waits, and has moved nothing yet.
            self.assertIsNone(proc.poll())
            self.assertFalse(os.path.islink(old_lock))
            self.assertFalse(os.path.exists(self.state + "/lock"))
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, 12345)
            out, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 0, err)
        self.assert_moved()
        # The older pigeon, still running, locks the very file the new
        # ones lock: they still keep each other from a message.
        self.assertEqual(os.fstat(fd).st_ino,
                         os.stat(os.path.join(self.state, "lock")).st_ino)
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 12345)
        # An older pigeon starting now finds a link where its lock was and
        # refuses it (it opens nothing there through a link): it can never
        # make a second lock file of its own.
        with self.assertRaises(OSError):
            os.open(old_lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW)
        self.assertTrue(os.path.islink(old_lock))

    def test_new_data_folder_keeps_older_pigeons_out(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.assertExit(self.send(cfg, "-s", "queued", "bob@example.org"),
                        EX_OK)
        lock = os.path.join(self.data, "queue", "lock")
        self.assertEqual(os.readlink(lock), os.path.join(self.state, "lock"))
        self.assertFalse(os.path.exists(os.path.join(self.data, "log")))
        self.assertTrue(os.path.isfile(os.path.join(self.state, "log",
                                                    "index")))

    # -- the account's sent folder ------------------------------------------

    def sent_copies(self, folder):
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(folder, sub)
            if os.path.isdir(d):
                out += [os.path.join(d, f) for f in os.listdir(d)]
        return out

    def test_sent_folder_of_the_account_gets_a_copy(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                sent="~/Mail/Sent")
        res = self.send(cfg, "-s", "filed", "bob@example.org")
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        mid = list(self.folder("sent"))[0]
        mine = os.path.join(self.home, "Mail", "Sent")
        copies = self.sent_copies(mine)
        self.assertEqual(len(copies), 1)
        self.assertTrue(os.path.basename(copies[0]).startswith(mid))
        self.assertTrue(copies[0].endswith(":2,S"))
        with open(copies[0], "rb") as f:
            self.assertEqual(f.read(), self.folder("sent")[mid])
        for d in (mine, os.path.join(mine, "cur")):
            self.assertEqual(os.stat(d).st_mode & 0o777, 0o700)
        # A queued message gets its copy when it goes.
        down = self.write_config("smtp://127.0.0.1:1", sent="~/Mail/Sent")
        self.assertExit(self.send(down, "-s", "later", "bob@example.org"),
                        EX_OK)
        self.assertEqual(len(self.sent_copies(mine)), 1)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                sent="~/Mail/Sent")
        res = self.queue(cfg, "flush")
        self.assertExit(res, EX_OK)
        self.assertEqual(len(srv.messages()), 2, res)
        self.assertEqual(len(self.sent_copies(mine)), 2)

    def test_sent_folder_may_be_a_link_of_the_user(self):
        srv = self.start_smtpd()
        real = os.path.join(self.tmp, "synced", "Sent")
        os.makedirs(real, mode=0o700)
        link = os.path.join(self.home, "Sent")
        os.symlink(real, link)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port, sent=link)
        res = self.send(cfg, "-s", "linked", "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertEqual(len(self.sent_copies(real)), 1)
        self.assertTrue(os.path.islink(link))
        # A folder others may write to is refused; the mail went all the
        # same, and the reason is told.
        open_dir = os.path.join(self.tmp, "open")
        os.makedirs(open_dir)
        os.chmod(open_dir, 0o777)
        os.unlink(link)
        os.symlink(open_dir, link)
        res = self.send(cfg, "-s", "open", "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertEqual(len(srv.messages()), 2)
        self.assertIn(b"refusing the directory " + open_dir.encode(), res.err)
        self.assertEqual(os.listdir(open_dir), [])
        # Inside the folder, links are never followed.
        os.unlink(link)
        os.symlink(real, link)
        cur = os.path.join(real, "cur")
        os.rename(cur, cur + ".away")
        os.symlink(cur + ".away", cur)
        res = self.send(cfg, "-s", "inner", "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertIn(b"refusing " + cur.encode(), res.err)
        self.assertEqual(len(os.listdir(cur + ".away")), 1)

    def test_data_folder_may_be_a_link_of_the_user(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        real = os.path.join(self.tmp, "elsewhere")
        os.makedirs(real, mode=0o700)
        os.makedirs(os.path.dirname(self.data), exist_ok=True)
        os.symlink(real, self.data)
        res = self.send(cfg, "-s", "linked", "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertEqual(len(os.listdir(os.path.join(real, "sent", "cur"))),
                         1)
        # Not when others may write to where it leads.
        os.chmod(real, 0o777)
        res = self.send(cfg, "-s", "open", "bob@example.org")
        self.assertNotEqual(res.rc, EX_OK)
        self.assertIn(b"refusing the directory " + real.encode(), res.err)
        self.assertEqual(len(srv.messages()), 1)

    # -- the drafts folder of an account --------------------------------

    def test_queue_edit_puts_the_draft_in_the_drafts_folder_of_the_account(
            self):
        mine = os.path.join(self.home, "Mail", "Drafts")
        cfg = self.write_config("smtp://127.0.0.1:1", drafts="~/Mail/Drafts",
                                accounts={"plain": self.account(
                                    "smtp://127.0.0.1:1")})
        self.assertExit(self.send(cfg, "-s", "back to a draft",
                                  "bob@example.org"), EX_OK)
        mid = self.outbox()[0]
        res = self.queue(cfg, "edit", mid)
        self.assertExit(res, EX_OK)
        self.assertIn(mine.encode(), res.out)
        drafts = self.sent_copies(mine)
        self.assertEqual(len(drafts), 1, res)
        self.assertTrue(os.path.basename(drafts[0]).startswith(mid))
        with open(drafts[0], "rb") as f:
            self.assertIn(b"Subject: back to a draft", f.read())
        self.assertEqual(self.folder("drafts"), {})
        self.assertEqual(self.outbox(), [])
        self.assertEqual(os.stat(mine).st_mode & 0o777, 0o700)
        # An account without its own folder keeps them in drafts/.
        self.assertExit(self.send(cfg, "--account", "plain", "-s", "other",
                                  "bob@example.org"), EX_OK)
        mid = self.outbox()[0]
        self.assertExit(self.queue(cfg, "edit", mid), EX_OK)
        self.assertEqual(list(self.folder("drafts")), [mid])
        self.assertEqual(len(self.sent_copies(mine)), 1)

    def test_mutts_postponed_is_our_drafts(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        with open(cfg, "a", encoding="utf-8") as f:
            f.write("postponed = ~/Mail/Drafts\n")
        res = self.send(cfg, "-s", "hints", "bob@example.org")
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        self.assertIn("'postponed' is mutt's name: pigeon calls it drafts "
                      "(ignored)", res.err.decode())
