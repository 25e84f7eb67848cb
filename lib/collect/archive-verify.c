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
#include <unistd.h>

#include "util/internal.h"
#include "irt/archive-verify.h"
#include "irt/collect.h"
#include "irt/hash.h"

#define READ_BUF (1u << 20)
#define MANIFEST_MAX (512u << 20)

/* What the archive holds, entry by entry. */
struct member {
	char *path;
	char sha256[65];  /* whole content; "" when not computed */
	char extents[65]; /* sparse data extents; "" unless sparse */
	int regular;
	int referenced;
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
	struct irt_buf jsonl, sums;
	int have_jsonl, have_sums;
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
problem(struct irt_verify_report *r, const char *kind, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
problem(struct irt_verify_report *r, const char *kind, const char *path,
    const char *fmt, ...)
{
	struct irt_verify_problem *nv;
	struct irt_buf b = IRT_BUF_INIT;
	va_list ap;

	if ((nv = realloc(r->problems, (r->nproblems + 1) * sizeof *nv)) ==
	    NULL)
		return IRT_ENOMEM;
	r->problems = nv;
	va_start(ap, fmt);
	irt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	nv[r->nproblems].kind = strdup(kind);
	nv[r->nproblems].path = path ? strdup(path) : NULL;
	nv[r->nproblems].detail = irt_buf_detach(&b);
	r->nproblems++;
	return 0;
}

static int
member_cmp(const void *a, const void *b)
{
	return strcmp(
	    ((const struct member *)a)->path, ((const struct member *)b)->path);
}

static int
has_problem(struct irt_verify_report *r, const char *kind, const char *path)
{
	size_t i;

	for (i = 0; i < r->nproblems; i++)
		if (strcmp(r->problems[i].kind, kind) == 0 &&
		    r->problems[i].path != NULL && path != NULL &&
		    strcmp(r->problems[i].path, path) == 0)
			return 1;
	return 0;
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

/* Reads one member's data, hashing it. */
static int
read_member(struct vctx *v, struct archive *a, struct archive_entry *e,
    struct member *m, struct irt_buf *keep)
{
	struct irt_hash *h = NULL, *hx = NULL;
	const void *buf;
	size_t len;
	la_int64_t off, pos = 0, size = archive_entry_size(e);
	int sparse = archive_entry_sparse_count(e) > 0, logical, rc = 0, ar;
	static const unsigned char zeros[65536];

	logical = !sparse || (uint64_t)size <= IRT_COLLECT_SPARSE_HASH_MAX;
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
		while (logical && pos < off) {
			size_t k = (size_t)(off - pos) < sizeof zeros
			    ? (size_t)(off - pos)
			    : sizeof zeros;
			irt_hash_update(h, zeros, k);
			pos += (la_int64_t)k;
		}
		if (logical)
			irt_hash_update(h, buf, len);
		if (hx)
			irt_hash_update(hx, buf, len);
		if (keep && keep->len + len <= MANIFEST_MAX)
			irt_buf_put(keep, buf, len);
		pos = off + (la_int64_t)len;
	}
	while (logical && pos < size) {
		size_t k = (size_t)(size - pos) < sizeof zeros
		    ? (size_t)(size - pos)
		    : sizeof zeros;
		irt_hash_update(h, zeros, k);
		pos += (la_int64_t)k;
	}
	if (logical && irt_hash_final(h) == 0)
		memcpy(m->sha256, irt_hash_hex(h, IRT_HASH_SHA256), 65);
	if (hx && irt_hash_final(hx) == 0)
		memcpy(m->extents, irt_hash_hex(hx, IRT_HASH_SHA256), 65);
out:
	(void)v;
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

static const char *
json_str(json_object *o, const char *key)
{
	json_object *x;

	if (json_object_object_get_ex(o, key, &x) &&
	    json_object_is_type(x, json_type_string))
		return json_object_get_string(x);
	return NULL;
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
			problem(v->r, "manifest", "irt/manifest.jsonl",
			    "line %u is not a JSON object", line);
			json_object_put(o);
			continue;
		}
		ap = json_path(o, "archive_path");
		if (ap == NULL) {
			json_object_put(o);
			continue; /* not stored */
		}
		want = json_str(o, "sha256");
		wantx = json_str(o, "extents_sha256");
		type = json_str(o, "type");
		m = lookup(v, ap);
		if (m == NULL)
			problem(v->r, "missing", ap,
			    "in the manifest, not in the archive");
		else {
			m->referenced = 1;
			if (want != NULL) {
				v->r->checked++;
				if (strcmp(want, m->sha256) != 0)
					problem(v->r, "altered", ap,
					    "sha256 %s, manifest says %s",
					    m->sha256[0] ? m->sha256 : "?",
					    want);
			} else if (wantx != NULL) {
				v->r->checked++;
				if (strcmp(wantx, m->extents) != 0)
					problem(v->r, "altered", ap,
					    "extents sha256 %s, manifest says "
					    "%s",
					    m->extents[0] ? m->extents : "?",
					    wantx);
			} else if (type != NULL && strcmp(type, "file") == 0 &&
			    m->regular)
				problem(v->r, "manifest", ap,
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
			problem(v->r, "manifest", "irt/manifest.sha256",
			    "line %u is malformed", line);
			continue;
		}
		name = sum_name(p + 66, (size_t)(nl - (p + 66)), escaped);
		m = name ? lookup(v, name) : NULL;
		if (m == NULL) {
			if (name && !has_problem(v->r, "missing", name))
				problem(v->r, "missing", name,
				    "in manifest.sha256, not in the archive");
		} else {
			m->referenced = 1;
			v->r->checked++;
			if (strcmp(m->sha256, hex) != 0 &&
			    !has_problem(v->r, "altered", name))
				problem(v->r, "altered", name,
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
		problem(v->r, "sidecar", NULL, "no '%s'", irt_esc(p.ptr));
	} else if (b.len < 64 || strncmp(b.ptr, v->r->sha256, 64) != 0) {
		v->r->sidecar = -1;
		problem(v->r, "sidecar", NULL,
		    "archive sha256 %s, '%s' says %.64s", v->r->sha256,
		    irt_esc(p.ptr), irt_buf_cstr(&b));
	} else
		v->r->sidecar = 1;
	irt_buf_release(&b);
	irt_buf_release(&p);
}

static int
is_irt_meta(const char *p)
{
	return strcmp(p, "irt/manifest.jsonl") == 0 ||
	    strcmp(p, "irt/manifest.sha256") == 0 ||
	    strcmp(p, "irt/bodyfile") == 0 ||
	    strcmp(p, "irt/collection.log") == 0;
}

int
irt_archive_verify(struct irt_verify_report *r, const char *path)
{
	struct archive *a = NULL;
	struct archive_entry *e;
	struct reader rd;
	struct vctx v;
	size_t i;
	int ar, rc = 0, broken = 0;

	memset(r, 0, sizeof *r);
	memset(&v, 0, sizeof v);
	memset(&rd, 0, sizeof rd);
	v.r = r;
	if ((rd.fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	if ((rd.buf = malloc(READ_BUF)) == NULL ||
	    irt_hash_new(&rd.h, IRT_HASH_SHA256) != 0 ||
	    (a = archive_read_new()) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, &rd, NULL, r_read, NULL) != ARCHIVE_OK) {
		problem(r, "corrupt", NULL, "not a tar.gz archive: %s",
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
			problem(r, "corrupt", NULL, "after %llu entries: %s",
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
				rc = IRT_ENOMEM;
				goto out;
			}
			v.m = nm;
		}
		m = &v.m[v.n];
		memset(m, 0, sizeof *m);
		if ((m->path = strdup(name)) == NULL) {
			rc = IRT_ENOMEM;
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
		    read_member(&v, a, e, m,
		        keep_j       ? &v.jsonl
		            : keep_s ? &v.sums
		                     : NULL) != 0) {
			problem(r, "corrupt", name, "cannot read: %s",
			    archive_error_string(a));
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
			problem(r, "extra", v.m[i].path, "stored twice");
	if (!v.have_jsonl)
		problem(r, "missing", "irt/manifest.jsonl", "no manifest");
	else
		check_jsonl(&v);
	if (!v.have_sums)
		problem(r, "missing", "irt/manifest.sha256", "no checksums");
	else
		check_sums(&v);
	if (!broken && v.have_jsonl)
		for (i = 0; i < v.n; i++)
			if (!v.m[i].referenced && !is_irt_meta(v.m[i].path))
				problem(r, "extra", v.m[i].path,
				    "in the archive, not in the manifest");
out:
	for (i = 0; i < v.n; i++)
		free(v.m[i].path);
	free(v.m);
	irt_buf_release(&v.jsonl);
	irt_buf_release(&v.sums);
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
}
