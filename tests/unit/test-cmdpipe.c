#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <time.h>

#include "unit.h"
#include "util/cmdpipe.h"

static char sh[PATH_MAX];

static struct irt_cmdpipe *
start(const char *script, double idle, uint64_t max)
{
	struct irt_cmdpipe_opts o = { idle, max };
	struct irt_cmdpipe *p;
	char *argv[] = { sh, "-c", (char *)script, NULL };

	assert_int_equal(irt_cmdpipe_open(&p, argv, &o), 0);
	return p;
}

/* All of its output, till the end or an error (*rc -1). */
static char *
read_all(struct irt_cmdpipe *p, ssize_t *rc)
{
	struct irt_buf b = IRT_BUF_INIT;
	char buf[4096];
	ssize_t n;

	while ((n = irt_cmdpipe_read(p, buf, sizeof buf)) > 0)
		assert_int_equal(irt_buf_put(&b, buf, (size_t)n), 0);
	*rc = n;
	return irt_buf_detach(&b);
}

/* 1 when the process of the pid in file is gone (or a zombie). */
static int
gone_now(long pid)
{
	char path[64], buf[512], *rp;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 1;
	n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* "pid (comm) S ...": the state after the last ')' */
	return (rp = strrchr(buf, ')')) != NULL && rp[1] == ' ' && rp[2] == 'Z';
}

/* Waits for it, up to 30 seconds: killed, it may take a moment. */
static int
gone(const char *file)
{
	FILE *fp = fopen(file, "r");
	struct timespec ts = { 0, 10000000 };
	long pid = 0;
	int i;

	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%ld", &pid), 1);
	fclose(fp);
	for (i = 0; i < 3000; i++) {
		if (gone_now(pid))
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
setup(void **state)
{
	(void)state;
	return irt_which(sh, sizeof sh, "sh");
}

static void
test_which(void **state)
{
	char out[PATH_MAX],
	    *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	(void)state;
	assert_true(sh[0] == '/');
	assert_string_equal(strrchr(sh, '/'), "/sh");
	assert_int_equal(
	    irt_which(out, sizeof out, "irt-no-such-command"), IRT_ENOTFOUND);
	/* relative folders of $PATH are not searched; the standard ones are */
	setenv("PATH", ".:bin:", 1);
	assert_int_equal(irt_which(out, sizeof out, "sh"), 0);
	assert_true(
	    strcmp(out, "/usr/bin/sh") == 0 || strcmp(out, "/bin/sh") == 0);
	assert_int_equal(irt_which(out, sizeof out, "./sh"), IRT_ENOTFOUND);
	if (path != NULL)
		setenv("PATH", path, 1);
	free(path);
}

static void
test_output(void **state)
{
	struct irt_cmdpipe *p;
	ssize_t rc;
	char *out;

	(void)state;
	/* stdin is empty, stdout comes through */
	p = start("cat; echo hello; echo to-stderr >&2", 10, 0);
	out = read_all(p, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "hello\n");
	assert_int_equal(irt_cmdpipe_close(p), 0);
	free(out);
}

static void
test_status(void **state)
{
	struct irt_cmdpipe *p;
	ssize_t rc;
	char *out;

	(void)state;
	p = start(
	    "echo partial; printf 'Failed: \\033[31mbad\\n2nd line\\n' >&2; "
	    "exit 3",
	    10, 0);
	out = read_all(p, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "partial\n");
	free(out);
	assert_int_not_equal(irt_cmdpipe_close(p), 0);
	/* the first line of its stderr, escaped */
	assert_non_null(strstr(
	    irt_error_last(), "exited with status 3: Failed: \\e[31mbad"));
	assert_null(strstr(irt_error_last(), "2nd line"));
	p = start("kill -TERM $$", 10, 0);
	out = read_all(p, &rc);
	assert_int_not_equal(irt_cmdpipe_close(p), 0);
	assert_non_null(strstr(irt_error_last(), "was killed by signal 15"));
	free(out);
}

static void
test_stalled(void **state)
{
	char *dir = unit_tmpdir(), script[4300], pidfile[4200];
	struct irt_cmdpipe *p;
	ssize_t rc;
	double t0;
	char *out;

	(void)state;
	snprintf(pidfile, sizeof pidfile, "%s/pid", dir);
	/* a child of its own that holds the pipe too */
	snprintf(script, sizeof script,
	    "echo first; sleep 3600 & echo $! >%s; wait", pidfile);
	t0 = now();
	p = start(script, 0.5, 0);
	out = read_all(p, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(out, "first\n");
	assert_non_null(strstr(
	    irt_error_last(), "wrote nothing for 0.5 seconds and was killed"));
	assert_int_not_equal(irt_cmdpipe_close(p), 0);
	assert_non_null(strstr(irt_error_last(), "wrote nothing"));
	assert_true(now() - t0 < 30);
	/* the whole group is gone */
	assert_true(gone(pidfile));
	free(out);
	unit_rmtree(dir);
}

static void
test_bounded(void **state)
{
	struct irt_cmdpipe *p;
	ssize_t rc;
	char *out;

	(void)state;
	p = start("while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done", 10,
	    100000);
	out = read_all(p, &rc);
	assert_int_equal(rc, -1);
	assert_true(strlen(out) <= 100000 + 4096);
	assert_non_null(strstr(
	    irt_error_last(), "wrote more than 100000 bytes and was killed"));
	assert_int_not_equal(irt_cmdpipe_close(p), 0);
	free(out);
}

static void
test_early_close(void **state)
{
	char *dir = unit_tmpdir(), script[4300], pidfile[4200], buf[16];
	struct irt_cmdpipe *p;
	ssize_t rc;
	char *out;

	(void)state;
	snprintf(pidfile, sizeof pidfile, "%s/pid", dir);
	/* the reader stops: no error, and nothing left running */
	snprintf(script, sizeof script, "echo $$ >%s; exec yes", pidfile);
	p = start(script, 10, 0);
	assert_true(irt_cmdpipe_read(p, buf, sizeof buf) > 0);
	assert_int_equal(irt_cmdpipe_close(p), 0);
	assert_true(gone(pidfile));
	/* it closes its output but does not exit: killed in time */
	snprintf(script, sizeof script,
	    "echo $$ >%s; exec >&- 2>&-; sleep 3600", pidfile);
	p = start(script, 0.5, 0);
	out = read_all(p, &rc);
	assert_int_equal(rc, 0);
	assert_int_not_equal(irt_cmdpipe_close(p), 0);
	assert_non_null(strstr(irt_error_last(),
	    "did not exit 0.5 seconds after its output and was killed"));
	assert_true(gone(pidfile));
	free(out);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_which, setup),
		cmocka_unit_test_setup(test_output, setup),
		cmocka_unit_test_setup(test_status, setup),
		cmocka_unit_test_setup(test_stalled, setup),
		cmocka_unit_test_setup(test_bounded, setup),
		cmocka_unit_test_setup(test_early_close, setup),
	};

	return UNIT_RUN(tests);
}
