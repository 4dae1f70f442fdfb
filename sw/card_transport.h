/*
 * Internal interface between the card driver (card.c) and its transports.
 * A transport moves CSR accesses and exposes the host memory the card's DMA
 * engines reach; card.c does everything else, so a PCIe transport only has
 * to fill in these operations.
 */
#ifndef TG_CARD_TRANSPORT_H
#define TG_CARD_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

struct tg_transport;
struct tg_card_oe_link;
struct tg_card_feed_link;

struct tg_transport_ops {
	int (*csr_read)(struct tg_transport *t, uint32_t offset, uint32_t *value);
	/* posted: returns once the write is queued in order behind earlier ones */
	int (*csr_write)(struct tg_transport *t, uint32_t offset, uint32_t value);
	/* become the owner of the card's rings (TG_ERR_BUSY if a live process is) */
	int (*claim_rings)(struct tg_transport *t);
	void (*release_rings)(struct tg_transport *t);
	/* DMA-reachable host memory: virtual address, bus address, size */
	int (*dma_window)(struct tg_transport *t, void **va, uint64_t *bus, size_t *bytes);
	void (*close)(struct tg_transport *t);
	/* the order-entry session beside the card; NULL when the transport has none to tell */
	int (*oe_link)(struct tg_transport *t, struct tg_card_oe_link *out);
	/* the market-data link beside the card; NULL (or TG_ERR_STATE) when it has none to tell */
	int (*feed_link)(struct tg_transport *t, struct tg_card_feed_link *out);
};

struct tg_transport {
	const struct tg_transport_ops *ops;
};

/* "sim:NAME" */
int tg_transport_sim_open(const char *name, struct tg_transport **out);

#endif
