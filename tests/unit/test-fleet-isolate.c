#include "case/records.h"
#include "unit.h"

#include "irt/fleet-isolate.h"

static const char good[] = "host = web01\n"
                           "state = applied\n"
                           "isolation = 20261201T021502Z-5c01e2\n"
                           "allow = 192.0.2.7,10.0.0.1\n"
                           "deadline = 2026-12-01T02:25:02Z\n"
                           "fleet = 20261201T021500Z-aaaaaa\n"
                           "time = 2026-12-01T02:15:02.000000001Z\n";

static const char path[] = "fleet-isolation/web01.state";

static void
check_bad(const char *p, const char *from, const char *to)
{
	struct irt_buf b = IRT_BUF_INIT;
	const char *at = strstr(good, from);

	assert_non_null(at);
	irt_buf_put(&b, good, (size_t)(at - good));
	irt_buf_puts(&b, to);
	irt_buf_puts(&b, at + strlen(from));
	assert_int_equal(
	    irt_fleet_isolation_check(p, b.ptr, b.len), IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "fleet-isolation/"));
	irt_buf_release(&b);
}

static void
test_check(void **state)
{
	(void)state;
	assert_int_equal(
	    irt_fleet_isolation_check(path, good, strlen(good)), 0);
	assert_ptr_equal(irt_record_checker(path), irt_fleet_isolation_check);
	check_bad(path, "state = applied", "state = half-open");
	check_bad(path, "host = web01", "host = web02");
	check_bad(path, "host = web01", "host = ../web01");
	check_bad(path, "deadline = 2026", "deadline = soon");
	check_bad(path, "time = 2026", "time = x2026");
	check_bad(path, "fleet = 20261201T021500Z-aaaaaa\n", "");
	check_bad("fleet-isolation/web01.txt", "", "");
	assert_int_equal(
	    irt_fleet_isolation_check(path, "\x01\xff", 2), IRT_EPARSE);
	assert_true(irt_fleet_isolation_active("applied"));
	assert_true(irt_fleet_isolation_active("confirmed"));
	assert_true(irt_fleet_isolation_active("rolled-back"));
	assert_false(irt_fleet_isolation_active("lifted"));
	assert_false(irt_fleet_isolation_active("other"));
	assert_false(irt_fleet_isolation_active(NULL));
}

static void
test_record(void **state)
{
	struct irt_case *c;
	struct irt_case_meta meta = { "INC-1", "t", NULL, NULL, NULL };
	struct irt_ident ann = { "Ann", "ann@example.org" };
	struct irt_case_verify_report vr;
	struct irt_fleet_isolate_host h[3];
	struct irt_fleet_isolation *st;
	struct irt_fleet_action a;
	struct irt_buf b = IRT_BUF_INIT, p = IRT_BUF_INIT;
	char *dir = unit_tmpdir(), cpath[4200], id[32];
	size_t n;

	(void)state;
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	snprintf(cpath, sizeof cpath, "%s/case", dir);
	assert_int_equal(irt_case_init(&c, cpath, &meta, &ann), 0);
	assert_int_equal(irt_fleet_isolation_list(&st, &n, c), 0);
	assert_int_equal(n, 0);
	irt_fleet_isolation_list_free(st, n);
	memset(h, 0, sizeof h);
	h[0].name = "web02";
	h[0].outcome = "applied";
	h[0].isolation = "20261201T021502Z-5c01e2";
	h[0].allow = "10.0.0.1";
	h[0].deadline = (irt_ns)1796091902 * 1000000000;
	h[0].state = "applied";
	h[1].name = "web01";
	h[1].outcome = "applied";
	h[1].state = "applied";
	h[2].name = "web03";
	h[2].outcome = "unreachable";
	h[2].reason = "ssh: \x1b[2J\nrefused";
	memset(&a, 0, sizeof a);
	a.action = "isolate";
	a.inventory = "fleet.ini";
	a.inventory_sha256 = "88d4266fd4e6338d13b845fcf289579d209c897823b9217"
	                     "da3e161936f031589";
	a.run = "20261201T021400Z-aaaaaa";
	assert_int_equal(irt_fleet_isolate_record(c, id, &a, h, 3, &ann), 0);
	assert_int_equal(irt_case_shard_path(&p, "fleet", id, ".record"), 0);
	assert_int_equal(irt_case_read(c, &b, p.ptr), 0);
	assert_non_null(strstr(
	    irt_buf_cstr(&b), "host.1.deadline = 2026-12-01T02:25:02Z\n"));
	assert_non_null(
	    strstr(irt_buf_cstr(&b), "host.3.outcome = unreachable\n"));
	assert_null(strchr(irt_buf_cstr(&b), '\x1b'));
	/* a state for each host that has one, sorted; none for web03 */
	assert_int_equal(irt_fleet_isolation_list(&st, &n, c), 0);
	assert_int_equal(n, 2);
	assert_string_equal(st[0].host, "web01");
	assert_string_equal(st[1].host, "web02");
	assert_string_equal(st[1].state, "applied");
	assert_string_equal(st[1].fleet, id);
	assert_string_equal(st[1].allow, "10.0.0.1");
	assert_true(st[1].deadline == h[0].deadline);
	irt_fleet_isolation_list_free(st, n);
	/* the next action replaces the state */
	a.action = "isolate-lift";
	h[0].outcome = "lifted";
	h[0].state = "lifted";
	h[0].deadline = 0;
	assert_int_equal(irt_fleet_isolate_record(c, id, &a, h, 1, &ann), 0);
	assert_int_equal(irt_fleet_isolation_list(&st, &n, c), 0);
	assert_int_equal(n, 2);
	assert_string_equal(st[1].state, "lifted");
	assert_true(st[1].deadline == 0);
	irt_fleet_isolation_list_free(st, n);
	/* a host name that cannot be a file name is refused */
	h[0].name = "../x";
	assert_int_equal(
	    irt_fleet_isolate_record(c, id, &a, h, 1, &ann), IRT_EINVAL);
	assert_int_equal(irt_case_verify(c, &vr, NULL), 0);
	assert_int_equal(vr.nproblems, 0);
	irt_case_verify_report_release(&vr);
	irt_buf_release(&b);
	irt_buf_release(&p);
	irt_case_free(c);
	unit_rmtree(dir);
}

/* What a host printed for irt isolate status: checked field by field. */
static void
test_status(void **state)
{
	struct irt_fleet_isolate_status s;

	(void)state;
	irt_fleet_isolate_status_parse(&s,
	    "{\"isolated\":true,\"table\":true,\"managed\":true,"
	    "\"confirmed\":false,\"rolled_back\":false,"
	    "\"id\":\"20261201T070751Z-345a1f\","
	    "\"deadline\":\"2026-12-01T07:20:00Z\",\"allow\":\"10.0.0.1\"}\n");
	assert_true(s.valid);
	assert_string_equal(s.id, "20261201T070751Z-345a1f");
	assert_string_equal(s.allow, "10.0.0.1");
	assert_true(s.deadline > 0);
	assert_string_equal(irt_fleet_isolate_status_state(&s), "applied");
	irt_fleet_isolate_status_release(&s);

	/* an id that is not a word, a deadline that is not a time, "true"
	 * as a string: left out */
	irt_fleet_isolate_status_parse(&s,
	    "{\"isolated\":\"true\",\"managed\":true,\"id\":\"../x\\u001b\","
	    "\"deadline\":\"soon\"}");
	assert_true(s.valid);
	assert_string_equal(s.id, "");
	assert_int_equal(s.deadline, 0);
	assert_null(irt_fleet_isolate_status_state(&s));
	irt_fleet_isolate_status_release(&s);

	/* nothing there: lifted; a problem: no state */
	irt_fleet_isolate_status_parse(&s, "{}");
	assert_string_equal(irt_fleet_isolate_status_state(&s), "lifted");
	irt_fleet_isolate_status_release(&s);
	irt_fleet_isolate_status_parse(&s, "{\"problem\":\"table edited\"}");
	assert_null(irt_fleet_isolate_status_state(&s));
	irt_fleet_isolate_status_release(&s);

	/* not an object, trailing garbage, nothing */
	irt_fleet_isolate_status_parse(&s, "[true]");
	assert_false(s.valid);
	irt_fleet_isolate_status_parse(&s, "{} x");
	assert_false(s.valid);
	irt_fleet_isolate_status_parse(&s, NULL);
	assert_false(s.valid);
	assert_null(irt_fleet_isolate_status_state(&s));
	irt_fleet_isolate_status_release(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_status),
	};

	return UNIT_RUN(tests);
}
