/*
 * libFuzzer harness for irt_case__index_put, which rewrites .git/index
 * itself: the input is the index of a scratch repository, as it is and
 * with its trailing SHA-1 made right (else few inputs get past it).
 *
 * An index irt leaves to libgit2 must be left byte for byte.  One irt
 * writes must read back in libgit2 with the entries put (unless libgit2
 * refuses the input too: irt copies the paths it does not put); and
 * when libgit2 reads the input, with every other entry as it was.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <openssl/evp.h>

#include "case/case-int.h"
#include "util/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SUMSZ 20

static char dir[64], gitdir[96], index_path[128], lock_path[128];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_scratch(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The scratch repository, made once. */
static void
scratch(void)
{
	git_repository *repo;

	if (dir[0] != '\0')
		return;
	irt_lib_init();
	snprintf(dir, sizeof dir, "/tmp/irt-fuzz-index-XXXXXX");
	if (mkdtemp(dir) == NULL || git_repository_init(&repo, dir, 1) != 0)
		abort();
	git_repository_free(repo);
	atexit(rm_scratch);
	snprintf(gitdir, sizeof gitdir, "%s/", dir);
	snprintf(index_path, sizeof index_path, "%sindex", gitdir);
	snprintf(lock_path, sizeof lock_path, "%sindex.lock", gitdir);
}

static void
write_index(const uint8_t *data, size_t size)
{
	int fd = open(index_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || irt_write_all(fd, data, size) != 0 || close(fd) != 0)
		abort();
}

/* Is the index file still data? */
static int
unchanged(const uint8_t *data, size_t size)
{
	struct irt_buf b = IRT_BUF_INIT;
	int same;

	if (irt_buf_read_file(&b, index_path) != 0)
		abort();
	same = b.len == size && (size == 0 || !memcmp(b.ptr, data, size));
	irt_buf_release(&b);
	return same;
}

static int
same_entry(const git_index_entry *a, const git_index_entry *b)
{
	return strcmp(a->path, b->path) == 0 && git_oid_equal(&a->id, &b->id) &&
	    a->mode == b->mode && a->file_size == b->file_size &&
	    a->mtime.seconds == b->mtime.seconds &&
	    a->mtime.nanoseconds == b->mtime.nanoseconds &&
	    a->ctime.seconds == b->ctime.seconds &&
	    a->ctime.nanoseconds == b->ctime.nanoseconds && a->dev == b->dev &&
	    a->ino == b->ino && a->uid == b->uid && a->gid == b->gid &&
	    a->flags == b->flags && a->flags_extended == b->flags_extended;
}

static const char *const names[] = {
	"a",
	"a.b",
	"a/b",
	"a-b/c",
	"notes/20260101T000000Z-000000.md",
	"z",
	"\xc3\xa9",
};
#define NNAMES (sizeof names / sizeof names[0])

/*
 * Puts one or two paths into the index data.  The put paths are names,
 * or with old, old and a name.
 */
static void
put(const uint8_t *data, size_t size, uint32_t h, const char *old)
{
	struct irt_index_put puts[2];
	struct stat st;
	git_oid id;
	git_index *before = NULL, *after = NULL;
	const git_index_entry *e;
	size_t n = 1 + (h & 1), i, added = 0;
	int rc;

	write_index(data, size);
	memset(&st, 0, sizeof st);
	st.st_mode = S_IFREG | 0644;
	st.st_size = (off_t)(h >> 8 & 0xffff);
	st.st_mtim.tv_sec = 1000000000;
	st.st_ino = h;
	memset(&id, 0, sizeof id);
	memcpy(id.id, &h, sizeof h);
	puts[0].path = old ? old : names[(h >> 1) % NNAMES];
	puts[1].path = names[(h >> 4) % NNAMES];
	for (i = 0; i < n; i++) {
		puts[i].oid = &id;
		puts[i].st = &st;
	}
	rc = irt_case__index_put(gitdir, puts, n);
	irt_error_clear();
	if (access(lock_path, F_OK) == 0)
		abort();
	if (rc != 0) {
		if (!unchanged(data, size))
			abort();
		return;
	}
	if (git_index_open(&after, index_path) != 0) {
		/*
		 * Paths libgit2 refuses ("a/.", ".git/x") are copied as
		 * they are: then libgit2 refused the input too.
		 */
		write_index(data, size);
		if (git_index_open(&before, index_path) == 0)
			abort();
		goto out;
	}
	if (git_index_version(after) != 4)
		abort();
	for (i = 0; i < n; i++) {
		e = git_index_get_bypath(after, puts[i].path, 0);
		if (e == NULL || !git_oid_equal(&e->id, &id) ||
		    e->mode != GIT_FILEMODE_BLOB ||
		    e->file_size != (uint32_t)st.st_size || e->ino != h)
			abort();
	}
	/*
	 * The input as libgit2 reads it; only now that irt took it, as
	 * libgit2 1.5 leaks on some malformed indexes.
	 */
	write_index(data, size);
	if (git_index_open(&before, index_path) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (git_index_get_bypath(before, puts[i].path, 0) == NULL)
			added++;
	if (git_index_entrycount(after) != git_index_entrycount(before) + added)
		abort();
	for (i = 0; i < git_index_entrycount(before); i++) {
		const git_index_entry *b, *a;

		b = git_index_get_byindex(before, i);
		if (!strcmp(b->path, puts[0].path) ||
		    (n > 1 && !strcmp(b->path, puts[1].path)))
			continue;
		a = git_index_get_bypath(after, b->path, 0);
		if (a == NULL || !same_entry(a, b))
			abort();
	}
	/* and once more over a path it has */
	if (old == NULL && git_index_entrycount(before) > 0) {
		char *p;

		e = git_index_get_byindex(
		    before, (h >> 9) % git_index_entrycount(before));
		if ((p = strdup(e->path)) == NULL)
			abort();
		put(data, size, h >> 3, p);
		free(p);
	}
out:
	git_error_clear();
	git_index_free(before);
	git_index_free(after);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *fixed;
	unsigned int len = 0;
	uint32_t h = 2166136261u;
	size_t i;

	scratch();
	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	put(data, size, h, NULL);
	if (size < 12 + SUMSZ)
		return 0;
	/* the same with a checksum that matches */
	if ((fixed = malloc(size)) == NULL)
		abort();
	memcpy(fixed, data, size);
	if (EVP_Digest(fixed, size - SUMSZ, fixed + size - SUMSZ, &len,
	        EVP_sha1(), NULL) != 1)
		abort();
	if (memcmp(fixed, data, size) != 0)
		put(fixed, size, h, NULL);
	free(fixed);
	return 0;
}
