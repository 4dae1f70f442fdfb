// extern "C" shim around the Verilated tg_core; see vcore.h.
#include <memory>

#include "Vtg_core.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#include "vcore.h"

static_assert(sizeof(Vtg_core::s_axis_dma_rd_data_tdata) == TG_VCORE_DMA_BYTES &&
	      sizeof(Vtg_core::m_axis_dma_wr_tdata) == TG_VCORE_DMA_BYTES,
	      "the Verilated core's DMA ports are not TG_VCORE_DMA_BYTES wide");

// A DMA beat between vcore.h's bytes (byte i = bits 8i+7..8i) and the
// model's port: a 64-bit integer, or 32-bit words, least significant first.
static void beat_in(QData &port, const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	port = v;
}

template <std::size_t N> static void beat_in(VlWide<N> &port, const uint8_t *b)
{
	for (std::size_t w = 0; w < N; w++)
		port[w] = (uint32_t)b[4 * w] | (uint32_t)b[4 * w + 1] << 8 | (uint32_t)b[4 * w + 2] << 16 |
			  (uint32_t)b[4 * w + 3] << 24;
}

static void beat_out(uint8_t *b, QData v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

template <std::size_t N> static void beat_out(uint8_t *b, const VlWide<N> &port)
{
	for (std::size_t w = 0; w < N; w++)
		for (int i = 0; i < 4; i++)
			b[4 * w + i] = (uint8_t)(port[w] >> (8 * i));
}

struct tg_vcore {
	std::unique_ptr<VerilatedContext> ctx;
	std::unique_ptr<Vtg_core> top;
#if VM_TRACE
	std::unique_ptr<VerilatedFstC> fst;
#endif
	uint64_t time = 0;
};

extern "C" int tg_vcore_can_trace(void)
{
	return VM_TRACE ? 1 : 0;
}

extern "C" struct tg_vcore *tg_vcore_new(const char *fst_path)
{
	if (fst_path != nullptr && !VM_TRACE)
		return nullptr;
	tg_vcore *c = new tg_vcore;
	c->ctx = std::make_unique<VerilatedContext>();
	c->ctx->traceEverOn(fst_path != nullptr);
	c->top = std::make_unique<Vtg_core>(c->ctx.get(), "tg_core");
#if VM_TRACE
	if (fst_path != nullptr) {
		c->fst = std::make_unique<VerilatedFstC>();
		c->top->trace(c->fst.get(), 99);
		c->fst->open(fst_path);
	}
#endif
	c->top->clk = 0;
	c->top->rst = 1;
	c->top->eval();
	return c;
}

extern "C" void tg_vcore_free(struct tg_vcore *c)
{
	if (c == nullptr)
		return;
	c->top->final();
#if VM_TRACE
	if (c->fst)
		c->fst->close();
#endif
	delete c;
}

extern "C" void tg_vcore_cycle(struct tg_vcore *c, struct tg_vcore_io *io)
{
	Vtg_core *t = c->top.get();

	t->rst = io->rst;
	t->s_axil_awaddr = io->axil_awaddr;
	t->s_axil_awprot = 0;
	t->s_axil_awvalid = io->axil_awvalid;
	t->s_axil_wdata = io->axil_wdata;
	t->s_axil_wstrb = io->axil_wstrb;
	t->s_axil_wvalid = io->axil_wvalid;
	t->s_axil_bready = io->axil_bready;
	t->s_axil_araddr = io->axil_araddr;
	t->s_axil_arprot = 0;
	t->s_axil_arvalid = io->axil_arvalid;
	t->s_axil_rready = io->axil_rready;
	t->m_axis_dma_rd_desc_ready = io->dma_rd_desc_ready;
	beat_in(t->s_axis_dma_rd_data_tdata, io->dma_rd_data_tdata);
	t->s_axis_dma_rd_data_tlast = io->dma_rd_data_tlast;
	t->s_axis_dma_rd_data_tvalid = io->dma_rd_data_tvalid;
	t->m_axis_dma_wr_tready = io->dma_wr_tready;
	t->s_axis_net_tdata = io->net_tdata;
	t->s_axis_net_tkeep = io->net_tkeep;
	t->s_axis_net_tlast = io->net_tlast;
	t->s_axis_net_tvalid = io->net_tvalid;
	t->m_axis_oe_tready = io->oe_tx_tready;
	t->s_axis_oe_tdata = io->oe_rx_tdata;
	t->s_axis_oe_tkeep = io->oe_rx_tkeep;
	t->s_axis_oe_tvalid = io->oe_rx_tvalid;

	t->clk = 0;
	t->eval();
#if VM_TRACE
	if (c->fst)
		c->fst->dump(c->time);
#endif
	io->axil_awready = t->s_axil_awready;
	io->axil_wready = t->s_axil_wready;
	io->axil_bresp = t->s_axil_bresp;
	io->axil_bvalid = t->s_axil_bvalid;
	io->axil_arready = t->s_axil_arready;
	io->axil_rdata = t->s_axil_rdata;
	io->axil_rresp = t->s_axil_rresp;
	io->axil_rvalid = t->s_axil_rvalid;
	io->dma_rd_desc_addr = t->m_axis_dma_rd_desc_addr;
	io->dma_rd_desc_len = t->m_axis_dma_rd_desc_len;
	io->dma_rd_desc_valid = t->m_axis_dma_rd_desc_valid;
	io->dma_rd_data_tready = t->s_axis_dma_rd_data_tready;
	beat_out(io->dma_wr_tdata, t->m_axis_dma_wr_tdata);
	io->dma_wr_tkeep = t->m_axis_dma_wr_tkeep;
	io->dma_wr_tlast = t->m_axis_dma_wr_tlast;
	io->dma_wr_tuser = t->m_axis_dma_wr_tuser;
	io->dma_wr_tvalid = t->m_axis_dma_wr_tvalid;
	io->net_tready = t->s_axis_net_tready;
	io->oe_tx_tdata = t->m_axis_oe_tdata;
	io->oe_tx_tkeep = t->m_axis_oe_tkeep;
	io->oe_tx_tlast = t->m_axis_oe_tlast;
	io->oe_tx_tvalid = t->m_axis_oe_tvalid;
	io->oe_rx_tready = t->s_axis_oe_tready;

	t->clk = 1;
	t->eval();
#if VM_TRACE
	if (c->fst)
		c->fst->dump(c->time + 1);
#endif
	c->time += 2;
}
