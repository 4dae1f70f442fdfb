/*
 * tickgate feed topcap: wrap the messages of a binary ITCH 5.0 file into
 * MoldUDP64 packets in UDP/IPv4/Ethernet frames, written as a
 * nanosecond pcap, so any ITCH file can be replayed through the card
 * (tickgate-sim --pcap) or opened in Wireshark.
 *
 * Frames go to 233.54.12.111:26477 (MAC 01:00:5e:36:0c:6f) from
 * 10.0.0.1:26400; sequence numbers start at 1; each frame's timestamp is the
 * ITCH timestamp of its first message (ns since midnight, on 1 Jan 1970).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "feed_cli.h"
#include "tickgate/mold_frame.h"

struct topcap {
	FILE *out;
	const struct feed_opts *o;
	struct tg_mold_frame_params fp;
	uint64_t next_seq;
	uint8_t blocks[TG_MOLD_MAX_PAYLOAD];
	size_t used;
	unsigned count;
	uint64_t first_ts;
	uint64_t frames;
	bool write_error;
};

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void flush(struct topcap *t)
{
	uint8_t f[TG_MOLD_FRAME_HDR + TG_MOLD_MAX_PAYLOAD], rec[16];
	size_t len;

	if (t->count == 0)
		return;
	len = tg_mold_frame(f, sizeof(f), &t->fp, t->next_seq, (uint16_t)t->count, t->blocks, t->used);
	t->fp.ip_id++;
	put32le(rec, (uint32_t)(t->first_ts / 1000000000u));
	put32le(rec + 4, (uint32_t)(t->first_ts % 1000000000u));
	put32le(rec + 8, (uint32_t)len);
	put32le(rec + 12, (uint32_t)len);
	if (len == 0 || fwrite(rec, 1, 16, t->out) != 16 || fwrite(f, 1, len, t->out) != len)
		t->write_error = true;
	t->frames++;
	t->next_seq += t->count;
	t->used = 0;
	t->count = 0;
}

static void on_msg(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	struct topcap *t = ctx;

	if (t->used + 2 + len > TG_MOLD_MAX_PAYLOAD - TG_MOLD_HDR ||
	    (t->o->msgs_per_packet && t->count == t->o->msgs_per_packet))
		flush(t);
	if (t->count == 0)
		t->first_ts = tg_itch_timestamp(msg);
	t->blocks[t->used] = (uint8_t)(len >> 8);
	t->blocks[t->used + 1] = (uint8_t)len;
	memcpy(t->blocks + t->used + 2, msg, len);
	t->used += 2 + len;
	t->count++;
}

int feed_topcap(const struct feed_opts *o)
{
	static const uint8_t pcap_hdr[24] = {
		0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
	};	/* nanosecond pcap, little-endian, snaplen 65535, Ethernet */
	struct topcap t = { .o = o, .next_seq = 1 };
	struct tg_feed_handlers h = { .message = on_msg, .ctx = &t };
	struct tg_feed feed;
	const char *session = o->session ? o->session : "TICKGATE";
	int rc;

	if (tg_feed_is_pcap(o->file))
		return cli_usage_error("feed", "topcap reads a binary ITCH file, and %s is a pcap", o->file);
	tg_mold_frame_defaults(&t.fp, session);
	t.out = fopen(o->out, "wb");
	if (t.out == NULL) {
		cli_error("%s: %s", o->out, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	if (fwrite(pcap_hdr, 1, sizeof(pcap_hdr), t.out) != sizeof(pcap_hdr))
		t.write_error = true;
	rc = feed_run_file(&feed, o, &h);
	flush(&t);
	if (fclose(t.out) != 0)
		t.write_error = true;
	if (t.write_error) {
		cli_error("%s: write failed", o->out);
		return CLI_EXIT_FAIL;
	}
	if (rc == CLI_EXIT_OK)
		fprintf(stderr, "tickgate: %s: %llu messages in %llu frames\n", o->out,
			(unsigned long long)(t.next_seq - 1), (unsigned long long)t.frames);
	return rc;
}
