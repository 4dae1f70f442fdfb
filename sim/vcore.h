/*
 * C interface to the Verilated tg_core (the shim in vcore.cpp), so the
 * simulator, the RTL tests and the benchmarks stay in C.
 *
 * struct tg_vcore_io mirrors the core's ports. tg_vcore_cycle() applies
 * the inputs, settles the logic with the clock low and samples every
 * output (so the caller sees this cycle's ready/valid handshakes), then
 * raises the clock.
 */
#ifndef TG_VCORE_H
#define TG_VCORE_H

#include <stdint.h>

/* Bytes a beat of the core's DMA read and write data: the model's DMA_BYTES,
 * set by the build (meson option dma_bytes) for the model and its users alike. */
#ifndef TG_VCORE_DMA_BYTES
#error "TG_VCORE_DMA_BYTES must be defined (the build passes the Verilated core's DMA_BYTES)"
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct tg_vcore_io {
	/* inputs */
	uint8_t rst;
	uint16_t axil_awaddr;
	uint8_t axil_awvalid;
	uint32_t axil_wdata;
	uint8_t axil_wstrb;
	uint8_t axil_wvalid;
	uint8_t axil_bready;
	uint16_t axil_araddr;
	uint8_t axil_arvalid;
	uint8_t axil_rready;
	uint8_t dma_rd_desc_ready;
	uint8_t dma_rd_data_tdata[TG_VCORE_DMA_BYTES];	/* byte i is bits 8i+7..8i */
	uint8_t dma_rd_data_tlast;
	uint8_t dma_rd_data_tvalid;
	uint8_t dma_wr_tready;
	uint64_t net_tdata;
	uint8_t net_tkeep;
	uint8_t net_tlast;
	uint8_t net_tvalid;
	uint8_t oe_tx_tready;
	uint64_t oe_rx_tdata;
	uint8_t oe_rx_tkeep;
	uint8_t oe_rx_tvalid;

	/* outputs, sampled before the rising edge */
	uint8_t axil_awready;
	uint8_t axil_wready;
	uint8_t axil_bresp;
	uint8_t axil_bvalid;
	uint8_t axil_arready;
	uint32_t axil_rdata;
	uint8_t axil_rresp;
	uint8_t axil_rvalid;
	uint64_t dma_rd_desc_addr;
	uint16_t dma_rd_desc_len;
	uint8_t dma_rd_desc_valid;
	uint8_t dma_rd_data_tready;
	uint8_t dma_wr_tdata[TG_VCORE_DMA_BYTES];
	uint64_t dma_wr_tkeep;	/* bit i: byte i of dma_wr_tdata is written */
	uint8_t dma_wr_tlast;
	uint64_t dma_wr_tuser;
	uint8_t dma_wr_tvalid;
	uint8_t net_tready;
	uint64_t oe_tx_tdata;
	uint8_t oe_tx_tkeep;
	uint8_t oe_tx_tlast;
	uint8_t oe_tx_tvalid;
	uint8_t oe_rx_tready;
};

struct tg_vcore;

/* fst_path: write an FST waveform there, or NULL. Returns NULL on failure. */
struct tg_vcore *tg_vcore_new(const char *fst_path);
void tg_vcore_free(struct tg_vcore *core);
void tg_vcore_cycle(struct tg_vcore *core, struct tg_vcore_io *io);
/* 1 when this model was built with FST tracing */
int tg_vcore_can_trace(void);

#ifdef __cplusplus
}
#endif

#endif
