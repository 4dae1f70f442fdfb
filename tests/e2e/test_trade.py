#!/usr/bin/env python3
"""End-to-end: `tickgate trade` trading through the simulated card.

tickgate-sim replays a synthetic ITCH feed (built here: a stock directory
for each symbol, repeated, and a market of adds, deletes and executions
around a random walk, wrapped into MoldUDP64 by `tickgate feed topcap`) at
the capture's pace, and carries the card's OUCH orders over SoupBinTCP
(--oe-connect) to soup_peer, a small exchange that fills part of every new
order. `tickgate trade` runs against it for a few seconds, then once more
until SIGINT. With soup_peer breaking every few executions (OUCH Broken
Trade), the trader reverses each one in the card's gate, audited.

Checked from outside the code under test: the summary's own bookkeeping
(orders sent = accepted + rejected + in flight, rejections by reason,
P&L = realized + unrealized), what the exchange says it received and
executed (its JSON log: fills, shares and cash per symbol, the orders that
reached it), and what the card reports through other commands (positions,
the watchdog register, the audit log).

Environment: TICKGATE_SIM, TICKGATE_CLI, TICKGATE_SOUP_PEER,
TICKGATE_ORDER_DRIVER (programs).
"""

import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import unittest

SIM = os.environ.get("TICKGATE_SIM", "")
CLI = os.environ.get("TICKGATE_CLI", "")
PEER = os.environ.get("TICKGATE_SOUP_PEER", "")
DRIVER = os.environ.get("TICKGATE_ORDER_DRIVER", "")
USER, PASSWORD, SESSION = "TGUSER", "S3CRET", "TGSESS01"
SYMBOLS = ["TGAA", "TGBB"]
FILL = 40           # soup_peer executes min(FILL, quantity) of every new order at its price
FEED_SECONDS = 90   # market time of the feed, replayed at its own pace
_serial = [0]


def unique_name():
    _serial[0] += 1
    return f"trade-{os.getpid()}-{_serial[0]}"


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# ---------------------------------------------------------------- the feed

def itch_header(mtype, locate, ts):
    return mtype.encode() + struct.pack(">HH", locate, 0) + ts.to_bytes(6, "big")


def stock_directory(locate, symbol, ts):
    body = (symbol.ljust(8).encode() + b"QN" + struct.pack(">I", 100) + b"NCC P" + b"NN1N" +
            struct.pack(">I", 0) + b"N")
    msg = itch_header("R", locate, ts) + body
    assert len(msg) == 39
    return msg


def add_order(locate, symbol, ts, ref, side, shares, price):
    msg = itch_header("A", locate, ts) + struct.pack(">Qc", ref, side.encode()) + struct.pack(">I", shares) + \
        symbol.ljust(8).encode() + struct.pack(">I", price)
    assert len(msg) == 36
    return msg


def delete_order(locate, ts, ref):
    return itch_header("D", locate, ts) + struct.pack(">Q", ref)


def executed(locate, ts, ref, shares, match):
    return itch_header("E", locate, ts) + struct.pack(">QIQ", ref, shares, match)


def market(seconds=FEED_SECONDS, seed=11):
    """ITCH messages: per symbol a book around a mid that walks in $0.01
    ticks, bids at mid - 1..5 ticks and asks at mid + 1..5 ticks (so the
    spread is 2 ticks or more), and the stock directory again every 0.5 s
    (a trader that subscribes after the feed started learns the locate)."""
    rng = random.Random(seed)
    t0, step = 34200 * 10**9, 4 * 10**6
    msgs = [itch_header("S", 0, t0) + b"O"]
    books = {}
    ref = match = 0
    for i, sym in enumerate(SYMBOLS):
        loc = 10 + i
        books[sym] = {"loc": loc, "mid": 500000 + 100000 * i, "orders": {}}
        msgs.append(stock_directory(loc, sym, t0))
    t, next_dir = t0, t0 + 5 * 10**8

    def add(b, sym, side, level):
        nonlocal ref
        ref += 1
        price = b["mid"] - 100 * level if side == "B" else b["mid"] + 100 * level
        b["orders"][ref] = [side, price, rng.randrange(1, 6) * 100]
        msgs.append(add_order(b["loc"], sym, t, ref, side, b["orders"][ref][2], price))

    for sym in SYMBOLS:
        for level in (1, 2, 3):
            add(books[sym], sym, "B", level)
            add(books[sym], sym, "S", level)
    while t < t0 + seconds * 10**9:
        t += step
        if t >= next_dir:
            for sym in SYMBOLS:
                msgs.append(stock_directory(books[sym]["loc"], sym, t))
            next_dir += 5 * 10**8
        sym = rng.choice(SYMBOLS)
        b = books[sym]
        orders = b["orders"]
        r = rng.random()
        if r < 0.12:
            # the mid moves a tick: orders now crossing it, or more than 5 ticks away, leave
            # (the card's book keeps 8 levels a side; a deeper side could hide its top)
            b["mid"] += rng.choice((-100, 100))
            for oref, (side, price, _) in list(orders.items()):
                away = (b["mid"] - price if side == "B" else price - b["mid"]) // 100
                if away < 1 or away > 5:
                    del orders[oref]
                    msgs.append(delete_order(b["loc"], t, oref))
        elif r < 0.6 or len(orders) < 6:
            add(b, sym, rng.choice("BS"), rng.randrange(1, 6))
        elif r < 0.85:
            oref = rng.choice(list(orders))
            del orders[oref]
            msgs.append(delete_order(b["loc"], t, oref))
        else:
            side = rng.choice("BS")
            best = [(o[1], k) for k, o in orders.items() if o[0] == side]
            if best:
                _, oref = max(best) if side == "B" else min(best)
                shares = rng.randrange(1, orders[oref][2] + 1)
                match += 1
                msgs.append(executed(b["loc"], t, oref, shares, match))
                orders[oref][2] -= shares
                if orders[oref][2] == 0:
                    del orders[oref]
    return msgs


# ---------------------------------------------------------------- processes

def cli(*args, card=None, check=None, timeout=60, env=None):
    cmd = [CLI] + (["--card", f"sim:{card}"] if card else []) + list(args)
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if check is not None:
        assert res.returncode == check, f"{cmd}: exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    return res


class Peer:
    """soup_peer, logging one JSON object per line to a file."""

    def __init__(self, tmp, *extra):
        _serial[0] += 1
        self.log = os.path.join(tmp, f"peer-{_serial[0]}.log")
        with open(self.log, "w", encoding="utf-8") as out, open(self.log + ".err", "w") as err:
            self.proc = subprocess.Popen([PEER, "--port", "0", "--user", USER, "--password", PASSWORD,
                                          "--session", SESSION, "--fill", str(FILL)] + list(extra),
                                         stdout=out, stderr=err)
        first = wait_for(lambda: self.events(), 10, "soup_peer to listen")[0]
        assert first["event"] == "listening", first
        self.port = first["port"]

    def events(self):
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.endswith("\n")]


class Sim:
    def __init__(self, tmp, pcap, port):
        self.name = unique_name()
        self.err = os.path.join(tmp, f"{self.name}.err")
        with open(self.err, "w", encoding="utf-8") as err:
            self.proc = subprocess.Popen([SIM, "--name", self.name, "--pcap", pcap, "--pace", "capture",
                                          "--oe-connect", f"127.0.0.1:{port}", "--oe-user", USER,
                                          "--oe-password", PASSWORD, "--quiet"],
                                         stdout=subprocess.DEVNULL, stderr=err)
        wait_for(lambda: os.path.exists(f"/dev/shm/tickgate-{self.name}") or self.proc.poll() is not None,
                 30, "tickgate-sim to start")
        assert self.proc.poll() is None, self.stderr()

    def stderr(self):
        with open(self.err, encoding="utf-8") as f:
            return f.read()

    def link(self, *args):
        res = subprocess.run([DRIVER, f"sim:{self.name}", "link"] + list(args), capture_output=True, text=True,
                             timeout=60)
        assert res.returncode == 0, f"order_driver link: {res.stdout}{res.stderr}"
        return json.loads(res.stdout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=30)


# ---------------------------------------------------------------- what the exchange saw

def broken_trades(events):
    """(UserRefNum, match number) of every Broken Trade the exchange sent."""
    return {(e["urn"], e["match"]) for e in events if e["event"] == "sent" and e["type"] == "B"}


def orders_of(events):
    """Symbol and side (B, S, T, E) of every UserRefNum the exchange received."""
    symbol_of, side_of = {}, {}
    for e in events:
        if e["event"] == "message" and e["type"] == "O":
            symbol_of[e["urn"]], side_of[e["urn"]] = e["symbol"], e["side"]
        elif e["event"] == "message" and e["type"] == "U":
            symbol_of[e["urn"]], side_of[e["urn"]] = symbol_of[e["orig_urn"]], side_of[e["orig_urn"]]
    return symbol_of, side_of


def exchange_view(events):
    """Per symbol, from the exchange's own log: orders received, executions
    (count, shares), and of the executions that stand (not broken) the net
    shares and cash in 1/10000 dollars; the broken ones (count, shares)."""
    symbol_of, side_of = orders_of(events)
    broken = broken_trades(events)
    view = {s: {"received": 0, "fills": 0, "shares": 0, "net": 0, "cash": 0, "busts": 0, "bust_shares": 0}
            for s in SYMBOLS}
    for e in events:
        if e["event"] == "message":
            sym = symbol_of.get(e["urn"] if e["type"] != "U" else e["orig_urn"])
            view[sym]["received"] += 1
        elif e["event"] == "sent" and e["type"] == "E":
            sym, buy = symbol_of[e["urn"]], side_of[e["urn"]] == "B"
            v = view[sym]
            v["fills"] += 1
            v["shares"] += e["qty"]
            if (e["urn"], e["match"]) in broken:
                v["busts"] += 1
                v["bust_shares"] += e["qty"]
                continue
            v["net"] += e["qty"] if buy else -e["qty"]
            v["cash"] += -e["qty"] * e["price"] if buy else e["qty"] * e["price"]
    return view


class TradeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tg-trade-")
        itch = os.path.join(cls.tmp, "market.itch")
        with open(itch, "wb") as f:
            for m in market():
                f.write(struct.pack(">H", len(m)) + m)
        cls.pcap = os.path.join(cls.tmp, "market.pcap")
        cli("feed", "topcap", itch, cls.pcap, "--msgs-per-packet", "4", check=0)
        cls.env = dict(os.environ, TICKGATE_STATE_DIR=os.path.join(cls.tmp, "state"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()

    def start(self, *peer_args):
        peer = Peer(self.tmp, *peer_args)
        self.procs.append(peer)
        sim = Sim(self.tmp, self.pcap, peer.port)
        self.procs.append(sim)
        sim.link("--wait", "active", "--timeout", "30")
        # the feed's MoldUDP64 packets go to 233.54.12.111:26477
        for reg, val in (("FEED_FILTER0_ADDR", "0xe9360c6f"), ("FEED_FILTER0_PORT", str(26477 | 1 << 16))):
            cli("regs", "write", reg, val, card=sim.name, check=0, env=self.env)
        return peer, sim

    def trade(self, sim, *args):
        return [CLI, "--card", f"sim:{sim.name}", "trade", "--symbols", ",".join(SYMBOLS)] + list(args)

    def check_summary(self, s, peer_events, start_positions):
        """The summary's figures agree with each other and with the exchange."""
        self.assertTrue(s["clean"], s.get("error"))
        self.assertEqual([x["symbol"] for x in s["symbols"]], SYMBOLS)
        ex = exchange_view(peer_events)
        for x in s["symbols"] + [s["total"]]:
            o = x["orders"]
            sent, gate = o["sent"], o["gate"]
            self.assertEqual(sent["total"], gate["accepted"] + gate["rejected"] + gate["in_flight"], x)
            self.assertEqual(gate["in_flight"], 0, "every decision came back before the summary")
            self.assertEqual(sent["total"], sent["new"] + sent["replace"] + sent["cancel"])
            self.assertEqual(sum(gate["rejected_by_reason"].values()), gate["rejected"])
            self.assertNotIn("ACCEPTED", gate["rejected_by_reason"])
            self.assertEqual(o["fills"]["shares"], o["fills"]["bought"] + o["fills"]["sold"])
            pnl = x["pnl"]
            self.assertEqual(pnl["total"], pnl["realized"] + pnl["unrealized"])
        for x in s["symbols"]:
            sym, o, pos = x["symbol"], x["orders"], x["position"]
            e = ex[sym]
            self.assertGreater(x["bbo"]["updates"], 0, f"{sym}: the card's book gave BBOs")
            self.assertGreater(o["sent"]["new"], 0, f"{sym}: quotes were sent")
            # what reached the exchange: every order the gate accepted, nothing else
            self.assertEqual(e["received"], o["gate"]["accepted"], sym)
            self.assertEqual((o["fills"]["count"], o["fills"]["shares"]), (e["fills"], e["shares"]), sym)
            self.assertEqual((o["busts"]["count"], o["busts"]["shares"]), (e["busts"], e["bust_shares"]), sym)
            self.assertGreater(e["fills"], 0, f"{sym}: the exchange executed orders")
            self.assertEqual(pos["start"], start_positions[sym])
            self.assertEqual(pos["host"], pos["start"] + e["net"], f"{sym}: our position is the exchange's")
            self.assertEqual(pos["card"], pos["host"], f"{sym}: the card's position is ours")
            self.assertEqual(x["pnl"]["cash"], e["cash"], sym)
            self.assertEqual(x["pnl"]["traded_position"], e["net"])
            self.assertEqual(x["pnl"]["total"], e["cash"] + e["net"] * x["pnl"]["mark_price"])
            self.assertEqual((pos["card_open_orders"], pos["card_open_buy"], pos["card_open_sell"]), (0, 0, 0),
                             f"{sym}: every order was closed")
            self.assertEqual(x["orders"]["exchange"]["unmatched"], 0)
        self.assertEqual(s["total"]["position"]["card"], s["total"]["position"]["host"])
        self.assertEqual(s["total"]["orders"]["exchange"]["broken_trades"], len(broken_trades(peer_events)))
        self.assertEqual(s["anomalies"]["busts_unplaced"], 0, s["anomalies"])
        self.assertEqual(s["shutdown"]["orders_left_open"], 0)
        self.assertEqual(s["order_entry"]["state"], "up")
        self.assertEqual(s["order_entry"]["dropped"], 0, "no order was sent while the session was down")
        self.assertEqual(s["order_entry"]["packets_out"], s["total"]["orders"]["gate"]["accepted"])
        self.assertEqual(s["shutdown"]["card_open_orders"], 0)
        self.assertTrue(s["watchdog"]["disarmed"])
        self.assertFalse(s["watchdog"]["tripped"])
        self.assertGreater(s["watchdog"]["timeout_units"], 0)
        self.assertGreater(s["feed"]["messages"], 0)
        self.assertGreater(s["feed"]["bbo_updates_received"], 0)
        a = s["anomalies"]
        self.assertEqual((a["card_decisions"], a["decision_mismatches"], a["event_sequence_gaps"]), (0, 0, 0), a)
        lat = s["latency"]["order"]
        self.assertEqual(sum(b["count"] for b in lat["histogram"]), lat["count"])
        self.assertGreater(lat["count"], 0)
        for b in lat["histogram"]:
            self.assertAlmostEqual(b["from_ns"], b["from_cycles"] * 1e9 / 322265625, places=3)

    def test_trade_then_interrupt(self):
        peer, sim = self.start()
        summary1 = os.path.join(self.tmp, "run1.json")

        # ---- run 1: a few seconds with the demo limits ----
        res = subprocess.run(self.trade(sim, "--duration", "6", "--seed", "7", "--summary", summary1,
                                        "--status-interval", "1"),
                             capture_output=True, text=True, timeout=120, env=self.env)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        with open(summary1, encoding="utf-8") as f:
            s1 = json.load(f)
        self.assertEqual(s1["stop_reason"], "duration")
        self.assertEqual(s1["limits"]["source"], "demo")
        self.assertGreater(s1["limits"]["changed"], 0)
        events1 = peer.events()
        self.check_summary(s1, events1, {sym: 0 for sym in SYMBOLS})
        self.assertEqual(s1["latency"]["order"]["count"], s1["total"]["orders"]["gate"]["accepted"],
                         "one latency sample per order the card sent")
        status = [line for line in res.stderr.splitlines() if line.startswith("trade ")]
        self.assertGreaterEqual(len(status), 3, res.stderr)
        self.assertIn("feed ", status[-1])
        self.assertIn("P&L $", status[-1])
        self.assertIn("total", res.stdout)
        self.assertIn("order latency", res.stdout)

        # the card, asked by other commands
        pos = json.loads(cli("positions", "--json", card=sim.name, check=0, env=self.env).stdout)["positions"]
        by_sym = {p["symbol"]: p for p in pos}
        for x in s1["symbols"]:
            self.assertEqual(by_sym[x["symbol"]]["position"], x["position"]["card"])
        wd = json.loads(cli("regs", "read", "WATCHDOG_TIMEOUT", "--json", card=sim.name, check=0, env=self.env).stdout)
        self.assertEqual(wd["value"], 0, "the watchdog was disarmed")
        audit = [json.loads(line) for line in
                 cli("audit", "--json", card=sim.name, check=0, env=self.env).stdout.splitlines()]
        self.assertIn("trade.limits", [r.get("action") for r in audit])

        # ---- run 2: a limit file, until SIGINT; positions carry over ----
        limits = os.path.join(self.tmp, "limits.yaml")
        with open(limits, "w", encoding="utf-8") as f:
            f.write("global:\n  max_gross: \"10,000,000\"\n  max_net: \"5,000,000\"\n  max_open_all: 32\n"
                    "instruments:\n  default:\n    enabled: true\n    max_order_qty: 1000\n    max_order_notional: \"100,000\"\n"
                    "    collar_bps: 1000\n    max_long: 150\n    max_short: 150\n    max_open: 4\n")
        summary2 = os.path.join(self.tmp, "run2.json")
        proc = subprocess.Popen(self.trade(sim, "--seed", "8", "--limits", limits, "--summary", summary2, "--quiet",
                                           "--json"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        time.sleep(4)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, out + err)
        self.assertEqual(err, "", "--quiet: no status line")
        with open(summary2, encoding="utf-8") as f:
            s2 = json.load(f)
        self.assertEqual(json.loads(out), s2, "--json prints the summary it writes")
        self.assertEqual(s2["stop_reason"], "signal")
        self.assertEqual(s2["limits"]["source"], "file")
        self.check_summary(s2, peer.events()[len(events1):],
                           {x["symbol"]: x["position"]["card"] for x in s1["symbols"]})
        for x in s2["symbols"]:
            # the strategy keeps inside the file's max_long / max_short with every open order filled
            self.assertLessEqual(abs(x["position"]["host"]), 150 + abs(x["position"]["start"]))
            self.assertNotIn("MAX_LONG", x["orders"]["gate"]["rejected_by_reason"])
            self.assertNotIn("MAX_SHORT", x["orders"]["gate"]["rejected_by_reason"])
        shown = json.loads(cli("risk", "show", "--json", card=sim.name, check=0, env=self.env).stdout)
        for inst in shown["instruments"]:
            self.assertEqual(inst["limits"]["max_long"]["value"], 150)
            self.assertEqual(inst["limits"]["max_long"]["source"], "config")

        self.assertEqual(sim.stop(), 0, sim.stderr())

    def test_broken_trades(self):
        """The exchange breaks every third execution: each is reversed in the card's gate, audited."""
        peer, sim = self.start("--bust", "3")
        summary = os.path.join(self.tmp, "bust.json")
        res = subprocess.run(self.trade(sim, "--duration", "5", "--seed", "9", "--summary", summary, "--quiet"),
                             capture_output=True, text=True, timeout=120, env=self.env)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        with open(summary, encoding="utf-8") as f:
            s = json.load(f)
        events = peer.events()
        broken = broken_trades(events)
        self.assertGreater(len(broken), 0, "the exchange broke executions")
        self.check_summary(s, events, {sym: 0 for sym in SYMBOLS})
        ex = exchange_view(events)

        # the card's own view: the executions that stand, nothing of the broken ones
        pos = json.loads(cli("positions", "--json", card=sim.name, check=0, env=self.env).stdout)["positions"]
        by_sym = {p["symbol"]: p["position"] for p in pos}
        for sym in SYMBOLS:
            self.assertEqual(by_sym[sym], ex[sym]["net"], sym)
        self.assertNotEqual(sum(ex[sym]["busts"] for sym in SYMBOLS), 0)

        # one audit record per Broken Trade, with the execution it reversed, and its outcome
        sym_of, side_of = orders_of(events)
        execs = {(e["urn"], e["match"]): e for e in events if e["event"] == "sent" and e["type"] == "E"}
        side_names = {"B": "buy", "S": "sell", "T": "sell-short", "E": "sell-short-exempt"}
        log = [json.loads(line) for line in cli("audit", "--json", card=sim.name, check=0, env=self.env).stdout.splitlines()]
        busts = [r for r in log if r["action"] == "risk.bust"]
        self.assertEqual(len(busts), len(broken))
        seen = set()
        for r in busts:
            d = dict(kv.split("=", 1) for kv in r["detail"].split())
            key = (int(d["urn"]), int(d["match"]))
            self.assertIn(key, broken)
            x = execs[key]
            self.assertEqual(d["symbol"], sym_of[key[0]])
            self.assertEqual(d["side"], side_names[side_of[key[0]]])
            self.assertEqual(int(d["qty"]), x["qty"])
            self.assertEqual(round(float(d["price"]) * 10000), x["price"])
            self.assertEqual((d["reason"], d["source"]), ("E", "exchange"))
            self.assertEqual(r["argv"][:3], ["tickgate", "--card", f"sim:{sim.name}"])
            ch = r["changes"][0]
            self.assertEqual((ch["scope"], ch["key"]), (d["symbol"], "position"))
            self.assertEqual(int(ch["new"]) - int(ch["old"]), -x["qty"] if d["side"] == "buy" else x["qty"])
            outcome = [o for o in log if o["action"] == "outcome" and o.get("ref") == r["seq"]]
            self.assertEqual([o["result"] for o in outcome], ["applied"])
            seen.add(key)
        self.assertEqual(seen, broken)
        self.assertIn("risk.bust", cli("audit", card=sim.name, check=0, env=self.env).stdout)
        self.assertEqual(sim.stop(), 0, sim.stderr())

    def test_order_entry_down(self):
        """No exchange to log in to: orders wait for the session instead of being lost."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]   # nothing listens there once it is closed
        sim = Sim(self.tmp, self.pcap, port)
        self.procs.append(sim)
        for reg, val in (("FEED_FILTER0_ADDR", "0xe9360c6f"), ("FEED_FILTER0_PORT", str(26477 | 1 << 16))):
            cli("regs", "write", reg, val, card=sim.name, check=0, env=self.env)
        ready = os.path.join(self.tmp, "ready")
        out = os.path.join(self.tmp, "down.json")
        res = subprocess.run(self.trade(sim, "--duration", "3", "--summary", out, "--ready-file", ready, "--quiet"),
                             capture_output=True, text=True, timeout=60, env=self.env)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn("not logged in", res.stderr)
        self.assertTrue(os.path.exists(ready))
        with open(out, encoding="utf-8") as f:
            s = json.load(f)
        t = s["total"]["orders"]
        self.assertGreater(s["feed"]["bbo_updates_received"], 0)
        self.assertEqual(t["sent"]["total"], 0)
        self.assertGreater(t["held_back"].get("ORDER_ENTRY_DOWN", 0), 0)
        self.assertEqual((s["order_entry"]["state"], s["order_entry"]["dropped"]), ("down", 0))
        self.assertTrue(s["clean"])
        self.assertEqual(sim.stop(), 0, sim.stderr())

    def test_usage_errors(self):
        for args in ([], ["--symbols"], ["--symbols", ""], ["--symbols", "aapl"], ["--symbols", "A,A"],
                     ["--symbols", "TOOLONGSYM"], ["--symbols", "A", "--duration", "0"],
                     ["--symbols", "A", "--duration", "x"], ["--symbols", "A", "--size", "0"],
                     ["--symbols", "A", "--seed", "-1"], ["--symbols", "A", "--status-interval", "0"],
                     ["--symbols", "A", "--frob"], ["--symbols", "A", "extra"], ["--symbols", "A", "--summary", ""],
                     ["--symbols", "A", "--ready-file", ""], ["--symbols", "A", "--symbols", "B"]):
            with self.subTest(args=args):
                res = cli("--card", "sim:no-such-card-here", "trade", *args, timeout=20)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertEqual(len(res.stderr.strip().splitlines()), 1, res.stderr)
                self.assertIn("tickgate trade", res.stderr)
        res = cli("trade", "--help", timeout=20)
        self.assertEqual(res.returncode, 0)
        self.assertIn("usage: tickgate trade", res.stdout)
        # right arguments, no card: the command ran and failed
        res = cli("--card", "sim:no-such-card-here", "trade", "--symbols", "A", timeout=20)
        self.assertEqual(res.returncode, 1, res.stderr)
        res = cli("--card", "sim:no-such-card-here", "trade", "--symbols", "A", "--limits", "/nonexistent.yaml",
                  timeout=20)
        self.assertEqual(res.returncode, 1, res.stderr)


if __name__ == "__main__":
    missing = [n for n, v in (("TICKGATE_SIM", SIM), ("TICKGATE_CLI", CLI), ("TICKGATE_SOUP_PEER", PEER),
                              ("TICKGATE_ORDER_DRIVER", DRIVER)) if not v]
    if missing:
        raise SystemExit(f"test_trade.py: set {', '.join(missing)} (meson test does)")
    unittest.main(verbosity=2)
