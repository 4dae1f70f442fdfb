/*
 * Feed pipeline driver over a card model: see card_feed.h.
 */
#include <stdlib.h>
#include <string.h>

#include "card_feed.h"
#include "tickgate/card_records.h"
#include "tickgate/card_regs.h"
#include "tickgate/itch50.h"
#include "tickgate/ring.h"

#define QUIET_CYCLES 200u

struct tg_card_feed {
	struct tg_card_model *cm;
	struct tg_ring ring;
	struct tg_cf_stats stats;
	uint32_t next_seq;		/* card event sequence expected */
	struct tg_feed_events fe;
};

static bool wr(struct tg_card_feed *cf, uint32_t addr, uint32_t v)
{
	return tg_cm_csr_write(cf->cm, addr, v, 0xf) == TG_CM_CSR_OK;
}

static bool rd64(struct tg_card_feed *cf, uint32_t lo, uint64_t *v)
{
	uint32_t l, h;

	if (tg_cm_csr_read(cf->cm, lo, &l) != TG_CM_CSR_OK || tg_cm_csr_read(cf->cm, lo + 4, &h) != TG_CM_CSR_OK)
		return false;
	*v = (uint64_t)h << 32 | l;
	return true;
}

struct tg_card_feed *tg_cf_new(struct tg_card_model *cm, uint8_t *mem, size_t ring_bytes, uint64_t bus_base,
			       const struct tg_feed_event_handlers *h)
{
	struct tg_card_feed *cf = calloc(1, sizeof(*cf));
	unsigned log2 = 16;

	if (cf == NULL)
		return NULL;
	cf->cm = cm;
	tg_feed_events_init(&cf->fe, h);
	while (log2 > 1 && tg_ring_mem_bytes(log2, TG_RECORD_BYTES) > ring_bytes)
		log2--;
	if (tg_ring_format(mem, ring_bytes, log2, TG_RECORD_BYTES) != TG_OK ||
	    tg_ring_attach(&cf->ring, mem, ring_bytes, log2, TG_RECORD_BYTES) != TG_OK ||
	    !wr(cf, TG_REG_C2H_BASE_LO, (uint32_t)bus_base) || !wr(cf, TG_REG_C2H_BASE_HI, (uint32_t)(bus_base >> 32)) ||
	    !wr(cf, TG_REG_C2H_SIZE, log2) || !wr(cf, TG_REG_RING_CONTROL, TG_RING_CONTROL_C2H_EN_MASK)) {
		free(cf);
		return NULL;
	}
	return cf;
}

void tg_cf_free(struct tg_card_feed *cf)
{
	free(cf);
}

bool tg_cf_configure(struct tg_card_feed *cf, const struct tg_feed_config *cfg, bool msg_events)
{
	uint32_t ctl = msg_events ? TG_FEED_CONTROL_MSG_EVENTS_MASK : 0;

	if (cfg->seq_check)
		ctl |= TG_FEED_CONTROL_SEQ_CHECK_MASK;
	if (cfg->accept_all)
		ctl |= TG_FEED_CONTROL_ACCEPT_ALL_MASK;
	if (cfg->gap_hold)
		ctl |= TG_FEED_CONTROL_GAP_HOLD_MASK;
	for (unsigned i = 0; i < 8; i++) {
		const uint32_t stride = TG_REG_FEED_FILTER1_ADDR - TG_REG_FEED_FILTER0_ADDR;
		bool on = i < cfg->n_filters;

		if (!wr(cf, TG_REG_FEED_FILTER0_ADDR + i * stride, on ? cfg->filters[i].addr : 0) ||
		    !wr(cf, TG_REG_FEED_FILTER0_PORT + i * stride,
			on ? (uint32_t)cfg->filters[i].port | TG_FEED_FILTER0_PORT_VALID_MASK : 0))
			return false;
	}
	return wr(cf, TG_REG_FEED_CONTROL, ctl) && wr(cf, TG_REG_FEED_SEQ_RESET, TG_FEED_SEQ_RESET_GO_MASK);
}

static void take(struct tg_card_feed *cf, const union tg_c2h_record *ev)
{
	cf->stats.events++;
	if (ev->msg.seq != cf->next_seq)
		cf->stats.seq_errors++;
	cf->next_seq = ev->msg.seq + 1;
	if (!tg_feed_events_take(&cf->fe, ev))
		cf->stats.format_errors++;
}

static void drain(struct tg_card_feed *cf)
{
	union tg_c2h_record ev;
	bool any = false;

	while (tg_ring_pop(&cf->ring, &ev)) {
		take(cf, &ev);
		any = true;
	}
	if (any)
		(void)wr(cf, TG_REG_C2H_CONS, cf->ring.index);
}

bool tg_cf_frame(struct tg_card_feed *cf, const uint8_t *frame, size_t len)
{
	if (len == 0 || len > TG_CM_FRAME_MAX)
		return false;
	while (tg_cm_net_pending(cf->cm) >= TG_CM_NET_QUEUE) {
		tg_cm_run(cf->cm, 64);
		drain(cf);
	}
	return tg_cm_net_push(cf->cm, frame, len);
}

void tg_cf_quiesce(struct tg_card_feed *cf)
{
	while (tg_cm_net_pending(cf->cm) > 0 || !tg_cm_idle(cf->cm, 32)) {
		tg_cm_run(cf->cm, 16);
		drain(cf);
	}
}

bool tg_cf_frame_paced(struct tg_card_feed *cf, const uint8_t *frame, size_t len)
{
	tg_cf_quiesce(cf);
	return tg_cf_frame(cf, frame, len);
}

void tg_cf_finish(struct tg_card_feed *cf)
{
	do {
		tg_cm_run(cf->cm, 64);
		drain(cf);
	} while (tg_cm_net_pending(cf->cm) > 0 || !tg_cm_idle(cf->cm, QUIET_CYCLES));
	drain(cf);
}

bool tg_cf_read_stats(struct tg_card_feed *cf, struct tg_feed_stats *st)
{
	static const uint32_t drops[TG_FEED_DROP_COUNT] = {
		TG_REG_FEED_DROP_RUNT_LO, TG_REG_FEED_DROP_JUMBO_LO, TG_REG_FEED_DROP_NOT_IPV4_LO,
		TG_REG_FEED_DROP_IP_HEADER_LO, TG_REG_FEED_DROP_IP_TRUNCATED_LO, TG_REG_FEED_DROP_IP_CHECKSUM_LO,
		TG_REG_FEED_DROP_IP_FRAGMENT_LO, TG_REG_FEED_DROP_NOT_UDP_LO, TG_REG_FEED_DROP_UDP_LENGTH_LO,
		TG_REG_FEED_DROP_UDP_FILTER_LO, TG_REG_FEED_DROP_MOLD_SHORT_LO, TG_REG_FEED_DROP_MOLD_SESSION_LO,
		TG_REG_FEED_DROP_MOLD_DUPLICATE_LO, TG_REG_FEED_DROP_MSG_OVERRUN_LO, TG_REG_FEED_DROP_MSG_RUNT_LO,
		TG_REG_FEED_DROP_MOLD_AHEAD_LO,
	};
	bool ok = true;

	memset(st, 0, sizeof(*st));
	ok &= rd64(cf, TG_REG_RX_FRAMES_LO, &st->frames);
	ok &= rd64(cf, TG_REG_FEED_PARSED_LO, &st->parsed);
	for (unsigned i = 0; i < TG_FEED_DROP_COUNT; i++)
		ok &= rd64(cf, drops[i], &st->dropped[i]);
	ok &= rd64(cf, TG_REG_FEED_PACKETS_LO, &st->packets);
	ok &= rd64(cf, TG_REG_FEED_HEARTBEATS_LO, &st->heartbeats);
	ok &= rd64(cf, TG_REG_FEED_END_OF_SESSION_LO, &st->end_of_session);
	ok &= rd64(cf, TG_REG_FEED_MESSAGES_LO, &st->messages);
	ok &= rd64(cf, TG_REG_FEED_UNKNOWN_TYPE_LO, &st->unknown_type);
	ok &= rd64(cf, TG_REG_FEED_BAD_LENGTH_LO, &st->bad_length);
	ok &= rd64(cf, TG_REG_FEED_DUPLICATE_MESSAGES_LO, &st->duplicate_messages);
	ok &= rd64(cf, TG_REG_FEED_GAPS_LO, &st->gaps);
	ok &= rd64(cf, TG_REG_FEED_GAP_MESSAGES_LO, &st->gap_messages);
	for (unsigned i = 0; i < tg_itch_types_count; i++) {
		uint8_t t = (uint8_t)tg_itch_types[i].type;

		ok &= wr(cf, TG_REG_FEED_TYPE_SEL, t);
		ok &= rd64(cf, TG_REG_FEED_TYPE_COUNT_LO, &st->by_type[t]);
	}
	return ok;
}

static bool book_ready(struct tg_card_feed *cf)
{
	uint32_t v;

	for (unsigned tries = 0; tries < 100000; tries++) {
		if (tg_cm_csr_read(cf->cm, TG_REG_BOOK_STATUS, &v) != TG_CM_CSR_OK)
			return false;
		if (v & TG_BOOK_STATUS_READY_MASK)
			return true;
		tg_cm_run(cf->cm, 16);
		drain(cf);
	}
	return false;
}

bool tg_cf_book_subscribe(struct tg_card_feed *cf, unsigned slot, const char *symbol, int locate)
{
	char sym[8];
	uint32_t lo, hi;
	size_t n = strlen(symbol);

	if (n > 8 || !book_ready(cf))
		return false;
	memset(sym, ' ', sizeof(sym));
	memcpy(sym, symbol, n);
	memcpy(&lo, sym, 4);	/* character 0 in bits 7:0: the little-endian load */
	memcpy(&hi, sym + 4, 4);
	return wr(cf, TG_REG_BOOK_INST_SEL, slot) && wr(cf, TG_REG_BOOK_INST_SYMBOL_LO, lo) &&
	       wr(cf, TG_REG_BOOK_INST_SYMBOL_HI, hi) && wr(cf, TG_REG_BOOK_INST_LOCATE, locate < 0 ? 0 : (uint32_t)locate) &&
	       wr(cf, TG_REG_BOOK_INST_CMD,
		  locate < 0 ? TG_BOOK_INST_CMD_SUBSCRIBE_MASK : TG_BOOK_INST_CMD_SET_LOCATE_MASK) &&
	       book_ready(cf);
}

bool tg_cf_book_events(struct tg_card_feed *cf, bool on)
{
	return wr(cf, TG_REG_BOOK_CONTROL, TG_BOOK_CONTROL_ENABLE_MASK | (on ? TG_BOOK_CONTROL_EVENTS_MASK : 0));
}

bool tg_cf_book_slot(struct tg_card_feed *cf, unsigned slot, struct tg_cf_book_slot *out)
{
	static const uint32_t regs[4] = { TG_REG_BOOK_INST_BID_PRICE, TG_REG_BOOK_INST_BID_SIZE,
					  TG_REG_BOOK_INST_ASK_PRICE, TG_REG_BOOK_INST_ASK_SIZE };
	bool ok = wr(cf, TG_REG_BOOK_INST_SEL, slot) &&
		  tg_cm_csr_read(cf->cm, TG_REG_BOOK_INST_STATE, &out->state) == TG_CM_CSR_OK;

	for (unsigned i = 0; i < 4 && ok; i++)
		ok = tg_cm_csr_read(cf->cm, regs[i], &out->bbo[i]) == TG_CM_CSR_OK;
	return ok;
}

bool tg_cf_read_book_stats(struct tg_card_feed *cf, struct tg_book_stats *st, uint64_t *overrun,
			   uint64_t *events_dropped)
{
	bool ok = true;

	memset(st, 0, sizeof(*st));
	ok &= rd64(cf, TG_REG_BOOK_MESSAGES_LO, &st->messages);
	ok &= rd64(cf, TG_REG_BOOK_UNSUBSCRIBED_LO, &st->unsubscribed);
	ok &= rd64(cf, TG_REG_BOOK_UNKNOWN_REF_LO, &st->unknown_ref);
	ok &= rd64(cf, TG_REG_BOOK_DUPLICATE_REF_LO, &st->duplicate_ref);
	ok &= rd64(cf, TG_REG_BOOK_ZERO_SHARES_LO, &st->zero_shares);
	ok &= rd64(cf, TG_REG_BOOK_ORDER_OVERFLOW_LO, &st->order_overflow);
	ok &= rd64(cf, TG_REG_BOOK_ORDERS_LO, &st->orders);
	ok &= rd64(cf, TG_REG_BOOK_BBO_EVENTS_LO, &st->bbo_events);
	ok &= rd64(cf, TG_REG_BOOK_TRADE_EVENTS_LO, &st->trade_events);
	ok &= rd64(cf, TG_REG_BOOK_HALT_EVENTS_LO, &st->halt_events);
	ok &= rd64(cf, TG_REG_BOOK_OVERRUN_LO, overrun);
	ok &= rd64(cf, TG_REG_BOOK_EVENTS_DROPPED_LO, events_dropped);
	return ok;
}

void tg_cf_stats(const struct tg_card_feed *cf, struct tg_cf_stats *out)
{
	*out = cf->stats;
	out->format_errors += cf->fe.format_errors;	/* MSG_CONT out of place */
}
