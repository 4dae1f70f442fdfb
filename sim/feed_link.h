/*
 * The simulated card's market-data link: what a board's Ethernet port and
 * the host's feed recovery do for a real card, done by tickgate-sim over
 * real UDP sockets (`--feed-udp ADDR:PORT`, `--feed-retrans HOST:PORT`).
 *
 *   - Every MoldUDP64 datagram received on ADDR:PORT (a unicast address
 *     of this host, or a multicast group joined on the loopback
 *     interface) goes into the card's network port as the Ethernet/IPv4/
 *     UDP frame it arrived in: destination ADDR:PORT, source the sender's.
 *   - The card sequences the stream (FEED_CONTROL.SEQ_CHECK). With
 *     --feed-retrans the link also sets FEED_CONTROL.GAP_HOLD, so at a
 *     gap the card holds instead of following, and recovers what the
 *     card is missing: when FEED_STATUS.HOLDING is set, it sends a
 *     MoldUDP64 request packet (session, FEED_NEXT_SEQ, count up to the
 *     last message the link has seen) to the retransmission server, and
 *     the answers go into the card like any packet, framed with the feed's
 *     destination (on a board the server would answer to the card's own
 *     address). A request that brings nothing is repeated after
 *     RETRY_NS. So the card's book never misses a message: the gap costs
 *     latency, not correctness.
 *   - A receiver thread reads both sockets into a queue (datagrams beyond
 *     its capacity are dropped and counted: the card sees a gap and the
 *     recovery fetches them) and wakes the simulator the way a client
 *     process does (tickgate/simshm.h); the card model is only touched on
 *     the simulator's main thread.
 *   - Its state, counters and last error are published in the segment
 *     (struct tg_simshm_feed) for `tickgate status`.
 */
#ifndef TG_FEED_LINK_H
#define TG_FEED_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card_model.h"
#include "tickgate/simshm.h"

struct feed_link_config {
	const char *listen;	/* ADDR:PORT to receive the feed on */
	const char *retrans;	/* HOST:PORT of the MoldUDP64 request server, or NULL */
	bool quiet;		/* log only failures */
	struct tg_simshm *shm;	/* wake-up futex and the published state (shm->feed) */
};

struct feed_link_stats {
	uint64_t datagrams;		/* feed datagrams received */
	uint64_t retrans_datagrams;	/* answers to requests received */
	uint64_t queue_drops;		/* datagrams dropped: the queue was full */
	uint64_t malformed;		/* shorter than a MoldUDP64 header, or too long for a frame */
	uint64_t frames;		/* frames pushed into the card */
	uint64_t requests;		/* retransmission requests sent */
	uint64_t send_errors;		/* requests the kernel refused to send */
	uint64_t requested_messages;
	uint64_t holds;			/* times the card was found holding at a gap */
};

struct feed_link;

/* 0, or -1 with a one-line reason in err. */
int feed_link_new(const struct feed_link_config *cfg, struct feed_link **out, char *err, size_t errlen);

/* The card is ready: set FEED_CONTROL (sequencing, accept all, gap hold with --feed-retrans). */
int feed_link_set_card(struct feed_link *l, struct tg_card_model *cm, char *err, size_t errlen);

/* Move queued datagrams into the card, check the card's gap hold, send requests. True when it did something. */
bool feed_link_service(struct feed_link *l, int64_t now_ns);

/* ns until the link has something to do without new datagrams (a request retry); -1: nothing. */
int64_t feed_link_next_ns(const struct feed_link *l, int64_t now_ns);

void feed_link_stats(const struct feed_link *l, struct feed_link_stats *out);

/* Copy the state, counters and last error into the segment (main thread). */
void feed_link_publish(struct feed_link *l);

void feed_link_free(struct feed_link *l);

#endif
