# SPDX-License-Identifier: ISC
"""test_smime.py - S/MIME (RFC 8551) signing and encryption, checked with OpenSSL's own command: certificates made by the test (a CA, RSA and EC users, an expired one, one not for mail), messages sent to aiosmtpd, then `openssl cms -verify` and `openssl cms -decrypt` on what the server received."""

import datetime
import email
import email.policy
import os
import shutil
import subprocess
import unittest

from harness import EX_CONFIG, EX_DATAERR, EX_OK, FROM_ADDR, PigeonTest
from test_pgp import parse, wire

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
except ImportError:          # python3-cryptography (.ci/run installs it)
    x509 = None

SUBJECT = "secret plans"
# 8-bit text, a line ending in a blank, a "From " line: the signed part
# must be 7bit, and no line of it may end in white space.
TEXT = "Grüße aus Köln \nFrom here on the plan is in the attachment\n".encode()
ATTACHMENT = bytes(range(256)) * 64
PASSPHRASE = "correct horse"


def openssl(*args, input=None):
    return subprocess.run(["openssl"] + list(args), input=input,
                          capture_output=True, timeout=60)


class Certs:
    """A CA and certificates it issues, written as PEM files in a folder."""

    def __init__(self, folder):
        self.folder = folder
        self.now = datetime.datetime.now(datetime.timezone.utc)
        self.ca_key = rsa.generate_private_key(public_exponent=65537,
                                               key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                             "pigeon test CA")])
        self.ca_name = name
        self.ca = (x509.CertificateBuilder()
                   .subject_name(name).issuer_name(name)
                   .public_key(self.ca_key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(self.now - datetime.timedelta(days=1))
                   .not_valid_after(self.now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=True,
                                                        path_length=None),
                                  critical=True)
                   .add_extension(x509.KeyUsage(
                       digital_signature=False, content_commitment=False,
                       key_encipherment=False, data_encipherment=False,
                       key_agreement=False, key_cert_sign=True,
                       crl_sign=True, encipher_only=False,
                       decipher_only=False), critical=True)
                   .sign(self.ca_key, hashes.SHA256()))
        self.ca_file = self.write("ca.pem", self.pem(self.ca))

    def write(self, name, data):
        path = os.path.join(self.folder, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o600)
        return path

    @staticmethod
    def pem(cert):
        return cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, addr, kind="rsa", days=(-1, 30), eku=None,
              passphrase=None):
        """A certificate for addr and its key: (cert PEM file, key PEM file)."""
        if kind == "ec":
            key = ec.generate_private_key(ec.SECP256R1())
            usage = dict(key_encipherment=False, key_agreement=True)
        else:
            key = rsa.generate_private_key(public_exponent=65537,
                                           key_size=2048)
            usage = dict(key_encipherment=True, key_agreement=False)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(
                    NameOID.COMMON_NAME, addr)]))
                .issuer_name(self.ca_name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(self.now + datetime.timedelta(
                    days=days[0]))
                .not_valid_after(self.now + datetime.timedelta(days=days[1]))
                .add_extension(x509.SubjectAlternativeName(
                    [x509.RFC822Name(addr)]), critical=False)
                .add_extension(x509.KeyUsage(
                    digital_signature=True, content_commitment=False,
                    data_encipherment=False, key_cert_sign=False,
                    crl_sign=False, encipher_only=False,
                    decipher_only=False, **usage), critical=True)
                .add_extension(x509.ExtendedKeyUsage(
                    [eku or ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                    critical=False)
                .sign(self.ca_key, hashes.SHA256()))
        enc = (serialization.BestAvailableEncryption(passphrase.encode())
               if passphrase else serialization.NoEncryption())
        stem = addr.split("@")[0] + ("-" + kind if kind != "rsa" else "")
        if passphrase:
            stem += "-locked"
        key_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8, enc)
        return (self.write(stem + ".pem", self.pem(cert)),
                self.write(stem + ".key", key_pem))


@unittest.skipUnless(x509 is not None, "python3-cryptography is missing")
class Smime(PigeonTest):

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.keys = tempfile.mkdtemp(prefix="smime-")
        c = cls.certs = Certs(cls.keys)
        cls.me = c.issue(FROM_ADDR)
        cls.me_locked = c.issue(FROM_ADDR, passphrase=PASSPHRASE)
        cls.bob = c.issue("bob@example.org")
        cls.carol = c.issue("carol@example.org", kind="ec")
        cls.dave = c.issue("dave@example.org", days=(-60, -1))
        cls.eve = c.issue("eve@example.org",
                          eku=ExtendedKeyUsageOID.SERVER_AUTH)
        cls.old_me = c.issue("old@example.org", days=(-60, -1))

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.keys, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.srv = self.start_smtpd(tls="none", user=None, password=None)
        self.attachment = os.path.join(self.tmp, "plan.bin")
        with open(self.attachment, "wb") as f:
            f.write(ATTACHMENT)
        # The recipients' certificates in pigeon's default folder.
        self.certdir = os.path.join(self.env["XDG_DATA_HOME"], "pigeon",
                                    "smime")
        os.makedirs(self.certdir, mode=0o700)
        for cert, _ in (self.bob, self.carol, self.dave, self.eve):
            with open(cert, "rb") as f, \
                    open(os.path.join(self.certdir, os.path.basename(cert)),
                         "wb") as g:
                g.write(f.read())

    def config(self, me=None, **keys):
        cert, key = me or self.me
        keys.setdefault("smime_cert", cert)
        keys.setdefault("smime_key", key)
        return self.write_config("smtp+plain://127.0.0.1:%d" %
                                 self.srv.port, user=None,
                                 password_command=None, **keys)

    def send(self, cfg, *args, rcpts=("bob@example.org",)):
        return self.run_pigeon(["send", "--config", cfg, "-s", SUBJECT,
                                "-a", self.attachment] + list(args)
                               + ["--"] + list(rcpts), input=TEXT)

    def file(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def check_inner(self, inner):
        """The message inside: the text and the attachment, intact."""
        m = email.message_from_bytes(inner.replace(b"\r\n", b"\n"),
                                     policy=email.policy.default)
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        text, att = m.get_payload()
        self.assertEqual(text.get_content(), TEXT.decode())
        self.assertEqual(att.get_payload(decode=True), ATTACHMENT)

    def verify_signed(self, eml, signer=None):
        """openssl cms -verify of the whole message; the signed part."""
        raw = wire(eml)
        m = parse(eml)
        self.assertEqual(m.get_content_type(), "multipart/signed")
        self.assertEqual(m.get_param("protocol"),
                         "application/pkcs7-signature")
        self.assertEqual(m.get_param("micalg"), "sha-256")
        signed, sig = m.get_payload()
        self.assertEqual(sig.get_content_type(),
                         "application/pkcs7-signature")
        self.assertEqual(sig.get_filename(), "smime.p7s")
        delim = b"\r\n--" + m.get_boundary().encode()
        body = raw.split(b"\r\n\r\n", 1)[1]
        part = body.split(delim + b"\r\n", 1)[1].split(delim, 1)[0]
        # RFC 8551 3.1: the signed part is 7bit, no blank at a line's end.
        self.assertTrue(all(b < 128 for b in part))
        for line in part.split(b"\r\n"):
            self.assertFalse(line.endswith(b" "), line)
            self.assertFalse(line.startswith(b"From "), line)
        out = os.path.join(self.tmp, "verified")
        signers = os.path.join(self.tmp, "signers.pem")
        r = openssl("cms", "-verify", "-CAfile", self.certs.ca_file,
                    "-purpose", "smimesign", "-in", self.file("in.eml", raw),
                    "-out", out, "-signer", signers)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"Verification successful", r.stderr)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), part)
        with open(signers, "rb") as f, open(signer or self.me[0], "rb") as g:
            self.assertEqual(f.read(), g.read())
        return part

    def decrypt(self, eml, who):
        """Check the RFC 8551 structure; openssl cms -decrypt as who."""
        m = parse(eml)
        self.assertEqual(m.get_content_type(), "application/pkcs7-mime")
        self.assertEqual(m.get_param("smime-type"), "enveloped-data")
        self.assertEqual(m.get_filename(), "smime.p7m")
        self.assertEqual(m["Content-Transfer-Encoding"], "base64")
        for line in wire(eml).split(b"\r\n"):
            self.assertLessEqual(len(line), 78, line)
        cert, key = who
        r = openssl("cms", "-decrypt", "-recip", cert, "-inkey", key,
                    "-in", self.file("in.eml", wire(eml)))
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    # -- signing -----------------------------------------------------------

    def test_signed_message_verifies(self):
        res = self.send(self.config(smime_sign="yes"))
        self.assertExit(res, EX_OK)
        _, eml = self.one_message(self.srv, res)
        part = self.verify_signed(eml)
        self.check_inner(part)
        self.assertEqual(parse(eml)["Subject"], SUBJECT)
        # The sent copy is the signed message too.
        sent = list(self.folder("sent").values())
        self.assertEqual(len(sent), 1)
        self.verify_signed(sent[0])

    @unittest.skipUnless(shutil.which("s-nail"), "s-nail is not installed")
    def test_mail_reader_verifies(self):
        """s-nail, a mail reader with S/MIME, verifies what arrived."""
        res = self.send(self.config(smime_sign="yes"))
        self.assertExit(res, EX_OK)
        _, eml = self.one_message(self.srv, res)
        mbox = self.file("mbox", b"From tester@example.org Sun Dec  6 "
                         b"07:00:00 2026\n" + eml.replace(b"\r\n", b"\n")
                         + b"\n")
        r = subprocess.run(["s-nail", "-n", "-#", "-S", "smime-ca-file=" +
                            self.certs.ca_file, "-S", "ttycharset=utf-8",
                            "-R", "-f", mbox], input=b"verify 1\n",
                           capture_output=True, timeout=60,
                           env=dict(self.env, LC_ALL="C.UTF-8"))
        self.assertIn(b"Message 1 was verified successfully",
                      r.stdout + r.stderr)

    @unittest.skipUnless(shutil.which("gpgsm"), "gpgsm is not installed")
    def test_gnupg_reads_it(self):
        """GnuPG's S/MIME (gpgsm, what mutt's GPGME back end and KMail
        use) verifies the signature and decrypts the message as bob."""
        import tempfile
        home = tempfile.mkdtemp(prefix="gsm-")   # short: the agent socket
        env = dict(os.environ, GNUPGHOME=home, LC_ALL="C")
        self.addCleanup(shutil.rmtree, home, ignore_errors=True)
        self.addCleanup(subprocess.run, ["gpgconf", "--kill", "all"],
                        env=env, capture_output=True, timeout=30)

        def gpgsm(*args, input=None):
            return subprocess.run(["gpgsm", "--batch", "--pinentry-mode",
                                   "loopback", "--passphrase-fd", "0"]
                                  + list(args), input=input, env=env,
                                  capture_output=True, timeout=60)
        with open(os.path.join(home, "gpg-agent.conf"), "w") as f:
            f.write("allow-loopback-pinentry\n")
        with open(os.path.join(home, "gpgsm.conf"), "w") as f:
            f.write("disable-crl-checks\n")
        r = gpgsm("--import", self.certs.ca_file, input=b"")
        self.assertEqual(r.returncode, 0, r.stderr)
        fpr = self.certs.ca.fingerprint(hashes.SHA1()).hex().upper()
        with open(os.path.join(home, "trustlist.txt"), "w") as f:
            f.write("%s S relax\n" % fpr)
        p12 = self.file("bob.p12", subprocess.run(
            ["openssl", "pkcs12", "-export", "-in", self.bob[0], "-inkey",
             self.bob[1], "-passout", "pass:secret", "-keypbe",
             "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg",
             "sha1"], capture_output=True, check=True).stdout)
        r = gpgsm("--import", p12, input=b"secret\n")
        self.assertEqual(r.returncode, 0, r.stderr)

        res = self.send(self.config(smime_sign="yes", smime_encrypt="yes"))
        self.assertExit(res, EX_OK)
        _, eml = self.one_message(self.srv, res)
        der = self.file("msg.p7m", parse(eml).get_payload(decode=True))
        # Its exit status is 2 for the other recipients' infos it has no
        # key for; the status line says whether it decrypted.
        r = gpgsm("--status-fd", "2", "--decrypt", der, input=b"secret\n")
        self.assertIn(b"[GNUPG:] DECRYPTION_OKAY", r.stderr)
        signed = wire(r.stdout)
        m = email.message_from_bytes(signed, policy=email.policy.default)
        self.assertEqual(m.get_content_type(), "multipart/signed")
        delim = b"\r\n--" + m.get_boundary().encode()
        part = signed.split(b"\r\n\r\n", 1)[1].split(delim + b"\r\n", 1)[1] \
            .split(delim, 1)[0]
        sig = self.file("sig.p7s", m.get_payload()[1].get_payload(
            decode=True))
        r = gpgsm("--verify", sig, self.file("part", part), input=b"")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"Good signature", r.stderr)
        self.check_inner(part)

    def test_chain_travels_with_the_signature(self):
        """Certificates after the user's in smime_cert go along, so a
        reader that knows only the root can build the chain."""
        chain = self.file("me-chain.pem", open(self.me[0], "rb").read()
                          + open(self.certs.ca_file, "rb").read())
        res = self.send(self.config(smime_sign="yes", smime_cert=chain))
        self.assertExit(res, EX_OK)
        _, eml = self.one_message(self.srv, res)
        p7s = parse(eml).get_payload()[1].get_payload(decode=True)
        r = openssl("pkcs7", "-print_certs", "-inform", "DER",
                    "-in", self.file("sig.der", p7s))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"pigeon test CA", r.stdout)
        self.assertIn(FROM_ADDR.encode(), r.stdout)

    def test_key_with_a_passphrase(self):
        pw = self.file("pw.sh", b"#!/bin/sh\necho '%s'\n" %
                       PASSPHRASE.encode())
        os.chmod(pw, 0o700)
        cfg = self.config(me=self.me_locked, smime_sign="yes",
                          smime_key_password_command=pw)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        _, eml = self.one_message(self.srv, res)
        self.verify_signed(eml, signer=self.me_locked[0])
        self.assertNotIn(PASSPHRASE.encode(), res.out + res.err)

    def test_key_needs_a_passphrase(self):
        res = self.send(self.config(me=self.me_locked, smime_sign="yes"))
        self.assertExit(res, EX_CONFIG)
        self.assertIn(b"is protected by a passphrase: give it with "
                      b"smime_key_password_command", res.err)
        self.spool_empty(self.srv, res)
        self.assertEqual(self.outbox(), [])
        # Nothing is lost: the text is a draft, to go as it was asked.
        drafts = list(self.folder("drafts").values())
        self.assertEqual(len(drafts), 1, res)
        self.assertIn(b"plan is in the attachment", drafts[0])
        self.assertIn(b"\nX-Pigeon-Security: smime sign\n", drafts[0])
        self.assertIn(b"nothing was sent: the message is saved as draft",
                      res.err)

    def test_wrong_passphrase(self):
        cfg = self.config(me=self.me_locked, smime_sign="yes",
                          smime_key_password_command="echo wrong")
        res = self.send(cfg)
        self.assertExit(res, EX_CONFIG)
        self.assertIn(b"cannot be opened with the passphrase of "
                      b"smime_key_password_command", res.err)
        self.spool_empty(self.srv, res)

    def test_key_of_another_certificate(self):
        res = self.send(self.config(smime_sign="yes",
                                    smime_key=self.bob[1]))
        self.assertExit(res, EX_CONFIG)
        self.assertIn(b"does not belong to the certificate", res.err)
        self.spool_empty(self.srv, res)

    def test_own_certificate_expired(self):
        res = self.send(self.config(me=self.old_me, smime_sign="yes"))
        self.assertExit(res, EX_CONFIG)
        self.assertIn(b"expired on", res.err)
        self.spool_empty(self.srv, res)

    def test_no_certificate_configured(self):
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % self.srv.port,
                                user=None, password_command=None,
                                smime_sign="yes")
        res = self.send(cfg)
        self.assertExit(res, EX_CONFIG)
        self.assertIn(b"no S/MIME certificate of yours: set smime_cert",
                      res.err)
        self.spool_empty(self.srv, res)

    def test_key_in_the_certificate_file(self):
        both = self.file("me-both.pem", open(self.me[1], "rb").read()
                         + open(self.me[0], "rb").read())
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % self.srv.port,
                                user=None, password_command=None,
                                smime_sign="yes", smime_cert=both)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        _, eml = self.one_message(self.srv, res)
        self.verify_signed(eml)

    # -- encryption --------------------------------------------------------

    def test_encrypted_to_each_recipient_and_the_sender(self):
        """RSA (key transport) and EC (key agreement) recipients, and the
        sender's own certificate: the sent copy can be read."""
        res = self.send(self.config(smime_encrypt="yes"), "-c",
                        "Carol@Example.org")
        self.assertExit(res, EX_OK)
        _, eml = self.one_message(self.srv, res)
        self.assertNotIn(b"the plan is", eml)
        for who in (self.bob, self.carol, self.me):
            self.check_inner(self.decrypt(eml, who))
        sent = list(self.folder("sent").values())
        self.assertEqual(len(sent), 1)
        self.assertNotIn(b"the plan is", sent[0])
        self.check_inner(self.decrypt(sent[0], self.me))

    def test_signed_and_encrypted(self):
        """RFC 8551 3.7: the signed multipart, encrypted."""
        res = self.send(self.config(smime_sign="yes", smime_encrypt="yes"))
        self.assertExit(res, EX_OK)
        _, eml = self.one_message(self.srv, res)
        inner = self.decrypt(eml, self.bob)
        # The decrypted entity is the signed multipart; verify it whole.
        signed = email.message_from_bytes(inner, policy=email.policy.default)
        self.assertEqual(signed.get_content_type(), "multipart/signed")
        r = openssl("cms", "-verify", "-CAfile", self.certs.ca_file,
                    "-in", self.file("inner.eml", inner))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_inner(r.stdout)

    def test_recipient_without_certificate_refused_and_kept(self):
        """dave's certificate has expired, eve's is for servers, frank's
        file is a link (not followed), erin has none: nothing is sent,
        the draft is kept, each is named."""
        os.symlink(self.bob[0], os.path.join(self.certdir, "frank.pem"))
        frank = self.certs.issue("frank@example.org")
        os.unlink(os.path.join(self.certdir, "frank.pem"))
        os.symlink(frank[0], os.path.join(self.certdir, "frank.pem"))
        res = self.send(self.config(smime_encrypt="yes"),
                        rcpts=("bob@example.org", "dave@example.org",
                               "eve@example.org", "frank@example.org",
                               "erin@example.org"))
        self.assertExit(res, EX_DATAERR)
        self.assertIn(b"no usable S/MIME certificate for dave@example.org, "
                      b"eve@example.org, frank@example.org, "
                      b"erin@example.org", res.err)
        self.spool_empty(self.srv, res)
        self.assertEqual(self.outbox(), [])
        drafts = list(self.folder("drafts").values())
        self.assertEqual(len(drafts), 1, res)
        self.assertIn(b"plan is in the attachment", drafts[0])
        # Kept with how it was to go.
        self.assertIn(b"\nX-Pigeon-Security: smime encrypt\n", drafts[0])

    def test_encrypt_or_plain_sends_signed_only(self):
        res = self.send(self.config(smime_sign="yes"), "--encrypt-or-plain",
                        rcpts=("erin@example.org",))
        self.assertExit(res, EX_OK)
        self.assertIn(b"sent unencrypted, as asked: no usable S/MIME "
                      b"certificate for erin@example.org", res.err)
        _, eml = self.one_message(self.srv, res)
        self.verify_signed(eml)

    def test_certificate_folder_of_the_account(self):
        """smime_certs names the folder; a PEM file under any name and a
        DER certificate both count."""
        other = os.path.join(self.tmp, "certs")
        os.mkdir(other, 0o700)
        with open(self.carol[0], "rb") as f, \
                open(os.path.join(other, "c.crt"), "wb") as g:
            g.write(f.read())
        der = openssl("x509", "-in", self.bob[0], "-outform", "DER")
        self.assertEqual(der.returncode, 0, der.stderr)
        with open(os.path.join(other, "bob.der"), "wb") as g:
            g.write(der.stdout)
        cfg = self.config(smime_encrypt="yes", smime_certs=other)
        res = self.send(cfg, rcpts=("carol@example.org", "bob@example.org"))
        self.assertExit(res, EX_OK)
        eml = self.one_message(self.srv, res)[1]
        for who in (self.carol, self.bob):
            self.check_inner(self.decrypt(eml, who))
        # hal's certificate is only in the default folder, not this one.
        hal = self.certs.issue("hal@example.org")
        shutil.copy(hal[0], self.certdir)
        res = self.send(cfg, rcpts=("hal@example.org",))
        self.assertExit(res, EX_DATAERR)

    def test_certificate_folder_others_can_write_is_refused(self):
        os.chmod(self.certdir, 0o777)
        res = self.send(self.config(smime_encrypt="yes"))
        self.assertNotEqual(res.rc, EX_OK)
        self.assertIn(self.certdir.encode(), res.err)
        self.spool_empty(self.srv, res)

    def test_defaults_and_overrides(self):
        cfg = self.config(smime_sign="yes", smime_encrypt="yes")
        res = self.send(cfg, "--no-encrypt")
        self.assertExit(res, EX_OK)
        self.verify_signed(self.srv.messages()[0][1])
        res = self.send(cfg, "--no-encrypt", "--no-sign")
        self.assertExit(res, EX_OK)
        self.assertEqual(parse(self.srv.messages()[1][1]).get_content_type(),
                         "multipart/mixed")
        # An account with a certificate and no pgp_key: --sign is S/MIME.
        res = self.send(self.config(), "--sign")
        self.assertExit(res, EX_OK)
        self.verify_signed(self.srv.messages()[2][1])
        # --smime over an account whose defaults are PGP's; --pgp back
        # (refused here for want of a GnuPG key, not signed with S/MIME).
        cfg = self.config(pgp_sign="yes", pgp_key="nosuchkey@example.org")
        res = self.send(cfg, "--smime")
        self.assertExit(res, EX_OK)
        self.verify_signed(self.srv.messages()[3][1])
        res = self.send(self.config(smime_sign="yes"), "--pgp")
        self.assertNotEqual(res.rc, EX_OK)
        self.assertEqual(len(self.srv.messages()), 4)


if __name__ == "__main__":
    unittest.main()
