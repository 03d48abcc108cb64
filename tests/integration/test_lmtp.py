# SPDX-License-Identifier: ISC
"""test_lmtp.py - LMTP (RFC 2033) against aiosmtpd's LMTP server, over TCP and a UNIX socket: LHLO, one reply per recipient after the data, what stays queued and what a retry sends."""

import os
import socket
import threading

from aiosmtpd.controller import Controller, UnixSocketController
from aiosmtpd.lmtp import LMTP

from harness import EX_OK, PigeonTest
from smtpd import quiet_logging

MSG = (b"From: a@example.org\nTo: bob@example.org\n"
       b"Subject: lmtp\n\nhello\n")
RCPTS = ["bob@example.org", "carol@example.org", "dave@example.org"]


class Delivery:
    """aiosmtpd handler: after the data one reply per recipient, from
    verdicts (address -> reply; "250 2.0.0 ok" when not given).
    aiosmtpd's LMTP sends what handle_DATA returns as the reply to the
    data, so the replies go out joined by CRLF, one line each."""

    def __init__(self):
        self.verdicts = {}
        self.received = []     # (recipients, data) of each message
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.received.append((list(envelope.rcpt_tos),
                                  bytes(envelope.content)))
            return "\r\n".join(self.verdicts.get(r.lower(), "250 2.0.0 ok")
                               for r in envelope.rcpt_tos)


class _LmtpFactory:
    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


class _Tcp(_LmtpFactory, Controller):
    """On a socket bound by the caller (port 0: no race for a port)."""

    def __init__(self, handler, sock):
        self._sock = sock
        super().__init__(handler, hostname="127.0.0.1",
                         port=sock.getsockname()[1], ready_timeout=10.0)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class _Unix(_LmtpFactory, UnixSocketController):
    pass


class Lmtp(PigeonTest):

    def setUp(self):
        super().setUp()
        quiet_logging()
        self.handler = Delivery()

    def start_tcp(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        c = _Tcp(self.handler, sock)
        c.start()
        self.addCleanup(sock.close)
        self.addCleanup(c.stop, no_assert=True)
        return "lmtp://127.0.0.1:%d" % sock.getsockname()[1]

    def start_unix(self):
        path = os.path.join(self.tmp, "lmtp.sock")
        c = _Unix(self.handler, unix_socket=path, ready_timeout=10.0)
        c.start()
        self.addCleanup(c.stop, no_assert=True)
        return path

    def config(self, url):
        # No login: LMTP servers want none, and none goes in clear text.
        return self.write_config(url, user=None, password_command=None)

    def queue(self, cfg, *args):
        return self.run_pigeon(["queue", "--config", cfg] + list(args))

    def check_three_delivered(self, url):
        cfg = self.config(url)
        res = self.sendmail(cfg, MSG, "-f", "a@example.org", *RCPTS)
        self.assertExit(res, EX_OK)
        self.assertEqual(len(self.handler.received), 1, res)
        rcpts, data = self.handler.received[0]
        self.assertEqual(rcpts, RCPTS)
        self.assertIn(b"Subject: lmtp", data)
        self.assertEqual(self.outbox(), [], res)
        self.assertEqual(len(self.folder("sent")), 1, res)
        return res

    def test_tcp_three_recipients(self):
        res = self.check_three_delivered(self.start_tcp())
        # No STARTTLS offered: said loudly, and it goes on.
        self.assertIn("WITHOUT TLS", res.stderr)

    def test_unix_socket_three_recipients(self):
        res = self.check_three_delivered("lmtp://" + self.start_unix())
        # A local socket: no TLS wanted, nothing to warn of.
        self.assertNotIn("TLS", res.stderr)

    def test_verdicts_after_the_data_and_retry(self):
        url = "lmtp://" + self.start_unix()
        self.handler.verdicts = {
            "carol@example.org": "452 4.2.2 mailbox full",
            "dave@example.org": "550 5.1.1 no such user"}
        cfg = self.config(url)
        res = self.sendmail(cfg, MSG, "-f", "a@example.org", *RCPTS)
        # Delivered to one, put off for another: queued, exit status 0.
        self.assertExit(res, EX_OK)
        self.assertIn("recipient <carol@example.org> put off: 452 4.2.2",
                      res.stderr)
        self.assertIn("not delivered to <dave@example.org>: 550 5.1.1",
                      res.stderr)
        ids = self.outbox()
        self.assertEqual(len(ids), 1, res)
        listing = self.queue(cfg, "list")
        self.assertIn("carol@example.org", listing.stdout)
        # The retry, the server now willing: carol only.
        self.handler.verdicts = {}
        self.make_due(ids[0])
        res = self.queue(cfg, "flush")
        self.assertExit(res, EX_OK)
        self.assertEqual(len(self.handler.received), 2, res)
        self.assertEqual(self.handler.received[1][0], ["carol@example.org"])
        self.assertEqual(self.outbox(), [], res)

    def test_all_refused_after_the_data(self):
        url = "lmtp://" + self.start_unix()
        self.handler.verdicts = {r: "550 5.1.1 no such user" for r in RCPTS}
        res = self.sendmail(self.config(url), MSG, "-f", "a@example.org",
                            *RCPTS)
        self.assertExit(res, 67)
        self.assertEqual(self.outbox(), [], res)
        self.assertEqual(len(self.folder("failed")), 1, res)

    def test_probe_socket(self):
        path = self.start_unix()
        cfg = self.config("lmtp://" + path)
        res = self.run_pigeon(["probe", "--config", cfg, "lmtp://" + path])
        self.assertExit(res, EX_OK)
        self.assertIn("8BITMIME", res.stdout, res)
        self.assertIn("SMTPUTF8", res.stdout, res)
        self.assertEqual(self.handler.received, [])

    def test_missing_socket(self):
        path = os.path.join(self.tmp, "no-such.sock")
        cfg = self.config("lmtp://" + path)
        res = self.sendmail(cfg, MSG, "-f", "a@example.org", *RCPTS)
        self.assertIn("cannot connect to the socket %s: there is no such "
                      "socket" % path, res.stderr)
        self.assertEqual(len(self.outbox()), 1, res)
