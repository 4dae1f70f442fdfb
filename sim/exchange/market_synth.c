/*
 * The synthetic market, see market_synth.h for what it models.
 *
 * Scheduling: one binary heap of pending actions ordered by (time, push
 * sequence), so that two actions due at the same nanosecond always run in
 * the order they were scheduled. Global Poisson processes (noise arrivals,
 * quote refreshes, sweeps, halts) each keep one entry and pick an
 * instrument when they fire; fundamental moves are one process per
 * instrument; a resting noise order has one entry for the end of its
 * life, a market maker at most one for its next requote (a flag coalesces
 * the triggers). Not taken: a calendar queue or timer wheel, faster for
 * millions of pending entries, but the heap holds about one entry per
 * resting noise order (tens per instrument) and costs a few hundred
 * nanoseconds at worst.
 *
 * Orders: a table of slots; the owner tag of an order is its slot index
 * and the slot's generation (bumped when the slot is freed), so an event
 * finds its order in O(1) and an event about an order long gone is
 * recognized rather than applied to the slot's next tenant.
 *
 * Randomness: splitmix64 (as sw/itch_gen.c and sw/loopback.c), one
 * stream for the whole market, drawn only in the order the actions run.
 * Exponential times use ln() below, a series in double arithmetic, so no
 * libm routine (whose last bit may differ between versions) can change
 * an event time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market_synth.h"
#include "venue.h"

#define LEVELS TG_XMARKET_MM_LEVELS
#define NMM TG_XMARKET_MM_PER_INSTRUMENT
#define NONE UINT32_MAX

#define IDX_BITS 24u
#define MAX_SLOTS (1u << IDX_BITS)
#define IDX_MASK (MAX_SLOTS - 1u)

#define NS_PER_S 1000000000.0
#define DAY_NS (24ull * 3600 * 1000000000ull)

/* Rates of the agents: shares of cfg.rate, or fixed per instrument. */
#define NOISE_SHARE 0.425		/* noise arrivals per call asked for */
#define REFRESH_SHARE 0.128		/* market makers' quote refreshes per call asked for */
#define FUNDAMENTAL_PER_S 2.0		/* fundamental moves per second per instrument */
#define SWEEP_PER_S (1.0 / 30)		/* sweeps per second per instrument */
#define NOISE_RESTING 40.0		/* resting noise orders per instrument the lifetimes aim at */
#define HALT_MIN_NS 2000000000ull	/* halts last 2..8 s */
#define HALT_SPAN_NS 6000000000ull

/* Prices: the fundamental stays within [FLOOR_TICKS, max_ticks]. */
#define MAX_SKEW 3			/* ticks a market maker shifts its quotes for inventory */
#define FLOOR_TICKS (NMM + LEVELS + MAX_SKEW + 8)

enum agent {
	AG_MM = 1,
	AG_NOISE,
	AG_SWEEP,
};

enum slot_state {
	SLOT_FREE = 0,
	SLOT_PENDING,	/* inside the engine call that enters it */
	SLOT_RESTING,
};

struct order {
	uint64_t ref;
	uint32_t price;
	uint32_t shares;
	uint32_t gen;
	uint32_t next_free;
	uint16_t inst;
	char side;
	uint8_t state;
	uint8_t agent;
	uint8_t mm;		/* AG_MM: which market maker */
	uint8_t level;		/* AG_MM: index in its quote table */
	bool hidden;
};

struct mm {
	int64_t inventory;
	int64_t limit;
	uint64_t latency_ns;
	uint32_t size[LEVELS];	/* shares quoted on the level i ticks behind its best */
	uint32_t slot[2][LEVELS];	/* its live orders per side (0 buy, 1 sell) */
	int64_t center;		/* the skewed fundamental it last quoted around */
	unsigned offset;	/* ticks from the fundamental to its best quote */
	bool requote_pending;
	char mpid[4];
};

struct instrument {
	int64_t fund;		/* fundamental, ticks */
	double life_mean_ns;	/* of its resting noise orders */
	struct mm mm[NMM];
	char symbol[TG_XMARKET_SYMBOL_MAX + 1];
};

enum kind {
	K_NOISE,
	K_REFRESH,
	K_SWEEP,
	K_HALT,
	K_FUND,
	K_RESUME,
	K_REQUOTE,
	K_EXPIRE,
};

struct pending {
	uint64_t t;
	uint64_t seq;
	uint32_t slot;		/* K_EXPIRE */
	uint32_t gen;		/* K_EXPIRE */
	uint16_t inst;
	uint8_t kind;
	uint8_t mm;
};

struct tg_xmarket {
	struct tg_match *m;
	uint64_t rng;
	uint32_t tick;
	int64_t max_ticks;
	unsigned n;
	struct instrument *inst;	/* [1..n] */
	uint64_t *cum_weight;		/* [0..n-1]: activity weights, cumulative */
	uint64_t total_weight;
	double noise_mean_ns, refresh_mean_ns, sweep_mean_ns, halt_mean_ns, fund_mean_ns;

	struct order *slots;
	uint32_t n_slots, cap_slots, free_head;

	struct pending *heap;
	uint32_t n_heap, cap_heap;
	uint64_t seq;

	bool nomem;
	struct tg_xmarket_counters c;
};

/* ---- randomness ---- */

static uint64_t rnd(struct tg_xmarket *mk)
{
	uint64_t z = (mk->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(struct tg_xmarket *mk, uint32_t n)
{
	return (uint32_t)(rnd(mk) % n);
}

/* Uniform in (0, 1]. */
static double unit(struct tg_xmarket *mk)
{
	return (double)((rnd(mk) >> 11) + 1) * 0x1.0p-53;
}

/* Natural logarithm of x in (0, 1]: x = m 2^e, m in [sqrt(1/2), sqrt(2)), ln m by the atanh series. */
static double ln(double x)
{
	union {
		double d;
		uint64_t u;
	} v = { .d = x };
	int e = (int)((v.u >> 52) & 0x7ff) - 1023;
	double m, s, s2, term, sum = 0;

	v.u = (v.u & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
	m = v.d;
	if (m > 1.4142135623730951) {
		m *= 0.5;
		e++;
	}
	s = (m - 1) / (m + 1);	/* |s| < 0.172: 12 terms leave less than 1e-18 */
	s2 = s * s;
	term = s;
	for (int k = 1; k < 24; k += 2) {
		sum += term / k;
		term *= s2;
	}
	return 2 * sum + e * 0.6931471805599453;
}

/* An exponential time of this mean, ns. */
static uint64_t exp_ns(struct tg_xmarket *mk, double mean_ns)
{
	double d = -ln(unit(mk)) * mean_ns;

	return d >= 1e15 ? 1000000000000000ull : (uint64_t)d;
}

static uint16_t pick_instrument(struct tg_xmarket *mk)
{
	uint64_t r = rnd(mk) % mk->total_weight;
	unsigned lo = 0, hi = mk->n - 1;

	while (lo < hi) {	/* the first cumulative weight above r */
		unsigned mid = (lo + hi) / 2;

		if (mk->cum_weight[mid] > r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (uint16_t)(lo + 1);
}

/* ---- the heap of pending actions ---- */

static bool earlier(const struct pending *a, const struct pending *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(struct tg_xmarket *mk, struct pending p)
{
	uint32_t i;

	if (mk->n_heap == mk->cap_heap) {
		uint32_t cap = mk->cap_heap ? 2 * mk->cap_heap : 256;
		struct pending *h = realloc(mk->heap, (size_t)cap * sizeof(*h));

		if (h == NULL) {
			mk->nomem = true;
			return;
		}
		mk->heap = h;
		mk->cap_heap = cap;
	}
	p.seq = mk->seq++;
	i = mk->n_heap++;
	while (i > 0) {
		uint32_t up = (i - 1) / 2;

		if (!earlier(&p, &mk->heap[up]))
			break;
		mk->heap[i] = mk->heap[up];
		i = up;
	}
	mk->heap[i] = p;
}

static struct pending pop(struct tg_xmarket *mk)
{
	struct pending top = mk->heap[0], last = mk->heap[--mk->n_heap];
	uint32_t i = 0;

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= mk->n_heap)
			break;
		if (c + 1 < mk->n_heap && earlier(&mk->heap[c + 1], &mk->heap[c]))
			c++;
		if (!earlier(&mk->heap[c], &last))
			break;
		mk->heap[i] = mk->heap[c];
		i = c;
	}
	if (mk->n_heap > 0)
		mk->heap[i] = last;
	return top;
}

static void schedule(struct tg_xmarket *mk, uint64_t t, enum kind k, uint16_t inst, uint8_t mm)
{
	push(mk, (struct pending){ .t = t, .kind = (uint8_t)k, .inst = inst, .mm = mm });
}

/* ---- orders ---- */

static uint64_t owner_of(const struct tg_xmarket *mk, uint32_t i)
{
	return TG_OWNER_MAKE(TG_OWNER_MARKET, ((uint64_t)mk->slots[i].gen << IDX_BITS) | i);
}

static struct order *order_of(struct tg_xmarket *mk, uint64_t owner)
{
	uint32_t i = (uint32_t)(owner & IDX_MASK);
	uint32_t gen = (uint32_t)((owner & 0x00ffffffffffffffull) >> IDX_BITS);

	if (TG_OWNER_KIND(owner) != TG_OWNER_MARKET || i >= mk->n_slots || mk->slots[i].gen != gen ||
	    mk->slots[i].state == SLOT_FREE)
		return NULL;
	return &mk->slots[i];
}

static uint32_t alloc_slot(struct tg_xmarket *mk)
{
	uint32_t i;

	if (mk->free_head != NONE) {
		i = mk->free_head;
		mk->free_head = mk->slots[i].next_free;
	} else {
		if (mk->n_slots == mk->cap_slots) {
			uint32_t cap = mk->cap_slots ? 2 * mk->cap_slots : 1024;
			struct order *s;

			if (cap > MAX_SLOTS || (s = realloc(mk->slots, (size_t)cap * sizeof(*s))) == NULL) {
				mk->nomem = true;
				return NONE;
			}
			mk->slots = s;
			mk->cap_slots = cap;
		}
		i = mk->n_slots++;
		mk->slots[i].gen = 0;
	}
	mk->slots[i].state = SLOT_PENDING;
	mk->slots[i].ref = 0;
	return i;
}

static unsigned side_ix(char side)
{
	return side == TG_MATCH_BUY ? 0 : 1;
}

static void release(struct tg_xmarket *mk, struct order *o)
{
	uint32_t i = (uint32_t)(o - mk->slots);

	if (o->agent == AG_MM) {
		struct mm *q = &mk->inst[o->inst].mm[o->mm];

		if (q->slot[side_ix(o->side)][o->level] == i)
			q->slot[side_ix(o->side)][o->level] = NONE;
	}
	o->state = SLOT_FREE;
	o->gen = (o->gen + 1) & 0xffffffffu;
	o->next_free = mk->free_head;
	mk->free_head = i;
}

static bool halted(const struct tg_xmarket *mk, uint16_t inst)
{
	return tg_match_halted(mk->m, inst);
}

static uint32_t px(const struct tg_xmarket *mk, int64_t ticks)
{
	return (uint32_t)ticks * mk->tick;
}

static int64_t ticks_of(const struct tg_xmarket *mk, uint32_t price)
{
	return (int64_t)(price / mk->tick);
}

/* Count one call and what the engine said. */
static void counted(struct tg_xmarket *mk, enum tg_xmarket_action a, uint8_t agent, int rc)
{
	mk->c.actions[a]++;
	mk->c.calls++;
	if (agent == AG_MM)
		mk->c.mm_calls++;
	if (rc == TG_ERR_STATE || rc == TG_ERR_NOMEM)
		mk->c.refused++;
	else if (rc != TG_OK)
		mk->c.errors++;
}

static void request_requote(struct tg_xmarket *mk, uint64_t now, uint16_t inst, unsigned m)
{
	struct mm *q = &mk->inst[inst].mm[m];

	if (q->requote_pending)
		return;
	q->requote_pending = true;
	schedule(mk, now + q->latency_ns, K_REQUOTE, inst, (uint8_t)m);
}

static void schedule_expiry(struct tg_xmarket *mk, uint64_t now, uint32_t i)
{
	struct order *o = &mk->slots[i];

	push(mk, (struct pending){ .t = now + exp_ns(mk, mk->inst[o->inst].life_mean_ns), .kind = K_EXPIRE,
				   .slot = i, .gen = o->gen, .inst = o->inst });
}

/*
 * Enter an order; returns its slot while it rests, else NONE. The events
 * of the call have already said what became of it.
 */
static uint32_t enter(struct tg_xmarket *mk, uint64_t now, struct tg_match_order *o, enum tg_xmarket_action a,
		      uint8_t agent, uint8_t mm, uint8_t level)
{
	uint32_t i = alloc_slot(mk);
	uint64_t ref;
	int rc;

	if (i == NONE)
		return NONE;
	mk->slots[i].agent = agent;
	mk->slots[i].mm = mm;
	mk->slots[i].level = level;
	mk->slots[i].inst = o->instrument;
	mk->slots[i].side = o->side;
	mk->slots[i].hidden = o->hidden;
	mk->slots[i].price = o->price;
	mk->slots[i].shares = 0;
	if (agent == AG_MM)
		mk->inst[o->instrument].mm[mm].slot[side_ix(o->side)][level] = i;
	o->owner = owner_of(mk, i);
	if (o->mpid[0] != '\0')
		mk->c.mpid_orders++;
	rc = tg_match_enter(mk->m, o, now, &ref);
	counted(mk, a, agent, rc);
	if (mk->slots[i].state == SLOT_RESTING)
		return i;
	release(mk, &mk->slots[i]);
	return NONE;
}

/* Cut an order to shares (0: delete). */
static void reduce(struct tg_xmarket *mk, uint64_t now, struct order *o, uint32_t shares)
{
	int rc = tg_match_reduce(mk->m, o->ref, shares, now);

	counted(mk, shares == 0 ? TG_XMARKET_DELETE : TG_XMARKET_REDUCE, o->agent, rc);
	if (rc != TG_OK && o->state != SLOT_FREE)
		release(mk, o);	/* the engine does not know it: forget it (counted as an error) */
}

static void replace(struct tg_xmarket *mk, uint64_t now, struct order *o, uint32_t shares, uint32_t price)
{
	uint64_t new_ref;
	int rc = tg_match_replace(mk->m, o->ref, shares, price, o->hidden, now, &new_ref);

	counted(mk, TG_XMARKET_REPLACE, o->agent, rc);
	if (rc == TG_ERR_NOENT && o->state != SLOT_FREE)
		release(mk, o);
}

/* ---- the engine's events ---- */

void tg_xmarket_match_event(struct tg_xmarket *mk, const struct tg_match_event *ev)
{
	bool ours = TG_OWNER_KIND(ev->owner) == TG_OWNER_MARKET;
	struct order *o;

	if (mk == NULL || ev == NULL)
		return;
	if (ev->type == TG_MATCH_EV_EXECUTE) {
		struct order *a = NULL;

		o = ours ? order_of(mk, ev->owner) : NULL;
		if (TG_OWNER_KIND(ev->aggressor_owner) == TG_OWNER_MARKET) {
			a = order_of(mk, ev->aggressor_owner);
			if (a == NULL)
				mk->c.stale_events++;
		}
		if (ours && o == NULL)
			mk->c.stale_events++;
		if (o == NULL && a == NULL)
			return;
		mk->c.fills++;
		mk->c.filled_shares += ev->shares;
		if (a != NULL) {	/* ours came in: bought if it hit a sell */
			if (a->agent == AG_MM) {
				struct mm *q = &mk->inst[a->inst].mm[a->mm];

				q->inventory += ev->side == TG_MATCH_SELL ? (int64_t)ev->shares : -(int64_t)ev->shares;
				request_requote(mk, ev->ts_ns, a->inst, a->mm);
			}
			/* a replace's new order fills before it rests: its size is the REPLACE's less these */
			if (a->state == SLOT_RESTING && a->ref == ev->aggressor_ref)
				a->shares = a->shares > ev->shares ? a->shares - ev->shares : 0;
		}
		if (o != NULL) {	/* ours rested */
			if (o->agent == AG_MM) {
				struct mm *q = &mk->inst[o->inst].mm[o->mm];

				q->inventory += ev->side == TG_MATCH_BUY ? (int64_t)ev->shares : -(int64_t)ev->shares;
				request_requote(mk, ev->ts_ns, o->inst, o->mm);
			}
			o->shares = ev->remaining;
			if (ev->remaining == 0)
				release(mk, o);
		}
		return;
	}
	if (!ours)
		return;
	o = order_of(mk, ev->owner);
	if (o == NULL) {
		mk->c.stale_events++;
		return;
	}
	switch (ev->type) {
	case TG_MATCH_EV_ADD:
		o->ref = ev->ref;
		o->shares = ev->shares;
		o->price = ev->price;
		o->state = SLOT_RESTING;
		break;
	case TG_MATCH_EV_CANCEL:
		if (o->ref != ev->ref) {
			mk->c.stale_events++;
			break;
		}
		o->shares = ev->remaining;
		if (ev->remaining == 0) {
			if (o->agent == AG_MM)
				request_requote(mk, ev->ts_ns, o->inst, o->mm);
			release(mk, o);
		}
		break;
	case TG_MATCH_EV_REPLACE:
		o->ref = ev->new_ref;
		o->shares = ev->shares;
		o->price = ev->price;
		o->hidden = ev->hidden;
		o->state = SLOT_RESTING;
		break;
	default:
		break;
	}
}

/* ---- agents ---- */

static uint32_t noise_shares(struct tg_xmarket *mk)
{
	if (below(mk, 100) < 8)
		return 1 + below(mk, 99);	/* an odd lot */
	return 100u * (1 + below(mk, 1 + below(mk, 10)));
}

static const char noise_mpids[4][4] = { { 'N', 'S', 'Y', 'A' }, { 'N', 'S', 'Y', 'B' },
					{ 'N', 'S', 'Y', 'C' }, { 'N', 'S', 'Y', 'D' } };

/*
 * A passive price for a noise order: k ticks behind the fundamental, the
 * near ones likelier, but never marketable: one tick behind the other
 * side's best if that is nearer (passive orders inside the spread add to
 * the book and do not trade with each other).
 */
static uint32_t passive_price(struct tg_xmarket *mk, uint16_t inst, char side, int64_t k)
{
	int64_t f = mk->inst[inst].fund;
	int64_t t = side == TG_MATCH_BUY ? f - k : f + k;
	struct tg_match_level best;

	if (tg_match_level(mk->m, inst, side == TG_MATCH_BUY ? TG_MATCH_SELL : TG_MATCH_BUY, 0, &best) == TG_OK) {
		int64_t other = ticks_of(mk, best.price);

		if (side == TG_MATCH_BUY && t >= other)
			t = other - 1;
		if (side == TG_MATCH_SELL && t <= other)
			t = other + 1;
	}
	return px(mk, t < 1 ? 1 : t);
}

static int64_t passive_ticks(struct tg_xmarket *mk)
{
	return below(mk, 1 + below(mk, 10));
}

static void noise_arrival(struct tg_xmarket *mk, uint64_t now)
{
	uint16_t inst = pick_instrument(mk);
	uint32_t r = below(mk, 1000);
	char side = below(mk, 2) ? TG_MATCH_BUY : TG_MATCH_SELL;
	int64_t f = mk->inst[inst].fund, dir = side == TG_MATCH_BUY ? 1 : -1;
	struct tg_match_order o = { .instrument = inst, .side = side, .type = TG_MATCH_LIMIT, .tif = TG_MATCH_DAY };
	enum tg_xmarket_action a = TG_XMARKET_ENTER_LIMIT;
	uint32_t i;

	if (halted(mk, inst))
		return;
	if (r < 20) {			/* market order */
		o.type = TG_MATCH_MARKET;
		o.tif = TG_MATCH_IOC;
		o.shares = 100u * (1 + below(mk, 3));
		o.price = 0;
		a = TG_XMARKET_ENTER_MARKET;
	} else if (r < 45) {		/* IOC through the touch */
		o.tif = TG_MATCH_IOC;
		o.shares = noise_shares(mk);
		o.price = px(mk, f + dir * (1 + below(mk, 3)));
		a = TG_XMARKET_ENTER_IOC;
	} else if (r < 80) {		/* marketable day limit: what is left rests */
		o.shares = noise_shares(mk);
		o.price = px(mk, f + dir * (1 + below(mk, 2)));
	} else {			/* passive */
		o.shares = noise_shares(mk);
		if (below(mk, 100) < 5) {	/* hidden, near the fundamental */
			o.hidden = true;
			o.price = passive_price(mk, inst, side, below(mk, 2));
			a = TG_XMARKET_ENTER_HIDDEN;
		} else {
			o.price = passive_price(mk, inst, side, passive_ticks(mk));
		}
	}
	if (!o.hidden && o.type == TG_MATCH_LIMIT && below(mk, 100) < 3)
		memcpy(o.mpid, noise_mpids[below(mk, 4)], 4);
	i = enter(mk, now, &o, a, AG_NOISE, 0, 0);
	if (i != NONE)
		schedule_expiry(mk, now, i);
}

/* The end of a resting noise order's life: mostly a delete, else a cut or a new price. */
static void noise_expire(struct tg_xmarket *mk, uint64_t now, const struct pending *p)
{
	struct order *o = &mk->slots[p->slot];
	uint32_t r = below(mk, 100);

	if (o->gen != p->gen || o->state != SLOT_RESTING)
		return;		/* filled (or forgotten) since */
	if (r < 12 && !halted(mk, o->inst)) {
		uint32_t price = passive_price(mk, o->inst, o->side, passive_ticks(mk));
		uint32_t shares = below(mk, 2) ? o->shares : noise_shares(mk);

		if (price == o->price)	/* a step back */
			price = o->side == TG_MATCH_SELL || price > mk->tick ?
					(o->side == TG_MATCH_BUY ? price - mk->tick : price + mk->tick) : price;
		replace(mk, now, o, shares, price);
	} else if (r < 22 && o->shares >= 200) {
		reduce(mk, now, o, o->shares / 200 * 100);
	} else {
		reduce(mk, now, o, 0);
		return;
	}
	if (o->state == SLOT_RESTING)
		schedule_expiry(mk, now, p->slot);
}

/* Quote side s of market maker m: up to LEVELS orders at the target prices, by keeping, moving, deleting, adding. */
static void quote_side(struct tg_xmarket *mk, uint64_t now, uint16_t inst, unsigned m, unsigned s, bool enabled,
		       int64_t center)
{
	struct mm *q = &mk->inst[inst].mm[m];
	int64_t target[LEVELS];
	bool used[LEVELS] = { false };
	uint32_t move[LEVELS];
	unsigned nt = 0, nmove = 0;

	for (unsigned j = 0; enabled && j < LEVELS; j++) {
		int64_t t = s == 0 ? center - q->offset - j : center + q->offset + j;

		if (t >= 1 && t <= mk->max_ticks + (int64_t)(NMM + LEVELS + MAX_SKEW))
			target[nt++] = t;
	}
	/* keep what already sits on a target price (topped up if it filled down to a third) */
	for (unsigned l = 0; l < LEVELS; l++) {
		uint32_t i = q->slot[s][l];
		bool kept = false;

		if (i == NONE)
			continue;
		for (unsigned j = 0; j < nt && !kept; j++) {
			if (used[j] || ticks_of(mk, mk->slots[i].price) != target[j])
				continue;
			used[j] = kept = true;
			if (mk->slots[i].shares < q->size[j] / 3)
				replace(mk, now, &mk->slots[i], q->size[j], mk->slots[i].price);
		}
		if (!kept)
			move[nmove++] = i;
	}
	/* move the others to the missing prices, best first; delete what is left over */
	for (unsigned j = 0, k = 0; k < nmove; k++) {
		struct order *o = &mk->slots[move[k]];

		while (j < nt && used[j])
			j++;
		if (o->state != SLOT_RESTING)
			continue;	/* filled meanwhile */
		if (j < nt) {
			used[j] = true;
			replace(mk, now, o, q->size[j], px(mk, target[j]));
			j++;
		} else {
			reduce(mk, now, o, 0);
		}
	}
	for (unsigned j = 0; j < nt; j++) {
		struct tg_match_order o = {
			.instrument = inst,
			.side = s == 0 ? TG_MATCH_BUY : TG_MATCH_SELL,
			.type = TG_MATCH_LIMIT,
			.tif = TG_MATCH_DAY,
			.shares = q->size[j],
			.price = px(mk, target[j]),
		};
		unsigned l = 0;

		if (used[j])
			continue;
		while (l < LEVELS && q->slot[s][l] != NONE)
			l++;
		if (l == LEVELS)
			break;	/* cannot happen: fewer orders than targets */
		if (below(mk, 100) < 10)
			memcpy(o.mpid, q->mpid, 4);
		(void)enter(mk, now, &o, TG_XMARKET_ENTER_LIMIT, AG_MM, (uint8_t)m, (uint8_t)l);
	}
}

static void mm_requote(struct tg_xmarket *mk, uint64_t now, uint16_t inst, unsigned m)
{
	struct mm *q = &mk->inst[inst].mm[m];
	int64_t skew = -(q->inventory * MAX_SKEW) / q->limit;
	int64_t center;

	q->requote_pending = false;
	if (halted(mk, inst))
		return;		/* requoted when trading resumes */
	if (skew > MAX_SKEW)
		skew = MAX_SKEW;
	if (skew < -MAX_SKEW)
		skew = -MAX_SKEW;
	center = mk->inst[inst].fund + skew;
	/* the side moving away from the other goes first, so it never trades with itself */
	if (center >= q->center) {
		quote_side(mk, now, inst, m, 1, q->inventory > -q->limit, center);
		quote_side(mk, now, inst, m, 0, q->inventory < q->limit, center);
	} else {
		quote_side(mk, now, inst, m, 0, q->inventory < q->limit, center);
		quote_side(mk, now, inst, m, 1, q->inventory > -q->limit, center);
	}
	q->center = center;
}

/* A market maker changes one quote's size, or pulls it to put it back a moment later. */
static void mm_refresh(struct tg_xmarket *mk, uint64_t now)
{
	uint16_t inst = pick_instrument(mk);
	unsigned m = below(mk, NMM), s = below(mk, 2), l = below(mk, LEVELS);
	struct mm *q = &mk->inst[inst].mm[m];
	uint32_t i = q->slot[s][l];
	bool enabled = s == 0 ? q->inventory < q->limit : q->inventory > -q->limit;
	struct order *o;

	if (halted(mk, inst))
		return;
	if (i == NONE) {
		request_requote(mk, now, inst, m);
		return;
	}
	o = &mk->slots[i];
	if (enabled && below(mk, 100) < 60) {
		uint32_t base = q->size[0];
		uint32_t shares = base / 2 + 100u * below(mk, base / 100 + 1);

		if (shares == 0)
			shares = 100;
		if (shares == o->shares)
			shares += 100;
		if (shares > q->size[LEVELS - 1])
			shares = q->size[LEVELS - 1];
		if (shares != o->shares)
			replace(mk, now, o, shares, o->price);
		return;
	}
	reduce(mk, now, o, 0);
	request_requote(mk, now, inst, m);
}

static void fundamental_step(struct tg_xmarket *mk, struct instrument *in, int64_t d)
{
	int64_t f = in->fund + d;

	if (f < FLOOR_TICKS || f > mk->max_ticks)	/* reflect */
		f = in->fund - d;
	if (f < FLOOR_TICKS)	/* a sweep's jump can be larger than the room on either side */
		f = FLOOR_TICKS;
	if (f > mk->max_ticks)
		f = mk->max_ticks;
	in->fund = f;
	mk->c.fundamental_moves++;
}

static void move(struct tg_xmarket *mk, uint64_t now, uint16_t inst)
{
	int64_t d = below(mk, 10) == 0 ? 2 : 1;

	fundamental_step(mk, &mk->inst[inst], below(mk, 2) ? d : -d);
	for (unsigned m = 0; m < NMM; m++)
		request_requote(mk, now, inst, m);
}

/* An IOC order that takes 3..6 levels of one side; then the fundamental follows it. */
static void sweep(struct tg_xmarket *mk, uint64_t now)
{
	uint16_t inst = pick_instrument(mk);
	char side = below(mk, 2) ? TG_MATCH_BUY : TG_MATCH_SELL;
	unsigned want = 3 + below(mk, 4), got = 0;
	struct tg_match_level lv;
	uint64_t shares = 0;
	uint32_t last = 0;
	struct tg_match_order o = { .instrument = inst, .side = side, .type = TG_MATCH_LIMIT, .tif = TG_MATCH_IOC };
	struct instrument *in = &mk->inst[inst];
	int64_t to;

	if (halted(mk, inst))
		return;
	while (got < want && tg_match_level(mk->m, inst, side == TG_MATCH_BUY ? TG_MATCH_SELL : TG_MATCH_BUY, got,
					    &lv) == TG_OK) {
		shares += lv.shares + lv.hidden_shares;
		last = lv.price;
		got++;
	}
	if (got == 0)
		return;
	o.shares = shares > UINT32_MAX ? UINT32_MAX : (uint32_t)shares;
	o.price = last;
	(void)enter(mk, now, &o, TG_XMARKET_ENTER_SWEEP, AG_SWEEP, 0, 0);
	to = ticks_of(mk, last);
	if (side == TG_MATCH_BUY ? to - 1 > in->fund : to + 1 < in->fund)
		fundamental_step(mk, in, side == TG_MATCH_BUY ? to - 1 - in->fund : to + 1 - in->fund);
	for (unsigned m = 0; m < NMM; m++)
		request_requote(mk, now, inst, m);
}

static void halt(struct tg_xmarket *mk, uint64_t now)
{
	uint16_t inst = (uint16_t)(1 + below(mk, mk->n));
	uint64_t span = HALT_MIN_NS + rnd(mk) % HALT_SPAN_NS;

	if (halted(mk, inst))
		return;
	counted(mk, TG_XMARKET_HALT, 0, tg_match_halt(mk->m, inst, true, now));
	schedule(mk, now + span, K_RESUME, inst, 0);
}

static void resume(struct tg_xmarket *mk, uint64_t now, uint16_t inst)
{
	counted(mk, TG_XMARKET_RESUME, 0, tg_match_halt(mk->m, inst, false, now));
	for (unsigned m = 0; m < NMM; m++)
		request_requote(mk, now, inst, m);
}

static void run(struct tg_xmarket *mk, const struct pending *p)
{
	uint64_t t = p->t;

	switch ((enum kind)p->kind) {
	case K_NOISE:
		noise_arrival(mk, t);
		schedule(mk, t + exp_ns(mk, mk->noise_mean_ns), K_NOISE, 0, 0);
		break;
	case K_REFRESH:
		mm_refresh(mk, t);
		schedule(mk, t + exp_ns(mk, mk->refresh_mean_ns), K_REFRESH, 0, 0);
		break;
	case K_SWEEP:
		sweep(mk, t);
		schedule(mk, t + exp_ns(mk, mk->sweep_mean_ns), K_SWEEP, 0, 0);
		break;
	case K_HALT:
		halt(mk, t);
		schedule(mk, t + exp_ns(mk, mk->halt_mean_ns), K_HALT, 0, 0);
		break;
	case K_FUND:
		move(mk, t, p->inst);
		schedule(mk, t + exp_ns(mk, mk->fund_mean_ns), K_FUND, p->inst, 0);
		break;
	case K_RESUME:
		resume(mk, t, p->inst);
		break;
	case K_REQUOTE:
		mm_requote(mk, t, p->inst, p->mm);
		break;
	case K_EXPIRE:
		noise_expire(mk, t, p);
		break;
	}
}

/* ---- the market ---- */

static int check_symbols(const struct tg_xmarket_config *cfg)
{
	if (cfg->symbols == NULL)
		return TG_OK;
	for (unsigned i = 0; i < cfg->instruments; i++) {
		const char *s = cfg->symbols[i];
		size_t len;

		if (s == NULL)
			return TG_ERR_ARG;
		len = strlen(s);
		if (len == 0 || len > TG_XMARKET_SYMBOL_MAX)
			return TG_ERR_ARG;
		for (size_t k = 0; k < len; k++)
			if (s[k] <= ' ' || s[k] > '~')
				return TG_ERR_ARG;
	}
	return TG_OK;
}

static int cmp_symbol(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int tg_xmarket_new(const struct tg_xmarket_config *cfg, struct tg_match *m, struct tg_xmarket **out)
{
	struct tg_xmarket *mk;
	double rate, per_inst;
	const char **sorted;

	if (cfg == NULL || m == NULL || out == NULL || cfg->instruments == 0 ||
	    cfg->instruments > TG_XMARKET_MAX_INSTRUMENTS || cfg->start_ns >= DAY_NS || check_symbols(cfg) != TG_OK)
		return TG_ERR_ARG;
	rate = cfg->rate == 0 ? 20000.0 : cfg->rate;
	if (!(rate > 0 && rate <= 1e9) || !(cfg->halts_per_hour <= 3600.0) || cfg->tick > UINT32_MAX / 1024u)
		return TG_ERR_ARG;
	/* the engine must have the instruments (a query refuses a locate it does not have) */
	{
		struct tg_match_level lv;

		if (tg_match_level(m, (uint16_t)cfg->instruments, TG_MATCH_BUY, 0, &lv) == TG_ERR_ARG)
			return TG_ERR_ARG;
	}
	if (cfg->symbols != NULL) {	/* all different */
		bool dup = false;

		sorted = malloc(cfg->instruments * sizeof(*sorted));
		if (sorted == NULL)
			return TG_ERR_NOMEM;
		memcpy(sorted, cfg->symbols, cfg->instruments * sizeof(*sorted));
		qsort(sorted, cfg->instruments, sizeof(*sorted), cmp_symbol);
		for (unsigned i = 1; i < cfg->instruments; i++)
			dup |= strcmp(sorted[i - 1], sorted[i]) == 0;
		free(sorted);
		if (dup)
			return TG_ERR_ARG;
	}
	mk = calloc(1, sizeof(*mk));
	if (mk == NULL)
		return TG_ERR_NOMEM;
	mk->m = m;
	mk->rng = cfg->seed;
	mk->n = cfg->instruments;
	mk->tick = cfg->tick == 0 ? 100 : cfg->tick;
	mk->max_ticks = (int64_t)(UINT32_MAX / mk->tick) - (NMM + LEVELS + MAX_SKEW + 16);
	mk->free_head = NONE;
	mk->inst = calloc(mk->n + 1u, sizeof(*mk->inst));
	mk->cum_weight = calloc(mk->n, sizeof(*mk->cum_weight));
	if (mk->inst == NULL || mk->cum_weight == NULL) {
		tg_xmarket_free(mk);
		return TG_ERR_NOMEM;
	}
	mk->noise_mean_ns = NS_PER_S / (NOISE_SHARE * rate);
	mk->refresh_mean_ns = NS_PER_S / (REFRESH_SHARE * rate);
	mk->sweep_mean_ns = NS_PER_S / (SWEEP_PER_S * mk->n);
	mk->fund_mean_ns = NS_PER_S / FUNDAMENTAL_PER_S;
	mk->halt_mean_ns = cfg->halts_per_hour < 0 ? 0 :
			   3600.0 * NS_PER_S / ((cfg->halts_per_hour == 0 ? 1.0 : cfg->halts_per_hour) * mk->n);
	for (unsigned k = 0; k < mk->n; k++) {	/* activity weights 0.5..2 */
		mk->total_weight += 50 + below(mk, 151);
		mk->cum_weight[k] = mk->total_weight;
	}
	for (unsigned k = 1; k <= mk->n; k++) {
		struct instrument *in = &mk->inst[k];
		uint32_t p = cfg->start_prices != NULL ? cfg->start_prices[k - 1] : 0;
		uint64_t w = mk->cum_weight[k - 1] - (k > 1 ? mk->cum_weight[k - 2] : 0);

		if (p == 0)	/* $10..$200 */
			p = 100000u + below(mk, 1900000u);
		in->fund = ((int64_t)p + mk->tick / 2) / mk->tick;
		if (in->fund < FLOOR_TICKS)
			in->fund = FLOOR_TICKS;
		if (in->fund > mk->max_ticks)
			in->fund = mk->max_ticks;
		if (cfg->symbols != NULL)
			memcpy(in->symbol, cfg->symbols[k - 1], strlen(cfg->symbols[k - 1]) + 1);
		else
			snprintf(in->symbol, sizeof(in->symbol), "TG%04u", k % 10000u);
		per_inst = NOISE_SHARE * rate * (double)w / (double)mk->total_weight;
		in->life_mean_ns = NOISE_RESTING / (per_inst * 0.85) * NS_PER_S;
		if (in->life_mean_ns < 1e6)
			in->life_mean_ns = 1e6;
		if (in->life_mean_ns > 300 * NS_PER_S)
			in->life_mean_ns = 300 * NS_PER_S;
		for (unsigned j = 0; j < NMM; j++) {
			struct mm *q = &in->mm[j];
			uint32_t base = 100u * (1 + below(mk, 5));

			q->offset = 1 + j;
			q->latency_ns = 2000 + below(mk, 20000);
			for (unsigned l = 0; l < LEVELS; l++) {
				q->size[l] = base + l * base / 200 * 100;
				q->slot[0][l] = q->slot[1][l] = NONE;
			}
			q->limit = 10 * (int64_t)base;
			q->center = in->fund;
			memcpy(q->mpid, j == 0 ? "MKMA" : "MKMB", 4);
			request_requote(mk, cfg->start_ns, (uint16_t)k, j);
		}
		schedule(mk, cfg->start_ns + exp_ns(mk, mk->fund_mean_ns), K_FUND, (uint16_t)k, 0);
	}
	schedule(mk, cfg->start_ns + exp_ns(mk, mk->noise_mean_ns), K_NOISE, 0, 0);
	schedule(mk, cfg->start_ns + exp_ns(mk, mk->refresh_mean_ns), K_REFRESH, 0, 0);
	schedule(mk, cfg->start_ns + exp_ns(mk, mk->sweep_mean_ns), K_SWEEP, 0, 0);
	if (mk->halt_mean_ns > 0)
		schedule(mk, cfg->start_ns + exp_ns(mk, mk->halt_mean_ns), K_HALT, 0, 0);
	if (mk->nomem) {
		tg_xmarket_free(mk);
		return TG_ERR_NOMEM;
	}
	*out = mk;
	return TG_OK;
}

void tg_xmarket_free(struct tg_xmarket *mk)
{
	if (mk == NULL)
		return;
	free(mk->inst);
	free(mk->cum_weight);
	free(mk->slots);
	free(mk->heap);
	free(mk);
}

uint64_t tg_xmarket_next_ns(const struct tg_xmarket *mk)
{
	return mk == NULL || mk->n_heap == 0 ? UINT64_MAX : mk->heap[0].t;
}

int tg_xmarket_run_until(struct tg_xmarket *mk, uint64_t now_ns)
{
	bool nomem = false;

	if (mk == NULL)
		return TG_ERR_ARG;
	while (mk->n_heap > 0 && mk->heap[0].t <= now_ns) {
		struct pending p = pop(mk);

		run(mk, &p);
		nomem |= mk->nomem;
		mk->nomem = false;
	}
	return nomem ? TG_ERR_NOMEM : TG_OK;
}

void tg_xmarket_counters(const struct tg_xmarket *mk, struct tg_xmarket_counters *out)
{
	if (mk != NULL && out != NULL)
		*out = mk->c;
}

const char *tg_xmarket_action_name(enum tg_xmarket_action a)
{
	static const char *const names[TG_XMARKET_ACTION_COUNT] = {
		[TG_XMARKET_ENTER_LIMIT] = "enter_limit",
		[TG_XMARKET_ENTER_HIDDEN] = "enter_hidden",
		[TG_XMARKET_ENTER_IOC] = "enter_ioc",
		[TG_XMARKET_ENTER_MARKET] = "enter_market",
		[TG_XMARKET_ENTER_SWEEP] = "enter_sweep",
		[TG_XMARKET_REDUCE] = "reduce",
		[TG_XMARKET_DELETE] = "delete",
		[TG_XMARKET_REPLACE] = "replace",
		[TG_XMARKET_HALT] = "halt",
		[TG_XMARKET_RESUME] = "resume",
	};

	return (unsigned)a < TG_XMARKET_ACTION_COUNT ? names[a] : "?";
}

unsigned tg_xmarket_instruments(const struct tg_xmarket *mk)
{
	return mk == NULL ? 0 : mk->n;
}

const char *tg_xmarket_symbol(const struct tg_xmarket *mk, uint16_t locate)
{
	return mk == NULL || locate == 0 || locate > mk->n ? NULL : mk->inst[locate].symbol;
}

uint32_t tg_xmarket_tick(const struct tg_xmarket *mk)
{
	return mk == NULL ? 0 : mk->tick;
}

uint32_t tg_xmarket_fundamental(const struct tg_xmarket *mk, uint16_t locate)
{
	return mk == NULL || locate == 0 || locate > mk->n ? 0 : px(mk, mk->inst[locate].fund);
}

int64_t tg_xmarket_mm_inventory(const struct tg_xmarket *mk, uint16_t locate, unsigned mm)
{
	return mk == NULL || locate == 0 || locate > mk->n || mm >= NMM ? 0 : mk->inst[locate].mm[mm].inventory;
}

int64_t tg_xmarket_mm_inventory_bound(const struct tg_xmarket *mk, uint16_t locate, unsigned mm)
{
	const struct mm *q;
	int64_t b;

	if (mk == NULL || locate == 0 || locate > mk->n || mm >= NMM)
		return 0;
	q = &mk->inst[locate].mm[mm];
	b = q->limit;
	for (unsigned l = 0; l < LEVELS; l++)
		b += q->size[l];
	return b;
}
