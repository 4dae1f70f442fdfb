#!/usr/bin/env python3
"""Generate every view of the tickgate card contract from hw/spec/card.yaml.

One specification, several outputs, so the RTL, the C driver and the docs
can never drift apart:

  verilog   tg_csr_regs.v (AXI-Lite CSR block) and tg_card_defs.vh (constants)
  c         card_regs.h, card_records.h (public C headers) and card_regs.c
  docs      registers.md and records.md (reference tables)

The spec is validated before anything is written; an error names the file,
the line and the item, and the exit status is 1.
"""

import hashlib
import json
import sys

from genlib import generator_main, load_yaml, spec_error, strip_lines

REG_ACCESS = ("const", "param", "rw", "ro", "counter64")
FIELD_TYPES = {"u8": 1, "u16": 2, "u32": 4, "u64": 8}


class Spec:
    def __init__(self, path):
        self.path = path
        self.doc = load_yaml(path)
        canon = json.dumps(strip_lines(self.doc), sort_keys=True,
                           separators=(",", ":"))
        self.hash = int(hashlib.sha256(canon.encode()).hexdigest()[:8], 16)
        self._validate()

    # -- validation ---------------------------------------------------------

    def err(self, node, what, msg):
        raise spec_error(self.path, node, what, msg)

    def need(self, node, key, what, kind=None):
        if not isinstance(node, dict) or key not in node:
            self.err(node, what, f"missing '{key}'")
        v = node[key]
        if kind is not None and not isinstance(v, kind) or isinstance(v, bool) and kind is int:
            self.err(node, what, f"'{key}' must be {getattr(kind, '__name__', kind)}")
        return v

    def _validate(self):
        d = self.doc
        c = self.need(d, "contract", "contract", dict)
        self.magic = self.need(c, "magic", "contract", int)
        self.major = self.need(c, "version_major", "contract", int)
        self.minor = self.need(c, "version_minor", "contract", int)
        self.clock_hz = self.need(c, "clock_hz", "contract", int)
        self.build_param = self.need(c, "build_id_param", "contract", str)

        self.caps = self.need(d, "capabilities", "capabilities", list)
        seen = set()
        for cap in self.caps:
            what = f"capability {cap.get('name', '?')}"
            self.need(cap, "name", what, str)
            bit = self.need(cap, "bit", what, int)
            if not 0 <= bit < 32 or bit in seen:
                self.err(cap, what, "bit must be unique and in 0..31")
            seen.add(bit)

        self.regs = self.need(d, "registers", "registers", list)
        used = {}
        names = set()
        for r in self.regs:
            name = self.need(r, "name", "register", str)
            what = f"register {name}"
            if name in names:
                self.err(r, what, "duplicate name")
            names.add(name)
            off = self.need(r, "offset", what, int)
            acc = self.need(r, "access", what, str)
            if acc not in REG_ACCESS:
                self.err(r, what, f"access must be one of {', '.join(REG_ACCESS)}")
            if off % 4 or off < 0 or off >= 4096:
                self.err(r, what, "offset must be 4-byte aligned and below 0x1000")
            words = [off, off + 4] if acc == "counter64" else [off]
            if acc == "counter64" and off % 8:
                self.err(r, what, "counter64 offset must be 8-byte aligned")
            for w in words:
                if w in used:
                    self.err(r, what, f"offset 0x{w:03x} already used by {used[w]}")
                used[w] = name
            r.setdefault("desc", "")
            r.setdefault("pulse", False)
            r.setdefault("ring_owned", False)
            if acc == "const":
                v = self.need(r, "value", what)
                if v == "contract_hash":
                    r["value"] = self.hash
                elif not isinstance(v, int) or not 0 <= v < 2**32:
                    self.err(r, what, "value must be a 32-bit integer or 'contract_hash'")
            if acc in ("rw", "ro"):
                fields = self.need(r, "fields", what, list)
                bits_used = 0
                fnames = set()
                for fl in fields:
                    fname = self.need(fl, "name", what + " field", str)
                    fwhat = f"{what} field {fname}"
                    if fname in fnames:
                        self.err(fl, fwhat, "duplicate field name")
                    fnames.add(fname)
                    msb, lsb = self.parse_bits(fl, fwhat)
                    mask = ((1 << (msb - lsb + 1)) - 1) << lsb
                    if bits_used & mask:
                        self.err(fl, fwhat, "bits overlap another field")
                    bits_used |= mask
                    fl["msb"], fl["lsb"] = msb, lsb
                    fl.setdefault("desc", "")
                    if acc == "rw":
                        reset = fl.get("reset", 0)
                        if not isinstance(reset, int) or reset >> (msb - lsb + 1):
                            self.err(fl, fwhat, "reset does not fit the field")
                        fl["reset"] = reset
                r["mask"] = bits_used
            elif r.get("pulse"):
                self.err(r, what, "only rw registers can be pulse")
        self.regs.sort(key=lambda r: r["offset"])
        cap_mask = sum(1 << cap["bit"] for cap in self.caps)
        caps_reg = self.reg("CAPS")
        if caps_reg is not None and caps_reg.get("value") != cap_mask:
            self.err(caps_reg, "register CAPS",
                     f"value must equal the capability bits (0x{cap_mask:08x})")
        ident = self.reg("IF_VERSION")
        if ident is not None and ident.get("value") != (self.major << 16 | self.minor):
            self.err(ident, "register IF_VERSION", "must equal version_major << 16 | version_minor")
        for rname in ("MAGIC", "IF_VERSION", "BUILD_ID", "CONTRACT_HASH"):
            if self.reg(rname) is None:
                self.err(d, "registers", f"identity register {rname} is required")

        ring = self.need(d, "ring", "ring", dict)
        self.ring = {k: self.need(ring, k, "ring", int)
                     for k in ("prod_offset", "cons_offset", "records_offset",
                               "marker_offset", "writeback_every")}
        recs = self.need(d, "records", "records", dict)
        self.rec_bytes = self.need(recs, "bytes", "records", int)
        if self.rec_bytes != 64:
            self.err(recs, "records", "bytes must be 64 (one beat group of 8 x 64 bits)")
        if self.ring["marker_offset"] != self.rec_bytes - 1:
            self.err(ring, "ring", "marker_offset must be the last byte of a record")
        self.dirs = {}
        for dname, kinds_key in (("h2c", "opcodes"), ("c2h", "types")):
            dd = self.need(recs, dname, "records", dict)
            header = self.need(dd, "header", f"records {dname}", list)
            kinds = self.need(dd, kinds_key, f"records {dname}", list)
            values = set()
            for k in kinds:
                kname = self.need(k, "name", f"records {dname} {kinds_key}", str)
                kwhat = f"{dname} {kname}"
                v = self.need(k, "value", kwhat, int)
                if v in values or not 0 <= v < 256:
                    self.err(k, kwhat, "value must be unique and fit a byte")
                values.add(v)
                k.setdefault("desc", "")
                body = k.get("body") or []
                k["body"] = body
                self.check_layout(header + body, kwhat)
            self.check_layout(header, f"{dname} header")
            self.dirs[dname] = (header, kinds)
        self._validate_risk(self.need(d, "risk", "risk", dict))

    def _validate_risk(self, risk):
        """Sides, gate inputs, limit fields and reject reasons of the risk gate."""
        self.risk = {}
        for key, vkey, lim in (("sides", "value", 4), ("inputs", "value", 16),
                               ("limits", "id", 32), ("reasons", "value", 32)):
            items = self.need(risk, key, "risk", list)
            seen, names = set(), set()
            for it in items:
                name = self.need(it, "name", f"risk {key}", str)
                what = f"risk {key} {name}"
                v = self.need(it, vkey, what, int)
                if v in seen or name in names or not 0 <= v < lim:
                    self.err(it, what, f"{vkey} and name must be unique, {vkey} in 0..{lim - 1}")
                seen.add(v)
                names.add(name)
                it.setdefault("desc", "")
                if key == "limits":
                    if self.need(it, "scope", what, str) not in ("instrument", "global"):
                        self.err(it, what, "scope must be instrument or global")
                    bits = self.need(it, "bits", what, int)
                    if not 1 <= bits <= 64:
                        self.err(it, what, "bits must be 1..64")
                    it.setdefault("max", (1 << bits) - 1)
                    if not 0 <= it["max"] < (1 << bits):
                        self.err(it, what, "max does not fit the field")
                    self.need(it, "unit", what, str)
            self.risk[key] = items
        if self.risk["reasons"][0]["value"] != 0:
            self.err(risk, "risk reasons", "the first reason must be the accept (0)")

    def parse_bits(self, fl, what):
        b = self.need(fl, "bits", what)
        try:
            parts = [int(x) for x in str(b).split(":")]
        except ValueError:
            self.err(fl, what, "bits must be 'N' or 'MSB:LSB'")
        msb, lsb = (parts[0], parts[0]) if len(parts) == 1 else parts[:2]
        if len(parts) > 2 or not 0 <= lsb <= msb < 32:
            self.err(fl, what, "bits must be 'N' or 'MSB:LSB' within 31:0")
        return msb, lsb

    def check_layout(self, fields, what):
        used = [None] * self.rec_bytes
        used[self.ring["marker_offset"]] = "marker"
        for f in fields:
            fname = self.need(f, "name", what, str)
            fwhat = f"{what} field {fname}"
            off = self.need(f, "offset", fwhat, int)
            size = self.field_size(f, fwhat)
            if size in (2, 4, 8) and off % size:
                self.err(f, fwhat, "offset must be naturally aligned")
            if off < 0 or off + size > self.rec_bytes:
                self.err(f, fwhat, "does not fit in the record")
            for i in range(off, off + size):
                if used[i] is not None:
                    self.err(f, fwhat, f"overlaps {used[i]}")
                used[i] = fname
            f["size"] = size
            f.setdefault("desc", "")

    def field_size(self, f, what):
        t = self.need(f, "type", what, str)
        if t in FIELD_TYPES:
            return FIELD_TYPES[t]
        if t.startswith("bytes:"):
            try:
                n = int(t[6:])
            except ValueError:
                n = 0
            if n > 0:
                return n
        self.err(f, what, "type must be u8, u16, u32, u64 or bytes:N")

    def reg(self, name):
        for r in self.regs:
            if r["name"] == name:
                return r
        return None


# -- helpers -----------------------------------------------------------------

# indices whose values the CSR read picks among in its first step (a power of 2)
READ_GROUP = 16
# a CSR read's clock edges from its address's valid to its data's: the address
# taken, the groups' values, the group's (gen_verilog_csr)
READ_CYCLES = 3

HEADER_NOTE = "Generated by hw/gen/cardgen.py from hw/spec/card.yaml. Do not edit."


def reg_reset(r):
    return sum(f["reset"] << f["lsb"] for f in r["fields"]) if r["access"] == "rw" else 0


def width(f):
    return f["msb"] - f["lsb"] + 1


def vport(f):
    w = width(f)
    return "" if w == 1 else f"[{w - 1}:0] "


def vname(r, f=None):
    base = "csr_" + r["name"].lower()
    return base if f is None else f"{base}_{f['name'].lower()}"


# -- Verilog -----------------------------------------------------------------

def gen_verilog_defs(s):
    L = [f"// {HEADER_NOTE}", "// Constants of the card contract; included inside module bodies.",
         "// Each module uses a part of the contract, so unused ones are expected here.",
         "/* verilator lint_off UNUSEDPARAM */", ""]
    L.append(f"localparam [31:0] TG_MAGIC = 32'h{s.magic:08x};")
    L.append(f"localparam [31:0] TG_CONTRACT_HASH = 32'h{s.hash:08x};")
    L.append(f"localparam integer TG_REC_BYTES = {s.rec_bytes};")
    L.append(f"localparam integer TG_REC_BITS = {s.rec_bytes * 8};")
    for k, v in s.ring.items():
        if k.endswith("_offset") and k != "marker_offset":
            # byte offsets added to 64-bit bus addresses
            L.append(f"localparam [63:0] TG_RING_{k.upper()} = 64'd{v};")
        else:
            L.append(f"localparam integer TG_RING_{k.upper()} = {v};")
    for cap in s.caps:
        L.append(f"localparam integer TG_CAP_{cap['name']}_BIT = {cap['bit']};")
    for dname, (header, kinds) in s.dirs.items():
        D = dname.upper()
        pfx = "OP" if dname == "h2c" else "EVT"
        for f in header:
            L.append(f"localparam integer TG_{D}_{f['name'].upper()}_LSB = {f['offset'] * 8};")
            L.append(f"localparam integer TG_{D}_{f['name'].upper()}_W = {f['size'] * 8};")
        for k in kinds:
            L.append(f"localparam [7:0] TG_{D}_{pfx}_{k['name']} = 8'd{k['value']};")
            for f in k["body"]:
                n = f"TG_{D}_{k['name']}_{f['name'].upper()}"
                L.append(f"localparam integer {n}_LSB = {f['offset'] * 8};")
                L.append(f"localparam integer {n}_W = {f['size'] * 8};")
    r = s.risk
    for x in r["sides"]:
        L.append(f"localparam [1:0] TG_RISK_SIDE_{x['name']} = 2'd{x['value']};")
    for x in r["inputs"]:
        L.append(f"localparam [3:0] TG_RISK_IN_{x['name']} = 4'd{x['value']};")
    for x in r["limits"]:
        L.append(f"localparam [4:0] TG_RISK_LIM_{x['name']} = 5'd{x['id']};")
        L.append(f"localparam integer TG_RISK_LIM_{x['name']}_BITS = {x['bits']};")
    for x in r["reasons"]:
        L.append(f"localparam [4:0] TG_RISK_R_{x['name']} = 5'd{x['value']};")
    L.append("/* verilator lint_on UNUSEDPARAM */")
    return "\n".join(L) + "\n"


def gen_verilog_csr(s):
    rw = [r for r in s.regs if r["access"] == "rw"]
    ro = [r for r in s.regs if r["access"] == "ro"]
    cnt = [r for r in s.regs if r["access"] == "counter64"]
    P = []
    for r in rw:
        for f in r["fields"]:
            P.append(f"    output wire {vport(f):<8}{vname(r, f)},")
        if r["pulse"]:
            P.append(f"    output wire         {vname(r)}_wr,")
    for r in ro:
        for f in r["fields"]:
            P.append(f"    input  wire {vport(f):<8}{vname(r, f)},")
    for r in cnt:
        P.append(f"    input  wire [63:0]  {vname(r)},")
    P[-1] = P[-1].rstrip(",")

    decl, rst, wr, rd, assigns = [], [], [], [], []
    for r in rw:
        for f in r["fields"]:
            n = vname(r, f)
            decl.append(f"reg {vport(f)}{n}_reg = {width(f)}'d{f['reset']};")
            assigns.append(f"assign {n} = {n}_reg;")
            rst.append(f"        {n}_reg <= {width(f)}'d{f['reset']};")
        if r["pulse"]:
            decl.append(f"reg {vname(r)}_wr_reg = 1'b0;")
            assigns.append(f"assign {vname(r)}_wr = {vname(r)}_wr_reg;")
            rst.append(f"        {vname(r)}_wr_reg <= 1'b0;")
    for r in cnt:
        decl.append(f"reg [31:0] {vname(r)}_snap_reg = 32'd0;")
        rst.append(f"        {vname(r)}_snap_reg <= 32'd0;")

    def value_expr(r):
        parts, pos = [], 32
        for f in sorted(r["fields"], key=lambda f: -f["msb"]):
            if f["msb"] < pos - 1:
                parts.append(f"{pos - 1 - f['msb']}'d0")
            parts.append(vname(r, f) + ("_reg" if r["access"] == "rw" else ""))
            pos = f["lsb"]
        if pos > 0:
            parts.append(f"{pos}'d0")
        return "{" + ", ".join(parts) + "}"

    pulse_clear = [f"    {vname(r)}_wr_reg <= 1'b0;" for r in rw if r["pulse"]]
    for r in rw:
        wr.append(f"            {r['offset'] >> 2}: begin")
        for f in r["fields"]:
            n = vname(r, f) + "_reg"
            sl = f"[{f['msb']}:{f['lsb']}]"
            wr.append(f"                {n} <= ({n} & ~wmask{sl}) | (s_axil_wdata{sl} & wmask{sl});")
        if r["pulse"]:
            wr.append(f"                {vname(r)}_wr_reg <= 1'b1;")
        wr.append("            end")
    # every readable index's value, by group of READ_GROUP indices
    groups = {}
    for r in s.regs:
        idx = r["offset"] >> 2
        a = r["access"]
        if a == "const":
            vals = [(idx, f"32'h{r['value']:08x}")]
        elif a == "param":
            vals = [(idx, s.build_param)]
        elif a in ("rw", "ro"):
            vals = [(idx, value_expr(r))]
        else:
            vals = [(idx, f"{vname(r)}[31:0]"), (idx + 1, f"{vname(r)}_snap_reg")]
        for i, v in vals:
            groups.setdefault(i // READ_GROUP, []).append((i % READ_GROUP, v))
    gb = READ_GROUP.bit_length() - 1
    rd_decl, rd_pick, rd_take, rd_rst = [], [], [], []
    for g, vals in sorted(groups.items()):
        rd_decl.append(f"reg [31:0] rd_g{g}_data = 32'd0;   // indices {g * READ_GROUP}..{g * READ_GROUP + READ_GROUP - 1}")
        rd_decl.append(f"reg rd_g{g}_hit = 1'b0;")
        rd_take.append(f"        case (rd_idx[{gb - 1}:0])")
        for i, v in vals:
            rd_take.append(f"            {i}: begin rd_g{g}_data <= {v}; rd_g{g}_hit <= 1'b1; end")
        rd_take.append(f"            default: begin rd_g{g}_data <= 32'd0; rd_g{g}_hit <= 1'b0; end")
        rd_take.append("        endcase")
        rd_pick.append(f"        {g}: begin rdata_next = rd_g{g}_data; rd_hit = rd_g{g}_hit; end")
        rd_rst.append(f"        rd_g{g}_data <= 32'd0;")
        rd_rst.append(f"        rd_g{g}_hit <= 1'b0;")
    snap = [f"            {r['offset'] >> 2}: {vname(r)}_snap_reg <= {vname(r)}[63:32];" for r in cnt]
    rw_idx = ", ".join(str(r["offset"] >> 2) for r in rw)
    n = "\n"
    return f"""// {HEADER_NOTE}

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Card CSR block: an AXI-Lite slave over the register map of card.yaml.
// Writes to read-only or unmapped addresses answer SLVERR and change nothing.
module tg_csr_regs #
(
    // Value reported by the BUILD_ID register
    parameter [31:0] {s.build_param} = 32'd0,
    // AXI-Lite address width (byte address)
    parameter ADDR_WIDTH = 12
)
(
    input  wire                   clk,
    input  wire                   rst,

    input  wire [ADDR_WIDTH-1:0]  s_axil_awaddr,
    input  wire [2:0]             s_axil_awprot,
    input  wire                   s_axil_awvalid,
    output wire                   s_axil_awready,
    input  wire [31:0]            s_axil_wdata,
    input  wire [3:0]             s_axil_wstrb,
    input  wire                   s_axil_wvalid,
    output wire                   s_axil_wready,
    output wire [1:0]             s_axil_bresp,
    output wire                   s_axil_bvalid,
    input  wire                   s_axil_bready,
    input  wire [ADDR_WIDTH-1:0]  s_axil_araddr,
    input  wire [2:0]             s_axil_arprot,
    input  wire                   s_axil_arvalid,
    output wire                   s_axil_arready,
    output wire [31:0]            s_axil_rdata,
    output wire [1:0]             s_axil_rresp,
    output wire                   s_axil_rvalid,
    input  wire                   s_axil_rready,

{n.join(P)}
);

initial begin
    if (ADDR_WIDTH < 12) begin
        $error("tg_csr_regs: ADDR_WIDTH must be at least 12");
        $finish;
    end
end

localparam [1:0] RESP_OKAY = 2'b00;
localparam [1:0] RESP_SLVERR = 2'b10;

{n.join(decl)}

reg bvalid_reg = 1'b0;
reg [1:0] bresp_reg = RESP_OKAY;
reg rvalid_reg = 1'b0;
reg [1:0] rresp_reg = RESP_OKAY;
reg [31:0] rdata_reg = 32'd0;

// A write is taken in the cycle both address and data are valid and no
// response is pending; ready depends on valid, which AXI allows. A read
// takes three cycles, each step from registers: the address is registered as
// it is taken; in the next cycle every group of {READ_GROUP} indices registers the
// value its index within the group names (rd_g*_data; a 64-bit counter's
// high half is snapshotted then, with the low half); in the third the
// address's group is picked. (One pick over every register was the card's
// deepest logic but a few: the values of indexed tables, such as the feed's
// per-type counters, came into it a pick deep already.)
wire wr_en = s_axil_awvalid && s_axil_wvalid && !bvalid_reg;
reg rd_pend = 1'b0;                        // an address taken, the groups' values taken now
reg rd_pick = 1'b0;                        // ...and the group picked now
reg [9:0] rd_idx = 10'd0;
reg rd_hi_zero = 1'b0;
reg [{9 - gb}:0] rd_grp = {10 - gb}'d0;             // rd_idx's group, a cycle on
reg rd_grp_ok = 1'b0;                      // ...and rd_hi_zero
wire rd_en = s_axil_arvalid && !rvalid_reg && !rd_pend && !rd_pick;
wire [9:0] wr_idx = s_axil_awaddr[11:2];
wire [31:0] wmask = {{{{8{{s_axil_wstrb[3]}}}}, {{8{{s_axil_wstrb[2]}}}}, {{8{{s_axil_wstrb[1]}}}}, {{8{{s_axil_wstrb[0]}}}}}};
// addresses at or above 0x1000 are outside the map (no aliasing)
wire wr_hi_zero = (s_axil_awaddr >> 12) == 0;
wire wr_hit = wr_hi_zero && (
    {" || ".join(f"wr_idx == {r['offset'] >> 2}" for r in rw)});

assign s_axil_awready = wr_en;
assign s_axil_wready = wr_en;
assign s_axil_bvalid = bvalid_reg;
assign s_axil_bresp = bresp_reg;
assign s_axil_arready = rd_en;
assign s_axil_rvalid = rvalid_reg;
assign s_axil_rresp = rresp_reg;
assign s_axil_rdata = rdata_reg;

{n.join(assigns)}

// read decode: the groups' values (taken in the always block below), then
// the group's
{n.join(rd_decl)}
reg [31:0] rdata_next;
reg rd_hit;

always @* begin
    rdata_next = 32'd0;
    rd_hit = 1'b0;
    case (rd_grp)
{n.join(rd_pick)}
        default: begin end
    endcase
    if (!rd_grp_ok) begin
        rdata_next = 32'd0;
        rd_hit = 1'b0;
    end
end

// rw registers with all writable indices: {rw_idx}
always @(posedge clk) begin
{n.join(pulse_clear)}
    if (bvalid_reg && s_axil_bready) begin
        bvalid_reg <= 1'b0;
    end
    if (wr_en) begin
        bvalid_reg <= 1'b1;
        bresp_reg <= wr_hit ? RESP_OKAY : RESP_SLVERR;
        if (wr_hi_zero) begin
            case (wr_idx)
{n.join("    " + x for x in wr)}
                default: begin end
            endcase
        end
    end

    if (rvalid_reg && s_axil_rready) begin
        rvalid_reg <= 1'b0;
    end
    rd_pend <= rd_en;
    rd_pick <= rd_pend;
    if (rd_en) begin
        rd_idx <= s_axil_araddr[11:2];
        rd_hi_zero <= (s_axil_araddr >> 12) == 0;
    end
    if (rd_pend) begin
        rd_grp <= rd_idx[9:{gb}];
        rd_grp_ok <= rd_hi_zero;
{n.join(rd_take)}
        if (rd_hi_zero) begin
            case (rd_idx)
{n.join(snap)}
                default: begin end
            endcase
        end
    end
    if (rd_pick) begin
        rvalid_reg <= 1'b1;
        rdata_reg <= rdata_next;
        rresp_reg <= rd_hit ? RESP_OKAY : RESP_SLVERR;
    end

    if (rst) begin
        bvalid_reg <= 1'b0;
        bresp_reg <= RESP_OKAY;
        rvalid_reg <= 1'b0;
        rresp_reg <= RESP_OKAY;
        rdata_reg <= 32'd0;
        rd_pend <= 1'b0;
        rd_pick <= 1'b0;
        rd_grp <= {10 - gb}'d0;
        rd_grp_ok <= 1'b0;
{n.join(rd_rst)}
{n.join(rst)}
    end
end

endmodule

`resetall
"""


# -- C -----------------------------------------------------------------------

def c_fields_struct(name, fields, rec_bytes, marker):
    L = [f"struct {name} {{"]
    pos = 0
    pad = 0
    for f in sorted(fields, key=lambda f: f["offset"]):
        if f["offset"] > pos:
            L.append(f"\tuint8_t rsvd{pad}[{f['offset'] - pos}];")
            pad += 1
        if f["type"] in FIELD_TYPES:
            L.append(f"\tuint{f['size'] * 8}_t {f['name']};\t/* {f['desc']} */")
        else:
            L.append(f"\tuint8_t {f['name']}[{f['size']}];\t/* {f['desc']} */")
        pos = f["offset"] + f["size"]
    if marker > pos:
        L.append(f"\tuint8_t rsvd{pad}[{marker - pos}];")
    L.append("\tuint8_t marker;\t/* ring phase marker, owned by the ring code */")
    L.append("};")
    L.append(f"_Static_assert(sizeof(struct {name}) == {rec_bytes}, \"{name} size\");")
    for f in fields:
        L.append(f"_Static_assert(offsetof(struct {name}, {f['name']}) == {f['offset']}, "
                 f"\"{name}.{f['name']} offset\");")
    return L


def gen_c_regs_h(s):
    L = [f"/* {HEADER_NOTE} */", "",
         "/* Card register map: offsets, fields, identity constants. */",
         "#ifndef TICKGATE_CARD_REGS_H", "#define TICKGATE_CARD_REGS_H", "",
         "#include <stdint.h>", "",
         f"#define TG_CARD_MAGIC 0x{s.magic:08x}u",
         f"#define TG_CARD_IF_MAJOR {s.major}u",
         f"#define TG_CARD_IF_MINOR {s.minor}u",
         f"#define TG_CARD_CONTRACT_HASH 0x{s.hash:08x}u",
         f"#define TG_CARD_CLOCK_HZ {s.clock_hz}u",
         f"#define TG_CSR_READ_CYCLES {READ_CYCLES}u\t/* clock edges from a read's ARVALID to its RVALID */", ""]
    for cap in s.caps:
        L.append(f"#define TG_CAP_{cap['name']} (1u << {cap['bit']})\t/* {cap['desc']} */")
    L.append("")
    for r in s.regs:
        n = r["name"]
        if r["access"] == "counter64":
            L.append(f"#define TG_REG_{n}_LO 0x{r['offset']:03x}u\t/* {r['desc']} */")
            L.append(f"#define TG_REG_{n}_HI 0x{r['offset'] + 4:03x}u")
            continue
        L.append(f"#define TG_REG_{n} 0x{r['offset']:03x}u\t/* {r['desc']} */")
        if r["access"] == "rw":
            L.append(f"#define TG_REG_{n}_RESET 0x{reg_reset(r):08x}u")
        if r["access"] in ("rw", "ro"):
            L.append(f"#define TG_REG_{n}_MASK 0x{r['mask']:08x}u")
            for f in r["fields"]:
                m = ((1 << width(f)) - 1) << f["lsb"]
                L.append(f"#define TG_{n}_{f['name']}_SHIFT {f['lsb']}u")
                L.append(f"#define TG_{n}_{f['name']}_MASK 0x{m:08x}u")
    L += ["",
          "/* Ring memory layout, relative to a ring's base address. */"]
    for k, v in s.ring.items():
        L.append(f"#define TG_RING_{k.upper()} {v}u")
    L += ["",
          "enum tg_reg_access {",
          "\tTG_REG_CONST,\t/* fixed by the contract */",
          "\tTG_REG_PARAM,\t/* fixed at build time */",
          "\tTG_REG_RW,\t/* host read/write */",
          "\tTG_REG_RO,\t/* card status */",
          "\tTG_REG_COUNTER64,\t/* 64-bit counter, LO then HI */",
          "};", "",
          "struct tg_reg_field {",
          "\tconst char *name;",
          "\tuint8_t lsb;",
          "\tuint8_t width;",
          "\tuint32_t reset;",
          "\tconst char *desc;",
          "};", "",
          "struct tg_reg_info {",
          "\tconst char *name;",
          "\tuint32_t offset;",
          "\tenum tg_reg_access access;",
          "\tuint32_t value;\t/* const: the value; rw: the reset value */",
          "\tuint32_t mask;\t/* rw/ro: bits that are defined */",
          "\tuint8_t pulse;\t/* rw: every write is seen by the card */",
          "\tuint8_t ring_owned;\t/* rw: only the process owning the rings may write */",
          "\tconst struct tg_reg_field *fields;",
          "\tunsigned n_fields;",
          "\tconst char *desc;",
          "};", "",
          "/* Every register, sorted by offset. */",
          "extern const struct tg_reg_info tg_card_regs[];",
          "extern const unsigned tg_card_regs_count;", "",
          "struct tg_cap_info {",
          "\tconst char *name;",
          "\tuint32_t mask;",
          "};", "",
          "/* Every capability bit of the CAPS register, by bit. */",
          "extern const struct tg_cap_info tg_card_caps[];",
          "extern const unsigned tg_card_caps_count;", ""]
    L += c_risk_defs(s)
    L += ["#endif", ""]
    return "\n".join(L)


def c_risk_defs(s):
    """The risk gate's codes (card_regs.h)."""
    r = s.risk
    L = ["/* Risk gate: sides, inputs, limit fields, reasons (docs/risk.md). */"]
    for key, enum, pfx, vkey in (("sides", "tg_risk_side", "TG_RISK_SIDE", "value"),
                                 ("inputs", "tg_risk_input_kind", "TG_RISK_IN", "value"),
                                 ("limits", "tg_risk_limit", "TG_RISK_LIM", "id"),
                                 ("reasons", "tg_risk_reason", "TG_RISK_R", "value")):
        L.append(f"enum {enum} {{")
        for x in r[key]:
            L.append(f"\t{pfx}_{x['name']} = {x[vkey]},\t/* {x['desc'] or x.get('ouch', '')} */")
        L.append("};")
    L += [f"#define TG_RISK_LIMIT_IDS {max(x['id'] for x in r['limits']) + 1}u",
          f"#define TG_RISK_REASONS {max(x['value'] for x in r['reasons']) + 1}u", "",
          "struct tg_risk_limit_info {",
          "\tconst char *name;",
          "\tuint8_t id;",
          "\tuint8_t global;\t/* 0: one per instrument */",
          "\tuint8_t bits;",
          "\tuint64_t max;\t/* largest valid value */",
          "\tconst char *unit;",
          "\tconst char *desc;",
          "};", "",
          "/* Every limit field, by id order. */",
          "extern const struct tg_risk_limit_info tg_risk_limits[];",
          "extern const unsigned tg_risk_limits_count;", "",
          "/* Name of a reject reason (\"ACCEPTED\" for 0), or NULL when unknown. */",
          "const char *tg_risk_reason_name(unsigned reason);",
          "/* OUCH side character of a gate side code, or 0 when unknown. */",
          "char tg_risk_side_ouch(unsigned side);", ""]
    return L


def cstr(x):
    return json.dumps(x)


def gen_c_regs_c(s):
    L = [f"/* {HEADER_NOTE} */", "", "#include <stddef.h>", "",
         "#include \"tickgate/card_regs.h\"", ""]
    acc = {"const": "TG_REG_CONST", "param": "TG_REG_PARAM", "rw": "TG_REG_RW",
           "ro": "TG_REG_RO", "counter64": "TG_REG_COUNTER64"}
    for r in s.regs:
        if r["access"] in ("rw", "ro"):
            L.append(f"static const struct tg_reg_field fields_{r['name'].lower()}[] = {{")
            for f in r["fields"]:
                L.append(f"\t{{{cstr(f['name'])}, {f['lsb']}, {width(f)}, "
                         f"{f.get('reset', 0)}u, {cstr(f['desc'])}}},")
            L.append("};")
    L.append("")
    L.append("const struct tg_reg_info tg_card_regs[] = {")
    for r in s.regs:
        has_f = r["access"] in ("rw", "ro")
        fl = f"fields_{r['name'].lower()}" if has_f else "NULL"
        nf = len(r["fields"]) if has_f else 0
        val = r["value"] if r["access"] == "const" else reg_reset(r)
        L.append(f"\t{{{cstr(r['name'])}, 0x{r['offset']:03x}u, {acc[r['access']]}, "
                 f"0x{val:08x}u, 0x{r.get('mask', 0):08x}u, {int(bool(r['pulse']))}, "
                 f"{int(bool(r['ring_owned']))}, "
                 f"{fl}, {nf}, {cstr(r['desc'])}}},")
    L.append("};")
    L.append(f"const unsigned tg_card_regs_count = {len(s.regs)};")
    L.append("")
    L.append("const struct tg_cap_info tg_card_caps[] = {")
    for cap in sorted(s.caps, key=lambda c: c["bit"]):
        L.append(f"\t{{{cstr(cap['name'])}, 1u << {cap['bit']}}},")
    L.append("};")
    L.append(f"const unsigned tg_card_caps_count = {len(s.caps)};")
    L.append("")
    r = s.risk
    L.append("const struct tg_risk_limit_info tg_risk_limits[] = {")
    for x in r["limits"]:
        L.append(f"\t{{{cstr(x['name'])}, {x['id']}, {int(x['scope'] == 'global')}, {x['bits']}, "
                 f"{x['max']}ull, {cstr(x['unit'])}, {cstr(x['desc'])}}},")
    L.append("};")
    L.append(f"const unsigned tg_risk_limits_count = {len(r['limits'])};")
    L += ["", "const char *tg_risk_reason_name(unsigned reason)", "{", "\tswitch (reason) {"]
    for x in r["reasons"]:
        L.append(f"\tcase {x['value']}: return {cstr(x['name'])};")
    L += ["\tdefault: return NULL;", "\t}", "}", "",
          "char tg_risk_side_ouch(unsigned side)", "{", "\tswitch (side) {"]
    for x in r["sides"]:
        L.append(f"\tcase {x['value']}: return '{x['ouch']}';")
    L += ["\tdefault: return 0;", "\t}", "}"]
    return "\n".join(L) + "\n"


def gen_c_records_h(s):
    rb = s.rec_bytes
    marker = s.ring["marker_offset"]
    L = [f"/* {HEADER_NOTE} */", "",
         "/* Host<->card record layouts: H2C commands and C2H events. */",
         "#ifndef TICKGATE_CARD_RECORDS_H", "#define TICKGATE_CARD_RECORDS_H", "",
         "#include <stddef.h>", "#include <stdint.h>", "",
         "_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,",
         "\t       \"records are little-endian; a big-endian host needs byte swapping\");", "",
         f"#define TG_RECORD_BYTES {rb}u", f"#define TG_RECORD_MARKER_OFFSET {marker}u", ""]
    for dname, (header, kinds) in s.dirs.items():
        D = dname.upper()
        pfx = "OP" if dname == "h2c" else "EVT"
        enum = "opcode" if dname == "h2c" else "type"
        L.append(f"enum tg_{dname}_{enum} {{")
        for k in kinds:
            L.append(f"\tTG_{D}_{pfx}_{k['name']} = {k['value']},\t/* {k['desc']} */")
        L.append("};")
        L.append("")
        L += c_fields_struct(f"tg_{dname}_hdr", header, rb, marker)
        L.append("")
        for k in kinds:
            L += c_fields_struct(f"tg_{dname}_{k['name'].lower()}", header + k["body"], rb, marker)
            L.append("")
        L.append(f"union tg_{dname}_record {{")
        L.append(f"\tuint8_t raw[{rb}];")
        L.append(f"\tstruct tg_{dname}_hdr hdr;")
        for k in kinds:
            L.append(f"\tstruct tg_{dname}_{k['name'].lower()} {k['name'].lower()};")
        L.append("};")
        L.append(f"_Static_assert(sizeof(union tg_{dname}_record) == {rb}, \"record size\");")
        L.append("")
        L.append(f"/* Name of a {dname.upper()} {enum}, or NULL when unknown. */")
        L.append(f"static inline const char *tg_{dname}_{enum}_name(unsigned v)")
        L.append("{")
        L.append("\tswitch (v) {")
        for k in kinds:
            L.append(f"\tcase {k['value']}: return \"{k['name']}\";")
        L.append("\tdefault: return NULL;")
        L.append("\t}")
        L.append("}")
        L.append("")
    L.append("#endif")
    return "\n".join(L) + "\n"


# -- docs --------------------------------------------------------------------

def md_escape(x):
    return str(x).replace("|", "\\|")


def gen_docs_registers(s):
    L = [f"<!-- {HEADER_NOTE} -->", "", "# Card register reference", "",
         f"Interface version {s.major}.{s.minor}, contract hash `0x{s.hash:08x}`, "
         f"magic `0x{s.magic:08x}`, target clock {s.clock_hz} Hz.", "",
         "AXI-Lite, one transaction at a time. A write answers the cycle after its address and data are both "
         f"valid; a read's data is valid {READ_CYCLES} clock edges after its address (taken, then picked in two "
         f"registered steps: within groups of {READ_GROUP} registers, then the group). Unmapped addresses, and "
         "any at or above 0x1000, answer SLVERR; a write there changes nothing.", "",
         "| offset | name | access | reset / value | description |",
         "|---|---|---|---|---|"]
    for r in s.regs:
        a = r["access"]
        if a == "counter64":
            L.append(f"| 0x{r['offset']:03x} | {r['name']}_LO | counter64 | 0 | {md_escape(r['desc'])} (low word; snapshots the high word) |")
            L.append(f"| 0x{r['offset'] + 4:03x} | {r['name']}_HI | counter64 | 0 | high word as of the last LO read |")
            continue
        v = {"const": f"0x{r.get('value', 0):08x}", "param": "build", "rw": f"0x{reg_reset(r):08x}",
             "ro": "-"}[a]
        L.append(f"| 0x{r['offset']:03x} | {r['name']} | {a}{' (doorbell)' if r['pulse'] else ''} | {v} | {md_escape(r['desc'])} |")
    L += ["", "## Fields", ""]
    for r in s.regs:
        if r["access"] not in ("rw", "ro"):
            continue
        L.append(f"### {r['name']} (0x{r['offset']:03x}, {r['access']})")
        L.append("")
        L.append("| bits | field | reset | description |")
        L.append("|---|---|---|---|")
        for f in r["fields"]:
            bits = f"{f['msb']}:{f['lsb']}" if f["msb"] != f["lsb"] else f"{f['lsb']}"
            L.append(f"| {bits} | {f['name']} | {f.get('reset', '-')} | {md_escape(f['desc'])} |")
        L.append("")
    L += ["## Capabilities (CAPS)", "", "| bit | name | description |", "|---|---|---|"]
    for cap in s.caps:
        L.append(f"| {cap['bit']} | {cap['name']} | {md_escape(cap.get('desc', ''))} |")
    r = s.risk
    L += ["", "## Risk gate limit fields", "", "Semantics: [risk.md](risk.md).", "",
          "| id | name | scope | bits | max | unit | description |", "|---|---|---|---|---|---|---|"]
    for x in r["limits"]:
        L.append(f"| {x['id']} | {x['name']} | {x['scope']} | {x['bits']} | {x['max']} | {x['unit']} | {md_escape(x['desc'])} |")
    L += ["", "## Risk gate reasons", "", "| code | name | description |", "|---|---|---|"]
    for x in r["reasons"]:
        L.append(f"| {x['value']} | {x['name']} | {md_escape(x['desc'])} |")
    L += ["", "## Risk gate inputs", "", "| code | name | description |", "|---|---|---|"]
    for x in r["inputs"]:
        L.append(f"| {x['value']} | {x['name']} | {md_escape(x['desc'])} |")
    return "\n".join(L) + "\n"


def gen_docs_records(s):
    L = [f"<!-- {HEADER_NOTE} -->", "", "# Ring and record reference", "",
         f"Records are {s.rec_bytes} bytes, little-endian. The last byte "
         f"(offset {s.ring['marker_offset']}) is the ring's phase marker.", "",
         "Ring memory at a ring's base address:", "",
         "| offset | content |", "|---|---|",
         f"| {s.ring['prod_offset']} | producer index (u32, own cache line) |",
         f"| {s.ring['cons_offset']} | consumer index (u32, own cache line) |",
         f"| {s.ring['records_offset']} | record 0; record i at +i x {s.rec_bytes} |", ""]
    for dname, (header, kinds) in s.dirs.items():
        title = "H2C commands" if dname == "h2c" else "C2H events"
        L += [f"## {title}", "", "Header:", "", "| offset | field | type | description |",
              "|---|---|---|---|"]
        for f in header:
            L.append(f"| {f['offset']} | {f['name']} | {f['type']} | {md_escape(f['desc'])} |")
        L.append("")
        for k in kinds:
            L.append(f"### {k['name']} = {k['value']}")
            L.append("")
            L.append(md_escape(k["desc"]))
            L.append("")
            if k["body"]:
                L += ["| offset | field | type | description |", "|---|---|---|---|"]
                for f in k["body"]:
                    L.append(f"| {f['offset']} | {f['name']} | {f['type']} | {md_escape(f['desc'])} |")
                L.append("")
    return "\n".join(L) + "\n"


OUTPUTS = {
    "verilog": {"tg_csr_regs.v": gen_verilog_csr, "tg_card_defs.vh": gen_verilog_defs},
    "c-headers": {"card_regs.h": gen_c_regs_h, "card_records.h": gen_c_records_h},
    "c-source": {"card_regs.c": gen_c_regs_c},
    "docs": {"registers.md": gen_docs_registers, "records.md": gen_docs_records},
}


def main(argv):
    return generator_main(argv, "cardgen", __doc__.splitlines()[0], OUTPUTS, Spec)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
