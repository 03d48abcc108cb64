# SPDX-License-Identifier: ISC
"""test_held_on_time.py - the interactive UI, left alone, sends queued mail when it comes due: a message another process holds with send --at, a greylisted one at its retry time; in tmux against aiosmtpd."""

import os
import re
import time

from tmuxui import UiTest

# How late a message may go after its time: the wake-up is to the second,
# the rest is a connection on a busy machine.
LATE = 2.5


class UiHeldOnTime(UiTest):

    def envelope_field(self, key):
        """The value of key in the one envelope of queue/, an int."""
        q = os.path.join(self.data, "queue")
        envs = [f for f in os.listdir(q) if f.endswith(".env")]
        self.assertEqual(len(envs), 1, envs)
        with open(os.path.join(q, envs[0])) as f:
            m = re.search(r"^%s (\d+)$" % key, f.read(), re.M)
        self.assertIsNotNone(m, "no %s line in %s" % (key, envs[0]))
        return int(m.group(1))

    def arrival(self, srv, due):
        """Wait for the one message at srv (until LATE + 8 s after due);
        the time it arrived (its spool file's), checked not to be before
        due."""
        deadline = due + LATE + 8
        while time.time() < deadline and not srv.messages():
            time.sleep(0.05)
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1, "nothing arrived by %.1f s after "
                         "its time" % (time.time() - due))
        names = [f for f in os.listdir(srv.spool) if f.endswith(".json")]
        at = os.stat(os.path.join(srv.spool, names[0])).st_mtime
        self.assertGreaterEqual(at, due, "sent %.2f s before its time"
                                % (due - at))
        return at

    def test_held_by_another_process_goes_at_its_time(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg)
        # The UI's own look after its start is over: it sits idle.
        time.sleep(1.5)
        body = os.path.join(self.tmp, "body.txt")
        with open(body, "w") as f:
            f.write("Held for a few seconds.\n")
        r = self.run_pigeon(["send", "--config", cfg, "--at", "+4s",
                             "--body", body, "-s", "on time",
                             "bob@example.org"])
        self.assertExit(r, 0)
        due = self.envelope_field("not-before")
        self.assertEqual(srv.messages(), [])
        at = self.arrival(srv, due)
        self.assertLess(at, due + LATE, "sent %.2f s after its time"
                        % (at - due))
        self.wait_status("sent 'on time' to bob@example.org")
        self.assertEqual(self.outbox(), [])

    def test_greylisted_retried_at_its_time(self):
        self.need_test_hooks()
        srv = self.start_smtpd(tempfail=["bob@example.org"])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        # Retries wait 4 s instead of 5 minutes.
        self.start(cfg, env={"PIGEON_TEST_BACKOFF": "4"})
        self.compose("bob@example.org", "greylisted")
        self.keys("e")
        self.wait_screen("Hello from the UI.")
        self.keys("y")
        self.wait_status("queued, not sent yet: ")
        due = self.envelope_field("next-try")
        # The greylisting is over: the retry gets through.
        srv.handler.tempfail.clear()
        at = self.arrival(srv, due)
        self.assertLess(at, due + LATE, "retried %.2f s after its time"
                        % (at - due))
        self.wait_status("sent 'greylisted' to bob@example.org")
        self.assertEqual(self.outbox(), [])
