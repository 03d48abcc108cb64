# SPDX-License-Identifier: ISC
"""tmuxui.py - the base of the UI tests: pigeon in its own tmux server, keys sent and the screen read back."""

import os
import shutil
import subprocess
import time
import unittest

from harness import PigeonTest, pigeon_path

TMUX = shutil.which("tmux")


@unittest.skipIf(TMUX is None, "tmux is not installed")
class UiTest(PigeonTest):
    """Each test runs pigeon in its own tmux server (its own socket).
    No tests here: the test modules subclass it."""

    def setUp(self):
        super().setUp()
        self.sock = None
        self.servers = 0
        self.data = os.path.join(self.env["XDG_DATA_HOME"], "pigeon")
        # The editor: a script that writes the text, as a person would.
        self.editor = os.path.join(self.tmp, "editor.sh")
        with open(self.editor, "w") as f:
            f.write("#!/bin/sh\nprintf 'Hello from the UI.\\nSecond "
                    "line.\\n' > \"$1\"\n")
        os.chmod(self.editor, 0o700)

    def tmux(self, *args, check=True):
        r = subprocess.run([TMUX, "-S", self.sock] + list(args),
                           capture_output=True, timeout=20)
        if check and r.returncode != 0:
            self.fail("tmux %s: exit %d: %s" % (
                " ".join(args[:3]), r.returncode,
                r.stderr.decode("utf-8", "replace").strip()))
        return r

    def start(self, cfg, cols=100, rows=30, env=None):
        e = dict(self.env, TERM="xterm-256color", EDITOR=self.editor)
        e.pop("VISUAL", None)
        e.update(env or {})
        cmd = " ".join("%s=%s" % (k, shell_quote(v)) for k, v in sorted(e.items()))
        cmd = "env -i %s %s --config %s" % (cmd, shell_quote(pigeon_path()), shell_quote(cfg))
        self.launch(cmd, cols, rows)
        self.wait_screen("m:compose")

    def launch(self, cmd, cols=100, rows=30):
        """Run the shell command cmd in a new tmux server.  Each launch
        gets a server of its own: one killed a moment ago may still be
        going away on the old socket, and a session asked of it fails."""
        self.servers += 1
        self.sock = os.path.join(self.tmp, "tmux%d.sock" % self.servers)
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "t",
                  "-x", str(cols), "-y", str(rows), cmd)
        self.addCleanup(self.stop_ui)

    def stop_ui(self):
        """End tmux and wait for pigeon to be gone: it saves a draft on the
        SIGHUP, and must be done before the test's directory goes."""
        r = self.tmux("list-panes", "-t", "t", "-F", "#{pane_pid}",
                      check=False)
        try:
            pid = int(r.stdout.decode().split()[0])
        except (IndexError, ValueError):
            pid = None
        self.tmux("kill-server", check=False)
        deadline = time.monotonic() + 10
        while pid is not None and time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)

    def keys(self, *keys):
        for k in keys:
            self.tmux("send-keys", "-t", "t", k)

    def type(self, text):
        self.tmux("send-keys", "-t", "t", "-l", text)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "t").stdout.decode(
            "utf-8", "replace")

    def settled(self, s, holds):
        """A capture can catch a frame half written (curses writes it top
        down, tmux reads it in pieces): once s shows what was waited for,
        the screen again until two captures agree (for at most 0.15 s:
        a frame is written in milliseconds, and a screen that keeps
        changing -- a send in progress -- must not be waited out),
        as long as what was waited for still holds."""
        deadline = time.monotonic() + 0.15
        while time.monotonic() < deadline:
            time.sleep(0.03)
            again = self.screen()
            if again == s or not holds(again):
                return s
            s = again
        return s

    def wait_screen(self, text, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.screen()
            if text in s:
                return self.settled(s, lambda t: text in t)
            time.sleep(0.05)
        self.fail("never on the screen: %r\n--- screen ---\n%s"
                  % (text, self.screen()))

    def wait_status(self, start, timeout=15):
        """Until the status line (the last one) starts with start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.screen()
            lines = s.rstrip("\n").split("\n")
            if lines and lines[-1].startswith(start):
                return self.settled(s, lambda t: t.rstrip("\n").split(
                    "\n")[-1].startswith(start))
            time.sleep(0.05)
        self.fail("the status line never started with %r\n--- screen "
                  "---\n%s" % (start, self.screen()))

    def pid(self):
        out = self.tmux("list-panes", "-t", "t", "-F",
                        "#{pane_pid}").stdout.decode().split()
        return int(out[0])

    def compose(self, to, subject):
        self.keys("m")
        self.wait_screen("To:")
        self.type(to)
        self.keys("Enter")
        self.wait_screen("Subject:")
        self.type(subject)
        self.keys("Enter")
        return self.wait_screen("y:send")


def shell_quote(s):
    """s in single quotes for sh."""
    return "'" + str(s).replace("'", "'\\''") + "'"
