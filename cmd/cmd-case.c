/*
 * irt case: create, inspect, verify and exchange cases.
 */
#include <stdlib.h>
#include <string.h>

#include "irt.h"

static const char init_usage[] =
    "usage: irt case init DIR --id ID --title TEXT [--lead NAME]\n"
    "                     [--tlp clear|green|amber|amber+strict|red]\n"
    "                     [--severity low|medium|high|critical]\n";
static const char show_usage[] = "usage: irt case show [--json]\n";
static const char log_usage[] = "usage: irt case log [--json]\n";
static const char verify_usage[] =
    "usage: irt case verify [--expect COMMIT] [--json]\n";
static const char push_usage[] = "usage: irt case push [REMOTE]\n";
static const char pull_usage[] = "usage: irt case pull [REMOTE]\n";
static const char clone_usage[] = "usage: irt case clone URL [DIR]\n";
static const char upgrade_usage[] = "usage: irt case upgrade\n";

static int
case_init(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "id", required_argument, NULL, 'i' },
		{ "title", required_argument, NULL, 't' },
		{ "lead", required_argument, NULL, 'l' },
		{ "tlp", required_argument, NULL, 'T' },
		{ "severity", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_case_meta meta;
	struct irt_case *c = NULL;
	const struct irt_ident *who;
	char head[IRT_OID_HEX];
	int ch;

	memset(&meta, 0, sizeof meta);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return irt_help(init_usage, false);
		case 'i':
			meta.id = optarg;
			break;
		case 't':
			meta.title = optarg;
			break;
		case 'l':
			meta.lead = optarg;
			break;
		case 'T':
			meta.tlp = optarg;
			break;
		case 's':
			meta.severity = optarg;
			break;
		default:
			return irt_help(init_usage, true);
		}
	}
	if (argc - optind != 1 || meta.id == NULL || meta.title == NULL) {
		if (argc - optind == 1)
			irt_err("case init: --id and --title are required");
		return irt_help(init_usage, true);
	}
	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	if (irt_case_init(&c, argv[optind], &meta, who) != 0)
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
case_show(struct irt_ctx *ctx, int argc, char **argv)
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
	char head[IRT_OID_HEX];
	size_t counts[4], i;
	uint64_t hunts, hits;
	const char *v;
	int rc;

	if ((rc = irt_opts_json(ctx, argc, argv, show_usage, 0, 0)) >= 0)
		return rc;
	kv = irt_case_conf(ctx->kase);
	for (i = 0; dirs[i] != NULL; i++)
		if (count_dir(ctx->kase, dirs[i], exts[i], &counts[i]) != 0)
			return irt_fail();
	if (irt_case_head(ctx->kase, head) != 0 ||
	    irt_hunt_count(ctx->kase, &hunts, &hits) != 0)
		return irt_fail();
	if (ctx->json) {
		irt_buf_puts(&b, "{\"path\":");
		irt_json_str(&b, irt_case_path(ctx->kase));
		for (i = 0; fields[i] != NULL; i++) {
			irt_buf_printf(&b, ",\"%s\":", fields[i]);
			irt_json_str(&b, irt_kv_get(kv, fields[i]));
		}
		for (i = 0; labels[i] != NULL; i++)
			irt_buf_printf(&b, ",\"%s\":%zu", labels[i], counts[i]);
		irt_buf_printf(&b, ",\"hunts\":%llu,\"hunt_hits\":%llu",
		    (unsigned long long)hunts, (unsigned long long)hits);
		irt_buf_printf(&b, ",\"head\":\"%s\"}\n", head);
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
};

static int
log_row(const struct irt_case_logent *e, void *arg)
{
	struct log_state *s = arg;
	char t[IRT_TIME_MAX];

	irt_time_format(t, e->time, 0);
	if (s->ctx->json) {
		irt_buf_printf(s->b,
		    "{\"commit\":\"%s\",\"time\":\"%s\","
		    "\"author\":",
		    e->oid, t);
		irt_json_str(s->b, e->author);
		irt_buf_puts(s->b, ",\"action\":");
		irt_json_str(s->b, e->action);
		irt_buf_puts(s->b, ",\"subject\":");
		irt_json_str(s->b, e->subject);
		irt_buf_puts(s->b, "}\n");
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
case_log(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct log_state s = { ctx, &b };
	int rc;

	if ((rc = irt_opts_json(ctx, argc, argv, log_usage, 0, 0)) >= 0)
		return rc;
	if ((rc = irt_case_log(ctx->kase, NULL, log_row, &s)) != 0) {
		irt_buf_release(&b);
		return rc == IRT_EIO ? EXIT_FAIL : irt_fail();
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

static int
case_verify(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		IRT_LONGOPTS_COMMON,
		{ "expect", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_case_verify_report r;
	struct irt_buf b = IRT_BUF_INIT;
	const char *expect = NULL;
	size_t i;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return irt_help(verify_usage, false);
		case IRT_OPT_JSON:
			ctx->json = true;
			break;
		case 'e':
			expect = optarg;
			break;
		default:
			return irt_help(verify_usage, true);
		}
	}
	if (optind != argc)
		return irt_help(verify_usage, true);
	if (irt_case_verify(ctx->kase, &r, expect) != 0)
		return irt_fail();
	if (ctx->json) {
		irt_buf_printf(&b,
		    "{\"ok\":%s,\"head\":\"%s\",\"commits\":%zu,"
		    "\"objects\":%zu,\"records\":%zu,\"problems\":[",
		    r.nproblems ? "false" : "true", r.head, r.ncommits,
		    r.nobjects, r.nrecords);
		for (i = 0; i < r.nproblems; i++) {
			if (i > 0)
				irt_buf_putc(&b, ',');
			irt_json_str(&b, r.problems[i]);
		}
		irt_buf_puts(&b, "]}\n");
		rc = irt_out(&b);
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
case_pull(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_case_sync_result r;
	const struct irt_ident *who;
	const char *remote;
	int rc;

	if ((rc = irt_opts_json(ctx, argc, argv, pull_usage, 0, 1)) >= 0)
		return rc;
	remote = optind < argc ? argv[optind] : NULL;
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
case_push(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_case_sync_result r;
	const char *remote;
	int rc;

	if ((rc = irt_opts_json(ctx, argc, argv, push_usage, 0, 1)) >= 0)
		return rc;
	remote = optind < argc ? argv[optind] : NULL;
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
case_clone(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_case_sync_result r;
	struct irt_case *c = NULL;
	int rc;

	if ((rc = irt_opts_json(ctx, argc, argv, clone_usage, 1, 2)) >= 0)
		return rc;
	if (irt_case_clone(&c, &r, argv[optind],
	        optind + 1 < argc ? argv[optind + 1] : NULL) != 0)
		return irt_fail();
	if (!ctx->quiet)
		printf("cloned case %s into %s, head %.12s\n",
		    irt_esc(irt_case_id(c)), irt_esc(irt_case_path(c)), r.head);
	irt_case_free(c);
	return EXIT_OK;
}

static int
case_upgrade(struct irt_ctx *ctx, int argc, char **argv)
{
	const struct irt_ident *who;
	char oid[IRT_OID_HEX];
	size_t moved;
	int rc;

	if ((rc = irt_opts_json(ctx, argc, argv, upgrade_usage, 0, 0)) >= 0)
		return rc;
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
	{ "clone", clone_usage, case_clone, 0 },
	{ "init", init_usage, case_init, 0 },
	{ "log", log_usage, case_log, IRT_CMD_NEEDS_CASE },
	{ "pull", pull_usage, case_pull, IRT_CMD_NEEDS_CASE },
	{ "push", push_usage, case_push, IRT_CMD_NEEDS_CASE },
	{ "show", show_usage, case_show, IRT_CMD_NEEDS_CASE },
	{ "upgrade", upgrade_usage, case_upgrade, IRT_CMD_NEEDS_CASE },
	{ "verify", verify_usage, case_verify, IRT_CMD_NEEDS_CASE },
	{ NULL, NULL, NULL, 0 },
};

static int
case_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	return irt_subcmd_dispatch(
	    ctx, &irt_cmd_case, case_subcmds, argc, argv);
}

const struct irt_cmd irt_cmd_case = {
	.name = "case",
	.summary = "create, show, verify and exchange incident cases",
	.usage = "usage: irt case init DIR --id ID --title TEXT [--lead NAME]\n"
	         "                     [--tlp LEVEL] [--severity LEVEL]\n"
	         "       irt case show [--json]\n"
	         "       irt case log [--json]\n"
	         "       irt case verify [--expect COMMIT] [--json]\n"
	         "       irt case push [REMOTE]\n"
	         "       irt case pull [REMOTE]\n"
	         "       irt case clone URL [DIR]\n"
	         "       irt case upgrade\n",
	.exec = case_exec,
	.subcmds = case_subcmds,
};
