/*
 * irt case: create, inspect, verify and exchange cases.
 */
#include <stdlib.h>
#include <string.h>

#include "irt.h"

static const char *const tlp_levels[] = { "clear", "green", "amber",
	"amber+strict", "red", NULL };
static const char *const severities[] = { "low", "medium", "high", "critical",
	NULL };

static const struct irt_opt init_opts[] = {
	{ "id", 0, IRT_ARG_STRING, "ID", "the case id",
	    .flags = IRT_OPT_REQUIRED },
	{ "title", 0, IRT_ARG_STRING, "TEXT", "a one-line title",
	    .flags = IRT_OPT_REQUIRED },
	{ "lead", 0, IRT_ARG_STRING, "NAME", "the incident lead" },
	{ "tlp", 0, IRT_ARG_ENUM, "LEVEL", "the Traffic Light Protocol level",
	    .values = tlp_levels },
	{ "severity", 0, IRT_ARG_ENUM, "LEVEL", "the severity",
	    .values = severities },
	{ NULL },
};

static const struct irt_opt verify_opts[] = {
	{ "expect", 0, IRT_ARG_STRING, "COMMIT",
	    "a head recorded earlier, which must be in the history" },
	{ NULL },
};

static int
case_init(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_case_meta meta;
	struct irt_case *c = NULL;
	const struct irt_ident *who;
	char head[IRT_OID_HEX];

	memset(&meta, 0, sizeof meta);
	meta.id = irt_args_str(a, "id", NULL);
	meta.title = irt_args_str(a, "title", NULL);
	meta.lead = irt_args_str(a, "lead", NULL);
	meta.tlp = irt_args_str(a, "tlp", NULL);
	meta.severity = irt_args_str(a, "severity", NULL);
	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	if (irt_case_init(&c, a->argv[0], &meta, who) != 0)
		return irt_fail();
	irt_case_head(c, head);
	if (!ctx->quiet)
		printf("created case %s in %s\n", irt_esc(irt_case_id(c)),
		    irt_esc(irt_case_path(c)));
	irt_case_free(c);
	return EXIT_OK;
}

/* The records of a folder: sharded ones when ext is set. */
static int
count_dir(struct irt_case *c, const char *dir, const char *ext, size_t *n)
{
	char **v;
	size_t i;

	if ((ext ? irt_case_record_ids(c, &v, dir, ext)
	         : irt_case_list(c, &v, dir)) != 0)
		return -1;
	for (i = 0; v[i] != NULL; i++)
		;
	irt_strv_free(v);
	*n = i;
	return 0;
}

static int
case_show(struct irt_ctx *ctx, struct irt_args *a)
{
	static const char *const fields[] = { "id", "title", "lead", "tlp",
		"severity", "created", "created_by", NULL };
	static const char *const dirs[] = { "notes", IRT_EVIDENCE_DIR,
		"checklists", "runs", NULL };
	static const char *const labels[] = { "notes", "evidence", "checklists",
		"runs", NULL };
	static const char *const exts[] = { ".md", IRT_EVIDENCE_SUFFIX, NULL,
		"/record" };
	const struct irt_kv *kv;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	char head[IRT_OID_HEX];
	size_t counts[4], i;
	uint64_t hunts, hits;
	const char *v;
	int rc;

	(void)a;
	kv = irt_case_conf(ctx->kase);
	for (i = 0; dirs[i] != NULL; i++)
		if (count_dir(ctx->kase, dirs[i], exts[i], &counts[i]) != 0)
			return irt_fail();
	if (irt_case_head(ctx->kase, head) != 0 ||
	    irt_hunt_count(ctx->kase, &hunts, &hits) != 0)
		return irt_fail();
	if (ctx->json) {
		irt_jw_init(&w, &b);
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "path", irt_case_path(ctx->kase));
		for (i = 0; fields[i] != NULL; i++)
			irt_jw_str(&w, fields[i], irt_kv_get(kv, fields[i]));
		for (i = 0; labels[i] != NULL; i++)
			irt_jw_uint(&w, labels[i], counts[i]);
		irt_jw_uint(&w, "hunts", hunts);
		irt_jw_uint(&w, "hunt_hits", hits);
		irt_jw_str(&w, "head", head);
		irt_jw_end(&w);
		if (irt_jw_line(&w) != 0) {
			irt_buf_release(&b);
			return irt_fail();
		}
	} else {
		for (i = 0; fields[i] != NULL; i++) {
			if ((v = irt_kv_get(kv, fields[i])) == NULL)
				continue;
			irt_buf_printf(&b, "%-11s %s\n", fields[i], irt_esc(v));
		}
		irt_buf_printf(&b, "%-11s %s\n", "path",
		    irt_esc(irt_case_path(ctx->kase)));
		for (i = 0; labels[i] != NULL; i++)
			irt_buf_printf(&b, "%-11s %zu\n", labels[i], counts[i]);
		irt_buf_printf(&b, "%-11s %llu (%llu hits)\n", "hunts",
		    (unsigned long long)hunts, (unsigned long long)hits);
		irt_buf_printf(&b, "%-11s %s\n", "head", head);
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

struct log_state {
	struct irt_ctx *ctx;
	struct irt_buf *b;
	struct irt_jw w;
};

static int
log_row(const struct irt_case_logent *e, void *arg)
{
	struct log_state *s = arg;
	char t[IRT_TIME_MAX];

	irt_time_format(t, e->time, 0);
	if (s->ctx->json) {
		irt_jw_object(&s->w, NULL);
		irt_jw_str(&s->w, "commit", e->oid);
		irt_jw_str(&s->w, "time", t);
		irt_jw_str(&s->w, "author", e->author);
		irt_jw_str(&s->w, "action", e->action);
		irt_jw_str(&s->w, "subject", e->subject);
		irt_jw_end(&s->w);
		if (irt_jw_line(&s->w) != 0)
			return irt_error_code();
	} else {
		irt_buf_printf(s->b, "%.12s  %s  %-14s  ", e->oid, t,
		    e->action[0] ? irt_esc(e->action) : "-");
		irt_buf_printf(s->b, "%s  ", irt_esc(e->author));
		irt_buf_printf(s->b, "%s\n", irt_esc(e->subject));
	}
	if (s->b->len > 65536) {
		if (irt_out(s->b) != EXIT_OK)
			return IRT_EIO;
		irt_buf_clear(s->b);
	}
	return 0;
}

static int
case_log(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct log_state s = { ctx, &b };
	int rc;

	(void)a;
	irt_jw_init(&s.w, &b);
	if ((rc = irt_case_log(ctx->kase, NULL, log_row, &s)) != 0) {
		irt_buf_release(&b);
		return rc == IRT_EIO ? EXIT_FAIL : irt_fail();
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

static int
case_verify(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_case_verify_report r;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	size_t i;
	int rc;

	if (irt_case_verify(ctx->kase, &r, irt_args_str(a, "expect", NULL)) !=
	    0)
		return irt_fail();
	if (ctx->json) {
		irt_jw_init(&w, &b);
		irt_jw_object(&w, NULL);
		irt_jw_bool(&w, "ok", r.nproblems == 0);
		irt_jw_str(&w, "head", r.head);
		irt_jw_uint(&w, "commits", r.ncommits);
		irt_jw_uint(&w, "objects", r.nobjects);
		irt_jw_uint(&w, "records", r.nrecords);
		irt_jw_array(&w, "problems");
		for (i = 0; i < r.nproblems; i++)
			irt_jw_str(&w, NULL, r.problems[i]);
		irt_jw_end(&w);
		irt_jw_end(&w);
		rc = irt_jw_line(&w) != 0 ? irt_fail() : irt_out(&b);
	} else {
		for (i = 0; i < r.nproblems; i++)
			irt_err("verify: %s", r.problems[i]);
		if (r.nproblems == 0 && !ctx->quiet)
			printf("case %s verified: %zu commits, %zu objects, "
			       "%zu records, head %s\n",
			    irt_esc(irt_case_id(ctx->kase)), r.ncommits,
			    r.nobjects, r.nrecords, r.head);
		else if (r.nproblems > 0)
			irt_err("case %s FAILED verification: %zu problem%s",
			    irt_esc(irt_case_id(ctx->kase)), r.nproblems,
			    r.nproblems == 1 ? "" : "s");
		rc = EXIT_OK;
	}
	if (rc == EXIT_OK && r.nproblems > 0)
		rc = EXIT_FAIL;
	irt_case_verify_report_release(&r);
	irt_buf_release(&b);
	return rc;
}

static int
case_pull(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_case_sync_result r;
	const struct irt_ident *who;
	const char *remote = a->argc > 0 ? a->argv[0] : NULL;

	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	if (irt_case_pull(ctx->kase, &r, remote, who) != 0)
		return irt_fail();
	if (!ctx->quiet)
		printf("%s: %.12s\n",
		    r.up_to_date         ? "up to date"
		        : r.fast_forward ? "fast-forward"
		                         : "merged",
		    r.head);
	return EXIT_OK;
}

static int
case_push(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_case_sync_result r;
	const char *remote = a->argc > 0 ? a->argv[0] : NULL;

	if (irt_case_push(ctx->kase, &r, remote) != 0)
		return irt_fail();
	if (!ctx->quiet) {
		char *url = NULL;

		printf("pushed %.12s\n", r.head);
		/* a bare repository made by plain git names "master" as its
		 * HEAD: git clone alone would check out nothing */
		if (irt_case_remote_url(ctx->kase, &url, remote) == 0)
			printf("clone it with: irt case clone %s\n"
			       "   or plain git: git clone -b main %s\n",
			    irt_esc(url), irt_esc(url));
		free(url);
	}
	return EXIT_OK;
}

static int
case_clone(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_case_sync_result r;
	struct irt_case *c = NULL;

	if (irt_case_clone(
	        &c, &r, a->argv[0], a->argc > 1 ? a->argv[1] : NULL) != 0)
		return irt_fail();
	if (!ctx->quiet)
		printf("cloned case %s into %s, head %.12s\n",
		    irt_esc(irt_case_id(c)), irt_esc(irt_case_path(c)), r.head);
	irt_case_free(c);
	return EXIT_OK;
}

static int
case_upgrade(struct irt_ctx *ctx, struct irt_args *a)
{
	const struct irt_ident *who;
	char oid[IRT_OID_HEX];
	size_t moved;

	(void)a;
	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	oid[0] = '\0';
	if (irt_case_upgrade(ctx->kase, &moved, oid, who) != 0)
		return irt_fail();
	if (ctx->quiet)
		return EXIT_OK;
	if (oid[0] == '\0')
		printf("case %s is up to date (format %s)\n",
		    irt_esc(irt_case_id(ctx->kase)), IRT_CASE_FORMAT);
	else
		printf("upgraded case %s to format %s: %zu records moved, "
		       "commit %.12s\n",
		    irt_esc(irt_case_id(ctx->kase)), IRT_CASE_FORMAT, moved,
		    oid);
	return EXIT_OK;
}

static const struct irt_subcmd case_subcmds[] = {
	{ "clone", "clone a case from a git remote, its main branch", 0, NULL,
	    "URL [DIR]", 1, 2, case_clone, "- file" },
	{ "init", "create a case in a new directory", 0, init_opts, "DIR", 1, 1,
	    case_init, "file" },
	{ "log", "print the audit trail, newest first",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, NULL, NULL, 0, 0, case_log },
	{ "pull", "fetch the case from a remote and merge", IRT_CMD_NEEDS_CASE,
	    NULL, "[REMOTE]", 0, 1, case_pull },
	{ "push", "send the case to a git remote", IRT_CMD_NEEDS_CASE, NULL,
	    "[REMOTE]", 0, 1, case_push },
	{ "show", "print the metadata and counts of the case",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, NULL, NULL, 0, 0, case_show },
	{ "upgrade", "move the records of an older case to today's layout",
	    IRT_CMD_NEEDS_CASE, NULL, NULL, 0, 0, case_upgrade },
	{ "verify", "check every object, record and the history",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, verify_opts, NULL, 0, 0,
	    case_verify },
	{ NULL },
};

const struct irt_cmd irt_cmd_case = {
	.name = "case",
	.summary = "create, show, verify and exchange incident cases",
	.subcmds = case_subcmds,
};
