// extern "C" shim around the Verilated tg_risk; see vrisk.h.
#include <cstring>
#include <memory>

#include "Vtg_risk.h"
#include "verilated.h"

#include "vrisk.h"

#ifndef TG_VRISK_INSTRUMENTS
#error "TG_VRISK_INSTRUMENTS and TG_VRISK_SLOTS must match the Verilated parameters"
#endif

#ifndef TG_VRISK_PROBES
#error "TG_VRISK_PROBES must match the Verilated parameter"
#endif

struct tg_vrisk {
	std::unique_ptr<VerilatedContext> ctx;
	std::unique_ptr<Vtg_risk> top;
	unsigned probe;		/* the probe the next input sits at */
};

static tg_risk_notional wide128(const VlWide<4> &w)
{
	unsigned __int128 u = 0;
	for (int i = 3; i >= 0; i--)
		u = (u << 32) | w[i];
	return (tg_risk_notional)u;
}

/* a port from 32-bit words, low first: up to 64 bits at once, wider word by word */
template <typename T> static void set_wide(T &port, const uint32_t *w)
{
	port = (T)(w[0] | (sizeof(T) > 4 ? (uint64_t)w[1] << 32 : 0));
}

template <std::size_t N> static void set_wide(VlWide<N> &port, const uint32_t *w)
{
	for (std::size_t i = 0; i < N; i++)
		port[i] = w[i];
}

/* the low n bits of v into words w from bit `at` on */
static void put_bits(uint32_t *w, unsigned at, unsigned n, uint32_t v)
{
	for (unsigned b = 0; b < n; b++)
		w[(at + b) / 32] |= ((v >> b) & 1u) << ((at + b) % 32);
}

extern "C" unsigned tg_vrisk_instruments(void)
{
	return TG_VRISK_INSTRUMENTS;
}

extern "C" unsigned tg_vrisk_slots(void)
{
	return TG_VRISK_SLOTS;
}

extern "C" struct tg_vrisk *tg_vrisk_new(void)
{
	tg_vrisk *v = new tg_vrisk;
	v->ctx = std::make_unique<VerilatedContext>();
	v->top = std::make_unique<Vtg_risk>(v->ctx.get(), "tg_risk");
	v->probe = 0;
	v->top->clk = 0;
	v->top->rst = 1;
	v->top->eval();
	v->top->clk = 1;
	v->top->eval();
	v->top->clk = 0;
	v->top->rst = 0;
	v->top->eval();
	return v;
}

extern "C" void tg_vrisk_free(struct tg_vrisk *v)
{
	if (v == nullptr)
		return;
	v->top->final();
	delete v;
}

extern "C" void tg_vrisk_cycle(struct tg_vrisk *v, const struct tg_risk_input *in, struct tg_vrisk_out *out)
{
	Vtg_risk *t = v->top.get();
	t->in_take = 0;
	if (in != nullptr) {
		t->in_kind = in->kind;
		t->in_sub = in->sub;
		t->in_inst = in->inst;
		t->in_side = in->side;
		t->in_field = in->field;
		t->in_slot = in->slot;
		t->in_qty = in->qty;
		t->in_price = in->price;
		t->in_price2 = in->price2;
		t->in_value = in->value;
		t->in_t = in->t;
		/* As in the card (tg_gate): the input sits at one of the probes,
		 * the others hold other inputs (here its instrument, slot and
		 * side with bit 0 flipped, its quantity with bit 1, its prices
		 * with bits 2 and 3), and in_slot_src names the input's probe.
		 * Stage A reads the slot and instrument tables, matches a fill
		 * with its slot, negates the quantity and makes the BBO's mid at
		 * every probe and picks, so a wrong pick takes the decoy's. A
		 * kill uses nothing picked, and the card's in_slot_src names
		 * another source's probe while a kill enters: here the next
		 * probe, whose decoy is a fill (a fill matches its slot, and its
		 * share counts are the most the pick makes). */
		unsigned pos = v->probe;
		v->probe = (v->probe + 1) % TG_VRISK_PROBES;
		uint32_t kinds = 0, subs = 0, insts = 0, sides = 0;
		uint64_t slots = 0;
		uint32_t qtys[(24 * TG_VRISK_PROBES + 31) / 32 + 1] = {0};
		uint32_t prices[(31 * TG_VRISK_PROBES + 31) / 32 + 1] = {0};
		uint32_t prices2[(31 * TG_VRISK_PROBES + 31) / 32 + 1] = {0};
		for (unsigned j = 0; j < TG_VRISK_PROBES; j++) {
			unsigned decoy = j == pos ? 0u : 1u;
			unsigned kind = in->kind == TG_RISK_IN_KILL && decoy ? TG_RISK_IN_FILL : in->kind;
			kinds |= (uint32_t)kind << (4 * j);
			subs |= (uint32_t)in->sub << (2 * j);
			insts |= (uint32_t)(in->inst ^ decoy) << (8 * j);
			sides |= (uint32_t)(in->side ^ decoy) << (2 * j);
			slots |= (uint64_t)(in->slot ^ decoy) << (16 * j);
			put_bits(qtys, 24 * j, 24, in->qty ^ (decoy << 1));
			put_bits(prices, 31 * j, 31, in->price ^ (decoy << 2));
			put_bits(prices2, 31 * j, 31, in->price2 ^ (decoy << 3));
		}
		t->pr_kind = kinds;
		t->pr_sub = subs;
		t->pr_inst = insts;
		t->pr_side = sides;
		t->pr_slot = slots;
		set_wide(t->pr_qty, qtys);
		set_wide(t->pr_price, prices);
		set_wide(t->pr_price2, prices2);
		t->in_slot_src = 1u << (in->kind == TG_RISK_IN_KILL ? v->probe : pos);
	}
	unsigned probe_at = (v->probe + TG_VRISK_PROBES - 1) % TG_VRISK_PROBES;
	t->clk = 0;
	t->eval();
	out->in_ready = in != nullptr && t->in_ready;
	out->probe_ready = in != nullptr && ((t->pr_ready >> probe_at) & 1u);
	t->in_take = out->in_ready;	/* the input enters when it may */
	t->eval();
	out->valid = t->out_valid;
	out->kind = t->out_kind;
	out->reason = t->out_reason;
	out->inst = t->out_inst;
	out->side = t->out_side;
	out->slot = t->out_slot;
	out->qty = t->out_qty;
	out->price = t->out_price;
	t->clk = 1;
	t->eval();
	t->clk = 0;
	t->eval();
}

extern "C" void tg_vrisk_inst(struct tg_vrisk *v, unsigned inst, struct tg_risk_inst_state *st,
			      tg_risk_notional *ln, tg_risk_notional *sn)
{
	Vtg_risk *t = v->top.get();
	t->rd_inst = inst;
	t->eval();
	memset(st, 0, sizeof(*st));
	st->position = (int64_t)t->rd_position;
	st->open_buy = t->rd_open_buy;
	st->open_sell = t->rd_open_sell;
	st->open_orders = t->rd_open_orders;
	st->ref_price = t->rd_ref_price;
	st->last_valid = t->rd_flags & 1;
	st->halted_feed = (t->rd_flags >> 1) & 1;
	st->halted_host = (t->rd_flags >> 2) & 1;
	st->killed = (t->rd_flags >> 3) & 1;
	st->rate_tat = t->rd_rate_tat;
	*ln = wide128(t->rd_ln);
	*sn = wide128(t->rd_sn);
}

extern "C" void tg_vrisk_slot(struct tg_vrisk *v, unsigned slot, struct tg_risk_slot *sl)
{
	Vtg_risk *t = v->top.get();
	t->rd_slot = slot;
	t->eval();
	sl->open = t->rd_slot_open;
	sl->inst = t->rd_slot_inst;
	sl->side = t->rd_slot_side;
	sl->rem = t->rd_slot_rem;
	sl->price = t->rd_slot_price;
}

extern "C" void tg_vrisk_totals(struct tg_vrisk *v, struct tg_risk_totals *out)
{
	Vtg_risk *t = v->top.get();
	memset(out, 0, sizeof(*out));
	for (unsigned r = 0; r < TG_RISK_REASONS; r++) {
		t->rd_reason = r;
		t->eval();
		out->decided[r] = t->rd_decided;
	}
	out->gross = wide128(t->rd_gross);
	out->net_long = wide128(t->rd_net_long);
	out->net_short = wide128(t->rd_net_short);
	out->open_orders = t->rd_open_all;
	out->killed = t->rd_killed;
	out->rate_tat = t->rd_rate_tat_all;
	out->bad_inputs = t->rd_bad_inputs;
	out->unmatched = t->rd_unmatched;
}

extern "C" uint64_t tg_vrisk_limit(struct tg_vrisk *v, unsigned field, unsigned inst, bool shadow)
{
	Vtg_risk *t = v->top.get();
	t->rd_field = field;
	t->rd_inst = inst;
	t->rd_shadow = shadow;
	t->eval();
	return t->rd_limit;
}
