/*
 * RTL tests of the order path through the whole core: H2C ORDER commands
 * into the risk gate, ORDER_DECISION events back, accepted orders out as
 * OUCH 5.0 in SoupBinTCP, exchange responses in (applied to positions and
 * open orders, forwarded as ORDER_RESP), limits written and committed
 * through the CSRs, the kill switch, the host watchdog and the latency
 * counters.
 *
 * Expected bytes are laid out here from the OUCH 5.0 and SoupBinTCP 3.0
 * specifications (field by field, big-endian), independently of the RTL;
 * expected decisions follow docs/risk.md.
 */
#include <string.h>

#include "core_harness.h"
#include "tg_cunit.h"
#include "tickgate/card.h"
#include "tickgate/itch_encode.h"
#include "tickgate/mold_frame.h"
#include "tickgate/ring.h"

#define SLOTS_LOG2 6u

static struct tg_ring h2c, c2h;

/* packets the card sent */
#define PKT_MAX 512u
static struct {
	uint8_t data[64];
	size_t len;
	uint64_t cycle;
} pkt[PKT_MAX];
static unsigned npkt;

static void on_packet(void *ctx, uint64_t core_cycle, const uint8_t *data, size_t len)
{
	(void)ctx;
	CU_ASSERT_FATAL(npkt < PKT_MAX && len <= sizeof(pkt[0].data));
	memcpy(pkt[npkt].data, data, len);
	pkt[npkt].len = len;
	pkt[npkt].cycle = core_cycle;
	npkt++;
}

static void sel(unsigned field, unsigned inst)
{
	core_wr(TG_REG_RISK_SEL, field << TG_RISK_SEL_FIELD_SHIFT | inst << TG_RISK_SEL_INST_SHIFT);
}

static void risk_cmd(unsigned op)
{
	core_wr(TG_REG_RISK_CMD, op);
	for (int i = 0; i < 100 && (core_rd(TG_REG_RISK_STATUS) & TG_RISK_STATUS_CMD_PENDING_MASK); i++)
		tg_cm_run(core_cm, 1);
	CU_ASSERT_FALSE(core_rd(TG_REG_RISK_STATUS) &
			(TG_RISK_STATUS_CMD_PENDING_MASK | TG_RISK_STATUS_CMD_OVERRUN_MASK));
}

enum { OP_SET = 1, OP_COMMIT, OP_INST_KILL, OP_INST_RESUME, OP_HALT, OP_UNHALT, OP_REF_PRICE, OP_BUST };

static void set_limit(unsigned field, unsigned inst, uint64_t v)
{
	sel(field, inst);
	core_wr(TG_REG_RISK_VALUE_LO, (uint32_t)v);
	core_wr(TG_REG_RISK_VALUE_HI, (uint32_t)(v >> 32));
	risk_cmd(OP_SET);
}

/* splitting the exchange's stream into beats at random (see split_keep) */
static bool rx_split;
static uint64_t rng_state;

static uint64_t rnd(void)
{
	return core_rnd(&rng_state);
}

/* the lanes of the exchange's next beat: gaps, beats with no bytes, any lanes, whole beats */
static int split_keep(void *ctx)
{
	uint64_t r = rnd();

	(void)ctx;
	switch (r % 8) {
	case 0:
		return -1;
	case 1:
		return 0;
	case 2:
		return 0xff;
	default:
		return (int)((r >> 8) & 0xff);
	}
}

/* the exchange's stream a byte a beat: a response's timing moves a cycle at a time */
static bool rx_trickle;

static int trickle_keep(void *ctx)
{
	(void)ctx;
	return 0x01;
}

/* an order-entry port that takes a beat one cycle in three, at random, or none */
static bool tx_slow, tx_blocked;

static bool tx_ready_some(void *ctx)
{
	(void)ctx;
	return !tx_blocked && rnd() % 3 == 0;
}

/* a fresh card: rings, instrument 0 = CVLT, 1 = ADBE, generous limits committed */
static void fresh(void)
{
	struct tg_cm_config hooks = { .oe_packet = on_packet,
				      .oe_rx_keep = rx_split ? split_keep : rx_trickle ? trickle_keep : NULL,
				      .oe_tx_ready = tx_slow ? tx_ready_some : NULL };

	npkt = 0;
	core_fresh(&hooks);
	core_rings(&h2c, 8, &c2h, 8);

	static const char *syms[] = { "CVLT    ", "ADBE    " };
	for (unsigned i = 0; i < 2; i++) {
		uint32_t lo, hi;
		memcpy(&lo, syms[i], 4);
		memcpy(&hi, syms[i] + 4, 4);
		core_wr(TG_REG_BOOK_INST_SEL, i);
		core_wr(TG_REG_BOOK_INST_SYMBOL_LO, lo);
		core_wr(TG_REG_BOOK_INST_SYMBOL_HI, hi);
		core_wr(TG_REG_BOOK_INST_LOCATE, 100 + i);
		/* the book takes a slot command once ready (it clears its table after reset) */
		for (int t = 0; t < 1000 && !(core_rd(TG_REG_BOOK_STATUS) & TG_BOOK_STATUS_READY_MASK); t++)
			tg_cm_run(core_cm, 64);
		core_wr(TG_REG_BOOK_INST_CMD, TG_BOOK_INST_CMD_SET_LOCATE_MASK);
		tg_cm_run(core_cm, 8);
		set_limit(TG_RISK_LIM_ENABLED, i, 1);
		set_limit(TG_RISK_LIM_MAX_ORDER_QTY, i, 1000);
		set_limit(TG_RISK_LIM_MAX_ORDER_NOTIONAL, i, 1000ull * 10000000);
		set_limit(TG_RISK_LIM_MAX_LONG, i, 5000);
		set_limit(TG_RISK_LIM_MAX_SHORT, i, 5000);
		set_limit(TG_RISK_LIM_MAX_OPEN, i, 100);
	}
	set_limit(TG_RISK_LIM_MAX_GROSS, 0, UINT64_MAX >> 1);
	set_limit(TG_RISK_LIM_MAX_NET, 0, UINT64_MAX >> 1);
	set_limit(TG_RISK_LIM_MAX_OPEN_ALL, 0, 1000);
	risk_cmd(OP_COMMIT);
	tg_cm_run(core_cm, 20);
}

static void order(unsigned kind, uint32_t tag, unsigned slot, unsigned inst, unsigned side, uint32_t qty,
		  uint32_t price)
{
	union tg_h2c_record r;

	memset(&r, 0, sizeof(r));
	r.order.opcode = TG_H2C_OP_ORDER;
	r.order.tag = tag;
	r.order.kind = (uint8_t)kind;
	r.order.side = (uint8_t)side;
	r.order.instrument = (uint8_t)inst;
	r.order.slot = (uint16_t)slot;
	r.order.qty = qty;
	r.order.price = price;
	r.order.tif = '0';
	r.order.display = 'Y';
	r.order.capacity = 'A';
	r.order.ise = 'N';
	r.order.cross_type = 'N';
	memcpy(r.order.clordid, "H8FUB8IV      ", 14);
	CU_ASSERT_TRUE_FATAL(tg_ring_push(&h2c, &r));
}

static void doorbell(void)
{
	core_wr(TG_REG_H2C_PROD, h2c.index);
}

/* run until the card is quiet */
static void settle(void)
{
	for (int i = 0; i < 200 && !tg_cm_idle(core_cm, 64); i++)
		tg_cm_run(core_cm, 16);
}

/* the next event of `type`, skipping others (book events) */
static bool next_event(unsigned type, union tg_c2h_record *ev)
{
	while (tg_ring_pop(&c2h, ev)) {
		core_wr(TG_REG_C2H_CONS, c2h.index);
		if (ev->hdr.type == type)
			return true;
	}
	return false;
}

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* SoupBinTCP unsequenced data carrying OUCH 5.0 Enter Order, no appendage */
static size_t enter_order(uint8_t *p, uint32_t urn, char side, uint32_t qty, const char *sym, uint32_t price)
{
	memset(p, 0, 50);
	put_be(p, 48, 2);
	p[2] = 'U';
	p[3] = 'O';
	put_be(p + 4, urn, 4);
	p[8] = (uint8_t)side;
	put_be(p + 9, qty, 4);
	memcpy(p + 13, sym, 8);
	put_be(p + 21, price, 8);
	memcpy(p + 29, "0YANN", 5);	/* tif, display, capacity, ISE, cross type */
	memcpy(p + 34, "H8FUB8IV      ", 14);
	put_be(p + 48, 0, 2);		/* appendage length */
	return 50;
}

/* the exchange's SoupBinTCP sequenced-data packet around an OUCH message */
static void respond(const uint8_t *msg, size_t len)
{
	uint8_t p[128];

	put_be(p, len + 1, 2);
	p[2] = 'S';
	memcpy(p + 3, msg, len);
	CU_ASSERT_TRUE(tg_cm_oe_push(core_cm, p, len + 3));
}

static void accepted(uint32_t urn, char side, uint32_t qty, uint32_t price, char state)
{
	uint8_t m[64];

	memset(m, 0, sizeof(m));
	m[0] = 'A';
	put_be(m + 1, 34200000000000ull, 8);	/* 09:30:00 */
	put_be(m + 9, urn, 4);
	m[13] = (uint8_t)side;
	put_be(m + 14, qty, 4);
	memcpy(m + 18, "CVLT    ", 8);
	put_be(m + 26, price, 8);
	memcpy(m + 34, "0Y", 2);
	put_be(m + 36, 0x0f56b4f5, 8);		/* order reference number */
	memcpy(m + 44, "ANN", 3);
	m[47] = (uint8_t)state;
	memcpy(m + 48, "H8FUB8IV      ", 14);
	respond(m, 64);
}

static void executed(uint32_t urn, uint32_t qty, uint32_t price, uint64_t match)
{
	uint8_t m[36];

	memset(m, 0, sizeof(m));
	m[0] = 'E';
	put_be(m + 1, 34200000000001ull, 8);
	put_be(m + 9, urn, 4);
	put_be(m + 13, qty, 4);
	put_be(m + 17, price, 8);
	m[25] = 'A';
	put_be(m + 26, match, 8);
	respond(m, 36);
}

static void canceled(uint32_t urn, uint32_t decrement)
{
	uint8_t m[18];

	m[0] = 'C';
	put_be(m + 1, 34200000000002ull, 8);
	put_be(m + 9, urn, 4);
	put_be(m + 13, decrement, 4);
	m[17] = 'U';
	respond(m, 18);
}

static void rejected(uint32_t urn, uint16_t reason)
{
	uint8_t m[29];

	m[0] = 'J';
	put_be(m + 1, 34200000000003ull, 8);
	put_be(m + 9, urn, 4);
	put_be(m + 13, reason, 2);
	memcpy(m + 15, "H8FUB8IV      ", 14);
	respond(m, 29);
}

/* the next decision is of `tag`, for `reason`; returns the price it carries */
static uint32_t expect_decision(uint32_t tag, unsigned reason)
{
	union tg_c2h_record ev;

	CU_ASSERT_TRUE_FATAL(next_event(TG_C2H_EVT_ORDER_DECISION, &ev));
	CU_ASSERT_EQUAL(ev.order_decision.tag, tag);
	CU_ASSERT_EQUAL(ev.order_decision.reason, reason);
	CU_ASSERT_EQUAL(ev.order_decision.flags & 1u, reason == TG_RISK_R_ACCEPTED);
	return ev.order_decision.price;
}

static uint32_t urn_of(unsigned seq, unsigned slot)
{
	return seq << SLOTS_LOG2 | slot;
}

/* ---- tests ---- */

static void test_contract(void)
{
	fresh();
	CU_ASSERT_TRUE(core_rd(TG_REG_CAPS) & TG_CAP_RISK);
	CU_ASSERT_TRUE(core_rd(TG_REG_CAPS) & TG_CAP_ORDER_ENTRY);
	uint32_t p = core_rd(TG_REG_RISK_PARAMS);
	CU_ASSERT_EQUAL((p & TG_RISK_PARAMS_SLOTS_LOG2_MASK) >> TG_RISK_PARAMS_SLOTS_LOG2_SHIFT, SLOTS_LOG2);
	CU_ASSERT_EQUAL(core_rd(TG_REG_OE_URN_NEXT), 1);
	core_wr(TG_REG_BOOK_INST_SEL, 1);
	CU_ASSERT_EQUAL(core_rd(TG_REG_BOOK_INST_SYM_LO), 0x45424441u);	/* "ADBE" */
	CU_ASSERT_EQUAL(core_rd(TG_REG_BOOK_INST_SYM_HI), 0x20202020u);
	core_wr(TG_REG_BOOK_INST_SEL, 2);
	CU_ASSERT_EQUAL(core_rd(TG_REG_BOOK_INST_SYM_LO), 0);		/* free slot */
	/* shadow and in force read back separately */
	set_limit(TG_RISK_LIM_MAX_ORDER_QTY, 1, 777);
	sel(TG_RISK_LIM_MAX_ORDER_QTY, 1);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RISK_LIMIT_LO), 1000);
	core_wr(TG_REG_RISK_SEL, TG_RISK_LIM_MAX_ORDER_QTY | TG_RISK_SEL_SHADOW_MASK | 1u << TG_RISK_SEL_INST_SHIFT);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RISK_LIMIT_LO), 777);
	risk_cmd(OP_COMMIT);
	sel(TG_RISK_LIM_MAX_ORDER_QTY, 1);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RISK_LIMIT_LO), 777);
}

/* An accepted new order leaves as the exact Enter Order bytes; a refused one never leaves. */
static void test_enter_order_bytes(void)
{
	uint8_t want[64];

	fresh();
	order(TG_RISK_IN_NEW, 7, 3, 0, TG_RISK_SIDE_SELL_SHORT, 225, 630200);
	order(TG_RISK_IN_NEW, 8, 4, 0, TG_RISK_SIDE_BUY, 1001, 630200);	/* above MAX_ORDER_QTY */
	order(TG_RISK_IN_NEW, 9, 5, 1, TG_RISK_SIDE_BUY, 40, 4777800);
	order(9, 10, 6, 1, TG_RISK_SIDE_BUY, 40, 4777800);		/* no such kind */
	order(3, 11, 7, 1, TG_RISK_SIDE_BUY, 40, 4777800);		/* nor this (a FILL to tg_risk) */
	order(0x80, 12, 8, 1, TG_RISK_SIDE_BUY, 40, 4777800);	/* a NEW in the low 4 bits only */
	doorbell();
	settle();
	expect_decision(7, TG_RISK_R_ACCEPTED);
	expect_decision(8, TG_RISK_R_MAX_ORDER_QTY);
	expect_decision(9, TG_RISK_R_ACCEPTED);
	/* an unknown kind is decided as a NEW at a price no order may have: its
	 * own with bit 31 set (card.yaml) */
	CU_ASSERT_EQUAL(expect_decision(10, TG_RISK_R_BAD_ORDER), 0x80000000u | 4777800);
	CU_ASSERT_EQUAL(expect_decision(11, TG_RISK_R_BAD_ORDER), 0x80000000u | 4777800);
	CU_ASSERT_EQUAL(expect_decision(12, TG_RISK_R_BAD_ORDER), 0x80000000u | 4777800);
	CU_ASSERT_EQUAL_FATAL(npkt, 2);
	size_t n = enter_order(want, urn_of(1, 3), 'T', 225, "CVLT    ", 630200);
	CU_ASSERT_EQUAL(pkt[0].len, n);
	CU_ASSERT_EQUAL(memcmp(pkt[0].data, want, n), 0);
	n = enter_order(want, urn_of(2, 5), 'B', 40, "ADBE    ", 4777800);
	CU_ASSERT_EQUAL(memcmp(pkt[1].data, want, n), 0);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_SENT_ENTER_LO), 2);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_TX_BYTES_LO), 100);
	CU_ASSERT_EQUAL(core_rd(TG_REG_OE_URN_NEXT), 3);
	core_wr(TG_REG_RISK_SEL, TG_RISK_R_MAX_ORDER_QTY << TG_RISK_SEL_REASON_SHIFT);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RISK_DECIDED_LO), 1);
	/* alone, with the queue empty: the symbol is the decided order's own
	 * (the queue's entry at its head holds another instrument's order) */
	order(TG_RISK_IN_NEW, 13, 9, 1, TG_RISK_SIDE_BUY, 41, 4777800);
	doorbell();
	settle();
	expect_decision(13, TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL_FATAL(npkt, 3);
	n = enter_order(want, urn_of(3, 9), 'B', 41, "ADBE    ", 4777800);
	CU_ASSERT_EQUAL(pkt[2].len, n);
	CU_ASSERT_EQUAL(memcmp(pkt[2].data, want, n), 0);
}

/* Replace and cancel name the order by its UserRefNum; numbers strictly increase. */
static void test_replace_and_cancel(void)
{
	fresh();
	order(TG_RISK_IN_NEW, 1, 9, 0, TG_RISK_SIDE_BUY, 100, 100000);
	order(TG_RISK_IN_REPLACE, 2, 9, 0, 0, 150, 100100);
	order(TG_RISK_IN_CANCEL, 3, 9, 0, 0, 20, 0);
	order(TG_RISK_IN_CANCEL, 4, 10, 0, 0, 0, 0);			/* slot 10 not open */
	doorbell();
	settle();
	expect_decision(1, TG_RISK_R_ACCEPTED);
	expect_decision(2, TG_RISK_R_ACCEPTED);
	expect_decision(3, TG_RISK_R_ACCEPTED);
	expect_decision(4, TG_RISK_R_UNKNOWN_ORDER);
	CU_ASSERT_EQUAL_FATAL(npkt, 3);
	const uint8_t *r = pkt[1].data;
	CU_ASSERT_EQUAL(pkt[1].len, 43);
	CU_ASSERT_EQUAL(get_be(r, 2), 41);
	CU_ASSERT_EQUAL(r[2], 'U');
	CU_ASSERT_EQUAL(r[3], 'U');
	CU_ASSERT_EQUAL(get_be(r + 4, 4), urn_of(1, 9));		/* original */
	CU_ASSERT_EQUAL(get_be(r + 8, 4), urn_of(2, 9));		/* new, larger */
	CU_ASSERT_EQUAL(get_be(r + 12, 4), 150);
	CU_ASSERT_EQUAL(get_be(r + 16, 8), 100100);
	CU_ASSERT_EQUAL(memcmp(r + 24, "0YN", 3), 0);			/* tif, display, ISE */
	CU_ASSERT_EQUAL(memcmp(r + 27, "H8FUB8IV      ", 14), 0);
	CU_ASSERT_EQUAL(get_be(r + 41, 2), 0);
	const uint8_t *c = pkt[2].data;
	static const uint8_t cancel_hdr[] = { 0, 10, 'U', 'X' };
	CU_ASSERT_EQUAL(pkt[2].len, 12);
	CU_ASSERT_EQUAL(memcmp(c, cancel_hdr, 4), 0);
	CU_ASSERT_EQUAL(get_be(c + 4, 4), urn_of(2, 9));
	CU_ASSERT_EQUAL(get_be(c + 8, 4), 20);
	/* the card's own view of the slot: the larger size stays open until the exchange says */
	core_wr(TG_REG_RISK_SLOT_SEL, 9);
	uint32_t st = core_rd(TG_REG_RISK_SLOT_STATE);
	CU_ASSERT_TRUE(st & TG_RISK_SLOT_STATE_OPEN_MASK);
	CU_ASSERT_EQUAL((st & TG_RISK_SLOT_STATE_SIDE_MASK) >> TG_RISK_SLOT_STATE_SIDE_SHIFT, TG_RISK_SIDE_BUY);
	CU_ASSERT_EQUAL(core_rd(TG_REG_RISK_SLOT_REM), 150);
	CU_ASSERT_EQUAL(core_rd(TG_REG_RISK_SLOT_PRICE), 100100);
	CU_ASSERT_EQUAL(core_rd(TG_REG_OE_SLOT_URN), urn_of(2, 9));
	core_wr(TG_REG_RISK_SLOT_SEL, 10);
	CU_ASSERT_FALSE(core_rd(TG_REG_RISK_SLOT_STATE) & TG_RISK_SLOT_STATE_OPEN_MASK);
}

/* the slot's open quantity and UserRefNum as the card holds them */
static void expect_slot(unsigned slot, bool open, uint32_t rem, uint32_t urn)
{
	core_wr(TG_REG_RISK_SLOT_SEL, slot);
	CU_ASSERT_EQUAL(!!(core_rd(TG_REG_RISK_SLOT_STATE) & TG_RISK_SLOT_STATE_OPEN_MASK), open);
	CU_ASSERT_EQUAL(core_rd(TG_REG_RISK_SLOT_REM), rem);
	CU_ASSERT_EQUAL(core_rd(TG_REG_OE_SLOT_URN), urn);
}

/*
 * A replace the exchange rejects leaves the order as it was: the gate takes
 * back the shares the replace added (executions since then stand) and the
 * order keeps its UserRefNum, which the next replace names as the original.
 */
static void test_rejected_replace(void)
{
	union tg_c2h_record ev;
	uint32_t u1 = urn_of(1, 5), u2 = urn_of(2, 5), u3 = urn_of(3, 5), u5 = urn_of(5, 6);

	fresh();
	order(TG_RISK_IN_NEW, 1, 5, 0, TG_RISK_SIDE_BUY, 100, 100000);
	order(TG_RISK_IN_REPLACE, 2, 5, 0, 0, 160, 100000);	/* adds 60 */
	doorbell();
	settle();
	expect_decision(1, TG_RISK_R_ACCEPTED);
	expect_decision(2, TG_RISK_R_ACCEPTED);
	expect_slot(5, true, 160, u2);

	accepted(u1, 'B', 100, 100000, 'L');
	executed(u1, 30, 100000, 1);
	rejected(u2, 'X');
	settle();
	expect_slot(5, true, 70, u1);				/* 100 - 30 */
	sel(0, 0);
	CU_ASSERT_EQUAL((int64_t)core_rd64(TG_REG_RISK_INST_POSITION_LO), 30);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RISK_INST_OPEN_BUY_LO), 70);
	bool seen = false;
	while (next_event(TG_C2H_EVT_ORDER_RESP, &ev))
		if (ev.order_resp.msg_type == 'J') {
			seen = true;
			CU_ASSERT_EQUAL(ev.order_resp.urn, u2);
			CU_ASSERT_EQUAL(ev.order_resp.flags & 1u, 1u);	/* matched */
			CU_ASSERT_EQUAL(ev.order_resp.reason, 'X');
		}
	CU_ASSERT_TRUE(seen);

	/* the original number is current again: its executions match */
	executed(u1, 20, 100000, 2);
	settle();
	expect_slot(5, true, 50, u1);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_UNMATCHED_LO), 0);

	/* a replace that shrinks added nothing: its rejection takes nothing back */
	order(TG_RISK_IN_REPLACE, 3, 5, 0, 0, 40, 100000);
	doorbell();
	settle();
	expect_decision(3, TG_RISK_R_ACCEPTED);
	expect_slot(5, true, 50, u3);
	rejected(u3, 'X');
	settle();
	expect_slot(5, true, 50, u1);

	/* the next replace replaces the original number, and a rejected new order never opened */
	order(TG_RISK_IN_REPLACE, 4, 5, 0, 0, 80, 100000);
	order(TG_RISK_IN_NEW, 5, 6, 0, TG_RISK_SIDE_SELL, 10, 100000);
	doorbell();
	settle();
	expect_decision(4, TG_RISK_R_ACCEPTED);
	expect_decision(5, TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL_FATAL(npkt, 5);
	CU_ASSERT_EQUAL(pkt[3].data[3], 'U');
	CU_ASSERT_EQUAL(get_be(pkt[3].data + 4, 4), u1);
	CU_ASSERT_EQUAL(get_be(pkt[3].data + 8, 4), urn_of(4, 5));
	expect_slot(5, true, 80, urn_of(4, 5));
	rejected(u5, 'X');
	settle();
	expect_slot(6, false, 0, u5);
	sel(0, 0);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RISK_INST_OPEN_SELL_LO), 0);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_UNMATCHED_LO), 0);
	/* a replace that crosses a full fill (the demo's race): the exchange
	 * executes the original in full, then rejects the replace; the slot
	 * closes with nothing open */
	uint32_t u7 = urn_of(6, 7), u8 = urn_of(7, 7);

	order(TG_RISK_IN_NEW, 7, 7, 0, TG_RISK_SIDE_BUY, 50, 100000);
	order(TG_RISK_IN_REPLACE, 8, 7, 0, 0, 100, 100000);	/* adds 50 */
	doorbell();
	settle();
	expect_decision(7, TG_RISK_R_ACCEPTED);
	expect_decision(8, TG_RISK_R_ACCEPTED);
	accepted(u7, 'B', 50, 100000, 'L');
	executed(u7, 30, 100000, 3);
	executed(u7, 20, 100000, 4);
	rejected(u8, 0x0f);
	settle();
	expect_slot(7, false, 0, u7);
	sel(0, 0);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_UNMATCHED_LO), 0);
}

/* Responses move the gate's state before they reach the host. */
static void test_responses_update_gate(void)
{
	union tg_c2h_record ev;

	fresh();
	order(TG_RISK_IN_NEW, 1, 3, 0, TG_RISK_SIDE_BUY, 225, 630200);
	doorbell();
	settle();
	expect_decision(1, TG_RISK_R_ACCEPTED);
	uint32_t urn = urn_of(1, 3);
	sel(0, 0);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RISK_INST_OPEN_BUY_LO), 225);

	accepted(urn, 'B', 225, 630200, 'L');
	executed(urn, 100, 630100, 0x1234567890ull);
	settle();
	CU_ASSERT_TRUE_FATAL(next_event(TG_C2H_EVT_ORDER_RESP, &ev));
	CU_ASSERT_EQUAL(ev.order_resp.msg_type, 'A');
	CU_ASSERT_EQUAL(ev.order_resp.flags & 7u, 1u);		/* matched, price fits, understood */
	CU_ASSERT_EQUAL(ev.order_resp.urn, urn);
	CU_ASSERT_EQUAL(ev.order_resp.slot, 3);
	CU_ASSERT_EQUAL(ev.order_resp.instrument, 0);
	CU_ASSERT_EQUAL(ev.order_resp.qty, 225);
	CU_ASSERT_EQUAL(ev.order_resp.price, 630200);
	CU_ASSERT_EQUAL(ev.order_resp.state, 'L');
	CU_ASSERT_EQUAL(ev.order_resp.side, 'B');
	CU_ASSERT_EQUAL(ev.order_resp.exch_time, 34200000000000ull);
	CU_ASSERT_EQUAL(ev.order_resp.soup_seq, 1);
	CU_ASSERT_EQUAL(get_be((const uint8_t[]){ ev.order_resp.ref[3], ev.order_resp.ref[2], ev.order_resp.ref[1],
						  ev.order_resp.ref[0] }, 4), 0x0f56b4f5);
	CU_ASSERT_TRUE_FATAL(next_event(TG_C2H_EVT_ORDER_RESP, &ev));
	CU_ASSERT_EQUAL(ev.order_resp.msg_type, 'E');
	CU_ASSERT_EQUAL(ev.order_resp.qty, 100);
	CU_ASSERT_EQUAL(ev.order_resp.price, 630100);
	CU_ASSERT_EQUAL(ev.order_resp.side, 'A');			/* liquidity flag */
	CU_ASSERT_EQUAL(ev.order_resp.soup_seq, 2);
	sel(0, 0);
	CU_ASSERT_EQUAL((int64_t)core_rd64(TG_REG_RISK_INST_POSITION_LO), 100);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RISK_INST_OPEN_BUY_LO), 125);

	/* the exchange cancels the rest: the slot closes */
	canceled(urn, 125);
	/* a response for an order the card never sent: forwarded, not applied */
	executed(urn_of(40, 7), 10, 630000, 99);
	settle();
	CU_ASSERT_TRUE_FATAL(next_event(TG_C2H_EVT_ORDER_RESP, &ev));
	CU_ASSERT_EQUAL(ev.order_resp.msg_type, 'C');
	CU_ASSERT_EQUAL(ev.order_resp.state, 'U');
	CU_ASSERT_TRUE_FATAL(next_event(TG_C2H_EVT_ORDER_RESP, &ev));
	CU_ASSERT_EQUAL(ev.order_resp.flags & 1u, 0);
	CU_ASSERT_EQUAL(ev.order_resp.instrument, 0xff);
	sel(0, 0);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RISK_INST_OPEN_BUY_LO), 0);
	CU_ASSERT_EQUAL(core_rd(TG_REG_RISK_INST_STATE) & TG_RISK_INST_STATE_OPEN_ORDERS_MASK, 0);
	CU_ASSERT_EQUAL((int64_t)core_rd64(TG_REG_RISK_INST_POSITION_LO), 100);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_UNMATCHED_LO), 1);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_SEQUENCED_LO), 4);

	/* a short message and an unknown type: counted, the stream stays in step */
	static const uint8_t junk[] = { 0, 3, 'S', 'E', 1, 0, 2, 'S', 'Z', 0, 1, 'H' };
	CU_ASSERT_TRUE(tg_cm_oe_push(core_cm, junk, sizeof(junk)));
	executed(urn_of(1, 3), 1, 630000, 100);	/* slot closed: unmatched */
	settle();
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_BAD_LO), 2);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_PACKETS_LO), 8);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_SEQUENCED_LO), 7);
}

/* n buys of 100 shares on slots 0..n-1 (instrument i % 2), accepted, then
 * an execution of each (10 + i shares) put in the exchange's byte stream
 * before the card runs a cycle; pos[] gets the positions they make */
static void executions_of_resting_buys(unsigned n, int64_t pos[2])
{
	for (unsigned i = 0; i < n; i++)
		order(TG_RISK_IN_NEW, 100 + i, i, i % 2, TG_RISK_SIDE_BUY, 100, 630200);
	doorbell();
	settle();
	for (unsigned i = 0; i < n; i++)
		expect_decision(100 + i, TG_RISK_R_ACCEPTED);
	for (unsigned i = 0; i < n; i++) {
		executed(urn_of(i + 1, i), 10 + i, 630100, 500 + i);
		pos[i % 2] += 10 + i;
	}
}

/* Executions back to back: each FILL holds the gate's entry for cycles and
 * each event takes the C2H engine 8, so responses wait in the order-entry
 * block's skid buffers. Every one is applied once and forwarded once, in order. */
static void test_response_burst(void)
{
	union tg_c2h_record ev;
	const unsigned n = 12;
	int64_t pos[2] = { 0, 0 };

	fresh();
	executions_of_resting_buys(n, pos);
	settle();
	for (unsigned i = 0; i < n; i++) {
		CU_ASSERT_TRUE_FATAL(next_event(TG_C2H_EVT_ORDER_RESP, &ev));
		CU_ASSERT_EQUAL(ev.order_resp.msg_type, 'E');
		CU_ASSERT_EQUAL(ev.order_resp.urn, urn_of(i + 1, i));
		CU_ASSERT_EQUAL(ev.order_resp.qty, 10 + i);
		CU_ASSERT_EQUAL(ev.order_resp.soup_seq, i + 1);
		CU_ASSERT_EQUAL(ev.order_resp.flags & 1u, 1u);
	}
	CU_ASSERT_FALSE(next_event(TG_C2H_EVT_ORDER_RESP, &ev));
	for (unsigned k = 0; k < 2; k++) {
		sel(0, k);
		CU_ASSERT_EQUAL((int64_t)core_rd64(TG_REG_RISK_INST_POSITION_LO), pos[k]);
		CU_ASSERT_EQUAL((int64_t)core_rd64(TG_REG_RISK_INST_OPEN_BUY_LO), 100 * (int64_t)(n / 2) - pos[k]);
	}
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_SEQUENCED_LO), n);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_UNMATCHED_LO), 0);
}

/* The side sources, the kill and orders at once: executions stream into the
 * gate (each FILL holds its entry), a risk command is written among them,
 * orders wait behind, and the kill lands 4 cycles later each round. The
 * gate takes the four side sources through one register and the kill past
 * it: every execution and the command are applied once, every order is
 * decided once and none is accepted after the first one the kill blocked
 * (the simulation also stops on a source taken while tg_risk says wait). */
static void test_side_sources_with_kill(void)
{
	union tg_c2h_record ev;
	const unsigned n = 12, m = 20;
	unsigned mid_stream = 0;

	for (unsigned at = 0; at < 160; at += 4) {
		int64_t pos[2] = { 0, 0 };

		fresh();
		executions_of_resting_buys(n, pos);
		for (unsigned i = 0; i < m; i++)
			order(TG_RISK_IN_NEW, 200 + i, 20 + i, i % 2, TG_RISK_SIDE_SELL, 1, 630000);
		doorbell();
		/* the command: a bust of 3 shares bought on instrument 1 (applied
		 * twice, or lost, the position shows it) */
		core_wr(TG_REG_RISK_VALUE_LO, 3);
		core_wr(TG_REG_RISK_VALUE_HI, 1u << 8 | TG_RISK_SIDE_BUY);
		pos[1] -= 3;
		tg_cm_run(core_cm, at % 24);
		core_wr(TG_REG_RISK_CMD, OP_BUST);
		tg_cm_run(core_cm, at);
		core_wr(TG_REG_KILL, TG_KILL_ENGAGED_MASK);
		settle();

		CU_ASSERT_FALSE(core_rd(TG_REG_RISK_STATUS) & TG_RISK_STATUS_CMD_OVERRUN_MASK);
		for (unsigned k = 0; k < 2; k++) {
			sel(0, k);
			CU_ASSERT_EQUAL((int64_t)core_rd64(TG_REG_RISK_INST_POSITION_LO), pos[k]);
		}
		unsigned decided = 0, blocked = 0, accepted_after = 0;
		uint32_t seen = 0;
		while (next_event(TG_C2H_EVT_ORDER_DECISION, &ev)) {
			unsigned t = ev.order_decision.tag - 200;
			CU_ASSERT_FATAL(t < m && !(seen >> t & 1u));
			seen |= 1u << t;
			decided++;
			if (ev.order_decision.reason == TG_RISK_R_KILLED)
				blocked++;
			else if (blocked)
				accepted_after++;
		}
		CU_ASSERT_EQUAL(decided, m);
		CU_ASSERT_EQUAL(accepted_after, 0);
		mid_stream += blocked > 0 && blocked < m;
		CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_SEQUENCED_LO), n);
		CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_UNMATCHED_LO), 0);
		core_wr(TG_REG_KILL, 0);
	}
	CU_ASSERT(mid_stream >= 20);		/* the kill did land among the orders */
}

/* The same with the exchange's bytes split into beats at random. */
static void test_responses_update_gate_split(void)
{
	rx_split = true;
	rng_state = 0x5b1170u;
	test_responses_update_gate();
	rx_split = false;
}

/* ---- the response decoder: every type, malformed input, any split ---- */

/* OUCH 5.0 outbound types and their fixed lengths (docs/ouch.md) */
static const char resp_types[] = "SAUCDEBJPITMRQ";
static const unsigned resp_fixed[] = { 10, 64, 68, 18, 32, 36, 36, 29, 13, 13, 30, 20, 16, 13 };

/* what an ORDER_RESP event says of a message (card.yaml ORDER_RESP) */
struct exp_resp {
	uint8_t type, side, state, flags;
	uint16_t reason;
	uint32_t urn, orig, qty, price;
	uint64_t time, ref;
};

static void expect_resp(const uint8_t *msg, size_t len, struct exp_resp *e)
{
	uint8_t m[52] = { 0 };	/* the fields the card reads lie in the first 52 bytes */
	const char *t = len > 0 && msg[0] != 0 ? strchr(resp_types, msg[0]) : NULL;
	unsigned fixed = t != NULL ? resp_fixed[t - resp_types] : 0;
	uint64_t price = 0;

	memcpy(m, msg, len < sizeof(m) ? len : sizeof(m));
	memset(e, 0, sizeof(*e));
	e->type = m[0];
	e->urn = (uint32_t)get_be(m + 9, 4);
	e->time = fixed ? get_be(m + 1, 8) : 0;
	switch (m[0]) {
	case 'S':
		e->urn = 0;
		e->state = m[9];
		break;
	case 'A':
		e->side = m[13];
		e->qty = (uint32_t)get_be(m + 14, 4);
		price = get_be(m + 26, 8);
		e->ref = get_be(m + 36, 8);
		e->state = m[47];
		break;
	case 'U':
		e->orig = e->urn;
		e->urn = (uint32_t)get_be(m + 13, 4);
		e->side = m[17];
		e->qty = (uint32_t)get_be(m + 18, 4);
		price = get_be(m + 30, 8);
		e->ref = get_be(m + 40, 8);
		e->state = m[51];
		break;
	case 'C':
		e->qty = (uint32_t)get_be(m + 13, 4);
		e->state = m[17];
		break;
	case 'D':
		e->qty = (uint32_t)get_be(m + 13, 4);
		e->state = m[17];
		price = get_be(m + 22, 8);	/* execution price */
		e->side = m[30];		/* liquidity flag */
		break;
	case 'E':
		e->qty = (uint32_t)get_be(m + 13, 4);
		price = get_be(m + 17, 8);
		e->side = m[25];
		e->ref = get_be(m + 26, 8);
		break;
	case 'B':
		e->ref = get_be(m + 13, 8);
		e->state = m[21];
		break;
	case 'J':
		e->reason = (uint16_t)get_be(m + 13, 2);
		break;
	case 'T':
		price = get_be(m + 13, 8);
		e->ref = get_be(m + 22, 8);
		break;
	case 'M':
		e->side = m[13];
		e->qty = (uint32_t)get_be(m + 14, 4);
		break;
	case 'Q':
		e->urn = 0;
		break;
	default:
		break;
	}
	e->price = (uint32_t)price;
	e->ref &= (1ull << 56) - 1;
	/* nothing is open on the card: never matched */
	e->flags = (uint8_t)((fixed == 0 || len < fixed) << 2 | (price >> 32 != 0) << 1);
}

#define STREAM_MAX 40000u
#define STREAM_MSGS 600u

struct resp_stream {
	uint8_t bytes[STREAM_MAX];
	size_t len;
	struct exp_resp exp[STREAM_MSGS];
	unsigned n_exp;
	uint64_t packets, bad, unmatched;
};

static void stream_packet(struct resp_stream *st, uint8_t type, const uint8_t *payload, size_t n)
{
	uint8_t *p = st->bytes + st->len;

	CU_ASSERT_FATAL(st->len + n + 3 <= STREAM_MAX);
	put_be(p, n + 1, 2);
	p[2] = type;
	memcpy(p + 3, payload, n);
	st->len += n + 3;
	st->packets++;
	if (type != 'S')
		return;
	CU_ASSERT_FATAL(st->n_exp < STREAM_MSGS);
	struct exp_resp *e = &st->exp[st->n_exp++];

	expect_resp(payload, n, e);
	st->bad += (e->flags >> 2) & 1u;
	st->unmatched += !(e->flags & 4u) && e->type != 'S' && e->type != 'Q';
}

/* Every response type (with and without an appendage), short and unknown
 * messages, empty ones, packets of other types, packets of length 0. */
static void make_stream(struct resp_stream *st, unsigned packets)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < packets; i++) {
		uint8_t msg[128];
		unsigned r = (unsigned)(rnd() % 100), t = (unsigned)(rnd() % (sizeof(resp_fixed) / sizeof(resp_fixed[0])));
		size_t n;

		for (size_t b = 0; b < sizeof(msg); b++)
			msg[b] = (uint8_t)rnd();
		msg[0] = (uint8_t)resp_types[t];
		if (r < 55) {
			/* whole, sometimes with an appendage past the 52 bytes the card keeps */
			n = resp_fixed[t] + (rnd() % 3 == 0 ? rnd() % 50 : 0);
			stream_packet(st, 'S', msg, n);
		} else if (r < 65) {
			n = 1 + rnd() % (resp_fixed[t] - 1);	/* short */
			stream_packet(st, 'S', msg, n);
		} else if (r < 70) {
			while (msg[0] == 0 || strchr(resp_types, msg[0]) != NULL)
				msg[0] = (uint8_t)rnd();	/* a type OUCH does not have */
			stream_packet(st, 'S', msg, 1 + rnd() % 40);
		} else if (r < 73) {
			stream_packet(st, 'S', msg, 0);	/* sequenced data with no message */
		} else if (r < 85) {
			stream_packet(st, rnd() % 2 ? 'H' : 'Z', msg, 0);
		} else if (r < 93) {
			stream_packet(st, '+', msg, rnd() % 70);	/* debug text */
		} else {
			CU_ASSERT_FATAL(st->len + 2 <= STREAM_MAX);
			st->bytes[st->len++] = 0;	/* a packet of length 0 */
			st->bytes[st->len++] = 0;
			st->packets++;
		}
	}
}

static struct resp_stream stream;

static void check_stream(uint64_t seed, bool split)
{
	union tg_c2h_record ev;
	unsigned got = 0;

	rng_state = seed;
	make_stream(&stream, 500);
	rx_split = split;
	fresh();
	CU_ASSERT_TRUE_FATAL(tg_cm_oe_push(core_cm, stream.bytes, stream.len));
	for (int k = 0; k < 4000 && (got < stream.n_exp || tg_cm_oe_pending(core_cm) > 0); k++) {
		tg_cm_run(core_cm, 32);
		while (tg_ring_pop(&c2h, &ev)) {
			const struct exp_resp *e = &stream.exp[got];
			uint64_t ref = 0;

			if (ev.hdr.type != TG_C2H_EVT_ORDER_RESP)
				continue;
			CU_ASSERT_FATAL(got < stream.n_exp);
			for (int b = 6; b >= 0; b--)
				ref = ref << 8 | ev.order_resp.ref[b];
			CU_ASSERT_EQUAL(ev.order_resp.soup_seq, got + 1);
			CU_ASSERT_EQUAL(ev.order_resp.msg_type, e->type);
			CU_ASSERT_EQUAL(ev.order_resp.flags & 7u, e->flags);
			CU_ASSERT_EQUAL(ev.order_resp.exch_time, e->time);
			CU_ASSERT_EQUAL(ev.order_resp.urn, e->urn);
			CU_ASSERT_EQUAL(ev.order_resp.orig_urn, e->orig);
			CU_ASSERT_EQUAL(ev.order_resp.side, e->side);
			CU_ASSERT_EQUAL(ev.order_resp.state, e->state);
			CU_ASSERT_EQUAL(ev.order_resp.instrument, 0xff);
			CU_ASSERT_EQUAL(ev.order_resp.slot, e->urn & ((1u << SLOTS_LOG2) - 1));
			CU_ASSERT_EQUAL(ev.order_resp.reason, e->reason);
			CU_ASSERT_EQUAL(ev.order_resp.qty, e->qty);
			CU_ASSERT_EQUAL(ev.order_resp.price, e->price);
			CU_ASSERT_EQUAL(ref, e->ref);
			got++;
		}
		core_wr(TG_REG_C2H_CONS, c2h.index);
	}
	rx_split = false;
	CU_ASSERT_EQUAL(got, stream.n_exp);
	CU_ASSERT_EQUAL(tg_cm_oe_pending(core_cm), 0);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_PACKETS_LO), stream.packets);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_SEQUENCED_LO), stream.n_exp);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_BAD_LO), stream.bad);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_UNMATCHED_LO), stream.unmatched);
	/* nothing reached the gate: no order was open */
	CU_ASSERT_EQUAL(core_rd64(TG_REG_RISK_UNMATCHED_LO), 0);
}

static void test_decoder_whole_beats(void)
{
	check_stream(0xdec0de01u, false);
}

static void test_decoder_any_split(void)
{
	for (uint64_t seed = 0; seed < 4; seed++)
		check_stream(0xdec0de10u + seed, true);
}

/* Cycles for the card to take `n` packets of `len` bytes (type, payload) queued at once. */
static uint64_t take_cycles(uint8_t type, size_t len, unsigned n)
{
	uint8_t p[128];
	uint64_t c0;

	memset(p, 0, sizeof(p));
	put_be(p, len - 2, 2);
	p[2] = type;
	if (type == 'S') {
		p[3] = 'C';	/* Order Canceled of an order not open */
		put_be(p + 12, urn_of(9, 9), 4);
	}
	for (unsigned i = 0; i < n; i++)
		CU_ASSERT_TRUE_FATAL(tg_cm_oe_push(core_cm, p, len));
	c0 = tg_cm_stats(core_cm)->cycles;
	for (int k = 0; k < 100000 && tg_cm_oe_pending(core_cm) > 0; k++)
		tg_cm_run(core_cm, 1);
	return tg_cm_stats(core_cm)->cycles - c0;
}

/* A message costs about its length over 8 cycles, back to back. */
static void test_decoder_rate(void)
{
	union tg_c2h_record ev;
	unsigned resp = 0;

	fresh();
	/* 64-byte debug packets: no event, the decoder alone, 8 bytes a cycle */
	uint64_t c = take_cycles('+', 64, 200);
	CU_ASSERT(c <= 200u * 8u + 8u);
	/* 21-byte Order Canceled, each an ORDER_RESP event: 3 cycles to decode,
	 * then the C2H ring engine's 9 cycles an event set the pace */
	c = take_cycles('S', 21, 100);
	CU_ASSERT(c <= 100u * 9u + 8u);
	settle();
	while (next_event(TG_C2H_EVT_ORDER_RESP, &ev))
		resp++;
	CU_ASSERT_EQUAL(resp, 100);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_PACKETS_LO), 300);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_BAD_LO), 0);
	/* a partial packet dropped by RESET_RX: the next one decodes from its start */
	static const uint8_t part[] = { 0, 19, 'S', 'C', 1, 2, 3 };
	CU_ASSERT_TRUE(tg_cm_oe_push(core_cm, part, sizeof(part)));
	tg_cm_run(core_cm, 20);
	core_wr(TG_REG_OE_CONTROL, TG_OE_CONTROL_RESET_RX_MASK);
	canceled(urn_of(9, 9), 5);
	settle();
	CU_ASSERT_TRUE_FATAL(next_event(TG_C2H_EVT_ORDER_RESP, &ev));
	CU_ASSERT_EQUAL(ev.order_resp.msg_type, 'C');
	CU_ASSERT_EQUAL(ev.order_resp.qty, 5);
	CU_ASSERT_EQUAL(ev.order_resp.soup_seq, 1);
	CU_ASSERT_EQUAL(ev.order_resp.flags & 4u, 0);
}

/* The collar around a host-set reference price, the position limit with open orders. */
static void test_collar_and_limits(void)
{
	fresh();
	set_limit(TG_RISK_LIM_COLLAR_BPS, 0, 100);		/* 1 % */
	risk_cmd(OP_COMMIT);
	sel(0, 0);
	core_wr(TG_REG_RISK_VALUE_LO, 1000000);			/* 100.0000 */
	risk_cmd(OP_REF_PRICE);
	CU_ASSERT_EQUAL(core_rd(TG_REG_RISK_INST_REF_PRICE), 1000000);
	order(TG_RISK_IN_NEW, 1, 0, 0, TG_RISK_SIDE_BUY, 10, 1010001);
	order(TG_RISK_IN_NEW, 2, 0, 0, TG_RISK_SIDE_BUY, 10, 1010000);
	order(TG_RISK_IN_NEW, 3, 1, 0, TG_RISK_SIDE_SELL, 10, 989999);
	order(TG_RISK_IN_NEW, 4, 1, 0, TG_RISK_SIDE_SELL, 10, 990000);
	order(TG_RISK_IN_NEW, 5, 2, 0, TG_RISK_SIDE_BUY, 991, 1000000);
	doorbell();
	settle();
	expect_decision(1, TG_RISK_R_COLLAR);
	expect_decision(2, TG_RISK_R_ACCEPTED);
	expect_decision(3, TG_RISK_R_COLLAR);
	expect_decision(4, TG_RISK_R_ACCEPTED);
	expect_decision(5, TG_RISK_R_ACCEPTED);
	/* open buys 1001: a buy of 1000 passes MAX_LONG 5000 until 4 of them are open */
	for (unsigned i = 0; i < 5; i++)
		order(TG_RISK_IN_NEW, 10 + i, 20 + i, 0, TG_RISK_SIDE_BUY, 1000, 1000000);
	doorbell();
	settle();
	for (unsigned i = 0; i < 3; i++)
		expect_decision(10 + i, TG_RISK_R_ACCEPTED);
	expect_decision(13, TG_RISK_R_MAX_LONG);			/* 1001 + 4000 > 5000 */
	expect_decision(14, TG_RISK_R_MAX_LONG);
	/* instrument kill and host halt through the CSRs */
	sel(0, 1);
	risk_cmd(OP_INST_KILL);
	order(TG_RISK_IN_NEW, 20, 30, 1, TG_RISK_SIDE_BUY, 1, 1000000);
	doorbell();
	settle();
	expect_decision(20, TG_RISK_R_INSTRUMENT_KILLED);
	sel(0, 1);
	risk_cmd(OP_INST_RESUME);
	risk_cmd(OP_HALT);
	CU_ASSERT_TRUE(core_rd(TG_REG_RISK_INST_STATE) & TG_RISK_INST_STATE_HALTED_HOST_MASK);
	order(TG_RISK_IN_NEW, 21, 30, 1, TG_RISK_SIDE_BUY, 1, 1000000);
	doorbell();
	settle();
	expect_decision(21, TG_RISK_R_HALTED);
}

/* ---- the book's reference prices and halts ---- */

/* ITCH messages as MoldUDP64 message blocks, for one frame */
struct blocks {
	uint8_t b[1400];
	size_t len;
	uint16_t count;
};

static void block_add(struct blocks *bl, const uint8_t *m, size_t n)
{
	CU_ASSERT_FATAL(n > 0 && bl->len + 2 + n <= sizeof(bl->b));
	put_be(bl->b + bl->len, n, 2);
	memcpy(bl->b + bl->len + 2, m, n);
	bl->len += 2 + n;
	bl->count++;
}

/* the blocks as one frame into the card's market-data port, then quiet */
static void feed(struct blocks *bl)
{
	static uint64_t seq = 1;
	struct tg_mold_frame_params mp;
	uint8_t f[1600];
	size_t n;

	tg_mold_frame_defaults(&mp, "TICKGATE");
	n = tg_mold_frame(f, sizeof(f), &mp, seq, bl->count, bl->b, bl->len);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_TRUE_FATAL(tg_cm_net_push(core_cm, f, n));
	seq += bl->count;
	memset(bl, 0, sizeof(*bl));
	settle();
}

/* A fresh core whose feed takes every MoldUDP64 session, and no blocks yet. */
static void fresh_fed(struct blocks *bl)
{
	fresh();
	memset(bl, 0, sizeof(*bl));
	core_wr(TG_REG_FEED_CONTROL, TG_FEED_CONTROL_ACCEPT_ALL_MASK);
}

static uint32_t ref_price(unsigned inst)
{
	sel(0, inst);
	return core_rd(TG_REG_RISK_INST_REF_PRICE);
}

/* One NEW buy of 10 through the gate: its decision. */
static unsigned decide_buy(uint32_t tag, unsigned slot, uint32_t price)
{
	union tg_c2h_record ev;

	order(TG_RISK_IN_NEW, tag, slot, 0, TG_RISK_SIDE_BUY, 10, price);
	doorbell();
	settle();
	CU_ASSERT_TRUE_FATAL(next_event(TG_C2H_EVT_ORDER_DECISION, &ev));
	CU_ASSERT_EQUAL(ev.order_decision.tag, tag);
	return ev.order_decision.reason;
}

/* The feed's book sets the gate's reference (the top of book's mid, else the
 * last trade) and its halts, as the book changes: docs/risk.md. */
static void test_reference_from_book(void)
{
	struct tg_itch_hdr h = { .locate = 100, .tracking = 0, .ts_ns = 34200000000000ull };
	struct blocks bl;
	uint8_t m[64];

	fresh_fed(&bl);
	set_limit(TG_RISK_LIM_COLLAR_BPS, 0, 100);		/* 1 % */
	risk_cmd(OP_COMMIT);
	CU_ASSERT_EQUAL(ref_price(0), 0);

	/* bid 100.0000, ask 101.0000: mid 100.5000, buys up to 101.5050 pass */
	block_add(&bl, m, tg_itch_enc_add_order(m, &h, 1, 'B', 100, "CVLT    ", 1000000));
	block_add(&bl, m, tg_itch_enc_add_order(m, &h, 2, 'S', 100, "CVLT    ", 1010000));
	feed(&bl);
	CU_ASSERT_EQUAL(ref_price(0), 1005000);
	CU_ASSERT_EQUAL(ref_price(1), 0);			/* another instrument: untouched */
	CU_ASSERT_EQUAL(decide_buy(1, 0, 1015050), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(decide_buy(2, 1, 1015051), TG_RISK_R_COLLAR);

	/* a trade while the book has a top: the mid stays the reference */
	block_add(&bl, m, tg_itch_enc_trade(m, &h, 0, 'B', 50, "CVLT    ", 1234500, 77));
	feed(&bl);
	CU_ASSERT_EQUAL(ref_price(0), 1005000);

	/* the book moves in one frame: several tops in a row, the last counts */
	block_add(&bl, m, tg_itch_enc_order_delete(m, &h, 1));
	block_add(&bl, m, tg_itch_enc_order_delete(m, &h, 2));
	block_add(&bl, m, tg_itch_enc_add_order(m, &h, 3, 'B', 100, "CVLT    ", 1100000));
	block_add(&bl, m, tg_itch_enc_add_order(m, &h, 4, 'S', 100, "CVLT    ", 1110000));
	feed(&bl);
	CU_ASSERT_EQUAL(ref_price(0), 1105000);
	CU_ASSERT_EQUAL(decide_buy(3, 2, 1015050), TG_RISK_R_COLLAR);
	CU_ASSERT_EQUAL(decide_buy(4, 3, 1110000), TG_RISK_R_ACCEPTED);

	/* no top of book: the last trade */
	block_add(&bl, m, tg_itch_enc_order_delete(m, &h, 3));
	block_add(&bl, m, tg_itch_enc_order_delete(m, &h, 4));
	feed(&bl);
	CU_ASSERT_EQUAL(ref_price(0), 1234500);
	CU_ASSERT_EQUAL(decide_buy(5, 4, 1246845), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(decide_buy(6, 5, 1246846), TG_RISK_R_COLLAR);

	/* a trading halt from the feed, then its resumption */
	block_add(&bl, m, tg_itch_enc_trading_action(m, &h, "CVLT    ", 'H', "    "));
	feed(&bl);
	CU_ASSERT_TRUE(core_rd(TG_REG_RISK_INST_STATE) & TG_RISK_INST_STATE_HALTED_FEED_MASK);
	CU_ASSERT_EQUAL(decide_buy(7, 6, 1234500), TG_RISK_R_HALTED);
	block_add(&bl, m, tg_itch_enc_trading_action(m, &h, "CVLT    ", 'T', "    "));
	feed(&bl);
	sel(0, 0);
	CU_ASSERT_FALSE(core_rd(TG_REG_RISK_INST_STATE) & TG_RISK_INST_STATE_HALTED_FEED_MASK);
	CU_ASSERT_EQUAL(decide_buy(8, 7, 1234500), TG_RISK_R_ACCEPTED);
}

/* Both instruments' books move in the same frames, so both differ from what
 * the gate was sent at once: each gets its own reference and halt (the gate
 * picks the lowest such instrument and reads that one's values). */
static void test_references_of_two_instruments(void)
{
	struct tg_itch_hdr h0 = { .locate = 100, .tracking = 0, .ts_ns = 34200000000000ull };
	struct tg_itch_hdr h1 = { .locate = 101, .tracking = 0, .ts_ns = 34200000000000ull };
	struct blocks bl;
	uint8_t m[64];

	fresh_fed(&bl);

	/* the two tops, interleaved */
	block_add(&bl, m, tg_itch_enc_add_order(m, &h0, 1, 'B', 100, "CVLT    ", 1000000));
	block_add(&bl, m, tg_itch_enc_add_order(m, &h1, 11, 'B', 100, "ADBE    ", 2000000));
	block_add(&bl, m, tg_itch_enc_add_order(m, &h0, 2, 'S', 100, "CVLT    ", 1010000));
	block_add(&bl, m, tg_itch_enc_add_order(m, &h1, 12, 'S', 100, "ADBE    ", 2020000));
	feed(&bl);
	CU_ASSERT_EQUAL(ref_price(0), 1005000);
	CU_ASSERT_EQUAL(ref_price(1), 2010000);

	/* CVLT's top goes and it trades; ADBE trades (its top stays) and halts */
	block_add(&bl, m, tg_itch_enc_order_delete(m, &h0, 1));
	block_add(&bl, m, tg_itch_enc_trade(m, &h1, 0, 'B', 50, "ADBE    ", 2222200, 78));
	block_add(&bl, m, tg_itch_enc_order_delete(m, &h0, 2));
	block_add(&bl, m, tg_itch_enc_trade(m, &h0, 0, 'B', 50, "CVLT    ", 1234500, 77));
	block_add(&bl, m, tg_itch_enc_trading_action(m, &h1, "ADBE    ", 'H', "    "));
	feed(&bl);
	CU_ASSERT_EQUAL(ref_price(0), 1234500);
	CU_ASSERT_EQUAL(ref_price(1), 2010000);
	sel(0, 0);
	CU_ASSERT_FALSE(core_rd(TG_REG_RISK_INST_STATE) & TG_RISK_INST_STATE_HALTED_FEED_MASK);
	sel(0, 1);
	CU_ASSERT_TRUE(core_rd(TG_REG_RISK_INST_STATE) & TG_RISK_INST_STATE_HALTED_FEED_MASK);

	/* ADBE's top goes: its last trade; CVLT gets a top again */
	block_add(&bl, m, tg_itch_enc_order_delete(m, &h1, 11));
	block_add(&bl, m, tg_itch_enc_add_order(m, &h0, 3, 'B', 100, "CVLT    ", 1100000));
	block_add(&bl, m, tg_itch_enc_order_delete(m, &h1, 12));
	block_add(&bl, m, tg_itch_enc_add_order(m, &h0, 4, 'S', 100, "CVLT    ", 1110000));
	feed(&bl);
	CU_ASSERT_EQUAL(ref_price(0), 1105000);
	CU_ASSERT_EQUAL(ref_price(1), 2222200);
}

/* The kill switch blocks the order right behind it; cancels still pass. */
static void test_kill_blocks_next_order(void)
{
	union tg_c2h_record ev;

	fresh();
	order(TG_RISK_IN_NEW, 1, 0, 0, TG_RISK_SIDE_BUY, 10, 100000);
	doorbell();
	settle();
	expect_decision(1, TG_RISK_R_ACCEPTED);
	/* a stream of orders; the kill lands in the middle of it */
	for (unsigned i = 0; i < 100; i++)
		order(TG_RISK_IN_NEW, 100 + i, 1 + i % 40, 1, TG_RISK_SIDE_BUY, 1, 100000 + i);
	doorbell();
	tg_cm_run(core_cm, 40);
	core_wr(TG_REG_KILL, TG_KILL_ENGAGED_MASK);
	order(TG_RISK_IN_CANCEL, 999, 0, 0, 0, 0, 0);
	doorbell();
	settle();
	CU_ASSERT_TRUE(core_rd(TG_REG_RISK_STATUS) & TG_RISK_STATUS_KILLED_MASK);
	unsigned accepted_n = 0, killed = 0, after_kill_accepted = 0, total = 0;
	bool seen_kill = false;
	uint64_t prev_in = 0, bound_lo = 0, bound_hi = 0;
	while (next_event(TG_C2H_EVT_ORDER_DECISION, &ev)) {
		if (ev.order_decision.tag == 999) {
			CU_ASSERT_EQUAL(ev.order_decision.reason, TG_RISK_R_ACCEPTED);	/* cancels pass */
			continue;
		}
		total++;
		if (ev.order_decision.reason == TG_RISK_R_KILLED) {
			if (!seen_kill) {
				/* the kill landed after the previous order entered the gate */
				bound_lo = ev.order_decision.timestamp - ev.order_decision.in_cycle;
				bound_hi = ev.order_decision.timestamp - prev_in;
			}
			seen_kill = true;
			killed++;
		} else if (seen_kill) {
			after_kill_accepted++;
		} else if (ev.order_decision.reason == TG_RISK_R_ACCEPTED) {
			accepted_n++;
		}
		prev_in = ev.order_decision.in_cycle;
	}
	CU_ASSERT_TRUE(killed > 0 && accepted_n > 0);
	CU_ASSERT_EQUAL(total, 100);
	CU_ASSERT_EQUAL(after_kill_accepted, 0);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_KILL_LAT_COUNT_LO), 1);
	uint32_t kl = core_rd(TG_REG_KILL_LAT_LAST);
	CU_ASSERT_TRUE(kl >= bound_lo && kl <= bound_hi);
	/* resume: orders pass again */
	core_wr(TG_REG_KILL, 0);
	order(TG_RISK_IN_NEW, 2000, 60, 1, TG_RISK_SIDE_SELL, 1, 100000);
	doorbell();
	settle();
	expect_decision(2000, TG_RISK_R_ACCEPTED);
}

/*
 * A kill while the order-entry port is stopped and its queue full: the
 * orders held back behind the queue are decided KILLED at once (an order
 * the kill blocks sends nothing, so it needs no room there), the first of
 * them in the cycles right after the kill; a cancel, which the kill does
 * not block, still waits for room, and the orders behind it wait in turn.
 */
static void test_kill_with_port_stopped(void)
{
	union tg_c2h_record ev;
	unsigned accepted = 0, killed = 0;

	rng_state = 0x6b111ull;
	tx_slow = true;
	tx_blocked = true;
	fresh();
	for (unsigned i = 0; i < 24; i++)
		order(TG_RISK_IN_NEW, 1 + i, i, i % 2, TG_RISK_SIDE_BUY, 1 + i, 100000 + i);
	doorbell();
	tg_cm_run(core_cm, 300);
	while (next_event(TG_C2H_EVT_ORDER_DECISION, &ev)) {
		CU_ASSERT_EQUAL(ev.order_decision.tag, 1 + accepted);
		CU_ASSERT_EQUAL(ev.order_decision.reason, TG_RISK_R_ACCEPTED);
		accepted++;
	}
	/* the queue took what it has room for, the rest waits */
	CU_ASSERT_TRUE_FATAL(accepted >= 2 && accepted < 24);
	CU_ASSERT_EQUAL(npkt, 0);

	core_wr(TG_REG_KILL, TG_KILL_ENGAGED_MASK);
	order(TG_RISK_IN_CANCEL, 100, 0, 0, 0, 0, 0);		/* slot 0 is open: the cancel passes */
	order(TG_RISK_IN_NEW, 101, 40, 0, TG_RISK_SIDE_BUY, 1, 100000);
	doorbell();
	tg_cm_run(core_cm, 300);
	/* every order held back is blocked while the port is still stopped */
	while (next_event(TG_C2H_EVT_ORDER_DECISION, &ev)) {
		CU_ASSERT_EQUAL(ev.order_decision.tag, 1 + accepted + killed);
		CU_ASSERT_EQUAL(ev.order_decision.reason, TG_RISK_R_KILLED);
		killed++;
	}
	CU_ASSERT_EQUAL(accepted + killed, 24);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_KILL_LAT_COUNT_LO), 1);
	/* the register's change, the kill into the gate a cycle later, the
	 * held-back order into it behind the kill, its 3-cycle decision */
	CU_ASSERT_EQUAL(core_rd(TG_REG_KILL_LAT_LAST), 4);
	CU_ASSERT_EQUAL(npkt, 0);

	tx_blocked = false;
	tx_slow = false;
	settle();
	expect_decision(100, TG_RISK_R_ACCEPTED);
	expect_decision(101, TG_RISK_R_KILLED);
	/* the accepted orders and the cancel, whole and in order; nothing blocked went out */
	CU_ASSERT_EQUAL_FATAL(npkt, accepted + 1);
	for (unsigned i = 0; i < accepted; i++) {
		uint8_t want[64];
		size_t n = enter_order(want, urn_of(1 + i, i), 'B', 1 + i, i % 2 ? "ADBE    " : "CVLT    ",
				       100000 + i);

		CU_ASSERT_EQUAL(pkt[i].len, n);
		CU_ASSERT_EQUAL(memcmp(pkt[i].data, want, n), 0);
	}
	CU_ASSERT_EQUAL(pkt[accepted].data[3], 'X');
	CU_ASSERT_EQUAL(get_be(pkt[accepted].data + 4, 4), urn_of(1, 0));
	CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->oe_tx_unstable, 0);
	core_wr(TG_REG_KILL, 0);
}

/* A silent host: the watchdog kills and cancels every open order. */
static void test_watchdog(void)
{
	union tg_c2h_record ev;

	fresh();
	for (unsigned i = 0; i < 5; i++)
		order(TG_RISK_IN_NEW, 1 + i, 10 * i + 1, 0, TG_RISK_SIDE_BUY, 10, 100000);
	doorbell();
	settle();
	CU_ASSERT_EQUAL(npkt, 5);
	core_wr(TG_REG_WATCHDOG_TIMEOUT, 2);				/* 2048 cycles */
	for (unsigned i = 0; i < 4; i++) {
		tg_cm_run(core_cm, 1500);
		core_wr(TG_REG_HEARTBEAT, 1);
	}
	CU_ASSERT_FALSE(core_rd(TG_REG_RISK_STATUS) & TG_RISK_STATUS_WATCHDOG_TRIPPED_MASK);
	tg_cm_run(core_cm, 3000);
	settle();
	uint32_t st = core_rd(TG_REG_RISK_STATUS);
	CU_ASSERT_TRUE(st & TG_RISK_STATUS_WATCHDOG_TRIPPED_MASK);
	CU_ASSERT_TRUE(st & TG_RISK_STATUS_KILLED_MASK);
	CU_ASSERT_FALSE(st & TG_RISK_STATUS_SWEEPING_MASK);
	CU_ASSERT_EQUAL_FATAL(npkt, 10);
	for (unsigned i = 0; i < 5; i++) {
		const uint8_t *c = pkt[5 + i].data;
		CU_ASSERT_EQUAL(c[3], 'X');
		CU_ASSERT_EQUAL(get_be(c + 4, 4), urn_of(1 + i, 10 * i + 1));
		CU_ASSERT_EQUAL(get_be(c + 8, 4), 0);
	}
	unsigned card_made = 0;
	while (next_event(TG_C2H_EVT_ORDER_DECISION, &ev))
		card_made += (ev.order_decision.flags & 2u) != 0;
	CU_ASSERT_EQUAL(card_made, 5);
	order(TG_RISK_IN_NEW, 50, 63, 0, TG_RISK_SIDE_BUY, 10, 100000);
	doorbell();
	settle();
	expect_decision(50, TG_RISK_R_KILLED);
	core_wr(TG_REG_WATCHDOG_TIMEOUT, 0);
	core_wr(TG_REG_WATCHDOG_CONTROL, TG_WATCHDOG_CONTROL_RESET_MASK);
	settle();
	CU_ASSERT_FALSE(core_rd(TG_REG_RISK_STATUS) &
			(TG_RISK_STATUS_WATCHDOG_TRIPPED_MASK | TG_RISK_STATUS_KILLED_MASK));
}

/* The watchdog trips while orders stream: every order the gate accepted,
 * including those decided after the trip, gets its Cancel Order. The trip
 * is moved across the stream a cycle at a time; the slots run downwards so
 * the last orders in flight are the sweep's first slots. */
static void test_watchdog_mid_stream(void)
{
	/* orders in the stream: enough for the trip to land among them at 8
	 * cycles or more even when the DMA brings one a cycle (DMA_BYTES 64) */
	enum { STREAM = 16 };
	unsigned missed = 0, tripped_in_stream = 0;

	for (unsigned at = 0; at < 120; at++) {
		unsigned entered = 0, canceled = 0;

		fresh();
		core_wr(TG_REG_WATCHDOG_TIMEOUT, 1);		/* 1024 cycles after the heartbeat */
		core_wr(TG_REG_HEARTBEAT, 1);
		tg_cm_run(core_cm, 1024 - 120 + at);
		for (unsigned i = 0; i < STREAM; i++)
			order(TG_RISK_IN_NEW, 1 + i, STREAM - 1 - i, 0, TG_RISK_SIDE_BUY, 10, 100000);
		doorbell();
		tg_cm_run(core_cm, 2000);
		settle();
		CU_ASSERT_TRUE(core_rd(TG_REG_RISK_STATUS) & TG_RISK_STATUS_WATCHDOG_TRIPPED_MASK);
		for (unsigned k = 0; k < npkt; k++) {
			entered += pkt[k].data[3] == 'O';
			canceled += pkt[k].data[3] == 'X';
		}
		tripped_in_stream += entered > 0 && entered < STREAM;
		missed += entered != canceled;
		CU_ASSERT_EQUAL(canceled, entered);
	}
	/* the trip did land among the orders, not only before or after them */
	CU_ASSERT(tripped_in_stream >= 8);
	CU_ASSERT_EQUAL(missed, 0);
}

/* The order-entry port not ready most cycles: every beat is held unchanged
 * until taken (the one offered in the decision's own cycle too), the queue
 * fills and the gate holds orders back, and every accepted order still
 * leaves whole, in decision order. */
static void test_port_backpressure(void)
{
	uint8_t want[64];

	rng_state = 0x7e1d0a7eull;
	tx_slow = true;
	fresh();
	for (unsigned i = 0; i < 32; i++)
		order(TG_RISK_IN_NEW, i, i, i % 2, TG_RISK_SIDE_BUY, 1 + i, 100000 + i);
	for (unsigned j = 0; j < 16; j++)
		order(TG_RISK_IN_REPLACE, 32 + j, j, 0, 0, 50, 100100 + j);
	for (unsigned k = 0; k < 16; k++)
		order(TG_RISK_IN_CANCEL, 48 + k, 16 + k, 0, 0, 0, 0);
	doorbell();
	settle();
	tx_slow = false;
	for (unsigned i = 0; i < 64; i++)
		expect_decision(i, TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL_FATAL(npkt, 64);
	for (unsigned i = 0; i < 32; i++) {
		size_t n = enter_order(want, urn_of(1 + i, i), 'B', 1 + i, i % 2 ? "ADBE    " : "CVLT    ",
				       100000 + i);
		CU_ASSERT_EQUAL(pkt[i].len, n);
		CU_ASSERT_EQUAL(memcmp(pkt[i].data, want, n), 0);
	}
	for (unsigned j = 0; j < 16; j++) {
		const uint8_t *r = pkt[32 + j].data;
		CU_ASSERT_EQUAL(pkt[32 + j].len, 43);
		CU_ASSERT_EQUAL(get_be(r, 4), (uint64_t)41 << 16 | 'U' << 8 | 'U');
		CU_ASSERT_EQUAL(get_be(r + 4, 4), urn_of(1 + j, j));
		CU_ASSERT_EQUAL(get_be(r + 8, 4), urn_of(33 + j, j));
		CU_ASSERT_EQUAL(get_be(r + 12, 4), 50);
		CU_ASSERT_EQUAL(get_be(r + 16, 8), 100100 + j);
	}
	for (unsigned k = 0; k < 16; k++) {
		const uint8_t *c = pkt[48 + k].data;
		CU_ASSERT_EQUAL(pkt[48 + k].len, 12);
		CU_ASSERT_EQUAL(get_be(c, 4), (uint64_t)10 << 16 | 'U' << 8 | 'X');
		CU_ASSERT_EQUAL(get_be(c + 4, 4), urn_of(17 + k, 16 + k));
		CU_ASSERT_EQUAL(get_be(c + 8, 4), 0);
	}
	const struct tg_cm_stats *st = tg_cm_stats(core_cm);
	/* 352 beats went out: the port held the card back more cycles than that */
	CU_ASSERT(st->oe_tx_stalls > 352);
	CU_ASSERT_EQUAL(st->oe_tx_unstable, 0);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_SENT_ENTER_LO), 32);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_SENT_REPLACE_LO), 16);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_SENT_CANCEL_LO), 16);
}

/*
 * A replace waits at a port that is not ready while the exchange rejects the
 * slot's replace before it, which makes the number before that one current
 * again. The beat on the port stays as it was offered (AXI-Stream): the
 * waiting replace names the number current when it was offered, and the
 * card records what it sent.
 */
static void test_held_beat_survives_reject(void)
{
	uint32_t u2 = urn_of(2, 5), u3 = urn_of(3, 5);

	rng_state = 0x4e1dull;
	tx_slow = true;
	fresh();
	order(TG_RISK_IN_NEW, 1, 5, 0, TG_RISK_SIDE_BUY, 100, 100000);
	order(TG_RISK_IN_REPLACE, 2, 5, 0, 0, 160, 100000);
	doorbell();
	settle();
	CU_ASSERT_EQUAL_FATAL(npkt, 2);
	tx_blocked = true;
	order(TG_RISK_IN_REPLACE, 3, 5, 0, 0, 150, 100000);
	doorbell();
	tg_cm_run(core_cm, 100);			/* decided, offered, held */
	CU_ASSERT_EQUAL(npkt, 2);
	rejected(u2, 'X');
	tg_cm_run(core_cm, 300);			/* the reject applied while the beat waits */
	tx_blocked = false;
	tx_slow = false;
	settle();
	CU_ASSERT_EQUAL_FATAL(npkt, 3);
	CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->oe_tx_unstable, 0);
	CU_ASSERT_EQUAL(get_be(pkt[2].data + 4, 4), u2);	/* as offered */
	CU_ASSERT_EQUAL(get_be(pkt[2].data + 8, 4), u3);
	/* 160, the replace to 150 added nothing, the reject took back the 60 */
	expect_slot(5, true, 100, u3);
}

/*
 * OE_CONTROL.LOAD_URN while the port holds an Enter Order's first beat: the
 * packet keeps the UserRefNum it offered and the card records that one (the
 * exchange's answers name it); the load takes effect from the next packet.
 */
static void test_urn_load_waits_for_held_packet(void)
{
	uint32_t held = urn_of(1, 3), loaded = urn_of(50, 4);

	rng_state = 0x10adull;
	tx_slow = true;
	tx_blocked = true;
	fresh();
	order(TG_RISK_IN_NEW, 1, 3, 0, TG_RISK_SIDE_BUY, 100, 100000);
	doorbell();
	tg_cm_run(core_cm, 100);			/* decided, offered, held */
	CU_ASSERT_EQUAL_FATAL(npkt, 0);
	core_wr(TG_REG_OE_URN_LOAD, 50);
	core_wr(TG_REG_OE_CONTROL, TG_OE_CONTROL_LOAD_URN_MASK);
	order(TG_RISK_IN_NEW, 2, 4, 1, TG_RISK_SIDE_SELL, 10, 100000);
	doorbell();
	tg_cm_run(core_cm, 100);
	CU_ASSERT_EQUAL(core_rd(TG_REG_OE_URN_NEXT), 1);	/* the held packet's, until it goes */
	tx_blocked = false;
	tx_slow = false;
	settle();
	CU_ASSERT_EQUAL_FATAL(npkt, 2);
	CU_ASSERT_EQUAL(tg_cm_stats(core_cm)->oe_tx_unstable, 0);
	CU_ASSERT_EQUAL(get_be(pkt[0].data + 4, 4), held);
	CU_ASSERT_EQUAL(get_be(pkt[1].data + 4, 4), loaded);
	expect_slot(3, true, 100, held);
	expect_slot(4, true, 10, loaded);
	CU_ASSERT_EQUAL(core_rd(TG_REG_OE_URN_NEXT), 51);
	/* the exchange's answer to the held order finds it */
	canceled(held, 100);
	settle();
	expect_slot(3, false, 0, held);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_UNMATCHED_LO), 0);
}

/*
 * A response looked up around the cycle an order of its slot is decided and
 * goes out. The lookup compares the UserRefNum with the slot's last two a
 * cycle before the response leaves, so it must compare again when a send
 * changes them (the RTL checks every compare it uses against the slot's
 * numbers of the cycle; a stale one stops the simulation). An Order
 * Accepted of the number before a replace, however it falls against the
 * replace, never takes the replace's added shares off: restated to 40
 * before the replace entered the gate, the replace makes it 150; after,
 * it is not applied (stamped with the slot's count of accepted orders as
 * it was looked up, or no longer current), and the replace's 150 stand.
 */
static void test_lookup_while_slot_sent(void)
{
	uint32_t u1 = urn_of(1, 5), u2 = urn_of(2, 5);
	unsigned not_150 = 0;

	/* the response (67 bytes, a byte a cycle) pushed 0..99 cycles before
	 * the doorbell of the replace; then again with the port stalling at
	 * random, so that the replace's decision and its send, both writes to
	 * the slot's tables, fall apart in time around the lookup */
	rx_trickle = true;
	rng_state = 0x10c0ffeeull;
	for (unsigned d = 0; d < 200; d++) {
		tx_slow = d >= 100;
		fresh();
		order(TG_RISK_IN_NEW, 1, 5, 0, TG_RISK_SIDE_BUY, 100, 100000);
		doorbell();
		settle();
		CU_ASSERT_EQUAL_FATAL(npkt, 1);
		order(TG_RISK_IN_REPLACE, 2, 5, 0, 0, 150, 100000);
		accepted(u1, 'B', 40, 100000, 'L');	/* restates u1 at 40 open */
		tg_cm_run(core_cm, d % 100);
		doorbell();
		settle();
		CU_ASSERT_EQUAL_FATAL(npkt, 2);
		core_wr(TG_REG_RISK_SLOT_SEL, 5);
		not_150 += core_rd(TG_REG_RISK_SLOT_REM) != 150;
		expect_slot(5, true, 150, u2);
		CU_ASSERT_EQUAL(core_rd64(TG_REG_OE_RX_UNMATCHED_LO), 0);
	}
	rx_trickle = false;
	tx_slow = false;
	CU_ASSERT_EQUAL(not_150, 0);
}

/* The card's latency counters agree with cycles counted outside the core. */
static void test_latency_counters(void)
{
	union tg_c2h_record ev;
	uint64_t in_cycle[32], decided[32];

	fresh();
	for (unsigned i = 0; i < 32; i++)
		order(TG_RISK_IN_NEW, i, i, i % 2, TG_RISK_SIDE_BUY, 1, 100000 + i);
	doorbell();
	settle();
	for (unsigned i = 0; i < 32; i++) {
		CU_ASSERT_TRUE_FATAL(next_event(TG_C2H_EVT_ORDER_DECISION, &ev));
		in_cycle[i] = ev.order_decision.in_cycle;
		CU_ASSERT_EQUAL(ev.order_decision.timestamp - in_cycle[i], 3);	/* decided 3 cycles after entering */
		decided[i] = ev.order_decision.timestamp;
	}
	CU_ASSERT_EQUAL_FATAL(npkt, 32);
	/* each starts out in the cycle of its decision, or, when the packet
	 * before still holds the port (orders come a DMA read's beats apart, a
	 * packet is 8 bytes a beat), right behind its last beat */
	for (unsigned i = 0; i < 32; i++) {
		uint64_t free_at = i == 0 ? 0 : pkt[i - 1].cycle + (pkt[i - 1].len + 7) / 8;

		CU_ASSERT_EQUAL(pkt[i].cycle, decided[i] > free_at ? decided[i] : free_at);
	}
	uint64_t lo = UINT64_MAX, hi = 0, sum = 0;
	for (unsigned i = 0; i < 32; i++) {
		uint64_t l = pkt[i].cycle - in_cycle[i];
		lo = l < lo ? l : lo;
		hi = l > hi ? l : hi;
		sum += l;
	}
	CU_ASSERT_EQUAL(core_rd64(TG_REG_ORDER_LAT_COUNT_LO), 32);
	CU_ASSERT_EQUAL(core_rd(TG_REG_ORDER_LAT_MIN), lo);
	CU_ASSERT_EQUAL(core_rd(TG_REG_ORDER_LAT_MAX), hi);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_ORDER_LAT_SUM_LO), sum);
	CU_ASSERT_EQUAL(core_rd(TG_REG_ORDER_LAT_LAST), pkt[31].cycle - in_cycle[31]);
	uint64_t binsum = 0;
	for (unsigned b = 0; b < 32; b++) {
		core_wr(TG_REG_LAT_SEL, b);
		binsum += core_rd64(TG_REG_ORDER_LAT_BIN_LO);
	}
	CU_ASSERT_EQUAL(binsum, 32);
	core_wr(TG_REG_LAT_SEL, (uint32_t)lo);
	CU_ASSERT_TRUE(core_rd64(TG_REG_ORDER_LAT_BIN_LO) >= 1);
	core_wr(TG_REG_LAT_CONTROL, TG_LAT_CONTROL_CLEAR_MASK);
	CU_ASSERT_EQUAL(core_rd64(TG_REG_ORDER_LAT_COUNT_LO), 0);
	CU_ASSERT_EQUAL(core_rd(TG_REG_ORDER_LAT_MIN), 0xffffffffu);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "contract and limit read-back", test_contract },
		{ "enter order bytes", test_enter_order_bytes },
		{ "replace and cancel", test_replace_and_cancel },
		{ "responses update the gate", test_responses_update_gate },
		{ "a rejected replace takes back what it added", test_rejected_replace },
		{ "responses update the gate, stream split at random", test_responses_update_gate_split },
		{ "a burst of executions waits in the skid buffers", test_response_burst },
		{ "executions, a command, orders and the kill at once", test_side_sources_with_kill },
		{ "response decoder: every type, whole beats", test_decoder_whole_beats },
		{ "response decoder: every type, any split", test_decoder_any_split },
		{ "response decoder: a beat a cycle", test_decoder_rate },
		{ "collar, position limit, instrument kill, halt", test_collar_and_limits },
		{ "reference prices and halts from the book", test_reference_from_book },
		{ "two instruments' references move together", test_references_of_two_instruments },
		{ "kill blocks the next order", test_kill_blocks_next_order },
		{ "kill with the order-entry port stopped", test_kill_with_port_stopped },
		{ "watchdog kills and cancels", test_watchdog },
		{ "watchdog trips while orders stream", test_watchdog_mid_stream },
		{ "order-entry port not ready: beats held, nothing lost", test_port_backpressure },
		{ "a held replace's beat survives a reject of the one before", test_held_beat_survives_reject },
		{ "a UserRefNum load waits for the packet the port holds", test_urn_load_waits_for_held_packet },
		{ "a response looked up as its slot's order goes out", test_lookup_while_slot_sent },
		{ "latency counters", test_latency_counters },
	};

	return tg_cunit_run("rtl_orders", core_suite_init, core_suite_clean, tests, TG_CUNIT_COUNT(tests));
}
