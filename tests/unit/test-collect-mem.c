/*
 * Process memory (collect-mem.c): the /proc/PID/maps parser against
 * good and hostile lines, and the reader against a mapping of this
 * process with pages that cannot be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect/collect-int.h"
#include "util/internal.h"
#include "unit.h"

static void
test_maps_lines(void **state)
{
	static const char in[] =
	    "55d5c5a3b000-55d5c5a3d000 r--p 00000000 08:01 1234       "
	    "/usr/bin/cat\n"
	    "7ffd3c9c5000-7ffd3c9e6000 rw-p 00000000 00:00 0          "
	    "[stack]\n"
	    "7f0000000000-7f0000001000 ---p 00000000 00:00 0 \n"
	    "7f0000001000-7f0000002000 r-xs 0000f000 fd:0a 99 /a path/with "
	    "spaces (deleted)\n"
	    "7ffd3c9fc000-7ffd3ca00000 r--p 00000000 00:00 0 [vvar]\n"
	    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 "
	    "[vsyscall]\n"
	    "7f0000002000-7f0000003000 rw-s 00000000 00:05 12 /dev/dri/card0\n"
	    "7f0000003000-7f0000004000 rw-s 00000000 00:01 13 /dev/zero "
	    "(deleted)\n"
	    "8000000000000000-8000000000001000 r--p 00000000 00:00 0\n"
	    "\n"
	    "00400000 r--p 00000000 00:00 0\n"
	    "00400000-00300000 r--p 00000000 00:00 0\n"
	    "00400000-00400000 r--p 00000000 00:00 0\n"
	    "00400000-00401000 rwzp 00000000 00:00 0\n"
	    "00400000-00401000 r--p 0000000g 00:00 0\n"
	    "00400000-00401000 r--p 00000000 0000 0\n"
	    "00400000-00401000 r--p 00000000 00:00 x\n"
	    "00400000-00401000 r--p 00000000 00:00 99999999999999999999999\n"
	    "00400000-00401000 r--p 00000000 00:00 12x /p\n"
	    "10000000000000000-10000000000000001 r--p 00000000 00:00 0\n"
	    "00400000-00401000 r--p 00000000 00:00 0 a\0b\n"
	    "00400000-00401000 r--p 00000000 123456789:00 0\n"
	    "00400000-00401000 r--p"
	    "\n"
	    "00400000-00401000 r--p 00000000 00:00 7 /last";
	const char *p = in, *end = in + sizeof in - 1;
	struct irt_maps_ent m;
	struct irt_buf big = IRT_BUF_INIT;
	int k;

	(void)state;
	memset(&m, 0, sizeof m);
	assert_int_equal(irt_maps_next(&m, &p, end), 1);
	assert_true(m.start == 0x55d5c5a3b000ULL && m.end == 0x55d5c5a3d000ULL);
	assert_string_equal(m.perms, "r--p");
	assert_int_equal(m.dev_major, 8);
	assert_int_equal(m.dev_minor, 1);
	assert_int_equal(m.inode, 1234);
	assert_string_equal(m.path, "/usr/bin/cat");
	assert_null(irt_maps_skip(&m));
	assert_int_equal(irt_maps_next(&m, &p, end), 1);
	assert_string_equal(m.path, "[stack]");
	assert_null(irt_maps_skip(&m));
	assert_int_equal(irt_maps_next(&m, &p, end), 1);
	assert_string_equal(m.path, "");
	assert_string_equal(irt_maps_skip(&m), "not readable");
	assert_int_equal(irt_maps_next(&m, &p, end), 1);
	assert_string_equal(m.path, "/a path/with spaces (deleted)");
	assert_int_equal(m.offset, 0xf000);
	assert_int_equal(m.dev_major, 0xfd);
	assert_int_equal(m.dev_minor, 0x0a);
	assert_null(irt_maps_skip(&m));
	assert_int_equal(irt_maps_next(&m, &p, end), 1);
	assert_string_equal(irt_maps_skip(&m), "kernel mapping");
	assert_int_equal(irt_maps_next(&m, &p, end), 1);
	assert_non_null(irt_maps_skip(&m));
	assert_int_equal(irt_maps_next(&m, &p, end), 1);
	assert_string_equal(irt_maps_skip(&m), "device mapping");
	assert_int_equal(irt_maps_next(&m, &p, end), 1);
	assert_null(irt_maps_skip(&m)); /* shared anonymous memory */
	assert_int_equal(irt_maps_next(&m, &p, end), 1);
	assert_string_equal(
	    irt_maps_skip(&m), "address beyond the offsets of /proc/PID/mem");
	assert_int_equal(m.lineno, 9);
	/* the hostile ones */
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "bad start address");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "bad start address");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "end address not after the start");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "end address not after the start");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "bad permissions");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "bad offset");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "bad device");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "bad inode");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "inode out of range");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "bad inode");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "bad start address");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "NUL byte in the line");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "bad device");
	assert_int_equal(irt_maps_next(&m, &p, end), -1);
	assert_string_equal(m.why, "bad permissions");
	assert_int_equal(irt_maps_next(&m, &p, end), 1);
	assert_string_equal(m.path, "/last");
	assert_int_equal(m.inode, 7);
	assert_int_equal(m.lineno, 24);
	assert_int_equal(irt_maps_next(&m, &p, end), 0);

	/* a line or a path longer than the bounds: refused, not cut */
	irt_buf_puts(&big, "00400000-00401000 r--p 00000000 00:00 0 /");
	for (k = 0; k < 5000; k++)
		irt_buf_putc(&big, 'a');
	irt_buf_puts(&big, "\n00400000-00401000 r--p 00000000 00:00 0 /");
	for (k = 0; k < 10000; k++)
		irt_buf_putc(&big, 'b');
	irt_buf_puts(&big, "\n00400000-00401000 r--p 00000000 00:00 0 /ok\n");
	p = big.ptr;
	memset(&m, 0, sizeof m);
	assert_int_equal(irt_maps_next(&m, &p, big.ptr + big.len), -1);
	assert_string_equal(m.why, "path too long");
	assert_int_equal(irt_maps_next(&m, &p, big.ptr + big.len), -1);
	assert_string_equal(m.why, "line too long");
	assert_int_equal(irt_maps_next(&m, &p, big.ptr + big.len), 1);
	assert_string_equal(m.path, "/ok");
	assert_int_equal(irt_maps_next(&m, &p, big.ptr + big.len), 0);
	irt_buf_release(&big);
}

/* What the reader hands over, for the mapping at ADDR. */
#define ADDR 0x100000UL
#define PG 4096

struct seen {
	int maps_calls, lines, found;
	uint64_t stored, unreadable, total;
	int truncated;
	char error[256];
	unsigned char bytes[3 * PG];
};

static int
on_maps(void *arg, const char *text, size_t len, int truncated)
{
	struct seen *s = arg;

	s->maps_calls++;
	assert_false(truncated);
	assert_true(len > 0 && text[len - 1] == '\n');
	return 0;
}

static int
on_region(void *arg, const struct irt_pmem_region *r, int fd)
{
	struct seen *s = arg;

	s->lines++;
	if (!r->read) {
		assert_int_equal(fd, -1);
		assert_true(r->error[0] != '\0');
		return 0;
	}
	s->total += r->stored;
	if (r->m->start != ADDR)
		return 0;
	s->found = 1;
	s->stored = r->stored;
	s->unreadable = r->unreadable;
	s->truncated = r->truncated;
	snprintf(s->error, sizeof s->error, "%s", r->error);
	assert_true(r->stored <= sizeof s->bytes);
	assert_int_equal(
	    pread(fd, s->bytes, (size_t)r->stored, 0), (ssize_t)r->stored);
	return 0;
}

/*
 * A mapping of three pages of a file of one page, first in the address
 * space: the pages past the end of the file cannot be read (EIO) and are
 * stored as zeros; the cap cuts it and leaves out what follows.
 */
static void
test_pmem_read_self(void **state)
{
	static const struct irt_pmem_ops ops = { on_maps, on_region };
	char *dir = unit_tmpdir(), path[4200];
	unsigned char page[PG];
	struct irt_pmem_stats st;
	struct seen s;
	void *map;
	size_t i;
	int fd, tmp;

	(void)state;
	memset(page, 'x', sizeof page);
	memcpy(page, "IRT-UNIT-MARKER", 15);
	snprintf(path, sizeof path, "%s/page", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, page, PG), PG);
	map = mmap((void *)ADDR, 3 * PG, PROT_READ,
	    MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	if (map == MAP_FAILED || map != (void *)ADDR) {
		close(fd);
		unit_rmtree(dir);
		skip();
	}
	snprintf(path, sizeof path, "%s/tmp", dir);
	tmp = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(tmp >= 0);

	memset(&s, 0, sizeof s);
	assert_int_equal(irt_pmem_collect(&st, (int)getpid(), 3 * PG, 30, tmp,
	                     &ops, &s, NULL),
	    0);
	assert_int_equal(s.maps_calls, 1);
	assert_true(s.found);
	assert_int_equal(s.stored, 3 * PG);
	assert_int_equal(s.unreadable, 2 * PG);
	assert_false(s.truncated);
	assert_non_null(strstr(s.error, "unreadable"));
	assert_memory_equal(s.bytes, page, PG);
	for (i = PG; i < 3 * PG; i++)
		assert_int_equal(s.bytes[i], 0);
	/* the cap is taken by this mapping: nothing else read */
	assert_true(st.cap_reached);
	assert_int_equal(st.stored, 3 * PG);
	assert_int_equal(s.total, 3 * PG);
	assert_int_equal(st.read, 1);
	assert_int_equal(st.unreadable, 2 * PG);
	assert_int_equal(s.lines, (int)st.mappings);
	assert_false(st.gone || st.failed || st.timed_out);

	/* a cap inside the second page: cut there, said so */
	memset(&s, 0, sizeof s);
	assert_int_equal(irt_pmem_collect(&st, (int)getpid(), PG + 100, 30, tmp,
	                     &ops, &s, NULL),
	    0);
	assert_true(s.found);
	assert_int_equal(s.stored, PG + 100);
	assert_int_equal(s.unreadable, 100);
	assert_true(s.truncated);
	assert_true(st.cap_reached);
	assert_int_equal(s.total, PG + 100);

	munmap(map, 3 * PG);
	close(fd);
	close(tmp);
	unit_rmtree(dir);
}

/* A process that is not there: said, nothing handed over. */
static void
test_pmem_no_process(void **state)
{
	static const struct irt_pmem_ops ops = { on_maps, on_region };
	struct irt_pmem_stats st;
	struct seen s;
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	memset(&s, 0, sizeof s);
	assert_int_equal(
	    irt_pmem_collect(&st, (int)pid, 1 << 20, 5, -1, &ops, &s, NULL), 0);
	assert_true(st.gone);
	assert_string_equal(st.reason, "no such process");
	assert_int_equal(s.maps_calls, 0);
	assert_int_equal(s.lines, 0);
}

/*
 * A reader that sends nothing (as one stuck on the mmap lock of a
 * process in D state would) is killed at the timeout and reaped; what
 * it did not read is not handed over, and nothing hangs.
 */
static void
test_pmem_stalled_reader(void **state)
{
	static const struct irt_pmem_ops ops = { on_maps, on_region };
	struct irt_pmem_stats st;
	struct timespec t0, t1;
	struct seen s;
	double secs;
	int status;

	(void)state;
	memset(&s, 0, sizeof s);
	irt_pmem_test_stall(600);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(irt_pmem_collect(&st, (int)getpid(), 1 << 20, 0.5, -1,
	                     &ops, &s, NULL),
	    0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	irt_pmem_test_stall(0);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs >= 0.5 && secs < 60);
	assert_true(st.timed_out);
	assert_string_equal(
	    st.reason, "the reader sent nothing for 0.5s and was killed");
	assert_int_equal(s.maps_calls, 0);
	assert_int_equal(st.stored, 0);
	/* the child is reaped: no child of this process is left */
	assert_int_equal(waitpid(-1, &status, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* The index lines: every field, a malformed line's error. */
static void
test_pmem_index(void **state)
{
	struct irt_maps_ent m;
	struct irt_pmem_region r;
	struct irt_pmem_stats st;
	struct irt_buf b = IRT_BUF_INIT;
	const char *line = "7f00-7f10 r--p 00000010 08:01 42 /x\"y\n", *p;

	(void)state;
	memset(&m, 0, sizeof m);
	p = line;
	assert_int_equal(irt_maps_next(&m, &p, line + strlen(line)), 1);
	memset(&r, 0, sizeof r);
	r.m = &m;
	r.read = 1;
	r.stored = 16;
	r.truncated = 1;
	assert_int_equal(
	    irt_pmem_index_line(&b, &r, "live/proc/1/mem/7f00-7f10.bin", "00"),
	    0);
	assert_string_equal(irt_buf_cstr(&b),
	    "{\"line\":1,\"start\":\"7f00\",\"end\":\"7f10\",\"size\":16,"
	    "\"perms\":\"r--p\",\"offset\":\"10\",\"dev\":\"08:01\","
	    "\"inode\":42,\"path\":\"/x\\\"y\",\"archive_path\":"
	    "\"live/proc/1/mem/7f00-7f10.bin\",\"stored\":16,"
	    "\"unreadable\":0,\"sha256\":\"00\",\"truncated\":true,"
	    "\"error\":null}\n");
	irt_buf_clear(&b);
	line = "zz\n";
	p = line;
	assert_int_equal(irt_maps_next(&m, &p, line + 3), -1);
	memset(&r, 0, sizeof r);
	r.m = &m;
	snprintf(r.error, sizeof r.error, "malformed line: %s", m.why);
	assert_int_equal(irt_pmem_index_line(&b, &r, NULL, NULL), 0);
	assert_string_equal(irt_buf_cstr(&b),
	    "{\"line\":2,\"error\":\"malformed line: bad start address\"}\n");
	irt_buf_clear(&b);
	memset(&st, 0, sizeof st);
	st.cap_reached = 1;
	st.stored = 5;
	assert_int_equal(irt_pmem_index_summary(&b, 7, 5, &st), 0);
	assert_non_null(strstr(irt_buf_cstr(&b),
	    "\"summary\":true,\"pid\":7,\"mappings\":0,\"read\":0,"
	    "\"stored\":5,"));
	assert_non_null(strstr(irt_buf_cstr(&b), "\"cap_reached\":true"));
	irt_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_lines),
		cmocka_unit_test(test_pmem_read_self),
		cmocka_unit_test(test_pmem_no_process),
		cmocka_unit_test(test_pmem_stalled_reader),
		cmocka_unit_test(test_pmem_index),
	};

	return UNIT_RUN(tests);
}
