/*
 * Nasdaq TotalView-ITCH 5.0 messages: the layout table generated from
 * hw/spec/itch50.yaml, field access and text formatting.
 *
 * A message is the type byte followed by big-endian fields; the lengths and
 * offsets are also available as macros in tickgate/itch50_defs.h.
 */
#ifndef TICKGATE_ITCH50_H
#define TICKGATE_ITCH50_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tickgate/itch50_defs.h"
#include "tickgate/result.h"

enum tg_itch_kind {
	TG_ITCH_ALPHA,	/* ASCII, space padded */
	TG_ITCH_CHAR,	/* one ASCII code */
	TG_ITCH_U16,
	TG_ITCH_U32,
	TG_ITCH_U48,	/* the timestamp: ns since midnight */
	TG_ITCH_U64,
	TG_ITCH_PRICE4,	/* u32, 4 implied decimals */
	TG_ITCH_PRICE8,	/* u64, 8 implied decimals */
};

struct tg_itch_code {
	const char *code;
	const char *meaning;
};

struct tg_itch_field {
	const char *name;
	uint8_t offset;
	uint8_t length;
	uint8_t kind;	/* enum tg_itch_kind */
	const struct tg_itch_code *codes;	/* NULL-terminated, or NULL */
};

struct tg_itch_type {
	char type;
	uint8_t length;
	const char *name;	/* as in the specification */
	const char *key;	/* snake_case id, e.g. "add_order" */
	const struct tg_itch_field *fields;	/* header fields first */
	unsigned n_fields;
};

extern const struct tg_itch_type tg_itch_types[];
extern const unsigned tg_itch_types_count;

/* The layout of message type t, or NULL for a type ITCH 5.0 does not define. */
TG_API const struct tg_itch_type *tg_itch_type(uint8_t t);

/* Big-endian unsigned integer of n (1..8) bytes at p. */
static inline uint64_t tg_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Numeric value of a field (alpha and char fields: their bytes, big-endian). */
static inline uint64_t tg_itch_get(const uint8_t *msg, const struct tg_itch_field *f)
{
	return tg_be(msg + f->offset, f->length <= 8 ? f->length : 8);
}

static inline uint16_t tg_itch_locate(const uint8_t *msg) { return (uint16_t)tg_be(msg + 1, 2); }
static inline uint64_t tg_itch_timestamp(const uint8_t *msg) { return tg_be(msg + 5, 6); }

/*
 * Write one field's value as text: integers in decimal, prices with 4 (or 8)
 * decimals, alpha fields without their padding, timestamps as
 * HH:MM:SS.nnnnnnnnn. Returns the characters written (snprintf rules).
 */
TG_API int tg_itch_format_field(char *buf, size_t len, const uint8_t *msg, const struct tg_itch_field *f);

/* Copy an alpha field without trailing spaces into out (length + 1 bytes). */
TG_API void tg_itch_alpha(char *out, const uint8_t *msg, unsigned offset, unsigned length);

/* "HH:MM:SS.nnnnnnnnn" for ns since midnight (19 characters + NUL). */
TG_API void tg_itch_format_time(char out[20], uint64_t ns);

/* "12.3400" for a price with `decimals` implied decimals. */
TG_API void tg_itch_format_price(char *out, size_t len, uint64_t raw, unsigned decimals);

#endif
