/*
 * The YARA matcher: rules compiled by libyara (a file that does not
 * compile is reported with file:line and left out, the others still
 * load), each file scanned in memory up to a cap (IRT_HUNT_YARA_MAX by
 * default; the rest of a larger file is not scanned, with a warning),
 * never written to disk; running processes' memory with --live.
 *
 * Within an archive, when YARA is the one matcher, each file's bytes
 * (copied out of libarchive's buffers) go to a pool of threads, one
 * scanner each, while the next members are read; their hits and
 * warnings are recorded and reported by the reading thread in archive
 * order, so that the output is the same as scanning one file after the
 * other.  The files in flight are bounded in number and bytes.
 */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
	/* scans on the pool (hunt_yara_async) */
	struct y_pool *pool;
	bool async;
	int rc; /* the first error of a delivery: the rest is dropped */
};

static int yr_users;

/* A hit found on a worker: the rule's strings stay in the rules. */
struct y_hit {
	const char *rule_id, *ns, *level;
	const char *tags[16];
	size_t ntags;
	char *match;
	size_t mlen;
	int64_t moff;
};

/* A file handed to the pool, then its results. */
struct y_job {
	struct y_job *next;
	unsigned char *buf;
	size_t len, cap;
	bool over;
	char *source, *location, *host;
	irt_ns mtime;
	struct y_hit *hits;
	size_t nhits, chits;
	int yr; /* what the scan returned */
	int rc; /* out of memory recording a hit */
	bool done;
};

#define Y_THREADS_MAX 4
/* files and bytes handed over and not yet reported */
#define Y_JOBS_MAX 16
#define Y_BYTES_MAX (64u << 20)
/* buffers of reported files kept for the next ones (fresh memory
 * costs a page fault every 4 KiB) */
#define Y_SPARE_MAX 16
#define Y_SPARE_BYTES (64u << 20)

struct y_worker {
	struct y_pool *p;
	pthread_t th;
	YR_SCANNER *scanner;
	struct y_job *job;
};

struct y_pool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct y_worker w[Y_THREADS_MAX];
	int nw;
	/* every job not yet reported, in archive order; next: the first
	 * one no worker has taken */
	struct y_job *head, *tail, *next;
	size_t njobs, bytes;
	bool quit;
	/* buffers for the next files */
	unsigned char *spare[Y_SPARE_MAX];
	size_t spare_cap[Y_SPARE_MAX];
	size_t nspare, spare_bytes;
};

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

/* The parts of a hit that the rule and its first match give. */
static void
hit_of(YR_SCAN_CONTEXT *ctx, YR_RULE *rule, struct y_hit *yh)
{
	YR_STRING *s;
	YR_MATCH *m;
	YR_META *meta;
	const char *tag;

	memset(yh, 0, sizeof *yh);
	yh->moff = -1;
	yh->rule_id = rule->identifier;
	yh->ns = rule->ns->name;
	yh->tags[yh->ntags++] = "yara";
	yr_rule_tags_foreach(rule, tag)
	{
		if (yh->ntags < 16)
			yh->tags[yh->ntags++] = tag;
	}
	yr_rule_strings_foreach(rule, s)
	{
		yr_string_matches_foreach(ctx, s, m)
		{
			if (yh->moff < 0) {
				yh->match = (char *)m->data;
				yh->mlen = (size_t)m->data_length;
				yh->moff = m->base + m->offset;
			}
		}
	}
	yr_rule_metas_foreach(rule, meta)
	{
		if (meta->type == META_TYPE_STRING &&
		    (strcmp(meta->identifier, "level") == 0 ||
		        strcmp(meta->identifier, "severity") == 0))
			yh->level = meta->string;
	}
}

/* Reports a hit in a file (f) or a process (f NULL). */
static int
report(struct irt_hunt *h, const struct y_hit *yh, const char *source,
    const char *location, const char *host, irt_ns mtime, bool file)
{
	struct irt_hunt_hit hit;
	struct irt_buf title = IRT_BUF_INIT;
	int rc;

	memset(&hit, 0, sizeof hit);
	irt_buf_printf(&title, "%s:%s", yh->ns, yh->rule_id);
	hit.kind = "yara";
	hit.rule_id = yh->rule_id;
	hit.title = title.ptr;
	hit.level = yh->level;
	hit.tags = yh->tags;
	hit.ntags = yh->ntags;
	hit.match = yh->match;
	hit.match_len = yh->mlen;
	hit.has_offset = yh->moff >= 0;
	hit.offset = yh->moff >= 0 ? (uint64_t)yh->moff : 0;
	hit.host = host ? host : h->cur_host;
	hit.source = source;
	hit.location = location;
	if (file) {
		hit.has_time = mtime != 0;
		hit.time = mtime;
		hit.field = "content";
	} else
		hit.field = "memory";
	rc = hunt_hit(h, &hit);
	irt_buf_release(&title);
	return rc;
}

static int
scan_cb(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *arg)
{
	struct hunt_yara *y = arg;
	struct irt_hunt *h = y->h;
	struct y_hit yh;
	struct irt_buf loc = IRT_BUF_INIT;
	int rc;

	if (msg != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	hit_of(ctx, data, &yh);
	if (y->f != NULL)
		rc = report(h, &yh, y->f->source, y->f->location, y->f->host,
		    y->f->mtime, true);
	else {
		irt_buf_printf(
		    &loc, "pid %d (%s)", y->pid, y->exe ? y->exe : "?");
		rc = report(h, &yh, "live:memory", loc.ptr, NULL, 0, false);
		irt_buf_release(&loc);
	}
	return rc != 0 ? CALLBACK_ERROR : CALLBACK_CONTINUE;
}

/* ---- the pool: scans on threads, results in order ---- */

static int
job_cb(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *arg)
{
	struct y_worker *w = arg;
	struct y_job *j = w->job;
	struct y_hit *yh;

	if (msg != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	if (j->nhits == j->chits) {
		size_t nc = j->chits ? j->chits * 2 : 4;
		struct y_hit *nv = realloc(j->hits, nc * sizeof *nv);
		if (nv == NULL) {
			j->rc = IRT_ENOMEM;
			return CALLBACK_ERROR;
		}
		j->hits = nv;
		j->chits = nc;
	}
	yh = &j->hits[j->nhits];
	hit_of(ctx, data, yh);
	/* the match is the scanner's until the next scan */
	if (yh->match != NULL) {
		char *m = malloc(yh->mlen + 1);
		if (m == NULL) {
			j->rc = IRT_ENOMEM;
			return CALLBACK_ERROR;
		}
		memcpy(m, yh->match, yh->mlen);
		m[yh->mlen] = '\0';
		yh->match = m;
	}
	j->nhits++;
	return CALLBACK_CONTINUE;
}

static void *
y_worker(void *arg)
{
	struct y_worker *w = arg;
	struct y_pool *p = w->p;
	struct y_job *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->next == NULL)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->quit)
			break;
		j = p->next;
		p->next = j->next;
		pthread_mutex_unlock(&p->mu);
		w->job = j;
		j->yr = yr_scanner_scan_mem(
		    w->scanner, j->buf ? j->buf : (const uint8_t *)"", j->len);
		w->job = NULL;
		pthread_mutex_lock(&p->mu);
		j->done = true;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void
job_free(struct y_job *j)
{
	size_t i;

	for (i = 0; i < j->nhits; i++)
		free(j->hits[i].match);
	free(j->hits);
	free(j->buf);
	free(j->source);
	free(j->location);
	free(j->host);
	free(j);
}

/* Stops the workers (a scan under way ends first) and frees it all. */
static void
pool_free(struct y_pool *p)
{
	struct y_job *j;
	int i;

	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nw; i++) {
		pthread_join(p->w[i].th, NULL);
		yr_scanner_destroy(p->w[i].scanner);
	}
	while ((j = p->head) != NULL) {
		p->head = j->next;
		job_free(j);
	}
	for (i = 0; i < (int)p->nspare; i++)
		free(p->spare[i]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p);
}

/* A pool of one worker a processor (at most Y_THREADS_MAX), or NULL. */
static struct y_pool *
pool_new(YR_RULES *rules)
{
	struct y_pool *p;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int n = ncpu < 1 ? 1 : ncpu > Y_THREADS_MAX ? Y_THREADS_MAX : (int)ncpu;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	while (p->nw < n) {
		struct y_worker *w = &p->w[p->nw];
		w->p = p;
		if (yr_scanner_create(rules, &w->scanner) != ERROR_SUCCESS)
			break;
		yr_scanner_set_callback(w->scanner, job_cb, w);
		yr_scanner_set_flags(w->scanner, SCAN_FLAGS_FAST_MODE);
		yr_scanner_set_timeout(w->scanner, 60);
		if (pthread_create(&w->th, NULL, y_worker, w) != 0) {
			yr_scanner_destroy(w->scanner);
			break;
		}
		p->nw++;
	}
	if (p->nw == 0) {
		pool_free(p);
		return NULL;
	}
	return p;
}

/* Reports a scanned file as the scan would have in place. */
static int
deliver(struct irt_hunt *h, const struct y_job *j)
{
	size_t i;
	int rc;

	if (j->over)
		hunt_warn(h,
		    "%s: '%s': larger than %llu bytes, YARA scanned "
		    "the first %llu",
		    irt_esc(j->source), irt_esc(j->location),
		    (unsigned long long)h->o.yara_max,
		    (unsigned long long)h->o.yara_max);
	for (i = 0; i < j->nhits; i++)
		if ((rc = report(h, &j->hits[i], j->source, j->location,
		         j->host, j->mtime, true)) != 0)
			return rc;
	if (j->rc != 0)
		return irt_error_set(j->rc, "out of memory");
	if (j->yr != ERROR_SUCCESS)
		hunt_warn(h, "%s: '%s': YARA scan failed (error %d)",
		    irt_esc(j->source), irt_esc(j->location), j->yr);
	return 0;
}

/*
 * Reports the scanned files at the head of the queue, in order, waiting
 * while more than jobs files or bytes bytes are in flight; the first
 * error is kept in y->rc and what follows it dropped.
 */
static int
reap(struct irt_hunt *h, struct hunt_yara *y, size_t jobs, size_t bytes)
{
	struct y_pool *p = y->pool;
	struct y_job *j;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->head != NULL && !p->head->done &&
		    (p->njobs > jobs || p->bytes > bytes))
			pthread_cond_wait(&p->done, &p->mu);
		j = p->head;
		if (j == NULL || !j->done) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		p->head = j->next;
		if (p->tail == j)
			p->tail = NULL;
		p->njobs--;
		p->bytes -= j->len;
		pthread_mutex_unlock(&p->mu);
		if (y->rc == 0)
			y->rc = deliver(h, j);
		/* its buffer for a next file */
		if (j->buf != NULL && p->nspare < Y_SPARE_MAX &&
		    p->spare_bytes + j->cap <= Y_SPARE_BYTES) {
			p->spare[p->nspare] = j->buf;
			p->spare_cap[p->nspare++] = j->cap;
			p->spare_bytes += j->cap;
			j->buf = NULL;
		}
		job_free(j);
	}
	return y->rc;
}

static char *
dup_or_null(const char *s, bool *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*fail = true;
	return d;
}

/* Memory for a large file in huge pages where the kernel has them: one
 * page fault for 2 MiB rather than 512 (the copy of the file into it
 * took longer than the copy itself). */
static unsigned char *
big_alloc(size_t n)
{
	void *p;

	if (n < (2u << 20))
		return malloc(n);
	if (posix_memalign(&p, 2u << 20, n) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

/* y->buf for a file of size bytes (as announced): the smallest spare
 * that holds it, else the largest one grown. */
static int
take_buffer(struct hunt_yara *y, uint64_t size, size_t max)
{
	struct y_pool *p = y->pool;
	size_t need = 1u << 16, i, pick = SIZE_MAX;
	unsigned char *nb;

	/* whole MiBs past the first (the spares fit more files) */
	if (size > need)
		need = size > max ? max : (size_t)size;
	if (need > (1u << 20))
		need = (need + (1u << 20) - 1) & ~(size_t)((1u << 20) - 1);
	for (i = 0; i < p->nspare; i++)
		if (p->spare_cap[i] >= need &&
		    (pick == SIZE_MAX || p->spare_cap[i] < p->spare_cap[pick]))
			pick = i;
	if (pick == SIZE_MAX)
		for (i = 0; i < p->nspare; i++)
			if (pick == SIZE_MAX ||
			    p->spare_cap[i] > p->spare_cap[pick])
				pick = i;
	if (pick != SIZE_MAX) {
		y->buf = p->spare[pick];
		y->cap = p->spare_cap[pick];
		p->spare_bytes -= y->cap;
		p->nspare--;
		p->spare[pick] = p->spare[p->nspare];
		p->spare_cap[pick] = p->spare_cap[p->nspare];
	}
	if (y->cap < need) {
		/* nothing in it to keep */
		free(y->buf);
		y->buf = NULL;
		y->cap = 0;
		if ((nb = big_alloc(need)) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		y->buf = nb;
		y->cap = need;
	}
	return 0;
}

/* Hands the current file (y->buf) to the pool. */
static int
submit(struct irt_hunt *h, struct hunt_yara *y, const struct hunt_file *f)
{
	struct y_pool *p = y->pool;
	struct y_job *j;
	bool fail = false;

	if ((j = calloc(1, sizeof *j)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	j->source = dup_or_null(f->source, &fail);
	j->location = dup_or_null(f->location, &fail);
	j->host = dup_or_null(f->host, &fail);
	if (fail) {
		job_free(j);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	j->mtime = f->mtime;
	j->over = y->over;
	j->buf = y->buf;
	j->len = y->len;
	j->cap = y->cap;
	y->buf = NULL;
	y->cap = 0;
	y->len = 0;
	/* room for it */
	reap(h, y, Y_JOBS_MAX - 1,
	    j->len >= Y_BYTES_MAX ? 0 : Y_BYTES_MAX - j->len);
	pthread_mutex_lock(&p->mu);
	if (p->tail != NULL)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	if (p->next == NULL)
		p->next = j;
	p->njobs++;
	p->bytes += j->len;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return reap(h, y, SIZE_MAX, SIZE_MAX);
}

void
hunt_yara_async(struct irt_hunt *h)
{
	struct hunt_yara *y = h->yara;

	/* hits of other matchers would be reported out of order */
	if (y == NULL || y->rules == NULL || h->nm != 1)
		return;
	if (y->pool == NULL)
		y->pool = pool_new(y->rules);
	y->async = y->pool != NULL;
	y->rc = 0;
}

int
hunt_yara_wait(struct irt_hunt *h)
{
	struct hunt_yara *y = h->yara;

	if (y == NULL || !y->async)
		return 0;
	return reap(h, y, 0, 0);
}

int
hunt_yara_sync(struct irt_hunt *h)
{
	struct hunt_yara *y = h->yara;
	int rc;

	if (y == NULL || !y->async)
		return 0;
	rc = reap(h, y, 0, 0);
	y->async = false;
	y->rc = 0;
	return rc;
}

static int
y_file_begin(
    struct irt_hunt *h, void *self, const struct hunt_file *f, bool *wants)
{
	struct hunt_yara *y = self;

	*wants = y->rules != NULL;
	y->len = 0;
	y->over = false;
	y->scanned = false;
	y->f = f;
	if (y->async && y->buf == NULL && *wants)
		return take_buffer(y, f->size, (size_t)h->o.yara_max);
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
	if (y->len == 0 && n == f->size && n <= max && !y->async)
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
	if (y->async)
		return submit(h, y, f);
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

	if (y->pool)
		pool_free(y->pool);
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
