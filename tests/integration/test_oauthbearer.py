# SPDX-License-Identifier: ISC
"""test_oauthbearer.py - AUTH OAUTHBEARER (RFC 7628) end to end: the access token got from a refresh token at a local HTTPS token endpoint (oauth2srv.py), sent in OAUTHBEARER's GS2 form to aiosmtpd, which checks it; a refused token answered with ^A, renewed once; no token in any output."""

import os

from harness import EX_OK, USER, PigeonTest
from oauth2srv import OAuth2Server


class OAuthBearer(PigeonTest):

    def setUp(self):
        super().setUp()
        cert, key = self.pki.server()
        self.tok = OAuth2Server(cert, key)
        self.tok.start()
        self.addCleanup(self.tok.stop)
        self.smtp = self.start_smtpd(oauth=self.tok.valid)
        self.rt = self.tok.add_refresh()
        self.transcript = os.path.join(self.tmp, "transcript.txt")

    def config(self, auth="OAUTHBEARER"):
        return self.write_config(
            "smtp://127.0.0.1:%d" % self.smtp.port, auth=auth,
            oauth2_token_endpoint=self.tok.url("/token"),
            oauth2_client_id="pigeon-test",
            password_command="echo " + self.rt)

    def send(self, cfg):
        return self.run_pigeon(["send", "--config", cfg, "-v",
                                "--transcript=" + self.transcript, "-s",
                                "bearer", "bob@example.org"],
                               input=b"hello\n")

    def assertNoTokens(self, res):
        with open(self.transcript, "rb") as f:
            tr = f.read()
        for t in set(self.tok.issued) | set(self.tok.refresh) | {self.rt}:
            for where, text in (("stdout", res.out), ("stderr", res.err),
                                ("transcript", tr)):
                self.assertNotIn(t.encode(), text,
                                 "%s shows a token%s" % (where, res))

    def test_send_with_oauthbearer(self):
        res = self.send(self.config())
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(self.smtp, res)
        self.assertEqual(meta["auth_mechanism"], "OAUTHBEARER")
        # The GS2 header's a= names the user.
        self.assertEqual(meta["auth_user"], USER)
        self.assertEqual(len(self.tok.token_requests()), 1)
        with open(self.transcript) as f:
            self.assertIn("AUTH OAUTHBEARER [redacted]", f.read())
        self.assertNoTokens(res)

    def test_refused_token_answered_and_renewed_once(self):
        """The server's JSON error is answered with ^A (else it says 501
        and the test fails), then the token is renewed and the send goes
        through."""
        cfg = self.config()
        self.assertExit(self.send(cfg), EX_OK)
        self.tok.revoke_all()
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertIn(b"535", res.err)
        self.assertNotIn(b"501", res.err)
        self.assertEqual(len(self.tok.token_requests()), 2)
        self.assertEqual(len(self.smtp.messages()), 2)
        self.assertNoTokens(res)

    def test_chosen_without_auth_key(self):
        """Without auth =, an OAuth2 account picks a bearer mechanism the
        server offers, never a password one."""
        res = self.send(self.config(auth=None))
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(self.smtp, res)
        self.assertIn(meta["auth_mechanism"], ("OAUTHBEARER", "XOAUTH2"))
