# SPDX-License-Identifier: ISC
"""harness.py - shared fixtures for the integration tests: the binary, temp homes, configs, servers, runs.

Every test gets its own temporary HOME and XDG directories, so pigeon never
sees the user's real configuration, outbox or sent folder.  Servers started
through start_smtpd() / start_script() are stopped by addCleanup, also when
the test fails.  pigeon itself runs in a new session (no controlling
terminal), with stdin/stdout/stderr as pipes, and is killed (with its
process group) after RUN_TIMEOUT seconds, which fails the test.

The binary: $PIGEON (the runner sets it from its argument), else ./pigeon
at the top of the repository.
"""

import atexit
import base64
import importlib.util
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import certs          # noqa: E402
from scriptsrv import ALONE, ScriptServer   # noqa: E402,F401

RUN_TIMEOUT = 30

# Passed on from the caller's environment to pigeon; nothing else is.
PASS_ENV = ("LD_LIBRARY_PATH", "LLVM_PROFILE_FILE", "GCOV_PREFIX",
            "GCOV_PREFIX_STRIP")

# sysexits.h
EX_OK = 0
EX_USAGE = 64
EX_DATAERR = 65
EX_NOINPUT = 66
EX_NOUSER = 67
EX_UNAVAILABLE = 69
EX_TEMPFAIL = 75
EX_PROTOCOL = 76
EX_NOPERM = 77
EX_CONFIG = 78

USER = "alice"
PASSWORD = "s3cret-pa55"
FROM_HEADER = "Tester <tester@example.org>"
FROM_ADDR = "tester@example.org"

MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256")


def _load_smtpd():
    # Load our smtpd.py under its own name: "smtpd" is also a (deprecated)
    # standard library module, and we must never get that one.
    spec = importlib.util.spec_from_file_location(
        "pigeon_test_smtpd", os.path.join(HERE, "smtpd.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


smtpd = _load_smtpd()


def pigeon_path():
    p = os.environ.get("PIGEON") or os.path.join(REPO, "pigeon")
    return os.path.abspath(p)


def short_id(mid, digits=8):
    """The short id "pigeon queue list" shows for the message id mid
    when no other needs more digits: the start of its random hex."""
    return re.match(r"[0-9]+\.M[0-9]+P[0-9]+R([0-9a-f]+)\.", mid).group(1)[
        :digits]


# -- ports chosen ahead ---------------------------------------------------

# Ports already given out by free_port() in this process.
_ports_given = set()

# The lowest port free_port() gives out.
PORT_BASE = 10000


def _ephemeral_low():
    """The lowest port of the kernel's ephemeral range, where bind() to
    port 0 and connect() take theirs."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _bindable(port, udp):
    kinds = (socket.SOCK_STREAM, socket.SOCK_DGRAM) if udp \
        else (socket.SOCK_STREAM,)
    for kind in kinds:
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_port(udp=False):
    """A port on 127.0.0.1 that nothing listens on now (for UDP too with
    udp=True), for a server a test starts there later, or to find nobody
    there.  Between now and then nothing else may take it: the port is
    below the kernel's ephemeral range (so no bind to port 0 and no
    outgoing connection gets it), in this test process's own share of
    that range (tests/integration/run gives each of its workers
    PIGEON_TEST_WORKER, 0 to PIGEON_TEST_JOBS - 1), and given out only
    once per process."""
    try:
        jobs = max(1, int(os.environ.get("PIGEON_TEST_JOBS", "1")))
        worker = int(os.environ.get("PIGEON_TEST_WORKER", "0")) % jobs
    except ValueError:
        jobs, worker = 1, 0
    share = (_ephemeral_low() - PORT_BASE) // jobs
    if share < 100:
        raise RuntimeError("no room for test ports below the ephemeral "
                           "range (/proc/sys/net/ipv4/ip_local_port_range)")
    first = PORT_BASE + worker * share
    for _ in range(1000):
        port = random.randrange(first, first + share)
        if port not in _ports_given and _bindable(port, udp):
            _ports_given.add(port)
            return port
    raise RuntimeError("no free port in %d-%d" % (first, first + share - 1))


# -- build features: asked of the binary once per test process ----------

_features = None

# Why a test that needs fault injection is skipped in other builds.
NO_TEST_HOOKS = ("needs a build with test hooks "
                 "(./configure --enable-test-hooks)")


def build_features():
    """The words of the "features:" line of `pigeon --version`, a set.

    A build configured with --enable-test-hooks lists "test-hooks"; the
    binary under test is asked, so this is right whoever built it."""
    global _features
    if _features is None:
        r = subprocess.run([pigeon_path(), "--version"], capture_output=True,
                           timeout=RUN_TIMEOUT, env={"LC_ALL": "C"})
        if r.returncode != 0:
            raise RuntimeError("%s --version: exit status %d: %r"
                               % (pigeon_path(), r.returncode, r.stderr))
        _features = set()
        for line in r.stdout.decode("utf-8", "replace").splitlines():
            if line.startswith("features:"):
                _features.update(line.split()[1:])
    return _features


# -- certificates: made once per test process -----------------------------

_pki = None


def pki():
    global _pki
    if _pki is None:
        d = tempfile.mkdtemp(prefix="pigeon-pki-")
        atexit.register(shutil.rmtree, d, True)
        _pki = certs.Pki(d)
    return _pki


# -- transcripts ----------------------------------------------------------

MARKERS = ("->", "~>", "<-", "<~", "==", "**", "!!")
TRANSCRIPT_RE = re.compile(
    r"^\[\s*[0-9][0-9.:]*\s*\]\s*(->|~>|<-|<~|==|\*\*|!!)(?: (.*))?$")


def transcript(text):
    """[(marker, text)] for every transcript line in text (other lines,
    e.g. "pigeon: ..." errors, are skipped)."""
    out = []
    for line in text.splitlines():
        m = TRANSCRIPT_RE.match(line.rstrip("\r"))
        if m:
            out.append((m.group(1), m.group(2) or ""))
    return out


def client_lines(text):
    return [t for m, t in transcript(text) if m in ("->", "~>")]


def server_lines(text):
    return [t for m, t in transcript(text) if m in ("<-", "<~")]


# -- messages -------------------------------------------------------------

def message(headers, body, eol="\n"):
    """A message as bytes: headers is a list of "Name: value" strings
    (continuation lines allowed), body a list of lines."""
    text = eol.join(list(headers) + [""] + list(body)) + eol
    return text.encode("utf-8")


def local_form(raw):
    """A message as pigeon stores it (drafts/, outbox/, sent/, failed/):
    the bytes that crossed the wire with every CRLF an LF."""
    return raw.replace(b"\r\n", b"\n")


def split_message(raw):
    """(header bytes, body bytes) of a message with CRLF line ends (as on
    the wire) or LF ones (as pigeon stores and prints them)."""
    eol = b"\r\n" if b"\r\n" in raw[:raw.find(b"\n") + 1] else b"\n"
    head, sep, body = raw.partition(eol + eol)
    if not sep:
        raise AssertionError("no empty line between header and body: %r"
                             % raw[:300])
    return head + eol, body


def header_lines(raw):
    """Unfolded header lines of a message (CRLF or LF), as str."""
    head, _ = split_message(raw)
    lines = []
    for ln in head.decode("utf-8", "replace").replace("\r\n", "\n") \
            .split("\n"):
        if not ln:
            continue
        if ln[0] in " \t" and lines:
            lines[-1] += ln
        else:
            lines.append(ln)
    return lines


def headers_named(raw, name):
    n = name.lower() + ":"
    return [h for h in header_lines(raw) if h.lower().startswith(n)]


def bare_line_ends(raw):
    """Positions of CRs not followed by LF and LFs not preceded by CR."""
    bad = []
    for i, c in enumerate(raw):
        if c == 13 and raw[i + 1:i + 2] != b"\n":
            bad.append(i)
        elif c == 10 and (i == 0 or raw[i - 1] != 13):
            bad.append(i)
    return bad


def b64(data):
    return base64.b64encode(data if isinstance(data, bytes)
                            else data.encode()).decode()


def secret_forms(user=USER, password=PASSWORD):
    """Every encoding of the password that must never be shown."""
    pw = password.encode()
    forms = {
        password,
        b64(pw),
        b64(b"\0" + user.encode() + b"\0" + pw),
        b64(user.encode() + b"\0" + user.encode() + b"\0" + pw),
    }
    # Also without padding, which covers the padded form as a substring.
    return sorted({f.rstrip("=") for f in forms} | forms)


# -- results --------------------------------------------------------------

class Result:
    def __init__(self, args, rc, out, err, extra=""):
        self.args, self.rc, self.out, self.err = args, rc, out, err
        self.stdout = out.decode("utf-8", "replace")
        self.stderr = err.decode("utf-8", "replace")
        self.extra = extra

    def __str__(self):
        def tail(s, n=4000):
            return s if len(s) <= n else "...\n" + s[-n:]
        return ("\n$ %s\nexit status: %s\n--- stdout ---\n%s--- stderr ---\n%s"
                "-------------- %s" % (
                    " ".join(self.args), self.rc, tail(self.stdout),
                    tail(self.stderr), self.extra))


class PigeonTest(unittest.TestCase):
    """Base class: a private home, config writing, servers and runs."""

    maxDiff = None

    def setUp(self):
        self._tmpobj = tempfile.TemporaryDirectory(prefix="pigeon-it-")
        self.addCleanup(self._tmpobj.cleanup)
        self.tmp = self._tmpobj.name
        self.home = os.path.join(self.tmp, "home")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
            "XDG_STATE_HOME": os.path.join(self.home, ".local", "state"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
            "TERM": "dumb",
        }
        # Sanitizer and coverage settings must reach the program (make
        # check exports UBSAN_OPTIONS=halt_on_error=1, for instance).
        for k, v in os.environ.items():
            if k in PASS_ENV or k.endswith("SAN_OPTIONS"):
                self.env[k] = v
        for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                  "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            os.makedirs(self.env[k], mode=0o700, exist_ok=True)
        self.pki = pki()
        self._spools = 0

    # -- servers ----------------------------------------------------------

    def start_smtpd(self, tls="starttls", cert=None, key=None, user=USER,
                    password=PASSWORD, **kwargs):
        """An aiosmtpd server (see smtpd.py); stopped at cleanup."""
        if tls != "none" and cert is None:
            cert, key = self.pki.server()
        self._spools += 1
        spool = os.path.join(self.tmp, "spool%d" % self._spools)
        srv = smtpd.SmtpServer(spool, tls=tls, cert=cert, key=key, user=user,
                               password=password, **kwargs)
        srv.start()
        self.addCleanup(srv.stop)
        return srv

    def start_script(self, steps, step_timeout=10.0):
        """A scripted server (see scriptsrv.py); stopped at cleanup."""
        cert, key = self.pki.server()
        srv = ScriptServer(steps, cert=cert, key=key,
                           step_timeout=step_timeout)
        srv.start()
        self.addCleanup(srv.stop)
        return srv

    # -- the data directory ------------------------------------------------

    def folder(self, name):
        """The messages of a Maildir folder of pigeon's: {id: bytes}."""
        data = os.path.join(self.env["XDG_DATA_HOME"], "pigeon")
        out = {}
        for sub in ("new", "cur"):
            d = os.path.join(data, name, sub)
            if not os.path.isdir(d):
                continue
            for f in os.listdir(d):
                with open(os.path.join(d, f), "rb") as fh:
                    out[f.split(":")[0]] = fh.read()
        return out

    def outbox(self):
        """The ids of the messages in the outbox, sorted."""
        return sorted(self.folder("outbox"))

    def envelopes(self):
        d = os.path.join(self.env["XDG_DATA_HOME"], "pigeon", "queue")
        return sorted(f[:-4] for f in os.listdir(d) if f.endswith(".env")) \
            if os.path.isdir(d) else []

    def make_due(self, mid, ago=60):
        """Set the queued message's next try ago seconds back, as if its
        wait were over: the envelope's next-try line (its checksum made
        again) and its modification time, which mirrors it."""
        env = os.path.join(self.env["XDG_DATA_HOME"], "pigeon", "queue",
                           mid + ".env")
        when = int(time.time()) - ago
        with open(env, "rb") as f:
            lines = f.read().splitlines(True)
        if not lines or not lines[-1].startswith(b"end "):
            self.fail("%s: no end line: %r" % (env, lines[-1:]))
        body = b"".join(b"next-try %d\n" % when
                        if ln.startswith(b"next-try ") else ln
                        for ln in lines[:-1])
        with open(env, "wb") as f:
            f.write(body + b"end %08x\n" % zlib.crc32(body))
        os.utime(env, (when, when))

    def need_test_hooks(self):
        """Skip the test unless pigeon has the PIGEON_TEST_FAULT hook."""
        if "test-hooks" not in build_features():
            self.skipTest(NO_TEST_HOOKS)

    # -- locales ----------------------------------------------------------

    def latin1_locale(self):
        """Build de_DE.ISO-8859-1 in a private LOCPATH and set LC_ALL to it
        in self.env; the test is skipped when that cannot be done."""
        if shutil.which("localedef") is None or not os.path.exists(
                "/usr/share/i18n/locales/de_DE"):
            self.skipTest("localedef or the locales sources are missing")
        locpath = os.path.join(self.tmp, "locales")
        os.makedirs(locpath, exist_ok=True)
        r = subprocess.run(["localedef", "-i", "de_DE", "-f", "ISO-8859-1",
                            os.path.join(locpath, "de_DE.ISO-8859-1")],
                           capture_output=True)
        if r.returncode not in (0, 1):
            self.skipTest("localedef failed: %r" % r.stderr)
        self.env["LOCPATH"] = locpath
        self.env["LC_ALL"] = "de_DE.ISO-8859-1"

    # -- configuration ----------------------------------------------------

    def account(self, server, **keys):
        """The settings of account "test"; a key given as None is left out."""
        acc = {
            "from": FROM_HEADER,
            "server": server,
            "user": USER,
            "password_command": "echo " + PASSWORD,
            "tls_cafile": self.pki.ca_cert,
            "timeout": "5",
        }
        acc.update(keys)
        return {k: v for k, v in acc.items() if v is not None}

    def write_config(self, server, accounts=None, default="test", **keys):
        """Write a config file with account "test" (and more accounts if
        given as {name: {key: value}}); returns its path."""
        accs = {"test": self.account(server, **keys)}
        if accounts:
            accs.update(accounts)
        lines = ["# pigeon integration test config", ""]
        if default:
            lines += ["default = %s" % default, ""]
        for name, acc in accs.items():
            lines.append("[account %s]" % name)
            lines += ["%s = %s" % (k, v) for k, v in acc.items()]
            lines.append("")
        path = os.path.join(self.tmp, "config")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        os.chmod(path, 0o600)
        return path

    # -- running pigeon ---------------------------------------------------

    def run_pigeon(self, args, input=None, timeout=RUN_TIMEOUT, extra=""):
        exe = pigeon_path()
        if not os.access(exe, os.X_OK):
            self.fail("pigeon binary not found or not executable: %s" % exe)
        argv = [exe] + list(args)
        proc = subprocess.Popen(
            argv, cwd=self.tmp, env=self.env,
            stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, close_fds=True)
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, err = proc.communicate()
            self.fail("pigeon did not finish within %d s and was killed%s"
                      % (timeout, Result(argv, "killed", out, err, extra)))
        finally:
            # password_command children etc.: nothing may outlive the run.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if proc.returncode < 0:
            self.fail("pigeon was killed by signal %d%s" % (
                -proc.returncode, Result(argv, proc.returncode, out, err,
                                         extra)))
        return Result(argv, proc.returncode, out, err, extra)

    def sendmail(self, cfg, msg, *args):
        return self.run_pigeon(["sendmail", "--config", cfg] + list(args),
                               input=msg)

    # -- assertions -------------------------------------------------------

    def assertExit(self, res, code, why=""):
        if res.rc != code:
            self.fail("expected exit status %d, got %s%s%s" % (
                code, res.rc, (" (" + why + ")") if why else "", res))

    def assertIn(self, member, container, msg=None):
        # Keep failure messages readable for long outputs.
        if member not in container:
            self.fail(msg or "%r not found in %r" % (member, container[-2000:]
                      if isinstance(container, (str, bytes)) else container))

    def assertNoRawControls(self, res, files=()):
        """No ESC or BEL (nor any C0 but TAB/LF/CR) in pigeon's output."""
        blobs = [("stdout", res.out), ("stderr", res.err)]
        for f in files:
            with open(f, "rb") as fh:
                blobs.append((f, fh.read()))
        for name, blob in blobs:
            bad = sorted({c for c in blob if c < 0x20 and c not in (9, 10, 13)
                          or c == 0x7f})
            if bad:
                self.fail("raw control bytes %s in %s%s" % (
                    ", ".join("0x%02x" % c for c in bad), name, res))

    def spool_empty(self, srv, res=None):
        msgs = srv.messages()
        if msgs:
            self.fail("the server received %d message(s), expected none: %r%s"
                      % (len(msgs), [m for m, _ in msgs], res or ""))

    def one_message(self, srv, res=None):
        msgs = srv.messages()
        if len(msgs) != 1:
            self.fail("the server received %d messages, expected 1%s"
                      % (len(msgs), res or ""))
        return msgs[0]

    def script_done(self, srv, res=None):
        """Wait for the scripted server to reach its end after the run."""
        if not srv.wait(15):
            self.fail("scripted server still busy after pigeon exited\n%s%s"
                      % (srv.describe(), res or ""))

    def assertScriptOk(self, srv, res=None):
        self.script_done(srv, res)
        if srv.failures or srv.unexpected:
            self.fail("the client did not follow the script: failures=%r "
                      "unexpected=%r\n%s%s" % (srv.failures, srv.unexpected,
                                               srv.describe(), res or ""))


# -- script building blocks -------------------------------------------------

def reply(code, *lines):
    """A (multi-line) reply: reply(250, "host", "SIZE 10") ->
    b"250-host\\r\\n250 SIZE 10\\r\\n"."""
    lines = lines or ("",)
    out = b""
    for i, ln in enumerate(lines):
        sep = b" " if i == len(lines) - 1 else b"-"
        if isinstance(ln, str):
            ln = ln.encode()
        out += str(code).encode() + sep + ln + b"\r\n"
    return out


GREETING = ("send", b"220 script.test ESMTP scriptsrv\r\n")


def ehlo(*caps):
    """Expect EHLO (sent alone) and answer with these capabilities."""
    return [("expect", rb"^EHLO \S+$", ALONE),
            ("send", reply(250, "script.test", *caps))]


def starttls_steps(*caps_after):
    """Expect STARTTLS, go TLS, expect the new EHLO with these capabilities."""
    return [("expect", rb"^STARTTLS$", ALONE),
            ("send", b"220 2.0.0 Ready to start TLS\r\n"),
            ("starttls",)] + ehlo(*caps_after)


def envelope_steps(rcpts, mail_from=FROM_ADDR):
    """MAIL, RCPT for each address, one at a time (no pipelining)."""
    steps = [("expect", rb"^MAIL FROM:<%s>( .*)?$" % re.escape(
                 mail_from.encode()), ALONE),
             ("send", b"250 2.1.0 Ok\r\n")]
    for r in rcpts:
        steps += [("expect", rb"^RCPT TO:<%s>( .*)?$" % re.escape(r.encode()),
                   ALONE),
                  ("send", b"250 2.1.5 Ok\r\n")]
    return steps


def data_steps(final=b"250 2.0.0 Ok: queued as SCRIPT1\r\n"):
    return [("expect", rb"^DATA$", ALONE),
            ("send", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
            ("read_data",),
            ("send", final)]


def quit_steps():
    return [("expect", rb"^QUIT$"), ("send", b"221 2.0.0 Bye\r\n"), ("close",)]
