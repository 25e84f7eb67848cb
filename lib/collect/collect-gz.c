/*
 * Parallel gzip: independent members compressed by worker threads and
 * written in order.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "collect-int.h"
#include "irt/error.h"
#include "irt/hash.h"

enum slot_state { SLOT_EMPTY, SLOT_FILLED, SLOT_BUSY, SLOT_DONE };

struct slot {
	enum slot_state state;
	unsigned char *in;
	size_t inlen;
	unsigned char *out;
	size_t outcap, outlen;
	int err;
};

struct irt_pgz {
	int fd;
	int level;
	pthread_mutex_t mu;
	pthread_cond_t work; /* a slot became FILLED, or quit */
	pthread_cond_t done; /* a slot became DONE */
	pthread_t *threads;
	int nthreads;
	struct slot *slots;
	size_t nslots;
	uint64_t seq;   /* the block being filled */
	uint64_t flush; /* the next block to write */
	int quit;
	int failed;
	struct irt_hash *hash;
	uint64_t bytes;
};

/* Chunks of a block judged one by one: compressed or stored. */
#define CHUNK 65536

/*
 * Is the chunk incompressible (random, encrypted or already compressed
 * data)?  Its bytes are then spread almost evenly over the 256 values:
 * the sum of the squared counts is close to n * n / 256 (text is 10 to
 * 20 times more).  Deflate would spend its time there for nothing, so
 * such chunks are stored.
 */
static int
incompressible(const unsigned char *p, size_t n)
{
	uint32_t cnt[256];
	uint64_t sq = 0;
	size_t i;

	if (n < 4096)
		return 0;
	memset(cnt, 0, sizeof cnt);
	for (i = 0; i < n; i++)
		cnt[p[i]]++;
	for (i = 0; i < 256; i++)
		sq += (uint64_t)cnt[i] * cnt[i];
	return sq * 256 * 10 < (uint64_t)n * n * 11;
}

static int
compress_block(struct slot *s, int level)
{
	z_stream zs;
	size_t off, n;
	int zr, cur = level, want;

	memset(&zs, 0, sizeof zs);
	if (deflateInit2(
	        &zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_out = s->out;
	zs.avail_out = (uInt)s->outcap;
	for (off = 0; off < s->inlen; off += n) {
		n = s->inlen - off < CHUNK ? s->inlen - off : CHUNK;
		want = incompressible(s->in + off, n) ? 0 : level;
		if (want != cur) {
			zs.next_in = NULL;
			zs.avail_in = 0;
			if (deflateParams(&zs, want, Z_DEFAULT_STRATEGY) !=
			    Z_OK) {
				deflateEnd(&zs);
				return -1;
			}
			cur = want;
		}
		zs.next_in = s->in + off;
		zs.avail_in = (uInt)n;
		if (deflate(&zs, Z_NO_FLUSH) != Z_OK || zs.avail_in != 0) {
			deflateEnd(&zs);
			return -1;
		}
	}
	zr = deflate(&zs, Z_FINISH);
	s->outlen = s->outcap - zs.avail_out;
	deflateEnd(&zs);
	return zr == Z_STREAM_END ? 0 : -1;
}

static void *
worker(void *arg)
{
	struct irt_pgz *z = arg;
	struct slot *s;
	size_t i;
	uint64_t best;
	int level = z->level;

	pthread_mutex_lock(&z->mu);
	for (;;) {
		s = NULL;
		best = UINT64_MAX;
		/* the oldest filled block first, so the writer never waits
		 * on a young one */
		for (i = 0; i < z->nslots; i++) {
			uint64_t seq;
			if (z->slots[i].state != SLOT_FILLED)
				continue;
			seq = z->flush +
			    ((i + z->nslots - (size_t)(z->flush % z->nslots)) %
			        z->nslots);
			if (seq < best) {
				best = seq;
				s = &z->slots[i];
			}
		}
		if (s == NULL) {
			if (z->quit)
				break;
			pthread_cond_wait(&z->work, &z->mu);
			continue;
		}
		s->state = SLOT_BUSY;
		pthread_mutex_unlock(&z->mu);
		s->err = compress_block(s, level);
		pthread_mutex_lock(&z->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&z->done);
	}
	pthread_mutex_unlock(&z->mu);
	return NULL;
}

static int
write_all(struct irt_pgz *z, const unsigned char *p, size_t n)
{
	ssize_t w;

	if (irt_hash_update(z->hash, p, n) != 0)
		return IRT_ENOMEM;
	z->bytes += n;
	while (n > 0) {
		w = write(z->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return irt_error_sys(
			    IRT_EIO, errno, "cannot write the archive");
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Waits for block z->flush to be compressed and writes it. */
static int
flush_one(struct irt_pgz *z)
{
	struct slot *s = &z->slots[z->flush % z->nslots];
	int rc;

	pthread_mutex_lock(&z->mu);
	while (s->state != SLOT_DONE)
		pthread_cond_wait(&z->done, &z->mu);
	pthread_mutex_unlock(&z->mu);
	if (s->err != 0)
		return irt_error_set(IRT_EIO, "gzip compression failed");
	if ((rc = write_all(z, s->out, s->outlen)) != 0)
		return rc;
	pthread_mutex_lock(&z->mu);
	s->state = SLOT_EMPTY;
	s->inlen = 0;
	z->flush++;
	pthread_mutex_unlock(&z->mu);
	return 0;
}

/* Hands the block being filled to the workers. */
static int
submit(struct irt_pgz *z)
{
	struct slot *s = &z->slots[z->seq % z->nslots];
	int rc;

	if (s->inlen == 0)
		return 0;
	pthread_mutex_lock(&z->mu);
	s->state = SLOT_FILLED;
	pthread_cond_signal(&z->work);
	pthread_mutex_unlock(&z->mu);
	z->seq++;
	/* the next slot must be free before it is filled */
	if (z->seq - z->flush >= z->nslots)
		if ((rc = flush_one(z)) != 0)
			return rc;
	/* write what is ready without waiting */
	for (;;) {
		struct slot *f = &z->slots[z->flush % z->nslots];
		int ready;
		if (z->flush == z->seq)
			break;
		pthread_mutex_lock(&z->mu);
		ready = f->state == SLOT_DONE;
		pthread_mutex_unlock(&z->mu);
		if (!ready)
			break;
		if ((rc = flush_one(z)) != 0)
			return rc;
	}
	return 0;
}

int
irt_pgz_new(struct irt_pgz **out, int fd, int level, int nthreads)
{
	struct irt_pgz *z;
	size_t i;
	int n;

	*out = NULL;
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 64)
		nthreads = 64;
	if ((z = calloc(1, sizeof *z)) == NULL)
		return IRT_ENOMEM;
	z->fd = fd;
	z->level = level;
	/* a block being filled, one per worker, and a few done ones
	 * waiting for their turn to be written */
	z->nslots = (size_t)nthreads + 4;
	pthread_mutex_init(&z->mu, NULL);
	pthread_cond_init(&z->work, NULL);
	pthread_cond_init(&z->done, NULL);
	if ((z->slots = calloc(z->nslots, sizeof *z->slots)) == NULL ||
	    (z->threads = calloc((size_t)nthreads, sizeof *z->threads)) ==
	        NULL ||
	    irt_hash_new(&z->hash, IRT_HASH_SHA256) != 0)
		goto nomem;
	for (i = 0; i < z->nslots; i++) {
		z->slots[i].outcap = deflateBound(NULL, IRT_PGZ_BLOCK) + 64;
		if ((z->slots[i].in = malloc(IRT_PGZ_BLOCK)) == NULL ||
		    (z->slots[i].out = malloc(z->slots[i].outcap)) == NULL)
			goto nomem;
	}
	for (n = 0; n < nthreads; n++) {
		if (pthread_create(&z->threads[n], NULL, worker, z) != 0)
			break;
		z->nthreads++;
	}
	if (z->nthreads == 0) {
		irt_pgz_free(z);
		return irt_error_set(IRT_EIO, "cannot start threads");
	}
	*out = z;
	return 0;
nomem:
	irt_pgz_free(z);
	return irt_error_set(IRT_ENOMEM, "out of memory");
}

int
irt_pgz_write(struct irt_pgz *z, const void *data, size_t len)
{
	const unsigned char *p = data;
	struct slot *s;
	size_t n;
	int rc;

	if (z->failed)
		return IRT_EIO;
	while (len > 0) {
		s = &z->slots[z->seq % z->nslots];
		n = IRT_PGZ_BLOCK - s->inlen;
		if (n > len)
			n = len;
		memcpy(s->in + s->inlen, p, n);
		s->inlen += n;
		p += n;
		len -= n;
		if (s->inlen == IRT_PGZ_BLOCK && (rc = submit(z)) != 0) {
			z->failed = 1;
			return rc;
		}
	}
	return 0;
}

int
irt_pgz_finish(struct irt_pgz *z, char sha256[65], uint64_t *bytes)
{
	int rc;

	if (z->failed)
		return IRT_EIO;
	if ((rc = submit(z)) != 0)
		return rc;
	/* an empty input still makes one valid (empty) member */
	if (z->seq == 0) {
		z->slots[0].inlen = 0;
		pthread_mutex_lock(&z->mu);
		z->slots[0].state = SLOT_FILLED;
		pthread_cond_signal(&z->work);
		pthread_mutex_unlock(&z->mu);
		z->seq++;
	}
	while (z->flush < z->seq)
		if ((rc = flush_one(z)) != 0)
			return rc;
	if ((rc = irt_hash_final(z->hash)) != 0)
		return rc;
	memcpy(sha256, irt_hash_hex(z->hash, IRT_HASH_SHA256), 65);
	if (bytes)
		*bytes = z->bytes;
	return 0;
}

void
irt_pgz_free(struct irt_pgz *z)
{
	size_t i;
	int n;

	if (z == NULL)
		return;
	pthread_mutex_lock(&z->mu);
	z->quit = 1;
	pthread_cond_broadcast(&z->work);
	pthread_mutex_unlock(&z->mu);
	for (n = 0; n < z->nthreads; n++)
		pthread_join(z->threads[n], NULL);
	for (i = 0; z->slots && i < z->nslots; i++) {
		free(z->slots[i].in);
		free(z->slots[i].out);
	}
	free(z->slots);
	free(z->threads);
	irt_hash_free(z->hash);
	pthread_mutex_destroy(&z->mu);
	pthread_cond_destroy(&z->work);
	pthread_cond_destroy(&z->done);
	free(z);
}
