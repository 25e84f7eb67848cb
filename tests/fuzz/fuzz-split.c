/*
 * The word splitter of irt shell and the completion engine's usage
 * parser: any line is split without crashing, and completing its words
 * against a command table never reads out of bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "complete.h"

static const struct irt_subcmd sub[] = {
	{ "add",
	    "usage: irt note add [-t TAG]... [--host HOST] "
	    "[-m TEXT | -F FILE | -]\n",
	    NULL, 0 },
	{ "list",
	    "usage: irt note list [--tag TAG] [--since TIME]\n"
	    "                     [--until TIME] [--json]\n",
	    NULL, 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct irt_cmd note = {
	.name = "note", .usage = "usage: irt note ...\n", .subcmds = sub
};
static const struct irt_cmd tl = { .name = "timeline",
	.usage = "usage: irt timeline [SOURCE]... [--format a|b|c] [-o FILE]\n"
	         "       irt timeline --x=Y -- ARG [ARGS]\n"
	         "[(]] ... | -- - ...] [[--z|-q Z|W]\n" };

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

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct irt_words w = IRT_WORDS_INIT, out = IRT_WORDS_INIT;
	struct irt_ctx ctx;
	char *line;
	bool in_word;
	int d;

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
	}
	irt_words_free(&w);
	irt_words_free(&out);
	free(line);
	return 0;
}
