/*
 * The option parser of the irt binary (cmd/opt.c) and the value parsers
 * of irt/parse.h: declared tables in, checked values or a usage error
 * out, and usage text written from the same table.
 */
#include <limits.h>
#include <unistd.h>

#include "unit.h"

#include "irt.h"

static const char *const formats[] = { "jsonl", "mactime", "csv", NULL };

static const struct irt_opt opts[] = {
	{ "output", 'o', IRT_ARG_PATH, "ARCHIVE", "write the archive here" },
	{ "level", 0, IRT_ARG_INT, NULL, "gzip level", .min = 1, .max = 9 },
	{ "max-file-size", 0, IRT_ARG_SIZE, NULL, "largest file", .min = 1 },
	{ "timeout", 0, IRT_ARG_DURATION, NULL, "per command", .min = 0,
	    .max = 86400 },
	{ "since", 0, IRT_ARG_DATE, "DATE", "from this time" },
	{ "format", 'f', IRT_ARG_ENUM, "FORMAT", "output format",
	    .values = formats },
	{ "exclude", 0, IRT_ARG_STRING, "GLOB", "leave out",
	    .flags = IRT_OPT_REPEAT },
	{ "quiet", 'q', IRT_ARG_NONE, NULL, "say less" },
	{ NULL },
};

static const struct irt_form form_json = { "test run", opts, "[PATH...]", 0, -1,
	IRT_CMD_JSON };
static const struct irt_form form_plain = { "test add", opts, "ID", 1, 1, 0 };

/* Parses a NULL-terminated list of words (the first is the name). */
static int
parse(struct irt_args *a, const struct irt_form *f, bool json, ...)
{
	static char *words[32];
	va_list ap;
	int n = 0;

	va_start(ap, json);
	while (n < 31 && (words[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	memset(a, 0, sizeof *a);
	a->json = json;
	return irt_args_parse(a, f, n, words);
}

static void
test_values(void **state)
{
	struct irt_args a;

	(void)state;
	assert_int_equal(
	    parse(&a, &form_json, false, "run", "-o", "x.tgz", "--level", "9",
	        "--max-file-size", "64m", "--timeout", "1.5m", "--since",
	        "2026-11-27", "-f", "csv", "--exclude", "a", "--exclude=b",
	        "-q", "p1", "p2", (char *)NULL),
	    -1);
	assert_string_equal(irt_args_str(&a, "output", NULL), "x.tgz");
	assert_int_equal(irt_args_int(&a, "level", 4), 9);
	assert_int_equal(irt_args_size(&a, "max-file-size", 0), 64 << 20);
	assert_true(irt_args_secs(&a, "timeout", 0) == 90.0);
	assert_int_equal(irt_args_date(&a, "since", 0),
	    irt_timegm(2026, 11, 27, 0, 0, 0) * IRT_NS_PER_SEC);
	assert_int_equal(irt_args_enum(&a, "format", 0), 2);
	assert_int_equal(irt_args_count(&a, "exclude"), 2);
	assert_string_equal(irt_args_nth(&a, "exclude", 0), "a");
	assert_string_equal(irt_args_nth(&a, "exclude", 1), "b");
	assert_null(irt_args_nth(&a, "exclude", 2));
	assert_true(irt_args_has(&a, "quiet"));
	assert_false(a.json);
	assert_int_equal(a.argc, 2);
	assert_string_equal(a.argv[0], "p1");
	assert_string_equal(a.argv[1], "p2");
	irt_args_release(&a);

	/* defaults, and --json where the form has JSON output */
	assert_int_equal(
	    parse(&a, &form_json, false, "run", "--json", (char *)NULL), -1);
	assert_true(a.json);
	assert_int_equal(irt_args_int(&a, "level", 4), 4);
	assert_false(irt_args_has(&a, "quiet"));
	assert_null(irt_args_str(&a, "output", NULL));
	irt_args_release(&a);
}

static void
test_refused(void **state)
{
	struct irt_args a;

	(void)state;
	/* every bad value is a usage error, never a silent default */
	assert_int_equal(
	    parse(&a, &form_json, false, "run", "--level", "10", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(
	    parse(&a, &form_json, false, "run", "--level", "", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(parse(&a, &form_json, false, "run", "--timeout", "nan",
	                     (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(parse(&a, &form_json, false, "run", "--timeout", "inf",
	                     (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(parse(&a, &form_json, false, "run", "--timeout", "-1",
	                     (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(parse(&a, &form_json, false, "run", "--timeout", "25h",
	                     (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(parse(&a, &form_json, false, "run", "--max-file-size",
	                     "99999999999G", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(parse(&a, &form_json, false, "run", "--max-file-size",
	                     "0", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(parse(&a, &form_json, false, "run", "--since",
	                     "yesterday", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(
	    parse(&a, &form_json, false, "run", "-f", "xml", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(
	    parse(&a, &form_json, false, "run", "--bogus", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(
	    parse(&a, &form_json, false, "run", "-o", (char *)NULL),
	    EXIT_USAGE);
	/* --json on a form without JSON output, here or given globally */
	assert_int_equal(
	    parse(&a, &form_plain, false, "add", "--json", "ID", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(
	    parse(&a, &form_plain, true, "add", "ID", (char *)NULL),
	    EXIT_USAGE);
	/* operand counts */
	assert_int_equal(
	    parse(&a, &form_plain, false, "add", (char *)NULL), EXIT_USAGE);
	assert_int_equal(
	    parse(&a, &form_plain, false, "add", "a", "b", (char *)NULL),
	    EXIT_USAGE);
	/* --help is not an error, and its text goes to stdout (captured
	 * here so that it does not mix with the TAP stream) */
	{
		char got[4096];
		FILE *tmp = tmpfile();
		int saved;
		size_t n;

		assert_non_null(tmp);
		fflush(stdout);
		saved = dup(STDOUT_FILENO);
		assert_true(saved >= 0);
		assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
		assert_int_equal(
		    parse(&a, &form_plain, false, "add", "-h", (char *)NULL),
		    EXIT_OK);
		fflush(stdout);
		assert_true(dup2(saved, STDOUT_FILENO) >= 0);
		close(saved);
		rewind(tmp);
		n = fread(got, 1, sizeof got - 1, tmp);
		got[n] = '\0';
		fclose(tmp);
		assert_non_null(strstr(got, "usage: irt test add "));
		assert_non_null(strstr(got, "--max-file-size SIZE"));
	}
}

static void
test_usage(void **state)
{
	struct irt_buf b = IRT_BUF_INIT;
	const char *line;

	(void)state;
	assert_int_equal(irt_form_usage(&b, &form_json), 0);
	assert_non_null(strstr(b.ptr, "usage: irt test run [-o ARCHIVE] "));
	assert_non_null(strstr(b.ptr, "[--exclude GLOB]..."));
	assert_non_null(strstr(b.ptr, "[--json] [PATH...]\n"));
	/* wrapped at 80 columns, continuations aligned */
	for (line = b.ptr; *line != '\0'; line += strcspn(line, "\n") + 1)
		assert_true(strcspn(line, "\n") < 80);
	assert_non_null(strstr(b.ptr, "\n                   ["));
	irt_buf_clear(&b);
	assert_int_equal(irt_form_help(&b, &form_plain, "a summary"), 0);
	assert_non_null(strstr(b.ptr, "irt test add - a summary\n"));
	assert_non_null(strstr(b.ptr, "-f, --format FORMAT"));
	assert_non_null(strstr(b.ptr, "(jsonl, mactime, csv)"));
	assert_null(strstr(b.ptr, "--json"));
	irt_buf_release(&b);
}

static void
test_parse_values(void **state)
{
	uint64_t sz;
	double d;
	long long i;
	char buf[24];

	(void)state;
	assert_int_equal(irt_parse_size(&sz, "1", 0, UINT64_MAX), 0);
	assert_int_equal(sz, 1);
	assert_int_equal(irt_parse_size(&sz, "2k", 0, UINT64_MAX), 0);
	assert_int_equal(sz, 2048);
	assert_int_equal(irt_parse_size(&sz, "3MiB", 0, UINT64_MAX), 0);
	assert_int_equal(sz, 3 << 20);
	assert_int_equal(irt_parse_size(&sz, "1t", 0, UINT64_MAX), 0);
	assert_int_equal(sz, 1ULL << 40);
	assert_int_equal(
	    irt_parse_size(&sz, "16777216T", 0, UINT64_MAX), IRT_EINVAL);
	assert_int_equal(
	    irt_parse_size(&sz, "18446744073709551616", 0, UINT64_MAX),
	    IRT_EINVAL);
	assert_int_equal(irt_parse_size(&sz, "-1", 0, UINT64_MAX), IRT_EINVAL);
	assert_int_equal(irt_parse_size(&sz, " 1", 0, UINT64_MAX), IRT_EINVAL);
	assert_int_equal(
	    irt_parse_size(&sz, "0x10", 0, UINT64_MAX), IRT_EINVAL);
	assert_int_equal(
	    irt_parse_size(&sz, "1M", 2 << 20, UINT64_MAX), IRT_EINVAL);
	assert_string_equal(irt_size_format(buf, 64 << 20), "64M");
	assert_string_equal(irt_size_format(buf, 1536), "1536");

	assert_int_equal(irt_parse_duration(&d, "90", 0, 1e6), 0);
	assert_true(d == 90);
	assert_int_equal(irt_parse_duration(&d, ".5s", 0, 1e6), 0);
	assert_true(d == 0.5);
	assert_int_equal(irt_parse_duration(&d, "2h", 0, 1e6), 0);
	assert_true(d == 7200);
	assert_int_equal(irt_parse_duration(&d, "nan", 0, 1e6), IRT_EINVAL);
	assert_int_equal(irt_parse_duration(&d, "1e3", 0, 1e6), IRT_EINVAL);
	assert_int_equal(irt_parse_duration(&d, "0x10", 0, 1e6), IRT_EINVAL);
	assert_int_equal(irt_parse_duration(&d, "-0", 0, 1e6), IRT_EINVAL);
	assert_int_equal(irt_parse_duration(&d, ".", 0, 1e6), IRT_EINVAL);
	assert_int_equal(irt_parse_duration(&d, "5d", 0, 1e6), IRT_EINVAL);

	assert_int_equal(irt_parse_int(&i, "-12", -100, 100), 0);
	assert_int_equal(i, -12);
	assert_int_equal(irt_parse_int(&i, "101", -100, 100), IRT_EINVAL);
	assert_int_equal(irt_parse_int(&i, "1.0", -100, 100), IRT_EINVAL);
	assert_int_equal(irt_parse_int(&i, "", -100, 100), IRT_EINVAL);
	assert_int_equal(
	    irt_parse_int(&i, "99999999999999999999", LLONG_MIN, LLONG_MAX),
	    IRT_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_parse_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
