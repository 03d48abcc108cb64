# SPDX-License-Identifier: ISC
"""test_json_transcript.py - --transcript-json=FILE: one JSON object per event, stages in order, secrets redacted, the outcome last."""

import json
import os
import unittest

from harness import EX_NOUSER, EX_OK, PigeonTest, secret_forms

# STARTTLS: EHLO before and after TLS.
ORDER = ["connect", "greeting", "ehlo", "tls", "ehlo", "auth", "mail", "rcpt",
         "data", "dot", "quit"]


class JsonTranscript(PigeonTest):

    def run_send(self, srv, *rcpts, extra=()):
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                auth="PLAIN")
        path = os.path.join(self.tmp, "t.jsonl")
        res = self.run_pigeon(["send", "--config", cfg, "-s", "json",
                               "--transcript-json=" + path] + list(extra) +
                              ["--"] + list(rcpts), input=b"json test\n")
        with open(path, "rb") as f:
            raw = f.read()
        events = [json.loads(ln) for ln in raw.decode("utf-8").splitlines()]
        return res, raw, events

    def test_events_stages_and_redaction(self):
        srv = self.start_smtpd(mechanisms=("PLAIN",))
        res, raw, events = self.run_send(srv, "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertTrue(len(events) > 10, raw)
        for ev in events[:-1]:
            for key in ("time", "t_us", "conn", "kind", "stage", "text"):
                self.assertIn(key, ev)
            self.assertRegex(ev["time"],
                             r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        # Stages come in the order of the conversation.
        seen = []
        for ev in events[:-1]:
            if ev["stage"] and (not seen or seen[-1] != ev["stage"]):
                seen.append(ev["stage"])
        self.assertEqual(seen, ORDER, raw)
        auth = [ev for ev in events if ev["kind"] == "client" and
                ev["text"].startswith("AUTH")]
        self.assertTrue(auth and auth[0].get("redacted"), auth)
        for form in secret_forms():
            self.assertNotIn(form if isinstance(form, bytes)
                             else form.encode(), raw)
        server = [ev for ev in events if ev["kind"] == "server"]
        self.assertTrue(all("latency_us" in ev for ev in server))
        tls = [ev for ev in events if ev["kind"] == "tls" and
               "tls_version" in ev]
        self.assertTrue(tls and tls[0]["tls_version"].startswith("TLS"), tls)
        last = events[-1]
        self.assertEqual((last["kind"], last["status"], last["exit"]),
                         ("outcome", "sent", 0), last)

    def test_refused_recipient_names_the_stage(self):
        srv = self.start_smtpd(reject=("nobody@example.org",))
        res, raw, events = self.run_send(srv, "nobody@example.org")
        self.assertExit(res, EX_NOUSER)
        last = events[-1]
        self.assertEqual((last["kind"], last["status"], last["stage"],
                          last["exit"]),
                         ("outcome", "failed", "rcpt", EX_NOUSER), last)
        errors = [ev for ev in events if ev["kind"] == "error"]
        self.assertTrue(errors and errors[0]["stage"] == "rcpt", errors)

    def test_stop_point_named(self):
        srv = self.start_smtpd()
        res, raw, events = self.run_send(srv, "bob@example.org",
                                         extra=("--quit-after", "mail"))
        self.assertExit(res, EX_OK)
        last = events[-1]
        self.assertEqual((last["status"], last["stage"], last["exit"]),
                         ("stopped", "mail", 0), last)


if __name__ == "__main__":
    unittest.main()
