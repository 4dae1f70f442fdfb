/*
 * tickgate orders, positions, stats: the card's own view of its open
 * orders (the gate's order slots and the UserRefNums the exchange knows
 * them by), positions and exposure, decisions by reason and the latency
 * histograms, read from the CSRs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "card_util.h"
#include "cli.h"
#include "risk_cli.h"
#include "tickgate/json.h"
#include "tickgate/risk_card.h"

static bool only_json_args(const char *cmd, int argc, char **argv, struct cli *c, const char *help)
{
	for (int a = 1; a < argc; a++) {
		if (cli_is_help(argv[a])) {
			fputs(help, stdout);
			return false;
		}
		if (strcmp(argv[a], "--json") == 0 || strcmp(argv[a], "-j") == 0) {
			c->json = true;
			continue;
		}
		cli_usage_error(cmd, "unknown argument '%s'", argv[a]);
		c->card_uri = NULL;
		return false;
	}
	return true;
}

#define ARGS_OR_RETURN(cmd, help)                                   \
	struct cli c = *cli;                                        \
	if (!only_json_args(cmd, argc, argv, &c, help))             \
		return c.card_uri == NULL ? CLI_EXIT_USAGE : CLI_EXIT_OK

int cmd_orders(const struct cli *cli, int argc, char **argv)
{
	ARGS_OR_RETURN("orders", "usage: tickgate orders [--json]\nThe card's open orders: slot, instrument, side, "
				 "open shares, price, UserRefNum.\n");
	static struct tg_risk_card_state st;
	struct tg_card *card = cli_open(&c, 0);
	struct tg_json j;
	int rc;

	if (card == NULL)
		return CLI_EXIT_FAIL;
	rc = tg_risk_card_read(card, &st);
	if (rc != TG_OK) {
		cli_error("%s: %s", c.card_uri, tg_strerror(rc));
		tg_card_close(card);
		return CLI_EXIT_FAIL;
	}
	if (c.json) {
		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_array_begin(&j, "orders");
	} else {
		printf("%5s %-8s %-17s %10s %14s %10s\n", "slot", "symbol", "side", "open", "price", "urn");
	}
	for (uint32_t s = 0; s < (1u << st.slots_log2) && rc == TG_OK; s++) {
		uint32_t state, rem, price, urn;
		rc = tg_card_csr_write(card, TG_REG_RISK_SLOT_SEL, s);
		if (rc == TG_OK)
			rc = tg_card_csr_read(card, TG_REG_RISK_SLOT_STATE, &state);
		if (rc != TG_OK || !(state & TG_RISK_SLOT_STATE_OPEN_MASK))
			continue;
		if ((rc = tg_card_csr_read(card, TG_REG_RISK_SLOT_REM, &rem)) != TG_OK ||
		    (rc = tg_card_csr_read(card, TG_REG_RISK_SLOT_PRICE, &price)) != TG_OK ||
		    (rc = tg_card_csr_read(card, TG_REG_OE_SLOT_URN, &urn)) != TG_OK)
			break;
		unsigned inst = (state & TG_RISK_SLOT_STATE_INST_MASK) >> TG_RISK_SLOT_STATE_INST_SHIFT;
		unsigned side = (state & TG_RISK_SLOT_STATE_SIDE_MASK) >> TG_RISK_SLOT_STATE_SIDE_SHIFT;
		const char *sym = inst < st.instruments ? st.inst[inst].symbol : "?";
		if (c.json) {
			tg_json_object_begin(&j, NULL);
			tg_json_u64(&j, "slot", s);
			tg_json_string(&j, "symbol", sym);
			tg_json_u64(&j, "instrument", inst);
			tg_json_string(&j, "side", risk_side_name(side));
			tg_json_u64(&j, "open", rem);
			tg_json_u64(&j, "price", price);
			tg_json_u64(&j, "urn", urn);
			tg_json_object_end(&j);
		} else {
			printf("%5" PRIu32 " %-8s %-17s %10" PRIu32 " %9" PRIu32 ".%04" PRIu32 " %10" PRIu32 "\n", s, sym,
			       risk_side_name(side), rem, price / 10000, price % 10000, urn);
		}
	}
	if (c.json) {
		tg_json_array_end(&j);
		tg_json_object_end(&j);
		tg_json_finish(&j);
	}
	tg_card_close(card);
	if (rc != TG_OK) {
		cli_error("%s: %s", c.card_uri, tg_strerror(rc));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

int cmd_positions(const struct cli *cli, int argc, char **argv)
{
	ARGS_OR_RETURN("positions", "usage: tickgate positions [--json]\nPosition, open shares and exposure of every "
				    "instrument, as the card's risk gate counts them.\n");
	static struct tg_risk_card_state st;
	struct tg_card *card = cli_open(&c, 0);
	struct tg_json j;

	if (card == NULL)
		return CLI_EXIT_FAIL;
	int rc = tg_risk_card_read(card, &st);
	tg_card_close(card);
	if (rc != TG_OK) {
		cli_error("%s: %s", c.card_uri, tg_strerror(rc));
		return CLI_EXIT_FAIL;
	}
	if (c.json) {
		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_i64(&j, "gross", st.gross);
		tg_json_array_begin(&j, "positions");
	} else {
		printf("%-8s %12s %10s %10s %7s %18s %18s\n", "symbol", "position", "open buy", "open sell", "orders",
		       "exposure long", "exposure short");
	}
	for (unsigned i = 0; i < st.instruments; i++) {
		const struct tg_risk_card_inst *in = &st.inst[i];
		if (!in->subscribed && in->position == 0)
			continue;
		if (c.json) {
			tg_json_object_begin(&j, NULL);
			tg_json_string(&j, "symbol", in->symbol);
			tg_json_u64(&j, "instrument", i);
			tg_json_i64(&j, "position", in->position);
			tg_json_u64(&j, "open_buy", in->open_buy);
			tg_json_u64(&j, "open_sell", in->open_sell);
			tg_json_u64(&j, "open_orders", in->open_orders);
			tg_json_i64(&j, "exposure_long", in->exposure_long);
			tg_json_i64(&j, "exposure_short", in->exposure_short);
			tg_json_object_end(&j);
		} else {
			printf("%-8s %12" PRId64 " %10" PRIu64 " %10" PRIu64 " %7u %18" PRId64 " %18" PRId64 "\n", in->symbol,
			       in->position, in->open_buy, in->open_sell, in->open_orders, in->exposure_long,
			       in->exposure_short);
		}
	}
	if (c.json) {
		tg_json_array_end(&j);
		tg_json_object_end(&j);
		tg_json_finish(&j);
	}
	return CLI_EXIT_OK;
}

int cmd_stats(const struct cli *cli, int argc, char **argv)
{
	ARGS_OR_RETURN("stats", "usage: tickgate stats [--json]\nDecisions of the risk gate by reason, order and kill "
				"latency histograms (cycles and ns), order-entry counters.\n");
	static struct tg_risk_card_state st;
	static const struct { const char *name; uint32_t reg; } oe[] = {
		{ "sent_enter", TG_REG_OE_SENT_ENTER_LO }, { "sent_replace", TG_REG_OE_SENT_REPLACE_LO },
		{ "sent_cancel", TG_REG_OE_SENT_CANCEL_LO }, { "tx_bytes", TG_REG_OE_TX_BYTES_LO },
		{ "rx_packets", TG_REG_OE_RX_PACKETS_LO }, { "rx_sequenced", TG_REG_OE_RX_SEQUENCED_LO },
		{ "rx_bad", TG_REG_OE_RX_BAD_LO }, { "rx_unmatched", TG_REG_OE_RX_UNMATCHED_LO },
	};
	struct tg_card *card = cli_open(&c, 0);
	struct tg_json j;
	struct card_lat lats[2];
	uint64_t oev[8];
	int rc;

	if (card == NULL)
		return CLI_EXIT_FAIL;
	rc = tg_risk_card_read(card, &st);
	for (unsigned h = 0; h < 2 && rc == TG_OK; h++)
		rc = card_lat_read(card, h == 0, &lats[h]);
	for (unsigned k = 0; k < 8 && rc == TG_OK; k++)
		rc = tg_card_counter_read(card, oe[k].reg, &oev[k]);
	tg_card_close(card);
	if (rc != TG_OK) {
		cli_error("%s: %s", c.card_uri, tg_strerror(rc));
		return CLI_EXIT_FAIL;
	}
	if (c.json) {
		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_object_begin(&j, "decisions");
		for (unsigned r = 0; r < TG_RISK_REASONS; r++)
			tg_json_u64(&j, tg_risk_reason_name(r), st.decided[r]);
		tg_json_object_end(&j);
		tg_json_double(&j, "ns_per_cycle", card_ns_per_cycle());
		card_lat_json(&j, "order_latency", &lats[0]);
		card_lat_json(&j, "kill_latency", &lats[1]);
		tg_json_object_begin(&j, "order_entry");
		for (unsigned k = 0; k < 8; k++)
			tg_json_u64(&j, oe[k].name, oev[k]);
		tg_json_object_end(&j);
		tg_json_object_end(&j);
		tg_json_finish(&j);
		return CLI_EXIT_OK;
	}
	printf("decisions\n");
	for (unsigned r = 0; r < TG_RISK_REASONS; r++) {
		if (st.decided[r] != 0)
			printf("  %-20s %12" PRIu64 "\n", tg_risk_reason_name(r), st.decided[r]);
	}
	for (unsigned h = 0; h < 2; h++)
		card_lat_print(stdout, &lats[h], "");
	printf("order entry\n");
	for (unsigned k = 0; k < 8; k++)
		printf("  %-14s %12" PRIu64 "\n", oe[k].name, oev[k]);
	return CLI_EXIT_OK;
}
