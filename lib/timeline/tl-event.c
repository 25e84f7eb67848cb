/*
 * Events handed out as they are read (irt_tl_opts.each), for readers
 * that want every event once rather than a sorted timeline: irt hunt.
 */
#include <string.h>

#include "irt/timeline.h"
#include "tl-internal.h"
#include "util/internal.h"

struct irt_tl_event {
	struct tl_pctx *p;
	const struct tl_ev *e;
	const struct tl_src *src;
	irt_ns t;
	uint8_t mask;
};

int
tl_event_call(struct tl_pctx *p, const struct tl_ev *e, const int keep[4])
{
	const struct irt_tl_opts *o = tl_opts(p->tl);
	struct irt_tl_event ev;
	int i;

	memset(&ev, 0, sizeof ev);
	ev.p = p;
	ev.e = e;
	ev.src = tl_src_get(p->tl, p->src);
	for (i = 0; i < e->nt; i++) {
		if (!keep[i])
			continue;
		if (ev.mask == 0 || e->t[i] < ev.t)
			ev.t = e->t[i];
		ev.mask |= e->mask[i];
	}
	return o->each(&ev, o->each_arg);
}

irt_ns
irt_tl_event_time(const struct irt_tl_event *ev)
{
	return ev->t;
}

const char *
irt_tl_event_type(const struct irt_tl_event *ev)
{
	return ev->e->type < TL_T_MAX ? tl_type_names[ev->e->type] : "";
}

const char *
irt_tl_event_kind(const struct irt_tl_event *ev)
{
	return ev->src != NULL && ev->src->kind < TL_KIND_MAX
	    ? tl_kind_names[ev->src->kind]
	    : "";
}

const char *
irt_tl_event_source(const struct irt_tl_event *ev)
{
	return ev->src != NULL && ev->src->label != NULL ? ev->src->label : "";
}

const char *
irt_tl_event_file(const struct irt_tl_event *ev)
{
	return ev->src != NULL && ev->src->file != NULL ? ev->src->file : "";
}

const char *
irt_tl_event_host(const struct irt_tl_event *ev)
{
	return ev->src != NULL ? ev->src->host : NULL;
}

uint64_t
irt_tl_event_line(const struct irt_tl_event *ev)
{
	return ev->p->line;
}

const char *
irt_tl_event_message(const struct irt_tl_event *ev, size_t *len)
{
	*len = ev->e->msg != NULL ? ev->e->msg_len : 0;
	return *len > 0 ? ev->e->msg : "";
}

const char *
irt_tl_event_path(const struct irt_tl_event *ev, size_t *len)
{
	*len = ev->e->path != NULL ? ev->e->path_len : 0;
	return *len > 0 ? ev->e->path : "";
}

/* The binary times of file-system events are not a field. */
static bool
shown(const struct tl_field *f)
{
	return f->key != TL_K_NONE && f->key != TL_K_TIMES && f->key < TL_K_MAX;
}

size_t
irt_tl_event_nfields(const struct irt_tl_event *ev)
{
	size_t n = 0;
	int i;

	for (i = 0; i < ev->e->nf; i++)
		n += shown(&ev->e->f[i]);
	return n;
}

const char *
irt_tl_event_field_at(
    const struct irt_tl_event *ev, size_t idx, const char **value, size_t *len)
{
	int i;

	for (i = 0; i < ev->e->nf; i++) {
		if (!shown(&ev->e->f[i]))
			continue;
		if (idx-- == 0) {
			*value = ev->e->f[i].v;
			*len = ev->e->f[i].len;
			return tl_key_names[ev->e->f[i].key];
		}
	}
	*value = NULL;
	*len = 0;
	return NULL;
}

const char *
irt_tl_event_field(const struct irt_tl_event *ev, const char *name, size_t *len)
{
	int i;

	for (i = 0; i < ev->e->nf; i++)
		if (shown(&ev->e->f[i]) &&
		    strcmp(tl_key_names[ev->e->f[i].key], name) == 0) {
			*len = ev->e->f[i].len;
			return ev->e->f[i].v;
		}
	*len = 0;
	return NULL;
}

static int
gather(const char *data, size_t len, void *arg)
{
	return irt_buf_put(arg, data, len);
}

int
irt_tl_event_write(struct irt_buf *out, const struct irt_tl_event *ev,
    enum irt_tl_format format)
{
	struct irt_tl_write_opts wo;
	struct tl_writer *w;
	struct tl_rec r;
	int rc;

	memset(&wo, 0, sizeof wo);
	wo.format = format;
	memset(&r, 0, sizeof r);
	r.t = ev->t;
	r.mask = ev->mask;
	r.src = ev->p->src;
	r.type = ev->e->type;
	r.path = ev->e->path;
	r.path_len = ev->e->path_len;
	r.msg = ev->e->msg;
	r.msg_len = ev->e->msg_len;
	r.nf = ev->e->nf;
	memcpy(r.f, ev->e->f, sizeof r.f);
	if ((rc = tl_writer_new(&w, ev->p->tl, &wo, NULL, NULL)) != 0)
		return rc;
	if ((rc = tl_writer_put(w, &r)) == 0) {
		tl_writer_sync(w);
		rc = tl_writer_drain(w, gather, out);
	}
	tl_writer_free(w);
	return rc;
}
