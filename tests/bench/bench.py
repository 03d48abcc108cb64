# SPDX-License-Identifier: ISC
"""bench.py - the benchmarks behind "make bench" (run by tests/bench/run).

What it measures, every figure in one run on this machine:

1. Big send: a multipart/mixed message with a 100 MiB attachment (base64
   in 76-character lines, about 143 MB on the wire) sent by
   "pigeon sendmail" and by msmtp into Postfix's smtp-sink, and pushed by a
   minimal client (EHLO, MAIL, RCPT, DATA, then sendfile(2) of the
   prebuilt wire bytes) to show what the sink itself can take.
   Wall time, user+sys CPU and peak RSS; best and median of --runs.
2. Peak RSS of pigeon for 1 MiB, 10 MiB and 100 MiB attachments: it must
   stay flat (the message is streamed, never held in memory).
3. Small messages: --small sequential runs with a ~1 KB message, each a
   new process and a new connection, for pigeon and msmtp (and /bin/true
   for the cost of starting a process here).
4. "pigeon send", which builds the MIME message itself: with --dry-run
   (the message to /dev/null) for a file of 100 MiB of random bytes,
   with coreutils' base64 as a reference; then sending it to smtp-sink,
   against the ceiling of section 1; then its peak RSS for 1 MiB and
   100 MiB attachments (and 1 GiB with --gib).
5. "pigeon queue flush": --queue small messages queued while the server
   is down (pigeon sendmail against a port nothing listens on: queued,
   exit 0),
   then sent by one "pigeon queue flush --all" over one connection; in
   messages per second, next to msmtp's one process per message (section
   3) and to an in-process client sending as many in one session.  Each
   of the --runs runs gets a fresh queue; strace -c of one more flush
   (of a smaller queue) when strace is installed.
6. The interactive UI on a pseudo-terminal: start-up to the first frame,
   and how soon a key is answered while a message with the --big-mib
   attachment is being sent (see bench_ui.py).

Per-process figures come from wait4(2) on each child (ru_utime, ru_stime,
ru_maxrss of that child alone). The sink is a child too; its CPU time is
read from /proc/PID/stat around each send.

Timing never fails the run: the exit status is non-zero only when a send
fails (pigeon or msmtp exits non-zero); its stderr is printed then. When
smtp-sink cannot be found or fetched, it says so and exits 0.
"""

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import bench_figures
import bench_ui

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SINK_DIR = os.path.join(TOP, "tests", ".sink")

FROM = "bench@example.org"
RCPT = "rcpt@example.org"
BOUNDARY = "=_pigeon_bench_boundary"
MIB = 1024 * 1024

out = sys.stdout

# Process groups of the helpers running now (each in its own session), so
# an interrupted run ends them and the program they run.
RUNNING = set()


def end_running():
    for pgid in list(RUNNING):
        try:
            os.killpg(pgid, signal.SIGTERM)
        except OSError:
            pass
        RUNNING.discard(pgid)


def say(*a):
    print(*a, file=out, flush=True)


class Skip(Exception):
    """The benchmark cannot run here; not a failure."""


class SendFailed(Exception):
    """A program under test failed: the run exits non-zero."""


# --- the machine ------------------------------------------------------------

def first_line(cmd):
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=20)
        lines = r.stdout.decode("utf-8", "replace").strip().splitlines()
        return lines[0] if lines else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def mem_total():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return "%.1f GiB" % (int(line.split()[1]) / MIB)
    except (OSError, ValueError):
        pass
    return "?"


def postfix_version(root):
    path = os.path.join(root, "usr/share/doc/postfix/changelog.Debian.gz")
    try:
        import gzip
        with gzip.open(path, "rt") as f:
            line = f.readline()
        return line.split("(", 1)[1].split(")", 1)[0]
    except (OSError, IndexError, EOFError):
        return "?"


# --- smtp-sink --------------------------------------------------------------

class SinkBinary:
    def __init__(self, sink, source, libdir, root, origin):
        self.sink = sink            # the smtp-sink executable (or wrapper)
        self.source = source        # smtp-source, when there is one
        self.libdir = libdir        # Postfix's private libraries, or None
        self.root = root            # the unpacked package, for its version
        self.origin = origin

    def env(self):
        env = dict(os.environ)
        if self.libdir:
            old = env.get("LD_LIBRARY_PATH")
            env["LD_LIBRARY_PATH"] = self.libdir + (":" + old if old else "")
        return env

    def works(self):
        """Without arguments smtp-sink prints its usage and exits 1."""
        try:
            r = subprocess.run([self.sink], env=self.env(),
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=10)
        except (OSError, subprocess.SubprocessError) as e:
            return False, str(e)
        text = r.stdout.decode("utf-8", "replace")
        return "usage" in text, text.strip()


def sink_in(root, origin):
    """The smtp-sink of a package unpacked in root, or None."""
    sbin = os.path.join(root, "usr", "sbin")
    binary = os.path.join(sbin, "smtp-sink")
    if not os.access(binary, os.X_OK):
        return None
    source = os.path.join(sbin, "smtp-source")
    return SinkBinary(binary,
                      source if os.access(source, os.X_OK) else None,
                      os.path.join(root, "usr", "lib", "postfix"), root,
                      origin)


def write_wrapper(root):
    """tests/.sink/smtp-sink, the same wrapper .ci/run writes."""
    path = os.path.join(root, "smtp-sink")
    with open(path, "w") as f:
        f.write('#!/bin/sh\n'
                '# smtp-sink from the unpacked postfix package, with its '
                'private libraries.\n'
                'here=$(cd "$(dirname "$0")" && pwd)\n'
                'LD_LIBRARY_PATH="$here/usr/lib/postfix'
                '${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"\n'
                'export LD_LIBRARY_PATH\n'
                'exec "$here/usr/sbin/smtp-sink" "$@"\n')
    os.chmod(path, 0o755)


def fetch_sink(scratch):
    """apt-get download postfix and unpack it (tests/.sink, else scratch)."""
    if not shutil.which("apt-get") or not shutil.which("dpkg"):
        raise Skip("smtp-sink is missing and apt-get/dpkg are not there to "
                   "fetch it")
    dl = os.path.join(scratch, "postfix-deb")
    os.mkdir(dl)
    if os.geteuid() == 0:
        # apt downloads as its own user _apt when it can reach the folder.
        try:
            os.chmod(scratch, 0o755)
            shutil.chown(dl, user="_apt")
        except (OSError, LookupError):
            pass
    say("smtp-sink is missing: fetching it with apt-get download postfix")
    try:
        r = subprocess.run(["apt-get", "download", "postfix"], cwd=dl,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=180)
    except (OSError, subprocess.SubprocessError) as e:
        raise Skip("smtp-sink is missing and could not be downloaded: %s"
                   % e)
    debs = [d for d in os.listdir(dl) if d.endswith(".deb")]
    if r.returncode != 0 or not debs:
        text = r.stdout.decode("utf-8", "replace").strip()
        raise Skip("smtp-sink is missing and could not be downloaded "
                   "(apt-get download postfix failed):\n  "
                   + "\n  ".join(text.splitlines()[-5:]))
    tests = os.path.dirname(SINK_DIR)
    if os.access(tests, os.W_OK) and not os.path.exists(SINK_DIR):
        root = SINK_DIR
    else:
        root = os.path.join(scratch, "sink")
    os.makedirs(root, exist_ok=True)
    r = subprocess.run(["dpkg", "-x", os.path.join(dl, debs[0]), root],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise Skip("smtp-sink is missing: dpkg -x %s failed: %s"
                   % (debs[0], r.stdout.decode("utf-8", "replace").strip()))
    if root == SINK_DIR:
        write_wrapper(root)
        where = "tests/.sink"
    else:
        where = "a temporary folder (tests/ is not writable)"
    say("unpacked %s into %s" % (debs[0], where))
    b = sink_in(root, "fetched now: " + debs[0])
    if b is None:
        raise Skip("smtp-sink is missing: the postfix package has no "
                   "usr/sbin/smtp-sink")
    return b


def find_sink(scratch):
    cands = []
    env_sink = os.environ.get("SMTP_SINK")
    b = sink_in(SINK_DIR, "tests/.sink")
    if b is not None:
        cands.append(b)
    if env_sink and os.access(env_sink, os.X_OK):
        # The Makefile's wrapper: it sets LD_LIBRARY_PATH itself.
        root = os.path.dirname(os.path.abspath(env_sink))
        src = os.path.join(root, "usr", "sbin", "smtp-source")
        cands.append(SinkBinary(env_sink,
                                src if os.access(src, os.X_OK) else None,
                                None, root, "$SMTP_SINK"))
    why = None
    for b in cands:
        ok, text = b.works()
        if ok:
            return b
        why = text
    b = fetch_sink(scratch)
    ok, text = b.works()
    if not ok:
        raise Skip("smtp-sink does not start (are its libraries, e.g. "
                   "libdb5.3 libicu72 libnsl2, installed?):\n  "
                   + "\n  ".join((text or why or "").splitlines()[:5]))
    return b


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def smtp_reply(f):
    """One whole (multi-line) reply: (code, last line)."""
    while True:
        line = f.readline()
        if not line:
            raise OSError("the server closed the connection")
        if line[3:4] != b"-":
            return int(line[:3]), line.decode("ascii", "replace").strip()


class Sink:
    """A running smtp-sink on 127.0.0.1, stopped by stop()."""

    def __init__(self, binary, scratch):
        self.b = binary
        self.proc = None
        self.port = None
        self.log = os.path.join(scratch, "smtp-sink.out")
        self.cwd = scratch
        self.tick = os.sysconf("SC_CLK_TCK")
        self.argv = None

    def start(self):
        last = ""
        for _ in range(8):
            port = free_port()
            # -c: counters (checked at the end); -C, -F: no XCLIENT and no
            # XFORWARD in the EHLO reply, like a submission server.
            # PIPELINING and 8BITMIME stay announced (both clients use
            # PIPELINING; the messages are 7bit anyway).
            argv = [self.b.sink, "-c", "-C", "-F"]
            if os.geteuid() == 0:
                # Required when started by root: the user to switch to.
                argv += ["-u", first_line(["id", "-un"])]
            argv += ["127.0.0.1:%d" % port, "1000"]
            logf = open(self.log, "wb")
            self.proc = subprocess.Popen(argv, env=self.b.env(),
                                         stdin=subprocess.DEVNULL,
                                         stdout=logf,
                                         stderr=subprocess.STDOUT,
                                         cwd=self.cwd)
            logf.close()
            self.port = port
            self.argv = argv
            if self.wait_ready():
                return
            last = self.read_log()
            self.stop()
        raise Skip("smtp-sink does not start:\n  " +
                   "\n  ".join(last.strip().splitlines()[:5]))

    def wait_ready(self):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              timeout=2) as s:
                    f = s.makefile("rb")
                    code, _ = smtp_reply(f)
                    s.sendall(b"QUIT\r\n")
                    smtp_reply(f)
                    return code == 220
            except OSError:
                time.sleep(0.05)
        return False

    def cpu(self):
        """CPU seconds (user+sys) the sink has used so far."""
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / self.tick
        except (OSError, IndexError, ValueError):
            return float("nan")

    def last_cpu(self):
        """The CPU the sink last ran on (field 39 of /proc/PID/stat)."""
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                return int(f.read().rsplit(")", 1)[1].split()[36])
        except (OSError, IndexError, ValueError):
            return None

    def read_log(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def messages(self):
        """The last 'mesg=N' counter smtp-sink printed, or None."""
        text = self.read_log().replace("\r", "\n")
        n = None
        for line in text.splitlines():
            for w in line.split():
                if w.startswith("mesg="):
                    try:
                        n = int(w[5:])
                    except ValueError:
                        pass
        return n

    def counters(self):
        """The last (sess, quit, mesg) counters smtp-sink printed, or None.

        sess is the sessions open then; quit and mesg count up from the
        start (one QUIT per session that ended with one).
        """
        text = self.read_log().replace("\r", "\n")
        last = None
        for line in text.splitlines():
            f = dict(w.split("=", 1) for w in line.split() if "=" in w)
            try:
                last = (int(f["sess"]), int(f["quit"]), int(f["mesg"]))
            except (KeyError, ValueError):
                pass
        return last

    def stop(self):
        p, self.proc = self.proc, None
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# --- messages -----------------------------------------------------------------

def headers(subject, multipart):
    h = ("From: Bench <%s>\n"
         "To: <%s>\n"
         "Subject: %s\n"
         "Date: Mon, 01 Jan 2024 12:00:00 +0000\n"
         "Message-ID: <%s.%d@example.org>\n"
         "MIME-Version: 1.0\n" % (FROM, RCPT, subject,
                                  subject.replace(" ", "-"), os.getpid()))
    if multipart:
        h += 'Content-Type: multipart/mixed; boundary="%s"\n' % BOUNDARY
    else:
        h += "Content-Type: text/plain; charset=us-ascii\n"
    return h + "\n"


def make_attachment_message(dirname, name, nbytes, crlf_too):
    """A multipart/mixed message with nbytes of random bytes in base64.

    Writes NAME.eml with LF line ends (what a mail program pipes into
    sendmail) and, if crlf_too, NAME.wire: the exact bytes a client puts
    between DATA and the final dot (CRLF, nothing to dot-stuff).
    """
    lf = os.path.join(dirname, name + ".eml")
    wire = os.path.join(dirname, name + ".wire") if crlf_too else None
    head = (headers("bench %s" % name, True) +
            "This is a multi-part message in MIME format.\n\n"
            "--%s\n"
            "Content-Type: text/plain; charset=us-ascii\n"
            "Content-Transfer-Encoding: 7bit\n\n"
            "The attachment is %d bytes of random data.\n\n"
            "--%s\n"
            "Content-Type: application/octet-stream; name=\"random.bin\"\n"
            "Content-Transfer-Encoding: base64\n"
            "Content-Disposition: attachment; filename=\"random.bin\"\n\n"
            % (BOUNDARY, nbytes, BOUNDARY)).encode()
    tail = ("--%s--\n" % BOUNDARY).encode()
    fl = open(lf, "wb")
    fw = open(wire, "wb") if wire else None
    fl.write(head)
    if fw:
        fw.write(head.replace(b"\n", b"\r\n"))
    # coreutils' base64 is far faster than wrapping lines in Python.
    gen = subprocess.Popen("head -c %d /dev/urandom | base64 -w 76" % nbytes,
                           shell=True, stdout=subprocess.PIPE)
    while True:
        chunk = gen.stdout.read(MIB)
        if not chunk:
            break
        fl.write(chunk)
        if fw:
            fw.write(chunk.replace(b"\n", b"\r\n"))
    if gen.wait() != 0:
        raise SystemExit("bench: could not generate the test message")
    fl.write(tail)
    fl.close()
    if fw:
        fw.write(tail.replace(b"\n", b"\r\n"))
        fw.close()
    return lf, wire


def make_small_message(dirname):
    path = os.path.join(dirname, "small.eml")
    body = ("Hello,\n\nthis is a small message, as most mail is: a few "
            "lines of text\nsent by one process over one connection.\n\n")
    line = "The quick brown fox jumps over the lazy dog, 0123456789.\n"
    text = headers("bench small", False) + body
    while len(text) + len(line) <= 1000:
        text += line
    text += "-- \nBench\n"
    with open(path, "w") as f:
        f.write(text)
    return path


# --- running and measuring ------------------------------------------------------

class Run:
    def __init__(self, wall, user, sys_, rss_kb, sink_cpu=float("nan")):
        self.wall = wall
        self.user = user
        self.sys = sys_
        self.rss_kb = rss_kb        # None when not measured
        self.sink_cpu = sink_cpu
        self.sink_on = None         # the CPU the sink last ran on

    @property
    def cpu(self):
        return self.user + self.sys


def build_helper(scratch):
    """Compile rusage.c into scratch; its path, or None (and why)."""
    src = os.path.join(HERE, "rusage.c")
    exe = os.path.join(scratch, "rusage")
    cc = os.environ.get("BENCH_CC") or shutil.which("cc") or \
        shutil.which("gcc")
    if not cc:
        return None, "no C compiler"
    try:
        r = subprocess.run([cc, "-O2", "-o", exe, src],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        return None, str(e)
    if r.returncode != 0:
        return None, r.stdout.decode("utf-8", "replace").strip()
    return exe, None


class Runner:
    """Runs the programs under test, through the rusage helper if built."""

    def __init__(self, scratch, env, helper):
        self.scratch = scratch
        self.env = env
        self.helper = helper
        self.outp = os.path.join(scratch, "child.out")
        self.errp = os.path.join(scratch, "child.err")
        self.repp = os.path.join(scratch, "child.report")
        self.cur_out = self.outp    # where the last run's stdout went

    def failed(self, label, argv, stdin_path, rc):
        text = ""
        paths = [self.errp]
        if self.cur_out == self.outp:
            paths.append(self.outp)
        for path in paths:
            try:
                with open(path, "rb") as f:
                    text += f.read().decode("utf-8", "replace")
            except OSError:
                pass
        return SendFailed("%s failed: exit status %d\n  command: %s\n"
                          "  stdin: %s\n  output:\n    %s"
                          % (label, rc, " ".join(argv), stdin_path,
                             "\n    ".join(text.strip().splitlines()
                                           or ["(nothing)"])))

    def run(self, label, argv, stdin_path, sink=None, count=1, stdout=None):
        """Run argv count times in a row, stdin from a file each time.

        Returns (list of Run, total wall seconds); SendFailed when a run
        exits non-zero.  With count 1 the sink's CPU time is measured too.
        Standard output goes to stdout (a path, truncated each run), by
        default the scratch file child.out.
        """
        self.cur_out = stdout or self.outp
        c0 = sink.cpu() if sink else float("nan")
        if self.helper:
            runs, total = self._run_helper(label, argv, stdin_path, count)
        else:
            runs, total = self._run_direct(label, argv, stdin_path, count)
        c1 = sink.cpu() if sink else float("nan")
        if count == 1:
            runs[0].sink_cpu = c1 - c0
            runs[0].sink_on = sink.last_cpu() if sink else None
        return runs, total

    def _run_helper(self, label, argv, stdin_path, count):
        cmd = [self.helper, "-n", str(count), "-i", stdin_path,
               "-o", self.cur_out, "-e", self.errp, "--"] + argv
        acts = [(os.POSIX_SPAWN_OPEN, 1, self.repp,
                 os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
        pid = os.posix_spawn(self.helper, cmd, self.env, file_actions=acts,
                             setsid=True)
        RUNNING.add(pid)
        _, status, _ = os.wait4(pid, 0)
        RUNNING.discard(pid)
        rc = os.waitstatus_to_exitcode(status)
        runs, total = [], None
        with open(self.repp) as f:
            for line in f:
                w = line.split()
                if w and w[0] == "run":
                    if int(w[5]) != 0:
                        raise self.failed(label, argv, stdin_path, int(w[5]))
                    runs.append(Run(float(w[1]), float(w[2]), float(w[3]),
                                    int(w[4])))
                elif w and w[0] == "total":
                    total = float(w[1])
        if rc != 0 or total is None or len(runs) != count:
            raise self.failed(label + " (under tests/bench/rusage)", cmd,
                              stdin_path, rc)
        return runs, total

    def _run_direct(self, label, argv, stdin_path, count):
        """Without the helper: posix_spawn from here; no RSS figure (a
        child's ru_maxrss would start from this Python process's)."""
        exe = argv[0] if os.sep in argv[0] else shutil.which(argv[0])
        acts = [
            (os.POSIX_SPAWN_OPEN, 0, stdin_path, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, self.cur_out,
             os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            (os.POSIX_SPAWN_OPEN, 2, self.errp,
             os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        ]
        runs = []
        t = time.perf_counter()
        for _ in range(count):
            t0 = time.perf_counter()
            pid = os.posix_spawn(exe, argv, self.env, file_actions=acts,
                                 setsid=True)
            RUNNING.add(pid)
            _, status, ru = os.wait4(pid, 0)
            RUNNING.discard(pid)
            t1 = time.perf_counter()
            rc = os.waitstatus_to_exitcode(status)
            if rc != 0:
                raise self.failed(label, argv, stdin_path, rc)
            runs.append(Run(t1 - t0, ru.ru_utime, ru.ru_stime, None))
        return runs, time.perf_counter() - t


def ceiling_send(port, wire_path, sink):
    """The sink's limit: a minimal client pushing prebuilt wire bytes.

    EHLO, then MAIL/RCPT/DATA pipelined, sendfile(2) of the CRLF message,
    the dot, QUIT; all in this process (no exec, no spool, no encoding),
    timed from connect to the 221.  Returns a Run (CPU is this process's).
    """
    c0 = sink.cpu()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = s.makefile("rb")
        code, line = smtp_reply(f)
        if code != 220:
            raise OSError("greeting: " + line)
        s.sendall(b"EHLO bench.example.org\r\n")
        code, line = smtp_reply(f)
        if code != 250:
            raise OSError("EHLO: " + line)
        s.sendall(("MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n"
                   % (FROM, RCPT)).encode())
        for want in (250, 250, 354):
            code, line = smtp_reply(f)
            if code != want:
                raise OSError("envelope: " + line)
        t_data = time.perf_counter()
        with open(wire_path, "rb") as m:
            s.sendfile(m)
        t_dot = time.perf_counter()
        s.sendall(b".\r\n")
        code, line = smtp_reply(f)
        t_250 = time.perf_counter()
        if code != 250:
            raise OSError("end of data: " + line)
        s.sendall(b"QUIT\r\n")
        smtp_reply(f)
    t1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    c1 = sink.cpu()
    run = Run(t1 - t0, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime,
              None,
              c1 - c0)
    run.phases = (t_data - t0, t_dot - t0, t_250 - t0, t1 - t0)
    run.sink_on = sink.last_cpu()
    return run


def transcript_phases(text):
    """From a -v transcript: (354 at, dot at, final reply at, last line at)
    in seconds since the start, or None when the format is not known."""
    import re
    pat = re.compile(r"^\[\s*([0-9]+(?:\.[0-9]+)?)\]\s+(->|<-|==)\s?(.*)$")
    t354 = tdot = treply = tlast = None
    reply_ms = None
    for line in text.splitlines():
        m = pat.match(line)
        if not m:
            continue
        t, d, rest = float(m.group(1)), m.group(2), m.group(3)
        tlast = t
        if d == "<-" and rest.startswith("354") and t354 is None:
            t354 = t
        elif d == "->" and rest.strip() == "." and tdot is None:
            tdot = t
        elif d == "<-" and tdot is not None and treply is None:
            treply = t
            ms = re.search(r"\(([0-9.]+) ms\)\s*$", rest)
            if ms:
                reply_ms = float(ms.group(1))
    if None in (t354, tdot, treply):
        return None
    return t354, tdot, treply, tlast, reply_ms


# --- reporting -------------------------------------------------------------------

def best(runs, key):
    return min(key(r) for r in runs)


def median(runs, key):
    return statistics.median(key(r) for r in runs)


def fmt_s(x):
    return "%.3f s" % x


def max_rss(runs):
    v = [r.rss_kb for r in runs if r.rss_kb is not None]
    return max(v) if v else None


def min_rss(runs):
    v = [r.rss_kb for r in runs if r.rss_kb is not None]
    return min(v) if v else None


def fmt_rss(kb):
    return "-" if kb is None else "%.1f MiB" % (kb / 1024)


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


def ratio(a, b):
    return "%.2fx" % (a / b) if b > 0 else "-"


# --- 4. pigeon send --------------------------------------------------------

def make_random_file(path, nbytes):
    """A file of nbytes random bytes: the attachment for pigeon send."""
    with open(path, "wb") as f:
        left = nbytes
        while left > 0:
            n = min(left, 4 * MIB)
            f.write(os.urandom(n))
            left -= n
    return path


def ui_big(scratch, args):
    """The random attachment of section 4 (--big-mib MiB), made if missing."""
    path = os.path.join(scratch, "random%dM.bin" % args.big_mib)
    if not os.path.exists(path):
        make_random_file(path, args.big_mib * MIB)
    return path


def base64_size(nbytes, width=76):
    """What base64 -w WIDTH writes for nbytes: the text and its newlines."""
    enc = 4 * ((nbytes + 2) // 3)
    return enc + (enc + width - 1) // width


def bench_send(args, pigeon, cfg, runner, sink, scratch, res, big_wire,
               wire_bytes, raw):
    """Section 4: pigeon send builds the message, then sends it.

    res holds section 1's runs (its "ceiling" and "pigeon" lists); big_wire
    is the prebuilt wire file the ceiling client pushes.  Returns the
    number of messages sent to the sink here.
    """
    sent = 0
    big_mib = args.big_mib
    sizes = {1, big_mib}
    gib_note = None
    if args.gib:
        # The input and some room (a dry run to /dev/null has no spool).
        need = 1024 * MIB * 13 // 10
        free = shutil.disk_usage(scratch).free
        if free < need:
            gib_note = ("1 GiB left out: %.1f GB free in %s, about %.1f GB "
                        "needed" % (free / 1e9, scratch, need / 1e9))
        else:
            sizes.add(1024)
    sizes = sorted(sizes)

    body = os.path.join(scratch, "send-body.txt")
    with open(body, "w") as f:
        f.write("Hello,\n\nthe attachment is random bytes, made for the "
                "benchmark.\n\n-- \nBench\n")

    def send_argv(path, dry):
        return ([pigeon, "send", "--config", cfg] +
                (["--dry-run"] if dry else []) +
                ["-a", path, "-s", "bench send", RCPT])

    t = time.perf_counter()
    files = {}
    for mib in sizes:
        files[mib] = make_random_file(
            os.path.join(scratch, "random%dM.bin" % mib), mib * MIB)
    # As for section 1: no dirty page cache left to slow the spool writes.
    os.sync()
    big = files[big_mib]
    nbig = big_mib * MIB
    say("4. pigeon send: building and sending a MIME message")
    say("   pigeon send --config CFG [--dry-run] -a FILE -s SUBJECT %s "
        "< TEXT (%d bytes)" % (RCPT, os.path.getsize(body)))
    say("   FILE: random bytes (application/octet-stream, base64), made "
        "in %.1f s: %s" % (time.perf_counter() - t,
                           ", ".join("%d MiB" % m for m in sizes)))
    say("")

    # --- (a) building: --dry-run ---
    dry_file = os.path.join(scratch, "send-dry.eml")
    r = runner.run("pigeon send --dry-run (to a file)",
                   send_argv(big, True), body, stdout=dry_file)[0][0]
    raw.append(("send", "dry-run %d MiB > file" % big_mib, 1, r))
    out_bytes = os.path.getsize(dry_file)
    with open(dry_file, "rb") as f:
        head = f.read(64 * 1024)
    os.unlink(dry_file)
    crlf = b"\r\n" in head and b"\n" not in head.replace(b"\r\n", b"")
    say("  (a) Building: --dry-run, the message to /dev/null; %d runs each "
        "(after one run" % args.runs)
    say("      to a file to measure the message: %d bytes, %.1f MB, %.4f x "
        "the input%s)" % (out_bytes, out_bytes / 1e6, out_bytes / nbig,
                          "" if crlf else "; NOT CRLF"))
    dry = []
    for i in range(args.runs):
        r = runner.run("pigeon send --dry-run (%d MiB)" % big_mib,
                       send_argv(big, True), body, stdout=os.devnull)[0][0]
        dry.append(r)
        raw.append(("send", "dry-run %d MiB" % big_mib, i + 1, r))
    b64 = []
    b64_exe = shutil.which("base64")
    b64_note = None
    if b64_exe is None:
        b64_note = "coreutils base64 is not installed: no reference line"
    else:
        try:
            for i in range(args.runs):
                r = runner.run("base64 -w 76 (%d MiB)" % big_mib,
                               [b64_exe, "-w", "76", big], os.devnull,
                               stdout=os.devnull)[0][0]
                b64.append(r)
                raw.append(("send", "coreutils base64 %d MiB" % big_mib,
                            i + 1, r))
        except SendFailed as e:
            b64_note = "coreutils base64 failed: %s" % str(e).splitlines()[0]
            b64 = []
    rows = []
    for label, rr, nout in (("pigeon send --dry-run", dry, out_bytes),
                            ("coreutils base64 -w 76", b64,
                             base64_size(nbig))):
        if not rr:
            continue
        rows.append([
            label,
            fmt_s(best(rr, lambda r: r.wall)),
            fmt_s(median(rr, lambda r: r.wall)),
            "%.0f" % (nbig / 1e6 / best(rr, lambda r: r.wall)),
            "%.0f" % (nbig / 1e6 / median(rr, lambda r: r.wall)),
            "%.0f" % (nout / 1e6 / best(rr, lambda r: r.wall)),
            fmt_s(best(rr, lambda r: r.cpu)),
            fmt_s(median(rr, lambda r: r.cpu)),
            "%.2f+%.2f" % (median(rr, lambda r: r.user),
                           median(rr, lambda r: r.sys)),
            fmt_rss(max_rss(rr)),
        ])
    say(table(rows, ["", "wall best", "wall median", "in MB/s best",
                     "in MB/s med", "out MB/s best", "CPU best",
                     "CPU median", "user+sys med", "peak RSS"]))
    say("  (in = the %d MiB attachment read; out = what is written: "
        "pigeon's whole" % big_mib)
    say("   message, %d bytes, or base64's text, %d bytes;"
        % (out_bytes, base64_size(nbig)))
    say("   a dry run to a file or pipe writes straight to it, no spool)")
    if b64_note:
        say("  " + b64_note)
    if b64:
        say("  pigeon send --dry-run / coreutils base64 (wall, best / "
            "median): %s / %s" % (
                ratio(best(dry, lambda r: r.wall),
                      best(b64, lambda r: r.wall)),
                ratio(median(dry, lambda r: r.wall),
                      median(b64, lambda r: r.wall))))
    say("")

    # --- (b) sending to smtp-sink ---
    say("  (b) Sending: pigeon send -a FILE (%d MiB) to smtp-sink, %d runs, "
        "each after one more" % (big_mib, args.runs))
    say("      run of the ceiling client (the %.1f MB wire file of section "
        "1), interleaved" % (wire_bytes / 1e6))
    snd, again = [], []
    again_err = None
    for i in range(args.runs):
        if again_err is None and res["ceiling"]:
            try:
                r = ceiling_send(sink.port, big_wire, sink)
                again.append(r)
                raw.append(("send", "sink ceiling (again)", i + 1, r))
                sent += 1
            except OSError as e:
                again_err = str(e)
                say("  warning: the ceiling client failed: %s" % e)
        # No dirty pages of earlier steps (the dry run to a file, the
        # outbox of the last run) to slow this run's own fsync down.
        os.sync()
        r = runner.run("pigeon send (%d MiB)" % big_mib,
                       send_argv(big, False), body, sink)[0][0]
        snd.append(r)
        raw.append(("send", "pigeon send %d MiB" % big_mib, i + 1, r))
        sent += 1
    rows = []
    on_wire = out_bytes + 3         # the dry-run message, then ".\r\n"
    for label, rr, nb in (
            ("smtp-sink ceiling (section 1)", res["ceiling"], wire_bytes),
            ("smtp-sink ceiling (now)", again, wire_bytes),
            ("pigeon sendmail (section 1)", res["pigeon"], wire_bytes),
            ("pigeon send", snd, on_wire)):
        if not rr:
            rows.append([label] + ["-"] * 8)
            continue
        rows.append([
            label,
            fmt_s(best(rr, lambda r: r.wall)),
            fmt_s(median(rr, lambda r: r.wall)),
            "%.0f" % (nb / 1e6 / best(rr, lambda r: r.wall)),
            fmt_s(best(rr, lambda r: r.cpu)),
            fmt_s(median(rr, lambda r: r.cpu)),
            "%.2f+%.2f" % (median(rr, lambda r: r.user),
                           median(rr, lambda r: r.sys)),
            fmt_rss(max_rss(rr)),
            fmt_s(median(rr, lambda r: r.sink_cpu)),
        ])
    say(table(rows, ["", "wall best", "wall median", "MB/s best",
                     "CPU best", "CPU median", "user+sys med", "peak RSS",
                     "sink CPU med"]))
    say("  (pigeon send's MB/s: its message, %d bytes, as measured in "
        "(a); the" % out_bytes)
    say("   ceiling's CPU is the Python client's own)")
    say("  ratios (wall, best / median); the target is pigeon send <= "
        "1.3x the sink ceiling:")
    wall = lambda r: r.wall
    for label, rr in (("sink ceiling (section 1)", res["ceiling"]),
                      ("sink ceiling (now)", again),
                      ("pigeon sendmail (section 1)", res["pigeon"])):
        if not rr:
            say("    pigeon send / %-28s -" % (label + ":"))
            continue
        rb = best(snd, wall) / best(rr, wall)
        rm = median(snd, wall) / median(rr, wall)
        verdict = ""
        if label.startswith("sink ceiling"):
            verdict = "   (%s)" % ("met" if rb <= 1.3 else
                                   "NOT met: best %.2fx > 1.3x" % rb)
        say("    pigeon send / %-28s %.2fx / %.2fx%s"
            % (label + ":", rb, rm, verdict))
    ws = [r.wall for r in res["ceiling"] + again]
    if len(ws) > 1 and max(ws) > 1.3 * min(ws):
        say("  note: the ceiling runs spread widely (%.3f s to %.3f s): "
            "the sink's speed" % (min(ws), max(ws)))
        say("  depends on the CPU it lands on; compare best with best")
    say("")

    # --- (c) peak RSS against the attachment size ---
    say("  (c) pigeon send --dry-run > /dev/null: peak RSS against the "
        "attachment size (%d runs each)" % args.runs)
    by_size = {big_mib: dry}
    for mib in sizes:
        if mib == big_mib:
            continue
        rr = []
        for i in range(args.runs):
            r = runner.run("pigeon send --dry-run (%d MiB)" % mib,
                           send_argv(files[mib], True), body,
                           stdout=os.devnull)[0][0]
            rr.append(r)
            raw.append(("send", "dry-run %d MiB" % mib, i + 1, r))
        by_size[mib] = rr
        if mib == 1024:
            # 1 GiB of scratch space back as soon as it is measured.
            os.unlink(files[mib])
    rows = []
    for mib in sizes:
        rr = by_size[mib]
        name = "%d MiB" % mib if mib < 1024 else "%d GiB" % (mib // 1024)
        rows.append([name,
                     "%.1f" % (mib * MIB / 1e6),
                     fmt_rss(min_rss(rr)),
                     fmt_rss(max_rss(rr)),
                     fmt_s(best(rr, lambda r: r.wall)),
                     "%.0f" % (mib * MIB / 1e6 / best(rr, lambda r: r.wall)),
                     fmt_s(median(rr, lambda r: r.cpu))])
    say(table(rows, ["attachment", "MB in", "peak RSS min", "peak RSS max",
                     "wall best", "in MB/s best", "CPU median"]))
    lo = min_rss(by_size[sizes[0]])
    hi = max_rss(by_size[sizes[-1]])
    if lo is not None and hi is not None:
        d = (hi - lo) / 1024
        say("  peak RSS from %s to %s of attachment: %s MiB (lowest at "
            "the smallest to highest at the largest)"
            % (rows[0][0], rows[-1][0],
               "%+.1f" % d if abs(d) >= 0.05 else "0.0"))
    if gib_note:
        say("  " + gib_note)
    elif not args.gib:
        say("  (1 GiB left out: give --gib; it needs about 1.4 GB of "
            "disk)")
    say("")
    return sent


# --- 5. pigeon queue flush -------------------------------------------------

# Queueing processes in flight while a queue is built: each pigeon sendmail
# (about 10 ms here) makes 6 fsync(2) calls, and a few at a time let the
# file system commit them together (here 300 took 3.2-3.5 s one at a time,
# 3.0-3.1 s two at a time, 2.8-2.9 s four at a time on 2 CPUs).
QUEUE_JOBS = 4


def build_queue(argv, stdin_path, env, n, jobs, scratch):
    """Run argv n times, jobs at a time, each with stdin from stdin_path.

    Each run must exit 0 (the message is queued, the server not reached:
    queued is accepted).
    Returns (wall seconds, user+sys CPU seconds of all the runs); raises
    SendFailed for the first run that exits otherwise, after the others
    still running have ended.
    """
    errs = [os.path.join(scratch, "queue-build-%d.err" % j)
            for j in range(jobs)]
    free = list(range(jobs))
    live = {}                   # pid -> slot (its stderr file)
    started = done = 0
    bad = None
    cpu = 0.0
    t0 = time.perf_counter()
    while live or (bad is None and started < n):
        while bad is None and started < n and free:
            j = free.pop()
            acts = [(os.POSIX_SPAWN_OPEN, 0, stdin_path, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 2, errs[j],
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
            pid = os.posix_spawn(argv[0], argv, env, file_actions=acts,
                                 setsid=True)
            RUNNING.add(pid)
            live[pid] = j
            started += 1
        # Which child ended, without reaping it: smtp-sink is a child too
        # and belongs to its Popen.  Should it be the sink, wait for one of
        # ours by its pid instead.
        info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
        pid = info.si_pid if info is not None and info.si_pid in live \
            else next(iter(live))
        _, status, ru = os.wait4(pid, 0)
        RUNNING.discard(pid)
        j = live.pop(pid)
        done += 1
        cpu += ru.ru_utime + ru.ru_stime
        rc = os.waitstatus_to_exitcode(status)
        if rc != 0 and bad is None:
            try:
                with open(errs[j], "rb") as f:
                    text = f.read().decode("utf-8", "replace")
            except OSError:
                text = ""
            bad = (done, rc, text)
        free.append(j)
    wall = time.perf_counter() - t0
    if bad is not None:
        i, rc, text = bad
        raise SendFailed(
            "queueing message %d of %d failed: exit status %d, not 0 "
            "(queued)\n  command: %s\n  stdin: %s\n  output:\n    %s"
            % (i, n, rc, " ".join(argv), stdin_path,
               "\n    ".join(text.strip().splitlines() or ["(nothing)"])))
    return wall, cpu


def maildir_files(folder):
    """The messages in a Maildir folder (new/ and cur/), by name."""
    names = []
    for sub in ("new", "cur"):
        try:
            names += [e for e in os.listdir(os.path.join(folder, sub))
                      if not e.startswith(".")]
        except FileNotFoundError:
            pass
    return names


def dir_entries(path):
    try:
        return [e for e in os.listdir(path) if not e.startswith(".")]
    except FileNotFoundError:
        return []


def wait_sink(sink, before, mesg, quits, timeout=2.0):
    """smtp-sink's counters once mesg more messages and quits more QUITs
    than before show up (it prints them as sessions end), or the last
    ones after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        now = sink.counters()
        if now is not None and before is not None and \
                now[2] >= before[2] + mesg and now[1] >= before[1] + quits:
            return now
        if time.monotonic() >= deadline:
            return now
        time.sleep(0.02)


def ceiling_session(port, msg_path, n, sink):
    """What the sink takes in one session: n messages from this process.

    EHLO, then for each message RSET (from the second on), MAIL, RCPT and
    DATA pipelined, the message (CRLF, dot-stuffed, prebuilt), the dot,
    the 250; QUIT.  Timed from connect to the 221.  Returns a Run (CPU is
    this process's).
    """
    with open(msg_path, "rb") as f:
        text = f.read()
    lines = text.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    wire = b"".join((b"." + ln if ln.startswith(b".") else ln) + b"\r\n"
                    for ln in lines) + b".\r\n"
    envelope = ("MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n"
                % (FROM, RCPT)).encode()
    c0 = sink.cpu()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = s.makefile("rb")
        code, line = smtp_reply(f)
        if code != 220:
            raise OSError("greeting: " + line)
        s.sendall(b"EHLO bench.example.org\r\n")
        code, line = smtp_reply(f)
        if code != 250:
            raise OSError("EHLO: " + line)
        for i in range(n):
            s.sendall((b"RSET\r\n" if i else b"") + envelope)
            for want in ((250, 250, 250, 354) if i else (250, 250, 354)):
                code, line = smtp_reply(f)
                if code != want:
                    raise OSError("message %d, envelope: %s" % (i + 1, line))
            s.sendall(wire)
            code, line = smtp_reply(f)
            if code != 250:
                raise OSError("message %d, end of data: %s" % (i + 1, line))
        s.sendall(b"QUIT\r\n")
        smtp_reply(f)
    t1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    run = Run(t1 - t0, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime,
              None, sink.cpu() - c0)
    run.sink_on = sink.last_cpu()
    return run


def mount_of(path):
    """The file system path is on: "TYPE (SOURCE on TARGET, OPTIONS)"."""
    fm = shutil.which("findmnt")
    if fm:
        w = first_line([fm, "-n", "-o", "FSTYPE,SOURCE,TARGET,OPTIONS",
                        "-T", path]).split()
        if len(w) == 4:
            return "%s (%s on %s, %s)" % tuple(w)
    w = first_line(["sh", "-c", 'df -T "$1" | tail -n 1', "sh",
                    path]).split()
    if len(w) >= 7:
        return "%s (%s on %s)" % (w[1], w[0], w[6])
    return first_line(["stat", "-f", "-c", "%T", path])


def strace_top(path, count):
    """The top count rows of an strace -c report, and its total row:
    ([(syscall, %, seconds, usecs/call, calls)], total or None)."""
    rows, total = [], None
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return rows, total
    for line in text.splitlines():
        w = line.split()
        if len(w) < 5 or w[0].startswith("%") or w[0].startswith("-"):
            continue
        try:
            row = (w[-1], float(w[0]), float(w[1]), int(w[2]), int(w[3]))
        except ValueError:
            continue
        if row[0] == "total":
            total = row
        else:
            rows.append(row)
    rows.sort(key=lambda r: -r[2])
    return rows[:count], total


def bench_queue(args, pigeon, cfg, env, helper, sink, scratch, small, per,
                raw):
    """Section 5: a queue of args.queue small messages, then one flush.

    per holds section 3's wall seconds per message by program.  Returns
    the number of messages sent to the sink here.
    """
    n = args.queue
    sent = 0
    offline = os.path.join(scratch, "pigeon-offline.conf")
    with open(offline, "w") as f:
        # The same account as CFG, its server a port nothing listens on.
        f.write("default = b\n[account b]\nfrom = Bench <%s>\n"
                "server = smtp+plain://127.0.0.1:1\n" % FROM)
    os.chmod(offline, 0o600)
    queue_argv = [pigeon, "sendmail", "--config", offline, RCPT]
    flush_argv = [pigeon, "queue", "--config", cfg, "flush", "--all"]
    list_argv = [pigeon, "queue", "--config", cfg, "list"]
    jobs = QUEUE_JOBS
    runs = args.runs

    say("5. pigeon queue flush: many queued messages in one connection")
    say("   queue: %d x the small message of section 3 (%d bytes), "
        "each queued by" % (n, os.path.getsize(small)))
    say("     pigeon sendmail --config OFFLINE %s < MESSAGE" % RCPT)
    say("     (server = smtp+plain://127.0.0.1:1, nothing listens: queued, "
        "exit 0), %d at a time," % jobs)
    say("     into a fresh XDG_DATA_HOME per run")
    say("   flush: pigeon queue --config CFG flush --all (the same account, "
        "server = smtp-sink);")
    say("     %s" % ("1 run, on a fresh queue, after one run of the "
                      "ceiling client" if runs == 1 else
                      "%d runs, each on a fresh queue, each after one run "
                      "of the ceiling client" % runs))
    say("   ceiling: in-process Python client, one session: RSET (from "
        "the 2nd), MAIL, RCPT, DATA")
    say("     pipelined, the prebuilt CRLF message, dot, 250; %d messages, "
        "then QUIT" % n)
    say("")

    flushes, ceilings, builds = [], [], []
    ceiling_err = None
    list_run = None
    data_fs = None
    for i in range(runs):
        data = os.path.join(scratch, "queue%d" % (i + 1), "data")
        os.makedirs(data)
        if data_fs is None:
            data_fs = mount_of(data)
        qenv = dict(env, XDG_DATA_HOME=data)
        runner = Runner(scratch, qenv, helper)
        pdir = os.path.join(data, "pigeon")
        outbox = os.path.join(pdir, "outbox")
        sentdir = os.path.join(pdir, "sent")
        qdir = os.path.join(pdir, "queue")

        # The queue.
        bw, bc = build_queue(queue_argv, small, qenv, n, jobs, scratch)
        builds.append((bw, bc))
        ids = maildir_files(outbox)
        envs = [e for e in dir_entries(qdir) if e.endswith(".env")]
        if len(ids) != n or len(envs) != n:
            raise SendFailed("the queue is not what %d pigeon sendmail runs "
                             "(all queued) should leave: %d messages in "
                             "outbox/, %d envelopes in queue/ (%s)"
                             % (n, len(ids), len(envs), data))
        if i == 0:
            listing = os.path.join(scratch, "queue-list.out")
            list_run = runner.run("pigeon queue list", list_argv, os.devnull,
                                  stdout=listing)[0][0]
            raw.append(("queue", "pigeon queue list (%d)" % n, 1, list_run))
            with open(listing, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            # The list names a message by its short id: the start of
            # the random part of its name ("R" to the first dot).
            def short(m):
                r = m.split("R", 1)[-1] if "R" in m else m
                return r.split(".", 1)[0][:8]
            missing = [m for m in ids if short(m) not in text]
            if missing:
                say("  warning: pigeon queue list leaves out %d of the %d "
                    "queued messages (e.g. %s)"
                    % (len(missing), n, missing[0]))
        # What pigeon sendmail wrote is on disk already (it fsyncs); its
        # metadata and logs, if not, are flushed here, not during the run.
        os.sync()

        # The ceiling, then pigeon.
        if ceiling_err is None:
            before = sink.counters()
            try:
                r = ceiling_session(sink.port, small, n, sink)
                ceilings.append(r)
                raw.append(("queue", "sink ceiling (%d in 1)" % n, i + 1, r))
                sent += n
                wait_sink(sink, before, n, 1)
            except OSError as e:
                ceiling_err = str(e)
                say("  warning: the ceiling client failed: %s" % e)
        before = sink.counters()
        r = runner.run("pigeon queue flush --all", flush_argv, os.devnull,
                       sink, stdout=os.path.join(scratch, "queue-flush.out")
                       )[0][0]
        flushes.append(r)
        raw.append(("queue", "pigeon queue flush (%d)" % n, i + 1, r))
        sent += n
        after = wait_sink(sink, before, n, 1)

        # The checks.
        left = {sub: dir_entries(os.path.join(outbox, sub))
                for sub in ("new", "cur", "tmp")}
        nleft = sum(len(v) for v in left.values())
        nsent = len(maildir_files(sentdir))
        nfailed = len(maildir_files(os.path.join(pdir, "failed")))
        qleft = dir_entries(qdir)
        if nleft or nsent != n or nfailed:
            raise SendFailed("pigeon queue flush --all exited 0, but "
                             "outbox/ holds %d (new %d, cur %d, tmp %d), "
                             "sent/ %d of %d, failed/ %d (%s)"
                             % (nleft, len(left["new"]), len(left["cur"]),
                                len(left["tmp"]), nsent, n, nfailed, data))
        got = quits = None
        if before is not None and after is not None:
            got = after[2] - before[2]
            quits = after[1] - before[1]
        if got != n or quits != 1:
            say("  warning: run %d: smtp-sink counted %s more messages in "
                "%s more QUITs, expected %d in 1" % (
                    i + 1, "?" if got is None else got,
                    "?" if quits is None else quits, n))
        if qleft:
            say("  note: run %d: queue/ still holds %d files after the "
                "flush (e.g. %s)" % (i + 1, len(qleft), qleft[0]))
        shutil.rmtree(os.path.dirname(data), ignore_errors=True)

    say("  data dir: %s" % data_fs)
    say("  queues built in %s s (%s ms/message wall, %s ms CPU/message; "
        "%d at a time)" % (
            ", ".join("%.1f" % b[0] for b in builds),
            ", ".join("%.1f" % (1000 * b[0] / n) for b in builds),
            ", ".join("%.1f" % (1000 * b[1] / n) for b in builds), jobs))
    if list_run is not None:
        say("  pigeon queue list of %d messages: %.3f s wall, %.3f s CPU, "
            "peak RSS %s" % (n, list_run.wall, list_run.cpu,
                             fmt_rss(list_run.rss_kb)))
    say("  after each flush: outbox/ empty, sent/ %d messages, failed/ "
        "empty (checked);" % n)
    say("  smtp-sink: %d more messages in 1 more session (QUIT) per "
        "flush, unless warned above" % n)
    say("")

    rows = []
    wall = lambda r: r.wall
    for label, rr in (("pigeon queue flush --all", flushes),
                      ("smtp-sink ceiling (1 session)", ceilings)):
        if not rr:
            rows.append([label] + ["-"] * 9)
            continue
        rows.append([
            label,
            fmt_s(best(rr, wall)),
            fmt_s(median(rr, wall)),
            "%.0f" % (n / best(rr, wall)),
            "%.0f" % (n / median(rr, wall)),
            "%.3f ms" % (1000 * median(rr, wall) / n),
            fmt_s(median(rr, lambda r: r.cpu)),
            "%.2f+%.2f" % (median(rr, lambda r: r.user),
                           median(rr, lambda r: r.sys)),
            fmt_rss(max_rss(rr)),
            fmt_s(median(rr, lambda r: r.sink_cpu)),
        ])
    say(table(rows, ["", "wall best", "wall median", "msg/s best",
                     "msg/s median", "wall/msg med", "CPU median",
                     "user+sys med", "peak RSS", "sink CPU med"]))
    say("  (the ceiling's CPU is the Python client's own; sink CPU = what "
        "smtp-sink used meanwhile)")
    say("")
    rate = n / best(flushes, wall)
    rows = [["pigeon queue flush --all", "%.0f" % rate,
             "one process, one connection; best of %d (median %.0f/s)"
             % (runs, n / median(flushes, wall))]]
    if ceilings:
        rows.append(["smtp-sink ceiling", "%.0f" % (n / best(ceilings, wall)),
                     "one session, the in-process client; best of %d"
                     % len(ceilings)])
    if "msmtp" in per:
        rows.append(["msmtp (section 3)", "%.0f" % (1 / per["msmtp"]),
                     "a process and connection per message: 1000 / %.2f ms"
                     % (1000 * per["msmtp"])])
    else:
        rows.append(["msmtp (section 3)", "-", "msmtp is not installed"])
    if "pigeon sendmail" in per:
        rows.append(["pigeon sendmail (section 3)",
                     "%.0f" % (1 / per["pigeon sendmail"]),
                     "a process and connection per message: 1000 / %.2f ms"
                     % (1000 * per["pigeon sendmail"])])
    rows.append(["target", ">= 5000",
                 "what smtp-sink takes in one session: %s" % (
                     "met" if rate >= 5000 else
                     "NOT met (best %.2fx the target)" % (rate / 5000))])
    w0 = max(len(r[0]) for r in rows + [["messages per second", ""]])
    w1 = max(len(r[1]) for r in rows + [["", "msg/s"]])
    say("  %s  %s" % ("messages per second".ljust(w0), "msg/s".rjust(w1)))
    say("  %s  %s" % ("-" * w0, "-" * w1))
    for r in rows:
        say("  %s  %s  %s" % (r[0].ljust(w0), r[1].rjust(w1), r[2]))
    if "msmtp" in per:
        say("  pigeon queue flush / msmtp (section 3): %.1fx the messages "
            "per second" % (rate * per["msmtp"]))
    say("")

    # --- where the time goes ---
    strace = shutil.which("strace")
    m = min(n, 200)
    if not strace:
        say("  Where the time goes: strace is not installed; the data dir "
            "is on %s" % data_fs)
        say("")
        return sent
    data = os.path.join(scratch, "queue-strace", "data")
    os.makedirs(data)
    qenv = dict(env, XDG_DATA_HOME=data)
    build_queue(queue_argv, small, qenv, m, jobs, scratch)
    os.sync()
    report = os.path.join(scratch, "strace.out")
    errp = os.path.join(scratch, "strace.err")
    argv = [strace, "-c", "-w", "-f", "-S", "time", "-o", report] + \
        flush_argv
    before = sink.counters()
    t0 = time.perf_counter()
    with open(errp, "wb") as ef:
        try:
            p = subprocess.Popen(argv, env=qenv, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=ef,
                                 start_new_session=True)
            RUNNING.add(p.pid)
            rc = p.wait()
            RUNNING.discard(p.pid)
        except OSError as e:
            rc = None
            ef.write(str(e).encode())
    st_wall = time.perf_counter() - t0
    nsent = len(maildir_files(os.path.join(data, "pigeon", "sent")))
    sent += nsent
    wait_sink(sink, before, nsent, 1 if nsent else 0)
    top, total = strace_top(report, 5)
    if rc != 0 or not top:
        try:
            with open(errp, "rb") as f:
                text = f.read().decode("utf-8", "replace").strip()
        except OSError:
            text = ""
        say("  Where the time goes: strace -c of a flush did not work "
            "(exit status %s): %s" % (rc, (text.splitlines() or ["?"])[-1]))
        say("")
        return sent
    say("  Where the time goes: strace -c -w -f of one more flush, of a "
        "fresh queue of %d" % m)
    if m != n:
        say("  (not %d: cheaper, and the same per message)" % n)
    say("  top 5 syscalls by the wall time spent in them (strace slows "
        "every syscall down,")
    say("  cheap ones most; the call counts are exact):")
    rows = []
    for name, pct, secs, usecs, calls in top:
        rows.append([name, "%.1f %%" % pct, "%.3f s" % secs,
                     "%d" % usecs, "%d" % calls, "%.1f" % (calls / m),
                     "%.0f us" % (1e6 * secs / m)])
    if total is not None:
        rows.append(["all syscalls", "100.0 %", "%.3f s" % total[2],
                     "%d" % total[3], "%d" % total[4],
                     "%.1f" % (total[4] / m), "%.0f us" % (1e6 * total[2]
                                                           / m)])
    say(table(rows, ["syscall", "% time", "seconds", "usecs/call", "calls",
                     "calls/msg", "time/msg"]))
    say("  the flush under strace: %.3f s wall for %d messages (%.0f/s; "
        "%.2f ms/message, %.2f ms" % (st_wall, m, m / st_wall,
                                      1000 * st_wall / m,
                                      1000 * median(flushes, wall) / n))
    say("  without strace: the median above)")
    for name, pct, secs, usecs, calls in top:
        if name.startswith("fsync") or name.startswith("fdatasync"):
            say("  %s: %.1f per message, %.0f us each: %.0f us per message; "
                "5000/s leaves 200 us"
                % (name, calls / m, usecs, 1e6 * secs / m))
            say("  per message for everything")
    say("")
    return sent


# --- main ------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pigeon", nargs="?",
                    default=os.environ.get("PIGEON") or "./pigeon")
    ap.add_argument("--rounds", type=int, default=7,
                    help="figures: interleaved rounds per figure (median "
                    "and minimum); default 7")
    ap.add_argument("--batch", type=int, default=20,
                    help="figures: processes per round for the start-up "
                    "figure; default 20")
    ap.add_argument("--big-queue", type=int, default=2000, metavar="N",
                    help="figures: the big flush, N queued messages "
                    "(the issue's 10000 takes about a minute more); 0 "
                    "leaves it out; default 2000")
    ap.add_argument("--json", metavar="FILE",
                    help="also write the figures to FILE")
    ap.add_argument("--figures-only", action="store_true",
                    help="only the figures of issue 16, not the sections "
                    "against smtp-sink and msmtp")
    ap.add_argument("--no-figures", action="store_true",
                    help="only the sections against smtp-sink and msmtp")
    ap.add_argument("--runs", type=int, default=3,
                    help="sections: runs per big send (best and median); "
                    "default 3")
    ap.add_argument("--small", type=int, default=200,
                    help="sections: sequential small sends per program; "
                    "default 200")
    ap.add_argument("--big-mib", type=int, default=100,
                    help="size of the big attachment in MiB; default 100")
    ap.add_argument("--gib", action="store_true",
                    help="the scale series and section 4 also measure "
                    "a 1 GiB attachment (needs about 3 GB of disk in "
                    "$TMPDIR)")
    ap.add_argument("--queue", type=int, default=1000, metavar="N",
                    help="queued messages sent by one pigeon queue flush: "
                    "the figure (against bench_feed -P) and section 5; "
                    "0 leaves both out; default 1000")
    args = ap.parse_args()
    args.runs = max(1, args.runs)
    args.rounds = max(1, args.rounds)
    args.batch = max(1, args.batch)
    args.small = max(1, args.small)
    args.queue = max(0, args.queue)
    args.big_queue = max(0, args.big_queue)

    pigeon = os.path.abspath(args.pigeon)
    if not os.access(pigeon, os.X_OK):
        say("bench: %s does not exist: build it first "
            "(./configure && make)" % args.pigeon)
        return 2
    msmtp = shutil.which("msmtp")

    scratch = tempfile.mkdtemp(prefix="pigeon-bench.")
    figs = []
    rc = 0
    t0 = time.perf_counter()
    try:
        say("pigeon benchmarks")
        say("=================")
        say("  %s (%s); %d CPUs; load %s" % (
            first_line([pigeon, "--version"]), pigeon, os.cpu_count() or 0,
            " ".join("%.2f" % x for x in os.getloadavg())))
        say("")
        if not args.no_figures:
            helper, why = build_helper(scratch)
            if helper is None:
                say("  (no rusage helper: %s; no peak RSS figures)"
                    % (why or "?").splitlines()[0])
            figs = bench_figures.run(sys.modules[__name__], args, pigeon,
                                     helper, scratch, say, table)
        if not args.figures_only:
            rc = sections(args, pigeon, msmtp, scratch)
    except SendFailed as e:
        say("")
        say("bench: FAILED: %s" % e)
        rc = 1
    finally:
        end_running()
        shutil.rmtree(scratch, ignore_errors=True)
    if figs:
        say("Summary: issue 16's figures, medians and minima of %d "
            "interleaved rounds" % args.rounds)
        say(bench_figures.summary(figs, table))
        say("  (ratio = pigeon's median / the limit's median; the verdict "
            "compares ratios only)")
        say("  bench took %.0f s" % (time.perf_counter() - t0))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"pigeon": pigeon,
                       "version": first_line([pigeon, "--version"]),
                       "rounds": args.rounds, "cpus": os.cpu_count(),
                       "figures": figs}, f, indent=1, sort_keys=True)
        say("figures written to %s" % args.json)
    return rc


def sections(args, pigeon, msmtp, scratch):
    """The sections against Postfix's smtp-sink, msmtp beside pigeon."""
    sink = None
    try:
        try:
            binary = find_sink(scratch)
        except Skip as e:
            say("bench: %s" % e)
            say("bench: no usable smtp-sink: sections 1-6 not run "
                "(this is not a failure)")
            return 0
        sink = Sink(binary, scratch)
        try:
            sink.start()
        except Skip as e:
            say("bench: %s" % e)
            say("bench: no usable smtp-sink: sections 1-6 not run "
                "(this is not a failure)")
            return 0
        return bench(args, pigeon, msmtp, binary, sink, scratch)
    finally:
        end_running()
        if sink is not None:
            sink.stop()


def bench(args, pigeon, msmtp, binary, sink, scratch):
    port = sink.port
    home = os.path.join(scratch, "home")
    tmp = os.path.join(scratch, "tmp")
    os.makedirs(home)
    os.makedirs(tmp)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "TMPDIR": tmp,
        "LC_ALL": "C",
    }
    cfg = os.path.join(scratch, "pigeon.conf")
    with open(cfg, "w") as f:
        f.write("default = b\n[account b]\nfrom = Bench <%s>\n"
                "server = smtp+plain://127.0.0.1:%d\n" % (FROM, port))
    os.chmod(cfg, 0o600)
    pigeon_argv = [pigeon, "sendmail", "--config", cfg, RCPT]
    msmtp_argv = None
    if msmtp:
        msmtp_argv = [msmtp, "--host=127.0.0.1", "--port=%d" % port,
                      "--tls=off", "--auth=off", "--from=" + FROM, RCPT]
    helper, why = build_helper(scratch)
    runner = Runner(scratch, env, helper)
    raw = []                    # (section, program, run#, Run)
    expected = 0                # messages the sink should count

    say("Machine")
    say("  nproc:   %d (online CPUs %d)" % (len(os.sched_getaffinity(0)),
                                            os.cpu_count() or 0))
    say("  CPU:     %s" % cpu_model())
    say("  memory:  %s" % mem_total())
    say("  kernel:  %s" % first_line(["uname", "-sr"]))
    say("Versions")
    say("  pigeon:    %s (%s)" % (first_line([pigeon, "--version"]), pigeon))
    say("  msmtp:     %s" % (first_line([msmtp, "--version"]) if msmtp
                             else "not installed: its columns stay empty"))
    say("  smtp-sink: Postfix %s (%s)" % (postfix_version(binary.root),
                                          binary.origin))
    say("  python:    %s" % first_line([sys.executable, "--version"]))
    say("Setup")
    say("  sink:      %s" % " ".join(
        [os.path.relpath(sink.argv[0], TOP)
         if sink.argv[0].startswith(TOP) else sink.argv[0]]
        + sink.argv[1:]))
    say("  pigeon:    pigeon sendmail --config CFG %s < MESSAGE "
        "(server = smtp+plain://127.0.0.1:%d, no AUTH, no transcript)"
        % (RCPT, port))
    if msmtp:
        say("  msmtp:     %s < MESSAGE" % " ".join(
            ["msmtp"] + msmtp_argv[1:]))
    say("  ceiling:   in-process Python client: EHLO, pipelined "
        "MAIL/RCPT/DATA,")
    say("             sendfile(2) of the prebuilt CRLF wire bytes, dot, "
        "QUIT")
    if helper:
        say("  measured: fork+exec+wait4 from tests/bench/rusage.c (built "
            "now with cc -O2):")
        say("            wall, ru_utime+ru_stime, ru_maxrss of each child "
            "alone")
    else:
        say("  measured: posix_spawn+wait4 from Python; no peak RSS (the "
            "rusage helper")
        say("            could not be built: %s)" % (why or "?").splitlines()[0])
    if os.environ.get("SANITIZE", "no") not in ("", "no"):
        say("  NOTE: pigeon is built with sanitizers (SANITIZE=%s): its "
            "figures are not" % os.environ["SANITIZE"])
        say("        representative; rebuild with plain ./configure")
    say("  stdin files are LF-terminated (as mail programs pipe them to "
        "sendmail)")
    say("")

    # --- messages ---
    t = time.perf_counter()
    big_mib = args.big_mib
    sizes = sorted({1, 10, big_mib})
    msgs = {}
    for mib in sizes:
        msgs[mib] = make_attachment_message(scratch, "att%dM" % mib,
                                            mib * MIB, mib == big_mib)
    small = make_small_message(scratch)
    # Hundreds of MB just written are dirty page cache; left alone they
    # slow down the first sends (pigeon's spool writes get throttled while
    # they are pending: 0.8 s instead of 0.57 s here). Flush them first.
    ts = time.perf_counter()
    os.sync()
    ts = time.perf_counter() - ts
    big_lf, big_wire = msgs[big_mib]
    wire_bytes = os.path.getsize(big_wire) + 3      # + ".\r\n"
    say("Generated the messages in %.1f s (sync: %.1f s): %s" % (
        time.perf_counter() - t, ts, ", ".join(
            "%d MiB attachment: %.1f MB" % (m, os.path.getsize(msgs[m][0])
                                            / 1e6) for m in sizes)
        + ", small: %d bytes" % os.path.getsize(small)))
    say("")

    # --- 1. big send ---
    say("1. Big send: %d MiB attachment, %d bytes (%.1f MB) on the wire; "
        "%d runs each, interleaved" % (big_mib, wire_bytes, wire_bytes / 1e6,
                                       args.runs))
    res = {"ceiling": [], "pigeon": [], "msmtp": []}
    ceiling_err = None
    for i in range(args.runs):
        if ceiling_err is None:
            try:
                r = ceiling_send(port, big_wire, sink)
                res["ceiling"].append(r)
                raw.append(("big", "sink ceiling", i + 1, r))
                expected += 1
            except OSError as e:
                ceiling_err = str(e)
                say("  warning: the ceiling client failed: %s" % e)
        # pigeon fsyncs the message into its outbox: start each run with
        # no dirty pages left by the run before.
        os.sync()
        r = runner.run("pigeon sendmail (big)", pigeon_argv, big_lf,
                       sink)[0][0]
        res["pigeon"].append(r)
        raw.append(("big", "pigeon", i + 1, r))
        expected += 1
        if msmtp_argv:
            r = runner.run("msmtp (big)", msmtp_argv, big_lf, sink)[0][0]
            res["msmtp"].append(r)
            raw.append(("big", "msmtp", i + 1, r))
            expected += 1
    rows = []
    names = [("ceiling", "smtp-sink ceiling"), ("pigeon", "pigeon sendmail"),
             ("msmtp", "msmtp")]
    for key, label in names:
        rr = res[key]
        if not rr:
            rows.append([label] + ["-"] * 8)
            continue
        rows.append([
            label,
            fmt_s(best(rr, lambda r: r.wall)),
            fmt_s(median(rr, lambda r: r.wall)),
            "%.0f" % (wire_bytes / 1e6 / best(rr, lambda r: r.wall)),
            fmt_s(best(rr, lambda r: r.cpu)),
            fmt_s(median(rr, lambda r: r.cpu)),
            "%.2f+%.2f" % (median(rr, lambda r: r.user),
                           median(rr, lambda r: r.sys)),
            fmt_rss(max_rss(rr)),
            fmt_s(median(rr, lambda r: r.sink_cpu)),
        ])
    say(table(rows, ["", "wall best", "wall median", "MB/s best",
                     "CPU best", "CPU median", "user+sys med",
                     "peak RSS", "sink CPU med"]))
    say("  (CPU = user+sys of the client process; the ceiling's is the "
        "Python client's own;")
    say("   peak RSS = max ru_maxrss over the runs; sink CPU = what "
        "smtp-sink used meanwhile)")
    p, c, m = res["pigeon"], res["ceiling"], res["msmtp"]
    walls = [r.wall for r in p + c]
    if len(walls) > 1 and max(walls) > 1.3 * min(walls):
        say("  note: the runs spread widely (%.3f s to %.3f s): the sink is "
            "the bottleneck and" % (min(walls), max(walls)))
        say("  its speed depends on the CPU it lands on (see the raw numbers "
            "below); compare")
        say("  best with best")
    say("  ratios (wall, best / median):")
    if c:
        say("    pigeon / sink ceiling: %s / %s" % (
            ratio(best(p, lambda r: r.wall), best(c, lambda r: r.wall)),
            ratio(median(p, lambda r: r.wall), median(c, lambda r: r.wall))))
    if m:
        say("    pigeon / msmtp:        %s / %s   (CPU: %s / %s)" % (
            ratio(best(p, lambda r: r.wall), best(m, lambda r: r.wall)),
            ratio(median(p, lambda r: r.wall), median(m, lambda r: r.wall)),
            ratio(best(p, lambda r: r.cpu), best(m, lambda r: r.cpu)),
            ratio(median(p, lambda r: r.cpu), median(m, lambda r: r.cpu))))
    say("")

    # --- where the time goes: the DATA phase and its end ---
    say("  Where the time goes (ceiling: its first run above, from connect; "
        "pigeon: one")
    say("  more send with -v, from its own start, as its transcript shows "
        "it):")
    rows = []
    for r in c[:1]:
        a, b, d, e = r.phases
        rows.append(["smtp-sink ceiling", "%.3f s" % a, "%.3f s" % b,
                     "%.0f" % (wire_bytes / 1e6 / (b - a)),
                     "%.1f ms" % (1000 * (d - b)), "%.3f s" % e, "-",
                     "-" if r.sink_on is None else "cpu%d" % r.sink_on])
    vr, _ = runner.run("pigeon sendmail -v (big)",
                       pigeon_argv[:2] + ["-v"] + pigeon_argv[2:], big_lf,
                       sink)
    expected += 1
    raw.append(("big", "pigeon -v", 1, vr[0]))
    try:
        with open(runner.errp, "rb") as f:
            ph = transcript_phases(f.read().decode("utf-8", "replace"))
    except OSError:
        ph = None
    if ph is not None:
        a, b, d, e, ms = ph
        rows.append(["pigeon sendmail -v", "%.3f s" % a, "%.3f s" % b,
                     "%.0f" % (wire_bytes / 1e6 / (b - a)) if b > a else "-",
                     "%.1f ms" % (ms if ms is not None else 1000 * (d - b)),
                     "%.3f s" % e, "%.3f s" % vr[0].wall,
                     "-" if vr[0].sink_on is None
                     else "cpu%d" % vr[0].sink_on])
    say(table(rows, ["", "354 at", "dot at", "MB/s in DATA", "dot -> 250",
                     "last line at", "process wall", "sink on"]))
    if ph is None:
        say("  (pigeon's -v transcript was not in the expected "
            "'[  s.mmm] -> line' format)")
    else:
        say("  (pigeon: time before the 354 = start-up + spooling the "
            "message to disk + EHLO;")
        say("   process wall - last line = closing the spool file and "
            "exit)")
    say("")

    # --- 2. peak RSS against size ---
    say("2. pigeon's peak RSS against the attachment size (%d runs each)"
        % args.runs)
    by_size = {big_mib: p}
    for mib in sizes:
        if mib == big_mib:
            continue
        rr = []
        for i in range(args.runs):
            r = runner.run("pigeon sendmail (%d MiB)" % mib, pigeon_argv,
                           msgs[mib][0], sink)[0][0]
            rr.append(r)
            raw.append(("rss", "pigeon %d MiB" % mib, i + 1, r))
            expected += 1
        by_size[mib] = rr
    rows = []
    for mib in sizes:
        rr = by_size[mib]
        rows.append(["%d MiB" % mib,
                     "%.1f" % (os.path.getsize(msgs[mib][0]) / 1e6),
                     fmt_rss(min_rss(rr)),
                     fmt_rss(max_rss(rr)),
                     fmt_s(best(rr, lambda r: r.wall)),
                     fmt_s(median(rr, lambda r: r.cpu))])
    say(table(rows, ["attachment", "MB in", "peak RSS min",
                     "peak RSS max", "wall best", "CPU median"]))
    lo = min_rss(by_size[sizes[0]])
    hi = max_rss(by_size[sizes[-1]])
    if lo is not None and hi is not None:
        d = (hi - lo) / 1024
        say("  peak RSS from %d MiB to %d MiB of attachment: %s MiB "
            "(lowest at %d MiB to highest at %d MiB)"
            % (sizes[0], sizes[-1], "%+.1f" % d if abs(d) >= 0.05 else "0.0",
               sizes[0], sizes[-1]))
    say("")

    # --- 3. small messages ---
    n = args.small
    say("3. Small message (%d bytes): %d sequential sends, each a new "
        "process and connection" % (os.path.getsize(small), n))
    progs = [("pigeon sendmail", pigeon_argv)]
    if msmtp_argv:
        progs.append(("msmtp", msmtp_argv))
    progs.append(("/bin/true (process start)", ["/bin/true"]))
    rows = []
    per = {}
    for label, argv in progs:
        rr, total = runner.run(label + " (small)", argv, small, count=n)
        if argv[0] != "/bin/true":
            expected += n
        per[label] = total / n
        raw.append(("small", label, n, Run(total, sum(r.user for r in rr),
                                            sum(r.sys for r in rr),
                                            max_rss(rr))))
        walls = sorted(r.wall for r in rr)
        rows.append([label, "%.3f s" % total,
                     "%.2f ms" % (1000 * total / n),
                     "%.2f ms" % (1000 * walls[0]),
                     "%.2f ms" % (1000 * statistics.median(walls)),
                     "%.2f ms" % (1000 * walls[-1]),
                     "%.2f ms" % (1000 * sum(r.cpu for r in rr) / n),
                     fmt_rss(max_rss(rr))])
    say(table(rows, ["", "wall total", "ms/message", "fastest",
                     "median", "slowest", "CPU/message", "peak RSS"]))
    if "msmtp" in per:
        say("  pigeon / msmtp: %s per message"
            % ratio(per["pigeon sendmail"], per["msmtp"]))
    say("")

    # --- 4. pigeon send ---
    expected += bench_send(args, pigeon, cfg, runner, sink, scratch, res,
                           big_wire, wire_bytes, raw)

    # --- 5. pigeon queue flush ---
    if args.queue:
        expected += bench_queue(args, pigeon, cfg, env, helper, sink,
                                scratch, small, per, raw)
    else:
        say("5. pigeon queue flush: left out (--queue 0)")
        say("")

    # --- 6. the interactive UI ---
    expected += bench_ui.run(pigeon, cfg, env, scratch, ui_big(scratch, args),
                             max(3, args.runs * 3), say, table)

    # --- sanity: the sink saw every message ---
    got = sink.messages()
    if got is None:
        # The counters show up when a session ends; give it a moment.
        time.sleep(0.2)
        got = sink.messages()
    if got is not None and got != expected:
        say("warning: smtp-sink counted %d messages, expected %d"
            % (got, expected))
    elif got is not None:
        say("smtp-sink counted %d messages, as expected" % got)
    say("")

    # --- raw numbers ---
    say("Raw numbers (wall s, user s, sys s, max RSS KiB, sink CPU s, "
        "CPU the sink last ran on)")
    for section, label, i, r in raw:
        say("  %-5s %-28s %s %8.4f %7.3f %7.3f %8s %7s %4s" % (
            section, label, ("#%d" % i if section != "small"
                             else "x%d" % i).rjust(4), r.wall, r.user,
            r.sys, "-" if r.rss_kb is None else str(r.rss_kb),
            "-" if r.sink_cpu != r.sink_cpu else "%.3f" % r.sink_cpu,
            "-" if r.sink_on is None else "cpu%d" % r.sink_on))
    return 0


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, _terminate)
    try:
        rc = main()
    except BrokenPipeError:
        # stdout went away (e.g. "| head"); the servers are stopped already.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        rc = 0
    sys.exit(rc)
