# SPDX-License-Identifier: ISC
"""test_transcript_conns.py - two connections on one transcript: each one's times count from its own start, its greeting's latency from its connect."""

import os
import re

from harness import EX_OK, GREETING, PigeonTest

# "[  1.234] <- 220 hello  (0.8 ms)"
LINE = re.compile(r"^\[ *(\d+)\.(\d{3})\] (\S\S) (.*?)(?:  \((\d+)\.(\d) ms\))?$")


def parse(text):
    """[(seconds, marker, text, latency ms or None)] of a transcript."""
    out = []
    for ln in text.splitlines():
        m = LINE.match(ln)
        if m is None:
            continue
        lat = None if m.group(5) is None else \
            int(m.group(5)) + int(m.group(6)) / 10
        out.append((int(m.group(1)) + int(m.group(2)) / 1000, m.group(3),
                    m.group(4), lat))
    return out


class TranscriptConnections(PigeonTest):

    def test_second_connection_counts_from_its_own_start(self):
        """pigeon probe --detect makes one connection per candidate on one
        transcript.  The first server greets, reads EHLO and then says
        nothing until the try's time is up (1.5 s); the second is a real
        server.  Its lines must start near 0 again, and its greeting's
        latency is the server's, not the time since the first EHLO."""
        self.need_test_hooks()
        slow = self.start_script([GREETING, ("expect", rb"^EHLO "),
                                  ("hang",)])
        srv = self.start_smtpd(tls="starttls")
        self.env["PIGEON_TEST_DETECT"] = "%d/starttls,%d/starttls" % (
            slow.port, srv.port)
        self.env["PIGEON_TEST_DETECT_TIMEOUT_MS"] = "1500"
        cfg = self.write_config("smtp://127.0.0.1:1")
        path = os.path.join(self.tmp, "transcript")
        res = self.run_pigeon(["probe", "--config", cfg, "--transcript=" +
                               path, "--detect", "127.0.0.1"])
        self.assertExit(res, EX_OK)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        lines = parse(text)
        starts = [i for i, ln in enumerate(lines)
                  if ln[2].startswith("connecting to 127.0.0.1 port ")]
        self.assertEqual(len(starts), 2, text)
        first, second = lines[starts[0]:starts[1]], lines[starts[1]:]
        self.assertIn("port %d" % srv.port, second[0][2])
        # The first try waited 1.5 s for its EHLO reply.
        self.assertGreaterEqual(first[-1][0], 1.4, text)
        # The second starts again near 0 and stays there.
        self.assertLess(second[0][0], 0.5, text)
        self.assertLess(second[-1][0], 1.0, text)
        greetings = [ln for ln in second if ln[1] == "<-" and
                     ln[2].startswith("220 ")]
        self.assertTrue(greetings, text)
        # Measured from the connect: a local server greets in
        # milliseconds (the 1.5 s since the first EHLO must not count).
        self.assertIsNotNone(greetings[0][3], text)
        self.assertLess(greetings[0][3], 1000, text)
        # The first connection's greeting has its latency too.
        g1 = [ln for ln in first if ln[1] == "<-" and ln[2].startswith("220")]
        self.assertIsNotNone(g1[0][3], text)


if __name__ == "__main__":
    import unittest
    unittest.main()
