/*
 * The IOC matcher of the driver: events (messages, paths, fields), the
 * bytes of files (--content), and the records of a collection: the
 * manifest (paths, every hash collected), the processes (executables
 * and their hashes, command lines) and the sockets (addresses).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/hash.h"
#include "irt/json.h"
#include "hunt-int.h"

/* What a hit is on. */
struct ctx {
	struct irt_hunt *h;
	const struct irt_tl_event *ev;
	const struct hunt_file *f;
	const char *field;
	const char *location;
	uint64_t line;
	bool has_time, has_offset;
	irt_ns time;
	/* the IOCs that hit this event or record already */
	size_t seen[16];
	size_t nseen;
	struct irt_buf ej, ets; /* the event rendered, once */
};

static void
strip_nl(struct irt_buf *b)
{
	while (b->len > 0 && b->ptr[b->len - 1] == '\n')
		b->ptr[--b->len] = '\0';
}

static int
on_match(void *arg, size_t i, const char *match, size_t len, uint64_t off)
{
	struct ctx *c = arg;
	struct irt_hunt *h = c->h;
	const struct irt_ioc *ioc = &h->iocs.v[i];
	struct irt_hunt_hit hit;
	struct irt_buf title = IRT_BUF_INIT;
	const char *tags[1];
	size_t k;
	int rc;

	/* one hit per IOC per event or record, on its first match */
	for (k = 0; k < c->nseen; k++)
		if (c->seen[k] == i)
			return 0;
	if (c->nseen < sizeof c->seen / sizeof c->seen[0])
		c->seen[c->nseen++] = i;
	memset(&hit, 0, sizeof hit);
	hit.kind = "ioc";
	hit.rule_id = ioc->id[0] ? ioc->id : ioc->value;
	irt_buf_printf(
	    &title, "%s %s", irt_ioc_type_name(ioc->type), ioc->value);
	hit.title = irt_buf_cstr(&title);
	tags[0] = irt_ioc_type_name(ioc->type);
	hit.tags = tags;
	hit.ntags = 1;
	hit.level = NULL;
	hit.host = h->cur_host;
	hit.source = h->cur_source;
	hit.field = c->field;
	hit.match = match;
	hit.match_len = len;
	if (c->ev != NULL) {
		size_t fl;
		const char *file = irt_tl_event_file(c->ev);
		hit.host = irt_tl_event_host(c->ev) ? irt_tl_event_host(c->ev)
		                                    : h->cur_host;
		hit.source = irt_tl_event_source(c->ev);
		hit.location = file;
		hit.line = irt_tl_event_line(c->ev);
		hit.has_time = true;
		hit.time = irt_tl_event_time(c->ev);
		hit.event = c->ev;
		if (c->ej.len == 0) {
			irt_tl_event_write(&c->ej, c->ev, IRT_TL_JSONL);
			irt_tl_event_write(
			    &c->ets, c->ev, IRT_TL_TIMESKETCH_JSONL);
			strip_nl(&c->ej);
			strip_nl(&c->ets);
		}
		hit.event_json = c->ej.len ? c->ej.ptr : NULL;
		hit.event_ts = c->ets.len ? c->ets.ptr : NULL;
		(void)fl;
	} else {
		hit.location = c->location;
		hit.line = c->line;
		hit.has_time = c->has_time;
		hit.time = c->time;
		hit.has_offset = c->has_offset;
		hit.offset = off;
		if (c->f != NULL && c->f->host != NULL)
			hit.host = c->f->host;
	}
	rc = hunt_hit(h, &hit);
	irt_buf_release(&title);
	return rc;
}

static void
ctx_init(struct ctx *c, struct irt_hunt *h)
{
	memset(c, 0, sizeof *c);
	c->h = h;
}

static void
ctx_release(struct ctx *c)
{
	irt_buf_release(&c->ej);
	irt_buf_release(&c->ets);
}

/* ---- events ---- */

static int
ioc_event(struct irt_hunt *h, void *self, const struct irt_tl_event *ev)
{
	struct ioc_matcher *m = self;
	struct ctx c;
	const char *s, *name;
	size_t n, i, nf;
	int rc = 0;

	ctx_init(&c, h);
	c.ev = ev;
	s = irt_tl_event_message(ev, &n);
	c.field = "message";
	if (n > 0)
		rc = ioc_scan_text(m, s, n, on_match, &c);
	s = irt_tl_event_path(ev, &n);
	if (rc == 0 && n > 0) {
		c.field = "path";
		rc = ioc_match_path(m, s, n, on_match, &c);
		if (rc == 0)
			rc = ioc_scan_text(m, s, n, on_match, &c);
	}
	nf = irt_tl_event_nfields(ev);
	for (i = 0; rc == 0 && i < nf; i++) {
		name = irt_tl_event_field_at(ev, i, &s, &n);
		if (name == NULL || n == 0)
			continue;
		c.field = name;
		if (strcmp(name, "md5") == 0) {
			rc = ioc_match_hash(m, s, n, on_match, &c);
			continue;
		}
		if (strcmp(name, "user") == 0)
			rc = ioc_match_user(m, s, n, on_match, &c);
		else if (strcmp(name, "exe") == 0)
			rc = ioc_match_path(m, s, n, on_match, &c);
		if (rc == 0)
			rc = ioc_scan_text(m, s, n, on_match, &c);
	}
	ctx_release(&c);
	return rc;
}

/* ---- file contents ---- */

struct ioc_file {
	struct ioc_matcher *m;
	struct ioc_stream st;
	struct ctx c;
};

static int
ioc_file_begin(
    struct irt_hunt *h, void *self, const struct hunt_file *f, bool *wants)
{
	struct ioc_file *x = self;

	*wants = h->o.content && f->content && ioc_matcher_has_literals(x->m);
	if (*wants) {
		ioc_stream_release(&x->st);
		ioc_stream_init(&x->st);
		ctx_init(&x->c, h);
		x->c.f = f;
		x->c.field = "content";
		x->c.location = f->location;
		x->c.has_offset = true;
		x->c.has_time = f->mtime != 0;
		x->c.time = f->mtime;
	}
	return 0;
}

static int
ioc_file_data(struct irt_hunt *h, void *self, const struct hunt_file *f,
    const void *d, size_t n)
{
	struct ioc_file *x = self;

	(void)h;
	(void)f;
	if (n == 0)
		return 0;
	return ioc_stream_scan(x->m, &x->st, d, n, on_match, &x->c);
}

static int
ioc_file_end(struct irt_hunt *h, void *self, const struct hunt_file *f)
{
	struct ioc_file *x = self;
	int rc;

	(void)h;
	(void)f;
	rc = ioc_stream_scan(x->m, &x->st, NULL, 0, on_match, &x->c);
	ioc_stream_release(&x->st);
	ctx_release(&x->c);
	return rc;
}

static int
ioc_event_op(struct irt_hunt *h, void *self, const struct irt_tl_event *ev)
{
	struct ioc_matcher *m = ((struct ioc_file *)self)->m;
	uint64_t cut = ioc_matcher_re_cut(m);
	int rc = ioc_event(h, m, ev);

	/* once: a catastrophic regex would repeat it on every event */
	if (cut == 0 && ioc_matcher_re_cut(m) > 0)
		hunt_warn(h,
		    "%s: a regex IOC was cut off by PCRE2's match limits "
		    "and counted as no match",
		    h->cur_source != NULL ? irt_esc(h->cur_source) : "event");
	return rc;
}

static void
ioc_free(void *self)
{
	struct ioc_file *x = self;

	ioc_stream_release(&x->st);
	ctx_release(&x->c);
	ioc_matcher_free(x->m);
	free(x);
}

static const struct hunt_matcher_ops ioc_ops = {
	.name = "ioc",
	.event = ioc_event_op,
	.file_begin = ioc_file_begin,
	.file_data = ioc_file_data,
	.file_end = ioc_file_end,
	.free = ioc_free,
	.decoded = true,
};

int
hunt_ioc_matcher(struct irt_hunt *h)
{
	struct ioc_file *x;
	int rc;

	if ((x = calloc(1, sizeof *x)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if ((rc = ioc_matcher_new(&x->m, &h->iocs)) != 0) {
		free(x);
		return rc;
	}
	ioc_stream_init(&x->st);
	h->im = x->m;
	return hunt_add_matcher(h, &ioc_ops, x);
}

/* ---- records of a collection ---- */

static const char *
str_of(json_object *o, const char *key, size_t *len)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

static void
rec_ctx(struct ctx *c, struct irt_hunt *h, const struct hunt_file *f,
    uint64_t lineno)
{
	ctx_init(c, h);
	c->f = f;
	c->location = f->location;
	c->line = lineno;
}

static void
rec_time(struct ctx *c, json_object *o, const char *key)
{
	size_t n;
	const char *t = str_of(o, key, &n);
	irt_ns v;

	if (t != NULL && irt_time_parse(&v, t) == 0) {
		c->has_time = true;
		c->time = v;
	}
}

int
hunt_ioc_manifest_line(struct irt_hunt *h, const char *line, size_t n,
    const struct hunt_file *f, uint64_t lineno)
{
	static const char *const algs[] = { "sha256", "sha1", "md5" };
	struct ioc_matcher *m = h->im;
	json_object *o;
	struct ctx c;
	const char *s;
	size_t k, len;
	int rc = 0;

	h->st.records++;
	if ((o = irt_json_object(line, n)) == NULL) {
		hunt_warn(h, "%s:%s:%llu: not a JSON object",
		    irt_esc(h->cur_source), irt_esc(f->location),
		    (unsigned long long)lineno);
		return 0;
	}
	rec_ctx(&c, h, f, lineno);
	rec_time(&c, o, "mtime");
	if ((s = str_of(o, "path", &len)) != NULL) {
		c.field = "path";
		rc = ioc_match_path(m, s, len, on_match, &c);
	}
	for (k = 0; rc == 0 && k < 3; k++)
		if ((s = str_of(o, algs[k], &len)) != NULL) {
			c.field = algs[k];
			rc = ioc_match_hash(m, s, len, on_match, &c);
		}
	ctx_release(&c);
	json_object_put(o);
	return rc;
}

int
hunt_ioc_process_line(struct irt_hunt *h, const char *line, size_t n,
    const struct hunt_file *f, uint64_t lineno)
{
	struct ioc_matcher *m = h->im;
	json_object *o, *cmd;
	struct ctx c;
	const char *s;
	size_t len;
	int rc = 0;

	h->st.records++;
	if ((o = irt_json_object(line, n)) == NULL)
		return 0;
	rec_ctx(&c, h, f, lineno);
	rec_time(&c, o, "start");
	if ((s = str_of(o, "exe", &len)) != NULL) {
		c.field = "exe";
		rc = ioc_match_path(m, s, len, on_match, &c);
	}
	if (rc == 0 && (s = str_of(o, "exe_sha256", &len)) != NULL) {
		c.field = "exe_sha256";
		rc = ioc_match_hash(m, s, len, on_match, &c);
	}
	if (rc == 0 && json_object_object_get_ex(o, "cmdline", &cmd) &&
	    json_object_is_type(cmd, json_type_array)) {
		struct irt_buf b = IRT_BUF_INIT;
		size_t i;
		for (i = 0; i < json_object_array_length(cmd); i++) {
			json_object *a = json_object_array_get_idx(cmd, i);
			if (!json_object_is_type(a, json_type_string))
				continue;
			if (i > 0)
				irt_buf_putc(&b, ' ');
			irt_buf_put(&b, json_object_get_string(a),
			    (size_t)json_object_get_string_len(a));
		}
		c.field = "cmdline";
		if (b.len > 0)
			rc = ioc_scan_text(m, b.ptr, b.len, on_match, &c);
		irt_buf_release(&b);
	}
	if (rc == 0 && (s = str_of(o, "comm", &len)) != NULL) {
		c.field = "comm";
		rc = ioc_scan_text(m, s, len, on_match, &c);
	}
	ctx_release(&c);
	json_object_put(o);
	return rc;
}

int
hunt_ioc_socket_line(struct irt_hunt *h, const char *line, size_t n,
    const struct hunt_file *f, uint64_t lineno)
{
	static const char *const keys[] = { "remote", "local" };
	struct ioc_matcher *m = h->im;
	json_object *o;
	struct ctx c;
	const char *s;
	size_t k, len;
	int rc = 0;

	h->st.records++;
	if ((o = irt_json_object(line, n)) == NULL)
		return 0;
	rec_ctx(&c, h, f, lineno);
	for (k = 0; rc == 0 && k < 2; k++)
		if ((s = str_of(o, keys[k], &len)) != NULL) {
			c.field = keys[k];
			rc = ioc_match_ip(m, s, len, on_match, &c);
		}
	ctx_release(&c);
	json_object_put(o);
	return rc;
}

int
hunt_ioc_text_line(struct irt_hunt *h, const char *line, size_t n,
    const struct hunt_file *f, uint64_t lineno)
{
	struct ctx c;
	int rc;

	h->st.records++;
	rec_ctx(&c, h, f, lineno);
	c.field = "text";
	rc = ioc_scan_text(h->im, line, n, on_match, &c);
	ctx_release(&c);
	return rc;
}
