# SPDX-License-Identifier: ISC
"""bench_figures.py - the figures of issue 16's table, each against its limit measured in the same run (run by bench.py).

Every figure is taken in --rounds rounds (default 7); each round runs
pigeon and its limit one after the other, in turns (A B, then B A, ...),
so a machine that gets busier or quieter weighs on both alike.  A figure
is the median and the minimum of its rounds, its limit's likewise; the
ratio is pigeon's median over the limit's median, and the verdict compares
that ratio with the target.  Absolute times are printed but never judged.

The server is bench_sink (tests/bench/bench_sink.c: poll(), any number of
sessions, STARTTLS with a certificate made now with the tests' certs.py),
the limit is bench_feed (tests/bench/bench_feed.c): a prebuilt session
with the message in its wire form, written in 64 KiB writes, through
OpenSSL for TLS, pipelined behind the dot for the queue.  Both programs are
run through the rusage helper, like pigeon, so each pays for starting a
process once.

1. big:    pigeon sendmail, a 100 MiB attachment (--big-mib), plain SMTP,
           against bench_feed of its wire form;            target <= 1.3x
2. tls:    the same with STARTTLS (certificate verified by both);  <= 1.3x
3. queue:  pigeon queue flush --all of 1,000 queued small messages in one
           session, against bench_feed -P of as many;      target <= 1.1x
4. start:  one small message, one process (pigeon sendmail), against
           /bin/true; pigeon --version is measured for information.  Each
           round is --batch processes in a row; its figure their mean.
                                                           target <= 2x
5. scale:  pigeon sendmail with attachments of 1, 4, 16, 64, 256 MiB
           (1 GiB with --gib): seconds per MiB at each size, and what each
           MiB more costs from one size to the next, from 16 MiB up (the
           steepest step over the flattest is the figure: linear time
           makes it 1x whatever the fixed cost; target <= 1.3x); peak RSS
           (max over min: <= 1.2x; the issue's caps, 6 MiB plain and
           10 MiB TLS, are figures of the big sends).
6. flush:  pigeon queue flush --all of --big-queue queued messages (default
           2,000; the issue's 10,000 with --big-queue 10000, about a minute
           more to build the queue), against bench_feed -P: <= 1.1x.

A queue is built once per size (pigeon sendmail with the server down,
bench.build_queue) and copied afresh for every round.
"""

import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
MIB = 1024 * 1024


class Unusable(Exception):
    """The figures cannot be taken here (no compiler, no openssl...)."""


# --- the C programs ---------------------------------------------------------

def find_program(pigeon, name, scratch):
    """tests/bench/NAME built by make beside pigeon, if not older than its
    source; else compiled now into scratch with cc -O2 and OpenSSL."""
    src = os.path.join(HERE, name + ".c")
    built = os.path.join(os.path.dirname(pigeon), "tests", "bench", name)
    if os.access(built, os.X_OK) and \
            os.path.getmtime(built) >= os.path.getmtime(src):
        return built
    exe = os.path.join(scratch, name)
    cc = os.environ.get("BENCH_CC") or shutil.which("cc") or \
        shutil.which("gcc")
    if not cc:
        raise Unusable("%s is not built (make bench builds it) and there "
                       "is no C compiler" % name)
    r = subprocess.run([cc, "-std=c11", "-D_DEFAULT_SOURCE", "-O2", "-o",
                        exe, src, "-lssl", "-lcrypto"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise Unusable("%s does not build: %s" % (
            name, r.stdout.decode("utf-8", "replace").strip()))
    return exe


class CSink:
    """bench_sink on 127.0.0.1, STARTTLS offered with cert and key."""

    def __init__(self, exe, scratch, cert, key, running):
        self.out = os.path.join(scratch, "bench_sink.out")
        self.err = os.path.join(scratch, "bench_sink.err")
        self.running = running
        with open(self.out, "wb") as o, open(self.err, "wb") as e:
            self.proc = subprocess.Popen([exe, "-c", cert, "-k", key],
                                         stdin=subprocess.DEVNULL, stdout=o,
                                         stderr=e, start_new_session=True)
        running.add(self.proc.pid)
        self.port = None
        deadline = time.monotonic() + 5
        while self.port is None and time.monotonic() < deadline:
            for line in self._lines():
                if line.startswith("port "):
                    self.port = int(line.split()[1])
            if self.proc.poll() is not None:
                break
            time.sleep(0.01)
        if self.port is None:
            self.stop()
            with open(self.err, "rb") as f:
                raise Unusable("bench_sink does not start: %s" % f.read()
                               .decode("utf-8", "replace").strip())

    def _lines(self):
        try:
            with open(self.out) as f:
                return f.read().splitlines()
        except OSError:
            return []

    def messages(self):
        """Messages received so far (printed at each QUIT)."""
        n = 0
        for line in self._lines():
            for w in line.split():
                if w.startswith("mesg="):
                    n = int(w[5:])
        return n

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.running.discard(self.proc.pid)


# --- figures ------------------------------------------------------------------

def figure(name, unit, runs, limit, limit_runs, target, note=""):
    """One figure: pigeon's runs against its limit's, judged by ratio."""
    fig = {"name": name, "unit": unit, "runs": runs,
           "median": statistics.median(runs), "min": min(runs),
           "limit": limit, "limit_runs": limit_runs,
           "limit_median": statistics.median(limit_runs),
           "limit_min": min(limit_runs), "target": target, "note": note}
    fig["ratio"] = fig["median"] / fig["limit_median"]
    fig["ratio_min"] = fig["min"] / fig["limit_min"]
    fig["met"] = fig["ratio"] <= target
    return fig


def fmt(v, unit):
    if unit == "s":
        return "%.1f ms" % (v * 1000) if v < 0.1 else "%.3f s" % v
    if unit == "KiB":
        return "%.1f MiB" % (v / 1024)
    if unit == "s/MiB":
        return "%.2f ms/MiB" % (v * 1000)
    return "%.2f%s" % (v, unit)


def summary(figs, table):
    rows = []
    for f in figs:
        u = f["unit"]
        rows.append([f["name"], fmt(f["median"], u), fmt(f["min"], u),
                     f["limit"] or "-",
                     fmt(f["limit_median"], u) if f["limit_runs"] else "-",
                     fmt(f["limit_min"], u) if f["limit_runs"] else "-",
                     "%.2fx" % f["ratio"], "<= %gx" % f["target"],
                     "met" if f["met"] else "NOT met"])
    return table(rows, ["figure", "pigeon med", "pigeon min", "limit",
                        "limit med", "limit min", "ratio", "target",
                        "verdict"])


def interleave(rounds, progs):
    """progs: [(name, fn)]; fn() is one measurement.  Runs them in turns,
    the order reversed every other round; {name: [values]}."""
    res = {name: [] for name, _ in progs}
    for r in range(rounds):
        for name, fn in (progs if r % 2 == 0 else progs[::-1]):
            res[name].append(fn())
    return res


def wire_form(lf_path, wire_path):
    """The bytes between DATA and the dot for an LF message: CRLF line
    ends, dot-stuffed."""
    with open(lf_path, "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    with open(wire_path, "wb") as f:
        f.write(b"".join((b"." + ln if ln.startswith(b".") else ln)
                         + b"\r\n" for ln in lines))
    return wire_path


def clear_sent(data):
    """Empty pigeon's sent folder (it keeps a copy of every message)."""
    for sub in ("new", "cur"):
        d = os.path.join(data, "pigeon", "sent", sub)
        for e in os.listdir(d) if os.path.isdir(d) else []:
            os.unlink(os.path.join(d, e))


class Figures:
    def __init__(self, b, args, pigeon, helper, scratch, say, table):
        self.b, self.args, self.pigeon = b, args, pigeon
        self.say, self.table = say, table
        self.scratch = os.path.join(scratch, "figures")
        os.makedirs(self.scratch)
        self.helper = helper
        self.sent = 0           # messages bench_sink should count
        self.figs = []

    def setup(self):
        b, s = self.b, self.scratch
        sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
        try:
            import certs
            pki = certs.Pki(os.path.join(s, "pki"))
            cert, key = pki.server()
        except (ImportError, RuntimeError, OSError) as e:
            raise Unusable("no certificate for STARTTLS: %s" % e)
        self.cafile = pki.ca_cert
        sink_exe = find_program(self.pigeon, "bench_sink", s)
        self.feed = find_program(self.pigeon, "bench_feed", s)
        self.sink = CSink(sink_exe, s, cert, key, b.RUNNING)
        home = os.path.join(s, "home")
        self.data = os.path.join(home, ".local", "share")
        os.makedirs(self.data)
        os.makedirs(os.path.join(s, "tmp"))
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "HOME": home, "XDG_CONFIG_HOME":
                    os.path.join(home, ".config"),
                    "XDG_DATA_HOME": self.data,
                    "TMPDIR": os.path.join(s, "tmp"), "LC_ALL": "C"}
        self.runner = b.Runner(s, self.env, self.helper)
        port = self.sink.port
        self.cfg = {}
        for name, url, extra in (
                ("plain", "smtp+plain://127.0.0.1:%d" % port, ""),
                ("tls", "smtp://127.0.0.1:%d" % port,
                 "tls_cafile = %s\n" % self.cafile),
                ("offline", "smtp+plain://127.0.0.1:1", "")):
            path = os.path.join(s, "%s.conf" % name)
            with open(path, "w") as f:
                f.write("default = b\n[account b]\nfrom = Bench <%s>\n"
                        "server = %s\n%s" % (b.FROM, url, extra))
            os.chmod(path, 0o600)
            self.cfg[name] = path

    def sendmail(self, cfg, path, label):
        """One pigeon sendmail run (after a sync, its sent copy removed
        afterwards): its Run."""
        os.sync()
        r = self.runner.run(label, [self.pigeon, "sendmail", "--config",
                                    self.cfg[cfg], self.b.RCPT], path)[0][0]
        self.sent += 1
        clear_sent(self.data)
        return r

    def feed_run(self, wire, label, *opts, n=1):
        os.sync()
        argv = [self.feed] + list(opts) + ["-n", str(n),
                                           str(self.sink.port), wire]
        r = self.runner.run(label, argv, os.devnull)[0][0]
        self.sent += n
        return r

    # --- 1, 2: the big message, plain and STARTTLS ---
    def big(self):
        b, a = self.b, self.args
        t = time.perf_counter()
        lf, wire = b.make_attachment_message(self.scratch, "fig-big",
                                             a.big_mib * MIB, True)
        self.say("  %d MiB attachment: %.1f MB on the wire (made in %.1f s)"
                 % (a.big_mib, os.path.getsize(wire) / 1e6,
                    time.perf_counter() - t))
        rss = {}
        for mode, opts, target in (("plain", (), 1.3),
                                   ("tls", ("-t", "-C", self.cafile), 1.3)):
            res = interleave(a.rounds, [
                ("pigeon", lambda: self.sendmail(mode, lf, "big " + mode)),
                ("feed", lambda: self.feed_run(wire, "feed " + mode,
                                               *opts))])
            runs = res["pigeon"]
            rss[mode] = [r.rss_kb for r in runs if r.rss_kb is not None]
            self.figs.append(figure(
                "%d MiB sendmail %s" % (a.big_mib, "plain" if mode ==
                                        "plain" else "STARTTLS"), "s",
                [r.wall for r in runs],
                "feed%s" % (" TLS" if opts else ""),
                [r.wall for r in res["feed"]], target))
            self.say("  %-24s pigeon %s, feed %s; CPU med pigeon %.3f s "
                     "feed %.3f s; peak RSS pigeon %s, feed %s" % (
                         self.figs[-1]["name"],
                         "/".join("%.3f" % r.wall for r in runs),
                         "/".join("%.3f" % r.wall for r in res["feed"]),
                         statistics.median(r.cpu for r in runs),
                         statistics.median(r.cpu for r in res["feed"]),
                         b.fmt_rss(b.max_rss(runs)),
                         b.fmt_rss(b.max_rss(res["feed"]))))
        for mode, cap in (("plain", 6), ("tls", 10)):
            if rss[mode]:
                self.figs.append(figure(
                    "peak RSS %s" % ("plain" if mode == "plain"
                                     else "STARTTLS"), "KiB", rss[mode],
                    "issue 16 cap", [cap * 1024], 1.0))
        os.unlink(lf)
        os.unlink(wire)

    # --- 3, 6: queue flushes ---
    def build(self, n, small):
        """A queue of n small messages, built once; its data folder."""
        tpl = os.path.join(self.scratch, "queue%d" % n)
        os.makedirs(tpl)
        argv = [self.pigeon, "sendmail", "--config", self.cfg["offline"],
                self.b.RCPT]
        wall, _ = self.b.build_queue(argv, small, dict(self.env,
                                                       XDG_DATA_HOME=tpl),
                                     n, self.b.QUEUE_JOBS, self.scratch)
        got = len(self.b.maildir_files(os.path.join(tpl, "pigeon",
                                                    "outbox")))
        if got != n:
            raise self.b.SendFailed("the queue of %d has %d messages in "
                                    "its outbox" % (n, got))
        return tpl, wall

    def flush(self, tpl, n, label):
        data = tpl + ".run"
        shutil.copytree(tpl, data, symlinks=True)
        os.sync()
        runner = self.b.Runner(self.scratch, dict(self.env,
                                                  XDG_DATA_HOME=data),
                               self.helper)
        r = runner.run(label, [self.pigeon, "queue", "--config",
                               self.cfg["plain"], "flush", "--all"],
                       os.devnull)[0][0]
        self.sent += n
        outbox = self.b.maildir_files(os.path.join(data, "pigeon",
                                                   "outbox"))
        nsent = len(self.b.maildir_files(os.path.join(data, "pigeon",
                                                      "sent")))
        if outbox or nsent != n:
            raise self.b.SendFailed("%s exited 0 but left %d in the outbox,"
                                    " %d of %d in sent/" % (
                                        label, len(outbox), nsent, n))
        shutil.rmtree(data)
        return r

    def queue(self, n, small, wire, name, rounds):
        t = time.perf_counter()
        tpl, wall = self.build(n, small)
        self.say("  queue of %d built in %.1f s (%d pigeon sendmail runs, "
                 "%d at a time; copied afresh for each round)"
                 % (n, time.perf_counter() - t, n, self.b.QUEUE_JOBS))
        res = interleave(rounds, [
            ("pigeon", lambda: self.flush(tpl, n, "flush %d" % n)),
            ("feed", lambda: self.feed_run(wire, "feed -P %d" % n, "-P",
                                           n=n))])
        fig = figure(name, "s", [r.wall for r in res["pigeon"]],
                     "feed -P", [r.wall for r in res["feed"]], 1.1,
                     "msg/s median: pigeon %.0f, feed %.0f" % (
                         n / statistics.median(r.wall
                                               for r in res["pigeon"]),
                         n / statistics.median(r.wall
                                               for r in res["feed"])))
        self.figs.append(fig)
        self.say("  %-24s %s" % (name, fig["note"]))
        shutil.rmtree(tpl)

    # --- 4: start-up ---
    def start(self, small):
        k = self.args.batch

        def batch(label, argv, stdin):
            rr, _ = self.runner.run(label, argv, stdin, count=k)
            return statistics.mean(r.wall for r in rr)

        def send():
            v = batch("small sendmail", [self.pigeon, "sendmail", "--config",
                                         self.cfg["plain"], self.b.RCPT],
                      small)
            self.sent += k
            clear_sent(self.data)
            return v

        res = interleave(self.args.rounds, [
            ("pigeon", send),
            ("true", lambda: batch("/bin/true", ["/bin/true"], os.devnull)),
            ("version", lambda: batch("pigeon --version",
                                      [self.pigeon, "--version"],
                                      os.devnull))])
        self.figs.append(figure("small sendmail, 1 process", "s",
                                res["pigeon"], "/bin/true", res["true"], 2.0))
        self.say("  start-up, mean of %d processes per round: pigeon "
                 "--version med %.2f ms, min %.2f ms (%.2fx /bin/true; "
                 "information)" % (k, 1000 * statistics.median(
                     res["version"]), 1000 * min(res["version"]),
                     statistics.median(res["version"]) /
                     statistics.median(res["true"])))

    # --- 5: the scale series ---
    def scale(self):
        a = self.args
        sizes = [1, 4, 16, 64, 256]
        note = ""
        if a.gib:
            free = shutil.disk_usage(self.scratch).free
            need = 1024 * MIB * 3
            if free >= need:
                sizes.append(1024)
            else:
                note = "1 GiB left out: %.1f GB free, %.1f GB needed" % (
                    free / 1e9, need / 1e9)
        msgs = {}
        for mib in sizes:
            msgs[mib] = self.b.make_attachment_message(
                self.scratch, "scale%d" % mib, mib * MIB, False)[0]
        os.sync()
        res = interleave(a.rounds, [
            (mib, (lambda m: lambda: self.sendmail(
                "plain", msgs[m], "scale %d MiB" % m))(mib))
            for mib in sizes])
        rows, per = [], {}
        for mib in sizes:
            rr = res[mib]
            walls = [r.wall for r in rr]
            per[mib] = statistics.median(walls) / mib
            rows.append(["%d MiB" % mib, "%.3f s" % statistics.median(walls),
                         "%.3f s" % min(walls), "%.2f" % (1000 * per[mib]),
                         self.b.fmt_rss(self.b.min_rss(rr)),
                         self.b.fmt_rss(self.b.max_rss(rr))])
            os.unlink(msgs[mib])
        self.say(self.table(rows, ["attachment", "wall med", "wall min",
                                   "ms/MiB med", "peak RSS min",
                                   "peak RSS max"]))
        if note or not a.gib:
            self.say("  " + (note or "(1 GiB with --gib: about 3 GB of "
                             "disk, a minute more)"))
        # What each MiB more costs, from one size to the next: flat when
        # the time is linear (a + b * size), whatever the fixed cost a.
        med = {m: statistics.median(r.wall for r in res[m]) for m in sizes}
        steps = [(m0, m1, (med[m1] - med[m0]) / (m1 - m0))
                 for m0, m1 in zip(sizes, sizes[1:]) if m0 >= 16]
        self.say("  each MiB more (median to median): " + ", ".join(
            "%d->%d MiB %.2f ms" % (m0, m1, 1000 * v) for m0, m1, v in steps))
        slopes = [v for _, _, v in steps]
        if slopes and min(slopes) > 0:
            self.figs.append(figure(
                "scale: s/MiB, 16 MiB up", "s/MiB", [max(slopes)],
                "flattest step", [min(slopes)], 1.3,
                "steepest over flattest step of the time per MiB"))
        rss = [r.rss_kb for mib in sizes for r in res[mib]
               if r.rss_kb is not None]
        if rss:
            self.figs.append(figure(
                "scale: peak RSS max/min", "KiB", [max(rss)], "min",
                [min(rss)], 1.2, "peak RSS over every size and round"))

    def run(self):
        a, say = self.args, self.say
        say("Figures of issue 16 (%d rounds each, interleaved; verdicts "
            "compare ratios)" % a.rounds)
        say("  server: bench_sink on 127.0.0.1:%d (STARTTLS offered); "
            "limit: bench_feed" % self.sink.port)
        if a.rounds < 7:
            say("  NOTE: fewer than 7 rounds (--rounds %d): the figures "
                "are rough" % a.rounds)
        self.big()
        small = self.b.make_small_message(self.scratch)
        swire = wire_form(small, os.path.join(self.scratch, "small.wire"))
        if a.queue:
            self.queue(a.queue, small, swire, "flush %d queued" % a.queue,
                       a.rounds)
        self.start(small)
        self.scale()
        if a.big_queue:
            self.queue(a.big_queue, small, swire,
                       "flush %d queued" % a.big_queue, a.rounds)
        got = self.sink.messages()
        if got != self.sent:
            say("  warning: bench_sink counted %d messages, expected %d"
                % (got, self.sent))
        else:
            say("  bench_sink counted %d messages, as expected" % got)
        say("")
        return self.figs


def run(b, args, pigeon, helper, scratch, say, table):
    """The figures, or [] (and why) when they cannot be taken here."""
    f = None
    try:
        f = Figures(b, args, pigeon, helper, scratch, say, table)
        f.setup()
        return f.run()
    except Unusable as e:
        say("Figures of issue 16: not measured: %s" % e)
        say("")
        return []
    finally:
        if f is not None and getattr(f, "sink", None) is not None:
            f.sink.stop()
