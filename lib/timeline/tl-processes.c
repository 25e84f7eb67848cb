/*
 * The processes of an irt collection, live/processes.jsonl as the
 * processes builtin of irt collect writes it (collect-live.c): one JSON
 * object a line with pid, ppid, uid, start (ISO 8601, null when the boot
 * time was unknown), comm, cmdline (an array), exe, exe_deleted,
 * exe_memfd, exe_sha256, cwd and deleted_fds.  Each process is an event
 * at its start; its start time is kept for the sockets of the same
 * collection (tl-sockets.c).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "irt/error.h"
#include "irt/json.h"
#include "irt/timefmt.h"
#include "tl-internal.h"

static const struct tl_dtype dt_proc = { "irt:process", "Start Time", "LOG" };
static const struct tl_dtype *const types[] = { &dt_proc, NULL };

enum {
	F_PID,
	F_PPID,
	F_UID,
	F_USER,
	F_COMM,
	F_EXE,
	F_CMDLINE,
	F_DELETED,
	F_MEMFD,
	F_SHA256,
	F_CWD,
	F_DELETED_FDS,
};

static const char *const fields[] = {
	[F_PID] = "pid",
	[F_PPID] = "ppid",
	[F_UID] = "uid",
	[F_USER] = "user",
	[F_COMM] = "comm",
	[F_EXE] = "exe",
	[F_CMDLINE] = "cmdline",
	[F_DELETED] = "deleted",
	[F_MEMFD] = "memfd",
	[F_SHA256] = "exe_sha256",
	[F_CWD] = "cwd",
	[F_DELETED_FDS] = "deleted_fds",
	NULL,
};

/* ---- start times by pid, per collection ---- */

struct start_ent {
	int64_t pid;
	irt_ns t;
	uint32_t scope; /* index + 1; 0: a free slot */
};

struct tl_starts {
	char **scopes;
	uint32_t nscopes;
	struct start_ent *v;
	size_t cap, n; /* cap: a power of two */
};

void
tl_starts_free(struct tl_starts *st)
{
	uint32_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nscopes; i++)
		free(st->scopes[i]);
	free(st->scopes);
	free(st->v);
	free(st);
}

/* The folder of the file p's warnings name. */
static size_t
scope_len(const struct tl_pctx *p)
{
	const char *slash = strrchr(p->name, '/');

	return slash ? (size_t)(slash - p->name) : 0;
}

/* p's collection: its index + 1, 0 when it has none (and add is false),
 * or an error. */
static int64_t
scope_find(struct tl_pctx *p, bool add)
{
	struct tl_starts **sp = tl_starts_of(p->tl), *st = *sp;
	size_t len = scope_len(p);
	char **ns;
	uint32_t i;

	for (i = 0; st != NULL && i < st->nscopes; i++)
		if (strlen(st->scopes[i]) == len &&
		    memcmp(st->scopes[i], p->name, len) == 0)
			return (int64_t)i + 1;
	if (!add)
		return 0;
	if (st == NULL && (st = *sp = calloc(1, sizeof *st)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if (st->nscopes == TL_MAX_SOURCES)
		return irt_error_set(IRT_EINVAL, "too many collections");
	if ((ns = realloc(st->scopes, (st->nscopes + 1) * sizeof *ns)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	st->scopes = ns;
	if ((ns[st->nscopes] = strndup(p->name, len)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return (int64_t)++st->nscopes;
}

static size_t
slot(const struct tl_starts *st, uint32_t scope, int64_t pid)
{
	uint64_t h = ((uint64_t)pid * 0x9e3779b97f4a7c15ull) ^ scope;

	h ^= h >> 29;
	return (size_t)(h & (st->cap - 1));
}

static int
grow(struct tl_starts *st)
{
	struct start_ent *old = st->v, *nv;
	size_t oldcap = st->cap, ncap = oldcap ? oldcap * 2 : 1024, i, j;

	if ((nv = calloc(ncap, sizeof *nv)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	st->v = nv;
	st->cap = ncap;
	for (i = 0; i < oldcap; i++) {
		if (old[i].scope == 0)
			continue;
		for (j = slot(st, old[i].scope, old[i].pid); nv[j].scope != 0;
		     j = (j + 1) & (ncap - 1))
			;
		nv[j] = old[i];
	}
	free(old);
	return 0;
}

int
tl_start_put(struct tl_pctx *p, int64_t pid, irt_ns t)
{
	struct tl_starts *st;
	int64_t sc = scope_find(p, true);
	size_t j;
	int rc;

	if (sc < 0)
		return (int)sc;
	st = *tl_starts_of(p->tl);
	if (pid < 0 || t == 0)
		return 0;
	if ((st->n + 1) * 2 > st->cap && (rc = grow(st)) != 0)
		return rc;
	for (j = slot(st, (uint32_t)sc, pid); st->v[j].scope != 0;
	     j = (j + 1) & (st->cap - 1))
		if (st->v[j].scope == (uint32_t)sc && st->v[j].pid == pid) {
			st->v[j].t = t; /* a pid given twice: the last */
			return 0;
		}
	st->v[j].scope = (uint32_t)sc;
	st->v[j].pid = pid;
	st->v[j].t = t;
	st->n++;
	return 0;
}

irt_ns
tl_start_get(struct tl_pctx *p, int64_t pid)
{
	struct tl_starts *st = *tl_starts_of(p->tl);
	int64_t sc = scope_find(p, false);
	size_t j;

	if (sc <= 0 || st->cap == 0)
		return 0;
	for (j = slot(st, (uint32_t)sc, pid); st->v[j].scope != 0;
	     j = (j + 1) & (st->cap - 1))
		if (st->v[j].scope == (uint32_t)sc && st->v[j].pid == pid)
			return st->v[j].t;
	return 0;
}

bool
tl_start_known(struct tl_pctx *p)
{
	return scope_find(p, false) > 0;
}

/* ---- the parser ---- */

static struct json_object *
member(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, key, &x) ||
	    !json_object_is_type(x, t))
		return NULL;
	return x;
}

/* An integer member in [0, max], else -1. */
static int64_t
int_member(struct json_object *o, const char *key, int64_t max)
{
	struct json_object *x = member(o, key, json_type_int);
	int64_t v;

	if (x == NULL)
		return -1;
	v = json_object_get_int64(x);
	return v >= 0 && v <= max ? v : -1;
}

static void
add_str(struct tl_ev *e, unsigned k, struct json_object *o, const char *key)
{
	struct json_object *x = member(o, key, json_type_string);

	if (x != NULL && json_object_get_string_len(x) > 0)
		tl_ev_add(e, k, json_object_get_string(x),
		    (size_t)json_object_get_string_len(x));
}

static void
add_bool(struct tl_ev *e, unsigned k, struct json_object *o, const char *key)
{
	struct json_object *x = member(o, key, json_type_boolean);

	if (x != NULL)
		tl_ev_adds(e, k, json_object_get_boolean(x) ? "true" : "false");
}

/* Strings of an array joined by sep into b; false when the array holds
 * something else.  *bad is set when memory runs out. */
static bool
join(struct irt_buf *b, struct json_object *a, char sep, const char *key,
    int *bad)
{
	size_t i, n = json_object_array_length(a);

	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(a, i);
		if (key != NULL) {
			struct json_object *y;
			if (!json_object_is_type(x, json_type_object) ||
			    !json_object_object_get_ex(x, key, &y))
				return false;
			x = y;
		}
		if (!json_object_is_type(x, json_type_string))
			return false;
		if (i > 0)
			*bad |= irt_buf_putc(b, sep);
		*bad |= irt_buf_put(b, json_object_get_string(x),
		    (size_t)json_object_get_string_len(x));
	}
	return true;
}

/* The time of a member: 0 with *t set, 1 for none (absent or null),
 * else a warning and -1. */
static int
time_member(struct tl_pctx *p, struct json_object *o, const char *key,
    irt_ns *t, int *rc)
{
	struct json_object *x;
	const char *s;
	size_t n;

	*rc = 0;
	if (!json_object_object_get_ex(o, key, &x) || x == NULL)
		return 1;
	if (!json_object_is_type(x, json_type_string)) {
		*rc = tl_warn_line(p, "%s is not a time, line skipped", key);
		return -1;
	}
	s = json_object_get_string(x);
	n = (size_t)json_object_get_string_len(x);
	if (n < 20 || n > 63 || strlen(s) != n || s[4] != '-' || s[10] != 'T') {
		*rc = tl_warn_line(p, "%s is not a time, line skipped", key);
		return -1;
	}
	if (irt_time_parse(t, s) != 0) {
		*rc = tl_warn_line(
		    p, "%s: %s, line skipped", key, irt_error_last());
		return -1;
	}
	return 0;
}

struct procs {
	struct irt_buf cmd, fds, msg;
	uint64_t untimed;
	bool load; /* start times only */
};

static int
proc_line(struct tl_pctx *p, struct procs *pr, const char *line, size_t len)
{
	struct json_object *o, *x;
	struct tl_ev e;
	int64_t pid, ppid, uid;
	irt_ns t = 0;
	int rc = 0, k, bad = 0;

	if (len == 0)
		return 0;
	if ((o = irt_json_object(line, len)) == NULL ||
	    (pid = int_member(o, "pid", INT32_MAX)) < 0) {
		json_object_put(o);
		return tl_warn_line(p, "not an irt process line, skipped");
	}
	if ((k = time_member(p, o, "start", &t, &rc)) != 0) {
		pr->untimed += k == 1;
		json_object_put(o);
		return rc;
	}
	if ((rc = tl_start_put(p, pid, t)) != 0 || pr->load) {
		json_object_put(o);
		return rc;
	}
	tl_ev_init(&e, 0, t);
	tl_ev_addi(&e, F_PID, pid);
	if ((ppid = int_member(o, "ppid", INT32_MAX)) >= 0)
		tl_ev_addi(&e, F_PPID, ppid);
	if ((uid = int_member(o, "uid", UINT32_MAX)) >= 0)
		tl_ev_addi(&e, F_UID, uid);
	add_str(&e, F_USER, o, "user");
	add_str(&e, F_COMM, o, "comm");
	add_str(&e, F_EXE, o, "exe");
	irt_buf_clear(&pr->cmd);
	if ((x = member(o, "cmdline", json_type_array)) != NULL &&
	    join(&pr->cmd, x, ' ', NULL, &bad) && pr->cmd.len > 0)
		tl_ev_add(&e, F_CMDLINE, pr->cmd.ptr, pr->cmd.len);
	add_bool(&e, F_DELETED, o, "exe_deleted");
	add_bool(&e, F_MEMFD, o, "exe_memfd");
	add_str(&e, F_SHA256, o, "exe_sha256");
	add_str(&e, F_CWD, o, "cwd");
	irt_buf_clear(&pr->fds);
	if ((x = member(o, "deleted_fds", json_type_array)) != NULL &&
	    join(&pr->fds, x, '\n', "target", &bad) && pr->fds.len > 0)
		tl_ev_add(&e, F_DELETED_FDS, pr->fds.ptr, pr->fds.len);
	/* Process started: 812 (sshd) /usr/sbin/sshd -D */
	irt_buf_clear(&pr->msg);
	bad |=
	    irt_buf_printf(&pr->msg, "Process started: %lld", (long long)pid);
	if ((x = member(o, "comm", json_type_string)) != NULL) {
		bad |= irt_buf_puts(&pr->msg, " (");
		bad |= irt_buf_put(&pr->msg, json_object_get_string(x),
		    (size_t)json_object_get_string_len(x));
		bad |= irt_buf_putc(&pr->msg, ')');
	}
	if (pr->cmd.len > 0) {
		bad |= irt_buf_putc(&pr->msg, ' ');
		bad |= irt_buf_put(&pr->msg, pr->cmd.ptr, pr->cmd.len);
	} else if ((x = member(o, "exe", json_type_string)) != NULL) {
		bad |= irt_buf_putc(&pr->msg, ' ');
		bad |= irt_buf_put(&pr->msg, json_object_get_string(x),
		    (size_t)json_object_get_string_len(x));
	}
	if ((x = member(o, "exe_deleted", json_type_boolean)) != NULL &&
	    json_object_get_boolean(x))
		bad |= irt_buf_puts(&pr->msg, " [executable deleted]");
	if ((x = member(o, "exe_memfd", json_type_boolean)) != NULL &&
	    json_object_get_boolean(x))
		bad |= irt_buf_puts(&pr->msg, " [executable in memfd]");
	if (bad)
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
	else {
		e.msg = pr->msg.ptr;
		e.msg_len = pr->msg.len;
		rc = tl_emit(p, &e);
	}
	json_object_put(o);
	return rc;
}

static int
read_procs(struct tl_pctx *p, struct tl_stream *s, bool load)
{
	struct procs pr;
	struct tl_lines lr;
	const char *line;
	size_t len;
	int rc;

	memset(&pr, 0, sizeof pr);
	pr.load = load;
	/* the collection is known, even with no process in it */
	if ((rc = (int)scope_find(p, true)) < 0)
		return rc;
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = proc_line(p, &pr, line, len)) != 0)
			break;
	if (rc == 0 && pr.untimed > 0)
		rc = tl_warn(p, "%llu processes with no start time, skipped",
		    (unsigned long long)pr.untimed);
	tl_lines_free(&lr);
	irt_buf_release(&pr.cmd);
	irt_buf_release(&pr.fds);
	irt_buf_release(&pr.msg);
	return rc < 0 ? rc : 0;
}

static int
parse_processes(struct tl_pctx *p, struct tl_stream *s)
{
	return read_procs(p, s, false);
}

int
tl_starts_load(struct tl_pctx *p, struct tl_stream *s)
{
	return read_procs(p, s, true);
}

static bool
by_name(const char *name, const char *path)
{
	(void)path;
	return strcmp(name, "processes.jsonl") == 0;
}

/* {"pid":1,"ppid":0,...,"cmdline":[...] as irt writes it */
static int
by_content(const struct tl_head *h)
{
	return h->line_len > 7 && memcmp(h->line, "{\"pid\":", 7) == 0 &&
	        memmem(h->line, h->line_len, "\"ppid\":", 7) != NULL &&
	        memmem(h->line, h->line_len, "\"cmdline\":[", 11) != NULL
	    ? TL_YES
	    : TL_NO;
}

const struct tl_source tl_source_processes = {
	.name = "processes",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_processes,
	.flags = TL_SRC_LIVE,
};
