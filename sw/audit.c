/*
 * The audit log (tickgate/audit.h): JSON Lines appended under an
 * exclusive flock, one write() a record, fsync()ed before the change it
 * describes is applied.
 *
 * The sequence number is one more than the last whole record's, read from
 * the end of the log under the same lock, so numbers are dense and in
 * file order across every process that appends. (A counter in a side file
 * was the alternative: one more file to keep consistent with the log, for
 * no gain: reading back one line is cheap.) A line cut short by a crash is
 * left as it is, for the reader to report, and the next record starts on
 * a line of its own.
 *
 * The log is opened O_RDWR | O_APPEND rather than O_WRONLY: the append
 * reads the last record to number the next one.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tickgate/audit.h"
#include "tickgate/clock.h"
#include "tickgate/json.h"

#define TAIL_CHUNK 65536u
#define OPEN_TRIES 8u

/* ---- time ---- */

void tg_audit_time_format(uint64_t time_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(time_ns / 1000000000u);
	struct tm tm;
	char day[24];

	if (buf == NULL || len == 0)
		return;
	if (gmtime_r(&sec, &tm) == NULL || strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%s.%09uZ", day, (unsigned)(time_ns % 1000000000u));
}

/* n digits at *s into *out */
static bool digits(const char **s, unsigned n, int *out)
{
	*out = 0;
	for (unsigned i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return false;
		*out = *out * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return true;
}

int tg_audit_time_parse(const char *text, uint64_t *time_ns)
{
	struct tm tm = {0}, back;
	int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 0;
	uint64_t frac = 0, scale = 1000000000u;
	const char *s = text;
	time_t t;

	if (text == NULL || time_ns == NULL)
		return TG_ERR_ARG;
	if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' || !digits(&s, 2, &d))
		return TG_ERR_ARG;
	if (*s == 'T' || *s == ' ') {
		s++;
		if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi))
			return TG_ERR_ARG;
		if (*s == ':') {
			s++;
			if (!digits(&s, 2, &se))
				return TG_ERR_ARG;
			if (*s == '.') {
				if (*++s < '0' || *s > '9')
					return TG_ERR_ARG;
				for (; *s >= '0' && *s <= '9'; s++) {
					if (scale == 1)
						return TG_ERR_ARG;	/* finer than 1 ns */
					scale /= 10;
					frac += (uint64_t)(*s - '0') * scale;
				}
			}
		}
	}
	if (*s == 'Z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (!digits(&s, 2, &oh))
			return TG_ERR_ARG;
		if (*s == ':')
			s++;
		if (*s != '\0' && !digits(&s, 2, &om))
			return TG_ERR_ARG;
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59 || oh > 23 || om > 59)
		return TG_ERR_ARG;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	/* timegm normalizes the 31st of February; such a date is refused */
	if (gmtime_r(&t, &back) == NULL || back.tm_mday != d || back.tm_mon != mo - 1)
		return TG_ERR_ARG;
	t -= (time_t)sign * (oh * 3600 + om * 60);
	if (t < 0)
		return TG_ERR_ARG;
	*time_ns = (uint64_t)t * 1000000000u + frac;
	return TG_OK;
}

/* ---- who appends ---- */

struct who {
	char user[256];
	char host[256];
	const char *sudo_user;
	uint32_t uid, pid;
};

static void who_am_i(struct who *w)
{
	struct passwd pw, *res = NULL;
	char buf[16384];
	const char *sudo = getenv("SUDO_USER");

	w->uid = (uint32_t)getuid();
	w->pid = (uint32_t)getpid();
	w->user[0] = '\0';
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
		snprintf(w->user, sizeof(w->user), "%s", pw.pw_name);
	if (gethostname(w->host, sizeof(w->host)) != 0)
		w->host[0] = '\0';
	w->host[sizeof(w->host) - 1] = '\0';
	w->sudo_user = sudo != NULL && sudo[0] != '\0' ? sudo : NULL;
}

/* ---- records as lines ---- */

static bool action_ok(const char *a)
{
	if (a == NULL || a[0] == '\0' || strlen(a) > 64)
		return false;
	for (; *a; a++)
		if (!((*a >= 'a' && *a <= 'z') || (*a >= '0' && *a <= '9') || *a == '.' || *a == '_' || *a == '-'))
			return false;
	return true;
}

static bool record_ok(const struct tg_audit_record *r)
{
	if (r == NULL || !action_ok(r->action) || r->card == NULL || r->argc < 0 ||
	    (r->argc > 0 && r->argv == NULL) || (r->n_changes > 0 && r->changes == NULL))
		return false;
	for (int i = 0; i < r->argc; i++)
		if (r->argv[i] == NULL)
			return false;
	for (size_t i = 0; i < r->n_changes; i++) {
		const struct tg_audit_change *c = &r->changes[i];

		if (c->scope == NULL || c->key == NULL || c->new_text == NULL)
			return false;
	}
	return true;
}

/* the record as one line, newline included; NULL when out of memory */
static char *render(const struct tg_audit_record *r, const struct who *w, uint64_t seq, uint64_t now,
		    bool newline_first, size_t *len)
{
	char *buf = NULL, when[TG_AUDIT_TIME_LEN];
	size_t n = 0;
	struct tg_json j;
	FILE *f = open_memstream(&buf, &n);

	if (f == NULL)
		return NULL;
	if (newline_first)
		fputc('\n', f);
	tg_audit_time_format(now, when, sizeof(when));
	tg_json_init(&j, f);
	tg_json_object_begin(&j, NULL);
	tg_json_u64(&j, "v", TG_AUDIT_FORMAT);
	tg_json_u64(&j, "seq", seq);
	tg_json_string(&j, "time", when);
	tg_json_u64(&j, "time_ns", now);
	tg_json_string(&j, "user", w->user);
	tg_json_u64(&j, "uid", w->uid);
	if (w->sudo_user != NULL)
		tg_json_string(&j, "sudo_user", w->sudo_user);
	tg_json_string(&j, "host", w->host);
	tg_json_u64(&j, "pid", w->pid);
	tg_json_string(&j, "action", r->action);
	tg_json_string(&j, "card", r->card);
	tg_json_array_begin(&j, "argv");
	for (int i = 0; i < r->argc; i++)
		tg_json_string(&j, NULL, r->argv[i]);
	tg_json_array_end(&j);
	if (r->detail != NULL)
		tg_json_string(&j, "detail", r->detail);
	if (r->result != NULL) {
		tg_json_u64(&j, "ref", r->ref);
		tg_json_string(&j, "result", r->result);
		if (r->reason != NULL)
			tg_json_string(&j, "reason", r->reason);
	}
	tg_json_array_begin(&j, "changes");
	for (size_t i = 0; i < r->n_changes; i++) {
		const struct tg_audit_change *c = &r->changes[i];

		tg_json_object_begin(&j, NULL);
		tg_json_string(&j, "scope", c->scope);
		tg_json_string(&j, "key", c->key);
		if (c->old_text != NULL)
			tg_json_string(&j, "old", c->old_text);
		tg_json_string(&j, "new", c->new_text);
		if (c->old_text != NULL)
			tg_json_u64(&j, "old_raw", c->old_raw);
		tg_json_u64(&j, "new_raw", c->new_raw);
		tg_json_object_end(&j);
	}
	tg_json_array_end(&j);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* ---- the log file ---- */

static int errno_result(int e)
{
	if (e == ENOENT || e == ENOTDIR)
		return TG_ERR_NOENT;
	if (e == EACCES || e == EPERM || e == EROFS)
		return TG_ERR_PERM;
	return TG_ERR_SYS;
}

/* flock op (LOCK_EX or LOCK_SH), waiting at most TG_AUDIT_LOCK_TIMEOUT_MS */
static int lock_fd(int fd, int op)
{
	uint64_t start = (uint64_t)tg_monotonic_ns();

	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0)
			return TG_OK;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return TG_ERR_SYS;
		if ((uint64_t)tg_monotonic_ns() - start >= (uint64_t)TG_AUDIT_LOCK_TIMEOUT_MS * 1000000u)
			return TG_ERR_TIMEOUT;
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
}

/*
 * The log, open for appending and locked. A log renamed or removed
 * between the open and the lock (rotation) is let go and the new one
 * opened, so the record lands in the file that holds the name.
 */
static int open_locked(const char *path, int *out)
{
	for (unsigned i = 0; i < OPEN_TRIES; i++) {
		struct stat a, b;
		int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, TG_AUDIT_MODE);
		int rc;

		if (fd < 0)
			return errno_result(errno);
		if ((rc = lock_fd(fd, LOCK_EX)) != TG_OK) {
			int e = errno;

			close(fd);
			errno = e;
			return rc;
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			if (!S_ISREG(a.st_mode)) {
				close(fd);
				return TG_ERR_ARG;
			}
			*out = fd;
			return TG_OK;
		}
		close(fd);
	}
	return TG_ERR_BUSY;
}

/* the seq of a line, if it is a record */
static bool seq_of(const char *line, size_t len, uint64_t *seq)
{
	struct tg_json_doc *doc;
	bool ok;

	if (tg_json_parse(line, len, &doc, NULL, 0) != TG_OK)
		return false;
	ok = tg_json_to_u64(tg_json_member(tg_json_doc_root(doc), "seq"), seq);
	tg_json_doc_free(doc);
	return ok;
}

/* read the chunk before the bytes buf holds ([*pos, size) of the file) */
static int grow_back(int fd, char **buf, size_t *have, off_t *pos, size_t *added)
{
	size_t chunk = *pos > (off_t)TAIL_CHUNK ? TAIL_CHUNK : (size_t)*pos;
	char *nb = malloc(*have + chunk);

	if (nb == NULL)
		return TG_ERR_NOMEM;
	for (size_t got = 0; got < chunk;) {
		ssize_t n = pread(fd, nb + got, chunk - got, *pos - (off_t)chunk + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(nb);
			return TG_ERR_SYS;
		}
		got += (size_t)n;
	}
	if (*have > 0)
		memcpy(nb + chunk, *buf, *have);
	free(*buf);
	*buf = nb;
	*have += chunk;
	*pos -= (off_t)chunk;
	*added = chunk;
	return TG_OK;
}

/* the index of the last '\n' in buf[0..*end), growing buf backwards as
 * needed (*end moves with what is put in front); -1 when none */
static int find_nl_back(int fd, char **buf, size_t *have, off_t *pos, size_t *end, long *at)
{
	size_t from = *end;

	for (;;) {
		size_t added;
		int rc;

		for (size_t i = from; i > 0; i--) {
			if ((*buf)[i - 1] == '\n') {
				*at = (long)(i - 1);
				return TG_OK;
			}
		}
		if (*pos == 0) {
			*at = -1;
			return TG_OK;
		}
		if ((rc = grow_back(fd, buf, have, pos, &added)) != TG_OK)
			return rc;
		*end += added;
		from = added;
	}
}

/* the seq of the last whole record of a log of `size` bytes; 0 when none */
static int last_seq(int fd, off_t size, uint64_t *seq)
{
	char *buf = NULL;
	size_t have = 0, end = 0;
	off_t pos = size;
	long stop, start;
	int rc;

	*seq = 0;
	/* the newline that ends the last whole line; what follows it is torn */
	if ((rc = find_nl_back(fd, &buf, &have, &pos, &end, &stop)) != TG_OK || stop < 0)
		goto out;
	for (;;) {
		end = (size_t)stop;
		if ((rc = find_nl_back(fd, &buf, &have, &pos, &end, &start)) != TG_OK)
			break;
		/* end moved by what was read in front; so did the line's end */
		stop = (long)end;
		if (seq_of(buf + start + 1, (size_t)(stop - start - 1), seq) || start < 0)
			break;
		stop = start;
	}
out:
	free(buf);
	return rc;
}

static int fsync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd, rc = TG_OK;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return TG_ERR_ARG;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno_result(errno);
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = TG_ERR_SYS;
	close(fd);
	return rc;
}

static int append(const char *path, const struct tg_audit_record *r, uint64_t *seq_out)
{
	struct who w;
	struct stat st;
	struct timespec now;
	uint64_t last, ns;
	char *line;
	size_t len;
	ssize_t n;
	int fd, rc, e;
	bool torn = false;

	if (path == NULL || path[0] == '\0' || !record_ok(r))
		return TG_ERR_ARG;
	who_am_i(&w);
	/* refuse what would not fit before anything touches the disk */
	line = render(r, &w, UINT64_MAX, UINT64_MAX, true, &len);
	if (line == NULL)
		return TG_ERR_NOMEM;
	free(line);
	if (len > TG_AUDIT_LINE_MAX)
		return TG_ERR_ARG;

	if ((rc = open_locked(path, &fd)) != TG_OK)
		return rc;
	if (fstat(fd, &st) != 0) {
		rc = TG_ERR_SYS;
		goto out;
	}
	if ((rc = last_seq(fd, st.st_size, &last)) != TG_OK)
		goto out;
	clock_gettime(CLOCK_REALTIME, &now);
	ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	/* a torn last line keeps its bytes; the record starts on its own line */
	if (st.st_size > 0) {
		char c;

		if (pread(fd, &c, 1, st.st_size - 1) != 1) {
			rc = TG_ERR_SYS;
			goto out;
		}
		torn = c != '\n';
	}
	line = render(r, &w, last + 1, ns, torn, &len);
	if (line == NULL) {
		rc = TG_ERR_NOMEM;
		goto out;
	}
	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	free(line);
	if (n != (ssize_t)len) {
		e = n < 0 ? errno : ENOSPC;
		/* never leave half a record: the reader would take it for a crash */
		if (ftruncate(fd, st.st_size) != 0) {
			/* nothing more to do: the reader reports the bad line */
		}
		errno = e;
		rc = TG_ERR_SYS;
		goto out;
	}
	if (fsync(fd) != 0) {
		rc = TG_ERR_SYS;
		goto out;
	}
	if (st.st_size == 0 && (rc = fsync_dir(path)) != TG_OK)
		goto out;
	if (seq_out != NULL)
		*seq_out = last + 1;
out:
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int tg_audit_append(const char *path, const struct tg_audit_record *rec, uint64_t *seq)
{
	if (rec != NULL && (rec->result != NULL || (rec->action != NULL && strcmp(rec->action, "outcome") == 0)))
		return TG_ERR_ARG;	/* outcomes go through tg_audit_outcome */
	return append(path, rec, seq);
}

int tg_audit_outcome(const char *path, const char *card, uint64_t ref, bool applied, const char *reason,
		     uint64_t *seq)
{
	struct tg_audit_record r = {
		.action = "outcome", .card = card, .ref = ref,
		.result = applied ? "applied" : "failed", .reason = reason,
	};

	if (ref == 0)
		return TG_ERR_ARG;
	return append(path, &r, seq);
}

/* ---- reading ---- */

struct parsed {
	struct tg_json_doc *doc;
	char **argv;
	struct tg_audit_change *changes;
};

static void parsed_free(struct parsed *p)
{
	tg_json_doc_free(p->doc);
	free(p->argv);
	free(p->changes);
	memset(p, 0, sizeof(*p));
}

/* an optional string member: NULL when absent; false when not a string */
static bool opt_string(const struct tg_json_value *o, const char *key, const char **out)
{
	const struct tg_json_value *v = tg_json_member(o, key);

	*out = NULL;
	if (v == NULL)
		return true;
	if (v->type != TG_JSON_STRING)
		return false;
	*out = v->str;
	return true;
}

static bool opt_u64(const struct tg_json_value *o, const char *key, uint64_t max, uint64_t *out)
{
	const struct tg_json_value *v = tg_json_member(o, key);

	*out = 0;
	return v == NULL || (tg_json_to_u64(v, out) && *out <= max);
}

static bool parse_change(const struct tg_json_value *o, struct tg_audit_change *c)
{
	const struct tg_json_value *old = tg_json_member(o, "old");

	return o->type == TG_JSON_OBJECT && opt_string(o, "scope", &c->scope) && c->scope != NULL &&
	       opt_string(o, "key", &c->key) && c->key != NULL && opt_string(o, "new", &c->new_text) &&
	       c->new_text != NULL && opt_string(o, "old", &c->old_text) &&
	       opt_u64(o, "new_raw", UINT64_MAX, &c->new_raw) &&
	       (old == NULL || opt_u64(o, "old_raw", UINT64_MAX, &c->old_raw));
}

/* a line as a record; why it is not one in why */
static bool parse_record(char *line, size_t len, struct tg_audit_record *r, struct parsed *p, char *why,
			 size_t whylen)
{
	const struct tg_json_value *o, *argv, *ch;
	uint64_t uid, pid, version;

	memset(r, 0, sizeof(*r));
	if (tg_json_parse(line, len, &p->doc, why, whylen) != TG_OK)
		return false;
	o = tg_json_doc_root(p->doc);
	if (o->type != TG_JSON_OBJECT) {
		snprintf(why, whylen, "not a JSON object");
		return false;
	}
	if (!tg_json_to_u64(tg_json_member(o, "seq"), &r->seq) ||
	    !tg_json_to_u64(tg_json_member(o, "time_ns"), &r->time_ns) || !opt_string(o, "action", &r->action) ||
	    r->action == NULL) {
		snprintf(why, whylen, "no seq, time_ns or action");
		return false;
	}
	if (!opt_string(o, "user", &r->user) || !opt_string(o, "sudo_user", &r->sudo_user) ||
	    !opt_string(o, "host", &r->host) || !opt_string(o, "card", &r->card) ||
	    !opt_string(o, "detail", &r->detail) || !opt_string(o, "result", &r->result) ||
	    !opt_string(o, "reason", &r->reason) || !opt_u64(o, "uid", UINT32_MAX, &uid) ||
	    !opt_u64(o, "pid", UINT32_MAX, &pid) || !opt_u64(o, "ref", UINT64_MAX, &r->ref) ||
	    !opt_u64(o, "v", UINT32_MAX, &version)) {
		snprintf(why, whylen, "a field of the wrong type");
		return false;
	}
	/* every format so far reads the same way; only what argv holds differs */
	r->version = version != 0 ? (unsigned)version : 1u;
	r->uid = (uint32_t)uid;
	r->pid = (uint32_t)pid;
	argv = tg_json_member(o, "argv");
	if (argv != NULL) {
		if (argv->type != TG_JSON_ARRAY || argv->len > INT32_MAX) {
			snprintf(why, whylen, "argv is not a list");
			return false;
		}
		p->argv = calloc(argv->len + 1, sizeof(*p->argv));
		if (p->argv == NULL) {
			snprintf(why, whylen, "out of memory");
			return false;
		}
		for (size_t i = 0; i < argv->len; i++) {
			if (argv->items[i].type != TG_JSON_STRING) {
				snprintf(why, whylen, "argv holds a non-string");
				return false;
			}
			p->argv[i] = (char *)argv->items[i].str;
		}
		r->argc = (int)argv->len;
		r->argv = p->argv;
	}
	ch = tg_json_member(o, "changes");
	if (ch != NULL) {
		if (ch->type != TG_JSON_ARRAY) {
			snprintf(why, whylen, "changes is not a list");
			return false;
		}
		p->changes = calloc(ch->len + 1, sizeof(*p->changes));
		if (p->changes == NULL) {
			snprintf(why, whylen, "out of memory");
			return false;
		}
		for (size_t i = 0; i < ch->len; i++) {
			if (!parse_change(&ch->items[i], &p->changes[i])) {
				snprintf(why, whylen, "change %zu lacks scope, key or new, or has a field of the wrong type",
					 i + 1);
				return false;
			}
		}
		r->changes = p->changes;
		r->n_changes = ch->len;
	}
	return true;
}

int tg_audit_read(const char *path, tg_audit_record_fn fn, tg_audit_bad_fn bad, void *ctx,
		  struct tg_audit_read_stats *stats)
{
	struct tg_audit_read_stats st = {0};
	unsigned long lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	off_t size, off = 0;
	struct stat sb;
	ssize_t n;
	FILE *f;
	int fd, rc = TG_OK;

	if (path == NULL || fn == NULL)
		return TG_ERR_ARG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno_result(errno);
	/* the size under a shared lock is at a record boundary: appends
	 * write whole records under the exclusive one. The lock is not held
	 * while reading, so a slow reader never holds up a kill. */
	if ((rc = lock_fd(fd, LOCK_SH)) != TG_OK || fstat(fd, &sb) != 0) {
		close(fd);
		return rc != TG_OK ? rc : TG_ERR_SYS;
	}
	flock(fd, LOCK_UN);
	size = sb.st_size;
	f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return TG_ERR_SYS;
	}
	while (off < size && (n = getline(&line, &cap, f)) > 0) {
		struct tg_audit_record r;
		struct parsed p = {0};
		char why[160];
		size_t len = (size_t)n;

		lineno++;
		if (off + n > size)
			len = (size_t)(size - off);	/* appended after the read began */
		off += n;
		if (line[len - 1] != '\n') {
			st.torn = true;
			st.corrupt++;
			if (bad != NULL)
				bad(lineno, true, "cut short: no newline at its end", ctx);
			break;
		}
		line[--len] = '\0';
		if (!parse_record(line, len, &r, &p, why, sizeof(why))) {
			st.corrupt++;
			if (bad != NULL)
				bad(lineno, false, len == 0 ? "empty line" : why, ctx);
			parsed_free(&p);
			continue;
		}
		r.line = lineno;
		r.json = line;
		st.records++;
		rc = fn(&r, ctx);
		parsed_free(&p);
		if (rc != 0)
			break;
	}
	if (rc == TG_OK && ferror(f))
		rc = TG_ERR_SYS;
	free(line);
	fclose(f);
	if (stats != NULL)
		*stats = st;
	return rc;
}
