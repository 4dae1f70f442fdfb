#!/usr/bin/env python3
"""netlist_depth: longest register-to-register path of a Yosys synth_xilinx netlist.

Reads the JSON netlist (Yosys write_json) of a flattened synth_xilinx run and
finds the slowest combinational path between sequential elements, counting
what sits on it: LUTs (one level each), carry-chain cells (CARRY4) and wide
multiplexers (MUXF7/MUXF8). The path's cost uses a plain delay model in LUT
levels, stated here so the figure can be judged:

    LUT1..LUT6, LUTRAM read   1.0   (a LUT plus its route: the unit)
    CARRY4                    0.25  (four bits of carry, no route between)
    MUXF7, MUXF8              0.25  (inside the slice)
    INV                       0     (absorbed into the next LUT)
    DSP multiplier, no M reg  3.0   (A/B/D to the multiplier's output)
    DSP ALU, no P register    1.0   (multiplier, C or PCIN to P/PCOUT)

Start and end points: flip-flops, block RAMs (registered reads), the
registers inside DSPs (A/B/C/D, M, P, as their parameters say) and the
module's ports. A DSP without them is combinational and costs what the table
says: a multiplier Yosys leaves unregistered is not a free path boundary.
Distributed RAM and shift-register LUTs are combinational from each read
port's address to that port's output only (a RAM64M's ADDRA to DOA, ...):
one cell holds several ports, and a path from one port's address to another
port's data does not exist.

usage: netlist_depth.py NETLIST.json [--paths N]
Prints a JSON object; --paths lists the cells (with their source lines) of
the N worst distinct end points.
"""
import json
import re
import sys

WEIGHT = {"CARRY4": 0.25, "MUXF7": 0.25, "MUXF8": 0.25, "MUXF9": 0.25, "INV": 0.0}
# read address -> data out, combinational in distributed RAM and SRLs
LUTRAM_READ = re.compile(r"^(RAM\d+X\d+[SD]|RAM\d+M\d*|SRL16E|SRLC32E)$")
# each read output of those, and the address ports that select it
LUTRAM_PORT_ADDR = {"DOA": r"ADDRA", "DOB": r"ADDRB", "DOC": r"ADDRC", "DOD": r"ADDRD",
                    "DOE": r"ADDRE", "DOF": r"ADDRF", "DOG": r"ADDRG", "DOH": r"ADDRH",
                    "SPO": r"A\d*", "O": r"A\d*", "Q": r"A\d*", "DPO": r"DPRA\d*"}
SEQUENTIAL = re.compile(r"^(FD[CPRS]E|RAMB\w+|BUFG\w*|IBUF|OBUF)$")
DSP = re.compile(r"^DSP48E[12]$")
DSP_MUL_WEIGHT, DSP_ALU_WEIGHT = 3.0, 1.0


def param(cell, name):
    v = cell.get("parameters", {}).get(name, "0")
    return int(v, 2) if isinstance(v, str) and v and set(v) <= set("01") else int(v or 0)


def dsp_arcs(name, cell):
    """A DSP as two virtual combinational cells: the multiplier and the ALU.

    Returns [(node, input bits, output bits, weight)]; a stage that ends in
    its register has no output bits (its cost still counts as an end point),
    an input behind its register is not an input of the stage."""
    conns = cell["connections"]

    def bits(*ports):
        return [b for p in ports for b in conns.get(p, []) if isinstance(b, int)]
    mul_in = []
    if param(cell, "AREG") == 0:
        mul_in += bits("A", "ACIN")
    if param(cell, "BREG") == 0:
        mul_in += bits("B", "BCIN")
    if param(cell, "DREG") == 0 and param(cell, "ADREG") == 0:
        mul_in += bits("D")
    mreg = param(cell, "MREG") != 0
    m_bit = name + "#m"
    alu_in = bits("PCIN") + ([] if param(cell, "CREG") else bits("C")) + ([] if mreg else [m_bit])
    alu_out = [] if param(cell, "PREG") else bits("P", "PCOUT")
    return [(name + "#mul", mul_in, [] if mreg else [m_bit], DSP_MUL_WEIGHT),
            (name + "#alu", alu_in, alu_out, DSP_ALU_WEIGHT)]


def lutram_arcs(name, cell):
    """A distributed RAM or SRL as one virtual cell per read port."""
    conns = cell["connections"]
    dirs = cell.get("port_directions", {})
    out = []
    for port, d in dirs.items():
        if d != "output":
            continue
        addr = re.compile("^(" + LUTRAM_PORT_ADDR.get(port, "$^") + ")$")
        ibits = [b for p in dirs if dirs[p] == "input" and addr.match(p)
                 for b in conns.get(p, []) if isinstance(b, int)]
        obits = [b for b in conns.get(port, []) if isinstance(b, int)]
        out.append((name + "#" + port, ibits, obits, 1.0))
    return out


def comb_arcs(cell):
    """(input ports, output ports, weight) of a combinational cell, or None."""
    ctype = cell["type"]
    dirs = cell.get("port_directions", {})
    ins = [p for p, d in dirs.items() if d == "input"]
    outs = [p for p, d in dirs.items() if d == "output"]
    if re.fullmatch(r"LUT\d", ctype):
        return ins, outs, 1.0
    if ctype in WEIGHT:
        return ins, outs, WEIGHT[ctype]
    if SEQUENTIAL.match(ctype):
        return None
    raise SystemExit(f"netlist_depth: no timing model for cell type {ctype}")


def analyse(netlist, npaths=0):
    modules = netlist["modules"]
    top = next(m for m in modules.values() if m.get("attributes", {}).get("top"))
    cells = top["cells"]
    driver = {}          # bit -> cell name (combinational drivers only)
    arcs = {}            # cell name -> (input bits, output bits, weight)
    for name, cell in cells.items():
        split = dsp_arcs if DSP.match(cell["type"]) else lutram_arcs if LUTRAM_READ.match(cell["type"]) else None
        if split:
            for node, ibits, obits, w in split(name, cell):
                arcs[node] = (ibits, obits, w)
                for b in obits:
                    driver[b] = node
            continue
        a = comb_arcs(cell)
        if a is None:
            continue
        ins, outs, w = a
        conns = cell["connections"]
        ibits = [b for p in ins for b in conns.get(p, []) if isinstance(b, int)]
        obits = [b for p in outs for b in conns.get(p, []) if isinstance(b, int)]
        arcs[name] = (ibits, obits, w)
        for b in obits:
            driver[b] = name
    # Kahn topological order over combinational cells
    fanout = {n: [] for n in arcs}
    indeg = {n: 0 for n in arcs}
    for n, (ibits, _, _) in arcs.items():
        preds = {driver[b] for b in ibits if b in driver}
        indeg[n] = len(preds)
        for p in preds:
            fanout[p].append(n)
    order = [n for n, d in indeg.items() if d == 0]
    i = 0
    while i < len(order):
        for s in fanout[order[i]]:
            indeg[s] -= 1
            if indeg[s] == 0:
                order.append(s)
        i += 1
    if len(order) != len(arcs):
        raise SystemExit(f"netlist_depth: combinational loop through {len(arcs) - len(order)} cells")
    cost, prev = {}, {}
    for n in order:
        ibits, _, w = arcs[n]
        best, via = 0.0, None
        for b in ibits:
            d = driver.get(b)
            if d is not None and cost[d] > best:
                best, via = cost[d], d
        cost[n] = best + w
        prev[n] = via

    def path(n):
        cells_on = []
        while n is not None:
            cells_on.append(n)
            n = prev[n]
        return cells_on[::-1]

    def cell_of(n):
        return cells[n.split("#")[0]]

    def type_of(n):
        base, _, stage = n.partition("#")
        return cells[base]["type"] + ("." + stage if stage else "")

    def summary(n):
        p = path(n)
        types = [type_of(c) for c in p]
        return {
            "cost_lut_levels": round(cost[n], 2),
            "luts": sum(1 for t in types if re.fullmatch(r"LUT\d", t) or LUTRAM_READ.match(t.split(".")[0])),
            "carry4": types.count("CARRY4"),
            "muxf": types.count("MUXF7") + types.count("MUXF8") + types.count("MUXF9"),
            "dsp_stages": sum(1 for t in types if t.startswith("DSP")),
        }

    ranked = sorted(cost, key=lambda n: -cost[n])
    worst = ranked[0] if ranked else None
    out = summary(worst) if worst else {"cost_lut_levels": 0, "luts": 0, "carry4": 0, "muxf": 0, "dsp_stages": 0}
    if npaths:
        seen, listed = set(), []
        for n in ranked:
            if len(listed) == npaths:
                break
            src = cell_of(n).get("attributes", {}).get("src", "")
            if src in seen:
                continue
            seen.add(src)
            s = summary(n)
            s["cells"] = [f'{type_of(c)} {cell_of(c).get("attributes", {}).get("src", "?")}' for c in path(n)]
            listed.append(s)
        out["paths"] = listed
    out["by_instance"] = by_instance(top, cost, driver)
    return out


def by_instance(top, cost, driver):
    """The slowest path into each top-level instance's registers.

    Every end point counts: a flip-flop's D, enable and reset pins, the
    inputs of DSPs (into their registers, and their own unregistered stages
    that end in one), block RAMs and distributed RAMs (write ports too). A
    flattened netlist keeps the hierarchy in its names: a flip-flop belongs
    to the instance its Q net is named in (`gate_inst.risk_inst.d_f`), any
    other cell to the one its own name is in (`$flatten\\gate_inst.risk_inst.
    $mul$...`). Cells of the top module itself count as "(top)"."""
    qname = {}
    for name, net in top["netnames"].items():
        if name.startswith("$"):
            continue
        for b in net["bits"]:
            if isinstance(b, int) and (b not in qname or len(name) < len(qname[b])):
                qname[b] = name
    out = {}
    for cname, cell in top["cells"].items():
        ctype = cell["type"]
        is_ff = re.fullmatch(r"FD[CPRS]E", ctype) is not None
        if not (is_ff or DSP.match(ctype) or LUTRAM_READ.match(ctype) or ctype.startswith("RAMB")):
            continue
        conns = cell["connections"]
        dirs = cell.get("port_directions", {})
        if is_ff:
            q = next((b for b in conns.get("Q", []) if isinstance(b, int)), None)
            if q is None or q not in qname:
                continue
            inst = qname[q].split(".")[0] if "." in qname[q] else "(top)"
        else:
            base = cname[len("$flatten\\"):] if cname.startswith("$flatten\\") else ""
            inst = base.split(".")[0] if "." in base else "(top)"
        c = 0.0
        for port, bits in conns.items():
            if dirs.get(port) != "input" or port == "C" and is_ff:
                continue
            for b in bits:
                if isinstance(b, int):
                    c = max(c, cost.get(driver.get(b), 0.0))
        if DSP.match(ctype):
            # a stage of its own that ends in its register (M or P)
            for stage in ("#mul", "#alu"):
                node = cname + stage
                if node in cost:
                    c = max(c, cost[node])
        out[inst] = max(out.get(inst, 0.0), round(c, 2))
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def main():
    args = sys.argv[1:]
    npaths = 0
    if "--paths" in args:
        i = args.index("--paths")
        npaths = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        sys.stderr.write(__doc__.split("\n\n")[-2] + "\n")
        return 2
    with open(args[0]) as f:
        json.dump(analyse(json.load(f), npaths), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
