/*
 * bench_risk: the risk gate's figures, as one JSON object.
 *
 *   - gate latency: cycles from the cycle an order enters tg_risk to the
 *     cycle its decision is out (min/median/max over the adversarial stream
 *     of the RTL test), and in ns at the contract's clock;
 *   - orders per cycle sustained: back-to-back NEW, REPLACE and CANCEL
 *     orders of distinct slots; and inputs per cycle of the adversarial
 *     stream, where pipeline hazards stall;
 *   - kill: with orders streaming every cycle, the orders accepted after the
 *     kill entered the gate (the goal is 0: effective on the next order) and
 *     the cycles from the kill to the first blocked decision;
 *   - the golden model on the host: ns per input over the same stream, as a
 *     ratio to a baseline pass over the same inputs measured in the same run.
 *
 * usage: bench_risk [--inputs N] [--seed S]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "risk_stream.h"
#include "tickgate/card_regs.h"
#include "vrisk.h"

static int usage(void)
{
	fprintf(stderr, "usage: bench_risk [--inputs N] [--seed S]\n");
	return 2;
}

static struct tg_risk *new_model(void)
{
	return tg_risk_new(&(struct tg_risk_config){.instruments = tg_vrisk_instruments(), .slots = tg_vrisk_slots()});
}

/* The adversarial stream, generated against a model (inputs in gate order). */
static struct tg_risk_input *make_stream(uint64_t seed, uint64_t n, uint64_t *count)
{
	struct tg_risk *m = new_model();
	struct tg_risk_stream g;
	tg_risk_stream_init(&g, seed, m, tg_vrisk_instruments(), tg_vrisk_slots());
	struct tg_risk_input *in = malloc((n + TG_RISK_STREAM_SETUP_MAX) * sizeof(*in));
	if (!m || !in) {
		fprintf(stderr, "bench_risk: out of memory\n");
		exit(1);
	}
	uint64_t k = tg_risk_stream_setup(&g, in);
	for (uint64_t i = 0; i < k; i++)
		tg_risk_apply(m, &in[i]);
	for (uint64_t i = 0; i < n; i++, k++) {
		in[k] = tg_risk_stream_next(&g);
		tg_risk_apply(m, &in[k]);
	}
	tg_risk_free(m);
	*count = k;
	return in;
}

static bool decided(const struct tg_risk_input *in)
{
	return in->kind == TG_RISK_IN_NEW || in->kind == TG_RISK_IN_CANCEL || in->kind == TG_RISK_IN_REPLACE;
}

/* Every input offered back to back; latency of each decision. */
static void run_stream(const struct tg_risk_input *in, uint64_t n, uint64_t *lat, uint64_t *n_lat,
		       uint64_t *cycles, uint64_t *stalls)
{
	struct tg_vrisk *v = tg_vrisk_new();
	uint64_t *taken_at = malloc(n * sizeof(*taken_at));
	uint64_t next = 0, head = 0, cyc = 0;
	*n_lat = *stalls = 0;
	while (next < n || head < next) {
		struct tg_vrisk_out out;
		tg_vrisk_cycle(v, next < n ? &in[next] : NULL, &out);
		if (out.valid) {
			while (!decided(&in[head]))
				head++;
			lat[(*n_lat)++] = cyc - taken_at[head++];
		}
		if (next < n) {
			if (out.in_ready)
				taken_at[next++] = cyc;
			else
				(*stalls)++;
		}
		while (head < next && !decided(&in[head]))
			head++;
		cyc++;
	}
	*cycles = cyc;
	free(taken_at);
	tg_vrisk_free(v);
}

/* Limits wide open on every instrument, each with a reference price, for
 * the order phases; at most open_setup_max() inputs. */
static unsigned open_setup_max(void)
{
	return (unsigned)tg_risk_limits_count * tg_vrisk_instruments() + 1 + tg_vrisk_instruments();
}

static unsigned open_setup(struct tg_risk_input *in)
{
	unsigned n = 0;
	for (unsigned i = 0; i < tg_vrisk_instruments(); i++) {
		for (unsigned k = 0; k < tg_risk_limits_count; k++) {
			const struct tg_risk_limit_info *li = &tg_risk_limits[k];
			uint64_t v = li->max;
			if (li->id == TG_RISK_LIM_REDUCE_ONLY || li->id == TG_RISK_LIM_RATE_PERIOD ||
			    li->id == TG_RISK_LIM_DUP_WINDOW || li->id == TG_RISK_LIM_RATE_PERIOD_ALL ||
			    li->id == TG_RISK_LIM_NO_REF_REJECT)
				v = 0;
			in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = li->id,
							 .inst = (uint8_t)i, .value = v};
		}
	}
	in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_COMMIT};
	for (unsigned i = 0; i < tg_vrisk_instruments(); i++)
		in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_REF, .sub = 2, .inst = (uint8_t)i, .price = 100000};
	return n;
}

struct order_run {
	uint64_t decided, accepted, cycles;
};

/* NEW, REPLACE and CANCEL of every slot, offered back to back: on instrument
 * 0 only, or spread (slot s on instrument s mod the instruments). */
static struct order_run run_orders(struct tg_risk_input *ord, bool spread)
{
	unsigned slots = tg_vrisk_slots(), n_setup = open_setup(ord), n_ord = n_setup;
	for (unsigned phase = 0; phase < 3; phase++)
		for (unsigned s = 0; s < slots; s++)
			ord[n_ord++] = (struct tg_risk_input){
				.kind = phase == 0 ? TG_RISK_IN_NEW : phase == 1 ? TG_RISK_IN_REPLACE : TG_RISK_IN_CANCEL,
				.inst = (uint8_t)(spread ? s % tg_vrisk_instruments() : 0),
				.slot = (uint16_t)s, .qty = phase == 2 ? 0 : 100 + phase, .price = 100000 + s};
	struct tg_vrisk *v = tg_vrisk_new();
	struct order_run r = {0};
	for (unsigned i = 0; i < n_ord;) {
		struct tg_vrisk_out out;
		tg_vrisk_cycle(v, &ord[i], &out);
		if (i >= n_setup)
			r.cycles++;
		r.decided += out.valid;
		r.accepted += out.valid && out.reason == TG_RISK_R_ACCEPTED;
		i += out.in_ready;
	}
	for (int k = 0; k < 12; k++) {
		struct tg_vrisk_out out;
		tg_vrisk_cycle(v, NULL, &out);
		r.decided += out.valid;
		r.accepted += out.valid && out.reason == TG_RISK_R_ACCEPTED;
	}
	tg_vrisk_free(v);
	return r;
}

int main(int argc, char **argv)
{
	uint64_t n_inputs = 1000000, seed = 0x5eed0f7a11ull;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--inputs") && i + 1 < argc)
			n_inputs = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else
			return usage();
	}
	if (n_inputs == 0)
		return usage();
	const double ns_per_cycle = 1e9 / TG_CARD_CLOCK_HZ;

	/* 1. the adversarial stream: latency and inputs per cycle */
	uint64_t n;
	struct tg_risk_input *in = make_stream(seed, n_inputs, &n);
	uint64_t *lat = malloc(n * sizeof(*lat));
	uint64_t n_lat, cycles, stalls;
	run_stream(in, n, lat, &n_lat, &cycles, &stalls);
	qsort(lat, n_lat, sizeof(*lat), bench_cmp_u64);

	/* 2. orders only: NEW, REPLACE, CANCEL over distinct slots, back to back */
	unsigned slots = tg_vrisk_slots();
	struct tg_risk_input *ord = malloc((open_setup_max() + 3 * slots + 1) * sizeof(*ord));
	if (!ord) {
		fprintf(stderr, "bench_risk: out of memory\n");
		return 1;
	}
	struct order_run one = run_orders(ord, false), spread = run_orders(ord, true);

	/* 3. kill while orders stream every cycle */
	struct tg_vrisk *v = tg_vrisk_new();
	unsigned n_kill = open_setup(ord), kill_at = 0;
	for (unsigned s = 0; s < slots; s++) {
		if (s == slots / 2) {
			kill_at = n_kill;
			ord[n_kill++] = (struct tg_risk_input){.kind = TG_RISK_IN_KILL, .sub = 0, .qty = 1};
		}
		/* across instruments, so that nothing but the kill holds an order */
		ord[n_kill++] = (struct tg_risk_input){.kind = TG_RISK_IN_NEW, .slot = (uint16_t)s,
						       .inst = (uint8_t)(s % tg_vrisk_instruments()),
						       .qty = 10, .price = 100000};
	}
	uint64_t cyc = 0, kill_cycle = 0, first_block = 0, slipped = 0, decided_n = 0;
	for (unsigned i = 0; i < n_kill || decided_n < slots;) {
		struct tg_vrisk_out out;
		tg_vrisk_cycle(v, i < n_kill ? &ord[i] : NULL, &out);
		if (out.valid) {
			decided_n++;
			/* decisions come in order: orders behind the kill are the second half */
			if (decided_n > slots / 2 && out.reason == TG_RISK_R_ACCEPTED)
				slipped++;
			if (out.reason == TG_RISK_R_KILLED && !first_block)
				first_block = cyc;
		}
		if (i < n_kill && out.in_ready) {
			if (i == kill_at)
				kill_cycle = cyc;
			i++;
		}
		cyc++;
	}
	tg_vrisk_free(v);

	/* 4. the golden model on the host, against a baseline pass over the inputs */
	struct tg_risk *m = new_model();
	double t0 = bench_now_s();
	uint64_t sum = 0;
	for (uint64_t i = 0; i < n; i++)
		sum += (uint64_t)tg_risk_apply(m, &in[i]);
	double t_model = bench_now_s() - t0;
	t0 = bench_now_s();
	uint64_t base = 0;
	for (uint64_t i = 0; i < n; i++) {
		/* touch every field, as the model reads them */
		const struct tg_risk_input *x = &in[i];
		base = base * 31 + x->kind + x->inst + x->side + x->slot + x->qty + x->price + x->value + x->t;
		__asm__ volatile("" : "+r"(base));
	}
	double t_base = bench_now_s() - t0;
	tg_risk_free(m);

	printf("{\"bench\": \"risk\", \"seed\": %" PRIu64 ", \"clock_hz\": %u, \"instruments\": %u, \"slots\": %u,\n",
	       seed, TG_CARD_CLOCK_HZ, tg_vrisk_instruments(), slots);
	printf(" \"gate_latency_cycles\": {\"min\": %" PRIu64 ", \"median\": %" PRIu64 ", \"max\": %" PRIu64
	       ", \"decisions\": %" PRIu64 ", \"median_ns\": %.1f},\n",
	       lat[0], lat[n_lat / 2], lat[n_lat - 1], n_lat, (double)lat[n_lat / 2] * ns_per_cycle);
	printf(" \"orders_only_one_instrument\": {\"orders\": %" PRIu64 ", \"accepted\": %" PRIu64
	       ", \"cycles\": %" PRIu64 ", \"orders_per_cycle\": %.3f},\n",
	       one.decided, one.accepted, one.cycles, (double)one.decided / (double)one.cycles);
	printf(" \"orders_only_across_instruments\": {\"orders\": %" PRIu64 ", \"accepted\": %" PRIu64
	       ", \"cycles\": %" PRIu64 ", \"orders_per_cycle\": %.3f},\n",
	       spread.decided, spread.accepted, spread.cycles, (double)spread.decided / (double)spread.cycles);
	printf(" \"adversarial_stream\": {\"inputs\": %" PRIu64 ", \"cycles\": %" PRIu64 ", \"stall_cycles\": %" PRIu64
	       ", \"inputs_per_cycle\": %.3f},\n", n, cycles, stalls, (double)n / (double)cycles);
	printf(" \"kill\": {\"orders_accepted_after_kill\": %" PRIu64 ", \"cycles_kill_to_first_block\": %" PRIu64 "},\n",
	       slipped, first_block - kill_cycle);
	printf(" \"host_model\": {\"inputs\": %" PRIu64 ", \"ns_per_input\": %.1f, \"baseline_ns_per_input\": %.2f, "
	       "\"ratio_to_baseline\": %.1f, \"checksum\": %" PRIu64 "}}\n",
	       n, t_model * 1e9 / (double)n, t_base * 1e9 / (double)n, t_model / t_base, sum);
	free(lat);
	free(in);
	free(ord);
	return 0;
}
