# SPDX-License-Identifier: ISC
"""test_scripts.py - every tests/smtp/NAME.script played by the scripted server against pigeon sendmail (the C engine tests play the same files against the engine alone)."""

import os

from harness import PigeonTest
from scriptsrv import load_script, unescape

SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "smtp")

BODY = (b"From: a@example.org\nTo: bob@example.org\n"
        b"Subject: script\n\nhello\n")


class Scripts(PigeonTest):

    def play(self, name):
        steps, opts = load_script(os.path.join(SCRIPTS, name))
        if opts.get("engine_steps") or opts.get("size"):
            self.fail("%s: %s only the engine can play: add \"= only "
                      "engine\"" % (name, (opts.get("engine_steps") or
                                             ["= size"])[0]))

        def text(value):
            return unescape(value).decode("utf-8", "surrogateescape")

        opts = {k: v if k in ("body", "data") else [text(x) for x in v]
                for k, v in opts.items()}

        def opt(key, default=None):
            return opts.get(key, [default])[-1]

        srv = self.start_script(steps)
        scheme = {"starttls": "smtp", "lmtp": "lmtp"}.get(opt("tls"),
                                                          "smtp+plain")
        keys = {"user": opt("user"), "helo": opt("helo", "client.test"),
                "timeout": opt("timeout", "5")}
        keys["password_command"] = ("echo " + opt("secret")
                                    if opt("secret") else None)
        if opt("plaintext") == "yes":
            keys["auth_allow_plaintext"] = "yes"
        if opt("auth"):
            keys["auth"] = opt("auth")
        if opt("chunking") == "yes":
            keys["chunking"] = "yes"
        cfg = self.write_config("%s://127.0.0.1:%d" % (scheme, srv.port),
                                **keys)
        args = ["-f", opt("from", "a@example.org")]
        for flag, key in (("-N", "notify"), ("-R", "ret"), ("-V", "envid")):
            if opt(key):
                args += [flag, opt(key)]
        if opt("abort_on_reject") == "yes":
            args.append("--abort-on-reject")
        args += opts.get("rcpt", ["bob@example.org"])
        body = unescape(opt("body")) if opt("body") else BODY
        res = self.sendmail(cfg, body, *args)
        self.assertExit(res, int(opt("exit", "0")), name)
        self.script_done(srv, res)
        self.assertEqual(srv.failures, [], "%s\n%s%s" % (
            name, srv.describe(), res))
        if opt("queued") is not None:
            self.assertEqual(len(self.outbox()), int(opt("queued")),
                             "%s%s" % (name, res))
        for text in opts.get("says", []):
            self.assertIn(text, res.stderr, "%s%s" % (name, res))
        if opt("failed") is not None:
            self.assertEqual(len(self.folder("failed")), int(opt("failed")),
                             "%s%s" % (name, res))
        if opt("data") is not None:
            # The binary adds headers: compare from the blank line on.
            want = unescape(opt("data")).partition(b"\r\n\r\n")[2]
            got = srv.data[0].partition(b"\r\n\r\n")[2] if srv.data \
                else None
            self.assertEqual(got, want, "%s: the message's body" % name)
        if opt("received") is not None:
            self.assertEqual(len(srv.data), int(opt("received")),
                             "%s\n%s" % (name, srv.describe()))


def _add_tests():
    """One test per script, each with a data folder of its own."""
    for name in sorted(os.listdir(SCRIPTS)):
        if not name.endswith(".script"):
            continue
        _, opts = load_script(os.path.join(SCRIPTS, name))
        if opts.get("only", ["binary"])[-1] != "binary":
            continue
        setattr(Scripts, "test_" + name[:-len(".script")],
                lambda self, name=name: self.play(name))


_add_tests()
