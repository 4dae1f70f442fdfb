/*
 * The audit log: records read back exactly as appended, sequence numbers
 * dense across processes, appends from many processes never interleave,
 * a torn last line is reported and the next record starts clean, and an
 * append that cannot write leaves nothing behind. Also the JSON reader
 * the log is read with, and the times `tickgate audit --since` takes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tg_cunit.h"
#include "tickgate/audit.h"
#include "tickgate/clock.h"
#include "tickgate/json.h"

static char dir[64];
static char log_path[256];

static int setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tg-audit-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* a fresh log name for each test */
static const char *fresh(const char *name)
{
	snprintf(log_path, sizeof(log_path), "%s/%s", dir, name);
	unlink(log_path);
	return log_path;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* ---- collecting what the reader gives ---- */

#define KEEP 64

struct kept {
	unsigned version;
	uint64_t seq, time_ns, ref;
	char action[32], card[64], user[64], host[256], sudo[64], result[16], reason[64], detail[64];
	uint32_t uid, pid;
	int argc;
	char argv[4][128];
	size_t n_changes;
	struct tg_audit_change ch[2];
	char ch_text[2][4][64];
	unsigned long line;
	char json[2048];
};

struct collect {
	unsigned n;
	struct kept r[KEEP];
	unsigned n_bad;
	unsigned long bad_line[8];
	bool bad_torn[8];
	int stop_after;		/* 0: never */
};

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "(null)");
}

static int keep(const struct tg_audit_record *rec, void *ctx)
{
	struct collect *c = ctx;
	struct kept *k;

	if (c->n < KEEP) {
		k = &c->r[c->n];
		k->version = rec->version;
		k->seq = rec->seq;
		k->time_ns = rec->time_ns;
		k->ref = rec->ref;
		copy(k->action, sizeof(k->action), rec->action);
		copy(k->card, sizeof(k->card), rec->card);
		copy(k->user, sizeof(k->user), rec->user);
		copy(k->host, sizeof(k->host), rec->host);
		copy(k->sudo, sizeof(k->sudo), rec->sudo_user);
		copy(k->result, sizeof(k->result), rec->result);
		copy(k->reason, sizeof(k->reason), rec->reason);
		copy(k->detail, sizeof(k->detail), rec->detail);
		k->uid = rec->uid;
		k->pid = rec->pid;
		k->argc = rec->argc;
		for (int i = 0; i < rec->argc && i < 4; i++)
			copy(k->argv[i], sizeof(k->argv[i]), rec->argv[i]);
		k->n_changes = rec->n_changes;
		for (size_t i = 0; i < rec->n_changes && i < 2; i++) {
			k->ch[i] = rec->changes[i];
			copy(k->ch_text[i][0], 64, rec->changes[i].scope);
			copy(k->ch_text[i][1], 64, rec->changes[i].key);
			copy(k->ch_text[i][2], 64, rec->changes[i].old_text);
			copy(k->ch_text[i][3], 64, rec->changes[i].new_text);
		}
		k->line = rec->line;
		copy(k->json, sizeof(k->json), rec->json);
	}
	c->n++;
	return c->stop_after != 0 && (int)c->n == c->stop_after ? 42 : 0;
}

static void bad_line(unsigned long line, bool torn, const char *why, void *ctx)
{
	struct collect *c = ctx;

	if (c->n_bad < 8) {
		c->bad_line[c->n_bad] = line;
		c->bad_torn[c->n_bad] = torn;
	}
	c->n_bad++;
}

/* ---- tests ---- */

static char *const argv1[] = {"tickgate", "risk", "set", "AAPL \"q\"\n\t\x01 \xc3\xa9 \\"};

static const struct tg_audit_change changes1[] = {
	{.scope = "AAPL", .key = "max_order_qty", .old_text = "1000", .new_text = "5000", .old_raw = 1000,
	 .new_raw = 5000},
	{.scope = "global", .key = "max_gross", .old_text = NULL, .new_text = "18446744073709551.6150",
	 .new_raw = UINT64_MAX},
};

static void test_round_trip(void)
{
	const char *p = fresh("rt.log");
	struct tg_audit_record r = {
		.action = "risk.set", .card = "sim:lab", .argc = 4, .argv = argv1,
		.detail = "limits.yaml sha256 0123", .changes = changes1, .n_changes = 2,
	};
	struct tg_audit_read_stats st;
	struct collect c = {0};
	struct passwd *pw = getpwuid(getuid());
	char host[256] = "";
	uint64_t seq = 0, t0 = now_ns(), t1;
	struct stat sb;
	mode_t mask;

	gethostname(host, sizeof(host));
	unsetenv("SUDO_USER");
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, &seq), TG_OK);
	CU_ASSERT_EQUAL(seq, 1);
	setenv("SUDO_USER", "alice", 1);
	r.action = "kill";
	r.n_changes = 0;
	r.detail = NULL;
	r.argc = 0;
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, &seq), TG_OK);
	unsetenv("SUDO_USER");
	CU_ASSERT_EQUAL(seq, 2);
	t1 = now_ns();
	CU_ASSERT_EQUAL(stat(p, &sb), 0);
	mask = umask(022);
	umask(mask);
	CU_ASSERT_EQUAL(sb.st_mode & 0777, TG_AUDIT_MODE & ~mask & 0777);

	CU_ASSERT_EQUAL(tg_audit_read(p, keep, bad_line, &c, &st), TG_OK);
	CU_ASSERT_EQUAL(st.records, 2);
	CU_ASSERT_EQUAL(st.corrupt, 0);
	CU_ASSERT_FALSE(st.torn);
	CU_ASSERT_EQUAL_FATAL(c.n, 2);
	CU_ASSERT_EQUAL(c.r[0].seq, 1);
	CU_ASSERT_EQUAL(c.r[0].version, TG_AUDIT_FORMAT);
	CU_ASSERT(c.r[0].time_ns >= t0 && c.r[0].time_ns <= c.r[1].time_ns && c.r[1].time_ns <= t1);
	CU_ASSERT_STRING_EQUAL(c.r[0].action, "risk.set");
	CU_ASSERT_STRING_EQUAL(c.r[0].card, "sim:lab");
	CU_ASSERT_STRING_EQUAL(c.r[0].user, pw ? pw->pw_name : "");
	CU_ASSERT_EQUAL(c.r[0].uid, getuid());
	CU_ASSERT_EQUAL(c.r[0].pid, getpid());
	CU_ASSERT_STRING_EQUAL(c.r[0].host, host);
	CU_ASSERT_STRING_EQUAL(c.r[0].sudo, "(null)");
	CU_ASSERT_STRING_EQUAL(c.r[0].detail, "limits.yaml sha256 0123");
	CU_ASSERT_STRING_EQUAL(c.r[0].result, "(null)");
	CU_ASSERT_EQUAL(c.r[0].ref, 0);
	CU_ASSERT_EQUAL(c.r[0].argc, 4);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_STRING_EQUAL(c.r[0].argv[i], argv1[i]);
	CU_ASSERT_EQUAL_FATAL(c.r[0].n_changes, 2);
	CU_ASSERT_STRING_EQUAL(c.r[0].ch_text[0][0], "AAPL");
	CU_ASSERT_STRING_EQUAL(c.r[0].ch_text[0][1], "max_order_qty");
	CU_ASSERT_STRING_EQUAL(c.r[0].ch_text[0][2], "1000");
	CU_ASSERT_STRING_EQUAL(c.r[0].ch_text[0][3], "5000");
	CU_ASSERT_EQUAL(c.r[0].ch[0].old_raw, 1000);
	CU_ASSERT_EQUAL(c.r[0].ch[0].new_raw, 5000);
	CU_ASSERT_STRING_EQUAL(c.r[0].ch_text[1][2], "(null)");	/* old unknown */
	CU_ASSERT_EQUAL(c.r[0].ch[1].new_raw, UINT64_MAX);
	CU_ASSERT_EQUAL(c.r[0].line, 1);
	/* the current format, first */
	CU_ASSERT_PTR_EQUAL(strstr(c.r[0].json, "{\"v\":2,\"seq\":1,\"time\":\""), c.r[0].json);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.r[0].json, "\"argv\":[\"tickgate\",\"risk\",\"set\",\"AAPL \\\"q\\\"\\n\\t\\u0001"));
	CU_ASSERT_EQUAL(c.r[1].seq, 2);
	CU_ASSERT_STRING_EQUAL(c.r[1].action, "kill");
	CU_ASSERT_STRING_EQUAL(c.r[1].sudo, "alice");
	CU_ASSERT_STRING_EQUAL(c.r[1].detail, "(null)");
	CU_ASSERT_EQUAL(c.r[1].argc, 0);
	CU_ASSERT_EQUAL(c.r[1].n_changes, 0);
	CU_ASSERT_EQUAL(c.r[1].line, 2);
	CU_ASSERT_EQUAL(c.n_bad, 0);
}

static void test_outcome(void)
{
	const char *p = fresh("outcome.log");
	struct tg_audit_record r = {.action = "risk.load", .card = "sim:a"};
	struct collect c = {0};
	uint64_t seq = 0, s2 = 0, s3 = 0;

	CU_ASSERT_EQUAL(tg_audit_append(p, &r, &seq), TG_OK);
	CU_ASSERT_EQUAL(tg_audit_outcome(p, "sim:a", seq, true, NULL, &s2), TG_OK);
	CU_ASSERT_EQUAL(tg_audit_outcome(p, "sim:a", seq, false, "card did not answer in time", &s3), TG_OK);
	CU_ASSERT_EQUAL(s2, 2);
	CU_ASSERT_EQUAL(s3, 3);
	CU_ASSERT_EQUAL(tg_audit_outcome(p, "sim:a", 0, true, NULL, NULL), TG_ERR_ARG);
	r.action = "outcome";
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, NULL), TG_ERR_ARG);
	r.action = "risk.load";
	r.result = "applied";
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, NULL), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_audit_read(p, keep, NULL, &c, NULL), TG_OK);
	CU_ASSERT_EQUAL_FATAL(c.n, 3);
	CU_ASSERT_STRING_EQUAL(c.r[1].action, "outcome");
	CU_ASSERT_EQUAL(c.r[1].ref, 1);
	CU_ASSERT_STRING_EQUAL(c.r[1].result, "applied");
	CU_ASSERT_STRING_EQUAL(c.r[1].reason, "(null)");
	CU_ASSERT_EQUAL(c.r[2].ref, 1);
	CU_ASSERT_STRING_EQUAL(c.r[2].result, "failed");
	CU_ASSERT_STRING_EQUAL(c.r[2].reason, "card did not answer in time");
	/* a callback's non-zero return stops the read and is returned */
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	CU_ASSERT_EQUAL(tg_audit_read(p, keep, NULL, &c, NULL), 42);
	CU_ASSERT_EQUAL(c.n, 2);
}

static void test_bad_records(void)
{
	const char *p = fresh("bad.log");
	static char *const argv_null[] = {"tickgate", NULL};
	const struct tg_audit_change no_new = {.scope = "AAPL", .key = "max_long"};
	struct tg_audit_record r = {.action = "risk.set", .card = "sim:x"};

	r.action = NULL;
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, NULL), TG_ERR_ARG);
	r.action = "Risk Set";
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, NULL), TG_ERR_ARG);
	r.action = "risk.set";
	r.card = NULL;
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, NULL), TG_ERR_ARG);
	r.card = "sim:x";
	r.argc = 2;
	r.argv = argv_null;
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, NULL), TG_ERR_ARG);
	r.argc = 0;
	r.changes = &no_new;
	r.n_changes = 1;
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, NULL), TG_ERR_ARG);
	r.n_changes = 0;
	CU_ASSERT_EQUAL(tg_audit_append(NULL, &r, NULL), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_audit_append(p, NULL, NULL), TG_ERR_ARG);
	CU_ASSERT_FALSE(exists(p));	/* refused before anything was created */
	CU_ASSERT_EQUAL(tg_audit_read(p, keep, NULL, NULL, NULL), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(tg_audit_read(NULL, keep, NULL, NULL, NULL), TG_ERR_ARG);
}

enum { WRITERS = 8, EACH = 120, PAYLOAD = 6000 };

struct order_check {
	uint64_t next_seq;
	unsigned per_writer[WRITERS];
	unsigned bad;
};

static int check_order(const struct tg_audit_record *rec, void *ctx)
{
	struct order_check *o = ctx;
	unsigned w, k;

	if (rec->seq != ++o->next_seq || rec->argc != 3 || sscanf(rec->argv[1], "%u", &w) != 1 ||
	    sscanf(rec->argv[2], "%u", &k) != 1 || w >= WRITERS || k != o->per_writer[w] ||
	    strlen(rec->argv[0]) != PAYLOAD || (unsigned char)rec->argv[0][0] != 'a' + w)
		o->bad++;
	else
		o->per_writer[w]++;
	return 0;
}

/* many processes appending large records at once: whole lines, dense seq */
static void test_concurrent(void)
{
	const char *p = fresh("concurrent.log");
	struct tg_audit_read_stats st;
	struct order_check o = {0};
	pid_t pids[WRITERS];

	for (unsigned w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		CU_ASSERT_FATAL(pids[w] >= 0);
		if (pids[w] == 0) {
			static char payload[PAYLOAD + 1];
			char wn[16], kn[16];
			char *argv[] = {payload, wn, kn};
			struct tg_audit_record r = {.action = "risk.set", .card = "sim:c", .argc = 3, .argv = argv};

			memset(payload, 'a' + (int)w, PAYLOAD);
			snprintf(wn, sizeof(wn), "%u", w);
			for (unsigned k = 0; k < EACH; k++) {
				snprintf(kn, sizeof(kn), "%u", k);
				if (tg_audit_append(p, &r, NULL) != TG_OK)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (unsigned w = 0; w < WRITERS; w++) {
		int status = -1;

		waitpid(pids[w], &status, 0);
		CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CU_ASSERT_EQUAL(tg_audit_read(p, check_order, NULL, &o, &st), TG_OK);
	CU_ASSERT_EQUAL(st.records, WRITERS * EACH);
	CU_ASSERT_EQUAL(st.corrupt, 0);
	CU_ASSERT_EQUAL(o.bad, 0);
	for (unsigned w = 0; w < WRITERS; w++)
		CU_ASSERT_EQUAL(o.per_writer[w], EACH);
}

static void append_raw(const char *p, const char *bytes)
{
	int fd = open(p, O_WRONLY | O_APPEND);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
	close(fd);
}

static void test_torn_line(void)
{
	const char *p = fresh("torn.log");
	struct tg_audit_record r = {.action = "resume", .card = "sim:t"};
	struct tg_audit_read_stats st;
	struct collect c = {0};
	uint64_t seq = 0;

	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(tg_audit_append(p, &r, &seq), TG_OK);
	/* a crash in the middle of a write */
	append_raw(p, "{\"v\":1,\"seq\":4,\"time\":\"2024-0");
	CU_ASSERT_EQUAL(tg_audit_read(p, keep, bad_line, &c, &st), TG_OK);
	CU_ASSERT_EQUAL(st.records, 3);
	CU_ASSERT_EQUAL(st.corrupt, 1);
	CU_ASSERT_TRUE(st.torn);
	CU_ASSERT_EQUAL(c.n_bad, 1);
	CU_ASSERT_EQUAL(c.bad_line[0], 4);
	CU_ASSERT_TRUE(c.bad_torn[0]);
	/* the next record numbers on from the last whole one, on a line of its own */
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, &seq), TG_OK);
	CU_ASSERT_EQUAL(seq, 4);
	/* damage in the middle is reported and skipped */
	append_raw(p, "\nnot json\n");
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, &seq), TG_OK);
	CU_ASSERT_EQUAL(seq, 5);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(tg_audit_read(p, keep, bad_line, &c, &st), TG_OK);
	CU_ASSERT_EQUAL(st.records, 5);
	CU_ASSERT_EQUAL(st.corrupt, 3);
	CU_ASSERT_FALSE(st.torn);
	CU_ASSERT_EQUAL_FATAL(c.n, 5);
	CU_ASSERT_EQUAL(c.r[3].seq, 4);
	CU_ASSERT_EQUAL(c.r[3].line, 5);
	CU_ASSERT_EQUAL(c.r[4].seq, 5);
	CU_ASSERT_EQUAL(c.r[4].line, 8);
	CU_ASSERT_EQUAL(c.n_bad, 3);
	CU_ASSERT_EQUAL(c.bad_line[0], 4);
	CU_ASSERT_FALSE(c.bad_torn[0]);
	CU_ASSERT_EQUAL(c.bad_line[1], 6);	/* the empty line */
	CU_ASSERT_EQUAL(c.bad_line[2], 7);
}

/*
 * A log begun by an older tickgate: format 1 records (argv from the
 * command's own name on) and one without "v" read as format 1, unchanged;
 * appends go on numbering after them in the current format.
 */
static void test_older_format(void)
{
	const char *p = fresh("v1.log");
	static char *const argv[] = {"tickgate", "kill"};
	struct tg_audit_record r = {.action = "kill", .card = "sim:lab", .argc = 2, .argv = argv};
	struct tg_audit_read_stats st;
	struct collect c = {0};
	uint64_t seq = 0;
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	append_raw(p, "{\"v\":1,\"seq\":1,\"time\":\"2026-11-21T08:57:35.283667886Z\","
		   "\"time_ns\":1795251455283667886,\"user\":\"root\",\"uid\":0,\"host\":\"vm\",\"pid\":3419,"
		   "\"action\":\"risk.set\",\"card\":\"sim:lab\",\"argv\":[\"set\",\"AAPL\",\"max_order_qty=5000\"],"
		   "\"changes\":[{\"scope\":\"AAPL\",\"key\":\"max_order_qty\",\"old\":\"1000\",\"new\":\"5000\","
		   "\"old_raw\":1000,\"new_raw\":5000}]}\n");
	append_raw(p, "{\"seq\":2,\"time_ns\":1795251455284220633,\"action\":\"outcome\",\"card\":\"sim:lab\","
		   "\"argv\":[],\"ref\":1,\"result\":\"applied\",\"changes\":[]}\n");
	append_raw(p, "{\"v\":\"1\",\"seq\":3,\"time_ns\":1795251455284220634,\"action\":\"kill\"}\n");
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, &seq), TG_OK);
	CU_ASSERT_EQUAL(seq, 4);
	CU_ASSERT_EQUAL(tg_audit_read(p, keep, bad_line, &c, &st), TG_OK);
	CU_ASSERT_EQUAL(st.records, 3);
	CU_ASSERT_EQUAL(st.corrupt, 1);		/* "v" must be a number: the line is not a record */
	CU_ASSERT_EQUAL(c.n_bad, 1);
	CU_ASSERT_EQUAL(c.bad_line[0], 3);
	CU_ASSERT_EQUAL_FATAL(c.n, 3);
	CU_ASSERT_EQUAL(c.r[0].version, 1);
	CU_ASSERT_STRING_EQUAL(c.r[0].action, "risk.set");
	CU_ASSERT_EQUAL(c.r[0].argc, 3);
	CU_ASSERT_STRING_EQUAL(c.r[0].argv[0], "set");
	CU_ASSERT_STRING_EQUAL(c.r[0].argv[2], "max_order_qty=5000");
	CU_ASSERT_EQUAL(c.r[0].ch[0].new_raw, 5000);
	CU_ASSERT_EQUAL(c.r[1].version, 1);	/* no "v" */
	CU_ASSERT_STRING_EQUAL(c.r[1].result, "applied");
	CU_ASSERT_EQUAL(c.r[2].version, TG_AUDIT_FORMAT);
	CU_ASSERT_EQUAL(c.r[2].seq, 4);
	CU_ASSERT_EQUAL(c.r[2].argc, 2);
	CU_ASSERT_STRING_EQUAL(c.r[2].argv[0], "tickgate");
}

/* an append as another user (root can write anywhere): its result */
static int append_as_nobody(const char *p)
{
	struct tg_audit_record r = {.action = "kill", .card = "sim:p"};
	pid_t pid = fork();
	int status = -1;

	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(100);
		_exit(-tg_audit_append(p, &r, NULL));
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? -WEXITSTATUS(status) : 1000;
}

static void test_unwritable(void)
{
	struct tg_audit_record r = {.action = "kill", .card = "sim:p"};
	char sub[256], file_as_dir[300], ro[256], roll[300];
	struct stat before, after;
	int fd;

	/* no such directory */
	snprintf(sub, sizeof(sub), "%s/missing/audit.log", dir);
	CU_ASSERT_EQUAL(tg_audit_append(sub, &r, NULL), TG_ERR_NOENT);
	snprintf(sub, sizeof(sub), "%s/missing", dir);
	CU_ASSERT_FALSE(exists(sub));
	/* a file where a directory should be */
	snprintf(file_as_dir, sizeof(file_as_dir), "%s/file/audit.log", dir);
	snprintf(sub, sizeof(sub), "%s/file", dir);
	fd = open(sub, O_WRONLY | O_CREAT, 0644);
	close(fd);
	CU_ASSERT_EQUAL(tg_audit_append(file_as_dir, &r, NULL), TG_ERR_NOENT);
	/* a read-only directory: nothing created */
	snprintf(ro, sizeof(ro), "%s/ro", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(ro, 0755), 0);
	chmod(dir, 0755);
	chmod(ro, 0555);
	snprintf(roll, sizeof(roll), "%s/audit.log", ro);
	CU_ASSERT_EQUAL(append_as_nobody(roll), TG_ERR_PERM);
	CU_ASSERT_FALSE(exists(roll));
	/* a read-only log: left as it was */
	chmod(ro, 0755);
	CU_ASSERT_EQUAL(tg_audit_append(roll, &r, NULL), TG_OK);
	chmod(roll, 0444);
	CU_ASSERT_EQUAL(stat(roll, &before), 0);
	CU_ASSERT_EQUAL(append_as_nobody(roll), TG_ERR_PERM);
	CU_ASSERT_EQUAL(stat(roll, &after), 0);
	CU_ASSERT_EQUAL(before.st_size, after.st_size);
	/* not a regular file */
	CU_ASSERT_EQUAL(tg_audit_append(dir, &r, NULL), TG_ERR_SYS);	/* EISDIR */
	chmod(dir, 0700);
}

/* another process holds the lock past the timeout: the append gives up, writing nothing */
static void test_lock_timeout(void)
{
	const char *p = fresh("locked.log");
	struct tg_audit_record r = {.action = "risk.set", .card = "sim:l"};
	struct stat st;
	uint64_t t0;
	int fd;

	CU_ASSERT_EQUAL(tg_audit_append(p, &r, NULL), TG_OK);
	fd = open(p, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(flock(fd, LOCK_EX), 0);
	t0 = (uint64_t)tg_monotonic_ns();
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, NULL), TG_ERR_TIMEOUT);
	CU_ASSERT((uint64_t)tg_monotonic_ns() - t0 >= (uint64_t)TG_AUDIT_LOCK_TIMEOUT_MS * 1000000u);
	CU_ASSERT_EQUAL(stat(p, &st), 0);
	close(fd);
	CU_ASSERT_EQUAL(tg_audit_append(p, &r, NULL), TG_OK);
}

static void test_times(void)
{
	char buf[TG_AUDIT_TIME_LEN];
	uint64_t t = 1;

	tg_audit_time_format(0, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "1970-01-01T00:00:00.000000000Z");
	tg_audit_time_format(1714564800123456789ull, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2024-05-01T12:00:00.123456789Z");
	CU_ASSERT_EQUAL(tg_audit_time_parse(buf, &t), TG_OK);
	CU_ASSERT_EQUAL(t, 1714564800123456789ull);
	CU_ASSERT_EQUAL(tg_audit_time_parse("2024-05-01", &t), TG_OK);
	CU_ASSERT_EQUAL(t, 1714521600000000000ull);
	CU_ASSERT_EQUAL(tg_audit_time_parse("2024-05-01 12:00", &t), TG_OK);
	CU_ASSERT_EQUAL(t, 1714564800000000000ull);
	CU_ASSERT_EQUAL(tg_audit_time_parse("2024-05-01T14:00:00.5+02:00", &t), TG_OK);
	CU_ASSERT_EQUAL(t, 1714564800500000000ull);
	CU_ASSERT_EQUAL(tg_audit_time_parse("2024-05-01T07:00:00-0500", &t), TG_OK);
	CU_ASSERT_EQUAL(t, 1714564800000000000ull);
	CU_ASSERT_EQUAL(tg_audit_time_parse("2024-02-29", &t), TG_OK);
	CU_ASSERT_EQUAL(tg_audit_time_parse("2023-02-29", &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_audit_time_parse("2024-13-01", &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_audit_time_parse("2024-05-01T24:00", &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_audit_time_parse("2024-05-01T12:00:00.1234567891", &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_audit_time_parse("2024-05-01T12", &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_audit_time_parse("yesterday", &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_audit_time_parse("1960-01-01", &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_audit_time_parse(NULL, &t), TG_ERR_ARG);
}

static void test_json_reader(void)
{
	static const char text[] =
		" {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\\\"\"], \"b\": {}, \"c\": [],"
		" \"n\": 18446744073709551615, \"a\": 0} ";
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"",
		"\"a\tb\"", "tru", "[1] 2", "{1:2}", "\"abc",
	};
	struct tg_json_doc *d = NULL;
	const struct tg_json_value *root, *a;
	char err[128];
	uint64_t u;
	char deep[64];

	CU_ASSERT_EQUAL_FATAL(tg_json_parse(text, strlen(text), &d, err, sizeof(err)), TG_OK);
	root = tg_json_doc_root(d);
	CU_ASSERT_EQUAL(root->type, TG_JSON_OBJECT);
	CU_ASSERT_EQUAL(root->len, 5);
	a = tg_json_member(root, "a");	/* the first of a repeated name */
	CU_ASSERT_EQUAL_FATAL(a->type, TG_JSON_ARRAY);
	CU_ASSERT_EQUAL(a->len, 6);
	CU_ASSERT_STRING_EQUAL(a->items[1].str, "-2.5e3");
	CU_ASSERT_FALSE(tg_json_to_u64(&a->items[1], &u));
	CU_ASSERT_EQUAL(a->items[2].type, TG_JSON_TRUE);
	CU_ASSERT_EQUAL(a->items[4].type, TG_JSON_NULL);
	CU_ASSERT_STRING_EQUAL(a->items[5].str, "x\xc3\xa9\xf0\x9f\x98\x80\n\"");
	CU_ASSERT_EQUAL(a->items[5].len, 9);
	CU_ASSERT_EQUAL(tg_json_member(root, "b")->len, 0);
	CU_ASSERT_TRUE(tg_json_to_u64(tg_json_member(root, "n"), &u));
	CU_ASSERT_EQUAL(u, UINT64_MAX);
	CU_ASSERT_PTR_NULL(tg_json_member(root, "zz"));
	tg_json_doc_free(d);
	CU_ASSERT_EQUAL(tg_json_parse("18446744073709551616", 20, &d, err, sizeof(err)), TG_OK);
	CU_ASSERT_FALSE(tg_json_to_u64(tg_json_doc_root(d), &u));
	tg_json_doc_free(d);
	for (size_t i = 0; i < TG_CUNIT_COUNT(bad); i++) {
		d = (void *)1;
		CU_ASSERT_EQUAL(tg_json_parse(bad[i], strlen(bad[i]), &d, err, sizeof(err)), TG_ERR_ARG);
		CU_ASSERT_PTR_NULL(d);
	}
	CU_ASSERT_EQUAL(tg_json_parse("[1,]", 4, &d, err, sizeof(err)), TG_ERR_ARG);
	CU_ASSERT_STRING_EQUAL(err, "offset 3: expected a value");
	memset(deep, '[', sizeof(deep));
	CU_ASSERT_EQUAL(tg_json_parse(deep, TG_JSON_MAX_DEPTH + 1, &d, err, sizeof(err)), TG_ERR_ARG);
	CU_ASSERT_STRING_EQUAL(err, "offset 16: nested deeper than 16");
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{"records read back exactly", test_round_trip},
		{"outcomes linked by seq", test_outcome},
		{"bad records write nothing", test_bad_records},
		{"concurrent appenders never interleave", test_concurrent},
		{"a torn last line is reported", test_torn_line},
		{"records of the older format read unchanged", test_older_format},
		{"unwritable places write nothing", test_unwritable},
		{"a held lock times out", test_lock_timeout},
		{"times", test_times},
		{"JSON reader", test_json_reader},
	};
	return tg_cunit_run("audit log", setup, teardown, tests, TG_CUNIT_COUNT(tests));
}
