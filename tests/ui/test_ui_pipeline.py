# SPDX-License-Identifier: ISC
"""test_ui_pipeline.py - the composer, pigeon send and pigeon sendmail give the same message; drafts keep attachment names; queued mail goes out from the running composer."""

import base64
import email
import email.policy
import os
import time
from email.message import EmailMessage

from harness import EX_OK, FROM_HEADER, free_port, message
from tmuxui import UiTest

TEXT = "Hello from the UI.\nSecond line.\n"
SIGNATURE = "Jane Doe\nhttps://example.org/jane\n"
SUBJECT = "Grüße aus der Pipeline"
NAME = "Bericht März.pdf"
DATA = b"%PDF-1.4\n" + bytes(range(256)) * 16


def summary(raw):
    """What a reader sees of a message, as Python's email package parses
    it: the header fields a person wrote, the text, each attachment's name,
    type and bytes."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    return {
        "from": str(msg["From"]),
        "to": str(msg["To"]),
        "cc": str(msg["Cc"]),
        "bcc": msg["Bcc"],
        "subject": str(msg["Subject"]),
        "text": body.get_content().replace("\r\n", "\n"),
        "attachments": [(a.get_filename(), a.get_content_type(),
                         a.get_content()) for a in msg.iter_attachments()],
    }


class Pipeline(UiTest):

    def setUp(self):
        super().setUp()
        # An editor that puts its text above what the composer gave it
        # (the signature), as a person writing above it would.
        self.editor = os.path.join(self.tmp, "editor-above.sh")
        with open(self.editor, "w") as f:
            f.write("#!/bin/sh\n{ printf 'Hello from the UI.\\nSecond "
                    "line.\\n'; cat \"$1\"; } >\"$1.new\" && "
                    "mv \"$1.new\" \"$1\"\n")
        os.chmod(self.editor, 0o700)
        self.sig = os.path.join(self.tmp, "signature")
        with open(self.sig, "w", encoding="utf-8") as f:
            f.write(SIGNATURE)
        self.attachment = os.path.join(self.tmp, NAME)
        with open(self.attachment, "wb") as f:
            f.write(DATA)

    def attach(self, path):
        self.keys("a")
        self.wait_screen("Attach file:")
        self.type(path)
        self.keys("Enter")
        self.wait_screen("attached ")

    def resume_and_send(self, srv):
        self.keys("R")
        s = self.wait_screen("resumed")
        self.keys("y")
        self.wait_status("sent ")
        return s, self.one_message(srv)

    def test_same_message_from_the_ui_send_and_sendmail(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                signature=self.sig)
        to = "Bob <bob@example.org>"
        cc = "carol@example.org"
        # 1. The composer.
        self.start(cfg)
        self.compose(to, SUBJECT)
        self.keys("c")
        self.wait_screen("Cc:")
        self.type(cc)
        self.keys("Enter")
        self.wait_screen(cc)
        self.attach(self.attachment)
        self.keys("y")
        self.wait_status("sent ")
        # 2. pigeon send, with the same parts.
        res = self.run_pigeon(["send", "--config", cfg, "-s", SUBJECT,
                               "-c", cc, "-a", self.attachment, to],
                              input=TEXT.encode())
        self.assertExit(res, EX_OK)
        # 3. pigeon sendmail -oi -t, given the message whole, as mutt
        # would: it is sent as given.
        m = EmailMessage()
        m["From"] = FROM_HEADER
        m["To"] = to
        m["Cc"] = cc
        m["Subject"] = SUBJECT
        m.set_content(TEXT + "-- \n" + SIGNATURE)
        m.add_attachment(DATA, maintype="application", subtype="pdf",
                         filename=NAME)
        raw = m.as_bytes(policy=email.policy.default)
        res = self.sendmail(cfg, raw, "-oi", "-t")
        self.assertExit(res, EX_OK)

        msgs = srv.messages()
        self.assertEqual(len(msgs), 3)
        want = {
            "from": FROM_HEADER, "to": to, "cc": cc, "bcc": None,
            "subject": SUBJECT, "text": TEXT + "-- \n" + SIGNATURE,
            "attachments": [(NAME, "application/pdf", DATA)],
        }
        for (meta, raw), how in zip(msgs, ("composer", "send",
                                           "sendmail")):
            self.assertEqual(summary(raw), want, how)
            self.assertEqual(sorted(meta["rcpt_tos"]),
                             ["bob@example.org", "carol@example.org"], how)
        # All three filed in sent/ in the local form: no CR at all.
        sent = self.folder("sent")
        self.assertEqual(len(sent), 3)
        for raw in sent.values():
            self.assertNotIn(b"\r", raw)

    def test_draft_resumed_keeps_a_non_ascii_attachment_name(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                signature=self.sig)
        self.start(cfg)
        self.compose("bob@example.org", "Der Bericht")
        self.attach(self.attachment)
        self.keys("P")
        self.wait_screen("saved as draft")
        # The draft holds the file: the original may go.
        os.unlink(self.attachment)
        drafts = self.folder("drafts")
        self.assertEqual(len(drafts), 1)
        self.assertNotIn(b"\r", list(drafts.values())[0])
        s, (meta, raw) = self.resume_and_send(srv)
        self.assertIn(NAME, s)
        got = summary(raw)
        self.assertEqual(got["attachments"], [(NAME, "application/pdf",
                                               DATA)])
        # The signature once, though the draft was saved and resumed.
        self.assertEqual(got["text"], TEXT + "-- \n" + SIGNATURE)
        self.assertEqual(self.folder("drafts"), {})

    def test_foreign_draft_with_rfc2231_continuations(self):
        # A draft written by another program: CRLF line ends, the name in
        # ISO-8859-1 split over two RFC 2231 continuations, an unknown
        # field of the writer's (Organization) that goes along.
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                signature=self.sig)
        b64 = base64.encodebytes(DATA).replace(b"\n", b"\r\n")
        draft = (b"From: " + FROM_HEADER.encode() + b"\r\n"
                 b"To: bob@example.org\r\n"
                 b"Subject: =?ISO-8859-1?Q?Der_Bericht_f=FCr_M=E4rz?=\r\n"
                 b"X-Mailer: elsewhere 1.0\r\n"
                 b"Organization: Beispiel GmbH\r\n"
                 b"MIME-Version: 1.0\r\n"
                 b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                 b"\r\n"
                 b"--b1\r\n"
                 b"Content-Type: text/plain; charset=iso-8859-1\r\n"
                 b"Content-Transfer-Encoding: quoted-printable\r\n"
                 b"\r\n"
                 b"Sch=F6ne Gr=FC=DFe.\r\n"
                 b"--b1\r\n"
                 b"Content-Type: application/pdf\r\n"
                 b"Content-Disposition: attachment;\r\n"
                 b" filename*0*=iso-8859-1''Bericht%20M%E4rz%20;\r\n"
                 b" filename*1=\"2026.pdf\"\r\n"
                 b"Content-Transfer-Encoding: base64\r\n"
                 b"\r\n" + b64 +
                 b"--b1--\r\n")
        cur = os.path.join(self.data, "drafts", "cur")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.data, "drafts", sub))
        with open(os.path.join(cur, "1700000000.M1P1R1.elsewhere:2,D"),
                  "wb") as f:
            f.write(draft)
        self.start(cfg)
        self.wait_screen("unsent drafts: 1")
        s, (meta, raw) = self.resume_and_send(srv)
        self.assertIn("Bericht März 2026.pdf", s)
        got = summary(raw)
        self.assertEqual(got["subject"], "Der Bericht für März")
        # The writer's own field comes along, its program's name does not.
        sent = email.message_from_bytes(raw)
        self.assertEqual(sent["Organization"], "Beispiel GmbH")
        self.assertIsNone(sent["X-Mailer"])
        self.assertEqual(got["attachments"], [("Bericht März 2026.pdf",
                                               "application/pdf", DATA)])
        # A resumed draft is not signed again; the text is its own.
        # (The line end before the boundary is the boundary's.)
        self.assertEqual(got["text"], "Schöne Grüße.")
        self.assertEqual(self.folder("drafts"), {})

    def test_queued_mail_goes_out_from_the_running_composer(self):
        port = free_port()
        cfg = self.write_config("smtp://127.0.0.1:%d" % port)
        msg = ("From: %s\nTo: bob@example.org\nSubject: left behind\n"
               "Message-ID: <behind@example.org>\n\nqueued while down\n"
               % FROM_HEADER).encode()
        res = self.sendmail(cfg, msg, "-oi", "-t")
        self.assertExit(res, EX_OK)
        self.assertIn(b"queued, next try at", res.err)
        mid = self.outbox()[0]
        self.make_due(mid)
        srv = self.start_smtpd(port=port)
        self.start(cfg)
        # Nothing pressed: the composer sends it soon after it starts,
        # and says so.
        # Named by what the user knows: its subject and recipient.
        s = self.wait_status("sent 'left behind' to bob@example.org")
        self.assertIn("SMTP transcript", s)
        meta, raw = self.one_message(srv)
        self.assertEqual(email.message_from_bytes(raw)["Message-ID"],
                         "<behind@example.org>")
        self.assertEqual(self.outbox(), [])
        self.assertEqual(list(self.folder("sent")), [mid])
        # It is not sent again by a later round.
        time.sleep(1.5)
        self.assertEqual(len(srv.messages()), 1)

    def test_quit_says_when_mail_waits(self):
        cfg = self.write_config("smtp://127.0.0.1:%d" % free_port())
        res = self.run_pigeon(["send", "--config", cfg, "-s", "waiting",
                               "bob@example.org"], input=b"text\n")
        self.assertExit(res, EX_OK)
        self.start(cfg)
        self.keys("q")
        self.wait_screen("1 message waits in the outbox")
        self.keys("n")
        self.wait_screen("m:compose")
        self.assertIsNotNone(self.pid())
        self.keys("q")
        self.wait_screen("waits in the outbox")
        self.keys("y")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.tmux("has-session", "-t", "t", check=False).returncode:
                break
            time.sleep(0.05)
        self.assertNotEqual(self.tmux("has-session", "-t", "t",
                                      check=False).returncode, 0)
        # Quitting sent nothing and lost nothing.
        self.assertEqual(len(self.outbox()), 1)

    def test_damaged_draft_is_shown_with_a_note_and_kept(self):
        # 10,000 parts and no closing boundary: what can be read is
        # resumed, the status line says what is wrong, the file stays.
        cfg = self.write_config("smtp://127.0.0.1:%d" % free_port())
        parts = b"".join(b"--b\nContent-Type: text/plain\n\npart %d\n" % i
                         for i in range(10000))
        draft = (b"From: " + FROM_HEADER.encode() + b"\n"
                 b"To: bob@example.org\n"
                 b"Subject: damaged\n"
                 b"MIME-Version: 1.0\n"
                 b"Content-Type: multipart/mixed; boundary=b\n\n"
                 b"--b\nContent-Type: text/plain; charset=x-unknown-8\n\n"
                 b"the text\n" + parts)
        cur = os.path.join(self.data, "drafts", "cur")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.data, "drafts", sub))
        name = "1700000000.M1P1R1.elsewhere:2,D"
        with open(os.path.join(cur, name), "wb") as f:
            f.write(draft)
        self.start(cfg, cols=200)
        self.wait_screen("unsent drafts: 1")
        self.keys("R")
        s = self.wait_screen("more parts than pigeon")
        self.assertIn("ends early", s)
        self.assertIn("Kept as it is", s)
        self.assertIn("damaged", s)
        # Saved, it is a new draft; the damaged one is still there, byte
        # for byte.
        self.keys("P")
        self.wait_screen("saved as draft")
        self.assertIsNotNone(self.pid())
        drafts = self.folder("drafts")
        self.assertEqual(len(drafts), 2)
        self.assertEqual(drafts.pop(name.split(":")[0]), draft)
        copy = list(drafts.values())[0]
        self.assertIn(b"Subject: damaged\n", copy)
        self.assertIn(b"the text", copy)

    def test_signature_once_and_html_alternative_through_a_draft(self):
        srv = self.start_smtpd()
        sig = os.path.join(self.tmp, "sig-tessa")
        with open(sig, "w") as f:
            f.write("Tessa\n")
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                signature=sig)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.data, "drafts", sub))
        with open(os.path.join(self.data, "drafts", "cur",
                               "1700000100.M2P2.host:2,D"), "wb") as f:
            f.write(message([
                "From: " + FROM_HEADER,
                "To: bob@example.org",
                "Subject: Zwei Fassungen",
                "MIME-Version: 1.0",
                'Content-Type: multipart/alternative; boundary="=_alt"'], [
                "--=_alt",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
                "",
                "Hallo Bob,",
                "die einfache Fassung, grüß dich.",
                "-- ",
                "Tessa",
                "",
                "--=_alt",
                "Content-Type: text/html; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
                "",
                "<p>Die <b>reiche</b> Fassung, grüß dich.</p>",
                "",
                "--=_alt--"]))
        self.start(cfg)
        self.wait_screen("unsent drafts: 1")
        self.keys("R")
        s = self.wait_screen("resumed")
        self.assertIn("-- text --  HTML: yes", s)
        self.assertEqual(s.count("Tessa"), 1, s)
        self.keys("y")
        self.wait_status("sent ")
        meta, raw = self.one_message(srv)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        self.assertEqual(summary(raw)["text"], "Hallo Bob,\ndie einfache "
                         "Fassung, grüß dich.\n-- \nTessa\n")
        html = msg.get_body(preferencelist=("html",))
        self.assertIsNotNone(html)
        self.assertEqual(html.get_content().replace("\r\n", "\n").strip(),
                         "<p>Die <b>reiche</b> Fassung, grüß dich.</p>")

    def test_drafts_go_to_the_drafts_folder_of_the_account(self):
        srv = self.start_smtpd()
        mine = os.path.join(self.tmp, "Mail", "Drafts")
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                drafts=mine)
        # An older draft in pigeon's own folder is listed beside it.
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.data, "drafts", sub))
        with open(os.path.join(self.data, "drafts", "cur",
                               "1700000000.M1P1R1.elsewhere:2,D"),
                  "wb") as f:
            f.write(b"From: " + FROM_HEADER.encode() + b"\n"
                    b"To: carol@example.org\nSubject: older\n\ntext\n")
        self.start(cfg)
        self.compose("bob@example.org", "Kept with the account")
        self.keys("P")
        self.wait_screen("saved as draft")
        self.assertEqual(len(os.listdir(os.path.join(mine, "cur"))), 1)
        self.assertEqual(list(self.folder("drafts")),
                         ["1700000000.M1P1R1.elsewhere"])
        # The folder list counts both, R takes the newest; sent, it leaves
        # the account's folder.
        self.wait_screen("drafts (2)")
        for _ in range(2):      # sent, failed, drafts
            self.keys("Tab")
        s = self.wait_screen("carol@example.org")
        self.assertIn("Kept with the account", s)
        self.keys("R")
        s = self.wait_screen("resumed")
        self.assertIn("Kept with the account", s)
        self.keys("y")
        self.wait_status("sent ")
        self.assertEqual(len(srv.messages()), 1)
        self.assertEqual(os.listdir(os.path.join(mine, "cur")), [])
        self.assertEqual(os.listdir(os.path.join(mine, "new")), [])
        self.assertEqual(list(self.folder("drafts")),
                         ["1700000000.M1P1R1.elsewhere"])
