/*
 * Bus-functional card model around the Verilated core: see card_model.h.
 *
 * Every cycle goes through cycle(): drive the inputs from the current BFM
 * state, let the shim sample the outputs before the clock edge, then act on
 * the handshakes that happened in that cycle. Our own ready signals never
 * depend on the core's valid signals, so this ordering is exact.
 */
#include <stdlib.h>
#include <string.h>

#include "card_model.h"
#include "vcore.h"

#define DMA_BEAT TG_VCORE_DMA_BYTES	/* bytes a DMA data beat */
_Static_assert(TG_CM_DMA_RD_MAX % DMA_BEAT == 0 && DMA_BEAT <= 64, "a DMA read is a whole number of beats");

struct net_frame {
	uint8_t *data;
	uint32_t len;
};

struct tg_card_model {
	struct tg_vcore *core;
	struct tg_vcore_io io;
	struct tg_cm_config cfg;
	struct tg_cm_stats stats;

	/* DMA reads accepted, answered in order: a ring of descriptors */
	struct dma_rd {
		uint64_t addr;
		uint64_t due;	/* stats.cycles from which its data may start */
		uint32_t len;
	} rd_q[TG_CM_DMA_RD_QUEUE];
	unsigned rd_head, rd_count;
	unsigned rd_max;	/* reads accepted at most before their data */

	/* the DMA read being answered, in beats of DMA_BEAT bytes */
	bool rd_active;
	uint8_t rd_buf[TG_CM_DMA_RD_MAX];
	uint32_t rd_beats;
	uint32_t rd_beat;

	/* DMA write burst in progress */
	uint32_t wr_beat;

	/* network frames: ring of pointers */
	struct net_frame net[TG_CM_NET_QUEUE];
	unsigned net_head;	/* frame being fed */
	unsigned net_count;
	uint32_t net_off;	/* bytes of the head frame already fed */

	/* order entry: packet being sent by the card, bytes for the card */
	uint8_t oe_pkt[TG_CM_OE_PACKET_MAX];
	size_t oe_pkt_len;
	uint64_t oe_pkt_cycle;
	bool oe_tx_held;	/* a beat was offered and not taken: it must come again */
	uint64_t oe_tx_held_data;
	uint8_t oe_tx_held_keep, oe_tx_held_last;
	uint8_t *oe_rx;		/* ring of TG_CM_OE_RX_BYTES */
	size_t oe_rx_head;
	size_t oe_rx_len;
	bool oe_rx_offered;	/* a beat is on the port: held until taken */
	uint8_t oe_rx_keep;	/* its lanes */

	uint64_t reset_release;	/* stats.cycles of the first cycle out of reset */
};

/* pointer for bus address [addr, addr+len) or NULL when outside the window */
static uint8_t *window(struct tg_card_model *cm, uint64_t addr, size_t len)
{
	if (cm->cfg.mem == NULL || addr < cm->cfg.bus_base)
		return NULL;
	addr -= cm->cfg.bus_base;
	if (addr > cm->cfg.mem_bytes || len > cm->cfg.mem_bytes - addr)
		return NULL;
	return cm->cfg.mem + addr;
}

/* Take the memory of the queue's head read and start answering it. */
static void dma_read_start(struct tg_card_model *cm)
{
	const struct dma_rd *r = &cm->rd_q[cm->rd_head];
	uint32_t len = r->len;
	uint8_t *src;

	cm->rd_head = (cm->rd_head + 1) % TG_CM_DMA_RD_QUEUE;
	cm->rd_count--;
	if (len == 0 || len > sizeof(cm->rd_buf) || (len & 7u) != 0 || (r->addr & 7u) != 0)
		src = NULL;
	else
		src = window(cm, r->addr, len);
	if (src == NULL) {
		/* answer with zeros: a zero marker never looks valid */
		cm->stats.dma_errors++;
		len = len == 0 || len > sizeof(cm->rd_buf) ? 64 : len;
		memset(cm->rd_buf, 0, len);
	} else {
		/* record by record (64 bytes), in order: acquire on its last 8
		 * bytes (the marker) before its body */
		for (uint32_t off = 0; off < len; off += 64) {
			uint32_t n = len - off < 64 ? len - off : 64;
			uint64_t last = __atomic_load_n((uint64_t *)(void *)(src + off + n - 8), __ATOMIC_ACQUIRE);

			memcpy(cm->rd_buf + off, src + off, n - 8);
			memcpy(cm->rd_buf + off + n - 8, &last, 8);
		}
	}
	cm->rd_active = true;
	cm->rd_beats = (len + DMA_BEAT - 1) / DMA_BEAT;
	cm->rd_beat = 0;
	/* the last beat's bytes past the read are zeros */
	memset(cm->rd_buf + len, 0, cm->rd_beats * DMA_BEAT - len);
}

static void dma_write_beat(struct tg_card_model *cm)
{
	const struct tg_vcore_io *io = &cm->io;
	uint64_t addr = io->dma_wr_tuser + (uint64_t)cm->wr_beat * DMA_BEAT;
	uint64_t keep = io->dma_wr_tkeep;
	int first = -1, last = -1;

	cm->stats.dma_write_beats++;
	cm->wr_beat = io->dma_wr_tlast ? 0 : cm->wr_beat + 1;
	for (int b = 0; b < DMA_BEAT; b++)
		if (keep >> b & 1u) {
			first = first < 0 ? b : first;
			last = b;
		}
	if (first < 0)
		return;
	/* the window must hold the bytes written, from the beat's address */
	uint8_t *dst = window(cm, addr, (size_t)last + 1);

	if (dst == NULL) {
		cm->stats.dma_errors++;
		return;
	}
	if (keep == 0x0f && (addr & 3u) == 0) {
		/* a 32-bit index writeback: one atomic store, as PCIe delivers it */
		uint32_t v = (uint32_t)io->dma_wr_tdata[0] | (uint32_t)io->dma_wr_tdata[1] << 8 |
			     (uint32_t)io->dma_wr_tdata[2] << 16 | (uint32_t)io->dma_wr_tdata[3] << 24;

		__atomic_store_n((uint32_t *)(void *)dst, v, __ATOMIC_RELEASE);
		return;
	}
	for (int b = first; b <= last; b++) {
		if (!(keep >> b & 1u))
			continue;
		if (io->dma_wr_tlast && b == last)
			/* release: the whole burst is visible before its last byte */
			__atomic_store_n(dst + b, io->dma_wr_tdata[b], __ATOMIC_RELEASE);
		else
			dst[b] = io->dma_wr_tdata[b];
	}
}

static void drive_net(struct tg_card_model *cm)
{
	struct tg_vcore_io *io = &cm->io;

	io->net_tvalid = 0;
	if (cm->net_count == 0)
		return;
	const struct net_frame *f = &cm->net[cm->net_head];
	uint32_t left = f->len - cm->net_off;
	uint32_t n = left < 8 ? left : 8;
	uint64_t d = 0;

	for (uint32_t b = 0; b < n; b++)
		d |= (uint64_t)f->data[cm->net_off + b] << (8 * b);
	io->net_tdata = d;
	io->net_tkeep = (uint8_t)((1u << n) - 1u);
	io->net_tlast = left <= 8;
	io->net_tvalid = 1;
}

static void advance_net(struct tg_card_model *cm)
{
	struct net_frame *f = &cm->net[cm->net_head];

	cm->net_off += 8;
	if (cm->net_off >= f->len) {
		free(f->data);
		f->data = NULL;
		cm->net_off = 0;
		cm->net_head = (cm->net_head + 1) % TG_CM_NET_QUEUE;
		cm->net_count--;
		cm->stats.frames_in++;
	}
}

/* The exchange's next beat: the queue's first bytes in the lanes the
 * shaper picks (by default the low lanes, 8 bytes when there are), held on
 * the port until the card takes it. */
static void drive_oe_rx(struct tg_card_model *cm)
{
	struct tg_vcore_io *io = &cm->io;

	if (!cm->oe_rx_offered && cm->oe_rx_len > 0) {
		unsigned n = cm->oe_rx_len < 8 ? (unsigned)cm->oe_rx_len : 8u;
		int keep = (int)((1u << n) - 1u);

		if (cm->cfg.oe_rx_keep != NULL) {
			keep = cm->cfg.oe_rx_keep(cm->cfg.oe_rx_keep_ctx);
			/* no more lanes than bytes queued: the highest ones go */
			for (int b = 7; keep > 0 && __builtin_popcount((unsigned)keep) > (int)n; b--)
				keep &= ~(1 << b);
		}
		if (keep >= 0) {
			cm->oe_rx_offered = true;
			cm->oe_rx_keep = (uint8_t)keep;
		}
	}
	uint64_t d = 0;
	unsigned k = 0;

	for (unsigned b = 0; cm->oe_rx_offered && b < 8; b++)
		if (cm->oe_rx_keep & (1u << b))
			d |= (uint64_t)cm->oe_rx[(cm->oe_rx_head + k++) % TG_CM_OE_RX_BYTES] << (8 * b);
	io->oe_rx_tdata = d;
	io->oe_rx_tkeep = cm->oe_rx_offered ? cm->oe_rx_keep : 0;
	io->oe_rx_tvalid = cm->oe_rx_offered;
}

/* The card's beat on the order-entry port: held to AXI-Stream's rule (a
 * beat offered stays, unchanged, until taken), taken when the port is
 * ready. */
static void oe_tx_beat(struct tg_card_model *cm)
{
	const struct tg_vcore_io *io = &cm->io;

	if (io->rst) {
		cm->oe_tx_held = false;		/* a reset ends whatever was offered */
		return;
	}
	if (cm->oe_tx_held && (!io->oe_tx_tvalid || io->oe_tx_tdata != cm->oe_tx_held_data ||
			       io->oe_tx_tkeep != cm->oe_tx_held_keep || io->oe_tx_tlast != cm->oe_tx_held_last))
		cm->stats.oe_tx_unstable++;
	cm->oe_tx_held = io->oe_tx_tvalid && !io->oe_tx_tready;
	cm->oe_tx_held_data = io->oe_tx_tdata;
	cm->oe_tx_held_keep = io->oe_tx_tkeep;
	cm->oe_tx_held_last = io->oe_tx_tlast;
	if (cm->oe_tx_held)
		cm->stats.oe_tx_stalls++;
}

static void take_oe_tx_beat(struct tg_card_model *cm)
{
	const struct tg_vcore_io *io = &cm->io;

	if (cm->oe_pkt_len == 0)
		cm->oe_pkt_cycle = cm->stats.cycles - 1 - cm->reset_release;
	for (unsigned b = 0; b < 8; b++) {
		if (!(io->oe_tx_tkeep & (1u << b)))
			continue;
		if (cm->oe_pkt_len < TG_CM_OE_PACKET_MAX)
			cm->oe_pkt[cm->oe_pkt_len++] = (uint8_t)(io->oe_tx_tdata >> (8 * b));
		else
			cm->stats.oe_errors++;
	}
	if (io->oe_tx_tlast) {
		cm->stats.oe_packets_out++;
		if (cm->cfg.oe_packet != NULL)
			cm->cfg.oe_packet(cm->cfg.oe_packet_ctx, cm->oe_pkt_cycle, cm->oe_pkt, cm->oe_pkt_len);
		cm->oe_pkt_len = 0;
	}
}

static void cycle(struct tg_card_model *cm)
{
	struct tg_vcore_io *io = &cm->io;
	bool active = false;

	io->dma_rd_desc_ready = cm->rd_count < cm->rd_max;
	io->dma_rd_data_tvalid = cm->rd_active;
	if (cm->rd_active) {
		memcpy(io->dma_rd_data_tdata, cm->rd_buf + cm->rd_beat * DMA_BEAT, DMA_BEAT);
		io->dma_rd_data_tlast = cm->rd_beat + 1 == cm->rd_beats;
	}
	io->dma_wr_tready = 1;
	io->oe_tx_tready = cm->cfg.oe_tx_ready == NULL || cm->cfg.oe_tx_ready(cm->cfg.oe_tx_ready_ctx);
	drive_net(cm);
	drive_oe_rx(cm);

	tg_vcore_cycle(cm->core, io);
	cm->stats.cycles++;

	if (cm->rd_active && io->dma_rd_data_tready) {
		active = true;
		cm->stats.dma_read_beats++;
		if (++cm->rd_beat == cm->rd_beats)
			cm->rd_active = false;
	}
	if (io->dma_rd_desc_valid && io->dma_rd_desc_ready) {
		struct dma_rd *r = &cm->rd_q[(cm->rd_head + cm->rd_count) % TG_CM_DMA_RD_QUEUE];

		active = true;
		cm->stats.dma_reads++;
		r->addr = io->dma_rd_desc_addr;
		r->len = io->dma_rd_desc_len;
		r->due = cm->stats.cycles + cm->cfg.dma_rd_latency;
		cm->rd_count++;
		if (cm->cfg.dma_read != NULL)
			cm->cfg.dma_read(cm->cfg.dma_read_ctx, r->addr, r->len);
	}
	/* the next read's data follows the last beat of the one before */
	if (!cm->rd_active && cm->rd_count > 0 && cm->rd_q[cm->rd_head].due <= cm->stats.cycles)
		dma_read_start(cm);
	if (io->dma_wr_tvalid) {
		active = true;
		dma_write_beat(cm);
	}
	if (io->net_tvalid && !io->net_tready)
		cm->stats.net_stalls++;
	if (io->net_tvalid && io->net_tready) {
		active = true;
		if (cm->cfg.net_beat != NULL)
			cm->cfg.net_beat(cm->cfg.net_beat_ctx, cm->stats.cycles - 1 - cm->reset_release, cm->net_off,
					 (unsigned)__builtin_popcount(io->net_tkeep), io->net_tlast);
		advance_net(cm);
	}
	oe_tx_beat(cm);
	if (io->oe_tx_tvalid) {
		active = true;
		if (io->oe_tx_tready)
			take_oe_tx_beat(cm);
	}
	cm->stats.oe_rx_waiting += io->oe_rx_tvalid;
	if (io->oe_rx_tvalid && io->oe_rx_tready) {
		active = true;
		unsigned n = (unsigned)__builtin_popcount(io->oe_rx_tkeep);
		cm->oe_rx_head = (cm->oe_rx_head + n) % TG_CM_OE_RX_BYTES;
		cm->oe_rx_len -= n;
		cm->stats.oe_bytes_in += n;
		cm->stats.oe_rx_beats++;
		cm->oe_rx_offered = false;
	}
	if (active || io->axil_awvalid || io->axil_arvalid || io->axil_bvalid || io->axil_rvalid)
		cm->stats.last_activity = cm->stats.cycles;
}

struct tg_card_model *tg_cm_new(const struct tg_cm_config *cfg)
{
	struct tg_card_model *cm = calloc(1, sizeof(*cm));

	if (cm == NULL)
		return NULL;
	cm->cfg = *cfg;
	cm->rd_max = cfg->dma_rd_outstanding == 0 ? TG_CM_DMA_RD_QUEUE :
		     cfg->dma_rd_outstanding < TG_CM_DMA_RD_QUEUE ? cfg->dma_rd_outstanding : TG_CM_DMA_RD_QUEUE;
	cm->oe_rx = malloc(TG_CM_OE_RX_BYTES);
	cm->core = cm->oe_rx != NULL ? tg_vcore_new(cfg->fst_path) : NULL;
	if (cm->core == NULL) {
		free(cm->oe_rx);
		free(cm);
		return NULL;
	}
	tg_cm_reset(cm);
	return cm;
}

void tg_cm_free(struct tg_card_model *cm)
{
	if (cm == NULL)
		return;
	while (cm->net_count > 0) {
		free(cm->net[cm->net_head].data);
		cm->net_head = (cm->net_head + 1) % TG_CM_NET_QUEUE;
		cm->net_count--;
	}
	tg_vcore_free(cm->core);
	free(cm->oe_rx);
	free(cm);
}

bool tg_cm_oe_push(struct tg_card_model *cm, const uint8_t *data, size_t len)
{
	if (len > TG_CM_OE_RX_BYTES - cm->oe_rx_len)
		return false;
	for (size_t i = 0; i < len; i++)
		cm->oe_rx[(cm->oe_rx_head + cm->oe_rx_len + i) % TG_CM_OE_RX_BYTES] = data[i];
	cm->oe_rx_len += len;
	return true;
}

size_t tg_cm_oe_pending(const struct tg_card_model *cm)
{
	return cm->oe_rx_len;
}

void tg_cm_reset(struct tg_card_model *cm)
{
	cm->io.rst = 1;
	tg_cm_run(cm, 4);
	cm->io.rst = 0;
	cm->reset_release = cm->stats.cycles;
	tg_cm_run(cm, 1);
}

void tg_cm_run(struct tg_card_model *cm, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		cycle(cm);
}

enum tg_cm_csr_result tg_cm_csr_read(struct tg_card_model *cm, uint32_t addr, uint32_t *value)
{
	struct tg_vcore_io *io = &cm->io;
	enum tg_cm_csr_result res = TG_CM_CSR_TIMEOUT;

	cm->stats.csr_reads++;
	io->axil_araddr = (uint16_t)addr;
	io->axil_arvalid = 1;
	io->axil_rready = 1;
	for (unsigned i = 0; i < TG_CM_CSR_TIMEOUT_CYCLES; i++) {
		cycle(cm);
		if (io->axil_arvalid && io->axil_arready)
			io->axil_arvalid = 0;
		if (io->axil_rvalid) {
			*value = io->axil_rdata;
			res = io->axil_rresp == 0 ? TG_CM_CSR_OK : TG_CM_CSR_SLVERR;
			break;
		}
	}
	io->axil_arvalid = 0;
	io->axil_rready = 0;
	if (res != TG_CM_CSR_OK)
		cm->stats.csr_errors++;
	return res;
}

enum tg_cm_csr_result tg_cm_csr_write(struct tg_card_model *cm, uint32_t addr, uint32_t value,
				      uint8_t strobe)
{
	struct tg_vcore_io *io = &cm->io;
	enum tg_cm_csr_result res = TG_CM_CSR_TIMEOUT;

	cm->stats.csr_writes++;
	io->axil_awaddr = (uint16_t)addr;
	io->axil_wdata = value;
	io->axil_wstrb = strobe;
	io->axil_awvalid = 1;
	io->axil_wvalid = 1;
	io->axil_bready = 1;
	for (unsigned i = 0; i < TG_CM_CSR_TIMEOUT_CYCLES; i++) {
		cycle(cm);
		if (io->axil_awvalid && io->axil_awready)
			io->axil_awvalid = 0;
		if (io->axil_wvalid && io->axil_wready)
			io->axil_wvalid = 0;
		if (io->axil_bvalid) {
			res = io->axil_bresp == 0 ? TG_CM_CSR_OK : TG_CM_CSR_SLVERR;
			break;
		}
	}
	io->axil_awvalid = 0;
	io->axil_wvalid = 0;
	io->axil_bready = 0;
	if (res != TG_CM_CSR_OK)
		cm->stats.csr_errors++;
	return res;
}

bool tg_cm_net_push(struct tg_card_model *cm, const uint8_t *frame, size_t len)
{
	struct net_frame *f;

	if (cm->net_count == TG_CM_NET_QUEUE || frame == NULL || len == 0 || len > TG_CM_FRAME_MAX)
		return false;
	f = &cm->net[(cm->net_head + cm->net_count) % TG_CM_NET_QUEUE];
	f->data = malloc(len);
	if (f->data == NULL)
		return false;
	memcpy(f->data, frame, len);
	f->len = (uint32_t)len;
	cm->net_count++;
	return true;
}

unsigned tg_cm_net_pending(const struct tg_card_model *cm)
{
	return cm->net_count;
}

bool tg_cm_idle(const struct tg_card_model *cm, uint64_t quiet)
{
	return cm->net_count == 0 && !cm->rd_active && cm->rd_count == 0 && cm->oe_rx_len == 0 &&
	       cm->stats.cycles - cm->stats.last_activity >= quiet;
}

const struct tg_cm_stats *tg_cm_stats(const struct tg_card_model *cm)
{
	return &cm->stats;
}

uint64_t tg_cm_core_cycle(const struct tg_card_model *cm)
{
	return cm->stats.cycles - cm->reset_release;
}
