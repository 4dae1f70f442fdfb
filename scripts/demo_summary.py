#!/usr/bin/env python3
"""The demo's closing summary: the trader's, the card's and the exchange's
figures side by side, the cross-checks between them, and summary.json.

usage: demo_summary.py OUT_DIR
Reads OUT_DIR/trader.json (tickgate trade --summary) and
OUT_DIR/exchange.json (tickgate-exchange --summary); writes
OUT_DIR/summary.json; exits 1 when a cross-check fails.

The cross-checks compare independent records of the same run:
  - orders: every order the trader sent was accepted or rejected by the
    card's gate, or is still in flight;
  - fills: the fills the trader saw (the card's ORDER_RESP events) are the
    executions the exchange reports for the trader's login, per symbol;
  - positions: the trader's position equals the card's (risk gate
    read-back) and the exchange's, per symbol.
"""

import json
import os
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def dollars(v):
    return f"{v / 10000:,.2f}"


def main():
    if len(sys.argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    out = sys.argv[1]
    trader = load(os.path.join(out, "trader.json"))
    exchange = load(os.path.join(out, "exchange.json"))
    users = exchange.get("order_entry", {}).get("users", [])
    user = users[0] if users else {}
    x_syms = {s["symbol"]: s for s in user.get("symbols", [])}
    checks = []

    def check(name, ok, detail):
        checks.append({"check": name, "ok": bool(ok), "detail": detail})

    total = trader["total"]["orders"]
    sent, gate = total["sent"]["total"], total["gate"]
    check("orders sent = accepted + rejected + in flight",
          sent == gate["accepted"] + gate["rejected"] + gate["in_flight"],
          f"{sent} = {gate['accepted']} + {gate['rejected']} + {gate['in_flight']}")
    for s in trader["symbols"]:
        sym = s["symbol"]
        fills = s["orders"]["fills"]
        xs = x_syms.get(sym, {"bought": 0, "sold": 0, "position": 0})
        check(f"{sym}: fills seen by the trader = executions at the exchange",
              (fills["bought"], fills["sold"]) == (xs["bought"], xs["sold"]),
              f"trader bought {fills['bought']} sold {fills['sold']}; "
              f"exchange bought {xs['bought']} sold {xs['sold']}")
        pos = s["position"]
        traded = pos["host"] - pos["start"]
        check(f"{sym}: position host = card = exchange",
              pos["host"] == pos.get("card") and traded == xs["position"],
              f"host {pos['host']}, card {pos.get('card')}, exchange {xs['position']} (+ start {pos['start']})")

    feed = exchange["feed"]
    lat = trader.get("latency", {})
    print()
    print("== the exchange")
    print(f"   feed: {feed['messages']:,} ITCH messages in {feed['packets']:,} MoldUDP64 packets, "
          f"{feed['retrans_requests']} retransmission requests answered")
    eng = exchange["engine"]
    print(f"   engine: {eng['executions']:,} executions ({eng['executed_shares']:,} shares), "
          f"{eng['halts']} halts, {eng['resting_orders']:,} orders resting at the close")
    for sym, xs in sorted(x_syms.items()):
        print(f"   {user.get('username', '?')} {sym}: bought {xs['bought']:,}, sold {xs['sold']:,}, "
              f"position {xs['position']:,}")
    if lat:
        print("== the card's latency (cycles at %.2f MHz)" % (lat["clock_hz"] / 1e6))
        for kind in ("order", "kill"):
            h = lat.get(kind)
            if not h or not h.get("count"):
                print(f"   {kind}: no samples")
                continue
            print(f"   {kind}: {h['count']} samples, min {h['min_cycles']} / mean {h['mean_cycles']:.1f} / "
                  f"max {h['max_cycles']} cycles ({h['min_ns']:.1f} / {h['mean_ns']:.1f} / {h['max_ns']:.1f} ns)")
            bins = ", ".join(f"{b['from_cycles']}+: {b['count']}" for b in h.get("histogram", []))
            print(f"      histogram (cycles): {bins}")
    print("== cross-checks")
    for c in checks:
        print(f"   {'ok  ' if c['ok'] else 'FAIL'} {c['check']}: {c['detail']}")
    files = {k: os.path.join(out, f) for k, f in
             (("feed_pcap", "feed.pcap"), ("order_entry_pcap", "order-entry.pcap"),
              ("summary", "summary.json"), ("trader", "trader.json"), ("exchange", "exchange.json"))}
    summary = {"trader": trader, "exchange": exchange, "checks": checks, "files": files}
    with open(files["summary"], "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    print("== files")
    for k in ("feed_pcap", "order_entry_pcap", "summary"):
        print(f"   {files[k]}")
    return 0 if all(c["ok"] for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
