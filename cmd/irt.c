/*
 * irt: the incident-response toolkit.  Global options, the command table
 * and dispatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "irt.h"

/* Alphabetical. */
const struct irt_cmd *const irt_commands[] = {
	&irt_cmd_complete,
	&irt_cmd_options,
	&irt_cmd_case,
	&irt_cmd_checklist,
	&irt_cmd_collect,
	&irt_cmd_event,
	&irt_cmd_evidence,
	&irt_cmd_fleet,
	&irt_cmd_help,
	&irt_cmd_host,
	&irt_cmd_hunt,
	&irt_cmd_ioc,
	&irt_cmd_isolate,
	&irt_cmd_note,
	&irt_cmd_report,
	&irt_cmd_run,
	&irt_cmd_shell,
	&irt_cmd_stack,
	&irt_cmd_timeline,
	&irt_cmd_triage,
	&irt_cmd_verify,
	&irt_cmd_version,
	NULL,
};

/* The options of irt itself; those marked NOSHELL cannot start a line
 * of irt shell, which stays in its case. */
static const struct irt_opt global_opts[] = {
	{ "C", 'C', IRT_ARG_PATH, "DIR", "use the case in DIR",
	    .flags = IRT_OPT_NOLONG | IRT_OPT_NOSHELL },
	{ "author", 0, IRT_ARG_STRING, "WHO",
	    "the responder, as \"Name <mail>\"" },
	{ "json", 0, IRT_ARG_NONE, NULL,
	    "write JSON, for the commands that can" },
	{ "quiet", 'q', IRT_ARG_NONE, NULL, "print only the data asked for" },
	{ "verbose", 'v', IRT_ARG_NONE, NULL, "say more",
	    .flags = IRT_OPT_REPEAT },
	{ "version", 0, IRT_ARG_NONE, NULL, "print the version and exit",
	    .flags = IRT_OPT_ALONE | IRT_OPT_NOSHELL },
	{ "help", 'h', IRT_ARG_NONE, NULL, "show this help and the commands",
	    .flags = IRT_OPT_NOSHELL },
	{ NULL },
};

const struct irt_form irt_global_form = {
	.path = "",
	.opts = global_opts,
	.operands = "COMMAND [ARGS]",
	.max_args = -1,
	.flags = IRT_CMD_OPTS_FIRST,
	.summary = "incident-response toolkit",
	.complete = "command",
};

const struct irt_ident *
irt_who(struct irt_ctx *ctx)
{
	if (!ctx->who_set) {
		if (irt_ident_resolve(&ctx->who, ctx->author,
		        ctx->kase ? irt_case_path(ctx->kase) : NULL) != 0)
			return NULL;
		ctx->who_set = true;
	}
	return &ctx->who;
}

int
irt_need_case(struct irt_ctx *ctx)
{
	char *path;

	if (ctx->kase != NULL)
		return EXIT_OK;
	if (irt_case_discover(&path, ctx->case_dir) != 0)
		return irt_fail();
	if (irt_case_open(&ctx->kase, path) != 0) {
		free(path);
		return irt_fail();
	}
	free(path);
	return EXIT_OK;
}

void
irt_case_warnings_print(struct irt_ctx *ctx)
{
	char *w, *line, *save = NULL;

	if (ctx->kase == NULL ||
	    (w = irt_case_take_warnings(ctx->kase)) == NULL)
		return;
	for (line = strtok_r(w, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		irt_warn("%s", line);
	free(w);
}

const struct irt_cmd *
irt_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; irt_commands[i] != NULL; i++)
		if (strcmp(irt_commands[i]->name, name) == 0)
			return irt_commands[i];
	return NULL;
}

static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, tmp, row[64];

	if (lb >= 64)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The closest of names to word, or NULL when nothing is close. */
static const char *
closest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t i, d, bestd = (size_t)-1;

	for (i = 0; i < n; i++) {
		if (strncmp(names[i], word, strlen(word)) == 0 &&
		    strlen(word) > 0)
			return names[i];
		d = distance(word, names[i]);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return bestd <= 2 || (bestd <= 3 && strlen(word) > 5) ? best : NULL;
}

static int
unknown(const char *what, const char *word, const char *const *names, size_t n)
{
	const char *c = closest(word, names, n);

	if (c != NULL)
		irt_err("unknown %s '%s'; did you mean '%s'?", what,
		    irt_esc(word), c);
	else
		irt_err("unknown %s '%s'", what, irt_esc(word));
	return EXIT_USAGE;
}

/* The usage lines of every form of a command. */
static void
cmd_usage(struct irt_buf *b, const struct irt_cmd *cmd)
{
	const struct irt_subcmd *s;
	struct irt_form f;
	char path[64];

	if (cmd->subcmds == NULL) {
		irt_cmd_form(&f, path, cmd, NULL);
		irt_form_usage(b, &f, false);
		return;
	}
	for (s = cmd->subcmds; s->name != NULL; s++) {
		irt_cmd_form(&f, path, cmd, s);
		irt_form_usage(b, &f, s != cmd->subcmds);
	}
}

int
irt_cmd_help_text(struct irt_buf *b, const struct irt_cmd *cmd)
{
	const struct irt_subcmd *s;
	struct irt_form f;
	char path[64];

	if (cmd->subcmds == NULL) {
		irt_cmd_form(&f, path, cmd, NULL);
		return irt_form_help(b, &f);
	}
	irt_buf_printf(b, "irt %s - %s\n\n", cmd->name, cmd->summary);
	cmd_usage(b, cmd);
	irt_buf_puts(b, "\ncommands:\n");
	for (s = cmd->subcmds; s->name != NULL; s++)
		irt_buf_printf(b, "   %-10s %s\n", s->name,
		    s->summary != NULL ? s->summary : "");
	return irt_buf_printf(b,
	    "\nSee 'irt %s COMMAND -h' for the options of one, 'irt help "
	    "%s' for the manual.\n",
	    cmd->name, cmd->name);
}

static int
cmd_usage_error(const struct irt_cmd *cmd)
{
	struct irt_buf b = IRT_BUF_INIT;

	cmd_usage(&b, cmd);
	fflush(stdout);
	fputs(irt_buf_cstr(&b), stderr);
	irt_buf_release(&b);
	return EXIT_USAGE;
}

/* Opens the case when there is one; an explicit -C must name one. */
static int
want_case(struct irt_ctx *ctx)
{
	char *path;

	if (ctx->kase != NULL)
		return EXIT_OK;
	if (irt_case_discover(&path, ctx->case_dir) == 0) {
		if (irt_case_open(&ctx->kase, path) != 0) {
			free(path);
			return irt_fail();
		}
		free(path);
	} else if (ctx->case_dir != NULL)
		return irt_fail();
	return EXIT_OK;
}

/* Parses argv against a declared entry, opens the case it needs, and
 * runs it. */
static int
run_declared(struct irt_ctx *ctx, const struct irt_cmd *cmd,
    const struct irt_subcmd *sub, int argc, char **argv)
{
	struct irt_form f;
	struct irt_args a;
	char path[64];
	int rc;

	irt_cmd_form(&f, path, cmd, sub);
	a.json = ctx->json;
	if ((rc = irt_args_parse(&a, &f, argc, argv)) >= 0)
		return rc;
	ctx->json = a.json;
	if (f.flags & IRT_CMD_NEEDS_CASE)
		rc = irt_need_case(ctx);
	else if (f.flags & IRT_CMD_WANTS_CASE)
		rc = want_case(ctx);
	else
		rc = EXIT_OK;
	if (rc == EXIT_OK)
		rc = (sub != NULL ? sub->run : cmd->run)(ctx, &a);
	/* what the case skipped on the way (a note that does not parse) */
	irt_case_warnings_print(ctx);
	irt_args_release(&a);
	return rc;
}

int
irt_run_command(struct irt_ctx *ctx, int argc, char **argv)
{
	const struct irt_cmd *cmd;
	const struct irt_subcmd *sub;
	struct irt_buf b = IRT_BUF_INIT;
	const char *names[64];
	size_t n;
	int rc;

	cmd = irt_cmd_find(argv[0]);
	if (cmd == NULL) {
		for (n = 0; irt_commands[n] != NULL && n < 64; n++)
			names[n] = irt_commands[n]->name;
		rc = unknown("command", argv[0], names, n);
		fprintf(stderr, "See 'irt help' for the list of commands.\n");
		return rc;
	}
	ctx->cmd = cmd;
	if (cmd->subcmds == NULL)
		return run_declared(ctx, cmd, NULL, argc, argv);
	if (argc < 2) {
		irt_err("%s: missing subcommand", cmd->name);
		return cmd_usage_error(cmd);
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		irt_cmd_help_text(&b, cmd);
		rc = irt_out(&b);
		irt_buf_release(&b);
		return rc;
	}
	for (n = 0, sub = cmd->subcmds; sub->name != NULL; sub++) {
		if (strcmp(sub->name, argv[1]) == 0)
			return run_declared(ctx, cmd, sub, argc - 1, argv + 1);
		if (n < 64)
			names[n++] = sub->name;
	}
	if (argv[1][0] == '-') {
		irt_err("%s: unknown option '%s' (options come after the "
		        "subcommand)",
		    cmd->name, irt_esc(argv[1]));
		return cmd_usage_error(cmd);
	}
	return unknown("subcommand", argv[1], names, n);
}

/* The usage of irt and its commands, as irt -h and irt help print it. */
static void
global_usage(struct irt_buf *b)
{
	struct irt_form f;
	char path[64];
	size_t i;

	irt_form_usage(b, &irt_global_form, false);
	irt_cmd_form(&f, path, &irt_cmd_help, NULL);
	irt_form_usage(b, &f, true);
	irt_buf_puts(b, "\ncommands:\n");
	for (i = 0; irt_commands[i] != NULL; i++)
		if (!(irt_commands[i]->flags & IRT_CMD_HIDDEN))
			irt_buf_printf(b, "   %-10s %s\n",
			    irt_commands[i]->name, irt_commands[i]->summary);
	irt_buf_puts(
	    b, "\nSee 'irt help COMMAND' for the manual of one command.\n");
}

/* The manual of a page (irt, irt-note), installed or in the source
 * tree, shown by man(1) when standard output is a terminal. */
static bool
show_manual(const char *page)
{
	char local[PATH_MAX];
	pid_t pid;
	int i, status;

	if (!isatty(STDOUT_FILENO) || getenv("IRT_NO_MAN") != NULL)
		return false;
	snprintf(local, sizeof local, "%s/%s.1", IRT_SOURCE_MANDIR, page);
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		if (i == 1 && access(local, R_OK) != 0)
			break;
		if ((pid = fork()) == 0) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0)
				dup2(fd, 2);
			if (i == 0)
				execlp("man", "man", page, (char *)NULL);
			else
				execlp("man", "man", "-l", local, (char *)NULL);
			_exit(127);
		}
		if (pid > 0 && waitpid(pid, &status, 0) == pid &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return true;
	}
	return false;
}

/* irt help [COMMAND] */
static int
cmd_help_run(struct irt_ctx *ctx, struct irt_args *a)
{
	const struct irt_cmd *cmd = NULL;
	struct irt_buf b = IRT_BUF_INIT;
	char page[128];
	int rc;

	if (a->argc == 1 && (cmd = irt_cmd_find(a->argv[0])) == NULL)
		return irt_run_command(ctx, 1, a->argv); /* unknown command */
	snprintf(page, sizeof page, "irt%s%s", cmd != NULL ? "-" : "",
	    cmd != NULL ? cmd->name : "");
	if (show_manual(page))
		return EXIT_OK;
	if (cmd != NULL)
		irt_cmd_help_text(&b, cmd);
	else
		global_usage(&b);
	rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

const struct irt_cmd irt_cmd_help = {
	.name = "help",
	.summary = "show the manual of irt or of one command",
	.operands = "[COMMAND]",
	.max_args = 1,
	.run = cmd_help_run,
	.complete = "command",
};

static int
cmd_version_run(struct irt_ctx *ctx, struct irt_args *a)
{
	(void)ctx;
	(void)a;
	printf("irt %s\n", IRT_VERSION);
	return EXIT_OK;
}

const struct irt_cmd irt_cmd_version = {
	.name = "version",
	.summary = "print the version of irt",
	.run = cmd_version_run,
};

int
main(int argc, char **argv)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_ctx ctx;
	struct irt_args a;
	int rc;

	memset(&ctx, 0, sizeof ctx);
	memset(&a, 0, sizeof a);
	ctx.progname = "irt";
	signal(SIGPIPE, SIG_IGN);
	if ((rc = irt_args_parse(&a, &irt_global_form, argc, argv)) >= 0)
		return rc;
	if (irt_args_has(&a, "version")) {
		printf("irt %s\n", IRT_VERSION);
		rc = EXIT_OK;
	} else if (irt_args_has(&a, "help") || a.argc == 0) {
		global_usage(&b);
		if (a.argc == 0 && !irt_args_has(&a, "help")) {
			fputs(irt_buf_cstr(&b), stderr);
			rc = EXIT_USAGE;
		} else
			rc = irt_out(&b);
		irt_buf_release(&b);
	} else {
		ctx.case_dir = irt_args_str(&a, "C", NULL);
		ctx.author = irt_args_str(&a, "author", NULL);
		ctx.json = irt_args_has(&a, "json");
		ctx.quiet = irt_args_has(&a, "quiet");
		ctx.verbose = (int)irt_args_count(&a, "verbose");
		rc = irt_run_command(&ctx, a.argc, a.argv);
	}
	irt_args_release(&a);
	irt_case_free(ctx.kase);
	if (ctx.who_set)
		irt_ident_release(&ctx.who);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			irt_err("cannot write to standard output: %s",
			    strerror(errno));
		return rc ? rc : EXIT_FAIL;
	}
	return rc;
}
