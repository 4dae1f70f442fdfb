#!/usr/bin/env python3
"""Write a small synthetic Ethernet/802.1Q/IPv4/UDP pcap for the demo when
the real conformance captures are not beside the checkout.

usage: synthetic_pcap.py OUT.pcap [--frames N] [--seed S]
"""
import argparse
import random
import struct


def checksum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def frame(rng, seq):
    payload = b"SYNTHDEMO1" + struct.pack("!QH", seq, 1) + bytes(rng.randrange(256) for _ in range(rng.randrange(20, 400)))
    udp = struct.pack("!HHHH", 40000, 26477, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xffff, 0, 32, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([233, 54, 12, 111]))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = bytes([0x01, 0x00, 0x5e, 0x36, 0x0c, 0x6f, 0x02, 0, 0, 0, 0, 1]) + struct.pack("!HHH", 0x8100, 141, 0x0800)
    return eth + ip + udp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 65535, 1))
        for i in range(a.frames):
            fr = frame(rng, i + 1)
            f.write(struct.pack("<IIII", 1700000000, i * 1000, len(fr), len(fr)) + fr)


if __name__ == "__main__":
    main()
