/*
 * Sigma conditions: "selection and not 1 of filter_*", parsed by
 * recursive descent into a small tree of nodes.  Nesting and size are
 * bounded; aggregations ("| count() by x > 5", "near") are recognised and
 * refused as such.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigma-int.h"

enum { T_END, T_LP, T_RP, T_PIPE, T_WORD };

struct cparse {
	struct sg_cond *c;
	const char *s;
	size_t len, pos;
	/* the current token */
	int tok;
	const char *w;
	size_t wl, wpos;
	const char *const *names;
	size_t nnames;
	char *err;
	size_t errlen;
	unsigned col;
	int rc;
	int depth;
};

static bool
word_char(char c)
{
	return !isspace((unsigned char)c) && c != '(' && c != ')' && c != '|';
}

static void
next(struct cparse *p)
{
	while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
		p->pos++;
	p->wpos = p->pos;
	if (p->pos >= p->len) {
		p->tok = T_END;
		return;
	}
	switch (p->s[p->pos]) {
	case '(':
		p->tok = T_LP;
		p->pos++;
		return;
	case ')':
		p->tok = T_RP;
		p->pos++;
		return;
	case '|':
		p->tok = T_PIPE;
		p->pos++;
		return;
	}
	p->tok = T_WORD;
	p->w = p->s + p->pos;
	while (p->pos < p->len && word_char(p->s[p->pos]))
		p->pos++;
	p->wl = (size_t)(p->s + p->pos - p->w);
}

static int
error(struct cparse *p, int rc, const char *fmt, const char *arg, size_t al)
{
	if (p->rc != 0)
		return p->rc;
	snprintf(p->err, p->errlen, fmt, (int)(al > 64 ? 64 : al), arg);
	p->col = (unsigned)p->wpos + 1;
	p->rc = rc;
	return rc;
}

static bool
is_kw(const struct cparse *p, const char *kw)
{
	return p->tok == T_WORD && strlen(kw) == p->wl &&
	    strncasecmp(p->w, kw, p->wl) == 0;
}

static int
add_node(
    struct cparse *p, int op, uint32_t a, uint32_t b, uint32_t n, uint32_t *out)
{
	struct sg_cond *c = p->c;
	struct sg_cnode *nn;

	if (c->nnodes >= SG_COND_NODES_MAX)
		return error(
		    p, SG_COND_SYNTAX, "condition too long%.*s", "", 0);
	if (c->nnodes == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		if ((nn = realloc(c->nodes, cap * sizeof *nn)) == NULL)
			return error(
			    p, SG_COND_SYNTAX, "out of memory%.*s", "", 0);
		c->nodes = nn;
		c->cap = cap;
	}
	nn = &c->nodes[c->nnodes];
	nn->op = (uint8_t)op;
	nn->a = a;
	nn->b = b;
	nn->n = n;
	*out = (uint32_t)c->nnodes++;
	return 0;
}

static int
add_ref(struct cparse *p, uint32_t r)
{
	struct sg_cond *c = p->c;
	uint32_t *nr;

	if (c->nrefs == c->refcap) {
		size_t cap = c->refcap ? 2 * c->refcap : 16;
		if ((nr = realloc(c->refs, cap * sizeof *nr)) == NULL)
			return error(
			    p, SG_COND_SYNTAX, "out of memory%.*s", "", 0);
		c->refs = nr;
		c->refcap = cap;
	}
	c->refs[c->nrefs++] = r;
	return 0;
}

/* Glob of search names: '*' any run, '?' one character. */
static bool
name_glob(const char *pat, size_t pl, const char *s)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
	size_t sl = strlen(s);

	while (si < sl) {
		if (pi < pl && (pat[pi] == '?' || pat[pi] == s[si])) {
			pi++;
			si++;
		} else if (pi < pl && pat[pi] == '*') {
			star_p = pi++;
			star_s = si;
		} else if (star_p != (size_t)-1) {
			pi = star_p + 1;
			si = ++star_s;
		} else
			return false;
	}
	while (pi < pl && pat[pi] == '*')
		pi++;
	return pi == pl;
}

static int parse_or(struct cparse *p, uint32_t *out);

static int
parse_of(struct cparse *p, uint32_t n, uint32_t *out)
{
	size_t first = p->c->nrefs, i;
	bool them;

	next(p); /* past the quantifier */
	if (!is_kw(p, "of"))
		return error(p, SG_COND_SYNTAX, "expected 'of' at '%.*s'", p->w,
		    p->tok == T_WORD ? p->wl : 0);
	next(p);
	if (p->tok != T_WORD)
		return error(p, SG_COND_SYNTAX,
		    "expected search names after 'of'%.*s", "", 0);
	them = is_kw(p, "them");
	for (i = 0; i < p->nnames; i++) {
		bool m = them ? p->names[i][0] != '_'
		              : name_glob(p->w, p->wl, p->names[i]);
		if (m && add_ref(p, (uint32_t)i) != 0)
			return p->rc;
	}
	if (p->c->nrefs == first)
		return error(
		    p, SG_COND_SYNTAX, "no search matches '%.*s'", p->w, p->wl);
	next(p);
	return add_node(
	    p, C_OF, (uint32_t)first, (uint32_t)(p->c->nrefs - first), n, out);
}

static int
parse_atom(struct cparse *p, uint32_t *out)
{
	size_t i;
	int rc;

	if (p->tok == T_LP) {
		next(p);
		if ((rc = parse_or(p, out)) != 0)
			return rc;
		if (p->tok != T_RP)
			return error(
			    p, SG_COND_SYNTAX, "expected ')'%.*s", "", 0);
		next(p);
		return 0;
	}
	if (p->tok == T_PIPE)
		return error(p, SG_COND_AGGREGATE,
		    "aggregation ('|') not supported%.*s", "", 0);
	if (p->tok != T_WORD)
		return error(p, SG_COND_SYNTAX,
		    p->tok == T_END ? "condition ends too early%.*s"
		                    : "unexpected ')'%.*s",
		    "", 0);
	if (is_kw(p, "all"))
		return parse_of(p, 0, out);
	if (is_kw(p, "any"))
		return parse_of(p, 1, out);
	if (isdigit((unsigned char)p->w[0])) {
		unsigned long v = 0;
		for (i = 0; i < p->wl && isdigit((unsigned char)p->w[i]); i++)
			if ((v = v * 10 + (unsigned long)(p->w[i] - '0')) >
			    100000)
				break;
		if (i == p->wl && v > 0) {
			size_t save = p->pos;
			next(p);
			bool of = is_kw(p, "of");
			p->pos = save;
			if (of) {
				p->tok = T_WORD;
				return parse_of(p, (uint32_t)v, out);
			}
		}
	}
	if (is_kw(p, "and") || is_kw(p, "or") || is_kw(p, "of") ||
	    is_kw(p, "them"))
		return error(
		    p, SG_COND_SYNTAX, "unexpected '%.*s'", p->w, p->wl);
	if (is_kw(p, "near"))
		return error(
		    p, SG_COND_AGGREGATE, "'%.*s' not supported", p->w, p->wl);
	for (i = 0; i < p->nnames; i++)
		if (strlen(p->names[i]) == p->wl &&
		    memcmp(p->names[i], p->w, p->wl) == 0)
			break;
	if (i == p->nnames)
		return error(
		    p, SG_COND_SYNTAX, "unknown search '%.*s'", p->w, p->wl);
	next(p);
	return add_node(p, C_REF, (uint32_t)i, 0, 0, out);
}

static int
parse_not(struct cparse *p, uint32_t *out)
{
	uint32_t a;
	int rc;

	if (++p->depth > SG_COND_DEPTH_MAX)
		return error(
		    p, SG_COND_SYNTAX, "condition nested too deep%.*s", "", 0);
	if (is_kw(p, "not")) {
		next(p);
		if ((rc = parse_not(p, &a)) != 0)
			return rc;
		rc = add_node(p, C_NOT, a, 0, 0, out);
	} else
		rc = parse_atom(p, out);
	p->depth--;
	return rc;
}

static int
parse_and(struct cparse *p, uint32_t *out)
{
	uint32_t a, b;
	int rc;

	if ((rc = parse_not(p, &a)) != 0)
		return rc;
	while (is_kw(p, "and")) {
		next(p);
		if ((rc = parse_not(p, &b)) != 0 ||
		    (rc = add_node(p, C_AND, a, b, 0, &a)) != 0)
			return rc;
	}
	*out = a;
	return 0;
}

static int
parse_or(struct cparse *p, uint32_t *out)
{
	uint32_t a, b;
	int rc;

	if (++p->depth > SG_COND_DEPTH_MAX)
		return error(
		    p, SG_COND_SYNTAX, "condition nested too deep%.*s", "", 0);
	if ((rc = parse_and(p, &a)) != 0)
		return rc;
	while (is_kw(p, "or")) {
		next(p);
		if ((rc = parse_and(p, &b)) != 0 ||
		    (rc = add_node(p, C_OR, a, b, 0, &a)) != 0)
			return rc;
	}
	p->depth--;
	*out = a;
	return 0;
}

int
sg_cond_parse(struct sg_cond *c, const char *s, size_t len,
    const char *const *names, size_t n, char *err, size_t errlen, unsigned *col)
{
	struct cparse p;
	uint32_t root, prev = c->root;
	bool had = c->nnodes > 0;

	memset(&p, 0, sizeof p);
	p.c = c;
	p.s = s;
	p.len = len;
	p.names = names;
	p.nnames = n;
	p.err = err;
	p.errlen = errlen;
	next(&p);
	if (p.tok == T_END) {
		error(&p, SG_COND_SYNTAX, "empty condition%.*s", "", 0);
	} else if (parse_or(&p, &root) == 0) {
		if (p.tok == T_PIPE)
			error(&p, SG_COND_AGGREGATE,
			    "aggregation ('|') not supported%.*s", "", 0);
		else if (is_kw(&p, "near"))
			error(&p, SG_COND_AGGREGATE, "'%.*s' not supported",
			    p.w, p.wl);
		else if (p.tok != T_END)
			error(&p, SG_COND_SYNTAX, "unexpected '%.*s'",
			    p.s + p.wpos, p.tok == T_WORD ? p.wl : 1);
		else if (!had)
			c->root = root;
		else if (add_node(&p, C_OR, prev, root, 0, &root) == 0)
			c->root = root; /* a list of conditions: any of them */
	}
	*col = p.col;
	return p.rc;
}

void
sg_cond_release(struct sg_cond *c)
{
	free(c->nodes);
	free(c->refs);
	memset(c, 0, sizeof *c);
}
