/*
 * libFuzzer harness for irt_case__tree_put, which copies raw trees: the
 * input is a tree object in an in-memory object database, put into as
 * it is and as the folder "d" of another tree.
 *
 * A tree irt writes must parse in libgit2, hold the blobs put, keep
 * every other entry libgit2 read from the input, and be in git's order.
 * The seeds use a subtree the harness stores on every run (subtree).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <git2/sys/mempack.h>

#include "case/case-int.h"
#include "util/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "100644 x\0" and 20 bytes of 0x11: tree 7a12e69c... in the seeds */
static unsigned char subtree[9 + GIT_OID_RAWSZ];

static git_repository *repo;
static git_odb *odb;
static git_odb_backend *mempack;

static void
setup(void)
{
	if (repo != NULL)
		return;
	irt_lib_init();
	memcpy(subtree, "100644 x", 9);
	memset(subtree + 9, 0x11, GIT_OID_RAWSZ);
	/* every input is a new object: caching them only grows */
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	if (git_odb_new(&odb) != 0 || git_mempack_new(&mempack) != 0 ||
	    git_odb_add_backend(odb, mempack, 1) != 0 ||
	    git_repository_wrap_odb(&repo, odb) != 0)
		abort();
}

/* The byte after a name's end in git's order: '/' for a folder. */
static int
end_byte(const git_tree_entry *e)
{
	return git_tree_entry_type(e) == GIT_OBJECT_TREE ? '/' : 0;
}

/* git's order of tree entries: a folder sorts as if its name ended in / */
static int
git_order(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *x = git_tree_entry_name(a), *y = git_tree_entry_name(b);
	size_t lx = strlen(x), ly = strlen(y), n = lx < ly ? lx : ly;
	int r = memcmp(x, y, n), cx, cy;

	if (r != 0)
		return r;
	cx = n < lx ? (unsigned char)x[n] : end_byte(a);
	cy = n < ly ? (unsigned char)y[n] : end_byte(b);
	return cx - cy;
}

static const char *const names[] = {
	"a",
	"a.b",
	"a-b",
	"a0",
	"a/x",
	"x",
	"x/y",
	"\xff",
	"notes/20260101T000000Z-000000.md",
};
#define NNAMES (sizeof names / sizeof names[0])

/* Does a put go into the entry name of the tree put into? */
static int
put_below(const struct irt_tree_put *puts, size_t n, const char *prefix,
    const char *name)
{
	size_t i, pl = strlen(prefix), nl = strlen(name);

	for (i = 0; i < n; i++) {
		const char *p = puts[i].path;

		if (strncmp(p, prefix, pl) != 0)
			continue;
		p += pl;
		if (strncmp(p, name, nl) == 0 &&
		    (p[nl] == '\0' || p[nl] == '/'))
			return 1;
	}
	return 0;
}

/*
 * Puts into base; the puts go below prefix ("" or "d/"), where the
 * input is.  input: the input's tree as libgit2 reads it, or NULL.
 */
static void
check(
    const git_oid *base, const char *prefix, const git_tree *input, uint32_t h)
{
	struct irt_tree_put puts[3];
	char *paths[3] = { NULL, NULL, NULL };
	git_oid blob, out;
	git_tree *t = NULL, *sub = NULL;
	const git_tree *res; /* the tree the input was */
	git_tree_entry *te;
	size_t n = 1 + h % 3, i;
	int replace = (h >> 2) & 1;

	memset(&blob, 0, sizeof blob);
	memcpy(blob.id, &h, sizeof h);
	for (i = 0; i < n; i++) {
		const char *name = names[(h >> (3 + 4 * i)) % NNAMES];

		/* sometimes a name of the input, or below it */
		if (input != NULL && git_tree_entrycount(input) > 0 &&
		    (h >> (20 + i)) & 1) {
			const git_tree_entry *e = git_tree_entry_byindex(
			    input, (h >> 24) % git_tree_entrycount(input));

			name = git_tree_entry_name(e);
			if (asprintf(&paths[i], "%s%s%s", prefix, name,
			        git_tree_entry_type(e) == GIT_OBJECT_TREE
			            ? "/x"
			            : "") < 0)
				abort();
		} else if (asprintf(&paths[i], "%s%s", prefix, name) < 0) {
			abort();
		}
		puts[i].path = paths[i];
		puts[i].oid = &blob;
	}
	if (irt_case__tree_put(&out, repo, base, puts, n, replace) != 0) {
		irt_error_clear();
		goto out;
	}
	if (git_tree_lookup(&t, repo, &out) != 0)
		abort();
	for (i = 0; i < n; i++) {
		if (git_tree_entry_bypath(&te, t, puts[i].path) != 0)
			abort();
		if (!git_oid_equal(git_tree_entry_id(te), &blob) ||
		    git_tree_entry_filemode(te) != GIT_FILEMODE_BLOB)
			abort();
		git_tree_entry_free(te);
	}
	if (*prefix != '\0') {
		if (git_tree_entry_bypath(&te, t, "d") != 0 ||
		    git_tree_lookup(&sub, repo, git_tree_entry_id(te)) != 0)
			abort();
		git_tree_entry_free(te);
	}
	res = sub ? sub : t;
	for (i = 1; i < git_tree_entrycount(res); i++)
		if (git_order(git_tree_entry_byindex(res, i - 1),
		        git_tree_entry_byindex(res, i)) >= 0)
			abort();
	/* what no put went into is as it was */
	for (i = 0; input != NULL && i < git_tree_entrycount(input); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(input, i);
		const git_tree_entry *a;

		if (put_below(puts, n, prefix, git_tree_entry_name(e)))
			continue;
		a = git_tree_entry_byname(res, git_tree_entry_name(e));
		if (a == NULL ||
		    !git_oid_equal(
		        git_tree_entry_id(a), git_tree_entry_id(e)) ||
		    git_tree_entry_filemode_raw(a) !=
		        git_tree_entry_filemode_raw(e))
			abort();
	}
out:
	git_tree_free(sub);
	git_tree_free(t);
	for (i = 0; i < 3; i++)
		free(paths[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	git_oid id, sub, outer;
	git_tree *input = NULL;
	unsigned char raw[8 + GIT_OID_RAWSZ];
	uint32_t h = 2166136261u;
	size_t i;

	setup();
	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	if (git_odb_write(
	        &sub, odb, subtree, sizeof subtree, GIT_OBJECT_TREE) != 0 ||
	    git_odb_write(&id, odb, data, size, GIT_OBJECT_TREE) != 0)
		abort();
	if (git_tree_lookup(&input, repo, &id) != 0)
		input = NULL;
	git_error_clear();
	check(&id, "", input, h);
	/* the input as the folder d of a tree */
	memcpy(raw, "40000 d", 8);
	memcpy(raw + 8, id.id, GIT_OID_RAWSZ);
	if (git_odb_write(&outer, odb, raw, sizeof raw, GIT_OBJECT_TREE) != 0)
		abort();
	check(&outer, "d/", input, h * 2654435761u);
	git_tree_free(input);
	git_mempack_reset(mempack);
	return 0;
}
