/*
 * SoupBinTCP 3.0 sessions: the client and server state machines, apart
 * from any transport.
 *
 * A session takes bytes in (tg_soup_session_input), keeps the bytes it
 * wants sent in an output queue (tg_soup_session_pending / _consumed), and
 * is told the time by its caller, in nanoseconds of any monotonic clock
 * (every call that can send or time out takes now_ns; tg_soup_session_tick
 * runs the timers). There is no socket and no clock inside, so a test can
 * wire a client and a server back to back in memory and play out hours of
 * heartbeats in microseconds. tg_soup_pump is the thin layer that moves a
 * session's bytes over a non-blocking socket for programs.
 *
 * Client: tg_soup_session_connected queues a Login Request for the
 * session and the next sequence number it wants; Login Accepted makes it
 * ACTIVE and says which number the next Sequenced Data packet has; it
 * counts every Sequenced Data packet, so after a lost connection the next
 * connected() asks for exactly the first message it has not seen, and
 * nothing is lost or delivered twice. The server's numbering rules: should
 * Login Accepted name another number than the one asked for (a server
 * that lost messages, or replays from earlier), the stream is counted from
 * the server's number, and the event says both, for the caller to decide. It sends a Client Heartbeat whenever
 * it has sent nothing for heartbeat_ns (1 s), and declares the server dead
 * after timeout_ns (15 s) without receiving a byte.
 *
 * Server: one session per connection, over a store of the sequenced
 * messages of one SoupBinTCP session that outlives connections. A Login
 * Request is checked (requested session, then the authenticate callback)
 * and answered with Login Accepted (the stream resumes at the requested
 * number) or Login Rejected. Sequenced messages go into the store and out
 * to the client as the output queue has room. Server Heartbeat after
 * heartbeat_ns without sending; client dead after timeout_ns of silence.
 *
 * Events reach the caller through one callback. From inside it only
 * tg_soup_client_send, tg_soup_client_logout, tg_soup_server_send and
 * tg_soup_session_debug may be called on the session.
 */
#ifndef TICKGATE_SOUPBIN_SESSION_H
#define TICKGATE_SOUPBIN_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/result.h"
#include "tickgate/soupbin.h"

#define TG_SOUP_HEARTBEAT_NS 1000000000ull	/* send a heartbeat after 1 s without sending */
#define TG_SOUP_TIMEOUT_NS 15000000000ull	/* peer dead after 15 s without receiving */
#define TG_SOUP_OUT_CAP (256u * 1024u)		/* default output queue */

enum tg_soup_role {
	TG_SOUP_CLIENT,
	TG_SOUP_SERVER,
};

enum tg_soup_state {
	TG_SOUP_IDLE,		/* no connection yet */
	TG_SOUP_LOGIN_WAIT,	/* client: Login Request sent; server: waiting for one */
	TG_SOUP_ACTIVE,		/* logged in */
	/* final for the connection: flush the output, then close it */
	TG_SOUP_REJECTED,	/* Login Rejected sent or received */
	TG_SOUP_LOGGED_OUT,	/* Logout Request sent or received */
	TG_SOUP_ENDED,		/* End of Session sent or received: the session has no more messages */
	TG_SOUP_DEAD,		/* the peer was silent for timeout_ns */
	TG_SOUP_FAILED,		/* the peer broke the protocol */
	TG_SOUP_DISCONNECTED,	/* the connection was lost (tg_soup_session_disconnected) */
};

enum tg_soup_event_type {
	TG_SOUP_EV_LOGIN_ACCEPTED,	/* session, seq (next sequenced number), requested; server: username */
	TG_SOUP_EV_LOGIN_REJECTED,	/* reason; server: username */
	TG_SOUP_EV_SEQUENCED,		/* client: seq, data, len */
	TG_SOUP_EV_UNSEQUENCED,		/* server: data, len */
	TG_SOUP_EV_DEBUG,		/* data, len */
	TG_SOUP_EV_LOGOUT,		/* server: the client logged out */
	TG_SOUP_EV_END_OF_SESSION,	/* sent (server) or received (client) */
	TG_SOUP_EV_DEAD,		/* error = TG_ERR_TIMEOUT */
	TG_SOUP_EV_ERROR,		/* error: what the peer got wrong */
};

struct tg_soup_event {
	enum tg_soup_event_type type;
	uint64_t seq;
	uint64_t requested;	/* LOGIN_ACCEPTED: the sequence number the client asked for */
	const uint8_t *data;	/* valid during the call only */
	size_t len;
	char reason;
	const char *session;
	const char *username;
	int error;
};

struct tg_soup_handlers {
	void (*event)(void *ctx, const struct tg_soup_event *ev);
	void *ctx;
};

struct tg_soup_client_config {
	const char *username;	/* 1..6 printable characters */
	const char *password;	/* 0..10 */
	const char *session;	/* 0..10; NULL or "" = the current session */
	uint64_t seq;		/* the first sequence number wanted: 1 = from the start, 0 = most recent */
	uint64_t heartbeat_ns;	/* 0 = TG_SOUP_HEARTBEAT_NS */
	uint64_t timeout_ns;	/* 0 = TG_SOUP_TIMEOUT_NS */
	size_t out_cap;		/* 0 = TG_SOUP_OUT_CAP; at least TG_SOUP_MAX_PACKET */
};

struct tg_soup_server_config {
	uint64_t heartbeat_ns;
	uint64_t timeout_ns;
	size_t out_cap;
	/* 0 accepts the login, anything else rejects it with that reason; NULL accepts all */
	char (*authenticate)(void *ctx, const char *username, const char *password);
	void *auth_ctx;
};

struct tg_soup_session;
struct tg_soup_store;

/* ---- the store of one session's sequenced messages (server side) ---- */

/* session: the SoupBinTCP session name, 0..10 printable characters. */
TG_API TG_MUST_CHECK int tg_soup_store_new(const char *session, struct tg_soup_store **out);
TG_API void tg_soup_store_free(struct tg_soup_store *st);

/* Append a message (payload of up to TG_SOUP_MAX_PAYLOAD bytes); it gets number count+1. */
TG_API TG_MUST_CHECK int tg_soup_store_append(struct tg_soup_store *st, const uint8_t *msg, size_t len);
TG_API uint64_t tg_soup_store_count(const struct tg_soup_store *st);
/* Message number seq (1..count): TG_OK, or TG_ERR_NOENT. Valid until the next append. */
TG_API TG_MUST_CHECK int tg_soup_store_get(const struct tg_soup_store *st, uint64_t seq, const uint8_t **msg,
					   size_t *len);
TG_API const char *tg_soup_store_session(const struct tg_soup_store *st);
/* The session is over: every server session sends End of Session after the last message. */
TG_API void tg_soup_store_end(struct tg_soup_store *st);
TG_API bool tg_soup_store_ended(const struct tg_soup_store *st);

/* ---- sessions ---- */

TG_API TG_MUST_CHECK int tg_soup_client_new(const struct tg_soup_client_config *cfg,
					    const struct tg_soup_handlers *h, struct tg_soup_session **out);
/* The store is shared, not owned: it must outlive the session. */
TG_API TG_MUST_CHECK int tg_soup_server_new(const struct tg_soup_server_config *cfg, struct tg_soup_store *store,
					    const struct tg_soup_handlers *h, struct tg_soup_session **out);
TG_API void tg_soup_session_free(struct tg_soup_session *s);

/*
 * A transport connection is up: buffers start empty; a client queues its
 * Login Request, a server waits for one. TG_ERR_STATE while a connection
 * is LOGIN_WAIT or ACTIVE (call disconnected first) and after ENDED.
 */
TG_API TG_MUST_CHECK int tg_soup_session_connected(struct tg_soup_session *s, uint64_t now_ns);

/* The transport connection is gone: LOGIN_WAIT and ACTIVE become DISCONNECTED; buffers are dropped. */
TG_API void tg_soup_session_disconnected(struct tg_soup_session *s);

/*
 * Bytes received. TG_OK; TG_ERR_STATE when not LOGIN_WAIT or ACTIVE (the
 * bytes are dropped); or what the peer got wrong (TG_ERR_LENGTH,
 * TG_ERR_MSGTYPE, TG_ERR_FIELD, TG_ERR_PROTOCOL: the session is FAILED).
 * A login rejected, logout, end of session is not an error: see the state.
 */
TG_API TG_MUST_CHECK int tg_soup_session_input(struct tg_soup_session *s, const uint8_t *data, size_t n,
					       uint64_t now_ns);

/*
 * Run the timers: heartbeats, the peer's silence (TG_ERR_TIMEOUT once,
 * when it declares the peer DEAD); a server also streams stored messages
 * into the room its output queue has, and End of Session after the last.
 */
TG_API TG_MUST_CHECK int tg_soup_session_tick(struct tg_soup_session *s, uint64_t now_ns);

/* The earliest time tick has something to do (UINT64_MAX: nothing until more bytes move). */
TG_API uint64_t tg_soup_session_deadline(const struct tg_soup_session *s);

/* Bytes waiting to be sent (*data set to the first), and how many of them went out. */
TG_API size_t tg_soup_session_pending(const struct tg_soup_session *s, const uint8_t **data);
TG_API void tg_soup_session_consumed(struct tg_soup_session *s, size_t n);

TG_API enum tg_soup_state tg_soup_session_state(const struct tg_soup_session *s);
TG_API enum tg_soup_role tg_soup_session_role(const struct tg_soup_session *s);
TG_API const char *tg_soup_state_name(enum tg_soup_state state);
/* Whether a connection is live (LOGIN_WAIT or ACTIVE). */
TG_API bool tg_soup_session_live(const struct tg_soup_session *s);
/* The session name: the client's as requested, then as accepted; the server's store's. */
TG_API const char *tg_soup_session_name(const struct tg_soup_session *s);
/*
 * Client: the number of the next Sequenced Data packet it expects.
 * Server: the number of the next stored message it will send.
 */
TG_API uint64_t tg_soup_session_next_seq(const struct tg_soup_session *s);

/* Queue a Debug packet (any text; ASCII by the specification). LOGIN_WAIT or ACTIVE. */
TG_API TG_MUST_CHECK int tg_soup_session_debug(struct tg_soup_session *s, const char *text, uint64_t now_ns);

/*
 * Client: queue Unsequenced Data (ACTIVE only). TG_ERR_AGAIN when the
 * output queue has no room (nothing queued), TG_ERR_STATE when not ACTIVE.
 */
TG_API TG_MUST_CHECK int tg_soup_client_send(struct tg_soup_session *s, const uint8_t *msg, size_t len,
					     uint64_t now_ns);
/* Client: queue a Logout Request; the session is LOGGED_OUT. */
TG_API TG_MUST_CHECK int tg_soup_client_logout(struct tg_soup_session *s, uint64_t now_ns);

/*
 * Server: append a sequenced message to the store and send it (now, or as
 * the output queue drains). TG_ERR_STATE once the store has ended.
 */
TG_API TG_MUST_CHECK int tg_soup_server_send(struct tg_soup_session *s, const uint8_t *msg, size_t len,
					     uint64_t now_ns);
/* Server: end the store's session (tg_soup_store_end) and send End of Session after the last message. */
TG_API TG_MUST_CHECK int tg_soup_server_end_session(struct tg_soup_session *s, uint64_t now_ns);
/* Server: the username of the accepted login, "" before. */
TG_API const char *tg_soup_server_username(const struct tg_soup_session *s);

/* ---- over a socket ---- */

/*
 * One round over a connected non-blocking socket fd: read what is there
 * into the session, run its timers, write what it has pending. TG_OK;
 * TG_ERR_DEAD when the peer closed the connection (the session is
 * DISCONNECTED); TG_ERR_SYS on a socket error (errno says which); or
 * the session's own error. When the session is no longer live and nothing
 * is pending, the caller closes fd.
 */
TG_API TG_MUST_CHECK int tg_soup_pump(struct tg_soup_session *s, int fd, uint64_t now_ns);
/* poll(2) events to wait for on the session's socket: POLLIN, and POLLOUT while bytes are pending. */
TG_API short tg_soup_poll_events(const struct tg_soup_session *s);
/* poll(2) timeout until the session's deadline: milliseconds rounded up, -1 for none. */
TG_API int tg_soup_poll_timeout(const struct tg_soup_session *s, uint64_t now_ns);

#endif
