/*
 * The C order book: ITCH 5.0 order messages into price-level books of the
 * subscribed instruments, with the semantics the card's book shares.
 *
 *   - Orders live in one table keyed by order reference number and
 *     instrument (a message refers to an order of its own instrument),
 *     split in buckets of `ways` slots: a reference lives in bucket
 *     tg_book_bucket(ref) and nowhere else, so a lookup reads one bucket
 *     (the card reads all its ways at once). An add into a full bucket is
 *     counted (order_overflow) and its instrument is flagged not
 *     authoritative: its book may now be wrong, and says so.
 *   - Add (A, F) enters an order; an add of zero shares is counted
 *     (zero_shares) and ignored. Executed (E, C) and cancel (X) reduce an
 *     order (all of it when the shares reach its size), delete (D) removes
 *     it, replace (U) removes it and then adds the new reference with the
 *     same side. A reference the book never saw (a capture that starts
 *     mid-day) is counted and ignored.
 *   - Messages of instruments not subscribed are ignored (counted).
 *   - Each side keeps at most `depth` price levels (0: no limit). When a
 *     full side must take a new level, the worst one leaves the book, the
 *     side is marked truncated at that level's price and its orders are
 *     counted as hidden; a new level at or beyond the truncation price is
 *     hidden too. Every level kept is exact; once the hidden orders are all
 *     gone the side is whole again. A truncated side with no level left has
 *     an unknown top, which its BBO says (flags), rather than a wrong one.
 *   - After each message, a BBO event when the best bid or ask (price or
 *     size) or the BBO flags of the instrument changed; a TRADE event for
 *     E, C, P and Q with the price traded (E: the resting order's price); a
 *     HALT event when a trading action (H) changes the halted state.
 *   - Prices are ITCH fixed point (4 implied decimals); no floating point.
 *
 * The card's book (hw/rtl/tg_book.v) has exactly these semantics; the RTL
 * tests hold the two to the same events.
 */
#ifndef TICKGATE_BOOK_H
#define TICKGATE_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/result.h"

#define TG_BOOK_NO_PRICE 0u	/* empty side: price 0, size 0 */

struct tg_book_config {
	unsigned order_capacity_log2;	/* order table slots = 2^log2 (4..28) */
	unsigned ways;			/* slots per bucket, a power of two (1..capacity) */
	unsigned depth;			/* price levels kept per side; 0 = no limit */
};

/* BBO flags */
#define TG_BOOK_BBO_BID_UNKNOWN 0x1u		/* bid side truncated and no level left */
#define TG_BOOK_BBO_ASK_UNKNOWN 0x2u		/* ask side likewise */
#define TG_BOOK_BBO_NOT_AUTHORITATIVE 0x4u	/* an add of the instrument overflowed */

/* The bucket of an order reference in a table of 2^buckets_log2 buckets. */
static inline uint32_t tg_book_bucket(uint64_t ref, unsigned buckets_log2)
{
	uint32_t h = (uint32_t)ref ^ (uint32_t)(ref >> 32);

	h ^= h >> 16;
	return buckets_log2 >= 32 ? h : h & ((1u << buckets_log2) - 1u);
}

enum tg_book_event_type {
	TG_BOOK_EV_BBO = 1,
	TG_BOOK_EV_TRADE = 2,
	TG_BOOK_EV_HALT = 3,
};

struct tg_book_event {
	enum tg_book_event_type type;
	uint16_t locate;
	uint64_t timestamp;	/* exchange time of the message, ns since midnight */
	uint64_t seq;		/* MoldUDP64 sequence of the message */
	union {
		struct {
			uint32_t bid_price, bid_size, ask_price, ask_size;	/* sizes saturate */
			uint8_t flags;	/* TG_BOOK_BBO_* */
		} bbo;
		struct {
			uint32_t price;
			uint64_t shares;
			uint64_t match;
			char msg_type;	/* E, C, P or Q */
			char side;	/* B or S of the resting order; ' ' for Q */
			bool printable;
		} trade;
		struct {
			bool halted;
			char state;	/* H, P, Q or T as in the message */
		} halt;
	} u;
};

struct tg_book_stats {
	uint64_t messages;		/* messages applied to a subscribed instrument */
	uint64_t unsubscribed;		/* order messages of other instruments */
	uint64_t unknown_ref;		/* E, C, X, D, U for orders never seen */
	uint64_t duplicate_ref;		/* adds of a reference already in the book */
	uint64_t zero_shares;		/* adds of zero shares (ignored) */
	uint64_t order_overflow;	/* adds that found their bucket full */
	uint64_t orders;		/* orders in the book now */
	uint64_t bbo_events, trade_events, halt_events;
};

struct tg_book_level {
	uint32_t price;
	uint64_t shares;
	uint32_t orders;
};

typedef void (*tg_book_event_fn)(void *ctx, const struct tg_book_event *ev);

struct tg_book;

TG_API TG_MUST_CHECK int tg_book_new(const struct tg_book_config *cfg, tg_book_event_fn fn, void *ctx,
				     struct tg_book **out);
TG_API void tg_book_free(struct tg_book *book);

/* Subscribe by stock locate, or by symbol (the locate is learned from R messages). */
TG_API TG_MUST_CHECK int tg_book_subscribe_locate(struct tg_book *book, uint16_t locate);
TG_API TG_MUST_CHECK int tg_book_subscribe_symbol(struct tg_book *book, const char *symbol);

/* Apply one ITCH message (len bytes, already framed). seq labels the events. */
TG_API void tg_book_apply(struct tg_book *book, const uint8_t *msg, size_t len, uint64_t seq);

/* Best n levels of one side ('B' or 'S') of an instrument; returns how many. */
TG_API unsigned tg_book_levels(const struct tg_book *book, uint16_t locate, char side,
			       struct tg_book_level *out, unsigned n);

/* Instrument state. */
TG_API bool tg_book_authoritative(const struct tg_book *book, uint16_t locate);
TG_API bool tg_book_halted(const struct tg_book *book, uint16_t locate);
/* A side ('B' or 'S') holds orders beyond its depth. */
TG_API bool tg_book_truncated(const struct tg_book *book, uint16_t locate, char side);
/* locate of a subscribed symbol once known, else -1 */
TG_API int tg_book_locate_of(const struct tg_book *book, const char *symbol);

TG_API const struct tg_book_stats *tg_book_stats(const struct tg_book *book);

#endif
