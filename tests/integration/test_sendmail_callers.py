# SPDX-License-Identifier: ISC
"""test_sendmail_callers.py - pigeon as the sendmail of mutt, git send-email, cron and mailx: their exact command lines, and what the server got."""

import os
import shlex
import shutil
import subprocess
import unittest

from harness import (EX_CONFIG, EX_OK, EX_USAGE, FROM_ADDR, PigeonTest,
                     headers_named, message, pigeon_path, short_id,
                     transcript)

MSG = message(["From: Tester <tester@example.org>", "To: bob@example.org",
               "Subject: from a caller"], ["Hello from a caller."])

# What Debian's cron writes to "sendmail -FCronDaemon -i -B8BITMIME -oem
# root": its From and To name the local user, without a domain.
CRON_MSG = message(["From: root (Cron Daemon)", "To: root",
                    "Subject: Cron <root@host> run-parts /etc/cron.hourly",
                    "MIME-Version: 1.0",
                    "Content-Type: text/plain; charset=UTF-8",
                    "Content-Transfer-Encoding: 8bit",
                    "X-Cron-Env: <SHELL=/bin/sh>"],
                   ["run-parts: /etc/cron.hourly/x exited with return code 1"])

CRON_ARGS = ["-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root"]


class CallerTest(PigeonTest):

    def link(self, name):
        """A symbolic link named name to the binary, as a package makes."""
        d = os.path.join(self.tmp, "bin")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, name)
        if not os.path.lexists(path):
            os.symlink(pigeon_path(), path)
        return path

    def run_as(self, name, args, input=None):
        """Run the binary through a link called name (argv[0])."""
        exe = self.link(name)
        proc = subprocess.run([exe] + list(args), cwd=self.tmp, env=self.env,
                              input=input, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=30)

        class R:
            pass
        r = R()
        r.rc, r.out, r.err = proc.returncode, proc.stdout, proc.stderr
        r.stderr = proc.stderr.decode("utf-8", "replace")
        r.args = [exe] + list(args)
        r.__str__ = None
        return r

    def default_config(self, server, **keys):
        """The config where a caller that names none finds it."""
        path = self.write_config(server, **keys)
        d = os.path.join(self.env["XDG_CONFIG_HOME"], "pigeon")
        os.makedirs(d, mode=0o700, exist_ok=True)
        dest = os.path.join(d, "config")
        shutil.copy(path, dest)
        os.chmod(dest, 0o600)
        return dest

    def aliases(self, text):
        path = os.path.join(self.tmp, "aliases")
        with open(path, "w") as f:
            f.write(text)
        return path

    def queued(self):
        return self.outbox()


class Mutt(CallerTest):
    """mutt and neomutt: set sendmail="pigeon --account test sendmail"."""

    def test_options_before_the_command_batch(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.run_pigeon(["--config", cfg, "--account", "test",
                               "sendmail", "-oi", "-t"], input=MSG)
        self.assertExit(res, EX_OK)
        meta, raw = self.one_message(srv, res)
        self.assertEqual(meta["rcpt_tos"], ["bob@example.org"])
        self.assertEqual(meta["mail_from"], FROM_ADDR)

    def test_mutt_command_line(self):
        # mutt appends "-oem -oi -f FROM -- RCPT..." to $sendmail.
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.run_pigeon(["--config=" + cfg, "-v", "--account", "test",
                               "sendmail", "-oem", "-oi", "-f", FROM_ADDR,
                               "--", "bob@example.org", "carol@example.org"],
                              input=MSG)
        self.assertExit(res, EX_OK)
        meta, _ = self.one_message(srv, res)
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["bob@example.org", "carol@example.org"])
        # -v before the command: the transcript on stderr.
        self.assertIn("->", [m for m, _ in transcript(res.stderr)])

    def test_common_options_before_other_commands(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        res = self.run_pigeon(["--config", cfg, "queue", "list"])
        self.assertExit(res, EX_OK)
        res = self.run_pigeon(["--config", cfg, "--account", "nosuch",
                               "sendmail", "bob@example.org"], input=MSG)
        self.assertExit(res, EX_CONFIG)
        self.assertIn(b"nosuch", res.err)


class GitSendEmail(CallerTest):

    def git(self, repo, *args):
        env = dict(self.env, GIT_AUTHOR_NAME="Tester",
                   GIT_AUTHOR_EMAIL=FROM_ADDR, GIT_COMMITTER_NAME="Tester",
                   GIT_COMMITTER_EMAIL=FROM_ADDR)
        return subprocess.run(["git", "-C", repo] + list(args), env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=60)

    def test_git_send_email(self):
        if shutil.which("git") is None:
            self.skipTest("git is not installed")
        repo = os.path.join(self.tmp, "repo")
        os.makedirs(repo)
        self.assertEqual(self.git(repo, "init", "-q").returncode, 0)
        exec_path = subprocess.run(["git", "--exec-path"],
                                   stdout=subprocess.PIPE).stdout.strip()
        if not os.path.exists(os.path.join(exec_path, b"git-send-email")):
            self.skipTest("git send-email is not installed (Debian: "
                          "apt-get install git-email)")
        with open(os.path.join(repo, "hello.c"), "w") as f:
            f.write("int main(void) { return 0; }\n")
        self.assertEqual(self.git(repo, "add", "hello.c").returncode, 0)
        r = self.git(repo, "commit", "-q", "-m", "Add hello")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.git(repo, "format-patch", "-1", "-o", self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        patch = r.stdout.decode().strip()
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        cmd = "%s --config %s --account test sendmail" % (
            shlex.quote(os.path.abspath(pigeon_path())), shlex.quote(cfg))
        r = self.git(repo, "send-email", "--sendmail-cmd=" + cmd,
                     "--to=bob@example.org", "--from=Tester <%s>" % FROM_ADDR,
                     "--confirm=never", "--suppress-cc=all", "--quiet",
                     patch)
        self.assertEqual(r.returncode, 0, "git send-email failed: %s %s" % (
            r.stdout, r.stderr))
        meta, raw = self.one_message(srv)
        self.assertEqual(meta["rcpt_tos"], ["bob@example.org"])
        self.assertEqual(meta["mail_from"], FROM_ADDR)
        self.assertIn(b"[PATCH] Add hello", raw)
        self.assertIn(b"+int main(void) { return 0; }", raw)


class Cron(CallerTest):

    def test_cron_root_through_aliases(self):
        srv = self.start_smtpd()
        self.default_config("smtp://127.0.0.1:%d" % srv.port,
                            sendmail_aliases=self.aliases(
                                "# system aliases\npostmaster: root\n"
                                "root: admin@example.org\n"))
        res = self.run_as("sendmail", CRON_ARGS, input=CRON_MSG)
        self.assertEqual(res.rc, EX_OK, res.err)
        meta, raw = self.one_message(srv)
        self.assertEqual(meta["rcpt_tos"], ["admin@example.org"])
        self.assertEqual(meta["mail_from"], FROM_ADDR)
        # The envelope only: the message goes as cron wrote it.
        self.assertEqual(headers_named(raw, "To"), ["To: root"])

    def test_cron_default_alias_and_domain(self):
        srv = self.start_smtpd()
        self.default_config("smtp://127.0.0.1:%d" % srv.port,
                            sendmail_aliases=self.aliases(
                                "default: ops@example.org\n"))
        res = self.run_as("sendmail", ["-FCronDaemon", "-i", "-oem",
                                       "www-data"], input=CRON_MSG)
        self.assertEqual(res.rc, EX_OK, res.err)
        meta, _ = self.one_message(srv)
        self.assertEqual(meta["rcpt_tos"], ["ops@example.org"])

    def test_cron_qualify_domain_said_in_the_transcript(self):
        srv = self.start_smtpd()
        self.default_config("smtp://127.0.0.1:%d" % srv.port,
                            qualify_domain="host.example.org")
        res = self.run_as("sendmail", ["-v"] + CRON_ARGS, input=CRON_MSG)
        self.assertEqual(res.rc, EX_OK, res.err)
        meta, _ = self.one_message(srv)
        self.assertEqual(meta["rcpt_tos"], ["root@host.example.org"])
        self.assertIn("root@host.example.org (qualify_domain)", res.stderr)

    def test_cron_without_aliases_or_domain_fails_loudly(self):
        srv = self.start_smtpd()
        self.default_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.run_as("sendmail", CRON_ARGS, input=CRON_MSG)
        # Not 0: cron logs the failure; nothing silently dropped.
        self.assertEqual(res.rc, EX_CONFIG, res.err)
        self.assertIn(b"pigeon: 'root' has no domain", res.err)
        self.assertIn(b"qualify_domain", res.err)
        self.assertIn(b"sendmail_aliases", res.err)
        self.spool_empty(srv)
        self.assertEqual(self.queued(), [])

    def test_no_alias_flag(self):
        srv = self.start_smtpd()
        self.default_config("smtp://127.0.0.1:%d" % srv.port,
                            qualify_domain="host.example.org",
                            sendmail_aliases=self.aliases(
                                "root: admin@example.org\n"))
        res = self.run_as("sendmail", ["-n", "-i", "root"], input=CRON_MSG)
        self.assertEqual(res.rc, EX_OK, res.err)
        meta, _ = self.one_message(srv)
        self.assertEqual(meta["rcpt_tos"], ["root@host.example.org"])

    def test_local_names_in_the_header_with_t(self):
        # logwatch and others: "sendmail -t" with "To: root".
        srv = self.start_smtpd()
        self.default_config("smtp://127.0.0.1:%d" % srv.port,
                            sendmail_aliases=self.aliases(
                                "root: admin@example.org\n"))
        res = self.run_as("sendmail", ["-t", "-oi"], input=CRON_MSG)
        self.assertEqual(res.rc, EX_OK, res.err)
        meta, _ = self.one_message(srv)
        self.assertEqual(meta["rcpt_tos"], ["admin@example.org"])


class Mailx(CallerTest):

    def test_s_nail(self):
        snail = shutil.which("s-nail")
        if snail is None:
            self.skipTest("s-nail is not installed (Debian: apt-get "
                          "install s-nail)")
        srv = self.start_smtpd()
        self.default_config("smtp://127.0.0.1:%d" % srv.port,
                            sendmail_aliases=self.aliases(
                                "root: admin@example.org\n"))
        mta = self.link("sendmail")
        proc = subprocess.run(
            [snail, "-n", "-#", "-S", "mta=" + mta, "-S", "sendwait",
             "-s", "disk full", "root", "bob@example.org"],
            input=b"The disk is full.\n", env=self.env, cwd=self.tmp,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        meta, raw = self.one_message(srv)
        self.assertEqual(sorted(meta["rcpt_tos"]),
                         ["admin@example.org", "bob@example.org"])
        self.assertIn(b"Subject: disk full", raw)
        self.assertIn(b"The disk is full.", raw)


class Queue(CallerTest):

    def test_odq_queues_mailq_lists_q_flushes(self):
        srv = self.start_smtpd()
        cfg = self.default_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "-odq", "-oi", "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertEqual(res.err, b"")
        self.spool_empty(srv, res)
        ids = self.queued()
        self.assertEqual(len(ids), 1)
        qid = ids[0]
        for r in (self.run_as("mailq", []),
                  self.run_as("sendmail", ["-bp"]),
                  self.run_pigeon(["sendmail", "-bp"])):
            self.assertEqual(r.rc, EX_OK, r.err)
            self.assertIn(short_id(qid).encode(), r.out)
            self.assertIn(b"bob@example.org", r.out)
        res = self.run_as("sendmail", ["-q"])
        self.assertEqual(res.rc, EX_OK, res.err)
        meta, _ = self.one_message(srv)
        self.assertEqual(meta["rcpt_tos"], ["bob@example.org"])
        r = self.run_as("mailq", [])
        self.assertEqual(r.rc, EX_OK)
        self.assertNotIn(short_id(qid).encode(), r.out)


class Flags(CallerTest):

    ODD = ["-B", "8BITMIME", "-C", "/etc/mail/sendmail.cf", "-G",
           "-L", "tag", "-O", "Timeout.queuereturn=1d", "-U",
           "-X", "/dev/null", "-h", "17", "-m", "-i", "-oi", "-oem",
           "-oep", "-oeq", "-om", "-odi", "-odb", "-Am", "-Ac", "-bm",
           "-N", "never", "-R", "hdrs", "-V", "envid-1",
           "-F", "Full Name", "-r", FROM_ADDR]

    def test_every_odd_flag_is_accepted(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        for flags in [[f] for f in ("-G", "-U", "-m", "-i", "-oi", "-oem",
                                    "-oep", "-oeq", "-om", "-odi", "-odb",
                                    "-Am", "-Ac", "-bm", "-B8BITMIME",
                                    "-Ltag", "-h17", "-CX", "-XY",
                                    "-OA=B")] + [self.ODD]:
            res = self.sendmail(cfg, MSG, *(flags + ["bob@example.org"]))
            self.assertExit(res, EX_OK, repr(flags))
            self.assertEqual(res.err, b"", repr(flags))
        self.assertEqual(len(srv.messages()), 21)

    def test_ignored_flags_named_under_v(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        res = self.sendmail(cfg, MSG, "-v", "-G", "-Ltag", "-B8BITMIME",
                            "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertIn(b"pigeon: ignored", res.err)
        self.assertIn(b"-G -Ltag -B8BITMIME", res.err)

    def test_unsupported_mode_is_one_line(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        res = self.sendmail(cfg, MSG, "-bs")
        self.assertExit(res, EX_USAGE)
        self.assertEqual(len(res.err.splitlines()), 1, res.err)
        self.assertTrue(res.err.startswith(b"pigeon: "), res.err)
        # It says what is there instead.
        self.assertIn(b"-bp", res.err)


class AccountBySender(CallerTest):

    def two_accounts(self):
        home = self.start_smtpd()
        work = self.start_smtpd()
        cfg = self.write_config(
            "smtp://127.0.0.1:%d" % home.port,
            accounts={"work": self.account(
                "smtp://127.0.0.1:%d" % work.port,
                **{"from": "Me <me@work.example>",
                   "from_addresses": "*@lists.work.example, "
                                     "boss@other.example"})})
        return home, work, cfg

    def test_dash_f_picks_the_account(self):
        home, work, cfg = self.two_accounts()
        for sender in ("me@work.example", "me+cron@work.example",
                       "dev@lists.work.example", "BOSS@other.example"):
            res = self.sendmail(cfg, MSG, "-f", sender, "bob@example.org")
            self.assertExit(res, EX_OK, sender)
        self.spool_empty(home)
        self.assertEqual([m["mail_from"] for m, _ in work.messages()],
                         ["me@work.example", "me+cron@work.example",
                          "dev@lists.work.example", "BOSS@other.example"])
        # No match: the default account.
        res = self.sendmail(cfg, MSG, "-f", "x@else.example",
                            "bob@example.org")
        self.assertExit(res, EX_OK)
        self.assertEqual(len(home.messages()), 1)

    def test_from_field_picks_the_account(self):
        home, work, cfg = self.two_accounts()
        msg = message(["From: Me <me@work.example>", "To: bob@example.org",
                       "Subject: x"], ["x"])
        res = self.sendmail(cfg, msg, "-t", "-oi")
        self.assertExit(res, EX_OK)
        self.spool_empty(home)
        meta, _ = self.one_message(work)
        self.assertEqual(meta["mail_from"], "me@work.example")

    def test_named_account_wins(self):
        home, work, cfg = self.two_accounts()
        res = self.run_pigeon(["--account", "test", "sendmail", "--config",
                               cfg, "-f", "me@work.example",
                               "bob@example.org"], input=MSG)
        self.assertExit(res, EX_OK)
        self.spool_empty(work)
        meta, _ = self.one_message(home)
        self.assertEqual(meta["mail_from"], "me@work.example")


class Conventions(CallerTest):

    def test_wrong_option_is_one_line(self):
        for args, cmd in ((["send", "--bogus"], "send"),
                          (["sendmail", "-Z"], "sendmail"),
                          (["sendmail", "-f"], "sendmail"),
                          (["queue", "--frob"], "queue"),
                          (["probe", "-x"], "probe")):
            res = self.run_pigeon(args)
            self.assertExit(res, EX_USAGE, repr(args))
            lines = res.err.splitlines()
            self.assertEqual(len(lines), 1, res.err)
            self.assertTrue(lines[0].startswith(b"pigeon: "), res.err)
            self.assertIn(("'pigeon %s --help'" % cmd).encode(), lines[0])
        res = self.run_pigeon(["frobnicate"])
        self.assertExit(res, EX_USAGE)
        self.assertEqual(res.err.splitlines(),
                         [b"pigeon: unknown command 'frobnicate'; try "
                          b"'pigeon --help'"])

    def test_help_ends_with_where_to_report_bugs(self):
        for args in (["--help"], ["send", "--help"], ["sendmail", "--help"],
                     ["queue", "--help"], ["probe", "--help"]):
            res = self.run_pigeon(args)
            self.assertExit(res, EX_OK, repr(args))
            tail = b"\n".join(res.out.strip().splitlines()[-2:])
            self.assertIn(b"Report bugs to", tail, repr(args))
        res = self.run_as("mailq", ["--help"])
        self.assertEqual(res.rc, EX_OK)
        self.assertIn(b"Report bugs to",
                      b"\n".join(res.out.strip().splitlines()[-2:]))

    def test_version_has_copyright_and_licence(self):
        for args in (["--version"], ["sendmail", "--version"]):
            res = self.run_pigeon(args)
            self.assertExit(res, EX_OK)
            self.assertIn(b"Copyright (C) the pigeon authors", res.out)
            self.assertIn(b"License ISC", res.out)


if __name__ == "__main__":
    unittest.main()
