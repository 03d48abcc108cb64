# SPDX-License-Identifier: ISC
"""test_terminal.py - the interactive UI on a terminal that cannot show it (TERM=dumb, unknown or unset): a clear message, no escape sequences, exit 69."""

import os
import pty
import select
import shutil
import subprocess
import time

from harness import PigeonTest, build_features, pigeon_path

EX_UNAVAILABLE = 69


class Terminal(PigeonTest):

    def run_on_pty(self, env, args=(), timeout=15):
        """pigeon with a pseudo-terminal as stdin, stdout and stderr (so it
        takes the interactive path); returns (exit status, all output)."""
        master, slave = pty.openpty()
        try:
            proc = subprocess.Popen([pigeon_path()] + list(args),
                                    cwd=self.tmp, env=env, stdin=slave,
                                    stdout=slave, stderr=slave,
                                    start_new_session=True, close_fds=True)
        finally:
            os.close(slave)
        out = b""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                r, _, _ = select.select([master], [], [], 0.1)
                if r:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:
                        chunk = b""
                    if not chunk:
                        break
                    out += chunk
                elif proc.poll() is not None:
                    break
            else:
                proc.kill()
                self.fail("pigeon did not end on this terminal; it wrote:\n%r"
                          % out)
            rc = proc.wait(timeout=5)
        finally:
            os.close(master)
        return rc, out

    def check_refused(self, env, why):
        cfg = self.write_config("smtp://127.0.0.1:1")
        rc, out = self.run_on_pty(env, ["--config", cfg])
        self.assertEqual(rc, EX_UNAVAILABLE, out)
        self.assertNotIn(b"\x1b", out)
        text = out.decode("utf-8")
        self.assertIn(why, text)
        for way in ("pigeon send -s", "pigeon sendmail -t", "pigeon queue list"):
            self.assertIn(way, text)
        # Only whole lines of text: no control characters but line ends.
        for c in text:
            self.assertTrue(c in "\r\n" or c >= " ", repr(text))
        return text

    def test_dumb_terminal_says_why_and_how_to_send(self):
        env = dict(self.env, TERM="dumb")
        self.check_refused(env, "TERM")
        self.check_refused(env, "cannot move the cursor")

    def test_unset_term_says_why_and_how_to_send(self):
        env = dict(self.env)
        env.pop("TERM", None)
        self.check_refused(env, "TERM is not set")

    def test_unknown_term(self):
        env = dict(self.env, TERM="no-such-terminal-type")
        self.check_refused(env, "'no-such-terminal-type' (TERM) is unknown")

    def test_the_message_is_translated(self):
        mo = os.path.join(os.path.dirname(os.path.abspath(pigeon_path())),
                          "po", "de.mo")
        if "test-hooks" not in build_features() or not os.path.exists(mo):
            self.skipTest("needs a test-hooks build with po/de.mo")
        d = os.path.join(self.tmp, "locale", "de", "LC_MESSAGES")
        os.makedirs(d)
        shutil.copy(mo, os.path.join(d, "pigeon.mo"))
        # C.UTF-8 with LANGUAGE=de: the catalogue applies without a
        # generated German locale.
        env = dict(self.env, TERM="dumb", LANGUAGE="de",
                   PIGEON_TEST_LOCALEDIR=os.path.join(self.tmp, "locale"))
        rc, out = self.run_on_pty(env, ["--config", self.write_config(
            "smtp://127.0.0.1:1")])
        self.assertEqual(rc, EX_UNAVAILABLE, out)
        self.assertIn("kann den Cursor nicht bewegen", out.decode("utf-8"))
        self.assertNotIn(b"\x1b", out)
