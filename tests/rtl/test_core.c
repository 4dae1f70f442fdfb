/*
 * RTL tests: the Verilated tg_core driven cycle by cycle through card_model,
 * with a plain memory buffer as the host's DMA window.
 *
 * The expectations come from the C view of the contract (the generated
 * headers) and from the ring protocol, never from the RTL itself, so a
 * disagreement between the RTL and C views of card.yaml fails here.
 */
#include <string.h>

#include "core_harness.h"
#include "tg_cunit.h"
#include "tickgate/card.h"
#include "tickgate/ring.h"

/* ---- contract: identity and register semantics against the C header ---- */

static void test_identity_matches_header(void)
{
	core_fresh(NULL);
	CU_ASSERT_EQUAL(core_rd(TG_REG_MAGIC), TG_CARD_MAGIC);
	CU_ASSERT_EQUAL(core_rd(TG_REG_IF_VERSION), TG_CARD_IF_MAJOR << 16 | TG_CARD_IF_MINOR);
	CU_ASSERT_EQUAL(core_rd(TG_REG_CONTRACT_HASH), TG_CARD_CONTRACT_HASH);
	CU_ASSERT_EQUAL(core_rd(TG_REG_CAPS), TG_CAP_RING_H2C | TG_CAP_RING_C2H | TG_CAP_NET_RX | TG_CAP_LOOPBACK |
						      TG_CAP_FEED | TG_CAP_BOOK | TG_CAP_RISK | TG_CAP_ORDER_ENTRY);
	CU_ASSERT_EQUAL(core_rd(TG_REG_CLOCK_KHZ), (TG_CARD_CLOCK_HZ + 500u) / 1000u);
	CU_ASSERT_EQUAL(core_rd(TG_REG_REC_BYTES), TG_RECORD_BYTES << 16 | TG_RECORD_BYTES);
}

static void test_every_register_per_table(void)
{
	core_fresh(NULL);
	for (unsigned i = 0; i < tg_card_regs_count; i++) {
		const struct tg_reg_info *r = &tg_card_regs[i];
		uint32_t before, after;

		switch (r->access) {
		case TG_REG_CONST:
			CU_ASSERT_EQUAL(core_rd(r->offset), r->value);
			break;
		case TG_REG_RW:
			/* reset value, then every defined bit writable, undefined bits zero */
			CU_ASSERT_EQUAL(core_rd(r->offset), r->value);
			if (r->offset == TG_REG_RING_CONTROL || r->offset == TG_REG_CONTROL)
				break;	/* toggling engines is covered by the ring tests */
			core_wr(r->offset, 0xffffffffu);
			CU_ASSERT_EQUAL(core_rd(r->offset), r->mask);
			core_wr(r->offset, 0);
			CU_ASSERT_EQUAL(core_rd(r->offset), 0);
			core_wr(r->offset, r->value);
			break;
		case TG_REG_RO:
		case TG_REG_PARAM:
		case TG_REG_COUNTER64:
			/* writes answer SLVERR and change nothing */
			before = core_rd(r->offset);
			CU_ASSERT_EQUAL(tg_cm_csr_write(core_cm, r->offset, ~before, 0xf), TG_CM_CSR_SLVERR);
			after = core_rd(r->offset);
			if (r->access != TG_REG_COUNTER64)
				CU_ASSERT_EQUAL(after, before);
			break;
		}
	}
}

static void test_unmapped_and_strobes(void)
{
	uint32_t v;
	uint32_t mapped_max = 0;

	core_fresh(NULL);
	for (unsigned i = 0; i < tg_card_regs_count; i++)
		if (tg_card_regs[i].offset > mapped_max)
			mapped_max = tg_card_regs[i].offset;
	/* holes and the end of the map */
	CU_ASSERT_EQUAL(tg_cm_csr_read(core_cm, 0x03c, &v), TG_CM_CSR_SLVERR);
	CU_ASSERT_EQUAL(tg_cm_csr_read(core_cm, (mapped_max + 0x40) & 0xffc, &v), TG_CM_CSR_SLVERR);
	CU_ASSERT_EQUAL(tg_cm_csr_write(core_cm, 0x03c, 1, 0xf), TG_CM_CSR_SLVERR);
	/* byte strobes: only lane 1 written */
	core_wr(TG_REG_SCRATCH, 0x11223344);
	CU_ASSERT_EQUAL(tg_cm_csr_write(core_cm, TG_REG_SCRATCH, 0xaabbccdd, 0x2), TG_CM_CSR_OK);
	CU_ASSERT_EQUAL(core_rd(TG_REG_SCRATCH), 0x1122cc44);
}

static void test_counter64_snapshot(void)
{
	uint64_t a, b;

	core_fresh(NULL);
	a = core_rd64(TG_REG_UPTIME_LO);
	tg_cm_run(core_cm, 1000);
	b = core_rd64(TG_REG_UPTIME_LO);
	/* the HI word is taken when LO is read: LO,HI is one value, and time moves */
	CU_ASSERT(b > a + 1000);
	CU_ASSERT(b < a + 1200);
}

/* ---- rings ---- */

static void loopback_cmd(union tg_h2c_record *cmd, uint32_t tag)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->loopback.opcode = TG_H2C_OP_LOOPBACK;
	cmd->loopback.tag = tag;
	for (unsigned b = 0; b < sizeof(cmd->loopback.payload); b++)
		cmd->loopback.payload[b] = (uint8_t)(tag * 31u + b);
}

static uint32_t ring_hdr(const struct tg_ring *r, unsigned off)
{
	return __atomic_load_n((uint32_t *)(void *)(r->mem + off), __ATOMIC_ACQUIRE);
}

/* Many laps over tiny rings: order, payload, sequence, markers, writebacks. */
static void test_loopback_many_laps(void)
{
	struct tg_ring h2c, c2h;
	uint32_t sent = 0, got = 0, seq = 0;
	const uint32_t total = 200;

	core_fresh(NULL);
	core_rings(&h2c, 1, &c2h, 2);	/* 2 and 4 records: every index wraps often */
	for (unsigned iter = 0; got < total && iter < 100 * total; iter++) {
		union tg_h2c_record cmd;
		union tg_c2h_record ev;

		while (sent < total) {
			loopback_cmd(&cmd, 1000 + sent);
			if (!tg_ring_push(&h2c, &cmd))
				break;
			sent++;
			core_wr(TG_REG_H2C_PROD, h2c.index);
		}
		while (tg_ring_pop(&c2h, &ev)) {
			union tg_h2c_record want;

			loopback_cmd(&want, 1000 + got);
			CU_ASSERT_EQUAL(ev.loopback.type, TG_C2H_EVT_LOOPBACK);
			CU_ASSERT_EQUAL(ev.loopback.tag, 1000 + got);
			CU_ASSERT_EQUAL(ev.loopback.seq, seq);
			CU_ASSERT(memcmp(ev.loopback.payload, want.loopback.payload, 32) == 0);
			CU_ASSERT(ev.loopback.timestamp > ev.loopback.cmd_cycle);
			got++;
			seq++;
		}
		core_wr(TG_REG_C2H_CONS, c2h.index);
		tg_cm_run(core_cm, 50);
	}
	CU_ASSERT_EQUAL(got, total);
	tg_cm_run(core_cm, 100);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_RECORDS_LO), total);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_C2H_RECORDS_LO), total);
	CU_ASSERT_EQUAL(core_rd(TG_REG_H2C_CONS), total);
	CU_ASSERT_EQUAL(core_rd(TG_REG_C2H_PROD), total);
	/* indices written back to the ring headers once the card went idle */
	CU_ASSERT_EQUAL(ring_hdr(&h2c, TG_RING_CONS_OFFSET), total);
	CU_ASSERT_EQUAL(ring_hdr(&c2h, TG_RING_PROD_OFFSET), total);
	CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->dma_errors, 0);
}

/* A doorbell ahead of the record: the card waits instead of consuming garbage. */
static void test_phase_wait_never_consumes_unwritten(void)
{
	struct tg_ring h2c, c2h;
	union tg_h2c_record cmd;
	union tg_c2h_record ev;

	core_fresh(NULL);
	core_rings(&h2c, 3, &c2h, 3);
	/* ring the doorbell for record 0 without writing it (marker still 0) */
	core_wr(TG_REG_H2C_PROD, 1);
	tg_cm_run(core_cm, 300);
	CU_ASSERT(core_rd64(TG_REG_H2C_PHASE_WAITS_LO) >= 2);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_RECORDS_LO), 0);
	CU_ASSERT_FALSE(tg_ring_pop(&c2h, &ev));
	/* now write it: the next retry takes it */
	loopback_cmd(&cmd, 7);
	CU_ASSERT_TRUE(tg_ring_push(&h2c, &cmd));
	tg_cm_run(core_cm, 300);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_RECORDS_LO), 1);
	CU_ASSERT_TRUE(tg_ring_pop(&c2h, &ev));
	CU_ASSERT_EQUAL(ev.loopback.tag, 7);
}

static void test_unknown_opcode_answered(void)
{
	struct tg_ring h2c, c2h;
	union tg_h2c_record cmd;
	union tg_c2h_record ev;

	core_fresh(NULL);
	core_rings(&h2c, 3, &c2h, 3);
	memset(&cmd, 0, sizeof(cmd));
	cmd.hdr.opcode = 0xee;
	cmd.hdr.tag = 0x1234;
	CU_ASSERT_TRUE(tg_ring_push(&h2c, &cmd));
	cmd.hdr.opcode = TG_H2C_OP_NOP;
	CU_ASSERT_TRUE(tg_ring_push(&h2c, &cmd));
	core_wr(TG_REG_H2C_PROD, h2c.index);
	tg_cm_run(core_cm, 300);
	CU_ASSERT_TRUE_FATAL(tg_ring_pop(&c2h, &ev));
	CU_ASSERT_EQUAL(ev.cmd_error.type, TG_C2H_EVT_CMD_ERROR);
	CU_ASSERT_EQUAL(ev.cmd_error.tag, 0x1234);
	CU_ASSERT_EQUAL(ev.cmd_error.opcode, 0xee);
	CU_ASSERT_EQUAL(ev.cmd_error.reason, 1);
	CU_ASSERT_FALSE(tg_ring_pop(&c2h, &ev));	/* NOP answers nothing */
	CU_ASSERT_EQUAL(core_rd64(TG_REG_CMD_ERRORS_LO), 1);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_RECORDS_LO), 2);
}

/* ---- network path ---- */

static size_t make_frame(uint8_t *f, size_t len, int vlan, uint16_t tci, uint16_t ethertype)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(0x40 + i);
	if (len >= 14) {
		if (vlan) {
			f[12] = 0x81;
			f[13] = 0x00;
			f[14] = (uint8_t)(tci >> 8);
			f[15] = (uint8_t)tci;
			f[16] = (uint8_t)(ethertype >> 8);
			f[17] = (uint8_t)ethertype;
		} else {
			f[12] = (uint8_t)(ethertype >> 8);
			f[13] = (uint8_t)ethertype;
		}
	}
	return len;
}

static void test_frame_summaries(void)
{
	static const struct { size_t len; int vlan; uint16_t tci, et; } cases[] = {
		{ 60, 0, 0, 0x0800 }, { 1518, 1, 0x008d, 0x0800 }, { 64, 1, 0x0fff, 0x86dd },
		{ 9, 0, 0, 0 }, { 14, 0, 0, 0x88b5 }, { 17, 1, 5, 0x0800 }, { 8, 0, 0, 0 }, { 65, 0, 0, 0x0806 },
	};
	const size_t n = sizeof(cases) / sizeof(cases[0]);
	struct tg_ring h2c, c2h;
	uint8_t f[2048];
	uint64_t bytes = 0;

	core_fresh(NULL);
	core_rings(&h2c, 3, &c2h, 5);
	core_wr(TG_REG_CONTROL, TG_CONTROL_ENABLE_MASK);
	for (size_t i = 0; i < n; i++) {
		make_frame(f, cases[i].len, cases[i].vlan, cases[i].tci, cases[i].et);
		CU_ASSERT_TRUE(tg_cm_net_push(core_cm, f, cases[i].len));
		bytes += cases[i].len;
	}
	tg_cm_run(core_cm, 2000);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RX_FRAMES_LO), n);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RX_BYTES_LO), bytes);
	for (size_t i = 0; i < n; i++) {
		union tg_c2h_record ev;
		uint8_t head[24] = { 0 };
		/* a VLAN tag needs 18 bytes to be seen, an EtherType 14 */
		int tagged = cases[i].vlan && cases[i].len >= 18;

		CU_ASSERT_TRUE_FATAL(tg_ring_pop(&c2h, &ev));
		CU_ASSERT_EQUAL(ev.frame.type, TG_C2H_EVT_FRAME);
		CU_ASSERT_EQUAL(ev.frame.frame_len, cases[i].len);
		CU_ASSERT_EQUAL(ev.frame.frame_no, i + 1);
		CU_ASSERT_EQUAL(ev.frame.vlan, tagged);
		CU_ASSERT_EQUAL(ev.frame.vlan_tci, tagged ? cases[i].tci : 0);
		if (cases[i].len >= 18 || (!cases[i].vlan && cases[i].len >= 14))
			CU_ASSERT_EQUAL(ev.frame.ethertype, cases[i].et);
		if (cases[i].len < 14)
			CU_ASSERT_EQUAL(ev.frame.ethertype, 0);
		make_frame(f, cases[i].len, cases[i].vlan, cases[i].tci, cases[i].et);
		memcpy(head, f, cases[i].len < 24 ? cases[i].len : 24);
		CU_ASSERT(memcmp(ev.frame.head, head, 24) == 0);
	}
}

/* The input never stalls: with the C2H ring full, summaries are dropped and counted. */
static void test_backpressure_drops_summaries_not_frames(void)
{
	struct tg_ring h2c, c2h;
	uint8_t f[64];
	const unsigned frames = 200;
	uint64_t events = 0;
	union tg_c2h_record ev;

	core_fresh(NULL);
	core_rings(&h2c, 3, &c2h, 1);	/* C2H holds 2 records; the host reads nothing yet */
	core_wr(TG_REG_CONTROL, TG_CONTROL_ENABLE_MASK);
	make_frame(f, sizeof(f), 0, 0, 0x0800);
	for (unsigned i = 0; i < frames;) {
		if (tg_cm_net_push(core_cm, f, sizeof(f)))
			i++;
		else
			tg_cm_run(core_cm, 8);
	}
	tg_cm_run(core_cm, 2000);
	uint64_t dropped = core_rd64(TG_REG_RX_EVENTS_DROPPED_LO);

	CU_ASSERT_EQUAL(core_rd64(TG_REG_RX_FRAMES_LO), frames);
	CU_ASSERT(core_rd(TG_REG_STATUS) & TG_STATUS_C2H_FULL_MASK);
	CU_ASSERT(dropped > 0);
	/* drain: every summary not dropped arrives, in order */
	for (int k = 0; k < 100; k++) {
		while (tg_ring_pop(&c2h, &ev)) {
			CU_ASSERT_EQUAL(ev.frame.type, TG_C2H_EVT_FRAME);
			events++;
		}
		core_wr(TG_REG_C2H_CONS, c2h.index);
		tg_cm_run(core_cm, 50);
	}
	CU_ASSERT_EQUAL(events + dropped, frames);
}

/* A ring placed outside the DMA window: errors are counted, nothing crashes. */
static void test_dma_outside_window(void)
{
	core_fresh(NULL);
	core_wr(TG_REG_H2C_BASE_LO, 0);
	core_wr(TG_REG_H2C_BASE_HI, 0);
	core_wr(TG_REG_H2C_SIZE, 2);
	core_wr(TG_REG_RING_CONTROL, TG_RING_CONTROL_H2C_EN_MASK);
	core_wr(TG_REG_H2C_PROD, 1);
	tg_cm_run(core_cm, 200);
	CU_ASSERT(tg_cm_stats(core_cm)->dma_errors > 0);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_RECORDS_LO), 0);	/* zeros never look valid */
	/* disabling the ring brings the engine back to index 0 */
	core_wr(TG_REG_RING_CONTROL, 0);
	tg_cm_run(core_cm, 50);
	CU_ASSERT_EQUAL(core_rd(TG_REG_H2C_CONS), 0);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "identity matches the C header", test_identity_matches_header },
		{ "every register behaves per the table", test_every_register_per_table },
		{ "unmapped addresses and byte strobes", test_unmapped_and_strobes },
		{ "64-bit counter snapshot", test_counter64_snapshot },
		{ "loopback over many ring laps", test_loopback_many_laps },
		{ "phase wait never consumes an unwritten record", test_phase_wait_never_consumes_unwritten },
		{ "unknown opcode answered with CMD_ERROR", test_unknown_opcode_answered },
		{ "frame summaries", test_frame_summaries },
		{ "backpressure drops summaries, never frames", test_backpressure_drops_summaries_not_frames },
		{ "DMA outside the window", test_dma_outside_window },
	};

	return tg_cunit_run("rtl_core", core_suite_init, core_suite_clean, tests, TG_CUNIT_COUNT(tests));
}
