/*
 * Timeline input: byte streams (files, memory, and gzip, bzip2 and xz
 * through zlib, libbz2 and liblzma) and the line reader.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bzlib.h>
#include <lzma.h>
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

int64_t
tl_tell(struct tl_stream *s)
{
	int64_t at;

	if (s->tell == NULL || (at = s->tell(s)) < 0)
		return -1;
	return at - (int64_t)(s->back_len - s->back_off);
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

static int64_t
fd_tell(struct tl_stream *s)
{
	return lseek(s->fd, 0, SEEK_CUR);
}

static int64_t
fd_skip_hole(struct tl_stream *s, int64_t align)
{
	off_t at, d;

	if (s->size < 0 || (at = lseek(s->fd, 0, SEEK_CUR)) < 0)
		return -1;
	d = lseek(s->fd, at, SEEK_DATA);
	if (d < 0 && errno == ENXIO)
		d = s->size; /* a hole to the end */
	else if (d < 0)
		d = at;
	d -= d % align;
	if (d <= at) {
		lseek(s->fd, at, SEEK_SET);
		return at;
	}
	return lseek(s->fd, d, SEEK_SET);
}

int64_t
tl_skip_hole(struct tl_stream *s, int64_t align)
{
	if (s->skip_hole == NULL || s->back_off < s->back_len || align <= 0)
		return -1;
	return s->skip_hole(s, align);
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
	s->tell = fd_tell;
	s->skip_hole = fd_skip_hole;
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

/* ---- decompression ---- */

/*
 * gzip (zlib), bzip2 (libbz2) and xz (liblzma), concatenated members
 * read in turn.  Every byte the decoder gives before an error is read
 * before the error is reported: a truncated rotated log keeps its last
 * lines.
 */
enum { DEC_GZ, DEC_BZ2, DEC_XZ };

static const char *const dec_names[] = { "gzip", "bzip2", "xz" };

/* The most memory an xz stream may ask for (xz -9 needs 65 MiB). */
#define XZ_MEMLIMIT (128u << 20)

struct dec {
	struct tl_stream *in;
	int kind;
	bool live; /* the decoder is set up */
	z_stream z;
	bz_stream bz;
	lzma_stream xz;
	unsigned char buf[65536];
	const unsigned char *next; /* input not yet decoded */
	size_t avail;
	bool in_eof, ended;
	int pending; /* an error to report after the data before it */
	char detail[128];
	uint64_t inpos;
};

enum { STEP_OK, STEP_END, STEP_ERR };

static int
dec_init(struct dec *d)
{
	static const lzma_stream xz_init = LZMA_STREAM_INIT;
	int r;

	switch (d->kind) {
	case DEC_GZ:
		memset(&d->z, 0, sizeof d->z);
		r = inflateInit2(&d->z, 15 + 32) == Z_OK;
		break;
	case DEC_BZ2:
		memset(&d->bz, 0, sizeof d->bz);
		r = BZ2_bzDecompressInit(&d->bz, 0, 0) == BZ_OK;
		break;
	default:
		d->xz = xz_init;
		r = lzma_stream_decoder(
		        &d->xz, XZ_MEMLIMIT, LZMA_CONCATENATED) == LZMA_OK;
		break;
	}
	d->live = r;
	return r ? 0 : irt_error_set(IRT_ENOMEM, "out of memory");
}

static void
dec_end(struct dec *d)
{
	if (!d->live)
		return;
	switch (d->kind) {
	case DEC_GZ:
		inflateEnd(&d->z);
		break;
	case DEC_BZ2:
		BZ2_bzDecompressEnd(&d->bz);
		break;
	default:
		lzma_end(&d->xz);
		break;
	}
	d->live = false;
}

/* One call of the decoder: *got bytes into out. */
static int
dec_step(struct dec *d, unsigned char *out, size_t n, size_t *got)
{
	const char *msg = NULL;
	int r, st = STEP_OK;

	if (n > (1u << 30))
		n = 1u << 30;
	switch (d->kind) {
	case DEC_GZ:
		d->z.next_in = (unsigned char *)(uintptr_t)d->next;
		d->z.avail_in = (uInt)d->avail;
		d->z.next_out = out;
		d->z.avail_out = (uInt)n;
		r = inflate(&d->z, Z_NO_FLUSH);
		d->next = d->z.next_in;
		d->avail = d->z.avail_in;
		*got = n - d->z.avail_out;
		if (r == Z_STREAM_END)
			st = STEP_END;
		else if (r != Z_OK && r != Z_BUF_ERROR) {
			st = STEP_ERR;
			msg = d->z.msg;
		}
		break;
	case DEC_BZ2:
		d->bz.next_in = (char *)(uintptr_t)d->next;
		d->bz.avail_in = (unsigned)d->avail;
		d->bz.next_out = (char *)out;
		d->bz.avail_out = (unsigned)n;
		r = BZ2_bzDecompress(&d->bz);
		d->next = (const unsigned char *)d->bz.next_in;
		d->avail = d->bz.avail_in;
		*got = n - d->bz.avail_out;
		if (r == BZ_STREAM_END)
			st = STEP_END;
		else if (r != BZ_OK) {
			st = STEP_ERR;
			msg = r == BZ_DATA_ERROR_MAGIC ? "not bzip2 data"
			    : r == BZ_MEM_ERROR        ? "out of memory"
			                               : "bad block";
		}
		break;
	default:
		d->xz.next_in = d->next;
		d->xz.avail_in = d->avail;
		d->xz.next_out = out;
		d->xz.avail_out = n;
		r = lzma_code(&d->xz, d->in_eof ? LZMA_FINISH : LZMA_RUN);
		d->next = d->xz.next_in;
		d->avail = d->xz.avail_in;
		*got = n - d->xz.avail_out;
		if (r == LZMA_STREAM_END)
			st = STEP_END;
		else if (r != LZMA_OK && r != LZMA_BUF_ERROR) {
			st = STEP_ERR;
			msg = r == LZMA_MEMLIMIT_ERROR
			    ? "needs more than 128 MiB of memory"
			    : r == LZMA_FORMAT_ERROR  ? "not xz data"
			    : r == LZMA_OPTIONS_ERROR ? "unsupported options"
			    : r == LZMA_MEM_ERROR     ? "out of memory"
			                              : "bad block";
		}
		break;
	}
	if (msg != NULL)
		snprintf(d->detail, sizeof d->detail, ": %s", msg);
	return st;
}

/* More input; a read error is reported after the data before it. */
static int
dec_fill(struct dec *d)
{
	ssize_t r = tl_read(d->in, d->buf, sizeof d->buf);

	if (r < 0) {
		d->in_eof = true;
		d->pending = 2;
		snprintf(d->detail, sizeof d->detail, ": %s", irt_error_last());
		return -1;
	}
	if (r == 0)
		d->in_eof = true;
	d->next = d->buf;
	d->avail = (size_t)r;
	d->inpos += (uint64_t)r;
	return 0;
}

static ssize_t
dec_read(struct tl_stream *s, void *out, size_t n)
{
	struct dec *d = s->ctx;
	size_t done = 0, got, before;
	int st;

	if (d->pending && n > 0) {
		int e = d->pending;
		d->pending = 0;
		d->ended = true;
		return irt_error_set(IRT_EPARSE,
		    "%s %s data after %llu "
		    "compressed bytes%s",
		    e == 1 ? "truncated" : "corrupt", dec_names[d->kind],
		    (unsigned long long)d->inpos, e == 1 ? "" : d->detail);
	}
	if (d->ended || n == 0)
		return 0;
	if (!d->live && dec_init(d) != 0)
		return IRT_ENOMEM;
	while (done < n && !d->ended) {
		if (d->avail == 0 && !d->in_eof && dec_fill(d) != 0)
			break;
		before = d->avail;
		st = dec_step(d, (unsigned char *)out + done, n - done, &got);
		done += got;
		if (st == STEP_ERR) {
			d->pending = 2;
			break;
		}
		if (st == STEP_END) {
			/* xz reads its concatenated streams itself; gzip and
			 * bzip2 go on when another member follows */
			if (d->kind == DEC_XZ)
				d->ended = true;
			else {
				if (d->avail == 0 && !d->in_eof &&
				    dec_fill(d) != 0)
					break;
				if (d->avail == 0 ||
				    d->next[0] !=
				        (d->kind == DEC_GZ ? 0x1f : 'B'))
					d->ended = true;
				else {
					dec_end(d);
					if (dec_init(d) != 0)
						return IRT_ENOMEM;
				}
			}
			continue;
		}
		/* no progress with all the input read: it was cut short */
		if (got == 0 && before == d->avail && d->avail == 0 &&
		    d->in_eof) {
			d->pending = 1;
			break;
		}
	}
	if (done == 0 && d->pending)
		return dec_read(s, out, n);
	return (ssize_t)done;
}

static int
dec_rewind(struct tl_stream *s)
{
	struct dec *d = s->ctx;
	int rc;

	if ((rc = tl_rewind(d->in)) != 0)
		return rc;
	drop_back(s);
	dec_end(d);
	d->avail = 0;
	d->in_eof = d->ended = false;
	d->pending = 0;
	d->inpos = 0;
	return 0;
}

static void
dec_close(struct tl_stream *s)
{
	struct dec *d = s->ctx;

	if (d == NULL)
		return;
	dec_end(d);
	tl_stream_close(d->in);
	free(d->in);
	free(d);
	s->ctx = NULL;
}

int
tl_stream_decompress(struct tl_stream **out, struct tl_stream *s,
    const char *name, int *compressed)
{
	unsigned char magic[6];
	struct tl_stream *ns = NULL, *in = NULL;
	struct dec *d = NULL;
	ssize_t n;
	int kind;

	*out = s;
	*compressed = 0;
	if ((n = tl_peek(s, (char *)magic, sizeof magic)) < 0)
		return (int)n;
	if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
		kind = DEC_GZ;
	else if (n >= 3 && memcmp(magic, "BZh", 3) == 0)
		kind = DEC_BZ2;
	else if (n >= 6 &&
	    memcmp(magic,
	        "\xfd"
	        "7zXZ\0",
	        6) == 0)
		kind = DEC_XZ;
	else
		return 0;
	if ((ns = calloc(1, sizeof *ns)) == NULL ||
	    (in = malloc(sizeof *in)) == NULL ||
	    (d = calloc(1, sizeof *d)) == NULL) {
		free(ns);
		free(in);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	*in = *s;
	d->in = in;
	d->kind = kind;
	ns->fd = -1;
	ns->size = -1;
	ns->path = name;
	ns->ctx = d;
	ns->read = dec_read;
	ns->close = dec_close;
	ns->rewind = in->rewind ? dec_rewind : NULL;
	*out = ns;
	*compressed = 1;
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
	/* old Mac files end their lines in CR alone: split there, when the
	 * first 64 KiB (or the whole) hold a CR and no LF */
	if (lr->eol == 0 && memchr(lr->buf, '\n', lr->end) != NULL)
		lr->eol = '\n';
	else if (lr->eol == 0 && (lr->end >= 65536 || lr->eof)) {
		if (memchr(lr->buf, '\r', lr->end) == NULL)
			lr->eol = '\n';
		else {
			lr->eol = '\r';
			return tl_warn(
			    lr->p, "lines end in CR alone, split there");
		}
	}
	return 0;
}

int
tl_lines_next(struct tl_lines *lr, const char **line, size_t *len)
{
	char *nl, eol;
	size_t scan = 0;
	bool nul;
	int rc;

	for (;;) {
		eol = lr->eol == '\r' ? '\r' : '\n';
		nl = lr->buf == NULL ? NULL
		                     : memchr(lr->buf + lr->start + scan, eol,
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
			if (eol == '\n' && *len > 0 &&
			    (*line)[*len - 1] == '\r')
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
					if (n < 0 &&
					    (rc = tl_warn(lr->p, "%s",
					         irt_error_last())) != 0)
						return rc;
					break;
				}
				nl = memchr(lr->buf, eol, (size_t)n);
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
		/* lines end in CR, as fill found: scan again for them */
		if (lr->eol == '\r' && eol != '\r')
			scan = 0;
		scan = scan > lr->end - lr->start ? 0 : scan;
	}
}
