/* The risk gate's adversarial input stream; see risk_stream.h. */
#include "risk_stream.h"

static uint64_t rnd(struct tg_risk_stream *g)
{
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 0x2545f4914f6cdd1dull;
}

static uint32_t below(struct tg_risk_stream *g, uint32_t n)
{
	return n ? (uint32_t)(rnd(g) % n) : 0;
}

static bool chance(struct tg_risk_stream *g, unsigned percent)
{
	return below(g, 100) < percent;
}

static uint32_t clamp32(int64_t v)
{
	return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static uint64_t lim(struct tg_risk_stream *g, unsigned field, unsigned inst)
{
	return tg_risk_limit(g->m, field, inst, false);
}

static unsigned pick_inst(struct tg_risk_stream *g)
{
	return chance(g, 2) ? g->ni + below(g, 3) : below(g, g->ni);
}

/* An order slot: open (want_open) or free, from a random start; else any. */
static unsigned pick_slot(struct tg_risk_stream *g, bool want_open)
{
	if (chance(g, 1))
		return g->ns + below(g, 4);
	unsigned start = below(g, g->ns);
	for (unsigned k = 0; k < g->ns; k++) {
		unsigned s = (start + k) % g->ns;
		if (tg_risk_slot(g->m, s)->open == want_open)
			return s;
	}
	return start;
}

/*
 * A mid price near the walk's for which a collar bound, p x (10000 +/- bps),
 * falls within 5 of a multiple of 10000 (where limit prices x 10000 sit):
 * there an off-by-a-few bound decides differently.
 */
static uint32_t collar_tight_mid(struct tg_risk_stream *g, unsigned inst)
{
	uint64_t bps = tg_risk_limit(g->m, TG_RISK_LIM_COLLAR_BPS, inst, false);
	bool upper = chance(g, 50);
	for (uint64_t p = g->base[inst]; p < g->base[inst] + 20000; p++) {
		uint64_t r = upper ? p * (10000 + bps) % 10000 : p * (10000 - bps) % 10000;
		if (upper ? r >= 9995 : r >= 1 && r <= 5)
			return (uint32_t)p;
	}
	return g->base[inst];
}

/* A limit price: around the reference, at and across the collar's edges. */
static uint32_t pick_price(struct tg_risk_stream *g, unsigned inst)
{
	const struct tg_risk_inst_state *st = tg_risk_inst(g->m, inst < g->ni ? inst : 0);
	uint64_t p = st->ref_price ? st->ref_price : g->base[inst % g->ni];
	uint64_t bps = lim(g, TG_RISK_LIM_COLLAR_BPS, inst);
	switch (below(g, 12)) {
	case 0: return (uint32_t)(p * (10000 + bps) / 10000);			/* the upper edge */
	case 1: return (uint32_t)(p * (10000 + bps) / 10000 + 1);
	case 2: return (uint32_t)((p * (10000 - bps) + 9999) / 10000);	/* the lower edge */
	case 3: return (uint32_t)((p * (10000 - bps) + 9999) / 10000 - 1);
	case 4: return chance(g, 50) ? 0 : TG_RISK_PRICE_MAX + 1u + below(g, 5);
	case 5: return 1 + below(g, TG_RISK_PRICE_MAX);
	default: return clamp32((int64_t)p + (int64_t)below(g, 2001) - 1000);
	}
}

/* An order quantity for side `buy` of inst: small, or at and past a limit. */
static uint32_t pick_qty(struct tg_risk_stream *g, unsigned inst, bool buy, uint32_t price)
{
	const struct tg_risk_inst_state *st = tg_risk_inst(g->m, inst < g->ni ? inst : 0);
	int64_t l = st->position + (int64_t)st->open_buy, s = st->position - (int64_t)st->open_sell;
	int off = (int)below(g, 3) - 1;
	switch (below(g, 10)) {
	case 0: return clamp32((int64_t)lim(g, TG_RISK_LIM_MAX_ORDER_QTY, inst) + off);
	case 1: return buy ? clamp32((int64_t)lim(g, TG_RISK_LIM_MAX_LONG, inst) - l + off)
			   : clamp32((int64_t)lim(g, TG_RISK_LIM_MAX_SHORT, inst) + s + off);
	case 2: return price ? clamp32((int64_t)(lim(g, TG_RISK_LIM_MAX_ORDER_NOTIONAL, inst) / price) + off) : 1;
	case 3: return chance(g, 50) ? 0 : TG_RISK_QTY_MAX + 1u;
	case 4: return buy ? clamp32(-l + off) : clamp32(s + off);	/* reduce-only's edge */
	default: return 1 + below(g, 300);
	}
}

static uint64_t pick_limit(struct tg_risk_stream *g, const struct tg_risk_limit_info *li)
{
	if (chance(g, 2))
		return li->max + 1 + below(g, 3);	/* refused */
	switch (li->id) {
	case TG_RISK_LIM_ENABLED: return chance(g, 92);
	case TG_RISK_LIM_REDUCE_ONLY: return chance(g, 8);
	case TG_RISK_LIM_MAX_ORDER_QTY: return 20 + below(g, 2000);
	case TG_RISK_LIM_MAX_ORDER_NOTIONAL: return 1000000ull + (uint64_t)below(g, 200000) * 10000;
	case TG_RISK_LIM_COLLAR_BPS: return chance(g, 3) ? 10000 : below(g, 600);
	case TG_RISK_LIM_MAX_LONG:
	case TG_RISK_LIM_MAX_SHORT: return 100 + below(g, 6000);
	case TG_RISK_LIM_MAX_OPEN: return 1 + below(g, 6);
	case TG_RISK_LIM_RATE_PERIOD: return chance(g, 50) ? 0 : 1 + below(g, 40);
	case TG_RISK_LIM_RATE_TOLERANCE: return below(g, 300);
	case TG_RISK_LIM_DUP_WINDOW: return chance(g, 40) ? 0 : 1 + below(g, 200);
	case TG_RISK_LIM_MAX_GROSS:
	case TG_RISK_LIM_MAX_NET: {
		struct tg_risk_totals t;
		tg_risk_totals(g->m, &t);
		tg_risk_notional base = t.gross > 0 ? t.gross : 0;
		if (chance(g, 20))
			return UINT64_MAX;
		uint64_t b = base > (tg_risk_notional)UINT64_MAX / 2 ? UINT64_MAX / 2 : (uint64_t)base;
		return b + (uint64_t)below(g, 2000) * 100000;
	}
	case TG_RISK_LIM_MAX_OPEN_ALL: return 4 + below(g, 64);
	case TG_RISK_LIM_RATE_PERIOD_ALL: return chance(g, 60) ? 0 : 1 + below(g, 10);
	case TG_RISK_LIM_RATE_TOLERANCE_ALL: return below(g, 100);
	case TG_RISK_LIM_NO_REF_REJECT: return chance(g, 30);
	default: return rnd(g);
	}
}

/*
 * A quantity that at reference price ref takes half to one and a half times
 * the room left under MAX_GROSS (gross) or the side's MAX_NET; small where
 * there is no room or no reference.
 */
static uint32_t room_qty(struct tg_risk_stream *g, uint32_t ref, bool gross, bool buy)
{
	struct tg_risk_totals t;
	tg_risk_totals(g->m, &t);
	tg_risk_notional used = gross ? t.gross : buy ? t.net_long : -t.net_short;
	tg_risk_notional room = (tg_risk_notional)lim(g, gross ? TG_RISK_LIM_MAX_GROSS : TG_RISK_LIM_MAX_NET, 0) - used;
	if (ref == 0 || room <= 0 || room / ref > TG_RISK_QTY_MAX)
		return 1 + below(g, 300);
	uint64_t q = (uint64_t)(room / ref);
	return clamp32((int64_t)(q / 2 + below(g, (uint32_t)q + 1)));
}

/*
 * An order of a run: new orders back to back, each on the next instrument,
 * sized to the room left under MAX_GROSS or MAX_NET, so that whether one
 * passes turns on the order just ahead.
 */
static void run_order(struct tg_risk_stream *g, struct tg_risk_input *in)
{
	in->kind = TG_RISK_IN_NEW;
	in->inst = (uint8_t)(g->rr++ % g->ni);
	in->side = chance(g, 50) ? TG_RISK_SIDE_BUY : (uint8_t)(1 + below(g, 3));
	in->slot = (uint16_t)pick_slot(g, false);
	uint32_t ref = tg_risk_inst(g->m, in->inst)->ref_price;
	in->price = ref ? ref : g->base[in->inst];
	in->qty = room_qty(g, ref, chance(g, 50), in->side == TG_RISK_SIDE_BUY);
}

/*
 * An order of a run on one instrument: orders back to back, each decided
 * while the one ahead is, so that whether one passes turns on that one's
 * decision: sized at and past MAX_LONG, MAX_SHORT and reduce-only's edge, to
 * the room under MAX_GROSS or MAX_NET, or a repeat of the last (the
 * duplicate window); now and then a replace that grows one of the
 * instrument's open orders. The side holds for a while, so that sells build
 * the short side (A > 0) that buys then eat into, and the other way round.
 */
static void inst_run_order(struct tg_risk_stream *g, struct tg_risk_input *in)
{
	unsigned k = g->run_inst;
	if (chance(g, 15))
		g->run_buy = !g->run_buy;
	bool buy = g->run_buy;
	const struct tg_risk_inst_state *st = tg_risk_inst(g->m, k);
	in->kind = TG_RISK_IN_NEW;
	in->inst = (uint8_t)k;
	in->side = buy ? TG_RISK_SIDE_BUY : (uint8_t)(1 + below(g, 3));
	in->slot = (uint16_t)pick_slot(g, false);
	in->price = st->ref_price && chance(g, 70) ? st->ref_price : pick_price(g, k);
	unsigned c = below(g, 10);
	if (c < 4) {
		in->qty = pick_qty(g, k, buy, in->price);
	} else if (c < 6) {
		in->qty = room_qty(g, st->ref_price, chance(g, 50), buy);
	} else if (c < 7 && st->last_valid) {
		in->side = st->last_side;
		in->qty = st->last_qty;
		in->price = st->last_price;
	} else if (c < 8) {
		unsigned start = below(g, g->ns);
		for (unsigned i = 0; i < g->ns; i++) {
			const struct tg_risk_slot *o = tg_risk_slot(g->m, (start + i) % g->ns);
			if (o->open && o->inst == k) {
				in->kind = TG_RISK_IN_REPLACE;
				in->slot = (uint16_t)((start + i) % g->ns);
				in->side = o->side;
				in->qty = clamp32((int64_t)o->rem + below(g, 300));
				break;
			}
		}
		if (in->kind == TG_RISK_IN_NEW)
			in->qty = 1 + below(g, 300);
	} else {
		in->qty = 1 + below(g, 300);
	}
}

struct tg_risk_input tg_risk_stream_next(struct tg_risk_stream *g)
{
	struct tg_risk_input in = {0};
	if (g->burst) {
		g->burst--;
	} else {
		g->t += below(g, 12);
		if (chance(g, 1))
			g->burst = 20 + below(g, 60);	/* a burst at one instant */
	}
	in.t = g->t;
	if (g->run) {
		g->run--;
		run_order(g, &in);
		return in;
	}
	if (g->inst_run) {
		g->inst_run--;
		inst_run_order(g, &in);
		return in;
	}
	if (chance(g, 1)) {
		g->run = 8 + below(g, 16);
	} else if (chance(g, 1)) {
		g->inst_run = 8 + below(g, 24);
		g->run_inst = below(g, g->ni);
		g->run_buy = chance(g, 50);
	}
	unsigned w = below(g, 1000);
	if (w < 330) {
		in.kind = TG_RISK_IN_NEW;
		in.inst = (uint8_t)pick_inst(g);
		in.side = (uint8_t)below(g, 4);
		in.slot = (uint16_t)pick_slot(g, chance(g, 5));
		in.price = pick_price(g, in.inst);
		in.qty = pick_qty(g, in.inst, in.side == TG_RISK_SIDE_BUY, in.price);
		/* quantity x price exactly MAX_ORDER_NOTIONAL now and then (the
		 * limits the stream sets are multiples of 10,000) */
		static const uint32_t divisors[] = {1, 2, 4, 5, 8, 10, 16, 20, 25, 40, 50, 80, 100, 10000};
		uint64_t max_notional = lim(g, TG_RISK_LIM_MAX_ORDER_NOTIONAL, in.inst);
		uint32_t d = divisors[below(g, sizeof(divisors) / sizeof(divisors[0]))];
		if (chance(g, 3) && max_notional % d == 0 && max_notional / d <= TG_RISK_PRICE_MAX) {
			in.qty = d;
			in.price = (uint32_t)(max_notional / d);
		}
		/* the duplicate window: repeat the last order now and then */
		const struct tg_risk_inst_state *st = tg_risk_inst(g->m, in.inst);
		if (st && st->last_valid && chance(g, 10)) {
			in.side = st->last_side;
			in.qty = st->last_qty;
			in.price = st->last_price;
		}
	} else if (w < 410) {
		in.kind = TG_RISK_IN_CANCEL;
		in.slot = (uint16_t)pick_slot(g, !chance(g, 5));
		const struct tg_risk_slot *o = tg_risk_slot(g->m, in.slot);
		in.qty = o && o->rem ? (chance(g, 10) ? o->rem : below(g, o->rem)) : below(g, 10);
	} else if (w < 510) {
		in.kind = TG_RISK_IN_REPLACE;
		in.slot = (uint16_t)pick_slot(g, !chance(g, 5));
		const struct tg_risk_slot *o = tg_risk_slot(g->m, in.slot);
		unsigned inst = o ? o->inst : 0;
		in.price = pick_price(g, inst);
		in.qty = o && o->rem && chance(g, 50) ? clamp32((int64_t)o->rem + below(g, 21) - 10)
						      : pick_qty(g, inst, o && o->side == TG_RISK_SIDE_BUY, in.price);
	} else if (w < 640 && chance(g, 15)) {
		/* a bust: an execution the exchange broke, reversed; the slot it
		 * names (none, for the gate) is sometimes an open one */
		in.kind = TG_RISK_IN_FILL;
		in.sub = TG_RISK_FILL_BUST;
		in.inst = (uint8_t)pick_inst(g);
		in.side = (uint8_t)below(g, 4);
		in.slot = (uint16_t)pick_slot(g, chance(g, 50));
		const struct tg_risk_inst_state *st = tg_risk_inst(g->m, in.inst < g->ni ? in.inst : 0);
		int64_t l = st->position + (int64_t)st->open_buy, sh = st->position - (int64_t)st->open_sell;
		int off = (int)below(g, 3) - 1;
		switch (below(g, 10)) {
		case 0:	/* the whole position back to 0 (and one past) */
			in.side = st->position > 0 ? TG_RISK_SIDE_BUY : (uint8_t)(1 + below(g, 3));
			in.qty = clamp32((st->position < 0 ? -st->position : st->position) + off);
			break;
		case 1:	/* a sell broken: L grows to max_long and one past it */
			in.side = (uint8_t)(1 + below(g, 3));
			in.qty = clamp32((int64_t)lim(g, TG_RISK_LIM_MAX_LONG, in.inst) - l + off);
			break;
		case 2:	/* a buy broken: S falls to -max_short and one past it */
			in.side = TG_RISK_SIDE_BUY;
			in.qty = clamp32((int64_t)lim(g, TG_RISK_LIM_MAX_SHORT, in.inst) + sh + off);
			break;
		case 3:	/* refused: no shares, too many, or no such sub */
			if (chance(g, 30))
				in.sub = (uint8_t)(2 + below(g, 2));
			in.qty = chance(g, 50) ? 0 : TG_RISK_QTY_MAX + 1u;
			if (in.sub > TG_RISK_FILL_BUST)
				in.qty = 1 + below(g, 500);
			break;
		default:
			in.qty = 1 + below(g, 500);
			break;
		}
	} else if (w < 640) {
		in.kind = TG_RISK_IN_FILL;
		in.slot = (uint16_t)pick_slot(g, !chance(g, 8));
		const struct tg_risk_slot *o = tg_risk_slot(g->m, in.slot);
		if (o && o->open && !chance(g, 5)) {
			in.inst = o->inst;
			/* another sell code still matches a sell */
			in.side = o->side == TG_RISK_SIDE_BUY ? TG_RISK_SIDE_BUY : (uint8_t)(1 + below(g, 3));
			unsigned c = below(g, 10);
			in.qty = c < 5 ? 1 + below(g, o->rem) : c < 9 ? o->rem : o->rem + 1 + below(g, 50);
		} else {
			in.inst = (uint8_t)pick_inst(g);
			in.side = chance(g, 50) ? TG_RISK_SIDE_BUY : (uint8_t)(1 + below(g, 3));
			in.qty = chance(g, 3) ? (chance(g, 50) ? 0 : TG_RISK_QTY_MAX + 1) : 1 + below(g, 500);
		}
	} else if (w < 690) {
		in.kind = TG_RISK_IN_RESTATE;
		in.slot = (uint16_t)pick_slot(g, !chance(g, 5));
		const struct tg_risk_slot *o = tg_risk_slot(g->m, in.slot);
		uint32_t rem = o ? o->rem : 0;
		in.qty = chance(g, 2) ? TG_RISK_QTY_MAX + 1 : chance(g, 30) ? 0 : below(g, rem + 20);
		/* a third are decrements (an exchange's cancel); a few carry a bad sub */
		in.sub = (uint8_t)(chance(g, 1) ? 2 + below(g, 2) : chance(g, 33) ? 1 : 0);
		/* most are stamped with the slot's count of accepted orders (as order
		 * entry stamps an Accepted or Replaced), some with a count that has
		 * moved on since, some not at all */
		if (!chance(g, 20)) {
			unsigned count = o ? o->decided : below(g, 16);
			if (chance(g, 30))
				count += 1 + below(g, 15);
			in.field = (uint8_t)(TG_RISK_STAMPED | (count & TG_RISK_STAMP_COUNT));
		}
	} else if (w < 820) {
		in.kind = TG_RISK_IN_REF;
		in.inst = (uint8_t)pick_inst(g);
		in.sub = (uint8_t)(chance(g, 1) ? 3 : below(g, 3));
		unsigned k = in.inst % g->ni;
		g->base[k] = clamp32((int64_t)g->base[k] + (int64_t)below(g, 401) - 200);
		if (g->base[k] < 1000)
			g->base[k] = 1000;
		uint32_t spread = 1 + below(g, 50);
		if (in.sub == 0 && chance(g, 10))
			g->base[k] = collar_tight_mid(g, k);
		in.price = chance(g, 20) ? 0 : g->base[k] - spread;
		in.price2 = chance(g, 20) ? 0 : g->base[k] + spread;
		if (chance(g, 1))
			in.price2 = TG_RISK_PRICE_MAX + 1u;
	} else if (w < 835) {
		in.kind = TG_RISK_IN_HALT;
		in.inst = (uint8_t)pick_inst(g);
		in.sub = (uint8_t)(chance(g, 2) ? 2 : below(g, 2));
		in.qty = chance(g, 12);
	} else if (w < 842) {
		in.kind = TG_RISK_IN_KILL;
		in.sub = (uint8_t)(chance(g, 2) ? 2 + below(g, 2) : below(g, 2));
		in.inst = (uint8_t)pick_inst(g);
		in.qty = chance(g, 12);
	} else if (w < 975) {
		in.kind = TG_RISK_IN_SET;
		if (chance(g, 2)) {
			in.field = (uint8_t)(11 + below(g, 21));	/* mostly not a field */
			in.value = below(g, 2);
		} else {
			const struct tg_risk_limit_info *li = &tg_risk_limits[below(g, tg_risk_limits_count)];
			in.field = li->id;
			in.value = pick_limit(g, li);
		}
		in.inst = (uint8_t)pick_inst(g);
	} else if (w < 997) {
		in.kind = TG_RISK_IN_COMMIT;
	} else {
		in.kind = (uint8_t)(10 + below(g, 6));	/* no such input */
	}
	return in;
}

unsigned tg_risk_stream_setup(struct tg_risk_stream *g, struct tg_risk_input *out)
{
	unsigned count = 0, *n = &count;
	static const struct {
		unsigned id;
		uint64_t v;
	} inst_lim[] = {
		{TG_RISK_LIM_ENABLED, 1}, {TG_RISK_LIM_MAX_ORDER_QTY, 2000},
		{TG_RISK_LIM_MAX_ORDER_NOTIONAL, 1000000000000ull}, {TG_RISK_LIM_COLLAR_BPS, 300},
		{TG_RISK_LIM_MAX_LONG, 5000}, {TG_RISK_LIM_MAX_SHORT, 5000}, {TG_RISK_LIM_MAX_OPEN, 12},
	};
	*n = 0;
	for (unsigned i = 0; i < g->ni; i++) {
		for (unsigned k = 0; k < sizeof(inst_lim) / sizeof(inst_lim[0]); k++)
			out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = (uint8_t)inst_lim[k].id,
							     .inst = (uint8_t)i, .value = inst_lim[k].v};
		g->base[i] = 100000 + 50000 * i;
		out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_REF, .sub = 2, .inst = (uint8_t)i,
						     .price = g->base[i]};
	}
	out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_GROSS, .value = UINT64_MAX};
	out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_NET, .value = UINT64_MAX};
	out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_OPEN_ALL, .value = 48};
	out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_COMMIT};
	return count;
}


void tg_risk_stream_init(struct tg_risk_stream *g, uint64_t seed, struct tg_risk *model,
			 unsigned instruments, unsigned slots)
{
	/* splitmix64 of the seed: every seed its own stream (xorshift needs a
	 * state other than 0, which splitmix64 gives for one seed in 2^64) */
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	*g = (struct tg_risk_stream){.s = z ? z : 1, .m = model, .ni = instruments, .ns = slots};
}

uint32_t tg_risk_stream_below(struct tg_risk_stream *g, uint32_t n)
{
	return below(g, n);
}
