/*
 * The card's feed and book events for the host: see tickgate/feed_events.h.
 */
#include <string.h>

#include "tickgate/feed_events.h"

void tg_feed_events_init(struct tg_feed_events *fe, const struct tg_feed_event_handlers *h)
{
	memset(fe, 0, sizeof(*fe));
	if (h != NULL)
		fe->h = *h;
}

static void deliver(struct tg_feed_events *fe)
{
	if (fe->h.msg != NULL)
		fe->h.msg(fe->h.ctx, &fe->pending);
	fe->have_pending = false;
}

static void book_event(struct tg_feed_events *fe, const union tg_c2h_record *r)
{
	struct tg_feed_event_book b;
	struct tg_book_event *ev = &b.ev;

	memset(&b, 0, sizeof(b));
	b.timestamp = r->book_bbo.timestamp;
	switch (r->book_bbo.type) {
	case TG_C2H_EVT_BOOK_BBO:
		ev->type = TG_BOOK_EV_BBO;
		ev->locate = r->book_bbo.locate;
		ev->timestamp = r->book_bbo.itch_time;
		ev->seq = r->book_bbo.mold_seq;
		ev->u.bbo.bid_price = r->book_bbo.bid_price;
		ev->u.bbo.bid_size = r->book_bbo.bid_size;
		ev->u.bbo.ask_price = r->book_bbo.ask_price;
		ev->u.bbo.ask_size = r->book_bbo.ask_size;
		ev->u.bbo.flags = r->book_bbo.flags;
		b.instrument = r->book_bbo.instrument;
		break;
	case TG_C2H_EVT_BOOK_TRADE:
		ev->type = TG_BOOK_EV_TRADE;
		ev->locate = r->book_trade.locate;
		ev->timestamp = r->book_trade.itch_time;
		ev->seq = r->book_trade.mold_seq;
		ev->u.trade.price = r->book_trade.price;
		ev->u.trade.shares = r->book_trade.shares;
		ev->u.trade.match = r->book_trade.match;
		ev->u.trade.msg_type = (char)r->book_trade.msg_type;
		ev->u.trade.side = (char)r->book_trade.side;
		ev->u.trade.printable = r->book_trade.flags & 1u;
		b.instrument = r->book_trade.instrument;
		break;
	default:
		ev->type = TG_BOOK_EV_HALT;
		ev->locate = r->book_halt.locate;
		ev->timestamp = r->book_halt.itch_time;
		ev->seq = r->book_halt.mold_seq;
		ev->u.halt.halted = r->book_halt.flags & 1u;
		ev->u.halt.state = (char)r->book_halt.state;
		b.instrument = r->book_halt.instrument;
		break;
	}
	if (fe->h.book != NULL)
		fe->h.book(fe->h.ctx, &b);
}

bool tg_feed_events_take(struct tg_feed_events *fe, const union tg_c2h_record *ev)
{
	uint8_t type = ev->msg.type;

	if (type == TG_C2H_EVT_BOOK_BBO || type == TG_C2H_EVT_BOOK_TRADE || type == TG_C2H_EVT_BOOK_HALT) {
		book_event(fe, ev);
		return true;
	}
	if (type != TG_C2H_EVT_MSG && type != TG_C2H_EVT_MSG_CONT && type != TG_C2H_EVT_GAP)
		return false;
	if (fe->have_pending && type != TG_C2H_EVT_MSG_CONT) {
		fe->format_errors++;
		fe->have_pending = false;
	}
	switch (type) {
	case TG_C2H_EVT_MSG: {
		struct tg_feed_event_msg *m = &fe->pending;

		memset(m, 0, sizeof(*m));
		m->mold_seq = ev->msg.mold_seq;
		m->timestamp = ev->msg.timestamp;
		m->len = ev->msg.flags & 0x3fu;
		memcpy(m->data, ev->msg.data, sizeof(ev->msg.data));
		fe->have_pending = true;
		if (!(ev->msg.flags & 0x80u))
			deliver(fe);
		break;
	}
	case TG_C2H_EVT_MSG_CONT:
		if (!fe->have_pending || ev->msg_cont.mold_seq != fe->pending.mold_seq) {
			fe->format_errors++;
			fe->have_pending = false;
			break;
		}
		memcpy(fe->pending.data + sizeof(ev->msg.data), ev->msg_cont.data, sizeof(ev->msg_cont.data));
		deliver(fe);
		break;
	default:
		if (fe->h.gap != NULL)
			fe->h.gap(fe->h.ctx, ev->gap.first, ev->gap.last);
		break;
	}
	return true;
}
