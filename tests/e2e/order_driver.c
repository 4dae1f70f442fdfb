/*
 * order_driver: drives the order path of a card through libtickgate's
 * card API, for the end-to-end order-entry test (test_order_entry.py).
 * Every command prints one JSON document on stdout.
 *
 *   order_driver CARD setup SYMBOL MAX_QTY
 *       instrument 0 takes SYMBOL (BOOK_INST_CMD SET_LOCATE, locate 1);
 *       limits written one by one (RISK_SEL, RISK_VALUE_LO/HI, RISK_CMD
 *       SET, waiting for RISK_STATUS.CMD_PENDING to clear between
 *       commands) and committed: enabled, MAX_ORDER_QTY, everything else
 *       generous
 *   order_driver CARD orders [--responses N] [--timeout S] [--tag-base T] ORDER...
 *       ORDER is new:SLOT:SIDE:QTY:PRICE (SIDE B, S, T or E),
 *       replace:SLOT:QTY:PRICE or cancel:SLOT:QTY_LEFT; sends them as H2C
 *       ORDER records (tags T+1, T+2, ...), waits for one ORDER_DECISION
 *       each and for N ORDER_RESP events, then prints them with the
 *       instrument's position and the order-entry counters
 *   order_driver CARD stream [--seed S] [--qty-max Q] [--price P] [--interval-us U] [--timeout S]
 *       NEW orders of instrument 0, one every U microseconds (default
 *       1000) until SIGINT or SIGTERM: seeded side (B or S), quantity
 *       1..Q (default 40), price P (default 1000000) +- 10 cents, each on
 *       an order slot that is free (its order was rejected, or the
 *       exchange's executions filled it whole, so Q must not exceed what
 *       the exchange fills). One JSON line per decision as it comes (tag,
 *       the CLOCK_MONOTONIC time just before the order was queued,
 *       reason, the card's cycle stamps); once stopped, waits for the
 *       decision of every order sent (at most S seconds, default 10) and
 *       ends with a "done" line. Tags count from 1.
 *   order_driver CARD state
 *       position, open shares, OE_* counters of instrument 0
 *   order_driver CARD link [--wait STATE] [--logins N] [--timeout S]
 *       the simulator's order-entry link as it publishes it in the shared
 *       segment (sim:NAME cards only), after waiting for state STATE
 *       (active, backoff, ...) and at least N logins
 *
 * Exit status 0, 1 when the card failed or the wait timed out, 2 on a
 * usage error.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tickgate/card.h"
#include "tickgate/clock.h"
#include "tickgate/json.h"
#include "tickgate/simshm.h"
#include "tickgate/soupbin_session.h"

#define MAX_ORDERS 256u
#define MAX_RESPONSES 1024u

enum { OP_SET = 1, OP_COMMIT = 2 };

static void sleep_us(long us)
{
	struct timespec ts = { 0, us * 1000L };

	nanosleep(&ts, NULL);
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "order_driver: %s: %s\n", what, tg_strerror(rc));
	return 1;
}

static int wr(struct tg_card *c, uint32_t reg, uint32_t v)
{
	return tg_card_csr_write(c, reg, v);
}

static int rd(struct tg_card *c, uint32_t reg, uint32_t *v)
{
	return tg_card_csr_read(c, reg, v);
}

/* Wait until (reg & mask) == want, at most 2 s. */
static int wait_bits(struct tg_card *c, uint32_t reg, uint32_t mask, uint32_t want)
{
	int64_t deadline = tg_monotonic_ns() + 2000000000LL;
	uint32_t v;
	int rc;

	for (;;) {
		rc = rd(c, reg, &v);
		if (rc != TG_OK)
			return rc;
		if ((v & mask) == want)
			return TG_OK;
		if (tg_monotonic_ns() > deadline)
			return TG_ERR_TIMEOUT;
		sleep_us(100);
	}
}

static int risk_cmd(struct tg_card *c, unsigned op)
{
	int rc = wr(c, TG_REG_RISK_CMD, op);

	return rc != TG_OK ? rc : wait_bits(c, TG_REG_RISK_STATUS, TG_RISK_STATUS_CMD_PENDING_MASK, 0);
}

static int set_limit(struct tg_card *c, unsigned field, unsigned inst, uint64_t value)
{
	int rc = wr(c, TG_REG_RISK_SEL, field << TG_RISK_SEL_FIELD_SHIFT | inst << TG_RISK_SEL_INST_SHIFT);

	if (rc == TG_OK)
		rc = wr(c, TG_REG_RISK_VALUE_LO, (uint32_t)value);
	if (rc == TG_OK)
		rc = wr(c, TG_REG_RISK_VALUE_HI, (uint32_t)(value >> 32));
	return rc != TG_OK ? rc : risk_cmd(c, OP_SET);
}

static int cmd_setup(struct tg_card *c, const char *symbol, uint64_t max_qty)
{
	char sym[8];
	uint32_t lo, hi, st;
	size_t n = strlen(symbol);
	int rc;

	if (n == 0 || n > 8)
		return 2;
	memset(sym, ' ', sizeof(sym));
	memcpy(sym, symbol, n);
	memcpy(&lo, sym, 4);	/* character 0 in bits 7:0 */
	memcpy(&hi, sym + 4, 4);
	rc = wait_bits(c, TG_REG_BOOK_STATUS, TG_BOOK_STATUS_READY_MASK, TG_BOOK_STATUS_READY_MASK);
	if (rc == TG_OK)
		rc = wr(c, TG_REG_BOOK_INST_SEL, 0);
	if (rc == TG_OK)
		rc = wr(c, TG_REG_BOOK_INST_SYMBOL_LO, lo);
	if (rc == TG_OK)
		rc = wr(c, TG_REG_BOOK_INST_SYMBOL_HI, hi);
	if (rc == TG_OK)
		rc = wr(c, TG_REG_BOOK_INST_LOCATE, 1);
	if (rc == TG_OK)
		rc = wr(c, TG_REG_BOOK_INST_CMD, TG_BOOK_INST_CMD_SET_LOCATE_MASK);
	if (rc == TG_OK)
		rc = wait_bits(c, TG_REG_BOOK_STATUS, TG_BOOK_STATUS_READY_MASK, TG_BOOK_STATUS_READY_MASK);
	if (rc == TG_OK)
		rc = rd(c, TG_REG_BOOK_INST_STATE, &st);
	if (rc != TG_OK)
		return fail("subscribing", rc);
	if (!(st & TG_BOOK_INST_STATE_SUBSCRIBED_MASK)) {
		fprintf(stderr, "order_driver: instrument 0 did not take %s\n", symbol);
		return 1;
	}
	static const struct {
		unsigned field;
		bool global;
		uint64_t value;
	} lims[] = {
		{ TG_RISK_LIM_ENABLED, false, 1 },
		{ TG_RISK_LIM_MAX_ORDER_QTY, false, 0 },	/* max_qty */
		{ TG_RISK_LIM_MAX_ORDER_NOTIONAL, false, 1ull << 60 },
		{ TG_RISK_LIM_MAX_LONG, false, 1000000 },
		{ TG_RISK_LIM_MAX_SHORT, false, 1000000 },
		{ TG_RISK_LIM_MAX_OPEN, false, 1000 },
		{ TG_RISK_LIM_MAX_GROSS, true, 1ull << 62 },
		{ TG_RISK_LIM_MAX_NET, true, 1ull << 62 },
		{ TG_RISK_LIM_MAX_OPEN_ALL, true, 1000 },
	};
	for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		uint64_t v = lims[i].field == TG_RISK_LIM_MAX_ORDER_QTY ? max_qty : lims[i].value;

		rc = set_limit(c, lims[i].field, 0, v);
		if (rc != TG_OK)
			return fail("writing a limit", rc);
	}
	rc = risk_cmd(c, OP_COMMIT);
	if (rc != TG_OK)
		return fail("committing the limits", rc);

	struct tg_json j;

	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_bool(&j, "ok", true);
	tg_json_string(&j, "symbol", symbol);
	tg_json_u64(&j, "max_qty", max_qty);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	return 0;
}

static int side_code(char c)
{
	switch (c) {
	case 'B': return TG_RISK_SIDE_BUY;
	case 'S': return TG_RISK_SIDE_SELL;
	case 'T': return TG_RISK_SIDE_SELL_SHORT;
	case 'E': return TG_RISK_SIDE_SELL_SHORT_EXEMPT;
	default: return -1;
	}
}

/* An ORDER record with the OUCH attributes every order of the driver has, ClOrdID TG<tag>. */
static void order_record(uint32_t tag, union tg_h2c_record *r)
{
	memset(r, 0, sizeof(*r));
	r->order.opcode = TG_H2C_OP_ORDER;
	r->order.tag = tag;
	r->order.tif = '0';
	r->order.display = 'Y';
	r->order.capacity = 'A';
	r->order.ise = 'N';
	r->order.cross_type = 'N';
	snprintf((char *)r->order.clordid, sizeof(r->order.clordid), "TG%u", tag);
	for (size_t i = strlen((char *)r->order.clordid); i < sizeof(r->order.clordid); i++)
		r->order.clordid[i] = ' ';
}

/* One ORDER token into an H2C record; false when it is not one. */
static bool parse_order(const char *tok, uint32_t tag, union tg_h2c_record *r)
{
	unsigned slot, qty, price;
	char side, tail;

	order_record(tag, r);
	if (sscanf(tok, "new:%u:%c:%u:%u%c", &slot, &side, &qty, &price, &tail) == 4) {
		if (side_code(side) < 0)
			return false;
		r->order.kind = TG_RISK_IN_NEW;
		r->order.side = (uint8_t)side_code(side);
	} else if (sscanf(tok, "replace:%u:%u:%u%c", &slot, &qty, &price, &tail) == 3) {
		r->order.kind = TG_RISK_IN_REPLACE;
	} else if (sscanf(tok, "cancel:%u:%u%c", &slot, &qty, &tail) == 2) {
		r->order.kind = TG_RISK_IN_CANCEL;
		price = 0;
	} else {
		return false;
	}
	if (slot > 0xffff)
		return false;
	r->order.slot = (uint16_t)slot;
	r->order.qty = qty;
	r->order.price = price;
	return true;
}

static int rd64(struct tg_card *c, uint32_t lo, uint64_t *v)
{
	return tg_card_counter_read(c, lo, v);
}

/* Instrument 0's position and the order-entry counters, into the open JSON object. */
static int json_state(struct tg_card *c, struct tg_json *j)
{
	static const struct {
		const char *name;
		uint32_t reg;
	} counters[] = {
		{ "open_buy", TG_REG_RISK_INST_OPEN_BUY_LO },
		{ "open_sell", TG_REG_RISK_INST_OPEN_SELL_LO },
		{ "oe_sent_enter", TG_REG_OE_SENT_ENTER_LO },
		{ "oe_sent_replace", TG_REG_OE_SENT_REPLACE_LO },
		{ "oe_sent_cancel", TG_REG_OE_SENT_CANCEL_LO },
		{ "oe_rx_packets", TG_REG_OE_RX_PACKETS_LO },
		{ "oe_rx_sequenced", TG_REG_OE_RX_SEQUENCED_LO },
		{ "oe_rx_bad", TG_REG_OE_RX_BAD_LO },
		{ "oe_rx_unmatched", TG_REG_OE_RX_UNMATCHED_LO },
	};
	uint64_t v;
	uint32_t urn_next, params;
	int rc = wr(c, TG_REG_RISK_SEL, 0);

	if (rc == TG_OK)
		rc = rd64(c, TG_REG_RISK_INST_POSITION_LO, &v);
	if (rc != TG_OK)
		return rc;
	tg_json_i64(j, "position", (int64_t)v);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		rc = rd64(c, counters[i].reg, &v);
		if (rc != TG_OK)
			return rc;
		tg_json_u64(j, counters[i].name, v);
	}
	rc = rd(c, TG_REG_OE_URN_NEXT, &urn_next);
	if (rc == TG_OK)
		rc = rd(c, TG_REG_RISK_PARAMS, &params);
	if (rc != TG_OK)
		return rc;
	tg_json_u64(j, "urn_next", urn_next);
	tg_json_u64(j, "slots_log2", (params & TG_RISK_PARAMS_SLOTS_LOG2_MASK) >> TG_RISK_PARAMS_SLOTS_LOG2_SHIFT);
	return TG_OK;
}

static void json_char(struct tg_json *j, const char *key, uint8_t c)
{
	char s[2] = { (char)(c >= 0x20 && c < 0x7f ? c : '?'), '\0' };

	tg_json_string(j, key, c != 0 ? s : "");
}

/* The fields of an ORDER_DECISION event, into the open JSON object. */
static void json_decision(struct tg_json *j, const struct tg_c2h_order_decision *d)
{
	tg_json_u64(j, "tag", d->tag);
	tg_json_u64(j, "reason", d->reason);
	tg_json_bool(j, "accepted", d->flags & 1u);
	tg_json_u64(j, "kind", d->kind);
	tg_json_u64(j, "side", d->side);
	tg_json_u64(j, "slot", d->slot);
	tg_json_u64(j, "qty", d->qty);
	tg_json_u64(j, "price", d->price);
	tg_json_u64(j, "in_cycle", d->in_cycle);	/* the core cycle it entered the gate */
	tg_json_u64(j, "timestamp", d->timestamp);	/* the core cycle it was decided */
}

static int cmd_orders(struct tg_card *c, int argc, char **argv)
{
	static union tg_h2c_record recs[MAX_ORDERS];
	static struct tg_c2h_order_decision dec[MAX_ORDERS];
	static struct tg_c2h_order_resp resp[MAX_RESPONSES];
	unsigned n = 0, ndec = 0, nresp = 0, want_resp = 0, sent = 0;
	uint32_t tag_base = 0;
	double timeout = 10;
	int64_t deadline;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--responses") == 0 && i + 1 < argc) {
			want_resp = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			timeout = strtod(argv[++i], NULL);
		} else if (strcmp(argv[i], "--tag-base") == 0 && i + 1 < argc) {
			tag_base = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (n < MAX_ORDERS && parse_order(argv[i], tag_base + n + 1, &recs[n])) {
			n++;
		} else {
			fprintf(stderr, "order_driver: not an order: %s\n", argv[i]);
			return 2;
		}
	}
	if (want_resp > MAX_RESPONSES)
		return 2;
	while (sent < n) {
		unsigned k = 0;

		rc = tg_card_send_batch(c, recs + sent, n - sent, &k);
		if (rc != TG_OK && rc != TG_ERR_AGAIN)
			return fail("sending orders", rc);
		sent += k;
	}
	deadline = tg_monotonic_ns() + (int64_t)(timeout * 1e9);
	while ((ndec < n || nresp < want_resp) && tg_monotonic_ns() < deadline) {
		union tg_c2h_record ev[64];
		unsigned got = 0;

		rc = tg_card_poll(c, ev, 64, &got);
		if (rc != TG_OK)
			return fail("reading events", rc);
		for (unsigned i = 0; i < got; i++) {
			if (ev[i].hdr.type == TG_C2H_EVT_ORDER_DECISION && ndec < MAX_ORDERS)
				dec[ndec++] = ev[i].order_decision;
			else if (ev[i].hdr.type == TG_C2H_EVT_ORDER_RESP && nresp < MAX_RESPONSES)
				resp[nresp++] = ev[i].order_resp;
		}
		if (got == 0)
			sleep_us(200);
	}

	struct tg_json j;
	struct tg_card_ring_stats rs;

	tg_card_ring_stats(c, &rs);
	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_bool(&j, "complete", ndec == n && nresp >= want_resp);
	tg_json_u64(&j, "seq_gaps", rs.seq_gaps);
	tg_json_array_begin(&j, "decisions");
	for (unsigned i = 0; i < ndec; i++) {
		tg_json_object_begin(&j, NULL);
		json_decision(&j, &dec[i]);
		tg_json_object_end(&j);
	}
	tg_json_array_end(&j);
	tg_json_array_begin(&j, "responses");
	for (unsigned i = 0; i < nresp; i++) {
		uint64_t ref = 0;

		for (unsigned b = 0; b < sizeof(resp[i].ref); b++)
			ref |= (uint64_t)resp[i].ref[b] << (8 * b);
		tg_json_object_begin(&j, NULL);
		json_char(&j, "type", resp[i].msg_type);
		tg_json_u64(&j, "flags", resp[i].flags);
		tg_json_u64(&j, "soup_seq", resp[i].soup_seq);
		tg_json_u64(&j, "urn", resp[i].urn);
		tg_json_u64(&j, "orig_urn", resp[i].orig_urn);
		tg_json_u64(&j, "slot", resp[i].slot);
		tg_json_u64(&j, "instrument", resp[i].instrument);
		tg_json_u64(&j, "qty", resp[i].qty);
		tg_json_u64(&j, "price", resp[i].price);
		tg_json_u64(&j, "ref", ref);
		json_char(&j, "side", resp[i].side);
		json_char(&j, "state", resp[i].state);
		tg_json_object_end(&j);
	}
	tg_json_array_end(&j);
	rc = json_state(c, &j);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	if (rc != TG_OK)
		return fail("reading the state", rc);
	return ndec == n && nresp >= want_resp ? 0 : 1;
}

#define STREAM_MAX 65536u		/* orders one stream sends at most */
#define STREAM_SLOTS 1024u

static volatile sig_atomic_t stream_stop;

static void on_stream_stop(int sig)
{
	(void)sig;
	stream_stop = 1;
}

struct stream {
	uint32_t slots;
	uint32_t next_slot;		/* where the search for a free slot starts */
	uint32_t tag_of[STREAM_SLOTS];	/* 0: the slot is free */
	uint32_t open[STREAM_SLOTS];	/* shares the exchange has not filled yet */
	int64_t sent_ns[STREAM_MAX + 1];	/* by tag */
	uint32_t sent, decided, accepted;
};

static bool stream_arg(const char *s, double lo, double hi, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return end != s && *end == '\0' && *v >= lo && *v <= hi;
}

/* Take the card's events: a line per decision; free the slots that closed. */
static int stream_poll(struct tg_card *c, struct stream *st)
{
	union tg_c2h_record ev[64];
	unsigned got = 0;
	int rc = tg_card_poll(c, ev, 64, &got);

	for (unsigned i = 0; i < got && rc == TG_OK; i++) {
		if (ev[i].hdr.type == TG_C2H_EVT_ORDER_DECISION) {
			const struct tg_c2h_order_decision *d = &ev[i].order_decision;
			struct tg_json j;

			if (d->tag == 0 || d->tag > st->sent || d->slot >= st->slots || st->tag_of[d->slot] != d->tag) {
				fprintf(stderr, "order_driver: a decision of no order of the stream (tag %" PRIu32 ")\n", d->tag);
				return TG_ERR_STATE;
			}
			st->decided++;
			if (d->flags & 1u) {
				st->accepted++;
				st->open[d->slot] = d->qty;
			} else {
				st->tag_of[d->slot] = 0;
			}
			tg_json_init(&j, stdout);
			tg_json_object_begin(&j, NULL);
			tg_json_string(&j, "event", "decision");
			tg_json_i64(&j, "sent_ns", st->sent_ns[d->tag]);
			json_decision(&j, d);
			tg_json_object_end(&j);
			tg_json_finish(&j);
			fflush(stdout);
		} else if (ev[i].hdr.type == TG_C2H_EVT_ORDER_RESP && ev[i].order_resp.msg_type == 'E' &&
			   (ev[i].order_resp.flags & 1u) && ev[i].order_resp.slot < st->slots) {
			uint16_t s = ev[i].order_resp.slot;

			st->open[s] -= ev[i].order_resp.qty < st->open[s] ? ev[i].order_resp.qty : st->open[s];
			if (st->open[s] == 0)
				st->tag_of[s] = 0;	/* filled whole: the card closed the slot */
		}
	}
	if (rc == TG_OK && got == 0)
		sleep_us(100);
	return rc;
}

static int cmd_stream(struct tg_card *c, int argc, char **argv)
{
	static struct stream st;
	double seed = 1, qty_max = 40, price = 1000000, interval_us = 1000, timeout = 10;
	uint64_t rng;
	uint32_t params;
	int64_t next_ns, deadline;
	int rc;

	for (int i = 0; i < argc; i++) {
		double *v = strcmp(argv[i], "--seed") == 0 ? &seed : strcmp(argv[i], "--qty-max") == 0 ? &qty_max :
			    strcmp(argv[i], "--price") == 0 ? &price : strcmp(argv[i], "--interval-us") == 0 ? &interval_us :
			    strcmp(argv[i], "--timeout") == 0 ? &timeout : NULL;

		if (v == NULL || i + 1 == argc || !stream_arg(argv[++i], 0, 4e9, v) || qty_max < 1 || price < 1001)
			return 2;
	}
	rc = rd(c, TG_REG_RISK_PARAMS, &params);
	if (rc != TG_OK)
		return fail("reading the gate's parameters", rc);
	st.slots = 1u << ((params & TG_RISK_PARAMS_SLOTS_LOG2_MASK) >> TG_RISK_PARAMS_SLOTS_LOG2_SHIFT);
	st.slots = st.slots < STREAM_SLOTS ? st.slots : STREAM_SLOTS;
	rng = (uint64_t)seed * 0x9e3779b97f4a7c15ull + 1;
	signal(SIGINT, on_stream_stop);
	signal(SIGTERM, on_stream_stop);
	next_ns = tg_monotonic_ns();
	while (!stream_stop && st.sent < STREAM_MAX && rc == TG_OK) {
		uint32_t slot = st.next_slot;

		while (st.tag_of[slot] != 0 && (slot = (slot + 1) % st.slots) != st.next_slot) {
		}
		if (tg_monotonic_ns() >= next_ns && st.tag_of[slot] == 0) {
			union tg_h2c_record r;

			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			order_record(st.sent + 1, &r);
			r.order.kind = TG_RISK_IN_NEW;
			r.order.side = (rng >> 40) & 1u ? TG_RISK_SIDE_BUY : TG_RISK_SIDE_SELL;
			r.order.slot = (uint16_t)slot;
			r.order.qty = 1 + (uint32_t)((rng >> 20) % (uint64_t)qty_max);
			r.order.price = (uint32_t)price - 1000 + 100 * (uint32_t)((rng >> 50) % 21);
			st.sent_ns[st.sent + 1] = tg_monotonic_ns();
			rc = tg_card_send(c, &r);
			if (rc == TG_OK) {
				st.tag_of[slot] = ++st.sent;
				st.next_slot = (slot + 1) % st.slots;
				next_ns += (int64_t)(interval_us * 1000);
				if (next_ns < tg_monotonic_ns())
					next_ns = tg_monotonic_ns();	/* no catching up after a stall */
			} else if (rc == TG_ERR_AGAIN) {
				rc = TG_OK;	/* the ring is full: try again */
			}
		}
		if (rc == TG_OK)
			rc = stream_poll(c, &st);
	}
	deadline = tg_monotonic_ns() + (int64_t)(timeout * 1e9);
	while (rc == TG_OK && st.decided < st.sent && tg_monotonic_ns() < deadline)
		rc = stream_poll(c, &st);
	if (rc != TG_OK)
		return fail("streaming orders", rc);

	struct tg_json j;

	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "event", "done");
	tg_json_u64(&j, "sent", st.sent);
	tg_json_u64(&j, "decided", st.decided);
	tg_json_u64(&j, "accepted", st.accepted);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	return st.decided == st.sent ? 0 : 1;
}

static int cmd_state(struct tg_card *c)
{
	struct tg_json j;
	int rc;

	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	rc = json_state(c, &j);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	return rc == TG_OK ? 0 : fail("reading the state", rc);
}

static const char *oe_state_name(uint32_t s)
{
	static const char *const names[] = {
		[TG_SIMSHM_OE_OFF] = "off",
		[TG_SIMSHM_OE_BACKOFF] = "backoff",
		[TG_SIMSHM_OE_CONNECTING] = "connecting",
		[TG_SIMSHM_OE_LOGIN] = "login",
		[TG_SIMSHM_OE_ACTIVE] = "active",
		[TG_SIMSHM_OE_ENDED] = "ended",
		[TG_SIMSHM_OE_CLOSED] = "closed",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/* The simulator's order-entry block, read straight from its segment. */
static int cmd_link(const char *uri, int argc, char **argv)
{
	const char *want = NULL;
	uint64_t logins = 0;
	double timeout = 10;
	char path[sizeof(TG_SIMSHM_PREFIX) + TG_SIMSHM_NAME_MAX + 1];
	struct tg_simshm *h;
	struct stat st;
	int fd;
	bool ok;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc)
			want = argv[++i];
		else if (strcmp(argv[i], "--logins") == 0 && i + 1 < argc)
			logins = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = strtod(argv[++i], NULL);
		else
			return 2;
	}
	if (strncmp(uri, "sim:", 4) != 0 || strlen(uri + 4) > TG_SIMSHM_NAME_MAX)
		return 2;
	snprintf(path, sizeof(path), TG_SIMSHM_PREFIX "%s", uri + 4);
	fd = shm_open(path, O_RDONLY, 0);
	if (fd < 0 || fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(*h)) {
		fprintf(stderr, "order_driver: no simulator segment %s\n", path);
		return 1;
	}
	h = mmap(NULL, sizeof(*h), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (h == MAP_FAILED)
		return 1;
	int64_t deadline = tg_monotonic_ns() + (int64_t)(timeout * 1e9);
	const struct tg_simshm_oe *o = &h->oe;

	for (;;) {
		uint32_t s = __atomic_load_n(&o->state, __ATOMIC_RELAXED);

		ok = (want == NULL || strcmp(oe_state_name(s), want) == 0) &&
		     __atomic_load_n(&o->logins, __ATOMIC_RELAXED) >= logins;
		if (ok || tg_monotonic_ns() > deadline)
			break;
		sleep_us(2000);
	}

	struct tg_json j;
	char session[sizeof(o->session) + 1];

	memcpy(session, o->session, sizeof(o->session));
	session[sizeof(o->session)] = '\0';
	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_bool(&j, "ok", ok);
	tg_json_string(&j, "state", oe_state_name(o->state));
	tg_json_string(&j, "soup_state", tg_soup_state_name((enum tg_soup_state)o->soup_state));
	tg_json_string(&j, "session", session);
	tg_json_u64(&j, "next_seq", o->next_seq);
	tg_json_u64(&j, "connects", o->connects);
	tg_json_u64(&j, "connect_failures", o->connect_failures);
	tg_json_u64(&j, "logins", o->logins);
	tg_json_u64(&j, "login_rejects", o->login_rejects);
	tg_json_u64(&j, "timeouts", o->timeouts);
	tg_json_u64(&j, "disconnects", o->disconnects);
	tg_json_u64(&j, "packets_out", o->packets_out);
	tg_json_u64(&j, "packets_in", o->packets_in);
	tg_json_u64(&j, "bytes_out", o->bytes_out);
	tg_json_u64(&j, "bytes_in", o->bytes_in);
	tg_json_u64(&j, "dropped", o->dropped);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	munmap(h, sizeof(*h));
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct tg_card *c;
	int rc;

	if (argc < 3) {
		fputs("usage: order_driver CARD setup|orders|stream|state|link ...\n", stderr);
		return 2;
	}
	if (strcmp(argv[2], "link") == 0)
		return cmd_link(argv[1], argc - 3, argv + 3);
	bool rings = strcmp(argv[2], "orders") == 0 || strcmp(argv[2], "stream") == 0;

	rc = tg_card_open(argv[1], rings ? TG_CARD_OPEN_RINGS : 0, &c);
	if (rc != TG_OK)
		return fail(argv[1], rc);
	if (strcmp(argv[2], "setup") == 0 && argc == 5)
		rc = cmd_setup(c, argv[3], strtoull(argv[4], NULL, 10));
	else if (strcmp(argv[2], "orders") == 0)
		rc = cmd_orders(c, argc - 3, argv + 3);
	else if (strcmp(argv[2], "stream") == 0)
		rc = cmd_stream(c, argc - 3, argv + 3);
	else if (strcmp(argv[2], "state") == 0 && argc == 3)
		rc = cmd_state(c);
	else
		rc = 2;
	if (rc == 2)
		fputs("usage: order_driver CARD setup|orders|stream|state|link ...\n", stderr);
	tg_card_close(c);
	return rc;
}
