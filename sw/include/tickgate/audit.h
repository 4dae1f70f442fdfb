/*
 * The audit log: every limit change, kill and resume is appended here
 * before it is applied, and its outcome after.
 *
 *   uint64_t seq;
 *   struct tg_audit_record r = {.action = "risk.set", .card = uri,
 *           .argc = argc, .argv = argv, .changes = ch, .n_changes = 1};
 *   if (tg_audit_append(path, &r, &seq) != TG_OK)
 *           return fail("not audited, not applied");
 *   rc = apply(...);
 *   (void)tg_audit_outcome(path, uri, seq, rc == TG_OK, rc ? tg_strerror(rc) : NULL, NULL);
 *
 * One JSON object a line (docs/risk-config.md has the fields). An append
 * holds an exclusive flock on the log, takes the next sequence number
 * from the last record, writes the whole line with one write() and
 * fsync()s it before it returns: when it returns TG_OK the record is on
 * disk, and two processes never interleave. When it fails nothing was
 * written (a partial write is cut off again) and the caller must not apply
 * the change.
 */
#ifndef TICKGATE_AUDIT_H
#define TICKGATE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/result.h"

/* "v" of every record written. 2: argv is the whole command line as typed,
 * from the program's name on. 1 (still read): the same fields, argv from
 * the command's own name on (docs/risk-config.md). */
#define TG_AUDIT_FORMAT 2u
#define TG_AUDIT_MODE 0640		/* permissions of a log the append creates */
#define TG_AUDIT_LOCK_TIMEOUT_MS 5000u	/* an append waits this long for the lock */
#define TG_AUDIT_LINE_MAX (4u << 20)	/* longest record, bytes */
#define TG_AUDIT_TIME_LEN 32u		/* "2024-05-01T12:00:00.123456789Z" and its NUL */

/* One limit (or switch) a command changes. */
struct tg_audit_change {
	const char *scope;	/* "global" or a symbol */
	const char *key;	/* the limit in lower case ("max_order_qty"), or "kill", ... */
	const char *old_text;	/* old value in user units (tg_risk_value_format); NULL: unknown */
	const char *new_text;	/* new value in user units */
	uint64_t old_raw;	/* card units; ignored when old_text is NULL */
	uint64_t new_raw;
};

struct tg_audit_record {
	/* what the caller states */
	const char *action;	/* "risk.set", "risk.load", "kill", "resume", ...: [a-z0-9._-]+ */
	const char *card;	/* the card's URI */
	int argc;
	char *const *argv;	/* the whole command line as typed, argv[0] the program's name */
	const char *detail;	/* free text (the limit file and its digest, ...); NULL: none */
	const struct tg_audit_change *changes;
	size_t n_changes;
	/* outcome records (action "outcome", tg_audit_outcome) */
	uint64_t ref;		/* the seq of the record it answers; 0 otherwise */
	const char *result;	/* "applied" or "failed"; NULL otherwise */
	const char *reason;	/* why it failed; NULL when none */
	/* stamped by the append, filled by the reader */
	uint64_t seq;		/* 1, 2, ... in the order of the log */
	uint64_t time_ns;	/* UTC, ns since 1970-01-01 */
	const char *user;	/* the name of uid */
	uint32_t uid;		/* real user id */
	const char *sudo_user;	/* $SUDO_USER when run under sudo, else NULL */
	const char *host;	/* host name */
	uint32_t pid;
	/* reader only */
	unsigned version;	/* the record's format ("v"; 1 when absent) */
	unsigned long line;	/* line number in the log, from 1 */
	const char *json;	/* the line as written, without its newline */
};

/*
 * Append a record; *seq (when not NULL) gets its sequence number. The
 * library stamps seq, time, user, uid, sudo_user, host and pid (the
 * record's own values of those are ignored). TG_ERR_ARG: bad record,
 * nothing done; TG_ERR_NOENT: no such directory; TG_ERR_PERM: not
 * writable; TG_ERR_TIMEOUT: another process held the lock for
 * TG_AUDIT_LOCK_TIMEOUT_MS; TG_ERR_SYS: a system call failed (errno).
 */
TG_API TG_MUST_CHECK int tg_audit_append(const char *path, const struct tg_audit_record *rec, uint64_t *seq);

/*
 * Append the outcome of record `ref`: applied, or failed with a reason.
 * It is a record of its own (action "outcome") with its own seq.
 */
TG_API TG_MUST_CHECK int tg_audit_outcome(const char *path, const char *card, uint64_t ref, bool applied,
					  const char *reason, uint64_t *seq);

/* Called for each record read; a non-zero return stops the read and is returned. */
typedef int (*tg_audit_record_fn)(const struct tg_audit_record *rec, void *ctx);
/* Called for a line that is not a record: torn (the last line, without its
 * newline: a write cut short) or corrupt (anything else). */
typedef void (*tg_audit_bad_fn)(unsigned long line, bool torn, const char *why, void *ctx);

struct tg_audit_read_stats {
	uint64_t records;	/* records passed to the callback */
	uint64_t corrupt;	/* lines that are not records (torn included) */
	bool torn;		/* the last line is cut short */
};

/*
 * Read a log from the start. The record's strings live until the callback
 * returns. A log being appended to is read up to its last whole record
 * when the read started. bad and stats may be NULL. TG_OK when the log was
 * read to the end (bad lines do not stop it), TG_ERR_NOENT, TG_ERR_PERM,
 * TG_ERR_SYS, or the callback's non-zero return.
 */
TG_API TG_MUST_CHECK int tg_audit_read(const char *path, tg_audit_record_fn fn, tg_audit_bad_fn bad, void *ctx,
				       struct tg_audit_read_stats *stats);

/* "2024-05-01T12:00:00.123456789Z" (TG_AUDIT_TIME_LEN bytes at most). */
TG_API void tg_audit_time_format(uint64_t time_ns, char *buf, size_t len);

/*
 * A time for `tickgate audit --since`: "2024-05-01", "2024-05-01T12:00",
 * "2024-05-01 12:00:00.5", each with an optional "Z" or "+02:00" / "-0500"
 * (UTC without one). TG_ERR_ARG when it is none of those.
 */
TG_API TG_MUST_CHECK int tg_audit_time_parse(const char *text, uint64_t *time_ns);

#endif
