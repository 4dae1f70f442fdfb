/*
 * A seeded stream of random and adversarial risk-gate inputs, aimed by the
 * golden model's state at the edges of every check (see test_risk_rtl.c).
 * The caller applies each input to the model (in the order the gate takes
 * them) before asking for the next.
 */
#ifndef TG_RISK_STREAM_H
#define TG_RISK_STREAM_H

#include <stdint.h>

#include "tickgate/risk.h"

#define TG_RISK_STREAM_SETUP_MAX (TG_RISK_INSTRUMENTS_MAX * 8 + 8)

struct tg_risk_stream {
	uint64_t s;		/* xorshift64* state */
	uint64_t t;		/* input time (cycles) */
	uint32_t base[TG_RISK_INSTRUMENTS_MAX];	/* each instrument's price walk */
	unsigned burst;		/* inputs left in a burst at one time step */
	unsigned run;		/* orders left in a run across instruments at the totals' limits */
	unsigned rr;		/* the run's next instrument */
	unsigned inst_run;	/* orders left in a run on one instrument */
	unsigned run_inst;	/* ...its instrument, and its side now */
	bool run_buy;
	struct tg_risk *m;
	unsigned ni, ns;
};

void tg_risk_stream_init(struct tg_risk_stream *g, uint64_t seed, struct tg_risk *model,
			 unsigned instruments, unsigned slots);
/* The inputs that set every limit to something orders pass, committed;
 * returns how many (at most TG_RISK_STREAM_SETUP_MAX). */
unsigned tg_risk_stream_setup(struct tg_risk_stream *g, struct tg_risk_input *out);
struct tg_risk_input tg_risk_stream_next(struct tg_risk_stream *g);
/* A number below n from the stream's generator. */
uint32_t tg_risk_stream_below(struct tg_risk_stream *g, uint32_t n);

#endif
