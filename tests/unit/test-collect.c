#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <zlib.h>

#include "collect/collect-int.h"
#include "util/internal.h"
#include "unit.h"

static void
write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Parallel gzip: members in order, one gzip stream for readers. */
static void
test_pgz_roundtrip(void **state)
{
	char *dir = unit_tmpdir(), path[4200], sha[65], fsha[65];
	struct irt_pgz *z;
	unsigned char *data, *back;
	size_t len = 5 * IRT_PGZ_BLOCK + 12345, i, off;
	uint64_t bytes;
	gzFile gz;
	int fd, n;

	(void)state;
	data = malloc(len);
	back = malloc(len + 1);
	assert_non_null(data);
	assert_non_null(back);
	for (i = 0; i < len; i++)
		data[i] = (unsigned char)((i * 2654435761u) >> 13);
	snprintf(path, sizeof path, "%s/t.gz", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(irt_pgz_new(&z, fd, 6, 3), 0);
	/* odd-sized writes cross the block boundaries */
	for (off = 0; off < len; off += 777777)
		assert_int_equal(irt_pgz_write(z, data + off,
		                     len - off < 777777 ? len - off : 777777),
		    0);
	assert_int_equal(irt_pgz_finish(z, sha, &bytes), 0);
	irt_pgz_free(z);
	close(fd);
	assert_int_equal(irt_sha256_file(fsha, path), 0);
	assert_string_equal(sha, fsha);
	gz = gzopen(path, "rb");
	assert_non_null(gz);
	n = gzread(gz, back, (unsigned)len + 1);
	gzclose(gz);
	assert_int_equal(n, (int)len);
	assert_memory_equal(back, data, len);
	free(data);
	free(back);
	unit_rmtree(dir);
}

/* Chunks switch between stored (random) and compressed (text) within
 * one member; the output still reads back as the input. */
static void
test_pgz_mixed(void **state)
{
	char *dir = unit_tmpdir(), path[4200], sha[65];
	struct irt_pgz *z;
	unsigned char *data, *back;
	size_t len = 3 * IRT_PGZ_BLOCK, i;
	uint64_t bytes, x = 88172645463325252ULL;
	gzFile gz;
	int fd;

	(void)state;
	data = malloc(len);
	back = malloc(len);
	assert_non_null(data);
	assert_non_null(back);
	for (i = 0; i < len; i++) {
		if ((i / 100000) % 2 == 0) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			data[i] = (unsigned char)x;
		} else
			data[i] =
			    (unsigned char)"the quick brown fox\n"[i % 20];
	}
	snprintf(path, sizeof path, "%s/m.gz", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(irt_pgz_new(&z, fd, 6, 2), 0);
	assert_int_equal(irt_pgz_write(z, data, len), 0);
	assert_int_equal(irt_pgz_finish(z, sha, &bytes), 0);
	irt_pgz_free(z);
	close(fd);
	/* about half random (stored), half text (compressed away) */
	assert_true(bytes > len / 2 - len / 20 && bytes < len / 2 + len / 20);
	gz = gzopen(path, "rb");
	assert_int_equal(gzread(gz, back, (unsigned)len), (int)len);
	gzclose(gz);
	assert_memory_equal(back, data, len);
	free(data);
	free(back);
	unit_rmtree(dir);
}

static void
test_pgz_empty(void **state)
{
	char *dir = unit_tmpdir(), path[4200], sha[65];
	struct irt_pgz *z;
	uint64_t bytes;
	char c;
	gzFile gz;
	int fd;

	(void)state;
	snprintf(path, sizeof path, "%s/e.gz", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(irt_pgz_new(&z, fd, 6, 2), 0);
	assert_int_equal(irt_pgz_finish(z, sha, &bytes), 0);
	irt_pgz_free(z);
	close(fd);
	assert_true(bytes > 0);
	gz = gzopen(path, "rb");
	assert_int_equal(gzread(gz, &c, 1), 0);
	gzclose(gz);
	unit_rmtree(dir);
}

struct fixture {
	char *dir;
	char root[4200], out[4200];
};

static void
make_fixture(struct fixture *f)
{
	char p[4300];
	struct timespec ts[2];

	f->dir = unit_tmpdir();
	snprintf(f->root, sizeof f->root, "%s/root", f->dir);
	snprintf(f->out, sizeof f->out, "%s/out.tar.gz", f->dir);
	snprintf(p, sizeof p, "%s/var/log/sub", f->root);
	assert_int_equal(irt_mkdirs(p, 0755), 0);
	snprintf(p, sizeof p, "%s/var/log/syslog", f->root);
	write_file(p, "line one\nline two\n", 18);
	/* an old atime that a plain read would move (relatime) */
	ts[0].tv_sec = 1000000000;
	ts[0].tv_nsec = 123456789;
	ts[1].tv_sec = 0;
	ts[1].tv_nsec = UTIME_OMIT;
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	snprintf(p, sizeof p, "%s/var/log/sub/big", f->root);
	{
		char buf[5000];
		memset(buf, 'x', sizeof buf);
		write_file(p, buf, sizeof buf);
	}
	snprintf(p, sizeof p, "%s/var/log/link", f->root);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	snprintf(p, sizeof p, "%s/var/log/fifo", f->root);
	assert_int_equal(mkfifo(p, 0644), 0);
}

static struct irt_profile *
profile(const char *text)
{
	struct irt_profile *p;

	assert_int_equal(irt_profile_parse(&p, text, strlen(text), "t"), 0);
	return p;
}

static void
test_collect_and_verify(void **state)
{
	struct fixture f;
	struct irt_profile *prof =
	    profile("file /var/log/**\n"
	            "file /var/log/sub/big max-size=1000\n"
	            "file /nonexistent\n");
	struct irt_collect_opts o;
	struct irt_collect_result r;
	struct irt_verify_report vr;
	struct stat st;
	char p[4300];

	(void)state;
	make_fixture(&f);
	memset(&o, 0, sizeof o);
	o.profile = prof;
	o.root = f.root;
	o.output = f.out;
	o.hashes = IRT_HASH_SHA256 | IRT_HASH_MD5;
	o.threads = 2;
	assert_int_equal(irt_collect(&r, &o), 0);
	assert_string_equal(r.archive, f.out);
	/* syslog, big, link, sub, fifo, host.json: all ok but the fifo */
	assert_int_equal(r.counts[IRT_ST_OK], 5);
	assert_int_equal(r.counts[IRT_ST_SKIPPED], 1);
	assert_int_equal(r.counts[IRT_ST_ERROR], 0);
	/* the atime did not move */
	snprintf(p, sizeof p, "%s/var/log/syslog", f.root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_atim.tv_sec, 1000000000);
	assert_int_equal(st.st_atim.tv_nsec, 123456789);
	/* the sidecar sits beside the archive; no .part is left */
	snprintf(p, sizeof p, "%s.sha256", f.out);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof p, "%s.part", f.out);
	assert_int_not_equal(stat(p, &st), 0);
	assert_int_equal(irt_archive_verify(&vr, f.out), 0);
	assert_int_equal(vr.nproblems, 0);
	assert_int_equal(vr.sidecar, 1);
	assert_string_equal(vr.sha256, r.sha256);
	irt_verify_report_release(&vr);
	irt_collect_result_release(&r);

	/* one byte changed in the archive is detected */
	{
		int fd = open(f.out, O_RDWR);
		unsigned char c;
		assert_true(fd >= 0);
		assert_int_equal(pread(fd, &c, 1, 200), 1);
		c ^= 0x20;
		assert_int_equal(pwrite(fd, &c, 1, 200), 1);
		close(fd);
	}
	assert_int_equal(irt_archive_verify(&vr, f.out), 0);
	assert_true(vr.nproblems > 0);
	assert_int_equal(vr.sidecar, -1);
	irt_verify_report_release(&vr);
	irt_profile_free(prof);
	unit_rmtree(f.dir);
}

static void
test_collect_output_exists(void **state)
{
	struct fixture f;
	struct irt_profile *prof = profile("file /var/log/syslog\n");
	struct irt_collect_opts o;
	struct irt_collect_result r;
	char p[4300];

	(void)state;
	make_fixture(&f);
	snprintf(p, sizeof p, "%s.part", f.out);
	write_file(p, "x", 1);
	memset(&o, 0, sizeof o);
	o.profile = prof;
	o.root = f.root;
	o.output = f.out;
	/* a stale .part is not overwritten */
	assert_int_equal(irt_collect(&r, &o), IRT_EIO);
	irt_profile_free(prof);
	unit_rmtree(f.dir);
}

static void
test_default_name(void **state)
{
	struct fixture f;
	char *name, p[4300];
	irt_ns t = (irt_ns)1795814079 * IRT_NS_PER_SEC;

	(void)state;
	make_fixture(&f);
	snprintf(p, sizeof p, "%s/etc", f.root);
	assert_int_equal(irt_mkdirs(p, 0755), 0);
	snprintf(p, sizeof p, "%s/etc/hostname", f.root);
	write_file(p, "web/01\n", 7);
	assert_int_equal(irt_collect_default_name(&name, f.root, t), 0);
	assert_string_equal(name, "web_01-20261127T211439Z.tar.gz");
	free(name);
	unit_rmtree(f.dir);
}

/*
 * Live entries built by hand (not through the parser) whose names
 * collide with the standard error of another: one member per name, and
 * the archive verifies.
 */
static void
test_live_name_collision(void **state)
{
	static char *err_argv[] = { "sh", "-c", "echo out; echo err >&2",
		NULL };
	static char *x_argv[] = { "echo", "x", NULL };
	struct irt_profile_entry v[2];
	struct irt_profile prof;
	struct irt_collect_opts o;
	struct irt_collect_result r;
	struct irt_verify_report vr;
	char *dir = unit_tmpdir(), out[4200];
	int order;

	(void)state;
	for (order = 0; order < 2; order++) {
		memset(v, 0, sizeof v);
		v[order].kind = IRT_PROFILE_LIVE;
		v[order].name = "a";
		v[order].argv = err_argv;
		v[!order].kind = IRT_PROFILE_LIVE;
		v[!order].name = "a.stderr";
		v[!order].argv = x_argv;
		memset(&prof, 0, sizeof prof);
		prof.name = "hand-made";
		prof.v = v;
		prof.n = 2;
		memset(&o, 0, sizeof o);
		o.profile = &prof;
		o.root = "/";
		snprintf(out, sizeof out, "%s/o%d.tar.gz", dir, order);
		o.output = out;
		assert_int_equal(irt_collect(&r, &o), 0);
		/* the later of the two is refused */
		assert_int_equal(r.counts[IRT_ST_ERROR], 1);
		irt_collect_result_release(&r);
		assert_int_equal(irt_archive_verify(&vr, out), 0);
		assert_int_equal(vr.nproblems, 0);
		irt_verify_report_release(&vr);
	}
	unit_rmtree(dir);
}

/* The host's name for the default archive name is read inside the root:
 * a link resolves there, and a FIFO does not block. */
static void
test_default_name_hostile_root(void **state)
{
	struct fixture f;
	char *name, p[4300];
	irt_ns t = (irt_ns)1795814079 * IRT_NS_PER_SEC, t0;

	(void)state;
	make_fixture(&f);
	snprintf(p, sizeof p, "%s/etc", f.root);
	assert_int_equal(irt_mkdirs(p, 0755), 0);
	snprintf(p, sizeof p, "%s/srv", f.root);
	assert_int_equal(irt_mkdirs(p, 0755), 0);
	snprintf(p, sizeof p, "%s/srv/name-in-root", f.root);
	write_file(p, "inside\n", 7);
	/* absolute: names the root's /srv, not the host's */
	snprintf(p, sizeof p, "%s/etc/hostname", f.root);
	assert_int_equal(symlink("/srv/name-in-root", p), 0);
	assert_int_equal(irt_collect_default_name(&name, f.root, t), 0);
	assert_string_equal(name, "inside-20261127T211439Z.tar.gz");
	free(name);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0644), 0);
	t0 = irt_now();
	assert_int_equal(irt_collect_default_name(&name, f.root, t), 0);
	assert_true(irt_now() - t0 < 5 * IRT_NS_PER_SEC);
	assert_string_equal(name, "host-20261127T211439Z.tar.gz");
	free(name);
	unit_rmtree(f.dir);
}

/* verify refuses what is not a regular file instead of blocking on it */
static void
test_verify_not_regular(void **state)
{
	struct irt_verify_report vr;
	char *dir = unit_tmpdir(), p[4200];

	(void)state;
	snprintf(p, sizeof p, "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_int_equal(irt_archive_verify(&vr, p), IRT_EINVAL);
	assert_int_equal(irt_archive_verify(&vr, "/dev/zero"), IRT_EINVAL);
	unit_rmtree(dir);
}

struct waiter {
	int ready[2]; /* the thread writes its id here */
	int stop[2];  /* and waits for this to close */
};

static void *
thread_wait(void *arg)
{
	struct waiter *w = arg;
	pid_t tid = gettid();
	char c;

	if (write(w->ready[1], &tid, sizeof tid) != sizeof tid)
		return NULL;
	while (read(w->stop[0], &c, 1) < 0)
		;
	return NULL;
}

/* A process no listing names is found; a thread of a listed one is not. */
static void
test_hidden_probe(void **state)
{
	struct irt_buf out = IRT_BUF_INIT;
	struct waiter w;
	unsigned char *map;
	struct dirent *de;
	pthread_t th;
	int pfd[2], *pids = NULL, pid_max = 4194304, found = 0;
	size_t n = 0, i;
	pid_t child, tid;
	char c;
	DIR *d;

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(pfd[1]);
		while (read(pfd[0], &c, 1) < 0)
			;
		_exit(0);
	}
	close(pfd[0]);
	/* a second thread of this process: /proc/TID answers, unlisted */
	assert_int_equal(pipe(w.ready), 0);
	assert_int_equal(pipe(w.stop), 0);
	assert_int_equal(pthread_create(&th, NULL, thread_wait, &w), 0);
	assert_int_equal(read(w.ready[0], &tid, sizeof tid), sizeof tid);
	assert_int_not_equal(tid, getpid());
	map = calloc((size_t)pid_max / 8 + 1, 1);
	assert_non_null(map);
	d = opendir("/proc");
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		long v = strtol(de->d_name, NULL, 10);
		if (v > 0 && v < pid_max)
			map[v / 8] |= (unsigned char)(1u << (v % 8));
	}
	closedir(d);
	assert_false(map[tid / 8] & (1u << (tid % 8)));
	/* the child hides from the listing */
	map[child / 8] &= (unsigned char)~(1u << (child % 8));
	assert_int_equal(irt_live_hidden_probe(&pids, &n, map, pid_max), 0);
	for (i = 0; i < n; i++) {
		if (pids[i] == child)
			found = 1;
		assert_int_not_equal(pids[i], tid);
	}
	assert_true(found);
	irt_live_hidden_lines(&out, &child, 1);
	assert_non_null(
	    strstr(irt_buf_cstr(&out), "\"hidden\":\"not_listed\""));
	assert_non_null(
	    strstr(irt_buf_cstr(&out), "\"comm\":\"test-collect\""));
	close(pfd[1]);
	assert_int_equal(waitpid(child, NULL, 0), child);
	close(w.stop[1]);
	pthread_join(th, NULL);
	close(w.stop[0]);
	close(w.ready[0]);
	close(w.ready[1]);
	free(pids);
	free(map);
	irt_buf_release(&out);
}

/* Mounts over /proc/PID, from hostile mountinfo text. */
static void
test_proc_mounts(void **state)
{
	struct irt_buf out = IRT_BUF_INIT;
	const char *mi =
	    "22 1 0:5 / /proc rw,nosuid - proc proc rw\n"
	    "90 22 8:1 /tmp/empty /proc/4242 rw - ext4 /dev/sda1 rw\n"
	    "91 22 8:1 /x /proc/17/fd rw shared:1 - tmpfs a\\040b rw\n"
	    "92 22 8:1 / /proc/12ab rw - ext4 /dev/sda1 rw\n"
	    "93 22 8:1 / /proc/self rw - ext4 /dev/sda1 rw\n"
	    "94 22 8:1 / /proc/\n"
	    "95 22\n"
	    "\n"
	    "96 22 8:1 /\"q\\012 /proc/7 rw";

	(void)state;
	irt_live_proc_mounts(&out, mi);
	assert_string_equal(irt_buf_cstr(&out),
	    "{\"pid\":4242,\"hidden\":\"mount\",\"reason\":\"a mount over "
	    "/proc/PID hides what /proc says of the process\","
	    "\"mount_point\":\"/proc/4242\",\"root\":\"/tmp/empty\","
	    "\"fstype\":\"ext4\",\"source\":\"/dev/sda1\"}\n"
	    "{\"pid\":17,\"hidden\":\"mount\",\"reason\":\"a mount over "
	    "/proc/PID hides what /proc says of the process\","
	    "\"mount_point\":\"/proc/17/fd\",\"root\":\"/x\","
	    "\"fstype\":\"tmpfs\",\"source\":\"a b\"}\n"
	    "{\"pid\":7,\"hidden\":\"mount\",\"reason\":\"a mount over "
	    "/proc/PID hides what /proc says of the process\","
	    "\"mount_point\":\"/proc/7\",\"root\":\"/\\\"q\\n\","
	    "\"fstype\":null,\"source\":null}\n");
	irt_buf_release(&out);
}

/* md5sums lines as dpkg writes them, and what an intruder could write. */
static void
test_md5sums_lines(void **state)
{
	static struct irt_pkg_line l;
	static const char in[] =
	    "d41d8cd98f00b204e9800998ecf8427e  usr/bin/true\n"
	    "D41D8CD98F00B204E9800998ECF8427E *bin/sh\r\n"
	    "0123456789abcdef0123456789abcdef  /etc/abs path\n"
	    "0123456789abcdef0123456789abcde  short\n"
	    "0123456789abcdef0123456789abcdefg  long\n"
	    "0123456789abcdef0123456789abcdef\n"
	    "0123456789abcdef0123456789abcdef  usr/../../etc/shadow\n"
	    "0123456789abcdef0123456789abcdef  ..\n"
	    "\n"
	    "0123456789abcdef0123456789abcdef  a\0b\n"
	    "d41d8cd98f00b204e9800998ecf8427e  last-without-newline";
	const char *p = in, *end = in + sizeof in - 1;
	struct irt_buf big = IRT_BUF_INIT;
	int k;

	(void)state;
	memset(&l, 0, sizeof l);
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), 1);
	assert_string_equal(l.md5, "d41d8cd98f00b204e9800998ecf8427e");
	assert_string_equal(l.path, "/usr/bin/true");
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), 1);
	assert_string_equal(l.md5, "d41d8cd98f00b204e9800998ecf8427e");
	assert_string_equal(l.path, "/bin/sh");
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), 1);
	assert_string_equal(l.path, "/etc/abs path");
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), -1);
	assert_int_equal(l.lineno, 4);
	assert_string_equal(l.why, "no MD5 sum of 32 hex digits at the start");
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), -1);
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), -1);
	assert_string_equal(l.why, "no path after the MD5 sum");
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), -1);
	assert_string_equal(l.why, "a '..' component in the path");
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), -1);
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), -1);
	assert_int_equal(l.lineno, 9);
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), -1);
	assert_string_equal(l.why, "a NUL byte in the line");
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), 1);
	assert_string_equal(l.path, "/last-without-newline");
	assert_int_equal(l.lineno, 11);
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, end), 0);

	/* a path longer than any the kernel opens is refused, not cut */
	irt_buf_puts(&big, "0123456789abcdef0123456789abcdef  ");
	for (k = 0; k < 5000; k++)
		irt_buf_putc(&big, 'a');
	p = big.ptr;
	memset(&l, 0, sizeof l);
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, big.ptr + big.len), -1);
	assert_string_equal(l.why, "path too long");
	assert_int_equal(irt_pkg_md5sums_next(&l, &p, big.ptr + big.len), 0);
	irt_buf_release(&big);
}

/* /proc/modules lines, good and hostile. */
static void
test_kmod_lines(void **state)
{
	static const char in[] =
	    "nf_tables 372736 1 nft_compat, Live 0xffffffffc0a00000\n"
	    "vboxdrv 696320 2 vboxnetadp,vboxnetflt, Live 0x0000000000000000 "
	    "(OE)\n"
	    "loop 40960 - - Loading 0x0\n"
	    "bad$name 1 0 - Live 0x0\n"
	    "short 1 0 - Live\n"
	    "state 1 0 - Gone 0x0\n"
	    "taint 1 0 - Live 0x0 (oe)\n"
	    "extra 1 0 - Live 0x0 (O) more\n"
	    "nul 1 0 - Live 0x0\0\n"
	    "\n"
	    "last 1 0 - Unloading 0x0";
	struct irt_kmod_line l;
	const char *p = in, *end = in + sizeof in - 1, *why;
	struct irt_buf big = IRT_BUF_INIT;
	unsigned long long v;
	int k;

	(void)state;
	memset(&l, 0, sizeof l);
	assert_int_equal(irt_kmod_next(&l, &p, end), 1);
	assert_string_equal(l.name, "nf_tables");
	assert_string_equal(l.state, "Live");
	assert_string_equal(l.taint, "");
	assert_int_equal(l.size, 372736);
	assert_int_equal(irt_kmod_next(&l, &p, end), 1);
	assert_string_equal(l.name, "vboxdrv");
	assert_string_equal(l.taint, "OE");
	assert_int_equal(irt_kmod_next(&l, &p, end), 1);
	assert_string_equal(l.state, "Loading");
	assert_int_equal(irt_kmod_next(&l, &p, end), -1);
	assert_int_equal(l.lineno, 4);
	assert_non_null(strstr(l.why, "module name"));
	assert_int_equal(irt_kmod_next(&l, &p, end), -1);
	assert_string_equal(l.why, "no address after the state");
	assert_int_equal(irt_kmod_next(&l, &p, end), -1);
	assert_non_null(strstr(l.why, "no state"));
	assert_int_equal(irt_kmod_next(&l, &p, end), -1);
	assert_non_null(strstr(l.why, "taint"));
	assert_int_equal(irt_kmod_next(&l, &p, end), -1);
	assert_non_null(strstr(l.why, "more fields"));
	assert_int_equal(irt_kmod_next(&l, &p, end), -1);
	assert_string_equal(l.why, "a NUL byte in the line");
	assert_int_equal(irt_kmod_next(&l, &p, end), -1);
	assert_string_equal(l.why, "no module name");
	assert_int_equal(irt_kmod_next(&l, &p, end), 1);
	assert_string_equal(l.name, "last");
	assert_string_equal(l.state, "Unloading");
	assert_int_equal(l.lineno, 11);
	assert_int_equal(irt_kmod_next(&l, &p, end), 0);

	/* a huge line is one malformed line, the next one still read */
	for (k = 0; k < 100000; k++)
		irt_buf_putc(&big, 'a');
	irt_buf_puts(&big, " 1 0 - Live 0x0\nok 1 0 - Live 0x0\n");
	p = big.ptr;
	memset(&l, 0, sizeof l);
	assert_int_equal(irt_kmod_next(&l, &p, big.ptr + big.len), -1);
	assert_string_equal(l.why, "a line over 4096 bytes");
	assert_int_equal(irt_kmod_next(&l, &p, big.ptr + big.len), 1);
	assert_string_equal(l.name, "ok");
	assert_int_equal(irt_kmod_next(&l, &p, big.ptr + big.len), 0);
	irt_buf_release(&big);

	/* the taint value */
	assert_int_equal(irt_taint_parse(&v, &why, "12289\n", 6), 0);
	assert_int_equal(v, 12289);
	assert_null(why);
	assert_int_equal(irt_taint_parse(&v, &why, "0", 1), 0);
	assert_int_equal(v, 0);
	assert_int_equal(irt_taint_parse(&v, &why, "-1\n", 3), -1);
	assert_string_equal(why, "not a decimal number");
	assert_int_equal(irt_taint_parse(&v, &why, "\n", 1), -1);
	assert_string_equal(why, "empty");
	assert_int_equal(
	    irt_taint_parse(&v, &why, "99999999999999999999999", 23), -1);
	assert_string_equal(why, "a number beyond 64 bits");
	assert_int_equal(irt_taint_parse(&v, &why, "1\0002", 3), -1);
	assert_int_equal(irt_taint_flag(12)->letter, 'O');
	assert_int_equal(irt_taint_flag(13)->letter, 'E');
	assert_int_equal(irt_taint_flag(0)->letter, 'P');
	assert_null(irt_taint_flag(40));
}

static void
count_divert(void *arg, const char *from, const char *to, const char *pkg)
{
	struct irt_buf *b = arg;

	irt_buf_printf(b, "%s>%s@%s;", from, to, pkg);
}

static void
test_diversions(void **state)
{
	struct irt_buf got = IRT_BUF_INIT, bad = IRT_BUF_INIT;
	static const char in[] = "/usr/bin/x\n/usr/bin/x.distrib\nlocal\n"
	                         "rel\n/y\n:\n"
	                         "/etc/z\n/etc/z.real\n";

	(void)state;
	assert_int_equal(irt_pkg_diversions_parse(
	                     &bad, in, sizeof in - 1, count_divert, &got),
	    0);
	assert_string_equal(
	    irt_buf_cstr(&got), "/usr/bin/x>/usr/bin/x.distrib@local;");
	assert_string_equal(
	    irt_buf_cstr(&bad), "diversion 2: a path that is not absolute");
	irt_buf_clear(&bad);
	irt_buf_clear(&got);
	assert_int_equal(irt_pkg_diversions_parse(&bad, in + 45,
	                     sizeof in - 1 - 45, count_divert, &got),
	    0);
	assert_string_equal(
	    irt_buf_cstr(&bad), "diversion 1: fewer than three lines");
	assert_string_equal(irt_buf_cstr(&got), "");
	irt_buf_release(&got);
	irt_buf_release(&bad);
}

/* /etc/passwd as the homes of ~/ entries read it, hostile lines too. */
static void
test_passwd_homes(void **state)
{
	static struct irt_passwd_ent e;
	static const char in[] =
	    "root:x:0:0:root:/root:/bin/bash\n"
	    "www-data:x:33:33:www-data:/var/www:/bin/false\r\n"
	    "\n"
	    "+@nis::::::\n"
	    "short:x:1:1\n"
	    "long:x:1:1:g:/h:/s:extra\n"
	    "big:x:4294967296:1::/h:/s\n"
	    "neg:x:-1:1::/h:/s\n"
	    ":x:1:1::/h:/s\n"
	    "nul:x:1:1::/h\0x:/s\n"
	    "last:x:4294967295:7::/srv/we*rd:";
	const char *p = in, *end = in + sizeof in - 1;
	struct irt_buf b = IRT_BUF_INIT;
	static const char *const whys[] = { "a NIS compat line: not read",
		"fewer than 7 fields", "more than 7 fields",
		"a uid or gid that is not a number below 2^32",
		"a uid or gid that is not a number below 2^32",
		"an empty or overlong user name", "a NUL byte in the line" };
	size_t i;

	(void)state;
	memset(&e, 0, sizeof e);
	assert_int_equal(irt_passwd_next(&e, &p, end), 1);
	assert_string_equal(e.name, "root");
	assert_string_equal(e.home, "/root");
	assert_int_equal(irt_passwd_next(&e, &p, end), 1);
	assert_string_equal(e.home, "/var/www");
	assert_string_equal(e.shell, "/bin/false");
	assert_int_equal(e.uid, 33);
	for (i = 0; i < sizeof whys / sizeof *whys; i++) {
		assert_int_equal(irt_passwd_next(&e, &p, end), -1);
		assert_string_equal(e.why, whys[i]);
	}
	assert_int_equal(e.lineno, 10);
	assert_int_equal(irt_passwd_next(&e, &p, end), 1);
	assert_int_equal(e.uid, 4294967295UL);
	assert_string_equal(e.home, "/srv/we*rd");
	assert_string_equal(e.shell, "");
	assert_int_equal(irt_passwd_next(&e, &p, end), 0);

	assert_true(irt_home_usable("/"));
	assert_true(irt_home_usable("/home/ann/"));
	assert_false(irt_home_usable("home/ann"));
	assert_false(irt_home_usable(""));
	assert_false(irt_home_usable("/home/../etc"));
	assert_false(irt_home_usable("/home/."));
	assert_false(irt_home_usable("/home//ann"));

	irt_home_pattern(&b, "/srv/we*rd/a\\b", "/.ssh/config");
	assert_string_equal(irt_buf_cstr(&b), "/srv/we\\*rd/a\\b/.ssh/config");
	irt_home_pattern(&b, "/x/[a\\b]/", "/.bashrc");
	assert_string_equal(irt_buf_cstr(&b), "/x/\\[a\\\\b]/.bashrc");
	irt_home_pattern(&b, "/", "/.bashrc");
	assert_string_equal(irt_buf_cstr(&b), "/.bashrc");
	irt_buf_release(&b);
}

/* A private key told by its first lines, and what only looks like one. */
static void
test_ssh_key_kind(void **state)
{
	static const struct {
		const char *text, *format, *cipher;
		int is_key, enc;
	} cases[] = {
		/* ssh-keygen -t ed25519 -N pw: aes256-ctr */
		{ "-----BEGIN OPENSSH PRIVATE KEY-----\n"
		  "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAA"
		  "ABCg8nHOKX\n"
		  "-----END OPENSSH PRIVATE KEY-----\n",
		    "openssh", "aes256-ctr", 1, 1 },
		/* -N '': none */
		{ "\n-----BEGIN OPENSSH PRIVATE KEY-----\r\n"
		  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAA"
		  "AAtzc2gtZW\n",
		    "openssh", "none", 1, 0 },
		/* the magic, then a cipher length past the data */
		{ "-----BEGIN OPENSSH PRIVATE KEY-----\n"
		  "b3BlbnNzaC1rZXktdjEA/////w==\n",
		    "openssh", "", 1, -1 },
		{ "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!!\n", "openssh", "",
		    1, -1 },
		{ "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
		  "DEK-Info: AES-128-CBC,00\n\nAAAA\n",
		    "pem", "", 1, 1 },
		{ "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n", "pem", "", 1,
		    0 },
		{ "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", "pkcs8", "", 1,
		    1 },
		{ "-----BEGIN PRIVATE KEY-----\n", "pkcs8", "", 1, 0 },
		{ "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n",
		    "putty", "none", 1, 0 },
		{ "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: aes256-cbc\n",
		    "putty", "aes256-cbc", 1, 1 },
		{ "-----BEGIN CERTIFICATE-----\nPRIVATE KEY-----\n", NULL, NULL,
		    0, 0 },
		{ "ssh-ed25519 AAAA user@host\n", NULL, NULL, 0, 0 },
		{ "", NULL, NULL, 0, 0 },
	};
	const char *format;
	char cipher[64];
	size_t i;
	int enc;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		format = NULL;
		assert_int_equal(irt_ssh_key_kind(cases[i].text, &format, &enc,
		                     cipher, sizeof cipher),
		    cases[i].is_key);
		if (!cases[i].is_key)
			continue;
		assert_string_equal(format, cases[i].format);
		assert_int_equal(enc, cases[i].enc);
		assert_string_equal(cipher, cases[i].cipher);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pgz_roundtrip),
		cmocka_unit_test(test_pgz_mixed),
		cmocka_unit_test(test_pgz_empty),
		cmocka_unit_test(test_collect_and_verify),
		cmocka_unit_test(test_collect_output_exists),
		cmocka_unit_test(test_default_name),
		cmocka_unit_test(test_default_name_hostile_root),
		cmocka_unit_test(test_live_name_collision),
		cmocka_unit_test(test_verify_not_regular),
		cmocka_unit_test(test_hidden_probe),
		cmocka_unit_test(test_proc_mounts),
		cmocka_unit_test(test_md5sums_lines),
		cmocka_unit_test(test_kmod_lines),
		cmocka_unit_test(test_diversions),
		cmocka_unit_test(test_passwd_homes),
		cmocka_unit_test(test_ssh_key_kind),
	};

	return UNIT_RUN(tests);
}
