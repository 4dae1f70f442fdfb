/*
 * MoldUDP64 packets in UDP/IPv4/Ethernet frames (optionally 802.1Q
 * tagged), built the way an exchange sends them: the one frame builder for
 * topcap, the stream generator and the simulated exchange.
 */
#ifndef TICKGATE_MOLD_FRAME_H
#define TICKGATE_MOLD_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/result.h"

#define TG_MOLD_HDR 20u
#define TG_MOLD_FRAME_HDR (14u + 20u + 8u)	/* untagged Ethernet + IPv4 + UDP */
#define TG_MOLD_MAX_PAYLOAD 1472u		/* UDP payload of a 1500-byte IP packet */

struct tg_mold_frame_params {
	uint8_t dst_mac[6], src_mac[6];
	bool vlan;		/* add an 802.1Q tag */
	uint16_t vlan_tci;
	uint32_t src_ip, dst_ip;	/* host order */
	uint16_t src_port, dst_port;
	uint16_t ip_id;
	uint8_t session[10];
};

/* Defaults: 10.0.0.1:26400 -> 233.54.12.111:26477 (MAC 01:00:5e:36:0c:6f),
 * untagged, session padded with spaces. */
TG_API void tg_mold_frame_defaults(struct tg_mold_frame_params *p, const char *session);

/*
 * One frame carrying `count` message blocks (blocks: each a 2-byte
 * big-endian length then the message, blocks_len bytes in all) with
 * sequence number seq. Returns the frame length, 0 when it does not fit
 * cap or a 1500-byte IP packet.
 */
TG_API size_t tg_mold_frame(uint8_t *out, size_t cap, const struct tg_mold_frame_params *p, uint64_t seq,
			    uint16_t count, const uint8_t *blocks, size_t blocks_len);

#endif
