/*
 * Docker's json-file logs, /var/lib/docker/containers/ID/ID-json.log:
 * one JSON object a line, {"log":"text\n","stream":"stdout","time":
 * "2024-05-01T10:00:00.123456789Z"}.  A line Docker split (a "log"
 * without its newline, over 16 KiB) is joined to the rest of it; the
 * container id comes from the file's name.
 */
#include <string.h>

#include <json-c/json.h>

#include "irt/error.h"
#include "tl-internal.h"

static const struct tl_dtype dt_log = { "docker:json:container:log",
	"Recorded Time", "LOG" };
static const struct tl_dtype *const types[] = { &dt_log, NULL };

enum { F_CONTAINER_ID, F_STREAM };

static const char *const fields[] = {
	[F_CONTAINER_ID] = "container_id", [F_STREAM] = "stream", NULL
};

/* A message Docker split, per stream: stdout, stderr, other. */
struct pend {
	struct irt_buf b;
	irt_ns t;
	uint64_t line;
	bool open;
};

struct dlog {
	const char *id;
	size_t idlen;
	struct pend pend[3];
	struct json_tokener *tok;
};

static const char *const streams[] = { "stdout", "stderr", "" };

/* An RFC 3339 time: 0, -1 for text of another form, or IRT_EINVAL. */
static int
rfc3339(const char *s, size_t n, irt_ns *t)
{
	char buf[64];

	if (n < 20 || n >= sizeof buf || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return irt_time_parse(t, buf) == 0 ? 0 : IRT_EINVAL;
}

static int
emit(struct tl_pctx *p, struct dlog *d, int si, irt_ns t, const char *msg,
    size_t len)
{
	struct tl_ev e;

	tl_ev_init(&e, 0, t);
	e.msg = msg;
	e.msg_len = len;
	if (d->idlen > 0)
		tl_ev_add(&e, F_CONTAINER_ID, d->id, d->idlen);
	if (si < 2)
		tl_ev_adds(&e, F_STREAM, streams[si]);
	return tl_emit(p, &e);
}

static int
flush(struct tl_pctx *p, struct dlog *d, int si)
{
	struct pend *pd = &d->pend[si];
	uint64_t keep = p->line;
	int rc;

	if (!pd->open)
		return 0;
	p->line = pd->line;
	rc = emit(p, d, si, pd->t, pd->b.ptr, pd->b.len);
	p->line = keep;
	pd->open = false;
	irt_buf_clear(&pd->b);
	return rc;
}

static int
dlog_line(struct tl_pctx *p, struct dlog *d, const char *line, size_t len)
{
	struct json_object *o, *x;
	const char *log, *st, *tm;
	size_t loglen, stlen = 0, tmlen;
	struct pend *pd;
	irt_ns t;
	int si, rc;
	bool end;

	if (len == 0)
		return 0;
	json_tokener_reset(d->tok);
	o = len <= TL_LINE_MAX ? json_tokener_parse_ex(d->tok, line, (int)len)
	                       : NULL;
	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    json_tokener_get_parse_end(d->tok) != len ||
	    !json_object_object_get_ex(o, "log", &x) ||
	    !json_object_is_type(x, json_type_string)) {
		json_object_put(o);
		return tl_warn_line(p, "not a Docker json-file line, skipped");
	}
	log = json_object_get_string(x);
	loglen = (size_t)json_object_get_string_len(x);
	if (!json_object_object_get_ex(o, "time", &x) ||
	    !json_object_is_type(x, json_type_string)) {
		json_object_put(o);
		return tl_warn_line(p, "no time in Docker log line, skipped");
	}
	tm = json_object_get_string(x);
	tmlen = (size_t)json_object_get_string_len(x);
	if ((rc = rfc3339(tm, tmlen, &t)) != 0) {
		json_object_put(o);
		return rc == -1
		    ? tl_warn_line(p, "bad time in Docker log line, skipped")
		    : tl_warn_line(p, "%s, line skipped", irt_error_last());
	}
	st = NULL;
	if (json_object_object_get_ex(o, "stream", &x) &&
	    json_object_is_type(x, json_type_string)) {
		st = json_object_get_string(x);
		stlen = (size_t)json_object_get_string_len(x);
	}
	si = st && stlen == 6 && memcmp(st, "stdout", 6) == 0  ? 0
	    : st && stlen == 6 && memcmp(st, "stderr", 6) == 0 ? 1
	                                                       : 2;
	pd = &d->pend[si];
	end = loglen > 0 && log[loglen - 1] == '\n';
	if (end) {
		loglen--;
		if (loglen > 0 && log[loglen - 1] == '\r')
			loglen--;
	}
	if (end && !pd->open) {
		rc = emit(p, d, si, t, log, loglen);
		json_object_put(o);
		return rc;
	}
	if (!pd->open) {
		/* the first part of a split line: its time is the event's */
		pd->open = true;
		pd->t = t;
		pd->line = p->line;
	}
	rc = 0;
	if (pd->b.len + loglen > TL_LINE_MAX) {
		rc = tl_warn_line(
		    p, "message longer than %u bytes, cut", TL_LINE_MAX);
		loglen = TL_LINE_MAX - pd->b.len;
		end = true;
	}
	if (irt_buf_put(&pd->b, log, loglen) != 0)
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
	json_object_put(o);
	if (rc == 0 && end)
		rc = flush(p, d, si);
	return rc;
}

static int
parse_docker(struct tl_pctx *p, struct tl_stream *s)
{
	const struct tl_src *src = tl_src_get(p->tl, p->src);
	const char *file = src && src->file ? src->file : "", *base, *dash;
	struct tl_lines lr;
	struct dlog d;
	const char *line;
	size_t len;
	int rc, i;

	memset(&d, 0, sizeof d);
	/* the container id: ID-json.log, or the folder ID/ */
	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	if ((dash = strstr(base, "-json.log")) != NULL && dash > base) {
		d.id = base;
		d.idlen = (size_t)(dash - base);
	}
	if ((d.tok = json_tokener_new_ex(16)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = dlog_line(p, &d, line, len)) != 0)
			break;
	/* a split line the file ends in */
	for (i = 0; i < 3; i++) {
		if (rc == 0)
			rc = flush(p, &d, i);
		irt_buf_release(&d.pend[i].b);
	}
	tl_lines_free(&lr);
	json_tokener_free(d.tok);
	return rc < 0 ? rc : 0;
}

static bool
by_name(const char *name, const char *path)
{
	size_t n = strlen(name);

	(void)path;
	return n > 9 && strcmp(name + n - 9, "-json.log") == 0;
}

/*
 * {"log":"...","stream":"stdout","time":"..."}: Go writes the members of
 * its struct in this order.  Sure, as a magic number: the logged text
 * may be an access log line or a syslog line, which their kinds would
 * also say yes to.
 */
static int
by_content(const struct tl_head *h)
{
	return h->line_len > 8 && memcmp(h->line, "{\"log\":\"", 8) == 0 &&
	        memmem(h->line, h->line_len, "\"time\":\"", 8) != NULL
	    ? TL_SURE
	    : TL_NO;
}

const struct tl_source tl_source_docker = {
	.name = "docker",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_docker,
};
