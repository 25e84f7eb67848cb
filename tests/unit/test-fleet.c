#include "case/records.h"
#include "unit.h"

#include "irt/fleet.h"

static const char good[] =
    "id = 20261201T021502Z-5c01e2\n"
    "action = collect\n"
    "time = 2026-12-01T02:15:02Z\n"
    "inventory = fleet.ini\n"
    "inventory_sha256 = "
    "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589\n"
    "run = 20261201T021400Z-aaaaaa\n"
    "ansible_status = 0\n"
    "hosts = 2\n"
    "host.1.name = web01\n"
    "host.1.outcome = ok\n"
    "host.2.name = web02\n"
    "host.2.outcome = unreachable\n"
    "host.2.reason = Failed to connect\n";

static const char path[] = "fleet/2026/12/01/20261201T021502Z-5c01e2.record";

static void
check_bad(const char *from, const char *to)
{
	struct irt_buf b = IRT_BUF_INIT;
	const char *p = strstr(good, from);

	assert_non_null(p);
	irt_buf_put(&b, good, (size_t)(p - good));
	irt_buf_puts(&b, to);
	irt_buf_puts(&b, p + strlen(from));
	assert_int_equal(irt_fleet_check(path, b.ptr, b.len), IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "fleet/"));
	irt_buf_release(&b);
}

static void
test_check(void **state)
{
	(void)state;
	assert_int_equal(irt_fleet_check(path, good, strlen(good)), 0);
	assert_ptr_equal(irt_record_checker(path), irt_fleet_check);
	check_bad("hosts = 2", "hosts = 3");
	check_bad("hosts = 2", "hosts = many");
	check_bad("host.2.outcome = unreachable", "host.2.outcome = fine");
	check_bad("time = 2026-12-01T02:15:02Z", "time = later");
	check_bad("inventory_sha256 = 88", "inventory_sha256 = zz");
	check_bad("id = 20261201T021502Z-5c01e2", "id = other");
	check_bad("action = collect\n", "");
}

static void
test_record(void **state)
{
	struct irt_case *c;
	struct irt_case_meta meta = { "INC-1", "t", NULL, NULL, NULL };
	struct irt_ident ann = { "Ann", "ann@example.org" };
	struct irt_case_verify_report vr;
	struct irt_fleet_host hosts[2];
	struct irt_fleet_action a;
	struct irt_buf b = IRT_BUF_INIT, p = IRT_BUF_INIT;
	char *dir = unit_tmpdir(), cpath[4200], id[32];

	(void)state;
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	snprintf(cpath, sizeof cpath, "%s/case", dir);
	assert_int_equal(irt_case_init(&c, cpath, &meta, &ann), 0);
	memset(hosts, 0, sizeof hosts);
	hosts[0].name = "web01";
	hosts[0].outcome = "ok";
	hosts[0].evidence = "20261201T021502Z-111111";
	hosts[0].count = 12;
	hosts[0].size = 4096;
	hosts[0].sha256 = "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e"
	                  "161936f031589";
	hosts[0].verified = true;
	hosts[1].name = "web02";
	hosts[1].outcome = "unreachable";
	/* Ansible's reason quotes the host: any byte fits */
	hosts[1].reason = "ssh: \x1b[2J\nrefused";
	memset(&a, 0, sizeof a);
	a.action = "collect";
	a.inventory = "fleet.ini";
	a.inventory_sha256 = hosts[0].sha256;
	a.run = "20261201T021400Z-aaaaaa";
	a.hosts = hosts;
	a.nhosts = 2;
	assert_int_equal(irt_fleet_record(c, id, &a, &ann), 0);
	assert_int_equal(irt_case_shard_path(&p, "fleet", id, ".record"), 0);
	assert_int_equal(irt_case_read(c, &b, p.ptr), 0);
	assert_non_null(strstr(irt_buf_cstr(&b),
	    "host.1.evidence = "
	    "20261201T021502Z-111111\n"));
	assert_non_null(strstr(irt_buf_cstr(&b), "host.1.verified = yes\n"));
	assert_non_null(
	    strstr(irt_buf_cstr(&b), "host.2.outcome = unreachable\n"));
	assert_null(strchr(irt_buf_cstr(&b), '\x1b'));
	/* an action whose folders are named by its id keeps that id */
	a.id = "20261201T021502Z-5c01e2";
	assert_int_equal(irt_fleet_record(c, id, &a, &ann), 0);
	assert_string_equal(id, "20261201T021502Z-5c01e2");
	assert_int_equal(irt_case_verify(c, &vr, NULL), 0);
	assert_int_equal(vr.nproblems, 0);
	irt_case_verify_report_release(&vr);
	irt_buf_release(&b);
	irt_buf_release(&p);
	irt_case_free(c);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_record),
	};

	return UNIT_RUN(tests);
}
