# SPDX-License-Identifier: ISC
"""test_transcript.py - the live transcript's format (markers, data summary) and the command line's error exits."""

import os
import unittest

from harness import (EX_CONFIG, EX_NOPERM, EX_OK, EX_USAGE, PigeonTest,
                     message, transcript)

BODY_MARK = "unmistakable-body-text-4711"
MSG = message(["From: Tester <tester@example.org>", "To: bob@example.org",
               "Subject: transcript"], ["first line", BODY_MARK, "last"])


class Transcript(PigeonTest):

    def test_markers_before_and_after_starttls(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "-v", "bob@example.org")
        self.assertExit(res, EX_OK)
        lines = transcript(res.stderr)
        self.assertTrue(lines, "no transcript lines on stderr with -v%s" % res)

        def first(marker, prefix):
            for i, (m, t) in enumerate(lines):
                if m == marker and t.upper().startswith(prefix):
                    return i
            self.fail("no %r line starting with %r%s" % (marker, prefix, res))

        greet = first("<-", "220")
        ehlo_clear = first("->", "EHLO ")
        starttls = first("->", "STARTTLS")
        ehlo_tls = first("~>", "EHLO ")
        caps_tls = first("<~", "250")
        mail = first("~>", "MAIL FROM:")
        self.assertLess(greet, ehlo_clear)
        self.assertLess(ehlo_clear, starttls)
        self.assertLess(starttls, ehlo_tls)
        self.assertLess(ehlo_tls, caps_tls)
        self.assertLess(caps_tls, mail)
        # After STARTTLS only its "<- 220" is clear text; then all is TLS.
        after = [(m, t) for m, t in lines[starttls + 1:]
                 if m in ("->", "<-", "~>", "<~")]
        self.assertEqual(after[0][0], "<-", res)
        self.assertTrue(after[0][1].startswith("220"), res)
        clear = [x for x in after[1:] if x[0] in ("->", "<-")]
        self.assertEqual(clear, [], "clear-text markers after STARTTLS%s"
                         % res)
        self.assertIn("==", [m for m, _ in lines], "no == info line%s" % res)

    def test_data_is_summarised(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "-v", "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertIn("[data:", res.stderr)
        self.assertNotIn(BODY_MARK, res.stderr)

    def test_transcript_data_shows_the_message(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "-v", "--transcript-data",
                            "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertIn(BODY_MARK, res.stderr)

    def test_transcript_file_only(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        tfile = os.path.join(self.tmp, "t.log")
        res = self.sendmail(cfg, MSG, "--transcript=" + tfile,
                            "bob@example.org")
        self.assertExit(res, EX_OK)
        with open(tfile, encoding="utf-8", errors="replace") as f:
            lines = transcript(f.read())
        self.assertTrue(any(m == "~>" and t.startswith("MAIL FROM:")
                            for m, t in lines), lines)
        self.assertEqual(transcript(res.stderr), [],
                         "transcript on stderr without -v%s" % res)

    def test_error_line_on_failure(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                password_command="echo wrong-password")
        res = self.sendmail(cfg, MSG, "-v", "bob@example.org")
        self.assertExit(res, EX_NOPERM)
        self.assertIn("**", [m for m, _ in transcript(res.stderr)],
                      "no ** error line in the transcript%s" % res)


class CommandLine(PigeonTest):

    def test_unknown_option(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        res = self.sendmail(cfg, MSG, "--no-such-option", "bob@example.org")
        self.assertExit(res, EX_USAGE)

    def test_missing_config_file(self):
        res = self.run_pigeon(["sendmail", "--config",
                               os.path.join(self.tmp, "does-not-exist"),
                               "bob@example.org"], input=MSG)
        self.assertExit(res, EX_CONFIG)
        self.assertRegex(res.stderr, r"(?m)^pigeon: ")

    def test_unknown_account(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        res = self.sendmail(cfg, MSG, "--account", "nosuchaccount",
                            "bob@example.org")
        self.assertExit(res, EX_CONFIG)

    def test_bad_server_url(self):
        cfg = self.write_config("gopher://127.0.0.1:1")
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_CONFIG)


if __name__ == "__main__":
    unittest.main()
