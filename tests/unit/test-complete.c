/*
 * The completion engine of cmd/complete.c (irt shell and bash) and its
 * word splitter, over a command table of its own: the commands other
 * modules add (evidence, checklist, timeline) are completed by the same
 * usage-string parser and (command, subcommand, placeholder) rules.
 */
#include "unit.h"

#include "complete.h"

static const struct irt_subcmd evidence_subcmds[] = {
	{ "list", "usage: irt evidence list [--json]\n", NULL, 0 },
	{ "show", "usage: irt evidence show [--json] ID\n", NULL, 0 },
	{ "transfer", "usage: irt evidence transfer ID --to WHO [-m TEXT]\n",
	    NULL, 0 },
	{ NULL, NULL, NULL, 0 },
};

/* As cmd/cmd-checklist.c has them. */
static const struct irt_subcmd checklist_subcmds[] = {
	{ "do", "usage: irt checklist do [-c NAME] [--force] STEP\n", NULL, 0 },
	{ "done",
	    "usage: irt checklist done [-c NAME] [-m TEXT] [--force] "
	    "STEP\n",
	    NULL, 0 },
	{ "start", "usage: irt checklist start [--host HOST] NAME|FILE\n", NULL,
	    0 },
	{ "status", "usage: irt checklist status [--json] [NAME]\n", NULL, 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct irt_subcmd isolate_subcmds[] = {
	{ "plan",
	    "usage: irt isolate plan (--allow ADDR[/LEN][,...]... | "
	    "--no-allow)\n"
	    "                         [--allow-port PROTO/PORT]...\n",
	    NULL, 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct irt_subcmd note_subcmds[] = {
	{ "show", "usage: irt note show [--json] ID\n", NULL, 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct irt_cmd cmd_checklist = { .name = "checklist",
	.usage = "usage: irt checklist ...\n",
	.subcmds = checklist_subcmds };
static const struct irt_cmd cmd_evidence = { .name = "evidence",
	.usage = "usage: irt evidence ...\n",
	.subcmds = evidence_subcmds };
static const struct irt_cmd cmd_hidden = { .name = "__hidden",
	.usage = "usage: irt __hidden\n",
	.flags = IRT_CMD_HIDDEN };
static const struct irt_cmd cmd_note = { .name = "note",
	.usage = "usage: irt note ...\n",
	.subcmds = note_subcmds };
static const struct irt_cmd cmd_shell = { .name = "shell",
	.usage = "usage: irt shell [-k] [FILE]\n" };
static const struct irt_cmd cmd_isolate = { .name = "isolate",
	.usage = "usage: irt isolate ...\n",
	.subcmds = isolate_subcmds };
/* As cmd/cmd-timeline.c has it: the values of FORMAT in the prose. */
static const struct irt_cmd cmd_timeline = { .name = "timeline",
	.usage =
	    "usage: irt timeline [--host NAME] [SOURCE]... [--since TIME]\n"
	    "                    [--format FORMAT] [-o FILE] [--tz ZONE]\n"
	    "       irt timeline --list-formats\n"
	    "SOURCE is [KIND:]PATH; KIND is fs, bodyfile, archive or\n"
	    "syslog.\n"
	    "FORMAT is jsonl, mactime, mactime-csv, timesketch-csv,\n"
	    "l2tcsv or bodyfile.\n" };

const struct irt_cmd *const irt_commands[] = {
	&cmd_hidden,
	&cmd_checklist,
	&cmd_evidence,
	&cmd_isolate,
	&cmd_note,
	&cmd_shell,
	&cmd_timeline,
	NULL,
};

const struct irt_cmd *
irt_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; irt_commands[i] != NULL; i++)
		if (strcmp(irt_commands[i]->name, name) == 0)
			return irt_commands[i];
	return NULL;
}

static struct irt_ctx ctx;

/* Completes the words of line (the last one after the last blank) and
 * returns the candidates joined by spaces. */
static char *
comp(int mode, const char *line, int *directive)
{
	struct irt_words w = IRT_WORDS_INIT, out = IRT_WORDS_INIT;
	struct irt_buf b = IRT_BUF_INIT;
	bool in_word;
	size_t i;
	int d;

	assert_int_equal(irt_split(&w, line, &in_word), IRT_SPLIT_DONE);
	if (!in_word)
		assert_int_equal(irt_words_add(&w, ""), 0);
	assert_int_equal(irt_complete(&ctx, mode, w.v, w.n, &out, &d), 0);
	for (i = 0; i < out.n; i++)
		irt_buf_printf(&b, "%s%s", i ? " " : "", out.v[i]);
	if (directive != NULL)
		*directive = d;
	irt_words_free(&w);
	irt_words_free(&out);
	return irt_buf_detach(&b);
}

static void
check(const char *line, const char *want)
{
	char *got = comp(0, line, NULL);

	if (strcmp(got, want) != 0)
		fail_msg("'%s': got '%s', want '%s'", line, got, want);
	free(got);
}

static void
check_dir(const char *line, int want)
{
	int d;

	free(comp(0, line, &d));
	if (d != want)
		fail_msg("'%s': directive %d, want %d", line, d, want);
}

static void
test_split(void **state)
{
	struct irt_words w = IRT_WORDS_INIT;
	bool in_word;

	(void)state;
	assert_int_equal(
	    irt_split(&w, "  a 'b c' \"d \\\"e\\\\\" f\\ g h\\\ni '' # x y",
	        &in_word),
	    IRT_SPLIT_DONE);
	assert_false(in_word);
	assert_int_equal(w.n, 6);
	assert_string_equal(w.v[0], "a");
	assert_string_equal(w.v[1], "b c");
	assert_string_equal(w.v[2], "d \"e\\");
	assert_string_equal(w.v[3], "f g");
	assert_string_equal(w.v[4], "hi");
	assert_string_equal(w.v[5], "");
	assert_null(w.v[6]);
	irt_words_free(&w);

	/* '#' inside a word and "\n" inside double quotes are literal */
	assert_int_equal(irt_split(&w, "a#b \"x\\ny\"", &in_word), 0);
	assert_true(in_word);
	assert_string_equal(w.v[0], "a#b");
	assert_string_equal(w.v[1], "x\\ny");
	irt_words_free(&w);

	assert_int_equal(
	    irt_split(&w, "note add -m \"open", &in_word), IRT_SPLIT_QUOTE);
	assert_true(in_word);
	assert_int_equal(w.n, 4);
	assert_string_equal(w.v[3], "open");
	irt_words_free(&w);
	assert_int_equal(irt_split(&w, "a 'b", NULL), IRT_SPLIT_QUOTE);
	irt_words_free(&w);
	assert_int_equal(irt_split(&w, "a b\\", NULL), IRT_SPLIT_ESCAPE);
	irt_words_free(&w);
	assert_int_equal(irt_split(&w, "   ", &in_word), IRT_SPLIT_DONE);
	assert_int_equal(w.n, 0);
	irt_words_free(&w);
}

static void
test_commands(void **state)
{
	char *s;

	(void)state;
	check("", "checklist evidence isolate note shell timeline");
	check("e", "evidence");
	check("__", "");
	check("-",
	    "--author --help --json --quiet --verbose --version -C -h "
	    "-q -v");
	check("--json ev", "evidence");
	check("evidence ", "list show transfer");
	check("evidence -", "--help -h");
	check("evidence bogus ", "");
	/* the shell adds its builtins, not itself */
	s = comp(IRT_COMP_SHELL, "", NULL);
	assert_string_equal(
	    s, "checklist evidence exit isolate note quit timeline");
	free(s);
	s = comp(IRT_COMP_SHELL, "-", NULL);
	assert_string_equal(s, "--author --json --quiet --verbose -q -v");
	free(s);
}

static void
test_usage_parsing(void **state)
{
	(void)state;
	check("timeline -",
	    "--format --help --host --list-formats --since "
	    "--tz -h -o");
	check("timeline --format ",
	    "bodyfile jsonl l2tcsv mactime mactime-csv timesketch-csv");
	check("timeline --format=mactime",
	    "--format=mactime --format=mactime-csv");
	check("timeline --host ", "");
	/* the prose is no synopsis: "is" and "KIND" are no arguments */
	check("timeline ", "");
	check("timeline a ", "");
	check_dir("timeline ", IRT_COMP_FILES);
	check_dir("timeline a b ", IRT_COMP_FILES);
	check_dir("timeline -o ", IRT_COMP_FILES);
	check_dir("timeline --host ", 0);
	check_dir("timeline --format=", 0);
	check("evidence transfer x --to ", "");
	check("evidence transfer x -", "--help --to -h -m");
	/* placeholders that are no words complete to nothing */
	check("isolate plan -", "--allow --allow-port --help --no-allow -h");
	check("isolate plan --allow ", "");
	check("isolate plan --allow-port ", "");
	check("checklist done -", "--force --help -c -h -m");
	check_dir("checklist start ", IRT_COMP_FILES);
}

static void
test_case_ids(void **state)
{
	struct irt_case_meta meta = { "INC-U", "unit", NULL, NULL, NULL };
	struct irt_ident who = { "Unit", "unit@example.org" };
	static const char cl[] =
	    "---\nid: isolate\n---\n# Isolate\n\n"
	    "- [x] approve: get the approval\n"
	    "  - [ ] not-a-step: indented deeper is still a task line\n"
	    "- [ ] **volatile** capture volatile evidence\n"
	    "* [X] `firewall` save the ruleset\n"
	    "- [] broken\n"
	    "- [ ]\n"
	    "text - [ ] no\n";
	static const char cl2[] = "---\nid: restore\n---\n"
	                          "- [ ] patched: patch the service\n";
	struct irt_case_file files[] = {
		{ "custody/2026/11/27/20261127T101010Z-aaaaaa.record",
		    "id = a\n", 7 },
		{ "custody/2026/11/27/20261127T101010Z-bbbbbb.record",
		    "id = b\n", 7 },
		{ "checklists/isolate-web01.md", cl, sizeof cl - 1 },
		{ "checklists/restore-web01.md", cl2, sizeof cl2 - 1 },
	};
	char *dir = unit_tmpdir(), path[4200], id[32];

	(void)state;
	snprintf(path, sizeof path, "%s/case", dir);
	assert_int_equal(irt_case_init(&ctx.kase, path, &meta, &who), 0);
	assert_int_equal(irt_case_commit(ctx.kase, NULL, files, 4, 0, "test",
	                     NULL, NULL, 0, &who),
	    0);
	assert_int_equal(
	    irt_note_add(ctx.kase, id, "x", 1, NULL, 0, NULL, &who), 0);

	check("evidence show ",
	    "20261127T101010Z-aaaaaa 20261127T101010Z-bbbbbb");
	check("evidence show --json 20261127T101010Z-b",
	    "20261127T101010Z-bbbbbb");
	check("evidence transfer ",
	    "20261127T101010Z-aaaaaa 20261127T101010Z-bbbbbb");
	check("evidence transfer 20261127T101010Z-aaaaaa ", "");
	check(
	    "checklist done ", "approve firewall not-a-step patched volatile");
	check("checklist done v", "volatile");
	check("checklist done volatile -", "--force --help -c -h -m");
	/* -c NAME: the steps of that checklist, NAME a started one */
	check("checklist done -c restore ", "patched");
	check("checklist do --checklist=isolate-web01 --force ",
	    "approve firewall not-a-step volatile");
	check("checklist done -c ", "isolate-web01 restore-web01");
	check("checklist status r", "restore-web01");
	/* note ids are not evidence ids */
	check("note show 2026", id);
	irt_case_free(ctx.kase);
	ctx.kase = NULL;
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_usage_parsing),
		cmocka_unit_test(test_case_ids),
	};

	return UNIT_RUN(tests);
}
