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
static const struct irt_form form_plain = { "test add", opts, "ID", 1, 1, 0,
	"a summary" };

/* Groups, required options, a form of its own, order of operands. */
static const struct irt_opt more_opts[] = {
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "the text", .group = 1 },
	{ "file", 'F', IRT_ARG_PATH, "FILE", "the text's file", .group = 1 },
	{ "allow", 0, IRT_ARG_STRING, "ADDR", "allow",
	    .flags = IRT_OPT_REPEAT | IRT_OPT_REQUIRED, .group = 2 },
	{ "no-allow", 0, IRT_ARG_NONE, NULL, "allow nothing",
	    .flags = IRT_OPT_REQUIRED, .group = 2 },
	{ "id", 0, IRT_ARG_STRING, "ID", "the id", .flags = IRT_OPT_REQUIRED },
	{ "host", 0, IRT_ARG_STRING, "NAME", "the host",
	    .flags = IRT_OPT_REPEAT },
	{ "list", 0, IRT_ARG_NONE, NULL, "list them", .flags = IRT_OPT_ALONE },
	{ "C", 'C', IRT_ARG_PATH, "DIR", "the case", .flags = IRT_OPT_NOLONG },
	{ "secret", 0, IRT_ARG_NONE, NULL, "hidden", .flags = IRT_OPT_HIDDEN },
	{ NULL },
};

static const struct irt_form form_more = { "test more", more_opts,
	"[SOURCE...]", 0, -1, IRT_CMD_JSON };
static const struct irt_form form_first = { "test first", opts,
	"COMMAND [ARGS]", 1, -1, IRT_CMD_OPTS_FIRST };

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
	assert_int_equal(irt_form_usage(&b, &form_json, false), 0);
	assert_non_null(strstr(b.ptr, "usage: irt test run [-o ARCHIVE] "));
	assert_non_null(strstr(b.ptr, "[--exclude GLOB]..."));
	assert_non_null(strstr(b.ptr, "[--json] [PATH...]\n"));
	/* wrapped at 80 columns, continuations aligned */
	for (line = b.ptr; *line != '\0'; line += strcspn(line, "\n") + 1)
		assert_true(strcspn(line, "\n") < 80);
	assert_non_null(strstr(b.ptr, "\n                   ["));
	irt_buf_clear(&b);
	assert_int_equal(irt_form_help(&b, &form_plain), 0);
	assert_non_null(strstr(b.ptr, "irt test add - a summary\n"));
	assert_non_null(strstr(b.ptr, "-f, --format FORMAT"));
	assert_non_null(strstr(b.ptr, "(jsonl, mactime, csv)"));
	assert_null(strstr(b.ptr, "--json"));

	/* groups in one bracket, () when one of them is required, a
	 * required option bare, a form of its own on its own line, the
	 * hidden option nowhere; continuation forms start "       irt" */
	irt_buf_clear(&b);
	assert_int_equal(irt_form_usage(&b, &form_more, true), 0);
	assert_string_equal(b.ptr,
	    "       irt test more [-m TEXT | -F FILE] (--allow ADDR... | "
	    "--no-allow) --id ID\n"
	    "                    [--host NAME]... [-C DIR] [--json] "
	    "[SOURCE...]\n"
	    "       irt test more --list [--json]\n");
	irt_buf_clear(&b);
	assert_int_equal(irt_form_help(&b, &form_more), 0);
	assert_non_null(strstr(b.ptr, "\n  -C DIR "));
	assert_null(strstr(b.ptr, "--C"));
	assert_null(strstr(b.ptr, "secret"));
	assert_non_null(strstr(b.ptr, "the id; required\n"));
	irt_buf_release(&b);
}

static void
test_forms(void **state)
{
	struct irt_args a;

	(void)state;
	/* operands keep their place: the --host before each */
	assert_int_equal(parse(&a, &form_more, false, "more", "--id", "1",
	                     "--no-allow", "s0", "--host", "a", "s1", "s2",
	                     "--host", "b", "s3", "-C", "dir", (char *)NULL),
	    -1);
	assert_int_equal(a.argc, 4);
	assert_string_equal(a.argv[3], "s3");
	assert_null(a.argv[4]);
	assert_null(irt_args_str_at(&a, "host", 0, NULL));
	assert_string_equal(irt_args_str_at(&a, "host", 1, NULL), "a");
	assert_string_equal(irt_args_str_at(&a, "host", 2, NULL), "a");
	assert_string_equal(irt_args_str_at(&a, "host", 3, NULL), "b");
	assert_string_equal(irt_args_str(&a, "C", NULL), "dir");
	assert_string_equal(a.cmdline[0], "more");
	irt_args_release(&a);
	/* "--" ends the options */
	assert_int_equal(parse(&a, &form_more, false, "more", "--id", "1",
	                     "--allow", "x", "--", "--host", (char *)NULL),
	    -1);
	assert_int_equal(a.argc, 1);
	assert_string_equal(a.argv[0], "--host");
	assert_false(irt_args_has(&a, "host"));
	irt_args_release(&a);

	/* options first: the first operand ends them */
	assert_int_equal(parse(&a, &form_first, false, "first", "-q", "ls",
	                     "-q", "-h", (char *)NULL),
	    -1);
	assert_int_equal(a.argc, 3);
	assert_string_equal(a.argv[1], "-q");
	assert_string_equal(a.argv[2], "-h");
	assert_int_equal(irt_args_count(&a, "quiet"), 1);
	irt_args_release(&a);

	/* a group excludes, a required group and option must be given */
	assert_int_equal(parse(&a, &form_more, false, "more", "--id", "1",
	                     "--no-allow", "-m", "x", "-F", "y", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(parse(&a, &form_more, false, "more", "--id", "1",
	                     "--no-allow", "--allow", "x", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(
	    parse(&a, &form_more, false, "more", "--id", "1", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(
	    parse(&a, &form_more, false, "more", "--allow", "x", (char *)NULL),
	    EXIT_USAGE);
	/* the same option twice is no conflict */
	assert_int_equal(
	    parse(&a, &form_more, false, "more", "--id", "1", "--allow", "x",
	        "--allow", "y", "-m", "a", "-m", "b", (char *)NULL),
	    -1);
	assert_int_equal(irt_args_count(&a, "allow"), 2);
	assert_string_equal(irt_args_str(&a, "message", NULL), "b");
	irt_args_release(&a);

	/* alone: nothing else is required, nothing else is taken */
	assert_int_equal(
	    parse(&a, &form_more, true, "more", "--list", (char *)NULL), -1);
	assert_true(a.json);
	irt_args_release(&a);
	assert_int_equal(parse(&a, &form_more, false, "more", "--list", "--id",
	                     "1", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(
	    parse(&a, &form_more, false, "more", "--list", "x", (char *)NULL),
	    EXIT_USAGE);
	/* only the short name of a NOLONG option */
	assert_int_equal(parse(&a, &form_more, false, "more", "--list", "--C",
	                     "x", (char *)NULL),
	    EXIT_USAGE);
	/* a duration of 0 would mean no limit */
	assert_int_equal(
	    parse(&a, &form_json, false, "run", "--timeout", "0", (char *)NULL),
	    EXIT_USAGE);
	assert_int_equal(parse(&a, &form_json, false, "run", "--timeout", "0.5",
	                     (char *)NULL),
	    -1);
	assert_true(irt_args_secs(&a, "timeout", 0) == 0.5);
	irt_args_release(&a);
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
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_parse_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
