/*
 * C interface to the Verilated tg_risk on its own (the shim in vrisk.cpp),
 * for the gate's RTL tests and benchmark: one input per cycle, decisions
 * out, and every piece of state readable back for comparison with the
 * golden model (tickgate/risk.h).
 */
#ifndef TG_VRISK_H
#define TG_VRISK_H

#include <stdbool.h>
#include <stdint.h>

#include "tickgate/risk.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tg_vrisk;

struct tg_vrisk_out {
	bool in_ready;		/* the input offered this cycle was taken */
	bool probe_ready;	/* pr_ready for the same input on the probe port */
	bool valid;		/* a decision */
	uint8_t kind, reason, inst, side;
	uint16_t slot;
	uint32_t qty, price;
};

/* The gate's parameters are those it was Verilated with. */
struct tg_vrisk *tg_vrisk_new(void);
void tg_vrisk_free(struct tg_vrisk *v);
unsigned tg_vrisk_instruments(void);
unsigned tg_vrisk_slots(void);

/* One clock cycle: offers `in` (NULL: nothing) and samples the outputs
 * before the rising edge. */
void tg_vrisk_cycle(struct tg_vrisk *v, const struct tg_risk_input *in, struct tg_vrisk_out *out);

/* Read-back, in the model's terms. */
void tg_vrisk_inst(struct tg_vrisk *v, unsigned inst, struct tg_risk_inst_state *st,
		   tg_risk_notional *ln, tg_risk_notional *sn);
void tg_vrisk_slot(struct tg_vrisk *v, unsigned slot, struct tg_risk_slot *sl);
void tg_vrisk_totals(struct tg_vrisk *v, struct tg_risk_totals *t);
uint64_t tg_vrisk_limit(struct tg_vrisk *v, unsigned field, unsigned inst, bool shadow);

#ifdef __cplusplus
}
#endif

#endif
