/*
 * One Verilated tg_core on a bench for the RTL tests: see core_harness.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core_harness.h"
#include "tg_cunit.h"
#include "tickgate/card.h"

uint8_t *core_mem;
struct tg_card_model *core_cm;

int core_suite_init(void)
{
	core_mem = aligned_alloc(4096, CORE_MEM_BYTES);
	return core_mem == NULL;
}

int core_suite_clean(void)
{
	tg_cm_free(core_cm);
	core_cm = NULL;
	free(core_mem);
	core_mem = NULL;
	return 0;
}

void core_fresh(const struct tg_cm_config *hooks)
{
	struct tg_cm_config cfg = { 0 };

	if (hooks != NULL)
		cfg = *hooks;
	cfg.mem = core_mem;
	cfg.mem_bytes = CORE_MEM_BYTES;
	cfg.bus_base = CORE_BUS_BASE;
	tg_cm_free(core_cm);
	memset(core_mem, 0, CORE_MEM_BYTES);
	core_cm = tg_cm_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(core_cm);
}

uint32_t core_rd(uint32_t addr)
{
	uint32_t v = 0xffffffff;

	CU_ASSERT_EQUAL(tg_cm_csr_read(core_cm, addr, &v), TG_CM_CSR_OK);
	return v;
}

void core_wr(uint32_t addr, uint32_t v)
{
	CU_ASSERT_EQUAL(tg_cm_csr_write(core_cm, addr, v, 0xf), TG_CM_CSR_OK);
}

uint64_t core_rd64(uint32_t lo)
{
	uint32_t l = core_rd(lo);

	return (uint64_t)core_rd(lo + 4) << 32 | l;
}

void core_rings(struct tg_ring *h2c, unsigned h2c_log2, struct tg_ring *c2h, unsigned c2h_log2)
{
	core_rings_at(h2c, h2c_log2, CORE_H2C_OFF, c2h, c2h_log2, CORE_C2H_OFF);
}

void core_rings_at(struct tg_ring *h2c, unsigned h2c_log2, uint32_t h2c_off,
		   struct tg_ring *c2h, unsigned c2h_log2, uint32_t c2h_off)
{
	size_t hb = tg_ring_mem_bytes(h2c_log2, TG_RECORD_BYTES);
	size_t cb = tg_ring_mem_bytes(c2h_log2, TG_RECORD_BYTES);
	uint64_t hbus = CORE_BUS_BASE + h2c_off, cbus = CORE_BUS_BASE + c2h_off;

	CU_ASSERT_FATAL(h2c_off + hb <= CORE_MEM_BYTES && c2h_off + cb <= CORE_MEM_BYTES);
	CU_ASSERT_EQUAL_FATAL(tg_ring_format(core_mem + h2c_off, hb, h2c_log2, TG_RECORD_BYTES), TG_OK);
	CU_ASSERT_EQUAL_FATAL(tg_ring_attach(h2c, core_mem + h2c_off, hb, h2c_log2, TG_RECORD_BYTES), TG_OK);
	CU_ASSERT_EQUAL_FATAL(tg_ring_format(core_mem + c2h_off, cb, c2h_log2, TG_RECORD_BYTES), TG_OK);
	CU_ASSERT_EQUAL_FATAL(tg_ring_attach(c2h, core_mem + c2h_off, cb, c2h_log2, TG_RECORD_BYTES), TG_OK);
	core_wr(TG_REG_H2C_BASE_LO, (uint32_t)hbus);
	core_wr(TG_REG_H2C_BASE_HI, (uint32_t)(hbus >> 32));
	core_wr(TG_REG_H2C_SIZE, h2c_log2);
	core_wr(TG_REG_C2H_BASE_LO, (uint32_t)cbus);
	core_wr(TG_REG_C2H_BASE_HI, (uint32_t)(cbus >> 32));
	core_wr(TG_REG_C2H_SIZE, c2h_log2);
	core_wr(TG_REG_RING_CONTROL, TG_RING_CONTROL_H2C_EN_MASK | TG_RING_CONTROL_C2H_EN_MASK);
}

uint64_t core_rnd(uint64_t *state)
{
	uint64_t z = *state += 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
