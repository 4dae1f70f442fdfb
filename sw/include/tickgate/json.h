/*
 * A small streaming JSON writer for CLI --json output and benchmark
 * results. Keys and strings are escaped; numbers are written exactly
 * (integers) or with %.6g (doubles; NaN and infinities become null).
 */
#ifndef TICKGATE_JSON_H
#define TICKGATE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tickgate/result.h"

#define TG_JSON_MAX_DEPTH 16

struct tg_json {
	FILE *f;
	int depth;
	bool need_comma[TG_JSON_MAX_DEPTH];
};

/* key is NULL inside arrays and for the top-level value */
TG_API void tg_json_init(struct tg_json *j, FILE *f);
TG_API void tg_json_object_begin(struct tg_json *j, const char *key);
TG_API void tg_json_object_end(struct tg_json *j);
TG_API void tg_json_array_begin(struct tg_json *j, const char *key);
TG_API void tg_json_array_end(struct tg_json *j);
TG_API void tg_json_string(struct tg_json *j, const char *key, const char *value);
TG_API void tg_json_u64(struct tg_json *j, const char *key, uint64_t value);
TG_API void tg_json_i64(struct tg_json *j, const char *key, int64_t value);
TG_API void tg_json_double(struct tg_json *j, const char *key, double value);
TG_API void tg_json_bool(struct tg_json *j, const char *key, bool value);
/* a 32-bit value as the string "0x%08x" */
TG_API void tg_json_hex32(struct tg_json *j, const char *key, uint32_t value);
/* ends the document with a newline */
TG_API void tg_json_finish(struct tg_json *j);

/*
 * A JSON reader for what the writer writes (audit log lines): one document
 * parsed into a tree that the tg_json_doc owns. Strings come back as UTF-8
 * with escapes resolved; numbers keep their text (tg_json_to_u64 reads
 * whole numbers exactly). Nesting deeper than TG_JSON_MAX_DEPTH is refused.
 */
enum tg_json_type {
	TG_JSON_NULL,
	TG_JSON_FALSE,
	TG_JSON_TRUE,
	TG_JSON_NUMBER,
	TG_JSON_STRING,
	TG_JSON_ARRAY,
	TG_JSON_OBJECT,
};

struct tg_json_value {
	enum tg_json_type type;
	const char *str;		/* STRING: the text, NUL-terminated; NUMBER: as written */
	size_t len;			/* STRING: bytes (a \u0000 counts); ARRAY, OBJECT: members */
	const struct tg_json_value *items;	/* ARRAY, OBJECT: the members */
	const char *const *keys;	/* OBJECT: the members' names */
};

struct tg_json_doc;

/* Parse text[0..len) (one value, white space around it). TG_ERR_ARG with
 * the offset and reason in errbuf when it is not JSON; TG_ERR_NOMEM. */
TG_API TG_MUST_CHECK int tg_json_parse(const char *text, size_t len, struct tg_json_doc **out,
				       char *errbuf, size_t errlen);
TG_API const struct tg_json_value *tg_json_doc_root(const struct tg_json_doc *doc);
TG_API void tg_json_doc_free(struct tg_json_doc *doc);
/* The member of an object by name (the first, when repeated), or NULL. */
TG_API const struct tg_json_value *tg_json_member(const struct tg_json_value *obj, const char *key);
/* A whole number 0..2^64-1 (no sign, fraction or exponent). */
TG_API bool tg_json_to_u64(const struct tg_json_value *v, uint64_t *out);

#endif
