/*
 * OUCH 5.0 codec, see tickgate/ouch.h and docs/ouch.md.
 *
 * One table describes every message: its type byte, direction, name and
 * fields in wire order, each with its wire size and where it lives in the
 * message's struct. The decoder, the encoder, the fixed lengths and the
 * text form all walk that table, so a layout is written down once. (The
 * alternative, a hand-written pair of functions per message, is 38
 * functions that must agree with each other byte for byte.)
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tickgate/itch50.h"
#include "tickgate/ouch.h"

enum fkind {
	F_CHAR,		/* one byte, alpha */
	F_U16,
	F_U32,
	F_U64,
	F_PRICE,	/* u64, 4 implied decimals */
	F_TIME,		/* u64, ns since midnight */
	F_ALPHA,	/* size bytes, space padded */
	F_APP,		/* Appendage Length (2 bytes) then the appendage; always last */
};

struct field {
	const char *name;
	uint8_t kind;	/* enum fkind */
	uint8_t size;	/* wire bytes; F_APP: the length field's 2 */
	uint16_t off;	/* in the kind's struct */
};

struct layout {
	char type;
	uint8_t dir;	/* enum tg_ouch_dir */
	const char *name;
	const struct field *fields;
	unsigned n_fields;
};

#define OFF(s, m) (uint16_t)offsetof(struct s, m)
#define CHR(s, m) { #m, F_CHAR, 1, OFF(s, m) }
#define U16(s, m) { #m, F_U16, 2, OFF(s, m) }
#define U32(s, m) { #m, F_U32, 4, OFF(s, m) }
#define U64(s, m) { #m, F_U64, 8, OFF(s, m) }
#define PRC(s, m) { #m, F_PRICE, 8, OFF(s, m) }
#define TIM(s, m) { "timestamp", F_TIME, 8, OFF(s, m) }
#define ALP(s, m) { #m, F_ALPHA, (uint8_t)sizeof(((struct s *)0)->m), OFF(s, m) }
#define APP(s) { "appendage", F_APP, 2, OFF(s, app) }

static const struct field f_enter[] = {
	U32(tg_ouch_enter_order, user_ref_num), CHR(tg_ouch_enter_order, side),
	U32(tg_ouch_enter_order, quantity), ALP(tg_ouch_enter_order, symbol),
	PRC(tg_ouch_enter_order, price), CHR(tg_ouch_enter_order, tif),
	CHR(tg_ouch_enter_order, display), CHR(tg_ouch_enter_order, capacity),
	CHR(tg_ouch_enter_order, ise), CHR(tg_ouch_enter_order, cross_type),
	ALP(tg_ouch_enter_order, clordid), APP(tg_ouch_enter_order),
};

static const struct field f_replace[] = {
	U32(tg_ouch_replace_order, orig_user_ref_num), U32(tg_ouch_replace_order, user_ref_num),
	U32(tg_ouch_replace_order, quantity), PRC(tg_ouch_replace_order, price),
	CHR(tg_ouch_replace_order, tif), CHR(tg_ouch_replace_order, display),
	CHR(tg_ouch_replace_order, ise), ALP(tg_ouch_replace_order, clordid),
	APP(tg_ouch_replace_order),
};

static const struct field f_cancel[] = {
	U32(tg_ouch_cancel_order, user_ref_num), U32(tg_ouch_cancel_order, quantity),
};

static const struct field f_modify[] = {
	U32(tg_ouch_modify_order, user_ref_num), CHR(tg_ouch_modify_order, side),
	U32(tg_ouch_modify_order, quantity),
};

static const struct field f_system_event[] = {
	TIM(tg_ouch_system_event, timestamp), CHR(tg_ouch_system_event, event_code),
};

static const struct field f_accepted[] = {
	TIM(tg_ouch_order_accepted, timestamp), U32(tg_ouch_order_accepted, user_ref_num),
	CHR(tg_ouch_order_accepted, side), U32(tg_ouch_order_accepted, quantity),
	ALP(tg_ouch_order_accepted, symbol), PRC(tg_ouch_order_accepted, price),
	CHR(tg_ouch_order_accepted, tif), CHR(tg_ouch_order_accepted, display),
	U64(tg_ouch_order_accepted, order_ref_num), CHR(tg_ouch_order_accepted, capacity),
	CHR(tg_ouch_order_accepted, ise), CHR(tg_ouch_order_accepted, cross_type),
	CHR(tg_ouch_order_accepted, order_state), ALP(tg_ouch_order_accepted, clordid),
	APP(tg_ouch_order_accepted),
};

static const struct field f_replaced[] = {
	TIM(tg_ouch_order_replaced, timestamp), U32(tg_ouch_order_replaced, orig_user_ref_num),
	U32(tg_ouch_order_replaced, user_ref_num), CHR(tg_ouch_order_replaced, side),
	U32(tg_ouch_order_replaced, quantity), ALP(tg_ouch_order_replaced, symbol),
	PRC(tg_ouch_order_replaced, price), CHR(tg_ouch_order_replaced, tif),
	CHR(tg_ouch_order_replaced, display), U64(tg_ouch_order_replaced, order_ref_num),
	CHR(tg_ouch_order_replaced, capacity), CHR(tg_ouch_order_replaced, ise),
	CHR(tg_ouch_order_replaced, cross_type), CHR(tg_ouch_order_replaced, order_state),
	ALP(tg_ouch_order_replaced, clordid), APP(tg_ouch_order_replaced),
};

static const struct field f_canceled[] = {
	TIM(tg_ouch_order_canceled, timestamp), U32(tg_ouch_order_canceled, user_ref_num),
	U32(tg_ouch_order_canceled, quantity), CHR(tg_ouch_order_canceled, reason),
};

static const struct field f_aiq_canceled[] = {
	TIM(tg_ouch_aiq_canceled, timestamp), U32(tg_ouch_aiq_canceled, user_ref_num),
	U32(tg_ouch_aiq_canceled, decrement_shares), CHR(tg_ouch_aiq_canceled, reason),
	U32(tg_ouch_aiq_canceled, quantity_prevented), PRC(tg_ouch_aiq_canceled, execution_price),
	CHR(tg_ouch_aiq_canceled, liquidity_flag), CHR(tg_ouch_aiq_canceled, aiq_strategy),
};

static const struct field f_executed[] = {
	TIM(tg_ouch_order_executed, timestamp), U32(tg_ouch_order_executed, user_ref_num),
	U32(tg_ouch_order_executed, quantity), PRC(tg_ouch_order_executed, price),
	CHR(tg_ouch_order_executed, liquidity_flag), U64(tg_ouch_order_executed, match_number),
	APP(tg_ouch_order_executed),
};

static const struct field f_broken[] = {
	TIM(tg_ouch_broken_trade, timestamp), U32(tg_ouch_broken_trade, user_ref_num),
	U64(tg_ouch_broken_trade, match_number), CHR(tg_ouch_broken_trade, reason),
	ALP(tg_ouch_broken_trade, clordid),
};

static const struct field f_rejected[] = {
	TIM(tg_ouch_order_rejected, timestamp), U32(tg_ouch_order_rejected, user_ref_num),
	U16(tg_ouch_order_rejected, reason), ALP(tg_ouch_order_rejected, clordid),
};

static const struct field f_order_ref[] = {
	TIM(tg_ouch_order_ref, timestamp), U32(tg_ouch_order_ref, user_ref_num),
};

static const struct field f_priority[] = {
	TIM(tg_ouch_priority_update, timestamp), U32(tg_ouch_priority_update, user_ref_num),
	PRC(tg_ouch_priority_update, price), CHR(tg_ouch_priority_update, display),
	U64(tg_ouch_priority_update, order_ref_num),
};

static const struct field f_modified[] = {
	TIM(tg_ouch_order_modified, timestamp), U32(tg_ouch_order_modified, user_ref_num),
	CHR(tg_ouch_order_modified, side), U32(tg_ouch_order_modified, quantity),
};

static const struct field f_restated[] = {
	TIM(tg_ouch_order_restated, timestamp), U32(tg_ouch_order_restated, user_ref_num),
	CHR(tg_ouch_order_restated, reason), APP(tg_ouch_order_restated),
};

static const struct field f_query_response[] = {
	TIM(tg_ouch_account_query_response, timestamp),
	U32(tg_ouch_account_query_response, next_user_ref_num),
};

#define LAYOUT(t, d, nm, f) { t, d, nm, f, sizeof(f) / sizeof((f)[0]) }

/* Indexed by enum tg_ouch_kind. */
static const struct layout layouts[TG_OUCH_KIND_COUNT] = {
	[TG_OUCH_ENTER_ORDER] = LAYOUT('O', TG_OUCH_IN, "Enter Order", f_enter),
	[TG_OUCH_REPLACE_ORDER] = LAYOUT('U', TG_OUCH_IN, "Replace Order", f_replace),
	[TG_OUCH_CANCEL_ORDER] = LAYOUT('X', TG_OUCH_IN, "Cancel Order", f_cancel),
	[TG_OUCH_MODIFY_ORDER] = LAYOUT('M', TG_OUCH_IN, "Modify Order", f_modify),
	[TG_OUCH_ACCOUNT_QUERY] = { 'Q', TG_OUCH_IN, "Account Query Request", NULL, 0 },
	[TG_OUCH_SYSTEM_EVENT] = LAYOUT('S', TG_OUCH_OUT, "System Event", f_system_event),
	[TG_OUCH_ORDER_ACCEPTED] = LAYOUT('A', TG_OUCH_OUT, "Order Accepted", f_accepted),
	[TG_OUCH_ORDER_REPLACED] = LAYOUT('U', TG_OUCH_OUT, "Order Replaced", f_replaced),
	[TG_OUCH_ORDER_CANCELED] = LAYOUT('C', TG_OUCH_OUT, "Order Canceled", f_canceled),
	[TG_OUCH_AIQ_CANCELED] = LAYOUT('D', TG_OUCH_OUT, "AIQ Canceled", f_aiq_canceled),
	[TG_OUCH_ORDER_EXECUTED] = LAYOUT('E', TG_OUCH_OUT, "Order Executed", f_executed),
	[TG_OUCH_BROKEN_TRADE] = LAYOUT('B', TG_OUCH_OUT, "Broken Trade", f_broken),
	[TG_OUCH_ORDER_REJECTED] = LAYOUT('J', TG_OUCH_OUT, "Order Rejected", f_rejected),
	[TG_OUCH_CANCEL_PENDING] = LAYOUT('P', TG_OUCH_OUT, "Cancel Pending", f_order_ref),
	[TG_OUCH_CANCEL_REJECT] = LAYOUT('I', TG_OUCH_OUT, "Cancel Reject", f_order_ref),
	[TG_OUCH_PRIORITY_UPDATE] = LAYOUT('T', TG_OUCH_OUT, "Order Priority Update", f_priority),
	[TG_OUCH_ORDER_MODIFIED] = LAYOUT('M', TG_OUCH_OUT, "Order Modified", f_modified),
	[TG_OUCH_ORDER_RESTATED] = LAYOUT('R', TG_OUCH_OUT, "Order Restated", f_restated),
	[TG_OUCH_ACCOUNT_QUERY_RESPONSE] = LAYOUT('Q', TG_OUCH_OUT, "Account Query Response",
						  f_query_response),
};

static const struct tg_ouch_opt_info opt_table[] = {
	{ TG_OUCH_TAG_SECONDARY_ORD_REF_NUM, 8, TG_OUCH_OPT_UINT, "SecondaryOrdRefNum" },
	{ TG_OUCH_TAG_FIRM, 4, TG_OUCH_OPT_ALPHA, "Firm" },
	{ TG_OUCH_TAG_MIN_QTY, 4, TG_OUCH_OPT_UINT, "MinQty" },
	{ TG_OUCH_TAG_CUSTOMER_TYPE, 1, TG_OUCH_OPT_ALPHA, "CustomerType" },
	{ TG_OUCH_TAG_MAX_FLOOR, 4, TG_OUCH_OPT_UINT, "MaxFloor" },
	{ TG_OUCH_TAG_PRICE_TYPE, 1, TG_OUCH_OPT_ALPHA, "PriceType" },
	{ TG_OUCH_TAG_PEG_OFFSET, 4, TG_OUCH_OPT_SIGNED_PRICE, "PegOffset" },
	{ TG_OUCH_TAG_DISCRETION_PRICE, 8, TG_OUCH_OPT_PRICE, "DiscretionPrice" },
	{ TG_OUCH_TAG_DISCRETION_PRICE_TYPE, 1, TG_OUCH_OPT_ALPHA, "DiscretionPriceType" },
	{ TG_OUCH_TAG_DISCRETION_PEG_OFFSET, 4, TG_OUCH_OPT_SIGNED_PRICE, "DiscretionPegOffset" },
	{ TG_OUCH_TAG_POST_ONLY, 1, TG_OUCH_OPT_ALPHA, "PostOnly" },
	{ TG_OUCH_TAG_RANDOM_RESERVES, 4, TG_OUCH_OPT_UINT, "RandomReserves" },
	{ TG_OUCH_TAG_ROUTE, 4, TG_OUCH_OPT_ALPHA, "Route" },
	{ TG_OUCH_TAG_EXPIRE_TIME, 4, TG_OUCH_OPT_UINT, "ExpireTime" },
	{ TG_OUCH_TAG_TRADE_NOW, 1, TG_OUCH_OPT_ALPHA, "TradeNow" },
	{ TG_OUCH_TAG_HANDLE_INST, 1, TG_OUCH_OPT_ALPHA, "HandleInst" },
	{ TG_OUCH_TAG_BBO_WEIGHT_INDICATOR, 1, TG_OUCH_OPT_ALPHA, "BBOWeightIndicator" },
	{ TG_OUCH_TAG_REFERENCE_PRICE, 8, TG_OUCH_OPT_PRICE, "ReferencePrice" },
	{ TG_OUCH_TAG_REFERENCE_PRICE_TYPE, 1, TG_OUCH_OPT_ALPHA, "ReferencePriceType" },
	{ TG_OUCH_TAG_DISPLAY_QUANTITY, 4, TG_OUCH_OPT_UINT, "DisplayQuantity" },
	{ TG_OUCH_TAG_DISPLAY_PRICE, 8, TG_OUCH_OPT_PRICE, "DisplayPrice" },
	{ TG_OUCH_TAG_GROUP_ID, 2, TG_OUCH_OPT_UINT, "GroupID" },
	{ TG_OUCH_TAG_SHARES_LOCATED, 1, TG_OUCH_OPT_ALPHA, "SharesLocated" },
	{ TG_OUCH_TAG_LOCATE_BROKER, 4, TG_OUCH_OPT_ALPHA, "LocateBroker" },
	{ TG_OUCH_TAG_SIDE, 1, TG_OUCH_OPT_ALPHA, "Side" },
	{ TG_OUCH_TAG_USER_REF_IDX, 1, TG_OUCH_OPT_UINT, "UserRefIdx" },
};

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static const struct layout *layout_of(enum tg_ouch_kind kind)
{
	return (unsigned)kind < TG_OUCH_KIND_COUNT ? &layouts[kind] : NULL;
}

/* Type byte plus every field's wire size (the appendage counts its length field). */
static size_t layout_fixed(const struct layout *l)
{
	size_t n = 1;

	for (unsigned i = 0; i < l->n_fields; i++)
		n += l->fields[i].size;
	return n;
}

static const struct field *layout_app(const struct layout *l)
{
	return l->n_fields > 0 && l->fields[l->n_fields - 1].kind == F_APP ? &l->fields[l->n_fields - 1]
									  : NULL;
}

int tg_ouch_kind_of(enum tg_ouch_dir dir, uint8_t t)
{
	for (int k = 0; k < TG_OUCH_KIND_COUNT; k++)
		if (layouts[k].dir == dir && (uint8_t)layouts[k].type == t)
			return k;
	return -1;
}

char tg_ouch_kind_type(enum tg_ouch_kind kind)
{
	const struct layout *l = layout_of(kind);

	return l != NULL ? l->type : 0;
}

enum tg_ouch_dir tg_ouch_kind_dir(enum tg_ouch_kind kind)
{
	const struct layout *l = layout_of(kind);

	return l != NULL ? (enum tg_ouch_dir)l->dir : TG_OUCH_IN;
}

const char *tg_ouch_kind_name(enum tg_ouch_kind kind)
{
	const struct layout *l = layout_of(kind);

	return l != NULL ? l->name : NULL;
}

bool tg_ouch_has_appendage(enum tg_ouch_kind kind)
{
	const struct layout *l = layout_of(kind);

	return l != NULL && layout_app(l) != NULL;
}

size_t tg_ouch_fixed_len(enum tg_ouch_dir dir, uint8_t t)
{
	int k = tg_ouch_kind_of(dir, t);

	return k < 0 ? 0 : layout_fixed(&layouts[k]);
}

const char *tg_ouch_name(enum tg_ouch_dir dir, uint8_t t)
{
	int k = tg_ouch_kind_of(dir, t);

	return k < 0 ? "unknown" : layouts[k].name;
}

struct tg_ouch_appendage *tg_ouch_msg_appendage(struct tg_ouch_msg *m)
{
	const struct layout *l = m != NULL ? layout_of(m->kind) : NULL;
	const struct field *f = l != NULL ? layout_app(l) : NULL;

	return f != NULL ? (struct tg_ouch_appendage *)(void *)((uint8_t *)&m->u + f->off) : NULL;
}

const struct tg_ouch_appendage *tg_ouch_msg_appendage_c(const struct tg_ouch_msg *m)
{
	return tg_ouch_msg_appendage((struct tg_ouch_msg *)m);
}

/* ---- options ---- */

const struct tg_ouch_opt_info *tg_ouch_opt_info(uint8_t tag)
{
	for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
		if (opt_table[i].tag == tag)
			return &opt_table[i];
	return NULL;
}

/* Whether n bytes at p are a sequence of non-empty options none of which runs past the end. */
static bool options_framed(const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t olen = p[0];

		if (olen == 0 || olen > n - 1)
			return false;
		p += 1 + olen;
		n -= 1 + olen;
	}
	return true;
}

bool tg_ouch_appendage_valid(const struct tg_ouch_appendage *app)
{
	return app->len <= TG_OUCH_APPENDAGE_MAX && options_framed(app->bytes, app->len);
}

void tg_ouch_opt_begin(struct tg_ouch_opt_iter *it, const struct tg_ouch_appendage *app)
{
	it->p = app->bytes;
	it->left = app->len <= TG_OUCH_APPENDAGE_MAX ? app->len : 0;
}

int tg_ouch_opt_next(struct tg_ouch_opt_iter *it, struct tg_ouch_opt *opt)
{
	size_t olen;

	if (it->left == 0)
		return 0;
	olen = it->p[0];
	if (olen == 0 || olen > it->left - 1) {
		it->left = 0;
		return TG_ERR_OPTION;
	}
	opt->tag = it->p[1];
	opt->len = (uint8_t)(olen - 1);
	opt->value = it->p + 2;
	opt->info = tg_ouch_opt_info(opt->tag);
	it->p += 1 + olen;
	it->left -= 1 + olen;
	if (opt->info != NULL && opt->info->size != opt->len) {
		it->left = 0;
		return TG_ERR_OPTION;
	}
	return 1;
}

int tg_ouch_opt_find(const struct tg_ouch_appendage *app, uint8_t tag, struct tg_ouch_opt *opt)
{
	struct tg_ouch_opt_iter it;
	int rc;

	tg_ouch_opt_begin(&it, app);
	while ((rc = tg_ouch_opt_next(&it, opt)) == 1)
		if (opt->tag == tag)
			return 1;
	return rc;
}

uint64_t tg_ouch_opt_uint(const struct tg_ouch_opt *opt)
{
	return tg_be(opt->value, opt->len <= 8 ? opt->len : 8);
}

int64_t tg_ouch_opt_int(const struct tg_ouch_opt *opt)
{
	unsigned n = opt->len <= 8 ? opt->len : 8;
	uint64_t v = tg_be(opt->value, n);

	if (n > 0 && n < 8 && (v >> (8 * n - 1)) != 0)
		v |= ~0ull << (8 * n);	/* sign-extend */
	return (int64_t)v;
}

int tg_ouch_opt_add(struct tg_ouch_appendage *app, uint8_t tag, const void *value, size_t len)
{
	if (app == NULL || (value == NULL && len != 0) || len > 254 || app->len > TG_OUCH_APPENDAGE_MAX ||
	    TG_OUCH_APPENDAGE_MAX - app->len < 2 + len)
		return TG_ERR_ARG;
	app->bytes[app->len] = (uint8_t)(1 + len);
	app->bytes[app->len + 1] = tag;
	if (len > 0)
		memcpy(app->bytes + app->len + 2, value, len);
	app->len = (uint16_t)(app->len + 2 + len);
	return TG_OK;
}

static const struct tg_ouch_opt_info *numeric_info(uint8_t tag)
{
	const struct tg_ouch_opt_info *info = tg_ouch_opt_info(tag);

	return info != NULL && info->type != TG_OUCH_OPT_ALPHA ? info : NULL;
}

int tg_ouch_opt_add_uint(struct tg_ouch_appendage *app, uint8_t tag, uint64_t value)
{
	const struct tg_ouch_opt_info *info = numeric_info(tag);
	uint8_t b[8];

	if (info == NULL || (info->size < 8 && value >> (8 * info->size) != 0))
		return TG_ERR_ARG;
	put_be(b, value, info->size);
	return tg_ouch_opt_add(app, tag, b, info->size);
}

int tg_ouch_opt_add_int(struct tg_ouch_appendage *app, uint8_t tag, int64_t value)
{
	const struct tg_ouch_opt_info *info = numeric_info(tag);
	uint8_t b[8];

	if (info == NULL)
		return TG_ERR_ARG;
	if (info->size < 8) {
		int64_t lim = (int64_t)1 << (8 * info->size - 1);

		if (value < -lim || value >= lim)
			return TG_ERR_ARG;
	}
	put_be(b, (uint64_t)value, info->size);
	return tg_ouch_opt_add(app, tag, b, info->size);
}

int tg_ouch_opt_add_alpha(struct tg_ouch_appendage *app, uint8_t tag, const char *text)
{
	const struct tg_ouch_opt_info *info = tg_ouch_opt_info(tag);
	uint8_t b[8];
	size_t n = text != NULL ? strlen(text) : 0;

	if (info == NULL || info->type != TG_OUCH_OPT_ALPHA || text == NULL || n > info->size)
		return TG_ERR_ARG;
	memset(b, ' ', sizeof(b));
	memcpy(b, text, n);
	return tg_ouch_opt_add(app, tag, b, info->size);
}

/* ---- decode / encode ---- */

int tg_ouch_decode(enum tg_ouch_dir dir, const uint8_t *buf, size_t len, struct tg_ouch_msg *m)
{
	const struct layout *l;
	const uint8_t *p;
	size_t fixed;
	int k;

	if (buf == NULL || m == NULL || (dir != TG_OUCH_IN && dir != TG_OUCH_OUT))
		return TG_ERR_ARG;
	if (len < 1)
		return TG_ERR_SHORT;
	k = tg_ouch_kind_of(dir, buf[0]);
	if (k < 0)
		return TG_ERR_MSGTYPE;
	l = &layouts[k];
	fixed = layout_fixed(l);
	if (len < fixed)
		return TG_ERR_SHORT;
	m->kind = (enum tg_ouch_kind)k;
	p = buf + 1;
	for (unsigned i = 0; i < l->n_fields; i++) {
		const struct field *f = &l->fields[i];
		uint8_t *dst = (uint8_t *)&m->u + f->off;
		uint64_t v = f->kind != F_ALPHA ? tg_be(p, f->size) : 0;

		switch (f->kind) {
		case F_CHAR:
			*(char *)dst = (char)p[0];
			break;
		case F_U16: {
			uint16_t x = (uint16_t)v;

			memcpy(dst, &x, sizeof(x));
			break;
		}
		case F_U32: {
			uint32_t x = (uint32_t)v;

			memcpy(dst, &x, sizeof(x));
			break;
		}
		case F_ALPHA:
			memcpy(dst, p, f->size);
			break;
		case F_APP: {
			struct tg_ouch_appendage *app = (struct tg_ouch_appendage *)(void *)dst;

			/* the length field ends the fixed part: len - fixed bytes follow */
			if (v > len - fixed || v > TG_OUCH_APPENDAGE_MAX)
				return TG_ERR_APPENDAGE;
			if (!options_framed(p + 2, (size_t)v))
				return TG_ERR_OPTION;
			app->len = (uint16_t)v;
			memcpy(app->bytes, p + 2, (size_t)v);
			fixed += (size_t)v;
			break;
		}
		default:	/* F_U64, F_PRICE, F_TIME */
			memcpy(dst, &v, sizeof(v));
			break;
		}
		p += f->size;
	}
	return len == fixed ? TG_OK : TG_ERR_LENGTH;
}

size_t tg_ouch_encoded_len(const struct tg_ouch_msg *m)
{
	const struct layout *l = m != NULL ? layout_of(m->kind) : NULL;
	const struct tg_ouch_appendage *app;

	if (l == NULL)
		return 0;
	app = tg_ouch_msg_appendage_c(m);
	if (app != NULL && app->len > TG_OUCH_APPENDAGE_MAX)
		return 0;
	return layout_fixed(l) + (app != NULL ? app->len : 0);
}

int tg_ouch_encode(const struct tg_ouch_msg *m, uint8_t *out, size_t cap)
{
	size_t len = tg_ouch_encoded_len(m);
	const struct layout *l;
	uint8_t *p;

	if (len == 0 || out == NULL || len > cap)
		return TG_ERR_ARG;
	l = layout_of(m->kind);
	p = out + 1;
	if (layout_app(l) != NULL && !tg_ouch_appendage_valid(tg_ouch_msg_appendage_c(m)))
		return TG_ERR_OPTION;
	out[0] = (uint8_t)l->type;
	for (unsigned i = 0; i < l->n_fields; i++) {
		const struct field *f = &l->fields[i];
		const uint8_t *src = (const uint8_t *)&m->u + f->off;
		uint64_t v = 0;

		switch (f->kind) {
		case F_CHAR:
			v = (uint8_t)*(const char *)src;
			break;
		case F_U16: {
			uint16_t x;

			memcpy(&x, src, sizeof(x));
			v = x;
			break;
		}
		case F_U32: {
			uint32_t x;

			memcpy(&x, src, sizeof(x));
			v = x;
			break;
		}
		case F_ALPHA:
			memcpy(p, src, f->size);
			break;
		case F_APP: {
			const struct tg_ouch_appendage *app = (const struct tg_ouch_appendage *)(const void *)src;

			v = app->len;
			memcpy(p + 2, app->bytes, app->len);
			break;
		}
		default:
			memcpy(&v, src, sizeof(v));
			break;
		}
		if (f->kind != F_ALPHA)
			put_be(p, v, f->size);
		p += f->size;
	}
	return (int)len;
}

/* ---- builders ---- */

/* Copy text (at most n printable ASCII characters, at least min) padded with spaces. */
static bool pad_text(char *dst, const char *text, size_t n, size_t min)
{
	size_t len = text != NULL ? strlen(text) : 0;

	if (len < min || len > n)
		return false;
	for (size_t i = 0; i < len; i++)
		if (text[i] < 0x20 || text[i] > 0x7e)
			return false;
	memset(dst, ' ', n);
	if (len > 0)
		memcpy(dst, text, len);
	return true;
}

int tg_ouch_enter_order(struct tg_ouch_msg *m, uint32_t user_ref_num, char side, uint32_t quantity,
			const char *symbol, uint64_t price, char tif, char display, char capacity, char ise,
			char cross_type, const char *clordid)
{
	struct tg_ouch_enter_order o;

	if (m == NULL || !pad_text(o.symbol, symbol, sizeof(o.symbol), 1) ||
	    !pad_text(o.clordid, clordid, sizeof(o.clordid), 0))
		return TG_ERR_ARG;
	o.user_ref_num = user_ref_num;
	o.side = side;
	o.quantity = quantity;
	o.price = price;
	o.tif = tif;
	o.display = display;
	o.capacity = capacity;
	o.ise = ise;
	o.cross_type = cross_type;
	o.app.len = 0;
	m->kind = TG_OUCH_ENTER_ORDER;
	m->u.enter = o;
	return TG_OK;
}

int tg_ouch_replace_order(struct tg_ouch_msg *m, uint32_t orig_user_ref_num, uint32_t user_ref_num,
			  uint32_t quantity, uint64_t price, char tif, char display, char ise, const char *clordid)
{
	struct tg_ouch_replace_order o;

	if (m == NULL || !pad_text(o.clordid, clordid, sizeof(o.clordid), 0))
		return TG_ERR_ARG;
	o.orig_user_ref_num = orig_user_ref_num;
	o.user_ref_num = user_ref_num;
	o.quantity = quantity;
	o.price = price;
	o.tif = tif;
	o.display = display;
	o.ise = ise;
	o.app.len = 0;
	m->kind = TG_OUCH_REPLACE_ORDER;
	m->u.replace = o;
	return TG_OK;
}

void tg_ouch_cancel_order(struct tg_ouch_msg *m, uint32_t user_ref_num, uint32_t quantity)
{
	m->kind = TG_OUCH_CANCEL_ORDER;
	m->u.cancel.user_ref_num = user_ref_num;
	m->u.cancel.quantity = quantity;
}

/* ---- text ---- */

struct text {
	char *buf;
	size_t cap;
	size_t n;	/* characters wanted so far */
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(t->n < t->cap ? t->buf + t->n : NULL, t->n < t->cap ? t->cap - t->n : 0, fmt, ap);
	va_end(ap);
	if (r > 0)
		t->n += (size_t)r;
}

/* One byte: printable ASCII other than space and backslash as itself, the rest as \xNN. */
static void put_char(struct text *t, uint8_t c)
{
	if (c > 0x20 && c < 0x7f && c != '\\')
		put(t, "%c", (char)c);
	else
		put(t, "\\x%02x", c);
}

/* Bytes as text without trailing spaces; other bytes than printable ASCII as \xNN. */
static void put_alpha(struct text *t, const uint8_t *p, size_t n)
{
	while (n > 0 && p[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ' ')
			put(t, " ");
		else
			put_char(t, p[i]);
	}
}

static void put_price(struct text *t, uint64_t raw)
{
	char s[32];

	tg_itch_format_price(s, sizeof(s), raw, 4);
	put(t, "%s", s);
}

static void put_appendage(struct text *t, const struct tg_ouch_appendage *app)
{
	struct tg_ouch_opt_iter it;
	struct tg_ouch_opt o;
	int rc, first = 1;

	put(t, "[");
	tg_ouch_opt_begin(&it, app);
	while ((rc = tg_ouch_opt_next(&it, &o)) == 1) {
		put(t, "%s", first ? "" : " ");
		first = 0;
		if (o.info == NULL) {
			put(t, "tag%u=0x", o.tag);
			for (unsigned i = 0; i < o.len; i++)
				put(t, "%02x", o.value[i]);
			continue;
		}
		put(t, "%s=", o.info->name);
		switch (o.info->type) {
		case TG_OUCH_OPT_ALPHA:
			put_alpha(t, o.value, o.len);
			break;
		case TG_OUCH_OPT_PRICE:
			put_price(t, tg_ouch_opt_uint(&o));
			break;
		case TG_OUCH_OPT_SIGNED_PRICE: {
			int64_t v = tg_ouch_opt_int(&o);
			uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

			put(t, "%s", v < 0 ? "-" : "");
			put_price(t, mag);
			break;
		}
		default:
			put(t, "%" PRIu64, tg_ouch_opt_uint(&o));
			break;
		}
	}
	if (rc < 0)
		put(t, "%smalformed", first ? "" : " ");
	put(t, "]");
}

int tg_ouch_format(const struct tg_ouch_msg *m, char *buf, size_t cap)
{
	struct text t = { buf, cap, 0 };
	const struct layout *l = m != NULL ? layout_of(m->kind) : NULL;

	if (cap > 0)
		buf[0] = '\0';
	if (l == NULL) {
		put(&t, "(not an OUCH 5.0 message)");
		return (int)(t.n < INT_MAX ? t.n : INT_MAX);
	}
	put(&t, "%s %c", l->name, l->type);
	for (unsigned i = 0; i < l->n_fields; i++) {
		const struct field *f = &l->fields[i];
		const uint8_t *src = (const uint8_t *)&m->u + f->off;
		uint64_t v64;
		uint32_t v32;
		uint16_t v16;
		char ts[20];

		put(&t, " %s=", f->name);
		switch (f->kind) {
		case F_CHAR:
			put_char(&t, *src);
			break;
		case F_U16:
			memcpy(&v16, src, sizeof(v16));
			put(&t, "%u", (unsigned)v16);
			break;
		case F_U32:
			memcpy(&v32, src, sizeof(v32));
			put(&t, "%" PRIu32, v32);
			break;
		case F_ALPHA:
			put_alpha(&t, src, f->size);
			break;
		case F_APP:
			put_appendage(&t, (const struct tg_ouch_appendage *)(const void *)src);
			break;
		case F_PRICE:
			memcpy(&v64, src, sizeof(v64));
			put_price(&t, v64);
			break;
		case F_TIME:
			memcpy(&v64, src, sizeof(v64));
			tg_itch_format_time(ts, v64);
			put(&t, "%s", ts);
			break;
		default:
			memcpy(&v64, src, sizeof(v64));
			put(&t, "%" PRIu64, v64);
			break;
		}
	}
	return (int)(t.n < INT_MAX ? t.n : INT_MAX);
}
