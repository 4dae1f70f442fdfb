#!/usr/bin/env python3
"""End-to-end: tickgate-exchange's feed into the simulated card over UDP,
with packets lost on the wire and recovered through the exchange's
MoldUDP64 retransmission service.

Expectations come from outside the card: the exchange's own record of
what it published (its feed pcap, decoded by the C reference decoder,
and its summary), not from the card's counters alone.

Environment: TICKGATE_SIM, TICKGATE_CLI, TICKGATE_EXCHANGE.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_sim_cli import Sim, cli  # noqa: E402

EXCHANGE = os.environ.get("TICKGATE_EXCHANGE", "")


def free_ports(*kinds):
    socks, ports = [], []
    for kind in kinds:
        s = socket.socket(socket.AF_INET, kind)
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def reg(card, name):
    return json.loads(cli("regs", "read", name, "--json", card=card, check=0).stdout)["value"]


class ExchangeFeedTest(unittest.TestCase):
    def run_exchange(self, tmp, feed_port, rtx_port, *extra, duration="3"):
        summary = os.path.join(tmp, "exchange.json")
        pcap = os.path.join(tmp, "feed.pcap")
        res = subprocess.run(
            [EXCHANGE, "--symbols", "AAPL,MSFT", "--seed", "7", "--rate", "3000", "--duration", duration,
             "--feed", f"127.0.0.1:{feed_port}", "--retrans-port", str(rtx_port), "--oe-port", "0",
             "--feed-pcap", pcap, "--summary", summary, "--quiet"] + list(extra),
            capture_output=True, text=True, timeout=60)
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(summary, encoding="utf-8") as f:
            return json.load(f), pcap

    def wait_delivered(self, card, want):
        deadline = time.time() + 20
        while time.time() < deadline:
            got = reg(card, "FEED_MESSAGES")
            if got >= want and reg(card, "FEED_STATUS") & 2 == 0:
                return got
            time.sleep(0.1)
        return reg(card, "FEED_MESSAGES")

    def check_feed_link(self, sim, feed):
        """tickgate status's view of the simulator's feed link against what the exchange sent and received."""
        sent = feed["packets"] + feed["retrans_packets"]
        deadline = time.time() + 10
        while time.time() < deadline:
            link = sim.status()["feed_link"]
            if link["datagrams"] + link["retrans_datagrams"] + link["queue_drops"] >= sent:
                break
            time.sleep(0.1)
        self.assertEqual((link["state"], link["retrans"]), ("up", True))
        # every datagram the exchange sent arrived (loopback): into the card, or dropped by a full queue
        self.assertEqual(link["datagrams"] + link["retrans_datagrams"] + link["queue_drops"], sent, link)
        self.assertEqual(link["frames"], link["datagrams"] + link["retrans_datagrams"])
        self.assertGreater(link["retrans_datagrams"], 0)
        # every request the link sent, the exchange received
        self.assertEqual(link["requests"], feed["retrans_requests"])
        self.assertGreater(link["holds"], 0)
        self.assertEqual((link["malformed"], link["send_errors"]), (0, 0))
        if link["queue_drops"] == 0:
            self.assertEqual(link["last_error"], "")
        text = cli("status", card=sim.name, check=0).stdout
        self.assertIn(f"feed link  up, with retransmission; {link['datagrams']} datagrams", text)

    def test_losses_recovered_by_retransmission(self):
        feed_port, rtx_port = free_ports(socket.SOCK_DGRAM, socket.SOCK_DGRAM)
        with tempfile.TemporaryDirectory() as tmp, \
                Sim("--feed-udp", f"127.0.0.1:{feed_port}", "--feed-retrans", f"127.0.0.1:{rtx_port}",
                    "--quiet") as sim:
            summary, pcap = self.run_exchange(tmp, feed_port, rtx_port, "--drop-every", "20")
            feed = summary["feed"]
            self.assertGreater(feed["dropped_by_injection"], 10, feed)
            self.assertGreater(feed["retrans_requests"], 0, feed)
            # the exchange's record of the stream, through the C reference decoder
            ref = json.loads(cli("feed", "stats", pcap, "--json", check=0).stdout)
            self.assertEqual(ref["messages"], feed["messages"])
            self.assertEqual(ref["gaps"]["count"], 0)

            got = self.wait_delivered(sim.name, feed["messages"])
            # nothing missing, nothing twice: every message, once
            self.assertEqual(got, feed["messages"])
            self.assertEqual(reg(sim.name, "FEED_NEXT_SEQ"), feed["messages"] + 1)
            self.assertGreater(reg(sim.name, "FEED_GAPS"), 0)
            self.assertGreater(reg(sim.name, "FEED_DROP_MOLD_AHEAD"), 0)
            self.assertEqual(reg(sim.name, "FEED_STATUS") & 2, 0, "still holding at a gap")
            for letter in "AEDUXRS":
                cli("regs", "write", "FEED_TYPE_SEL", str(ord(letter)), card=sim.name, check=0)
                self.assertEqual(reg(sim.name, "FEED_TYPE_COUNT"), ref["by_type"].get(letter, 0),
                                 f"messages of type {letter}")
            self.check_feed_link(sim, feed)
            code, err = sim.stop()
            self.assertEqual(code, 0, err)

    def test_without_recovery_the_card_follows_the_gap(self):
        """The control: the same losses without a retransmission server are missed."""
        feed_port, rtx_port = free_ports(socket.SOCK_DGRAM, socket.SOCK_DGRAM)
        with tempfile.TemporaryDirectory() as tmp, \
                Sim("--feed-udp", f"127.0.0.1:{feed_port}", "--quiet") as sim:
            summary, _ = self.run_exchange(tmp, feed_port, rtx_port, "--drop-every", "20", duration="2")
            feed = summary["feed"]
            time.sleep(1)
            got = reg(sim.name, "FEED_MESSAGES")
            missing = reg(sim.name, "FEED_GAP_MESSAGES")
            self.assertGreater(missing, 0)
            self.assertEqual(got + missing, feed["messages"])
            self.assertEqual(reg(sim.name, "FEED_DROP_MOLD_AHEAD"), 0)

    def test_same_seed_same_feed(self):
        """Deterministic: two runs of one seed publish the same messages, timestamps included."""
        out = []
        for _ in range(2):
            feed_port, rtx_port = free_ports(socket.SOCK_DGRAM, socket.SOCK_DGRAM)
            with tempfile.TemporaryDirectory() as tmp:
                _, pcap = self.run_exchange(tmp, feed_port, rtx_port, duration="1")
                lines = cli("feed", "decode", pcap, "--json", check=0).stdout.splitlines()
                msgs = []
                for line in lines:
                    m = json.loads(line)
                    m.pop("frame")  # packetization follows the wall clock; the messages do not
                    if m["type"] == "S" and m["event_code"] in "MEC":
                        continue  # the end of the day comes when the wall clock says
                    msgs.append(json.dumps(m, sort_keys=True))
                out.append(msgs)
        n = min(len(out[0]), len(out[1]))
        self.assertGreater(n, 500)
        # the runs last the same wall time, not the same number of actions: compare the common prefix
        self.assertEqual(out[0][:n], out[1][:n])

    def test_usage_errors(self):
        for args in (["--bogus"], ["--seed", "x"], ["--feed", "nowhere"], ["--symbols", "TOOLONGSYM"],
                     ["--user", "nopassword"], ["extra"]):
            res = subprocess.run([EXCHANGE] + args, capture_output=True, text=True, timeout=10)
            self.assertEqual(res.returncode, 2, args)
            self.assertIn("tickgate-exchange", res.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
