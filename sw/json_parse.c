/*
 * The JSON reader of tickgate/json.h: recursive descent over one value
 * into a tree whose nodes, names and strings live in an arena the
 * document owns, so freeing is one walk over a few blocks.
 *
 * Strict RFC 8259: no comments, no trailing commas, no bare control
 * characters in strings, escapes checked (a lone surrogate is refused).
 * Bytes above 0x7f pass through as they are, as the writer writes them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tickgate/json.h"

#define BLOCK_BYTES 4096u

struct block {
	struct block *next;
	size_t used, cap;
	max_align_t data[];
};

struct tg_json_doc {
	struct block *blocks;
	struct tg_json_value root;
};

struct parser {
	const char *start, *p, *end;
	struct tg_json_doc *doc;
	int depth;
	bool nomem;
	char *err;
	size_t errlen;
};

static void *arena(struct tg_json_doc *d, size_t n)
{
	struct block *b = d->blocks;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (b == NULL || b->cap - b->used < n) {
		size_t cap = n > BLOCK_BYTES ? n : BLOCK_BYTES;

		b = malloc(sizeof(*b) + cap);
		if (b == NULL)
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = d->blocks;
		d->blocks = b;
	}
	b->used += n;
	return (char *)b->data + b->used - n;
}

static int fail(struct parser *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *P, const char *fmt, ...)
{
	if (P->err != NULL && P->errlen > 0 && !P->nomem) {
		int n = snprintf(P->err, P->errlen, "offset %zu: ", (size_t)(P->p - P->start));
		va_list ap;

		if (n >= 0 && (size_t)n < P->errlen) {
			va_start(ap, fmt);
			vsnprintf(P->err + n, P->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return -1;
}

static int oom(struct parser *P)
{
	P->nomem = true;
	if (P->err != NULL && P->errlen > 0)
		snprintf(P->err, P->errlen, "out of memory");
	return -1;
}

static void skip_ws(struct parser *P)
{
	while (P->p < P->end && (*P->p == ' ' || *P->p == '\t' || *P->p == '\n' || *P->p == '\r'))
		P->p++;
}

static int hex4(struct parser *P, const char *s, unsigned *out)
{
	*out = 0;
	if (P->end - s < 4)
		return fail(P, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;

		if (d == 16)
			return fail(P, "bad \\u escape");
		*out = *out << 4 | d;
	}
	return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* a string at P->p (on its '"'): its text, decoded, in the arena */
static int parse_string(struct parser *P, const char **out, size_t *len)
{
	const char *s = ++P->p, *e = s;
	char *buf, *o;

	while (e < P->end && *e != '"')
		e += *e == '\\' ? 2 : 1;
	if (e >= P->end)
		return fail(P, "unterminated string");
	buf = arena(P->doc, (size_t)(e - s) + 1);
	if (buf == NULL)
		return oom(P);
	for (o = buf; P->p < e;) {
		unsigned char c = (unsigned char)*P->p;
		unsigned cp, lo;

		if (c < 0x20)
			return fail(P, "control character in a string");
		if (c != '\\') {
			*o++ = (char)c;
			P->p++;
			continue;
		}
		switch (P->p[1]) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (hex4(P, P->p + 2, &cp) != 0)
				return -1;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(P, "lone low surrogate");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (P->p + 12 > e || P->p[6] != '\\' || P->p[7] != 'u' ||
				    hex4(P, P->p + 8, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
					return fail(P, "lone high surrogate");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				P->p += 6;
			}
			o = put_utf8(o, cp);
			P->p += 4;
			break;
		default:
			return fail(P, "bad escape");
		}
		P->p += 2;
	}
	*o = '\0';
	P->p = e + 1;
	*out = buf;
	*len = (size_t)(o - buf);
	return 0;
}

static bool digit(const char *p, const char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

static int parse_number(struct parser *P, struct tg_json_value *v)
{
	const char *s = P->p;
	char *text;

	if (*P->p == '-')
		P->p++;
	if (!digit(P->p, P->end))
		return fail(P, "expected a value");
	if (*P->p == '0')
		P->p++;
	else
		while (digit(P->p, P->end))
			P->p++;
	if (P->p < P->end && *P->p == '.') {
		if (!digit(++P->p, P->end))
			return fail(P, "digits must follow the point");
		while (digit(P->p, P->end))
			P->p++;
	}
	if (P->p < P->end && (*P->p == 'e' || *P->p == 'E')) {
		P->p++;
		if (P->p < P->end && (*P->p == '+' || *P->p == '-'))
			P->p++;
		if (!digit(P->p, P->end))
			return fail(P, "digits must follow the exponent");
		while (digit(P->p, P->end))
			P->p++;
	}
	text = arena(P->doc, (size_t)(P->p - s) + 1);
	if (text == NULL)
		return oom(P);
	memcpy(text, s, (size_t)(P->p - s));
	text[P->p - s] = '\0';
	v->type = TG_JSON_NUMBER;
	v->str = text;
	v->len = 0;
	return 0;
}

static int parse_value(struct parser *P, struct tg_json_value *v);

/* members of an array or object, collected and then moved into the arena */
static int parse_members(struct parser *P, struct tg_json_value *v, bool object)
{
	struct tg_json_value *items = NULL, *it;
	const char **keys = NULL, **kt;
	size_t n = 0, cap = 0, klen;
	int rc = -1;

	if (++P->depth > TG_JSON_MAX_DEPTH)
		return fail(P, "nested deeper than %d", TG_JSON_MAX_DEPTH);
	P->p++;
	skip_ws(P);
	if (P->p < P->end && *P->p == (object ? '}' : ']')) {
		P->p++;
		goto done;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			it = realloc(items, cap * sizeof(*items));
			kt = object ? realloc(keys, cap * sizeof(*keys)) : NULL;
			if (it != NULL)
				items = it;
			if (kt != NULL)
				keys = kt;
			if (it == NULL || (object && kt == NULL)) {
				oom(P);
				goto out;
			}
		}
		skip_ws(P);
		if (object) {
			if (P->p >= P->end || *P->p != '"') {
				fail(P, "expected a member name");
				goto out;
			}
			if (parse_string(P, &keys[n], &klen) != 0)
				goto out;
			skip_ws(P);
			if (P->p >= P->end || *P->p != ':') {
				fail(P, "expected ':'");
				goto out;
			}
			P->p++;
		}
		if (parse_value(P, &items[n]) != 0)
			goto out;
		n++;
		skip_ws(P);
		if (P->p < P->end && *P->p == ',') {
			P->p++;
			continue;
		}
		if (P->p < P->end && *P->p == (object ? '}' : ']')) {
			P->p++;
			break;
		}
		fail(P, "expected ',' or '%c'", object ? '}' : ']');
		goto out;
	}
done:
	v->type = object ? TG_JSON_OBJECT : TG_JSON_ARRAY;
	v->len = n;
	v->items = NULL;
	v->keys = NULL;
	if (n > 0) {
		struct tg_json_value *ai = arena(P->doc, n * sizeof(*ai));
		const char **ak = object ? arena(P->doc, n * sizeof(*ak)) : NULL;

		if (ai == NULL || (object && ak == NULL)) {
			oom(P);
			goto out;
		}
		memcpy(ai, items, n * sizeof(*ai));
		if (object)
			memcpy(ak, keys, n * sizeof(*ak));
		v->items = ai;
		v->keys = ak;
	}
	P->depth--;
	rc = 0;
out:
	free(items);
	free(keys);
	return rc;
}

static int literal(struct parser *P, const char *word, enum tg_json_type type, struct tg_json_value *v)
{
	size_t n = strlen(word);

	if ((size_t)(P->end - P->p) < n || memcmp(P->p, word, n) != 0)
		return fail(P, "expected a value");
	P->p += n;
	v->type = type;
	return 0;
}

static int parse_value(struct parser *P, struct tg_json_value *v)
{
	memset(v, 0, sizeof(*v));
	skip_ws(P);
	if (P->p >= P->end)
		return fail(P, "expected a value");
	switch (*P->p) {
	case '{': return parse_members(P, v, true);
	case '[': return parse_members(P, v, false);
	case '"':
		v->type = TG_JSON_STRING;
		return parse_string(P, &v->str, &v->len);
	case 't': return literal(P, "true", TG_JSON_TRUE, v);
	case 'f': return literal(P, "false", TG_JSON_FALSE, v);
	case 'n': return literal(P, "null", TG_JSON_NULL, v);
	default: return parse_number(P, v);
	}
}

int tg_json_parse(const char *text, size_t len, struct tg_json_doc **out, char *errbuf, size_t errlen)
{
	struct parser P = {.start = text, .p = text, .end = text + len, .err = errbuf, .errlen = errlen};

	if (out == NULL || (text == NULL && len > 0))
		return TG_ERR_ARG;
	*out = NULL;
	P.doc = calloc(1, sizeof(*P.doc));
	if (P.doc == NULL)
		return TG_ERR_NOMEM;
	if (parse_value(&P, &P.doc->root) == 0) {
		skip_ws(&P);
		if (P.p == P.end) {
			*out = P.doc;
			return TG_OK;
		}
		fail(&P, "text after the value");
	}
	tg_json_doc_free(P.doc);
	return P.nomem ? TG_ERR_NOMEM : TG_ERR_ARG;
}

const struct tg_json_value *tg_json_doc_root(const struct tg_json_doc *doc)
{
	return doc != NULL ? &doc->root : NULL;
}

void tg_json_doc_free(struct tg_json_doc *doc)
{
	if (doc == NULL)
		return;
	for (struct block *b = doc->blocks, *n; b != NULL; b = n) {
		n = b->next;
		free(b);
	}
	free(doc);
}

const struct tg_json_value *tg_json_member(const struct tg_json_value *obj, const char *key)
{
	if (obj == NULL || obj->type != TG_JSON_OBJECT || key == NULL)
		return NULL;
	for (size_t i = 0; i < obj->len; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

bool tg_json_to_u64(const struct tg_json_value *v, uint64_t *out)
{
	uint64_t x = 0;

	if (v == NULL || v->type != TG_JSON_NUMBER || v->str[0] == '\0')
		return false;
	for (const char *s = v->str; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9' || x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*out = x;
	return true;
}
