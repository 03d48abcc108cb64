# SPDX-License-Identifier: ISC
"""test_ui_screens.py - the UI as screens on one loop (issue 14): help from the key tables, list keys, the status line, the composer's keys, the editor, work going on at once, the pane, the reader."""

import email
import email.policy
import os
import re
import socket
import time
import unittest

from harness import PASSWORD, free_port
from tmuxui import UiTest, shell_quote

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Key names as the help writes them, as tmux send-keys takes them.
TMUX_KEYS = {"PgDn": "NPage", "PgUp": "PPage", "Esc": "Escape",
             "Backspace": "BSpace"}

# keys.c's names for the constants of the C tables.
C_KEYS = {"TUI_KEY_UP": "Up", "TUI_KEY_DOWN": "Down", "TUI_KEY_LEFT": "Left",
          "TUI_KEY_RIGHT": "Right", "TUI_KEY_HOME": "Home",
          "TUI_KEY_END": "End", "TUI_KEY_BACKSPACE": "Backspace",
          "TUI_KEY_DELETE": "Delete", "TUI_KEY_ENTER": "Enter",
          "TUI_KEY_PGUP": "PgUp", "TUI_KEY_PGDN": "PgDn", "KEY_ESC": "Esc",
          "'\\r'": "Enter", "'\\n'": "Enter", "'\\t'": "Tab", "' '": "Space"}

STRING = r'"(?:[^"\\]|\\.)*"'
TEXT = r'(NULL|N_\(\s*(?:%s\s*)+\))' % STRING
ENTRY = re.compile(r'\{\s*([^,{}]+?|\'.\'|\' \'),\s*(\w+),\s*%s,\s*%s\s*\}'
                   % (TEXT, TEXT), re.S)


def c_text(lit):
    if lit == "NULL":
        return None
    return "".join(bytes(s[1:-1], "utf-8").decode("unicode_escape")
                   for s in re.findall(STRING, lit))


def key_table(path, name):
    """The key table name in the C file path: [(names, help)], one per
    action, its aliases' names after its own, as keys_help() writes it."""
    with open(os.path.join(REPO, path), encoding="utf-8") as f:
        src = f.read()
    m = re.search(r"struct keydef %s\[\] = \{(.*?)\n\};" % name, src, re.S)
    out = []
    for key, action, _hint, help in ENTRY.findall(m.group(1)):
        key = key.strip()
        if key == "0":
            continue
        if key in C_KEYS:
            kname = C_KEYS[key]
        elif key.startswith("KEY_CTRL("):
            kname = "C-" + key[len("KEY_CTRL('"):-2]
        elif re.fullmatch(r"'.'", key):
            kname = key[1]
        else:
            raise ValueError("%s: a key I cannot name: %s" % (name, key))
        if action == "0":
            # Enter is three keys: named once.
            if kname not in out[-1][0]:
                out[-1][0].append(kname)
        else:
            out.append(([kname], c_text(help)))
    return [(names, help) for names, help in out if help is not None]


def write_maildir(folder, n, subject="Message %d", to="bob@example.org",
                  body="Text of message %d.\n", extra="", flags="S",
                  start=1700000000):
    """n messages filed in folder/cur, named as src/mdname.c names them
    (SECONDS.MUSECPPID.RHEX.HOST:2,FLAGS); message i is i minutes newer
    than message i-1.  Returns the names, oldest first."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    names = []
    for i in range(1, n + 1):
        t = start + 60 * i
        name = "%d.M%06dP%dR%016x.testhost:2,%s" % (t, i, 4242, i, flags)
        date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))
        text = ("From: Tester <tester@example.org>\r\nTo: %s\r\n"
                "Subject: %s\r\nDate: %s\r\nMessage-ID: <%d.%d@example.org>"
                "\r\n%sMIME-Version: 1.0\r\nContent-Type: text/plain; "
                "charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                % (to, subject(i) if callable(subject) else
                   subject % i if "%d" in subject else subject, date, t,
                   i, extra)) + (body % i if "%d" in body else body).replace(
                       "\n", "\r\n")
        path = os.path.join(folder, "cur", name)
        with open(path, "wb") as f:
            f.write(text.encode("utf-8"))
        os.utime(path, (t, t))
        names.append(name)
    return names


class Screens(UiTest):

    # -- reading the screen ----------------------------------------------

    def lines(self):
        """The rows of the screen, blank ones too."""
        return self.screen().split("\n")[:-1]

    def marked_rows(self):
        """The rows in reverse video (SGR 7), by number: the folder tab and
        the list's cursor."""
        out = self.tmux("capture-pane", "-p", "-e", "-t", "t").stdout.decode(
            "utf-8", "replace").split("\n")
        plain = self.screen().split("\n")
        rows = {}
        for i, line in enumerate(out):
            if re.search(r"\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m", line):
                rows[i] = plain[i] if i < len(plain) else ""
        return rows

    def selected_line(self):
        """The list's cursor row: in reverse video, below the title and the
        folder tabs, above the bars at the bottom."""
        n = len(self.lines())
        for i, line in sorted(self.marked_rows().items()):
            if 2 <= i < n - 2:
                return line
        return ""

    def wait_selected(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while text not in self.selected_line():
            if time.monotonic() > deadline:
                self.fail("never selected: %r\n--- screen ---\n%s"
                          % (text, self.screen()))
            time.sleep(0.05)
        return self.selected_line()

    def wait_gone(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while text in self.screen():
            if time.monotonic() > deadline:
                self.fail("still on the screen: %r\n--- screen ---\n%s"
                          % (text, self.screen()))
            time.sleep(0.05)
        return self.screen()

    def wait_true(self, cond, what, timeout=10):
        deadline = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > deadline:
                self.fail("never: %s\n--- screen ---\n%s"
                          % (what, self.screen()))
            time.sleep(0.05)

    def status(self):
        return self.lines()[-1]

    def press(self, name):
        """A key by the name the help gives it."""
        if len(name) == 1:
            self.type(name)
        else:
            self.keys(TMUX_KEYS.get(name, name))

    def help_sections(self):
        """The help on the screen (all of it fits: a tall terminal),
        {heading: [(names, text)]}."""
        s = self.wait_screen("Everywhere")
        sections, cur = {}, None
        for line in s.split("\n")[1:-2]:
            if line.strip() == "":
                cur = None
            elif not line.startswith(" "):
                cur = sections.setdefault(line.strip(), [])
            elif cur is not None:
                m = re.match(r"  (\S+(?: \S+)*?)  +(\S.*)$", line)
                if m is None:
                    m = re.match(r"  (\S+(?: \S+)*) (\S.*)$", line)
                cur.append((m.group(1).split(" "), m.group(2).rstrip()))
        return sections

    def assertHelpHas(self, sections, heading, path, table):
        want = key_table(path, table)
        self.assertTrue(want, "no keys parsed from %s %s" % (path, table))
        self.assertIn(heading, sections)
        self.assertEqual(sections[heading], want)

    def highlighted_tab(self):
        out = self.tmux("capture-pane", "-p", "-e", "-t", "t").stdout.decode(
            "utf-8", "replace").split("\n")
        m = re.search(r"\x1b\[7m([^\x1b]*)", out[1])
        return m.group(1).strip() if m else ""

    def pane_row(self):
        """The row of the pane's heading, or None when it is hidden."""
        for i, line in enumerate(self.lines()):
            if line.startswith(" SMTP transcript ("):
                return i
        return None

    # -- 1. the help, made from the key tables ------------------------------

    def test_help_lists_every_key_of_the_tables_and_each_works(self):
        offline = self.write_config("smtp://127.0.0.1:1")
        res = self.run_pigeon(["send", "--config", offline, "-s", "Queued one",
                               "bob@example.org"], input=b"queued text\n")
        self.assertEqual(res.rc, 0, res)
        steps = [("send", b"220 slow ESMTP\r\n"), ("expect", rb"^EHLO "),
                 ("send", b"250-slow\r\n250 8BITMIME\r\n"), ("hang",)]
        srv = self.start_script(steps)
        cfg = self.write_config("smtp+plain://127.0.0.1:%d" % srv.port,
                                user=None, password_command=None)
        write_maildir(os.path.join(self.data, "sent"), 3)
        write_maildir(os.path.join(self.data, "drafts"), 1,
                      subject="A draft", flags="D")
        self.start(cfg, cols=150, rows=70)
        self.wait_screen("Message 3")
        self.keys("?")
        help = self.help_sections()
        self.assertHelpHas(help, "Folders", "ui/tui/folders.c", "folder_keys")
        self.assertHelpHas(help, "In every list", "ui/tui/list.c",
                           "list_keys")
        self.assertHelpHas(help, "The transcript pane", "ui/tui/pane.c",
                           "pane_keys")
        self.assertHelpHas(help, "Everywhere", "ui/tui/screen.c", "app_keys")
        listed = {name for heading in ("Folders", "In every list",
                                       "The transcript pane", "Everywhere")
                  for names, _ in help[heading] for name in names}
        self.keys("q")
        self.wait_screen("m:compose")
        done = {"?"}

        def sel(text):
            return self.wait_selected(text)

        def check(names, fn):
            for name in names:
                try:
                    fn(name)
                except AssertionError as e:
                    raise AssertionError("key %s: %s" % (name, e)) from None
                done.add(name)

        # Moving in the list (sent: the newest first).
        def down(k):
            self.press("g")
            sel("Message 3")
            self.press(k)
            sel("Message 2")

        def up(k):
            self.press("G")
            sel("Message 1")
            self.press(k)
            sel("Message 2")

        def to_end(k):
            self.press("g")
            sel("Message 3")
            self.press(k)
            sel("Message 1")

        def to_start(k):
            self.press("G")
            sel("Message 1")
            self.press(k)
            sel("Message 3")

        check(["j", "Down"], down)
        check(["k", "Up"], up)
        check(["PgDn", "C-f", "Space", "End", "G"], to_end)
        check(["PgUp", "C-b", "-", "Home", "g"], to_start)

        def search(k):
            self.press(k)
            self.wait_screen("Search:")
            self.type("message 2")
            self.keys("Enter")
            sel("Message 2")
        check(["/"], search)
        self.press("/")
        self.wait_screen("Search:")
        self.type("Message")
        self.keys("Enter")
        sel("Message 1")
        check(["n"], lambda k: (self.press(k), sel("Message 3")))
        check(["N"], lambda k: (self.press(k), sel("Message 1")))
        self.press("g")
        sel("Message 3")

        # Reading it.
        def read(k):
            self.press(k)
            s = self.wait_screen("Subject: Message 3")
            self.assertIn("Text of message 3.", s)
            self.assertNotIn("Content-Transfer-Encoding", s)
            self.keys("q")
            self.wait_screen("m:compose")
        check(["Enter"], read)

        def raw(k):
            self.press(k)
            self.wait_screen("Content-Transfer-Encoding: 8bit")
            self.keys("q")
            self.wait_screen("m:compose")
        check(["H"], raw)

        def compose(k):
            self.press(k)
            self.wait_status("To:")
            self.keys("Escape")
            self.wait_screen("m:compose")
        check(["m"], compose)

        def again(k):
            self.press(k)
            s = self.wait_screen("a new message made from 'Message 3'")
            self.assertIn("y:send", s)
            self.keys("q")
            self.wait_screen("Keep it as a draft?")
            self.keys("n")
            self.wait_screen("m:compose")
        check(["e"], again)

        def answer(k, want):
            self.press(k)
            s = self.wait_screen(want)
            self.assertIn("y:send", s)
            self.keys("q")
            self.wait_screen("Keep it as a draft?")
            self.keys("n")
            self.wait_screen("m:compose")
        check(["a", "L"], lambda k: answer(k, "Subject:   Re: Message 3"))
        check(["f"], lambda k: answer(k, "Subject:   Fwd: Message 3"))
        check(["F"], lambda k: answer(k, "forwarded.eml"))

        def resume(k):
            self.press(k)
            s = self.wait_screen("draft 'A draft' resumed")
            self.assertIn("Subject:   A draft", s)
            self.keys("P")
            self.wait_screen("m:compose")
        check(["R"], resume)

        def delete(k):
            self.press(k)
            self.wait_screen("Delete ")
            self.keys("n")
            self.wait_gone("Delete ")
            self.assertIn("sent (3)", self.screen())
        check(["d"], delete)

        # The folders: drafts, outbox, sent, failed.
        def next_folder(k):
            self.assertEqual(self.highlighted_tab(), "sent (3)")
            self.press(k)
            self.wait_true(lambda: self.highlighted_tab() == "failed (0)",
                           "failed highlighted")
            self.press("Left")
            self.wait_true(lambda: self.highlighted_tab() == "sent (3)",
                           "sent highlighted")
        check(["Tab", "Right"], next_folder)

        def prev_folder(k):
            self.press(k)
            self.wait_true(lambda: self.highlighted_tab() == "outbox (1)",
                           "outbox highlighted")
            self.wait_screen("Queued one")
        check(["Left"], prev_folder)

        # The pane.
        def toggle(k):
            self.assertIsNone(self.pane_row())
            self.press(k)
            self.wait_true(lambda: self.pane_row() is not None, "a pane")
            self.press(k)
            self.wait_true(lambda: self.pane_row() is None, "no pane")
            self.press(k)
            self.wait_true(lambda: self.pane_row() is not None, "a pane")
        check(["v"], toggle)

        def bigger(k):
            row = self.pane_row()
            self.press(k)
            self.wait_true(lambda: self.pane_row() < row, "a bigger pane")
        check([">"], bigger)

        def smaller(k):
            row = self.pane_row()
            self.press(k)
            self.wait_true(lambda: self.pane_row() > row, "a smaller pane")
        check(["<"], smaller)

        # A send now, held by the server; C-g stops it.
        def retry(k):
            self.press(k)
            self.wait_screen("-> MAIL FROM:<")
        check(["r"], retry)

        def stop(k):
            self.press(k)
            self.wait_screen("stopped by the user")
            self.assertEqual(len(self.outbox()), 1)
        check(["C-g"], stop)

        def whole(k):
            self.press(k)
            s = self.wait_screen("SMTP transcript, whole screen")
            self.assertIn("<- 220 slow ESMTP", s)
            self.keys("q")
            self.wait_screen("m:compose")
        check(["V"], whole)

        # No send waits out a send_delay: nothing to take back.
        def undo(k):
            self.press(k)
            self.wait_screen("nothing to undo")
        check(["u"], undo)

        def history(k):
            self.press(k)
            s = self.wait_screen("Status messages")
            self.assertIn("draft 'A draft' resumed", s)
            self.assertIn("stopped by the user", s)
            self.keys("q")
            self.wait_screen("m:compose")
        check(["M"], history)

        def accounts(k):
            self.press(k)
            self.wait_screen("Accounts (* default, > in use)")
            self.keys("q")
            self.wait_screen("m:compose")
        check(["A"], accounts)

        def quit(k):
            pid = self.pid()
            self.press(k)
            # Mail waits in the outbox: it asks.
            self.wait_screen("outbox")
            self.keys("y")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.05)
            self.fail("pigeon did not quit")
        check(["q"], quit)
        # A key added to a table is tried here too, or this fails.
        self.assertEqual(listed - done, set(), "keys in the help, untried")

    def test_help_on_the_compose_screen(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.start(cfg, cols=150, rows=100)
        self.compose("bob@example.org", "Help here")
        self.keys("?")
        help = self.help_sections()
        self.assertHelpHas(help, "Compose", "ui/tui/compose.c",
                           "compose_keys")
        self.assertHelpHas(help, "The transcript pane", "ui/tui/pane.c",
                           "pane_keys")
        self.assertHelpHas(help, "Everywhere", "ui/tui/screen.c", "app_keys")
        # The keys of the screen in front come first.
        s = self.screen()
        self.assertLess(s.index("Compose\n"), s.index("Folders\n"))
        self.keys("q")
        self.wait_screen("y:send")


    # -- 2. the list keys, the same in every list ---------------------------

    def walk_list(self, entries, rows_more=0):
        """The list keys on the list on the screen, whose entries show
        entries[i] (each unique), in that order.  A page is the rows the
        list shows less one; rows_more: rows drawn below the page."""
        n = len(entries)

        def at(i):
            self.wait_selected(entries[i])

        self.keys("Home")
        at(0)
        visible = sum(1 for e in entries if e in self.screen())
        page = min(visible - 1 - rows_more, n - 1)
        self.assertGreater(page, 0, self.screen())
        for key in ("NPage", "C-f", "Space"):
            self.keys("Home")
            at(0)
            self.keys(key)
            at(page)
            # And back a page.
            back = {"NPage": "PPage", "C-f": "C-b", "Space": "-"}[key]
            self.keys("End")
            at(n - 1)
            self.keys(back)
            at(max(n - 1 - page, 0))
        if n > 2 * page:
            self.keys("Home", "NPage", "NPage")
            at(2 * page)
            self.keys("PPage")
            at(page)
        self.keys("End")
        at(n - 1)
        # Past the end: it stays there.
        self.keys("NPage")
        at(n - 1)
        self.keys("g")
        at(0)
        self.keys("PPage")
        at(0)
        self.keys("G")
        at(n - 1)
        self.keys("k")
        at(n - 2)
        self.keys("Up", "Home", "j")
        at(1)
        self.keys("Down")
        at(2 % n)

    def search_list(self, what, first, second):
        """/ what finds first (below the cursor), n second (after it), n
        goes round to first, N back round to second, N to first."""
        self.keys("Home")
        self.keys("/")
        s = self.wait_status("Search:")
        self.type(what)
        self.keys("Enter")
        self.wait_selected(first)
        self.keys("n")
        self.wait_selected(second)
        self.keys("n")
        self.wait_selected(first)
        self.keys("N")
        self.wait_selected(second)
        self.keys("N")
        self.wait_selected(first)
        # A new search starts with an empty line.
        self.keys("/")
        s = self.wait_status("Search:")
        self.assertEqual(s.rstrip("\n").split("\n")[-1].strip(), "Search:")
        self.keys("Escape")
        self.wait_true(lambda: not self.status().startswith("Search:"),
                       "the search prompt gone")

    def test_page_keys_and_search_in_the_folder_list(self):
        cfg = self.write_config("smtp://127.0.0.1:1")

        def subject(i):
            if i == 23:
                return "Item 23 the pelican"
            return "Item %02d%s" % (i, " twin" if i in (10, 50) else "")
        write_maildir(os.path.join(self.data, "sent"), 60, subject=subject)
        self.start(cfg, cols=100, rows=30)
        self.wait_screen("sent (60)")
        # The newest first.
        entries = ["Item %02d" % i for i in range(60, 0, -1)]
        self.walk_list(entries)
        self.keys("Home")
        self.keys("/")
        self.wait_status("Search:")
        self.type("pelican")
        self.keys("Enter")
        self.wait_selected("Item 23 the pelican")
        self.search_list("twin", "Item 50 twin", "Item 10 twin")
        # Not there: said so, the cursor stays.
        self.keys("/")
        self.wait_status("Search:")
        self.type("no such thing")
        self.keys("Enter")
        self.wait_status("not found: no such thing")
        self.wait_selected("Item 50 twin")

    def test_page_keys_in_the_accounts_list_and_a_pick_list(self):
        others = {"acct%02d" % i: self.account(
            "smtp://127.0.0.1:1", **{"from": "%s <a%02d@example.org>" % (
                "Twin" if i in (7, 33) else "A", i)})
            for i in range(1, 40)}
        cfg = self.write_config("smtp://127.0.0.1:1", accounts=others)
        self.start(cfg, cols=100, rows=30)
        self.keys("A")
        self.wait_screen("Accounts (* default, > in use)")
        names = ["test"] + sorted(others)
        # The page is the rows drawn: PgDn goes to the last of them.
        self.walk_list([" %s " % n if n == "test" else n for n in names])
        self.search_list("twin", "acct07", "acct33")
        self.keys("q")
        self.wait_screen("m:compose")
        self.compose("bob@example.org", "Picked")
        self.keys("f")
        self.wait_screen("Send with the account")
        self.walk_list([" %s " % n if n == "test" else n for n in names])
        self.keys("/")
        self.wait_status("Search:")
        self.type("acct39")
        self.keys("Enter")
        self.wait_selected("acct39")
        self.keys("Enter")
        s = self.wait_screen("sending with acct39 now")
        self.assertIn("a39@example.org", s)

    # -- 3. the status line ---------------------------------------------------

    def test_status_line_cut_cleared_named_and_kept(self):
        # A port nothing else takes once this server is stopped below.
        srv = self.start_smtpd(port=free_port())
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg, cols=80, rows=24)
        self.compose("bob@example.org", "Short one")
        self.keys("y")
        s = self.wait_status("sent ")
        # Named as the user knows it: its subject and recipient, never
        # its file name.
        status = self.status()
        self.assertIn("'Short one' to bob@example.org", status)
        self.assertNotRegex(status, r"\d{10}\.M\d+P\d+")
        name = os.listdir(os.path.join(self.data, "sent", "cur"))[0]
        self.assertNotIn(name.split(".")[0], status)
        # The next key clears it.
        self.keys("j")
        self.wait_true(lambda: self.status().strip() == "",
                       "the status cleared by a key")
        # Too long for 80 columns: cut with an ellipsis, on its row.
        srv.stop()
        subject = "A subject long enough " + "to go past the edge " * 4
        self.compose("bob@example.org", subject)
        self.keys("y")
        self.wait_status("queued, not sent yet")
        shown = time.monotonic()
        rows = self.lines()
        self.assertEqual(len(rows), 24)
        self.assertTrue(rows[-1].endswith("\u2026"), rows[-1])
        self.assertLessEqual(len(rows[-1]), 80)
        self.assertIn("m:compose", rows[-2])
        for row in rows:
            self.assertLessEqual(len(row), 80)
        # Gone by itself after about 5 s.
        self.wait_true(lambda: self.status().strip() == "",
                       "the status cleared by itself", timeout=10)
        self.assertGreater(time.monotonic() - shown, 3.5)
        # M: the messages so far, whole.
        self.keys("M")
        s = self.wait_screen("Status messages")
        self.assertIn("sent 'Short one' to bob@example.org", s)
        self.assertIn("queued, not sent yet", s)
        # Whole: the end the status line cut off is there.
        self.assertIn("next try at", s)
        self.keys("q")
        self.wait_screen("m:compose")

    def test_status_names_a_message_not_sent_by_its_subject(self):
        """No connection: the message is queued without going out, and
        the status still names it by its subject, not its file name."""
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.start(cfg, cols=120, rows=24)
        self.compose("bob@example.org", "Never went out")
        self.keys("y")
        self.wait_status("queued, not sent yet")
        status = self.status()
        self.assertIn("'Never went out' to bob@example.org", status)
        self.assertNotRegex(status, r"\d{10}\.M\d+P\d+")

    # -- 4. the composer's NeoMutt keys ----------------------------------------

    def att_rows(self):
        return [l for l in self.lines() if re.match(r"^ [> ] ?\[\d+\] ", l)]

    def marked_att(self):
        rows = [l for l in self.att_rows() if l.startswith(" >")]
        return rows[0] if rows else ""

    def test_attachment_keys_type_inline_rename_order_mark(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        for name, data in (("first.txt", b"one\n"), ("second.dat", b"two\n")):
            with open(os.path.join(self.tmp, name), "wb") as f:
                f.write(data)
        self.start(cfg)
        self.compose("bob@example.org", "Attachments")
        for name in ("first.txt", "second.dat"):
            self.keys("a")
            self.wait_status("Attach file:")
            self.type(os.path.join(self.tmp, name))
            self.keys("Enter")
            self.wait_screen("[2] " if name == "second.dat" else "[1] ")
        # j k move the mark.
        self.keys("k")
        self.wait_true(lambda: "[1] first.txt" in self.marked_att(), "k")
        self.keys("j")
        self.wait_true(lambda: "[2] second.dat" in self.marked_att(), "j")
        # C-t: its type.
        self.keys("C-t")
        self.wait_status("Content-Type:")
        self.keys("C-u")
        self.type("application/x-special")
        self.keys("Enter")
        self.wait_true(lambda: "(application/x-special, attachment)"
                       in self.marked_att(), "the type set")
        # C-d: inline, and back, and inline again.
        self.keys("C-d")
        self.wait_true(lambda: "inline)" in self.marked_att(), "inline")
        self.keys("C-d")
        self.wait_true(lambda: "attachment)" in self.marked_att(),
                       "attachment")
        self.keys("C-d")
        self.wait_true(lambda: "inline)" in self.marked_att(), "inline")
        # R: the name the recipient sees.
        self.keys("R")
        self.wait_status("Name for the recipient:")
        self.keys("C-u")
        self.type("renamed.dat")
        self.keys("Enter")
        self.wait_true(lambda: "[2] renamed.dat" in self.marked_att(),
                       "renamed")
        # d: its description (NeoMutt's d), not ASCII: encoded on the wire.
        self.keys("d")
        self.wait_status("Description:")
        self.type("Zwei Grüße")
        self.keys("Enter")
        self.wait_true(lambda: '"Zwei Grüße"' in self.marked_att(),
                       "described")
        # - up, + down: the mark goes with it.
        self.keys("-")
        self.wait_true(lambda: "[1] renamed.dat" in self.marked_att(), "-")
        self.assertIn("[2] first.txt", self.att_rows()[1])
        self.keys("+")
        self.wait_true(lambda: "[2] renamed.dat" in self.marked_att(), "+")
        self.keys("-")
        self.wait_true(lambda: "[1] renamed.dat" in self.marked_att(), "-")
        self.keys("y")
        self.wait_status("sent ")
        msg = email.message_from_bytes(srv.messages()[0][1],
                                       policy=email.policy.default)
        parts = [p for p in msg.walk() if not p.is_multipart()]
        # The text, then the files in the order given.
        self.assertEqual([p.get_filename() for p in parts[1:]],
                         ["renamed.dat", "first.txt"])
        self.assertEqual(parts[1].get_content_type(), "application/x-special")
        self.assertEqual(parts[1].get_content_disposition(), "inline")
        self.assertEqual(parts[1].get_payload(decode=True), b"two\n")
        self.assertEqual(parts[2].get_content_disposition(), "attachment")
        self.assertEqual(str(parts[1]["Content-Description"]), "Zwei Grüße")
        self.assertRegex(srv.messages()[0][1],
                         rb"Content-Description: [^\r\n]*=\?UTF-8\?")
        self.assertIsNone(parts[2]["Content-Description"])
        self.assertNotIn(b"second.dat", srv.messages()[0][1])

    def test_man_page_lists_the_differences_from_neomutt(self):
        """Issue 14 item 3: the composer's keys are NeoMutt's, and the
        man page lists where they deliberately differ: each key named
        there is one the compose table binds (or says it does nothing)."""
        with open(os.path.join(REPO, "doc", "pigeon.1"),
                  encoding="utf-8") as f:
            text = f.read()
        start = text.index("differ from NeoMutt")
        part = text[start:text.index(".Ss ", start)]
        for key in ("p", "f", "T", "v"):
            self.assertIn(".Ic %s\n" % key, part)
        with open(os.path.join(REPO, "ui", "tui", "compose.c"),
                  encoding="utf-8") as f:
            table = f.read()
        for key in ("p", "f"):
            self.assertIn("{ '%s', C_" % key, table)

    # -- 5. the editor ------------------------------------------------------------

    def script(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + text)
        os.chmod(path, 0o700)
        return path

    def test_editor_gets_an_eml_file_and_E_takes_the_fields_back(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        args = os.path.join(self.tmp, "args")
        editor = self.script("ed.sh", (
            "printf '%%s\\n' \"$1\" >> %s\n"
            "if grep -q '^Subject:' \"$1\"; then\n"
            "  sed -i -e 's/^To:.*/To: carol@example.org/' "
            "-e 's/^Subject:.*/Subject: Changed in the editor/' \"$1\"\n"
            "else\n  printf 'Written here.\\n' > \"$1\"\nfi\n")
            % shell_quote(args))
        self.start(cfg, env={"EDITOR": editor})
        self.compose("bob@example.org", "Before")
        self.wait_screen("Written here.")
        self.keys("E")
        s = self.wait_screen("Changed in the editor")
        self.assertIn("To:        carol@example.org", s)
        self.assertIn("Subject:   Changed in the editor", s)
        self.assertIn("Written here.", s)
        with open(args) as f:
            names = f.read().split()
        self.assertEqual(len(names), 2)
        for n in names:
            self.assertTrue(n.endswith(".eml"), n)
        self.keys("y")
        self.wait_status("sent ")
        meta, raw = srv.messages()[0]
        self.assertEqual(meta["rcpt_tos"], ["carol@example.org"])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(str(msg["Subject"]), "Changed in the editor")
        self.assertEqual(msg.get_content().replace("\r\n", "\n"),
                         "Written here.\n")

    def test_editor_leaving_terminal_junk_behind(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        editor = self.script("junk.sh", (
            "printf 'Junk text.\\n' > \"$1\"\n"
            # Clear, the other screen, a DA query whose answer comes back
            # as input, and exit without putting anything back.
            "printf '\\033[2J\\033[?1049h\\033[cJUNK ON SCREEN\\033[5;5H' "
            "> /dev/tty\nsleep 0.3\n"))
        self.start(cfg, env={"EDITOR": editor})
        s = self.compose("bob@example.org", "Junk")
        self.wait_screen("Junk text.")
        time.sleep(0.5)
        s = self.screen()
        rows = self.lines()
        self.assertIn("Compose", rows[0])
        self.assertIn("y:send", rows[-2])
        self.assertIn("To:        bob@example.org", s)
        self.assertIn("Subject:   Junk", s)
        self.assertNotIn("JUNK ON SCREEN", s)
        self.assertNotIn("1;2c", s)
        # The next key is a key: c opens Cc, and nothing was typed in it.
        self.keys("c")
        s = self.wait_status("Cc:")
        self.assertEqual(self.status().strip(), "Cc:")
        self.type("carol@example.org")
        self.keys("Enter")
        s = self.wait_screen("Cc:        carol@example.org")
        self.assertIn("Subject:   Junk", s)
        self.assertIn("To:        bob@example.org", s)

    # -- 8. a failing password_command ---------------------------------------------

    def password_fails(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port,
                                password_command="sh -c 'echo no such "
                                "vault >&2; exit 3'")
        # It starts: the folders, no prompt, no blank screen.
        self.start(cfg)
        s = self.screen()
        self.assertIn("drafts (0)", s)
        self.assertNotIn("assword", s)
        self.compose("bob@example.org", "No password")
        self.keys("y")
        self.wait_status("queued, not sent yet: account test: "
                         "password_command")
        # In words: which account, what failed, how (whole in M's history).
        self.assertIn("password_command", self.status())
        self.assertEqual(srv.messages(), [])
        return srv

    def test_failing_password_command(self):
        self.password_fails()
        # Nothing lost: it waits in the outbox (the folder count says so).
        self.wait_screen("outbox (1)")
        self.keys("M")
        s = self.wait_screen("Status messages")
        self.assertIn("failed with exit status 3", s)

    def test_failing_password_command_keeps_the_message_queued(self):
        """Issue 14 item 2: the send goes to the outbox and stays queued,
        and the user is told why."""
        self.password_fails()
        self.wait_true(lambda: len(self.outbox()) == 1, "one queued",
                       timeout=3)

    # -- 9. the reader ------------------------------------------------------------

    def test_reader_wraps_long_lines_and_shows_the_envelope_with_bcc(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        words = " ".join("word%03d" % i for i in range(38))
        self.assertGreater(len(words), 300)
        editor = self.script("long.sh", "printf '%%s\\nEND\\n' '%s' > \"$1\"\n"
                             % words)
        self.start(cfg, cols=80, rows=40, env={"EDITOR": editor})
        self.compose("bob@example.org", "Long and hidden")
        self.keys("b")
        self.wait_status("Bcc:")
        self.type("hidden@example.org")
        self.keys("Enter")
        self.wait_screen("hidden@example.org")
        self.keys("y")
        self.wait_status("sent ")
        self.assertEqual(sorted(srv.messages()[0][0]["rcpt_tos"]),
                         ["bob@example.org", "hidden@example.org"])
        self.wait_screen("Long and hidden")
        self.keys("Enter")
        s = self.wait_screen("Subject: Long and hidden")
        # The envelope: both, the Bcc too.
        self.assertIn("hidden@example.org", s)
        # The whole line, over several rows, nothing cut off.
        flat = "".join(l.strip() + " " for l in self.lines())
        self.assertIn(words, re.sub(r"\s+", " ", flat))
        self.assertIn("word037", s)
        for l in self.lines():
            self.assertLessEqual(len(l), 80)
        self.keys("q")

    def test_reader_h_and_two_inline_text_parts(self):
        cfg = self.write_config("smtp://127.0.0.1:1")
        sent = os.path.join(self.data, "sent")
        write_maildir(sent, 1, subject="Two parts", extra=(
            "X-Mailer: unusual-field-here\r\n"))
        path = os.path.join(sent, "cur", os.listdir(os.path.join(sent,
                                                                 "cur"))[0])
        with open(path, "rb") as f:
            head = f.read().split(b"MIME-Version:")[0]
        with open(path, "wb") as f:
            f.write(head + b"MIME-Version: 1.0\r\n"
                    b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
                    b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    b"Content-Disposition: inline\r\n\r\nThe first part.\r\n"
                    b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    b"Content-Disposition: inline\r\n\r\nThe second part.\r\n"
                    b"--XX--\r\n")
        self.start(cfg)
        self.wait_screen("Two parts")
        self.keys("Enter")
        s = self.wait_screen("Subject: Two parts")
        self.assertIn("The first part.", s)
        self.assertIn("The second part.", s)
        self.assertNotIn("unusual-field-here", s)
        self.keys("h")
        s = self.wait_screen("X-Mailer: unusual-field-here")
        self.assertIn("Message-ID:", s)
        self.keys("h")
        s = self.wait_gone("unusual-field-here")
        self.assertIn("Subject: Two parts", s)
        self.assertIn("The second part.", s)

    # -- 6. work going on at once ------------------------------------------------

    def slow_config(self, srv_port, slow_port, timeout="5"):
        slow = self.account("smtp+plain://127.0.0.1:%d" % slow_port,
                            user=None, password_command=None,
                            timeout=timeout)
        return self.write_config("smtp://127.0.0.1:%d" % srv_port,
                                 accounts={"slow": slow})

    def slow_script(self, pause=2.0):
        from harness import GREETING, ehlo, envelope_steps, data_steps, \
            quit_steps
        steps = ([GREETING] + ehlo("8BITMIME") +
                 envelope_steps(["bob@example.org"]) +
                 data_steps()[:3] + [("sleep", pause),
                                     ("send", b"250 2.0.0 Ok: queued as S1\r\n")]
                 + quit_steps())
        return self.start_script(steps)

    def send_slowly(self, subject):
        self.compose("bob@example.org", subject)
        self.keys("f")
        self.wait_screen("Send with the account")
        self.keys("/")
        self.wait_status("Search:")
        self.type("slow")
        self.keys("Enter")
        self.wait_selected("slow")
        self.keys("Enter")
        self.wait_screen("sending with slow now")
        self.keys("y")

    def test_account_test_while_a_slow_send_goes_on(self):
        srv = self.start_smtpd()
        # The server holds its reply long enough for the keys below even
        # on a loaded machine (each is a tmux command and a screen read),
        # and pigeon waits longer still.
        pause = 8.0
        slow = self.slow_script(pause)
        cfg = self.slow_config(srv.port, slow.port, timeout="15")
        self.start(cfg)
        self.send_slowly("Both at once")
        self.wait_screen("-> DATA")
        t0 = time.monotonic()
        self.keys("A")
        self.wait_screen("Accounts (* default, > in use)")
        # Keys are answered meanwhile.
        self.wait_selected(" test ")
        self.keys("j")
        self.wait_selected("slow")
        self.keys("k")
        self.wait_selected(" test ")
        self.keys("t")
        self.wait_screen("test works")
        # All that while the server held its reply to the message (t0 is
        # a little after the hold began).
        self.assertLess(time.monotonic() - t0, pause - 0.2)
        self.assertEqual(os.listdir(os.path.join(self.data, "sent", "cur")),
                         [])
        # And the send finishes.
        self.wait_true(lambda: os.listdir(os.path.join(self.data, "sent",
                                                       "cur")), "filed")
        self.assertIn(b"Subject: Both at once", slow.data[0])
        self.keys("M")
        s = self.wait_screen("Status messages")
        self.assertIn("sent 'Both at once' to bob@example.org", s)
        self.assertIn("test works", s)

    def test_resize_during_a_send(self):
        srv = self.start_smtpd()
        slow = self.slow_script()
        cfg = self.slow_config(srv.port, slow.port)
        self.start(cfg, cols=100, rows=30)
        self.send_slowly("Resized")
        self.wait_screen("-> DATA")
        self.tmux("resize-window", "-t", "t", "-x", "80", "-y", "24")

        def redrawn():
            rows = self.lines()
            return (len(rows) == 24 and "m:compose" in rows[22] and
                    "pigeon" in rows[0] and all(len(r) <= 80 for r in rows))
        self.wait_true(redrawn, "drawn at 80x24")
        self.wait_status("sent 'Resized' to bob@example.org")
        self.assertTrue(redrawn(), self.screen())
        self.assertIn(b"Subject: Resized", slow.data[0])

    # -- 7. the pane ------------------------------------------------------------------

    def test_pane_follows_a_second_send_and_times_restart(self):
        srv = self.start_smtpd()
        cfg = self.write_config("smtp://127.0.0.1:%d" % srv.port)
        self.start(cfg, cols=100, rows=40)
        self.compose("bob@example.org", "First")
        self.keys("y")
        self.wait_status("sent ")
        # Scrolled up on the whole screen, then back.
        self.keys("V")
        self.wait_screen("SMTP transcript, whole screen")
        self.keys("Home")
        self.wait_screen("== connecting to 127.0.0.1")
        self.keys("q")
        self.wait_screen("m:compose")
        self.compose("bob@example.org", "Second")
        self.keys("y")
        self.wait_status("sent ")
        # The small pane shows the live end: the second's last lines.
        row = self.pane_row()
        self.assertIsNotNone(row, self.screen())
        pane = "\n".join(self.lines()[row:-2])
        self.assertIn("queued as 2", pane)
        # Each connection's time counts from its own start.
        self.keys("V")
        self.wait_screen("SMTP transcript, whole screen")
        self.keys("Home")
        text = []
        for _ in range(20):
            text += self.lines()[1:-2]
            if "queued as 2" in self.screen():
                break
            self.keys("NPage")
            time.sleep(0.1)
        stamps = [(float(m.group(1)), m.group(2)) for m in
                  (re.match(r"\s*\[\s*(\d+\.\d+)\]\s*(.*)", l) for l in text)
                  if m]
        starts = [i for i, (_, what) in enumerate(stamps)
                  if what.startswith("== connecting to")]
        self.assertEqual(len(starts), 2, "\n".join(text))
        for i in starts:
            self.assertLess(stamps[i][0], 0.1, stamps[i])
            greeting = [t for t, what in stamps[i:] if what.startswith("<- 220")]
            self.assertLess(greeting[0], 0.5, stamps[i:i + 3])
