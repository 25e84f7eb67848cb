/*
 * The packages builtin: every file of every dpkg package checked against
 * /var/lib/dpkg/info/PACKAGE.md5sums, as dpkg --verify does, but read by irt
 * inside the root with O_NOATIME; changed and missing files as JSON
 * lines (irt-profile(5)).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect-int.h"
#include "util/internal.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/hash.h"
#include "irt/json.h"
#include "irt/irt.h"
#include "irt/timefmt.h"

#define INFO_DIR "/var/lib/dpkg/info"
#define DIVERSIONS "/var/lib/dpkg/diversions"
#define MD5SUMS_MAX (64u << 20)
#define DIVERSIONS_MAX (16u << 20)
#define READ_BUF (1u << 20)

static int
is_hex32(const char *s, size_t n)
{
	size_t i;

	if (n != 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		        (s[i] >= 'a' && s[i] <= 'f') ||
		        (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

int
irt_pkg_md5sums_next(struct irt_pkg_line *l, const char **pos, const char *end)
{
	const char *p = *pos, *nl, *q, *name;
	size_t len, n;

	if (p >= end)
		return 0;
	l->lineno++;
	l->why = NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	len = nl ? (size_t)(nl - p) : (size_t)(end - p);
	*pos = nl ? nl + 1 : end;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (memchr(p, '\0', len) != NULL) {
		l->why = "a NUL byte in the line";
		return -1;
	}
	for (q = p; q < p + len && *q != ' '; q++)
		;
	if (!is_hex32(p, (size_t)(q - p))) {
		l->why = "no MD5 sum of 32 hex digits at the start";
		return -1;
	}
	/* "MD5  path" (two spaces, or " *" for binary mode) */
	name = q;
	while (name < p + len && (*name == ' ' || *name == '*'))
		name++;
	if (name == q || name >= p + len) {
		l->why = "no path after the MD5 sum";
		return -1;
	}
	n = (size_t)(p + len - name);
	if (n + 2 > sizeof l->path) {
		l->why = "path too long";
		return -1;
	}
	for (size_t i = 0; i < 32; i++)
		l->md5[i] =
		    (char)((p[i] >= 'A' && p[i] <= 'F') ? p[i] + 32 : p[i]);
	l->md5[32] = '\0';
	/* dpkg writes paths relative to /; absolute ones are read the same */
	l->path[0] = '/';
	memcpy(l->path + 1, name[0] == '/' ? name + 1 : name,
	    name[0] == '/' ? n - 1 : n);
	l->path[name[0] == '/' ? n : n + 1] = '\0';
	if (strstr(l->path, "/../") != NULL ||
	    (strlen(l->path) >= 3 &&
	        strcmp(l->path + strlen(l->path) - 3, "/..") == 0)) {
		l->why = "a '..' component in the path";
		return -1;
	}
	return 1;
}

/* ---- diversions: triplets of lines, from, to, package ---- */

struct divert {
	char *from, *to, *pkg;
};

struct diverts {
	struct divert *v;
	size_t n;
};

static void
diverts_release(struct diverts *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].from);
		free(d->v[i].to);
		free(d->v[i].pkg);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

static char *
line_dup(const char **pos, const char *end)
{
	const char *p = *pos, *nl;
	size_t len;

	if (p >= end)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	len = nl ? (size_t)(nl - p) : (size_t)(end - p);
	*pos = nl ? nl + 1 : end;
	return strndup(p, len);
}

int
irt_pkg_diversions_parse(struct irt_buf *bad, const char *data, size_t len,
    void (*each)(void *arg, const char *from, const char *to, const char *pkg),
    void *arg)
{
	const char *p = data, *end = data + len;
	char *f, *t, *k;
	size_t n = 0;

	while (p < end) {
		f = line_dup(&p, end);
		t = line_dup(&p, end);
		k = line_dup(&p, end);
		n++;
		if (f == NULL || t == NULL || k == NULL) {
			free(f);
			free(t);
			free(k);
			if (bad != NULL && bad->len == 0)
				irt_buf_printf(bad,
				    "diversion %zu: fewer than three lines", n);
			return 0;
		}
		if (f[0] == '/' && t[0] == '/' && each != NULL)
			each(arg, f, t, k);
		else if (bad != NULL && bad->len == 0)
			irt_buf_printf(bad,
			    "diversion %zu: a path that is not absolute", n);
		free(f);
		free(t);
		free(k);
	}
	return 0;
}

static void
divert_add(void *arg, const char *from, const char *to, const char *pkg)
{
	struct diverts *d = arg;
	struct divert *nv;

	if ((nv = realloc(d->v, (d->n + 1) * sizeof *nv)) == NULL)
		return;
	d->v = nv;
	nv[d->n].from = strdup(from);
	nv[d->n].to = strdup(to);
	nv[d->n].pkg = strdup(pkg);
	if (nv[d->n].from && nv[d->n].to && nv[d->n].pkg)
		d->n++;
	else {
		free(nv[d->n].from);
		free(nv[d->n].to);
		free(nv[d->n].pkg);
	}
}

/* Where the file path of package pkg is: moved aside when another
 * package diverted it (":" for a local diversion by the administrator). */
static const char *
diverted(const struct diverts *d, const char *path, const char *pkg)
{
	size_t i, n;

	n = strcspn(pkg, ":");
	for (i = 0; i < d->n; i++)
		if (strcmp(d->v[i].from, path) == 0) {
			if (strncmp(d->v[i].pkg, pkg, n) == 0 &&
			    d->v[i].pkg[n] == '\0')
				return path;
			return d->v[i].to;
		}
	return path;
}

/* ---- the pass ---- */

struct pkgrun {
	struct irt_buf *out;
	struct irt_jw w;
	int rootfd;
	char rootreal[4097];
	uint64_t *noatime_fallbacks;
	struct irt_pkg_copies *copies;
	struct irt_hash *md5, *sha;
	unsigned char *buf;
	struct irt_pkg_stats *st;
	volatile int *cancel;
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the *.md5sums files, sorted. */
static int
list_md5sums(char ***out, size_t *n, int dfd)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cap = 0, len;
	int fd;

	*out = NULL;
	*n = 0;
	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 8 || strcmp(de->d_name + len - 8, ".md5sums") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL)
				goto nomem;
			v = nv;
		}
		if ((v[*n] = strdup(de->d_name)) == NULL)
			goto nomem;
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof *v, name_cmp);
	*out = v;
	return 0;
nomem:
	closedir(d);
	while (*n > 0)
		free(v[--*n]);
	free(v);
	errno = ENOMEM;
	return -1;
}

/* The path of fd on the host: its name under the root, or NULL. */
static int
host_path(char *out, size_t outlen, const struct pkgrun *r, int fd)
{
	char link[64], buf[4097];
	size_t rl = strlen(r->rootreal);
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, buf, sizeof buf - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	if (buf[0] != '/' || strstr(buf, " (deleted)") != NULL)
		return -1;
	if (strcmp(r->rootreal, "/") == 0)
		rl = 0;
	else if (strncmp(buf, r->rootreal, rl) != 0 || buf[rl] != '/')
		return -1;
	if (strlen(buf + rl) >= outlen)
		return -1;
	strcpy(out, buf + rl);
	return 0;
}

static int
hash_fd(struct pkgrun *r, struct irt_hash *h, int fd, int *err,
    unsigned char head[4], size_t *headlen)
{
	ssize_t n;
	int rc;

	*err = 0;
	if (headlen != NULL)
		*headlen = 0;
	if ((rc = irt_hash_reset(h)) != 0)
		return rc;
	for (;;) {
		n = read(fd, r->buf, READ_BUF);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*err = errno;
			return 0;
		}
		if (n == 0)
			break;
		if (headlen != NULL && *headlen < 4) {
			size_t k =
			    (size_t)n < 4 - *headlen ? (size_t)n : 4 - *headlen;
			memcpy(head + *headlen, r->buf, k);
			*headlen += k;
		}
		if ((rc = irt_hash_update(h, r->buf, (size_t)n)) != 0)
			return rc;
		if (r->cancel != NULL && *r->cancel)
			return irt_error_set(IRT_EABORT, "interrupted");
	}
	return irt_hash_final(h);
}

static void
line_start(
    struct pkgrun *r, const char *pkg, const char *path, const char *status)
{
	irt_jw_object(&r->w, NULL);
	irt_jw_str(&r->w, "package", pkg);
	irt_jw_str(&r->w, "path", path);
	irt_jw_str(&r->w, "status", status);
}

/* Closes the line line_start opened. */
static void
line_end(struct pkgrun *r)
{
	irt_jw_end(&r->w);
	irt_jw_line(&r->w);
}

static int
looks_runnable(
    const char *path, mode_t mode, const unsigned char *head, size_t headlen)
{
	const char *base = strrchr(path, '/');

	if (headlen == 4 && memcmp(head, "\177ELF", 4) == 0)
		return 1;
	if (mode & 0111)
		return 1;
	base = base ? base + 1 : path;
	return strstr(base, ".so") != NULL;
}

static int
copy_add(struct pkgrun *r, int fd, const char *path, const char *pkg)
{
	struct irt_pkg_copies *c = r->copies;
	struct irt_pkg_copy *nv;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		if ((nv = realloc(c->v, cap * sizeof *nv)) == NULL)
			return IRT_ENOMEM;
		c->v = nv;
		c->cap = cap;
	}
	if ((c->v[c->n].path = strdup(path)) == NULL ||
	    (c->v[c->n].package = strdup(pkg)) == NULL) {
		free(c->v[c->n].path);
		return IRT_ENOMEM;
	}
	c->v[c->n].fd = fd;
	c->n++;
	return 0;
}

/* One file of one package. */
static int
check_file(struct pkgrun *r, const char *pkg, const struct irt_pkg_line *l,
    const char *where)
{
	struct stat st;
	char t[IRT_TIME_MAX], real[4097];
	unsigned char head[4];
	size_t headlen = 0;
	int fd, err, rc = 0, keep = 0;
	const char *md5;

	r->st->files++;
	fd = irt_root_open_file(r->rootfd, where, r->noatime_fallbacks);
	if (fd == -1) {
		err = errno;
		if (err == ENOENT || err == ENOTDIR) {
			r->st->missing++;
			line_start(r, pkg, l->path, "missing");
		} else if (err == EINVAL || err == EISDIR) {
			r->st->changed++;
			line_start(r, pkg, l->path, "changed");
			irt_jw_str(&r->w, "reason",
			    err == EISDIR ? "a folder, not a regular file"
			                  : "not a regular file");
		} else {
			r->st->errors++;
			line_start(r, pkg, l->path, "error");
			irt_jw_str(&r->w, "reason", strerror(err));
		}
		irt_jw_str(&r->w, "md5_expected", l->md5);
		if (where != l->path)
			irt_jw_str(&r->w, "diverted_to", where);
		line_end(r);
		return 0;
	}
	if ((rc = hash_fd(r, r->md5, fd, &err, head, &headlen)) != 0)
		goto out;
	if (err != 0) {
		r->st->errors++;
		line_start(r, pkg, l->path, "error");
		irt_jw_str(&r->w, "reason", strerror(err));
		line_end(r);
		goto out;
	}
	md5 = irt_hash_hex(r->md5, IRT_HASH_MD5);
	if (md5 != NULL && strcmp(md5, l->md5) == 0) {
		r->st->ok++;
		goto out;
	}
	r->st->changed++;
	line_start(r, pkg, l->path, "changed");
	irt_jw_str(&r->w, "md5_expected", l->md5);
	irt_jw_str_or_null(&r->w, "md5", md5);
	if (where != l->path)
		irt_jw_str(&r->w, "diverted_to", where);
	if (lseek(fd, 0, SEEK_SET) == 0 &&
	    (rc = hash_fd(r, r->sha, fd, &err, NULL, NULL)) == 0 && err == 0)
		irt_jw_str(
		    &r->w, "sha256", irt_hash_hex(r->sha, IRT_HASH_SHA256));
	if (rc != 0)
		goto out;
	if (fstat(fd, &st) == 0) {
		irt_ns mt;
		char mode[8];
		snprintf(
		    mode, sizeof mode, "%04o", (unsigned)(st.st_mode & 07777));
		irt_jw_int(&r->w, "size", (long long)st.st_size);
		irt_jw_str(&r->w, "mode", mode);
		irt_jw_uint(&r->w, "uid", st.st_uid);
		irt_jw_uint(&r->w, "gid", st.st_gid);
		/* a time set by the intruder may lie outside any range */
		if (irt_time_make(&mt, (int64_t)st.st_mtim.tv_sec,
		        st.st_mtim.tv_nsec) == 0)
			irt_jw_str(&r->w, "mtime", irt_time_format(t, mt, 9));
		else
			irt_jw_null(&r->w, "mtime");
		irt_jw_bool(&r->w, "elf",
		    headlen == 4 && memcmp(head, "\177ELF", 4) == 0);
		if (r->copies != NULL &&
		    looks_runnable(l->path, st.st_mode, head, headlen)) {
			if (r->copies->n >= IRT_PKG_COPIES_MAX) {
				irt_jw_null(&r->w, "copy");
				irt_jw_str(&r->w, "copy_reason",
				    "over " IRT_PKG_COPIES_MAX_TEXT
				    " changed files copied already");
			} else if (host_path(real, sizeof real, r, fd) != 0) {
				irt_jw_null(&r->w, "copy");
				irt_jw_str(&r->w, "copy_reason",
				    "its place on the host is unknown");
			} else {
				struct irt_buf ap = IRT_BUF_INIT;
				if ((rc = copy_add(r, fd, real, pkg)) != 0)
					goto out;
				keep = 1;
				irt_buf_printf(&ap, "fs%s", real);
				irt_jw_str(&r->w, "copy", irt_buf_cstr(&ap));
				irt_buf_release(&ap);
			}
		}
	}
	line_end(r);
out:
	if (!keep)
		close(fd);
	return rc;
}

static int
check_package(struct pkgrun *r, const char *fname, const struct diverts *dv)
{
	struct irt_buf b = IRT_BUF_INIT, rel = IRT_BUF_INIT;
	struct irt_pkg_line l;
	char pkg[256];
	const char *p, *end;
	size_t flen = strlen(fname) - 8;
	int fd, rc = 0, k;

	snprintf(pkg, sizeof pkg, "%.*s", (int)flen, fname);
	irt_buf_printf(&rel, "%s/%s", INFO_DIR, fname);
	r->st->packages++;
	fd = irt_root_open_file(r->rootfd, rel.ptr, r->noatime_fallbacks);
	if (fd == -1 || irt_read_fd(&b, fd, MD5SUMS_MAX) != 0) {
		r->st->errors++;
		irt_jw_object(&r->w, NULL);
		irt_jw_str(&r->w, "package", pkg);
		irt_jw_str(&r->w, "md5sums", rel.ptr);
		irt_jw_str(&r->w, "status", "error");
		irt_jw_str(&r->w, "reason",
		    fd == -1 ? (errno == EINVAL ? "not a regular file"
		                                : strerror(errno))
		             : irt_error_last());
		irt_jw_end(&r->w);
		irt_jw_line(&r->w);
		goto out;
	}
	memset(&l, 0, sizeof l);
	p = b.ptr ? b.ptr : "";
	end = p + b.len;
	while ((k = irt_pkg_md5sums_next(&l, &p, end)) != 0) {
		if (k < 0) {
			r->st->malformed++;
			irt_jw_object(&r->w, NULL);
			irt_jw_str(&r->w, "package", pkg);
			irt_jw_str(&r->w, "md5sums", rel.ptr);
			irt_jw_uint(&r->w, "line", l.lineno);
			irt_jw_str(&r->w, "status", "malformed");
			irt_jw_str(&r->w, "reason", l.why);
			irt_jw_end(&r->w);
			irt_jw_line(&r->w);
			continue;
		}
		if ((rc = check_file(r, pkg, &l, diverted(dv, l.path, pkg))) !=
		    0)
			break;
	}
out:
	if (fd >= 0)
		close(fd);
	irt_buf_release(&b);
	irt_buf_release(&rel);
	return rc;
}

int
irt_live_packages(struct irt_buf *out, int rootfd, uint64_t *noatime_fallbacks,
    struct irt_pkg_copies *copies, struct irt_pkg_stats *st,
    volatile int *cancel)
{
	struct pkgrun r;
	struct diverts dv = { NULL, 0 };
	struct irt_buf db = IRT_BUF_INIT, bad = IRT_BUF_INIT;
	char link[64], **names = NULL;
	size_t n = 0, i;
	ssize_t len;
	int infofd = -1, fd, rc = 0;

	memset(st, 0, sizeof *st);
	memset(&r, 0, sizeof r);
	r.out = out;
	irt_jw_init(&r.w, out);
	r.rootfd = rootfd;
	r.noatime_fallbacks = noatime_fallbacks;
	r.copies = copies;
	r.st = st;
	r.cancel = cancel;
	snprintf(link, sizeof link, "/proc/self/fd/%d", rootfd);
	if ((len = readlink(link, r.rootreal, sizeof r.rootreal - 1)) <= 0)
		strcpy(r.rootreal, "?");
	else
		r.rootreal[len] = '\0';
	infofd = irt_root_open_dir(rootfd, INFO_DIR, noatime_fallbacks);
	if (infofd == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0; /* no dpkg here: nothing to verify */
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", INFO_DIR);
	}
	if ((fd = irt_root_open_file(rootfd, DIVERSIONS, noatime_fallbacks)) >=
	    0) {
		if (irt_read_fd(&db, fd, DIVERSIONS_MAX) == 0)
			irt_pkg_diversions_parse(&bad, db.ptr ? db.ptr : "",
			    db.len, divert_add, &dv);
		close(fd);
		if (bad.len > 0) {
			irt_jw_object(&r.w, NULL);
			irt_jw_str(&r.w, "diversions", DIVERSIONS);
			irt_jw_str(&r.w, "status", "malformed");
			irt_jw_str(&r.w, "reason", irt_buf_cstr(&bad));
			irt_jw_end(&r.w);
			irt_jw_line(&r.w);
		}
	}
	if (list_md5sums(&names, &n, infofd) != 0) {
		rc =
		    irt_error_sys(IRT_EIO, errno, "cannot list '%s'", INFO_DIR);
		goto out;
	}
	if (irt_hash_new(&r.md5, IRT_HASH_MD5) != 0 ||
	    irt_hash_new(&r.sha, IRT_HASH_SHA256) != 0 ||
	    (r.buf = malloc(READ_BUF)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = check_package(&r, names[i], &dv);
	if (rc == 0) {
		irt_jw_object(&r.w, NULL);
		irt_jw_bool(&r.w, "summary", true);
		irt_jw_uint(&r.w, "packages", st->packages);
		irt_jw_uint(&r.w, "files", st->files);
		irt_jw_uint(&r.w, "ok", st->ok);
		irt_jw_uint(&r.w, "changed", st->changed);
		irt_jw_uint(&r.w, "missing", st->missing);
		irt_jw_uint(&r.w, "errors", st->errors);
		irt_jw_uint(&r.w, "malformed", st->malformed);
		irt_jw_end(&r.w);
		if (irt_jw_line(&r.w) != 0)
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	diverts_release(&dv);
	irt_hash_free(r.md5);
	irt_hash_free(r.sha);
	free(r.buf);
	irt_buf_release(&db);
	irt_buf_release(&bad);
	if (infofd >= 0)
		close(infofd);
	return rc;
}

void
irt_pkg_copies_release(struct irt_pkg_copies *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->v[i].fd >= 0)
			close(c->v[i].fd);
		free(c->v[i].path);
		free(c->v[i].package);
	}
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}
