/*
 * irt hunt: IOCs, Sigma and YARA rules over evidence archives,
 * file-system trees, logs and the live host; hits printed, and recorded
 * in the case.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irt.h"

static const char *const formats[] = { "table", "json", "timesketch-jsonl",
	NULL };

static const struct irt_opt hunt_opts[] = {
	{ "ioc", 0, IRT_ARG_PATH, "FILE",
	    "more IOCs from a file (plain, CSV, MISP, STIX), for this hunt",
	    .flags = IRT_OPT_REPEAT },
	{ "sigma", 0, IRT_ARG_PATH, "PATH",
	    "Sigma rules: a file, or a folder of .yml/.yaml files",
	    .flags = IRT_OPT_REPEAT },
	{ "yara", 0, IRT_ARG_PATH, "PATH",
	    "YARA rules: a file, or a folder of .yar/.yara files",
	    .flags = IRT_OPT_REPEAT },
	{ "live", 0, IRT_ARG_NONE, NULL,
	    "hunt the running host: processes, sockets, logs, memory" },
	{ "root", 0, IRT_ARG_PATH, "DIR",
	    "with --live, read the logs under DIR/var/log, not /var/log" },
	{ "content", 0, IRT_ARG_NONE, NULL,
	    "scan the contents of files for literal IOCs" },
	{ "format", 0, IRT_ARG_ENUM, "FORMAT",
	    "table (default), json or timesketch-jsonl", .values = formats },
	{ "host", 0, IRT_ARG_STRING, "NAME",
	    "the host of the sources (default: from the archive)" },
	{ "max-size", 0, IRT_ARG_SIZE, "SIZE",
	    "bytes of one file YARA scans at most (default 64M)", .min = 1,
	    .max = 1LL << 40 },
	{ "no-record", 0, IRT_ARG_NONE, NULL,
	    "do not record the hunt in the case" },
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "a note for the record" },
	{ NULL },
};

/* A line of the table, kept until every hit is in to be sorted. */
struct row {
	int level; /* rank: critical first, none last */
	bool has_time;
	irt_ns time;
	uint64_t seq;
	char *text;
};

struct out {
	struct irt_ctx *ctx;
	int format; /* 0 table, 1 json, 2 timesketch */
	struct irt_buf line;
	struct irt_buf record; /* hits.jsonl for the case */
	bool keep, failed, silent;
	uint64_t hits;
	struct row *rows;
	size_t nrows, crows;
};

static int
level_rank(const char *level)
{
	static const char *const levels[] = { "critical", "high", "medium",
		"low", "informational", NULL };
	int i;

	for (i = 0; level != NULL && levels[i] != NULL; i++)
		if (strcasecmp(level, levels[i]) == 0)
			return i;
	return i;
}

/* By level (critical first), then time (hits without one last), then
 * in the order found. */
static int
row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	if (x->has_time != y->has_time)
		return x->has_time ? -1 : 1;
	if (x->has_time && x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
keep_row(struct out *o, const struct irt_hunt_hit *hit)
{
	struct row *r;

	if (o->nrows == o->crows) {
		size_t nc = o->crows ? 2 * o->crows : 64;
		struct row *nv = realloc(o->rows, nc * sizeof *nv);
		if (nv == NULL)
			return IRT_ENOMEM;
		o->rows = nv;
		o->crows = nc;
	}
	r = &o->rows[o->nrows];
	r->level = level_rank(hit->level);
	r->has_time = hit->has_time;
	r->time = hit->time;
	r->seq = o->nrows;
	if ((r->text = strdup(irt_buf_cstr(&o->line))) == NULL)
		return IRT_ENOMEM;
	o->nrows++;
	return 0;
}

/* The table, sorted, once every hit is in. */
static void
print_rows(struct out *o)
{
	size_t i;

	if (o->nrows == 0)
		return;
	qsort(o->rows, o->nrows, sizeof *o->rows, row_cmp);
	if (!o->silent &&
	    fputs("KIND  RULE  LEVEL  HOST  TIME  SOURCE  LOCATION  MATCH\n",
	        stdout) == EOF)
		o->failed = true;
	for (i = 0; i < o->nrows; i++) {
		if (!o->silent && fputs(o->rows[i].text, stdout) == EOF)
			o->failed = true;
		free(o->rows[i].text);
	}
	free(o->rows);
	o->rows = NULL;
	o->nrows = o->crows = 0;
}

static int
on_hit(const struct irt_hunt_hit *hit, void *arg)
{
	struct out *o = arg;
	char t[IRT_TIME_MAX];

	o->hits++;
	if (o->keep && irt_hunt_hit_json(&o->record, hit) != 0)
		return IRT_ENOMEM;
	irt_buf_clear(&o->line);
	if (o->format == 1)
		irt_hunt_hit_json(&o->line, hit);
	else if (o->format == 2)
		irt_hunt_hit_timesketch(&o->line, hit);
	else {
		struct irt_buf m = IRT_BUF_INIT;
		irt_escape_term(&m, hit->match ? hit->match : "",
		    hit->match_len > 200 ? 200 : hit->match_len);
		irt_buf_printf(&o->line, "%s  %s  %s  %s  %s  %s  %s",
		    hit->kind, irt_esc(hit->title),
		    hit->level ? irt_esc(hit->level) : "-",
		    hit->host ? irt_esc(hit->host) : "-",
		    hit->has_time ? irt_time_format(t, hit->time, 0) : "-",
		    irt_esc(hit->source ? hit->source : "-"),
		    irt_esc(hit->location ? hit->location : "-"));
		if (hit->line > 0)
			irt_buf_printf(
			    &o->line, ":%llu", (unsigned long long)hit->line);
		else if (hit->has_offset)
			irt_buf_printf(
			    &o->line, "@%llu", (unsigned long long)hit->offset);
		irt_buf_printf(&o->line, "  %s: %s\n",
		    irt_esc(hit->field ? hit->field : "-"), irt_buf_cstr(&m));
		irt_buf_release(&m);
		/* printed sorted at the end */
		return o->silent ? 0 : keep_row(o, hit);
	}
	if (!o->silent &&
	    fwrite(o->line.ptr, 1, o->line.len, stdout) != o->line.len)
		o->failed = true;
	return 0;
}

static void
on_warn(const char *msg, void *arg)
{
	struct out *o = arg;

	if (!o->ctx->quiet)
		irt_warn("%s", msg);
}

static void
ioc_warn(const char *msg, void *arg)
{
	(void)arg;
	irt_warn("%s", msg);
}

/* Every evidence archive of the case, with its host. */
static int
case_sources(struct irt_ctx *ctx, char ***specs, char ***hosts, size_t *n)
{
	struct irt_kv *v = NULL;
	size_t nv = 0, i;

	*n = 0;
	if (irt_evidence_list(ctx->kase, &v, &nv) != 0)
		return irt_fail();
	*specs = calloc(nv + 1, sizeof **specs);
	*hosts = calloc(nv + 1, sizeof **hosts);
	for (i = 0; i < nv && *specs && *hosts; i++) {
		const char *kind = irt_kv_get(&v[i], "kind");
		const char *path = irt_kv_get(&v[i], "path");
		const char *host = irt_kv_get(&v[i], "host");
		struct stat st;
		if (kind == NULL || strcmp(kind, "collection") != 0 ||
		    path == NULL)
			continue;
		if (stat(path, &st) != 0) {
			irt_warn("evidence %s: '%s' is not here, not hunted",
			    irt_esc(irt_kv_get(&v[i], "id")), irt_esc(path));
			continue;
		}
		if (asprintf(&(*specs)[*n], "archive:%s", path) < 0)
			break;
		(*hosts)[*n] =
		    host && strcmp(host, "?") != 0 ? strdup(host) : NULL;
		(*n)++;
	}
	irt_evidence_list_free(v, nv);
	return EXIT_OK;
}

static void
strv_free_n(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* Counts the Sigma (.yml, .yaml) and YARA (.yar, .yara) files under a
 * folder, as their loaders read it: names starting with '.' left out,
 * symbolic links not followed into folders. */
static void
count_rules(int dfd, int depth, size_t *nsigma, size_t *nyara)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (d == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		const char *dot = strrchr(de->d_name, '.');
		struct stat st;
		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		        0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 32) {
			int fd = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				count_rules(fd, depth + 1, nsigma, nyara);
			continue;
		}
		if (dot == NULL)
			continue;
		if (strcmp(dot, ".yml") == 0 || strcmp(dot, ".yaml") == 0)
			(*nsigma)++;
		else if (S_ISREG(st.st_mode) &&
		    (strcmp(dot, ".yar") == 0 || strcmp(dot, ".yara") == 0))
			(*nyara)++;
	}
	closedir(d);
}

/* The case's rules/ folder (irt-case(5)) when it holds Sigma or YARA
 * rule files: *out is its path, *sigma and *yara whether it holds
 * either. */
void
irt_case_rules(struct irt_ctx *ctx, char **out, bool *sigma, bool *yara)
{
	size_t ns = 0, ny = 0;
	int fd;

	*sigma = *yara = false;
	*out = NULL;
	if (ctx->kase == NULL ||
	    asprintf(out, "%s/rules", irt_case_path(ctx->kase)) < 0) {
		*out = NULL;
		return;
	}
	fd = open(*out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		count_rules(fd, 0, &ns, &ny);
	*sigma = ns > 0;
	*yara = ny > 0;
	if (!*sigma && !*yara) {
		free(*out);
		*out = NULL;
	}
}

/* A path inside the case as the case names it (rules/x.yml), the
 * same in every clone of the case; others as given. */
static const char *
in_case(struct irt_ctx *ctx, const char *path)
{
	const char *top = irt_case_path(ctx->kase);
	size_t n = strlen(top);

	if (strncmp(path, top, n) == 0 && path[n] == '/' && path[n + 1])
		return path + n + 1;
	return path;
}

struct hunt_run {
	const char *const *sources;
	const char *const *hosts; /* per source, may hold NULL */
	size_t nsources;
	const char *host; /* --host */
	const char *const *ioc_files;
	size_t nioc_files;
	const char *const *yara;
	size_t nyara;
	const char *const *sigma;
	size_t nsigma;
	bool live, content, record, quiet_hits;
	int format;
	uint64_t yara_max;
	const char *message;
	const char *root; /* --root */
	/* results */
	uint64_t hits;
	unsigned sigma_rules, yara_rules;
	char id[32];
};

static int
hunt_run(struct irt_ctx *ctx, struct hunt_run *r)
{
	struct irt_ioc_set iocs = IRT_IOC_SET_INIT;
	struct irt_hunt_opts ho;
	struct irt_hunt *h = NULL;
	struct irt_hunt_stats st;
	const struct irt_sigma *sg = NULL;
	struct irt_sigma_stats sgst;
	struct irt_kv rec = IRT_KV_INIT;
	struct out o;
	char t[IRT_TIME_MAX], num[32], started[IRT_TIME_MAX];
	size_t i, skipped, ncase = 0;
	int rc = EXIT_OK;

	memset(&o, 0, sizeof o);
	memset(&sgst, 0, sizeof sgst);
	o.ctx = ctx;
	o.format = r->format;
	o.keep = r->record && ctx->kase != NULL;
	o.silent = r->quiet_hits;
	irt_time_format(started, irt_now(), 0);
	if (ctx->kase != NULL && irt_ioc_load(ctx->kase, &iocs, false) != 0) {
		rc = irt_fail();
		goto out;
	}
	ncase = iocs.n;
	for (i = 0; i < r->nioc_files; i++) {
		skipped = 0;
		if (irt_ioc_import_file(&iocs, r->ioc_files[i],
		        IRT_IOC_FMT_AUTO, NULL, ioc_warn, NULL,
		        &skipped) != 0) {
			irt_err("%s", irt_error_last());
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (iocs.n == 0 && r->nyara == 0 && r->nsigma == 0) {
		irt_err("nothing to hunt with: %s; give --ioc FILE, --sigma "
		        "PATH or --yara PATH",
		    ctx->kase ? "the case has no IOCs nor rules" : "no case");
		rc = EXIT_USAGE;
		goto out;
	}
	memset(&ho, 0, sizeof ho);
	ho.iocs = &iocs;
	ho.yara = r->yara;
	ho.nyara = r->nyara;
	ho.sigma = r->sigma;
	ho.nsigma = r->nsigma;
	ho.content = r->content;
	ho.yara_max = r->yara_max;
	ho.hit = on_hit;
	ho.arg = &o;
	ho.warn = on_warn;
	ho.warn_arg = &o;
	ho.cancel = &irt_interrupted;
	ho.root = r->root;
	if (irt_hunt_new(&h, &ho) != 0) {
		irt_err("%s", irt_error_last());
		rc = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < r->nsources; i++) {
		const char *host = r->host ? r->host
		    : r->hosts             ? r->hosts[i]
		                           : NULL;
		if (irt_hunt_source(h, r->sources[i], host) != 0) {
			irt_err("%s", irt_error_last());
			rc = EXIT_USAGE;
			if (irt_error_code() == IRT_EABORT)
				break;
		}
	}
	if (r->live && rc == EXIT_OK) {
		char hn[256] = "";
		gethostname(hn, sizeof hn - 1);
		if (irt_hunt_live(h, r->host ? r->host : hn) != 0) {
			irt_err("%s", irt_error_last());
			rc = EXIT_USAGE;
		}
	}
	print_rows(&o);
	fflush(stdout);
	if (o.failed) {
		irt_err("cannot write to standard output: %s", strerror(errno));
		rc = EXIT_USAGE;
	}
	irt_hunt_get_stats(h, &st);
	if ((sg = irt_hunt_sigma(h)) != NULL)
		irt_sigma_stats(sg, &sgst);
	r->hits = o.hits;
	r->sigma_rules = sgst.loaded;
	r->yara_rules = st.yara_rules;
	if (!ctx->quiet && !r->quiet_hits && sg != NULL) {
		struct irt_buf sum = IRT_BUF_INIT;
		irt_sigma_summary(&sum, sg);
		fprintf(stderr, "irt: Sigma: %s\n", irt_buf_cstr(&sum));
		irt_buf_release(&sum);
	}
	if (!ctx->quiet && !r->quiet_hits)
		fprintf(stderr,
		    "irt: %llu hit%s (%zu IOCs, %u Sigma rules, %u YARA rules; "
		    "%llu events, %llu records, %llu files, %llu bytes of "
		    "content, %llu warnings)\n",
		    (unsigned long long)o.hits, o.hits == 1 ? "" : "s", iocs.n,
		    sgst.loaded, st.yara_rules, (unsigned long long)st.events,
		    (unsigned long long)st.records,
		    (unsigned long long)st.files, (unsigned long long)st.bytes,
		    (unsigned long long)st.warnings);
	/* the record: what was hunted with, where, what came of it */
	if (o.keep && rc == EXIT_OK) {
		const char *const *paths, *const *sums;
		size_t nr = irt_hunt_rule_files(h, &paths, &sums);
		const struct irt_ident *who = irt_who(ctx);
		irt_kv_add(&rec, "started", started);
		irt_kv_add(&rec, "finished", irt_time_format(t, irt_now(), 0));
		for (i = 0; i < r->nsources; i++)
			irt_kv_add(&rec, "source", r->sources[i]);
		if (r->live)
			irt_kv_add(&rec, "source", "live");
		snprintf(num, sizeof num, "%zu", ncase);
		irt_kv_add(&rec, "case-iocs", num);
		for (i = 0; i < r->nioc_files; i++) {
			char sum[65];
			irt_kv_add(&rec, "ioc-file", r->ioc_files[i]);
			if (irt_sha256_file(sum, r->ioc_files[i]) == 0)
				irt_kv_add(&rec, "ioc-file-sha256", sum);
		}
		snprintf(num, sizeof num, "%zu", iocs.n);
		irt_kv_add(&rec, "iocs", num);
		for (i = 0; i < nr; i++) {
			irt_kv_add(&rec, "yara-file", in_case(ctx, paths[i]));
			irt_kv_add(&rec, "yara-file-sha256", sums[i]);
		}
		snprintf(num, sizeof num, "%u", st.yara_rules);
		irt_kv_add(&rec, "yara-rules", num);
		for (i = 0; sg != NULL && i < irt_sigma_file_count(sg); i++) {
			const struct irt_sigma_file *f =
			    irt_sigma_file_at(sg, i);
			char counts[96];
			irt_kv_add(&rec, "sigma-file", in_case(ctx, f->path));
			irt_kv_add(&rec, "sigma-file-sha256", f->sha256);
			snprintf(counts, sizeof counts,
			    "%u loaded, %u skipped, %u failed", f->loaded,
			    f->skipped, f->failed);
			irt_kv_add(&rec, "sigma-file-rules", counts);
		}
		if (sg != NULL) {
			snprintf(num, sizeof num, "%u", sgst.loaded);
			irt_kv_add(&rec, "sigma-loaded", num);
			snprintf(num, sizeof num, "%u", sgst.skipped);
			irt_kv_add(&rec, "sigma-skipped", num);
			snprintf(num, sizeof num, "%u", sgst.failed);
			irt_kv_add(&rec, "sigma-failed", num);
		}
		irt_kv_add(&rec, "content", r->content ? "yes" : "no");
		snprintf(
		    num, sizeof num, "%llu", (unsigned long long)st.events);
		irt_kv_add(&rec, "events", num);
		snprintf(
		    num, sizeof num, "%llu", (unsigned long long)st.records);
		irt_kv_add(&rec, "records", num);
		snprintf(num, sizeof num, "%llu", (unsigned long long)st.files);
		irt_kv_add(&rec, "files", num);
		snprintf(
		    num, sizeof num, "%llu", (unsigned long long)st.warnings);
		irt_kv_add(&rec, "warnings", num);
		snprintf(num, sizeof num, "%llu", (unsigned long long)o.hits);
		irt_kv_add(&rec, "hits", num);
		if (who == NULL ||
		    irt_hunt_record(ctx->kase, r->id, &rec, &o.record,
		        r->message, who) != 0) {
			irt_err("%s", irt_error_last());
			rc = EXIT_USAGE;
		} else if (!ctx->quiet && !r->quiet_hits)
			fprintf(stderr, "irt: hunt %s recorded in the case\n",
			    r->id);
	}
out:
	for (i = 0; i < o.nrows; i++)
		free(o.rows[i].text);
	free(o.rows);
	irt_hunt_free(h);
	irt_ioc_set_release(&iocs);
	irt_kv_release(&rec);
	irt_buf_release(&o.line);
	irt_buf_release(&o.record);
	return rc;
}

static int
cmd_hunt_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct hunt_run r;
	char **specs = NULL, **hosts = NULL, *rdir = NULL;
	const char **iocf = NULL, **yara = NULL, **sigma = NULL;
	size_t n = 0, i;
	bool csigma, cyara;
	int rc;

	memset(&r, 0, sizeof r);
	r.live = irt_args_has(a, "live");
	r.content = irt_args_has(a, "content");
	r.record = !irt_args_has(a, "no-record");
	r.format = irt_args_enum(a, "format", 0);
	if (ctx->json)
		r.format = 1;
	r.host = irt_args_str(a, "host", NULL);
	r.yara_max = irt_args_size(a, "max-size", 0);
	r.message = irt_args_str(a, "message", NULL);
	r.root = irt_args_str(a, "root", NULL);
	if (r.root != NULL) {
		struct stat st;
		if (!r.live) {
			irt_err("--root needs --live");
			return EXIT_USAGE;
		}
		if (stat(r.root, &st) != 0) {
			irt_err("cannot use '%s' as root: %s", irt_esc(r.root),
			    strerror(errno));
			return EXIT_USAGE;
		}
		if (!S_ISDIR(st.st_mode)) {
			irt_err("cannot use '%s' as root: not a directory",
			    irt_esc(r.root));
			return EXIT_USAGE;
		}
	}
	r.nioc_files = irt_args_count(a, "ioc");
	r.nyara = irt_args_count(a, "yara");
	r.nsigma = irt_args_count(a, "sigma");
	/* the case's rules/, as the case's IOCs, with those given */
	irt_case_rules(ctx, &rdir, &csigma, &cyara);
	iocf = calloc(r.nioc_files + 1, sizeof *iocf);
	yara = calloc(r.nyara + 2, sizeof *yara);
	sigma = calloc(r.nsigma + 2, sizeof *sigma);
	if (iocf == NULL || yara == NULL || sigma == NULL) {
		irt_err("out of memory");
		rc = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < r.nioc_files; i++)
		iocf[i] = irt_args_nth(a, "ioc", i);
	for (i = 0; i < r.nyara; i++)
		yara[i] = irt_args_nth(a, "yara", i);
	for (i = 0; i < r.nsigma; i++)
		sigma[i] = irt_args_nth(a, "sigma", i);
	if (csigma)
		sigma[r.nsigma++] = rdir;
	if (cyara)
		yara[r.nyara++] = rdir;
	r.ioc_files = iocf;
	r.yara = yara;
	r.sigma = sigma;
	if (a->argc > 0) {
		r.sources = (const char *const *)a->argv;
		r.nsources = (size_t)a->argc;
	} else if (ctx->kase != NULL && !r.live) {
		if ((rc = case_sources(ctx, &specs, &hosts, &n)) != EXIT_OK) {
			rc = EXIT_USAGE;
			goto out;
		}
		if (n == 0) {
			irt_err(
			    "the case has no evidence archive to hunt; give "
			    "a SOURCE or --live");
			rc = EXIT_USAGE;
			goto out;
		}
		r.sources = (const char *const *)specs;
		r.hosts = (const char *const *)hosts;
		r.nsources = n;
	} else if (!r.live) {
		irt_err("hunt: give a SOURCE or --live (or run in a case)");
		rc = EXIT_USAGE;
		goto out;
	}
	rc = hunt_run(ctx, &r);
	if (rc == EXIT_OK)
		rc = r.hits > 0 ? EXIT_OK : EXIT_FAIL;
out:
	strv_free_n(specs, n);
	strv_free_n(hosts, n);
	free(iocf);
	free(yara);
	free(sigma);
	free(rdir);
	return rc;
}

int
irt_hunt_triage(struct irt_ctx *ctx, const char *archive, const char *host,
    struct irt_hunt_brief *out)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct hunt_run r;
	char *spec = NULL, *rdir = NULL;
	const char *yara[1], *sigma[1];
	bool csigma, cyara;
	int rc;

	memset(out, 0, sizeof *out);
	if (irt_ioc_load(ctx->kase, &s, false) != 0) {
		irt_ioc_set_release(&s);
		return irt_fail();
	}
	out->iocs = s.n;
	irt_ioc_set_release(&s);
	irt_case_rules(ctx, &rdir, &csigma, &cyara);
	if (out->iocs == 0 && rdir == NULL)
		return EXIT_OK;
	if (asprintf(&spec, "archive:%s", archive) < 0) {
		free(rdir);
		return EXIT_FAIL;
	}
	memset(&r, 0, sizeof r);
	r.sources = (const char *const *)&spec;
	r.nsources = 1;
	r.host = host;
	yara[0] = sigma[0] = rdir;
	r.yara = yara;
	r.nyara = cyara ? 1 : 0;
	r.sigma = sigma;
	r.nsigma = csigma ? 1 : 0;
	r.record = true;
	r.quiet_hits = true;
	r.format = 1;
	r.message = "irt triage";
	/* the hits go to the record only */
	rc = hunt_run(ctx, &r);
	out->hits = r.hits;
	out->sigma_rules = r.sigma_rules;
	out->yara_rules = r.yara_rules;
	memcpy(out->id, r.id, sizeof out->id);
	free(spec);
	free(rdir);
	return rc == EXIT_OK ? EXIT_OK : EXIT_FAIL;
}

const struct irt_cmd irt_cmd_hunt = {
	.name = "hunt",
	.summary = "hunt IOCs, Sigma and YARA rules over evidence and the "
	           "live host",
	.flags = IRT_CMD_WANTS_CASE | IRT_CMD_JSON,
	.opts = hunt_opts,
	.operands = "[SOURCE...]",
	.min_args = 0,
	.max_args = -1,
	.run = cmd_hunt_run,
	.complete = "file",
};
