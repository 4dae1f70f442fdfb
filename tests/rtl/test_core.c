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

/* ---- H2C engine: bursts, reads in flight, back-pressure ---- */

#define H2C_MAX_BURST_BYTES 512u	/* tg_h2c_ring MAX_BURST: 8 records a read */
#define BEATS_PER_RECORD (TG_RECORD_BYTES / TG_VCORE_DMA_BYTES)	/* DMA data beats a record */

/* every DMA read the card issued, in order */
struct dma_rd {
	uint64_t addr;
	uint32_t len;
};
static struct dma_rd rd_log[4096];
static unsigned n_rd;

static void on_dma_read(void *ctx, uint64_t addr, uint32_t len)
{
	(void)ctx;
	if (n_rd < sizeof(rd_log) / sizeof(rd_log[0]))
		rd_log[n_rd++] = (struct dma_rd){ addr, len };
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	return core_rnd(&rng_state);
}

/* a fresh card whose DMA reads take `latency` extra cycles, `outstanding` at most (0: the model's limit) */
static void fresh_dma(uint32_t latency, unsigned outstanding)
{
	struct tg_cm_config hooks = { .dma_read = on_dma_read, .dma_rd_latency = latency,
				      .dma_rd_outstanding = outstanding };

	n_rd = 0;
	core_fresh(&hooks);
}

/* the ring index of the record a read starts at, and its records; checks bounds and alignment */
static uint32_t rd_first(unsigned i, unsigned log2, uint32_t *records)
{
	uint64_t off = rd_log[i].addr - (CORE_BUS_BASE + CORE_H2C_OFF + TG_RING_RECORDS_OFFSET);

	CU_ASSERT_EQUAL(off % TG_RECORD_BYTES, 0);
	CU_ASSERT_EQUAL(rd_log[i].len % TG_RECORD_BYTES, 0);
	CU_ASSERT(rd_log[i].len >= TG_RECORD_BYTES && rd_log[i].len <= H2C_MAX_BURST_BYTES);
	*records = rd_log[i].len / TG_RECORD_BYTES;
	/* never across the ring's end */
	CU_ASSERT(off / TG_RECORD_BYTES + *records <= (1u << log2));
	return (uint32_t)(off / TG_RECORD_BYTES);
}

/* Take the LOOPBACK answers waiting (at most `max`): each the next tag, payload intact. */
static unsigned take_answers(struct tg_ring *c2h, uint32_t *got, uint32_t base_tag, unsigned max)
{
	union tg_c2h_record ev;
	unsigned n = 0;

	while (n < max && tg_ring_pop(c2h, &ev)) {
		union tg_h2c_record want;

		loopback_cmd(&want, base_tag + *got);
		CU_ASSERT_EQUAL(ev.loopback.type, TG_C2H_EVT_LOOPBACK);
		CU_ASSERT_EQUAL(ev.loopback.tag, base_tag + *got);
		CU_ASSERT(memcmp(ev.loopback.payload, want.loopback.payload, sizeof(want.loopback.payload)) == 0);
		(*got)++;
		n++;
	}
	if (n > 0)
		core_wr(TG_REG_C2H_CONS, c2h->index);
	return n;
}

static void push_loopbacks(struct tg_ring *h2c, uint32_t *sent, uint32_t base_tag, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		union tg_h2c_record cmd;

		loopback_cmd(&cmd, base_tag + *sent);
		CU_ASSERT_TRUE_FATAL(tg_ring_push(h2c, &cmd));
		(*sent)++;
	}
}

/* One read for every run of records up to the wrap, 8 records at most; across the wrap, two. */
static void test_h2c_burst_across_wrap(void)
{
	struct tg_ring h2c, c2h;
	uint32_t sent = 0, got = 0, first, recs;

	fresh_dma(0, 0);
	core_rings(&h2c, 4, &c2h, 6);	/* 16 and 64 records */
	push_loopbacks(&h2c, &sent, 500, 13);
	core_wr(TG_REG_H2C_PROD, h2c.index);
	tg_cm_run(core_cm, 300);
	take_answers(&c2h, &got, 500, 100);
	CU_ASSERT_EQUAL(got, 13);
	CU_ASSERT_EQUAL(n_rd, 2);	/* 8 + 5 */
	/* 10 records from index 13: 3 up to the wrap, 7 after it */
	unsigned r0 = n_rd;
	push_loopbacks(&h2c, &sent, 500, 10);
	core_wr(TG_REG_H2C_PROD, h2c.index);
	tg_cm_run(core_cm, 300);
	take_answers(&c2h, &got, 500, 100);
	CU_ASSERT_EQUAL(got, 23);
	CU_ASSERT_EQUAL_FATAL(n_rd - r0, 2);
	first = rd_first(r0, 4, &recs);
	CU_ASSERT_EQUAL(first, 13);
	CU_ASSERT_EQUAL(recs, 3);
	first = rd_first(r0 + 1, 4, &recs);
	CU_ASSERT_EQUAL(first, 0);
	CU_ASSERT_EQUAL(recs, 7);
	/* a full ring from index 23 (position 7): 8 up to... 1 to the wrap after 8, then 7 */
	r0 = n_rd;
	push_loopbacks(&h2c, &sent, 500, 16);
	core_wr(TG_REG_H2C_PROD, h2c.index);
	tg_cm_run(core_cm, 400);
	take_answers(&c2h, &got, 500, 100);
	CU_ASSERT_EQUAL(got, 39);
	CU_ASSERT_EQUAL_FATAL(n_rd - r0, 3);
	static const uint32_t want[3][2] = { { 7, 8 }, { 15, 1 }, { 0, 7 } };
	for (unsigned i = 0; i < 3; i++) {
		first = rd_first(r0 + i, 4, &recs);
		CU_ASSERT_EQUAL(first, want[i][0]);
		CU_ASSERT_EQUAL(recs, want[i][1]);
	}
	tg_cm_run(core_cm, 50);
	CU_ASSERT_EQUAL(core_rd(TG_REG_H2C_CONS), 39);
	CU_ASSERT_EQUAL(ring_hdr(&h2c, TG_RING_CONS_OFFSET), 39);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_PHASE_WAITS_LO), 0);
	CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->dma_read_beats, 39u * BEATS_PER_RECORD);
}

/* Doorbells while reads are in flight: each record read once, in order, none past the doorbell. */
static void test_h2c_doorbell_mid_burst(void)
{
	struct tg_ring h2c, c2h;
	uint32_t sent = 0, got = 0, next = 0;
	static const unsigned pushes[] = { 3, 10, 1, 5, 8, 2, 9, 7 };

	fresh_dma(30, 0);	/* reads take 30 cycles more: several in flight */
	core_rings(&h2c, 6, &c2h, 7);
	for (unsigned i = 0; i < sizeof(pushes) / sizeof(pushes[0]); i++) {
		push_loopbacks(&h2c, &sent, 9000, pushes[i]);
		core_wr(TG_REG_H2C_PROD, h2c.index);
		tg_cm_run(core_cm, 2 + i);
	}
	CU_ASSERT(n_rd >= 3);
	for (int k = 0; k < 40 && got < sent; k++) {
		tg_cm_run(core_cm, 50);
		take_answers(&c2h, &got, 9000, 1000);
	}
	CU_ASSERT_EQUAL(got, sent);
	/* the reads tile the records exactly: each starts where the one before ended */
	for (unsigned i = 0; i < n_rd; i++) {
		uint32_t recs, first = rd_first(i, 6, &recs);

		CU_ASSERT_EQUAL(first, next % 64u);
		next += recs;
	}
	CU_ASSERT_EQUAL(next, sent);
	tg_cm_run(core_cm, 50);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_RECORDS_LO), sent);
	CU_ASSERT_EQUAL(ring_hdr(&h2c, TG_RING_CONS_OFFSET), sent);
	CU_ASSERT_FALSE(core_rd(TG_REG_STATUS) & TG_STATUS_H2C_BUSY_MASK);
}

/* Records past a stale marker inside a burst are dropped and read again, never handed on early. */
static void test_h2c_stale_marker_mid_burst(void)
{
	struct tg_ring h2c, c2h;
	uint32_t sent = 0, got = 0;

	fresh_dma(0, 0);
	core_rings(&h2c, 4, &c2h, 6);
	push_loopbacks(&h2c, &sent, 40, 4);
	/* records 5..7 complete, record 4 not yet (marker still 0), the doorbell at 8 */
	for (uint32_t i = 5; i < 8; i++) {
		union tg_h2c_record cmd;
		uint8_t *rec = core_mem + CORE_H2C_OFF + TG_RING_RECORDS_OFFSET + i * TG_RECORD_BYTES;

		loopback_cmd(&cmd, 40 + i);
		memcpy(rec, &cmd, TG_RECORD_BYTES);
		rec[TG_RING_MARKER_OFFSET] = 1;	/* lap 0 */
	}
	core_wr(TG_REG_H2C_PROD, 8);
	tg_cm_run(core_cm, 300);
	take_answers(&c2h, &got, 40, 100);
	CU_ASSERT_EQUAL(got, 4);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_RECORDS_LO), 4);
	CU_ASSERT(core_rd64(TG_REG_H2C_PHASE_WAITS_LO) >= 2);
	/* every retry starts at the first record not handed on */
	CU_ASSERT_EQUAL(rd_log[0].len, 8 * TG_RECORD_BYTES);
	for (unsigned i = 1; i < n_rd; i++) {
		uint32_t recs;

		CU_ASSERT_EQUAL(rd_first(i, 4, &recs), 4);
		CU_ASSERT_EQUAL(recs, 4);
	}
	/* now the host writes record 4 (and 5..7 again): taken once each, in order */
	push_loopbacks(&h2c, &sent, 40, 4);
	tg_cm_run(core_cm, 300);
	take_answers(&c2h, &got, 40, 100);
	CU_ASSERT_EQUAL(got, 8);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_RECORDS_LO), 8);
	CU_ASSERT_EQUAL(ring_hdr(&h2c, TG_RING_CONS_OFFSET), 8);
	CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->dma_errors, 0);
}

/* A consumer that does not keep up: the engine holds the read data, loses nothing. */
static void test_h2c_backpressure(void)
{
	struct tg_ring h2c, c2h;
	uint32_t sent = 0, got = 0;

	fresh_dma(5, 2);	/* the DMA engine also takes only 2 reads at a time */
	core_rings(&h2c, 6, &c2h, 1);	/* C2H holds 2 records: the command executor stalls */
	push_loopbacks(&h2c, &sent, 300, 60);
	core_wr(TG_REG_H2C_PROD, h2c.index);
	tg_cm_run(core_cm, 2000);
	uint64_t taken = core_rd64(TG_REG_H2C_RECORDS_LO);

	CU_ASSERT(taken >= 2 && taken <= 6);
	CU_ASSERT(core_rd(TG_REG_STATUS) & TG_STATUS_H2C_BUSY_MASK);
	CU_ASSERT(tg_cm_stats(core_cm)->dma_read_beats < BEATS_PER_RECORD * 16u);	/* the DMA engine was held */
	/* the host takes one answer at a time */
	for (int k = 0; k < 2000 && got < sent; k++) {
		take_answers(&c2h, &got, 300, 1);
		tg_cm_run(core_cm, 1 + (unsigned)(k % 13));
	}
	CU_ASSERT_EQUAL(got, sent);
	tg_cm_run(core_cm, 100);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_RECORDS_LO), sent);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_PHASE_WAITS_LO), 0);
	CU_ASSERT_EQUAL(ring_hdr(&h2c, TG_RING_CONS_OFFSET), sent);
	CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->dma_read_beats, BEATS_PER_RECORD * sent);
}

/* Clearing H2C_EN with reads in flight: their data is dropped, the engine goes idle at index 0. */
static void test_h2c_disable_in_flight(void)
{
	struct tg_ring h2c, c2h;
	uint32_t sent = 0, got = 0;

	fresh_dma(40, 0);
	core_rings(&h2c, 6, &c2h, 7);
	push_loopbacks(&h2c, &sent, 70, 50);
	core_wr(TG_REG_H2C_PROD, h2c.index);
	tg_cm_run(core_cm, 60);
	core_wr(TG_REG_RING_CONTROL, TG_RING_CONTROL_C2H_EN_MASK);
	int polls = 0;
	while (polls++ < 200 && (core_rd(TG_REG_STATUS) & TG_STATUS_H2C_BUSY_MASK))
		tg_cm_run(core_cm, 4);
	CU_ASSERT_FALSE(core_rd(TG_REG_STATUS) & TG_STATUS_H2C_BUSY_MASK);
	CU_ASSERT_EQUAL(core_rd(TG_REG_H2C_CONS), 0);
	uint64_t taken = core_rd64(TG_REG_H2C_RECORDS_LO), reads = tg_cm_stats(core_cm)->dma_reads;

	CU_ASSERT(taken < sent);
	tg_cm_run(core_cm, 300);
	take_answers(&c2h, &got, 70, 1000);
	CU_ASSERT_EQUAL(got, taken);	/* a prefix, in order */
	CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->dma_reads, reads);	/* nothing more read */
	CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->dma_errors, 0);
	/* and it starts again from fresh rings */
	sent = got = 0;
	core_wr(TG_REG_RING_CONTROL, 0);
	core_wr(TG_REG_H2C_PROD, 0);
	core_wr(TG_REG_C2H_CONS, 0);
	tg_cm_run(core_cm, 20);
	core_rings(&h2c, 6, &c2h, 7);
	push_loopbacks(&h2c, &sent, 800, 20);
	core_wr(TG_REG_H2C_PROD, h2c.index);
	tg_cm_run(core_cm, 500);
	take_answers(&c2h, &got, 800, 1000);
	CU_ASSERT_EQUAL(got, 20);
}

/* Seeded streams: doorbells late and early, DMA latency and read limits, a host slow to take answers. */
static void test_h2c_random_streams(void)
{
	static const struct {
		unsigned h2c_log2, c2h_log2;
		uint32_t latency;
		unsigned outstanding;
		bool slow_host;
	} cfgs[] = {
		{ 1, 2, 0, 0, false }, { 3, 2, 7, 1, true },	{ 4, 6, 0, 0, true },
		{ 5, 3, 90, 0, false }, { 6, 8, 200, 3, false }, { 2, 1, 13, 2, true },
	};
	const uint32_t total = 600;

	for (unsigned c = 0; c < sizeof(cfgs) / sizeof(cfgs[0]); c++) {
		struct tg_ring h2c, c2h;
		uint32_t sent = 0, got = 0;

		rng_state = 0x5eed0000u + c;
		fresh_dma(cfgs[c].latency, cfgs[c].outstanding);
		core_rings(&h2c, cfgs[c].h2c_log2, &c2h, cfgs[c].c2h_log2);
		for (unsigned iter = 0; got < total && iter < 20000; iter++) {
			unsigned n = (unsigned)(rnd() % (tg_ring_space(&h2c) + 1));

			if (n > total - sent)
				n = total - sent;
			push_loopbacks(&h2c, &sent, 0, n);
			if (rnd() % 4 != 0 || sent == total)
				core_wr(TG_REG_H2C_PROD, h2c.index);	/* sometimes the doorbell comes later */
			tg_cm_run(core_cm, rnd() % 40);
			take_answers(&c2h, &got, 0, cfgs[c].slow_host ? (unsigned)(rnd() % 3) : 1000);
		}
		CU_ASSERT_EQUAL(got, total);
		tg_cm_run(core_cm, 300);
		CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_RECORDS_LO), total);
		CU_ASSERT_EQUAL(core_rd(TG_REG_H2C_CONS), total);
		CU_ASSERT_EQUAL(ring_hdr(&h2c, TG_RING_CONS_OFFSET), total);
		CU_ASSERT_EQUAL(core_rd64(TG_REG_H2C_PHASE_WAITS_LO), 0);
		CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->dma_read_beats, BEATS_PER_RECORD * total);
		CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->dma_errors, 0);
		for (unsigned i = 0; i < n_rd; i++) {
			uint32_t recs;

			(void)rd_first(i, cfgs[c].h2c_log2, &recs);
		}
	}
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

/* Stream `total` loopbacks through the rings (tags from base_tag), the host keeping
 * the H2C ring as full as it can; returns the answers taken, each checked in order. */
static uint32_t stream_loopbacks(struct tg_ring *h2c, struct tg_ring *c2h, uint32_t base_tag, uint32_t total)
{
	uint32_t sent = 0, got = 0;

	for (unsigned iter = 0; got < total && iter < 100 * total; iter++) {
		unsigned n = tg_ring_space(h2c);

		push_loopbacks(h2c, &sent, base_tag, n < total - sent ? n : total - sent);
		core_wr(TG_REG_H2C_PROD, h2c->index);
		tg_cm_run(core_cm, 40);
		take_answers(c2h, &got, base_tag, total);
	}
	return got;
}

/* Rings whose records straddle a carry through bus address bits 19..36: every
 * record lands where the host reads it (the address's high bits are picked by
 * the low sum's carry), laps after laps. Each ring in turn sits across the
 * carry, the other 64 KiB further on. */
static void test_rings_across_address_carry(void)
{
	const uint32_t across = CORE_BOUNDARY_OFF - TG_RING_RECORDS_OFFSET - 32 * TG_RECORD_BYTES;
	const uint32_t after = CORE_BOUNDARY_OFF + 0x10000;

	for (unsigned c = 0; c < 2; c++) {
		struct tg_ring h2c, c2h;

		core_fresh(NULL);
		/* 64 records each, 32 of them past the carry */
		core_rings_at(&h2c, 6, c == 0 ? across : after, &c2h, 6, c == 0 ? after : across);
		CU_ASSERT_EQUAL(stream_loopbacks(&h2c, &c2h, 5000, 300), 300);
		tg_cm_run(core_cm, 200);
		CU_ASSERT_EQUAL(core_rd(TG_REG_H2C_CONS), 300);
		CU_ASSERT_EQUAL(core_rd(TG_REG_C2H_PROD), 300);
		CU_ASSERT_EQUAL(ring_hdr(&h2c, TG_RING_CONS_OFFSET), 300);
		CU_ASSERT_EQUAL(ring_hdr(&c2h, TG_RING_PROD_OFFSET), 300);
		CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->dma_errors, 0);
	}
}

/* A ring's base and size are taken while it is disabled: written while it
 * runs, they wait for the next enable, and the running ring is not moved. */
static void test_ring_geometry_waits_for_enable(void)
{
	struct tg_ring h2c, c2h;
	const uint32_t moved = 0xc0000;

	core_fresh(NULL);
	core_rings(&h2c, 3, &c2h, 3);
	CU_ASSERT_EQUAL(stream_loopbacks(&h2c, &c2h, 100, 20), 20);
	/* point both rings outside the window and change their sizes, running */
	core_wr(TG_REG_H2C_BASE_LO, 0);
	core_wr(TG_REG_H2C_SIZE, 5);
	core_wr(TG_REG_C2H_BASE_LO, 0);
	core_wr(TG_REG_C2H_SIZE, 1);
	CU_ASSERT_EQUAL(stream_loopbacks(&h2c, &c2h, 200, 30), 30);
	CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->dma_errors, 0);
	/* disabled, the new place and sizes are taken at the next enable */
	core_wr(TG_REG_RING_CONTROL, 0);
	core_wr(TG_REG_H2C_PROD, 0);
	core_wr(TG_REG_C2H_CONS, 0);
	tg_cm_run(core_cm, 20);
	core_rings_at(&h2c, 5, moved, &c2h, 1, moved + 0x10000);
	CU_ASSERT_EQUAL(stream_loopbacks(&h2c, &c2h, 300, 70), 70);
	tg_cm_run(core_cm, 200);
	CU_ASSERT_EQUAL(ring_hdr(&h2c, TG_RING_CONS_OFFSET), 70);
	CU_ASSERT_EQUAL(ring_hdr(&c2h, TG_RING_PROD_OFFSET), 70);
	CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->dma_errors, 0);
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
		{ "rings across a carry in the bus address", test_rings_across_address_carry },
		{ "ring geometry written while running waits for the enable", test_ring_geometry_waits_for_enable },
		{ "H2C: a read per run of records, bounded by the wrap", test_h2c_burst_across_wrap },
		{ "H2C: doorbells while reads are in flight", test_h2c_doorbell_mid_burst },
		{ "H2C: a stale marker inside a burst", test_h2c_stale_marker_mid_burst },
		{ "H2C: back-pressure holds the read data", test_h2c_backpressure },
		{ "H2C: disabled with reads in flight", test_h2c_disable_in_flight },
		{ "H2C: seeded streams", test_h2c_random_streams },
		{ "frame summaries", test_frame_summaries },
		{ "backpressure drops summaries, never frames", test_backpressure_drops_summaries_not_frames },
		{ "DMA outside the window", test_dma_outside_window },
	};

	return tg_cunit_run("rtl_core", core_suite_init, core_suite_clean, tests, TG_CUNIT_COUNT(tests));
}
