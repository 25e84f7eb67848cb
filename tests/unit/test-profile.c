#include "unit.h"

static struct irt_profile *
parse_ok(const char *text)
{
	struct irt_profile *p = NULL;
	int rc = irt_profile_parse(&p, text, strlen(text), "t.profile");

	if (rc != 0)
		fprintf(stderr, "%s\n", irt_error_last());
	assert_int_equal(rc, 0);
	assert_non_null(p);
	return p;
}

static void
test_parse(void **state)
{
	struct irt_profile *p;
	static const char text[] =
	    "# comment\n"
	    "description A test profile\n"
	    "max-size 10M\n"
	    "exclude /etc/shadow*\n"
	    "\n"
	    "file /var/log/** max-size=1G exclude=*.gz fs=any\n"
	    "file \"/tmp/with space/*\"\n"
	    "live ss.txt timeout=2.5 -- ss -anp \"a b\" \"q\\\"x\"\n"
	    "live processes.jsonl builtin=processes\r\n";

	(void)state;
	p = parse_ok(text);
	assert_string_equal(p->description, "A test profile");
	assert_int_equal(p->max_size, 10u << 20);
	assert_string_equal(p->exclude[0], "/etc/shadow*");
	assert_null(p->exclude[1]);
	assert_int_equal(p->n, 4);
	assert_int_equal(p->v[0].kind, IRT_PROFILE_FILE);
	assert_string_equal(p->v[0].pattern, "/var/log/**");
	assert_int_equal(p->v[0].max_size, 1ULL << 30);
	assert_string_equal(p->v[0].exclude[0], "*.gz");
	assert_true(p->v[0].any_fs);
	assert_int_equal(p->v[0].line, 6);
	assert_string_equal(p->v[1].pattern, "/tmp/with space/*");
	assert_false(p->v[1].any_fs);
	assert_int_equal(p->v[2].kind, IRT_PROFILE_LIVE);
	assert_string_equal(p->v[2].name, "ss.txt");
	assert_true(p->v[2].timeout > 2.4 && p->v[2].timeout < 2.6);
	assert_string_equal(p->v[2].argv[0], "ss");
	assert_string_equal(p->v[2].argv[2], "a b");
	assert_string_equal(p->v[2].argv[3], "q\"x");
	assert_null(p->v[2].argv[4]);
	assert_string_equal(p->v[3].builtin, "processes");
	assert_null(p->v[3].argv);
	irt_profile_free(p);
}

static void
test_home_and_packages(void **state)
{
	struct irt_profile *p;
	static const char text[] = "file ~/.ssh/authorized_keys*\n"
	                           "live pv.jsonl builtin=packages\n";

	(void)state;
	p = parse_ok(text);
	assert_int_equal(p->n, 2);
	assert_string_equal(p->v[0].pattern, "~/.ssh/authorized_keys*");
	assert_string_equal(p->v[1].builtin, "packages");
	irt_profile_free(p);
}

static void
test_errors_name_file_and_line(void **state)
{
	static const char *const bad[] = {
		"bogus /x\n",
		"file relative/path\n",
		"file /a//b\n",
		"file /a/../b\n",
		"file ~/../etc/shadow\n",
		"file ~//x\n",
		"file ~root/.bashrc\n",
		"file ~\n",
		"file /a/b** \n",
		"file /**/**/**/**/**/x\n",
		"file /a max-size=12Q\n",
		"file /a colour=red\n",
		"file /a fs=remote\n",
		"file\n",
		"live\n",
		"live bad/name -- ls\n",
		"live x.txt\n",
		"live x.txt timeout=0 -- ls\n",
		"live x.txt timeout=abc -- ls\n",
		"live x.txt builtin=nope\n",
		"live x.txt builtin=processes -- ls\n",
		"live x.txt -- ls\nlive x.txt -- ls\n",
		"live x.txt.stderr -- ls\n",
		"file \"/unterminated\n",
		"max-size\n",
		"exclude\n",
		"description a\ndescription b\n",
		"description\n",
		"description   \n",
		"\"description\" quoted\n",
	};
	struct irt_profile *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[128];
		snprintf(text, sizeof text, "# c\n%s", bad[i]);
		p = (void *)1;
		assert_int_equal(
		    irt_profile_parse(&p, text, strlen(text), "bad.profile"),
		    IRT_EPARSE);
		assert_null(p);
		/* the message names the file and the line */
		assert_non_null(strstr(irt_error_last(), "bad.profile:"));
		assert_true(strstr(irt_error_last(), ":2:") != NULL ||
		    strstr(irt_error_last(), ":3:") != NULL);
	}
	/* a keyword at the very end of the input (found by the fuzzer) */
	assert_int_equal(
	    irt_profile_parse(&p, "description", 11, "n"), IRT_EPARSE);
	/* NUL bytes and invalid UTF-8 are refused */
	assert_int_equal(
	    irt_profile_parse(&p, "file /a\0\n", 9, "n"), IRT_EPARSE);
	assert_int_equal(
	    irt_profile_parse(&p, "file /\xff\n", 8, "n"), IRT_EPARSE);
}

/* A line of more than 256 words: refused, and nothing of it leaks (the
 * word being built was lost before). */
static void
test_too_many_words(void **state)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_profile *p = (void *)1;
	int i;

	(void)state;
	irt_buf_puts(&b, "description x\nlive many.txt --");
	for (i = 0; i < 300; i++)
		irt_buf_printf(&b, " word%d", i);
	irt_buf_puts(&b, "\n");
	assert_int_equal(
	    irt_profile_parse(&p, b.ptr, b.len, "w.profile"), IRT_EPARSE);
	assert_null(p);
	assert_string_equal(
	    irt_error_last(), "w.profile:2: more than 256 words");
	/* 256 words are fine */
	irt_buf_clear(&b);
	irt_buf_puts(&b, "live many.txt --");
	for (i = 0; i < 253; i++)
		irt_buf_printf(&b, " w%d", i);
	assert_int_equal(irt_profile_parse(&p, b.ptr, b.len, "w.profile"), 0);
	assert_string_equal(p->v[0].argv[252], "w252");
	irt_profile_free(p);
	irt_buf_release(&b);
}

static void
test_builtins_parse(void **state)
{
	struct irt_profile *p;
	size_t i, j, nlive;

	(void)state;
	for (i = 0; irt_profile_builtins[i] != NULL; i++) {
		assert_int_equal(
		    irt_profile_load(&p, irt_profile_builtins[i]), 0);
		assert_non_null(p->description);
		for (j = nlive = 0; j < p->n; j++)
			nlive += p->v[j].kind == IRT_PROFILE_LIVE;
		assert_true(nlive > 0);
		irt_profile_free(p);
	}
	/* volatile holds live data only */
	assert_int_equal(irt_profile_load(&p, "volatile"), 0);
	for (j = 0; j < p->n; j++)
		assert_int_equal(p->v[j].kind, IRT_PROFILE_LIVE);
	irt_profile_free(p);
	/* triage keeps the shadow files out */
	assert_int_equal(irt_profile_load(&p, "triage"), 0);
	for (j = 0, nlive = 0; p->exclude[j]; j++)
		nlive += irt_glob_match(p->exclude[j], "/etc/shadow");
	assert_true(nlive > 0);
	irt_profile_free(p);
	assert_int_equal(irt_profile_load(&p, "nosuch"), IRT_ENOTFOUND);
}

static void
test_glob(void **state)
{
	(void)state;
	assert_true(irt_glob_match("/var/log/**", "/var/log/syslog"));
	assert_true(irt_glob_match("/var/log/**", "/var/log/apt/history.log"));
	assert_false(irt_glob_match("/var/log/**", "/var/lib/x"));
	assert_true(irt_glob_match("/home/*/.ssh/authorized_keys*",
	    "/home/ann/.ssh/authorized_keys2"));
	assert_false(irt_glob_match("/home/*/.ssh/authorized_keys",
	    "/home/ann/x/.ssh/authorized_keys"));
	assert_true(irt_glob_match(
	    "/home/**/.ssh/known_hosts", "/home/ann/.ssh/known_hosts"));
	assert_true(irt_glob_match("/a/**/b", "/a/b"));
	assert_true(irt_glob_match("/a/**/b", "/a/x/y/b"));
	assert_false(irt_glob_match("/a/**/b", "/a/x/y/c"));
	assert_true(irt_glob_match("/etc/shadow*", "/etc/shadow-"));
	assert_false(irt_glob_match("/etc/shadow*", "/etc/passwd"));
	/* a pattern without '/' matches the last component */
	assert_true(irt_glob_match("*.swp", "/home/a/.x.swp"));
	assert_false(irt_glob_match("*.swp", "/home/a.swp/x"));
	assert_true(irt_glob_match("/t/[ab]?", "/t/b1"));
}

static void
test_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(irt_size_parse(&v, "4096"), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(irt_size_parse(&v, "10K"), 0);
	assert_int_equal(v, 10240);
	assert_int_equal(irt_size_parse(&v, "10MiB"), 0);
	assert_int_equal(v, 10u << 20);
	assert_int_equal(irt_size_parse(&v, "1G"), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(irt_size_parse(&v, "2T"), 0);
	assert_int_equal(v, 2ULL << 40);
	assert_int_equal(irt_size_parse(&v, "12B"), 0);
	assert_int_equal(v, 12);
	assert_int_equal(irt_size_parse(&v, ""), IRT_EINVAL);
	assert_int_equal(irt_size_parse(&v, "-1"), IRT_EINVAL);
	assert_int_equal(irt_size_parse(&v, "1X"), IRT_EINVAL);
	assert_int_equal(irt_size_parse(&v, "99999999999T"), IRT_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_home_and_packages),
		cmocka_unit_test(test_too_many_words),
		cmocka_unit_test(test_builtins_parse),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_size),
	};

	return UNIT_RUN(tests);
}
