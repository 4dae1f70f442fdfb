/*
 * The capture-replay market of the simulated exchange: a historical ITCH
 * 5.0 capture drives the book, and the appliance's own orders join it,
 * queue behind the volume displayed ahead of them and fill when the
 * replay's executions reach them. The full-fidelity backtest substrate.
 *
 * Reading. A pcap (Ethernet, 802.1Q, IPv4, UDP, MoldUDP64: through the
 * project's decoder, sw/feed.c, frame by frame) or a Nasdaq binary ITCH
 * file (2-byte length prefixes; the type's specified length wins over a
 * wrong prefix, exactly as tg_feed_file). The file is streamed, never
 * loaded whole: a full day is gigabytes. Without a decoder configuration
 * the pcap is decoded in capture-analysis mode (no sequencing, no port
 * filter, zero IP checksums accepted), which every capture in
 * ../shared/data/omi needs; give one with seq_check on to merge an A/B
 * capture (duplicates dropped).
 *
 * Symbols. The locate -> symbol map comes from the capture's stock
 * directory (R) messages; for a capture that starts mid-day without them,
 * from the caller (config.locates), and else it is inferred from any
 * message that names its stock next to its locate (H, Y, L, I, J, K, h,
 * N, O, P, Q, and every add order: A, F). An R message always wins; the
 * others teach a locate not known yet. With a symbol filter, a message
 * whose locate is known to be another symbol's, or is not known at all
 * (only E, C, X, D, U and B can name a locate before any message named its
 * symbol, and those refer to orders added before the capture starts, which
 * the book could not use anyway), is skipped: not replayed, not passed
 * out, not timed, counted in `filtered`. Messages of locate 0 (system
 * events, MWCB) always pass.
 *
 * Pacing. Simulated time is the capture's own ITCH timestamps
 * (nanoseconds since midnight, the time base of tg_match's ts_ns); the
 * pcap's capture times are not used. There is no clock inside: the caller
 * maps wall time to simulated time (and may run faster than real time),
 * asks tg_xreplay_next_ns() when the next message is due and calls
 * tg_xreplay_run_until(now). A message stamped earlier than one already
 * replayed (captures merged from several sources) is due at once: the
 * replay's time never goes backwards (next_ns is the maximum of the
 * message's timestamp and the last time replayed).
 *
 * Republishing. Every replayed message goes to config.message as the raw
 * ITCH bytes of the capture, unchanged: locates, tracking numbers,
 * timestamps and order reference numbers are NOT rewritten. The locates
 * are the venue's instrument numbers (an appliance order's instrument is
 * the capture's locate, which the appliance learns from the republished
 * feed itself), the timestamps are the simulated clock (the appliance's
 * own events carry times on the same base), and rewriting references would
 * only make the republished feed disagree with the capture. MoldUDP64
 * framing and sequence numbers are the publisher's own. The callback comes
 * before the message is applied to the book; the events it causes follow
 * it.
 *
 * The historical book. Per order: reference -> instrument, side, price,
 * shares, arrival sequence (and the shares the appliance took from it,
 * below); per price level the displayed total, oldest first. E, C, X, D
 * and U of orders never seen (a capture starting mid-day) are counted
 * (unknown_ref) and ignored, and so are adds of zero shares (zero_shares)
 * and of a reference already resting (duplicate_ref). An execution or
 * cancel of more shares than the order has takes all it has. P (hidden
 * executions: Nasdaq has sent 'B' as their side whatever it was since
 * 2014, as every P in ../shared/data/omi says, so they cannot tell which
 * appliance orders they would reach), Q (crosses: the orders they fill
 * come as C messages) and B (broken trades) are passed out and change
 * nothing.
 *
 * Reference numbers. The appliance's orders get references from
 * TG_XREPLAY_REF_BASE (2^62) up, and its fills get match numbers from
 * TG_XREPLAY_MATCH_BASE (2^62) up. Nasdaq numbers references and matches
 * from 1 each day and a day holds some 10^9 of them, far below 2^62, so
 * the two never collide on the republished feed; a capture reference at
 * or above the base (never seen in a real capture) is counted in
 * ref_collisions; the venue still works, its tables being separate. 2^62
 * rather than 2^63 so that a consumer that reads them as signed 64-bit
 * integers sees them positive.
 *
 * The appliance's orders (the venue: tg_venue_of_replay, or the
 * tg_xreplay_enter/_reduce/_replace/_halted calls, with tg_match's meaning
 * and results):
 *
 *   - Taking liquidity. An incoming order first fills against the
 *     historical displayed opposite side while its limit allows (a market
 *     order: any price), best price first, oldest order first at each
 *     price, every fill at the historical order's price, at most the
 *     shares displayed. Liquidity taken stays taken: each historical order
 *     remembers the shares the appliance took from it, and only the rest
 *     (shares - taken) is available to the next appliance order. The taken
 *     shares come back only when the replay removes the order (delete,
 *     full execution) or refreshes it (a replace, U, gives a new order with
 *     nothing taken); when the replay reduces an order (X, E, C) the
 *     taken shares stay taken as long as the order still has them (taken =
 *     min(taken, shares left)), so liquidity is never counted twice. The
 *     replayed book itself is not changed: no market impact.
 *   - Resting. The remainder of a day limit order rests at its price level
 *     with queue_ahead = the historical displayed shares at that level
 *     when it arrives (shares the appliance took count: they are still in
 *     the historical book; the appliance's own orders at the level are
 *     ahead of it by time, and are served first, but do not count in
 *     queue_ahead). The remainder of an IOC or market order expires
 *     (EXPIRE).
 *   - The replay moves it up. A historical cancel (X), delete (D) or the
 *     old half of a replace (U) of an order that arrived before it, at its
 *     level, lowers queue_ahead by the shares removed; orders that arrived
 *     after it do not count. queue_ahead never exceeds the level's
 *     displayed total.
 *   - The replay fills it. A historical execution (E, or C: at the
 *     executed order's level) of X shares at price p on side S flows like
 *     an aggressor of X shares: first through the appliance orders on S
 *     priced better than p (the market traded through them: they fill
 *     whatever their queue), best price first; then through the level p
 *     in time order: each appliance order's queue_ahead is consumed first
 *     and then the order fills, partially or fully. Volume that fills an
 *     appliance order is not available to the orders behind it. When the
 *     capture executes an order that arrived after the appliance order
 *     while queue_ahead is still above 0 (the capture's priority is not
 *     strict time priority: reserve refreshes, crosses), the execution
 *     still consumes queue_ahead first; the orders ahead keep their shares
 *     in the historical book, and their later cancels lower queue_ahead
 *     again, floored at 0.
 *   - The replay crosses it. A historical add (A, F, or the new half of a
 *     U) at a price that crosses resting appliance orders of the other
 *     side (a day order whose remainder rested through the displayed
 *     liquidity it could take) fills them at once, best first, at the
 *     appliance order's price, up to the new order's shares, which it
 *     takes (as above).
 *   - Hidden appliance orders queue like displayed ones, and displayed
 *     historical orders that arrive later at their level go ahead of them
 *     (queue_ahead grows), as Nasdaq ranks displayed before non-displayed.
 *   - The appliance's orders never trade with each other: only with the
 *     replayed market. They are not entered into the replayed book.
 *   - Reduce keeps the queue position. Replace follows Nasdaq's rules
 *     (tg_match_replace's): same price, same display and fewer or equal
 *     shares is a reduce (same reference, queue_ahead kept); anything else
 *     is a new order under a new reference at the back of its level
 *     (queue_ahead = the level's displayed total now), which may take
 *     liquidity at once like any incoming order.
 *   - Halts: a trading action (H) with a state other than 'T' halts its
 *     instrument (as the C book): enter and replace are refused with
 *     TG_ERR_STATE, reduce still works. No HALT event is reported: the H
 *     message itself goes out through the message callback.
 *   - With a symbol filter, orders for a locate not known to be one of
 *     the filter's symbols are refused with TG_ERR_ARG.
 *   - The venue never advances the replay itself: run the replay up to
 *     the order's time before entering it.
 *
 * Events (struct tg_match_event, with match.h's meaning of every field),
 * only about the appliance's orders (the capture's own changes go out as
 * raw ITCH):
 *
 *   - ADD: the remainder of an incoming order rests.
 *   - EXECUTE, the appliance order resting (filled by the replay): ref,
 *     owner, side, hidden, price (its own limit: every fill is at the
 *     resting price), shares, remaining, mpid are the appliance order's;
 *     aggressor_owner is TG_OWNER_MAKE(TG_OWNER_REPLAY, 0); aggressor_ref
 *     is the historical order that crossed it (a crossing add), or 0 for a
 *     replayed execution (ITCH does not name the aggressor).
 *   - EXECUTE, the appliance order incoming (taking liquidity): the
 *     resting order is the historical one, so ref is its reference, owner
 *     TG_OWNER_MAKE(TG_OWNER_REPLAY, 0), side and price its own, remaining
 *     the shares it still has available to the appliance; aggressor_ref
 *     and aggressor_owner are the appliance order's (its new reference for
 *     a replace), exactly as tg_match reports an incoming order's fills.
 *     An order-entry server that answers tg_match's events (its order as
 *     owner or as aggressor_owner) answers these unchanged (the appliance
 *     order removed liquidity). hidden is true: the fill must not show on
 *     the feed as an execution of the historical order, whose shares the
 *     capture's own messages keep describing (no market impact); a feed
 *     publisher that follows tg_match's events prints it as a
 *     non-displayed trade (P), which leaves every receiver's book as the
 *     capture has it. A publisher must not publish other events whose
 *     owner is TG_OWNER_REPLAY (there are none).
 *   - CANCEL (reduce, replace down, a fully filled replace), REPLACE,
 *     EXPIRE: as tg_match.
 *   - Match numbers increase from TG_XREPLAY_MATCH_BASE + 1; ts_ns is the
 *     time of the call for the venue's calls, and the replayed message's
 *     time (as next_ns gave it) for fills the replay causes.
 *
 * The event callback may call only the query functions; venue calls from
 * inside it are refused with TG_ERR_STATE, and so are replay calls.
 */
#ifndef TICKGATE_EXCHANGE_MARKET_REPLAY_H
#define TICKGATE_EXCHANGE_MARKET_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/feed.h"
#include "tickgate/match.h"
#include "venue.h"

#define TG_XREPLAY_REF_BASE (1ull << 62)
#define TG_XREPLAY_MATCH_BASE (1ull << 62)
#define TG_XREPLAY_NO_TIME UINT64_MAX	/* next_ns at the end of the capture */

/* A locate -> symbol mapping given by the caller. */
struct tg_xreplay_locate {
	uint16_t locate;
	const char *symbol;	/* up to 8 characters */
};

struct tg_xreplay_config {
	const char *path;			/* pcap (MoldUDP64) or binary ITCH file */
	const struct tg_feed_config *feed;	/* pcap decoding; NULL: capture-analysis mode */
	const char *const *symbols;		/* symbol filter; n_symbols 0: every instrument */
	unsigned n_symbols;
	const struct tg_xreplay_locate *locates;	/* for captures without stock directory messages */
	unsigned n_locates;
	/* every replayed message, raw, with its time (as next_ns gave it); may be NULL */
	void (*message)(void *ctx, const uint8_t *msg, size_t len, uint64_t ts_ns);
	tg_match_event_fn event;		/* the appliance's orders; may be NULL */
	void *ctx;				/* for both callbacks */
};

/* How the replay filled an appliance order (counters). */
enum tg_xreplay_fill {
	TG_XREPLAY_FILL_TAKE,		/* incoming, against displayed historical liquidity */
	TG_XREPLAY_FILL_QUEUE,		/* resting, reached by executions at its level */
	TG_XREPLAY_FILL_THROUGH,	/* resting, an execution at a worse price traded through it */
	TG_XREPLAY_FILL_CROSS,		/* resting, a historical add crossed it */
	TG_XREPLAY_FILL_KINDS
};

struct tg_xreplay_stats {
	uint64_t messages;		/* replayed (passed out and applied) */
	uint64_t by_type[256];		/* replayed, per type byte */
	uint64_t filtered;		/* skipped: another symbol's */
	uint64_t unknown_ref;		/* E, C, X, D, U of orders the replay never saw */
	uint64_t duplicate_ref;		/* adds of a reference already resting */
	uint64_t zero_shares;		/* adds of zero shares */
	uint64_t ref_collisions;	/* capture references at or above TG_XREPLAY_REF_BASE */
	uint64_t book_nomem;		/* adds the book had no memory for (ignored) */
	uint64_t historical_orders;	/* resting in the historical book now */
	uint64_t app_orders;		/* appliance orders entered (refused ones not counted) */
	uint64_t app_replaces;		/* replaces that gave a new reference */
	uint64_t app_reduces;		/* reduces, and replaces that were reduces */
	uint64_t app_refused_halted;	/* enter or replace refused: halted */
	uint64_t app_resting;		/* appliance orders resting now */
	uint64_t fills;			/* EXECUTE events about appliance orders */
	uint64_t shares_filled;
	uint64_t fills_by[TG_XREPLAY_FILL_KINDS];
	uint64_t shares_by[TG_XREPLAY_FILL_KINDS];
};

struct tg_xreplay;

/*
 * Open cfg->path (the callbacks and filter are copied; the strings too).
 * TG_ERR_ARG for a bad configuration, TG_ERR_NOENT / TG_ERR_IO when the
 * file cannot be read (err says why, naming the file), TG_ERR_NOMEM.
 */
TG_MUST_CHECK int tg_xreplay_open(const struct tg_xreplay_config *cfg, struct tg_xreplay **out, char *err,
				  size_t errlen);
void tg_xreplay_close(struct tg_xreplay *x);

/*
 * Simulated time at which the next message is due (reads ahead as far as
 * the next message to replay); TG_XREPLAY_NO_TIME at the end of the
 * capture, or after a read error.
 */
uint64_t tg_xreplay_next_ns(struct tg_xreplay *x);

/*
 * Replay every message due at or before now_ns. *replayed (may be NULL)
 * gets how many. TG_OK; TG_ERR_IO when the file turned out damaged
 * (tg_xreplay_error says where; the messages before it were replayed);
 * TG_ERR_STATE from inside a callback.
 */
TG_MUST_CHECK int tg_xreplay_run_until(struct tg_xreplay *x, uint64_t now_ns, uint64_t *replayed);

/* Replay the next message whatever its time: 1, 0 at the end, or an error as run_until. */
TG_MUST_CHECK int tg_xreplay_step(struct tg_xreplay *x);

/* The capture is over (every message replayed) or unreadable. */
bool tg_xreplay_done(struct tg_xreplay *x);

/* The read error, or "" */
const char *tg_xreplay_error(const struct tg_xreplay *x);

/* ---- the appliance's orders: tg_match_enter, _reduce, _replace, _halted semantics ---- */

TG_MUST_CHECK int tg_xreplay_enter(struct tg_xreplay *x, const struct tg_match_order *o, uint64_t ts_ns,
				   uint64_t *ref);
TG_MUST_CHECK int tg_xreplay_reduce(struct tg_xreplay *x, uint64_t ref, uint32_t shares, uint64_t ts_ns);
TG_MUST_CHECK int tg_xreplay_replace(struct tg_xreplay *x, uint64_t ref, uint32_t shares, uint32_t price,
				     bool hidden, uint64_t ts_ns, uint64_t *new_ref);
bool tg_xreplay_halted(const struct tg_xreplay *x, uint16_t instrument);

/* The replay as a venue for the order-entry server. */
void tg_venue_of_replay(struct tg_venue *v, struct tg_xreplay *x);

/* ---- queries ---- */

/* A resting appliance order. TG_OK, or TG_ERR_NOENT. */
struct tg_xreplay_resting {
	uint16_t instrument;
	char side;
	bool hidden;
	uint32_t shares;	/* open */
	uint32_t price;
	uint64_t owner;
	uint64_t queue_ahead;	/* historical displayed shares still ahead of it */
};
TG_MUST_CHECK int tg_xreplay_order(const struct tg_xreplay *x, uint64_t ref, struct tg_xreplay_resting *out);

/* Level `index` (0 = best) of a side of the historical book. TG_ERR_NOENT past the last. */
struct tg_xreplay_level {
	uint32_t price;
	uint64_t shares;	/* displayed */
	uint64_t available;	/* displayed less what the appliance took */
	uint32_t orders;
};
TG_MUST_CHECK int tg_xreplay_level(const struct tg_xreplay *x, uint16_t instrument, char side, unsigned index,
				   struct tg_xreplay_level *out);

/* The locate of a symbol once known, else -1. */
int tg_xreplay_locate_of(const struct tg_xreplay *x, const char *symbol);

const struct tg_xreplay_stats *tg_xreplay_stats(const struct tg_xreplay *x);

/* The decoder's counters for the part of the file read so far (binary ITCH files: messages,
 * by_type, unknown_type, length_prefix_fixed). */
const struct tg_feed_stats *tg_xreplay_feed_stats(const struct tg_xreplay *x);

#endif
