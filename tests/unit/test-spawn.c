#include <signal.h>

#include "unit.h"

struct out {
	struct irt_buf o, e;
};

static int
collect(int fd, const char *data, size_t len, void *arg)
{
	struct out *out = arg;

	return irt_buf_put(fd == 1 ? &out->o : &out->e, data, len);
}

static void
test_output_and_status(void **state)
{
	char *argv[] = { "sh", "-c", "echo hello; echo oops >&2; exit 7",
		NULL };
	struct irt_spawn_opts o = { 0 };
	struct irt_spawn_result r;
	struct out out = { IRT_BUF_INIT, IRT_BUF_INIT };

	(void)state;
	o.output = collect;
	o.arg = &out;
	assert_int_equal(irt_spawn(&r, argv, &o), 0);
	assert_true(r.exited);
	assert_int_equal(r.status, 7);
	assert_int_equal(irt_spawn_exit_code(&r), 7);
	assert_string_equal(irt_buf_cstr(&out.o), "hello\n");
	assert_string_equal(irt_buf_cstr(&out.e), "oops\n");
	assert_true(r.end >= r.start && r.start > 0);
	irt_buf_release(&out.o);
	irt_buf_release(&out.e);
}

static void
test_not_found(void **state)
{
	char *argv[] = { "/nonexistent/program", NULL };
	struct irt_spawn_result r;

	(void)state;
	assert_int_equal(irt_spawn(&r, argv, NULL), IRT_ENOTFOUND);
	assert_true(r.not_found);
}

static void
test_timeout_kills_group(void **state)
{
	char *argv[] = { "sh", "-c", "sleep 30 & echo $!; sleep 30", NULL };
	struct irt_spawn_opts o = { 0 };
	struct irt_spawn_result r;
	struct out out = { IRT_BUF_INIT, IRT_BUF_INIT };
	irt_ns t0 = irt_now();
	long bg;

	(void)state;
	o.timeout = 0.5;
	o.output = collect;
	o.arg = &out;
	assert_int_equal(irt_spawn(&r, argv, &o), 0);
	assert_true(r.timed_out);
	assert_false(r.exited);
	assert_int_equal(r.status, SIGKILL);
	assert_true(irt_now() - t0 < 5 * IRT_NS_PER_SEC);
	bg = strtol(irt_buf_cstr(&out.o), NULL, 10);
	assert_true(bg > 0);
	/* the background child was in the group: gone or a zombie */
	usleep(100000);
	if (kill((pid_t)bg, 0) == 0) {
		char path[64], st[512];
		FILE *fp;
		snprintf(path, sizeof path, "/proc/%ld/stat", bg);
		if ((fp = fopen(path, "r")) != NULL) {
			assert_non_null(fgets(st, sizeof st, fp));
			fclose(fp);
			assert_non_null(strstr(st, ") Z "));
		}
	}
	irt_buf_release(&out.o);
	irt_buf_release(&out.e);
}

/* Whatever the caller's stdin holds, the command reads /dev/null. */
static void
test_stdin_is_devnull(void **state)
{
	char *argv[] = { "cat", NULL };
	struct irt_spawn_opts o = { 0 };
	struct irt_spawn_result r;
	struct out out = { IRT_BUF_INIT, IRT_BUF_INIT };
	int p[2], saved;
	char back[32];

	(void)state;
	/* the caller's stdin: a pipe with data waiting */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "must-stay-unread", 16), 16);
	close(p[1]);
	saved = dup(0);
	assert_true(saved >= 0);
	assert_int_equal(dup2(p[0], 0), 0);
	o.timeout = 5;
	o.output = collect;
	o.arg = &out;
	assert_int_equal(irt_spawn(&r, argv, &o), 0);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_false(r.timed_out);
	assert_int_equal(r.status, 0);
	assert_int_equal(out.o.len, 0);
	/* nothing was read from the pipe */
	assert_int_equal(read(p[0], back, sizeof back), 16);
	assert_memory_equal(back, "must-stay-unread", 16);
	close(p[0]);
	irt_buf_release(&out.o);
	irt_buf_release(&out.e);
}

/* Gone, or a zombie nobody reaped yet, within 5 seconds. */
static int
gone(long pid)
{
	char path[64], st[512];
	FILE *fp;
	int i;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	for (i = 0; i < 100; i++) {
		if ((fp = fopen(path, "r")) == NULL)
			return 1;
		if (fgets(st, sizeof st, fp) == NULL ||
		    strstr(st, ") Z ") != NULL) {
			fclose(fp);
			return 1;
		}
		fclose(fp);
		usleep(50000);
	}
	return 0;
}

/* kill_group_on_exit: a child left in the background dies with the
 * command; without it, it runs on. */
static void
test_kill_group_on_exit(void **state)
{
	char *argv[] = { "sh", "-c",
		"sleep 30 >/dev/null 2>&1 </dev/null & echo $!", NULL };
	struct irt_spawn_opts o = { 0 };
	struct irt_spawn_result r;
	struct out out = { IRT_BUF_INIT, IRT_BUF_INIT };
	irt_ns t0 = irt_now();
	long bg;

	(void)state;
	o.output = collect;
	o.arg = &out;
	o.timeout = 20;
	o.kill_group_on_exit = 1;
	assert_int_equal(irt_spawn(&r, argv, &o), 0);
	assert_true(r.exited);
	assert_int_equal(r.status, 0);
	assert_true(irt_now() - t0 < 5 * IRT_NS_PER_SEC);
	bg = strtol(irt_buf_cstr(&out.o), NULL, 10);
	assert_true(bg > 0);
	assert_true(gone(bg));
	irt_buf_clear(&out.o);
	o.kill_group_on_exit = 0;
	assert_int_equal(irt_spawn(&r, argv, &o), 0);
	bg = strtol(irt_buf_cstr(&out.o), NULL, 10);
	assert_true(bg > 0);
	assert_int_equal(kill((pid_t)bg, 0), 0);
	kill((pid_t)bg, SIGKILL);
	irt_buf_release(&out.o);
	irt_buf_release(&out.e);
}

static void
test_cancel(void **state)
{
	char *argv[] = { "sleep", "30", NULL };
	struct irt_spawn_opts o = { 0 };
	struct irt_spawn_result r;
	volatile int cancel = 1;

	(void)state;
	o.cancel = &cancel;
	assert_int_equal(irt_spawn(&r, argv, &o), 0);
	assert_false(r.exited);
	assert_int_equal(r.status, SIGKILL);
}

static void
test_cwd(void **state)
{
	char *argv[] = { "pwd", NULL };
	struct irt_spawn_opts o = { 0 };
	struct irt_spawn_result r;
	struct out out = { IRT_BUF_INIT, IRT_BUF_INIT };

	(void)state;
	o.cwd = "/";
	o.output = collect;
	o.arg = &out;
	assert_int_equal(irt_spawn(&r, argv, &o), 0);
	assert_string_equal(irt_buf_cstr(&out.o), "/\n");
	irt_buf_release(&out.o);
	irt_buf_release(&out.e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_and_status),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_stdin_is_devnull),
		cmocka_unit_test(test_kill_group_on_exit),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_cwd),
	};

	return UNIT_RUN(tests);
}
