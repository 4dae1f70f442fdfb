#!/usr/bin/env python3
"""End-to-end tests of `tickgate feed topcap|book|decode|stats`.

A binary ITCH file is built here from the real messages of the OMI captures
(their bytes as tshark extracted them, tests/data/omi_tshark.json), with
correct, zero and wrong length prefixes. topcap wraps it into a pcap that
must decode to exactly the same messages, that tshark (an independent
decoder) reads as MoldUDP64 without errors, and that gives the same book.

Environment: TICKGATE_CLI (set by meson test).
"""

import json
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

CLI = os.environ.get("TICKGATE_CLI", "")
HERE = os.path.dirname(os.path.abspath(__file__))
EXPECT = os.path.join(HERE, "..", "data", "omi_tshark.json")


def run(*args, check=0):
    res = subprocess.run([CLI] + list(args), capture_output=True, text=True, timeout=60)
    if check is not None:
        assert res.returncode == check, f"{args}: exit {res.returncode}: {res.stderr}"
    return res


def messages():
    with open(EXPECT, encoding="utf-8") as f:
        files = json.load(f)["files"]
    out = []
    for rel in sorted(files):
        if files[rel]["kind"] != "itch":
            continue
        for fr in files[rel]["per_frame"]:
            out += [bytes.fromhex(m["hex"]) for m in fr["messages"]]
    return out


class FeedTools(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.msgs = messages()
        cls.itch = os.path.join(cls.tmp.name, "omi.itch")
        with open(cls.itch, "wb") as f:
            for i, m in enumerate(cls.msgs):
                prefix = len(m) if i % 5 else (0 if i % 10 else len(m) + 3)
                f.write(struct.pack(">H", prefix) + m)
        cls.pcap = os.path.join(cls.tmp.name, "omi.pcap")
        run("feed", "topcap", cls.itch, cls.pcap, "--msgs-per-packet", "7", "--session", "TGTEST0001")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_topcap_round_trip(self):
        self.assertGreater(len(self.msgs), 100)
        a = run("--json", "feed", "decode", self.itch).stdout.splitlines()
        b = run("--json", "feed", "decode", self.pcap).stdout.splitlines()
        self.assertEqual(len(a), len(self.msgs))
        self.assertEqual(len(b), len(self.msgs))
        for x, y in zip(a, b):
            x, y = json.loads(x), json.loads(y)
            y.pop("frame")
            self.assertEqual(x, y)
        st = json.loads(run("--json", "feed", "stats", self.pcap).stdout)
        self.assertEqual(st["frames"], (len(self.msgs) + 6) // 7)
        self.assertEqual(st["parsed"], st["frames"])
        self.assertEqual(st["messages"], len(self.msgs))
        self.assertEqual(st["gaps"]["count"], 0)
        sti = json.loads(run("--json", "feed", "stats", self.itch).stdout)
        self.assertEqual(sti["skipped"]["length_prefix_fixed"], len(range(0, len(self.msgs), 5)))
        self.assertEqual(sti["by_type"], st["by_type"])

    def test_tshark_reads_topcap_output(self):
        if shutil.which("tshark") is None:
            self.skipTest("tshark not installed")
        res = subprocess.run(["tshark", "-r", self.pcap, "-d", "udp.port==26477,moldudp64", "-T", "fields",
                              "-e", "moldudp64.session", "-e", "moldudp64.sequence", "-e", "moldudp64.count",
                              "-e", "ip.checksum.status", "-o", "ip.check_checksum:TRUE"],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(res.returncode, 0, res.stderr)
        rows = [r.split("\t") for r in res.stdout.splitlines()]
        self.assertEqual(len(rows), (len(self.msgs) + 6) // 7)
        seq = 1
        for session, sequence, count, cksum in rows:
            self.assertEqual(session, "TGTEST0001")
            self.assertEqual(int(sequence), seq)
            seq += int(count)
            self.assertEqual(cksum, "1", "tshark verified the IP checksum: 1 = good (0 bad, 2 unverified)")
        self.assertEqual(seq - 1, len(self.msgs))
        expert = subprocess.run(["tshark", "-r", self.pcap, "-d", "udp.port==26477,moldudp64", "-q", "-z",
                                 "expert,error"], capture_output=True, text=True, timeout=120)
        self.assertNotIn("Malformed", expert.stdout)

    def test_book_same_from_pcap_and_itch(self):
        a = run("feed", "book", self.itch, "--symbol", "META", "--depth", "3", "--trades").stdout
        b = run("feed", "book", self.pcap, "--symbol", "META", "--depth", "3", "--trades").stdout
        self.assertEqual(a, b)
        self.assertIn("depth of META", a)
        self.assertIn("bid", a)

    def test_errors(self):
        res = run("feed", "book", self.itch, check=2)
        self.assertIn("--symbol", res.stderr)
        res = run("feed", "book", self.itch, "--symbol", "NOSUCH", check=1)
        self.assertIn("no message names symbol NOSUCH", res.stderr)
        res = run("feed", "topcap", self.pcap, os.path.join(self.tmp.name, "x.pcap"), check=2)
        self.assertIn("is a pcap", res.stderr)
        res = run("feed", "stats", "/nonexistent/file", check=1)
        self.assertIn("/nonexistent/file", res.stderr)
        for args in (["feed"], ["feed", "frob", "x"], ["feed", "stats"], ["feed", "stats", "a", "b"],
                     ["feed", "stats", self.itch, "--depth", "3"], ["feed", "book", self.itch, "--depth", "0",
                                                                   "--symbol", "A"],
                     ["feed", "topcap", self.itch, "o.pcap", "--session", "ELEVENCHARS"],
                     ["feed", "watch", "--locate", "5"], ["feed", "watch", "--symbol", "NINECHARS"],
                     ["feed", "watch", "--symbol", "META", "--locate", "65536"],
                     ["feed", "book", self.itch, "--symbol", "META", "--locate", "5"]):
            with self.subTest(args=args):
                res = run(*args, check=2)
                self.assertEqual(len(res.stderr.strip().splitlines()), 1, res.stderr)


if __name__ == "__main__":
    if not CLI:
        raise SystemExit("test_feed_tools.py: set TICKGATE_CLI (meson test does)")
    unittest.main(verbosity=2)
