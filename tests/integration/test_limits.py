# SPDX-License-Identifier: ISC
"""test_limits.py - a server's LIMITS (RFC 9422) honoured: RCPTMAX and RCPTDOMAINMAX split a message's recipients over transactions of one connection, MAILMAX moves the rest of a queue flush to a new connection; checked by what aiosmtpd saw, with the server enforcing the limits itself."""

import threading

from harness import EX_OK, PigeonTest, message

RCPTS = ["a1@one.example", "a2@one.example", "a3@one.example",
         "b1@two.example", "b2@two.example"]


def limit(srv, rcptmax=None, mailmax=None, rcptdomainmax=None):
    """Offer LIMITS and enforce it: a server that counts, per connection,
    transactions and per transaction recipients and domains, refusing
    beyond (so a client that ignores the limits loses recipients)."""
    h = srv.handler
    pairs = []
    if rcptmax:
        pairs.append("RCPTMAX=%d" % rcptmax)
    if mailmax:
        pairs.append("MAILMAX=%d" % mailmax)
    if rcptdomainmax:
        pairs.append("RCPTDOMAINMAX=%d" % rcptdomainmax)
    lock = threading.Lock()
    log = {"conns": [], "over": []}
    # A connection is known by its peer address: EHLO comes again after
    # STARTTLS on the same one.
    conn_of = {}
    orig_ehlo, orig_rcpt = h.handle_EHLO, h.handle_RCPT

    async def handle_EHLO(server, session, envelope, hostname, responses):
        responses = await orig_ehlo(server, session, envelope, hostname,
                                    responses)
        session.pigeon_mails = 0
        with lock:
            if session.peer not in conn_of:
                log["conns"].append([])
                conn_of[session.peer] = len(log["conns"]) - 1
            session.pigeon_conn = conn_of[session.peer]
        return responses[:-1] + ["250-LIMITS " + " ".join(pairs),
                                 responses[-1]]

    async def handle_MAIL(server, session, envelope, address, options):
        session.pigeon_mails += 1
        if mailmax and session.pigeon_mails > mailmax:
            with lock:
                log["over"].append("MAIL")
            return "421 4.7.0 too many transactions"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        envelope.pigeon_domains = set()
        return "250 2.1.0 OK"

    async def handle_RCPT(server, session, envelope, address, options):
        dom = address.rsplit("@", 1)[-1].lower()
        domains = getattr(envelope, "pigeon_domains", set()) | {dom}
        if rcptmax and len(envelope.rcpt_tos) >= rcptmax:
            with lock:
                log["over"].append(address)
            return "452 4.5.3 Too many recipients"
        if rcptdomainmax and len(domains) > rcptdomainmax:
            with lock:
                log["over"].append(address)
            return "452 4.5.3 Too many recipient domains"
        envelope.pigeon_domains = domains
        r = await orig_rcpt(server, session, envelope, address, options)
        with lock:
            log["conns"][session.pigeon_conn].append(address)
        return r

    h.handle_EHLO = handle_EHLO
    h.handle_MAIL = handle_MAIL
    h.handle_RCPT = handle_RCPT
    return log


class Limits(PigeonTest):

    def delivered(self, srv):
        """Every message the server took: its recipients, in order."""
        return [meta["rcpt_tos"] for meta, _ in srv.messages()]

    def test_rcptmax_and_rcptdomainmax_split_one_message(self):
        srv = self.start_smtpd()
        log = limit(srv, rcptmax=2, rcptdomainmax=1)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        msg = message(["From: Tester <tester@example.org>",
                       "Subject: limits"], ["to five people"])
        res = self.sendmail(cfg, msg, "-v", *RCPTS)
        self.assertExit(res, EX_OK)
        self.assertEqual(log["over"], [], res)
        # One connection, three transactions of at most two recipients
        # of one domain each; everybody once, nobody twice.
        self.assertEqual(len(log["conns"]), 1, res)
        got = self.delivered(srv)
        self.assertEqual(got, [RCPTS[0:2], RCPTS[2:3], RCPTS[3:5]], res)
        self.assertEqual(self.outbox(), [])
        self.assertEqual(len(self.folder("sent")), 1)
        self.assertIn("LIMITS", res.stderr)

    def test_mailmax_moves_the_rest_of_a_flush_to_a_new_connection(self):
        srv = self.start_smtpd()
        log = limit(srv, mailmax=2)
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        for i in range(5):
            msg = message(["From: Tester <tester@example.org>",
                           "To: bob@example.org",
                           "Subject: queued %d" % i], ["body %d" % i])
            res = self.run_pigeon(["sendmail", "--config", cfg, "-odq",
                                   "bob@example.org"], input=msg)
            self.assertExit(res, EX_OK)
        res = self.run_pigeon(["queue", "--config", cfg, "flush"])
        self.assertExit(res, EX_OK)
        self.assertEqual(log["over"], [], res)
        self.assertEqual(len(srv.messages()), 5, res)
        # Two, two and one: three connections.
        self.assertEqual([len(c) for c in log["conns"]], [2, 2, 1], res)
        self.assertEqual(self.outbox(), [])

    def test_without_limits_one_transaction(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        msg = message(["From: Tester <tester@example.org>",
                       "Subject: no limits"], ["to five people"])
        res = self.sendmail(cfg, msg, *RCPTS)
        self.assertExit(res, EX_OK)
        self.assertEqual(self.delivered(srv), [RCPTS], res)
