/*
 * irt host: the hosts of the incident and their compromise states; and
 * the calls other commands make to keep those states current.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irt.h"

static const char *const state_values[] = { "suspected", "compromised",
	"contained", "eradicated", "restored", "clean", NULL };

/* ---- the hooks of other commands ---- */

static void
hook(struct irt_ctx *ctx, const char *host, const char *state, const char *why,
    const char *action)
{
	const struct irt_ident *who;
	char local[256];
	bool changed = false;

	if (ctx->kase == NULL)
		return;
	if (host == NULL) {
		if (gethostname(local, sizeof local - 1) != 0 ||
		    local[0] == '\0')
			return;
		local[sizeof local - 1] = '\0';
		host = local;
	}
	if (irt_host_check_name(host) != 0)
		return;
	if ((who = irt_who(ctx)) == NULL ||
	    irt_host_set_state(ctx->kase, host, state, why, action, true, who,
	        &changed) != 0) {
		irt_warn("host '%s' not updated: %s", irt_esc(host),
		    irt_error_last());
		return;
	}
	if (changed && state != NULL && !ctx->quiet)
		fprintf(
		    stderr, "irt: host %s is now %s\n", irt_esc(host), state);
}

void
irt_host_hook(struct irt_ctx *ctx, const char *host, const char *state,
    const char *why, const char *action)
{
	hook(ctx, host, state, why, action);
}

void
irt_host_hook_checklist(struct irt_ctx *ctx, const char *name)
{
	struct irt_checklist *cl = NULL;
	struct irt_host h;
	struct irt_buf why = IRT_BUF_INIT;
	size_t i;

	if (ctx->kase == NULL ||
	    irt_checklist_open(ctx->kase, &cl, NULL, name) != 0)
		return;
	if (cl->id == NULL || strcmp(cl->id, "restore-services") != 0 ||
	    cl->host == NULL)
		goto out;
	for (i = 0; i < cl->nsteps; i++)
		if (cl->steps[i].state == IRT_STEP_OPEN)
			goto out;
	if (irt_host_get(ctx->kase, &h, cl->host) == 0) {
		bool already = strcmp(h.state, "restored") == 0;
		irt_host_release(&h);
		if (already)
			goto out;
	}
	irt_buf_printf(&why, "checklist %s finished", name);
	hook(ctx, cl->host, "restored", why.ptr, "checklist-done");
out:
	irt_buf_release(&why);
	irt_checklist_free(cl);
}

/* ---- add ---- */

static const struct irt_opt add_opts[] = {
	{ "ip", 0, IRT_ARG_STRING, "ADDR", "an IPv4 or IPv6 address of it",
	    .flags = IRT_OPT_REPEAT },
	{ "role", 0, IRT_ARG_STRING, "TEXT", "what it does (web server)" },
	{ "state", 0, IRT_ARG_ENUM, "STATE", "its state (default: unknown)",
	    .values = state_values },
	{ "message", 'm', IRT_ARG_STRING, "WHY", "why it is in the case" },
	{ NULL },
};

static int
host_add_run(struct irt_ctx *ctx, struct irt_args *a)
{
	const struct irt_ident *who;
	size_t i, n = irt_args_count(a, "ip");
	const char **ips = calloc(n ? n : 1, sizeof *ips);
	char id[32];
	int rc = EXIT_OK;

	if (ips == NULL)
		return irt_fail();
	for (i = 0; i < n; i++)
		ips[i] = irt_args_nth(a, "ip", i);
	if ((who = irt_who(ctx)) == NULL ||
	    irt_host_add(ctx->kase, id, a->argv[0], ips, n,
	        irt_args_str(a, "role", NULL), irt_args_str(a, "state", NULL),
	        irt_args_str(a, "message", NULL), who) != 0)
		rc = irt_fail();
	free(ips);
	if (rc == EXIT_OK)
		printf("%s\n", id);
	return rc;
}

/* ---- list and show ---- */

static void
host_json(struct irt_jw *j, const struct irt_host *h)
{
	size_t i;

	irt_jw_object(j, NULL);
	irt_jw_str(j, "id", h->id);
	irt_jw_str(j, "name", h->name);
	irt_jw_array(j, "ips");
	for (i = 0; i < h->nips; i++)
		irt_jw_str(j, NULL, h->ips[i]);
	irt_jw_end(j);
	irt_jw_str(j, "role", h->role);
	irt_jw_str(j, "state", h->state);
	irt_jw_str(j, "added", h->added);
	irt_jw_str(j, "added_by", h->added_by ? h->added_by : "");
	irt_jw_array(j, "history");
	for (i = 0; i < h->nhistory; i++) {
		const struct irt_host_change *c = &h->history[i];
		irt_jw_object(j, NULL);
		irt_jw_str(j, "time", c->time);
		irt_jw_str(j, "state", c->state);
		irt_jw_str(j, "by", c->by);
		irt_jw_str(j, "why", c->why);
		irt_jw_str(j, "action", c->action);
		irt_jw_end(j);
	}
	irt_jw_end(j);
	irt_jw_end(j);
}

static int
host_list_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_host *v;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw j;
	size_t n, i, k;
	int rc;

	(void)a;
	if (irt_host_list(ctx->kase, &v, &n) != 0)
		return irt_fail();
	irt_case_warnings_print(ctx);
	irt_jw_init(&j, &b);
	if (ctx->json)
		irt_jw_array(&j, NULL);
	for (i = 0; i < n; i++) {
		if (ctx->json) {
			host_json(&j, &v[i]);
			continue;
		}
		irt_buf_printf(
		    &b, "%-20s  %-11s  ", irt_esc(v[i].name), v[i].state);
		for (k = 0; k < v[i].nips; k++)
			irt_buf_printf(&b, "%s%s", k ? "," : "", v[i].ips[k]);
		if (v[i].nips == 0)
			irt_buf_putc(&b, '-');
		if (v[i].role)
			irt_buf_printf(&b, "  %s", irt_esc(v[i].role));
		irt_buf_putc(&b, '\n');
	}
	if (ctx->json) {
		irt_jw_end(&j);
		irt_jw_line(&j);
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	irt_host_list_free(v, n);
	return rc;
}

static int
host_show_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_host h;
	struct irt_buf b = IRT_BUF_INIT;
	size_t i;
	int rc;

	if (irt_host_get(ctx->kase, &h, a->argv[0]) != 0)
		return irt_fail();
	if (ctx->json) {
		struct irt_jw j;
		irt_jw_init(&j, &b);
		host_json(&j, &h);
		irt_jw_line(&j);
	} else {
		irt_buf_printf(&b, "name      %s\n", irt_esc(h.name));
		irt_buf_printf(&b, "id        %s\n", h.id);
		irt_buf_printf(&b, "state     %s\n", h.state);
		for (i = 0; i < h.nips; i++)
			irt_buf_printf(&b, "ip        %s\n", h.ips[i]);
		if (h.role)
			irt_buf_printf(&b, "role      %s\n", irt_esc(h.role));
		irt_buf_printf(&b, "added     %s by %s\n", h.added,
		    irt_esc(h.added_by ? h.added_by : "?"));
		for (i = 0; i < h.nhistory; i++) {
			const struct irt_host_change *c = &h.history[i];
			irt_buf_printf(&b, "%s  %-11s  %s", c->time, c->state,
			    irt_esc(c->by ? c->by : "?"));
			if (c->why)
				irt_buf_printf(&b, "  %s", irt_esc(c->why));
			irt_buf_putc(&b, '\n');
		}
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	irt_host_release(&h);
	return rc;
}

/* ---- state ---- */

static const struct irt_opt state_opts[] = {
	{ "message", 'm', IRT_ARG_STRING, "WHY",
	    "why the state changes (required)" },
	{ NULL },
};

static int
host_state_run(struct irt_ctx *ctx, struct irt_args *a)
{
	const struct irt_ident *who;
	const char *why = irt_args_str(a, "message", NULL);

	if (why == NULL || *why == '\0') {
		irt_err("host state: give the reason with -m WHY");
		return EXIT_USAGE;
	}
	if (irt_host_check_state(a->argv[1]) != 0) {
		irt_err("%s", irt_error_last());
		return EXIT_USAGE;
	}
	if ((who = irt_who(ctx)) == NULL ||
	    irt_host_set_state(ctx->kase, a->argv[0], a->argv[1], why,
	        "host-state", false, who, NULL) != 0)
		return irt_fail();
	if (!ctx->quiet)
		fprintf(stderr, "irt: host %s is now %s\n", irt_esc(a->argv[0]),
		    a->argv[1]);
	return EXIT_OK;
}

static const struct irt_subcmd host_subcmds[] = {
	{ .name = "add",
	    .flags = IRT_CMD_NEEDS_CASE,
	    .opts = add_opts,
	    .operands = "NAME",
	    .min_args = 1,
	    .max_args = 1,
	    .run = host_add_run,
	    .summary = "add a host to the case" },
	{ .name = "list",
	    .flags = IRT_CMD_NEEDS_CASE | IRT_CMD_JSON,
	    .min_args = 0,
	    .max_args = 0,
	    .run = host_list_run,
	    .summary = "list the hosts and their states" },
	{ .name = "show",
	    .flags = IRT_CMD_NEEDS_CASE | IRT_CMD_JSON,
	    .operands = "NAME",
	    .min_args = 1,
	    .max_args = 1,
	    .run = host_show_run,
	    .summary = "show a host and its state history" },
	{ .name = "state",
	    .flags = IRT_CMD_NEEDS_CASE,
	    .opts = state_opts,
	    .operands = "NAME STATE",
	    .min_args = 2,
	    .max_args = 2,
	    .run = host_state_run,
	    .summary = "change the state of a host" },
	{ NULL },
};

const struct irt_cmd irt_cmd_host = {
	.name = "host",
	.summary = "the hosts of the incident and their states",
	.subcmds = host_subcmds,
};
