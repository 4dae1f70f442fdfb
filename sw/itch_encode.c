/*
 * ITCH 5.0 message encoders: see tickgate/itch_encode.h. Each encoder
 * writes every field of its type in offset order, so the message has no
 * byte left from whatever the buffer held before (the unit test checks it
 * by encoding over two different fills).
 */
#include <string.h>

#include "tickgate/itch_encode.h"

void tg_itch_put_alpha(uint8_t *dst, const char *s, size_t n)
{
	size_t i = 0;

	if (s != NULL)
		for (; i < n && s[i] != '\0'; i++)
			dst[i] = (uint8_t)s[i];
	for (; i < n; i++)
		dst[i] = ' ';
}

size_t tg_itch_enc_header(uint8_t *m, char type, const struct tg_itch_hdr *h)
{
	m[0] = (uint8_t)type;
	tg_itch_put_be(m + TG_ITCH_HDR_STOCK_LOCATE_OFF, h->locate, 2);
	tg_itch_put_be(m + TG_ITCH_HDR_TRACKING_NUMBER_OFF, h->tracking, 2);
	tg_itch_put_be(m + TG_ITCH_HDR_TIMESTAMP_OFF, h->ts_ns, 6);
	return TG_ITCH_HDR_LEN;
}

size_t tg_itch_enc_system_event(uint8_t *m, const struct tg_itch_hdr *h, char event_code)
{
	tg_itch_enc_header(m, TG_ITCH_SYSTEM_EVENT_TYPE, h);
	m[TG_ITCH_SYSTEM_EVENT_EVENT_CODE_OFF] = (uint8_t)event_code;
	return TG_ITCH_SYSTEM_EVENT_LEN;
}

void tg_itch_stock_directory_defaults(struct tg_itch_stock_directory *d, const char *stock)
{
	*d = (struct tg_itch_stock_directory){
		.stock = stock,
		.market_category = 'Q',
		.financial_status = 'N',
		.round_lot_size = 100,
		.round_lots_only = 'N',
		.issue_classification = 'C',
		.issue_sub_type = "Z",
		.authenticity = 'P',
		.short_sale_threshold = 'N',
		.ipo_flag = ' ',
		.luld_tier = '1',
		.etp_flag = 'N',
		.etp_leverage_factor = 0,
		.inverse_indicator = 'N',
	};
}

size_t tg_itch_enc_stock_directory(uint8_t *m, const struct tg_itch_hdr *h, const struct tg_itch_stock_directory *d)
{
	tg_itch_enc_header(m, TG_ITCH_STOCK_DIRECTORY_TYPE, h);
	tg_itch_put_alpha(m + TG_ITCH_STOCK_DIRECTORY_STOCK_OFF, d->stock, 8);
	m[TG_ITCH_STOCK_DIRECTORY_MARKET_CATEGORY_OFF] = (uint8_t)d->market_category;
	m[TG_ITCH_STOCK_DIRECTORY_FINANCIAL_STATUS_INDICATOR_OFF] = (uint8_t)d->financial_status;
	tg_itch_put_be(m + TG_ITCH_STOCK_DIRECTORY_ROUND_LOT_SIZE_OFF, d->round_lot_size, 4);
	m[TG_ITCH_STOCK_DIRECTORY_ROUND_LOTS_ONLY_OFF] = (uint8_t)d->round_lots_only;
	m[TG_ITCH_STOCK_DIRECTORY_ISSUE_CLASSIFICATION_OFF] = (uint8_t)d->issue_classification;
	tg_itch_put_alpha(m + TG_ITCH_STOCK_DIRECTORY_ISSUE_SUB_TYPE_OFF, d->issue_sub_type, 2);
	m[TG_ITCH_STOCK_DIRECTORY_AUTHENTICITY_OFF] = (uint8_t)d->authenticity;
	m[TG_ITCH_STOCK_DIRECTORY_SHORT_SALE_THRESHOLD_INDICATOR_OFF] = (uint8_t)d->short_sale_threshold;
	m[TG_ITCH_STOCK_DIRECTORY_IPO_FLAG_OFF] = (uint8_t)d->ipo_flag;
	m[TG_ITCH_STOCK_DIRECTORY_LULD_REFERENCE_PRICE_TIER_OFF] = (uint8_t)d->luld_tier;
	m[TG_ITCH_STOCK_DIRECTORY_ETP_FLAG_OFF] = (uint8_t)d->etp_flag;
	tg_itch_put_be(m + TG_ITCH_STOCK_DIRECTORY_ETP_LEVERAGE_FACTOR_OFF, d->etp_leverage_factor, 4);
	m[TG_ITCH_STOCK_DIRECTORY_INVERSE_INDICATOR_OFF] = (uint8_t)d->inverse_indicator;
	return TG_ITCH_STOCK_DIRECTORY_LEN;
}

size_t tg_itch_enc_trading_action(uint8_t *m, const struct tg_itch_hdr *h, const char *stock, char state,
				  const char *reason)
{
	tg_itch_enc_header(m, TG_ITCH_TRADING_ACTION_TYPE, h);
	tg_itch_put_alpha(m + TG_ITCH_TRADING_ACTION_STOCK_OFF, stock, 8);
	m[TG_ITCH_TRADING_ACTION_TRADING_STATE_OFF] = (uint8_t)state;
	m[TG_ITCH_TRADING_ACTION_RESERVED_OFF] = ' ';
	tg_itch_put_alpha(m + TG_ITCH_TRADING_ACTION_REASON_OFF, reason, 4);
	return TG_ITCH_TRADING_ACTION_LEN;
}

/* A and F share their first fields at the same offsets. */
_Static_assert(TG_ITCH_ADD_ORDER_PRICE_OFF == TG_ITCH_ADD_ORDER_MPID_PRICE_OFF &&
		       TG_ITCH_ADD_ORDER_STOCK_OFF == TG_ITCH_ADD_ORDER_MPID_STOCK_OFF &&
		       TG_ITCH_ADD_ORDER_SHARES_OFF == TG_ITCH_ADD_ORDER_MPID_SHARES_OFF &&
		       TG_ITCH_ADD_ORDER_BUY_SELL_INDICATOR_OFF == TG_ITCH_ADD_ORDER_MPID_BUY_SELL_INDICATOR_OFF &&
		       TG_ITCH_ADD_ORDER_ORDER_REFERENCE_NUMBER_OFF ==
			       TG_ITCH_ADD_ORDER_MPID_ORDER_REFERENCE_NUMBER_OFF,
	       "A and F differ before the attribution");

static void add_fields(uint8_t *m, uint64_t ref, char side, uint32_t shares, const char *stock, uint32_t price)
{
	tg_itch_put_be(m + TG_ITCH_ADD_ORDER_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
	m[TG_ITCH_ADD_ORDER_BUY_SELL_INDICATOR_OFF] = (uint8_t)side;
	tg_itch_put_be(m + TG_ITCH_ADD_ORDER_SHARES_OFF, shares, 4);
	tg_itch_put_alpha(m + TG_ITCH_ADD_ORDER_STOCK_OFF, stock, 8);
	tg_itch_put_be(m + TG_ITCH_ADD_ORDER_PRICE_OFF, price, 4);
}

size_t tg_itch_enc_add_order(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, char side, uint32_t shares,
			     const char *stock, uint32_t price)
{
	tg_itch_enc_header(m, TG_ITCH_ADD_ORDER_TYPE, h);
	add_fields(m, ref, side, shares, stock, price);
	return TG_ITCH_ADD_ORDER_LEN;
}

size_t tg_itch_enc_add_order_mpid(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, char side,
				  uint32_t shares, const char *stock, uint32_t price, const char *mpid)
{
	tg_itch_enc_header(m, TG_ITCH_ADD_ORDER_MPID_TYPE, h);
	add_fields(m, ref, side, shares, stock, price);
	tg_itch_put_alpha(m + TG_ITCH_ADD_ORDER_MPID_ATTRIBUTION_OFF, mpid, 4);
	return TG_ITCH_ADD_ORDER_MPID_LEN;
}

size_t tg_itch_enc_order_executed(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, uint32_t shares,
				  uint64_t match)
{
	tg_itch_enc_header(m, TG_ITCH_ORDER_EXECUTED_TYPE, h);
	tg_itch_put_be(m + TG_ITCH_ORDER_EXECUTED_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
	tg_itch_put_be(m + TG_ITCH_ORDER_EXECUTED_EXECUTED_SHARES_OFF, shares, 4);
	tg_itch_put_be(m + TG_ITCH_ORDER_EXECUTED_MATCH_NUMBER_OFF, match, 8);
	return TG_ITCH_ORDER_EXECUTED_LEN;
}

size_t tg_itch_enc_order_executed_price(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, uint32_t shares,
					uint64_t match, char printable, uint32_t price)
{
	tg_itch_enc_header(m, TG_ITCH_ORDER_EXECUTED_PRICE_TYPE, h);
	tg_itch_put_be(m + TG_ITCH_ORDER_EXECUTED_PRICE_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
	tg_itch_put_be(m + TG_ITCH_ORDER_EXECUTED_PRICE_EXECUTED_SHARES_OFF, shares, 4);
	tg_itch_put_be(m + TG_ITCH_ORDER_EXECUTED_PRICE_MATCH_NUMBER_OFF, match, 8);
	m[TG_ITCH_ORDER_EXECUTED_PRICE_PRINTABLE_OFF] = (uint8_t)printable;
	tg_itch_put_be(m + TG_ITCH_ORDER_EXECUTED_PRICE_EXECUTION_PRICE_OFF, price, 4);
	return TG_ITCH_ORDER_EXECUTED_PRICE_LEN;
}

size_t tg_itch_enc_order_cancel(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, uint32_t shares)
{
	tg_itch_enc_header(m, TG_ITCH_ORDER_CANCEL_TYPE, h);
	tg_itch_put_be(m + TG_ITCH_ORDER_CANCEL_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
	tg_itch_put_be(m + TG_ITCH_ORDER_CANCEL_CANCELED_SHARES_OFF, shares, 4);
	return TG_ITCH_ORDER_CANCEL_LEN;
}

size_t tg_itch_enc_order_delete(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref)
{
	tg_itch_enc_header(m, TG_ITCH_ORDER_DELETE_TYPE, h);
	tg_itch_put_be(m + TG_ITCH_ORDER_DELETE_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
	return TG_ITCH_ORDER_DELETE_LEN;
}

size_t tg_itch_enc_order_replace(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, uint64_t new_ref,
				 uint32_t shares, uint32_t price)
{
	tg_itch_enc_header(m, TG_ITCH_ORDER_REPLACE_TYPE, h);
	tg_itch_put_be(m + TG_ITCH_ORDER_REPLACE_ORIGINAL_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
	tg_itch_put_be(m + TG_ITCH_ORDER_REPLACE_NEW_ORDER_REFERENCE_NUMBER_OFF, new_ref, 8);
	tg_itch_put_be(m + TG_ITCH_ORDER_REPLACE_SHARES_OFF, shares, 4);
	tg_itch_put_be(m + TG_ITCH_ORDER_REPLACE_PRICE_OFF, price, 4);
	return TG_ITCH_ORDER_REPLACE_LEN;
}

size_t tg_itch_enc_trade(uint8_t *m, const struct tg_itch_hdr *h, uint64_t ref, char side, uint32_t shares,
			 const char *stock, uint32_t price, uint64_t match)
{
	tg_itch_enc_header(m, TG_ITCH_TRADE_TYPE, h);
	tg_itch_put_be(m + TG_ITCH_TRADE_ORDER_REFERENCE_NUMBER_OFF, ref, 8);
	m[TG_ITCH_TRADE_BUY_SELL_INDICATOR_OFF] = (uint8_t)side;
	tg_itch_put_be(m + TG_ITCH_TRADE_SHARES_OFF, shares, 4);
	tg_itch_put_alpha(m + TG_ITCH_TRADE_STOCK_OFF, stock, 8);
	tg_itch_put_be(m + TG_ITCH_TRADE_PRICE_OFF, price, 4);
	tg_itch_put_be(m + TG_ITCH_TRADE_MATCH_NUMBER_OFF, match, 8);
	return TG_ITCH_TRADE_LEN;
}
