/*
 * tickgate feed book: replay a file into the C order book and print the
 * instrument's BBO after every change (trades and halts on request), and
 * the top levels at the end.
 *
 * The symbol's stock locate is taken from the file before the replay (from
 * the stock directory, or any message naming the stock when the file starts
 * mid-day), as the host sets a locate mapping on the card directly.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feed_cli.h"
#include "tickgate/book.h"
#include "tickgate/json.h"

#define ORDER_TABLE_LOG2 22	/* 4 M orders: a full day of one busy symbol */
#define ORDER_WAYS 16

struct book_ctx {
	const struct feed_opts *o;
	struct tg_book *book;
	const char *symbol;
	int locate;		/* resolving pass: found locate */
};

static void price(char *out, size_t len, uint32_t p)
{
	if (p == TG_BOOK_NO_PRICE)
		snprintf(out, len, "-");
	else
		tg_itch_format_price(out, len, p, 4);
}

static void on_event(void *vctx, const struct tg_book_event *ev)
{
	const struct book_ctx *c = vctx;

	feed_print_book_event(c->o, c->symbol, ev);
}

void feed_print_book_event(const struct feed_opts *o, const char *symbol, const struct tg_book_event *ev)
{
	char ts[20], a[32], b[32];

	if (ev->type == TG_BOOK_EV_TRADE && !o->trades)
		return;
	tg_itch_format_time(ts, ev->timestamp);
	if (o->json) {
		struct tg_json j;

		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_u64(&j, "seq", ev->seq);
		tg_json_string(&j, "time", ts);
		tg_json_string(&j, "symbol", symbol);
		if (ev->type == TG_BOOK_EV_BBO) {
			tg_json_string(&j, "event", "bbo");
			price(a, sizeof(a), ev->u.bbo.bid_price);
			tg_json_string(&j, "bid_price", a);
			tg_json_u64(&j, "bid_size", ev->u.bbo.bid_size);
			price(a, sizeof(a), ev->u.bbo.ask_price);
			tg_json_string(&j, "ask_price", a);
			tg_json_u64(&j, "ask_size", ev->u.bbo.ask_size);
			tg_json_bool(&j, "bid_unknown", ev->u.bbo.flags & TG_BOOK_BBO_BID_UNKNOWN);
			tg_json_bool(&j, "ask_unknown", ev->u.bbo.flags & TG_BOOK_BBO_ASK_UNKNOWN);
			tg_json_bool(&j, "authoritative", !(ev->u.bbo.flags & TG_BOOK_BBO_NOT_AUTHORITATIVE));
		} else if (ev->type == TG_BOOK_EV_TRADE) {
			char t[2] = { ev->u.trade.msg_type, 0 };

			tg_json_string(&j, "event", "trade");
			tg_json_string(&j, "msg_type", t);
			price(a, sizeof(a), ev->u.trade.price);
			tg_json_string(&j, "price", a);
			tg_json_u64(&j, "shares", ev->u.trade.shares);
			tg_json_u64(&j, "match", ev->u.trade.match);
			tg_json_bool(&j, "printable", ev->u.trade.printable);
		} else {
			tg_json_string(&j, "event", "halt");
			tg_json_bool(&j, "halted", ev->u.halt.halted);
		}
		tg_json_object_end(&j);
		tg_json_finish(&j);
		return;
	}
	if (ev->type == TG_BOOK_EV_BBO) {
		price(a, sizeof(a), ev->u.bbo.bid_price);
		price(b, sizeof(b), ev->u.bbo.ask_price);
		if (ev->u.bbo.flags & TG_BOOK_BBO_BID_UNKNOWN)
			snprintf(a, sizeof(a), "unknown");
		if (ev->u.bbo.flags & TG_BOOK_BBO_ASK_UNKNOWN)
			snprintf(b, sizeof(b), "unknown");
		printf("%s %10" PRIu64 " %-8s bid %8" PRIu32 " @ %-12s ask %8" PRIu32 " @ %s%s\n", ts, ev->seq, symbol,
		       ev->u.bbo.bid_size, a, ev->u.bbo.ask_size, b,
		       ev->u.bbo.flags & TG_BOOK_BBO_NOT_AUTHORITATIVE ? " (not authoritative)" : "");
	} else if (ev->type == TG_BOOK_EV_TRADE) {
		price(a, sizeof(a), ev->u.trade.price);
		printf("%s %10" PRIu64 " %-8s trade %c %" PRIu64 " @ %s%s\n", ts, ev->seq, symbol,
		       ev->u.trade.msg_type, ev->u.trade.shares, a, ev->u.trade.printable ? "" : " (not printable)");
	} else {
		printf("%s %10" PRIu64 " %-8s %s (%c)\n", ts, ev->seq, symbol,
		       ev->u.halt.halted ? "halted" : "trading", ev->u.halt.state);
	}
}

static void resolve_msg(void *vctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	struct book_ctx *c = vctx;
	const struct tg_itch_field *f;
	char stock[9];

	if (c->locate >= 0)
		return;
	f = feed_stock_field(tg_itch_type(msg[0]));
	if (f == NULL)
		return;
	tg_itch_alpha(stock, msg, f->offset, 8);
	if (strcmp(stock, c->symbol) == 0)
		c->locate = tg_itch_locate(msg);
}

static void apply_msg(void *vctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	struct book_ctx *c = vctx;

	tg_book_apply(c->book, msg, len, meta->seq);
}

static void print_depth(const struct book_ctx *c, uint16_t loc)
{
	struct tg_book_level *bid = calloc(c->o->depth, sizeof(*bid));
	struct tg_book_level *ask = calloc(c->o->depth, sizeof(*ask));
	unsigned nb, na;
	char a[32], b[32];

	if (bid == NULL || ask == NULL) {
		free(bid);
		free(ask);
		return;
	}
	nb = tg_book_levels(c->book, loc, 'B', bid, c->o->depth);
	na = tg_book_levels(c->book, loc, 'S', ask, c->o->depth);
	if (c->o->json) {
		struct tg_json j;

		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_string(&j, "event", "depth");
		tg_json_string(&j, "symbol", c->symbol);
		for (int side = 0; side < 2; side++) {
			const struct tg_book_level *lv = side ? ask : bid;

			tg_json_array_begin(&j, side ? "asks" : "bids");
			for (unsigned i = 0; i < (side ? na : nb); i++) {
				tg_json_object_begin(&j, NULL);
				price(a, sizeof(a), lv[i].price);
				tg_json_string(&j, "price", a);
				tg_json_u64(&j, "shares", lv[i].shares);
				tg_json_u64(&j, "orders", lv[i].orders);
				tg_json_object_end(&j);
			}
			tg_json_array_end(&j);
		}
		tg_json_object_end(&j);
		tg_json_finish(&j);
	} else {
		printf("depth of %s (%u bid levels, %u ask levels shown)\n", c->symbol, nb, na);
		printf("%8s %12s %6s | %-12s %8s %6s\n", "bid size", "bid", "orders", "ask", "ask size", "orders");
		for (unsigned i = 0; i < (nb > na ? nb : na); i++) {
			price(a, sizeof(a), i < nb ? bid[i].price : 0);
			price(b, sizeof(b), i < na ? ask[i].price : 0);
			printf("%8" PRIu64 " %12s %6" PRIu32 " | %-12s %8" PRIu64 " %6" PRIu32 "\n",
			       i < nb ? bid[i].shares : 0, i < nb ? a : "", i < nb ? bid[i].orders : 0,
			       i < na ? b : "", i < na ? ask[i].shares : 0, i < na ? ask[i].orders : 0);
		}
	}
	free(bid);
	free(ask);
}

int feed_book(const struct feed_opts *o)
{
	struct book_ctx c = { .o = o, .symbol = o->symbol, .locate = -1 };
	struct tg_book_config cfg = { .order_capacity_log2 = ORDER_TABLE_LOG2, .ways = ORDER_WAYS };
	struct tg_feed_handlers h = { .message = resolve_msg, .ctx = &c };
	struct tg_feed feed;
	int rc;

	if (strlen(o->symbol) > 8)
		return cli_usage_error("feed", "--symbol: at most 8 characters: %s", o->symbol);
	rc = feed_run_file(&feed, o, &h);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (c.locate < 0) {
		cli_error("%s: no message names symbol %s", o->file, o->symbol);
		return CLI_EXIT_FAIL;
	}
	if (tg_book_new(&cfg, on_event, &c, &c.book) != TG_OK ||
	    tg_book_subscribe_locate(c.book, (uint16_t)c.locate) != TG_OK) {
		cli_error("out of memory for the order book");
		tg_book_free(c.book);
		return CLI_EXIT_FAIL;
	}
	h.message = apply_msg;
	rc = feed_run_file(&feed, o, &h);
	if (rc == CLI_EXIT_OK && o->depth > 0)
		print_depth(&c, (uint16_t)c.locate);
	const struct tg_book_stats *st = tg_book_stats(c.book);

	if (rc == CLI_EXIT_OK && st->unknown_ref > 0)
		fprintf(stderr, "tickgate: note: %" PRIu64 " messages referred to orders added before the file "
			"starts; they were ignored\n", st->unknown_ref);
	if (rc == CLI_EXIT_OK && !tg_book_authoritative(c.book, (uint16_t)c.locate))
		fprintf(stderr, "tickgate: warning: the order table overflowed; this book is not authoritative\n");
	tg_book_free(c.book);
	fflush(stdout);
	return rc;
}
