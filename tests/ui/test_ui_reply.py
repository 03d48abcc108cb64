# SPDX-License-Identifier: ISC
"""test_ui_reply.py - reply, group reply and forward from the reader and the message list, in tmux: the composer opens with the draft, and a reply goes to a real server."""

import email
import email.policy
import os
import time

from tmuxui import UiTest

ORIGINAL = (
    "From: Ann Example <ann@example.org>\n"
    "Reply-To: Ann <ann.reply@example.org>\n"
    "To: Tester <tester@example.org>, Bob <bob@example.com>\n"
    "Cc: TESTER@example.org, carol@example.com\n"
    "Date: Fri, 4 Dec 2026 09:30:00 +0100\n"
    "Subject: RE: Re: lunch\n"
    "Message-ID: <m2@example.org>\n"
    "\n"
    "Shall we?\n"
    "> earlier\n")


class UiReply(UiTest):

    def file_sent(self, text):
        cur = os.path.join(self.data, "sent", "cur")
        os.makedirs(cur, exist_ok=True)
        name = "%d.M1P%dR0123456789abcdef.test:2,S" % (time.time(),
                                                      os.getpid())
        with open(os.path.join(cur, name), "w") as f:
            f.write(text)
        for d in ("new", "tmp"):
            os.makedirs(os.path.join(self.data, "sent", d), exist_ok=True)
        return name

    def test_reply_from_the_reader_is_sent(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.file_sent(ORIGINAL)
        # The editor adds the answer below the quote, as a person would.
        with open(self.editor, "w") as f:
            f.write("#!/bin/sh\nprintf 'Yes, at noon.\\n' >> \"$1\"\n")
        self.start(cfg, rows=40)
        self.wait_screen("lunch")
        self.keys("Enter")
        s = self.wait_screen("r:reply")
        self.assertIn("f:forward", s)
        self.keys("r")
        s = self.wait_screen("Re: lunch")
        self.assertIn("ann.reply@example.org", s)
        self.assertIn("Ann Example wrote:", s)
        self.assertIn("> Shall we?", s)
        self.keys("e")
        self.wait_screen("Yes, at noon.")
        self.keys("y")
        self.wait_status("sent ")
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1)
        meta, raw = msgs[0]
        self.assertEqual(meta["rcpt_tos"], ["ann.reply@example.org"])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg["Subject"], "Re: lunch")
        self.assertEqual(msg["In-Reply-To"], "<m2@example.org>")
        self.assertEqual(msg["References"], "<m2@example.org>")
        self.assertEqual(
            msg.get_content().replace("\r\n", "\n"),
            "On Fri, 4 Dec 2026 09:30:00 +0100, Ann Example wrote:\n"
            "> Shall we?\n>> earlier\n\nYes, at noon.\n")

    def test_group_reply_from_the_list(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.file_sent(ORIGINAL)
        self.start(cfg)
        self.wait_screen("lunch")
        self.keys("L")
        s = self.wait_screen("Re: lunch")
        lines = {ln.split(":", 1)[0].strip(): ln.split(":", 1)[1].strip()
                 for ln in s.splitlines() if ":" in ln}
        self.assertEqual(lines["To"], "Ann <ann.reply@example.org>")
        # The account's own address (To, and in Cc in capitals) is not copied.
        self.assertEqual(lines["Cc"], "Bob <bob@example.com>, carol@example.com")

    def test_forward_and_the_keys_in_help(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.file_sent(ORIGINAL)
        self.start(cfg)
        self.wait_screen("lunch")
        self.keys("?")
        s = self.wait_screen("forward the whole message as an attachment")
        self.assertIn("reply to all", s)
        self.keys("q")
        self.wait_screen("m:compose")
        self.keys("Enter")
        self.wait_screen("r:reply")
        self.keys("f")
        s = self.wait_screen("Fwd: lunch")
        self.assertIn("---------- Forwarded message ----------", s)
        self.assertIn("forward: t: To", s)

    def test_new_message_starts_from_the_template(self):
        tpl = os.path.join(self.tmp, "new.tpl")
        with open(tpl, "w") as f:
            f.write("Reply-To: desk@example.org\n\nDear %{name},\n\n"
                    "about %{subject}:\n")
        cfg = self.write_config("smtp://127.0.0.1:1", template=tpl)
        # An editor that changes nothing: the screen shows the template.
        with open(self.editor, "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        self.start(cfg)
        s = self.compose("Bob <bob@example.org>", "Plans")
        self.assertIn("Dear Bob,", s)
        self.assertIn("about Plans:", s)
        self.assertIn("desk@example.org", s)

    def test_reply_to_a_message_of_another_account(self):
        work = self.account("smtp://127.0.0.1:1",
                            **{"from": "Me <me@work.example>"})
        cfg = self.write_config("smtp://127.0.0.1:1",
                                accounts={"work": work})
        self.file_sent("From: Me <me@work.example>\n"
                       "To: Dan <dan@example.com>\n"
                       "Subject: report\n\nattached\n")
        self.start(cfg)
        self.wait_screen("report")
        self.keys("a")
        s = self.wait_screen("this message is for account work")
        # One's own message: the reply goes where it went.
        self.assertIn("Dan <dan@example.com>", s)
        self.assertIn("Subject:   Re: report", s)
