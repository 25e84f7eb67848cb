#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>

#include "unit.h"

static void
write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* root/etc with passwd and group, for irt_names_load. */
static char *
make_root(const char *passwd, const char *group)
{
	char *root = unit_tmpdir(), etc[4200];

	snprintf(etc, sizeof etc, "%s/etc", root);
	assert_int_equal(mkdir(etc, 0755), 0);
	if (passwd != NULL)
		write_file(etc, "passwd", passwd, strlen(passwd));
	if (group != NULL)
		write_file(etc, "group", group, strlen(group));
	return root;
}

static void
test_parse(void **state)
{
	static const char passwd[] =
	    "root:x:0:0:root:/root:/bin/bash\n"
	    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	    "# a comment\n"
	    "\n"
	    "+nisuser::::::\n"
	    "-@netgroup\n"
	    "  ann:x:1000:1000:Ann Analyst,,,:/home/ann:/bin/bash\n"
	    "evil:x:1000:1000::/:/bin/sh\n" /* the first of an id wins */
	    "crlf:x:1001:1001::/:/bin/sh\r\n"
	    "short:x:1002\n" /* no more fields needed */
	    "nouid:x::0::/:/bin/sh\n"
	    "baduid:x:12a:0::/:/bin/sh\n"
	    "neg:x:-1:0::/:/bin/sh\n"
	    "max:x:4294967295:0::/:/bin/sh\n" /* (uid_t)-1 */
	    "big:x:99999999999:0::/:/bin/sh\n"
	    ":x:1003:0::/:/bin/sh\n"
	    "esc\x1b[31m:x:1004:0::/:/bin/sh\n"
	    "nocolon\n"
	    "high:x:4294967294:0::/:/bin/sh";
	static const char group[] = "root:x:0:\nadm:x:4:syslog,ann\n"
	                            "wheel:*:10\n";
	struct irt_names *n;
	size_t users, groups, refused;
	char buf[IRT_NAMES_ID_MAX];

	(void)state;
	assert_int_equal(irt_names_parse(&n, passwd, sizeof passwd - 1, group,
	                     sizeof group - 1),
	    0);
	assert_string_equal(irt_names_user(n, 0), "root");
	assert_string_equal(irt_names_user(n, 1), "daemon");
	assert_string_equal(irt_names_user(n, 1000), "ann");
	assert_string_equal(irt_names_user(n, 1001), "crlf");
	assert_string_equal(irt_names_user(n, 1002), "short");
	assert_string_equal(irt_names_user(n, 4294967294u), "high");
	assert_null(irt_names_user(n, 1003));
	assert_null(irt_names_user(n, 1004));
	assert_null(irt_names_user(n, 4294967295u));
	assert_null(irt_names_user(n, 12));
	assert_string_equal(irt_names_group(n, 0), "root");
	assert_string_equal(irt_names_group(n, 4), "adm");
	assert_string_equal(irt_names_group(n, 10), "wheel");
	assert_null(irt_names_group(n, 1000));
	irt_names_count(n, &users, &groups, &refused);
	assert_int_equal(users, 6);
	assert_int_equal(groups, 3);
	/* nouid baduid neg max big (empty name) esc nocolon */
	assert_int_equal(refused, 8);
	assert_string_equal(irt_names_user_or_id(n, 0, buf), "root");
	assert_string_equal(irt_names_user_or_id(n, 4242, buf), "4242");
	assert_string_equal(
	    irt_names_group_or_id(n, 4294967295u, buf), "4294967295");
	irt_names_free(n);
	/* no names at all: every lookup is numeric */
	assert_string_equal(irt_names_user_or_id(NULL, 7, buf), "7");
	assert_null(irt_names_group(NULL, 0));
}

static void
test_parse_hostile(void **state)
{
	static const char nul[] = "root:x:0:0::/:/bin/sh\n"
	                          "a\0b:x:5:5::/:/bin/sh\n"
	                          "tail:x:6:6::/:/bin/sh\n";
	struct irt_names *n;
	struct irt_buf big = IRT_BUF_INIT;
	size_t users, refused, i;
	char *longname;

	(void)state;
	/* a NUL in a line refuses that line, not the rest */
	assert_int_equal(irt_names_parse(&n, nul, sizeof nul - 1, NULL, 0), 0);
	assert_string_equal(irt_names_user(n, 0), "root");
	assert_null(irt_names_user(n, 5));
	assert_string_equal(irt_names_user(n, 6), "tail");
	irt_names_free(n);

	/* a name longer than login takes */
	longname = malloc(300);
	assert_non_null(longname);
	memset(longname, 'a', 257);
	strcpy(longname + 257, ":x:9:9::/:/bin/sh\n");
	assert_int_equal(
	    irt_names_parse(&n, longname, strlen(longname), NULL, 0), 0);
	assert_null(irt_names_user(n, 9));
	irt_names_free(n);
	free(longname);

	/* 200000 entries, every id twice, in reverse: sorted once, the
	 * first of each id kept */
	for (i = 200000; i > 0; i--)
		assert_int_equal(irt_buf_printf(&big,
		                     "u%zu:x:%zu:0::/:/x\n"
		                     "v%zu:x:%zu:0::/:/x\n",
		                     i, i, i, i),
		    0);
	assert_int_equal(irt_names_parse(&n, big.ptr, big.len, NULL, 0), 0);
	irt_names_count(n, &users, NULL, &refused);
	assert_int_equal(users, 200000);
	assert_int_equal(refused, 0);
	assert_string_equal(irt_names_user(n, 1), "u1");
	assert_string_equal(irt_names_user(n, 200000), "u200000");
	irt_names_free(n);
	irt_buf_release(&big);
}

static void
test_load_root(void **state)
{
	char *root = make_root("root:x:0:0::/root:/bin/sh\n"
	                       "ann:x:1000:1000::/home/ann:/bin/sh\n",
	    "root:x:0:\nann:x:1000:\n");
	struct irt_names *n;
	char path[4200];
	struct stat before, after;
	struct timeval old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

	(void)state;
	/* an access time older than the change: relatime would update it */
	snprintf(path, sizeof path, "%s/etc/passwd", root);
	assert_int_equal(utimes(path, old), 0);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(irt_names_load(&n, root), 0);
	assert_string_equal(irt_names_user(n, 1000), "ann");
	assert_string_equal(irt_names_group(n, 1000), "ann");
	irt_names_free(n);
	assert_int_equal(stat(path, &after), 0);
	if (geteuid() == 0 || before.st_uid == geteuid())
		assert_int_equal(after.st_atime, before.st_atime);
	/* a root without the files, or no root at all: no names */
	unit_rmtree(root);
	root = make_root(NULL, NULL);
	assert_int_equal(irt_names_load(&n, root), 0);
	assert_null(irt_names_user(n, 0));
	irt_names_free(n);
	assert_int_equal(irt_names_load(&n, "/nonexistent/irt-root"), 0);
	assert_null(irt_names_user(n, 0));
	irt_names_free(n);
	unit_rmtree(root);
}

static void
test_load_links(void **state)
{
	char *root = make_root(NULL, "wheel:x:10:\n"), *out = unit_tmpdir();
	char path[4200], target[4200];
	struct irt_names *n;

	(void)state;
	/* a passwd outside the root, and links that lead there */
	write_file(out, "passwd", "outside:x:0:0::/:/bin/sh\n", 25);
	snprintf(path, sizeof path, "%s/etc/passwd", root);
	snprintf(target, sizeof target, "%s/passwd", out);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(irt_names_load(&n, root), 0);
	assert_null(irt_names_user(n, 0));
	assert_string_equal(irt_names_group(n, 10), "wheel");
	irt_names_free(n);
	unlink(path);
	snprintf(
	    target, sizeof target, "../../../../../../../..%s/passwd", out);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(irt_names_load(&n, root), 0);
	assert_null(irt_names_user(n, 0));
	irt_names_free(n);
	/* a link within the root is followed there */
	unlink(path);
	write_file(root, "passwd.real", "inside:x:0:0::/:/bin/sh\n", 24);
	assert_int_equal(symlink("/passwd.real", path), 0);
	assert_int_equal(irt_names_load(&n, root), 0);
	assert_string_equal(irt_names_user(n, 0), "inside");
	irt_names_free(n);
	/* /etc itself a link out of the root */
	unit_rmtree(root);
	root = unit_tmpdir();
	snprintf(path, sizeof path, "%s/etc", root);
	assert_int_equal(symlink(out, path), 0);
	assert_int_equal(irt_names_load(&n, root), 0);
	assert_null(irt_names_user(n, 0));
	irt_names_free(n);
	unit_rmtree(root);
	unit_rmtree(out);
}

static void
on_alarm(int sig)
{
	(void)sig;
	fail_msg("irt_names_load hangs");
}

static void
test_load_special(void **state)
{
	char *root = make_root(NULL, NULL), path[4200];
	struct irt_names *n;
	size_t users, groups;

	(void)state;
	/* a FIFO without a writer: never opened for reading */
	snprintf(path, sizeof path, "%s/etc/passwd", root);
	assert_int_equal(mkfifo(path, 0644), 0);
	/* a folder */
	snprintf(path, sizeof path, "%s/etc/group", root);
	assert_int_equal(mkdir(path, 0755), 0);
	signal(SIGALRM, on_alarm);
	alarm(20);
	assert_int_equal(irt_names_load(&n, root), 0);
	alarm(0);
	irt_names_count(n, &users, &groups, NULL);
	assert_int_equal(users, 0);
	assert_int_equal(groups, 0);
	irt_names_free(n);
	/* a device */
	snprintf(path, sizeof path, "%s/etc/passwd", root);
	unlink(path);
	if (mknod(path, S_IFCHR | 0644, makedev(1, 5)) == 0) { /* zero */
		alarm(20);
		assert_int_equal(irt_names_load(&n, root), 0);
		alarm(0);
		irt_names_count(n, &users, NULL, NULL);
		assert_int_equal(users, 0);
		irt_names_free(n);
	}
	unit_rmtree(root);
}

static void
test_load_bounded(void **state)
{
	char *root = make_root(NULL, NULL), path[4200];
	struct irt_names *n;
	FILE *fp;
	size_t i;

	(void)state;
	/* what follows the first IRT_NAMES_FILE_MAX bytes is not read */
	snprintf(path, sizeof path, "%s/etc/passwd", root);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("first:x:1:1::/:/bin/sh\n", fp);
	for (i = 0; i < IRT_NAMES_FILE_MAX / 64; i++)
		fprintf(fp, "#%062zu\n", i);
	fputs("last:x:2:2::/:/bin/sh\n", fp);
	fclose(fp);
	assert_int_equal(irt_names_load(&n, root), 0);
	assert_string_equal(irt_names_user(n, 1), "first");
	assert_null(irt_names_user(n, 2));
	irt_names_free(n);
	unit_rmtree(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_load_root),
		cmocka_unit_test(test_load_links),
		cmocka_unit_test(test_load_special),
		cmocka_unit_test(test_load_bounded),
	};

	return UNIT_RUN(tests);
}
