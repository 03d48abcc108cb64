# SPDX-License-Identifier: ISC
"""test_ui.py - the interactive UI, driven in tmux (send-keys, capture-pane) against real servers."""

import email
import email.policy
import os
import signal
import time

from harness import PASSWORD, PigeonTest, pigeon_path
from tmuxui import UiTest, shell_quote


class Ui(UiTest):

    def test_compose_and_send_with_live_transcript(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg, rows=100)
        s = self.compose("bob@example.org", "Hello UI")
        self.assertIn("bob@example.org", s)
        self.assertIn("Hello from the UI.", s)
        self.keys("c")
        self.wait_screen("Cc:")
        self.type("carol@example.org")
        self.keys("Enter")
        self.wait_screen("carol@example.org")
        self.keys("y")
        s = self.wait_status("sent ")
        self.assertIn("SMTP transcript", s)
        self.assertIn("250 2.0.0", s)
        # The whole dialogue (TLS facts and status code notes make it
        # long: 100 rows), full screen: the password never shows.
        self.keys("V")
        s = self.wait_screen("EHLO")
        for want in ("<- 220 ", "-> EHLO", "STARTTLS", "~> AUTH",
                     "[redacted]", "== TLS 1.3", "<~ 235 ", "<~ 250 2.0.0"):
            self.assertIn(want, s)
        self.assertNotIn(PASSWORD, s)
        # Scrolled back to the start, the greeting is the first line.
        self.keys("PPage", "PPage", "PPage")
        self.assertIn("== connecting to 127.0.0.1", self.wait_screen(
            "== connecting to 127.0.0.1"))
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1)
        meta, raw = msgs[0]
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["bob@example.org", "carol@example.org"])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(str(msg["Subject"]), "Hello UI")
        self.assertEqual(str(msg["Cc"]), "carol@example.org")
        self.assertEqual(msg.get_content().replace("\r\n", "\n"),
                         "Hello from the UI.\nSecond line.\n")
        # Filed in sent/, with its transcript.
        sent = os.listdir(os.path.join(self.data, "sent", "cur"))
        self.assertEqual(len(sent), 1)
        log = self.run_pigeon(["queue", "--config", cfg, "log",
                               sent[0].split(":")[0]])
        self.assertIn(b"filed as sent", log.out)
        self.keys("q")

    def test_attach_preview_send_and_open_it_again(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        data = bytes(range(256)) * 40
        with open(os.path.join(self.tmp, "report.bin"), "wb") as f:
            f.write(data)
        self.start(cfg)
        self.compose("bob@example.org", "With a file")
        self.keys("a")
        self.wait_screen("Attach file:")
        # Tab completes the name in the directory given.
        self.type(os.path.join(self.tmp, "rep"))
        self.keys("Tab")
        self.wait_screen("report.bin")
        self.keys("Enter")
        s = self.wait_screen("attached ")
        self.assertIn("[1]", s)
        # A file that is not there: a clear error, nothing attached.
        self.keys("a")
        self.wait_screen("Attach file:")
        self.type("/no/such/file")
        self.keys("Enter")
        self.wait_screen("cannot attach /no/such/file")
        self.assertNotIn("[2]", self.screen())
        # The preview is the message as it will go out.
        self.keys("p")
        s = self.wait_screen("Preview")
        self.assertIn("Content-Type: multipart/mixed", s)
        self.keys("q")
        self.wait_screen("y:send")
        self.keys("y")
        self.wait_status("sent ")
        meta, raw = srv.messages()[0]
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        atts = list(msg.iter_attachments())
        self.assertEqual(len(atts), 1)
        self.assertEqual(atts[0].get_filename(), "report.bin")
        self.assertEqual(atts[0].get_content(), data)
        # In the sent folder: Enter shows it and its transcript.
        self.wait_screen("With a file")
        self.keys("Enter")
        s = self.wait_screen("Subject: With a file")
        # Read as a person reads it: the text, a line for the file.
        self.assertIn("Hello from the UI.", s)
        self.assertIn("[attachment: report.bin, application/octet-stream, "
                      "10240 bytes]", s)
        self.assertNotIn("Content-Transfer-Encoding", s)
        self.keys("q")
        self.wait_screen("m:compose")
        # H: as it is filed.
        self.keys("H")
        s = self.wait_screen("Content-Transfer-Encoding: base64")
        self.assertIn("multipart/mixed", s)
        self.keys("G")
        self.wait_screen("filed as sent")
        for _ in range(20):
            if "-- transcript --" in self.screen():
                break
            self.keys("k", "k", "k", "k", "k")
            time.sleep(0.1)
        self.assertIn("-- transcript --", self.screen())
        self.keys("q")
        self.wait_screen("m:compose")

    def test_resize_to_80x24_and_back(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg, cols=120, rows=40)
        self.compose("bob@example.org", "Sizes")
        self.tmux("resize-window", "-t", "t", "-x", "80", "-y", "24")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = self.screen().split("\n")[:24]
            if len(lines) == 24 and "y:send" in lines[22]:
                break
            time.sleep(0.05)
        lines = self.screen().split("\n")[:24]
        self.assertEqual(len(lines), 24)
        self.assertIn("y:send", lines[22])
        self.assertIn("Compose", lines[0])
        self.assertTrue(all(len(l) <= 80 for l in lines))
        self.tmux("resize-window", "-t", "t", "-x", "100", "-y", "30")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = self.screen().split("\n")[:30]
            if len(lines) == 30 and "y:send" in lines[28]:
                break
            time.sleep(0.05)
        self.assertIn("y:send", lines[28])
        self.keys("y")
        self.wait_status("sent ")

    def test_transcript_search_and_save(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg)
        self.compose("bob@example.org", "Save it")
        self.keys("y")
        self.wait_status("sent ")
        # The whole transcript, searched back for the greeting: one
        # search goes round from wherever the view is.
        self.keys("V")
        self.wait_screen("SMTP transcript, whole screen")
        self.keys("/")
        self.wait_screen("Search:")
        self.type("<- 220")
        self.keys("Enter")
        self.wait_selected("<- 220 ")
        # n goes on down, N back up; a new search starts empty.
        self.keys("/")
        s = self.wait_screen("Search:")
        self.assertNotIn("<- 220", s.split("\n")[-2])
        self.type("EHLO")
        self.keys("Enter")
        # Before TLS, then after it (n: down), and back (N: up).
        self.wait_selected("-> EHLO")
        self.keys("n")
        self.wait_selected("~> EHLO")
        self.keys("N")
        self.wait_selected("-> EHLO")
        # Save all of it.
        out = os.path.join(self.tmp, "saved.log")
        self.keys("S")
        self.wait_screen("Save the transcript to:")
        self.type(out)
        self.keys("Enter")
        self.wait_status("transcript saved to")
        with open(out) as f:
            text = f.read()
        for want in ("-> EHLO", "~> AUTH", "[redacted]", "<~ 250 2.0.0"):
            self.assertIn(want, text)
        self.assertNotIn(PASSWORD, text)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)

    def test_send_goes_on_behind_a_prompt(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg)
        self.compose("bob@example.org", "Behind")
        # Send, and at once start another message: its To prompt opens
        # while the first is still on its way.
        self.keys("y", "m")
        self.wait_screen("To:")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not srv.messages():
            time.sleep(0.05)
        self.assertEqual(len(srv.messages()), 1)
        self.assertIn("To:", self.screen())
        self.keys("Escape")
        self.wait_status("sent ")

    def test_aliases_complete_and_expand(self):
        srv = self.start_smtpd()
        aliases = os.path.join(self.tmp, "aliases")
        with open(aliases, "w") as f:
            f.write("# mutt style\n"
                    "alias bob Bob Smith <bob@example.org>\n"
                    "alias team alice@example.org, carol@example.org\n")
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                aliases=aliases)
        self.start(cfg)
        self.keys("m")
        self.wait_screen("To:")
        self.type("bo")
        self.keys("Tab")
        self.wait_screen("Bob Smith <bob@example.org>")
        self.keys("Enter")
        self.wait_screen("Subject:")
        self.type("Aliases")
        self.keys("Enter")
        self.wait_screen("y:send")
        # A bare alias name, no Tab: expanded when the message is made.
        self.keys("c")
        self.wait_screen("Cc:")
        self.type("team")
        self.keys("Enter")
        self.keys("y")
        self.wait_status("sent ")
        meta, raw = srv.messages()[0]
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["alice@example.org", "bob@example.org",
                          "carol@example.org"])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(str(msg["To"]), "Bob Smith <bob@example.org>")

    def form_set(self, label, text):
        """On the account form: go down to label, type text there."""
        for _ in range(12):
            if self.selected_line().lstrip().startswith(label):
                break
            self.keys("j")
            time.sleep(0.05)
        self.assertTrue(self.selected_line().lstrip().startswith(label),
                        self.screen())
        self.keys("Enter")
        self.wait_screen(label)
        if text is not None:
            self.keys("C-u")
            self.type(text)
            self.keys("Enter")
            self.wait_screen(text)

    def wait_selected(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while text not in self.selected_line():
            if time.monotonic() > deadline:
                self.fail("never selected: %r\n--- screen ---\n%s"
                          % (text, self.screen()))
            time.sleep(0.05)

    def selected_line(self):
        out = self.tmux("capture-pane", "-p", "-e", "-t", "t").stdout.decode(
            "utf-8", "replace")
        plain = self.screen().split("\n")
        lines = out.split("\n")
        # The marked line is in reverse video (SGR 7); the title and the
        # bars at the bottom are in colour, and left out.
        for i, line in enumerate(lines[1:-3], start=1):
            if "\x1b[7m" in line or ";7m" in line:
                return plain[i] if i < len(plain) else ""
        return ""

    def test_first_run_form_then_send(self):
        srv = self.start_smtpd()
        e = dict(self.env, TERM="xterm-256color", EDITOR=self.editor,
                 SSL_CERT_FILE=self.pki.ca_cert)
        cmd = " ".join("%s=%s" % (k, shell_quote(v)) for k, v in sorted(e.items()))
        self.launch("env -i %s %s" % (cmd, shell_quote(pigeon_path())))
        self.wait_screen("New account")
        self.wait_screen("No account yet")
        self.form_set("Name", "home")
        self.form_set("From", "Me <me@example.org>")
        self.form_set("Server", "127.0.0.1:%d" % srv.port)
        self.form_set("User", "alice")
        self.form_set("Password from", None)
        self.form_set("Password command", "echo " + PASSWORD)
        self.keys("s")
        self.wait_screen("m:compose")
        cfg = os.path.join(self.env["XDG_CONFIG_HOME"], "pigeon", "config")
        with open(cfg) as f:
            text = f.read()
        self.assertIn("default = home", text)
        self.assertIn("[account home]", text)
        self.assertIn("server = smtp://127.0.0.1:%d" % srv.port, text)
        self.assertIn("password_command = echo " + PASSWORD, text)
        self.assertNotIn("\npassword =", text)
        self.assertEqual(os.stat(cfg).st_mode & 0o777, 0o600)
        self.compose("bob@example.org", "First run")
        self.keys("y")
        self.wait_status("sent ")
        self.assertEqual(len(srv.messages()), 1)

    def test_accounts_screen_edit_add_default_delete_test(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg)
        self.keys("A")
        self.wait_screen("Accounts (* default, > in use)")
        # Test the connection: the dialogue shows, and it works.
        self.keys("t")
        s = self.wait_screen("test works")
        # The dialogue is in the pane, the whole of it on V.
        self.assertIn("SMTP transcript", s)
        self.keys("V")
        s = self.wait_screen("EHLO")
        self.assertIn("~> QUIT", s)
        self.assertNotIn(PASSWORD, s)
        self.keys("q")
        self.wait_screen("Accounts (* default, > in use)")
        # Edit From.
        self.keys("e")
        self.wait_screen("Edit account")
        self.form_set("From", "Renamed <tester@example.org>")
        self.keys("s")
        self.wait_screen("account test saved")
        with open(cfg) as f:
            text = f.read()
        self.assertIn("# pigeon integration test config", text)
        self.assertIn("from = Renamed <tester@example.org>", text)
        self.assertIn("tls_cafile = ", text)
        # Add another and make it the default.
        self.keys("a")
        self.wait_screen("New account")
        self.form_set("Name", "other")
        self.form_set("From", "o@example.org")
        self.form_set("Server", "smtp.example.org:587")
        self.keys("s")
        self.wait_screen("account other saved")
        self.keys("j", "D")
        self.wait_screen("other is the default account now")
        with open(cfg) as f:
            self.assertIn("default = other", f.read())
        # Delete it again (it asks).
        self.keys("d")
        self.wait_screen("Delete account other?")
        self.keys("y")
        self.wait_screen("account other deleted")
        with open(cfg) as f:
            text = f.read()
        self.assertNotIn("[account other]", text)
        self.assertNotIn("default = other", text)
        self.keys("q")
        self.wait_screen("m:compose")

    def test_outbox_retry_delete_and_edit_as_new(self):
        offline = self.write_config("smtp://127.0.0.1:1")
        for subject in ("first", "second"):
            res = self.run_pigeon(["send", "--config", offline, "-s",
                                   subject, "bob@example.org"],
                                  input=b"queued text\n")
            # Queued is accepted: 0.
            self.assertEqual(res.rc, 0, res)
            time.sleep(0.01)
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg)
        # The folders: drafts, outbox, sent, failed; sent first.
        self.keys("Left")
        self.wait_screen("second")
        # The newest is listed first: "second"; retry it now.
        self.keys("r")
        self.wait_status("sent ")
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1)
        self.assertIn(b"Subject: second", msgs[0][1])
        # Delete the other one (it asks).
        self.wait_screen("first")
        self.keys("d")
        self.wait_screen("Delete ")
        self.keys("y")
        self.wait_screen("outbox (0)")
        self.assertEqual(os.listdir(os.path.join(self.data, "queue")),
                         ["lock"])
        # In sent/, e makes a new message of it.
        self.keys("Tab")
        self.wait_screen("sent (1)")
        self.keys("e")
        s = self.wait_screen("a new message made from")
        self.assertIn("second", s)
        self.assertIn("queued text", s)
        self.keys("y")
        self.wait_status("sent ")
        self.assertEqual(len(srv.messages()), 2)

    def test_f_sends_with_another_account(self):
        srv_a = self.start_smtpd()
        srv_b = self.start_smtpd()
        other = self.account("smtp://127.0.0.1:%d" % srv_b.port,
                             **{"from": "Other Me <other@example.org>"})
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv_a.port,
                                accounts={"other": other})
        self.start(cfg)
        self.compose("bob@example.org", "From the other one")
        self.keys("f")
        self.wait_screen("Send with the account")
        self.keys("j", "Enter")
        s = self.wait_screen("sending with other now")
        self.assertIn("Other Me <other@example.org>", s)
        self.keys("y")
        self.wait_status("sent ")
        self.assertEqual(srv_a.messages(), [])
        meta, raw = srv_b.messages()[0]
        self.assertEqual(meta["mail_from"], "other@example.org")
        self.assertIn(b"From: Other Me <other@example.org>", raw)

    def test_query_command_offers_what_it_finds(self):
        srv = self.start_smtpd()
        book = os.path.join(self.tmp, "book.sh")
        with open(book, "w") as f:
            f.write("#!/bin/sh\necho \"searching for $1\"\n"
                    "printf 'bob@example.org\\tBob Smith\\n'\n"
                    "printf 'bobby@example.org\\tBobby Tables\\tfriend\\n'"
                    "\n")
        os.chmod(book, 0o700)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                query_command=book + " %s")
        self.start(cfg)
        self.keys("m")
        self.wait_screen("To:")
        self.type("bob")
        self.keys("Tab")
        # The last line of the list: the frame is whole when it shows.
        s = self.wait_screen("Bobby Tables <bobby@example.org>")
        self.assertIn("Addresses found", s)
        self.assertIn("Bob Smith <bob@example.org>", s)
        self.keys("j", "Enter")
        self.wait_screen("To: Bobby Tables <bobby@example.org>")
        self.keys("Enter")
        self.wait_screen("Subject:")
        self.type("Found")
        self.keys("Enter")
        self.wait_screen("y:send")
        self.keys("y")
        self.wait_status("sent ")
        self.assertEqual(srv.messages()[0][0]["rcpt_tos"],
                         ["bobby@example.org"])

    def test_builtin_editor_without_editor_set(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg, env={"EDITOR": "", "VISUAL": ""})
        self.keys("m")
        self.wait_screen("To:")
        self.type("bob@example.org")
        self.keys("Enter")
        self.wait_screen("Subject:")
        self.type("Typed here")
        self.keys("Enter")
        self.wait_screen("pigeon's own editor")
        self.type("Hello,")
        self.keys("Enter")
        self.type("wörld typo")
        self.keys("BSpace", "BSpace", "BSpace", "BSpace", "BSpace")
        self.keys("C-a", "Up", "C-e")
        self.type(" you")
        self.keys("C-x")
        s = self.wait_screen("y:send")
        self.assertIn("Hello, you", s)
        self.assertIn("wörld", s)
        self.keys("y")
        self.wait_status("sent ")
        msg = email.message_from_bytes(srv.messages()[0][1],
                                       policy=email.policy.default)
        self.assertEqual(msg.get_content().replace("\r\n", "\n"),
                         "Hello, you\nwörld\n")

    def test_from_unlike_the_login_asks_first(self):
        srv = self.start_smtpd(user="alice@other.example")
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                user="alice@other.example")
        self.start(cfg)
        self.compose("bob@example.org", "Whose From")
        self.keys("y")
        self.wait_screen("The From address is not the login's")
        self.keys("n")
        self.wait_screen("y:send")
        self.assertEqual(srv.messages(), [])
        self.keys("y")
        self.wait_screen("The From address is not the login's")
        self.keys("y")
        self.wait_status("sent ")
        self.assertEqual(len(srv.messages()), 1)

    def test_wide_and_combining_characters_line_up(self):
        import unicodedata

        def cells(text):
            return sum(0 if unicodedata.combining(ch) else
                       2 if unicodedata.east_asian_width(ch) in "WF" else 1
                       for ch in text)

        cfg = self.write_config("smtp://127.0.0.1:1")
        self.start(cfg, cols=80, rows=24)
        name = "日本語の名前" * 8
        self.compose('"%s" <bob@example.org>' % name,
                     "Cafe\u0301 テスト")
        s = self.wait_screen("テスト")
        lines = s.rstrip("\n").split("\n")
        # No line is wider than the terminal, however wide its characters.
        for line in lines:
            self.assertLessEqual(cells(line), 80, line)
        subject = [l for l in lines if l.startswith(" Subject:")][0]
        self.assertEqual(unicodedata.normalize("NFC", subject),
                         " Subject:   Café テスト")
        # The field after it starts where it should.
        self.assertTrue(lines[lines.index(subject) + 1].startswith(
            " Reply-To:"))

    def test_draft_keeps_an_address_that_does_not_parse(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.start(cfg)
        self.compose("bob at example dot org", "Half typed")
        self.keys("P")
        self.wait_screen("saved as draft")
        d = os.path.join(self.data, "drafts", "cur")
        with open(os.path.join(d, os.listdir(d)[0]), "rb") as f:
            raw = f.read()
        self.assertIn(b"X-Pigeon-To: bob at example dot org", raw)
        self.keys("R")
        s = self.wait_screen("resumed")
        self.assertIn("To:        bob at example dot org", s)
        # Sending it says what is wrong and keeps the compose screen.
        self.keys("y")
        s = self.wait_status("To: ")
        self.assertIn("y:send", s)

    def test_reading_a_message_with_html_alternative(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        html = os.path.join(self.tmp, "page.html")
        with open(html, "w") as f:
            f.write("<p>The <b>rich</b> version.</p>\n")
        res = self.run_pigeon(["send", "--config", cfg, "--html", html,
                               "-s", "Two versions", "bob@example.org"],
                              input="The plain version, grüße.\n".encode())
        self.assertEqual(res.rc, 0, res)
        self.start(cfg)
        self.wait_screen("Two versions")
        self.keys("Enter")
        s = self.wait_screen("Subject: Two versions")
        self.assertIn("The plain version, grüße.", s)
        self.assertIn("[attachment: -, text/html,", s)
        self.assertNotIn("<b>rich</b>", s)

    def test_key_list_scrolls_at_80x24(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.start(cfg, cols=80, rows=24)
        self.keys("?")
        s = self.wait_screen("q:back")
        self.assertIn("compose a new message", s)
        self.assertNotIn("Line editing", s)
        self.keys("G")
        self.wait_screen("Line editing")
        self.keys("q")
        self.wait_screen("m:compose")

    def test_postpone_keeps_a_draft(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.start(cfg)
        self.compose("bob@example.org", "Later")
        self.keys("b")
        self.wait_screen("Bcc:")
        self.type("hidden@example.org")
        self.keys("Enter")
        self.keys("P")
        self.wait_screen("saved as draft")
        drafts = os.listdir(os.path.join(self.data, "drafts", "cur"))
        self.assertEqual(len(drafts), 1)
        self.assertTrue(drafts[0].endswith(":2,D"))
        with open(os.path.join(self.data, "drafts", "cur", drafts[0]),
                  "rb") as f:
            msg = email.message_from_bytes(f.read(),
                                           policy=email.policy.default)
        self.assertEqual(str(msg["Subject"]), "Later")
        self.assertEqual(str(msg["Bcc"]), "hidden@example.org")
        self.keys("q")

    def test_postpone_resume_and_send(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        with open(os.path.join(self.tmp, "notes.txt"), "w") as f:
            f.write("the notes\n")
        self.start(cfg)
        self.compose("bob@example.org", "Grüße, später")
        self.keys("b")
        self.wait_screen("Bcc:")
        self.type("hidden@example.org")
        self.keys("Enter")
        self.keys("a")
        self.wait_screen("Attach file:")
        self.type(os.path.join(self.tmp, "notes.txt"))
        self.keys("Enter")
        self.wait_screen("attached ")
        self.keys("P")
        self.wait_screen("saved as draft")
        self.assertEqual(len(os.listdir(os.path.join(self.data, "drafts",
                                                     "cur"))), 1)
        self.keys("R")
        s = self.wait_screen("resumed")
        self.assertIn("Grüße, später", s)
        self.assertIn("hidden@example.org", s)
        self.assertIn("notes.txt", s)
        self.assertIn("Hello from the UI.", s)
        self.keys("y")
        self.wait_status("sent ")
        meta, raw = srv.messages()[0]
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["bob@example.org", "hidden@example.org"])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(str(msg["Subject"]), "Grüße, später")
        self.assertIsNone(msg["Bcc"])
        atts = list(msg.iter_attachments())
        self.assertEqual([a.get_filename() for a in atts], ["notes.txt"])
        self.assertEqual(atts[0].get_content().replace("\r\n", "\n"),
                         "the notes\n")
        # The sent folder lists it with its subject decoded.
        self.wait_screen("Grüße, später")
        # Sent: the draft is gone.
        self.assertEqual(os.listdir(os.path.join(self.data, "drafts",
                                                 "cur")), [])

    def test_autosave_survives_a_killed_session(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.start(cfg)
        self.compose("bob@example.org", "Autosaved")
        self.wait_screen("draft saved", timeout=10)
        os.kill(self.pid(), signal.SIGKILL)
        self.tmux("kill-server", check=False)
        self.start(cfg)
        s = self.wait_screen("unsent drafts: 1")
        self.keys("R")
        s = self.wait_screen("resumed")
        self.assertIn("Autosaved", s)
        self.assertIn("bob@example.org", s)
        self.assertIn("Hello from the UI.", s)

    def test_sighup_mid_compose_saves_a_draft(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.start(cfg)
        self.compose("bob@example.org", "Dropped link")
        os.kill(self.pid(), signal.SIGHUP)
        deadline = time.monotonic() + 10
        d = os.path.join(self.data, "drafts", "cur")
        while time.monotonic() < deadline:
            if os.path.isdir(d) and os.listdir(d):
                break
            time.sleep(0.05)
        drafts = os.listdir(d)
        self.assertEqual(len(drafts), 1)
        with open(os.path.join(d, drafts[0]), "rb") as f:
            raw = f.read()
        self.assertIn(b"Subject: Dropped link", raw)
        self.assertIn(b"Hello from the UI.", raw)

    def test_server_down_keeps_it_queued_and_screen_works(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.start(cfg, cols=80, rows=24)
        self.compose("bob@example.org", "Offline")
        self.keys("y")
        s = self.wait_status("queued, not sent yet")
        self.assertIn("not sent yet", s)
        out = os.listdir(os.path.join(self.data, "outbox", "new"))
        self.assertEqual(len(out), 1)
        # Keys still work: the folder list moves.
        self.keys("Tab")
        self.wait_screen("failed (0)")
        self.keys("q")

    def test_ctrl_g_never_puts_quit_into_the_data(self):
        """C-g after a pipelined DATA: a QUIT would be read as message text
        once the 354 comes, so the line is dropped instead (the engine's
        clean QUIT, when nothing but the envelope is in flight, is tested
        in test_smtp).  The message stays queued."""
        steps = [("send", b"220 slow ESMTP\r\n"), ("expect", rb"^EHLO "),
                 ("send", b"250-slow\r\n250 PIPELINING\r\n"),
                 ("expect", rb"^MAIL FROM:"), ("expect", rb"^RCPT TO:"),
                 ("expect", rb"^DATA"), ("hang",)]
        srv = self.start_script(steps)
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None)
        self.start(cfg)
        self.compose("bob@example.org", "Stopped")
        self.keys("y")
        self.wait_screen("-> DATA")
        self.keys("C-g")
        s = self.wait_status("queued, not sent yet: ")
        self.assertIn("stopped by the user", s)
        # DATA was under way: no QUIT could follow it.
        self.assertFalse(any(b"QUIT" in c for _, c in srv.chunks))
        self.assertEqual(len(os.listdir(os.path.join(self.data, "outbox",
                                                     "new"))), 1)

    def test_escape_sequences_from_the_server_are_shown_escaped(self):
        steps = [("send", b"220 evil \x1b[2J\x1b]0;pwned\x07 ESMTP\r\n"),
                 ("expect", rb"^EHLO "),
                 ("send", b"250-evil\r\n250 8BITMIME\r\n"),
                 ("hang",)]
        srv = self.start_script(steps)
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None)
        self.start(cfg)
        self.compose("bob@example.org", "Evil")
        self.keys("y")
        s = self.wait_screen("220 evil")
        # Shown escaped, once; nothing reached the terminal raw.
        self.assertIn("220 evil \\e[2J\\e]0;pwned\\x07 ESMTP", s)
        self.assertNotIn("\\\\e", s)
        s = self.wait_status("queued, not sent yet")
        # Still our screen: the title and the help line are there.
        self.assertIn("pigeon 0.1.0", s)
        self.assertIn("m:compose", s)
        self.assertEqual(len(os.listdir(os.path.join(self.data, "outbox",
                                                     "new"))), 1)

    def test_ctrl_g_stops_a_slow_send_and_keeps_it_queued(self):
        steps = [("send", b"220 slow ESMTP\r\n"), ("expect", rb"^EHLO "),
                 ("send", b"250-slow\r\n250 8BITMIME\r\n"), ("hang",)]
        srv = self.start_script(steps)
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None)
        self.start(cfg)
        self.compose("bob@example.org", "Slow")
        self.keys("y")
        self.wait_screen("MAIL FROM:<")
        # The screen answers keys while the server holds its reply.
        self.keys("Tab")
        self.wait_screen("SMTP transcript")
        self.keys("C-g")
        s = self.wait_screen("queued, not sent yet")
        self.assertIn("stopped by the user", s)
        self.assertEqual(len(os.listdir(os.path.join(self.data, "outbox",
                                                     "new"))), 1)
        self.assertTrue(os.listdir(os.path.join(self.data, "queue")))


class LegacyLocale(PigeonTest):
    """The composer in an ISO-8859-1 locale, on a pseudo-terminal (tmux
    speaks UTF-8 to its panes, so it cannot show this)."""

    def setUp(self):
        super().setUp()
        self.latin1_locale()
        self.env.update(TERM="xterm", LINES="30", COLUMNS="100")
        self.data = os.path.join(self.env["XDG_DATA_HOME"], "pigeon")

    def read_until(self, fd, needle, timeout=15):
        import select
        out = b""
        deadline = time.monotonic() + timeout
        while needle not in out:
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail("%r never came; got %r" % (needle, out[-500:]))
            if select.select([fd], [], [], left)[0]:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    self.fail("pigeon ended; got %r" % out[-500:])
                out += chunk
        return out

    def test_latin1_terminal_shows_and_takes_text_in_its_charset(self):
        import pty
        cfg = self.write_config("smtp://127.0.0.1:1")
        cur = os.path.join(self.data, "drafts", "cur")
        os.makedirs(cur)
        for sub in ("new", "tmp"):
            os.makedirs(os.path.join(self.data, "drafts", sub))
        with open(os.path.join(cur, "1700000000.M1P1R1.test:2,D"), "wb") as f:
            f.write(b"From: Tester <tester@example.org>\r\n"
                    b"To: bob@example.org\r\n"
                    b"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
                    b"MIME-Version: 1.0\r\n"
                    b"Content-Type: text/plain; charset=utf-8\r\n"
                    b"Content-Transfer-Encoding: 8bit\r\n\r\n"
                    b"Sch\xc3\xb6ne Gr\xc3\xbc\xc3\x9fe\r\n")
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(pigeon_path(), [pigeon_path(), "--config", cfg],
                      self.env)
            os._exit(127)
        try:
            self.read_until(fd, b"R resumes")
            os.write(fd, b"R")
            out = self.read_until(fd, b"resumed")
            # Drawn in the terminal's charset, not as UTF-8 bytes.
            self.assertIn(b"Gr\xfc\xdfe", out)
            self.assertIn(b"Sch\xf6ne", out)
            self.assertNotIn(b"Gr\xc3\xbc", out)
            # Typed in the terminal's charset, kept as UTF-8.
            os.write(fd, b"c")
            self.read_until(fd, b"Cc:")
            os.write(fd, b"J\xf6rg <j@example.org>\r")
            self.read_until(fd, b"J\xf6rg")
            os.write(fd, b"P")
            self.read_until(fd, b"saved as draft")
        finally:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
            os.close(fd)
        with open(os.path.join(cur, "1700000000.M1P1R1.test:2,D"),
                  "rb") as f:
            msg = email.message_from_bytes(f.read(),
                                           policy=email.policy.default)
        self.assertEqual(str(msg["Subject"]), "Grüße")
        self.assertEqual(str(msg["Cc"]), "Jörg <j@example.org>")
        self.assertEqual(msg.get_content().replace("\r\n", "\n"),
                         "Schöne Grüße\n")
