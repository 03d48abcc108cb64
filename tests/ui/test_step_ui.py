# SPDX-License-Identifier: ISC
"""test_step_ui.py - the step screen of the interactive UI against aiosmtpd with STARTTLS and AUTH: one key a stage, a typed command, MAIL/RCPT/DATA on the same key, message lines typed, QUIT; what the server got and the transcript file."""

import os
import threading

from harness import FROM_ADDR, transcript
from tmuxui import UiTest, shell_quote
from harness import pigeon_path


class StepUi(UiTest):

    def launch_ui(self, cfg, tr):
        e = dict(self.env, TERM="xterm-256color", EDITOR=self.editor)
        e.pop("VISUAL", None)
        cmd = " ".join("%s=%s" % (k, shell_quote(v))
                       for k, v in sorted(e.items()))
        cmd = "env -i %s %s --config %s --transcript=%s" % (
            cmd, shell_quote(pigeon_path()), shell_quote(cfg),
            shell_quote(tr))
        self.launch(cmd, 110, 40)
        self.wait_screen("m:compose")

    def test_step_screen(self):
        srv = self.start_smtpd()
        noops = []
        lock = threading.Lock()

        async def handle_NOOP(server, session, envelope, arg):
            with lock:
                noops.append(arg)
            return "250 2.0.0 OK"

        srv.handler.handle_NOOP = handle_NOOP
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        tr = os.path.join(self.tmp, "ui-transcript.txt")
        self.launch_ui(cfg, tr)
        self.keys("A")
        s = self.wait_screen("Accounts (* default, > in use)")
        self.assertIn("s:step", s)
        self.keys("s")
        s = self.wait_screen("next: greeting")
        self.assertIn("Step through a session", s)
        self.assertIn("n:next stage", s)
        for nxt in ("EHLO", "STARTTLS", "EHLO", "AUTH"):
            self.keys("n")
            self.wait_screen("next: %s " % nxt)
        # Nothing typed before TLS and AUTH.
        self.keys(":")
        self.wait_screen("commands can be typed once TLS and AUTH")
        self.keys("n")
        self.wait_screen("235 2.7.0")
        self.wait_screen("next: MAIL FROM:<%s>" % FROM_ADDR)
        # A typed command goes out as typed.
        self.keys(":")
        self.wait_screen("SMTP command:")
        self.type("NOOP typed  by hand")
        self.keys("Enter")
        self.wait_screen("~> NOOP typed  by hand")
        self.wait_screen("next: MAIL FROM:")
        self.assertEqual(noops, ["typed  by hand"])
        # A refused one does not.
        self.keys(":")
        self.wait_screen("SMTP command:")
        self.type("STARTTLS")
        self.keys("Enter")
        self.wait_screen("not sent:")
        # MAIL, RCPT, DATA on the same key.
        self.keys("n")
        self.wait_screen("next: RCPT TO:<%s>" % FROM_ADDR)
        self.keys("n")
        self.wait_screen("next: DATA")
        self.keys("n")
        self.wait_screen("message data:")
        self.keys(":")
        for line in ("Subject: step by step", "", ".dot", "."):
            self.wait_screen("Message line ('.' ends):")
            if line:
                self.type(line)
            self.keys("Enter")
        self.wait_screen("the server accepted the message")
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0][1], b"Subject: step by step\r\n\r\n.dot\r\n")
        self.assertEqual(msgs[0][0]["auth_user"], "alice")
        self.keys("q")
        self.wait_status("the session with test ended with QUIT")
        self.wait_screen("Accounts (* default, > in use)")
        with open(tr, encoding="utf-8") as f:
            saved = transcript(f.read())
        self.assertIn(("~>", "NOOP typed  by hand"), saved)
        self.assertIn(("~>", "..dot"), saved)
        self.assertIn(("~>", "QUIT"), saved)
        self.assertNotIn("s3cret", str(saved))
