/* ITCH 5.0 table lookup and text formatting, see tickgate/itch50.h. */
#include <inttypes.h>
#include <string.h>

#include "tickgate/itch50.h"

const struct tg_itch_type *tg_itch_type(uint8_t t)
{
	static const struct tg_itch_type *by_byte[256];
	static int ready;

	/* built once; the table is constant, so a racing second build writes the same */
	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		for (unsigned i = 0; i < tg_itch_types_count; i++)
			by_byte[(uint8_t)tg_itch_types[i].type] = &tg_itch_types[i];
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	return by_byte[t];
}

void tg_itch_alpha(char *out, const uint8_t *msg, unsigned offset, unsigned length)
{
	unsigned n = length;

	while (n > 0 && msg[offset + n - 1] == ' ')
		n--;
	for (unsigned i = 0; i < n; i++) {
		uint8_t c = msg[offset + i];

		out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[n] = '\0';
}

void tg_itch_format_time(char out[20], uint64_t ns)
{
	uint64_t s = ns / 1000000000u;

	snprintf(out, 20, "%02u:%02u:%02u.%09u", (unsigned)(s / 3600 % 100), (unsigned)(s / 60 % 60),
		 (unsigned)(s % 60), (unsigned)(ns % 1000000000u));
}

void tg_itch_format_price(char *out, size_t len, uint64_t raw, unsigned decimals)
{
	uint64_t scale = 1;

	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	snprintf(out, len, "%" PRIu64 ".%0*" PRIu64, raw / scale, (int)decimals, raw % scale);
}

int tg_itch_format_field(char *buf, size_t len, const uint8_t *msg, const struct tg_itch_field *f)
{
	char tmp[64];
	uint64_t v = f->length <= 8 ? tg_itch_get(msg, f) : 0;

	switch (f->kind) {
	case TG_ITCH_ALPHA:
		tg_itch_alpha(tmp, msg, f->offset, f->length < sizeof(tmp) ? f->length : sizeof(tmp) - 1);
		return snprintf(buf, len, "%s", tmp);
	case TG_ITCH_CHAR:
		return snprintf(buf, len, "%c", v >= 0x20 && v < 0x7f ? (char)v : '?');
	case TG_ITCH_U48:
		if (strcmp(f->name, "timestamp") == 0) {
			tg_itch_format_time(tmp, v);
			return snprintf(buf, len, "%s", tmp);
		}
		return snprintf(buf, len, "%" PRIu64, v);
	case TG_ITCH_PRICE4:
		tg_itch_format_price(tmp, sizeof(tmp), v, 4);
		return snprintf(buf, len, "%s", tmp);
	case TG_ITCH_PRICE8:
		tg_itch_format_price(tmp, sizeof(tmp), v, 8);
		return snprintf(buf, len, "%s", tmp);
	default:
		return snprintf(buf, len, "%" PRIu64, v);
	}
}
