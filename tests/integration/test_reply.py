# SPDX-License-Identifier: ISC
"""test_reply.py - pigeon reply and pigeon forward: dry runs read back field by field with Python's email package, real sends through aiosmtpd, a Maildir message as input, templates."""

import email
import email.policy
import os
import unittest

from harness import EX_OK, EX_USAGE, FROM_ADDR, PigeonTest

ORIGINAL = (
    "From: =?utf-8?q?Ann_M=C3=BCller?= <ann@example.org>\n"
    "To: Tester <tester@example.org>, Bob <bob@example.com>\n"
    "Cc: carol@example.com, TESTER@example.org\n"
    "Reply-To: Ann <ann.reply@example.org>\n"
    "Date: Fri, 4 Dec 2026 09:30:00 +0100\n"
    "Subject: =?utf-8?q?Re=3A_RE=3A_Aw=3A_Gr=C3=BC=C3=9Fe?=\n"
    "Message-ID: <m2@example.org>\n"
    "References: <m0@example.org>\n"
    " <m1@example.org>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/alternative; boundary=XX\n"
    "\n"
    "--XX\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Sch=F6ne Gr=FC=DFe,\n"
    "> quoted before\n"
    "\n"
    "Ann\n"
    "--XX\n"
    "Content-Type: text/html; charset=utf-8\n"
    "\n"
    "<p>not this one</p>\n"
    "--XX--\n").encode("utf-8")

QUOTE = ("On Fri, 4 Dec 2026 09:30:00 +0100, Ann Müller wrote:\n"
         "> Schöne Grüße,\n"
         ">> quoted before\n"
         ">\n"
         "> Ann\n")


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def text_of(msg):
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content().replace("\r\n", "\n")


class ReplyTest(PigeonTest):

    def setUp(self):
        super().setUp()
        self.orig = os.path.join(self.tmp, "original.eml")
        with open(self.orig, "wb") as f:
            f.write(ORIGINAL)
        self.answer = os.path.join(self.tmp, "answer.txt")
        with open(self.answer, "w", encoding="utf-8") as f:
            f.write("Danke, gern!\n")

    def dry(self, *args, cfg=None, **keys):
        cfg = cfg or self.write_config("smtp://127.0.0.1:1", **keys)
        res = self.run_pigeon(list(args[:1]) + ["--config", cfg,
                                                "--dry-run"] + list(args[1:]))
        self.assertExit(res, EX_OK)
        return parse(res.out)

    def test_reply_dry_run(self):
        msg = self.dry("reply", "--body", self.answer, self.orig)
        self.assertEqual(msg["From"], "Tester <tester@example.org>")
        self.assertEqual(str(msg["To"]), "Ann <ann.reply@example.org>")
        self.assertIsNone(msg["Cc"])
        self.assertEqual(msg["Subject"], "Re: Grüße")
        self.assertEqual(msg["In-Reply-To"], "<m2@example.org>")
        self.assertEqual(msg["References"],
                         "<m0@example.org> <m1@example.org> <m2@example.org>")
        self.assertEqual(text_of(msg), QUOTE + "\nDanke, gern!\n")

    def test_group_reply(self):
        msg = self.dry("reply", "--all", "--body", self.answer, self.orig)
        self.assertEqual(str(msg["To"]), "Ann <ann.reply@example.org>")
        # The user's own address (any case) is not copied.
        self.assertEqual(str(msg["Cc"]),
                         "Bob <bob@example.com>, carol@example.com")

    def test_top_posting_and_signature(self):
        sig = os.path.join(self.tmp, "sig")
        with open(sig, "w") as f:
            f.write("Tess\n")
        msg = self.dry("reply", "--body", self.answer, self.orig,
                       reply_style="top", signature=sig,
                       signature_position="text")
        self.assertEqual(text_of(msg),
                         "Danke, gern!\n-- \nTess\n\n" + QUOTE)

    def test_send_options(self):
        att = os.path.join(self.tmp, "a.txt")
        with open(att, "w") as f:
            f.write("attached\n")
        msg = self.dry("reply", "-s", "Other subject", "-c", "dan@example.net",
                       "-a", att, "-H", "X-Test: yes", "--body", self.answer,
                       self.orig, "eve@example.net")
        self.assertEqual(msg["Subject"], "Other subject")
        self.assertEqual(str(msg["Cc"]), "dan@example.net")
        self.assertEqual(str(msg["To"]),
                         "eve@example.net, Ann <ann.reply@example.org>")
        self.assertEqual(msg["X-Test"], "yes")
        names = [p.get_filename() for p in msg.iter_attachments()]
        self.assertEqual(names, ["a.txt"])

    def test_stdin_original(self):
        res = self.run_pigeon(["reply", "--config",
                               self.write_config("smtp://127.0.0.1:1"),
                               "--dry-run", "-"], input=ORIGINAL)
        self.assertExit(res, EX_OK)
        msg = parse(res.out)
        self.assertEqual(text_of(msg), QUOTE + "\n")

    def test_forward_inline(self):
        msg = self.dry("forward", "--body", self.answer, self.orig,
                       "fred@example.net")
        self.assertEqual(str(msg["To"]), "fred@example.net")
        self.assertEqual(msg["Subject"], "Fwd: Grüße")
        self.assertIsNone(msg["In-Reply-To"])
        body = text_of(msg)
        self.assertTrue(body.startswith(
            "Danke, gern!\n\n---------- Forwarded message ----------\n"
            "From: Ann Müller <ann@example.org>\n"
            "Date: Fri, 4 Dec 2026 09:30:00 +0100\n"
            "Subject: Re: RE: Aw: Grüße\n"), body)
        self.assertIn("\nSchöne Grüße,\n> quoted before\n", body)

    def test_forward_attach(self):
        for source in ("file", "stdin"):
            args = ["forward", "--config",
                    self.write_config("smtp://127.0.0.1:1"), "--dry-run",
                    "--attach", "--body", self.answer,
                    self.orig if source == "file" else "-",
                    "fred@example.net"]
            res = self.run_pigeon(args, input=ORIGINAL if source == "stdin"
                                  else None)
            self.assertExit(res, EX_OK)
            msg = parse(res.out)
            parts = list(msg.iter_attachments())
            self.assertEqual(len(parts), 1, source)
            self.assertEqual(parts[0].get_content_type(), "message/rfc822")
            inner = parts[0].get_content()
            self.assertEqual(inner["Message-ID"], "<m2@example.org>")
            self.assertEqual(text_of(msg), "Danke, gern!\n")

    def test_errors(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        res = self.run_pigeon(["reply", "--config", cfg, "--dry-run"])
        self.assertExit(res, EX_USAGE)
        self.assertIn(b"which message?", res.err)
        bare = os.path.join(self.tmp, "nofrom.eml")
        with open(bare, "wb") as f:
            f.write(b"Subject: Re: Re:\n\nhi\n")
        res = self.run_pigeon(["reply", "--config", cfg, "--dry-run",
                               "--body", self.answer, bare])
        self.assertExit(res, EX_USAGE)
        self.assertIn(b"names nobody to answer", res.err)
        res = self.run_pigeon(["forward", "--config", cfg, "--dry-run",
                               "--body", self.answer, self.orig])
        self.assertExit(res, EX_USAGE)
        res = self.run_pigeon(["reply", "--inline", self.orig])
        self.assertExit(res, EX_USAGE)

    def test_template(self):
        tpl = os.path.join(self.tmp, "reply.tpl")
        with open(tpl, "w", encoding="utf-8") as f:
            f.write("Bcc: archive@example.org\n"
                    "\n"
                    "Hallo %{name},\n\n%{text}\n%{quote}-- \n"
                    "written %{date}\n")
        cfg = self.write_config("smtp://127.0.0.1:1", template=tpl)
        res = self.run_pigeon(["reply", "--config", cfg, "--dry-run",
                               "--body", self.answer, self.orig])
        self.assertExit(res, EX_OK)
        msg = parse(res.out)
        body = text_of(msg)
        self.assertTrue(body.startswith(
            "Hallo Ann,\n\nDanke, gern!\n\n" + QUOTE + "-- \nwritten "),
            body)
        self.assertIsNone(msg["Bcc"])


class ReplyAccount(PigeonTest):
    """Without --account, the account the message was for."""

    def test_account_of_the_recipient(self):
        work = self.account("smtp://127.0.0.1:1",
                            **{"from": "Me <me@work.example>"})
        cfg = self.write_config("smtp://127.0.0.1:1",
                                accounts={"work": work})
        orig = os.path.join(self.tmp, "o.eml")
        with open(orig, "wb") as f:
            f.write(b"From: ann@example.org\nTo: ME@work.example\n"
                    b"Subject: s\n\nhi\n")
        res = self.run_pigeon(["reply", "--config", cfg, "--dry-run",
                               orig])
        self.assertExit(res, EX_OK)
        self.assertEqual(parse(res.out)["From"], "Me <me@work.example>")
        res = self.run_pigeon(["reply", "--config", cfg, "--account",
                               "test", "--dry-run", orig])
        self.assertExit(res, EX_OK)
        self.assertEqual(parse(res.out)["From"],
                         "Tester <tester@example.org>")


class ReplySend(PigeonTest):
    """A real reply through aiosmtpd, of a message in a Maildir."""

    def test_reply_from_maildir(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        md = os.path.join(self.tmp, "Mail", "INBOX")
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(md, sub))
        path = os.path.join(md, "cur", "1733300000.M1P1.host:2,S")
        with open(path, "wb") as f:
            f.write(ORIGINAL)
        res = self.run_pigeon(["reply", "--all", "--config", cfg, path],
                              input="Bis bald.\n".encode())
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(meta["mail_from"], FROM_ADDR)
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["ann.reply@example.org", "bob@example.com",
                          "carol@example.com"])
        msg = parse(raw)
        self.assertEqual(msg["Subject"], "Re: Grüße")
        self.assertEqual(msg["In-Reply-To"], "<m2@example.org>")
        self.assertEqual(text_of(msg), QUOTE + "\nBis bald.\n")
        self.assertEqual(msg.defects, [])

    def test_forward_attached_sent(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        orig = os.path.join(self.tmp, "o.eml")
        with open(orig, "wb") as f:
            f.write(ORIGINAL)
        res = self.run_pigeon(["forward", "--attach", "--config", cfg,
                               orig, "fred@example.net"],
                              input=b"see below\n")
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(meta["rcpt_tos"], ["fred@example.net"])
        msg = parse(raw)
        inner = next(msg.iter_attachments()).get_content()
        self.assertEqual(inner["Subject"], "Re: RE: Aw: Grüße")
        self.assertEqual(text_of(msg), "see below\n")


if __name__ == "__main__":
    unittest.main()
