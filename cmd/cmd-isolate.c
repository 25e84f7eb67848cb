/*
 * irt isolate: cut a host off the network but for the responders, with a
 * rollback unless confirmed.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irt.h"

/* --allow and --no-allow: one of them, not both. */
#define ALLOW_GROUP 1

/* The options of plan, which apply takes too. */
#define OPT_ALLOW                                                              \
	{                                                                      \
		"allow", 0, IRT_ARG_STRING, "ADDR[/LEN][,...]",                \
		    "addresses, prefixes or host names to keep talking to",    \
		    .flags = IRT_OPT_REPEAT | IRT_OPT_REQUIRED,                \
		    .group = ALLOW_GROUP                                       \
	}
#define OPT_NO_ALLOW                                                           \
	{                                                                      \
		"no-allow", 0, IRT_ARG_NONE, NULL,                             \
		    "total isolation: no address is allowed",                  \
		    .flags = IRT_OPT_REQUIRED, .group = ALLOW_GROUP            \
	}
#define OPT_ALLOW_PORT                                                         \
	{                                                                      \
		"allow-port", 0, IRT_ARG_STRING, "PROTO/PORT",                 \
		    "restrict the allowed traffic to these ports",             \
		    .flags = IRT_OPT_REPEAT                                    \
	}
#define OPT_DNS                                                                \
	{                                                                      \
		"dns", 0, IRT_ARG_STRING, "ADDR",                              \
		    "a name server the host may query",                        \
		    .flags = IRT_OPT_REPEAT                                    \
	}

static const struct irt_opt plan_opts[] = {
	OPT_ALLOW,
	OPT_NO_ALLOW,
	OPT_ALLOW_PORT,
	OPT_DNS,
	{ NULL },
};

static const struct irt_opt apply_opts[] = {
	OPT_ALLOW,
	OPT_NO_ALLOW,
	OPT_ALLOW_PORT,
	OPT_DNS,
	{ "confirm-within", 0, IRT_ARG_DURATION, "SECONDS",
	    "the deadline of the rollback (default 120)", .min = 1,
	    .max = 86400 },
	{ NULL },
};

static const struct irt_opt verify_opts[] = {
	{ "timeout", 0, IRT_ARG_DURATION, "SECONDS",
	    "how long to wait for each connection (default 2)", .max = 600 },
	{ "reach", 0, IRT_ARG_STRING, "ADDR:PORT", "a target that must connect",
	    .flags = IRT_OPT_REPEAT },
	{ "blocked", 0, IRT_ARG_STRING, "ADDR:PORT",
	    "a target that must not connect", .flags = IRT_OPT_REPEAT },
	{ NULL },
};

/* The values of a repeated option, NULL-terminated (allocated). */
static const char **
values(const struct irt_args *a, const char *name, size_t *n)
{
	const char **v;
	size_t i;

	*n = irt_args_count(a, name);
	if ((v = calloc(*n + 1, sizeof *v)) == NULL)
		return NULL;
	for (i = 0; i < *n; i++)
		v[i] = irt_args_nth(a, name, i);
	return v;
}

/* The plan of the options of plan and apply. */
static int
plan_args(const struct irt_args *a, struct irt_isolate_plan **plan)
{
	struct irt_isolate_opts o;
	const char **allow, **ports, **dns;
	int rc = EXIT_FAIL;

	memset(&o, 0, sizeof o);
	allow = values(a, "allow", &o.nallow);
	ports = values(a, "allow-port", &o.nports);
	dns = values(a, "dns", &o.ndns);
	if (allow == NULL || ports == NULL || dns == NULL) {
		irt_err("out of memory");
		goto out;
	}
	o.no_allow = irt_args_has(a, "no-allow");
	o.allow = allow;
	o.ports = ports;
	o.dns = dns;
	if (irt_isolate_plan(plan, &o) != 0) {
		rc = irt_fail();
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
iso_plan(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_isolate_plan *p;
	int rc;

	(void)ctx;
	if ((rc = plan_args(a, &p)) >= 0)
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
iso_apply(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_isolate_plan *p;
	struct irt_isolate_status st;
	const struct irt_ident *who;
	double within =
	    irt_args_secs(a, "confirm-within", IRT_ISOLATE_DEFAULT_CONFIRM);
	int rc;

	if ((rc = plan_args(a, &p)) >= 0)
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
iso_confirm(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_isolate_status st;
	const struct irt_ident *who;
	int rc;

	(void)a;
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
iso_lift(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_isolate_status st;
	const struct irt_ident *who;
	int rc, identical;

	(void)a;
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
iso_status(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_isolate_status st;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	char t[IRT_TIME_MAX];
	size_t i;
	int rc = EXIT_OK, problem;

	(void)a;
	/* a disagreement of the state and the ruleset: shown, then exit 1 */
	if (irt_isolate_get_status(&st) != 0 && st.problem == NULL) {
		irt_isolate_status_release(&st);
		return irt_fail();
	}
	problem = st.problem != NULL;
	if (ctx->json) {
		irt_jw_init(&w, &b);
		irt_jw_object(&w, NULL);
		irt_jw_bool(&w, "isolated", st.blocking);
		irt_jw_bool(&w, "table", st.present);
		irt_jw_bool(&w, "managed", st.managed);
		if (st.managed) {
			irt_jw_str(&w, "id", st.id);
			irt_jw_str(
			    &w, "applied", irt_time_format(t, st.applied, -1));
			irt_jw_str(&w, "deadline",
			    irt_time_format(t, st.deadline, -1));
			irt_jw_bool(&w, "confirmed", st.confirmed);
			if (st.confirmed)
				irt_jw_str(&w, "confirmed_at",
				    irt_time_format(t, st.confirmed_at, -1));
			irt_jw_bool(&w, "rolled_back", st.rolled_back);
			if (st.rolled_back)
				irt_jw_str(&w, "rolled_back_at",
				    irt_time_format(t, st.rolled_back_at, -1));
			irt_jw_str(&w, "allow", st.allow ? st.allow : "");
			irt_jw_str(&w, "sha256", st.sha256);
			irt_jw_bool(&w, "watchdog", st.watchdog_alive);
			irt_jw_int(&w, "watchdog_pid",
			    (long long)(st.watchdog_alive ? st.watchdog : 0));
		}
		irt_jw_bool(&w, "kernel_deadline", st.timed);
		irt_jw_str(&w, "problem", problem ? st.problem : NULL);
		irt_jw_str(&w, "nftables", st.nftables ? st.nftables : "");
		irt_jw_object(&w, "counters");
		for (i = 0; i < st.ncounters; i++) {
			irt_jw_object(&w, st.counters[i].name);
			irt_jw_uint(&w, "packets",
			    (unsigned long long)st.counters[i].packets);
			irt_jw_uint(&w, "bytes",
			    (unsigned long long)st.counters[i].bytes);
			irt_jw_end(&w);
		}
		irt_jw_end(&w);
		irt_jw_end(&w);
		if (irt_jw_line(&w) != 0)
			rc = irt_fail();
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
	if (rc == EXIT_OK)
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
iso_verify(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_isolate_probe *pr;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	const struct irt_ident *who;
	double timeout = irt_args_secs(a, "timeout", 2);
	size_t n = 0, i, failed;
	int rc;

	if (!irt_args_has(a, "reach") && !irt_args_has(a, "blocked"))
		return irt_args_usage(a, "missing --reach or --blocked");
	if ((pr = calloc(a->nvals + 1, sizeof *pr)) == NULL)
		return irt_fail();
	/* the probes in the order given */
	for (i = 0; i < a->nvals; i++) {
		const char *name = a->vals[i].opt->name;

		if (strcmp(name, "reach") != 0 && strcmp(name, "blocked") != 0)
			continue;
		pr[n].target = a->vals[i].arg;
		pr[n++].expect_reach = strcmp(name, "reach") == 0;
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
	irt_jw_init(&w, &b);
	if (ctx->json) {
		irt_jw_object(&w, NULL);
		irt_jw_array(&w, "probes");
	}
	for (i = 0; i < n; i++) {
		if (ctx->json) {
			irt_jw_object(&w, NULL);
			irt_jw_str(&w, "target", pr[i].target);
			irt_jw_str(&w, "expect",
			    pr[i].expect_reach ? "reach" : "blocked");
			irt_jw_bool(&w, "reached", pr[i].reached);
			irt_jw_bool(&w, "ok", pr[i].ok);
			irt_jw_str(&w, "detail", pr[i].detail);
			irt_jw_end(&w);
		} else
			irt_buf_printf(&b, "%-7s %-30s %-6s %s\n",
			    pr[i].expect_reach ? "reach" : "blocked",
			    irt_esc(pr[i].target), pr[i].ok ? "ok" : "FAILED",
			    pr[i].detail);
	}
	if (ctx->json) {
		irt_jw_end(&w);
		irt_jw_uint(&w, "failed", failed);
		irt_jw_end(&w);
	}
	free(pr);
	if ((ctx->json && irt_jw_line(&w) != 0) || irt_out(&b) != EXIT_OK)
		rc = -1;
	irt_buf_release(&b);
	if (rc != 0) {
		irt_fail();
		return EXIT_FAIL;
	}
	return failed > 0 ? EXIT_FAIL : EXIT_OK;
}

static const struct irt_subcmd isolate_subcmds[] = {
	{ "apply", "load the isolation, rolled back unless confirmed",
	    IRT_CMD_WANTS_CASE, apply_opts, NULL, 0, 0, iso_apply },
	{ "confirm", "keep the isolation: the rollback is called off",
	    IRT_CMD_WANTS_CASE, NULL, NULL, 0, 0, iso_confirm },
	{ "lift", "delete the isolation", IRT_CMD_WANTS_CASE, NULL, NULL, 0, 0,
	    iso_lift },
	{ "plan", "print the ruleset apply would load", 0, plan_opts, NULL, 0,
	    0, iso_plan },
	{ "status", "whether the host is isolated, and the counters",
	    IRT_CMD_JSON, NULL, NULL, 0, 0, iso_status },
	{ "verify", "check which targets the host reaches",
	    IRT_CMD_WANTS_CASE | IRT_CMD_JSON, verify_opts, NULL, 0, 0,
	    iso_verify },
	{ NULL },
};

const struct irt_cmd irt_cmd_isolate = {
	.name = "isolate",
	.summary = "isolate the host from the network but for the responders",
	.subcmds = isolate_subcmds,
};
