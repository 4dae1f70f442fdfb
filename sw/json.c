/* Streaming JSON writer, see tickgate/json.h. */
#include <inttypes.h>
#include <math.h>

#include "tickgate/json.h"

void tg_json_init(struct tg_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->need_comma[0] = false;
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void prefix(struct tg_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key != NULL) {
		put_string(j->f, key);
		fputc(':', j->f);
	}
}

static void open_scope(struct tg_json *j, const char *key, char ch)
{
	prefix(j, key);
	fputc(ch, j->f);
	if (j->depth + 1 < TG_JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_scope(struct tg_json *j, char ch)
{
	if (j->depth > 0)
		j->depth--;
	fputc(ch, j->f);
}

void tg_json_object_begin(struct tg_json *j, const char *key) { open_scope(j, key, '{'); }
void tg_json_object_end(struct tg_json *j) { close_scope(j, '}'); }
void tg_json_array_begin(struct tg_json *j, const char *key) { open_scope(j, key, '['); }
void tg_json_array_end(struct tg_json *j) { close_scope(j, ']'); }

void tg_json_string(struct tg_json *j, const char *key, const char *value)
{
	prefix(j, key);
	put_string(j->f, value);
}

void tg_json_u64(struct tg_json *j, const char *key, uint64_t value)
{
	prefix(j, key);
	fprintf(j->f, "%" PRIu64, value);
}

void tg_json_i64(struct tg_json *j, const char *key, int64_t value)
{
	prefix(j, key);
	fprintf(j->f, "%" PRId64, value);
}

void tg_json_double(struct tg_json *j, const char *key, double value)
{
	prefix(j, key);
	if (isfinite(value))
		fprintf(j->f, "%.6g", value);
	else
		fputs("null", j->f);
}

void tg_json_bool(struct tg_json *j, const char *key, bool value)
{
	prefix(j, key);
	fputs(value ? "true" : "false", j->f);
}

void tg_json_hex32(struct tg_json *j, const char *key, uint32_t value)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%08" PRIx32, value);
	tg_json_string(j, key, buf);
}

void tg_json_finish(struct tg_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
