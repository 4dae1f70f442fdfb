/*
 * `tickgate trade`: what its parts share. cmd_trade.c runs it (arguments,
 * setup, the loop, the card's I/O, shutdown); trade_state.c keeps what it
 * knows of the gate and of its orders; trade_strategy.c decides the orders;
 * trade_report.c turns that into the status line and the summary (text and
 * JSON).
 */
#ifndef TICKGATE_HOST_TRADE_H
#define TICKGATE_HOST_TRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "card_util.h"
#include "cli.h"
#include "tickgate/card.h"
#include "tickgate/exec_ledger.h"
#include "tickgate/feed_events.h"
#include "tickgate/risk_card.h"
#include "trade_state.h"
#include "trade_strategy.h"

struct opts {
	const char *symbols[TRADE_SYMBOLS_MAX];
	unsigned n_symbols;
	double duration;		/* seconds; 0: until a signal */
	uint64_t seed;
	uint32_t size;
	const char *limits;
	const char *summary;
	const char *ready_file;		/* written once set up, before the first order */
	double status_interval;		/* seconds, when stderr is not a terminal */
	bool quiet;
};

struct counters {
	uint64_t feed_messages, bbo_events, book_events_dropped, feed_gaps;
};

struct trader {
	const struct opts *o;
	const struct cli *cli;
	struct tg_card *card;
	unsigned n_inst;
	struct trade_state state;	/* symbols, our orders, the gate's counts */
	struct trade_strategy strategy;	/* decides from state, sends through send_order */
	bool wd_tripped, shutting_down;
	const char *limits_source;
	size_t limits_changed;
	uint32_t watchdog_units;
	bool watchdog_armed;
	uint32_t book_control_old;
	bool link_known;		/* the transport tells the order-entry session's state */
	struct tg_card_oe_link link, link_start;
	/* events and anomalies */
	struct tg_feed_events fe;
	struct tg_exec_ledger *ledger;	/* our executions, for Broken Trades */
	uint64_t busts_unplaced;	/* Broken Trades of executions the ledger does not have */
	uint64_t busts_other;		/* reversed executions of instruments not ours */
	unsigned foreign_open;		/* orders open in the gate before we started */
	struct counters cnt_start, cnt_now;
	/* run */
	int64_t t_start, t_end;
	const char *stop_reason;
	bool failed, io_failed;
	char fail_msg[256];
	uint64_t shutdown_cancels;
	unsigned left_open;
	bool tty;
};

/* What is read back from the card after the run, for the summary. */
struct final {
	struct tg_risk_card_state st;	/* the gate after the run */
	struct card_lat lat[2];		/* order, kill */
	struct tg_card_ring_stats ring;
	bool have_state, have_lat;
};

/* The status line: feed, orders, rejects by reason, positions, P&L. */
void trade_status_text(const struct trader *t, char *buf, size_t len);

/* The summary, as JSON (the --summary file's content) or as text. */
void trade_write_json(const struct trader *t, const struct final *f, FILE *out);
void trade_print_text(const struct trader *t, const struct final *f);

/* The JSON summary into o->summary, through a temporary file and a rename;
 * false (with a message) when it could not be written. */
bool trade_write_summary_file(const struct trader *t, const struct final *f);

#endif
