/*
 * bench_market: how fast the synthetic market (sim/exchange/market_synth.c)
 * generates order flow through the matching engine, in wall time.
 *
 * The market runs a number of simulated seconds the way the exchange's
 * main loop drives it (tg_xmarket_run_until every simulated millisecond),
 * twice: once with the engine's events only counted and passed back to the
 * market, once with every event that makes an ITCH message also encoded
 * (tickgate/itch_encode.h; a replace as a U), which is a cost floor for the
 * feed publisher's work without its sockets. The figures: engine calls,
 * engine events and ITCH messages per wall second, and how many simulated
 * seconds one wall second covers.
 *
 * The baseline, measured in the same run, is the older seeded ITCH
 * generator (sw/itch_gen.c, no matching engine: it writes messages about a
 * list of live orders), asked for as many messages as the market's ITCH
 * count; the market's ITCH messages per second are reported as a ratio to
 * it. Prints one JSON object.
 *
 * usage: bench_market [--seconds-simulated S] [--seed N] [--instruments N] [--rate CALLS_PER_S]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "market_synth.h"
#include "tickgate/itch_encode.h"
#include "tickgate/itch_gen.h"
#include "tickgate/json.h"

#define OPEN_NS (34200ull * 1000000000ull)
#define STEP_NS 1000000ull

struct sink {
	struct tg_xmarket *mk;
	bool encode;
	uint64_t events;
	uint64_t itch;		/* events the feed publishes as a message */
	uint64_t by_type[256];
	uint64_t bytes;
	uint64_t check;		/* keeps the encoder's output alive */
	uint8_t msg[TG_ITCH_MAX_LEN];
};

/* The message an event makes on the feed (feed_publisher.h), or 0. */
static char itch_type(const struct tg_match_event *ev)
{
	switch (ev->type) {
	case TG_MATCH_EV_ADD:
		return ev->hidden ? 0 : ev->mpid[0] != '\0' ? 'F' : 'A';
	case TG_MATCH_EV_EXECUTE:
		return ev->hidden ? 'P' : 'E';
	case TG_MATCH_EV_CANCEL:
		return ev->hidden || ev->shares == 0 ? 0 : ev->remaining > 0 ? 'X' : 'D';
	case TG_MATCH_EV_REPLACE:
		return ev->hidden ? 0 : 'U';
	case TG_MATCH_EV_HALT:
		return 'H';
	default:
		return 0;
	}
}

static size_t encode(struct sink *s, char type, const struct tg_match_event *ev)
{
	struct tg_itch_hdr h = { .locate = ev->instrument, .ts_ns = ev->ts_ns };
	const char *sym = tg_xmarket_symbol(s->mk, ev->instrument);

	switch (type) {
	case 'A':
		return tg_itch_enc_add_order(s->msg, &h, ev->ref, ev->side, ev->shares, sym, ev->price);
	case 'F':
		return tg_itch_enc_add_order_mpid(s->msg, &h, ev->ref, ev->side, ev->shares, sym, ev->price, ev->mpid);
	case 'E':
		return tg_itch_enc_order_executed(s->msg, &h, ev->ref, ev->shares, ev->match);
	case 'P':
		return tg_itch_enc_trade(s->msg, &h, 0, 'B', ev->shares, sym, ev->price, ev->match);
	case 'X':
		return tg_itch_enc_order_cancel(s->msg, &h, ev->ref, ev->shares);
	case 'D':
		return tg_itch_enc_order_delete(s->msg, &h, ev->ref);
	case 'U':
		return tg_itch_enc_order_replace(s->msg, &h, ev->ref, ev->new_ref, ev->shares, ev->price);
	default:
		return tg_itch_enc_trading_action(s->msg, &h, sym, ev->halted ? 'H' : 'T', NULL);
	}
}

static void on_event(void *ctx, const struct tg_match_event *ev)
{
	struct sink *s = ctx;
	char t = itch_type(ev);

	s->events++;
	if (t != 0) {
		s->itch++;
		s->by_type[(uint8_t)t]++;
		if (s->encode) {
			size_t n = encode(s, t, ev);

			s->bytes += n;
			s->check += s->msg[n - 1];
		}
	}
	tg_xmarket_match_event(s->mk, ev);
}

struct market_run {
	double wall_s;
	struct tg_xmarket_counters c;
	struct sink s;
};

static int run_market(uint64_t seed, unsigned n, double rate, double seconds, bool enc, struct market_run *out)
{
	struct tg_match_config mc = { .instruments = n, .max_orders = 1u << 22 };
	struct tg_xmarket_config cfg = { .seed = seed, .instruments = n, .rate = rate, .start_ns = OPEN_NS };
	uint64_t end = OPEN_NS + (uint64_t)(seconds * 1e9);
	struct tg_match *m;
	double t0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->s.encode = enc;
	if (tg_match_new(&mc, on_event, &out->s, &m) != TG_OK)
		return -1;
	if (tg_xmarket_new(&cfg, m, &out->s.mk) != TG_OK) {
		tg_match_free(m);
		return -1;
	}
	t0 = bench_now_s();
	for (uint64_t t = OPEN_NS + STEP_NS; t <= end && rc == 0; t += STEP_NS)
		rc = tg_xmarket_run_until(out->s.mk, t) == TG_OK ? 0 : -1;
	out->wall_s = bench_now_s() - t0;
	tg_xmarket_counters(out->s.mk, &out->c);
	tg_xmarket_free(out->s.mk);
	tg_match_free(m);
	return rc;
}

static double run_itch_gen(uint64_t seed, unsigned n, uint64_t messages, uint64_t *check)
{
	struct tg_itch_gen_config cfg = { .seed = seed, .instruments = n, .max_orders = 100u * n, .levels = 10 };
	struct tg_itch_gen *g;
	uint8_t msg[64];
	double t0;

	if (tg_itch_gen_new(&cfg, &g) != TG_OK)
		return -1;
	t0 = bench_now_s();
	for (uint64_t i = 0; i < messages; i++) {
		size_t len = tg_itch_gen_next(g, msg);

		*check += msg[len - 1];
	}
	t0 = bench_now_s() - t0;
	tg_itch_gen_free(g);
	return t0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_market [--seconds-simulated S] [--seed N] [--instruments N] "
			"[--rate CALLS_PER_S]\n");
	exit(2);
}

static void market_json(struct tg_json *j, const char *key, const char *what, const struct market_run *r)
{
	tg_json_object_begin(j, key);
	tg_json_string(j, "what", what);
	tg_json_double(j, "wall_s", r->wall_s);
	tg_json_u64(j, "engine_calls", r->c.calls);
	tg_json_u64(j, "engine_events", r->s.events);
	tg_json_u64(j, "itch_messages", r->s.itch);
	tg_json_double(j, "engine_calls_per_s", (double)r->c.calls / r->wall_s);
	tg_json_double(j, "engine_events_per_s", (double)r->s.events / r->wall_s);
	tg_json_double(j, "itch_messages_per_s", (double)r->s.itch / r->wall_s);
	if (r->s.encode)
		tg_json_u64(j, "itch_bytes", r->s.bytes);
	tg_json_object_end(j);
}

int main(int argc, char **argv)
{
	double seconds = 30, rate = 100000;
	uint64_t seed = 1, check = 0;
	unsigned n = 8;
	struct market_run plain, enc;
	double gen_s, sim_speed;
	struct tg_json j;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--seconds-simulated") == 0)
			seconds = strtod(argv[++i], &end);
		else if (strcmp(argv[i], "--seed") == 0)
			seed = strtoull(argv[++i], &end, 10);
		else if (strcmp(argv[i], "--instruments") == 0)
			n = (unsigned)strtoul(argv[++i], &end, 10);
		else if (strcmp(argv[i], "--rate") == 0)
			rate = strtod(argv[++i], &end);
		else
			usage();
		if (*end != '\0')
			usage();
	}
	if (!(seconds > 0 && seconds <= 86400) || n == 0 || n > 1000 || !(rate > 0))
		usage();
	if (run_market(seed, n, rate, seconds, false, &plain) != 0 ||
	    run_market(seed, n, rate, seconds, true, &enc) != 0) {
		fprintf(stderr, "bench_market: market setup or run failed\n");
		return 1;
	}
	gen_s = run_itch_gen(seed, n, plain.s.itch, &check);
	if (gen_s <= 0 || plain.s.itch == 0 || plain.c.errors != 0) {
		fprintf(stderr, "bench_market: baseline failed\n");
		return 1;
	}
	sim_speed = seconds / plain.wall_s;

	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "bench", "market");
	tg_json_u64(&j, "seed", seed);
	tg_json_double(&j, "seconds_simulated", seconds);
	tg_json_u64(&j, "instruments", n);
	tg_json_double(&j, "rate_asked_calls_per_sim_s", rate);
	tg_json_double(&j, "rate_realized_calls_per_sim_s", (double)plain.c.calls / seconds);
	market_json(&j, "market", "synthetic market + matching engine, events counted", &plain);
	market_json(&j, "market_encoded", "the same, every ITCH-making event also encoded", &enc);
	tg_json_object_begin(&j, "itch_mix");
	for (const char *t = "AFEPXDUH"; *t; t++) {
		char key[2] = { *t, 0 };

		tg_json_u64(&j, key, plain.s.by_type[(uint8_t)*t]);
	}
	tg_json_object_end(&j);
	tg_json_object_begin(&j, "baseline_itch_gen");
	tg_json_string(&j, "what", "sw/itch_gen.c: random ITCH without a matching engine, same message count");
	tg_json_u64(&j, "messages", plain.s.itch);
	tg_json_double(&j, "wall_s", gen_s);
	tg_json_double(&j, "messages_per_s", (double)plain.s.itch / gen_s);
	tg_json_object_end(&j);
	tg_json_double(&j, "sim_seconds_per_wall_second", sim_speed);
	tg_json_double(&j, "ratio_itch_messages_per_s_vs_itch_gen", gen_s / plain.wall_s);
	tg_json_double(&j, "ratio_encoded_itch_messages_per_s_vs_itch_gen", gen_s / enc.wall_s);
	tg_json_bool(&j, "deterministic_same_calls", plain.c.calls == enc.c.calls && plain.s.events == enc.s.events);
	tg_json_u64(&j, "checksum", (check + enc.s.check) & 0xffff);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	return plain.c.calls == enc.c.calls && plain.s.events == enc.s.events ? 0 : 1;
}
