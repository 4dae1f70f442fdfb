/*
 * tickgate feed watch: the card's feed as it comes. Takes the card's rings
 * and prints what arrives: without --symbol, the feed's MSG events (every
 * message, decoded as `feed decode` prints it) and sequence gaps; with
 * --symbol, the card's own book: the symbol is subscribed in a free
 * instrument slot (its locate learned from the directory, or given with
 * --locate) and its BOOK_BBO events (and BOOK_TRADE with --trades,
 * BOOK_HALT) are printed. FEED_CONTROL and the slot are restored on exit.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card_util.h"
#include "cli.h"
#include "feed_cli.h"
#include "tickgate/card_records.h"
#include "tickgate/card_regs.h"
#include "tickgate/feed_events.h"

struct watch {
	const struct feed_opts *o;
	struct symbols *sym;
	int slot;		/* the card's book slot watched, or -1 */
	uint64_t lines;
	uint64_t seq;		/* card event sequence expected */
	uint64_t lost;		/* events lost (sequence jumps) */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_book_event(void *ctx, const struct tg_feed_event_book *b)
{
	struct watch *w = ctx;

	if ((int)b->instrument != w->slot || (b->ev.type == TG_BOOK_EV_TRADE && !w->o->trades))
		return;
	feed_print_book_event(w->o, w->o->symbol, &b->ev);
	w->lines++;
}

static void on_msg(void *ctx, const struct tg_feed_event_msg *m)
{
	struct watch *w = ctx;
	struct tg_feed_meta meta = { .seq = m->mold_seq };

	if (w->slot >= 0)
		return;
	feed_print_msg(w->o, w->sym, m->data, &meta);
	w->lines++;
}

static void on_gap(void *ctx, uint64_t first, uint64_t last)
{
	struct watch *w = ctx;

	if (w->o->json)
		printf("{\"event\":\"gap\",\"first\":%" PRIu64 ",\"last\":%" PRIu64 "}\n", first, last);
	else
		printf("gap: messages %" PRIu64 "..%" PRIu64 " missing\n", first, last);
	w->lines++;
}

int feed_watch(const struct feed_opts *o)
{
	struct watch w = { .o = o, .slot = -1 };
	struct tg_feed_event_handlers h = { .msg = on_msg, .gap = on_gap, .book = on_book_event, .ctx = &w };
	struct tg_feed_events fe;
	struct tg_card *card;
	struct sigaction sa;
	uint32_t ctl = 0;
	int rc = CLI_EXIT_OK;

	w.sym = calloc(1, sizeof(*w.sym));
	if (w.sym == NULL)
		return CLI_EXIT_FAIL;
	card = cli_open(o->cli, TG_CARD_OPEN_RINGS);
	if (card == NULL) {
		free(w.sym);
		return CLI_EXIT_FAIL;
	}
	if (tg_card_csr_read(card, TG_REG_FEED_CONTROL, &ctl) != TG_OK) {
		cli_error("%s: cannot read FEED_CONTROL", tg_card_uri(card));
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	if (o->symbol != NULL) {
		w.slot = book_subscribe(card, o->symbol, o->locate);
		if (w.slot < 0 || tg_card_csr_write(card, TG_REG_BOOK_CONTROL, TG_BOOK_CONTROL_ENABLE_MASK |
										   TG_BOOK_CONTROL_EVENTS_MASK) != TG_OK) {
			cli_error("%s: cannot subscribe %s in the card's book (no free slot?)", tg_card_uri(card),
				  o->symbol);
			rc = CLI_EXIT_FAIL;
			goto out;
		}
	} else if (tg_card_csr_write(card, TG_REG_FEED_CONTROL, ctl | TG_FEED_CONTROL_MSG_EVENTS_MASK) != TG_OK) {
		cli_error("%s: cannot turn on the feed's message events", tg_card_uri(card));
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	tg_feed_events_init(&fe, &h);
	while (!stop && (o->count == 0 || w.lines < o->count)) {
		union tg_c2h_record ev[64];
		unsigned got = 0;

		if (tg_card_poll(card, ev, 64, &got) != TG_OK) {
			cli_error("%s: event ring failed", tg_card_uri(card));
			rc = CLI_EXIT_FAIL;
			break;
		}
		for (unsigned i = 0; i < got && (o->count == 0 || w.lines < o->count); i++)
			(void)tg_feed_events_take(&fe, &ev[i]);
		fflush(stdout);
		if (got == 0) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	struct tg_card_ring_stats rs;

	tg_card_ring_stats(card, &rs);
	if (rs.seq_gaps > 0 || fe.format_errors > 0)
		fprintf(stderr, "tickgate: %" PRIu64 " card event sequence jumps (events lost), %" PRIu64
			" malformed feed events\n", rs.seq_gaps, fe.format_errors);
	if (tg_card_csr_write(card, TG_REG_FEED_CONTROL, ctl) != TG_OK)
		cli_error("%s: could not restore FEED_CONTROL (0x%08x)", tg_card_uri(card), ctl);
	if (w.slot >= 0)
		book_unsubscribe(card, w.slot);
out:
	tg_card_close(card);
	free(w.sym);
	return rc;
}
