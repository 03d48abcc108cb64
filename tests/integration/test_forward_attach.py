# SPDX-License-Identifier: ISC
"""test_forward_attach.py - pigeon forward --inline carries the original's attachments (PDF, PNG, a text attached, a nested message), byte for byte as aiosmtpd receives them, with hostile names made safe; --no-attachments and --attach."""

import base64
import email
import email.policy
import os
import random
import struct
import unittest
import zlib

from harness import EX_OK, PigeonTest


def make_pdf():
    """A small PDF with binary bytes in a stream, as a PDF writer makes it."""
    rnd = random.Random(17)
    stream = bytes(rnd.randrange(256) for _ in range(3000))
    return (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length " +
            str(len(stream)).encode() + b" >>\nstream\n" + stream +
            b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def make_png():
    """A 16x16 RGB PNG (signature, IHDR, IDAT, IEND)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\0" + b"".join(bytes((x * 16, y * 16, 99))
                                     for x in range(16)) for y in range(16))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PDF = make_pdf()
PNG = make_png()
CSV = b"a,b\r\n1,2\r\n"

INNER = (b"From: Inner <inner@example.org>\n"
         b"To: ann@example.org\n"
         b"Subject: the inner one\n"
         b"MIME-Version: 1.0\n"
         b"Content-Type: multipart/mixed; boundary=IN\n"
         b"\n"
         b"--IN\n"
         b"Content-Type: text/plain\n"
         b"\n"
         b"inner text\n"
         b"--IN\n"
         b"Content-Type: application/pdf; name=inner.pdf\n"
         b"Content-Disposition: attachment; filename=inner.pdf\n"
         b"Content-Transfer-Encoding: base64\n"
         b"\n" + base64.encodebytes(PDF) +
         b"--IN--\n")


def b64(data):
    return base64.encodebytes(data).decode("ascii")


def original(parts, top="multipart/mixed"):
    """A message from Ann whose body is text and html, then parts
    (header text, body text) as given."""
    out = ["From: Ann <ann@example.org>",
           "To: Tester <tester@example.org>",
           "Date: Fri, 4 Dec 2026 09:30:00 +0100",
           "Subject: the report",
           "Message-ID: <fa1@example.org>",
           "MIME-Version: 1.0",
           "Content-Type: %s; boundary=OUT" % top,
           "",
           "--OUT",
           "Content-Type: multipart/alternative; boundary=ALT",
           "",
           "--ALT",
           "Content-Type: text/plain; charset=utf-8",
           "",
           "Here is the report.",
           "--ALT",
           "Content-Type: text/html; charset=utf-8",
           "",
           "<p>Here is the report.</p>",
           "--ALT--"]
    for head, body in parts:
        out += ["--OUT", head, "", body.rstrip("\n")]
    out.append("--OUT--")
    return ("\n".join(out) + "\n").encode("utf-8")


ATTACHED = [
    ("Content-Type: application/pdf; name=report.pdf\n"
     "Content-Disposition: attachment; filename=report.pdf\n"
     "Content-Description: the report\n"
     "Content-Transfer-Encoding: base64", b64(PDF)),
    ("Content-Type: image/png\n"
     "Content-Disposition: inline; filename=\"chart.png\"\n"
     "Content-Transfer-Encoding: base64", b64(PNG)),
    ("Content-Type: text/csv; charset=us-ascii\n"
     "Content-Disposition: attachment; filename=data.csv\n"
     "Content-Transfer-Encoding: base64", b64(CSV)),
    ("Content-Type: text/plain; charset=utf-8\n"
     "Content-Disposition: inline", "an inline text, not an attachment\n"),
]


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def attachments(msg):
    return [p for p in msg.walk()
            if not p.is_multipart() and p is not msg.get_body(("plain",))]


class ForwardAttachTest(PigeonTest):

    def setUp(self):
        super().setUp()
        self.orig = os.path.join(self.tmp, "original.eml")
        self.write(self.orig, original(ATTACHED))

    def write(self, path, data):
        with open(path, "wb") as f:
            f.write(data)

    def forward(self, *args, input=b"see below\n", cfg=None):
        cfg = cfg or self.write_config("smtp://127.0.0.1:1")
        res = self.run_pigeon(["forward", "--config", cfg, "--dry-run"] +
                              list(args), input=input)
        self.assertExit(res, EX_OK)
        return parse(res.out)

    def check_attached(self, msg, wire=False):
        """The three attachments; a text's line ends are CRLF on the wire
        only (a dry run prints the message with LF)."""
        csv = CSV if wire else CSV.replace(b"\r\n", b"\n")
        parts = attachments(msg)
        got = [(p.get_filename(), p.get_content_type(),
                p.get_payload(decode=True)) for p in parts]
        self.assertEqual(got, [("report.pdf", "application/pdf", PDF),
                               ("chart.png", "image/png", PNG),
                               ("data.csv", "text/csv", csv)])
        self.assertEqual(parts[0]["Content-Description"], "the report")
        self.assertEqual(parts[1].get_content_disposition(), "inline")
        self.assertEqual(parts[2].get_content_disposition(), "attachment")

    def test_inline_dry_run(self):
        msg = self.forward(self.orig, "fred@example.net")
        self.assertEqual(msg["Subject"], "Fwd: the report")
        body = msg.get_body(("plain",)).get_content()
        self.assertIn("---------- Forwarded message ----------", body)
        self.assertIn("Here is the report.", body)
        # Neither the quoted text, nor its HTML, nor an inline text.
        self.check_attached(msg)

    def test_sent_byte_for_byte(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.run_pigeon(["forward", "--inline", "--config", cfg,
                               self.orig, "fred@example.net"],
                              input=b"FYI\n")
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(meta["rcpt_tos"], ["fred@example.net"])
        msg = parse(raw)
        self.assertEqual(msg.defects, [])
        self.check_attached(msg, wire=True)

    def test_piped_original(self):
        msg = self.forward("--body", os.devnull, "-", "fred@example.net",
                           input=original(ATTACHED))
        self.check_attached(msg)

    def test_no_attachments(self):
        msg = self.forward("--no-attachments", self.orig, "fred@example.net")
        self.assertEqual(attachments(msg), [])
        self.assertIn("Here is the report.",
                      msg.get_body(("plain",)).get_content())

    def test_attach_unchanged(self):
        msg = self.forward("--attach", self.orig, "fred@example.net")
        parts = list(msg.iter_attachments())
        self.assertEqual([p.get_content_type() for p in parts],
                         ["message/rfc822"])
        self.assertEqual(parts[0].get_content()["Subject"], "the report")

    def test_nested_message_whole(self):
        self.write(self.orig, original([
            ("Content-Type: message/rfc822\n"
             "Content-Disposition: attachment; filename=inner.eml",
             INNER.decode("ascii"))]))
        msg = self.forward(self.orig, "fred@example.net")
        parts = list(msg.iter_attachments())
        self.assertEqual([p.get_content_type() for p in parts],
                         ["message/rfc822"])
        inner = parts[0].get_content()
        self.assertEqual(inner["Subject"], "the inner one")
        pdf = next(inner.iter_attachments())
        self.assertEqual(pdf.get_filename(), "inner.pdf")
        self.assertEqual(pdf.get_payload(decode=True), PDF)

    def test_signature_part_left_out(self):
        self.write(self.orig, original([
            ("Content-Type: application/pdf; name=a.pdf\n"
             "Content-Transfer-Encoding: base64", b64(PDF)),
            ("Content-Type: application/pgp-signature; name=signature.asc",
             "-----BEGIN PGP SIGNATURE-----\nxx\n"
             "-----END PGP SIGNATURE-----\n")], top="multipart/signed"))
        msg = self.forward(self.orig, "fred@example.net")
        self.assertEqual([p.get_content_type() for p in attachments(msg)],
                         ["application/pdf"])

    def test_hostile_names(self):
        long_name = "x" * 300 + ".pdf"
        hostile = [
            "../../../../etc/passwd",
            "C:\\Users\\ann\\evil.png",
            "red\x1b[31mline\x07.png",
            long_name,
            "..",
        ]
        parts = []
        for name in hostile:
            parts.append(("Content-Type: application/octet-stream\n"
                          "Content-Disposition: attachment; filename*=utf-8''%s\n"
                          "Content-Transfer-Encoding: base64"
                          % "".join(c if c.isalnum() or c in ".-_" else
                                    "%%%02X" % ord(c) for c in name),
                          b64(PDF)))
        self.write(self.orig, original(parts))
        tmpdir = os.path.join(self.tmp, "tmpdir")
        os.mkdir(tmpdir)
        self.env["TMPDIR"] = tmpdir
        msg = self.forward(self.orig, "fred@example.net")
        names = [p.get_filename() for p in attachments(msg)]
        self.assertEqual(names[:3], ["passwd", "evil.png", "red[31mline.png"])
        self.assertTrue(names[3].startswith("xxx") and
                        names[3].endswith(".pdf"), names[3])
        self.assertLessEqual(len(names[3]), 120)
        # Nothing left to name it by: the builder's name for a part.
        self.assertNotIn("..", names[4] or "")
        for p in attachments(msg):
            self.assertEqual(p.get_payload(decode=True), PDF)
        # Every copy was private and is gone, nothing written outside.
        self.assertEqual(os.listdir(tmpdir), [])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "etc")))


if __name__ == "__main__":
    unittest.main()
