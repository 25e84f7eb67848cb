/*
 * The Sigma engine: loads SigmaHQ rules (files, directories, rule
 * collections), compiles each for the irt events its logsource selects,
 * and matches events one at a time as the timeline reads them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/hash.h"
#include "irt/sigma.h"
#include "sigma-int.h"
#include "util/internal.h"

#define SG_DIR_DEPTH_MAX 32
#define SG_FILES_MAX 100000
/* Regular expression cut-offs reported per rule. */
#define SG_CUTOFF_REPORTS 1

struct sg_rule {
	const char *id, *title, *level, *status, *file;
	const char **tags;
	size_t ntags;
	unsigned line;
	int cls;
	struct sg_search *search;
	size_t nsearch;
	struct sg_cond cond;
	uint64_t cutoffs;
};

struct file {
	struct irt_sigma_file pub;
	char *path;
	char sha256[65];
};

struct irt_sigma {
	struct sg_arena arena;
	struct sg_rule **rules;
	size_t nrules, rcap;
	struct sg_fieldmap *fm;
	struct sg_event *ev;
	struct file *files;
	size_t nfiles, fcap;
	char **failures;
	size_t nfail, failcap;
	struct irt_sigma_stats st;
	irt_sigma_warn_fn warn;
	void *warn_arg;
	/* per-rule scratch of a match: the state of each search */
	uint8_t *memo;
	const char **memo_field;
	const char **memo_val;
	size_t *memo_len;
	size_t memo_cap;
};

const char *
irt_sigma_skip_name(enum irt_sigma_skip why)
{
	static const char *const names[IRT_SIGMA_SKIP_MAX] = {
		[IRT_SIGMA_SKIP_LOGSOURCE] = "logsource not read by irt",
		[IRT_SIGMA_SKIP_FIELD] = "field not provided",
		[IRT_SIGMA_SKIP_MODIFIER] = "unsupported modifier",
		[IRT_SIGMA_SKIP_NULL] = "null value",
		[IRT_SIGMA_SKIP_AGGREGATION] = "aggregation or correlation",
		[IRT_SIGMA_SKIP_DUPLICATE] = "duplicate id",
	};

	return (unsigned)why < IRT_SIGMA_SKIP_MAX ? names[why] : "unknown";
}

int
irt_sigma_new(struct irt_sigma **out)
{
	struct irt_sigma *s = calloc(1, sizeof *s);

	*out = NULL;
	if (s == NULL || (s->fm = sg_fieldmap_new()) == NULL ||
	    (s->ev = sg_event_new(s->fm)) == NULL) {
		if (s != NULL)
			sg_fieldmap_free(s->fm);
		free(s);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	*out = s;
	return 0;
}

static void
rule_release(struct sg_rule *r)
{
	size_t i, j, k, l;

	for (i = 0; i < r->nsearch; i++)
		for (j = 0; j < r->search[i].nalt; j++)
			for (k = 0; k < r->search[i].alt[j].n; k++) {
				struct sg_fcond *c = &r->search[i].alt[j].c[k];
				for (l = 0; l < c->nvals; l++)
					sg_value_release(&c->vals[l]);
				free(c->vals);
			}
	for (i = 0; i < r->nsearch; i++) {
		for (j = 0; j < r->search[i].nalt; j++)
			free(r->search[i].alt[j].c);
		free(r->search[i].alt);
	}
	free(r->search);
	sg_cond_release(&r->cond);
	r->search = NULL;
	r->nsearch = 0;
}

void
irt_sigma_free(struct irt_sigma *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nrules; i++)
		rule_release(s->rules[i]);
	free(s->rules);
	for (i = 0; i < s->nfiles; i++)
		free(s->files[i].path);
	free(s->files);
	for (i = 0; i < s->nfail; i++)
		free(s->failures[i]);
	free(s->failures);
	free(s->memo);
	free(s->memo_field);
	free(s->memo_val);
	free(s->memo_len);
	sg_event_free(s->ev);
	sg_fieldmap_free(s->fm);
	sg_arena_release(&s->arena);
	free(s);
}

/* ---- loading: one rule ---- */

struct loadctx {
	struct irt_sigma *s;
	const char *file; /* in the arena */
	struct file *f;   /* NULL for a buffer */
	irt_sigma_warn_fn warn;
	void *arg;
};

static void say(struct loadctx *lc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct loadctx *lc, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (lc->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lc->warn(msg, lc->arg);
}

static void
failed(struct loadctx *lc, unsigned line, unsigned col, const char *why)
{
	struct irt_sigma *s = lc->s;
	char *msg = NULL, **nf;

	s->st.failed++;
	s->st.rules++;
	if (lc->f != NULL)
		lc->f->pub.failed++;
	if (asprintf(&msg, "%s:%u:%u: %s", irt_esc(lc->file), line, col, why) <
	    0)
		msg = NULL;
	if (msg != NULL && s->nfail == s->failcap) {
		size_t cap = s->failcap ? 2 * s->failcap : 16;
		if ((nf = realloc(s->failures, cap * sizeof *nf)) != NULL) {
			s->failures = nf;
			s->failcap = cap;
		}
	}
	if (msg != NULL && s->nfail < s->failcap)
		s->failures[s->nfail++] = msg;
	else
		free(msg);
	say(lc, "%s:%u:%u: %s", irt_esc(lc->file), line, col, why);
}

/* A rule's problem while compiling: the first one is kept, and a
 * malformed rule outranks a skipped one. */
struct problem {
	int skip; /* IRT_SIGMA_SKIP_* + 1, 0: none */
	bool error;
	unsigned line, col;
	char why[300];
};

static void
problem(struct problem *p, const struct ynode *at, int rc, const char *why)
{
	if (rc < 0) {
		if (p->error)
			return;
		p->error = true;
	} else {
		if (p->error || p->skip)
			return;
		p->skip = rc;
	}
	p->line = at ? at->line : 0;
	p->col = at ? at->col : 0;
	snprintf(p->why, sizeof p->why, "%s", why);
}

static const char *
scalar(const struct ynode *n)
{
	return n != NULL && n->kind == Y_SCALAR && n->type != Y_NULL ? n->s
	                                                             : NULL;
}

/* Compiles one field condition ("Field|mods": values) of a search. */
static void
compile_field(struct loadctx *lc, struct sg_rule *r, struct sg_fcond *fc,
    const struct ynode *key, const struct ynode *val, struct problem *pb,
    bool keywords)
{
	struct irt_sigma *s = lc->s;
	const char *bar = keywords ? NULL : strchr(key->s, '|');
	size_t flen = bar ? (size_t)(bar - key->s) : keywords ? 0 : key->len;
	struct sg_mods m;
	char why[256];
	const struct ynode *const *items;
	const struct ynode *one = val;
	size_t n, i;
	int rc;

	memset(fc, 0, sizeof *fc);
	fc->slot = -1;
	fc->exists = -1;
	rc = sg_mods_parse(&m, bar ? bar + 1 : "",
	    bar ? key->len - flen - 1 : 0, why, sizeof why);
	if (rc != 0) {
		problem(pb, key, rc, why);
		return;
	}
	if (flen == 0) {
		/* keywords search the message: as with contains */
		if (m.where == P_EQ && !m.re && !m.cidr && !m.num && !m.exists)
			m.where = P_CONTAINS;
		fc->slot = sg_keyword_slot(s->fm);
		fc->field = NULL;
		if (m.exists) {
			problem(pb, key, -1, "exists needs a field");
			return;
		}
	} else {
		char *name = sg_strndup(&s->arena, key->s, flen);
		if (name == NULL) {
			problem(pb, key, -1, "out of memory");
			return;
		}
		fc->field = name;
		if (r->cls >= 0) {
			fc->slot = sg_field_slot(s->fm, r->cls, name);
			if (fc->slot == -1) {
				snprintf(why, sizeof why,
				    "field '%.60s' not provided for %s",
				    irt_esc(name), sg_class_name(r->cls));
				problem(pb, key, IRT_SIGMA_SKIP_FIELD + 1, why);
			} else if (fc->slot < 0) {
				problem(pb, key, -1, "out of memory");
				return;
			}
		}
	}
	fc->all = m.all;
	if (val->kind == Y_MAP) {
		problem(pb, val, -1, "a field's value is a mapping");
		return;
	}
	if (val->kind == Y_SEQ) {
		items = (const struct ynode *const *)val->v;
		n = val->n;
		if (n == 0) {
			problem(pb, val, -1, "an empty list of values");
			return;
		}
	} else {
		items = &one;
		n = 1;
	}
	if (m.exists) {
		if (n != 1 || items[0]->kind != Y_SCALAR) {
			problem(pb, val, -1, "exists takes true or false");
			return;
		}
	}
	if ((fc->vals = calloc(n, sizeof *fc->vals)) == NULL) {
		problem(pb, val, -1, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		if (items[i]->kind != Y_SCALAR) {
			problem(
			    pb, items[i], -1, "a value that is not a scalar");
			return;
		}
		rc = sg_value_compile(
		    &fc->vals[i], &s->arena, &m, items[i], why, sizeof why);
		fc->nvals = i + 1;
		if (rc != 0) {
			problem(pb, items[i], rc, why);
			return;
		}
		if (m.exists)
			fc->exists = (int)fc->vals[i].alt[0].ival;
	}
}

static int
conj_add(struct sg_conj *cj, struct sg_fcond **out)
{
	struct sg_fcond *n = realloc(cj->c, (cj->n + 1) * sizeof *n);

	if (n == NULL)
		return -1;
	cj->c = n;
	*out = &n[cj->n++];
	memset(*out, 0, sizeof **out);
	(*out)->slot = -1;
	(*out)->exists = -1;
	return 0;
}

static int
search_add(struct sg_search *se, struct sg_conj **out)
{
	struct sg_conj *n = realloc(se->alt, (se->nalt + 1) * sizeof *n);

	if (n == NULL)
		return -1;
	se->alt = n;
	*out = &n[se->nalt++];
	memset(*out, 0, sizeof **out);
	return 0;
}

static void
compile_map(struct loadctx *lc, struct sg_rule *r, struct sg_search *se,
    const struct ynode *map, struct problem *pb)
{
	struct sg_conj *cj;
	struct sg_fcond *fc;
	size_t i;

	if (map->n == 0) {
		problem(pb, map, -1, "an empty search");
		return;
	}
	if (search_add(se, &cj) != 0) {
		problem(pb, map, -1, "out of memory");
		return;
	}
	for (i = 0; i < map->n; i++) {
		if (conj_add(cj, &fc) != 0) {
			problem(pb, map, -1, "out of memory");
			return;
		}
		compile_field(
		    lc, r, fc, map->v[2 * i], map->v[2 * i + 1], pb, false);
		if (pb->error)
			return;
	}
}

static void
compile_search(struct loadctx *lc, struct sg_rule *r, struct sg_search *se,
    const struct ynode *key, const struct ynode *v, struct problem *pb)
{
	struct sg_conj *cj;
	struct sg_fcond *fc;
	struct ynode kwseq;
	size_t i, nkw = 0;

	se->name = key->s;
	if (v->kind == Y_MAP) {
		compile_map(lc, r, se, v, pb);
		return;
	}
	if (v->kind == Y_SCALAR) {
		/* one keyword */
		if (search_add(se, &cj) != 0 || conj_add(cj, &fc) != 0) {
			problem(pb, v, -1, "out of memory");
			return;
		}
		compile_field(lc, r, fc, key, v, pb, true);
		return;
	}
	if (v->n == 0) {
		problem(pb, v, -1, "an empty search");
		return;
	}
	for (i = 0; i < v->n && !pb->error; i++) {
		if (v->v[i]->kind == Y_MAP)
			compile_map(lc, r, se, v->v[i], pb);
		else if (v->v[i]->kind == Y_SCALAR)
			nkw++;
		else
			problem(pb, v->v[i], -1, "a list inside a search list");
	}
	if (nkw == 0 || pb->error)
		return;
	/* the keywords of the list: one condition, any of them */
	memset(&kwseq, 0, sizeof kwseq);
	kwseq.kind = Y_SEQ;
	kwseq.line = v->line;
	kwseq.col = v->col;
	if ((kwseq.v = calloc(nkw, sizeof *kwseq.v)) == NULL) {
		problem(pb, v, -1, "out of memory");
		return;
	}
	for (i = 0; i < v->n; i++)
		if (v->v[i]->kind == Y_SCALAR)
			kwseq.v[kwseq.n++] = v->v[i];
	if (search_add(se, &cj) != 0 || conj_add(cj, &fc) != 0)
		problem(pb, v, -1, "out of memory");
	else
		compile_field(lc, r, fc, key, &kwseq, pb, true);
	free(kwseq.v);
}

static const char *
str_or(struct irt_sigma *s, const struct ynode *n, const char *dflt)
{
	const char *v = scalar(n);

	(void)s;
	return v != NULL ? v : dflt;
}

static bool
duplicate(struct irt_sigma *s, const char *id, const struct sg_rule **other)
{
	size_t i;

	if (id == NULL || *id == '\0')
		return false;
	for (i = 0; i < s->nrules; i++)
		if (strcmp(s->rules[i]->id, id) == 0) {
			*other = s->rules[i];
			return true;
		}
	return false;
}

static int
rule_add(struct irt_sigma *s, struct sg_rule *r)
{
	struct sg_rule **nr;

	if (s->nrules == s->rcap) {
		size_t cap = s->rcap ? 2 * s->rcap : 64;
		if ((nr = realloc(s->rules, cap * sizeof *nr)) == NULL)
			return -1;
		s->rules = nr;
		s->rcap = cap;
	}
	s->rules[s->nrules++] = r;
	return 0;
}

static void
skipped(struct loadctx *lc, struct sg_rule *r, int why, const char *text)
{
	lc->s->st.skipped++;
	lc->s->st.rules++;
	lc->s->st.by_reason[why]++;
	if (lc->f != NULL)
		lc->f->pub.skipped++;
	say(lc, "%s:%u: skipped rule '%s': %s", irt_esc(lc->file), r->line,
	    irt_esc(*r->id ? r->id : r->title), text);
}

/* Compiles the rule of one document (after any global part merged). */
static void
compile_rule(struct loadctx *lc, const struct ynode *doc, unsigned line)
{
	struct irt_sigma *s = lc->s;
	const struct ynode *det, *ls, *tags, *cond;
	struct sg_rule *r;
	struct problem pb;
	const char **names = NULL;
	const struct sg_rule *other;
	char why[300];
	size_t i, n;

	if (doc->kind != Y_MAP) {
		failed(lc, doc->line, doc->col, "a rule that is not a mapping");
		return;
	}
	if ((r = sg_alloc(&s->arena, sizeof *r)) == NULL) {
		failed(lc, line, 1, "out of memory");
		return;
	}
	memset(r, 0, sizeof *r);
	memset(&pb, 0, sizeof pb);
	r->file = lc->file;
	r->line = doc->line; /* its first key, after any "---" */
	r->id = str_or(s, ymap_get(doc, "id"), "");
	r->title = str_or(s, ymap_get(doc, "title"), "");
	r->level = str_or(s, ymap_get(doc, "level"), "");
	r->status = str_or(s, ymap_get(doc, "status"), "");
	if ((tags = ymap_get(doc, "tags")) != NULL && tags->kind == Y_SEQ &&
	    tags->n > 0) {
		if ((r->tags = sg_alloc(
		         &s->arena, tags->n * sizeof *r->tags)) == NULL) {
			failed(lc, line, 1, "out of memory");
			return;
		}
		for (i = 0; i < tags->n; i++)
			if (scalar(tags->v[i]) != NULL)
				r->tags[r->ntags++] = tags->v[i]->s;
	}
	if (ymap_get(doc, "correlation") != NULL) {
		skipped(lc, r, IRT_SIGMA_SKIP_AGGREGATION,
		    "a correlation rule (events are matched one at a time)");
		return;
	}
	det = ymap_get(doc, "detection");
	ls = ymap_get(doc, "logsource");
	if (det == NULL || det->kind != Y_MAP) {
		failed(lc, det ? det->line : doc->line,
		    det ? det->col : doc->col,
		    det ? "detection is not a mapping"
		        : "not a Sigma rule: no detection");
		return;
	}
	if (ls == NULL || ls->kind != Y_MAP) {
		failed(lc, ls ? ls->line : doc->line, ls ? ls->col : doc->col,
		    ls ? "logsource is not a mapping" : "no logsource");
		return;
	}
	r->cls = sg_logsource_class(scalar(ymap_get(ls, "product")),
	    scalar(ymap_get(ls, "category")), scalar(ymap_get(ls, "service")),
	    why, sizeof why);
	if (r->cls < 0)
		problem(&pb, ls, IRT_SIGMA_SKIP_LOGSOURCE + 1, why);
	if (ymap_get(det, "timeframe") != NULL)
		problem(&pb, ymap_get(det, "timeframe"),
		    IRT_SIGMA_SKIP_AGGREGATION + 1,
		    "timeframe (events are matched one at a time)");
	cond = ymap_get(det, "condition");
	n = det->n;
	if ((r->search = calloc(n ? n : 1, sizeof *r->search)) == NULL ||
	    (names = calloc(n ? n : 1, sizeof *names)) == NULL) {
		problem(&pb, det, -1, "out of memory");
		goto done;
	}
	for (i = 0; i < n && !pb.error; i++) {
		const struct ynode *k = det->v[2 * i], *v = det->v[2 * i + 1];
		size_t j;
		if (strcmp(k->s, "condition") == 0 ||
		    strcmp(k->s, "timeframe") == 0)
			continue;
		for (j = 0; j < r->nsearch; j++)
			if (strcmp(r->search[j].name, k->s) == 0)
				break;
		if (j < r->nsearch) {
			/* a repeated key: the last wins, as in PyYAML */
			continue;
		}
		if (ymap_get(det, k->s) != v)
			v = ymap_get(det, k->s);
		compile_search(lc, r, &r->search[r->nsearch], k, v, &pb);
		names[r->nsearch] = r->search[r->nsearch].name;
		r->nsearch++;
	}
	if (pb.error)
		goto done;
	if (cond == NULL) {
		problem(&pb, det, -1, "detection has no condition");
		goto done;
	}
	if (cond->kind == Y_SCALAR || cond->kind == Y_SEQ) {
		const struct ynode *one = cond;
		const struct ynode *const *list = cond->kind == Y_SEQ
		    ? (const struct ynode *const *)cond->v
		    : &one;
		size_t nc = cond->kind == Y_SEQ ? cond->n : 1;
		if (nc == 0)
			problem(&pb, cond, -1, "an empty list of conditions");
		for (i = 0; i < nc && !pb.error; i++) {
			unsigned col = 0;
			int rc;
			if (list[i]->kind != Y_SCALAR ||
			    list[i]->type == Y_NULL) {
				problem(&pb, list[i], -1,
				    "a condition that is not a string");
				break;
			}
			rc = sg_cond_parse(&r->cond, list[i]->s, list[i]->len,
			    names, r->nsearch, why, sizeof why, &col);
			if (rc == SG_COND_AGGREGATE) {
				problem(&pb, list[i],
				    IRT_SIGMA_SKIP_AGGREGATION + 1, why);
			} else if (rc != 0) {
				/* the column inside a plain one-line scalar */
				struct ynode at = *list[i];
				if (col > 0 &&
				    memchr(at.s, '\n', at.len) == NULL)
					at.col += col - 1;
				problem(&pb, &at, -1, why);
			}
		}
	} else
		problem(&pb, cond, -1, "condition is not a string or a list");
done:
	free(names);
	if (!pb.error && !pb.skip && duplicate(s, r->id, &other)) {
		snprintf(pb.why, sizeof pb.why, "id %s also in %s:%u",
		    irt_esc(r->id), irt_esc(other->file), other->line);
		pb.skip = IRT_SIGMA_SKIP_DUPLICATE + 1;
	}
	if (pb.error) {
		failed(
		    lc, pb.line ? pb.line : line, pb.col ? pb.col : 1, pb.why);
		rule_release(r);
		return;
	}
	if (pb.skip) {
		skipped(lc, r, pb.skip - 1, pb.why);
		rule_release(r);
		return;
	}
	if (rule_add(s, r) != 0) {
		failed(lc, line, 1, "out of memory");
		rule_release(r);
		return;
	}
	s->st.loaded++;
	s->st.rules++;
	if (lc->f != NULL)
		lc->f->pub.loaded++;
}

/* ---- loading: documents of a file ---- */

static int
load_data(struct loadctx *lc, const char *data, size_t len)
{
	struct sg_yaml y;
	struct ynode *doc, *global = NULL, *prev = NULL, *merged;
	unsigned line = 1;
	size_t ndocs = 0;
	int rc;

	sg_yaml_open(&y, &lc->s->arena, data, len);
	while ((rc = sg_yaml_next(&y, &doc, &line)) == 1) {
		const char *action;
		if (++ndocs > SG_DOCS_MAX) {
			failed(lc, line, 1, "more than 10000 documents");
			break;
		}
		action =
		    doc->kind == Y_MAP ? scalar(ymap_get(doc, "action")) : NULL;
		if (action != NULL && strcmp(action, "global") == 0) {
			global =
			    global ? ymerge(&lc->s->arena, global, doc) : doc;
			continue;
		}
		if (action != NULL && strcmp(action, "reset") == 0) {
			global = NULL;
			continue;
		}
		if (action != NULL && strcmp(action, "repeat") == 0) {
			if (prev == NULL) {
				failed(lc, line, 1,
				    "action: repeat without a rule before");
				continue;
			}
			merged = ymerge(&lc->s->arena, prev, doc);
		} else if (action != NULL) {
			char why[120];
			snprintf(why, sizeof why, "unknown action '%.40s'",
			    irt_esc(action));
			failed(lc, line, 1, why);
			continue;
		} else
			merged =
			    global ? ymerge(&lc->s->arena, global, doc) : doc;
		if (merged == NULL) {
			failed(lc, line, 1, "out of memory");
			continue;
		}
		if (doc->kind == Y_SCALAR && doc->type == Y_NULL)
			continue; /* an empty document ("---" at the end) */
		prev = merged;
		compile_rule(lc, merged, line);
	}
	if (rc < 0)
		failed(lc, y.err_line, y.err_col, y.err);
	sg_yaml_close(&y);
	return 0;
}

static struct file *
file_add(struct irt_sigma *s, const char *path, const char *sha)
{
	struct file *nf;

	if (s->nfiles == s->fcap) {
		size_t cap = s->fcap ? 2 * s->fcap : 16;
		if ((nf = realloc(s->files, cap * sizeof *nf)) == NULL)
			return NULL;
		s->files = nf;
		s->fcap = cap;
	}
	nf = &s->files[s->nfiles];
	memset(nf, 0, sizeof *nf);
	if ((nf->path = strdup(path)) == NULL)
		return NULL;
	snprintf(nf->sha256, sizeof nf->sha256, "%s", sha);
	s->nfiles++;
	s->st.files++;
	return nf;
}

int
irt_sigma_load_buffer(struct irt_sigma *s, const char *name, const void *data,
    size_t len, irt_sigma_warn_fn warn, void *arg)
{
	struct loadctx lc;
	char sha[65];
	int rc;

	memset(&lc, 0, sizeof lc);
	lc.s = s;
	lc.warn = warn;
	lc.arg = arg;
	s->warn = warn;
	s->warn_arg = arg;
	if ((rc = irt_sha256_hex(sha, data, len)) != 0)
		return rc;
	if ((lc.file = sg_strndup(&s->arena, name, strlen(name))) == NULL ||
	    (lc.f = file_add(s, name, sha)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if (len > SG_FILE_MAX) {
		failed(&lc, 1, 1, "file larger than 16 MiB");
		return 0;
	}
	return load_data(&lc, data, len);
}

/* Reads a regular file without blocking on a FIFO or a device. */
static int
read_rule_file(struct irt_buf *b, int dirfd, const char *name, const char *path,
    bool follow)
{
	struct stat st;
	int fd, rc;

	fd = openat(dirfd, name,
	    O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	if (fstat(fd, &st) != 0) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot stat '%s'", irt_esc(path));
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return irt_error_set(
		    IRT_EINVAL, "'%s' is not a regular file", irt_esc(path));
	}
	if (st.st_size > (off_t)SG_FILE_MAX) {
		close(fd);
		return irt_error_set(
		    IRT_EINVAL, "'%s' is larger than 16 MiB", irt_esc(path));
	}
	rc = irt_read_fd(b, fd, SG_FILE_MAX + 1);
	close(fd);
	if (rc != 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot read '%s'", irt_esc(path));
	if (b->len > SG_FILE_MAX)
		return irt_error_set(
		    IRT_EINVAL, "'%s' is larger than 16 MiB", irt_esc(path));
	return 0;
}

static int
load_file(struct irt_sigma *s, int dirfd, const char *name, const char *path,
    bool follow, irt_sigma_warn_fn warn, void *arg)
{
	struct irt_buf b = IRT_BUF_INIT;
	int rc;

	if ((rc = read_rule_file(&b, dirfd, name, path, follow)) == 0)
		rc = irt_sigma_load_buffer(
		    s, path, b.ptr ? b.ptr : "", b.len, warn, arg);
	irt_buf_release(&b);
	return rc;
}

static bool
rule_name(const char *n)
{
	size_t l = strlen(n);

	return n[0] != '.' &&
	    ((l > 4 && strcmp(n + l - 4, ".yml") == 0) ||
	        (l > 5 && strcmp(n + l - 5, ".yaml") == 0));
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct walk {
	struct irt_sigma *s;
	irt_sigma_warn_fn warn;
	void *arg;
	const char *root; /* realpath of the directory given */
	size_t files;
};

static void walk_warn(struct walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
walk_warn(struct walk *w, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (w->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	w->warn(msg, w->arg);
}

/* Is the target of the link at path a regular file inside the root? */
static bool
link_inside(struct walk *w, const char *path)
{
	char *real = realpath(path, NULL);
	size_t rl = strlen(w->root);
	struct stat st;
	bool ok;

	if (real == NULL)
		return false;
	ok = strncmp(real, w->root, rl) == 0 &&
	    (real[rl] == '/' || strcmp(w->root, "/") == 0) &&
	    stat(real, &st) == 0 && S_ISREG(st.st_mode);
	free(real);
	return ok;
}

static int
walk_dir(struct walk *w, int fd, const char *path, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, **nn;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return irt_error_sys(
		    IRT_EIO, errno, "cannot read '%s'", irt_esc(path));
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			if ((nn = realloc(names, cap * sizeof *nn)) == NULL) {
				rc = irt_error_set(IRT_ENOMEM, "out of memory");
				goto out;
			}
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			goto out;
		}
		n++;
	}
	if (n > 0)
		qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		struct stat st;
		char *sub;
		if (asprintf(&sub, "%s/%s", path, names[i]) < 0) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			break;
		}
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) !=
		    0) {
			walk_warn(w, "cannot stat '%s': %s", irt_esc(sub),
			    strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			int sfd = openat(dirfd(d), names[i],
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (depth >= SG_DIR_DEPTH_MAX)
				walk_warn(w,
				    "'%s' is nested too deep, not read",
				    irt_esc(sub));
			if (sfd < 0)
				walk_warn(w, "cannot open '%s': %s",
				    irt_esc(sub), strerror(errno));
			else if (depth >= SG_DIR_DEPTH_MAX)
				close(sfd);
			else
				rc = walk_dir(w, sfd, sub, depth + 1);
		} else if (rule_name(names[i]) &&
		    (S_ISREG(st.st_mode) ||
		        (S_ISLNK(st.st_mode) && link_inside(w, sub)))) {
			if (++w->files > SG_FILES_MAX) {
				rc = irt_error_set(IRT_EINVAL,
				    "more than %d rule files under '%s'",
				    SG_FILES_MAX, irt_esc(w->root));
			} else if (load_file(w->s, dirfd(d), names[i], sub,
			               S_ISLNK(st.st_mode), w->warn,
			               w->arg) != 0) {
				if (irt_error_code() == IRT_ENOMEM)
					rc = IRT_ENOMEM;
				else
					walk_warn(w, "%s", irt_error_last());
			}
		} else if (rule_name(names[i]) && S_ISLNK(st.st_mode)) {
			walk_warn(w,
			    "'%s' is a link out of '%s' or not to a file, "
			    "not read",
			    irt_esc(sub), irt_esc(w->root));
		} else if (rule_name(names[i])) {
			walk_warn(w, "'%s' is not a regular file, not read",
			    irt_esc(sub));
		}
		free(sub);
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int
irt_sigma_load(
    struct irt_sigma *s, const char *path, irt_sigma_warn_fn warn, void *arg)
{
	struct stat st;
	struct walk w;
	char *real;
	int fd, rc;

	s->warn = warn;
	s->warn_arg = arg;
	if (stat(path, &st) != 0)
		return irt_error_sys(
		    IRT_ENOTFOUND, errno, "cannot read '%s'", irt_esc(path));
	if (!S_ISDIR(st.st_mode))
		return load_file(s, AT_FDCWD, path, path, true, warn, arg);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	if ((real = realpath(path, NULL)) == NULL) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot resolve '%s'", irt_esc(path));
		close(fd);
		return rc;
	}
	memset(&w, 0, sizeof w);
	w.s = s;
	w.warn = warn;
	w.arg = arg;
	w.root = real;
	rc = walk_dir(&w, fd, path, 0);
	free(real);
	return rc;
}

/* ---- statistics ---- */

void
irt_sigma_stats(const struct irt_sigma *s, struct irt_sigma_stats *st)
{
	*st = s->st;
}

size_t
irt_sigma_failure_count(const struct irt_sigma *s)
{
	return s->nfail;
}

const char *
irt_sigma_failure_at(const struct irt_sigma *s, size_t i)
{
	return i < s->nfail ? s->failures[i] : NULL;
}

int
irt_sigma_summary(struct irt_buf *out, const struct irt_sigma *s)
{
	const struct irt_sigma_stats *st = &s->st;
	size_t i;
	int n = 0, rc;

	rc = irt_buf_printf(out, "%u rule%s loaded, %u skipped", st->loaded,
	    st->loaded == 1 ? "" : "s", st->skipped);
	if (st->skipped > 0) {
		irt_buf_puts(out, " (");
		for (i = 0; i < IRT_SIGMA_SKIP_MAX; i++) {
			if (st->by_reason[i] == 0)
				continue;
			irt_buf_printf(out, "%s%u %s", n++ ? ", " : "",
			    st->by_reason[i], irt_sigma_skip_name(i));
		}
		irt_buf_putc(out, ')');
	}
	irt_buf_printf(out, ", %u failed to parse", st->failed);
	if (s->nfail > 0) {
		irt_buf_puts(out, " (");
		for (i = 0; i < s->nfail && i < 5; i++) {
			/* file:line:column, without the reason */
			const char *f = s->failures[i], *e = f, *c;
			int colons = 0;
			for (c = f; *c && colons < 3; c++)
				if (*c == ':' && ++colons == 3)
					e = c;
			irt_buf_printf(out, "%s%.*s", i ? ", " : "",
			    (int)(e > f ? e - f : (long)strlen(f)), f);
		}
		if (s->nfail > 5)
			irt_buf_printf(out, ", %zu more", s->nfail - 5);
		irt_buf_putc(out, ')');
	}
	return rc != 0 ? rc : (out->ptr == NULL ? IRT_ENOMEM : 0);
}

size_t
irt_sigma_file_count(const struct irt_sigma *s)
{
	return s->nfiles;
}

const struct irt_sigma_file *
irt_sigma_file_at(const struct irt_sigma *s, size_t i)
{
	struct file *f;

	if (i >= s->nfiles)
		return NULL;
	f = &s->files[i];
	f->pub.path = f->path;
	f->pub.sha256 = f->sha256;
	return &f->pub;
}

/* ---- matching ---- */

struct mctx {
	struct irt_sigma *s;
	struct sg_rule *r;
	const struct irt_tl_event *ev;
	/* what matched, for the hit */
	const char *field;
	const char *val;
	size_t len;
	bool set;
};

static void
cutoff(struct mctx *m)
{
	struct irt_sigma *s = m->s;
	char msg[1024];

	s->st.cutoffs++;
	if (m->r->cutoffs++ >= SG_CUTOFF_REPORTS || s->warn == NULL)
		return;
	snprintf(msg, sizeof msg,
	    "%s:%u: rule '%s': a regular expression hit its match limit on "
	    "%s line %llu and did not match",
	    irt_esc(m->r->file), m->r->line,
	    irt_esc(*m->r->id ? m->r->id : m->r->title),
	    irt_esc(irt_tl_event_source(m->ev)),
	    (unsigned long long)irt_tl_event_line(m->ev));
	s->warn(msg, s->warn_arg);
}

static bool
value_match(struct mctx *m, const struct sg_value *v, const struct sg_val *ev,
    size_t nev, const struct sg_val **which)
{
	size_t i, j;
	int rc;

	for (i = 0; i < v->nalt; i++)
		for (j = 0; j < nev; j++) {
			rc = sg_pat_match(
			    &v->alt[i], ev[j].s, ev[j].lc, ev[j].len);
			if (rc == M_CUTOFF)
				cutoff(m);
			else if (rc) {
				*which = &ev[j];
				return true;
			}
		}
	return false;
}

static bool
fcond_match(struct mctx *m, const struct sg_fcond *fc, bool pos)
{
	const struct sg_val *ev, *which = NULL;
	size_t nev, i;
	bool ok;

	ev = sg_event_values(m->s->ev, fc->slot, &nev);
	if (fc->exists >= 0) {
		ok = (nev > 0) == (fc->exists != 0);
		if (ok && nev > 0 && pos && !m->set) {
			m->field = fc->field;
			m->val = ev[0].s;
			m->len = ev[0].len;
			m->set = true;
		}
		return ok;
	}
	if (nev == 0)
		return false;
	if (fc->all) {
		for (i = 0; i < fc->nvals; i++)
			if (!value_match(m, &fc->vals[i], ev, nev, &which))
				return false;
		ok = true;
	} else {
		ok = false;
		for (i = 0; i < fc->nvals && !ok; i++)
			ok = value_match(m, &fc->vals[i], ev, nev, &which);
	}
	if (ok && pos && !m->set && which != NULL) {
		m->field = fc->field;
		m->val = which->s;
		m->len = which->len;
		m->set = true;
	}
	return ok;
}

static bool
search_match(struct mctx *m, uint32_t i, bool pos)
{
	struct irt_sigma *s = m->s;
	const struct sg_search *se = &m->r->search[i];
	size_t a, c;
	bool ok = false;

	if (s->memo[i]) {
		ok = s->memo[i] == 2;
		if (ok && pos && !m->set && s->memo_val[i] != NULL) {
			m->field = s->memo_field[i];
			m->val = s->memo_val[i];
			m->len = s->memo_len[i];
			m->set = true;
		}
		return ok;
	}
	for (a = 0; a < se->nalt && !ok; a++) {
		struct mctx save = *m;
		bool all = true;
		m->set = false;
		for (c = 0; c < se->alt[a].n && all; c++)
			all = fcond_match(m, &se->alt[a].c[c], true);
		if (all) {
			ok = true;
			s->memo_field[i] = m->set ? m->field : NULL;
			s->memo_val[i] = m->set ? m->val : NULL;
			s->memo_len[i] = m->set ? m->len : 0;
		}
		if (!all || !pos || save.set) {
			m->field = save.field;
			m->val = save.val;
			m->len = save.len;
			m->set = save.set;
		}
	}
	s->memo[i] = ok ? 2 : 1;
	return ok;
}

static bool
node_match(struct mctx *m, uint32_t ni, bool pos)
{
	const struct sg_cond *c = &m->r->cond;
	const struct sg_cnode *n = &c->nodes[ni];
	struct mctx save = *m;
	bool ok;
	uint32_t i, hits = 0;

	switch (n->op) {
	case C_REF:
		return search_match(m, n->a, pos);
	case C_NOT:
		ok = !node_match(m, n->a, !pos);
		*m = save;
		return ok;
	case C_AND:
		ok = node_match(m, n->a, pos) && node_match(m, n->b, pos);
		break;
	case C_OR:
		ok = node_match(m, n->a, pos) || node_match(m, n->b, pos);
		break;
	case C_OF:
		for (i = 0; i < n->b; i++) {
			if (search_match(m, c->refs[n->a + i], pos))
				hits++;
			else if (n->n == 0)
				break;
			if (n->n > 0 && hits >= n->n)
				break;
		}
		ok = n->n == 0 ? hits == n->b : hits >= n->n;
		break;
	default:
		ok = false;
	}
	if (!ok)
		*m = save;
	return ok;
}

static int
memo_fit(struct irt_sigma *s, size_t n)
{
	if (n <= s->memo_cap)
		return 0;
	free(s->memo);
	free(s->memo_field);
	free(s->memo_val);
	free(s->memo_len);
	s->memo = calloc(n, 1);
	s->memo_field = calloc(n, sizeof *s->memo_field);
	s->memo_val = calloc(n, sizeof *s->memo_val);
	s->memo_len = calloc(n, sizeof *s->memo_len);
	if (s->memo == NULL || s->memo_field == NULL || s->memo_val == NULL ||
	    s->memo_len == NULL) {
		s->memo_cap = 0;
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	s->memo_cap = n;
	return 0;
}

int
irt_sigma_match(struct irt_sigma *s, const struct irt_tl_event *ev,
    irt_sigma_hit_fn fn, void *arg)
{
	struct irt_sigma_hit hit;
	struct mctx m;
	uint32_t mask;
	size_t i;
	int rc;

	s->st.events++;
	if (s->nrules == 0)
		return 0;
	mask = sg_event_begin(s->ev, ev);
	if (mask == 0)
		return 0;
	for (i = 0; i < s->nrules; i++) {
		struct sg_rule *r = s->rules[i];
		if (!(mask & 1u << r->cls))
			continue;
		if ((rc = memo_fit(s, r->nsearch)) != 0)
			return rc;
		memset(s->memo, 0, r->nsearch);
		memset(&m, 0, sizeof m);
		m.s = s;
		m.r = r;
		m.ev = ev;
		if (!node_match(&m, r->cond.root, true))
			continue;
		s->st.hits++;
		memset(&hit, 0, sizeof hit);
		hit.id = r->id;
		hit.title = r->title;
		hit.level = r->level;
		hit.status = r->status;
		hit.tags = r->tags;
		hit.ntags = r->ntags;
		hit.file = r->file;
		hit.line = r->line;
		hit.field = m.set ? m.field : NULL;
		hit.value = m.set ? m.val : NULL;
		hit.value_len = m.set ? m.len : 0;
		if ((rc = fn(&hit, arg)) != 0)
			return rc;
	}
	return 0;
}
