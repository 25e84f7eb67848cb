#include "unit.h"

static void
test_run_records(void **state)
{
	struct irt_case_meta meta = { "INC-R", "runs", NULL, NULL, NULL };
	struct irt_trailer extra[1] = { { "Irt-Step", "s1" } };
	struct irt_run_opts o = { 0 };
	struct irt_run_result r;
	struct irt_ident who;
	struct irt_case *c;
	struct irt_buf b = IRT_BUF_INIT, p = IRT_BUF_INIT;
	struct irt_kv kv = IRT_KV_INIT;
	char *dir = unit_tmpdir(), path[4200], hex[65];
	char *argv[] = { "sh", "-c", "printf out; printf err >&2; exit 4",
		NULL };
	char *missing[] = { "no-such-program-xyz", NULL };

	(void)state;
	snprintf(path, sizeof path, "%s/c", dir);
	assert_int_equal(irt_ident_parse(&who, "U <u@x>"), 0);
	assert_int_equal(irt_case_init(&c, path, &meta, &who), 0);
	o.message = "why";
	o.trailers = extra;
	o.ntrailers = 1;
	assert_int_equal(irt_run(c, &r, argv, &o, &who), 0);
	assert_int_equal(r.exit_code, 4);
	assert_int_equal(irt_case_shard_path(&p, "runs", r.id, "/stdout"), 0);
	assert_int_equal(irt_case_read(c, &b, p.ptr), 0);
	assert_string_equal(b.ptr, "out");
	irt_buf_clear(&b);
	irt_buf_clear(&p);
	assert_int_equal(irt_case_shard_path(&p, "runs", r.id, "/record"), 0);
	assert_int_equal(irt_case_read(c, &b, p.ptr), 0);
	assert_int_equal(irt_kv_parse(&kv, b.ptr, b.len, "record"), 0);
	assert_string_equal(irt_kv_get(&kv, "exit"), "4");
	assert_string_equal(irt_kv_get(&kv, "message"), "why");
	assert_int_equal(irt_sha256_hex(hex, "err", 3), 0);
	assert_string_equal(irt_kv_get(&kv, "stderr_sha256"), hex);
	irt_kv_release(&kv);
	irt_buf_clear(&b);
	assert_int_equal(irt_run(c, &r, missing, NULL, &who), 0);
	assert_int_equal(r.exit_code, 127);
	assert_true(r.spawn.not_found);
	irt_case_free(c);
	irt_ident_release(&who);
	irt_buf_release(&b);
	irt_buf_release(&p);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_records),
	};

	return UNIT_RUN(tests);
}
