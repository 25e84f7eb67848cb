#include <fcntl.h>

#include "case/records.h"
#include "unit.h"

static const char good[] =
    "id = 20261127T211439Z-3fa9c1\n"
    "kind = file\n"
    "name = mem.lime\n"
    "path = /cases/mem.lime\n"
    "size = 4\n"
    "sha256 = "
    "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589\n"
    "host = web01\n"
    "start = 2026-11-27T21:14:39Z\n"
    "end = 2026-11-27T21:14:40Z\n"
    "responder = Ann <ann@example.org>\n"
    "holder = Bob <bob@example.org>\n"
    "event.1.time = 2026-11-27T21:14:40Z\n"
    "event.1.action = add\n"
    "event.1.by = Ann <ann@example.org>\n"
    "event.2.time = 2026-11-27T22:00:00Z\n"
    "event.2.action = transfer\n"
    "event.2.by = Ann <ann@example.org>\n"
    "event.2.to = Bob <bob@example.org>\n"
    "event.2.from = Ann <ann@example.org>\n";

static const char path[] = "custody/20261127T211439Z-3fa9c1.record";

static void
check_bad(const char *from, const char *to)
{
	struct irt_buf b = IRT_BUF_INIT;
	const char *p = strstr(good, from);

	assert_non_null(p);
	irt_buf_put(&b, good, (size_t)(p - good));
	irt_buf_puts(&b, to);
	irt_buf_puts(&b, p + strlen(from));
	assert_int_equal(irt_evidence_check(path, b.ptr, b.len), IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "custody/"));
	irt_buf_release(&b);
}

static void
test_check(void **state)
{
	(void)state;
	assert_int_equal(irt_evidence_check(path, good, strlen(good)), 0);
	/* the record is found by irt case verify */
	assert_ptr_equal(irt_record_checker(path), irt_evidence_check);
	check_bad("kind = file", "kind = rumour");
	check_bad("size = 4", "size = four");
	check_bad("sha256 = 88d4", "sha256 = zzd4");
	check_bad("start = 2026-11-27T21:14:39Z", "start = yesterday");
	check_bad("holder = Bob", "holder = Eve");
	check_bad("event.2.to = Bob <bob@example.org>\n", "");
	check_bad("event.1.action = add", "event.1.action = steal");
	check_bad("id = 20261127T211439Z-3fa9c1", "id = other");
	check_bad("host = web01\n", "");
}

static void
test_add_transfer(void **state)
{
	struct irt_case *c;
	struct irt_case_meta meta = { "INC-1", "t", NULL, NULL, NULL };
	struct irt_ident ann = { "Ann", "ann@example.org" };
	struct irt_evidence_event ev[8];
	struct irt_case_verify_report vr;
	struct irt_kv rec, *v;
	char *dir = unit_tmpdir(), cpath[4200], file[4200], id[32];
	size_t n;
	int fd;

	(void)state;
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	snprintf(cpath, sizeof cpath, "%s/case", dir);
	snprintf(file, sizeof file, "%s/mem.lime", dir);
	fd = open(file, O_WRONLY | O_CREAT, 0644);
	assert_int_equal(write(fd, "abc\n", 4), 4);
	close(fd);
	assert_int_equal(irt_case_init(&c, cpath, &meta, &ann), 0);
	assert_int_equal(irt_evidence_add_file(c, id, file, "memory", &ann), 0);
	assert_int_equal(irt_evidence_transfer(c, id, "Bob <bob@example.org>",
	                     "to the lab", &ann),
	    0);
	/* the current holder cannot receive it again */
	assert_int_equal(
	    irt_evidence_transfer(c, id, "Bob <bob@example.org>", NULL, &ann),
	    IRT_EINVAL);
	assert_int_equal(irt_evidence_get(c, &rec, id), 0);
	assert_string_equal(irt_kv_get(&rec, "sha256"),
	    "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb");
	assert_string_equal(
	    irt_kv_get(&rec, "holder"), "Bob <bob@example.org>");
	assert_string_equal(irt_kv_get(&rec, "size"), "4");
	assert_int_equal(irt_evidence_events(&rec, ev, 8), 2);
	assert_string_equal(ev[0].action, "add");
	assert_string_equal(ev[0].note, "memory");
	assert_string_equal(ev[1].action, "transfer");
	assert_string_equal(ev[1].to, "Bob <bob@example.org>");
	irt_kv_release(&rec);
	assert_int_equal(irt_evidence_list(c, &v, &n), 0);
	assert_int_equal(n, 1);
	irt_evidence_list_free(v, n);
	assert_int_equal(irt_evidence_get(c, &rec, "nosuch"), IRT_ENOTFOUND);
	assert_int_equal(irt_case_verify(c, &vr, NULL), 0);
	assert_int_equal(vr.nproblems, 0);
	assert_int_equal(vr.nrecords, 2);
	irt_case_verify_report_release(&vr);
	irt_case_free(c);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_add_transfer),
	};

	return UNIT_RUN(tests);
}
