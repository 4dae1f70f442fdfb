/* Card loopback self-test, see tickgate/loopback.h. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tickgate/clock.h"
#include "tickgate/loopback.h"

/* splitmix64: payloads are a pure function of the seed and the index */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void payload(uint64_t seed, uint64_t i, uint8_t out[32])
{
	for (unsigned w = 0; w < 4; w++) {
		uint64_t v = mix(seed ^ (i * 4 + w));

		memcpy(out + 8 * w, &v, 8);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int tg_loopback_run(struct tg_card *card, uint64_t count, unsigned window, uint64_t seed,
		    unsigned timeout_ms, struct tg_loopback_result *res)
{
	union tg_c2h_record ev[64];
	double *rtt;
	uint64_t *cyc;
	int64_t *sent_at;
	uint64_t next_send = 0, next_recv = 0;
	int64_t start, last_progress;
	struct tg_card_ring_stats st0, st1;
	int rc = TG_OK;

	if (card == NULL || res == NULL || count == 0 || window == 0 || count > (1ull << 32))
		return TG_ERR_ARG;
	memset(res, 0, sizeof(*res));
	rtt = calloc(count, sizeof(*rtt));
	cyc = calloc(count, sizeof(*cyc));
	sent_at = calloc(count, sizeof(*sent_at));
	if (rtt == NULL || cyc == NULL || sent_at == NULL) {
		free(rtt);
		free(cyc);
		free(sent_at);
		return TG_ERR_NOMEM;
	}
	tg_card_ring_stats(card, &st0);
	start = last_progress = tg_monotonic_ns();
	while (next_recv < count && rc == TG_OK) {
		while (next_send < count && next_send - next_recv < window) {
			union tg_h2c_record cmd;

			memset(&cmd, 0, sizeof(cmd));
			cmd.loopback.opcode = TG_H2C_OP_LOOPBACK;
			cmd.loopback.tag = (uint32_t)next_send;
			payload(seed, next_send, cmd.loopback.payload);
			sent_at[next_send] = tg_monotonic_ns();
			rc = tg_card_send(card, &cmd);
			if (rc == TG_ERR_AGAIN) {
				rc = TG_OK;
				break;
			}
			if (rc != TG_OK)
				break;
			next_send++;
		}
		unsigned got = 0;

		if (rc == TG_OK)
			rc = tg_card_poll(card, ev, 64, &got);
		int64_t t = tg_monotonic_ns();

		for (unsigned k = 0; k < got; k++) {
			const struct tg_c2h_loopback *a = &ev[k].loopback;
			uint8_t want[32];

			if (a->type != TG_C2H_EVT_LOOPBACK) {
				res->other_events++;
				continue;
			}
			if (next_recv >= next_send || a->tag != (uint32_t)next_recv) {
				res->bad++;
				continue;
			}
			payload(seed, next_recv, want);
			if (memcmp(want, a->payload, sizeof(want)) != 0)
				res->bad++;
			rtt[next_recv] = (double)(t - sent_at[next_recv]);
			cyc[next_recv] = a->timestamp - a->cmd_cycle;
			next_recv++;
		}
		if (got > 0) {
			last_progress = t;
		} else if (t - last_progress > (int64_t)timeout_ms * 1000000) {
			rc = TG_ERR_TIMEOUT;
		} else if (next_send == count || next_send - next_recv >= window) {
			/* waiting for answers: yield, as a timed sleep would dwarf a round trip */
			sched_yield();
		}
	}
	res->wall_s = (double)(tg_monotonic_ns() - start) / 1e9;
	res->sent = next_send;
	res->received = next_recv;
	tg_card_ring_stats(card, &st1);
	res->seq_gaps = st1.seq_gaps - st0.seq_gaps;
	if (next_recv > 0) {
		qsort(rtt, next_recv, sizeof(*rtt), cmp_double);
		qsort(cyc, next_recv, sizeof(*cyc), cmp_u64);
		res->rtt_ns_min = rtt[0];
		res->rtt_ns_median = rtt[next_recv / 2];
		res->rtt_ns_max = rtt[next_recv - 1];
		res->card_cycles_min = cyc[0];
		res->card_cycles_median = cyc[next_recv / 2];
		res->card_cycles_max = cyc[next_recv - 1];
	}
	free(rtt);
	free(cyc);
	free(sent_at);
	return rc;
}
