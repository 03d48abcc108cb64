# SPDX-License-Identifier: ISC
"""test_fallback.py - fallback_server: the next server is tried when the first cannot be reached, greets with 421 or fails TLS, and never after the first refused the message; aiosmtpd servers and a scripted one."""

from harness import EX_OK, GREETING, PigeonTest
from harness import free_port as closed_port

ARGS = ["-s", "fallback", "bob@example.org"]


class Fallback(PigeonTest):

    def send(self, cfg, *args):
        return self.run_pigeon(["send", "--config", cfg, "-v"] + list(args)
                               + ARGS, input=b"hello\n")

    def test_first_down_second_takes_it(self):
        down = closed_port()
        srv = self.start_smtpd()
        cfg = self.write_config(
            "smtp://127.0.0.1:%d" % down,
            fallback_server="smtp://127.0.0.1:%d" % srv.port)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        err = res.err.decode()
        first = err.index("connecting to 127.0.0.1 port %d" % down)
        second = err.index("connecting to 127.0.0.1 port %d" % srv.port)
        self.assertLess(first, second)
        self.assertIn("trying the fallback server smtp://127.0.0.1:%d "
                      "(1 of 1)" % srv.port, err)
        self.assertEqual(self.outbox(), [])
        sent = self.folder("sent")
        self.assertEqual(len(sent), 1)
        # The message's log says which server took it.
        log = self.run_pigeon(["queue", "--config", cfg, "log",
                               list(sent)[0]])
        self.assertExit(log, EX_OK)
        self.assertIn(("trying the fallback server smtp://127.0.0.1:%d"
                       % srv.port).encode(), log.out)

    def test_list_tried_in_order(self):
        a, b = closed_port(), closed_port()
        srv = self.start_smtpd(tls="implicit")
        cfg = self.write_config(
            "smtp://127.0.0.1:%d" % a,
            fallback_server="smtp://127.0.0.1:%d, smtps://127.0.0.1:%d"
            % (b, srv.port))
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.one_message(srv, res)
        err = res.err.decode()
        self.assertLess(err.index("port %d" % a), err.index("port %d" % b))
        self.assertLess(err.index("port %d" % b),
                        err.index("port %d" % srv.port))
        self.assertIn("(2 of 2)", err)

    def test_bad_certificate_moves_on(self):
        cert, key = self.pki.self_signed()
        bad = self.start_smtpd(cert=cert, key=key)
        good = self.start_smtpd()
        cfg = self.write_config(
            "smtp://127.0.0.1:%d" % bad.port,
            fallback_server="smtp://127.0.0.1:%d" % good.port)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.one_message(good, res)
        self.assertEqual(bad.messages(), [])
        self.assertIn(b"trying the fallback server", res.err)

    def test_421_greeting_moves_on(self):
        busy = self.start_script([("send", b"421 4.3.2 busy, try later\r\n"),
                                  ("close",)])
        good = self.start_smtpd()
        cfg = self.write_config(
            "smtp://127.0.0.1:%d" % busy.port,
            fallback_server="smtp://127.0.0.1:%d" % good.port)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.one_message(good, res)
        self.assertIn(b"421 4.3.2 busy", res.err)

    def test_421_then_fallback_down_queues_with_the_last_reason(self):
        busy = self.start_script([("send", b"421 4.3.2 busy, try later\r\n"),
                                  ("close",)])
        down = closed_port()
        cfg = self.write_config(
            "smtp://127.0.0.1:%d" % busy.port,
            fallback_server="smtp://127.0.0.1:%d" % down)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertRegex(res.err, rb"is queued, next try at ")
        self.assertIn(b"no server of the account took the connection",
                      res.err)
        self.assertRegex(res.err, (r"not sent yet: .*port %d" % down).encode())
        self.assertEqual(len(self.outbox()), 1)

    def test_rejected_recipient_is_not_tried_elsewhere(self):
        first = self.start_smtpd(reject=["bob@example.org"])
        second = self.start_smtpd()
        cfg = self.write_config(
            "smtp://127.0.0.1:%d" % first.port,
            fallback_server="smtp://127.0.0.1:%d" % second.port)
        res = self.send(cfg)
        self.assertNotEqual(res.rc, EX_OK)
        self.assertIn(b"550", res.err)
        self.assertNotIn(b"trying the fallback server", res.err)
        self.assertNotIn(("port %d" % second.port).encode(), res.err)
        self.assertEqual(second.messages(), [])

    def test_refused_login_is_not_tried_elsewhere(self):
        first = self.start_smtpd(password="not-the-one")
        second = self.start_smtpd()
        cfg = self.write_config(
            "smtp://127.0.0.1:%d" % first.port,
            fallback_server="smtp://127.0.0.1:%d" % second.port)
        res = self.send(cfg)
        self.assertNotIn(b"trying the fallback server", res.err)
        self.assertEqual(second.messages(), [])

    def test_all_down_queues(self):
        a, b = closed_port(), closed_port()
        cfg = self.write_config(
            "smtp://127.0.0.1:%d" % a,
            fallback_server="smtp://127.0.0.1:%d" % b)
        res = self.send(cfg)
        self.assertExit(res, EX_OK)
        self.assertRegex(res.err, rb"is queued, next try at ")
        self.assertIn(("port %d" % b).encode(), res.err)
        # The reason given is the last server's.
        self.assertRegex(res.err, (r"not sent yet: .*port %d" % b).encode())
        self.assertIn(b"no server of the account took the connection",
                      res.err)
        self.assertEqual(len(self.outbox()), 1)

    def test_other_server_given_has_no_fallback(self):
        down = closed_port()
        srv = self.start_smtpd()
        cfg = self.write_config(
            "smtp://127.0.0.1:%d" % srv.port,
            fallback_server="smtp://127.0.0.1:%d" % srv.port)
        res = self.send(cfg, "--server", "smtp://127.0.0.1:%d" % down)
        self.assertNotIn(b"trying the fallback server", res.err)
        self.assertEqual(srv.messages(), [])

    def test_bad_url_in_the_list(self):
        cfg = self.write_config("smtp://127.0.0.1:25",
                                fallback_server="smtp://a:1 gopher://b")
        res = self.send(cfg)
        self.assertNotEqual(res.rc, EX_OK)
        self.assertIn(b"fallback server gopher://b", res.err)
