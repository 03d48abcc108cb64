# SPDX-License-Identifier: ISC
"""test_ui_bigfolder.py - a big sent folder in the UI: every message listed, the newest first; the kept list used only while the folder is unchanged."""

import os
import time

from tmuxui import UiTest


class UiBigFolder(UiTest):

    def fill(self, n):
        cur = os.path.join(self.data, "sent", "cur")
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.data, "sent", d), exist_ok=True)
        base = 1700000000
        for i in range(n):
            name = "%d.M%06dP1R%08x.test:2,S" % (base + i, i % 1000000, i)
            with open(os.path.join(cur, name), "w") as f:
                f.write("To: r%05d@example.org\nSubject: message %05d\n\n"
                        "text\n" % (i, i))
        self.age()

    def age(self):
        # As if the folder had not changed for a minute: its list is kept.
        then = time.time() - 60
        for d in ("cur", "new"):
            os.utime(os.path.join(self.data, "sent", d), (then, then))

    def test_every_message_newest_first_and_the_kept_list(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.fill(3000)
        self.start(cfg)
        s = self.wait_screen("sent (3000)")
        self.assertIn("message 02999", s)
        # The oldest is there too: the whole list (more than the first
        # block of the kept list), not the first page.
        self.keys("End")
        self.wait_screen("message 00000")
        self.keys("q")
        self.wait_ui_gone()
        cache = os.path.join(self.env["XDG_STATE_HOME"], "pigeon", "cache")
        self.assertTrue(os.listdir(cache))
        # Started again: from the kept list, the same.
        self.start(cfg)
        s = self.wait_screen("sent (3000)")
        self.assertIn("message 02999", s)
        self.keys("End")
        self.wait_screen("message 00000")
        self.keys("q")
        self.wait_ui_gone()
        # A new message changes the folder: the kept list is not used.
        cur = os.path.join(self.data, "sent", "cur")
        with open(os.path.join(cur, "1800000000.M1P1Rnew.test:2,S"),
                  "w") as f:
            f.write("To: x@example.org\nSubject: the newest one\n\ntext\n")
        self.start(cfg)
        s = self.wait_screen("sent (3001)")
        self.assertIn("the newest one", s)

    def wait_ui_gone(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = self.tmux("list-panes", "-t", "t", "-F", "#{pane_dead}",
                          check=False)
            if r.returncode != 0 or b"1" in r.stdout:
                return
            time.sleep(0.05)
