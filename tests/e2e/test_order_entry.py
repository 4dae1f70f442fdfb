#!/usr/bin/env python3
"""End-to-end order entry: tickgate-sim carries the card's OUCH 5.0 orders
over a real SoupBinTCP 3.0 session (--oe-connect) to a small exchange
(soup_peer), while order_driver drives the card through its rings like a
host would.

Checked from outside the code under test: what the exchange says it
received and sent (its JSON log), what the card says it decided and holds
(its events and registers), and what tshark's own SoupBinTCP dissector
makes of the order-entry capture (--oe-pcap); `tickgate status` shows the
link as the exchange saw it.

Environment: TICKGATE_SIM, TICKGATE_SOUP_PEER, TICKGATE_ORDER_DRIVER,
TICKGATE_CLI (programs). Skipped (exit 77) when tshark is not installed.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

SIM = os.environ.get("TICKGATE_SIM", "")
PEER = os.environ.get("TICKGATE_SOUP_PEER", "")
DRIVER = os.environ.get("TICKGATE_ORDER_DRIVER", "")
CLI = os.environ.get("TICKGATE_CLI", "")
USER, PASSWORD, SESSION = "TGUSER", "S3CRET", "TGSESS01"
SYMBOL, MAX_QTY, FILL = "TGTEST", 500, 40
KIND_TYPE = {0: "O", 1: "X", 2: "U"}      # gate input kind -> OUCH inbound type
SIDE_CHAR = {0: "B", 1: "S", 2: "T", 3: "E"}
R_BAD_ORDER, R_UNKNOWN_ORDER, R_MAX_ORDER_QTY = 5, 7, 8
_serial = [0]


def unique_name():
    _serial[0] += 1
    return f"oe-{os.getpid()}-{_serial[0]}"


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class Peer:
    """soup_peer, logging to a file (one JSON object per line)."""

    def __init__(self, tmp, port=0, fill=FILL, journal=None, tag="peer"):
        self.log = os.path.join(tmp, f"{tag}-{time.time_ns()}.log")
        args = [PEER, "--port", str(port), "--user", USER, "--password", PASSWORD,
                "--session", SESSION, "--fill", str(fill)]
        if journal:
            args += ["--journal", journal]
        with open(self.log, "w", encoding="utf-8") as out, open(self.log + ".err", "w") as err:
            self.proc = subprocess.Popen(args, stdout=out, stderr=err)
        first = wait_for(lambda: self.events(), 10, "soup_peer to listen")[0]
        assert first["event"] == "listening", first
        self.port = first["port"]

    def events(self, kind=None):
        with open(self.log, encoding="utf-8") as f:
            evs = [json.loads(line) for line in f if line.endswith("\n")]
        return [e for e in evs if kind is None or e["event"] == kind]

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=10)


class Sim:
    """tickgate-sim with an order-entry link."""

    def __init__(self, tmp, port, *extra, password=PASSWORD):
        self.name = unique_name()
        self.err = os.path.join(tmp, f"{self.name}.err")
        args = [SIM, "--name", self.name, "--oe-connect", f"127.0.0.1:{port}",
                "--oe-user", USER, "--oe-password", password] + list(extra)
        with open(self.err, "w", encoding="utf-8") as err:
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
        wait_for(lambda: os.path.exists(f"/dev/shm/tickgate-{self.name}") or self.proc.poll() is not None,
                 20, "tickgate-sim to start")
        assert self.proc.poll() is None, self.stderr()

    def stderr(self):
        with open(self.err, encoding="utf-8") as f:
            return f.read()

    def driver(self, *args, check=0, timeout=60):
        res = subprocess.run([DRIVER, f"sim:{self.name}"] + list(args), capture_output=True, text=True,
                             timeout=timeout)
        if check is not None:
            assert res.returncode == check, f"order_driver {args}: exit {res.returncode}\n{res.stdout}\n{res.stderr}"
        return json.loads(res.stdout) if res.stdout.strip() else None

    def link(self, *args, check=0):
        return self.driver("link", *args, check=check)

    def status(self, *args):
        res = subprocess.run([CLI, "--card", f"sim:{self.name}", "status"] + list(args), capture_output=True,
                             text=True, timeout=30)
        assert res.returncode == 0, f"tickgate status: exit {res.returncode}\n{res.stderr}"
        return json.loads(res.stdout) if "--json" in args else res.stdout

    def stop(self, sig=signal.SIGINT):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)


def tshark_fields(pcap, port, *fields, display_filter=None):
    args = ["tshark", "-r", pcap, "-d", f"tcp.port=={port},soupbintcp",
            "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
            "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"]
    if display_filter:
        args += ["-Y", display_filter]
    for f in fields:
        args += ["-e", f]
    res = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return [line.split("|") for line in res.stdout.splitlines() if line]


class OrderEntryTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tg-oe-")
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def peer(self, **kw):
        p = Peer(self.tmp, **kw)
        self.procs.append(p)
        return p

    def sim(self, port, *extra, **kw):
        s = Sim(self.tmp, port, *extra, **kw)
        self.procs.append(s)
        return s

    def check_reached_exchange(self, tokens, out, received, urn_of_slot):
        """The exchange received exactly the accepted orders, in order."""
        base = min(d["tag"] for d in out["decisions"]) - 1
        by_tag = {d["tag"]: d for d in out["decisions"]}
        self.assertEqual(len(by_tag), len(tokens), "one decision per order")
        accepted = [by_tag[base + i + 1] for i in range(len(tokens)) if by_tag[base + i + 1]["accepted"]]
        self.assertEqual(len(received), len(accepted), "rejected orders never reach the exchange")
        for d, m in zip(accepted, received):
            self.assertEqual(m["type"], KIND_TYPE[d["kind"]], m)
            if m["type"] == "O":
                self.assertEqual((m["side"], m["qty"], m["price"], m["symbol"]),
                                 (SIDE_CHAR[d["side"]], d["qty"], d["price"], SYMBOL))
                self.assertEqual(m["clordid"], f"TG{d['tag']}")
            elif m["type"] == "U":
                self.assertEqual((m["qty"], m["price"]), (d["qty"], d["price"]))
                self.assertEqual(m["orig_urn"], urn_of_slot[d["slot"]])
            else:
                self.assertEqual(m["qty"], d["qty"])
                self.assertEqual(m["urn"], urn_of_slot[d["slot"]])
            # the card numbers its orders: UserRefNum = sequence << SLOTS_LOG2 | slot
            self.assertEqual(m["urn"] & ((1 << out["slots_log2"]) - 1), d["slot"])
            urn_of_slot[d["slot"]] = m["urn"]

    def test_orders_resume_and_capture(self):
        journal = os.path.join(self.tmp, "journal.txt")
        pcap = os.path.join(self.tmp, "oe.pcap")
        peer = self.peer(journal=journal)
        port = peer.port
        sim = self.sim(port, "--oe-pcap", pcap)
        link = sim.link("--wait", "active", "--logins", "1")
        self.assertEqual((link["session"], link["next_seq"], link["connects"]), (SESSION, 1, 1))
        sim.driver("setup", SYMBOL, str(MAX_QTY))

        # ---- phase 1: accepted and rejected orders, fills ----
        tokens = [
            "new:1:B:100:1000000",      # accepted: Accepted + Executed 40
            "new:2:S:50:1010000",       # accepted: Accepted + Executed 40
            f"new:3:B:{MAX_QTY + 1}:1000000",   # MAX_ORDER_QTY
            "replace:2:80:1020000",     # accepted: Replaced
            "new:4:B:0:1000000",        # BAD_ORDER
            "cancel:1:0",               # accepted: Canceled (decrement 60)
            "cancel:9:0",               # UNKNOWN_ORDER
            "new:5:T:20:990000",        # accepted: Accepted + Executed 20
        ]
        out = sim.driver("orders", "--responses", "8", *tokens)
        self.assertTrue(out["complete"], out)
        self.assertEqual(out["seq_gaps"], 0)
        reasons = {d["tag"]: d["reason"] for d in out["decisions"]}
        self.assertEqual(reasons, {1: 0, 2: 0, 3: R_MAX_ORDER_QTY, 4: 0, 5: R_BAD_ORDER, 6: 0,
                                   7: R_UNKNOWN_ORDER, 8: 0})
        received = wait_for(lambda: len(peer.events("message")) >= 5 and peer.events("message"), 10,
                            "the exchange to receive the orders")
        urn_of_slot = {}
        self.check_reached_exchange(tokens, out, received, urn_of_slot)
        self.assertEqual([r["type"] for r in out["responses"]], ["A", "E", "A", "E", "U", "C", "A", "E"])
        self.assertTrue(all(r["flags"] & 1 for r in out["responses"]), "every response matched an order")
        self.assertEqual([r["soup_seq"] for r in out["responses"]], list(range(1, 9)))
        cancel = [r for r in out["responses"] if r["type"] == "C"][0]
        self.assertEqual(cancel["qty"], 60, "decrement = open 100 - executed 40 - left 0")
        # the executions the exchange sent moved the card's position
        sent = peer.events("sent")
        side_of = {m["urn"]: m["side"] for m in sent if m["type"] in "AU"}
        fills = [m for m in sent if m["type"] == "E"]
        self.assertEqual([f["qty"] for f in fills], [40, 40, 20])
        position = sum(f["qty"] if side_of[f["urn"]] == "B" else -f["qty"] for f in fills)
        self.assertEqual(position, -20)
        self.assertEqual(out["position"], position)
        self.assertEqual(out["open_sell"], 80, "the replaced sell is open at its new size")
        link = sim.link()
        self.assertEqual((link["packets_out"], link["packets_in"], link["dropped"]), (5, 8, 0))
        self.assertEqual(link["next_seq"], 9)
        # tickgate status: the link as the exchange's log tells it
        oe = sim.status("--json")["oe_link"]
        self.assertEqual((oe["state"], oe["session"]), ("up", SESSION))
        self.assertEqual(oe["logins"], len([e for e in peer.events("login") if e["accepted"]]))
        self.assertEqual(oe["packets_out"], len(received))
        self.assertEqual(oe["packets_in"], len(sent))
        self.assertEqual((oe["disconnects"], oe["dropped"]), (0, 0))
        self.assertIn(f"oe link    up, session '{SESSION}'; 1 logins, 0 lost; {len(received)} packets out, "
                      f"{len(sent)} in, 0 dropped", sim.status())

        # ---- the exchange dies; it comes back on the same port with its journal ----
        stored = len(sent)
        peer.stop(signal.SIGKILL)
        link = wait_for(lambda: (lambda l: l if l["disconnects"] == 1 else None)(sim.link(check=None)), 10,
                        "the simulator to see the connection lost")
        self.assertNotEqual(link["state"], "active")
        oe = sim.status("--json")["oe_link"]
        self.assertEqual((oe["state"], oe["disconnects"]), ("down", 1))
        peer2 = self.peer(port=port, journal=journal)
        link = sim.link("--wait", "active", "--logins", "2")
        logins = peer2.events("login")
        self.assertEqual(len(logins), 1)
        self.assertTrue(logins[0]["accepted"])
        self.assertEqual(logins[0]["stored"], stored)
        self.assertEqual(logins[0]["requested"], stored + 1, "login asks for the next sequence expected")
        self.assertEqual(logins[0]["seq"], stored + 1)
        self.assertEqual(link["next_seq"], stored + 1)

        # ---- phase 2: the session resumes; UserRefNums keep increasing ----
        tokens2 = ["new:6:B:30:1000000", "cancel:2:10"]
        out2 = sim.driver("orders", "--responses", "3", "--tag-base", "100", *tokens2)
        self.assertTrue(out2["complete"], out2)
        received2 = wait_for(lambda: len(peer2.events("message")) >= 2 and peer2.events("message"), 10,
                             "the restarted exchange to receive the orders")
        self.check_reached_exchange(tokens2, out2, received2, urn_of_slot)
        urns = [m["urn"] for m in received + received2 if m["type"] in "OU"]
        self.assertEqual(urns, sorted(set(urns)), f"UserRefNums strictly increase: {urns}")
        self.assertEqual([r["type"] for r in out2["responses"]], ["A", "E", "C"])
        self.assertEqual([r["soup_seq"] for r in out2["responses"]], [1, 2, 3], "RESET_RX on the new connection")
        self.assertEqual(out2["responses"][2]["qty"], 70, "decrement = open 80 - left 10")
        self.assertEqual(out2["position"], position + 30)
        self.assertEqual(out2["oe_rx_unmatched"], 0)

        # ---- Ctrl-C: logout, clean exit ----
        self.assertEqual(sim.stop(signal.SIGINT), 0, sim.stderr())
        err = sim.stderr()
        self.assertRegex(err, r"connection (closed by the server|lost: Connection reset)")
        self.assertIn(f"logging in as '{USER}' to session '{SESSION}' from sequence {stored + 1}", err)
        self.assertIn("logged out", err)
        wait_for(lambda: peer2.events("logout"), 10, "the exchange to see the logout")

        # ---- the capture, through tshark's own dissector ----
        bad = tshark_fields(pcap, port, "frame.number",
                            display_filter="_ws.malformed || _ws.expert.severity >= 8388608")  # error level
        self.assertEqual(bad, [], "no malformed or erroneous frame")
        bad = tshark_fields(pcap, port, "frame.number", display_filter="tcp.analysis.flags")
        self.assertEqual(bad, [], "no TCP analysis warnings: sequence and ack numbers are consistent")
        # (tcp.stream is no use here: the SoupBinTCP dissector starts a new
        # conversation at every Login Accepted; a connection is its client port)
        rows = tshark_fields(pcap, port, "tcp.srcport", "tcp.dstport", "soupbintcp.packet_type",
                             "tcp.checksum.status", "ip.checksum.status")
        self.assertTrue(all(r[3] == "1" and r[4] == "1" for r in rows), "every checksum verified good")
        conns = {}
        for src, dst, ptypes, *_ in rows:
            from_server = int(src) == port
            client = int(dst) if from_server else int(src)
            for t in filter(None, ptypes.split(",")):
                conns.setdefault(client, []).append((t.strip("'"), from_server))
        self.assertEqual(len(conns), 2, "two TCP connections")
        # the requested sequence numbers, as tshark shows them
        verbose = subprocess.run(["tshark", "-r", pcap, "-d", f"tcp.port=={port},soupbintcp", "-V",
                                  "-Y", "soupbintcp.packet_type == 'L'"],
                                 capture_output=True, text=True, timeout=60).stdout
        self.assertEqual([int(n) for n in re.findall(r"Requested sequence number: *(\d+)", verbose)],
                         [1, stored + 1])
        first, second = (conns[c] for c in sorted(conns, key=lambda c: min(
            i for i, r in enumerate(rows) if int(r[0]) == c or int(r[1]) == c)))
        for got in (first, second):
            self.assertEqual(got[0], ("L", False), "the client logs in first")
            self.assertEqual(got[1], ("A", True), "login accepted")
            self.assertTrue(all(not from_server for t, from_server in got if t in "LURO"))
            self.assertTrue(all(from_server for t, from_server in got if t in "ASH"))
        self.assertEqual(sum(t == "U" for t, _ in first), 5)
        self.assertEqual(sum(t == "S" for t, _ in first), 8)
        self.assertEqual(sum(t == "U" for t, _ in second), 2)
        self.assertEqual(sum(t == "S" for t, _ in second), 3)
        self.assertEqual(second[-1], ("O", False), "the last packet is our Logout Request")

    def test_login_rejected_is_retried(self):
        peer = self.peer()
        sim = self.sim(peer.port, "--oe-password", "WRONG")
        link = wait_for(lambda: (lambda l: l if l["login_rejects"] >= 1 else None)(sim.link(check=None)), 15,
                        "a rejected login")
        self.assertEqual(link["logins"], 0)
        self.assertNotEqual(link["state"], "active")
        logins = peer.events("login")
        self.assertFalse(logins[0]["accepted"])
        self.assertEqual(logins[0]["reason"], "A")
        self.assertEqual(sim.stop(signal.SIGTERM), 0)
        self.assertIn("rejected: not authorized", sim.stderr())

    def test_silent_server_times_out(self):
        peer = self.peer()
        sim = self.sim(peer.port)
        sim.link("--wait", "active")
        peer.proc.send_signal(signal.SIGSTOP)   # the kernel still holds the connection; the peer says nothing
        try:
            link = wait_for(lambda: (lambda l: l if l["timeouts"] >= 1 else None)(sim.link(check=None)), 30,
                            "the server's silence to be noticed")
        finally:
            peer.proc.send_signal(signal.SIGCONT)
        self.assertNotEqual(link["state"], "active")
        link = sim.link("--wait", "active", "--logins", "2", "--timeout", "20")
        self.assertEqual(link["next_seq"], 1)
        self.assertEqual(sim.stop(signal.SIGINT), 0)
        self.assertIn("the server sent nothing for 15 s", sim.stderr())

    def test_usage_errors(self):
        for args in (["--oe-user", "X"], ["--oe-connect", "nohostport", "--oe-user", "X"],
                     ["--oe-connect", "127.0.0.1:1"], ["--oe-connect", "127.0.0.1:1", "--oe-user", "TOOLONG"],
                     ["--oe-connect", "127.0.0.1:99999", "--oe-user", "X"],
                     ["--oe-connect", "127.0.0.1:1", "--oe-user", "X", "--oe-seq", "x"],
                     ["--oe-connect", "127.0.0.1:1", "--oe-user", "X", "--oe-password", "ELEVENCHARS"]):
            with self.subTest(args=args):
                res = subprocess.run([SIM, "--name", unique_name()] + args, capture_output=True, text=True,
                                     timeout=20)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertEqual(len(res.stderr.strip().splitlines()), 1, res.stderr)


if __name__ == "__main__":
    missing = [n for n, v in (("TICKGATE_SIM", SIM), ("TICKGATE_SOUP_PEER", PEER),
                              ("TICKGATE_ORDER_DRIVER", DRIVER), ("TICKGATE_CLI", CLI)) if not v]
    if missing:
        raise SystemExit(f"test_order_entry.py: set {', '.join(missing)} (meson test does)")
    if shutil.which("tshark") is None:
        print("test_order_entry.py: tshark not found: skipped")
        sys.exit(77)
    unittest.main(verbosity=2)
