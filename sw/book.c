/*
 * C order book, see tickgate/book.h for the semantics.
 *
 * Orders: a bucketed hash table; a reference is looked for in its one
 * bucket, as the card does. Levels: per instrument and side a sorted array,
 * best first, at most depth long when a depth is set.
 */
#include <stdlib.h>
#include <string.h>

#include "tickgate/book.h"
#include "tickgate/itch50.h"

struct order {
	bool used;
	uint16_t locate;
	uint64_t ref;
	uint32_t price;
	uint32_t shares;	/* at least 1 */
	char side;
};

struct side_levels {
	struct tg_book_level *lv;
	unsigned n, cap;
	bool truncated;		/* orders at or beyond bound are hidden */
	uint32_t bound;
	uint64_t hidden;	/* orders hidden */
};

struct instrument {
	bool subscribed;
	bool authoritative;
	bool halted;
	struct side_levels bid, ask;
	uint32_t bbo[4];
	uint8_t bbo_flags;
};

struct tg_book {
	struct tg_book_config cfg;
	unsigned buckets_log2;
	tg_book_event_fn fn;
	void *ctx;
	struct order *orders;
	struct instrument *inst[65536];
	char pending[16][9];	/* symbols subscribed before their locate is known */
	unsigned n_pending;
	char symbol[65536][9];	/* learned from R messages */
	struct tg_book_stats stats;
};

static bool pow2(unsigned x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

int tg_book_new(const struct tg_book_config *cfg, tg_book_event_fn fn, void *ctx, struct tg_book **out)
{
	struct tg_book *b;
	unsigned ways_log2 = 0;

	if (cfg == NULL || out == NULL || cfg->order_capacity_log2 < 4 || cfg->order_capacity_log2 > 28 ||
	    !pow2(cfg->ways) || cfg->ways > (1u << cfg->order_capacity_log2))
		return TG_ERR_ARG;
	while ((1u << ways_log2) < cfg->ways)
		ways_log2++;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return TG_ERR_NOMEM;
	b->orders = calloc((size_t)1 << cfg->order_capacity_log2, sizeof(struct order));
	if (b->orders == NULL) {
		free(b);
		return TG_ERR_NOMEM;
	}
	b->cfg = *cfg;
	b->buckets_log2 = cfg->order_capacity_log2 - ways_log2;
	b->fn = fn;
	b->ctx = ctx;
	*out = b;
	return TG_OK;
}

void tg_book_free(struct tg_book *b)
{
	if (b == NULL)
		return;
	for (unsigned i = 0; i < 65536; i++) {
		if (b->inst[i] != NULL) {
			free(b->inst[i]->bid.lv);
			free(b->inst[i]->ask.lv);
			free(b->inst[i]);
		}
	}
	free(b->orders);
	free(b);
}

int tg_book_subscribe_locate(struct tg_book *b, uint16_t locate)
{
	if (b == NULL)
		return TG_ERR_ARG;
	if (b->inst[locate] == NULL) {
		b->inst[locate] = calloc(1, sizeof(struct instrument));
		if (b->inst[locate] == NULL)
			return TG_ERR_NOMEM;
		b->inst[locate]->authoritative = true;
	}
	b->inst[locate]->subscribed = true;
	return TG_OK;
}

int tg_book_subscribe_symbol(struct tg_book *b, const char *symbol)
{
	if (b == NULL || symbol == NULL || symbol[0] == '\0' || strlen(symbol) > 8)
		return TG_ERR_ARG;
	for (unsigned i = 0; i < 65536; i++)
		if (strcmp(b->symbol[i], symbol) == 0)
			return tg_book_subscribe_locate(b, (uint16_t)i);
	if (b->n_pending == sizeof(b->pending) / sizeof(b->pending[0]))
		return TG_ERR_NOMEM;
	strcpy(b->pending[b->n_pending++], symbol);
	return TG_OK;
}

int tg_book_locate_of(const struct tg_book *b, const char *symbol)
{
	for (unsigned i = 0; i < 65536; i++)
		if (b->inst[i] != NULL && b->inst[i]->subscribed && strcmp(b->symbol[i], symbol) == 0)
			return (int)i;
	return -1;
}

/* ---- order table ---- */

static struct order *bucket(struct tg_book *b, uint64_t ref)
{
	return &b->orders[(size_t)tg_book_bucket(ref, b->buckets_log2) * b->cfg.ways];
}

/* the order of reference ref of instrument loc */
static struct order *find(struct tg_book *b, uint64_t ref, uint16_t loc)
{
	struct order *o = bucket(b, ref);

	for (unsigned k = 0; k < b->cfg.ways; k++)
		if (o[k].used && o[k].ref == ref && o[k].locate == loc)
			return &o[k];
	return NULL;
}

/* the first free slot of the reference's bucket */
static struct order *insert(struct tg_book *b, uint64_t ref)
{
	struct order *o = bucket(b, ref);

	for (unsigned k = 0; k < b->cfg.ways; k++)
		if (!o[k].used)
			return &o[k];
	return NULL;
}

static void erase(struct tg_book *b, struct order *o)
{
	o->used = false;
	b->stats.orders--;
}

/* ---- levels ---- */

static struct side_levels *levels(struct instrument *in, char side)
{
	return side == 'B' ? &in->bid : &in->ask;
}

/* price a is better than price b on this side */
static bool better(char side, uint32_t a, uint32_t b)
{
	return side == 'B' ? a > b : a < b;
}

/* index of price in the side, or where it would go; *found says which */
static unsigned level_pos(const struct side_levels *s, char side, uint32_t price, bool *found)
{
	unsigned lo = 0, hi = s->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		uint32_t p = s->lv[mid].price;

		if (p == price) {
			*found = true;
			return mid;
		}
		if (better(side, p, price))
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static void level_remove(struct side_levels *s, unsigned i)
{
	memmove(&s->lv[i], &s->lv[i + 1], (s->n - i - 1) * sizeof(*s->lv));
	s->n--;
}

/* An order of `shares` (at least 1) joins its level. false: out of memory. */
static bool level_add(struct tg_book *b, struct instrument *in, char side, uint32_t price, uint32_t shares)
{
	struct side_levels *s = levels(in, side);
	unsigned depth = b->cfg.depth;
	bool found;
	unsigned i;

	if (s->truncated && !better(side, price, s->bound)) {
		s->hidden++;
		return true;
	}
	i = level_pos(s, side, price, &found);
	if (found) {
		s->lv[i].shares += shares;
		s->lv[i].orders++;
		return true;
	}
	if (depth != 0 && s->n == depth) {
		if (i == depth) {	/* beyond the worst level kept */
			s->truncated = true;
			s->bound = price;
			s->hidden++;
			return true;
		}
		s->truncated = true;	/* the worst level leaves */
		s->bound = s->lv[depth - 1].price;
		s->hidden += s->lv[depth - 1].orders;
		s->n--;
	}
	if (s->n == s->cap) {
		unsigned cap = s->cap ? s->cap * 2 : 16;
		struct tg_book_level *lv = realloc(s->lv, cap * sizeof(*lv));

		if (lv == NULL)
			return false;
		s->lv = lv;
		s->cap = cap;
	}
	memmove(&s->lv[i + 1], &s->lv[i], (s->n - i) * sizeof(*s->lv));
	s->lv[i] = (struct tg_book_level){ .price = price, .shares = shares, .orders = 1 };
	s->n++;
	return true;
}

/* Take shares off the level of an order; gone: the order left. */
static void level_reduce(struct instrument *in, char side, uint32_t price, uint32_t shares, bool gone)
{
	struct side_levels *s = levels(in, side);
	bool found;
	unsigned i;

	if (s->truncated && !better(side, price, s->bound)) {
		if (gone && s->hidden > 0 && --s->hidden == 0)
			s->truncated = false;
		return;
	}
	i = level_pos(s, side, price, &found);
	if (!found)
		return;
	s->lv[i].shares -= shares;
	s->lv[i].orders -= gone;
	if (s->lv[i].orders == 0 || s->lv[i].shares == 0)
		level_remove(s, i);
}

/* ---- events ---- */

static void emit(struct tg_book *b, struct tg_book_event *ev)
{
	if (ev->type == TG_BOOK_EV_BBO)
		b->stats.bbo_events++;
	else if (ev->type == TG_BOOK_EV_TRADE)
		b->stats.trade_events++;
	else
		b->stats.halt_events++;
	if (b->fn != NULL)
		b->fn(b->ctx, ev);
}

static uint32_t sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void check_bbo(struct tg_book *b, struct instrument *in, uint16_t locate, uint64_t ts, uint64_t seq)
{
	uint32_t now[4] = { 0, 0, 0, 0 };
	uint8_t flags = 0;

	if (in->bid.n) {
		now[0] = in->bid.lv[0].price;
		now[1] = sat32(in->bid.lv[0].shares);
	} else if (in->bid.truncated) {
		flags |= TG_BOOK_BBO_BID_UNKNOWN;
	}
	if (in->ask.n) {
		now[2] = in->ask.lv[0].price;
		now[3] = sat32(in->ask.lv[0].shares);
	} else if (in->ask.truncated) {
		flags |= TG_BOOK_BBO_ASK_UNKNOWN;
	}
	if (!in->authoritative)
		flags |= TG_BOOK_BBO_NOT_AUTHORITATIVE;
	if (memcmp(now, in->bbo, sizeof(now)) == 0 && flags == in->bbo_flags)
		return;
	memcpy(in->bbo, now, sizeof(now));
	in->bbo_flags = flags;
	struct tg_book_event ev = { .type = TG_BOOK_EV_BBO, .locate = locate, .timestamp = ts, .seq = seq };

	ev.u.bbo.bid_price = now[0];
	ev.u.bbo.bid_size = now[1];
	ev.u.bbo.ask_price = now[2];
	ev.u.bbo.ask_size = now[3];
	ev.u.bbo.flags = flags;
	emit(b, &ev);
}

static void trade(struct tg_book *b, uint16_t locate, uint64_t ts, uint64_t seq, char type, char side,
		  uint32_t price, uint64_t shares, uint64_t match, bool printable)
{
	struct tg_book_event ev = { .type = TG_BOOK_EV_TRADE, .locate = locate, .timestamp = ts, .seq = seq };

	ev.u.trade.price = price;
	ev.u.trade.shares = shares;
	ev.u.trade.match = match;
	ev.u.trade.msg_type = type;
	ev.u.trade.side = side;
	ev.u.trade.printable = printable;
	emit(b, &ev);
}

/* ---- messages ---- */

static void learn_symbol(struct tg_book *b, const uint8_t *msg)
{
	uint16_t loc = tg_itch_locate(msg);

	tg_itch_alpha(b->symbol[loc], msg, TG_ITCH_STOCK_DIRECTORY_STOCK_OFF, 8);
	for (unsigned i = 0; i < b->n_pending; i++) {
		if (strcmp(b->pending[i], b->symbol[loc]) == 0) {
			if (tg_book_subscribe_locate(b, loc) != TG_OK)
				break;	/* out of memory: stays pending, tried at the next R */
			memmove(b->pending[i], b->pending[i + 1], (b->n_pending - i - 1) * sizeof(b->pending[0]));
			b->n_pending--;
			break;
		}
	}
}

static void add_order(struct tg_book *b, struct instrument *in, const uint8_t *msg)
{
	uint64_t ref = tg_be(msg + TG_ITCH_ADD_ORDER_ORDER_REFERENCE_NUMBER_OFF, 8);
	uint32_t shares = (uint32_t)tg_be(msg + TG_ITCH_ADD_ORDER_SHARES_OFF, 4);
	struct order *o;

	if (shares == 0) {
		b->stats.zero_shares++;
		return;
	}
	if (find(b, ref, tg_itch_locate(msg)) != NULL) {
		b->stats.duplicate_ref++;
		return;
	}
	o = insert(b, ref);
	if (o == NULL) {
		b->stats.order_overflow++;
		in->authoritative = false;
		return;
	}
	o->used = true;
	o->locate = tg_itch_locate(msg);
	o->ref = ref;
	o->side = msg[TG_ITCH_ADD_ORDER_BUY_SELL_INDICATOR_OFF] == 'B' ? 'B' : 'S';
	o->shares = shares;
	o->price = (uint32_t)tg_be(msg + TG_ITCH_ADD_ORDER_PRICE_OFF, 4);
	b->stats.orders++;
	if (!level_add(b, in, o->side, o->price, o->shares))
		in->authoritative = false;
}

/* Take shares off an order (all of it when shares >= its size). */
static void reduce(struct tg_book *b, struct instrument *in, struct order *o, uint32_t shares)
{
	if (shares >= o->shares) {
		level_reduce(in, o->side, o->price, o->shares, true);
		erase(b, o);
	} else {
		level_reduce(in, o->side, o->price, shares, false);
		o->shares -= shares;
	}
}

void tg_book_apply(struct tg_book *b, const uint8_t *msg, size_t len, uint64_t seq)
{
	const struct tg_itch_type *t = len > 0 ? tg_itch_type(msg[0]) : NULL;
	uint16_t loc;
	uint64_t ts;
	struct instrument *in;
	struct order *o;

	if (t == NULL || len != t->length)
		return;
	loc = tg_itch_locate(msg);
	ts = tg_itch_timestamp(msg);
	if (msg[0] == TG_ITCH_STOCK_DIRECTORY_TYPE) {
		learn_symbol(b, msg);
		return;
	}
	in = b->inst[loc];
	if (in == NULL || !in->subscribed) {
		if (strchr("AFECXDUPQH", msg[0]) != NULL)
			b->stats.unsubscribed++;
		return;
	}
	switch (msg[0]) {
	case TG_ITCH_ADD_ORDER_TYPE:
	case TG_ITCH_ADD_ORDER_MPID_TYPE:
		add_order(b, in, msg);
		break;
	case TG_ITCH_ORDER_EXECUTED_TYPE:
	case TG_ITCH_ORDER_EXECUTED_PRICE_TYPE: {
		uint64_t ref = tg_be(msg + TG_ITCH_ORDER_EXECUTED_ORDER_REFERENCE_NUMBER_OFF, 8);
		uint32_t sh = (uint32_t)tg_be(msg + TG_ITCH_ORDER_EXECUTED_EXECUTED_SHARES_OFF, 4);
		uint64_t match = tg_be(msg + TG_ITCH_ORDER_EXECUTED_MATCH_NUMBER_OFF, 8);

		o = find(b, ref, loc);
		if (o == NULL) {
			b->stats.unknown_ref++;
			break;
		}
		char side = o->side;
		uint32_t price = o->price;
		bool printable = true;

		if (msg[0] == TG_ITCH_ORDER_EXECUTED_PRICE_TYPE) {
			price = (uint32_t)tg_be(msg + TG_ITCH_ORDER_EXECUTED_PRICE_EXECUTION_PRICE_OFF, 4);
			printable = msg[TG_ITCH_ORDER_EXECUTED_PRICE_PRINTABLE_OFF] == 'Y';
		}
		reduce(b, in, o, sh);
		trade(b, loc, ts, seq, (char)msg[0], side, price, sh, match, printable);
		break;
	}
	case TG_ITCH_ORDER_CANCEL_TYPE:
	case TG_ITCH_ORDER_DELETE_TYPE:
		o = find(b, tg_be(msg + TG_ITCH_ORDER_CANCEL_ORDER_REFERENCE_NUMBER_OFF, 8), loc);
		if (o == NULL) {
			b->stats.unknown_ref++;
			break;
		}
		reduce(b, in, o, msg[0] == TG_ITCH_ORDER_DELETE_TYPE
					 ? UINT32_MAX
					 : (uint32_t)tg_be(msg + TG_ITCH_ORDER_CANCEL_CANCELED_SHARES_OFF, 4));
		break;
	case TG_ITCH_ORDER_REPLACE_TYPE: {
		uint64_t old_ref = tg_be(msg + TG_ITCH_ORDER_REPLACE_ORIGINAL_ORDER_REFERENCE_NUMBER_OFF, 8);
		uint64_t new_ref = tg_be(msg + TG_ITCH_ORDER_REPLACE_NEW_ORDER_REFERENCE_NUMBER_OFF, 8);
		uint8_t add[TG_ITCH_ADD_ORDER_LEN];

		o = find(b, old_ref, loc);
		if (o == NULL) {
			b->stats.unknown_ref++;
			break;
		}
		/* the replacement is an add of the new reference, same side and instrument */
		memset(add, 0, sizeof(add));
		add[0] = TG_ITCH_ADD_ORDER_TYPE;
		memcpy(add + 1, msg + 1, 10);
		for (int i = 0; i < 8; i++)
			add[TG_ITCH_ADD_ORDER_ORDER_REFERENCE_NUMBER_OFF + i] = (uint8_t)(new_ref >> (56 - 8 * i));
		add[TG_ITCH_ADD_ORDER_BUY_SELL_INDICATOR_OFF] = (uint8_t)o->side;
		memcpy(add + TG_ITCH_ADD_ORDER_SHARES_OFF, msg + TG_ITCH_ORDER_REPLACE_SHARES_OFF, 4);
		memcpy(add + TG_ITCH_ADD_ORDER_PRICE_OFF, msg + TG_ITCH_ORDER_REPLACE_PRICE_OFF, 4);
		reduce(b, in, o, UINT32_MAX);
		add_order(b, in, add);
		break;
	}
	case TG_ITCH_TRADE_TYPE:
		trade(b, loc, ts, seq, 'P', (char)msg[TG_ITCH_TRADE_BUY_SELL_INDICATOR_OFF],
		      (uint32_t)tg_be(msg + TG_ITCH_TRADE_PRICE_OFF, 4), tg_be(msg + TG_ITCH_TRADE_SHARES_OFF, 4),
		      tg_be(msg + TG_ITCH_TRADE_MATCH_NUMBER_OFF, 8), true);
		break;
	case TG_ITCH_CROSS_TRADE_TYPE:
		trade(b, loc, ts, seq, 'Q', ' ', (uint32_t)tg_be(msg + TG_ITCH_CROSS_TRADE_CROSS_PRICE_OFF, 4),
		      tg_be(msg + TG_ITCH_CROSS_TRADE_SHARES_OFF, 8),
		      tg_be(msg + TG_ITCH_CROSS_TRADE_MATCH_NUMBER_OFF, 8), true);
		break;
	case TG_ITCH_TRADING_ACTION_TYPE: {
		char state = (char)msg[TG_ITCH_TRADING_ACTION_TRADING_STATE_OFF];
		bool halted = state != 'T';

		if (halted != in->halted) {
			struct tg_book_event ev = { .type = TG_BOOK_EV_HALT, .locate = loc, .timestamp = ts, .seq = seq };

			in->halted = halted;
			ev.u.halt.halted = halted;
			ev.u.halt.state = state;
			emit(b, &ev);
		}
		break;
	}
	default:
		return;
	}
	b->stats.messages++;
	check_bbo(b, in, loc, ts, seq);
}

unsigned tg_book_levels(const struct tg_book *b, uint16_t locate, char side, struct tg_book_level *out,
			unsigned n)
{
	const struct instrument *in = b->inst[locate];
	const struct side_levels *s;
	unsigned k;

	if (in == NULL)
		return 0;
	s = side == 'B' ? &in->bid : &in->ask;
	k = s->n < n ? s->n : n;
	if (k > 0)	/* an empty side may have no array at all */
		memcpy(out, s->lv, k * sizeof(*out));
	return k;
}

bool tg_book_authoritative(const struct tg_book *b, uint16_t locate)
{
	return b->inst[locate] != NULL && b->inst[locate]->authoritative;
}

bool tg_book_halted(const struct tg_book *b, uint16_t locate)
{
	return b->inst[locate] != NULL && b->inst[locate]->halted;
}

bool tg_book_truncated(const struct tg_book *b, uint16_t locate, char side)
{
	return b->inst[locate] != NULL && levels(b->inst[locate], side)->truncated;
}

const struct tg_book_stats *tg_book_stats(const struct tg_book *b)
{
	return &b->stats;
}
