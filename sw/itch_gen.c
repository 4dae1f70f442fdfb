/*
 * Seeded ITCH 5.0 order-flow generator: see tickgate/itch_gen.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tickgate/itch50.h"
#include "tickgate/itch50_defs.h"
#include "tickgate/itch_gen.h"

#define TICK 100u		/* one cent in ITCH price4 units */
#define UNKNOWN_REF_BASE (1ull << 62)

struct live_order {
	uint64_t ref;
	uint32_t price;
	uint32_t shares;
	uint16_t locate;
	char side;
};

struct tg_itch_gen {
	struct tg_itch_gen_config cfg;
	uint64_t rng;
	uint64_t ns;		/* exchange time, ns since midnight */
	uint64_t next_ref;
	uint64_t next_match;
	uint64_t emitted;
	uint32_t *mid;		/* per instrument */
	uint8_t *halted;
	struct live_order *orders;
	unsigned n_orders;
	unsigned *swept;	/* orders the mid moved through, ascending indices */
	unsigned n_swept;
};

static uint64_t rnd(struct tg_itch_gen *g)
{
	/* splitmix64: small, fast, and the same everywhere */
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(struct tg_itch_gen *g, unsigned n)
{
	return (unsigned)(rnd(g) % n);
}

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

void tg_itch_gen_symbol(unsigned locate, char out[9])
{
	snprintf(out, 9, "TG%04u  ", locate % 10000u);
}

int tg_itch_gen_new(const struct tg_itch_gen_config *cfg, struct tg_itch_gen **out)
{
	struct tg_itch_gen *g;

	if (cfg == NULL || out == NULL || cfg->instruments == 0 || cfg->instruments > 1000 || cfg->max_orders == 0 ||
	    cfg->levels == 0 || cfg->levels > 1000)
		return TG_ERR_ARG;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return TG_ERR_NOMEM;
	g->cfg = *cfg;
	g->rng = cfg->seed;
	g->ns = 4ull * 3600 * 1000000000ull;	/* 04:00 */
	g->next_ref = 1;
	g->next_match = 1;
	g->mid = calloc(cfg->instruments + 1u, sizeof(*g->mid));
	g->halted = calloc(cfg->instruments + 1u, 1);
	g->orders = calloc(cfg->max_orders, sizeof(*g->orders));
	g->swept = calloc(cfg->max_orders, sizeof(*g->swept));
	if (g->mid == NULL || g->halted == NULL || g->orders == NULL || g->swept == NULL) {
		tg_itch_gen_free(g);
		return TG_ERR_NOMEM;
	}
	for (unsigned i = 1; i <= cfg->instruments; i++)
		g->mid[i] = (1000u + below(g, 90000u)) * TICK;
	*out = g;
	return TG_OK;
}

void tg_itch_gen_free(struct tg_itch_gen *g)
{
	if (g == NULL)
		return;
	free(g->mid);
	free(g->halted);
	free(g->orders);
	free(g->swept);
	free(g);
}

static size_t header(struct tg_itch_gen *g, uint8_t *m, char type, uint16_t locate)
{
	const struct tg_itch_type *t = tg_itch_type((uint8_t)type);

	memset(m, 0, t->length);
	m[0] = (uint8_t)type;
	put(m + 1, locate, 2);
	put(m + 3, 0, 2);
	put(m + 5, g->ns, 6);
	return t->length;
}

/* ticks from the mid of a new order: 1..levels, the near ones likelier, as in a real book */
static uint32_t ticks_away(struct tg_itch_gen *g)
{
	return 1 + below(g, 1 + below(g, g->cfg.levels));
}

static size_t add_order(struct tg_itch_gen *g, uint8_t *m)
{
	uint16_t loc = (uint16_t)(1 + below(g, g->cfg.instruments));
	char side = below(g, 2) ? 'B' : 'S';
	uint32_t k = ticks_away(g);
	uint32_t price = side == 'B' ? (g->mid[loc] > k * TICK ? g->mid[loc] - k * TICK : TICK) : g->mid[loc] + k * TICK;
	uint32_t shares = 100u * (1 + below(g, 20));
	bool mpid = below(g, 8) == 0;
	size_t len = header(g, m, mpid ? 'F' : 'A', loc);
	struct live_order *o = &g->orders[g->n_orders++];
	char sym[9];

	tg_itch_gen_symbol(loc, sym);
	*o = (struct live_order){ .ref = g->next_ref++, .price = price, .shares = shares, .locate = loc, .side = side };
	put(m + TG_ITCH_ADD_ORDER_ORDER_REFERENCE_NUMBER_OFF, o->ref, 8);
	m[TG_ITCH_ADD_ORDER_BUY_SELL_INDICATOR_OFF] = (uint8_t)side;
	put(m + TG_ITCH_ADD_ORDER_SHARES_OFF, shares, 4);
	memcpy(m + TG_ITCH_ADD_ORDER_STOCK_OFF, sym, 8);
	put(m + TG_ITCH_ADD_ORDER_PRICE_OFF, price, 4);
	if (mpid)
		memcpy(m + TG_ITCH_ADD_ORDER_MPID_ATTRIBUTION_OFF, "TGMM", 4);
	return len;
}

static void remove_order(struct tg_itch_gen *g, unsigned i)
{
	g->orders[i] = g->orders[--g->n_orders];
}

/* how far an order reaches toward (or through) its instrument's mid, in price units */
static int64_t aggression(const struct tg_itch_gen *g, const struct live_order *o)
{
	int64_t d = (int64_t)o->price - (int64_t)g->mid[o->locate];

	return o->side == 'B' ? d : -d;
}

/* An order message on a live order, or (rarely) on one never added.
 * Executions take the most aggressive of a few live orders, so the top of
 * the book trades and a book the mid walked through uncrosses. */
static size_t order_event(struct tg_itch_gen *g, uint8_t *m, unsigned op)
{
	bool unknown = below(g, 64) == 0;
	unsigned i = below(g, g->n_orders);

	if (op <= 1) {
		for (unsigned k = 0; k < 3; k++) {
			unsigned j = below(g, g->n_orders);

			if (aggression(g, &g->orders[j]) > aggression(g, &g->orders[i]))
				i = j;
		}
	}
	struct live_order *o = &g->orders[i];
	uint64_t ref = unknown ? UNKNOWN_REF_BASE + rnd(g) % 1000000u : o->ref;
	uint16_t loc = o->locate;
	uint32_t part = o->shares > 100 ? 100u * (1 + below(g, o->shares / 100u)) : o->shares;
	bool whole = part >= o->shares;
	size_t len;

	switch (op) {
	case 0:	/* executed */
		len = header(g, m, 'E', loc);
		put(m + TG_ITCH_ORDER_EXECUTED_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
		put(m + TG_ITCH_ORDER_EXECUTED_EXECUTED_SHARES_OFF, part, 4);
		put(m + TG_ITCH_ORDER_EXECUTED_MATCH_NUMBER_OFF, g->next_match++, 8);
		break;
	case 1:	/* executed with price */
		len = header(g, m, 'C', loc);
		put(m + TG_ITCH_ORDER_EXECUTED_PRICE_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
		put(m + TG_ITCH_ORDER_EXECUTED_PRICE_EXECUTED_SHARES_OFF, part, 4);
		put(m + TG_ITCH_ORDER_EXECUTED_PRICE_MATCH_NUMBER_OFF, g->next_match++, 8);
		m[TG_ITCH_ORDER_EXECUTED_PRICE_PRINTABLE_OFF] = below(g, 4) ? 'Y' : 'N';
		put(m + TG_ITCH_ORDER_EXECUTED_PRICE_EXECUTION_PRICE_OFF, o->price + (below(g, 2) ? TICK : 0), 4);
		break;
	case 2:	/* cancel */
		len = header(g, m, 'X', loc);
		put(m + TG_ITCH_ORDER_CANCEL_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
		put(m + TG_ITCH_ORDER_CANCEL_CANCELED_SHARES_OFF, part, 4);
		break;
	case 3:	/* delete */
		len = header(g, m, 'D', loc);
		put(m + TG_ITCH_ORDER_DELETE_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
		whole = true;
		break;
	default: {	/* replace: new reference, new price and size, same side */
		uint32_t k = ticks_away(g);
		uint32_t mid = g->mid[loc];
		uint32_t price = o->side == 'B' ? (mid > k * TICK ? mid - k * TICK : TICK) : mid + k * TICK;
		uint32_t shares = 100u * (1 + below(g, 20));
		uint64_t nref = g->next_ref++;

		len = header(g, m, 'U', loc);
		put(m + TG_ITCH_ORDER_REPLACE_ORIGINAL_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
		put(m + TG_ITCH_ORDER_REPLACE_NEW_ORDER_REFERENCE_NUMBER_OFF, nref, 8);
		put(m + TG_ITCH_ORDER_REPLACE_SHARES_OFF, shares, 4);
		put(m + TG_ITCH_ORDER_REPLACE_PRICE_OFF, price, 4);
		if (!unknown) {
			o->ref = nref;
			o->price = price;
			o->shares = shares;
		}
		return len;
	}
	}
	if (!unknown) {
		if (whole)
			remove_order(g, i);
		else
			o->shares -= part;
	}
	return len;
}

/* The mid of loc moved: every order it reached or passed will execute, as
 * the market sweeps through it, so the book never stays crossed. */
static void sweep(struct tg_itch_gen *g, uint16_t loc)
{
	for (unsigned i = 0; i < g->n_orders; i++)
		if (g->orders[i].locate == loc && aggression(g, &g->orders[i]) >= 0)
			g->swept[g->n_swept++] = i;
}

/* The execution of a swept order, whole; the highest index first, so the
 * removals never move another swept order. */
static size_t execute_swept(struct tg_itch_gen *g, uint8_t *m)
{
	unsigned i = g->swept[--g->n_swept];
	struct live_order *o = &g->orders[i];
	size_t len = header(g, m, 'E', o->locate);

	put(m + TG_ITCH_ORDER_EXECUTED_ORDER_REFERENCE_NUMBER_OFF, o->ref, 8);
	put(m + TG_ITCH_ORDER_EXECUTED_EXECUTED_SHARES_OFF, o->shares, 4);
	put(m + TG_ITCH_ORDER_EXECUTED_MATCH_NUMBER_OFF, g->next_match++, 8);
	remove_order(g, i);
	return len;
}

size_t tg_itch_gen_next(struct tg_itch_gen *g, uint8_t *msg)
{
	uint64_t n = g->emitted++;
	unsigned r;

	g->ns += 1 + below(g, 2000);
	if (n == 0) {
		size_t len = header(g, msg, 'S', 0);

		msg[TG_ITCH_SYSTEM_EVENT_EVENT_CODE_OFF] = 'O';
		return len;
	}
	if (n <= g->cfg.instruments) {	/* the stock directory */
		uint16_t loc = (uint16_t)n;
		size_t len = header(g, msg, 'R', loc);
		char sym[9];

		tg_itch_gen_symbol(loc, sym);
		memcpy(msg + TG_ITCH_STOCK_DIRECTORY_STOCK_OFF, sym, 8);
		msg[TG_ITCH_STOCK_DIRECTORY_MARKET_CATEGORY_OFF] = 'Q';
		msg[TG_ITCH_STOCK_DIRECTORY_FINANCIAL_STATUS_INDICATOR_OFF] = 'N';
		put(msg + TG_ITCH_STOCK_DIRECTORY_ROUND_LOT_SIZE_OFF, 100, 4);
		msg[TG_ITCH_STOCK_DIRECTORY_ROUND_LOTS_ONLY_OFF] = 'N';
		msg[TG_ITCH_STOCK_DIRECTORY_ISSUE_CLASSIFICATION_OFF] = 'C';
		memcpy(msg + TG_ITCH_STOCK_DIRECTORY_ISSUE_SUB_TYPE_OFF, "Z ", 2);
		msg[TG_ITCH_STOCK_DIRECTORY_AUTHENTICITY_OFF] = 'P';
		msg[TG_ITCH_STOCK_DIRECTORY_SHORT_SALE_THRESHOLD_INDICATOR_OFF] = 'N';
		msg[TG_ITCH_STOCK_DIRECTORY_IPO_FLAG_OFF] = ' ';
		msg[TG_ITCH_STOCK_DIRECTORY_LULD_REFERENCE_PRICE_TIER_OFF] = '1';
		msg[TG_ITCH_STOCK_DIRECTORY_ETP_FLAG_OFF] = 'N';
		msg[TG_ITCH_STOCK_DIRECTORY_INVERSE_INDICATOR_OFF] = 'N';
		return len;
	}
	if (g->n_swept > 0)
		return execute_swept(g, msg);
	/* the mid walks now and then */
	if (below(g, 16) == 0) {
		uint16_t loc = (uint16_t)(1 + below(g, g->cfg.instruments));

		if (below(g, 2))
			g->mid[loc] += TICK;
		else if (g->mid[loc] > 2 * TICK * g->cfg.levels)
			g->mid[loc] -= TICK;
		sweep(g, loc);
		if (g->n_swept > 0)
			return execute_swept(g, msg);
	}
	r = below(g, 1000);
	if (g->n_orders == 0 || (g->n_orders < g->cfg.max_orders && r < 400))
		return add_order(g, msg);
	if (r < 520)
		return order_event(g, msg, 0);
	if (r < 550)
		return order_event(g, msg, 1);
	if (r < 650)
		return order_event(g, msg, 2);
	if (r < 880)
		return order_event(g, msg, 3);
	if (r < 980)
		return order_event(g, msg, 4);
	if (r < 995) {	/* a trade against a hidden order */
		uint16_t loc = (uint16_t)(1 + below(g, g->cfg.instruments));
		size_t len = header(g, msg, 'P', loc);
		char sym[9];

		tg_itch_gen_symbol(loc, sym);
		put(msg + TG_ITCH_TRADE_ORDER_REFERENCE_NUMBER_OFF, 0, 8);
		msg[TG_ITCH_TRADE_BUY_SELL_INDICATOR_OFF] = 'B';
		put(msg + TG_ITCH_TRADE_SHARES_OFF, 100u * (1 + below(g, 5)), 4);
		memcpy(msg + TG_ITCH_TRADE_STOCK_OFF, sym, 8);
		put(msg + TG_ITCH_TRADE_PRICE_OFF, g->mid[loc], 4);
		put(msg + TG_ITCH_TRADE_MATCH_NUMBER_OFF, g->next_match++, 8);
		return len;
	}
	{	/* trading action: halt or resume */
		uint16_t loc = (uint16_t)(1 + below(g, g->cfg.instruments));
		size_t len = header(g, msg, 'H', loc);
		char sym[9];

		tg_itch_gen_symbol(loc, sym);
		g->halted[loc] ^= 1;
		memcpy(msg + TG_ITCH_TRADING_ACTION_STOCK_OFF, sym, 8);
		msg[TG_ITCH_TRADING_ACTION_TRADING_STATE_OFF] = g->halted[loc] ? 'H' : 'T';
		memcpy(msg + TG_ITCH_TRADING_ACTION_REASON_OFF, "    ", 4);
		return len;
	}
}
