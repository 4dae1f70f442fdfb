/*
 * The CSR block (tg_csr_regs, generated from card.yaml) on its own, with a
 * 16-bit address: every index of the map answers as the register table
 * (tickgate/card_regs.h) says, addresses past the map answer SLVERR, a
 * 64-bit counter's HI word is the value it had when LO was read, and a read
 * takes the cycles docs/registers.md states. (The whole core's tests,
 * test_core.c, cover what the registers do in the card; this covers the
 * read path itself, whose pick is made in steps by groups of indices.)
 */
#include <CUnit/Basic.h>
#include <stdint.h>

#include "tg_cunit.h"
#include "tickgate/card_regs.h"
#include "vcsr.h"

#define MAP_BYTES 0x1000u	/* the register map; the block decodes 16 address bits */

static struct tg_vcsr *v;

static int suite_init(void)
{
	v = tg_vcsr_new();
	return v == NULL;
}

static int suite_clean(void)
{
	tg_vcsr_free(v);
	return 0;
}

/* the register at byte offset off, and whether off is a counter's HI word */
static const struct tg_reg_info *reg_at(uint32_t off, int *hi)
{
	for (unsigned i = 0; i < tg_card_regs_count; i++) {
		const struct tg_reg_info *r = &tg_card_regs[i];
		if (r->offset == off) {
			*hi = 0;
			return r;
		}
		if (r->access == TG_REG_COUNTER64 && r->offset + 4 == off) {
			*hi = 1;
			return r;
		}
	}
	return NULL;
}

/* Every word of the map: mapped ones answer OKAY (a constant its value, a
 * read/write register its reset value, the rest 0 with their inputs at 0),
 * the others SLVERR with data 0; then every read/write register written
 * with a pattern of its own reads it back within its defined bits. */
static void test_every_index(void)
{
	unsigned okay = 0, err = 0, cycles;
	uint32_t d;

	for (uint32_t off = 0; off < MAP_BYTES; off += 4) {
		int hi;
		const struct tg_reg_info *r = reg_at(off, &hi);
		unsigned resp = tg_vcsr_read(v, off, &d, &cycles);
		if (r == NULL) {
			CU_ASSERT_EQUAL(resp, TG_VCSR_SLVERR);
			CU_ASSERT_EQUAL(d, 0);
			err++;
			continue;
		}
		CU_ASSERT_EQUAL(resp, TG_VCSR_OKAY);
		okay++;
		if (r->access == TG_REG_CONST || r->access == TG_REG_RW) {
			CU_ASSERT_EQUAL(d, r->value);
		} else if (r->access != TG_REG_PARAM) {
			CU_ASSERT_EQUAL(d, 0);
		}
	}
	CU_ASSERT(okay > 100);
	CU_ASSERT(err > 500);
	for (unsigned i = 0; i < tg_card_regs_count; i++) {
		const struct tg_reg_info *r = &tg_card_regs[i];
		uint32_t pattern = 0x9e3779b9u * (i + 1);
		if (r->access != TG_REG_RW)
			continue;
		CU_ASSERT_EQUAL(tg_vcsr_write(v, r->offset, pattern, 0xf), TG_VCSR_OKAY);
		CU_ASSERT_EQUAL(tg_vcsr_read(v, r->offset, &d, &cycles), TG_VCSR_OKAY);
		CU_ASSERT_EQUAL(d, pattern & r->mask);
	}
	/* ...and each keeps its own: none was overwritten by another's write */
	for (unsigned i = 0; i < tg_card_regs_count; i++) {
		const struct tg_reg_info *r = &tg_card_regs[i];
		if (r->access != TG_REG_RW)
			continue;
		CU_ASSERT_EQUAL(tg_vcsr_read(v, r->offset, &d, &cycles), TG_VCSR_OKAY);
		CU_ASSERT_EQUAL(d, (0x9e3779b9u * (i + 1)) & r->mask);
	}
}

/* Above the map nothing aliases: the identity's offsets plus 0x1000 and
 * more answer SLVERR, reads and writes, and the write changes nothing. */
static void test_past_the_map(void)
{
	static const uint32_t above[] = { 0x1000u, 0x2000u, 0x8000u, 0xf000u };
	unsigned cycles;
	uint32_t d;

	for (unsigned a = 0; a < sizeof(above) / sizeof(above[0]); a++) {
		CU_ASSERT_EQUAL(tg_vcsr_read(v, above[a] + TG_REG_MAGIC, &d, &cycles), TG_VCSR_SLVERR);
		CU_ASSERT_EQUAL(d, 0);
		CU_ASSERT_EQUAL(tg_vcsr_write(v, above[a] + TG_REG_SCRATCH, 0x5a5a5a5au, 0xf), TG_VCSR_SLVERR);
	}
	CU_ASSERT_EQUAL(tg_vcsr_write(v, TG_REG_SCRATCH, 0x01020304u, 0xf), TG_VCSR_OKAY);
	CU_ASSERT_EQUAL(tg_vcsr_write(v, 0x1000u + TG_REG_SCRATCH, 0xffffffffu, 0xf), TG_VCSR_SLVERR);
	CU_ASSERT_EQUAL(tg_vcsr_read(v, TG_REG_SCRATCH, &d, &cycles), TG_VCSR_OKAY);
	CU_ASSERT_EQUAL(d, 0x01020304u);
	CU_ASSERT_EQUAL(tg_vcsr_read(v, TG_REG_MAGIC, &d, &cycles), TG_VCSR_OKAY);
	CU_ASSERT_EQUAL(d, TG_CARD_MAGIC);
}

/* LO then HI is one value: HI is taken as LO is read, whatever the counter
 * does before HI is read; HI read again without LO stays. */
static void test_counter_snapshot(void)
{
	unsigned cycles;
	uint32_t lo, hi;

	tg_vcsr_set_uptime(v, 0x0000000500000007ull);
	CU_ASSERT_EQUAL(tg_vcsr_read(v, TG_REG_UPTIME_LO, &lo, &cycles), TG_VCSR_OKAY);
	tg_vcsr_set_uptime(v, 0x0000000900000001ull);
	CU_ASSERT_EQUAL(tg_vcsr_read(v, TG_REG_UPTIME_LO + 4, &hi, &cycles), TG_VCSR_OKAY);
	CU_ASSERT_EQUAL(lo, 7);
	CU_ASSERT_EQUAL(hi, 5);
	CU_ASSERT_EQUAL(tg_vcsr_read(v, TG_REG_UPTIME_LO + 4, &hi, &cycles), TG_VCSR_OKAY);
	CU_ASSERT_EQUAL(hi, 5);
	CU_ASSERT_EQUAL(tg_vcsr_read(v, TG_REG_UPTIME_LO, &lo, &cycles), TG_VCSR_OKAY);
	CU_ASSERT_EQUAL(tg_vcsr_read(v, TG_REG_UPTIME_LO + 4, &hi, &cycles), TG_VCSR_OKAY);
	CU_ASSERT_EQUAL(lo, 1);
	CU_ASSERT_EQUAL(hi, 9);
}

/* A read's data comes TG_CSR_READ_CYCLES edges after its address is valid,
 * for every kind of register, mapped or not. */
static void test_read_cycles(void)
{
	static const uint32_t offs[] = { TG_REG_MAGIC, TG_REG_SCRATCH, TG_REG_UPTIME_LO, TG_REG_UPTIME_LO + 4,
					 0x0ffcu, 0x1000u };
	unsigned cycles;
	uint32_t d;

	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		tg_vcsr_read(v, offs[i], &d, &cycles);
		CU_ASSERT_EQUAL(cycles, TG_CSR_READ_CYCLES);
	}
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "every index answers per the table", test_every_index },
		{ "addresses past the map answer SLVERR", test_past_the_map },
		{ "64-bit counter: HI as it was when LO was read", test_counter_snapshot },
		{ "read latency", test_read_cycles },
	};

	return tg_cunit_run("rtl_csr", suite_init, suite_clean, tests, TG_CUNIT_COUNT(tests));
}
