/*
 * Feed decoder: Ethernet/802.1Q/IPv4/UDP/MoldUDP64/ITCH 5.0 framing. The
 * semantics (what is delivered, what is dropped for which reason) are
 * documented in tickgate/feed.h; the card's pipeline implements the same.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tickgate/feed.h"
#include "tickgate/itch50.h"
#include "tickgate/pcap_frames.h"

#define ETH_HDR 14u
#define VLAN_TAG 4u
#define ETHERTYPE_VLAN 0x8100u
#define ETHERTYPE_IPV4 0x0800u
#define IPPROTO_UDP_ 17u
#define UDP_HDR 8u
#define MOLD_HDR 20u
#define MOLD_END_OF_SESSION 0xffffu

static const char *const drop_names[TG_FEED_DROP_COUNT] = {
	[TG_FEED_DROP_RUNT] = "runt",
	[TG_FEED_DROP_JUMBO] = "jumbo",
	[TG_FEED_DROP_NOT_IPV4] = "not_ipv4",
	[TG_FEED_DROP_IP_HEADER] = "ip_header",
	[TG_FEED_DROP_IP_TRUNCATED] = "ip_truncated",
	[TG_FEED_DROP_IP_CHECKSUM] = "ip_checksum",
	[TG_FEED_DROP_IP_FRAGMENT] = "ip_fragment",
	[TG_FEED_DROP_NOT_UDP] = "not_udp",
	[TG_FEED_DROP_UDP_LENGTH] = "udp_length",
	[TG_FEED_DROP_UDP_FILTER] = "udp_filter",
	[TG_FEED_DROP_MOLD_SHORT] = "mold_short",
	[TG_FEED_DROP_MOLD_SESSION] = "mold_session",
	[TG_FEED_DROP_MOLD_DUPLICATE] = "mold_duplicate",
	[TG_FEED_DROP_MSG_OVERRUN] = "msg_overrun",
	[TG_FEED_DROP_MSG_RUNT] = "msg_runt",
	[TG_FEED_DROP_MOLD_AHEAD] = "mold_ahead",
};

const char *tg_feed_drop_name(enum tg_feed_drop reason)
{
	return (unsigned)reason < TG_FEED_DROP_COUNT ? drop_names[reason] : "unknown";
}

void tg_feed_init(struct tg_feed *f, const struct tg_feed_config *cfg, const struct tg_feed_handlers *h)
{
	memset(f, 0, sizeof(*f));
	if (cfg != NULL) {
		f->cfg = *cfg;
		if (f->cfg.n_filters > TG_FEED_FILTERS)
			f->cfg.n_filters = TG_FEED_FILTERS;
	} else {
		f->cfg.accept_all = true;
	}
	if (h != NULL)
		f->h = *h;
}

static void drop(struct tg_feed *f, enum tg_feed_drop reason)
{
	f->stats.dropped[reason]++;
}

static uint16_t ip_checksum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static bool filter_pass(const struct tg_feed *f, uint32_t dst, uint16_t port)
{
	if (f->cfg.accept_all)
		return true;
	for (unsigned i = 0; i < f->cfg.n_filters; i++)
		if (f->cfg.filters[i].port == port && (f->cfg.filters[i].addr == 0 || f->cfg.filters[i].addr == dst))
			return true;
	return false;
}

/*
 * Frame the message blocks of a packet: plen bytes by the UDP length, of
 * which avail are in the frame (a truncated frame has fewer). Deliver the
 * blocks from index `skip` on. *framed is the number of blocks framed; the
 * result is TG_FEED_DROP_COUNT when all were, else the reason the framing
 * broke (IP_TRUNCATED when the frame ended first).
 */
static enum tg_feed_drop frame_blocks(struct tg_feed *f, const uint8_t *p, size_t plen, size_t avail,
				      unsigned count, unsigned skip, struct tg_feed_meta *meta, uint64_t first_seq,
				      unsigned *framed)
{
	size_t off = 0;

	*framed = 0;
	for (unsigned i = 0; i < count; i++) {
		if (off + 2 > plen)
			return TG_FEED_DROP_MSG_OVERRUN;
		if (off + 2 > avail)
			return TG_FEED_DROP_IP_TRUNCATED;
		size_t blen = (size_t)tg_be(p + off, 2);

		if (blen < TG_FEED_MIN_BLOCK)
			return TG_FEED_DROP_MSG_RUNT;
		if (off + 2 + blen > plen)
			return TG_FEED_DROP_MSG_OVERRUN;
		if (off + 2 + blen > avail)
			return TG_FEED_DROP_IP_TRUNCATED;
		*framed = i + 1;
		const uint8_t *msg = p + off + 2;

		off += 2 + blen;
		if (i < skip) {
			f->stats.duplicate_messages++;
			continue;
		}
		const struct tg_itch_type *t = tg_itch_type(msg[0]);

		if (t != NULL && t->length != blen) {
			f->stats.bad_length++;
			continue;
		}
		if (t == NULL) {
			f->stats.unknown_type++;
			continue;
		}
		f->stats.messages++;
		f->stats.by_type[msg[0]]++;
		meta->seq = first_seq + i;
		if (f->h.message != NULL)
			f->h.message(f->h.ctx, msg, blen, meta);
	}
	if (off < plen)
		f->stats.trailing_bytes++;
	return TG_FEED_DROP_COUNT;
}

/*
 * One MoldUDP64 packet: len bytes by the UDP length, avail of them present.
 * Returns TG_FEED_DROP_COUNT when the packet was taken and fully framed,
 * else the drop reason (the caller counts it).
 */
static enum tg_feed_drop mold_packet(struct tg_feed *f, const uint8_t *p, size_t len, size_t avail,
				     struct tg_feed_meta *meta)
{
	uint64_t seq;
	unsigned count, skip = 0;

	if (len < MOLD_HDR)
		return TG_FEED_DROP_MOLD_SHORT;
	if (avail < MOLD_HDR)
		return TG_FEED_DROP_IP_TRUNCATED;
	memcpy(meta->session, p, 10);
	seq = tg_be(p + 10, 8);
	count = (unsigned)tg_be(p + 18, 2);
	if (f->cfg.seq_check) {
		if (!f->have_session) {
			memcpy(f->session, p, 10);
			f->have_session = true;
			f->next_seq = seq;
		} else if (memcmp(f->session, p, 10) != 0) {
			return TG_FEED_DROP_MOLD_SESSION;
		}
		if (seq > f->next_seq && f->cfg.gap_hold) {
			/* wait for the missing messages; report the gap once per hold */
			if (!f->holding) {
				f->holding = true;
				f->stats.gaps++;
				f->stats.gap_messages += seq - f->next_seq;
				if (f->h.gap != NULL)
					f->h.gap(f->h.ctx, f->next_seq, seq - 1);
			}
			return TG_FEED_DROP_MOLD_AHEAD;
		}
		if (seq > f->next_seq) {
			f->stats.gaps++;
			f->stats.gap_messages += seq - f->next_seq;
			if (f->h.gap != NULL)
				f->h.gap(f->h.ctx, f->next_seq, seq - 1);
			f->next_seq = seq;
		}
		if (count != 0 && count != MOLD_END_OF_SESSION) {
			if (seq + count <= f->next_seq)
				return TG_FEED_DROP_MOLD_DUPLICATE;
			skip = (unsigned)(f->next_seq - seq);
			f->holding = false;	/* new messages: the hold is over */
		}
	}
	f->stats.packets++;
	if (count == 0) {
		f->stats.heartbeats++;
		return TG_FEED_DROP_COUNT;
	}
	if (count == MOLD_END_OF_SESSION) {
		f->stats.end_of_session++;
		return TG_FEED_DROP_COUNT;
	}
	unsigned framed;
	enum tg_feed_drop broken = frame_blocks(f, p + MOLD_HDR, len - MOLD_HDR, avail - MOLD_HDR, count, skip,
						meta, seq, &framed);

	/* On a break the blocks before it were delivered and the rest is lost:
	 * sequencing advances past what was framed only, so a retransmission fills it. */
	if (f->cfg.seq_check && seq + framed > f->next_seq)
		f->next_seq = seq + framed;
	return broken;
}

void tg_feed_mold_packet(struct tg_feed *f, const uint8_t *p, size_t len, struct tg_feed_meta *meta)
{
	enum tg_feed_drop r;

	f->stats.frames++;
	r = mold_packet(f, p, len, len, meta);
	if (r == TG_FEED_DROP_COUNT)
		f->stats.parsed++;
	else
		drop(f, r);
}

/*
 * The headers, checked in the order their bytes arrive (what the card can
 * decide before the first message block). Returns TG_FEED_DROP_COUNT when
 * they pass and sets the UDP payload bounds.
 */
static enum tg_feed_drop headers(struct tg_feed *f, const uint8_t *fr, size_t len, struct tg_feed_meta *meta,
				 size_t *udp_pay, size_t *udp_pay_len, size_t *ip_end)
{
	size_t l2 = ETH_HDR;
	unsigned ethertype;

	if (len < ETH_HDR)
		return TG_FEED_DROP_RUNT;
	ethertype = (unsigned)tg_be(fr + 12, 2);
	if (ethertype == ETHERTYPE_VLAN) {
		if (len < ETH_HDR + VLAN_TAG)
			return TG_FEED_DROP_RUNT;
		ethertype = (unsigned)tg_be(fr + 16, 2);
		l2 += VLAN_TAG;
	}
	if (ethertype != ETHERTYPE_IPV4)
		return TG_FEED_DROP_NOT_IPV4;
	const uint8_t *ip = fr + l2;
	size_t avail = len - l2;

	if (avail < 20 || (ip[0] >> 4) != 4 || (ip[0] & 15) < 5)
		return TG_FEED_DROP_IP_HEADER;
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	size_t total = (size_t)tg_be(ip + 2, 2);

	if (total < ihl)
		return TG_FEED_DROP_IP_HEADER;
	if (l2 + total > TG_FEED_MAX_FRAME)	/* cannot fit in a frame */
		return TG_FEED_DROP_JUMBO;
	if (ihl > avail)
		return TG_FEED_DROP_IP_TRUNCATED;
	uint16_t stored = (uint16_t)tg_be(ip + 10, 2);

	if (ip_checksum(ip, ihl) != 0 && !(stored == 0 && !f->cfg.seq_check && f->cfg.accept_all))
		return TG_FEED_DROP_IP_CHECKSUM;
	if ((tg_be(ip + 6, 2) & 0x3fff) != 0)	/* MF flag or a fragment offset */
		return TG_FEED_DROP_IP_FRAGMENT;
	if (ip[9] != IPPROTO_UDP_)
		return TG_FEED_DROP_NOT_UDP;
	size_t ip_payload = total - ihl;

	if (ip_payload < UDP_HDR)
		return TG_FEED_DROP_UDP_LENGTH;
	if (ihl + UDP_HDR > avail)
		return TG_FEED_DROP_IP_TRUNCATED;
	const uint8_t *udp = ip + ihl;
	size_t ulen = (size_t)tg_be(udp + 4, 2);

	if (ulen < UDP_HDR || ulen > ip_payload)
		return TG_FEED_DROP_UDP_LENGTH;
	meta->ip_dst = (uint32_t)tg_be(ip + 16, 4);
	meta->udp_dport = (uint16_t)tg_be(udp + 2, 2);
	if (!filter_pass(f, meta->ip_dst, meta->udp_dport))
		return TG_FEED_DROP_UDP_FILTER;
	*udp_pay = l2 + ihl + UDP_HDR;
	*udp_pay_len = ulen - UDP_HDR;
	*ip_end = l2 + total;
	return TG_FEED_DROP_COUNT;
}

/*
 * Cut-through, as the card: headers first; then the blocks, each delivered
 * as soon as it is complete; then what only the frame's end tells (a frame
 * shorter than its IP length, or longer than the maximum).
 */
static enum tg_feed_drop frame(struct tg_feed *f, const uint8_t *fr, size_t len, struct tg_feed_meta *meta)
{
	size_t pay = 0, pay_len = 0, ip_end = 0;
	enum tg_feed_drop r = headers(f, fr, len, meta, &pay, &pay_len, &ip_end);

	if (r != TG_FEED_DROP_COUNT)
		return r;
	r = mold_packet(f, fr + pay, pay_len, len - pay, meta);
	if (r != TG_FEED_DROP_COUNT)
		return r;
	if (ip_end > len)
		return TG_FEED_DROP_IP_TRUNCATED;
	if (len > TG_FEED_MAX_FRAME)
		return TG_FEED_DROP_JUMBO;
	return TG_FEED_DROP_COUNT;
}

void tg_feed_frame(struct tg_feed *f, const uint8_t *fr, size_t len, uint64_t ts_ns)
{
	struct tg_feed_meta meta;

	memset(&meta, 0, sizeof(meta));
	f->stats.frames++;
	meta.frame_no = f->stats.frames;
	meta.ts_ns = ts_ns;
	enum tg_feed_drop r = frame(f, fr, len, &meta);

	if (r == TG_FEED_DROP_COUNT)
		f->stats.parsed++;
	else
		drop(f, r);
}

bool tg_feed_is_pcap(const char *path)
{
	uint8_t m[4];
	FILE *fp = fopen(path, "rb");
	bool yes = false;

	if (fp == NULL)
		return false;
	if (fread(m, 1, 4, fp) == 4) {
		uint32_t le = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;

		yes = le == 0xa1b2c3d4u || le == 0xd4c3b2a1u || le == 0xa1b23c4du || le == 0x4d3cb2a1u ||
		      le == 0x0a0d0d0au;
	}
	fclose(fp);
	return yes;
}

static int itch_file(struct tg_feed *f, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	uint8_t msg[65536];	/* the longest a 2-byte length prefix can say */
	uint8_t pfx[2];
	uint64_t off = 0, seq = 0;
	struct tg_feed_meta meta;
	int rc = TG_OK;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return TG_ERR_NOENT;
	}
	memset(&meta, 0, sizeof(meta));
	for (;;) {
		size_t n = fread(pfx, 1, 2, fp);

		if (n == 0)
			break;
		if (n != 2 || fread(msg, 1, 1, fp) != 1) {
			snprintf(err, errlen, "%s: offset %llu: file ends inside a message", path,
				 (unsigned long long)off);
			rc = TG_ERR_IO;
			break;
		}
		unsigned plen = (unsigned)tg_be(pfx, 2);
		const struct tg_itch_type *t = tg_itch_type(msg[0]);
		unsigned mlen = t != NULL ? t->length : plen;

		if (t == NULL && plen == 0) {
			snprintf(err, errlen, "%s: offset %llu: unknown type 0x%02x with a zero length: cannot resync",
				 path, (unsigned long long)off, msg[0]);
			rc = TG_ERR_IO;
			break;
		}
		if (t != NULL && plen != t->length)
			f->stats.length_prefix_fixed++;	/* the specified length is authoritative */
		if (mlen > 1 && fread(msg + 1, 1, mlen - 1, fp) != mlen - 1) {
			snprintf(err, errlen, "%s: offset %llu: file ends inside a '%c' message", path,
				 (unsigned long long)off, msg[0] >= 0x20 && msg[0] < 0x7f ? msg[0] : '?');
			rc = TG_ERR_IO;
			break;
		}
		off += 2 + mlen;
		seq++;
		if (t == NULL) {
			f->stats.unknown_type++;
			continue;
		}
		f->stats.messages++;
		f->stats.by_type[msg[0]]++;
		meta.seq = seq;
		if (f->h.message != NULL)
			f->h.message(f->h.ctx, msg, mlen, &meta);
	}
	fclose(fp);
	return rc;
}

int tg_feed_file(struct tg_feed *f, const char *path, char *err, size_t errlen)
{
	struct tg_pcap_reader *r;
	struct tg_pcap_frame fr;
	int rc;

	if (f == NULL || path == NULL || (err == NULL && errlen != 0))
		return TG_ERR_ARG;
	if (!tg_feed_is_pcap(path))
		return itch_file(f, path, err, errlen);
	rc = tg_pcap_open(path, &r, err, errlen);
	if (rc != TG_OK)
		return rc;
	while ((rc = tg_pcap_next(r, &fr)) == 1)
		tg_feed_frame(f, fr.data, fr.caplen, fr.ts_ns);
	tg_pcap_close(r);
	if (rc < 0) {
		snprintf(err, errlen, "%s: damaged capture after frame %llu", path,
			 (unsigned long long)f->stats.frames);
		return TG_ERR_IO;
	}
	return TG_OK;
}
