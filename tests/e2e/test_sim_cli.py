#!/usr/bin/env python3
"""End-to-end: tickgate-sim (the Verilated card in its own process) driven
by the tickgate CLI over the shared-memory card interface.

Expectations come from outside the code under test: frame and byte counts
from a pcap parser written here (not libpcap), identity values from the
generated C header, clean-up from /dev/shm itself.

Environment: TICKGATE_SIM, TICKGATE_CLI (programs), TICKGATE_DATA (the
shared conformance data), TICKGATE_REGS_H (generated card_regs.h).
"""

import glob
import json
import os
import re
import signal
import socket
import struct
import subprocess
import time
import unittest

SIM = os.environ.get("TICKGATE_SIM", "")
CLI = os.environ.get("TICKGATE_CLI", "")
DATA = os.environ.get("TICKGATE_DATA", "")
REGS_H = os.environ.get("TICKGATE_REGS_H", "")
_serial = [0]


def unique_name():
    _serial[0] += 1
    return f"e2e-{os.getpid()}-{_serial[0]}"


def shm_path(name):
    return f"/dev/shm/tickgate-{name}"


def pcap_totals(path):
    """Frames and captured bytes of a pcap file, parsed by hand."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        endian = "<"
    elif struct.unpack(">I", data[:4])[0] in (0xa1b2c3d4, 0xa1b23c4d):
        endian = ">"
    else:
        raise ValueError(f"{path}: not a pcap file")
    off, frames, nbytes = 24, 0, 0
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16 + caplen
        if off > len(data):
            break
        frames += 1
        nbytes += caplen
    return frames, nbytes


def cli(*args, card=None, check=None, timeout=30):
    cmd = [CLI] + (["--card", f"sim:{card}"] if card else []) + list(args)
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check is not None:
        assert res.returncode == check, f"{cmd}: exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    return res


class Sim:
    """One tickgate-sim process serving sim:NAME."""

    def __init__(self, *args, name=None):
        self.name = name or unique_name()
        self.proc = subprocess.Popen([SIM, "--name", self.name] + list(args),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"tickgate-sim exited early: {self.proc.stderr.read()}")
            if cli("status", "--json", card=self.name).returncode == 0:
                return
            time.sleep(0.05)
        self.proc.kill()
        raise AssertionError("tickgate-sim did not come up")

    def status(self):
        return json.loads(cli("status", "--json", card=self.name, check=0).stdout)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=20)
        return self.proc.returncode, err

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.stop()


class SimCliTest(unittest.TestCase):
    def test_identity_read_through_the_rtl(self):
        with open(REGS_H, encoding="utf-8") as f:
            header = f.read()
        want_hash = int(re.search(r"TG_CARD_CONTRACT_HASH 0x([0-9a-f]+)u", header).group(1), 16)
        want_magic = int(re.search(r"TG_CARD_MAGIC 0x([0-9a-f]+)u", header).group(1), 16)
        with Sim() as sim:
            st = sim.status()
            self.assertEqual(int(st["identity"]["magic"], 16), want_magic)
            self.assertEqual(int(st["identity"]["contract_hash"], 16), want_hash)
            self.assertEqual(st["identity"]["if_major"], 1)
            self.assertGreater(st["counters"]["uptime"], 0)
            # a simulator started without --oe-connect or --feed-udp: links reported, none configured
            self.assertEqual(st["oe_link"]["state"], "none")
            self.assertEqual(st["feed_link"]["state"], "none")
            text = cli("status", card=sim.name, check=0).stdout
            self.assertIn("magic 0x%08x" % want_magic, text)
            self.assertRegex(text, r"(?m)^oe link +none$")
            self.assertRegex(text, r"(?m)^feed link +none$")

    def test_status_shows_the_feed_link(self):
        """The feed link's counters against the datagrams this test sends it."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        sent = 12
        with Sim("--feed-udp", f"127.0.0.1:{port}", "--quiet") as sim, \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
            for seq in range(1, sent + 1):
                # MoldUDP64: session, sequence number, count; one 12-byte ITCH system event
                msg = b"S" + struct.pack(">HH", 0, 0) + (34200 * 10**9 + seq).to_bytes(6, "big") + b"O"
                tx.sendto(b"TGSTATUS01" + struct.pack(">QH", seq, 1) + struct.pack(">H", len(msg)) + msg,
                          ("127.0.0.1", port))
            tx.sendto(b"short", ("127.0.0.1", port))  # not a MoldUDP64 packet
            deadline = time.time() + 20
            while time.time() < deadline:
                st = sim.status()
                link = st["feed_link"]
                if link["datagrams"] + link["malformed"] >= sent + 1 and st["counters"]["feed_messages"] >= sent:
                    break
                time.sleep(0.05)
            self.assertEqual((link["state"], link["retrans"]), ("up", False))
            self.assertEqual(link["datagrams"], sent)
            self.assertEqual(link["frames"], sent)
            self.assertEqual(link["malformed"], 1)
            self.assertEqual((link["retrans_datagrams"], link["requests"], link["queue_drops"]), (0, 0, 0))
            self.assertIn("5 bytes: shorter than a MoldUDP64 header", link["last_error"])
            self.assertEqual(st["counters"]["feed_messages"], sent, "the card took every message")
            text = cli("status", card=sim.name, check=0).stdout
            self.assertRegex(text, rf"(?m)^feed link +up, without retransmission; {sent} datagrams, ")
            self.assertRegex(text, r"(?m)^ +last error: a datagram of 5 bytes")
            self.assertRegex(text, r"(?m)^oe link +none$")

    def test_capture_replay_counters(self):
        captures = sorted(glob.glob(os.path.join(DATA, "omi", "*", "*.pcap")))
        self.assertGreaterEqual(len(captures), 20, f"conformance captures missing under {DATA}")
        for path in captures:
            frames, nbytes = pcap_totals(path)
            with self.subTest(capture=os.path.basename(path)), Sim("--pcap", path, "--quiet") as sim:
                deadline = time.time() + 20
                while time.time() < deadline:
                    c = sim.status()["counters"]
                    if c["rx_frames"] >= frames:
                        break
                    time.sleep(0.05)
                self.assertEqual(c["rx_frames"], frames)
                self.assertEqual(c["rx_bytes"], nbytes)

    def test_frame_events_and_loopback_share_the_rings(self):
        path = os.path.join(DATA, "omi", "Nasdaq.Equities.TotalView.Itch.v5.0", "Multiple.Packets.pcap")
        frames, _ = pcap_totals(path)
        with Sim("--pcap", path, "--repeat", "0", "--pps", "2000", "--quiet") as sim:
            cli("regs", "write", "CONTROL", "1", card=sim.name, check=0)
            res = cli("loopback", "--count", "3000", "--json", card=sim.name, check=0)
            out = json.loads(res.stdout)
            self.assertTrue(out["ok"])
            self.assertEqual(out["received"], 3000)
            self.assertEqual(out["bad"], 0)
            self.assertEqual(out["seq_gaps"], 0)
            self.assertGreater(out["other_events"], 0, "frame summaries arrived between answers")
            self.assertGreater(out["card_cycles_median"], 0)
            self.assertGreaterEqual(frames, 2)

    def test_h2c_roundtrip_counts(self):
        with Sim() as sim:
            out = json.loads(cli("loopback", "-n", "20000", "-w", "64", "--json",
                                 card=sim.name, check=0).stdout)
            self.assertTrue(out["ok"])
            c = sim.status()["counters"]
            self.assertEqual(c["h2c_records"], 20000)
            self.assertEqual(c["c2h_records"], 20000)
            self.assertEqual(c["cmd_errors"], 0)

    def test_clean_exit_on_signals(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            sim = Sim()
            self.assertTrue(os.path.exists(shm_path(sim.name)))
            st = os.stat(shm_path(sim.name))
            self.assertEqual(st.st_mode & 0o777, 0o600)
            rc, err = sim.stop(sig)
            self.assertEqual(rc, 0, err)
            self.assertFalse(os.path.exists(shm_path(sim.name)), f"segment left after {sig}")
            res = cli("status", card=sim.name, check=1)
            self.assertIn("no such card", res.stderr)

    def test_refuses_a_live_name_and_takes_over_a_stale_one(self):
        with Sim() as sim:
            dup = subprocess.run([SIM, "--name", sim.name], capture_output=True, text=True, timeout=20)
            self.assertEqual(dup.returncode, 1)
            self.assertIn("already served by pid", dup.stderr)
            sim.status()    # the first one is unharmed
            sim.proc.kill()  # SIGKILL: no chance to clean up
            sim.proc.wait()
        self.assertTrue(os.path.exists(shm_path(sim.name)))
        with Sim(name=sim.name) as again:
            self.assertIn("identity", again.status())
            rc, err = again.stop()
            self.assertIn("removing stale", err)
        self.assertFalse(os.path.exists(shm_path(sim.name)))

    def test_ring_ownership(self):
        with Sim() as sim:
            owner = subprocess.Popen([CLI, "--card", f"sim:{sim.name}", "loopback", "-n", "100000000"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.time() + 20
                while sim.status()["counters"]["h2c_records"] == 0 and time.time() < deadline:
                    time.sleep(0.05)
                res = cli("loopback", "-n", "10", card=sim.name, check=1)
                self.assertIn("owned by another process", res.stderr)
                res = cli("regs", "write", "H2C_PROD", "5", card=sim.name, check=1)
                self.assertIn("belongs to the process that owns", res.stderr)
            finally:
                owner.kill()
                owner.wait()
            # the owner died without closing: its rings are taken over
            out = json.loads(cli("loopback", "-n", "100", "--json", card=sim.name, check=0).stdout)
            self.assertTrue(out["ok"])

    def test_registers_by_name(self):
        with Sim() as sim:
            cli("regs", "write", "SCRATCH", "0xc0ffee", card=sim.name, check=0)
            out = json.loads(cli("regs", "read", "scratch", "--json", card=sim.name, check=0).stdout)
            self.assertEqual(out["value"], 0xc0ffee)
            cli("regs", "write", "KILL", "1", card=sim.name, check=0)
            self.assertTrue(sim.status()["control"]["killed"])
            regs = json.loads(cli("regs", "dump", "--json", card=sim.name, check=0).stdout)
            names = {r["name"]: r["value"] for r in regs}
            self.assertEqual(names["SCRATCH"], 0xc0ffee)
            self.assertEqual(names["KILL"], 1)
            self.assertIn("UPTIME", names)

    def test_usage_errors_exit_2_and_change_nothing(self):
        with Sim() as sim:
            cli("regs", "write", "SCRATCH", "7", card=sim.name, check=0)
            bad = [
                [], ["nosuch"], ["status", "--count", "x"], ["status", "extra"],
                ["regs"], ["regs", "frob"], ["regs", "read"], ["regs", "read", "NOPE"],
                ["regs", "write", "STATUS", "1"], ["regs", "write", "MAGIC", "1"],
                ["regs", "write", "SCRATCH", "0x1ffffffff"], ["regs", "write", "SCRATCH", "-1"],
                ["regs", "write", "CONTROL", "0x2"], ["regs", "write", "SCRATCH"],
                ["loopback", "--count", "0"], ["loopback", "--window", "5000"], ["--bogus"],
                ["loopback", "-n"], ["status", "-x"], ["--card"],
            ]
            for args in bad:
                with self.subTest(args=args):
                    res = cli(*args, card=sim.name)
                    self.assertEqual(res.returncode, 2, res.stderr)
                    lines = res.stderr.strip().splitlines()
                    if args:
                        self.assertEqual(len(lines), 1, f"one-line message: {res.stderr}")
                    else:
                        self.assertIn("usage:", res.stderr)
            out = json.loads(cli("regs", "read", "SCRATCH", "--json", card=sim.name, check=0).stdout)
            self.assertEqual(out["value"], 7, "no usage error wrote anything")
            for args in (["--help"], ["status", "--help"], ["regs", "--help"], ["loopback", "--help"]):
                self.assertEqual(cli(*args).returncode, 0)
        for args in (["--bogus"], ["--repeat", "x"], ["--pps", "0"], ["--name", "a/b"], ["extra"]):
            res = subprocess.run([SIM] + args, capture_output=True, text=True, timeout=20)
            self.assertEqual(res.returncode, 2, args)

    def test_no_card(self):
        res = cli("status", card="nobody-serves-this", check=1)
        self.assertIn("no such card", res.stderr)
        res = subprocess.run([CLI, "--card", "tcp:x", "status"], capture_output=True, text=True)
        self.assertEqual(res.returncode, 1)
        self.assertIn("not a card URI", res.stderr)


if __name__ == "__main__":
    missing = [n for n, v in (("TICKGATE_SIM", SIM), ("TICKGATE_CLI", CLI), ("TICKGATE_DATA", DATA),
                              ("TICKGATE_REGS_H", REGS_H)) if not v]
    if missing:
        raise SystemExit(f"test_sim_cli.py: set {', '.join(missing)} (meson test does)")
    unittest.main(verbosity=2)
