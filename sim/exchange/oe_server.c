/*
 * The exchange's SoupBinTCP / OUCH 5.0 order-entry server: see oe_server.h.
 *
 * Stores per user. libtickgate's server session serves the one store it is
 * created with, and checks the login inside its input path. So a
 * connection here starts without a session: its first bytes are read into
 * a buffer of our own until a whole Login Request is there (Debug packets
 * may come first), the username picks the user's store, and only then is
 * the session created and given every byte read so far. A login that is
 * not a Login Request, or a user we do not know, gets a store no one
 * owns, where the session's own checks reject or fail it. The alternative,
 * a store-choosing hook in soupbin_session.c, would change a library the
 * card's side shares for a need only this server has.
 *
 * Responses are appended to the user's store, never sent on a session
 * directly: a user that is not connected finds them at its next login,
 * and a connected one's session streams them at its next tick (its
 * deadline is "now" as soon as the store has something it has not sent),
 * which tg_xoe_service runs in the same round when it can.
 *
 * Orders live in one table of slots; an owner tag names a slot and the
 * slot's generation, so an event about an order whose slot was reused is
 * recognized as stale. A slot is freed when its order has no open shares
 * left. Each user has a map UserRefNum -> slot, sorted because UserRefNums
 * only increase, searched by bisection and compacted when mostly stale.
 *
 * Venue calls and events. The matching engine reports what an order does
 * from inside the call that entered it (the dispatcher hands the events
 * to tg_xoe_match_event right away), and the first event about an order
 * may be a fill; Order Accepted must still come first. So whatever event
 * first names an order that has not been accepted sends its Order
 * Accepted (the event carries the reference number), and the end of the
 * call sends it when no event did. Requests under way (cancel, replace,
 * modify) are marked on the order, so that the events they cause are
 * told from those nobody asked for: the CANCEL of a reduce-like replace
 * is part of the Order Replaced, a CANCEL after a Cancel Order is reason
 * 'U'. A venue that reports later (a replay) works the same way, the mark
 * waiting for its event.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oe_server.h"
#include "tickgate/json.h"
#include "tickgate/ouch.h"
#include "tickgate/soupbin_session.h"

#define PRE_CAP (TG_SOUP_MAX_PACKET + 64u)	/* bytes held before the login: one packet of any size */
#define DEFAULT_MAX_CONNECTIONS 64u
#define ACCEPTS_PER_ROUND 16
#define TIMER_PASSES 4			/* rounds over connections whose stores grew meanwhile */
#define NIL UINT32_MAX
#define GEN_MASK 0xffffffu		/* 24 bits of generation in an owner tag */

enum pending {
	P_NONE,
	P_CANCEL,	/* Cancel Order sent to the venue: its CANCEL is reason 'U' */
	P_REPLACE,	/* Replace Order: REPLACE (or a CANCEL, for a reduce) belongs to it */
	P_MODIFY,	/* Modify Order that cut the shares: its CANCEL belongs to it */
};

struct order {
	bool used;
	bool accepted;		/* Order Accepted stored */
	bool in_call;		/* a venue call about it is under way: keep the slot */
	bool market;
	bool hidden;
	uint8_t pending;	/* enum pending */
	uint16_t locate;
	char side, tif, display, capacity, ise, cross_type;
	uint32_t gen;
	uint32_t next_free;
	uint32_t user;
	uint32_t urn;
	uint32_t quantity;	/* as entered, or as last replaced */
	uint32_t leaves;	/* open: neither executed nor canceled */
	uint64_t price;		/* OUCH price as the client gave it */
	uint64_t ref;		/* the venue's reference number */
	char clordid[TG_OUCH_CLORDID_LEN];
	/* the replace or modify under way */
	uint32_t req_urn, req_quantity;
	uint64_t req_price;
	char req_display, req_ise, req_side;
	char req_clordid[TG_OUCH_CLORDID_LEN];
};

struct urn_entry {
	uint32_t urn;
	uint32_t slot;
};

struct pos {
	uint64_t bought, sold, buy_value, sell_value;
};

struct conn;

struct user {
	char name[TG_SOUP_USERNAME_LEN + 1];
	char password[TG_SOUP_PASSWORD_LEN + 1];
	char firm[4];
	bool has_firm;
	struct tg_soup_store *store;
	struct conn *conn;	/* the logged-in connection, or NULL */
	uint32_t last_urn;
	uint32_t orders;	/* slots in use */
	struct urn_entry *map;
	size_t map_n, map_cap;
	struct pos *pos;	/* per symbol */
	uint64_t logins, accepts, rejects, executions, cancels, replaces;
};

struct conn {
	struct tg_xoe *oe;
	int fd;
	int user;		/* logged in as, or -1 */
	int candidate;		/* the user the Login Request names, or -1 */
	struct tg_soup_session *sess;	/* NULL until the Login Request came */
	uint8_t *pre;		/* bytes before the login */
	size_t pre_n;
	uint64_t since;		/* accepted at */
	uint64_t over_since;	/* when the session stopped being live with bytes still to send */
	bool close_now;
};

struct symbol {
	char key[TG_OUCH_SYMBOL_LEN];	/* padded with spaces */
	uint16_t locate;
};

struct tg_xoe {
	char session[TG_SOUP_SESSION_LEN + 1];
	int lfd;
	uint16_t port;
	struct tg_venue venue;
	uint64_t heartbeat_ns, timeout_ns;
	uint32_t max_quantity;
	unsigned max_connections;
	bool ended;

	struct user *users;
	unsigned n_users;
	struct symbol *sym_sorted;
	char (*sym_key)[TG_OUCH_SYMBOL_LEN];	/* by locate - 1, padded */
	char (*sym_name)[TG_OUCH_SYMBOL_LEN + 1];
	unsigned n_symbols;

	struct order *orders;
	uint32_t n_orders, cap_orders, free_head;

	struct tg_soup_store *nobody;	/* for logins that name no user */
	struct conn **conns;
	unsigned n_conns, cap_conns;

	uint64_t now;		/* of the service round under way */
	struct tg_xoe_counters c;
};

/* ---- reject reasons ---- */

static const char *const reject_names[TG_XOE_REJECT_CODES] = {
	[0x01] = "Quote Unavailable",
	[0x02] = "Destination Closed",
	[0x03] = "Invalid Display",
	[0x04] = "Invalid Max Floor",
	[0x05] = "Invalid Peg Type",
	[0x06] = "Fat Finger",
	[0x07] = "Halted",
	[0x08] = "ISO Not Allowed",
	[0x09] = "Invalid Side",
	[0x0a] = "Processing Error",
	[0x0b] = "Cancel Pending",
	[0x0c] = "Firm Not Authorized",
	[0x0d] = "Invalid Min Quantity",
	[0x0e] = "No Closing Reference Price",
	[0x0f] = "Other",
	[0x10] = "Cancel Not Allowed",
	[0x11] = "Pegging Not Allowed",
	[0x12] = "Crossed Market",
	[0x13] = "Invalid Quantity",
	[0x14] = "Invalid Cross Order",
	[0x15] = "Replace Not Allowed",
	[0x16] = "Routing Not Allowed",
	[0x17] = "Invalid Symbol",
	[0x18] = "Test",
	[0x19] = "Late LOC Too Aggressive",
	[0x1a] = "Retail Not Allowed",
	[0x1b] = "Invalid Midpoint Post Only Price",
	[0x1c] = "Invalid Destination",
	[0x1d] = "Invalid Price",
	[0x1e] = "Shares Exceed Threshold",
	[0x1f] = "Exceeds Maximum Allowed Notional Value",
	[0x20] = "Risk: Aggregate Exposure Exceeded",
	[0x21] = "Risk: Market Impact",
	[0x22] = "Risk: Restricted Stock",
	[0x23] = "Risk: Short Sell Restricted",
	[0x24] = "Risk: ISO Not Allowed",
	[0x25] = "Risk: Exceeds ADV Limit",
	[0x26] = "Risk: Fat Finger",
	[0x27] = "Risk: Locate Required",
	[0x28] = "Risk: Symbol Message Rate Restriction",
	[0x29] = "Risk: Port Message Rate Restriction",
	[0x2a] = "Risk: Duplicate Message Rate Restriction",
	[0x2b] = "Risk: Short Sell Not Allowed",
	[0x2c] = "Risk: Market Order Not Allowed",
	[0x2d] = "Risk: Pre-Market Not Allowed",
	[0x2e] = "Risk: Post-Market Not Allowed",
	[0x2f] = "Risk: Short Sell Exempt Not Allowed",
	[0x30] = "Risk: Single Order Notional Exceeded",
	[0x31] = "Risk: Max Quantity Exceeded",
	[0x32] = "Reg SHO State Not Available",
	[0x33] = "Risk: IPO Market Buy Not Allowed",
	[0x40] = "Invalid AIQ",
};

const char *tg_xoe_reject_name(unsigned reason)
{
	return reason < TG_XOE_REJECT_CODES && reject_names[reason] != NULL ? reject_names[reason] : "unknown";
}

/* ---- small helpers ---- */

static bool is_buy(char side)
{
	return side == 'B';
}

static bool valid_side(char side)
{
	return side == 'B' || side == 'S' || side == 'T' || side == 'E';
}

static bool printable(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

static void pad(char *dst, const char *src, size_t n)
{
	size_t k = src != NULL ? strlen(src) : 0;

	memset(dst, ' ', n);
	memcpy(dst, src, k < n ? k : n);
}

static uint64_t owner_tag(const struct order *o, uint32_t slot)
{
	return TG_OWNER_MAKE(TG_OWNER_OE, ((uint64_t)(o->gen & GEN_MASK) << 32) | slot);
}

static int symbol_cmp(const void *a, const void *b)
{
	return memcmp(((const struct symbol *)a)->key, ((const struct symbol *)b)->key, TG_OUCH_SYMBOL_LEN);
}

/* The locate of an 8-byte OUCH symbol field, 0 when unknown. */
static uint16_t symbol_locate(const struct tg_xoe *oe, const char *field)
{
	struct symbol key;
	const struct symbol *s;

	memcpy(key.key, field, TG_OUCH_SYMBOL_LEN);
	s = bsearch(&key, oe->sym_sorted, oe->n_symbols, sizeof(key), symbol_cmp);
	return s != NULL ? s->locate : 0;
}

static int user_lookup(const struct tg_xoe *oe, const char *name)
{
	for (unsigned i = 0; i < oe->n_users; i++)
		if (strcmp(oe->users[i].name, name) == 0)
			return (int)i;
	return -1;
}

int tg_xoe_user_index(const struct tg_xoe *oe, const char *username)
{
	return oe != NULL && username != NULL ? user_lookup(oe, username) : -1;
}

/* ---- the order table ---- */

static uint32_t order_alloc(struct tg_xoe *oe, uint32_t user)
{
	uint32_t slot;
	struct order *o;

	if (oe->free_head != NIL) {
		slot = oe->free_head;
		oe->free_head = oe->orders[slot].next_free;
	} else {
		if (oe->n_orders == oe->cap_orders) {
			uint32_t cap = oe->cap_orders > 0 ? oe->cap_orders * 2 : 1024;
			struct order *n;

			if (oe->cap_orders >= (NIL - 1) / 2)
				return NIL;
			n = realloc(oe->orders, (size_t)cap * sizeof(*n));
			if (n == NULL)
				return NIL;
			oe->orders = n;
			oe->cap_orders = cap;
		}
		slot = oe->n_orders++;
		oe->orders[slot].gen = 0;
	}
	o = &oe->orders[slot];
	{
		uint32_t gen = (o->gen + 1) & GEN_MASK;

		memset(o, 0, sizeof(*o));
		o->gen = gen;
	}
	o->used = true;
	o->user = user;
	o->next_free = NIL;
	oe->users[user].orders++;
	return slot;
}

static void order_release(struct tg_xoe *oe, uint32_t slot)
{
	struct order *o = &oe->orders[slot];

	o->used = false;
	oe->users[o->user].orders--;
	o->next_free = oe->free_head;
	oe->free_head = slot;
}

/* Free the slot of an order that is over (nothing open, accepted, no call under way). */
static void order_settle(struct tg_xoe *oe, uint32_t slot)
{
	struct order *o = &oe->orders[slot];

	if (o->used && o->accepted && !o->in_call && o->leaves == 0)
		order_release(oe, slot);
}

/* Our order of an owner tag, NIL when the tag is not ours or names no order now. */
static uint32_t order_of_owner(struct tg_xoe *oe, uint64_t owner)
{
	uint64_t low = owner & 0x00ffffffffffffffull;
	uint32_t slot = (uint32_t)low, gen = (uint32_t)(low >> 32);

	if (TG_OWNER_KIND(owner) != TG_OWNER_OE)
		return NIL;
	if (slot < oe->n_orders && oe->orders[slot].used && (oe->orders[slot].gen & GEN_MASK) == gen)
		return slot;
	oe->c.events_stale++;
	return NIL;
}

/* ---- UserRefNum -> order ---- */

static bool map_entry_valid(const struct tg_xoe *oe, uint32_t user, const struct urn_entry *e)
{
	const struct order *o;

	if (e->slot >= oe->n_orders)
		return false;
	o = &oe->orders[e->slot];
	return o->used && o->user == user && o->urn == e->urn;
}

static void map_add(struct tg_xoe *oe, uint32_t user, uint32_t urn, uint32_t slot)
{
	struct user *u = &oe->users[user];
	size_t at;

	if (u->map_n >= 2 * (size_t)u->orders + 64) {
		size_t k = 0;

		for (size_t i = 0; i < u->map_n; i++)
			if (map_entry_valid(oe, user, &u->map[i]))
				u->map[k++] = u->map[i];
		u->map_n = k;
	}
	if (u->map_n == u->map_cap) {
		size_t cap = u->map_cap > 0 ? u->map_cap * 2 : 256;
		struct urn_entry *n = realloc(u->map, cap * sizeof(*n));

		if (n == NULL)
			return;	/* the order cannot be named by the client: it still trades */
		u->map = n;
		u->map_cap = cap;
	}
	/* UserRefNums only increase: almost always the end */
	at = u->map_n;
	while (at > 0 && u->map[at - 1].urn > urn)
		at--;
	if (at > 0 && u->map[at - 1].urn == urn) {
		u->map[at - 1].slot = slot;
		return;
	}
	memmove(&u->map[at + 1], &u->map[at], (u->map_n - at) * sizeof(*u->map));
	u->map[at].urn = urn;
	u->map[at].slot = slot;
	u->map_n++;
}

/* The open order a user calls urn, or NIL. */
static uint32_t map_find(const struct tg_xoe *oe, uint32_t user, uint32_t urn)
{
	const struct user *u = &oe->users[user];
	size_t lo = 0, hi = u->map_n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->map[mid].urn < urn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < u->map_n && u->map[lo].urn == urn && map_entry_valid(oe, user, &u->map[lo])) {
		const struct order *o = &oe->orders[u->map[lo].slot];

		if (o->accepted && o->leaves > 0)
			return u->map[lo].slot;
	}
	return NIL;
}

/* ---- outbound ---- */

static void store_msg(struct tg_xoe *oe, struct user *u, const struct tg_ouch_msg *m)
{
	uint8_t buf[TG_OUCH_MAX_MSG];
	int n = tg_ouch_encode(m, buf, sizeof(buf));

	if (n < 0 || tg_soup_store_ended(u->store) || tg_soup_store_append(u->store, buf, (size_t)n) != TG_OK) {
		oe->c.dropped++;
		return;
	}
	oe->c.messages_out++;
}

static void send_reject(struct tg_xoe *oe, struct user *u, uint32_t urn, unsigned reason, const char *clordid,
			uint64_t ts)
{
	struct tg_ouch_msg m;

	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_ORDER_REJECTED;
	m.u.rejected.timestamp = ts;
	m.u.rejected.user_ref_num = urn;
	m.u.rejected.reason = (uint16_t)reason;
	if (clordid != NULL)
		memcpy(m.u.rejected.clordid, clordid, TG_OUCH_CLORDID_LEN);
	else
		memset(m.u.rejected.clordid, ' ', TG_OUCH_CLORDID_LEN);
	store_msg(oe, u, &m);
	oe->c.rejects++;
	if (reason < TG_XOE_REJECT_CODES)
		oe->c.rejects_by_reason[reason]++;
	u->rejects++;
}

static void send_cancel_reject(struct tg_xoe *oe, struct user *u, uint32_t urn, uint64_t ts)
{
	struct tg_ouch_msg m;

	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_CANCEL_REJECT;
	m.u.cancel_reject.timestamp = ts;
	m.u.cancel_reject.user_ref_num = urn;
	store_msg(oe, u, &m);
	oe->c.cancel_rejects++;
}

static void send_accepted(struct tg_xoe *oe, struct order *o, uint64_t ref, uint64_t ts)
{
	struct user *u = &oe->users[o->user];
	struct tg_ouch_msg m;
	struct tg_ouch_order_accepted *a = &m.u.accepted;

	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_ORDER_ACCEPTED;
	a->timestamp = ts;
	a->user_ref_num = o->urn;
	a->side = o->side;
	a->quantity = o->quantity;
	memcpy(a->symbol, oe->sym_key[o->locate - 1], TG_OUCH_SYMBOL_LEN);
	a->price = o->price;
	a->tif = o->tif;
	a->display = o->display;
	a->order_ref_num = ref;
	a->capacity = o->capacity;
	a->ise = o->ise;
	a->cross_type = o->cross_type;
	a->order_state = 'L';
	memcpy(a->clordid, o->clordid, TG_OUCH_CLORDID_LEN);
	store_msg(oe, u, &m);
	o->accepted = true;
	o->ref = ref;
	oe->c.accepts++;
	u->accepts++;
}

static void ensure_accepted(struct tg_xoe *oe, struct order *o, uint64_t ref, uint64_t ts)
{
	if (!o->accepted)
		send_accepted(oe, o, ref, ts);
}

static void send_canceled(struct tg_xoe *oe, struct order *o, uint32_t shares, char reason, uint64_t ts)
{
	struct user *u = &oe->users[o->user];
	struct tg_ouch_msg m;

	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_ORDER_CANCELED;
	m.u.canceled.timestamp = ts;
	m.u.canceled.user_ref_num = o->urn;
	m.u.canceled.quantity = shares;
	m.u.canceled.reason = reason;
	store_msg(oe, u, &m);
	oe->c.cancels++;
	oe->c.canceled_shares += shares;
	u->cancels++;
	o->leaves -= shares < o->leaves ? shares : o->leaves;
}

static void send_executed(struct tg_xoe *oe, struct order *o, uint32_t shares, uint32_t price, char liquidity,
			  uint64_t match, uint64_t ts)
{
	struct user *u = &oe->users[o->user];
	struct pos *p = &u->pos[o->locate - 1];
	struct tg_ouch_msg m;

	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_ORDER_EXECUTED;
	m.u.executed.timestamp = ts;
	m.u.executed.user_ref_num = o->urn;
	m.u.executed.quantity = shares;
	m.u.executed.price = price;
	m.u.executed.liquidity_flag = liquidity;
	m.u.executed.match_number = match;
	store_msg(oe, u, &m);
	oe->c.executions++;
	oe->c.executed_shares += shares;
	u->executions++;
	if (is_buy(o->side)) {
		p->bought += shares;
		p->buy_value += (uint64_t)price * shares;
	} else {
		p->sold += shares;
		p->sell_value += (uint64_t)price * shares;
	}
	o->leaves -= shares < o->leaves ? shares : o->leaves;
}

/* The replace under way on order slot is done: new reference, leaves open. */
static void finish_replace(struct tg_xoe *oe, uint32_t slot, uint64_t new_ref, uint32_t leaves, uint64_t ts)
{
	struct order *o = &oe->orders[slot];
	struct user *u = &oe->users[o->user];
	struct tg_ouch_msg m;
	struct tg_ouch_order_replaced *r = &m.u.replaced;

	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_ORDER_REPLACED;
	r->timestamp = ts;
	r->orig_user_ref_num = o->urn;
	r->user_ref_num = o->req_urn;
	r->side = o->side;
	r->quantity = o->req_quantity;
	memcpy(r->symbol, oe->sym_key[o->locate - 1], TG_OUCH_SYMBOL_LEN);
	r->price = o->req_price;
	r->tif = '0';
	r->display = o->req_display;
	r->order_ref_num = new_ref;
	r->capacity = o->capacity;
	r->ise = o->req_ise;
	r->cross_type = o->cross_type;
	r->order_state = 'L';
	memcpy(r->clordid, o->req_clordid, TG_OUCH_CLORDID_LEN);
	store_msg(oe, u, &m);
	oe->c.replaces++;
	u->replaces++;

	o->urn = o->req_urn;
	o->quantity = o->req_quantity;
	o->price = o->req_price;
	o->tif = '0';
	o->display = o->req_display;
	o->hidden = o->req_display == 'N';
	o->ise = o->req_ise;
	memcpy(o->clordid, o->req_clordid, TG_OUCH_CLORDID_LEN);
	o->ref = new_ref;
	o->leaves = leaves;
	o->pending = P_NONE;
	map_add(oe, o->user, o->urn, slot);
}

/* ---- inbound OUCH ---- */

static unsigned venue_reason(int rc)
{
	switch (rc) {
	case TG_ERR_STATE:
		return TG_XOE_REJ_HALTED;
	case TG_ERR_ARG:
		return TG_XOE_REJ_OTHER;
	default:
		return TG_XOE_REJ_PROCESSING_ERROR;
	}
}

static bool venue_halted(const struct tg_xoe *oe, uint16_t locate)
{
	return oe->venue.ops->halted != NULL && oe->venue.ops->halted(oe->venue.venue, locate);
}

/*
 * The appendage's options: what we refuse (0 = fine), and the Firm
 * option's MPID into firm (when there is one, *has_firm).
 */
static unsigned check_options(const struct tg_ouch_appendage *app, uint32_t quantity, char firm[4], bool *has_firm)
{
	struct tg_ouch_opt_iter it;
	struct tg_ouch_opt opt;
	int rc;

	*has_firm = false;
	tg_ouch_opt_begin(&it, app);
	while ((rc = tg_ouch_opt_next(&it, &opt)) == 1) {
		uint64_t v;

		if (opt.info == NULL)
			continue;	/* a tag of a later revision: ignored */
		switch (opt.tag) {
		case TG_OUCH_TAG_PRICE_TYPE:
			if (opt.value[0] != 'L')
				return TG_XOE_REJ_INVALID_PEG_TYPE;
			break;
		case TG_OUCH_TAG_MIN_QTY:
			if (tg_ouch_opt_uint(&opt) != 0)
				return TG_XOE_REJ_INVALID_MIN_QUANTITY;
			break;
		case TG_OUCH_TAG_MAX_FLOOR:
			v = tg_ouch_opt_uint(&opt);
			if (v != 0 && v < quantity)
				return TG_XOE_REJ_INVALID_MAX_FLOOR;	/* no reserve orders here */
			break;
		case TG_OUCH_TAG_FIRM:
			if (!printable((const char *)opt.value, 4))
				return TG_XOE_REJ_OTHER;
			memcpy(firm, opt.value, 4);
			*has_firm = true;
			break;
		default:
			break;
		}
	}
	return rc < 0 ? TG_XOE_REJ_OTHER : 0;
}

/* The Firm a display 'A' order carries, or a reason to refuse the option. */
static unsigned check_firm(const struct user *u, const struct tg_ouch_appendage *app, uint32_t quantity,
			   char mpid[4])
{
	char firm[4];
	bool has_firm;
	unsigned reason = check_options(app, quantity, firm, &has_firm);

	if (reason != 0)
		return reason;
	if (has_firm && u->has_firm && memcmp(firm, u->firm, 4) != 0)
		return TG_XOE_REJ_FIRM_NOT_AUTHORIZED;
	if (has_firm)
		memcpy(mpid, firm, 4);
	else if (u->has_firm)
		memcpy(mpid, u->firm, 4);
	return 0;
}

static unsigned check_quantity(const struct tg_xoe *oe, uint32_t quantity)
{
	if (quantity == 0)
		return TG_XOE_REJ_INVALID_QUANTITY;
	if (quantity > oe->max_quantity)
		return TG_XOE_REJ_SHARES_EXCEED_THRESHOLD;
	return 0;
}

/* What is wrong with an Enter Order (0: nothing); its locate, whether it is a market order, its MPID. */
static unsigned check_enter(const struct tg_xoe *oe, const struct user *u, const struct tg_ouch_enter_order *e,
			    uint16_t *locate, bool *market, char mpid[4])
{
	unsigned reason;

	if (!valid_side(e->side))
		return TG_XOE_REJ_INVALID_SIDE;
	if ((reason = check_quantity(oe, e->quantity)) != 0)
		return reason;
	if ((*locate = symbol_locate(oe, e->symbol)) == 0)
		return TG_XOE_REJ_INVALID_SYMBOL;
	*market = e->price == TG_XOE_MARKET_PRICE || e->price == TG_XOE_MARKET_PRICE_CROSS;
	if (!*market && (e->price == 0 || e->price > TG_XOE_MAX_LIMIT_PRICE))
		return TG_XOE_REJ_INVALID_PRICE;
	if (e->tif != '0' && e->tif != '3')
		return TG_XOE_REJ_OTHER;	/* OUCH 5.0 has no code for a time in force */
	if (e->display != 'Y' && e->display != 'N' && e->display != 'A')
		return TG_XOE_REJ_INVALID_DISPLAY;
	if (e->capacity != 'A' && e->capacity != 'P' && e->capacity != 'R' && e->capacity != 'O')
		return TG_XOE_REJ_OTHER;
	if (e->ise != 'Y' && e->ise != 'N')
		return TG_XOE_REJ_OTHER;
	if (e->cross_type != 'N')
		return TG_XOE_REJ_INVALID_CROSS_ORDER;
	if (!printable(e->clordid, TG_OUCH_CLORDID_LEN))
		return TG_XOE_REJ_OTHER;
	if ((reason = check_firm(u, &e->app, e->quantity, mpid)) != 0)
		return reason;
	if (venue_halted(oe, *locate))
		return TG_XOE_REJ_HALTED;
	return 0;
}

static void on_enter(struct tg_xoe *oe, uint32_t ui, const struct tg_ouch_enter_order *e)
{
	struct user *u = &oe->users[ui];
	uint64_t ts = oe->now, ref = 0;
	struct tg_match_order mo;
	unsigned reason;
	uint16_t locate = 0;
	bool market = false;
	struct order *o;
	uint32_t slot = NIL;
	int rc;

	oe->c.enters++;
	if (e->user_ref_num <= u->last_urn) {
		send_reject(oe, u, e->user_ref_num, TG_XOE_REJ_OTHER, e->clordid, ts);
		return;
	}
	u->last_urn = e->user_ref_num;
	memset(&mo, 0, sizeof(mo));
	reason = check_enter(oe, u, e, &locate, &market, mo.mpid);
	if (reason == 0 && (slot = order_alloc(oe, ui)) == NIL)
		reason = TG_XOE_REJ_PROCESSING_ERROR;
	if (reason != 0) {
		send_reject(oe, u, e->user_ref_num, reason, e->clordid, ts);
		return;
	}
	o = &oe->orders[slot];
	o->urn = e->user_ref_num;
	o->locate = locate;
	o->side = e->side;
	o->tif = e->tif;
	o->display = e->display;
	o->capacity = e->capacity;
	o->ise = e->ise;
	o->cross_type = e->cross_type;
	o->market = market;
	o->hidden = e->display == 'N';
	o->quantity = e->quantity;
	o->leaves = e->quantity;
	o->price = e->price;
	memcpy(o->clordid, e->clordid, TG_OUCH_CLORDID_LEN);
	o->in_call = true;

	mo.instrument = locate;
	mo.side = is_buy(e->side) ? TG_MATCH_BUY : TG_MATCH_SELL;
	mo.type = market ? TG_MATCH_MARKET : TG_MATCH_LIMIT;
	mo.tif = e->tif == '3' || market ? TG_MATCH_IOC : TG_MATCH_DAY;
	mo.hidden = o->hidden;
	mo.shares = e->quantity;
	mo.price = market ? 0 : (uint32_t)e->price;
	if (e->display != 'A')
		memset(mo.mpid, 0, sizeof(mo.mpid));
	mo.owner = owner_tag(o, slot);
	rc = oe->venue.ops->enter(oe->venue.venue, &mo, ts, &ref);
	o = &oe->orders[slot];
	o->in_call = false;
	if (rc < 0 && !o->accepted) {
		send_reject(oe, u, e->user_ref_num, venue_reason(rc), e->clordid, ts);
		order_release(oe, slot);
		return;
	}
	/* an error after events (no venue does that): the events said what happened */
	if (!o->accepted)
		send_accepted(oe, o, ref, ts);
	if (o->leaves > 0)
		map_add(oe, ui, o->urn, slot);
	order_settle(oe, slot);
}

/* What is wrong with a Replace Order of open order o (0: nothing). */
static unsigned check_replace(const struct tg_xoe *oe, const struct user *u, const struct order *o,
			      const struct tg_ouch_replace_order *r)
{
	char mpid[4];
	unsigned reason;

	if (o->pending == P_CANCEL)
		return TG_XOE_REJ_CANCEL_PENDING;
	if (o->pending != P_NONE)
		return TG_XOE_REJ_OTHER;
	if ((reason = check_quantity(oe, r->quantity)) != 0)
		return reason;
	if (r->price == 0 || r->price > TG_XOE_MAX_LIMIT_PRICE)
		return TG_XOE_REJ_INVALID_PRICE;	/* the market prices too: a replace cannot make one */
	if (r->tif != '0')
		return TG_XOE_REJ_OTHER;	/* the venue's replaced order is a day order */
	if (r->display != 'Y' && r->display != 'N' && r->display != 'A')
		return TG_XOE_REJ_INVALID_DISPLAY;
	if (r->ise != 'Y' && r->ise != 'N')
		return TG_XOE_REJ_OTHER;
	if (!printable(r->clordid, TG_OUCH_CLORDID_LEN))
		return TG_XOE_REJ_OTHER;
	if ((reason = check_firm(u, &r->app, r->quantity, mpid)) != 0)
		return reason;
	if (venue_halted(oe, o->locate))
		return TG_XOE_REJ_HALTED;
	return 0;
}

static void on_replace(struct tg_xoe *oe, uint32_t ui, const struct tg_ouch_replace_order *r)
{
	struct user *u = &oe->users[ui];
	uint64_t ts = oe->now, new_ref = 0;
	unsigned reason;
	struct order *o;
	uint32_t slot;
	int rc;

	oe->c.replace_requests++;
	if (r->user_ref_num <= u->last_urn) {
		send_reject(oe, u, r->user_ref_num, TG_XOE_REJ_OTHER, r->clordid, ts);
		return;
	}
	u->last_urn = r->user_ref_num;
	slot = map_find(oe, ui, r->orig_user_ref_num);
	reason = slot == NIL ? TG_XOE_REJ_OTHER : check_replace(oe, u, &oe->orders[slot], r);
	if (reason != 0) {
		send_reject(oe, u, r->user_ref_num, reason, r->clordid, ts);
		return;
	}
	o = &oe->orders[slot];
	o->pending = P_REPLACE;
	o->req_urn = r->user_ref_num;
	o->req_quantity = r->quantity;
	o->req_price = r->price;
	o->req_display = r->display;
	o->req_ise = r->ise;
	memcpy(o->req_clordid, r->clordid, TG_OUCH_CLORDID_LEN);
	o->in_call = true;
	rc = oe->venue.ops->replace(oe->venue.venue, o->ref, r->quantity, (uint32_t)r->price, r->display == 'N', ts,
				    &new_ref);
	o = &oe->orders[slot];
	o->in_call = false;
	if (rc < 0) {
		if (o->pending == P_REPLACE) {
			o->pending = P_NONE;
			send_reject(oe, u, r->user_ref_num, rc == TG_ERR_NOENT ? TG_XOE_REJ_OTHER : venue_reason(rc),
				    r->clordid, ts);
		}
	} else if (o->pending == P_REPLACE) {
		/* a reduce-like replace (its CANCEL came), no change, or a venue that reports later */
		finish_replace(oe, slot, new_ref, r->quantity, ts);
	}
	order_settle(oe, slot);
}

static void on_cancel(struct tg_xoe *oe, uint32_t ui, const struct tg_ouch_cancel_order *c)
{
	struct user *u = &oe->users[ui];
	uint32_t slot = map_find(oe, ui, c->user_ref_num);
	struct order *o;
	int rc;

	oe->c.cancel_requests++;
	if (slot == NIL) {
		oe->c.cancels_ignored++;
		return;
	}
	o = &oe->orders[slot];
	if (c->quantity >= o->leaves || o->pending != P_NONE) {
		send_cancel_reject(oe, u, c->user_ref_num, oe->now);
		return;
	}
	o->pending = P_CANCEL;
	o->in_call = true;
	rc = oe->venue.ops->reduce(oe->venue.venue, o->ref, c->quantity, oe->now);
	o = &oe->orders[slot];
	o->in_call = false;
	if (rc < 0) {
		o->pending = P_NONE;
		send_cancel_reject(oe, u, c->user_ref_num, oe->now);
	}
	order_settle(oe, slot);
}

static void on_modify(struct tg_xoe *oe, uint32_t ui, const struct tg_ouch_modify_order *md)
{
	struct user *u = &oe->users[ui];
	uint32_t slot = map_find(oe, ui, md->user_ref_num);
	struct tg_ouch_msg m;
	struct order *o;
	int rc = TG_OK;

	oe->c.modify_requests++;
	if (slot == NIL) {
		oe->c.cancels_ignored++;
		return;
	}
	o = &oe->orders[slot];
	if (!valid_side(md->side) || is_buy(md->side) != is_buy(o->side)) {
		send_reject(oe, u, md->user_ref_num, TG_XOE_REJ_INVALID_SIDE, o->clordid, oe->now);
		return;
	}
	if (md->quantity == 0 || md->quantity > o->leaves) {
		send_reject(oe, u, md->user_ref_num, TG_XOE_REJ_INVALID_QUANTITY, o->clordid, oe->now);
		return;
	}
	if (o->pending != P_NONE) {
		send_reject(oe, u, md->user_ref_num,
			    o->pending == P_CANCEL ? TG_XOE_REJ_CANCEL_PENDING : TG_XOE_REJ_OTHER, o->clordid,
			    oe->now);
		return;
	}
	if (md->quantity < o->leaves) {
		o->pending = P_MODIFY;
		o->in_call = true;
		rc = oe->venue.ops->reduce(oe->venue.venue, o->ref, md->quantity, oe->now);
		o = &oe->orders[slot];
		o->in_call = false;
		o->pending = P_NONE;
		if (rc < 0) {
			send_reject(oe, u, md->user_ref_num, venue_reason(rc), o->clordid, oe->now);
			order_settle(oe, slot);
			return;
		}
		o->leaves = md->quantity;
	}
	o->side = md->side;
	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_ORDER_MODIFIED;
	m.u.modified.timestamp = oe->now;
	m.u.modified.user_ref_num = o->urn;
	m.u.modified.side = o->side;
	m.u.modified.quantity = o->leaves;
	store_msg(oe, u, &m);
	oe->c.modifies++;
	order_settle(oe, slot);
}

static void on_query(struct tg_xoe *oe, uint32_t ui)
{
	struct user *u = &oe->users[ui];
	struct tg_ouch_msg m;

	oe->c.account_queries++;
	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_ACCOUNT_QUERY_RESPONSE;
	m.u.query_response.timestamp = oe->now;
	m.u.query_response.next_user_ref_num = u->last_urn + 1;
	store_msg(oe, u, &m);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void on_message(struct tg_xoe *oe, uint32_t ui, const uint8_t *data, size_t len)
{
	struct tg_ouch_msg m;
	int rc;

	oe->c.messages_in++;
	rc = tg_ouch_decode(TG_OUCH_IN, data, len, &m);
	if (rc < 0) {
		uint32_t urn = 0;

		/* echo what names the order, when the bytes are there: not used up */
		if (len >= 5 && (data[0] == 'O' || data[0] == 'X' || data[0] == 'M'))
			urn = be32(data + 1);
		else if (len >= 9 && data[0] == 'U')
			urn = be32(data + 5);
		oe->c.malformed++;
		send_reject(oe, &oe->users[ui], urn, TG_XOE_REJ_OTHER, NULL, oe->now);
		return;
	}
	switch (m.kind) {
	case TG_OUCH_ENTER_ORDER:
		on_enter(oe, ui, &m.u.enter);
		break;
	case TG_OUCH_REPLACE_ORDER:
		on_replace(oe, ui, &m.u.replace);
		break;
	case TG_OUCH_CANCEL_ORDER:
		on_cancel(oe, ui, &m.u.cancel);
		break;
	case TG_OUCH_MODIFY_ORDER:
		on_modify(oe, ui, &m.u.modify);
		break;
	case TG_OUCH_ACCOUNT_QUERY:
		on_query(oe, ui);
		break;
	default:	/* the decoder gives inbound kinds only */
		oe->c.malformed++;
		send_reject(oe, &oe->users[ui], 0, TG_XOE_REJ_OTHER, NULL, oe->now);
		break;
	}
}

/* ---- venue events ---- */

void tg_xoe_match_event(struct tg_xoe *oe, const struct tg_match_event *ev, uint64_t now_ns)
{
	uint64_t ts = ev->ts_ns != 0 ? ev->ts_ns : now_ns;
	uint32_t rs = NIL, as = NIL;
	struct order *o;

	if (oe == NULL || ev == NULL)
		return;
	oe->c.events++;
	switch (ev->type) {
	case TG_MATCH_EV_ADD:
		if ((rs = order_of_owner(oe, ev->owner)) == NIL)
			return;
		o = &oe->orders[rs];
		ensure_accepted(oe, o, ev->ref, ts);
		o->ref = ev->ref;
		o->leaves = ev->shares;
		break;
	case TG_MATCH_EV_EXECUTE:
		rs = order_of_owner(oe, ev->owner);
		as = order_of_owner(oe, ev->aggressor_owner);
		if (rs == NIL && as == NIL)
			return;
		if (as != NIL) {
			/* accepted before the fills: the incoming side first */
			o = &oe->orders[as];
			if (o->pending != P_REPLACE)
				ensure_accepted(oe, o, ev->aggressor_ref, ts);
		}
		if (rs != NIL) {
			o = &oe->orders[rs];
			ensure_accepted(oe, o, ev->ref, ts);
			send_executed(oe, o, ev->shares, ev->price, 'A', ev->match, ts);
			o->leaves = ev->remaining;
		}
		if (as != NIL)
			send_executed(oe, &oe->orders[as], ev->shares, ev->price, 'R', ev->match, ts);
		break;
	case TG_MATCH_EV_CANCEL:
		if ((rs = order_of_owner(oe, ev->owner)) == NIL)
			return;
		o = &oe->orders[rs];
		if (ev->shares == 0) {
			/* the end of a replace's new order that filled in full: nothing was canceled */
			if (ev->remaining == 0 && o->pending != P_REPLACE)
				o->leaves = 0;
			break;
		}
		if (o->pending == P_REPLACE || o->pending == P_MODIFY) {
			o->leaves = ev->remaining;	/* part of the replace or modify */
			break;
		}
		ensure_accepted(oe, o, ev->ref, ts);
		send_canceled(oe, o, ev->shares,
			      o->pending == P_CANCEL ? 'U' : venue_halted(oe, ev->instrument) ? 'H' : 'Z', ts);
		if (o->pending == P_CANCEL)
			o->pending = P_NONE;
		o->leaves = ev->remaining;
		break;
	case TG_MATCH_EV_REPLACE:
		if ((rs = order_of_owner(oe, ev->owner)) == NIL)
			return;
		o = &oe->orders[rs];
		if (o->pending == P_REPLACE) {
			finish_replace(oe, rs, ev->new_ref, ev->shares, ts);
		} else {
			/* a replace nobody here asked for: follow it quietly */
			o->ref = ev->new_ref;
			o->leaves = ev->shares;
		}
		break;
	case TG_MATCH_EV_EXPIRE:
		if ((as = order_of_owner(oe, ev->aggressor_owner)) == NIL)
			return;
		o = &oe->orders[as];
		ensure_accepted(oe, o, ev->aggressor_ref, ts);
		if (ev->shares > 0)
			send_canceled(oe, o, ev->shares, 'I', ts);
		o->leaves = 0;
		break;
	default:	/* HALT: nothing to tell */
		return;
	}
	oe->c.events_ours++;
	if (rs != NIL)
		order_settle(oe, rs);
	if (as != NIL && as != rs)
		order_settle(oe, as);
}

/* ---- connections ---- */

static char authenticate(void *ctx, const char *username, const char *password)
{
	struct conn *c = ctx;
	int u = user_lookup(c->oe, username);

	if (u < 0 || u != c->candidate || strcmp(c->oe->users[u].password, password) != 0)
		return TG_SOUP_REJECT_NOT_AUTHORIZED;
	return 0;
}

static void on_session_event(void *ctx, const struct tg_soup_event *ev)
{
	struct conn *c = ctx;
	struct tg_xoe *oe = c->oe;
	struct user *u;

	switch (ev->type) {
	case TG_SOUP_EV_LOGIN_ACCEPTED:
		c->user = c->candidate;
		u = &oe->users[c->user];
		if (u->conn != NULL && u->conn != c) {
			/* the newer login wins: the old connection goes, without another byte */
			u->conn->close_now = true;
			u->conn->user = -1;
			oe->c.takeovers++;
		}
		u->conn = c;
		u->logins++;
		oe->c.logins_ok++;
		break;
	case TG_SOUP_EV_LOGIN_REJECTED:
		oe->c.logins_rejected++;
		break;
	case TG_SOUP_EV_UNSEQUENCED:
		if (c->user >= 0 && !c->close_now)
			on_message(oe, (uint32_t)c->user, ev->data, ev->len);
		break;
	case TG_SOUP_EV_LOGOUT:
		oe->c.logouts++;
		break;
	case TG_SOUP_EV_DEAD:
		oe->c.timeouts++;
		break;
	case TG_SOUP_EV_ERROR:
		oe->c.protocol_errors++;
		break;
	default:
		break;
	}
}

/* Give the connection its session, over the store of the user its Login Request names. */
static void start_session(struct tg_xoe *oe, struct conn *c, uint64_t now)
{
	struct tg_soup_server_config sc = {
		.heartbeat_ns = oe->heartbeat_ns,
		.timeout_ns = oe->timeout_ns,
		.authenticate = authenticate,
		.auth_ctx = c,
	};
	struct tg_soup_handlers h = { .event = on_session_event, .ctx = c };
	struct tg_soup_store *st = c->candidate >= 0 ? oe->users[c->candidate].store : oe->nobody;

	if (tg_soup_server_new(&sc, st, &h, &c->sess) != TG_OK || tg_soup_session_connected(c->sess, now) != TG_OK) {
		tg_soup_session_free(c->sess);
		c->sess = NULL;
		c->close_now = true;
		return;
	}
	/* the login, and what came with it; an error leaves the session FAILED: it closes after its flush */
	if (tg_soup_session_input(c->sess, c->pre, c->pre_n, now) != TG_OK && tg_soup_session_live(c->sess))
		c->close_now = true;	/* cannot happen: an input error ends the session */
	free(c->pre);
	c->pre = NULL;
	c->pre_n = 0;
}

/* Before the session: read until a whole Login Request (after any Debug packets) is here. */
static void pre_login(struct tg_xoe *oe, struct conn *c, uint64_t now)
{
	bool eof = false;

	while (c->pre_n < PRE_CAP) {
		ssize_t r = read(c->fd, c->pre + c->pre_n, PRE_CAP - c->pre_n);

		if (r > 0) {
			c->pre_n += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			eof = true;
		break;
	}
	for (size_t off = 0;;) {
		struct tg_soup_packet pkt;
		int rc = tg_soup_decode(c->pre + off, c->pre_n - off, &pkt);

		if (rc == TG_ERR_SHORT && c->pre_n < PRE_CAP)
			break;	/* wait for the rest */
		if (rc == TG_ERR_SHORT && off > 0) {
			/* full of Debug packets: drop them (they tell nothing), keep reading */
			memmove(c->pre, c->pre + off, c->pre_n - off);
			c->pre_n -= off;
			break;
		}
		if (rc > 0 && pkt.type == TG_SOUP_DEBUG) {
			off += (size_t)rc;
			continue;
		}
		if (rc > 0 && pkt.type == TG_SOUP_LOGIN_REQUEST)
			c->candidate = user_lookup(oe, pkt.login.username);
		/* a login, or something the session will refuse: either way it is the session's now */
		start_session(oe, c, now);
		return;
	}
	if (eof) {
		c->close_now = true;
		return;
	}
	if (now >= c->since && now - c->since >= oe->timeout_ns) {
		oe->c.timeouts++;
		c->close_now = true;
	}
}

static void service_conn(struct tg_xoe *oe, struct conn *c, uint64_t now)
{
	int rc;

	if (c->close_now)
		return;
	if (c->sess == NULL) {
		pre_login(oe, c, now);
		if (c->sess == NULL || c->close_now)
			return;
	}
	rc = tg_soup_pump(c->sess, c->fd, now);
	if (rc == TG_ERR_SYS)
		tg_soup_session_disconnected(c->sess);
	if (tg_soup_session_live(c->sess))
		return;
	if (tg_soup_session_pending(c->sess, NULL) == 0 || rc == TG_ERR_DEAD || rc == TG_ERR_SYS) {
		c->close_now = true;
	} else if (c->over_since == 0) {
		c->over_since = now != 0 ? now : 1;
	} else if (now - c->over_since >= oe->timeout_ns) {
		c->close_now = true;	/* a peer that does not read what is left */
	}
}

static uint64_t conn_deadline(const struct tg_xoe *oe, const struct conn *c)
{
	if (c->close_now)
		return 0;
	if (c->sess == NULL)
		return c->since + oe->timeout_ns;
	if (tg_soup_session_live(c->sess))
		return tg_soup_session_deadline(c->sess);
	if (tg_soup_session_pending(c->sess, NULL) == 0 || c->over_since == 0)
		return 0;
	return c->over_since + oe->timeout_ns;
}

static void conn_close(struct tg_xoe *oe, struct conn *c)
{
	if (c->user >= 0 && oe->users[c->user].conn == c)
		oe->users[c->user].conn = NULL;
	if (c->fd >= 0)
		close(c->fd);
	tg_soup_session_free(c->sess);
	free(c->pre);
	free(c);
	oe->c.disconnects++;
}

static void accept_conns(struct tg_xoe *oe, uint64_t now)
{
	for (int k = 0; k < ACCEPTS_PER_ROUND; k++) {
		int one = 1, fd = accept4(oe->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return;	/* EAGAIN, or an error the next poll reports again */
		}
		if (oe->n_conns >= oe->max_connections) {
			close(fd);
			oe->c.connections_refused++;
			continue;
		}
		if (oe->n_conns == oe->cap_conns) {
			unsigned cap = oe->cap_conns > 0 ? oe->cap_conns * 2 : 8;
			struct conn **n = realloc(oe->conns, cap * sizeof(*n));

			if (n == NULL) {
				close(fd);
				continue;
			}
			oe->conns = n;
			oe->cap_conns = cap;
		}
		c = calloc(1, sizeof(*c));
		if (c != NULL)
			c->pre = malloc(PRE_CAP);
		if (c == NULL || c->pre == NULL) {
			free(c);
			close(fd);
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->oe = oe;
		c->fd = fd;
		c->user = -1;
		c->candidate = -1;
		c->since = now;
		oe->conns[oe->n_conns++] = c;
		oe->c.connections++;
		service_conn(oe, c, now);	/* its login may be here already */
	}
}

static struct conn *conn_of_fd(const struct tg_xoe *oe, int fd, size_t hint)
{
	if (hint < oe->n_conns && oe->conns[hint]->fd == fd)
		return oe->conns[hint];
	for (unsigned i = 0; i < oe->n_conns; i++)
		if (oe->conns[i]->fd == fd)
			return oe->conns[i];
	return NULL;
}

int tg_xoe_service(struct tg_xoe *oe, const struct pollfd *fds, size_t n, uint64_t now_ns)
{
	unsigned k;

	if (oe == NULL || (fds == NULL && n != 0))
		return TG_ERR_ARG;
	oe->now = now_ns;
	for (size_t i = 0; i < n; i++) {
		struct conn *c;

		if (fds[i].revents == 0)
			continue;
		if (fds[i].fd == oe->lfd) {
			accept_conns(oe, now_ns);
			continue;
		}
		c = conn_of_fd(oe, fds[i].fd, i > 0 ? i - 1 : 0);
		if (c != NULL)
			service_conn(oe, c, now_ns);
	}
	/* timers, and sessions whose stores grew while others were served */
	for (int pass = 0; pass < TIMER_PASSES; pass++) {
		bool any = false;

		for (unsigned i = 0; i < oe->n_conns; i++) {
			struct conn *c = oe->conns[i];

			if (!c->close_now && conn_deadline(oe, c) <= now_ns) {
				service_conn(oe, c, now_ns);
				any = true;
			}
		}
		if (!any)
			break;
	}
	k = 0;
	for (unsigned i = 0; i < oe->n_conns; i++) {
		if (oe->conns[i]->close_now)
			conn_close(oe, oe->conns[i]);
		else
			oe->conns[k++] = oe->conns[i];
	}
	oe->n_conns = k;
	return TG_OK;
}

size_t tg_xoe_pollfd_count(const struct tg_xoe *oe)
{
	return 1 + oe->n_conns;
}

size_t tg_xoe_fill_pollfds(const struct tg_xoe *oe, struct pollfd *fds, size_t cap)
{
	size_t n = 0;

	if (oe == NULL || fds == NULL || cap == 0)
		return 0;
	fds[n].fd = oe->lfd;
	fds[n].events = POLLIN;
	fds[n++].revents = 0;
	for (unsigned i = 0; i < oe->n_conns && n < cap; i++) {
		const struct conn *c = oe->conns[i];

		fds[n].fd = c->fd;
		fds[n].events = c->sess != NULL ? tg_soup_poll_events(c->sess) : POLLIN;
		fds[n++].revents = 0;
	}
	return n;
}

uint64_t tg_xoe_deadline(const struct tg_xoe *oe)
{
	uint64_t d = UINT64_MAX;

	for (unsigned i = 0; i < oe->n_conns; i++) {
		uint64_t t = conn_deadline(oe, oe->conns[i]);

		if (t < d)
			d = t;
	}
	return d;
}

int tg_xoe_poll_timeout(const struct tg_xoe *oe, uint64_t now_ns)
{
	uint64_t d = tg_xoe_deadline(oe), ms;

	if (d == UINT64_MAX)
		return -1;
	if (d <= now_ns)
		return 0;
	ms = (d - now_ns + 999999u) / 1000000u;
	return ms < INT_MAX ? (int)ms : INT_MAX;
}

/* ---- the end of the session ---- */

int tg_xoe_system_event(struct tg_xoe *oe, char code, uint64_t now_ns)
{
	struct tg_ouch_msg m;

	if (oe == NULL)
		return TG_ERR_ARG;
	if (oe->ended)
		return TG_ERR_STATE;
	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_SYSTEM_EVENT;
	m.u.system_event.timestamp = now_ns;
	m.u.system_event.event_code = code;
	for (unsigned i = 0; i < oe->n_users; i++)
		store_msg(oe, &oe->users[i], &m);
	return TG_OK;
}

void tg_xoe_end_session(struct tg_xoe *oe, uint64_t now_ns)
{
	if (oe == NULL || oe->ended)
		return;
	if (tg_xoe_system_event(oe, 'E', now_ns) != TG_OK)
		oe->c.dropped++;
	for (unsigned i = 0; i < oe->n_users; i++)
		tg_soup_store_end(oe->users[i].store);
	tg_soup_store_end(oe->nobody);
	oe->ended = true;
}

bool tg_xoe_ended(const struct tg_xoe *oe)
{
	return oe->ended;
}

/* ---- creation ---- */

static int listen_on(struct tg_xoe *oe, const char *address, uint16_t port)
{
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);
	char service[8];
	int one = 1, fd, err;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	if (getaddrinfo(address != NULL ? address : "127.0.0.1", service, &hints, &ai) != 0 || ai == NULL)
		return TG_ERR_ARG;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(ai);
		return TG_ERR_SYS;
	}
	/* a restarted exchange takes its port back from TIME_WAIT */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
		err = errno;
		close(fd);
		freeaddrinfo(ai);
		errno = err;
		return TG_ERR_SYS;
	}
	freeaddrinfo(ai);
	oe->lfd = fd;
	oe->port = sa.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&sa)->sin6_port)
					    : ntohs(((struct sockaddr_in *)&sa)->sin_port);
	return TG_OK;
}

static bool symbol_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n < 1 || n > TG_OUCH_SYMBOL_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static bool config_ok(const struct tg_xoe_config *cfg)
{
	if (cfg == NULL || cfg->users == NULL || cfg->n_users < 1 || cfg->n_users > 65535 || cfg->symbols == NULL ||
	    cfg->n_symbols < 1 || cfg->n_symbols > 65535 || cfg->venue.ops == NULL ||
	    cfg->venue.ops->enter == NULL || cfg->venue.ops->reduce == NULL || cfg->venue.ops->replace == NULL ||
	    (cfg->session != NULL && !tg_soup_text_ok(cfg->session, 0, TG_SOUP_SESSION_LEN)))
		return false;
	for (unsigned i = 0; i < cfg->n_users; i++) {
		const struct tg_xoe_user *u = &cfg->users[i];

		if (!tg_soup_text_ok(u->username, 1, TG_SOUP_USERNAME_LEN) || u->username[0] == ' ' ||
		    u->username[strlen(u->username) - 1] == ' ' ||
		    !tg_soup_text_ok(u->password != NULL ? u->password : "", 0, TG_SOUP_PASSWORD_LEN) ||
		    (u->firm != NULL && !tg_soup_text_ok(u->firm, 1, 4)))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (strcmp(cfg->users[j].username, u->username) == 0)
				return false;
	}
	for (unsigned i = 0; i < cfg->n_symbols; i++)
		if (!symbol_ok(cfg->symbols[i]))
			return false;
	return true;
}

int tg_xoe_new(const struct tg_xoe_config *cfg, struct tg_xoe **out)
{
	struct tg_xoe *oe;
	int rc = TG_ERR_NOMEM;

	if (out == NULL || !config_ok(cfg))
		return TG_ERR_ARG;
	oe = calloc(1, sizeof(*oe));
	if (oe == NULL)
		return TG_ERR_NOMEM;
	oe->lfd = -1;
	oe->free_head = NIL;
	if (cfg->session != NULL)
		strcpy(oe->session, cfg->session);
	oe->venue = cfg->venue;
	oe->heartbeat_ns = cfg->heartbeat_ns != 0 ? cfg->heartbeat_ns : TG_SOUP_HEARTBEAT_NS;
	oe->timeout_ns = cfg->timeout_ns != 0 ? cfg->timeout_ns : TG_SOUP_TIMEOUT_NS;
	oe->max_quantity = cfg->max_quantity != 0 ? cfg->max_quantity : TG_XOE_MAX_QUANTITY;
	oe->max_connections = cfg->max_connections != 0 ? cfg->max_connections : DEFAULT_MAX_CONNECTIONS;

	oe->n_symbols = cfg->n_symbols;
	oe->sym_sorted = calloc(cfg->n_symbols, sizeof(*oe->sym_sorted));
	oe->sym_key = calloc(cfg->n_symbols, sizeof(*oe->sym_key));
	oe->sym_name = calloc(cfg->n_symbols, sizeof(*oe->sym_name));
	oe->n_users = cfg->n_users;
	oe->users = calloc(cfg->n_users, sizeof(*oe->users));
	if (oe->sym_sorted == NULL || oe->sym_key == NULL || oe->sym_name == NULL || oe->users == NULL)
		goto fail;
	for (unsigned i = 0; i < cfg->n_symbols; i++) {
		pad(oe->sym_key[i], cfg->symbols[i], TG_OUCH_SYMBOL_LEN);
		strcpy(oe->sym_name[i], cfg->symbols[i]);
		memcpy(oe->sym_sorted[i].key, oe->sym_key[i], TG_OUCH_SYMBOL_LEN);
		oe->sym_sorted[i].locate = (uint16_t)(i + 1);
	}
	qsort(oe->sym_sorted, cfg->n_symbols, sizeof(*oe->sym_sorted), symbol_cmp);
	for (unsigned i = 1; i < cfg->n_symbols; i++)
		if (symbol_cmp(&oe->sym_sorted[i - 1], &oe->sym_sorted[i]) == 0) {
			rc = TG_ERR_ARG;
			goto fail;
		}
	if (tg_soup_store_new(oe->session, &oe->nobody) != TG_OK)
		goto fail;
	for (unsigned i = 0; i < cfg->n_users; i++) {
		struct user *u = &oe->users[i];

		strcpy(u->name, cfg->users[i].username);
		strcpy(u->password, cfg->users[i].password != NULL ? cfg->users[i].password : "");
		if (cfg->users[i].firm != NULL) {
			pad(u->firm, cfg->users[i].firm, 4);
			u->has_firm = true;
		}
		u->pos = calloc(cfg->n_symbols, sizeof(*u->pos));
		if (u->pos == NULL || tg_soup_store_new(oe->session, &u->store) != TG_OK)
			goto fail;
	}
	rc = listen_on(oe, cfg->address, cfg->port);
	if (rc != TG_OK)
		goto fail;
	*out = oe;
	return TG_OK;
fail:
	{
		int err = errno;

		tg_xoe_free(oe);
		errno = err;
	}
	return rc;
}

void tg_xoe_free(struct tg_xoe *oe)
{
	if (oe == NULL)
		return;
	for (unsigned i = 0; i < oe->n_conns; i++) {
		oe->conns[i]->user = -1;
		conn_close(oe, oe->conns[i]);
	}
	free(oe->conns);
	if (oe->lfd >= 0)
		close(oe->lfd);
	if (oe->users != NULL) {
		for (unsigned i = 0; i < oe->n_users; i++) {
			tg_soup_store_free(oe->users[i].store);
			free(oe->users[i].map);
			free(oe->users[i].pos);
		}
	}
	free(oe->users);
	tg_soup_store_free(oe->nobody);
	free(oe->orders);
	free(oe->sym_sorted);
	free(oe->sym_key);
	free(oe->sym_name);
	free(oe);
}

uint16_t tg_xoe_port(const struct tg_xoe *oe)
{
	return oe->port;
}

/* ---- state ---- */

unsigned tg_xoe_connections(const struct tg_xoe *oe)
{
	return oe->n_conns;
}

unsigned tg_xoe_sessions(const struct tg_xoe *oe)
{
	unsigned n = 0;

	for (unsigned i = 0; i < oe->n_conns; i++) {
		const struct conn *c = oe->conns[i];

		if (c->user >= 0 && !c->close_now && c->sess != NULL && tg_soup_session_live(c->sess))
			n++;
	}
	return n;
}

void tg_xoe_counters(const struct tg_xoe *oe, struct tg_xoe_counters *out)
{
	*out = oe->c;
}

unsigned tg_xoe_user_count(const struct tg_xoe *oe)
{
	return oe->n_users;
}

/* Open orders of a user, all symbols (locate 0) or one. */
static void open_orders(const struct tg_xoe *oe, uint32_t user, uint16_t locate, uint32_t *orders, uint64_t *buy,
			uint64_t *sell)
{
	*orders = 0;
	*buy = 0;
	*sell = 0;
	if (oe->users[user].orders == 0)
		return;
	for (uint32_t i = 0; i < oe->n_orders; i++) {
		const struct order *o = &oe->orders[i];

		if (!o->used || o->user != user || !o->accepted || o->leaves == 0 ||
		    (locate != 0 && o->locate != locate))
			continue;
		(*orders)++;
		if (is_buy(o->side))
			*buy += o->leaves;
		else
			*sell += o->leaves;
	}
}

int tg_xoe_user(const struct tg_xoe *oe, unsigned index, struct tg_xoe_user_stats *out)
{
	const struct user *u;

	if (oe == NULL || out == NULL || index >= oe->n_users)
		return TG_ERR_NOENT;
	u = &oe->users[index];
	memset(out, 0, sizeof(*out));
	out->username = u->name;
	out->connected = u->conn != NULL && u->conn->sess != NULL && tg_soup_session_live(u->conn->sess);
	out->logins = u->logins;
	out->stored = tg_soup_store_count(u->store);
	out->last_user_ref_num = u->last_urn;
	open_orders(oe, index, 0, &out->open_orders, &out->open_buy_shares, &out->open_sell_shares);
	out->accepts = u->accepts;
	out->rejects = u->rejects;
	out->executions = u->executions;
	out->cancels = u->cancels;
	out->replaces = u->replaces;
	for (unsigned s = 0; s < oe->n_symbols; s++) {
		out->bought += u->pos[s].bought;
		out->sold += u->pos[s].sold;
	}
	return TG_OK;
}

int tg_xoe_position(const struct tg_xoe *oe, unsigned index, uint16_t locate, struct tg_xoe_position *out)
{
	const struct pos *p;

	if (oe == NULL || out == NULL || index >= oe->n_users || locate < 1 || locate > oe->n_symbols)
		return TG_ERR_NOENT;
	p = &oe->users[index].pos[locate - 1];
	memset(out, 0, sizeof(*out));
	out->symbol = oe->sym_name[locate - 1];
	out->locate = locate;
	open_orders(oe, index, locate, &out->open_orders, &out->open_buy_shares, &out->open_sell_shares);
	out->bought = p->bought;
	out->sold = p->sold;
	out->buy_value = p->buy_value;
	out->sell_value = p->sell_value;
	out->position = (int64_t)p->bought - (int64_t)p->sold;
	return TG_OK;
}

void tg_xoe_write_json(const struct tg_xoe *oe, FILE *f)
{
	struct tg_json j;

	tg_json_init(&j, f);
	tg_xoe_json(oe, &j, NULL);
	tg_json_finish(&j);
}

void tg_xoe_json(const struct tg_xoe *oe, struct tg_json *j, const char *key)
{
	const struct tg_xoe_counters *c = &oe->c;

	tg_json_object_begin(j, key);
	tg_json_string(j, "session", oe->session);
	tg_json_u64(j, "port", oe->port);
	tg_json_bool(j, "ended", oe->ended);
	tg_json_u64(j, "connections", tg_xoe_connections(oe));
	tg_json_u64(j, "sessions", tg_xoe_sessions(oe));
	tg_json_object_begin(j, "counters");
	tg_json_u64(j, "connections", c->connections);
	tg_json_u64(j, "connections_refused", c->connections_refused);
	tg_json_u64(j, "logins_ok", c->logins_ok);
	tg_json_u64(j, "logins_rejected", c->logins_rejected);
	tg_json_u64(j, "takeovers", c->takeovers);
	tg_json_u64(j, "logouts", c->logouts);
	tg_json_u64(j, "timeouts", c->timeouts);
	tg_json_u64(j, "protocol_errors", c->protocol_errors);
	tg_json_u64(j, "disconnects", c->disconnects);
	tg_json_u64(j, "messages_in", c->messages_in);
	tg_json_u64(j, "malformed", c->malformed);
	tg_json_u64(j, "enters", c->enters);
	tg_json_u64(j, "replace_requests", c->replace_requests);
	tg_json_u64(j, "cancel_requests", c->cancel_requests);
	tg_json_u64(j, "modify_requests", c->modify_requests);
	tg_json_u64(j, "account_queries", c->account_queries);
	tg_json_u64(j, "cancels_ignored", c->cancels_ignored);
	tg_json_u64(j, "messages_out", c->messages_out);
	tg_json_u64(j, "accepts", c->accepts);
	tg_json_u64(j, "rejects", c->rejects);
	tg_json_object_begin(j, "rejects_by_reason");
	for (unsigned r = 0; r < TG_XOE_REJECT_CODES; r++)
		if (c->rejects_by_reason[r] != 0)
			tg_json_u64(j, tg_xoe_reject_name(r), c->rejects_by_reason[r]);
	tg_json_object_end(j);
	tg_json_u64(j, "replaces", c->replaces);
	tg_json_u64(j, "cancels", c->cancels);
	tg_json_u64(j, "canceled_shares", c->canceled_shares);
	tg_json_u64(j, "executions", c->executions);
	tg_json_u64(j, "executed_shares", c->executed_shares);
	tg_json_u64(j, "cancel_rejects", c->cancel_rejects);
	tg_json_u64(j, "modifies", c->modifies);
	tg_json_u64(j, "dropped", c->dropped);
	tg_json_u64(j, "events", c->events);
	tg_json_u64(j, "events_ours", c->events_ours);
	tg_json_u64(j, "events_stale", c->events_stale);
	tg_json_object_end(j);
	tg_json_array_begin(j, "users");
	for (unsigned i = 0; i < oe->n_users; i++) {
		struct tg_xoe_user_stats us;

		if (tg_xoe_user(oe, i, &us) != TG_OK)
			continue;
		tg_json_object_begin(j, NULL);
		tg_json_string(j, "username", us.username);
		tg_json_bool(j, "connected", us.connected);
		tg_json_u64(j, "logins", us.logins);
		tg_json_u64(j, "stored", us.stored);
		tg_json_u64(j, "last_user_ref_num", us.last_user_ref_num);
		tg_json_u64(j, "open_orders", us.open_orders);
		tg_json_u64(j, "open_buy_shares", us.open_buy_shares);
		tg_json_u64(j, "open_sell_shares", us.open_sell_shares);
		tg_json_u64(j, "accepts", us.accepts);
		tg_json_u64(j, "rejects", us.rejects);
		tg_json_u64(j, "executions", us.executions);
		tg_json_u64(j, "cancels", us.cancels);
		tg_json_u64(j, "replaces", us.replaces);
		tg_json_u64(j, "bought", us.bought);
		tg_json_u64(j, "sold", us.sold);
		tg_json_array_begin(j, "symbols");
		for (unsigned s = 1; s <= oe->n_symbols; s++) {
			struct tg_xoe_position p;

			if (tg_xoe_position(oe, i, (uint16_t)s, &p) != TG_OK ||
			    (p.open_orders == 0 && p.bought == 0 && p.sold == 0))
				continue;
			tg_json_object_begin(j, NULL);
			tg_json_string(j, "symbol", p.symbol);
			tg_json_u64(j, "locate", p.locate);
			tg_json_u64(j, "open_orders", p.open_orders);
			tg_json_u64(j, "open_buy_shares", p.open_buy_shares);
			tg_json_u64(j, "open_sell_shares", p.open_sell_shares);
			tg_json_u64(j, "bought", p.bought);
			tg_json_u64(j, "sold", p.sold);
			tg_json_u64(j, "buy_value", p.buy_value);
			tg_json_u64(j, "sell_value", p.sell_value);
			tg_json_i64(j, "position", p.position);
			tg_json_object_end(j);
		}
		tg_json_array_end(j);
		tg_json_object_end(j);
	}
	tg_json_array_end(j);
	tg_json_object_end(j);
}
