# SPDX-License-Identifier: ISC
"""test_ui_send_later.py - send later from the composer (L, a prompt for the time, the outbox showing it, r sending it now) and the undo window of send_delay (u takes the message back), in tmux against aiosmtpd."""

import os
import time

from tmuxui import UiTest


class UiSendLater(UiTest):

    def queue_dir(self):
        return os.path.join(self.data, "queue")

    def envelope_text(self):
        envs = [f for f in os.listdir(self.queue_dir()) if f.endswith(".env")]
        self.assertEqual(len(envs), 1, envs)
        with open(os.path.join(self.queue_dir(), envs[0])) as f:
            return f.read()

    def written(self, subject):
        """A message with To, Subject and text, on the compose screen."""
        self.compose("bob@example.org", subject)
        self.keys("e")
        return self.wait_screen("Hello from the UI.")

    def test_later_key_holds_it_and_r_sends_it_now(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg)
        s = self.written("for later")
        # The help names the key.
        self.keys("?")
        s = self.wait_screen("send later")
        self.keys("q")
        self.wait_screen("y:send")
        # A bad time: the reason, and the composer stays.
        self.keys("L")
        self.wait_screen("Send at (")
        self.type("tomorrow")
        self.keys("Enter")
        s = self.wait_screen("is not a time")
        self.assertIn("y:send", s)
        # A good one: held in the outbox, nothing sent.
        self.keys("L")
        self.wait_screen("Send at (")
        self.type("+2h")
        self.keys("Enter")
        s = self.wait_status("queued: held until ")
        want = time.strftime("%Y-%m-%d %H:", time.gmtime(time.time() + 7200))
        self.assertIn(want, s)
        self.assertEqual(len(self.outbox()), 1)
        self.assertIn("\nnot-before ", self.envelope_text())
        self.assertEqual(srv.messages(), [])
        # The outbox list (left of sent, where the UI starts) shows when
        # it will go.
        self.keys("Left")
        s = self.wait_screen("[held until ")
        self.assertIn("for later", s)
        self.assertIn(want, s)
        # The UI's own flush leaves it; r sends it now, on purpose.
        self.keys("r")
        self.wait_status("sent ")
        self.assertEqual(len(srv.messages()), 1)
        self.assertEqual(self.outbox(), [])

    def test_undo_within_the_delay(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                send_delay="30")
        self.start(cfg)
        self.written("second thoughts")
        self.keys("y")
        s = self.wait_screen("u: undo")
        self.assertIn("sending 'second thoughts' to bob@example.org in ", s)
        # Waiting, held in the outbox: on disk, not sent.
        self.assertEqual(len(self.outbox()), 1)
        self.assertIn("\nnot-before ", self.envelope_text())
        self.keys("u")
        s = self.wait_screen("is back in the composer")
        self.assertIn("second thoughts", s)
        self.assertIn("y:send", s)
        self.assertNotIn("u: undo", s)
        self.assertEqual(self.outbox(), [])
        self.assertEqual(srv.messages(), [])
        # Sent again, and again taken back: nothing went.
        self.keys("y")
        self.wait_screen("u: undo")
        self.keys("u")
        self.wait_screen("is back in the composer")
        self.assertEqual(srv.messages(), [])

    def test_sent_when_the_delay_is_over(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                send_delay="2")
        self.start(cfg)
        self.written("after the window")
        t0 = time.monotonic()
        self.keys("y")
        self.wait_screen("u: undo")
        self.assertEqual(srv.messages(), [])
        self.wait_status("sent ")
        self.assertGreaterEqual(time.monotonic() - t0, 1.5)
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0][0]["rcpt_tos"], ["bob@example.org"])
        self.assertEqual(self.outbox(), [])
        # u after the window: nothing to take back.
        self.keys("u")
        self.wait_screen("nothing to undo")
