/*
 * irt shell: every irt command at a readline prompt, with completion and
 * a history per case; or a playbook of commands, one per line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "complete.h"

static const struct irt_opt shell_opts[] = {
	{ "keep-going", 'k', IRT_ARG_NONE, NULL,
	    "go on after a failing command" },
	{ "trace", 'x', IRT_ARG_NONE, NULL,
	    "print each command of a playbook before it runs" },
	{ NULL },
};

/* Lines kept in the history file. */
#define HISTORY_MAX 2000

struct shell {
	struct irt_ctx *ctx;
	int status;      /* of the last command */
	bool done;       /* exit was typed */
	int exit_status; /* its status */
};

/* Is the word one of the subcommands of note? */
static bool
note_subcmd(const char *word, size_t len)
{
	const struct irt_subcmd *s;

	for (s = irt_cmd_note.subcmds; s->name != NULL; s++)
		if (strlen(s->name) == len && strncmp(s->name, word, len) == 0)
			return true;
	return false;
}

static const char *
skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * "note TEXT": when the word after "note" is no subcommand nor option,
 * the rest of the line is the text of a new note, as typed (quotes and
 * all, so "it's" needs no escaping); one quoted word is unquoted, and
 * "note -- TEXT" takes TEXT even when it starts with a subcommand name.
 * Returns the text (allocated) or NULL when the line is no such note.
 */
static char *
note_text(const char *line)
{
	struct irt_words w = IRT_WORDS_INIT;
	const char *s = skip_blanks(line), *rest;
	size_t len, first;
	char *text;

	if (strncmp(s, "note", 4) != 0 || (s[4] != ' ' && s[4] != '\t'))
		return NULL;
	rest = skip_blanks(s + 4);
	if (strncmp(rest, "--", 2) == 0 && (rest[2] == ' ' || rest[2] == '\t'))
		rest = skip_blanks(rest + 2);
	else {
		first = strcspn(rest, " \t");
		if (*rest == '\0' || *rest == '-' || note_subcmd(rest, first))
			return NULL;
	}
	len = strlen(rest);
	while (len > 0 && strchr(" \t\r\n", rest[len - 1]) != NULL)
		len--;
	if (len == 0)
		return NULL;
	if ((text = strndup(rest, len)) == NULL)
		return NULL;
	if ((*text == '\'' || *text == '"') &&
	    irt_split(&w, text, NULL) == IRT_SPLIT_DONE && w.n == 1) {
		free(text);
		text = strdup(w.v[0]);
	}
	irt_words_free(&w);
	return text;
}

/* exit [STATUS] */
static int
builtin_exit(struct shell *sh, int argc, char **argv)
{
	long long v;

	if (argc > 2) {
		irt_err("usage: exit [STATUS]");
		return EXIT_USAGE;
	}
	sh->exit_status = sh->status;
	if (argc == 2) {
		if (irt_parse_int(&v, argv[1], 0, 255) != 0) {
			irt_err("exit: %s", irt_error_last());
			return EXIT_USAGE;
		}
		sh->exit_status = (int)v;
	}
	sh->done = true;
	return sh->exit_status;
}

/* !COMMAND [ARGS]: as irt run does, recorded in the case. */
static int
bang(struct shell *sh, const char *rest)
{
	struct irt_words w = IRT_WORDS_INIT;
	int rc;

	if (irt_split(&w, rest, NULL) != IRT_SPLIT_DONE) {
		irt_words_free(&w);
		irt_err("unterminated quote");
		return EXIT_USAGE;
	}
	if (w.n == 0) {
		irt_err("usage: !COMMAND [ARGS]");
		rc = EXIT_USAGE;
	} else if ((rc = irt_need_case(sh->ctx)) == EXIT_OK)
		rc = irt_run_recorded(sh->ctx, w.v, 0, NULL, NULL, 0);
	irt_words_free(&w);
	return rc;
}

/* Refuses the global options a line cannot take; 0 when none is. */
static int
refuse_noshell(const struct irt_args *a)
{
	size_t i;

	for (i = 0; i < a->nvals; i++) {
		const struct irt_opt *o = a->vals[i].opt;
		char label[64];

		if (!(o->flags & IRT_OPT_NOSHELL))
			continue;
		if (o->short_name == 'C')
			irt_err("-C: the shell stays in its case");
		else
			irt_err("%s cannot start a line of irt shell",
			    irt_opt_label(o, label, sizeof label));
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * Runs one command line (complete: no open quote).  The global options
 * of irt (--json, -q, -v, --author) may start the line and hold for it
 * only; nothing a command sets in the context outlives the line.
 */
static int
run_line(struct shell *sh, const char *line)
{
	struct irt_ctx *ctx = sh->ctx, saved = *ctx;
	struct irt_words w = IRT_WORDS_INIT;
	struct irt_args a;
	const char *s = skip_blanks(line);
	char *text, *add[5], **argv = NULL;
	bool author = false, parsed = false;
	size_t i;
	int rc;

	irt_interrupted = 0;
	irt_error_clear();
	if (*s == '!')
		return bang(sh, s + 1);
	if ((text = note_text(s)) != NULL) {
		add[0] = "note";
		add[1] = "add";
		add[2] = "-m";
		add[3] = text;
		add[4] = NULL;
		rc = irt_run_command(ctx, 4, add);
		free(text);
		goto restore;
	}
	if ((rc = irt_split(&w, s, NULL)) != IRT_SPLIT_DONE) {
		irt_words_free(&w);
		if (rc == IRT_SPLIT_NOMEM) {
			irt_err("out of memory");
			return EXIT_FAIL;
		}
		irt_err("unterminated quote");
		return EXIT_USAGE;
	}
	if (w.n == 0) {
		irt_words_free(&w);
		return EXIT_OK; /* a blank line or a comment */
	}
	/* the options of the line, parsed as irt's own: "irt" WORDS... */
	if ((argv = calloc(w.n + 2, sizeof *argv)) == NULL) {
		irt_words_free(&w);
		irt_err("out of memory");
		return EXIT_FAIL;
	}
	argv[0] = "irt";
	for (i = 0; i < w.n; i++)
		argv[i + 1] = w.v[i];
	memset(&a, 0, sizeof a);
	if ((rc = irt_args_parse(&a, &irt_global_form, (int)w.n + 1, argv)) >=
	    0)
		goto restore;
	parsed = true;
	if ((rc = refuse_noshell(&a)) != 0)
		goto restore;
	if (irt_args_has(&a, "json"))
		ctx->json = true;
	if (irt_args_has(&a, "quiet"))
		ctx->quiet = true;
	ctx->verbose += (int)irt_args_count(&a, "verbose");
	if (irt_args_has(&a, "author")) {
		ctx->author = irt_args_str(&a, "author", NULL);
		author = true;
	}
	if (a.argc == 0) {
		irt_err("no command after the options");
		rc = EXIT_USAGE;
	} else if (strcmp(a.argv[0], "exit") == 0 ||
	    strcmp(a.argv[0], "quit") == 0)
		rc = builtin_exit(sh, a.argc, a.argv);
	else if (strcmp(a.argv[0], "shell") == 0) {
		irt_err("already in the shell");
		rc = EXIT_USAGE;
	} else {
		if (author) {
			/* resolved again for this line only */
			ctx->who_set = false;
			memset(&ctx->who, 0, sizeof ctx->who);
		}
		rc = irt_run_command(ctx, a.argc, a.argv);
		if (author && ctx->who_set)
			irt_ident_release(&ctx->who);
	}
restore:
	fflush(stdout);
	if (parsed)
		irt_args_release(&a);
	free(argv);
	irt_words_free(&w);
	/* keep only what lasts: the case, once opened, and the identity */
	saved.kase = ctx->kase;
	if (!author) {
		saved.who = ctx->who;
		saved.who_set = ctx->who_set;
	}
	*ctx = saved;
	return rc;
}

/* Is the line blank or a comment? */
static bool
nothing_to_run(const char *line)
{
	struct irt_words w = IRT_WORDS_INIT;
	bool none;

	line = skip_blanks(line);
	if (*line == '!')
		return false;
	none = irt_split(&w, line, NULL) == IRT_SPLIT_DONE && w.n == 0;
	irt_words_free(&w);
	return none;
}

/* Does the text end inside a quote or after a backslash? */
static bool
incomplete(const char *text)
{
	struct irt_words w = IRT_WORDS_INIT;
	char *note;
	int st;

	if ((note = note_text(text)) != NULL) {
		free(note); /* the text is taken as typed */
		return false;
	}
	st = irt_split(&w, text, NULL);
	irt_words_free(&w);
	return st == IRT_SPLIT_QUOTE || st == IRT_SPLIT_ESCAPE;
}

/* Appends a line to the command being read (lines joined by '\n'). */
static int
append_line(struct irt_buf *acc, const char *line)
{
	if (acc->len > 0 && irt_buf_putc(acc, '\n') != 0)
		return IRT_ENOMEM;
	return irt_buf_puts(acc, line);
}

/* The longest line of a playbook. */
#define PLAYBOOK_LINE_MAX (1 << 20)
#define LINE_TOO_LONG (-1)
#define LINE_NOMEM (-2)

/*
 * Reads one line, with its newline, into b: returns 1, 0 at the end of
 * the file, LINE_TOO_LONG past PLAYBOOK_LINE_MAX bytes, or LINE_NOMEM.
 * Unlike getline, the length is bounded whatever the file holds.
 */
static int
read_line(FILE *fp, struct irt_buf *b)
{
	int c;

	irt_buf_clear(b);
	while ((c = getc(fp)) != EOF) {
		if (b->len == PLAYBOOK_LINE_MAX)
			return LINE_TOO_LONG;
		if (irt_buf_putc(b, (char)c) != 0)
			return LINE_NOMEM;
		if (c == '\n')
			break;
	}
	return b->len > 0 ? 1 : 0;
}

/*
 * Playbook: commands line by line; stops at the first failure unless
 * keep_going.  Returns the failure's exit status (the last one with
 * keep_going), or the status given to exit.
 */
static int
playbook(
    struct shell *sh, FILE *fp, const char *name, bool keep_going, bool trace)
{
	struct irt_buf acc = IRT_BUF_INIT, lb = IRT_BUF_INIT;
	char *line;
	size_t lineno = 0, start = 0, n;
	int rc, failed = 0;

	while ((rc = read_line(fp, &lb)) > 0) {
		const char *nul;

		lineno++;
		line = lb.ptr;
		n = lb.len;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (acc.len == 0)
			start = lineno;
		/* a NUL byte would cut the line short: what follows it
		 * would be dropped without a word, so the line (and the
		 * command it continues) is refused */
		if ((nul = memchr(line, '\0', n)) != NULL) {
			irt_err("%s:%zu: NUL byte in the line (column %zu); "
			        "not run",
			    irt_esc(name), lineno, (size_t)(nul - line) + 1);
			irt_buf_clear(&acc);
			failed = EXIT_USAGE;
			if (!keep_going)
				break;
			continue;
		}
		if (append_line(&acc, line) != 0) {
			irt_err("out of memory");
			failed = EXIT_FAIL;
			break;
		}
		if (incomplete(irt_buf_cstr(&acc)))
			continue;
		if (nothing_to_run(irt_buf_cstr(&acc))) {
			irt_buf_clear(&acc);
			continue;
		}
		if (irt_interrupted) {
			irt_err("%s:%zu: interrupted", irt_esc(name), start);
			failed = 130;
			break;
		}
		if (trace)
			fprintf(stderr, "+ %s:%zu: %s\n", irt_esc(name), start,
			    irt_esc(irt_buf_cstr(&acc)));
		rc = run_line(sh, irt_buf_cstr(&acc));
		sh->status = rc;
		if (sh->done) {
			failed = sh->exit_status;
			break;
		}
		if (rc != EXIT_OK) {
			irt_err("%s:%zu: '%s' failed with exit status %d",
			    irt_esc(name), start,
			    irt_esc(skip_blanks(irt_buf_cstr(&acc))), rc);
			failed = rc;
			if (!keep_going)
				break;
		}
		irt_buf_clear(&acc);
	}
	if (rc == LINE_TOO_LONG) {
		/* the rest may never end (/dev/zero): stop here */
		irt_err("%s:%zu: line longer than %d bytes; not run",
		    irt_esc(name), lineno + 1, PLAYBOOK_LINE_MAX);
		failed = EXIT_USAGE;
	} else if (rc == LINE_NOMEM) {
		irt_err("out of memory");
		failed = EXIT_FAIL;
	}
	if (acc.len > 0 && !sh->done && (failed == 0 || keep_going) &&
	    incomplete(irt_buf_cstr(&acc))) {
		irt_err("%s:%zu: unterminated quote or trailing backslash",
		    irt_esc(name), start);
		failed = EXIT_USAGE;
	}
	if (ferror(fp)) {
		irt_err("cannot read '%s': %s", irt_esc(name), strerror(errno));
		failed = EXIT_FAIL;
	}
	irt_buf_release(&lb);
	irt_buf_release(&acc);
	return failed;
}

/* The interactive shell. */

static struct shell *g_shell;
static char *g_line;
static bool g_line_done, g_eof;
static volatile sig_atomic_t g_winch, g_quit;
static struct irt_words g_cands;
static int g_directive;

static void
on_signal(int sig)
{
	if (sig == SIGWINCH)
		g_winch = 1;
	else
		g_quit = sig; /* SIGTERM, SIGHUP: leave cleanly */
}

static void
on_line(char *line)
{
	g_line = line;
	g_eof = line == NULL;
	g_line_done = true;
	rl_callback_handler_remove();
}

static char *
gen_candidate(const char *text, int state)
{
	static size_t i;
	static int fstate;
	char *r;

	if (state == 0) {
		i = 0;
		fstate = 0;
	}
	if (i < g_cands.n)
		return strdup(g_cands.v[i++]);
	if (g_directive & IRT_COMP_FILES) {
		r = rl_filename_completion_function(text, fstate);
		fstate = 1;
		return r;
	}
	return NULL;
}

static char **
shell_complete(const char *text, int start, int end)
{
	struct irt_words w = IRT_WORDS_INIT;
	char *head;
	bool in_word = false;

	(void)end;
	rl_attempted_completion_over = 1;
	irt_words_free(&g_cands);
	g_directive = 0;
	if ((head = strndup(rl_line_buffer, (size_t)start)) == NULL)
		return NULL;
	if (irt_split(&w, head, &in_word) == IRT_SPLIT_NOMEM) {
		free(head);
		irt_words_free(&w);
		return NULL;
	}
	free(head);
	/* a word opened by a quote is the one being completed */
	if (in_word && w.n > 0)
		free(w.v[--w.n]);
	if (irt_words_add(&w, text) != 0 ||
	    irt_complete(g_shell->ctx, IRT_COMP_SHELL, w.v, w.n, &g_cands,
	        &g_directive) != 0) {
		irt_words_free(&w);
		return NULL;
	}
	irt_words_free(&w);
	irt_error_clear();
	if (g_directive & IRT_COMP_NOSPACE)
		rl_completion_suppress_append = 1;
	return rl_completion_matches(text, gen_candidate);
}

static void
make_prompt(struct irt_ctx *ctx, char *buf, size_t size)
{
	if (ctx->kase != NULL)
		snprintf(
		    buf, size, "irt[%s]> ", irt_esc(irt_case_id(ctx->kase)));
	else
		snprintf(buf, size, "irt> ");
}

/* mkdir -p, private. */
static int
make_dirs(char *path)
{
	char *p;

	for (p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = c;
			return -1;
		}
		*p = c;
		if (c == '\0')
			return 0;
	}
}

/* The history file: <case>/.git/irt/shell_history, else in $HOME. */
static char *
history_path(struct irt_ctx *ctx)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct stat st;
	const char *base;
	int fd;

	if (ctx->kase != NULL) {
		irt_buf_printf(&b, "%s/.git", irt_case_path(ctx->kase));
		if (stat(b.ptr, &st) == 0 && S_ISDIR(st.st_mode))
			irt_buf_puts(&b, "/irt");
		else
			irt_buf_clear(&b);
	}
	if (b.len == 0) {
		if ((base = getenv("XDG_STATE_HOME")) != NULL && *base == '/')
			irt_buf_printf(&b, "%s/irt", base);
		else if ((base = getenv("HOME")) != NULL && *base == '/')
			irt_buf_printf(&b, "%s/.local/state/irt", base);
		else
			return NULL;
	}
	if (make_dirs(b.ptr) != 0) {
		irt_buf_release(&b);
		return NULL;
	}
	irt_buf_puts(&b, "/shell_history");
	if ((fd = open(b.ptr, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	         0600)) == -1) {
		irt_buf_release(&b);
		return NULL;
	}
	close(fd);
	return irt_buf_detach(&b);
}

/* The settings of readline for the shell. */
static void
shell_rl_setup(void)
{
	rl_readline_name = "irt";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_attempted_completion_function = shell_complete;
	rl_completion_entry_function = NULL;
	rl_completer_word_break_characters = " \t\n";
	rl_completer_quote_characters = "'\"";
	rl_filename_quote_characters = " \t\n\\\"'#;&|<>()$`!*?[";
}

/* Ctrl-C at the prompt: drop the line (and any continuation). */
static void
cancel_line(struct irt_buf *acc)
{
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_replace_line("", 1);
	rl_point = rl_end = rl_mark = 0;
	rl_echo_signal_char(SIGINT);
	rl_crlf();
	rl_on_new_line();
	rl_callback_handler_remove();
	history_set_pos(history_length);
	irt_buf_clear(acc);
}

static int
interactive(struct shell *sh)
{
	struct irt_ctx *ctx = sh->ctx;
	struct irt_buf acc = IRT_BUF_INIT;
	struct sigaction sa;
	char prompt[256], *hist;
	bool installed = false;
	const char *last;
	fd_set fds;
	int r;

	g_shell = sh;
	shell_rl_setup();
	/* A pasted newline runs the line, as when typed. */
	rl_variable_bind("enable-bracketed-paste", "off");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	irt_sigint_install();
	using_history();
	stifle_history(HISTORY_MAX);
	if ((hist = history_path(ctx)) != NULL)
		read_history(hist);
	if (!ctx->quiet)
		fprintf(stderr,
		    "irt shell: irt commands without 'irt', 'note TEXT', "
		    "'!COMMAND'; Tab completes; Ctrl-D or 'exit' leaves\n");
	while (!sh->done && !g_quit) {
		if (!installed) {
			if (acc.len > 0)
				snprintf(prompt, sizeof prompt, "> ");
			else
				make_prompt(ctx, prompt, sizeof prompt);
			shell_rl_setup(); /* a command may have used readline */
			rl_callback_handler_install(prompt, on_line);
			installed = true;
		}
		FD_ZERO(&fds);
		FD_SET(STDIN_FILENO, &fds);
		r = select(STDIN_FILENO + 1, &fds, NULL, NULL, NULL);
		if ((r < 0 && errno != EINTR) || g_quit)
			break;
		if (g_winch) {
			g_winch = 0;
			rl_resize_terminal();
		}
		if (irt_interrupted) {
			irt_interrupted = 0;
			cancel_line(&acc);
			installed = false;
			continue;
		}
		if (r <= 0)
			continue;
		rl_callback_read_char();
		if (!g_line_done)
			continue;
		g_line_done = false;
		installed = false;
		if (g_eof) {
			fputc('\n', stdout);
			break;
		}
		append_line(&acc, g_line);
		free(g_line);
		g_line = NULL;
		if (incomplete(irt_buf_cstr(&acc)))
			continue;
		if (!nothing_to_run(irt_buf_cstr(&acc))) {
			last = history_length > 0
			    ? history_get(history_base + history_length - 1)
			          ->line
			    : NULL;
			if (last == NULL || strcmp(last, acc.ptr) != 0) {
				add_history(acc.ptr);
				if (hist != NULL)
					append_history(1, hist);
			}
			sh->status = run_line(sh, acc.ptr);
			irt_sigint_install();
		}
		irt_interrupted = 0;
		irt_buf_clear(&acc);
	}
	if (installed)
		rl_callback_handler_remove();
	if (hist != NULL)
		history_truncate_file(hist, HISTORY_MAX);
	free(hist);
	irt_buf_release(&acc);
	irt_words_free(&g_cands);
	clear_history();
	if (g_quit)
		return 128 + g_quit;
	return sh->done ? sh->exit_status : sh->status;
}

static int
shell_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct shell sh;
	struct irt_buf in = IRT_BUF_INIT;
	const char *name;
	bool keep_going = irt_args_has(a, "keep-going"),
	     trace = irt_args_has(a, "trace");
	FILE *fp;
	int rc, fd;

	memset(&sh, 0, sizeof sh);
	sh.ctx = ctx;
	if (a->argc == 1 && strcmp(a->argv[0], "-") != 0) {
		name = a->argv[0];
		if ((fp = fopen(name, "re")) == NULL) {
			irt_err("cannot open '%s': %s", irt_esc(name),
			    strerror(errno));
			return EXIT_FAIL;
		}
		irt_sigint_install();
		rc = playbook(&sh, fp, name, keep_going, trace);
		fclose(fp);
		return rc;
	}
	if (a->argc == 0 && isatty(STDIN_FILENO))
		return interactive(&sh);
	/* A playbook on standard input: read it all, then give the
	 * commands /dev/null so that none of them eats the playbook. */
	if (irt_read_stdin(&in) != 0)
		return irt_fail();
	if (in.len == 0) {
		irt_buf_release(&in);
		return EXIT_OK;
	}
	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) != -1) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	if ((fp = fmemopen(in.ptr, in.len, "r")) == NULL) {
		irt_buf_release(&in);
		irt_err("cannot read the playbook: %s", strerror(errno));
		return EXIT_FAIL;
	}
	irt_sigint_install();
	rc = playbook(&sh, fp, "stdin", keep_going, trace);
	fclose(fp);
	irt_buf_release(&in);
	return rc;
}

const struct irt_cmd irt_cmd_shell = {
	.name = "shell",
	.summary = "the irt commands at a prompt, or a playbook of them",
	.flags = IRT_CMD_WANTS_CASE,
	.opts = shell_opts,
	.operands = "[FILE]",
	.max_args = 1,
	.run = shell_run,
	.complete = "file",
};
