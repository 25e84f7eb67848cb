/*
 * The YARA matcher: rules compiled by libyara (a file that does not
 * compile is reported with file:line and left out, the others still
 * load), each file scanned in memory up to a cap (IRT_HUNT_YARA_MAX by
 * default; the rest of a larger file is not scanned, with a warning),
 * never written to disk; running processes' memory with --live.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yara.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/hash.h"
#include "hunt-int.h"

struct hunt_yara {
	YR_RULES *rules;
	/* one scanner for every file: yr_rules_scan_mem would set one up
	 * (its tables sized by the rules) and tear it down for each */
	YR_SCANNER *scanner;
	char **files, **sums;
	size_t nfiles;
	/* the current file */
	unsigned char *buf;
	size_t len, cap;
	bool over, scanned;
	struct irt_hunt *h;
	const struct hunt_file *f;
	int pid;
	const char *exe;
};

static int yr_users;

struct cerr {
	struct irt_hunt *h;
	int errors;
	bool quiet;
};

static void
compile_cb(int level, const char *file, int line, const YR_RULE *rule,
    const char *msg, void *arg)
{
	struct cerr *e = arg;

	(void)rule;
	if (level != YARA_ERROR_LEVEL_ERROR)
		return;
	e->errors++;
	if (!e->quiet)
		hunt_warn(e->h, "%s:%d: %s", irt_esc(file ? file : "?"), line,
		    irt_esc(msg));
}

/* Compiles one file alone: does it compile? */
static bool
compiles(struct irt_hunt *h, const char *path, FILE *fp)
{
	YR_COMPILER *c;
	struct cerr e = { h, 0, false };

	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return false;
	yr_compiler_set_callback(c, compile_cb, &e);
	yr_compiler_add_file(c, fp, NULL, path);
	yr_compiler_destroy(c);
	return e.errors == 0;
}

/* Collected by nftw: rule files of a folder. */
static char **walk_v;
static size_t walk_n;

static int
walk_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *dot = strrchr(p, '.');
	char **nv;

	(void)ftw;
	if (flag != FTW_F || !S_ISREG(st->st_mode) || dot == NULL ||
	    (strcmp(dot, ".yar") != 0 && strcmp(dot, ".yara") != 0))
		return 0;
	if ((nv = realloc(walk_v, (walk_n + 1) * sizeof *nv)) == NULL)
		return 1;
	walk_v = nv;
	if ((walk_v[walk_n] = strdup(p)) == NULL)
		return 1;
	walk_n++;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
add_file(struct hunt_yara *y, YR_COMPILER *c, const char *path, int *ok)
{
	struct irt_hunt *h = y->h;
	struct cerr e = { h, 0, true };
	char sum[65], **nf, **ns;
	const char *base;
	FILE *fp;
	struct stat st;

	if ((fp = fopen(path, "re")) == NULL) {
		hunt_warn(
		    h, "cannot open '%s': %s", irt_esc(path), strerror(errno));
		return 0;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		hunt_warn(h, "'%s' is not a regular file", irt_esc(path));
		return 0;
	}
	if (!compiles(h, path, fp)) {
		fclose(fp);
		return 0;
	}
	rewind(fp);
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	yr_compiler_set_callback(c, compile_cb, &e);
	yr_compiler_add_file(c, fp, base, path);
	fclose(fp);
	if (e.errors > 0) {
		/* a clash with an earlier file (same rule name) */
		hunt_warn(h,
		    "'%s': does not compile with the rules before it "
		    "(a rule name used twice?)",
		    irt_esc(path));
		return IRT_EPARSE;
	}
	if (irt_sha256_file(sum, path) != 0)
		sum[0] = '\0';
	nf = realloc(y->files, (y->nfiles + 1) * sizeof *nf);
	if (nf == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	y->files = nf;
	ns = realloc(y->sums, (y->nfiles + 1) * sizeof *ns);
	if (ns == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	y->sums = ns;
	y->files[y->nfiles] = strdup(path);
	y->sums[y->nfiles] = strdup(sum);
	y->nfiles++;
	(*ok)++;
	return 0;
}

/* ---- scanning ---- */

static int
scan_cb(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *arg)
{
	struct hunt_yara *y = arg;
	struct irt_hunt *h = y->h;
	YR_RULE *rule = data;
	YR_STRING *s;
	YR_MATCH *m;
	YR_META *meta;
	struct irt_hunt_hit hit;
	struct irt_buf title = IRT_BUF_INIT, loc = IRT_BUF_INIT;
	const char *tags[16], *tag;
	size_t ntags = 0;
	const uint8_t *mdata = NULL;
	size_t mlen = 0;
	int64_t moff = -1;

	if (msg != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	memset(&hit, 0, sizeof hit);
	tags[ntags++] = "yara";
	yr_rule_tags_foreach(rule, tag)
	{
		if (ntags < 16)
			tags[ntags++] = tag;
	}
	yr_rule_strings_foreach(rule, s)
	{
		yr_string_matches_foreach(ctx, s, m)
		{
			if (moff < 0) {
				mdata = m->data;
				mlen = (size_t)m->data_length;
				moff = m->base + m->offset;
			}
		}
	}
	yr_rule_metas_foreach(rule, meta)
	{
		if (meta->type == META_TYPE_STRING &&
		    (strcmp(meta->identifier, "level") == 0 ||
		        strcmp(meta->identifier, "severity") == 0))
			hit.level = meta->string;
	}
	irt_buf_printf(&title, "%s:%s", rule->ns->name, rule->identifier);
	hit.kind = "yara";
	hit.rule_id = rule->identifier;
	hit.title = title.ptr;
	hit.tags = tags;
	hit.ntags = ntags;
	hit.match = (const char *)mdata;
	hit.match_len = mlen;
	hit.has_offset = moff >= 0;
	hit.offset = moff >= 0 ? (uint64_t)moff : 0;
	if (y->f != NULL) {
		hit.host = y->f->host ? y->f->host : h->cur_host;
		hit.source = y->f->source;
		hit.location = y->f->location;
		hit.has_time = y->f->mtime != 0;
		hit.time = y->f->mtime;
		hit.field = "content";
	} else {
		irt_buf_printf(
		    &loc, "pid %d (%s)", y->pid, y->exe ? y->exe : "?");
		hit.host = h->cur_host;
		hit.source = "live:memory";
		hit.location = loc.ptr;
		hit.field = "memory";
	}
	if (hunt_hit(h, &hit) != 0) {
		irt_buf_release(&title);
		irt_buf_release(&loc);
		return CALLBACK_ERROR;
	}
	irt_buf_release(&title);
	irt_buf_release(&loc);
	return CALLBACK_CONTINUE;
}

static int
y_file_begin(
    struct irt_hunt *h, void *self, const struct hunt_file *f, bool *wants)
{
	struct hunt_yara *y = self;

	(void)h;
	*wants = y->rules != NULL;
	y->len = 0;
	y->over = false;
	y->scanned = false;
	y->f = f;
	return 0;
}

static int
scan(struct irt_hunt *h, struct hunt_yara *y, const struct hunt_file *f,
    const unsigned char *d, size_t n)
{
	int r;

	y->f = f;
	if (y->scanner == NULL) {
		if (yr_scanner_create(y->rules, &y->scanner) != ERROR_SUCCESS)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		yr_scanner_set_callback(y->scanner, scan_cb, y);
		yr_scanner_set_flags(y->scanner, SCAN_FLAGS_FAST_MODE);
		yr_scanner_set_timeout(y->scanner, 60);
	}
	r = yr_scanner_scan_mem(y->scanner, d ? d : (const uint8_t *)"", n);
	y->f = NULL;
	y->scanned = true;
	if (r == ERROR_CALLBACK_ERROR)
		return irt_error_code() ? irt_error_code() : IRT_ERROR;
	if (r != ERROR_SUCCESS)
		hunt_warn(h, "%s: '%s': YARA scan failed (error %d)",
		    irt_esc(f->source), irt_esc(f->location), r);
	return 0;
}

static int
y_file_data(struct irt_hunt *h, void *self, const struct hunt_file *f,
    const void *d, size_t n)
{
	struct hunt_yara *y = self;
	size_t max = (size_t)h->o.yara_max, take;

	if (y->scanned)
		return 0; /* scanned whole, as its size announced */
	/* a whole file in one block: scanned where it is, not copied */
	if (y->len == 0 && n == f->size && n <= max)
		return scan(h, y, f, d, n);
	if (y->len >= max) {
		y->over = y->over || n > 0;
		return 0;
	}
	take = n > max - y->len ? max - y->len : n;
	if (take < n)
		y->over = true;
	if (y->len + take > y->cap) {
		size_t nc = y->cap ? y->cap : 1 << 16;
		unsigned char *nb;
		while (nc < y->len + take)
			nc *= 2;
		if (nc > max)
			nc = max;
		if ((nb = realloc(y->buf, nc)) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		y->buf = nb;
		y->cap = nc;
	}
	memcpy(y->buf + y->len, d, take);
	y->len += take;
	return 0;
}

static int
y_file_end(struct irt_hunt *h, void *self, const struct hunt_file *f)
{
	struct hunt_yara *y = self;
	int rc;

	if (y->scanned)
		return 0;
	if (y->over)
		hunt_warn(h,
		    "%s: '%s': larger than %llu bytes, YARA scanned "
		    "the first %llu",
		    irt_esc(f->source), irt_esc(f->location),
		    (unsigned long long)h->o.yara_max,
		    (unsigned long long)h->o.yara_max);
	rc = scan(h, y, f, y->buf, y->len);
	/* a large buffer is not kept for the next file */
	if (y->cap > (8u << 20)) {
		free(y->buf);
		y->buf = NULL;
		y->cap = 0;
	}
	return rc;
}

static int
y_process(
    struct irt_hunt *h, void *self, int pid, const char *exe, const char *host)
{
	struct hunt_yara *y = self;
	int r;

	(void)host;
	y->f = NULL;
	y->pid = pid;
	y->exe = exe;
	r = yr_rules_scan_proc(y->rules, pid,
	    SCAN_FLAGS_FAST_MODE | SCAN_FLAGS_PROCESS_MEMORY, scan_cb, y, 60);
	if (r == ERROR_CALLBACK_ERROR)
		return irt_error_code() ? irt_error_code() : IRT_ERROR;
	if (r != ERROR_SUCCESS && r != ERROR_COULD_NOT_ATTACH_TO_PROCESS &&
	    r != ERROR_COULD_NOT_READ_PROCESS_MEMORY)
		hunt_warn(
		    h, "pid %d: YARA memory scan failed (error %d)", pid, r);
	return 0;
}

static void
y_free(void *self)
{
	struct hunt_yara *y = self;
	size_t i;

	if (y->scanner)
		yr_scanner_destroy(y->scanner);
	if (y->rules)
		yr_rules_destroy(y->rules);
	for (i = 0; i < y->nfiles; i++) {
		free(y->files[i]);
		free(y->sums[i]);
	}
	free(y->files);
	free(y->sums);
	free(y->buf);
	free(y);
	if (--yr_users == 0)
		yr_finalize();
}

static const struct hunt_matcher_ops yara_ops = {
	.name = "yara",
	.file_begin = y_file_begin,
	.file_data = y_file_data,
	.file_end = y_file_end,
	.process = y_process,
	.free = y_free,
	.decoded = false,
};

int
hunt_yara_new(struct irt_hunt *h)
{
	struct hunt_yara *y;
	YR_COMPILER *c = NULL;
	size_t i, k;
	int ok = 0, rc = 0;

	if ((y = calloc(1, sizeof *y)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if (yr_users++ == 0 && yr_initialize() != ERROR_SUCCESS) {
		yr_users--;
		free(y);
		return irt_error_set(IRT_ERROR, "cannot initialise libyara");
	}
	y->h = h;
	if (yr_compiler_create(&c) != ERROR_SUCCESS) {
		y_free(y);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	for (i = 0; i < h->o.nyara && rc == 0; i++) {
		const char *p = h->o.yara[i];
		struct stat st;
		if (stat(p, &st) != 0) {
			rc = irt_error_sys(
			    IRT_EIO, errno, "cannot open '%s'", irt_esc(p));
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			rc = add_file(y, c, p, &ok);
			continue;
		}
		walk_v = NULL;
		walk_n = 0;
		if (nftw(p, walk_cb, 16, FTW_PHYS | FTW_MOUNT) != 0)
			hunt_warn(h, "cannot read all of '%s'", irt_esc(p));
		qsort(walk_v, walk_n, sizeof *walk_v, cmp_str);
		for (k = 0; k < walk_n; k++) {
			if (rc == 0)
				rc = add_file(y, c, walk_v[k], &ok);
			free(walk_v[k]);
		}
		free(walk_v);
		walk_v = NULL;
	}
	if (rc == 0 && ok == 0)
		rc = irt_error_set(IRT_EPARSE, "no YARA rule file compiled");
	if (rc == 0 && yr_compiler_get_rules(c, &y->rules) != ERROR_SUCCESS)
		rc = irt_error_set(IRT_ENOMEM, "cannot build the YARA rules");
	yr_compiler_destroy(c);
	if (rc != 0) {
		y_free(y);
		return rc;
	}
	{
		YR_RULE *r;
		yr_rules_foreach(y->rules, r) h->st.yara_rules++;
	}
	h->yara = y;
	return hunt_add_matcher(h, &yara_ops, y);
}

size_t
hunt_yara_files(const struct irt_hunt *h, const char *const **paths,
    const char *const **sha256)
{
	const struct hunt_yara *y = h->yara;

	if (y == NULL) {
		*paths = NULL;
		*sha256 = NULL;
		return 0;
	}
	*paths = (const char *const *)y->files;
	*sha256 = (const char *const *)y->sums;
	return y->nfiles;
}
