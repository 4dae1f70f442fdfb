#!/usr/bin/env python3
"""bench_synth: FPGA resources and logic depth of the card's pipelines (Yosys).

For each module: Yosys synth_xilinx (7-series cells) with its resource counts
(LUTs, flip-flops, block RAMs, LUT RAMs, shift-register LUTs, DSPs), and the slowest
register-to-register path of that same netlist (bench/netlist_depth.py): the
LUTs on it, its carry and wide-mux cells, and its cost in LUT levels with
carry chains counted as carry chains: the figure that says whether a 322 MHz
UltraScale+ design can close timing (about 6 levels).

tg_core is the whole card (its book cut to 4 instruments x 4 levels x 1024
orders, as in the CI synthesis test, which keeps Yosys to about 10 minutes),
with the slowest path into each of its instances' registers (flip-flop D,
enable and reset pins, DSP, block RAM and distributed RAM inputs) beside the
worst one: the pipelines above sit among the card's glue (DMA rings, CSRs,
order entry, latency counters), and the card closes timing only if all do.

Prints one JSON object. usage: bench_synth.py BUILD_DIR [MODULE...]
(default modules: tg_feed_rx tg_book tg_risk). Takes minutes: not part of CI.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netlist_depth  # noqa: E402  (beside this file)
RTL = os.path.join(HERE, "..", "hw", "rtl")
FILES = {
    "tg_feed_rx": ["tg_feed_rx.v"],
    "tg_book": ["tg_book.v", "tg_rec_fifo.v"],
    "tg_feed": ["tg_feed.v", "tg_feed_rx.v", "tg_rec_fifo.v"],
    "tg_risk": ["tg_risk.v", "tg_sum_ge0.v", "tg_add3.v", "tg_add3_lut.v", "tg_carry_select.v",
                "tg_bucket_pick.v", "tg_count_pick.v", "tg_rise_pick.v"],
    "tg_core": sorted(f for f in os.listdir(RTL) if f.endswith(".v")),
}
GENERATED = {"tg_core": ["tg_csr_regs.v"]}   # in BUILD_DIR/hw
PARAMS = {"tg_core": "chparam -set BOOK_INSTRUMENTS 4 -set BOOK_DEPTH 4 -set BOOK_ORDER_LOG2 10 tg_core\n"}


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
    files = " ".join([os.path.join(build, "hw", f) for f in GENERATED.get(module, [])]
                     + [os.path.join(RTL, f) for f in FILES[module]])
    # TG_XILINX: the RTL's Xilinx builds (tg_add3's carry chain); the
    # hierarchy levels kept for ABC's sake are flattened after synthesis
    read = f"read_verilog -sv -DTG_XILINX -I{build}/hw -I{RTL} {files}\n" + PARAMS.get(module, "")
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        netlist = os.path.join(tmp, "netlist.json")
        stat = yosys(read + f"synth_xilinx -top {module} -flatten\n"
                     f"setattr -mod -unset keep_hierarchy\nflatten\nopt_clean\nwrite_json {netlist}\n"
                     "tee -o /dev/stdout stat\n")
        with open(netlist) as f:
            depth = netlist_depth.analyse(json.load(f))
    cells = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+(\w+)\s+(\d+)\s*$", stat, re.M)}
    luts = sum(v for k, v in cells.items() if re.fullmatch(r"LUT\d", k))
    return {
        "lut": luts,
        "ff": sum(v for k, v in cells.items() if re.fullmatch(r"FD\w+", k)),
        "bram36": cells.get("RAMB36E1", 0),
        "bram18": cells.get("RAMB18E1", 0),
        "lutram": sum(v for k, v in cells.items() if k.startswith("RAM") and not k.startswith("RAMB")),
        # LUTs used as shift registers (not in "lut")
        "srl": sum(v for k, v in cells.items() if k.startswith("SRL")),
        "dsp": cells.get("DSP48E1", 0),
        "carry4": cells.get("CARRY4", 0),
        # the slowest register-to-register path (netlist_depth.py's model)
        "logic_depth_lut_levels": depth["cost_lut_levels"],
        "logic_depth_luts": depth["luts"],
        "logic_depth_carry4": depth["carry4"],
        "logic_depth_muxf": depth["muxf"],
        "logic_depth_dsp_stages": depth["dsp_stages"],
        "synth_seconds": round(time.monotonic() - t0, 1),
        **({"logic_depth_by_instance": depth["by_instance"]} if module == "tg_core" else {}),
    }


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__.split("\n\n")[-1] + "\n")
        return 2
    build = os.path.abspath(sys.argv[1])
    modules = sys.argv[2:] or ["tg_feed_rx", "tg_book", "tg_risk"]
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
