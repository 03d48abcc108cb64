# SPDX-License-Identifier: ISC
"""ui_bench.py - the interactive UI against the targets of issue 14.

    python3 tests/bench/ui_bench.py [--runs N] [--count N] [--json FILE]
                                    [--only a,b,c] [PIGEON]

(also run by tests/bench/run after bench.py; "tests/bench/run --only ui"
runs this alone).  Python 3 standard library only.  Every program runs
under a pseudo-terminal of 80x24 with TERM=xterm-256color; what it
writes goes through a small terminal emulator (Screen below), and a
figure is the time until the *screen* shows something, so it does not
matter how curses chose to draw it.

(a) First frame: from starting the program to the first complete
    frame, pigeon (the folders screen, its data directory made by an
    earlier run) against mutt (-n -F /dev/null on an empty Maildir),
    --runs interleaved runs each; pigeon's first start ever (a fresh
    data directory) and the harness floor (/bin/echo) shown beside.
    The program is started with posix_spawn on a terminal made
    beforehand: forking this Python process would cost more than the
    programs measured.  Target: pigeon / mutt <= 0.5 (medians).
(b) Keys while busy: a 100 MiB message queued beforehand (pigeon send
    while its server refuses connections; then its envelope made due)
    goes out through the UI's own queue flush to a local sink that takes
    --rate-mb MB/s; meanwhile the accounts screen (A) runs a connection
    test (t) against a server that answers each line after --stall
    seconds, again each time it ends.  Keys j and k there move the
    cursor; the time until the row under test is drawn again is the
    latency.  The same keys with nothing running (same screen, servers
    idle) are the reference.  Target: every key within 16 ms (one frame
    at 60 Hz); the ratio to the idle figure is printed too.
(c) Big sent folder: --count (100,000) small messages written straight
    into $XDG_DATA_HOME/pigeon/sent/cur (names as src/mdname.c makes
    them), generated once per invocation; the first frame (the list is
    shown), then j, PgDn and End (the time until the list shows other
    messages), and the peak RSS (VmHWM) after them; against the same
    with 100 messages, --runs interleaved runs each.  Targets: first
    frame and keys within 50 ms; peak RSS at most RSS_RATIO times the
    100-message figure.

What the UI shows and which keys it takes are in UI below: adapt them
there when the screens change.  A key that gets no answer within
KEY_TIMEOUT is counted as "no answer" (the old UI has no PgDn or End
in its list, and drops keys during an account test).

Timing never fails the run: the exit status is 0 unless the set-up
itself fails (pigeon missing, a queued send that does not queue).
"""

import argparse
import codecs
import fcntl
import json
import os
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

ROWS, COLS = 24, 80
FRAME = 0.016           # (b): a key within one frame
LIMIT_C = 0.050         # (c): first frame and keys
TARGET_A = 0.5          # (a): pigeon / mutt
RSS_RATIO = 2.0         # (c): peak RSS, 100,000 messages / 100 messages
KEY_TIMEOUT = 2.0       # no answer within this: "no answer"
SEND_ONLY_PAIRS = 3     # (b): j/k pairs between two account tests
MUTT = "/usr/bin/mutt"

# What the UI shows and the keys it takes.  A "shown" entry is a
# predicate on the Screen; keep them loose (text, not positions).
UI = {
    # The first frame is complete: the key hints at the bottom.
    "frame": lambda s: s.find_in_rows(("q:quit", "?:help"), ROWS - 3),
    # mutt's first frame: its index status bar.
    "mutt_frame": lambda s: s.find_in_rows(("---Mutt:",), ROWS - 3)
    and "(all)" in s.text(),
    "accounts_key": b"A",
    "accounts": lambda s: "t:test" in s.text() or
    ("probeacct" in s.text() and "sendacct" in s.text()),
    "test_key": b"t",
    "down": b"j",
    "up": b"k",
    "pgdn": b"\x1b[6~",     # xterm-256color knp
    "end": b"\x1bOF",       # xterm-256color kend (keypad mode)
    "quit": b"q",
}

# Message numbers of (c) as the list shows them: 7 digits.
NUM_RE = re.compile(r"(?<![0-9])([0-9]{7})(?![0-9])")


# --- a terminal, as far as curses uses one ---------------------------------

TOKEN = re.compile(
    r"\x1b\[([?>=!]?)([0-9;:]*)[ -/]*([@-~])"        # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"           # OSC
    r"|\x1bP[^\x1b]*\x1b\\"                         # DCS
    r"|\x1b[()*+#%]."                                # charsets
    r"|\x1b[^\[\]P()*+#%]"                          # ESC x
    r"|[\x00-\x1a\x1c-\x1f\x7f]"                     # controls
    r"|[^\x00-\x1f\x7f]+")                          # text


class Screen:
    """Cells (character, attributes) as an xterm would show them."""

    def __init__(self, rows=ROWS, cols=COLS):
        self.rows, self.cols = rows, cols
        self.dec = codecs.getincrementaldecoder("utf-8")("replace")
        self.pending = ""
        self.attr = ()
        self.last = " "
        self.reset()

    def reset(self):
        self.cells = [[(" ", ()) for _ in range(self.cols)]
                      for _ in range(self.rows)]
        self.y = self.x = 0
        self.wrap = False
        self.top, self.bot = 0, self.rows - 1
        self.saved = (0, 0)

    # reading it
    def text(self):
        return "\n".join(self.row(y) for y in range(self.rows))

    def row(self, y):
        return "".join(c for c, _ in self.cells[y])

    def row_state(self, y):
        return tuple(self.cells[y])

    def find_in_rows(self, needles, first, last=None):
        last = self.rows if last is None else last
        return any(n in self.row(y) for y in range(max(0, first), last)
                   for n in needles)

    def rows_with(self, needle):
        return [y for y in range(self.rows) if needle in self.row(y)]

    def numbers(self):
        return {int(m) for m in NUM_RE.findall(self.text())}

    # writing it
    def blank(self):
        return (" ", tuple(a for a in self.attr if a[0] == "bg"))

    def scroll_up(self, n=1, top=None):
        top = self.top if top is None else top
        for _ in range(n):
            del self.cells[top]
            self.cells.insert(self.bot, [self.blank()] * self.cols)

    def scroll_down(self, n=1, top=None):
        top = self.top if top is None else top
        for _ in range(n):
            del self.cells[self.bot]
            self.cells.insert(top, [self.blank()] * self.cols)

    def linefeed(self):
        if self.y == self.bot:
            self.scroll_up()
        elif self.y < self.rows - 1:
            self.y += 1

    def put(self, s):
        for ch in s:
            if self.wrap:
                self.x = 0
                self.linefeed()
                self.wrap = False
            self.cells[self.y][self.x] = (ch, self.attr)
            self.last = ch
            if self.x == self.cols - 1:
                self.wrap = True
            else:
                self.x += 1

    def sgr(self, params):
        ps = [int(p) if p.isdigit() else 0 for p in params.split(";")] \
            if params else [0]
        a = dict((k, v) for k, v in self.attr)
        i = 0
        while i < len(ps):
            p = ps[i]
            if p == 0:
                a = {}
            elif p in (38, 48) and i + 2 < len(ps) and ps[i + 1] == 5:
                a["fg" if p == 38 else "bg"] = ps[i + 2]
                i += 2
            elif 30 <= p <= 37 or 90 <= p <= 97:
                a["fg"] = p
            elif 40 <= p <= 47 or 100 <= p <= 107:
                a["bg"] = p
            elif p == 39:
                a.pop("fg", None)
            elif p == 49:
                a.pop("bg", None)
            elif p in (1, 2, 3, 4, 5, 7, 8):
                a["m%d" % p] = 1
            elif p == 22:
                a.pop("m1", None)
                a.pop("m2", None)
            elif p in (23, 24, 25, 27, 28):
                a.pop("m%d" % (p - 20), None)
            i += 1
        self.attr = tuple(sorted(a.items()))

    def csi(self, priv, params, final):
        ps = [int(p) if p.isdigit() else 0 for p in params.split(";")] \
            if params else []
        n = max(1, ps[0]) if ps else 1
        blank = self.blank()
        if final not in "m":
            self.wrap = False
        if priv:
            if final in "hl" and any(p in (47, 1047, 1049) for p in ps):
                self.reset()
            return
        if final == "m":
            self.sgr(params)
        elif final in "Hf":
            self.y = min(self.rows, max(1, ps[0] if ps else 1)) - 1
            self.x = min(self.cols, max(1, ps[1] if len(ps) > 1 else 1)) - 1
        elif final == "A":
            self.y = max(0, self.y - n)
        elif final == "B":
            self.y = min(self.rows - 1, self.y + n)
        elif final == "C":
            self.x = min(self.cols - 1, self.x + n)
        elif final == "D":
            self.x = max(0, self.x - n)
        elif final == "E":
            self.y, self.x = min(self.rows - 1, self.y + n), 0
        elif final == "F":
            self.y, self.x = max(0, self.y - n), 0
        elif final in "G`":
            self.x = min(self.cols, n) - 1
        elif final == "d":
            self.y = min(self.rows, n) - 1
        elif final == "J":
            m = ps[0] if ps else 0
            if m == 0:
                self.cells[self.y][self.x:] = [blank] * (self.cols - self.x)
                rng = range(self.y + 1, self.rows)
            elif m == 1:
                self.cells[self.y][:self.x + 1] = [blank] * (self.x + 1)
                rng = range(0, self.y)
            else:
                rng = range(self.rows)
            for y in rng:
                self.cells[y] = [blank] * self.cols
        elif final == "K":
            m = ps[0] if ps else 0
            r = self.cells[self.y]
            if m == 0:
                r[self.x:] = [blank] * (self.cols - self.x)
            elif m == 1:
                r[:self.x + 1] = [blank] * (self.x + 1)
            else:
                self.cells[self.y] = [blank] * self.cols
        elif final == "X":
            r = self.cells[self.y]
            k = min(n, self.cols - self.x)
            r[self.x:self.x + k] = [blank] * k
        elif final == "P":
            r = self.cells[self.y]
            k = min(n, self.cols - self.x)
            del r[self.x:self.x + k]
            r.extend([blank] * k)
        elif final == "@":
            r = self.cells[self.y]
            k = min(n, self.cols - self.x)
            r[self.x:self.x] = [blank] * k
            del r[self.cols:]
        elif final == "L":
            if self.top <= self.y <= self.bot:
                self.scroll_down(min(n, self.bot - self.y + 1), self.y)
        elif final == "M":
            if self.top <= self.y <= self.bot:
                self.scroll_up(min(n, self.bot - self.y + 1), self.y)
        elif final == "S":
            self.scroll_up(n)
        elif final == "T":
            self.scroll_down(n)
        elif final == "r":
            t = ps[0] if ps and ps[0] else 1
            b = ps[1] if len(ps) > 1 and ps[1] else self.rows
            self.top, self.bot = t - 1, min(self.rows, b) - 1
            self.y = self.x = 0
        elif final == "b":
            self.put(self.last * n)
        elif final == "s":
            self.saved = (self.y, self.x)
        elif final == "u":
            self.y, self.x = self.saved

    def esc(self, seq):
        c = seq[1]
        if c == "7":
            self.saved = (self.y, self.x)
        elif c == "8":
            self.y, self.x = self.saved
        elif c == "D":
            self.linefeed()
        elif c == "E":
            self.x = 0
            self.linefeed()
        elif c == "M":
            if self.y == self.top:
                self.scroll_down()
            elif self.y > 0:
                self.y -= 1
        elif c == "c":
            self.attr = ()
            self.reset()

    def feed(self, data):
        s = self.pending + self.dec.decode(data)
        self.pending = ""
        pos = 0
        while pos < len(s):
            m = TOKEN.match(s, pos)
            if m is None:
                # An escape sequence cut in two: the rest comes next time.
                self.pending = s[pos:]
                if len(self.pending) > 256:
                    self.pending = ""
                return
            tok = m.group(0)
            pos = m.end()
            c = tok[0]
            if c == "\x1b":
                if tok.startswith("\x1b["):
                    self.csi(m.group(1), m.group(2), m.group(3))
                elif tok[1] not in "]P()*+#%":
                    self.esc(tok)
            elif c == "\r":
                self.x = 0
                self.wrap = False
            elif c == "\n" or c == "\x0b" or c == "\x0c":
                self.linefeed()
                self.wrap = False
            elif c == "\b":
                self.x = max(0, self.x - 1)
                self.wrap = False
            elif c == "\t":
                self.x = min(self.cols - 1, (self.x // 8 + 1) * 8)
            elif c >= " " and c != "\x7f":
                self.put(tok)


class Term:
    """A program on a pseudo-terminal of ROWS x COLS; its screen."""

    def __init__(self, argv, env, cwd=None):
        # The terminal is made first and the program started with
        # posix_spawn/vfork (subprocess), not pty.fork(): forking this
        # Python process costs about 10 ms here, and fork to frame would
        # then measure Python rather than the program.  The program gets
        # the terminal on fds 0-2, in a session of its own, without it as
        # the controlling terminal (nothing measured here needs one).
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ,
                    struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.t0 = time.perf_counter()
        try:
            self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave,
                                         stderr=slave, env=env, cwd=cwd,
                                         start_new_session=True)
        finally:
            os.close(slave)
        self.pid, self.fd = self.proc.pid, master
        self.screen = Screen()
        self.closed = False
        self.last_byte = None

    def read_some(self, timeout):
        """Feeds what comes within timeout; the time it came, or None."""
        if self.closed:
            time.sleep(max(0, timeout))
            return None
        r, _, _ = select.select([self.fd], [], [], max(0, timeout))
        if not r:
            return None
        t = time.perf_counter()
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            self.closed = True
            return None
        self.last_byte = t
        self.screen.feed(chunk)
        return t

    def wait(self, pred, timeout=KEY_TIMEOUT):
        """The time the screen first satisfied pred; None on timeout."""
        if pred(self.screen):
            return time.perf_counter()
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0 or self.closed:
                return None
            t = self.read_some(left)
            if t is not None and pred(self.screen):
                return t

    def settle(self, quiet=0.05, most=2.0):
        """Reads until nothing came for quiet seconds."""
        end = time.perf_counter() + most
        while time.perf_counter() < end:
            if self.read_some(quiet) is None:
                return

    def key(self, data):
        os.write(self.fd, data)
        return time.perf_counter()

    def latency(self, data, pred, timeout=KEY_TIMEOUT):
        """Seconds from writing data until pred holds; None: no answer."""
        self.settle(0.02, 0.5)
        t0 = self.key(data)
        t = self.wait(pred, timeout)
        return None if t is None else t - t0

    def hwm_kb(self):
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return None

    def close(self):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.proc.poll() is not None:
                break
            self.proc.send_signal(sig)
            end = time.perf_counter() + 1.0
            while time.perf_counter() < end:
                if self.proc.poll() is not None:
                    break
                self.read_some(0.01)
        if self.proc.poll() is None:
            self.proc.wait()
        self.pid = None
        os.close(self.fd)


# --- servers: a slow sink and a stalling one, in a child process ------------

class Servers:
    """A child process with two SMTP servers on 127.0.0.1: the sink takes
    DATA at rate bytes/s (its socket is bound now, listening only after
    up(), so connections are refused until then); the staller answers
    each line after stall seconds.  Their events come back on a pipe."""

    def __init__(self, rate, stall):
        self.rate, self.stall = rate, stall
        self.sink = socket.socket()
        self.sink.bind(("127.0.0.1", 0))
        self.staller = socket.socket()
        self.staller.bind(("127.0.0.1", 0))
        self.staller.listen(8)
        self.sink_port = self.sink.getsockname()[1]
        self.stall_port = self.staller.getsockname()[1]
        self.pid = None
        self.ev = []
        self.buf = b""

    def up(self):
        self.sink.listen(8)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                os.setsid()
                self._serve(w)
            finally:
                os._exit(0)
        os.close(w)
        os.set_blocking(r, False)
        self.pid, self.rfd = pid, r
        self.sink.close()
        self.staller.close()

    def down(self):
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            os.close(self.rfd)
            self.pid = None

    def poll(self):
        """New events: (name, arg) pairs, also kept in self.ev."""
        new = []
        while True:
            try:
                b = os.read(self.rfd, 4096)
            except BlockingIOError:
                break
            if not b:
                break
            self.buf += b
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            name, _, arg = line.decode().partition(" ")
            new.append((name, arg))
        self.ev.extend(new)
        return new

    def count(self, name):
        self.poll()
        return sum(1 for n, _ in self.ev if n == name)

    # the child
    def _serve(self, w):
        lock = threading.Lock()

        def tell(s):
            with lock:
                os.write(w, (s + "\n").encode())

        def accept(sock, fn):
            while True:
                c, _ = sock.accept()
                threading.Thread(target=fn, args=(c, tell),
                                 daemon=True).start()

        threading.Thread(target=accept, args=(self.staller, self._stall),
                         daemon=True).start()
        accept(self.sink, self._sink)

    def _sink(self, c, tell):
        buf = b""
        c.sendall(b"220 sink ESMTP\r\n")
        try:
            while True:
                while b"\r\n" not in buf:
                    d = c.recv(65536)
                    if not d:
                        return
                    buf += d
                line, buf = buf.split(b"\r\n", 1)
                verb = line[:4].upper()
                if verb == b"EHLO":
                    c.sendall(b"250-sink\r\n250-PIPELINING\r\n"
                              b"250 8BITMIME\r\n")
                elif verb == b"DATA":
                    c.sendall(b"354 go on\r\n")
                    tell("data-start")
                    buf = self._data(c, buf)
                    if buf is None:
                        return
                    tell("data-end")
                    c.sendall(b"250 2.0.0 taken\r\n")
                elif verb == b"QUIT":
                    c.sendall(b"221 bye\r\n")
                    return
                else:
                    c.sendall(b"250 ok\r\n")
        except OSError:
            return
        finally:
            c.close()

    def _data(self, c, buf):
        t0 = time.monotonic()
        total = len(buf)
        tail = b""
        while True:
            at = (tail + buf).find(b"\r\n.\r\n")
            if at >= 0:
                return (tail + buf)[at + 5:]
            tail = (tail + buf)[-4:]
            ahead = total / self.rate - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
            buf = c.recv(65536)
            if not buf:
                return None
            total += len(buf)

    def _stall(self, c, tell):
        tell("probe-open")
        buf = b""
        try:
            time.sleep(self.stall)
            c.sendall(b"220 staller ESMTP\r\n")
            while True:
                while b"\r\n" not in buf:
                    d = c.recv(4096)
                    if not d:
                        return
                    buf += d
                line, buf = buf.split(b"\r\n", 1)
                if line[:4].upper() == b"QUIT":
                    c.sendall(b"221 bye\r\n")
                    return
                time.sleep(self.stall)
                if line[:4].upper() == b"EHLO":
                    c.sendall(b"250-staller\r\n250 PIPELINING\r\n")
                else:
                    c.sendall(b"250 ok\r\n")
        except OSError:
            return
        finally:
            c.close()
            tell("probe-close")


# --- set-up ----------------------------------------------------------------

def base_env(home, data):
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_DATA_HOME": data,
        "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
        "TERM": "xterm-256color",
        "LC_ALL": "C.UTF-8",
        "EDITOR": "/bin/true",
    }


def write_conf(path, accounts, default):
    with open(path, "w") as f:
        f.write("default = %s\n" % default)
        for name, port in accounts:
            f.write("[account %s]\nfrom = Bench <%s@example.org>\n"
                    "server = smtp+plain://127.0.0.1:%d\n" % (name, name, port))
    os.chmod(path, 0o600)


def host_part():
    h = socket.gethostname() or "localhost"
    return h.replace("/", "\\057").replace(":", "\\072")


def fill_sent(data, count):
    """count small messages in data/pigeon/sent/cur, numbered 0..count-1
    from the oldest; names as mdname_unique() makes them."""
    base = os.path.join(data, "pigeon", "sent")
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(base, d), exist_ok=True)
    cur = os.path.join(base, "cur")
    host = host_part()
    start = int(time.time()) - count
    pid = os.getpid()
    for i in range(count):
        secs = start + i
        name = "%d.M%06dP%dR%016x.%s:2,S" % (secs, i % 1000000, pid,
                                             i * 2654435761 % (1 << 64), host)
        date = time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                             time.gmtime(secs))
        body = ("Date: %s\r\nFrom: Bench <bench@example.org>\r\n"
                "To: r%07d@example.org\r\nSubject: m%07d ui bench\r\n"
                "Message-ID: <%d.%07d@bench.example.org>\r\n"
                "MIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
                "Message %d of the UI bench.\r\n"
                % (date, i, i, secs, i, i)).encode()
        fd = os.open(os.path.join(cur, name),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, body)
        os.close(fd)
        os.utime(os.path.join(cur, name), (secs, secs))


# --- reporting -----------------------------------------------------------------

def ms(x):
    return "-" if x is None else "%.1f ms" % (1000 * x)


def table(rows, header):
    widths = [max(len(str(r[i])) for r in [header] + rows)
              for i in range(len(header))]
    lines = []
    for n, r in enumerate([header] + rows):
        cells = [str(c).ljust(widths[i]) if i == 0
                 else str(c).rjust(widths[i]) for i, c in enumerate(r)]
        lines.append("  " + "  ".join(cells).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def stats(v):
    """min, median, max of the answered ones; how many got no answer."""
    ok = [x for x in v if x is not None]
    if not ok:
        return {"n": len(v), "lost": len(v), "min": None, "median": None,
                "max": None}
    return {"n": len(v), "lost": len(v) - len(ok), "min": min(ok),
            "median": statistics.median(ok), "max": max(ok)}


def ratio(a, b):
    return None if a is None or not b else a / b


def fmt_ratio(r):
    return "-" if r is None else "%.2fx" % r


def say(*a):
    print(*a, flush=True)


# --- (a) first frame against mutt ----------------------------------------------

def first_frame(term, pred, timeout=10.0):
    """Seconds from fork to the frame; else to the last byte before 30 ms
    of quiet (marked approximate)."""
    t = term.wait(pred, timeout)
    if t is not None:
        return t - term.t0, True
    if term.last_byte is not None:
        return term.last_byte - term.t0, False
    return None, False


def bench_a(pigeon, scratch, runs):
    """pigeon's usual start (its data directory there from an earlier
    run, as mutt's Maildir is) against mutt: the verdict.  Shown beside
    it: pigeon's first start ever (it creates and syncs its four folders:
    eight fsyncs it keeps on purpose) and the floor of this harness (a
    program that writes the frame's marker and exits)."""
    home = os.path.join(scratch, "a-home")
    os.makedirs(os.path.join(home, "Mail"))
    md = os.path.join(scratch, "a-maildir")
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, d))
    cfg = os.path.join(scratch, "a.conf")
    write_conf(cfg, [("sendacct", 1)], "sendacct")
    have_mutt = os.access(MUTT, os.X_OK)
    who_all = ["pigeon", "first", "mutt", "floor"]
    res = {w: [] for w in who_all}
    approx = {w: 0 for w in who_all}
    usual = os.path.join(scratch, "a-data-usual")
    # The usual data directory is made by one run before the timed ones.
    t = Term([pigeon, "--config", cfg], base_env(home, usual))
    try:
        first_frame(t, UI["frame"])
    finally:
        t.close()
    for i in range(runs):
        order = who_all if i % 2 == 0 else list(reversed(who_all))
        for who in order:
            if who == "mutt" and not have_mutt:
                continue
            data = usual if who != "first" else os.path.join(
                scratch, "a-data%d" % i)
            env = base_env(home, data)
            if who in ("pigeon", "first"):
                argv, pred = [pigeon, "--config", cfg], UI["frame"]
            elif who == "mutt":
                argv = [MUTT, "-n", "-F", "/dev/null", "-f", md]
                pred = UI["mutt_frame"]
            else:
                argv = ["/bin/echo", "floor-marker"]
                pred = (lambda s: "floor-marker" in s.text())
            t = Term(argv, env)
            try:
                secs, exact = first_frame(t, pred)
            finally:
                t.close()
            res[who].append(secs)
            approx[who] += 0 if exact else 1
    out = {"runs": runs, "raw": res, "approximate": approx}
    for who in who_all:
        out[who] = stats(res[who])
    p, f, m = out["pigeon"], out["first"], out["mutt"]
    out["ratio_median"] = ratio(p["median"], m["median"])
    out["ratio_min"] = ratio(p["min"], m["min"])
    out["first_ratio_median"] = ratio(f["median"], m["median"])
    out["target"] = TARGET_A
    out["met"] = (out["ratio_median"] is not None and
                  out["ratio_median"] <= TARGET_A)
    say("(a) First frame at %dx%d: fork to the first complete frame, %d "
        "interleaved runs each" % (COLS, ROWS, runs))
    say("    pigeon: folders screen, its data directory from an earlier "
        "run; first: the same on a fresh data directory (first start "
        "ever); mutt: -n -F /dev/null -f EMPTY_MAILDIR; floor: /bin/echo "
        "(what this harness itself costs)")
    rows = []
    for who in who_all:
        s = out[who]
        if s["n"] == 0:
            continue
        rows.append([who, ms(s["min"]), ms(s["median"]), ms(s["max"]),
                     "%d" % (s["n"] - s["lost"])])
    say(table(rows, ["", "min", "median", "max", "runs"]))
    if not have_mutt:
        say("  mutt is not installed (%s): no ratio" % MUTT)
    for who in who_all:
        if approx[who]:
            say("  note: %s's frame end was not recognised in %d runs: "
                "its last byte counted" % (who, approx[who]))
    say("  first start ever / mutt: median %s" %
        fmt_ratio(out["first_ratio_median"]))
    say("  pigeon / mutt: median %s, min %s; target <= %.2fx: %s" % (
        fmt_ratio(out["ratio_median"]), fmt_ratio(out["ratio_min"]),
        TARGET_A, "met" if out["met"] else "NOT met"))
    say("")
    return out


# --- (b) keys while a big message goes and an account test runs --------------

def make_big(path, mib):
    with open(path, "wb") as f:
        for _ in range(mib):
            f.write(os.urandom(1 << 20))


def row_changed(term, name):
    """A predicate: the row showing name is no longer what it is now."""
    ys = term.screen.rows_with(name)
    before = {y: term.screen.row_state(y) for y in ys}

    def pred(s):
        now = s.rows_with(name)
        if now != ys:
            return True
        return any(s.row_state(y) != before[y] for y in ys)
    return pred


def accounts_screen(term):
    """A, then the cursor on the first account (the one tested)."""
    term.settle()
    term.key(UI["accounts_key"])
    if term.wait(UI["accounts"], 10) is None:
        raise RuntimeError("the accounts screen did not come (key %r); "
                           "the screen:\n%s" % (UI["accounts_key"],
                                                term.screen.text()))
    for _ in range(3):
        term.key(UI["up"])
        term.settle(0.05, 0.5)


def key_pair(term, samples, note, tag):
    """One j and one k on the accounts screen: their latencies into
    samples, what ran when each was typed (tag()) into note."""
    for k in (UI["down"], UI["up"]):
        term.settle(0.02, 0.5)
        pred = row_changed(term, "sendacct")
        note.append(tag())
        t0 = term.key(k)
        t = term.wait(pred, KEY_TIMEOUT)
        samples.append(None if t is None else t - t0)
        if t is None:
            # Dropped (or very late): back to the first row and on.
            term.settle(0.05, 1.0)
            for _ in range(2):
                term.key(UI["up"])
                term.settle(0.05, 0.5)
            return


def bench_b(pigeon, scratch, rate_mb, stall, big_mib, idle_keys, max_keys):
    srv = Servers(rate_mb * 1e6, stall)
    home = os.path.join(scratch, "b-home")
    os.makedirs(home)
    cfg = os.path.join(scratch, "b.conf")
    # The tested account first: the cursor starts on it.
    write_conf(cfg, [("probeacct", srv.stall_port),
                     ("sendacct", srv.sink_port)], "sendacct")
    out = {"rate_mb_s": rate_mb, "stall_s": stall, "big_mib": big_mib,
           "frame_limit": FRAME}
    try:
        # The message, queued: its server refuses connections yet.
        big = os.path.join(scratch, "b-big.bin")
        make_big(big, big_mib)
        data_busy = os.path.join(scratch, "b-data-busy")
        env = base_env(home, data_busy)
        r = subprocess.run([pigeon, "send", "--config", cfg, "-s", "big",
                            "-a", big, "rcpt@example.org"],
                           input=b"The big one.\n", env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        qdir = os.path.join(data_busy, "pigeon", "queue")
        envs = [f for f in os.listdir(qdir)] if os.path.isdir(qdir) else []
        if r.returncode != 0 or not envs:
            raise RuntimeError("pigeon send did not queue the big message "
                               "(exit %d): %s" % (r.returncode,
                                                  r.stdout.decode()[-500:]))
        os.unlink(big)
        now = time.time() - 1
        for e in envs:
            os.utime(os.path.join(qdir, e), (now, now))
        os.sync()
        srv.up()

        # The reference: the same keys, nothing running.
        data_idle = os.path.join(scratch, "b-data-idle")
        t = Term([pigeon, "--config", cfg], base_env(home, data_idle))
        idle = []
        try:
            if t.wait(UI["frame"], 10) is None:
                raise RuntimeError("no first frame:\n" + t.screen.text())
            accounts_screen(t)
            while len(idle) < idle_keys:
                key_pair(t, idle, [], lambda: "idle")
        finally:
            t.close()

        # Busy: the flush sends the big message; tests run meanwhile.
        t = Term([pigeon, "--config", cfg], base_env(home, data_busy))
        busy, note = [], []
        try:
            if t.wait(UI["frame"], 10) is None:
                raise RuntimeError("no first frame:\n" + t.screen.text())
            t0 = time.perf_counter()
            while srv.count("data-start") == 0:
                t.read_some(0.05)
                if time.perf_counter() - t0 > 30:
                    raise RuntimeError("the queued message was not sent "
                                       "within 30 s; the screen:\n%s"
                                       % t.screen.text())
            t_send = time.perf_counter()
            accounts_screen(t)
            tests = quiet_pairs = 0

            def running():
                return srv.count("probe-open") > srv.count("probe-close")

            def tag():
                return "test" if running() else "send"
            while srv.count("data-end") == 0 and len(busy) < max_keys:
                if not running() and (tests == 0 or
                                      quiet_pairs >= SEND_ONLY_PAIRS):
                    # Another test (the cursor is on its account).
                    t.settle(0.02, 0.5)
                    t.key(UI["test_key"])
                    tests += 1
                    quiet_pairs = 0
                    end = time.perf_counter() + 2
                    while srv.count("probe-open") < tests and \
                            time.perf_counter() < end:
                        t.read_some(0.01)
                was = running()
                key_pair(t, busy, note, tag)
                quiet_pairs += 0 if was else 1
            sent_at = None
            while sent_at is None and time.perf_counter() - t_send < 300:
                if srv.count("data-end"):
                    sent_at = time.perf_counter()
                else:
                    t.read_some(0.05)
            out["send_seconds"] = None if sent_at is None else \
                sent_at - t_send
            out["tests_started"] = srv.count("probe-open")
        finally:
            t.close()
    finally:
        srv.down()

    out["idle"] = stats(idle)
    out["busy"] = stats(busy)
    out["busy_during_test"] = stats([x for x, w in zip(busy, note)
                                     if w == "test"])
    out["busy_send_only"] = stats([x for x, w in zip(busy, note)
                                   if w == "send"])
    out["raw"] = {"idle": idle, "busy": busy, "busy_tags": note}
    b = out["busy"]
    out["ratio_median"] = ratio(b["median"], out["idle"]["median"])
    out["ratio_max"] = ratio(b["max"], out["idle"]["max"])
    out["within_frame"] = sum(1 for x in busy if x is not None and
                              x <= FRAME)
    out["met"] = b["lost"] == 0 and b["max"] is not None and \
        b["max"] <= FRAME

    say("(b) A key while a %d MiB message is sent (sink at %g MB/s) and "
        "an account test runs" % (big_mib, rate_mb))
    say("    (its server answers each line after %.1f s); keys j/k on the "
        "accounts screen, until" % stall)
    say("    the row under the cursor is drawn again; reference: the same "
        "with nothing running")
    rows = []
    for label, key in (("nothing running", "idle"),
                       ("send + test", "busy"),
                       ("  of them during a test", "busy_during_test"),
                       ("  of them, send only", "busy_send_only")):
        s = out[key]
        rows.append([label, ms(s["min"]), ms(s["median"]), ms(s["max"]),
                     "%d" % s["n"], "%d" % s["lost"]])
    say(table(rows, ["", "min", "median", "max", "keys",
                     "no answer (%gs)" % KEY_TIMEOUT]))
    say("  busy / idle: median %s, max %s" % (
        fmt_ratio(out["ratio_median"]), fmt_ratio(out["ratio_max"])))
    say("  within %d ms: %d of %d keys; target (all within one frame): %s"
        % (FRAME * 1000, out["within_frame"], b["n"],
           "met" if out["met"] else "NOT met"))
    if out.get("send_seconds") is not None:
        say("  the send took %.1f s from its DATA to the sink's end; %d "
            "account tests started" % (out["send_seconds"],
                                       out["tests_started"]))
    else:
        say("  the send did not end within 300 s")
    say("")
    return out


# --- (c) a big sent folder ---------------------------------------------------------

def list_shows(s):
    return UI["frame"](s) and len(s.numbers()) > 0


def new_numbers(term):
    """A predicate: the list shows a message it did not show before."""
    before = term.screen.numbers()
    return lambda s: bool(s.numbers() - before)


def folder_run(pigeon, cfg, home, data, count):
    t = Term([pigeon, "--config", cfg], base_env(home, data))
    r = {}
    try:
        secs, exact = first_frame(t, list_shows, 60.0)
        r["frame"] = secs if exact else None
        t.settle(0.05, 5.0)
        # j: the cursor moves (the two rows change)
        ys = [y for y in range(ROWS) if NUM_RE.search(t.screen.row(y))]
        before = [t.screen.row_state(y) for y in ys]
        r["j"] = t.latency(UI["down"], lambda s: [
            s.row_state(y) for y in ys] != before)
        t.settle(0.05, 1.0)
        r["pgdn"] = t.latency(UI["pgdn"], new_numbers(t))
        t.settle(0.05, 1.0)
        ends = {0, count - 1} - t.screen.numbers()
        r["end"] = t.latency(UI["end"], lambda s: bool(s.numbers() & ends))
        t.settle(0.05, 1.0)
        r["hwm_kb"] = t.hwm_kb()
    finally:
        t.close()
    return r


def bench_c(pigeon, scratch, cache, count, small, runs):
    home = os.path.join(scratch, "c-home")
    os.makedirs(home, exist_ok=True)
    cfg = os.path.join(scratch, "c.conf")
    write_conf(cfg, [("sendacct", 1)], "sendacct")
    sets = {}
    gen = {}
    for n in (small, count):
        data = os.path.join(cache, "sent%d" % n)
        done = os.path.join(cache, "sent%d.done" % n)
        if not os.path.exists(done):
            shutil.rmtree(data, ignore_errors=True)
            t0 = time.perf_counter()
            fill_sent(data, n)
            os.sync()
            gen[n] = time.perf_counter() - t0
            open(done, "w").close()
        sets[n] = data
    res = {small: [], count: []}
    for i in range(runs):
        for n in ((small, count) if i % 2 == 0 else (count, small)):
            res[n].append(folder_run(pigeon, cfg, home, sets[n], n))
    out = {"count": count, "small": small, "runs": runs, "limit": LIMIT_C,
           "generated_s": gen, "raw": {str(k): v for k, v in res.items()}}
    for n in (small, count):
        out[str(n)] = {k: stats([r.get(k) for r in res[n]])
                       for k in ("frame", "j", "pgdn", "end")}
        h = [r.get("hwm_kb") for r in res[n] if r.get("hwm_kb")]
        out[str(n)]["hwm_kb"] = {"min": min(h) if h else None,
                                 "max": max(h) if h else None}
    big, sm = out[str(count)], out[str(small)]
    verdicts = {}
    for k in ("frame", "j", "pgdn", "end"):
        s = big[k]
        # The first frame on the median: the slowest run is the first
        # start ever, which lists the folder and keeps its list (shown
        # as "max"); every later start reads the kept list.
        top = s["median"] if k == "frame" else s["max"]
        verdicts[k] = s["lost"] == 0 and top is not None and \
            top <= LIMIT_C
    hb, hs = big["hwm_kb"]["max"], sm["hwm_kb"]["max"]
    out["rss_ratio"] = ratio(hb, hs)
    verdicts["rss"] = out["rss_ratio"] is not None and \
        out["rss_ratio"] <= RSS_RATIO
    out["met"] = verdicts

    say("(c) A sent folder of %d messages against one of %d: %d "
        "interleaved runs each" % (count, small, runs))
    if gen:
        say("    generated now: %s" % ", ".join(
            "%d messages in %.1f s" % (n, s) for n, s in sorted(gen.items())))
    say("    first frame: fork until the list shows messages; then j, "
        "PgDn, End: until the")
    say("    list changes (End: shows the oldest or newest); peak RSS: "
        "VmHWM after them")
    rows = []
    for k, label in (("frame", "first frame"), ("j", "j (one down)"),
                     ("pgdn", "PgDn"), ("end", "End")):
        b, s = big[k], sm[k]
        rows.append([label, ms(s["median"]), ms(b["min"]), ms(b["median"]),
                     ms(b["max"]), fmt_ratio(ratio(b["median"],
                                                   s["median"])),
                     "%d" % b["lost"],
                     "met" if verdicts[k] else "NOT met"])
    say(table(rows, ["", "%d: median" % small, "%d: min" % count,
                     "median", "max", "ratio med", "no answer",
                     "target %d ms" % (LIMIT_C * 1000)]))
    say("  peak RSS: %d messages %s, %d messages %s: %s (target <= "
        "%.1fx: %s)" % (
            small, "-" if hs is None else "%.1f MiB" % (hs / 1024), count,
            "-" if hb is None else "%.1f MiB" % (hb / 1024),
            fmt_ratio(out["rss_ratio"]), RSS_RATIO,
            "met" if verdicts["rss"] else "NOT met"))
    say("")
    return out


# --- main ----------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pigeon", nargs="?",
                    default=os.environ.get("PIGEON") or "./pigeon")
    ap.add_argument("--runs", type=int, default=7,
                    help="interleaved runs in (a) and (c); at least 7")
    ap.add_argument("--only", default="a,b,c",
                    help="which parts: a, b, c (comma-separated)")
    ap.add_argument("--count", type=int, default=100000,
                    help="(c): messages in the big sent folder")
    ap.add_argument("--rate-mb", type=float, default=15.0,
                    help="(b): MB/s the sink takes; default 15")
    ap.add_argument("--stall", type=float, default=1.0,
                    help="(b): seconds before each answer of the tested "
                    "server; default 1")
    ap.add_argument("--big-mib", type=int, default=100,
                    help="(b): the attachment in MiB; default 100")
    ap.add_argument("--cache", help="(c): keep the generated folders "
                    "here (reused when present)")
    ap.add_argument("--json", help="also write the figures to this file")
    # bench.py's own options, when tests/bench/run passes them on.
    ap.add_argument("--small", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--queue", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--gib", action="store_true", help=argparse.SUPPRESS)
    for opt in ("--rounds", "--batch", "--big-queue"):
        ap.add_argument(opt, type=int, help=argparse.SUPPRESS)
    for opt in ("--figures-only", "--no-figures"):
        ap.add_argument(opt, action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.runs = max(7, args.runs)
    parts = set(args.only.replace(" ", "").split(","))

    pigeon = os.path.abspath(args.pigeon)
    if not os.access(pigeon, os.X_OK):
        say("ui_bench: %s does not exist: build it first" % args.pigeon)
        return 2
    scratch = tempfile.mkdtemp(prefix="pigeon-uibench.")
    cache = args.cache or os.path.join(scratch, "cache")
    os.makedirs(cache, exist_ok=True)
    res = {"pigeon": pigeon, "version": "?", "rows": ROWS, "cols": COLS}
    try:
        r = subprocess.run([pigeon, "--version"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        res["version"] = (r.stdout.decode(errors="replace").splitlines()
                          or ["?"])[0]
    except OSError:
        pass
    say("UI benchmarks (issue 14)")
    say("========================")
    say("  pigeon: %s (%s); %dx%d, TERM=xterm-256color; %d CPUs; load %s"
        % (res["version"], pigeon, COLS, ROWS, os.cpu_count() or 0,
           " ".join("%.2f" % x for x in os.getloadavg())))
    say("")
    rc = 0
    try:
        for part, fn in (
                ("a", lambda: bench_a(pigeon, scratch, args.runs)),
                ("b", lambda: bench_b(pigeon, scratch, args.rate_mb,
                                      args.stall, args.big_mib, 40, 300)),
                ("c", lambda: bench_c(pigeon, scratch, cache, args.count,
                                      100, args.runs))):
            if part not in parts:
                continue
            try:
                res[part] = fn()
            except (RuntimeError, OSError) as e:
                say("(%s) could not be measured: %s" % (part, e))
                say("")
                res[part] = {"error": str(e)}
                rc = 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
        say("figures written to %s" % args.json)
    return rc


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(128 + s))
    sys.exit(main())
