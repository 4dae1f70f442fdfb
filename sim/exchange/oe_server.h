/*
 * The exchange's order-entry server: SoupBinTCP 3.0 over TCP, speaking
 * OUCH 5.0, in front of a venue (venue.h: the matching engine, or a
 * capture replay).
 *
 * Sessions. One listening socket, any number of connections, one
 * SoupBinTCP session name. Every user (username / password, given at
 * creation) has a message store of its own that outlives connections
 * (libtickgate's tg_soup_store): a client that comes back asking for
 * sequence number N gets everything from N, with the SoupBinTCP rules for
 * 0 (the most recent message) and numbers past the end (the next one).
 * A login with an unknown username or a wrong password is rejected 'A',
 * one for another session 'S'. A second login of a user whose first
 * connection is still up takes over: the first connection is closed (a
 * client reconnecting after a network failure must not wait for the
 * server to notice the old connection is dead). Heartbeats both ways and
 * the silence timeout are those of tg_soup_server_new, 1 s / 15 s unless
 * configured. tg_xoe_end_session sends System Event 'E' (end of day) and
 * End of Session to every user, now or at its next login.
 *
 * Driving it. No thread and no clock inside: the caller's poll(2) loop
 * asks for its pollfds (tg_xoe_fill_pollfds: the listening socket first,
 * then one per connection), polls them with tg_xoe_poll_timeout (or its
 * own timeout no later than tg_xoe_deadline) and hands them back to
 * tg_xoe_service with its clock. now_ns is the exchange's clock in
 * nanoseconds since midnight: the sessions' timers, the venue calls and
 * the OUCH timestamps all use it.
 *
 * OUCH inbound. Every message is validated; what is wrong gets an Order
 * Rejected with the OUCH 5.0 reject reason (TG_XOE_REJ_*) and the session
 * stays up. Checks, first failure wins:
 *   - a message that does not decode (unknown type, wrong length, bad
 *     appendage): Other; its UserRefNum, when it has one, is echoed but
 *     not used up;
 *   - Enter Order and Replace Order: the (new) UserRefNum must be above
 *     every one the user sent before, else Other (it is not used up);
 *     from here on it is used up, even if the order is rejected;
 *   - Enter Order, fields in wire order: side B, S, T, E (T and E are
 *     sells; else Invalid Side); quantity 1..max_quantity (0: Invalid
 *     Quantity, more: Shares Exceed Threshold); symbol in the table
 *     (Invalid Symbol); price 1..$199,999.9900 for a limit order, or one
 *     of the market sentinels (else Invalid Price); time in force '0' day
 *     or '3' IOC (else Other: OUCH 5.0 has no code for it); display Y, N
 *     (hidden) or A (attributable: the MPID is the Firm option, else the
 *     user's firm, else none; a Firm option that is not the user's firm is
 *     Firm Not Authorized); capacity A, P, R, O; intermarket sweep Y, N; cross type
 *     N only (Invalid Cross Order); ClOrdID printable; options: PriceType
 *     other than L (Invalid Peg Type), MinQty (Invalid Min Quantity),
 *     MaxFloor below the quantity (Invalid Max Floor), a malformed option
 *     (Other); then a halted instrument (Halted) and what the venue
 *     refuses (TG_ERR_STATE Halted, TG_ERR_NOMEM Processing Error).
 *   - Market orders: OUCH 5.0 has no order type. Nasdaq's special prices
 *     $200,000.0000 and $214,748.3647 (0x7FFFFFFF) mean a market order, on
 *     either side; the venue takes it as TG_MATCH_MARKET (immediate or
 *     cancel whatever the time in force: what does not match is canceled,
 *     reason 'I'). A sell at $0.0001 is a limit order like any other.
 *   - Replace Order: the order must be live (else Other); quantity, price
 *     (limit only), display, intermarket sweep, ClOrdID and options as for
 *     Enter; time in force '0' only (a replaced order is a day limit order
 *     in the venue; else Other).
 *   - Cancel Order (quantity = shares to leave, 0 = all) of an unknown or
 *     no longer live UserRefNum is ignored, as OUCH specifies (the order
 *     may have executed while the cancel was on its way: the execution
 *     tells the client); a quantity not below the open shares gets a
 *     Cancel Reject.
 *   - Modify Order (side within the same direction, quantity down): as
 *     Cancel for unknown orders; another direction is Invalid Side, more
 *     shares than open Invalid Quantity; answered with Order Modified.
 *   - Account Query: Account Query Response with the next UserRefNum.
 *
 * OUCH outbound, from the venue's events (tg_xoe_match_event, which the
 * exchange's dispatcher calls for every event; events of other owners than
 * TG_OWNER_OE are ignored): Order Accepted (always before anything else
 * about the order, with the venue's order reference number and state L),
 * Order Replaced (the new reference number), Order Canceled (reason 'U'
 * user requested, 'I' what an IOC or market order left, 'H' while halted,
 * 'Z' a cancel the user did not ask for), Order Executed to both sides
 * when both are order-entry users (resting side liquidity 'A', incoming
 * side 'R', the venue's match number), Order Modified, Order Rejected,
 * Cancel Reject. Owner tags are TG_OWNER_MAKE(TG_OWNER_OE, generation << 32
 * | slot) of the server's order table.
 *
 * Per user: open orders, executed shares, value and position per symbol,
 * and counters for the whole server (tg_xoe_counters, tg_xoe_write_json).
 */
#ifndef TICKGATE_EXCHANGE_OE_SERVER_H
#define TICKGATE_EXCHANGE_OE_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tickgate/json.h"
#include "tickgate/result.h"
#include "venue.h"

/* OUCH 5.0 Order Rejected reasons (the numeric Reason field). */
enum tg_xoe_reject {
	TG_XOE_REJ_QUOTE_UNAVAILABLE = 0x01,
	TG_XOE_REJ_DESTINATION_CLOSED = 0x02,
	TG_XOE_REJ_INVALID_DISPLAY = 0x03,
	TG_XOE_REJ_INVALID_MAX_FLOOR = 0x04,
	TG_XOE_REJ_INVALID_PEG_TYPE = 0x05,
	TG_XOE_REJ_FAT_FINGER = 0x06,
	TG_XOE_REJ_HALTED = 0x07,
	TG_XOE_REJ_ISO_NOT_ALLOWED = 0x08,
	TG_XOE_REJ_INVALID_SIDE = 0x09,
	TG_XOE_REJ_PROCESSING_ERROR = 0x0a,
	TG_XOE_REJ_CANCEL_PENDING = 0x0b,
	TG_XOE_REJ_FIRM_NOT_AUTHORIZED = 0x0c,
	TG_XOE_REJ_INVALID_MIN_QUANTITY = 0x0d,
	TG_XOE_REJ_NO_CLOSING_REFERENCE_PRICE = 0x0e,
	TG_XOE_REJ_OTHER = 0x0f,
	TG_XOE_REJ_CANCEL_NOT_ALLOWED = 0x10,
	TG_XOE_REJ_PEGGING_NOT_ALLOWED = 0x11,
	TG_XOE_REJ_CROSSED_MARKET = 0x12,
	TG_XOE_REJ_INVALID_QUANTITY = 0x13,
	TG_XOE_REJ_INVALID_CROSS_ORDER = 0x14,
	TG_XOE_REJ_REPLACE_NOT_ALLOWED = 0x15,
	TG_XOE_REJ_ROUTING_NOT_ALLOWED = 0x16,
	TG_XOE_REJ_INVALID_SYMBOL = 0x17,
	TG_XOE_REJ_TEST = 0x18,
	TG_XOE_REJ_LATE_LOC_TOO_AGGRESSIVE = 0x19,
	TG_XOE_REJ_RETAIL_NOT_ALLOWED = 0x1a,
	TG_XOE_REJ_INVALID_MIDPOINT_POST_ONLY_PRICE = 0x1b,
	TG_XOE_REJ_INVALID_DESTINATION = 0x1c,
	TG_XOE_REJ_INVALID_PRICE = 0x1d,
	TG_XOE_REJ_SHARES_EXCEED_THRESHOLD = 0x1e,
	TG_XOE_REJ_EXCEEDS_MAX_NOTIONAL = 0x1f,
};

/* Reason codes are counted 0..TG_XOE_REJECT_CODES-1 (the Risk codes run to 0x33, AIQ is 0x40). */
#define TG_XOE_REJECT_CODES 0x41u

/* A name for a reject reason ("Invalid Quantity"), "unknown" for codes OUCH 5.0 does not define. */
const char *tg_xoe_reject_name(unsigned reason);

/* OUCH 5.0 prices: 4 implied decimals. */
#define TG_XOE_MAX_LIMIT_PRICE 1999999900ull	/* $199,999.9900 */
#define TG_XOE_MARKET_PRICE 2000000000ull	/* $200,000.0000: a market order */
#define TG_XOE_MARKET_PRICE_CROSS 0x7fffffffull	/* $214,748.3647: a market order too */
#define TG_XOE_MAX_QUANTITY 1000000u		/* default max_quantity */

struct tg_xoe_user {
	const char *username;	/* 1..6 printable characters */
	const char *password;	/* 0..10 */
	const char *firm;	/* MPID for attributable orders (1..4 characters), NULL: none */
};

struct tg_xoe_config {
	const char *address;	/* numeric IPv4 or IPv6 address to listen on; NULL = 127.0.0.1 */
	uint16_t port;		/* 0: an ephemeral port (tg_xoe_port) */
	const char *session;	/* the SoupBinTCP session name, 0..10 printable characters */
	const struct tg_xoe_user *users;
	unsigned n_users;	/* 1..65535 */
	/* symbols[i] is instrument (stock locate) i + 1: 1..8 printable characters, no spaces */
	const char *const *symbols;
	unsigned n_symbols;	/* 1..65535 */
	struct tg_venue venue;
	uint64_t heartbeat_ns;	/* 0 = TG_SOUP_HEARTBEAT_NS (1 s) */
	uint64_t timeout_ns;	/* 0 = TG_SOUP_TIMEOUT_NS (15 s); also the limit for logging in */
	uint32_t max_quantity;	/* shares per order at most; 0 = TG_XOE_MAX_QUANTITY */
	unsigned max_connections;	/* 0 = 64; more are accepted and closed at once */
};

/* Counters of the whole server. */
struct tg_xoe_counters {
	/* connections and sessions */
	uint64_t connections;		/* accepted */
	uint64_t connections_refused;	/* over max_connections */
	uint64_t logins_ok;
	uint64_t logins_rejected;
	uint64_t takeovers;		/* a login that closed the same user's older connection */
	uint64_t logouts;
	uint64_t timeouts;		/* a client silent for timeout_ns (or not logging in) */
	uint64_t protocol_errors;	/* a client that broke SoupBinTCP */
	uint64_t disconnects;		/* connections closed, for any reason */
	/* OUCH in */
	uint64_t messages_in;		/* Unsequenced Data packets */
	uint64_t malformed;		/* that did not decode */
	uint64_t enters, replace_requests, cancel_requests, modify_requests, account_queries;
	uint64_t cancels_ignored;	/* cancel / modify of an unknown or dead order */
	/* OUCH out */
	uint64_t messages_out;		/* sequenced messages stored */
	uint64_t accepts;
	uint64_t rejects;
	uint64_t rejects_by_reason[TG_XOE_REJECT_CODES];
	uint64_t replaces;		/* Order Replaced */
	uint64_t cancels;		/* Order Canceled */
	uint64_t canceled_shares;
	uint64_t executions;		/* Order Executed (a fill between two users counts twice) */
	uint64_t executed_shares;
	uint64_t cancel_rejects;
	uint64_t modifies;		/* Order Modified */
	uint64_t dropped;		/* responses for a session that had ended, or out of memory */
	/* venue events */
	uint64_t events;		/* passed to tg_xoe_match_event */
	uint64_t events_ours;		/* about our orders */
	uint64_t events_stale;		/* about an order no longer in the table */
};

/* One user's state. */
struct tg_xoe_user_stats {
	const char *username;
	bool connected;			/* logged in on a live connection */
	uint64_t logins;
	uint64_t stored;		/* sequenced messages in its store */
	uint32_t last_user_ref_num;
	uint32_t open_orders;
	uint64_t open_buy_shares, open_sell_shares;
	uint64_t accepts, rejects, executions, cancels, replaces;
	uint64_t bought, sold;		/* shares executed */
};

/* One user's trading in one symbol. Values are price x shares, 4 implied decimals. */
struct tg_xoe_position {
	const char *symbol;
	uint16_t locate;
	uint32_t open_orders;
	uint64_t open_buy_shares, open_sell_shares;
	uint64_t bought, sold;
	uint64_t buy_value, sell_value;
	int64_t position;		/* bought - sold */
};

struct tg_xoe;

/*
 * Create the server and listen. TG_ERR_ARG for a bad configuration (names,
 * credentials, duplicate users or symbols, an address that is not
 * numeric, a venue without ops); TG_ERR_SYS when the socket cannot be
 * bound (errno says why); TG_ERR_NOMEM.
 */
TG_MUST_CHECK int tg_xoe_new(const struct tg_xoe_config *cfg, struct tg_xoe **out);
/* Close every connection and the listening socket, free everything. */
void tg_xoe_free(struct tg_xoe *oe);

/* The port listened on (the ephemeral one when the configuration said 0). */
uint16_t tg_xoe_port(const struct tg_xoe *oe);

/* How many pollfds tg_xoe_fill_pollfds may need now (1 + connections). */
size_t tg_xoe_pollfd_count(const struct tg_xoe *oe);
/*
 * Fill fds (cap entries): the listening socket, then every connection.
 * Returns how many were filled (cap when there were more: those are
 * serviced on their timers only until there is room).
 */
size_t tg_xoe_fill_pollfds(const struct tg_xoe *oe, struct pollfd *fds, size_t cap);
/*
 * Service after poll(2): fds / n as filled (revents set; n may be 0 to run
 * the timers only). Accepts connections, reads, answers, runs every
 * session's timers, writes, closes what is over. TG_OK, or TG_ERR_ARG.
 */
TG_MUST_CHECK int tg_xoe_service(struct tg_xoe *oe, const struct pollfd *fds, size_t n, uint64_t now_ns);
/* The earliest time tg_xoe_service has something to do without I/O (UINT64_MAX: none). */
uint64_t tg_xoe_deadline(const struct tg_xoe *oe);
/* poll(2) timeout until then: milliseconds rounded up, 0 when due, -1 for none. */
int tg_xoe_poll_timeout(const struct tg_xoe *oe, uint64_t now_ns);

/* A venue event (from the exchange's dispatcher, possibly from inside a venue call made here). */
void tg_xoe_match_event(struct tg_xoe *oe, const struct tg_match_event *ev, uint64_t now_ns);

/* System Event ('S' start of day, 'E' end of day) to every user. TG_ERR_STATE after the end. */
TG_MUST_CHECK int tg_xoe_system_event(struct tg_xoe *oe, char code, uint64_t now_ns);
/*
 * The end of the session: System Event 'E' then End of Session to every
 * user; connections close once they have sent it. Keep servicing until
 * tg_xoe_connections is 0 (or as long as the caller cares to wait).
 */
void tg_xoe_end_session(struct tg_xoe *oe, uint64_t now_ns);
bool tg_xoe_ended(const struct tg_xoe *oe);

/* Open connections (logged in or not) and logged-in ones. */
unsigned tg_xoe_connections(const struct tg_xoe *oe);
unsigned tg_xoe_sessions(const struct tg_xoe *oe);

void tg_xoe_counters(const struct tg_xoe *oe, struct tg_xoe_counters *out);
unsigned tg_xoe_user_count(const struct tg_xoe *oe);
/* User `index` (0..user_count-1, in the configuration's order): TG_OK or TG_ERR_NOENT. */
TG_MUST_CHECK int tg_xoe_user(const struct tg_xoe *oe, unsigned index, struct tg_xoe_user_stats *out);
/* User `index`'s position in instrument `locate` (1..n_symbols): TG_OK or TG_ERR_NOENT. */
TG_MUST_CHECK int tg_xoe_position(const struct tg_xoe *oe, unsigned index, uint16_t locate,
				  struct tg_xoe_position *out);
/* The index of a username, or -1. */
int tg_xoe_user_index(const struct tg_xoe *oe, const char *username);

/*
 * Everything as one JSON object: counters (rejects by reason by name), and
 * per user its state and its symbols with any activity. tg_xoe_json writes
 * it into a document being written, under key (NULL inside an array or at
 * the top); tg_xoe_write_json writes it as a document of its own.
 */
void tg_xoe_json(const struct tg_xoe *oe, struct tg_json *j, const char *key);
void tg_xoe_write_json(const struct tg_xoe *oe, FILE *f);

#endif
