/*
 * The card driver: one API for a simulated card ("sim:NAME") and, later,
 * a PCIe card. Nothing above this header knows which transport it has.
 *
 *   struct tg_card *card;
 *   int rc = tg_card_open(tg_card_default_uri(), TG_CARD_OPEN_RINGS, &card);
 *   tg_card_csr_read(card, TG_REG_SCRATCH, &v);
 *   tg_card_send(card, &cmd);          // H2C ring
 *   tg_card_poll(card, evs, 16, &n);   // C2H ring
 *   tg_card_close(card);
 *
 * Every call checks its arguments before touching the card; TG_ERR_ARG
 * means nothing was written. Any number of processes may open a card for
 * CSR access; one at a time may own its rings (TG_CARD_OPEN_RINGS).
 */
#ifndef TICKGATE_CARD_H
#define TICKGATE_CARD_H

#include <stdbool.h>
#include <stdint.h>

#include "tickgate/card_records.h"
#include "tickgate/card_regs.h"
#include "tickgate/result.h"

#define TG_CARD_URI_ENV "TICKGATE_CARD"
#define TG_CARD_URI_DEFAULT "sim:default"

/* tg_card_open flags */
#define TG_CARD_OPEN_RINGS (1u << 0)	/* own and start the H2C/C2H rings */

#define TG_CARD_H2C_LOG2_DEFAULT 10u
#define TG_CARD_C2H_LOG2_DEFAULT 13u

struct tg_card;

struct tg_card_identity {
	uint32_t magic;
	uint32_t if_version;
	uint32_t build_id;
	uint32_t caps;
	uint32_t contract_hash;
	uint32_t clock_khz;
	uint32_t rec_bytes;
};

struct tg_card_ring_stats {
	uint64_t sent;		/* H2C records queued */
	uint64_t received;	/* C2H records consumed */
	uint64_t seq_gaps;	/* C2H sequence jumps seen (events lost) */
	uint64_t send_full;	/* sends refused because the H2C ring was full */
};

/* The card URI from $TICKGATE_CARD, else TG_CARD_URI_DEFAULT. */
TG_API const char *tg_card_default_uri(void);

/*
 * Open the card at uri. Reads and checks the identity block: a card whose
 * magic, interface major version or contract hash differ from this build's
 * is refused with TG_ERR_CONTRACT. With TG_CARD_OPEN_RINGS the caller
 * becomes the ring owner (TG_ERR_BUSY when another live process is) and
 * both rings are started empty.
 */
TG_API TG_MUST_CHECK int tg_card_open(const char *uri, unsigned flags, struct tg_card **out);

/* Stop the rings if owned, release everything. NULL is ignored. */
TG_API void tg_card_close(struct tg_card *card);

TG_API const struct tg_card_identity *tg_card_identity(const struct tg_card *card);
TG_API const char *tg_card_uri(const struct tg_card *card);

/* 32-bit CSR read of a mapped register (offset from card_regs.h). */
TG_API TG_MUST_CHECK int tg_card_csr_read(struct tg_card *card, uint32_t offset, uint32_t *value);

/*
 * 32-bit CSR write. Only host-writable (rw) registers; anything else is
 * TG_ERR_ARG and nothing is written. Ring registers belong to the ring
 * owner: other processes get TG_ERR_PERM.
 */
TG_API TG_MUST_CHECK int tg_card_csr_write(struct tg_card *card, uint32_t offset, uint32_t value);

/* Consistent read of a 64-bit counter given its low-word offset. */
TG_API TG_MUST_CHECK int tg_card_counter_read(struct tg_card *card, uint32_t lo_offset,
					      uint64_t *value);

/*
 * Queue one command on the H2C ring and ring the doorbell. TG_ERR_AGAIN
 * when the ring is full, TG_ERR_STATE without TG_CARD_OPEN_RINGS.
 */
TG_API TG_MUST_CHECK int tg_card_send(struct tg_card *card, const union tg_h2c_record *rec);

/* Queue up to n commands with one doorbell; *sent says how many went. */
TG_API TG_MUST_CHECK int tg_card_send_batch(struct tg_card *card, const union tg_h2c_record *recs,
					    unsigned n, unsigned *sent);

/*
 * Take up to max events from the C2H ring into out; *got says how many.
 * Never blocks. Frees the consumed space on the card.
 */
TG_API TG_MUST_CHECK int tg_card_poll(struct tg_card *card, union tg_c2h_record *out,
				      unsigned max, unsigned *got);

TG_API void tg_card_ring_stats(const struct tg_card *card, struct tg_card_ring_stats *stats);

/*
 * The order-entry session beside the card. The card sends and takes only
 * SoupBinTCP data packets; login, heartbeats and reconnection belong to its
 * transport (a board's TCP offload with the host, tickgate-sim's link), and
 * while the session is not logged in the card's packets are dropped. A host
 * that sends orders asks here first.
 */
enum tg_card_oe_state {
	TG_CARD_OE_NONE = 0,		/* no order-entry session configured */
	TG_CARD_OE_DOWN = 1,		/* connecting, logging in, or waiting to retry */
	TG_CARD_OE_UP = 2,		/* logged in: orders flow */
	TG_CARD_OE_ENDED = 3,		/* the exchange ended the session, or it was closed */
};

struct tg_card_oe_link {
	int state;			/* enum tg_card_oe_state */
	uint64_t logins;		/* logins accepted */
	uint64_t disconnects;		/* connections lost */
	uint64_t dropped;		/* the card's packets not sent: not logged in */
	uint64_t packets_out;		/* the card's packets sent */
	uint64_t packets_in;		/* the exchange's packets passed to the card */
	char session[16];		/* session of the last login, NUL terminated */
};

/* The order-entry session's state: TG_ERR_STATE when the transport cannot
 * tell (the caller then learns only from the exchange's answers). */
TG_API TG_MUST_CHECK int tg_card_oe_link(struct tg_card *card, struct tg_card_oe_link *out);

/*
 * The market-data link beside the card: what brings the exchange's feed
 * datagrams into the card's network port and asks the exchange again for
 * what the card missed (tickgate-sim's UDP link; on a board, its port and
 * the host's recovery). The card's own view of the feed is in its FEED_*
 * counters.
 */
enum tg_card_feed_state {
	TG_CARD_FEED_NONE = 0,		/* no feed link configured */
	TG_CARD_FEED_UP = 1,		/* datagrams go into the card as they come */
	TG_CARD_FEED_RECOVERING = 2,	/* the card holds at a gap; retransmission requested */
};

struct tg_card_feed_link {
	int state;			/* enum tg_card_feed_state */
	bool retrans;			/* gaps are recovered through a retransmission server */
	uint64_t datagrams;		/* feed datagrams received and passed to the card */
	uint64_t retrans_datagrams;	/* answers to retransmission requests passed to the card */
	uint64_t frames;		/* frames injected into the card's network port */
	uint64_t queue_drops;		/* datagrams dropped before the card: the link's queue was full */
	uint64_t malformed;		/* datagrams that are not a MoldUDP64 packet fitting a frame */
	uint64_t requests;		/* retransmission requests sent */
	uint64_t requested_messages;	/* messages those asked for */
	uint64_t send_errors;		/* requests that could not be sent */
	uint64_t holds;			/* times the card was found holding at a gap */
	char last_error[96];		/* the last error, NUL terminated; "" when none */
};

/* The market-data link's state: TG_ERR_STATE when the transport cannot tell. */
TG_API TG_MUST_CHECK int tg_card_feed_link(struct tg_card *card, struct tg_card_feed_link *out);

/* Register table lookups over the generated map (case-insensitive names). */
TG_API const struct tg_reg_info *tg_reg_by_name(const char *name);
TG_API const struct tg_reg_info *tg_reg_by_offset(uint32_t offset);

#endif
