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

#endif
