#include <sys/wait.h>

#include <git2.h>
#include <git2/sys/transport.h>

#include "config.h"
#include "unit.h"

#ifdef IRT_DEFER_TRANSPORTS
#include "shim/transport-defer.h"

/* libgit2 parses the URL of a remote before it picks a transport */
#define PROBE_URL "irtprobe://localhost:9/case.git"

/* irt_transport_inits() when libgit2 opened the transport of a remote */
static unsigned inits_at_connect;

static int
probe_transport(git_transport **out, git_remote *owner, void *param)
{
	(void)out;
	(void)owner;
	(void)param;
	inits_at_connect = irt_transport_inits();
	git_error_set_str(
	    GIT_ERROR_NET, "the probe transport connects nowhere");
	return -1;
}

static const char *const child_fail[] = {
	NULL,
	"cannot make the case",
	"TLS or SSH was set up when libgit2 started",
	"cannot register the probe transport",
	"the probe transport let the remote operation succeed",
	"TLS and SSH were not set up once before the transport opened",
	"a second remote set TLS and SSH up again",
};
#define NCHILD_FAIL (sizeof child_fail / sizeof child_fail[0])

/*
 * In a process of its own, so that libgit2 starts afresh: makes a case,
 * then pushes, pulls or clones through a transport that only notes how
 * many of the TLS and SSH set-ups had run by then.  Returns 0, or the
 * index in child_fail of the check that failed.
 */
static int
sync_child(const char *dir, int how)
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
	/* libgit2 is up, a commit made, and neither TLS nor SSH set up */
	if (irt_transport_inits() != 0)
		return 2;
	if (git_transport_register("irtprobe", probe_transport, NULL) != 0)
		return 3;
	if (how == 0)
		rc = irt_case_push(c, &r, PROBE_URL);
	else if (how == 1)
		rc = irt_case_pull(c, &r, PROBE_URL, &who);
	else {
		struct irt_case *clone = NULL;

		snprintf(path, sizeof path, "%s/clone", dir);
		rc = irt_case_clone(&clone, &r, PROBE_URL, path);
		irt_case_free(clone);
	}
	if (rc == 0)
		return 4;
	/* both set up once, before the transport opened */
	if (inits_at_connect != 2 || irt_transport_inits() != 2)
		return 5;
	/* and not again */
	if (irt_case_push(c, &r, PROBE_URL) == 0)
		return 4;
	if (irt_transport_inits() != 2)
		return 6;
	irt_case_free(c);
	irt_ident_release(&who);
	return 0;
}

static void
run_child(int how)
{
	char *dir = unit_tmpdir();
	int status, code;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(sync_child(dir, how));
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
test_push_sets_up_first(void **state)
{
	(void)state;
	run_child(0);
}

static void
test_pull_sets_up_first(void **state)
{
	(void)state;
	run_child(1);
}

static void
test_clone_sets_up_first(void **state)
{
	(void)state;
	run_child(2);
}
#else
static void
test_push_sets_up_first(void **state)
{
	(void)state;
	skip(); /* this build sets TLS and SSH up in git_libgit2_init() */
}

static void
test_pull_sets_up_first(void **state)
{
	(void)state;
	skip();
}

static void
test_clone_sets_up_first(void **state)
{
	(void)state;
	skip();
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_sets_up_first),
		cmocka_unit_test(test_pull_sets_up_first),
		cmocka_unit_test(test_clone_sets_up_first),
	};

	return UNIT_RUN(tests);
}
