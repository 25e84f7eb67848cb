/*
 * irt collect: walks the profile's files under the root, runs the live
 * commands, and streams everything into a pax tar compressed by parallel
 * gzip members, with the manifests at the end (irt-collect(1)).
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "collect-int.h"
#include "util/internal.h"
#include "irt/collect.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/hash.h"
#include "irt/json.h"
#include "irt/irt.h"
#include "irt/spawn.h"

#define READ_CHUNK (1u << 20)
#define ZERO_MAP (1ULL << 30)
#define MAX_DEPTH 128
#define MAX_EXTENTS 16384
#define DEFAULT_TIMEOUT 30.0
#define EXE_HASH_CAP (64ULL << 20)

static const char *const status_names[] = { "ok", "changed", "truncated",
	"skipped", "error" };

const char *
irt_collect_status_name(enum irt_collect_status st)
{
	return (unsigned)st < IRT_ST_COUNT ? status_names[st] : "?";
}

/* A text file built during the collection, kept on disk (not in memory)
 * until it is appended to the archive. */
struct spool {
	int fd;
	struct irt_buf b;
	uint64_t size;
};

struct coll {
	const struct irt_collect_opts *o;
	const struct irt_profile *prof;
	const char *root;
	int live;
	struct archive *a;
	struct irt_pgz *z;
	int zerr;
	struct spool jsonl, sums, body, log;
	struct irt_pathset seen;
	struct irt_hash *h;  /* logical content, every algorithm */
	struct irt_hash *hx; /* sparse data extents, SHA-256 */
	unsigned char *buf;
	unsigned char *zbuf; /* READ_CHUNK zeros, for hashing holes */
	const unsigned char *zeros;
	uint64_t total;
	uint64_t counts[IRT_ST_COUNT];
	uint64_t entries, files, older;
	dev_t out_dev; /* the archive being written, never collected */
	ino_t out_ino;
	int rootfd;
	int outdirfd; /* where the spools are */
	const char *outdir;
	uint64_t noatime_fallbacks; /* opened without O_NOATIME */
	uint64_t proc_copied;       /* bytes of live/proc/ copies */
	uint64_t pkg_copied;        /* bytes of changed package files */
	struct irt_homes homes;     /* for ~/ entries, loaded once */
	int homes_loaded;
	int noatime_logged;
	struct irt_collect_result *res;
	irt_ns last_progress;
	int aborted;
	int fatal;
};

/* One manifest entry being built. */
struct ent {
	const char *path;  /* host path (absolute) or live/irt name */
	const char *apath; /* path in the archive, or NULL when not stored */
	const char *type;
	const struct statx *sx;
	const char *target; /* symlink */
	enum irt_collect_status st;
	char reason[256];
	uint64_t stored;
	int hashed;
	int sparse;
	int logical_hash;
	int xattrs_done;
	struct irt_buf xattrs; /* a JSON object, or empty */
	const struct irt_profile_entry *pe;
	const char *extra; /* more members: a JSON object irt wrote */
	uint64_t cap;      /* bytes stored at most; 0: the profile's cap */
	int magic;         /* name is a /proc magic link: follow it */
};

/* ---- small helpers ---- */

/* An unnamed temporary file in the output's directory. */
static int
spool_open(struct spool *s, int dirfd, const char *dir)
{
	char name[64];
	unsigned i;

	memset(s, 0, sizeof *s);
	s->fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	for (i = 0; s->fd == -1 && i < 100; i++) {
		/* no O_TMPFILE here: a name of our own, unlinked at once */
		snprintf(name, sizeof name, ".irt-spool-%ld-%u-%ld",
		    (long)getpid(), i, (long)(irt_now() % 1000000007));
		s->fd = openat(dirfd, name,
		    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (s->fd >= 0)
			unlinkat(dirfd, name, 0);
		else if (errno != EEXIST)
			break;
	}
	if (s->fd == -1)
		return irt_error_sys(IRT_EIO, errno,
		    "cannot create a temporary file in '%s'", irt_esc(dir));
	return 0;
}

static int
spool_flush(struct spool *s)
{
	size_t off = 0;
	ssize_t n;

	while (off < s->b.len) {
		n = write(s->fd, s->b.ptr + off, s->b.len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return irt_error_sys(
			    IRT_EIO, errno, "cannot write a temporary file");
		}
		off += (size_t)n;
	}
	s->size += s->b.len;
	irt_buf_clear(&s->b);
	return 0;
}

static int
spool_maybe_flush(struct spool *s)
{
	return s->b.len >= (256u << 10) ? spool_flush(s) : 0;
}

static void
spool_close(struct spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	irt_buf_release(&s->b);
}

int
irt_pathset_has(const struct irt_pathset *ps, const char *s)
{
	size_t i;

	if (ps->cap == 0)
		return 0;
	for (i = irt_fnv64(s, strlen(s)) & (ps->cap - 1); ps->v[i];
	     i = (i + 1) & (ps->cap - 1))
		if (strcmp(ps->v[i], s) == 0)
			return 1;
	return 0;
}

int
irt_pathset_add(struct irt_pathset *ps, const char *s)
{
	size_t i, j;
	char **nv;

	if (ps->n * 2 >= ps->cap) {
		size_t ncap = ps->cap ? ps->cap * 2 : 1024;
		if ((nv = calloc(ncap, sizeof *nv)) == NULL)
			return -1;
		for (i = 0; i < ps->cap; i++) {
			if (ps->v[i] == NULL)
				continue;
			for (j = irt_fnv64(ps->v[i], strlen(ps->v[i])) &
			         (ncap - 1);
			     nv[j]; j = (j + 1) & (ncap - 1))
				;
			nv[j] = ps->v[i];
		}
		free(ps->v);
		ps->v = nv;
		ps->cap = ncap;
	}
	for (i = irt_fnv64(s, strlen(s)) & (ps->cap - 1); ps->v[i];
	     i = (i + 1) & (ps->cap - 1))
		if (strcmp(ps->v[i], s) == 0)
			return 1;
	if ((ps->v[i] = strdup(s)) == NULL)
		return -1;
	ps->n++;
	return 0;
}

void
irt_pathset_release(struct irt_pathset *ps)
{
	size_t i;

	for (i = 0; i < ps->cap; i++)
		free(ps->v[i]);
	free(ps->v);
	ps->v = NULL;
	ps->cap = ps->n = 0;
}

static irt_ns
sx_ns(const struct statx_timestamp *t)
{
	return (irt_ns)t->tv_sec * IRT_NS_PER_SEC + t->tv_nsec;
}

static void log_line(struct coll *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
log_line(struct coll *c, const char *fmt, ...)
{
	char t[IRT_TIME_MAX];
	va_list ap;

	irt_buf_printf(&c->log.b, "%s ", irt_time_format(t, irt_now(), 6));
	va_start(ap, fmt);
	irt_buf_vprintf(&c->log.b, fmt, ap);
	va_end(ap);
	irt_buf_putc(&c->log.b, '\n');
	spool_maybe_flush(&c->log);
}

/* Reads from here on leave no access time behind, symbolic links too. */
static void
noatime_ns(struct coll *c)
{
	struct stat was, now;
	size_t done, failed;
	int rc, fd;

	if ((rc = collect_noatime_ns(&done, &failed)) != 0) {
		log_line(c,
		    "no private noatime mount namespace (%s): reading a "
		    "symbolic link's target updates its access time",
		    strerror(-rc));
		return;
	}
	log_line(c,
	    "files read through a private mount namespace: %zu mounts "
	    "noatime, %zu could not be",
	    done, failed);
	/* the root again, through the copy: the same folder or none */
	fd = open(c->root, O_RDONLY | O_DIRECTORY | O_NOATIME | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &now) == 0 && fstat(c->rootfd, &was) == 0 &&
	    now.st_dev == was.st_dev && now.st_ino == was.st_ino) {
		close(c->rootfd);
		c->rootfd = fd;
	} else if (fd >= 0) {
		close(fd);
		log_line(c,
		    "'%s' is no longer the folder it was: read as "
		    "opened",
		    irt_esc(c->root));
	}
}

static void
progress(struct coll *c, const char *phase, const char *path, int force)
{
	struct irt_collect_progress p;
	irt_ns now;

	if (c->o->progress == NULL)
		return;
	now = irt_now();
	if (!force && now - c->last_progress < IRT_NS_PER_SEC / 5)
		return;
	c->last_progress = now;
	p.files = c->files;
	p.bytes = c->total;
	p.path = path;
	p.phase = phase;
	c->o->progress(&p, c->o->arg);
}

static int
cancelled(struct coll *c)
{
	if (c->o->cancel != NULL && *c->o->cancel) {
		c->aborted = 1;
		return 1;
	}
	return c->aborted || c->fatal;
}

/*
 * The kernel refuses O_NOATIME to whoever neither owns the file nor
 * holds CAP_FOWNER (a collection as a normal user): such files and
 * folders are read without it, which may change their access time.
 * They are counted, and the first one is said in the log.
 */
static void
noatime_note(struct coll *c, const char *path, const char *what)
{
	if (c->noatime_fallbacks == 0 || c->noatime_logged)
		return;
	c->noatime_logged = 1;
	log_line(c,
	    "atime: %s%s%s read without O_NOATIME (not the owner, no "
	    "CAP_FOWNER): its access time may change, as may that of every "
	    "such file and folder after it (counted on the done line)",
	    path ? "'" : "", path ? irt_esc(path) : what, path ? "'" : "");
}

/* openat() with O_NOATIME, without it when refused. */
static int
open_noatime(
    struct coll *c, int dirfd, const char *name, int flags, const char *path)
{
	int fd;

	fd = openat(dirfd, name, flags | O_NOATIME);
	if (fd == -1 && errno == EPERM) {
		fd = openat(dirfd, name, flags);
		if (fd >= 0) {
			c->noatime_fallbacks++;
			noatime_note(c, path, NULL);
		}
	}
	return fd;
}

/* ---- archive output ---- */

static la_ssize_t
a_write(struct archive *a, void *arg, const void *data, size_t len)
{
	struct coll *c = arg;

	(void)a;
	if (irt_pgz_write(c->z, data, len) != 0) {
		c->zerr = 1;
		archive_set_error(a, EIO, "%s", irt_error_last());
		return -1;
	}
	return (la_ssize_t)len;
}

static int
a_fail(struct coll *c, const char *what)
{
	c->fatal = 1;
	if (c->zerr)
		return irt_error_code() ? irt_error_code() : IRT_EIO;
	return irt_error_set(IRT_EIO, "cannot write the archive (%s): %s", what,
	    archive_error_string(c->a) ? archive_error_string(c->a) : "?");
}

/* Feeds data (or a hole, with zeros) to the current entry. */
static int
a_data(struct coll *c, const void *p, size_t len)
{
	la_ssize_t n;

	while (len > 0) {
		n = archive_write_data(c->a, p, len);
		if (n < 0)
			return a_fail(c, "data");
		if (n == 0)
			break;
		p = (const unsigned char *)p + n;
		len -= (size_t)n;
	}
	return 0;
}

static int
a_hole(struct coll *c, uint64_t len)
{
	size_t n;
	int rc;

	while (len > 0) {
		n = len > ZERO_MAP ? (size_t)ZERO_MAP : (size_t)len;
		if ((rc = a_data(c, c->zeros, n)) != 0)
			return rc;
		len -= n;
	}
	return 0;
}

/* A regular entry from memory (live output, irt/ files). */
static int
a_mem(struct coll *c, const char *apath, const void *data, size_t len,
    irt_ns when)
{
	struct archive_entry *e = archive_entry_new();
	int rc = 0;

	if (e == NULL)
		return IRT_ENOMEM;
	archive_entry_set_pathname(e, apath);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(
	    e, when / IRT_NS_PER_SEC, when % IRT_NS_PER_SEC);
	if (archive_write_header(c->a, e) < ARCHIVE_WARN)
		rc = a_fail(c, "header");
	else if (len > 0)
		rc = a_data(c, data, len);
	if (rc == 0 && archive_write_finish_entry(c->a) != ARCHIVE_OK)
		rc = a_fail(c, "entry");
	archive_entry_free(e);
	return rc;
}

/* A spool file appended as an archive member, hashed with h (reset and
 * finished). */
static int
a_spool_h(struct coll *c, struct spool *s, const char *apath, irt_ns when,
    struct irt_hash *h)
{
	struct archive_entry *e;
	uint64_t left;
	ssize_t n;
	int rc = 0;

	if ((rc = spool_flush(s)) != 0)
		return rc;
	if ((e = archive_entry_new()) == NULL)
		return IRT_ENOMEM;
	archive_entry_set_pathname(e, apath);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)s->size);
	archive_entry_set_mtime(
	    e, when / IRT_NS_PER_SEC, when % IRT_NS_PER_SEC);
	if (archive_write_header(c->a, e) < ARCHIVE_WARN) {
		archive_entry_free(e);
		return a_fail(c, "header");
	}
	archive_entry_free(e);
	if (lseek(s->fd, 0, SEEK_SET) != 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot read a temporary file");
	if ((rc = irt_hash_reset(h)) != 0)
		return rc;
	for (left = s->size; left > 0 && rc == 0; left -= (uint64_t)n) {
		n = read(s->fd, c->buf,
		    left < READ_CHUNK ? (size_t)left : READ_CHUNK);
		if (n <= 0)
			return irt_error_sys(IRT_EIO, n < 0 ? errno : EIO,
			    "cannot read a temporary file");
		if ((rc = irt_hash_update(h, c->buf, (size_t)n)) != 0)
			return rc;
		rc = a_data(c, c->buf, (size_t)n);
	}
	if (rc == 0 && archive_write_finish_entry(c->a) != ARCHIVE_OK)
		rc = a_fail(c, "entry");
	if (rc == 0)
		rc = irt_hash_final(h);
	return rc;
}

/* A spool file appended as an archive member; hex receives its SHA-256. */
static int
a_spool(struct coll *c, struct spool *s, const char *apath, irt_ns when,
    char hex[65])
{
	int rc = a_spool_h(c, s, apath, when, c->hx);

	if (rc == 0)
		memcpy(hex, irt_hash_hex(c->hx, IRT_HASH_SHA256), 65);
	return rc;
}

/* ---- manifest lines ---- */

static const char *
mode_type_char(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "r";
	case S_IFDIR:
		return "d";
	case S_IFLNK:
		return "l";
	case S_IFIFO:
		return "p";
	case S_IFSOCK:
		return "s";
	case S_IFCHR:
		return "c";
	case S_IFBLK:
		return "b";
	}
	return "-";
}

/* TSK mode string: "r/rrw-r--r--". */
static void
mode_string(char out[16], mode_t m)
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	snprintf(out, 16, "%s/%s", mode_type_char(m), mode_type_char(m));
	for (i = 0; i < 9; i++)
		out[3 + i] = (m & (1u << (8 - i))) ? rwx[i] : '-';
	if (m & S_ISUID)
		out[5] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		out[8] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		out[11] = (m & S_IXOTH) ? 't' : 'T';
	out[12] = '\0';
}

/* A name in the bodyfile, escaped as the Sleuth Kit's tools read it. */
static void
body_name(struct irt_buf *b, const char *s)
{
	irt_escape_bodyfile(b, s, strlen(s));
}

/* A sha256sum line; names with \ or newline use its escaped form. */
static void
sum_line(struct irt_buf *b, const char *hex, const char *name)
{
	const char *p;

	if (strpbrk(name, "\\\n\r") == NULL) {
		irt_buf_printf(b, "%s  %s\n", hex, name);
		return;
	}
	irt_buf_printf(b, "\\%s  ", hex);
	for (p = name; *p; p++) {
		if (*p == '\\')
			irt_buf_puts(b, "\\\\");
		else if (*p == '\n')
			irt_buf_puts(b, "\\n");
		else if (*p == '\r')
			irt_buf_puts(b, "\\r");
		else
			irt_buf_putc(b, *p);
	}
	irt_buf_putc(b, '\n');
}

/* bytes as lowercase hex text */
static void
jw_hex(struct irt_jw *w, const char *key, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *u = p;
	struct irt_buf hex = IRT_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		irt_buf_putc(&hex, digits[u[i] >> 4]);
		irt_buf_putc(&hex, digits[u[i] & 15]);
	}
	irt_jw_strn(w, key, hex.ptr ? hex.ptr : "", hex.len);
	irt_buf_release(&hex);
}

/* A path, and its bytes in hex as KEY_hex when they are not UTF-8. */
static void
json_path(struct irt_jw *w, const char *key, const char *s)
{
	size_t n = strlen(s);
	char hkey[32];

	irt_jw_str(w, key, s);
	if (!irt_utf8_valid(s, n)) {
		snprintf(hkey, sizeof hkey, "%s_hex", key);
		jw_hex(w, hkey, s, n);
	}
}

static void
json_time(struct irt_jw *w, const char *key, const struct statx *sx,
    unsigned mask, const struct statx_timestamp *t)
{
	if (sx != NULL && (sx->stx_mask & mask))
		irt_jw_int(w, key, (long long)sx_ns(t));
	else
		irt_jw_null(w, key);
}

static const char *
type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "file";
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "symlink";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	case S_IFCHR:
		return "chardev";
	case S_IFBLK:
		return "blockdev";
	}
	return "unknown";
}

/* Writes the manifest line, the checksum line and the bodyfile line. */
static void
ent_emit(struct coll *c, struct ent *e)
{
	const struct statx *sx = e->sx;
	struct irt_jw w;
	unsigned a;

	c->counts[e->st]++;
	c->entries++;
	irt_jw_init(&w, &c->jsonl.b);
	irt_jw_object(&w, NULL);
	json_path(&w, "path", e->path);
	if (e->apath)
		json_path(&w, "archive_path", e->apath);
	else
		irt_jw_null(&w, "archive_path");
	irt_jw_str(&w, "type", e->type);
	if (sx != NULL) {
		char mode[8], dev[32];
		snprintf(mode, sizeof mode, "%04o",
		    (unsigned)(sx->stx_mode & 07777));
		snprintf(dev, sizeof dev, "%u:%u", sx->stx_dev_major,
		    sx->stx_dev_minor);
		irt_jw_uint(&w, "size", sx->stx_size);
		irt_jw_str(&w, "mode", mode);
		irt_jw_uint(&w, "uid", sx->stx_uid);
		irt_jw_uint(&w, "gid", sx->stx_gid);
		irt_jw_uint(&w, "inode", sx->stx_ino);
		irt_jw_str(&w, "device", dev);
		irt_jw_uint(&w, "nlink", sx->stx_nlink);
		json_time(&w, "atime", sx, STATX_ATIME, &sx->stx_atime);
		json_time(&w, "mtime", sx, STATX_MTIME, &sx->stx_mtime);
		json_time(&w, "ctime", sx, STATX_CTIME, &sx->stx_ctime);
		json_time(&w, "btime", sx, STATX_BTIME, &sx->stx_btime);
	} else
		irt_jw_uint(&w, "size", e->stored);
	if (e->target != NULL)
		json_path(&w, "target", e->target);
	if (e->xattrs.len > 0)
		irt_jw_raw(&w, "xattrs", irt_buf_cstr(&e->xattrs));
	if (e->apath != NULL && strcmp(e->type, "file") == 0)
		irt_jw_uint(&w, "stored", e->stored);
	if (e->sparse) {
		irt_jw_bool(&w, "sparse", true);
		irt_jw_str(
		    &w, "extents_sha256", irt_hash_hex(c->hx, IRT_HASH_SHA256));
	}
	for (a = IRT_HASH_SHA256; a <= IRT_HASH_MD5; a <<= 1) {
		if (!(c->o->hashes & a) && a != IRT_HASH_SHA256)
			continue;
		irt_jw_str(&w, irt_hash_name((enum irt_hash_alg)a),
		    e->hashed && e->logical_hash
		        ? irt_hash_hex(c->h, (enum irt_hash_alg)a)
		        : NULL);
	}
	irt_jw_str(&w, "status", irt_collect_status_name(e->st));
	irt_jw_str_or_null(&w, "reason", e->reason);
	if (e->pe != NULL)
		irt_jw_uint(&w, "profile_line", e->pe->line);
	if (e->extra != NULL)
		irt_jw_members(&w, e->extra);
	irt_jw_end(&w);
	if (irt_jw_line(&w) != 0)
		c->fatal = 1;
	spool_maybe_flush(&c->jsonl);

	if (e->hashed && e->logical_hash && e->apath != NULL) {
		sum_line(
		    &c->sums.b, irt_hash_hex(c->h, IRT_HASH_SHA256), e->apath);
		spool_maybe_flush(&c->sums);
	} else if (e->hashed && e->apath != NULL) {
		/* sha256sum ignores lines starting with '#' */
		irt_buf_puts(&c->sums.b, "# no whole-file hash (sparse): ");
		body_name(&c->sums.b, e->apath);
		irt_buf_putc(&c->sums.b, '\n');
	}

	if (sx != NULL && e->path[0] == '/') {
		char ms[16];
		const char *md5 = e->hashed && e->logical_hash &&
		        (c->o->hashes & IRT_HASH_MD5)
		    ? irt_hash_hex(c->h, IRT_HASH_MD5)
		    : "0";
		irt_buf_printf(&c->body.b, "%s|", md5);
		body_name(&c->body.b, e->path);
		if (e->target != NULL) {
			irt_buf_puts(&c->body.b, " -> ");
			body_name(&c->body.b, e->target);
		}
		mode_string(ms, sx->stx_mode);
		irt_buf_printf(&c->body.b,
		    "|%llu|%s|%u|%u|%llu|%lld|%lld|%lld|%lld\n",
		    (unsigned long long)sx->stx_ino, ms, sx->stx_uid,
		    sx->stx_gid, (unsigned long long)sx->stx_size,
		    (long long)sx->stx_atime.tv_sec,
		    (long long)sx->stx_mtime.tv_sec,
		    (long long)sx->stx_ctime.tv_sec,
		    (sx->stx_mask & STATX_BTIME)
		        ? (long long)sx->stx_btime.tv_sec
		        : 0LL);
		spool_maybe_flush(&c->body);
	}
	if (e->st == IRT_ST_ERROR || e->st == IRT_ST_CHANGED ||
	    e->st == IRT_ST_TRUNCATED)
		log_line(c, "%s %s: %s", irt_collect_status_name(e->st),
		    irt_esc(e->path), irt_esc(e->reason));
	irt_buf_release(&e->xattrs);
}

static void
ent_init(struct ent *e, const char *path, const struct statx *sx,
    const struct irt_profile_entry *pe)
{
	memset(e, 0, sizeof *e);
	e->path = path;
	e->sx = sx;
	e->pe = pe;
	e->type = sx ? type_name(sx->stx_mode) : "file";
	e->logical_hash = 1;
}

static void set_reason(struct ent *e, enum irt_collect_status st,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
set_reason(struct ent *e, enum irt_collect_status st, const char *fmt, ...)
{
	va_list ap;

	e->st = st;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof e->reason, fmt, ap);
	va_end(ap);
}

/* ---- file entries ---- */

static void
entry_meta(struct archive_entry *ae, const char *apath, const struct statx *sx)
{
	archive_entry_set_pathname(ae, apath);
	archive_entry_set_mode(ae, sx->stx_mode);
	archive_entry_set_uid(ae, sx->stx_uid);
	archive_entry_set_gid(ae, sx->stx_gid);
	archive_entry_set_ino64(ae, (la_int64_t)sx->stx_ino);
	archive_entry_set_devmajor(ae, sx->stx_dev_major);
	archive_entry_set_devminor(ae, sx->stx_dev_minor);
	archive_entry_set_nlink(ae, sx->stx_nlink);
	archive_entry_set_atime(
	    ae, sx->stx_atime.tv_sec, (long)sx->stx_atime.tv_nsec);
	archive_entry_set_mtime(
	    ae, sx->stx_mtime.tv_sec, (long)sx->stx_mtime.tv_nsec);
	archive_entry_set_ctime(
	    ae, sx->stx_ctime.tv_sec, (long)sx->stx_ctime.tv_nsec);
	/* the birth time stays in the manifest and the bodyfile: GNU tar
	 * warns about LIBARCHIVE.creationtime on every entry */
}

/* Reads the extended attributes of fd (or of path for a symlink) into
 * the archive entry and the manifest. */
static void
read_xattrs(struct ent *e, struct archive_entry *ae, int fd, int dirfd,
    const char *name)
{
	char list[8192], val[65536], proc[64];
	struct irt_jw w;
	ssize_t ln, vn;
	int open = 0;
	char *k;

	if (fd >= 0)
		ln = flistxattr(fd, list, sizeof list);
	else {
		/* no fd for a symlink: name it through its directory */
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", dirfd);
		{
			struct irt_buf p = IRT_BUF_INIT;
			irt_buf_printf(&p, "%s/%s", proc, name);
			ln = llistxattr(irt_buf_cstr(&p), list, sizeof list);
			irt_buf_release(&p);
		}
	}
	if (ln <= 0)
		return;
	irt_buf_clear(&e->xattrs);
	irt_jw_init(&w, &e->xattrs);
	for (k = list; k < list + ln; k += strlen(k) + 1) {
		if (fd >= 0)
			vn = fgetxattr(fd, k, val, sizeof val);
		else {
			struct irt_buf p = IRT_BUF_INIT;
			irt_buf_printf(&p, "%s/%s", proc, name);
			vn = lgetxattr(irt_buf_cstr(&p), k, val, sizeof val);
			irt_buf_release(&p);
		}
		if (vn < 0)
			continue;
		if (ae != NULL)
			archive_entry_xattr_add_entry(ae, k, val, (size_t)vn);
		if (!open && irt_jw_object(&w, NULL) == 0)
			open = 1;
		jw_hex(&w, k, val, (size_t)vn);
	}
	if (open) {
		irt_jw_end(&w);
		if (w.err != 0)
			irt_buf_clear(&e->xattrs);
	}
}

static uint64_t
cap_for(struct coll *c, const struct irt_profile_entry *pe)
{
	if (pe != NULL && pe->max_size > 0)
		return pe->max_size;
	if (c->o->max_file_size > 0)
		return c->o->max_file_size;
	return c->prof->max_size;
}

static int
hash_update(struct coll *c, struct ent *e, const void *p, size_t n, int data)
{
	if (e->logical_hash && irt_hash_update(c->h, p, n) != 0)
		return IRT_ENOMEM;
	if (e->sparse && data && irt_hash_update(c->hx, p, n) != 0)
		return IRT_ENOMEM;
	return 0;
}

/* Hashes len zero bytes (a hole) into the whole-file hash. */
static int
hash_zeros(struct coll *c, struct ent *e, uint64_t len)
{
	size_t k;
	int rc;

	while (len > 0 && e->logical_hash) {
		k = len > READ_CHUNK ? READ_CHUNK : (size_t)len;
		if ((rc = hash_update(c, e, c->zbuf, k, 0)) != 0)
			return rc;
		len -= k;
	}
	return 0;
}

struct extent {
	uint64_t off, len;
};

/* The data extents of fd within [0, limit); returns the count (0: all
 * hole), -2 when there are too many to treat it as sparse, -1 on no
 * memory. */
static long
find_extents(int fd, uint64_t limit, struct extent **out)
{
	struct extent *v = NULL, *nv;
	size_t n = 0, cap = 0;
	off_t data, hole, pos = 0;

	*out = NULL;
	while ((uint64_t)pos < limit) {
		data = lseek(fd, pos, SEEK_DATA);
		if (data < 0)
			break; /* ENXIO: no more data */
		if ((uint64_t)data >= limit)
			break;
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole > limit)
			hole = (off_t)limit;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if (cap > MAX_EXTENTS ||
			    (nv = realloc(v, cap * sizeof *v)) == NULL) {
				free(v);
				return cap > MAX_EXTENTS ? -2 : -1;
			}
			v = nv;
		}
		v[n].off = (uint64_t)data;
		v[n].len = (uint64_t)(hole - data);
		n++;
		pos = hole;
	}
	*out = v;
	return (long)n;
}

/* Reads len bytes at off into the archive and the hashes; a short file
 * is padded with zeros.  Returns 1 when the file was shorter. */
static int
copy_range(struct coll *c, struct ent *e, int fd, uint64_t off, uint64_t len,
    int *rd_err)
{
	ssize_t n;
	size_t want;
	int rc, short_read = 0;

	while (len > 0) {
		want = len < READ_CHUNK ? (size_t)len : READ_CHUNK;
		if (short_read)
			n = 0;
		else
			n = pread(fd, c->buf, want, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*rd_err = errno;
			short_read = 1;
			n = 0;
		}
		if (n == 0) {
			/* the file shrank: store zeros, say so */
			short_read = 1;
			memset(c->buf, 0, want);
			n = (ssize_t)want;
		}
		if ((rc = hash_update(c, e, c->buf, (size_t)n, 1)) != 0)
			return rc;
		if ((rc = a_data(c, c->buf, (size_t)n)) != 0)
			return rc;
		off += (uint64_t)n;
		len -= (uint64_t)n;
		c->total += (uint64_t)n;
	}
	return short_read;
}

/*
 * Reads a file that reports size 0 (a /proc, sysfs or cgroup file) to
 * its end, up to cap bytes (*more: there was more).  Returns 0 or
 * IRT_ENOMEM; a read error leaves its errno in *err.
 */
static int
read_unsized(int fd, struct irt_buf *b, uint64_t cap, int *more, int *err)
{
	char tmp[65536];
	size_t take;
	ssize_t n;

	*more = 0;
	*err = 0;
	for (;;) {
		n = read(fd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			return 0;
		}
		if (n == 0)
			return 0;
		take = (size_t)n;
		if (b->len + take > cap) {
			take = (size_t)(cap - b->len);
			*more = 1;
		}
		if (take > 0 && irt_buf_put(b, tmp, take) != 0)
			return IRT_ENOMEM;
		if (*more)
			return 0;
	}
}

/*
 * File systems whose files report size 0 and have content (or report a
 * size that means nothing): read to the end.
 */
static int
sizeless_fs(unsigned long type)
{
	switch (type) {
	case 0x9fa0:     /* proc */
	case 0x62656572: /* sysfs */
	case 0x27e0eb:   /* cgroup */
	case 0x63677270: /* cgroup2 */
	case 0x64626720: /* debugfs */
	case 0x74726163: /* tracefs */
	case 0x73636673: /* securityfs */
	case 0x62656570: /* configfs */
	case 0x6165676c: /* pstore */
	case 0xcafe4a11: /* bpf */
	case 0x42494e4d: /* binfmt_misc */
	case 0x65735543: /* fusectl */
	case 0x65735546: /* fuse */
	case 0x19800202: /* mqueue */
	case 0xf97cff8c: /* selinuxfs */
	case 0x43415d53: /* smackfs */
	case 0xde5e81e4: /* efivarfs */
		return 1;
	}
	return 0;
}

static int
collect_regular(struct coll *c, struct ent *e, int dirfd, const char *name,
    const char *apath)
{
	struct archive_entry *ae = NULL;
	struct extent *ext = NULL, one;
	struct stat st, st2;
	uint64_t size, stored, cap, pos;
	long next;
	size_t i;
	int fd, rc = 0, flags, shrunk = 0, rd_err = 0;
	struct irt_buf mem = IRT_BUF_INIT;
	int unsized = 0, more = 0;

	flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	if (e->magic)
		flags &= ~O_NOFOLLOW;
	fd = open_noatime(c, dirfd, name, flags, e->path);
	if (fd == -1) {
		if (errno == ELOOP)
			set_reason(e, IRT_ST_CHANGED,
			    "became a symlink before it was opened");
		else
			set_reason(
			    e, IRT_ST_ERROR, "open: %s", strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) != 0) {
		set_reason(e, IRT_ST_ERROR, "fstat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_ino != e->sx->stx_ino ||
	    major(st.st_dev) != (unsigned)e->sx->stx_dev_major ||
	    minor(st.st_dev) != (unsigned)e->sx->stx_dev_minor) {
		set_reason(e, IRT_ST_CHANGED,
		    "replaced by another file before it was read; not stored");
		goto out;
	}
	size = (uint64_t)st.st_size;
	cap = cap_for(c, e->pe);
	if (e->cap > 0 && (cap == 0 || e->cap < cap))
		cap = e->cap;
	if (size == 0) {
		struct statfs sf;
		int noatime = (fcntl(fd, F_GETFL) & O_NOATIME) != 0;
		/*
		 * /proc, sysfs, cgroup and other pseudo files report 0 and
		 * have content; any other file that reports 0 is read to
		 * the end too, when that leaves its access time alone
		 */
		if (noatime ||
		    (fstatfs(fd, &sf) == 0 &&
		        sizeless_fs((unsigned long)sf.f_type))) {
			uint64_t m = cap && cap < IRT_COLLECT_ZERO_SIZE_MAX
			    ? cap
			    : IRT_COLLECT_ZERO_SIZE_MAX;
			int err;
			if ((rc = read_unsized(fd, &mem, m, &more, &err)) != 0)
				goto out;
			if (err != 0) {
				set_reason(
				    e, IRT_ST_ERROR, "read: %s", strerror(err));
				goto out;
			}
			unsized = 1;
			size = mem.len;
		}
	}
	stored = size;
	if (cap > 0 && stored > cap)
		stored = cap;
	if (c->o->max_total > 0) {
		uint64_t left =
		    c->total < c->o->max_total ? c->o->max_total - c->total : 0;
		if (left == 0 && size > 0) {
			set_reason(e, IRT_ST_SKIPPED,
			    "--max-total reached; not stored");
			goto out;
		}
		if (stored > left)
			stored = left;
	}
	/* sparse: fewer blocks than bytes */
	next = 0;
	if (!unsized && stored > 0 && (uint64_t)st.st_blocks * 512 < stored) {
		next = find_extents(fd, stored, &ext);
		if (next == -1) {
			rc = IRT_ENOMEM;
			goto out;
		}
		e->sparse = next >= 0;
		/* inline or compressed data: one extent covering it all */
		if (next == 1 && ext[0].off == 0 && ext[0].len == stored)
			e->sparse = 0;
		if (!e->sparse) {
			free(ext);
			ext = NULL;
		}
	}
	if (e->sparse) {
		e->logical_hash = stored <= IRT_COLLECT_SPARSE_HASH_MAX;
		if ((rc = irt_hash_reset(c->hx)) != 0)
			goto out;
	} else {
		one.off = 0;
		one.len = stored;
		ext = NULL;
		next = stored > 0 ? 1 : 0;
	}
	if ((rc = irt_hash_reset(c->h)) != 0)
		goto out;
	if ((ae = archive_entry_new()) == NULL) {
		rc = IRT_ENOMEM;
		goto out;
	}
	entry_meta(ae, apath, e->sx);
	archive_entry_set_size(ae, (la_int64_t)stored);
	if (e->sparse) {
		for (i = 0; i < (size_t)next; i++)
			archive_entry_sparse_add_entry(
			    ae, (la_int64_t)ext[i].off, (la_int64_t)ext[i].len);
		/* a trailing hole is a zero-length extent at the end */
		if (next == 0 || ext[next - 1].off + ext[next - 1].len < stored)
			archive_entry_sparse_add_entry(
			    ae, (la_int64_t)stored, 0);
	}
	read_xattrs(e, ae, fd, dirfd, name);
	/* kernfs (cgroup, sysfs) gives a node its times when its xattrs
	 * are first asked for: what the content was read against is after */
	if (unsized && fstat(fd, &st2) == 0 && st2.st_ino == st.st_ino &&
	    st2.st_size == st.st_size) {
		st.st_mtim = st2.st_mtim;
		st.st_ctim = st2.st_ctim;
	}
	if (archive_write_header(c->a, ae) < ARCHIVE_WARN) {
		rc = a_fail(c, "header");
		goto out;
	}
	e->hashed = 1;
	e->stored = stored;
	if (unsized) {
		if ((rc = hash_update(c, e, mem.ptr, stored, 1)) != 0 ||
		    (rc = a_data(c, mem.ptr, stored)) != 0)
			goto out;
		c->total += stored;
	} else {
		pos = 0;
		for (i = 0; i < (size_t)next; i++) {
			const struct extent *x = e->sparse ? &ext[i] : &one;
			if (x->off > pos) {
				/* a hole: zeros in the hash, nothing stored */
				uint64_t h = x->off - pos;
				if ((rc = hash_zeros(c, e, h)) != 0)
					goto out;
				if ((rc = a_hole(c, x->off - pos)) != 0)
					goto out;
			}
			rc = copy_range(c, e, fd, x->off, x->len, &rd_err);
			if (rc < 0)
				goto out;
			shrunk |= rc;
			rc = 0;
			pos = x->off + x->len;
			if (cancelled(c))
				break;
		}
		if (pos < stored) {
			uint64_t h = stored - pos;
			if ((rc = hash_zeros(c, e, h)) != 0)
				goto out;
			if ((rc = a_hole(c, stored - pos)) != 0)
				goto out;
		}
	}
	if (archive_write_finish_entry(c->a) != ARCHIVE_OK) {
		rc = a_fail(c, "entry");
		goto out;
	}
	if (irt_hash_final(c->h) != 0 ||
	    (e->sparse && irt_hash_final(c->hx) != 0)) {
		rc = IRT_ENOMEM;
		goto out;
	}
	/* did it change while it was read? */
	if (rd_err != 0)
		set_reason(e, IRT_ST_ERROR,
		    "read: %s; %llu bytes stored, unread bytes as zeros",
		    strerror(rd_err), (unsigned long long)stored);
	else if (shrunk)
		set_reason(e, IRT_ST_CHANGED,
		    "shrank while read; %llu bytes stored, missing bytes as "
		    "zeros",
		    (unsigned long long)stored);
	else if (fstat(fd, &st2) == 0 &&
	    (st2.st_size != st.st_size ||
	        st2.st_mtim.tv_sec != st.st_mtim.tv_sec ||
	        st2.st_mtim.tv_nsec != st.st_mtim.tv_nsec ||
	        st2.st_ctim.tv_sec != st.st_ctim.tv_sec ||
	        st2.st_ctim.tv_nsec != st.st_ctim.tv_nsec))
		set_reason(e, IRT_ST_CHANGED,
		    "changed while read (size %llu then %llu); hashes are of "
		    "the %llu bytes stored",
		    (unsigned long long)st.st_size,
		    (unsigned long long)st2.st_size,
		    (unsigned long long)stored);
	else if (stored < size && !more)
		set_reason(e, IRT_ST_TRUNCATED,
		    "%llu of %llu bytes stored (%s)",
		    (unsigned long long)stored, (unsigned long long)size,
		    cap > 0 && stored == cap ? "size cap" : "--max-total");
	else if (more)
		set_reason(e, IRT_ST_TRUNCATED,
		    "size 0 file read up to %llu bytes",
		    (unsigned long long)stored);
	else if (!unsized && stored == size) {
		char one_byte;
		if (pread(fd, &one_byte, 1, (off_t)size) == 1)
			set_reason(e, IRT_ST_CHANGED,
			    "grew while read; the first %llu bytes stored",
			    (unsigned long long)stored);
	}
	if (e->sparse && !e->logical_hash && e->st == IRT_ST_OK)
		snprintf(e->reason, sizeof e->reason,
		    "sparse file above %llu GiB: no whole-file hash, "
		    "extents_sha256 covers the stored data",
		    IRT_COLLECT_SPARSE_HASH_MAX >> 30);
out:
	if (ae)
		archive_entry_free(ae);
	free(ext);
	irt_buf_release(&mem);
	close(fd);
	return rc;
}

static int
collect_other(struct coll *c, struct ent *e, int dirfd, const char *name,
    const char *apath)
{
	struct archive_entry *ae;
	char target[4097];
	ssize_t n;
	int rc = 0;

	if ((ae = archive_entry_new()) == NULL)
		return IRT_ENOMEM;
	entry_meta(ae, apath, e->sx);
	archive_entry_set_size(ae, 0);
	if (S_ISLNK(e->sx->stx_mode)) {
		n = readlinkat(dirfd, name, target, sizeof target - 1);
		if (n < 0) {
			set_reason(
			    e, IRT_ST_ERROR, "readlink: %s", strerror(errno));
			archive_entry_free(ae);
			return 0;
		}
		target[n] = '\0';
		e->target = strdup(target);
		archive_entry_set_symlink(ae, target);
		read_xattrs(e, ae, -1, dirfd, name);
	}
	if (archive_write_header(c->a, ae) < ARCHIVE_WARN ||
	    archive_write_finish_entry(c->a) != ARCHIVE_OK)
		rc = a_fail(c, "header");
	archive_entry_free(ae);
	return rc;
}

static int
excluded(struct coll *c, const struct irt_profile_entry *pe, const char *path)
{
	size_t i;

	for (i = 0; c->prof->exclude && c->prof->exclude[i]; i++)
		if (irt_glob_match(c->prof->exclude[i], path))
			return 1;
	for (i = 0; pe && pe->exclude && pe->exclude[i]; i++)
		if (irt_glob_match(pe->exclude[i], path))
			return 1;
	for (i = 0; c->o->exclude && c->o->exclude[i]; i++)
		if (irt_glob_match(c->o->exclude[i], path))
			return 1;
	return 0;
}

const char *
irt_pseudo_fs(long type)
{
	switch ((unsigned long)type) {
	case 0x9fa0:
		return "proc";
	case 0x62656572:
		return "sysfs";
	case 0x64626720:
		return "debugfs";
	case 0x74726163:
		return "tracefs";
	case 0x27e0eb:
		return "cgroup";
	case 0x63677270:
		return "cgroup2";
	case 0x73636673:
		return "securityfs";
	case 0x6165676c:
		return "pstore";
	case 0xcafe4a11:
		return "bpf";
	case 0x1cd1:
		return "devpts";
	case 0x62656570:
		return "configfs";
	case 0x65735543:
		return "fusectl";
	case 0x65735546:
		return "fuse";
	case 0x6969:
		return "nfs";
	case 0x517b:
		return "smb";
	case 0xff534d42:
		return "cifs";
	case 0xfe534d42:
		return "smb2";
	case 0x00c36400:
		return "ceph";
	case 0x5346414f:
	case 0x6b414653:
		return "afs";
	case 0x73757245:
		return "coda";
	case 0x01021997:
		return "9p";
	case 0x564c:
		return "ncp";
	case 0x0187:
		return "autofs";
	case 0x42494e4d:
		return "binfmt_misc";
	case 0x19800202:
		return "mqueue";
	case 0x6e736673:
		return "nsfs";
	case 0xde5e81e4:
		return "efivarfs";
	case 0xf97cff8c:
		return "selinuxfs";
	case 0x47504653:
		return "gpfs";
	case 0x0bd00bd0:
		return "lustre";
	}
	return NULL;
}

/* An open directory of the walk and, when it was listed, its entries. */
struct dirwalk {
	int fd;  /* -1: not entered */
	int own; /* fd is closed with the dirwalk */
	dev_t dev;
	char **names; /* sorted, without . and .. */
	size_t n;
};

static void
dirwalk_close(struct dirwalk *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->names[i]);
	free(d->names);
	if (d->own && d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->names = NULL;
	d->n = 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists d->fd into d->names; 0 or an errno (what was read is kept). */
static int
list_dir(struct dirwalk *d)
{
	struct dirent *de;
	char **nv;
	size_t cap = 0;
	DIR *dir;
	int fd, e = 0;

	if ((fd = dup(d->fd)) == -1)
		return errno;
	if ((dir = fdopendir(fd)) == NULL) {
		e = errno;
		close(fd);
		return e;
	}
	rewinddir(dir);
	for (;;) {
		errno = 0;
		if ((de = readdir(dir)) == NULL) {
			e = errno;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (d->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(d->names, cap * sizeof *nv)) ==
			    NULL) {
				e = ENOMEM;
				break;
			}
			d->names = nv;
		}
		if ((d->names[d->n] = strdup(de->d_name)) == NULL) {
			e = ENOMEM;
			break;
		}
		d->n++;
	}
	closedir(dir);
	if (d->n > 1)
		qsort(d->names, d->n, sizeof *d->names, name_cmp);
	return e;
}

/* What keeps a directory's contents out of the archive. */
struct why {
	enum irt_collect_status st; /* IRT_ST_OK: nothing */
	char reason[256];
};

static void why_set(struct why *w, enum irt_collect_status st, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
why_set(struct why *w, enum irt_collect_status st, const char *fmt, ...)
{
	va_list ap;

	w->st = st;
	va_start(ap, fmt);
	vsnprintf(w->reason, sizeof w->reason, fmt, ap);
	va_end(ap);
}

enum {
	V_RECORD = 1, /* an entry of the profile: record it and store it */
	V_ENTER = 2,  /* a directory the walk goes into */
	V_LIST = 4,   /* ... and whose entries it needs */
	V_WILD = 8,   /* reached through a wildcard */
};

/*
 * Opens the directory name (described by sx) for the walk: listed when
 * V_LIST, else only looked up in (O_PATH, which needs no read
 * permission).  Returns 1 when entered; otherwise w says why not (or
 * nothing when it vanished).
 */
static int
enter_dir(struct coll *c, const struct irt_profile_entry *pe, int dirfd,
    const char *name, const char *path, const struct statx *sx, dev_t pdev,
    int depth, int flags, struct dirwalk *d, struct why *w)
{
	struct statfs sf;
	struct stat st;
	const char *fs;
	int fd, e, any = pe != NULL && pe->any_fs;

	memset(d, 0, sizeof *d);
	d->fd = -1;
	if (depth > MAX_DEPTH) {
		why_set(w, IRT_ST_TRUNCATED,
		    "deeper than %d levels: its contents are not collected",
		    MAX_DEPTH);
		return 0;
	}
	if ((flags & V_WILD) && !any &&
	    (sx->stx_attributes & STATX_ATTR_AUTOMOUNT)) {
		why_set(w, IRT_ST_SKIPPED,
		    "automount point not entered (fs=any enters it)");
		return 0;
	}
	if (flags & V_LIST)
		fd = open_noatime(c, dirfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, path);
	else
		fd = openat(
		    dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		e = errno;
		if (e == ENOENT)
			return 0; /* gone since it was listed */
		if (e == ELOOP || e == ENOTDIR)
			why_set(w, IRT_ST_CHANGED,
			    "replaced by a %s while it was walked: not "
			    "entered",
			    e == ELOOP ? "symbolic link" : "file");
		else
			why_set(w, IRT_ST_ERROR,
			    "cannot open the folder: %s; its contents are not "
			    "collected",
			    strerror(e));
		return 0;
	}
	if (fstat(fd, &st) != 0 || st.st_ino != sx->stx_ino ||
	    major(st.st_dev) != sx->stx_dev_major ||
	    minor(st.st_dev) != sx->stx_dev_minor) {
		why_set(w, IRT_ST_CHANGED,
		    "replaced by another folder while it was walked: not "
		    "entered");
		close(fd);
		return 0;
	}
	if ((flags & V_WILD) && !any && st.st_dev != pdev &&
	    fstatfs(fd, &sf) == 0 &&
	    (fs = irt_pseudo_fs((long)sf.f_type)) != NULL) {
		why_set(w, IRT_ST_SKIPPED,
		    "%s file system not entered (fs=any enters it)", fs);
		close(fd);
		return 0;
	}
	d->fd = fd;
	d->own = 1;
	d->dev = st.st_dev;
	if ((flags & V_LIST) && (e = list_dir(d)) != 0)
		why_set(w, IRT_ST_ERROR,
		    "cannot list the folder: %s; %zu entries read, the rest "
		    "not collected",
		    strerror(e), d->n);
	return 1;
}

/*
 * A problem below a directory that already has its manifest line: a
 * line of its own, so that nothing vanishes without a status.
 */
static void
subtree_line(struct coll *c, const struct irt_profile_entry *pe,
    const char *path, const struct why *w)
{
	struct ent e;

	ent_init(&e, path, NULL, pe);
	e.type = "dir";
	e.st = w->st;
	memcpy(e.reason, w->reason, sizeof e.reason);
	ent_emit(c, &e);
}

/*
 * Visits one directory entry.  With V_RECORD it is an entry of the
 * profile: recorded in the manifest and stored.  With V_ENTER and a
 * directory, it is opened into *d for the walk; without V_RECORD such a
 * directory on the way to the entries is recorded only when the walk
 * cannot go through it, so that every subtree left out has a status.
 * Returns 1 when *d was entered.
 */
static int
visit(struct coll *c, const struct irt_profile_entry *pe, int dirfd,
    const char *name, const char *path, dev_t pdev, int depth, int flags,
    struct dirwalk *d)
{
	struct irt_buf ap = IRT_BUF_INIT;
	struct statx sx;
	struct ent e;
	struct why w;
	int rc = 0, entered = 0, seen, record = flags & V_RECORD;

	if (d != NULL) {
		memset(d, 0, sizeof *d);
		d->fd = -1;
	}
	memset(&w, 0, sizeof w);
	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
	        STATX_BASIC_STATS | STATX_BTIME, &sx) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		ent_init(&e, path, NULL, pe);
		e.type = "unknown";
		set_reason(&e, IRT_ST_ERROR, "stat: %s", strerror(errno));
		if (irt_pathset_add(&c->seen, path) == 0)
			ent_emit(c, &e);
		return 0;
	}
	if (!record) {
		if (S_ISLNK(sx.stx_mode) && !(flags & V_WILD)) {
			/* a path the profile names goes through a link */
			why_set(&w, IRT_ST_SKIPPED,
			    "symbolic link on the way to '%s': not followed",
			    pe != NULL ? irt_esc(pe->pattern) : "");
			record = 1;
		} else if (!S_ISDIR(sx.stx_mode) || excluded(c, pe, path))
			return 0;
	}
	if ((seen = irt_pathset_has(&c->seen, path)) == 0 && record &&
	    excluded(c, pe, path)) {
		if (irt_pathset_add(&c->seen, path) < 0) {
			c->fatal = 1;
			return 0;
		}
		ent_init(&e, path, &sx, pe);
		set_reason(&e, IRT_ST_SKIPPED, "excluded");
		ent_emit(c, &e);
		return 0;
	}
	if (S_ISDIR(sx.stx_mode) && (flags & V_ENTER) && d != NULL)
		entered = enter_dir(
		    c, pe, dirfd, name, path, &sx, pdev, depth, flags, d, &w);
	if (seen) {
		/* recorded before, through another pattern */
		if (w.st != IRT_ST_OK)
			subtree_line(c, pe, path, &w);
		return entered;
	}
	if (!record && w.st == IRT_ST_OK)
		return entered; /* on the way, nothing to say */
	if (irt_pathset_add(&c->seen, path) < 0) {
		c->fatal = 1;
		return entered;
	}
	ent_init(&e, path, &sx, pe);
	if (c->o->has_since && !S_ISDIR(sx.stx_mode) &&
	    sx_ns(&sx.stx_mtime) < c->o->since &&
	    sx_ns(&sx.stx_ctime) < c->o->since) {
		c->older++;
		return entered;
	}
	if (S_ISREG(sx.stx_mode) && sx.stx_ino == c->out_ino &&
	    makedev(sx.stx_dev_major, sx.stx_dev_minor) == c->out_dev) {
		set_reason(&e, IRT_ST_SKIPPED, "the archive being written");
		ent_emit(c, &e);
		return entered;
	}
	irt_buf_printf(&ap, "fs%s", path);
	switch (sx.stx_mode & S_IFMT) {
	case S_IFREG:
		e.apath = ap.ptr;
		c->files++;
		progress(c, "files", path, 0);
		rc = collect_regular(c, &e, dirfd, name, ap.ptr);
		if (e.st == IRT_ST_CHANGED && !e.hashed)
			e.apath = NULL;
		if (e.st == IRT_ST_ERROR && !e.hashed)
			e.apath = NULL;
		if (e.st == IRT_ST_SKIPPED)
			e.apath = NULL;
		break;
	case S_IFDIR:
	case S_IFLNK:
		e.apath = ap.ptr;
		rc = collect_other(c, &e, dirfd, name, ap.ptr);
		if (e.st == IRT_ST_ERROR)
			e.apath = NULL;
		else if (w.st != IRT_ST_OK) {
			e.st = w.st;
			memcpy(e.reason, w.reason, sizeof e.reason);
		}
		break;
	default:
		set_reason(&e, IRT_ST_SKIPPED, "%s: not read", e.type);
		break;
	}
	if (w.st == IRT_ST_SKIPPED && S_ISDIR(sx.stx_mode))
		log_line(c, "skipped %s: %s", irt_esc(path), w.reason);
	ent_emit(c, &e);
	free((char *)e.target);
	irt_buf_release(&ap);
	if (rc != 0)
		c->fatal = 1;
	return entered;
}

static int
has_wild(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static void
path_join(struct irt_buf *p, const char *base, const char *name)
{
	irt_buf_clear(p);
	irt_buf_puts(p, base);
	if (p->len == 0 || p->ptr[p->len - 1] != '/')
		irt_buf_putc(p, '/');
	irt_buf_puts(p, name);
}

/* Everything below the entered directory d at path (a trailing "**"). */
static void
walk_all(struct coll *c, const struct irt_profile_entry *pe, struct dirwalk *d,
    const char *path, int depth)
{
	struct irt_buf p = IRT_BUF_INIT;
	struct dirwalk sub;
	size_t i;

	for (i = 0; i < d->n && !cancelled(c); i++) {
		path_join(&p, path, d->names[i]);
		if (visit(c, pe, d->fd, d->names[i], p.ptr, d->dev, depth + 1,
		        V_RECORD | V_ENTER | V_LIST | V_WILD, &sub)) {
			walk_all(c, pe, &sub, p.ptr, depth + 1);
			dirwalk_close(&sub);
		}
	}
	irt_buf_release(&p);
}

/* The flags to enter a directory in which comps[next] is matched. */
static int
enter_flags(char **comps, size_t ncomps, size_t next)
{
	return V_ENTER | (next < ncomps && has_wild(comps[next]) ? V_LIST : 0);
}

/* Matches comps[ci...] inside the entered directory d at path. */
static void
walk(struct coll *c, const struct irt_profile_entry *pe, struct dirwalk *d,
    const char *path, char **comps, size_t ncomps, size_t ci, int depth)
{
	struct irt_buf p = IRT_BUF_INIT;
	struct dirwalk sub;
	const char *comp;
	size_t i;
	int last;

	if (ci >= ncomps || cancelled(c))
		return;
	comp = comps[ci];
	last = ci + 1 == ncomps;
	if (strcmp(comp, "**") == 0) {
		if (last) {
			walk_all(c, pe, d, path, depth);
			return;
		}
		/* zero directories, then one more level */
		walk(c, pe, d, path, comps, ncomps, ci + 1, depth);
		for (i = 0; i < d->n && !cancelled(c); i++) {
			path_join(&p, path, d->names[i]);
			if (visit(c, pe, d->fd, d->names[i], p.ptr, d->dev,
			        depth + 1, V_ENTER | V_LIST | V_WILD, &sub)) {
				walk(c, pe, &sub, p.ptr, comps, ncomps, ci,
				    depth + 1);
				dirwalk_close(&sub);
			}
		}
		irt_buf_release(&p);
		return;
	}
	if (!has_wild(comp)) {
		path_join(&p, path, comp);
		if (last)
			visit(c, pe, d->fd, comp, p.ptr, d->dev, depth + 1,
			    V_RECORD, NULL);
		else if (visit(c, pe, d->fd, comp, p.ptr, d->dev, depth + 1,
		             enter_flags(comps, ncomps, ci + 1), &sub)) {
			walk(c, pe, &sub, p.ptr, comps, ncomps, ci + 1,
			    depth + 1);
			dirwalk_close(&sub);
		}
		irt_buf_release(&p);
		return;
	}
	for (i = 0; i < d->n && !cancelled(c); i++) {
		if (fnmatch(comp, d->names[i], 0) != 0)
			continue;
		path_join(&p, path, d->names[i]);
		if (last)
			visit(c, pe, d->fd, d->names[i], p.ptr, d->dev,
			    depth + 1, V_RECORD | V_WILD, NULL);
		else if (visit(c, pe, d->fd, d->names[i], p.ptr, d->dev,
		             depth + 1,
		             enter_flags(comps, ncomps, ci + 1) | V_WILD,
		             &sub)) {
			walk(c, pe, &sub, p.ptr, comps, ncomps, ci + 1,
			    depth + 1);
			dirwalk_close(&sub);
		}
	}
	irt_buf_release(&p);
}

static void collect_pattern(struct coll *c, const struct irt_profile_entry *pe);

/* The homes of the root's /etc/passwd, read once. */
static int
load_homes(struct coll *c)
{
	struct irt_buf log = IRT_BUF_INIT;

	if (c->homes_loaded)
		return 0;
	c->homes_loaded = 1;
	if (irt_homes_load(&c->homes, c->rootfd, &c->noatime_fallbacks, &log) !=
	    0) {
		c->fatal = 1;
		irt_buf_release(&log);
		return -1;
	}
	noatime_note(c, "/etc/passwd", NULL);
	log_line(c, "homes: %zu from /etc/passwd%s%s", c->homes.n,
	    log.len ? "; " : "", irt_buf_cstr(&log));
	irt_buf_release(&log);
	return 0;
}

/*
 * A file entry: its pattern, or for ~/PATH, PATH in every home of the
 * root's /etc/passwd (read once).
 */
static void
collect_entry(struct coll *c, const struct irt_profile_entry *pe)
{
	struct irt_profile_entry one;
	struct irt_buf pat = IRT_BUF_INIT;
	size_t i;

	if (strncmp(pe->pattern, "~/", 2) != 0) {
		collect_pattern(c, pe);
		return;
	}
	if (load_homes(c) != 0)
		return;
	for (i = 0; i < c->homes.n && !cancelled(c); i++) {
		one = *pe;
		irt_home_pattern(&pat, c->homes.v[i], pe->pattern + 1);
		one.pattern = pat.ptr;
		collect_pattern(c, &one);
	}
	irt_buf_release(&pat);
}

static void
collect_pattern(struct coll *c, const struct irt_profile_entry *pe)
{
	char *pat, *s, *save = NULL, **comps = NULL;
	struct dirwalk root;
	struct stat st;
	struct why w;
	size_t n = 0;
	int e;

	if ((pat = strdup(pe->pattern)) == NULL ||
	    (comps = calloc(strlen(pe->pattern) / 2 + 2, sizeof *comps)) ==
	        NULL) {
		free(pat);
		c->fatal = 1;
		return;
	}
	for (s = strtok_r(pat, "/", &save); s; s = strtok_r(NULL, "/", &save))
		comps[n++] = s;
	log_line(c, "entry line %u: file %s", pe->line, irt_esc(pe->pattern));
	/* "/" alone: the root directory itself is not an entry */
	if (n > 0) {
		memset(&root, 0, sizeof root);
		root.fd = c->rootfd;
		if (fstat(c->rootfd, &st) == 0)
			root.dev = st.st_dev;
		if (has_wild(comps[0]) && (e = list_dir(&root)) != 0) {
			memset(&w, 0, sizeof w);
			why_set(&w, IRT_ST_ERROR,
			    "cannot list the folder: %s; %zu entries read, "
			    "the rest not collected",
			    strerror(e), root.n);
			subtree_line(c, pe, "/", &w);
		}
		walk(c, pe, &root, "/", comps, n, 0, 0);
		dirwalk_close(&root);
	}
	free(comps);
	free(pat);
}

/* ---- live response ---- */

struct livecap {
	struct irt_buf out, err;
	int out_trunc, err_trunc;
};

static int
live_output(int fd, const char *data, size_t len, void *arg)
{
	struct livecap *lc = arg;
	struct irt_buf *b = fd == 1 ? &lc->out : &lc->err;
	int *tr = fd == 1 ? &lc->out_trunc : &lc->err_trunc;
	size_t max = fd == 1 ? IRT_COLLECT_LIVE_MAX : IRT_COLLECT_LIVE_ERR_MAX;

	if (b->len + len > max) {
		*tr = 1;
		len = max - b->len;
	}
	return len > 0 ? irt_buf_put(b, data, len) : 0;
}

static int
store_live(
    struct coll *c, struct ent *e, const char *apath, const struct irt_buf *b)
{
	int rc;

	if ((rc = irt_hash_reset(c->h)) != 0 ||
	    (rc = irt_hash_update(c->h, irt_buf_cstr(b), b->len)) != 0 ||
	    (rc = irt_hash_final(c->h)) != 0)
		return rc;
	e->apath = apath;
	e->hashed = 1;
	e->stored = b->len;
	c->total += b->len;
	return a_mem(c, apath, irt_buf_cstr(b), b->len, irt_now());
}

/* The members a live entry adds to its manifest line. */
static const char *
live_extra(struct irt_buf *b, const struct irt_profile_entry *pe,
    const struct irt_spawn_result *r, int ran)
{
	char t[IRT_TIME_MAX];
	struct irt_jw w;
	size_t i;

	irt_buf_clear(b);
	irt_jw_init(&w, b);
	irt_jw_object(&w, NULL);
	if (pe->argv) {
		irt_jw_array(&w, "argv");
		for (i = 0; pe->argv[i]; i++)
			irt_jw_str(&w, NULL, pe->argv[i]);
		irt_jw_end(&w);
	} else
		irt_jw_null(&w, "argv");
	irt_jw_str(&w, "builtin", pe->builtin);
	if (ran && r != NULL) {
		irt_jw_str(&w, "start", irt_time_format(t, r->start, 9));
		irt_jw_str(&w, "end", irt_time_format(t, r->end, 9));
		irt_jw_int(&w, "exit", irt_spawn_exit_code(r));
		irt_jw_bool(&w, "timed_out", r->timed_out);
	}
	irt_jw_end(&w);
	return w.err == 0 ? irt_buf_cstr(b) : NULL;
}

/*
 * Stores live/proc/PID/exe or live/proc/PID/fd/N: the file the magic
 * link points to, deleted or not, read like any file (O_NOATIME, size
 * cap, hashed, in the manifests).
 */
static void
copy_proc(struct coll *c, const struct irt_profile_entry *pe,
    const struct irt_live_copy *cp)
{
	char name[32], path[64], apath[80], pdir[32], target[4097];
	struct irt_buf extra = IRT_BUF_INIT;
	struct irt_jw w;
	struct statx sx;
	struct ent e;
	ssize_t n;
	int dfd, rc = 0;

	if (cp->fd < 0)
		snprintf(name, sizeof name, "exe");
	else
		snprintf(name, sizeof name, "fd/%d", cp->fd);
	snprintf(pdir, sizeof pdir, "/proc/%d", cp->pid);
	snprintf(path, sizeof path, "/proc/%d/%s", cp->pid, name);
	snprintf(apath, sizeof apath, "live/proc/%d/%s", cp->pid, name);
	irt_jw_init(&w, &extra);
	irt_jw_object(&w, NULL);
	irt_jw_int(&w, "pid", cp->pid);
	irt_jw_str(&w, "copied_because", cp->why);
	irt_jw_end(&w);
	ent_init(&e, path, NULL, pe);
	e.extra = w.err == 0 ? irt_buf_cstr(&extra) : NULL;
	progress(c, "live", path, 0);
	if ((rc = irt_pathset_add(&c->seen, apath)) != 0) {
		if (rc < 0)
			c->fatal = 1;
		set_reason(&e, IRT_ST_ERROR, "another member has this name");
		ent_emit(c, &e);
		irt_buf_release(&extra);
		return;
	}
	if ((dfd = open(pdir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		set_reason(&e, IRT_ST_CHANGED, "the process is gone: %s",
		    strerror(errno));
		ent_emit(c, &e);
		irt_buf_release(&extra);
		return;
	}
	if ((n = readlinkat(dfd, name, target, sizeof target - 1)) >= 0) {
		target[n] = '\0';
		e.target = target;
	}
	if (statx(dfd, name, AT_STATX_SYNC_AS_STAT,
	        STATX_BASIC_STATS | STATX_BTIME, &sx) != 0) {
		set_reason(&e, errno == ENOENT ? IRT_ST_CHANGED : IRT_ST_ERROR,
		    "stat: %s", strerror(errno));
		goto out;
	}
	e.sx = &sx;
	e.type = type_name(sx.stx_mode);
	if (!S_ISREG(sx.stx_mode)) {
		set_reason(&e, IRT_ST_SKIPPED, "%s: not read", e.type);
		goto out;
	}
	if (c->proc_copied >= IRT_COLLECT_PROC_COPIES_MAX) {
		set_reason(&e, IRT_ST_SKIPPED,
		    "%llu MiB of process files stored already; not stored",
		    IRT_COLLECT_PROC_COPIES_MAX >> 20);
		goto out;
	}
	e.apath = apath;
	e.magic = 1;
	e.cap = IRT_COLLECT_PROC_COPY_MAX;
	c->files++;
	rc = collect_regular(c, &e, dfd, name, apath);
	if (!e.hashed || e.st == IRT_ST_SKIPPED)
		e.apath = NULL;
	c->proc_copied += e.stored;
	log_line(c, "live %s: %s (%s), %llu bytes", irt_esc(path),
	    irt_esc(e.target ? e.target : "?"), cp->why,
	    (unsigned long long)e.stored);
out:
	ent_emit(c, &e);
	close(dfd);
	irt_buf_release(&extra);
	if (rc != 0)
		c->fatal = 1;
}

/*
 * Stores a changed file of a package as fs/PATH, read through the
 * descriptor the packages builtin verified it with: the bytes are those
 * it found changed, whatever happened at PATH since.
 */
static void
copy_pkg(struct coll *c, const struct irt_profile_entry *pe,
    const struct irt_pkg_copy *cp)
{
	struct irt_buf ap = IRT_BUF_INIT, xb = IRT_BUF_INIT;
	struct irt_jw w;
	char name[32];
	struct statx sx;
	struct ent e;
	int rc;

	if ((rc = irt_pathset_add(&c->seen, cp->path)) != 0) {
		/* two packages name the file: stored once */
		if (rc < 0)
			c->fatal = 1;
		return;
	}
	irt_jw_init(&w, &xb);
	irt_jw_object(&w, NULL);
	irt_jw_str(&w, "package", cp->package);
	irt_jw_str(&w, "copied_because", "package-changed");
	irt_jw_end(&w);
	ent_init(&e, cp->path, NULL, pe);
	e.extra = w.err == 0 ? irt_buf_cstr(&xb) : NULL;
	progress(c, "live", cp->path, 0);
	rc = 0;
	if (statx(cp->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME,
	        &sx) != 0) {
		set_reason(&e, IRT_ST_ERROR, "stat: %s", strerror(errno));
		goto out;
	}
	e.sx = &sx;
	e.type = type_name(sx.stx_mode);
	if (c->pkg_copied >= IRT_COLLECT_PROC_COPIES_MAX) {
		set_reason(&e, IRT_ST_SKIPPED,
		    "%llu MiB of changed package files stored already; not "
		    "stored",
		    IRT_COLLECT_PROC_COPIES_MAX >> 20);
		goto out;
	}
	irt_buf_printf(&ap, "fs%s", cp->path);
	snprintf(name, sizeof name, "/proc/self/fd/%d", cp->fd);
	e.apath = ap.ptr;
	e.magic = 1;
	e.cap = IRT_COLLECT_PROC_COPY_MAX;
	c->files++;
	rc = collect_regular(c, &e, AT_FDCWD, name, ap.ptr);
	if (!e.hashed || e.st == IRT_ST_SKIPPED)
		e.apath = NULL;
	c->pkg_copied += e.stored;
	log_line(c, "live packages: %s of %s changed, %llu bytes stored",
	    irt_esc(cp->path), irt_esc(cp->package),
	    (unsigned long long)e.stored);
out:
	ent_emit(c, &e);
	irt_buf_release(&ap);
	irt_buf_release(&xb);
	if (rc != 0)
		c->fatal = 1;
}

/*
 * The statpass builtin: the bodyfile as live/NAME, the findings as
 * live/BASE.jsonl (NAME without ".body"), both through spools on disk:
 * a host of millions of files makes a bodyfile of hundreds of MiB.
 */
static void
store_statpass(
    struct coll *c, struct ent *e, const char *apath, struct spool *s)
{
	int rc;

	if ((rc = a_spool_h(c, s, apath, irt_now(), c->h)) != 0) {
		c->fatal = 1;
		return;
	}
	e->apath = apath;
	e->hashed = 1;
	e->stored = s->size;
	c->total += s->size;
}

static void
run_statpass(struct coll *c, const struct irt_profile_entry *pe, struct ent *e,
    const char *apath)
{
	struct spool body = { -1, IRT_BUF_INIT, 0 }, find = body;
	struct irt_buf fp = IRT_BUF_INIT, xb = IRT_BUF_INIT;
	struct irt_statpass_opts so;
	struct irt_statpass_stats st;
	struct ent fe;
	size_t n = strlen(pe->name);
	int rc;

	if (n > 5 && strcmp(pe->name + n - 5, ".body") == 0)
		n -= 5;
	irt_buf_printf(&fp, "live/%.*s.jsonl", (int)n, pe->name);
	ent_init(&fe, fp.ptr, NULL, pe);
	fe.type = "live";
	if ((rc = irt_pathset_add(&c->seen, fp.ptr)) != 0) {
		if (rc < 0)
			c->fatal = 1;
		set_reason(e, IRT_ST_ERROR,
		    "another member is named '%s': not run", fp.ptr);
		e->apath = NULL;
		e->extra = live_extra(&xb, pe, NULL, 0);
		ent_emit(c, e);
		goto out;
	}
	if ((rc = spool_open(&body, c->outdirfd, c->outdir)) != 0 ||
	    (rc = spool_open(&find, c->outdirfd, c->outdir)) != 0) {
		c->fatal = 1;
		goto out;
	}
	memset(&so, 0, sizeof so);
	so.rootfd = c->rootfd;
	so.body_fd = body.fd;
	so.findings_fd = find.fd;
	so.cancel = c->o->cancel;
	rc = irt_statpass(&st, &so);
	c->noatime_fallbacks += st.noatime_fallbacks;
	noatime_note(c, NULL, "a file or folder of the stat pass");
	if (rc != 0) {
		set_reason(e,
		    rc == IRT_EABORT ? IRT_ST_TRUNCATED : IRT_ST_ERROR, "%s",
		    irt_error_last());
		set_reason(&fe, e->st, "%s", e->reason);
	}
	/* the spools were written by their descriptors */
	body.size = (uint64_t)lseek(body.fd, 0, SEEK_END);
	find.size = (uint64_t)lseek(find.fd, 0, SEEK_END);
	log_line(c,
	    "live %s: builtin statpass, %llu entries (%llu folders, %llu "
	    "files, %llu links, %llu other), %llu file systems not walked, "
	    "%llu unreadable, %llu too deep, %llu loops, %llu errors; "
	    "%llu set-id, %llu capabilities, %llu immutable, %llu "
	    "world-writable executables, %llu ELF files",
	    pe->name, (unsigned long long)st.entries,
	    (unsigned long long)st.dirs, (unsigned long long)st.files,
	    (unsigned long long)st.symlinks, (unsigned long long)st.other,
	    (unsigned long long)st.not_walked,
	    (unsigned long long)st.unreadable, (unsigned long long)st.too_deep,
	    (unsigned long long)st.loops, (unsigned long long)st.errors,
	    (unsigned long long)st.setid, (unsigned long long)st.capabilities,
	    (unsigned long long)st.immutable,
	    (unsigned long long)st.world_writable_exec,
	    (unsigned long long)st.elf);
	store_statpass(c, e, apath, &body);
	e->extra = live_extra(&xb, pe, NULL, 0);
	ent_emit(c, e);
	if (!c->fatal) {
		store_statpass(c, &fe, fp.ptr, &find);
		fe.extra = live_extra(&xb, pe, NULL, 0);
		ent_emit(c, &fe);
	}
out:
	spool_close(&body);
	spool_close(&find);
	irt_buf_release(&fp);
	irt_buf_release(&xb);
}

/* What the self-maps builtin found, for the caller's summary. */
static void
self_result(struct coll *c, const struct irt_self_stats *ss)
{
	struct irt_collect_result *res = c->res;
	size_t k;

	res->self_checked = true;
	res->self_unexpected += ss->unexpected;
	for (k = 0; k < ss->npaths; k++) {
		char **nv;
		if (res->self_npaths >= IRT_SELF_PATHS_MAX)
			break;
		nv = realloc(
		    res->self_paths, (res->self_npaths + 1) * sizeof *nv);
		if (nv == NULL)
			break;
		res->self_paths = nv;
		if ((nv[res->self_npaths] = strdup(ss->paths[k])) == NULL)
			break;
		res->self_npaths++;
	}
}

/* A builtin that reads the files of the root, not the running kernel:
 * it runs under --root too. */
static int
root_builtin(const struct irt_profile_entry *pe)
{
	return pe->builtin != NULL &&
	    (strcmp(pe->builtin, "packages") == 0 ||
	        strcmp(pe->builtin, "ssh-keys") == 0 ||
	        strcmp(pe->builtin, "containers") == 0 ||
	        strcmp(pe->builtin, "statpass") == 0 ||
	        strcmp(pe->builtin, "kernel") == 0 ||
	        strcmp(pe->builtin, "self-maps") == 0);
}

static void
run_live(struct coll *c, const struct irt_profile_entry *pe)
{
	struct irt_spawn_result r;
	struct irt_spawn_opts so;
	struct livecap lc;
	struct irt_buf ap = IRT_BUF_INIT, ep = IRT_BUF_INIT, xb = IRT_BUF_INIT;
	struct irt_live_copies copies = { NULL, 0, 0 };
	struct irt_pkg_copies pkgs = { NULL, 0, 0 };
	struct ent e;
	double timeout;
	size_t i;
	int src, rc = 0;

	memset(&lc, 0, sizeof lc);
	memset(&r, 0, sizeof r);
	irt_buf_printf(&ap, "live/%s", pe->name);
	ent_init(&e, ap.ptr, NULL, pe);
	e.type = "live";
	progress(c, "live", ap.ptr, 1);
	/* two members of one name would make an archive that fails
	 * irt verify: the parser refuses such profiles, and so does this
	 * for a profile built by other means */
	if ((rc = irt_pathset_add(&c->seen, ap.ptr)) != 0) {
		if (rc < 0)
			c->fatal = 1;
		set_reason(&e, IRT_ST_ERROR,
		    "another live entry has this name: not run");
		e.apath = NULL;
		e.extra = live_extra(&xb, pe, NULL, 0);
		ent_emit(c, &e);
		goto out;
	}
	if ((!c->live && !root_builtin(pe)) || c->o->no_live) {
		set_reason(&e, IRT_ST_SKIPPED, "%s",
		    c->o->no_live ? "--no-live" : "--root is not /: not run");
		e.extra = live_extra(&xb, pe, NULL, 0);
		ent_emit(c, &e);
		irt_buf_release(&ap);
		irt_buf_release(&xb);
		return;
	}
	if (pe->builtin != NULL && strcmp(pe->builtin, "statpass") == 0) {
		run_statpass(c, pe, &e, ap.ptr);
		goto out;
	}
	if (pe->builtin != NULL) {
		r.start = irt_now();
		if (strcmp(pe->builtin, "processes") == 0) {
			rc = irt_live_processes(&lc.out, EXE_HASH_CAP,
			    &c->noatime_fallbacks, &copies);
			noatime_note(c, NULL, "an executable of /proc/*/exe");
		} else if (strcmp(pe->builtin, "hidden") == 0)
			rc = irt_live_hidden(&lc.out);
		else if (strcmp(pe->builtin, "ssh-keys") == 0) {
			if (load_homes(c) != 0)
				goto out;
			rc = irt_live_ssh_keys(&lc.out, c->rootfd, &c->homes,
			    &c->noatime_fallbacks);
			noatime_note(c, NULL, "a file of .ssh/");
		} else if (strcmp(pe->builtin, "containers") == 0) {
			if (load_homes(c) != 0)
				goto out;
			rc = irt_live_containers(&lc.out, c->rootfd, &c->homes,
			    &c->noatime_fallbacks);
			noatime_note(c, NULL, "a container's config");
		} else if (strcmp(pe->builtin, "packages") == 0) {
			struct irt_pkg_stats ps;
			rc = irt_live_packages(&lc.out, c->rootfd,
			    &c->noatime_fallbacks, &pkgs, &ps, c->o->cancel);
			noatime_note(c, NULL, "a file of a package");
			log_line(c,
			    "live %s: %llu packages, %llu files: %llu ok, "
			    "%llu changed, %llu missing, %llu unreadable, "
			    "%llu malformed lines",
			    pe->name, (unsigned long long)ps.packages,
			    (unsigned long long)ps.files,
			    (unsigned long long)ps.ok,
			    (unsigned long long)ps.changed,
			    (unsigned long long)ps.missing,
			    (unsigned long long)ps.errors,
			    (unsigned long long)ps.malformed);
		} else if (strcmp(pe->builtin, "kernel") == 0) {
			struct irt_kernel_stats ks;
			rc = irt_live_kernel(
			    &lc.out, c->rootfd, &c->noatime_fallbacks, &ks);
			noatime_note(c, NULL, "a file of /sys/module");
			log_line(c,
			    "live %s: %llu modules in /proc/modules, %llu "
			    "loadable in /sys/module, %llu hidden, %llu "
			    "tainted, taint %llu, %llu malformed lines",
			    pe->name, (unsigned long long)ks.proc_modules,
			    (unsigned long long)ks.sys_module,
			    (unsigned long long)ks.hidden,
			    (unsigned long long)ks.tainted_modules, ks.taint,
			    (unsigned long long)ks.malformed);
		} else if (strcmp(pe->builtin, "self-maps") == 0) {
			struct irt_self_stats ss;
			size_t k;
			rc = irt_live_self_maps(&lc.out, &ss);
			log_line(c,
			    "live %s: %llu objects loaded in irt, %llu it did "
			    "not ask for",
			    pe->name, (unsigned long long)ss.objects,
			    (unsigned long long)ss.unexpected);
			for (k = 0; k < ss.npaths; k++)
				log_line(c,
				    "live %s: irt maps '%s', which it did not "
				    "ask for",
				    pe->name, irt_esc(ss.paths[k]));
			self_result(c, &ss);
			irt_self_stats_release(&ss);
		} else
			rc = irt_live_sockets(&lc.out);
		r.end = irt_now();
		if (rc != 0)
			set_reason(&e, IRT_ST_ERROR, "%s", irt_error_last());
		if ((rc = store_live(c, &e, ap.ptr, &lc.out)) != 0)
			c->fatal = 1;
		log_line(c, "live %s: builtin %s, %zu bytes", pe->name,
		    pe->builtin, lc.out.len);
		e.extra = live_extra(&xb, pe, NULL, 0);
		ent_emit(c, &e);
		for (i = 0; i < copies.n && !c->fatal && !cancelled(c); i++)
			copy_proc(c, pe, &copies.v[i]);
		free(copies.v);
		for (i = 0; i < pkgs.n && !c->fatal && !cancelled(c); i++)
			copy_pkg(c, pe, &pkgs.v[i]);
		irt_pkg_copies_release(&pkgs);
		goto out;
	}
	timeout = pe->timeout > 0 ? pe->timeout
	    : c->o->timeout > 0   ? c->o->timeout
	                          : DEFAULT_TIMEOUT;
	memset(&so, 0, sizeof so);
	so.timeout = timeout;
	so.output = live_output;
	so.arg = &lc;
	so.cancel = c->o->cancel;
	so.cwd = "/";
	/* nothing a live command starts outlives it */
	so.kill_group_on_exit = 1;
	src = irt_spawn(&r, pe->argv, &so);
	if (r.not_found || src == IRT_ENOTFOUND) {
		set_reason(
		    &e, IRT_ST_SKIPPED, "command not found: %s", pe->argv[0]);
		log_line(c, "live %s: skipped, %s not found", pe->name,
		    irt_esc(pe->argv[0]));
		e.extra = live_extra(&xb, pe, NULL, 0);
		ent_emit(c, &e);
		goto out;
	}
	if (src != 0) {
		set_reason(&e, IRT_ST_ERROR, "%s", irt_error_last());
		e.extra = live_extra(&xb, pe, NULL, 0);
		ent_emit(c, &e);
		goto out;
	}
	if (r.timed_out)
		set_reason(&e, IRT_ST_ERROR,
		    "timed out after %gs; its process group was killed",
		    timeout);
	else if (!r.exited)
		set_reason(&e, IRT_ST_ERROR, "killed by signal %d", r.status);
	else if (lc.out_trunc)
		set_reason(&e, IRT_ST_TRUNCATED, "output over %u bytes",
		    IRT_COLLECT_LIVE_MAX);
	else if (r.status != 0)
		snprintf(e.reason, sizeof e.reason, "exit status %d", r.status);
	if ((rc = store_live(c, &e, ap.ptr, &lc.out)) != 0)
		c->fatal = 1;
	log_line(c, "live %s: exit %d%s, %zu bytes", pe->name,
	    irt_spawn_exit_code(&r), r.timed_out ? " (timed out, killed)" : "",
	    lc.out.len);
	e.extra = live_extra(&xb, pe, &r, 1);
	ent_emit(c, &e);
	if (lc.err.len > 0 && !c->fatal) {
		struct ent ee;
		irt_buf_printf(&ep, "live/%s.stderr", pe->name);
		ent_init(&ee, ep.ptr, NULL, pe);
		ee.type = "live";
		if ((rc = irt_pathset_add(&c->seen, ep.ptr)) != 0) {
			if (rc < 0)
				c->fatal = 1;
			set_reason(&ee, IRT_ST_ERROR,
			    "another live entry has this name: standard "
			    "error not stored");
		} else {
			if (lc.err_trunc)
				set_reason(&ee, IRT_ST_TRUNCATED,
				    "output over %u bytes",
				    IRT_COLLECT_LIVE_ERR_MAX);
			if (store_live(c, &ee, ep.ptr, &lc.err) != 0)
				c->fatal = 1;
		}
		ent_emit(c, &ee);
	}
out:
	irt_buf_release(&lc.out);
	irt_buf_release(&lc.err);
	irt_buf_release(&ap);
	irt_buf_release(&ep);
	irt_buf_release(&xb);
}

/* ---- process memory ---- */

struct pmem_ctx {
	struct coll *c;
	int pid;
	struct irt_buf index; /* mem.jsonl */
	int err;
};

static int
pmem_maps(void *arg, const char *text, size_t len, int truncated)
{
	struct pmem_ctx *pc = arg;
	struct coll *c = pc->c;
	struct irt_buf ap = IRT_BUF_INIT, xb = IRT_BUF_INIT;
	struct irt_buf b = { (char *)(uintptr_t)text, len, len + 1 };
	struct irt_jw w;
	struct ent e;
	int rc;

	irt_buf_printf(&ap, "live/proc/%d/maps", pc->pid);
	ent_init(&e, ap.ptr, NULL, NULL);
	e.type = "live";
	irt_jw_init(&w, &xb);
	irt_jw_object(&w, NULL);
	irt_jw_int(&w, "pid", pc->pid);
	irt_jw_str(&w, "process_memory", "maps");
	irt_jw_end(&w);
	e.extra = w.err == 0 ? irt_buf_cstr(&xb) : NULL;
	if ((rc = irt_pathset_add(&c->seen, ap.ptr)) != 0) {
		set_reason(&e, IRT_ST_ERROR, "another member has this name");
		rc = rc < 0 ? rc : 0;
	} else {
		if (truncated)
			set_reason(&e, IRT_ST_TRUNCATED, "over %u bytes",
			    IRT_MAPS_MAX);
		rc = store_live(c, &e, ap.ptr, &b);
	}
	ent_emit(c, &e);
	irt_buf_release(&ap);
	irt_buf_release(&xb);
	return rc;
}

static int
pmem_region(void *arg, const struct irt_pmem_region *r, int fd)
{
	struct pmem_ctx *pc = arg;
	struct coll *c = pc->c;
	struct irt_buf ap = IRT_BUF_INIT, xb = IRT_BUF_INIT;
	struct spool sp;
	struct irt_jw w;
	struct ent e;
	char hex[65];
	int rc = 0, stored = 0;

	if (fd < 0 || !r->read)
		return irt_pmem_index_line(&pc->index, r, NULL, NULL);
	irt_buf_printf(&ap, "live/proc/%d/mem/%llx-%llx.bin", pc->pid,
	    (unsigned long long)r->m->start, (unsigned long long)r->m->end);
	ent_init(&e, ap.ptr, NULL, NULL);
	e.type = "live";
	irt_jw_init(&w, &xb);
	irt_jw_object(&w, NULL);
	irt_jw_int(&w, "pid", pc->pid);
	irt_jw_str(&w, "process_memory", "mapping");
	irt_jw_str(&w, "perms", r->m->perms);
	irt_jw_str(&w, "mapping_path", r->m->path);
	irt_jw_uint(&w, "unreadable", r->unreadable);
	irt_jw_end(&w);
	e.extra = w.err == 0 ? irt_buf_cstr(&xb) : NULL;
	progress(c, "live", ap.ptr, 0);
	if ((rc = irt_pathset_add(&c->seen, ap.ptr)) != 0) {
		set_reason(&e, IRT_ST_ERROR, "another member has this name");
		rc = rc < 0 ? rc : 0;
	} else {
		memset(&sp, 0, sizeof sp);
		sp.fd = fd;
		sp.size = r->stored;
		if ((rc = a_spool_h(c, &sp, ap.ptr, irt_now(), c->h)) == 0) {
			e.apath = ap.ptr;
			e.hashed = 1;
			e.stored = r->stored;
			c->total += r->stored;
			stored = 1;
			memcpy(hex, irt_hash_hex(c->h, IRT_HASH_SHA256), 65);
		}
		if (r->truncated)
			set_reason(&e, IRT_ST_TRUNCATED,
			    "the --max-process-memory cap of %llu bytes "
			    "is reached",
			    (unsigned long long)(c->o->max_process_memory
			            ? c->o->max_process_memory
			            : IRT_COLLECT_PMEM_MAX));
		else if (r->error[0] != '\0')
			snprintf(e.reason, sizeof e.reason, "%s", r->error);
	}
	ent_emit(c, &e);
	if (rc == 0)
		rc = irt_pmem_index_line(
		    &pc->index, r, stored ? ap.ptr : NULL, stored ? hex : NULL);
	irt_buf_release(&ap);
	irt_buf_release(&xb);
	return rc;
}

/*
 * --process-memory: for each process live/proc/PID/maps, a member
 * live/proc/PID/mem/START-END.bin for each mapping read, and the index
 * live/proc/PID/mem.jsonl.
 */
static void
collect_pmem(struct coll *c, struct irt_collect_pmem *res, int pid)
{
	static const struct irt_pmem_ops ops = { pmem_maps, pmem_region };
	uint64_t cap = c->o->max_process_memory ? c->o->max_process_memory
	                                        : IRT_COLLECT_PMEM_MAX;
	struct pmem_ctx pc;
	struct irt_pmem_stats st;
	struct irt_buf ap = IRT_BUF_INIT, xb = IRT_BUF_INIT;
	struct spool tmp;
	struct irt_jw w;
	struct ent e;
	int rc;

	memset(&pc, 0, sizeof pc);
	pc.c = c;
	pc.pid = pid;
	res->pid = pid;
	irt_buf_printf(&ap, "live/proc/%d/mem.jsonl", pid);
	progress(c, "live", ap.ptr, 1);
	if ((rc = spool_open(&tmp, c->outdirfd, c->outdir)) != 0) {
		c->fatal = 1;
		goto out;
	}
	rc = irt_pmem_collect(&st, pid, cap,
	    c->o->timeout > 0 ? c->o->timeout : DEFAULT_TIMEOUT, tmp.fd, &ops,
	    &pc, c->o->cancel);
	spool_close(&tmp);
	if (rc != 0) {
		c->fatal = 1;
		goto out;
	}
	if (irt_pmem_index_summary(&pc.index, pid, cap, &st) != 0) {
		c->fatal = 1;
		goto out;
	}
	res->mappings = st.mappings;
	res->read = st.read;
	res->stored = st.stored;
	res->unreadable = st.unreadable;
	res->timed_out = st.timed_out != 0;
	snprintf(res->reason, sizeof res->reason, "%s", st.reason);
	res->st = st.failed || st.timed_out ? IRT_ST_ERROR
	    : st.gone                       ? IRT_ST_CHANGED
	    : st.cap_reached                ? IRT_ST_TRUNCATED
	    : st.reason[0] != '\0'          ? IRT_ST_SKIPPED
	                                    : IRT_ST_OK;
	if (res->st == IRT_ST_TRUNCATED)
		snprintf(res->reason, sizeof res->reason,
		    "the cap of %llu bytes is reached",
		    (unsigned long long)cap);
	ent_init(&e, ap.ptr, NULL, NULL);
	e.type = "live";
	irt_jw_init(&w, &xb);
	irt_jw_object(&w, NULL);
	irt_jw_int(&w, "pid", pid);
	irt_jw_str(&w, "process_memory", "index");
	irt_jw_uint(&w, "mappings", st.mappings);
	irt_jw_uint(&w, "memory_stored", st.stored);
	irt_jw_uint(&w, "cap", cap);
	irt_jw_bool(&w, "cap_reached", st.cap_reached != 0);
	irt_jw_end(&w);
	e.extra = w.err == 0 ? irt_buf_cstr(&xb) : NULL;
	if ((rc = irt_pathset_add(&c->seen, ap.ptr)) != 0) {
		set_reason(&e, IRT_ST_ERROR, "another member has this name");
		if (rc < 0)
			c->fatal = 1;
	} else {
		if (res->st != IRT_ST_OK)
			set_reason(&e, res->st, "%s", res->reason);
		if (store_live(c, &e, ap.ptr, &pc.index) != 0)
			c->fatal = 1;
	}
	ent_emit(c, &e);
	log_line(c,
	    "process memory %d: %llu mappings, %llu read, %llu bytes stored "
	    "(%llu unreadable, stored as zeros)%s%s",
	    pid, (unsigned long long)st.mappings, (unsigned long long)st.read,
	    (unsigned long long)st.stored, (unsigned long long)st.unreadable,
	    res->reason[0] ? ": " : "", res->reason);
out:
	irt_buf_release(&pc.index);
	irt_buf_release(&ap);
	irt_buf_release(&xb);
}

/* ---- the collection ---- */

int
irt_collect_default_name(char **out, const char *root, irt_ns when)
{
	char host[256] = "", stamp[17];
	struct irt_buf b = IRT_BUF_INIT;
	size_t i;

	if (root == NULL || strcmp(root, "/") == 0) {
		if (gethostname(host, sizeof host) != 0)
			host[0] = '\0';
		host[sizeof host - 1] = '\0';
	} else {
		int fd, rfd;
		/* as the collection reads it: inside the root, atime kept,
		 * never blocking on a FIFO */
		rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rfd >= 0 &&
		    (fd = irt_root_open_file(rfd, "/etc/hostname", NULL)) >=
		        0) {
			irt_read_fd(&b, fd, 255);
			close(fd);
			snprintf(host, sizeof host, "%.*s",
			    (int)strcspn(irt_buf_cstr(&b), "\r\n \t"),
			    irt_buf_cstr(&b));
		}
		if (rfd >= 0)
			close(rfd);
		irt_buf_release(&b);
	}
	/* a file name: keep it tame */
	for (i = 0; host[i]; i++)
		if (!(host[i] >= 'a' && host[i] <= 'z') &&
		    !(host[i] >= 'A' && host[i] <= 'Z') &&
		    !(host[i] >= '0' && host[i] <= '9') && host[i] != '.' &&
		    host[i] != '-' && host[i] != '_')
			host[i] = '_';
	if (host[0] == '\0' || host[0] == '.')
		snprintf(host, sizeof host, "host");
	irt_time_stamp(stamp, when);
	if (asprintf(out, "%s-%s.tar.gz", host, stamp) < 0)
		return IRT_ENOMEM;
	return 0;
}

void
irt_collect_result_release(struct irt_collect_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	free(res->archive);
	res->archive = NULL;
	for (i = 0; i < res->self_npaths; i++)
		free(res->self_paths[i]);
	free(res->self_paths);
	res->self_paths = NULL;
	res->self_npaths = 0;
	free(res->pmem);
	res->pmem = NULL;
	res->npmem = 0;
}

static char *
dir_of(const char *path)
{
	const char *sl = strrchr(path, '/');

	if (sl == NULL)
		return strdup(".");
	if (sl == path)
		return strdup("/");
	return strndup(path, (size_t)(sl - path));
}

/* Refuses a name that exists in dirfd, a dangling symbolic link too. */
static int
refuse_existing(int dirfd, const char *name, const char *path)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return irt_error_set(IRT_EEXISTS, "'%s' %s; not overwritten",
		    irt_esc(path),
		    S_ISLNK(st.st_mode) ? "is a symbolic link" : "exists");
	if (errno != ENOENT)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot check '%s'", irt_esc(path));
	return 0;
}

/* <archive>.sha256, created: an existing file of the name stays. */
static int
write_sidecar(int dirfd, const char *base, const char *path, const char *sha)
{
	struct irt_buf b = IRT_BUF_INIT, name = IRT_BUF_INIT;
	int fd, rc = 0;

	irt_buf_printf(&name, "%s.sha256", base);
	irt_buf_printf(&b, "%s  %s\n", sha, base);
	fd = openat(dirfd, name.ptr,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd == -1)
		rc = irt_error_sys(IRT_EIO, errno,
		    "cannot create '%s.sha256' (the archive is complete)",
		    irt_esc(path));
	else if (irt_write_all(fd, b.ptr, b.len) != 0 || fsync(fd) != 0) {
		rc = irt_error_sys(IRT_EIO, errno,
		    "cannot write '%s.sha256' (the archive is complete)",
		    irt_esc(path));
		unlinkat(dirfd, name.ptr, 0);
	}
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = irt_error_sys(IRT_EIO, errno,
		    "cannot write '%s.sha256' (the archive is complete)",
		    irt_esc(path));
	irt_buf_release(&b);
	irt_buf_release(&name);
	return rc;
}

/*
 * Renames the finished <archive>.part to <archive> without replacing a
 * file that appeared there meanwhile: renameat2(RENAME_NOREPLACE), or
 * link and unlink where the file system lacks it.  Returns 1 when the
 * name was taken (the archive stays as .part).
 */
static int
place_archive(int dirfd, const char *part, const char *base)
{
	if (renameat2(dirfd, part, dirfd, base, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST)
		return 1;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -1;
	if (linkat(dirfd, part, dirfd, base, 0) != 0)
		return errno == EEXIST ? 1 : -1;
	unlinkat(dirfd, part, 0);
	return 0;
}

int
irt_collect(struct irt_collect_result *res, const struct irt_collect_opts *o)
{
	struct coll c;
	struct irt_buf part = IRT_BUF_INIT, host = IRT_BUF_INIT;
	char *outdir = NULL, t[IRT_TIME_MAX], hex[65];
	const char *base;
	void *zmap = MAP_FAILED;
	int outfd = -1, outdirfd = -1, rc = 0, nthreads, own_part = 0, r;
	size_t i;
	irt_ns now;

	memset(res, 0, sizeof *res);
	memset(&c, 0, sizeof c);
	c.jsonl.fd = c.sums.fd = c.body.fd = c.log.fd = -1;
	c.rootfd = -1;
	c.o = o;
	c.prof = o->profile;
	c.res = res;
	c.root = o->root && *o->root ? o->root : "/";
	c.live = strcmp(c.root, "/") == 0;
	if (c.prof == NULL || o->output == NULL || *o->output == '\0')
		return irt_error_set(IRT_EINVAL, "no profile or no output");
	if (o->npids > 0 && !c.live)
		return irt_error_set(IRT_EINVAL,
		    "process memory is only read from the live host, not "
		    "with another root");
	for (i = 0; i < o->npids; i++)
		if (o->pids[i] < 1 || o->pids[i] > IRT_COLLECT_PID_MAX)
			return irt_error_set(
			    IRT_EINVAL, "PID %d out of range", o->pids[i]);
	res->start = irt_now();

	/* the output: every name in one directory, opened once */
	outdir = dir_of(o->output);
	base =
	    strrchr(o->output, '/') ? strrchr(o->output, '/') + 1 : o->output;
	if (outdir == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	if (*base == '\0') {
		rc = irt_error_set(
		    IRT_EINVAL, "'%s' names a folder", irt_esc(o->output));
		goto out;
	}
	if ((outdirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(outdir));
		goto out;
	}
	irt_buf_printf(&part, "%s.part", base);
	{
		/* an archive or a sidecar of the name, or a link there,
		 * stays as it is */
		struct irt_buf sc = IRT_BUF_INIT, scp = IRT_BUF_INIT;
		irt_buf_printf(&sc, "%s.sha256", base);
		irt_buf_printf(&scp, "%s.sha256", o->output);
		if ((rc = refuse_existing(outdirfd, base, o->output)) == 0)
			rc = refuse_existing(outdirfd, sc.ptr, scp.ptr);
		irt_buf_release(&sc);
		irt_buf_release(&scp);
		if (rc != 0)
			goto out;
	}
	if ((rc = spool_open(&c.jsonl, outdirfd, outdir)) != 0 ||
	    (rc = spool_open(&c.sums, outdirfd, outdir)) != 0 ||
	    (rc = spool_open(&c.body, outdirfd, outdir)) != 0 ||
	    (rc = spool_open(&c.log, outdirfd, outdir)) != 0)
		goto out;
	c.outdirfd = outdirfd;
	c.outdir = outdir;
	outfd = openat(outdirfd, part.ptr,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (outfd == -1) {
		rc = irt_error_sys(IRT_EIO, errno, "cannot create '%s.part'",
		    irt_esc(o->output));
		goto out;
	}
	own_part = 1;
	{
		struct stat ost;
		if (fstat(outfd, &ost) == 0) {
			c.out_dev = ost.st_dev;
			c.out_ino = ost.st_ino;
		}
	}
	/* the root, read without changing its access time */
	c.rootfd = open(c.root, O_RDONLY | O_DIRECTORY | O_NOATIME | O_CLOEXEC);
	if (c.rootfd == -1 && errno == EPERM &&
	    (c.rootfd = open(c.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >=
	        0) {
		c.noatime_fallbacks++;
		noatime_note(&c, c.root, NULL);
	}
	if (c.rootfd == -1) {
		rc = irt_error_sys(
		    IRT_ENOTFOUND, errno, "cannot open '%s'", irt_esc(c.root));
		goto out;
	}
	zmap = mmap(NULL, ZERO_MAP, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (zmap == MAP_FAILED) {
		rc = irt_error_sys(IRT_ENOMEM, errno, "mmap");
		goto out;
	}
	c.zeros = zmap;
	if ((c.buf = malloc(READ_CHUNK)) == NULL ||
	    (c.zbuf = calloc(1, READ_CHUNK)) == NULL ||
	    irt_hash_new(&c.h, o->hashes | IRT_HASH_SHA256) != 0 ||
	    irt_hash_new(&c.hx, IRT_HASH_SHA256) != 0) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	/* each thread holds about 4 MiB of buffers: keep the default
	 * within the memory budget on large machines */
	nthreads =
	    o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (o->threads <= 0 && nthreads > IRT_COLLECT_THREADS_MAX)
		nthreads = IRT_COLLECT_THREADS_MAX;
	if ((rc = irt_pgz_new(&c.z, outfd,
	         o->level > 0 ? o->level : IRT_COLLECT_LEVEL, nthreads)) != 0)
		goto out;
	if ((c.a = archive_write_new()) == NULL ||
	    archive_write_set_format_pax(c.a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(c.a) != ARCHIVE_OK ||
	    /* SCHILY.xattr, which GNU tar and bsdtar both read */
	    archive_write_set_format_option(
	        c.a, "pax", "xattrheader", "SCHILY") < ARCHIVE_WARN ||
	    /* whole 10240-byte records, as GNU tar writes them: its
	     * --delete and -r misread an archive cut short */
	    archive_write_set_bytes_per_block(c.a, 10240) != ARCHIVE_OK ||
	    archive_write_open(c.a, &c, NULL, a_write, NULL) != ARCHIVE_OK) {
		rc = irt_error_set(IRT_EIO, "cannot start the archive: %s",
		    c.a ? archive_error_string(c.a) : "out of memory");
		goto out;
	}

	log_line(&c, "irt %s collect: profile %s, root %s", irt_version(),
	    irt_esc(c.prof->name), irt_esc(c.root));
	if (o->responder)
		log_line(&c, "responder: %s", irt_esc(o->responder));
	irt_host_json(&host, c.rootfd, c.root, c.live, o, res->start,
	    res->hostname, sizeof res->hostname, res->machine_id,
	    sizeof res->machine_id, res->boot_id, sizeof res->boot_id,
	    &c.noatime_fallbacks);
	noatime_note(&c, NULL, "the files of the host's identity (/etc)");
	{
		struct ent e;
		ent_init(&e, "irt/host.json", NULL, NULL);
		e.type = "meta";
		if ((rc = store_live(&c, &e, "irt/host.json", &host)) != 0)
			goto out;
		ent_emit(&c, &e);
	}
	/* the order of volatility: live data first */
	for (i = 0; i < c.prof->n && !cancelled(&c); i++)
		if (c.prof->v[i].kind == IRT_PROFILE_LIVE)
			run_live(&c, &c.prof->v[i]);
	/* process memory after the other live responses, only of the
	 * live host (refused with another root), before the files */
	if (o->npids > 0 && c.live) {
		if ((res->pmem = calloc(o->npids, sizeof *res->pmem)) == NULL) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < o->npids && !c.fatal && !cancelled(&c); i++) {
			collect_pmem(&c, &res->pmem[i], o->pids[i]);
			res->npmem = i + 1;
		}
	}
	/* the live commands saw the host's own mounts; the files are read
	 * through noatime copies of them */
	if (!cancelled(&c))
		noatime_ns(&c);
	for (i = 0; i < c.prof->n && !cancelled(&c); i++)
		if (c.prof->v[i].kind == IRT_PROFILE_FILE)
			collect_entry(&c, &c.prof->v[i]);
	if (c.fatal) {
		rc = irt_error_code() < 0 ? irt_error_code() : IRT_EIO;
		goto out;
	}
	if (c.aborted) {
		rc = irt_error_set(IRT_EABORT, "collection interrupted");
		goto out;
	}
	progress(&c, "finish", NULL, 1);
	now = irt_now();
	log_line(&c,
	    "done: %llu entries, %llu ok, %llu changed, %llu truncated, %llu "
	    "skipped, %llu error, %llu bytes stored, %llu files older than "
	    "--since, %llu files and folders read without O_NOATIME",
	    (unsigned long long)c.entries,
	    (unsigned long long)c.counts[IRT_ST_OK],
	    (unsigned long long)c.counts[IRT_ST_CHANGED],
	    (unsigned long long)c.counts[IRT_ST_TRUNCATED],
	    (unsigned long long)c.counts[IRT_ST_SKIPPED],
	    (unsigned long long)c.counts[IRT_ST_ERROR],
	    (unsigned long long)c.total, (unsigned long long)c.older,
	    (unsigned long long)c.noatime_fallbacks);
	log_line(&c, "end %s", irt_time_format(t, now, 9));
	/*
	 * The irt/ files, each hashed as it is stored, and at the end
	 * irt/manifest.sha256, which lists them too: it covers every
	 * member of the archive but itself, and the sidecar covers it.
	 */
	if ((rc = spool_flush(&c.sums)) != 0)
		goto out;
	irt_buf_puts(&c.sums.b, IRT_COLLECT_COVERS_ALL "\n");
	if ((rc = a_spool(&c, &c.body, "irt/bodyfile", now, hex)) != 0)
		goto out;
	sum_line(&c.sums.b, hex, "irt/bodyfile");
	if ((rc = a_spool(&c, &c.log, "irt/collection.log", now, hex)) != 0)
		goto out;
	sum_line(&c.sums.b, hex, "irt/collection.log");
	if ((rc = a_spool(&c, &c.jsonl, "irt/manifest.jsonl", now, hex)) != 0)
		goto out;
	sum_line(&c.sums.b, hex, "irt/manifest.jsonl");
	if ((rc = a_spool(&c, &c.sums, "irt/manifest.sha256", now, hex)) != 0)
		goto out;
	if (archive_write_close(c.a) != ARCHIVE_OK) {
		rc = a_fail(&c, "close");
		goto out;
	}
	if ((rc = irt_pgz_finish(c.z, res->sha256, &res->size)) != 0)
		goto out;
	if (fsync(outfd) != 0 || close(outfd) != 0) {
		outfd = -1;
		rc = irt_error_sys(IRT_EIO, errno, "cannot write '%s.part'",
		    irt_esc(o->output));
		goto out;
	}
	outfd = -1;
	if ((r = place_archive(outdirfd, part.ptr, base)) != 0) {
		/* the archive is whole: kept under its .part name */
		own_part = 0;
		if (r > 0)
			rc = irt_error_set(IRT_EEXISTS,
			    "'%s' appeared during the collection; not "
			    "overwritten: the archive is complete in '%s.part'",
			    irt_esc(o->output), irt_esc(o->output));
		else
			rc = irt_error_sys(IRT_EIO, errno,
			    "cannot rename '%s.part' (the archive is complete "
			    "in it)",
			    irt_esc(o->output));
		goto out;
	}
	own_part = 0;
	if ((rc = write_sidecar(outdirfd, base, o->output, res->sha256)) != 0)
		goto out;
	fsync(outdirfd);
	res->end = now;
	memcpy(res->counts, c.counts, sizeof res->counts);
	res->entries = c.entries;
	res->bytes = c.total;
	res->noatime_fallbacks = c.noatime_fallbacks;
	if ((res->archive = strdup(o->output)) == NULL)
		rc = IRT_ENOMEM;
out:
	if (c.a != NULL) {
		if (rc != 0)
			archive_write_close(c.a);
		archive_write_free(c.a);
	}
	irt_pgz_free(c.z);
	if (outfd >= 0)
		close(outfd);
	if (own_part)
		unlinkat(outdirfd, part.ptr, 0);
	if (zmap != MAP_FAILED)
		munmap(zmap, ZERO_MAP);
	spool_close(&c.jsonl);
	spool_close(&c.sums);
	spool_close(&c.body);
	spool_close(&c.log);
	irt_pathset_release(&c.seen);
	irt_homes_release(&c.homes);
	irt_hash_free(c.h);
	irt_hash_free(c.hx);
	free(c.buf);
	free(c.zbuf);
	free(outdir);
	irt_buf_release(&part);
	irt_buf_release(&host);
	if (c.rootfd >= 0)
		close(c.rootfd);
	if (outdirfd >= 0)
		close(outdirfd);
	return rc;
}
