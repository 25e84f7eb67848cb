/*
 * Putting entries into .git/index without loading it into libgit2.
 *
 * The index of a case lists every record, and libgit2 parses all of it
 * into memory and writes it back to add one: with records sharded by
 * day it is the one part of a commit that grows with the case.  Measured
 * on the index of a case of 20,000 notes (1.5 MB), one entry added,
 * CPU time on the 2-core test machine under load: libgit2 1.5 took 20 to
 * 34 ms to read it and 6 to 10 ms to write it back; this takes 4.5 to
 * 7 ms, and 0.8 ms at 2,000 notes, where libgit2 takes 1.8.  Without it
 * `irt note add` at 20,000 notes would take twice its time at 2,000
 * (scripts/bench/notes.sh: the goal is at most 1.5 times).
 *
 * A version 4 index, the one irt writes, is copied through from a map
 * of the file: only the entries put and the one after each (its path is
 * compressed against the path before it) are written anew, and the
 * SHA-1 is computed as the copy is written.  Versions 2 and 3 (what git
 * writes) are read into memory and written as version 4.  The format is
 * git's index-format.txt.  Forms this does not handle (conflict stages,
 * required extensions, a bad checksum, a file and a folder of the same
 * name) are left to libgit2: it says so and changes nothing.  Optional
 * extensions (the cached trees among them) are dropped, as the entries
 * they describe change.  tests/unit/test-case-index.c checks every
 * form against what libgit2 writes for the same entries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * SHA-1 through its own functions: EVP would fetch the digest from the
 * providers, and setting those up costs OpenSSL 3 more than hashing the
 * index of a case of 2,000 notes.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "case-int.h"
#include "util/internal.h"
#include "irt/buf.h"
#include "irt/error.h"
#include "irt/escape.h"

#define HDR 12   /* "DIRC", version, entry count */
#define FIXED 62 /* stat data, object id and flags of an entry */
#define SUMSZ 20 /* the trailing SHA-1 */
#define F_EXTENDED 0x4000
#define F_STAGE 0x3000
#define F_NAMEMASK 0x0fff
#define PATHMAX 4095 /* the longest path libgit2 reads from version 4 */

struct ient {
	const unsigned char *fixed; /* the entry's FIXED (+2) bytes */
	size_t fixedlen;
	size_t path, plen;               /* in the path arena */
	const struct irt_index_put *put; /* a new entry, or NULL */
};

struct index {
	unsigned char *raw;
	size_t len;
	struct ient *e;
	size_t n;
	char *paths; /* every path, NUL-terminated */
	size_t pathslen;
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static unsigned char *
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return p + 4;
}

static int
path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen;
}

/* git's offset varint (varint.c): 7 bits a byte, each more adds one */
static int
get_varint(size_t *out, const unsigned char **p, const unsigned char *end)
{
	const unsigned char *q = *p;
	size_t v;

	if (q == end)
		return -1;
	v = *q & 127;
	while (*q++ & 128) {
		if (q == end || v > (SIZE_MAX >> 8))
			return -1;
		v = ((v + 1) << 7) | (*q & 127);
	}
	*out = v;
	*p = q;
	return 0;
}

static unsigned char *
put_varint(unsigned char *p, size_t v)
{
	unsigned char tmp[16];
	size_t pos = sizeof tmp - 1;

	tmp[pos] = v & 127;
	while (v >>= 7)
		tmp[--pos] = 128 | (--v & 127);
	memcpy(p, tmp + pos, sizeof tmp - pos);
	return p + sizeof tmp - pos;
}

static int
sha1(unsigned char out[SUMSZ], const void *data, size_t len)
{
	SHA_CTX c;

	/* not SHA1(), which OpenSSL 3 runs through EVP */
	return SHA1_Init(&c) == 1 && SHA1_Update(&c, data, len) == 1 &&
	    SHA1_Final(out, &c) == 1;
}

static void
index_free(struct index *ix)
{
	free(ix->raw);
	free(ix->e);
	free(ix->paths);
}

/*
 * Splits the index into entries.  1: a form left to libgit2.  room is
 * the number of entries to make space for.
 */
static int
parse_index(struct index *ix, size_t room)
{
	const unsigned char *p = ix->raw, *q, *end, *nul;
	unsigned char sum[SUMSZ];
	size_t i, count, off, prevlen = 0, cap;
	uint32_t ver;

	if (ix->len < HDR + SUMSZ || memcmp(p, "DIRC", 4) != 0)
		return 1;
	ver = be32(p + 4);
	count = be32(p + 8);
	end = p + ix->len - SUMSZ;
	if (ver < 2 || ver > 4 || count > (ix->len - HDR) / FIXED)
		return 1;
	if (!sha1(sum, p, ix->len - SUMSZ))
		return irt_error_set(IRT_ERROR, "cannot hash the index");
	if (memcmp(sum, end, SUMSZ) != 0)
		return 1;
	cap = ix->len * 2 + 64; /* grown for v4 paths that share prefixes */
	if ((ix->e = calloc(count + room + 1, sizeof *ix->e)) == NULL ||
	    (ix->paths = malloc(cap)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	off = HDR;
	for (i = 0; i < count; i++) {
		struct ient *e = &ix->e[i];
		size_t strip = 0, slen;
		unsigned flags;

		if ((size_t)(end - p) - off < FIXED)
			return 1;
		flags = (unsigned)p[off + 60] << 8 | p[off + 61];
		e->fixed = p + off;
		e->fixedlen = FIXED;
		if (flags & F_EXTENDED) {
			if (ver < 3)
				return 1;
			e->fixedlen += 2;
		}
		if ((flags & F_STAGE) != 0 ||
		    (size_t)(end - p) - off < e->fixedlen + 1)
			return 1;
		q = p + off + e->fixedlen;
		if (ver == 4 &&
		    (get_varint(&strip, &q, end) != 0 || strip > prevlen))
			return 1;
		if ((nul = memchr(q, '\0', (size_t)(end - q))) == NULL)
			return 1;
		slen = (size_t)(nul - q);
		e->path = ix->pathslen;
		e->plen = ver == 4 ? prevlen - strip + slen : slen;
		if (e->plen == 0 || e->plen > PATHMAX)
			return 1;
		if (cap - ix->pathslen < e->plen + 1) {
			char *np;

			cap = cap * 2 + e->plen + 1;
			if ((np = realloc(ix->paths, cap)) == NULL)
				return irt_error_set(
				    IRT_ENOMEM, "out of memory");
			ix->paths = np;
		}
		/* the length git reads the path by, copied into the result */
		if ((flags & F_NAMEMASK) !=
		    (e->plen < F_NAMEMASK ? e->plen : F_NAMEMASK))
			return 1;
		if (ver == 4) {
			if (prevlen - strip > 0)
				memmove(ix->paths + e->path,
				    ix->paths + ix->e[i - 1].path,
				    prevlen - strip);
		}
		memcpy(ix->paths + e->path + e->plen - slen, q, slen);
		ix->paths[e->path + e->plen] = '\0';
		ix->pathslen += e->plen + 1;
		if (i > 0 &&
		    path_cmp(ix->paths + ix->e[i - 1].path, ix->e[i - 1].plen,
		        ix->paths + e->path, e->plen) >= 0)
			return 1;
		prevlen = e->plen;
		if (ver == 4) {
			off = (size_t)(nul + 1 - p);
		} else {
			off += (e->fixedlen + slen + 8) & ~(size_t)7;
			if (off > (size_t)(end - p))
				return 1;
		}
	}
	ix->n = count;
	/* extensions: any required one (lowercase) is left to libgit2 */
	while (off < (size_t)(end - p)) {
		size_t sz;

		if ((size_t)(end - p) - off < 8 || p[off] < 'A' || p[off] > 'Z')
			return 1;
		sz = be32(p + off + 4);
		if (sz > (size_t)(end - p) - off - 8)
			return 1;
		off += 8 + sz;
	}
	return 0;
}

static const char *
ent_path(const struct index *ix, const struct ient *e)
{
	return e->put != NULL ? e->put->path : ix->paths + e->path;
}

/* The first entry not before path: its position; *found if equal. */
static size_t
lower_bound(const struct index *ix, const char *path, size_t len, int *found)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ient *e = &ix->e[mid];

		if (path_cmp(ent_path(ix, e), e->plen, path, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < ix->n &&
	    path_cmp(ent_path(ix, &ix->e[lo]), ix->e[lo].plen, path, len) == 0;
	return lo;
}

/* Does path clash with an entry as a file inside it or a folder of it? */
static int
df_clash(const struct index *ix, const char *path)
{
	size_t len = strlen(path), i, pos;
	int found;

	for (i = 0; i < len; i++) {
		if (path[i] != '/')
			continue;
		lower_bound(ix, path, i, &found);
		if (found)
			return 1;
	}
	/* entries below "path/" sort right after it */
	pos = lower_bound(ix, path, len, &found);
	for (i = pos; i < ix->n; i++) {
		const struct ient *e = &ix->e[i];
		const char *s = ent_path(ix, e);

		if (e->plen <= len || memcmp(s, path, len) != 0)
			break;
		if (s[len] == '/')
			return 1;
		if ((unsigned char)s[len] > '/')
			break;
	}
	return 0;
}

static int
put_cmp(const void *x, const void *y)
{
	const struct irt_index_put *a = x, *b = y;

	return strcmp(a->path, b->path);
}

static void
new_fixed(unsigned char out[FIXED], const struct irt_index_put *p, size_t plen)
{
	const struct stat *st = p->st;
	unsigned char *w = out;

	w = put32(w, (uint32_t)st->st_ctim.tv_sec);
	w = put32(w, (uint32_t)st->st_ctim.tv_nsec);
	w = put32(w, (uint32_t)st->st_mtim.tv_sec);
	w = put32(w, (uint32_t)st->st_mtim.tv_nsec);
	w = put32(w, (uint32_t)st->st_dev);
	w = put32(w, (uint32_t)st->st_ino);
	w = put32(w, 0100644);
	w = put32(w, (uint32_t)st->st_uid);
	w = put32(w, (uint32_t)st->st_gid);
	w = put32(w, (uint32_t)st->st_size);
	memcpy(w, p->oid->id, GIT_OID_RAWSZ);
	w += GIT_OID_RAWSZ;
	w[0] = (unsigned char)((plen < F_NAMEMASK ? plen : F_NAMEMASK) >> 8);
	w[1] = (unsigned char)(plen < F_NAMEMASK ? plen : F_NAMEMASK);
}

/* Merges the puts into the entries.  1: a form left to libgit2. */
static int
merge_puts(struct index *ix, struct irt_index_put *puts, size_t n)
{
	size_t i, pos;
	int found;

	qsort(puts, n, sizeof *puts, put_cmp);
	for (i = 0; i < n; i++) {
		size_t len = strlen(puts[i].path);

		if (len == 0 || len > PATHMAX ||
		    (i > 0 && !strcmp(puts[i].path, puts[i - 1].path)))
			return 1;
		pos = lower_bound(ix, puts[i].path, len, &found);
		if (!found) {
			if (df_clash(ix, puts[i].path))
				return 1;
			memmove(&ix->e[pos + 1], &ix->e[pos],
			    (ix->n - pos) * sizeof *ix->e);
			ix->n++;
		}
		/* the path is read from the put: it outlives the index */
		ix->e[pos].put = &puts[i];
		ix->e[pos].fixed = NULL;
		ix->e[pos].fixedlen = FIXED;
		ix->e[pos].plen = len;
	}
	return 0;
}

/* Writes the entries as a version 4 index into out. */
static int
serialize(struct irt_buf *out, const struct index *ix)
{
	const char *prev = "";
	size_t prevlen = 0, i, bound = HDR + SUMSZ;
	unsigned char *w, sum[SUMSZ];

	for (i = 0; i < ix->n; i++)
		bound += ix->e[i].fixedlen + 16 + ix->e[i].plen + 1;
	if (irt_buf_grow(out, bound) != 0)
		return IRT_ENOMEM;
	w = (unsigned char *)out->ptr;
	memcpy(w, "DIRC", 4);
	w = put32(put32(w + 4, 4), (uint32_t)ix->n);
	for (i = 0; i < ix->n; i++) {
		const struct ient *e = &ix->e[i];
		const char *path = ent_path(ix, e);
		size_t common = 0;

		if (e->put != NULL)
			new_fixed(w, e->put, e->plen);
		else
			memcpy(w, e->fixed, e->fixedlen);
		w += e->fixedlen;
		while (common < prevlen && common < e->plen &&
		    prev[common] == path[common])
			common++;
		w = put_varint(w, prevlen - common);
		memcpy(w, path + common, e->plen - common);
		w += e->plen - common;
		*w++ = '\0';
		prev = path;
		prevlen = e->plen;
	}
	out->len = (size_t)(w - (unsigned char *)out->ptr);
	if (!sha1(sum, out->ptr, out->len))
		return irt_error_set(IRT_ERROR, "cannot hash the index");
	memcpy(w, sum, SUMSZ);
	out->len += SUMSZ;
	return 0;
}

/* --- version 4, copied through ------------------------------------------ */

/* The entry at the decoder and the path it names. */
struct v4 {
	const unsigned char *p, *end; /* the next entry; the entries' end */
	const unsigned char *start;   /* the entry decoded */
	size_t fixedlen;
	const unsigned char *suffix; /* its path after the shared prefix */
	size_t slen;
	char path[PATHMAX + 1];
	size_t plen;
};

/* Decodes the next entry: 0, or 1 for a form left to libgit2. */
static int
v4_next(struct v4 *d)
{
	const unsigned char *q, *nul;
	size_t strip = 0, plen;
	unsigned flags;

	if ((size_t)(d->end - d->p) < FIXED)
		return 1;
	flags = (unsigned)d->p[60] << 8 | d->p[61];
	d->start = d->p;
	d->fixedlen = FIXED + ((flags & F_EXTENDED) ? 2 : 0);
	if ((flags & F_STAGE) != 0 || (size_t)(d->end - d->p) < d->fixedlen + 1)
		return 1;
	q = d->p + d->fixedlen;
	if (get_varint(&strip, &q, d->end) != 0 || strip > d->plen ||
	    (nul = memchr(q, '\0', (size_t)(d->end - q))) == NULL)
		return 1;
	d->suffix = q;
	d->slen = (size_t)(nul - q);
	plen = d->plen - strip + d->slen;
	if (plen == 0 || plen > PATHMAX ||
	    (flags & F_NAMEMASK) != (plen < F_NAMEMASK ? plen : F_NAMEMASK))
		return 1;
	/* strictly after the entry before, which the buffer still holds */
	{
		size_t keep = d->plen - strip, i;
		int r = 0;

		for (i = 0; i < d->slen && keep + i < d->plen && r == 0; i++)
			r = (unsigned char)q[i] -
			    (unsigned char)d->path[keep + i];
		if (d->plen > 0 && (r < 0 || (r == 0 && plen <= d->plen)))
			return 1;
	}
	memcpy(d->path + d->plen - strip, q, d->slen);
	d->plen = plen;
	d->path[plen] = '\0';
	d->p = nul + 1;
	return 0;
}

/* The output: buffered, and hashed as it is written. */
struct sink {
	int fd;
	SHA_CTX md;
	unsigned char *buf;
	size_t len, cap;
	int err; /* errno of a write that failed */
};

static void
sink_write(struct sink *s, const void *p, size_t n)
{
	if (s->err != 0 || n == 0)
		return;
	if (SHA1_Update(&s->md, p, n) != 1)
		s->err = EIO;
	else if (irt_write_all(s->fd, p, n) != 0)
		s->err = errno ? errno : EIO;
}

static void
sink_flush(struct sink *s)
{
	sink_write(s, s->buf, s->len);
	s->len = 0;
}

static void
sink_put(struct sink *s, const void *p, size_t n)
{
	if (n >= s->cap / 2) {
		/* a run of entries copied through: straight from the map */
		sink_flush(s);
		sink_write(s, p, n);
		return;
	}
	if (s->len + n > s->cap)
		sink_flush(s);
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* Writes an entry's fixed part and its path compressed against last. */
static void
put_entry(struct sink *s, const unsigned char *fixed, size_t fixedlen,
    const char *path, size_t plen, const char *last, size_t lastlen)
{
	unsigned char v[16], *e;
	size_t common = 0;

	while (
	    common < lastlen && common < plen && last[common] == path[common])
		common++;
	sink_put(s, fixed, fixedlen);
	e = put_varint(v, lastlen - common);
	sink_put(s, v, (size_t)(e - v));
	sink_put(s, path + common, plen - common);
	sink_put(s, "", 1);
}

/* Does path clash with put p as a file inside it or a folder of it? */
static int
clash(const char *path, size_t plen, const char *put, size_t putlen)
{
	if (plen < putlen)
		return put[plen] == '/' && memcmp(put, path, plen) == 0;
	if (putlen < plen)
		return path[putlen] == '/' && memcmp(path, put, putlen) == 0;
	return 0;
}

/*
 * A version 4 index with n puts (sorted, distinct): every entry is
 * copied through as it is, but those put and the one after each (its
 * path is compressed against the one before it), straight from the map
 * to the file, hashed on the way.  A first pass checks the whole index
 * and finds which puts replace an entry, so that a form left to libgit2
 * (1) is known before anything is written.
 */
static int
put_v4(int fd, const unsigned char *raw, size_t len,
    const struct irt_index_put *puts, size_t n, const char *lock)
{
	struct v4 *d = NULL;
	struct sink s = { .fd = fd, .cap = 1 << 16 };
	const unsigned char *end = raw + len - SUMSZ, *run;
	unsigned char hdr[HDR], fixed[FIXED], sum[SUMSZ];
	char *last = NULL;
	size_t count = be32(raw + 8), i, j, off, inserted = n, lastlen = 0;
	int rc = 1;

	if ((d = calloc(1, sizeof *d)) == NULL ||
	    (last = malloc(PATHMAX + 1)) == NULL ||
	    (s.buf = malloc(s.cap)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	/* the first pass: the form, and which puts are there already */
	d->p = raw + HDR;
	d->end = end;
	for (i = 0; i < count; i++) {
		if (v4_next(d) != 0)
			goto out;
		for (j = 0; j < n; j++) {
			size_t pl = strlen(puts[j].path);

			if (pl == d->plen &&
			    memcmp(puts[j].path, d->path, pl) == 0)
				inserted--;
			else if (clash(d->path, d->plen, puts[j].path, pl))
				goto out;
		}
	}
	for (off = (size_t)(d->p - raw); off < (size_t)(end - raw);) {
		size_t sz;

		/* an extension libgit2 must read (lowercase) is its to keep */
		if ((size_t)(end - raw) - off < 8 || raw[off] < 'A' ||
		    raw[off] > 'Z')
			goto out;
		sz = be32(raw + off + 4);
		if (sz > (size_t)(end - raw) - off - 8)
			goto out;
		off += 8 + sz;
	}
	/* the second pass writes */
	if (SHA1_Init(&s.md) != 1) {
		rc = irt_error_set(IRT_ERROR, "cannot hash the index");
		goto out;
	}
	memcpy(hdr, "DIRC", 4);
	put32(put32(hdr + 4, 4), (uint32_t)(count + inserted));
	sink_put(&s, hdr, HDR);
	memset(d, 0, sizeof *d);
	d->p = run = raw + HDR;
	d->end = end;
	for (i = 0, j = 0; i < count; i++) {
		int any = 0, replaced = 0;

		if (v4_next(d) != 0) { /* read once already: cannot be */
			rc = irt_error_set(IRT_ERROR, "the index changed");
			goto out;
		}
		/* the puts that sort before this entry, or replace it */
		while (j < n && !replaced &&
		    path_cmp(puts[j].path, strlen(puts[j].path), d->path,
		        d->plen) <= 0) {
			size_t pl = strlen(puts[j].path);

			if (!any)
				sink_put(&s, run, (size_t)(d->start - run));
			any = 1;
			replaced = pl == d->plen &&
			    memcmp(puts[j].path, d->path, pl) == 0;
			new_fixed(fixed, &puts[j], pl);
			put_entry(
			    &s, fixed, FIXED, puts[j].path, pl, last, lastlen);
			memcpy(last, puts[j].path, pl);
			lastlen = pl;
			j++;
		}
		if (any) {
			/* written again against the one put before it, or
			 * left out when replaced (the next one then follows
			 * the same path, and is copied as it is) */
			if (!replaced)
				put_entry(&s, d->start, d->fixedlen, d->path,
				    d->plen, last, lastlen);
			run = d->p;
		}
		memcpy(last, d->path, d->plen);
		lastlen = d->plen;
	}
	sink_put(&s, run, (size_t)(d->p - run));
	for (; j < n; j++) {
		size_t pl = strlen(puts[j].path);

		new_fixed(fixed, &puts[j], pl);
		put_entry(&s, fixed, FIXED, puts[j].path, pl, last, lastlen);
		memcpy(last, puts[j].path, pl);
		lastlen = pl;
	}
	/* optional extensions are dropped: the entries they describe change */
	sink_flush(&s);
	if (s.err == 0 && SHA1_Final(sum, &s.md) != 1)
		s.err = EIO;
	if (s.err == 0 && irt_write_all(fd, sum, SUMSZ) != 0)
		s.err = errno ? errno : EIO;
	rc = s.err == 0
	    ? 0
	    : irt_error_sys(IRT_EIO, s.err, "cannot write '%s'", irt_esc(lock));
out:
	free(s.buf);
	free(last);
	free(d);
	return rc;
}

static int
put_cmp_path(const void *x, const void *y)
{
	const struct irt_index_put *a = x, *b = y;

	return path_cmp(a->path, strlen(a->path), b->path, strlen(b->path));
}

int
irt_case__index_put(
    const char *gitdir, const struct irt_index_put *puts, size_t n)
{
	struct index ix = { 0 };
	struct irt_index_put *sorted = NULL;
	struct irt_buf out = IRT_BUF_INIT;
	char lock[4096], path[4096];
	unsigned char sum[SUMSZ];
	void *map = MAP_FAILED;
	struct stat st;
	size_t i, len = 0;
	int fd, in = -1, rc;

	if ((size_t)snprintf(path, sizeof path, "%sindex", gitdir) >=
	        sizeof path ||
	    (size_t)snprintf(lock, sizeof lock, "%sindex.lock", gitdir) >=
	        sizeof lock)
		return 1;
	fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot lock '%s'", irt_esc(lock));
	if ((sorted = calloc(n ? n : 1, sizeof *sorted)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(sorted, puts, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, put_cmp_path);
	rc = 1;
	for (i = 0; i < n; i++) {
		size_t j, li = strlen(sorted[i].path);

		if (li == 0 || li > PATHMAX ||
		    (i > 0 && strcmp(sorted[i].path, sorted[i - 1].path) == 0))
			goto out;
		/* a file put and a folder of it put */
		for (j = i + 1; j < n; j++)
			if (clash(sorted[j].path, strlen(sorted[j].path),
			        sorted[i].path, li))
				goto out;
	}
	/* mapped, not read: the pages of the file are not copied */
	if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(in, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size < HDR + SUMSZ ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, in,
	         0)) == MAP_FAILED)
		goto out;
	len = (size_t)st.st_size;
	ix.raw = map;
	ix.len = len;
	if (memcmp(ix.raw, "DIRC", 4) != 0)
		goto out;
	if (!sha1(sum, ix.raw, len - SUMSZ)) {
		rc = irt_error_set(IRT_ERROR, "cannot hash the index");
		goto out;
	}
	if (memcmp(sum, ix.raw + len - SUMSZ, SUMSZ) != 0)
		goto out;
	if (be32(ix.raw + 4) == 4 && be32(ix.raw + 8) <= (len - HDR) / FIXED) {
		rc = put_v4(fd, ix.raw, len, sorted, n, lock);
		if (rc != 1)
			goto done;
	}
	/* another version (git writes 2), or a form the copy does not take */
	if ((rc = parse_index(&ix, n)) != 0 ||
	    (rc = merge_puts(&ix, sorted, n)) != 0 ||
	    (rc = serialize(&out, &ix)) != 0)
		goto out;
	if (irt_write_all(fd, out.ptr, out.len) != 0) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot write '%s'", irt_esc(lock));
		goto out;
	}
done:
	if (rc != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot write '%s'", irt_esc(lock));
		goto out;
	}
	fd = -1;
	if (rename(lock, path) != 0) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot replace '%s'", irt_esc(path));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(lock);
	if (map != MAP_FAILED)
		munmap(map, len);
	if (in >= 0)
		close(in);
	ix.raw = NULL; /* the map, unmapped above */
	irt_buf_release(&out);
	index_free(&ix);
	free(sorted);
	return rc;
}
