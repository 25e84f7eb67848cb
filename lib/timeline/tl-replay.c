/*
 * Streams read twice: a parser that needs the whole of a source before
 * its first event (the year of year-less time stamps comes from the last
 * line) reads a file twice; a stream that cannot start again (an archive
 * member) is copied first, into memory up to its share, beyond it into an
 * unlinked temporary file.  And the year such a parser starts with.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/internal.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/timefmt.h"
#include "tl-internal.h"

/* The most of a copy kept in memory: COPY_MAX, and no more than an
 * eighth of --memory. */
#define COPY_MAX (32u << 20)

/* Moves the copy kept so far into an unlinked temporary file. */
static int
spill(struct tl_pctx *p, struct tl_replay *r)
{
	char *path;
	int fd, rc;

	if (asprintf(&path, "%s/irt-replay-XXXXXX", tl_tmpdir(p)) < 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if ((fd = mkstemp(path)) < 0) {
		rc = irt_error_sys(IRT_EIO, errno,
		    "cannot create a temporary file in '%s'",
		    irt_esc(tl_tmpdir(p)));
		free(path);
		return rc;
	}
	unlink(path);
	free(path);
	if (r->copy.len > 0 &&
	    irt_write_all(fd, r->copy.ptr, r->copy.len) != 0) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot write a temporary file");
		close(fd);
		return rc;
	}
	irt_buf_release(&r->copy);
	r->fd = fd;
	return 0;
}

/* Copies s to its end (up to tl_tmp_max bytes, ending at a newline). */
static int
copy_stream(struct tl_pctx *p, struct tl_replay *r, struct tl_stream *s)
{
	char buf[65536];
	size_t cap = tl_memory(p) / 8;
	uint64_t copied = 0;
	ssize_t n;
	int rc;

	if (cap > COPY_MAX)
		cap = COPY_MAX;
	while ((n = tl_read(s, buf, sizeof buf)) > 0) {
		/* a bomb must not fill the disk */
		bool over = copied + (uint64_t)n > tl_tmp_max(p);
		if (over) {
			const char *nl;
			n = (ssize_t)(tl_tmp_max(p) - copied);
			nl = memrchr(buf, '\n', (size_t)n);
			n = nl != NULL ? nl + 1 - buf : 0;
		}
		copied += (uint64_t)n;
		if (r->fd < 0 && r->copy.len + (size_t)n > cap &&
		    (rc = spill(p, r)) != 0)
			return rc;
		if (r->fd >= 0) {
			if (irt_write_all(r->fd, buf, (size_t)n) != 0)
				return irt_error_sys(IRT_EIO, errno,
				    "cannot write a temporary file");
		} else if (irt_buf_put(&r->copy, buf, (size_t)n) != 0)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		if (over)
			return tl_warn(p,
			    "larger than %llu bytes, the rest not read",
			    (unsigned long long)tl_tmp_max(p));
	}
	if (n < 0)
		return tl_warn(p, "%s", irt_error_last());
	return 0;
}

int
tl_replay_open(struct tl_pctx *p, struct tl_replay *r, struct tl_stream *s)
{
	int rc;

	memset(r, 0, sizeof *r);
	r->fd = -1;
	r->in = s;
	if (s->rewind != NULL)
		return 0;
	if ((rc = copy_stream(p, r, s)) != 0) {
		tl_replay_close(r);
		return rc;
	}
	if (r->fd >= 0) {
		tl_stream_fd(&r->mem, r->fd, p->name);
		r->fd = -1; /* the stream owns it */
		if (lseek(r->mem.fd, 0, SEEK_SET) != 0) {
			rc = irt_error_sys(
			    IRT_EIO, errno, "cannot read a temporary file");
			tl_replay_close(r);
			return rc;
		}
	} else {
		tl_stream_mem(
		    &r->mem, r->copy.ptr ? r->copy.ptr : "", r->copy.len);
		if (r->mem.ctx == NULL) {
			tl_replay_close(r);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
	}
	r->in = &r->mem;
	return 0;
}

int
tl_replay_again(struct tl_pctx *p, struct tl_replay *r)
{
	if (tl_rewind(r->in) != 0)
		return irt_error_set(
		    IRT_EIO, "cannot read '%s' again", p->name);
	return 0;
}

void
tl_replay_close(struct tl_replay *r)
{
	if (r->in == &r->mem)
		tl_stream_close(&r->mem);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->in = NULL;
	irt_buf_release(&r->copy);
}

int
tl_year_first(irt_ns mtime, int rollovers, int last_mo, int last_d)
{
	int64_t y, days = mtime / IRT_NS_PER_SEC / 86400;
	unsigned m, d;

	irt_civil_from_days(days, &y, &m, &d);
	/* the last line is not after the file's mtime (a day of slack for
	 * the zone the log was written in) */
	if (last_mo > (int)m || (last_mo == (int)m && last_d > (int)d + 1))
		y--;
	return (int)y - rollovers;
}
