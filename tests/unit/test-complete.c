/*
 * The completion engine of cmd/complete.c (irt shell and bash) and its
 * word splitter, over a command table of its own: commands, subcommands,
 * options, their argument kinds and enum values come from the declared
 * tables (opt.h), and what an argument completes to from the "complete"
 * field of the option or the form.
 */
#include "unit.h"

#include "complete.h"

static const struct irt_opt global_opts[] = {
	{ "C", 'C', IRT_ARG_PATH, "DIR", "the case",
	    .flags = IRT_OPT_NOLONG | IRT_OPT_NOSHELL },
	{ "author", 0, IRT_ARG_STRING, "WHO", "the responder" },
	{ "json", 0, IRT_ARG_NONE, NULL, "JSON" },
	{ "quiet", 'q', IRT_ARG_NONE, NULL, "quiet" },
	{ "verbose", 'v', IRT_ARG_NONE, NULL, "verbose",
	    .flags = IRT_OPT_REPEAT },
	{ "version", 0, IRT_ARG_NONE, NULL, "version",
	    .flags = IRT_OPT_ALONE | IRT_OPT_NOSHELL },
	{ "help", 'h', IRT_ARG_NONE, NULL, "help", .flags = IRT_OPT_NOSHELL },
	{ NULL },
};

const struct irt_form irt_global_form = { .path = "",
	.opts = global_opts,
	.operands = "COMMAND [ARGS]",
	.max_args = -1,
	.flags = IRT_CMD_OPTS_FIRST,
	.complete = "command" };

static const struct irt_opt transfer_opts[] = {
	{ "to", 0, IRT_ARG_STRING, "WHO", "the new holder",
	    .flags = IRT_OPT_REQUIRED },
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "a note" },
	{ NULL },
};

static const struct irt_subcmd evidence_subcmds[] = {
	{ "list", "list", IRT_CMD_JSON, NULL, NULL, 0, 0, NULL },
	{ "show", "show", IRT_CMD_JSON, NULL, "ID", 1, 1, NULL, "evidence" },
	{ "transfer", "transfer", 0, transfer_opts, "ID", 1, 1, NULL,
	    "evidence" },
	{ NULL },
};

/* As cmd/cmd-checklist.c has them. */
static const struct irt_opt done_opts[] = {
	{ "checklist", 'c', IRT_ARG_STRING, "NAME", "the started checklist",
	    .complete = "checklist-started" },
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "what was done" },
	{ "force", 0, IRT_ARG_NONE, NULL, "force" },
	{ NULL },
};

static const struct irt_opt host_opts[] = {
	{ "host", 0, IRT_ARG_STRING, "HOST", "the host" },
	{ NULL },
};

static const struct irt_subcmd checklist_subcmds[] = {
	{ "do", "do", 0, done_opts, "STEP", 1, 1, NULL, "step" },
	{ "done", "done", 0, done_opts, "STEP", 1, 1, NULL, "step" },
	{ "start", "start", 0, host_opts, "NAME|FILE", 1, 1, NULL,
	    "checklist|file" },
	{ "status", "status", IRT_CMD_JSON, NULL, "[NAME]", 0, 1, NULL,
	    "checklist-started" },
	{ NULL },
};

static const struct irt_opt plan_opts[] = {
	{ "allow", 0, IRT_ARG_STRING, "ADDR[/LEN][,...]", "allow",
	    .flags = IRT_OPT_REPEAT | IRT_OPT_REQUIRED, .group = 1 },
	{ "no-allow", 0, IRT_ARG_NONE, NULL, "nothing",
	    .flags = IRT_OPT_REQUIRED, .group = 1 },
	{ "allow-port", 0, IRT_ARG_STRING, "PROTO/PORT", "ports",
	    .flags = IRT_OPT_REPEAT },
	{ NULL },
};

static const struct irt_subcmd isolate_subcmds[] = {
	{ "plan", "plan", 0, plan_opts, NULL, 0, 0, NULL },
	{ NULL },
};

static const struct irt_opt edit_opts[] = {
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "text", .group = 1 },
	{ "file", 'F', IRT_ARG_PATH, "FILE", "file", .group = 1 },
	{ NULL },
};

static const struct irt_subcmd note_subcmds[] = {
	{ "edit", "edit", 0, edit_opts, "ID [-]", 1, 2, NULL, "note -" },
	{ "show", "show", IRT_CMD_JSON, NULL, "ID", 1, 1, NULL, "note" },
	{ NULL },
};

static const char *const formats[] = { "jsonl", "mactime", "mactime-csv",
	"timesketch-csv", "l2tcsv", "bodyfile", NULL };

/* As cmd/cmd-timeline.c has it: an enum, a path, a form of its own. */
static const struct irt_opt timeline_opts[] = {
	{ "host", 0, IRT_ARG_STRING, "NAME", "host", .flags = IRT_OPT_REPEAT },
	{ "since", 0, IRT_ARG_DATE, "TIME", "since" },
	{ "format", 0, IRT_ARG_ENUM, "FORMAT", "format", .values = formats },
	{ "output", 'o', IRT_ARG_PATH, "FILE", "output" },
	{ "tz", 0, IRT_ARG_STRING, "ZONE", "zone" },
	{ "list-formats", 0, IRT_ARG_NONE, NULL, "list",
	    .flags = IRT_OPT_ALONE },
	{ "secret", 0, IRT_ARG_NONE, NULL, "hidden", .flags = IRT_OPT_HIDDEN },
	{ NULL },
};

static const struct irt_opt run_opts[] = {
	{ "timeout", 0, IRT_ARG_DURATION, "SECONDS", "timeout" },
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "why" },
	{ NULL },
};

static const struct irt_cmd cmd_checklist = { .name = "checklist",
	.subcmds = checklist_subcmds };
static const struct irt_cmd cmd_evidence = { .name = "evidence",
	.subcmds = evidence_subcmds };
static const struct irt_cmd cmd_help = { .name = "help",
	.operands = "[COMMAND]",
	.max_args = 1,
	.complete = "command" };
static const struct irt_cmd cmd_hidden = { .name = "__hidden",
	.flags = IRT_CMD_HIDDEN };
static const struct irt_cmd cmd_isolate = { .name = "isolate",
	.subcmds = isolate_subcmds };
static const struct irt_cmd cmd_note = { .name = "note",
	.subcmds = note_subcmds };
static const struct irt_cmd cmd_run = { .name = "run",
	.flags = IRT_CMD_OPTS_FIRST,
	.opts = run_opts,
	.operands = "-- COMMAND [ARGS]",
	.min_args = 1,
	.max_args = -1,
	.complete = "program file" };
static const struct irt_cmd cmd_shell = {
	.name = "shell", .operands = "[FILE]", .max_args = 1, .complete = "file"
};
static const struct irt_cmd cmd_timeline = { .name = "timeline",
	.flags = IRT_CMD_JSON,
	.opts = timeline_opts,
	.operands = "[SOURCE...]",
	.max_args = -1,
	.complete = "file" };

const struct irt_cmd *const irt_commands[] = {
	&cmd_hidden,
	&cmd_checklist,
	&cmd_evidence,
	&cmd_help,
	&cmd_isolate,
	&cmd_note,
	&cmd_run,
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
check_mode(int mode, const char *line, const char *want)
{
	char *got = comp(mode, line, NULL);

	if (strcmp(got, want) != 0)
		fail_msg("'%s': got '%s', want '%s'", line, got, want);
	free(got);
}

static void
check(const char *line, const char *want)
{
	check_mode(0, line, want);
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
	(void)state;
	check("", "checklist evidence help isolate note run shell timeline");
	check("e", "evidence");
	check("__", "");
	/* irt's own options, from its table */
	check("-",
	    "--author --help --json --quiet --verbose --version -C -h -q -v");
	check("--json ev", "evidence");
	/* a global option's argument is no command; -qC takes one */
	check_dir("-C ", IRT_COMP_FILES);
	check_dir("-qC ", IRT_COMP_FILES);
	check("-qv -C dir --author who ev", "evidence");
	check("--author ", "");
	check("evidence ", "list show transfer");
	check("evidence -", "--help -h");
	check("evidence bogus ", "");
	check("help n", "note");
	/* the shell adds its builtins, not itself, nor what it refuses */
	check_mode(IRT_COMP_SHELL, "",
	    "checklist evidence exit help isolate note quit run timeline");
	check_mode(
	    IRT_COMP_SHELL, "-", "--author --json --quiet --verbose -q -v");
}

static void
test_tables(void **state)
{
	(void)state;
	/* declared options, the implied --json and -h/--help, no hidden */
	check("timeline -",
	    "--format --help --host --json --list-formats --output --since "
	    "--tz -h -o");
	check("timeline --format ",
	    "bodyfile jsonl l2tcsv mactime mactime-csv timesketch-csv");
	check("timeline --format=mactime",
	    "--format=mactime --format=mactime-csv");
	check("timeline --host ", "");
	check_dir("timeline --host ", 0);
	check_dir("timeline --format=", 0);
	/* operands: files here, anywhere among the options */
	check("timeline ", "");
	check_dir("timeline ", IRT_COMP_FILES);
	check_dir("timeline a b ", IRT_COMP_FILES);
	check_dir("timeline --since 2026-11-27 ", IRT_COMP_FILES);
	check_dir("timeline -o ", IRT_COMP_FILES);
	check_dir("timeline --output=", 0);
	check("evidence transfer x --to ", "");
	check("evidence transfer x -", "--help --message --to -h -m");
	check("isolate plan -", "--allow --allow-port --help --no-allow -h");
	check("isolate plan --allow ", "");
	check("isolate plan --allow-port ", "");
	check("checklist done -",
	    "--checklist --force --help --message -c -h -m");
	check_dir("checklist start ", IRT_COMP_FILES);
	check_dir("checklist start x ", 0);
	check("note edit x -", "--file --help --message -F -h -m");
	check_dir("note edit x -F ", IRT_COMP_FILES);
	/* the second operand of note edit ("-") completes to nothing */
	check_dir("note edit x ", 0);
	/* options first: after the command, its own arguments */
	check("run --t", "--timeout");
	check("run --timeout 5 -", "--help --message --timeout -h -m");
	check("run ls -", "");
	check_dir("run ls -", IRT_COMP_FILES);
	check_dir("run -- ls ", IRT_COMP_FILES);
	check_dir("shell a ", 0);
	check_dir("shell ", IRT_COMP_FILES);
}

static void
test_known(void **state)
{
	(void)state;
	assert_true(irt_complete_known(NULL));
	assert_true(irt_complete_known("note"));
	assert_true(irt_complete_known("profile|file"));
	assert_true(irt_complete_known("program file"));
	assert_true(irt_complete_known("note -"));
	assert_false(irt_complete_known("notes"));
	assert_false(irt_complete_known("note|"));
	assert_false(irt_complete_known("file bogus"));
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
	check("evidence transfer --to x ",
	    "20261127T101010Z-aaaaaa 20261127T101010Z-bbbbbb");
	check("evidence transfer 20261127T101010Z-aaaaaa ", "");
	check(
	    "checklist done ", "approve firewall not-a-step patched volatile");
	check("checklist done v", "volatile");
	check("checklist done volatile -",
	    "--checklist --force --help --message -c -h -m");
	/* -c NAME: the steps of that checklist, NAME a started one */
	check("checklist done -c restore ", "patched");
	check("checklist done -crestore ", "patched");
	check("checklist do --checklist=isolate-web01 --force ",
	    "approve firewall not-a-step volatile");
	check("checklist done -c ", "isolate-web01 restore-web01");
	check("checklist done --checklist=r", "--checklist=restore-web01");
	check("checklist status r", "restore-web01");
	check("checklist start i", "isolate-linux-host");
	/* note ids are not evidence ids */
	check("note show 2026", id);
	check("note edit 2026", id);
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
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_case_ids),
	};

	return UNIT_RUN(tests);
}
