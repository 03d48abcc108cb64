# SPDX-License-Identifier: ISC
"""test_proxy.py - sending through a SOCKS5 proxy (proxy = socks5://..., --proxy): names resolved by the proxy, its login, and its refusals in words, against a SOCKS5 server of the test (socks5srv.py) and aiosmtpd."""

import os
import shutil
import signal
import socket
import subprocess
import time

from harness import EX_OK, PigeonTest
from harness import free_port as closed_port
from socks5srv import Socks5Server

# A name only the proxy knows: were it resolved here, it would fail.
PROXIED = "mail.pigeon-proxy.test"
ARGS = ["-s", "through the proxy", "bob@example.org"]


class Proxy(PigeonTest):

    def start_proxy(self, **kw):
        kw.setdefault("hosts", {PROXIED: "127.0.0.1"})
        p = Socks5Server(**kw)
        p.start()
        self.addCleanup(p.stop)
        return p

    def plain_server(self):
        """aiosmtpd without TLS or login, and the account's keys for it by the proxied name."""
        srv = self.start_smtpd(tls="none", user=None, password=None)
        return srv, "smtp+plain://%s:%d" % (PROXIED, srv.port)

    def send(self, cfg, *args):
        return self.run_pigeon(["send", "--config", cfg, "-v"] + list(args)
                               + ARGS, input=b"hello\n")

    def test_name_is_resolved_by_the_proxy(self):
        srv, url = self.plain_server()
        p = self.start_proxy()
        cfg = self.write_config(url, user=None, password_command=None,
                                proxy="socks5://127.0.0.1:%d" % p.port)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        meta, eml = self.one_message(srv, res)
        self.assertIn(b"hello", eml)
        self.assertEqual(p.requests, [("name", PROXIED, srv.port)])
        self.assertIn(("connecting through the SOCKS5 proxy 127.0.0.1:%d "
                       "to %s port %d" % (p.port, PROXIED, srv.port)
                       ).encode(), res.err)
        self.assertIn(b"the proxy takes us without a login", res.err)
        self.assertNotIn(b"cannot resolve", res.err)

    def test_address_literal_goes_as_an_address(self):
        srv = self.start_smtpd(tls="none", user=None, password=None)
        p = self.start_proxy()
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None,
                                proxy="socks5://127.0.0.1:%d" % p.port)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        self.assertEqual(p.requests, [("ipv4", "127.0.0.1", srv.port)])

    def test_login_then_starttls_and_auth(self):
        srv = self.start_smtpd()
        p = self.start_proxy(users={"tunnel": "s3cret-proxy"},
                             hosts={"localhost": "127.0.0.1"})
        cfg = self.write_config(
            "smtp://localhost:%d" % srv.port,
            proxy="socks5://tunnel@127.0.0.1:%d" % p.port,
            proxy_password_command="echo s3cret-proxy")
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        self.assertEqual(p.logins, [("tunnel", "s3cret-proxy")])
        self.assertEqual(p.requests, [("name", "localhost", srv.port)])
        self.assertIn(b"logging in to the proxy as tunnel", res.err)
        self.assertIn(b"the proxy accepted the login", res.err)
        self.assertNotIn(b"s3cret-proxy", res.err + res.out)

    def test_password_in_the_url_and_option_before_the_command(self):
        srv, url = self.plain_server()
        p = self.start_proxy(users={"u": "p@ss"})
        cfg = self.write_config(url, user=None, password_command=None)
        res = self.run_pigeon(
            ["--proxy", "socks5://u:p%%40ss@127.0.0.1:%d" % p.port, "send",
             "--config", cfg, "-v"] + ARGS, input=b"hello\n")
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        self.assertEqual(p.logins, [("u", "p@ss")])
        self.assertNotIn(b"p@ss", res.err)
        self.assertNotIn(b"p%40ss", res.err)

    def test_wrong_password_said_in_words(self):
        srv, url = self.plain_server()
        p = self.start_proxy(users={"tunnel": "right"})
        cfg = self.write_config(url, user=None, password_command=None,
                                proxy="socks5://tunnel@127.0.0.1:%d" % p.port,
                                proxy_password_command="echo wrong")
        res = self.send(cfg)
        self.assertIn(b"the proxy refused the login", res.err)
        # The account's problem, not the message's: it waits, queued.
        self.assertExit(res, EX_OK)
        self.assertEqual(len(self.outbox()), 1)
        self.assertNotIn(b"wrong", res.err.replace(
            b"wrong user name or password", b""))
        self.assertEqual(srv.messages(), [])
        self.assertEqual(p.requests, [])

    def test_no_login_offered_to_a_proxy_that_wants_one(self):
        srv, url = self.plain_server()
        p = self.start_proxy(users={"tunnel": "right"})
        cfg = self.write_config(url, user=None, password_command=None,
                                proxy="socks5://127.0.0.1:%d" % p.port)
        res = self.send(cfg)
        self.assertIn(b"no acceptable authentication method", res.err)
        self.assertEqual(srv.messages(), [])

    def test_unreachable_proxy_queues(self):
        srv, url = self.plain_server()
        port = closed_port()
        cfg = self.write_config(url, user=None, password_command=None,
                                proxy="socks5://127.0.0.1:%d" % port)
        res = self.send(cfg)
        # Queued is accepted: exit 0, and the proxy named as the cause.
        self.assertExit(res, EX_OK)
        self.assertRegex(res.err, rb"is queued, next try at ")
        self.assertIn(("cannot reach the SOCKS5 proxy 127.0.0.1 port %d"
                       % port).encode(), res.err)
        self.assertEqual(len(self.outbox()), 1)
        self.assertEqual(srv.messages(), [])

    def test_proxy_refusing_the_destination_queues(self):
        srv, url = self.plain_server()
        p = self.start_proxy(rep=5)
        cfg = self.write_config(url, user=None, password_command=None,
                                proxy="socks5://127.0.0.1:%d" % p.port)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertIn(b"the proxy says: connection refused by the "
                      b"destination host (SOCKS5 reply 5)", res.err)
        self.assertRegex(res.err, rb"is queued, next try at ")
        self.assertEqual(len(self.outbox()), 1)

    def test_each_reply_code_in_words(self):
        words = {1: b"general SOCKS server failure",
                 2: b"connection not allowed by its rules",
                 3: b"network unreachable",
                 4: b"host unreachable",
                 6: b"TTL expired",
                 7: b"command not supported",
                 8: b"address type not supported"}
        for rep, text in words.items():
            with self.subTest(rep=rep):
                p = self.start_proxy(rep=rep)
                cfg = self.write_config(
                    "smtp+plain://%s:25" % PROXIED, user=None,
                    password_command=None,
                    proxy="socks5://127.0.0.1:%d" % p.port)
                res = self.send(cfg, "--no-queue")
                self.assertIn(b"the proxy says: " + text, res.err)

    def test_bad_proxy_url_is_a_config_error(self):
        cfg = self.write_config("smtp+plain://127.0.0.1:25", user=None,
                                password_command=None,
                                proxy="http://127.0.0.1:3128")
        res = self.send(cfg)
        self.assertNotEqual(res.rc, EX_OK)
        self.assertIn(b"socks5://", res.err)

    def test_silent_proxy_times_out_within_connect_timeout(self):
        # Takes the connection and never answers the greeting.
        mute = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        mute.bind(("127.0.0.1", 0))
        mute.listen(4)
        self.addCleanup(mute.close)
        srv, url = self.plain_server()
        cfg = self.write_config(
            url, user=None, password_command=None, connect_timeout="1",
            proxy="socks5://127.0.0.1:%d" % mute.getsockname()[1])
        t0 = time.monotonic()
        res = self.send(cfg)
        self.assertLess(time.monotonic() - t0, 4.5)
        self.assertExit(res, EX_OK)
        self.assertIn(b"the proxy did not finish within 1000 ms", res.err)
        self.assertEqual(len(self.outbox()), 1)

    def test_queue_flush_goes_through_the_proxy(self):
        srv, url = self.plain_server()
        p = self.start_proxy(rep=1)
        cfg = self.write_config(url, user=None, password_command=None,
                                proxy="socks5://127.0.0.1:%d" % p.port)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertEqual(len(self.outbox()), 1)
        p.rep = None
        res = self.run_pigeon(["queue", "--config", cfg, "flush"])
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        self.assertEqual(self.outbox(), [])
        self.assertEqual(p.requests, [("name", PROXIED, srv.port)] * 2)

    def test_sendmail_and_probe_go_through_the_proxy(self):
        srv, url = self.plain_server()
        p = self.start_proxy()
        cfg = self.write_config(url, user=None, password_command=None,
                                proxy="socks5://127.0.0.1:%d" % p.port)
        res = self.run_pigeon(["sendmail", "--config", cfg,
                               "bob@example.org"],
                              input=b"Subject: s\n\nhello\n")
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        res = self.run_pigeon(["probe", "--config", cfg])
        self.assertExit(res, EX_OK)
        self.assertEqual(p.requests, [("name", PROXIED, srv.port)] * 2)

    def test_proxy_none_overrides_the_account(self):
        srv = self.start_smtpd(tls="none", user=None, password=None)
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None,
                                proxy="socks5://127.0.0.1:%d" % closed_port())
        res = self.send(cfg, "--proxy", "none")
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        self.assertNotIn(b"SOCKS5", res.err)

    def test_lmtp_socket_does_not_use_the_proxy(self):
        from aiosmtpd.controller import UnixSocketController
        from aiosmtpd.lmtp import LMTP
        from smtpd import quiet_logging

        got = []

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                got.append(bytes(envelope.content))
                return "250 2.0.0 ok"

        class Unix(UnixSocketController):
            def factory(self):
                return LMTP(self.handler, **self.SMTP_kwargs)

        quiet_logging()
        path = os.path.join(self.tmp, "lmtp.sock")
        c = Unix(Handler(), unix_socket=path, ready_timeout=10.0)
        c.start()
        self.addCleanup(c.stop, no_assert=True)
        cfg = self.write_config("lmtp://" + path, user=None,
                                password_command=None,
                                proxy="socks5://127.0.0.1:%d" % closed_port())
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertEqual(len(got), 1)
        self.assertIn(b"the proxy is not used for a UNIX socket", res.err)

    def test_a_proxy_password_makes_the_file_private(self):
        cfg = self.write_config("smtp+plain://127.0.0.1:25", user=None,
                                password_command=None,
                                proxy="socks5://u:hunter2@127.0.0.1:1")
        os.chmod(cfg, 0o644)
        res = self.send(cfg, "--dry-run")
        self.assertNotEqual(res.rc, EX_OK)
        self.assertIn(b"holds a password and can be read by others", res.err)
        self.assertNotIn(b"hunter2", res.err)

    def test_msmtp_proxy_keys_are_explained(self):
        cfg = self.write_config("smtp+plain://127.0.0.1:25", user=None,
                                password_command=None,
                                proxy_host="127.0.0.1", proxy_port="1080")
        res = self.send(cfg, "--dry-run")
        self.assertExit(res, EX_OK)
        self.assertIn(b"'proxy_host' is msmtp's name: the proxy is one URL: "
                      b"proxy = socks5://HOST:PORT", res.err)


DANTED = shutil.which("danted") or (
    "/usr/sbin/danted" if os.access("/usr/sbin/danted", os.X_OK) else None)


class Dante(PigeonTest):
    """The same through Debian's dante-server, run by the test on
    127.0.0.1 with its own configuration (no login: Dante's logins are
    the system's accounts)."""

    def start_danted(self):
        if DANTED is None:
            self.skipTest("danted (Debian's dante-server) is not installed")
        port = closed_port()
        log = os.path.join(self.tmp, "danted.log")
        conf = os.path.join(self.tmp, "danted.conf")
        with open(conf, "w") as f:
            f.write("logoutput: %s\n"
                    "internal: 127.0.0.1 port = %d\n"
                    "external: 127.0.0.1\n"
                    "clientmethod: none\n"
                    "socksmethod: none\n"
                    "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n"
                    "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0\n"
                    "    command: connect\n"
                    "    log: connect error }\n" % (log, port))
        proc = subprocess.Popen(
            [DANTED, "-f", conf, "-N", "1",
             "-p", os.path.join(self.tmp, "danted.pid")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

        def stop():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            proc.wait(10)
        self.addCleanup(stop)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                return port, log
            except OSError:
                if proc.poll() is not None:
                    self.skipTest("danted does not run here (status %d)"
                                  % proc.returncode)
                time.sleep(0.05)
        self.fail("danted did not listen on port %d" % port)

    def test_send_through_danted(self):
        port, log = self.start_danted()
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://localhost:%d" % srv.port,
                                proxy="socks5://127.0.0.1:%d" % port)
        res = self.run_pigeon(["send", "--config", cfg, "-v"] + ARGS,
                              input=b"hello\n")
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        self.assertIn(("connecting through the SOCKS5 proxy 127.0.0.1:%d to "
                       "localhost port %d" % (port, srv.port)).encode(),
                      res.err)
        self.assertIn(b"the proxy is connected to localhost", res.err)

    def test_danted_refusing_the_destination_queues(self):
        port, log = self.start_danted()
        cfg = self.write_config("smtp://localhost:%d" % closed_port(),
                                proxy="socks5://127.0.0.1:%d" % port)
        res = self.run_pigeon(["send", "--config", cfg, "-v"] + ARGS,
                              input=b"hello\n")
        self.assertExit(res, EX_OK)
        self.assertIn(b"the proxy says: connection refused by the "
                      b"destination host", res.err)
        self.assertEqual(len(self.outbox()), 1)
