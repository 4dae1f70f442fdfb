/*
 * The risk gate of a card, through its CSRs: read every limit (in force
 * and shadow), position, open orders, exposure and counter; write a whole
 * limit table and commit it in one step; the gate's commands (instrument
 * kill, host halt, host reference price, the reversal of a broken trade).
 * Used by the control CLI, the
 * daemon and the end-to-end tests; works while another process owns the
 * rings (CSR access only).
 */
#ifndef TICKGATE_RISK_CARD_H
#define TICKGATE_RISK_CARD_H

#include <stdbool.h>
#include <stdint.h>

#include "tickgate/card.h"
#include "tickgate/card_regs.h"
#include "tickgate/result.h"

#define TG_RISK_CARD_INST_MAX 64u

/* RISK_CMD operations (card.yaml, RISK_CMD.OP) */
enum tg_risk_card_op {
	TG_RISK_OP_SET = 1,
	TG_RISK_OP_COMMIT = 2,
	TG_RISK_OP_INST_KILL = 3,
	TG_RISK_OP_INST_RESUME = 4,
	TG_RISK_OP_HALT = 5,
	TG_RISK_OP_UNHALT = 6,
	TG_RISK_OP_REF_PRICE = 7,
	TG_RISK_OP_BUST = 8,
};

struct tg_risk_card_inst {
	bool subscribed;
	char symbol[9];			/* trailing spaces removed; "" when free */
	uint64_t lim[TG_RISK_LIMIT_IDS];	/* in force; global ids unused */
	int64_t position;
	uint64_t open_buy, open_sell;	/* shares */
	unsigned open_orders;
	bool killed, halted_host, halted_feed;
	uint32_t ref_price;		/* 0: none */
	uint64_t rate_tat;		/* core cycle */
	int64_t exposure_long, exposure_short;	/* notional, card units */
};

struct tg_risk_card_state {
	unsigned instruments;
	unsigned slots_log2;
	uint64_t uptime;		/* core cycle of the read */
	uint64_t global[TG_RISK_LIMIT_IDS];	/* in force; instrument ids unused */
	bool kill_register;		/* KILL.ENGAGED */
	bool killed;			/* the gate's global kill (register or watchdog) */
	bool watchdog_tripped;
	uint64_t rate_tat_all;
	int64_t gross, net_long, net_short;
	unsigned open_all;
	uint64_t decided[TG_RISK_REASONS];	/* decisions by reason */
	uint64_t bad_inputs, unmatched;
	struct tg_risk_card_inst inst[TG_RISK_CARD_INST_MAX];
};

/* Read the whole state. TG_ERR_CONTRACT when the card has no risk gate. */
TG_API TG_MUST_CHECK int tg_risk_card_read(struct tg_card *card, struct tg_risk_card_state *st);

/* Instrument index of a symbol (subscribed slots only), or -1. */
TG_API int tg_risk_card_find(const struct tg_risk_card_state *st, const char *symbol);

/*
 * Write every limit of `want` (global[] and each instrument's lim[], all
 * instruments) into the card's shadow table, then commit: the gate goes
 * from the old table to the new one in one step. A failure before the
 * commit leaves the limits in force untouched (the next full write
 * replaces the partial shadow).
 */
TG_API TG_MUST_CHECK int tg_risk_card_commit(struct tg_card *card, const struct tg_risk_card_state *want);

/* One RISK_CMD operation (not SET: limits go through
 * tg_risk_card_commit) on instrument inst with operand value, waiting
 * until the gate has taken it. */
TG_API TG_MUST_CHECK int tg_risk_card_command(struct tg_card *card, unsigned op, unsigned inst,
					      uint64_t value);

/*
 * Reverse an execution the exchange broke (RISK_CMD BUST, the gate's FILL
 * input with sub 1): `qty` shares executed on gate side `side` of
 * instrument `inst`; position and exposure move back, the open quantity
 * the execution consumed stays consumed (docs/risk.md). Applied in order
 * with the gate's other inputs; returns once the gate has taken it. The
 * instrument travels in the operand, not in RISK_SEL, so a reader of
 * another instrument cannot redirect it; writers of risk commands hold the
 * control lock. TG_ERR_ARG (nothing written) for qty 0 or above
 * TG_RISK_QTY_MAX, a side above 3 or an instrument above 255.
 */
TG_API TG_MUST_CHECK int tg_risk_card_bust(struct tg_card *card, unsigned inst, unsigned side, uint32_t qty);

/* The position of one instrument (RISK_INST_POSITION), shares. */
TG_API TG_MUST_CHECK int tg_risk_card_position(struct tg_card *card, unsigned inst, int64_t *position);

/* Order-rate bucket of a GCRA with this period, tolerance and theoretical
 * arrival time at `now`: orders that may go back to back now (0 when the
 * bucket is empty), and the burst size. period 0: no limit (returns 0, 0). */
TG_API void tg_risk_bucket_level(uint64_t period, uint64_t tolerance, uint64_t tat, uint64_t now,
				 uint64_t *avail, uint64_t *burst);

#endif
