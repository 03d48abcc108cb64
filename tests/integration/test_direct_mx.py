# SPDX-License-Identifier: ISC
"""test_direct_mx.py - direct to MX (send --direct, probe --mx, -4/-6, --dns-server) against a real resolver: Debian's unbound serving a test zone on 127.0.0.1, and aiosmtpd as the mail host."""

import json
import os
import shutil
import socket
import struct
import subprocess
import time
import unittest

from harness import (EX_OK, EX_TEMPFAIL, EX_UNAVAILABLE, EX_USAGE,
                     PigeonTest, free_port, reply)

UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"

# The test zone.  127.0.0.2 is on the loopback too, but nothing listens
# there: a host that refuses connections.
ZONE = [
    "example.test. MX 10 mx1.example.test.",
    "example.test. MX 20 mx2.example.test.",
    "mx1.example.test. A 127.0.0.2",
    "mx2.example.test. A 127.0.0.1",
    "good.test. MX 10 mx.good.test.",
    "mx.good.test. A 127.0.0.1",
    "mx.good.test. AAAA ::1",
    "nullmx.test. MX 0 .",
    "implicit.test. A 127.0.0.1",
    "grey.test. MX 10 mx1.grey.test.",
    "grey.test. MX 20 mx2.grey.test.",
    "mx1.grey.test. A 127.0.0.1",
    "mx2.grey.test. A 127.0.0.2",
    "v6only.test. MX 10 mx.v6only.test.",
    "mx.v6only.test. AAAA ::1",
]


def run_unbound(test, conf_lines):
    """unbound -d on a free port with conf_lines(port), answering; the
    process and the port.  Between choosing the port and unbound binding
    it another test may take it: then again with another, a few times."""
    why = ""
    for _ in range(5):
        # Free for UDP and for TCP: unbound binds both.
        port = free_port(udp=True)
        conf = os.path.join(test.tmp, "unbound.conf")
        with open(conf, "w", encoding="ascii") as f:
            f.write("\n".join(conf_lines(port)) + "\n")
        proc = subprocess.Popen(
            [UNBOUND, "-d", "-c", conf], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            if answers(port):
                return proc, port
            time.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        why = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
    test.fail("unbound did not start: %s" % why)


def answers(port):
    """Does a name server on 127.0.0.1:port answer an MX query?"""
    q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
    q += b"\x07example\x04test\x00" + struct.pack(">HH", 15, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    try:
        s.sendto(q, ("127.0.0.1", port))
        return s.recv(512)[:2] == b"\x42\x42"
    except OSError:
        return False
    finally:
        s.close()


class DirectTest(PigeonTest):
    """unbound on 127.0.0.1 with the test zone only: no recursion, no network."""

    def setUp(self):
        super().setUp()
        if not os.access(UNBOUND, os.X_OK):
            self.skipTest("unbound is not installed (apt-get install unbound)")
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
                    '  module-config: "iterator"',
                    "  access-control: 127.0.0.0/8 allow",
                    '  local-zone: "test." static'] + [
                        '  local-data: "%s"' % rr for rr in ZONE]
        self.unbound, self.dns_port = run_unbound(self, lines)
        self.addCleanup(self.stop_unbound)
        self.dns = "127.0.0.1:%d" % self.dns_port

    def stop_unbound(self):
        self.unbound.terminate()
        try:
            self.unbound.wait(10)
        except subprocess.TimeoutExpired:
            self.unbound.kill()
            self.unbound.wait()
        self.unbound.stderr.close()

    def mx_run(self, port, args, **keys):
        """pigeon with the MX port of a test build pointed at port."""
        self.need_test_hooks()
        self.env["PIGEON_TEST_MX_PORT"] = str(port)
        cfg = self.write_config("smtp://127.0.0.1:9", **keys)
        return self.run_pigeon(args[:1] + ["--config", cfg] + args[1:],
                               input=b"hello\n")


class SendDirect(DirectTest):

    def test_second_mx_gets_it_when_the_first_refuses(self):
        srv = self.start_smtpd(tls="none")
        tr = os.path.join(self.tmp, "tr.json")
        res = self.mx_run(srv.port, ["send", "--direct", "--dns-server",
                                     self.dns, "--transcript-json=" + tr,
                                     "-v", "-s", "hi", "bob@example.test"])
        self.assertExit(res, EX_OK)
        env, _ = self.one_message(srv, res)
        self.assertEqual(env["rcpt_tos"], ["bob@example.test"], str(res))
        # Both hosts, in MX order, each its own connection.
        self.assertIn("10 mx1.example.test (127.0.0.2), "
                      "20 mx2.example.test (127.0.0.1)", res.stderr)
        first = res.stderr.index("mail host mx1.example.test")
        second = res.stderr.index("mail host mx2.example.test")
        self.assertLess(first, second, str(res))
        self.assertIn("connection to 127.0.0.2 port %d failed" % srv.port,
                      res.stderr)
        with open(tr, encoding="utf-8") as f:
            events = [json.loads(line) for line in f]
        conns = {e.get("conn") for e in events if "conn" in e}
        self.assertGreaterEqual(len(conns), 2, events)
        # No login to an MX, even with the account's user set.
        self.assertNotIn("AUTH", "\n".join(
            ln for ln in res.stderr.splitlines() if "->" in ln))

    def test_recipients_grouped_by_domain(self):
        srv = self.start_smtpd(tls="none")
        res = self.mx_run(srv.port, ["send", "--direct", "--dns-server",
                                     self.dns, "-s", "hi", "a@good.test",
                                     "b@implicit.test", "c@GOOD.test",
                                     "-4"])
        self.assertExit(res, EX_OK)
        msgs = srv.messages()
        self.assertEqual(sorted(sorted(env["rcpt_tos"]) for env, _ in msgs),
                         [["a@good.test", "c@GOOD.test"],
                          ["b@implicit.test"]], str(res))

    def test_null_mx_fails_for_good(self):
        srv = self.start_smtpd(tls="none")
        res = self.mx_run(srv.port, ["send", "--direct", "--dns-server",
                                     self.dns, "-s", "hi", "x@nullmx.test"])
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertIn("null MX", res.stderr)
        self.assertIn("RFC 7505", res.stderr)
        self.spool_empty(srv, res)

    def test_4xx_greeting_moves_on(self):
        srv = self.start_script([("send", reply(421, "4.3.2 busy, try later")),
                                 ("close",)])
        res = self.mx_run(srv.port, ["send", "--direct", "--dns-server",
                                     self.dns, "--no-queue", "-v", "-s",
                                     "hi", "x@grey.test"])
        self.assertExit(res, EX_TEMPFAIL)
        self.assertIn("421 4.3.2 busy", res.stderr)
        self.assertIn("mail host mx2.grey.test", res.stderr)
        self.assertIn("connection to 127.0.0.2 port %d failed" % srv.port,
                      res.stderr)

    def test_ipv6_only_refuses_an_ipv4_mx(self):
        srv = self.start_smtpd(tls="none")
        res = self.mx_run(srv.port, ["send", "--direct", "--dns-server",
                                     self.dns, "-6", "--no-queue", "-s", "hi",
                                     "bob@example.test"])
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertIn("no mail host of example.test has an IPv6 address",
                      res.stderr)
        self.spool_empty(srv, res)

    def test_dns_server_in_the_account(self):
        srv = self.start_smtpd(tls="none")
        res = self.mx_run(srv.port, ["send", "--direct", "-s", "hi",
                                     "bob@implicit.test"],
                          dns_server=self.dns)
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)

    def test_direct_and_server_exclude_each_other(self):
        res = self.mx_run(9, ["send", "--direct", "--server",
                              "smtp://127.0.0.1:9", "bob@example.test"])
        self.assertExit(res, EX_USAGE)

    def test_bad_dns_server(self):
        res = self.mx_run(9, ["send", "--direct", "--dns-server", "::1",
                              "bob@example.test"])
        self.assertExit(res, EX_USAGE)
        self.assertIn("IPv6", res.stderr)


class SendmailDirect(DirectTest):

    MSG = (b"From: Tester <tester@example.org>\nTo: bob@example.test\n"
           b"Subject: direct\n\nhello\n")

    def sendmail_run(self, port, *args):
        self.need_test_hooks()
        self.env["PIGEON_TEST_MX_PORT"] = str(port)
        cfg = self.write_config("smtp://127.0.0.1:9")
        return self.run_pigeon(["sendmail", "--config", cfg] + list(args),
                               input=self.MSG)

    def test_one_domain(self):
        srv = self.start_smtpd(tls="none")
        res = self.sendmail_run(srv.port, "--direct", "--dns-server",
                                self.dns, "bob@example.test",
                                "carol@EXAMPLE.test")
        self.assertExit(res, EX_OK)
        env, _ = self.one_message(srv, res)
        self.assertEqual(env["rcpt_tos"],
                         ["bob@example.test", "carol@EXAMPLE.test"])

    def test_two_domains_refused(self):
        res = self.sendmail_run(9, "--direct", "--dns-server", self.dns,
                                "bob@example.test", "x@good.test")
        self.assertExit(res, EX_USAGE)
        self.assertIn("one domain", res.stderr)


class ProbeMx(DirectTest):

    def test_lists_and_probes_each_host(self):
        srv = self.start_smtpd(tls="none")
        res = self.mx_run(srv.port, ["probe", "--dns-server", self.dns,
                                     "--mx", "example.test"])
        out = res.stdout
        self.assertIn("10 mx1.example.test  127.0.0.2", out, str(res))
        self.assertIn("20 mx2.example.test  127.0.0.1", out, str(res))
        self.assertIn("not authenticated", out)
        self.assertIn("Mail host: mx1.example.test", out)
        self.assertIn("Mail host: mx2.example.test", out)
        self.assertIn("Greeting:    220 smtpd.pigeon.test", out)
        # One host of two does not answer: not a clean bill of health.
        self.assertExit(res, EX_TEMPFAIL)

    def test_implicit_mx(self):
        srv = self.start_smtpd(tls="none")
        res = self.mx_run(srv.port, ["probe", "--dns-server", self.dns,
                                     "--mx", "implicit.test"])
        self.assertExit(res, EX_OK)
        self.assertIn("implicit MX", res.stdout)

    def test_null_mx(self):
        res = self.mx_run(9, ["probe", "--dns-server", self.dns, "--mx",
                              "nullmx.test"])
        self.assertExit(res, EX_UNAVAILABLE)
        self.assertIn("null MX", res.stderr)

    def test_ipv4_only_leaves_out_aaaa(self):
        srv = self.start_smtpd(tls="none")
        both = self.mx_run(srv.port, ["probe", "--dns-server", self.dns,
                                      "--mx", "good.test"])
        self.assertIn("::1", both.stdout, str(both))
        res = self.mx_run(srv.port, ["probe", "-4", "--dns-server", self.dns,
                                     "--mx", "good.test"])
        self.assertExit(res, EX_OK)
        self.assertNotIn("::1", res.stdout)
        self.assertIn("127.0.0.1", res.stdout)

    def test_opportunistic_tls_says_why_the_name_is_not_checked(self):
        """A mail host's certificate for another name is taken, as MTAs
        do on port 25, and the warning says that is why -- not
        "tls_verify = no", which the user never set."""
        srv = self.start_smtpd(tls="starttls")
        res = self.mx_run(srv.port, ["probe", "--dns-server", self.dns,
                                     "--mx", "implicit.test"])
        self.assertExit(res, EX_OK)
        self.assertIn("certificate not verified (opportunistic TLS to a "
                      "mail host takes any certificate", res.stdout)
        self.assertIn("not for implicit.test", res.stdout)
        self.assertNotIn("tls_verify", res.stdout + res.stderr)


if __name__ == "__main__":
    unittest.main()
