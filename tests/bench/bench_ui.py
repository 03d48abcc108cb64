# SPDX-License-Identifier: ISC
"""bench_ui.py - section 6 of "make bench": the interactive UI on a pseudo-terminal.

Two figures, both read off the bytes pigeon writes to its terminal:

* start-up: from fork() to the first complete frame (the help line at the
  bottom of the folders screen is in the output), pigeon started with a
  fresh data directory, 100x30, TERM=xterm-256color;
* keys during a big send: a message with the 100 MiB attachment composed
  in the UI (m, To, Subject, a scripted $EDITOR, a FILE, y) and sent to
  smtp-sink; while the data goes (the progress line is on the screen),
  "?" is typed and the time until the key list is drawn (in the pager,
  its line of keys) is taken, then q to go back; as many times as the
  send lasts.

A frame at 60 Hz is 16.7 ms: that is what "within one frame" means here.
"""

import os
import pty
import select
import signal
import statistics
import time

FRAME = 1 / 60
HELP_END = b"q:back"      # the pager's line of keys, under the key list


class Pty:
    """pigeon on a pseudo-terminal: what it writes, searched as it comes."""

    def __init__(self, argv, env):
        self.t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.buf = b""

    def until(self, needle, timeout=30.0):
        """Read until needle appears in what came after the last call;
        returns the time (perf_counter) it was seen."""
        deadline = time.perf_counter() + timeout
        while True:
            at = self.buf.find(needle)
            if at >= 0:
                self.buf = self.buf[at + len(needle):]
                return time.perf_counter()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("%r never came; the last output: %r"
                                   % (needle, self.buf[-300:]))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise TimeoutError("pigeon closed its terminal; the "
                                       "last output: %r" % self.buf[-300:])
                self.buf += chunk

    def drain(self):
        """Forget what came so far."""
        while select.select([self.fd], [], [], 0)[0]:
            try:
                if not os.read(self.fd, 65536):
                    break
            except OSError:
                break
        self.buf = b""

    def write(self, data):
        os.write(self.fd, data)

    def close(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        os.close(self.fd)


def ui_env(env, data, editor):
    e = dict(env, TERM="xterm-256color", LINES="30", COLUMNS="100",
             XDG_DATA_HOME=data, EDITOR=editor, LC_ALL="C.UTF-8")
    e.pop("VISUAL", None)
    return e


def startup(pigeon, cfg, env, scratch, runs):
    """Seconds from fork to the first frame, runs times."""
    editor = os.path.join(scratch, "ui-editor.sh")
    out = []
    for i in range(runs):
        data = os.path.join(scratch, "ui-start%d" % i)
        os.makedirs(data)
        p = Pty([pigeon, "--config", cfg], ui_env(env, data, editor))
        try:
            t = p.until(b"m:compose")
            out.append(t - p.t0)
            p.write(b"q")
        finally:
            p.close()
    return out


def keys_during_send(pigeon, cfg, env, scratch, big):
    """Latencies of "?" while a message with the file big goes to the
    server; returns (latencies, send wall seconds)."""
    editor = os.path.join(scratch, "ui-editor.sh")
    with open(editor, "w") as f:
        f.write("#!/bin/sh\nprintf 'The big one.\\n' > \"$1\"\n")
    os.chmod(editor, 0o700)
    data = os.path.join(scratch, "ui-send")
    os.makedirs(data)
    p = Pty([pigeon, "--config", cfg], ui_env(env, data, editor))
    lat = []
    try:
        p.until(b"m:compose")
        p.write(b"m")
        p.until(b"To:")
        p.write(b"rcpt@example.org\r")
        p.until(b"Subject:")
        p.write(b"big\r")
        p.until(b"y:send")
        p.write(b"a")
        p.until(b"Attach file:")
        p.write(big.encode() + b"\r")
        p.until(b"attached")
        p.write(b"y")
        t_send = time.perf_counter()
        # The progress line: curses writes only what changed, so look for
        # the part of it no other line has.
        p.until(b"MB/s", timeout=120)
        sent_dir = os.path.join(data, "pigeon", "sent", "cur")
        while True:
            p.drain()
            t0 = time.perf_counter()
            p.write(b"?")
            t1 = p.until(HELP_END, timeout=30)
            lat.append(t1 - t0)
            p.write(b"q")
            p.until(b"m:compose", timeout=30)
            # Filed in sent/: the send is over.
            if (os.path.isdir(sent_dir) and os.listdir(sent_dir)) or \
                    len(lat) >= 200:
                break
            time.sleep(0.01)
        while not (os.path.isdir(sent_dir) and os.listdir(sent_dir)):
            if time.perf_counter() - t_send > 120:
                raise TimeoutError("the big message was not sent")
            time.sleep(0.02)
        wall = time.perf_counter() - t_send
        p.write(b"q")
    finally:
        p.close()
    return lat, wall


def run(pigeon, cfg, env, scratch, big, runs, say, table):
    """Section 6; returns how many messages went to the sink."""
    say("6. The interactive UI on a pseudo-terminal (100x30, "
        "TERM=xterm-256color)")
    say("   start-up: fork to the first frame (the folders screen's help "
        "line), %d runs, empty data directory" % runs)
    say("   keys: \"?\" typed while a message with the %d MiB attachment "
        "goes to smtp-sink," % (os.path.getsize(big) >> 20))
    say("     time until the key list is drawn; a frame at 60 Hz is "
        "16.7 ms")
    say("")
    try:
        st = startup(pigeon, cfg, env, scratch, runs)
    except (OSError, TimeoutError) as e:
        say("  start-up: could not be measured: %s" % e)
        say("")
        return 0
    sent = 0
    try:
        lat, wall = keys_during_send(pigeon, cfg, env, scratch, big)
        sent = 1
    except (OSError, TimeoutError) as e:
        say("  keys: could not be measured: %s" % e)
        lat, wall = [], 0.0
    rows = [["start-up to first frame", "%.1f ms" % (1000 * min(st)),
             "%.1f ms" % (1000 * statistics.median(st)),
             "%.1f ms" % (1000 * max(st)), "%d" % len(st),
             "met" if min(st) <= 0.020 else "NOT met"]]
    if lat:
        rows.append(["key during the send", "%.1f ms" % (1000 * min(lat)),
                     "%.1f ms" % (1000 * statistics.median(lat)),
                     "%.1f ms" % (1000 * max(lat)), "%d" % len(lat),
                     "met" if max(lat) <= FRAME else
                     "NOT met (%d of %d within a frame)"
                     % (sum(1 for x in lat if x <= FRAME), len(lat))])
    say(table(rows, ["", "best", "median", "worst", "samples",
                     "target (20 ms / one frame)"]))
    if lat:
        say("  the send took %.2f s from y to \"sent\"" % wall)
    say("")
    return sent
