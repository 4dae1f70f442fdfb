/*
 * C order book, see tickgate/book.h for the semantics.
 *
 * Orders: open addressing with linear probing and backward-shift deletion
 * (no tombstones), so every lookup stops within max_probe slots, as a
 * hardware table with bounded probing must. Levels: per instrument and side
 * a sorted array, best first; books near the top are short and the array
 * keeps the best level at index 0 for the BBO.
 */
#include <stdlib.h>
#include <string.h>

#include "tickgate/book.h"
#include "tickgate/itch50.h"

struct order {
	uint64_t ref;		/* 0 = empty slot (ITCH references are never 0) */
	uint32_t price;
	uint32_t shares;
	uint16_t locate;
	char side;
};

struct side_levels {
	struct tg_book_level *lv;
	unsigned n, cap;
};

struct instrument {
	bool subscribed;
	bool authoritative;
	bool halted;
	struct side_levels bid, ask;
	uint32_t bbo[4];
};

struct tg_book {
	struct tg_book_config cfg;
	tg_book_event_fn fn;
	void *ctx;
	struct order *orders;
	uint64_t mask;
	struct instrument *inst[65536];
	char pending[16][9];	/* symbols subscribed before their locate is known */
	unsigned n_pending;
	char symbol[65536][9];	/* learned from R messages */
	struct tg_book_stats stats;
};

static uint64_t hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

int tg_book_new(const struct tg_book_config *cfg, tg_book_event_fn fn, void *ctx, struct tg_book **out)
{
	struct tg_book *b;

	if (cfg == NULL || out == NULL || cfg->order_capacity_log2 < 4 || cfg->order_capacity_log2 > 28 ||
	    cfg->max_probe == 0 || cfg->max_probe > (1u << cfg->order_capacity_log2))
		return TG_ERR_ARG;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return TG_ERR_NOMEM;
	b->orders = calloc((size_t)1 << cfg->order_capacity_log2, sizeof(struct order));
	if (b->orders == NULL) {
		free(b);
		return TG_ERR_NOMEM;
	}
	b->cfg = *cfg;
	b->mask = (1ull << cfg->order_capacity_log2) - 1;
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

static struct order *find(struct tg_book *b, uint64_t ref)
{
	uint64_t i = hash(ref) & b->mask;

	for (unsigned k = 0; k < b->cfg.max_probe; k++, i = (i + 1) & b->mask) {
		if (b->orders[i].ref == ref)
			return &b->orders[i];
		if (b->orders[i].ref == 0)
			return NULL;
	}
	return NULL;
}

static struct order *insert(struct tg_book *b, uint64_t ref)
{
	uint64_t i = hash(ref) & b->mask;

	for (unsigned k = 0; k < b->cfg.max_probe; k++, i = (i + 1) & b->mask)
		if (b->orders[i].ref == 0)
			return &b->orders[i];
	return NULL;
}

/* Backward-shift deletion keeps every remaining order within its probe window. */
static void erase(struct tg_book *b, struct order *o)
{
	uint64_t hole = (uint64_t)(o - b->orders);
	uint64_t j = hole;

	for (;;) {
		j = (j + 1) & b->mask;
		if (b->orders[j].ref == 0)
			break;
		uint64_t home = hash(b->orders[j].ref) & b->mask;

		/* move j into the hole if its home is not in (hole, j] cyclically */
		if (((j - home) & b->mask) >= ((j - hole) & b->mask)) {
			b->orders[hole] = b->orders[j];
			hole = j;
		}
	}
	b->orders[hole].ref = 0;
	b->stats.orders--;
}

/* ---- levels ---- */

static struct side_levels *levels(struct instrument *in, char side)
{
	return side == 'B' ? &in->bid : &in->ask;
}

/* index of price in the side, or where it would go; *found says which */
static unsigned level_pos(const struct side_levels *s, char side, uint32_t price, bool *found)
{
	unsigned lo = 0, hi = s->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		uint32_t p = s->lv[mid].price;
		bool before = side == 'B' ? p > price : p < price;	/* better than price */

		if (p == price) {
			*found = true;
			return mid;
		}
		if (before)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static bool level_add(struct instrument *in, char side, uint32_t price, int64_t shares, int orders)
{
	struct side_levels *s = levels(in, side);
	bool found;
	unsigned i = level_pos(s, side, price, &found);

	if (!found) {
		if (shares <= 0)
			return true;
		if (s->n == s->cap) {
			unsigned cap = s->cap ? s->cap * 2 : 16;
			struct tg_book_level *lv = realloc(s->lv, cap * sizeof(*lv));

			if (lv == NULL)
				return false;
			s->lv = lv;
			s->cap = cap;
		}
		memmove(&s->lv[i + 1], &s->lv[i], (s->n - i) * sizeof(*s->lv));
		s->lv[i] = (struct tg_book_level){ .price = price, .shares = 0, .orders = 0 };
		s->n++;
	}
	s->lv[i].shares = (uint64_t)((int64_t)s->lv[i].shares + shares);
	s->lv[i].orders = (uint32_t)((int)s->lv[i].orders + orders);
	if (s->lv[i].orders == 0 || s->lv[i].shares == 0) {
		memmove(&s->lv[i], &s->lv[i + 1], (s->n - i - 1) * sizeof(*s->lv));
		s->n--;
	}
	return true;
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

static void check_bbo(struct tg_book *b, struct instrument *in, uint16_t locate, uint64_t ts, uint64_t seq)
{
	uint32_t now[4] = { 0, 0, 0, 0 };

	if (in->bid.n) {
		now[0] = in->bid.lv[0].price;
		now[1] = in->bid.lv[0].shares > UINT32_MAX ? UINT32_MAX : (uint32_t)in->bid.lv[0].shares;
	}
	if (in->ask.n) {
		now[2] = in->ask.lv[0].price;
		now[3] = in->ask.lv[0].shares > UINT32_MAX ? UINT32_MAX : (uint32_t)in->ask.lv[0].shares;
	}
	if (memcmp(now, in->bbo, sizeof(now)) == 0)
		return;
	memcpy(in->bbo, now, sizeof(now));
	struct tg_book_event ev = { .type = TG_BOOK_EV_BBO, .locate = locate, .timestamp = ts, .seq = seq };

	ev.u.bbo.bid_price = now[0];
	ev.u.bbo.bid_size = now[1];
	ev.u.bbo.ask_price = now[2];
	ev.u.bbo.ask_size = now[3];
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

static void add_order(struct tg_book *b, struct instrument *in, const uint8_t *msg, uint16_t loc)
{
	uint64_t ref = tg_be(msg + TG_ITCH_ADD_ORDER_ORDER_REFERENCE_NUMBER_OFF, 8);
	struct order *o;

	if (find(b, ref) != NULL) {
		b->stats.duplicate_ref++;
		return;
	}
	o = insert(b, ref);
	if (o == NULL) {
		b->stats.order_overflow++;
		in->authoritative = false;
		return;
	}
	o->ref = ref;
	o->locate = loc;
	o->side = (char)msg[TG_ITCH_ADD_ORDER_BUY_SELL_INDICATOR_OFF];
	o->shares = (uint32_t)tg_be(msg + TG_ITCH_ADD_ORDER_SHARES_OFF, 4);
	o->price = (uint32_t)tg_be(msg + TG_ITCH_ADD_ORDER_PRICE_OFF, 4);
	if (o->side != 'B')
		o->side = 'S';
	b->stats.orders++;
	if (!level_add(in, o->side, o->price, o->shares, 1))
		in->authoritative = false;
}

/* Take shares off an order (all of it when shares >= its size). */
static void reduce(struct tg_book *b, struct instrument *in, struct order *o, uint32_t shares)
{
	if (shares >= o->shares) {
		level_add(in, o->side, o->price, -(int64_t)o->shares, -1);
		erase(b, o);
	} else {
		level_add(in, o->side, o->price, -(int64_t)shares, 0);
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
		add_order(b, in, msg, loc);
		break;
	case TG_ITCH_ORDER_EXECUTED_TYPE:
	case TG_ITCH_ORDER_EXECUTED_PRICE_TYPE: {
		uint64_t ref = tg_be(msg + TG_ITCH_ORDER_EXECUTED_ORDER_REFERENCE_NUMBER_OFF, 8);
		uint32_t sh = (uint32_t)tg_be(msg + TG_ITCH_ORDER_EXECUTED_EXECUTED_SHARES_OFF, 4);
		uint64_t match = tg_be(msg + TG_ITCH_ORDER_EXECUTED_MATCH_NUMBER_OFF, 8);

		o = find(b, ref);
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
		o = find(b, tg_be(msg + TG_ITCH_ORDER_CANCEL_ORDER_REFERENCE_NUMBER_OFF, 8));
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

		o = find(b, old_ref);
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
		add_order(b, in, add, loc);
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

const struct tg_book_stats *tg_book_stats(const struct tg_book *b)
{
	return &b->stats;
}
