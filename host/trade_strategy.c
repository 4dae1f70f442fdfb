/*
 * tickgate trade's strategy: see trade_strategy.h.
 */
#include "trade_strategy.h"

#include "tickgate/book.h"
#include "tickgate/risk.h"

/* splitmix64: small, seedable, the same everywhere */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t trade_tick_of(uint32_t price)
{
	return price >= 10000 ? 100 : 1;	/* $0.01, below $1 $0.0001 */
}

static bool market_ok(const struct trade_strategy *g, const struct sym *s)
{
	return !g->st->killed && !s->killed && !s->halted_feed && !s->halted_host && s->lim[TG_RISK_LIM_ENABLED] &&
	       s->bid != 0 && s->ask != 0 && s->bid < s->ask && !(s->bbo_flags & TG_BOOK_BBO_NOT_AUTHORITATIVE);
}

/* The largest order the instrument's limits allow at this price; 0 (and
 * the limit's reason in *why) when they allow none. */
static uint32_t order_cap(const struct sym *s, uint32_t qty, uint32_t price, unsigned *why)
{
	uint64_t q = qty;

	*why = 0;
	if (q > s->lim[TG_RISK_LIM_MAX_ORDER_QTY]) {
		q = s->lim[TG_RISK_LIM_MAX_ORDER_QTY];
		*why = TG_RISK_R_MAX_ORDER_QTY;
	}
	if (price > 0 && q * price > s->lim[TG_RISK_LIM_MAX_ORDER_NOTIONAL]) {
		q = s->lim[TG_RISK_LIM_MAX_ORDER_NOTIONAL] / price;
		*why = TG_RISK_R_MAX_ORDER_NOTIONAL;
	}
	if (q > TG_RISK_QTY_MAX)
		q = TG_RISK_QTY_MAX;
	return (uint32_t)q;
}

/* A sell that would take the position (every open sell filled) below 0 is a short sale. */
static unsigned sell_side(const struct sym *s, uint32_t qty)
{
	return trade_all_sells(s) - (int64_t)qty >= 0 ? TG_RISK_SIDE_SELL : TG_RISK_SIDE_SELL_SHORT;
}

/*
 * One side's quote: placed when wanted and absent, replaced when the target
 * moved more than a tick away (or it would cross, or it is larger than the
 * room the position bound leaves), canceled when no longer wanted or when
 * fills took more than half of it. Nothing is done to a quote with a
 * request in progress.
 */
static void manage_quote(const struct trade_strategy *g, struct sym *s, unsigned b, bool ok, uint32_t target,
			 int64_t room)
{
	int sl = s->quote[b];
	const struct slot *q;

	if (sl >= 0 && !trade_live(&g->st->slots[sl]))
		s->quote[b] = sl = -1;	/* filled or canceled */
	if (*g->stopped)
		return;
	q = sl >= 0 ? &g->st->slots[sl] : NULL;
	if (q != NULL && q->pend != PEND_NONE)
		return;
	if (q != NULL)
		room += q->rem;	/* its own shares are in the measure */
	int64_t want = room < (int64_t)g->size ? room : (int64_t)g->size;
	unsigned why = 0;
	uint32_t qty = ok && want > 0 ? order_cap(s, (uint32_t)want, target, &why) : 0;

	if (ok && want > 0 && qty == 0)
		trade_hold(s, b, why);	/* the limits allow no order at all */
	if (q == NULL) {
		if (qty > 0)
			s->quote[b] = g->send(g->ctx, s, b, TG_RISK_IN_NEW, -1,
					    b == TRADE_KEY_BUY ? TG_RISK_SIDE_BUY : sell_side(s, qty), qty, target, false);
		return;
	}
	/* not wanted, or mostly filled: canceled (a fresh quote follows once it is gone) */
	if (qty == 0 || 2ull * q->xopen < qty) {
		g->send(g->ctx, s, b, TG_RISK_IN_CANCEL, sl, 0, 0, 0, false);
		return;
	}
	/* A replace never grows the order: the gate holds the larger size open until the
	 * exchange states the new one, and an exchange that rejects the replace (the order
	 * was filled meanwhile) never does (docs/risk.md); a smaller one closes with the fills. */
	bool crosses = b == TRADE_KEY_BUY ? q->price >= s->ask : q->price <= s->bid;
	uint32_t dist = q->price > target ? q->price - target : target - q->price;
	if (crosses || dist > trade_tick_of(target) || q->xopen > qty)
		g->send(g->ctx, s, b, TG_RISK_IN_REPLACE, sl, 0, q->xopen < qty ? q->xopen : qty, target, false);
}

/* The next IOC's market time: 2 to 6 seconds on, drawn from the symbol's stream. */
static void schedule_ioc(struct sym *s)
{
	s->next_ioc_ns = s->market_ns + TRADE_IOC_GAP_MIN_NS + rng_next(&s->rng) % TRADE_IOC_GAP_SPAN_NS;
}

static void maybe_ioc(const struct trade_strategy *g, struct sym *s)
{
	if (s->ioc_slot >= 0) {
		const struct slot *q = &g->st->slots[s->ioc_slot];

		if (trade_live(q))
			return;
		s->ioc_slot = -1;
	}
	if (s->next_ioc_ns == 0) {
		schedule_ioc(s);
		return;
	}
	if (s->market_ns < s->next_ioc_ns)
		return;
	schedule_ioc(s);
	/* the side: at random, unless the position leans one way */
	int64_t pos = s->pos;
	bool buy = rng_next(&s->rng) & 1;
	if (pos > s->bound_long / 2)
		buy = false;
	else if (pos < -s->bound_short / 2)
		buy = true;
	uint32_t price = buy ? s->ask : s->bid;
	uint32_t qty = g->size / 4 ? g->size / 4 : 1;
	int64_t room = buy ? s->bound_long - trade_all_buys(s) : s->bound_short + trade_all_sells(s);
	if (room < (int64_t)qty)
		qty = room > 0 ? (uint32_t)room : 0;
	if (qty == 0)
		return;
	unsigned why = 0;
	qty = order_cap(s, qty, price, &why);
	if (qty == 0) {
		trade_hold(s, TRADE_KEY_IOC, why);
		return;
	}
	s->ioc_slot = g->send(g->ctx, s, TRADE_KEY_IOC, TG_RISK_IN_NEW, -1, buy ? TG_RISK_SIDE_BUY : sell_side(s, qty),
				 qty, price, true);
}

void trade_strategy_ioc_safety_net(const struct trade_strategy *g, struct sym *s, int64_t now_ns)
{
	const struct slot *q = s->ioc_slot >= 0 ? &g->st->slots[s->ioc_slot] : NULL;

	if (q != NULL && trade_live(q) && q->pend == PEND_NONE && q->acked && q->gate_open &&
	    now_ns - q->acked_ns > TRADE_IOC_STALE_NS)
		g->send(g->ctx, s, TRADE_KEY_IOC, TG_RISK_IN_CANCEL, s->ioc_slot, 0, 0, 0, false);
}

void trade_strategy_evaluate(const struct trade_strategy *g, struct sym *s)
{
	bool ok = market_ok(g, s);
	uint32_t target[2] = { 0, 0 };
	int64_t room[2] = { 0, 0 };

	if (ok) {
		uint32_t tick = trade_tick_of(s->bid);

		if (s->ask - s->bid > 2 * tick) {
			target[0] = s->bid + tick;
			target[1] = s->ask - tick;
		} else {
			target[0] = s->bid;
			target[1] = s->ask;
		}
		if (s->pos > s->bound_long / 2 && target[0] > tick)
			target[0] -= tick;
		if (s->pos < -s->bound_short / 2)
			target[1] += tick;
		/* room under the bound with every open order filled (the gate's measure) */
		room[0] = s->bound_long - trade_all_buys(s);
		room[1] = s->bound_short + trade_all_sells(s);
	}
	for (unsigned b = 0; b < 2; b++)
		manage_quote(g, s, b, ok, target[b], room[b]);
	if (ok)
		maybe_ioc(g, s);
}
