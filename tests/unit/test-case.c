#include <sys/stat.h>

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
	struct irt_case_meta meta = { "INC-1", "Unit case", "Lead", "red",
		"high" };

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

static void
test_init_conf(void **state)
{
	struct fixture *f = *state;
	const struct irt_kv *kv = irt_case_conf(f->c);
	struct irt_case *again;
	struct irt_case_meta meta = { "INC-2", "x", NULL, NULL, NULL };

	assert_string_equal(irt_case_id(f->c), "INC-1");
	assert_string_equal(irt_kv_get(kv, "tlp"), "red");
	assert_string_equal(irt_kv_get(kv, "severity"), "high");
	assert_string_equal(
	    irt_kv_get(kv, "created_by"), "Unit <unit@example.org>");
	assert_int_equal(
	    irt_case_init(&again, f->path, &meta, &f->who), IRT_EEXISTS);
	meta.tlp = "white";
	assert_int_equal(
	    irt_case_init(&again, "/tmp/never", &meta, &f->who), IRT_EINVAL);
	assert_int_equal(irt_case_check_tlp("amber+strict"), 0);
	assert_int_equal(irt_case_check_severity("urgent"), IRT_EINVAL);
}

static void
test_commit_read_list(void **state)
{
	struct fixture *f = *state;
	struct irt_case_file files[2] = {
		{ "dir/a.txt", "alpha\n", 6 },
		{ "dir/b.txt", "beta\n", 5 },
	};
	struct irt_trailer tr[1] = { { "Irt-Action", "unit" } };
	struct irt_buf b = IRT_BUF_INIT;
	char oid[IRT_OID_HEX], head[IRT_OID_HEX], **v, *full;

	assert_int_equal(irt_case_commit(f->c, oid, files, 2, 0, "unit: two",
	                     "body text", tr, 1, &f->who),
	    0);
	assert_int_equal(irt_case_head(f->c, head), 0);
	assert_string_equal(oid, head);
	assert_int_equal(irt_case_read(f->c, &b, "dir/b.txt"), 0);
	assert_string_equal(b.ptr, "beta\n");
	irt_buf_release(&b);
	assert_int_equal(irt_case_read(f->c, &b, "dir/none"), IRT_ENOTFOUND);
	assert_int_equal(irt_case_list(f->c, &v, "dir"), 0);
	assert_string_equal(v[0], "a.txt");
	assert_string_equal(v[1], "b.txt");
	assert_null(v[2]);
	irt_strv_free(v);
	assert_int_equal(irt_case_list(f->c, &v, "nodir"), 0);
	assert_null(v[0]);
	irt_strv_free(v);
	/* existing paths need replace */
	assert_int_equal(irt_case_commit(f->c, NULL, files, 1, 0, "again", NULL,
	                     NULL, 0, &f->who),
	    IRT_EEXISTS);
	/* paths that escape the tree are refused */
	files[0].path = "../evil";
	assert_int_equal(irt_case_commit(f->c, NULL, files, 1, 0, "x", NULL,
	                     NULL, 0, &f->who),
	    IRT_EINVAL);
	files[0].path = ".git/config";
	assert_int_equal(irt_case_commit(f->c, NULL, files, 1, 0, "x", NULL,
	                     NULL, 0, &f->who),
	    IRT_EINVAL);
	assert_int_equal(irt_case_resolve(f->c, &full, "dir", ".txt", "a"), 0);
	assert_string_equal(full, "a");
	free(full);
	assert_int_equal(
	    irt_case_resolve(f->c, &full, "dir", ".txt", "c"), IRT_ENOTFOUND);
}

static void
test_resolve_ambiguous(void **state)
{
	struct fixture *f = *state;
	struct irt_case_file files[3] = {
		{ "n/abc1.md", "x", 1 },
		{ "n/abc2.md", "y", 1 },
		{ "n/abc.md", "z", 1 },
	};
	char *full;

	assert_int_equal(irt_case_commit(f->c, NULL, files, 3, 0, "three", NULL,
	                     NULL, 0, &f->who),
	    0);
	assert_int_equal(irt_case_resolve(f->c, &full, "n", ".md", "abc1"), 0);
	free(full);
	/* an exact id wins over longer ones it prefixes */
	assert_int_equal(irt_case_resolve(f->c, &full, "n", ".md", "abc"), 0);
	assert_string_equal(full, "abc");
	free(full);
	assert_int_equal(
	    irt_case_resolve(f->c, &full, "n", ".md", "ab"), IRT_EAMBIGUOUS);
}

struct count {
	int n;
	char actions[8][32];
};

static int
count_cb(const struct irt_case_logent *e, void *arg)
{
	struct count *c = arg;

	if (c->n < 8)
		snprintf(c->actions[c->n], 32, "%s", e->action);
	c->n++;
	return 0;
}

static void
test_log_and_verify(void **state)
{
	struct fixture *f = *state;
	struct irt_case_file file = { "x/f", "1", 1 };
	struct irt_trailer tr[1] = { { "Irt-Action", "first" } };
	struct irt_case_verify_report r;
	struct count c = { 0 };
	char head[IRT_OID_HEX];

	assert_int_equal(irt_case_commit(f->c, NULL, &file, 1, 0, "one", NULL,
	                     tr, 1, &f->who),
	    0);
	assert_int_equal(irt_case_head(f->c, head), 0);
	file.data = "2";
	tr[0].value = "second";
	assert_int_equal(irt_case_commit(f->c, NULL, &file, 1, 1, "two", NULL,
	                     tr, 1, &f->who),
	    0);
	assert_int_equal(irt_case_log(f->c, NULL, count_cb, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.actions[0], "second");
	assert_string_equal(c.actions[2], "case-init");
	memset(&c, 0, sizeof c);
	assert_int_equal(irt_case_log(f->c, "x/f", count_cb, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(irt_case_verify(f->c, &r, head), 0);
	assert_int_equal(r.nproblems, 0);
	assert_int_equal(r.ncommits, 3);
	irt_case_verify_report_release(&r);
	assert_int_equal(irt_case_verify(f->c, &r, "deadbeef"), 0);
	assert_int_equal(r.nproblems, 1);
	irt_case_verify_report_release(&r);
}

static void
test_discover(void **state)
{
	struct fixture *f = *state;
	char sub[4300], cwd[4200], *found;

	snprintf(sub, sizeof sub, "%s/sub", f->path);
	mkdir(sub, 0755);
	assert_non_null(getcwd(cwd, sizeof cwd));
	unsetenv("IRT_CASE");
	assert_int_equal(chdir(sub), 0);
	assert_int_equal(irt_case_discover(&found, NULL), 0);
	assert_string_equal(found, f->path);
	free(found);
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(irt_case_discover(&found, NULL), IRT_ENOCASE);
	setenv("IRT_CASE", f->path, 1);
	assert_int_equal(irt_case_discover(&found, NULL), 0);
	free(found);
	assert_int_equal(irt_case_discover(&found, f->dir), IRT_ENOCASE);
	unsetenv("IRT_CASE");
	assert_int_equal(chdir(cwd), 0);
}

static void
test_ids_unique(void **state)
{
	char a[32], b[32];
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		assert_int_equal(irt_id_new(a), 0);
		assert_int_equal(irt_id_new(b), 0);
		assert_int_equal(strlen(a), 23);
		assert_string_not_equal(a, b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_init_conf, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_commit_read_list, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_resolve_ambiguous, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discover, setup, teardown),
		cmocka_unit_test(test_ids_unique),
	};

	return UNIT_RUN(tests);
}
