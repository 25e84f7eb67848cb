/*
 * Events handed out as they are read (irt_tl_opts.each), for readers
 * that want every event once rather than a sorted timeline: irt hunt.
 */
#include <string.h>

#include "irt/timeline.h"
#include "tl-internal.h"
#include "util/internal.h"
#include "irt/error.h"

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

/* A copy of an event: the event, its parser's context and source as they
 * were, and the parts of its record that are read; then its bytes. */
struct tl_evcopy {
	struct irt_tl_event ev;
	struct tl_pctx p;
	struct tl_src src;
	struct tl_ev e;
};

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

size_t
tl_event_copy_size(const struct irt_tl_event *ev)
{
	const struct tl_ev *e = ev->e;
	size_t n = ALIGN8(sizeof(struct tl_evcopy)), i;

	if (e->times != NULL)
		n += 4 * sizeof(irt_ns);
	n += e->msg_len + e->path_len + 2;
	for (i = 0; i < (size_t)e->nf; i++)
		n += e->f[i].len + 1;
	return ALIGN8(n);
}

static const char *
copy_bytes(char **at, const char *s, size_t len)
{
	char *d = *at;

	if (len > 0)
		memcpy(d, s, len);
	d[len] = '\0';
	*at = d + len + 1;
	return d;
}

const struct irt_tl_event *
tl_event_copy(void *mem, const struct irt_tl_event *ev)
{
	struct tl_evcopy *c = mem;
	const struct tl_ev *e = ev->e;
	char *at = (char *)mem + ALIGN8(sizeof *c);
	int i;

	c->p = *ev->p;
	if (ev->src != NULL)
		c->src = *ev->src;
	/* not the whole record: its storage of numbers is not read */
	memcpy(c->e.t, e->t, sizeof e->t);
	memcpy(c->e.mask, e->mask, sizeof e->mask);
	c->e.nt = e->nt;
	c->e.type = e->type;
	c->e.nnum = 0;
	c->e.times = NULL;
	if (e->times != NULL) {
		memcpy(at, e->times, 4 * sizeof(irt_ns));
		c->e.times = (const irt_ns *)(void *)at;
		at += 4 * sizeof(irt_ns);
	}
	c->e.msg_len = e->msg != NULL ? e->msg_len : 0;
	c->e.msg =
	    e->msg != NULL ? copy_bytes(&at, e->msg, c->e.msg_len) : NULL;
	c->e.path_len = e->path != NULL ? e->path_len : 0;
	c->e.path =
	    e->path != NULL ? copy_bytes(&at, e->path, c->e.path_len) : NULL;
	c->e.nf = e->nf;
	for (i = 0; i < e->nf; i++) {
		c->e.f[i].key = e->f[i].key;
		c->e.f[i].len = e->f[i].len;
		c->e.f[i].v = copy_bytes(&at, e->f[i].v, e->f[i].len);
	}
	c->ev = *ev;
	c->ev.p = &c->p;
	c->ev.e = &c->e;
	c->ev.src = ev->src != NULL ? &c->src : NULL;
	return &c->ev;
}

irt_ns
irt_tl_event_time(const struct irt_tl_event *ev)
{
	return ev->t;
}

const char *
irt_tl_event_type(const struct irt_tl_event *ev)
{
	return ev->e->type < tl_ntypes(ev->p->kind)
	    ? tl_sources[ev->p->kind]->types[ev->e->type]->name
	    : "";
}

const char *
irt_tl_event_kind(const struct irt_tl_event *ev)
{
	return ev->p->kind >= 0 ? tl_sources[ev->p->kind]->name : "";
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

/* The name of a field of the event (its key is an index in its kind's
 * list), NULL when there is none. */
static const char *
field_name(const struct irt_tl_event *ev, const struct tl_field *f)
{
	const char *const *names = tl_sources[ev->p->kind]->fields;
	unsigned k;

	for (k = 0; names != NULL && names[k] != NULL; k++)
		if (k == f->key)
			return names[k];
	return NULL;
}

static bool
shown(const struct irt_tl_event *ev, const struct tl_field *f)
{
	return field_name(ev, f) != NULL;
}

size_t
irt_tl_event_nfields(const struct irt_tl_event *ev)
{
	size_t n = 0;
	int i;

	for (i = 0; i < ev->e->nf; i++)
		n += shown(ev, &ev->e->f[i]);
	return n;
}

const char *
irt_tl_event_field_at(
    const struct irt_tl_event *ev, size_t idx, const char **value, size_t *len)
{
	int i;

	for (i = 0; i < ev->e->nf; i++) {
		if (!shown(ev, &ev->e->f[i]))
			continue;
		if (idx-- == 0) {
			*value = ev->e->f[i].v;
			*len = ev->e->f[i].len;
			return field_name(ev, &ev->e->f[i]);
		}
	}
	*value = NULL;
	*len = 0;
	return NULL;
}

const char *
irt_tl_event_field(const struct irt_tl_event *ev, const char *name, size_t *len)
{
	const char *const *names = tl_sources[ev->p->kind]->fields;
	unsigned nn = 0;
	int i;

	/* the names of the kind counted once, not for each field */
	while (names != NULL && names[nn] != NULL)
		nn++;
	for (i = 0; i < ev->e->nf; i++)
		if (ev->e->f[i].key < nn &&
		    names[ev->e->f[i].key][0] == name[0] &&
		    strcmp(names[ev->e->f[i].key], name) == 0) {
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
	int rc, i;

	if (ev->e->type >= tl_ntypes(ev->p->kind))
		return irt_error_set(IRT_ERROR, "corrupt event record");
	memset(&wo, 0, sizeof wo);
	wo.format = format;
	memset(&r, 0, sizeof r);
	r.t = ev->t;
	r.mask = ev->mask;
	r.src = ev->p->src;
	r.dt = tl_sources[ev->p->kind]->types[ev->e->type];
	r.path = ev->e->path;
	r.path_len = ev->e->path_len;
	r.msg = ev->e->msg;
	r.msg_len = ev->e->msg_len;
	/* stored events name fields by global ids, and hold the times of
	 * file-system events as one */
	for (i = 0; i < ev->e->nf && r.nf < TL_MAXF; i++) {
		r.f[r.nf] = ev->e->f[i];
		r.f[r.nf++].key = ev->p->keymap[ev->e->f[i].key];
	}
	if (ev->e->times != NULL && r.nf < TL_MAXF) {
		r.f[r.nf].key = TL_K_TIMES;
		r.f[r.nf].v = (const char *)ev->e->times;
		r.f[r.nf++].len = 4 * sizeof(irt_ns);
	}
	if ((rc = tl_writer_new(&w, ev->p->tl, &wo, NULL, NULL)) != 0)
		return rc;
	if ((rc = tl_writer_put(w, &r)) == 0) {
		tl_writer_sync(w);
		rc = tl_writer_drain(w, gather, out);
	}
	tl_writer_free(w);
	return rc;
}
