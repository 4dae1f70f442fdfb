#!/usr/bin/env python3
"""bench_synth: FPGA resources and logic depth of the card's pipelines (Yosys).

For each module: Yosys synth_xilinx (7-series cells) with its resource counts
(LUTs, flip-flops, block RAMs, LUT RAMs, DSPs), and the longest
register-to-register path in LUT levels, measured on a generic 6-input LUT
mapping (synth -flatten; abc -lut 6; ltp -noff): the figure that says whether
a 322 MHz UltraScale+ design can close timing (about 6 levels).

Prints one JSON object. usage: bench_synth.py BUILD_DIR [MODULE...]
(default modules: tg_feed_rx tg_book). Takes minutes: not part of CI.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RTL = os.path.join(HERE, "..", "hw", "rtl")
# The depth pass maps to generic LUTs, where memories become flip-flops: the
# order table is shrunk for it (its size changes only address widths).
DEPTH_PARAMS = {"tg_book": "chparam -set ORDER_LOG2 6 tg_book\n"}
FILES = {
    "tg_feed_rx": ["tg_feed_rx.v"],
    "tg_book": ["tg_book.v", "tg_rec_fifo.v"],
    "tg_feed": ["tg_feed.v", "tg_feed_rx.v", "tg_rec_fifo.v"],
}


def yosys(script):
    with tempfile.NamedTemporaryFile("w", suffix=".ys", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        out = subprocess.run(["yosys", "-q", "-s", path], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    return out


def measure(build, module):
    files = " ".join(os.path.join(RTL, f) for f in FILES[module])
    read = f"read_verilog -sv -I{build}/hw -I{RTL} {files}\n"
    t0 = time.monotonic()
    stat = yosys(read + f"synth_xilinx -top {module} -flatten\ntee -o /dev/stdout stat\n")
    cells = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+(\w+)\s+(\d+)\s*$", stat, re.M)}
    depth_out = yosys(read + DEPTH_PARAMS.get(module, "") +
                      f"synth -flatten -top {module}\nabc -lut 6\nopt_clean\ntee -o /dev/stdout ltp -noff\n")
    m = re.search(r"Longest topological path in \S+ \(length=(\d+)\)", depth_out)
    luts = sum(v for k, v in cells.items() if re.fullmatch(r"LUT\d", k))
    return {
        "lut": luts,
        "ff": sum(v for k, v in cells.items() if re.fullmatch(r"FD\w+", k)),
        "bram36": cells.get("RAMB36E1", 0),
        "bram18": cells.get("RAMB18E1", 0),
        "lutram": sum(v for k, v in cells.items() if k.startswith("RAM") and not k.startswith("RAMB")),
        "dsp": cells.get("DSP48E1", 0),
        "carry4": cells.get("CARRY4", 0),
        # ltp counts the path's cells: the LUTs between two registers
        "logic_depth_lut_levels": int(m.group(1)) if m else None,
        "synth_seconds": round(time.monotonic() - t0, 1),
    }


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__.split("\n\n")[-1] + "\n")
        return 2
    build = os.path.abspath(sys.argv[1])
    modules = sys.argv[2:] or ["tg_feed_rx", "tg_book"]
    for mod in modules:
        if mod not in FILES:
            sys.stderr.write(f"bench_synth: unknown module {mod} (one of {', '.join(FILES)})\n")
            return 2
    out = {"bench": "synth_xilinx", "target_clock_mhz": 322.266, "goal_lut_levels": 6,
           "modules": {mod: measure(build, mod) for mod in modules}}
    json.dump(out, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
