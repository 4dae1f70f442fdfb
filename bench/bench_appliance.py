#!/usr/bin/env python3
"""bench_appliance: end-to-end throughput of the simulated appliance.

tickgate-exchange publishes its synthetic market as fast as asked (--rate
engine calls per exchange second, --speed exchange seconds per wall
second) over UDP into tickgate-sim (--feed-udp, with gap recovery), for
--seconds wall seconds. Figures:

  - feed messages the card parsed per wall second (FEED_MESSAGES);
  - the ratio of simulated card time (UPTIME cycles at 322.265625 MHz) to
    wall time: how much slower than the hardware the model runs;
  - the baseline, measured in the same run: the same exchange publishing
    into a plain UDP socket that only counts, messages per wall second;
    and the card's rate as a ratio of it (1.0: the card model keeps up
    with the exchange).

Prints one JSON object. usage: bench_appliance.py BUILD_DIR [--seconds S]
[--rate N] [--speed X]
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

CLOCK_HZ = 322265625.0


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def exchange_cmd(build, feed_port, rtx_port, args, summary):
    return [os.path.join(build, "sim", "exchange", "tickgate-exchange"), "--symbols", "AAPL,MSFT,NVDA,TSLA",
            "--seed", "1", "--rate", str(args.rate), "--speed", str(args.speed), "--duration", str(args.seconds),
            "--halts-per-hour", "0", "--feed", f"127.0.0.1:{feed_port}", "--retrans-port", str(rtx_port),
            "--oe-port", "0", "--summary", summary, "--quiet"]


def baseline(build, args, tmp):
    """The exchange alone, into a socket that counts MoldUDP64 messages."""
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sink.bind(("127.0.0.1", 0))
    sink.settimeout(0.2)
    summary = os.path.join(tmp, "baseline.json")
    proc = subprocess.Popen(exchange_cmd(build, sink.getsockname()[1], free_port(socket.SOCK_DGRAM), args, summary))
    msgs, t0 = 0, time.monotonic()
    while proc.poll() is None:
        try:
            data = sink.recv(2048)
        except socket.timeout:
            continue
        count = int.from_bytes(data[18:20], "big")
        if count not in (0, 0xFFFF):
            msgs += count
    wall = time.monotonic() - t0
    return msgs, wall


def appliance(build, args, tmp):
    feed_port, rtx_port = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
    name = f"bench-{os.getpid()}"
    cli = os.path.join(build, "host", "tickgate")
    sim = subprocess.Popen([os.path.join(build, "sim", "tickgate-sim"), "--name", name, "--quiet",
                            "--feed-udp", f"127.0.0.1:{feed_port}", "--feed-retrans", f"127.0.0.1:{rtx_port}"])

    def status():
        res = subprocess.run([cli, "--card", f"sim:{name}", "status", "--json"], capture_output=True, text=True)
        return json.loads(res.stdout) if res.returncode == 0 else None

    def reg(reg_name):
        res = subprocess.run([cli, "--card", f"sim:{name}", "regs", "read", reg_name, "--json"],
                             capture_output=True, text=True, check=True)
        return json.loads(res.stdout)["value"]

    try:
        for _ in range(200):
            if status() is not None:
                break
            time.sleep(0.05)
        cycles0 = status()["counters"]["uptime"]
        summary = os.path.join(tmp, "appliance.json")
        t0 = time.monotonic()
        subprocess.run(exchange_cmd(build, feed_port, rtx_port, args, summary), check=True)
        with open(summary, encoding="utf-8") as f:
            published = json.load(f)["feed"]["messages"]
        # the card may still be catching up: count until it has everything (or stops moving)
        last, still = -1, 0
        while True:
            got = reg("FEED_MESSAGES")
            if got >= published or still >= 20:
                break
            still = still + 1 if got == last else 0
            last = got
            time.sleep(0.1)
        wall = time.monotonic() - t0
        cycles = status()["counters"]["uptime"] - cycles0
        gaps = reg("FEED_GAPS")
        return published, got, wall, cycles, gaps
    finally:
        sim.terminate()
        sim.wait(timeout=20)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rate", type=float, default=20000)
    ap.add_argument("--speed", type=float, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base_msgs, base_wall = baseline(args.build, args, tmp)
        published, parsed, wall, cycles, gaps = appliance(args.build, args, tmp)
    base_rate = base_msgs / base_wall if base_wall > 0 else 0
    rate = parsed / wall if wall > 0 else 0
    print(json.dumps({
        "bench": "appliance",
        "config": {"seconds": args.seconds, "rate": args.rate, "speed": args.speed, "symbols": 4},
        "published": published,
        "card_parsed": parsed,
        "card_complete": parsed == published,
        "card_gaps_recovered": gaps,
        "wall_seconds": round(wall, 3),
        "card_messages_per_wall_s": round(rate, 1),
        "baseline_udp_sink_messages_per_wall_s": round(base_rate, 1),
        "card_vs_baseline": round(rate / base_rate, 3) if base_rate else None,
        "card_cycles": cycles,
        "simulated_card_seconds": round(cycles / CLOCK_HZ, 6),
        "simulated_to_wall_time": (cycles / CLOCK_HZ) / wall if wall > 0 else None,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
