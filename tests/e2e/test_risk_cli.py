#!/usr/bin/env python3
"""End-to-end: the risk officer's commands against a simulated card.

tickgate risk load / set / show, kill, resume and audit, run as a user
would run them, against tickgate-sim. Expected values come from the limit
files written here and the units of docs/risk-config.md (dollars x 10000,
durations at the card clock), never from the code under test.

Environment: as test_sim_cli.py.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_sim_cli import CLI, Sim, cli  # noqa: E402

GOOD = """\
ceilings:
  global: {max_gross: "50,000,000.00", max_open_all: 1000}
  instruments:
    default: {max_order_qty: 10000}
global:
  max_gross: "10000000.00"
  max_net: "5000000"
  max_open_all: 200
instruments:
  default:
    enabled: true
    max_order_qty: 1000
    collar_bps: 500
  AAPL:
    max_long: 20000
    dup_window: 1ms
"""

BROKEN = """\
global:
  max_gross: "10000000.00"
instruments:
  AAPL:
    max_order_qty: 70000x
"""


def symbol_words(sym):
    raw = sym.ljust(8).encode()
    return int.from_bytes(raw[:4], "little"), int.from_bytes(raw[4:], "little")


class RiskCliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tg-risk-")
        os.environ["TICKGATE_STATE_DIR"] = os.path.join(self.tmp, "state")
        self.sim = Sim()
        for slot, sym in enumerate(["AAPL", "MSFT"]):
            lo, hi = symbol_words(sym)
            for reg, val in (("BOOK_INST_SEL", slot), ("BOOK_INST_SYMBOL_LO", lo), ("BOOK_INST_SYMBOL_HI", hi),
                             ("BOOK_INST_LOCATE", 10 + slot), ("BOOK_INST_CMD", 2)):
                self.run_cli("regs", "write", reg, str(val))

    def tearDown(self):
        self.sim.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_cli(self, *args, check=0):
        return cli(*args, card=self.sim.name, check=check)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def show(self):
        return json.loads(self.run_cli("risk", "show", "--json").stdout)

    def inst(self, shown, sym):
        return next(i for i in shown["instruments"] if i["symbol"] == sym)

    def audit(self):
        out = self.run_cli("audit", "--json").stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def test_load_good_file(self):
        self.run_cli("risk", "load", self.write("good.yaml", GOOD))
        s = self.show()
        self.assertEqual(s["global"]["limits"]["max_gross"]["value"], 10_000_000 * 10_000)
        self.assertEqual(s["global"]["limits"]["max_open_all"]["value"], 200)
        aapl, msft = self.inst(s, "AAPL"), self.inst(s, "MSFT")
        self.assertEqual(aapl["limits"]["max_long"]["value"], 20000)
        self.assertEqual(msft["limits"]["max_long"]["value"], 0)  # default has none
        self.assertEqual(msft["limits"]["max_order_qty"]["value"], 1000)  # from default
        # 1 ms at 322.265625 MHz, rounded to the nearest cycle
        self.assertEqual(aapl["limits"]["dup_window"]["value"], round(322_265_625 / 1000))
        self.assertTrue(all(v["source"] == "config" for v in aapl["limits"].values()))

    def test_broken_file_changes_nothing(self):
        self.run_cli("risk", "load", self.write("good.yaml", GOOD))
        before = self.show()
        n_audit = len(self.audit())
        res = self.run_cli("risk", "load", self.write("broken.yaml", BROKEN), check=1)
        self.assertIn("broken.yaml:5:20", res.stderr)
        self.assertIn("instruments.AAPL.max_order_qty", res.stderr)
        self.assertIn("nothing changed", res.stderr)
        after = self.show()
        self.assertEqual(before["global"], after["global"])
        self.assertEqual(before["instruments"], after["instruments"])
        self.assertEqual(len(self.audit()), n_audit)

    def test_set_within_and_above_ceiling(self):
        self.run_cli("risk", "load", self.write("good.yaml", GOOD))
        self.run_cli("risk", "set", "AAPL", "max_order_qty=5000", "collar_bps=2%")
        aapl = self.inst(self.show(), "AAPL")
        self.assertEqual(aapl["limits"]["max_order_qty"]["value"], 5000)
        self.assertEqual(aapl["limits"]["max_order_qty"]["source"], "live")
        self.assertEqual(aapl["limits"]["collar_bps"]["value"], 200)
        # above the file's ceiling: refused, nothing changes (not even the other key)
        res = self.run_cli("risk", "set", "AAPL", "max_long=100", "max_order_qty=10001", check=1)
        self.assertIn("ceiling", res.stderr)
        aapl = self.inst(self.show(), "AAPL")
        self.assertEqual(aapl["limits"]["max_order_qty"]["value"], 5000)
        self.assertEqual(aapl["limits"]["max_long"]["value"], 20000)
        # wrong arguments: usage, exit 2
        self.run_cli("risk", "set", "AAPL", "max_order_qty=-1", check=2)
        self.run_cli("risk", "set", "AAPL", "no_such_limit=1", check=2)
        self.run_cli("risk", "set", "max_order_qty=5", check=2)  # an instrument limit needs SYMBOL
        self.run_cli("risk", "set", "NOPE", "max_order_qty=5", check=1)
        # global limits without a symbol
        self.run_cli("risk", "set", "max_net=1,000.50")
        self.assertEqual(self.show()["global"]["limits"]["max_net"]["value"], 10_005_000)

    def test_kill_resume_and_audit(self):
        self.run_cli("risk", "load", self.write("good.yaml", GOOD))
        self.run_cli("kill")
        self.assertTrue(self.show()["killed"])
        self.run_cli("resume", check=2)  # needs --confirm
        self.assertTrue(self.show()["killed"])
        self.run_cli("kill", "MSFT")
        self.assertTrue(self.inst(self.show(), "MSFT")["killed"])
        self.run_cli("resume", "--confirm")
        self.run_cli("resume", "MSFT", "--confirm")
        s = self.show()
        self.assertFalse(s["killed"])
        self.assertFalse(self.inst(s, "MSFT")["killed"])
        self.run_cli("risk", "set", "AAPL", "max_long=30000")
        log = self.audit()
        actions = [r["action"] for r in log if r["action"] != "outcome"]
        self.assertEqual(actions, ["risk.load", "kill", "kill", "resume", "resume", "risk.set"])
        outcomes = [r for r in log if r["action"] == "outcome"]
        self.assertEqual(len(outcomes), 6)
        self.assertTrue(all(o["result"] == "applied" for o in outcomes))
        last_set = [r for r in log if r["action"] == "risk.set"][-1]
        self.assertEqual(last_set["changes"], [{"scope": "AAPL", "key": "max_long", "old": "20000", "new": "30000",
                                                "old_raw": 20000, "new_raw": 30000}])
        self.assertEqual(last_set["uid"], os.getuid())
        # the whole command line as typed, the program's name as "tickgate" (audit format 2)
        card = f"sim:{self.sim.name}"
        self.assertEqual(last_set["v"], 2)
        self.assertEqual(last_set["argv"], ["tickgate", "--card", card, "risk", "set", "AAPL", "max_long=30000"])
        self.assertEqual([r["argv"] for r in log if r["action"] in ("kill", "resume")],
                         [["tickgate", "--card", card, "kill"], ["tickgate", "--card", card, "kill", "MSFT"],
                          ["tickgate", "--card", card, "resume", "--confirm"],
                          ["tickgate", "--card", card, "resume", "MSFT", "--confirm"]])
        self.assertTrue(all(o["argv"] == [] for o in outcomes))
        seqs = [r["seq"] for r in log]
        self.assertEqual(seqs, list(range(1, len(log) + 1)))
        text = self.run_cli("audit").stdout
        self.assertIn("AAPL max_long: 20000 -> 30000", text)
        self.assertIn(f"    $ tickgate --card {card} risk set AAPL max_long=30000\n", text)

    def test_audit_reads_format_1_records(self):
        """A log begun before the whole command line was recorded: read on, its lines completed."""
        self.run_cli("kill")
        path = os.path.join(os.environ["TICKGATE_STATE_DIR"], f"sim-{self.sim.name}.audit.jsonl")
        old = {"v": 1, "seq": 3, "time": "2026-01-02T09:30:00.000000000Z", "time_ns": 1767346200000000000,
               "user": "root", "uid": 0, "host": "vm", "pid": 1, "action": "risk.set", "card": f"sim:{self.sim.name}",
               "argv": ["set", "AAPL", "max_order_qty=5"], "changes": []}
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(old, separators=(",", ":")) + "\n")
        self.run_cli("resume", "--confirm")
        log = self.audit()
        self.assertEqual([r["seq"] for r in log], [1, 2, 3, 4, 5])
        self.assertEqual([r["v"] for r in log], [2, 2, 1, 2, 2])
        text = self.run_cli("audit").stdout
        self.assertIn("    $ tickgate risk set AAPL max_order_qty=5\n", text)
        self.assertIn(f"    $ tickgate --card sim:{self.sim.name} resume --confirm\n", text)

    def positions(self):
        out = json.loads(self.run_cli("positions", "--json").stdout)["positions"]
        return {p["symbol"]: p["position"] for p in out}

    def test_bust_reverses_an_execution(self):
        """tickgate risk bust: the risk officer's reversal of a broken trade, audited."""
        self.run_cli("risk", "load", self.write("good.yaml", GOOD))
        card = f"sim:{self.sim.name}"
        # a buy that never happened: its shares leave the position (no exchange here: from 0 to -40)
        res = self.run_cli("risk", "bust", "AAPL", "--side", "buy", "--qty", "40", "--price", "50.01", "--confirm")
        self.assertIn("position 0 -> -40", res.stdout)
        self.assertEqual(self.positions(), {"AAPL": -40, "MSFT": 0})
        # a sell (any sell code) that never happened: its shares come back; --json; --match recorded
        res = self.run_cli("--json", "risk", "bust", "AAPL", "--side", "sell-short", "--qty", "1,000", "--price",
                           "$50", "--match", "77", "--confirm")
        self.assertEqual(json.loads(res.stdout), {"symbol": "AAPL", "instrument": 0, "side": "sell-short", "qty": 1000,
                                                  "price": 500000, "match": 77, "position_before": -40,
                                                  "position_after": 960})
        self.assertEqual(self.inst(self.show(), "AAPL")["position"], 960)
        self.assertEqual(self.positions()["MSFT"], 0)
        log = self.audit()
        busts = [r for r in log if r["action"] == "risk.bust"]
        self.assertEqual([r["detail"] for r in busts],
                         ["symbol=AAPL instrument=0 side=buy qty=40 price=50.0100 source=manual",
                          "match=77 symbol=AAPL instrument=0 side=sell-short qty=1000 price=50.0000 source=manual"])
        self.assertEqual(busts[1]["changes"], [{"scope": "AAPL", "key": "position", "old": "-40", "new": "960",
                                                "old_raw": 2**64 - 40, "new_raw": 960}])
        self.assertEqual(busts[0]["argv"], ["tickgate", "--card", card, "risk", "bust", "AAPL", "--side", "buy", "--qty",
                                            "40", "--price", "50.01", "--confirm"])
        for r in busts:
            self.assertEqual([o["result"] for o in log if o["action"] == "outcome" and o["ref"] == r["seq"]],
                             ["applied"])
        self.assertIn("symbol=AAPL instrument=0 side=buy qty=40 price=50.0100 source=manual",
                      self.run_cli("audit").stdout)
        # a kill stops orders, not corrections
        self.run_cli("kill")
        self.run_cli("risk", "bust", "MSFT", "--side", "sell", "--qty", "5", "--price", "1", "--confirm")
        self.assertEqual(self.positions(), {"AAPL": 960, "MSFT": 5})
        self.run_cli("resume", "--confirm")
        self.assertIn("usage: tickgate risk", self.run_cli("risk", "bust", "--help").stdout)

    def test_bust_bad_arguments(self):
        n_audit = len(self.audit())
        ok = ["AAPL", "--side", "buy", "--qty", "40", "--price", "50.01", "--confirm"]
        for args in (ok[:-1],                                   # no --confirm
                     ok[1:],                                    # no SYMBOL
                     ["AAPL", "MSFT"] + ok[1:],                 # two
                     ["aapl"] + ok[1:],                         # not a symbol
                     ["AAPL", "--qty", "40", "--price", "1", "--confirm"],   # no side
                     ["AAPL", "--side", "buy", "--price", "1", "--confirm"],  # no qty
                     ["AAPL", "--side", "buy", "--qty", "1", "--confirm"],    # no price
                     ["AAPL", "--side", "long", "--qty", "1", "--price", "1", "--confirm"],
                     ["AAPL", "--side", "buy", "--qty", "0", "--price", "1", "--confirm"],
                     ["AAPL", "--side", "buy", "--qty", "16777216", "--price", "1", "--confirm"],
                     ["AAPL", "--side", "buy", "--qty", "1.5", "--price", "1", "--confirm"],
                     ["AAPL", "--side", "buy", "--qty", "-3", "--price", "1", "--confirm"],
                     ["AAPL", "--side", "buy", "--qty", "1", "--price", "0", "--confirm"],
                     ["AAPL", "--side", "buy", "--qty", "1", "--price", "-1", "--confirm"],
                     ["AAPL", "--side", "buy", "--qty", "1", "--price", "1.00001", "--confirm"],
                     ["AAPL", "--side", "buy", "--qty", "1", "--price", "214748.3648", "--confirm"],
                     ["AAPL", "--side", "buy", "--qty", "1", "--price", "x", "--confirm"],
                     ok + ["--match", "x"],
                     ok + ["--match"],
                     ok + ["--frob"]):
            with self.subTest(args=args):
                res = self.run_cli("risk", "bust", *args, check=2)
                self.assertEqual(len(res.stderr.strip().splitlines()), 1, res.stderr)
                self.assertIn("tickgate risk bust", res.stderr)
        # right arguments, no such instrument on the card: it ran and failed
        res = self.run_cli("risk", "bust", "NOPE", *ok[1:], check=1)
        self.assertIn("no instrument NOPE", res.stderr)
        self.assertEqual(self.positions(), {"AAPL": 0, "MSFT": 0})
        self.assertEqual(len(self.audit()), n_audit, "nothing audited")

    def test_permission_refused_for_other_users(self):
        if os.geteuid() != 0 or shutil.which("setpriv") is None:
            self.skipTest("needs root and setpriv to act as another user")
        self.run_cli("risk", "load", self.write("good.yaml", GOOD))
        before = self.show()
        n_audit = len(self.audit())
        env = dict(os.environ)
        res = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", CLI,
                              "--card", f"sim:{self.sim.name}", "risk", "set", "AAPL", "max_long=1"],
                             capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("permission denied", res.stderr)
        res = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", CLI,
                              "--card", f"sim:{self.sim.name}", "kill"],
                             capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(res.returncode, 1, res.stderr)
        res = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", CLI,
                              "--card", f"sim:{self.sim.name}", "risk", "bust", "AAPL", "--side", "buy", "--qty", "5",
                              "--price", "10", "--confirm"],
                             capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("permission denied", res.stderr)
        after = self.show()
        self.assertEqual(before["instruments"], after["instruments"])
        self.assertFalse(after["killed"])
        self.assertEqual(len(self.audit()), n_audit)


if __name__ == "__main__":
    unittest.main(verbosity=2)
