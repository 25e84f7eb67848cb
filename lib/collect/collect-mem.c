/*
 * Process memory (irt collect --process-memory PID): the maps of a
 * process and the bytes of its readable mappings, read from
 * /proc/PID/mem by a forked child so that a process whose memory cannot
 * be read (its mmap lock held by a thread in D state, a stalled file
 * system behind a mapping) never hangs the collection: the child is
 * killed when it sends nothing for the live timeout.  No ptrace attach:
 * the process is neither stopped nor signalled.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect-int.h"
#include "irt/error.h"
#include "irt/json.h"

/* ---- /proc/PID/maps ---- */

/* A hex number of 1 to 16 digits; the end of it, or NULL. */
static const char *
hex_field(const char *p, const char *end, uint64_t *v, int maxdigits)
{
	int n = 0;
	unsigned d;

	*v = 0;
	for (; p < end; p++, n++) {
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (n == maxdigits)
			return NULL;
		*v = *v << 4 | d;
	}
	return n == 0 ? NULL : p;
}

static int
bad(struct irt_maps_ent *m, const char **pos, const char *next, const char *why)
{
	m->why = why;
	*pos = next;
	return -1;
}

int
irt_maps_next(struct irt_maps_ent *m, const char **pos, const char *end)
{
	const char *p = *pos, *eol, *next;
	uint64_t v;
	size_t len, i;

	m->why = NULL;
	m->start = m->end = m->offset = m->inode = 0;
	m->dev_major = m->dev_minor = 0;
	m->perms[0] = m->path[0] = '\0';
	if (p >= end)
		return 0;
	m->lineno++;
	eol = memchr(p, '\n', (size_t)(end - p));
	if (eol == NULL)
		eol = end;
	next = eol < end ? eol + 1 : end;
	if ((size_t)(eol - p) > IRT_MAPS_LINE_MAX)
		return bad(m, pos, next, "line too long");
	if (memchr(p, '\0', (size_t)(eol - p)) != NULL)
		return bad(m, pos, next, "NUL byte in the line");
	if ((p = hex_field(p, eol, &m->start, 16)) == NULL || p == eol ||
	    *p++ != '-')
		return bad(m, pos, next, "bad start address");
	if ((p = hex_field(p, eol, &m->end, 16)) == NULL || p == eol ||
	    *p++ != ' ')
		return bad(m, pos, next, "bad end address");
	if (m->end <= m->start)
		return bad(m, pos, next, "end address not after the start");
	if (eol - p < 5 || (p[0] != 'r' && p[0] != '-') ||
	    (p[1] != 'w' && p[1] != '-') || (p[2] != 'x' && p[2] != '-') ||
	    (p[3] != 'p' && p[3] != 's') || p[4] != ' ')
		return bad(m, pos, next, "bad permissions");
	memcpy(m->perms, p, 4);
	m->perms[4] = '\0';
	p += 5;
	if ((p = hex_field(p, eol, &m->offset, 16)) == NULL || p == eol ||
	    *p++ != ' ')
		return bad(m, pos, next, "bad offset");
	if ((p = hex_field(p, eol, &v, 8)) == NULL || p == eol || *p++ != ':')
		return bad(m, pos, next, "bad device");
	m->dev_major = (unsigned)v;
	if ((p = hex_field(p, eol, &v, 8)) == NULL || p == eol || *p++ != ' ')
		return bad(m, pos, next, "bad device");
	m->dev_minor = (unsigned)v;
	for (i = 0; p < eol && *p >= '0' && *p <= '9'; p++, i++) {
		if (m->inode > (UINT64_MAX - 9) / 10)
			return bad(m, pos, next, "inode out of range");
		m->inode = m->inode * 10 + (uint64_t)(*p - '0');
	}
	if (i == 0)
		return bad(m, pos, next, "bad inode");
	if (p < eol && *p != ' ')
		return bad(m, pos, next, "bad inode");
	while (p < eol && *p == ' ')
		p++;
	len = (size_t)(eol - p);
	if (len >= sizeof m->path)
		return bad(m, pos, next, "path too long");
	memcpy(m->path, p, len);
	m->path[len] = '\0';
	*pos = next;
	return 1;
}

const char *
irt_maps_skip(const struct irt_maps_ent *m)
{
	if (m->perms[0] != 'r')
		return "not readable";
	if (strcmp(m->path, "[vvar]") == 0 ||
	    strcmp(m->path, "[vvar_vclock]") == 0 ||
	    strcmp(m->path, "[vsyscall]") == 0)
		return "kernel mapping";
	/* a device's memory (a frame buffer, /dev/mem, a driver's
	 * buffers) may block or have side effects when read; shared
	 * anonymous memory shows as /dev/zero */
	if (strncmp(m->path, "/dev/", 5) == 0 &&
	    strncmp(m->path, "/dev/zero", 9) != 0 &&
	    strncmp(m->path, "/dev/shm/", 9) != 0)
		return "device mapping";
	/* pread takes a signed offset */
	if (m->start > (uint64_t)INT64_MAX || m->end > (uint64_t)INT64_MAX)
		return "address beyond the offsets of /proc/PID/mem";
	return NULL;
}

/* ---- the reader child ---- */

/*
 * What the child sends: a frame header, then len bytes for 'M' (maps
 * text) and 'D' (data).  'B' starts the mapping of line len; 'Z' is len
 * bytes that could not be read (errno in err); 'E' ends the mapping
 * (len 1: the cap cut it; err: why it stopped early); 'C' the cap is
 * reached; 'F' the process cannot be read (err; len 0: maps, 1: mem);
 * '.' the end.
 */
struct frame {
	uint8_t type;
	uint8_t pad[3];
	uint32_t err;
	uint64_t len;
};

#define CHUNK (1u << 20)
#define PAGE 4096u

/* Seconds the child waits before it reads anything (tests). */
static unsigned stall_secs;

void
irt_pmem_test_stall(unsigned secs)
{
	stall_secs = secs;
}

static int
full_write(int fd, const void *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

static int
send_frame(int fd, char type, uint32_t err, uint64_t len)
{
	struct frame f;

	memset(&f, 0, sizeof f);
	f.type = (uint8_t)type;
	f.err = err;
	f.len = len;
	return full_write(fd, &f, sizeof f);
}

struct child {
	int out, mem;
	unsigned char *buf;
	uint64_t zeros; /* unreadable bytes not yet sent */
	uint32_t zerr;
};

static int
flush_zeros(struct child *k)
{
	int rc = 0;

	if (k->zeros > 0)
		rc = send_frame(k->out, 'Z', k->zerr, k->zeros);
	k->zeros = 0;
	return rc;
}

static int
send_data(struct child *k, size_t n)
{
	if (flush_zeros(k) != 0 || send_frame(k->out, 'D', 0, n) != 0)
		return -1;
	return full_write(k->out, k->buf, n);
}

/*
 * Reads [addr, addr + len): 0, 1 when the process is gone (a read of
 * 0 bytes: its memory is no more), -1 when the pipe is broken, or
 * errno (positive, above 1) of an error other than an unreadable page.
 */
static int
read_range(struct child *k, uint64_t addr, uint64_t len, uint32_t *gone)
{
	uint64_t left = len, p, stop;
	size_t n;
	ssize_t r;

	while (left > 0) {
		n = left < CHUNK ? (size_t)left : CHUNK;
		r = pread(k->mem, k->buf, n, (off_t)addr);
		if (r > 0) {
			if (send_data(k, (size_t)r) != 0)
				return -1;
			addr += (uint64_t)r;
			left -= (uint64_t)r;
			continue;
		}
		if (r == 0) {
			*gone = ESRCH;
			return 1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EIO && errno != EFAULT)
			return errno > 1 ? errno : EIO;
		/* a page of the chunk cannot be read: page by page */
		for (p = addr, stop = addr + n; p < stop;) {
			size_t m = (size_t)(PAGE - p % PAGE);
			if (m > stop - p)
				m = (size_t)(stop - p);
			r = pread(k->mem, k->buf, m, (off_t)p);
			if (r < 0 && errno == EINTR)
				continue;
			if (r > 0) {
				if (send_data(k, (size_t)r) != 0)
					return -1;
				p += (uint64_t)r;
				continue;
			}
			if (r == 0) {
				*gone = ESRCH;
				return 1;
			}
			if (errno != EIO && errno != EFAULT)
				return errno > 1 ? errno : EIO;
			if (k->zeros == 0)
				k->zerr = (uint32_t)errno;
			k->zeros += m;
			p += m;
		}
		addr += n;
		left -= n;
	}
	return flush_zeros(k) != 0 ? -1 : 0;
}

static void __attribute__((noreturn))
child_main(int dirfd, int out, uint64_t cap)
{
	struct child k;
	struct irt_maps_ent *m;
	const char *pos, *end;
	unsigned char *maps;
	uint64_t left = cap, n;
	ssize_t r;
	size_t len = 0;
	int fd, rc, trunc = 0;
	uint32_t gone = 0;

	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&k, 0, sizeof k);
	k.out = out;
	/* no malloc after fork in a threaded process: mmap */
	maps = mmap(NULL, IRT_MAPS_MAX + CHUNK + sizeof *m,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (maps == MAP_FAILED) {
		send_frame(out, 'F', (uint32_t)errno, 0);
		_exit(1);
	}
	if (stall_secs > 0) {
		struct timespec ts = { (time_t)stall_secs, 0 };
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	k.buf = maps + IRT_MAPS_MAX;
	m = (struct irt_maps_ent *)(void *)(k.buf + CHUNK);
	if ((fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC)) == -1) {
		send_frame(out, 'F', (uint32_t)errno, 0);
		_exit(1);
	}
	if ((k.mem = openat(dirfd, "mem", O_RDONLY | O_CLOEXEC)) == -1) {
		send_frame(out, 'F', (uint32_t)errno, 1);
		_exit(1);
	}
	for (;;) {
		if (len == IRT_MAPS_MAX) {
			trunc = 1;
			break;
		}
		r = read(fd, maps + len, IRT_MAPS_MAX - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			send_frame(out, 'F', (uint32_t)errno, 0);
			_exit(1);
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (send_frame(out, 'M', (uint32_t)trunc, len) != 0 ||
	    full_write(out, maps, len) != 0)
		_exit(1);
	pos = (const char *)maps;
	end = pos + len;
	memset(m, 0, sizeof *m);
	while ((rc = irt_maps_next(m, &pos, end)) != 0) {
		if (rc < 0 || irt_maps_skip(m) != NULL)
			continue;
		if (left == 0) {
			if (send_frame(out, 'C', 0, 0) != 0)
				_exit(1);
			break;
		}
		n = m->end - m->start;
		if (n > left)
			n = left;
		if (send_frame(out, 'B', 0, m->lineno) != 0)
			_exit(1);
		rc = read_range(&k, m->start, n, &gone);
		if (rc < 0)
			_exit(1);
		left -= n;
		if (send_frame(out, 'E', rc == 1 ? gone : (uint32_t)rc,
		        n < m->end - m->start ? 1 : 0) != 0)
			_exit(1);
		if (rc == 1)
			break;
	}
	send_frame(out, '.', 0, 0);
	_exit(0);
}

/* ---- the parent ---- */

struct reader {
	pid_t child;
	int in;
	double timeout;
	volatile int *cancel;
	int timed_out, cancelled, broken;
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads n bytes: 0, or -1 (timed out, cancelled, the child ended). */
static int
rd_full(struct reader *rd, void *p, size_t n)
{
	double deadline = mono() + rd->timeout, now;
	struct pollfd pfd;
	ssize_t r;
	int ms;

	while (n > 0) {
		r = read(rd->in, p, n);
		if (r > 0) {
			p = (char *)p + r;
			n -= (size_t)r;
			deadline = mono() + rd->timeout;
			continue;
		}
		if (r == 0) {
			rd->broken = 1;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			rd->broken = 1;
			return -1;
		}
		if (rd->cancel != NULL && *rd->cancel) {
			rd->cancelled = 1;
			return -1;
		}
		now = mono();
		if (now >= deadline) {
			rd->timed_out = 1;
			return -1;
		}
		ms = (int)((deadline - now) * 1000) + 1;
		if (ms > 200)
			ms = 200; /* look at cancel now and then */
		pfd.fd = rd->in;
		pfd.events = POLLIN;
		poll(&pfd, 1, ms);
	}
	return 0;
}

/*
 * Ends the child: killed unless it said it is done (then killed when it
 * does not exit within a second); reaped within five seconds, else left
 * (in uninterruptible sleep, killed, reaped never) and the collection
 * goes on.
 */
static void
end_child(struct reader *rd, int done)
{
	double start = mono();
	int status, pidfd, killed = 0;
	struct pollfd pfd;
	pid_t w;

	if (rd->child <= 0)
		return;
	pidfd = (int)syscall(SYS_pidfd_open, rd->child, 0);
	for (;;) {
		if (!killed && (!done || mono() - start >= 1)) {
			kill(rd->child, SIGKILL);
			killed = 1;
		}
		w = waitpid(rd->child, &status, WNOHANG);
		if (w == rd->child || (w < 0 && errno != EINTR))
			break;
		if (mono() - start >= 5)
			break;
		pfd.fd = pidfd;
		pfd.events = POLLIN;
		if (pidfd >= 0)
			poll(&pfd, 1, 100);
		else
			usleep(10000);
	}
	if (pidfd >= 0)
		close(pidfd);
	rd->child = -1;
}

static void
region_init(struct irt_pmem_region *r, const struct irt_maps_ent *m)
{
	memset(r, 0, sizeof *r);
	r->m = m;
}

/* Writes len zeros at *off of fd (a hole). */
static int
put_zeros(int fd, uint64_t *off, uint64_t len)
{
	*off += len;
	if (ftruncate(fd, (off_t)*off) != 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot write a temporary file");
	return 0;
}

static int
put_data(
    struct reader *rd, int fd, uint64_t *off, uint64_t len, unsigned char *buf)
{
	size_t n;
	ssize_t w;
	size_t done;

	while (len > 0) {
		n = len < CHUNK ? (size_t)len : CHUNK;
		if (rd_full(rd, buf, n) != 0)
			return 1;
		for (done = 0; done < n; done += (size_t)w) {
			w = pwrite(
			    fd, buf + done, n - done, (off_t)(*off + done));
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0)
				return irt_error_sys(IRT_EIO,
				    w < 0 ? errno : EIO,
				    "cannot write a temporary file");
		}
		*off += n;
		len -= n;
	}
	return 0;
}

/*
 * Hands the mappings of the maps text up to line upto (0: all) to
 * ops->region as not read, with why (NULL: irt_maps_skip's reason).
 */
static int
flush_unread(struct irt_pmem_stats *st, const struct irt_pmem_ops *ops,
    void *arg, struct irt_maps_ent *m, const char **pos, const char *end,
    size_t upto, const char *why, int truncated)
{
	struct irt_pmem_region r;
	const char *save;
	size_t line;
	int rc, prc;

	for (;;) {
		save = *pos;
		line = m->lineno;
		if ((prc = irt_maps_next(m, pos, end)) == 0)
			return 0;
		if (upto != 0 && m->lineno >= upto) {
			/* the child's mapping: parsed again by the caller */
			*pos = save;
			m->lineno = line;
			return 0;
		}
		region_init(&r, m);
		if (prc < 0) {
			st->malformed++;
			snprintf(r.error, sizeof r.error, "malformed line: %s",
			    m->why);
		} else {
			st->mappings++;
			if (irt_maps_skip(m) != NULL)
				snprintf(r.error, sizeof r.error,
				    "not read: %s", irt_maps_skip(m));
			else {
				snprintf(r.error, sizeof r.error,
				    "not read: %s", why ? why : "?");
				r.truncated = truncated;
			}
		}
		if ((rc = ops->region(arg, &r, -1)) != 0)
			return rc;
	}
}

int
irt_pmem_collect(struct irt_pmem_stats *st, int pid, uint64_t cap,
    double timeout, int tmpfd, const struct irt_pmem_ops *ops, void *arg,
    volatile int *cancel)
{
	struct reader rd;
	struct frame f;
	struct irt_buf maps = IRT_BUF_INIT;
	struct irt_maps_ent *m = NULL;
	struct irt_pmem_region r;
	unsigned char *buf = NULL;
	const char *pos = NULL, *end = NULL, *rest = NULL;
	char dir[32];
	int dirfd, p[2], rc = 0, in_region = 0, done = 0;
	uint64_t off = 0;

	memset(st, 0, sizeof *st);
	memset(&rd, 0, sizeof rd);
	rd.child = -1;
	rd.in = -1;
	rd.timeout = timeout > 0 ? timeout : 30;
	rd.cancel = cancel;
	snprintf(dir, sizeof dir, "/proc/%d", pid);
	if ((dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		st->gone = 1;
		snprintf(st->reason, sizeof st->reason, "%s",
		    errno == ENOENT ? "no such process" : strerror(errno));
		return 0;
	}
	if ((buf = malloc(CHUNK)) == NULL ||
	    (m = calloc(1, sizeof *m)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		rc = irt_error_sys(IRT_EIO, errno, "pipe");
		goto out;
	}
	if ((rd.child = fork()) < 0) {
		rc = irt_error_sys(IRT_EIO, errno, "fork");
		close(p[0]);
		close(p[1]);
		goto out;
	}
	if (rd.child == 0) {
		close(p[0]);
		child_main(dirfd, p[1], cap);
	}
	close(p[1]);
	rd.in = p[0];
	fcntl(rd.in, F_SETFL, O_NONBLOCK);

	for (;;) {
		if (rd_full(&rd, &f, sizeof f) != 0)
			break;
		switch (f.type) {
		case 'F':
			snprintf(st->reason, sizeof st->reason,
			    "%scannot open /proc/%d/%s: %s",
			    f.len && f.err == ESRCH
			        ? "no memory (a kernel thread, a zombie, or "
			          "a process that has exited): "
			        : "",
			    pid, f.len ? "mem" : "maps", strerror((int)f.err));
			if (f.len && f.err == ESRCH)
				; /* skipped */
			else if (f.err == ENOENT || f.err == ESRCH)
				st->gone = 1;
			else
				st->failed = 1;
			done = 1;
			goto end;
		case 'M':
			if (f.len > IRT_MAPS_MAX || pos != NULL) {
				rd.broken = 1;
				goto end;
			}
			if (irt_buf_grow(&maps, (size_t)f.len + 1) != 0) {
				rc = IRT_ENOMEM;
				goto out;
			}
			if (rd_full(&rd, maps.ptr, (size_t)f.len) != 0)
				goto end;
			maps.len = (size_t)f.len;
			maps.ptr[maps.len] = '\0';
			st->maps_truncated = f.err != 0;
			if ((rc = ops->maps(arg, maps.ptr, maps.len,
			         st->maps_truncated)) != 0)
				goto out;
			pos = maps.ptr;
			end = maps.ptr + maps.len;
			break;
		case 'B':
			if (pos == NULL || in_region) {
				rd.broken = 1;
				goto end;
			}
			if ((rc = flush_unread(st, ops, arg, m, &pos, end,
			         (size_t)f.len, NULL, 0)) != 0)
				goto out;
			rest = pos;
			if (irt_maps_next(m, &pos, end) != 1 ||
			    m->lineno != f.len) {
				rd.broken = 1;
				pos = rest;
				goto end;
			}
			st->mappings++;
			region_init(&r, m);
			r.read = 1;
			in_region = 1;
			off = 0;
			if (ftruncate(tmpfd, 0) != 0) {
				rc = irt_error_sys(IRT_EIO, errno,
				    "cannot write a temporary file");
				goto out;
			}
			break;
		case 'D':
			if (!in_region || f.len > CHUNK) {
				rd.broken = 1;
				goto end;
			}
			if ((rc = put_data(&rd, tmpfd, &off, f.len, buf)) < 0)
				goto out;
			if (rc > 0) {
				rc = 0;
				goto end;
			}
			break;
		case 'Z':
			if (!in_region || f.len > r.m->end - r.m->start - off) {
				rd.broken = 1;
				goto end;
			}
			if ((rc = put_zeros(tmpfd, &off, f.len)) != 0)
				goto out;
			r.unreadable += f.len;
			snprintf(r.error, sizeof r.error,
			    "%llu bytes unreadable (%s), stored as zeros",
			    (unsigned long long)r.unreadable,
			    strerror((int)f.err));
			break;
		case 'E':
			if (!in_region) {
				rd.broken = 1;
				goto end;
			}
			in_region = 0;
			r.stored = off;
			r.truncated = f.len != 0;
			if (r.truncated)
				st->cap_reached = 1;
			if (f.err == ESRCH) {
				st->gone = 1;
				snprintf(st->reason, sizeof st->reason,
				    "the process exited during the read");
				snprintf(r.error, sizeof r.error,
				    "the process exited during the read");
			} else if (f.err != 0)
				snprintf(r.error, sizeof r.error,
				    "read stopped after %llu bytes: %s",
				    (unsigned long long)off,
				    strerror((int)f.err));
			st->read++;
			st->stored += r.stored;
			st->unreadable += r.unreadable;
			if ((rc = ops->region(arg, &r, tmpfd)) != 0)
				goto out;
			break;
		case 'C':
			st->cap_reached = 1;
			break;
		case '.':
			done = 1;
			goto end;
		default:
			rd.broken = 1;
			goto end;
		}
	}
end:
	end_child(&rd, done);
	if (done && pos != NULL && maps.len == 0)
		snprintf(st->reason, sizeof st->reason,
		    "no memory mappings (a kernel thread, or a process that "
		    "has exited)");
	if (rd.timed_out) {
		st->timed_out = 1;
		snprintf(st->reason, sizeof st->reason,
		    "the reader sent nothing for %gs and was killed",
		    rd.timeout);
	} else if (rd.cancelled)
		snprintf(st->reason, sizeof st->reason, "interrupted");
	else if (rd.broken && st->reason[0] == '\0') {
		st->failed = 1;
		snprintf(st->reason, sizeof st->reason,
		    "the reader ended unexpectedly");
	}
	if (in_region) {
		/* what was read before it stopped */
		r.stored = off;
		snprintf(r.error, sizeof r.error, "%s", st->reason);
		st->read++;
		st->stored += r.stored;
		st->unreadable += r.unreadable;
		if ((rc = ops->region(arg, &r, tmpfd)) != 0)
			goto out;
	}
	if (pos != NULL)
		rc = flush_unread(st, ops, arg, m, &pos, end, 0,
		    st->cap_reached && !rd.timed_out && !rd.cancelled &&
		            !rd.broken
		        ? "the cap is reached"
		        : st->reason[0] ? st->reason
		                        : "the reader stopped",
		    st->cap_reached);
out:
	end_child(&rd, 0);
	if (rd.in >= 0)
		close(rd.in);
	close(dirfd);
	free(buf);
	free(m);
	irt_buf_release(&maps);
	return rc;
}

/* ---- the index ---- */

int
irt_pmem_index_line(struct irt_buf *out, const struct irt_pmem_region *r,
    const char *apath, const char *sha256)
{
	const struct irt_maps_ent *m = r->m;
	struct irt_jw w;
	char s[24], dev[40];

	irt_jw_init(&w, out);
	irt_jw_object(&w, NULL);
	irt_jw_uint(&w, "line", m->lineno);
	if (m->why == NULL) {
		snprintf(s, sizeof s, "%llx", (unsigned long long)m->start);
		irt_jw_str(&w, "start", s);
		snprintf(s, sizeof s, "%llx", (unsigned long long)m->end);
		irt_jw_str(&w, "end", s);
		irt_jw_uint(&w, "size", m->end - m->start);
		irt_jw_str(&w, "perms", m->perms);
		snprintf(s, sizeof s, "%llx", (unsigned long long)m->offset);
		irt_jw_str(&w, "offset", s);
		snprintf(
		    dev, sizeof dev, "%02x:%02x", m->dev_major, m->dev_minor);
		irt_jw_str(&w, "dev", dev);
		irt_jw_uint(&w, "inode", m->inode);
		irt_jw_str(&w, "path", m->path);
		irt_jw_str(&w, "archive_path", apath);
		irt_jw_uint(&w, "stored", r->stored);
		irt_jw_uint(&w, "unreadable", r->unreadable);
		irt_jw_str(&w, "sha256", sha256);
		irt_jw_bool(&w, "truncated", r->truncated != 0);
	}
	irt_jw_str_or_null(&w, "error", r->error);
	irt_jw_end(&w);
	return irt_jw_line(&w);
}

int
irt_pmem_index_summary(
    struct irt_buf *out, int pid, uint64_t cap, const struct irt_pmem_stats *st)
{
	struct irt_jw w;

	irt_jw_init(&w, out);
	irt_jw_object(&w, NULL);
	irt_jw_bool(&w, "summary", true);
	irt_jw_int(&w, "pid", pid);
	irt_jw_uint(&w, "mappings", st->mappings);
	irt_jw_uint(&w, "read", st->read);
	irt_jw_uint(&w, "stored", st->stored);
	irt_jw_uint(&w, "unreadable", st->unreadable);
	irt_jw_uint(&w, "malformed", st->malformed);
	irt_jw_uint(&w, "cap", cap);
	irt_jw_bool(&w, "cap_reached", st->cap_reached != 0);
	irt_jw_bool(&w, "maps_truncated", st->maps_truncated != 0);
	irt_jw_bool(&w, "timed_out", st->timed_out != 0);
	irt_jw_str_or_null(&w, "error", st->reason);
	irt_jw_end(&w);
	return irt_jw_line(&w);
}
