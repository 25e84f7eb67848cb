/*
 * Rule files as YAML trees, read with libyaml's event parser into an
 * arena: every document is bounded in nesting, scalar size and nodes
 * (aliases counted as often as they are used, so an alias bomb fails at
 * once instead of expanding), and a syntax error names line and column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "sigma-int.h"

/* ---- arena ---- */

struct sg_block {
	struct sg_block *next;
	size_t size, used;
	max_align_t data[];
};

#define SG_BLOCK_MIN 16384
/* The most an arena keeps over a reset. */
#define SG_REUSE_MAX (1u << 20)

void *
sg_alloc(struct sg_arena *a, size_t n)
{
	struct sg_block *b = a->head;
	size_t size;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (b == NULL || b->size - b->used < n) {
		size = n > SG_BLOCK_MIN ? n : SG_BLOCK_MIN;
		if ((b = malloc(sizeof *b + size)) == NULL)
			return NULL;
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	b->used += n;
	a->total += n;
	return (char *)b->data + b->used - n;
}

char *
sg_strndup(struct sg_arena *a, const char *s, size_t n)
{
	char *d = sg_alloc(a, n + 1);

	if (d == NULL)
		return NULL;
	if (n > 0)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void
sg_arena_reset(struct sg_arena *a)
{
	struct sg_block *b, *keep = NULL, *next;
	size_t sum = 0;

	/* keep the largest block; when there were several, one that holds
	 * them all, so that the next as large a use takes no allocation
	 * (an arena reset for each event of a log) */
	for (b = a->head; b != NULL; b = b->next) {
		if (keep == NULL || b->size > keep->size)
			keep = b;
		sum += b->size;
	}
	if (keep != NULL && a->head->next != NULL && sum <= SG_REUSE_MAX &&
	    (b = malloc(sizeof *b + sum)) != NULL) {
		b->size = sum;
		b->next = a->head;
		a->head = keep = b;
	}
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (b != keep)
			free(b);
	}
	a->head = keep;
	if (keep != NULL) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->total = 0;
}

void
sg_arena_release(struct sg_arena *a)
{
	struct sg_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->total = 0;
}

/* ---- scalars ---- */

static bool
is_any(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool
all_of(const char *s, const char *set)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (strchr(set, *s) == NULL)
			return false;
	return true;
}

/* The YAML 1.1 type of a plain scalar, as PyYAML resolves it. */
static int
resolve(const char *s)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL",
		NULL };
	static const char *const bools[] = { "yes", "Yes", "YES", "no", "No",
		"NO", "true", "True", "TRUE", "false", "False", "FALSE", "on",
		"On", "ON", "off", "Off", "OFF", NULL };
	const char *p = s;
	bool dot = false, digit = false;

	if (is_any(s, nulls))
		return Y_NULL;
	if (is_any(s, bools))
		return Y_BOOL;
	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return all_of(p + 2, "0123456789abcdefABCDEF_") ? Y_INT : Y_STR;
	if (p[0] == '0' && p[1] == 'b')
		return all_of(p + 2, "01_") ? Y_INT : Y_STR;
	if (all_of(p, "0123456789_") && *p != '_')
		return Y_INT;
	/* [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)? and .inf .nan */
	if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 ||
	    strcmp(p, ".INF") == 0 || strcmp(s, ".nan") == 0 ||
	    strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)
		return Y_FLOAT;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digit = true;
		else if (*p == '_' && digit)
			continue;
		else if (*p == '.' && !dot)
			dot = true;
		else
			break;
	}
	if (!dot || !digit)
		return Y_STR;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p != '-' && *p != '+')
			return Y_STR;
		p++;
		if (!all_of(p, "0123456789"))
			return Y_STR;
		return Y_FLOAT;
	}
	return *p == '\0' ? Y_FLOAT : Y_STR;
}

/* ---- the tree builder ---- */

struct frame {
	struct ynode *node;
	struct ynode **v;
	size_t n, cap;
	char *anchor;
};

struct anchor {
	char *name;
	struct ynode *node;
};

struct builder {
	struct sg_yaml *y;
	struct frame st[SG_DEPTH_MAX + 1];
	int depth;
	struct anchor *anchors;
	size_t nanchors, acap;
	struct ynode *doc;
	size_t weight;
};

static int
fail(struct sg_yaml *y, const yaml_mark_t *m, const char *msg)
{
	snprintf(y->err, sizeof y->err, "%s", msg);
	y->err_line = (unsigned)m->line + 1;
	y->err_col = (unsigned)m->column + 1;
	return -1;
}

static struct ynode *
node_new(struct sg_yaml *y, int kind, const yaml_mark_t *m)
{
	struct ynode *n = sg_alloc(y->arena, sizeof *n);

	if (n == NULL)
		return NULL;
	memset(n, 0, sizeof *n);
	n->kind = (uint8_t)kind;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	n->weight = 1;
	return n;
}

static int
add_anchor(struct builder *b, const char *name, struct ynode *n)
{
	struct anchor *na;

	if (b->nanchors == b->acap) {
		size_t cap = b->acap ? 2 * b->acap : 8;
		if ((na = realloc(b->anchors, cap * sizeof *na)) == NULL)
			return -1;
		b->anchors = na;
		b->acap = cap;
	}
	if ((b->anchors[b->nanchors].name = strdup(name)) == NULL)
		return -1;
	b->anchors[b->nanchors++].node = n;
	return 0;
}

static struct ynode *
find_anchor(struct builder *b, const char *name)
{
	size_t i;

	/* the latest definition wins */
	for (i = b->nanchors; i-- > 0;)
		if (strcmp(b->anchors[i].name, name) == 0)
			return b->anchors[i].node;
	return NULL;
}

/* Adds a finished node to the collection being built, or makes it the
 * document. */
static int
put(struct builder *b, struct ynode *n, const yaml_mark_t *m)
{
	struct frame *f;
	struct ynode **nv;

	if (b->depth == 0) {
		b->doc = n;
		return 0;
	}
	f = &b->st[b->depth - 1];
	if (f->node->kind == Y_MAP && f->n % 2 == 0 && n->kind != Y_SCALAR)
		return fail(b->y, m, "a mapping key that is not a scalar");
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 8;
		if ((nv = realloc(f->v, cap * sizeof *nv)) == NULL)
			return fail(b->y, m, "out of memory");
		f->v = nv;
		f->cap = cap;
	}
	f->v[f->n++] = n;
	f->node->weight += n->weight;
	if (f->node->weight > SG_WEIGHT_MAX)
		return fail(b->y, m,
		    "document too large (more than 200000 nodes with "
		    "aliases expanded)");
	return 0;
}

static int
open_coll(struct builder *b, int kind, const yaml_mark_t *m,
    const yaml_char_t *anchor)
{
	struct frame *f;
	struct ynode *n;

	if (b->depth >= SG_DEPTH_MAX)
		return fail(b->y, m, "nested more than 64 levels deep");
	if ((n = node_new(b->y, kind, m)) == NULL)
		return fail(b->y, m, "out of memory");
	f = &b->st[b->depth++];
	memset(f, 0, sizeof *f);
	f->node = n;
	if (anchor != NULL &&
	    (f->anchor = strdup((const char *)anchor)) == NULL)
		return fail(b->y, m, "out of memory");
	return 0;
}

static int
close_coll(struct builder *b, const yaml_mark_t *m)
{
	struct frame *f = &b->st[b->depth - 1];
	struct ynode *n = f->node;
	int rc = 0;

	if (n->kind == Y_MAP && f->n % 2 != 0)
		rc = fail(b->y, m, "a mapping key without a value");
	if (rc == 0 && f->n > 0) {
		n->v = sg_alloc(b->y->arena, f->n * sizeof *n->v);
		if (n->v == NULL)
			rc = fail(b->y, m, "out of memory");
		else
			memcpy(n->v, f->v, f->n * sizeof *n->v);
	}
	n->n = n->kind == Y_MAP ? f->n / 2 : f->n;
	if (rc == 0 && f->anchor != NULL && add_anchor(b, f->anchor, n) != 0)
		rc = fail(b->y, m, "out of memory");
	free(f->v);
	free(f->anchor);
	b->depth--;
	if (rc == 0)
		rc = put(b, n, m);
	return rc;
}

static void
builder_release(struct builder *b)
{
	size_t i;

	while (b->depth > 0) {
		free(b->st[b->depth - 1].v);
		free(b->st[b->depth - 1].anchor);
		b->depth--;
	}
	for (i = 0; i < b->nanchors; i++)
		free(b->anchors[i].name);
	free(b->anchors);
}

void
sg_yaml_open(
    struct sg_yaml *y, struct sg_arena *a, const char *data, size_t len)
{
	yaml_parser_t *p;

	memset(y, 0, sizeof *y);
	y->arena = a;
	if ((p = calloc(1, sizeof *p)) == NULL || !yaml_parser_initialize(p)) {
		free(p);
		snprintf(y->err, sizeof y->err, "out of memory");
		y->err_line = y->err_col = 1;
		y->done = true;
		return;
	}
	yaml_parser_set_input_string(p, (const unsigned char *)data, len);
	y->parser = p;
}

void
sg_yaml_close(struct sg_yaml *y)
{
	if (y->parser != NULL) {
		yaml_parser_delete(y->parser);
		free(y->parser);
		y->parser = NULL;
	}
}

static int
parse_error(struct sg_yaml *y)
{
	yaml_parser_t *p = y->parser;
	const yaml_mark_t *m = p->problem != NULL ? &p->problem_mark : &p->mark;

	if (p->error == YAML_MEMORY_ERROR)
		return fail(y, m, "out of memory");
	snprintf(y->err, sizeof y->err, "%s%s%s",
	    p->problem ? p->problem : "malformed YAML", p->context ? " " : "",
	    p->context ? p->context : "");
	y->err_line = (unsigned)m->line + 1;
	y->err_col = (unsigned)m->column + 1;
	return -1;
}

int
sg_yaml_next(struct sg_yaml *y, struct ynode **doc, unsigned *line)
{
	struct builder b;
	yaml_event_t ev;
	struct ynode *n;
	int rc = 0;
	bool in_doc = false, end = false;

	if (y->done || y->parser == NULL)
		return y->err[0] ? -1 : 0;
	memset(&b, 0, sizeof b);
	b.y = y;
	while (!end) {
		if (!yaml_parser_parse(y->parser, &ev)) {
			rc = parse_error(y);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			y->done = true;
			end = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			in_doc = true;
			*line = (unsigned)ev.start_mark.line + 1;
			break;
		case YAML_DOCUMENT_END_EVENT:
			end = true;
			rc = 1;
			break;
		case YAML_MAPPING_START_EVENT:
			rc = open_coll(&b, Y_MAP, &ev.start_mark,
			    ev.data.mapping_start.anchor);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = open_coll(&b, Y_SEQ, &ev.start_mark,
			    ev.data.sequence_start.anchor);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			rc = close_coll(&b, &ev.end_mark);
			break;
		case YAML_SCALAR_EVENT:
			if (ev.data.scalar.length > SG_SCALAR_MAX) {
				rc = fail(y, &ev.start_mark,
				    "scalar longer than 256 KiB");
				break;
			}
			if ((n = node_new(y, Y_SCALAR, &ev.start_mark)) ==
			        NULL ||
			    (n->s = sg_strndup(y->arena,
			         (const char *)ev.data.scalar.value,
			         ev.data.scalar.length)) == NULL) {
				rc = fail(y, &ev.start_mark, "out of memory");
				break;
			}
			n->len = ev.data.scalar.length;
			n->type = ev.data.scalar.plain_implicit &&
			        ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE
			    ? (uint8_t)resolve(n->s)
			    : Y_STR;
			if (ev.data.scalar.tag != NULL &&
			    strcmp((const char *)ev.data.scalar.tag,
			        YAML_STR_TAG) == 0)
				n->type = Y_STR;
			if (ev.data.scalar.anchor != NULL &&
			    add_anchor(&b, (const char *)ev.data.scalar.anchor,
			        n) != 0) {
				rc = fail(y, &ev.start_mark, "out of memory");
				break;
			}
			rc = put(&b, n, &ev.start_mark);
			break;
		case YAML_ALIAS_EVENT:
			n = find_anchor(&b, (const char *)ev.data.alias.anchor);
			if (n == NULL) {
				rc = fail(y, &ev.start_mark,
				    "an alias to an unknown anchor");
				break;
			}
			rc = put(&b, n, &ev.start_mark);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc < 0)
			break;
	}
	builder_release(&b);
	if (rc < 0) {
		y->done = true;
		return -1;
	}
	if (!in_doc || rc == 0)
		return 0;
	if (b.doc == NULL) { /* an empty document */
		yaml_mark_t m = { 0, *line - 1, 0 };
		if ((b.doc = node_new(y, Y_SCALAR, &m)) == NULL) {
			y->done = true;
			return fail(y, &m, "out of memory");
		}
		b.doc->s = "";
		b.doc->type = Y_NULL;
	}
	*doc = b.doc;
	return 1;
}

const struct ynode *
ymap_get(const struct ynode *map, const char *key)
{
	size_t i;
	const struct ynode *found = NULL;

	if (map == NULL || map->kind != Y_MAP)
		return NULL;
	/* the last of duplicate keys wins, as with PyYAML */
	for (i = 0; i < map->n; i++)
		if (strcmp(map->v[2 * i]->s, key) == 0)
			found = map->v[2 * i + 1];
	return found;
}

struct ynode *
ymerge(struct sg_arena *a, const struct ynode *base, const struct ynode *over)
{
	struct ynode *m;
	size_t i, j, n = 0;

	if (base == NULL || base->kind != Y_MAP || over == NULL ||
	    over->kind != Y_MAP)
		return (struct ynode *)(over != NULL ? over : base);
	if ((m = sg_alloc(a, sizeof *m)) == NULL)
		return NULL;
	*m = *over;
	m->v = sg_alloc(a, 2 * (base->n + over->n) * sizeof *m->v + 1);
	if (m->v == NULL)
		return NULL;
	m->weight = 1;
	for (i = 0; i < base->n; i++) {
		const struct ynode *o = ymap_get(over, base->v[2 * i]->s);
		struct ynode *v = base->v[2 * i + 1];
		if (o != NULL && (v = ymerge(a, v, o)) == NULL)
			return NULL;
		m->v[2 * n] = base->v[2 * i];
		m->v[2 * n + 1] = v;
		m->weight += base->v[2 * i]->weight + v->weight;
		n++;
	}
	for (j = 0; j < over->n; j++) {
		if (ymap_get(base, over->v[2 * j]->s) != NULL)
			continue;
		m->v[2 * n] = over->v[2 * j];
		m->v[2 * n + 1] = over->v[2 * j + 1];
		m->weight +=
		    over->v[2 * j]->weight + over->v[2 * j + 1]->weight;
		n++;
	}
	m->n = n;
	return m;
}
