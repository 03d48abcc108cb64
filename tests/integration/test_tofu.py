# SPDX-License-Identifier: ISC
"""test_tofu.py - trust on first use (tls_trust = tofu): the first certificate is recorded, the same one passes, a changed one is refused with both shown side by side until "pigeon trust" accepts it; the store's file is private and never followed through a link."""

import os
import re
import stat

from harness import (EX_NOPERM, EX_OK, EX_UNAVAILABLE, PigeonTest, free_port,
                     message)

MSG = message(["From: Tester <tester@example.org>", "To: bob@example.org",
               "Subject: tofu test"], ["hello"])

FP = r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}"


class Tofu(PigeonTest):

    def setUp(self):
        super().setUp()
        self.store = os.path.join(self.env["XDG_STATE_HOME"], "pigeon",
                                  "trust")

    def server(self, cert_key=None, port=None):
        # A port of its own (not one of the kernel's): changed_server()
        # starts again on it, and nothing may take it in between.
        cert, key = cert_key or self.pki.server()
        return self.start_smtpd(cert=cert, key=key,
                                port=port or free_port())

    def config(self, srv, **keys):
        keys.setdefault("tls_trust", "tofu")
        return self.write_config("smtp://127.0.0.1:%d" % srv.port, **keys)

    def records(self):
        with open(self.store, encoding="utf-8") as f:
            return [line.rstrip("\n").split("\t") for line in f
                    if not line.startswith("#")]

    def changed_server(self, srv):
        """The same host and port with another certificate (same names, another subject)."""
        port = srv.port
        srv.stop()
        return self.server(self.pki.server_cn("changed.example"), port=port)

    def test_first_use_records_and_same_delivers(self):
        srv = self.server()
        cfg = self.config(srv)
        res = self.run_pigeon(["sendmail", "--config", cfg, "-v",
                               "bob@example.org"], input=MSG)
        self.assertExit(res, EX_OK)
        self.assertEqual(len(srv.messages()), 1)
        self.assertIn("trust on first use: the CA store vouches for this "
                      "certificate too", res.stderr)
        self.assertRegex(res.stderr, r"first connection to 127\.0\.0\.1:%d: "
                         r"its certificate \(SHA-256 %s\) is now trusted"
                         % (srv.port, FP))
        recs = self.records()
        self.assertEqual(len(recs), 1)
        self.assertEqual(recs[0][0], "127.0.0.1:%d" % srv.port)
        self.assertRegex(recs[0][1], "^%s$" % FP)
        self.assertEqual(recs[0][7], "CN=127.0.0.1")
        self.assertEqual(recs[0][9], "127.0.0.1, localhost")
        self.assertRegex(recs[0][6], r"^EC 256 bits$")
        mode = os.stat(self.store).st_mode
        self.assertEqual(stat.S_IMODE(mode), 0o600)
        # The same certificate again: delivered, noted.
        res = self.run_pigeon(["sendmail", "--config", cfg, "-v",
                               "bob@example.org"], input=MSG)
        self.assertExit(res, EX_OK)
        self.assertEqual(len(srv.messages()), 2)
        self.assertIn("certificate is the one trusted for 127.0.0.1:%d on "
                      "first use" % srv.port, res.stderr)
        self.assertEqual(self.records()[0][1], recs[0][1])

    def test_changed_certificate_refused_then_trusted(self):
        srv = self.server()
        cfg = self.config(srv)
        self.assertExit(self.sendmail(cfg, MSG, "bob@example.org"), EX_OK)
        old_fp = self.records()[0][1]
        srv = self.changed_server(srv)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertEqual(srv.messages(), [])
        hp = "127.0.0.1:%d" % srv.port
        err = res.stderr
        self.assertIn("the certificate of %s is not the one trusted on "
                      "first use:" % hp, err)
        lines = err.splitlines()
        # Side by side: the subject differs (marked), the issuer and the
        # names do not; the fingerprints differ, both shown.
        subj = [l for l in lines if re.match(r"pigeon: [* ] subject ", l)]
        self.assertEqual(len(subj), 1, res)
        self.assertRegex(subj[0], r"^pigeon: \* subject +CN=127\.0\.0\.1 +"
                         r"\| CN=changed\.example$")
        iss = [l for l in lines if re.match(r"pigeon: [* ] issuer ", l)]
        self.assertRegex(iss[0], r"^pigeon:   issuer ")
        names = [l for l in lines if re.match(r"pigeon: [* ] names ", l)]
        self.assertRegex(names[0], r"^pigeon:   names +127\.0\.0\.1, "
                         r"localhost +\| 127\.0\.0\.1, localhost$")
        sha = [l for l in lines if re.match(r"pigeon: [* ] SHA-256 ", l)]
        self.assertRegex(sha[0], r"^pigeon: \* SHA-256 ")
        self.assertIn(old_fp[:30], sha[0])
        self.assertIn("pigeon trust %s" % hp, err)
        self.assertIn("not sent: the certificate of %s changed since it "
                      "was first trusted" % hp, err)
        self.assertEqual(len(self.folder("failed")), 1)
        mid = list(self.folder("failed"))[0]
        # The store still holds the old one.
        self.assertEqual(self.records()[0][1], old_fp)
        # Not on a terminal and no --yes: nothing changes.
        res = self.run_pigeon(["trust", "--config", cfg, hp])
        self.assertExit(res, EX_NOPERM)
        self.assertIn("* subject", res.stdout)
        self.assertEqual(self.records()[0][1], old_fp)
        res = self.run_pigeon(["trust", "--config", cfg, hp, "--yes"])
        self.assertExit(res, EX_OK)
        self.assertIn("It is NOT the certificate trusted for %s" % hp,
                      res.stdout)
        new_fp = self.records()[0][1]
        self.assertNotEqual(new_fp, old_fp)
        self.assertIn("Trusted for %s: SHA-256 %s" % (hp, new_fp),
                      res.stdout)
        res = self.run_pigeon(["queue", "--config", cfg, "retry", mid])
        self.assertExit(res, EX_OK)
        self.assertEqual(len(srv.messages()), 1)
        # Listed, then forgotten.
        res = self.run_pigeon(["trust", "--list"])
        self.assertExit(res, EX_OK)
        self.assertIn(hp, res.stdout)
        self.assertIn("CN=changed.example", res.stdout)
        res = self.run_pigeon(["trust", "--forget", "127.0.0.1"])
        self.assertExit(res, EX_OK)
        self.assertEqual(self.records(), [])

    def test_self_signed_needs_no_ca(self):
        srv = self.server(self.pki.self_signed())
        cfg = self.config(srv, tls_cafile=None)
        res = self.run_pigeon(["sendmail", "--config", cfg, "-v",
                               "bob@example.org"], input=MSG)
        self.assertExit(res, EX_OK)
        self.assertEqual(len(srv.messages()), 1)
        self.assertIn("the CA store does NOT vouch for this certificate "
                      "(the certificate is self-signed", res.stderr)
        # Without tofu the same server is refused, as before.
        cfg = self.config(srv, tls_cafile=None, tls_trust="ca")
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)

    def test_store_through_a_link_is_refused(self):
        srv = self.server()
        cfg = self.config(srv)
        os.makedirs(os.path.dirname(self.store), mode=0o700, exist_ok=True)
        target = os.path.join(self.tmp, "elsewhere")
        with open(target, "w") as f:
            f.write("")
        os.symlink(target, self.store)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        # Not sent, and kept: a local problem for the user to put right.
        self.assertIn("refusing %s: it is a symbolic link" % self.store,
                      res.stderr)
        self.assertEqual(srv.messages(), [])
        self.assertEqual(len(self.outbox()), 1)
        with open(target) as f:
            self.assertEqual(f.read(), "")
        res = self.run_pigeon(["trust", "--list"])
        self.assertNotEqual(res.rc, EX_OK)
        self.assertTrue(os.path.islink(self.store))

    def test_pin_decides_over_tofu(self):
        srv = self.server()
        cfg = self.config(srv)
        self.assertExit(self.sendmail(cfg, MSG, "bob@example.org"), EX_OK)
        srv = self.changed_server(srv)
        res = self.run_pigeon(["trust", "--config", cfg, "--yes",
                               "127.0.0.1:%d" % srv.port])
        fp = re.search(r"SHA-256 (%s)" % FP, res.stdout)
        self.assertTrue(fp, res)
        # A wrong pin is refused with the pin's remedy, store or not.
        cfg = self.config(srv, tls_fingerprint="00" * 32)
        res = self.sendmail(cfg, MSG, "bob@example.org")
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertIn("tls_fingerprint = %s" % fp.group(1), res.stderr)
