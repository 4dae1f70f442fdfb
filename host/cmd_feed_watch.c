/*
 * tickgate feed watch: the card's feed as it comes. Takes the card's rings,
 * turns on its MSG events and prints what arrives: every message (decoded
 * as `feed decode` prints it) and every sequence gap; with --symbol, the
 * messages go into the C book and the instrument's BBO changes (and trades
 * with --trades) are printed instead.
 *
 * Until the card's own book lands, the BBO shown is the host book built from
 * the card's messages. FEED_CONTROL is restored on exit.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "feed_cli.h"
#include "tickgate/book.h"
#include "tickgate/card_records.h"
#include "tickgate/card_regs.h"
#include "tickgate/feed_events.h"

#define ORDER_TABLE_LOG2 22
#define ORDER_WAYS 16

struct watch {
	const struct feed_opts *o;
	struct symbols *sym;
	struct tg_book *book;
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

static void on_book_event(void *ctx, const struct tg_book_event *ev)
{
	struct watch *w = ctx;

	if (ev->type == TG_BOOK_EV_TRADE && !w->o->trades)
		return;
	feed_print_book_event(w->o, w->o->symbol, ev);
	w->lines++;
}

static void on_msg(void *ctx, const struct tg_feed_event_msg *m)
{
	struct watch *w = ctx;
	struct tg_feed_meta meta = { .seq = m->mold_seq };

	if (w->book != NULL) {
		tg_book_apply(w->book, m->data, m->len, m->mold_seq);
		return;
	}
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
	struct watch w = { .o = o };
	struct tg_feed_event_handlers h = { .msg = on_msg, .gap = on_gap, .ctx = &w };
	struct tg_feed_events fe;
	struct tg_card *card;
	struct sigaction sa;
	uint32_t ctl = 0;
	int rc = CLI_EXIT_OK;

	w.sym = calloc(1, sizeof(*w.sym));
	if (w.sym == NULL)
		return CLI_EXIT_FAIL;
	if (o->symbol != NULL) {
		struct tg_book_config bc = { .order_capacity_log2 = ORDER_TABLE_LOG2, .ways = ORDER_WAYS };

		if (tg_book_new(&bc, on_book_event, &w, &w.book) != TG_OK ||
		    tg_book_subscribe_symbol(w.book, o->symbol) != TG_OK) {
			cli_error("cannot create the book for %s", o->symbol);
			tg_book_free(w.book);
			free(w.sym);
			return CLI_EXIT_FAIL;
		}
	}
	card = cli_open(o->cli, TG_CARD_OPEN_RINGS);
	if (card == NULL) {
		tg_book_free(w.book);
		free(w.sym);
		return CLI_EXIT_FAIL;
	}
	if (tg_card_csr_read(card, TG_REG_FEED_CONTROL, &ctl) != TG_OK ||
	    tg_card_csr_write(card, TG_REG_FEED_CONTROL, ctl | TG_FEED_CONTROL_MSG_EVENTS_MASK) != TG_OK) {
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
out:
	tg_card_close(card);
	tg_book_free(w.book);
	free(w.sym);
	return rc;
}
