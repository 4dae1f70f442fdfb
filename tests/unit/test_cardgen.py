#!/usr/bin/env python3
"""Tests of hw/gen/cardgen.py, the contract generator.

- A field changed in the spec changes the Verilog CSR block and the C header
  alike, and the contract hash changes in both (so an old host refuses a new
  card and vice versa).
- Bad specifications are refused with the file, the line and the item.
- The generated views agree with each other on every register.

Usage: test_cardgen.py SPEC CARDGEN
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

SPEC = CARDGEN = None


def generate(spec_path, kind, outdir):
    return subprocess.run([sys.executable, CARDGEN, spec_path, kind, outdir],
                          capture_output=True, text=True)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()



def read_decode(verilog):
    """The CSR block's read decode: word index -> value expression. The read
    picks within groups of indices (rd_g<G>_data), then the group."""
    bits = int(re.search(r"case \(rd_idx\[(\d+):0\]\)", verilog).group(1)) + 1
    entries = re.findall(r"\n\s+(\d+): begin rd_g(\d+)_data <= (.*?); rd_g\2_hit <= 1'b1; end", verilog)
    return {(int(g) << bits) + int(i): expr for i, g, expr in entries}

class CardgenTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.spec_text = read(SPEC)

    def tearDown(self):
        self.tmp.cleanup()

    def gen_all(self, text, name):
        spec = os.path.join(self.dir, name + ".yaml")
        out = os.path.join(self.dir, name)
        with open(spec, "w", encoding="utf-8") as f:
            f.write(text)
        for kind in ("verilog", "c-headers", "c-source", "docs"):
            res = generate(spec, kind, out)
            self.assertEqual(res.returncode, 0, res.stderr)
        return {n: read(os.path.join(out, n)) for n in os.listdir(out)}

    def test_field_change_reaches_rtl_and_c(self):
        base = self.gen_all(self.spec_text, "base")
        # move SCRATCH from 0x040 to 0x060 and widen RING_CONTROL's reset
        changed = self.spec_text.replace("  - name: SCRATCH\n    offset: 0x040",
                                         "  - name: SCRATCH\n    offset: 0x060")
        self.assertNotEqual(changed, self.spec_text, "spec layout changed: update this test")
        new = self.gen_all(changed, "new")
        self.assertIn("#define TG_REG_SCRATCH 0x040u", base["card_regs.h"])
        self.assertIn("#define TG_REG_SCRATCH 0x060u", new["card_regs.h"])
        # Verilog decodes by word index: 0x040 >> 2 = 16, 0x060 >> 2 = 24
        self.assertEqual(read_decode(base["tg_csr_regs.v"])[16], "{csr_scratch_value_reg}")
        self.assertEqual(read_decode(new["tg_csr_regs.v"])[24], "{csr_scratch_value_reg}")
        self.assertNotIn(16, read_decode(new["tg_csr_regs.v"]))

        def hashes(views):
            c = re.search(r"TG_CARD_CONTRACT_HASH 0x([0-9a-f]{8})u", views["card_regs.h"]).group(1)
            v = re.search(r"TG_CONTRACT_HASH = 32'h([0-9a-f]{8})", views["tg_card_defs.vh"]).group(1)
            r = re.fullmatch(r"32'h([0-9a-f]{8})", read_decode(views["tg_csr_regs.v"])[4]).group(1)
            return c, v, r

        hb, hn = hashes(base), hashes(new)
        self.assertEqual(len(set(hb)), 1, "C, Verilog constant and CSR decode agree")
        self.assertEqual(len(set(hn)), 1)
        self.assertNotEqual(hb[0], hn[0], "a contract change changes the hash")

    def test_comment_change_keeps_hash(self):
        base = self.gen_all(self.spec_text, "base")
        new = self.gen_all("# a comment\n" + self.spec_text, "new")
        self.assertEqual(base["card_regs.h"], new["card_regs.h"])

    def test_views_agree_on_every_register(self):
        views = self.gen_all(self.spec_text, "v")
        c_regs = dict(re.findall(r"#define TG_REG_([A-Z0-9_]+) 0x([0-9a-f]{3})u", views["card_regs.h"]))
        table = re.findall(r'\{"([A-Z0-9_]+)", 0x([0-9a-f]{3})u, TG_REG_(\w+),', views["card_regs.c"])
        self.assertGreater(len(table), 10)
        decode = read_decode(views["tg_csr_regs.v"])
        indices = set()
        for name, off, access in table:
            idx = int(off, 16) >> 2
            indices.add(idx)
            if access == "COUNTER64":
                self.assertEqual(c_regs[name + "_LO"], off)
                self.assertEqual(decode[idx], f"csr_{name.lower()}[31:0]")
                self.assertEqual(decode[idx + 1], f"csr_{name.lower()}_snap_reg")
                self.assertRegex(views["tg_csr_regs.v"],
                                 rf"\n\s+{idx}: csr_{name.lower()}_snap_reg <= csr_{name.lower()}\[63:32\];")
                indices.add(idx + 1)
            else:
                self.assertEqual(c_regs[name], off)
                self.assertIn(idx, decode)
            self.assertIn(f"| 0x{off} | {name}", views["registers.md"])
        self.assertEqual(set(decode), indices, "the read decode answers exactly the table's indices")

    def expect_error(self, text, *needles):
        spec = os.path.join(self.dir, "bad.yaml")
        with open(spec, "w", encoding="utf-8") as f:
            f.write(text)
        res = generate(spec, "c-headers", os.path.join(self.dir, "bad"))
        self.assertEqual(res.returncode, 1)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "bad", "card_regs.h")),
                         "nothing written for a bad spec")
        for n in needles:
            self.assertIn(n, res.stderr)
        return res.stderr

    def line_of(self, text, needle):
        return text[:text.index(needle)].count("\n") + 1

    def test_overlapping_offset(self):
        bad = self.spec_text.replace("  - name: SCRATCH\n    offset: 0x040",
                                     "  - name: SCRATCH\n    offset: 0x044")
        line = self.line_of(bad, "  - name: CONTROL\n")
        err = self.expect_error(bad, "bad.yaml:", "register CONTROL", "already used by SCRATCH")
        self.assertIn(f"bad.yaml:{line}:", err)

    def test_overlapping_fields(self):
        bad = self.spec_text.replace('{name: C2H_EN, bits: "1"', '{name: C2H_EN, bits: "0"')
        line = self.line_of(bad, '{name: C2H_EN, bits: "0"')
        self.expect_error(bad, f"bad.yaml:{line}:", "field C2H_EN", "overlap")

    def test_record_overflow(self):
        bad = self.spec_text.replace('{name: head, offset: 32, type: "bytes:24"',
                                     '{name: head, offset: 32, type: "bytes:40"')
        self.expect_error(bad, "c2h FRAME field head", "does not fit")

    def test_reset_too_wide(self):
        bad = self.spec_text.replace('{name: ENABLE, bits: "0", reset: 0', '{name: ENABLE, bits: "0", reset: 2')
        self.expect_error(bad, "field ENABLE", "reset does not fit")

    def test_yaml_syntax(self):
        self.expect_error(self.spec_text + "\n  - [unclosed\n", "bad.yaml:", "YAML syntax")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    SPEC, CARDGEN = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    unittest.main(argv=[sys.argv[0], "-v"])
