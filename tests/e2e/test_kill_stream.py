#!/usr/bin/env python3
"""End-to-end: the kill switch pulled while orders stream, as a user sees it.

tickgate-sim (the simulated card, its own process) carries the card's OUCH
orders over SoupBinTCP to soup_peer (the exchange, which fills every order
whole), while order_driver streams new orders into the card's H2C ring, one
a millisecond, seeded. While they stream: `tickgate kill`, then `tickgate
resume` without --confirm (a usage error that must change nothing), then
`tickgate resume --confirm`.

Checked from outside the code under test, against each other:
  - the driver's record of every order (when it was queued, in wall time on
    CLOCK_MONOTONIC like the test's own clock; the card's decision and cycle
    stamps): every order queued after `tickgate kill` returned and before
    the resume was blocked with reason KILLED, every order queued after the
    resume returned was accepted, and the blocked orders are one run in
    queue order (nothing accepted between the first blocked and the resume);
  - the card's own kill latency (`tickgate stats --json`): one sample, and
    the kill it dates falls between the last order accepted and the first
    blocked, as their gate-entry cycles say; decisions by reason equal the
    driver's counts;
  - the exchange's log: it received exactly the accepted orders (ClOrdID
    TG<tag>), in order, so no Enter Order after the kill was applied;
  - `tickgate risk show` and `tickgate status` say killed, then not;
    `tickgate audit` has the kill and the resume, not the refused resume.

Environment: TICKGATE_SIM, TICKGATE_CLI, TICKGATE_SOUP_PEER,
TICKGATE_ORDER_DRIVER (programs).
"""

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_order_entry import DRIVER, FILL, PEER, SIM, Peer, Sim, wait_for  # noqa: E402
from test_sim_cli import CLI, cli, shm_path  # noqa: E402

SYMBOL = "TGKILL"
SEED = 4242
R_ACCEPTED, R_KILLED = 0, 1
AHEAD = 20      # orders decided in each phase before the next step


class KillWhileStreamingTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tg-kill-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        # the CLI's audit log and limit state, per test
        old_state = os.environ.get("TICKGATE_STATE_DIR")
        os.environ["TICKGATE_STATE_DIR"] = os.path.join(self.tmp, "state")
        self.addCleanup(lambda: os.environ.pop("TICKGATE_STATE_DIR") if old_state is None
                        else os.environ.__setitem__("TICKGATE_STATE_DIR", old_state))
        self.peer = Peer(self.tmp)              # fills FILL shares of every order: all of ours
        self.addCleanup(self.halt, self.peer.proc)
        self.sim = Sim(self.tmp, self.peer.port)
        self.addCleanup(self.halt, self.sim.proc, shm_path(self.sim.name))
        self.sim.link("--wait", "active")
        self.sim.driver("setup", SYMBOL, str(FILL))
        self.stream_log = os.path.join(self.tmp, "stream.jsonl")

    @staticmethod
    def halt(proc, segment=None):
        """A process a failed test left running: asked to stop, then killed; and its segment."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if segment and os.path.exists(segment):
            os.unlink(segment)

    def run_cli(self, *args, check=0):
        return cli(*args, card=self.sim.name, check=check)

    def cli_json(self, *args):
        return json.loads(self.run_cli(*args, "--json").stdout)

    def stream_lines(self, event):
        with open(self.stream_log, encoding="utf-8") as f:
            lines = [json.loads(line) for line in f if line.endswith("\n")]
        return [x for x in lines if x["event"] == event]

    def queued_after(self, t_ns):
        return [d for d in self.stream_lines("decision") if d["sent_ns"] >= t_ns]

    def wait_decided_after(self, t_ns, what, accepted=None):
        """Poll the driver's log until AHEAD orders queued after t_ns are decided."""
        def enough():
            ds = self.queued_after(t_ns)
            return len([d for d in ds if accepted is None or d["accepted"] == accepted]) >= AHEAD and ds
        return wait_for(enough, 30, what)

    def killed(self):
        return self.cli_json("risk", "show")["killed"], self.cli_json("status")["control"]["killed"]

    def test_kill_while_orders_stream(self):
        with open(self.stream_log, "w", encoding="utf-8") as out, \
                open(self.stream_log + ".err", "w", encoding="utf-8") as err:
            stream = subprocess.Popen([DRIVER, f"sim:{self.sim.name}", "stream", "--seed", str(SEED),
                                       "--qty-max", str(FILL), "--interval-us", "1000"], stdout=out, stderr=err)
        self.addCleanup(self.halt, stream)
        self.wait_decided_after(0, "orders to stream", accepted=True)
        self.assertEqual(self.killed(), (False, False))

        # ---- the kill, while they stream ----
        t_kill0 = time.monotonic_ns()
        self.run_cli("kill")
        t_kill = time.monotonic_ns()
        self.wait_decided_after(t_kill, "orders queued after the kill")
        self.assertEqual(self.killed(), (True, True))

        # ---- resume without --confirm: usage error, nothing changes ----
        res = self.run_cli("resume", check=2)
        self.assertIn("--confirm", res.stderr)
        t_refused = time.monotonic_ns()
        self.wait_decided_after(t_refused, "orders queued after the refused resume")
        self.assertEqual(self.killed(), (True, True))

        # ---- resume --confirm: orders go through again ----
        t_resume0 = time.monotonic_ns()
        self.run_cli("resume", "--confirm")
        t_resume = time.monotonic_ns()
        self.wait_decided_after(t_resume, "orders accepted after the resume", accepted=True)
        self.assertEqual(self.killed(), (False, False))
        stream.send_signal(signal.SIGINT)
        with open(self.stream_log + ".err", encoding="utf-8") as err:
            self.assertEqual(stream.wait(timeout=30), 0, err.read())

        # ---- every order, by tag (the order they were queued in) ----
        done = self.stream_lines("done")[0]
        decisions = sorted(self.stream_lines("decision"), key=lambda d: d["tag"])
        self.assertEqual(done["decided"], done["sent"])
        self.assertEqual([d["tag"] for d in decisions], list(range(1, done["sent"] + 1)))
        self.assertEqual({d["reason"] for d in decisions}, {R_ACCEPTED, R_KILLED},
                         "no reason but the kill rejected an order")
        killed = [d for d in decisions if d["reason"] == R_KILLED]
        first, last = killed[0]["tag"], killed[-1]["tag"]
        self.assertEqual([d["tag"] for d in killed], list(range(first, last + 1)),
                         "the blocked orders are one run: nothing accepted between the kill and the resume")
        for d in decisions:
            if t_kill <= d["sent_ns"] < t_resume0:
                self.assertEqual(d["reason"], R_KILLED, f"queued after the kill returned: {d}")
            if d["sent_ns"] >= t_resume:
                self.assertEqual(d["reason"], R_ACCEPTED, f"queued after the resume returned: {d}")
        blocked_window = [d for d in decisions if t_kill <= d["sent_ns"] < t_resume0]
        self.assertGreaterEqual(len(blocked_window), 2 * AHEAD, "orders kept streaming while killed")
        self.assertTrue(any(d["sent_ns"] < t_kill0 and d["accepted"] for d in decisions))

        # ---- the card's own figures ----
        stats = self.cli_json("stats")
        accepted = [d for d in decisions if d["accepted"]]
        self.assertEqual(stats["decisions"]["ACCEPTED"], len(accepted))
        self.assertEqual(stats["decisions"]["KILLED"], len(killed))
        kill_lat = stats["kill_latency"]
        self.assertEqual(kill_lat["count"], 1, "one kill, one sample")
        self.assertGreaterEqual(kill_lat["last_cycles"], 2, "a decision takes 2 cycles")
        self.assertTrue(math.isclose(kill_lat["last_ns"], kill_lat["last_cycles"] * stats["ns_per_cycle"],
                                     rel_tol=1e-5), kill_lat)
        # the kill dated by KILL_LAT: after the last order accepted entered the gate, before the first blocked
        kill_cycle = killed[0]["timestamp"] - kill_lat["last_cycles"]
        before = decisions[first - 2]
        self.assertTrue(before["accepted"])
        self.assertLess(before["in_cycle"], kill_cycle)
        self.assertLess(kill_cycle, killed[0]["in_cycle"])

        # ---- the exchange received exactly the accepted orders, in order ----
        def entered():
            got = [m for m in self.peer.events("message") if m["type"] == "O"]
            return got if len(got) >= len(accepted) else None
        received = wait_for(entered, 20, "the exchange to receive every accepted order")
        self.assertEqual([m["clordid"] for m in received], [f"TG{d['tag']}" for d in accepted])
        urns = [m["urn"] for m in received]
        self.assertEqual(urns, sorted(set(urns)), "UserRefNums strictly increase")

        print(f"{len(decisions)} orders: {len(accepted)} accepted, {len(killed)} blocked (tags {first}..{last}); "
              f"kill latency {kill_lat['last_cycles']} cycles", file=sys.stderr)

        # ---- the audit log: the kill and the resume, not the refused one ----
        audit = [json.loads(line) for line in self.run_cli("audit", "--json").stdout.splitlines() if line.strip()]
        self.assertEqual([r["action"] for r in audit if r["action"] != "outcome"], ["kill", "resume"])
        self.assertTrue(all(r["result"] == "applied" for r in audit if r["action"] == "outcome"))

        # ---- a clean end: the simulator logs out and removes its segment ----
        self.assertEqual(self.sim.stop(signal.SIGINT), 0, self.sim.stderr())
        self.assertFalse(os.path.exists(shm_path(self.sim.name)))
        self.peer.stop()


if __name__ == "__main__":
    missing = [n for n, v in (("TICKGATE_SIM", SIM), ("TICKGATE_CLI", CLI), ("TICKGATE_SOUP_PEER", PEER),
                              ("TICKGATE_ORDER_DRIVER", DRIVER)) if not v]
    if missing:
        raise SystemExit(f"test_kill_stream.py: set {', '.join(missing)} (meson test does)")
    unittest.main(verbosity=2)
