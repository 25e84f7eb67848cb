/*
 * irt evidence: evidence items and their chain of custody.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irt.h"

static const struct irt_opt add_opts[] = {
	{ "message", 'm', IRT_ARG_STRING, "TEXT",
	    "a description of the item, kept with the event" },
	{ NULL },
};

static const struct irt_opt import_opts[] = {
	{ "host", 0, IRT_ARG_STRING, "NAME",
	    "refuse the archive unless its irt/host.json names NAME" },
	{ "via", 0, IRT_ARG_STRING, "ROUTE",
	    "how the archive travelled, kept in the custody record" },
	{ "collector", 0, IRT_ARG_STRING, "WHO",
	    "who collected it, \"Name <mail>\" (default: from irt/host.json)" },
	{ "message", 'm', IRT_ARG_STRING, "TEXT",
	    "a description of the item, kept with the event" },
	{ NULL },
};

static const struct irt_opt transfer_opts[] = {
	{ "to", 0, IRT_ARG_STRING, "WHO", "the new holder, \"Name <mail>\"",
	    .flags = IRT_OPT_REQUIRED },
	{ "message", 'm', IRT_ARG_STRING, "TEXT",
	    "a note kept with the event" },
	{ NULL },
};

#define MAX_SHOWN_EVENTS 4096

/* A value of a record that is a count: a number in JSON when it reads
 * as one, else (a record edited by hand) the text. */
static void
json_count(struct irt_jw *w, const char *key, const char *v, size_t len)
{
	long long n;

	if (irt_parse_int(&n, v, 0, INT64_MAX) == 0)
		irt_jw_int(w, key, n);
	else
		irt_jw_strn(w, key, v, len);
}

/* An evidence record as one JSON document; 0 or the writer's error. */
static int
record_json(struct irt_jw *w, const struct irt_kv *kv)
{
	struct irt_evidence_event *ev;
	static const char *const nums[] = { "size", "entries", NULL };
	size_t i, j, n;
	int num;

	irt_jw_object(w, NULL);
	for (i = 0; i < kv->n; i++) {
		const char *k = kv->v[i].key;

		if (strncmp(k, "event.", 6) == 0 ||
		    strncmp(k, "count.", 6) == 0)
			continue;
		for (j = 0, num = 0; nums[j]; j++)
			num |= strcmp(k, nums[j]) == 0;
		if (num)
			json_count(w, k, kv->v[i].value, kv->v[i].value_len);
		else
			irt_jw_strn(w, k, kv->v[i].value, kv->v[i].value_len);
	}
	irt_jw_object(w, "counts");
	for (i = 0; i < kv->n; i++)
		if (strncmp(kv->v[i].key, "count.", 6) == 0)
			json_count(w, kv->v[i].key + 6, kv->v[i].value,
			    kv->v[i].value_len);
	irt_jw_end(w);
	irt_jw_array(w, "events");
	if ((ev = calloc(MAX_SHOWN_EVENTS, sizeof *ev)) != NULL) {
		n = irt_evidence_events(kv, ev, MAX_SHOWN_EVENTS);
		for (i = 0; i < n; i++) {
			irt_jw_object(w, NULL);
			irt_jw_str(w, "time", ev[i].time);
			irt_jw_str(w, "action", ev[i].action);
			irt_jw_str(w, "by", ev[i].by);
			irt_jw_str(w, "to", ev[i].to);
			irt_jw_str(w, "note", ev[i].note);
			irt_jw_end(w);
		}
		free(ev);
	}
	irt_jw_end(w);
	irt_jw_end(w);
	return irt_jw_line(w);
}

static const char *
get(const struct irt_kv *kv, const char *k)
{
	const char *v = irt_kv_get(kv, k);

	return v ? v : "";
}

static int
evidence_list(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	struct irt_kv *v;
	size_t n, i;
	int rc = 0;

	(void)a;
	if (irt_evidence_list(ctx->kase, &v, &n) != 0)
		return irt_fail();
	irt_jw_init(&w, &b);
	for (i = 0; i < n && rc == 0; i++) {
		if (ctx->json) {
			rc = record_json(&w, &v[i]);
			continue;
		}
		irt_buf_printf(&b, "%s  %-10s %12s  %.12s  %s  held by %s\n",
		    irt_esc(get(&v[i], "id")), irt_esc(get(&v[i], "kind")),
		    irt_esc(get(&v[i], "size")), irt_esc(get(&v[i], "sha256")),
		    irt_esc(get(&v[i], "name")), irt_esc(get(&v[i], "holder")));
	}
	irt_evidence_list_free(v, n);
	rc = rc != 0 ? irt_fail() : irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

static int
evidence_show(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_evidence_event *ev;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	struct irt_kv kv;
	size_t i, n;
	int rc = EXIT_OK;

	if (irt_evidence_get(ctx->kase, &kv, a->argv[0]) != 0)
		return irt_fail();
	irt_jw_init(&w, &b);
	if (ctx->json) {
		if (record_json(&w, &kv) != 0)
			rc = irt_fail();
	} else {
		for (i = 0; i < kv.n; i++) {
			if (strncmp(kv.v[i].key, "event.", 6) == 0)
				continue;
			irt_buf_printf(&b, "%-12s ", kv.v[i].key);
			irt_escape_term(&b, kv.v[i].value, kv.v[i].value_len);
			irt_buf_putc(&b, '\n');
		}
		irt_buf_puts(&b, "\ncustody:\n");
		if ((ev = calloc(MAX_SHOWN_EVENTS, sizeof *ev)) != NULL) {
			n = irt_evidence_events(&kv, ev, MAX_SHOWN_EVENTS);
			for (i = 0; i < n; i++) {
				irt_buf_printf(&b, "  %s  %-8s by %s",
				    irt_esc(ev[i].time), irt_esc(ev[i].action),
				    irt_esc(ev[i].by));
				if (ev[i].to)
					irt_buf_printf(
					    &b, " to %s", irt_esc(ev[i].to));
				if (ev[i].note)
					irt_buf_printf(
					    &b, ": %s", irt_esc(ev[i].note));
				irt_buf_putc(&b, '\n');
			}
			free(ev);
		}
	}
	irt_kv_release(&kv);
	if (rc == EXIT_OK)
		rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

static int
evidence_add(struct irt_ctx *ctx, struct irt_args *a)
{
	const struct irt_ident *who;
	char id[32];

	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	if (irt_evidence_add_file(ctx->kase, id, a->argv[0],
	        irt_args_str(a, "message", NULL), who) != 0)
		return irt_fail();
	printf("%s\n", id);
	irt_host_hook(ctx, NULL, NULL, NULL, "evidence");
	return EXIT_OK;
}

static int
evidence_import(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_evidence_import_opts o;
	struct irt_evidence_import_result r;
	const struct irt_ident *who;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	int rc;

	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	memset(&o, 0, sizeof o);
	o.expect_host = irt_args_str(a, "host", NULL);
	o.via = irt_args_str(a, "via", NULL);
	o.collector = irt_args_str(a, "collector", NULL);
	o.message = irt_args_str(a, "message", NULL);
	if (irt_evidence_import(ctx->kase, &r, a->argv[0], &o, who) != 0)
		return irt_fail();
	if (ctx->json) {
		irt_jw_init(&w, &b);
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "id", r.id);
		irt_jw_str(&w, "host", r.host);
		irt_jw_uint(&w, "size", r.size);
		irt_jw_uint(&w, "entries", r.entries);
		irt_jw_str(&w, "sha256", r.sha256);
		irt_jw_bool(&w, "verified", true);
		irt_jw_end(&w);
		rc = irt_jw_line(&w) != 0 ? irt_fail() : irt_out(&b);
		irt_buf_release(&b);
	} else {
		printf("%s\n", r.id);
		rc = EXIT_OK;
	}
	irt_host_hook(ctx, r.host, NULL, NULL, "evidence");
	return rc;
}

static int
evidence_transfer(struct irt_ctx *ctx, struct irt_args *a)
{
	const struct irt_ident *who;

	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	if (irt_evidence_transfer(ctx->kase, a->argv[0],
	        irt_args_str(a, "to", NULL), irt_args_str(a, "message", NULL),
	        who) != 0)
		return irt_fail();
	return EXIT_OK;
}

static const struct irt_subcmd evidence_subcmds[] = {
	{ "add", "hash a file and record it as an evidence item",
	    IRT_CMD_NEEDS_CASE, add_opts, "FILE", 1, 1, evidence_add, "file" },
	{ "import", "verify an archive from another host and record it",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, import_opts, "ARCHIVE", 1, 1,
	    evidence_import, "file" },
	{ "list", "list the evidence items", IRT_CMD_NEEDS_CASE | IRT_CMD_JSON,
	    NULL, NULL, 0, 0, evidence_list },
	{ "show", "print an item and its custody events",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, NULL, "ID", 1, 1, evidence_show,
	    "evidence" },
	{ "transfer", "hand an item over to another holder", IRT_CMD_NEEDS_CASE,
	    transfer_opts, "ID", 1, 1, evidence_transfer, "evidence" },
	{ NULL },
};

const struct irt_cmd irt_cmd_evidence = {
	.name = "evidence",
	.summary =
	    "list, show, add, import and transfer evidence (chain of custody)",
	.subcmds = evidence_subcmds,
};
