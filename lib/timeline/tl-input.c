/*
 * Timeline input: byte streams (files, memory, gzip through zlib, bzip2
 * and xz through libarchive's raw reader) and the line reader.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <zlib.h>

#include "util/internal.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "tl-internal.h"

/* ---- streams ---- */

ssize_t
tl_read(struct tl_stream *s, void *buf, size_t n)
{
	size_t k;

	if (s->back_off < s->back_len) {
		k = s->back_len - s->back_off;
		if (k > n)
			k = n;
		memcpy(buf, s->back + s->back_off, k);
		s->back_off += k;
		return (ssize_t)k;
	}
	return s->read(s, buf, n);
}

ssize_t
tl_peek(struct tl_stream *s, char *buf, size_t n)
{
	size_t avail = s->back_len - s->back_off, got;
	ssize_t r;
	char *nb;

	if (avail >= n) {
		memcpy(buf, s->back + s->back_off, n);
		return (ssize_t)n;
	}
	/* the unread pushed-back bytes, then more from the source */
	if ((nb = malloc(n)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if (avail > 0)
		memcpy(nb, s->back + s->back_off, avail);
	got = avail;
	while (got < n) {
		r = s->read(s, nb + got, n - got);
		if (r < 0) {
			free(nb);
			return r;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	free(s->back);
	s->back = nb;
	s->back_len = got;
	s->back_off = 0;
	memcpy(buf, nb, got);
	return (ssize_t)got;
}

void
tl_stream_close(struct tl_stream *s)
{
	if (s == NULL)
		return;
	if (s->close)
		s->close(s);
	free(s->back);
	s->back = NULL;
}

static ssize_t
fd_read(struct tl_stream *s, void *buf, size_t n)
{
	ssize_t r;

	do
		r = read(s->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot read '%s'", irt_esc(s->path));
	return r;
}

static void
drop_back(struct tl_stream *s)
{
	free(s->back);
	s->back = NULL;
	s->back_len = s->back_off = 0;
}

int
tl_rewind(struct tl_stream *s)
{
	if (s->rewind == NULL)
		return IRT_EINVAL;
	return s->rewind(s);
}

static int
fd_rewind(struct tl_stream *s)
{
	drop_back(s);
	if (lseek(s->fd, 0, SEEK_SET) != 0)
		return IRT_EINVAL;
	return 0;
}

static void
fd_close(struct tl_stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void
tl_stream_fd(struct tl_stream *s, int fd, const char *path)
{
	struct stat st;

	memset(s, 0, sizeof *s);
	s->path = path;
	s->fd = fd;
	s->size = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
	s->read = fd_read;
	s->close = fd_close;
	s->rewind = fd_rewind;
}

const char *
tl_file_type(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	case S_IFDIR:
		return "a directory";
	case S_IFLNK:
		return "a symbolic link";
	}
	return "not a regular file";
}

int
tl_open_file(int dirfd, const char *name, const char *path, int flags)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: opening a FIFO does not wait for a writer */
	flags |= O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	fd = openat(dirfd, name, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM) /* O_NOATIME: not the owner */
		fd = openat(dirfd, name, flags);
	if (fd < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return irt_error_sys(
		    IRT_EIO, e, "cannot stat '%s'", irt_esc(path));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return irt_error_set(IRT_EINVAL, "'%s' is %s", irt_esc(path),
		    tl_file_type(st.st_mode));
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int
tl_stream_file(struct tl_stream *s, const char *path)
{
	int fd;

	memset(s, 0, sizeof *s);
	s->fd = -1;
	if ((fd = tl_open_file(AT_FDCWD, path, path, 0)) < 0)
		return fd;
	tl_stream_fd(s, fd, path);
	return 0;
}

struct memsrc {
	const char *p;
	size_t len, off;
};

static ssize_t
mem_read(struct tl_stream *s, void *buf, size_t n)
{
	struct memsrc *m = s->ctx;

	if (n > m->len - m->off)
		n = m->len - m->off;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

static int
mem_rewind(struct tl_stream *s)
{
	drop_back(s);
	((struct memsrc *)s->ctx)->off = 0;
	return 0;
}

static void
mem_close(struct tl_stream *s)
{
	free(s->ctx);
	s->ctx = NULL;
}

void
tl_stream_mem(struct tl_stream *s, const void *data, size_t len)
{
	struct memsrc *m;

	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->size = (int64_t)len;
	s->path = "(memory)";
	m = calloc(1, sizeof *m);
	if (m != NULL) {
		m->p = data;
		m->len = len;
	}
	s->ctx = m;
	s->read = mem_read;
	s->close = mem_close;
	s->rewind = mem_rewind;
}

/* gzip through zlib; concatenated members are read in turn. */
struct gz {
	struct tl_stream *in;
	z_stream z;
	unsigned char buf[65536];
	bool in_eof, ended;
	int pending; /* an error to report after the data before it */
	uint64_t inpos;
};

static ssize_t
gz_read(struct tl_stream *s, void *out, size_t n)
{
	struct gz *g = s->ctx;
	ssize_t r;
	int zr;

	if (g->pending) {
		int e = g->pending;
		g->pending = 0;
		if (e == 1)
			return irt_error_set(IRT_EPARSE,
			    "truncated gzip data after %llu compressed bytes",
			    (unsigned long long)g->inpos);
		return irt_error_set(IRT_EPARSE,
		    "corrupt gzip data after "
		    "%llu compressed bytes",
		    (unsigned long long)g->inpos);
	}
	if (g->ended || n == 0)
		return 0;
	g->z.next_out = out;
	g->z.avail_out = (uInt)(n > (1u << 30) ? (1u << 30) : n);
	while (g->z.avail_out > 0) {
		if (g->z.avail_in == 0 && !g->in_eof) {
			r = tl_read(g->in, g->buf, sizeof g->buf);
			if (r < 0)
				return r;
			if (r == 0)
				g->in_eof = true;
			g->z.next_in = g->buf;
			g->z.avail_in = (uInt)r;
			g->inpos += (uint64_t)r;
		}
		zr = inflate(&g->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			/* another member may follow */
			if (g->z.avail_in == 0 && !g->in_eof) {
				r = tl_read(g->in, g->buf, sizeof g->buf);
				if (r < 0)
					return r;
				g->z.next_in = g->buf;
				g->z.avail_in = (uInt)r;
				if (r == 0)
					g->in_eof = true;
			}
			if (g->z.avail_in == 0 || g->z.next_in[0] != 0x1f) {
				g->ended = true;
				break;
			}
			inflateReset(&g->z);
			continue;
		}
		if (zr == Z_BUF_ERROR && g->in_eof && g->z.avail_in == 0) {
			g->ended = true;
			g->pending = 1;
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			g->ended = true;
			g->pending = 2;
			break;
		}
	}
	if (n == g->z.avail_out && g->pending)
		return gz_read(s, out, n);
	return (ssize_t)(n - g->z.avail_out);
}

static int
gz_rewind(struct tl_stream *s)
{
	struct gz *g = s->ctx;
	int rc;

	if ((rc = tl_rewind(g->in)) != 0)
		return rc;
	drop_back(s);
	inflateReset(&g->z);
	g->z.avail_in = 0;
	g->in_eof = g->ended = false;
	g->pending = 0;
	g->inpos = 0;
	return 0;
}

static void
gz_close(struct tl_stream *s)
{
	struct gz *g = s->ctx;

	if (g == NULL)
		return;
	inflateEnd(&g->z);
	tl_stream_close(g->in);
	free(g->in);
	free(g);
	s->ctx = NULL;
}

/* bzip2 and xz through libarchive's raw format. */
struct raw {
	struct tl_stream *in;
	struct archive *a;
	char buf[65536];
	bool ended;
};

static la_ssize_t
raw_cb(struct archive *a, void *arg, const void **out)
{
	struct raw *r = arg;
	ssize_t n = tl_read(r->in, r->buf, sizeof r->buf);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", irt_error_last());
		return -1;
	}
	*out = r->buf;
	return n;
}

static ssize_t
raw_read(struct tl_stream *s, void *out, size_t n)
{
	struct raw *r = s->ctx;
	la_ssize_t k;

	if (r->ended)
		return 0;
	k = archive_read_data(r->a, out, n);
	if (k < 0) {
		r->ended = true;
		return irt_error_set(IRT_EPARSE, "corrupt compressed data: %s",
		    archive_error_string(r->a) ? archive_error_string(r->a)
		                               : "error");
	}
	if (k == 0)
		r->ended = true;
	return k;
}

/* Opens the raw reader over r->in. */
static int
raw_open(struct raw *r)
{
	struct archive_entry *ae;

	r->a = archive_read_new();
	if (r->a == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	archive_read_support_filter_bzip2(r->a);
	archive_read_support_filter_xz(r->a);
	archive_read_support_format_raw(r->a);
	if (archive_read_open(r->a, r, NULL, raw_cb, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(r->a, &ae) != ARCHIVE_OK)
		return irt_error_set(IRT_EPARSE,
		    "cannot read compressed data: %s",
		    archive_error_string(r->a) ? archive_error_string(r->a)
		                               : "error");
	return 0;
}

/* Starts again: the file under it, then a new reader. */
static int
raw_rewind(struct tl_stream *s)
{
	struct raw *r = s->ctx;
	int rc;

	if ((rc = tl_rewind(r->in)) != 0)
		return rc;
	free(s->back);
	s->back = NULL;
	s->back_len = s->back_off = 0;
	archive_read_free(r->a);
	r->ended = false;
	return raw_open(r);
}

static void
raw_close(struct tl_stream *s)
{
	struct raw *r = s->ctx;

	if (r == NULL)
		return;
	archive_read_free(r->a);
	tl_stream_close(r->in);
	free(r->in);
	free(r);
	s->ctx = NULL;
}

int
tl_stream_decompress(struct tl_stream **out, struct tl_stream *s,
    const char *name, int *compressed)
{
	char magic[6];
	ssize_t n;
	struct tl_stream *ns = NULL, *in = NULL;

	*out = s;
	*compressed = 0;
	if ((n = tl_peek(s, magic, sizeof magic)) < 0)
		return (int)n;
	if (n >= 2 && (unsigned char)magic[0] == 0x1f &&
	    (unsigned char)magic[1] == 0x8b) {
		struct gz *g = NULL;
		if ((ns = calloc(1, sizeof *ns)) == NULL ||
		    (in = malloc(sizeof *in)) == NULL ||
		    (g = calloc(1, sizeof *g)) == NULL) {
			free(ns);
			free(in);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
		*in = *s;
		g->in = in;
		if (inflateInit2(&g->z, 15 + 32) != Z_OK) {
			free(g);
			free(in);
			free(ns);
			return irt_error_set(IRT_ENOMEM, "zlib");
		}
		ns->fd = -1;
		ns->size = -1;
		ns->path = name;
		ns->ctx = g;
		ns->read = gz_read;
		ns->close = gz_close;
		ns->rewind = in->rewind ? gz_rewind : NULL;
		*out = ns;
		*compressed = 1;
		return 0;
	}
	if ((n >= 3 && memcmp(magic, "BZh", 3) == 0) ||
	    (n >= 6 &&
	        memcmp(magic,
	            "\xfd"
	            "7zXZ\0",
	            6) == 0)) {
		struct raw *r = NULL;
		if ((ns = calloc(1, sizeof *ns)) == NULL ||
		    (in = malloc(sizeof *in)) == NULL ||
		    (r = calloc(1, sizeof *r)) == NULL) {
			free(ns);
			free(in);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
		*in = *s;
		r->in = in;
		ns->fd = -1;
		ns->size = -1;
		ns->path = name;
		ns->ctx = r;
		ns->read = raw_read;
		ns->close = raw_close;
		ns->rewind = in->rewind ? raw_rewind : NULL;
		if (raw_open(r) != 0) {
			int rc = irt_error_set(IRT_EPARSE,
			    "cannot read compressed '%s': %s", irt_esc(name),
			    r->a && archive_error_string(r->a)
			        ? archive_error_string(r->a)
			        : "error");
			/* the caller still owns s: take it back */
			*s = *in;
			in->close = NULL;
			in->back = NULL;
			tl_stream_close(ns);
			free(ns);
			return rc;
		}
		*out = ns;
		*compressed = 1;
		return 0;
	}
	return 0;
}

/* ---- lines ---- */

void
tl_lines_init(struct tl_lines *lr, struct tl_stream *s, struct tl_pctx *p)
{
	memset(lr, 0, sizeof *lr);
	lr->s = s;
	lr->p = p;
}

void
tl_lines_free(struct tl_lines *lr)
{
	free(lr->buf);
	lr->buf = NULL;
}

int
tl_each_line(struct tl_pctx *p, struct tl_stream *s,
    int (*fn)(struct tl_pctx *, const char *, size_t))
{
	struct tl_lines lr;
	const char *line;
	size_t len;
	int rc;

	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = fn(p, line, len)) != 0)
			break;
	tl_lines_free(&lr);
	return rc < 0 ? rc : 0;
}

static int
fill(struct tl_lines *lr)
{
	ssize_t n;

	if (lr->start > 0) {
		lr->nul_ok =
		    lr->nul_ok > lr->start ? lr->nul_ok - lr->start : 0;
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	if (lr->cap - lr->end < 65536) {
		size_t nc = lr->cap ? lr->cap * 2 : 262144;
		char *b = realloc(lr->buf, nc);
		if (b == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		lr->buf = b;
		lr->cap = nc;
	}
	n = tl_read(lr->s, lr->buf + lr->end, lr->cap - lr->end);
	if (n < 0) {
		/* truncated or corrupt data: warn, keep what was read */
		int rc = tl_warn(lr->p, "%s", irt_error_last());
		lr->eof = true;
		return rc;
	}
	if (n == 0)
		lr->eof = true;
	lr->end += (size_t)n;
	return 0;
}

int
tl_lines_next(struct tl_lines *lr, const char **line, size_t *len)
{
	char *nl;
	size_t scan = 0;
	bool nul;
	int rc;

	for (;;) {
		nl = lr->buf == NULL ? NULL
		                     : memchr(lr->buf + lr->start + scan, '\n',
		                           lr->end - lr->start - scan);
		if (nl != NULL) {
			*line = lr->buf + lr->start;
			*len = (size_t)(nl - *line);
			lr->start += *len + 1;
			lr->p->line++;
			if (*len > TL_LINE_MAX) {
				if ((rc = tl_warn_line(lr->p,
				         "line longer than %u bytes, skipped",
				         TL_LINE_MAX)) != 0)
					return rc;
				scan = 0;
				continue;
			}
			{
				/* one memchr per block for NUL bytes, not
				 * one per line */
				size_t ls = (size_t)(*line - lr->buf);
				size_t le = ls + *len, from;
				if (le > lr->nul_ok) {
					char *z;
					from =
					    ls > lr->nul_ok ? ls : lr->nul_ok;
					z = memchr(lr->buf + from, '\0',
					    lr->end - from);
					lr->nul_ok =
					    z ? (size_t)(z - lr->buf) : lr->end;
				}
				nul = lr->nul_ok < le;
			}
			if (nul) {
				if ((rc = tl_warn_line(lr->p,
				         "NUL byte in line, skipped")) != 0)
					return rc;
				scan = 0;
				continue;
			}
			if (*len > 0 && (*line)[*len - 1] == '\r')
				(*len)--;
			return 1;
		}
		scan = lr->end - lr->start;
		if (scan > TL_LINE_MAX) {
			/* skip the line up to the next newline */
			lr->p->line++;
			if ((rc = tl_warn_line(lr->p,
			         "line longer than %u bytes, skipped",
			         TL_LINE_MAX)) != 0)
				return rc;
			for (;;) {
				ssize_t n;
				lr->start = lr->end = lr->nul_ok = 0;
				if (lr->eof)
					break;
				n = tl_read(lr->s, lr->buf, lr->cap);
				if (n <= 0) {
					lr->eof = true;
					break;
				}
				nl = memchr(lr->buf, '\n', (size_t)n);
				if (nl != NULL) {
					lr->start = (size_t)(nl - lr->buf) + 1;
					lr->end = (size_t)n;
					break;
				}
			}
			scan = 0;
			continue;
		}
		if (lr->eof) {
			if (lr->end > lr->start) {
				*line = lr->buf + lr->start;
				*len = lr->end - lr->start;
				lr->start = lr->end;
				lr->p->line++;
				if (memchr(*line, '\0', *len) != NULL)
					return tl_warn_line(
					    lr->p, "NUL byte in line, skipped");
				return 1;
			}
			return 0;
		}
		if ((rc = fill(lr)) != 0)
			return rc;
		scan = scan > lr->end - lr->start ? 0 : scan;
	}
}
