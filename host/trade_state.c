/*
 * The trader's bookkeeping of the gate and of its own orders: see
 * trade_state.h. Every function here is a function of its arguments and
 * the state; nothing reads a clock or the card.
 */
#include "trade_state.h"

#include <stddef.h>

bool trade_is_buy(unsigned side)
{
	return side == TG_RISK_SIDE_BUY;
}

/* The open quantity the gate counts for a slot becomes rem (0 closes it). */
void trade_set_rem(struct trade_state *st, struct slot *q, uint32_t rem)
{
	struct sym *s = q->sym >= 0 ? &st->sym[q->sym] : NULL;

	if (!q->gate_open)
		return;		/* the gate ignores restatements of closed slots */
	if (s != NULL) {
		uint64_t *open = trade_is_buy(q->side) ? &s->open_buy : &s->open_sell;

		*open = *open - q->rem + rem;
	}
	q->rem = rem;
	if (rem == 0) {
		q->gate_open = false;
		if (s != NULL && s->open_orders > 0)
			s->open_orders--;
		if (st->open_all > 0)
			st->open_all--;
	}
}

/* The reference price the gate uses, as far as the card's events tell:
 * the BBO mid (rounded down) when both sides are known, else the last trade. */
uint32_t trade_ref_price(const struct sym *s)
{
	if (s->bid != 0 && s->ask != 0)
		return (uint32_t)(((uint64_t)s->bid + s->ask) >> 1);
	return s->last_trade;
}

/* shares with every open buy (L) and every open sell (S) filled, orders in flight included */
int64_t trade_all_buys(const struct sym *s)
{
	return s->pos + (int64_t)s->open_buy + (int64_t)s->fly_buy;
}

int64_t trade_all_sells(const struct sym *s)
{
	return s->pos - (int64_t)s->open_sell - (int64_t)s->fly_sell;
}

static tg_risk_notional inst_gross(int64_t l, int64_t sh, uint32_t p)
{
	tg_risk_notional a = (tg_risk_notional)l * p, b = (tg_risk_notional)sh * p;

	a = a < 0 ? -a : a;
	b = b < 0 ? -b : b;
	return a > b ? a : b;
}

static void exposure_totals(const struct trade_state *st, tg_risk_notional *gross, tg_risk_notional *nl,
			    tg_risk_notional *ns)
{
	*gross = st->other_gross;
	*nl = st->other_long;
	*ns = st->other_short;
	for (unsigned k = 0; k < st->n_sym; k++) {
		const struct sym *s = &st->sym[k];
		uint32_t p = trade_ref_price(s);

		*gross += inst_gross(trade_all_buys(s), trade_all_sells(s), p);
		*nl += (tg_risk_notional)trade_all_buys(s) * p;
		*ns += (tg_risk_notional)trade_all_sells(s) * p;
	}
}

/*
 * A GCRA bucket after `fly` more orders (in flight, so accepted at some
 * cycle not before `now`) conforms for one more at a cycle not before now:
 * counting them all at `now` is the worst case, since the excess of the
 * theoretical arrival time over the arrival only shrinks as time goes on.
 */
static bool bucket_ok(uint64_t tat, unsigned fly, uint64_t period, uint64_t tol, uint64_t now)
{
	if (period == 0)
		return true;
	for (unsigned i = 0; i < fly; i++)
		tat = (tat > now ? tat : now) + period;
	return tat <= now + tol;
}

/* an order in flight of this instrument with the same side, quantity and price */
static bool in_flight_twin(const struct trade_state *st, int sym, unsigned side, uint32_t qty, uint32_t price)
{
	for (unsigned i = 0; i < st->fifo_len; i++) {
		const struct request *r = &st->fifo[(st->fifo_head + i) % TRADE_INFLIGHT_MAX];

		if (r->sym == sym && r->kind != TG_RISK_IN_CANCEL && r->side == side && r->qty == qty &&
		    r->price == price)
			return true;
	}
	return false;
}

/*
 * The gate's checks (docs/risk.md, in its order) on what we know: the limits
 * read back from the card, the positions and open quantities it counts, the
 * reference it holds as far as the book's events say, and every order in
 * flight counted as accepted. Returns the reason the gate would give, 0
 * when the order may go; *grow: the shares its open side grows by.
 */
int trade_precheck(const struct trade_state *st, const struct sym *s, unsigned kind, const struct slot *q, unsigned side,
		    uint32_t qty, uint32_t price, uint32_t *grow)
{
	const uint64_t *lim = s->lim, *g = st->glim;
	int sym = (int)(s - st->sym);

	*grow = 0;
	if (kind == TG_RISK_IN_CANCEL) {
		if (!q->gate_open)
			return TG_RISK_R_UNKNOWN_ORDER;
		return qty >= q->rem ? TG_RISK_R_BAD_ORDER : 0;
	}
	if (st->killed)
		return TG_RISK_R_KILLED;
	if (kind == TG_RISK_IN_REPLACE && !q->gate_open)
		return TG_RISK_R_UNKNOWN_ORDER;
	if (s->killed)
		return TG_RISK_R_INSTRUMENT_KILLED;
	if (!lim[TG_RISK_LIM_ENABLED])
		return TG_RISK_R_NOT_ENABLED;
	if (s->halted_feed || s->halted_host)
		return TG_RISK_R_HALTED;
	if (qty < 1 || qty > TG_RISK_QTY_MAX || price < 1 || price > TG_RISK_PRICE_MAX)
		return TG_RISK_R_BAD_ORDER;
	if (kind == TG_RISK_IN_NEW && q->gate_open)
		return TG_RISK_R_SLOT_BUSY;
	if (qty > lim[TG_RISK_LIM_MAX_ORDER_QTY])
		return TG_RISK_R_MAX_ORDER_QTY;
	if ((uint64_t)qty * price > lim[TG_RISK_LIM_MAX_ORDER_NOTIONAL])
		return TG_RISK_R_MAX_ORDER_NOTIONAL;
	uint32_t p = trade_ref_price(s);
	if (p == 0) {
		if (g[TG_RISK_LIM_NO_REF_REJECT])
			return TG_RISK_R_NO_REFERENCE;
	} else {
		uint64_t bps = lim[TG_RISK_LIM_COLLAR_BPS], scaled = (uint64_t)price * 10000u;

		if (scaled > (uint64_t)p * (10000u + bps) || scaled < (uint64_t)p * (10000u - bps))
			return TG_RISK_R_COLLAR;
	}
	uint32_t gr = kind == TG_RISK_IN_NEW ? qty : qty > q->rem ? qty - q->rem : 0;
	bool buy = trade_is_buy(side);
	int64_t l = trade_all_buys(s), sh = trade_all_sells(s);
	int64_t l2 = buy ? l + gr : l, s2 = buy ? sh : sh - (int64_t)gr;
	if (gr > 0) {
		if (lim[TG_RISK_LIM_REDUCE_ONLY] && (buy ? l2 > 0 : s2 < 0))
			return TG_RISK_R_REDUCE_ONLY;
		if (buy && l2 > (int64_t)lim[TG_RISK_LIM_MAX_LONG])
			return TG_RISK_R_MAX_LONG;
		if (!buy && -s2 > (int64_t)lim[TG_RISK_LIM_MAX_SHORT])
			return TG_RISK_R_MAX_SHORT;
		tg_risk_notional gross, nl, ns;
		exposure_totals(st, &gross, &nl, &ns);
		tg_risk_notional g2 = gross - inst_gross(l, sh, p) + inst_gross(l2, s2, p);
		if (g2 > gross && g2 > (tg_risk_notional)g[TG_RISK_LIM_MAX_GROSS])
			return TG_RISK_R_MAX_GROSS;
		tg_risk_notional dn = (tg_risk_notional)gr * p;
		if (dn > 0 && (buy ? nl + dn : -(ns - dn)) > (tg_risk_notional)g[TG_RISK_LIM_MAX_NET])
			return TG_RISK_R_MAX_NET;
	}
	if (kind == TG_RISK_IN_NEW) {
		if (s->open_orders + s->fly_new >= lim[TG_RISK_LIM_MAX_OPEN])
			return TG_RISK_R_MAX_OPEN;
		if (st->open_all + st->fly_new_all >= g[TG_RISK_LIM_MAX_OPEN_ALL])
			return TG_RISK_R_MAX_OPEN_ALL;
	}
	if (!bucket_ok(s->rate_tat, s->fly_rate, lim[TG_RISK_LIM_RATE_PERIOD], lim[TG_RISK_LIM_RATE_TOLERANCE],
		       st->now_cycle))
		return TG_RISK_R_RATE;
	if (!bucket_ok(st->rate_tat_all, st->fly_rate_all, g[TG_RISK_LIM_RATE_PERIOD_ALL],
		       g[TG_RISK_LIM_RATE_TOLERANCE_ALL], st->now_cycle))
		return TG_RISK_R_RATE_ALL;
	uint64_t win = lim[TG_RISK_LIM_DUP_WINDOW];
	if (win != 0) {
		uint64_t since = st->now_cycle > s->last_t ? st->now_cycle - s->last_t : 0;

		if ((s->last_valid && s->last_side == side && s->last_qty == qty && s->last_price == price &&
		     since < win) || in_flight_twin(st, sym, side, qty, price))
			return TG_RISK_R_DUPLICATE;
	}
	*grow = gr;
	return 0;
}

void trade_hold(struct sym *s, unsigned key, unsigned why)
{
	if (s->held_last[key] != why + 1) {
		s->c.held_by[why]++;
		s->held_last[key] = (uint8_t)(why + 1);
	}
}

int trade_alloc_slot(struct trade_state *st)
{
	for (unsigned k = 0; k < st->n_slots; k++) {
		unsigned sl = (st->next_slot + k) % st->n_slots;
		const struct slot *q = &st->slots[sl];

		if (!q->foreign && !q->gate_open && q->pend == PEND_NONE) {
			st->next_slot = sl + 1;
			return (int)sl;
		}
	}
	return -1;
}

uint32_t trade_next_tag(struct trade_state *st)
{
	if (++st->next_tag == 0)
		st->next_tag = 1;	/* tag 0 is the card's own */
	return st->next_tag;
}

void trade_sent(struct trade_state *st, const struct request *r)
{
	struct sym *s = &st->sym[r->sym];
	struct slot *q = &st->slots[r->slot];

	st->fifo[(st->fifo_head + st->fifo_len++) % TRADE_INFLIGHT_MAX] = *r;
	if (trade_is_buy(r->side))
		s->fly_buy += r->grow;
	else
		s->fly_sell += r->grow;
	if (r->kind == TG_RISK_IN_NEW) {
		s->fly_new++;
		st->fly_new_all++;
		*q = (struct slot){ .sym = r->sym, .side = r->side, .ioc = r->ioc, .price = r->price };
	}
	if (r->kind != TG_RISK_IN_CANCEL) {
		s->fly_rate++;
		st->fly_rate_all++;
	}
	q->pend = r->kind == TG_RISK_IN_NEW ? PEND_NEW : r->kind == TG_RISK_IN_CANCEL ? PEND_CANCEL : PEND_REPLACE;
	q->pend_decided = false;
	s->c.sent[r->kind]++;
	if (r->ioc)
		s->c.sent_ioc++;
}

static void took_order(struct trade_state *st, struct sym *s, const struct request *r, uint64_t in_cycle)
{
	uint64_t period = s->lim[TG_RISK_LIM_RATE_PERIOD], gperiod = st->glim[TG_RISK_LIM_RATE_PERIOD_ALL];

	if (period != 0)
		s->rate_tat = (s->rate_tat > in_cycle ? s->rate_tat : in_cycle) + period;
	if (gperiod != 0)
		st->rate_tat_all = (st->rate_tat_all > in_cycle ? st->rate_tat_all : in_cycle) + gperiod;
	s->last_valid = true;
	s->last_side = r->side;
	s->last_qty = r->qty;
	s->last_price = r->price;
	s->last_t = in_cycle;
}

/* The decision of the order at the head of the in-flight table. */
void trade_decision(struct trade_state *st, const struct tg_c2h_order_decision *d)
{
	if (d->flags & 2u) {
		st->card_decisions++;	/* the card's own: a watchdog cancel */
		return;
	}
	/* decisions come back in the order the orders went out */
	unsigned skip = 0;

	while (skip < st->fifo_len && st->fifo[(st->fifo_head + skip) % TRADE_INFLIGHT_MAX].tag != d->tag)
		skip++;
	if (skip == st->fifo_len || skip > 0) {
		st->decision_mismatch++;
		if (skip == st->fifo_len)
			return;
	}
	for (unsigned k = 0; k <= skip; k++) {
		struct request r = st->fifo[st->fifo_head];
		struct sym *s = &st->sym[r.sym];
		struct slot *q = &st->slots[r.slot];
		bool accepted = k == skip && (d->flags & 1u) && d->reason == 0;

		st->fifo_head = (st->fifo_head + 1) % TRADE_INFLIGHT_MAX;
		st->fifo_len--;
		if (trade_is_buy(r.side))
			s->fly_buy -= r.grow;
		else
			s->fly_sell -= r.grow;
		if (r.kind == TG_RISK_IN_NEW) {
			s->fly_new--;
			st->fly_new_all--;
		}
		if (r.kind != TG_RISK_IN_CANCEL) {
			s->fly_rate--;
			st->fly_rate_all--;
		}
		if (k < skip) {
			q->pend = PEND_NONE;	/* skipped: its decision never came (counted above) */
			continue;
		}
		if (!accepted) {
			s->c.rejected++;
			s->c.rejected_by[d->reason < TG_RISK_REASONS ? d->reason : TG_RISK_R_BAD_ORDER]++;
			q->pend = PEND_NONE;
			/* a kill or halt we had not seen yet: hold off until the card's flags are read again */
			if (d->reason == TG_RISK_R_KILLED)
				st->killed = true;
			else if (d->reason == TG_RISK_R_INSTRUMENT_KILLED)
				s->killed = true;
			else if (d->reason == TG_RISK_R_HALTED && !s->halted_feed)
				s->halted_host = true;
			continue;
		}
		s->c.accepted++;
		q->pend_decided = true;
		if (r.kind == TG_RISK_IN_NEW) {
			q->gate_open = true;
			q->rem = 0;
			s->open_orders++;
			st->open_all++;
			trade_set_rem(st, q, r.qty);
			took_order(st, s, &r, d->in_cycle);
		} else if (r.kind == TG_RISK_IN_REPLACE) {
			/* until the exchange states the new size, the larger one is open */
			q->rep_grow = q->gate_open && r.qty > q->rem ? r.qty - q->rem : 0;
			if (q->rep_grow != 0)
				trade_set_rem(st, q, r.qty);
			q->replaced = true;
			took_order(st, s, &r, d->in_cycle);
		}
	}
}

/* Shares bought or sold at a price: position, cash, realized P&L. */
void trade_book_trade(struct sym *s, bool buy, uint32_t qty, uint32_t price)
{
	int64_t value = (int64_t)qty * price, q = qty;

	s->pos += buy ? q : -q;
	s->cash += buy ? -value : value;
	/* realized P&L against the average cost of the run's open position */
	if (s->run_pos != 0 && (s->run_pos > 0) != buy) {
		int64_t open = s->run_pos > 0 ? s->run_pos : -s->run_pos;
		int64_t c = q < open ? q : open;
		int64_t removed = c == open ? s->basis : (int64_t)((tg_risk_notional)s->basis * c / open);
		int64_t closed = c * (int64_t)price;

		s->realized += s->run_pos > 0 ? closed - removed : removed - closed;
		s->basis -= removed;
		s->run_pos += buy ? c : -c;
		q -= c;
	}
	if (q > 0) {
		s->basis += q * (int64_t)price;
		s->run_pos += buy ? q : -q;
	}
}

static void on_fill(struct sym *s, bool buy, uint32_t qty, uint32_t price)
{
	trade_book_trade(s, buy, qty, price);
	s->c.fills++;
	s->c.fill_shares += qty;
	if (buy)
		s->c.bought += qty;
	else
		s->c.sold += qty;
	s->last_fill_price = price;
}

/*
 * An exchange response, as the card applied it to the gate (docs/risk.md:
 * Accepted and Replaced state the open quantity, Canceled decrements it,
 * an execution fills, a rejected new order closes its slot) and as the
 * exchange's own view of our orders.
 */
void trade_response(struct trade_state *st, const struct tg_c2h_order_resp *e, int64_t now_ns)
{
	struct slot *q = e->slot < st->n_slots ? &st->slots[e->slot] : NULL;
	bool matched = e->flags & 1u;
	struct sym *s = q != NULL && q->sym >= 0 ? &st->sym[q->sym] : NULL;

	if (s == NULL || (q->foreign && !matched)) {
		st->other_responses++;
		return;
	}
	if (e->msg_type == 'B') {
		s->c.x_broken++;	/* the card applies none: the ledger's answer is reversed (ledger_take) */
		return;
	}
	if (!matched) {
		s->c.unmatched++;	/* an order the card has no longer: not applied */
		return;
	}
	switch (e->msg_type) {
	case 'A':
		trade_set_rem(st, q, e->state == 'D' ? 0 : e->qty);
		if (q->foreign)
			break;
		s->c.x_accepted++;
		q->acked = true;
		q->acked_ns = now_ns;
		q->xopen = e->state == 'D' ? 0 : e->qty;
		q->price = e->price;
		if (q->pend == PEND_NEW)
			q->pend = PEND_NONE;
		break;
	case 'U':
		q->rep_grow = 0;
		trade_set_rem(st, q, e->state == 'D' ? 0 : e->qty);
		if (q->foreign)
			break;
		s->c.x_replaced++;
		q->xopen = e->state == 'D' ? 0 : e->qty;
		q->price = e->price;
		if (q->pend == PEND_REPLACE)
			q->pend = PEND_NONE;
		break;
	case 'C':
	case 'D':
		trade_set_rem(st, q, e->qty < q->rem ? q->rem - e->qty : 0);
		if (q->foreign)
			break;
		s->c.x_canceled++;
		s->c.x_canceled_shares += e->qty;
		q->xopen = e->qty < q->xopen ? q->xopen - e->qty : 0;
		if (q->pend == PEND_CANCEL)
			q->pend = PEND_NONE;
		break;
	case 'E':
		/* the card moves the position by every execution it matched */
		on_fill(s, trade_is_buy(q->side), e->qty, e->price);
		trade_set_rem(st, q, e->qty < q->rem ? q->rem - e->qty : 0);
		if (q->foreign)
			break;
		q->xopen = e->qty < q->xopen ? q->xopen - e->qty : 0;
		/* executed in full while our cancel was on its way: the exchange
		 * ignores a cancel of an order it no longer has, no answer comes */
		if (q->xopen == 0 && q->pend == PEND_CANCEL)
			q->pend = PEND_NONE;
		break;
	case 'J':
		if (!q->replaced) {
			trade_set_rem(st, q, 0);	/* a rejected new order never opened */
		} else if (q->rep_grow != 0) {
			/* a rejected replace: the card takes back what it added */
			trade_set_rem(st, q, q->rem > q->rep_grow ? q->rem - q->rep_grow : 0);
			q->rep_grow = 0;
		}
		if (q->foreign)
			break;
		s->c.x_rejected++;
		if (q->pend == PEND_NEW) {
			q->xopen = 0;
			q->acked = true;
			q->pend = PEND_NONE;
		} else if (q->pend == PEND_REPLACE) {
			q->pend = PEND_NONE;	/* the order stands as it was */
		}
		break;
	case 'I':
		if (q->foreign)
			break;
		s->c.x_cancel_rejects++;
		if (q->pend == PEND_CANCEL) {
			q->xopen = 0;	/* the exchange has nothing left to cancel */
			q->pend = PEND_NONE;
		}
		break;
	default:
		if (!q->foreign)
			s->c.x_other++;
		break;
	}
}

int trade_book_event(struct trade_state *st, const struct tg_feed_event_book *b)
{
	int k = b->instrument < TG_RISK_CARD_INST_MAX ? st->sym_of_inst[b->instrument] : -1;
	struct sym *s;

	if (k < 0)
		return -1;
	s = &st->sym[k];
	if (b->ev.timestamp > s->market_ns)
		s->market_ns = b->ev.timestamp;
	switch (b->ev.type) {
	case TG_BOOK_EV_BBO:
		s->bbo_updates++;
		s->bbo_flags = b->ev.u.bbo.flags;
		/* a side the book cannot know is none, as the gate takes it */
		s->bid = (s->bbo_flags & TG_BOOK_BBO_BID_UNKNOWN) ? 0 : b->ev.u.bbo.bid_price;
		s->ask = (s->bbo_flags & TG_BOOK_BBO_ASK_UNKNOWN) ? 0 : b->ev.u.bbo.ask_price;
		s->bid_size = b->ev.u.bbo.bid_size;
		s->ask_size = b->ev.u.bbo.ask_size;
		s->locate = b->ev.locate;
		s->locate_valid = true;
		break;
	case TG_BOOK_EV_TRADE:
		s->trades++;
		s->last_trade = b->ev.u.trade.price;
		break;
	case TG_BOOK_EV_HALT:
		s->halt_events++;
		s->halted_feed = b->ev.u.halt.halted;
		break;
	default:
		break;
	}
	return k;
}

/* a slot the strategy still counts as its order: in progress, or open at the exchange */
bool trade_live(const struct slot *q)
{
	if (q->pend != PEND_NONE)
		return true;
	return q->acked ? q->xopen > 0 : q->gate_open;
}

uint64_t trade_in_flight(const struct trade_state *st, int sym)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < st->fifo_len; i++)
		n += sym < 0 || st->fifo[(st->fifo_head + i) % TRADE_INFLIGHT_MAX].sym == sym;
	return n;
}
