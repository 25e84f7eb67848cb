/*
 * The timeline builder: sources, compact event storage in an arena,
 * in-place sort, spilling of sorted runs beyond the memory budget and
 * the k-way merge that feeds the writers.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/internal.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/timeline.h"
#include "tl-internal.h"

#define CHUNK_SIZE (4u << 20)
#define RUN_BUF (256u << 10)

/* An event in the sort index: its time and a reference into the arena,
 * chunk << 40 | offset << 8 | macb mask. */
struct tl_item {
	int64_t t;
	uint64_t ref;
};

/* A copy of an event's payload, for sorting a group of equal times in
 * a buffer that fits the caches. */
struct gkey {
	uint64_t pre;     /* 8 path bytes after the group's common prefix */
	const uint8_t *p; /* the payload */
	uint32_t len;
	uint16_t src;
	bool end; /* the path ends within pre */
	struct tl_item it;
};

struct chunk {
	uint8_t *p;
	size_t len, cap;
};

struct run {
	FILE *fp;
	uint8_t *buf; /* the current record's payload */
	size_t cap;
	int64_t t;
	uint8_t mask;
	size_t len;
	bool done;
};

struct irt_tl {
	struct irt_tl_opts o;
	regex_t re;
	bool has_re;
	struct tl_src *srcs;
	unsigned nsrcs, capsrcs;
	struct chunk *chunks;
	size_t nchunks, capchunks, curchunk;
	struct tl_item *items;
	size_t nitems, capitems;
	size_t live;   /* arena bytes used since the last spill */
	size_t budget; /* for arena and index */
	struct run *runs;
	unsigned nruns;
	struct irt_tl_stats st;
	uint64_t sort_work; /* elements the sorts went through */
	uint64_t dropped;   /* rows the format's reader drops */
	bool written;
	struct irt_buf scratch;
	/* the bodyfiles of the archive being read */
	struct tl_fs_seen fs_seen;
	unsigned fs_bodyfiles;
	bool in_archive;
	struct tl_starts *starts; /* of processes, for sockets */
};

/* ---- varints and encoding ---- */

static inline size_t
put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static inline const uint8_t *
get_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;
	unsigned shift = 0;

	*v = 0;
	while (p < end && shift < 64) {
		r |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80)) {
			*v = r;
			return p;
		}
		shift += 7;
	}
	return NULL;
}

static inline size_t
varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/*
 * Payload: varint total length of the rest, u16 src, u8 type, u8 nf,
 * varint path length, path, varint message length, message, then nf
 * times (u8 key, varint length, bytes).
 */
#define TIMES_LEN (4 * sizeof(irt_ns))

static size_t
payload_size(const struct tl_ev *e, size_t *body)
{
	size_t n = 4, i;

	n += varint_len(e->path_len) + e->path_len;
	n += varint_len(e->msg_len) + e->msg_len;
	for (i = 0; i < (size_t)e->nf; i++)
		n += 1 + varint_len(e->f[i].len) + e->f[i].len;
	if (e->times != NULL)
		n += 1 + varint_len(TIMES_LEN) + TIMES_LEN;
	*body = n;
	return n + varint_len(n);
}

/* The fields' keys go from the kind's indexes to global ids (keymap). */
static void
payload_write(uint8_t *p, const struct tl_ev *e, uint16_t src,
    const uint8_t *keymap, size_t body)
{
	int i;

	p += put_varint(p, body);
	*p++ = (uint8_t)(src & 0xff);
	*p++ = (uint8_t)(src >> 8);
	*p++ = e->type;
	*p++ = (uint8_t)(e->nf + (e->times != NULL));
	p += put_varint(p, e->path_len);
	if (e->path_len)
		memcpy(p, e->path, e->path_len);
	p += e->path_len;
	p += put_varint(p, e->msg_len);
	if (e->msg_len)
		memcpy(p, e->msg, e->msg_len);
	p += e->msg_len;
	for (i = 0; i < e->nf; i++) {
		*p++ = keymap[e->f[i].key];
		p += put_varint(p, e->f[i].len);
		if (e->f[i].len)
			memcpy(p, e->f[i].v, e->f[i].len);
		p += e->f[i].len;
	}
	if (e->times != NULL) {
		*p++ = TL_K_TIMES;
		p += put_varint(p, TIMES_LEN);
		memcpy(p, e->times, TIMES_LEN);
	}
}

/* The payload bytes (after the length) of a stored event. */
static inline const uint8_t *
payload_at(const struct irt_tl *tl, uint64_t ref, size_t *len)
{
	const uint8_t *p = tl->chunks[ref >> 40].p + ((ref >> 8) & 0xffffffff);
	uint64_t n;

	p = get_varint(p, p + 10, &n);
	*len = (size_t)n;
	return p;
}

/* An event for the writers: its source and type must exist. */
static int
payload_decode(
    const struct irt_tl *tl, struct tl_rec *r, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	uint64_t n;
	int i, nf, kind;

	if (len < 4)
		return -1;
	r->src = (uint16_t)(p[0] | p[1] << 8);
	if (r->src >= tl->nsrcs)
		return -1;
	kind = tl->srcs[r->src].kind;
	if (p[2] >= tl_ntypes(kind))
		return -1;
	r->dt = tl_sources[kind]->types[p[2]];
	nf = p[3];
	p += 4;
	if ((p = get_varint(p, end, &n)) == NULL || n > (size_t)(end - p))
		return -1;
	r->path = (const char *)p;
	r->path_len = (size_t)n;
	p += n;
	if ((p = get_varint(p, end, &n)) == NULL || n > (size_t)(end - p))
		return -1;
	r->msg = (const char *)p;
	r->msg_len = (size_t)n;
	p += n;
	if (nf > TL_MAXF)
		return -1;
	for (i = 0; i < nf; i++) {
		if (p >= end)
			return -1;
		r->f[i].key = *p++;
		if ((p = get_varint(p, end, &n)) == NULL ||
		    n > (size_t)(end - p) || r->f[i].key >= tl_key_count())
			return -1;
		r->f[i].v = (const char *)p;
		r->f[i].len = (size_t)n;
		p += n;
	}
	r->nf = nf;
	return 0;
}

/* ---- comparison ---- */

static inline int
cmp_payload(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	uint16_t sa = (uint16_t)(a[0] | a[1] << 8), sb;
	uint64_t pa, pb;
	const uint8_t *xa, *xb;
	size_t m;
	int c;

	sb = (uint16_t)(b[0] | b[1] << 8);
	if (sa != sb)
		return sa < sb ? -1 : 1;
	xa = get_varint(a + 4, a + al, &pa);
	xb = get_varint(b + 4, b + bl, &pb);
	if (xa == NULL || xb == NULL)
		return 0;
	m = pa < pb ? pa : pb;
	if ((c = memcmp(xa, xb, m)) != 0)
		return c;
	if (pa != pb)
		return pa < pb ? -1 : 1;
	/* then the rest: type, field count, message, fields */
	if (a[2] != b[2])
		return a[2] < b[2] ? -1 : 1;
	xa += pa;
	xb += pb;
	al -= (size_t)(xa - a);
	bl -= (size_t)(xb - b);
	m = al < bl ? al : bl;
	if ((c = memcmp(xa, xb, m)) != 0)
		return c;
	return al < bl ? -1 : al > bl;
}

static inline int
cmp_item(
    const struct irt_tl *tl, const struct tl_item *a, const struct tl_item *b)
{
	const uint8_t *pa, *pb;
	size_t la, lb;
	int c;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	pa = payload_at(tl, a->ref, &la);
	pb = payload_at(tl, b->ref, &lb);
	if ((c = cmp_payload(pa, la, pb, lb)) != 0)
		return c;
	return (int)(a->ref & 0xff) - (int)(b->ref & 0xff);
}

static void
isort(const struct irt_tl *tl, struct tl_item *v, size_t n)
{
	size_t i, j;
	struct tl_item x;

	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && cmp_item(tl, &x, &v[j - 1]) < 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * Introsort (Musser): an in-place quicksort (median of three, recursion
 * on the smaller side, insertion sort below SMALL elements) that turns to
 * heapsort for a range once it has gone 2 log2 n levels deep, so that no
 * order of the input (McIlroy's "killer adversary", planted in a log)
 * makes it quadratic.  No extra memory, unlike glibc's qsort, which
 * matters for the memory budget.  LESS(ctx, a, b) compares pointers to
 * elements; *work counts the elements partitioned or heaped, for tests.
 */
#define DEFINE_INTROSORT(name, T, CTX, LESS, SMALL)                            \
	static void name##_sift(CTX ctx, T *v, size_t n, size_t i)             \
	{                                                                      \
		T tmp;                                                         \
		size_t c;                                                      \
                                                                               \
		(void)ctx;                                                     \
		while ((c = 2 * i + 1) < n) {                                  \
			if (c + 1 < n && LESS(ctx, &v[c], &v[c + 1]))          \
				c++;                                           \
			if (!LESS(ctx, &v[i], &v[c]))                          \
				return;                                        \
			tmp = v[i], v[i] = v[c], v[c] = tmp;                   \
			i = c;                                                 \
		}                                                              \
	}                                                                      \
                                                                               \
	static void name##_heap(CTX ctx, T *v, size_t n, uint64_t *work)       \
	{                                                                      \
		T tmp;                                                         \
		size_t i;                                                      \
                                                                               \
		*work += (uint64_t)n * (uint64_t)(64 - __builtin_clzll(n));    \
		for (i = n / 2; i-- > 0;)                                      \
			name##_sift(ctx, v, n, i);                             \
		while (n > 1) {                                                \
			n--;                                                   \
			tmp = v[0], v[0] = v[n], v[n] = tmp;                   \
			name##_sift(ctx, v, n, 0);                             \
		}                                                              \
	}                                                                      \
                                                                               \
	static void name##_rec(                                                \
	    CTX ctx, T *v, size_t n, unsigned depth, uint64_t *work)           \
	{                                                                      \
		T pivot, tmp;                                                  \
		size_t i, j, k, mid;                                           \
                                                                               \
		while (n > SMALL) {                                            \
			if (depth-- == 0) {                                    \
				name##_heap(ctx, v, n, work);                  \
				return;                                        \
			}                                                      \
			*work += n;                                            \
			mid = n / 2;                                           \
			if (LESS(ctx, &v[mid], &v[0])) {                       \
				tmp = v[mid], v[mid] = v[0], v[0] = tmp;       \
			}                                                      \
			if (LESS(ctx, &v[n - 1], &v[0])) {                     \
				tmp = v[n - 1], v[n - 1] = v[0], v[0] = tmp;   \
			}                                                      \
			if (LESS(ctx, &v[n - 1], &v[mid])) {                   \
				tmp = v[n - 1], v[n - 1] = v[mid],             \
				v[mid] = tmp;                                  \
			}                                                      \
			pivot = v[mid];                                        \
			i = 0;                                                 \
			j = n - 1;                                             \
			for (;;) {                                             \
				while (LESS(ctx, &v[i], &pivot))               \
					i++;                                   \
				while (LESS(ctx, &pivot, &v[j]))               \
					j--;                                   \
				if (i >= j)                                    \
					break;                                 \
				tmp = v[i], v[i] = v[j], v[j] = tmp;           \
				i++;                                           \
				j--;                                           \
			}                                                      \
			/* [0, j] and [j+1, n) */                              \
			if (j + 1 < n - j - 1) {                               \
				name##_rec(ctx, v, j + 1, depth, work);        \
				v += j + 1;                                    \
				n -= j + 1;                                    \
			} else {                                               \
				name##_rec(                                    \
				    ctx, v + j + 1, n - j - 1, depth, work);   \
				n = j + 1;                                     \
			}                                                      \
		}                                                              \
		*work += n;                                                    \
		for (i = 1; i < n; i++) {                                      \
			tmp = v[i];                                            \
			for (k = i; k > 0 && LESS(ctx, &tmp, &v[k - 1]); k--)  \
				v[k] = v[k - 1];                               \
			v[k] = tmp;                                            \
		}                                                              \
	}                                                                      \
                                                                               \
	static void name(CTX ctx, T *v, size_t n, uint64_t *work)              \
	{                                                                      \
		if (n > 1)                                                     \
			name##_rec(ctx, v, n,                                  \
			    2 * (unsigned)(64 - __builtin_clzll(n)), work);    \
	}

#define LESS_ITEM(tl, a, b) (cmp_item(tl, a, b) < 0)
#define LESS_TIME(tl, a, b) ((a)->t < (b)->t)

/* By time and payload. */
DEFINE_INTROSORT(
    qsort_items, struct tl_item, const struct irt_tl *, LESS_ITEM, 16)
/* By time only: no payload is touched. */
DEFINE_INTROSORT(
    qsort_time, struct tl_item, const struct irt_tl *, LESS_TIME, 16)

static inline int
cmp_gkey(const struct gkey *a, const struct gkey *b)
{
	int c;

	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->pre != b->pre)
		return a->pre < b->pre ? -1 : 1;
	c = cmp_payload(a->p, a->len, b->p, b->len);
	if (c != 0)
		return c;
	return (int)(a->it.ref & 0xff) - (int)(b->it.ref & 0xff);
}

static inline int
cmp_gpre(const struct gkey *a, const struct gkey *b)
{
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->pre != b->pre)
		return a->pre < b->pre ? -1 : 1;
	return 0;
}

/* gkeys with the comparator inlined (no indirect call per comparison as
 * with qsort), for the two orders the grouping needs. */
#define LESS_GKEY(ctx, a, b) (cmp_gkey(a, b) < 0)
#define LESS_GPRE(ctx, a, b) (cmp_gpre(a, b) < 0)
DEFINE_INTROSORT(qsort_gkeys, struct gkey, void *, LESS_GKEY, 12)
/* By source and key only: no payload is touched. */
DEFINE_INTROSORT(qsort_gpre, struct gkey, void *, LESS_GPRE, 12)

/* The path of a payload. */
static inline const uint8_t *
payload_path(const uint8_t *p, size_t len, size_t *plen)
{
	uint64_t n;
	const uint8_t *x = get_varint(p + 4, p + len, &n);

	if (x == NULL || n > (size_t)(p + len - x)) {
		*plen = 0;
		return p;
	}
	*plen = (size_t)n;
	return x;
}

/* The 8 path bytes at depth, big-endian, zero past the end. */
static inline uint64_t
path_key(const struct gkey *k, size_t depth, bool *ended)
{
	const uint8_t *pi;
	size_t li, j;
	uint64_t pre = 0;

	pi = payload_path(k->p, k->len, &li);
	for (j = 0; j < 8; j++)
		pre = pre << 8 | (depth + j < li ? pi[depth + j] : 0);
	*ended = depth + 8 >= li;
	return pre;
}

/*
 * Multikey sort of a group by path: by 8 bytes at a time from depth,
 * going deeper only in runs whose keys are equal; what stays equal once
 * a path ends is sorted with the full comparison.
 */
static void
sort_deep(struct gkey *k, size_t n, size_t depth, uint64_t *work)
{
	size_t i, j, e;
	bool ended, same;

	for (;;) {
		same = true;
		for (i = 0; i < n; i++) {
			if (i + 8 < n)
				__builtin_prefetch(k[i + 8].p);
			k[i].pre = path_key(&k[i], depth, &ended);
			k[i].end = ended;
			if (i > 0 && same && cmp_gpre(&k[i], &k[0]) != 0)
				same = false;
		}
		if (same) {
			/* all alike here: deeper, without sorting */
			for (e = 0; e < n && !k[e].end; e++)
				;
			if (e < n || depth > (1u << 16)) {
				qsort_gkeys(NULL, k, n, work);
				return;
			}
			depth += 8;
			continue;
		}
		qsort_gpre(NULL, k, n, work);
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && cmp_gpre(&k[i], &k[j]) == 0;
			     j++)
				;
			if (j - i < 2)
				continue;
			for (e = i; e < j && !k[e].end; e++)
				;
			/* a path ends in the run, or it is small: compare
			 * whole payloads */
			if (e < j || j - i <= 8 || depth > (1u << 16))
				qsort_gkeys(NULL, k + i, j - i, work);
			else
				sort_deep(k + i, j - i, depth + 8, work);
		}
		return;
	}
}

/* A sorter: its own key buffer, so that two can run at once. */
struct sorter {
	const struct irt_tl *tl;
	uint64_t work; /* elements partitioned or heaped */
	struct gkey *gk;
	size_t gkcap;
	struct tl_item *v;
	size_t n;
};

static void
sort_group(struct sorter *so, struct tl_item *v, size_t n)
{
	const struct irt_tl *tl = so->tl;
	struct gkey *k;
	size_t i, j, len, lcp, l0, li, m;
	const uint8_t *p0, *pi;

	/* the key array is kept for the next group */
	if (n * sizeof *k > tl->budget / 16) {
		qsort_items(tl, v, n, &so->work);
		return;
	}
	if (n > so->gkcap) {
		if ((k = realloc(so->gk, n * sizeof *k)) == NULL) {
			qsort_items(tl, v, n, &so->work);
			return;
		}
		so->gk = k;
		so->gkcap = n;
	}
	k = so->gk;
	/* the common prefix of the paths: the keys start after it */
	lcp = 0;
	p0 = NULL;
	l0 = 0;
	for (i = 0; i < n; i++) {
		if (i + 8 < n) {
			uint64_t r = v[i + 8].ref;
			__builtin_prefetch(
			    tl->chunks[r >> 40].p + ((r >> 8) & 0xffffffff));
		}
		k[i].p = payload_at(tl, v[i].ref, &len);
		k[i].len = (uint32_t)len;
		k[i].src = (uint16_t)(k[i].p[0] | k[i].p[1] << 8);
		k[i].it = v[i];
		pi = payload_path(k[i].p, len, &li);
		if (i == 0) {
			p0 = pi;
			lcp = l0 = li;
			continue;
		}
		m = li < lcp ? li : lcp;
		for (j = 0; j < m && p0[j] == pi[j]; j++)
			;
		lcp = j;
	}
	(void)l0;
	sort_deep(k, n, lcp, &so->work);
	for (i = 0; i < n; i++)
		v[i] = k[i].it;
}

/* Time first, then each group of equal times by source, path and the
 * rest. */
/* Time first, then each group of equal times by source, path and the
 * rest. */
static void
sort_seq(struct sorter *so, struct tl_item *v, size_t n)
{
	size_t i, j;

	qsort_time(so->tl, v, n, &so->work);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j].t == v[i].t; j++)
			;
		if (j - i <= 1)
			continue;
		if (j - i <= 32) {
			so->work += j - i;
			isort(so->tl, v + i, j - i);
		} else
			sort_group(so, v + i, j - i);
	}
}

static void *
sort_thread(void *arg)
{
	struct sorter *so = arg;

	sort_seq(so, so->v, so->n);
	return NULL;
}

/*
 * Large sets are cut in three by time (before, at and after a pivot
 * time); the part before is sorted by a second thread.
 */
static void
sort_items(struct irt_tl *tl, struct tl_item *v, size_t n)
{
	struct sorter a, b;
	struct tl_item tmp;
	pthread_t th;
	int64_t pivot;
	size_t lt, gt, i;
	bool threaded = false;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.tl = b.tl = tl;
	if (n < 100000) {
		sort_seq(&a, v, n);
		goto out;
	}
	a.work += n;
	/* median of three, then a three-way partition */
	{
		int64_t x = v[0].t, y = v[n / 2].t, z = v[n - 1].t;
		pivot = x < y ? (y < z ? y : (x < z ? z : x))
		              : (x < z ? x : (y < z ? z : y));
	}
	lt = 0;
	gt = n;
	i = 0;
	while (i < gt) {
		if (v[i].t < pivot) {
			tmp = v[i], v[i] = v[lt], v[lt] = tmp;
			lt++;
			i++;
		} else if (v[i].t > pivot) {
			gt--;
			tmp = v[i], v[i] = v[gt], v[gt] = tmp;
		} else
			i++;
	}
	b.v = v;
	b.n = lt;
	if (pthread_create(&th, NULL, sort_thread, &b) == 0)
		threaded = true;
	else
		sort_seq(&b, v, lt);
	sort_seq(&a, v + gt, n - gt);
	/* the group at the pivot time */
	if (gt - lt > 32)
		sort_group(&a, v + lt, gt - lt);
	else if (gt - lt > 1)
		isort(tl, v + lt, gt - lt);
	if (threaded)
		pthread_join(th, NULL);
out:
	tl->sort_work += a.work + b.work;
	free(a.gk);
	free(b.gk);
}

uint64_t
tl_sort_work(const struct irt_tl *tl)
{
	return tl->sort_work;
}

/* ---- options, sources ---- */

int
irt_tl_parse_size(size_t *out, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno != 0 || *s == '-')
		goto bad;
	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	}
	if (*end == 'i' || *end == 'B')
		end += *end == 'i' && end[1] == 'B' ? 2 : 1;
	if (*end != '\0' || v < (1u << 20))
		goto bad;
	*out = (size_t)v;
	return 0;
bad:
	return irt_error_set(IRT_EINVAL,
	    "invalid size '%s' (want at least 1M, e.g. 64M or 2G)", irt_esc(s));
}

int
irt_tl_new(struct irt_tl **out, const struct irt_tl_opts *opts)
{
	struct irt_tl *tl;
	char err[256];
	int rc;

	if ((rc = tl_sources_init()) != 0)
		return rc;
	if ((tl = calloc(1, sizeof *tl)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if (opts != NULL)
		tl->o = *opts;
	if (tl->o.memory == 0)
		tl->o.memory = 256u << 20;
	if (tl->o.tmp_max == 0)
		tl->o.tmp_max = 1u << 30;
	/* room for the program, run buffers and output */
	tl->budget = tl->o.memory >= (32u << 20)
	    ? tl->o.memory - tl->o.memory / 8 - 2 * CHUNK_SIZE
	    : tl->o.memory / 2;
	if (tl->o.match != NULL) {
		rc = regcomp(&tl->re, tl->o.match, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &tl->re, err, sizeof err);
			free(tl);
			return irt_error_set(IRT_EINVAL,
			    "invalid regular expression '%s': %s",
			    irt_esc(opts->match), err);
		}
		tl->has_re = true;
	}
	*out = tl;
	return 0;
}

static void
runs_close(struct irt_tl *tl)
{
	unsigned i;

	for (i = 0; i < tl->nruns; i++) {
		if (tl->runs[i].fp)
			fclose(tl->runs[i].fp);
		free(tl->runs[i].buf);
	}
	free(tl->runs);
	tl->runs = NULL;
	tl->nruns = 0;
}

void
irt_tl_free(struct irt_tl *tl)
{
	size_t i;

	if (tl == NULL)
		return;
	tl_fs_seen_release(&tl->fs_seen);
	for (i = 0; i < tl->nsrcs; i++) {
		free(tl->srcs[i].label);
		free(tl->srcs[i].file);
		free(tl->srcs[i].host);
	}
	free(tl->srcs);
	for (i = 0; i < tl->nchunks; i++)
		free(tl->chunks[i].p);
	free(tl->chunks);
	free(tl->items);
	runs_close(tl);
	if (tl->has_re)
		regfree(&tl->re);
	irt_buf_release(&tl->scratch);
	tl_starts_free(tl->starts);
	free(tl);
}

struct tl_starts **
tl_starts_of(struct irt_tl *tl)
{
	return &tl->starts;
}

int
tl_src_open(struct tl_pctx *p, struct irt_tl *tl, int kind, const char *label,
    const char *file, const char *name, const char *host)
{
	struct tl_src *s;

	memset(p, 0, sizeof *p);
	p->tl = tl;
	p->name = name;
	p->kind = -1;
	if (tl->nsrcs >= TL_MAX_SOURCES)
		return irt_error_set(
		    IRT_EINVAL, "more than %d sources", TL_MAX_SOURCES);
	if (tl->nsrcs == tl->capsrcs) {
		unsigned nc = tl->capsrcs ? tl->capsrcs * 2 : 16;
		if ((s = realloc(tl->srcs, nc * sizeof *s)) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		tl->srcs = s;
		tl->capsrcs = nc;
	}
	s = tl->srcs + tl->nsrcs;
	s->label = strdup(label);
	s->file = strdup(file);
	s->host = host ? strdup(host) : NULL;
	s->kind = kind;
	if (s->label == NULL || s->file == NULL || (host && s->host == NULL)) {
		free(s->label);
		free(s->file);
		free(s->host);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	p->src = (uint16_t)tl->nsrcs++;
	p->kind = kind;
	p->keymap = tl_keymap(kind);
	if (tl->in_archive && kind == tl_kind_find("bodyfile", 8)) {
		tl->fs_seen.skip = tl->fs_bodyfiles++ > 0;
		p->seen = &tl->fs_seen;
	}
	tl->st.sources = tl->nsrcs;
	return 0;
}

void
tl_archive_begin(struct irt_tl *tl)
{
	tl_fs_seen_release(&tl->fs_seen);
	tl->fs_bodyfiles = 0;
	tl->in_archive = true;
}

void
tl_archive_end(struct irt_tl *tl)
{
	tl_fs_seen_release(&tl->fs_seen);
	tl->fs_bodyfiles = 0;
	tl->in_archive = false;
}

const struct irt_tl_opts *
tl_opts(const struct irt_tl *tl)
{
	return &tl->o;
}

const struct tl_src *
tl_src_get(const struct irt_tl *tl, uint16_t i)
{
	return i < tl->nsrcs ? &tl->srcs[i] : NULL;
}

unsigned
tl_src_count(const struct irt_tl *tl)
{
	return tl->nsrcs;
}

void
irt_tl_stats(const struct irt_tl *tl, struct irt_tl_stats *st)
{
	*st = tl->st;
}

/* ---- warnings ---- */

static int
vwarn(struct tl_pctx *p, bool line, const char *fmt, va_list ap)
{
	struct irt_buf *b = &p->tl->scratch;

	if (p->quiet)
		return 0;
	irt_buf_clear(b);
	/* raw text: the caller escapes it for the terminal */
	if (line)
		irt_buf_printf(
		    b, "%s:%llu: ", p->name, (unsigned long long)p->line);
	else
		irt_buf_printf(b, "%s: ", p->name);
	irt_buf_vprintf(b, fmt, ap);
	p->tl->st.warnings++;
	if (p->tl->o.strict) {
		p->err =
		    irt_error_set(IRT_EPARSE, "%s", irt_esc(irt_buf_cstr(b)));
		return p->err;
	}
	if (p->tl->o.warn)
		p->tl->o.warn(irt_buf_cstr(b), p->tl->o.arg);
	return 0;
}

int
tl_warn(struct tl_pctx *p, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vwarn(p, false, fmt, ap);
	va_end(ap);
	return rc;
}

int
tl_warn_line(struct tl_pctx *p, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vwarn(p, true, fmt, ap);
	va_end(ap);
	return rc;
}

bool
tl_cancelled(struct tl_pctx *p)
{
	return p->tl->o.cancel != NULL && *p->tl->o.cancel;
}

int
tl_year_opt(struct tl_pctx *p)
{
	return p->tl->o.year;
}

bool
tl_first_time_only(struct tl_pctx *p)
{
	return p->tl->o.first_time_only;
}

const char *
tl_tmpdir(struct tl_pctx *p)
{
	const char *dir = p->tl->o.tmpdir;

	if (dir == NULL)
		dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	return dir;
}

uint64_t
tl_tmp_max(struct tl_pctx *p)
{
	return p->tl->o.tmp_max;
}

size_t
tl_memory(struct tl_pctx *p)
{
	return p->tl->o.memory;
}

bool
tl_xdev(struct tl_pctx *p)
{
	return p->tl->o.xdev;
}

/* ---- events ---- */

void
tl_ev_init(struct tl_ev *e, unsigned type, irt_ns t)
{
	e->t[0] = t;
	e->mask[0] = 0;
	e->nt = 1;
	e->type = (uint8_t)type;
	e->path = NULL;
	e->path_len = 0;
	e->msg = NULL;
	e->msg_len = 0;
	e->times = NULL;
	e->nf = 0;
	e->nnum = 0;
}

void
tl_ev_add(struct tl_ev *e, unsigned k, const char *v, size_t len)
{
	if (e->nf >= TL_MAXF || v == NULL)
		return;
	e->f[e->nf].key = (uint8_t)k;
	e->f[e->nf].v = v;
	e->f[e->nf].len = len;
	e->nf++;
}

void
tl_ev_adds(struct tl_ev *e, unsigned k, const char *v)
{
	if (v != NULL)
		tl_ev_add(e, k, v, strlen(v));
}

void
tl_ev_addi(struct tl_ev *e, unsigned k, long long v)
{
	char *d;
	int n = 24;
	unsigned long long u;

	if (e->nnum >= TL_MAXF)
		return;
	d = e->num[e->nnum];
	u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
	do
		d[--n] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		d[--n] = '-';
	tl_ev_add(e, k, d + n, (size_t)(24 - n));
	e->nnum++;
}

static int spill(struct irt_tl *tl);
static int compact_runs(struct irt_tl *tl);

/* Runs open at once; beyond it they are merged into one. */
#define MAX_RUNS 64

static uint8_t *
arena_alloc(struct irt_tl *tl, size_t n, uint64_t *where)
{
	struct chunk *c;

	if (tl->nchunks > 0) {
		c = &tl->chunks[tl->curchunk];
		if (c->cap - c->len >= n)
			goto have;
		/* a chunk kept from before a spill */
		while (tl->curchunk + 1 < tl->nchunks) {
			c = &tl->chunks[++tl->curchunk];
			c->len = 0;
			if (c->cap >= n)
				goto have;
		}
	}
	if (tl->nchunks == tl->capchunks) {
		size_t nc = tl->capchunks ? tl->capchunks * 2 : 64;
		struct chunk *v = realloc(tl->chunks, nc * sizeof *v);
		if (v == NULL || nc >= (1u << 20))
			return NULL;
		tl->chunks = v;
		tl->capchunks = nc;
	}
	c = &tl->chunks[tl->nchunks];
	c->cap = n > CHUNK_SIZE ? n : CHUNK_SIZE;
	c->len = 0;
	if ((c->p = malloc(c->cap)) == NULL)
		return NULL;
	tl->curchunk = tl->nchunks++;
have:
	*where = (uint64_t)tl->curchunk << 40 | (uint64_t)c->len << 8;
	c->len += n;
	return c->p + c->len - n;
}

static bool
matches(struct irt_tl *tl, const struct tl_ev *e)
{
	regmatch_t m;

	if (e->msg_len) {
		m.rm_so = 0;
		m.rm_eo = (regoff_t)e->msg_len;
		if (regexec(&tl->re, e->msg, 1, &m, REG_STARTEND) == 0)
			return true;
	}
	if (e->path_len) {
		m.rm_so = 0;
		m.rm_eo = (regoff_t)e->path_len;
		if (regexec(&tl->re, e->path, 1, &m, REG_STARTEND) == 0)
			return true;
	}
	return false;
}

int
tl_emit(struct tl_pctx *p, const struct tl_ev *e)
{
	struct irt_tl *tl = p->tl;
	size_t need, body, i, n = 0;
	uint64_t where = 0;
	uint8_t *dst;
	int keep[4];

	for (i = 0; i < (size_t)e->nt; i++) {
		keep[i] = 0;
		if (e->t[i] == 0) {
			tl->st.skipped++;
			continue;
		}
		if (tl->o.has_since && e->t[i] < tl->o.since)
			continue;
		if (tl->o.has_until && e->t[i] >= tl->o.until)
			continue;
		keep[i] = 1;
		n++;
	}
	if (n == 0)
		return 0;
	if (tl->has_re && !matches(tl, e))
		return 0;
	if (tl->o.each != NULL) {
		int rc = tl_event_call(p, e, keep);

		if (rc != 0 || tl->o.no_store)
			return rc;
	}
	need = payload_size(e, &body);
	{
		size_t cap = tl->capitems;
		while (cap < tl->nitems + n)
			cap = cap ? cap * 2 : 1024;
		if (tl->live + need + cap * sizeof(struct tl_item) >
		        tl->budget &&
		    tl->nitems > 0) {
			int rc = spill(tl);
			if (rc != 0)
				return rc;
		}
	}
	tl->live += need;
	if ((dst = arena_alloc(tl, need, &where)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	payload_write(dst, e, p->src, p->keymap, body);
	if (tl->nitems + n > tl->capitems) {
		size_t nc = tl->capitems ? tl->capitems * 2 : 1024;
		struct tl_item *v;
		while (nc < tl->nitems + n)
			nc *= 2;
		if ((v = realloc(tl->items, nc * sizeof *v)) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		tl->items = v;
		tl->capitems = nc;
	}
	for (i = 0; i < (size_t)e->nt; i++) {
		if (!keep[i])
			continue;
		tl->items[tl->nitems].t = e->t[i];
		tl->items[tl->nitems].ref = where | e->mask[i];
		tl->nitems++;
		tl->st.events++;
	}
	return 0;
}

/* ---- runs ---- */

static FILE *
tmp_file(struct irt_tl *tl)
{
	const char *dir = tl->o.tmpdir;
	char *path;
	FILE *fp;
	int fd;

	if (dir == NULL)
		dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if (asprintf(&path, "%s/irt-timeline-XXXXXX", dir) < 0)
		return NULL;
	fd = mkstemp(path);
	if (fd < 0) {
		irt_error_sys(IRT_EIO, errno,
		    "cannot create a temporary file "
		    "in '%s'",
		    irt_esc(dir));
		free(path);
		return NULL;
	}
	unlink(path);
	free(path);
	if ((fp = fdopen(fd, "w+")) == NULL) {
		close(fd);
		irt_error_sys(IRT_EIO, errno, "fdopen");
		return NULL;
	}
	setvbuf(fp, NULL, _IOFBF, RUN_BUF);
	return fp;
}

/* Sorts the events in memory and writes them to a new run file. */
static int
spill(struct irt_tl *tl)
{
	struct run *v;
	FILE *fp;
	size_t i, len;
	const uint8_t *p;
	uint8_t hdr[9 + 10];
	size_t hl;

	sort_items(tl, tl->items, tl->nitems);
	if ((fp = tmp_file(tl)) == NULL)
		return irt_error_code() ? irt_error_code() : IRT_EIO;
	for (i = 0; i < tl->nitems; i++) {
		p = payload_at(tl, tl->items[i].ref, &len);
		memcpy(hdr, &tl->items[i].t, 8);
		hdr[8] = (uint8_t)(tl->items[i].ref & 0xff);
		hl = 9 + put_varint(hdr + 9, len);
		if (fwrite(hdr, 1, hl, fp) != hl ||
		    fwrite(p, 1, len, fp) != len)
			goto ioerr;
	}
	if (fflush(fp) != 0 || fseeko(fp, 0, SEEK_SET) != 0)
		goto ioerr;
	if ((v = realloc(tl->runs, (tl->nruns + 1) * sizeof *v)) == NULL) {
		fclose(fp);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	tl->runs = v;
	memset(&v[tl->nruns], 0, sizeof *v);
	v[tl->nruns++].fp = fp;
	tl->st.runs++;
	/* reuse the arena */
	tl->nitems = 0;
	tl->live = 0;
	for (i = 0; i < tl->nchunks; i++)
		tl->chunks[i].len = 0;
	tl->curchunk = 0;
	if (tl->nruns >= MAX_RUNS)
		return compact_runs(tl);
	return 0;
ioerr:
	i = (size_t)errno;
	fclose(fp);
	return irt_error_sys(IRT_EIO, (int)i, "cannot write a sorted run");
}

static int
run_next(struct run *r)
{
	uint8_t hdr[9];
	uint64_t len = 0;
	unsigned shift = 0;
	int c;

	if (fread(hdr, 1, 9, r->fp) != 9) {
		r->done = true;
		return ferror(r->fp)
		    ? irt_error_set(IRT_EIO, "cannot read a sorted run")
		    : 0;
	}
	memcpy(&r->t, hdr, 8);
	r->mask = hdr[8];
	do {
		if ((c = getc(r->fp)) == EOF || shift > 35)
			return irt_error_set(IRT_EIO, "corrupt sorted run");
		len |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	if (len > r->cap) {
		uint8_t *b = realloc(r->buf, (size_t)len);
		if (b == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		r->buf = b;
		r->cap = (size_t)len;
	}
	if (fread(r->buf, 1, (size_t)len, r->fp) != len)
		return irt_error_set(IRT_EIO, "truncated sorted run");
	r->len = (size_t)len;
	return 0;
}

/* A merge cursor: a run file, or the sorted events in memory. */
struct cursor {
	int64_t t;
	uint8_t mask;
	const uint8_t *p;
	size_t len;
	struct run *run; /* NULL: memory */
	size_t i;
};

static int
cursor_cmp(const struct cursor *a, const struct cursor *b)
{
	int c;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if ((c = cmp_payload(a->p, a->len, b->p, b->len)) != 0)
		return c;
	return (int)a->mask - (int)b->mask;
}

static int
cursor_load(struct irt_tl *tl, struct cursor *c)
{
	int rc;

	if (c->run == NULL) {
		if (c->i >= tl->nitems)
			return 1;
		if (c->i + 16 < tl->nitems) {
			uint64_t r = tl->items[c->i + 16].ref;
			__builtin_prefetch(
			    tl->chunks[r >> 40].p + ((r >> 8) & 0xffffffff));
		}
		c->t = tl->items[c->i].t;
		c->mask = (uint8_t)(tl->items[c->i].ref & 0xff);
		c->p = payload_at(tl, tl->items[c->i].ref, &c->len);
		c->i++;
		return 0;
	}
	if ((rc = run_next(c->run)) != 0)
		return rc;
	if (c->run->done)
		return 1;
	c->t = c->run->t;
	c->mask = c->run->mask;
	c->p = c->run->buf;
	c->len = c->run->len;
	return 0;
}

static void
sift_down(struct cursor **h, size_t n, size_t i)
{
	size_t l, m;
	struct cursor *tmp;

	for (;;) {
		l = 2 * i + 1;
		if (l >= n)
			return;
		m = l;
		if (l + 1 < n && cursor_cmp(h[l + 1], h[l]) < 0)
			m = l + 1;
		if (cursor_cmp(h[m], h[i]) >= 0)
			return;
		tmp = h[m], h[m] = h[i], h[i] = tmp;
		i = m;
	}
}

static int
put_one(struct irt_tl *tl, struct tl_writer *w, const struct cursor *c)
{
	struct tl_rec r;

	if (payload_decode(tl, &r, c->p, c->len) != 0)
		return irt_error_set(IRT_ERROR, "corrupt event record");
	r.t = c->t;
	r.mask = c->mask;
	return tl_writer_put(w, &r);
}

static int
write_rec(FILE *fp, const struct cursor *c)
{
	uint8_t hdr[9 + 10];
	size_t hl;

	memcpy(hdr, &c->t, 8);
	hdr[8] = c->mask;
	hl = 9 + put_varint(hdr + 9, c->len);
	if (fwrite(hdr, 1, hl, fp) != hl ||
	    fwrite(c->p, 1, c->len, fp) != c->len)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot write a sorted run");
	return 0;
}

/* Merges every run into one, so that file descriptors stay few. */
static int
compact_runs(struct irt_tl *tl)
{
	struct cursor *cs, **heap;
	struct run one;
	size_t n = 0, i;
	FILE *fp;
	int rc = 0;

	if ((fp = tmp_file(tl)) == NULL)
		return irt_error_code() ? irt_error_code() : IRT_EIO;
	cs = calloc(tl->nruns, sizeof *cs);
	heap = calloc(tl->nruns, sizeof *heap);
	if (cs == NULL || heap == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < tl->nruns; i++) {
		cs[i].run = &tl->runs[i];
		rc = cursor_load(tl, &cs[i]);
		if (rc < 0)
			goto out;
		if (rc == 0)
			heap[n++] = &cs[i];
	}
	rc = 0;
	for (i = n / 2; i-- > 0;)
		sift_down(heap, n, i);
	while (n > 0) {
		if ((rc = write_rec(fp, heap[0])) != 0)
			goto out;
		rc = cursor_load(tl, heap[0]);
		if (rc < 0)
			goto out;
		if (rc == 1)
			heap[0] = heap[--n];
		rc = 0;
		sift_down(heap, n, 0);
	}
	if (fflush(fp) != 0 || fseeko(fp, 0, SEEK_SET) != 0) {
		rc = irt_error_sys(IRT_EIO, errno, "cannot write a sorted run");
		goto out;
	}
	runs_close(tl);
	if ((tl->runs = calloc(1, sizeof *tl->runs)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	memset(&one, 0, sizeof one);
	one.fp = fp;
	tl->runs[0] = one;
	tl->nruns = 1;
	fp = NULL;
out:
	if (fp != NULL)
		fclose(fp);
	free(cs);
	free(heap);
	return rc;
}

/* ---- formatting in two threads ---- */

#define PAR_MIN 100000
#define PAR_CHUNK 32768

struct fmtjob {
	struct irt_tl *tl;
	struct tl_writer *w;
	size_t from, to;
	int rc;
};

static inline int64_t
sec_of(int64_t t)
{
	return t >= 0 ? t / IRT_NS_PER_SEC : -((-t - 1) / IRT_NS_PER_SEC) - 1;
}

/* The first index from k on where the second changes: mactime rows merge
 * within one second, so a cut there leaves the output the same. */
static size_t
boundary(const struct irt_tl *tl, size_t k)
{
	int64_t s;

	if (k >= tl->nitems)
		return tl->nitems;
	s = sec_of(tl->items[k - 1].t);
	while (k < tl->nitems && sec_of(tl->items[k].t) == s)
		k++;
	return k;
}

static int
format_range(struct irt_tl *tl, struct tl_writer *w, size_t from, size_t to)
{
	struct tl_rec r;
	const uint8_t *p;
	size_t i, len;
	uint64_t ref;
	int rc;

	for (i = from; i < to; i++) {
		if (i + 16 < to) {
			ref = tl->items[i + 16].ref;
			__builtin_prefetch(tl->chunks[ref >> 40].p +
			    ((ref >> 8) & 0xffffffff));
		}
		ref = tl->items[i].ref;
		p = payload_at(tl, ref, &len);
		if (payload_decode(tl, &r, p, len) != 0)
			return irt_error_set(IRT_ERROR, "corrupt event record");
		r.t = tl->items[i].t;
		r.mask = (uint8_t)(ref & 0xff);
		if ((rc = tl_writer_put(w, &r)) != 0)
			return rc;
	}
	tl_writer_sync(w);
	return 0;
}

static void *
format_thread(void *arg)
{
	struct fmtjob *j = arg;

	j->rc = format_range(j->tl, j->w, j->from, j->to);
	return NULL;
}

/*
 * The sorted events in memory, formatted in turns: while this thread
 * formats and writes one chunk, a second one formats the next into
 * memory, which is written after it.
 */
static int
write_parallel(struct irt_tl *tl, struct tl_writer *w,
    const struct irt_tl_write_opts *o, irt_tl_out_fn fn, void *arg)
{
	struct tl_writer *w2;
	struct fmtjob job;
	pthread_t th;
	size_t i = 0, a, b;
	bool started;
	int rc;

	if ((rc = tl_writer_new(&w2, tl, o, NULL, NULL)) != 0)
		return rc;
	while (i < tl->nitems) {
		a = boundary(tl, i + PAR_CHUNK);
		b = boundary(tl, a + PAR_CHUNK);
		job.tl = tl;
		job.w = w2;
		job.from = a;
		job.to = b;
		job.rc = 0;
		started = a < b &&
		    pthread_create(&th, NULL, format_thread, &job) == 0;
		rc = format_range(tl, w, i, a);
		if (started)
			pthread_join(th, NULL);
		else if (rc == 0 && a < b)
			job.rc = format_range(tl, w2, a, b);
		if (rc == 0)
			rc = job.rc;
		/* this thread's part first, then the other's */
		if (rc == 0)
			rc = tl_writer_drain(w, fn, arg);
		if (rc == 0)
			rc = tl_writer_drain(w2, fn, arg);
		if (rc == 0 && tl->o.cancel && *tl->o.cancel)
			rc = irt_error_set(IRT_EABORT, "interrupted");
		if (rc != 0)
			break;
		i = b;
	}
	tl->st.written += tl_writer_count(w2);
	tl->dropped += tl_writer_dropped(w2);
	tl_writer_free(w2);
	return rc;
}

int
irt_tl_write(struct irt_tl *tl, const struct irt_tl_write_opts *o,
    irt_tl_out_fn fn, void *arg)
{
	struct tl_writer *w;
	struct cursor *cs = NULL, **heap = NULL;
	size_t n = 0, i;
	int rc;

	if (tl->written)
		return irt_error_set(IRT_EINVAL, "timeline already written");
	tl->written = true;
	if ((rc = tl_writer_new(&w, tl, o, fn, arg)) != 0)
		return rc;
	sort_items(tl, tl->items, tl->nitems);
	if (tl->nruns == 0 && tl->nitems >= PAR_MIN) {
		if ((rc = write_parallel(tl, w, o, fn, arg)) != 0)
			goto out;
		goto end;
	}
	if (tl->nruns == 0) {
		struct cursor c;
		memset(&c, 0, sizeof c);
		while ((rc = cursor_load(tl, &c)) == 0) {
			if ((rc = put_one(tl, w, &c)) != 0)
				goto out;
			if (tl->o.cancel && *tl->o.cancel) {
				rc = irt_error_set(IRT_EABORT, "interrupted");
				goto out;
			}
		}
		if (rc < 0)
			goto out;
		goto end;
	}
	cs = calloc(tl->nruns + 1, sizeof *cs);
	heap = calloc(tl->nruns + 1, sizeof *heap);
	if (cs == NULL || heap == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i <= tl->nruns; i++) {
		cs[i].run = i < tl->nruns ? &tl->runs[i] : NULL;
		rc = cursor_load(tl, &cs[i]);
		if (rc < 0)
			goto out;
		if (rc == 0)
			heap[n++] = &cs[i];
	}
	for (i = n / 2; i-- > 0;)
		sift_down(heap, n, i);
	while (n > 0) {
		if ((rc = put_one(tl, w, heap[0])) != 0)
			goto out;
		rc = cursor_load(tl, heap[0]);
		if (rc < 0)
			goto out;
		if (rc == 1)
			heap[0] = heap[--n];
		sift_down(heap, n, 0);
		if (tl->o.cancel && *tl->o.cancel) {
			rc = irt_error_set(IRT_EABORT, "interrupted");
			goto out;
		}
	}
end : {
	uint64_t n1 = 0;
	rc = tl_writer_end(w, &n1);
	tl->st.written += n1;
	tl->dropped += tl_writer_dropped(w);
	if (rc == 0 && tl->dropped > 0) {
		struct tl_pctx p;
		memset(&p, 0, sizeof p);
		p.tl = tl;
		p.name = "timesketch-csv";
		p.kind = -1;
		rc = tl_warn(&p,
		    "%llu events before 1700 written, which Timesketch's CSV "
		    "import drops (timesketch-jsonl keeps them)",
		    (unsigned long long)tl->dropped);
	}
}
out:
	tl_writer_free(w);
	free(cs);
	free(heap);
	return rc;
}

/* ---- small helpers shared by the parsers ---- */

const char *
tl_field(const struct tl_rec *r, unsigned k, size_t *len)
{
	int i;

	for (i = 0; i < r->nf; i++)
		if (r->f[i].key == k) {
			*len = r->f[i].len;
			return r->f[i].v;
		}
	*len = 0;
	return NULL;
}

bool
tl_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 19)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

int
tl_num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	if (n == 0 || n > 9)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
tl_ymd_hms(const char *s, size_t len, size_t sep, irt_ns *t)
{
	int y, mo, d, h, mi, se;

	if (len < 18 + sep || s[4] != '-' || s[7] != '-' ||
	    s[12 + sep] != ':' || s[15 + sep] != ':')
		return -1;
	y = tl_num(s, 4);
	mo = tl_num(s + 5, 2);
	d = tl_num(s + 8, 2);
	h = tl_num(s + 10 + sep, 2);
	mi = tl_num(s + 13 + sep, 2);
	se = tl_num(s + 16 + sep, 2);
	if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0)
		return -1;
	return irt_time_civil(t, y, mo, d, h, mi, se, 0, 0);
}

int
tl_time_u64(irt_ns *out, uint64_t sec, long nsec)
{
	return irt_time_make(
	    out, sec > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)sec, nsec);
}

int
tl_parse_secs(const char *s, size_t len, irt_ns *out)
{
	size_t i = 0, nd = 0;
	int64_t secs = 0;
	long frac = 0;
	int neg = 0, fd = 0;

	if (len > 0 && s[0] == '-') {
		neg = 1;
		i++;
	}
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		/* more digits than 64 bits hold: out of range anyway */
		if (++nd > 18)
			secs = INT64_MAX;
		else
			secs = secs * 10 + (s[i] - '0');
	}
	if (nd == 0)
		return IRT_EPARSE;
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			if (fd < 9) {
				frac = frac * 10 + (s[i] - '0');
				fd++;
			}
		for (; fd < 9; fd++)
			frac *= 10;
	}
	if (i != len)
		return IRT_EPARSE;
	if (neg) {
		/* -1.5 is 2 s before the epoch plus 0.5 s */
		secs = -secs;
		if (frac > 0) {
			secs--;
			frac = IRT_NS_PER_SEC - frac;
		}
	}
	return irt_time_make(out, secs, frac);
}

const char *
tl_word(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *e;

	while (s < end && *s == ' ')
		s++;
	e = s;
	while (e < end && *e != ' ')
		e++;
	*len = (size_t)(e - s);
	*p = e;
	return s;
}

int
tl_month(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (memcmp(s, months + 3 * i, 3) == 0)
			return i + 1;
	return 0;
}
