# SPDX-License-Identifier: ISC
"""test_ui_form.py - the account form of the interactive UI: an error names its field, the TLS, EHLO and signature fields, finding a new server's port and security."""

import os
import re
import time

from harness import free_port as closed_port
from tmuxui import UiTest

PIN = ":".join(["AB"] * 32)


class Form(UiTest):

    def selected_line(self):
        """The line in reverse video (the cursor), the bars left out."""
        out = self.tmux("capture-pane", "-p", "-e", "-t", "t").stdout.decode(
            "utf-8", "replace")
        plain = self.screen().split("\n")
        lines = out.split("\n")
        for i, line in enumerate(lines[1:-3], start=1):
            if "\x1b[7m" in line or ";7m" in line:
                return plain[i] if i < len(plain) else ""
        return ""

    def field_line(self, label):
        """The screen's line of the field label (the first that starts with it)."""
        for line in self.screen().split("\n"):
            if line[2:].startswith(label):
                return line
        self.fail("no field %r\n--- screen ---\n%s" % (label, self.screen()))

    def go(self, label):
        """On the account form: the cursor to the field label (down, else up)."""
        for key in ("j", "k"):
            for _ in range(20):
                if self.selected_line().lstrip("! ").startswith(label):
                    return
                self.keys(key)
                time.sleep(0.05)
        self.fail("no field %r\n--- screen ---\n%s" % (label, self.screen()))

    def form_set(self, label, text):
        """On the account form: the field label gets text (None: Enter only)."""
        self.go(label)
        self.keys("Enter")
        if text is not None:
            self.wait_status(label)
            self.keys("C-u")
            self.type(text)
            self.keys("Enter")
            deadline = time.monotonic() + 10
            # A long value is cut at the width of the screen.
            while text[:40] not in self.field_line(label):
                if time.monotonic() > deadline:
                    self.fail("never set: %r\n%s" % (label, self.screen()))
                time.sleep(0.05)

    def new_account(self, cfg, env=None, cols=100):
        self.start(cfg, env=env, cols=cols)
        self.keys("A")
        self.wait_screen("Accounts (* default, > in use)")
        self.keys("a")
        self.wait_screen("New account")

    def read(self, path):
        with open(path) as f:
            return f.read()

    # -- an error names its field, and nothing is written -------------------

    def test_bad_from_is_named_and_marked_until_changed(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        before = self.read(cfg)
        self.new_account(cfg)
        self.form_set("Name", "other")
        self.form_set("From", "not an address")
        self.form_set("Server", "127.0.0.1:2525")
        self.keys("s")
        s = self.wait_screen("From: must be one address")
        # The cursor went to it, and it is marked.
        self.assertTrue(self.selected_line().lstrip("! ").startswith("From"),
                        s)
        self.assertTrue(self.field_line("From").startswith("!"), s)
        self.assertEqual(self.read(cfg), before)
        # Changed, the mark goes; saved, it is there.
        self.form_set("From", "o@example.org")
        s = self.screen()
        self.assertNotIn("must be one address", s)
        self.assertFalse(self.field_line("From").startswith("!"), s)
        self.keys("s")
        self.wait_screen("account other saved")
        text = self.read(cfg)
        self.assertIn("[account other]\nfrom = o@example.org\n"
                      "server = smtp://127.0.0.1:2525\n", text)

    def test_missing_server_is_named(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        before = self.read(cfg)
        self.new_account(cfg)
        self.form_set("Name", "other")
        self.form_set("From", "o@example.org")
        self.keys("s")
        s = self.wait_screen("Server: the account needs its submission "
                             "server")
        self.assertTrue(self.selected_line().lstrip("! ").startswith(
            "Server"), s)
        self.assertEqual(self.read(cfg), before)

    def test_name_with_a_space_refused(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        before = self.read(cfg)
        self.new_account(cfg)
        self.form_set("Name", "my account")
        self.form_set("From", "o@example.org")
        self.form_set("Server", "127.0.0.1:2525")
        self.keys("s")
        s = self.wait_screen("Name: 'my account' cannot be a name")
        self.assertTrue(self.selected_line().lstrip("! ").startswith("Name"),
                        s)
        self.assertEqual(self.read(cfg), before)

    def test_existing_name_refused_for_a_new_account(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        before = self.read(cfg)
        self.new_account(cfg)
        self.form_set("Name", "test")
        self.form_set("From", "o@example.org")
        self.form_set("Server", "127.0.0.1:2525")
        self.keys("s")
        self.wait_screen("Name: there is an account test already")
        self.assertEqual(self.read(cfg), before)

    def test_bad_pin_and_unreadable_files_are_named(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        before = self.read(cfg)
        self.start(cfg)
        self.keys("A")
        self.wait_screen("Accounts (* default, > in use)")
        self.keys("e")
        self.wait_screen("Edit account")
        self.form_set("Certificate pin", "AB:CD")
        self.keys("s")
        self.wait_screen("Certificate pin: 'AB:CD' is not a SHA-256 "
                         "fingerprint")
        self.form_set("Certificate pin", PIN)
        missing = os.path.join(self.tmp, "no-such-signature")
        self.form_set("Signature file", missing)
        self.keys("s")
        self.wait_screen("Signature file: cannot read %s" % missing)
        self.form_set("Signature file", self.tmp)
        self.keys("s")
        self.wait_screen("Signature file: %s is not a file" % self.tmp)
        self.form_set("Signature file", "")
        self.form_set("EHLO name", "two words")
        self.keys("s")
        self.wait_screen("EHLO name: 'two words' cannot go after EHLO")
        self.assertEqual(self.read(cfg), before)

    # -- the new fields: written, read back, removed when empty ------------

    def test_tls_helo_signature_written_read_back_and_removed(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        cert, key = self.pki.server()
        sig = os.path.join(self.tmp, "signature.txt")
        with open(sig, "w") as f:
            f.write("Me\n")
        self.start(cfg)
        self.keys("A")
        self.wait_screen("Accounts (* default, > in use)")
        self.keys("e")
        self.wait_screen("Edit account")
        self.form_set("Certificate pin", PIN)
        self.form_set("Client certificate", cert)
        self.form_set("Client key", key)
        self.form_set("EHLO name", "client.example.org")
        self.form_set("Signature file", sig)
        self.keys("s")
        self.wait_screen("account test saved")
        text = self.read(cfg)
        self.assertIn("# pigeon integration test config", text)
        for k, v in (("tls_cafile", self.pki.ca_cert),
                     ("tls_fingerprint", PIN), ("tls_cert", cert),
                     ("tls_key", key), ("helo", "client.example.org"),
                     ("signature", sig)):
            self.assertEqual(re.findall(r"(?m)^%s = (.*)$" % k, text), [v],
                             text)
        # Read back: the form shows them again.
        self.keys("e")
        self.wait_screen("Edit account")
        for label, v in (("CA certificates", self.pki.ca_cert),
                         ("Certificate pin", PIN),
                         ("Client certificate", cert), ("Client key", key),
                         ("EHLO name", "client.example.org"),
                         ("Signature file", sig)):
            self.go(label)
            self.assertIn(v[:40], self.field_line(label))
        # Emptied, a field's key goes; the others stay.
        self.form_set("CA certificates", "")
        self.form_set("Client key", "")
        self.keys("s")
        self.wait_screen("account test saved")
        text = self.read(cfg)
        self.assertNotIn("tls_cafile", text)
        self.assertNotIn("tls_key", text)
        self.assertIn("tls_cert = %s\n" % cert, text)
        self.assertIn("helo = client.example.org\n", text)
        self.assertIn("# pigeon integration test config", text)

    # -- every kind of server the config can name --------------------------

    def test_lmtp_socket_and_opportunistic_kept_by_an_edit(self):
        """An LMTP socket or smtp+opportunistic server is shown as what it
        is, and a save of another field keeps it (it was once shown as
        "none" and saved as smtp+plain://)."""
        sock = os.path.join(self.tmp, "lmtp.sock")
        for server, label, shown in (
                ("lmtp://" + sock, "LMTP", sock),
                ("smtp+opportunistic://127.0.0.1:2525",
                 "STARTTLS when offered", "127.0.0.1:2525"),
                ("lmtp://127.0.0.1", "LMTP", "127.0.0.1:24")):
            cfg = self.write_config(server)
            self.start(cfg)
            self.keys("A")
            self.wait_screen("Accounts (* default, > in use)")
            self.keys("e")
            self.wait_screen("Edit account")
            self.assertIn(label, self.field_line("Security"))
            self.assertIn(shown, self.field_line("Server"))
            self.form_set("EHLO name", "client.example.org")
            self.keys("s")
            self.wait_screen("account test saved")
            self.assertEqual(re.findall(r"(?m)^server = (.*)$",
                                        self.read(cfg)), [server], server)
            self.stop_ui()

    def test_port_25_choice_is_saved_without_looking(self):
        """A new account whose security is chosen as STARTTLS when offered
        is saved at once with port 25's scheme: nothing to find."""
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.new_account(cfg)
        self.form_set("Name", "mx")
        self.form_set("From", "o@example.org")
        self.form_set("Server", "127.0.0.1")
        for _ in range(3):
            self.form_set("Security", None)
        self.assertIn("STARTTLS when offered", self.field_line("Security"))
        self.form_set("Security", None)
        self.assertIn("LMTP", self.field_line("Security"))
        self.form_set("Security", None)
        self.assertIn("STARTTLS", self.field_line("Security"))
        self.assertNotIn("offered", self.field_line("Security"))
        for _ in range(3):
            self.form_set("Security", None)
        self.keys("s")
        self.wait_screen("account mx saved")
        self.assertIn("server = smtp+opportunistic://127.0.0.1\n",
                      self.read(cfg))

    # -- finding a new account's port and security --------------------------

    def test_save_finds_the_port_and_security(self):
        self.need_test_hooks()
        down = closed_port()
        srv = self.start_smtpd(tls="starttls")
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.new_account(cfg, env={
            "PIGEON_TEST_DETECT": "%d/implicit,%d/starttls" % (down,
                                                               srv.port),
            "PIGEON_TEST_DETECT_TIMEOUT_MS": "3000"})
        self.form_set("Name", "found")
        self.form_set("From", "o@example.org")
        self.form_set("CA certificates", self.pki.ca_cert)
        self.form_set("Server", "127.0.0.1")
        self.assertIn("STARTTLS", self.field_line("Security"))
        self.keys("s")
        s = self.wait_screen("%d (STARTTLS): works" % srv.port)
        self.assertRegex(s, r"%d \(implicit TLS\): .*[Cc]onnection refused"
                         % down)
        self.assertIn("127.0.0.1:%d" % srv.port, self.field_line("Server"))
        self.assertIn("STARTTLS", self.field_line("Security"))
        # Not saved yet: the user may change it first.
        self.assertNotIn("[account found]", self.read(cfg))
        self.keys("s")
        self.wait_screen("account found saved")
        text = self.read(cfg)
        self.assertIn("[account found]", text)
        self.assertEqual(re.findall(r"(?m)^server = (.*)$", text)[-1],
                         "smtp://127.0.0.1:%d" % srv.port)
        # Found is not logged in: the server saw no mail.
        self.assertEqual(srv.messages(), [])

    def test_d_finds_implicit_tls(self):
        self.need_test_hooks()
        down = closed_port()
        srv = self.start_smtpd(tls="implicit")
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.new_account(cfg, env={
            "PIGEON_TEST_DETECT": "%d/starttls,%d/implicit" % (down,
                                                               srv.port),
            "PIGEON_TEST_DETECT_TIMEOUT_MS": "3000"})
        self.form_set("Name", "tls")
        self.form_set("From", "o@example.org")
        self.form_set("CA certificates", self.pki.ca_cert)
        self.form_set("Server", "127.0.0.1")
        self.keys("d")
        self.wait_screen("%d (implicit TLS): works" % srv.port)
        # The tries are in the transcript pane too.
        s = self.wait_screen("SMTP transcript")
        self.assertIn("TLS", self.field_line("Security"))
        self.assertNotIn("STARTTLS", self.field_line("Security"))
        self.assertIn("127.0.0.1:%d" % srv.port, self.field_line("Server"))
        self.keys("s")
        self.wait_screen("account tls saved")
        self.assertIn("server = smtps://127.0.0.1:%d\n" % srv.port,
                      self.read(cfg))
        self.assertTrue(s)

    def test_nothing_found_is_said_then_saved_as_typed(self):
        self.need_test_hooks()
        down = closed_port()
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.new_account(cfg, env={
            "PIGEON_TEST_DETECT": "%d/implicit" % down,
            "PIGEON_TEST_DETECT_TIMEOUT_MS": "3000"})
        self.form_set("Name", "nothing")
        self.form_set("From", "o@example.org")
        self.form_set("Server", "127.0.0.1")
        self.keys("s")
        self.wait_screen("Server: 127.0.0.1 takes no mail on the ports "
                         "tried")
        self.assertNotIn("[account nothing]", self.read(cfg))
        # s again: saved as it is (STARTTLS, its own port).
        self.keys("s")
        self.wait_screen("account nothing saved")
        self.assertIn("server = smtp://127.0.0.1\n", self.read(cfg))

    def test_untrusted_certificate_gives_its_pin(self):
        """Nothing trusted: the error says the certificate's fingerprint;
        as the pin, it is found."""
        self.need_test_hooks()
        srv = self.start_smtpd(tls="starttls")
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.new_account(cfg, env={
            "PIGEON_TEST_DETECT": "%d/starttls" % srv.port,
            "SSL_CERT_FILE": os.path.join(self.tmp, "no-such-bundle.pem")})
        self.form_set("Name", "pinned")
        self.form_set("From", "o@example.org")
        self.form_set("Server", "127.0.0.1")
        self.keys("d")
        s = self.wait_screen("Certificate pin")
        s = self.wait_screen("is not trusted")
        # The message is wrapped under the fields: whole.
        m = re.search(r"(([0-9A-F]{2}:){31}[0-9A-F]{2}) as the Certificate",
                      s.replace("\n  ", " "))
        self.assertTrue(m, s)
        self.form_set("Certificate pin", m.group(1))
        self.keys("d")
        self.wait_screen("%d (STARTTLS): works" % srv.port)
        self.keys("s")
        self.wait_screen("account pinned saved")
        text = self.read(cfg)
        self.assertIn("tls_fingerprint = %s\n" % m.group(1), text)
        self.assertIn("server = smtp://127.0.0.1:%d\n" % srv.port, text)
