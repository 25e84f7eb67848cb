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
	&irt_cmd_case,
	&irt_cmd_checklist,
	&irt_cmd_collect,
	&irt_cmd_event,
	&irt_cmd_evidence,
	&irt_cmd_help,
	&irt_cmd_host,
	&irt_cmd_hunt,
	&irt_cmd_ioc,
	&irt_cmd_isolate,
	&irt_cmd_note,
	&irt_cmd_report,
	&irt_cmd_run,
	&irt_cmd_shell,
	&irt_cmd_timeline,
	&irt_cmd_triage,
	&irt_cmd_verify,
	&irt_cmd_version,
	NULL,
};

static const char usage_text[] =
    "usage: irt [-C DIR] [--author WHO] [--json] [-q] [-v] COMMAND [ARGS]\n"
    "       irt --version\n"
    "       irt help [COMMAND]\n";

int
irt_opts_json(struct irt_ctx *ctx, int argc, char **argv, const char *usage,
    int min, int max)
{
	static const struct option longopts[] = {
		IRT_LONGOPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return irt_help(usage, false);
		case IRT_OPT_JSON:
			ctx->json = true;
			break;
		default:
			return irt_help(usage, true);
		}
	}
	if (argc - optind < min || (max >= 0 && argc - optind > max))
		return irt_help(usage, true);
	return -1;
}

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

/* Does argv ask for help (before any "--")?  Then no case is needed. */
static bool
wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

void
irt_cmd_form(struct irt_form *f, char path[64], const struct irt_cmd *cmd,
    const struct irt_subcmd *sub)
{
	memset(f, 0, sizeof *f);
	if (sub != NULL) {
		snprintf(path, 64, "%s %s", cmd->name, sub->name);
		f->opts = sub->opts;
		f->operands = sub->operands;
		f->min_args = sub->min_args;
		f->max_args = sub->max_args;
		f->flags = sub->flags;
	} else {
		snprintf(path, 64, "%s", cmd->name);
		f->opts = cmd->opts;
		f->operands = cmd->operands;
		f->min_args = cmd->min_args;
		f->max_args = cmd->max_args;
		f->flags = cmd->flags;
	}
	f->path = path;
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
	else
		rc = EXIT_OK;
	if (rc == EXIT_OK)
		rc = (sub != NULL ? sub->run : cmd->run)(ctx, &a);
	irt_args_release(&a);
	return rc;
}

int
irt_subcmd_dispatch(struct irt_ctx *ctx, const struct irt_cmd *cmd,
    const struct irt_subcmd *table, int argc, char **argv)
{
	const char *names[64];
	size_t n;
	int rc;

	if (argc < 2) {
		irt_help(cmd->usage, true);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return irt_help(cmd->usage, false);
	for (n = 0; table[n].name != NULL && n < 64; n++) {
		names[n] = table[n].name;
		if (strcmp(table[n].name, argv[1]) != 0)
			continue;
		if (table[n].run != NULL)
			return run_declared(
			    ctx, cmd, &table[n], argc - 1, argv + 1);
		if ((table[n].flags & IRT_CMD_NEEDS_CASE) &&
		    !wants_help(argc - 1, argv + 1) &&
		    (rc = irt_need_case(ctx)) != EXIT_OK)
			return rc;
		optind = 0;
		return table[n].exec(ctx, argc - 1, argv + 1);
	}
	if (argv[1][0] == '-') {
		irt_err("%s: unknown option '%s'", cmd->name, irt_esc(argv[1]));
		irt_help(cmd->usage, true);
		return EXIT_USAGE;
	}
	return unknown("subcommand", argv[1], names, n);
}

/* Opens the case when there is one; an explicit -C must name one. */
static int
want_case(struct irt_ctx *ctx)
{
	char *path;

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

int
irt_run_command(struct irt_ctx *ctx, int argc, char **argv)
{
	const struct irt_cmd *cmd;
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
	if (cmd->run != NULL && cmd->subcmds == NULL) {
		if ((cmd->flags & IRT_CMD_WANTS_CASE) &&
		    !wants_help(argc, argv) && ctx->kase == NULL &&
		    (rc = want_case(ctx)) != EXIT_OK)
			return rc;
		return run_declared(ctx, cmd, NULL, argc, argv);
	}
	if (wants_help(argc, argv))
		; /* the command prints its usage */
	else if ((cmd->flags & IRT_CMD_NEEDS_CASE) &&
	    (rc = irt_need_case(ctx)) != EXIT_OK)
		return rc;
	else if ((cmd->flags & IRT_CMD_WANTS_CASE) && ctx->kase == NULL &&
	    (rc = want_case(ctx)) != EXIT_OK)
		return rc;
	optind = 0;
	rc = cmd->exec(ctx, argc, argv);
	irt_case_warnings_print(ctx);
	return rc;
}

static void
list_commands(FILE *fp)
{
	size_t i;

	fputs("\ncommands:\n", fp);
	for (i = 0; irt_commands[i] != NULL; i++)
		if (!(irt_commands[i]->flags & IRT_CMD_HIDDEN))
			fprintf(fp, "   %-10s %s\n", irt_commands[i]->name,
			    irt_commands[i]->summary);
	fputs("\nSee 'irt help COMMAND' for the manual of one command.\n", fp);
}

/* irt help [COMMAND] */
static int
cmd_help_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	const struct irt_cmd *cmd;
	char page[128];
	pid_t pid;
	int status, rc;

	(void)ctx;
	if (argc > 1 &&
	    (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		return irt_help(irt_cmd_help.usage, false);
	if (argc > 2)
		return irt_help(irt_cmd_help.usage, true);
	if (argc == 2) {
		if ((cmd = irt_cmd_find(argv[1])) == NULL)
			return irt_run_command(ctx, argc - 1, argv + 1);
		snprintf(page, sizeof page, "irt-%s", cmd->name);
	} else {
		cmd = NULL;
		snprintf(page, sizeof page, "irt");
	}
	/* The manual, installed or in the source tree, on a terminal. */
	if (isatty(STDOUT_FILENO) && getenv("IRT_NO_MAN") == NULL) {
		char local[PATH_MAX];
		int i;

		snprintf(
		    local, sizeof local, "%s/%s.1", IRT_SOURCE_MANDIR, page);
		fflush(stdout);
		for (i = 0; i < 2; i++) {
			if (i == 1 && access(local, R_OK) != 0)
				break;
			if ((pid = fork()) == 0) {
				int fd = open("/dev/null", O_WRONLY);
				if (fd >= 0)
					dup2(fd, 2);
				if (i == 0)
					execlp(
					    "man", "man", page, (char *)NULL);
				else
					execlp("man", "man", "-l", local,
					    (char *)NULL);
				_exit(127);
			}
			if (pid > 0 && waitpid(pid, &status, 0) == pid &&
			    WIFEXITED(status) && WEXITSTATUS(status) == 0)
				return EXIT_OK;
		}
	}
	if (cmd != NULL && cmd->usage == NULL) {
		struct irt_buf b = IRT_BUF_INIT;
		struct irt_form f;
		char path[64];

		irt_cmd_form(&f, path, cmd, NULL);
		irt_form_help(&b, &f, cmd->summary);
		rc = irt_out(&b);
		irt_buf_release(&b);
		return rc;
	}
	if (cmd != NULL) {
		printf("irt %s - %s\n\n", cmd->name, cmd->summary);
		fputs(cmd->usage, stdout);
		return EXIT_OK;
	}
	fputs(usage_text, stdout);
	list_commands(stdout);
	return EXIT_OK;
}

const struct irt_cmd irt_cmd_help = {
	.name = "help",
	.summary = "show the manual of irt or of one command",
	.usage = "usage: irt help [COMMAND]\n",
	.exec = cmd_help_exec,
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
	static const struct option longopts[] = {
		{ "author", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_ctx ctx;
	int ch, rc;

	memset(&ctx, 0, sizeof ctx);
	ctx.progname = "irt";
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "+C:hqv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			ctx.case_dir = optarg;
			break;
		case 'A':
			ctx.author = optarg;
			break;
		case 'j':
			ctx.json = true;
			break;
		case 'q':
			ctx.quiet = true;
			break;
		case 'v':
			ctx.verbose++;
			break;
		case 'V':
			printf("irt %s\n", IRT_VERSION);
			return EXIT_OK;
		case 'h':
			fputs(usage_text, stdout);
			list_commands(stdout);
			return EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		fputs(usage_text, stderr);
		list_commands(stderr);
		return EXIT_USAGE;
	}
	rc = irt_run_command(&ctx, argc, argv);
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
