# SPDX-License-Identifier: ISC
"""test_ui_mailto.py - "pigeon ADDRESS" and "pigeon mailto:..." open the composer with what the link asks for, and nothing a link may not ask for."""

import email
import email.policy
import os
import shutil
import subprocess
import unittest

from harness import (EX_DATAERR, EX_USAGE, FROM_HEADER, REPO, PigeonTest,
                     pigeon_path)
from tmuxui import UiTest, shell_quote


class UiMailto(UiTest):

    def open_link(self, cfg, *words, rows=30):
        """pigeon --config CFG WORD... in tmux, as a browser runs it."""
        e = dict(self.env, TERM="xterm-256color", EDITOR=self.editor)
        e.pop("VISUAL", None)
        env = " ".join("%s=%s" % (k, shell_quote(v))
                       for k, v in sorted(e.items()))
        self.launch("env -i %s %s --config %s %s" % (
            env, shell_quote(pigeon_path()), shell_quote(cfg),
            " ".join(shell_quote(w) for w in words)), rows=rows)
        return self.wait_screen("y:send")

    @staticmethod
    def field(screen, label):
        """The value shown after label on the compose screen."""
        for line in screen.split("\n"):
            if line.strip().startswith(label):
                return line.strip()[len(label):].strip()
        return None

    def test_mailto_fills_the_composer_and_sends(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        s = self.open_link(cfg, "mailto:bob@example.org?subject=Hi%20there"
                           "&cc=carol@example.org&body=line1%0D%0Aline2")
        self.assertEqual(self.field(s, "To:"), "bob@example.org")
        self.assertEqual(self.field(s, "Cc:"), "carol@example.org")
        self.assertEqual(self.field(s, "Subject:"), "Hi there")
        self.assertEqual(self.field(s, "Bcc:"), "")
        lines = [l.strip() for l in s.split("\n")]
        at = lines.index("-- text --")
        self.assertEqual(lines[at + 1:at + 3], ["line1", "line2"])
        # The editor was not started: its text would be there instead.
        self.assertNotIn("Hello from the UI.", s)
        self.keys("y")
        self.wait_status("sent ")
        meta, raw = srv.messages()[0]
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["bob@example.org", "carol@example.org"])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(str(msg["Subject"]), "Hi there")
        self.assertEqual(str(msg["Cc"]), "carol@example.org")
        self.assertEqual(msg.get_content().replace("\r\n", "\n"),
                         "line1\nline2\n")

    def test_plain_addresses_open_the_composer(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        s = self.open_link(cfg, "bob@example.org", "Carol <carol@example.org>")
        self.assertEqual(self.field(s, "To:"),
                         "bob@example.org, Carol <carol@example.org>")
        self.assertEqual(self.field(s, "Subject:"), "")

    def test_a_link_cannot_add_headers_or_speak_for_another(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        s = self.open_link(cfg, "mailto:bob@example.org?subject=Hi%0D%0ABcc:"
                           "%20eve@evil.example&from=ceo@example.org"
                           "&X-Priority=1")
        self.assertEqual(self.field(s, "Subject:"),
                         "Hi  Bcc: eve@evil.example")
        self.assertEqual(self.field(s, "Bcc:"), "")
        self.assertNotIn("ceo@example.org", s)
        self.assertIn("not taken from the link: from, X-Priority", s)
        self.keys("y")
        self.wait_status("sent ")
        meta, raw = srv.messages()[0]
        self.assertEqual(meta["rcpt_tos"], ["bob@example.org"])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(str(msg["From"]), FROM_HEADER)
        self.assertNotIn(b"X-Priority", raw)
        self.assertNotIn(b"\nBcc:", raw)

    def test_what_is_no_address_stays_an_unknown_command(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        for args in (["sendmial"], ["--config", cfg, "sendmial"],
                     ["root"], ["http://example.org/@x"]):
            with self.subTest(args=args):
                res = self.run_pigeon(args)
                self.assertExit(res, EX_USAGE)
                self.assertIn(b"unknown command '", res.err)
        # A broken link is an error that says why, before any screen.
        res = self.run_pigeon(["--config", cfg, "mailto:bob@example.org?"
                               "subject=100%"])
        self.assertExit(res, EX_DATAERR)
        self.assertIn(b"pigeon: not a mailto: URL", res.err)
        self.assertFalse(os.path.exists(os.path.join(self.data, "drafts")))


class DesktopFile(PigeonTest):
    """doc/pigeon.desktop registers pigeon for mailto: links."""

    DESKTOP = os.path.join(REPO, "doc", "pigeon.desktop")

    def test_desktop_file_says_pigeon_opens_mailto_links(self):
        with open(self.DESKTOP, encoding="utf-8") as f:
            keys = dict(line.rstrip("\n").split("=", 1) for line in f
                        if "=" in line)
        self.assertEqual(keys["Exec"], "pigeon %u")
        self.assertEqual(keys["Terminal"], "true")
        self.assertIn("x-scheme-handler/mailto;", keys["MimeType"])

    @unittest.skipIf(shutil.which("desktop-file-validate") is None,
                     "desktop-file-validate is not installed "
                     "(Debian: desktop-file-utils)")
    def test_desktop_file_is_valid(self):
        r = subprocess.run(["desktop-file-validate", self.DESKTOP],
                           capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.stdout + r.stderr, b"", r)

    @unittest.skipIf(not os.path.exists(os.path.join(REPO, "Makefile")),
                     "not configured")
    def test_make_install_puts_it_in_applications(self):
        dest = os.path.join(self.tmp, "inst")
        prefix = os.path.join(self.tmp, "usr")
        args = ["make", "-s", "-C", REPO, "DESTDIR=" + dest,
                "prefix=" + prefix, "datadir=" + prefix + "/share",
                "bindir=" + prefix + "/bin", "mandir=" + prefix + "/man",
                "localedir=" + prefix + "/locale",
                "systemduserunitdir=no"]
        r = subprocess.run(args + ["install"], capture_output=True,
                           timeout=300)
        self.assertEqual(r.returncode, 0, r)
        got = dest + prefix + "/share/applications/pigeon.desktop"
        with open(got, "rb") as f, open(self.DESKTOP, "rb") as g:
            self.assertEqual(f.read(), g.read())
        self.assertEqual(os.stat(got).st_mode & 0o777, 0o644)
        r = subprocess.run(args + ["uninstall"], capture_output=True,
                           timeout=300)
        self.assertEqual(r.returncode, 0, r)
        self.assertFalse(os.path.exists(got))
