/*
 * The matching engine, see tickgate/match.h for the contract.
 *
 * Orders: one pool of max_orders slots allocated by tg_match_new and
 * chained through a free list, so that entering, filling or canceling an
 * order never calls malloc. A reference number is found through a chained
 * hash table (bucket heads, and a chain index in each order). Not taken: a
 * table indexed by reference number, which would be O(1) without hashing
 * but grows with the day's references (IOC and market orders take one
 * without resting) instead of with the book.
 *
 * Levels: per instrument and side, one array sorted worst first, so that
 * the best level is the last one: the level a match empties (always the
 * best) is dropped without moving anything, and the busy levels near the
 * touch move little when a level appears or goes. A price is found by
 * binary search. Each level keeps its orders oldest first as a doubly
 * linked list of pool indices, and its displayed and hidden totals. Not
 * taken: a balanced tree of levels, O(log n) everywhere but a node and a
 * few cache misses per level, for books that rarely hold more than a few
 * hundred levels a side, where moving a few kilobytes is cheaper. The
 * arrays grow by doubling; an operation that may add a level reserves
 * room for it before it changes anything, so that running out of memory
 * is refused with nothing done.
 *
 * The state is consistent at every callback: each change is applied to
 * the book before the event that reports it is delivered.
 */
#include <stdlib.h>
#include <string.h>

#include "tickgate/match.h"

#define NIL UINT32_MAX
#define MAX_ORDERS (1u << 31)

struct order {
	uint64_t ref;
	uint64_t owner;
	uint32_t price;
	uint32_t shares;	/* at least 1 while resting */
	uint32_t prev, next;	/* the level's FIFO; next also links the free list */
	uint32_t hnext;		/* hash chain */
	uint16_t instrument;
	char side;
	bool hidden;
	char mpid[4];
};

struct level {
	uint32_t price;
	uint32_t orders;
	uint32_t head, tail;	/* oldest, newest */
	uint64_t shares;	/* displayed */
	uint64_t hidden;
};

struct book_side {
	struct level *lv;	/* worst first: lv[n - 1] is the best level */
	uint32_t n, cap;
};

struct instrument {
	struct book_side side[2];	/* 0: buy, 1: sell */
	bool halted;
};

struct tg_match {
	struct tg_match_config cfg;
	tg_match_event_fn fn;
	void *ctx;
	struct order *pool;
	uint32_t free_head;
	uint32_t resting;
	uint32_t *bucket;
	unsigned bucket_shift;	/* 64 - log2(buckets) */
	struct instrument *inst;	/* [1..instruments] */
	uint64_t last_ref;
	uint64_t last_match;
	bool in_callback;
};

static inline unsigned side_index(char side)
{
	return side == TG_MATCH_BUY ? 0 : 1;
}

/* A key that increases as a price gets better for that side: levels are sorted by it. */
static inline uint32_t level_key(unsigned s, uint32_t price)
{
	return s == 0 ? price : ~price;
}

/* Would an incoming order of side s with this limit trade against a resting price? */
static inline bool crosses(unsigned s, uint32_t limit, uint32_t resting_price)
{
	return s == 0 ? resting_price <= limit : resting_price >= limit;
}

static void emit(struct tg_match *m, const struct tg_match_event *ev)
{
	if (m->fn == NULL)
		return;
	m->in_callback = true;
	m->fn(m->ctx, ev);
	m->in_callback = false;
}

/* ---- orders by reference number ---- */

static inline uint32_t bucket_of(const struct tg_match *m, uint64_t ref)
{
	return (uint32_t)((ref * 0x9e3779b97f4a7c15ull) >> m->bucket_shift);
}

static uint32_t lookup(const struct tg_match *m, uint64_t ref)
{
	uint32_t i = m->bucket[bucket_of(m, ref)];

	while (i != NIL && m->pool[i].ref != ref)
		i = m->pool[i].hnext;
	return i;
}

static void hash_insert(struct tg_match *m, uint32_t i)
{
	uint32_t b = bucket_of(m, m->pool[i].ref);

	m->pool[i].hnext = m->bucket[b];
	m->bucket[b] = i;
}

static void hash_remove(struct tg_match *m, uint32_t i)
{
	uint32_t *p = &m->bucket[bucket_of(m, m->pool[i].ref)];

	while (*p != i)
		p = &m->pool[*p].hnext;
	*p = m->pool[i].hnext;
}

/* ---- levels ---- */

/* The first level whose key is not below the price's key (n when none). */
static uint32_t lower_bound(const struct book_side *bs, unsigned s, uint32_t price)
{
	uint32_t lo = 0, hi = bs->n, k = level_key(s, price);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (level_key(s, bs->lv[mid].price) < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Room for one more level, or TG_ERR_NOMEM with nothing changed. */
static int reserve_level(struct book_side *bs)
{
	struct level *lv;
	uint32_t cap;

	if (bs->n < bs->cap)
		return TG_OK;
	cap = bs->cap == 0 ? 16 : bs->cap * 2;
	lv = realloc(bs->lv, (size_t)cap * sizeof(*lv));
	if (lv == NULL)
		return TG_ERR_NOMEM;
	bs->lv = lv;
	bs->cap = cap;
	return TG_OK;
}

static void level_remove_at(struct book_side *bs, uint32_t at)
{
	memmove(&bs->lv[at], &bs->lv[at + 1], (size_t)(bs->n - at - 1) * sizeof(struct level));
	bs->n--;
}

/* Take order i out of its level's FIFO and totals; the level goes when it empties. */
static void unlink_order(struct tg_match *m, struct book_side *bs, uint32_t at, uint32_t i)
{
	struct level *l = &bs->lv[at];
	struct order *o = &m->pool[i];

	if (o->prev != NIL)
		m->pool[o->prev].next = o->next;
	else
		l->head = o->next;
	if (o->next != NIL)
		m->pool[o->next].prev = o->prev;
	else
		l->tail = o->prev;
	if (o->hidden)
		l->hidden -= o->shares;
	else
		l->shares -= o->shares;
	if (--l->orders == 0)
		level_remove_at(bs, at);
}

static void free_slot(struct tg_match *m, uint32_t i)
{
	hash_remove(m, i);
	m->pool[i].next = m->free_head;
	m->free_head = i;
	m->resting--;
}

/* Take a resting order out of the book entirely. */
static void remove_order(struct tg_match *m, uint32_t i)
{
	const struct order *o = &m->pool[i];
	unsigned s = side_index(o->side);
	struct book_side *bs = &m->inst[o->instrument].side[s];

	unlink_order(m, bs, lower_bound(bs, s, o->price), i);
	free_slot(m, i);
}

/*
 * Rest an order at the back of its level. The caller has made sure that a
 * slot is free and that the side has room for one more level.
 */
static void rest(struct tg_match *m, uint16_t instrument, char side, uint32_t price, uint32_t shares,
		 bool hidden, const char mpid[4], uint64_t owner, uint64_t ref)
{
	unsigned s = side_index(side);
	struct book_side *bs = &m->inst[instrument].side[s];
	uint32_t i = m->free_head, at;
	struct order *o = &m->pool[i];
	struct level *l;

	m->free_head = o->next;
	m->resting++;
	o->ref = ref;
	o->owner = owner;
	o->price = price;
	o->shares = shares;
	o->instrument = instrument;
	o->side = side;
	o->hidden = hidden;
	memcpy(o->mpid, mpid, 4);
	hash_insert(m, i);

	at = lower_bound(bs, s, price);
	if (at == bs->n || bs->lv[at].price != price) {
		memmove(&bs->lv[at + 1], &bs->lv[at], (size_t)(bs->n - at) * sizeof(struct level));
		bs->n++;
		bs->lv[at] = (struct level){ .price = price, .head = NIL, .tail = NIL };
	}
	l = &bs->lv[at];
	o->next = NIL;
	o->prev = l->tail;
	if (l->tail != NIL)
		m->pool[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
	l->orders++;
	if (hidden)
		l->hidden += shares;
	else
		l->shares += shares;
}

/*
 * Match an incoming order of `side` against the other side's best levels
 * while its limit allows (any price for a market order), oldest first at
 * each level, every fill at the resting price. Returns the shares left.
 */
static uint32_t match(struct tg_match *m, uint16_t instrument, char side, bool market, uint32_t limit,
		      uint32_t shares, uint64_t aggressor_ref, uint64_t aggressor_owner, uint64_t ts_ns)
{
	unsigned s = side_index(side);
	struct book_side *opp = &m->inst[instrument].side[s ^ 1];

	while (shares > 0 && opp->n > 0) {
		struct level *l = &opp->lv[opp->n - 1];
		uint32_t i = l->head, fill;
		struct order *o = &m->pool[i];
		struct tg_match_event ev;

		if (!market && !crosses(s, limit, l->price))
			break;
		fill = o->shares < shares ? o->shares : shares;
		shares -= fill;
		memset(&ev, 0, sizeof(ev));
		ev.type = TG_MATCH_EV_EXECUTE;
		ev.ts_ns = ts_ns;
		ev.instrument = instrument;
		ev.side = o->side;
		ev.hidden = o->hidden;
		ev.ref = o->ref;
		ev.owner = o->owner;
		ev.aggressor_ref = aggressor_ref;
		ev.aggressor_owner = aggressor_owner;
		ev.shares = fill;
		ev.price = o->price;
		ev.remaining = o->shares - fill;
		ev.match = ++m->last_match;
		memcpy(ev.mpid, o->mpid, 4);
		if (fill == o->shares) {
			/* the resting order is gone: the best level, so its index is n - 1 */
			unlink_order(m, opp, opp->n - 1, i);
			free_slot(m, i);
		} else {
			o->shares -= fill;
			if (o->hidden)
				l->hidden -= fill;
			else
				l->shares -= fill;
		}
		emit(m, &ev);
	}
	return shares;
}

/* ---- the API ---- */

int tg_match_new(const struct tg_match_config *cfg, tg_match_event_fn fn, void *ctx, struct tg_match **out)
{
	struct tg_match *m;
	unsigned log2 = 4;

	if (cfg == NULL || out == NULL || cfg->instruments < 1 || cfg->instruments > 65535 ||
	    cfg->max_orders < 1 || cfg->max_orders > MAX_ORDERS)
		return TG_ERR_ARG;
	while ((1ull << log2) < cfg->max_orders)
		log2++;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return TG_ERR_NOMEM;
	m->cfg = *cfg;
	m->fn = fn;
	m->ctx = ctx;
	m->bucket_shift = 64 - log2;
	m->pool = malloc((size_t)cfg->max_orders * sizeof(*m->pool));
	m->bucket = malloc(((size_t)1 << log2) * sizeof(*m->bucket));
	m->inst = calloc((size_t)cfg->instruments + 1, sizeof(*m->inst));
	if (m->pool == NULL || m->bucket == NULL || m->inst == NULL) {
		tg_match_free(m);
		return TG_ERR_NOMEM;
	}
	for (uint32_t i = 0; i < cfg->max_orders; i++)
		m->pool[i].next = i + 1 < cfg->max_orders ? i + 1 : NIL;
	m->free_head = 0;
	memset(m->bucket, 0xff, ((size_t)1 << log2) * sizeof(*m->bucket));
	*out = m;
	return TG_OK;
}

void tg_match_free(struct tg_match *m)
{
	if (m == NULL)
		return;
	if (m->inst != NULL) {
		for (unsigned k = 1; k <= m->cfg.instruments; k++) {
			free(m->inst[k].side[0].lv);
			free(m->inst[k].side[1].lv);
		}
	}
	free(m->inst);
	free(m->bucket);
	free(m->pool);
	free(m);
}

static bool valid_instrument(const struct tg_match *m, uint16_t instrument)
{
	return instrument >= 1 && instrument <= m->cfg.instruments;
}

void tg_match_event_left(struct tg_match_event *ev, const struct tg_match_order *o, bool rests,
			 uint64_t ref, uint32_t left, uint64_t ts_ns)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = ts_ns;
	ev->instrument = o->instrument;
	ev->side = o->side;
	ev->hidden = o->hidden;
	ev->shares = left;
	ev->price = o->type == TG_MATCH_MARKET ? 0 : o->price;
	memcpy(ev->mpid, o->mpid, 4);
	if (rests) {
		ev->type = TG_MATCH_EV_ADD;
		ev->ref = ref;
		ev->owner = o->owner;
	} else {
		ev->type = TG_MATCH_EV_EXPIRE;
		ev->aggressor_ref = ref;
		ev->aggressor_owner = o->owner;
	}
}

int tg_match_enter(struct tg_match *m, const struct tg_match_order *o, uint64_t ts_ns, uint64_t *ref)
{
	struct tg_match_event ev;
	struct instrument *in;
	bool market, rests;
	uint32_t left;
	uint64_t r;
	unsigned s;

	if (m == NULL || o == NULL || ref == NULL || !valid_instrument(m, o->instrument) ||
	    (o->side != TG_MATCH_BUY && o->side != TG_MATCH_SELL) ||
	    (o->type != TG_MATCH_LIMIT && o->type != TG_MATCH_MARKET) ||
	    (o->tif != TG_MATCH_DAY && o->tif != TG_MATCH_IOC) || o->shares == 0 ||
	    (o->type == TG_MATCH_LIMIT && o->price == 0))
		return TG_ERR_ARG;
	if (m->in_callback)
		return TG_ERR_STATE;
	in = &m->inst[o->instrument];
	if (in->halted)
		return TG_ERR_STATE;
	market = o->type == TG_MATCH_MARKET;
	rests = !market && o->tif == TG_MATCH_DAY;
	s = side_index(o->side);
	if (rests) {
		const struct book_side *opp = &in->side[s ^ 1];

		/*
		 * A remainder that rests needs a slot. When the order crosses
		 * at all and still has a remainder, it has filled every order
		 * it crossed, each of which gave its slot back; so the only
		 * case without a slot is a full book the order does not cross.
		 */
		if (m->resting == m->cfg.max_orders &&
		    (opp->n == 0 || !crosses(s, o->price, opp->lv[opp->n - 1].price)))
			return TG_ERR_NOMEM;
		if (reserve_level(&in->side[s]) != TG_OK)
			return TG_ERR_NOMEM;
	}
	r = ++m->last_ref;
	*ref = r;
	left = match(m, o->instrument, o->side, market, o->price, o->shares, r, o->owner, ts_ns);
	if (left == 0)
		return TG_OK;
	if (rests)
		rest(m, o->instrument, o->side, o->price, left, o->hidden, o->mpid, o->owner, r);
	tg_match_event_left(&ev, o, rests, r, left, ts_ns);
	emit(m, &ev);
	return TG_OK;
}

/* Cut resting order i down to `shares` (< its shares), priority kept, and say so. */
static void cut(struct tg_match *m, uint32_t i, uint32_t shares, uint64_t ts_ns)
{
	struct order *o = &m->pool[i];
	struct tg_match_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = TG_MATCH_EV_CANCEL;
	ev.ts_ns = ts_ns;
	ev.instrument = o->instrument;
	ev.side = o->side;
	ev.hidden = o->hidden;
	ev.ref = o->ref;
	ev.owner = o->owner;
	ev.shares = o->shares - shares;
	ev.price = o->price;
	ev.remaining = shares;
	memcpy(ev.mpid, o->mpid, 4);
	if (shares == 0) {
		remove_order(m, i);
	} else {
		unsigned s = side_index(o->side);
		struct book_side *bs = &m->inst[o->instrument].side[s];
		struct level *l = &bs->lv[lower_bound(bs, s, o->price)];

		if (o->hidden)
			l->hidden -= ev.shares;
		else
			l->shares -= ev.shares;
		o->shares = shares;
	}
	emit(m, &ev);
}

int tg_match_reduce(struct tg_match *m, uint64_t ref, uint32_t shares, uint64_t ts_ns)
{
	uint32_t i;

	if (m == NULL)
		return TG_ERR_ARG;
	if (m->in_callback)
		return TG_ERR_STATE;
	i = lookup(m, ref);
	if (i == NIL)
		return TG_ERR_NOENT;
	if (shares >= m->pool[i].shares)
		return TG_ERR_ARG;
	cut(m, i, shares, ts_ns);
	return TG_OK;
}

int tg_match_replace(struct tg_match *m, uint64_t ref, uint32_t shares, uint32_t price, bool hidden,
		     uint64_t ts_ns, uint64_t *new_ref)
{
	struct tg_match_event ev;
	struct order old;
	uint32_t i, left;
	uint64_t r;

	if (m == NULL || new_ref == NULL || shares == 0 || price == 0)
		return TG_ERR_ARG;
	if (m->in_callback)
		return TG_ERR_STATE;
	i = lookup(m, ref);
	if (i == NIL)
		return TG_ERR_NOENT;
	old = m->pool[i];
	if (m->inst[old.instrument].halted)
		return TG_ERR_STATE;
	if (price == old.price && hidden == old.hidden && shares <= old.shares) {
		/* a reduce (or no change at all): same reference, priority kept */
		if (shares < old.shares)
			cut(m, i, shares, ts_ns);
		*new_ref = ref;
		return TG_OK;
	}
	if (reserve_level(&m->inst[old.instrument].side[side_index(old.side)]) != TG_OK)
		return TG_ERR_NOMEM;
	remove_order(m, i);	/* its slot is the one the new order rests in, if it rests */
	r = ++m->last_ref;
	*new_ref = r;
	memset(&ev, 0, sizeof(ev));
	ev.type = TG_MATCH_EV_REPLACE;
	ev.ts_ns = ts_ns;
	ev.instrument = old.instrument;
	ev.side = old.side;
	ev.hidden = hidden;
	ev.ref = ref;
	ev.new_ref = r;
	ev.owner = old.owner;
	ev.shares = shares;
	ev.price = price;
	memcpy(ev.mpid, old.mpid, 4);
	emit(m, &ev);
	left = match(m, old.instrument, old.side, false, price, shares, r, old.owner, ts_ns);
	if (left > 0) {
		rest(m, old.instrument, old.side, price, left, hidden, old.mpid, old.owner, r);
		return TG_OK;
	}
	/* filled in full: nothing of it rests */
	ev.type = TG_MATCH_EV_CANCEL;
	ev.ref = r;
	ev.new_ref = 0;
	ev.shares = 0;
	ev.remaining = 0;
	emit(m, &ev);
	return TG_OK;
}

int tg_match_halt(struct tg_match *m, uint16_t instrument, bool halted, uint64_t ts_ns)
{
	struct tg_match_event ev;

	if (m == NULL || !valid_instrument(m, instrument))
		return TG_ERR_ARG;
	if (m->in_callback)
		return TG_ERR_STATE;
	if (m->inst[instrument].halted == halted)
		return TG_OK;
	m->inst[instrument].halted = halted;
	memset(&ev, 0, sizeof(ev));
	ev.type = TG_MATCH_EV_HALT;
	ev.ts_ns = ts_ns;
	ev.instrument = instrument;
	ev.halted = halted;
	emit(m, &ev);
	return TG_OK;
}

/* ---- queries ---- */

bool tg_match_halted(const struct tg_match *m, uint16_t instrument)
{
	return m != NULL && valid_instrument(m, instrument) && m->inst[instrument].halted;
}

int tg_match_level(const struct tg_match *m, uint16_t instrument, char side, unsigned index,
		   struct tg_match_level *out)
{
	const struct book_side *bs;
	const struct level *l;

	if (m == NULL || out == NULL || !valid_instrument(m, instrument) ||
	    (side != TG_MATCH_BUY && side != TG_MATCH_SELL))
		return TG_ERR_ARG;
	bs = &m->inst[instrument].side[side_index(side)];
	if (index >= bs->n)
		return TG_ERR_NOENT;
	l = &bs->lv[bs->n - 1 - index];
	out->price = l->price;
	out->shares = l->shares;
	out->hidden_shares = l->hidden;
	out->orders = l->orders;
	return TG_OK;
}

int tg_match_order(const struct tg_match *m, uint64_t ref, struct tg_match_resting *out)
{
	const struct order *o;
	uint32_t i, ahead = 0;

	if (m == NULL || out == NULL)
		return TG_ERR_ARG;
	i = lookup(m, ref);
	if (i == NIL)
		return TG_ERR_NOENT;
	o = &m->pool[i];
	for (uint32_t j = o->prev; j != NIL; j = m->pool[j].prev)
		ahead++;
	out->instrument = o->instrument;
	out->side = o->side;
	out->hidden = o->hidden;
	out->shares = o->shares;
	out->price = o->price;
	out->owner = o->owner;
	out->ahead = ahead;
	return TG_OK;
}

uint32_t tg_match_resting_count(const struct tg_match *m)
{
	return m == NULL ? 0 : m->resting;
}
