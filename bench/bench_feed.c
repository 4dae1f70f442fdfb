/*
 * bench_feed: the card's feed pipeline in cycles (Verilated core, in process).
 *
 * Latency: a seeded generated ITCH stream (random packet sizes, many
 * instruments), fed frame by frame; for every delivered message, cycles from
 * the beat carrying its last byte to the cycle its normalized message left
 * the parser (the MSG event's timestamp), and to the cycle the book's BBO
 * event for it left the book (eight instruments subscribed). min/median/
 * max, and ns at the target clock.
 *
 * Book throughput: generated order flow of eight instruments, all
 * subscribed, in MTU packets back to back: messages the book applied per
 * cycle and messages it lost (overrun) against what the feed delivered.
 *
 * Line rate: MTU packets full of the shortest messages, then minimum-size
 * packets, back to back: input stall cycles (tready low while a beat waits),
 * messages per cycle, and the model's speed in cycles per wall second
 * against the idle model measured in the same run.
 *
 * Prints one JSON object. usage: bench_feed [--messages N] [--seed N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card_feed.h"
#include "tickgate/card_regs.h"
#include "tickgate/itch_gen.h"
#include "bench_util.h"
#include "tickgate/json.h"
#include "tickgate/mold_frame.h"

#define BUS 0x100000000ull
#define MEM_BYTES (4u << 20)

/* ---- latency ---- */

struct lat {
	uint64_t *last_byte_cycle;		/* by MoldUDP64 sequence number */
	uint32_t *last_byte_off;		/* by sequence number: frame offset of the message's last byte */
	uint64_t *lat, *bbo_lat;
	size_t n_lat, n_bbo, cap;
	uint64_t next_seq;		/* next message of the frame being fed to stamp */
	uint64_t end_seq;		/* one past its last message */
};

static struct lat L;

static void on_beat(void *ctx, uint64_t cycle, uint32_t off, unsigned bytes, bool last)
{
	(void)ctx;
	(void)last;
	while (L.next_seq < L.end_seq && L.last_byte_off[L.next_seq] < off + bytes)
		L.last_byte_cycle[L.next_seq++] = cycle;
}

static void on_msg(void *ctx, const struct tg_feed_event_msg *m)
{
	(void)ctx;
	if (m->mold_seq < L.cap && L.last_byte_cycle[m->mold_seq] != 0)
		L.lat[L.n_lat++] = m->timestamp - L.last_byte_cycle[m->mold_seq];
}

static void on_book(void *ctx, const struct tg_feed_event_book *b)
{
	(void)ctx;
	if (b->ev.type == TG_BOOK_EV_BBO && b->ev.seq < L.cap && L.last_byte_cycle[b->ev.seq] != 0 && L.bbo_lat)
		L.bbo_lat[L.n_bbo++] = b->timestamp - L.last_byte_cycle[b->ev.seq];
}

struct card {
	uint8_t *mem;
	struct tg_card_model *cm;
	struct tg_card_feed *cf;
};

static int card_open(struct card *c, bool beats, const struct tg_feed_config *fc)
{
	struct tg_cm_config cfg = { .mem_bytes = MEM_BYTES, .bus_base = BUS };
	struct tg_feed_event_handlers h = { .msg = on_msg, .book = on_book };

	c->mem = aligned_alloc(4096, MEM_BYTES);
	if (c->mem == NULL)
		return -1;
	memset(c->mem, 0, MEM_BYTES);
	cfg.mem = c->mem;
	if (beats)
		cfg.net_beat = on_beat;
	c->cm = tg_cm_new(&cfg);
	if (c->cm == NULL)
		return -1;
	c->cf = tg_cf_new(c->cm, c->mem, MEM_BYTES, BUS, &h);
	if (c->cf == NULL || !tg_cf_configure(c->cf, fc, true))
		return -1;
	return 0;
}

static void card_close(struct card *c)
{
	tg_cf_free(c->cf);
	tg_cm_free(c->cm);
	free(c->mem);
}

static void min_med_max(uint64_t *v, size_t n, uint64_t out[3])
{
	qsort(v, n, sizeof(uint64_t), bench_cmp_u64);
	if (n > 0) {
		out[0] = v[0];
		out[1] = v[n / 2];
		out[2] = v[n - 1];
	}
}

static int subscribe_first(struct card *c, unsigned slots)
{
	for (unsigned i = 0; i < slots; i++)
		if (!tg_cf_book_subscribe(c->cf, i, "", (int)(i + 1)))
			return -1;
	return 0;
}

static int run_latency(uint64_t messages, uint64_t seed, uint64_t out[3], uint64_t *measured, uint64_t bbo[3],
		       uint64_t *bbo_measured)
{
	struct tg_feed_config fc = { .seq_check = true, .accept_all = true };
	struct tg_itch_gen_config gc = { .seed = seed, .instruments = 256, .max_orders = 50000, .levels = 32 };
	struct tg_itch_gen *g;
	struct tg_mold_frame_params fp;
	struct card c;
	uint64_t seq = 1, rng = seed;

	L.cap = messages + 64;
	L.last_byte_cycle = calloc(L.cap, sizeof(uint64_t));
	L.last_byte_off = calloc(L.cap, sizeof(uint32_t));
	L.lat = calloc(L.cap, sizeof(uint64_t));
	L.bbo_lat = calloc(L.cap, sizeof(uint64_t));
	if (L.last_byte_cycle == NULL || L.last_byte_off == NULL || L.lat == NULL || L.bbo_lat == NULL ||
	    tg_itch_gen_new(&gc, &g) != TG_OK || card_open(&c, true, &fc) != 0 || subscribe_first(&c, 8) != 0)
		return -1;
	tg_mold_frame_defaults(&fp, "BENCH");
	fp.vlan = true;
	while (seq < messages) {
		uint8_t blocks[TG_MOLD_MAX_PAYLOAD], f[2048], m[64];
		size_t used = 0, hdr = 18 + 20 + 8 + TG_MOLD_HDR;
		unsigned n = 0, want;

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		want = 1 + (unsigned)((rng >> 33) % 30);
		while (n < want && seq + n < messages) {
			size_t len = tg_itch_gen_next(g, m);

			if (used + 2 + len > TG_MOLD_MAX_PAYLOAD - TG_MOLD_HDR)
				break;
			blocks[used] = (uint8_t)(len >> 8);
			blocks[used + 1] = (uint8_t)len;
			memcpy(blocks + used + 2, m, len);
			used += 2 + len;
			L.last_byte_off[seq + n] = (uint32_t)(hdr + used - 1);
			n++;
		}
		size_t fl = tg_mold_frame(f, sizeof(f), &fp, seq, (uint16_t)n, blocks, used);

		/* paced: the previous frame's events are all in before this one's beats start */
		tg_cf_quiesce(c.cf);
		L.next_seq = seq;
		L.end_seq = seq + n;
		tg_cf_frame(c.cf, f, fl);
		seq += n;
		fp.ip_id++;
	}
	tg_cf_finish(c.cf);
	min_med_max(L.lat, L.n_lat, out);
	*measured = L.n_lat;
	min_med_max(L.bbo_lat, L.n_bbo, bbo);
	*bbo_measured = L.n_bbo;
	card_close(&c);
	tg_itch_gen_free(g);
	free(L.last_byte_cycle);
	free(L.last_byte_off);
	free(L.lat);
	free(L.bbo_lat);
	return 0;
}

/* ---- book throughput ---- */

struct book_rate {
	uint64_t delivered, applied, overrun, cycles;
};

static int rd64(struct card *c, uint32_t lo_reg, uint64_t *v)
{
	uint32_t lo, hi;

	if (tg_cm_csr_read(c->cm, lo_reg, &lo) != TG_CM_CSR_OK || tg_cm_csr_read(c->cm, lo_reg + 4, &hi) != TG_CM_CSR_OK)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static int run_book_rate(uint64_t messages, uint64_t seed, struct book_rate *r)
{
	struct tg_feed_config fc = { .seq_check = true, .accept_all = true };
	struct tg_itch_gen_config gc = { .seed = seed, .instruments = 8, .max_orders = 4000, .levels = 8 };
	struct tg_itch_gen *g;
	struct tg_mold_frame_params fp;
	struct card c;
	uint64_t seq = 1, c0, d0;

	if (tg_itch_gen_new(&gc, &g) != TG_OK || card_open(&c, false, &fc) != 0 || subscribe_first(&c, 8) != 0 ||
	    tg_cm_csr_write(c.cm, TG_REG_FEED_CONTROL, TG_FEED_CONTROL_SEQ_CHECK_MASK | TG_FEED_CONTROL_ACCEPT_ALL_MASK,
			    0xf) != TG_CM_CSR_OK ||
	    !tg_cf_book_events(c.cf, false))
		return -1;
	tg_mold_frame_defaults(&fp, "BOOK");
	c0 = tg_cm_stats(c.cm)->cycles;
	if (rd64(&c, TG_REG_FEED_MESSAGES_LO, &d0) != 0)
		return -1;
	while (seq < messages) {
		uint8_t blocks[TG_MOLD_MAX_PAYLOAD], f[2048], m[64];
		size_t used = 0;
		unsigned n = 0;

		for (;;) {
			size_t len = tg_itch_gen_next(g, m);

			if (used + 2 + len > TG_MOLD_MAX_PAYLOAD - TG_MOLD_HDR)
				break;	/* left out of the stream */
			blocks[used] = (uint8_t)(len >> 8);
			blocks[used + 1] = (uint8_t)len;
			memcpy(blocks + used + 2, m, len);
			used += 2 + len;
			n++;
		}
		tg_cf_frame(c.cf, f, tg_mold_frame(f, sizeof(f), &fp, seq, (uint16_t)n, blocks, used));
		seq += n;
		fp.ip_id++;
	}
	while (tg_cm_net_pending(c.cm) > 0)
		tg_cm_run(c.cm, 1);
	tg_cm_run(c.cm, 64);	/* the book's queue drains */
	r->cycles = tg_cm_stats(c.cm)->cycles - c0;
	if (rd64(&c, TG_REG_FEED_MESSAGES_LO, &r->delivered) != 0 || rd64(&c, TG_REG_BOOK_MESSAGES_LO, &r->applied) != 0 ||
	    rd64(&c, TG_REG_BOOK_OVERRUN_LO, &r->overrun) != 0)
		return -1;
	r->delivered -= d0;
	card_close(&c);
	tg_itch_gen_free(g);
	return 0;
}

/* ---- line rate ---- */

struct rate {
	uint64_t frames, messages, cycles, stalls;
	double cps;
};

static int run_rate(bool mtu, unsigned frames, struct rate *r)
{
	struct tg_feed_config fc = { .seq_check = true, .accept_all = true };
	struct tg_mold_frame_params fp;
	struct card c;
	uint64_t seq = 1, m0, m1, c0, c1, msgs0, msgs1;
	uint32_t lo, hi;
	double t0, t1;

	if (card_open(&c, false, &fc) != 0)
		return -1;
	/* counters only: MSG events need more DMA bandwidth than the wire brings */
	if (tg_cm_csr_write(c.cm, TG_REG_FEED_CONTROL, TG_FEED_CONTROL_SEQ_CHECK_MASK | TG_FEED_CONTROL_ACCEPT_ALL_MASK,
			    0xf) != TG_CM_CSR_OK)
		return -1;
	tg_mold_frame_defaults(&fp, "RATE");
	tg_cm_csr_read(c.cm, TG_REG_FEED_MESSAGES_LO, &lo);
	tg_cm_csr_read(c.cm, TG_REG_FEED_MESSAGES_HI, &hi);
	msgs0 = (uint64_t)hi << 32 | lo;
	m0 = tg_cm_stats(c.cm)->cycles;
	c0 = tg_cm_stats(c.cm)->net_stalls;
	t0 = bench_now_s();
	for (unsigned k = 0; k < frames; k++) {
		uint8_t blocks[TG_MOLD_MAX_PAYLOAD], f[2048];
		size_t used = 0;
		unsigned n = 0;

		do {
			memset(blocks + used, 0, 14);
			blocks[used + 1] = 12;
			blocks[used + 2] = 'S';
			blocks[used + 13] = 'Q';
			used += 14;
			n++;
		} while (mtu && used + 14 <= TG_MOLD_MAX_PAYLOAD - TG_MOLD_HDR);
		size_t fl = tg_mold_frame(f, sizeof(f), &fp, seq, (uint16_t)n, blocks, used);

		seq += n;
		tg_cf_frame(c.cf, f, fl);
	}
	while (tg_cm_net_pending(c.cm) > 0)
		tg_cm_run(c.cm, 1);
	tg_cm_run(c.cm, 8);	/* the last message through the parser */
	t1 = bench_now_s();
	m1 = tg_cm_stats(c.cm)->cycles;
	c1 = tg_cm_stats(c.cm)->net_stalls;
	tg_cm_csr_read(c.cm, TG_REG_FEED_MESSAGES_LO, &lo);
	tg_cm_csr_read(c.cm, TG_REG_FEED_MESSAGES_HI, &hi);
	msgs1 = (uint64_t)hi << 32 | lo;
	r->frames = frames;
	r->messages = msgs1 - msgs0;
	r->cycles = m1 - m0;
	r->stalls = c1 - c0;
	r->cps = (double)r->cycles / (t1 - t0);
	card_close(&c);
	return 0;
}

static double idle_cps(void)
{
	struct tg_feed_config fc = { .seq_check = true, .accept_all = true };
	struct card c;
	double t0, t1;
	const uint64_t n = 2000000;

	if (card_open(&c, false, &fc) != 0)
		return 0;
	t0 = bench_now_s();
	tg_cm_run(c.cm, n);
	t1 = bench_now_s();
	card_close(&c);
	return (double)n / (t1 - t0);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_feed [--messages N] [--seed N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t messages = 1000000, seed = 1, lat[3] = { 0, 0, 0 }, measured = 0, bbo[3] = { 0, 0, 0 }, bbo_measured = 0;
	struct book_rate br;
	const double mhz = TG_CARD_CLOCK_HZ / 1e6;
	struct rate mtu, small;
	struct tg_json j;
	double idle;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--messages") == 0)
			messages = strtoull(argv[++i], &end, 10);
		else if (strcmp(argv[i], "--seed") == 0)
			seed = strtoull(argv[++i], &end, 10);
		else
			usage();
		if (*end != '\0')
			usage();
	}
	if (messages < 100)
		usage();
	idle = idle_cps();
	if (run_latency(messages, seed, lat, &measured, bbo, &bbo_measured) != 0 ||
	    run_book_rate(messages / 2, seed, &br) != 0 ||
	    run_rate(true, (unsigned)(messages / 100 + 10), &mtu) != 0 ||
	    run_rate(false, (unsigned)(messages / 10 + 10), &small) != 0) {
		fprintf(stderr, "bench_feed: model setup failed\n");
		return 1;
	}
	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "bench", "feed_pipeline");
	tg_json_double(&j, "target_clock_mhz", mhz);
	tg_json_u64(&j, "seed", seed);
	tg_json_object_begin(&j, "latency_cycles");
	tg_json_string(&j, "what", "beat with the ITCH message's last byte -> normalized message out of the parser");
	tg_json_u64(&j, "messages", measured);
	tg_json_u64(&j, "min", lat[0]);
	tg_json_u64(&j, "median", lat[1]);
	tg_json_u64(&j, "max", lat[2]);
	tg_json_double(&j, "max_ns_at_target_clock", (double)lat[2] * 1e3 / mhz);
	tg_json_object_end(&j);
	tg_json_object_begin(&j, "bbo_latency_cycles");
	tg_json_string(&j, "what", "beat with the ITCH message's last byte -> the book's BBO event for it out of the book");
	tg_json_u64(&j, "events", bbo_measured);
	tg_json_u64(&j, "min", bbo[0]);
	tg_json_u64(&j, "median", bbo[1]);
	tg_json_u64(&j, "max", bbo[2]);
	tg_json_double(&j, "max_ns_at_target_clock", (double)bbo[2] * 1e3 / mhz);
	tg_json_object_end(&j);
	tg_json_object_begin(&j, "book_line_rate");
	tg_json_string(&j, "what", "order flow of 8 instruments, all subscribed, MTU packets back to back");
	tg_json_u64(&j, "messages_delivered", br.delivered);
	tg_json_u64(&j, "messages_applied", br.applied);
	tg_json_u64(&j, "overrun", br.overrun);
	tg_json_u64(&j, "cycles", br.cycles);
	tg_json_double(&j, "messages_per_cycle", (double)br.applied / (double)br.cycles);
	tg_json_object_end(&j);
	struct {
		const char *key, *what;
		const struct rate *r;
	} rates[2] = {
		{ "line_rate_mtu_shortest_messages", "1500-byte IP packets of 12-byte messages, back to back", &mtu },
		{ "line_rate_min_packets", "one 12-byte message per packet, back to back", &small },
	};
	for (int i = 0; i < 2; i++) {
		const struct rate *r = rates[i].r;

		tg_json_object_begin(&j, rates[i].key);
		tg_json_string(&j, "what", rates[i].what);
		tg_json_u64(&j, "frames", r->frames);
		tg_json_u64(&j, "messages", r->messages);
		tg_json_u64(&j, "cycles", r->cycles);
		tg_json_u64(&j, "input_stall_cycles", r->stalls);
		tg_json_double(&j, "messages_per_cycle", (double)r->messages / (double)r->cycles);
		tg_json_double(&j, "messages_per_s_at_target_clock", (double)r->messages / (double)r->cycles * mhz * 1e6);
		tg_json_double(&j, "model_cycles_per_s", r->cps);
		tg_json_double(&j, "model_speed_vs_idle", r->cps / idle);
		tg_json_object_end(&j);
	}
	tg_json_double(&j, "idle_model_cycles_per_s", idle);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	return 0;
}
