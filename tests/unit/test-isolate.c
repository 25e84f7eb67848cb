#include <sched.h>
#include <sys/wait.h>

#include "unit.h"

static int
plan_of(struct irt_isolate_plan **p, const char *const *allow, size_t n,
    const char *const *ports, size_t np, const char *const *dns, size_t nd,
    int no_allow)
{
	struct irt_isolate_opts o;

	memset(&o, 0, sizeof o);
	o.allow = allow;
	o.nallow = n;
	o.ports = ports;
	o.nports = np;
	o.dns = dns;
	o.ndns = nd;
	o.no_allow = no_allow;
	return irt_isolate_plan(p, &o);
}

static void
test_plan_addresses(void **state)
{
	static const char *const allow[] = { "10.0.0.2,10.0.0.2",
		"192.168.7.9/24", "fd00::1", "FD00:0:0::7/64", "127.0.0.1" };
	struct irt_isolate_plan *p;
	char sha[65];

	(void)state;
	assert_int_equal(plan_of(&p, allow, 5, NULL, 0, NULL, 0, 0), 0);
	/* duplicates dropped, host bits masked, IPv6 canonical */
	assert_string_equal(p->allow4[0], "10.0.0.2");
	assert_string_equal(p->allow4[1], "192.168.7.0/24");
	assert_string_equal(p->allow4[2], "127.0.0.1");
	assert_null(p->allow4[3]);
	assert_string_equal(p->allow6[0], "fd00::1");
	assert_string_equal(p->allow6[1], "fd00::/64");
	assert_null(p->allow6[2]);
	assert_non_null(strstr(p->ruleset, "table inet irt_isolate {"));
	assert_non_null(strstr(
	    p->ruleset, "elements = { 10.0.0.2, 192.168.7.0/24, 127.0.0.1 }"));
	assert_non_null(strstr(
	    p->ruleset, "ip saddr @allow4 counter name \"in_allowed\" accept"));
	assert_non_null(strstr(p->ruleset,
	    "ip6 daddr @allow6 counter name \"out_allowed\" accept"));
	assert_null(strstr(p->ruleset, "established"));
	assert_null(strstr(p->ruleset, "flush"));
	/* the three chains drop by default */
	assert_non_null(strstr(p->ruleset,
	    "hook input priority filter - 10; "
	    "policy drop;"));
	assert_non_null(strstr(p->ruleset,
	    "hook output priority filter - 10; "
	    "policy drop;"));
	assert_non_null(strstr(p->ruleset,
	    "hook forward priority filter - "
	    "10; policy drop;"));
	assert_non_null(strstr(p->ruleset, p->id));
	assert_int_equal(
	    irt_sha256_hex(sha, p->ruleset, strlen(p->ruleset)), 0);
	assert_string_equal(sha, p->sha256);
	irt_isolate_plan_free(p);
}

static void
test_plan_ports_dns(void **state)
{
	static const char *const allow[] = { "10.0.0.2" };
	static const char *const ports[] = { "tcp/22", "udp/514", "tcp/22",
		"tcp/443" };
	static const char *const dns[] = { "10.0.0.53", "fd00::53" };
	struct irt_isolate_plan *p;

	(void)state;
	assert_int_equal(plan_of(&p, allow, 1, ports, 4, dns, 2, 0), 0);
	assert_non_null(strstr(
	    p->ruleset, "ip saddr @allow4 tcp dport { 22, 443 } counter"));
	assert_non_null(strstr(
	    p->ruleset, "ip saddr @allow4 tcp sport { 22, 443 } counter"));
	assert_non_null(
	    strstr(p->ruleset, "ip saddr @allow4 udp dport { 514 }"));
	assert_non_null(
	    strstr(p->ruleset, "ip daddr @allow4 tcp dport { 22, 443 }"));
	/* with ports, no rule allows every port of the responders */
	assert_null(strstr(p->ruleset, "@allow4 counter"));
	assert_non_null(strstr(p->ruleset, "ip daddr 10.0.0.53 udp dport 53"));
	assert_non_null(strstr(p->ruleset, "ip saddr 10.0.0.53 tcp sport 53"));
	assert_non_null(strstr(p->ruleset, "ip6 daddr fd00::53 udp dport 53"));
	irt_isolate_plan_free(p);

	/* total isolation: no set, no accept but loopback and ND */
	assert_int_equal(plan_of(&p, NULL, 0, NULL, 0, NULL, 0, 1), 0);
	assert_null(p->allow4);
	assert_null(strstr(p->ruleset, "@allow"));
	irt_isolate_plan_free(p);
}

static void
test_plan_errors(void **state)
{
	static const char *const bad[] = { "10.0.0.300", "10.0.0.1/33",
		"fd00::1/129", "10.0.0.1/", "10.0.0.1/x", "fd00:::1", "",
		"0.0.0.0/0", "host name", "-rf", "a,,b;c", "10.1/8x" };
	static const char *const ok[] = { "10.0.0.1" };
	static const char *const badport[] = { "tcp/0", "tcp/65536", "sctp/1",
		"22", "tcp/", "tcp/2x" };
	static const char *const baddns[] = { "10.0.0.0/24" };
	struct irt_isolate_plan *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (plan_of(&p, &bad[i], 1, NULL, 0, NULL, 0, 0) != IRT_EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		assert_null(p);
	}
	for (i = 0; i < sizeof badport / sizeof badport[0]; i++)
		if (plan_of(&p, ok, 1, &badport[i], 1, NULL, 0, 0) !=
		    IRT_EINVAL)
			fail_msg("port '%s' was accepted", badport[i]);
	assert_int_equal(plan_of(&p, ok, 1, NULL, 0, baddns, 1, 0), IRT_EINVAL);
	assert_int_equal(plan_of(&p, NULL, 0, NULL, 0, NULL, 0, 0), IRT_EINVAL);
	assert_non_null(strstr(irt_error_last(), "--no-allow"));
	assert_int_equal(plan_of(&p, ok, 1, NULL, 0, NULL, 0, 1), IRT_EINVAL);
}

static void
test_check(void **state)
{
	static const char apply[] =
	    "action = apply\nid = 20261127T000000Z-abcdef\n"
	    "time = 2026-11-27T00:00:00Z\ndeadline = 2026-11-27T00:02:00Z\n"
	    "sha256 = "
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	    "\n";
	static const char lift[] = "action = lift\nid = x\n"
	                           "time = 2026-11-27T00:00:00Z\n";

	(void)state;
	assert_int_equal(irt_isolate_check("a", apply, strlen(apply)), 0);
	assert_int_equal(irt_isolate_check("a", lift, strlen(lift)), 0);
	assert_int_equal(irt_isolate_check("a",
	                     "action = apply\nid = x\n"
	                     "time = 2026-11-27\n",
	                     strlen("action = apply\nid = x\n"
	                            "time = 2026-11-27\n")),
	    IRT_EPARSE);
	assert_int_equal(irt_isolate_check("a",
	                     "action = dance\nid = x\n"
	                     "time = 2026-11-27\n",
	                     strlen("action = dance\nid = x\n"
	                            "time = 2026-11-27\n")),
	    IRT_EPARSE);
	assert_int_equal(irt_isolate_check(
	                     "a", "action = lift\n", strlen("action = lift\n")),
	    IRT_EPARSE);
}

static void
test_verify_targets(void **state)
{
	struct irt_isolate_probe pr[1];
	struct irt_ident who = { NULL, NULL };
	size_t failed;
	static const char *const bad[] = { "10.0.0.1", "10.0.0.1:0",
		"10.0.0.1:70000", "fd00::1:80", "[fd00::1]80", "name:80",
		":80" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(pr, 0, sizeof pr);
		pr[0].target = bad[i];
		if (irt_isolate_verify(NULL, pr, 1, 1, &failed, &who) !=
		    IRT_EINVAL)
			fail_msg("target '%s' was accepted", bad[i]);
	}
}

/*
 * Apply, status, confirm and lift in a private network namespace: only
 * as root (CI), in a child so the test's own namespace is not touched.
 */
static void
test_apply_in_netns(void **state)
{
	static const char *const allow[] = { "10.0.0.2,fd00::2" };
	char *dir;
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	dir = unit_tmpdir();
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct irt_isolate_plan *p;
		struct irt_isolate_status st;
		struct irt_ident who = { (char *)"unit", (char *)"u@t" };
		int identical;

		if (unshare(CLONE_NEWNET) != 0)
			_exit(77);
		setenv("IRT_RUNDIR", dir, 1);
		if (plan_of(&p, allow, 1, NULL, 0, NULL, 0, 0) != 0)
			_exit(10);
		if (irt_isolate_apply(NULL, &st, p, 60, &who) != 0)
			_exit(11);
		if (!st.present || st.watchdog <= 0 || !st.watchdog_alive)
			_exit(12);
		irt_isolate_status_release(&st);
		/* a second apply is refused */
		if (irt_isolate_apply(NULL, &st, p, 60, &who) != IRT_EEXISTS)
			_exit(13);
		if (irt_isolate_get_status(&st) != 0 || !st.present ||
		    !st.managed || st.confirmed || st.ncounters != 5 ||
		    strcmp(st.sha256, p->sha256) != 0)
			_exit(14);
		irt_isolate_status_release(&st);
		if (irt_isolate_confirm(NULL, &st, &who) != 0 || !st.confirmed)
			_exit(15);
		irt_isolate_status_release(&st);
		if (irt_isolate_lift(NULL, &st, &identical, &who) != 0 ||
		    identical != 1)
			_exit(16);
		irt_isolate_status_release(&st);
		if (irt_isolate_get_status(&st) != 0 || st.present ||
		    st.managed)
			_exit(17);
		if (irt_isolate_lift(NULL, &st, &identical, &who) !=
		    IRT_ENOTFOUND)
			_exit(18);
		irt_isolate_plan_free(p);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		unit_rmtree(dir);
		skip();
		return;
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_addresses),
		cmocka_unit_test(test_plan_ports_dns),
		cmocka_unit_test(test_plan_errors),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_verify_targets),
		cmocka_unit_test(test_apply_in_netns),
	};

	return UNIT_RUN(tests);
}
