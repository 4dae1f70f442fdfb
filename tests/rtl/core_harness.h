/*
 * One Verilated tg_core on a bench for the RTL tests that drive the card
 * cycle by cycle through card_model (test_core.c, test_orders_rtl.c): a
 * plain memory buffer as the host's DMA window, CSR access that asserts
 * the bus answered OKAY, and the host's two rings placed in the window.
 *
 * One card at a time, in core_cm; the suite's init and cleanup own the
 * window and the card, each test starts with core_fresh().
 */
#ifndef TG_TEST_CORE_HARNESS_H
#define TG_TEST_CORE_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "card_model.h"
#include "tickgate/ring.h"

/* bus address of core_mem[0]: 512 KiB below 2^37, so a ring placed at
 * CORE_BOUNDARY_OFF straddles a carry through bits 19..36 of its addresses */
#define CORE_BUS_BASE 0x1ffff80000ull
#define CORE_BOUNDARY_OFF 0x80000u
#define CORE_MEM_BYTES (1u << 20)
#define CORE_H2C_OFF 0u			/* where core_rings() places the H2C ring ... */
#define CORE_C2H_OFF 0x40000u		/* ... and the C2H ring */

extern uint8_t *core_mem;		/* the DMA window */
extern struct tg_card_model *core_cm;	/* the card of the running test */

/* CUnit suite init and cleanup: allocate the window; free it and the last card. */
int core_suite_init(void);
int core_suite_clean(void);

/* A fresh card on a zeroed window; hooks (may be NULL) gives the model's
 * callbacks (net_beat, oe_packet and their contexts), the rest is ours. */
void core_fresh(const struct tg_cm_config *hooks);

/* CSR access, asserting OKAY (a failed read returns 0xffffffff). */
uint32_t core_rd(uint32_t addr);
void core_wr(uint32_t addr, uint32_t v);
/* A 64-bit counter: LO first (the card takes HI with it), then HI. */
uint64_t core_rd64(uint32_t lo);

/* Format both rings in the window (2^h2c_log2 and 2^c2h_log2 records),
 * attach the host's views and point the card at them, both engines on. */
void core_rings(struct tg_ring *h2c, unsigned h2c_log2, struct tg_ring *c2h, unsigned c2h_log2);
/* The same with the rings at the given offsets in the window. */
void core_rings_at(struct tg_ring *h2c, unsigned h2c_log2, uint32_t h2c_off,
		   struct tg_ring *c2h, unsigned c2h_log2, uint32_t c2h_off);

/* The next number of a seeded sequence (splitmix64) kept in *state. */
uint64_t core_rnd(uint64_t *state);

#endif
