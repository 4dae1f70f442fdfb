/*
 * The shared-memory segment through which host programs reach a simulated
 * card (URI "sim:NAME"). tickgate-sim creates it as /tickgate-NAME, mode
 * 0600, and removes it on exit.
 *
 * What a PCIe card offers, modelled faithfully enough that the same driver
 * logic runs on both:
 *   - CSR access (the BAR): each client process claims one of
 *     TG_SIMSHM_CLIENTS slots and sends CSR requests through its own SPSC
 *     request ring; the simulator drives them through the RTL's AXI-Lite
 *     port in order. Writes are posted (no answer, like PCIe memory
 *     writes); reads are answered through the slot's response ring.
 *   - DMA memory: a window of the segment that the RTL's DMA ports read and
 *     write, at bus addresses TG_SIMSHM_BUS_BASE + offset. The process that
 *     owns the card's rings places them there.
 *   - Wake-up: a client bumps `wake` after queueing work and, when the
 *     simulator announced it sleeps, wakes it with a futex.
 */
#ifndef TICKGATE_SIMSHM_H
#define TICKGATE_SIMSHM_H

#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TG_SIMSHM_MAGIC 0x6d736774u	/* "tgsm" */
#define TG_SIMSHM_VERSION 1u
/* Additions to version 1's layout, each in space it reserved, so no field
 * moves and clients of any minor attach: 1 adds the feed-link block
 * (struct tg_simshm_feed). A simulator older than the field leaves it 0. */
#define TG_SIMSHM_MINOR 1u
#define TG_SIMSHM_PREFIX "/tickgate-"
#define TG_SIMSHM_NAME_MAX 64u
#define TG_SIMSHM_CLIENTS 8u
#define TG_SIMSHM_CSR_RING_LOG2 6u
#define TG_SIMSHM_CSR_REC_BYTES 16u
#define TG_SIMSHM_BUS_BASE 0x100000000ull	/* DMA bus addresses start above 4 GiB */
#define TG_SIMSHM_DMA_BYTES (2u << 20)

/* Segment layout: header, then the CSR rings of every slot, then DMA. */
#define TG_SIMSHM_CSR_RINGS_OFFSET 4096u
#define TG_SIMSHM_CSR_RING_BYTES (128u + (TG_SIMSHM_CSR_REC_BYTES << TG_SIMSHM_CSR_RING_LOG2))
#define TG_SIMSHM_DMA_OFFSET 65536u
#define TG_SIMSHM_SEGMENT_BYTES (TG_SIMSHM_DMA_OFFSET + TG_SIMSHM_DMA_BYTES)
_Static_assert(TG_SIMSHM_CSR_RINGS_OFFSET + 2u * TG_SIMSHM_CLIENTS * TG_SIMSHM_CSR_RING_BYTES
	       <= TG_SIMSHM_DMA_OFFSET, "CSR rings fit before the DMA window");

enum tg_simshm_csr_op {
	TG_SIMSHM_CSR_READ = 1,
	TG_SIMSHM_CSR_WRITE = 2,
};

enum tg_simshm_csr_status {
	TG_SIMSHM_CSR_OKAY = 0,
	TG_SIMSHM_CSR_SLVERR = 1,	/* the RTL answered SLVERR */
	TG_SIMSHM_CSR_TIMEOUT = 2,	/* the RTL did not answer */
};

/* CSR request record (client -> simulator). */
struct tg_simshm_csr_req {
	uint32_t addr;
	uint32_t data;
	uint32_t tag;
	uint8_t op;
	uint8_t rsvd[2];
	uint8_t marker;
};

/* CSR read response record (simulator -> client). */
struct tg_simshm_csr_resp {
	uint32_t tag;
	uint32_t data;
	uint8_t status;
	uint8_t rsvd[6];
	uint8_t marker;
};

_Static_assert(sizeof(struct tg_simshm_csr_req) == TG_SIMSHM_CSR_REC_BYTES, "csr req size");
_Static_assert(sizeof(struct tg_simshm_csr_resp) == TG_SIMSHM_CSR_REC_BYTES, "csr resp size");

struct tg_simshm_client {
	uint32_t owner_pid;	/* 0 when free; claimed with compare-and-swap */
	uint32_t gen;		/* odd while a client is attached */
	uint32_t req_offset;	/* segment offset of the request ring */
	uint32_t resp_offset;	/* segment offset of the response ring */
	uint8_t pad[48];
};

/* States of the simulator's order-entry link (struct tg_simshm_oe). */
enum tg_simshm_oe_state {
	TG_SIMSHM_OE_OFF = 0,		/* no --oe-connect */
	TG_SIMSHM_OE_BACKOFF = 1,	/* waiting before the next connection attempt */
	TG_SIMSHM_OE_CONNECTING = 2,	/* TCP connection under way */
	TG_SIMSHM_OE_LOGIN = 3,		/* connected, Login Request sent */
	TG_SIMSHM_OE_ACTIVE = 4,	/* logged in: orders flow */
	TG_SIMSHM_OE_ENDED = 5,		/* End of Session received: no more reconnects */
	TG_SIMSHM_OE_CLOSED = 6,	/* logged out on shutdown */
};

/*
 * The order-entry link's state and counters. It sits after the client
 * slots, inside the header page that the layout reserves for the header
 * (see the assertion below), so no older field moves: a client that does
 * not know it reads the rest unchanged. Written by the simulator with
 * relaxed stores: each field is current, the set is not one snapshot.
 */
struct tg_simshm_oe {
	uint32_t state;			/* enum tg_simshm_oe_state */
	uint32_t soup_state;		/* enum tg_soup_state of the SoupBinTCP client session */
	uint64_t next_seq;		/* next Sequenced Data number expected (asked for at the next login) */
	uint64_t connects;		/* TCP connections made */
	uint64_t connect_failures;	/* connection attempts that failed */
	uint64_t logins;		/* logins accepted */
	uint64_t login_rejects;		/* logins rejected */
	uint64_t timeouts;		/* connections given up: the server was silent */
	uint64_t disconnects;		/* connections lost (closed or reset by the server, protocol errors) */
	uint64_t packets_out;		/* the card's packets handed to the session (Unsequenced Data) */
	uint64_t packets_in;		/* Sequenced Data packets passed to the card */
	uint64_t bytes_out;		/* TCP payload bytes sent */
	uint64_t bytes_in;		/* TCP payload bytes received */
	uint64_t dropped;		/* the card's packets not sent: link not logged in, or malformed */
	char session[16];		/* session name of the last login, NUL terminated */
	uint8_t pad[8];
};

_Static_assert(sizeof(struct tg_simshm_oe) == 128, "order-entry block size");

/* States of the simulator's market-data link (struct tg_simshm_feed). */
enum tg_simshm_feed_state {
	TG_SIMSHM_FEED_OFF = 0,		/* no --feed-udp */
	TG_SIMSHM_FEED_RECEIVING = 1,	/* datagrams go into the card as they come */
	TG_SIMSHM_FEED_RECOVERING = 2,	/* the card holds at a gap; retransmission requested */
};

#define TG_SIMSHM_FEED_ERROR_BYTES 96u

/*
 * The market-data link's state and counters (tickgate-sim --feed-udp),
 * after the order-entry block in the header page, filled from minor 1 on.
 * Counters are written with relaxed stores like the order-entry block's.
 * The error text is a small seqlock: error_seq is odd while the simulator
 * rewrites it; a reader copies it between two equal even reads.
 */
struct tg_simshm_feed {
	uint32_t state;			/* enum tg_simshm_feed_state */
	uint32_t retrans;		/* 1 with --feed-retrans: gaps are recovered */
	uint64_t datagrams;		/* feed datagrams received and passed to the card */
	uint64_t retrans_datagrams;	/* answers to retransmission requests passed to the card */
	uint64_t frames;		/* frames injected into the card's network port (both kinds) */
	uint64_t queue_drops;		/* datagrams dropped: the receive queue was full */
	uint64_t malformed;		/* datagrams not a MoldUDP64 packet that fits a frame */
	uint64_t requests;		/* retransmission requests sent */
	uint64_t requested_messages;	/* messages those asked for */
	uint64_t holds;			/* times the card was found holding at a gap */
	uint64_t send_errors;		/* retransmission requests the kernel refused to send */
	uint32_t error_seq;		/* seqlock of error: odd while it changes */
	uint8_t pad0[4];
	char error[TG_SIMSHM_FEED_ERROR_BYTES];	/* the last error, NUL terminated; "" when none */
	uint8_t pad[8];
};

_Static_assert(sizeof(struct tg_simshm_feed) == 192, "feed-link block size");

struct tg_simshm {
	/* written once by the simulator before `ready` */
	uint32_t magic;
	uint32_t version;
	uint64_t segment_bytes;
	uint32_t sim_pid;
	uint32_t ready;		/* 1 once the model is reset and serving */
	uint64_t dma_offset;	/* DMA window: offset in the segment ... */
	uint64_t dma_bytes;	/* ... and size */
	uint64_t bus_base;	/* bus address of the window's first byte */
	uint32_t minor;		/* TG_SIMSHM_MINOR of the simulator (0: older than the field) */
	uint8_t pad0[64 - 52];

	/* wake-up, own cache line */
	uint32_t wake;		/* futex word, bumped by clients */
	uint32_t sim_sleeping;	/* 1 while the simulator may wait on `wake` */
	uint8_t pad1[56];

	uint32_t ring_owner_pid;	/* process that owns the card's rings */
	uint8_t pad2[60];

	/* simulator statistics, updated as it runs */
	uint64_t cycles;
	uint64_t csr_ops;
	uint64_t dma_reads;
	uint64_t dma_writes;
	uint64_t dma_errors;
	uint64_t frames_in;
	uint8_t pad3[16];

	struct tg_simshm_client clients[TG_SIMSHM_CLIENTS];

	/* the order-entry link (tickgate-sim --oe-connect), updated as it runs */
	struct tg_simshm_oe oe;

	/* the market-data link (tickgate-sim --feed-udp), updated as it runs; minor >= 1 */
	struct tg_simshm_feed feed;
};

_Static_assert(sizeof(struct tg_simshm) <= TG_SIMSHM_CSR_RINGS_OFFSET, "header fits its page");

/* true while process pid exists (it may belong to another user) */
static inline int tg_simshm_pid_alive(uint32_t pid)
{
	return pid != 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Wait while *word == expected, at most timeout_ns. Shared (not private) futex. */
static inline void tg_simshm_futex_wait(uint32_t *word, uint32_t expected, long timeout_ns)
{
	struct timespec ts = { timeout_ns / 1000000000L, timeout_ns % 1000000000L };

	syscall(SYS_futex, word, FUTEX_WAIT, expected, &ts, NULL, 0);
}

static inline void tg_simshm_futex_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

#endif
