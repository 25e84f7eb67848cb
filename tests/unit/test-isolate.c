#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
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
	/* the three chains drop while the set "armed" holds the family,
	 * which apply fills with a timeout: nothing drops by policy */
	assert_non_null(strstr(p->ruleset,
	    "\tset armed {\n\t\ttype nf_proto\n\t\tflags timeout\n\t}\n"));
	assert_non_null(strstr(
	    p->ruleset, "hook input priority filter - 10; policy accept;"));
	assert_non_null(strstr(
	    p->ruleset, "hook output priority filter - 10; policy accept;"));
	assert_non_null(strstr(
	    p->ruleset, "hook forward priority filter - 10; policy accept;"));
	assert_non_null(strstr(p->ruleset,
	    "meta nfproto @armed counter name \"in_dropped\" drop\n\t}\n"
	    "\tchain output"));
	assert_non_null(strstr(p->ruleset,
	    "meta nfproto @armed counter name \"out_dropped\" drop\n\t}\n"
	    "\tchain forward"));
	assert_non_null(strstr(p->ruleset,
	    "meta nfproto @armed counter name \"fwd_dropped\" drop\n\t}\n"
	    "}\n"));
	assert_null(strstr(p->ruleset, "policy drop"));
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
	/* from a service's port, only the answers of a connection */
	assert_non_null(strstr(p->ruleset,
	    "ip saddr @allow4 tcp sport { 22, 443 } ct state established "
	    "counter"));
	assert_non_null(strstr(p->ruleset,
	    "ip daddr @allow4 tcp sport { 22, 443 } ct state established "
	    "counter"));
	assert_non_null(
	    strstr(p->ruleset, "ip saddr @allow4 udp dport { 514 }"));
	assert_non_null(
	    strstr(p->ruleset, "ip daddr @allow4 tcp dport { 22, 443 }"));
	/* with ports, no rule allows every port of the responders */
	assert_null(strstr(p->ruleset, "@allow4 counter"));
	assert_non_null(strstr(p->ruleset, "ip daddr 10.0.0.53 udp dport 53"));
	assert_non_null(strstr(p->ruleset,
	    "ip saddr 10.0.0.53 tcp sport 53 ct state established counter"));
	assert_non_null(strstr(p->ruleset,
	    "ip6 saddr fd00::53 udp sport 53 ct state established counter"));
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
 * The isolation tests run as root (CI) in a child in a private network
 * namespace (and mount namespace), so the test's own is not touched.
 * fn returns 0, or the number of the check that failed.
 */
static void
in_netns(int (*fn)(const char *dir), int flags)
{
	char *dir;
	pid_t pid;
	int status, rc;

	if (geteuid() != 0) {
		skip();
		return;
	}
	dir = unit_tmpdir();
	fflush(NULL);
	if ((pid = fork()) == 0) {
		if (unshare(CLONE_NEWNET | flags) != 0)
			_exit(77);
		if ((flags & CLONE_NEWNS) &&
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
			_exit(77);
		setenv("IRT_RUNDIR", dir, 1);
		if ((rc = fn(dir)) != 0) {
			struct irt_isolate_status st;
			fprintf(stderr, "check %d: %s\n", rc, irt_error_last());
			/* a watchdog that a failed check left behind */
			irt_isolate_get_status(&st);
			if (st.watchdog_alive)
				kill(st.watchdog, SIGKILL);
			irt_isolate_status_release(&st);
		}
		_exit(rc);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unit_rmtree(dir);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		skip();
		return;
	}
	if (WEXITSTATUS(status) != 0)
		fail_msg("check %d failed", WEXITSTATUS(status));
}

/* Runs a shell command line of the test's own. */
static int
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* The process runs: it exists and is not a zombie. */
static int
running(pid_t pid)
{
	char path[64], stat[512] = "", *rp;
	FILE *fp;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(stat, sizeof stat, fp) == NULL)
		stat[0] = '\0';
	fclose(fp);
	return (rp = strrchr(stat, ')')) != NULL && rp[1] == ' ' &&
	    rp[2] != 'Z' && rp[2] != 'X';
}

/* The set "armed" in the kernel, as nft lists it, into buf. */
static int
armed(char *buf, size_t len)
{
	FILE *fp = popen("nft list set inet irt_isolate armed 2>&1", "r");
	size_t n;

	if (fp == NULL)
		return -1;
	n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	return pclose(fp);
}

static const char *const allow_one[] = { "10.0.0.2,fd00::2" };
static struct irt_ident unit_who = { (char *)"unit", (char *)"u@t" };

/* Apply, status, confirm and lift. */
static int
apply_cycle(const char *dir)
{
	struct irt_isolate_plan *p;
	struct irt_isolate_status st;
	char set[1024];
	int identical;

	(void)dir;
	if (plan_of(&p, allow_one, 1, NULL, 0, NULL, 0, 0) != 0)
		return 10;
	if (irt_isolate_apply(NULL, &st, p, 60, &unit_who) != 0)
		return 11;
	if (!st.present || st.watchdog <= 0 || !st.watchdog_alive)
		return 12;
	irt_isolate_status_release(&st);
	/* the families to block, with the deadline as their timeout */
	if (armed(set, sizeof set) != 0 || !strstr(set, "ipv4 timeout 1m") ||
	    !strstr(set, "ipv6 timeout 1m"))
		return 13;
	/* a second apply is refused */
	if (irt_isolate_apply(NULL, &st, p, 60, &unit_who) != IRT_EEXISTS)
		return 14;
	if (irt_isolate_get_status(&st) != 0 || !st.present || !st.blocking ||
	    !st.timed || !st.managed || st.confirmed || st.ncounters != 5 ||
	    st.problem != NULL ||
	    strcmp(st.nftables, "libnftables.so.1") != 0 ||
	    strcmp(st.sha256, p->sha256) != 0)
		return 15;
	irt_isolate_status_release(&st);
	if (irt_isolate_confirm(NULL, &st, &unit_who) != 0 || !st.confirmed)
		return 16;
	irt_isolate_status_release(&st);
	/* the same families, for good */
	if (armed(set, sizeof set) != 0 ||
	    !strstr(set, "elements = { ipv4, ipv6 }"))
		return 17;
	if (irt_isolate_get_status(&st) != 0 || !st.blocking || st.timed ||
	    !st.confirmed || st.watchdog_alive)
		return 18;
	irt_isolate_status_release(&st);
	if (irt_isolate_lift(NULL, &st, &identical, &unit_who) != 0 ||
	    identical != 1)
		return 19;
	irt_isolate_status_release(&st);
	if (irt_isolate_get_status(&st) != 0 || st.present || st.managed)
		return 20;
	if (irt_isolate_lift(NULL, &st, &identical, &unit_who) != IRT_ENOTFOUND)
		return 21;
	irt_isolate_plan_free(p);
	return 0;
}

static void
test_apply_in_netns(void **state)
{
	(void)state;
	in_netns(apply_cycle, 0);
}

/* Polls the status until the kernel let the isolation go (10 s). */
static int
wait_unblocked(struct irt_isolate_status *st)
{
	int i;

	for (i = 0; i < 200; i++) {
		irt_isolate_status_release(st);
		if (irt_isolate_get_status(st) != 0)
			return -1;
		if (!st->blocking)
			return 0;
		usleep(50000);
	}
	return -1;
}

/* The watchdog killed at once: the kernel still ends the isolation. */
static int
kernel_rollback(const char *dir)
{
	struct irt_isolate_plan *p;
	struct irt_isolate_status st;
	irt_ns deadline;
	int status, identical;

	(void)dir;
	if (plan_of(&p, allow_one, 1, NULL, 0, NULL, 0, 0) != 0)
		return 10;
	if (irt_isolate_apply(NULL, &st, p, 1, &unit_who) != 0)
		return 11;
	deadline = st.deadline;
	if (kill(st.watchdog, SIGKILL) != 0)
		return 12;
	irt_isolate_status_release(&st);
	if (wait_unblocked(&st) != 0)
		return 13;
	/* not before the deadline (but for the slack of the commit) */
	if (irt_now() < deadline - IRT_NS_PER_SEC)
		return 14;
	/* rolled back by the kernel, the inert table left: no problem */
	if (!st.present || !st.rolled_back || !st.leftover ||
	    st.problem != NULL || st.confirmed)
		return 15;
	irt_isolate_status_release(&st);
	/* too late to confirm, and the table goes */
	if (irt_isolate_confirm(NULL, &st, &unit_who) != IRT_ETIMEOUT ||
	    strstr(irt_error_last(), "too late") == NULL)
		return 16;
	irt_isolate_status_release(&st);
	if (irt_isolate_get_status(&st) != 0 || st.present || !st.rolled_back ||
	    st.leftover)
		return 17;
	irt_isolate_status_release(&st);
	/* the same, seen by lift */
	if (irt_isolate_lift(NULL, &st, &identical, &unit_who) != IRT_ENOTFOUND)
		return 18;
	irt_isolate_status_release(&st);
	if (irt_isolate_apply(NULL, &st, p, 1, &unit_who) != 0)
		return 19;
	kill(st.watchdog, SIGKILL);
	irt_isolate_status_release(&st);
	if (wait_unblocked(&st) != 0)
		return 20;
	irt_isolate_status_release(&st);
	if (irt_isolate_lift(NULL, &st, &identical, &unit_who) != 0 ||
	    !st.rolled_back || identical != 1)
		return 21;
	irt_isolate_status_release(&st);
	status = sh("nft list table inet irt_isolate >/dev/null 2>&1");
	if (status == 0)
		return 22;
	irt_isolate_plan_free(p);
	return 0;
}

static void
test_kernel_rollback_in_netns(void **state)
{
	(void)state;
	in_netns(kernel_rollback, 0);
}

/* The state and the ruleset disagree: IRT_EVERIFY, and what. */
static int
disagree(const char *dir)
{
	struct irt_isolate_plan *p;
	struct irt_isolate_status st;
	pid_t wd;
	int identical, i;

	(void)dir;
	if (plan_of(&p, allow_one, 1, NULL, 0, NULL, 0, 0) != 0)
		return 10;
	if (irt_isolate_apply(NULL, &st, p, 60, &unit_who) != 0)
		return 11;
	wd = st.watchdog;
	irt_isolate_status_release(&st);
	if (sh("nft delete table inet irt_isolate") != 0)
		return 12;
	if (irt_isolate_get_status(&st) != IRT_EVERIFY || st.problem == NULL ||
	    strstr(st.problem, "its table is gone") == NULL ||
	    strcmp(irt_error_last(), st.problem) != 0)
		return 13;
	irt_isolate_status_release(&st);
	if (irt_isolate_lift(NULL, &st, &identical, &unit_who) != IRT_ENOTFOUND)
		return 14;
	irt_isolate_status_release(&st);
	/* and its watchdog with it */
	for (i = 0; i < 100 && running(wd); i++)
		usleep(50000);
	if (i == 100)
		return 24;
	/* blocking with no timeout before confirm */
	if (irt_isolate_apply(NULL, &st, p, 60, &unit_who) != 0)
		return 15;
	irt_isolate_status_release(&st);
	if (sh("nft 'flush set inet irt_isolate armed; add element inet "
	       "irt_isolate armed { ipv4, ipv6 }'") != 0)
		return 16;
	if (irt_isolate_get_status(&st) != IRT_EVERIFY || st.problem == NULL ||
	    strstr(st.problem, "blocks with no deadline") == NULL)
		return 17;
	irt_isolate_status_release(&st);
	/* emptied before the deadline */
	if (sh("nft flush set inet irt_isolate armed") != 0)
		return 18;
	if (irt_isolate_get_status(&st) != IRT_EVERIFY || st.problem == NULL ||
	    strstr(st.problem, "was emptied outside irt") == NULL)
		return 19;
	irt_isolate_status_release(&st);
	/* and confirm cannot make it block again */
	if (irt_isolate_confirm(NULL, &st, &unit_who) != IRT_ENOTFOUND)
		return 20;
	irt_isolate_status_release(&st);
	if (irt_isolate_lift(NULL, &st, &identical, &unit_who) != 0)
		return 21;
	irt_isolate_status_release(&st);
	/* a table of that name irt knows nothing of */
	if (sh("nft add table inet irt_isolate") != 0)
		return 22;
	if (irt_isolate_get_status(&st) != IRT_EVERIFY || st.problem == NULL ||
	    strstr(st.problem, "no state of it") == NULL || st.managed)
		return 23;
	irt_isolate_status_release(&st);
	irt_isolate_plan_free(p);
	return 0;
}

static void
test_status_disagrees_in_netns(void **state)
{
	(void)state;
	in_netns(disagree, 0);
}

/*
 * Where libnftables cannot be opened: /dev/null over it in a mount
 * namespace of the test's own; the nft command on PATH gets a copy of
 * it, as on a host whose nft does not need it.
 */
static int
nft_command(const char *dir)
{
	struct irt_isolate_plan *p;
	struct irt_isolate_status st;
	char lib[4096] = "", nft[4096] = "", want[4200];
	FILE *fp;
	int identical;

	fp = popen("ldconfig -p | awk '$1 == \"libnftables.so.1\" "
	           "{ print $NF; exit }' | xargs readlink -f",
	    "r");
	if (fp == NULL || fgets(lib, sizeof lib, fp) == NULL)
		return 10;
	pclose(fp);
	lib[strcspn(lib, "\n")] = '\0';
	fp = popen("command -v nft", "r");
	if (fp == NULL || fgets(nft, sizeof nft, fp) == NULL)
		return 11;
	pclose(fp);
	nft[strcspn(nft, "\n")] = '\0';
	if (sh("mkdir -p '%s/lib' '%s/bin' && cp '%s' "
	       "'%s/lib/libnftables.so.1' && printf '#!/bin/sh\\n"
	       "LD_LIBRARY_PATH=%s/lib exec %s \"$@\"\\n' >'%s/bin/nft' && "
	       "chmod +x '%s/bin/nft'",
	        dir, dir, lib, dir, dir, nft, dir, dir) != 0)
		return 11;
	if (mount("/dev/null", lib, NULL, MS_BIND, NULL) != 0)
		return 12;
	snprintf(want, sizeof want, "%s/bin:/usr/bin:/bin", dir);
	setenv("PATH", want, 1);
	snprintf(want, sizeof want, "%s/bin/nft", dir);
	if (plan_of(&p, allow_one, 1, NULL, 0, NULL, 0, 0) != 0)
		return 13;
	if (irt_isolate_apply(NULL, &st, p, 60, &unit_who) != 0)
		return 14;
	irt_isolate_status_release(&st);
	if (irt_isolate_get_status(&st) != 0 || !st.blocking || !st.timed ||
	    st.ncounters != 5 || strcmp(st.nftables, want) != 0)
		return 15;
	irt_isolate_status_release(&st);
	if (irt_isolate_confirm(NULL, &st, &unit_who) != 0)
		return 16;
	irt_isolate_status_release(&st);
	if (irt_isolate_get_status(&st) != 0 || !st.blocking || st.timed)
		return 17;
	irt_isolate_status_release(&st);
	if (irt_isolate_lift(NULL, &st, &identical, &unit_who) != 0 ||
	    identical != 1)
		return 18;
	irt_isolate_status_release(&st);
	/* nft's own error, on one line, without irt's input file */
	if (irt_isolate_apply(NULL, &st, p, 60, &unit_who) != 0)
		return 19;
	irt_isolate_status_release(&st);
	if (sh("nft flush set inet irt_isolate armed") != 0)
		return 20;
	if (irt_isolate_confirm(NULL, &st, &unit_who) != IRT_ENOTFOUND ||
	    strstr(irt_error_last(), "No such file or directory") == NULL ||
	    strstr(irt_error_last(), dir) != NULL ||
	    strchr(irt_error_last(), '\n') != NULL)
		return 21;
	irt_isolate_status_release(&st);
	if (irt_isolate_lift(NULL, &st, &identical, &unit_who) != 0)
		return 22;
	irt_isolate_status_release(&st);
	irt_isolate_plan_free(p);
	return 0;
}

static void
test_nft_command_in_netns(void **state)
{
	(void)state;
	in_netns(nft_command, CLONE_NEWNS);
}

/* Neither the library nor the command: one line says so. */
static int
no_nftables(const char *dir)
{
	struct irt_isolate_plan *p;
	struct irt_isolate_status st;
	char lib[4096] = "";
	FILE *fp;

	(void)dir;
	fp = popen("ldconfig -p | awk '$1 == \"libnftables.so.1\" "
	           "{ print $NF; exit }' | xargs readlink -f",
	    "r");
	if (fp == NULL || fgets(lib, sizeof lib, fp) == NULL)
		return 10;
	pclose(fp);
	lib[strcspn(lib, "\n")] = '\0';
	if (mount("/dev/null", lib, NULL, MS_BIND, NULL) != 0 ||
	    mount("tmpfs", "/usr/sbin", "tmpfs", 0, NULL) != 0)
		return 11;
	setenv("PATH", "/usr/bin:/bin", 1);
	if (plan_of(&p, allow_one, 1, NULL, 0, NULL, 0, 0) != 0)
		return 12;
	if (irt_isolate_apply(NULL, &st, p, 60, &unit_who) != IRT_ERROR ||
	    strstr(irt_error_last(), "needs libnftables or the nft command") ==
	        NULL ||
	    strchr(irt_error_last(), '\n') != NULL)
		return 13;
	irt_isolate_status_release(&st);
	if (irt_isolate_get_status(&st) != IRT_ERROR)
		return 14;
	irt_isolate_status_release(&st);
	irt_isolate_plan_free(p);
	return 0;
}

static void
test_no_nftables_in_netns(void **state)
{
	(void)state;
	in_netns(no_nftables, CLONE_NEWNS);
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
		cmocka_unit_test(test_kernel_rollback_in_netns),
		cmocka_unit_test(test_status_disagrees_in_netns),
		cmocka_unit_test(test_nft_command_in_netns),
		cmocka_unit_test(test_no_nftables_in_netns),
	};

	return UNIT_RUN(tests);
}
