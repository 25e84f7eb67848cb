/*
 * lastlog (/var/log/lastlog): x86_64 glibc's struct lastlog, 292 bytes
 * (a 32-bit time, a 32-byte line, a 256-byte host) for each uid, the
 * uid being the record's offset divided by 292.  The file is sparse: the
 * records of uids that never logged in are zeros, holes on disk, and are
 * skipped (a file's holes are not read; an archive member's are left
 * out, its offsets kept: tl_tell).
 */
#include <stdio.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

#define REC 292

static const struct tl_dtype dt_lastlog = { "linux:lastlog", "Last Login Time",
	"LOG" };
static const struct tl_dtype *const types[] = { &dt_lastlog, NULL };

enum { F_UID, F_TTY, F_HOSTNAME };

static const char *const fields[] = {
	[F_UID] = "uid",
	[F_TTY] = "tty",
	[F_HOSTNAME] = "hostname",
	NULL,
};

static bool
zeros(const unsigned char *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i] != 0)
			return false;
	return true;
}

static int
lastlog_rec(struct tl_pctx *p, const unsigned char *r, uint64_t off,
    struct irt_buf *msg)
{
	struct tl_ev e;
	int32_t sec;
	size_t nl, nh;
	irt_ns t;
	uint64_t uid = off / REC;
	int bad = 0;

	memcpy(&sec, r, 4);
	if (sec == 0)
		return 0; /* never logged in */
	if (sec < 0)
		return tl_warn(p,
		    "lastlog record of uid %llu at offset %llu: bad time %d, "
		    "skipped",
		    (unsigned long long)uid, (unsigned long long)off, (int)sec);
	if (irt_time_make(&t, sec, 0) != 0)
		return tl_warn(p,
		    "lastlog record of uid %llu at offset %llu: %s, skipped",
		    (unsigned long long)uid, (unsigned long long)off,
		    irt_error_last());
	nl = strnlen((const char *)r + 4, 32);
	nh = strnlen((const char *)r + 36, 256);
	tl_ev_init(&e, 0, t);
	tl_ev_addi(&e, F_UID, (long long)uid);
	if (nl > 0)
		tl_ev_add(&e, F_TTY, (const char *)r + 4, nl);
	if (nh > 0)
		tl_ev_add(&e, F_HOSTNAME, (const char *)r + 36, nh);
	/* Last login: uid 1000 on pts/0 from 10.0.0.5 */
	irt_buf_clear(msg);
	bad |= irt_buf_printf(
	    msg, "Last login: uid %llu", (unsigned long long)uid);
	if (nl > 0) {
		bad |= irt_buf_puts(msg, " on ");
		bad |= irt_buf_put(msg, (const char *)r + 4, nl);
	}
	if (nh > 0) {
		bad |= irt_buf_puts(msg, " from ");
		bad |= irt_buf_put(msg, (const char *)r + 36, nh);
	}
	if (bad)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	e.msg = msg->ptr;
	e.msg_len = msg->len;
	return tl_emit(p, &e);
}

static int
parse_lastlog(struct tl_pctx *p, struct tl_stream *s)
{
	struct irt_buf msg = IRT_BUF_INIT;
	unsigned char r[REC];
	uint64_t off = 0, n = 0;
	size_t got;
	ssize_t k = 0;
	int64_t at;
	int rc = 0;

	for (;;) {
		for (got = 0; got < REC; got += (size_t)k) {
			k = tl_read(s, r + got, REC - got);
			if (k <= 0)
				break;
		}
		if (k < 0) {
			rc = tl_warn(p, "%s", irt_error_last());
			break;
		}
		/* where the record was, holes counted */
		if ((at = tl_tell(s)) >= (int64_t)got)
			off = (uint64_t)at - got;
		if (got < REC) {
			if (got > 0)
				rc = tl_warn(p,
				    "%zu trailing bytes at offset %llu (not a "
				    "whole %d-byte record), ignored",
				    got, (unsigned long long)off, REC);
			break;
		}
		if (!zeros(r, REC))
			rc = lastlog_rec(p, r, off, &msg);
		else
			tl_skip_hole(s, REC);
		off += REC;
		if (rc != 0)
			break;
		if ((++n & 0xfff) == 0 && tl_cancelled(p)) {
			rc = irt_error_set(IRT_EABORT, "interrupted");
			break;
		}
	}
	irt_buf_release(&msg);
	return rc;
}

static bool
by_name(const char *name, const char *path)
{
	(void)path;
	return strcmp(name, "lastlog") == 0;
}

/*
 * Whole records, of a size that no utmp file has, whose first (root's)
 * is empty or holds a time, a line and a host that end in NULs: only
 * when nothing else fits.
 */
static int
by_content(const struct tl_head *h)
{
	const unsigned char *r = (const unsigned char *)h->data;
	int32_t sec;

	if (h->size <= 0 || h->size % REC != 0 || h->size % 384 == 0 ||
	    h->size % 400 == 0 || h->len < REC)
		return TL_NO;
	memcpy(&sec, r, 4);
	if (sec < 0 || memchr(r + 4, '\0', 32) == NULL ||
	    memchr(r + 36, '\0', 256) == NULL)
		return TL_NO;
	return TL_MAYBE;
}

const struct tl_source tl_source_lastlog = {
	.name = "lastlog",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_lastlog,
};
