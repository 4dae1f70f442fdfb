/*
 * MoldUDP64/UDP/IPv4/Ethernet frame builder: see tickgate/mold_frame.h.
 */
#include <string.h>

#include "tickgate/mold_frame.h"

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffffu);
}

void tg_mold_frame_defaults(struct tg_mold_frame_params *p, const char *session)
{
	static const uint8_t dst[6] = { 0x01, 0x00, 0x5e, 0x36, 0x0c, 0x6f };
	static const uint8_t src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	size_t n = session != NULL ? strlen(session) : 0;

	memset(p, 0, sizeof(*p));
	memcpy(p->dst_mac, dst, 6);
	memcpy(p->src_mac, src, 6);
	p->src_ip = 0x0a000001u;
	p->dst_ip = 0xe9360c6fu;
	p->src_port = 26400;
	p->dst_port = 26477;
	memset(p->session, ' ', sizeof(p->session));
	memcpy(p->session, session, n < sizeof(p->session) ? n : sizeof(p->session));
}

size_t tg_mold_frame(uint8_t *out, size_t cap, const struct tg_mold_frame_params *p, uint64_t seq,
		     uint16_t count, const uint8_t *blocks, size_t blocks_len)
{
	size_t l2 = p->vlan ? 18u : 14u;
	size_t udp_len = 8u + TG_MOLD_HDR + blocks_len;
	size_t len = l2 + 20u + udp_len;
	uint8_t *ip = out + l2, *udp = ip + 20, *mold = udp + 8;
	uint32_t sum = 0;

	if (blocks_len > TG_MOLD_MAX_PAYLOAD - TG_MOLD_HDR || len > cap)
		return 0;
	memcpy(out, p->dst_mac, 6);
	memcpy(out + 6, p->src_mac, 6);
	if (p->vlan) {
		put16(out + 12, 0x8100);
		put16(out + 14, p->vlan_tci);
	}
	put16(out + l2 - 2, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)(20u + udp_len));
	put16(ip + 4, p->ip_id);
	put16(ip + 6, 0x4000);	/* don't fragment */
	ip[8] = 32;
	ip[9] = 17;
	put32(ip + 12, p->src_ip);
	put32(ip + 16, p->dst_ip);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffffu);
	put16(udp, p->src_port);
	put16(udp + 2, p->dst_port);
	put16(udp + 4, (unsigned)udp_len);
	put16(udp + 6, 0);	/* no UDP checksum, as IPv4 allows */
	memcpy(mold, p->session, 10);
	for (int i = 0; i < 8; i++)
		mold[10 + i] = (uint8_t)(seq >> (56 - 8 * i));
	put16(mold + 18, count);
	if (blocks_len > 0)
		memcpy(mold + TG_MOLD_HDR, blocks, blocks_len);
	return len;
}
