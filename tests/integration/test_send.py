# SPDX-License-Identifier: ISC
"""test_send.py - pigeon send: MIME messages checked by Python's email package, and sent through aiosmtpd."""

import email
import email.policy
import hashlib
import os
import re
import unittest

from harness import (EX_DATAERR, EX_NOINPUT, EX_OK, EX_USAGE, FROM_ADDR,
                     PigeonTest, split_message)

SUBJECT = "Grüße aus Köln — 東京の天気 ☀️ und 😀👍🏽 =?utf-8?q?not-a-word?="
TO_NAME = "Jürgen Müller-Lüdenscheidt, Dr."
CC_NAME = "山田 太郎"
BODY = ("Hallo Jürgen,\n"
        "\n"
        "anbei die Dateien. Ein Satz mit Umlauten: äöüß ÄÖÜ, dazu € und 漢字.\n"
        ".a line that starts with a dot\n"
        "From the start of a line\n"
        "trailing spaces   \n"
        + "x" * 1200 + "\n"
        "Tschüss\n")
LONG_NAME = ("Ein sehr langer Dateiname mit Ümläuten und Leerzeichen, "
             "der über mehrere Zeilen fortgesetzt werden muss — 報告書 "
             "2026.pdf")


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def text(part):
    """A text part's content with its line ends as Python writes them."""
    return part.get_content().replace("\r\n", "\n")


def all_defects(msg):
    out = []
    for part in msg.walk():
        out += [(part.get_content_type(), d) for d in part.defects]
        for k, v in part.items():
            out += [(k, d) for d in getattr(v, "defects", ())]
    return out


def normalise(raw):
    """The message in the local form (LF), its random boundaries replaced
    by fixed names: what the server got and what --dry-run printed compare
    equal."""
    raw = raw.replace(b"\r\n", b"\n")
    seen = {}
    for b in re.findall(rb'boundary="([^"]+)"', raw):
        seen.setdefault(b, b"BOUNDARY%d" % len(seen))
    for b, name in seen.items():
        raw = raw.replace(b, name)
    return raw


class SendDryRun(PigeonTest):
    """--dry-run output, parsed by email.policy.default."""

    def setUp(self):
        super().setUp()
        self.env["LC_ALL"] = "C.UTF-8"
        self.files = os.path.join(self.tmp, "files")
        os.makedirs(self.files)
        self.cfg = self.write_config("smtp://127.0.0.1:1")

    def file(self, name, data):
        path = os.path.join(self.files, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def send(self, *args, body=BODY.encode()):
        return self.run_pigeon(["send", "--config", self.cfg] + list(args),
                               input=body)

    def dry(self, *args, body=BODY.encode()):
        res = self.send("--dry-run", *args, body=body)
        self.assertExit(res, EX_OK)
        self.check_local(res.out)
        return res.out

    def check_local(self, raw):
        """--dry-run prints the local form: LF line ends, no CR at all."""
        self.assertNotIn(b"\r", raw, raw[:2000])
        self.assertTrue(raw.endswith(b"\n"))
        for line in raw.split(b"\n"):
            self.assertLessEqual(len(line), 998, line[:100])
        head, _ = split_message(raw)
        head.decode("ascii")        # header bytes are ASCII
        for line in head.split(b"\n"):
            self.assertLessEqual(len(line), 78, line)

    def test_text_only_utf8(self):
        raw = self.dry("-s", SUBJECT, "--from", "Tester <%s>" % FROM_ADDR,
                       '"%s" <juergen@example.org>' % TO_NAME)
        msg = parse(raw)
        self.assertEqual(all_defects(msg), [])
        self.assertEqual(msg["Subject"], SUBJECT)
        self.assertEqual(msg["To"].addresses[0].display_name, TO_NAME)
        self.assertEqual(msg["To"].addresses[0].addr_spec,
                         "juergen@example.org")
        self.assertEqual(msg.get_content_type(), "text/plain")
        self.assertEqual(msg.get_content_charset(), "utf-8")
        self.assertEqual(text(msg), BODY)
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertTrue(msg["Message-ID"].endswith("@example.org>"))
        self.assertIsNotNone(msg["Date"].datetime)
        self.assertTrue(msg["User-Agent"].startswith("pigeon/"))

    def test_ascii_body_is_7bit_us_ascii(self):
        body = b"Just ASCII.\nTwo lines.\n"
        raw = self.dry("-s", "plain", "bob@example.org", body=body)
        msg = parse(raw)
        self.assertEqual(msg.get_content_charset(), "us-ascii")
        self.assertEqual(msg["Content-Transfer-Encoding"], "7bit")
        self.assertTrue(raw.endswith(b"\n\nJust ASCII.\nTwo lines.\n"))

    def test_7bit_option_gives_quoted_printable(self):
        raw = self.dry("--7bit", "bob@example.org")
        msg = parse(raw)
        self.assertEqual(msg["Content-Transfer-Encoding"], "quoted-printable")
        self.assertEqual(text(msg), BODY)
        self.assertTrue(all(c < 0x80 for c in raw))
        self.assertNotIn(b"\nFrom the", raw)

    def test_attachments(self):
        rnd = os.urandom(300 * 1024 + 7)
        binp = self.file("data.bin", rnd)
        pdf = self.file(LONG_NAME, b"%PDF-1.4\n" + os.urandom(5000))
        txt = self.file("notes.txt", "Notizen: Äpfel\n".encode() * 50)
        latin = self.file("latin1.txt", "caf\xe9\n".encode("latin-1"))
        png = self.file("pic", b"\x89PNG\r\n\x1a\n" + os.urandom(100))
        raw = self.dry("-s", "files", "-a", binp, "-a", pdf, "-a", txt,
                       "-a", latin, "-a", png + ";type=image/png;inline",
                       "-c", "%s <taro@example.jp>" % CC_NAME,
                       "-b", "hidden@example.org", "bob@example.org")
        self.assertNotIn(b"hidden@example.org", raw)
        msg = parse(raw)
        self.assertEqual(all_defects(msg), [])
        self.assertEqual(msg.get_content_type(), "multipart/mixed")
        self.assertEqual(msg["Cc"].addresses[0].display_name, CC_NAME)
        parts = list(msg.iter_parts())
        self.assertEqual(len(parts), 6)
        self.assertEqual(text(parts[0]), BODY)
        # The type of a .pdf comes from /etc/mime.types (media-types).
        pdf_type = "application/pdf" if os.path.exists(
            "/etc/mime.types") else "application/octet-stream"
        want = [("data.bin", rnd, "application/octet-stream"),
                (LONG_NAME, open(pdf, "rb").read(), pdf_type),
                ("notes.txt", None, "text/plain"),
                ("latin1.txt", None, "text/plain"),
                ("pic", open(png, "rb").read(), "image/png")]
        for part, (name, data, ctype) in zip(parts[1:], want):
            self.assertEqual(part.get_filename(), name)
            self.assertEqual(part.get_content_type(), ctype)
            if data is not None:
                got = part.get_payload(decode=True)
                self.assertEqual(hashlib.sha256(got).hexdigest(),
                                 hashlib.sha256(data).hexdigest(), name)
        self.assertEqual(text(parts[3]), "Notizen: Äpfel\n" * 50)
        # Not UTF-8: it travels as bytes, exactly.
        self.assertEqual(parts[4].get_payload(decode=True), b"caf\xe9\n")
        self.assertEqual(parts[5].get_content_disposition(), "inline")
        self.assertEqual(parts[1].get_content_disposition(), "attachment")

    def test_html_alternative_and_forwarded_message(self):
        html = self.file("body.html",
                         "<p>Grüße, <b>Jürgen</b></p>\n".encode())
        fwd = self.file("old.eml", b"From: a@example.org\r\n"
                        b"To: b@example.org\r\nSubject: old\r\n\r\n"
                        b"the forwarded text\r\n")
        raw = self.dry("--html", html, "--attach-message", fwd,
                       "bob@example.org")
        msg = parse(raw)
        self.assertEqual(all_defects(msg), [])
        alt, inner = list(msg.iter_parts())
        self.assertEqual(alt.get_content_type(), "multipart/alternative")
        plain, htmlpart = list(alt.iter_parts())
        self.assertEqual(text(plain), BODY)
        self.assertEqual(htmlpart.get_content_type(), "text/html")
        self.assertEqual(text(htmlpart),
                         "<p>Grüße, <b>Jürgen</b></p>\n")
        self.assertEqual(inner.get_content_type(), "message/rfc822")
        self.assertEqual(inner.get_content()["Subject"], "old")

    def test_boundary_in_forwarded_message_is_avoided(self):
        # A forwarded message made by pigeon holds pigeon-style boundaries.
        raw1 = self.dry("-a", self.file("x.bin", b"\0\1\2"),
                        "bob@example.org")
        fwd = self.file("mine.eml", raw1)
        raw2 = self.dry("--attach-message", fwd, "bob@example.org")
        outer = parse(raw2).get_boundary()
        for line in raw1.split(b"\n"):
            self.assertFalse(line.startswith(b"--" + outer.encode()))
        self.assertEqual(all_defects(parse(raw2)), [])

    def test_user_header_fields(self):
        raw = self.dry("-H", "X-Mailer-Test: Prüfung mit Umlaut",
                       "-H", "Message-ID: <fixed.1@example.org>",
                       "-H", "Date: Tue, 01 Jul 2025 10:00:00 +0200",
                       "--in-reply-to", "<parent@example.org>",
                       "--references", "<a@example.org> <parent@example.org>",
                       "--reply-to", "Replies <replies@example.org>",
                       "bob@example.org")
        msg = parse(raw)
        self.assertEqual(msg["X-Mailer-Test"], "Prüfung mit Umlaut")
        self.assertEqual(msg["Message-ID"], "<fixed.1@example.org>")
        self.assertEqual(msg["Date"], "Tue, 01 Jul 2025 10:00:00 +0200")
        self.assertEqual(msg["In-Reply-To"], "<parent@example.org>")
        self.assertEqual(msg["Reply-To"].addresses[0].addr_spec,
                         "replies@example.org")

    def test_bad_input_is_refused_before_anything(self):
        cases = [
            (["-a", os.path.join(self.files, "missing.pdf"),
              "bob@example.org"], EX_NOINPUT, b"missing.pdf"),
            (["-a", self.files, "bob@example.org"], EX_NOINPUT,
             b"directory"),
            (["john smith@example.org"], EX_DATAERR, b"john smith"),
            (["bob@example.org", "-c", "a@b@c"], EX_DATAERR, b"a@b@c"),
            (["-H", "X-Evil: a\r\nBcc: spy@example.org", "bob@example.org"],
             EX_USAGE, b"X-Evil"),
            (["-H", "Content-Type: text/html", "bob@example.org"],
             EX_USAGE, b"Content-Type"),
            (["-s", "two\nlines", "bob@example.org"], EX_USAGE, b"Subject"),
            ([], EX_USAGE, b"recipient"),
        ]
        for args, code, word in cases:
            res = self.send("--dry-run", *args)
            self.assertExit(res, code, repr(args))
            self.assertIn(word, res.err)
            self.assertEqual(res.out, b"")
            self.assertNoRawControls(res)

    def test_body_not_in_locale_charset_is_an_error(self):
        res = self.send("--dry-run", "bob@example.org",
                        body=b"caf\xe9 \xff\n")
        self.assertExit(res, EX_DATAERR)
        self.assertIn(b"line 1", res.err)

    def test_signature(self):
        sig = self.file("sig", "Jürgen\nhttps://example.org\n".encode())
        self.cfg = self.write_config("smtp://127.0.0.1:1", signature=sig)
        raw = self.dry("bob@example.org", body=b"text without newline")
        self.assertEqual(text(parse(raw)),
                         "text without newline\n-- \nJürgen\n"
                         "https://example.org\n")

    def test_send_charset(self):
        self.cfg = self.write_config("smtp://127.0.0.1:1",
                                     send_charset="us-ascii:iso-8859-1:utf-8")
        raw = self.dry("bob@example.org", body="Grüße\n".encode())
        msg = parse(raw)
        self.assertEqual(msg.get_content_charset(), "iso-8859-1")
        self.assertEqual(text(msg), "Grüße\n")
        raw = self.dry("bob@example.org", body="Grüße €\n".encode())
        self.assertEqual(parse(raw).get_content_charset(), "utf-8")


class SendLocale(PigeonTest):
    """Text typed in an ISO-8859-1 locale arrives as correct text."""

    def test_latin1_locale(self):
        self.latin1_locale()
        cfg = self.write_config("smtp://127.0.0.1:1")
        typed = "Grüße, schöne Äpfel für 5 Euro.\n"
        latin = typed.encode("latin-1")
        res = self.run_pigeon(["send", "--config", cfg, "--dry-run", "-s",
                               "Grüße".encode("latin-1"),
                               "bob@example.org"], input=latin)
        self.assertExit(res, EX_OK)
        msg = parse(res.out)
        self.assertEqual(all_defects(msg), [])
        self.assertEqual(text(msg), typed)
        self.assertEqual(msg["Subject"], "Grüße")


class SendThroughServer(PigeonTest):
    """The same message through aiosmtpd with STARTTLS and AUTH."""

    def test_sent_equals_dry_run(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.env["LC_ALL"] = "C.UTF-8"
        att = os.path.join(self.tmp, "a.bin")
        with open(att, "wb") as f:
            f.write(os.urandom(200000))
        args = ["send", "--config", cfg, "-s", SUBJECT, "-a", att,
                "-H", "Message-ID: <same.1@example.org>",
                "-H", "Date: Tue, 01 Jul 2025 10:00:00 +0200",
                "-b", "blind@example.org", "-c", "carol@example.org",
                '"%s" <bob@example.org>' % TO_NAME]
        # No line over 998 octets: the text can go 8bit.
        body = BODY.replace("x" * 1200 + "\n", "").encode()
        dry = self.run_pigeon(args + ["--dry-run"], input=body)
        self.assertExit(dry, EX_OK)
        self.assertIn(b"Content-Transfer-Encoding: 8bit", dry.out)
        res = self.run_pigeon(args + ["-v"], input=body)
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["blind@example.org", "bob@example.org",
                          "carol@example.org"])
        self.assertIn("BODY=8BITMIME", meta["mail_options"])
        self.assertTrue(any(o.startswith("SIZE=") for o in
                            meta["mail_options"]))
        self.assertEqual(normalise(raw), normalise(dry.out))
        self.assertNotIn(b"blind@example.org", raw)

    def test_utf8_address_uses_smtputf8(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.env["LC_ALL"] = "C.UTF-8"
        res = self.run_pigeon(["send", "--config", cfg, "-s", "EAI",
                               "Jörg <jörg@exämple.org>"], input=b"hi\n")
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertTrue(meta["smtputf8"])
        self.assertEqual(meta["rcpt_tos"], ["jörg@exämple.org"])
        self.assertIn(" <jörg@exämple.org>\r\n".encode(), raw)
        # RFC 6532: the header is UTF-8 (email reads bytes as ASCII).
        to = email.message_from_string(
            raw.decode("utf-8"), policy=email.policy.default)["To"] \
            .addresses[0]
        self.assertEqual(to.display_name, "Jörg")
        self.assertEqual(to.addr_spec, "jörg@exämple.org")

    def test_no_8bitmime_gives_quoted_printable(self):
        srv = self.start_smtpd(no_8bitmime=True)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.env["LC_ALL"] = "C.UTF-8"
        body = "Grüße\n".encode()
        res = self.run_pigeon(["send", "--config", cfg, "-v",
                               "bob@example.org"], input=body)
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertNotIn("BODY=8BITMIME", meta["mail_options"])
        self.assertIn(b"8BITMIME", res.err)
        self.assertTrue(all(c < 0x80 for c in raw))
        msg = parse(raw)
        self.assertEqual(msg["Content-Transfer-Encoding"], "quoted-printable")
        self.assertEqual(text(msg), "Grüße\n")

    def test_too_big_for_size_is_refused_before_data(self):
        srv = self.start_smtpd(size=10000)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        att = os.path.join(self.tmp, "big.bin")
        with open(att, "wb") as f:
            f.write(os.urandom(20000))
        res = self.run_pigeon(["send", "--config", cfg, "-a", att, "-v",
                               "bob@example.org"], input=b"x\n")
        self.assertExit(res, EX_DATAERR)
        self.assertIn(b"10000", res.err)
        self.assertNotIn(b"MAIL FROM", res.err)
        self.spool_empty(srv)


if __name__ == "__main__":
    unittest.main()
