/*
 * Running commands without a shell: stdin from /dev/null, own process
 * group, a deadline after which the whole group is killed.
 */
#ifndef IRT_SPAWN_H
#define IRT_SPAWN_H

#include "common.h"
#include <stddef.h>
#include <sys/types.h>

#include "timefmt.h"

/* Called with each chunk of output; fd is 1 or 2.  Non-zero aborts. */
typedef int (*irt_spawn_output_cb)(
    int fd, const char *data, size_t len, void *arg);

struct irt_spawn_opts {
	double timeout;    /* seconds; 0 for none */
	const char *cwd;   /* NULL: inherit */
	int inherit_stdin; /* 1: keep the caller's stdin (interactive) */
	int merge_stderr;  /* 1: stderr goes to the stdout callback */
	irt_spawn_output_cb output;
	void *arg;
	volatile int *cancel; /* when *cancel becomes non-zero, kill */
};

struct irt_spawn_result {
	int exited;     /* 1 when it exited, 0 when signalled */
	int status;     /* exit status or signal number */
	int timed_out;  /* killed at the deadline */
	int not_found;  /* the program does not exist */
	int exec_errno; /* why it could not be run (ENOENT, EACCES...), or 0 */
	irt_ns start;
	irt_ns end;
};

/*
 * Runs argv[0] (searched in PATH) with argv; blocks until it and its
 * output pipes are done.  Returns 0 when the command ran (whatever its
 * status), IRT_ENOTFOUND when it does not exist (result->not_found set),
 * IRT_EIO on a system error; when the program could not be run
 * (EACCES, E2BIG, ENOEXEC...) result->exec_errno says why.
 */
IRT_EXTERN int irt_spawn(struct irt_spawn_result *result, char *const argv[],
    const struct irt_spawn_opts *opts);

/* The shell-like status: exit status, or 128 + signal. */
IRT_EXTERN int irt_spawn_exit_code(const struct irt_spawn_result *r);

#endif
