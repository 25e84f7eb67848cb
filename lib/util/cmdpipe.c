/*
 * A host command read through a pipe, bounded in time and size.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdpipe.h"
#include "irt/error.h"
#include "irt/escape.h"

struct irt_cmdpipe {
	pid_t pid;
	int out, err; /* read ends, -1 once closed */
	bool eof;     /* all of stdout read */
	int status;
	char killed[96]; /* why it was killed, or "" */
	char cmd[PATH_MAX];
	char errline[256]; /* the first line of its stderr */
	size_t errlen;
	bool errline_done;
	uint64_t total;
	struct irt_cmdpipe_opts o;
	struct timespec last; /* of the last output */
};

static int
exec_in(char *out, size_t outlen, const char *dir, size_t len, const char *name)
{
	struct stat st;

	if (len == 0 || dir[0] != '/' || len + strlen(name) + 2 > outlen)
		return 0;
	snprintf(out, outlen, "%.*s/%s", (int)len, dir, name);
	return stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(out, X_OK) == 0;
}

int
irt_which(char *out, size_t outlen, const char *name)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/sbin",
		"/sbin", NULL };
	const char *p = getenv("PATH"), *colon;
	size_t i;

	if (strchr(name, '/') != NULL)
		return IRT_ENOTFOUND;
	while (p != NULL && *p != '\0') {
		colon = strchr(p, ':');
		if (exec_in(out, outlen, p,
		        colon ? (size_t)(colon - p) : strlen(p), name))
			return 0;
		p = colon ? colon + 1 : NULL;
	}
	for (i = 0; dirs[i] != NULL; i++)
		if (exec_in(out, outlen, dirs[i], strlen(dirs[i]), name))
			return 0;
	return IRT_ENOTFOUND;
}

static double
since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Milliseconds left of the idle timeout (-1 for none), at least 0. */
static int
idle_left(const struct irt_cmdpipe *p)
{
	double left;

	if (p->o.idle_timeout <= 0)
		return -1;
	left = p->o.idle_timeout - since(&p->last);
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

static void __attribute__((format(printf, 2, 3)))
kill_it(struct irt_cmdpipe *p, const char *fmt, ...)
{
	va_list ap;

	if (p->killed[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(p->killed, sizeof p->killed, fmt, ap);
		va_end(ap);
	}
	kill(-p->pid, SIGKILL);
}

/* Reads what stderr has; keeps its first line. */
static void
drain_err(struct irt_cmdpipe *p)
{
	char buf[4096], *nl;
	ssize_t n;
	size_t take;

	n = read(p->err, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(p->err);
		p->err = -1;
		return;
	}
	if (p->errline_done)
		return;
	take = (size_t)n;
	if ((nl = memchr(buf, '\n', take)) != NULL) {
		take = (size_t)(nl - buf);
		p->errline_done = true;
	}
	if (take > sizeof p->errline - 1 - p->errlen) {
		take = sizeof p->errline - 1 - p->errlen;
		p->errline_done = true;
	}
	memcpy(p->errline + p->errlen, buf, take);
	p->errlen += take;
	p->errline[p->errlen] = '\0';
}

static void
child(char *const argv[], int out[2], int err[2])
{
	int in[2], fd;

	setpgid(0, 0);
	/* stdin: /dev/null, else (an empty chroot) a pipe with no writer */
	if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(fd, 0);
		if (fd != 0)
			close(fd);
	} else if (pipe(in) == 0) {
		close(in[1]);
		dup2(in[0], 0);
		if (in[0] != 0)
			close(in[0]);
	}
	dup2(out[1], 1);
	dup2(err[1], 2);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	execv(argv[0], argv);
	_exit(127);
}

int
irt_cmdpipe_open(struct irt_cmdpipe **out, char *const argv[],
    const struct irt_cmdpipe_opts *opts)
{
	struct irt_cmdpipe *p;
	int o[2] = { -1, -1 }, e[2] = { -1, -1 }, err;

	*out = NULL;
	if ((p = calloc(1, sizeof *p)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	p->o = *opts;
	snprintf(p->cmd, sizeof p->cmd, "%s", argv[0]);
	if (pipe2(o, O_CLOEXEC) != 0 || pipe2(e, O_CLOEXEC) != 0)
		goto fail;
	if ((p->pid = fork()) < 0)
		goto fail;
	if (p->pid == 0)
		child(argv, o, e);
	setpgid(p->pid, p->pid);
	close(o[1]);
	close(e[1]);
	p->out = o[0];
	p->err = e[0];
	fcntl(p->out, F_SETFL, O_NONBLOCK);
	fcntl(p->err, F_SETFL, O_NONBLOCK);
	clock_gettime(CLOCK_MONOTONIC, &p->last);
	*out = p;
	return 0;
fail:
	err = errno;
	if (o[0] >= 0) {
		close(o[0]);
		close(o[1]);
	}
	if (e[0] >= 0) {
		close(e[0]);
		close(e[1]);
	}
	free(p);
	return irt_error_sys(IRT_EIO, err, "cannot run '%s'", irt_esc(argv[0]));
}

static int
killed_error(struct irt_cmdpipe *p)
{
	return irt_error_set(
	    IRT_ETIMEOUT, "'%s' %s and was killed", irt_esc(p->cmd), p->killed);
}

ssize_t
irt_cmdpipe_read(struct irt_cmdpipe *p, void *buf, size_t n)
{
	struct pollfd pfd[2];
	ssize_t r;
	int nfd, w;

	if (p->killed[0] != '\0') {
		killed_error(p);
		return -1;
	}
	if (p->eof)
		return 0;
	for (;;) {
		r = read(p->out, buf, n);
		if (r > 0) {
			p->total += (uint64_t)r;
			if (p->o.max_output > 0 && p->total > p->o.max_output) {
				kill_it(p, "wrote more than %llu bytes",
				    (unsigned long long)p->o.max_output);
				killed_error(p);
				return -1;
			}
			clock_gettime(CLOCK_MONOTONIC, &p->last);
			return r;
		}
		if (r == 0) {
			p->eof = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			irt_error_sys(IRT_EIO, errno, "cannot read '%s'",
			    irt_esc(p->cmd));
			return -1;
		}
		pfd[0].fd = p->out;
		pfd[0].events = POLLIN;
		nfd = 1;
		if (p->err >= 0) {
			pfd[1].fd = p->err;
			pfd[1].events = POLLIN;
			nfd = 2;
		}
		if ((w = idle_left(p)) == 0) {
			kill_it(p, "wrote nothing for %g seconds",
			    p->o.idle_timeout);
			killed_error(p);
			return -1;
		}
		if (poll(pfd, (nfds_t)nfd, w) < 0 && errno != EINTR) {
			irt_error_sys(IRT_EIO, errno, "cannot read '%s'",
			    irt_esc(p->cmd));
			return -1;
		}
		if (nfd == 2 && pfd[1].revents != 0)
			drain_err(p);
	}
}

/*
 * Waits for it to exit, reading what it still writes to stderr, at most
 * the idle timeout; then kills it.
 */
static void
reap(struct irt_cmdpipe *p)
{
	struct pollfd pfd[2];
	pid_t w;
	int left, pidfd, nfd;

	clock_gettime(CLOCK_MONOTONIC, &p->last);
	pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	for (;;) {
		w = waitpid(p->pid, &p->status, WNOHANG);
		if (w == p->pid || (w < 0 && errno != EINTR))
			break;
		if ((left = idle_left(p)) == 0) {
			kill_it(p, "did not exit %g seconds after its output",
			    p->o.idle_timeout);
			while (waitpid(p->pid, &p->status, 0) < 0 &&
			    errno == EINTR)
				;
			break;
		}
		nfd = 0;
		if (pidfd >= 0) {
			pfd[nfd].fd = pidfd;
			pfd[nfd++].events = POLLIN;
		} else if (left < 0 || left > 20) {
			/* no pidfd (before Linux 5.3): look again soon */
			left = 20;
		}
		if (p->err >= 0) {
			pfd[nfd].fd = p->err;
			pfd[nfd++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)nfd, left) > 0 && p->err >= 0 &&
		    pfd[nfd - 1].revents != 0)
			drain_err(p);
	}
	if (pidfd >= 0)
		close(pidfd);
	/* what it wrote before it exited is still in the pipe */
	while (p->err >= 0 && !p->errline_done) {
		pfd[0].fd = p->err;
		pfd[0].events = POLLIN;
		if (poll(pfd, 1, 0) <= 0)
			break;
		drain_err(p);
	}
}

int
irt_cmdpipe_close(struct irt_cmdpipe *p)
{
	bool stopped = false;
	int rc = 0;

	if (p == NULL)
		return 0;
	if (!p->eof && p->killed[0] == '\0') {
		/* the reader stopped: no error of its own */
		kill(-p->pid, SIGKILL);
		stopped = true;
	}
	close(p->out);
	reap(p);
	if (p->err >= 0)
		close(p->err);
	/* what became of it: the first reason given wins */
	if (p->killed[0] != '\0')
		rc = killed_error(p);
	else if (stopped)
		rc = 0;
	else if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0)
		rc = 0;
	else if (WIFEXITED(p->status))
		rc = irt_error_set(IRT_ERROR, "'%s' exited with status %d%s%s",
		    irt_esc(p->cmd), WEXITSTATUS(p->status),
		    p->errlen ? ": " : "",
		    p->errlen ? irt_esc(p->errline) : "");
	else
		rc = irt_error_set(IRT_ERROR, "'%s' was killed by signal %d",
		    irt_esc(p->cmd), WTERMSIG(p->status));
	free(p);
	return rc;
}
