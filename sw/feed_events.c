/*
 * Feed events back into messages: see tickgate/feed_events.h.
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

bool tg_feed_events_take(struct tg_feed_events *fe, const union tg_c2h_record *ev)
{
	uint8_t type = ev->msg.type;

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
