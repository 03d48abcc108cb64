# SPDX-License-Identifier: ISC
"""test_tls_detail.py - what the probe says of a TLS session, against a real openssl s_server: key exchange, signature, client certificate requests, OCSP, resumption, ALPN, and the TLS versions and ciphers an account allows."""

import os
import shutil
import subprocess
import threading
import unittest

from harness import EX_OK, PigeonTest, free_port

OPENSSL = os.environ.get("OPENSSL", "openssl")
GREETING = b"220 s-server.test ESMTP ready\r\n"


@unittest.skipUnless(shutil.which(OPENSSL), "the openssl program is missing")
class TlsDetail(PigeonTest):

    def s_server(self, *args):
        """openssl s_server for one connection on 127.0.0.1, implicit TLS:
        it sends the greeting after the handshake, then hangs up.
        Returns the port; the server is stopped at cleanup."""
        cert, key = self.pki.server()
        port = free_port()
        proc = subprocess.Popen(
            [OPENSSL, "s_server", "-accept", "127.0.0.1:%d" % port,
             "-cert", cert, "-key", key, "-naccept", "1"] + list(args),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)

        def stop():
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdout.close()
        self.addCleanup(stop)
        # s_server reads standard input once a client is in: the greeting.
        proc.stdin.write(GREETING)
        proc.stdin.close()
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.strip() == b"ACCEPT":
                break
        else:
            self.fail("openssl s_server did not start: %r" % b"".join(seen))
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        return port

    def probe(self, port, *args, **keys):
        cfg = self.write_config("smtps://127.0.0.1:%d" % port, user=None,
                                password_command=None, **keys)
        return self.run_pigeon(["probe", "--config", cfg] + list(args))

    def test_probe_shows_the_session_facts(self):
        res = self.probe(self.s_server())
        out = res.stdout
        self.assertRegex(out, r"TLS: +key exchange group (x25519|X25519)\n")
        self.assertRegex(out, r"TLS: +server signature ECDSA with SHA256\n")
        self.assertRegex(out, r"TLS: +client certificate: not requested\n")
        self.assertRegex(out, r"TLS: +OCSP: not stapled; session: new "
                         r"\(not resumed\); ALPN: none offered\n")
        self.assertIn("certificate verified for 127.0.0.1", out)

    def check_client_certificate_refused(self, version):
        port = self.s_server("-Verify", "1", "-CAfile", self.pki.ca_cert,
                             version)
        res = self.probe(port)
        self.assertNotEqual(res.rc, EX_OK, str(res))
        self.assertIn("the server asked for a client certificate "
                      "(accepted CAs: CN=pigeon test CA (throw-away)) and "
                      "closed the connection when none was sent",
                      res.stderr)
        self.assertIn("tls_cert", res.stderr)

    def test_client_certificate_required_tls13(self):
        self.check_client_certificate_refused("-tls1_3")

    def test_client_certificate_required_tls12(self):
        self.check_client_certificate_refused("-tls1_2")

    def test_min_version_above_the_server(self):
        res = self.probe(self.s_server("-tls1_2"), tls_min_version="1.3")
        self.assertNotEqual(res.rc, EX_OK, str(res))
        self.assertIn("the server offers no TLS version from 1.3 to 1.3",
                      res.stderr)

    def test_max_version_12(self):
        res = self.probe(self.s_server(), tls_max_version="1.2")
        self.assertRegex(res.stdout, r"TLS: +TLS 1\.2, cipher ECDHE-",
                         str(res))

    def test_max_version_from_the_command_line(self):
        res = self.probe(self.s_server(), "--tls-max-version", "1.2")
        self.assertRegex(res.stdout, r"TLS: +TLS 1\.2, cipher ", str(res))

    def test_ciphersuites(self):
        res = self.probe(self.s_server(),
                         tls_ciphersuites="TLS_CHACHA20_POLY1305_SHA256")
        self.assertRegex(res.stdout, r"TLS: +TLS 1\.3, cipher "
                         r"TLS_CHACHA20_POLY1305_SHA256\n", str(res))

    def test_tls12_cipher_list(self):
        res = self.probe(self.s_server(), "--tls-ciphers",
                         "ECDHE-ECDSA-AES128-SHA256",
                         tls_max_version="1.2")
        self.assertRegex(res.stdout, r"TLS: +TLS 1\.2, cipher "
                         r"ECDHE-ECDSA-AES128-SHA256\n", str(res))


if __name__ == "__main__":
    unittest.main()
