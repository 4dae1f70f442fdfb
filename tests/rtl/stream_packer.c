/*
 * Seeded MoldUDP64 packets of generated order flow: see stream_packer.h.
 */
#include <string.h>

#include "stream_packer.h"

uint64_t tg_packer_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

size_t tg_packer_next(struct tg_packer *p, uint8_t *f, unsigned max_msgs, unsigned *count)
{
	uint8_t blocks[TG_MOLD_MAX_PAYLOAD];
	size_t used = 0;
	unsigned want = 1 + (unsigned)(tg_packer_rand(&p->rng) % max_msgs), n = 0;

	while (n < want) {
		uint8_t m[64];
		size_t len = tg_itch_gen_next(p->gen, m);

		if (used + 2 + len > sizeof(blocks) - TG_MOLD_HDR)
			break;	/* the packet is full; this message is left out of the stream */
		blocks[used] = (uint8_t)(len >> 8);
		blocks[used + 1] = (uint8_t)len;
		memcpy(blocks + used + 2, m, len);
		used += 2 + len;
		n++;
	}
	*count = n;
	size_t fl = tg_mold_frame(f, TG_PACKER_FRAME_MAX, &p->fp, p->seq, (uint16_t)n, blocks, used);

	p->seq += n;
	p->fp.ip_id++;
	return fl;
}
