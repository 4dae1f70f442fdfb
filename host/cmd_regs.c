/* tickgate regs: registers by the names of the generated map. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tickgate/json.h"

static const char *access_name(enum tg_reg_access a)
{
	switch (a) {
	case TG_REG_CONST: return "const";
	case TG_REG_PARAM: return "param";
	case TG_REG_RW: return "rw";
	case TG_REG_RO: return "ro";
	case TG_REG_COUNTER64: return "counter64";
	}
	return "?";
}

static void usage(FILE *f)
{
	fputs("usage: tickgate regs dump [--json]\n"
	      "       tickgate regs read NAME [--json]\n"
	      "       tickgate regs write NAME VALUE\n"
	      "Registers by name (see docs/registers.md). Counters read as 64-bit values.\n"
	      "Only rw registers can be written; ring registers only by the ring owner.\n",
	      f);
}

static int read_reg(struct tg_card *card, const struct tg_reg_info *r, uint64_t *v)
{
	uint32_t v32 = 0;
	int rc;

	if (r->access == TG_REG_COUNTER64)
		return tg_card_counter_read(card, r->offset, v);
	rc = tg_card_csr_read(card, r->offset, &v32);
	*v = v32;
	return rc;
}

static void print_one(struct tg_json *j, const struct tg_reg_info *r, uint64_t v)
{
	if (j != NULL) {
		tg_json_object_begin(j, NULL);
		tg_json_string(j, "name", r->name);
		tg_json_hex32(j, "offset", r->offset);
		tg_json_string(j, "access", access_name(r->access));
		tg_json_u64(j, "value", v);
		tg_json_object_end(j);
	} else if (r->access == TG_REG_COUNTER64) {
		printf("0x%03" PRIx32 "  %-18s %-9s %" PRIu64 "\n", r->offset, r->name,
		       access_name(r->access), v);
	} else {
		printf("0x%03" PRIx32 "  %-18s %-9s 0x%08" PRIx64 "\n", r->offset, r->name,
		       access_name(r->access), v);
	}
}

static int do_dump(struct tg_card *card, bool json)
{
	struct tg_json j;

	if (json) {
		tg_json_init(&j, stdout);
		tg_json_array_begin(&j, NULL);
	}
	for (unsigned i = 0; i < tg_card_regs_count; i++) {
		uint64_t v;
		int rc = read_reg(card, &tg_card_regs[i], &v);

		if (rc != TG_OK) {
			cli_error("reading %s: %s", tg_card_regs[i].name, tg_strerror(rc));
			return CLI_EXIT_FAIL;
		}
		print_one(json ? &j : NULL, &tg_card_regs[i], v);
	}
	if (json) {
		tg_json_array_end(&j);
		tg_json_finish(&j);
	}
	return CLI_EXIT_OK;
}

int cmd_regs(const struct cli *cli_in, int argc, char **argv)
{
	struct cli cli = *cli_in;
	const char *args[3];
	const struct tg_reg_info *r = NULL;
	unsigned nargs = 0;
	uint64_t value = 0;
	struct tg_card *card;
	int rc, res = CLI_EXIT_OK;

	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			usage(stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0) {
			cli.json = true;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return cli_usage_error("regs", "unknown option '%s'", argv[i]);
		} else if (nargs < 3) {
			args[nargs++] = argv[i];
		} else {
			return cli_usage_error("regs", "too many arguments");
		}
	}
	if (nargs == 0)
		return cli_usage_error("regs", "missing action: dump, read or write");
	if (strcmp(args[0], "dump") == 0) {
		if (nargs != 1)
			return cli_usage_error("regs", "dump takes no arguments");
	} else if (strcmp(args[0], "read") == 0 || strcmp(args[0], "write") == 0) {
		bool write = args[0][0] == 'w';

		if (nargs != (write ? 3u : 2u))
			return cli_usage_error("regs", write ? "usage: regs write NAME VALUE" : "usage: regs read NAME");
		r = tg_reg_by_name(args[1]);
		if (r == NULL)
			return cli_usage_error("regs", "no register named '%s' (try 'tickgate regs dump')", args[1]);
		if (write) {
			if (r->access != TG_REG_RW)
				return cli_usage_error("regs", "%s is %s, not writable", r->name, access_name(r->access));
			if (!cli_parse_u64(args[2], UINT32_MAX, &value))
				return cli_usage_error("regs", "VALUE must be a 32-bit number: %s", args[2]);
			if ((value & ~(uint64_t)r->mask) != 0)
				return cli_usage_error("regs", "%s: 0x%" PRIx64 " sets bits outside the defined fields (mask 0x%08" PRIx32 ")",
						       r->name, value, r->mask);
		}
	} else {
		return cli_usage_error("regs", "unknown action '%s': dump, read or write", args[0]);
	}

	card = cli_open(&cli, 0);
	if (card == NULL)
		return CLI_EXIT_FAIL;
	if (strcmp(args[0], "dump") == 0) {
		res = do_dump(card, cli.json);
	} else if (args[0][0] == 'r') {
		rc = read_reg(card, r, &value);
		if (rc != TG_OK) {
			cli_error("reading %s: %s", r->name, tg_strerror(rc));
			res = CLI_EXIT_FAIL;
		} else if (cli.json) {
			struct tg_json j;

			tg_json_init(&j, stdout);
			print_one(&j, r, value);
			tg_json_finish(&j);
		} else {
			print_one(NULL, r, value);
		}
	} else {
		uint32_t back = 0;

		rc = tg_card_csr_write(card, r->offset, (uint32_t)value);
		/* the read-back flushes the posted write and shows what the card holds */
		if (rc == TG_OK)
			rc = tg_card_csr_read(card, r->offset, &back);
		if (rc == TG_ERR_PERM) {
			cli_error("%s belongs to the process that owns the card's rings", r->name);
			res = CLI_EXIT_FAIL;
		} else if (rc != TG_OK) {
			cli_error("writing %s: %s", r->name, tg_strerror(rc));
			res = CLI_EXIT_FAIL;
		} else {
			printf("%s = 0x%08" PRIx32 "\n", r->name, back);
		}
	}
	tg_card_close(card);
	return res;
}
