# SPDX-License-Identifier: ISC
"""test_block_edges.py - the data path at every buffer edge: messages whose line ends, leading dots, bare CRs and LFs and CRLF pairs straddle the 4 KiB, 64 KiB and 256 KiB edges, sent and compared byte for byte (issue 16)."""

import signal
import subprocess
import time
import unittest

from harness import (EX_DATAERR, EX_OK, FROM_ADDR, GREETING, PigeonTest, bare_line_ends,
                     ehlo, envelope_steps, pigeon_path, starttls_steps)

# The edges of the data path: reads and spool writes (64 KiB blocks, pipes
# of 4 KiB pages), the engine's output (written once 256 KiB are pending).
EDGES = (4096, 65536, 262144)
# What goes at each edge: dots at line starts, CR LF split, a bare CR, a
# bare LF, a CR CR LF, a line that is a lone dot.
TRICK = b".\r\n.\r.\n\r\n..\n.\r\r\n.x\r"
HEADERS = ("From: Tester <%s>\n"
           "To: bob@example.org\n"
           "Date: Tue, 01 Jul 2025 10:00:00 +0000\n"
           "Message-ID: <edges.%%d@example.org>\n"
           "Subject: block edges %%d\n\n" % FROM_ADDR)


def wire(data):
    """What the server gets (after undoing dot-stuffing): every CRLF, bare
    CR and bare LF a CRLF, a final CRLF added when missing."""
    out = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if out and not out.endswith(b"\n"):
        out += b"\n"
    return out.replace(b"\n", b"\r\n")


def edge_message(shift, total, lf_only=False, tag=0):
    """A message of about total bytes (exactly, when it fits), TRICK put
    at each multiple of 4 KiB (minus 6, plus shift) of the input; filler
    lines of varying length between them."""
    head = (HEADERS % (tag, tag)).encode()
    trick = TRICK.replace(b"\r", b"") if lf_only else TRICK
    body = bytearray()
    n = 0
    at = 4096
    while len(head) + len(body) < total:
        target = at - 6 + shift - len(head)
        while len(body) < target:
            room = target - len(body)
            line = b"." if n % 3 == 0 else b""
            line += b"y" * ((n * 7) % 70)
            n += 1
            body += (line + b"\n")[:room] if room <= len(line) + 1 \
                else line + b"\n"
        body += trick
        at += 4096
    msg = head + bytes(body)
    return msg[:total] if len(msg) > total else msg


class Edges(PigeonTest):

    def check(self, got, sent, what):
        want = wire(sent)
        self.assertEqual(bare_line_ends(got), [], what)
        if got != want:
            i = next((k for k in range(min(len(got), len(want)))
                      if got[k] != want[k]), min(len(got), len(want)))
            self.fail("%s: the server got %d bytes, %d expected; first "
                      "difference at %d: got %r, want %r" % (
                          what, len(got), len(want), i, got[i - 20:i + 20],
                          want[i - 20:i + 20]))

    def sizes(self):
        """(shift, total): every edge just below, at and above, and a
        message crossing all of them with each shift."""
        for edge in EDGES:
            for d in (-1, 0, 1):
                yield (d % 7, edge + d)
        for shift in range(7):
            yield (shift, 300000 + shift)

    def test_sendmail_data_plain_and_starttls(self):
        for tls in ("none", "starttls"):
            srv = self.start_smtpd(tls=tls)
            if tls == "none":
                cfg = self.write_config("smtp+plain://127.0.0.1:%d" %
                                        srv.port, user=None,
                                        password_command=None)
            else:
                cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
            k = 0
            for shift, total in self.sizes():
                k += 1
                msg = edge_message(shift, total, tag=k)
                res = self.sendmail(cfg, msg, "bob@example.org")
                self.assertExit(res, EX_OK)
                got = srv.messages()[-1][1]
                self.check(got, msg, "%s, shift %d, %d bytes" % (
                    tls, shift, total))
            self.assertEqual(len(srv.messages()), k)

    def test_sendmail_bdat_plain_and_starttls(self):
        for tls in (False, True):
            for shift, total in ((1, 65536), (3, 262145), (5, 300005)):
                caps = ("CHUNKING", "8BITMIME")
                steps = [GREETING]
                if tls:
                    steps += ehlo("STARTTLS") + starttls_steps(*caps)
                else:
                    steps += ehlo(*caps)
                steps += envelope_steps(["bob@example.org"]) + [
                    ("bdat", b"250 2.0.0 Ok: chunk accepted\r\n")]
                srv = self.start_script(steps)
                cfg = self.write_config(
                    "%s://127.0.0.1:%d" % ("smtp" if tls else "smtp+plain",
                                           srv.port),
                    user=None, password_command=None, chunking="yes")
                msg = edge_message(shift, total, tag=shift)
                res = self.sendmail(cfg, msg, "bob@example.org")
                self.assertExit(res, EX_OK)
                self.assertScriptOk(srv, res)
                self.assertFalse(srv.sent("DATA"), srv.describe())
                self.check(srv.data[0], msg, "BDAT, tls %s, %d bytes" % (
                    tls, total))

    def test_send_body_at_the_edges(self):
        """pigeon send: a text body of LF lines with leading dots at every
        edge arrives as written (7bit text, CRLF on the wire)."""
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        k = 0
        for shift, total in ((0, 65536), (2, 262143), (4, 300004)):
            k += 1
            text = edge_message(shift, total, lf_only=True)
            text = text[text.index(b"\n\n") + 2:]
            res = self.run_pigeon(["send", "--config", cfg, "-s",
                                   "edges %d" % k, "bob@example.org"],
                                  input=text)
            self.assertExit(res, EX_OK)
            got = srv.messages()[-1][1]
            body = got[got.index(b"\r\n\r\n") + 4:]
            self.assertEqual(bare_line_ends(got), [])
            self.assertTrue(body.startswith(wire(text)),
                            "shift %d, %d bytes: the body differs" % (
                                shift, total))


class SpoolAndSend(PigeonTest):
    """sendmail sends while it reads and spools the message; the end of
    the data waits until the spooled copy is durable and queued."""

    BODY = b"".join(b"line %06d of the body\n" % i for i in range(80000))

    def start(self, srv):
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None)
        proc = subprocess.Popen(
            [pigeon_path(), "sendmail", "--config", cfg, "bob@example.org"],
            env=self.env, cwd=self.tmp, stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        msg = (HEADERS % (1, 1)).encode() + self.BODY
        # The header and the first 1,200,000 bytes (over the 1 MiB from
        # which a message streams); the rest is held back.
        proc.stdin.write(msg[:1200000])
        proc.stdin.flush()
        return proc, msg

    def wait_for(self, cond, what):
        for _ in range(400):
            if cond():
                return
            time.sleep(0.025)
        self.fail("never happened: " + what)

    def steps(self, after):
        return [GREETING] + ehlo("8BITMIME") + \
            envelope_steps(["bob@example.org"]) + [
            ("expect", rb"^DATA$"), ("send", b"354 go\r\n"),
            ("read_bytes", 100000)] + after

    def test_data_flows_before_the_input_ends(self):
        srv = self.start_script(self.steps([
            ("read_data",), ("send", b"250 2.0.0 Ok: queued as X1\r\n")]))
        proc, msg = self.start(srv)
        self.wait_for(lambda: srv.data, "message data at the server "
                      "while the input is still open")
        self.assertIsNone(proc.poll())
        # Nothing is queued yet, and the end of the data has not gone.
        self.assertEqual(self.envelopes(), [])
        self.assertEqual(len(srv.data), 1)
        proc.stdin.write(msg[1200000:])
        proc.stdin.close()
        err = proc.stderr.read()
        self.assertEqual(proc.wait(timeout=30), EX_OK, err)
        self.assertScriptOk(srv)
        self.assertEqual(b"".join(srv.data), wire(msg) + b".\r\n")
        self.assertEqual(self.folder("outbox"), {})
        self.assertEqual(len(self.folder("sent")), 1)

    def test_kill_before_the_input_ends_sends_nothing(self):
        srv = self.start_script(self.steps([("hang",)]))
        proc, msg = self.start(srv)
        self.wait_for(lambda: srv.data, "message data at the server")
        proc.send_signal(signal.SIGKILL)
        self.assertEqual(proc.wait(timeout=10), -signal.SIGKILL)
        srv.stop()
        # No end of data went: the server has no message; nothing was
        # queued either, and the caller saw no success.
        self.assertNotIn(b"\r\n.\r\n", b"".join(srv.data))
        self.assertEqual(self.envelopes(), [])
        self.assertEqual(self.folder("outbox"), {})

    def test_server_gone_midway_the_message_is_queued(self):
        srv = self.start_script(self.steps([("close",)]))
        proc, msg = self.start(srv)
        self.wait_for(lambda: srv.data, "message data at the server")
        proc.stdin.write(msg[1200000:])
        proc.stdin.close()
        err = proc.stderr.read()
        # Queued is accepted (DESIGN decision 3).
        self.assertEqual(proc.wait(timeout=30), EX_OK, err)
        self.assertIn(b"queued", err)
        out = self.folder("outbox")
        self.assertEqual(len(out), 1)
        self.assertEqual(list(out.values())[0], msg)

    def test_larger_than_size_goes_the_usual_way(self):
        """SIZE is only known at the end: a message that turns out larger
        than the server takes never gets its end of data; once queued it
        goes the usual way, refused before MAIL, and is filed failed."""
        srv = self.start_smtpd(tls="none", size=250000)
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None)
        proc = subprocess.Popen(
            [pigeon_path(), "sendmail", "--config", cfg, "bob@example.org"],
            env=self.env, cwd=self.tmp, stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        msg = (HEADERS % (2, 2)).encode() + self.BODY
        proc.stdin.write(msg[:100000])
        proc.stdin.flush()
        time.sleep(0.5)
        proc.stdin.write(msg[100000:])
        proc.stdin.close()
        err = proc.stderr.read()
        self.assertEqual(proc.wait(timeout=30), EX_DATAERR, err)
        self.assertIn(b"250000", err)
        self.spool_empty(srv)
        self.assertEqual(list(self.folder("failed").values()), [msg])


if __name__ == "__main__":
    unittest.main()
