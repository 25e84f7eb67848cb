/*
 * irt verify: check an evidence archive without extracting it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irt.h"

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
json_items(struct irt_jw *w, const char *key,
    const struct irt_verify_problem *v, size_t n)
{
	size_t i;

	irt_jw_array(w, key);
	for (i = 0; i < n; i++) {
		irt_jw_object(w, NULL);
		irt_jw_str(w, "kind", v[i].kind);
		irt_jw_str(w, "path", v[i].path);
		irt_jw_str(w, "detail", v[i].detail);
		irt_jw_end(w);
	}
	irt_jw_end(w);
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
verify_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_verify_report r;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	const char *path = a->argv[0], *sc;
	char *evid;
	size_t i;
	int rc = EXIT_OK;

	if (irt_archive_verify(&r, path) != 0)
		return irt_fail();
	evid = r.sha256[0] ? evidence_of(ctx, &r, path) : NULL;
	sc = r.sidecar > 0 ? "match" : r.sidecar < 0 ? "mismatch" : "absent";
	if (ctx->json) {
		irt_jw_init(&w, &b);
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "archive", path);
		irt_jw_bool(&w, "ok", r.nproblems == 0);
		irt_jw_uint(&w, "entries", (unsigned long long)r.entries);
		irt_jw_uint(&w, "checked", (unsigned long long)r.checked);
		irt_jw_str(&w, "sha256", r.sha256);
		irt_jw_str(&w, "sidecar", sc);
		irt_jw_str(&w, "evidence", evid);
		json_items(&w, "problems", r.problems, r.nproblems);
		json_items(&w, "notes", r.notes, r.nnotes);
		irt_jw_end(&w);
		if (irt_jw_line(&w) != 0)
			rc = irt_fail();
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
	if (rc == EXIT_OK)
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
	.flags = IRT_CMD_WANTS_CASE | IRT_CMD_JSON,
	.operands = "ARCHIVE",
	.min_args = 1,
	.max_args = 1,
	.run = verify_run,
	.complete = "file",
};
