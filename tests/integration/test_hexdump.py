# SPDX-License-Identifier: ISC
"""test_hexdump.py - --hex and -vvv: every read and write dumped in hex + ASCII, plain and inside STARTTLS (decrypted), with the classic layout; AUTH secrets never shown, not even as bytes in the dump."""

import base64
import os
import re

from harness import (EX_OK, PASSWORD, USER, PigeonTest, message,
                     secret_forms)

MSG = message(["From: Tester <tester@example.org>", "To: bob@example.org",
               "Subject: hex"], ["hello"])

HEAD_RE = re.compile(r"^\[\s*[0-9.]+\] (C>|S<) ([0-9]+) bytes?(.*)$")
DUMP_RE = re.compile(r"^  ([0-9a-f]{4,})  (.{49}) \|(.*)\|$")
EHLO_LINE = ("0000  45 48 4c 4f 20 6c 6f 63  61 6c 68 6f 73 74 0d 0a  "
             "|EHLO localhost..|")


def raw_events(test, text):
    """[(direction, tls, redacted, bytes)] of the dumps in text, each
    checked against its header's size and its offsets."""
    out = []
    for line in text.splitlines():
        h = HEAD_RE.match(line)
        if h:
            out.append([h.group(1), "inside TLS" in h.group(3),
                        "secret bytes shown as x" in h.group(3),
                        int(h.group(2)), b""])
            continue
        d = DUMP_RE.match(line)
        if d and out:
            ev = out[-1]
            test.assertEqual(int(d.group(1), 16), len(ev[4]), line)
            hexpart = d.group(2)
            test.assertEqual(hexpart[24], " ", "no gap after 8 bytes: "
                             + line)
            data = bytes.fromhex(hexpart.replace(" ", ""))
            ascii_col = "".join(chr(c) if 0x20 <= c < 0x7f else "."
                                for c in data)
            test.assertEqual(d.group(3), ascii_col, line)
            ev[4] += data
    for ev in out:
        test.assertEqual(ev[3], len(ev[4]), "size in the header: %r" % ev)
    return [(d, tls, red, data) for d, tls, red, _, data in out]


class HexDump(PigeonTest):

    def run_send(self, srv, scheme, *args, **keys):
        cfg = self.write_config("%s://127.0.0.1:%d" % (scheme, srv.port),
                                **keys)
        return self.sendmail(cfg, MSG, *args, "bob@example.org")

    def test_plain_connection_dumped(self):
        srv = self.start_smtpd(tls="none", user=None, password=None)
        res = self.run_send(srv, "smtp+plain", "--hex", user=None,
                            password_command=None)
        self.assertExit(res, EX_OK)
        # --hex alone shows the transcript (as -v) with the dumps.
        self.assertIn("-> EHLO localhost", res.stderr)
        self.assertIn("\n  " + EHLO_LINE + "\n", res.stderr)
        evs = raw_events(self, res.stderr)
        sent = b"".join(d for k, _, _, d in evs if k == "C>")
        got = b"".join(d for k, _, _, d in evs if k == "S<")
        self.assertTrue(sent.startswith(b"EHLO localhost\r\nMAIL FROM:<"),
                        res)
        self.assertIn(b"\r\nhello\r\n.\r\n", sent)
        self.assertTrue(sent.endswith(b"QUIT\r\n"), res)
        self.assertTrue(got.startswith(b"220 "), res)
        self.assertFalse(any(tls for _, tls, _, _ in evs), res)
        self.assertNoRawControls(res)

    def test_starttls_dumped_before_and_after(self):
        srv = self.start_smtpd()
        res = self.run_send(srv, "smtp", "-vvv", auth="PLAIN")
        self.assertExit(res, EX_OK)
        evs = raw_events(self, res.stderr)
        ehlo = [tls for k, tls, _, d in evs
                if k == "C>" and d == b"EHLO localhost\r\n"]
        self.assertEqual(ehlo, [False, True], res)
        self.assertIn("C> 16 bytes, inside TLS (before encryption)\n  "
                      + EHLO_LINE + "\n", res.stderr)
        # Decrypted: the server's capabilities after TLS, in clear.
        inside = b"".join(d for k, tls, _, d in evs if k == "S<" and tls)
        self.assertIn(b"250-AUTH ", inside)
        # -vvv is -vv too: the engine's states are shown.
        self.assertRegex(res.stderr, r"(?m)^\[[ 0-9.]+\] \.\. ehlo$")
        self.assertNoRawControls(res)

    def check_no_secret(self, res, files=()):
        texts = [res.stderr]
        for f in files:
            with open(f, encoding="utf-8", errors="replace") as fh:
                texts.append(fh.read())
        for text in texts:
            for form in secret_forms():
                self.assertNotIn(form, text)
            evs = raw_events(self, text)
            self.assertTrue(evs, "no dump%s" % res)
            wire = b"".join(d for k, _, _, d in evs if k == "C>")
            for form in secret_forms():
                self.assertNotIn(form.encode(), wire, res)
            self.assertNotIn(PASSWORD.encode(), wire)
            self.assertTrue(any(red for _, _, red, _ in evs), res)
        return wire

    def test_plain_password_masked_in_dump(self):
        srv = self.start_smtpd()
        tfile = os.path.join(self.tmp, "t.log")
        res = self.run_send(srv, "smtp", "-v", "--hex",
                            "--transcript=" + tfile, auth="PLAIN")
        self.assertExit(res, EX_OK)
        wire = self.check_no_secret(res, [tfile])
        blob = base64.b64encode(b"\0" + USER.encode() + b"\0" +
                                PASSWORD.encode())
        self.assertIn(b"AUTH PLAIN " + b"x" * len(blob) + b"\r\n", wire)
        # The server got the real thing.
        self.assertEqual(len(srv.messages()), 1)

    def test_login_password_masked_in_dump(self):
        srv = self.start_smtpd()
        tfile = os.path.join(self.tmp, "t.log")
        res = self.run_send(srv, "smtp", "--hex", "--show-auth",
                            "--transcript=" + tfile, auth="LOGIN")
        self.assertExit(res, EX_OK)
        # --transcript=FILE takes the dump; stderr stays quiet.
        self.assertNotIn("C> ", res.stderr)
        with open(tfile, encoding="utf-8") as f:
            text = f.read()
        evs = raw_events(self, text)
        wire = b"".join(d for k, _, _, d in evs if k == "C>")
        user64 = base64.b64encode(USER.encode())
        pw64 = base64.b64encode(PASSWORD.encode())
        self.assertIn(b"AUTH LOGIN\r\n" + b"x" * len(user64) + b"\r\n" +
                      b"x" * len(pw64) + b"\r\n", wire)
        for form in secret_forms():
            self.assertNotIn(form, text)
            self.assertNotIn(form.encode(), wire)

    def test_queue_log_keeps_no_secret(self):
        srv = self.start_smtpd()
        res = self.run_send(srv, "smtp", "--hex", auth="PLAIN")
        self.assertExit(res, EX_OK)
        # The delivery logs (pigeon queue log), wherever they are kept.
        seen = 0
        for root, _, files in os.walk(self.home):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    blob = fh.read()
                seen += blob.count(b"C> ")
                for form in secret_forms():
                    self.assertNotIn(form.encode(), blob, f)
        self.assertTrue(seen, "no dump in a delivery log")


if __name__ == "__main__":
    import unittest
    unittest.main()
