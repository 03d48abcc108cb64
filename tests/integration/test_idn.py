# SPDX-License-Identifier: ISC
"""test_idn.py - internationalised domains: A-labels (punycode) in the envelope and the header for a server without SMTPUTF8, UTF-8 as before with it."""

import email
import email.policy
import unittest

from harness import EX_DATAERR, EX_OK, PigeonTest

ALABEL = "xn--mnchen-3ya.example"


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


class IdnTest(PigeonTest):

    def send(self, srv, *args, body=b"hi\n"):
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.env["LC_ALL"] = "C.UTF-8"
        return self.run_pigeon(["send", "--config", cfg, "-v"] + list(args),
                               input=body)

    def test_domain_goes_as_a_label_without_smtputf8(self):
        srv = self.start_smtpd(no_smtputf8=True)
        res = self.send(srv, "-s", "IDN", "-c", "Anna <anna@bücher.example>",
                        "Jürgen Müller <user@münchen.example>")
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertFalse(meta["smtputf8"])
        # Nothing 8-bit is left: no BODY=8BITMIME either.
        self.assertNotIn("BODY=8BITMIME", meta["mail_options"])
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["anna@xn--bcher-kva.example", "user@" + ALABEL])
        self.assertIn(b"RCPT TO:<user@" + ALABEL.encode() + b">", res.err)
        self.assertIn(ALABEL.encode(), res.err)
        # The header: A-labels, the display names RFC 2047 encoded.
        self.assertTrue(all(c < 0x80 for c in raw.split(b"\r\n\r\n")[0]))
        self.assertIn(b"=?", raw.split(b"\r\n\r\n")[0])
        msg = parse(raw)
        to = msg["To"].addresses[0]
        self.assertEqual(to.addr_spec, "user@" + ALABEL)
        self.assertEqual(to.display_name, "Jürgen Müller")
        cc = msg["Cc"].addresses[0]
        self.assertEqual(cc.addr_spec, "anna@xn--bcher-kva.example")
        self.assertEqual(cc.display_name, "Anna")
        self.assertEqual(msg.get_content().replace("\r\n", "\n"), "hi\n")

    def test_sender_domain_too(self):
        srv = self.start_smtpd(no_smtputf8=True)
        res = self.send(srv, "--from", "Me <me@münchen.example>",
                        "bob@example.org")
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(meta["mail_from"], "me@" + ALABEL)
        self.assertEqual(parse(raw)["From"].addresses[0].addr_spec,
                         "me@" + ALABEL)

    def test_utf8_as_before_with_smtputf8(self):
        srv = self.start_smtpd()
        res = self.send(srv, "Jürgen <user@münchen.example>")
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertTrue(meta["smtputf8"])
        self.assertEqual(meta["rcpt_tos"], ["user@münchen.example"])
        self.assertIn(" <user@münchen.example>\r\n".encode(), raw)
        self.assertNotIn(ALABEL.encode(), raw)

    def test_utf8_local_part_refused_without_smtputf8(self):
        srv = self.start_smtpd(no_smtputf8=True)
        res = self.send(srv, "--no-queue", "jörg@münchen.example")
        self.assertExit(res, EX_DATAERR)
        self.assertIn("jörg@münchen.example".encode(), res.err)
        self.assertIn(b"local part that is not plain ASCII", res.err)
        self.assertIn(b"SMTPUTF8", res.err)
        self.assertNotIn(b"RCPT TO", res.err)
        self.spool_empty(srv)

    def test_bad_domain_refused_naming_it(self):
        srv = self.start_smtpd(no_smtputf8=True)
        res = self.send(srv, "--no-queue", "user@-münchen.example")
        self.assertExit(res, EX_DATAERR)
        self.assertIn("'-münchen.example'".encode(), res.err)
        self.assertIn(b"hyphen", res.err)
        self.spool_empty(srv)


if __name__ == "__main__":
    unittest.main()
