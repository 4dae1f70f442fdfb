/*
 * SoupBinTCP 3.0 packet codec and stream reassembler, see
 * tickgate/soupbin.h and docs/ouch.md.
 */
#include <string.h>

#include "tickgate/soupbin.h"

#define ANY ((size_t)-1)

struct ptype {
	char type;
	const char *name;
	size_t len;	/* the payload length it must have, or ANY */
};

static const struct ptype ptypes[] = {
	{ TG_SOUP_DEBUG, "Debug", ANY },
	{ TG_SOUP_LOGIN_ACCEPTED, "Login Accepted", TG_SOUP_LOGIN_ACCEPTED_LEN },
	{ TG_SOUP_LOGIN_REJECTED, "Login Rejected", 1 },
	{ TG_SOUP_SEQUENCED, "Sequenced Data", ANY },
	{ TG_SOUP_SERVER_HEARTBEAT, "Server Heartbeat", 0 },
	{ TG_SOUP_END_OF_SESSION, "End of Session", 0 },
	{ TG_SOUP_LOGIN_REQUEST, "Login Request", TG_SOUP_LOGIN_REQUEST_LEN },
	{ TG_SOUP_UNSEQUENCED, "Unsequenced Data", ANY },
	{ TG_SOUP_CLIENT_HEARTBEAT, "Client Heartbeat", 0 },
	{ TG_SOUP_LOGOUT_REQUEST, "Logout Request", 0 },
};

static const struct ptype *ptype_of(char type)
{
	for (size_t i = 0; i < sizeof(ptypes) / sizeof(ptypes[0]); i++)
		if (ptypes[i].type == type)
			return &ptypes[i];
	return NULL;
}

const char *tg_soup_type_name(char type)
{
	const struct ptype *t = ptype_of(type);

	return t != NULL ? t->name : "unknown";
}

bool tg_soup_len_ok(char type, size_t len)
{
	const struct ptype *t = ptype_of(type);

	return t != NULL && len <= TG_SOUP_MAX_PAYLOAD && (t->len == ANY || t->len == len);
}

/* ---- fields ---- */

bool tg_soup_text_ok(const char *s, size_t min, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* Alpha: left-justified, padded on the right with spaces. */
static void put_alpha(uint8_t *p, const char *s, size_t n)
{
	size_t len = strlen(s);

	memset(p, ' ', n);
	memcpy(p, s, len);
}

/* Numeric: ASCII digits right-justified, padded on the left with spaces. */
static void put_num(uint8_t *p, uint64_t v, size_t n)
{
	size_t i = n;

	memset(p, ' ', n);
	do {
		p[--i] = (uint8_t)('0' + v % 10);
		v /= 10;
	} while (v != 0 && i > 0);
}

/*
 * Alpha field to text without the padding. Spaces are taken off both ends:
 * the specification pads on the right, but some texts of it describe the
 * Login Accepted session as left padded, and either reads the same here.
 */
static int get_alpha(char *out, const uint8_t *p, size_t n)
{
	size_t a = 0, b = n;

	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return TG_ERR_FIELD;
	while (a < b && p[a] == ' ')
		a++;
	while (b > a && p[b - 1] == ' ')
		b--;
	memcpy(out, p + a, b - a);
	out[b - a] = '\0';
	return TG_OK;
}

/* Numeric field: spaces, digits, spaces; all blank reads as 0. */
static int get_num(uint64_t *v, const uint8_t *p, size_t n)
{
	size_t i = 0;
	uint64_t x = 0;

	while (i < n && p[i] == ' ')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		unsigned d = p[i] - '0';

		if (x > (UINT64_MAX - d) / 10)
			return TG_ERR_FIELD;
		x = x * 10 + d;
	}
	while (i < n && p[i] == ' ')
		i++;
	if (i != n)
		return TG_ERR_FIELD;
	*v = x;
	return TG_OK;
}

/* ---- packets ---- */

int tg_soup_decode(const uint8_t *buf, size_t n, struct tg_soup_packet *pkt)
{
	const struct ptype *t;
	const uint8_t *p;
	size_t len;
	int rc = TG_OK;

	if (buf == NULL || pkt == NULL)
		return TG_ERR_ARG;
	if (n < TG_SOUP_HDR)
		return TG_ERR_SHORT;
	len = (size_t)buf[0] << 8 | buf[1];
	if (len == 0)
		return TG_ERR_LENGTH;	/* not even a type byte */
	if (n < TG_SOUP_HDR + 1)
		return TG_ERR_SHORT;
	t = ptype_of((char)buf[2]);
	if (t == NULL)
		return TG_ERR_MSGTYPE;
	if (t->len != ANY && t->len != len - 1)
		return TG_ERR_LENGTH;
	if (n < TG_SOUP_HDR + len)
		return TG_ERR_SHORT;
	p = buf + TG_SOUP_HDR + 1;
	memset(&pkt->login, 0, sizeof(pkt->login));
	pkt->type = t->type;
	pkt->payload = p;
	pkt->len = len - 1;
	pkt->reject_reason = 0;
	switch (t->type) {
	case TG_SOUP_LOGIN_REQUEST:
		if ((rc = get_alpha(pkt->login.username, p, TG_SOUP_USERNAME_LEN)) < 0 ||
		    (rc = get_alpha(pkt->login.password, p + 6, TG_SOUP_PASSWORD_LEN)) < 0 ||
		    (rc = get_alpha(pkt->login.session, p + 16, TG_SOUP_SESSION_LEN)) < 0 ||
		    (rc = get_num(&pkt->login.seq, p + 26, TG_SOUP_SEQ_LEN)) < 0)
			return rc;
		break;
	case TG_SOUP_LOGIN_ACCEPTED:
		if ((rc = get_alpha(pkt->login.session, p, TG_SOUP_SESSION_LEN)) < 0 ||
		    (rc = get_num(&pkt->login.seq, p + 10, TG_SOUP_SEQ_LEN)) < 0)
			return rc;
		break;
	case TG_SOUP_LOGIN_REJECTED:
		pkt->reject_reason = (char)p[0];
		break;
	default:
		break;
	}
	return (int)(TG_SOUP_HDR + len);
}

int tg_soup_encode(uint8_t *out, size_t cap, char type, const void *payload, size_t len)
{
	if (out == NULL || (payload == NULL && len != 0) || !tg_soup_len_ok(type, len) ||
	    cap < TG_SOUP_HDR + 1 + len)
		return TG_ERR_ARG;
	out[0] = (uint8_t)((len + 1) >> 8);
	out[1] = (uint8_t)(len + 1);
	out[2] = (uint8_t)type;
	if (len > 0)
		memcpy(out + 3, payload, len);
	return (int)(TG_SOUP_HDR + 1 + len);
}

int tg_soup_encode_login_request(uint8_t *out, size_t cap, const struct tg_soup_login *req)
{
	uint8_t p[TG_SOUP_LOGIN_REQUEST_LEN];

	if (req == NULL || !tg_soup_text_ok(req->username, 1, TG_SOUP_USERNAME_LEN) ||
	    !tg_soup_text_ok(req->password, 0, TG_SOUP_PASSWORD_LEN) ||
	    !tg_soup_text_ok(req->session, 0, TG_SOUP_SESSION_LEN))
		return TG_ERR_ARG;
	put_alpha(p, req->username, TG_SOUP_USERNAME_LEN);
	put_alpha(p + 6, req->password, TG_SOUP_PASSWORD_LEN);
	put_alpha(p + 16, req->session, TG_SOUP_SESSION_LEN);
	put_num(p + 26, req->seq, TG_SOUP_SEQ_LEN);
	return tg_soup_encode(out, cap, TG_SOUP_LOGIN_REQUEST, p, sizeof(p));
}

int tg_soup_encode_login_accepted(uint8_t *out, size_t cap, const char *session, uint64_t seq)
{
	uint8_t p[TG_SOUP_LOGIN_ACCEPTED_LEN];

	if (!tg_soup_text_ok(session, 0, TG_SOUP_SESSION_LEN))
		return TG_ERR_ARG;
	put_alpha(p, session, TG_SOUP_SESSION_LEN);
	put_num(p + 10, seq, TG_SOUP_SEQ_LEN);
	return tg_soup_encode(out, cap, TG_SOUP_LOGIN_ACCEPTED, p, sizeof(p));
}

int tg_soup_encode_login_rejected(uint8_t *out, size_t cap, char reason)
{
	return tg_soup_encode(out, cap, TG_SOUP_LOGIN_REJECTED, &reason, 1);
}

/* ---- reassembler ---- */

int tg_soup_reader_init(struct tg_soup_reader *r, uint8_t *buf, size_t cap)
{
	if (r == NULL || buf == NULL || cap < TG_SOUP_READER_MIN)
		return TG_ERR_ARG;
	r->buf = buf;
	r->cap = cap;
	tg_soup_reader_reset(r);
	return TG_OK;
}

void tg_soup_reader_reset(struct tg_soup_reader *r)
{
	r->head = 0;
	r->tail = 0;
	r->error = 0;
}

uint8_t *tg_soup_reader_space(struct tg_soup_reader *r, size_t *avail)
{
	/*
	 * Move what is left to the front, so that a packet of the largest
	 * length always fits. What is left is at most one partial packet
	 * (when packets are taken out as they complete), usually a few bytes.
	 */
	if (r->head > 0) {
		memmove(r->buf, r->buf + r->head, r->tail - r->head);
		r->tail -= r->head;
		r->head = 0;
	}
	*avail = r->cap - r->tail;
	return r->buf + r->tail;
}

void tg_soup_reader_commit(struct tg_soup_reader *r, size_t n)
{
	r->tail += n <= r->cap - r->tail ? n : r->cap - r->tail;
}

size_t tg_soup_reader_feed(struct tg_soup_reader *r, const uint8_t *data, size_t n)
{
	size_t avail;
	uint8_t *dst = tg_soup_reader_space(r, &avail);

	if (n > avail)
		n = avail;
	if (n > 0)
		memcpy(dst, data, n);
	r->tail += n;
	return n;
}

int tg_soup_reader_next(struct tg_soup_reader *r, struct tg_soup_packet *pkt)
{
	int rc;

	if (r->error != 0)
		return r->error;
	rc = tg_soup_decode(r->buf + r->head, r->tail - r->head, pkt);
	if (rc == TG_ERR_SHORT)
		return 0;
	if (rc < 0) {
		r->error = rc;
		return rc;
	}
	r->head += (size_t)rc;
	return 1;
}

size_t tg_soup_reader_buffered(const struct tg_soup_reader *r)
{
	return r->tail - r->head;
}
