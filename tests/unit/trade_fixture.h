/*
 * The trader's tests (test_trade_state.c, test_trade_strategy.c): an empty
 * trade_state over the caller's slots, every slot free and no symbol's,
 * no card instrument mapped to a symbol.
 */
#ifndef TICKGATE_TESTS_TRADE_FIXTURE_H
#define TICKGATE_TESTS_TRADE_FIXTURE_H

#include <string.h>

#include "trade_state.h"

static inline void trade_fixture_init(struct trade_state *st, struct slot *slots, unsigned n_slots)
{
	memset(st, 0, sizeof(*st));
	memset(slots, 0, n_slots * sizeof(*slots));
	st->slots = slots;
	st->n_slots = n_slots;
	for (unsigned i = 0; i < TG_RISK_CARD_INST_MAX; i++)
		st->sym_of_inst[i] = -1;
	for (unsigned sl = 0; sl < n_slots; sl++)
		slots[sl].sym = -1;
}

#endif
