/*
 * irt verify: re-reads an evidence archive and checks it against its
 * manifests and its sidecar checksum.
 */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect-int.h"
#include "util/internal.h"
#include "irt/archive-verify.h"
#include "irt/collect.h"
#include "irt/hash.h"
#include "irt/json.h"

#define READ_BUF (1u << 20)
#define MANIFEST_MAX (512u << 20)

/* What the archive holds, entry by entry. */
struct member {
	char *path;
	char sha256[65];  /* whole content; "" when not computed */
	char extents[65]; /* sparse data extents; "" unless sparse */
	uint64_t holes;   /* sparse: bytes of holes */
	int regular;
	int referenced;
	int over_budget; /* sparse: whole-file hash not computed */
	int extents_ok;  /* ... its stored data matched extents_sha256 */
};

struct reader {
	int fd;
	struct irt_hash *h;
	unsigned char *buf;
	int err;
};

struct vctx {
	struct irt_verify_report *r;
	struct member *m;
	size_t n, cap;
	size_t pcap, ncap; /* of r->problems, r->notes */
	struct irt_buf jsonl, sums;
	int have_jsonl, have_sums;
	uint64_t budget;                     /* hole bytes left to hash */
	uint64_t budget_all;                 /* the whole budget */
	struct irt_pathset altered, missing; /* reported once */
};

static la_ssize_t
r_read(struct archive *a, void *arg, const void **out)
{
	struct reader *rd = arg;
	ssize_t n;

	(void)a;
	for (;;) {
		n = read(rd->fd, rd->buf, READ_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0) {
		rd->err = errno;
		archive_set_error(a, errno, "read error");
		return -1;
	}
	irt_hash_update(rd->h, rd->buf, (size_t)n);
	*out = rd->buf;
	return n;
}

static int
add_item(struct irt_verify_problem **v, size_t *n, size_t *cap,
    const char *kind, const char *path, const char *fmt, va_list ap)
{
	struct irt_verify_problem *nv;
	struct irt_buf b = IRT_BUF_INIT;

	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		if ((nv = realloc(*v, nc * sizeof *nv)) == NULL)
			return IRT_ENOMEM;
		*v = nv;
		*cap = nc;
	}
	irt_buf_vprintf(&b, fmt, ap);
	(*v)[*n].kind = strdup(kind);
	(*v)[*n].path = path ? strdup(path) : NULL;
	(*v)[*n].detail = irt_buf_detach(&b);
	(*n)++;
	return 0;
}

static int problem(struct vctx *v, const char *kind, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
problem(
    struct vctx *v, const char *kind, const char *path, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = add_item(
	    &v->r->problems, &v->r->nproblems, &v->pcap, kind, path, fmt, ap);
	va_end(ap);
	return rc;
}

static int note(struct vctx *v, const char *kind, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
note(struct vctx *v, const char *kind, const char *path, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = add_item(
	    &v->r->notes, &v->r->nnotes, &v->ncap, kind, path, fmt, ap);
	va_end(ap);
	return rc;
}

static int
member_cmp(const void *a, const void *b)
{
	return strcmp(
	    ((const struct member *)a)->path, ((const struct member *)b)->path);
}

static struct member *
lookup(struct vctx *v, const char *path)
{
	struct member key;

	key.path = (char *)path;
	if (v->n == 0)
		return NULL;
	return bsearch(&key, v->m, v->n, sizeof *v->m, member_cmp);
}

/*
 * Reads one member's data, hashing it.  The holes of a sparse member are
 * hashed as zeros only within the archive's budget (see
 * IRT_VERIFY_HOLES_BASE) and only up to the size the collector hashes
 * whole: a few bytes must not buy hours of hashing.  Returns 1 when the
 * member cannot be read.
 */
static int
read_member(struct vctx *v, struct archive *a, struct archive_entry *e,
    struct member *m, struct irt_buf *keep)
{
	struct irt_hash *h = NULL, *hx = NULL;
	const void *buf;
	size_t len;
	la_int64_t off, pos = 0, size = archive_entry_size(e), soff, slen;
	uint64_t data = 0, zeros = 0;
	int sparse, logical = 1, rc = 0, ar, bad_map = 0;
	static const unsigned char zbuf[65536];

	if (size < 0)
		size = 0;
	sparse = archive_entry_sparse_reset(e) > 0;
	if (sparse) {
		while (archive_entry_sparse_next(e, &soff, &slen) == ARCHIVE_OK)
			if (slen > 0)
				data += (uint64_t)slen;
		m->holes = (uint64_t)size > data ? (uint64_t)size - data : 0;
		if ((uint64_t)size > IRT_COLLECT_SPARSE_HASH_MAX)
			logical = 0; /* the collector gives it no sha256 */
		else if (m->holes > v->budget) {
			logical = 0;
			m->over_budget = 1;
		} else
			v->budget -= m->holes;
	}
	if (irt_hash_new(&h, IRT_HASH_SHA256) != 0 ||
	    (sparse && irt_hash_new(&hx, IRT_HASH_SHA256) != 0)) {
		rc = IRT_ENOMEM;
		goto out;
	}
	for (;;) {
		ar = archive_read_data_block(a, &buf, &len, &off);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar < ARCHIVE_WARN) {
			rc = 1;
			goto out;
		}
		if (off < pos || off > size || (la_int64_t)len > size - off) {
			/* data outside the member, or out of order */
			if (!bad_map)
				problem(v, "corrupt", m->path,
				    "sparse map: %zu bytes at offset %lld, "
				    "past "
				    "the size %lld or before offset %lld",
				    len, (long long)off, (long long)size,
				    (long long)pos);
			bad_map = 1;
			logical = 0;
		}
		while (logical && pos < off) {
			size_t k = (size_t)(off - pos) < sizeof zbuf
			    ? (size_t)(off - pos)
			    : sizeof zbuf;
			if ((zeros += k) > m->holes) {
				logical = 0; /* more holes than the map said */
				break;
			}
			irt_hash_update(h, zbuf, k);
			pos += (la_int64_t)k;
		}
		if (logical)
			irt_hash_update(h, buf, len);
		if (hx)
			irt_hash_update(hx, buf, len);
		if (keep && keep->len + len <= MANIFEST_MAX)
			irt_buf_put(keep, buf, len);
		if (!bad_map)
			pos = off + (la_int64_t)len;
	}
	while (logical && pos < size) {
		size_t k = (size_t)(size - pos) < sizeof zbuf
		    ? (size_t)(size - pos)
		    : sizeof zbuf;
		if (sparse && (zeros += k) > m->holes) {
			logical = 0;
			break;
		}
		if (!sparse) {
			/* a plain member shorter than its header says */
			rc = 1;
			goto out;
		}
		irt_hash_update(h, zbuf, k);
		pos += (la_int64_t)k;
	}
	if (logical && irt_hash_final(h) == 0)
		memcpy(m->sha256, irt_hash_hex(h, IRT_HASH_SHA256), 65);
	if (hx && irt_hash_final(hx) == 0)
		memcpy(m->extents, irt_hash_hex(hx, IRT_HASH_SHA256), 65);
out:
	irt_hash_free(h);
	irt_hash_free(hx);
	return rc;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The exact bytes of a path: key_hex when present, else key. */
static char *
json_path(json_object *o, const char *key)
{
	json_object *x;
	char hk[64];
	const char *s;
	size_t i, n;
	char *out;

	snprintf(hk, sizeof hk, "%s_hex", key);
	if (json_object_object_get_ex(o, hk, &x) &&
	    json_object_is_type(x, json_type_string)) {
		s = json_object_get_string(x);
		n = strlen(s);
		if (n % 2 != 0 || (out = malloc(n / 2 + 1)) == NULL)
			return NULL;
		for (i = 0; i < n / 2; i++) {
			int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				free(out);
				return NULL;
			}
			out[i] = (char)(hi << 4 | lo);
		}
		out[n / 2] = '\0';
		return out;
	}
	if (json_object_object_get_ex(o, key, &x) &&
	    json_object_is_type(x, json_type_string))
		return strdup(json_object_get_string(x));
	return NULL;
}

/*
 * A sparse member whose whole-file hash verify did not compute (holes
 * past the budget, or a size above IRT_COLLECT_SPARSE_HASH_MAX): its
 * stored data against extents_sha256, and a note that says so.
 */
static void
check_extents(
    struct vctx *v, struct member *m, const char *ap, const char *wantx)
{
	if (wantx == NULL) {
		if (irt_pathset_add(&v->altered, ap) == 0)
			problem(v, "unchecked", ap,
			    "sparse, %llu bytes of holes%s: its whole-file "
			    "hash is not computed again, and the manifest "
			    "gives no extents_sha256",
			    (unsigned long long)m->holes,
			    m->over_budget ? " past the budget of verify" : "");
		return;
	}
	v->r->checked++;
	if (strcmp(wantx, m->extents) != 0) {
		if (irt_pathset_add(&v->altered, ap) == 0)
			problem(v, "altered", ap,
			    "extents sha256 %s, manifest says %s", m->extents,
			    wantx);
		return;
	}
	m->extents_ok = 1;
	if (m->over_budget)
		note(v, "budget", ap,
		    "sparse, %llu bytes of holes past what is left of the "
		    "%llu bytes verify hashes for this archive: the "
		    "whole-file hash is not computed again; the stored data "
		    "matches extents_sha256",
		    (unsigned long long)m->holes,
		    (unsigned long long)v->budget_all);
}

static void
check_jsonl(struct vctx *v)
{
	const char *s = irt_buf_cstr(&v->jsonl), *end = s + v->jsonl.len, *nl;
	unsigned line = 0;

	while (s < end) {
		json_object *o;
		char *ap;
		const char *want, *wantx, *type;
		struct member *m;

		line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		{
			char *l = strndup(s, (size_t)(nl - s));
			o = l ? json_tokener_parse(l) : NULL;
			free(l);
		}
		s = nl + 1;
		if (o == NULL || !json_object_is_type(o, json_type_object)) {
			problem(v, "manifest", "irt/manifest.jsonl",
			    "line %u is not a JSON object", line);
			json_object_put(o);
			continue;
		}
		ap = json_path(o, "archive_path");
		if (ap == NULL) {
			json_object_put(o);
			continue; /* not stored */
		}
		want = irt_json_get_str(o, "sha256");
		wantx = irt_json_get_str(o, "extents_sha256");
		type = irt_json_get_str(o, "type");
		m = lookup(v, ap);
		if (m == NULL) {
			if (irt_pathset_add(&v->missing, ap) == 0)
				problem(v, "missing", ap,
				    "in the manifest, not in the archive");
		} else {
			m->referenced = 1;
			if (want != NULL && m->sha256[0] == '\0' &&
			    m->extents[0] != '\0') {
				/* sparse, its holes not hashed again: what it
				 * stores is checked */
				check_extents(v, m, ap, wantx);
			} else if (want != NULL) {
				v->r->checked++;
				if (strcmp(want, m->sha256) != 0 &&
				    irt_pathset_add(&v->altered, ap) == 0)
					problem(v, "altered", ap,
					    "sha256 %s, manifest says %s",
					    m->sha256[0] ? m->sha256 : "?",
					    want);
			} else if (wantx != NULL) {
				v->r->checked++;
				if (strcmp(wantx, m->extents) != 0 &&
				    irt_pathset_add(&v->altered, ap) == 0)
					problem(v, "altered", ap,
					    "extents sha256 %s, manifest says "
					    "%s",
					    m->extents[0] ? m->extents : "?",
					    wantx);
				else
					m->extents_ok = 1;
			} else if (type != NULL && strcmp(type, "file") == 0 &&
			    m->regular)
				problem(v, "manifest", ap,
				    "stored file without a hash");
		}
		free(ap);
		json_object_put(o);
	}
}

/* Unescapes a sha256sum name ("\\" and "\n"). */
static char *
sum_name(const char *s, size_t n, int escaped)
{
	struct irt_buf b = IRT_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		if (escaped && s[i] == '\\' && i + 1 < n) {
			i++;
			irt_buf_putc(&b,
			    s[i] == 'n'       ? '\n'
			        : s[i] == 'r' ? '\r'
			                      : s[i]);
		} else
			irt_buf_putc(&b, s[i]);
	}
	if (b.ptr == NULL)
		irt_buf_grow(&b, 0);
	return irt_buf_detach(&b);
}

static void
check_sums(struct vctx *v)
{
	const char *s = irt_buf_cstr(&v->sums), *end = s + v->sums.len, *nl;
	unsigned line = 0;

	while (s < end) {
		const char *p = s;
		int escaped = 0;
		char hex[65], *name;
		struct member *m;
		size_t i;

		line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		s = nl + 1;
		if (p == nl || *p == '#')
			continue;
		if (*p == '\\') {
			escaped = 1;
			p++;
		}
		for (i = 0;
		     i < 64 && p + i < nl && isxdigit((unsigned char)p[i]); i++)
			hex[i] = p[i];
		hex[i] = '\0';
		if (i != 64 || p + 66 > nl || p[64] != ' ' || p[65] != ' ') {
			problem(v, "manifest", "irt/manifest.sha256",
			    "line %u is malformed", line);
			continue;
		}
		name = sum_name(p + 66, (size_t)(nl - (p + 66)), escaped);
		m = name ? lookup(v, name) : NULL;
		if (m == NULL) {
			if (name && irt_pathset_add(&v->missing, name) == 0)
				problem(v, "missing", name,
				    "in manifest.sha256, not in the archive");
		} else if (m->sha256[0] == '\0' && m->extents[0] != '\0') {
			/* sparse, not hashed whole: manifest.jsonl told */
			m->referenced = 1;
			if (!m->extents_ok &&
			    irt_pathset_add(&v->altered, name) == 0)
				problem(v, "unchecked", name,
				    "sparse, %llu bytes of holes: its "
				    "whole-file "
				    "hash is not computed again, and no "
				    "extents_sha256 matched",
				    (unsigned long long)m->holes);
		} else {
			m->referenced = 1;
			v->r->checked++;
			if (strcmp(m->sha256, hex) != 0 &&
			    irt_pathset_add(&v->altered, name) == 0)
				problem(v, "altered", name,
				    "sha256 %s, manifest.sha256 says %s",
				    m->sha256[0] ? m->sha256 : "?", hex);
		}
		free(name);
	}
}

static void
check_sidecar(struct vctx *v, const char *path)
{
	struct irt_buf b = IRT_BUF_INIT, p = IRT_BUF_INIT;

	irt_buf_printf(&p, "%s.sha256", path);
	if (irt_buf_read_file(&b, p.ptr) != 0) {
		v->r->sidecar = 0;
		problem(v, "sidecar", NULL, "no '%s'", irt_esc(p.ptr));
	} else if (b.len < 64 || strncmp(b.ptr, v->r->sha256, 64) != 0) {
		v->r->sidecar = -1;
		problem(v, "sidecar", NULL,
		    "archive sha256 %s, '%s' says %.64s", v->r->sha256,
		    irt_esc(p.ptr), irt_buf_cstr(&b));
	} else
		v->r->sidecar = 1;
	irt_buf_release(&b);
	irt_buf_release(&p);
}

/* The irt/ files that irt/manifest.sha256 lists (all but itself). */
static int
is_irt_meta(const char *p)
{
	return strcmp(p, "irt/manifest.jsonl") == 0 ||
	    strcmp(p, "irt/bodyfile") == 0 ||
	    strcmp(p, "irt/collection.log") == 0;
}

/* Does irt/manifest.sha256 say that it lists every other member? */
static int
covers_all(const struct irt_buf *sums)
{
	const char *s = irt_buf_cstr(sums), *end = s + sums->len, *nl;
	size_t n = strlen(IRT_COLLECT_COVERS_ALL);

	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if ((size_t)(nl - s) == n &&
		    memcmp(s, IRT_COLLECT_COVERS_ALL, n) == 0)
			return 1;
	}
	return 0;
}

/* What is not listed anywhere, and what only the sidecar protects. */
static void
check_coverage(struct vctx *v, int broken)
{
	struct irt_buf old = IRT_BUF_INIT;
	int all = v->have_sums && covers_all(&v->sums);
	size_t i, nproblems = v->r->nproblems;

	for (i = 0; !broken && v->have_jsonl && i < v->n; i++) {
		const char *p = v->m[i].path;
		if (v->m[i].referenced || strcmp(p, "irt/manifest.sha256") == 0)
			continue;
		if (!is_irt_meta(p))
			problem(v, "extra", p,
			    "in the archive, not in the manifest");
		else if (all)
			problem(v, "manifest", p,
			    "not listed in irt/manifest.sha256, which lists "
			    "every other member");
		else
			irt_buf_printf(&old, "%s%s", old.len ? ", " : "", p);
	}
	if (old.len > 0)
		note(v, "coverage", NULL,
		    "%s: not listed in irt/manifest.sha256 (an archive of an "
		    "older irt): only the sidecar protects them",
		    irt_buf_cstr(&old));
	if (v->r->sidecar == 0)
		note(v, "sidecar", NULL,
		    "without the sidecar nothing checks irt/manifest.sha256: "
		    "a rewrite of it together with the members it lists "
		    "would go unseen");
	else if (v->r->sidecar < 0 && nproblems == 1 && !broken)
		note(v, "sidecar", NULL,
		    "every member matches the manifests: only the sidecar "
		    "caught this change (in irt/manifest.sha256 itself, or in "
		    "the archive's headers or padding)");
	irt_buf_release(&old);
}

int
irt_archive_verify(struct irt_verify_report *r, const char *path)
{
	struct archive *a = NULL;
	struct archive_entry *e;
	struct reader rd;
	struct stat st;
	struct vctx v;
	size_t i;
	int ar, rc = 0, broken = 0;

	memset(r, 0, sizeof *r);
	memset(&v, 0, sizeof v);
	memset(&rd, 0, sizeof rd);
	v.r = r;
	/* never blocks on a FIFO, never reads a device for ever */
	if ((rd.fd = open(
	         path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) == -1)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	if (fstat(rd.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(rd.fd);
		return irt_error_set(
		    IRT_EINVAL, "'%s' is not a regular file", irt_esc(path));
	}
	v.budget = IRT_VERIFY_HOLES_BASE;
	if ((uint64_t)st.st_size <
	    (UINT64_MAX - v.budget) / IRT_VERIFY_HOLES_PER_BYTE)
		v.budget += (uint64_t)st.st_size * IRT_VERIFY_HOLES_PER_BYTE;
	else
		v.budget = UINT64_MAX;
	v.budget_all = v.budget;
	if ((rd.buf = malloc(READ_BUF)) == NULL ||
	    irt_hash_new(&rd.h, IRT_HASH_SHA256) != 0 ||
	    (a = archive_read_new()) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, &rd, NULL, r_read, NULL) != ARCHIVE_OK) {
		problem(&v, "corrupt", NULL, "not a tar.gz archive: %s",
		    archive_error_string(a));
		broken = 1;
	}
	while (!broken) {
		struct member *m, *nm;
		const char *name;
		int keep_j, keep_s;

		ar = archive_read_next_header(a, &e);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar < ARCHIVE_WARN) {
			problem(&v, "corrupt", NULL, "after %llu entries: %s",
			    (unsigned long long)r->entries,
			    archive_error_string(a));
			broken = 1;
			break;
		}
		r->entries++;
		name = archive_entry_pathname(e);
		if (name == NULL)
			name = "";
		if (v.n == v.cap) {
			v.cap = v.cap ? v.cap * 2 : 256;
			if ((nm = realloc(v.m, v.cap * sizeof *nm)) == NULL) {
				rc = irt_error_set(IRT_ENOMEM, "out of memory");
				goto out;
			}
			v.m = nm;
		}
		m = &v.m[v.n];
		memset(m, 0, sizeof *m);
		if ((m->path = strdup(name)) == NULL) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			goto out;
		}
		/* tar writes directories as "name/" */
		{
			size_t pl = strlen(m->path);
			while (pl > 1 && m->path[pl - 1] == '/')
				m->path[--pl] = '\0';
		}
		v.n++;
		m->regular = archive_entry_filetype(e) == AE_IFREG;
		keep_j = strcmp(name, "irt/manifest.jsonl") == 0;
		keep_s = strcmp(name, "irt/manifest.sha256") == 0;
		if (m->regular &&
		    (rc = read_member(&v, a, e, m,
		         keep_j       ? &v.jsonl
		             : keep_s ? &v.sums
		                      : NULL)) != 0) {
			if (rc < 0) {
				rc = irt_error_set(rc, "out of memory");
				goto out;
			}
			rc = 0;
			problem(&v, "corrupt", name, "cannot read: %s",
			    archive_error_string(a) ? archive_error_string(a)
			                            : "short member");
			broken = 1;
			break;
		}
		v.have_jsonl |= keep_j;
		v.have_sums |= keep_s;
	}
	/* the archive's own hash covers every byte of the file */
	{
		ssize_t n;
		while ((n = read(rd.fd, rd.buf, READ_BUF)) > 0)
			irt_hash_update(rd.h, rd.buf, (size_t)n);
	}
	if (irt_hash_final(rd.h) == 0)
		memcpy(r->sha256, irt_hash_hex(rd.h, IRT_HASH_SHA256), 65);
	check_sidecar(&v, path);
	if (v.n > 1)
		qsort(v.m, v.n, sizeof *v.m, member_cmp);
	for (i = 1; i < v.n; i++)
		if (strcmp(v.m[i - 1].path, v.m[i].path) == 0)
			problem(&v, "extra", v.m[i].path, "stored twice");
	if (!v.have_jsonl)
		problem(&v, "missing", "irt/manifest.jsonl", "no manifest");
	else
		check_jsonl(&v);
	if (!v.have_sums)
		problem(&v, "missing", "irt/manifest.sha256", "no checksums");
	else
		check_sums(&v);
	check_coverage(&v, broken);
out:
	for (i = 0; i < v.n; i++)
		free(v.m[i].path);
	free(v.m);
	irt_buf_release(&v.jsonl);
	irt_buf_release(&v.sums);
	irt_pathset_release(&v.altered);
	irt_pathset_release(&v.missing);
	if (a)
		archive_read_free(a);
	irt_hash_free(rd.h);
	free(rd.buf);
	close(rd.fd);
	if (rc != 0)
		irt_verify_report_release(r);
	return rc;
}

void
irt_verify_report_release(struct irt_verify_report *r)
{
	size_t i;

	for (i = 0; i < r->nproblems; i++) {
		free(r->problems[i].kind);
		free(r->problems[i].path);
		free(r->problems[i].detail);
	}
	free(r->problems);
	r->problems = NULL;
	r->nproblems = 0;
	for (i = 0; i < r->nnotes; i++) {
		free(r->notes[i].kind);
		free(r->notes[i].path);
		free(r->notes[i].detail);
	}
	free(r->notes);
	r->notes = NULL;
	r->nnotes = 0;
}
