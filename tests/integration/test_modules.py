# SPDX-License-Identifier: ISC
"""test_modules.py - OpenSSL and libmagic are loaded only by the work that needs them (src/module.h): what the dynamic loader really loads, and what a user is told when a module is missing, changed or open to others."""

import os
import pty
import re
import select
import shutil
import subprocess
import time

from harness import (EX_OK, EX_TEMPFAIL, PigeonTest, message, pigeon_path)

MSG = message(["From: Tester <tester@example.org>", "To: bob@example.org",
               "Subject: modules"], ["hello"])

HEAVY = ("libssl.so", "libcrypto.so", "libmagic.so")


def loaded(stderr):
    """The shared objects the dynamic loader opened (LD_DEBUG=files)."""
    names = set()
    for line in stderr.splitlines():
        i = line.find("file=")
        if i >= 0:
            names.add(line[i + 5:].split()[0].rsplit("/", 1)[-1])
    return names


class Modules(PigeonTest):

    def run_debug(self, args, input=None, exe=None):
        """pigeon with LD_DEBUG=files: (exit status, stderr text)."""
        env = dict(self.env, LD_DEBUG="files")
        p = subprocess.run([exe or pigeon_path()] + args, input=input,
                           env=env, cwd=self.tmp, capture_output=True,
                           timeout=60)
        return p.returncode, p.stdout.decode(errors="replace"), \
            p.stderr.decode(errors="replace")

    def heavy_in(self, names):
        return sorted(n for n in names for h in HEAVY if n.startswith(h))

    def test_commands_without_tls_load_neither_openssl_nor_libmagic(self):
        srv = self.start_smtpd(tls="none")
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None)
        for args, inp in ((["--version"], None),
                          (["queue", "list", "--config", cfg], None),
                          (["sendmail", "--config", cfg, "bob@example.org"],
                           MSG)):
            rc, out, err = self.run_debug(args, inp)
            self.assertEqual(rc, EX_OK, "%s: %s" % (args, err[-2000:]))
            names = loaded(err)
            self.assertIn("libc.so.6", names, err[-2000:])
            self.assertEqual(self.heavy_in(names), [], args)
        self.one_message(srv)

    def test_starttls_loads_the_ssl_module_and_delivers(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        rc, out, err = self.run_debug(["sendmail", "--config", cfg,
                                       "bob@example.org"], MSG)
        self.assertEqual(rc, EX_OK, err[-3000:])
        names = loaded(err)
        self.assertIn("ssl.so", names)
        self.assertTrue(any(n.startswith("libssl.so") for n in names))
        meta, _ = self.one_message(srv)
        self.assertEqual(meta["tls"], "yes")

    def test_attachment_type_from_libmagic_through_its_module(self):
        if not os.path.exists(os.path.join(os.path.dirname(pigeon_path()),
                                           "mod", "magic.so")):
            self.skipTest("built without libmagic")
        srv = self.start_smtpd(tls="none")
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None)
        # A PNG without a telling name: only its content says what it is.
        png = os.path.join(self.tmp, "picture")
        with open(png, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01"
                    b"\x08\x06\0\0\0\x1f\x15\xc4\x89" + b"\0" * 64)
        rc, out, err = self.run_debug(
            ["send", "--config", cfg, "-s", "pic", "-a", png,
             "bob@example.org"], b"see attached\n")
        self.assertEqual(rc, EX_OK, err[-3000:])
        self.assertIn("magic.so", loaded(err))
        _, raw = self.one_message(srv)
        self.assertRegex(raw, rb"(?i)Content-Type: image/png")

    def test_first_frame_of_the_curses_program_maps_no_openssl(self):
        cfg = self.write_config("smtp://127.0.0.1:9")
        pid, fd = pty.fork()
        if pid == 0:
            try:
                env = dict(self.env, TERM="xterm")
                os.execve(pigeon_path(), [pigeon_path(), "--config", cfg],
                          env)
            finally:
                os._exit(127)
        try:
            got, end = b"", time.monotonic() + 20
            while b"compose" not in got and time.monotonic() < end:
                r, _, _ = select.select([fd], [], [], 0.5)
                if r:
                    try:
                        got += os.read(fd, 65536)
                    except OSError:
                        break
            self.assertIn(b"compose", got, "no first frame")
            with open("/proc/%d/maps" % pid) as f:
                maps = f.read()
            self.assertNotIn("libssl", maps)
            self.assertNotIn("libcrypto", maps)
            self.assertNotIn("libmagic", maps)
            self.assertIn("libncursesw", maps)
        finally:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            os.close(fd)

    # -- a module that cannot be used: a copy of the program elsewhere ----

    def copy_program(self, with_modules=True):
        d = os.path.join(self.tmp, "bin")
        os.makedirs(d)
        exe = os.path.join(d, "pigeon")
        shutil.copy2(pigeon_path(), exe)
        if with_modules:
            src = os.path.join(os.path.dirname(pigeon_path()), "mod")
            shutil.copytree(src, os.path.join(d, "mod"))
        return exe

    def send_with(self, exe, *extra):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        p = subprocess.run([exe, "sendmail", "--config", cfg] + list(extra) +
                           ["bob@example.org"], input=MSG, env=self.env,
                           cwd=self.tmp, capture_output=True, timeout=60)
        return srv, p.returncode, p.stderr.decode(errors="replace")

    def assert_kept(self, srv, rc, err):
        """Told in words; the message waits in the outbox, not lost."""
        self.assertEqual(rc, EX_OK, err)
        self.assertIn("cannot load pigeon's ssl module", err)
        self.assertEqual(len(self.outbox()), 1, err)
        self.spool_empty(srv)

    def test_missing_module_is_named_and_the_message_kept(self):
        exe = self.copy_program(with_modules=False)
        srv, rc, err = self.send_with(exe)
        # Not beside the program: the installed place is named.
        self.assertRegex(err, r"/pigeon/ssl\.so")
        self.assert_kept(srv, rc, err)
        srv, rc, err = self.send_with(exe, "--no-queue")
        self.assertEqual(rc, EX_TEMPFAIL, err)

    def test_module_writable_by_others_is_not_loaded(self):
        exe = self.copy_program()
        os.chmod(os.path.join(self.tmp, "bin", "mod", "ssl.so"), 0o666)
        srv, rc, err = self.send_with(exe)
        self.assertIn("not loaded", err)
        self.assert_kept(srv, rc, err)

    def test_module_folder_writable_by_the_group_is_not_loaded(self):
        exe = self.copy_program()
        os.chmod(os.path.join(self.tmp, "bin", "mod"), 0o775)
        srv, rc, err = self.send_with(exe)
        self.assertIn("its folder may be changed by others", err)
        self.assert_kept(srv, rc, err)

    def test_module_of_another_build_is_refused(self):
        exe = self.copy_program()
        path = os.path.join(self.tmp, "bin", "mod", "ssl.so")
        with open(path, "rb") as f:
            data = f.read()
        m = re.search(rb" ssl [0-9]\0", data)
        self.assertIsNotNone(m, "no ABI string in the module")
        i = m.start()
        with open(path, "wb") as f:
            f.write(data[:i] + b" ssl X\0" + data[i + 7:])
        srv, rc, err = self.send_with(exe)
        self.assertIn("another build of pigeon", err)
        self.assert_kept(srv, rc, err)
