/*
 * Folders of records sharded by day, in both layouts; irt case upgrade;
 * the shape of a case's trees; commits that refuse to write through a
 * link, undo what they wrote when they fail, and tell the truth when a
 * step after the branch moved fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <git2.h>

#include "unit.h"

struct fixture {
	char *dir;
	char path[4200];
	struct irt_case *c;
	struct irt_ident who;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct irt_case_meta meta = { "INC-1", "Records", NULL, NULL, NULL };

	assert_non_null(f);
	f->dir = unit_tmpdir();
	snprintf(f->path, sizeof f->path, "%s/case", f->dir);
	assert_int_equal(
	    irt_ident_parse(&f->who, "Unit <unit@example.org>"), 0);
	assert_int_equal(irt_case_init(&f->c, f->path, &meta, &f->who), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	irt_case_free(f->c);
	irt_ident_release(&f->who);
	unit_rmtree(f->dir);
	free(f);
	return 0;
}

/* Runs a shell command in the case; asserts it succeeds. */
static void
sh(struct fixture *f, const char *cmd)
{
	char line[8400];

	snprintf(line, sizeof line,
	    "cd '%s' && GIT_AUTHOR_NAME=g GIT_AUTHOR_EMAIL=g@x "
	    "GIT_COMMITTER_NAME=g GIT_COMMITTER_EMAIL=g@x %s",
	    f->path, cmd);
	assert_int_equal(system(line), 0);
}

static void
commit(struct fixture *f, const char *path, const char *data)
{
	struct irt_case_file file = { path, data, strlen(data) };

	assert_int_equal(irt_case_commit(f->c, NULL, &file, 1, 0, "unit", NULL,
	                     NULL, 0, &f->who),
	    0);
}

static char *
note_text(const char *id)
{
	char *s;

	assert_true(asprintf(&s,
	                "Id: %s\nAuthor: U <u@x>\nDate: 2026-01-01T00:00:00Z"
	                "\n\ntext of %s\n",
	                id, id) > 0);
	return s;
}

static void
test_shard_path(void **state)
{
	struct irt_buf b = IRT_BUF_INIT;

	(void)state;
	assert_int_equal(
	    irt_case_shard_path(&b, "notes", "20261127T211439Z-3fa9c1", ".md"),
	    0);
	assert_string_equal(
	    b.ptr, "notes/2026/11/27/20261127T211439Z-3fa9c1.md");
	irt_buf_clear(&b);
	assert_int_equal(
	    irt_case_shard_path(&b, "runs", "20260102T000000Z-a", "/record"),
	    0);
	assert_string_equal(b.ptr, "runs/2026/01/02/20260102T000000Z-a/record");
	irt_buf_clear(&b);
	/* no date, a month or a day out of range, a separator: refused */
	assert_int_equal(
	    irt_case_shard_path(&b, "notes", "abc", ".md"), IRT_EINVAL);
	assert_int_equal(
	    irt_case_shard_path(&b, "notes", "20261327T000000Z-x", ".md"),
	    IRT_EINVAL);
	assert_int_equal(
	    irt_case_shard_path(&b, "notes", "20261100T000000Z-x", ".md"),
	    IRT_EINVAL);
	assert_int_equal(
	    irt_case_shard_path(&b, "notes", "20261101T00/../../x", ".md"),
	    IRT_EINVAL);
	assert_int_equal(
	    irt_case_shard_path(&b, "notes", "20261101T\033[2J", ".md"),
	    IRT_EINVAL);
	assert_null(strchr(irt_error_last(), '\033'));
	irt_buf_release(&b);
}

struct seen {
	char ids[8][40];
	char paths[8][80];
	int n;
};

static int
seen_cb(const struct irt_case_record *r, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->ids[s->n], sizeof s->ids[0], "%s", r->id);
		snprintf(s->paths[s->n], sizeof s->paths[0], "%s", r->path);
	}
	s->n++;
	return 0;
}

static void
test_both_layouts_in_id_order(void **state)
{
	struct fixture *f = *state;
	struct seen s = { .n = 0 };
	char **ids, *id, *path, *w;

	/* flat (made before format 2), sharded, and odd entries */
	commit(f, "notes/20260103T000000Z-cc.md", "c");
	commit(f, "notes/2026/01/01/20260101T000000Z-aa.md", "a");
	commit(f, "notes/2026/01/02/20260102T000000Z-bb.md", "b");
	commit(f, "notes/2026/01/02/20260105T000000Z-ee.md", "in another day");
	commit(f, "notes/2026/13/01/20261301T000000Z-zz.md", "no such month");
	commit(f, "notes/README.txt", "not a note");
	assert_int_equal(
	    irt_case_foreach_record(f->c, "notes", ".md", seen_cb, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.ids[0], "20260101T000000Z-aa");
	assert_string_equal(
	    s.paths[0], "notes/2026/01/01/20260101T000000Z-aa.md");
	assert_string_equal(s.ids[1], "20260102T000000Z-bb");
	assert_string_equal(s.ids[2], "20260103T000000Z-cc");
	assert_string_equal(s.paths[2], "notes/20260103T000000Z-cc.md");
	/* what was skipped is said, once each */
	w = irt_case_take_warnings(f->c);
	assert_non_null(w);
	assert_non_null(strstr(w,
	    "'notes/2026/01/02/20260105T000000Z-ee.md': "
	    "is not in the folder of its day"));
	assert_non_null(strstr(w, "'notes/2026/13'"));
	assert_non_null(strstr(w, "'notes/README.txt'"));
	free(w);
	assert_null(irt_case_take_warnings(f->c));

	assert_int_equal(irt_case_record_ids(f->c, &ids, "notes", ".md"), 0);
	assert_string_equal(ids[0], "20260101T000000Z-aa");
	assert_string_equal(ids[2], "20260103T000000Z-cc");
	assert_null(ids[3]);
	irt_strv_free(ids);

	/* a whole id, sharded or flat, and a unique prefix */
	assert_int_equal(irt_case_record_find(f->c, &id, &path, "notes", ".md",
	                     "20260103T000000Z-cc"),
	    0);
	assert_string_equal(path, "notes/20260103T000000Z-cc.md");
	free(id);
	free(path);
	assert_int_equal(
	    irt_case_record_find(f->c, &id, &path, "notes", ".md", "20260102"),
	    0);
	assert_string_equal(id, "20260102T000000Z-bb");
	assert_string_equal(path, "notes/2026/01/02/20260102T000000Z-bb.md");
	free(id);
	free(path);
	assert_int_equal(
	    irt_case_record_find(f->c, &id, NULL, "notes", ".md", "2026010"),
	    IRT_EAMBIGUOUS);
	assert_int_equal(
	    irt_case_record_find(f->c, &id, NULL, "notes", ".md", "2027"),
	    IRT_ENOTFOUND);
	/* the misplaced record is not found by its id either */
	assert_int_equal(irt_case_record_find(f->c, &id, NULL, "notes", ".md",
	                     "20260105T000000Z-ee"),
	    IRT_ENOTFOUND);
	free(irt_case_take_warnings(f->c));
}

/* A case as an irt before format 2 left it: records flat, format 1. */
static void
make_flat_case(struct fixture *f)
{
	static const char run[] =
	    "id = 20260101T000000Z-r1\nargv = true\n"
	    "start = 2026-01-01T00:00:00Z\nend = 2026-01-01T00:00:00Z\n"
	    "result = exited\nexit = 0\nstdout_sha256 = x\n"
	    "stderr_sha256 = y\n";
	char *a = note_text("20260101T000000Z-aa");
	char *b = note_text("20260102T000000Z-bb");
	char *o = note_text("old-style");
	struct irt_case_file files[] = {
		{ "notes/20260101T000000Z-aa.md", a, strlen(a) },
		{ "notes/20260102T000000Z-bb.md", b, strlen(b) },
		{ "notes/old-style.md", o, strlen(o) },
		{ "runs/20260101T000000Z-r1/stdout", "out", 3 },
		{ "runs/20260101T000000Z-r1/stderr", "", 0 },
		{ "runs/20260101T000000Z-r1/record", run, sizeof run - 1 },
	};

	assert_int_equal(irt_case_commit(f->c, NULL, files, 6, 0, "flat", NULL,
	                     NULL, 0, &f->who),
	    0);
	sh(f,
	    "sed -i 's/^format = .*/format = 1/' case.conf && "
	    "git commit -qam 'format 1'");
	free(a);
	free(b);
	free(o);
}

struct versions {
	int n, removed;
	char last[256];
};

static int
version_cb(
    const struct irt_case_logent *e, const char *data, size_t len, void *arg)
{
	struct versions *v = arg;

	(void)e;
	if (data == NULL)
		v->removed++;
	else if (v->n++ == 0)
		snprintf(v->last, sizeof v->last, "%.*s", (int)len, data);
	return 0;
}

static void
test_upgrade(void **state)
{
	struct fixture *f = *state;
	struct irt_case_verify_report r;
	struct irt_buf b = IRT_BUF_INIT;
	struct versions v = { 0, 0, "" };
	char oid[IRT_OID_HEX], head[IRT_OID_HEX], *w;
	size_t moved;
	struct stat st;
	struct irt_note n;

	make_flat_case(f);
	/* read before the upgrade */
	assert_int_equal(irt_note_get(f->c, &n, "20260102"), 0);
	assert_string_equal(n.id, "20260102T000000Z-bb");
	irt_note_release(&n);
	/* an edit of a flat note stays where it is */
	assert_int_equal(
	    irt_note_edit(f->c, "20260102T000000Z-bb", "edited", 6, &f->who),
	    0);
	assert_int_equal(
	    irt_case_read(f->c, &b, "notes/20260102T000000Z-bb.md"), 0);
	irt_buf_clear(&b);

	assert_int_equal(irt_case_upgrade(f->c, &moved, oid, &f->who), 0);
	assert_int_equal(moved, 3); /* two notes, one run */
	assert_int_equal(irt_case_head(f->c, head), 0);
	assert_string_equal(oid, head);
	/* the id without a date stays, and that is said */
	w = irt_case_take_warnings(f->c);
	assert_non_null(w);
	assert_non_null(strstr(w, "'notes/old-style.md'"));
	free(w);
	assert_int_equal(
	    irt_case_read(f->c, &b, "notes/2026/01/02/20260102T000000Z-bb.md"),
	    0);
	irt_buf_clear(&b);
	assert_int_equal(irt_case_read(f->c, &b,
	                     "runs/2026/01/01/20260101T000000Z-r1/stdout"),
	    0);
	assert_string_equal(b.ptr, "out");
	irt_buf_clear(&b);
	assert_int_equal(
	    irt_case_read(f->c, &b, "notes/20260102T000000Z-bb.md"),
	    IRT_ENOTFOUND);
	assert_string_equal(irt_kv_get(irt_case_conf(f->c), "format"), "2");
	/* the work tree followed: moved, not copied */
	{
		char p[4400];

		snprintf(p, sizeof p,
		    "%s/notes/2026/01/01/20260101T000000Z-aa.md", f->path);
		assert_int_equal(stat(p, &st), 0);
		snprintf(
		    p, sizeof p, "%s/notes/20260101T000000Z-aa.md", f->path);
		assert_int_not_equal(stat(p, &st), 0);
		snprintf(p, sizeof p, "%s/runs/20260101T000000Z-r1", f->path);
		assert_int_not_equal(stat(p, &st), 0);
	}
	sh(f,
	    "test -z \"$(git status --porcelain)\" && "
	    "git log -1 --format=%B | grep -qx 'Irt-Action: case-upgrade' && "
	    "git show --stat HEAD | grep -q 'notes/{ => 2026/01/02}/"
	    "20260102T000000Z-bb.md' && ! test -s .git/irt-pending");
	assert_int_equal(irt_case_verify(f->c, &r, NULL), 0);
	assert_int_equal(r.nproblems, 0);
	irt_case_verify_report_release(&r);

	/* the history of a note follows it through the move */
	assert_int_equal(irt_case_record_log(f->c, "notes",
	                     "20260102T000000Z-bb", ".md", version_cb, &v),
	    0);
	assert_int_equal(v.n, 2); /* added, edited; not moved */
	assert_int_equal(v.removed, 0);
	assert_non_null(strstr(v.last, "edited"));

	/* once is enough */
	assert_int_equal(irt_case_upgrade(f->c, &moved, oid, &f->who), 0);
	assert_int_equal(moved, 0);
	assert_int_equal(irt_case_head(f->c, oid), 0);
	assert_string_equal(oid, head);
	free(irt_case_take_warnings(f->c));
	irt_buf_release(&b);
}

static void
test_upgrade_leaves_a_conflict(void **state)
{
	struct fixture *f = *state;
	char oid[IRT_OID_HEX], *w;
	size_t moved;

	make_flat_case(f);
	/* both layouts hold the note, with different contents */
	commit(f, "notes/2026/01/01/20260101T000000Z-aa.md", "other");
	assert_int_equal(irt_case_upgrade(f->c, &moved, oid, &f->who), 0);
	assert_int_equal(moved, 2);
	w = irt_case_take_warnings(f->c);
	assert_non_null(strstr(w,
	    "left 'notes/20260101T000000Z-aa.md' where it is: "
	    "'notes/2026/01/01/20260101T000000Z-aa.md' holds other contents"));
	free(w);
}

static int
shape_problem(const struct irt_case_verify_report *r, const char *what)
{
	size_t i;

	for (i = 0; i < r->nproblems; i++)
		if (strstr(r->problems[i], what) != NULL)
			return 1;
	return 0;
}

static void
test_verify_shape(void **state)
{
	struct fixture *f = *state;
	struct irt_case_verify_report r;

	/* plain git can commit what irt never writes */
	sh(f,
	    "mkdir -p notes/2026/01/01 && ln -s /tmp notes/2026/01/01/l && "
	    "git add notes && git commit -qm link && "
	    "git rm -q notes/2026/01/01/l && git commit -qm unlink");
	assert_int_equal(irt_case_verify(f->c, &r, NULL), 0);
	/* gone from HEAD, still in the history: said */
	assert_true(
	    shape_problem(&r, "'notes/2026/01/01/l' is a symbolic link"));
	irt_case_verify_report_release(&r);

	sh(f,
	    "git reset -q --hard HEAD~2 && printf x >runs && "
	    "git add runs && git commit -qm 'a file where a folder goes'");
	assert_int_equal(irt_case_verify(f->c, &r, NULL), 0);
	assert_true(
	    shape_problem(&r, "'runs' is a file where irt keeps a folder"));
	irt_case_verify_report_release(&r);

	sh(f,
	    "git reset -q --hard HEAD~1 && git update-index --add "
	    "--cacheinfo 160000,0123456789012345678901234567890123456789,sub "
	    "&& git commit -qm submodule");
	assert_int_equal(irt_case_verify(f->c, &r, NULL), 0);
	assert_true(shape_problem(&r, "'sub' is a submodule"));
	irt_case_verify_report_release(&r);
}

static void
test_no_write_through_links(void **state)
{
	struct fixture *f = *state;
	struct irt_case_file file = { "notes/2026/01/01/x.md", "x", 1 };
	char outside[4300], head[IRT_OID_HEX], again[IRT_OID_HEX], *dir;
	struct stat st;

	snprintf(outside, sizeof outside, "%s/outside", f->dir);
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(irt_case_head(f->c, head), 0);
	/* a folder of the work tree turned into a link */
	sh(f,
	    "mkdir -p notes/2026/01 && ln -s ../../../outside "
	    "notes/2026/01/01");
	assert_int_equal(irt_case_commit(f->c, NULL, &file, 1, 0, "x", NULL,
	                     NULL, 0, &f->who),
	    IRT_EPERM);
	assert_non_null(strstr(irt_error_last(), "is a symbolic link"));
	assert_int_equal(irt_case_head(f->c, again), 0);
	assert_string_equal(head, again);
	snprintf(outside + strlen(outside), sizeof outside - strlen(outside),
	    "/x.md");
	assert_int_not_equal(lstat(outside, &st), 0);

	/* the evidence folder too */
	sh(f, "ln -s ../outside evidence");
	assert_int_equal(irt_case_evidence_dir(&dir, f->c), IRT_EPERM);
	assert_null(dir);
	assert_non_null(strstr(irt_error_last(), "evidence' is a symbolic"));
	sh(f, "rm evidence");
	assert_int_equal(irt_case_evidence_dir(&dir, f->c), 0);
	assert_int_equal(lstat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	free(dir);
}

static void
test_failed_commit_rolls_back(void **state)
{
	struct fixture *f = *state;
	struct irt_case_file files[2] = {
		{ "a/one.md", "one", 3 },
		{ "b/two.md", "two", 3 },
	};
	char head[IRT_OID_HEX], again[IRT_OID_HEX], p[4400];
	struct stat st;

	assert_int_equal(irt_case_head(f->c, head), 0);
	/* the second file cannot be written: a folder is in its way */
	sh(f, "mkdir -p b/two.md/inside && touch b/two.md/inside/f");
	assert_int_not_equal(irt_case_commit(f->c, NULL, files, 2, 0, "two",
	                         NULL, NULL, 0, &f->who),
	    0);
	assert_int_equal(irt_case_head(f->c, again), 0);
	assert_string_equal(head, again);
	/* the first one is gone again, and nothing is pending */
	snprintf(p, sizeof p, "%s/a/one.md", f->path);
	assert_int_not_equal(lstat(p, &st), 0);
	snprintf(p, sizeof p, "%s/.git/irt-pending", f->path);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_null(irt_case_take_warnings(f->c));
}

static void
test_index_failure_after_the_commit(void **state)
{
	struct fixture *f = *state;
	struct irt_case_file file = { "dir/x.txt", "x", 1 };
	struct irt_case_verify_report r;
	char head[IRT_OID_HEX], oid[IRT_OID_HEX], p[4400], *w;
	struct stat st;

	/* the index cannot be locked once the branch has moved */
	snprintf(p, sizeof p, "%s/.git/index.lock", f->path);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(irt_case_commit(f->c, oid, &file, 1, 0, "x", NULL,
	                     NULL, 0, &f->who),
	    0);
	assert_int_equal(irt_case_head(f->c, head), 0);
	assert_string_equal(oid, head);
	w = irt_case_take_warnings(f->c);
	assert_non_null(w);
	assert_non_null(strstr(w, "landed, but the index was not updated"));
	free(w);
	/* the record is there; the index update is pending, not a problem */
	assert_int_equal(irt_case_verify(f->c, &r, NULL), 0);
	assert_int_equal(r.nproblems, 0);
	irt_case_verify_report_release(&r);
	assert_int_equal(rmdir(p), 0);
	/* the next commit finishes it */
	file.path = "dir/y.txt";
	assert_int_equal(irt_case_commit(f->c, NULL, &file, 1, 0, "y", NULL,
	                     NULL, 0, &f->who),
	    0);
	sh(f,
	    "test -z \"$(git status --porcelain)\" && git log -1 "
	    "--format=%B | grep -q 'Irt-Recovered: finished an interrupted'");
	snprintf(p, sizeof p, "%s/.git/irt-pending", f->path);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shard_path),
		cmocka_unit_test_setup_teardown(
		    test_both_layouts_in_id_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_upgrade_leaves_a_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_verify_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_no_write_through_links, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_failed_commit_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_index_failure_after_the_commit, setup, teardown),
	};

	return UNIT_RUN(tests);
}
