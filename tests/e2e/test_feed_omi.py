#!/usr/bin/env python3
"""Conformance: `tickgate feed` (the C reference decoder) on every real Nasdaq
capture in the shared OMI data, against expectations from an independent
decoder.

tests/data/omi_tshark.json holds what tshark (Wireshark 4.0) decoded from
each capture: frames, MoldUDP64 session/sequence/count, and the raw bytes of
every ITCH message (see tests/data/omi_tshark.md for how it was made). The
ITCH fields are decoded here from those raw bytes by a small decoder written
for this test, so neither the pcap/Ethernet/IP/UDP/MoldUDP64 layers nor the
field table of the code under test judge themselves.

Environment: TICKGATE_CLI, TICKGATE_DATA (set by meson test).
"""

import json
import os
import subprocess
import unittest

CLI = os.environ.get("TICKGATE_CLI", "")
DATA = os.environ.get("TICKGATE_DATA", "")
HERE = os.path.dirname(os.path.abspath(__file__))
EXPECT = os.path.join(HERE, "..", "data", "omi_tshark.json")

# A second ITCH 5.0 field decoder, independent of hw/spec/itch50.yaml:
# (type, field, offset, length, kind) for the fields checked.
SPOT = {
    "A": [("order_reference_number", 11, 8, "u"), ("buy_sell_indicator", 19, 1, "c"), ("shares", 20, 4, "u"),
          ("stock", 24, 8, "a"), ("price", 32, 4, "p")],
    "F": [("order_reference_number", 11, 8, "u"), ("buy_sell_indicator", 19, 1, "c"), ("shares", 20, 4, "u"),
          ("stock", 24, 8, "a"), ("price", 32, 4, "p"), ("attribution", 36, 4, "a")],
    "E": [("order_reference_number", 11, 8, "u"), ("executed_shares", 19, 4, "u"), ("match_number", 23, 8, "u")],
    "C": [("order_reference_number", 11, 8, "u"), ("executed_shares", 19, 4, "u"), ("match_number", 23, 8, "u"),
          ("printable", 31, 1, "c"), ("execution_price", 32, 4, "p")],
    "X": [("order_reference_number", 11, 8, "u"), ("canceled_shares", 19, 4, "u")],
    "D": [("order_reference_number", 11, 8, "u")],
    "U": [("original_order_reference_number", 11, 8, "u"), ("new_order_reference_number", 19, 8, "u"),
          ("shares", 27, 4, "u"), ("price", 31, 4, "p")],
    "P": [("order_reference_number", 11, 8, "u"), ("buy_sell_indicator", 19, 1, "c"), ("shares", 20, 4, "u"),
          ("stock", 24, 8, "a"), ("price", 32, 4, "p"), ("match_number", 36, 8, "u")],
    "Q": [("shares", 11, 8, "u"), ("stock", 19, 8, "a"), ("cross_price", 27, 4, "p"), ("match_number", 31, 8, "u"),
          ("cross_type", 39, 1, "c")],
    "S": [("event_code", 11, 1, "c")],
    "H": [("stock", 11, 8, "a"), ("trading_state", 19, 1, "c"), ("reason", 21, 4, "a")],
    "R": [("stock", 11, 8, "a"), ("market_category", 19, 1, "c"), ("round_lot_size", 21, 4, "u")],
    "I": [("paired_shares", 11, 8, "u"), ("imbalance_shares", 19, 8, "u"), ("stock", 28, 8, "a"),
          ("far_price", 36, 4, "p")],
    "L": [("mpid", 11, 4, "a"), ("stock", 15, 8, "a")],
    "Y": [("stock", 11, 8, "a"), ("reg_sho_action", 19, 1, "c")],
    "J": [("stock", 11, 8, "a"), ("auction_collar_reference_price", 19, 4, "p")],
}


def spot_value(raw, off, length, kind):
    b = raw[off:off + length]
    if kind == "u":
        return int.from_bytes(b, "big")
    if kind == "c":
        return chr(b[0])
    if kind == "a":
        return b.decode("ascii").rstrip(" ")
    v = int.from_bytes(b, "big")
    return f"{v // 10000}.{v % 10000:04d}"


def timestamp_text(ns):
    s = ns // 10**9
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{ns % 10**9:09d}"


def feed(*args):
    res = subprocess.run([CLI, "--json", "feed"] + list(args), capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, f"{args}: exit {res.returncode}: {res.stderr}"
    return res.stdout


class FeedConformance(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(EXPECT, encoding="utf-8") as f:
            cls.expect = json.load(f)["files"]
        cls.itch = {k: v for k, v in cls.expect.items() if v["kind"] == "itch"}

    def path(self, rel):
        p = os.path.join(DATA, "omi", rel)
        self.assertTrue(os.path.exists(p), f"conformance capture missing: {p}")
        return p

    def test_every_capture_is_covered(self):
        self.assertGreaterEqual(len(self.itch), 23)

    def test_stats_against_tshark(self):
        for rel, e in sorted(self.itch.items()):
            with self.subTest(capture=rel):
                st = json.loads(feed("stats", "--no-seq-check", self.path(rel)))
                msgs = [m for fr in e["per_frame"] for m in fr["messages"]]
                self.assertEqual(st["frames"], e["frames"])
                self.assertEqual(st["parsed"], e["frames"], "every frame parsed")
                self.assertEqual(st["dropped"]["frames"], 0)
                self.assertEqual(st["messages"], len(msgs))
                by_type = {}
                for m in msgs:
                    by_type[m["type"]] = by_type.get(m["type"], 0) + 1
                self.assertEqual(st["by_type"], by_type)

    def test_every_message_field_against_tshark_bytes(self):
        checked = 0
        for rel, e in sorted(self.itch.items()):
            out = [json.loads(line) for line in feed("decode", "--no-seq-check", self.path(rel)).splitlines()]
            msgs = [(fr, m) for fr in e["per_frame"] for m in fr["messages"]]
            with self.subTest(capture=rel):
                self.assertEqual(len(out), len(msgs))
                for got, (fr, m) in zip(out, msgs):
                    raw = bytes.fromhex(m["hex"])
                    self.assertEqual(got["type"], m["type"])
                    self.assertEqual(got["seq"], m["msgseq"], "MoldUDP64 sequence of the message")
                    self.assertEqual(got["frame"], fr["frame"])
                    self.assertEqual(got["stock_locate"], int.from_bytes(raw[1:3], "big"))
                    self.assertEqual(got["tracking_number"], int.from_bytes(raw[3:5], "big"))
                    self.assertEqual(got["timestamp"], timestamp_text(int.from_bytes(raw[5:11], "big")))
                    for name, off, length, kind in SPOT.get(m["type"], []):
                        self.assertEqual(got[name], spot_value(raw, off, length, kind), f"{m['type']}.{name}")
                        checked += 1
        self.assertGreater(checked, 300)

    def test_sequencing_on_real_captures(self):
        rel = "Nasdaq.Equities.TotalView.Itch.v5.0/Multiple.Packets.pcap"
        e = self.expect[rel]
        f1, f2 = e["per_frame"][0], e["per_frame"][1]
        missing = f2["mold_sequence"] - (f1["mold_sequence"] + f1["mold_count"])
        self.assertGreater(missing, 0)
        st = json.loads(feed("stats", self.path(rel)))
        self.assertEqual(st["gaps"], {"count": 1, "messages": missing})
        self.assertEqual(st["messages"], f1["mold_count"] + f2["mold_count"])
        self.assertEqual(st["by_symbol"].get("META"), 38)

    def test_sanitized_captures_need_analysis_mode(self):
        for rel, e in sorted(self.itch.items()):
            if not rel.startswith("Nasdaq.Equities.TotalView.Itch.v5.0.20230822/"):
                continue
            with self.subTest(capture=rel):
                st = json.loads(feed("stats", self.path(rel)))
                # zeroed IP checksums: dropped and counted unless in analysis mode
                self.assertEqual(st["dropped"]["ip_checksum"], e["frames"])
                self.assertEqual(st["frames"], st["parsed"] + st["dropped"]["frames"])

    def test_symbol_filter(self):
        rel = "Nasdaq.Equities.TotalView.Itch.v5.0/Multiple.Packets.pcap"
        out = feed("decode", "--symbol", "META", self.path(rel)).splitlines()
        self.assertEqual(len(out), 38)
        self.assertTrue(all(json.loads(line)["symbol"] == "META" for line in out))


if __name__ == "__main__":
    if not CLI or not DATA:
        raise SystemExit("test_feed_omi.py: set TICKGATE_CLI and TICKGATE_DATA (meson test does)")
    unittest.main(verbosity=2)
