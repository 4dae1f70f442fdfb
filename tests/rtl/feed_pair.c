/*
 * The card and the C reference decoder side by side: see feed_pair.h.
 */
#include <stdlib.h>
#include <string.h>

#include "feed_pair.h"
#include "tg_cunit.h"

void feed_pair_start(struct feed_pair *p, const struct tg_feed_config *cfg, bool msg_events, bool paced,
		     const struct tg_feed_event_handlers *card, const struct tg_feed_handlers *ref)
{
	struct tg_cm_config mc;

	memset(p, 0, sizeof(*p));
	p->paced = paced;
	p->mem = aligned_alloc(4096, FEED_PAIR_MEM_BYTES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->mem);
	memset(p->mem, 0, FEED_PAIR_MEM_BYTES);
	mc = (struct tg_cm_config){ .mem = p->mem, .mem_bytes = FEED_PAIR_MEM_BYTES, .bus_base = FEED_PAIR_BUS_BASE };
	p->cm = tg_cm_new(&mc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->cm);
	p->cf = tg_cf_new(p->cm, p->mem, FEED_PAIR_MEM_BYTES, FEED_PAIR_BUS_BASE, card);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->cf);
	CU_ASSERT_FATAL(tg_cf_configure(p->cf, cfg, msg_events));
	tg_feed_init(&p->feed, cfg, ref);
}

void feed_pair_frame(struct feed_pair *p, const uint8_t *f, size_t len)
{
	tg_feed_frame(&p->feed, f, len, 0);
	if (p->paced)
		CU_ASSERT_FATAL(tg_cf_frame_paced(p->cf, f, len))
	else
		CU_ASSERT_FATAL(tg_cf_frame(p->cf, f, len))
}

void feed_pair_frame_cb(void *ctx, const uint8_t *f, size_t len)
{
	feed_pair_frame(ctx, f, len);
}

void feed_pair_free(struct feed_pair *p)
{
	tg_cf_free(p->cf);
	tg_cm_free(p->cm);
	free(p->mem);
	memset(p, 0, sizeof(*p));
}
