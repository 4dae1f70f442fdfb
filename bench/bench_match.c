/*
 * bench_match: the matching engine's (sw/match.c) throughput for three
 * kinds of operation, each as operations per second and as a ratio to a
 * baseline measured in the same run on the same operation stream.
 *
 * The stream, seeded, runs in rounds over a few instruments. Each round
 * starts from empty books and has three phases, timed apart:
 *   add:    `depth` resting day limit orders (bids below the mid, asks
 *           above, 1 in 10 hidden, over `levels` price levels a side);
 *   match:  depth/4 aggressive IOC orders, each priced through the whole
 *           other side, of about the size of one or two resting orders:
 *           they fill against resting ones (half the resting volume);
 *   cancel: a delete of every order still resting, in a shuffled order.
 * A round adds `depth` orders, so --orders N makes N / depth rounds.
 *
 * The baseline is a deliberately naive book: per instrument one flat array
 * of orders, every question a linear scan (the best order to fill: best
 * price, then oldest; a reference to delete: every instrument's array), as
 * in the unit test's reference model. It sees the same stream and calls
 * the same event sink, so the events of both are checksummed and must
 * agree. The ratios depend on the depth, which is reported: the naive book
 * costs O(resting orders) per operation, the engine O(1) or O(log levels).
 *
 * Prints one JSON object. usage: bench_match [--orders N] [--seed S]
 *   [--depth D] [--instruments I] [--levels L] [--repeat R]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "tickgate/json.h"
#include "tickgate/match.h"

#define MID 1000000u	/* $100.0000 */
#define TICK 100u	/* one cent */

/* ---- the stream ---- */

struct op {
	uint16_t inst;
	char side;
	bool hidden;
	uint32_t shares, price;
};

struct stream {
	unsigned instruments, levels;
	uint32_t depth;
	uint64_t n_add, n_match;
	struct op *add, *match;
	uint64_t rounds;
	/* filled by the first run: the deletes of each round, shuffled */
	uint64_t *cancel;
	uint64_t *cancel_end;	/* [round]: one past its last delete */
	uint64_t n_cancel;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static void make_stream(struct stream *s, uint64_t orders)
{
	s->rounds = (orders + s->depth - 1) / s->depth;
	s->n_add = orders;
	s->n_match = 0;
	for (uint64_t r = 0; r < s->rounds; r++) {
		uint64_t adds = r + 1 < s->rounds ? s->depth : orders - r * s->depth;

		s->n_match += adds / 4 > 0 ? adds / 4 : 1;
	}
	s->add = calloc(s->n_add, sizeof(*s->add));
	s->match = calloc(s->n_match, sizeof(*s->match));
	s->cancel = calloc(s->n_add, sizeof(*s->cancel));
	s->cancel_end = calloc(s->rounds, sizeof(*s->cancel_end));
	if (s->add == NULL || s->match == NULL || s->cancel == NULL || s->cancel_end == NULL) {
		fprintf(stderr, "bench_match: out of memory\n");
		exit(1);
	}
	for (uint64_t i = 0; i < s->n_add; i++) {
		struct op *o = &s->add[i];

		o->inst = (uint16_t)(1 + below(s->instruments));
		o->side = below(2) ? TG_MATCH_BUY : TG_MATCH_SELL;
		o->hidden = below(10) == 0;
		o->shares = 100 + below(901);
		o->price = o->side == TG_MATCH_BUY ? MID - TICK * (1 + below(s->levels))
						   : MID + TICK * (1 + below(s->levels));
	}
	for (uint64_t i = 0; i < s->n_match; i++) {
		struct op *o = &s->match[i];

		o->inst = (uint16_t)(1 + below(s->instruments));
		o->side = below(2) ? TG_MATCH_BUY : TG_MATCH_SELL;
		o->shares = 100 + below(1001);
		o->price = o->side == TG_MATCH_BUY ? MID + TICK * (s->levels + 1) : MID - TICK * (s->levels + 1);
	}
}

/* ---- the event sink both books call ---- */

struct sink {
	uint64_t sum;
	uint64_t events, executions;
	uint8_t *live;	/* by reference number */
};

static void on_event(void *ctx, const struct tg_match_event *ev)
{
	struct sink *k = ctx;
	uint64_t h = (uint64_t)ev->type ^ ev->ref << 8 ^ (uint64_t)ev->shares << 20 ^ (uint64_t)ev->price << 36 ^
		     ev->aggressor_ref << 13 ^ ev->match << 29 ^ (uint64_t)ev->remaining << 40 ^
		     (uint64_t)(uint8_t)ev->side << 56 ^ (uint64_t)ev->hidden << 63 ^ ev->instrument;

	k->sum = (k->sum ^ h) * 0x100000001b3ull;
	k->events++;
	if (ev->type == TG_MATCH_EV_ADD)
		k->live[ev->ref] = 1;
	else if ((ev->type == TG_MATCH_EV_EXECUTE || ev->type == TG_MATCH_EV_CANCEL) && ev->remaining == 0)
		k->live[ev->ref] = 0;
	k->executions += ev->type == TG_MATCH_EV_EXECUTE;
}

/* ---- the naive baseline ---- */

struct norder {
	uint64_t ref, owner, seq;
	uint32_t price, shares;
	char side;
	bool hidden;
};

struct naive {
	unsigned instruments;
	struct norder **o;	/* [instrument]: live orders, in no order */
	size_t *n;
	size_t cap;
	uint64_t last_ref, last_match, seq;
	struct sink *sink;
};

static void naive_init(struct naive *b, unsigned instruments, size_t cap, struct sink *sink)
{
	memset(b, 0, sizeof(*b));
	b->instruments = instruments;
	b->cap = cap;
	b->sink = sink;
	b->o = calloc(instruments + 1, sizeof(*b->o));
	b->n = calloc(instruments + 1, sizeof(*b->n));
	if (b->o == NULL || b->n == NULL)
		exit(1);
	for (unsigned i = 1; i <= instruments; i++) {
		b->o[i] = malloc(cap * sizeof(**b->o));
		if (b->o[i] == NULL)
			exit(1);
	}
}

static void naive_free(struct naive *b)
{
	for (unsigned i = 1; i <= b->instruments; i++)
		free(b->o[i]);
	free(b->o);
	free(b->n);
}

/* Enter a limit order (day or IOC); returns its reference. */
static uint64_t naive_enter(struct naive *b, const struct op *op, bool ioc, uint64_t ts)
{
	struct norder *a = b->o[op->inst];
	size_t *n = &b->n[op->inst];
	char other = op->side == TG_MATCH_BUY ? TG_MATCH_SELL : TG_MATCH_BUY;
	uint64_t ref = ++b->last_ref, owner = 0;
	uint32_t left = op->shares;

	while (left > 0) {
		long best = -1;

		for (size_t i = 0; i < *n; i++) {
			const struct norder *o = &a[i];

			if (o->side != other || (op->side == TG_MATCH_BUY ? o->price > op->price : o->price < op->price))
				continue;
			if (best < 0 || (other == TG_MATCH_SELL ? o->price < a[best].price : o->price > a[best].price) ||
			    (o->price == a[best].price && o->seq < a[best].seq))
				best = (long)i;
		}
		if (best < 0)
			break;

		struct norder *o = &a[best];
		uint32_t fill = o->shares < left ? o->shares : left;
		struct tg_match_event ev = {
			.type = TG_MATCH_EV_EXECUTE, .ts_ns = ts, .instrument = op->inst, .side = o->side,
			.hidden = o->hidden, .ref = o->ref, .owner = o->owner, .aggressor_ref = ref,
			.aggressor_owner = owner, .shares = fill, .price = o->price, .remaining = o->shares - fill,
			.match = ++b->last_match,
		};

		left -= fill;
		o->shares -= fill;
		if (o->shares == 0)
			a[best] = a[--*n];
		on_event(b->sink, &ev);
	}
	if (left > 0) {
		struct tg_match_event ev = {
			.ts_ns = ts, .instrument = op->inst, .side = op->side, .hidden = op->hidden, .shares = left,
			.price = op->price,
		};

		if (ioc) {
			ev.type = TG_MATCH_EV_EXPIRE;
			ev.aggressor_ref = ref;
			ev.aggressor_owner = owner;
		} else {
			if (*n == b->cap)
				exit(1);	/* the stream never fills the book */
			a[(*n)++] = (struct norder){ .ref = ref, .owner = owner, .seq = ++b->seq, .price = op->price,
						     .shares = left, .side = op->side, .hidden = op->hidden };
			ev.type = TG_MATCH_EV_ADD;
			ev.ref = ref;
			ev.owner = owner;
		}
		on_event(b->sink, &ev);
	}
	return ref;
}

static int naive_delete(struct naive *b, uint64_t ref, uint64_t ts)
{
	for (unsigned k = 1; k <= b->instruments; k++) {
		struct norder *a = b->o[k];

		for (size_t i = 0; i < b->n[k]; i++) {
			if (a[i].ref == ref) {
				struct tg_match_event ev = {
					.type = TG_MATCH_EV_CANCEL, .ts_ns = ts, .instrument = (uint16_t)k,
					.side = a[i].side, .hidden = a[i].hidden, .ref = ref, .owner = a[i].owner,
					.shares = a[i].shares, .price = a[i].price,
				};

				a[i] = a[--b->n[k]];
				on_event(b->sink, &ev);
				return TG_OK;
			}
		}
	}
	return TG_ERR_NOENT;
}

/* ---- one run of the whole stream through one book ---- */

struct result {
	double t_add, t_match, t_cancel;
	uint64_t sum, events, executions;
	bool ok;
};

static void run(struct stream *s, bool engine, bool record_cancels, struct result *res)
{
	struct sink k = { 0 };
	struct tg_match *m = NULL;
	struct naive b;
	struct tg_match_config cfg = { .instruments = s->instruments, .max_orders = s->depth };
	uint64_t ts = 0, ia = 0, im = 0, ic = 0;

	memset(res, 0, sizeof(*res));
	res->ok = true;
	k.live = calloc(s->n_add + s->n_match + 1, 1);
	if (k.live == NULL)
		exit(1);
	if (engine) {
		if (tg_match_new(&cfg, on_event, &k, &m) != TG_OK)
			exit(1);
	} else {
		naive_init(&b, s->instruments, s->depth, &k);
	}
	for (uint64_t r = 0; r < s->rounds; r++) {
		uint64_t add_end = r + 1 < s->rounds ? ia + s->depth : s->n_add;
		uint64_t match_end = im + ((add_end - ia) / 4 > 0 ? (add_end - ia) / 4 : 1);
		uint64_t ref = 0, first_ref = 0, last_ref = 0;
		double t0, t1, t2, t3, t4;
		t0 = bench_now_s();
		if (engine) {
			for (; ia < add_end; ia++) {
				const struct op *op = &s->add[ia];
				struct tg_match_order o = { .instrument = op->inst, .side = op->side, .hidden = op->hidden,
							    .shares = op->shares, .price = op->price };

				if (tg_match_enter(m, &o, ++ts, &ref) != TG_OK)
					res->ok = false;
				if (first_ref == 0)
					first_ref = ref;
			}
		} else {
			for (; ia < add_end; ia++) {
				ref = naive_enter(&b, &s->add[ia], false, ++ts);
				if (first_ref == 0)
					first_ref = ref;
			}
		}
		t1 = bench_now_s();
		if (engine) {
			for (; im < match_end; im++) {
				const struct op *op = &s->match[im];
				struct tg_match_order o = { .instrument = op->inst, .side = op->side,
							    .tif = TG_MATCH_IOC, .shares = op->shares, .price = op->price };

				if (tg_match_enter(m, &o, ++ts, &ref) != TG_OK)
					res->ok = false;
			}
		} else {
			for (; im < match_end; im++)
				ref = naive_enter(&b, &s->match[im], true, ++ts);
		}
		last_ref = ref;
		t2 = bench_now_s();
		if (record_cancels) {
			/* what still rests, shuffled: the same deletes for every later run */
			uint64_t c0 = s->n_cancel;

			for (uint64_t x = first_ref; x <= last_ref; x++)
				if (k.live[x])
					s->cancel[s->n_cancel++] = x;
			for (uint64_t i = s->n_cancel - c0; i > 1; i--) {
				uint64_t j = rnd() % i, t = s->cancel[c0 + i - 1];

				s->cancel[c0 + i - 1] = s->cancel[c0 + j];
				s->cancel[c0 + j] = t;
			}
			s->cancel_end[r] = s->n_cancel;
		}
		t3 = bench_now_s();
		if (engine) {
			for (; ic < s->cancel_end[r]; ic++)
				if (tg_match_reduce(m, s->cancel[ic], 0, ++ts) != TG_OK)
					res->ok = false;
			if (tg_match_resting_count(m) != 0)
				res->ok = false;
		} else {
			for (; ic < s->cancel_end[r]; ic++)
				if (naive_delete(&b, s->cancel[ic], ++ts) != TG_OK)
					res->ok = false;
			for (unsigned i = 1; i <= s->instruments; i++)
				if (b.n[i] != 0)
					res->ok = false;
		}
		t4 = bench_now_s();
		res->t_add += t1 - t0;
		res->t_match += t2 - t1;
		res->t_cancel += t4 - t3;
	}
	res->sum = k.sum;
	res->events = k.events;
	res->executions = k.executions;
	if (engine)
		tg_match_free(m);
	else
		naive_free(&b);
	free(k.live);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	uint64_t orders = 1000000, seed = 1;
	unsigned repeat = 3;
	struct stream s = { .instruments = 4, .levels = 50, .depth = 4000 };
	double e_add[16], e_match[16], e_cancel[16], n_add[16], n_match[16], n_cancel[16];
	double r_add[16], r_match[16], r_cancel[16];
	struct result er, nr, first = { 0 };
	bool same = true, ok = true;
	struct tg_json j;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--orders") == 0 && i + 1 < argc)
			orders = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--depth") == 0 && i + 1 < argc)
			s.depth = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--instruments") == 0 && i + 1 < argc)
			s.instruments = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--levels") == 0 && i + 1 < argc)
			s.levels = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
			repeat = (unsigned)atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: bench_match [--orders N] [--seed S] [--depth D] [--instruments I] "
					"[--levels L] [--repeat R]\n");
			return 2;
		}
	}
	if (orders == 0 || s.depth < 4 || s.instruments < 1 || s.instruments > 65535 || s.levels < 1 ||
	    s.levels > MID / TICK - 2 || repeat < 1 || repeat > 16 || seed == 0) {
		fprintf(stderr, "bench_match: orders > 0, depth >= 4, instruments 1..65535, levels 1..%u, "
				"repeat 1..16, seed != 0\n", MID / TICK - 2);
		return 2;
	}
	rng_state = seed;
	make_stream(&s, orders);

	/* interleave the engine and the baseline so that both see the same machine state */
	for (unsigned k = 0; k < repeat; k++) {
		run(&s, true, k == 0, &er);
		run(&s, false, false, &nr);
		if (k == 0)
			first = er;
		same = same && er.sum == first.sum && nr.sum == first.sum && er.events == nr.events;
		ok = ok && er.ok && nr.ok;
		e_add[k] = (double)s.n_add / er.t_add;
		e_match[k] = (double)s.n_match / er.t_match;
		e_cancel[k] = (double)s.n_cancel / er.t_cancel;
		n_add[k] = (double)s.n_add / nr.t_add;
		n_match[k] = (double)s.n_match / nr.t_match;
		n_cancel[k] = (double)s.n_cancel / nr.t_cancel;
		r_add[k] = e_add[k] / n_add[k];
		r_match[k] = e_match[k] / n_match[k];
		r_cancel[k] = e_cancel[k] / n_cancel[k];
	}

	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "bench", "match_engine");
	tg_json_u64(&j, "orders", orders);
	tg_json_u64(&j, "seed", seed);
	tg_json_u64(&j, "instruments", s.instruments);
	tg_json_u64(&j, "depth", s.depth);
	tg_json_u64(&j, "levels_per_side", s.levels);
	tg_json_u64(&j, "rounds", s.rounds);
	tg_json_u64(&j, "repeat", repeat);
	tg_json_u64(&j, "add_ops", s.n_add);
	tg_json_u64(&j, "match_ops", s.n_match);
	tg_json_u64(&j, "cancel_ops", s.n_cancel);
	tg_json_u64(&j, "executions", first.executions);
	tg_json_u64(&j, "events", first.events);
	tg_json_double(&j, "add_per_s_median", median(e_add, repeat));
	tg_json_double(&j, "match_per_s_median", median(e_match, repeat));
	tg_json_double(&j, "cancel_per_s_median", median(e_cancel, repeat));
	tg_json_double(&j, "baseline_add_per_s_median", median(n_add, repeat));
	tg_json_double(&j, "baseline_match_per_s_median", median(n_match, repeat));
	tg_json_double(&j, "baseline_cancel_per_s_median", median(n_cancel, repeat));
	tg_json_double(&j, "ratio_add_median", median(r_add, repeat));
	tg_json_double(&j, "ratio_match_median", median(r_match, repeat));
	tg_json_double(&j, "ratio_cancel_median", median(r_cancel, repeat));
	tg_json_string(&j, "baseline",
		       "naive book on the same stream: one flat array of orders per instrument, linear scans "
		       "(best price then oldest to fill; every array to find a reference to delete)");
	tg_json_bool(&j, "events_match", same);
	tg_json_bool(&j, "all_operations_ok", ok);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	free(s.add);
	free(s.match);
	free(s.cancel);
	free(s.cancel_end);
	return same && ok ? 0 : 1;
}
