/*
 * irt stack: one field counted across the hosts of the case's evidence
 * archives, least frequent first, with the hosts that have each value.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <irt/escape.h>
#include <irt/evidence.h>
#include <irt/json.h>
#include <irt/stack.h>

#include "irt.h"

static const struct irt_opt stack_opts[] = {
	{ "list", 0, IRT_ARG_NONE, NULL,
	    "name the fields and where each is read from",
	    .flags = IRT_OPT_ALONE },
	{ "host", 0, IRT_ARG_STRING, "NAME", "only the archives of host NAME",
	    .flags = IRT_OPT_REPEAT },
	{ NULL },
};

static bool
archive_name(const char *p)
{
	size_t n = strlen(p);

	return (n > 7 && strcmp(p + n - 7, ".tar.gz") == 0) ||
	    (n > 4 && strcmp(p + n - 4, ".tgz") == 0);
}

static int
add_archive(struct irt_case_archive **v, size_t *n, size_t *cap,
    const char *path, const char *host, const char *id)
{
	struct irt_case_archive *e;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct irt_case_archive *nv = realloc(*v, c * sizeof *nv);
		if (nv == NULL)
			return -1;
		*v = nv;
		*cap = c;
	}
	e = &(*v)[*n];
	memset(e, 0, sizeof *e);
	if ((e->path = strdup(path)) == NULL ||
	    (host != NULL && (e->host = strdup(host)) == NULL) ||
	    (id != NULL && (e->id = strdup(id)) == NULL)) {
		free(e->path);
		free(e->host);
		return -1;
	}
	(*n)++;
	return 0;
}

static bool
known(const struct irt_case_archive *v, size_t n, const char *path)
{
	char *rp = realpath(path, NULL);
	bool found = false;
	size_t i;

	for (i = 0; i < n && rp != NULL && !found; i++) {
		char *q = realpath(v[i].path, NULL);
		found = q != NULL && strcmp(q, rp) == 0;
		free(q);
	}
	free(rp);
	return found;
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(((const struct irt_case_archive *)a)->path,
	    ((const struct irt_case_archive *)b)->path);
}

int
irt_case_archives(
    struct irt_ctx *ctx, struct irt_case_archive **out, size_t *nout)
{
	struct irt_case_archive *v = NULL;
	struct irt_kv *recs = NULL;
	size_t nrec = 0, n = 0, cap = 0, i, first;
	char *dir = NULL;
	DIR *d;
	struct dirent *de;
	int rc = EXIT_OK;

	*out = NULL;
	*nout = 0;
	if (irt_evidence_list(ctx->kase, &recs, &nrec) != 0)
		return irt_fail();
	irt_case_warnings_print(ctx);
	/* the custody records first, oldest first */
	for (i = 0; i < nrec; i++) {
		const char *kind = irt_kv_get(&recs[i], "kind");
		const char *path = irt_kv_get(&recs[i], "path");
		const char *host = irt_kv_get(&recs[i], "host");
		const char *id = irt_kv_get(&recs[i], "id");
		struct stat st;
		if (path == NULL || !archive_name(path))
			continue;
		if (stat(path, &st) != 0) {
			irt_warn("evidence %s: '%s' is not here, left out",
			    irt_esc(id), irt_esc(path));
			continue;
		}
		/* the host of a collection record is the archive's own */
		if (kind == NULL || strcmp(kind, "collection") != 0 ||
		    (host != NULL && strcmp(host, "?") == 0))
			host = NULL;
		if (add_archive(&v, &n, &cap, path, host, id) != 0)
			goto nomem;
	}
	/* then archives put in evidence/ without a record */
	if (irt_case_evidence_dir(&dir, ctx->kase) != 0) {
		rc = irt_fail();
		goto out;
	}
	first = n;
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			char *p;
			if (!archive_name(de->d_name))
				continue;
			if (asprintf(&p, "%s/%s", dir, de->d_name) < 0) {
				closedir(d);
				goto nomem;
			}
			if (!known(v, first, p)) {
				if (add_archive(&v, &n, &cap, p, NULL, NULL) !=
				    0) {
					free(p);
					closedir(d);
					goto nomem;
				}
				if (!ctx->quiet)
					irt_warn("'%s' has no custody record",
					    irt_esc(p));
			}
			free(p);
		}
		closedir(d);
	}
	if (n - first > 1)
		qsort(v + first, n - first, sizeof *v, cmp_path);
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	goto out;
nomem:
	irt_err("out of memory");
	rc = EXIT_FAIL;
out:
	irt_case_archives_free(v, n);
	irt_evidence_list_free(recs, nrec);
	free(dir);
	return rc;
}

void
irt_case_archives_free(struct irt_case_archive *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].host);
		free(v[i].id);
	}
	free(v);
}

static int
stack_list(struct irt_ctx *ctx)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	int i, rc;

	irt_jw_init(&w, &b);
	if (ctx->json)
		irt_jw_array(&w, NULL);
	for (i = 0; i < IRT_STACK_NFIELDS; i++) {
		const char *name = irt_stack_field_name(i);
		const char *help = irt_stack_field_help(i);
		if (ctx->json) {
			irt_jw_object(&w, NULL);
			irt_jw_str(&w, "field", name);
			irt_jw_str(&w, "source", help);
			irt_jw_end(&w);
		} else
			irt_buf_printf(&b, "%-15s %s\n", name, help);
	}
	if (ctx->json) {
		irt_jw_end(&w);
		if (irt_jw_line(&w) != 0) {
			irt_buf_release(&b);
			return irt_fail();
		}
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

/* The rows as JSON: one object, the values least frequent first. */
static int
stack_json(struct irt_buf *b, struct irt_stack *s, const char *field,
    const struct irt_stack_row *rows, size_t nrows, const char *const *nc,
    size_t nnc)
{
	struct irt_jw w;
	size_t i, j;

	irt_jw_init(&w, b);
	irt_jw_object(&w, NULL);
	irt_jw_str(&w, "field", field);
	irt_jw_uint(&w, "hosts", irt_stack_nhosts(s));
	irt_jw_array(&w, "values");
	for (i = 0; i < nrows; i++) {
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "value", rows[i].value);
		irt_jw_uint(&w, "count", rows[i].nhosts);
		irt_jw_array(&w, "hosts");
		for (j = 0; j < rows[i].nhosts; j++)
			irt_jw_str(&w, NULL, rows[i].hosts[j]);
		irt_jw_end(&w);
		irt_jw_end(&w);
	}
	irt_jw_end(&w);
	irt_jw_array(&w, "not_collected");
	for (i = 0; i < nnc; i++)
		irt_jw_str(&w, NULL, nc[i]);
	irt_jw_end(&w);
	irt_jw_end(&w);
	return irt_jw_line(&w);
}

static void
stack_text(struct irt_buf *b, const struct irt_stack_row *rows, size_t nrows,
    const char *const *nc, size_t nnc)
{
	size_t i, j;

	irt_buf_puts(b, "COUNT  VALUE\tHOSTS\n");
	for (i = 0; i < nrows; i++) {
		irt_buf_printf(b, "%5zu  ", rows[i].nhosts);
		irt_escape_term(b, rows[i].value, strlen(rows[i].value));
		irt_buf_putc(b, '\t');
		for (j = 0; j < rows[i].nhosts; j++) {
			if (j > 0)
				irt_buf_putc(b, ',');
			irt_escape_term(
			    b, rows[i].hosts[j], strlen(rows[i].hosts[j]));
		}
		irt_buf_putc(b, '\n');
	}
	if (nnc > 0) {
		irt_buf_printf(b, "%5zu  (not collected)\t", nnc);
		for (i = 0; i < nnc; i++) {
			if (i > 0)
				irt_buf_putc(b, ',');
			irt_escape_term(b, nc[i], strlen(nc[i]));
		}
		irt_buf_putc(b, '\n');
	}
}

static int
stack_run(struct irt_ctx *ctx, struct irt_args *a)
{
	enum irt_stack_field f;
	struct irt_stack *s = NULL;
	struct irt_case_archive *v = NULL;
	const struct irt_stack_row *rows;
	const char *const *nc;
	struct irt_buf b = IRT_BUF_INIT;
	size_t n = 0, cap = 0, nrows, nnc, i, done = 0, failed = 0;
	int rc = EXIT_FAIL;

	if (irt_args_has(a, "list"))
		return stack_list(ctx);
	if (a->argc == 0)
		return irt_args_usage(a, "no FIELD given (irt stack --list)");
	if (irt_stack_field_parse(&f, a->argv[0]) != 0)
		return irt_args_usage(a, "%s", irt_error_last());
	if (a->argc > 1) {
		for (i = 1; i < (size_t)a->argc; i++)
			if (add_archive(&v, &n, &cap, a->argv[i], NULL, NULL) !=
			    0) {
				irt_err("out of memory");
				goto out;
			}
	} else {
		if (ctx->kase == NULL)
			return irt_args_usage(
			    a, "no ARCHIVE given and not inside an irt case");
		if ((rc = irt_case_archives(ctx, &v, &n)) != EXIT_OK)
			goto out;
		rc = EXIT_FAIL;
		if (n == 0) {
			irt_err("the case has no evidence archive");
			goto out;
		}
	}
	if (irt_stack_new(&s, f) != 0) {
		rc = irt_fail();
		goto out;
	}
	irt_sigint_install();
	for (i = 0; i < n && !irt_interrupted; i++) {
		char *host = NULL;
		if (irt_args_count(a, "host") > 0) {
			/* the host first, so that other hosts' archives are
			 * not read for nothing */
			if (irt_archive_host(&host, v[i].path) != 0) {
				irt_err("%s", irt_error_last());
				failed++;
				continue;
			}
			if (!irt_args_admits(a, "host", host)) {
				free(host);
				continue;
			}
			free(host);
			host = NULL;
		}
		if (irt_stack_add_archive(s, &host, v[i].path, v[i].host) !=
		    0) {
			irt_err("%s", irt_error_last());
			failed++;
			continue;
		}
		free(host);
		done++;
	}
	if (irt_interrupted) {
		irt_err("interrupted");
		goto out;
	}
	if (irt_stack_rows(s, &rows, &nrows) != 0) {
		rc = irt_fail();
		goto out;
	}
	nc = irt_stack_not_collected(s, &nnc);
	if (done == 0) {
		/* nothing counted: no table of nothing */
		if (failed == 0)
			irt_err("no archive of the hosts given");
		goto out;
	}
	if (ctx->json) {
		if (stack_json(&b, s, irt_stack_field_name(f), rows, nrows, nc,
		        nnc) != 0) {
			rc = irt_fail();
			goto out;
		}
	} else
		stack_text(&b, rows, nrows, nc, nnc);
	if (irt_out(&b) != EXIT_OK)
		goto out;
	if (!ctx->quiet && !ctx->json)
		fprintf(stderr,
		    "irt: stack: %s: %zu values; hosts: %zu; archives read: "
		    "%zu%s\n",
		    irt_stack_field_name(f), nrows, irt_stack_nhosts(s), done,
		    failed ? "; others refused" : "");
	/* an archive refused is evidence not counted: say it in the status */
	rc = failed > 0 ? EXIT_FAIL : EXIT_OK;
out:
	irt_buf_release(&b);
	irt_stack_free(s);
	irt_case_archives_free(v, n);
	return rc;
}

const struct irt_cmd irt_cmd_stack = {
	.name = "stack",
	.summary = "count a field across the hosts of the case, rarest first",
	.flags = IRT_CMD_WANTS_CASE | IRT_CMD_JSON,
	.opts = stack_opts,
	.operands = "FIELD [ARCHIVE...]",
	.max_args = -1,
	.run = stack_run,
	.complete = "stack-field file",
};
