/*
 * How a case stores new objects: loose, as git does, at the zlib level
 * the case's git configuration asks for (core.looseCompression, else
 * core.compression), and by default without compression.
 *
 * Every commit of a note rewrites the case's notes/ tree, which lists
 * every note: deflating it costs more than all the rest of the commit.
 * libgit2 1.5's loose backend cannot store an object at level 0 (it then
 * writes the bare object, which no git can read), so this backend writes
 * the objects itself: a zlib stream of "<type> <size>\0<data>" in
 * objects/xx/yyy..., through a temporary file.  libgit2 still computes
 * the object ids and reads every object back.  `git gc` packs them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <zlib.h>

#include "case-int.h"
#include "util/internal.h"
#include "irt/error.h"

struct loose_writer {
	git_odb_backend parent;
	char *objects; /* the objects folder, without a trailing '/' */
	int level;
};

static int
fail(const char *what, const char *path)
{
	char msg[PATH_MAX + 128];

	snprintf(msg, sizeof msg, "%s '%s': %s", what, path, strerror(errno));
	git_error_set_str(GIT_ERROR_ODB, msg);
	return -1;
}

/* Deflates the header and the data into one zlib stream. */
static int
deflate_object(unsigned char **out, size_t *outlen, int level, const char *hdr,
    size_t hlen, const void *data, size_t len)
{
	z_stream zs;
	unsigned char *buf;
	size_t cap;
	int zrc;

	memset(&zs, 0, sizeof zs);
	if (deflateInit(&zs, level) != Z_OK)
		return -1;
	cap = deflateBound(&zs, (uLong)(hlen + len)) + 64;
	if ((buf = malloc(cap)) == NULL) {
		deflateEnd(&zs);
		return -1;
	}
	zs.next_out = buf;
	zs.avail_out = (uInt)cap;
	zs.next_in = (Bytef *)hdr;
	zs.avail_in = (uInt)hlen;
	zrc = deflate(&zs, Z_NO_FLUSH);
	if (zrc == Z_OK) {
		zs.next_in = (Bytef *)data;
		zs.avail_in = (uInt)len;
		zrc = deflate(&zs, Z_FINISH);
	}
	*outlen = zs.total_out;
	deflateEnd(&zs);
	if (zrc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static int
lw_write(git_odb_backend *backend, const git_oid *oid, const void *data,
    size_t len, git_object_t type)
{
	struct loose_writer *lw = (struct loose_writer *)backend;
	char hex[GIT_OID_HEXSZ + 1], hdr[64];
	char path[PATH_MAX], tmp[PATH_MAX];
	unsigned char *z = NULL;
	size_t zlen = 0;
	int hlen, fd;

	if ((uint64_t)len > UINT32_MAX) {
		git_error_set_str(GIT_ERROR_ODB, "object too large to store");
		return -1;
	}
	git_oid_tostr(hex, sizeof hex, oid);
	hlen = snprintf(
	    hdr, sizeof hdr, "%s %zu", git_object_type2string(type), len);
	if (hlen < 0 || (size_t)hlen >= sizeof hdr)
		return -1;
	snprintf(path, sizeof path, "%s/%.2s", lw->objects, hex);
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return fail("cannot create", path);
	snprintf(path, sizeof path, "%s/%.2s/%s", lw->objects, hex, hex + 2);
	snprintf(tmp, sizeof tmp, "%s/%.2s/tmp_obj_XXXXXX", lw->objects, hex);
	if (deflate_object(
	        &z, &zlen, lw->level, hdr, (size_t)hlen + 1, data, len) != 0) {
		git_error_set_str(GIT_ERROR_ZLIB, "cannot deflate an object");
		return -1;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		free(z);
		return fail("cannot create", tmp);
	}
	if (irt_write_all(fd, z, zlen) != 0 || fchmod(fd, 0444) != 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		free(z);
		errno = e;
		return fail("cannot write", tmp);
	}
	free(z);
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		errno = e;
		return fail("cannot store", path);
	}
	return 0;
}

static void
lw_free(git_odb_backend *backend)
{
	struct loose_writer *lw = (struct loose_writer *)backend;

	free(lw->objects);
	free(lw);
}

static int
loose_level(git_repository *repo)
{
	git_config *cfg = NULL;
	int32_t v = 0;

	if (git_repository_config_snapshot(&cfg, repo) == 0 &&
	    git_config_get_int32(&v, cfg, "core.looseCompression") != 0 &&
	    git_config_get_int32(&v, cfg, "core.compression") != 0)
		v = 0;
	git_config_free(cfg);
	git_error_clear();
	return v < 0 ? Z_DEFAULT_COMPRESSION : v > 9 ? 9 : (int)v;
}

int
irt_case__set_loose_writes(git_repository *repo, const char *gitdir)
{
	struct loose_writer *lw;
	git_odb *odb = NULL;

	if ((lw = calloc(1, sizeof *lw)) == NULL ||
	    asprintf(&lw->objects, "%sobjects", gitdir) < 0) {
		free(lw);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	git_odb_init_backend(&lw->parent, GIT_ODB_BACKEND_VERSION);
	lw->parent.write = lw_write;
	lw->parent.free = lw_free;
	lw->level = loose_level(repo);
	if (git_repository_odb(&odb, repo) != 0 ||
	    git_odb_add_backend(odb, &lw->parent, 100) != 0) {
		git_odb_free(odb);
		lw_free(&lw->parent);
		return irt_git_error(IRT_ERROR, "cannot open object database");
	}
	git_odb_free(odb);
	return 0;
}
