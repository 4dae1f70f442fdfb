/*
 * Card self-test: round-trips LOOPBACK commands host -> H2C ring -> card ->
 * C2H ring -> host and checks every answer (type, tag, order, payload).
 * Used by `tickgate loopback` and by the round-trip benchmark.
 */
#ifndef TICKGATE_LOOPBACK_H
#define TICKGATE_LOOPBACK_H

#include <stdint.h>

#include "tickgate/card.h"

struct tg_loopback_result {
	uint64_t sent;
	uint64_t received;
	uint64_t bad;		/* answers with a wrong type, tag, order or payload */
	uint64_t other_events;	/* events that were not loopback answers (e.g. frames) */
	uint64_t seq_gaps;
	double wall_s;
	/* per command: wall-clock round trip and card cycles from fetch to answer */
	double rtt_ns_min, rtt_ns_median, rtt_ns_max;
	uint64_t card_cycles_min, card_cycles_median, card_cycles_max;
};

/*
 * Send count commands, at most window in flight, payloads from seed.
 * The card must be open with TG_CARD_OPEN_RINGS. Gives up with
 * TG_ERR_TIMEOUT when no answer arrives for timeout_ms.
 */
TG_API TG_MUST_CHECK int tg_loopback_run(struct tg_card *card, uint64_t count, unsigned window,
					 uint64_t seed, unsigned timeout_ms,
					 struct tg_loopback_result *res);

#endif
