/*
 * Result codes of libtickgate.
 *
 * Every fallible function returns TG_OK (0) or a negative tg_result. A
 * TG_ERR_ARG result means the arguments were refused before anything was
 * touched: no register written, no record queued.
 */
#ifndef TICKGATE_RESULT_H
#define TICKGATE_RESULT_H

#define TG_API __attribute__((visibility("default")))
#define TG_MUST_CHECK __attribute__((warn_unused_result))

enum tg_result {
	TG_OK = 0,
	TG_ERR_ARG = -1,	/* bad argument; nothing was done */
	TG_ERR_NOENT = -2,	/* no such card, simulator or register */
	TG_ERR_BUSY = -3,	/* held by another live process */
	TG_ERR_AGAIN = -4,	/* ring full (send) or nothing to do yet */
	TG_ERR_TIMEOUT = -5,	/* the card did not answer in time */
	TG_ERR_DEAD = -6,	/* the simulator process is gone */
	TG_ERR_IO = -7,		/* the card answered with an error */
	TG_ERR_CONTRACT = -8,	/* the card speaks another interface version */
	TG_ERR_NOMEM = -9,	/* out of memory or shared memory */
	TG_ERR_STATE = -10,	/* not possible in this state (e.g. no rings) */
	TG_ERR_PERM = -11,	/* permission denied */
	TG_ERR_SYS = -12,	/* a system call failed; see errno */
	/* protocol codecs (OUCH 5.0, SoupBinTCP 3.0): what is wrong with the bytes */
	TG_ERR_SHORT = -13,	/* shorter than its type's layout */
	TG_ERR_MSGTYPE = -14,	/* unknown message or packet type */
	TG_ERR_APPENDAGE = -15,	/* OUCH appendage length runs past the message */
	TG_ERR_OPTION = -16,	/* OUCH option runs past its appendage, or is empty */
	TG_ERR_LENGTH = -17,	/* a length its type can never have (trailing bytes) */
	TG_ERR_FIELD = -18,	/* a field holds bytes its type forbids */
	TG_ERR_PROTOCOL = -19,	/* the peer sent a packet its session state does not allow */
};

/* Short human-readable text for a result code. */
TG_API const char *tg_strerror(int result);

#endif
