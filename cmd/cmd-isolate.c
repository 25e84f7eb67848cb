/*
 * irt isolate: cut a host off the network but for the responders, with a
 * rollback unless confirmed.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irt.h"

static const char plan_usage[] =
    "usage: irt isolate plan (--allow ADDR[/LEN][,...]... | --no-allow)\n"
    "                        [--allow-port PROTO/PORT]... [--dns ADDR]...\n";
static const char apply_usage[] =
    "usage: irt isolate apply (--allow ADDR[/LEN][,...]... | --no-allow)\n"
    "                         [--allow-port PROTO/PORT]... [--dns ADDR]...\n"
    "                         [--confirm-within SECONDS]\n";
static const char confirm_usage[] = "usage: irt isolate confirm\n";
static const char status_usage[] = "usage: irt isolate status [--json]\n";
static const char lift_usage[] = "usage: irt isolate lift\n";
static const char verify_usage[] =
    "usage: irt isolate verify [--timeout SECONDS] [--json]\n"
    "                          [--reach ADDR:PORT]... [--blocked "
    "ADDR:PORT]...\n";

/* Options of plan and apply. */
static int
plan_args(struct irt_ctx *ctx, int argc, char **argv, const char *usage,
    struct irt_isolate_plan **plan, double *confirm_within)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "allow", required_argument, NULL, 'a' },
		{ "no-allow", no_argument, NULL, 'N' },
		{ "allow-port", required_argument, NULL, 'p' },
		{ "dns", required_argument, NULL, 'd' },
		{ "confirm-within", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_isolate_opts o;
	const char **allow, **ports, **dns;
	char *end;
	int ch, rc = EXIT_USAGE;

	(void)ctx;
	memset(&o, 0, sizeof o);
	allow = calloc((size_t)argc + 1, sizeof *allow);
	ports = calloc((size_t)argc + 1, sizeof *ports);
	dns = calloc((size_t)argc + 1, sizeof *dns);
	if (allow == NULL || ports == NULL || dns == NULL) {
		rc = EXIT_FAIL;
		irt_err("out of memory");
		goto out;
	}
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			rc = irt_help(usage, false);
			goto out;
		case 'a':
			allow[o.nallow++] = optarg;
			break;
		case 'N':
			o.no_allow = 1;
			break;
		case 'p':
			ports[o.nports++] = optarg;
			break;
		case 'd':
			dns[o.ndns++] = optarg;
			break;
		case 'w':
			if (confirm_within == NULL) {
				rc = irt_help(usage, true);
				goto out;
			}
			*confirm_within = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' ||
			    !(*confirm_within >= 1 &&
			        *confirm_within <= 86400)) {
				irt_err("invalid --confirm-within '%s': 1 to "
				        "86400 seconds",
				    irt_esc(optarg));
				goto out;
			}
			break;
		default:
			rc = irt_help(usage, true);
			goto out;
		}
	}
	if (optind != argc) {
		rc = irt_help(usage, true);
		goto out;
	}
	o.allow = allow;
	o.ports = ports;
	o.dns = dns;
	if (irt_isolate_plan(plan, &o) != 0) {
		rc = irt_fail();
		if (irt_error_code() == IRT_EINVAL && o.nallow == 0 &&
		    !o.no_allow)
			rc = EXIT_USAGE;
		goto out;
	}
	rc = -1;
out:
	free(allow);
	free(ports);
	free(dns);
	return rc;
}

static int
iso_plan(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_isolate_plan *p;
	int rc;

	if ((rc = plan_args(ctx, argc, argv, plan_usage, &p, NULL)) >= 0)
		return rc;
	printf("# irt isolation plan %s, sha256 %s\n", p->id, p->sha256);
	printf("# it drops only while the set 'armed' holds ipv4 and ipv6: "
	       "apply adds them\n# with the confirm deadline as their "
	       "timeout, confirm without one\n");
	fputs(p->ruleset, stdout);
	irt_isolate_plan_free(p);
	return EXIT_OK;
}

static void
print_deadline(const struct irt_isolate_status *st)
{
	char t[IRT_TIME_MAX];
	double left = (double)(st->deadline - irt_now()) / 1e9;

	fflush(stdout);
	fprintf(stderr,
	    "irt: isolation %s applied; it is rolled back at %s (in %.0f "
	    "seconds) unless you run 'irt isolate confirm'\n",
	    st->id, irt_time_format(t, st->deadline, 0), left < 0 ? 0 : left);
}

static int
iso_apply(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_isolate_plan *p;
	struct irt_isolate_status st;
	const struct irt_ident *who;
	double within = IRT_ISOLATE_DEFAULT_CONFIRM;
	int rc;

	if ((rc = plan_args(ctx, argc, argv, apply_usage, &p, &within)) >= 0)
		return rc;
	if ((who = irt_who(ctx)) == NULL) {
		irt_isolate_plan_free(p);
		return irt_fail();
	}
	rc = irt_isolate_apply(ctx->kase, &st, p, within, who);
	if (rc != 0 && st.id[0] == '\0') {
		irt_isolate_plan_free(p);
		return irt_fail();
	}
	if (rc != 0)
		irt_fail(); /* applied, not recorded */
	else
		irt_host_hook(ctx, NULL, "contained", "isolated by irt isolate",
		    "isolate-apply");
	printf("%s\n", st.id);
	print_deadline(&st);
	irt_isolate_status_release(&st);
	irt_isolate_plan_free(p);
	return rc != 0 ? EXIT_FAIL : EXIT_OK;
}

static int
no_args(
    int argc, char **argv, const char *usage, struct irt_ctx *ctx, int json_ok)
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
			if (!json_ok)
				return irt_help(usage, true);
			ctx->json = true;
			break;
		default:
			return irt_help(usage, true);
		}
	}
	if (optind != argc)
		return irt_help(usage, true);
	return -1;
}

static int
iso_confirm(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_isolate_status st;
	const struct irt_ident *who;
	int rc;

	if ((rc = no_args(argc, argv, confirm_usage, ctx, 0)) >= 0)
		return rc;
	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	rc = irt_isolate_confirm(ctx->kase, &st, who);
	if (rc != 0 && !st.confirmed) {
		irt_isolate_status_release(&st);
		return irt_fail();
	}
	if (rc != 0)
		irt_fail();
	if (!ctx->quiet)
		fprintf(stderr,
		    "irt: isolation %s confirmed; it stays until 'irt "
		    "isolate lift'\n",
		    st.id);
	irt_isolate_status_release(&st);
	return rc != 0 ? EXIT_FAIL : EXIT_OK;
}

static int
iso_lift(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_isolate_status st;
	const struct irt_ident *who;
	int rc, identical;

	if ((rc = no_args(argc, argv, lift_usage, ctx, 0)) >= 0)
		return rc;
	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	rc = irt_isolate_lift(ctx->kase, &st, &identical, who);
	if (rc == 0)
		irt_host_hook(ctx, NULL, NULL,
		    st.rolled_back ? "isolation rolled back, not confirmed"
		                   : "isolation lifted",
		    "isolate-lift");
	if (rc != 0) {
		irt_fail();
		if (identical < 0) {
			irt_isolate_status_release(&st);
			return EXIT_FAIL;
		}
	}
	if (!ctx->quiet && st.rolled_back) {
		char t[IRT_TIME_MAX];
		fprintf(stderr,
		    "irt: isolation %s was not confirmed and the kernel "
		    "ended it at %s; its table is removed%s\n",
		    st.id, irt_time_format(t, st.rolled_back_at, 0),
		    identical == 1 ? "; the ruleset is the one before apply"
		        : identical == 0
		        ? "; WARNING: the ruleset differs from "
		          "the one before apply"
		        : "");
	} else if (!ctx->quiet)
		fprintf(stderr, "irt: isolation lifted%s\n",
		    identical == 1 ? "; the ruleset is the one before apply"
		        : identical == 0
		        ? "; WARNING: the ruleset differs from the one before "
		          "apply (another tool changed it meanwhile)"
		        : "");
	irt_isolate_status_release(&st);
	return rc != 0 ? EXIT_FAIL : EXIT_OK;
}

static int
iso_status(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_isolate_status st;
	struct irt_buf b = IRT_BUF_INIT;
	char t[IRT_TIME_MAX];
	size_t i;
	int rc, problem;

	if ((rc = no_args(argc, argv, status_usage, ctx, 1)) >= 0)
		return rc;
	/* a disagreement of the state and the ruleset: shown, then exit 1 */
	if (irt_isolate_get_status(&st) != 0 && st.problem == NULL) {
		irt_isolate_status_release(&st);
		return irt_fail();
	}
	problem = st.problem != NULL;
	if (ctx->json) {
		irt_buf_printf(&b,
		    "{\"isolated\":%s,\"table\":%s,\"managed\":%s",
		    st.blocking ? "true" : "false",
		    st.present ? "true" : "false",
		    st.managed ? "true" : "false");
		if (st.managed) {
			irt_buf_puts(&b, ",\"id\":");
			irt_json_str(&b, st.id);
			irt_buf_printf(&b, ",\"applied\":\"%s\"",
			    irt_time_format(t, st.applied, -1));
			irt_buf_printf(&b, ",\"deadline\":\"%s\"",
			    irt_time_format(t, st.deadline, -1));
			irt_buf_printf(&b, ",\"confirmed\":%s",
			    st.confirmed ? "true" : "false");
			if (st.confirmed)
				irt_buf_printf(&b, ",\"confirmed_at\":\"%s\"",
				    irt_time_format(t, st.confirmed_at, -1));
			irt_buf_printf(&b, ",\"rolled_back\":%s",
			    st.rolled_back ? "true" : "false");
			if (st.rolled_back)
				irt_buf_printf(&b, ",\"rolled_back_at\":\"%s\"",
				    irt_time_format(t, st.rolled_back_at, -1));
			irt_buf_puts(&b, ",\"allow\":");
			irt_json_str(&b, st.allow ? st.allow : "");
			irt_buf_printf(&b,
			    ",\"sha256\":\"%s\",\"watchdog\":%s,"
			    "\"watchdog_pid\":%ld",
			    st.sha256, st.watchdog_alive ? "true" : "false",
			    (long)(st.watchdog_alive ? st.watchdog : 0));
		}
		irt_buf_puts(&b, ",\"kernel_deadline\":");
		irt_buf_puts(&b, st.timed ? "true" : "false");
		irt_buf_puts(&b, ",\"problem\":");
		if (problem)
			irt_json_str(&b, st.problem);
		else
			irt_buf_puts(&b, "null");
		irt_buf_puts(&b, ",\"nftables\":");
		irt_json_str(&b, st.nftables ? st.nftables : "");
		irt_buf_puts(&b, ",\"counters\":{");
		for (i = 0; i < st.ncounters; i++) {
			if (i > 0)
				irt_buf_putc(&b, ',');
			irt_json_str(&b, st.counters[i].name);
			irt_buf_printf(&b, ":{\"packets\":%llu,\"bytes\":%llu}",
			    (unsigned long long)st.counters[i].packets,
			    (unsigned long long)st.counters[i].bytes);
		}
		irt_buf_puts(&b, "}}\n");
	} else {
		irt_buf_printf(
		    &b, "isolated:   %s\n", st.blocking ? "yes" : "no");
		if (st.managed) {
			irt_buf_printf(&b, "id:         %s\n", st.id);
			irt_buf_printf(&b, "applied:    %s\n",
			    irt_time_format(t, st.applied, 0));
			irt_buf_printf(&b, "allow:      %s\n",
			    irt_esc(st.allow && *st.allow ? st.allow
			                                  : "(nothing)"));
			irt_buf_printf(&b, "sha256:     %s\n", st.sha256);
			if (st.leftover)
				irt_buf_printf(&b,
				    "state:      rolled back at %s by the "
				    "kernel (not confirmed); the table is "
				    "left, "
				    "blocking nothing, until 'irt isolate "
				    "lift'\n",
				    irt_time_format(t, st.rolled_back_at, 0));
			else if (st.rolled_back)
				irt_buf_printf(&b,
				    "state:      rolled back at %s (not "
				    "confirmed)\n",
				    irt_time_format(t, st.rolled_back_at, 0));
			else if (st.confirmed)
				irt_buf_printf(&b,
				    "state:      confirmed at %s\n",
				    irt_time_format(t, st.confirmed_at, 0));
			else if (!problem)
				irt_buf_printf(&b,
				    "state:      NOT CONFIRMED, rolled back at "
				    "%s (in %.0f s)\n",
				    irt_time_format(t, st.deadline, 0),
				    st.deadline > irt_now()
				        ? (double)(st.deadline - irt_now()) /
				            1e9
				        : 0.0);
			else
				irt_buf_printf(&b,
				    "state:      NOT CONFIRMED, deadline %s\n",
				    irt_time_format(t, st.deadline, 0));
		}
		irt_buf_printf(&b, "nftables:   %s\n",
		    irt_esc(st.nftables ? st.nftables : ""));
		for (i = 0; i < st.ncounters; i++)
			irt_buf_printf(&b, "%-11s %llu packets, %llu bytes\n",
			    st.counters[i].name,
			    (unsigned long long)st.counters[i].packets,
			    (unsigned long long)st.counters[i].bytes);
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	if (problem) {
		irt_err("%s", st.problem);
		rc = EXIT_FAIL;
	}
	irt_isolate_status_release(&st);
	return rc;
}

static int
iso_verify(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		IRT_LONGOPTS_COMMON,
		{ "reach", required_argument, NULL, 'r' },
		{ "blocked", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_isolate_probe *pr;
	struct irt_buf b = IRT_BUF_INIT;
	const struct irt_ident *who;
	double timeout = 2;
	size_t n = 0, i, failed;
	char *end;
	int ch, rc;

	if ((pr = calloc((size_t)argc + 1, sizeof *pr)) == NULL)
		return irt_fail();
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			free(pr);
			return irt_help(verify_usage, false);
		case IRT_OPT_JSON:
			ctx->json = true;
			break;
		case 'r':
		case 'b':
			pr[n].target = optarg;
			pr[n++].expect_reach = ch == 'r';
			break;
		case 't':
			timeout = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' ||
			    !(timeout > 0 && timeout <= 600)) {
				irt_err(
				    "invalid timeout '%s'", irt_esc(optarg));
				free(pr);
				return EXIT_USAGE;
			}
			break;
		default:
			free(pr);
			return irt_help(verify_usage, true);
		}
	}
	if (optind != argc || n == 0) {
		free(pr);
		return irt_help(verify_usage, true);
	}
	if ((who = irt_who(ctx)) == NULL) {
		free(pr);
		return irt_fail();
	}
	rc = irt_isolate_verify(ctx->kase, pr, n, timeout, &failed, who);
	if (rc != 0 && irt_error_code() == IRT_EINVAL) {
		free(pr);
		irt_fail();
		return EXIT_USAGE;
	}
	if (ctx->json)
		irt_buf_puts(&b, "{\"probes\":[");
	for (i = 0; i < n; i++) {
		if (ctx->json) {
			irt_buf_puts(&b, i ? ",{\"target\":" : "{\"target\":");
			irt_json_str(&b, pr[i].target);
			irt_buf_printf(&b,
			    ",\"expect\":\"%s\",\"reached\":%s,\"ok\":%s,"
			    "\"detail\":",
			    pr[i].expect_reach ? "reach" : "blocked",
			    pr[i].reached ? "true" : "false",
			    pr[i].ok ? "true" : "false");
			irt_json_str(&b, pr[i].detail);
			irt_buf_putc(&b, '}');
		} else
			irt_buf_printf(&b, "%-7s %-30s %-6s %s\n",
			    pr[i].expect_reach ? "reach" : "blocked",
			    irt_esc(pr[i].target), pr[i].ok ? "ok" : "FAILED",
			    pr[i].detail);
	}
	if (ctx->json)
		irt_buf_printf(&b, "],\"failed\":%zu}\n", failed);
	free(pr);
	if (irt_out(&b) != EXIT_OK)
		rc = -1;
	irt_buf_release(&b);
	if (rc != 0) {
		irt_fail();
		return EXIT_FAIL;
	}
	return failed > 0 ? EXIT_FAIL : EXIT_OK;
}

static const struct irt_subcmd isolate_subcmds[] = {
	{ "apply", apply_usage, iso_apply, IRT_CMD_WANTS_CASE },
	{ "confirm", confirm_usage, iso_confirm, IRT_CMD_WANTS_CASE },
	{ "lift", lift_usage, iso_lift, IRT_CMD_WANTS_CASE },
	{ "plan", plan_usage, iso_plan, 0 },
	{ "status", status_usage, iso_status, 0 },
	{ "verify", verify_usage, iso_verify, IRT_CMD_WANTS_CASE },
	{ NULL, NULL, NULL, 0 },
};

static int
isolate_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	return irt_subcmd_dispatch(
	    ctx, &irt_cmd_isolate, isolate_subcmds, argc, argv);
}

const struct irt_cmd irt_cmd_isolate = {
	.name = "isolate",
	.summary = "isolate the host from the network but for the responders",
	.usage = "usage: irt isolate plan (--allow ADDR[/LEN][,...]... | "
	         "--no-allow) [--allow-port PROTO/PORT]... [--dns ADDR]...\n"
	         "       irt isolate apply (--allow ADDR[/LEN][,...]... | "
	         "--no-allow) [--allow-port PROTO/PORT]...\n"
	         "                         [--dns ADDR]... [--confirm-within "
	         "SECONDS]\n"
	         "       irt isolate confirm\n"
	         "       irt isolate status [--json]\n"
	         "       irt isolate lift\n"
	         "       irt isolate verify [--timeout SECONDS] [--json] "
	         "[--reach ADDR:PORT]... [--blocked ADDR:PORT]...\n",
	.exec = isolate_exec,
	.flags = IRT_CMD_WANTS_CASE,
	.subcmds = isolate_subcmds,
};
