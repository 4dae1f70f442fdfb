/*
 * The simulated card's order-entry link: what a board's TCP offload and
 * the host's session code do for a real card, done by tickgate-sim over a
 * real TCP socket to the exchange (`--oe-connect HOST:PORT`).
 *
 * The card speaks only SoupBinTCP data: it sends whole Unsequenced Data
 * packets (OUCH Enter/Replace/Cancel) and decodes Sequenced Data packets.
 * Everything else of the session is here, in libtickgate's SoupBinTCP
 * client session: login with the next sequence number wanted, client
 * heartbeats while the card is silent, the server's silence timeout,
 * logout. So:
 *
 *   - every packet the card sends goes to the session as client data
 *     (dropped and counted while the link is not logged in: an order
 *     decided while the exchange cannot hear it is not sent later);
 *   - every Sequenced Data packet from the exchange goes to the card whole,
 *     re-encoded from the session's event; heartbeats, login answers and
 *     debug packets never reach it;
 *   - before the first packet of a connection: OE_CONTROL.RESET_RX (after
 *     the last packet of the previous one has gone in); after a login that
 *     starts a new session (another name than the last login's, or the
 *     first login): OE_URN_LOAD = 1 and OE_CONTROL.LOAD_URN, so the
 *     card's UserRefNums start again;
 *   - a lost connection, a rejected login or a silent server: logged,
 *     counted, retried with backoff (100 ms doubling to 5 s); the next
 *     login asks for the next sequence number expected, so nothing is
 *     lost or delivered twice. End of Session stops the link.
 *
 * Waking up: the simulator sleeps on its shared-memory futex when idle,
 * which a socket cannot wake. A small thread blocks in poll(2) on the
 * link's socket and, when it is ready, wakes the simulator the way a
 * client process does (bump `wake`, FUTEX_WAKE if it sleeps). It fires
 * once per arming, so it never spins while the main loop has not read the
 * socket yet. The alternative, polling the socket between short futex
 * waits, costs latency or wake-ups; moving the main loop to poll(2) would
 * change the clients' wake-up protocol.
 *
 * Everything but the waker thread runs on the simulator's main thread; the
 * card model is only touched there.
 */
#ifndef TG_OE_LINK_H
#define TG_OE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "card_model.h"
#include "tickgate/simshm.h"

struct oe_link_config {
	const char *host;	/* IPv4 address or host name (resolved once, IPv4) */
	const char *port;
	const char *username;	/* 1..6 printable characters */
	const char *password;	/* 0..10 */
	const char *session;	/* 0..10; "" = the server's current session */
	uint64_t seq;		/* sequence number asked for at the first login */
	const char *pcap_path;	/* write the connection as a pcap file, or NULL */
	bool quiet;		/* log only failures */
	struct tg_simshm *shm;	/* wake-up futex and the published state (shm->oe) */
};

struct oe_link;

/* 0, or -1 with a one-line reason in err (bad name, address, pcap file). */
int oe_link_new(const struct oe_link_config *cfg, struct oe_link **out, char *err, size_t errlen);

/* The card model is made after the link (its config takes the callback). */
void oe_link_set_card(struct oe_link *l, struct tg_card_model *cm);

/* tg_cm_config.oe_packet: a packet the card sent (ctx is the link). */
void oe_link_card_packet(void *ctx, uint64_t core_cycle, const uint8_t *data, size_t len);

/*
 * Do what is due: connect, read, write, run timers, retry. Cheap when
 * nothing is (a few loads). True when it did something, so the caller
 * should not sleep yet.
 */
bool oe_link_service(struct oe_link *l, int64_t now_ns);

/* Whether the socket became ready since the last service (checked again before sleeping). */
bool oe_link_ready(const struct oe_link *l);

/* Nanoseconds until a timer of the link is due (0: now, INT64_MAX: none). */
int64_t oe_link_next_ns(const struct oe_link *l, int64_t now_ns);

/* Log out when logged in, send what is queued (at most timeout_ns), close. */
void oe_link_stop(struct oe_link *l, int64_t timeout_ns);

/* Copy the state and counters into the shared segment. */
void oe_link_publish(struct oe_link *l);

/* One line of counters for the simulator's exit message. */
void oe_link_report(const struct oe_link *l, FILE *f);

void oe_link_free(struct oe_link *l);

#endif
