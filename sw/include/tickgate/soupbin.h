/*
 * SoupBinTCP 3.0 packets: encoders, a decoder and a stream reassembler.
 *
 * A packet is a 2-byte big-endian length (the type byte plus the payload),
 * the type byte, then the payload. Server packets: Debug '+', Login
 * Accepted 'A', Login Rejected 'J', Sequenced Data 'S', Server Heartbeat
 * 'H', End of Session 'Z'; client packets: Debug '+', Login Request 'L',
 * Unsequenced Data 'U', Client Heartbeat 'R', Logout Request 'O'. Alpha
 * fields are ASCII padded on the right with spaces, numeric fields ASCII
 * digits right-justified and padded on the left with spaces.
 *
 * TCP delivers a byte stream, not packets: tg_soup_reader takes whatever
 * each read returned and yields whole packets. A length field no packet of
 * its type can have (0; a heartbeat with a payload; a Login Request that is
 * not 46 bytes) means the stream has lost its framing: TG_ERR_LENGTH, which
 * is final for the reader, and the session must close the connection.
 */
#ifndef TICKGATE_SOUPBIN_H
#define TICKGATE_SOUPBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/result.h"

#define TG_SOUP_HDR 2u				/* the length field */
#define TG_SOUP_MAX_LEN 65535u			/* largest length field: type + payload */
#define TG_SOUP_MAX_PAYLOAD (TG_SOUP_MAX_LEN - 1u)
#define TG_SOUP_MAX_PACKET (TG_SOUP_HDR + TG_SOUP_MAX_LEN)
#define TG_SOUP_USERNAME_LEN 6u
#define TG_SOUP_PASSWORD_LEN 10u
#define TG_SOUP_SESSION_LEN 10u
#define TG_SOUP_SEQ_LEN 20u
#define TG_SOUP_LOGIN_REQUEST_LEN 46u		/* payload of 'L' */
#define TG_SOUP_LOGIN_ACCEPTED_LEN 30u		/* payload of 'A' */

enum tg_soup_type {
	TG_SOUP_DEBUG = '+',
	TG_SOUP_LOGIN_ACCEPTED = 'A',
	TG_SOUP_LOGIN_REJECTED = 'J',
	TG_SOUP_SEQUENCED = 'S',
	TG_SOUP_SERVER_HEARTBEAT = 'H',
	TG_SOUP_END_OF_SESSION = 'Z',
	TG_SOUP_LOGIN_REQUEST = 'L',
	TG_SOUP_UNSEQUENCED = 'U',
	TG_SOUP_CLIENT_HEARTBEAT = 'R',
	TG_SOUP_LOGOUT_REQUEST = 'O',
};

/* Login Rejected reasons. */
#define TG_SOUP_REJECT_NOT_AUTHORIZED 'A'	/* bad username or password */
#define TG_SOUP_REJECT_SESSION 'S'		/* requested session not available */

/*
 * The fields of a Login Request (all four) or Login Accepted (session and
 * seq), as NUL-terminated text without the padding.
 */
struct tg_soup_login {
	char username[TG_SOUP_USERNAME_LEN + 1];
	char password[TG_SOUP_PASSWORD_LEN + 1];
	char session[TG_SOUP_SESSION_LEN + 1];	/* request: "" = the current session */
	/*
	 * Request: the sequence number of the next Sequenced Data packet the
	 * client wants (1 = from the start; 0 = the most recent message).
	 * Accepted: the number of the next Sequenced Data packet the server
	 * sends.
	 */
	uint64_t seq;
};

struct tg_soup_packet {
	char type;
	const uint8_t *payload;	/* into the decoded bytes */
	size_t len;		/* payload bytes */
	struct tg_soup_login login;	/* 'L', 'A' */
	char reject_reason;		/* 'J' */
};

/* A name for a packet type ("Login Request"), "unknown" for others. */
TG_API const char *tg_soup_type_name(char type);

/* Whether s is min..max printable ASCII characters: what an alpha field may hold. */
TG_API bool tg_soup_text_ok(const char *s, size_t min, size_t max);

/* Whether a packet of this type may have a payload of len bytes (false for an unknown type). */
TG_API bool tg_soup_len_ok(char type, size_t len);

/*
 * Decode the packet at the start of buf (n bytes). Returns its size
 * (2 + its length field) with *pkt filled, or:
 *   TG_ERR_SHORT   buf does not hold the whole packet (yet);
 *   TG_ERR_LENGTH  the length field is impossible for the type;
 *   TG_ERR_MSGTYPE the type is not a SoupBinTCP 3.0 packet type;
 *   TG_ERR_FIELD   a login field holds a control character or a sequence
 *                  number that is not a number.
 * Length and type are checked as soon as 3 bytes are there.
 */
TG_API TG_MUST_CHECK int tg_soup_decode(const uint8_t *buf, size_t n, struct tg_soup_packet *pkt);

/*
 * Encode a packet of this type with a raw payload into out (cap bytes).
 * Returns its size, or TG_ERR_ARG (nothing written) for an unknown type, a
 * payload length the type cannot have, or too small a cap.
 */
TG_API TG_MUST_CHECK int tg_soup_encode(uint8_t *out, size_t cap, char type, const void *payload, size_t len);

/*
 * Login Request from username (1..6 printable characters), password
 * (0..10), session (0..10; "" = current) and seq.
 */
TG_API TG_MUST_CHECK int tg_soup_encode_login_request(uint8_t *out, size_t cap, const struct tg_soup_login *req);
/* Login Accepted for session (0..10 printable characters) and the next sequence number. */
TG_API TG_MUST_CHECK int tg_soup_encode_login_accepted(uint8_t *out, size_t cap, const char *session,
						       uint64_t seq);
TG_API TG_MUST_CHECK int tg_soup_encode_login_rejected(uint8_t *out, size_t cap, char reason);

/*
 * Stream reassembler over a caller's buffer of at least
 * TG_SOUP_READER_MIN bytes (room for one packet of the largest length).
 */
#define TG_SOUP_READER_MIN TG_SOUP_MAX_PACKET

struct tg_soup_reader {
	uint8_t *buf;
	size_t cap;
	size_t head;	/* first byte not yet taken as a packet */
	size_t tail;	/* end of the bytes received */
	int error;	/* the framing error that stopped it, or 0 */
};

/* TG_ERR_ARG when cap < TG_SOUP_READER_MIN. */
TG_API TG_MUST_CHECK int tg_soup_reader_init(struct tg_soup_reader *r, uint8_t *buf, size_t cap);

/* Forget everything buffered and any error (a new connection). */
TG_API void tg_soup_reader_reset(struct tg_soup_reader *r);

/*
 * Where the next received bytes go and how many fit (*avail, at least one
 * while no whole packet waits): read(2) straight into it, then commit.
 */
TG_API uint8_t *tg_soup_reader_space(struct tg_soup_reader *r, size_t *avail);
TG_API void tg_soup_reader_commit(struct tg_soup_reader *r, size_t n);

/* Copy up to n bytes in; returns how many it took (less when full: take packets out first). */
TG_API size_t tg_soup_reader_feed(struct tg_soup_reader *r, const uint8_t *data, size_t n);

/*
 * The next whole packet: 1 and *pkt filled (its payload valid until the
 * next feed, space or reset), 0 when more bytes are needed, or the
 * tg_soup_decode error that stopped the stream (returned again on every
 * later call until a reset).
 */
TG_API TG_MUST_CHECK int tg_soup_reader_next(struct tg_soup_reader *r, struct tg_soup_packet *pkt);

/* Bytes received but not yet taken as packets. */
TG_API size_t tg_soup_reader_buffered(const struct tg_soup_reader *r);

#endif
