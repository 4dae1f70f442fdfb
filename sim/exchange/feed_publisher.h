/*
 * The simulated exchange's market-data feed (tickgate-exchange): ITCH 5.0
 * messages in MoldUDP64 packets over UDP, a retransmission service, and a
 * pcap of what was published.
 *
 * Sequencing. Every message appended gets the next MoldUDP64 sequence
 * number, from 1. Messages collect in one packet of at most max_payload
 * bytes of UDP payload (the 20-byte MoldUDP64 header included); the packet
 * goes out when the next message does not fit, at once when not even the
 * shortest ITCH message (12 bytes) would fit any more, or when the caller
 * flushes. A heartbeat (count 0, sequence number = the next one to be
 * given) goes out from tg_xfeed_tick() when no feed packet was sent for
 * heartbeat_ns (1 s), and at the first tick when none was ever sent, so a
 * receiver learns the session at once. tg_xfeed_end() sends what is
 * pending and then End of Session (count 0xFFFF, the next sequence
 * number); afterwards messages are refused (TG_ERR_STATE) and each tick
 * repeats End of Session every heartbeat_ns instead of a heartbeat, so a
 * receiver that lost it still learns it.
 *
 * Time. now_ns is the caller's clock (the exchange's ns since midnight):
 * it decides heartbeats and is never read from the system, so tests drive
 * it explicitly. tg_xfeed_end() and tg_xfeed_match_event() use the latest
 * now_ns the feed was given (and the event's ts_ns for the messages).
 *
 * Destination. Unicast, or multicast (224.0.0.0/4): then the socket gets
 * IP_MULTICAST_LOOP on, TTL 1 and IP_MULTICAST_IF src_addr (0: 127.0.0.1,
 * so a receiver on the same host joined on the loopback interface hears
 * it). Send errors (no listener, full buffers) are counted, never fatal:
 * UDP gives no delivery guarantee and the exchange keeps going.
 *
 * Store and retransmission. The last store_capacity messages published are
 * kept (older ones are dropped as new ones arrive). With a request port,
 * a UDP socket is bound to rtx_addr:rtx_port (127.0.0.1 unless given). A
 * request is exactly 20 bytes: the 10-byte session, the 8-byte first
 * sequence number and the 2-byte message count, big-endian (the
 * MoldUDP64 request packet). It is answered, to the address it came from,
 * with MoldUDP64 packets (same session, each within max_payload) holding
 * the messages of [seq, seq + count) the store still holds and that were
 * already published; messages still waiting in an unsent packet are not
 * published yet. Refused (counted in rtx_refused and one of the reasons
 * below), with these answers:
 *   - malformed (not 20 bytes, or count 0): no answer;
 *   - another session: no answer;
 *   - part of the range not held (older than the store, or not published
 *     yet): the part that is held is sent, and nothing when none is. The
 *     requester sees where the answer starts and learns the rest is gone.
 * Retransmitted packets are not in the pcap and never dropped by the loss
 * injection. The caller's poll(2) loop watches tg_xfeed_poll_fd() for
 * input and calls tg_xfeed_service(), which answers every request waiting.
 *
 * Loss injection (tests). A data packet (count > 0; heartbeats and End of
 * Session are never dropped) holding message loss.drop_seq, and every
 * loss.drop_every-th data packet, is not sent on UDP. It is still
 * published in every other sense: its messages are in the store (so a
 * retransmission request gets them) and the packet is in the pcap, which
 * is the exchange's own record of the stream, taken before the lossy
 * network. That is what lets a test show a receiver detecting the gap and
 * filling it by retransmission.
 *
 * pcap. Every feed packet (data, heartbeat, End of Session; dropped ones
 * too, retransmissions not) as an Ethernet/IPv4/UDP frame (tg_mold_frame),
 * nanosecond timestamps, link type Ethernet; from the sending socket's
 * address and port to the destination (MAC 02:00:00:00:00:01 to
 * 02:00:00:00:00:02, or the multicast MAC of the group). Timestamps are
 * the real send time (CLOCK_REALTIME), or pcap_epoch_ns + now_ns with
 * pcap_feed_clock for byte-identical deterministic runs. The file is
 * flushed after every frame, so it can be read while the exchange runs.
 * tshark decodes it with `-d udp.port==PORT,moldudp64`.
 *
 * Matching-engine events (tickgate/match.h) to ITCH, so that the book a
 * receiver builds from the feed always equals the engine's displayed book:
 *   - ADD: displayed → A (F when the order has an MPID); hidden → nothing.
 *   - EXECUTE: of a displayed resting order → E (the engine's match
 *     number); of a hidden one → P with order reference 0 and side 'B', as
 *     Nasdaq publishes it, the resting order's price and the stock.
 *   - CANCEL of a displayed order: X (the shares canceled) while some
 *     remain, D when none do; of a hidden one: nothing.
 *   - REPLACE: the old order leaves the book at once; the new order first
 *     trades as an incoming order (its fills are EXECUTE events of the
 *     resting orders it meets, published as above), and only what is left
 *     rests. So the feed holds a replace until its outcome is known (the
 *     next event that is not one of its fills, its own CANCEL, or any later
 *     call on the feed) and then publishes, at the replace's time:
 *       displayed → displayed: U with the shares that rest, or D of the
 *         old order when nothing rests (all of it traded);
 *       displayed → hidden: D of the old order (at once), nothing for the
 *         new one;
 *       hidden → displayed: nothing for the old one, A (F with an MPID) of
 *         the new reference with the shares that rest, if any;
 *       hidden → hidden: nothing.
 *     The old order's side, MPID and displayed state come from what the
 *     feed tracked of it; a reference it never saw counts as not displayed.
 *   - EXPIRE: nothing (the order never rested).
 *   - HALT: H, state 'H' (halted) or 'T' (trading), reason blank.
 * A replace that only reduces (same price, fewer shares) reaches the feed
 * as a CANCEL, hence X. To do this the feed tracks every resting order
 * the engine reported (a hash table by reference).
 *
 * Day: tg_xfeed_start_of_day() publishes S 'O' (start of messages), then per
 * instrument R (locate = index + 1) and H 'T' (Nasdaq sends every stock's
 * trading state in the morning), then S 'S' and S 'Q';
 * tg_xfeed_end_of_day() publishes S 'M', 'E', 'C'.
 *
 * Single-threaded: one thread calls everything.
 */
#ifndef TG_EXCHANGE_FEED_PUBLISHER_H
#define TG_EXCHANGE_FEED_PUBLISHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/match.h"
#include "tickgate/result.h"

#define TG_XFEED_MAX_MSG 64u			/* bytes of one message at most (ITCH 5.0: 50) */
#define TG_XFEED_DEFAULT_PAYLOAD 1400u
#define TG_XFEED_MIN_PAYLOAD (20u + 2u + TG_XFEED_MAX_MSG)
#define TG_XFEED_DEFAULT_STORE 262144u
#define TG_XFEED_DEFAULT_HEARTBEAT_NS 1000000000ull
#define TG_XFEED_SYMBOLS_MAX 65535u

struct tg_xfeed_loss {
	uint64_t drop_seq;	/* drop the data packet holding this message; 0: none */
	uint32_t drop_every;	/* drop every K-th data packet (K, 2K, ...); 0: none */
};

struct tg_xfeed_config {
	const char *session;	/* MoldUDP64 session: up to 10 characters, space padded */
	uint32_t dst_addr;	/* IPv4, host order: unicast or multicast */
	uint16_t dst_port;
	uint32_t src_addr;	/* bind the sending socket here (0: any); multicast: the interface (0: 127.0.0.1) */
	uint16_t src_port;	/* 0: any free port */
	uint32_t rtx_addr;	/* retransmission requests: bind address (0: 127.0.0.1) */
	uint16_t rtx_port;	/* 0: no retransmission service (unless rtx_any_port) */
	bool rtx_any_port;	/* with rtx_port 0: bind a free port (tests); tg_xfeed_rtx_port() tells which */
	uint32_t store_capacity;	/* messages kept for retransmission; 0: TG_XFEED_DEFAULT_STORE */
	unsigned max_payload;	/* UDP payload of a packet, MoldUDP64 header included; 0: 1400;
				 * TG_XFEED_MIN_PAYLOAD..1472 */
	uint64_t heartbeat_ns;	/* 0: 1 s */
	const char *pcap_path;	/* NULL: no pcap */
	bool pcap_feed_clock;	/* pcap timestamps pcap_epoch_ns + now_ns instead of the real time */
	uint64_t pcap_epoch_ns;
	struct tg_xfeed_loss loss;
};

struct tg_xfeed_stats {
	uint64_t messages;		/* messages given sequence numbers */
	uint64_t packets;		/* feed packets sent on UDP: data, heartbeats, End of Session */
	uint64_t bytes;			/* UDP payload bytes of those */
	uint64_t heartbeats;
	uint64_t end_of_session;
	uint64_t dropped;		/* data packets not sent: loss injection */
	uint64_t send_errors;		/* sends the kernel refused (feed and retransmission) */
	uint64_t rtx_requests;		/* requests received */
	uint64_t rtx_packets;		/* packets sent in answer */
	uint64_t rtx_messages;		/* messages retransmitted */
	uint64_t rtx_refused;		/* requests not answered in full: the three below */
	uint64_t rtx_malformed;
	uint64_t rtx_wrong_session;
	uint64_t rtx_not_held;
	uint64_t pcap_frames;
	bool pcap_failed;		/* a write failed: the pcap is incomplete */
	uint64_t orders;		/* resting orders the feed tracks now */
	uint64_t untracked;		/* orders published but not tracked: out of memory (later
					 * events about them may be published wrongly) */
};

struct tg_xfeed;

/*
 * A feed: sockets made (and bound), pcap created with its header. On error
 * nothing is left open and err holds a one-line reason. TG_ERR_ARG for a
 * config out of range, TG_ERR_SYS for a socket call that failed,
 * TG_ERR_IO for the pcap, TG_ERR_NOMEM.
 */
TG_MUST_CHECK int tg_xfeed_new(const struct tg_xfeed_config *cfg, struct tg_xfeed **out, char *err,
			       size_t errlen);
/* Close sockets and pcap (no End of Session is sent); NULL is ignored. */
void tg_xfeed_free(struct tg_xfeed *feed);

/*
 * Append one message (1..TG_XFEED_MAX_MSG bytes). TG_OK; TG_ERR_ARG for a
 * length out of range; TG_ERR_STATE after tg_xfeed_end().
 */
TG_MUST_CHECK int tg_xfeed_message(struct tg_xfeed *feed, const uint8_t *msg, size_t len, uint64_t now_ns);
/* Send the partly filled packet, if any (and a held replace first). */
void tg_xfeed_flush(struct tg_xfeed *feed, uint64_t now_ns);
/* Heartbeat (or End of Session, once ended) when due; see above. Sends a held replace's messages. */
void tg_xfeed_tick(struct tg_xfeed *feed, uint64_t now_ns);
/* Send what is pending, then End of Session. A second call only repeats End of Session. */
void tg_xfeed_end(struct tg_xfeed *feed);

/*
 * The day's framing. symbols[i] is instrument i + 1 (at most 8 characters).
 * TG_ERR_ARG: no symbols, too many, one too long; TG_ERR_STATE: called
 * twice, or after the end.
 */
TG_MUST_CHECK int tg_xfeed_start_of_day(struct tg_xfeed *feed, const char *const *symbols, unsigned n,
					uint64_t ts_ns);
TG_MUST_CHECK int tg_xfeed_end_of_day(struct tg_xfeed *feed, uint64_t ts_ns);

/*
 * One matching-engine event, published as above (call it from the
 * engine's callback). TG_ERR_STATE before tg_xfeed_start_of_day() or after
 * the end; TG_ERR_ARG for an instrument without a symbol or an unknown
 * event type (nothing published, nothing tracked); TG_ERR_NOMEM when the
 * order table cannot grow (the message is published all the same, the
 * order is counted in untracked).
 */
TG_MUST_CHECK int tg_xfeed_match_event(struct tg_xfeed *feed, const struct tg_match_event *ev);

/* The retransmission socket (poll for POLLIN), or -1 without the service. */
int tg_xfeed_poll_fd(const struct tg_xfeed *feed);
/* Answer every request waiting. Returns the number of requests read, or TG_ERR_SYS. */
TG_MUST_CHECK int tg_xfeed_service(struct tg_xfeed *feed, uint64_t now_ns);

/* The retransmission port bound (0 without the service); the feed's source port. */
uint16_t tg_xfeed_rtx_port(const struct tg_xfeed *feed);
uint16_t tg_xfeed_src_port(const struct tg_xfeed *feed);
/* The sequence number the next message will get. */
uint64_t tg_xfeed_next_seq(const struct tg_xfeed *feed);
const struct tg_xfeed_stats *tg_xfeed_stats(const struct tg_xfeed *feed);

#endif
