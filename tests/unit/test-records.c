#include "unit.h"

#include "case/records.h"

static void
test_dispatch(void **state)
{
	(void)state;
	assert_ptr_equal(irt_record_checker("case.conf"), irt_case_conf_check);
	assert_ptr_equal(irt_record_checker("notes/x.md"), irt_note_check);
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

static void
test_case_conf(void **state)
{
	static const char ok[] = "id = INC-1\ntitle = t\ntlp = red\n";
	static const char notlp[] = "id = INC-1\ntitle = t\ntlp = white\n";
	static const char noid[] = "title = t\n";

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

	(void)state;
	assert_int_equal(irt_run_check("runs/r/record", ok, sizeof ok - 1), 0);
	assert_int_equal(
	    irt_run_check("runs/r/record", bad, sizeof bad - 1), IRT_EPARSE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_case_conf),
		cmocka_unit_test(test_note_name_must_match),
		cmocka_unit_test(test_run_record),
	};

	return UNIT_RUN(tests);
}
