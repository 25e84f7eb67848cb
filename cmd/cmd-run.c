/*
 * irt run: run a command without a shell and record it in the case.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irt.h"

static const struct irt_opt run_opts[] = {
	{ "timeout", 0, IRT_ARG_DURATION, "SECONDS",
	    "kill the command and its process group after this long",
	    .max = 10000000 },
	{ "message", 'm', IRT_ARG_STRING, "TEXT",
	    "why the command was run, kept in the record" },
	{ NULL },
};

static int
live_output(int fd, const char *data, size_t len, void *arg)
{
	(void)arg;
	if (fd == 1) {
		fwrite(data, 1, len, stdout);
		fflush(stdout);
	} else {
		fwrite(data, 1, len, stderr);
	}
	return 0;
}

int
irt_run_recorded(struct irt_ctx *ctx, char **argv, double timeout,
    const char *message, const struct irt_trailer *tr, size_t ntr)
{
	struct irt_run_opts o;
	struct irt_run_result r;
	const struct irt_ident *who;

	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	memset(&o, 0, sizeof o);
	o.timeout = timeout;
	o.message = message;
	o.live = live_output;
	o.cancel = &irt_interrupted;
	o.trailers = tr;
	o.ntrailers = ntr;
	irt_interrupted = 0;
	irt_sigint_install();
	if (irt_run(ctx->kase, &r, argv, &o, who) != 0)
		return irt_fail();
	if (r.spawn.not_found)
		irt_err("command not found: '%s' (recorded as run %s)",
		    irt_esc(argv[0]), r.id);
	else if (r.spawn.exec_errno != 0)
		irt_err("cannot run '%s': %s (recorded as run %s)",
		    irt_esc(argv[0]), strerror(r.spawn.exec_errno), r.id);
	else if (r.spawn.timed_out)
		irt_err("'%s' killed after %g seconds (recorded as run %s)",
		    irt_esc(argv[0]), timeout, r.id);
	else if (irt_interrupted)
		irt_err("'%s' interrupted (recorded as run %s)",
		    irt_esc(argv[0]), r.id);
	else if (!ctx->quiet)
		fprintf(stderr, "irt: run %s recorded, exit %d\n", r.id,
		    r.exit_code);
	return r.exit_code;
}

/* Options end at the command: its own arguments may hold -h or -m. */
static int
run_run(struct irt_ctx *ctx, struct irt_args *a)
{
	return irt_run_recorded(ctx, a->argv, irt_args_secs(a, "timeout", 0),
	    irt_args_str(a, "message", NULL), NULL, 0);
}

const struct irt_cmd irt_cmd_run = {
	.name = "run",
	.summary = "run a command and record it in the case",
	.flags = IRT_CMD_NEEDS_CASE | IRT_CMD_OPTS_FIRST,
	.opts = run_opts,
	.operands = "-- COMMAND [ARGS]",
	.min_args = 1,
	.max_args = -1,
	.run = run_run,
	.complete = "program file",
};
