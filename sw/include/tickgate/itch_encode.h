/*
 * ITCH 5.0 message encoders: one function per message type an exchange
 * built on libtickgate publishes (the simulated exchange's feed, the seeded
 * generator). Offsets and lengths come from the generated layout
 * (tickgate/itch50_defs.h, from hw/spec/itch50.yaml), so the encoders and
 * the decoder table cannot disagree.
 *
 * Every encoder writes the whole message, every byte of its specified
 * length (the buffer needs at least that many, TG_ITCH_MAX_LEN always
 * suffices): the type byte, the common header (stock locate, tracking
 * number, 6-byte timestamp in ns since midnight) and every field, and
 * returns the length. Nothing is checked: the values are written as given
 * (integers big-endian, truncated to the field's width), which is what
 * lets a test build a message with any value in any field.
 *
 * Alpha fields (stock, MPID, reason, issue sub-type) take a C string: at
 * most the field's width of characters are copied, up to a NUL, and the
 * rest is padded with spaces, so both "AAPL" and a fixed char[4] MPID
 * without a terminator work. NULL means all spaces.
 */
#ifndef TICKGATE_ITCH_ENCODE_H
#define TICKGATE_ITCH_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "tickgate/itch50_defs.h"
#include "tickgate/result.h"

/* The common header of every message. */
struct tg_itch_hdr {
	uint16_t locate;	/* stock locate (0 for messages about no instrument) */
	uint16_t tracking;	/* tracking number */
	uint64_t ts_ns;		/* ns since midnight; the low 48 bits are written */
};

/* Big-endian unsigned integer of n (1..8) bytes: the low n bytes of v. */
static inline void tg_itch_put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* An alpha field of n bytes from s (see above). */
TG_API void tg_itch_put_alpha(uint8_t *dst, const char *s, size_t n);

/* Type byte and common header; the fields are the caller's. Returns TG_ITCH_HDR_LEN. */
TG_API size_t tg_itch_enc_header(uint8_t *m, char type, const struct tg_itch_hdr *h);

/* S System Event: event_code 'O', 'S', 'Q', 'M', 'E' or 'C'. */
TG_API size_t tg_itch_enc_system_event(uint8_t *m, const struct tg_itch_hdr *h, char event_code);

/* Every field of R Stock Directory. */
struct tg_itch_stock_directory {
	const char *stock;		/* 8 */
	char market_category;
	char financial_status;
	uint32_t round_lot_size;
	char round_lots_only;
	char issue_classification;
	const char *issue_sub_type;	/* 2 */
	char authenticity;
	char short_sale_threshold;
	char ipo_flag;
	char luld_tier;
	char etp_flag;
	uint32_t etp_leverage_factor;
	char inverse_indicator;
};

/*
 * A plain common stock for a test market: Nasdaq Global Select ('Q'),
 * normal ('N'), round lot 100, odd lots allowed ('N'), common stock ('C'),
 * sub-type "Z" (not applicable), production ('P'), not restricted ('N'),
 * IPO flag ' ', LULD tier '1', not an ETP ('N', factor 0, 'N').
 */
TG_API void tg_itch_stock_directory_defaults(struct tg_itch_stock_directory *d, const char *stock);

/* R Stock Directory. */
TG_API size_t tg_itch_enc_stock_directory(uint8_t *m, const struct tg_itch_hdr *h,
					  const struct tg_itch_stock_directory *d);

/* H Stock Trading Action: state 'H', 'P', 'Q' or 'T'; the reserved byte is a space; reason 4. */
TG_API size_t tg_itch_enc_trading_action(uint8_t *m, const struct tg_itch_hdr *h, const char *stock, char state,
					 const char *reason);

/* A Add Order (no MPID attribution): side 'B' or 'S', price with 4 implied decimals. */
TG_API size_t tg_itch_enc_add_order(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, char side,
				    uint32_t shares, const char *stock, uint32_t price);

/* F Add Order with MPID attribution (mpid: 4). */
TG_API size_t tg_itch_enc_add_order_mpid(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, char side,
					 uint32_t shares, const char *stock, uint32_t price, const char *mpid);

/* E Order Executed (at the order's own price). */
TG_API size_t tg_itch_enc_order_executed(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, uint32_t shares,
					 uint64_t match);

/* C Order Executed With Price: printable 'Y' or 'N'. */
TG_API size_t tg_itch_enc_order_executed_price(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref,
					       uint32_t shares, uint64_t match, char printable, uint32_t price);

/* X Order Cancel: shares canceled (the order keeps the rest). */
TG_API size_t tg_itch_enc_order_cancel(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, uint32_t shares);

/* D Order Delete. */
TG_API size_t tg_itch_enc_order_delete(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref);

/* U Order Replace: the original order leaves the book, the new one (same side and stock) enters. */
TG_API size_t tg_itch_enc_order_replace(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, uint64_t new_ref,
					uint32_t shares, uint32_t price);

/*
 * P Trade (Non-Cross): an execution against a non-displayed order. Nasdaq
 * today publishes ref 0 and side 'B' whatever the resting order; that is
 * the caller's choice here.
 */
TG_API size_t tg_itch_enc_trade(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, char side, uint32_t shares,
				const char *stock, uint32_t price, uint64_t match);

#endif
