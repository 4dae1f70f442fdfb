/*
 * The simulated exchange's ITCH 5.0 / MoldUDP64 publisher with its
 * retransmission service and pcap: see feed_publisher.h for the contract.
 *
 * The store is a ring of fixed TG_XFEED_MAX_MSG-byte slots indexed by
 * sequence number modulo the capacity: a retransmission reads any held
 * message in O(1) and memory is known up front. (A byte ring would hold
 * more short messages in the same memory, but ITCH messages are all 12 to
 * 50 bytes, so the saving is small and the bookkeeping is not.)
 *
 * The packet being filled lives in its own buffer, so the store may drop
 * old messages without touching what is not sent yet.
 *
 * Orders are tracked in an open-addressing hash table (linear probing,
 * backward-shift deletion, so no tombstones accumulate over a day of adds
 * and deletes), grown at half load.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "feed_publisher.h"
#include "tickgate/itch50.h"
#include "tickgate/itch_encode.h"
#include "tickgate/mold_frame.h"

#define MOLD_HDR TG_MOLD_HDR
#define MOLD_END_OF_SESSION 0xffffu
#define RTX_REQUEST_LEN 20u
#define MIN_BLOCK (2u + 12u)	/* the shortest ITCH message with its length */
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_SNAPLEN 65535u
#define LINKTYPE_ETHERNET 1u

struct order {
	uint64_t ref;		/* 0: empty slot */
	uint32_t shares;
	uint32_t price;
	uint16_t instrument;
	char side;
	bool hidden;
	char mpid[4];
};

/* A replace whose new order is still trading as an incoming order. */
struct held_replace {
	bool active;
	bool old_displayed;
	uint64_t old_ref, new_ref;
	uint16_t instrument;
	char side;
	bool hidden;
	uint32_t shares;	/* of the new order not traded yet */
	uint32_t price;
	uint64_t ts_ns;
	char mpid[4];
};

struct tg_xfeed {
	struct tg_xfeed_config cfg;
	struct tg_xfeed_stats st;
	uint8_t session[10];
	int tx_fd, rtx_fd;
	struct sockaddr_in dst;
	uint16_t rtx_port;
	struct tg_mold_frame_params fp;	/* pcap frames */
	FILE *pcap;

	uint64_t now_ns;		/* latest clock given */
	uint64_t next_seq;		/* the next message's sequence number */
	uint64_t published;		/* messages below this were sent (or dropped) */
	bool sent_any;
	uint64_t last_send_ns;
	uint64_t data_packets;		/* data packets published, for drop_every */
	bool ended;

	/* the packet being filled: messages [pend_first, next_seq) */
	uint8_t blocks[TG_MOLD_MAX_PAYLOAD];
	size_t used;
	unsigned count;

	/* store: message s in slot s % capacity */
	uint8_t *store;
	uint8_t *store_len;
	uint32_t capacity;

	/* instruments */
	char (*symbols)[9];
	unsigned n_symbols;
	bool day_started;

	/* resting orders */
	struct order *orders;
	size_t order_slots;	/* a power of two */
	size_t n_orders;
	struct held_replace rp;
};

static void set_err(char *err, size_t errlen, const char *fmt, const char *what, int e)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, fmt, what, strerror(e));
}

/* ---- packets ---- */

static void put32le(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void pcap_write(struct tg_xfeed *f, uint64_t seq, uint16_t count, const uint8_t *blocks, size_t len)
{
	uint8_t frame[TG_MOLD_FRAME_HDR + TG_MOLD_MAX_PAYLOAD], rec[16];
	size_t flen;
	uint64_t ts;

	if (f->pcap == NULL || f->st.pcap_failed)
		return;
	flen = tg_mold_frame(frame, sizeof(frame), &f->fp, seq, count, blocks, len);
	f->fp.ip_id++;
	if (f->cfg.pcap_feed_clock) {
		ts = f->cfg.pcap_epoch_ns + f->now_ns;
	} else {
		struct timespec t;

		clock_gettime(CLOCK_REALTIME, &t);
		ts = (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
	}
	put32le(rec, (uint32_t)(ts / 1000000000ull));
	put32le(rec + 4, (uint32_t)(ts % 1000000000ull));
	put32le(rec + 8, (uint32_t)flen);
	put32le(rec + 12, (uint32_t)flen);
	if (flen == 0 || fwrite(rec, 1, sizeof(rec), f->pcap) != sizeof(rec) ||
	    fwrite(frame, 1, flen, f->pcap) != flen || fflush(f->pcap) != 0) {
		f->st.pcap_failed = true;
		return;
	}
	f->st.pcap_frames++;
}

/* MoldUDP64 header + blocks into out; returns the payload length. */
static size_t mold_packet(const struct tg_xfeed *f, uint8_t *out, uint64_t seq, uint16_t count,
			  const uint8_t *blocks, size_t len)
{
	memcpy(out, f->session, 10);
	tg_itch_put_be(out + 10, seq, 8);
	tg_itch_put_be(out + 18, count, 2);
	if (len > 0)
		memcpy(out + MOLD_HDR, blocks, len);
	return MOLD_HDR + len;
}

static bool send_to(struct tg_xfeed *f, int fd, const uint8_t *p, size_t len, const struct sockaddr_in *to)
{
	ssize_t n;

	do
		n = sendto(fd, p, len, 0, (const struct sockaddr *)to, sizeof(*to));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len) {
		f->st.send_errors++;
		return false;
	}
	return true;
}

/* One feed packet: to the pcap, and on UDP unless the loss injection drops it. */
static void feed_packet(struct tg_xfeed *f, uint64_t seq, uint16_t count, const uint8_t *blocks, size_t len)
{
	uint8_t pkt[TG_MOLD_MAX_PAYLOAD];
	size_t plen = mold_packet(f, pkt, seq, count, blocks, len);
	bool drop = false;

	if (count != 0 && count != MOLD_END_OF_SESSION) {
		f->data_packets++;
		if (f->cfg.loss.drop_seq != 0 && seq <= f->cfg.loss.drop_seq && f->cfg.loss.drop_seq < seq + count)
			drop = true;
		if (f->cfg.loss.drop_every != 0 && f->data_packets % f->cfg.loss.drop_every == 0)
			drop = true;
		f->published = seq + count;
	}
	pcap_write(f, seq, count, blocks, len);
	f->sent_any = true;
	f->last_send_ns = f->now_ns;
	if (drop) {
		f->st.dropped++;
		return;
	}
	if (send_to(f, f->tx_fd, pkt, plen, &f->dst)) {
		f->st.packets++;
		f->st.bytes += plen;
	}
}

static void send_pending(struct tg_xfeed *f)
{
	if (f->count == 0)
		return;
	feed_packet(f, f->next_seq - f->count, (uint16_t)f->count, f->blocks, f->used);
	f->used = 0;
	f->count = 0;
}

static size_t block_room(const struct tg_xfeed *f)
{
	return f->cfg.max_payload - MOLD_HDR - f->used;
}

/* Sequence, store and pack one message (length checked by the caller). */
static void append(struct tg_xfeed *f, const uint8_t *msg, size_t len)
{
	size_t slot;

	if (2 + len > block_room(f))
		send_pending(f);	/* before the new message's number: the packet is [next - count, next) */
	slot = (size_t)(f->next_seq++ % f->capacity);
	memcpy(f->store + slot * TG_XFEED_MAX_MSG, msg, len);
	f->store_len[slot] = (uint8_t)len;
	f->blocks[f->used] = (uint8_t)(len >> 8);
	f->blocks[f->used + 1] = (uint8_t)len;
	memcpy(f->blocks + f->used + 2, msg, len);
	f->used += 2 + len;
	f->count++;
	f->st.messages++;
	if (block_room(f) < MIN_BLOCK)
		send_pending(f);
}

/* ---- orders ---- */

static size_t order_hash(const struct tg_xfeed *f, uint64_t ref)
{
	return (size_t)((ref * 0x9e3779b97f4a7c15ull) >> 17) & (f->order_slots - 1);
}

static struct order *order_find(struct tg_xfeed *f, uint64_t ref)
{
	if (ref == 0)
		return NULL;
	for (size_t i = order_hash(f, ref);; i = (i + 1) & (f->order_slots - 1)) {
		if (f->orders[i].ref == ref)
			return &f->orders[i];
		if (f->orders[i].ref == 0)
			return NULL;
	}
}

static void order_place(struct order *tab, size_t slots, const struct order *o, const struct tg_xfeed *f)
{
	size_t i = order_hash(f, o->ref);

	while (tab[i].ref != 0 && tab[i].ref != o->ref)
		i = (i + 1) & (slots - 1);
	tab[i] = *o;
}

static int order_put(struct tg_xfeed *f, const struct order *o)
{
	struct order *old = order_find(f, o->ref);

	if (old != NULL) {
		*old = *o;
		return TG_OK;
	}
	if ((f->n_orders + 1) * 2 > f->order_slots) {
		size_t n = f->order_slots * 2, old_slots = f->order_slots;
		struct order *tab = calloc(n, sizeof(*tab)), *prev = f->orders;

		if (tab == NULL) {
			f->st.untracked++;
			return TG_ERR_NOMEM;
		}
		f->orders = tab;
		f->order_slots = n;
		for (size_t i = 0; i < old_slots; i++)
			if (prev[i].ref != 0)
				order_place(tab, n, &prev[i], f);
		free(prev);
	}
	order_place(f->orders, f->order_slots, o, f);
	f->n_orders++;
	f->st.orders = f->n_orders;
	return TG_OK;
}

static void order_remove(struct tg_xfeed *f, struct order *o)
{
	size_t mask = f->order_slots - 1, i = (size_t)(o - f->orders), j = i;

	/* backward shift: move later members of the probe run into the hole when their home allows */
	for (;;) {
		j = (j + 1) & mask;
		if (f->orders[j].ref == 0)
			break;
		size_t home = order_hash(f, f->orders[j].ref);

		/* j may fill i when home is not cyclically in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			f->orders[i] = f->orders[j];
			i = j;
		}
	}
	f->orders[i].ref = 0;
	f->n_orders--;
	f->st.orders = f->n_orders;
}

/* ---- ITCH out ---- */

static bool mpid_set(const char mpid[4])
{
	for (unsigned i = 0; i < 4; i++)
		if (mpid[i] != '\0' && mpid[i] != ' ')
			return true;
	return false;
}

static struct tg_itch_hdr hdr(uint16_t locate, uint64_t ts_ns)
{
	return (struct tg_itch_hdr){ .locate = locate, .tracking = 0, .ts_ns = ts_ns };
}

static void publish_add(struct tg_xfeed *f, const struct order *o, uint64_t ts_ns)
{
	uint8_t m[TG_ITCH_MAX_LEN];
	struct tg_itch_hdr h = hdr(o->instrument, ts_ns);
	const char *sym = f->symbols[o->instrument - 1];
	size_t len = mpid_set(o->mpid) ?
		tg_itch_enc_add_order_mpid(m, &h, o->ref, o->side, o->shares, sym, o->price, o->mpid) :
		tg_itch_enc_add_order(m, &h, o->ref, o->side, o->shares, sym, o->price);

	append(f, m, len);
}

static void publish_delete(struct tg_xfeed *f, uint16_t instrument, uint64_t ref, uint64_t ts_ns)
{
	uint8_t m[TG_ITCH_MAX_LEN];
	struct tg_itch_hdr h = hdr(instrument, ts_ns);

	append(f, m, tg_itch_enc_order_delete(m, &h, ref));
}

/* The held replace's outcome is known: publish it (see the header). */
static int resolve_replace(struct tg_xfeed *f)
{
	struct held_replace *r = &f->rp;
	struct order o = { .ref = r->new_ref, .shares = r->shares, .price = r->price,
			   .instrument = r->instrument, .side = r->side, .hidden = r->hidden };
	int rc = TG_OK;

	if (!r->active)
		return TG_OK;
	r->active = false;
	memcpy(o.mpid, r->mpid, 4);
	if (o.shares > 0)
		rc = order_put(f, &o);
	if (r->old_displayed && !r->hidden) {
		if (o.shares > 0) {
			uint8_t m[TG_ITCH_MAX_LEN];
			struct tg_itch_hdr h = hdr(r->instrument, r->ts_ns);

			append(f, m, tg_itch_enc_order_replace(m, &h, r->old_ref, r->new_ref, o.shares, o.price));
		} else {
			publish_delete(f, r->instrument, r->old_ref, r->ts_ns);
		}
	} else if (!r->old_displayed && !r->hidden && o.shares > 0) {
		publish_add(f, &o, r->ts_ns);
	}
	/* displayed -> hidden: the D went out with the REPLACE; hidden -> hidden: nothing */
	return rc;
}

static int ev_add(struct tg_xfeed *f, const struct tg_match_event *ev)
{
	struct order o = { .ref = ev->ref, .shares = ev->shares, .price = ev->price, .instrument = ev->instrument,
			   .side = ev->side, .hidden = ev->hidden };
	int rc;

	memcpy(o.mpid, ev->mpid, 4);
	rc = order_put(f, &o);
	if (!o.hidden)
		publish_add(f, &o, ev->ts_ns);	/* the engine has it: publish even when it cannot be tracked */
	return rc;
}

static void ev_execute(struct tg_xfeed *f, const struct tg_match_event *ev)
{
	struct order *o = order_find(f, ev->ref);
	bool hidden = o != NULL ? o->hidden : ev->hidden;
	uint8_t m[TG_ITCH_MAX_LEN];
	struct tg_itch_hdr h = hdr(ev->instrument, ev->ts_ns);
	size_t len;

	if (hidden)
		len = tg_itch_enc_trade(m, &h, 0, 'B', ev->shares, f->symbols[ev->instrument - 1], ev->price,
					ev->match);
	else
		len = tg_itch_enc_order_executed(m, &h, ev->ref, ev->shares, ev->match);
	append(f, m, len);
	if (o != NULL) {
		if (ev->remaining == 0 || o->shares <= ev->shares)
			order_remove(f, o);
		else
			o->shares = ev->remaining;
	}
}

static void ev_cancel(struct tg_xfeed *f, const struct tg_match_event *ev)
{
	struct order *o = order_find(f, ev->ref);
	uint8_t m[TG_ITCH_MAX_LEN];
	struct tg_itch_hdr h = hdr(ev->instrument, ev->ts_ns);

	if (o == NULL)
		return;	/* never seen, or already gone with a replace */
	if (ev->remaining == 0) {
		if (!o->hidden)
			publish_delete(f, ev->instrument, ev->ref, ev->ts_ns);
		order_remove(f, o);
		return;
	}
	if (!o->hidden) {
		/* what makes the published size equal the engine's remaining */
		uint32_t canceled = o->shares > ev->remaining ? o->shares - ev->remaining : ev->shares;

		append(f, m, tg_itch_enc_order_cancel(m, &h, ev->ref, canceled));
	}
	o->shares = ev->remaining;
}

static void ev_replace(struct tg_xfeed *f, const struct tg_match_event *ev)
{
	struct order *old = order_find(f, ev->ref);
	struct held_replace *r = &f->rp;

	*r = (struct held_replace){ .active = true, .old_ref = ev->ref, .new_ref = ev->new_ref,
				    .instrument = ev->instrument, .side = ev->side, .hidden = ev->hidden,
				    .shares = ev->shares, .price = ev->price, .ts_ns = ev->ts_ns };
	memcpy(r->mpid, ev->mpid, 4);
	if (old != NULL) {
		r->old_displayed = !old->hidden;
		r->side = old->side;
		if (mpid_set(old->mpid))
			memcpy(r->mpid, old->mpid, 4);
		order_remove(f, old);
	}
	if (r->old_displayed && r->hidden)
		publish_delete(f, ev->instrument, ev->ref, ev->ts_ns);
}

static void ev_halt(struct tg_xfeed *f, const struct tg_match_event *ev)
{
	uint8_t m[TG_ITCH_MAX_LEN];
	struct tg_itch_hdr h = hdr(ev->instrument, ev->ts_ns);

	append(f, m, tg_itch_enc_trading_action(m, &h, f->symbols[ev->instrument - 1], ev->halted ? 'H' : 'T',
						"    "));
}

int tg_xfeed_match_event(struct tg_xfeed *f, const struct tg_match_event *ev)
{
	struct held_replace *r = &f->rp;
	int rc;

	if (f == NULL || ev == NULL)
		return TG_ERR_ARG;
	if (!f->day_started || f->ended)
		return TG_ERR_STATE;
	if (ev->instrument == 0 || ev->instrument > f->n_symbols || ev->type < TG_MATCH_EV_ADD ||
	    ev->type > TG_MATCH_EV_HALT)
		return TG_ERR_ARG;
	if (r->active) {
		if (ev->type == TG_MATCH_EV_EXECUTE && ev->aggressor_ref == r->new_ref) {
			/* a fill of the replacing order against a resting one */
			r->shares = r->shares > ev->shares ? r->shares - ev->shares : 0;
			ev_execute(f, ev);
			return r->shares == 0 ? resolve_replace(f) : TG_OK;
		}
		if (ev->type == TG_MATCH_EV_CANCEL && ev->ref == r->new_ref && ev->remaining == 0) {
			r->shares = 0;	/* nothing of it rests */
			return resolve_replace(f);
		}
		if (ev->type == TG_MATCH_EV_ADD && ev->ref == r->new_ref) {
			r->shares = ev->shares;	/* an engine that reports the rest as an ADD */
			return resolve_replace(f);
		}
		rc = resolve_replace(f);
		if (rc != TG_OK)
			return rc;
	}
	switch (ev->type) {
	case TG_MATCH_EV_ADD:
		return ev_add(f, ev);
	case TG_MATCH_EV_EXECUTE:
		ev_execute(f, ev);
		return TG_OK;
	case TG_MATCH_EV_CANCEL:
		ev_cancel(f, ev);
		return TG_OK;
	case TG_MATCH_EV_REPLACE:
		ev_replace(f, ev);
		return TG_OK;
	case TG_MATCH_EV_HALT:
		ev_halt(f, ev);
		return TG_OK;
	case TG_MATCH_EV_EXPIRE:
		return TG_OK;
	}
	return TG_ERR_ARG;
}

/* ---- the day ---- */

int tg_xfeed_start_of_day(struct tg_xfeed *f, const char *const *symbols, unsigned n, uint64_t ts_ns)
{
	uint8_t m[TG_ITCH_MAX_LEN];
	struct tg_itch_hdr h = hdr(0, ts_ns);

	if (f == NULL || symbols == NULL || n == 0 || n > TG_XFEED_SYMBOLS_MAX)
		return TG_ERR_ARG;
	if (f->day_started || f->ended)
		return TG_ERR_STATE;
	for (unsigned i = 0; i < n; i++)
		if (symbols[i] == NULL || symbols[i][0] == '\0' || strlen(symbols[i]) > 8)
			return TG_ERR_ARG;
	f->symbols = calloc(n, sizeof(*f->symbols));
	if (f->symbols == NULL)
		return TG_ERR_NOMEM;
	for (unsigned i = 0; i < n; i++)
		snprintf(f->symbols[i], sizeof(f->symbols[i]), "%s", symbols[i]);
	f->n_symbols = n;
	f->day_started = true;
	append(f, m, tg_itch_enc_system_event(m, &h, 'O'));
	for (unsigned i = 0; i < n; i++) {
		struct tg_itch_stock_directory d;
		struct tg_itch_hdr hi = hdr((uint16_t)(i + 1), ts_ns);

		tg_itch_stock_directory_defaults(&d, f->symbols[i]);
		append(f, m, tg_itch_enc_stock_directory(m, &hi, &d));
		append(f, m, tg_itch_enc_trading_action(m, &hi, f->symbols[i], 'T', "    "));
	}
	append(f, m, tg_itch_enc_system_event(m, &h, 'S'));
	append(f, m, tg_itch_enc_system_event(m, &h, 'Q'));
	return TG_OK;
}

int tg_xfeed_end_of_day(struct tg_xfeed *f, uint64_t ts_ns)
{
	uint8_t m[TG_ITCH_MAX_LEN];
	struct tg_itch_hdr h = hdr(0, ts_ns);
	int rc;

	if (f == NULL)
		return TG_ERR_ARG;
	if (f->ended)
		return TG_ERR_STATE;
	rc = resolve_replace(f);
	append(f, m, tg_itch_enc_system_event(m, &h, 'M'));
	append(f, m, tg_itch_enc_system_event(m, &h, 'E'));
	append(f, m, tg_itch_enc_system_event(m, &h, 'C'));
	return rc;
}

/* ---- the packet stream ---- */

int tg_xfeed_message(struct tg_xfeed *f, const uint8_t *msg, size_t len, uint64_t now_ns)
{
	int rc;

	if (f == NULL || msg == NULL || len == 0 || len > TG_XFEED_MAX_MSG)
		return TG_ERR_ARG;
	if (f->ended)
		return TG_ERR_STATE;
	f->now_ns = now_ns;
	rc = resolve_replace(f);
	append(f, msg, len);
	return rc;
}

void tg_xfeed_flush(struct tg_xfeed *f, uint64_t now_ns)
{
	f->now_ns = now_ns;
	resolve_replace(f);	/* a failure is counted in untracked */
	send_pending(f);
}

void tg_xfeed_tick(struct tg_xfeed *f, uint64_t now_ns)
{
	f->now_ns = now_ns;
	if (f->sent_any && now_ns < f->last_send_ns + f->cfg.heartbeat_ns)
		return;
	if (f->ended) {
		feed_packet(f, f->next_seq, MOLD_END_OF_SESSION, NULL, 0);
		f->st.end_of_session++;
		return;
	}
	resolve_replace(f);
	if (f->count > 0) {	/* a packet held back a whole interval: send it rather than a heartbeat */
		send_pending(f);
		return;
	}
	feed_packet(f, f->next_seq, 0, NULL, 0);
	f->st.heartbeats++;
}

void tg_xfeed_end(struct tg_xfeed *f)
{
	if (!f->ended) {
		resolve_replace(f);
		send_pending(f);
		f->ended = true;
	}
	feed_packet(f, f->next_seq, MOLD_END_OF_SESSION, NULL, 0);
	f->st.end_of_session++;
}

/* ---- retransmission ---- */

static void answer(struct tg_xfeed *f, uint64_t first, uint64_t end, const struct sockaddr_in *to)
{
	uint8_t blocks[TG_MOLD_MAX_PAYLOAD], pkt[TG_MOLD_MAX_PAYLOAD];
	size_t used = 0, room = f->cfg.max_payload - MOLD_HDR;
	uint64_t pkt_first = first;
	unsigned count = 0;

	for (uint64_t s = first; s <= end; s++) {
		size_t slot = (size_t)(s % f->capacity), len = s < end ? f->store_len[slot] : 0;

		if (count > 0 && (s == end || used + 2 + len > room)) {
			size_t plen = mold_packet(f, pkt, pkt_first, (uint16_t)count, blocks, used);

			if (send_to(f, f->rtx_fd, pkt, plen, to)) {
				f->st.rtx_packets++;
				f->st.rtx_messages += count;
			}
			used = 0;
			count = 0;
			pkt_first = s;
		}
		if (s == end)
			break;
		blocks[used] = (uint8_t)(len >> 8);
		blocks[used + 1] = (uint8_t)len;
		memcpy(blocks + used + 2, f->store + slot * TG_XFEED_MAX_MSG, len);
		used += 2 + len;
		count++;
	}
}

static void request(struct tg_xfeed *f, const uint8_t *p, ssize_t n, const struct sockaddr_in *from)
{
	uint64_t seq, count, held_first, first, end;

	f->st.rtx_requests++;
	if (n != RTX_REQUEST_LEN || tg_be(p + 18, 2) == 0) {
		f->st.rtx_refused++;
		f->st.rtx_malformed++;
		return;
	}
	if (memcmp(p, f->session, 10) != 0) {
		f->st.rtx_refused++;
		f->st.rtx_wrong_session++;
		return;
	}
	seq = tg_be(p + 10, 8);
	count = tg_be(p + 18, 2);
	if (seq > UINT64_MAX - count)	/* a range past the end of numbers: none of it can be held */
		seq = UINT64_MAX - count;
	held_first = f->next_seq > f->capacity + 1 ? f->next_seq - f->capacity : 1;
	first = seq > held_first ? seq : held_first;
	end = seq + count < f->published ? seq + count : f->published;
	if (first != seq || end != seq + count) {
		f->st.rtx_refused++;
		f->st.rtx_not_held++;
	}
	if (first < end)
		answer(f, first, end, from);
}

int tg_xfeed_service(struct tg_xfeed *f, uint64_t now_ns)
{
	uint8_t buf[RTX_REQUEST_LEN + 1];
	int handled = 0;

	if (f == NULL)
		return TG_ERR_ARG;
	if (f->rtx_fd < 0)
		return 0;
	f->now_ns = now_ns;
	for (;;) {
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		/* one byte more than a request, so a longer datagram shows as malformed */
		ssize_t n = recvfrom(f->rtx_fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return handled;
			/* an ICMP error from an earlier answer's requester: not ours to stop for */
			if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH)
				continue;
			return TG_ERR_SYS;
		}
		handled++;
		if (flen != sizeof(from) || from.sin_family != AF_INET) {
			f->st.rtx_requests++;
			f->st.rtx_refused++;
			f->st.rtx_malformed++;
			continue;
		}
		request(f, buf, n, &from);
	}
}

int tg_xfeed_poll_fd(const struct tg_xfeed *f)
{
	return f != NULL ? f->rtx_fd : -1;
}

uint16_t tg_xfeed_rtx_port(const struct tg_xfeed *f)
{
	return f->rtx_port;
}

uint16_t tg_xfeed_src_port(const struct tg_xfeed *f)
{
	return f->fp.src_port;
}

uint64_t tg_xfeed_next_seq(const struct tg_xfeed *f)
{
	return f->next_seq;
}

const struct tg_xfeed_stats *tg_xfeed_stats(const struct tg_xfeed *f)
{
	return &f->st;
}

/* ---- setup ---- */

static bool is_multicast(uint32_t addr)
{
	return (addr >> 28) == 0xeu;
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(addr);
	a.sin_port = htons(port);
	return a;
}

/* The sending socket; its local address and port go into the pcap frames. */
static int open_tx(struct tg_xfeed *f, char *err, size_t errlen)
{
	const struct tg_xfeed_config *c = &f->cfg;
	struct sockaddr_in local = sin_of(c->src_addr, c->src_port), unspec;
	socklen_t len = sizeof(local);

	f->tx_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (f->tx_fd < 0) {
		set_err(err, errlen, "%s: %s", "feed socket", errno);
		return TG_ERR_SYS;
	}
	if (is_multicast(c->dst_addr)) {
		unsigned char loop = 1, ttl = 1;
		struct in_addr ifa = { .s_addr = htonl(c->src_addr != 0 ? c->src_addr : INADDR_LOOPBACK) };

		if (setsockopt(f->tx_fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) != 0 ||
		    setsockopt(f->tx_fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) != 0 ||
		    setsockopt(f->tx_fd, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof(ifa)) != 0) {
			set_err(err, errlen, "%s: %s", "multicast options", errno);
			return TG_ERR_SYS;
		}
		/* bind the port only: a socket bound to a unicast address may not send multicast everywhere */
		local.sin_addr.s_addr = htonl(INADDR_ANY);
	}
	if (bind(f->tx_fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
		set_err(err, errlen, "%s: %s", "feed bind", errno);
		return TG_ERR_SYS;
	}
	/*
	 * Connect once to learn the source address the route gives, then
	 * dissolve the association: sendto() on an unconnected socket never
	 * reports an ICMP error from an earlier packet as its own failure.
	 */
	if (connect(f->tx_fd, (const struct sockaddr *)&f->dst, sizeof(f->dst)) != 0 ||
	    getsockname(f->tx_fd, (struct sockaddr *)&local, &len) != 0) {
		set_err(err, errlen, "%s: %s", "feed route", errno);
		return TG_ERR_SYS;
	}
	memset(&unspec, 0, sizeof(unspec));
	unspec.sin_family = AF_UNSPEC;
	if (connect(f->tx_fd, (const struct sockaddr *)&unspec, sizeof(unspec)) != 0) {
		set_err(err, errlen, "%s: %s", "feed disconnect", errno);
		return TG_ERR_SYS;
	}
	f->fp.src_ip = ntohl(local.sin_addr.s_addr);
	if (f->fp.src_ip == 0)
		f->fp.src_ip = c->src_addr != 0 ? c->src_addr : INADDR_LOOPBACK;
	f->fp.src_port = ntohs(local.sin_port);
	return TG_OK;
}

static int open_rtx(struct tg_xfeed *f, char *err, size_t errlen)
{
	const struct tg_xfeed_config *c = &f->cfg;
	struct sockaddr_in local = sin_of(c->rtx_addr != 0 ? c->rtx_addr : INADDR_LOOPBACK, c->rtx_port);
	socklen_t len = sizeof(local);
	int one = 1;

	f->rtx_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (f->rtx_fd < 0) {
		set_err(err, errlen, "%s: %s", "retransmission socket", errno);
		return TG_ERR_SYS;
	}
	if (setsockopt(f->rtx_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(f->rtx_fd, (struct sockaddr *)&local, sizeof(local)) != 0 ||
	    getsockname(f->rtx_fd, (struct sockaddr *)&local, &len) != 0) {
		set_err(err, errlen, "%s: %s", "retransmission bind", errno);
		return TG_ERR_SYS;
	}
	f->rtx_port = ntohs(local.sin_port);
	return TG_OK;
}

static int open_pcap(struct tg_xfeed *f, const char *path, char *err, size_t errlen)
{
	uint8_t h[24];

	f->pcap = fopen(path, "wb");
	if (f->pcap == NULL) {
		set_err(err, errlen, "%s: %s", path, errno);
		return TG_ERR_IO;
	}
	put32le(h, PCAP_MAGIC_NS);
	h[4] = 2;	/* version 2.4, little-endian */
	h[5] = 0;
	h[6] = 4;
	h[7] = 0;
	put32le(h + 8, 0);	/* GMT */
	put32le(h + 12, 0);	/* accuracy */
	put32le(h + 16, PCAP_SNAPLEN);
	put32le(h + 20, LINKTYPE_ETHERNET);
	if (fwrite(h, 1, sizeof(h), f->pcap) != sizeof(h) || fflush(f->pcap) != 0) {
		set_err(err, errlen, "%s: %s", path, errno);
		return TG_ERR_IO;
	}
	return TG_OK;
}

int tg_xfeed_new(const struct tg_xfeed_config *cfg, struct tg_xfeed **out, char *err, size_t errlen)
{
	struct tg_xfeed *f;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (cfg == NULL || out == NULL || cfg->dst_port == 0 || cfg->dst_addr == 0 ||
	    (cfg->max_payload != 0 && (cfg->max_payload < TG_XFEED_MIN_PAYLOAD ||
				       cfg->max_payload > TG_MOLD_MAX_PAYLOAD)) ||
	    (cfg->session != NULL && strlen(cfg->session) > 10)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "feed: bad configuration (destination, payload %u..%u, session)",
				 TG_XFEED_MIN_PAYLOAD, TG_MOLD_MAX_PAYLOAD);
		return TG_ERR_ARG;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return TG_ERR_NOMEM;
	f->cfg = *cfg;
	f->cfg.session = NULL;		/* not kept: the caller's string may go */
	f->cfg.pcap_path = NULL;
	f->tx_fd = -1;
	f->rtx_fd = -1;
	f->next_seq = 1;
	f->published = 1;
	if (f->cfg.store_capacity == 0)
		f->cfg.store_capacity = TG_XFEED_DEFAULT_STORE;
	if (f->cfg.max_payload == 0)
		f->cfg.max_payload = TG_XFEED_DEFAULT_PAYLOAD;
	if (f->cfg.heartbeat_ns == 0)
		f->cfg.heartbeat_ns = TG_XFEED_DEFAULT_HEARTBEAT_NS;
	f->capacity = f->cfg.store_capacity;
	f->store = malloc((size_t)f->capacity * TG_XFEED_MAX_MSG);
	f->store_len = calloc(f->capacity, 1);
	f->order_slots = 1024;
	f->orders = calloc(f->order_slots, sizeof(*f->orders));
	if (f->store == NULL || f->store_len == NULL || f->orders == NULL) {
		tg_xfeed_free(f);
		return TG_ERR_NOMEM;
	}
	tg_mold_frame_defaults(&f->fp, cfg->session != NULL ? cfg->session : "");
	memcpy(f->session, f->fp.session, 10);
	f->fp.dst_ip = cfg->dst_addr;
	f->fp.dst_port = cfg->dst_port;
	if (is_multicast(cfg->dst_addr)) {
		uint8_t mac[6] = { 0x01, 0x00, 0x5e, (uint8_t)(cfg->dst_addr >> 16 & 0x7f),
				   (uint8_t)(cfg->dst_addr >> 8), (uint8_t)cfg->dst_addr };

		memcpy(f->fp.dst_mac, mac, 6);
	} else {
		static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

		memcpy(f->fp.dst_mac, mac, 6);
	}
	f->dst = sin_of(cfg->dst_addr, cfg->dst_port);
	rc = open_tx(f, err, errlen);
	if (rc == TG_OK && (cfg->rtx_port != 0 || cfg->rtx_any_port))
		rc = open_rtx(f, err, errlen);
	if (rc == TG_OK && cfg->pcap_path != NULL)
		rc = open_pcap(f, cfg->pcap_path, err, errlen);
	if (rc != TG_OK) {
		tg_xfeed_free(f);
		return rc;
	}
	*out = f;
	return TG_OK;
}

void tg_xfeed_free(struct tg_xfeed *f)
{
	if (f == NULL)
		return;
	if (f->tx_fd >= 0)
		close(f->tx_fd);
	if (f->rtx_fd >= 0)
		close(f->rtx_fd);
	if (f->pcap != NULL)
		fclose(f->pcap);
	free(f->store);
	free(f->store_len);
	free(f->orders);
	free(f->symbols);
	free(f);
}
