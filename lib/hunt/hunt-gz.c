/*
 * gzip decompression of an evidence archive on a thread of its own, so
 * that inflating the next megabytes overlaps the matching of the last
 * ones (on two cores, a hunt takes the time of the slower of the two
 * instead of their sum).  libarchive then reads plain tar from it.
 * irt collect writes concatenated gzip members: each is read in turn,
 * inflated whole by libdeflate where irt was built with it (twice as
 * fast as zlib), streamed by zlib when it does not fit a block (the one
 * member of an archive made by tar -z) or libdeflate is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#include <archive.h>
#include <zlib.h>
#if IRT_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include "irt/error.h"
#include "irt/escape.h"
#include "hunt-int.h"

/* The input window, refilled when less than GZ_KEEP is left in it while
 * the file lasts: a whole member of irt collect (1 MiB of data, a bit
 * more compressed at worst) is always in it. */
#define GZ_WIN (8u << 20)
#define GZ_KEEP (2u << 20)
#define GZ_BLOCK (1u << 20)
#define GZ_NBLOCKS 4
/* libdeflate is given up for zlib alone after this many members that it
 * could not inflate whole (larger than a block, corrupt, truncated). */
#define GZ_FAST_FAILS 4

struct gz_block {
	unsigned char *data;
	size_t len;
};

struct hunt_gz {
	int fd;
	size_t win; /* the input window: GZ_WIN, or the file's size */
	pthread_t th;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct gz_block b[GZ_NBLOCKS];
	size_t head, count; /* filled blocks: head .. head + count */
	bool held;          /* the consumer has the block at head */
	bool eof, stop;
	char err[256];
};

static void
gz_fail(struct hunt_gz *g, const char *msg)
{
	pthread_mutex_lock(&g->mu);
	if (g->err[0] == '\0')
		snprintf(g->err, sizeof g->err, "%s", msg);
	g->eof = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* Waits for a free block; NULL when told to stop. */
static struct gz_block *
gz_free_block(struct hunt_gz *g)
{
	struct gz_block *b = NULL;

	pthread_mutex_lock(&g->mu);
	while (!g->stop && g->count == GZ_NBLOCKS)
		pthread_cond_wait(&g->cv, &g->mu);
	if (!g->stop)
		b = &g->b[(g->head + g->count) % GZ_NBLOCKS];
	pthread_mutex_unlock(&g->mu);
	return b;
}

static void
gz_push(struct hunt_gz *g)
{
	pthread_mutex_lock(&g->mu);
	g->count++;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* Moves what is left of the input to the front and reads until the
 * window is full or the file ends: 0, or an errno. */
static int
gz_fill(
    struct hunt_gz *g, unsigned char *in, size_t *pos, size_t *end, bool *ieof)
{
	ssize_t k;

	if (*pos > 0) {
		memmove(in, in + *pos, *end - *pos);
		*end -= *pos;
		*pos = 0;
	}
	while (*end < g->win && !*ieof) {
		do
			k = read(g->fd, in + *end, g->win - *end);
		while (k < 0 && errno == EINTR);
		if (k < 0)
			return errno;
		if (k == 0)
			*ieof = true;
		*end += (size_t)k;
	}
	return 0;
}

static void *
gz_thread(void *arg)
{
	struct hunt_gz *g = arg;
	unsigned char *in = malloc(g->win);
	struct gz_block *b = NULL;
	size_t pos = 0, end = 0;
	bool ieof = false, member = false;
	z_stream z;
	int zr, e;
#if IRT_HAVE_LIBDEFLATE
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	unsigned fails = 0;
#endif

	memset(&z, 0, sizeof z);
	if (in == NULL || inflateInit2(&z, 15 + 16) != Z_OK) {
		free(in);
#if IRT_HAVE_LIBDEFLATE
		libdeflate_free_decompressor(d);
#endif
		gz_fail(g, "out of memory");
		return NULL;
	}
	for (;;) {
		if (end - pos < GZ_KEEP && !ieof &&
		    (e = gz_fill(g, in, &pos, &end, &ieof)) != 0) {
			/* what was inflated before the error comes first */
			if (b != NULL && b->len > 0)
				gz_push(g);
			b = NULL;
			gz_fail(g, strerror(e));
			break;
		}
		if (pos == end) {
			/* what was inflated of a cut member comes before the
			 * error, which ends the reader's wait */
			if (member && b != NULL && b->len > 0) {
				gz_push(g);
				b = NULL;
			}
			if (member)
				gz_fail(g, "truncated gzip data");
			break;
		}
		if (!member) {
			/* the next member, or zeros padding the end */
			if (in[pos] == 0) {
				pos++;
				continue;
			}
#if IRT_HAVE_LIBDEFLATE
			/* a whole member (irt collect writes 1 MiB ones)
			 * at once into an empty block, when it fits: else
			 * zlib streams it */
			if (d != NULL && fails < GZ_FAST_FAILS) {
				size_t inb = 0, outb = 0;
				if (b != NULL && b->len > 0) {
					gz_push(g);
					b = NULL;
				}
				if (b == NULL && (b = gz_free_block(g)) == NULL)
					break;
				b->len = 0;
				if (libdeflate_gzip_decompress_ex(d, in + pos,
				        end - pos, b->data, GZ_BLOCK, &inb,
				        &outb) == LIBDEFLATE_SUCCESS) {
					pos += inb;
					b->len = outb;
					gz_push(g);
					b = NULL;
					continue;
				}
				fails++;
			}
#endif
			if (inflateReset(&z) != Z_OK) {
				gz_fail(g, "cannot restart gzip");
				break;
			}
			member = true;
		}
		if (b == NULL) {
			if ((b = gz_free_block(g)) == NULL)
				break;
			b->len = 0;
		}
		z.next_in = in + pos;
		z.avail_in = (uInt)(end - pos);
		z.next_out = b->data + b->len;
		z.avail_out = (uInt)(GZ_BLOCK - b->len);
		zr = inflate(&z, Z_NO_FLUSH);
		pos = (size_t)(z.next_in - in);
		b->len = GZ_BLOCK - z.avail_out;
		if (zr == Z_STREAM_END)
			member = false;
		else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			if (b->len > 0)
				gz_push(g);
			b = NULL;
			gz_fail(g, z.msg ? z.msg : "corrupt gzip data");
			break;
		}
		if (b->len == GZ_BLOCK) {
			gz_push(g);
			b = NULL;
		}
	}
	if (b != NULL && b->len > 0)
		gz_push(g);
	inflateEnd(&z);
#if IRT_HAVE_LIBDEFLATE
	libdeflate_free_decompressor(d);
#endif
	free(in);
	pthread_mutex_lock(&g->mu);
	g->eof = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

int
hunt_gz_open(struct hunt_gz **out, const char *path)
{
	struct hunt_gz *g;
	unsigned char magic[2];
	struct stat st;
	int fd, i;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME | O_NONBLOCK);
	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	if (pread(fd, magic, 2, 0) != 2 || magic[0] != 0x1f ||
	    magic[1] != 0x8b) {
		close(fd);
		return IRT_EINVAL; /* not gzip: libarchive reads it */
	}
	/* blocking reads from here on */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if ((g = calloc(1, sizeof *g)) == NULL) {
		close(fd);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	g->fd = fd;
	g->win = GZ_WIN;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size < GZ_WIN)
		g->win = st.st_size < (1 << 16) ? 1 << 16 : (size_t)st.st_size;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	for (i = 0; i < GZ_NBLOCKS; i++)
		if ((g->b[i].data = malloc(GZ_BLOCK)) == NULL) {
			hunt_gz_free(g);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
	if (pthread_create(&g->th, NULL, gz_thread, g) != 0) {
		hunt_gz_free(g);
		return irt_error_set(IRT_ENOMEM, "cannot start a thread");
	}
	g->started = true;
	*out = g;
	return 0;
}

long
hunt_gz_read(struct archive *a, void *arg, const void **buf)
{
	struct hunt_gz *g = arg;
	la_ssize_t n = 0;

	pthread_mutex_lock(&g->mu);
	if (g->held) {
		/* the block handed out last time is free again */
		g->held = false;
		g->head = (g->head + 1) % GZ_NBLOCKS;
		g->count--;
		pthread_cond_broadcast(&g->cv);
	}
	while (g->count == 0 && !g->eof)
		pthread_cond_wait(&g->cv, &g->mu);
	if (g->count > 0) {
		*buf = g->b[g->head].data;
		n = (la_ssize_t)g->b[g->head].len;
		g->held = true;
	} else if (g->err[0] != '\0') {
		archive_set_error(a, EIO, "%s", g->err);
		n = -1;
	}
	pthread_mutex_unlock(&g->mu);
	return n;
}

void
hunt_gz_free(struct hunt_gz *g)
{
	int i;

	if (g == NULL)
		return;
	if (g->started) {
		pthread_mutex_lock(&g->mu);
		g->stop = true;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->th, NULL);
	}
	for (i = 0; i < GZ_NBLOCKS; i++)
		free(g->b[i].data);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	close(g->fd);
	free(g);
}
