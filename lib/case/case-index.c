/*
 * Putting entries into .git/index without loading it into libgit2.
 *
 * The index of a case lists every note, and libgit2 parses all of it
 * into memory and writes it back to add one.  This copies the entries
 * through in one pass instead, and checks and writes the trailing SHA-1
 * with libcrypto.  The format is git's index-format.txt, versions 2 to
 * 4; the result is version 4.  Forms it does not handle (conflict
 * stages, required extensions, a bad checksum, a file and a folder of
 * the same name) are left to libgit2: it says so and changes nothing.
 * Optional extensions (the cached trees among them) are dropped, as
 * the entries they describe change.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

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
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha1(), NULL) == 1 &&
	    n == SUMSZ;
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

int
irt_case__index_put(
    const char *gitdir, const struct irt_index_put *puts, size_t n)
{
	struct index ix = { 0 };
	struct irt_index_put *sorted = NULL;
	struct irt_buf out = IRT_BUF_INIT;
	char lock[4096], path[4096];
	int fd, rc;

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
	{
		struct irt_buf in = IRT_BUF_INIT;

		if (irt_buf_read_file(&in, path) != 0) {
			irt_error_clear();
			irt_buf_release(&in);
			rc = 1;
			goto out;
		}
		ix.raw = (unsigned char *)in.ptr;
		ix.len = in.len;
	}
	if ((rc = parse_index(&ix, n)) != 0 ||
	    (rc = merge_puts(&ix, sorted, n)) != 0 ||
	    (rc = serialize(&out, &ix)) != 0)
		goto out;
	if (irt_write_all(fd, out.ptr, out.len) != 0) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot write '%s'", irt_esc(lock));
		goto out;
	}
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
	irt_buf_release(&out);
	index_free(&ix);
	free(sorted);
	return rc;
}
