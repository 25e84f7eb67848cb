/*
 * irt_case__index_put: the index written must read back in libgit2 as
 * the one libgit2 writes for the same entries, and every form it leaves
 * to libgit2 must leave the index as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <git2.h>
#include <openssl/evp.h>

#include "case/case-int.h"
#include "util/internal.h"
#include "unit.h"

#define SUMSZ 20
#define HDR 12

struct fixture {
	char *root;
	char work[4200];   /* the work tree */
	char gitdir[4210]; /* ends with '/' */
	char index[4220];
	char lock[4220];
	git_repository *repo;
	struct irt_buf last; /* the index irt wrote last */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	assert_non_null(f);
	irt_lib_init();
	f->root = unit_tmpdir();
	snprintf(f->work, sizeof f->work, "%s/repo", f->root);
	snprintf(f->gitdir, sizeof f->gitdir, "%s/.git/", f->work);
	snprintf(f->index, sizeof f->index, "%sindex", f->gitdir);
	snprintf(f->lock, sizeof f->lock, "%sindex.lock", f->gitdir);
	assert_int_equal(git_repository_init(&f->repo, f->work, 0), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	git_repository_free(f->repo);
	irt_buf_release(&f->last);
	unit_rmtree(f->root);
	free(f);
	return 0;
}

static void
spit(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(irt_write_all(fd, data, len), 0);
	assert_int_equal(close(fd), 0);
}

static void
slurp(struct irt_buf *b, const char *path)
{
	irt_buf_clear(b);
	assert_int_equal(irt_buf_read_file(b, path), 0);
}

/* Writes a file of the work tree, its folders too. */
static void
work_file(struct fixture *f, const char *rel, const char *text)
{
	char full[8400], *slash;

	snprintf(full, sizeof full, "%s/%s", f->work, rel);
	slash = strrchr(full, '/');
	*slash = '\0';
	assert_int_equal(irt_mkdirs(full, 0755), 0);
	*slash = '/';
	spit(full, text, strlen(text));
}

/* An index of these files of the work tree, written by libgit2. */
static void
lg_index(
    struct fixture *f, unsigned version, const char *const *paths, size_t n)
{
	git_index *idx;
	size_t i;

	assert_int_equal(git_repository_index(&idx, f->repo), 0);
	assert_int_equal(git_index_clear(idx), 0);
	for (i = 0; i < n; i++)
		if (git_index_add_bypath(idx, paths[i]) != 0)
			fail_msg("cannot add '%s': %s", paths[i],
			    git_error_last()->message);
	assert_int_equal(git_index_set_version(idx, version), 0);
	assert_int_equal(git_index_write(idx), 0);
	git_index_free(idx);
}

/* The index in the repository, written again by libgit2 as version v. */
static void
rewrite_as(struct fixture *f, unsigned v)
{
	git_index *idx;

	assert_int_equal(git_repository_index(&idx, f->repo), 0);
	assert_int_equal(git_index_read(idx, 1), 0);
	assert_int_equal(git_index_set_version(idx, v), 0);
	assert_int_equal(git_index_write(idx), 0);
	git_index_free(idx);
}

/* The trailing SHA-1 of an index, made right again after an edit. */
static void
fix_sum(struct irt_buf *b)
{
	unsigned int n = 0;

	assert_true(b->len >= SUMSZ);
	assert_int_equal(
	    EVP_Digest(b->ptr, b->len - SUMSZ,
	        (unsigned char *)b->ptr + b->len - SUMSZ, &n, EVP_sha1(), NULL),
	    1);
}

static uint32_t
be32(const void *p)
{
	const unsigned char *q = p;

	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[2] << 8 | q[3];
}

static void
set32(void *p, uint32_t v)
{
	unsigned char *q = p;

	q[0] = (unsigned char)(v >> 24);
	q[1] = (unsigned char)(v >> 16);
	q[2] = (unsigned char)(v >> 8);
	q[3] = (unsigned char)v;
}

/* Does data hold the 4 bytes of sig (an extension's signature)? */
static int
has_bytes(const struct irt_buf *b, const char *sig)
{
	return memmem(b->ptr, b->len, sig, 4) != NULL;
}

struct put_set {
	int made_up; /* stat data and id made up: no files */
	const char *paths[8];
	struct stat st[8];
	git_oid ids[8];
	struct irt_index_put puts[8];
	size_t n;
};

/*
 * Puts files of the work tree as they are now: stat data and blob id.
 * Their modification time is set apart from their change time, and old
 * enough for libgit2 not to take the entries for racily clean ones.
 */
static void
prepare_puts(struct fixture *f, struct put_set *s)
{
	static const struct timespec mtime[2] = { { 1000000000, 5 },
		{ 1000000000, 5 } };
	char full[8400];
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct stat *st = &s->st[i];

		if (s->made_up) {
			memset(st, 0, sizeof *st);
			st->st_mode = S_IFREG | 0644;
			st->st_size = 5;
			st->st_mtim.tv_sec = 1000000000;
			st->st_mtim.tv_nsec = 1000 + (long)i;
			st->st_ctim.tv_sec = 1000000100;
			st->st_ctim.tv_nsec = 2000 + (long)i;
			st->st_dev = 77;
			st->st_ino = 1234 + i;
			st->st_uid = 1001;
			st->st_gid = 1002;
			assert_int_equal(git_odb_hash(&s->ids[i], "made\n", 5,
			                     GIT_OBJECT_BLOB),
			    0);
		} else {
			snprintf(
			    full, sizeof full, "%s/%s", f->work, s->paths[i]);
			assert_int_equal(
			    utimensat(AT_FDCWD, full, mtime, 0), 0);
			assert_int_equal(lstat(full, st), 0);
			assert_int_equal(
			    git_odb_hashfile(&s->ids[i], full, GIT_OBJECT_BLOB),
			    0);
		}
		s->puts[i].path = s->paths[i];
		s->puts[i].oid = &s->ids[i];
		s->puts[i].st = st;
	}
}

/* What irt's fallback does: the same entries through libgit2. */
static void
lg_put(struct fixture *f, const struct put_set *s)
{
	git_index *idx;
	git_index_entry e;
	size_t i;

	assert_int_equal(git_repository_index(&idx, f->repo), 0);
	assert_int_equal(git_index_read(idx, 1), 0);
	for (i = 0; i < s->n; i++) {
		const struct stat *st = &s->st[i];

		memset(&e, 0, sizeof e);
		e.ctime.seconds = (int32_t)st->st_ctim.tv_sec;
		e.ctime.nanoseconds = (uint32_t)st->st_ctim.tv_nsec;
		e.mtime.seconds = (int32_t)st->st_mtim.tv_sec;
		e.mtime.nanoseconds = (uint32_t)st->st_mtim.tv_nsec;
		e.dev = (uint32_t)st->st_dev;
		e.ino = (uint32_t)st->st_ino;
		e.mode = GIT_FILEMODE_BLOB;
		e.uid = st->st_uid;
		e.gid = st->st_gid;
		e.file_size = (uint32_t)st->st_size;
		git_oid_cpy(&e.id, &s->ids[i]);
		e.path = s->paths[i];
		assert_int_equal(git_index_add(idx, &e), 0);
	}
	assert_int_equal(git_index_set_version(idx, 4), 0);
	assert_int_equal(git_index_write(idx), 0);
	git_index_free(idx);
}

/* Both index files read back in libgit2 as the same entries. */
static void
assert_same_entries(const char *got_path, const char *want_path)
{
	git_index *got, *want;
	size_t i, n;

	assert_int_equal(git_index_open(&got, got_path), 0);
	assert_int_equal(git_index_open(&want, want_path), 0);
	n = git_index_entrycount(want);
	assert_int_equal(git_index_entrycount(got), n);
	assert_int_equal(git_index_version(got), 4);
	for (i = 0; i < n; i++) {
		const git_index_entry *g = git_index_get_byindex(got, i);
		const git_index_entry *w = git_index_get_byindex(want, i);

		assert_string_equal(g->path, w->path);
		assert_true(git_oid_equal(&g->id, &w->id));
		assert_int_equal(g->mode, w->mode);
		assert_int_equal(g->file_size, w->file_size);
		assert_int_equal(g->mtime.seconds, w->mtime.seconds);
		assert_int_equal(g->mtime.nanoseconds, w->mtime.nanoseconds);
		assert_int_equal(g->ctime.seconds, w->ctime.seconds);
		assert_int_equal(g->ctime.nanoseconds, w->ctime.nanoseconds);
		assert_int_equal(g->dev, w->dev);
		assert_int_equal(g->ino, w->ino);
		assert_int_equal(g->uid, w->uid);
		assert_int_equal(g->gid, w->gid);
		assert_int_equal(g->flags, w->flags);
		assert_int_equal(g->flags_extended, w->flags_extended);
	}
	git_index_free(got);
	git_index_free(want);
}

/*
 * Puts s into the index now in the repository with irt and, from the
 * same index, with libgit2, and compares the two; count is the number
 * of entries expected.  libgit2's index is left in the repository, and
 * irt's in f->last.
 */
static void
check_puts(struct fixture *f, struct put_set *s, size_t count)
{
	struct irt_buf before = IRT_BUF_INIT, after = IRT_BUF_INIT;
	char got[8400], want[8400];
	git_index *idx;

	prepare_puts(f, s);
	slurp(&before, f->index);
	assert_int_equal(irt_case__index_put(f->gitdir, s->puts, s->n), 0);
	assert_int_equal(access(f->lock, F_OK), -1);
	slurp(&after, f->index);
	irt_buf_clear(&f->last);
	irt_buf_put(&f->last, after.ptr, after.len);
	/* the cached trees are dropped */
	assert_false(has_bytes(&after, "TREE"));
	snprintf(got, sizeof got, "%s/got.index", f->root);
	spit(got, after.ptr, after.len);

	spit(f->index, before.ptr, before.len);
	lg_put(f, s);
	snprintf(want, sizeof want, "%s/want.index", f->root);
	slurp(&before, f->index);
	spit(want, before.ptr, before.len);

	assert_same_entries(got, want);
	/* without cached trees to write, libgit2 writes the same bytes */
	if (!has_bytes(&before, "TREE")) {
		assert_int_equal(after.len, before.len);
		assert_memory_equal(after.ptr, before.ptr, after.len);
	}
	assert_int_equal(git_index_open(&idx, got), 0);
	assert_int_equal(git_index_entrycount(idx), count);
	git_index_free(idx);
	irt_buf_release(&before);
	irt_buf_release(&after);
}

/* --- the differential tests ----------------------------------------------- */

static const char *const base_paths[] = {
	"a",
	"a-b",
	"a.b",
	"a0",
	"case.conf",
	"evidence/host/x.txt",
	"notes/a.md",
	"notes/b.md",
	"notes/c.md",
	"\xc3\xa9.md",
};
#define NBASE (sizeof base_paths / sizeof base_paths[0])

static void
base_files(struct fixture *f)
{
	size_t i;

	for (i = 0; i < NBASE; i++)
		work_file(f, base_paths[i], base_paths[i]);
}

/* First, middle, last, deep, and a replacement, into each version. */
static void
puts_into_version(struct fixture *f, unsigned version)
{
	struct put_set s = { .paths = { "notes/b.md", "zz", "0first",
		                 "notes/aa.md", "new/dir/f", "a.a" },
		.n = 6 };
	size_t i;

	base_files(f);
	lg_index(f, version, base_paths, NBASE);
	for (i = 0; i < s.n; i++)
		work_file(f, s.paths[i], "changed or new\n");
	check_puts(f, &s, NBASE + 5);
}

static void
test_v2(void **state)
{
	puts_into_version(*state, 2);
}

static void
test_v3(void **state)
{
	puts_into_version(*state, 3);
}

static void
test_v4(void **state)
{
	puts_into_version(*state, 4);
}

/* Each position alone: first, middle, last, and replacing. */
static void
test_one_at_each_place(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *path;
		int fresh;
	} one[] = {
		{ "0", 1 },
		{ "notes/bb.md", 1 },
		{ "zzz", 1 },
		{ "notes/c.md", 0 },
		{ "a.b", 0 },
		{ "a", 0 },
		{ "\xc3\xa9.md", 0 },
	};
	struct put_set s = { .n = 1 };
	size_t i;

	base_files(f);
	for (i = 0; i < sizeof one / sizeof one[0]; i++) {
		lg_index(f, 2 + (unsigned)i % 3, base_paths, NBASE);
		work_file(f, one[i].path, "one\n");
		s.paths[0] = one[i].path;
		check_puts(f, &s, NBASE + (size_t)one[i].fresh);
	}
}

/* Extended flags (skip-worktree) in a version 3 index are kept. */
static void
test_extended_flags(void **state)
{
	struct fixture *f = *state;
	struct put_set s = { .paths = { "notes/ab.md" }, .n = 1 };
	git_index *idx;
	git_index_entry e;
	struct irt_buf b = IRT_BUF_INIT;

	base_files(f);
	lg_index(f, 3, base_paths, NBASE);
	assert_int_equal(git_repository_index(&idx, f->repo), 0);
	assert_int_equal(git_index_read(idx, 1), 0);
	memcpy(&e, git_index_get_bypath(idx, "notes/b.md", 0), sizeof e);
	e.flags_extended |= GIT_INDEX_ENTRY_SKIP_WORKTREE;
	assert_int_equal(git_index_add(idx, &e), 0);
	assert_int_equal(git_index_write(idx), 0);
	git_index_free(idx);
	slurp(&b, f->index);
	assert_int_equal(be32(b.ptr + 4), 3);
	irt_buf_release(&b);

	work_file(f, s.paths[0], "new\n");
	check_puts(f, &s, NBASE + 1);
}

/* A cached tree (TREE extension) is dropped, the entries kept. */
static void
test_tree_extension(void **state)
{
	struct fixture *f = *state;
	struct put_set s = { .paths = { "notes/d.md", "notes/a.md" }, .n = 2 };
	struct irt_buf b = IRT_BUF_INIT;
	git_index *idx;
	git_tree *tree;
	git_oid id;

	base_files(f);
	lg_index(f, 2, base_paths, NBASE);
	assert_int_equal(git_repository_index(&idx, f->repo), 0);
	assert_int_equal(git_index_read(idx, 1), 0);
	assert_int_equal(git_index_write_tree(&id, idx), 0);
	assert_int_equal(git_tree_lookup(&tree, f->repo, &id), 0);
	assert_int_equal(git_index_read_tree(idx, tree), 0);
	assert_int_equal(git_index_write(idx), 0);
	git_tree_free(tree);
	git_index_free(idx);
	slurp(&b, f->index);
	assert_true(has_bytes(&b, "TREE"));

	work_file(f, "notes/d.md", "d\n");
	work_file(f, "notes/a.md", "new a\n");
	check_puts(f, &s, NBASE + 1);
	irt_buf_release(&b);
}

/* An empty index, and paths that fill the name length field. */
static void
test_empty_and_long(void **state)
{
	struct fixture *f = *state;
	struct put_set s = { .paths = { "first" }, .n = 1 };
	char *longp;
	size_t i;
	unsigned v;

	work_file(f, "first", "1\n");
	lg_index(f, 2, NULL, 0);
	check_puts(f, &s, 1);

	/* 4095 bytes, longer than a path in the work tree may be: the
	 * 12 bits of the name length say "look for the NUL" */
	longp = malloc(4096);
	assert_non_null(longp);
	for (i = 0; i < 4095; i++)
		longp[i] = i % 200 == 199 ? '/' : 'l';
	longp[4095] = '\0';
	s.made_up = 1;
	for (v = 2; v <= 4; v++) {
		s.paths[0] = longp;
		lg_index(f, v, NULL, 0);
		check_puts(f, &s, 1);
		/* and copied from an index that has it */
		rewrite_as(f, v);
		s.paths[0] = "zz";
		check_puts(f, &s, 2);
		rewrite_as(f, v);
		s.paths[0] = "a";
		check_puts(f, &s, 3);
	}
	free(longp);
}

/* Many long paths that share all but their ends, in a version 4 index. */
static void
test_v4_shared_prefixes(void **state)
{
	struct fixture *f = *state;
	struct put_set s = { .paths = { "evidence/new" }, .n = 1 };
	char dir[400], *paths[200];
	size_t i;

	memset(dir, 'd', 300);
	dir[100] = dir[200] = '/';
	dir[300] = '\0';
	for (i = 0; i < 200; i++) {
		assert_true(
		    asprintf(&paths[i], "evidence/%s/f%03zu", dir, i) > 0);
		work_file(f, paths[i], "x\n");
	}
	lg_index(f, 4, (const char *const *)paths, 200);
	work_file(f, s.paths[0], "new\n");
	check_puts(f, &s, 201);
	for (i = 0; i < 200; i++)
		free(paths[i]);
}

/*
 * A version 4 index is copied through but where puts go: round after
 * round into what irt wrote, puts before the first entry, two before one
 * entry, a replacement followed by a new entry, after the last, and
 * before an entry with extended flags, whose path is compressed anew.
 */
static void
test_v4_copy_through(void **state)
{
	struct fixture *f = *state;
	static const char *const rounds[][4] = {
		{ "0a", "notes/a.md", "notes/ab.md", NULL },
		{ "evidence/host/w.txt", "evidence/host/v.txt", NULL },
		{ "notes/b.md", "notes/ba.md", "zzz/last", NULL },
		{ "a-a", NULL },
	};
	static const size_t counts[] = { NBASE + 2, NBASE + 4, NBASE + 6,
		NBASE + 7 };
	struct put_set s;
	git_index *idx;
	git_index_entry e;
	size_t r, i;

	base_files(f);
	lg_index(f, 4, base_paths, NBASE);
	for (r = 0; r < sizeof rounds / sizeof rounds[0]; r++) {
		memset(&s, 0, sizeof s);
		for (i = 0; rounds[r][i] != NULL; i++) {
			s.paths[i] = rounds[r][i];
			work_file(f, rounds[r][i], "round\n");
		}
		s.n = i;
		check_puts(f, &s, counts[r]);
		/* the next round reads what irt wrote */
		spit(f->index, f->last.ptr, f->last.len);
	}
	assert_int_equal(be32(f->last.ptr + 4), 4);

	/* skip-worktree on notes/c.md, written as version 4 by libgit2 */
	assert_int_equal(git_repository_index(&idx, f->repo), 0);
	assert_int_equal(git_index_read(idx, 1), 0);
	memcpy(&e, git_index_get_bypath(idx, "notes/c.md", 0), sizeof e);
	e.flags_extended |= GIT_INDEX_ENTRY_SKIP_WORKTREE;
	assert_int_equal(git_index_add(idx, &e), 0);
	assert_int_equal(git_index_set_version(idx, 4), 0);
	assert_int_equal(git_index_write(idx), 0);
	git_index_free(idx);
	memset(&s, 0, sizeof s);
	s.paths[0] = "notes/bz.md";
	s.n = 1;
	work_file(f, s.paths[0], "before the extended entry\n");
	check_puts(f, &s, NBASE + 8);
}

/* An optional extension irt does not know is dropped too. */
static void
test_unknown_optional_extension(void **state)
{
	struct fixture *f = *state;
	struct put_set s = { .paths = { "zz" }, .n = 1 };
	struct irt_buf b = IRT_BUF_INIT;
	static const char ext[] = "ZZZZ\0\0\0\4abcd";

	base_files(f);
	lg_index(f, 2, base_paths, NBASE);
	slurp(&b, f->index);
	b.len -= SUMSZ;
	irt_buf_put(&b, ext, sizeof ext - 1);
	irt_buf_put(&b, "01234567890123456789", SUMSZ);
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	work_file(f, "zz", "zz\n");
	check_puts(f, &s, NBASE + 1);
	assert_false(has_bytes(&f->last, "ZZZZ"));
	irt_buf_release(&b);
}

/* --- forms left to libgit2 ------------------------------------------------ */

/* Puts paths with made-up stat data and id: the files need not be. */
static int
put_made_up(struct fixture *f, const char *const *paths, size_t n)
{
	struct irt_index_put puts[4];
	struct stat st;
	git_oid id;
	size_t i;

	memset(&st, 0, sizeof st);
	st.st_mode = S_IFREG | 0644;
	st.st_size = 4;
	st.st_mtim.tv_sec = 1000000000;
	assert_int_equal(
	    git_oid_fromstr(&id, "0123456789abcdef0123456789abcdef01234567"),
	    0);
	assert_true(n <= 4);
	for (i = 0; i < n; i++) {
		puts[i].path = paths[i];
		puts[i].oid = &id;
		puts[i].st = &st;
	}
	return irt_case__index_put(f->gitdir, puts, n);
}

/* irt leaves the index as it is and says so. */
static void
assert_left_puts(
    struct fixture *f, const char *what, const char *const *paths, size_t n)
{
	struct irt_buf before = IRT_BUF_INIT, after = IRT_BUF_INIT;
	int had = access(f->index, F_OK) == 0;

	if (had)
		slurp(&before, f->index);
	if (put_made_up(f, paths, n) != 1)
		fail_msg("%s: not left to libgit2", what);
	if (had) {
		slurp(&after, f->index);
		assert_int_equal(after.len, before.len);
		assert_memory_equal(after.ptr, before.ptr, before.len);
	} else {
		assert_int_equal(access(f->index, F_OK), -1);
	}
	assert_int_equal(access(f->lock, F_OK), -1);
	irt_buf_release(&before);
	irt_buf_release(&after);
}

static void
assert_left(struct fixture *f, const char *what, const char *path)
{
	assert_left_puts(f, what, &path, 1);
}

/* Writes an edited copy of a version 2 index of base_paths. */
static void
edited(struct fixture *f, struct irt_buf *b)
{
	base_files(f);
	lg_index(f, 2, base_paths, NBASE);
	slurp(b, f->index);
}

static void
test_left_checksum_and_header(void **state)
{
	struct fixture *f = *state;
	struct irt_buf b = IRT_BUF_INIT;
	const char *zz = "zz";

	/* unedited, it takes the put */
	edited(f, &b);
	assert_int_equal(put_made_up(f, &zz, 1), 0);

	edited(f, &b);
	b.ptr[HDR + 70] ^= 1;
	spit(f->index, b.ptr, b.len);
	assert_left(f, "a flipped byte", "zz");

	edited(f, &b);
	b.ptr[b.len - 1] ^= 0x80;
	spit(f->index, b.ptr, b.len);
	assert_left(f, "a flipped checksum", "zz");

	edited(f, &b);
	b.ptr[3] = 'X';
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "a bad signature", "zz");

	edited(f, &b);
	set32(b.ptr + 4, 5);
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "version 5", "zz");

	edited(f, &b);
	set32(b.ptr + 4, 1);
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "version 1", "zz");

	edited(f, &b);
	set32(b.ptr + 8, NBASE + 1);
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "a count too large", "zz");

	edited(f, &b);
	spit(f->index, b.ptr, 30);
	assert_left(f, "a file cut short", "zz");

	edited(f, &b);
	spit(f->index, b.ptr, b.len - 1);
	assert_left(f, "a checksum cut short", "zz");

	/* cut inside the last entry, with a checksum that matches */
	edited(f, &b);
	b.len -= SUMSZ + 30;
	irt_buf_put(&b, "01234567890123456789", SUMSZ);
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "an entry cut short", "zz");

	spit(f->index, "", 0);
	assert_left(f, "an empty file", "zz");
	assert_int_equal(unlink(f->index), 0);
	assert_left(f, "no index", "zz");
	irt_buf_release(&b);
}

static void
test_left_extension_and_stage(void **state)
{
	struct fixture *f = *state;
	struct irt_buf b = IRT_BUF_INIT;
	static const char link[] = "link\0\0\0\24"
	                           "01234567890123456789";
	git_index *idx;
	git_index_entry e;

	/* a required extension (lowercase), with a good checksum */
	edited(f, &b);
	b.len -= SUMSZ;
	irt_buf_put(&b, link, sizeof link - 1);
	irt_buf_put(&b, "01234567890123456789", SUMSZ);
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "a 'link' extension", "zz");

	/* an extension whose size runs past the end */
	edited(f, &b);
	b.len -= SUMSZ;
	irt_buf_put(&b, "ZZZZ\0\0\1\0abcd", 12);
	irt_buf_put(&b, "01234567890123456789", SUMSZ);
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "an extension cut short", "zz");

	/* a conflict: "ours" at stage 2 */
	edited(f, &b);
	assert_int_equal(git_repository_index(&idx, f->repo), 0);
	assert_int_equal(git_index_read(idx, 1), 0);
	memcpy(&e, git_index_get_bypath(idx, "case.conf", 0), sizeof e);
	e.path = "conflict";
	assert_int_equal(git_index_conflict_add(idx, NULL, &e, NULL), 0);
	assert_int_equal(git_index_write(idx), 0);
	assert_int_equal(git_index_read(idx, 1), 0);
	assert_true(git_index_has_conflicts(idx));
	git_index_free(idx);
	assert_left(f, "a stage 2 entry", "zz");
	irt_buf_release(&b);
}

/* Size in a version 2 file of the entry with a path of n bytes. */
static size_t
v2_size(size_t n)
{
	return (62 + n + 8) & ~(size_t)7;
}

static void
test_left_entries(void **state)
{
	struct fixture *f = *state;
	struct irt_buf b = IRT_BUF_INIT;
	const char *two[2] = { "a1", "b1" };
	size_t es = v2_size(2);
	char tmp[128];
	unsigned v;

	work_file(f, "a1", "a\n");
	work_file(f, "b1", "b\n");
	/* unedited, they take the put */
	for (v = 2; v <= 4; v++) {
		lg_index(f, v, two, 2);
		assert_int_equal(put_made_up(f, two, 1), 0);
		assert_int_equal(put_made_up(f, two, 2), 0);
	}

	/* unsorted: two entries of one size swapped */
	lg_index(f, 2, two, 2);
	slurp(&b, f->index);
	memcpy(tmp, b.ptr + HDR, es);
	memmove(b.ptr + HDR, b.ptr + HDR + es, es);
	memcpy(b.ptr + HDR + es, tmp, es);
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "unsorted entries", "zz");

	/* a path twice */
	lg_index(f, 2, two, 2);
	slurp(&b, f->index);
	memcpy(b.ptr + HDR + es, b.ptr + HDR, es);
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "a path twice", "zz");

	/* a name length that is not the path's */
	lg_index(f, 2, two, 2);
	slurp(&b, f->index);
	b.ptr[HDR + 61] = 3;
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "a wrong name length", "zz");

	lg_index(f, 4, two, 2);
	slurp(&b, f->index);
	b.ptr[HDR + 61] = 1;
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "a wrong name length in version 4", "zz");

	/* the extended flag in version 2 */
	lg_index(f, 2, two, 2);
	slurp(&b, f->index);
	b.ptr[HDR + 60] |= 0x40;
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "an extended entry in version 2", "zz");

	/* version 4: more to strip than the previous path has */
	lg_index(f, 4, two, 2);
	slurp(&b, f->index);
	assert_int_equal(b.ptr[HDR + 62], 0);
	assert_int_equal(b.ptr[HDR + 62 + 4 + 62], 2);
	b.ptr[HDR + 62 + 4 + 62] = 3;
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "a strip past the previous path", "zz");

	/* an empty path */
	lg_index(f, 4, two, 1);
	slurp(&b, f->index);
	memmove(b.ptr + HDR + 63, b.ptr + HDR + 65, b.len - HDR - 65);
	b.len -= 2;
	b.ptr[HDR + 61] = 0;
	fix_sum(&b);
	spit(f->index, b.ptr, b.len);
	assert_left(f, "an empty path", "zz");
	irt_buf_release(&b);
}

/*
 * A path longer than libgit2 reads from a version 4 index, put or in an
 * index of an older version: left to libgit2.
 */
static void
test_left_too_long(void **state)
{
	struct fixture *f = *state;
	char *longp;
	git_index *idx;
	git_index_entry e;
	unsigned v;
	size_t i;

	longp = malloc(4097);
	assert_non_null(longp);
	for (i = 0; i < 4096; i++)
		longp[i] = i % 200 == 199 ? '/' : 'l';
	longp[4096] = '\0';
	lg_index(f, 2, NULL, 0);
	assert_left(f, "a path of 4096 bytes put", longp);
	for (v = 2; v <= 3; v++) {
		assert_int_equal(git_repository_index(&idx, f->repo), 0);
		assert_int_equal(git_index_clear(idx), 0);
		memset(&e, 0, sizeof e);
		e.path = longp;
		e.mode = GIT_FILEMODE_BLOB;
		e.mtime.seconds = 1000000000;
		assert_int_equal(
		    git_odb_hash(&e.id, "", 0, GIT_OBJECT_BLOB), 0);
		assert_int_equal(git_index_add(idx, &e), 0);
		assert_int_equal(git_index_set_version(idx, v), 0);
		assert_int_equal(git_index_write(idx), 0);
		git_index_free(idx);
		assert_left(f, "a path of 4096 bytes in the index", "zz");
	}
	free(longp);
}

/* A file where a folder is, a folder where a file is, a path twice. */
static void
test_left_clashes(void **state)
{
	struct fixture *f = *state;
	const char *p[4] = { "a", "b/c", "d/e/f", "g" };
	const char *twice[2] = { "zz", "zz" };
	const char *both[2] = { "h", "h/i" };
	struct put_set s = { .paths = { "a-b", "b.c", "d/e0", "a0/x" },
		.n = 4 };
	size_t i;

	for (i = 0; i < 4; i++)
		work_file(f, p[i], p[i]);
	lg_index(f, 4, p, 4);
	assert_left(f, "'a/b' where the file 'a' is", "a/b");
	assert_left(f, "'a/b/c' where the file 'a' is", "a/b/c");
	assert_left(f, "'d/e/f/g' where the file 'd/e/f' is", "d/e/f/g");
	assert_left(f, "'b' where the folder 'b' is", "b");
	assert_left(f, "'d' where the folder 'd' is", "d");
	assert_left(f, "'d/e' where the folder 'd/e' is", "d/e");
	assert_left_puts(f, "a path put twice", twice, 2);
	assert_left_puts(f, "a file and a folder put", both, 2);
	assert_left(f, "an empty path", "");
	/* names beside them are no clash */
	for (i = 0; i < s.n; i++)
		work_file(f, s.paths[i], "beside\n");
	check_puts(f, &s, 8);
}

static void
test_lock_taken(void **state)
{
	struct fixture *f = *state;
	struct put_set s = { .paths = { "zz" }, .n = 1 };
	struct irt_buf before = IRT_BUF_INIT, after = IRT_BUF_INIT;

	base_files(f);
	lg_index(f, 2, base_paths, NBASE);
	work_file(f, "zz", "zz\n");
	prepare_puts(f, &s);
	slurp(&before, f->index);
	spit(f->lock, "foreign", 7);
	irt_error_clear();
	assert_true(irt_case__index_put(f->gitdir, s.puts, 1) < 0);
	assert_non_null(strstr(irt_error_last(), "index.lock"));
	slurp(&after, f->index);
	assert_int_equal(after.len, before.len);
	assert_memory_equal(after.ptr, before.ptr, before.len);
	slurp(&after, f->lock);
	assert_string_equal(after.ptr, "foreign");
	irt_buf_release(&before);
	irt_buf_release(&after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_one_at_each_place, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_extended_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_tree_extension, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_empty_and_long, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_v4_shared_prefixes, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_v4_copy_through, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_left_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unknown_optional_extension, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_left_checksum_and_header, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_left_extension_and_stage, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_left_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_left_clashes, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_lock_taken, setup, teardown),
	};

	return UNIT_RUN(tests);
}
