# SPDX-License-Identifier: ISC
"""scriptsrv.py - a scripted SMTP server for misbehaviour no real server shows.

A ScriptServer listens on 127.0.0.1 (a free port), accepts ONE connection
and plays a script against it in a thread of the test process.  It records
every byte it receives (and whether TLS was active then), so a test can
check exactly what the client sent.  Further connections are counted and
closed at once.

A script is a Python list of steps, each a tuple:

    ("send", b"220 hi\\r\\n")      write these bytes as they are, in one
                                  sendall() (so several replies given
                                  together arrive together)
    ("expect", rb"^EHLO ")        read one line (up to LF) and re.search()
                                  the regex (bytes, case-insensitive, as
                                  SMTP verbs are) in it, CRLF removed.
                                  A mismatch, EOF or time-out records a
                                  failure and closes the connection.
    ("expect", rb"^MAIL", ALONE)  the same, and also record a failure if
                                  the client had already sent more bytes
                                  after that line: it did not wait for our
                                  reply (pipelining without PIPELINING)
    ("read_data",)                read the DATA bytes up to and including
                                  "\\r\\n.\\r\\n" (raw: dot-stuffed, as on
                                  the wire); kept in .data
    ("read_bytes", n)             read exactly n bytes into .data
    ("bdat", b"250 ok\\r\\n")      read "BDAT <n> [LAST]" commands and their
                                  n-byte chunks until LAST, sending the
                                  reply after every chunk; the chunks,
                                  joined, become one entry of .data
    ("starttls",)                 switch to TLS, server side, with the test
                                  certificate (send the 220 first with
                                  "send").  If the client sends clear text
                                  instead of a TLS ClientHello, that is
                                  recorded as a failure and the connection
                                  stays in clear text.
    ("starttls_inject", b"250 x\\r\\n")
                                  send b"220 Ready\\r\\n" and these bytes in
                                  one packet, then as "starttls" (the client
                                  must not act on the injected bytes)
    ("send_after_tls_hello", b"250 x\r\n")
                                  another name for starttls_inject
    ("close",)                    close the connection; the script ends
    ("hang",)                     never answer: record what comes until the
                                  client closes or stop() is called
    ("stall",)                    neither read nor answer until stop() is
                                  called: a client writing a large message
                                  is left blocked part way through
    ("drip", b"220 hi\\r\\n", 0.5)
                                  send the bytes one at a time, a pause of
                                  that many seconds before each: a server
                                  that keeps a client waiting byte by byte
    ("sleep", seconds)            pause (only for pacing, never for timing
                                  assertions)
    ("finish",)                   read until the client closes: QUIT gets
                                  "221 2.0.0 Bye" and the connection is
                                  closed; any other line gets "503 5.5.1
                                  unexpected" and is listed in .unexpected.
                                  A script that does not end with close or
                                  hang ends with an implicit finish.

After the run (wait() returns True) the test can look at:

    .chunks      [(tls, bytes)] every recv() in order
    .lines       [(tls, bytes)] command lines read by expect/bdat/finish
    .data        [bytes] what read_data / read_bytes / bdat collected
    .failures    [str] script failures (empty: the client did what the
                 script expected)
    .unexpected  [bytes] lines finish had to refuse
    .events      [str] a log of the conversation, for failure messages
    .connections number of connections accepted
    received(tls=None)  all bytes (only clear or only TLS ones if given)
    commands()          the .lines as text without CRLF
    sent(verb)          True if some command line starts with verb

Every blocking operation polls a stop flag every 50 ms, so stop() always
ends the thread; each step gives up after step_timeout seconds.
"""

import re
import select
import socket
import ssl
import threading
import time

ALONE = "alone"


class _Stopped(Exception):
    pass


class _Eof(Exception):
    pass


class _StepTimeout(Exception):
    pass


class ScriptServer:
    def __init__(self, steps, cert=None, key=None, step_timeout=10.0):
        self.steps = list(steps)
        self.cert, self.key = cert, key
        self.step_timeout = step_timeout
        self.chunks, self.lines, self.data = [], [], []
        self.failures, self.unexpected, self.events = [], [], []
        self.connections = 0
        self.tls = False
        self.port = None
        self._buf = b""
        self._conn = None
        self._stop = threading.Event()
        self._done = threading.Event()
        self._handled = threading.Event()
        self._lock = threading.Lock()
        self._state = "new"            # new, accepting, handling, done
        self._listen = None
        self._thread = None

    # -- life cycle -----------------------------------------------------

    def start(self):
        for step in self.steps:
            if step[0] in ("starttls", "starttls_inject") and \
                    not (self.cert and self.key):
                raise ValueError("a starttls step needs cert and key")
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        s.setblocking(False)
        self._listen = s
        self.port = s.getsockname()[1]
        self._state = "accepting"
        self._thread = threading.Thread(target=self._main, daemon=True,
                                        name="scriptsrv:%d" % self.port)
        self._thread.start()
        return self.port

    def wait(self, timeout=15.0):
        """Wait until the script has run to its end (call it after the
        client has exited).  True when it ended or no client ever
        connected; False on time-out."""
        deadline = time.monotonic() + timeout
        while not self._done.wait(0.05):
            with self._lock:
                if self._state == "accepting" and not self._pending():
                    return True
            if time.monotonic() > deadline:
                return False
        return True

    def stop(self):
        """Stop the thread and close every socket; safe to call twice."""
        self._stop.set()
        conn = self._conn
        if conn is not None:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(10)
            if self._thread.is_alive():
                raise RuntimeError("scriptsrv thread did not stop")
            self._thread = None
        if self._listen is not None:
            self._listen.close()
            self._listen = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- results --------------------------------------------------------

    def received(self, tls=None):
        return b"".join(b for t, b in self.chunks if tls is None or t == tls)

    def commands(self):
        return [ln.rstrip(b"\r\n").decode("utf-8", "replace")
                for _, ln in self.lines]

    def sent(self, verb):
        v = verb.upper()
        return any(c.upper().startswith(v) for c in self.commands())

    def describe(self):
        return "scriptsrv log:\n  " + "\n  ".join(self.events[-60:]) + \
            ("\n  failures: %r" % self.failures if self.failures else "")

    # -- the thread -----------------------------------------------------

    def _pending(self):
        listen = self._listen
        if listen is None:
            return False
        try:
            r, _, _ = select.select([listen], [], [], 0)
        except (OSError, ValueError):
            return False
        return bool(r)

    def _log(self, what):
        self.events.append("%s%s" % ("[tls] " if self.tls else "", what))

    def _fail(self, what):
        self.failures.append(what)
        self._log("FAIL " + what)

    def _main(self):
        listen = self._listen
        extra = None
        try:
            conn = None
            while conn is None:
                if self._stop.is_set():
                    return
                r, _, _ = select.select([listen], [], [], 0.05)
                if not r:
                    continue
                with self._lock:
                    try:
                        conn, _ = listen.accept()
                    except BlockingIOError:
                        continue
                    self._state = "handling"
            self.connections = 1
            self._conn = conn
            conn.setblocking(True)
            conn.settimeout(0.05)
            self._log("connection accepted")
            extra = threading.Thread(target=self._refuse_others,
                                     args=(listen,), daemon=True)
            extra.start()
            try:
                self._run(conn)
            finally:
                self._close()
        except Exception as e:   # a bug in the script server itself
            self._fail("scriptsrv internal error: %r" % e)
        finally:
            self._handled.set()
            if extra is not None:
                extra.join()
            with self._lock:
                self._state = "done"
            self._done.set()

    def _refuse_others(self, listen):
        while not self._stop.is_set() and not self._handled.is_set():
            try:
                r, _, _ = select.select([listen], [], [], 0.05)
                if not r:
                    continue
                c, _ = listen.accept()
            except (BlockingIOError, InterruptedError):
                continue
            except (OSError, ValueError):
                return
            self.connections += 1
            self._log("extra connection refused")
            c.close()

    def _close(self):
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.close()
        except OSError:
            pass
        self._log("connection closed")

    def _run(self, conn):
        steps = list(self.steps)
        if not steps or steps[-1][0] not in ("close", "hang", "stall",
                                             "finish"):
            steps.append(("finish",))
        for step in steps:
            op, args = step[0], step[1:]
            deadline = time.monotonic() + self.step_timeout
            try:
                if not getattr(self, "_op_" + op)(deadline, *args):
                    return
            except _Stopped:
                self._log("stopped during %s" % op)
                return
            except _Eof:
                if op in ("finish", "hang"):
                    self._log("client closed")
                else:
                    self._fail("client closed the connection during %r"
                               % (step,))
                return
            except _StepTimeout:
                self._fail("timed out in step %r" % (step,))
                return
            except (ssl.SSLError, OSError) as e:
                if op in ("finish", "hang"):
                    self._log("connection error: %r" % e)
                else:
                    self._fail("connection error in step %r: %r" % (step, e))
                return

    # -- low-level I/O --------------------------------------------------

    def _recv(self, deadline):
        """Receive some bytes into the buffer; _Eof at end of stream."""
        while True:
            if self._stop.is_set():
                raise _Stopped()
            if self._conn is None:
                raise _Eof()
            try:
                b = self._conn.recv(65536)
            except (socket.timeout, ssl.SSLWantReadError):
                if deadline is not None and time.monotonic() > deadline:
                    raise _StepTimeout()
                continue
            except (ConnectionResetError, ssl.SSLEOFError,
                    ssl.SSLZeroReturnError) as e:
                self._log("connection ended: %r" % e)
                raise _Eof()
            if not b:
                raise _Eof()
            self.chunks.append((self.tls, b))
            self._buf += b
            return

    def _send(self, data):
        self._conn.settimeout(10)
        try:
            self._conn.sendall(data)
        finally:
            if self._conn is not None:
                self._conn.settimeout(0.05)
        shown = data if len(data) <= 300 else data[:300] + b"..."
        self._log("S: %r" % shown)

    def _readline(self, deadline):
        while b"\n" not in self._buf:
            if len(self._buf) > 1 << 20:
                raise _StepTimeout()
            self._recv(deadline)
        line, _, self._buf = self._buf.partition(b"\n")
        line += b"\n"
        self.lines.append((self.tls, line))
        self._log("C: %r" % line)
        return line

    def _readexact(self, n, deadline):
        while len(self._buf) < n:
            self._recv(deadline)
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def _more_waiting(self):
        """True if bytes beyond the current line have already arrived."""
        if self._buf:
            return True
        conn = self._conn
        if isinstance(conn, ssl.SSLSocket):
            if conn.pending():
                return True
            r, _, _ = select.select([conn], [], [], 0)
            return bool(r)
        try:
            return bool(conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
        except (BlockingIOError, socket.timeout):
            return False
        except OSError:
            return False

    # -- steps (True: go on, False: the script ends here) ---------------

    def _op_send(self, deadline, data):
        self._send(data)
        return True

    def _op_expect(self, deadline, regex, *flags):
        line = self._readline(deadline)
        text = line.rstrip(b"\r\n")
        if not re.search(regex, text, re.I):
            self._fail("expected %r, got %r" % (regex, text))
            return False
        if ALONE in flags and self._more_waiting():
            self._fail("client sent more after %r without waiting for the "
                       "reply: %r" % (text, self._buf[:200]))
        return True

    def _op_read_data(self, deadline):
        while b"\r\n.\r\n" not in self._buf:
            self._recv(deadline)
        data, _, self._buf = self._buf.partition(b"\r\n.\r\n")
        data += b"\r\n.\r\n"
        self.data.append(data)
        self._log("C: [%d bytes of DATA]" % len(data))
        return True

    def _op_read_bytes(self, deadline, n):
        data = self._readexact(n, deadline)
        self.data.append(data)
        self._log("C: [%d bytes]" % len(data))
        return True

    def _op_bdat(self, deadline, reply):
        got = []
        while True:
            line = self._readline(deadline)
            m = re.match(rb"^BDAT ([0-9]+)( LAST)?\r?\n$", line, re.I)
            if not m:
                self._fail("expected BDAT, got %r" % line)
                self.data.append(b"".join(got))
                return False
            n = int(m.group(1))
            chunk = self._readexact(n, deadline)
            self._log("C: [%d bytes of BDAT]" % n)
            got.append(chunk)
            self._send(reply)
            if m.group(2):
                self.data.append(b"".join(got))
                return True

    def _op_starttls(self, deadline):
        if self._buf:
            self._fail("client sent %r after STARTTLS before the handshake"
                       % self._buf[:200])
            return True
        # Look at the first byte without taking it: a TLS handshake record
        # starts with 0x16; anything else is clear text the client should
        # not have sent.
        conn = self._conn
        while True:
            if self._stop.is_set():
                raise _Stopped()
            try:
                first = conn.recv(1, socket.MSG_PEEK)
            except socket.timeout:
                if time.monotonic() > deadline:
                    raise _StepTimeout()
                continue
            if not first:
                raise _Eof()
            break
        if first != b"\x16":
            self._fail("client did not start TLS after 220 (got clear text)")
            return True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        conn.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            tconn = ctx.wrap_socket(conn, server_side=True,
                                    do_handshake_on_connect=False)
            self._conn = tconn
            tconn.do_handshake()
        except (ssl.SSLError, OSError) as e:
            self._fail("TLS handshake failed: %r" % e)
            return False
        tconn.settimeout(0.05)
        self.tls = True
        self._log("TLS established: %s %s" % (tconn.version(),
                                              tconn.cipher()[0]))
        return True

    def _op_starttls_inject(self, deadline, extra):
        self._send(b"220 Ready\r\n" + extra)
        return self._op_starttls(deadline)

    _op_send_after_tls_hello = _op_starttls_inject

    def _op_close(self, deadline):
        self._close()
        return False

    def _op_hang(self, deadline):
        while True:
            self._recv(None)
            self._buf = b""

    def _op_stall(self, deadline):
        self._stop.wait()
        raise _Stopped()

    def _op_drip(self, deadline, data, every):
        """One byte every `every` seconds; a client gone ends it quietly."""
        for i in range(len(data)):
            if self._stop.wait(every):
                raise _Stopped()
            try:
                self._conn.sendall(data[i:i + 1])
            except OSError:
                self._log("S: client gone after %d dripped bytes" % i)
                raise _Eof()
        self._log("S: dripped %r" % data[:300])
        return True

    def _op_sleep(self, deadline, seconds):
        if self._stop.wait(seconds):
            raise _Stopped()
        return True

    def _op_finish(self, deadline):
        while True:
            try:
                line = self._readline(None)
            except _Eof:
                if self._buf:
                    self._log("C: unfinished %r" % self._buf[:200])
                raise
            verb = line.strip().upper()
            if verb == b"QUIT":
                self._send(b"221 2.0.0 Bye\r\n")
                self._close()
                return False
            self.unexpected.append(line)
            self._send(b"503 5.5.1 unexpected\r\n")


# -- tests/smtp/NAME.script: the format the C engine tests share ----------

def unescape(text):
    """The escapes of tests/smtp/README: \\r \\n \\t \\\\ \\xHH."""
    out, i = bytearray(), 0
    raw = text.encode("utf-8")
    while i < len(raw):
        c = raw[i:i + 1]
        if c != b"\\" or i + 1 == len(raw):
            out += c
            i += 1
            continue
        n = raw[i + 1:i + 2]
        if n == b"x" and re.match(rb"[0-9a-fA-F]{2}", raw[i + 2:i + 4]):
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
            continue
        out += {b"r": b"\r", b"n": b"\n", b"t": b"\t"}.get(n, n)
        i += 2
    return bytes(out)


def load_script(path):
    """A tests/smtp script as (steps for a ScriptServer, options): the
    server's side of it.  Options repeat as lists ("rcpt")."""
    steps, opts = [], {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            if line.startswith("= "):
                key, _, value = line[2:].partition(" ")
                opts.setdefault(key, []).append(value)
            elif line[:3] in ("S: ", "S< "):
                data = unescape(line[3:]) + (b"\r\n" if line[1] == ":"
                                               else b"")
                if steps and steps[-1][0] == "send":
                    steps[-1] = ("send", steps[-1][1] + data)
                else:
                    steps.append(("send", data))
            elif line.startswith("C: "):
                steps.append(("expect", b"^" + re.escape(
                    unescape(line[3:])) + b"$"))
            elif line == "D:":
                steps.append(("read_data",))
            elif line == "TLS":
                steps.append(("starttls",))
            elif line == "CLOSE":
                steps.append(("close",))
            elif line == "WAIT":
                steps.append(("hang",))
            elif line == "STOP":
                # smtp_stop(): the user stops.  The binary has no such
                # step: a script with one must be "= only engine".
                opts.setdefault("engine_steps", []).append(line)
            else:
                raise ValueError("%s: cannot read %r" % (path, line))
    return steps, opts
