/* The risk gate of a card through its CSRs (tickgate/risk_card.h). */
#include <string.h>

#include "tickgate/risk.h"
#include "tickgate/risk_card.h"

#define CMD_POLLS 10000

static int rd64(struct tg_card *card, uint32_t lo, int64_t *out)
{
	uint64_t v;
	int rc = tg_card_counter_read(card, lo, &v);

	*out = (int64_t)v;
	return rc;
}

static int sel(struct tg_card *card, unsigned field, unsigned inst, bool shadow)
{
	return tg_card_csr_write(card, TG_REG_RISK_SEL,
				 (uint32_t)field << TG_RISK_SEL_FIELD_SHIFT | (uint32_t)inst << TG_RISK_SEL_INST_SHIFT |
				 (shadow ? TG_RISK_SEL_SHADOW_MASK : 0u));
}

#define TRY(x) do { int rc_ = (x); if (rc_ != TG_OK) return rc_; } while (0)

static int read_inst(struct tg_card *card, unsigned i, struct tg_risk_card_inst *in)
{
	uint32_t v, lo, hi;

	memset(in, 0, sizeof(*in));
	TRY(tg_card_csr_write(card, TG_REG_BOOK_INST_SEL, i));
	TRY(tg_card_csr_read(card, TG_REG_BOOK_INST_STATE, &v));
	in->subscribed = v & TG_BOOK_INST_STATE_SUBSCRIBED_MASK;
	TRY(tg_card_csr_read(card, TG_REG_BOOK_INST_SYM_LO, &lo));
	TRY(tg_card_csr_read(card, TG_REG_BOOK_INST_SYM_HI, &hi));
	memcpy(in->symbol, &lo, 4);
	memcpy(in->symbol + 4, &hi, 4);
	for (int k = 7; k >= 0 && (in->symbol[k] == ' ' || in->symbol[k] == '\0'); k--)
		in->symbol[k] = '\0';
	for (unsigned l = 0; l < tg_risk_limits_count; l++) {
		if (tg_risk_limits[l].global)
			continue;
		TRY(sel(card, tg_risk_limits[l].id, i, false));
		TRY(tg_card_counter_read(card, TG_REG_RISK_LIMIT_LO, &in->lim[tg_risk_limits[l].id]));
	}
	TRY(rd64(card, TG_REG_RISK_INST_POSITION_LO, &in->position));
	TRY(tg_card_counter_read(card, TG_REG_RISK_INST_OPEN_BUY_LO, &in->open_buy));
	TRY(tg_card_counter_read(card, TG_REG_RISK_INST_OPEN_SELL_LO, &in->open_sell));
	TRY(tg_card_csr_read(card, TG_REG_RISK_INST_STATE, &v));
	in->open_orders = (v & TG_RISK_INST_STATE_OPEN_ORDERS_MASK) >> TG_RISK_INST_STATE_OPEN_ORDERS_SHIFT;
	in->killed = v & TG_RISK_INST_STATE_KILLED_MASK;
	in->halted_host = v & TG_RISK_INST_STATE_HALTED_HOST_MASK;
	in->halted_feed = v & TG_RISK_INST_STATE_HALTED_FEED_MASK;
	TRY(tg_card_csr_read(card, TG_REG_RISK_INST_REF_PRICE, &in->ref_price));
	TRY(tg_card_counter_read(card, TG_REG_RISK_INST_RATE_TAT_LO, &in->rate_tat));
	TRY(rd64(card, TG_REG_RISK_INST_EXPOSURE_LONG_LO, &in->exposure_long));
	TRY(rd64(card, TG_REG_RISK_INST_EXPOSURE_SHORT_LO, &in->exposure_short));
	return TG_OK;
}

int tg_risk_card_read(struct tg_card *card, struct tg_risk_card_state *st)
{
	uint32_t v;

	if (card == NULL || st == NULL)
		return TG_ERR_ARG;
	memset(st, 0, sizeof(*st));
	TRY(tg_card_csr_read(card, TG_REG_CAPS, &v));
	if (!(v & TG_CAP_RISK))
		return TG_ERR_CONTRACT;
	TRY(tg_card_csr_read(card, TG_REG_RISK_PARAMS, &v));
	st->instruments = (v & TG_RISK_PARAMS_INSTRUMENTS_MASK) >> TG_RISK_PARAMS_INSTRUMENTS_SHIFT;
	st->slots_log2 = (v & TG_RISK_PARAMS_SLOTS_LOG2_MASK) >> TG_RISK_PARAMS_SLOTS_LOG2_SHIFT;
	if (st->instruments > TG_RISK_CARD_INST_MAX)
		return TG_ERR_CONTRACT;
	TRY(tg_card_counter_read(card, TG_REG_UPTIME_LO, &st->uptime));
	for (unsigned l = 0; l < tg_risk_limits_count; l++) {
		if (!tg_risk_limits[l].global)
			continue;
		TRY(sel(card, tg_risk_limits[l].id, 0, false));
		TRY(tg_card_counter_read(card, TG_REG_RISK_LIMIT_LO, &st->global[tg_risk_limits[l].id]));
	}
	TRY(tg_card_csr_read(card, TG_REG_KILL, &v));
	st->kill_register = v & TG_KILL_ENGAGED_MASK;
	TRY(tg_card_csr_read(card, TG_REG_RISK_STATUS, &v));
	st->killed = v & TG_RISK_STATUS_KILLED_MASK;
	st->watchdog_tripped = v & TG_RISK_STATUS_WATCHDOG_TRIPPED_MASK;
	TRY(tg_card_counter_read(card, TG_REG_RISK_RATE_TAT_ALL_LO, &st->rate_tat_all));
	TRY(rd64(card, TG_REG_RISK_GROSS_LO, &st->gross));
	TRY(rd64(card, TG_REG_RISK_NET_LONG_LO, &st->net_long));
	TRY(rd64(card, TG_REG_RISK_NET_SHORT_LO, &st->net_short));
	TRY(tg_card_csr_read(card, TG_REG_RISK_OPEN_ALL, &v));
	st->open_all = v & TG_RISK_OPEN_ALL_ORDERS_MASK;
	for (unsigned r = 0; r < TG_RISK_REASONS; r++) {
		TRY(tg_card_csr_write(card, TG_REG_RISK_SEL, r << TG_RISK_SEL_REASON_SHIFT));
		TRY(tg_card_counter_read(card, TG_REG_RISK_DECIDED_LO, &st->decided[r]));
	}
	TRY(tg_card_counter_read(card, TG_REG_RISK_BAD_INPUTS_LO, &st->bad_inputs));
	TRY(tg_card_counter_read(card, TG_REG_RISK_UNMATCHED_LO, &st->unmatched));
	for (unsigned i = 0; i < st->instruments; i++)
		TRY(read_inst(card, i, &st->inst[i]));
	return TG_OK;
}

int tg_risk_card_find(const struct tg_risk_card_state *st, const char *symbol)
{
	for (unsigned i = 0; i < st->instruments; i++) {
		if (st->inst[i].subscribed && strcmp(st->inst[i].symbol, symbol) == 0)
			return (int)i;
	}
	return -1;
}

/* RISK_VALUE, then the command; waits until the gate has taken it */
static int command(struct tg_card *card, unsigned op, uint64_t value)
{
	uint32_t v;

	TRY(tg_card_csr_write(card, TG_REG_RISK_VALUE_LO, (uint32_t)value));
	TRY(tg_card_csr_write(card, TG_REG_RISK_VALUE_HI, (uint32_t)(value >> 32)));
	TRY(tg_card_csr_write(card, TG_REG_RISK_CMD, op));
	for (int i = 0; i < CMD_POLLS; i++) {
		TRY(tg_card_csr_read(card, TG_REG_RISK_STATUS, &v));
		if (v & TG_RISK_STATUS_CMD_OVERRUN_MASK)
			return TG_ERR_IO;
		if (!(v & TG_RISK_STATUS_CMD_PENDING_MASK))
			return TG_OK;
	}
	return TG_ERR_TIMEOUT;
}

int tg_risk_card_command(struct tg_card *card, unsigned op, unsigned inst, uint64_t value)
{
	/* SET goes through tg_risk_card_commit, which reads every value back;
	 * BUST through tg_risk_card_bust, which packs its operand */
	if (op <= TG_RISK_OP_SET || op > TG_RISK_OP_REF_PRICE || inst > 255)
		return TG_ERR_ARG;
	TRY(sel(card, 0, inst, false));
	return command(card, op, value);
}

int tg_risk_card_bust(struct tg_card *card, unsigned inst, unsigned side, uint32_t qty)
{
	if (card == NULL || inst > 255 || side > 3 || qty == 0 || qty > TG_RISK_QTY_MAX)
		return TG_ERR_ARG;
	return command(card, TG_RISK_OP_BUST, (uint64_t)(inst << 8 | side) << 32 | qty);
}

int tg_risk_card_position(struct tg_card *card, unsigned inst, int64_t *position)
{
	if (card == NULL || position == NULL || inst > 255)
		return TG_ERR_ARG;
	TRY(sel(card, 0, inst, false));
	return rd64(card, TG_REG_RISK_INST_POSITION_LO, position);
}

/* SET of a limit: its value is 64 bits wide, so it goes by itself */
static int set_one(struct tg_card *card, unsigned id, unsigned inst, uint64_t value)
{
	uint32_t v;

	TRY(sel(card, id, inst, false));
	TRY(tg_card_csr_write(card, TG_REG_RISK_VALUE_LO, (uint32_t)value));
	TRY(tg_card_csr_write(card, TG_REG_RISK_VALUE_HI, (uint32_t)(value >> 32)));
	TRY(tg_card_csr_write(card, TG_REG_RISK_CMD, TG_RISK_OP_SET));
	for (int i = 0; i < CMD_POLLS; i++) {
		TRY(tg_card_csr_read(card, TG_REG_RISK_STATUS, &v));
		if (v & TG_RISK_STATUS_CMD_OVERRUN_MASK)
			return TG_ERR_IO;
		if (!(v & TG_RISK_STATUS_CMD_PENDING_MASK))
			break;
	}
	/* the gate refuses an out-of-range value silently: read it back */
	uint64_t back;
	TRY(tg_card_csr_write(card, TG_REG_RISK_SEL, (uint32_t)id << TG_RISK_SEL_FIELD_SHIFT |
				(uint32_t)inst << TG_RISK_SEL_INST_SHIFT | TG_RISK_SEL_SHADOW_MASK));
	TRY(tg_card_counter_read(card, TG_REG_RISK_LIMIT_LO, &back));
	return back == value ? TG_OK : TG_ERR_IO;
}

int tg_risk_card_commit(struct tg_card *card, const struct tg_risk_card_state *want)
{
	if (card == NULL || want == NULL || want->instruments > TG_RISK_CARD_INST_MAX)
		return TG_ERR_ARG;
	for (unsigned l = 0; l < tg_risk_limits_count; l++) {
		const struct tg_risk_limit_info *li = &tg_risk_limits[l];
		if (li->global) {
			if (want->global[li->id] > li->max)
				return TG_ERR_ARG;
			continue;
		}
		for (unsigned i = 0; i < want->instruments; i++) {
			if (want->inst[i].lim[li->id] > li->max)
				return TG_ERR_ARG;
		}
	}
	for (unsigned l = 0; l < tg_risk_limits_count; l++) {
		const struct tg_risk_limit_info *li = &tg_risk_limits[l];
		if (li->global) {
			TRY(set_one(card, li->id, 0, want->global[li->id]));
			continue;
		}
		for (unsigned i = 0; i < want->instruments; i++)
			TRY(set_one(card, li->id, i, want->inst[i].lim[li->id]));
	}
	return tg_risk_card_command(card, TG_RISK_OP_COMMIT, 0, 0);
}

void tg_risk_bucket_level(uint64_t period, uint64_t tolerance, uint64_t tat, uint64_t now, uint64_t *avail,
			  uint64_t *burst)
{
	*avail = 0;
	*burst = 0;
	if (period == 0)
		return;
	*burst = tolerance / period + 1;
	/* an order passes while tat <= now + tolerance; each one moves tat by period */
	uint64_t base = tat > now ? tat : now;
	if (base > now + tolerance)
		return;
	*avail = (now + tolerance - base) / period + 1;
	if (*avail > *burst)
		*avail = *burst;
}
