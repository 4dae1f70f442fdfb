/*
 * `tickgate trade`'s reports: the status line and the summary, as text and
 * as JSON, from what the trader knows (trade_state.h) and what was read
 * back from the card after the run (struct final).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trade.h"
#include "tickgate/json.h"
#include "tickgate/risk.h"

/* money and prices: "-12.3400" (1/10000 dollar units) */
static void fmt_money(char *buf, size_t len, int64_t v)
{
	uint64_t a = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;

	snprintf(buf, len, "%s%" PRIu64 ".%04" PRIu64, v < 0 ? "-" : "", a / 10000, a % 10000);
}

static uint32_t mark_price(const struct sym *s)
{
	if (s->bid != 0 && s->ask != 0)
		return (uint32_t)(((uint64_t)s->bid + s->ask) >> 1);
	if (s->last_trade != 0)
		return s->last_trade;
	return s->last_fill_price;
}

static int64_t pnl_total(const struct sym *s)
{
	return s->cash + s->run_pos * (int64_t)mark_price(s);
}

static void add_tally(struct tally *sum, const struct tally *c)
{
	const uint64_t *src = (const uint64_t *)c;
	uint64_t *dst = (uint64_t *)sum;

	for (size_t i = 0; i < sizeof(*c) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

static struct tally totals(const struct trader *t)
{
	struct tally sum;

	memset(&sum, 0, sizeof(sum));
	for (unsigned k = 0; k < t->state.n_sym; k++)
		add_tally(&sum, &t->state.sym[k].c);
	return sum;
}

void trade_status_text(const struct trader *t, char *buf, size_t len)
{
	struct tally c = totals(t);
	uint64_t bbo = 0, sent = c.sent[0] + c.sent[1] + c.sent[2];
	int64_t pnl = 0;
	char money[32], reasons[128] = "", pos[160] = "";
	size_t n = 0, p = 0;
	unsigned shown = 0;

	for (unsigned k = 0; k < t->state.n_sym; k++) {
		bbo += t->state.sym[k].bbo_updates;
		pnl += pnl_total(&t->state.sym[k]);
	}
	for (unsigned r = 1; r < TG_RISK_REASONS && n < sizeof(reasons); r++) {
		if (c.rejected_by[r] == 0)
			continue;
		n += (size_t)snprintf(reasons + n, sizeof(reasons) - n, "%s%s %" PRIu64, shown++ ? ", " : " (",
				      tg_risk_reason_name(r), c.rejected_by[r]);
	}
	if (shown > 0 && n < sizeof(reasons))
		snprintf(reasons + n, sizeof(reasons) - n, ")");
	if (t->state.n_sym <= 4) {
		for (unsigned k = 0; k < t->state.n_sym && p < sizeof(pos); k++)
			p += (size_t)snprintf(pos + p, sizeof(pos) - p, "%s%s %+" PRId64, k ? " " : "", t->state.sym[k].name,
					      t->state.sym[k].pos);
	} else {
		int64_t net = 0;

		for (unsigned k = 0; k < t->state.n_sym; k++)
			net += t->state.sym[k].pos;
		snprintf(pos, sizeof(pos), "net %+" PRId64, net);
	}
	fmt_money(money, sizeof(money), pnl);
	snprintf(buf, len,
		 "feed %" PRIu64 " msgs  bbo %" PRIu64 "  sent %" PRIu64 "  acc %" PRIu64 "  rej %" PRIu64 "%s  fills %" PRIu64
		 " (%" PRIu64 " sh)  pos %s  P&L $%s%s",
		 t->cnt_now.feed_messages - t->cnt_start.feed_messages, bbo, sent, c.accepted, c.rejected, reasons, c.fills,
		 c.fill_shares, pos, money,
		 t->state.killed ? "  KILLED" : t->link_known && t->link.state != TG_CARD_OE_UP ? "  ORDER ENTRY DOWN" : "");
}

static const char *held_name(unsigned why)
{
	if (why == HELD_RING_FULL)
		return "RING_FULL";
	if (why == HELD_NO_SLOT)
		return "NO_FREE_SLOT";
	if (why == HELD_LINK_DOWN)
		return "ORDER_ENTRY_DOWN";
	return tg_risk_reason_name(why);
}

static void json_money(struct tg_json *j, const char *key, int64_t v)
{
	char buf[40], text[48];

	tg_json_i64(j, key, v);
	fmt_money(buf, sizeof(buf), v);
	snprintf(text, sizeof(text), "%s_text", key);
	tg_json_string(j, text, buf);
}

static void json_tally(struct tg_json *j, const struct tally *c, uint64_t fly)
{
	tg_json_object_begin(j, "orders");
	tg_json_object_begin(j, "sent");
	tg_json_u64(j, "total", c->sent[0] + c->sent[1] + c->sent[2]);
	tg_json_u64(j, "new", c->sent[TG_RISK_IN_NEW]);
	tg_json_u64(j, "replace", c->sent[TG_RISK_IN_REPLACE]);
	tg_json_u64(j, "cancel", c->sent[TG_RISK_IN_CANCEL]);
	tg_json_u64(j, "ioc", c->sent_ioc);
	tg_json_object_end(j);
	tg_json_object_begin(j, "gate");
	tg_json_u64(j, "accepted", c->accepted);
	tg_json_u64(j, "rejected", c->rejected);
	tg_json_u64(j, "in_flight", fly);
	tg_json_object_begin(j, "rejected_by_reason");
	for (unsigned r = 0; r < TG_RISK_REASONS; r++) {
		if (c->rejected_by[r] != 0)
			tg_json_u64(j, tg_risk_reason_name(r), c->rejected_by[r]);
	}
	tg_json_object_end(j);
	tg_json_object_end(j);
	tg_json_object_begin(j, "held_back");
	for (unsigned r = 0; r < HELD_KINDS; r++) {
		if (c->held_by[r] != 0)
			tg_json_u64(j, held_name(r), c->held_by[r]);
	}
	tg_json_object_end(j);
	tg_json_object_begin(j, "exchange");
	tg_json_u64(j, "accepted", c->x_accepted);
	tg_json_u64(j, "replaced", c->x_replaced);
	tg_json_u64(j, "rejected", c->x_rejected);
	tg_json_u64(j, "canceled", c->x_canceled);
	tg_json_u64(j, "canceled_shares", c->x_canceled_shares);
	tg_json_u64(j, "cancel_rejects", c->x_cancel_rejects);
	tg_json_u64(j, "other", c->x_other);
	tg_json_u64(j, "unmatched", c->unmatched);
	tg_json_u64(j, "broken_trades", c->x_broken);
	tg_json_object_end(j);
	tg_json_object_begin(j, "fills");
	tg_json_u64(j, "count", c->fills);
	tg_json_u64(j, "shares", c->fill_shares);
	tg_json_u64(j, "bought", c->bought);
	tg_json_u64(j, "sold", c->sold);
	tg_json_object_end(j);
	tg_json_object_begin(j, "busts");
	tg_json_u64(j, "count", c->busts);
	tg_json_u64(j, "shares", c->bust_shares);
	tg_json_object_end(j);
	tg_json_object_end(j);
}

struct pnl {
	int64_t cash, realized, unrealized, total, run_pos;
};

static struct pnl pnl_of(const struct sym *s)
{
	struct pnl p = { .cash = s->cash, .realized = s->realized, .run_pos = s->run_pos, .total = pnl_total(s) };

	p.unrealized = p.total - p.realized;
	return p;
}

static void json_pnl(struct tg_json *j, const struct pnl *p, const struct sym *s)
{
	tg_json_object_begin(j, "pnl");
	json_money(j, "cash", p->cash);
	json_money(j, "realized", p->realized);
	json_money(j, "unrealized", p->unrealized);
	json_money(j, "total", p->total);
	if (s != NULL) {
		tg_json_u64(j, "mark_price", mark_price(s));
		tg_json_i64(j, "traded_position", s->run_pos);
	}
	tg_json_object_end(j);
}

void trade_write_json(const struct trader *t, const struct final *f, FILE *out)
{
	struct tally c = totals(t);
	struct pnl tp = { 0 };
	int64_t pos_start = 0, pos_host = 0, pos_card = 0;
	uint64_t bbo_rx = 0;
	struct tg_json j;

	tg_json_init(&j, out);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "card", t->cli->card_uri);
	tg_json_u64(&j, "seed", t->o->seed);
	tg_json_u64(&j, "size", t->o->size);
	tg_json_double(&j, "duration_s", t->o->duration);
	tg_json_double(&j, "elapsed_s", (double)(t->t_end - t->t_start) / 1e9);
	tg_json_string(&j, "stop_reason", t->stop_reason ? t->stop_reason : "setup");
	tg_json_bool(&j, "clean", !t->failed && t->left_open == 0);
	if (t->failed)
		tg_json_string(&j, "error", t->fail_msg);
	tg_json_string(&j, "money_unit", "1/10000 USD");
	tg_json_object_begin(&j, "limits");
	tg_json_string(&j, "source", t->limits_source ? t->limits_source : "");
	tg_json_u64(&j, "changed", t->limits_changed);
	tg_json_object_end(&j);
	tg_json_object_begin(&j, "watchdog");
	tg_json_u64(&j, "timeout_units", t->watchdog_units);
	tg_json_double(&j, "timeout_s", (double)t->watchdog_units * 1024.0 / TG_CARD_CLOCK_HZ);
	tg_json_bool(&j, "disarmed", !t->watchdog_armed);
	tg_json_bool(&j, "tripped", t->wd_tripped);
	tg_json_object_end(&j);

	tg_json_array_begin(&j, "symbols");
	for (unsigned k = 0; k < t->state.n_sym; k++) {
		const struct sym *s = &t->state.sym[k];
		const struct tg_risk_card_inst *in = f->have_state ? &f->st.inst[s->inst] : NULL;
		struct pnl p = pnl_of(s);

		tp.cash += p.cash;
		tp.realized += p.realized;
		tp.unrealized += p.unrealized;
		tp.total += p.total;
		pos_start += s->pos_start;
		pos_host += s->pos;
		pos_card += in ? in->position : 0;
		bbo_rx += s->bbo_updates;
		tg_json_object_begin(&j, NULL);
		tg_json_string(&j, "symbol", s->name);
		tg_json_u64(&j, "instrument", s->inst);
		if (s->locate_valid)
			tg_json_u64(&j, "locate", s->locate);
		tg_json_bool(&j, "subscribed_here", s->subscribed_here);
		tg_json_object_begin(&j, "bbo");
		tg_json_u64(&j, "bid", s->bid);
		tg_json_u64(&j, "bid_size", s->bid_size);
		tg_json_u64(&j, "ask", s->ask);
		tg_json_u64(&j, "ask_size", s->ask_size);
		tg_json_u64(&j, "updates", s->bbo_updates);
		tg_json_u64(&j, "trades", s->trades);
		tg_json_u64(&j, "halts", s->halt_events);
		tg_json_object_end(&j);
		json_tally(&j, &s->c, trade_in_flight(&t->state, (int)k));
		tg_json_object_begin(&j, "position");
		tg_json_i64(&j, "start", s->pos_start);
		tg_json_i64(&j, "host", s->pos);
		if (in != NULL) {
			tg_json_i64(&j, "card", in->position);
			tg_json_u64(&j, "card_open_buy", in->open_buy);
			tg_json_u64(&j, "card_open_sell", in->open_sell);
			tg_json_u64(&j, "card_open_orders", in->open_orders);
		}
		tg_json_u64(&j, "host_open_buy", s->open_buy);
		tg_json_u64(&j, "host_open_sell", s->open_sell);
		tg_json_u64(&j, "host_open_orders", s->open_orders);
		tg_json_object_end(&j);
		json_pnl(&j, &p, s);
		tg_json_object_end(&j);
	}
	tg_json_array_end(&j);

	tg_json_object_begin(&j, "total");
	json_tally(&j, &c, trade_in_flight(&t->state, -1));
	tg_json_object_begin(&j, "position");
	tg_json_i64(&j, "start", pos_start);
	tg_json_i64(&j, "host", pos_host);
	if (f->have_state)
		tg_json_i64(&j, "card", pos_card);
	tg_json_object_end(&j);
	json_pnl(&j, &tp, NULL);
	tg_json_object_end(&j);

	tg_json_object_begin(&j, "feed");
	tg_json_u64(&j, "messages", t->cnt_now.feed_messages - t->cnt_start.feed_messages);
	tg_json_u64(&j, "messages_card_total", t->cnt_now.feed_messages);
	tg_json_u64(&j, "gaps", t->cnt_now.feed_gaps - t->cnt_start.feed_gaps);
	tg_json_u64(&j, "bbo_changes_card", t->cnt_now.bbo_events - t->cnt_start.bbo_events);
	tg_json_u64(&j, "book_events_dropped", t->cnt_now.book_events_dropped - t->cnt_start.book_events_dropped);
	tg_json_u64(&j, "bbo_updates_received", bbo_rx);
	tg_json_object_end(&j);

	if (t->link_known) {
		static const char *const states[] = { "none", "down", "up", "ended" };

		tg_json_object_begin(&j, "order_entry");
		tg_json_string(&j, "state", t->link.state >= 0 && t->link.state <= 3 ? states[t->link.state] : "?");
		tg_json_string(&j, "session", t->link.session);
		tg_json_u64(&j, "logins", t->link.logins - t->link_start.logins);
		tg_json_u64(&j, "disconnects", t->link.disconnects - t->link_start.disconnects);
		tg_json_u64(&j, "dropped", t->link.dropped - t->link_start.dropped);
		tg_json_u64(&j, "packets_out", t->link.packets_out - t->link_start.packets_out);
		tg_json_u64(&j, "packets_in", t->link.packets_in - t->link_start.packets_in);
		tg_json_object_end(&j);
	}
	tg_json_object_begin(&j, "shutdown");
	tg_json_u64(&j, "cancels_sent", t->shutdown_cancels);
	tg_json_u64(&j, "orders_left_open", t->left_open);
	tg_json_u64(&j, "foreign_orders_at_start", t->foreign_open);
	if (f->have_state)
		tg_json_u64(&j, "card_open_orders", f->st.open_all);
	tg_json_object_end(&j);

	tg_json_object_begin(&j, "anomalies");
	tg_json_u64(&j, "card_decisions", t->state.card_decisions);
	tg_json_u64(&j, "decision_mismatches", t->state.decision_mismatch);
	tg_json_u64(&j, "other_responses", t->state.other_responses);
	tg_json_u64(&j, "unmatched_responses", c.unmatched);
	tg_json_u64(&j, "busts_unplaced", t->busts_unplaced);
	tg_json_u64(&j, "busts_other_instruments", t->busts_other);
	tg_json_u64(&j, "event_sequence_gaps", f->ring.seq_gaps);
	tg_json_u64(&j, "feed_event_format_errors", t->fe.format_errors);
	tg_json_object_end(&j);

	tg_json_object_begin(&j, "ring");
	tg_json_u64(&j, "sent", f->ring.sent);
	tg_json_u64(&j, "received", f->ring.received);
	tg_json_u64(&j, "send_full", f->ring.send_full);
	tg_json_object_end(&j);

	if (f->have_state) {
		tg_json_object_begin(&j, "card_decisions_by_reason");
		for (unsigned r = 0; r < TG_RISK_REASONS; r++) {
			if (f->st.decided[r] != 0)
				tg_json_u64(&j, tg_risk_reason_name(r), f->st.decided[r]);
		}
		tg_json_object_end(&j);
	}
	if (f->have_lat) {
		tg_json_object_begin(&j, "latency");
		tg_json_double(&j, "clock_hz", TG_CARD_CLOCK_HZ);
		tg_json_double(&j, "ns_per_cycle", card_ns_per_cycle());
		card_lat_json(&j, "order", &f->lat[0]);
		card_lat_json(&j, "kill", &f->lat[1]);
		tg_json_object_end(&j);
	}
	tg_json_object_end(&j);
	tg_json_finish(&j);
}

bool trade_write_summary_file(const struct trader *t, const struct final *f)
{
	char tmp[4096];
	FILE *out;
	bool ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", t->o->summary) >= (int)sizeof(tmp))
		return false;
	out = fopen(tmp, "w");
	if (out == NULL) {
		cli_error("%s: %s", tmp, strerror(errno));
		return false;
	}
	trade_write_json(t, f, out);
	ok = !ferror(out);
	ok = fclose(out) == 0 && ok;
	if (ok && rename(tmp, t->o->summary) != 0)
		ok = false;
	if (!ok) {
		cli_error("%s: the summary could not be written: %s", t->o->summary, strerror(errno));
		unlink(tmp);
	}
	return ok;
}

void trade_print_text(const struct trader *t, const struct final *f)
{
	struct tally c = totals(t);
	char m1[40], m2[40], m3[40], bid[24], ask[24];

	printf("tickgate trade on %s: %.1f s, stopped by %s\n", t->cli->card_uri, (double)(t->t_end - t->t_start) / 1e9,
	       t->stop_reason ? t->stop_reason : "setup");
	if (t->failed)
		printf("failed: %s\n", t->fail_msg);
	if (t->o->limits != NULL)
		printf("limits: %s, %zu changed in one commit\n", t->o->limits, t->limits_changed);
	else if (t->limits_changed > 0)
		printf("limits: demo limits for the symbols not enabled before, %zu changed in one commit\n",
		       t->limits_changed);
	else
		printf("limits: the card's, unchanged (every symbol was enabled before)\n");
	printf("\n%-8s %10s %10s %6s %5s %5s %5s %6s %5s %6s %8s %8s %8s %14s %14s\n", "symbol", "bid", "ask", "sent",
	       "new", "repl", "canc", "acc", "rej", "fills", "shares", "pos", "card", "cash", "P&L");
	for (unsigned k = 0; k <= t->state.n_sym; k++) {
		const struct sym *s = k < t->state.n_sym ? &t->state.sym[k] : NULL;
		const struct tally *tc = s ? &s->c : &c;
		int64_t pos = 0, card = 0, cash = 0, pnl = 0;

		for (unsigned i = 0; i < t->state.n_sym; i++) {
			const struct sym *x = &t->state.sym[i];

			if (s != NULL && x != s)
				continue;
			pos += x->pos;
			card += f->have_state ? f->st.inst[x->inst].position : 0;
			cash += x->cash;
			pnl += pnl_total(x);
		}
		fmt_money(bid, sizeof(bid), s ? s->bid : 0);
		fmt_money(ask, sizeof(ask), s ? s->ask : 0);
		fmt_money(m1, sizeof(m1), cash);
		fmt_money(m2, sizeof(m2), pnl);
		printf("%-8s %10s %10s %6" PRIu64 " %5" PRIu64 " %5" PRIu64 " %5" PRIu64 " %6" PRIu64 " %5" PRIu64 " %6" PRIu64
		       " %8" PRIu64 " %+8" PRId64 " %+8" PRId64 " %14s %14s\n",
		       s ? s->name : "total", s ? (s->bid ? bid : "-") : "", s ? (s->ask ? ask : "-") : "",
		       tc->sent[0] + tc->sent[1] + tc->sent[2], tc->sent[TG_RISK_IN_NEW], tc->sent[TG_RISK_IN_REPLACE],
		       tc->sent[TG_RISK_IN_CANCEL], tc->accepted, tc->rejected, tc->fills, tc->fill_shares, pos, card, m1, m2);
	}
	if (c.rejected > 0) {
		printf("\nrejected by the gate:");
		for (unsigned r = 0; r < TG_RISK_REASONS; r++) {
			if (c.rejected_by[r] != 0)
				printf(" %s %" PRIu64, tg_risk_reason_name(r), c.rejected_by[r]);
		}
		printf("\n");
	} else {
		printf("\nrejected by the gate: none\n");
	}
	printf("held back by the trader's own checks:");
	unsigned held = 0;
	for (unsigned r = 0; r < HELD_KINDS; r++) {
		if (c.held_by[r] != 0)
			printf(" %s %" PRIu64, held_name(r), c.held_by[r]), held++;
	}
	printf("%s\n", held ? "" : " none");
	printf("exchange: %" PRIu64 " accepted, %" PRIu64 " replaced, %" PRIu64 " canceled (%" PRIu64 " shares), %" PRIu64
	       " rejected, %" PRIu64 " cancel rejects, %" PRIu64 " executions (%" PRIu64 " bought, %" PRIu64 " sold)\n",
	       c.x_accepted, c.x_replaced, c.x_canceled, c.x_canceled_shares, c.x_rejected, c.x_cancel_rejects, c.fills,
	       c.bought, c.sold);
	if (c.x_broken > 0 || t->busts_unplaced > 0)
		printf("broken trades: %" PRIu64 " received, %" PRIu64 " executions reversed (%" PRIu64
		       " shares, audited as risk.bust), %" PRIu64 " naming no execution seen here\n",
		       c.x_broken, c.busts, c.bust_shares, t->busts_unplaced);
	{
		int64_t r = 0, u = 0, tot = 0;

		for (unsigned k = 0; k < t->state.n_sym; k++) {
			struct pnl p = pnl_of(&t->state.sym[k]);

			r += p.realized;
			u += p.unrealized;
			tot += p.total;
		}
		fmt_money(m1, sizeof(m1), r);
		fmt_money(m2, sizeof(m2), u);
		fmt_money(m3, sizeof(m3), tot);
		printf("P&L: $%s (realized $%s, unrealized $%s at the card's BBO mid)\n", m3, m1, m2);
	}
	uint64_t bbo_rx = 0;
	for (unsigned k = 0; k < t->state.n_sym; k++)
		bbo_rx += t->state.sym[k].bbo_updates;
	printf("feed: %" PRIu64 " messages (%" PRIu64 " gaps), %" PRIu64 " BBO changes in the card's book, %" PRIu64
	       " BBO events of ours received, %" PRIu64 " book events dropped\n",
	       t->cnt_now.feed_messages - t->cnt_start.feed_messages, t->cnt_now.feed_gaps - t->cnt_start.feed_gaps,
	       t->cnt_now.bbo_events - t->cnt_start.bbo_events, bbo_rx,
	       t->cnt_now.book_events_dropped - t->cnt_start.book_events_dropped);
	if (t->link_known) {
		static const char *const states[] = { "none", "down", "up", "ended" };

		printf("order entry: %s%s%s, %" PRIu64 " packets out, %" PRIu64 " in, %" PRIu64 " dropped, %" PRIu64
		       " disconnects\n",
		       t->link.state >= 0 && t->link.state <= 3 ? states[t->link.state] : "?",
		       t->link.session[0] ? ", session " : "", t->link.session, t->link.packets_out - t->link_start.packets_out,
		       t->link.packets_in - t->link_start.packets_in, t->link.dropped - t->link_start.dropped,
		       t->link.disconnects - t->link_start.disconnects);
	}
	printf("shutdown: %" PRIu64 " cancels, %u orders left open%s; watchdog %s\n", t->shutdown_cancels, t->left_open,
	       f->have_state && f->st.open_all > 0 ? " (the card counts some open: tickgate orders)" : "",
	       t->wd_tripped ? "TRIPPED" : t->watchdog_armed ? "left armed" : "disarmed");
	if (t->state.card_decisions || t->state.decision_mismatch || c.unmatched || f->ring.seq_gaps)
		printf("anomalies: %" PRIu64 " card-made decisions, %" PRIu64 " decision mismatches, %" PRIu64
		       " unmatched responses, %" PRIu64 " event sequence gaps\n",
		       t->state.card_decisions, t->state.decision_mismatch, c.unmatched, f->ring.seq_gaps);
	if (f->have_lat) {
		for (unsigned h = 0; h < 2; h++)
			card_lat_print(stdout, &f->lat[h], "");
	}
}
