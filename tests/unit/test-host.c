#include "unit.h"

static void
test_parse_format_roundtrip(void **state)
{
	static const char text[] = "id = 20261127T211439Z-3fa9c1\n"
	                           "name = web01\n"
	                           "ip = 10.0.0.5\n"
	                           "ip = 2001:db8::5\n"
	                           "role = web \\x1b[31mserver\n"
	                           "added = 2026-11-27T21:14:39Z\n"
	                           "added-by = Ann <ann@example.org>\n"
	                           "state = compromised\n"
	                           "state.1.time = 2026-11-27T21:14:39Z\n"
	                           "state.1.state = suspected\n"
	                           "state.1.by = Ann <ann@example.org>\n"
	                           "state.1.why = beacons\n"
	                           "state.1.action = host-add\n"
	                           "state.2.time = 2026-11-27T22:00:00Z\n"
	                           "state.2.state = compromised\n";
	struct irt_host h;
	struct irt_buf b = IRT_BUF_INIT;

	(void)state;
	assert_int_equal(irt_host_parse(&h, text, sizeof text - 1, "h"), 0);
	assert_string_equal(h.name, "web01");
	assert_int_equal(h.nips, 2);
	assert_string_equal(h.role, "web \x1b[31mserver");
	assert_int_equal(h.nhistory, 2);
	assert_string_equal(h.history[0].why, "beacons");
	assert_null(h.history[1].why);
	assert_int_equal(irt_host_format(&b, &h), 0);
	assert_string_equal(b.ptr, text);
	irt_host_release(&h);
	irt_buf_release(&b);
}

static void
test_parse_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"id = x\nname = a\nadded = t\n", /* no state */
		"id = x\nname = a\nstate = owned\nadded = t\n",
		"id = x\nname = a\nstate = clean\nadded = t\nip = 1.2.3\n",
		"id = x\nname = a b\nstate = clean\nadded = t\n",
		"id = x\nname = a\nstate = clean\nadded = t\n"
		"state.2.time = t\n", /* a gap in the history */
		"id = x\nname = a\nstate = clean\nadded = t\n"
		"state.1.state = clean\n", /* no time */
		"id = x\nname = a\nstate = clean\nadded = t\n"
		"state.99999999999999999999.time = t\n",
		"id = x\nname = a\nname = b\nstate = clean\nadded = t\n",
		"id = x\nname = \\x00\nstate = clean\nadded = t\n",
		"id = x\nname = a\nstate = clean\nadded = t\nbogus = 1\n",
	};
	struct irt_host h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(
		    irt_host_parse(&h, bad[i], strlen(bad[i]), "h.host"),
		    IRT_EPARSE);
		assert_non_null(strstr(irt_error_last(), "h.host"));
	}
}

static void
test_checks(void **state)
{
	(void)state;
	assert_int_equal(irt_host_check_ip("10.0.0.1"), 0);
	assert_int_equal(irt_host_check_ip("10.0.0.0/8"), 0);
	assert_int_equal(irt_host_check_ip("fe80::1/64"), 0);
	assert_int_equal(irt_host_check_ip("10.0.0.0/33"), IRT_EINVAL);
	assert_int_equal(irt_host_check_ip("10.0.0.0/"), IRT_EINVAL);
	assert_int_equal(irt_host_check_ip("example.org"), IRT_EINVAL);
	assert_int_equal(irt_host_check_name("web01.example.org"), 0);
	assert_int_equal(irt_host_check_name(""), IRT_EINVAL);
	assert_int_equal(irt_host_check_name("a/b"), IRT_EINVAL);
	assert_int_equal(irt_host_check_name("a\tb"), IRT_EINVAL);
	assert_int_equal(irt_host_check_state("eradicated"), 0);
	assert_int_equal(irt_host_check_state("unknown"), IRT_EINVAL);
}

static void
test_add_state(void **state)
{
	struct irt_case_meta meta = { "INC-H", "hosts", NULL, NULL, NULL };
	const char *ips[] = { "10.0.0.5" };
	struct irt_ident who;
	struct irt_case *c;
	struct irt_host *v, h;
	char *dir = unit_tmpdir(), path[4200], id[32];
	size_t n;
	bool changed;

	(void)state;
	snprintf(path, sizeof path, "%s/c", dir);
	assert_int_equal(irt_ident_parse(&who, "U <u@x>"), 0);
	assert_int_equal(irt_case_init(&c, path, &meta, &who), 0);
	assert_int_equal(
	    irt_host_add(c, id, "web01", ips, 1, "web", NULL, NULL, &who), 0);
	assert_int_equal(
	    irt_host_add(c, id, "web01", NULL, 0, NULL, NULL, NULL, &who),
	    IRT_EEXISTS);
	/* nothing to record: no commit */
	assert_int_equal(irt_host_set_state(c, "web01", NULL, NULL, NULL, true,
	                     &who, &changed),
	    0);
	assert_false(changed);
	assert_int_equal(irt_host_set_state(c, "db01", "contained", "iso",
	                     "isolate-apply", true, &who, &changed),
	    0);
	assert_true(changed);
	assert_int_equal(irt_host_set_state(
	                     c, "nope", "clean", "x", NULL, false, &who, NULL),
	    IRT_ENOTFOUND);
	assert_int_equal(irt_host_list(c, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "db01");
	assert_string_equal(v[0].state, "contained");
	assert_string_equal(v[0].history[0].action, "isolate-apply");
	assert_string_equal(v[1].state, "unknown");
	irt_host_list_free(v, n);
	assert_int_equal(irt_host_get(c, &h, "web01"), 0);
	assert_string_equal(h.ips[0], "10.0.0.5");
	irt_host_release(&h);
	irt_case_free(c);
	irt_ident_release(&who);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format_roundtrip),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_add_state),
	};

	return UNIT_RUN(tests);
}
