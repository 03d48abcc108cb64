# SPDX-License-Identifier: ISC
"""test_oauth2.py - OAuth2 that renews itself: a send with only a refresh token, the token cache (0600, no links), expiry, rotation, a refused token, an endpoint down, no token in any output; pigeon oauth2 login's device flow. A local HTTPS token endpoint (oauth2srv.py) and aiosmtpd with XOAUTH2."""

import json
import os
import stat

from harness import EX_CONFIG, EX_OK, USER, PigeonTest, free_port
from oauth2srv import OAuth2Server

ARGS = ["-s", "oauth2", "bob@example.org"]


class OAuth2Base(PigeonTest):
    """A token endpoint and a server that checks its tokens (no tests)."""

    AUTH = "XOAUTH2"

    def setUp(self):
        super().setUp()
        cert, key = self.pki.server()
        self.tok = OAuth2Server(cert, key)
        # A port of its own, which nothing takes while it is stopped.
        self.tok.start(port=free_port())
        self.addCleanup(self.tok.stop)
        self.smtp = self.start_smtpd(oauth=self.tok.valid)
        self.rt = self.tok.add_refresh()
        self.cache = os.path.join(self.env["XDG_STATE_HOME"], "pigeon",
                                  "oauth2", "test")
        self.transcript = os.path.join(self.tmp, "transcript.txt")

    def config(self, **keys):
        acc = dict(auth=self.AUTH,
                   oauth2_token_endpoint=self.tok.url("/token"),
                   oauth2_device_endpoint=self.tok.url("/device"),
                   oauth2_client_id="pigeon-test",
                   oauth2_scope="https://mail.example/ offline",
                   password_command="echo " + self.rt)
        acc.update(keys)
        return self.write_config("smtp://127.0.0.1:%d" % self.smtp.port,
                                 **acc)

    def send(self, cfg, *extra):
        return self.run_pigeon(["send", "--config", cfg, "-v",
                                "--transcript=" + self.transcript]
                               + list(extra) + ARGS, input=b"hello\n")

    def assertNoTokens(self, res):
        """No refresh or access token in stdout, stderr or the transcript."""
        with open(self.transcript, "rb") as f:
            tr = f.read()
        secrets = set(self.tok.issued) | set(self.tok.refresh) | {self.rt}
        for t in secrets:
            for where, text in (("stdout", res.out), ("stderr", res.err),
                                ("transcript", tr)):
                self.assertNotIn(t.encode(), text,
                                 "%s shows a token%s" % (where, res))


class OAuth2(OAuth2Base):

    def read_cache(self):
        st = os.lstat(self.cache)
        self.assertTrue(stat.S_ISREG(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        with open(self.cache) as f:
            lines = [ln.split(" ", 1) for ln in f.read().splitlines()
                     if not ln.startswith("#")]
        return {k: v for k, v in lines}

    def test_refresh_then_cache(self):
        cfg = self.config()
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.one_message(self.smtp, res)
        reqs = self.tok.token_requests()
        self.assertEqual(len(reqs), 1)
        self.assertEqual(reqs[0]["grant_type"], "refresh_token")
        self.assertEqual(reqs[0]["refresh_token"], self.rt)
        self.assertEqual(reqs[0]["client_id"], "pigeon-test")
        self.assertEqual(reqs[0]["scope"], "https://mail.example/ offline")
        self.assertEqual(self.tok.content_types[0],
                         "application/x-www-form-urlencoded")
        cache = self.read_cache()
        self.assertEqual(cache["access_token"], self.tok.issued[0])
        self.assertNotIn("refresh_token", cache)
        with open(self.transcript) as f:
            tr = f.read()
        self.assertIn("POST /token HTTP/1.1", tr)
        self.assertIn("HTTP/1.1 200 OK", tr)
        self.assertIn("[redacted]", tr)
        self.assertNoTokens(res)
        # The second send: the cached token, no request to the endpoint.
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertEqual(len(self.tok.token_requests()), 1)
        self.assertEqual(len(self.smtp.messages()), 2)
        self.assertNoTokens(res)

    def test_expired_cache_refreshes(self):
        cfg = self.config()
        self.tok.expires_in = 30        # within the minute: renewed
        self.assertExit(self.send(cfg), EX_OK)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertEqual(len(self.tok.token_requests()), 2)
        self.assertEqual(self.read_cache()["access_token"],
                         self.tok.issued[1])
        self.assertEqual(len(self.smtp.messages()), 2)

    def test_rotated_refresh_token_is_kept(self):
        cfg = self.config()
        self.tok.rotate = True
        self.tok.expires_in = 10
        self.assertExit(self.send(cfg), EX_OK)
        cache = self.read_cache()
        self.assertIn("refresh_token", cache)
        self.assertNotIn(self.rt, self.tok.refresh)    # the old one is dead
        rotated = cache["refresh_token"]
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        reqs = self.tok.token_requests()
        self.assertEqual(reqs[1]["refresh_token"], rotated)
        self.assertEqual(len(self.smtp.messages()), 2)
        self.assertNoTokens(res)

    def test_refused_token_refreshes_once(self):
        cfg = self.config()
        self.assertExit(self.send(cfg), EX_OK)
        self.tok.revoke_all()           # the cached token is refused now
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertEqual(len(self.tok.token_requests()), 2)
        self.assertEqual(len(self.smtp.messages()), 2)
        self.assertIn(b"535", res.err)
        self.assertEqual(self.read_cache()["access_token"],
                         self.tok.issued[1])
        self.assertNoTokens(res)

    def test_refused_twice_fails_in_words(self):
        cfg = self.config()
        self.smtp.handler.oauth = lambda t: False
        res = self.send(cfg)
        self.assertNotEqual(res.rc, EX_OK)
        self.assertEqual(len(self.tok.token_requests()), 2)
        self.assertIn(b"refused the OAuth2 access token", res.err)
        self.assertIn(b"OAuth error", res.err)
        # The server's reason in words on the error line itself.
        self.assertRegex(res.err.decode(), r"pigeon: not sent: OAuth "
                         r"error: status 401 \(the token is not valid")
        self.assertIn(b"Username and Password not accepted", res.err)
        self.assertNoTokens(res)

    def test_invalid_grant_in_words(self):
        cfg = self.config(password_command="echo rt-revoked")
        res = self.send(cfg)
        self.assertNotEqual(res.rc, EX_OK)
        self.assertIn(b"invalid_grant", res.err)
        self.assertIn(b"[redacted]", res.err)     # the description quoted it
        self.assertNotIn(b"rt-revoked", res.err)
        self.assertEqual(self.smtp.messages(), [])

    def test_endpoint_down_queues(self):
        cfg = self.config()
        self.tok.stop()
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertIn(b"OAuth2 endpoint", res.err)
        self.assertIn(b"cannot be reached", res.err)
        self.assertEqual(len(self.outbox()), 1)
        self.assertEqual(self.smtp.messages(), [])
        self.assertNoTokens(res)

    def test_endpoint_503_queues(self):
        cfg = self.config()
        self.tok.fail_status = 503
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertIn(b"temporarily_unavailable", res.err)
        self.assertEqual(len(self.outbox()), 1)

    def test_cache_link_refused(self):
        cfg = self.config()
        os.makedirs(os.path.dirname(self.cache), mode=0o700)
        target = os.path.join(self.tmp, "elsewhere")
        with open(target, "w") as f:
            f.write("access_token at-planted\nexpires 9999999999\n")
        os.symlink(target, self.cache)
        res = self.send(cfg)
        # Refused and left alone; the mail waits until it is put right.
        self.assertExit(res, EX_OK)
        self.assertIn(b"symbolic link", res.err)
        self.assertEqual(len(self.outbox()), 1)
        self.assertTrue(os.path.islink(self.cache))
        self.assertEqual(self.tok.token_requests(), [])
        self.assertEqual(self.smtp.messages(), [])

    def test_no_refresh_token_says_login(self):
        cfg = self.config(password_command=None)
        res = self.send(cfg)
        # Queued: once the user has logged in, a flush sends it.
        self.assertExit(res, EX_OK)
        self.assertIn(b"pigeon oauth2 login test", res.err)
        self.assertEqual(len(self.outbox()), 1)
        # Put right: a flush gets the token and sends it.
        cfg = self.config()
        res = self.run_pigeon(["queue", "--config", cfg, "flush"])
        self.assertExit(res, EX_OK)
        self.one_message(self.smtp, res)
        self.assertEqual(self.outbox(), [])
        self.assertEqual(len(self.tok.token_requests()), 1)

    # -- pigeon oauth2 login --------------------------------------------

    def login(self, cfg, *extra):
        return self.run_pigeon(["oauth2", "--config", cfg, "-v",
                                "--transcript=" + self.transcript]
                               + list(extra) + ["login", "test"],
                               timeout=40)

    def test_device_flow(self):
        cfg = self.config(password_command=None)
        res = self.login(cfg)
        self.assertExit(res, EX_OK)
        out = res.out.decode()
        self.assertIn("https://example.org/device\n", out)
        self.assertIn("WDJB-MJHT", out)
        self.assertIn("https://example.org/device?user_code=WDJB-MJHT",
                      out)
        self.assertIn(self.cache, out)
        self.assertIn("oauth2_client_id = pigeon-test", out)
        polls = [f for f in self.tok.token_requests()
                 if f["grant_type"].endswith("device_code")]
        self.assertEqual(len(polls), 4)   # pending, pending, slow_down, ok
        self.assertIn(b"every 6 s", res.err)
        cache = self.read_cache()
        self.assertIn(cache["refresh_token"], self.tok.refresh)
        self.assertNoTokens(res)
        # The cached refresh token sends mail, with no password_command.
        self.tok.revoke_all()
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertEqual(len(self.smtp.messages()), 1)
        self.assertEqual(self.tok.token_requests()[-1]["refresh_token"],
                         cache["refresh_token"])

    def test_device_flow_prints_refresh_token_when_asked(self):
        cfg = self.config(password_command=None)
        res = self.login(cfg, "--print-refresh-token")
        self.assertExit(res, EX_OK)
        cache = self.read_cache()
        self.assertIn(cache["refresh_token"].encode(), res.out)

    def test_device_flow_denied(self):
        cfg = self.config(password_command=None)
        self.tok.device_outcome = "deny"
        res = self.login(cfg)
        self.assertNotEqual(res.rc, EX_OK)
        self.assertIn(b"access_denied", res.err)
        self.assertIn(b"refused", res.err)
        self.assertFalse(os.path.exists(self.cache))

    def test_device_flow_expired(self):
        cfg = self.config(password_command=None)
        self.tok.device_outcome = "expire"
        res = self.login(cfg)
        self.assertNotEqual(res.rc, EX_OK)
        self.assertIn(b"expired", res.err)

    def test_login_needs_device_endpoint(self):
        cfg = self.config(oauth2_device_endpoint=None)
        res = self.login(cfg)
        self.assertExit(res, EX_CONFIG)
        self.assertIn(b"oauth2_device_endpoint", res.err)
