# SPDX-License-Identifier: ISC
"""test_explain.py - what a server's codes and keywords mean, in words: every EHLO keyword in "pigeon probe", every enhanced status code in the transcript and in the verdict on a refused recipient."""

import os
import re
import unittest

from harness import (EX_OK, FROM_ADDR, PASSWORD, USER, PigeonTest, message,
                     smtpd, transcript)

MSG = message(["From: Tester <tester@example.org>",
               "To: bob@example.org, nobody@example.org",
               "Subject: explain"], ["hello"])

EXTRA = ["ENHANCEDSTATUSCODES", "LIMITS RCPTMAX=50 MAILMAX=10",
         "REQUIRETLS", "FROBNICATE 3"]


class _Handler(smtpd.Handler):
    """The test server's handler, offering more keywords after EHLO."""

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        responses = await super().handle_EHLO(server, session, envelope,
                                              hostname, responses)
        # "250 HELP" stays last; the new lines go before it.
        return (responses[:-1] + ["250-" + k for k in EXTRA] +
                responses[-1:])


class Explain(PigeonTest):

    def start_server(self, tempfail=()):
        cert, key = self.pki.server()
        spool = os.path.join(self.tmp, "spool-explain")
        srv = smtpd.SmtpServer(spool, cert=cert, key=key, user=USER,
                               password=PASSWORD)
        # The server's own handler, with the keywords added.
        srv.handler = _Handler(spool, USER, PASSWORD,
                               reject=["nobody@example.org"],
                               tempfail=tempfail)
        srv.start()
        self.addCleanup(srv.stop)
        return srv

    def test_probe_explains_every_keyword(self):
        srv = self.start_server()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.run_pigeon(["probe", "--config", cfg])
        self.assertExit(res, EX_OK)
        lines = res.stdout.splitlines()

        def cap(kw):
            got = [l for l in lines if re.match(r"  %s\b" % re.escape(kw), l)]
            self.assertTrue(got, "no line for %s%s" % (kw, res))
            return got[-1]

        self.assertIn("at most 50 recipients per message",
                      cap("LIMITS"))
        self.assertIn("at most 10 messages per connection", cap("LIMITS"))
        self.assertIn("RFC 9422", cap("LIMITS"))
        self.assertIn("RFC 8689", cap("REQUIRETLS"))
        self.assertIn("not known to pigeon", cap("FROBNICATE"))
        self.assertIn("RFC 2034", cap("ENHANCEDSTATUSCODES"))
        self.assertIn("RFC 3207", cap("STARTTLS"))
        # The meanings start in one column, whatever the keyword's length.
        col = cap("REQUIRETLS").index("can require TLS")
        self.assertEqual(cap("SMTPUTF8").index("accepts UTF-8"), col, res)

    def test_refused_recipient_explained(self):
        srv = self.start_server()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "-v", "-f", FROM_ADDR,
                            "bob@example.org", "nobody@example.org")
        self.assertExit(res, EX_OK)
        # In the transcript: right after the 550, what 5.1.1 means.
        tr = transcript(res.stderr)
        at = [i for i, (m, t) in enumerate(tr)
              if m in ("<-", "<~") and t.startswith("550 5.1.1")]
        self.assertTrue(at, "no 550 in the transcript%s" % res)
        self.assertEqual(tr[at[0] + 1][1],
                         "5.1.1: the recipient's mailbox does not exist",
                         res)
        # In the verdict on the recipient too, in parentheses.
        self.assertRegex(res.stderr, r"<nobody@example\.org>.*550 5\.1\.1 .*"
                         r"\(5\.1\.1: the recipient's mailbox does not "
                         r"exist\)")
        self.assertEqual(len(srv.messages()), 1)

    def test_queue_says_what_a_code_means(self):
        srv = self.start_server(tempfail=["bob@example.org"])
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "-f", FROM_ADDR, "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertIn("450 4.2.0", res.stderr)
        self.assertIn("(4.2.0: a problem with the mailbox, no detail "
                      "given)", res.stderr)
        # The queue's log of the attempt: the transcript's note, and the
        # summary line of the recipient.
        qid = self.outbox()[0]
        res = self.run_pigeon(["queue", "--config", cfg, "log", qid])
        self.assertExit(res, EX_OK)
        self.assertIn("== 4.2.0: a problem with the mailbox, no detail "
                      "given", res.stdout)
        self.assertRegex(res.stdout, r"<bob@example\.org> 450 4\.2\.0 .*"
                         r"\(4\.2\.0: a problem with the mailbox")


if __name__ == "__main__":
    unittest.main()
