/*
 * The timeline as the hunt reads it: events handed over as they are
 * parsed (irt_tl_opts.each, nothing stored), and the logs of an
 * evidence archive read as members of the hunt's own single pass over
 * it, through the timeline's stream and parser internals.
 */
#include <stdlib.h>
#include <string.h>

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

/* As the timeline's archive reader: irt/bodyfile, and logs under fs/
 * found by their path (and under /var/log by their first bytes). */
int
hunt_tl_member_kind(const char *member, const char *head, size_t n)
{
	const char *path;
	int k;

	if (strcmp(member, "irt/bodyfile") == 0)
		return TL_KIND_BODYFILE;
	if (strncmp(member, "fs/", 3) != 0)
		return TL_KIND_NONE;
	path = member + 2;
	k = tl_detect_name(path);
	if (k == TL_KIND_ARCHIVE || k == TL_KIND_BODYFILE)
		return TL_KIND_NONE;
	if (k != TL_KIND_NONE)
		return k;
	if (strncmp(path, "/var/log/", 9) == 0 && n > 0) {
		k = tl_detect_content(head, n);
		if (k == TL_KIND_BODYFILE || k == TL_KIND_ARCHIVE)
			return TL_KIND_NONE;
		return k;
	}
	return TL_KIND_NONE;
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
