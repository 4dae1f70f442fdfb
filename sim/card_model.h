/*
 * The card on a bench: the Verilated core plus the pieces of a board
 * around it, cycle by cycle.
 *
 *   - an AXI-Lite master for CSR access (one transaction at a time),
 *   - a DMA responder that serves the core's reads and writes from a host
 *     memory window (bus address -> pointer, bounds checked; reads take
 *     each record's last 8 bytes with acquire before its body, writes store
 *     the last byte of a burst with release, so a ring consumer never sees
 *     half a record). Reads of up to TG_CM_DMA_RD_MAX bytes (PCIe's usual
 *     Max Read Request Size); several may be outstanding, answered in order
 *     after a configurable latency, one beat a cycle (the core's DMA_BYTES,
 *     TG_VCORE_DMA_BYTES; writes land beat by beat as the core's tkeep says),
 *   - a network port that feeds queued Ethernet frames at one beat per cycle,
 *   - the order-entry ports: SoupBinTCP packets the card sends are handed
 *     to a callback whole; bytes from the exchange are queued and fed at
 *     one beat per cycle (8 bytes, or the lanes a shaper callback picks).
 *
 * Used by tickgate-sim (the window is the shared-memory DMA area) and by
 * the RTL tests and benchmarks (the window is plain memory).
 */
#ifndef TG_CARD_MODEL_H
#define TG_CARD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_CM_NET_QUEUE 64u		/* frames queued at most */
#define TG_CM_FRAME_MAX 16384u		/* largest frame accepted */
#define TG_CM_CSR_TIMEOUT_CYCLES 1000u		/* cycles before a CSR access is given up */
#define TG_CM_OE_RX_BYTES 65536u	/* exchange bytes queued at most */
#define TG_CM_OE_PACKET_MAX 256u	/* largest packet the card may send */
#define TG_CM_DMA_RD_MAX 512u		/* largest DMA read answered (a whole number of beats) */
#define TG_CM_DMA_RD_QUEUE 16u		/* DMA reads outstanding at most */

struct tg_card_model;

struct tg_cm_config {
	uint8_t *mem;		/* DMA window (may be NULL: every DMA access is an error) */
	size_t mem_bytes;
	uint64_t bus_base;	/* bus address of mem[0] */
	const char *fst_path;	/* waveform file, or NULL */
	/* called for every network beat the core takes, with the core's cycle
	 * counter (UPTIME) of that beat; frame_off is the beat's first byte */
	void (*net_beat)(void *ctx, uint64_t core_cycle, uint32_t frame_off, unsigned bytes, bool last);
	void *net_beat_ctx;
	/* called for every SoupBinTCP packet the card sent, whole, with the
	 * core's cycle of its first beat */
	void (*oe_packet)(void *ctx, uint64_t core_cycle, const uint8_t *data, size_t len);
	void *oe_packet_ctx;
	/* DMA reads: cycles from a descriptor's acceptance to its data beyond
	 * the one a zero-latency responder takes (0: the first beat comes the
	 * cycle after), and descriptors accepted before their data at most
	 * (0: TG_CM_DMA_RD_QUEUE) */
	uint32_t dma_rd_latency;
	unsigned dma_rd_outstanding;
	/* optional: called for every DMA read descriptor the core issues */
	void (*dma_read)(void *ctx, uint64_t addr, uint32_t len);
	void *dma_read_ctx;
	/* optional: the lanes of the next exchange beat offered to the card
	 * (tkeep; the queue's next bytes fill the set lanes in order, lanes
	 * beyond the bytes queued are dropped), 0 for a beat with no bytes, or
	 * -1 for no beat this cycle; NULL: the low lanes, 8 bytes when queued */
	int (*oe_rx_keep)(void *ctx);
	void *oe_rx_keep_ctx;
	/* optional: whether the order-entry port takes the card's beat this
	 * cycle (tready, as a TCP offload that is not ready would hold it);
	 * NULL: always */
	bool (*oe_tx_ready)(void *ctx);
	void *oe_tx_ready_ctx;
};

struct tg_cm_stats {
	uint64_t cycles;
	uint64_t csr_reads;
	uint64_t csr_writes;
	uint64_t csr_errors;	/* SLVERR or timeout */
	uint64_t dma_reads;	/* read descriptors accepted */
	uint64_t dma_read_beats;	/* read data beats the core took */
	uint64_t dma_write_beats;
	uint64_t dma_errors;	/* accesses outside the window */
	uint64_t frames_in;	/* frames fully fed to the network port */
	uint64_t net_stalls;	/* cycles a network beat was offered and not taken */
	uint64_t last_activity;	/* cycle of the last interface activity */
	uint64_t oe_packets_out;	/* order-entry packets the card sent */
	uint64_t oe_bytes_in;	/* exchange bytes fed to the card */
	uint64_t oe_rx_beats;	/* exchange beats the card took */
	uint64_t oe_rx_waiting;	/* cycles exchange bytes were queued for the card (offered at its port) */
	uint64_t oe_errors;	/* packets longer than TG_CM_OE_PACKET_MAX (cut) */
	uint64_t oe_tx_stalls;	/* cycles the card offered a beat the port did not take */
	/* beats offered, not taken, then withdrawn or changed (AXI-Stream
	 * requires them held as they were until taken) */
	uint64_t oe_tx_unstable;
};

enum tg_cm_csr_result {
	TG_CM_CSR_OK = 0,
	TG_CM_CSR_SLVERR = 1,
	TG_CM_CSR_TIMEOUT = 2,
};

/* NULL on failure (out of memory, or tracing asked of a model built without). */
struct tg_card_model *tg_cm_new(const struct tg_cm_config *cfg);
void tg_cm_free(struct tg_card_model *cm);

/* Hold reset for a few cycles, then release it. */
void tg_cm_reset(struct tg_card_model *cm);

/* Run n cycles, serving DMA and the network port. */
void tg_cm_run(struct tg_card_model *cm, uint64_t n);

/* Blocking CSR access: runs cycles until the core answers. */
enum tg_cm_csr_result tg_cm_csr_read(struct tg_card_model *cm, uint32_t addr, uint32_t *value);
enum tg_cm_csr_result tg_cm_csr_write(struct tg_card_model *cm, uint32_t addr, uint32_t value,
				      uint8_t strobe);

/* Queue a frame for the network port; false when the queue is full or the frame is bad. */
bool tg_cm_net_push(struct tg_card_model *cm, const uint8_t *frame, size_t len);
/* frames queued or being fed */
unsigned tg_cm_net_pending(const struct tg_card_model *cm);

/* Queue bytes from the exchange for the order-entry input; false (nothing
 * queued) when they do not fit. */
bool tg_cm_oe_push(struct tg_card_model *cm, const uint8_t *data, size_t len);
/* exchange bytes queued and not yet taken by the card */
size_t tg_cm_oe_pending(const struct tg_card_model *cm);

/* true when nothing has happened on any interface for `quiet` cycles */
bool tg_cm_idle(const struct tg_card_model *cm, uint64_t quiet);

const struct tg_cm_stats *tg_cm_stats(const struct tg_card_model *cm);

/* The core's cycle counter (UPTIME) in the next cycle the model runs: the
 * clock of the cycle stamps in C2H events and of the oe_packet callback, so
 * a bench can time what it does at the ports in the card's own cycles. */
uint64_t tg_cm_core_cycle(const struct tg_card_model *cm);

#endif
