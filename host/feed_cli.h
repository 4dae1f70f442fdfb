/* Shared pieces of the `tickgate feed` actions (cmd_feed*.c). */
#ifndef TG_FEED_CLI_H
#define TG_FEED_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "tickgate/feed.h"
#include "tickgate/itch50.h"

struct cli;

struct feed_opts {
	const struct cli *cli;		/* watch: the card */
	uint64_t count;			/* watch: stop after this many lines (0 = until Ctrl-C) */
	const char *file;
	const char *out;		/* topcap: output pcap */
	const char *symbol;		/* decode: only this symbol; book: the instrument */
	const char *session;		/* topcap */
	unsigned depth;			/* book */
	unsigned msgs_per_packet;	/* topcap; 0 = fill the packet */
	int locate;			/* watch: the symbol's locate, -1 = learn it from the directory */
	bool json;
	bool trades;			/* book */
	bool no_seq_check;
};

/* locate -> symbol, learned from every message that carries a stock field */
struct symbols {
	char name[65536][9];
	uint64_t count[65536];
};

const struct tg_itch_field *feed_stock_field(const struct tg_itch_type *t);
void feed_learn(struct symbols *s, const uint8_t *msg);
void feed_symbol_of(const struct symbols *s, uint16_t loc, char out[16]);
/* Decode o->file through handlers; prints the error and returns CLI_EXIT_FAIL on failure. */
int feed_run_file(struct tg_feed *feed, const struct feed_opts *o, const struct tg_feed_handlers *h);

void feed_print_msg(const struct feed_opts *o, struct symbols *symbols, const uint8_t *msg,
		    const struct tg_feed_meta *meta);
struct tg_book_event;
void feed_print_book_event(const struct feed_opts *o, const char *symbol, const struct tg_book_event *ev);

int feed_book(const struct feed_opts *o);
int feed_watch(const struct feed_opts *o);
int feed_topcap(const struct feed_opts *o);

#endif
