/*
 * The order-entry connection as a pcap file of Ethernet/IPv4/TCP frames:
 * see oe_pcap.h.
 *
 * TCP state kept per direction: the next sequence number it sends and how
 * far the other side has acknowledged it. Every frame but the first SYN
 * carries ACK for everything the other side sent before it, as a real
 * stack would; a pure ACK is added when one direction has 32 KiB
 * unacknowledged (more than that in flight against the 65535-byte window
 * the frames advertise would look like a stalled connection to Wireshark's
 * analysis). The file is flushed after every call, so it can be read while
 * the simulator runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oe_pcap.h"

#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_SNAPLEN 65535u
#define LINKTYPE_ETHERNET 1u
#define ETH_HDR 14u
#define IP_HDR 20u
#define TCP_HDR 20u
#define ACK_EVERY 32768u
#define WINDOW 65535u

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10 };
enum { CLIENT = 0, SERVER = 1 };

struct oe_pcap {
	FILE *f;
	bool failed;
	bool open;		/* a connection is in the file and not closed */
	unsigned conns;
	uint16_t ip_id;
	uint32_t ip[2];
	uint16_t port[2];
	uint32_t next_seq[2];	/* next sequence number each side sends */
	uint32_t acked[2];	/* how far the other side acknowledged each side */
	bool fin[2];
};

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

static void put32le(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put16le(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* one's complement sum of 16-bit big-endian words (odd length padded with a zero byte) */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1u)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

static void emit(struct oe_pcap *p, const uint8_t *frame, size_t len)
{
	struct timespec ts;
	uint8_t rec[16];

	if (p->failed)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	put32le(rec, (uint32_t)ts.tv_sec);
	put32le(rec + 4, (uint32_t)ts.tv_nsec);
	put32le(rec + 8, (uint32_t)len);
	put32le(rec + 12, (uint32_t)len);
	if (fwrite(rec, 1, sizeof(rec), p->f) != sizeof(rec) || fwrite(frame, 1, len, p->f) != len)
		p->failed = true;
}

/* One TCP segment from `side` with these flags and payload. */
static void segment(struct oe_pcap *p, int side, unsigned flags, const uint8_t *data, size_t len)
{
	static const uint8_t mac[2][6] = {
		{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },	/* client: locally administered */
		{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 },	/* server */
	};
	uint8_t frame[ETH_HDR + IP_HDR + TCP_HDR + OE_PCAP_MSS];
	uint8_t *ip = frame + ETH_HDR, *tcp = ip + IP_HDR;
	int other = 1 - side;
	uint32_t ack = flags & TCP_ACK ? p->next_seq[other] : 0;
	uint8_t pseudo[12];
	uint32_t sum;

	memcpy(frame, mac[other], 6);
	memcpy(frame + 6, mac[side], 6);
	put16(frame + 12, 0x0800);

	memset(ip, 0, IP_HDR);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)(IP_HDR + TCP_HDR + len));
	put16(ip + 4, p->ip_id++);
	put16(ip + 6, 0x4000);	/* don't fragment */
	ip[8] = 64;
	ip[9] = 6;		/* TCP */
	put32(ip + 12, p->ip[side]);
	put32(ip + 16, p->ip[other]);
	put16(ip + 10, fold(sum16(0, ip, IP_HDR)));

	memset(tcp, 0, TCP_HDR);
	put16(tcp, p->port[side]);
	put16(tcp + 2, p->port[other]);
	put32(tcp + 4, p->next_seq[side]);
	put32(tcp + 8, ack);
	tcp[12] = (TCP_HDR / 4) << 4;
	tcp[13] = (uint8_t)flags;
	put16(tcp + 14, WINDOW);
	if (len > 0)
		memcpy(tcp + TCP_HDR, data, len);
	put32(pseudo, p->ip[side]);
	put32(pseudo + 4, p->ip[other]);
	pseudo[8] = 0;
	pseudo[9] = 6;
	put16(pseudo + 10, (unsigned)(TCP_HDR + len));
	sum = sum16(0, pseudo, sizeof(pseudo));
	put16(tcp + 16, fold(sum16(sum, tcp, TCP_HDR + len)));

	emit(p, frame, ETH_HDR + IP_HDR + TCP_HDR + len);
	p->next_seq[side] += (uint32_t)len + ((flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
	if (flags & TCP_ACK)
		p->acked[other] = ack;
}

static void flush(struct oe_pcap *p)
{
	if (!p->failed && fflush(p->f) != 0)
		p->failed = true;
}

struct oe_pcap *oe_pcap_open(const char *path, char *err, size_t errlen)
{
	struct oe_pcap *p = calloc(1, sizeof(*p));
	uint8_t hdr[24];

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->f = fopen(path, "wb");
	if (p->f == NULL) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		free(p);
		return NULL;
	}
	put32le(hdr, PCAP_MAGIC_NS);
	put16le(hdr + 4, 2);	/* version 2.4 */
	put16le(hdr + 6, 4);
	put32le(hdr + 8, 0);	/* GMT */
	put32le(hdr + 12, 0);	/* accuracy */
	put32le(hdr + 16, PCAP_SNAPLEN);
	put32le(hdr + 20, LINKTYPE_ETHERNET);
	if (fwrite(hdr, 1, sizeof(hdr), p->f) != sizeof(hdr) || fflush(p->f) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		fclose(p->f);
		free(p);
		return NULL;
	}
	return p;
}

void oe_pcap_close(struct oe_pcap *p)
{
	if (p == NULL)
		return;
	fclose(p->f);
	free(p);
}

void oe_pcap_connect(struct oe_pcap *p, uint32_t client_ip, uint16_t client_port, uint32_t server_ip,
		     uint16_t server_port)
{
	/* a connection left half closed (we closed, the server's FIN was not
	 * seen) is simply left as it is: its frames are all in the file */
	p->conns++;
	p->ip[CLIENT] = client_ip;
	p->ip[SERVER] = server_ip;
	p->port[CLIENT] = client_port;
	p->port[SERVER] = server_port;
	/* any initial numbers do; these differ per connection and are easy to spot */
	p->next_seq[CLIENT] = 0x10000000u * (p->conns & 0x7u) + ((uint32_t)client_port << 8);
	p->next_seq[SERVER] = 0x80000000u + 0x01000000u * (p->conns & 0x3fu);
	p->fin[CLIENT] = p->fin[SERVER] = false;
	p->open = true;
	segment(p, CLIENT, TCP_SYN, NULL, 0);
	segment(p, SERVER, TCP_SYN | TCP_ACK, NULL, 0);
	segment(p, CLIENT, TCP_ACK, NULL, 0);
	flush(p);
}

void oe_pcap_data(struct oe_pcap *p, bool from_client, const uint8_t *data, size_t len)
{
	int side = from_client ? CLIENT : SERVER;

	if (!p->open || p->fin[side])
		return;
	while (len > 0) {
		size_t n = len < OE_PCAP_MSS ? len : OE_PCAP_MSS;

		segment(p, side, TCP_ACK | (n == len ? TCP_PSH : 0u), data, n);
		data += n;
		len -= n;
		if (p->next_seq[side] - p->acked[side] >= ACK_EVERY)
			segment(p, 1 - side, TCP_ACK, NULL, 0);
	}
	flush(p);
}

void oe_pcap_fin(struct oe_pcap *p, bool from_client)
{
	int side = from_client ? CLIENT : SERVER;

	if (!p->open || p->fin[side])
		return;
	segment(p, side, TCP_FIN | TCP_ACK, NULL, 0);
	p->fin[side] = true;
	/* the other side acknowledges the FIN; after both FINs the connection is gone */
	segment(p, 1 - side, TCP_ACK, NULL, 0);
	if (p->fin[1 - side])
		p->open = false;
	flush(p);
}

void oe_pcap_reset(struct oe_pcap *p, bool from_client)
{
	if (!p->open)
		return;
	segment(p, from_client ? CLIENT : SERVER, TCP_RST | TCP_ACK, NULL, 0);
	p->open = false;
	flush(p);
}

bool oe_pcap_failed(const struct oe_pcap *p)
{
	return p->failed;
}
