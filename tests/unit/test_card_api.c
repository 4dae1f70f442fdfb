/*
 * Unit tests of the card driver's argument checks and register table, with
 * no card present: bad arguments are refused with TG_ERR_ARG before any
 * transport is touched, a missing simulator is TG_ERR_NOENT, and the
 * generated register table is consistent with the header constants.
 */
#include <stdlib.h>
#include <string.h>

#include "tg_cunit.h"
#include "tickgate/card.h"

static void test_open_arguments(void)
{
	struct tg_card *card = (struct tg_card *)0x1;
	char longuri[300];

	CU_ASSERT_EQUAL(tg_card_open(NULL, 0, &card), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_card_open("sim:x", 0, NULL), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_card_open("sim:x", 0x80, &card), TG_ERR_ARG);	/* unknown flag */
	CU_ASSERT_EQUAL(tg_card_open("tcp:host", 0, &card), TG_ERR_ARG);	/* unknown transport */
	CU_ASSERT_EQUAL(tg_card_open("sim:", 0, &card), TG_ERR_ARG);	/* empty name */
	CU_ASSERT_EQUAL(tg_card_open("sim:../etc", 0, &card), TG_ERR_ARG);	/* path characters */
	memset(longuri, 'a', sizeof(longuri) - 1);
	longuri[sizeof(longuri) - 1] = '\0';
	memcpy(longuri, "sim:", 4);
	CU_ASSERT_EQUAL(tg_card_open(longuri, 0, &card), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_card_open("sim:no-such-simulator-running", 0, &card), TG_ERR_NOENT);
	CU_ASSERT_PTR_NULL(card);
	CU_ASSERT_EQUAL(tg_card_open("pcie:0000:01:00.0", 0, &card), TG_ERR_NOENT);
}

static void test_null_card(void)
{
	uint32_t v;
	uint64_t v64;
	unsigned n;
	union tg_h2c_record cmd;
	union tg_c2h_record ev;
	struct tg_card_ring_stats st;
	struct tg_card_oe_link link;
	struct tg_card_feed_link feed;

	memset(&cmd, 0, sizeof(cmd));
	CU_ASSERT_EQUAL(tg_card_csr_read(NULL, TG_REG_MAGIC, &v), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_card_csr_write(NULL, TG_REG_SCRATCH, 1), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_card_counter_read(NULL, TG_REG_UPTIME_LO, &v64), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_card_send(NULL, &cmd), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_card_send_batch(NULL, &cmd, 1, &n), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_card_poll(NULL, &ev, 1, &n), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_card_oe_link(NULL, &link), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_card_feed_link(NULL, &feed), TG_ERR_ARG);
	CU_ASSERT_PTR_NULL(tg_card_identity(NULL));
	tg_card_ring_stats(NULL, &st);
	tg_card_close(NULL);
}

static void test_default_uri(void)
{
	unsetenv(TG_CARD_URI_ENV);
	CU_ASSERT_STRING_EQUAL(tg_card_default_uri(), TG_CARD_URI_DEFAULT);
	setenv(TG_CARD_URI_ENV, "sim:other", 1);
	CU_ASSERT_STRING_EQUAL(tg_card_default_uri(), "sim:other");
	setenv(TG_CARD_URI_ENV, "", 1);
	CU_ASSERT_STRING_EQUAL(tg_card_default_uri(), TG_CARD_URI_DEFAULT);
	unsetenv(TG_CARD_URI_ENV);
}

static void test_register_table(void)
{
	uint32_t last = 0;

	CU_ASSERT(tg_card_regs_count > 10);
	for (unsigned i = 0; i < tg_card_regs_count; i++) {
		const struct tg_reg_info *r = &tg_card_regs[i];

		CU_ASSERT_EQUAL(r->offset & 3u, 0);
		if (i > 0)
			CU_ASSERT(r->offset > last);	/* sorted, unique */
		last = r->access == TG_REG_COUNTER64 ? r->offset + 4 : r->offset;
		if (r->access == TG_REG_RW)
			CU_ASSERT_EQUAL(r->value & ~r->mask, 0);	/* reset fits the fields */
		CU_ASSERT_PTR_EQUAL(tg_reg_by_name(r->name), r);
		CU_ASSERT_PTR_EQUAL(tg_reg_by_offset(r->offset), r);
	}
	/* the table agrees with the header constants */
	CU_ASSERT_EQUAL(tg_reg_by_name("magic")->offset, TG_REG_MAGIC);
	CU_ASSERT_EQUAL(tg_reg_by_name("Magic")->value, TG_CARD_MAGIC);
	CU_ASSERT_EQUAL(tg_reg_by_name("CONTRACT_HASH")->value, TG_CARD_CONTRACT_HASH);
	CU_ASSERT_EQUAL(tg_reg_by_offset(TG_REG_UPTIME_HI), tg_reg_by_name("UPTIME"));
	CU_ASSERT_PTR_NULL(tg_reg_by_name("NO_SUCH"));
	CU_ASSERT_PTR_NULL(tg_reg_by_name(NULL));
	CU_ASSERT_PTR_NULL(tg_reg_by_offset(0xffc));
	CU_ASSERT_TRUE(tg_reg_by_name("H2C_PROD")->ring_owned);
	CU_ASSERT_FALSE(tg_reg_by_name("KILL")->ring_owned);
}

static void test_strerror(void)
{
	for (int rc = TG_OK; rc >= TG_ERR_SYS; rc--) {
		CU_ASSERT_PTR_NOT_NULL(tg_strerror(rc));
		CU_ASSERT_STRING_NOT_EQUAL(tg_strerror(rc), "unknown error");
	}
	CU_ASSERT_STRING_EQUAL(tg_strerror(-1000), "unknown error");
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "open refuses bad arguments", test_open_arguments },
		{ "every call refuses a NULL card", test_null_card },
		{ "default URI from the environment", test_default_uri },
		{ "register table", test_register_table },
		{ "every result code has a text", test_strerror },
	};
	int rc = tg_cunit_run("card_api", NULL, NULL, tests, TG_CUNIT_COUNT(tests));

	return rc;
}
