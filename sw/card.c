/*
 * Card driver: identity checks, CSR access rules, ring set-up and the
 * H2C/C2H record paths, over any transport (card_transport.h).
 *
 * The rings live in host memory that the card reaches by DMA. The driver
 * is the host side of both: producer of H2C (doorbell H2C_PROD after
 * queueing) and consumer of C2H (doorbell C2H_CONS after consuming). The
 * card writes its own indices back into the ring headers, so the host
 * never reads a CSR on the fast path.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "card_transport.h"
#include "tickgate/card.h"
#include "tickgate/ring.h"

#define URI_MAX 128u
#define RING_STOP_POLLS 1000u

struct tg_card {
	struct tg_transport *t;
	char uri[URI_MAX];
	struct tg_card_identity id;
	bool rings;
	struct tg_ring h2c;
	struct tg_ring c2h;
	bool c2h_seq_valid;
	uint32_t c2h_seq_next;
	struct tg_card_ring_stats stats;
};

const char *tg_card_default_uri(void)
{
	const char *env = getenv(TG_CARD_URI_ENV);

	return env != NULL && env[0] != '\0' ? env : TG_CARD_URI_DEFAULT;
}

const struct tg_reg_info *tg_reg_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (unsigned i = 0; i < tg_card_regs_count; i++)
		if (strcasecmp(tg_card_regs[i].name, name) == 0)
			return &tg_card_regs[i];
	return NULL;
}

const struct tg_reg_info *tg_reg_by_offset(uint32_t offset)
{
	for (unsigned i = 0; i < tg_card_regs_count; i++) {
		const struct tg_reg_info *r = &tg_card_regs[i];

		if (r->offset == offset || (r->access == TG_REG_COUNTER64 && r->offset + 4u == offset))
			return r;
	}
	return NULL;
}

static int read_identity(struct tg_card *c)
{
	static const struct {
		uint32_t offset;
		size_t field;
	} ident[] = {
		{ TG_REG_MAGIC, offsetof(struct tg_card_identity, magic) },
		{ TG_REG_IF_VERSION, offsetof(struct tg_card_identity, if_version) },
		{ TG_REG_BUILD_ID, offsetof(struct tg_card_identity, build_id) },
		{ TG_REG_CAPS, offsetof(struct tg_card_identity, caps) },
		{ TG_REG_CONTRACT_HASH, offsetof(struct tg_card_identity, contract_hash) },
		{ TG_REG_CLOCK_KHZ, offsetof(struct tg_card_identity, clock_khz) },
		{ TG_REG_REC_BYTES, offsetof(struct tg_card_identity, rec_bytes) },
	};

	for (size_t i = 0; i < sizeof(ident) / sizeof(ident[0]); i++) {
		uint32_t v;
		int rc = c->t->ops->csr_read(c->t, ident[i].offset, &v);

		if (rc != TG_OK)
			return rc;
		memcpy((char *)&c->id + ident[i].field, &v, sizeof(v));
	}
	/* refuse a card we do not understand before touching anything else */
	if (c->id.magic != TG_CARD_MAGIC || (c->id.if_version >> 16) != TG_CARD_IF_MAJOR ||
	    c->id.contract_hash != TG_CARD_CONTRACT_HASH)
		return TG_ERR_CONTRACT;
	return TG_OK;
}

static int wr(struct tg_card *c, uint32_t offset, uint32_t value)
{
	return c->t->ops->csr_write(c->t, offset, value);
}

static int rd(struct tg_card *c, uint32_t offset, uint32_t *value)
{
	return c->t->ops->csr_read(c->t, offset, value);
}

/* Stop both engines and wait until the H2C engine has finished its record. */
static int rings_stop(struct tg_card *c)
{
	uint32_t status = 0;
	int rc = wr(c, TG_REG_RING_CONTROL, 0);

	for (unsigned i = 0; rc == TG_OK && i < RING_STOP_POLLS; i++) {
		rc = rd(c, TG_REG_STATUS, &status);
		if (rc == TG_OK && (status & TG_STATUS_H2C_BUSY_MASK) == 0)
			return TG_OK;
	}
	return rc == TG_OK ? TG_ERR_TIMEOUT : rc;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1u) & ~(a - 1u);
}

static int rings_start(struct tg_card *c)
{
	void *va;
	uint64_t bus;
	size_t bytes;
	size_t h2c_bytes = tg_ring_mem_bytes(TG_CARD_H2C_LOG2_DEFAULT, TG_RECORD_BYTES);
	size_t c2h_off = align_up(h2c_bytes, 4096);
	size_t c2h_bytes = tg_ring_mem_bytes(TG_CARD_C2H_LOG2_DEFAULT, TG_RECORD_BYTES);
	uint64_t c2h_bus;
	uint32_t check = 0;
	int rc;

	rc = c->t->ops->dma_window(c->t, &va, &bus, &bytes);
	if (rc != TG_OK)
		return rc;
	if (c2h_off + c2h_bytes > bytes)
		return TG_ERR_NOMEM;
	rc = rings_stop(c);
	if (rc != TG_OK)
		return rc;
	if (tg_ring_format(va, h2c_bytes, TG_CARD_H2C_LOG2_DEFAULT, TG_RECORD_BYTES) != TG_OK ||
	    tg_ring_attach(&c->h2c, va, h2c_bytes, TG_CARD_H2C_LOG2_DEFAULT, TG_RECORD_BYTES) != TG_OK ||
	    tg_ring_format((char *)va + c2h_off, c2h_bytes, TG_CARD_C2H_LOG2_DEFAULT,
			   TG_RECORD_BYTES) != TG_OK ||
	    tg_ring_attach(&c->c2h, (char *)va + c2h_off, c2h_bytes, TG_CARD_C2H_LOG2_DEFAULT,
			   TG_RECORD_BYTES) != TG_OK)
		return TG_ERR_NOMEM;
	c2h_bus = bus + c2h_off;
	const uint32_t setup[][2] = {
		{ TG_REG_H2C_BASE_LO, (uint32_t)bus },
		{ TG_REG_H2C_BASE_HI, (uint32_t)(bus >> 32) },
		{ TG_REG_H2C_SIZE, TG_CARD_H2C_LOG2_DEFAULT },
		{ TG_REG_H2C_PROD, 0 },
		{ TG_REG_C2H_BASE_LO, (uint32_t)c2h_bus },
		{ TG_REG_C2H_BASE_HI, (uint32_t)(c2h_bus >> 32) },
		{ TG_REG_C2H_SIZE, TG_CARD_C2H_LOG2_DEFAULT },
		{ TG_REG_C2H_CONS, 0 },
		{ TG_REG_RING_CONTROL, TG_RING_CONTROL_H2C_EN_MASK | TG_RING_CONTROL_C2H_EN_MASK },
	};
	for (size_t i = 0; rc == TG_OK && i < sizeof(setup) / sizeof(setup[0]); i++)
		rc = wr(c, setup[i][0], setup[i][1]);
	/* the read flushes the posted writes and proves the engines took them */
	if (rc == TG_OK)
		rc = rd(c, TG_REG_RING_CONTROL, &check);
	if (rc == TG_OK && check != (TG_RING_CONTROL_H2C_EN_MASK | TG_RING_CONTROL_C2H_EN_MASK))
		rc = TG_ERR_IO;
	c->c2h_seq_valid = false;
	return rc;
}

int tg_card_open(const char *uri, unsigned flags, struct tg_card **out)
{
	struct tg_card *c;
	int rc;

	if (uri == NULL || out == NULL || (flags & ~TG_CARD_OPEN_RINGS) != 0 ||
	    strlen(uri) >= URI_MAX)
		return TG_ERR_ARG;
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return TG_ERR_NOMEM;
	strcpy(c->uri, uri);
	if (strncmp(uri, "sim:", 4) == 0)
		rc = tg_transport_sim_open(uri + 4, &c->t);
	else if (strncmp(uri, "pcie:", 5) == 0)
		rc = TG_ERR_NOENT;	/* the PCIe transport is not part of this build yet */
	else
		rc = TG_ERR_ARG;
	if (rc == TG_OK)
		rc = read_identity(c);
	if (rc == TG_OK && (flags & TG_CARD_OPEN_RINGS)) {
		rc = c->t->ops->claim_rings(c->t);
		if (rc == TG_OK) {
			c->rings = true;
			rc = rings_start(c);
		}
	}
	if (rc != TG_OK) {
		tg_card_close(c);
		return rc;
	}
	*out = c;
	return TG_OK;
}

void tg_card_close(struct tg_card *c)
{
	if (c == NULL)
		return;
	if (c->t != NULL) {
		if (c->rings) {
			/* best effort: a dead simulator must not stop the close */
			(void)rings_stop(c);
			c->t->ops->release_rings(c->t);
		}
		c->t->ops->close(c->t);
	}
	free(c);
}

const struct tg_card_identity *tg_card_identity(const struct tg_card *c)
{
	return c != NULL ? &c->id : NULL;
}

const char *tg_card_uri(const struct tg_card *c)
{
	return c != NULL ? c->uri : NULL;
}

int tg_card_csr_read(struct tg_card *c, uint32_t offset, uint32_t *value)
{
	if (c == NULL || value == NULL || (offset & 3u) != 0 || tg_reg_by_offset(offset) == NULL)
		return TG_ERR_ARG;
	return rd(c, offset, value);
}

int tg_card_csr_write(struct tg_card *c, uint32_t offset, uint32_t value)
{
	const struct tg_reg_info *r;

	if (c == NULL || (offset & 3u) != 0)
		return TG_ERR_ARG;
	r = tg_reg_by_offset(offset);
	if (r == NULL || r->access != TG_REG_RW || r->offset != offset)
		return TG_ERR_ARG;
	if ((value & ~r->mask) != 0)
		return TG_ERR_ARG;
	if (r->ring_owned && !c->rings)
		return TG_ERR_PERM;
	return wr(c, offset, value);
}

int tg_card_counter_read(struct tg_card *c, uint32_t lo_offset, uint64_t *value)
{
	const struct tg_reg_info *r;
	uint32_t lo, hi;
	int rc;

	if (c == NULL || value == NULL)
		return TG_ERR_ARG;
	r = tg_reg_by_offset(lo_offset);
	if (r == NULL || r->access != TG_REG_COUNTER64 || r->offset != lo_offset)
		return TG_ERR_ARG;
	/* the LO read snapshots HI in the card: LO then HI is one value */
	rc = rd(c, lo_offset, &lo);
	if (rc == TG_OK)
		rc = rd(c, lo_offset + 4u, &hi);
	if (rc == TG_OK)
		*value = (uint64_t)hi << 32 | lo;
	return rc;
}

int tg_card_send_batch(struct tg_card *c, const union tg_h2c_record *recs, unsigned n,
		       unsigned *sent)
{
	unsigned i;

	if (c == NULL || recs == NULL || sent == NULL)
		return TG_ERR_ARG;
	*sent = 0;
	if (!c->rings)
		return TG_ERR_STATE;
	for (i = 0; i < n; i++)
		if (!tg_ring_push(&c->h2c, &recs[i]))
			break;
	*sent = i;
	c->stats.sent += i;
	if (i < n)
		c->stats.send_full++;
	if (i == 0)
		return n == 0 ? TG_OK : TG_ERR_AGAIN;
	/* posted write ordered after the record stores (release in the transport) */
	return wr(c, TG_REG_H2C_PROD, c->h2c.index);
}

int tg_card_send(struct tg_card *c, const union tg_h2c_record *rec)
{
	unsigned sent;

	return tg_card_send_batch(c, rec, 1, &sent);
}

int tg_card_poll(struct tg_card *c, union tg_c2h_record *out, unsigned max, unsigned *got)
{
	unsigned n = 0;

	if (c == NULL || out == NULL || got == NULL)
		return TG_ERR_ARG;
	*got = 0;
	if (!c->rings)
		return TG_ERR_STATE;
	while (n < max && tg_ring_pop(&c->c2h, &out[n])) {
		uint32_t seq = out[n].hdr.seq;

		if (c->c2h_seq_valid && seq != c->c2h_seq_next)
			c->stats.seq_gaps++;
		c->c2h_seq_valid = true;
		c->c2h_seq_next = seq + 1u;
		n++;
	}
	*got = n;
	c->stats.received += n;
	if (n == 0)
		return TG_OK;
	/* give the consumed slots back to the card */
	return wr(c, TG_REG_C2H_CONS, c->c2h.index);
}

void tg_card_ring_stats(const struct tg_card *c, struct tg_card_ring_stats *stats)
{
	if (c != NULL && stats != NULL)
		*stats = c->stats;
}

int tg_card_oe_link(struct tg_card *c, struct tg_card_oe_link *out)
{
	if (c == NULL || out == NULL)
		return TG_ERR_ARG;
	memset(out, 0, sizeof(*out));
	if (c->t->ops->oe_link == NULL)
		return TG_ERR_STATE;
	return c->t->ops->oe_link(c->t, out);
}

int tg_card_feed_link(struct tg_card *c, struct tg_card_feed_link *out)
{
	if (c == NULL || out == NULL)
		return TG_ERR_ARG;
	memset(out, 0, sizeof(*out));
	if (c->t->ops->feed_link == NULL)
		return TG_ERR_STATE;
	return c->t->ops->feed_link(c->t, out);
}
