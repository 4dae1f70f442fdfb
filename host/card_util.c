/* Card views shared by the CLI's commands (card_util.h). */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "card_util.h"
#include "cli.h"
#include "tickgate/card_regs.h"

/* ------------------------------------------------------------ book slots */

bool book_ready(struct tg_card *card)
{
	for (unsigned tries = 0; tries < 1000; tries++) {
		uint32_t v;
		struct timespec ts = { 0, 1000000 };

		if (tg_card_csr_read(card, TG_REG_BOOK_STATUS, &v) != TG_OK)
			return false;
		if (v & TG_BOOK_STATUS_READY_MASK)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* symbol as the book's registers hold it: space padded, character 0 in bits 7:0 */
static void symbol_words(const char *symbol, uint32_t *lo, uint32_t *hi)
{
	char sym[8];
	size_t n = strlen(symbol);

	memset(sym, ' ', sizeof(sym));
	memcpy(sym, symbol, n < sizeof(sym) ? n : sizeof(sym));
	memcpy(lo, sym, 4);
	memcpy(hi, sym + 4, 4);
}

static int book_slots(struct tg_card *card, unsigned *slots)
{
	uint32_t params;
	int rc = tg_card_csr_read(card, TG_REG_BOOK_PARAMS, &params);

	*slots = (params & TG_BOOK_PARAMS_INSTRUMENTS_MASK) >> TG_BOOK_PARAMS_INSTRUMENTS_SHIFT;
	return rc;
}

int book_find(struct tg_card *card, const char *symbol, int *slot)
{
	uint32_t want_lo, want_hi, state, lo, hi;
	unsigned slots;
	int rc = book_slots(card, &slots);

	*slot = -1;
	symbol_words(symbol, &want_lo, &want_hi);
	for (unsigned i = 0; i < slots && rc == TG_OK; i++) {
		rc = tg_card_csr_write(card, TG_REG_BOOK_INST_SEL, i);
		if (rc == TG_OK)
			rc = tg_card_csr_read(card, TG_REG_BOOK_INST_STATE, &state);
		if (rc != TG_OK || !(state & TG_BOOK_INST_STATE_SUBSCRIBED_MASK))
			continue;
		if ((rc = tg_card_csr_read(card, TG_REG_BOOK_INST_SYM_LO, &lo)) == TG_OK &&
		    (rc = tg_card_csr_read(card, TG_REG_BOOK_INST_SYM_HI, &hi)) == TG_OK && lo == want_lo &&
		    hi == want_hi) {
			*slot = (int)i;
			break;
		}
	}
	return rc;
}

int book_subscribe(struct tg_card *card, const char *symbol, int locate)
{
	uint32_t state, lo, hi;
	unsigned slots;

	if (book_slots(card, &slots) != TG_OK)
		return -1;
	symbol_words(symbol, &lo, &hi);
	for (unsigned i = 0; i < slots; i++) {
		if (tg_card_csr_write(card, TG_REG_BOOK_INST_SEL, i) != TG_OK ||
		    tg_card_csr_read(card, TG_REG_BOOK_INST_STATE, &state) != TG_OK)
			return -1;
		if (state & TG_BOOK_INST_STATE_SUBSCRIBED_MASK)
			continue;
		if (tg_card_csr_write(card, TG_REG_BOOK_INST_SYMBOL_LO, lo) != TG_OK ||
		    tg_card_csr_write(card, TG_REG_BOOK_INST_SYMBOL_HI, hi) != TG_OK ||
		    tg_card_csr_write(card, TG_REG_BOOK_INST_LOCATE, locate < 0 ? 0 : (uint32_t)locate) != TG_OK ||
		    tg_card_csr_write(card, TG_REG_BOOK_INST_CMD,
				      locate < 0 ? TG_BOOK_INST_CMD_SUBSCRIBE_MASK
						 : TG_BOOK_INST_CMD_SET_LOCATE_MASK) != TG_OK ||
		    !book_ready(card))
			return -1;
		return (int)i;
	}
	return -1;
}

void book_unsubscribe(struct tg_card *card, int slot)
{
	if (tg_card_csr_write(card, TG_REG_BOOK_INST_SEL, (uint32_t)slot) != TG_OK ||
	    tg_card_csr_write(card, TG_REG_BOOK_INST_CMD, TG_BOOK_INST_CMD_UNSUBSCRIBE_MASK) != TG_OK)
		cli_error("%s: could not free book slot %d", tg_card_uri(card), slot);
}

/* ------------------------------------------------------------ latency */

double card_ns_per_cycle(void)
{
	return 1e9 / TG_CARD_CLOCK_HZ;
}

/* lowest latency a histogram bin counts (docs/registers.md, LAT_SEL) */
uint64_t card_lat_bin_low(unsigned b)
{
	return b < 25 ? b : 1ull << (b - 20);	/* 24: 24..31, 25: 32..63, ... 31: 2048.. */
}

int card_lat_read(struct tg_card *card, bool order, struct card_lat *l)
{
	uint32_t count_reg = order ? TG_REG_ORDER_LAT_COUNT_LO : TG_REG_KILL_LAT_COUNT_LO;
	uint32_t bin_reg = order ? TG_REG_ORDER_LAT_BIN_LO : TG_REG_KILL_LAT_BIN_LO;
	int rc;

	memset(l, 0, sizeof(*l));
	l->name = order ? "order" : "kill";
	l->order = order;
	rc = tg_card_counter_read(card, count_reg, &l->count);
	if (rc == TG_OK)
		rc = tg_card_csr_read(card, order ? TG_REG_ORDER_LAT_LAST : TG_REG_KILL_LAT_LAST, &l->last);
	for (uint32_t b = 0; b < CARD_LAT_BINS && rc == TG_OK; b++) {
		rc = tg_card_csr_write(card, TG_REG_LAT_SEL, b);
		if (rc == TG_OK)
			rc = tg_card_counter_read(card, bin_reg, &l->bins[b]);
	}
	if (order && rc == TG_OK)
		rc = tg_card_counter_read(card, TG_REG_ORDER_LAT_SUM_LO, &l->sum);
	if (order && rc == TG_OK)
		rc = tg_card_csr_read(card, TG_REG_ORDER_LAT_MIN, &l->min);
	if (order && rc == TG_OK)
		rc = tg_card_csr_read(card, TG_REG_ORDER_LAT_MAX, &l->max);
	return rc;
}

void card_lat_print(FILE *f, const struct card_lat *l, const char *indent)
{
	const double ns = card_ns_per_cycle();

	fprintf(f, "%s%s latency: %" PRIu64 " samples, last %" PRIu32 " cycles (%.1f ns)", indent, l->name, l->count,
		l->last, l->last * ns);
	if (l->order && l->count > 0)
		fprintf(f, ", min %" PRIu32 " mean %.2f max %" PRIu32 " cycles", l->min,
			(double)l->sum / (double)l->count, l->max);
	fprintf(f, "\n");
	for (unsigned b = 0; b < CARD_LAT_BINS; b++) {
		if (l->bins[b] != 0)
			fprintf(f, "%s  %s%-6" PRIu64 " cycles (%7.1f ns) %12" PRIu64 "\n", indent, b >= 24 ? ">=" : "  ",
				card_lat_bin_low(b), (double)card_lat_bin_low(b) * ns, l->bins[b]);
	}
}

void card_lat_json(struct tg_json *j, const char *key, const struct card_lat *l)
{
	const double ns = card_ns_per_cycle();

	tg_json_object_begin(j, key);
	tg_json_u64(j, "count", l->count);
	tg_json_u64(j, "last_cycles", l->last);
	tg_json_double(j, "last_ns", l->last * ns);
	if (l->order) {
		double mean = l->count ? (double)l->sum / (double)l->count : 0.0;

		tg_json_u64(j, "min_cycles", l->count ? l->min : 0);
		tg_json_u64(j, "max_cycles", l->max);
		tg_json_double(j, "mean_cycles", mean);
		tg_json_double(j, "min_ns", (l->count ? l->min : 0) * ns);
		tg_json_double(j, "max_ns", l->max * ns);
		tg_json_double(j, "mean_ns", mean * ns);
	}
	tg_json_array_begin(j, "histogram");
	for (unsigned b = 0; b < CARD_LAT_BINS; b++) {
		if (l->bins[b] == 0)
			continue;
		tg_json_object_begin(j, NULL);
		tg_json_u64(j, "from_cycles", card_lat_bin_low(b));
		tg_json_double(j, "from_ns", (double)card_lat_bin_low(b) * ns);
		tg_json_u64(j, "count", l->bins[b]);
		tg_json_object_end(j);
	}
	tg_json_array_end(j);
	tg_json_object_end(j);
}
