/*
 * utmp, wtmp and btmp: 384-byte x86_64 glibc records (32-bit times) and
 * the 400-byte variant with 64-bit session and times.  A corrupt record
 * is skipped with a warning that gives its offset.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

static const struct tl_dtype dt_utmp = { "linux:utmp", "Event Time", "LOG" };
static const struct tl_dtype *const types[] = { &dt_utmp, NULL };

enum { F_UT_TYPE, F_USER, F_TTY, F_PID, F_HOSTNAME, F_SRC_IP };

static const char *const fields[] = {
	[F_UT_TYPE] = "ut_type",
	[F_USER] = "user",
	[F_TTY] = "tty",
	[F_PID] = "pid",
	[F_HOSTNAME] = "hostname",
	[F_SRC_IP] = "src_ip",
	NULL,
};

static const char *const ut_types[] = { "EMPTY", "RUN_LVL", "BOOT_TIME",
	"NEW_TIME", "OLD_TIME", "INIT_PROCESS", "LOGIN_PROCESS", "USER_PROCESS",
	"DEAD_PROCESS", "ACCOUNTING" };

struct layout {
	size_t size, tv_sec, tv_usec, addr;
	int wide; /* 64-bit time fields */
};

static const struct layout l384 = { 384, 340, 344, 348, 0 };
static const struct layout l400 = { 400, 344, 352, 360, 1 };

static int32_t
i32(const unsigned char *p)
{
	int32_t v;

	memcpy(&v, p, 4);
	return v;
}

static int64_t
i64(const unsigned char *p)
{
	int64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Is the record plausible?  0 and its time; 1: corrupt; 2: a time irt
 * cannot hold (with a message). */
static int
rec_ok(const unsigned char *r, const struct layout *l, irt_ns *t)
{
	int16_t type;
	int64_t sec, usec;

	memcpy(&type, r, 2);
	if (type < 0 || type > 9)
		return 1;
	if (l->wide) {
		sec = i64(r + l->tv_sec);
		usec = i64(r + l->tv_usec);
	} else {
		sec = i32(r + l->tv_sec);
		usec = i32(r + l->tv_usec);
	}
	if (usec < 0 || usec >= 1000000 || sec < 0)
		return 1;
	return irt_time_make(t, sec, (long)usec * 1000) == 0 ? 0 : 2;
}

static size_t
score(const unsigned char *d, size_t len, const struct layout *l)
{
	size_t off, n = 0;
	irt_ns t;

	for (off = 0; off + l->size <= len && off < 64 * l->size;
	     off += l->size)
		n += rec_ok(d + off, l, &t) == 0;
	return n;
}

static void
field(struct tl_ev *e, unsigned k, const unsigned char *p, size_t max)
{
	size_t n = strnlen((const char *)p, max);

	if (n > 0)
		tl_ev_add(e, k, (const char *)p, n);
}

static int
utmp_rec(struct tl_pctx *p, const unsigned char *r, const struct layout *l,
    uint64_t off, struct irt_buf *msg)
{
	struct tl_ev e;
	irt_ns t;
	int16_t type;
	int32_t pid;
	char ip[INET6_ADDRSTRLEN] = "";
	const unsigned char *a = r + l->addr;
	size_t i;
	int ok;

	if ((ok = rec_ok(r, l, &t)) == 1)
		return tl_warn(p, "corrupt utmp record at offset %llu, skipped",
		    (unsigned long long)off);
	if (ok != 0)
		return tl_warn(p, "utmp record at offset %llu: %s, skipped",
		    (unsigned long long)off, irt_error_last());
	memcpy(&type, r, 2);
	if (type == 0)
		return 0; /* an empty slot */
	pid = i32(r + 4);
	tl_ev_init(&e, 0, t);
	tl_ev_adds(&e, F_UT_TYPE, ut_types[type]);
	field(&e, F_USER, r + 44, 32);
	field(&e, F_TTY, r + 8, 32);
	if (pid != 0)
		tl_ev_addi(&e, F_PID, pid);
	field(&e, F_HOSTNAME, r + 76, 256);
	if (i32(a + 4) == 0 && i32(a + 8) == 0 && i32(a + 12) == 0) {
		if (i32(a) != 0)
			inet_ntop(AF_INET, a, ip, sizeof ip);
	} else
		inet_ntop(AF_INET6, a, ip, sizeof ip);
	if (ip[0])
		tl_ev_adds(&e, F_SRC_IP, ip);
	irt_buf_clear(msg);
	irt_buf_puts(msg, ut_types[type]);
	for (i = 1; i < (size_t)e.nf; i++) {
		irt_buf_printf(msg, " %s=", fields[e.f[i].key]);
		irt_buf_put(msg, e.f[i].v, e.f[i].len);
	}
	e.msg = msg->ptr;
	e.msg_len = msg->len;
	return tl_emit(p, &e);
}

/* The records that decide the layout; then records are read one by one,
 * so a file of any size takes this much memory. */
#define SNIFF (64 * 400)

/* Reads up to n bytes; at the end of the stream or at an error (with a
 * warning; *rc set when strict) sets *eof. */
static size_t
fill(struct tl_pctx *p, struct tl_stream *s, unsigned char *buf, size_t n,
    bool *eof, int *rc)
{
	size_t got = 0;
	ssize_t k;

	while (got < n && !*eof) {
		k = tl_read(s, buf + got, n - got);
		if (k <= 0) {
			*eof = true;
			if (k < 0)
				*rc = tl_warn(p, "%s", irt_error_last());
			break;
		}
		got += (size_t)k;
	}
	return got;
}

static int
parse_utmp(struct tl_pctx *p, struct tl_stream *s)
{
	struct irt_buf msg = IRT_BUF_INIT;
	const struct layout *l;
	unsigned char *buf;
	size_t len, off, s384, s400;
	uint64_t base = 0;
	int64_t size;
	bool eof = false;
	int rc = 0;

	if ((buf = malloc(SNIFF)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	len = fill(p, s, buf, SNIFF, &eof, &rc);
	if (rc != 0 || len == 0)
		goto out;
	/* the size of the whole, when it is known */
	size = eof ? (int64_t)len : s->size;
	s384 = score(buf, len, &l384);
	s400 = score(buf, len, &l400);
	if (size >= 0 && size % 384 == 0 && size % 400 != 0)
		l = &l384;
	else if (size >= 0 && size % 400 == 0 && size % 384 != 0)
		l = &l400;
	else
		l = s400 > s384 ? &l400 : &l384;
	for (;;) {
		for (off = 0; off + l->size <= len; off += l->size) {
			rc = utmp_rec(p, buf + off, l, base + off, &msg);
			if (rc != 0)
				goto out;
		}
		/* the part of a record left, then more */
		memmove(buf, buf + off, len - off);
		base += off;
		len -= off;
		if (eof)
			break;
		len += fill(p, s, buf + len, SNIFF - len, &eof, &rc);
		if (rc != 0)
			goto out;
		if (tl_cancelled(p)) {
			rc = irt_error_set(IRT_EABORT, "interrupted");
			goto out;
		}
	}
	if (len > 0)
		rc = tl_warn(p,
		    "%zu trailing bytes at offset %llu (not a whole %zu-byte "
		    "record), ignored",
		    len, (unsigned long long)base, l->size);
out:
	free(buf);
	irt_buf_release(&msg);
	return rc;
}

static bool
by_name(const char *name, const char *path)
{
	(void)path;
	return strcmp(name, "wtmp") == 0 || strcmp(name, "btmp") == 0 ||
	    strcmp(name, "utmp") == 0 || strcmp(name, "wtmpx") == 0;
}

/* whole records whose type field is small: only when nothing else fits */
static int
by_content(const struct tl_head *h)
{
	int32_t type;

	if (h->size <= 0 || (h->size % 384 != 0 && h->size % 400 != 0) ||
	    h->len < 4)
		return TL_NO;
	memcpy(&type, h->data, 4);
	return type >= 0 && type <= 9 ? TL_MAYBE : TL_NO;
}

static const char *const aliases[] = { "wtmp", "btmp", NULL };

const struct tl_source tl_source_utmp = {
	.name = "utmp",
	.aliases = aliases,
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_utmp,
};
