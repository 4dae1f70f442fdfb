/*
 * Deterministic driver for the fuzz targets when libFuzzer is not used:
 * runs each file given, then `--runs N` seeded mutations (bit flips, byte
 * sets, truncations, splices, length-field pokes) of the seed frames (pcap
 * files given with --pcap, plus a built-in well-formed frame), so the test
 * suite exercises the target the same way on every machine.
 *
 * usage: fuzz_X [--runs N] [--seed S] [--pcap FILE]... [INPUT]...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tickgate/pcap_frames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern unsigned long long fuzz_delivered;

#define MAX_SEEDS 256
#define MAX_LEN 2048

static uint8_t seeds[MAX_SEEDS][MAX_LEN];
static size_t seed_len[MAX_SEEDS];
static unsigned n_seeds;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void add_seed(const uint8_t *d, size_t n)
{
	if (n_seeds < MAX_SEEDS && n <= MAX_LEN) {
		memcpy(seeds[n_seeds], d, n);
		seed_len[n_seeds++] = n;
	}
}

static int run_file(const char *path)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "fuzz: %s: cannot open\n", path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t runs = 100000, seed = 1;
	static uint8_t m[MAX_LEN];
	/* a well-formed tagged MoldUDP64 frame with one 'S' message (checksum filled below) */
	static const uint8_t base[] = {
		0x01, 0x00, 0x5e, 0x36, 0x0c, 0x6f, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x81, 0x00, 0x00, 0x8d,
		0x08, 0x00, 0x45, 0x00, 0x00, 0x3e, 0x00, 0x00, 0x00, 0x00, 0x20, 0x11, 0x00, 0x00, 0x0a, 0x00,
		0x00, 0x01, 0xe9, 0x36, 0x0c, 0x6f, 0x9c, 0x40, 0x67, 0x6d, 0x00, 0x2a, 0x00, 0x00, '0', '0',
		'0', '0', '1', '0', '0', '5', '9', 'B', 0, 0, 0, 0, 0, 0, 0, 1, 0x00, 0x01, 0x00, 0x0c, 'S', 0x00,
		0x01, 0x00, 0x00, 0x1f, 0x1a, 0xcf, 0x4c, 0x4e, 0xb7, 'O',
	};
	uint8_t b[sizeof(base)];
	uint32_t sum = 0;

	memcpy(b, base, sizeof(b));
	for (int i = 18; i < 38; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	b[28] = (uint8_t)(~sum >> 8);
	b[29] = (uint8_t)~sum;
	add_seed(b, sizeof(b));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			runs = strtoull(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0) | 1;
		} else if (strcmp(argv[i], "--pcap") == 0 && i + 1 < argc) {
			struct tg_pcap_reader *r;
			struct tg_pcap_frame fr;
			char err[256];

			if (tg_pcap_open(argv[++i], &r, err, sizeof(err)) != TG_OK) {
				fprintf(stderr, "fuzz: %s\n", err);
				return 2;
			}
			while (tg_pcap_next(r, &fr) == 1)
				add_seed(fr.data, fr.caplen);
			tg_pcap_close(r);
		} else if (run_file(argv[i]) != 0) {
			return 2;
		}
	}
	for (uint64_t k = 0; k < runs; k++) {
		unsigned s = (unsigned)(rnd(&seed) % n_seeds);
		size_t n = seed_len[s];
		unsigned edits = 1 + (unsigned)(rnd(&seed) % 4);

		memcpy(m, seeds[s], n);
		for (unsigned e = 0; e < edits && n > 0; e++) {
			uint64_t r = rnd(&seed);
			size_t at = (size_t)(r >> 8) % n;

			switch (r % 6) {
			case 0: m[at] ^= (uint8_t)(1u << ((r >> 40) % 8)); break;
			case 1: m[at] = (uint8_t)(r >> 32); break;
			case 2: n = at; break;	/* truncate */
			case 3: /* splice another seed's tail */ {
				unsigned o = (unsigned)((r >> 16) % n_seeds);
				size_t from = (size_t)(r >> 24) % (seed_len[o] + 1);
				size_t add = seed_len[o] - from;

				if (at + add > MAX_LEN)
					add = MAX_LEN - at;
				memcpy(m + at, seeds[o] + from, add);
				n = at + add;
				break;
			}
			case 4: /* poke a 16-bit length-looking field */
				if (at + 1 < n) {
					m[at] = (uint8_t)((r >> 32) % 3);
					m[at + 1] = (uint8_t)(r >> 40);
				}
				break;
			default: m[0] ^= 1; break;	/* toggle frame vs MoldUDP64 payload */
			}
		}
		LLVMFuzzerTestOneInput(m, n);
	}
	printf("fuzz: %llu runs over %u seeds, %llu messages delivered, invariants held\n",
	       (unsigned long long)runs, n_seeds, fuzz_delivered);
	/* a driver whose mutations never get past the headers tests nothing */
	return runs == 0 || fuzz_delivered > runs / 100 ? 0 : 1;
}
