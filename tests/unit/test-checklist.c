#include "unit.h"

static const char good[] = "---\n"
                           "id: demo\n"
                           "title: A demo checklist\n"
                           "version: 2\n"
                           "---\n"
                           "\n"
                           "# Demo\n"
                           "\n"
                           "- [ ] first: Do the first thing\n"
                           "  Why: because.\n"
                           "  - run: `printf 'it works\\n'`\n"
                           "\n"
                           "- [ ] second: Then the second\n"
                           "  - needs: first\n"
                           "  - undo: echo undo\n"
                           "- [ ] fails: A command that fails\n"
                           "  - run: false\n"
                           "\n"
                           "Closing words.\n";

static void
test_parse(void **state)
{
	struct irt_checklist *cl;

	(void)state;
	assert_int_equal(
	    irt_checklist_parse(&cl, good, strlen(good), "demo.md"), 0);
	assert_string_equal(cl->id, "demo");
	assert_string_equal(cl->title, "A demo checklist");
	assert_string_equal(cl->version, "2");
	assert_null(cl->host);
	assert_int_equal(cl->nsteps, 3);
	assert_string_equal(cl->steps[0].id, "first");
	assert_string_equal(cl->steps[0].title, "Do the first thing");
	assert_string_equal(cl->steps[0].text, "Why: because.");
	assert_string_equal(cl->steps[0].run, "printf 'it works\\n'");
	assert_int_equal(cl->steps[0].line, 9);
	assert_int_equal(cl->steps[1].nneeds, 1);
	assert_string_equal(cl->steps[1].needs[0], "first");
	assert_string_equal(cl->steps[1].undo, "echo undo");
	assert_null(cl->steps[1].run);
	assert_int_equal(irt_checklist_find(cl, "second"), 1);
	assert_int_equal(irt_checklist_find(cl, "nope"), -1);
	assert_int_equal(irt_checklist_next(cl), 0);
	assert_string_equal(irt_checklist_unmet(cl, 1), "first");
	assert_null(irt_checklist_unmet(cl, 0));
	{
		/* written back byte for byte */
		struct irt_buf b = IRT_BUF_INIT;
		assert_int_equal(irt_checklist_format(&b, cl), 0);
		assert_string_equal(b.ptr, good);
		irt_buf_release(&b);
	}
	irt_checklist_free(cl);
}

static void
test_lint_errors(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} bad[] = {
		{ "id: x\n", "f.md:1: expected the header" },
		{ "---\nid: x\ntitle: t\n- [ ] a: b\n", "no closing '---'" },
		{ "---\nid: x\ntitle: t\n---\n- [ ] a: b\n",
		    "f.md:1: the header has no version:" },
		{ "---\nid: x\ntitle: t\nversion: 1\ncolour: red\n---\n"
		  "- [ ] a: b\n",
		    "f.md:5: unknown header key 'colour'" },
		{ "---\nid: x\ntitle: t\nversion: 1\n---\ntext only\n",
		    "no steps" },
		{ "---\nid: x\ntitle: t\nversion: 1\n---\n- [ ] a: b\n"
		  "- [ ] a: c\n",
		    "f.md:7: step 'a' is defined twice" },
		{ "---\nid: x\ntitle: t\nversion: 1\n---\n- [ ] Bad Id: b\n",
		    "f.md:6: expected '- [ ] ID: TITLE'" },
		{ "---\nid: x\ntitle: t\nversion: 1\n---\n- [y] a: b\n",
		    "f.md:6: a step starts with" },
		{ "---\nid: x\ntitle: t\nversion: 1\n---\n- [ ] a: b\n"
		  "  - needs: c\n- [ ] c: d\n",
		    "f.md:7: step 'a' needs 'c', which is not an earlier "
		    "step" },
		{ "---\nid: x\ntitle: t\nversion: 1\n---\n- [ ] a: b\n"
		  "  - run: echo 'open\n",
		    "f.md:7: unbalanced quote" },
		{ "---\nid: x\ntitle: t\nversion: 1\n---\n- [x] a: b\n",
		    "f.md:6: step 'a' is ticked but has no done:" },
		{ "---\nid: x\ntitle: t\nversion: 1\n---\n- [ ] a: b\n"
		  "  - done: 2026-01-01T00:00:00Z by me\n",
		    "box is not ticked" },
		{ "---\nid: x\ntitle: t\nversion: 1\n---\n- [x] a: b\n"
		  "  - skipped: 2026-01-01T00:00:00Z by me\n",
		    "has no reason:" },
		{ "---\nid: x\ntitle: t\nversion: 1\n---\n- [x] a: b\n"
		  "  - done: yesterday by me\n",
		    "f.md:7: invalid time 'yesterday'" },
		{ "---\nid: x\ntitle: t\nversion: 1\n---\n- [ ] a: \xff\n",
		    "f.md:6: not valid UTF-8" },
	};
	struct irt_checklist *cl;
	char **p;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(irt_checklist_lint(&p, bad[i].text,
		                     strlen(bad[i].text), "f.md"),
		    0);
		for (k = 0; p[k] != NULL; k++)
			if (strstr(p[k], bad[i].want) != NULL)
				break;
		if (p[k] == NULL)
			fail_msg("case %zu: want '%s', got '%s'", i,
			    bad[i].want, p[0] ? p[0] : "(nothing)");
		irt_strv_free(p);
		assert_int_equal(irt_checklist_parse(&cl, bad[i].text,
		                     strlen(bad[i].text), "f.md"),
		    IRT_EPARSE);
	}
	/* lint lists every problem, not just the first */
	{
		const char *t = "---\nid: x\n---\n- [ ] A: b\n- [ ] a:\n";
		assert_int_equal(irt_checklist_lint(&p, t, strlen(t), "f"), 0);
		for (i = 0; p[i] != NULL; i++)
			;
		assert_true(i >= 4);
		irt_strv_free(p);
	}
	assert_int_equal(irt_checklist_lint(&p, good, strlen(good), "g"), 0);
	assert_null(p[0]);
	irt_strv_free(p);
}

static void
test_argv(void **state)
{
	char **v;

	(void)state;
	assert_int_equal(irt_checklist_argv(&v,
	                     "sh -c 'echo a  b' \"x \\\"y\\\"\" plain\\ word"),
	    0);
	assert_string_equal(v[0], "sh");
	assert_string_equal(v[1], "-c");
	assert_string_equal(v[2], "echo a  b");
	assert_string_equal(v[3], "x \"y\"");
	assert_string_equal(v[4], "plain word");
	assert_null(v[5]);
	irt_strv_free(v);
	assert_int_equal(irt_checklist_argv(&v, "a''b ''"), 0);
	assert_string_equal(v[0], "ab");
	assert_string_equal(v[1], "");
	irt_strv_free(v);
	assert_int_equal(irt_checklist_argv(&v, "echo 'x"), IRT_EINVAL);
	assert_int_equal(irt_checklist_argv(&v, "echo \"x"), IRT_EINVAL);
	assert_int_equal(irt_checklist_argv(&v, "echo x\\"), IRT_EINVAL);
	assert_int_equal(irt_checklist_argv(&v, "   "), IRT_EINVAL);
	/* no expansion of any kind */
	assert_int_equal(irt_checklist_argv(&v, "echo $HOME * `id`"), 0);
	assert_string_equal(v[1], "$HOME");
	assert_string_equal(v[2], "*");
	assert_string_equal(v[3], "`id`");
	irt_strv_free(v);
}

/* Every built-in checklist lints clean and says what, why and what to
 * record in each step. */
static void
test_builtins(void **state)
{
	static const char *const want[] = { "account-lockdown",
		"contain-public-services", "evidence-handling",
		"isolate-linux-host", "restore-services", NULL };
	struct irt_checklist *cl;
	char **names, **p;
	size_t i, k;

	(void)state;
	assert_int_equal(irt_checklist_builtins(&names), 0);
	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(names[i]);
		assert_string_equal(names[i], want[i]);
	}
	assert_null(names[i]);
	for (i = 0; names[i] != NULL; i++) {
		struct irt_buf b = IRT_BUF_INIT;
		assert_int_equal(irt_checklist_load(&cl, &b, names[i]), 0);
		assert_string_equal(cl->id, names[i]);
		assert_int_equal(
		    irt_checklist_lint(&p, b.ptr, b.len, names[i]), 0);
		assert_null(p[0]);
		irt_strv_free(p);
		for (k = 0; k < cl->nsteps; k++) {
			const char *t = cl->steps[k].text;
			if (strstr(t, "Do:") == NULL ||
			    strstr(t, "Why:") == NULL ||
			    strstr(t, "Record:") == NULL)
				fail_msg("%s: step %s lacks Do/Why/Record",
				    names[i], cl->steps[k].id);
		}
		irt_checklist_free(cl);
		irt_buf_release(&b);
	}
	irt_strv_free(names);
	/* the isolation comes after the volatile evidence */
	assert_int_equal(
	    irt_checklist_load(&cl, NULL, "isolate-linux-host"), 0);
	{
		long i1 = irt_checklist_find(cl, "isolate");
		long iv = irt_checklist_find(cl, "volatile");
		assert_true(iv >= 0 && i1 > iv);
		assert_string_equal(
		    cl->steps[iv].run, "irt collect --profile volatile");
		assert_string_equal(
		    irt_checklist_unmet(cl, (size_t)i1), "volatile");
		assert_string_equal(cl->steps[i1].undo, "irt isolate lift");
	}
	irt_checklist_free(cl);
	assert_int_equal(
	    irt_checklist_load(&cl, NULL, "no-such"), IRT_ENOTFOUND);
	assert_int_equal(irt_checklist_load(&cl, NULL, "../x"), IRT_EIO);
}

struct fixture {
	char *dir;
	struct irt_case *c;
	struct irt_ident who;
};

static int
setup_case(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct irt_case_meta meta = { "INC-1", "unit", NULL, NULL, NULL };
	char path[4200];

	f->dir = unit_tmpdir();
	snprintf(path, sizeof path, "%s/case", f->dir);
	assert_int_equal(irt_ident_parse(&f->who, "Unit Test <u@t>"), 0);
	assert_int_equal(irt_case_init(&f->c, path, &meta, &f->who), 0);
	*state = f;
	return 0;
}

static int
teardown_case(void **state)
{
	struct fixture *f = *state;

	irt_case_free(f->c);
	irt_ident_release(&f->who);
	unit_rmtree(f->dir);
	free(f);
	return 0;
}

static int
count_commits(const struct irt_case_logent *e, void *arg)
{
	(void)e;
	(*(int *)arg)++;
	return 0;
}

static void
test_case_flow(void **state)
{
	struct fixture *f = *state;
	struct irt_checklist *cl, *copy;
	struct irt_checklist_mark m;
	struct irt_run_result r;
	struct irt_case_verify_report rep;
	struct irt_buf b = IRT_BUF_INIT;
	char *name, **started, first_run[32];
	int ticked, n = 0;

	assert_int_equal(
	    irt_checklist_parse(&cl, good, strlen(good), "demo.md"), 0);
	assert_int_equal(
	    irt_checklist_start(f->c, &name, cl, "web1", &f->who), 0);
	assert_string_equal(name, "demo-web1");
	free(name);
	assert_int_equal(
	    irt_checklist_start(f->c, NULL, cl, "web1", &f->who), IRT_EEXISTS);
	assert_int_equal(
	    irt_checklist_start(f->c, NULL, cl, "a/b", &f->who), IRT_EINVAL);
	assert_int_equal(irt_checklist_started(f->c, &started), 0);
	assert_string_equal(started[0], "demo-web1");
	assert_null(started[1]);
	irt_strv_free(started);

	/* the dependency is enforced, --force is recorded */
	memset(&m, 0, sizeof m);
	m.step = "second";
	m.state = IRT_STEP_DONE;
	assert_int_equal(
	    irt_checklist_mark(f->c, "demo-web1", &m, &f->who, NULL),
	    IRT_ECONFLICT);
	m.forced = "test";
	m.text = "line one\nline two";
	assert_int_equal(
	    irt_checklist_mark(f->c, "demo-web1", &m, &f->who, NULL), 0);
	/* do runs the command as irt run does and ticks the step */
	assert_int_equal(irt_checklist_do(f->c, "demo-web1", "first", NULL,
	                     NULL, &f->who, &r, &ticked),
	    0);
	assert_int_equal(ticked, 1);
	assert_int_equal(r.exit_code, 0);
	snprintf(first_run, sizeof first_run, "%s", r.id);
	/* a failing command is recorded, the step stays open */
	assert_int_equal(irt_checklist_do(f->c, "demo-web1", "fails", NULL,
	                     NULL, &f->who, &r, &ticked),
	    0);
	assert_int_equal(ticked, 0);
	assert_int_equal(r.exit_code, 1);
	/* the step has no command */
	assert_int_equal(irt_checklist_do(f->c, "demo-web1", "second", NULL,
	                     NULL, &f->who, &r, &ticked),
	    IRT_EINVAL);
	assert_int_equal(irt_checklist_open(f->c, &copy, &name, "demo"), 0);
	assert_string_equal(name, "demo-web1");
	free(name);
	assert_string_equal(copy->host, "web1");
	assert_non_null(copy->started);
	assert_int_equal(copy->steps[0].state, IRT_STEP_DONE);
	assert_string_equal(copy->steps[0].run_id, first_run);
	assert_null(strchr(copy->steps[0].run_id, ' '));
	assert_int_equal(copy->steps[1].state, IRT_STEP_DONE);
	assert_string_equal(copy->steps[1].comment, "line one line two");
	assert_non_null(strstr(copy->steps[1].forced, "'first' was not done"));
	assert_string_equal(copy->steps[1].who, "Unit Test <u@t>");
	assert_int_equal(copy->steps[2].state, IRT_STEP_OPEN);
	assert_int_equal(irt_checklist_next(copy), 2);
	irt_checklist_free(copy);

	/* skip needs a reason; a closed step must be reopened first */
	memset(&m, 0, sizeof m);
	m.step = "fails";
	m.state = IRT_STEP_SKIPPED;
	assert_int_equal(
	    irt_checklist_mark(f->c, "demo-web1", &m, &f->who, NULL),
	    IRT_EINVAL);
	m.text = "not needed";
	assert_int_equal(
	    irt_checklist_mark(f->c, "demo-web1", &m, &f->who, NULL), 0);
	assert_int_equal(
	    irt_checklist_mark(f->c, "demo-web1", &m, &f->who, NULL),
	    IRT_EINVAL);
	m.state = IRT_STEP_OPEN;
	m.text = NULL;
	assert_int_equal(
	    irt_checklist_mark(f->c, "demo-web1", &m, &f->who, NULL), 0);
	assert_int_equal(
	    irt_checklist_mark(f->c, "demo-web1", &m, &f->who, NULL),
	    IRT_EINVAL);
	m.step = "nope";
	assert_int_equal(
	    irt_checklist_mark(f->c, "demo-web1", &m, &f->who, NULL),
	    IRT_ENOTFOUND);
	assert_int_equal(irt_case_read(f->c, &b, "checklists/demo-web1.md"), 0);
	assert_non_null(strstr(b.ptr, "- [x] first: Do the first thing\n"));
	assert_non_null(strstr(b.ptr,
	    "- [ ] fails: A command that fails\n"
	    "  - run: false\n"
	    "  - reopened: "));
	assert_null(strstr(b.ptr, "not needed"));
	assert_non_null(strstr(b.ptr, "\nClosing words.\n"));
	irt_buf_release(&b);

	/* start + second + 2 runs + first + skip + reopen */
	assert_int_equal(
	    irt_case_log(f->c, "checklists/demo-web1.md", count_commits, &n),
	    0);
	assert_int_equal(n, 5);
	assert_int_equal(irt_case_verify(f->c, &rep, NULL), 0);
	assert_int_equal(rep.nproblems, 0);
	irt_case_verify_report_release(&rep);
	irt_checklist_free(cl);
}

static void
test_check(void **state)
{
	(void)state;
	/* a copy in a case must say which host and when it started */
	assert_int_equal(
	    irt_checklist_check("checklists/x.md", good, strlen(good)),
	    IRT_EPARSE);
	assert_int_equal(irt_checklist_check_host("web-1.example_2"), 0);
	assert_int_equal(irt_checklist_check_host(""), IRT_EINVAL);
	assert_int_equal(irt_checklist_check_host("-x"), IRT_EINVAL);
	assert_int_equal(irt_checklist_check_host("a b"), IRT_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_lint_errors),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_builtins),
		cmocka_unit_test_setup_teardown(
		    test_case_flow, setup_case, teardown_case),
		cmocka_unit_test(test_check),
	};

	return UNIT_RUN(tests);
}
