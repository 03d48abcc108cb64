# SPDX-License-Identifier: ISC
"""test_dns_policy.py - probe --mx and the transport security policy of a domain: DANE TLSA (with a real DNSSEC AD bit), MTA-STS (TXT and the HTTPS policy file) and TLS-RPT, against Debian's unbound validating a zone signed at test time (bind9-utils), a Python HTTPS server and aiosmtpd."""

import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import unittest

from harness import EX_OK, PigeonTest

from test_direct_mx import run_unbound

UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"
KEYGEN = shutil.which("dnssec-keygen")
SIGNZONE = shutil.which("dnssec-signzone")

# The mail hosts' and the policy servers' names: one certificate each,
# signed by the tests' CA.
MX_NAMES = ("DNS:mx.sec.test", "DNS:mx.nomatch.sec.test",
            "DNS:mx.plain.test", "DNS:mx.unlisted.sec.test",
            "DNS:mx.ta.sec.test")
WEB_NAMES = ("DNS:mta-sts.sec.test", "DNS:mta-sts.nomatch.sec.test",
             "DNS:mta-sts.plain.test", "DNS:mta-sts.unlisted.sec.test")

POLICY = ("version: STSv1\r\nmode: enforce\r\nmx: mx.sec.test\r\n"
          "mx: *.backup.sec.test\r\nmax_age: 86400\r\n")
UNLISTED_POLICY = ("version: STSv1\nmode: testing\nmx: *.elsewhere.test\n"
                   "max_age: 600\n")


def cert_sha256(cert):
    """The TLSA x 0 1 data of cert: SHA-256 of its DER."""
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    dgst = subprocess.run(["openssl", "dgst", "-sha256", "-r"], input=der,
                          check=True, capture_output=True).stdout
    return dgst.split()[0].decode()


def spki_sha256(cert):
    """The TLSA 3 1 1 data of cert, as `openssl x509 -pubkey | sha256`."""
    pub = subprocess.run(["openssl", "x509", "-in", cert, "-pubkey",
                          "-noout"], check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"],
                         input=pub, check=True, capture_output=True).stdout
    dgst = subprocess.run(["openssl", "dgst", "-sha256", "-r"], input=der,
                          check=True, capture_output=True).stdout
    return dgst.split()[0].decode()


class PolicyHandler(http.server.BaseHTTPRequestHandler):
    """The policy files by Host: one good, a redirect, a 404, one for testing."""

    def do_GET(self):
        host = self.headers.get("Host", "")
        self.server.seen.append((host, self.path))
        if self.path != "/.well-known/mta-sts.txt":
            self.send_error(404)
        elif host == "mta-sts.sec.test":
            self.reply(200, POLICY)
        elif host == "mta-sts.unlisted.sec.test":
            self.reply(200, UNLISTED_POLICY, chunked=True)
        elif host == "mta-sts.nomatch.sec.test":
            self.send_response(301)
            self.send_header("Location",
                             "https://mta-sts.sec.test/.well-known/mta-sts.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_error(404)

    def reply(self, code, text, chunked=False):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 7):
                part = body[i:i + 7]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args):
        pass


class PolicyTest(PigeonTest):
    """A validating unbound in front of a signed zone (sec.test) and an
    unsigned one (plain.test), an HTTPS policy server, an SMTP server."""

    def setUp(self):
        super().setUp()
        for prog in (UNBOUND, KEYGEN, SIGNZONE):
            if prog is None or not os.access(prog, os.X_OK):
                self.skipTest("needs unbound and bind9-utils "
                              "(dnssec-keygen, dnssec-signzone)")
        self.need_test_hooks()
        cert, self.mx_key = self.pki._leaf("policymx", MX_NAMES)
        # The mail host sends its CA too, so a DANE-TA record can match it.
        self.mx_cert = os.path.join(self.tmp, "mxchain.pem")
        with open(self.mx_cert, "w", encoding="ascii") as out:
            for part in (cert, self.pki.ca_cert):
                with open(part, encoding="ascii") as f:
                    out.write(f.read())
        web_cert, web_key = self.pki._leaf("policyweb", WEB_NAMES)
        self.start_web(web_cert, web_key)
        self.spki = spki_sha256(self.mx_cert)
        self.start_dns(self.spki)

    def start_web(self, cert, key):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                              PolicyHandler)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        srv.seen = []
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        self.addCleanup(srv.server_close)
        self.addCleanup(srv.shutdown)
        self.web = srv
        self.env["PIGEON_TEST_HTTPS_PORT"] = str(srv.server_address[1])

    def zone(self, origin, rrs):
        path = os.path.join(self.tmp, origin + "zone")
        head = ["$TTL 300",
                "%s SOA ns.%s admin.%s 1 3600 600 86400 300"
                % (origin, origin, origin),
                "%s NS ns.%s" % (origin, origin),
                "ns.%s A 127.0.0.1" % origin]
        with open(path, "w", encoding="ascii") as f:
            f.write("\n".join(head + rrs) + "\n")
        return path

    def start_dns(self, match):
        wrong = "00" * 32
        sec = self.zone("sec.test.", [
            "sec.test. MX 10 mx.sec.test.",
            "mx.sec.test. A 127.0.0.1",
            "_25._tcp.mx.sec.test. TLSA 3 1 1 " + match,
            "mta-sts.sec.test. A 127.0.0.1",
            '_mta-sts.sec.test. TXT "v=STSv1; id=20260101T000000"',
            '_smtp._tls.sec.test. TXT "v=TLSRPTv1; rua=mailto:tls@sec.test,'
            'https://report.sec.test/v1"',
            "nomatch.sec.test. MX 10 mx.nomatch.sec.test.",
            "mx.nomatch.sec.test. A 127.0.0.1",
            "_25._tcp.mx.nomatch.sec.test. TLSA 3 1 1 " + wrong,
            "_25._tcp.mx.nomatch.sec.test. TLSA 2 0 1 " + "11" * 32,
            "_25._tcp.mx.nomatch.sec.test. TLSA 1 1 1 " + match,
            "mta-sts.nomatch.sec.test. A 127.0.0.1",
            '_mta-sts.nomatch.sec.test. TXT "v=STSv1; id=1"',
            '_smtp._tls.nomatch.sec.test. TXT "v=TLSRPTv1; '
            'rua=http://report.sec.test/"',
            "ta.sec.test. MX 10 mx.ta.sec.test.",
            "mx.ta.sec.test. A 127.0.0.1",
            "_25._tcp.mx.ta.sec.test. TLSA 2 0 1 "
            + cert_sha256(self.pki.ca_cert),
            "_25._tcp.mx.ta.sec.test. TLSA 3 1 1 abcd",
            "unlisted.sec.test. MX 10 mx.unlisted.sec.test.",
            "mx.unlisted.sec.test. A 127.0.0.1",
            "mta-sts.unlisted.sec.test. A 127.0.0.1",
            '_mta-sts.unlisted.sec.test. TXT "v=STSv1; id=2"',
        ])
        plain = self.zone("plain.test.", [
            "plain.test. MX 10 mx.plain.test.",
            "mx.plain.test. A 127.0.0.1",
            "_25._tcp.mx.plain.test. TLSA 3 1 1 " + match,
            "mta-sts.plain.test. A 127.0.0.1",
            '_mta-sts.plain.test. TXT "v=STSv1; id=3"',
        ])
        keydir = os.path.join(self.tmp, "keys")
        os.mkdir(keydir)
        for args in (["-f", "KSK"], []):
            subprocess.run([KEYGEN, "-q", "-K", keydir, "-a",
                            "ECDSAP256SHA256"] + args + ["sec.test"],
                           check=True, capture_output=True)
        subprocess.run([SIGNZONE, "-q", "-K", keydir, "-S", "-o", "sec.test",
                        "-f", sec + ".signed", sec], check=True,
                       capture_output=True, cwd=self.tmp)
        anchor = os.path.join(self.tmp, "anchor")
        with open(anchor, "w", encoding="ascii") as out:
            for name in sorted(os.listdir(keydir)):
                if name.endswith(".key"):
                    with open(os.path.join(keydir, name),
                              encoding="ascii") as f:
                        out.write("".join(line for line in f
                                          if not line.startswith(";")))

        def lines(port):
            return ["server:",
                    "  interface: 127.0.0.1",
                    "  port: %d" % port,
                    "  do-daemonize: no",
                    '  username: ""',
                    '  chroot: ""',
                    '  directory: "%s"' % self.tmp,
                    '  pidfile: ""',
                    "  use-syslog: no",
                    '  logfile: ""',
                    "  do-ip6: no",
                    "  do-not-query-localhost: no",
                    '  module-config: "validator iterator"',
                    '  trust-anchor-file: "%s"' % anchor,
                    '  local-zone: "test." nodefault',
                    "  access-control: 127.0.0.0/8 allow",
                    "auth-zone:",
                    '  name: "sec.test."',
                    '  zonefile: "%s.signed"' % sec,
                    "  for-upstream: yes",
                    "  for-downstream: no",
                    "auth-zone:",
                    '  name: "plain.test."',
                    '  zonefile: "%s"' % plain,
                    "  for-upstream: yes",
                    "  for-downstream: no"]
        self.unbound, self.dns_port = run_unbound(self, lines)
        self.addCleanup(self.stop_unbound)
        self.dns = "127.0.0.1:%d" % self.dns_port
        # glibc clears the AD bit unless told to trust the name server.
        self.env["RES_OPTIONS"] = "trust-ad"

    def stop_unbound(self):
        self.unbound.terminate()
        try:
            self.unbound.wait(10)
        except subprocess.TimeoutExpired:
            self.unbound.kill()
            self.unbound.wait()
        self.unbound.stderr.close()

    def probe(self, domain, *extra, **keys):
        srv = self.start_smtpd(cert=self.mx_cert, key=self.mx_key)
        self.env["PIGEON_TEST_MX_PORT"] = str(srv.port)
        cfg = self.write_config("smtp://127.0.0.1:9", **keys)
        self.json = os.path.join(self.tmp, "tr.json")
        return self.run_pigeon(["probe", "--config", cfg, "--dns-server",
                                self.dns, "--transcript-json=" + self.json,
                                "--mx", domain] + list(extra))

    def notes(self):
        with open(self.json, encoding="utf-8") as f:
            events = [json.loads(line) for line in f if line.strip()]
        return "\n".join(e.get("text", "") for e in events
                         if e.get("kind") == "info")


class Dane(PolicyTest):

    def test_match_validated_with_mta_sts_enforce_and_tls_rpt(self):
        res = self.probe("sec.test")
        self.assertExit(res, EX_OK)
        out = res.stdout
        self.assertIn("DANE: TLSA records at _25._tcp.mx.sec.test "
                      "(validated by DNSSEC):", out, str(res))
        self.assertIn("3 1 1  DANE-EE(3) SPKI(1) SHA2-256(1) %s...%s\n"
                      % (self.spki[:4], self.spki[-4:]), out)
        self.assertIn("DANE: the certificate matches TLSA record 3 1 1 "
                      "(validated by DNSSEC)", out)
        self.assertIn('MTA-STS: TXT _mta-sts.sec.test "v=STSv1; '
                      'id=20260101T000000"', out)
        self.assertIn("MTA-STS: policy https://mta-sts.sec.test/.well-known/"
                      "mta-sts.txt: mode enforce, max_age 86400 seconds", out)
        self.assertIn("  mx: *.backup.sec.test", out)
        self.assertIn("MTA-STS enforce: mx.sec.test is listed and its "
                      "certificate is valid: a sender that enforces MTA-STS "
                      "would deliver", out)
        self.assertIn("TLS-RPT: senders report TLS failures to:\n"
                      "  mailto:tls@sec.test\n"
                      "  https://report.sec.test/v1\n", out)
        self.assertIn("Policy of sec.test: DANE 1 of 1 hosts match, MTA-STS "
                      "enforce: 1 of 1 hosts pass, TLS-RPT yes", out)
        self.assertEqual(self.web.seen, [("mta-sts.sec.test",
                                          "/.well-known/mta-sts.txt")])
        # The verdicts are in the JSON transcript too.
        notes = self.notes()
        self.assertIn("DANE: the certificate matches TLSA record 3 1 1", notes)
        self.assertIn("Policy of sec.test:", notes)
        # ... before the outcome, which stays the last line.
        with open(self.json, encoding="utf-8") as f:
            last = json.loads(f.read().splitlines()[-1])
        self.assertEqual(last["kind"], "outcome")

    def test_mismatch_redirect_and_malformed_tls_rpt(self):
        res = self.probe("nomatch.sec.test")
        out = res.stdout
        self.assertIn("1 1 1  PKIX-EE(1) SPKI(1) SHA2-256(1)", out, str(res))
        self.assertIn("2 0 1  DANE-TA(2) Cert(0) SHA2-256(1) 1111...1111",
                      out)
        self.assertIn("unusable: PKIX-EE(1) is not for SMTP", out)
        self.assertIn("DANE: the certificate matches none of the 2 TLSA "
                      "records: a DANE-aware sender would refuse this server",
                      out)
        self.assertIn("a redirect to https://mta-sts.sec.test/.well-known/"
                      "mta-sts.txt: RFC 8461 forbids following it", out)
        # Asked once, not followed.
        self.assertEqual(self.web.seen, [("mta-sts.nomatch.sec.test",
                                          "/.well-known/mta-sts.txt")])
        self.assertIn("TLS-RPT: the record at _smtp._tls.nomatch.sec.test "
                      '"v=TLSRPTv1; rua=http://report.sec.test/" does not '
                      "count: its rua 'http://report.sec.test/' is neither "
                      "a mailto: nor an https: URI", out)
        self.assertIn("Policy of nomatch.sec.test: DANE 0 of 1 hosts match, "
                      "MTA-STS not usable, TLS-RPT malformed", out)

    def test_unsigned_zone_does_not_count_and_missing_policy(self):
        res = self.probe("plain.test")
        out = res.stdout
        self.assertIn("DANE: TLSA records at _25._tcp.mx.plain.test (NOT "
                      "validated by DNSSEC):", out, str(res))
        self.assertIn("DANE records found but not DNSSEC-validated: they do "
                      "not count (RFC 7672)", out)
        self.assertIn("the policy server answered 404", out)
        self.assertIn("Policy of plain.test: DANE no, MTA-STS not usable, "
                      "TLS-RPT no", out)

    def test_dane_ta_matches_the_issuer(self):
        res = self.probe("ta.sec.test")
        self.assertIn("DANE: certificate 1 of the chain matches TLSA record "
                      "2 0 1", res.stdout, str(res))
        self.assertIn("DANE: the certificate matches TLSA record 2 0 1 "
                      "(validated by DNSSEC)", res.stdout)
        # A SHA2-256 of two bytes: OpenSSL does not take it.
        self.assertIn("DANE: TLSA record 3 1 1 is unusable: OpenSSL does "
                      "not take it", res.stdout)

    def test_dane_judged_when_the_ca_check_fails(self):
        # --tls-required and a CA file that does not vouch for the host:
        # the probe fails (69), and DANE still judges what was presented.
        res = self.probe("sec.test", "--tls-required",
                         tls_cafile=self.pki.self_signed()[0])
        self.assertExit(res, 69)
        self.assertIn("DANE: the certificate matches TLSA record 3 1 1 "
                      "(validated by DNSSEC)", res.stdout, str(res))

    def test_without_trust_ad_the_ad_bit_is_lost(self):
        del self.env["RES_OPTIONS"]
        res = self.probe("sec.test")
        self.assertIn("DANE: TLSA records at _25._tcp.mx.sec.test (NOT "
                      "validated by DNSSEC):", res.stdout, str(res))


class MtaSts(PolicyTest):

    def test_host_not_listed_testing_mode_chunked_policy(self):
        res = self.probe("unlisted.sec.test")
        out = res.stdout
        self.assertIn("mode testing, max_age 600 seconds", out, str(res))
        self.assertIn("DANE: no TLSA records at _25._tcp.mx.unlisted.sec.test",
                      out)
        self.assertIn("MTA-STS testing: mx.unlisted.sec.test is not listed in "
                      "the policy: a sender would deliver anyway and report "
                      "the failure", out)

    def test_policy_server_trusted_through_ssl_cert_file(self):
        self.env["SSL_CERT_FILE"] = self.pki.ca_cert
        res = self.probe("sec.test", tls_cafile=None)
        self.assertIn("mode enforce, max_age 86400 seconds", res.stdout,
                      str(res))

    def test_policy_server_not_trusted(self):
        # Without the tests' CA the policy server's certificate fails.
        res = self.probe("sec.test", tls_cafile=self.pki.self_signed()[0])
        self.assertIn("MTA-STS: the policy https://mta-sts.sec.test/"
                      ".well-known/mta-sts.txt cannot be used:", res.stdout,
                      str(res))
        self.assertIn("mta-sts.sec.test", res.stdout)
        self.assertIn("MTA-STS not usable", res.stdout)


if __name__ == "__main__":
    unittest.main()
