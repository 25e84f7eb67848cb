/*
 * irt_case__tree_put: trees written from the raw base tree must be the
 * trees libgit2 writes for the same files, and malformed base trees are
 * refused.
 */
#include <git2.h>

#include "case/case-int.h"
#include "util/internal.h"
#include "unit.h"

struct fixture {
	char *dir;
	git_repository *repo;
	git_odb *odb;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	assert_non_null(f);
	irt_lib_init();
	f->dir = unit_tmpdir();
	assert_int_equal(git_repository_init(&f->repo, f->dir, 1), 0);
	assert_int_equal(git_repository_odb(&f->odb, f->repo), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	git_odb_free(f->odb);
	git_repository_free(f->repo);
	unit_rmtree(f->dir);
	free(f);
	return 0;
}

static void
blob(git_oid *out, struct fixture *f, const char *text)
{
	assert_int_equal(
	    git_blob_create_from_buffer(out, f->repo, text, strlen(text)), 0);
}

/* The tree libgit2 itself writes for these files. */
static void
lg_tree(git_oid *out, struct fixture *f, const char *const *paths,
    const git_oid *ids, size_t n)
{
	git_index *idx;
	git_index_entry e;
	size_t i;

	assert_int_equal(git_index_new(&idx), 0);
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof e);
		e.path = paths[i];
		e.mode = GIT_FILEMODE_BLOB;
		git_oid_cpy(&e.id, &ids[i]);
		assert_int_equal(git_index_add(idx, &e), 0);
	}
	assert_int_equal(git_index_write_tree_to(out, idx, f->repo), 0);
	git_index_free(idx);
}

/* The blob at path in tree, which must be there. */
static void
assert_blob_at(struct fixture *f, const git_oid *tree, const char *path,
    const git_oid *want)
{
	git_tree *t;
	git_tree_entry *te;

	assert_int_equal(git_tree_lookup(&t, f->repo, tree), 0);
	assert_int_equal(git_tree_entry_bypath(&te, t, path), 0);
	assert_int_equal(git_tree_entry_type(te), GIT_OBJECT_BLOB);
	assert_int_equal(git_tree_entry_filemode(te), GIT_FILEMODE_BLOB);
	assert_true(git_oid_equal(git_tree_entry_id(te), want));
	git_tree_entry_free(te);
	git_tree_free(t);
}

static void
subtree_id(
    git_oid *out, struct fixture *f, const git_oid *tree, const char *path)
{
	git_tree *t;
	git_tree_entry *te;

	assert_int_equal(git_tree_lookup(&t, f->repo, tree), 0);
	assert_int_equal(git_tree_entry_bypath(&te, t, path), 0);
	assert_int_equal(git_tree_entry_type(te), GIT_OBJECT_TREE);
	git_oid_cpy(out, git_tree_entry_id(te));
	git_tree_entry_free(te);
	git_tree_free(t);
}

/* --- the differential test ---------------------------------------------- */

static uint64_t rng_state;

static uint32_t
rng(void)
{
	/* xorshift64*: the same sequence on every run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

/* names around git's order: '-' and '.' sort before '/', '0' after */
static const char *const names[] = {
	"a",
	"a.b",
	"a-b",
	"a0",
	"ab",
	"a.",
	"b",
	"B",
	"\xc3\xa9",
	"a\xc3\xa9",
	"\xff",
	"z~",
	"notes",
	"n.md",
};
#define NNAMES (sizeof names / sizeof names[0])
#define MAXP 24

/* Is one of a and b a folder of the other, or are they equal? */
static int
clash(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la == lb)
		return strcmp(a, b) == 0;
	if (la > lb)
		return clash(b, a);
	return strncmp(a, b, la) == 0 && b[la] == '/';
}

/* A random path of one to three names, never clashing with v[0..n). */
static int
random_path(char *out, size_t size, char (*v)[64], size_t n)
{
	int depth = 1 + (int)(rng() % 3), d;
	size_t i;

	out[0] = '\0';
	for (d = 0; d < depth; d++) {
		if (d > 0)
			strncat(out, "/", size - strlen(out) - 1);
		strncat(out, names[rng() % NNAMES], size - strlen(out) - 1);
	}
	for (i = 0; i < n; i++)
		if (clash(out, v[i]))
			return -1;
	return 0;
}

static void
describe(struct irt_buf *b, const char *what, const char *const *p, size_t n)
{
	size_t i;

	irt_buf_printf(b, "%s:", what);
	for (i = 0; i < n; i++)
		irt_buf_printf(b, " '%s'", p[i]);
	irt_buf_puts(b, "\n");
}

static void
test_same_tree_as_libgit2(void **state)
{
	struct fixture *f = *state;
	char paths[MAXP][64], text[128];
	const char *base_p[MAXP], *all_p[MAXP];
	git_oid base_id[MAXP], all_id[MAXP], put_id[MAXP];
	git_oid base, want, got, empty;
	struct irt_tree_put puts[MAXP];
	int iter, tries;

	rng_state = 0x9e3779b97f4a7c15ull;
	lg_tree(&empty, f, NULL, NULL, 0);
	for (iter = 0; iter < 400; iter++) {
		size_t np = 0, nb = 0, nall = 0, nput = 0, i;
		size_t size = 1 + rng() % MAXP;
		int replace = iter % 2;
		struct irt_buf why = IRT_BUF_INIT;

		for (tries = 0; tries < 60 && np < size; tries++)
			if (random_path(
			        paths[np], sizeof paths[np], paths, np) == 0)
				np++;
		/* each path: in the base only, put only, or both (replaced) */
		for (i = 0; i < np; i++) {
			unsigned r = rng() % 4;
			int put = r < 2 || (i == np - 1 && nput == 0);
			int in_base = !put || (replace && r == 1);

			if (in_base) {
				snprintf(
				    text, sizeof text, "old %d %zu", iter, i);
				blob(&base_id[nb], f, text);
				base_p[nb++] = paths[i];
			}
			if (put) {
				snprintf(
				    text, sizeof text, "new %d %zu", iter, i);
				blob(&put_id[nput], f, text);
				puts[nput].path = paths[i];
				puts[nput].oid = &put_id[nput];
				nput++;
				all_p[nall] = paths[i];
				git_oid_cpy(&all_id[nall++], &put_id[nput - 1]);
			} else {
				all_p[nall] = paths[i];
				git_oid_cpy(&all_id[nall++], &base_id[nb - 1]);
			}
		}
		lg_tree(&base, f, base_p, base_id, nb);
		lg_tree(&want, f, all_p, all_id, nall);
		/* an empty base: NULL or the empty tree, both */
		assert_int_equal(irt_case__tree_put(&got, f->repo,
		                     nb == 0 && iter % 4 < 2 ? NULL : &base,
		                     puts, nput, replace),
		    0);
		if (!git_oid_equal(&got, &want)) {
			describe(&why, "base", base_p, nb);
			describe(&why, "result", all_p, nall);
			fail_msg("iteration %d differs from libgit2\n%s", iter,
			    why.ptr);
		}
		irt_buf_release(&why);
	}
	/* nothing put: the base itself */
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, NULL, 0, 0), 0);
	assert_true(git_oid_equal(&got, &base));
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, NULL, NULL, 0, 0), 0);
	assert_true(git_oid_equal(&got, &empty));
}

/* --- refusals ------------------------------------------------------------ */

static void
test_exists_and_replace(void **state)
{
	struct fixture *f = *state;
	const char *p[2] = { "notes/a.md", "top" };
	git_oid ids[2], base, got, want, nb;
	struct irt_tree_put put = { "notes/a.md", &nb };

	blob(&ids[0], f, "a\n");
	blob(&ids[1], f, "top\n");
	blob(&nb, f, "new a\n");
	lg_tree(&base, f, p, ids, 2);

	irt_error_clear();
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, &put, 1, 0), IRT_EEXISTS);
	assert_non_null(
	    strstr(irt_error_last(), "'notes/a.md' already exists"));
	put.path = "top";
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, &put, 1, 0), IRT_EEXISTS);
	/* a folder is there too */
	put.path = "notes";
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, &put, 1, 0), IRT_EEXISTS);

	put.path = "notes/a.md";
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, &put, 1, 1), 0);
	ids[0] = nb;
	lg_tree(&want, f, p, ids, 2);
	assert_true(git_oid_equal(&got, &want));
	assert_blob_at(f, &got, "notes/a.md", &nb);
	assert_blob_at(f, &got, "top", &ids[1]);
}

static void
test_given_twice(void **state)
{
	struct fixture *f = *state;
	git_oid a, b, base, got;
	const char *p[1] = { "d/keep" };
	struct irt_tree_put puts[3] = {
		{ "x", &a },
		{ "x", &b },
		{ NULL, NULL },
	};

	blob(&a, f, "a");
	blob(&b, f, "b");
	lg_tree(&base, f, p, &a, 1);
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, puts, 2, 1), IRT_EINVAL);
	assert_non_null(strstr(irt_error_last(), "'x' given twice"));
	puts[0].path = puts[1].path = "d/new";
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, puts, 2, 1), IRT_EINVAL);
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, NULL, puts, 2, 0), IRT_EINVAL);
	/* the same name as a file and as a folder */
	puts[0].path = "e";
	puts[1].path = "e/f";
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, puts, 2, 1), IRT_EINVAL);
	/* ... with a name between "e" and "e/" in git's order */
	puts[2].path = "e.txt";
	puts[2].oid = &a;
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, puts, 3, 1), IRT_EINVAL);
	puts[0].path = "e/f";
	puts[1].path = "e-1";
	puts[2].path = "e";
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, NULL, puts, 3, 0), IRT_EINVAL);
}

static void
test_nested(void **state)
{
	struct fixture *f = *state;
	const char *bp[4] = { "d/e/f", "d/g", "keep/x/y", "top" };
	const char *ap[8] = { "d/e/f", "d/g", "keep/x/y", "top", "d/e/new",
		"d/new2", "h/i/j", "k" };
	git_oid ids[8], base, got, want, keep_before, keep_after;
	struct irt_tree_put puts[4];
	size_t i;
	char text[32];

	for (i = 0; i < 8; i++) {
		snprintf(text, sizeof text, "blob %zu", i);
		blob(&ids[i], f, text);
	}
	lg_tree(&base, f, bp, ids, 4);
	lg_tree(&want, f, ap, ids, 8);
	for (i = 0; i < 4; i++) {
		puts[i].path = ap[4 + i];
		puts[i].oid = &ids[4 + i];
	}
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, puts, 4, 0), 0);
	assert_true(git_oid_equal(&got, &want));
	for (i = 0; i < 8; i++)
		assert_blob_at(f, &got, ap[i], &ids[i]);
	/* a folder no put goes into is the same tree object */
	subtree_id(&keep_before, f, &base, "keep");
	subtree_id(&keep_after, f, &got, "keep");
	assert_true(git_oid_equal(&keep_before, &keep_after));
	/* into an existing folder that is deeper than the put */
	puts[0].path = "keep/x/z";
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, puts, 1, 0), 0);
	assert_blob_at(f, &got, "keep/x/y", &ids[2]);
	assert_blob_at(f, &got, "keep/x/z", &ids[4]);
	assert_blob_at(f, &got, "top", &ids[3]);
	/* a path that is there deep down */
	puts[0].path = "d/e/f";
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, puts, 1, 0), IRT_EEXISTS);
	assert_non_null(strstr(irt_error_last(), "'d/e/f' already exists"));
}

/* --- malformed base trees ------------------------------------------------ */

struct raw {
	const char *what;
	const char *bytes; /* '#' stands for an object id of 20 bytes */
	size_t len;        /* of bytes */
};

#define RAW(what, s)                                                           \
	{                                                                      \
		what, s, sizeof s - 1                                          \
	}

static const struct raw bad_trees[] = {
	RAW("a truncated entry",
	    "100644 a\0#"
	    "100644 b\0"),
	RAW("an id cut short",
	    "100644 a\0"
	    "0123456789"),
	RAW("no NUL after the name", "100644 a"),
	RAW("a missing space", "100644a\0#"),
	RAW("a bad mode digit", "100648 a\0#"),
	RAW("a letter in the mode", "10064x a\0#"),
	RAW("no mode", " a\0#"),
	RAW("a mode out of range", "1000644 a\0#"),
	RAW("a mode of 17 bits", "377777 a\0#"),
	RAW("unsorted entries", "100644 b\0#100644 a\0#"),
	RAW("a folder before a file in git's order", "40000 a\0#100644 a.b\0#"),
	RAW("a duplicate name", "100644 a\0#100644 a\0#"),
	RAW("a duplicate folder", "40000 d\0#40000 d\0#"),
	RAW("a file and a folder of one name", "100644 a\0#40000 a\0#"),
	RAW("a file and a folder of one name, apart",
	    "100644 a\0#100644 a-b\0#100644 a.b\0#40000 a\0#"),
	RAW("a '/' in a name", "100644 a/b\0#"),
	RAW("an empty name", "100644 \0#"),
	RAW("bytes after the last entry", "100644 a\0#1"),
};

/* Expands '#' into 20 bytes of an id. */
static size_t
expand(unsigned char *out, const struct raw *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->len; i++) {
		if (r->bytes[i] == '#') {
			memset(out + n, 0x11, GIT_OID_RAWSZ);
			n += GIT_OID_RAWSZ;
		} else {
			out[n++] = (unsigned char)r->bytes[i];
		}
	}
	return n;
}

static void
test_malformed_base(void **state)
{
	struct fixture *f = *state;
	unsigned char buf[512];
	struct irt_buf outer = IRT_BUF_INIT;
	git_oid bad, top, got, b;
	struct irt_tree_put put = { "x", &b };
	char hex[GIT_OID_HEXSZ + 1], want[128];
	size_t i, n;

	blob(&b, f, "x");
	for (i = 0; i < sizeof bad_trees / sizeof bad_trees[0]; i++) {
		n = expand(buf, &bad_trees[i]);
		assert_int_equal(
		    git_odb_write(&bad, f->odb, buf, n, GIT_OBJECT_TREE), 0);
		git_oid_tostr(hex, sizeof hex, &bad);
		snprintf(want, sizeof want, "malformed tree %s", hex);
		irt_error_clear();
		put.path = "x";
		if (irt_case__tree_put(&got, f->repo, &bad, &put, 1, 1) !=
		    IRT_EPARSE)
			fail_msg("%s: not refused", bad_trees[i].what);
		assert_string_equal(irt_error_last(), want);
		/* the same tree as a folder below a good one */
		irt_buf_clear(&outer);
		irt_buf_put(&outer, "40000 d\0", 8);
		irt_buf_put(&outer, (const char *)bad.id, GIT_OID_RAWSZ);
		assert_int_equal(git_odb_write(&top, f->odb, outer.ptr,
		                     outer.len, GIT_OBJECT_TREE),
		    0);
		put.path = "d/x";
		if (irt_case__tree_put(&got, f->repo, &top, &put, 1, 1) !=
		    IRT_EPARSE)
			fail_msg("%s below d/: not refused", bad_trees[i].what);
		assert_string_equal(irt_error_last(), want);
		/* a put beside it does not read it */
		put.path = "e";
		assert_int_equal(
		    irt_case__tree_put(&got, f->repo, &top, &put, 1, 1), 0);
	}
	irt_buf_release(&outer);
}

static void
test_base_not_a_tree(void **state)
{
	struct fixture *f = *state;
	git_oid b, got, missing;
	struct irt_tree_put put = { "x", &b };
	char hex[GIT_OID_HEXSZ + 1], want[128];

	blob(&b, f, "100644 a\0aaaaaaaaaaaaaaaaaaaa");
	git_oid_tostr(hex, sizeof hex, &b);
	snprintf(want, sizeof want, "malformed tree %s", hex);
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &b, &put, 1, 0), IRT_EPARSE);
	assert_string_equal(irt_error_last(), want);
	/* an object that is not there */
	memset(&missing, 0x42, sizeof missing);
	assert_true(
	    irt_case__tree_put(&got, f->repo, &missing, &put, 1, 0) < 0);
}

/* A folder whose mode has other bits too still sorts as a folder. */
static void
test_odd_folder_mode(void **state)
{
	struct fixture *f = *state;
	const char *p[1] = { "x" };
	git_oid sub, b, base, got;
	git_tree *t;
	struct irt_tree_put put = { "a.b", &b };
	struct irt_buf raw = IRT_BUF_INIT;

	blob(&b, f, "b");
	lg_tree(&sub, f, p, &b, 1);
	irt_buf_put(&raw, "40755 a\0", 8);
	irt_buf_put(&raw, (const char *)sub.id, GIT_OID_RAWSZ);
	assert_int_equal(
	    git_odb_write(&base, f->odb, raw.ptr, raw.len, GIT_OBJECT_TREE), 0);
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &base, &put, 1, 0), 0);
	assert_int_equal(git_tree_lookup(&t, f->repo, &got), 0);
	assert_int_equal(git_tree_entrycount(t), 2);
	assert_string_equal(
	    git_tree_entry_name(git_tree_entry_byindex(t, 0)), "a.b");
	assert_string_equal(
	    git_tree_entry_name(git_tree_entry_byindex(t, 1)), "a");
	assert_int_equal(
	    git_tree_entry_filemode_raw(git_tree_entry_byindex(t, 1)), 040755);
	git_tree_free(t);
	/* in that order, the base is well formed */
	put.path = "a/y";
	assert_int_equal(
	    irt_case__tree_put(&got, f->repo, &got, &put, 1, 0), 0);
	assert_blob_at(f, &got, "a/x", &b);
	assert_blob_at(f, &got, "a/y", &b);
	assert_blob_at(f, &got, "a.b", &b);
	irt_buf_release(&raw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_same_tree_as_libgit2, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_exists_and_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_given_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_malformed_base, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_base_not_a_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_odd_folder_mode, setup, teardown),
	};

	return UNIT_RUN(tests);
}
