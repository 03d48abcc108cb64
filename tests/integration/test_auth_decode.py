# SPDX-License-Identifier: ISC
"""test_auth_decode.py - the AUTH exchange decoded in the transcript (LOGIN prompts, CRAM-MD5, SCRAM, OAuth errors) against aiosmtpd and scripted servers; the client's answers only with --show-auth, the password only with --show-auth=all."""

import base64
import os
import re

from harness import (EX_OK, GREETING, PASSWORD, USER, PigeonTest, b64,
                     message, quit_steps, reply, secret_forms, transcript)

MSG = message(["From: Tester <tester@example.org>", "To: bob@example.org",
               "Subject: auth decoded"], ["hello"])


def notes(text):
    """The == and !! lines of a transcript."""
    return [(m, t) for m, t in transcript(text) if m in ("==", "!!")]


class AuthDecode(PigeonTest):

    def send(self, srv, mech, *args, tls="starttls", **keys):
        scheme = "smtp" if tls == "starttls" else "smtp+plain"
        cfg = self.write_config("%s://127.0.0.1:%d" % (scheme, srv.port),
                                auth=mech, **keys)
        return self.sendmail(cfg, MSG, *args, "bob@example.org")

    def assertNote(self, res, pattern):
        for m, t in notes(res.stderr):
            if re.search(pattern, t):
                return t
        self.fail("no note matching %r%s" % (pattern, res))

    def assertNoSecret(self, res, files=()):
        blobs = [res.stderr, res.stdout]
        for f in files:
            with open(f, encoding="utf-8", errors="replace") as fh:
                blobs.append(fh.read())
        for form in secret_forms():
            for b in blobs:
                self.assertNotIn(form, b, "secret %r shown%s" % (form, res))

    # -- against aiosmtpd -------------------------------------------------

    def test_login_prompts_decoded_answers_redacted(self):
        srv = self.start_smtpd()
        res = self.send(srv, "LOGIN", "-v")
        self.assertExit(res, EX_OK)
        # aiosmtpd asks "User Name" and "Password", each with a NUL.
        self.assertNote(res, r'^LOGIN prompt: "User Name\\x00"$')
        self.assertNote(res, r'^LOGIN prompt: "Password\\x00"$')
        answers = [t for m, t in transcript(res.stderr)
                   if m == "~>" and not t.startswith(
                       ("EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"))
                   and t != "."]
        self.assertEqual(answers, ["[redacted]", "[redacted]"], res)
        self.assertNotIn("AUTH answer", res.stderr)
        self.assertNoSecret(res)

    def test_cram_md5_challenge_decoded(self):
        srv = self.start_smtpd()
        res = self.send(srv, "CRAM-MD5", "-v")
        self.assertExit(res, EX_OK)
        self.assertNote(res, r'^CRAM-MD5 challenge: '
                        r'"<[0-9a-f]+\.[0-9]+@smtpd\.pigeon\.test>"$')
        self.assertNoSecret(res)

    def test_scram_first_and_final_decoded(self):
        srv = self.start_smtpd()
        res = self.send(srv, "SCRAM-SHA-256", "-v")
        self.assertExit(res, EX_OK)
        t = self.assertNote(res, r"^SCRAM server-first: ")
        self.assertRegex(t, r"nonce r=[!-+\--~]+, salt s=[A-Za-z0-9+/=]+ "
                         r"\(16 bytes\), iterations i=4096$")
        self.assertNote(res, r"^SCRAM server-final: signature v=\S+ "
                        r"matches: the server knows the password$")
        self.assertEqual([t for m, t in notes(res.stderr) if m == "!!"], [],
                         res)

    def test_show_auth_plain_user_but_not_password(self):
        srv = self.start_smtpd()
        tfile = os.path.join(self.tmp, "t.log")
        res = self.send(srv, "PLAIN", "-v", "--show-auth",
                        "--transcript=" + tfile)
        self.assertExit(res, EX_OK)
        self.assertNote(res, r'^AUTH answer, shown because --show-auth was '
                        r'given: PLAIN: user name "alice", password '
                        r'\[password, %d bytes\]$' % len(PASSWORD))
        self.assertIn("~> AUTH PLAIN [redacted]", res.stderr)
        self.assertNoSecret(res, [tfile])

    def test_show_auth_login_steps(self):
        srv = self.start_smtpd()
        res = self.send(srv, "LOGIN", "-v", "--show-auth")
        self.assertExit(res, EX_OK)
        self.assertNote(res, r'LOGIN: user name "alice"$')
        self.assertNote(res, r'LOGIN: password \[password, %d bytes\]$'
                        % len(PASSWORD))
        self.assertNoSecret(res)

    def test_show_auth_all_shows_the_password_decoded_only(self):
        srv = self.start_smtpd()
        res = self.send(srv, "PLAIN", "-v", "--show-auth=all")
        self.assertExit(res, EX_OK)
        self.assertNote(res, r'^AUTH answer, secret included because '
                        r'--show-auth=all was given: PLAIN: user name '
                        r'"alice", password "%s"$' % re.escape(PASSWORD))
        # Never its encoded form: the wire line stays redacted.
        for form in secret_forms():
            if form != PASSWORD:
                self.assertNotIn(form, res.stderr)

    def test_verbose_never_implies_show_auth(self):
        srv = self.start_smtpd()
        res = self.send(srv, "PLAIN", "-vvv")
        self.assertExit(res, EX_OK)
        # -vvv shows the most there is (the dump, masked), not the answers.
        self.assertIn("secret bytes shown as x", res.stderr)
        self.assertNotIn("AUTH answer", res.stderr)
        self.assertNoSecret(res)

    def test_show_auth_bad_value(self):
        srv = self.start_smtpd()
        res = self.send(srv, "PLAIN", "--show-auth=yes")
        self.assertExit(res, 64)
        self.assertIn("--show-auth takes no value or '=all'", res.stderr)
        self.spool_empty(srv, res)

    # -- scripted servers: the exact challenges --------------------------

    def scripted(self, mech, steps, *args, **keys):
        srv = self.start_script(
            [GREETING, ("expect", rb"^EHLO "),
             ("send", reply(250, "script.test", "AUTH " + mech))] + steps +
            quit_steps())
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                auth=mech, auth_allow_plaintext="yes",
                                timeout="5", **keys)
        res = self.sendmail(cfg, MSG, "-v", *args, "bob@example.org")
        self.assertScriptOk(srv, res)
        return res

    def test_login_username_password_prompts(self):
        res = self.scripted("LOGIN", [
            ("expect", rb"^AUTH LOGIN$"),
            ("send", b"334 VXNlcm5hbWU6\r\n"),
            ("expect", b"^" + b64(USER).encode() + b"$"),
            ("send", b"334 UGFzc3dvcmQ6\r\n"),
            ("expect", b"^" + b64(PASSWORD).encode() + b"$"),
            ("send", b"535 5.7.8 no\r\n")])
        self.assertNote(res, r'^LOGIN prompt: "Username:"$')
        self.assertNote(res, r'^LOGIN prompt: "Password:"$')
        self.assertNoSecret(res)

    def test_scram_few_iterations_warned(self):
        first = "r=notyournonce,s=%s,i=1000" % b64(b"0123456789abcdef")
        res = self.scripted("SCRAM-SHA-256", [
            ("expect", rb"^AUTH SCRAM-SHA-256 \S+$"),
            ("send", b"334 " + b64(first).encode() + b"\r\n"),
            ("expect", rb"^\*$"),
            ("send", b"501 5.7.0 cancelled\r\n")])
        self.assertNote(res, r"^SCRAM server-first: nonce r=notyournonce, "
                        r"salt s=MDEyMzQ1Njc4OWFiY2RlZg== \(16 bytes\), "
                        r"iterations i=1000$")
        warn = [t for m, t in notes(res.stderr) if m == "!!"]
        self.assertTrue(any("only 1000 SCRAM iterations" in t and
                            "RFC 7677" in t for t in warn), res)

    def test_scram_server_error_in_words(self):
        res = self.scripted("SCRAM-SHA-256", [
            ("expect", rb"^AUTH SCRAM-SHA-256 \S+$"),
            ("send", b"334 " + b64("e=invalid-proof").encode() + b"\r\n"),
            ("expect", rb"^$"),
            ("send", b"535 5.7.8 Authentication failed\r\n")])
        self.assertNote(res, r"^SCRAM server error e=invalid-proof: the "
                        r"proof is wrong: wrong password \(or user name\)$")

    def test_xoauth2_error_json(self):
        err = ('{"status":"401","schemes":"bearer",'
               '"scope":"https://mail.google.com/"}')
        res = self.scripted("XOAUTH2", [
            ("expect", rb"^AUTH XOAUTH2 \S+$"),
            ("send", b"334 " + b64(err).encode() + b"\r\n"),
            ("expect", rb"^$"),
            ("send", b"535 5.7.8 Username and Password not accepted\r\n")],
            "--show-auth")
        self.assertNote(res, r"^OAuth error: status 401 \(the token is not "
                        r"valid: expired, revoked or for another account\), "
                        r"schemes bearer, scope https://mail\.google\.com/$")
        self.assertNote(res, r'^AUTH answer, shown because --show-auth was '
                        r'given: user name "alice", token \[token, '
                        r'%d bytes\]$' % len(PASSWORD))
        self.assertNoSecret(res)
        blob = b64("user=%s\1auth=Bearer %s\1\1" % (USER, PASSWORD))
        self.assertNotIn(blob.rstrip("="), res.stderr)


if __name__ == "__main__":
    import unittest
    unittest.main()
