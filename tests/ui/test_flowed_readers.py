# SPDX-License-Identifier: ISC
"""test_flowed_readers.py - text_flowed = yes: what aiosmtpd receives is format=flowed text (RFC 3676) that Python's email package reads as such, and that mutt, a real reader, rewraps to its window."""

import email
import email.policy
import os
import shutil
import time

from harness import EX_OK
from tmuxui import UiTest, shell_quote

MUTT = shutil.which("mutt")

PARA = ("This paragraph is written as one long line, as a person types in "
        "an editor that wraps by itself; flowed text lets every reader "
        "wrap it again to the width of its own window, so it never arrives "
        "as a ragged staircase of long and short lines.")
QUOTE = ("> The earlier message said something long enough that its quoted "
         "line too must be cut into several lines, each still quoted.")
BODY = PARA + "\n\n" + QUOTE + "\n\nFrom here on, plain.\n-- \nTester\n"


def unflow(text, delsp=False):
    """RFC 3676 read back, written here from the RFC (the model)."""
    out, para, depth = [], None, None
    for line in text.split("\n"):
        q = len(line) - len(line.lstrip(">"))
        body = line[q:]
        if body.startswith(" "):
            body = body[1:]
        sig = q == 0 and body == "-- "
        if para is not None and (q != depth or sig):
            out.append((depth, para))
            para = None
        soft = body.endswith(" ") and not sig
        if soft and delsp:
            body = body[:-1]
        para = body if para is None else para + body
        depth = q
        if not soft:
            out.append((depth, para))
            para = None
    if para is not None:
        out.append((depth, para))
    return "\n".join((">" * d + (" " if d and p else "") + p)
                     for d, p in out)


class Flowed(UiTest):

    def send(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                text_flowed="yes")
        body = os.path.join(self.tmp, "body.txt")
        with open(body, "w", encoding="utf-8") as f:
            f.write(BODY)
        res = self.run_pigeon(["send", "--config", cfg, "-s", "flowed",
                               "--body", body, "bob@example.org"])
        self.assertExit(res, EX_OK)
        _, data = self.one_message(srv, res)
        return data.replace(b"\r\n", b"\n")

    def test_server_gets_flowed_text(self):
        data = self.send()
        msg = email.message_from_bytes(data, policy=email.policy.default)
        self.assertEqual(msg.get_content_type(), "text/plain")
        self.assertEqual(msg.get_param("format"), "flowed")
        self.assertIsNone(msg.get_param("delsp"))
        text = msg.get_content()
        lines = text.split("\n")
        self.assertTrue(all(len(ln) <= 78 for ln in lines), text)
        # The paragraph went out cut, each cut line ending in a space.
        self.assertNotIn(PARA, text)
        self.assertGreaterEqual(sum(1 for ln in lines if ln.endswith(" ")),
                                4, text)
        # Every line of the quote keeps its mark.
        quoted = [ln for ln in lines if "quoted line" in ln or
                  "earlier message" in ln]
        self.assertTrue(all(ln.startswith("> ") for ln in quoted), text)
        # "From " at the start of a line is space-stuffed; -- stays.
        self.assertIn("\n From here on, plain.\n-- \nTester", text)
        self.assertEqual(unflow(text).rstrip("\n"), BODY.rstrip("\n"))

    def test_script_without_spaces_says_delsp(self):
        jp = "\u65e5\u672c\u8a9e\u306e\u6587\u7ae0" * 30 + "\n"
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                text_flowed="yes")
        body = os.path.join(self.tmp, "body.txt")
        with open(body, "w", encoding="utf-8") as f:
            f.write(jp)
        res = self.run_pigeon(["send", "--config", cfg, "-s", "jp",
                               "--body", body, "bob@example.org"])
        self.assertExit(res, EX_OK)
        _, data = self.one_message(srv, res)
        msg = email.message_from_bytes(data.replace(b"\r\n", b"\n"),
                                       policy=email.policy.default)
        self.assertEqual(msg.get_param("format"), "flowed")
        self.assertEqual(msg.get_param("delsp"), "yes")
        text = msg.get_content()
        self.assertGreater(text.count(" \n"), 1, text)
        self.assertEqual(unflow(text, delsp=True).rstrip("\n"),
                         jp.rstrip("\n"))

    def test_without_the_setting_nothing_changes(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        body = os.path.join(self.tmp, "body.txt")
        with open(body, "w", encoding="utf-8") as f:
            f.write(BODY)
        res = self.run_pigeon(["send", "--config", cfg, "-s", "plain",
                               "--body", body, "bob@example.org"])
        self.assertExit(res, EX_OK)
        _, data = self.one_message(srv, res)
        msg = email.message_from_bytes(data.replace(b"\r\n", b"\n"),
                                       policy=email.policy.default)
        self.assertIsNone(msg.get_param("format"))
        self.assertIn(PARA, msg.get_content())

    def test_mutt_rewraps_it(self):
        if MUTT is None:
            self.skipTest("mutt is not installed")
        data = self.send()
        mbox = os.path.join(self.tmp, "in.mbox")
        with open(mbox, "wb") as f:
            f.write(b"From tester@example.org Sat Dec  5 10:00:00 2026\n")
            f.write(data)
            f.write(b"\n")
        muttrc = os.path.join(self.tmp, "muttrc")
        with open(muttrc, "w") as f:
            f.write("set folder=%s\nset spoolfile=%s\nset record=\n"
                    "set reflow_text=yes\nset reflow_wrap=0\n"
                    "set pager_index_lines=0\nset markers=no\n"
                    "set help=no\nset wait_key=no\n" % (self.tmp, mbox))
        self.launch("env -i HOME=%s TERM=xterm-256color LANG=C.UTF-8 "
                    "%s -n -F %s -R -f %s" % (
                        shell_quote(self.tmp), shell_quote(MUTT),
                        shell_quote(muttrc), shell_quote(mbox)),
                    cols=200, rows=40)
        self.wait_screen("flowed")
        self.keys("Enter")
        # On the wire the paragraph is cut at 72 ("... types in an " /
        # "editor that ..."); in a window 200 wide mutt joins the soft
        # breaks and wraps it again: the words of several wire lines on
        # one screen line.
        deadline = time.monotonic() + 10
        while True:
            screen = self.screen()
            joined = [ln.strip() for ln in screen.split("\n")
                      if "This paragraph is written" in ln]
            if joined and "in an editor that wraps" in joined[0] and \
                    len(joined[0]) > 120:
                break
            if time.monotonic() > deadline:
                self.fail("mutt did not rewrap the paragraph:\n" + screen)
            time.sleep(0.1)
        self.keys("q")
        self.keys("q")
