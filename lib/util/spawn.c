#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "irt/spawn.h"

/* After the command exits, how long its leftover children may keep the
 * output pipes open before the group is killed. */
#define LINGER_NS (2 * IRT_NS_PER_SEC)

static irt_ns
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (irt_ns)ts.tv_sec * IRT_NS_PER_SEC + ts.tv_nsec;
}

static void
child(char *const argv[], const struct irt_spawn_opts *o, int out[2],
    int err[2], int report)
{
	int fd, e;

	if (!o->inherit_stdin) {
		setpgid(0, 0);
		if ((fd = open("/dev/null", O_RDONLY)) != -1) {
			dup2(fd, 0);
			if (fd != 0)
				close(fd);
		}
	}
	dup2(out[1], 1);
	dup2(o->merge_stderr ? out[1] : err[1], 2);
	close(out[0]);
	close(out[1]);
	close(err[0]);
	close(err[1]);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (o->cwd != NULL && chdir(o->cwd) != 0) {
		e = errno;
		(void)!write(report, &e, sizeof e);
		_exit(127);
	}
	execvp(argv[0], argv);
	e = errno;
	(void)!write(report, &e, sizeof e);
	_exit(127);
}

static void
kill_group(pid_t pid, int own_group, int sig)
{
	if (own_group)
		kill(-pid, sig);
	else
		kill(pid, sig);
}

int
irt_spawn(struct irt_spawn_result *r, char *const argv[],
    const struct irt_spawn_opts *opts)
{
	static const struct irt_spawn_opts defaults;
	const struct irt_spawn_opts *o = opts ? opts : &defaults;
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, rep[2] = { -1, -1 };
	struct pollfd pfd[2];
	char buf[65536];
	irt_ns deadline = 0, linger = 0, now;
	pid_t pid;
	int status = 0, reaped = 0, e = 0, aborted = 0, killed = 0;
	int own_group = !o->inherit_stdin, i, nopen, timeout_ms;
	ssize_t n;

	memset(r, 0, sizeof *r);
	if (argv == NULL || argv[0] == NULL)
		return irt_error_set(IRT_EINVAL, "empty command");
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 ||
	    pipe2(rep, O_CLOEXEC) != 0) {
		e = errno;
		goto syserr;
	}
	r->start = irt_now();
	if ((pid = fork()) == -1) {
		e = errno;
		goto syserr;
	}
	if (pid == 0)
		child(argv, o, out, err, rep[1]);
	if (own_group)
		setpgid(pid, pid);
	close(out[1]);
	close(err[1]);
	close(rep[1]);
	out[1] = err[1] = rep[1] = -1;
	while ((n = read(rep[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(rep[0]);
	rep[0] = -1;
	if (n == (ssize_t)sizeof e) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		close(out[0]);
		close(err[0]);
		r->end = irt_now();
		r->exited = 1;
		r->status = 127;
		r->exec_errno = e;
		if (e == ENOENT) {
			r->not_found = 1;
			return irt_error_set(IRT_ENOTFOUND,
			    "command not found: '%s'", irt_esc(argv[0]));
		}
		return irt_error_sys(
		    IRT_EIO, e, "cannot run '%s'", irt_esc(argv[0]));
	}
	e = 0;
	if (o->timeout > 0)
		deadline = mono_now() + (irt_ns)(o->timeout * 1e9);
	pfd[0].fd = out[0];
	pfd[1].fd = err[0];
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		nopen = (pfd[0].fd >= 0) + (pfd[1].fd >= 0);
		if (!reaped) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid) {
				reaped = 1;
				linger = mono_now() + LINGER_NS;
			}
		}
		if (reaped && nopen == 0)
			break;
		now = mono_now();
		if (!killed &&
		    ((deadline && now >= deadline) ||
		        (o->cancel && *o->cancel) || aborted)) {
			if (deadline && now >= deadline)
				r->timed_out = 1;
			kill_group(pid, own_group, SIGKILL);
			killed = 1;
		}
		if (reaped && now >= linger) {
			kill_group(pid, own_group, SIGKILL);
			break;
		}
		timeout_ms = 100;
		if (nopen == 0) {
			usleep(10000);
			continue;
		}
		if (poll(pfd, 2, timeout_ms) < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			kill_group(pid, own_group, SIGKILL);
			break;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, buf, sizeof buf);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				continue;
			}
			if (o->output && !aborted &&
			    o->output(i + 1, buf, (size_t)n, o->arg) != 0)
				aborted = 1;
		}
	}
	for (i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	if (!reaped)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	r->end = irt_now();
	if (WIFEXITED(status)) {
		r->exited = 1;
		r->status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		r->status = WTERMSIG(status);
	}
	if (e != 0)
		return irt_error_sys(
		    IRT_EIO, e, "waiting for '%s'", irt_esc(argv[0]));
	if (aborted && !(o->cancel && *o->cancel))
		return irt_error_set(
		    IRT_EABORT, "output of '%s' refused", irt_esc(argv[0]));
	return 0;
syserr:
	for (i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
		if (rep[i] >= 0)
			close(rep[i]);
	}
	return irt_error_sys(IRT_EIO, e, "cannot run '%s'", irt_esc(argv[0]));
}

int
irt_spawn_exit_code(const struct irt_spawn_result *r)
{
	if (r->exited)
		return r->status;
	return 128 + r->status;
}
