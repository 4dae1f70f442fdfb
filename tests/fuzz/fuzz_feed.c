/*
 * Fuzz target for the feed decoder and the order book: one input is one
 * Ethernet frame (or, with the first byte's low bit set, a MoldUDP64
 * payload), decoded in both sequencing modes, every delivered message
 * applied to a book. Invariants checked on every input: the frame is
 * accounted exactly once, delivered messages have a known type at its
 * specified length, the book's order count stays within its table.
 *
 * Built as a libFuzzer target with clang (scripts/fuzz), and, for the test
 * suite, with a deterministic driver (fuzz_main.c) that feeds seeded
 * mutations of real frames.
 */
#include <stdlib.h>
#include <string.h>

#include "tickgate/book.h"
#include "tickgate/feed.h"
#include "tickgate/itch50.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static struct tg_book *book;
unsigned long long fuzz_delivered;	/* read by the deterministic driver */

static void on_msg(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	const struct tg_itch_type *t = tg_itch_type(msg[0]);

	CHECK(t != NULL && t->length == len);
	fuzz_delivered++;
	tg_book_apply(book, msg, len, meta->seq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tg_feed feed[2];
	static int ready;
	struct tg_feed_handlers h = { .message = on_msg };

	if (!ready) {
		struct tg_feed_config seq = { .seq_check = true, .accept_all = true };
		struct tg_book_config bc = { .order_capacity_log2 = 10, .ways = 16 };

		tg_feed_init(&feed[0], &seq, &h);
		tg_feed_init(&feed[1], NULL, &h);
		if (tg_book_new(&bc, NULL, NULL, &book) != TG_OK)
			abort();
		for (unsigned l = 0; l < 64; l++)
			if (tg_book_subscribe_locate(book, (uint16_t)l) != TG_OK)
				abort();
		ready = 1;
	}
	for (int k = 0; k < 2; k++) {
		struct tg_feed *f = &feed[k];
		uint64_t frames = f->stats.frames, parsed = f->stats.parsed, dropped = 0, dropped_after = 0;

		for (unsigned r = 0; r < TG_FEED_DROP_COUNT; r++)
			dropped += f->stats.dropped[r];
		if (size > 0 && (data[0] & 1)) {
			struct tg_feed_meta meta;

			memset(&meta, 0, sizeof(meta));
			tg_feed_mold_packet(f, data + 1, size - 1, &meta);
		} else {
			tg_feed_frame(f, data, size, 0);
		}
		for (unsigned r = 0; r < TG_FEED_DROP_COUNT; r++)
			dropped_after += f->stats.dropped[r];
		/* exactly one of parsed or dropped moved, by one */
		CHECK(f->stats.frames == frames + 1);
		CHECK((f->stats.parsed - parsed) + (dropped_after - dropped) == 1);
	}
	CHECK(tg_book_stats(book)->orders <= 1024);
	return 0;
}
