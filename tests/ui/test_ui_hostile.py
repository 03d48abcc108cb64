# SPDX-License-Identifier: ISC
"""test_ui_hostile.py - the UI against hostile input: what is typed at a prompt reaches a configured command as one word, never as shell code."""

import os

from tmuxui import UiTest


class UiHostile(UiTest):

    def query_once(self, query_command, typed):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                query_command=query_command)
        self.start(cfg)
        self.keys("m")
        self.wait_screen("To:")
        self.type(typed)
        self.keys("Tab")
        # The query is mutt's note line; the one address found replaces it.
        self.wait_screen("To: ok@example.org")

    def test_query_command_quoted_by_the_user_runs_no_code(self):
        pwned = os.path.join(self.tmp, "pwned")
        typed = ("$(touch %s)" % pwned,
                 "`touch %s`'\"$(touch %s)" % (pwned, pwned))
        for tmpl in ("echo '%s'; echo ok@example.org",
                     'echo "%s"; echo ok@example.org',
                     "echo %s; echo ok@example.org",
                     # No %s: the query is the last argument.
                     "echo note; echo ok@example.org; echo"):
            for t in typed:
                with self.subTest(query_command=tmpl, typed=t):
                    self.query_once(tmpl, t)
                    self.stop_ui()
                    self.assertFalse(os.path.exists(pwned),
                                     "query_command %r ran what was typed"
                                     % tmpl)

    def test_editor_with_arguments_gets_the_file_as_one_word(self):
        # $EDITOR is a command line of its own, as in mutt: "vim -c x".
        seen = os.path.join(self.tmp, "seen")
        ed = os.path.join(self.tmp, "ed.sh")
        with open(ed, "w") as f:
            f.write("#!/bin/sh\nprintf '%%s\\n' \"$@\" > %s\n"
                    "printf 'Edited.\\n' > \"$3\"\n" % seen)
        os.chmod(ed, 0o700)
        # A temporary directory whose name is shell code.
        tmpdir = os.path.join(self.tmp, "$(touch pwned2)")
        os.mkdir(tmpdir, 0o700)
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg, env={"EDITOR": ed + " -c 'set tw=72'",
                             "TMPDIR": tmpdir})
        self.compose("bob@example.org", "Edited")
        with open(seen) as f:
            args = f.read().split("\n")
        self.assertEqual(args[0], "-c")
        self.assertEqual(args[1], "set tw=72")
        self.assertTrue(args[2].startswith(tmpdir + "/"), args)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "pwned2")))
        self.assertFalse(os.path.exists("pwned2"))
        self.keys("y")
        self.wait_status("sent ")
        self.assertIn(b"Edited.", srv.messages()[0][1])
