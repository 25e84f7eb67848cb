#include <sys/wait.h>

#include <git2.h>
#include <git2/sys/transport.h>

#include "config.h"
#include "unit.h"

#ifdef IRT_DEFER_CA
#include "shim/ca-defer.h"

/* libgit2 parses the URL of a remote before it picks a transport */
#define PROBE_URL "irtprobe://localhost:9/case.git"

/* irt_ca_parsed() when libgit2 opened the transport of a remote */
static unsigned parsed_at_connect;

static int
probe_transport(git_transport **out, git_remote *owner, void *param)
{
	(void)out;
	(void)owner;
	(void)param;
	parsed_at_connect = irt_ca_parsed();
	git_error_set_str(
	    GIT_ERROR_NET, "the probe transport connects nowhere");
	return -1;
}

static const char *const child_fail[] = {
	NULL,
	"cannot make the case",
	"the CA bundle was parsed when libgit2 started",
	"cannot register the probe transport",
	"the probe transport let the remote operation succeed",
	"the CA bundle was not parsed once before the transport opened",
};
#define NCHILD_FAIL (sizeof child_fail / sizeof child_fail[0])

/*
 * In a process of its own, so that libgit2 starts afresh: makes a case,
 * then pushes or pulls through a transport that only notes how many CA
 * bundles were parsed by then.  Returns 0, or the index in child_fail of
 * the check that failed.
 */
static int
sync_child(const char *dir, int push)
{
	struct irt_case_meta meta = { "INC-1", "Sync", NULL, NULL, NULL };
	struct irt_case_sync_result r;
	struct irt_ident who;
	struct irt_case *c;
	char path[4200];
	int rc;

	snprintf(path, sizeof path, "%s/case", dir);
	if (irt_ident_parse(&who, "Unit <unit@example.org>") != 0 ||
	    irt_case_init(&c, path, &meta, &who) != 0)
		return 1;
	/* libgit2 is up, and its CA bundle still unparsed */
	if (irt_ca_parsed() != 0)
		return 2;
	if (git_transport_register("irtprobe", probe_transport, NULL) != 0)
		return 3;
	if (push)
		rc = irt_case_push(c, &r, PROBE_URL);
	else
		rc = irt_case_pull(c, &r, PROBE_URL, &who);
	if (rc == 0)
		return 4;
	/* the bundle was parsed once, before the transport opened */
	if (parsed_at_connect != 1 || irt_ca_parsed() != 1)
		return 5;
	irt_case_free(c);
	irt_ident_release(&who);
	return 0;
}

static void
run_child(int push)
{
	char *dir = unit_tmpdir();
	int status, code;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(sync_child(dir, push));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	code = WEXITSTATUS(status);
	if (code != 0)
		fail_msg("%s",
		    (size_t)code < NCHILD_FAIL ? child_fail[code]
		                               : "the child failed");
	unit_rmtree(dir);
}

static void
test_push_loads_ca_first(void **state)
{
	(void)state;
	run_child(1);
}

static void
test_pull_loads_ca_first(void **state)
{
	(void)state;
	run_child(0);
}
#else
static void
test_push_loads_ca_first(void **state)
{
	(void)state;
	skip(); /* this build parses the CA bundle in git_libgit2_init() */
}

static void
test_pull_loads_ca_first(void **state)
{
	(void)state;
	skip();
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_loads_ca_first),
		cmocka_unit_test(test_pull_loads_ca_first),
	};

	return UNIT_RUN(tests);
}
