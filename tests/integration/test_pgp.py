# SPDX-License-Identifier: ISC
"""test_pgp.py - signed and encrypted mail (PGP/MIME, RFC 3156) and the Autocrypt header, checked with a real GnuPG: keys made by the test, messages sent to aiosmtpd, then verified and decrypted with gpg."""

import email
import email.policy
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import EX_DATAERR, EX_OK, FROM_ADDR, PigeonTest, \
    build_features

GPG = shutil.which("gpg")
SUBJECT = "secret plans"
# 8-bit text, a line ending in a blank: the signed part must be 7bit.
TEXT = "Grüße aus Köln \nthe plan is in the attachment\n".encode()


def gpg(home, *args, input=None):
    """Run gpg in home; the CompletedProcess."""
    env = dict(os.environ, GNUPGHOME=home, LC_ALL="C")
    return subprocess.run([GPG, "--batch", "--no-tty", "--quiet"]
                          + list(args), input=input, env=env,
                          capture_output=True, timeout=60)


def new_home(parent, name, addr):
    """A GnuPG home with a key without passphrase for addr (sign + encrypt)."""
    home = os.path.join(parent, name)
    os.mkdir(home, 0o700)
    r = gpg(home, "--passphrase", "", "--quick-gen-key", addr, "ed25519",
            "sign,cert", "never")
    assert r.returncode == 0, r.stderr
    fpr = fingerprint(home, addr)
    r = gpg(home, "--passphrase", "", "--quick-add-key", fpr, "cv25519",
            "encr", "never")
    assert r.returncode == 0, r.stderr
    return home


def fingerprint(home, addr):
    r = gpg(home, "--with-colons", "--list-keys", addr)
    for line in r.stdout.decode().splitlines():
        if line.startswith("fpr:"):
            return line.split(":")[9]
    raise AssertionError("no key for %s" % addr)


def wire(eml):
    """The message as on the wire: every line end CRLF."""
    return eml.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def parse(eml):
    return email.message_from_bytes(wire(eml), policy=email.policy.default)


@unittest.skipUnless(GPG, "gpg is not installed")
@unittest.skipUnless("pgp" in build_features(),
                     "pigeon was built without GPGME")
class Pgp(PigeonTest):

    @classmethod
    def setUpClass(cls):
        # Short paths: gpg-agent's socket must fit sockaddr_un.
        cls.keys = tempfile.mkdtemp(prefix="pgp-")
        cls.me = new_home(cls.keys, "me", FROM_ADDR)
        cls.bob = new_home(cls.keys, "bob", "bob@example.org")
        cls.carol = new_home(cls.keys, "carol", "carol@example.org")
        cls.dave = new_home(cls.keys, "dave", "dave@example.org")
        for home, addr, certify in ((cls.bob, "bob@example.org", True),
                                    (cls.carol, "carol@example.org", True),
                                    (cls.dave, "dave@example.org", False)):
            pub = gpg(home, "--armor", "--export", addr).stdout
            r = gpg(cls.me, "--import", input=pub)
            assert r.returncode == 0, r.stderr
            # Certified by the user: valid for GnuPG's trust model.
            if certify:
                r = gpg(cls.me, "--quick-lsign-key",
                        fingerprint(cls.me, addr))
                assert r.returncode == 0, r.stderr
            # The recipients know the sender's key: signatures check.
            r = gpg(home, "--import", input=gpg(cls.me, "--armor",
                                                "--export", FROM_ADDR).stdout)
            assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        for home in (cls.me, cls.bob, cls.carol, cls.dave):
            subprocess.run(["gpgconf", "--kill", "all"], timeout=30,
                           env=dict(os.environ, GNUPGHOME=home),
                           capture_output=True)
        shutil.rmtree(cls.keys, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.env["GNUPGHOME"] = self.me
        self.srv = self.start_smtpd(tls="none", user=None, password=None)
        self.attachment = os.path.join(self.tmp, "plan.bin")
        with open(self.attachment, "wb") as f:
            f.write(bytes(range(256)) * 64)

    def config(self, **keys):
        return self.write_config("smtp+plain://127.0.0.1:%d" %
                                 self.srv.port, user=None,
                                 password_command=None, **keys)

    def send(self, cfg, *args, rcpts=("bob@example.org",)):
        return self.run_pigeon(["send", "--config", cfg, "-s", SUBJECT,
                                "-a", self.attachment] + list(args)
                               + ["--"] + list(rcpts), input=TEXT)

    def check_inner(self, inner):
        """The message inside: the text and the attachment, intact."""
        m = email.message_from_bytes(inner.replace(b"\r\n", b"\n"),
                                     policy=email.policy.default)
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        text, att = m.get_payload()
        self.assertEqual(text.get_content(), TEXT.decode())
        self.assertEqual(att.get_payload(decode=True),
                         bytes(range(256)) * 64)
        return m

    def verify_signed(self, eml):
        """gpg --verify on the signed part's exact bytes; the part."""
        raw = wire(eml)
        m = parse(eml)
        self.assertEqual(m.get_content_type(), "multipart/signed")
        self.assertEqual(m.get_param("protocol"),
                         "application/pgp-signature")
        self.assertEqual(m.get_param("micalg"), "pgp-sha256")
        signed, sig = m.get_payload()
        self.assertEqual(sig.get_content_type(), "application/pgp-signature")
        delim = b"\r\n--" + m.get_boundary().encode()
        body = raw.split(b"\r\n\r\n", 1)[1]
        part = body.split(delim + b"\r\n", 1)[1].split(delim, 1)[0]
        # RFC 3156 5: the signed part is 7bit.
        self.assertTrue(all(b < 128 for b in part))
        for line in part.split(b"\r\n"):
            self.assertFalse(line.endswith(b" "), line)
        sigfile = os.path.join(self.tmp, "sig.asc")
        partfile = os.path.join(self.tmp, "part")
        with open(sigfile, "wb") as f:
            f.write(sig.get_payload(decode=True))
        with open(partfile, "wb") as f:
            f.write(part)
        r = gpg(self.me, "--status-fd", "1", "--verify", sigfile, partfile)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"[GNUPG:] GOODSIG", r.stdout)
        self.assertIn(fingerprint(self.me, FROM_ADDR).encode(), r.stdout)
        return part

    def decrypt(self, eml, home):
        """Check the RFC 3156 structure; gpg --decrypt in home: (plain, status)."""
        m = parse(eml)
        self.assertEqual(m.get_content_type(), "multipart/encrypted")
        self.assertEqual(m.get_param("protocol"), "application/pgp-encrypted")
        ver, ct = m.get_payload()
        self.assertEqual(ver.get_content_type(), "application/pgp-encrypted")
        self.assertIn("Version: 1", ver.get_payload())
        self.assertEqual(ct.get_content_type(), "application/octet-stream")
        armored = ct.get_payload(decode=True)
        self.assertTrue(armored.startswith(b"-----BEGIN PGP MESSAGE-----"))
        r = gpg(home, "--status-fd", "2", "--decrypt", input=armored)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout, r.stderr

    def test_signed_message_verifies(self):
        res = self.send(self.config(), "--sign")
        self.assertExit(res, EX_OK)
        meta, eml = self.one_message(self.srv, res)
        part = self.verify_signed(eml)
        self.check_inner(part)
        # The subject stays outside, readable.
        self.assertEqual(parse(eml)["Subject"], SUBJECT)

    def test_from_line_is_quoted_printable_when_signed(self):
        """RFC 3156 3: a line beginning "From " in a signed part is
        encoded (=46rom), so an mbox on the way cannot break it."""
        cfg = self.config()
        text = b"Hello,\nFrom now on, all is signed.\n"
        res = self.run_pigeon(["send", "--config", cfg, "-s", SUBJECT,
                               "--sign", "--", "bob@example.org"],
                              input=text)
        self.assertExit(res, EX_OK)
        _, eml = self.one_message(self.srv, res)
        part = self.verify_signed(eml)
        self.assertNotIn(b"\r\nFrom now", b"\r\n" + part)
        self.assertIn(b"=46rom now on", part)
        inner = email.message_from_bytes(part.replace(b"\r\n", b"\n"),
                                         policy=email.policy.default)
        self.assertEqual(inner.get_content(), text.decode())

    def test_encrypted_to_each_recipient_and_the_sender(self):
        res = self.send(self.config(), "--encrypt", "-c",
                        "carol@example.org")
        self.assertExit(res, EX_OK)
        meta, eml = self.one_message(self.srv, res)
        self.assertNotIn(b"the plan is", eml)
        for home in (self.bob, self.carol):
            plain, status = self.decrypt(eml, home)
            self.check_inner(plain.replace(b"\r\n", b"\n"))
            self.assertNotIn(b"GOODSIG", status)
        # The sent copy is stored as sent, and the sender can read it.
        sent = list(self.folder("sent").values())
        self.assertEqual(len(sent), 1)
        self.assertNotIn(b"the plan is", sent[0])
        plain, _ = self.decrypt(sent[0], self.me)
        self.check_inner(plain.replace(b"\r\n", b"\n"))

    def test_signed_and_encrypted(self):
        res = self.send(self.config(), "--sign", "--encrypt")
        self.assertExit(res, EX_OK)
        meta, eml = self.one_message(self.srv, res)
        plain, status = self.decrypt(eml, self.bob)
        self.assertIn(b"[GNUPG:] GOODSIG", status)
        self.check_inner(plain.replace(b"\r\n", b"\n"))

    def test_recipient_without_key_refused_and_kept(self):
        res = self.send(self.config(), "--encrypt",
                        rcpts=("bob@example.org", "dave@example.org",
                               "erin@example.org"))
        self.assertExit(res, EX_DATAERR)
        # dave's key is there but not certified; erin has none.
        self.assertIn(b"dave@example.org, erin@example.org", res.err)
        self.assertNotIn(b"bob@example.org", res.err)
        self.spool_empty(self.srv, res)
        self.assertEqual(self.outbox(), [])
        drafts = list(self.folder("drafts").values())
        self.assertEqual(len(drafts), 1, res)
        self.assertIn(b"the plan is in the attachment", drafts[0])

    def test_encrypt_or_plain_sends_unencrypted(self):
        res = self.send(self.config(), "--encrypt-or-plain", "--sign",
                        rcpts=("erin@example.org",))
        self.assertExit(res, EX_OK)
        self.assertIn(b"sent unencrypted, as asked: no usable key for "
                      b"erin@example.org", res.err)
        meta, eml = self.one_message(self.srv, res)
        self.verify_signed(eml)

    def test_account_defaults_and_overrides(self):
        cfg = self.config(pgp_sign="yes", pgp_encrypt="yes")
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        plain, status = self.decrypt(self.srv.messages()[0][1], self.bob)
        self.assertIn(b"GOODSIG", status)
        res = self.send(cfg, "--no-encrypt")
        self.assertExit(res, EX_OK)
        self.verify_signed(self.srv.messages()[1][1])
        res = self.send(cfg, "--no-encrypt", "--no-sign")
        self.assertExit(res, EX_OK)
        self.assertEqual(parse(self.srv.messages()[2][1]).get_content_type(),
                         "multipart/mixed")

    def test_pgp_key_chooses_the_key(self):
        cfg = self.config(pgp_key=fingerprint(self.me, FROM_ADDR),
                          **{"from": "Other <other@example.org>"})
        res = self.send(cfg, "--sign", "--encrypt")
        self.assertExit(res, EX_OK)
        plain, status = self.decrypt(self.srv.messages()[0][1], self.me)
        self.assertIn(b"GOODSIG", status)

    def test_no_secret_key_is_an_error(self):
        cfg = self.config(**{"from": "Other <other@example.org>"})
        res = self.send(cfg, "--sign")
        self.assertExit(res, EX_DATAERR)
        self.assertIn(b"no secret key to sign with for 'other@example.org'",
                      res.err)
        self.spool_empty(self.srv, res)

    def test_autocrypt_header(self):
        cfg = self.config(autocrypt="yes", autocrypt_prefer_encrypt="yes")
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        meta, eml = self.one_message(self.srv, res)
        head = eml.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        for line in head.split(b"\n"):
            self.assertLessEqual(len(line), 78, line)
        m = parse(eml)
        value = " ".join(str(m["Autocrypt"]).split())
        attrs, keydata = value.split("keydata=", 1)
        self.assertEqual(attrs, "addr=%s; prefer-encrypt=mutual; "
                         % FROM_ADDR)
        import base64
        key = base64.b64decode("".join(keydata.split()), validate=True)
        fresh = os.path.join(self.tmp, "fresh")
        os.mkdir(fresh, 0o700)
        self.addCleanup(subprocess.run, ["gpgconf", "--kill", "all"],
                        env=dict(os.environ, GNUPGHOME=fresh),
                        capture_output=True)
        r = gpg(fresh, "--import", input=key)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(fingerprint(fresh, FROM_ADDR),
                         fingerprint(self.me, FROM_ADDR))
        # Minimal: no certifications of others, and no secret part.
        r = gpg(fresh, "--with-colons", "--list-secret-keys")
        self.assertEqual(r.stdout, b"")
        # Without autocrypt = yes, no header.
        res = self.send(self.config())
        self.assertIsNone(parse(self.srv.messages()[1][1])["Autocrypt"])


if __name__ == "__main__":
    unittest.main()
