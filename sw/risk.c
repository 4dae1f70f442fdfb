/*
 * The risk gate's golden model (see tickgate/risk.h and docs/risk.md).
 *
 * Written for plainness, not speed: notional figures are recomputed from
 * share counts and reference prices whenever they are needed, so the card's
 * incremental bookkeeping is checked against a direct statement of the
 * rules.
 */
#include <stdlib.h>
#include <string.h>

#include "tickgate/risk.h"

struct tg_risk {
	struct tg_risk_config cfg;
	/* limits: [instrument][id] for instrument fields, [0][id] for global */
	uint64_t (*active)[TG_RISK_LIMIT_IDS];
	uint64_t (*shadow)[TG_RISK_LIMIT_IDS];
	struct tg_risk_inst_state *inst;
	struct tg_risk_slot *slot;
	bool killed;
	uint64_t rate_tat;
	uint32_t open_orders;
	uint64_t decided[TG_RISK_REASONS];
	uint64_t bad_inputs;
	uint64_t unmatched;
};

const struct tg_risk_limit_info *tg_risk_limit_info(unsigned field)
{
	for (unsigned i = 0; i < tg_risk_limits_count; i++)
		if (tg_risk_limits[i].id == field)
			return &tg_risk_limits[i];
	return NULL;
}

struct tg_risk *tg_risk_new(const struct tg_risk_config *cfg)
{
	if (cfg->instruments < 1 || cfg->instruments > TG_RISK_INSTRUMENTS_MAX ||
	    cfg->slots < 1 || cfg->slots > TG_RISK_SLOTS_MAX)
		return NULL;
	struct tg_risk *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->cfg = *cfg;
	r->active = calloc(cfg->instruments, sizeof(*r->active));
	r->shadow = calloc(cfg->instruments, sizeof(*r->shadow));
	r->inst = calloc(cfg->instruments, sizeof(*r->inst));
	r->slot = calloc(cfg->slots, sizeof(*r->slot));
	if (!r->active || !r->shadow || !r->inst || !r->slot) {
		tg_risk_free(r);
		return NULL;
	}
	return r;
}

void tg_risk_free(struct tg_risk *r)
{
	if (!r)
		return;
	free(r->active);
	free(r->shadow);
	free(r->inst);
	free(r->slot);
	free(r);
}

static uint64_t lim(const struct tg_risk *r, unsigned inst, enum tg_risk_limit id)
{
	return r->active[inst][id];
}

static uint64_t glim(const struct tg_risk *r, enum tg_risk_limit id)
{
	return r->active[0][id];
}

uint64_t tg_risk_limit(const struct tg_risk *r, unsigned field, unsigned inst, bool shadow)
{
	const struct tg_risk_limit_info *li = tg_risk_limit_info(field);
	if (!li)
		return 0;
	if (li->global)
		inst = 0;
	if (inst >= r->cfg.instruments)
		return 0;
	return shadow ? r->shadow[inst][field] : r->active[inst][field];
}

static bool is_buy(unsigned side)
{
	return side == TG_RISK_SIDE_BUY;
}

/* Shares with every open buy filled (L) and with every open sell filled (S). */
static int64_t all_buys(const struct tg_risk_inst_state *s)
{
	return s->position + (int64_t)s->open_buy;
}

static int64_t all_sells(const struct tg_risk_inst_state *s)
{
	return s->position - (int64_t)s->open_sell;
}

static tg_risk_notional absn(tg_risk_notional x)
{
	return x < 0 ? -x : x;
}

static tg_risk_notional maxn(tg_risk_notional a, tg_risk_notional b)
{
	return a > b ? a : b;
}

/* The instrument's gross exposure if L and S were these. */
static tg_risk_notional inst_gross(int64_t l, int64_t s, uint32_t p)
{
	return maxn(absn((tg_risk_notional)l * p), absn((tg_risk_notional)s * p));
}

static void totals(const struct tg_risk *r, tg_risk_notional *gross, tg_risk_notional *nl,
		   tg_risk_notional *ns)
{
	*gross = *nl = *ns = 0;
	for (unsigned i = 0; i < r->cfg.instruments; i++) {
		const struct tg_risk_inst_state *s = &r->inst[i];
		*gross += inst_gross(all_buys(s), all_sells(s), s->ref_price);
		*nl += (tg_risk_notional)all_buys(s) * s->ref_price;
		*ns += (tg_risk_notional)all_sells(s) * s->ref_price;
	}
}

static void update_ref(struct tg_risk_inst_state *s)
{
	if (s->bid && s->ask)
		s->ref_price = (uint32_t)(((uint64_t)s->bid + s->ask) >> 1);
	else if (s->last)
		s->ref_price = s->last;
	else
		s->ref_price = s->host;
}

/* GCRA: a bucket conforms when its theoretical arrival time is at most
 * t + tolerance; an accepted order moves it one period on. */
static bool rate_ok(uint64_t tat, uint64_t period, uint64_t tol, uint64_t t)
{
	return period == 0 || tat <= t + tol;
}

static uint64_t rate_take(uint64_t tat, uint64_t period, uint64_t t)
{
	return period == 0 ? tat : (tat > t ? tat : t) + period;
}

/*
 * The checks an order that grows side `side` of instrument i by `grow`
 * shares (0 for a replace that does not) must pass, after the order-level
 * ones; qty and price are the order's.
 */
static enum tg_risk_reason check_order(const struct tg_risk *r, unsigned i, unsigned side,
				       uint32_t qty, uint32_t price, uint32_t grow, bool is_new,
				       uint64_t t)
{
	const struct tg_risk_inst_state *s = &r->inst[i];
	bool buy = is_buy(side);

	if (qty > lim(r, i, TG_RISK_LIM_MAX_ORDER_QTY))
		return TG_RISK_R_MAX_ORDER_QTY;
	if ((uint64_t)qty * price > lim(r, i, TG_RISK_LIM_MAX_ORDER_NOTIONAL))
		return TG_RISK_R_MAX_ORDER_NOTIONAL;

	uint32_t p = s->ref_price;
	if (p == 0) {
		if (glim(r, TG_RISK_LIM_NO_REF_REJECT))
			return TG_RISK_R_NO_REFERENCE;
	} else {
		uint64_t bps = lim(r, i, TG_RISK_LIM_COLLAR_BPS);
		uint64_t scaled = (uint64_t)price * 10000u;
		if (scaled > (uint64_t)p * (10000u + bps) || scaled < (uint64_t)p * (10000u - bps))
			return TG_RISK_R_COLLAR;
	}

	int64_t l = all_buys(s), sh = all_sells(s);
	int64_t l2 = buy ? l + grow : l, s2 = buy ? sh : sh - (int64_t)grow;
	if (grow > 0) {
		if (lim(r, i, TG_RISK_LIM_REDUCE_ONLY) && (buy ? l2 > 0 : s2 < 0))
			return TG_RISK_R_REDUCE_ONLY;
		if (buy && l2 > (int64_t)lim(r, i, TG_RISK_LIM_MAX_LONG))
			return TG_RISK_R_MAX_LONG;
		if (!buy && -s2 > (int64_t)lim(r, i, TG_RISK_LIM_MAX_SHORT))
			return TG_RISK_R_MAX_SHORT;
		tg_risk_notional gross, nl, ns;
		totals(r, &gross, &nl, &ns);
		tg_risk_notional g2 = gross - inst_gross(l, sh, p) + inst_gross(l2, s2, p);
		if (g2 > gross && g2 > (tg_risk_notional)glim(r, TG_RISK_LIM_MAX_GROSS))
			return TG_RISK_R_MAX_GROSS;
		tg_risk_notional dn = (tg_risk_notional)grow * p;
		if (dn > 0 && (buy ? nl + dn : -(ns - dn)) > (tg_risk_notional)glim(r, TG_RISK_LIM_MAX_NET))
			return TG_RISK_R_MAX_NET;
	}
	if (is_new) {
		if (s->open_orders >= lim(r, i, TG_RISK_LIM_MAX_OPEN))
			return TG_RISK_R_MAX_OPEN;
		if (r->open_orders >= glim(r, TG_RISK_LIM_MAX_OPEN_ALL))
			return TG_RISK_R_MAX_OPEN_ALL;
	}
	if (!rate_ok(s->rate_tat, lim(r, i, TG_RISK_LIM_RATE_PERIOD), lim(r, i, TG_RISK_LIM_RATE_TOLERANCE), t))
		return TG_RISK_R_RATE;
	if (!rate_ok(r->rate_tat, glim(r, TG_RISK_LIM_RATE_PERIOD_ALL), glim(r, TG_RISK_LIM_RATE_TOLERANCE_ALL), t))
		return TG_RISK_R_RATE_ALL;
	uint64_t win = lim(r, i, TG_RISK_LIM_DUP_WINDOW);
	if (win && s->last_valid && s->last_side == side && s->last_qty == qty &&
	    s->last_price == price && t - s->last_t < win)
		return TG_RISK_R_DUPLICATE;
	return TG_RISK_R_ACCEPTED;
}

/* The instrument-level checks every order that may add risk passes first. */
static enum tg_risk_reason check_instrument(const struct tg_risk *r, unsigned i)
{
	const struct tg_risk_inst_state *s = &r->inst[i];
	if (s->killed)
		return TG_RISK_R_INSTRUMENT_KILLED;
	if (!lim(r, i, TG_RISK_LIM_ENABLED))
		return TG_RISK_R_NOT_ENABLED;
	if (s->halted_feed || s->halted_host)
		return TG_RISK_R_HALTED;
	return TG_RISK_R_ACCEPTED;
}

static bool order_fields_ok(uint32_t qty, uint32_t price)
{
	return qty >= 1 && qty <= TG_RISK_QTY_MAX && price >= 1 && price <= TG_RISK_PRICE_MAX;
}

/* An accepted order: its rate buckets and duplicate record move on. */
static void took_order(struct tg_risk *r, unsigned i, const struct tg_risk_input *in,
		       unsigned side)
{
	struct tg_risk_inst_state *s = &r->inst[i];
	s->rate_tat = rate_take(s->rate_tat, lim(r, i, TG_RISK_LIM_RATE_PERIOD), in->t);
	r->rate_tat = rate_take(r->rate_tat, glim(r, TG_RISK_LIM_RATE_PERIOD_ALL), in->t);
	s->last_valid = true;
	s->last_side = (uint8_t)side;
	s->last_qty = in->qty;
	s->last_price = in->price;
	s->last_t = in->t;
}

/* Open shares of a slot's side change by delta. */
static void open_add(struct tg_risk *r, struct tg_risk_slot *o, int64_t delta)
{
	struct tg_risk_inst_state *s = &r->inst[o->inst];
	if (is_buy(o->side))
		s->open_buy = (uint64_t)((int64_t)s->open_buy + delta);
	else
		s->open_sell = (uint64_t)((int64_t)s->open_sell + delta);
	o->rem = (uint32_t)((int64_t)o->rem + delta);
	if (o->rem == 0) {
		o->open = false;
		s->open_orders--;
		r->open_orders--;
	}
}

/* The slot's count of accepted NEW and REPLACE orders after one more. */
static uint8_t next_decided(const struct tg_risk_slot *o)
{
	return (uint8_t)((o->decided + 1u) & TG_RISK_STAMP_COUNT);
}

static enum tg_risk_reason decide_new(struct tg_risk *r, const struct tg_risk_input *in)
{
	if (r->killed)
		return TG_RISK_R_KILLED;
	if (in->inst >= r->cfg.instruments)
		return TG_RISK_R_NOT_ENABLED;
	enum tg_risk_reason why = check_instrument(r, in->inst);
	if (why)
		return why;
	if (!order_fields_ok(in->qty, in->price) || in->slot >= r->cfg.slots || in->side > 3)
		return TG_RISK_R_BAD_ORDER;
	if (r->slot[in->slot].open)
		return TG_RISK_R_SLOT_BUSY;
	why = check_order(r, in->inst, in->side, in->qty, in->price, in->qty, true, in->t);
	if (why)
		return why;
	struct tg_risk_slot *o = &r->slot[in->slot];
	*o = (struct tg_risk_slot){.open = true, .inst = in->inst, .side = in->side, .rem = 0,
				   .price = in->price, .decided = next_decided(o)};
	r->inst[in->inst].open_orders++;
	r->open_orders++;
	open_add(r, o, in->qty);
	took_order(r, in->inst, in, in->side);
	return TG_RISK_R_ACCEPTED;
}

static enum tg_risk_reason decide_replace(struct tg_risk *r, const struct tg_risk_input *in)
{
	if (r->killed)
		return TG_RISK_R_KILLED;
	if (in->slot >= r->cfg.slots)
		return TG_RISK_R_BAD_ORDER;
	struct tg_risk_slot *o = &r->slot[in->slot];
	if (!o->open)
		return TG_RISK_R_UNKNOWN_ORDER;
	enum tg_risk_reason why = check_instrument(r, o->inst);
	if (why)
		return why;
	if (!order_fields_ok(in->qty, in->price))
		return TG_RISK_R_BAD_ORDER;
	/* until the exchange states the new size, the larger one is open */
	uint32_t grow = in->qty > o->rem ? in->qty - o->rem : 0;
	why = check_order(r, o->inst, o->side, in->qty, in->price, grow, false, in->t);
	if (why)
		return why;
	open_add(r, o, grow);
	o->price = in->price;
	o->decided = next_decided(o);
	took_order(r, o->inst, in, o->side);
	return TG_RISK_R_ACCEPTED;
}

static enum tg_risk_reason decide_cancel(const struct tg_risk *r, const struct tg_risk_input *in)
{
	if (in->slot >= r->cfg.slots)
		return TG_RISK_R_BAD_ORDER;
	const struct tg_risk_slot *o = &r->slot[in->slot];
	if (!o->open)
		return TG_RISK_R_UNKNOWN_ORDER;
	if (in->qty >= o->rem)
		return TG_RISK_R_BAD_ORDER;
	return TG_RISK_R_ACCEPTED;
}

/*
 * An execution (sub 0): the position moves by it and it consumes the open
 * quantity of its slot when that is open with the same instrument and side.
 * A bust (sub 1): the exchange broke an execution of that instrument, side
 * and quantity, so the position moves back; L and S move with it (the
 * execution's open quantity is not given back: a broken trade puts no
 * shares on the book), no slot is looked at and nothing is unmatched.
 */
static void apply_fill(struct tg_risk *r, const struct tg_risk_input *in)
{
	if (in->inst >= r->cfg.instruments || in->qty == 0 || in->qty > TG_RISK_QTY_MAX || in->side > 3 ||
	    in->sub > TG_RISK_FILL_BUST) {
		r->bad_inputs++;
		return;
	}
	struct tg_risk_inst_state *s = &r->inst[in->inst];
	bool up = is_buy(in->side) != (in->sub == TG_RISK_FILL_BUST);
	s->position += up ? (int64_t)in->qty : -(int64_t)in->qty;
	if (in->sub == TG_RISK_FILL_BUST)
		return;
	struct tg_risk_slot *o = in->slot < r->cfg.slots ? &r->slot[in->slot] : NULL;
	if (!o || !o->open || o->inst != in->inst || is_buy(o->side) != is_buy(in->side)) {
		r->unmatched++;
		return;
	}
	open_add(r, o, -(int64_t)(in->qty < o->rem ? in->qty : o->rem));
}

static void apply_restate(struct tg_risk *r, const struct tg_risk_input *in)
{
	if (in->slot >= r->cfg.slots || in->qty > TG_RISK_QTY_MAX || in->sub > 1) {
		r->bad_inputs++;
		return;
	}
	struct tg_risk_slot *o = &r->slot[in->slot];
	if (!o->open) {
		r->unmatched++;
		return;
	}
	/* an open quantity stated before an order of the slot that the gate has
	 * decided since: that order's own answer states it (a dead order still
	 * closes) */
	if (in->sub == 0 && (in->field & TG_RISK_STAMPED) && in->qty != 0 &&
	    (in->field & TG_RISK_STAMP_COUNT) != o->decided)
		return;
	/* sub 1: the quantity is a decrement (an exchange's cancel) */
	uint32_t rem = in->sub == 0 ? in->qty : in->qty >= o->rem ? 0 : o->rem - in->qty;
	open_add(r, o, (int64_t)rem - (int64_t)o->rem);
}

static void apply_ref(struct tg_risk *r, const struct tg_risk_input *in)
{
	if (in->inst >= r->cfg.instruments || in->sub > 2 || in->price > TG_RISK_PRICE_MAX ||
	    in->price2 > TG_RISK_PRICE_MAX) {
		r->bad_inputs++;
		return;
	}
	struct tg_risk_inst_state *s = &r->inst[in->inst];
	if (in->sub == 0) {
		s->bid = in->price;
		s->ask = in->price2;
	} else if (in->sub == 1) {
		s->last = in->price;
	} else {
		s->host = in->price;
	}
	update_ref(s);
}

static void apply_set(struct tg_risk *r, const struct tg_risk_input *in)
{
	const struct tg_risk_limit_info *li = tg_risk_limit_info(in->field);
	if (!li || (!li->global && in->inst >= r->cfg.instruments) || in->value > li->max) {
		r->bad_inputs++;
		return;
	}
	r->shadow[li->global ? 0 : in->inst][li->id] = in->value;
}

int tg_risk_apply(struct tg_risk *r, const struct tg_risk_input *in)
{
	enum tg_risk_reason why;

	switch (in->kind) {
	case TG_RISK_IN_NEW:
		why = decide_new(r, in);
		break;
	case TG_RISK_IN_CANCEL:
		why = decide_cancel(r, in);
		break;
	case TG_RISK_IN_REPLACE:
		why = decide_replace(r, in);
		break;
	case TG_RISK_IN_FILL:
		apply_fill(r, in);
		return -1;
	case TG_RISK_IN_RESTATE:
		apply_restate(r, in);
		return -1;
	case TG_RISK_IN_REF:
		apply_ref(r, in);
		return -1;
	case TG_RISK_IN_HALT:
		if (in->inst >= r->cfg.instruments || in->sub > 1)
			r->bad_inputs++;
		else if (in->sub == 0)
			r->inst[in->inst].halted_feed = in->qty & 1;
		else
			r->inst[in->inst].halted_host = in->qty & 1;
		return -1;
	case TG_RISK_IN_SET:
		apply_set(r, in);
		return -1;
	case TG_RISK_IN_COMMIT:
		memcpy(r->active, r->shadow, r->cfg.instruments * sizeof(*r->active));
		return -1;
	case TG_RISK_IN_KILL:
		if (in->sub == 0)
			r->killed = in->qty & 1;
		else if (in->sub == 1 && in->inst < r->cfg.instruments)
			r->inst[in->inst].killed = in->qty & 1;
		else
			r->bad_inputs++;
		return -1;
	default:
		r->bad_inputs++;
		return -1;
	}
	r->decided[why]++;
	return (int)why;
}

const struct tg_risk_inst_state *tg_risk_inst(const struct tg_risk *r, unsigned inst)
{
	return inst < r->cfg.instruments ? &r->inst[inst] : NULL;
}

const struct tg_risk_slot *tg_risk_slot(const struct tg_risk *r, unsigned slot)
{
	return slot < r->cfg.slots ? &r->slot[slot] : NULL;
}

void tg_risk_totals(const struct tg_risk *r, struct tg_risk_totals *out)
{
	memset(out, 0, sizeof(*out));
	totals(r, &out->gross, &out->net_long, &out->net_short);
	out->open_orders = r->open_orders;
	out->killed = r->killed;
	out->rate_tat = r->rate_tat;
	memcpy(out->decided, r->decided, sizeof(out->decided));
	out->bad_inputs = r->bad_inputs;
	out->unmatched = r->unmatched;
}
