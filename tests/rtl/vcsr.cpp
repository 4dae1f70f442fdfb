// extern "C" shim around the Verilated tg_csr_regs; see vcsr.h.
#include <memory>

#include "Vtg_csr_regs.h"
#include "verilated.h"

#include "vcsr.h"

struct tg_vcsr {
	std::unique_ptr<VerilatedContext> ctx;
	std::unique_ptr<Vtg_csr_regs> top;
};

static void edge(Vtg_csr_regs *t)
{
	t->clk = 1;
	t->eval();
	t->clk = 0;
	t->eval();
}

extern "C" struct tg_vcsr *tg_vcsr_new(void)
{
	tg_vcsr *v = new tg_vcsr;
	v->ctx = std::make_unique<VerilatedContext>();
	v->top = std::make_unique<Vtg_csr_regs>(v->ctx.get(), "tg_csr_regs");
	Vtg_csr_regs *t = v->top.get();
	t->clk = 0;
	t->rst = 1;
	t->eval();
	edge(t);
	t->rst = 0;
	t->s_axil_rready = 1;
	t->s_axil_bready = 1;
	t->eval();
	return v;
}

extern "C" void tg_vcsr_free(struct tg_vcsr *v)
{
	if (v == nullptr)
		return;
	v->top->final();
	delete v;
}

extern "C" unsigned tg_vcsr_read(struct tg_vcsr *v, uint32_t addr, uint32_t *data, unsigned *cycles)
{
	Vtg_csr_regs *t = v->top.get();
	unsigned n = 0;
	t->s_axil_araddr = addr;
	t->s_axil_arvalid = 1;
	t->eval();
	while (!t->s_axil_arready && n < 100) {
		edge(t);
		n++;
	}
	edge(t);		/* the address taken */
	n++;
	t->s_axil_arvalid = 0;
	t->eval();
	while (!t->s_axil_rvalid && n < 100) {
		edge(t);
		n++;
	}
	*data = t->s_axil_rdata;
	*cycles = n;
	unsigned resp = t->s_axil_rresp;
	edge(t);		/* the data taken (rready is high) */
	return t->s_axil_rvalid || n >= 100 ? ~0u : resp;
}

extern "C" unsigned tg_vcsr_write(struct tg_vcsr *v, uint32_t addr, uint32_t data, unsigned strb)
{
	Vtg_csr_regs *t = v->top.get();
	unsigned n = 0;
	t->s_axil_awaddr = addr;
	t->s_axil_wdata = data;
	t->s_axil_wstrb = strb;
	t->s_axil_awvalid = 1;
	t->s_axil_wvalid = 1;
	t->eval();
	while (!t->s_axil_awready && n++ < 100)
		edge(t);
	edge(t);
	t->s_axil_awvalid = 0;
	t->s_axil_wvalid = 0;
	t->eval();
	while (!t->s_axil_bvalid && n++ < 100)
		edge(t);
	unsigned resp = t->s_axil_bresp;
	edge(t);
	return n >= 100 ? ~0u : resp;
}

extern "C" void tg_vcsr_set_uptime(struct tg_vcsr *v, uint64_t value)
{
	v->top->csr_uptime = value;
	v->top->eval();
}
