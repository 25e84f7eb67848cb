#include "unit.h"

#include "case/records.h"

static void
test_dispatch(void **state)
{
	(void)state;
	assert_ptr_equal(irt_record_checker("case.conf"), irt_case_conf_check);
	assert_ptr_equal(irt_record_checker("notes/x.md"), irt_note_check);
	/* sharded by day, as flat */
	assert_ptr_equal(
	    irt_record_checker("notes/2026/11/27/x.md"), irt_note_check);
	assert_ptr_equal(
	    irt_record_checker("runs/2026/11/27/x/record"), irt_run_check);
	assert_ptr_equal(irt_record_checker("custody/2026/11/27/x.record"),
	    irt_evidence_check);
	assert_ptr_equal(irt_record_checker("runs/x/record"), irt_run_check);
	assert_ptr_equal(
	    irt_record_checker("custody/x.record"), irt_evidence_check);
	assert_ptr_equal(
	    irt_record_checker("checklists/a-b.md"), irt_checklist_check);
	/* outputs and other files are not records */
	assert_null(irt_record_checker("runs/x/stdout"));
	assert_null(irt_record_checker("notes/x.txt"));
	assert_null(irt_record_checker(".gitignore"));
	assert_null(irt_record_checker("sub/case.conf"));
}

/* No control character of the input reaches the message. */
static void
assert_escaped(void)
{
	const char *p;

	for (p = irt_error_last(); *p != '\0'; p++)
		assert_false((unsigned char)*p < 0x20 || *p == 0x7f);
}

static void
test_case_conf(void **state)
{
	static const char ok[] = "id = INC-1\ntitle = t\ntlp = red\n";
	static const char notlp[] = "id = INC-1\ntitle = t\ntlp = white\n";
	static const char noid[] = "title = t\n";
	/* a line that does not parse after one that does: nothing leaks */
	static const char half[] = "id = INC-1\ntitle = t\nno equals sign\n";
	static const char f2[] = "id = INC-1\ntitle = t\nformat = 2\n";
	static const char f3[] = "id = INC-1\ntitle = t\nformat = 3\n";

	(void)state;
	assert_int_equal(
	    irt_case_conf_check("case.conf", ok, sizeof ok - 1), 0);
	assert_int_equal(
	    irt_case_conf_check("case.conf", notlp, sizeof notlp - 1),
	    IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "white"));
	assert_int_equal(
	    irt_case_conf_check("case.conf", noid, sizeof noid - 1),
	    IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "no 'id'"));
	assert_int_equal(
	    irt_case_conf_check("case.conf", half, sizeof half - 1),
	    IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "case.conf:3: expected"));
	assert_int_equal(
	    irt_case_conf_check("case.conf", f2, sizeof f2 - 1), 0);
	assert_int_equal(
	    irt_case_conf_check("case.conf", f3, sizeof f3 - 1), IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "unknown format '3'"));
	/* the path and the values are escaped in the message */
	assert_int_equal(
	    irt_case_conf_check("case\033].conf", notlp, sizeof notlp - 1),
	    IRT_EPARSE);
	assert_escaped();
	assert_non_null(strstr(irt_error_last(), "case\\e].conf"));
}

static void
test_hostile_names_escaped(void **state)
{
	static const char note[] =
	    "Id: x\nAuthor: a\nDate: 2026-01-01\n\033[2J\007: v\n\nx\n";
	static const char rec[] = "id = x\nkind = file\n\033]0;t\007\n";
	static const char run[] = "id = r\n\x01 = 1\n";

	(void)state;
	assert_int_equal(
	    irt_note_check("notes/\033[31m.md", note, sizeof note - 1),
	    IRT_EPARSE);
	assert_escaped();
	assert_non_null(strstr(irt_error_last(), "field '\\e[2J\\x07'"));
	assert_int_equal(
	    irt_evidence_check("custody/\033x.record", rec, sizeof rec - 1),
	    IRT_EPARSE);
	assert_escaped();
	assert_int_equal(
	    irt_run_check("runs/\033/record", run, sizeof run - 1), IRT_EPARSE);
	assert_escaped();
}

static void
test_note_name_must_match(void **state)
{
	static const char n[] = "Id: abc\nAuthor: a\nDate: 2026-01-01\n\nx\n";

	(void)state;
	assert_int_equal(irt_note_check("notes/abc.md", n, sizeof n - 1), 0);
	assert_int_equal(
	    irt_note_check("notes/abd.md", n, sizeof n - 1), IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "does not match"));
}

static void
test_run_record(void **state)
{
	static const char ok[] = "id = r\nargv = ls\nstart = 2026-01-01\n"
	                         "end = 2026-01-01\nresult = exited\nexit = 0\n"
	                         "stdout_sha256 = x\nstderr_sha256 = y\n";
	static const char bad[] = "id = r\nargv = ls\n";
	static const char exec_ok[] =
	    "id = r\nargv = ./x\nstart = 2026-01-01\nend = 2026-01-01\n"
	    "result = exec-failed\nerror = Permission denied (EACCES)\n"
	    "exit = 126\nstdout_sha256 = x\nstderr_sha256 = y\n";
	static const char exec_bad[] =
	    "id = r\nargv = ./x\nstart = 2026-01-01\nend = 2026-01-01\n"
	    "result = exec-failed\nexit = 126\nstdout_sha256 = x\n"
	    "stderr_sha256 = y\n";
	static const char unknown[] =
	    "id = r\nargv = ./x\nstart = 2026-01-01\nend = 2026-01-01\n"
	    "result = vanished\nexit = 0\nstdout_sha256 = x\n"
	    "stderr_sha256 = y\n";

	(void)state;
	assert_int_equal(irt_run_check("runs/r/record", ok, sizeof ok - 1), 0);
	assert_int_equal(
	    irt_run_check("runs/r/record", bad, sizeof bad - 1), IRT_EPARSE);
	assert_int_equal(
	    irt_run_check("runs/r/record", exec_ok, sizeof exec_ok - 1), 0);
	assert_int_equal(
	    irt_run_check("runs/r/record", exec_bad, sizeof exec_bad - 1),
	    IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "no 'error'"));
	assert_int_equal(
	    irt_run_check("runs/r/record", unknown, sizeof unknown - 1),
	    IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "unknown result 'vanished'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_case_conf),
		cmocka_unit_test(test_note_name_must_match),
		cmocka_unit_test(test_run_record),
		cmocka_unit_test(test_hostile_names_escaped),
	};

	return UNIT_RUN(tests);
}
