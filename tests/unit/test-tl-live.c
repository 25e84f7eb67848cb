/*
 * The timeline's sources of irt's own live data (processes.jsonl,
 * sockets.jsonl, packages-verify.jsonl) and of lastlog: fixtures built
 * here, hostile ones among them.
 */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "timeline/tl-internal.h"

struct warns {
	unsigned n;
	char all[8192]; /* the first warnings, one a line */
};

static void
on_warn(const char *msg, void *arg)
{
	struct warns *w = arg;
	size_t n = strlen(w->all);

	w->n++;
	snprintf(w->all + n, sizeof w->all - n, "%s\n", msg);
}

static int
to_buf(const char *data, size_t len, void *arg)
{
	return irt_buf_put(arg, data, len);
}

static struct irt_tl *
tl_start(struct warns *w)
{
	struct irt_tl_opts o;
	struct irt_tl *tl;

	memset(&o, 0, sizeof o);
	o.warn = on_warn;
	o.arg = w;
	assert_int_equal(irt_tl_new(&tl, &o), 0);
	return tl;
}

static void
tl_end(struct irt_tl *tl, struct irt_buf *out)
{
	struct irt_tl_write_opts wo;

	memset(&wo, 0, sizeof wo);
	wo.format = IRT_TL_JSONL;
	assert_int_equal(irt_tl_write(tl, &wo, to_buf, out), 0);
	irt_tl_free(tl);
}

static void
add_str(struct irt_tl *tl, const char *kind, const char *name, const char *s)
{
	assert_int_equal(
	    irt_tl_add_buffer(tl, kind, name, s, strlen(s), NULL), 0);
}

static unsigned
count(const char *hay, const char *needle)
{
	unsigned n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

#define CONTAINS(hay, needle)                                                  \
	do {                                                                   \
		if (strstr((hay), (needle)) == NULL)                           \
			fail_msg("no '%s' in:\n%s", (needle), (hay));          \
	} while (0)

static const char procs[] =
    "{\"pid\":1,\"ppid\":0,\"uid\":0,\"start\":\"2026-01-01T00:00:00Z\","
    "\"comm\":\"systemd\",\"cmdline\":[\"/sbin/init\",\"splash\"],"
    "\"exe\":\"/usr/lib/systemd/systemd\",\"exe_deleted\":false,"
    "\"exe_memfd\":false,\"exe_copy\":null,\"exe_sha256\":\"ab\","
    "\"cwd\":\"/\",\"environ\":[],\"maps\":null,\"deleted_fds\":[]}\n"
    "{\"pid\":4242,\"ppid\":1,\"uid\":1000,"
    "\"start\":\"2026-01-02T03:04:05.25Z\",\"comm\":\"x\","
    "\"cmdline\":[\"./x\",\"-c\",\"a\\u001b]0;t\\u0007\\u0000b\"],"
    "\"exe\":\"/tmp/x\",\"exe_deleted\":true,\"exe_memfd\":false,"
    "\"deleted_fds\":[{\"fd\":3,\"target\":\"/tmp/y\",\"copy\":null}]}\n";

static void
test_processes(void **state)
{
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "" };
	struct irt_tl *tl = tl_start(&w);
	const char *s;

	(void)state;
	add_str(tl, "processes", "c/processes.jsonl", procs);
	tl_end(tl, &out);
	s = irt_buf_cstr(&out);
	assert_int_equal(w.n, 0);
	assert_int_equal(count(s, "\"type\":\"irt:process\""), 2);
	CONTAINS(s, "\"time\":\"2026-01-01T00:00:00Z\"");
	CONTAINS(s,
	    "\"message\":\"Process started: 1 (systemd) /sbin/init "
	    "splash\"");
	CONTAINS(s,
	    "\"pid\":\"1\",\"ppid\":\"0\",\"uid\":\"0\","
	    "\"comm\":\"systemd\",\"exe\":\"/usr/lib/systemd/systemd\","
	    "\"cmdline\":\"/sbin/init splash\",\"deleted\":\"false\","
	    "\"memfd\":\"false\",\"exe_sha256\":\"ab\",\"cwd\":\"/\"");
	CONTAINS(s, "\"time\":\"2026-01-02T03:04:05.250Z\"");
	/* escapes decoded, then written escaped; the NUL kept */
	CONTAINS(s, "\"cmdline\":\"./x -c a\\u001b]0;t\\u0007\\u0000b\"");
	CONTAINS(s, "[executable deleted]");
	CONTAINS(s, "\"deleted\":\"true\"");
	CONTAINS(s, "\"deleted_fds\":\"/tmp/y\"");
	irt_buf_release(&out);
}

static void
test_processes_hostile(void **state)
{
	static const char in[] =
	    "{\"pid\":7,\"start\":\"2026-01-01T00:00:00Z\",\"comm\":\"ok\"}\n"
	    "{\"pid\":1,\"start\":\"2026-01-01T00:00:00Z\"\n"
	    "{\"pid\":99999999999999999999999,\"start\":\"2026-01-01T00:00:"
	    "00Z\"}\n"
	    "{\"pid\":-1,\"start\":\"2026-01-01T00:00:00Z\"}\n"
	    "{\"pid\":1.5,\"start\":\"2026-01-01T00:00:00Z\"}\n"
	    "{\"pid\":2,\"start\":\"2900-01-01T00:00:00Z\"}\n"
	    "{\"pid\":3,\"start\":\"2026-01-01T00:00:00Z\\u0000x\"}\n"
	    "{\"pid\":4,\"start\":12}\n"
	    "{\"pid\":5,\"start\":null}\n"
	    "[1,2]\n"
	    "{\"pid\":6,\"start\":\"2026-01-01T00:00:00Z\"} trailing\n"
	    "{\"pid\":8,\"start\":\"2026-01-01T00:00:01Z\",\"ppid\":1e99,"
	    "\"uid\":-5,\"comm\":{\"a\":[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]"
	    "}}\n"
	    "{\"pid\":9,\"start\":\"2026-01-01T00:00:02Z\",\"comm\":\"ok2\"}";
	struct irt_buf out = IRT_BUF_INIT, bin = IRT_BUF_INIT;
	struct warns w = { 0, "" };
	struct irt_tl *tl = tl_start(&w);
	const char *s;

	(void)state;
	add_str(tl, "processes", "mem", in);
	/* NUL bytes in a line */
	irt_buf_puts(&bin, "{\"pid\":10,\"start\":\"2026-01-01T00:00:03Z\"");
	irt_buf_put(&bin, "\0\0", 2);
	irt_buf_puts(
	    &bin, "}\n{\"pid\":11,\"start\":\"2026-01-01T00:00:04Z\"}\n");
	assert_int_equal(
	    irt_tl_add_buffer(tl, "processes", "bin", bin.ptr, bin.len, NULL),
	    0);
	tl_end(tl, &out);
	s = irt_buf_cstr(&out);
	CONTAINS(s, "Process started: 7 (ok)");
	CONTAINS(s, "Process started: 9 (ok2)");
	CONTAINS(s, "Process started: 11");
	/* the deep one: not an object irt reads */
	assert_null(strstr(s, "Process started: 8"));
	CONTAINS(w.all, "mem:2: not an irt process line, skipped\n");
	CONTAINS(w.all, "mem:3: not an irt process line, skipped\n");
	CONTAINS(w.all, "mem:4: not an irt process line, skipped\n");
	CONTAINS(w.all, "mem:5: not an irt process line, skipped\n");
	CONTAINS(w.all, "mem:6: start: ");
	CONTAINS(w.all, "mem:7: start is not a time, line skipped\n");
	CONTAINS(w.all, "mem:8: start is not a time, line skipped\n");
	CONTAINS(w.all, "mem:10: not an irt process line, skipped\n");
	CONTAINS(w.all, "mem:11: not an irt process line, skipped\n");
	CONTAINS(w.all, "mem: 1 processes with no start time, skipped\n");
	CONTAINS(w.all, "bin:1: ");
	assert_int_equal(count(s, "\"type\""), 3);
	irt_buf_release(&out);
	irt_buf_release(&bin);
}

static const char socks[] =
    "{\"proto\":\"tcp\",\"local\":\"0.0.0.0\",\"lport\":22,"
    "\"remote\":\"0.0.0.0\",\"rport\":0,\"state\":\"LISTEN\",\"uid\":0,"
    "\"inode\":100,\"pids\":[{\"pid\":4242,\"comm\":\"x\"},"
    "{\"pid\":1,\"comm\":\"systemd\"}]}\n"
    "{\"proto\":\"udp\",\"local\":\"0.0.0.0\",\"lport\":68,"
    "\"remote\":\"0.0.0.0\",\"rport\":0,\"state\":\"UNCONN\",\"uid\":0,"
    "\"inode\":101,\"pids\":[]}\n"
    "{\"proto\":\"unix\",\"type\":1,\"state\":1,\"inode\":102,"
    "\"path\":\"/run/x.sock\",\"pids\":[{\"pid\":4242,\"comm\":\"x\"}]}\n"
    "{\"proto\":\"tcp\",\"pids\":[{\"pid\":\"1\"}]\n"
    "{\"proto\":7,\"pids\":[]}\n";

static void
test_sockets(void **state)
{
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "" };
	struct irt_tl *tl = tl_start(&w);
	const char *s;

	(void)state;
	add_str(tl, "processes", "c/processes.jsonl", procs);
	add_str(tl, "sockets", "c/sockets.jsonl", socks);
	/* another collection, whose processes were not read */
	add_str(tl, "sockets", "d/sockets.jsonl", socks);
	tl_end(tl, &out);
	s = irt_buf_cstr(&out);
	assert_int_equal(count(s, "\"type\":\"irt:socket\""), 2);
	/* the owner that started first: pid 1 */
	CONTAINS(s,
	    "{\"time\":\"2026-01-01T00:00:00Z\",\"ns\":"
	    "1767225600000000000,\"source\":\"sockets:c/sockets.jsonl\"");
	CONTAINS(s,
	    "\"message\":\"Socket: tcp 0.0.0.0:22 -> 0.0.0.0:0 LISTEN, "
	    "held by 1 (systemd)\"");
	CONTAINS(s,
	    "\"proto\":\"tcp\",\"local_addr\":\"0.0.0.0\","
	    "\"local_port\":\"22\",\"remote_addr\":\"0.0.0.0\","
	    "\"remote_port\":\"0\",\"state\":\"LISTEN\",\"uid\":\"0\","
	    "\"inode\":\"100\",\"pid\":\"1\",\"comm\":\"systemd\","
	    "\"pids\":\"4242 1\"");
	CONTAINS(s, "\"time\":\"2026-01-02T03:04:05.250Z\"");
	CONTAINS(s, "Socket: unix /run/x.sock, held by 4242 (x)");
	CONTAINS(s, "\"socket_path\":\"/run/x.sock\"");
	CONTAINS(w.all, "c/sockets.jsonl:4: not an irt socket line, skipped\n");
	CONTAINS(w.all, "c/sockets.jsonl:5: not an irt socket line, skipped\n");
	CONTAINS(w.all,
	    "d/sockets.jsonl: no processes.jsonl of this "
	    "collection read before it: 3 sockets without a time, "
	    "skipped\n");
	/* no owner with a start time in c: quietly no event */
	assert_null(strstr(w.all, "c/sockets.jsonl: no"));
	irt_buf_release(&out);
}

static void
write_file(const char *dir, const char *name, const void *d, size_t n)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, d, n), (ssize_t)n);
	close(fd);
}

/* A sockets.jsonl read alone takes its times from the processes.jsonl
 * beside it; packages-verify.jsonl known by its name. */
static void
test_live_files(void **state)
{
	static const char pv[] =
	    "{\"package\":\"coreutils\",\"path\":\"/usr/bin/ls\","
	    "\"status\":\"changed\",\"md5_expected\":\"aa\",\"md5\":\"bb\","
	    "\"sha256\":\"cc\",\"size\":10,\"mode\":\"0755\",\"uid\":0,"
	    "\"gid\":0,\"mtime\":\"2026-03-04T05:06:07.123456789Z\","
	    "\"elf\":true,\"copy\":\"fs/usr/bin/ls\"}\n"
	    "{\"package\":\"coreutils\",\"path\":\"/usr/bin/rm\","
	    "\"status\":\"missing\",\"md5_expected\":\"dd\"}\n"
	    "{\"package\":\"x\",\"md5sums\":\"/var/lib/dpkg/info/x.md5sums\","
	    "\"line\":2,\"status\":\"malformed\",\"reason\":\"r\"}\n"
	    "{\"package\":\"y\",\"path\":\"/y\",\"status\":\"changed\","
	    "\"mtime\":\"1970-13-01T00:00:00Z\"}\n"
	    "{\"summary\":true,\"packages\":2}\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "" };
	struct irt_tl *tl = tl_start(&w);
	struct timespec ts[2] = { { 1767225700, 0 }, { 1767225700, 0 } };
	char *dir = unit_tmpdir(), spec[4200];
	const char *s;

	(void)state;
	write_file(dir, "processes.jsonl", procs, strlen(procs));
	write_file(dir, "sockets.jsonl", socks, strlen(socks));
	write_file(dir, "packages-verify.jsonl", pv, strlen(pv));
	snprintf(spec, sizeof spec, "%s/packages-verify.jsonl", dir);
	assert_int_equal(utimensat(AT_FDCWD, spec, ts, 0), 0);
	assert_int_equal(irt_tl_add(tl, spec, NULL), 0);
	snprintf(spec, sizeof spec, "%s/sockets.jsonl", dir);
	assert_int_equal(irt_tl_add(tl, spec, NULL), 0);
	tl_end(tl, &out);
	s = irt_buf_cstr(&out);
	assert_int_equal(count(s, "\"type\":\"irt:socket\""), 2);
	assert_int_equal(count(s, "\"type\":\"irt:process\""), 0);
	CONTAINS(s, "held by 1 (systemd)");
	CONTAINS(s, "{\"time\":\"2026-03-04T05:06:07.123456789Z\"");
	CONTAINS(s, "\"type\":\"irt:package:file\",\"path\":");
	CONTAINS(s,
	    "\"message\":\"Package file changed: /usr/bin/ls "
	    "(coreutils)\",\"fields\":{\"package\":\"coreutils\","
	    "\"file\":\"/usr/bin/ls\",\"status\":\"changed\","
	    "\"md5_expected\":\"aa\",\"md5\":\"bb\",\"sha256\":\"cc\","
	    "\"size\":\"10\",\"mode\":\"0755\",\"uid\":\"0\","
	    "\"gid\":\"0\",\"copy\":\"fs/usr/bin/ls\"}");
	/* the missing file at the time of the list */
	CONTAINS(s, "{\"time\":\"2026-01-01T00:01:40Z\"");
	CONTAINS(s, "Package file missing: /usr/bin/rm (coreutils)");
	assert_int_equal(count(s, "\"type\":\"irt:package:file\""), 2);
	CONTAINS(w.all, "packages-verify.jsonl:4: mtime: ");
	assert_int_equal(w.n, 3); /* and the two bad socket lines */
	irt_buf_release(&out);
	unit_rmtree(dir);
}

/* A lastlog record. */
static void
ll_rec(unsigned char *r, int32_t t, const char *line, const char *host)
{
	memset(r, 0, 292);
	memcpy(r, &t, 4);
	memcpy(r + 4, line, strnlen(line, 32));
	memcpy(r + 36, host, strnlen(host, 256));
}

static void
test_lastlog(void **state)
{
	struct irt_buf in = IRT_BUF_INIT, out = IRT_BUF_INIT;
	struct warns w = { 0, "" };
	struct irt_tl *tl = tl_start(&w);
	unsigned char r[292];
	char host[300];
	const char *s;
	int i;

	(void)state;
	ll_rec(r, 1767225600, "pts/0", "10.0.0.5");
	irt_buf_put(&in, r, sizeof r); /* uid 0 */
	memset(r, 0, sizeof r);
	for (i = 1; i < 1000; i++)
		irt_buf_put(&in, r, sizeof r);
	/* uid 1000: a line and a host with no NUL, escapes */
	memset(host, 'h', sizeof host);
	ll_rec(
	    r, 1767225601, "tty1\x1b[2Jxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", host);
	irt_buf_put(&in, r, sizeof r);
	ll_rec(r, -5, "x", "y"); /* uid 1001 */
	irt_buf_put(&in, r, sizeof r);
	irt_buf_put(&in, r, 100); /* a part of a record */
	assert_int_equal(
	    irt_tl_add_buffer(tl, "lastlog", "ll", in.ptr, in.len, NULL), 0);
	tl_end(tl, &out);
	s = irt_buf_cstr(&out);
	assert_int_equal(count(s, "\"type\":\"linux:lastlog\""), 2);
	CONTAINS(s, "{\"time\":\"2026-01-01T00:00:00Z\"");
	CONTAINS(s,
	    "\"message\":\"Last login: uid 0 on pts/0 from 10.0.0.5\","
	    "\"fields\":{\"uid\":\"0\",\"tty\":\"pts/0\","
	    "\"hostname\":\"10.0.0.5\"}");
	CONTAINS(s, "{\"time\":\"2026-01-01T00:00:01Z\"");
	/* the 32 bytes of the line, the 256 of the host */
	CONTAINS(s,
	    "\"uid\":\"1000\",\"tty\":\"tty1\\u001b[2Jxxxxxxxxxxxxxxxx"
	    "xxxxxxxx\",\"hostname\":\"hhhh");
	host[0] = '"';
	memset(host + 1, 'h', 256);
	memcpy(host + 257, "\"}", 3);
	CONTAINS(s, host);
	CONTAINS(w.all,
	    "ll: lastlog record of uid 1001 at offset 292292: bad "
	    "time -5, skipped\n");
	CONTAINS(w.all,
	    "ll: 100 trailing bytes at offset 292584 (not a whole "
	    "292-byte record), ignored\n");
	assert_int_equal(w.n, 2);
	irt_buf_release(&in);
	irt_buf_release(&out);
}

/* A sparse lastlog file: its holes are not read, its uids kept. */
static void
test_lastlog_sparse(void **state)
{
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "" };
	struct irt_tl *tl = tl_start(&w);
	unsigned char r[292];
	char *dir = unit_tmpdir(), path[4200];
	const off_t big = (off_t)1500000000 * 292; /* 438 GB */
	int fd;

	(void)state;
	snprintf(path, sizeof path, "%s/lastlog", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	ll_rec(r, 1767225600, "pts/0", "a");
	assert_int_equal(pwrite(fd, r, sizeof r, 0), 292);
	ll_rec(r, 1767225601, "pts/1", "b");
	assert_int_equal(pwrite(fd, r, sizeof r, 65534 * 292), 292);
	ll_rec(r, 1767225602, "pts/2", "c");
	if (pwrite(fd, r, sizeof r, big) != 292) {
		/* a file system without such sizes */
		close(fd);
		irt_tl_free(tl);
		unit_rmtree(dir);
		skip();
	}
	close(fd);
	assert_int_equal(irt_tl_add(tl, path, NULL), 0);
	tl_end(tl, &out);
	CONTAINS(irt_buf_cstr(&out), "Last login: uid 0 on pts/0 from a");
	CONTAINS(irt_buf_cstr(&out), "Last login: uid 65534 on pts/1 from b");
	CONTAINS(
	    irt_buf_cstr(&out), "Last login: uid 1500000000 on pts/2 from c");
	assert_int_equal(w.n, 0);
	irt_buf_release(&out);
	unit_rmtree(dir);
}

/* Random bytes: warnings, never a crash, and the reading goes on. */
static void
test_lastlog_hostile(void **state)
{
	struct irt_buf in = IRT_BUF_INIT, out = IRT_BUF_INIT;
	struct warns w = { 0, "" };
	struct irt_tl *tl = tl_start(&w);
	unsigned char r[292];
	unsigned x = 7;
	size_t i;

	(void)state;
	for (i = 0; i < 292 * 50; i++) {
		x = x * 1103515245u + 12345u;
		irt_buf_putc(&in, (char)(x >> 16));
	}
	ll_rec(r, 1767225600, "ok", "ok");
	irt_buf_put(&in, r, sizeof r);
	assert_int_equal(
	    irt_tl_add_buffer(tl, "lastlog", "ll", in.ptr, in.len, NULL), 0);
	tl_end(tl, &out);
	CONTAINS(irt_buf_cstr(&out), "Last login: uid 50 on ok from ok");
	assert_true(w.n > 0);
	irt_buf_release(&in);
	irt_buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_processes_hostile),
		cmocka_unit_test(test_sockets),
		cmocka_unit_test(test_live_files),
		cmocka_unit_test(test_lastlog),
		cmocka_unit_test(test_lastlog_sparse),
		cmocka_unit_test(test_lastlog_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
