/*
 * Unit tests of the OUCH 5.0 codec (sw/ouch.c), first against real wire
 * captures: each capture's TCP payload is taken out of its frame (by the
 * IPv4 total length: these frames carry trailer bytes after the IP packet),
 * decoded as a SoupBinTCP packet and an OUCH message, checked field by
 * field against values read independently (tshark's SoupBinTCP dissector
 * and the bytes by hand, see docs/ouch.md), then encoded again and
 * compared byte for byte. Then every message type: fixed lengths, round
 * trips with fields at their limits, every truncation and bad appendage
 * refused (each input in a heap buffer of its exact size, so the sanitizer
 * build catches any read past it), options, builders and the text form.
 *
 * TICKGATE_DATA names the shared data folder; a capture test fails (does
 * not skip) when it or a file is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg_cunit.h"
#include "tickgate/ouch.h"
#include "tickgate/pcap_frames.h"
#include "tickgate/soupbin.h"

#define OUCH_DIR "omi/Nasdaq.Nsm.Ouch.v5.0"

struct capture {
	uint8_t payload[2048];	/* the TCP payload */
	size_t len;
	size_t frame_len;	/* bytes captured */
	size_t ip_end;		/* where the IPv4 packet ends in the frame */
	int vlan;
	uint16_t sport, dport;
	uint64_t ts_ns;
};

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Ethernet [802.1Q] IPv4 TCP: the payload by the IPv4 total length, not the frame's length. */
static int tcp_payload(const uint8_t *f, size_t n, struct capture *c)
{
	size_t l2 = 14, ihl, total, doff;
	unsigned et;
	const uint8_t *ip, *tcp;

	if (n < 14)
		return -1;
	et = be16(f + 12);
	c->vlan = et == 0x8100;
	if (c->vlan) {
		if (n < 18)
			return -1;
		et = be16(f + 16);
		l2 = 18;
	}
	if (et != 0x0800 || n < l2 + 20)
		return -1;
	ip = f + l2;
	ihl = (size_t)(ip[0] & 15) * 4;
	total = be16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 6 || total < ihl + 20 || l2 + total > n)
		return -1;
	tcp = ip + ihl;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < 20 || ihl + doff > total || total - ihl - doff > sizeof(c->payload))
		return -1;
	c->sport = (uint16_t)be16(tcp);
	c->dport = (uint16_t)be16(tcp + 2);
	c->len = total - ihl - doff;
	memcpy(c->payload, tcp + doff, c->len);
	c->frame_len = n;
	c->ip_end = l2 + total;
	return 0;
}

/* The first frame of a capture in the OUCH folder; CU_FAIL_FATAL when it cannot be read. */
static void load(const char *name, struct capture *c)
{
	const char *dir = getenv("TICKGATE_DATA");
	struct tg_pcap_reader *r = NULL;
	struct tg_pcap_frame f;
	char path[1024], err[512] = "";
	int rc;

	memset(c, 0, sizeof(*c));
	if (dir == NULL) {
		fprintf(stderr, "test_ouch: TICKGATE_DATA is not set (it names the shared data folder)\n");
		CU_FAIL_FATAL("TICKGATE_DATA not set");
	}
	snprintf(path, sizeof(path), "%s/%s/%s", dir, OUCH_DIR, name);
	if (tg_pcap_open(path, &r, err, sizeof(err)) != TG_OK) {
		fprintf(stderr, "test_ouch: cannot read capture: %s\n", err);
		CU_FAIL_FATAL("capture missing");
	}
	rc = tg_pcap_next(r, &f);
	CU_ASSERT_EQUAL(rc, 1);
	if (rc == 1) {
		c->ts_ns = f.ts_ns;
		CU_ASSERT_EQUAL(tcp_payload(f.data, f.caplen, c), 0);
	}
	tg_pcap_close(r);
	if (rc != 1)
		CU_FAIL_FATAL("capture has no frame");
}

/* The capture's single SoupBinTCP packet, and it re-encodes to the same bytes. */
static void soup_of(const struct capture *c, char type, struct tg_soup_packet *pkt)
{
	uint8_t again[2048];
	int rc = tg_soup_decode(c->payload, c->len, pkt);

	CU_ASSERT_EQUAL_FATAL(rc, (int)c->len);	/* one packet, nothing after it */
	CU_ASSERT_EQUAL(pkt->type, type);
	rc = tg_soup_encode(again, sizeof(again), pkt->type, pkt->payload, pkt->len);
	CU_ASSERT_EQUAL_FATAL(rc, (int)c->len);
	CU_ASSERT_EQUAL(memcmp(again, c->payload, c->len), 0);
}

/* Decode an OUCH payload, encode it again, compare. */
static void ouch_of(const struct tg_soup_packet *pkt, enum tg_ouch_dir dir, struct tg_ouch_msg *m)
{
	uint8_t again[TG_OUCH_MAX_MSG];
	int rc = tg_ouch_decode(dir, pkt->payload, pkt->len, m);

	CU_ASSERT_EQUAL_FATAL(rc, TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_encoded_len(m), pkt->len);
	rc = tg_ouch_encode(m, again, sizeof(again));
	CU_ASSERT_EQUAL_FATAL(rc, (int)pkt->len);
	CU_ASSERT_EQUAL(memcmp(again, pkt->payload, pkt->len), 0);
}

/* m encodes to exactly the n bytes at want. */
static void same_bytes(const struct tg_ouch_msg *m, const uint8_t *want, size_t n)
{
	uint8_t out[TG_OUCH_MAX_MSG];

	CU_ASSERT_EQUAL(tg_ouch_encode(m, out, sizeof(out)), (int)n);
	CU_ASSERT_EQUAL(memcmp(out, want, n), 0);
}

static void check_format(const struct tg_ouch_msg *m, const char *want)
{
	char text[TG_OUCH_TEXT_MAX];
	int n = tg_ouch_format(m, text, sizeof(text));

	CU_ASSERT_EQUAL(n, (int)strlen(want));
	CU_ASSERT_STRING_EQUAL(text, want);
	if (strcmp(text, want) != 0)
		fprintf(stderr, "\n got: %s\nwant: %s\n", text, want);
}

/* ---- captures ---- */

static void test_capture_enter_order(void)
{
	struct capture c;
	struct tg_soup_packet pkt;
	struct tg_ouch_msg m, built;
	struct tg_ouch_opt o;
	const struct tg_ouch_enter_order *e = &m.u.enter;

	load("EnterOrderMessage.pcap", &c);
	/* the 2023 capture: microsecond pcap, an 802.1Q tag (VLAN 5), no trailer */
	CU_ASSERT_EQUAL(c.ts_ns, 1683811800011074000ull);
	CU_ASSERT(c.vlan);
	CU_ASSERT_EQUAL(c.dport, 8001);
	CU_ASSERT_EQUAL(c.frame_len, c.ip_end);
	CU_ASSERT_EQUAL(c.len, 56);
	soup_of(&c, TG_SOUP_UNSEQUENCED, &pkt);
	CU_ASSERT_EQUAL(pkt.len, 53);
	ouch_of(&pkt, TG_OUCH_IN, &m);
	CU_ASSERT_EQUAL(m.kind, TG_OUCH_ENTER_ORDER);
	CU_ASSERT_EQUAL(e->user_ref_num, 113);
	CU_ASSERT_EQUAL(e->side, 'T');
	CU_ASSERT_EQUAL(e->quantity, 225);
	CU_ASSERT_EQUAL(memcmp(e->symbol, "CVLT    ", 8), 0);
	CU_ASSERT_EQUAL(e->price, 630200);	/* 63.0200 */
	CU_ASSERT_EQUAL(e->tif, '0');
	CU_ASSERT_EQUAL(e->display, 'Y');
	CU_ASSERT_EQUAL(e->capacity, 'A');
	CU_ASSERT_EQUAL(e->ise, 'N');
	CU_ASSERT_EQUAL(e->cross_type, 'N');
	CU_ASSERT_EQUAL(memcmp(e->clordid, "H8FUB8IV      ", 14), 0);
	CU_ASSERT_EQUAL(e->app.len, 6);
	CU_ASSERT_EQUAL(tg_ouch_opt_find(&e->app, TG_OUCH_TAG_FIRM, &o), 1);
	CU_ASSERT_EQUAL(o.tag, 2);
	CU_ASSERT_EQUAL(o.len, 4);
	CU_ASSERT_EQUAL(memcmp(o.value, "LIME", 4), 0);
	CU_ASSERT_PTR_NOT_NULL(o.info);
	CU_ASSERT_STRING_EQUAL(o.info->name, "Firm");
	check_format(&m, "Enter Order O user_ref_num=113 side=T quantity=225 symbol=CVLT price=63.0200 tif=0 "
			 "display=Y capacity=A ise=N cross_type=N clordid=H8FUB8IV appendage=[Firm=LIME]");

	/* the card's path: the builder and an option give the very same bytes */
	CU_ASSERT_EQUAL(tg_ouch_enter_order(&built, 113, 'T', 225, "CVLT", 630200, '0', 'Y', 'A', 'N', 'N',
					    "H8FUB8IV"), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_alpha(&built.u.enter.app, TG_OUCH_TAG_FIRM, "LIME"), TG_OK);
	same_bytes(&built, pkt.payload, 53);
}

static void test_capture_order_accepted(void)
{
	struct capture c;
	struct tg_soup_packet pkt;
	struct tg_ouch_msg m;
	struct tg_ouch_opt o;
	struct tg_ouch_opt_iter it;
	const struct tg_ouch_order_accepted *a = &m.u.accepted;

	load("OrderAcceptedMessage.pcap", &c);
	/* 2024 captures: nanosecond pcap, untagged, 16 trailer bytes after the IP packet */
	CU_ASSERT_EQUAL(c.ts_ns, 1714407847483498816ull);
	CU_ASSERT(!c.vlan);
	CU_ASSERT_EQUAL(c.sport, 8003);
	CU_ASSERT_EQUAL(c.frame_len, c.ip_end + 16);
	soup_of(&c, TG_SOUP_SEQUENCED, &pkt);
	CU_ASSERT_EQUAL(pkt.len, 73);
	ouch_of(&pkt, TG_OUCH_OUT, &m);
	CU_ASSERT_EQUAL(m.kind, TG_OUCH_ORDER_ACCEPTED);
	CU_ASSERT_EQUAL(a->timestamp, 44647483486087ull);	/* 12:24:07.483486087 */
	CU_ASSERT_EQUAL(a->user_ref_num, 7682701);
	CU_ASSERT_EQUAL(a->side, 'B');
	CU_ASSERT_EQUAL(a->quantity, 40);
	CU_ASSERT_EQUAL(memcmp(a->symbol, "ADBE    ", 8), 0);
	CU_ASSERT_EQUAL(a->price, 4777800);	/* 477.7800 */
	CU_ASSERT_EQUAL(a->tif, '5');
	CU_ASSERT_EQUAL(a->display, 'Y');
	CU_ASSERT_EQUAL(a->order_ref_num, 257340661);
	CU_ASSERT_EQUAL(a->capacity, 'A');
	CU_ASSERT_EQUAL(a->ise, 'N');
	CU_ASSERT_EQUAL(a->cross_type, 'N');
	CU_ASSERT_EQUAL(a->order_state, 'L');
	CU_ASSERT_EQUAL(memcmp(a->clordid, "7682701       ", 14), 0);
	CU_ASSERT_EQUAL(a->app.len, 9);
	tg_ouch_opt_begin(&it, &a->app);
	CU_ASSERT_EQUAL(tg_ouch_opt_next(&it, &o), 1);
	CU_ASSERT_EQUAL(o.tag, TG_OUCH_TAG_FIRM);
	CU_ASSERT_EQUAL(memcmp(o.value, "MLRO", 4), 0);
	CU_ASSERT_EQUAL(tg_ouch_opt_next(&it, &o), 1);
	CU_ASSERT_EQUAL(o.tag, TG_OUCH_TAG_BBO_WEIGHT_INDICATOR);
	CU_ASSERT_EQUAL(o.len, 1);
	CU_ASSERT_EQUAL(o.value[0], '0');
	CU_ASSERT_EQUAL(tg_ouch_opt_next(&it, &o), 0);
	check_format(&m, "Order Accepted A timestamp=12:24:07.483486087 user_ref_num=7682701 side=B quantity=40 "
			 "symbol=ADBE price=477.7800 tif=5 display=Y order_ref_num=257340661 capacity=A ise=N "
			 "cross_type=N order_state=L clordid=7682701 appendage=[Firm=MLRO BBOWeightIndicator=0]");
}

static void test_capture_cancel_order(void)
{
	struct capture c;
	struct tg_soup_packet pkt;
	struct tg_ouch_msg m, built;

	load("CancelOrderMessage.pcap", &c);
	CU_ASSERT_EQUAL(c.dport, 8003);
	CU_ASSERT_EQUAL(c.frame_len, c.ip_end + 16);
	soup_of(&c, TG_SOUP_UNSEQUENCED, &pkt);
	CU_ASSERT_EQUAL(pkt.len, 9);
	ouch_of(&pkt, TG_OUCH_IN, &m);
	CU_ASSERT_EQUAL(m.kind, TG_OUCH_CANCEL_ORDER);
	CU_ASSERT_EQUAL(m.u.cancel.user_ref_num, 7679601);
	CU_ASSERT_EQUAL(m.u.cancel.quantity, 0);
	check_format(&m, "Cancel Order X user_ref_num=7679601 quantity=0");
	tg_ouch_cancel_order(&built, 7679601, 0);
	same_bytes(&built, pkt.payload, 9);
}

static void test_capture_canceled(void)
{
	struct capture c;
	struct tg_soup_packet pkt;
	struct tg_ouch_msg m;

	load("CanceledMessage.pcap", &c);
	CU_ASSERT_EQUAL(c.frame_len, c.ip_end + 16);
	soup_of(&c, TG_SOUP_SEQUENCED, &pkt);
	CU_ASSERT_EQUAL(pkt.len, 18);
	ouch_of(&pkt, TG_OUCH_OUT, &m);
	CU_ASSERT_EQUAL(m.kind, TG_OUCH_ORDER_CANCELED);
	CU_ASSERT_EQUAL(m.u.canceled.timestamp, 44647483708183ull);
	CU_ASSERT_EQUAL(m.u.canceled.user_ref_num, 7682701);
	CU_ASSERT_EQUAL(m.u.canceled.quantity, 40);
	CU_ASSERT_EQUAL(m.u.canceled.reason, 'U');
	check_format(&m, "Order Canceled C timestamp=12:24:07.483708183 user_ref_num=7682701 quantity=40 reason=U");
}

static void test_capture_heartbeats(void)
{
	struct capture c;
	struct tg_soup_packet pkt;

	load("ClientHeartbeatPacket.pcap", &c);
	/* 57 bytes of frame before the padding to 60, then the 16-byte trailer */
	CU_ASSERT_EQUAL(c.frame_len, 76);
	CU_ASSERT_EQUAL(c.ip_end, 57);
	CU_ASSERT_EQUAL(c.len, 3);
	soup_of(&c, TG_SOUP_CLIENT_HEARTBEAT, &pkt);
	CU_ASSERT_EQUAL(pkt.len, 0);
	load("ServerHeartbeatPacket.pcap", &c);
	CU_ASSERT_EQUAL(c.len, 3);
	CU_ASSERT_EQUAL(c.sport, 8003);
	soup_of(&c, TG_SOUP_SERVER_HEARTBEAT, &pkt);
	CU_ASSERT_EQUAL(pkt.len, 0);
}

/* ---- every message type ---- */

static const struct {
	enum tg_ouch_kind kind;
	enum tg_ouch_dir dir;
	char type;
	size_t fixed;
	const char *name;
} expect[] = {
	{ TG_OUCH_ENTER_ORDER, TG_OUCH_IN, 'O', 47, "Enter Order" },
	{ TG_OUCH_REPLACE_ORDER, TG_OUCH_IN, 'U', 40, "Replace Order" },
	{ TG_OUCH_CANCEL_ORDER, TG_OUCH_IN, 'X', 9, "Cancel Order" },
	{ TG_OUCH_MODIFY_ORDER, TG_OUCH_IN, 'M', 10, "Modify Order" },
	{ TG_OUCH_ACCOUNT_QUERY, TG_OUCH_IN, 'Q', 1, "Account Query Request" },
	{ TG_OUCH_SYSTEM_EVENT, TG_OUCH_OUT, 'S', 10, "System Event" },
	{ TG_OUCH_ORDER_ACCEPTED, TG_OUCH_OUT, 'A', 64, "Order Accepted" },
	{ TG_OUCH_ORDER_REPLACED, TG_OUCH_OUT, 'U', 68, "Order Replaced" },
	{ TG_OUCH_ORDER_CANCELED, TG_OUCH_OUT, 'C', 18, "Order Canceled" },
	{ TG_OUCH_AIQ_CANCELED, TG_OUCH_OUT, 'D', 32, "AIQ Canceled" },
	{ TG_OUCH_ORDER_EXECUTED, TG_OUCH_OUT, 'E', 36, "Order Executed" },
	{ TG_OUCH_BROKEN_TRADE, TG_OUCH_OUT, 'B', 36, "Broken Trade" },
	{ TG_OUCH_ORDER_REJECTED, TG_OUCH_OUT, 'J', 29, "Order Rejected" },
	{ TG_OUCH_CANCEL_PENDING, TG_OUCH_OUT, 'P', 13, "Cancel Pending" },
	{ TG_OUCH_CANCEL_REJECT, TG_OUCH_OUT, 'I', 13, "Cancel Reject" },
	{ TG_OUCH_PRIORITY_UPDATE, TG_OUCH_OUT, 'T', 30, "Order Priority Update" },
	{ TG_OUCH_ORDER_MODIFIED, TG_OUCH_OUT, 'M', 18, "Order Modified" },
	{ TG_OUCH_ORDER_RESTATED, TG_OUCH_OUT, 'R', 16, "Order Restated" },
	{ TG_OUCH_ACCOUNT_QUERY_RESPONSE, TG_OUCH_OUT, 'Q', 13, "Account Query Response" },
};

static void test_table(void)
{
	unsigned known[2] = { 0, 0 };

	CU_ASSERT_EQUAL_FATAL(TG_CUNIT_COUNT(expect), TG_OUCH_KIND_COUNT);
	for (size_t i = 0; i < TG_CUNIT_COUNT(expect); i++) {
		CU_ASSERT_EQUAL(expect[i].kind, i);	/* the other tests index it by kind */
		CU_ASSERT_EQUAL(tg_ouch_kind_of(expect[i].dir, (uint8_t)expect[i].type), (int)expect[i].kind);
		CU_ASSERT_EQUAL(tg_ouch_fixed_len(expect[i].dir, (uint8_t)expect[i].type), expect[i].fixed);
		CU_ASSERT_STRING_EQUAL(tg_ouch_name(expect[i].dir, (uint8_t)expect[i].type), expect[i].name);
		CU_ASSERT_STRING_EQUAL(tg_ouch_kind_name(expect[i].kind), expect[i].name);
		CU_ASSERT_EQUAL(tg_ouch_kind_type(expect[i].kind), expect[i].type);
		CU_ASSERT_EQUAL(tg_ouch_kind_dir(expect[i].kind), expect[i].dir);
	}
	for (unsigned t = 0; t < 256; t++)
		for (int d = 0; d < 2; d++)
			known[d] += tg_ouch_fixed_len((enum tg_ouch_dir)d, (uint8_t)t) != 0;
	CU_ASSERT_EQUAL(known[TG_OUCH_IN], 5);
	CU_ASSERT_EQUAL(known[TG_OUCH_OUT], 14);
	CU_ASSERT_EQUAL(tg_ouch_fixed_len(TG_OUCH_IN, 'A'), 0);
	CU_ASSERT_STRING_EQUAL(tg_ouch_name(TG_OUCH_OUT, 'O'), "unknown");
	CU_ASSERT_EQUAL(tg_ouch_kind_of(TG_OUCH_OUT, 'X'), -1);
	CU_ASSERT_PTR_NULL(tg_ouch_kind_name(TG_OUCH_KIND_COUNT));
	CU_ASSERT(tg_ouch_has_appendage(TG_OUCH_ENTER_ORDER));
	CU_ASSERT(tg_ouch_has_appendage(TG_OUCH_REPLACE_ORDER));
	CU_ASSERT(tg_ouch_has_appendage(TG_OUCH_ORDER_ACCEPTED));
	CU_ASSERT(tg_ouch_has_appendage(TG_OUCH_ORDER_REPLACED));
	CU_ASSERT(tg_ouch_has_appendage(TG_OUCH_ORDER_EXECUTED));
	CU_ASSERT(tg_ouch_has_appendage(TG_OUCH_ORDER_RESTATED));
	CU_ASSERT(!tg_ouch_has_appendage(TG_OUCH_CANCEL_ORDER));
	CU_ASSERT(!tg_ouch_has_appendage(TG_OUCH_ORDER_CANCELED));
	/* the codec result codes have their own text */
	for (int rc = TG_ERR_SHORT; rc >= TG_ERR_PROTOCOL; rc--)
		CU_ASSERT_STRING_NOT_EQUAL(tg_strerror(rc), "unknown error");
}

/* An appendage of exactly n bytes of well-framed options (unknown tag 99, values of byte v). */
static void fill_appendage(struct tg_ouch_appendage *app, size_t n, uint8_t v)
{
	uint8_t val[254];

	memset(val, v, sizeof(val));
	app->len = 0;
	while (n > 0) {
		size_t take = n > 256 ? 200 : n;	/* never leave a remainder of 1 */

		if (n > 256 && n - take < 2)
			take = 100;
		CU_ASSERT_EQUAL_FATAL(tg_ouch_opt_add(app, 99, val, take - 2), TG_OK);
		n -= take;
	}
}

/* A message of this kind with every byte of its struct set to fill, appendage app_len long. */
static void make(struct tg_ouch_msg *m, enum tg_ouch_kind kind, uint8_t fill, size_t app_len)
{
	struct tg_ouch_appendage *app;

	memset(m, fill, sizeof(*m));
	m->kind = kind;
	app = tg_ouch_msg_appendage(m);
	if (app != NULL)
		fill_appendage(app, app_len, fill);
}

/* Encode, decode into a differently filled struct, encode again: the same bytes. */
static size_t round_trip(const struct tg_ouch_msg *m, uint8_t fill, uint8_t *wire)
{
	struct tg_ouch_msg d;
	uint8_t again[TG_OUCH_MAX_MSG];
	int n = tg_ouch_encode(m, wire, TG_OUCH_MAX_MSG), n2;

	CU_ASSERT_FATAL(n > 0);
	memset(&d, (uint8_t)~fill, sizeof(d));
	CU_ASSERT_EQUAL_FATAL(tg_ouch_decode(tg_ouch_kind_dir(m->kind), wire, (size_t)n, &d), TG_OK);
	CU_ASSERT_EQUAL(d.kind, m->kind);
	n2 = tg_ouch_encode(&d, again, sizeof(again));
	CU_ASSERT_EQUAL(n2, n);
	CU_ASSERT_EQUAL(memcmp(again, wire, (size_t)n), 0);
	return (size_t)n;
}

static void test_round_trip_limits(void)
{
	static const uint8_t fills[] = { 0x00, 0xff, 0x20, 0x7f, 0x80 };
	uint8_t wire[TG_OUCH_MAX_MSG];

	for (int k = 0; k < TG_OUCH_KIND_COUNT; k++) {
		size_t fixed = expect[k].fixed;
		size_t apps[] = { 0, 3, TG_OUCH_APPENDAGE_MAX };

		for (size_t f = 0; f < sizeof(fills); f++) {
			for (size_t a = 0; a < 3; a++) {
				struct tg_ouch_msg m;
				size_t app_len = tg_ouch_has_appendage((enum tg_ouch_kind)k) ? apps[a] : 0;
				size_t n, fixed_bytes;

				make(&m, (enum tg_ouch_kind)k, fills[f], app_len);
				n = round_trip(&m, fills[f], wire);
				CU_ASSERT_EQUAL(n, fixed + app_len);
				CU_ASSERT_EQUAL(wire[0], (uint8_t)expect[k].type);
				/* every fixed field came from the struct: all its bytes are the fill */
				fixed_bytes = tg_ouch_has_appendage((enum tg_ouch_kind)k) ? fixed - 2 : fixed;
				for (size_t i = 1; i < fixed_bytes; i++)
					CU_ASSERT_EQUAL(wire[i], fills[f]);
				if (tg_ouch_has_appendage((enum tg_ouch_kind)k)) {
					CU_ASSERT_EQUAL(wire[fixed - 2], app_len >> 8);
					CU_ASSERT_EQUAL(wire[fixed - 1], app_len & 0xff);
				}
			}
		}
	}
}

static void test_round_trip_fields(void)
{
	struct tg_ouch_msg m, d;
	uint8_t wire[TG_OUCH_MAX_MSG];
	int n;

	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_AIQ_CANCELED;
	m.u.aiq_canceled.timestamp = 86399999999999ull;
	m.u.aiq_canceled.user_ref_num = UINT32_MAX;
	m.u.aiq_canceled.decrement_shares = 1;
	m.u.aiq_canceled.reason = 'Q';
	m.u.aiq_canceled.quantity_prevented = 0x01020304;
	m.u.aiq_canceled.execution_price = UINT64_MAX;
	m.u.aiq_canceled.liquidity_flag = 'A';
	m.u.aiq_canceled.aiq_strategy = 'O';
	n = tg_ouch_encode(&m, wire, sizeof(wire));
	CU_ASSERT_EQUAL_FATAL(n, 32);
	CU_ASSERT_EQUAL(wire[17], 'Q');
	CU_ASSERT_EQUAL(wire[18], 1);
	CU_ASSERT_EQUAL(wire[21], 4);
	CU_ASSERT_EQUAL(wire[30], 'A');
	CU_ASSERT_EQUAL(wire[31], 'O');
	CU_ASSERT_EQUAL(tg_ouch_decode(TG_OUCH_OUT, wire, 32, &d), TG_OK);
	CU_ASSERT_EQUAL(d.u.aiq_canceled.timestamp, 86399999999999ull);
	CU_ASSERT_EQUAL(d.u.aiq_canceled.user_ref_num, UINT32_MAX);
	CU_ASSERT_EQUAL(d.u.aiq_canceled.quantity_prevented, 0x01020304);
	CU_ASSERT_EQUAL(d.u.aiq_canceled.execution_price, UINT64_MAX);
	CU_ASSERT_EQUAL(d.u.aiq_canceled.aiq_strategy, 'O');

	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_ORDER_REJECTED;
	m.u.rejected.reason = 0xfffe;
	memcpy(m.u.rejected.clordid, "ABCDEFGHIJKLMN", 14);
	n = tg_ouch_encode(&m, wire, sizeof(wire));
	CU_ASSERT_EQUAL_FATAL(n, 29);
	CU_ASSERT_EQUAL(wire[13], 0xff);
	CU_ASSERT_EQUAL(wire[14], 0xfe);
	CU_ASSERT_EQUAL(memcmp(wire + 15, "ABCDEFGHIJKLMN", 14), 0);
	CU_ASSERT_EQUAL(tg_ouch_decode(TG_OUCH_OUT, wire, 29, &d), TG_OK);
	CU_ASSERT_EQUAL(d.u.rejected.reason, 0xfffe);

	/* the same type byte means another message in the other direction */
	tg_ouch_cancel_order(&m, 1, 2);
	n = tg_ouch_encode(&m, wire, sizeof(wire));
	CU_ASSERT_EQUAL(n, 9);
	CU_ASSERT_EQUAL(tg_ouch_decode(TG_OUCH_OUT, wire, 9, &d), TG_ERR_MSGTYPE);
	CU_ASSERT_EQUAL(tg_ouch_decode((enum tg_ouch_dir)2, wire, 9, &d), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_encode(&m, wire, 8), TG_ERR_ARG);
	m.kind = TG_OUCH_KIND_COUNT;
	CU_ASSERT_EQUAL(tg_ouch_encode(&m, wire, sizeof(wire)), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_encoded_len(&m), 0);
}

/* Decode n bytes from a heap buffer of exactly n bytes (reads past it are caught by ASan). */
static int decode_exact(enum tg_ouch_dir dir, const uint8_t *src, size_t n, struct tg_ouch_msg *m)
{
	uint8_t *b = malloc(n > 0 ? n : 1);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	if (n > 0)
		memcpy(b, src, n);
	rc = tg_ouch_decode(dir, n > 0 ? b : b + 1, n, m);
	free(b);
	return rc;
}

static void test_every_truncation_refused(void)
{
	uint8_t wire[TG_OUCH_MAX_MSG + 1];

	for (int k = 0; k < TG_OUCH_KIND_COUNT; k++) {
		struct tg_ouch_msg m, d;
		enum tg_ouch_dir dir = expect[k].dir;
		size_t fixed = expect[k].fixed, n;

		make(&m, (enum tg_ouch_kind)k, 0x41, 7);
		n = (size_t)tg_ouch_encode(&m, wire, sizeof(wire));
		CU_ASSERT_EQUAL(decode_exact(dir, wire, n, &d), TG_OK);
		for (size_t len = 0; len < n; len++) {
			int rc = decode_exact(dir, wire, len, &d);

			CU_ASSERT_EQUAL(rc, len < fixed ? TG_ERR_SHORT : TG_ERR_APPENDAGE);
		}
		/* a byte after the end */
		wire[n] = 0;
		CU_ASSERT_EQUAL(decode_exact(dir, wire, n + 1, &d), TG_ERR_LENGTH);
	}
}

static void test_unknown_types_refused(void)
{
	uint8_t wire[128];
	struct tg_ouch_msg d;

	memset(wire, 0, sizeof(wire));
	for (unsigned t = 0; t < 256; t++) {
		for (int dir = 0; dir < 2; dir++) {
			wire[0] = (uint8_t)t;
			if (tg_ouch_kind_of((enum tg_ouch_dir)dir, (uint8_t)t) < 0)
				CU_ASSERT_EQUAL(decode_exact((enum tg_ouch_dir)dir, wire, 100, &d), TG_ERR_MSGTYPE);
		}
	}
}

static void test_bad_appendages_refused(void)
{
	struct tg_ouch_msg m, d;
	uint8_t wire[TG_OUCH_MAX_MSG + 700];
	size_t n;

	CU_ASSERT_EQUAL(tg_ouch_enter_order(&m, 1, 'B', 100, "AAPL", 1000000, '0', 'Y', 'A', 'N', 'N', "X"),
			TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_alpha(&m.u.enter.app, TG_OUCH_TAG_FIRM, "LIME"), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_uint(&m.u.enter.app, TG_OUCH_TAG_MIN_QTY, 100), TG_OK);
	n = (size_t)tg_ouch_encode(&m, wire, sizeof(wire));
	CU_ASSERT_EQUAL_FATAL(n, 47 + 6 + 6);
	/* appendage length one more than there is, and the largest */
	wire[45] = 0;
	wire[46] = 13;
	CU_ASSERT_EQUAL(decode_exact(TG_OUCH_IN, wire, n, &d), TG_ERR_APPENDAGE);
	wire[45] = 0xff;
	wire[46] = 0xff;
	CU_ASSERT_EQUAL(decode_exact(TG_OUCH_IN, wire, n, &d), TG_ERR_APPENDAGE);
	/* one less: the second option runs past the appendage */
	wire[45] = 0;
	wire[46] = 11;
	CU_ASSERT_EQUAL(decode_exact(TG_OUCH_IN, wire, n, &d), TG_ERR_OPTION);
	/* zero: the options become trailing bytes */
	wire[46] = 0;
	CU_ASSERT_EQUAL(decode_exact(TG_OUCH_IN, wire, n, &d), TG_ERR_LENGTH);
	wire[46] = 12;
	CU_ASSERT_EQUAL(decode_exact(TG_OUCH_IN, wire, n, &d), TG_OK);
	/* an option length running past the appendage, and an empty option */
	wire[53] = 6;
	CU_ASSERT_EQUAL(decode_exact(TG_OUCH_IN, wire, n, &d), TG_ERR_OPTION);
	wire[53] = 0;
	CU_ASSERT_EQUAL(decode_exact(TG_OUCH_IN, wire, n, &d), TG_ERR_OPTION);
	wire[53] = 5;
	CU_ASSERT_EQUAL(decode_exact(TG_OUCH_IN, wire, n, &d), TG_OK);
	/* well framed but longer than this library keeps */
	memset(wire + 47, 0, 600);
	for (size_t i = 0; i < 600; i += 100)
		wire[47 + i] = 99;	/* 100-byte options: length 99 = tag + 98 bytes */
	wire[45] = 600 >> 8;
	wire[46] = 600 & 0xff;
	CU_ASSERT_EQUAL(decode_exact(TG_OUCH_IN, wire, 47 + 600, &d), TG_ERR_APPENDAGE);
	/* the encoder refuses what the decoder would */
	m.u.enter.app.bytes[0] = 9;
	CU_ASSERT_EQUAL(tg_ouch_encode(&m, wire, sizeof(wire)), TG_ERR_OPTION);
	m.u.enter.app.len = TG_OUCH_APPENDAGE_MAX + 1;
	CU_ASSERT_EQUAL(tg_ouch_encode(&m, wire, sizeof(wire)), TG_ERR_ARG);
}

static void test_options(void)
{
	struct tg_ouch_appendage app = { 0 };
	struct tg_ouch_opt o;
	struct tg_ouch_opt_iter it;
	uint8_t raw[254];
	int rc, count = 0;

	CU_ASSERT_EQUAL(tg_ouch_opt_add_uint(&app, TG_OUCH_TAG_MIN_QTY, UINT32_MAX), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_uint(&app, TG_OUCH_TAG_MIN_QTY, 1ull << 32), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_int(&app, TG_OUCH_TAG_PEG_OFFSET, INT32_MIN), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_int(&app, TG_OUCH_TAG_PEG_OFFSET, (int64_t)INT32_MAX + 1), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_int(&app, TG_OUCH_TAG_DISCRETION_PEG_OFFSET, -12345), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_uint(&app, TG_OUCH_TAG_DISCRETION_PRICE, UINT64_MAX), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_uint(&app, TG_OUCH_TAG_GROUP_ID, 65535), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_uint(&app, TG_OUCH_TAG_GROUP_ID, 65536), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_alpha(&app, TG_OUCH_TAG_ROUTE, "AB"), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_alpha(&app, TG_OUCH_TAG_ROUTE, "ABCDE"), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_alpha(&app, TG_OUCH_TAG_MIN_QTY, "A"), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_uint(&app, TG_OUCH_TAG_FIRM, 1), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_uint(&app, 200, 1), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_opt_add(&app, 200, "\x01\x02", 2), TG_OK);
	CU_ASSERT_EQUAL(app.len, 6 + 6 + 6 + 10 + 4 + 6 + 4);
	tg_ouch_opt_begin(&it, &app);
	while ((rc = tg_ouch_opt_next(&it, &o)) == 1) {
		switch (count++) {
		case 0:
			CU_ASSERT_EQUAL(tg_ouch_opt_uint(&o), UINT32_MAX);
			break;
		case 1:
			CU_ASSERT_EQUAL(tg_ouch_opt_int(&o), INT32_MIN);
			CU_ASSERT_EQUAL(o.info->type, TG_OUCH_OPT_SIGNED_PRICE);
			break;
		case 2:
			CU_ASSERT_EQUAL(tg_ouch_opt_int(&o), -12345);
			break;
		case 3:
			CU_ASSERT_EQUAL(tg_ouch_opt_uint(&o), UINT64_MAX);
			CU_ASSERT_EQUAL(o.len, 8);
			break;
		case 4:
			CU_ASSERT_EQUAL(tg_ouch_opt_uint(&o), 65535);
			break;
		case 5:
			CU_ASSERT_EQUAL(memcmp(o.value, "AB  ", 4), 0);
			break;
		case 6:
			CU_ASSERT_PTR_NULL(o.info);
			CU_ASSERT_EQUAL(o.tag, 200);
			CU_ASSERT_EQUAL(tg_ouch_opt_uint(&o), 0x0102);
			break;
		}
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(count, 7);
	CU_ASSERT_EQUAL(tg_ouch_opt_find(&app, TG_OUCH_TAG_ROUTE, &o), 1);
	CU_ASSERT_EQUAL(tg_ouch_opt_find(&app, TG_OUCH_TAG_FIRM, &o), 0);

	/* a known tag with another size than its own is malformed to the iterator */
	app.len = 0;
	CU_ASSERT_EQUAL(tg_ouch_opt_add(&app, TG_OUCH_TAG_FIRM, "LIM", 3), TG_OK);
	tg_ouch_opt_begin(&it, &app);
	CU_ASSERT_EQUAL(tg_ouch_opt_next(&it, &o), TG_ERR_OPTION);
	CU_ASSERT_EQUAL(tg_ouch_opt_next(&it, &o), 0);
	CU_ASSERT(tg_ouch_appendage_valid(&app));

	/* full */
	memset(raw, 'x', sizeof(raw));
	app.len = 0;
	CU_ASSERT_EQUAL(tg_ouch_opt_add(&app, 99, raw, 255), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_opt_add(&app, 99, raw, 254), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add(&app, 99, raw, 254), TG_OK);
	CU_ASSERT_EQUAL(app.len, 512);
	CU_ASSERT_EQUAL(tg_ouch_opt_add(&app, 99, raw, 0), TG_ERR_ARG);

	/* option information */
	CU_ASSERT_EQUAL(tg_ouch_opt_info(TG_OUCH_TAG_FIRM)->size, 4);
	CU_ASSERT_EQUAL(tg_ouch_opt_info(TG_OUCH_TAG_MIN_QTY)->size, 4);
	CU_ASSERT_EQUAL(tg_ouch_opt_info(TG_OUCH_TAG_CUSTOMER_TYPE)->size, 1);
	CU_ASSERT_EQUAL(tg_ouch_opt_info(TG_OUCH_TAG_MAX_FLOOR)->size, 4);
	CU_ASSERT_EQUAL(tg_ouch_opt_info(TG_OUCH_TAG_PRICE_TYPE)->size, 1);
	CU_ASSERT_EQUAL(tg_ouch_opt_info(TG_OUCH_TAG_PEG_OFFSET)->size, 4);
	CU_ASSERT_EQUAL(tg_ouch_opt_info(TG_OUCH_TAG_DISCRETION_PRICE)->size, 8);
	CU_ASSERT_EQUAL(tg_ouch_opt_info(TG_OUCH_TAG_SECONDARY_ORD_REF_NUM)->size, 8);
	CU_ASSERT_STRING_EQUAL(tg_ouch_opt_info(TG_OUCH_TAG_BBO_WEIGHT_INDICATOR)->name, "BBOWeightIndicator");
	CU_ASSERT_PTR_NULL(tg_ouch_opt_info(8));
	CU_ASSERT_PTR_NULL(tg_ouch_opt_info(0));
}

static void test_builders(void)
{
	struct tg_ouch_msg m, d;
	uint8_t wire[TG_OUCH_MAX_MSG];
	int n;

	CU_ASSERT_EQUAL(tg_ouch_enter_order(&m, 1, 'B', 1, "TOOLONGSY", 1, '0', 'Y', 'A', 'N', 'N', ""),
			TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_enter_order(&m, 1, 'B', 1, "", 1, '0', 'Y', 'A', 'N', 'N', ""), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_enter_order(&m, 1, 'B', 1, "A\tB", 1, '0', 'Y', 'A', 'N', 'N', ""),
			TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_enter_order(&m, 1, 'B', 1, "A", 1, '0', 'Y', 'A', 'N', 'N', "123456789012345"),
			TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_enter_order(&m, UINT32_MAX, 'E', UINT32_MAX, "ABCDEFGH", UINT64_MAX, 'E', 'A',
					    'R', 'Y', 'C', "12345678901234"), TG_OK);
	n = tg_ouch_encode(&m, wire, sizeof(wire));
	CU_ASSERT_EQUAL(n, 47);
	CU_ASSERT_EQUAL(tg_ouch_decode(TG_OUCH_IN, wire, 47, &d), TG_OK);
	CU_ASSERT_EQUAL(memcmp(d.u.enter.symbol, "ABCDEFGH", 8), 0);
	CU_ASSERT_EQUAL(d.u.enter.price, UINT64_MAX);
	check_format(&d, "Enter Order O user_ref_num=4294967295 side=E quantity=4294967295 symbol=ABCDEFGH "
			 "price=1844674407370955.1615 tif=E display=A capacity=R ise=Y cross_type=C "
			 "clordid=12345678901234 appendage=[]");

	CU_ASSERT_EQUAL(tg_ouch_replace_order(&m, 7, 8, 300, 1234500, '3', 'N', 'Y', "REPL\x01"), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ouch_replace_order(&m, 7, 8, 300, 1234500, '3', 'N', 'Y', "REPL"), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_uint(&m.u.replace.app, TG_OUCH_TAG_MAX_FLOOR, 100), TG_OK);
	n = tg_ouch_encode(&m, wire, sizeof(wire));
	CU_ASSERT_EQUAL(n, 40 + 6);
	CU_ASSERT_EQUAL(memcmp(wire, "U\0\0\0\x07\0\0\0\x08\0\0\x01\x2c", 13), 0);
	CU_ASSERT_EQUAL(tg_ouch_decode(TG_OUCH_IN, wire, (size_t)n, &d), TG_OK);
	CU_ASSERT_EQUAL(d.kind, TG_OUCH_REPLACE_ORDER);
	CU_ASSERT_EQUAL(d.u.replace.orig_user_ref_num, 7);
	CU_ASSERT_EQUAL(d.u.replace.user_ref_num, 8);
	CU_ASSERT_EQUAL(d.u.replace.price, 1234500);
	check_format(&d, "Replace Order U orig_user_ref_num=7 user_ref_num=8 quantity=300 price=123.4500 tif=3 "
			 "display=N ise=Y clordid=REPL appendage=[MaxFloor=100]");
}

static void test_format(void)
{
	struct tg_ouch_msg m;
	char small[16];
	int n;

	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_ORDER_RESTATED;
	m.u.restated.timestamp = 34200000000000ull;
	m.u.restated.user_ref_num = 5;
	m.u.restated.reason = 'P';
	CU_ASSERT_EQUAL(tg_ouch_opt_add_uint(&m.u.restated.app, TG_OUCH_TAG_DISPLAY_PRICE, 1000001), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_int(&m.u.restated.app, TG_OUCH_TAG_PEG_OFFSET, -100), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add(&m.u.restated.app, 77, "\xab", 1), TG_OK);
	check_format(&m, "Order Restated R timestamp=09:30:00.000000000 user_ref_num=5 reason=P "
			 "appendage=[DisplayPrice=100.0001 PegOffset=-0.0100 tag77=0xab]");
	m.u.restated.app.bytes[m.u.restated.app.len - 3] = 9;	/* runs past */
	check_format(&m, "Order Restated R timestamp=09:30:00.000000000 user_ref_num=5 reason=P "
			 "appendage=[DisplayPrice=100.0001 PegOffset=-0.0100 malformed]");

	m.kind = TG_OUCH_SYSTEM_EVENT;
	m.u.system_event.event_code = ' ';
	check_format(&m, "System Event S timestamp=09:30:00.000000000 event_code=\\x20");
	memset(&m, 0, sizeof(m));
	m.kind = TG_OUCH_BROKEN_TRADE;
	memcpy(m.u.broken.clordid, "A\\B\x01  C       ", 14);
	check_format(&m, "Broken Trade B timestamp=00:00:00.000000000 user_ref_num=0 match_number=0 "
			 "reason=\\x00 clordid=A\\x5cB\\x01  C");
	m.kind = TG_OUCH_ACCOUNT_QUERY;
	check_format(&m, "Account Query Request Q");
	/* cut short: snprintf rules */
	m.kind = TG_OUCH_CANCEL_ORDER;
	m.u.cancel.user_ref_num = 1;
	n = tg_ouch_format(&m, small, sizeof(small));
	CU_ASSERT_EQUAL(n, (int)strlen("Cancel Order X user_ref_num=1 quantity=0"));
	CU_ASSERT_STRING_EQUAL(small, "Cancel Order X ");
	CU_ASSERT_EQUAL(tg_ouch_format(&m, NULL, 0), n);
}

static const struct tg_cunit_test tests[] = {
	{ "capture: Enter Order", test_capture_enter_order },
	{ "capture: Order Accepted", test_capture_order_accepted },
	{ "capture: Cancel Order", test_capture_cancel_order },
	{ "capture: Order Canceled", test_capture_canceled },
	{ "capture: heartbeats", test_capture_heartbeats },
	{ "every type: table", test_table },
	{ "every type: round trip at the limits", test_round_trip_limits },
	{ "fields land where they belong", test_round_trip_fields },
	{ "every truncation refused", test_every_truncation_refused },
	{ "unknown types refused", test_unknown_types_refused },
	{ "bad appendages refused", test_bad_appendages_refused },
	{ "options", test_options },
	{ "builders", test_builders },
	{ "text form", test_format },
};

int main(void)
{
	return tg_cunit_run("ouch", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
