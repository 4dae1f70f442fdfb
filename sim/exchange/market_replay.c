/*
 * The capture-replay market, see market_replay.h for the contract.
 *
 * Reading: a pcap goes frame by frame through the project's decoder
 * (tg_feed_frame), whose message callback queues the frame's messages; a
 * binary ITCH file is read one message at a time by the rules of
 * tg_feed_file. Locates are learned and the symbol filter applied as the
 * messages are queued (in file order), so that the queue holds only
 * messages to replay and next_ns needs no look-ahead past them.
 *
 * Historical book: one pool of orders (indices stay valid when it grows),
 * found by reference through an open-addressing table; per instrument and
 * side an array of price levels sorted worst first (the best is the last:
 * binary search to find a price, as sw/match.c), each with its orders
 * oldest first as a doubly linked list of pool indices.
 *
 * Appliance orders: a second pool and table, and per instrument and side
 * one list of the resting ones, best price first, then oldest first. They
 * are few, so a walk of the list finds those at a price.
 *
 * Every change is applied before the event that reports it is delivered.
 */
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "market_replay.h"

#include "tickgate/itch50.h"
#include "tickgate/pcap_frames.h"

#define NIL UINT32_MAX
#define SYM_LEN 8
#define HIST_OWNER TG_OWNER_MAKE(TG_OWNER_REPLAY, 0)

/* ---- a map from 64-bit references to pool indices: linear probing, backward-shift deletion ---- */

struct map {
	uint64_t *key;
	uint32_t *val;	/* NIL: empty */
	uint32_t mask;
	uint32_t n;
};

static inline uint32_t map_home(const struct map *m, uint64_t k)
{
	return (uint32_t)((k * 0x9e3779b97f4a7c15ull) >> 32) & m->mask;
}

static int map_init(struct map *m, uint32_t cap)
{
	m->key = malloc((size_t)cap * sizeof(*m->key));
	m->val = malloc((size_t)cap * sizeof(*m->val));
	if (m->key == NULL || m->val == NULL) {
		free(m->key);
		free(m->val);
		m->key = NULL;
		m->val = NULL;
		return TG_ERR_NOMEM;
	}
	memset(m->val, 0xff, (size_t)cap * sizeof(*m->val));
	m->mask = cap - 1;
	m->n = 0;
	return TG_OK;
}

static void map_free(struct map *m)
{
	free(m->key);
	free(m->val);
}

static uint32_t map_get(const struct map *m, uint64_t k)
{
	for (uint32_t i = map_home(m, k);; i = (i + 1) & m->mask) {
		if (m->val[i] == NIL)
			return NIL;
		if (m->key[i] == k)
			return m->val[i];
	}
}

static void map_set(struct map *m, uint64_t k, uint32_t v)
{
	uint32_t i = map_home(m, k);

	while (m->val[i] != NIL)
		i = (i + 1) & m->mask;
	m->key[i] = k;
	m->val[i] = v;
	m->n++;
}

/* Room for one more key (load at most one half), or TG_ERR_NOMEM with nothing changed. */
static int map_reserve(struct map *m)
{
	struct map big;

	if ((uint64_t)(m->n + 1) * 2 <= (uint64_t)m->mask + 1)
		return TG_OK;
	if (m->mask >= (1u << 31) - 1 || map_init(&big, (m->mask + 1) * 2) != TG_OK)
		return TG_ERR_NOMEM;
	for (uint32_t i = 0; i <= m->mask; i++)
		if (m->val[i] != NIL)
			map_set(&big, m->key[i], m->val[i]);
	map_free(m);
	*m = big;
	return TG_OK;
}

static void map_del(struct map *m, uint64_t k)
{
	uint32_t i = map_home(m, k), j;

	while (m->val[i] != NIL && m->key[i] != k)
		i = (i + 1) & m->mask;
	if (m->val[i] == NIL)
		return;
	for (j = i;;) {
		j = (j + 1) & m->mask;
		if (m->val[j] == NIL)
			break;
		uint32_t h = map_home(m, m->key[j]);

		/* the entry at j may move to the hole at i unless its home lies cyclically in (i, j] */
		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			m->key[i] = m->key[j];
			m->val[i] = m->val[j];
			i = j;
		}
	}
	m->val[i] = NIL;
	m->n--;
}

/* ---- state ---- */

struct horder {		/* an order of the capture */
	uint64_t ref;
	uint64_t seq;		/* arrival */
	uint32_t price;
	uint32_t shares;
	uint32_t taken;		/* shares the appliance took from it (<= shares) */
	uint32_t prev, next;	/* the level, oldest first; next links the free list */
	uint16_t locate;
	uint8_t s;		/* 0 buy, 1 sell */
};

struct level {
	uint32_t price;
	uint32_t orders;
	uint32_t head, tail;
	uint64_t shares;
};

struct aorder {		/* an appliance order, resting */
	uint64_t ref;
	uint64_t owner;
	uint64_t seq;
	uint64_t queue_ahead;
	uint32_t price;
	uint32_t shares;
	uint32_t prev, next;	/* the side's list, best first; next links the free list */
	uint16_t locate;
	uint8_t s;
	bool hidden;
	char mpid[4];
};

struct side {
	struct level *lv;	/* worst first: lv[n - 1] is the best */
	uint32_t n, cap;
	uint32_t app;		/* appliance orders, best first */
};

struct inst {
	struct side side[2];
	char symbol[SYM_LEN + 1];
	bool known;		/* symbol known */
	bool wanted;		/* passes the filter */
	bool halted;
};

struct pending {
	size_t off;
	uint64_t ts;
	uint8_t len;
};

struct tg_xreplay {
	struct tg_xreplay_config cfg;
	char (*filter)[SYM_LEN + 1];
	unsigned n_filter;
	uint8_t stock_off[256];	/* offset of the stock field, 0: none */

	/* reading */
	struct tg_feed feed;
	struct tg_pcap_reader *pcap;
	FILE *itch;
	uint64_t itch_off;
	bool eof, failed;
	char err[256];
	uint8_t *buf;		/* queued message bytes */
	size_t buf_used, buf_cap;
	struct pending *q;
	size_t q_head, q_n, q_cap;
	bool q_nomem;
	uint64_t last_ts;

	/* books */
	struct inst *inst[65536];
	struct horder *hpool;
	uint32_t hcap, hfree;
	struct map href;
	struct aorder *apool;
	uint32_t acap, afree;
	struct map aref;
	uint64_t seq;		/* arrivals, historical and appliance alike */
	uint64_t last_ref, last_match;
	bool in_callback;

	struct tg_xreplay_stats stats;
};

static inline bool better(unsigned s, uint32_t a, uint32_t b)	/* a is a better price than b for side s */
{
	return s == 0 ? a > b : a < b;
}

static inline bool crosses(unsigned s, uint32_t limit, uint32_t resting)	/* incoming side s meets resting */
{
	return s == 0 ? resting <= limit : resting >= limit;
}

static inline char side_char(unsigned s)
{
	return s == 0 ? TG_MATCH_BUY : TG_MATCH_SELL;
}

static void emit(struct tg_xreplay *x, const struct tg_match_event *ev)
{
	if (x->cfg.event == NULL)
		return;
	x->in_callback = true;
	x->cfg.event(x->cfg.ctx, ev);
	x->in_callback = false;
}

static struct inst *get_inst(struct tg_xreplay *x, uint16_t locate)
{
	if (x->inst[locate] == NULL) {
		struct inst *in = calloc(1, sizeof(*in));

		if (in == NULL)
			return NULL;
		in->side[0].app = NIL;
		in->side[1].app = NIL;
		in->wanted = x->n_filter == 0;
		x->inst[locate] = in;
	}
	return x->inst[locate];
}

static void trim_symbol(char out[SYM_LEN + 1], const char *in, size_t n)
{
	size_t len = 0;

	while (len < n && len < SYM_LEN && in[len] != '\0')
		len++;
	memcpy(out, in, len);
	while (len > 0 && out[len - 1] == ' ')
		len--;
	out[len] = '\0';
}

static bool in_filter(const struct tg_xreplay *x, const char *sym)
{
	for (unsigned i = 0; i < x->n_filter; i++)
		if (strcmp(x->filter[i], sym) == 0)
			return true;
	return false;
}

/* Set a locate's symbol (NOMEM only). */
static int learn(struct tg_xreplay *x, uint16_t locate, const char *sym, size_t n)
{
	struct inst *in = get_inst(x, locate);

	if (in == NULL)
		return TG_ERR_NOMEM;
	trim_symbol(in->symbol, sym, n);
	in->known = true;
	in->wanted = x->n_filter == 0 || in_filter(x, in->symbol);
	return TG_OK;
}

/* ---- the historical book ---- */

static uint32_t lower_bound(const struct side *sd, unsigned s, uint32_t price)
{
	uint32_t lo = 0, hi = sd->n, k = s == 0 ? price : ~price;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint32_t km = s == 0 ? sd->lv[mid].price : ~sd->lv[mid].price;

		if (km < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct level *find_level(const struct side *sd, unsigned s, uint32_t price)
{
	uint32_t at = lower_bound(sd, s, price);

	return at < sd->n && sd->lv[at].price == price ? &sd->lv[at] : NULL;
}

static uint64_t level_shares(const struct inst *in, unsigned s, uint32_t price)
{
	const struct level *l = find_level(&in->side[s], s, price);

	return l != NULL ? l->shares : 0;
}

/*
 * A slot from a growable pool of elem-byte records whose uint32_t at
 * next_off links the free list: the pool doubles (from first) when the
 * list is empty. TG_ERR_NOMEM with nothing changed.
 */
static int pool_alloc(void **pool, uint32_t *cap, uint32_t *free_head, size_t elem, size_t next_off,
		      uint32_t first, uint32_t *out)
{
	uint8_t *p;
	uint32_t next;

	if (*free_head == NIL) {
		uint32_t n = *cap == 0 ? first : *cap * 2;

		if (*cap >= (1u << 30))
			return TG_ERR_NOMEM;
		p = realloc(*pool, (size_t)n * elem);
		if (p == NULL)
			return TG_ERR_NOMEM;
		for (uint32_t i = *cap; i < n; i++) {
			next = i + 1 < n ? i + 1 : NIL;
			memcpy(p + (size_t)i * elem + next_off, &next, sizeof(next));
		}
		*pool = p;
		*free_head = *cap;
		*cap = n;
	}
	*out = *free_head;
	memcpy(&next, (uint8_t *)*pool + (size_t)*out * elem + next_off, sizeof(next));
	*free_head = next;
	return TG_OK;
}

static int hist_alloc(struct tg_xreplay *x, uint32_t *out)
{
	return pool_alloc((void **)&x->hpool, &x->hcap, &x->hfree, sizeof(struct horder),
			  offsetof(struct horder, next), 1024, out);
}

/* Clamp the queue of the appliance orders at a level to the level's displayed total. */
static void clamp_queue(struct tg_xreplay *x, struct inst *in, unsigned s, uint32_t price)
{
	uint64_t total = level_shares(in, s, price);

	for (uint32_t a = in->side[s].app; a != NIL; a = x->apool[a].next) {
		struct aorder *o = &x->apool[a];

		if (o->price == price && o->queue_ahead > total)
			o->queue_ahead = total;
		else if (better(s, price, o->price))
			break;
	}
}

/* Historical order i loses `lost` shares (all of them: it goes). */
static void hist_reduce(struct tg_xreplay *x, uint32_t i, uint32_t lost)
{
	struct horder *o = &x->hpool[i];
	struct inst *in = x->inst[o->locate];
	struct side *sd = &in->side[o->s];
	uint32_t at = lower_bound(sd, o->s, o->price);
	struct level *l = &sd->lv[at];
	uint32_t price = o->price;
	unsigned s = o->s;

	if (lost > o->shares)
		lost = o->shares;
	l->shares -= lost;
	o->shares -= lost;
	if (o->taken > o->shares)
		o->taken = o->shares;
	if (o->shares == 0) {
		if (o->prev != NIL)
			x->hpool[o->prev].next = o->next;
		else
			l->head = o->next;
		if (o->next != NIL)
			x->hpool[o->next].prev = o->prev;
		else
			l->tail = o->prev;
		if (--l->orders == 0) {
			memmove(&sd->lv[at], &sd->lv[at + 1], (size_t)(sd->n - at - 1) * sizeof(*l));
			sd->n--;
		}
		map_del(&x->href, o->ref);
		o->next = x->hfree;
		x->hfree = i;
		x->stats.historical_orders--;
	}
	clamp_queue(x, in, s, price);
}

/* A historical cancel: appliance orders behind the order at its level move up. */
static void hist_cancel(struct tg_xreplay *x, uint32_t i, uint32_t lost)
{
	const struct horder *o = &x->hpool[i];
	struct inst *in = x->inst[o->locate];

	if (lost > o->shares)
		lost = o->shares;
	for (uint32_t a = in->side[o->s].app; a != NIL; a = x->apool[a].next) {
		struct aorder *ao = &x->apool[a];

		if (ao->price == o->price && ao->seq > o->seq)
			ao->queue_ahead = ao->queue_ahead > lost ? ao->queue_ahead - lost : 0;
		else if (better(o->s, o->price, ao->price))
			break;
	}
	hist_reduce(x, i, lost);
}

/* ---- appliance orders ---- */

static int app_alloc(struct tg_xreplay *x, uint32_t *out)
{
	return pool_alloc((void **)&x->apool, &x->acap, &x->afree, sizeof(struct aorder),
			  offsetof(struct aorder, next), 64, out);
}

/* A slot and a table entry for one more resting appliance order, or TG_ERR_NOMEM with nothing changed. */
static int app_reserve(struct tg_xreplay *x)
{
	uint32_t i;

	if (map_reserve(&x->aref) != TG_OK || app_alloc(x, &i) != TG_OK)
		return TG_ERR_NOMEM;
	x->apool[i].next = x->afree;	/* give it back: the next app_alloc cannot fail */
	x->afree = i;
	return TG_OK;
}

/* Rest appliance order (room reserved) in its side's list, behind those of its price. */
static uint32_t app_rest(struct tg_xreplay *x, struct inst *in, const struct aorder *src)
{
	uint32_t i, *link, prev = NIL;
	struct aorder *o;

	if (app_alloc(x, &i) != TG_OK)
		return NIL;	/* reserved before: cannot happen */
	o = &x->apool[i];
	*o = *src;
	link = &in->side[o->s].app;
	while (*link != NIL && !better(o->s, o->price, x->apool[*link].price)) {
		prev = *link;
		link = &x->apool[*link].next;
	}
	o->prev = prev;
	o->next = *link;
	if (*link != NIL)
		x->apool[*link].prev = i;
	*link = i;
	map_set(&x->aref, o->ref, i);
	x->stats.app_resting++;
	return i;
}

static void app_remove(struct tg_xreplay *x, uint32_t i)
{
	struct aorder *o = &x->apool[i];
	struct side *sd = &x->inst[o->locate]->side[o->s];

	if (o->prev != NIL)
		x->apool[o->prev].next = o->next;
	else
		sd->app = o->next;
	if (o->next != NIL)
		x->apool[o->next].prev = o->prev;
	map_del(&x->aref, o->ref);
	o->next = x->afree;
	x->afree = i;
	x->stats.app_resting--;
}

static void count_fill(struct tg_xreplay *x, enum tg_xreplay_fill kind, uint32_t shares)
{
	x->stats.fills++;
	x->stats.shares_filled += shares;
	x->stats.fills_by[kind]++;
	x->stats.shares_by[kind] += shares;
}

/* Resting appliance order i fills `shares` at its price. */
static void app_fill(struct tg_xreplay *x, uint32_t i, uint32_t shares, uint64_t aggressor_ref,
		     enum tg_xreplay_fill kind, uint64_t ts)
{
	struct aorder *o = &x->apool[i];
	struct tg_match_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = TG_MATCH_EV_EXECUTE;
	ev.ts_ns = ts;
	ev.instrument = o->locate;
	ev.side = side_char(o->s);
	ev.hidden = o->hidden;
	ev.ref = o->ref;
	ev.owner = o->owner;
	ev.aggressor_ref = aggressor_ref;
	ev.aggressor_owner = HIST_OWNER;
	ev.shares = shares;
	ev.price = o->price;
	ev.remaining = o->shares - shares;
	ev.match = TG_XREPLAY_MATCH_BASE + ++x->last_match;
	memcpy(ev.mpid, o->mpid, 4);
	count_fill(x, kind, shares);
	if (ev.remaining == 0)
		app_remove(x, i);
	else
		o->shares = ev.remaining;
	emit(x, &ev);
}

/*
 * A replayed execution of `vol` shares at price p on side s: through the
 * appliance orders priced better, then through the level's queue.
 */
static void replay_execution(struct tg_xreplay *x, struct inst *in, unsigned s, uint32_t p, uint32_t vol,
			     uint64_t ts)
{
	uint64_t consumed = 0;
	uint32_t a = in->side[s].app;

	while (a != NIL && better(s, x->apool[a].price, p)) {
		uint32_t next = x->apool[a].next;

		if (vol > 0) {
			uint32_t f = x->apool[a].shares < vol ? x->apool[a].shares : vol;

			vol -= f;
			app_fill(x, a, f, 0, TG_XREPLAY_FILL_THROUGH, ts);
		}
		a = next;
	}
	while (a != NIL && x->apool[a].price == p) {
		uint32_t next = x->apool[a].next;
		struct aorder *o = &x->apool[a];
		uint64_t need = o->queue_ahead > consumed ? o->queue_ahead - consumed : 0;
		uint64_t step = need < vol ? need : vol;

		vol -= (uint32_t)step;
		consumed += step;
		o->queue_ahead = o->queue_ahead > consumed ? o->queue_ahead - consumed : 0;
		if (vol > 0 && o->queue_ahead == 0) {
			uint32_t f = o->shares < vol ? o->shares : vol;

			vol -= f;
			app_fill(x, a, f, 0, TG_XREPLAY_FILL_QUEUE, ts);
		}
		a = next;
	}
}

/* A historical add (order h, resting already) crosses resting appliance orders of the other side. */
static void replay_cross(struct tg_xreplay *x, struct inst *in, uint32_t h, uint64_t ts)
{
	unsigned s = x->hpool[h].s, o = s ^ 1;
	uint32_t a = in->side[o].app;

	while (a != NIL) {
		struct horder *ho = &x->hpool[h];
		uint32_t avail = ho->shares - ho->taken, next = x->apool[a].next, f;

		if (avail == 0 || !crosses(s, ho->price, x->apool[a].price))
			break;
		f = x->apool[a].shares < avail ? x->apool[a].shares : avail;
		ho->taken += f;
		app_fill(x, a, f, ho->ref, TG_XREPLAY_FILL_CROSS, ts);
		a = next;
	}
}

/* A historical add: A, F, or the new half of a U. */
static void hist_add(struct tg_xreplay *x, struct inst *in, uint16_t locate, unsigned s, uint64_t ref,
		     uint32_t price, uint32_t shares, uint64_t ts)
{
	struct side *sd = &in->side[s];
	struct level *l;
	uint32_t i, at;
	struct horder *o;

	if (shares == 0) {
		x->stats.zero_shares++;
		return;
	}
	if (map_get(&x->href, ref) != NIL) {
		x->stats.duplicate_ref++;
		return;
	}
	if (ref >= TG_XREPLAY_REF_BASE)
		x->stats.ref_collisions++;
	at = lower_bound(sd, s, price);
	if (at == sd->n || sd->lv[at].price != price) {
		if (sd->n == sd->cap) {
			uint32_t cap = sd->cap == 0 ? 16 : sd->cap * 2;
			struct level *lv = realloc(sd->lv, (size_t)cap * sizeof(*lv));

			if (lv == NULL)
				goto nomem;
			sd->lv = lv;
			sd->cap = cap;
		}
	}
	if (map_reserve(&x->href) != TG_OK || hist_alloc(x, &i) != TG_OK)
		goto nomem;
	if (at == sd->n || sd->lv[at].price != price) {
		memmove(&sd->lv[at + 1], &sd->lv[at], (size_t)(sd->n - at) * sizeof(*l));
		sd->n++;
		sd->lv[at] = (struct level){ .price = price, .head = NIL, .tail = NIL };
	}
	l = &sd->lv[at];
	o = &x->hpool[i];
	*o = (struct horder){ .ref = ref, .seq = ++x->seq, .price = price, .shares = shares, .locate = locate,
			      .s = (uint8_t)s, .prev = l->tail, .next = NIL };
	if (l->tail != NIL)
		x->hpool[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
	l->orders++;
	l->shares += shares;
	map_set(&x->href, ref, i);
	x->stats.historical_orders++;
	/* displayed orders go ahead of the hidden appliance orders of their level */
	for (uint32_t a = sd->app; a != NIL; a = x->apool[a].next) {
		if (x->apool[a].price == price && x->apool[a].hidden)
			x->apool[a].queue_ahead += shares;
		else if (better(s, price, x->apool[a].price))
			break;
	}
	replay_cross(x, in, i, ts);
	return;
nomem:
	/* the book cannot take it: its later messages count as unknown_ref */
	x->stats.book_nomem++;
}

/* The historical order a message refers to, checked against its locate; NIL when unknown. */
static uint32_t hist_find(struct tg_xreplay *x, uint64_t ref, uint16_t locate)
{
	uint32_t i = map_get(&x->href, ref);

	if (i == NIL || x->hpool[i].locate != locate) {
		x->stats.unknown_ref++;
		return NIL;
	}
	return i;
}

/* Apply one replayed message to the books. */
static void apply(struct tg_xreplay *x, const uint8_t *m, uint64_t ts)
{
	uint16_t locate = tg_itch_locate(m);
	struct inst *in;
	uint32_t i;

	switch (m[0]) {
	case 'H':
		in = get_inst(x, locate);
		if (in != NULL)
			in->halted = m[TG_ITCH_TRADING_ACTION_TRADING_STATE_OFF] != 'T';
		return;
	case 'A':
	case 'F': {
		char bs = (char)m[TG_ITCH_ADD_ORDER_BUY_SELL_INDICATOR_OFF];

		in = get_inst(x, locate);
		if (in == NULL || (bs != 'B' && bs != 'S')) {
			x->stats.unknown_ref++;
			return;
		}
		hist_add(x, in, locate, bs == 'B' ? 0 : 1, tg_be(m + TG_ITCH_ADD_ORDER_ORDER_REFERENCE_NUMBER_OFF, 8),
			 (uint32_t)tg_be(m + TG_ITCH_ADD_ORDER_PRICE_OFF, 4),
			 (uint32_t)tg_be(m + TG_ITCH_ADD_ORDER_SHARES_OFF, 4), ts);
		return;
	}
	case 'E':
	case 'C': {
		uint32_t shares = (uint32_t)tg_be(m + TG_ITCH_ORDER_EXECUTED_EXECUTED_SHARES_OFF, 4);

		i = hist_find(x, tg_be(m + TG_ITCH_ORDER_EXECUTED_ORDER_REFERENCE_NUMBER_OFF, 8), locate);
		if (i == NIL)
			return;
		replay_execution(x, x->inst[locate], x->hpool[i].s, x->hpool[i].price, shares, ts);
		hist_reduce(x, i, shares);
		return;
	}
	case 'X':
		i = hist_find(x, tg_be(m + TG_ITCH_ORDER_CANCEL_ORDER_REFERENCE_NUMBER_OFF, 8), locate);
		if (i != NIL)
			hist_cancel(x, i, (uint32_t)tg_be(m + TG_ITCH_ORDER_CANCEL_CANCELED_SHARES_OFF, 4));
		return;
	case 'D':
		i = hist_find(x, tg_be(m + TG_ITCH_ORDER_DELETE_ORDER_REFERENCE_NUMBER_OFF, 8), locate);
		if (i != NIL)
			hist_cancel(x, i, x->hpool[i].shares);
		return;
	case 'U': {
		unsigned s;

		i = hist_find(x, tg_be(m + TG_ITCH_ORDER_REPLACE_ORIGINAL_ORDER_REFERENCE_NUMBER_OFF, 8), locate);
		if (i == NIL)
			return;
		s = x->hpool[i].s;
		hist_cancel(x, i, x->hpool[i].shares);
		hist_add(x, x->inst[locate], locate, s, tg_be(m + TG_ITCH_ORDER_REPLACE_NEW_ORDER_REFERENCE_NUMBER_OFF, 8),
			 (uint32_t)tg_be(m + TG_ITCH_ORDER_REPLACE_PRICE_OFF, 4),
			 (uint32_t)tg_be(m + TG_ITCH_ORDER_REPLACE_SHARES_OFF, 4), ts);
		return;
	}
	default:
		return;
	}
}

/* ---- reading ---- */

static void fail(struct tg_xreplay *x, const char *fmt, const char *a, unsigned long long b)
{
	x->failed = true;
	snprintf(x->err, sizeof(x->err), fmt, a, b);
}

/* Learn from a message, decide whether it passes the filter, and queue it. */
static void queue_message(struct tg_xreplay *x, const uint8_t *msg, size_t len)
{
	uint16_t locate = tg_itch_locate(msg);
	unsigned so = x->stock_off[msg[0]];
	struct inst *in;

	if (locate != 0 && so != 0 && (msg[0] == 'R' || x->inst[locate] == NULL || !x->inst[locate]->known) &&
	    learn(x, locate, (const char *)msg + so, SYM_LEN) != TG_OK) {
		x->q_nomem = true;
		return;
	}
	in = x->inst[locate];
	if (locate != 0 && x->n_filter != 0 && (in == NULL || !in->wanted)) {
		x->stats.filtered++;
		return;
	}
	if (x->buf_used + len > x->buf_cap) {
		size_t cap = x->buf_cap == 0 ? 4096 : x->buf_cap * 2;
		uint8_t *b = realloc(x->buf, cap);

		if (b == NULL) {
			x->q_nomem = true;
			return;
		}
		x->buf = b;
		x->buf_cap = cap;
	}
	if (x->q_n == x->q_cap) {
		size_t cap = x->q_cap == 0 ? 256 : x->q_cap * 2;
		struct pending *q = realloc(x->q, cap * sizeof(*q));

		if (q == NULL) {
			x->q_nomem = true;
			return;
		}
		x->q = q;
		x->q_cap = cap;
	}
	memcpy(x->buf + x->buf_used, msg, len);
	x->q[x->q_n++] = (struct pending){ .off = x->buf_used, .ts = tg_itch_timestamp(msg), .len = (uint8_t)len };
	x->buf_used += len;
}

static void on_feed_message(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	(void)meta;
	queue_message(ctx, msg, len);
}

/* One message of a binary ITCH file, by tg_feed_file's rules. 1, 0 at the end, or < 0. */
static int itch_next(struct tg_xreplay *x)
{
	uint8_t pfx[2], msg[256];
	size_t n = fread(pfx, 1, 2, x->itch);
	const struct tg_itch_type *t;
	unsigned plen, mlen;

	if (n == 0) {
		if (ferror(x->itch)) {
			fail(x, "%s: read error at offset %llu", x->cfg.path, (unsigned long long)x->itch_off);
			return TG_ERR_IO;
		}
		return 0;
	}
	if (n != 2 || fread(msg, 1, 1, x->itch) != 1) {
		fail(x, "%s: offset %llu: file ends inside a message", x->cfg.path, (unsigned long long)x->itch_off);
		return TG_ERR_IO;
	}
	plen = (unsigned)tg_be(pfx, 2);
	t = tg_itch_type(msg[0]);
	mlen = t != NULL ? t->length : plen;
	if (t == NULL && plen == 0) {
		fail(x, "%s: offset %llu: unknown type with a zero length: cannot resync", x->cfg.path,
		     (unsigned long long)x->itch_off);
		return TG_ERR_IO;
	}
	if (t != NULL && plen != t->length)
		x->feed.stats.length_prefix_fixed++;
	if (mlen > 1) {
		if (mlen > sizeof(msg)) {	/* an unknown type longer than any ITCH message: skip it */
			if (fseek(x->itch, (long)(mlen - 1), SEEK_CUR) != 0) {
				fail(x, "%s: offset %llu: file ends inside a message", x->cfg.path,
				     (unsigned long long)x->itch_off);
				return TG_ERR_IO;
			}
		} else if (fread(msg + 1, 1, mlen - 1, x->itch) != mlen - 1) {
			fail(x, "%s: offset %llu: file ends inside a message", x->cfg.path,
			     (unsigned long long)x->itch_off);
			return TG_ERR_IO;
		}
	}
	x->itch_off += 2 + mlen;
	if (t == NULL) {
		x->feed.stats.unknown_type++;
		return 1;
	}
	x->feed.stats.messages++;
	x->feed.stats.by_type[msg[0]]++;
	queue_message(x, msg, mlen);
	return 1;
}

/* Read until a message is queued or the file ends. TG_OK, or an error. */
static int fill_queue(struct tg_xreplay *x)
{
	if (x->q_head == x->q_n) {
		x->q_head = x->q_n = 0;
		x->buf_used = 0;
	}
	while (x->q_head == x->q_n && !x->eof && !x->failed) {
		int rc;

		if (x->pcap != NULL) {
			struct tg_pcap_frame fr;

			rc = tg_pcap_next(x->pcap, &fr);
			if (rc == 1)
				tg_feed_frame(&x->feed, fr.data, fr.caplen, fr.ts_ns);
			else if (rc == 0)
				x->eof = true;
			else
				fail(x, "%s: damaged capture after frame %llu", x->cfg.path,
				     (unsigned long long)x->feed.stats.frames);
		} else {
			rc = itch_next(x);
			if (rc == 0)
				x->eof = true;
		}
		if (x->q_nomem) {
			fail(x, "%s: out of memory after frame %llu", x->cfg.path,
			     (unsigned long long)x->feed.stats.frames);
			return TG_ERR_NOMEM;
		}
	}
	if (x->q_head < x->q_n)
		return TG_OK;
	return x->failed ? TG_ERR_IO : TG_OK;
}

uint64_t tg_xreplay_next_ns(struct tg_xreplay *x)
{
	uint64_t ts;

	if (x == NULL || fill_queue(x) != TG_OK || x->q_head == x->q_n)
		return TG_XREPLAY_NO_TIME;
	ts = x->q[x->q_head].ts;
	return ts > x->last_ts ? ts : x->last_ts;
}

/* Replay the queued message at the head (there is one). */
static void replay_head(struct tg_xreplay *x)
{
	const struct pending *p = &x->q[x->q_head++];
	const uint8_t *m = x->buf + p->off;
	uint64_t ts = p->ts > x->last_ts ? p->ts : x->last_ts;

	x->last_ts = ts;
	x->stats.messages++;
	x->stats.by_type[m[0]]++;
	if (x->cfg.message != NULL) {
		x->in_callback = true;
		x->cfg.message(x->cfg.ctx, m, p->len, ts);
		x->in_callback = false;
	}
	apply(x, m, ts);
}

int tg_xreplay_step(struct tg_xreplay *x)
{
	int rc;

	if (x == NULL)
		return TG_ERR_ARG;
	if (x->in_callback)
		return TG_ERR_STATE;
	rc = fill_queue(x);
	if (rc != TG_OK)
		return rc;
	if (x->q_head == x->q_n)
		return 0;
	replay_head(x);
	return 1;
}

int tg_xreplay_run_until(struct tg_xreplay *x, uint64_t now_ns, uint64_t *replayed)
{
	uint64_t n = 0;
	int rc = TG_OK;

	if (x == NULL)
		return TG_ERR_ARG;
	if (x->in_callback)
		return TG_ERR_STATE;
	for (;;) {
		rc = fill_queue(x);
		if (rc != TG_OK || x->q_head == x->q_n)
			break;
		const struct pending *p = &x->q[x->q_head];

		if ((p->ts > x->last_ts ? p->ts : x->last_ts) > now_ns)
			break;
		replay_head(x);
		n++;
	}
	if (replayed != NULL)
		*replayed = n;
	return rc;
}

bool tg_xreplay_done(struct tg_xreplay *x)
{
	return x == NULL || (fill_queue(x) != TG_OK) || x->q_head == x->q_n;
}

const char *tg_xreplay_error(const struct tg_xreplay *x)
{
	return x != NULL ? x->err : "";
}

/* ---- open, close ---- */

void tg_xreplay_close(struct tg_xreplay *x)
{
	if (x == NULL)
		return;
	if (x->pcap != NULL)
		tg_pcap_close(x->pcap);
	if (x->itch != NULL)
		fclose(x->itch);
	for (unsigned k = 0; k < 65536; k++) {
		if (x->inst[k] != NULL) {
			free(x->inst[k]->side[0].lv);
			free(x->inst[k]->side[1].lv);
			free(x->inst[k]);
		}
	}
	map_free(&x->href);
	map_free(&x->aref);
	free(x->hpool);
	free(x->apool);
	free(x->buf);
	free(x->q);
	free(x->filter);
	free((void *)x->cfg.path);
	free(x);
}

int tg_xreplay_open(const struct tg_xreplay_config *cfg, struct tg_xreplay **out, char *err, size_t errlen)
{
	struct tg_xreplay *x;
	struct tg_feed_handlers h;
	int rc;

	if (cfg == NULL || out == NULL || cfg->path == NULL || (err == NULL && errlen != 0) ||
	    (cfg->n_symbols != 0 && cfg->symbols == NULL) || (cfg->n_locates != 0 && cfg->locates == NULL))
		return TG_ERR_ARG;
	for (unsigned i = 0; i < cfg->n_symbols; i++)
		if (cfg->symbols[i] == NULL || cfg->symbols[i][0] == '\0' || strlen(cfg->symbols[i]) > SYM_LEN)
			return TG_ERR_ARG;
	for (unsigned i = 0; i < cfg->n_locates; i++)
		if (cfg->locates[i].locate == 0 || cfg->locates[i].symbol == NULL ||
		    strlen(cfg->locates[i].symbol) > SYM_LEN)
			return TG_ERR_ARG;
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return TG_ERR_NOMEM;
	x->cfg = *cfg;
	x->cfg.path = strdup(cfg->path);
	x->cfg.symbols = NULL;
	x->cfg.locates = NULL;
	x->hfree = NIL;
	x->afree = NIL;
	if (x->cfg.path == NULL || map_init(&x->href, 1u << 16) != TG_OK || map_init(&x->aref, 64) != TG_OK)
		goto nomem;
	if (cfg->n_symbols != 0) {
		x->filter = calloc(cfg->n_symbols, sizeof(*x->filter));
		if (x->filter == NULL)
			goto nomem;
		for (unsigned i = 0; i < cfg->n_symbols; i++)
			trim_symbol(x->filter[i], cfg->symbols[i], SYM_LEN);
		x->n_filter = cfg->n_symbols;
	}
	for (unsigned i = 0; i < cfg->n_locates; i++)
		if (learn(x, cfg->locates[i].locate, cfg->locates[i].symbol, SYM_LEN) != TG_OK)
			goto nomem;
	for (unsigned t = 0; t < tg_itch_types_count; t++) {
		const struct tg_itch_type *ty = &tg_itch_types[t];

		for (unsigned f = 0; f < ty->n_fields; f++)
			if (strcmp(ty->fields[f].name, "stock") == 0 && ty->fields[f].length == SYM_LEN)
				x->stock_off[(uint8_t)ty->type] = ty->fields[f].offset;
	}
	memset(&h, 0, sizeof(h));
	h.message = on_feed_message;
	h.ctx = x;
	tg_feed_init(&x->feed, cfg->feed, &h);
	if (tg_feed_is_pcap(cfg->path)) {
		rc = tg_pcap_open(cfg->path, &x->pcap, err, errlen);
		if (rc != TG_OK) {
			tg_xreplay_close(x);
			return rc;
		}
	} else {
		x->itch = fopen(cfg->path, "rb");
		if (x->itch == NULL) {
			rc = errno == ENOENT ? TG_ERR_NOENT : TG_ERR_IO;
			if (errlen != 0)
				snprintf(err, errlen, "%s: %s", cfg->path, strerror(errno));
			tg_xreplay_close(x);
			return rc;
		}
		setvbuf(x->itch, NULL, _IOFBF, 1u << 20);
	}
	*out = x;
	return TG_OK;
nomem:
	tg_xreplay_close(x);
	return TG_ERR_NOMEM;
}

/* ---- the appliance's orders ---- */

/*
 * An incoming appliance order takes displayed historical liquidity, best
 * price first, oldest first; returns the shares left.
 */
static uint32_t take(struct tg_xreplay *x, struct inst *in, uint16_t locate, unsigned s, bool market,
		     uint32_t limit, uint32_t shares, uint64_t ref, uint64_t owner, uint64_t ts)
{
	struct side *opp = &in->side[s ^ 1];

	for (uint32_t k = opp->n; k-- > 0 && shares > 0;) {
		const struct level *l = &opp->lv[k];

		if (!market && !crosses(s, limit, l->price))
			break;
		for (uint32_t i = l->head; i != NIL && shares > 0; i = x->hpool[i].next) {
			struct horder *o = &x->hpool[i];
			uint32_t avail = o->shares - o->taken, f;
			struct tg_match_event ev;

			if (avail == 0)
				continue;
			f = avail < shares ? avail : shares;
			o->taken += f;
			shares -= f;
			memset(&ev, 0, sizeof(ev));
			ev.type = TG_MATCH_EV_EXECUTE;
			ev.ts_ns = ts;
			ev.instrument = locate;
			ev.side = side_char(s ^ 1);
			ev.hidden = true;	/* not shown against the historical order: see the header */
			ev.ref = o->ref;
			ev.owner = HIST_OWNER;
			ev.aggressor_ref = ref;
			ev.aggressor_owner = owner;
			ev.shares = f;
			ev.price = o->price;
			ev.remaining = o->shares - o->taken;
			ev.match = TG_XREPLAY_MATCH_BASE + ++x->last_match;
			count_fill(x, TG_XREPLAY_FILL_TAKE, f);
			emit(x, &ev);
		}
	}
	return shares;
}

/* The instrument of an appliance order, or NULL when the filter refuses it (or no memory). */
static struct inst *app_inst(struct tg_xreplay *x, uint16_t locate)
{
	if (locate == 0)
		return NULL;
	if (x->n_filter != 0)
		return x->inst[locate] != NULL && x->inst[locate]->wanted ? x->inst[locate] : NULL;
	return get_inst(x, locate);
}

int tg_xreplay_enter(struct tg_xreplay *x, const struct tg_match_order *o, uint64_t ts_ns, uint64_t *ref)
{
	struct tg_match_event ev;
	struct inst *in;
	struct aorder a;
	bool market, rests;
	unsigned s;
	uint32_t left;
	uint64_t r;

	if (x == NULL || o == NULL || ref == NULL || (o->side != TG_MATCH_BUY && o->side != TG_MATCH_SELL) ||
	    (o->type != TG_MATCH_LIMIT && o->type != TG_MATCH_MARKET) ||
	    (o->tif != TG_MATCH_DAY && o->tif != TG_MATCH_IOC) || o->shares == 0 ||
	    (o->type == TG_MATCH_LIMIT && o->price == 0))
		return TG_ERR_ARG;
	if (x->in_callback)
		return TG_ERR_STATE;
	if (o->instrument == 0 || (x->n_filter != 0 && (x->inst[o->instrument] == NULL ||
							   !x->inst[o->instrument]->wanted)))
		return TG_ERR_ARG;
	in = app_inst(x, o->instrument);
	if (in == NULL)
		return TG_ERR_NOMEM;
	if (in->halted) {
		x->stats.app_refused_halted++;
		return TG_ERR_STATE;
	}
	market = o->type == TG_MATCH_MARKET;
	rests = !market && o->tif == TG_MATCH_DAY;
	if (rests && app_reserve(x) != TG_OK)
		return TG_ERR_NOMEM;
	s = o->side == TG_MATCH_BUY ? 0 : 1;
	r = TG_XREPLAY_REF_BASE + ++x->last_ref;
	*ref = r;
	x->stats.app_orders++;
	left = take(x, in, o->instrument, s, market, o->price, o->shares, r, o->owner, ts_ns);
	if (left == 0)
		return TG_OK;
	if (rests) {
		memset(&a, 0, sizeof(a));
		a.ref = r;
		a.owner = o->owner;
		a.seq = ++x->seq;
		a.queue_ahead = level_shares(in, s, o->price);
		a.price = o->price;
		a.shares = left;
		a.locate = o->instrument;
		a.s = (uint8_t)s;
		a.hidden = o->hidden;
		memcpy(a.mpid, o->mpid, 4);
		app_rest(x, in, &a);
	}
	tg_match_event_left(&ev, o, rests, r, left, ts_ns);
	emit(x, &ev);
	return TG_OK;
}

/* Cut resting appliance order i down to `shares`, queue position kept, and say so. */
static void app_cut(struct tg_xreplay *x, uint32_t i, uint32_t shares, uint64_t ts)
{
	struct aorder *o = &x->apool[i];
	struct tg_match_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = TG_MATCH_EV_CANCEL;
	ev.ts_ns = ts;
	ev.instrument = o->locate;
	ev.side = side_char(o->s);
	ev.hidden = o->hidden;
	ev.ref = o->ref;
	ev.owner = o->owner;
	ev.shares = o->shares - shares;
	ev.price = o->price;
	ev.remaining = shares;
	memcpy(ev.mpid, o->mpid, 4);
	x->stats.app_reduces++;
	if (shares == 0)
		app_remove(x, i);
	else
		o->shares = shares;
	emit(x, &ev);
}

int tg_xreplay_reduce(struct tg_xreplay *x, uint64_t ref, uint32_t shares, uint64_t ts_ns)
{
	uint32_t i;

	if (x == NULL)
		return TG_ERR_ARG;
	if (x->in_callback)
		return TG_ERR_STATE;
	i = map_get(&x->aref, ref);
	if (i == NIL)
		return TG_ERR_NOENT;
	if (shares >= x->apool[i].shares)
		return TG_ERR_ARG;
	app_cut(x, i, shares, ts_ns);
	return TG_OK;
}

int tg_xreplay_replace(struct tg_xreplay *x, uint64_t ref, uint32_t shares, uint32_t price, bool hidden,
		       uint64_t ts_ns, uint64_t *new_ref)
{
	struct tg_match_event ev;
	struct aorder old;
	struct inst *in;
	uint32_t i, left;
	uint64_t r;

	if (x == NULL || new_ref == NULL || shares == 0 || price == 0)
		return TG_ERR_ARG;
	if (x->in_callback)
		return TG_ERR_STATE;
	i = map_get(&x->aref, ref);
	if (i == NIL)
		return TG_ERR_NOENT;
	old = x->apool[i];
	in = x->inst[old.locate];
	if (in->halted) {
		x->stats.app_refused_halted++;
		return TG_ERR_STATE;
	}
	if (price == old.price && hidden == old.hidden && shares <= old.shares) {
		/* a reduce (or no change at all): same reference, queue position kept */
		if (shares < old.shares)
			app_cut(x, i, shares, ts_ns);
		*new_ref = ref;
		return TG_OK;
	}
	app_remove(x, i);	/* its slot and table entry are the ones the new order rests in */
	r = TG_XREPLAY_REF_BASE + ++x->last_ref;
	*new_ref = r;
	x->stats.app_replaces++;
	memset(&ev, 0, sizeof(ev));
	ev.type = TG_MATCH_EV_REPLACE;
	ev.ts_ns = ts_ns;
	ev.instrument = old.locate;
	ev.side = side_char(old.s);
	ev.hidden = hidden;
	ev.ref = ref;
	ev.new_ref = r;
	ev.owner = old.owner;
	ev.shares = shares;
	ev.price = price;
	memcpy(ev.mpid, old.mpid, 4);
	emit(x, &ev);
	left = take(x, in, old.locate, old.s, false, price, shares, r, old.owner, ts_ns);
	if (left > 0) {
		struct aorder a = old;

		a.ref = r;
		a.seq = ++x->seq;
		a.queue_ahead = level_shares(in, old.s, price);
		a.price = price;
		a.shares = left;
		a.hidden = hidden;
		app_rest(x, in, &a);
		return TG_OK;
	}
	/* filled in full: nothing of it rests */
	ev.type = TG_MATCH_EV_CANCEL;
	ev.ref = r;
	ev.new_ref = 0;
	ev.shares = 0;
	ev.remaining = 0;
	emit(x, &ev);
	return TG_OK;
}

bool tg_xreplay_halted(const struct tg_xreplay *x, uint16_t instrument)
{
	return x != NULL && x->inst[instrument] != NULL && x->inst[instrument]->halted;
}

/* ---- the venue ---- */

static int venue_enter(void *venue, const struct tg_match_order *o, uint64_t ts_ns, uint64_t *ref)
{
	return tg_xreplay_enter(venue, o, ts_ns, ref);
}

static int venue_reduce(void *venue, uint64_t ref, uint32_t shares, uint64_t ts_ns)
{
	return tg_xreplay_reduce(venue, ref, shares, ts_ns);
}

static int venue_replace(void *venue, uint64_t ref, uint32_t shares, uint32_t price, bool hidden,
			 uint64_t ts_ns, uint64_t *new_ref)
{
	return tg_xreplay_replace(venue, ref, shares, price, hidden, ts_ns, new_ref);
}

static bool venue_halted(void *venue, uint16_t instrument)
{
	return tg_xreplay_halted(venue, instrument);
}

static const struct tg_venue_ops replay_ops = {
	.enter = venue_enter,
	.reduce = venue_reduce,
	.replace = venue_replace,
	.halted = venue_halted,
};

void tg_venue_of_replay(struct tg_venue *v, struct tg_xreplay *x)
{
	v->ops = &replay_ops;
	v->venue = x;
}

/* ---- queries ---- */

int tg_xreplay_order(const struct tg_xreplay *x, uint64_t ref, struct tg_xreplay_resting *out)
{
	const struct aorder *o;
	uint32_t i;

	if (x == NULL || out == NULL)
		return TG_ERR_ARG;
	i = map_get(&x->aref, ref);
	if (i == NIL)
		return TG_ERR_NOENT;
	o = &x->apool[i];
	out->instrument = o->locate;
	out->side = side_char(o->s);
	out->hidden = o->hidden;
	out->shares = o->shares;
	out->price = o->price;
	out->owner = o->owner;
	out->queue_ahead = o->queue_ahead;
	return TG_OK;
}

int tg_xreplay_level(const struct tg_xreplay *x, uint16_t instrument, char side, unsigned index,
		     struct tg_xreplay_level *out)
{
	const struct side *sd;
	const struct level *l;

	if (x == NULL || out == NULL || (side != TG_MATCH_BUY && side != TG_MATCH_SELL))
		return TG_ERR_ARG;
	if (x->inst[instrument] == NULL)
		return TG_ERR_NOENT;
	sd = &x->inst[instrument]->side[side == TG_MATCH_BUY ? 0 : 1];
	if (index >= sd->n)
		return TG_ERR_NOENT;
	l = &sd->lv[sd->n - 1 - index];
	out->price = l->price;
	out->shares = l->shares;
	out->orders = l->orders;
	out->available = 0;
	for (uint32_t i = l->head; i != NIL; i = x->hpool[i].next)
		out->available += x->hpool[i].shares - x->hpool[i].taken;
	return TG_OK;
}

int tg_xreplay_locate_of(const struct tg_xreplay *x, const char *symbol)
{
	char want[SYM_LEN + 1];

	if (x == NULL || symbol == NULL)
		return -1;
	trim_symbol(want, symbol, SYM_LEN);
	for (unsigned k = 1; k < 65536; k++)
		if (x->inst[k] != NULL && x->inst[k]->known && strcmp(x->inst[k]->symbol, want) == 0)
			return (int)k;
	return -1;
}

const struct tg_xreplay_stats *tg_xreplay_stats(const struct tg_xreplay *x)
{
	return x != NULL ? &x->stats : NULL;
}

const struct tg_feed_stats *tg_xreplay_feed_stats(const struct tg_xreplay *x)
{
	return x != NULL ? &x->feed.stats : NULL;
}
