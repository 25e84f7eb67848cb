/*
 * The timeline as the hunt reads it: events handed over as they are
 * parsed (irt_tl_opts.each, nothing stored), and the logs of an
 * evidence archive read as members of the hunt's own single pass over
 * it, through the timeline's stream and parser internals.
 *
 * A log file is read and parsed on a thread of its own while this one
 * matches: the reader copies events (and its warnings) into batches of
 * a bounded queue, and the matchers get them here in the order they
 * were read, with every hit and warning reported from this thread as
 * without the reader thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "hunt-int.h"
#include "timeline/tl-internal.h"

static int
each(const struct irt_tl_event *ev, void *arg)
{
	return hunt_event(arg, ev);
}

static void
warn(const char *msg, void *arg)
{
	hunt_warn(arg, "%s", msg);
}

int
hunt_tl_new(struct irt_hunt *h, struct irt_tl **out)
{
	struct irt_tl_opts o;

	memset(&o, 0, sizeof o);
	o.each = each;
	o.each_arg = h;
	o.no_store = true;
	o.warn = warn;
	o.arg = h;
	o.cancel = h->o.cancel;
	return irt_tl_new(out, &o);
}

int
hunt_tl_archive_new(struct irt_hunt *h, struct irt_tl **out)
{
	int rc;

	if ((rc = hunt_tl_new(h, out)) == 0)
		tl_archive_begin(*out);
	return rc;
}

/* As the timeline's archive reader: irt/bodyfile, live/statpass.body,
 * and logs under fs/ found by their path (and under /var/log by their
 * first bytes); -1 when the member is none of them.  irt's live data
 * under live/ (processes, sockets, packages), which the timeline reads
 * too, hunt reads as tables (hunt-archive.c). */
int
hunt_tl_member_kind(const char *member, const char *head, size_t n)
{
	int k = tl_archive_member_kind(member, head, n);

	return k >= 0 && (tl_sources[k]->flags & TL_SRC_LIVE) ? -1 : k;
}

struct tee {
	struct archive *a;
	struct irt_hunt *h;
	const struct hunt_file *f;
	bool failed;
};

/* Reads the member and hands the same bytes to the file matchers. */
static ssize_t
tee_read(struct tl_stream *s, void *buf, size_t n)
{
	struct tee *t = s->ctx;
	la_ssize_t k;

	if (t->failed)
		return 0;
	k = archive_read_data(t->a, buf, n);
	if (k < 0) {
		t->failed = true;
		return irt_error_set(IRT_EPARSE, "%s",
		    archive_error_string(t->a) ? archive_error_string(t->a)
		                               : "archive read error");
	}
	if (k > 0 && hunt_file_data(t->h, t->f, buf, (size_t)k, false) != 0)
		return -1;
	return k;
}

int
hunt_tl_member(struct irt_hunt *h, struct irt_tl *tl, struct archive *a,
    int kind, const char *head, size_t n, const struct hunt_file *f)
{
	struct tl_stream s;
	struct tee t = { a, h, f, false };
	char *lab = NULL, *wname = NULL;
	const char *file;
	int rc;

	/* the first bytes, read to tell the kind, go to the file matchers
	 * (YARA) before the rest that tee_read hands them */
	if (n > 0 && (rc = hunt_file_data(h, f, head, n, false)) != 0)
		return rc;
	memset(&s, 0, sizeof s);
	s.fd = -1;
	s.path = f->location;
	s.ctx = &t;
	s.read = tee_read;
	if (n > 0) {
		if ((s.back = malloc(n)) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		memcpy(s.back, head, n);
		s.back_len = n;
	}
	file = f->path != NULL ? f->path : f->location;
	if (asprintf(&lab, "%s:%s", f->source, f->location) < 0 ||
	    asprintf(&wname, "%s:%s", f->source, f->location) < 0) {
		free(lab);
		free(s.back);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	rc = tl_read_stream(tl, kind, &s, lab, file, wname, f->host, f->mtime);
	tl_stream_close(&s);
	free(lab);
	free(wname);
	if (rc == 0 && t.failed)
		hunt_warn(h, "%s: archive damaged in '%s'", irt_esc(f->source),
		    irt_esc(f->location));
	return rc == 0 ? (t.failed ? 2 : 1) : rc;
}

/* ---- a log file read on a thread of its own ---- */

#define PIPE_BATCHES 4
#define PIPE_BATCH_BYTES (256u << 10)
#define PIPE_BATCH_ITEMS 1024

/* An event (off of its copy in mem) or a warning (NUL-ended at off). */
struct pipe_item {
	size_t off;
	bool warn;
};

struct pipe_batch {
	char *mem;
	size_t len, cap;
	struct pipe_item *items;
	size_t n;
	struct pipe_batch *next;
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pipe_batch b[PIPE_BATCHES];
	struct pipe_batch *full, **full_tail, *free_list;
	struct pipe_batch *cur; /* being filled by the reader */
	bool done, stop;
	int rc;         /* the reader's */
	char err[1024]; /* its error message */
	/* the reader's timeline and what it reads */
	struct irt_tl *tl;
	const char *spec, *host;
	volatile int *cancel;
};

static void
pipe_push(struct pipe *q, struct pipe_batch *b)
{
	b->next = NULL;
	*q->full_tail = b;
	q->full_tail = &b->next;
	pthread_cond_broadcast(&q->cv);
}

/* The batch being filled, handed over when full: NULL when the
 * matching thread stopped. */
static struct pipe_batch *
pipe_room(struct pipe *q, size_t need)
{
	struct pipe_batch *b = q->cur;

	if (b != NULL && b->n < PIPE_BATCH_ITEMS &&
	    (b->len + need <= b->cap || b->n == 0)) {
		if (b->len + need > b->cap) {
			/* one event larger than a batch (a long line) */
			char *m = realloc(b->mem, b->len + need);
			if (m == NULL)
				return NULL;
			b->mem = m;
			b->cap = b->len + need;
		}
		return b;
	}
	pthread_mutex_lock(&q->mu);
	if (b != NULL)
		pipe_push(q, b);
	q->cur = NULL;
	while (q->free_list == NULL && !q->stop)
		pthread_cond_wait(&q->cv, &q->mu);
	if (!q->stop) {
		b = q->cur = q->free_list;
		q->free_list = b->next;
	}
	pthread_mutex_unlock(&q->mu);
	if (q->cur == NULL)
		return NULL;
	b->n = 0;
	b->len = 0;
	return pipe_room(q, need);
}

static int
pipe_each(const struct irt_tl_event *ev, void *arg)
{
	struct pipe *q = arg;
	size_t need = tl_event_copy_size(ev);
	struct pipe_batch *b;

	if ((b = pipe_room(q, need)) == NULL)
		return IRT_EABORT;
	tl_event_copy(b->mem + b->len, ev);
	b->items[b->n].off = b->len;
	b->items[b->n++].warn = false;
	b->len += need;
	return 0;
}

static void
pipe_warn(const char *msg, void *arg)
{
	struct pipe *q = arg;
	size_t n = strlen(msg) + 1;
	struct pipe_batch *b;

	n = (n + 7) & ~(size_t)7;
	if ((b = pipe_room(q, n)) == NULL)
		return;
	memcpy(b->mem + b->len, msg, strlen(msg) + 1);
	b->items[b->n].off = b->len;
	b->items[b->n++].warn = true;
	b->len += n;
}

static void *
pipe_reader(void *arg)
{
	struct pipe *q = arg;
	int rc = irt_tl_add(q->tl, q->spec, q->host);

	pthread_mutex_lock(&q->mu);
	if (rc != 0)
		snprintf(q->err, sizeof q->err, "%s", irt_error_last());
	q->rc = rc;
	if (q->cur != NULL && q->cur->n > 0)
		pipe_push(q, q->cur);
	else if (q->cur != NULL) {
		q->cur->next = q->free_list;
		q->free_list = q->cur;
	}
	q->cur = NULL;
	q->done = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Can the file be read on a thread of its own?  One regular file, one
 * source of the timeline: its list of sources, which the writer of an
 * event reads, does not change once the first event is out. */
static bool
pipe_fits(const char *spec)
{
	const char *colon = strchr(spec, ':'), *path = spec, *k = NULL;
	struct stat st;
	int kind = -1;

	if (colon != NULL && colon != spec &&
	    (kind = tl_kind_find(spec, (size_t)(colon - spec))) >= 0)
		path = colon + 1;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	if (kind < 0) {
		if ((k = irt_tl_detect(path)) == NULL)
			return false;
		kind = tl_kind_find(k, strlen(k));
	}
	return kind >= 0 && tl_sources[kind]->parse != NULL &&
	    strcmp(tl_sources[kind]->name, "archive") != 0;
}

static int
pipe_run(struct irt_hunt *h, const char *spec, const char *host)
{
	struct pipe *q;
	struct irt_tl_opts o;
	pthread_t th;
	struct pipe_batch *b;
	size_t i;
	int rc = 0, n;

	if ((q = calloc(1, sizeof *q)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	q->full_tail = &q->full;
	for (n = 0; n < PIPE_BATCHES; n++) {
		b = &q->b[n];
		b->cap = PIPE_BATCH_BYTES;
		if ((b->mem = malloc(b->cap)) == NULL ||
		    (b->items = malloc(PIPE_BATCH_ITEMS * sizeof *b->items)) ==
		        NULL) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			goto out;
		}
		b->next = q->free_list;
		q->free_list = b;
	}
	memset(&o, 0, sizeof o);
	o.each = pipe_each;
	o.each_arg = q;
	o.no_store = true;
	o.warn = pipe_warn;
	o.arg = q;
	o.cancel = h->o.cancel;
	if ((rc = irt_tl_new(&q->tl, &o)) != 0)
		goto out;
	q->spec = spec;
	q->host = host;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&th, NULL, pipe_reader, q) != 0) {
		rc = irt_error_set(IRT_ERROR, "cannot start a thread");
		goto destroy;
	}
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (q->full == NULL && !q->done)
			pthread_cond_wait(&q->cv, &q->mu);
		b = q->full;
		if (b != NULL && (q->full = b->next) == NULL)
			q->full_tail = &q->full;
		pthread_mutex_unlock(&q->mu);
		if (b == NULL)
			break;
		for (i = 0; i < b->n && rc == 0; i++) {
			const char *at = b->mem + b->items[i].off;
			if (b->items[i].warn)
				hunt_warn(h, "%s", at);
			else
				rc = hunt_event(h,
				    (const struct irt_tl_event *)(const void *)
				        at);
		}
		pthread_mutex_lock(&q->mu);
		b->next = q->free_list;
		q->free_list = b;
		if (rc != 0)
			q->stop = true; /* the reader ends at its next event */
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		if (rc != 0)
			break;
	}
	pthread_join(th, NULL);
	/* the batches the reader handed over after a failure here */
	if (rc == 0 && q->rc != 0)
		rc = irt_error_set(q->rc, "%s", q->err);
destroy:
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
out:
	irt_tl_free(q->tl);
	for (n = 0; n < PIPE_BATCHES; n++) {
		free(q->b[n].mem);
		free(q->b[n].items);
	}
	free(q);
	return rc;
}

int
hunt_tl_add(struct irt_hunt *h, const char *spec, const char *host)
{
	struct irt_tl *tl = NULL;
	int rc;

	if (pipe_fits(spec))
		return pipe_run(h, spec, host);
	if ((rc = hunt_tl_new(h, &tl)) == 0)
		rc = irt_tl_add(tl, spec, host);
	irt_tl_free(tl);
	return rc;
}
