/*
 * The word splitter of irt shell, the completion engine and the option
 * parser over declared tables: any line is split without crashing, its
 * words complete against a command table and parse against a form (every
 * kind of argument, groups, a form of its own) without reading out of
 * bounds, and a parse that succeeds leaves every operand a word of the
 * line.
 */
#include <stdlib.h>
#include <string.h>

#include "complete.h"

static const char *const formats[] = { "jsonl", "mactime", "csv", NULL };

static const struct irt_opt global_opts[] = {
	{ "C", 'C', IRT_ARG_PATH, "DIR", "case",
	    .flags = IRT_OPT_NOLONG | IRT_OPT_NOSHELL },
	{ "json", 0, IRT_ARG_NONE, NULL, "json" },
	{ "quiet", 'q', IRT_ARG_NONE, NULL, "quiet" },
	{ "version", 0, IRT_ARG_NONE, NULL, "version", .flags = IRT_OPT_ALONE },
	{ NULL },
};

const struct irt_form irt_global_form = { .path = "",
	.opts = global_opts,
	.operands = "COMMAND [ARGS]",
	.max_args = -1,
	.flags = IRT_CMD_OPTS_FIRST,
	.complete = "command" };

static const struct irt_opt add_opts[] = {
	{ "tag", 't', IRT_ARG_STRING, "TAG", "tag", .flags = IRT_OPT_REPEAT,
	    .complete = "note-tag" },
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "text", .group = 1 },
	{ "file", 'F', IRT_ARG_PATH, "FILE", "file", .group = 1 },
	{ NULL },
};

static const struct irt_opt tl_opts[] = {
	{ "host", 0, IRT_ARG_STRING, "NAME", "host", .flags = IRT_OPT_REPEAT },
	{ "format", 'f', IRT_ARG_ENUM, "FORMAT", "format", .values = formats },
	{ "since", 0, IRT_ARG_DATE, "TIME", "since" },
	{ "memory", 0, IRT_ARG_SIZE, "SIZE", "memory", .min = 1 << 20 },
	{ "timeout", 0, IRT_ARG_DURATION, "SECONDS", "timeout", .max = 600 },
	{ "year", 0, IRT_ARG_INT, "YEAR", "year", .min = 1970, .max = 9999 },
	{ "allow", 0, IRT_ARG_STRING, "ADDR", "allow",
	    .flags = IRT_OPT_REQUIRED | IRT_OPT_REPEAT, .group = 2 },
	{ "no-allow", 0, IRT_ARG_NONE, NULL, "none", .flags = IRT_OPT_REQUIRED,
	    .group = 2 },
	{ "list", 0, IRT_ARG_NONE, NULL, "list", .flags = IRT_OPT_ALONE },
	{ "output", 'o', IRT_ARG_PATH, "FILE", "output" },
	{ NULL },
};

static const struct irt_subcmd sub[] = {
	{ "add", "add", 0, add_opts, "[-]", 0, 1, NULL, "-" },
	{ "show", "show", IRT_CMD_JSON, NULL, "ID", 1, 1, NULL, "note" },
	{ NULL },
};

static const struct irt_cmd note = { .name = "note", .subcmds = sub };
static const struct irt_cmd tl = { .name = "timeline",
	.flags = IRT_CMD_JSON,
	.opts = tl_opts,
	.operands = "[SOURCE...]",
	.max_args = -1,
	.complete = "file" };

const struct irt_cmd *const irt_commands[] = { &note, &tl, NULL };

const struct irt_cmd *
irt_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; irt_commands[i] != NULL; i++)
		if (strcmp(irt_commands[i]->name, name) == 0)
			return irt_commands[i];
	return NULL;
}

/* Is s one of the words? */
static bool
is_word(const struct irt_words *w, const char *s)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->v[i] == s)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct irt_words w = IRT_WORDS_INIT, out = IRT_WORDS_INIT;
	struct irt_ctx ctx;
	struct irt_form f;
	struct irt_args a;
	char *line, path[64];
	bool in_word;
	int d, i;

	if ((line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	memset(&ctx, 0, sizeof ctx);
	/* no case: ids complete to nothing, quickly */
	ctx.case_dir = "/nonexistent/irt-fuzz";
	if (irt_split(&w, line, &in_word) >= 0) {
		if (!in_word)
			irt_words_add(&w, "");
		irt_complete(&ctx, 0, w.v, w.n, &out, &d);
		irt_words_free(&out);
		irt_complete(&ctx, IRT_COMP_SHELL, w.v, w.n, &out, &d);
		/* the words as the command line of irt timeline */
		irt_cmd_form(&f, path, &tl, NULL);
		memset(&a, 0, sizeof a);
		if (w.n > 0 && irt_args_parse(&a, &f, (int)w.n, w.v) == -1) {
			for (i = 0; i < a.argc; i++)
				if (!is_word(&w, a.argv[i]))
					abort();
			if (a.argv[a.argc] != NULL)
				abort();
			irt_args_release(&a);
		}
	}
	irt_words_free(&w);
	irt_words_free(&out);
	free(line);
	return 0;
}
