/*
 * irt checklist: guided, recorded response procedures.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "irt.h"

static const struct irt_opt host_opts[] = {
	{ "host", 0, IRT_ARG_STRING, "HOST",
	    "the host the checklist is about (default: this host)" },
	{ NULL },
};

#define OPT_CHECKLIST                                                          \
	{                                                                      \
		"checklist", 'c', IRT_ARG_STRING, "NAME",                      \
		    "the started checklist (a unique prefix)",                 \
		    .complete = "checklist-started"                            \
	}

static const struct irt_opt done_opts[] = {
	OPT_CHECKLIST,
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "what was done or recorded" },
	{ "force", 0, IRT_ARG_NONE, NULL,
	    "do the step although a step it needs is not done" },
	{ NULL },
};

static const struct irt_opt skip_opts[] = {
	OPT_CHECKLIST,
	{ "reason", 0, IRT_ARG_STRING, "TEXT", "why the step is skipped",
	    .flags = IRT_OPT_REQUIRED },
	{ NULL },
};

static const struct irt_opt reopen_opts[] = {
	OPT_CHECKLIST,
	{ NULL },
};

static const struct irt_opt do_opts[] = {
	OPT_CHECKLIST,
	{ "force", 0, IRT_ARG_NONE, NULL,
	    "do the step although a step it needs is not done" },
	{ "timeout", 0, IRT_ARG_DURATION, "SECONDS",
	    "kill the step's command after this long", .max = 10000000 },
	{ NULL },
};

static const char *
state_name(enum irt_step_state s)
{
	return s == IRT_STEP_DONE   ? "done"
	    : s == IRT_STEP_SKIPPED ? "skipped"
	                            : "open";
}

static void
step_json(struct irt_jw *w, const struct irt_checklist_step *st)
{
	size_t k;

	irt_jw_object(w, NULL);
	irt_jw_str(w, "id", st->id);
	irt_jw_str(w, "title", st->title);
	irt_jw_str(w, "state", state_name(st->state));
	irt_jw_str(w, "run", st->run);
	irt_jw_str(w, "undo", st->undo);
	irt_jw_array(w, "needs");
	for (k = 0; k < st->nneeds; k++)
		irt_jw_str(w, NULL, st->needs[k]);
	irt_jw_end(w);
	irt_jw_str(w, "when", st->when);
	irt_jw_str(w, "who", st->who);
	irt_jw_str(w, "comment", st->comment);
	irt_jw_str(w, "reason", st->reason);
	irt_jw_str(w, "forced", st->forced);
	irt_jw_str(w, "run_id", st->run_id);
	irt_jw_str(w, "text", st->text);
	irt_jw_end(w);
}

static void
counts(const struct irt_checklist *cl, size_t *done, size_t *skipped)
{
	size_t i;

	*done = *skipped = 0;
	for (i = 0; i < cl->nsteps; i++) {
		if (cl->steps[i].state == IRT_STEP_DONE)
			(*done)++;
		else if (cl->steps[i].state == IRT_STEP_SKIPPED)
			(*skipped)++;
	}
}

static void
checklist_json(
    struct irt_jw *w, const char *name, const struct irt_checklist *cl)
{
	size_t i, done, skipped;
	long next = irt_checklist_next(cl);

	counts(cl, &done, &skipped);
	irt_jw_object(w, NULL);
	irt_jw_str(w, "name", name ? name : cl->id);
	irt_jw_str(w, "checklist", cl->id);
	irt_jw_str(w, "title", cl->title);
	irt_jw_str(w, "version", cl->version);
	irt_jw_str(w, "host", cl->host);
	irt_jw_str(w, "started", cl->started);
	irt_jw_uint(w, "total", cl->nsteps);
	irt_jw_uint(w, "done", done);
	irt_jw_uint(w, "skipped", skipped);
	irt_jw_uint(w, "open", cl->nsteps - done - skipped);
	irt_jw_str(w, "next", next >= 0 ? cl->steps[next].id : NULL);
	irt_jw_array(w, "steps");
	for (i = 0; i < cl->nsteps; i++)
		step_json(w, &cl->steps[i]);
	irt_jw_end(w);
	irt_jw_end(w);
}

static int
cl_list(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_checklist *cl;
	struct irt_jw w;
	char **names;
	size_t i;
	int rc;

	(void)a;
	if (irt_checklist_builtins(&names) != 0)
		return irt_fail();
	irt_jw_init(&w, &b);
	if (ctx->json) {
		irt_jw_object(&w, NULL);
		irt_jw_array(&w, "checklists");
	}
	for (i = 0; names[i] != NULL; i++) {
		if (irt_checklist_load(&cl, NULL, names[i]) != 0) {
			irt_strv_free(names);
			irt_buf_release(&b);
			return irt_fail();
		}
		if (ctx->json) {
			irt_jw_object(&w, NULL);
			irt_jw_str(&w, "name", cl->id);
			irt_jw_str(&w, "title", cl->title);
			irt_jw_str(&w, "version", cl->version);
			irt_jw_uint(&w, "steps", cl->nsteps);
			irt_jw_end(&w);
		} else
			irt_buf_printf(&b, "%-26s %s (%zu steps)\n", cl->id,
			    irt_esc(cl->title), cl->nsteps);
		irt_checklist_free(cl);
	}
	irt_strv_free(names);
	if (ctx->json) {
		irt_jw_end(&w);
		irt_jw_end(&w);
	}
	if (ctx->json && irt_jw_line(&w) != 0)
		rc = irt_fail();
	else
		rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

/* Escapes untrusted text line by line, keeping the newlines. */
static void
put_text(struct irt_buf *b, const char *s, size_t len)
{
	const char *end = s + len, *nl;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		irt_escape_term(b, s, (size_t)((nl ? nl : end) - s));
		if (nl == NULL)
			break;
		irt_buf_putc(b, '\n');
		s = nl + 1;
	}
}

static int
cl_show(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_buf b = IRT_BUF_INIT, text = IRT_BUF_INIT;
	struct irt_checklist *cl;
	struct irt_jw w;
	int rc = EXIT_OK;

	if (irt_checklist_load(&cl, &text, a->argv[0]) != 0)
		return irt_fail();
	if (ctx->json) {
		irt_jw_init(&w, &b);
		checklist_json(&w, NULL, cl);
		if (irt_jw_line(&w) != 0)
			rc = irt_fail();
	} else
		put_text(&b, text.ptr, text.len);
	irt_checklist_free(cl);
	if (rc == EXIT_OK)
		rc = irt_out(&b);
	irt_buf_release(&b);
	irt_buf_release(&text);
	return rc;
}

static int
cl_lint(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_buf text = IRT_BUF_INIT;
	char **problems, **argv = a->argv;
	size_t k;
	int i, rc = EXIT_OK;

	(void)ctx;
	for (i = 0; i < a->argc; i++) {
		irt_buf_clear(&text);
		if (irt_buf_read_file(&text, argv[i]) != 0) {
			rc = irt_fail();
			continue;
		}
		if (irt_checklist_lint(&problems, irt_buf_cstr(&text), text.len,
		        argv[i]) != 0) {
			irt_buf_release(&text);
			return irt_fail();
		}
		for (k = 0; problems[k] != NULL; k++) {
			fprintf(stderr, "%s\n", irt_esc(problems[k]));
			rc = EXIT_FAIL;
		}
		irt_strv_free(problems);
	}
	irt_buf_release(&text);
	return rc;
}

static int
default_host(char *out, size_t len)
{
	if (gethostname(out, len) != 0) {
		irt_err("cannot get the host name: %s", strerror(errno));
		return EXIT_FAIL;
	}
	out[len - 1] = '\0';
	out[strcspn(out, ".")] = '\0'; /* the short name */
	return EXIT_OK;
}

static int
cl_start(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_checklist *cl;
	const struct irt_ident *who;
	const char *host = irt_args_str(a, "host", NULL);
	char hbuf[256], *name;

	if (host == NULL) {
		if (default_host(hbuf, sizeof hbuf) != EXIT_OK)
			return EXIT_FAIL;
		host = hbuf;
	}
	if (irt_checklist_load(&cl, NULL, a->argv[0]) != 0)
		return irt_fail();
	if ((who = irt_who(ctx)) == NULL ||
	    irt_checklist_start(ctx->kase, &name, cl, host, who) != 0) {
		irt_checklist_free(cl);
		return irt_fail();
	}
	printf("%s\n", name);
	if (!ctx->quiet)
		fprintf(stderr,
		    "irt: started '%s' (%zu steps); see 'irt checklist "
		    "status %s'\n",
		    name, cl->nsteps, name);
	free(name);
	irt_checklist_free(cl);
	return EXIT_OK;
}

static void
step_text(struct irt_buf *b, const struct irt_checklist_step *st)
{
	size_t k;

	irt_buf_printf(b, "[%c] %s: %s\n",
	    st->state == IRT_STEP_DONE          ? 'x'
	        : st->state == IRT_STEP_SKIPPED ? '-'
	                                        : ' ',
	    st->id, irt_esc(st->title));
	if (st->text != NULL && *st->text != '\0') {
		const char *s = st->text, *nl;
		while (*s != '\0') {
			nl = strchr(s, '\n');
			irt_buf_puts(b, "    ");
			irt_escape_term(
			    b, s, nl ? (size_t)(nl - s) : strlen(s));
			irt_buf_putc(b, '\n');
			if (nl == NULL)
				break;
			s = nl + 1;
		}
	}
	if (st->nneeds > 0) {
		irt_buf_puts(b, "    needs:");
		for (k = 0; k < st->nneeds; k++)
			irt_buf_printf(b, " %s", st->needs[k]);
		irt_buf_putc(b, '\n');
	}
	if (st->run != NULL)
		irt_buf_printf(b, "    run:  %s\n", irt_esc(st->run));
	if (st->undo != NULL)
		irt_buf_printf(b, "    undo: %s\n", irt_esc(st->undo));
}

static void
status_row(struct irt_buf *b, const char *name, const struct irt_checklist *cl)
{
	size_t done, skipped;
	long next = irt_checklist_next(cl);

	counts(cl, &done, &skipped);
	irt_buf_printf(b, "%-36s %zu/%zu done, %zu skipped  %s%s\n", name, done,
	    cl->nsteps, skipped, next >= 0 ? "next: " : "complete",
	    next >= 0 ? cl->steps[next].id : "");
}

static void
status_steps(
    struct irt_buf *b, const char *name, const struct irt_checklist *cl)
{
	const struct irt_checklist_step *st;
	size_t i;

	irt_buf_printf(b, "%s: %s (host %s, started %s)\n", name,
	    irt_esc(cl->title), irt_esc(cl->host ? cl->host : "?"),
	    irt_esc(cl->started ? cl->started : "?"));
	for (i = 0; i < cl->nsteps; i++) {
		st = &cl->steps[i];
		irt_buf_printf(b, "  [%c] %-16s %s",
		    st->state == IRT_STEP_DONE          ? 'x'
		        : st->state == IRT_STEP_SKIPPED ? '-'
		                                        : ' ',
		    st->id, irt_esc(st->title));
		if (st->state != IRT_STEP_OPEN)
			irt_buf_printf(b, " (%s %s by %s%s%s)",
			    state_name(st->state), irt_esc(st->when),
			    irt_esc(st->who), st->reason ? ": " : "",
			    st->reason ? irt_esc(st->reason) : "");
		irt_buf_putc(b, '\n');
	}
}

static int
cl_status(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_checklist *cl;
	struct irt_jw w;
	char **names, *name;
	size_t i;
	int rc;

	irt_jw_init(&w, &b);
	if (a->argc == 1) {
		if (irt_checklist_open(ctx->kase, &cl, &name, a->argv[0]))
			return irt_fail();
		rc = EXIT_OK;
		if (ctx->json) {
			checklist_json(&w, name, cl);
			if (irt_jw_line(&w) != 0)
				rc = irt_fail();
		} else
			status_steps(&b, name, cl);
		free(name);
		irt_checklist_free(cl);
		if (rc == EXIT_OK)
			rc = irt_out(&b);
		irt_buf_release(&b);
		return rc;
	}
	if (irt_checklist_started(ctx->kase, &names) != 0)
		return irt_fail();
	if (ctx->json) {
		irt_jw_object(&w, NULL);
		irt_jw_array(&w, "checklists");
	}
	for (i = 0; names[i] != NULL; i++) {
		if (irt_checklist_open(ctx->kase, &cl, NULL, names[i]) != 0) {
			irt_strv_free(names);
			irt_buf_release(&b);
			return irt_fail();
		}
		if (ctx->json)
			checklist_json(&w, names[i], cl);
		else
			status_row(&b, names[i], cl);
		irt_checklist_free(cl);
	}
	if (ctx->json) {
		irt_jw_end(&w);
		irt_jw_end(&w);
	}
	if (!ctx->json && names[0] == NULL && !ctx->quiet)
		fprintf(stderr, "irt: no checklist is started\n");
	irt_strv_free(names);
	if (ctx->json && irt_jw_line(&w) != 0)
		rc = irt_fail();
	else
		rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

/* Reads one line of an answer; NULL at end of input. */
static char *
ask_line(const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (isatty(STDIN_FILENO))
		return readline(prompt);
	fputs(prompt, stderr);
	fflush(stderr);
	if ((n = getline(&line, &cap, stdin)) < 0) {
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

/*
 * When a step's dependency is open: with --force it is recorded as
 * forced; at a terminal the responder is asked; else it fails.
 * Returns 0 to go on (*forced set or not), EXIT_FAIL to stop.
 */
static int
check_deps(struct irt_ctx *ctx, const char *name, const char *step, int force,
    const char **forced)
{
	struct irt_checklist *cl;
	const char *unmet;
	char *answer;
	long i;
	int rc = EXIT_OK;

	*forced = NULL;
	if (irt_checklist_open(ctx->kase, &cl, NULL, name) != 0)
		return irt_fail();
	if ((i = irt_checklist_find(cl, step)) < 0 ||
	    (unmet = irt_checklist_unmet(cl, (size_t)i)) == NULL) {
		irt_checklist_free(cl);
		return EXIT_OK; /* the library reports unknown steps */
	}
	irt_warn("step '%s' needs step '%s', which is not done", step, unmet);
	if (force)
		*forced = "overridden with --force";
	else if (isatty(STDIN_FILENO)) {
		answer = readline("do it anyway? [y/N] ");
		if (answer != NULL &&
		    (strcmp(answer, "y") == 0 || strcmp(answer, "yes") == 0))
			*forced = "confirmed at the prompt";
		else {
			irt_err("step '%s' not done", step);
			rc = EXIT_FAIL;
		}
		free(answer);
	} else {
		irt_err("step '%s' not done; use --force to override", step);
		rc = EXIT_FAIL;
	}
	irt_checklist_free(cl);
	return rc;
}

static int
mark_step(struct irt_ctx *ctx, const char *name, const char *step,
    enum irt_step_state state, const char *text, int force)
{
	struct irt_checklist_mark m;
	const struct irt_ident *who;
	char oid[IRT_OID_HEX];
	const char *forced = NULL;

	if (state == IRT_STEP_DONE &&
	    check_deps(ctx, name, step, force, &forced) != EXIT_OK)
		return EXIT_FAIL;
	memset(&m, 0, sizeof m);
	m.step = step;
	m.state = state;
	m.text = text;
	m.forced = forced;
	if ((who = irt_who(ctx)) == NULL ||
	    irt_checklist_mark(ctx->kase, name, &m, who, oid) != 0)
		return irt_fail();
	irt_host_hook_checklist(ctx, name);
	if (!ctx->quiet)
		fprintf(stderr, "irt: %s: step '%s' %s\n", name, step,
		    state == IRT_STEP_OPEN ? "reopened" : state_name(state));
	return EXIT_OK;
}

/* The started checklist the step belongs to. */
static int
which(struct irt_ctx *ctx, const char *prefix, char **name)
{
	struct irt_checklist *cl;

	if (irt_checklist_open(ctx->kase, &cl, name, prefix) != 0)
		return irt_fail();
	irt_checklist_free(cl);
	return EXIT_OK;
}

static int
cl_done(struct irt_ctx *ctx, struct irt_args *a)
{
	char *name;
	int rc;

	if (which(ctx, irt_args_str(a, "checklist", NULL), &name) != EXIT_OK)
		return EXIT_FAIL;
	rc = mark_step(ctx, name, a->argv[0], IRT_STEP_DONE,
	    irt_args_str(a, "message", NULL), irt_args_has(a, "force"));
	free(name);
	return rc;
}

static int
cl_skip(struct irt_ctx *ctx, struct irt_args *a)
{
	char *name;
	int rc;

	if (which(ctx, irt_args_str(a, "checklist", NULL), &name) != EXIT_OK)
		return EXIT_FAIL;
	rc = mark_step(ctx, name, a->argv[0], IRT_STEP_SKIPPED,
	    irt_args_str(a, "reason", NULL), 0);
	free(name);
	return rc;
}

static int
cl_reopen(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_checklist *cl;
	const char *step = a->argv[0];
	char *name;
	long i;
	int rc;

	if (irt_checklist_open(
	        ctx->kase, &cl, &name, irt_args_str(a, "checklist", NULL)) != 0)
		return irt_fail();
	rc = mark_step(ctx, name, step, IRT_STEP_OPEN, NULL, 0);
	/* RE&CT: the inverse of a containment action */
	if (rc == EXIT_OK && (i = irt_checklist_find(cl, step)) >= 0 &&
	    cl->steps[i].undo != NULL && !ctx->quiet)
		fprintf(stderr, "irt: to undo what the step did: %s\n",
		    irt_esc(cl->steps[i].undo));
	irt_checklist_free(cl);
	free(name);
	return rc;
}

static int
live_output(int fd, const char *data, size_t len, void *arg)
{
	(void)arg;
	fwrite(data, 1, len, fd == 1 ? stdout : stderr);
	fflush(fd == 1 ? stdout : stderr);
	return 0;
}

static int
do_step(struct irt_ctx *ctx, const char *name, const char *step, int force,
    double timeout)
{
	struct irt_run_opts ro;
	struct irt_run_result r;
	const struct irt_ident *who;
	const char *forced = NULL;
	int ticked;

	if (check_deps(ctx, name, step, force, &forced) != EXIT_OK)
		return EXIT_FAIL;
	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	memset(&ro, 0, sizeof ro);
	ro.timeout = timeout;
	ro.live = live_output;
	ro.cancel = &irt_interrupted;
	irt_interrupted = 0;
	irt_sigint_install();
	if (irt_checklist_do(
	        ctx->kase, name, step, forced, &ro, who, &r, &ticked) != 0) {
		if (r.id[0] != '\0')
			irt_err("%s (the run is recorded as %s)",
			    irt_error_last(), r.id);
		else
			irt_fail();
		return EXIT_FAIL;
	}
	if (ticked) {
		irt_host_hook_checklist(ctx, name);
		if (!ctx->quiet)
			fprintf(stderr,
			    "irt: %s: step '%s' done (run %s, exit 0)\n", name,
			    step, r.id);
		return EXIT_OK;
	}
	if (r.spawn.not_found)
		irt_err("command not found (recorded as run %s); step '%s' "
		        "stays open",
		    r.id, step);
	else if (r.spawn.timed_out)
		irt_err("killed after %g seconds (recorded as run %s); step "
		        "'%s' stays open",
		    timeout, r.id, step);
	else
		irt_err("the command failed with exit %d (recorded as run "
		        "%s); step '%s' stays open",
		    r.exit_code, r.id, step);
	return EXIT_FAIL;
}

static int
cl_do(struct irt_ctx *ctx, struct irt_args *a)
{
	char *name;
	int rc;

	if (which(ctx, irt_args_str(a, "checklist", NULL), &name) != EXIT_OK)
		return EXIT_FAIL;
	rc = do_step(ctx, name, a->argv[0], irt_args_has(a, "force"),
	    irt_args_secs(a, "timeout", 0));
	free(name);
	return rc;
}

static const char run_help[] =
    "  done [TEXT]    tick the step (TEXT: what you recorded)\n"
    "  skip REASON    skip the step, with the reason\n"
    "  do             run the step's command and tick it when it works\n"
    "  note TEXT      add a case note\n"
    "  show           show the step again\n"
    "  quit           leave (the checklist stays where it is)\n";

static int
cl_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_checklist *cl = NULL;
	const struct irt_ident *who;
	const char *host = irt_args_str(a, "host", NULL), *arg;
	char hbuf[256], *name = NULL, *line = NULL, prompt[128], *cmd, *sp;
	int rc = EXIT_OK, show = 1;
	long next;

	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	/* a started copy, else start it */
	if (irt_checklist_open(ctx->kase, &cl, &name, a->argv[0]) != 0) {
		if (irt_error_code() != IRT_ENOTFOUND)
			return irt_fail();
		if (host == NULL) {
			if (default_host(hbuf, sizeof hbuf) != EXIT_OK)
				return EXIT_FAIL;
			host = hbuf;
		}
		if (irt_checklist_load(&cl, NULL, a->argv[0]) != 0 ||
		    irt_checklist_start(ctx->kase, &name, cl, host, who) != 0)
			goto fail;
		fprintf(stderr, "irt: started '%s'\n", name);
	}
	for (;;) {
		irt_checklist_free(cl);
		cl = NULL;
		if (irt_checklist_open(ctx->kase, &cl, NULL, name) != 0)
			goto fail;
		if ((next = irt_checklist_next(cl)) < 0) {
			printf("%s: every step is done or skipped\n", name);
			break;
		}
		if (show) {
			struct irt_buf b = IRT_BUF_INIT;
			size_t done, skipped;
			counts(cl, &done, &skipped);
			irt_buf_printf(&b, "\n%s: step %ld of %zu\n", name,
			    next + 1, cl->nsteps);
			step_text(&b, &cl->steps[next]);
			irt_out(&b);
			irt_buf_release(&b);
			fflush(stdout);
		}
		show = 1;
		snprintf(prompt, sizeof prompt, "%s> ", cl->steps[next].id);
		free(line);
		if ((line = ask_line(prompt)) == NULL) {
			putc('\n', stderr);
			break;
		}
		cmd = line + strspn(line, " \t");
		if (*cmd == '\0') {
			show = 0;
			continue;
		}
		if (isatty(STDIN_FILENO))
			add_history(cmd);
		if ((sp = strpbrk(cmd, " \t")) != NULL) {
			*sp = '\0';
			arg = sp + 1 + strspn(sp + 1, " \t");
		} else
			arg = "";
		if (strcmp(cmd, "quit") == 0 || strcmp(cmd, "q") == 0)
			break;
		if (strcmp(cmd, "done") == 0)
			mark_step(ctx, name, cl->steps[next].id, IRT_STEP_DONE,
			    *arg ? arg : NULL, 0);
		else if (strcmp(cmd, "skip") == 0) {
			if (*arg == '\0') {
				irt_err("skip needs a reason: skip REASON");
				show = 0;
			} else
				mark_step(ctx, name, cl->steps[next].id,
				    IRT_STEP_SKIPPED, arg, 0);
		} else if (strcmp(cmd, "do") == 0)
			do_step(ctx, name, cl->steps[next].id, 0, 0);
		else if (strcmp(cmd, "note") == 0) {
			const char *tags[] = { "checklist" };
			char id[32];
			show = 0;
			if (*arg == '\0')
				irt_err("note needs text: note TEXT");
			else if (irt_note_add(ctx->kase, id, arg, strlen(arg),
			             tags, 1, cl->host, who) != 0)
				irt_fail();
			else
				fprintf(stderr, "irt: note %s added\n", id);
		} else if (strcmp(cmd, "show") == 0)
			;
		else {
			if (strcmp(cmd, "help") != 0 && strcmp(cmd, "?") != 0)
				irt_err("unknown command '%s'", irt_esc(cmd));
			fputs(run_help, stderr);
			show = 0;
		}
	}
	goto out;
fail:
	rc = irt_fail();
out:
	free(line);
	free(name);
	irt_checklist_free(cl);
	return rc;
}

static const struct irt_subcmd checklist_subcmds[] = {
	{ "do", "run a step's command and tick it when it works",
	    IRT_CMD_NEEDS_CASE, do_opts, "STEP", 1, 1, cl_do, "step" },
	{ "done", "tick a step", IRT_CMD_NEEDS_CASE, done_opts, "STEP", 1, 1,
	    cl_done, "step" },
	{ "lint", "check checklist files", 0, NULL, "FILE...", 1, -1, cl_lint,
	    "file" },
	{ "list", "list the built-in checklists", IRT_CMD_JSON, NULL, NULL, 0,
	    0, cl_list },
	{ "reopen", "open a done or skipped step again", IRT_CMD_NEEDS_CASE,
	    reopen_opts, "STEP", 1, 1, cl_reopen, "step" },
	{ "run", "work through a checklist step by step", IRT_CMD_NEEDS_CASE,
	    host_opts, "NAME", 1, 1, cl_run, "checklist" },
	{ "show", "print a checklist", IRT_CMD_JSON, NULL, "NAME|FILE", 1, 1,
	    cl_show, "checklist|file" },
	{ "skip", "tick a step as skipped, with the reason", IRT_CMD_NEEDS_CASE,
	    skip_opts, "STEP", 1, 1, cl_skip, "step" },
	{ "start", "copy a checklist into the case", IRT_CMD_NEEDS_CASE,
	    host_opts, "NAME|FILE", 1, 1, cl_start, "checklist|file" },
	{ "status", "the progress of the started checklists",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, NULL, "[NAME]", 0, 1, cl_status,
	    "checklist-started" },
	{ NULL },
};

const struct irt_cmd irt_cmd_checklist = {
	.name = "checklist",
	.summary = "follow and record response checklists",
	.subcmds = checklist_subcmds,
};
