/*
 * Seeded ITCH 5.0 order-flow generator: see tickgate/itch_gen.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "tickgate/itch_encode.h"
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

/* The common header of the next message: tracking number 0, the generator's clock. */
static struct tg_itch_hdr header(const struct tg_itch_gen *g, uint16_t locate)
{
	return (struct tg_itch_hdr){ .locate = locate, .tracking = 0, .ts_ns = g->ns };
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
	struct tg_itch_hdr h = header(g, loc);
	struct live_order *o = &g->orders[g->n_orders++];
	char sym[9];

	tg_itch_gen_symbol(loc, sym);
	*o = (struct live_order){ .ref = g->next_ref++, .price = price, .shares = shares, .locate = loc, .side = side };
	if (mpid)
		return tg_itch_enc_add_order_mpid(m, &h, o->ref, side, shares, sym, price, "TGMM");
	return tg_itch_enc_add_order(m, &h, o->ref, side, shares, sym, price);
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
	struct tg_itch_hdr h = header(g, loc);
	size_t len;

	switch (op) {
	case 0:	/* executed */
		len = tg_itch_enc_order_executed(m, &h, ref, part, g->next_match++);
		break;
	case 1: {	/* executed with price; the random draws in this order */
		uint64_t match = g->next_match++;
		char printable = below(g, 4) ? 'Y' : 'N';
		uint32_t price = o->price + (below(g, 2) ? TICK : 0);

		len = tg_itch_enc_order_executed_price(m, &h, ref, part, match, printable, price);
		break;
	}
	case 2:	/* cancel */
		len = tg_itch_enc_order_cancel(m, &h, ref, part);
		break;
	case 3:	/* delete */
		len = tg_itch_enc_order_delete(m, &h, ref);
		whole = true;
		break;
	default: {	/* replace: new reference, new price and size, same side */
		uint32_t k = ticks_away(g);
		uint32_t mid = g->mid[loc];
		uint32_t price = o->side == 'B' ? (mid > k * TICK ? mid - k * TICK : TICK) : mid + k * TICK;
		uint32_t shares = 100u * (1 + below(g, 20));
		uint64_t nref = g->next_ref++;

		len = tg_itch_enc_order_replace(m, &h, ref, nref, shares, price);
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
	struct tg_itch_hdr h = header(g, o->locate);
	size_t len = tg_itch_enc_order_executed(m, &h, o->ref, o->shares, g->next_match++);

	remove_order(g, i);
	return len;
}

size_t tg_itch_gen_next(struct tg_itch_gen *g, uint8_t *msg)
{
	uint64_t n = g->emitted++;
	unsigned r;

	g->ns += 1 + below(g, 2000);
	if (n == 0) {
		struct tg_itch_hdr h = header(g, 0);

		return tg_itch_enc_system_event(msg, &h, 'O');
	}
	if (n <= g->cfg.instruments) {	/* the stock directory */
		uint16_t loc = (uint16_t)n;
		struct tg_itch_hdr h = header(g, loc);
		struct tg_itch_stock_directory d;
		char sym[9];

		tg_itch_gen_symbol(loc, sym);
		tg_itch_stock_directory_defaults(&d, sym);
		return tg_itch_enc_stock_directory(msg, &h, &d);
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
		struct tg_itch_hdr h = header(g, loc);
		uint32_t shares = 100u * (1 + below(g, 5));
		char sym[9];

		tg_itch_gen_symbol(loc, sym);
		return tg_itch_enc_trade(msg, &h, 0, 'B', shares, sym, g->mid[loc], g->next_match++);
	}
	{	/* trading action: halt or resume */
		uint16_t loc = (uint16_t)(1 + below(g, g->cfg.instruments));
		struct tg_itch_hdr h = header(g, loc);
		char sym[9];

		tg_itch_gen_symbol(loc, sym);
		g->halted[loc] ^= 1;
		return tg_itch_enc_trading_action(msg, &h, sym, g->halted[loc] ? 'H' : 'T', "    ");
	}
}
