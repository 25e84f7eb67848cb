/*
 * The sockets of an irt collection, live/sockets.jsonl as the sockets
 * builtin of irt collect writes it (collect-live.c): one JSON object a
 * line, proto, local, lport, remote, rport, state, uid and inode for
 * TCP, UDP and raw sockets, type, state, inode and path for Unix ones,
 * and the processes that hold it (pids: pid and comm).  A socket carries
 * no time of its own: its event is at the start of the earliest of its
 * processes whose start time the processes.jsonl of the same collection
 * gave (read before it, as in an archive; for a file given alone, the
 * processes.jsonl beside it).  A socket with none gives no event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "irt/error.h"
#include "irt/json.h"
#include "tl-internal.h"

static const struct tl_dtype dt_sock = { "irt:socket",
	"Owner Process Start Time", "LOG" };
static const struct tl_dtype *const types[] = { &dt_sock, NULL };

enum {
	F_PROTO,
	F_LOCAL_ADDR,
	F_LOCAL_PORT,
	F_REMOTE_ADDR,
	F_REMOTE_PORT,
	F_STATE,
	F_UID,
	F_INODE,
	F_SOCKET_PATH,
	F_PID,
	F_COMM,
	F_PIDS,
};

static const char *const fields[] = {
	[F_PROTO] = "proto",
	[F_LOCAL_ADDR] = "local_addr",
	[F_LOCAL_PORT] = "local_port",
	[F_REMOTE_ADDR] = "remote_addr",
	[F_REMOTE_PORT] = "remote_port",
	[F_STATE] = "state",
	[F_UID] = "uid",
	[F_INODE] = "inode",
	[F_SOCKET_PATH] = "socket_path",
	[F_PID] = "pid",
	[F_COMM] = "comm",
	[F_PIDS] = "pids",
	NULL,
};

/* A string or an integer member as text, NULL for anything else. */
static const char *
scalar(struct json_object *o, const char *key, size_t *len)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, key, &x) ||
	    !(json_object_is_type(x, json_type_string) ||
	        json_object_is_type(x, json_type_int)))
		return NULL;
	*len = json_object_is_type(x, json_type_string)
	    ? (size_t)json_object_get_string_len(x)
	    : strlen(json_object_get_string(x));
	return json_object_get_string(x);
}

static void
add(struct tl_ev *e, unsigned k, struct json_object *o, const char *key)
{
	const char *v;
	size_t n;

	if ((v = scalar(o, key, &n)) != NULL && n > 0)
		tl_ev_add(e, k, v, n);
}

struct socks {
	struct irt_buf msg, pids;
	uint64_t orphans;
};

/* The owner that started first, with its time; NULL when none is known. */
static struct json_object *
owner(struct tl_pctx *p, struct json_object *pids, irt_ns *t,
    struct irt_buf *all, int *bad)
{
	struct json_object *best = NULL, *x, *y;
	size_t i, n = json_object_array_length(pids);
	irt_ns st;
	int64_t pid;

	*t = 0;
	for (i = 0; i < n; i++) {
		x = json_object_array_get_idx(pids, i);
		if (!json_object_is_type(x, json_type_object) ||
		    !json_object_object_get_ex(x, "pid", &y) ||
		    !json_object_is_type(y, json_type_int))
			continue;
		pid = json_object_get_int64(y);
		if (pid < 0 || pid > INT32_MAX)
			continue;
		*bad |= irt_buf_printf(
		    all, "%s%lld", all->len ? " " : "", (long long)pid);
		st = tl_start_get(p, pid);
		if (st != 0 && (best == NULL || st < *t)) {
			best = x;
			*t = st;
		}
	}
	return best;
}

static int
sock_line(struct tl_pctx *p, struct socks *sk, const char *line, size_t len)
{
	struct json_object *o, *x, *who;
	const char *proto, *v;
	size_t plen, n;
	struct tl_ev e;
	irt_ns t;
	int rc, bad = 0;

	if (len == 0)
		return 0;
	if ((o = irt_json_object(line, len)) == NULL ||
	    (proto = scalar(o, "proto", &plen)) == NULL ||
	    !json_object_is_type(
	        json_object_object_get(o, "proto"), json_type_string)) {
		json_object_put(o);
		return tl_warn_line(p, "not an irt socket line, skipped");
	}
	irt_buf_clear(&sk->pids);
	if (!json_object_object_get_ex(o, "pids", &x) ||
	    !json_object_is_type(x, json_type_array) ||
	    (who = owner(p, x, &t, &sk->pids, &bad)) == NULL) {
		sk->orphans++;
		json_object_put(o);
		return 0;
	}
	tl_ev_init(&e, 0, t);
	tl_ev_add(&e, F_PROTO, proto, plen);
	add(&e, F_LOCAL_ADDR, o, "local");
	add(&e, F_LOCAL_PORT, o, "lport");
	add(&e, F_REMOTE_ADDR, o, "remote");
	add(&e, F_REMOTE_PORT, o, "rport");
	add(&e, F_STATE, o, "state");
	add(&e, F_UID, o, "uid");
	add(&e, F_INODE, o, "inode");
	add(&e, F_SOCKET_PATH, o, "path");
	add(&e, F_PID, who, "pid");
	add(&e, F_COMM, who, "comm");
	if (strchr(irt_buf_cstr(&sk->pids), ' ') != NULL)
		tl_ev_add(&e, F_PIDS, sk->pids.ptr, sk->pids.len);
	/* Socket: tcp 0.0.0.0:22 LISTEN, held by 812 (sshd) */
	irt_buf_clear(&sk->msg);
	bad |= irt_buf_puts(&sk->msg, "Socket: ");
	bad |= irt_buf_put(&sk->msg, proto, plen);
	if ((v = scalar(o, "local", &n)) != NULL) {
		bad |= irt_buf_putc(&sk->msg, ' ');
		bad |= irt_buf_put(&sk->msg, v, n);
		if ((v = scalar(o, "lport", &n)) != NULL) {
			bad |= irt_buf_putc(&sk->msg, ':');
			bad |= irt_buf_put(&sk->msg, v, n);
		}
	}
	if ((v = scalar(o, "remote", &n)) != NULL) {
		bad |= irt_buf_puts(&sk->msg, " -> ");
		bad |= irt_buf_put(&sk->msg, v, n);
		if ((v = scalar(o, "rport", &n)) != NULL) {
			bad |= irt_buf_putc(&sk->msg, ':');
			bad |= irt_buf_put(&sk->msg, v, n);
		}
	}
	if ((v = scalar(o, "path", &n)) != NULL && n > 0) {
		bad |= irt_buf_putc(&sk->msg, ' ');
		bad |= irt_buf_put(&sk->msg, v, n);
	}
	if ((x = json_object_object_get(o, "state")) != NULL &&
	    json_object_is_type(x, json_type_string)) {
		bad |= irt_buf_putc(&sk->msg, ' ');
		bad |= irt_buf_put(&sk->msg, json_object_get_string(x),
		    (size_t)json_object_get_string_len(x));
	}
	bad |= irt_buf_puts(&sk->msg, ", held by ");
	bad |= irt_buf_puts(&sk->msg,
	    json_object_get_string(json_object_object_get(who, "pid")));
	if ((v = scalar(who, "comm", &n)) != NULL &&
	    json_object_is_type(
	        json_object_object_get(who, "comm"), json_type_string)) {
		bad |= irt_buf_puts(&sk->msg, " (");
		bad |= irt_buf_put(&sk->msg, v, n);
		bad |= irt_buf_putc(&sk->msg, ')');
	}
	if (bad)
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
	else {
		e.msg = sk->msg.ptr;
		e.msg_len = sk->msg.len;
		rc = tl_emit(p, &e);
	}
	json_object_put(o);
	return rc;
}

/*
 * A sockets.jsonl read on its own, with no processes of its collection
 * read before: the start times of the processes.jsonl beside it, when
 * there is one (quietly: it gives its own events and warnings when it is
 * read as a source).
 */
static int
load_beside(struct tl_pctx *p)
{
	const struct tl_src *src = tl_src_get(p->tl, p->src);
	const char *slash = strrchr(p->name, '/');
	struct tl_stream s;
	struct stat st;
	uint64_t line = p->line;
	char *path;
	bool quiet = p->quiet;
	int rc;

	/* a file given as such: warnings name the file itself */
	if (slash == NULL || src == NULL || strcmp(src->file, p->name) != 0)
		return 0;
	if (asprintf(&path, "%.*s/processes.jsonl", (int)(slash - p->name),
	        p->name) < 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    tl_stream_file(&s, path) != 0) {
		free(path);
		return 0;
	}
	p->quiet = true;
	rc = tl_starts_load(p, &s);
	p->quiet = quiet;
	p->line = line;
	tl_stream_close(&s);
	free(path);
	return rc;
}

static int
parse_sockets(struct tl_pctx *p, struct tl_stream *s)
{
	struct socks sk;
	struct tl_lines lr;
	const char *line;
	size_t len;
	bool known;
	int rc;

	memset(&sk, 0, sizeof sk);
	if (!tl_start_known(p) && (rc = load_beside(p)) != 0)
		return rc;
	known = tl_start_known(p);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = sock_line(p, &sk, line, len)) != 0)
			break;
	if (rc == 0 && sk.orphans > 0 && !known)
		rc = tl_warn(p,
		    "no processes.jsonl of this collection read before it: "
		    "%llu sockets without a time, skipped",
		    (unsigned long long)sk.orphans);
	tl_lines_free(&lr);
	irt_buf_release(&sk.msg);
	irt_buf_release(&sk.pids);
	return rc < 0 ? rc : 0;
}

static bool
by_name(const char *name, const char *path)
{
	(void)path;
	return strcmp(name, "sockets.jsonl") == 0;
}

/* {"proto":"tcp",...,"inode":N,"pids":[...]} as irt writes it */
static int
by_content(const struct tl_head *h)
{
	return h->line_len > 10 && memcmp(h->line, "{\"proto\":\"", 10) == 0 &&
	        memmem(h->line, h->line_len, "\"inode\":", 8) != NULL &&
	        memmem(h->line, h->line_len, "\"pids\":[", 8) != NULL
	    ? TL_YES
	    : TL_NO;
}

const struct tl_source tl_source_sockets = {
	.name = "sockets",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_sockets,
	.flags = TL_SRC_LIVE,
};
