/*
 * bench_roundtrip: host -> RTL -> host round trip, and simulator speed.
 *
 * Part 1, in process, exact in cycles: the Verilated core with the host
 * rings in local memory. One LOOPBACK at a time: cycles from the H2C
 * doorbell write being accepted to the answer's marker becoming valid in
 * host memory (the DMA responder answers with zero latency, so this is the
 * card's own share), converted to ns at the target clock. Also the model's
 * cycles per wall second, idle and under that traffic.
 *
 * Part 2, across processes: tickgate-sim started from --sim PATH (with
 * --spin), the real driver over shared memory. Wall-clock round trip of a
 * LOOPBACK (window 1) against the baseline of a CSR read through the same
 * path, measured in the same run, and the simulator's cycles per second.
 *
 * Prints one JSON object. usage: bench_roundtrip --sim PATH [--count N]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "card_model.h"
#include "tickgate/card.h"
#include "bench_util.h"
#include "tickgate/json.h"
#include "tickgate/loopback.h"
#include "tickgate/ring.h"

#define BUS 0x100000000ull

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct model_result {
	uint64_t rt_min, rt_median, rt_max;
	double idle_cps, busy_cps;
};

static int model_part(unsigned count, struct model_result *out)
{
	const size_t mem_bytes = 1 << 20;
	uint8_t *mem = aligned_alloc(4096, mem_bytes);
	struct tg_cm_config cfg = { .mem = mem, .mem_bytes = mem_bytes, .bus_base = BUS };
	struct tg_card_model *cm;
	struct tg_ring h2c, c2h;
	uint64_t *rt = calloc(count, sizeof(uint64_t));
	size_t hb = tg_ring_mem_bytes(8, TG_RECORD_BYTES);
	double t0;
	uint64_t c0;

	if (mem == NULL || rt == NULL)
		return -1;
	memset(mem, 0, mem_bytes);
	cm = tg_cm_new(&cfg);
	if (cm == NULL || tg_ring_format(mem, hb, 8, TG_RECORD_BYTES) != TG_OK ||
	    tg_ring_attach(&h2c, mem, hb, 8, TG_RECORD_BYTES) != TG_OK ||
	    tg_ring_format(mem + 0x10000, hb, 8, TG_RECORD_BYTES) != TG_OK ||
	    tg_ring_attach(&c2h, mem + 0x10000, hb, 8, TG_RECORD_BYTES) != TG_OK)
		return -1;
	const uint32_t setup[][2] = {
		{ TG_REG_H2C_BASE_LO, (uint32_t)BUS }, { TG_REG_H2C_BASE_HI, (uint32_t)(BUS >> 32) },
		{ TG_REG_H2C_SIZE, 8 }, { TG_REG_C2H_BASE_LO, (uint32_t)(BUS + 0x10000) },
		{ TG_REG_C2H_BASE_HI, (uint32_t)(BUS >> 32) }, { TG_REG_C2H_SIZE, 8 },
		{ TG_REG_RING_CONTROL, TG_RING_CONTROL_H2C_EN_MASK | TG_RING_CONTROL_C2H_EN_MASK },
	};
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
		if (tg_cm_csr_write(cm, setup[i][0], setup[i][1], 0xf) != TG_CM_CSR_OK)
			return -1;

	c0 = tg_cm_stats(cm)->cycles;
	t0 = bench_now_s();
	tg_cm_run(cm, 2000000);
	out->idle_cps = (double)(tg_cm_stats(cm)->cycles - c0) / (bench_now_s() - t0);

	c0 = tg_cm_stats(cm)->cycles;
	t0 = bench_now_s();
	for (unsigned i = 0; i < count; i++) {
		union tg_h2c_record cmd;
		union tg_c2h_record ev;

		memset(&cmd, 0, sizeof(cmd));
		cmd.loopback.opcode = TG_H2C_OP_LOOPBACK;
		cmd.loopback.tag = i;
		if (!tg_ring_push(&h2c, &cmd) ||
		    tg_cm_csr_write(cm, TG_REG_H2C_PROD, h2c.index, 0xf) != TG_CM_CSR_OK)
			return -1;
		uint64_t start = tg_cm_stats(cm)->cycles;

		while (!tg_ring_peek(&c2h) && tg_cm_stats(cm)->cycles - start < 10000)
			tg_cm_run(cm, 1);
		rt[i] = tg_cm_stats(cm)->cycles - start;
		if (!tg_ring_pop(&c2h, &ev) || ev.loopback.tag != i)
			return -1;
		if (tg_cm_csr_write(cm, TG_REG_C2H_CONS, c2h.index, 0xf) != TG_CM_CSR_OK)
			return -1;
	}
	out->busy_cps = (double)(tg_cm_stats(cm)->cycles - c0) / (bench_now_s() - t0);
	qsort(rt, count, sizeof(uint64_t), bench_cmp_u64);
	out->rt_min = rt[0];
	out->rt_median = rt[count / 2];
	out->rt_max = rt[count - 1];
	tg_cm_free(cm);
	free(rt);
	free(mem);
	return 0;
}

static pid_t start_sim(const char *sim, const char *name)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(sim, sim, "--name", name, "--spin", "--quiet", (char *)NULL);
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv)
{
	const char *sim = NULL;
	unsigned count = 20000;
	struct model_result mr;
	struct tg_json j;
	char name[64];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sim") == 0 && i + 1 < argc)
			sim = argv[++i];
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			count = (unsigned)strtoul(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: bench_roundtrip --sim PATH [--count N]\n");
			return 2;
		}
	}
	if (sim == NULL || count < 10) {
		fprintf(stderr, "usage: bench_roundtrip --sim PATH [--count N>=10]\n");
		return 2;
	}
	if (model_part(count, &mr) != 0) {
		fprintf(stderr, "bench_roundtrip: in-process model run failed\n");
		return 1;
	}

	snprintf(name, sizeof(name), "bench-%d", (int)getpid());
	pid_t pid = start_sim(sim, name);
	char uri[80];
	struct tg_card *card = NULL;
	int rc = TG_ERR_NOENT;

	snprintf(uri, sizeof(uri), "sim:%s", name);
	for (int tries = 0; tries < 400 && rc != TG_OK; tries++) {
		struct timespec ts = { 0, 25000000 };

		nanosleep(&ts, NULL);
		rc = tg_card_open(uri, TG_CARD_OPEN_RINGS, &card);
	}
	if (rc != TG_OK) {
		fprintf(stderr, "bench_roundtrip: cannot open %s: %s\n", uri, tg_strerror(rc));
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return 1;
	}
	/* baseline: CSR reads through the same shared-memory path */
	double *csr = calloc(count, sizeof(double));
	uint32_t v;
	uint64_t up0, up1;

	for (unsigned i = 0; i < count; i++) {
		double t = bench_now_s();

		if (tg_card_csr_read(card, TG_REG_SCRATCH, &v) != TG_OK)
			rc = TG_ERR_IO;
		csr[i] = (bench_now_s() - t) * 1e9;
	}
	qsort(csr, count, sizeof(double), cmp_d);

	struct tg_loopback_result lr;
	double t0 = bench_now_s();

	if (rc == TG_OK)
		rc = tg_card_counter_read(card, TG_REG_UPTIME_LO, &up0);
	if (rc == TG_OK)
		rc = tg_loopback_run(card, count, 1, 42, 5000, &lr);
	if (rc == TG_OK)
		rc = tg_card_counter_read(card, TG_REG_UPTIME_LO, &up1);
	double wall = bench_now_s() - t0;

	tg_card_close(card);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	if (rc != TG_OK || lr.bad != 0 || lr.received != count) {
		fprintf(stderr, "bench_roundtrip: loopback failed: %s\n", tg_strerror(rc));
		return 1;
	}
	const double mhz = TG_CARD_CLOCK_HZ / 1e6;

	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "bench", "host_rtl_host_roundtrip");
	tg_json_u64(&j, "count", count);
	tg_json_double(&j, "target_clock_mhz", mhz);
	tg_json_object_begin(&j, "rtl_cycles");
	tg_json_string(&j, "what", "H2C doorbell accepted -> answer valid in host memory, zero-latency DMA");
	tg_json_u64(&j, "min", mr.rt_min);
	tg_json_u64(&j, "median", mr.rt_median);
	tg_json_u64(&j, "max", mr.rt_max);
	tg_json_double(&j, "median_ns_at_target_clock", (double)mr.rt_median * 1e3 / mhz);
	tg_json_object_end(&j);
	tg_json_object_begin(&j, "model_speed");
	tg_json_double(&j, "idle_cycles_per_s", mr.idle_cps);
	tg_json_double(&j, "loopback_cycles_per_s", mr.busy_cps);
	tg_json_object_end(&j);
	tg_json_object_begin(&j, "simulator_process");
	tg_json_double(&j, "loopback_rtt_ns_min", lr.rtt_ns_min);
	tg_json_double(&j, "loopback_rtt_ns_median", lr.rtt_ns_median);
	tg_json_double(&j, "loopback_rtt_ns_max", lr.rtt_ns_max);
	tg_json_double(&j, "baseline_csr_read_ns_median", csr[count / 2]);
	tg_json_double(&j, "ratio_loopback_to_csr_read", lr.rtt_ns_median / csr[count / 2]);
	tg_json_u64(&j, "card_cycles_fetch_to_answer_median", lr.card_cycles_median);
	tg_json_double(&j, "sim_cycles_per_s", (double)(up1 - up0) / wall);
	tg_json_object_end(&j);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	free(csr);
	return 0;
}
