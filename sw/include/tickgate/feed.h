/*
 * The market-data feed decoder: Ethernet II with an optional 802.1Q tag,
 * IPv4, UDP, MoldUDP64 and ITCH 5.0 framing, in C. It is the reference the
 * card's feed pipeline is tested against, the decoder the host tools use,
 * and it defines the semantics both share:
 *
 *   - Every frame in ends as exactly one of: parsed, or dropped for one
 *     named reason (enum tg_feed_drop). frames == parsed + sum(dropped).
 *   - Inside a parsed MoldUDP64 packet each message block is delivered, or
 *     skipped and counted (unknown type, length not the specified one,
 *     already seen); a block that runs past the packet (MSG_OVERRUN) or is
 *     shorter than the shortest ITCH message (MSG_RUNT) breaks the framing:
 *     the rest of the packet is dropped (the frame counts as dropped) after
 *     the blocks before it were delivered. (With blocks of at least 12
 *     bytes, an 8-byte datapath sees at most one block start per beat.)
 *   - With sequence checking on, the first packet sets the session and the
 *     next expected sequence number; packets of another session are
 *     dropped; a jump forward is a gap (reported, then followed); packets
 *     wholly seen before are dropped as duplicates, partly seen ones
 *     deliver only their new messages. That is what merging an A/B feed
 *     pair needs.
 *   - Gap hold (seq_check and gap_hold): a packet beyond the next expected
 *     sequence number is dropped (MOLD_AHEAD) instead of followed, and the
 *     gap (next expected .. the packet's sequence number - 1) is reported
 *     once, when the hold starts. The stream resumes when the missing
 *     messages arrive, e.g. from a MoldUDP64 retransmission; the packets
 *     dropped meanwhile form the next gap. The book never misses a message.
 *   - Capture-analysis mode (seq_check off, accept_all on) decodes captures
 *     whose headers were sanitized: no sequencing, no port filter, and an
 *     IPv4 header checksum of exactly zero is accepted.
 */
#ifndef TICKGATE_FEED_H
#define TICKGATE_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/result.h"

#define TG_FEED_FILTERS 8u
#define TG_FEED_MAX_FRAME 1522u	/* 1500-byte IP + 802.1Q Ethernet header + FCS */
#define TG_FEED_MIN_BLOCK 12u	/* the shortest ITCH 5.0 message */

enum tg_feed_drop {
	TG_FEED_DROP_RUNT,		/* too short for the Ethernet header */
	TG_FEED_DROP_JUMBO,		/* longer than TG_FEED_MAX_FRAME */
	TG_FEED_DROP_NOT_IPV4,		/* EtherType (after one 802.1Q tag) is not IPv4 */
	TG_FEED_DROP_IP_HEADER,		/* bad version, header length or total length */
	TG_FEED_DROP_IP_TRUNCATED,	/* the frame ends before the IP total length */
	TG_FEED_DROP_IP_CHECKSUM,	/* header checksum mismatch */
	TG_FEED_DROP_IP_FRAGMENT,	/* fragments are not reassembled */
	TG_FEED_DROP_NOT_UDP,
	TG_FEED_DROP_UDP_LENGTH,	/* UDP length shorter than 8 or past the IP payload */
	TG_FEED_DROP_UDP_FILTER,	/* destination not in the filter table */
	TG_FEED_DROP_MOLD_SHORT,	/* UDP payload shorter than the MoldUDP64 header */
	TG_FEED_DROP_MOLD_SESSION,	/* another session than the one followed */
	TG_FEED_DROP_MOLD_DUPLICATE,	/* every message already seen */
	TG_FEED_DROP_MSG_OVERRUN,	/* a message block runs past the packet */
	TG_FEED_DROP_MSG_RUNT,		/* a block shorter than any ITCH message (12 bytes) */
	TG_FEED_DROP_MOLD_AHEAD,	/* gap hold: beyond the next expected sequence number */
	TG_FEED_DROP_COUNT
};

struct tg_feed_filter {
	uint32_t addr;	/* IPv4 destination, host order; 0 = any */
	uint16_t port;	/* UDP destination port */
};

struct tg_feed_config {
	bool seq_check;		/* MoldUDP64 session/sequence checking */
	bool gap_hold;		/* at a gap, wait for the missing messages (needs seq_check) */
	bool accept_all;	/* ignore the filter table */
	unsigned n_filters;
	struct tg_feed_filter filters[TG_FEED_FILTERS];
};

struct tg_feed_stats {
	uint64_t frames;
	uint64_t parsed;			/* frames fully framed */
	uint64_t dropped[TG_FEED_DROP_COUNT];
	uint64_t packets;			/* MoldUDP64 packets taken (heartbeats included) */
	uint64_t heartbeats;
	uint64_t end_of_session;
	uint64_t trailing_bytes;		/* packets with bytes after their last block */
	uint64_t messages;			/* messages delivered */
	uint64_t by_type[256];			/* delivered messages per type byte */
	uint64_t unknown_type;			/* blocks skipped: type not in ITCH 5.0 */
	uint64_t bad_length;			/* blocks skipped: not the type's length */
	uint64_t duplicate_messages;		/* blocks skipped: already seen */
	uint64_t gaps;				/* gap events */
	uint64_t gap_messages;			/* messages missing in gaps */
	uint64_t length_prefix_fixed;		/* binary ITCH files: wrong prefixes overridden */
};

/* Where a delivered message came from. */
struct tg_feed_meta {
	uint64_t seq;		/* MoldUDP64 sequence number (files: 1, 2, ...) */
	uint64_t frame_no;	/* 1-based frame index (files: 0) */
	uint64_t ts_ns;		/* capture time of the frame (files: 0) */
	uint8_t session[10];
	uint16_t udp_dport;
	uint32_t ip_dst;
};

struct tg_feed_handlers {
	void (*message)(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta);
	/* messages first..last (inclusive) of the followed session were not seen */
	void (*gap)(void *ctx, uint64_t first, uint64_t last);
	void *ctx;
};

struct tg_feed {
	struct tg_feed_config cfg;
	struct tg_feed_handlers h;
	struct tg_feed_stats stats;
	bool have_session;
	uint8_t session[10];
	uint64_t next_seq;
	bool holding;		/* gap hold: waiting for next_seq */
};

TG_API const char *tg_feed_drop_name(enum tg_feed_drop reason);

/* Analysis mode when cfg is NULL (seq_check off, accept_all on). */
TG_API void tg_feed_init(struct tg_feed *feed, const struct tg_feed_config *cfg,
			 const struct tg_feed_handlers *handlers);

/* Decode one Ethernet frame (no FCS). */
TG_API void tg_feed_frame(struct tg_feed *feed, const uint8_t *frame, size_t len, uint64_t ts_ns);

/* Decode the UDP payload of one MoldUDP64 packet (the part after UDP). */
TG_API void tg_feed_mold_packet(struct tg_feed *feed, const uint8_t *p, size_t len,
				struct tg_feed_meta *meta);

/*
 * Decode a whole file: a pcap (any precision, Ethernet) or a Nasdaq binary
 * ITCH file (2-byte big-endian length before each message; the type's
 * specified length wins over a wrong or zero prefix, counted in
 * length_prefix_fixed). On error err holds a one-line reason naming the
 * file (and the byte offset for a damaged ITCH file).
 */
TG_API TG_MUST_CHECK int tg_feed_file(struct tg_feed *feed, const char *path, char *err, size_t errlen);

/* true when path starts like a pcap or pcapng file */
TG_API bool tg_feed_is_pcap(const char *path);

#endif
