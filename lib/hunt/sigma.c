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
/* Scans of its values before an anchor's own count is trusted. */
#define SG_CHOICE_MIN 1000
/* Masks of classes whose rules are listed. */
#define SG_MASKS_MAX 16

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
	/* the prefilter: a match needs one of these anchors in the values
	 * of its slot (nnec 0: no such set, the rule is always evaluated) */
	struct nec *nec;
	size_t nnec;
	int nec_slot; /* the one slot of all of nec, or -1 */
};

struct nec {
	int slot;
	int anchor; /* 1 + id */
};

struct arule {
	uint32_t rule;
	int slot;
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
	struct sg_ac *ac; /* the prefilter, built at the first match */
	bool ac_dirty;
	bool no_prefilter; /* every rule evaluated on every event */
	/* which rules have an anchor, for marking the candidates of an
	 * event from the anchors found in it */
	size_t *arule_start; /* per anchor id, into arules; one more */
	struct arule *arules;
	uint32_t *mark;  /* per rule: the event it is a candidate for */
	uint32_t *swept; /* per slot: the event its anchors were marked */
	uint32_t *spill; /* per slot: too many anchors, test each rule */
	/* per rule: the one slot of its anchors (nec_slot), -2 without
	 * anchors, read without going to the rule itself */
	int32_t *rslot;
	/* how often each anchor occurs, to choose the anchors a rule is
	 * tested by: counted since the prefilter was built, and the
	 * choice made again after 2,000, 20,000 and 200,000 events */
	uint32_t *hitcount;
	uint8_t *alen; /* anchor lengths, for a guess before counting */
	size_t nalen;
	double *weight;
	uint64_t events_at_build, next_choice;
	/* events of each class since the prefilter was built: the choice
	 * is made again when a class has seen 2,000, 20,000 and 200,000
	 * (a syslog file read before an audit log says nothing of it) */
	uint64_t cls_events[CL_MAX];
	bool rechoose;
	/* the rules of the classes of an event, in order, for the few
	 * masks of classes the events have (a log has one or two) */
	struct bymask {
		uint32_t mask;
		uint32_t *rules;
		size_t n;
	} bymask[SG_MASKS_MAX];
	size_t nbymask;
	size_t nswept;
	uint32_t gen;
	irt_sigma_warn_fn warn;
	void *warn_arg;
	/* per-rule scratch of a match: the state of each search */
	uint8_t *memo;
	const char **memo_field;
	const char **memo_val;
	size_t *memo_len;
	size_t memo_cap;
};

static void bymask_clear(struct irt_sigma *s);

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
	free(r->nec);
	r->nec = NULL;
	r->nnec = 0;
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
	bymask_clear(s);
	sg_event_free(s->ev);
	sg_ac_free(s->ac);
	free(s->arule_start);
	free(s->arules);
	free(s->mark);
	free(s->swept);
	free(s->spill);
	free(s->rslot);
	free(s->hitcount);
	free(s->alen);
	free(s->weight);
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

static void
bymask_clear(struct irt_sigma *s)
{
	size_t i;

	for (i = 0; i < s->nbymask; i++)
		free(s->bymask[i].rules);
	s->nbymask = 0;
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
	bymask_clear(s);
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
	s->ac_dirty = true;
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
			rc = sg_pat_match(&v->alt[i], &ev[j]);
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

/*
 * The anchors one of which every match of a rule contains: a set of
 * (slot, anchor) derived from its condition (and: the smaller side;
 * or, 1 of: the union; not, re, cidr, numbers, exists: no set).
 */
#define NEC_MAX 256
#define SG_ANCHOR_MIN 3
#define SG_ANCHOR_MAX 32

struct necset {
	struct nec *v;
	size_t n;
	bool none;
};

static void
nec_none(struct necset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
	s->none = true;
}

static void
nec_union(struct necset *a, struct necset *b)
{
	struct nec *nv;

	if (a->none || b->none || a->n + b->n > NEC_MAX ||
	    (nv = realloc(a->v, (a->n + b->n + 1) * sizeof *nv)) == NULL) {
		nec_none(a);
		nec_none(b);
		return;
	}
	if (b->n > 0)
		memcpy(nv + a->n, b->v, b->n * sizeof *nv);
	a->v = nv;
	a->n += b->n;
	free(b->v);
	b->v = NULL;
}

/* What testing a set costs: the share of events in which one of its
 * anchors occurs, and the bytes of its slots to look through. */
struct costs {
	const double *anchor;
	const double *slot;
	size_t nslot;
};

static double
nec_cost(const struct costs *w, const struct necset *s)
{
	double c = 0;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		c += w->anchor[s->v[i].anchor - 1];
		for (j = 0; j < i && s->v[j].slot != s->v[i].slot; j++)
			;
		if (j == i && (size_t)s->v[i].slot < w->nslot)
			c += w->slot[s->v[i].slot];
	}
	return c;
}

/* a becomes the cheaper of a and b (an and: either set is needed). */
static void
nec_min(const struct costs *w, struct necset *a, struct necset *b)
{
	if (a->none || (!b->none && nec_cost(w, b) < nec_cost(w, a))) {
		free(a->v);
		*a = *b;
	} else
		free(b->v);
	b->v = NULL;
}

static struct necset
nec_value(const struct sg_fcond *c, const struct sg_value *v)
{
	struct necset s = { NULL, 0, false };
	size_t i;

	if (v->nalt == 0 || (s.v = malloc(v->nalt * sizeof *s.v)) == NULL) {
		s.none = true;
		return s;
	}
	for (i = 0; i < v->nalt; i++) {
		if (v->alt[i].anchor == 0 || v->nalt > NEC_MAX) {
			nec_none(&s);
			return s;
		}
		s.v[s.n].slot = c->slot;
		s.v[s.n++].anchor = v->alt[i].anchor;
	}
	return s;
}

static struct necset
nec_fcond(const struct costs *w, const struct sg_fcond *c)
{
	struct necset s = { NULL, 0, true }, t;
	size_t i;

	if (c->exists >= 0 || c->slot < 0 || c->nvals == 0)
		return s;
	s = nec_value(c, &c->vals[0]);
	for (i = 1; i < c->nvals; i++) {
		t = nec_value(c, &c->vals[i]);
		if (c->all)
			nec_min(w, &s, &t);
		else
			nec_union(&s, &t);
	}
	return s;
}

static struct necset
nec_search(const struct costs *w, const struct sg_search *se)
{
	struct necset s = { NULL, 0, true }, t, u;
	size_t a, c;

	for (a = 0; a < se->nalt; a++) {
		t = (struct necset){ NULL, 0, true };
		for (c = 0; c < se->alt[a].n; c++) {
			u = nec_fcond(w, &se->alt[a].c[c]);
			nec_min(w, &t, &u);
		}
		if (a == 0)
			s = t;
		else
			nec_union(&s, &t);
		if (s.none)
			break;
	}
	return s;
}

static struct necset
nec_node(const struct costs *w, const struct sg_rule *r, uint32_t ni, int depth)
{
	const struct sg_cnode *n = &r->cond.nodes[ni];
	struct necset s = { NULL, 0, true }, t;
	uint32_t i;

	if (depth > 2 * SG_COND_NODES_MAX)
		return s;
	switch (n->op) {
	case C_REF:
		return nec_search(w, &r->search[n->a]);
	case C_AND:
		s = nec_node(w, r, n->a, depth + 1);
		t = nec_node(w, r, n->b, depth + 1);
		nec_min(w, &s, &t);
		return s;
	case C_OR:
		s = nec_node(w, r, n->a, depth + 1);
		t = nec_node(w, r, n->b, depth + 1);
		nec_union(&s, &t);
		return s;
	case C_OF:
		for (i = 0; i < n->b; i++) {
			t = nec_search(w, &r->search[r->cond.refs[n->a + i]]);
			if (i == 0)
				s = t;
			else if (n->n == 0 || n->n >= n->b)
				nec_min(w, &s, &t); /* all of them */
			else
				nec_union(&s, &t);
		}
		return s;
	default: /* not */
		return s;
	}
}

/* The rules of each anchor, and the per-event marks. */
static void
index_anchors(struct irt_sigma *s)
{
	size_t na = (size_t)sg_ac_count(s->ac), r, i, total = 0, *pos;
	size_t nslots = sg_slot_count(s->fm);

	free(s->arule_start);
	free(s->arules);
	free(s->mark);
	free(s->swept);
	free(s->spill);
	free(s->rslot);
	s->arules = NULL;
	s->mark = s->swept = s->spill = NULL;
	s->rslot = NULL;
	s->gen = 0;
	s->arule_start = calloc(na + 1, sizeof *s->arule_start);
	pos = calloc(na + 1, sizeof *pos);
	if (s->arule_start == NULL || pos == NULL)
		goto fail;
	for (r = 0; r < s->nrules; r++)
		for (i = 0; i < s->rules[r]->nnec; i++) {
			s->arule_start[s->rules[r]->nec[i].anchor]++;
			total++;
		}
	for (i = 1; i <= na; i++)
		s->arule_start[i] += s->arule_start[i - 1];
	/* arule_start[id] .. arule_start[id + 1] for anchor id */
	memcpy(pos, s->arule_start, (na + 1) * sizeof *pos);
	if ((s->arules = malloc((total + 1) * sizeof *s->arules)) == NULL ||
	    (s->mark = calloc(s->nrules + 1, sizeof *s->mark)) == NULL ||
	    (s->swept = calloc(nslots + 1, sizeof *s->swept)) == NULL ||
	    (s->spill = calloc(nslots + 1, sizeof *s->spill)) == NULL ||
	    (s->rslot = calloc(s->nrules + 1, sizeof *s->rslot)) == NULL)
		goto fail;
	for (r = 0; r < s->nrules; r++)
		s->rslot[r] =
		    s->rules[r]->nnec == 0 ? -2 : s->rules[r]->nec_slot;
	s->nswept = nslots;
	for (r = 0; r < s->nrules; r++)
		for (i = 0; i < s->rules[r]->nnec; i++) {
			size_t a = (size_t)s->rules[r]->nec[i].anchor - 1;
			s->arules[pos[a]].rule = (uint32_t)r;
			s->arules[pos[a]++].slot = s->rules[r]->nec[i].slot;
		}
	free(pos);
	return;
fail:
	free(pos);
	free(s->arule_start);
	free(s->arules);
	free(s->mark);
	free(s->swept);
	free(s->spill);
	free(s->rslot);
	s->arule_start = NULL;
	s->arules = NULL;
	s->mark = s->swept = s->spill = NULL;
	s->rslot = NULL;
}

static void choose(struct irt_sigma *s);

static void
note_len(struct irt_sigma *s, int id, size_t len)
{
	uint8_t *na;

	if ((size_t)id >= s->nalen) {
		size_t cap = s->nalen ? 2 * s->nalen : 256;
		while (cap <= (size_t)id)
			cap *= 2;
		if ((na = realloc(s->alen, cap)) == NULL) {
			free(s->alen);
			s->alen = NULL;
			s->nalen = 0;
			return;
		}
		memset(na + s->nalen, 1, cap - s->nalen);
		s->alen = na;
		s->nalen = cap;
	}
	if (s->alen != NULL)
		s->alen[id] = (uint8_t)(len > 255 ? 255 : len);
}

/* Gives every literal value an anchor in a new prefilter. */
static void
build_prefilter(struct irt_sigma *s)
{
	struct sg_ac *ac;
	char buf[64];
	size_t r, i, j, k, l, m, n, na;

	s->ac_dirty = false;
	sg_event_set_ac(s->ev, NULL, NULL);
	sg_ac_free(s->ac);
	free(s->alen);
	s->alen = NULL;
	s->nalen = 0;
	if ((s->ac = ac = sg_ac_new()) == NULL)
		return;
	for (r = 0; r < s->nrules; r++) {
		struct sg_rule *rule = s->rules[r];
		for (i = 0; i < rule->nsearch; i++)
			for (j = 0; j < rule->search[i].nalt; j++)
				for (k = 0; k < rule->search[i].alt[j].n; k++) {
					struct sg_fcond *c =
					    &rule->search[i].alt[j].c[k];
					for (l = 0; l < c->nvals; l++)
						for (m = 0; m < c->vals[l].nalt;
						     m++) {
							struct sg_pat *p =
							    &c->vals[l].alt[m];
							n = sg_pat_anchor(p,
							    buf, SG_ANCHOR_MAX);
							/* shorter ones are in
							 * almost every text */
							if (n < SG_ANCHOR_MIN)
								n = 0;
							p->anchor = n > 0
							    ? sg_ac_add(
							          ac, buf, n) +
							        1
							    : 0;
							p->whole =
							    p->anchor > 0 &&
							    p->op ==
							        P_CONTAINS &&
							    !p->cased &&
							    n == p->len;
							if (p->anchor > 0)
								note_len(s,
								    p->anchor -
								        1,
								    n);
						}
				}
	}
	if (sg_ac_build(ac) != 0)
		return;
	na = (size_t)sg_ac_count(ac);
	free(s->hitcount);
	free(s->weight);
	s->hitcount = calloc(na + 1, sizeof *s->hitcount);
	s->weight = calloc(na + 1, sizeof *s->weight);
	if (s->hitcount == NULL || s->weight == NULL || s->alen == NULL)
		return;
	sg_event_set_ac(s->ev, ac, s->hitcount);
	s->events_at_build = s->st.events;
	s->next_choice = s->st.events + 2000;
	memset(s->cls_events, 0, sizeof s->cls_events);
	s->rechoose = false;
	choose(s);
}

/* The events in which each anchor could have been found: the most
 * events any slot it is looked for in was scanned for. */
static void
anchor_chances(struct irt_sigma *s, const uint64_t *scans, uint64_t *chances)
{
	size_t r, i, j, k, l, m;

	for (r = 0; r < s->nrules; r++) {
		const struct sg_rule *rule = s->rules[r];
		for (i = 0; i < rule->nsearch; i++)
			for (j = 0; j < rule->search[i].nalt; j++)
				for (k = 0; k < rule->search[i].alt[j].n; k++) {
					const struct sg_fcond *c =
					    &rule->search[i].alt[j].c[k];
					if (c->slot < 0)
						continue;
					for (l = 0; l < c->nvals; l++)
						for (m = 0; m < c->vals[l].nalt;
						     m++) {
							int a = c->vals[l]
							            .alt[m]
							            .anchor;
							if (a > 0 &&
							    scans[c->slot] >
							        chances[a - 1])
								chances[a -
								    1] = scans
								    [c->slot];
						}
				}
	}
}

/*
 * Chooses the anchors each rule is tested by: those of the cheapest
 * necessary set, by how often each anchor occurred in the values it is
 * looked for in (an anchor of values not yet seen often enough, say of
 * audit events while a syslog file is read, is guessed to be the more
 * common the shorter it is).
 */
static void
choose(struct irt_sigma *s)
{
	size_t na = (size_t)sg_ac_count(s->ac), r, i;
	struct costs w;
	size_t ns_ = sg_slot_count(s->fm);
	double *sw = calloc(ns_ + 1, sizeof *sw);
	uint64_t *scans = calloc(ns_ + 1, sizeof *scans);
	uint64_t *chances = calloc(na + 1, sizeof *chances);
	struct sg_slot_stats st;

	if (sw == NULL || scans == NULL || chances == NULL) {
		free(sw);
		free(scans);
		free(chances);
		return;
	}
	/* a thousand bytes to look through weigh as much as an anchor
	 * found in every event */
	for (i = 0; i < ns_; i++) {
		sg_event_slot_stats(s->ev, (int)i, &st);
		scans[i] = st.scans;
		sw[i] = st.fills > 0
		    ? (double)st.bytes / (double)st.fills / 1000.0
		    : 0;
	}
	anchor_chances(s, scans, chances);
	for (i = 0; i < na; i++)
		s->weight[i] = chances[i] >= SG_CHOICE_MIN
		    ? (s->hitcount[i] + 0.5) / (double)(chances[i] + 1)
		    : 1.0 / ((double)s->alen[i] * s->alen[i]);
	free(scans);
	free(chances);
	w.anchor = s->weight;
	w.slot = sw;
	w.nslot = ns_;
	for (r = 0; r < s->nrules; r++) {
		struct sg_rule *rule = s->rules[r];
		struct necset ns = nec_node(&w, rule, rule->cond.root, 0);
		free(rule->nec);
		rule->nec = NULL;
		rule->nnec = 0;
		rule->nec_slot = -1;
		if (!ns.none && ns.n > 0) {
			rule->nec = ns.v;
			rule->nnec = ns.n;
			rule->nec_slot = ns.v[0].slot;
			for (i = 1; i < ns.n; i++)
				if (ns.v[i].slot != rule->nec_slot)
					rule->nec_slot = -1;
		} else
			free(ns.v);
	}
	free(sw);
	index_anchors(s);
}

void
sg_sigma_set_prefilter(struct irt_sigma *s, bool on)
{
	s->no_prefilter = !on;
}

/* Can the rule match this event, going by the prefilter? */
static bool
candidate(struct irt_sigma *s, const struct sg_rule *r, size_t ri)
{
	const struct sg_val *v;
	size_t i, j, k, n;
	int slot = r->nec_slot;

	if (r->nnec == 0 || s->no_prefilter)
		return true;
	if (slot >= 0 && s->mark != NULL && (size_t)slot < s->nswept) {
		if (s->swept[slot] != s->gen) {
			/* mark the rules of every anchor found in the
			 * slot's values */
			s->swept[slot] = s->gen;
			v = sg_event_scanned(s->ev, slot, &n);
			for (j = 0; j < n; j++) {
				if (v[j].bits == NULL ||
				    v[j].nhits == SIZE_MAX) {
					s->spill[slot] = s->gen;
					break;
				}
				for (i = 0; i < v[j].nhits; i++) {
					int a = v[j].hits[i];
					for (k = s->arule_start[a];
					     k < s->arule_start[a + 1]; k++)
						if (s->arules[k].slot == slot)
							s->mark[s->arules[k]
							            .rule] =
							    s->gen;
				}
			}
		}
		if (s->spill[slot] != s->gen)
			return s->mark[ri] == s->gen;
	}
	/* test each anchor of the rule */
	for (i = 0; i < r->nnec; i++) {
		int a = r->nec[i].anchor - 1;
		v = sg_event_scanned(s->ev, r->nec[i].slot, &n);
		for (j = 0; j < n; j++)
			if (v[j].bits == NULL ||
			    (v[j].bits[a >> 3] & (1u << (a & 7))))
				return true;
	}
	return false;
}

/* False when the anchors already marked for the event show that the
 * rule cannot match it (as candidate would say), without reading the
 * rule; true when candidate must tell. */
static inline bool
maybe_candidate(const struct irt_sigma *s, size_t ri)
{
	int32_t slot;

	if (s->rslot == NULL || s->no_prefilter)
		return true;
	slot = s->rslot[ri];
	if (slot < 0 || (size_t)slot >= s->nswept || s->swept[slot] != s->gen ||
	    s->spill[slot] == s->gen)
		return true;
	return s->mark[ri] == s->gen;
}

/* The rules of an event's classes (NULL: test each rule's class). */
static const struct bymask *
bymask_get(struct irt_sigma *s, uint32_t mask)
{
	struct bymask *bm;
	size_t i;

	for (i = 0; i < s->nbymask; i++)
		if (s->bymask[i].mask == mask)
			return &s->bymask[i];
	if (s->nbymask == SG_MASKS_MAX)
		return NULL;
	bm = &s->bymask[s->nbymask];
	if ((bm->rules = malloc((s->nrules + 1) * sizeof *bm->rules)) == NULL)
		return NULL;
	bm->mask = mask;
	bm->n = 0;
	for (i = 0; i < s->nrules; i++)
		if (mask & 1u << s->rules[i]->cls)
			bm->rules[bm->n++] = (uint32_t)i;
	s->nbymask++;
	return bm;
}

int
irt_sigma_match(struct irt_sigma *s, const struct irt_tl_event *ev,
    irt_sigma_hit_fn fn, void *arg)
{
	struct irt_sigma_hit hit;
	struct mctx m;
	const struct bymask *bm;
	uint32_t mask;
	size_t i, k, n;
	int rc;

	s->st.events++;
	if (s->nrules == 0)
		return 0;
	if (s->ac_dirty && !s->no_prefilter)
		build_prefilter(s);
	else if (s->ac != NULL && s->st.events >= s->next_choice &&
	    s->weight != NULL) {
		s->next_choice = s->events_at_build +
		    10 * (s->next_choice - s->events_at_build);
		if (s->next_choice - s->events_at_build > 200000)
			s->next_choice = UINT64_MAX;
		choose(s);
	} else if (s->rechoose && s->weight != NULL) {
		s->rechoose = false;
		choose(s);
	}
	if (++s->gen == 0) {
		/* the event counter wrapped: forget every mark */
		if (s->mark != NULL)
			memset(s->mark, 0, s->nrules * sizeof *s->mark);
		if (s->swept != NULL) {
			memset(s->swept, 0, s->nswept * sizeof *s->swept);
			memset(s->spill, 0, s->nswept * sizeof *s->spill);
		}
		s->gen = 1;
	}
	mask = sg_event_begin(s->ev, ev);
	if (mask == 0)
		return 0;
	if (s->weight != NULL)
		for (i = 0; i < CL_MAX; i++)
			if (mask & 1u << i) {
				uint64_t seen = ++s->cls_events[i];
				/* for the next event: the marks are in use */
				if (seen == 2000 || seen == 20000 ||
				    seen == 200000)
					s->rechoose = true;
			}
	bm = bymask_get(s, mask);
	n = bm ? bm->n : s->nrules;
	for (k = 0; k < n; k++) {
		struct sg_rule *r;
		i = bm ? bm->rules[k] : k;
		if (!maybe_candidate(s, i))
			continue;
		r = s->rules[i];
		/* the rules of bm are all of the event's classes */
		if ((bm == NULL && !(mask & 1u << r->cls)) ||
		    !candidate(s, r, i))
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
