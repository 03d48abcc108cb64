# SPDX-License-Identifier: ISC
"""test_oauthbearer.py - AUTH OAUTHBEARER (RFC 7628) end to end: the access token got from a refresh token at a local HTTPS token endpoint (oauth2srv.py), sent in OAUTHBEARER's GS2 form to aiosmtpd, which checks it; a refused token answered with ^A, renewed once; no token in any output; an OAuth2 account without auth = never logs in with a password mechanism."""

from harness import EX_OK, USER
from test_oauth2 import OAuth2Base


class OAuthBearer(OAuth2Base):

    AUTH = "OAUTHBEARER"

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
        server offers (OAUTHBEARER first), never a password one: its
        password_command gives a refresh token."""
        res = self.send(self.config(auth=None))
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(self.smtp, res)
        self.assertEqual(meta["auth_mechanism"], "OAUTHBEARER")
        self.assertNoTokens(res)
