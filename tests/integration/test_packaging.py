# SPDX-License-Identifier: ISC
"""test_packaging.py - configure as Debian's dh_auto_configure runs it, out of tree and cross; install, uninstall, install-strip, the sendmail links, the tarball, the man pages and the shell completions."""

import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import unittest

from harness import REPO, pigeon_path

# What dh_auto_configure (debhelper 13.11, compat 13) passes on Debian 12
# amd64; "${prefix}" reaches configure as it stands (no shell between).
DH_FLAGS = [
    "--build=x86_64-linux-gnu", "--prefix=/usr",
    "--includedir=${prefix}/include", "--mandir=${prefix}/share/man",
    "--infodir=${prefix}/share/info", "--sysconfdir=/etc",
    "--localstatedir=/var", "--disable-option-checking",
    "--disable-silent-rules", "--libdir=${prefix}/lib/x86_64-linux-gnu",
    "--runstatedir=/run", "--disable-maintainer-mode",
    "--disable-dependency-tracking",
]

CONFIGURE_TIMEOUT = 300
MAKE_TIMEOUT = 600


def clean_env(**extra):
    """The environment for configure and make: none of the make check run's
    make variables (a sub-make must not look for its jobserver)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
                        "DESTDIR")}
    env["LC_ALL"] = "C"
    env.update(extra)
    return env


def run(argv, cwd, env=None, timeout=CONFIGURE_TIMEOUT):
    return subprocess.run(argv, cwd=cwd, env=env or clean_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout)


def makefile_vars(path):
    """NAME = VALUE lines of a Makefile, as a dict."""
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^([A-Za-z_][A-Za-z_0-9]*) = ?(.*)$", line.rstrip("\n"))
            if m and m.group(1) not in out:
                out[m.group(1)] = m.group(2)
    return out


class Base(unittest.TestCase):

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="pigeon-pkg-")
        self.addCleanup(self._tmp.cleanup)
        self.tmp = self._tmp.name

    def configure(self, *args, builddir=None, env=None):
        b = builddir or os.path.join(self.tmp, "build")
        os.makedirs(b, exist_ok=True)
        r = run([os.path.join(REPO, "configure")] + list(args), cwd=b,
                env=env)
        return b, r

    def assertRan(self, r, what):
        self.assertEqual(r.returncode, 0, "%s: exit status %d:\n%s"
                         % (what, r.returncode, r.stdout.decode(errors="replace")))


class Configure(Base):

    def dh_flags(self):
        """The flags dh_auto_configure passes, asked of debhelper itself
        when it is installed (it runs a configure that writes them down in
        a scratch package), else DH_FLAGS."""
        if shutil.which("dh_auto_configure") is None:
            return DH_FLAGS
        pkg = os.path.join(self.tmp, "pkg")
        os.makedirs(os.path.join(pkg, "debian"))
        with open(os.path.join(pkg, "debian", "control"), "w") as f:
            f.write("Source: pigeon\nMaintainer: T <t@example.org>\n"
                    "Build-Depends: debhelper-compat (= 13)\n\n"
                    "Package: pigeon\nArchitecture: any\n"
                    "Description: test\n test\n")
        with open(os.path.join(pkg, "debian", "changelog"), "w") as f:
            f.write("pigeon (0.1.0-1) unstable; urgency=medium\n\n"
                    "  * Test.\n\n"
                    " -- T <t@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n")
        args = os.path.join(self.tmp, "dh-args")
        with open(os.path.join(pkg, "configure"), "w") as f:
            f.write('#!/bin/sh\nfor a; do printf "%%s\\n" "$a"; done >"%s"\n'
                    % args)
        os.chmod(os.path.join(pkg, "configure"), 0o755)
        r = run(["dh_auto_configure", "--builddirectory=build"], cwd=pkg)
        self.assertRan(r, "dh_auto_configure")
        with open(args) as f:
            flags = f.read().split("\n")[:-1]
        arch = run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], cwd=pkg)
        if arch.stdout.strip() == b"x86_64-linux-gnu":
            self.assertEqual(flags, DH_FLAGS)
        return flags

    def test_dh_auto_configure_flags_out_of_tree(self):
        """The flag set of dh_auto_configure is accepted in a build
        directory; the directories land in the Makefile and config.h, the
        rest is named in one note; config.status repeats the run."""
        flags = self.dh_flags()
        b, r = self.configure(*flags)
        self.assertRan(r, "configure " + " ".join(flags))
        out = r.stdout.decode()
        self.assertRegex(out, r"configure: note: nothing to do for pigeon, "
                         r"ignored: --disable-silent-rules "
                         r"--disable-maintainer-mode "
                         r"--disable-dependency-tracking\n")
        self.assertIn("configure: note: pigeon installs nothing into: "
                      "--includedir --infodir --localstatedir "
                      "--runstatedir\n", out)
        mk = makefile_vars(os.path.join(b, "Makefile"))
        self.assertEqual(os.path.realpath(mk["srcdir"]),
                         os.path.realpath(REPO))
        self.assertEqual(mk["prefix"], "/usr")
        self.assertEqual(mk["mandir"], "$(prefix)/share/man")
        self.assertEqual(mk["sysconfdir"], "/etc")
        self.assertRegex(mk["libdir"], r"^\$\(prefix\)/lib/")
        self.assertEqual(mk["runstatedir"], "/run")
        self.assertEqual(mk["docdir"], "$(datarootdir)/doc/$(PACKAGE)")
        with open(os.path.join(b, "config.h")) as f:
            h = f.read()
        self.assertIn('#define SYSCONFDIR "/etc"\n', h)
        self.assertIn('#define LOCALEDIR "/usr/share/locale"\n', h)
        # The modules go to $(libdir)/pigeon, where the program looks.
        self.assertRegex(h, r'#define PIGEON_MODDIR "/usr/lib/[^"]+/pigeon"\n')
        for d in ("src", "ui/cli", "tests/unit", "doc"):
            self.assertTrue(os.path.isdir(os.path.join(b, d)), d)
        # Something made through vpath from a source in srcdir.
        r = run(["make", "doc/pigeon-queue.service"], cwd=b)
        self.assertRan(r, "make doc/pigeon-queue.service")
        with open(os.path.join(b, "doc/pigeon-queue.service")) as f:
            self.assertIn("/usr/bin/pigeon", f.read())
        # config.status runs the same configure with the same flags.
        with open(os.path.join(b, "config.status")) as f:
            status = f.read()
        self.assertIn("exec '%s/configure'" % mk["srcdir"], status)
        self.assertIn("'--mandir=${prefix}/share/man'", status)

    def test_unknown_options(self):
        """An unknown --enable/--with is an error, a note with
        --disable-option-checking; an unknown --option is always an error;
        a directory must be absolute."""
        b, r = self.configure("--enable-frobnicate", "--help")
        self.assertEqual(r.returncode, 0)   # --help wins, as in autoconf
        b, r = self.configure("--enable-frobnicate")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"unknown option: --enable-frobnicate", r.stdout)
        b, r = self.configure("--frobnicate", "--disable-option-checking")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"unknown option: --frobnicate", r.stdout)
        b, r = self.configure("--docdir=doc")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"needs an absolute directory", r.stdout)
        b, r = self.configure("--enable-frobnicate", "--with-gtk=3",
                              "--disable-option-checking", "LIBS=-lm",
                              "PIGEON_TEST_VAR=1", "--version")
        self.assertRan(r, "configure --version")
        self.assertIn(b"pigeon configure 0.1.0", r.stdout)

    def test_host_prefixes_the_tools(self):
        """--host=TYPE: TYPE-gcc is the compiler, TYPE-pkg-config the
        pkg-config, TYPE-ar the archiver; nothing built is run. (With the
        other options and variables configure takes: LIBS, a directory,
        unknown features that --disable-option-checking lets pass.)"""
        host = "x86_64-pigeontest-linux-gnu"
        bindir = os.path.join(self.tmp, "bin")
        os.makedirs(bindir)
        log = os.path.join(self.tmp, "tools.log")
        for tool, real in (("gcc", "cc"), ("pkg-config", "pkg-config"),
                           ("ar", "ar")):
            path = os.path.join(bindir, "%s-%s" % (host, tool))
            with open(path, "w") as f:
                f.write('#!/bin/sh\necho %s >>"%s"\nexec %s "$@"\n'
                        % (tool, log, real))
            os.chmod(path, 0o755)
        env = clean_env(PATH=bindir + os.pathsep + os.environ["PATH"])
        env.pop("CC", None)
        env.pop("PKG_CONFIG", None)
        b, r = self.configure("--build=x86_64-linux-gnu", "--host=" + host,
                              "--enable-frobnicate", "--with-gtk=3",
                              "--disable-option-checking", "LIBS=-lm",
                              "--docdir=/opt/doc", "--program-prefix=x-",
                              env=env)
        self.assertRan(r, "configure --host")
        self.assertIn(b"unknown options, ignored: --enable-frobnicate "
                      b"--with-gtk=3", r.stdout)
        self.assertIn(b"ignored: --program-prefix", r.stdout)
        mk = makefile_vars(os.path.join(b, "Makefile"))
        self.assertEqual(mk["LIBS"], "-lm")
        self.assertEqual(mk["docdir"], "/opt/doc")
        with open(os.path.join(b, "config.status")) as f:
            self.assertIn("'LIBS=-lm'", f.read())
        self.assertEqual(mk["CC"], host + "-gcc")
        self.assertEqual(mk["AR"], host + "-ar")
        self.assertEqual(mk["STRIP"], "strip")
        with open(log) as f:
            used = set(f.read().split())
        self.assertEqual(used, {"gcc", "pkg-config"})
        self.assertIn(b"cross-compiling yes (host " + host.encode(),
                      r.stdout)


def build_dir():
    """The directory the pigeon under test was built in, when it has a
    Makefile (make check runs from there)."""
    d = os.path.dirname(pigeon_path())
    if not os.path.isfile(os.path.join(d, "Makefile")):
        raise unittest.SkipTest("no Makefile beside %s" % pigeon_path())
    return d


class Install(Base):

    def make(self, *targets, **vars):
        argv = ["make", "--no-print-directory", "-C", build_dir()]
        argv += list(targets)
        argv += ["%s=%s" % kv for kv in vars.items()]
        return run(argv, cwd=self.tmp, timeout=MAKE_TIMEOUT)

    def test_install_and_uninstall_leave_nothing(self):
        """make install puts the program, the man pages, the completions
        and the documentation with the example configuration; with the
        sendmail links, uninstall removes all of it and every directory
        it created, and nothing else."""
        mk = makefile_vars(os.path.join(build_dir(), "Makefile"))
        dest = os.path.join(self.tmp, "inst")
        # A directory that was there before stays, even when empty.
        os.makedirs(os.path.join(dest, "keep"))
        r = self.make("install", "install-sendmail-links", DESTDIR=dest,
                      prefix="/usr", bashcompletiondir="/bc",
                      zshcompletiondir="/zc", docdir="/doc/pigeon",
                      SENDMAIL_LINK_DIR="/keep")
        self.assertRan(r, "make install")
        files = set()
        for top, dirs, names in os.walk(dest):
            for n in names:
                files.add(os.path.relpath(os.path.join(top, n), dest))
        for f in ("usr/bin/pigeon", "usr/share/man/man1/pigeon.1",
                  "usr/share/man/man5/pigeon.conf.5", "bc/pigeon",
                  "zc/_pigeon", "doc/pigeon/config.example",
                  "doc/pigeon/README", "doc/pigeon/NEWS",
                  "doc/pigeon/LICENSE", "keep/sendmail", "keep/mailq"):
            self.assertIn(f, files)
        self.assertEqual(os.readlink(os.path.join(dest, "keep/sendmail")),
                         "/usr/bin/pigeon")
        st = os.stat(os.path.join(dest, "usr/bin/pigeon"))
        self.assertEqual(st.st_mode & 0o777, 0o755)
        # The modules (TLS; libmagic when built with it), in $(libdir)/pigeon.
        mods = sorted(f for f in files if f.startswith("usr/lib/pigeon/"))
        self.assertIn("usr/lib/pigeon/ssl.so", mods)
        for m in mods:
            st = os.stat(os.path.join(dest, m))
            self.assertEqual(st.st_mode & 0o777, 0o644, m)
        with open(os.path.join(dest, "doc/pigeon/config.example")) as f:
            self.assertIn("[account ", f.read())
        r = self.make("uninstall", DESTDIR=dest, prefix="/usr",
                      bashcompletiondir="/bc", zshcompletiondir="/zc",
                      docdir="/doc/pigeon", SENDMAIL_LINK_DIR="/keep")
        self.assertRan(r, "make uninstall")
        left = sorted(os.path.relpath(os.path.join(t, n), dest)
                      for t, ds, ns in os.walk(dest) for n in ds + ns)
        self.assertEqual(left, ["keep"])
        self.assertFalse(os.path.exists(
            os.path.join(build_dir(), "installed-dirs")))
        del mk

    def test_install_strip(self):
        """make install-strip installs a program without symbols; the
        built one keeps them."""
        if shutil.which("nm") is None:
            self.skipTest("nm (binutils) is missing")
        dest = os.path.join(self.tmp, "inst")
        r = self.make("install-strip", DESTDIR=dest, prefix="/p")
        self.assertRan(r, "make install-strip")
        r = run(["nm", os.path.join(dest, "p/bin/pigeon")], cwd=self.tmp)
        self.assertIn(b"no symbols", r.stdout)
        r = run(["nm", os.path.join(dest, "p/lib/pigeon/ssl.so")],
                cwd=self.tmp)
        self.assertIn(b"no symbols", r.stdout)
        r = run(["nm", pigeon_path()], cwd=self.tmp)
        self.assertEqual(r.returncode, 0)
        self.assertNotIn(b"no symbols", r.stdout)
        r = self.make("uninstall", DESTDIR=dest, prefix="/p")
        self.assertRan(r, "make uninstall")
        self.assertFalse(os.path.exists(dest))

    def test_sendmail_links_never_replace_another_sendmail(self):
        """A sendmail that is not a link to pigeon is left as it is, and
        the target fails saying why."""
        dest = os.path.join(self.tmp, "inst")
        os.makedirs(os.path.join(dest, "sbin"))
        other = os.path.join(dest, "sbin", "sendmail")
        with open(other, "w") as f:
            f.write("postfix\n")
        r = self.make("install-sendmail-links", DESTDIR=dest,
                      SENDMAIL_LINK_DIR="/sbin")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"is not a link to", r.stdout)
        with open(other) as f:
            self.assertEqual(f.read(), "postfix\n")
        self.assertFalse(os.path.lexists(os.path.join(dest, "sbin/mailq")))
        r = self.make("uninstall-sendmail-links", DESTDIR=dest,
                      SENDMAIL_LINK_DIR="/sbin")
        self.assertRan(r, "make uninstall-sendmail-links")
        self.assertTrue(os.path.isfile(other))

    def test_dist_leaves_out_the_repository_files(self):
        """The tarball has LICENSE, the completions and the example
        configuration, and no .ci/, .gitignore or .gitattributes."""
        out = os.path.join(self.tmp, "p.tar.gz")
        r = self.make("dist", DIST_TARBALL=out)
        self.assertRan(r, "make dist")
        with tarfile.open(out) as t:
            names = t.getnames()
        top = names[0].split("/")[0]
        rel = {n[len(top) + 1:] for n in names if "/" in n}
        for want in ("LICENSE", "configure", "Makefile.in",
                     "doc/config.example", "doc/completion/pigeon.bash",
                     "doc/completion/_pigeon", "tests/smtp/basic_send.script"):
            self.assertIn(want, rel)
        for bad in rel:
            self.assertFalse(bad.startswith(".ci") or bad in (
                ".gitignore", ".gitattributes"), bad)

    def test_man_pages_lint_clean(self):
        """make lint-man: mandoc -Tlint and groff -ww find nothing."""
        for t in ("mandoc", "groff"):
            if shutil.which(t) is None:
                self.skipTest("%s is not installed" % t)
        r = self.make("lint-man")
        self.assertRan(r, "make lint-man")
        self.assertIn(b"man pages: clean", r.stdout)


class Completion(Base):

    BASH = "/usr/share/bash-completion/bash_completion"

    def complete(self, words, home):
        """What bash completes for the command line WORDS (the last one is
        being typed), one candidate a line."""
        script = r'''
source %s
source "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
_pigeon pigeon "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%%s\n' "${COMPREPLY[@]}"
''' % self.BASH
        r = subprocess.run(
            ["bash", "-c", script, "bash",
             os.path.join(REPO, "doc/completion/pigeon.bash")] + words,
            env={"HOME": home, "PATH": os.environ["PATH"], "LC_ALL": "C"},
            capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [w for w in r.stdout.decode().split("\n") if w]

    def test_bash(self):
        """Commands, options, queue subcommands and the account names of
        the configuration file (or of --config FILE)."""
        if shutil.which("bash") is None or not os.path.exists(self.BASH):
            self.skipTest("bash-completion is not installed")
        home = os.path.join(self.tmp, "home")
        os.makedirs(os.path.join(home, ".config", "pigeon"))
        with open(os.path.join(home, ".config", "pigeon", "config"), "w") as f:
            f.write("default = home\n[account home]\nfrom = a@b.example\n"
                    "  [Account  work ]  \n[account]\n")
        other = os.path.join(self.tmp, "other.conf")
        with open(other, "w") as f:
            f.write("[account lab]\n")
        self.assertEqual(self.complete(["pigeon", ""], home),
                         ["send", "sendmail", "queue", "probe"])
        self.assertEqual(self.complete(["pigeon", "--account", ""], home),
                         ["home", "work"])
        self.assertEqual(self.complete(
            ["pigeon", "--config", other, "--account", ""], home), ["lab"])
        self.assertEqual(self.complete(["pigeon", "queue", ""], home),
                         ["list", "flush", "retry", "edit", "rm", "log"])
        self.assertIn("--due", self.complete(
            ["pigeon", "queue", "flush", "--"], home))
        self.assertIn("--dry-run", self.complete(
            ["pigeon", "send", "--d"], home))
        self.assertIn("-oi", self.complete(["pigeon", "sendmail", "-"], home))
        self.assertEqual(self.complete(["pigeon", "sendmail", "-R", ""],
                                       home), ["full", "hdrs"])

    def test_zsh_syntax(self):
        """The zsh function at least parses."""
        if shutil.which("zsh") is None:
            self.skipTest("zsh is not installed")
        r = subprocess.run(["zsh", "-n", os.path.join(
            REPO, "doc/completion/_pigeon")], capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)



class Licence(unittest.TestCase):

    def test_every_source_file_says_its_licence(self):
        """LICENSE holds the ISC licence of the pigeon authors, and every
        C and Python file of src/, ui/ and tests/, configure and
        Makefile.in say so in their header (.ci/license-lines puts the
        line in)."""
        with open(os.path.join(REPO, "LICENSE")) as f:
            text = f.read()
        self.assertIn("ISC License", text)
        self.assertIn("Copyright (c) the pigeon authors", text)
        files = ["configure", "Makefile.in", "tests/integration/run"]
        for top in ("src", "ui", "tests"):
            for d, dirs, names in os.walk(os.path.join(REPO, top)):
                dirs[:] = [x for x in dirs if x not in (
                    "corpus", "build", ".sink", "tmp", "__pycache__")]
                for n in names:
                    if n.endswith((".c", ".h", ".py")):
                        files.append(os.path.relpath(os.path.join(d, n),
                                                     REPO))
        missing = []
        for f in files:
            with open(os.path.join(REPO, f), encoding="utf-8") as fh:
                head = [fh.readline() for _ in range(40)]
            if not any("SPDX-License-Identifier: ISC" in line
                       for line in head):
                missing.append(f)
        self.assertEqual(missing, [], "no licence line (run "
                         ".ci/license-lines)")


if __name__ == "__main__":
    unittest.main()
