/* The matching engine behind the venue interface. */
#include "venue.h"

static int match_enter(void *venue, const struct tg_match_order *o, uint64_t ts_ns, uint64_t *ref)
{
	return tg_match_enter(venue, o, ts_ns, ref);
}

static int match_reduce(void *venue, uint64_t ref, uint32_t shares, uint64_t ts_ns)
{
	return tg_match_reduce(venue, ref, shares, ts_ns);
}

static int match_replace(void *venue, uint64_t ref, uint32_t shares, uint32_t price, bool hidden,
			 uint64_t ts_ns, uint64_t *new_ref)
{
	return tg_match_replace(venue, ref, shares, price, hidden, ts_ns, new_ref);
}

static bool match_halted(void *venue, uint16_t instrument)
{
	return tg_match_halted(venue, instrument);
}

static const struct tg_venue_ops match_ops = {
	.enter = match_enter,
	.reduce = match_reduce,
	.replace = match_replace,
	.halted = match_halted,
};

void tg_venue_of_match(struct tg_venue *v, struct tg_match *m)
{
	v->ops = &match_ops;
	v->venue = m;
}
