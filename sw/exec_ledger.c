/* Executions by UserRefNum and match number, for broken trades (tickgate/exec_ledger.h). */
#include <stdlib.h>
#include <string.h>

#include "tickgate/card_regs.h"
#include "tickgate/exec_ledger.h"

#define INITIAL_CAP 1024u		/* entries; a power of two, grown at half full */
#define SLOTS_MAX 65536u

struct slot_order {
	bool known;
	uint8_t inst, side;
};

struct entry {
	bool used;
	struct tg_exec x;
};

struct tg_exec_ledger {
	struct slot_order *slot;
	unsigned n_slots;
	struct entry *tab;
	size_t cap, n;
	struct tg_exec_ledger_stats st;
};

struct tg_exec_ledger *tg_exec_ledger_new(unsigned slots)
{
	if (slots == 0 || slots > SLOTS_MAX)
		return NULL;
	struct tg_exec_ledger *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->slot = calloc(slots, sizeof(*l->slot));
	l->tab = calloc(INITIAL_CAP, sizeof(*l->tab));
	if (l->slot == NULL || l->tab == NULL) {
		tg_exec_ledger_free(l);
		return NULL;
	}
	l->n_slots = slots;
	l->cap = INITIAL_CAP;
	return l;
}

void tg_exec_ledger_free(struct tg_exec_ledger *l)
{
	if (l == NULL)
		return;
	free(l->slot);
	free(l->tab);
	free(l);
}

int tg_exec_ledger_order(struct tg_exec_ledger *l, unsigned slot, unsigned inst, unsigned side)
{
	if (l == NULL || slot >= l->n_slots || inst > 255 || side > 3)
		return TG_ERR_ARG;
	l->slot[slot] = (struct slot_order){ .known = true, .inst = (uint8_t)inst, .side = (uint8_t)side };
	return TG_OK;
}

static size_t hash(uint32_t urn, uint64_t match)
{
	uint64_t z = match * 0x9e3779b97f4a7c15ull ^ ((uint64_t)urn << 7 | urn >> 25);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (size_t)(z ^ (z >> 31));
}

/* The entry of (urn, match), or the free entry where it would go. */
static struct entry *probe(const struct tg_exec_ledger *l, uint32_t urn, uint64_t match)
{
	size_t i = hash(urn, match) & (l->cap - 1);

	while (l->tab[i].used && !(l->tab[i].x.urn == urn && l->tab[i].x.match == match))
		i = (i + 1) & (l->cap - 1);
	return &l->tab[i];
}

static bool grow(struct tg_exec_ledger *l)
{
	struct entry *old = l->tab;
	size_t old_cap = l->cap;
	struct entry *tab = calloc(old_cap * 2, sizeof(*tab));

	if (tab == NULL)
		return false;
	l->tab = tab;
	l->cap = old_cap * 2;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].used)
			*probe(l, old[i].x.urn, old[i].x.match) = old[i];
	}
	free(old);
	return true;
}

const struct tg_exec *tg_exec_ledger_find(const struct tg_exec_ledger *l, uint32_t urn, uint64_t match)
{
	const struct entry *e = probe(l, urn, match);

	return e->used ? &e->x : NULL;
}

uint64_t tg_exec_match_of(const struct tg_c2h_order_resp *e)
{
	uint64_t m = 0;

	for (int i = 6; i >= 0; i--)
		m = m << 8 | e->ref[i];
	return m;
}

static void on_decision(struct tg_exec_ledger *l, const struct tg_c2h_order_decision *d)
{
	/* an accepted NEW opens its slot with this instrument and side; a
	 * replace keeps both; nothing else says anything new */
	if ((d->flags & 1u) && d->reason == TG_RISK_R_ACCEPTED && d->kind == TG_RISK_IN_NEW && d->slot < l->n_slots)
		l->slot[d->slot] = (struct slot_order){ .known = true, .inst = d->instrument, .side = d->side };
}

static int on_execution(struct tg_exec_ledger *l, const struct tg_c2h_order_resp *e, struct tg_exec *out)
{
	struct tg_exec x = { .urn = e->urn, .match = tg_exec_match_of(e), .slot = e->slot, .qty = e->qty,
			     .price = e->price, .price_wide = e->flags & 2u, .applied = e->flags & 1u,
			     .exch_time = e->exch_time, .inst = 0xff };
	const struct slot_order *so = e->slot < l->n_slots ? &l->slot[e->slot] : NULL;

	if (x.applied) {
		/* the card names the instrument of the slot it applied it to; the
		 * side is the order's, which only its decision told */
		if (so == NULL || !so->known || so->inst != e->instrument) {
			l->st.no_order++;
			return TG_EXEC_NO_ORDER;
		}
		x.inst = so->inst;
		x.side = so->side;
	}
	struct entry *slot = probe(l, x.urn, x.match);
	if (slot->used) {
		l->st.repeated++;
		if (out != NULL)
			*out = slot->x;
		return TG_EXEC_DUPLICATE;
	}
	if ((l->n + 1) * 2 > l->cap) {
		if (!grow(l))
			return TG_ERR_NOMEM;
		slot = probe(l, x.urn, x.match);
	}
	slot->used = true;
	slot->x = x;
	l->n++;
	l->st.kept++;
	if (out != NULL)
		*out = x;
	return x.applied ? TG_EXEC_RECORDED : TG_EXEC_UNAPPLIED;
}

static int on_broken(struct tg_exec_ledger *l, const struct tg_c2h_order_resp *e, struct tg_exec *out)
{
	struct entry *slot = probe(l, e->urn, tg_exec_match_of(e));

	if (!slot->used) {
		l->st.unknown++;
		return TG_EXEC_BUST_UNKNOWN;
	}
	bool again = slot->x.busted;
	slot->x.busted = true;
	if (out != NULL)
		*out = slot->x;
	if (again) {
		l->st.repeated++;
		return TG_EXEC_BUST_AGAIN;
	}
	if (!slot->x.applied)
		return TG_EXEC_BUST_UNAPPLIED;
	l->st.busts++;
	l->st.bust_shares += slot->x.qty;
	return TG_EXEC_BUST;
}

int tg_exec_ledger_event(struct tg_exec_ledger *l, const union tg_c2h_record *ev, struct tg_exec *out)
{
	if (l == NULL || ev == NULL)
		return TG_ERR_ARG;
	if (ev->hdr.type == TG_C2H_EVT_ORDER_DECISION) {
		on_decision(l, &ev->order_decision);
		return TG_EXEC_NONE;
	}
	if (ev->hdr.type != TG_C2H_EVT_ORDER_RESP || (ev->order_resp.flags & 4u))
		return TG_EXEC_NONE;	/* not an exchange message, or one the card did not understand */
	if (ev->order_resp.msg_type == 'E')
		return on_execution(l, &ev->order_resp, out);
	if (ev->order_resp.msg_type == 'B')
		return on_broken(l, &ev->order_resp, out);
	return TG_EXEC_NONE;
}

void tg_exec_ledger_stats(const struct tg_exec_ledger *l, struct tg_exec_ledger_stats *out)
{
	*out = l->st;
}

const char *tg_exec_result_name(int result)
{
	switch (result) {
	case TG_EXEC_NONE: return "none";
	case TG_EXEC_RECORDED: return "recorded";
	case TG_EXEC_UNAPPLIED: return "unapplied";
	case TG_EXEC_NO_ORDER: return "no-order";
	case TG_EXEC_DUPLICATE: return "duplicate";
	case TG_EXEC_BUST: return "bust";
	case TG_EXEC_BUST_UNAPPLIED: return "bust-unapplied";
	case TG_EXEC_BUST_AGAIN: return "bust-again";
	case TG_EXEC_BUST_UNKNOWN: return "bust-unknown";
	default: return tg_strerror(result);
	}
}
