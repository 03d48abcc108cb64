# SPDX-License-Identifier: ISC
"""test_ui_german.py - the UI in German at 80x24 (LANG=de_DE.UTF-8), yes/no in the locale's words, NO_COLOR."""

import os
import re
import shutil
import subprocess
import time
import unittest

from harness import build_features, pigeon_path
from tmuxui import UiTest, shell_quote


def have_locale(name):
    """Is the locale name (e.g. de_DE.UTF-8) generated on this system?"""
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True,
                             timeout=10).stdout.decode("ascii", "replace")
    except (OSError, subprocess.SubprocessError):
        return False
    want = name.lower().replace("utf-8", "utf8")
    return any(l.strip().lower().replace("utf-8", "utf8") == want
               for l in out.split())


def catalogue(lang):
    """The build tree's po/LANG.mo, or None."""
    mo = os.path.join(os.path.dirname(os.path.abspath(pigeon_path())), "po",
                      lang + ".mo")
    return mo if os.path.exists(mo) else None


# A colour in an SGR sequence: 30-38, 40-48, 90-107 (39 and 49, "the
# default colour", are what tmux writes for no colour at all).
COLOUR_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colours(screen):
    """The colour parameters found in the escape sequences of screen."""
    found = []
    for m in COLOUR_SGR.finditer(screen):
        for p in m.group(1).split(";"):
            if p and int(p) not in (39, 49) and (30 <= int(p) <= 49 or 90 <= int(p) <= 107):
                found.append(p)
    return found


class German(UiTest):

    def setUp(self):
        super().setUp()
        if "test-hooks" not in build_features():
            self.skipTest("needs a build configured with --enable-test-hooks")
        if catalogue("de") is None:
            self.skipTest("po/de.mo is not built (configured with --disable-nls?)")
        if not have_locale("de_DE.UTF-8"):
            self.skipTest("the de_DE.UTF-8 locale is not generated")
        # The catalogue where bindtextdomain() looks in a test build.
        self.locdir = os.path.join(self.tmp, "locale")
        d = os.path.join(self.locdir, "de", "LC_MESSAGES")
        os.makedirs(d)
        shutil.copy(catalogue("de"), os.path.join(d, "pigeon.mo"))

    def start_german(self, cfg, cols=80, rows=24, env=None):
        e = dict(self.env, TERM="xterm-256color", EDITOR=self.editor,
                 LANG="de_DE.UTF-8", LC_ALL="de_DE.UTF-8",
                 PIGEON_TEST_LOCALEDIR=self.locdir)
        e.pop("VISUAL", None)
        e.update(env or {})
        cmd = " ".join("%s=%s" % (k, shell_quote(v)) for k, v in sorted(e.items()))
        self.launch("env -i %s %s --config %s" % (
            cmd, shell_quote(pigeon_path()), shell_quote(cfg)), cols, rows)

    def lines(self):
        return self.screen().rstrip("\n").split("\n")

    def assert_fits(self, text):
        """text is on one line of the screen, whole: nothing cut."""
        s = self.screen()
        self.assertTrue(any(text in l for l in s.split("\n")),
                        "not whole on one line: %r\n--- screen ---\n%s"
                        % (text, s))

    def test_german_labels_fit_at_80x24_and_j_answers_yes(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start_german(cfg)
        # The folders and their hint line, whole, in German.
        self.wait_screen("m:neu")
        hint = "m:neu  R:Entwurf  Tab:Ordner  Enter:ansehen  q:Ende  ?:Hilfe"
        self.assert_fits(hint)
        self.assertIn("Gesendet", self.screen())
        self.assertNotIn("m:compose", self.screen())
        # The composer: German prompts and labels, a blank after each label.
        self.keys("m")
        self.wait_status("An:")
        self.type("bob@example.org")
        self.keys("Enter")
        self.wait_status("Betreff:")
        self.type("Grüße aus dem Test")
        self.keys("Enter")
        s = self.wait_screen("y:senden")
        self.assert_fits("y:senden  e:Text  a:anhängen  p:Vorschau  P:später  q:verwerfen  ?:Hilfe")
        for label in ("Von:", "An:", "Kopie:", "Blindkopie:", "Betreff:",
                      "Antwort an:"):
            self.assertTrue(any(l.lstrip().startswith(label)
                                for l in s.split("\n")),
                            "no label %r\n%s" % (label, s))
        self.assertIn("Betreff:   Grüße aus dem Test", s)
        for l in s.split("\n"):
            self.assertLessEqual(len(l), 80)
        # q asks whether to keep a draft; the question fits the status line.
        self.keys("q")
        self.wait_screen("Als Entwurf behalten? (j/n)")
        self.assert_fits("Diese Nachricht verwerfen. Als Entwurf behalten? (j/n)")
        self.keys("j")
        self.wait_screen("m:neu")
        drafts = os.path.join(self.data, "drafts", "cur")
        self.assertEqual(len(os.listdir(drafts)), 1)
        # A question whose default is no: "j" is a yes in German.
        self.keys("Tab")
        deadline = time.monotonic() + 10
        while "Grüße aus dem Test" not in self.screen():
            if time.monotonic() > deadline:
                self.fail("the draft is not listed:\n" + self.screen())
            self.keys("Tab")
            time.sleep(0.3)
        self.keys("d")
        self.wait_screen("löschen? (j/n)")
        self.keys("j")
        self.wait_screen("gelöscht")
        self.assertEqual(os.listdir(drafts), [])
        self.keys("q")

    def test_no_color_means_no_colour_escapes(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        # With colours, capture-pane -e shows them (the check can see them).
        self.start_german(cfg)
        self.wait_screen("m:neu")
        s = self.tmux("capture-pane", "-e", "-p", "-t", "t").stdout.decode(
            "utf-8", "replace")
        self.assertNotEqual(colours(s), [], s)
        self.stop_ui()
        # NO_COLOR set and not empty: no colour at all, the UI still works.
        self.start_german(cfg, env={"NO_COLOR": "1"})
        self.wait_screen("m:neu")
        self.keys("v")
        time.sleep(0.3)
        s = self.tmux("capture-pane", "-e", "-p", "-t", "t").stdout.decode(
            "utf-8", "replace")
        self.assertEqual(colours(s), [], repr(s))
        self.assertIn("m:neu", s)
        self.keys("q")


if __name__ == "__main__":
    unittest.main()
