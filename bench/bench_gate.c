/*
 * bench_gate: the pre-trade risk gate measured through the whole core.
 *
 * The Verilated tg_core on the bench's card model (sim/card_model.h): host
 * rings in local memory served by a zero-latency DMA responder (one phase
 * gives its reads a PCIe-like latency), the order-entry port always ready. Orders go in as H2C ORDER records, leave
 * as OUCH 5.0 Enter Order messages in SoupBinTCP packets, and the bench
 * plays the exchange: it decodes every packet with libtickgate's codecs
 * and answers each Enter Order at once with an Order Canceled of its whole
 * quantity (an IOC order that did not trade), which frees the order's slot
 * for a later order. Every order comes from one seeded stream (instrument,
 * side, quantity, price, and the idle cycles between doorbells), tagged so
 * the packet that leaves names the order it came from (ClOrdID).
 *
 * Four phases, each on a fresh card:
 *
 *   1. latency: orders one doorbell each, with seeded gaps. Order latency
 *      (record entering the gate -> first OUCH byte out) as the card's
 *      ORDER_LAT_* registers and histogram report it, and as the bench
 *      counts it from the decision event's gate-entry stamp to the cycle
 *      the packet's first beat crossed the port; the two must agree
 *      exactly. Also, counted at the ports only: doorbell write issued ->
 *      first OUCH byte, for orders that found the card idle.
 *   2. burst: one doorbell for as many orders as the gate has slots, no
 *      exchange traffic: orders per cycle into the gate and out the port,
 *      with the H2C ring full the whole time.
 *   3. sustained: --orders orders kept streaming. The gate has a fixed
 *      number of order slots and a slot is free again only once the
 *      exchange's answer was applied, so the exchange answers every order
 *      and the stream runs as fast as that loop allows: the same rates,
 *      the beats per cycle of the order-entry port and of the DMA write
 *      channel (C2H events), the exchange bytes per cycle and how often
 *      they waited for the card, and from those the resource that limits.
 *   3b. sustained again with every DMA read taking --dma-latency cycles
 *      more (a PCIe read of host memory: hundreds of ns), so the H2C
 *      engine's reads in flight are what keeps orders coming.
 *   4. kill: orders streaming back to back (the exchange's answers held
 *      back while a kill lands, so the H2C ring stays full); at a seeded
 *      cycle a KILL register write, then KILL released once the gate has
 *      blocked a few orders; --kills times. KILL_LAT_LAST per kill
 *      (register change -> first blocked decision), and the bench's own
 *      count from the cycle the write was issued on AXI-Lite. Checked
 *      every time: the register changed within the write's own
 *      transaction, every order that entered the gate after the kill was
 *      blocked and none before it.
 *
 * Checked in every phase: exactly the accepted orders left as OUCH, each
 * once, and no order was rejected for another reason.
 *
 * The simulator's speed (cycles per wall second) is context, reported with
 * the idle model's speed measured in the same run as the baseline.
 *
 * Prints one JSON object; exits 1 when a check fails.
 * usage: bench_gate [--orders N] [--seed S] [--kills N] [--dma-latency CYCLES]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "card_model.h"
#include "tickgate/card.h"
#include "tickgate/json.h"
#include "tickgate/ouch.h"
#include "tickgate/ring.h"
#include "tickgate/soupbin.h"

#define BUS 0x4000000000ull
#define MEM_BYTES (2u << 20)
#define H2C_LOG2 9u
#define C2H_LOG2 12u
#define C2H_OFF (1u << 20)
#define INSTRUMENTS 4u
#define MAX_QTY 1000u
#define LAT_BINS 32u
#define KILL_BLOCKED 4u		/* orders blocked before each kill is released */

/* a ring record's beats on the model's DMA ports (TG_VCORE_DMA_BYTES a beat) */
#if TG_VCORE_DMA_BYTES == 8
#define BEATS_PER_RECORD_TEXT "8 beats of 64 bits"
#elif TG_VCORE_DMA_BYTES == 16
#define BEATS_PER_RECORD_TEXT "4 beats of 128 bits"
#elif TG_VCORE_DMA_BYTES == 32
#define BEATS_PER_RECORD_TEXT "2 beats of 256 bits"
#else
#define BEATS_PER_RECORD_TEXT "1 beat of 512 bits"
#endif

enum { OP_SET = 1, OP_COMMIT = 2 };

/* what the bench knows of one order, by tag */
struct order {
	uint64_t doorbell;	/* core cycle its doorbell write was issued */
	uint64_t in_cycle;	/* entered the gate (decision event) */
	uint64_t decided;	/* decision out of the gate */
	uint64_t first_byte;	/* first beat of its OUCH packet at the port */
	uint32_t qty;
	uint16_t slot;
	uint8_t reason;
	bool has_decision;
	bool isolated;		/* the card had decided every earlier order at its doorbell */
	unsigned packets;	/* Enter Orders that named it */
};

struct bench {
	uint8_t *mem;
	struct tg_card_model *cm;
	struct tg_ring h2c, c2h;
	uint32_t c2h_acked;
	unsigned slots;
	uint32_t *slot_free;	/* stack of free slots */
	unsigned n_free;
	struct order *ord;	/* index: tag - 1 */
	uint32_t n_ord, cap_ord;
	uint64_t decided, accepted, killed, other_reject;
	uint64_t packets, port_beats, bad_packets, unmatched_resp;
	bool respond;		/* play the exchange: answer every order at once */
	struct owed {
		uint32_t urn, qty;
	} *owed;		/* orders not answered yet (respond false) */
	unsigned n_owed;
	uint64_t rng;
	int failed;
};

static uint64_t rnd(struct bench *b)
{
	b->rng += 0x9e3779b97f4a7c15ull;	/* splitmix64 */
	uint64_t z = b->rng;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void check(struct bench *b, bool ok, const char *what)
{
	if (!ok) {
		if (b->failed++ < 10)
			fprintf(stderr, "bench_gate: check failed: %s\n", what);
	}
}

static void wr(struct bench *b, uint32_t reg, uint32_t v)
{
	check(b, tg_cm_csr_write(b->cm, reg, v, 0xf) == TG_CM_CSR_OK, "CSR write");
}

static uint32_t rd(struct bench *b, uint32_t reg)
{
	uint32_t v = 0;

	check(b, tg_cm_csr_read(b->cm, reg, &v) == TG_CM_CSR_OK, "CSR read");
	return v;
}

static uint64_t rd64(struct bench *b, uint32_t lo)
{
	uint32_t l = rd(b, lo);

	return (uint64_t)rd(b, lo + 4) << 32 | l;
}

static struct order *order_of_clordid(struct bench *b, const char *clordid)
{
	char digits[TG_OUCH_CLORDID_LEN + 1];
	unsigned long tag;
	char *end;

	if (clordid[0] != 'G' || clordid[1] != 'B')
		return NULL;
	memcpy(digits, clordid + 2, TG_OUCH_CLORDID_LEN - 2);
	digits[TG_OUCH_CLORDID_LEN - 2] = '\0';
	tag = strtoul(digits, &end, 10);
	if (end == digits || (*end != ' ' && *end != '\0') || tag == 0 || tag > b->n_ord)
		return NULL;
	return &b->ord[tag - 1];
}

/* The exchange's answer to an Enter Order: canceled whole (an IOC order that did not trade). */
static void answer(struct bench *b, uint32_t urn, uint32_t qty, uint64_t core_cycle)
{
	struct tg_ouch_msg ans;
	uint8_t ouch[64], pkt[80];
	int n;

	memset(&ans, 0, sizeof(ans));
	ans.kind = TG_OUCH_ORDER_CANCELED;
	ans.u.canceled.timestamp = 34200000000000ull + core_cycle;	/* 09:30 + a ns a cycle */
	ans.u.canceled.user_ref_num = urn;
	ans.u.canceled.quantity = qty;
	ans.u.canceled.reason = 'I';	/* immediate or cancel */
	n = tg_ouch_encode(&ans, ouch, sizeof(ouch));
	if (n > 0)
		n = tg_soup_encode(pkt, sizeof(pkt), TG_SOUP_SEQUENCED, ouch, (size_t)n);
	check(b, n > 0 && tg_cm_oe_push(b->cm, pkt, (size_t)n), "answering an order");
}

/* The order-entry port: a SoupBinTCP packet the card sent, whole. */
static void on_packet(void *ctx, uint64_t core_cycle, const uint8_t *data, size_t len)
{
	struct bench *b = ctx;
	struct tg_soup_packet sp;
	struct tg_ouch_msg m;
	struct order *o;

	b->packets++;
	b->port_beats += (len + 7) / 8;
	if (tg_soup_decode(data, len, &sp) != (int)len || sp.type != TG_SOUP_UNSEQUENCED ||
	    tg_ouch_decode(TG_OUCH_IN, sp.payload, sp.len, &m) != TG_OK || m.kind != TG_OUCH_ENTER_ORDER ||
	    (o = order_of_clordid(b, m.u.enter.clordid)) == NULL) {
		b->bad_packets++;
		return;
	}
	if (o->packets++ == 0)
		o->first_byte = core_cycle;
	if (b->respond)
		answer(b, m.u.enter.user_ref_num, m.u.enter.quantity, core_cycle);
	else if (b->n_owed < b->slots)
		b->owed[b->n_owed++] = (struct owed){ m.u.enter.user_ref_num, m.u.enter.quantity };
}

static void free_slot(struct bench *b, unsigned slot)
{
	b->slot_free[b->n_free++] = slot;
}

/* Take every event the card wrote; returns how many. */
static unsigned drain(struct bench *b)
{
	union tg_c2h_record ev;
	unsigned n = 0;

	while (tg_ring_pop(&b->c2h, &ev)) {
		n++;
		if (ev.hdr.type == TG_C2H_EVT_ORDER_DECISION) {
			const struct tg_c2h_order_decision *d = &ev.order_decision;
			struct order *o = d->tag >= 1 && d->tag <= b->n_ord ? &b->ord[d->tag - 1] : NULL;

			check(b, o != NULL && !o->has_decision, "one decision per order");
			if (o == NULL)
				continue;
			o->has_decision = true;
			o->reason = d->reason;
			o->in_cycle = d->in_cycle;
			o->decided = d->timestamp;
			b->decided++;
			if (d->reason == TG_RISK_R_ACCEPTED) {
				b->accepted++;
			} else {
				b->killed += d->reason == TG_RISK_R_KILLED;
				b->other_reject += d->reason != TG_RISK_R_KILLED;
				free_slot(b, o->slot);
			}
		} else if (ev.hdr.type == TG_C2H_EVT_ORDER_RESP) {
			/* the exchange's Order Canceled closed the slot */
			if (ev.order_resp.flags & 1u)
				free_slot(b, ev.order_resp.slot);
			else
				b->unmatched_resp++;
		}
	}
	/* give the space back in batches: each CSR write costs a few cycles */
	if (b->c2h.index - b->c2h_acked >= 64 || (n > 0 && !tg_ring_peek(&b->c2h))) {
		wr(b, TG_REG_C2H_CONS, b->c2h.index);
		b->c2h_acked = b->c2h.index;
	}
	return n;
}

static void step(struct bench *b, uint64_t cycles)
{
	for (uint64_t i = 0; i < cycles; i++) {
		tg_cm_run(b->cm, 1);
		drain(b);
	}
}

static void set_limit(struct bench *b, unsigned field, unsigned inst, uint64_t v)
{
	wr(b, TG_REG_RISK_SEL, field << TG_RISK_SEL_FIELD_SHIFT | inst << TG_RISK_SEL_INST_SHIFT);
	wr(b, TG_REG_RISK_VALUE_LO, (uint32_t)v);
	wr(b, TG_REG_RISK_VALUE_HI, (uint32_t)(v >> 32));
	wr(b, TG_REG_RISK_CMD, OP_SET);
	for (int i = 0; i < 100 && (rd(b, TG_REG_RISK_STATUS) & TG_RISK_STATUS_CMD_PENDING_MASK); i++)
		tg_cm_run(b->cm, 1);
}

/* A fresh card: rings, INSTRUMENTS named instruments, limits that every order of the stream passes;
 * DMA reads answered dma_latency cycles later than at once. */
static int bench_open(struct bench *b, uint64_t seed, uint32_t max_orders, uint32_t dma_latency)
{
	struct tg_cm_config cfg = { .mem_bytes = MEM_BYTES, .bus_base = BUS, .oe_packet = on_packet,
				    .dma_rd_latency = dma_latency };
	size_t hb = tg_ring_mem_bytes(H2C_LOG2, TG_RECORD_BYTES), cb = tg_ring_mem_bytes(C2H_LOG2, TG_RECORD_BYTES);

	memset(b, 0, sizeof(*b));
	b->rng = seed;
	b->respond = true;
	b->cap_ord = max_orders;
	b->mem = aligned_alloc(4096, MEM_BYTES);
	b->ord = calloc(max_orders, sizeof(*b->ord));
	if (b->mem == NULL || b->ord == NULL)
		return -1;
	memset(b->mem, 0, MEM_BYTES);
	cfg.mem = b->mem;
	cfg.oe_packet_ctx = b;
	b->cm = tg_cm_new(&cfg);
	if (b->cm == NULL || tg_ring_format(b->mem, hb, H2C_LOG2, TG_RECORD_BYTES) != TG_OK ||
	    tg_ring_attach(&b->h2c, b->mem, hb, H2C_LOG2, TG_RECORD_BYTES) != TG_OK ||
	    tg_ring_format(b->mem + C2H_OFF, cb, C2H_LOG2, TG_RECORD_BYTES) != TG_OK ||
	    tg_ring_attach(&b->c2h, b->mem + C2H_OFF, cb, C2H_LOG2, TG_RECORD_BYTES) != TG_OK)
		return -1;
	const uint32_t setup[][2] = {
		{ TG_REG_H2C_BASE_LO, (uint32_t)BUS }, { TG_REG_H2C_BASE_HI, (uint32_t)(BUS >> 32) },
		{ TG_REG_H2C_SIZE, H2C_LOG2 }, { TG_REG_C2H_BASE_LO, (uint32_t)(BUS + C2H_OFF) },
		{ TG_REG_C2H_BASE_HI, (uint32_t)((BUS + C2H_OFF) >> 32) }, { TG_REG_C2H_SIZE, C2H_LOG2 },
		{ TG_REG_RING_CONTROL, TG_RING_CONTROL_H2C_EN_MASK | TG_RING_CONTROL_C2H_EN_MASK },
	};
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
		wr(b, setup[i][0], setup[i][1]);
	b->slots = 1u << ((rd(b, TG_REG_RISK_PARAMS) & TG_RISK_PARAMS_SLOTS_LOG2_MASK) >> TG_RISK_PARAMS_SLOTS_LOG2_SHIFT);
	b->slot_free = malloc(b->slots * 2 * sizeof(uint32_t));
	b->owed = malloc(b->slots * sizeof(*b->owed));
	if (b->slot_free == NULL || b->owed == NULL)
		return -1;
	for (unsigned s = b->slots; s-- > 0;)
		free_slot(b, s);
	for (unsigned i = 0; i < INSTRUMENTS; i++) {
		char sym[9];
		uint32_t lo, hi;

		snprintf(sym, sizeof(sym), "BG%c     ", 'A' + i);
		memcpy(&lo, sym, 4);
		memcpy(&hi, sym + 4, 4);
		for (int t = 0; t < 1000 && !(rd(b, TG_REG_BOOK_STATUS) & TG_BOOK_STATUS_READY_MASK); t++)
			tg_cm_run(b->cm, 64);
		wr(b, TG_REG_BOOK_INST_SEL, i);
		wr(b, TG_REG_BOOK_INST_SYMBOL_LO, lo);
		wr(b, TG_REG_BOOK_INST_SYMBOL_HI, hi);
		wr(b, TG_REG_BOOK_INST_LOCATE, 200 + i);
		wr(b, TG_REG_BOOK_INST_CMD, TG_BOOK_INST_CMD_SET_LOCATE_MASK);
		set_limit(b, TG_RISK_LIM_ENABLED, i, 1);
		set_limit(b, TG_RISK_LIM_MAX_ORDER_QTY, i, MAX_QTY);
		set_limit(b, TG_RISK_LIM_MAX_ORDER_NOTIONAL, i, 1ull << 40);
		set_limit(b, TG_RISK_LIM_MAX_LONG, i, 1000000000);	/* 32-bit fields */
		set_limit(b, TG_RISK_LIM_MAX_SHORT, i, 1000000000);
		set_limit(b, TG_RISK_LIM_MAX_OPEN, i, b->slots);
	}
	set_limit(b, TG_RISK_LIM_MAX_GROSS, 0, 1ull << 60);
	set_limit(b, TG_RISK_LIM_MAX_NET, 0, 1ull << 60);
	set_limit(b, TG_RISK_LIM_MAX_OPEN_ALL, 0, b->slots);
	wr(b, TG_REG_RISK_CMD, OP_COMMIT);
	step(b, 64);
	check(b, rd64(b, TG_REG_RISK_BAD_INPUTS_LO) == 0, "every limit written taken by the gate");
	wr(b, TG_REG_LAT_CONTROL, TG_LAT_CONTROL_CLEAR_MASK);
	return b->failed ? -1 : 0;
}

static void bench_close(struct bench *b)
{
	tg_cm_free(b->cm);
	free(b->mem);
	free(b->ord);
	free(b->slot_free);
	free(b->owed);
}

/* Queue the stream's next order on the H2C ring (no doorbell); false when
 * no slot is free, the ring is full or the phase has used its orders. */
static bool push_order(struct bench *b)
{
	union tg_h2c_record r;
	char id[TG_OUCH_CLORDID_LEN + 1];

	if (b->n_free == 0 || b->n_ord == b->cap_ord || tg_ring_space(&b->h2c) == 0)
		return false;
	struct order *o = &b->ord[b->n_ord];
	uint32_t tag = ++b->n_ord;

	memset(&r, 0, sizeof(r));
	r.order.opcode = TG_H2C_OP_ORDER;
	r.order.tag = tag;
	r.order.kind = TG_RISK_IN_NEW;
	r.order.instrument = (uint8_t)(rnd(b) % INSTRUMENTS);
	r.order.side = (uint8_t)(rnd(b) % 3);	/* buy, sell, sell short */
	r.order.slot = (uint16_t)b->slot_free[--b->n_free];
	r.order.qty = 1 + (uint32_t)(rnd(b) % MAX_QTY);
	r.order.price = 100000 + (uint32_t)(rnd(b) % 1900000);	/* $10 .. $200 */
	r.order.tif = '3';
	r.order.display = 'Y';
	r.order.capacity = 'P';
	r.order.ise = 'N';
	r.order.cross_type = 'N';
	snprintf(id, sizeof(id), "GB%-12" PRIu32, tag);
	memcpy(r.order.clordid, id, TG_OUCH_CLORDID_LEN);
	o->slot = r.order.slot;
	o->qty = r.order.qty;
	o->isolated = b->decided == b->n_ord - 1;
	check(b, tg_ring_push(&b->h2c, &r), "H2C push");
	return true;
}

static void doorbell(struct bench *b, uint32_t first_new_tag)
{
	uint64_t now = tg_cm_core_cycle(b->cm);

	for (uint32_t t = first_new_tag; t <= b->n_ord; t++)
		b->ord[t - 1].doorbell = now;
	wr(b, TG_REG_H2C_PROD, b->h2c.index);
}

/* Keep the H2C ring stocked: push what the free slots allow, one doorbell. */
static void top_up(struct bench *b)
{
	uint32_t first = b->n_ord + 1;

	while (push_order(b)) {
	}
	if (b->n_ord >= first)
		doorbell(b, first);
}

/* Run until every order pushed is decided and its packet (if any) is out. */
static void settle(struct bench *b)
{
	for (int i = 0; i < 100000 && (b->decided < b->n_ord || !tg_cm_idle(b->cm, 64)); i++)
		step(b, 1);
	drain(b);
	check(b, b->decided == b->n_ord, "every order decided");
}

struct mmm {
	uint64_t n, min, median, max;
};

static struct mmm summarize(uint64_t *v, uint64_t n)
{
	struct mmm s = { n, 0, 0, 0 };

	if (n > 0) {
		qsort(v, n, sizeof(*v), bench_cmp_u64);
		s.min = v[0];
		s.median = v[(n - 1) / 2];
		s.max = v[n - 1];
	}
	return s;
}

/* lowest latency a histogram bin counts (card.yaml LAT_SEL: 0..23 exact, then doubling) */
static uint64_t bin_low(unsigned bin)
{
	return bin < 25 ? bin : 1ull << (bin - 20);
}

/* The histogram's median: the lowest latency of the bin holding the middle sample (exact below 24). */
static uint64_t hist_median(struct bench *b, uint32_t bin_reg, uint64_t *total)
{
	uint64_t bins[LAT_BINS], sum = 0, seen = 0;

	for (unsigned i = 0; i < LAT_BINS; i++) {
		wr(b, TG_REG_LAT_SEL, i);
		bins[i] = rd64(b, bin_reg);
		sum += bins[i];
	}
	*total = sum;
	for (unsigned i = 0; i < LAT_BINS; i++) {
		seen += bins[i];
		if (sum > 0 && seen >= (sum + 1) / 2)
			return bin_low(i);
	}
	return 0;
}

static void json_mmm(struct tg_json *j, const char *key, const char *what, struct mmm s)
{
	const double ns = 1e9 / TG_CARD_CLOCK_HZ;

	tg_json_object_begin(j, key);
	if (what != NULL)
		tg_json_string(j, "what", what);
	tg_json_u64(j, "samples", s.n);
	tg_json_u64(j, "min", s.min);
	tg_json_u64(j, "median", s.median);
	tg_json_u64(j, "max", s.max);
	tg_json_double(j, "min_ns", (double)s.min * ns);
	tg_json_double(j, "median_ns", (double)s.median * ns);
	tg_json_double(j, "max_ns", (double)s.max * ns);
	tg_json_object_end(j);
}

/* Every accepted order left as exactly one Enter Order, no other order did, nothing else left. */
static void check_port(struct bench *b)
{
	uint64_t out = 0, wrong = 0;

	for (uint32_t i = 0; i < b->n_ord; i++) {
		const struct order *o = &b->ord[i];

		out += o->packets;
		wrong += o->packets != (o->has_decision && o->reason == TG_RISK_R_ACCEPTED ? 1u : 0u);
	}
	check(b, wrong == 0 && out == b->accepted && b->bad_packets == 0, "exactly the accepted orders left as OUCH");
	check(b, b->other_reject == 0, "no order rejected for another reason than the kill");
	check(b, b->unmatched_resp == 0, "every exchange answer matched an open order");
}

/* The exchange answers every order it owes; the card frees their slots. */
static void pay_owed(struct bench *b)
{
	for (unsigned i = 0; i < b->n_owed; i++)
		answer(b, b->owed[i].urn, b->owed[i].qty, tg_cm_core_cycle(b->cm));
	b->n_owed = 0;
	settle(b);
	check(b, b->n_free == b->slots, "every slot free once the exchange answered");
}

/* ---- 1. latency ---- */

static int phase_latency(struct tg_json *j, uint64_t seed, uint32_t n)
{
	struct bench b;
	uint64_t *lat = malloc(n * sizeof(uint64_t)), *db = malloc(n * sizeof(uint64_t)), nl = 0, nd = 0, sum = 0;

	if (lat == NULL || db == NULL || bench_open(&b, seed, n, 0) != 0)
		return -1;
	while (b.n_ord < n) {
		uint32_t first = b.n_ord + 1;

		if (!push_order(&b)) {
			step(&b, 1);
			continue;
		}
		doorbell(&b, first);
		step(&b, rnd(&b) % 48);
	}
	settle(&b);
	check_port(&b);
	for (uint32_t i = 0; i < n; i++) {
		const struct order *o = &b.ord[i];

		if (o->packets != 1)
			continue;
		lat[nl++] = o->first_byte - o->in_cycle;
		sum += o->first_byte - o->in_cycle;
		if (o->isolated)
			db[nd++] = o->first_byte - o->doorbell;
	}
	uint64_t count = rd64(&b, TG_REG_ORDER_LAT_COUNT_LO), card_sum = rd64(&b, TG_REG_ORDER_LAT_SUM_LO);
	uint64_t card_min = rd(&b, TG_REG_ORDER_LAT_MIN), card_max = rd(&b, TG_REG_ORDER_LAT_MAX), hist_n;
	uint64_t card_median = hist_median(&b, TG_REG_ORDER_LAT_BIN_LO, &hist_n);
	struct mmm own = summarize(lat, nl), door = summarize(db, nd);
	bool agree = count == nl && hist_n == nl && card_sum == sum && card_min == own.min && card_max == own.max &&
		     (own.median >= 24 || card_median == own.median);

	check(&b, agree, "the card's order latency registers agree with the cycles counted at the port");
	check(&b, nl == n, "every order of the latency phase accepted");
	tg_json_object_begin(j, "order_latency_cycles");
	tg_json_string(j, "what", "order record entering the gate -> first OUCH byte leaving the order-entry port");
	tg_json_u64(j, "orders", n);
	tg_json_object_begin(j, "card_registers");
	tg_json_u64(j, "count", count);
	tg_json_u64(j, "min", card_min);
	tg_json_u64(j, "median_from_histogram", card_median);
	tg_json_u64(j, "max", card_max);
	tg_json_double(j, "mean", count ? (double)card_sum / (double)count : 0.0);
	tg_json_object_end(j);
	json_mmm(j, "bench_count", "decision event's gate-entry cycle -> the packet's first beat at the port", own);
	tg_json_bool(j, "registers_agree_with_bench_count", agree);
	tg_json_object_end(j);
	json_mmm(j, "doorbell_to_first_ouch_byte_cycles",
		 "H2C_PROD write issued on AXI-Lite -> first OUCH byte at the port, orders that found the card idle "
		 "(H2C DMA fetch with a zero-latency responder included)", door);
	int rc = b.failed ? -1 : 0;
	bench_close(&b);
	free(lat);
	free(db);
	return rc;
}

/* ---- 2. and 3. orders per cycle ---- */

struct rate {
	uint64_t orders, accepted, packets, cycles;
	double gate_orders_per_cycle, port_orders_per_cycle;
	double port_beats_per_cycle, dma_write_beats_per_cycle, dma_read_beats_per_cycle, h2c_records_per_cycle;
	double rx_bytes_per_cycle, rx_backlog_fraction;
	double port_beats_per_order;
	double cycles_per_s, idle_cycles_per_s;
	uint64_t lat_max;
	uint32_t dma_latency;
};

/* counters at the start and the end of a measured window */
struct snap {
	uint64_t cycles, h2c_records, dma_write_beats, dma_read_beats, port_beats, rx_bytes, rx_backlog;
	double t;
};

static struct snap take_snap(struct bench *b)
{
	struct snap s = { .h2c_records = rd64(b, TG_REG_H2C_RECORDS_LO) };

	s.cycles = tg_cm_stats(b->cm)->cycles;
	s.dma_write_beats = tg_cm_stats(b->cm)->dma_write_beats;
	s.dma_read_beats = tg_cm_stats(b->cm)->dma_read_beats;
	s.port_beats = b->port_beats;
	s.rx_bytes = tg_cm_stats(b->cm)->oe_bytes_in;
	s.rx_backlog = tg_cm_stats(b->cm)->oe_rx_waiting;
	s.t = bench_now_s();
	return s;
}

static void rates(struct bench *b, struct rate *r, const struct snap *s0, const struct snap *s1)
{
	uint64_t in0 = UINT64_MAX, in1 = 0, out0 = UINT64_MAX, out1 = 0, nin = 0, nout = 0;

	for (uint32_t i = 0; i < b->n_ord; i++) {
		const struct order *o = &b->ord[i];

		if (o->reason == TG_RISK_R_ACCEPTED && o->has_decision) {
			nin++;
			in0 = o->in_cycle < in0 ? o->in_cycle : in0;
			in1 = o->in_cycle > in1 ? o->in_cycle : in1;
		}
		if (o->packets == 1) {
			nout++;
			out0 = o->first_byte < out0 ? o->first_byte : out0;
			out1 = o->first_byte > out1 ? o->first_byte : out1;
		}
	}
	/* n orders over the cycles from the first to the last: n - 1 intervals */
	r->gate_orders_per_cycle = nin > 1 ? (double)(nin - 1) / (double)(in1 - in0) : 0;
	r->port_orders_per_cycle = nout > 1 ? (double)(nout - 1) / (double)(out1 - out0) : 0;
	r->orders = b->n_ord;
	r->accepted = b->accepted;
	r->packets = b->packets;
	r->cycles = s1->cycles - s0->cycles;
	r->port_beats_per_cycle = (double)(s1->port_beats - s0->port_beats) / (double)r->cycles;
	r->dma_write_beats_per_cycle = (double)(s1->dma_write_beats - s0->dma_write_beats) / (double)r->cycles;
	r->dma_read_beats_per_cycle = (double)(s1->dma_read_beats - s0->dma_read_beats) / (double)r->cycles;
	r->h2c_records_per_cycle = (double)(s1->h2c_records - s0->h2c_records) / (double)r->cycles;
	r->rx_bytes_per_cycle = (double)(s1->rx_bytes - s0->rx_bytes) / (double)r->cycles;
	r->rx_backlog_fraction = (double)(s1->rx_backlog - s0->rx_backlog) / (double)r->cycles;
	r->port_beats_per_order = b->packets ? (double)b->port_beats / (double)b->packets : 0;
	r->cycles_per_s = (double)r->cycles / (s1->t - s0->t);
	r->lat_max = rd(b, TG_REG_ORDER_LAT_MAX);
}

static int phase_burst(uint64_t seed, struct rate *r)
{
	struct bench b;

	if (bench_open(&b, seed, 1u << 10, 0) != 0)
		return -1;
	b.respond = false;	/* no exchange traffic while it runs: the slots are the burst */
	b.cap_ord = b.slots;
	struct snap s0 = take_snap(&b);

	top_up(&b);
	settle(&b);
	struct snap s1 = take_snap(&b);

	rates(&b, r, &s0, &s1);
	check_port(&b);
	check(&b, b.accepted == b.slots, "the burst accepted whole");
	int rc = b.failed ? -1 : 0;
	bench_close(&b);
	return rc;
}

static int phase_sustained(uint64_t seed, uint32_t n, uint32_t dma_latency, struct rate *r)
{
	struct bench b;

	if (bench_open(&b, seed, n, dma_latency) != 0)
		return -1;
	r->dma_latency = dma_latency;
	/* the baseline for the simulator's speed: this card, idle, just before */
	double t0 = bench_now_s();
	tg_cm_run(b.cm, 200000);
	r->idle_cycles_per_s = 200000 / (bench_now_s() - t0);
	/* the window: from the first doorbell to the last order queued */
	struct snap s0 = take_snap(&b);

	while (b.n_ord < n) {
		top_up(&b);
		step(&b, 1);
	}
	struct snap s1 = take_snap(&b);

	settle(&b);
	rates(&b, r, &s0, &s1);
	check_port(&b);
	check(&b, b.accepted == n, "every order of the sustained phase accepted");
	int rc = b.failed ? -1 : 0;
	bench_close(&b);
	return rc;
}

static void json_rate(struct tg_json *j, const char *key, const char *what, const struct rate *r)
{
	tg_json_object_begin(j, key);
	tg_json_string(j, "what", what);
	tg_json_u64(j, "orders", r->orders);
	tg_json_u64(j, "accepted", r->accepted);
	tg_json_u64(j, "ouch_messages_out", r->packets);
	tg_json_u64(j, "cycles", r->cycles);
	if (r->dma_latency > 0)
		tg_json_u64(j, "dma_read_latency_cycles", r->dma_latency);
	const struct {
		const char *key;
		double v;
	} per_cycle[] = {
		{ "orders_per_cycle_accepted_by_gate", r->gate_orders_per_cycle },
		{ "orders_per_cycle_out_the_port", r->port_orders_per_cycle },
		{ "h2c_records_per_cycle", r->h2c_records_per_cycle },
		{ "port_beats_per_cycle", r->port_beats_per_cycle },
		{ "dma_write_beats_per_cycle", r->dma_write_beats_per_cycle },
		{ "dma_read_beats_per_cycle", r->dma_read_beats_per_cycle },
		{ "exchange_bytes_in_per_cycle", r->rx_bytes_per_cycle },
		{ "fraction_of_cycles_exchange_answers_waited", r->rx_backlog_fraction },
	};
	for (size_t i = 0; i < sizeof(per_cycle) / sizeof(per_cycle[0]); i++)
		tg_json_double(j, per_cycle[i].key, per_cycle[i].v);
	tg_json_u64(j, "order_latency_max_cycles", r->lat_max);
	tg_json_object_end(j);
}

/* ---- 4. kill ---- */

static int phase_kill(struct tg_json *j, uint64_t seed, unsigned kills)
{
	struct bench b;
	/* per kill: KILL_LAT_LAST, the bench's count, write -> gate, kill -> the next order's gate entry */
	uint64_t *card = malloc(kills * sizeof(uint64_t)), *own = malloc(kills * sizeof(uint64_t));
	uint64_t *to_gate = malloc(kills * sizeof(uint64_t)), *wait = malloc(kills * sizeof(uint64_t));
	uint64_t slipped = 0, in_flight_accepted = 0, early_blocked = 0, blocked_out = 0;
	unsigned done = 0;

	if (card == NULL || own == NULL || to_gate == NULL || wait == NULL ||
	    bench_open(&b, seed, kills * 128u + 1024u, 0) != 0)
		return -1;
	/* the exchange answers between kills only, so the H2C ring stays full while one lands */
	b.respond = false;
	for (unsigned k = 0; k < kills && !b.failed; k++) {
		/* stream for a seeded while, so the kill lands anywhere between two
		 * orders; every free slot's order was pushed at once, so stop short of
		 * running out of undecided ones (an order a cycle into the gate when
		 * the DMA brings a record a beat, KILL_BLOCKED are to be blocked) */
		uint64_t until = tg_cm_core_cycle(b.cm) + 100 + rnd(&b) % 100;
		top_up(&b);
		while (tg_cm_core_cycle(b.cm) < until && b.n_ord - b.decided > 2 * KILL_BLOCKED) {
			top_up(&b);
			step(&b, 1);
		}
		/* orders not decided before the write may enter the gate on either side of it */
		uint32_t first_tag = b.n_ord + 1;
		for (uint32_t t = b.n_ord; t >= 1 && !b.ord[t - 1].has_decision; t--)
			first_tag = t;
		uint64_t w = tg_cm_core_cycle(b.cm), killed0 = b.killed;

		wr(&b, TG_REG_KILL, TG_KILL_ENGAGED_MASK);
		uint64_t wdone = tg_cm_core_cycle(b.cm) - 1;	/* the write response's cycle */
		while (b.killed - killed0 < KILL_BLOCKED && tg_cm_core_cycle(b.cm) < wdone + 100000) {
			top_up(&b);
			step(&b, 1);
		}
		uint64_t r = tg_cm_core_cycle(b.cm);

		wr(&b, TG_REG_KILL, 0);
		settle(&b);
		card[k] = rd(&b, TG_REG_KILL_LAT_LAST);
		check(&b, rd64(&b, TG_REG_KILL_LAT_COUNT_LO) == k + 1, "one kill latency sample per kill");
		const struct order *blocked = NULL;
		for (uint32_t t = first_tag; t <= b.n_ord && blocked == NULL; t++)
			if (b.ord[t - 1].reason == TG_RISK_R_KILLED)
				blocked = &b.ord[t - 1];
		check(&b, blocked != NULL, "the kill blocked an order");
		if (blocked == NULL)
			break;
		uint64_t t0 = blocked->decided - card[k];	/* the cycle the gate took the kill */

		check(&b, t0 >= w && t0 <= wdone, "the kill took effect within its own register write");
		own[k] = blocked->decided - w;
		to_gate[k] = t0 - w;
		wait[k] = blocked->in_cycle - t0;
		for (uint32_t t = first_tag; t <= b.n_ord; t++) {
			const struct order *o = &b.ord[t - 1];

			slipped += o->in_cycle > t0 && o->in_cycle < r && o->reason != TG_RISK_R_KILLED;
			early_blocked += o->in_cycle < t0 && o->reason == TG_RISK_R_KILLED;
			in_flight_accepted += o->in_cycle < t0 && o->decided > w && o->reason == TG_RISK_R_ACCEPTED;
		}
		pay_owed(&b);
		done++;
	}
	check_port(&b);
	check(&b, slipped == 0, "no order that entered the gate after a kill was accepted");
	check(&b, early_blocked == 0, "no order that entered the gate before a kill was blocked");
	for (uint32_t t = 1; t <= b.n_ord; t++)
		blocked_out += b.ord[t - 1].reason == TG_RISK_R_KILLED ? b.ord[t - 1].packets : 0;
	check(&b, blocked_out == 0, "no blocked order left as OUCH");
	uint64_t hist_n, card_median = hist_median(&b, TG_REG_KILL_LAT_BIN_LO, &hist_n);

	check(&b, hist_n == done, "the kill latency histogram counts every kill");
	tg_json_object_begin(j, "kill_to_block");
	tg_json_string(j, "what", "KILL register write while orders stream back to back through H2C -> first order blocked");
	tg_json_u64(j, "kills", done);
	json_mmm(j, "card_kill_lat_cycles", "KILL_LAT_LAST: the register's change -> the first blocked decision",
		 summarize(card, done));
	tg_json_u64(j, "card_median_from_histogram", card_median);
	json_mmm(j, "bench_write_to_block_cycles",
		 "AXI-Lite write of KILL issued -> first blocked decision out of the gate (bench count)", summarize(own, done));
	json_mmm(j, "write_to_gate_cycles", "AXI-Lite write issued -> the cycle the gate took the kill",
		 summarize(to_gate, done));
	json_mmm(j, "kill_to_next_order_cycles",
		 "the gate took the kill -> the next order entered it (the wait for the next order in KILL_LAT)",
		 summarize(wait, done));
	tg_json_u64(j, "orders_blocked", b.killed);
	tg_json_u64(j, "orders_accepted_after_kill", slipped);
	tg_json_u64(j, "orders_blocked_before_kill", early_blocked);
	tg_json_u64(j, "orders_in_gate_before_kill_decided_after_write", in_flight_accepted);
	tg_json_u64(j, "ouch_messages_of_blocked_orders", blocked_out);
	tg_json_object_end(j);
	int rc = b.failed ? -1 : 0;
	bench_close(&b);
	free(card);
	free(own);
	free(to_gate);
	free(wait);
	return rc;
}

/* What stops a stream: a resource busy (nearly) every cycle, else the H2C engine's reads. */
static const char *bottleneck(const struct rate *r)
{
	/* the port carries a beat a cycle */
	if (r->port_beats_per_cycle > 0.95)
		return "order-entry port (OUCH bytes per cycle)";
	/* the C2H engine writes an event as a record's beats, events back to
	 * back (producer writebacks between) */
	if (r->dma_write_beats_per_cycle > 0.95)
		return "C2H event DMA writes: a 64-byte event is " BEATS_PER_RECORD_TEXT " on the DMA write channel, "
		       "and each answered order is two events (ORDER_DECISION, ORDER_RESP)";
	/* the DMA read data port carries a beat a cycle */
	if (r->dma_read_beats_per_cycle > 0.95)
		return "H2C DMA read data: a 64-byte record is " BEATS_PER_RECORD_TEXT " on the DMA read port";
	/* answers queued at the card's input every cycle while nothing downstream is full */
	if (r->rx_backlog_fraction > 0.95)
		return "the exchange's answers: the card's response decoder, and an order slot is free again only "
		       "once the answer is applied";
	/* the port nearly busy and answers often held: the gate's entry, which
	 * takes an input a cycle but holds for 4 cycles after each answer it
	 * applies (RESTATE, FILL: the U stages), between them */
	if (r->port_beats_per_cycle > 0.85 && r->rx_backlog_fraction > 0.2)
		return "order-entry port (OUCH bytes per cycle) and the gate's entry: each exchange answer it applies "
		       "(a RESTATE or FILL) holds it 4 cycles, an order takes 1";
	return "H2C ring engine: DMA reads in flight (read latency) and doorbells";
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_gate [--orders N>=100] [--seed S] [--kills N>=1] [--dma-latency CYCLES<=100000]\n");
	return 2;
}

static bool arg_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	*v = strtoull(s, &end, 0);
	return *end == '\0';
}

int main(int argc, char **argv)
{
	uint64_t orders = 20000, seed = 0x6a7e5eedull, kills = 200, dma_latency = 256;

	for (int i = 1; i < argc; i++) {
		uint64_t *dst = !strcmp(argv[i], "--orders") ? &orders : !strcmp(argv[i], "--seed") ? &seed :
				!strcmp(argv[i], "--kills") ? &kills : !strcmp(argv[i], "--dma-latency") ? &dma_latency : NULL;

		if (dst == NULL || i + 1 >= argc || !arg_u64(argv[++i], dst))
			return usage();
	}
	if (orders < 100 || orders > 10000000 || kills < 1 || kills > 100000 || dma_latency > 100000)
		return usage();

	struct tg_json j;
	struct rate burst, sust, sust_lat;

	memset(&burst, 0, sizeof(burst));
	memset(&sust, 0, sizeof(sust));
	memset(&sust_lat, 0, sizeof(sust_lat));
	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "bench", "gate_core");
	tg_json_string(&j, "what",
		       "the pre-trade risk gate through the whole Verilated core: H2C ring -> gate -> OUCH encoder");
	tg_json_double(&j, "target_clock_mhz", TG_CARD_CLOCK_HZ / 1e6);
	tg_json_u64(&j, "target_clock_hz", TG_CARD_CLOCK_HZ);
	tg_json_u64(&j, "seed", seed);
	tg_json_u64(&j, "dma_data_bytes", TG_VCORE_DMA_BYTES);
	tg_json_string(&j, "harness", "zero-latency DMA responder (but sustained_orders_per_cycle_dma_latency), order-entry "
				      "port always ready, every Enter Order answered at once with an Order Canceled");
	int rc = phase_latency(&j, seed, (uint32_t)orders);

	if (rc == 0)
		rc = phase_burst(seed + 1, &burst);
	if (rc == 0)
		rc = phase_sustained(seed + 2, (uint32_t)orders, 0, &sust);
	if (rc == 0)
		rc = phase_sustained(seed + 4, (uint32_t)orders, (uint32_t)dma_latency, &sust_lat);
	if (rc == 0) {
		json_rate(&j, "burst_orders_per_cycle",
			  "one doorbell for as many orders as the gate has slots, no exchange traffic", &burst);
		json_rate(&j, "sustained_orders_per_cycle",
			  "orders kept streaming through H2C, each answered by the exchange", &sust);
		json_rate(&j, "sustained_orders_per_cycle_dma_latency",
			  "the same with every H2C DMA read answered dma_read_latency_cycles later (a PCIe read of host memory)",
			  &sust_lat);
		tg_json_string(&j, "sustained_bottleneck", bottleneck(&sust));
		tg_json_string(&j, "sustained_dma_latency_bottleneck", bottleneck(&sust_lat));
		/* the port carries a beat (8 bytes) a cycle: a bound whatever feeds it */
		tg_json_double(&j, "port_beats_per_enter_order", sust.port_beats_per_order);
		tg_json_double(&j, "port_bound_orders_per_cycle", sust.port_beats_per_order > 0 ? 1 / sust.port_beats_per_order : 0);
		rc = phase_kill(&j, seed + 3, (unsigned)kills);
	}
	tg_json_object_begin(&j, "simulator_speed");
	tg_json_string(&j, "what", "model cycles per wall second (shared machine: the ratio is the figure)");
	tg_json_double(&j, "cycles_per_s_sustained_phase", sust.cycles_per_s);
	tg_json_double(&j, "idle_cycles_per_s_same_card_before", sust.idle_cycles_per_s);
	tg_json_double(&j, "sustained_vs_idle", sust.idle_cycles_per_s > 0 ? sust.cycles_per_s / sust.idle_cycles_per_s : 0);
	tg_json_object_end(&j);
	tg_json_bool(&j, "checks_passed", rc == 0);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	if (rc != 0)
		fprintf(stderr, "bench_gate: a check failed (see above)\n");
	return rc == 0 ? 0 : 1;
}
