/*
 * fs:DIR: walks a tree with openat and statx (no symlink following,
 * optionally staying on one file system), nanosecond times and btime.
 * Its events, fs:stat, are those of bodyfiles too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "tl-internal.h"

#define MAX_DEPTH 256

const struct tl_dtype tl_dtype_fs = { "fs:stat", NULL, "FILE" };

const char *const tl_fs_fields[] = {
	[TL_FS_INODE] = "inode",
	[TL_FS_MODE] = "mode",
	[TL_FS_UID] = "uid",
	[TL_FS_GID] = "gid",
	[TL_FS_SIZE] = "size",
	[TL_FS_MD5] = "md5",
	NULL,
};

int
tl_fs_emit(struct tl_pctx *p, struct tl_ev *e, const irt_ns times[4])
{
	/* macb order as mactime prints it: m a c b */
	static const int order[4] = { 1, 0, 2, 3 };
	static const uint8_t bit[4] = { TL_A, TL_M, TL_C, TL_B };
	int i, j, k;

	e->times = times;
	e->nt = 0;
	for (k = 0; k < 4; k++) {
		i = order[k];
		if (times[i] == 0)
			continue;
		for (j = 0; j < e->nt; j++)
			if (e->t[j] == times[i])
				break;
		if (j == e->nt) {
			e->t[j] = times[i];
			e->mask[j] = 0;
			e->nt++;
		}
		e->mask[j] |= bit[i];
	}
	if (e->nt > 1 && tl_first_time_only(p)) {
		for (j = 1; j < e->nt; j++)
			if (e->t[j] < e->t[0]) {
				e->t[0] = e->t[j];
				e->mask[0] = e->mask[j];
			}
		e->nt = 1;
	}
	if (e->nt == 0)
		return 0;
	return tl_emit(p, e);
}

struct walk {
	struct tl_pctx *p;
	char *path;
	size_t cap;
	dev_t dev;
	bool xdev;
};

static char
type_char(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return 'r';
	case S_IFDIR:
		return 'd';
	case S_IFLNK:
		return 'l';
	case S_IFCHR:
		return 'c';
	case S_IFBLK:
		return 'b';
	case S_IFIFO:
		return 'p';
	case S_IFSOCK:
		return 'h';
	}
	return '-';
}

/* The mode as fls -m writes it: r/rrwxr-xr-x */
static size_t
mode_string(char *out, unsigned mode)
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = type_char(mode);
	out[1] = '/';
	out[2] = out[0];
	for (i = 0; i < 9; i++)
		out[3 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[5] = (mode & 0100) ? 's' : 'S';
	if (mode & S_ISGID)
		out[8] = (mode & 0010) ? 's' : 'S';
	if (mode & S_ISVTX)
		out[11] = (mode & 0001) ? 't' : 'T';
	return 12;
}

/* A time of the file, 0 when it has none or irt cannot hold it (with
 * a warning; *rc set when strict). */
static irt_ns
ts(struct walk *w, const struct statx *sx, unsigned mask,
    const struct statx_timestamp *t, const char *name, int *rc)
{
	irt_ns v;

	if (!(sx->stx_mask & mask))
		return 0;
	if (irt_time_make(&v, t->tv_sec, (long)t->tv_nsec) == 0)
		return v;
	if (*rc == 0)
		*rc = tl_warn(w->p, "'%s': %s: %s, not used", w->path, name,
		    irt_error_last());
	return 0;
}

static int
emit_stat(struct walk *w, const struct statx *sx, size_t plen)
{
	struct tl_ev e;
	irt_ns times[4];
	char mode[16];
	size_t ml;
	int rc = 0;

	tl_ev_init(&e, 0, 0);
	e.path = w->path;
	e.path_len = plen;
	ml = mode_string(mode, sx->stx_mode);
	tl_ev_addi(&e, TL_FS_INODE, (long long)sx->stx_ino);
	tl_ev_add(&e, TL_FS_MODE, mode, ml);
	tl_ev_addi(&e, TL_FS_UID, sx->stx_uid);
	tl_ev_addi(&e, TL_FS_GID, sx->stx_gid);
	tl_ev_addi(&e, TL_FS_SIZE, (long long)sx->stx_size);
	times[0] = ts(w, sx, STATX_ATIME, &sx->stx_atime, "atime", &rc);
	times[1] = ts(w, sx, STATX_MTIME, &sx->stx_mtime, "mtime", &rc);
	times[2] = ts(w, sx, STATX_CTIME, &sx->stx_ctime, "ctime", &rc);
	times[3] = ts(w, sx, STATX_BTIME, &sx->stx_btime, "crtime", &rc);
	if (rc != 0)
		return rc;
	return tl_fs_emit(w->p, &e, times);
}

static int
path_set(struct walk *w, size_t at, const char *name)
{
	size_t n = strlen(name);

	if (at + n + 2 > w->cap) {
		size_t nc = (at + n + 2) * 2;
		char *np = realloc(w->path, nc);
		if (np == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		w->path = np;
		w->cap = nc;
	}
	memcpy(w->path + at, name, n + 1);
	return 0;
}

#define STATX_WANT (STATX_BASIC_STATS | STATX_BTIME)
#define STATX_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT)

static int
walk_dir(struct walk *w, int dfd, size_t plen, int depth)
{
	DIR *d;
	struct dirent *de;
	struct statx sx;
	size_t nlen;
	int rc = 0, fd;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return tl_warn(
		    w->p, "cannot read '%s': %s", w->path, strerror(errno));
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				rc = tl_warn(w->p, "cannot read '%s': %s",
				    w->path, strerror(errno));
			break;
		}
		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' ||
		        (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		nlen = plen;
		if (nlen == 0 || w->path[nlen - 1] != '/')
			w->path[nlen++] = '/';
		if ((rc = path_set(w, nlen, de->d_name)) != 0)
			break;
		nlen += strlen(de->d_name);
		if (statx(dirfd(d), de->d_name, STATX_FLAGS, STATX_WANT, &sx) !=
		    0) {
			rc = tl_warn(w->p, "cannot stat '%s': %s", w->path,
			    strerror(errno));
			if (rc != 0)
				break;
			continue;
		}
		if ((rc = emit_stat(w, &sx, nlen)) != 0)
			break;
		if (!S_ISDIR(sx.stx_mode))
			continue;
		if (w->xdev &&
		    makedev(sx.stx_dev_major, sx.stx_dev_minor) != w->dev)
			continue;
		if (depth >= MAX_DEPTH) {
			if ((rc = tl_warn(w->p,
			         "'%s': deeper than %d levels, not walked",
			         w->path, MAX_DEPTH)) != 0)
				break;
			continue;
		}
		fd = openat(dirfd(d), de->d_name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if ((rc = tl_warn(w->p, "cannot open '%s': %s", w->path,
			         strerror(errno))) != 0)
				break;
			continue;
		}
		if ((rc = walk_dir(w, fd, nlen, depth + 1)) != 0)
			break;
		if (tl_cancelled(w->p)) {
			rc = irt_error_set(IRT_EABORT, "interrupted");
			break;
		}
	}
	closedir(d);
	return rc;
}

static int
walk_fs(struct tl_pctx *p, const char *dir, const struct stat *st)
{
	struct walk w;
	struct statx sx;
	size_t plen;
	int fd, rc;

	memset(&w, 0, sizeof w);
	w.p = p;
	w.xdev = tl_xdev(p);
	plen = strlen(dir);
	while (plen > 1 && dir[plen - 1] == '/')
		plen--;
	w.cap = plen + 4096;
	if ((w.path = malloc(w.cap)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	memcpy(w.path, dir, plen);
	w.path[plen] = '\0';
	if (statx(AT_FDCWD, w.path, STATX_FLAGS, STATX_WANT, &sx) != 0) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot stat '%s'", irt_esc(dir));
		goto out;
	}
	w.dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	if ((rc = emit_stat(&w, &sx, plen)) != 0)
		goto out;
	if (!S_ISDIR(sx.stx_mode))
		goto out;
	fd = open(w.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(dir));
		goto out;
	}
	if (strcmp(w.path, "/") == 0)
		plen = 0;
	rc = walk_dir(&w, fd, plen, 1);
out:
	free(w.path);
	return rc;
}

static const struct tl_dtype *const types[] = { &tl_dtype_fs, NULL };

const struct tl_source tl_source_fs = {
	.name = "fs",
	.fields = tl_fs_fields,
	.types = types,
	.read_path = walk_fs,
	.flags = TL_SRC_DIR | TL_SRC_HOST | TL_SRC_STAT,
};
