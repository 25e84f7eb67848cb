/*
 * irt run: run a command without a shell and record it in the case.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irt.h"

static const char run_usage[] =
    "usage: irt run [--timeout SECONDS] [-m TEXT] -- COMMAND [ARGS]\n";

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

static int
run_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "timeout", required_argument, NULL, 't' },
		{ "message", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *msg = NULL;
	double timeout = 0;
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "+hm:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return irt_help(run_usage, false);
		case 't':
			timeout = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || timeout <= 0 ||
			    timeout > 1e7) {
				irt_err(
				    "invalid timeout '%s'", irt_esc(optarg));
				return EXIT_USAGE;
			}
			break;
		case 'm':
			msg = optarg;
			break;
		default:
			return irt_help(run_usage, true);
		}
	}
	if (optind >= argc)
		return irt_help(run_usage, true);
	/* after the options: the command's own arguments may hold -h */
	if (irt_need_case(ctx) != EXIT_OK)
		return EXIT_FAIL;
	return irt_run_recorded(ctx, argv + optind, timeout, msg, NULL, 0);
}

const struct irt_cmd irt_cmd_run = {
	.name = "run",
	.summary = "run a command and record it in the case",
	.usage = run_usage,
	.exec = run_exec,
};
