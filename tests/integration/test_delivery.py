# SPDX-License-Identifier: ISC
"""test_delivery.py - pigeon sendmail against a real SMTP server (aiosmtpd): delivery, AUTH, recipients, size."""

import email.utils
import os
import re
import unittest

from harness import (EX_DATAERR, EX_NOPERM, EX_NOUSER, EX_OK, EX_TEMPFAIL,
                     EX_USAGE,
                     FROM_ADDR, MECHANISMS, USER, PigeonTest,
                     bare_line_ends, client_lines, header_lines,
                     headers_named, message, secret_forms, split_message,
                     transcript)

HEADERS_1 = [
    "From: Tester <tester@example.org>",
    "To: Bob <bob@example.org>",
    "Cc: carol@example.org",
    "Bcc: dave@example.org",
    "Subject: pigeon integration test",
]
BODY_1 = [
    "Hello Bob,",
    "",
    ".this line starts with a dot",
    "..and this one with two",
    "From me, a line an mbox writer would mangle",
    "a line with trailing spaces   ",
    ".",
    "the line above is a lone dot (-i keeps it in the message)",
    "",
    "-- ",
    "Tester",
]


def simple_message(subject="hello", to="bob@example.org", body=None):
    return message(["From: Tester <tester@example.org>", "To: " + to,
                    "Subject: " + subject],
                   body or ["Just a short test message.", "Bye."])


class Delivery(PigeonTest):
    """STARTTLS + AUTH against aiosmtpd, the message as the server got it."""

    def test_starttls_auth_plain_message_arrives_intact(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                auth="PLAIN")
        res = self.sendmail(cfg, message(HEADERS_1, BODY_1), "-i",
                            "bob@example.org", "carol@example.org",
                            "dave@example.org")
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)

        self.assertEqual(meta["mail_from"], FROM_ADDR)
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["bob@example.org", "carol@example.org",
                          "dave@example.org"])
        self.assertEqual(meta["tls"], "yes")
        self.assertEqual(meta["auth_user"], USER)
        self.assertEqual(meta["auth_mechanism"], "PLAIN")

        self.assertEqual(bare_line_ends(raw), [],
                         "bare CR or LF in the received message: %r" % raw)
        self.assertTrue(raw.endswith(b"\r\n"), raw[-50:])
        self.assertEqual(headers_named(raw, "Bcc"), [],
                         "the Bcc header was transmitted")
        self.assertNotIn(b"Bcc:", raw)
        self.assertNotIn(b"dave@example.org", raw)
        dates = headers_named(raw, "Date")
        self.assertEqual(len(dates), 1, header_lines(raw))
        self.assertIsNotNone(email.utils.parsedate_to_datetime(
            dates[0].split(":", 1)[1].strip()))
        mids = headers_named(raw, "Message-ID")
        self.assertEqual(len(mids), 1, header_lines(raw))
        self.assertRegex(mids[0], r"(?i)^Message-ID:\s*<[^<>@\s]+@[^<>@\s]+>$")
        for h in HEADERS_1:
            if not h.startswith("Bcc:"):
                self.assertEqual(headers_named(raw, h.split(":")[0]), [h])

        _, body = split_message(raw)
        self.assertEqual(body.decode("utf-8").split("\r\n")[:-1], BODY_1)

    def test_each_auth_mechanism(self):
        srv = self.start_smtpd()
        for n, mech in enumerate(MECHANISMS):
            with self.subTest(mechanism=mech):
                cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                        auth=mech)
                res = self.sendmail(cfg, simple_message(mech),
                                    "bob@example.org")
                self.assertExit(res, EX_OK)
                msgs = srv.messages()
                self.assertEqual(len(msgs), n + 1, res)
                meta, raw = msgs[-1]
                self.assertIn(b"Subject: " + mech.encode(), raw)
                self.assertEqual(meta["auth_mechanism"], mech)
                self.assertEqual(meta["auth_user"], USER)

    def test_default_mechanism_is_scram_sha_256(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, simple_message(), "-v", "bob@example.org")
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(srv, res)
        self.assertEqual(meta["auth_mechanism"], "SCRAM-SHA-256")
        auth = [t for t in client_lines(res.stderr) if t.startswith("AUTH ")]
        self.assertTrue(auth, "no AUTH line in the transcript%s" % res)
        self.assertTrue(auth[0].startswith("AUTH SCRAM-SHA-256"),
                        "%r%s" % (auth, res))

    def test_implicit_tls(self):
        srv = self.start_smtpd(tls="implicit")
        cfg = self.write_config("smtps://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, simple_message(), "bob@example.org")
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(srv, res)
        self.assertEqual(meta["tls"], "yes")
        self.assertEqual(meta["auth_user"], USER)
        self.assertEqual(meta["rcpt_tos"], ["bob@example.org"])

    def test_plaintext_auth_when_explicitly_allowed(self):
        srv = self.start_smtpd(tls="none")
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                auth_allow_plaintext="yes", auth="PLAIN")
        res = self.sendmail(cfg, simple_message(), "-v", "bob@example.org")
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(srv, res)
        self.assertEqual(meta["tls"], "no")
        self.assertEqual(meta["auth_user"], USER)
        markers = {m for m, _ in transcript(res.stderr)}
        self.assertIn("->", markers, "no clear-text client lines%s" % res)
        self.assertNotIn("~>", markers, "TLS marker without TLS%s" % res)
        self.assertNotIn("<~", markers, "TLS marker without TLS%s" % res)


class Secrets(PigeonTest):
    """The transcript never shows the password, in any encoding."""

    def test_transcript_redacts_every_mechanism(self):
        srv = self.start_smtpd()
        for mech in MECHANISMS:
            with self.subTest(mechanism=mech):
                cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                        auth=mech)
                tfile = os.path.join(self.tmp, "transcript-%s" % mech)
                res = self.sendmail(cfg, simple_message(mech), "-v",
                                    "--transcript=" + tfile,
                                    "bob@example.org")
                self.assertExit(res, EX_OK)
                self.assertTrue(os.path.exists(tfile),
                                "--transcript=FILE wrote nothing%s" % res)
                with open(tfile, "rb") as f:
                    ftext = f.read().decode("utf-8", "replace")
                everything = res.stdout + res.stderr + ftext
                for form in secret_forms():
                    self.assertNotIn(form, everything,
                                     "secret %r shown%s\n--- file ---\n%s"
                                     % (form, res, ftext))
                for name, text in (("stderr (-v)", res.stderr),
                                   ("transcript file", ftext)):
                    self.assertIn("[redacted]", text,
                                  "no [redacted] in the %s%s" % (name, res))
                    lines = transcript(text)
                    self.assertTrue(any(m in ("->", "~>") and
                                        t.upper().startswith("AUTH " + mech)
                                        for m, t in lines),
                                    "no AUTH %s line in the %s%s"
                                    % (mech, name, res))
                    # Every answer to a 334 challenge is an AUTH payload.
                    for i, (m, t) in enumerate(lines[:-1]):
                        if m in ("<-", "<~") and t.startswith("334"):
                            nm, nt = lines[i + 1]
                            if nm in ("->", "~>"):
                                self.assertIn("[redacted]", nt,
                                              "answer to %r not redacted in "
                                              "the %s%s" % (t, name, res))


class AuthFailure(PigeonTest):

    def test_wrong_password(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                password_command="echo wrong-password",
                                auth="PLAIN")
        res = self.sendmail(cfg, simple_message(), "bob@example.org")
        self.assertExit(res, EX_NOPERM)
        self.assertIn("535 5.7.8 Authentication credentials invalid",
                      res.stderr)
        self.assertRegex(res.stderr, r"(?m)^pigeon: ")
        self.spool_empty(srv, res)

    def test_wrong_password_default_mechanism(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                password_command="echo wrong-password")
        res = self.sendmail(cfg, simple_message(), "bob@example.org")
        self.assertExit(res, EX_NOPERM)
        self.assertIn("535", res.stderr)
        self.spool_empty(srv, res)


class Recipients(PigeonTest):
    """Per-recipient verdicts."""

    def test_one_of_two_recipients_rejected(self):
        srv = self.start_smtpd(reject=["nobody@example.org"])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, simple_message(), "nobody@example.org",
                            "bob@example.org")
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(srv, res)
        self.assertEqual(meta["rcpt_tos"], ["bob@example.org"])
        self.assertIn("nobody@example.org", res.stderr)
        self.assertIn("550", res.stderr)
        self.assertIn("User unknown", res.stderr)

    def test_abort_on_reject(self):
        srv = self.start_smtpd(reject=["nobody@example.org"])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, simple_message(), "--abort-on-reject",
                            "bob@example.org", "nobody@example.org")
        self.assertExit(res, EX_NOUSER)
        self.spool_empty(srv, res)
        self.assertIn("nobody@example.org", res.stderr)
        self.assertIn("550", res.stderr)

    def test_all_recipients_rejected(self):
        srv = self.start_smtpd(reject=["nobody@example.org",
                                       "noone@example.org"])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, simple_message(), "nobody@example.org",
                            "noone@example.org")
        self.assertExit(res, EX_NOUSER)
        self.spool_empty(srv, res)
        self.assertIn("nobody@example.org", res.stderr)
        self.assertIn("noone@example.org", res.stderr)

    def test_only_recipient_tempfailed(self):
        srv = self.start_smtpd(tempfail=["later@example.org"])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        # Queued is accepted: 0, and when the next try is.
        res = self.sendmail(cfg, simple_message(), "later@example.org")
        self.assertExit(res, EX_OK)
        self.spool_empty(srv, res)
        self.assertIn("later@example.org", res.stderr)
        self.assertIn("450", res.stderr)
        self.assertIn("Greylisted", res.stderr)
        self.assertRegex(res.stderr, r"queued, next try at ([A-Za-z]+ )?[0-9]{2}:[0-9]{2}")
        # Deliver now or fail: 75, and nothing kept.
        res = self.sendmail(cfg, simple_message(), "--no-queue",
                            "later@example.org")
        self.assertExit(res, EX_TEMPFAIL)
        self.assertIn("nothing was kept", res.stderr)


class SendmailMode(PigeonTest):
    """sendmail(8) compatible options."""

    TO_CC_BCC = [
        "From: Tester <tester@example.org>",
        "To: \"Bob Example\" <bob@example.org>,",
        " carol@example.org",
        "Cc: Dave <dave@example.org>",
        "Bcc: erin@example.org",
        "Subject: -t test",
    ]

    def test_recipients_from_headers(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        msg = message(self.TO_CC_BCC, ["body"])
        res = self.sendmail(cfg, msg, "-t")
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["bob@example.org", "carol@example.org",
                          "dave@example.org", "erin@example.org"])
        self.assertEqual(headers_named(raw, "Bcc"), [])
        self.assertNotIn(b"erin@example.org", raw)
        self.assertEqual(len(headers_named(raw, "Date")), 1)
        self.assertEqual(len(headers_named(raw, "Message-ID")), 1)

    def test_recipients_from_headers_plus_arguments(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        msg = message(self.TO_CC_BCC, ["body"])
        res = self.sendmail(cfg, msg, "-t", "-oi", "frank@example.org")
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["bob@example.org", "carol@example.org",
                          "dave@example.org", "erin@example.org",
                          "frank@example.org"])
        self.assertEqual(headers_named(raw, "Bcc"), [])

    def test_envelope_sender_option(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, simple_message(), "-f",
                            "bounces@example.org", "bob@example.org")
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(srv, res)
        self.assertEqual(meta["mail_from"], "bounces@example.org")

    def test_existing_date_and_message_id_are_kept(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        hdrs = ["From: Tester <tester@example.org>",
                "To: bob@example.org",
                "Date: Tue, 01 Jul 2025 10:00:00 +0200",
                "Message-ID: <fixed.1@example.org>",
                "Subject: keep my headers"]
        res = self.sendmail(cfg, message(hdrs, ["x"], eol="\r\n"),
                            "bob@example.org")
        self.assertExit(res, EX_OK)
        _, raw = self.one_message(srv, res)
        self.assertEqual(headers_named(raw, "Date"), [hdrs[2]])
        self.assertEqual(headers_named(raw, "Message-ID"), [hdrs[3]])

    def test_server_option_overrides_account(self):
        srv = self.start_smtpd()
        # Port 1 on 127.0.0.1: nothing listens there.
        cfg = self.write_config("smtp://127.0.0.1:1")
        res = self.sendmail(cfg, simple_message(), "--server",
                            "smtp://127.0.0.1:%d" % srv.port,
                            "bob@example.org")
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)

    def test_account_option_selects_account(self):
        srv = self.start_smtpd()
        other = self.account("smtp://127.0.0.1:%d" % srv.port,
                             **{"from": "Other <other@example.org>"})
        cfg = self.write_config("smtp://127.0.0.1:1",
                                accounts={"other": other})
        res = self.sendmail(cfg, simple_message(), "--account", "other",
                            "bob@example.org")
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(srv, res)
        self.assertEqual(meta["mail_from"], "other@example.org")

    def test_resent_headers_choose_the_recipients(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        hdrs = ["Resent-From: Tester <tester@example.org>",
                "Resent-To: rita@example.org",
                "Resent-Bcc: sam@example.org",
                "Resent-Date: Tue, 01 Jul 2025 10:00:00 +0200"] + \
            self.TO_CC_BCC
        res = self.sendmail(cfg, message(hdrs, ["body"]), "-t")
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["rita@example.org", "sam@example.org"])
        self.assertNotIn(b"sam@example.org", raw)
        self.assertNotIn(b"erin@example.org", raw)
        self.assertEqual(headers_named(raw, "Resent-To"),
                         ["Resent-To: rita@example.org"])

    def test_dsn_options_cannot_inject_commands(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        for opt in (["-N", "success\r\nRCPT TO:<evil@example.org>"],
                    ["-N", "sometimes"],
                    ["-R", "full\r\nRSET"],
                    ["-V", "id\r\nRCPT TO:<evil@example.org>"]):
            res = self.sendmail(cfg, simple_message(), *(opt +
                                ["bob@example.org"]))
            self.assertExit(res, EX_USAGE, repr(opt))
            self.assertIn(opt[0].encode(), res.err)
            self.assertNoRawControls(res)
        self.spool_empty(srv)

    def test_full_name_option(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        msg = message(["To: bob@example.org", "Subject: no From"], ["x"])
        res = self.sendmail(cfg, msg, "-F", "Doe, \"J\"", "-f",
                            "jd@example.org", "bob@example.org")
        self.assertExit(res, EX_OK)
        _, raw = self.one_message(srv, res)
        self.assertEqual(headers_named(raw, "From"),
                         ['From: "Doe, \\"J\\"" <jd@example.org>'])
        # A line break in the name would add a header of its own.
        res = self.sendmail(cfg, msg, "-F", "Eve\r\nBcc: spy@example.org",
                            "-f", "jd@example.org", "bob@example.org")
        self.assertExit(res, EX_USAGE)
        self.assertIn(b"-F", res.err)
        self.assertNoRawControls(res)
        self.assertEqual(len(srv.messages()), 1)

    def test_nul_byte_refused_before_connecting(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        msg = simple_message(body=["text", "with a \0 NUL"])
        res = self.sendmail(cfg, msg, "bob@example.org")
        self.assertExit(res, EX_DATAERR)
        self.assertIn(b"NUL", res.err)
        self.spool_empty(srv)


class Size(PigeonTest):

    def test_message_larger_than_size_is_refused(self):
        srv = self.start_smtpd(size=1000)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        msg = sized_message(5000)
        res = self.sendmail(cfg, msg, "bob@example.org")
        self.assertExit(res, EX_DATAERR, "message too big is EX_DATAERR")
        self.spool_empty(srv, res)
        numbers = [int(n) for n in re.findall(r"\d+", res.stderr)]
        self.assertIn(1000, numbers, "the server's limit is not named%s" % res)
        self.assertTrue(any(5000 <= n <= 5200 for n in numbers),
                        "the message size is not named%s" % res)


def sized_message(size):
    """A CRLF message of exactly size bytes that needs no added headers."""
    head = ("From: Tester <tester@example.org>\r\n"
            "To: bob@example.org\r\n"
            "Date: Tue, 01 Jul 2025 10:00:00 +0200\r\n"
            "Message-ID: <size.1@example.org>\r\n"
            "Subject: big\r\n\r\n").encode()
    line = b"x" * 70 + b"\r\n"
    body = b""
    while len(head) + len(body) + len(line) <= size:
        body += line
    rest = size - len(head) - len(body)
    if rest:
        body += b"y" * (rest - 2) + b"\r\n" if rest >= 2 else b""
    msg = head + body
    if len(msg) != size:        # rest == 1: shorten one full line by one
        msg = head + body[:-(len(line))] + b"x" * 71 + b"\r\n"
    assert len(msg) == size, len(msg)
    return msg


if __name__ == "__main__":
    unittest.main()
