# SPDX-License-Identifier: ISC
"""test_runner.py - tests/integration/run itself: -j runs test modules in worker processes with the same lines and summary as -j 1, and harness.free_port() gives each worker ports of its own."""

import os
import re
import subprocess
import sys
import unittest

from harness import HERE, pigeon_path

RUN = os.path.join(HERE, "run")
# Two small modules, so that a run takes seconds.
PICK = ["-k", "test_explain", "-k", "test_hexdump"]
LINE = re.compile(r"^(ok    |FAIL  |ERROR |skip  ) test_[a-z_]+\.[A-Za-z]+\.\S+ "
                  r"\(.*\)$")


def run(*args):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PIGEON_TEST_WORKER", "PIGEON_TEST_JOBS")}
    return subprocess.run([sys.executable, RUN] + list(args),
                          capture_output=True, env=env, timeout=300)


class Runner(unittest.TestCase):

    def lines(self, r):
        out = r.stdout.decode("utf-8", "replace")
        return out, [ln for ln in out.split("\n") if LINE.match(ln)]

    def test_workers_give_the_same_tests_and_summary(self):
        one = run("-j", "1", *PICK, pigeon_path())
        two = run("-j", "2", *PICK, pigeon_path())
        out1, lines1 = self.lines(one)
        out2, lines2 = self.lines(two)
        self.assertEqual(one.returncode, 0, out1)
        self.assertEqual(two.returncode, 0, out2)
        self.assertIn("(2 modules in 2 workers)\n", out2)
        self.assertGreater(len(lines1), 2, out1)
        # Each line whole; the same tests, in whatever order they ended.
        name = re.compile(r"^\S+ +(\S+) ")
        self.assertEqual(sorted(name.match(ln).group(1) for ln in lines1),
                         sorted(name.match(ln).group(1) for ln in lines2))
        last1 = out1.rstrip("\n").split("\n")[-1]
        last2 = out2.rstrip("\n").split("\n")[-1]
        self.assertRegex(last1, r"^[0-9]+ passed, 0 failed")
        self.assertEqual(last1, last2)

    def test_bad_job_counts_are_refused(self):
        for bad in (["-j", "0"], ["-j", "x"], ["-j"]):
            r = run(*bad, pigeon_path())
            self.assertEqual(r.returncode, 2, (bad, r))
            self.assertIn(b"usage: tests/integration/run [-j N]", r.stderr)

    def test_j_glued_to_its_number(self):
        r = run("-j2", "-k", "test_explain", pigeon_path())
        self.assertEqual(r.returncode, 0, r)
        self.assertRegex(r.stdout.decode(), r"\n[0-9]+ passed, 0 failed\n$")


class FreePort(unittest.TestCase):

    def ports(self, worker, jobs, n=20):
        code = ("import harness\n"
                "print(' '.join(str(harness.free_port(udp=%d %% 2 == 0))"
                " for _ in range(%d)))" % (worker, n))
        env = dict(os.environ, PIGEON_TEST_WORKER=str(worker),
                   PIGEON_TEST_JOBS=str(jobs))
        r = subprocess.run([sys.executable, "-c", code], cwd=HERE, env=env,
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r)
        return [int(p) for p in r.stdout.split()]

    def test_each_worker_has_its_own_ports_below_the_ephemeral_ones(self):
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
        got = {w: self.ports(w, 3) for w in range(3)}
        for w, ports in got.items():
            self.assertEqual(len(set(ports)), len(ports), ports)
            for p in ports:
                self.assertGreaterEqual(p, 1024)
                self.assertLess(p, low)
        for w in range(2):
            self.assertLess(max(got[w]), min(got[w + 1]), got)
