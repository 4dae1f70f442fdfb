#!/usr/bin/env python3
"""End-to-end: scripts/demo, short, with the programs of this build.

The demo's own cross-checks compare independent records (the trader's,
the card's registers, the exchange's summary); this test re-derives them
from the JSON files rather than trusting the demo's verdict, checks the
pcaps with the C reference decoder, that a second run needs no clean-up,
and that Ctrl-C ends everything cleanly.

Environment: TICKGATE_DEMO (scripts/demo), TICKGATE_BUILD (the build
directory), TICKGATE_CLI.
"""

import glob
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

DEMO = os.environ.get("TICKGATE_DEMO", "")
BUILD = os.environ.get("TICKGATE_BUILD", "")
CLI = os.environ.get("TICKGATE_CLI", "")


def shm_segments():
    return set(glob.glob("/dev/shm/tickgate-demo-*"))


class DemoTest(unittest.TestCase):
    def run_demo(self, out, *extra, timeout=120):
        return subprocess.run([DEMO, "--build-dir", BUILD, "--out", out] + list(extra),
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def check_run(self, out):
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
        trader, exchange = summary["trader"], summary["exchange"]
        self.assertTrue(all(c["ok"] for c in summary["checks"]), summary["checks"])
        total = trader["total"]["orders"]
        gate = total["gate"]
        self.assertEqual(total["sent"]["total"], gate["accepted"] + gate["rejected"] + gate["in_flight"])
        self.assertEqual(gate["in_flight"], 0)
        self.assertGreater(gate["accepted"], 0, "the trader never got an order through")
        self.assertGreater(total["fills"]["count"], 0, "no fills in the demo")
        user = exchange["order_entry"]["users"][0]
        x = {s["symbol"]: s for s in user["symbols"]}
        for s in trader["symbols"]:
            xs = x.get(s["symbol"], {"bought": 0, "sold": 0, "position": 0})
            self.assertEqual(s["orders"]["fills"]["bought"], xs["bought"], s["symbol"])
            self.assertEqual(s["orders"]["fills"]["sold"], xs["sold"], s["symbol"])
            self.assertEqual(s["position"]["host"], s["position"]["card"], s["symbol"])
            self.assertEqual(s["position"]["host"] - s["position"]["start"], xs["position"], s["symbol"])
        # the exchange's fills with the trader are executions of its engine too
        self.assertLessEqual(sum(xs["bought"] for xs in x.values()), exchange["engine"]["executed_shares"])
        # the card's latency registers saw every accepted order
        self.assertEqual(trader["latency"]["order"]["count"], gate["accepted"])
        # the feed pcap holds what the exchange published, and the card took it all
        stats = json.loads(subprocess.run([CLI, "feed", "stats", os.path.join(out, "feed.pcap"), "--json"],
                                          capture_output=True, text=True, check=True).stdout)
        self.assertEqual(stats["messages"], exchange["feed"]["messages"])
        self.assertGreater(os.path.getsize(os.path.join(out, "order-entry.pcap")), 24)
        return summary

    def test_short_run_is_consistent_and_repeatable(self):
        before = shm_segments()
        with tempfile.TemporaryDirectory() as out:
            for _ in range(2):  # a second run works without clean-up
                res = self.run_demo(out, "--duration", "4", "--seed", "3", "--symbols", "AAPL,MSFT")
                self.assertEqual(res.returncode, 0, res.stdout[-3000:] + res.stderr[-3000:])
                self.assertIn("cross-checks", res.stdout)
                self.check_run(out)
            # trade against a capture: the feed the exchange just published, replayed
            capture = os.path.join(out, "recorded.pcap")
            os.replace(os.path.join(out, "feed.pcap"), capture)
            res = self.run_demo(out, "--duration", "4", "--symbols", "AAPL,MSFT", "--replay", capture)
            self.assertEqual(res.returncode, 0, res.stdout[-3000:] + res.stderr[-3000:])
            summary = self.check_run(out)
            self.assertEqual(summary["exchange"]["market"], "replay")
        self.assertEqual(shm_segments() - before, set(), "a simulator segment was left behind")

    def test_interrupt_ends_cleanly(self):
        before = shm_segments()
        with tempfile.TemporaryDirectory() as out:
            proc = subprocess.Popen([DEMO, "--build-dir", BUILD, "--out", out, "--duration", "60"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            deadline = time.time() + 30
            while time.time() < deadline and not os.path.exists(os.path.join(out, "exchange.ready")):
                time.sleep(0.1)
            time.sleep(3)
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole process group
            stdout, stderr = proc.communicate(timeout=60)
            self.assertEqual(proc.returncode, 0, stdout[-3000:] + stderr[-3000:])
            summary = self.check_run(out)
            self.assertEqual(summary["trader"]["stop_reason"], "signal")
        time.sleep(0.5)
        self.assertEqual(shm_segments() - before, set(), "a simulator segment was left behind")
        leftovers = subprocess.run(["pgrep", "-f", f"--out {out}"], capture_output=True, text=True).stdout
        self.assertEqual(leftovers.strip(), "")

    def test_usage_errors(self):
        for args in (["--duration", "0"], ["--symbols", "lower"], ["--bogus"], ["--replay", "/nonexistent"]):
            res = subprocess.run([DEMO, "--build-dir", BUILD] + args, capture_output=True, text=True, timeout=30)
            self.assertNotEqual(res.returncode, 0, args)


if __name__ == "__main__":
    unittest.main(verbosity=2)
