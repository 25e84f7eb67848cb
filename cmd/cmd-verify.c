/*
 * irt verify: check an evidence archive without extracting it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irt.h"

static const char verify_usage[] = "usage: irt verify [--json] ARCHIVE\n";

/*
 * The evidence record of the case whose sha256 is the archive's.  When
 * none has it but a record names a file of the same name, the archive
 * is not what was recorded: that is a problem of the report.
 */
static char *
evidence_of(struct irt_ctx *ctx, struct irt_verify_report *r, const char *path)
{
	struct irt_verify_problem *nv;
	struct irt_kv *v;
	const char *s, *base, *name;
	char *id = NULL;
	size_t n, i;

	if (ctx->kase == NULL || irt_evidence_list(ctx->kase, &v, &n) != 0)
		return NULL;
	for (i = 0; i < n && id == NULL; i++)
		if ((s = irt_kv_get(&v[i], "sha256")) != NULL &&
		    strcmp(s, r->sha256) == 0)
			id = strdup(irt_kv_get(&v[i], "id"));
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (i = 0; i < n && id == NULL; i++) {
		if ((name = irt_kv_get(&v[i], "name")) == NULL ||
		    strcmp(name, base) != 0)
			continue;
		nv = realloc(r->problems, (r->nproblems + 1) * sizeof *nv);
		if (nv == NULL)
			break;
		r->problems = nv;
		nv[r->nproblems].kind = strdup("custody");
		nv[r->nproblems].path = NULL;
		if (asprintf(&nv[r->nproblems].detail,
		        "archive sha256 %s, evidence %s says %s", r->sha256,
		        irt_kv_get(&v[i], "id"),
		        irt_kv_get(&v[i], "sha256")) < 0)
			nv[r->nproblems].detail = NULL;
		if (nv[r->nproblems].kind == NULL ||
		    nv[r->nproblems].detail == NULL) {
			free(nv[r->nproblems].kind);
			free(nv[r->nproblems].detail);
			break;
		}
		r->nproblems++;
		break;
	}
	irt_evidence_list_free(v, n);
	return id;
}

static void
json_items(struct irt_buf *b, const struct irt_verify_problem *v, size_t n)
{
	size_t i;

	irt_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		irt_buf_puts(b, i ? ",{\"kind\":" : "{\"kind\":");
		irt_json_str(b, v[i].kind);
		irt_buf_puts(b, ",\"path\":");
		if (v[i].path)
			irt_json_str(b, v[i].path);
		else
			irt_buf_puts(b, "null");
		irt_buf_puts(b, ",\"detail\":");
		irt_json_str(b, v[i].detail);
		irt_buf_putc(b, '}');
	}
	irt_buf_putc(b, ']');
}

static void
text_item(
    struct irt_buf *b, const char *lead, const struct irt_verify_problem *p)
{
	irt_buf_printf(b, "%s%s", lead, p->kind);
	if (p->path)
		irt_buf_printf(b, " '%s'", irt_esc(p->path));
	irt_buf_printf(b, ": %s\n", irt_esc(p->detail));
}

static int
verify_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		IRT_LONGOPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	struct irt_verify_report r;
	struct irt_buf b = IRT_BUF_INIT;
	const char *path, *sc;
	char *evid;
	size_t i;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return irt_help(verify_usage, false);
		case IRT_OPT_JSON:
			ctx->json = true;
			break;
		default:
			return irt_help(verify_usage, true);
		}
	}
	if (argc - optind != 1)
		return irt_help(verify_usage, true);
	path = argv[optind];
	if (irt_archive_verify(&r, path) != 0)
		return irt_fail();
	evid = r.sha256[0] ? evidence_of(ctx, &r, path) : NULL;
	sc = r.sidecar > 0 ? "match" : r.sidecar < 0 ? "mismatch" : "absent";
	if (ctx->json) {
		irt_buf_puts(&b, "{\"archive\":");
		irt_json_str(&b, path);
		irt_buf_printf(&b,
		    ",\"ok\":%s,\"entries\":%llu,\"checked\":%llu,"
		    "\"sha256\":\"%s\",\"sidecar\":\"%s\",\"evidence\":",
		    r.nproblems == 0 ? "true" : "false",
		    (unsigned long long)r.entries,
		    (unsigned long long)r.checked, r.sha256, sc);
		if (evid)
			irt_json_str(&b, evid);
		else
			irt_buf_puts(&b, "null");
		irt_buf_puts(&b, ",\"problems\":");
		json_items(&b, r.problems, r.nproblems);
		irt_buf_puts(&b, ",\"notes\":");
		json_items(&b, r.notes, r.nnotes);
		irt_buf_puts(&b, "}\n");
	} else {
		for (i = 0; i < r.nproblems; i++)
			text_item(&b, "", &r.problems[i]);
		for (i = 0; i < r.nnotes; i++)
			text_item(&b, "note: ", &r.notes[i]);
		if (r.nproblems == 0)
			irt_buf_printf(&b,
			    "ok: %llu entries, %llu hashes match, archive "
			    "sha256 %s (sidecar %s)%s%s\n",
			    (unsigned long long)r.entries,
			    (unsigned long long)r.checked, r.sha256, sc,
			    evid ? ", evidence " : "", evid ? evid : "");
		else
			irt_buf_printf(&b,
			    "FAILED: %zu problem%s in %llu entries, archive "
			    "sha256 %s\n",
			    r.nproblems, r.nproblems == 1 ? "" : "s",
			    (unsigned long long)r.entries, r.sha256);
	}
	rc = irt_out(&b);
	if (rc == EXIT_OK && r.nproblems > 0)
		rc = EXIT_FAIL;
	irt_buf_release(&b);
	free(evid);
	irt_verify_report_release(&r);
	return rc;
}

const struct irt_cmd irt_cmd_verify = {
	.name = "verify",
	.summary = "check an evidence archive against its manifest",
	.usage = verify_usage,
	.exec = verify_exec,
	.flags = IRT_CMD_WANTS_CASE,
};
