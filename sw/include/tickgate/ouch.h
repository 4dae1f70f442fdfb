/*
 * Nasdaq OUCH 5.0 order-entry messages: structs, a byte-exact encoder and
 * decoder for every message of the specification, the optional appendage
 * (TagValue options), a one-line text form and builders for the three
 * messages the card sends (Enter, Replace, Cancel).
 *
 * A message is a type byte then big-endian fields at fixed offsets; some
 * types end with a 2-byte Appendage Length and that many bytes of options,
 * each an option length byte (tag + value bytes), a tag byte and the value.
 * Prices are 8 bytes with 4 implied decimals, Timestamp is 8 bytes of
 * nanoseconds since midnight, Symbol and ClOrdID are ASCII padded on the
 * right with spaces. Type letters are reused across directions ('U' is
 * Replace Order inbound and Order Replaced outbound), so every call names
 * the direction.
 *
 * The decoder keeps alpha fields and the appendage as the raw bytes it was
 * given, so decode then encode gives back the same bytes. It refuses, with
 * a result code and without reading past len: a short message (TG_ERR_SHORT),
 * an unknown type (TG_ERR_MSGTYPE), an appendage longer than the message or
 * than TG_OUCH_APPENDAGE_MAX (TG_ERR_APPENDAGE), an option that is empty or
 * runs past the appendage (TG_ERR_OPTION), bytes after the message's end
 * (TG_ERR_LENGTH). See docs/ouch.md for the layouts.
 */
#ifndef TICKGATE_OUCH_H
#define TICKGATE_OUCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/result.h"

#define TG_OUCH_SYMBOL_LEN 8u
#define TG_OUCH_CLORDID_LEN 14u
#define TG_OUCH_PRICE_SCALE 10000u	/* 4 implied decimals */
/*
 * The longest appendage kept. The wire allows 65535 bytes, but every
 * option the specification defines fits in 10 bytes and there are fewer
 * than 30 of them; 512 keeps a message struct small and fixed-size.
 */
#define TG_OUCH_APPENDAGE_MAX 512u
#define TG_OUCH_MAX_MSG 1024u		/* longest encoded message this library makes */
#define TG_OUCH_TEXT_MAX 1024u		/* enough for tg_ouch_format of any message */

enum tg_ouch_dir {
	TG_OUCH_IN,	/* inbound: client to exchange */
	TG_OUCH_OUT,	/* outbound: exchange to client */
};

/* One value per message of the specification, inbound first. */
enum tg_ouch_kind {
	TG_OUCH_ENTER_ORDER,		/* in  'O' */
	TG_OUCH_REPLACE_ORDER,		/* in  'U' */
	TG_OUCH_CANCEL_ORDER,		/* in  'X' */
	TG_OUCH_MODIFY_ORDER,		/* in  'M' */
	TG_OUCH_ACCOUNT_QUERY,		/* in  'Q' */
	TG_OUCH_SYSTEM_EVENT,		/* out 'S' */
	TG_OUCH_ORDER_ACCEPTED,		/* out 'A' */
	TG_OUCH_ORDER_REPLACED,		/* out 'U' */
	TG_OUCH_ORDER_CANCELED,		/* out 'C' */
	TG_OUCH_AIQ_CANCELED,		/* out 'D' */
	TG_OUCH_ORDER_EXECUTED,		/* out 'E' */
	TG_OUCH_BROKEN_TRADE,		/* out 'B' */
	TG_OUCH_ORDER_REJECTED,		/* out 'J' */
	TG_OUCH_CANCEL_PENDING,		/* out 'P' */
	TG_OUCH_CANCEL_REJECT,		/* out 'I' */
	TG_OUCH_PRIORITY_UPDATE,	/* out 'T' */
	TG_OUCH_ORDER_MODIFIED,		/* out 'M' */
	TG_OUCH_ORDER_RESTATED,		/* out 'R' */
	TG_OUCH_ACCOUNT_QUERY_RESPONSE,	/* out 'Q' */
	TG_OUCH_KIND_COUNT
};

/* The optional appendage, as its raw bytes (tg_ouch_opt_* read and build it). */
struct tg_ouch_appendage {
	uint16_t len;
	uint8_t bytes[TG_OUCH_APPENDAGE_MAX];
};

/* Inbound. */
struct tg_ouch_enter_order {
	uint32_t user_ref_num;
	char side;		/* B buy, S sell, T sell short, E sell short exempt */
	uint32_t quantity;
	char symbol[TG_OUCH_SYMBOL_LEN];
	uint64_t price;
	char tif;		/* 0 day, 3 IOC, 5 GTX, 6 GTT, E after hours */
	char display;		/* Y visible, N hidden, A attributable */
	char capacity;		/* A agency, P principal, R riskless, O other */
	char ise;		/* intermarket sweep eligibility: Y, N */
	char cross_type;	/* N continuous, O opening, C closing, H halt/IPO, ... */
	char clordid[TG_OUCH_CLORDID_LEN];
	struct tg_ouch_appendage app;
};

struct tg_ouch_replace_order {
	uint32_t orig_user_ref_num;
	uint32_t user_ref_num;
	uint32_t quantity;
	uint64_t price;
	char tif;
	char display;
	char ise;
	char clordid[TG_OUCH_CLORDID_LEN];
	struct tg_ouch_appendage app;
};

struct tg_ouch_cancel_order {
	uint32_t user_ref_num;
	uint32_t quantity;	/* the quantity to leave on the order; 0 cancels it */
};

struct tg_ouch_modify_order {
	uint32_t user_ref_num;
	char side;
	uint32_t quantity;
};

/* Outbound. */
struct tg_ouch_system_event {
	uint64_t timestamp;
	char event_code;	/* S start of day, E end of day */
};

struct tg_ouch_order_accepted {
	uint64_t timestamp;
	uint32_t user_ref_num;
	char side;
	uint32_t quantity;
	char symbol[TG_OUCH_SYMBOL_LEN];
	uint64_t price;
	char tif;
	char display;
	uint64_t order_ref_num;
	char capacity;
	char ise;
	char cross_type;
	char order_state;	/* L live, D dead */
	char clordid[TG_OUCH_CLORDID_LEN];
	struct tg_ouch_appendage app;
};

struct tg_ouch_order_replaced {
	uint64_t timestamp;
	uint32_t orig_user_ref_num;
	uint32_t user_ref_num;
	char side;
	uint32_t quantity;
	char symbol[TG_OUCH_SYMBOL_LEN];
	uint64_t price;
	char tif;
	char display;
	uint64_t order_ref_num;
	char capacity;
	char ise;
	char cross_type;
	char order_state;
	char clordid[TG_OUCH_CLORDID_LEN];
	struct tg_ouch_appendage app;
};

struct tg_ouch_order_canceled {
	uint64_t timestamp;
	uint32_t user_ref_num;
	uint32_t quantity;	/* decrement */
	char reason;
};

struct tg_ouch_aiq_canceled {
	uint64_t timestamp;
	uint32_t user_ref_num;
	uint32_t decrement_shares;
	char reason;
	uint32_t quantity_prevented;	/* QuantityPreventedFromTrading */
	uint64_t execution_price;
	char liquidity_flag;
	char aiq_strategy;
};

struct tg_ouch_order_executed {
	uint64_t timestamp;
	uint32_t user_ref_num;
	uint32_t quantity;
	uint64_t price;
	char liquidity_flag;
	uint64_t match_number;
	struct tg_ouch_appendage app;
};

struct tg_ouch_broken_trade {
	uint64_t timestamp;
	uint32_t user_ref_num;
	uint64_t match_number;
	char reason;
	char clordid[TG_OUCH_CLORDID_LEN];
};

struct tg_ouch_order_rejected {
	uint64_t timestamp;
	uint32_t user_ref_num;
	uint16_t reason;	/* numeric reject code */
	char clordid[TG_OUCH_CLORDID_LEN];
};

/* Cancel Pending and Cancel Reject carry the same two fields. */
struct tg_ouch_order_ref {
	uint64_t timestamp;
	uint32_t user_ref_num;
};

struct tg_ouch_priority_update {
	uint64_t timestamp;
	uint32_t user_ref_num;
	uint64_t price;
	char display;
	uint64_t order_ref_num;
};

struct tg_ouch_order_modified {
	uint64_t timestamp;
	uint32_t user_ref_num;
	char side;
	uint32_t quantity;
};

struct tg_ouch_order_restated {
	uint64_t timestamp;
	uint32_t user_ref_num;
	char reason;
	struct tg_ouch_appendage app;
};

struct tg_ouch_account_query_response {
	uint64_t timestamp;
	uint32_t next_user_ref_num;
};

struct tg_ouch_msg {
	enum tg_ouch_kind kind;
	union {
		struct tg_ouch_enter_order enter;
		struct tg_ouch_replace_order replace;
		struct tg_ouch_cancel_order cancel;
		struct tg_ouch_modify_order modify;
		/* Account Query Request has no field but its type */
		struct tg_ouch_system_event system_event;
		struct tg_ouch_order_accepted accepted;
		struct tg_ouch_order_replaced replaced;
		struct tg_ouch_order_canceled canceled;
		struct tg_ouch_aiq_canceled aiq_canceled;
		struct tg_ouch_order_executed executed;
		struct tg_ouch_broken_trade broken;
		struct tg_ouch_order_rejected rejected;
		struct tg_ouch_order_ref cancel_pending;
		struct tg_ouch_order_ref cancel_reject;
		struct tg_ouch_priority_update priority;
		struct tg_ouch_order_modified modified;
		struct tg_ouch_order_restated restated;
		struct tg_ouch_account_query_response query_response;
	} u;
};

/* The kind of type byte t in direction dir, or -1 for a type OUCH 5.0 does not define. */
TG_API int tg_ouch_kind_of(enum tg_ouch_dir dir, uint8_t t);

/* The type byte, direction and name ("Enter Order") of a kind; 0 / NULL for a bad kind. */
TG_API char tg_ouch_kind_type(enum tg_ouch_kind kind);
TG_API enum tg_ouch_dir tg_ouch_kind_dir(enum tg_ouch_kind kind);
TG_API const char *tg_ouch_kind_name(enum tg_ouch_kind kind);

/*
 * The fixed length of type t in direction dir: every byte up to and with
 * the Appendage Length field where it has one, so the whole message is
 * that plus the appendage. 0 for an unknown type.
 */
TG_API size_t tg_ouch_fixed_len(enum tg_ouch_dir dir, uint8_t t);

/* The name of type t in direction dir ("Order Accepted"), "unknown" for others. */
TG_API const char *tg_ouch_name(enum tg_ouch_dir dir, uint8_t t);

/* Whether messages of this kind end with an appendage. */
TG_API bool tg_ouch_has_appendage(enum tg_ouch_kind kind);

/*
 * Decode the message of len bytes at buf (exactly one message: an OUCH
 * message is the payload of one SoupBinTCP packet) into *m. Returns TG_OK
 * or a result code as listed at the top of this file; *m is undefined then.
 */
TG_API TG_MUST_CHECK int tg_ouch_decode(enum tg_ouch_dir dir, const uint8_t *buf, size_t len,
					struct tg_ouch_msg *m);

/* Bytes tg_ouch_encode writes for m, 0 when m is not encodable. */
TG_API size_t tg_ouch_encoded_len(const struct tg_ouch_msg *m);

/*
 * Encode m into out (cap bytes). Returns the length written, or TG_ERR_ARG
 * (bad kind, cap too small, appendage longer than TG_OUCH_APPENDAGE_MAX)
 * or TG_ERR_OPTION (appendage options not framed); nothing is written then.
 */
TG_API TG_MUST_CHECK int tg_ouch_encode(const struct tg_ouch_msg *m, uint8_t *out, size_t cap);

/*
 * Builders for what the card sends. symbol (1..8 characters) and clordid
 * (0..14) are printable ASCII and get padded with spaces; the appendage
 * starts empty (add options with tg_ouch_opt_add*). TG_ERR_ARG when a text
 * is too long or not printable; *m is untouched then.
 */
TG_API TG_MUST_CHECK int tg_ouch_enter_order(struct tg_ouch_msg *m, uint32_t user_ref_num, char side,
					     uint32_t quantity, const char *symbol, uint64_t price, char tif,
					     char display, char capacity, char ise, char cross_type,
					     const char *clordid);
TG_API TG_MUST_CHECK int tg_ouch_replace_order(struct tg_ouch_msg *m, uint32_t orig_user_ref_num,
					       uint32_t user_ref_num, uint32_t quantity, uint64_t price,
					       char tif, char display, char ise, const char *clordid);
TG_API void tg_ouch_cancel_order(struct tg_ouch_msg *m, uint32_t user_ref_num, uint32_t quantity);

/* The appendage of m, NULL for a kind without one. */
TG_API struct tg_ouch_appendage *tg_ouch_msg_appendage(struct tg_ouch_msg *m);
TG_API const struct tg_ouch_appendage *tg_ouch_msg_appendage_c(const struct tg_ouch_msg *m);

/*
 * One line of text for m: the kind's name, then every field as name=value
 * in wire order; prices with 4 decimals, timestamps as HH:MM:SS.nnnnnnnnn,
 * alpha fields without their padding (other bytes than printable ASCII as
 * \xNN), options as Name=value. Returns the characters it wanted to write
 * (snprintf rules; TG_OUCH_TEXT_MAX is always enough).
 */
TG_API int tg_ouch_format(const struct tg_ouch_msg *m, char *buf, size_t cap);

/* ---- appendage options ---- */

/* Option tags of OUCH 5.0 (Appendix A of the specification). */
enum tg_ouch_tag {
	TG_OUCH_TAG_SECONDARY_ORD_REF_NUM = 1,
	TG_OUCH_TAG_FIRM = 2,
	TG_OUCH_TAG_MIN_QTY = 3,
	TG_OUCH_TAG_CUSTOMER_TYPE = 4,
	TG_OUCH_TAG_MAX_FLOOR = 5,
	TG_OUCH_TAG_PRICE_TYPE = 6,
	TG_OUCH_TAG_PEG_OFFSET = 7,
	TG_OUCH_TAG_DISCRETION_PRICE = 9,
	TG_OUCH_TAG_DISCRETION_PRICE_TYPE = 10,
	TG_OUCH_TAG_DISCRETION_PEG_OFFSET = 11,
	TG_OUCH_TAG_POST_ONLY = 12,
	TG_OUCH_TAG_RANDOM_RESERVES = 13,
	TG_OUCH_TAG_ROUTE = 14,
	TG_OUCH_TAG_EXPIRE_TIME = 15,
	TG_OUCH_TAG_TRADE_NOW = 16,
	TG_OUCH_TAG_HANDLE_INST = 17,
	TG_OUCH_TAG_BBO_WEIGHT_INDICATOR = 18,
	TG_OUCH_TAG_REFERENCE_PRICE = 19,
	TG_OUCH_TAG_REFERENCE_PRICE_TYPE = 20,
	TG_OUCH_TAG_DISPLAY_QUANTITY = 22,
	TG_OUCH_TAG_DISPLAY_PRICE = 23,
	TG_OUCH_TAG_GROUP_ID = 24,
	TG_OUCH_TAG_SHARES_LOCATED = 25,
	TG_OUCH_TAG_LOCATE_BROKER = 26,
	TG_OUCH_TAG_SIDE = 27,
	TG_OUCH_TAG_USER_REF_IDX = 28,
};

enum tg_ouch_opt_type {
	TG_OUCH_OPT_ALPHA,		/* ASCII, space padded */
	TG_OUCH_OPT_UINT,		/* unsigned big-endian */
	TG_OUCH_OPT_PRICE,		/* unsigned, 4 implied decimals */
	TG_OUCH_OPT_SIGNED_PRICE,	/* two's complement, 4 implied decimals */
};

struct tg_ouch_opt_info {
	uint8_t tag;
	uint8_t size;	/* value bytes */
	uint8_t type;	/* enum tg_ouch_opt_type */
	const char *name;	/* as in the specification: "Firm", "MinQty" */
};

/* What this library knows of tag, NULL for a tag it does not. */
TG_API const struct tg_ouch_opt_info *tg_ouch_opt_info(uint8_t tag);

struct tg_ouch_opt {
	uint8_t tag;
	uint8_t len;		/* value bytes (the option length byte less one) */
	const uint8_t *value;	/* into the appendage */
	const struct tg_ouch_opt_info *info;	/* NULL: an unknown tag */
};

struct tg_ouch_opt_iter {
	const uint8_t *p;
	size_t left;
};

TG_API void tg_ouch_opt_begin(struct tg_ouch_opt_iter *it, const struct tg_ouch_appendage *app);

/*
 * The next option: 1 and *opt filled, 0 after the last, TG_ERR_OPTION when
 * an option is empty or runs past the appendage, or a known tag's value has
 * another size than the specification's (the iteration stops there).
 */
TG_API TG_MUST_CHECK int tg_ouch_opt_next(struct tg_ouch_opt_iter *it, struct tg_ouch_opt *opt);

/* The first option with this tag: 1 found, 0 absent, TG_ERR_OPTION malformed. */
TG_API TG_MUST_CHECK int tg_ouch_opt_find(const struct tg_ouch_appendage *app, uint8_t tag,
					  struct tg_ouch_opt *opt);

/* An option's value as an unsigned / sign-extended number (big-endian, up to 8 bytes). */
TG_API uint64_t tg_ouch_opt_uint(const struct tg_ouch_opt *opt);
TG_API int64_t tg_ouch_opt_int(const struct tg_ouch_opt *opt);

/* Whether the appendage's options are framed (each non-empty and inside). */
TG_API bool tg_ouch_appendage_valid(const struct tg_ouch_appendage *app);

/*
 * Append an option: raw value bytes (len 0..254); a number in the known
 * tag's size (two's complement for signed prices); a text padded with
 * spaces to the known tag's size. TG_ERR_ARG (nothing appended) when it
 * does not fit TG_OUCH_APPENDAGE_MAX, the tag is unknown (number, text),
 * the number does not fit the size or the text is too long.
 */
TG_API TG_MUST_CHECK int tg_ouch_opt_add(struct tg_ouch_appendage *app, uint8_t tag, const void *value,
					 size_t len);
TG_API TG_MUST_CHECK int tg_ouch_opt_add_uint(struct tg_ouch_appendage *app, uint8_t tag, uint64_t value);
TG_API TG_MUST_CHECK int tg_ouch_opt_add_int(struct tg_ouch_appendage *app, uint8_t tag, int64_t value);
TG_API TG_MUST_CHECK int tg_ouch_opt_add_alpha(struct tg_ouch_appendage *app, uint8_t tag, const char *text);

#endif
