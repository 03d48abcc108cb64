# SPDX-License-Identifier: ISC
"""test_build.py - what the build holds: the test hooks only when configured with --enable-test-hooks."""

from harness import EX_OK, PigeonTest, build_features, pigeon_path

MSG_ARGS = ["-s", "queued", "bob@example.org"]


class Build(PigeonTest):

    def send(self, cfg, *args, body=b"hello\n"):
        return self.run_pigeon(["send", "--config", cfg] + list(args),
                               input=body)

    def test_default_build_ignores_the_fault_switch(self):
        """Without --enable-test-hooks the program never reads
        PIGEON_TEST_FAULT: the name is not in it, and setting it changes
        nothing."""
        if "test-hooks" in build_features():
            self.skipTest("this build has test hooks "
                          "(configured with --enable-test-hooks)")
        with open(pigeon_path(), "rb") as f:
            found = b"PIGEON_TEST_FAULT" in f.read()
        self.assertFalse(found, "%s holds the string PIGEON_TEST_FAULT"
                         % pigeon_path())
        cfg = self.write_config("smtp://127.0.0.1:1")
        for fault in ("erofs", "enospc:1"):
            self.env["PIGEON_TEST_FAULT"] = fault
            res = self.send(cfg, *MSG_ARGS)
            self.assertExit(res, EX_OK, fault)
            self.assertIn(b"is queued", res.err)
        self.assertEqual(len(self.folder("outbox")), 2)

    def test_hooks_build_says_so(self):
        """--enable-test-hooks shows in --version, and the hook works."""
        self.need_test_hooks()
        cfg = self.write_config("smtp://127.0.0.1:1")
        self.env["PIGEON_TEST_FAULT"] = "erofs"
        res = self.send(cfg, *MSG_ARGS)
        self.assertNotEqual(res.rc, EX_OK, str(res))
        self.assertIn(b"Read-only file system", res.err)
        self.assertEqual(self.folder("outbox"), {})
