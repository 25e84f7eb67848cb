/*
 * irt event: the incident timeline, the events that tell what the
 * attacker did and when.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "irt.h"

/* ---- add ---- */

static const struct irt_opt add_opts[] = {
	{ "at", 0, IRT_ARG_DATE, "TIME",
	    "when it happened (UTC unless a zone "
	    "is given)" },
	{ "from-hit", 0, IRT_ARG_STRING, "HIT",
	    "make it from a recorded hunt hit (irt event hits)" },
	{ "host", 0, IRT_ARG_STRING, "NAME", "the host it happened on" },
	{ "technique", 0, IRT_ARG_STRING, "T",
	    "a MITRE ATT&CK technique (T1059.004)", .flags = IRT_OPT_REPEAT },
	{ "ioc", 0, IRT_ARG_STRING, "ID", "an IOC it shows",
	    .flags = IRT_OPT_REPEAT, .complete = "ioc" },
	{ "evidence", 0, IRT_ARG_STRING, "ID", "evidence that shows it",
	    .flags = IRT_OPT_REPEAT, .complete = "evidence" },
	{ "hit", 0, IRT_ARG_STRING, "HIT", "a hunt hit that shows it",
	    .flags = IRT_OPT_REPEAT },
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "what happened" },
	{ NULL },
};

static int
add_links(struct irt_event *e, const struct irt_args *a)
{
	static const char *const names[] = { "technique", "ioc", "evidence",
		"hit" };
	struct irt_strlist *lists[] = { &e->techniques, &e->iocs, &e->evidence,
		&e->hits };
	size_t i, k;

	for (i = 0; i < 4; i++)
		for (k = 0; k < irt_args_count(a, names[i]); k++)
			if (irt_strlist_add(
			        lists[i], irt_args_nth(a, names[i], k)) != 0)
				return -1;
	return 0;
}

static int
event_add_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_event e;
	const struct irt_ident *who;
	const char *hit = irt_args_str(a, "from-hit", NULL);
	const char *text = irt_args_str(a, "message", NULL);
	const char *host = irt_args_str(a, "host", NULL);
	char id[32];
	int rc = EXIT_OK;

	if (!irt_args_has(a, "at") && hit == NULL) {
		irt_err("event add: give the time with --at TIME, or "
		        "--from-hit HIT");
		return EXIT_USAGE;
	}
	if (hit == NULL && text == NULL) {
		irt_err("event add: say what happened with -m TEXT");
		return EXIT_USAGE;
	}
	memset(&e, 0, sizeof e);
	if ((host != NULL && (e.host = strdup(host)) == NULL) ||
	    (text != NULL && (e.text = strdup(text)) == NULL) ||
	    add_links(&e, a) != 0) {
		irt_event_release(&e);
		irt_err("out of memory");
		return EXIT_FAIL;
	}
	if (hit != NULL && irt_event_from_hit(ctx->kase, &e, hit) != 0) {
		irt_event_release(&e);
		return irt_fail();
	}
	if (irt_args_has(a, "at"))
		e.at = irt_args_date(a, "at", 0);
	if ((who = irt_who(ctx)) == NULL ||
	    irt_event_add(ctx->kase, id, &e, who) != 0)
		rc = irt_fail();
	else
		printf("%s\n", id);
	irt_event_release(&e);
	return rc;
}

/* ---- list, show ---- */

static void
json_list(struct irt_jw *j, const char *key, const struct irt_strlist *l)
{
	size_t i;

	irt_jw_array(j, key);
	for (i = 0; i < l->n; i++)
		irt_jw_str(j, NULL, l->v[i]);
	irt_jw_end(j);
}

static void
event_json(struct irt_jw *j, const struct irt_event *e)
{
	char at[IRT_TIME_MAX];
	size_t i;

	irt_jw_object(j, NULL);
	irt_jw_str(j, "id", e->id);
	irt_jw_str(j, "at", irt_time_format(at, e->at, -1));
	irt_jw_str(j, "host", e->host);
	irt_jw_array(j, "techniques");
	for (i = 0; i < e->techniques.n; i++) {
		const char *t = e->techniques.v[i];
		irt_jw_object(j, NULL);
		irt_jw_str(j, "id", t);
		irt_jw_str(j, "name", irt_attack_name(t));
		irt_jw_str(j, "tactic", irt_attack_tactic(t));
		irt_jw_end(j);
	}
	irt_jw_end(j);
	json_list(j, "iocs", &e->iocs);
	json_list(j, "evidence", &e->evidence);
	json_list(j, "hits", &e->hits);
	irt_jw_str(j, "text", e->text);
	irt_jw_str(j, "added", e->added);
	irt_jw_str(j, "added_by", e->added_by);
	irt_jw_str(j, "edited", e->edited);
	irt_jw_str(j, "edited_by", e->edited_by);
	irt_jw_str(j, "status", e->retired ? "retired" : "active");
	irt_jw_str(j, "retired", e->retired_at);
	irt_jw_str(j, "retired_by", e->retired_by);
	irt_jw_str(j, "retired_why", e->retired_why);
	irt_jw_end(j);
}

/* "T1059.004 (Execution)" for each technique, comma separated. */
static void
techniques(struct irt_buf *b, const struct irt_event *e)
{
	size_t i;

	for (i = 0; i < e->techniques.n; i++) {
		const char *tac = irt_attack_tactic(e->techniques.v[i]);
		irt_buf_printf(b, "%s%s", i ? "," : "", e->techniques.v[i]);
		if (tac != NULL)
			irt_buf_printf(b, " (%s)", tac);
	}
	if (e->techniques.n == 0)
		irt_buf_putc(b, '-');
}

static const struct irt_opt list_opts[] = {
	{ "all", 0, IRT_ARG_NONE, NULL, "retired events too" },
	{ "host", 0, IRT_ARG_STRING, "NAME", "only the events of this host" },
	{ NULL },
};

static int
event_list_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_event *v;
	struct irt_buf b = IRT_BUF_INIT, t = IRT_BUF_INIT;
	struct irt_jw j;
	const char *host = irt_args_str(a, "host", NULL);
	char at[IRT_TIME_MAX];
	size_t n, i;
	int rc;

	if (irt_event_list(ctx->kase, &v, &n, irt_args_has(a, "all")) != 0)
		return irt_fail();
	irt_case_warnings_print(ctx);
	irt_jw_init(&j, &b);
	if (ctx->json)
		irt_jw_array(&j, NULL);
	for (i = 0; i < n; i++) {
		if (host != NULL &&
		    (v[i].host == NULL || strcmp(v[i].host, host) != 0))
			continue;
		if (ctx->json) {
			event_json(&j, &v[i]);
			continue;
		}
		irt_buf_clear(&t);
		techniques(&t, &v[i]);
		irt_buf_printf(&b, "%s  %s  %s  %s  %s%s\n",
		    irt_time_format(at, v[i].at, -1), v[i].id,
		    irt_esc(v[i].host ? v[i].host : "-"), irt_esc(t.ptr),
		    irt_esc(v[i].text), v[i].retired ? "  [retired]" : "");
	}
	if (ctx->json) {
		irt_jw_end(&j);
		irt_jw_line(&j);
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	irt_buf_release(&t);
	irt_event_list_free(v, n);
	return rc;
}

static int
event_show_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_event e;
	struct irt_buf b = IRT_BUF_INIT, t = IRT_BUF_INIT;
	char at[IRT_TIME_MAX];
	size_t i;
	int rc;

	if (irt_event_get(ctx->kase, &e, a->argv[0]) != 0)
		return irt_fail();
	if (ctx->json) {
		struct irt_jw j;
		irt_jw_init(&j, &b);
		event_json(&j, &e);
		irt_jw_line(&j);
	} else {
		techniques(&t, &e);
		irt_buf_printf(&b, "id          %s\n", e.id);
		irt_buf_printf(
		    &b, "at          %s\n", irt_time_format(at, e.at, -1));
		irt_buf_printf(
		    &b, "host        %s\n", irt_esc(e.host ? e.host : "-"));
		irt_buf_printf(&b, "technique   %s\n", irt_esc(t.ptr));
		for (i = 0; i < e.iocs.n; i++)
			irt_buf_printf(
			    &b, "ioc         %s\n", irt_esc(e.iocs.v[i]));
		for (i = 0; i < e.evidence.n; i++)
			irt_buf_printf(
			    &b, "evidence    %s\n", irt_esc(e.evidence.v[i]));
		for (i = 0; i < e.hits.n; i++)
			irt_buf_printf(
			    &b, "hit         %s\n", irt_esc(e.hits.v[i]));
		irt_buf_printf(
		    &b, "status      %s\n", e.retired ? "retired" : "active");
		irt_buf_printf(&b, "added       %s by %s\n", e.added,
		    irt_esc(e.added_by ? e.added_by : "?"));
		if (e.edited)
			irt_buf_printf(&b, "edited      %s by %s\n", e.edited,
			    irt_esc(e.edited_by ? e.edited_by : "?"));
		if (e.retired_at)
			irt_buf_printf(&b, "retired     %s by %s: %s\n",
			    e.retired_at,
			    irt_esc(e.retired_by ? e.retired_by : "?"),
			    irt_esc(e.retired_why ? e.retired_why : ""));
		irt_buf_printf(&b, "\n%s\n", irt_esc(e.text));
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	irt_buf_release(&t);
	irt_event_release(&e);
	return rc;
}

/* ---- edit, retire ---- */

static const struct irt_opt edit_opts[] = {
	{ "at", 0, IRT_ARG_DATE, "TIME", "when it happened" },
	{ "host", 0, IRT_ARG_STRING, "NAME", "the host it happened on" },
	{ "technique", 0, IRT_ARG_STRING, "T",
	    "replace the techniques with these", .flags = IRT_OPT_REPEAT },
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "what happened" },
	{ NULL },
};

static int
event_edit_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_event e;
	const struct irt_ident *who;
	const char *host = irt_args_str(a, "host", NULL);
	const char *text = irt_args_str(a, "message", NULL);
	size_t i, nt = irt_args_count(a, "technique");
	int rc = EXIT_OK;

	if (!irt_args_has(a, "at") && host == NULL && text == NULL && nt == 0) {
		irt_err("event edit: nothing to change (--at, --host, "
		        "--technique, -m)");
		return EXIT_USAGE;
	}
	if (irt_event_get(ctx->kase, &e, a->argv[0]) != 0)
		return irt_fail();
	if (irt_args_has(a, "at"))
		e.at = irt_args_date(a, "at", 0);
	if (host != NULL) {
		free(e.host);
		e.host = strdup(host);
	}
	if (text != NULL) {
		free(e.text);
		e.text = strdup(text);
	}
	if (nt > 0) {
		irt_strlist_release(&e.techniques);
		for (i = 0; i < nt; i++)
			irt_strlist_add(
			    &e.techniques, irt_args_nth(a, "technique", i));
	}
	if ((who = irt_who(ctx)) == NULL ||
	    irt_event_update(ctx->kase, &e, "event-edit", who) != 0)
		rc = irt_fail();
	else if (!ctx->quiet)
		fprintf(stderr, "irt: event %s edited\n", e.id);
	irt_event_release(&e);
	return rc;
}

static const struct irt_opt retire_opts[] = {
	{ "message", 'm', IRT_ARG_STRING, "WHY",
	    "why it is no longer part of the story (required)" },
	{ NULL },
};

static int
event_retire_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_event e;
	const struct irt_ident *who;
	const char *why = irt_args_str(a, "message", NULL);
	int rc = EXIT_OK;

	if (why == NULL || *why == '\0') {
		irt_err("event retire: give the reason with -m WHY");
		return EXIT_USAGE;
	}
	if (irt_event_get(ctx->kase, &e, a->argv[0]) != 0)
		return irt_fail();
	if (e.retired) {
		irt_err("event %s is already retired", e.id);
		irt_event_release(&e);
		return EXIT_FAIL;
	}
	free(e.retired_why);
	e.retired_why = strdup(why);
	if ((who = irt_who(ctx)) == NULL ||
	    irt_event_update(ctx->kase, &e, "event-retire", who) != 0)
		rc = irt_fail();
	else if (!ctx->quiet)
		fprintf(stderr, "irt: event %s retired\n", e.id);
	irt_event_release(&e);
	return rc;
}

/* ---- hits: the recorded hunt hits and their ids ---- */

struct hits {
	struct irt_ctx *ctx;
	struct irt_buf *out;
	struct irt_jw *j;
};

static int
hits_one(const struct irt_case_record *r, void *arg)
{
	struct hits *h = arg;
	struct irt_buf path = IRT_BUF_INIT, data = IRT_BUF_INIT;
	const char *p, *end, *nl;
	unsigned long line = 0;

	irt_buf_put(&path, r->path, strlen(r->path) - strlen("record"));
	irt_buf_puts(&path, "hits.jsonl");
	if (irt_case_read(h->ctx->kase, &data, path.ptr) != 0) {
		irt_warn("%s", irt_error_last());
		goto out;
	}
	for (p = data.ptr, end = p + data.len; p < end; p = nl + 1) {
		json_object *o;
		const char *v;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		line++;
		if ((o = irt_json_object(p, (size_t)(nl - p))) == NULL) {
			irt_warn("%s:%lu: not JSON", irt_esc(path.ptr), line);
			continue;
		}
		if (h->ctx->json) {
			char hit[128];
			snprintf(hit, sizeof hit, "%s:%lu", r->id, line);
			irt_jw_object(h->j, NULL);
			irt_jw_str(h->j, "hit", hit);
			/* a pulled case's record: escaped again */
			irt_jw_json(h->j, "record", o);
			irt_jw_end(h->j);
		} else {
			const char *t = irt_json_get_str(o, "time"),
			           *hn = irt_json_get_str(o, "host");
			const char *k = irt_json_get_str(o, "kind"),
			           *ti = irt_json_get_str(o, "title");
			irt_buf_printf(h->out, "%s:%lu  %s  ", r->id, line,
			    irt_esc(t ? t : "-"));
			irt_buf_printf(h->out, "%s  %s ",
			    irt_esc(hn ? hn : "-"), irt_esc(k ? k : "?"));
			irt_buf_puts(h->out, irt_esc(ti ? ti : "?"));
			if ((v = irt_json_get_str(o, "location")) != NULL)
				irt_buf_printf(h->out, "  %s", irt_esc(v));
			irt_buf_putc(h->out, '\n');
		}
		json_object_put(o);
	}
out:
	irt_buf_release(&path);
	irt_buf_release(&data);
	return 0;
}

static int
event_hits_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw j;
	struct hits h = { ctx, &b, &j };
	int rc;

	(void)a;
	irt_jw_init(&j, &b);
	if (ctx->json)
		irt_jw_array(&j, NULL);
	if (irt_case_foreach_record(
	        ctx->kase, "hunts", "/record", hits_one, &h) != 0) {
		irt_buf_release(&b);
		return irt_fail();
	}
	irt_case_warnings_print(ctx);
	if (ctx->json) {
		irt_jw_end(&j);
		irt_jw_line(&j);
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

static const struct irt_subcmd event_subcmds[] = {
	{ .name = "add",
	    .flags = IRT_CMD_NEEDS_CASE,
	    .opts = add_opts,
	    .min_args = 0,
	    .max_args = 0,
	    .run = event_add_run,
	    .summary = "add an event to the incident timeline" },
	{ .name = "list",
	    .flags = IRT_CMD_NEEDS_CASE | IRT_CMD_JSON,
	    .opts = list_opts,
	    .min_args = 0,
	    .max_args = 0,
	    .run = event_list_run,
	    .summary = "the incident timeline, by the time of each event" },
	{ .name = "show",
	    .flags = IRT_CMD_NEEDS_CASE | IRT_CMD_JSON,
	    .operands = "ID",
	    .min_args = 1,
	    .max_args = 1,
	    .run = event_show_run,
	    .summary = "show one event" },
	{ .name = "edit",
	    .flags = IRT_CMD_NEEDS_CASE,
	    .opts = edit_opts,
	    .operands = "ID",
	    .min_args = 1,
	    .max_args = 1,
	    .run = event_edit_run,
	    .summary = "change an event; the history keeps the old one" },
	{ .name = "retire",
	    .flags = IRT_CMD_NEEDS_CASE,
	    .opts = retire_opts,
	    .operands = "ID",
	    .min_args = 1,
	    .max_args = 1,
	    .run = event_retire_run,
	    .summary = "take an event out of the story; it stays in history" },
	{ .name = "hits",
	    .flags = IRT_CMD_NEEDS_CASE | IRT_CMD_JSON,
	    .min_args = 0,
	    .max_args = 0,
	    .run = event_hits_run,
	    .summary =
	        "the recorded hunt hits, with the ids --from-hit takes" },
	{ NULL },
};

const struct irt_cmd irt_cmd_event = {
	.name = "event",
	.summary = "the incident timeline: what the attacker did and when",
	.subcmds = event_subcmds,
};
