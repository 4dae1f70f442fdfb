/*
 * The synthetic market: the simulated exchange's embedded default market,
 * which needs no data to download. A seeded agent-based order flow per
 * instrument drives the matching engine (tickgate/match.h):
 *
 *   - a fundamental price per instrument, a random walk in whole ticks
 *     (integers only: no floating point touches a price), kept above a
 *     floor and below the top of the ITCH price field by reflection;
 *   - two market makers per instrument, each quoting both sides on three
 *     levels a few ticks around the fundamental, skewing their quotes
 *     against their inventory and withdrawing a side when the inventory
 *     reaches its limit; they requote (replace, delete, add) a few
 *     microseconds after the fundamental moves or a quote fills, and
 *     refresh single quotes now and then (size changes, delete and re-add);
 *   - noise traders: Poisson arrivals of day limit orders (mostly passive,
 *     some marketable, some hidden, a few attributed to an MPID), IOC
 *     limit orders and market orders; each resting noise order lives an
 *     exponential time, then is deleted, cut (partial cancel) or replaced
 *     at a new price;
 *   - occasional sweeps: an IOC order sized to clear several levels of
 *     one side, after which the fundamental follows it;
 *   - rare trading halts of a few seconds.
 *
 * It is a discrete-event simulation on simulated time: tg_xmarket_next_ns
 * says when the next action is due and tg_xmarket_run_until performs
 * every action due up to a time, each calling the engine with its own
 * simulated timestamp. The caller maps wall time to simulated time; this
 * code never reads a clock. Floating point is used for rates only (event
 * times are drawn with a logarithm written here, not libm's), so the same
 * configuration gives the same calls to the engine, byte for byte, on
 * every machine.
 *
 * The market learns what became of its orders only from the engine's
 * events: the exchange's event dispatcher must pass every event to
 * tg_xmarket_match_event, synchronously, from inside the engine's
 * callback. Its orders carry owner TG_OWNER_MAKE(TG_OWNER_MARKET, ...)
 * (venue.h); events of other owners are ignored, except that a fill of
 * another owner's incoming order against a market order counts.
 *
 * Rate: cfg.rate is the mean number of calls into the engine (enters,
 * reduces, replaces, halts) per simulated second across the market. The
 * agents' activity scales with it (noise arrivals and quote refreshes)
 * while the price dynamics do not (fundamental moves, sweeps and halts
 * happen at fixed rates per instrument, so volatility is the same at any
 * rate). Measured: the realized rate is within 10% of cfg.rate from 100
 * calls a second per instrument up (tried to 1,000,000 a second over 16
 * instruments); below that the market makers' requotes after fundamental
 * moves (about 10 calls a second per instrument) add to it (at 10 a
 * second per instrument, twice as many calls).
 */
#ifndef TICKGATE_EXCHANGE_MARKET_SYNTH_H
#define TICKGATE_EXCHANGE_MARKET_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

#include "tickgate/match.h"
#include "tickgate/result.h"

#define TG_XMARKET_MAX_INSTRUMENTS 65535u
#define TG_XMARKET_SYMBOL_MAX 8u	/* ITCH stock field */
#define TG_XMARKET_MM_PER_INSTRUMENT 2u
#define TG_XMARKET_MM_LEVELS 3u		/* price levels each market maker quotes per side */

struct tg_xmarket_config {
	uint64_t seed;
	unsigned instruments;		/* 1..TG_XMARKET_MAX_INSTRUMENTS; locates 1..instruments */
	/*
	 * Symbols in locate order: 1..8 printable ASCII characters without
	 * spaces, all different. NULL: "TG0001", "TG0002", ...
	 */
	const char *const *symbols;
	/*
	 * Start prices in locate order, ITCH price4 (4 implied decimals),
	 * rounded to the tick. NULL, or an entry of 0: drawn from the seed,
	 * between $10 and $200.
	 */
	const uint32_t *start_prices;
	uint32_t tick;			/* price4 units; 0: 100 ($0.01) */
	double rate;			/* engine calls per simulated second, whole market; 0: 20,000 */
	uint64_t start_ns;		/* simulated time of the first action, ns since midnight */
	double halts_per_hour;		/* per instrument, simulated time; 0: 1; negative: never */
};

/* What the market asks of the engine, by kind (refused calls included). */
enum tg_xmarket_action {
	TG_XMARKET_ENTER_LIMIT,		/* day limit order, displayed */
	TG_XMARKET_ENTER_HIDDEN,	/* day limit order, hidden */
	TG_XMARKET_ENTER_IOC,		/* immediate-or-cancel limit order (not a sweep) */
	TG_XMARKET_ENTER_MARKET,	/* market order */
	TG_XMARKET_ENTER_SWEEP,		/* IOC limit order through several levels */
	TG_XMARKET_REDUCE,		/* partial cancel (tg_match_reduce to a size > 0) */
	TG_XMARKET_DELETE,		/* tg_match_reduce to 0 */
	TG_XMARKET_REPLACE,		/* tg_match_replace */
	TG_XMARKET_HALT,		/* tg_match_halt(true) */
	TG_XMARKET_RESUME,		/* tg_match_halt(false) */
	TG_XMARKET_ACTION_COUNT
};

struct tg_xmarket_counters {
	uint64_t actions[TG_XMARKET_ACTION_COUNT];
	uint64_t calls;			/* sum of actions[] */
	uint64_t mm_calls;		/* of which by market makers */
	uint64_t mpid_orders;		/* orders entered with an MPID */
	uint64_t refused;		/* calls the engine refused as it may (halted, book full) */
	uint64_t errors;		/* calls refused otherwise: a bug here or in the engine; 0 */
	uint64_t fundamental_moves;
	uint64_t fills;			/* EXECUTE events with a market order on either side */
	uint64_t filled_shares;
	uint64_t stale_events;		/* events of market orders this market no longer knows; 0 */
};

struct tg_xmarket;

/* A market driving engine m (its instruments must be at least cfg->instruments). */
TG_API TG_MUST_CHECK int tg_xmarket_new(const struct tg_xmarket_config *cfg, struct tg_match *m,
					struct tg_xmarket **out);
TG_API void tg_xmarket_free(struct tg_xmarket *mk);

/* Simulated time at which the next action is due (ns since midnight). */
TG_API uint64_t tg_xmarket_next_ns(const struct tg_xmarket *mk);

/*
 * Perform every action due at or before now_ns, in time order, each with
 * its own timestamp. TG_OK, or TG_ERR_NOMEM when the market's own tables
 * could not grow (the action is dropped; the market goes on).
 */
TG_API TG_MUST_CHECK int tg_xmarket_run_until(struct tg_xmarket *mk, uint64_t now_ns);

/* Every engine event, from inside the engine's callback (see above). */
TG_API void tg_xmarket_match_event(struct tg_xmarket *mk, const struct tg_match_event *ev);

TG_API void tg_xmarket_counters(const struct tg_xmarket *mk, struct tg_xmarket_counters *out);
TG_API const char *tg_xmarket_action_name(enum tg_xmarket_action a);

/* ---- what the market is (the feed publisher's stock directory, tests) ---- */

TG_API unsigned tg_xmarket_instruments(const struct tg_xmarket *mk);
/* NUL-terminated symbol of a locate (1..instruments), or NULL. */
TG_API const char *tg_xmarket_symbol(const struct tg_xmarket *mk, uint16_t locate);
TG_API uint32_t tg_xmarket_tick(const struct tg_xmarket *mk);
/* The fundamental price now, price4; 0 for no such locate. */
TG_API uint32_t tg_xmarket_fundamental(const struct tg_xmarket *mk, uint16_t locate);
/* Signed shares held by market maker mm (0..TG_XMARKET_MM_PER_INSTRUMENT-1) of a locate. */
TG_API int64_t tg_xmarket_mm_inventory(const struct tg_xmarket *mk, uint16_t locate, unsigned mm);
/*
 * The bound on |inventory| of that market maker: it stops buying
 * (selling) at its limit, and can overshoot it by at most the shares it
 * quotes on one side.
 */
TG_API int64_t tg_xmarket_mm_inventory_bound(const struct tg_xmarket *mk, uint16_t locate, unsigned mm);

#endif
